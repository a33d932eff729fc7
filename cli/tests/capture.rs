//! `mdump capture --pid PID -o FILE` end to end: a child process with named
//! threads is dumped while it runs and keeps running; the dump holds every
//! one of its threads with their names, its main module and its pid, as
//! read by mdump-reader and by rust-minidump's `minidump-stackwalk`; bad
//! input (no such process, a thread id, a zombie, a kernel thread, a
//! process we may not trace, an existing output) gets one line and a
//! non-zero exit, and never touches a file it should not.
//!
//! The child is this test binary itself, started with `MDUMP_CAPTURE_CHILD`
//! set: the `child_process_helper` test then becomes the process to dump
//! (see [`be_the_child`]); run normally, that test checks the helper.

use mdump_reader::{MinidumpFile, ModuleList, ThreadList, ThreadNames};
use std::collections::BTreeSet;
use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::Duration;

/// Set (to the number of extra threads) in the child's environment.
const CHILD_ENV: &str = "MDUMP_CAPTURE_CHILD";
/// Names the child gives its extra threads, followed by their index.
const THREAD_PREFIX: &str = "mdump-t";

/// The longest any program in these tests may run: a capture that hangs
/// (a thread that never stops for ptrace, say) fails its test instead of
/// hanging CI.
const DEADLINE: Duration = Duration::from_secs(120);

/// Runs `cmd` to completion, its outputs collected, or kills it and panics
/// after [`DEADLINE`].
fn run(cmd: &mut Command) -> Output {
    let shown = format!("{cmd:?}");
    let mut child = cmd
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start {shown}: {e}"));
    let drain = |mut pipe: Box<dyn Read + Send>| {
        std::thread::spawn(move || {
            let mut bytes = Vec::new();
            let _ = pipe.read_to_end(&mut bytes);
            bytes
        })
    };
    let out = drain(Box::new(child.stdout.take().unwrap()));
    let err = drain(Box::new(child.stderr.take().unwrap()));
    let start = std::time::Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if start.elapsed() > DEADLINE {
            let _ = child.kill();
            let _ = child.wait();
            panic!("{shown} did not finish within {DEADLINE:?}");
        }
        std::thread::sleep(Duration::from_millis(5));
    };
    Output { status, stdout: out.join().unwrap(), stderr: err.join().unwrap() }
}

fn mdump(args: &[&str]) -> Output {
    run(Command::new(env!("CARGO_BIN_EXE_mdump")).args(args))
}

/// A scratch directory of the test's own.
fn scratch(name: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("capture-test").join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// One frame of a named thread's descent to its park, so its stack has
/// real frames.
#[inline(never)]
fn descend(depth: u32, parked: &std::sync::mpsc::Sender<()>) {
    if depth == 0 {
        parked.send(()).unwrap();
        loop {
            std::thread::park();
        }
    }
    descend(std::hint::black_box(depth - 1), parked);
}

/// The child's life: start `threads` named threads, say `ready PID` when
/// they are all parked, and exit when stdin closes.
fn be_the_child(threads: usize) -> ! {
    let (parked, all_parked) = std::sync::mpsc::channel();
    for i in 0..threads {
        let parked = parked.clone();
        std::thread::Builder::new().name(format!("{THREAD_PREFIX}{i}")).spawn(move || descend(8, &parked)).unwrap();
    }
    for _ in 0..threads {
        all_parked.recv().unwrap();
    }
    println!("ready {}", std::process::id());
    let mut sink = [0u8; 16];
    while matches!(std::io::stdin().read(&mut sink), Ok(n) if n > 0) {}
    std::process::exit(0);
}

/// A running child, killed when dropped.
struct Target {
    child: Child,
    pid: u32,
}

impl Target {
    fn spawn(threads: usize) -> Target {
        let mut child = Command::new(std::env::current_exe().unwrap())
            .args(["--exact", "child_process_helper", "--nocapture", "--test-threads=1"])
            .env(CHILD_ENV, threads.to_string())
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
        // libtest prints its own text first, "test NAME ... " on the same line.
        let pid = lines
            .by_ref()
            .map_while(Result::ok)
            .find_map(|l| l.rsplit_once("ready ").and_then(|(_, p)| p.trim().parse().ok()))
            .expect("the child says `ready PID`");
        Target { child, pid }
    }

    /// The thread ids the kernel lists for the child now.
    fn tids(&self) -> BTreeSet<u32> {
        std::fs::read_dir(format!("/proc/{}/task", self.pid))
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().parse().unwrap())
            .collect()
    }

    /// Whether the child is still running (not exited, not stopped, not
    /// traced).
    fn running(&mut self) -> bool {
        if self.child.try_wait().unwrap().is_some() {
            return false;
        }
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.pid)).unwrap();
        let field = |k: &str| status.lines().find_map(|l| l.strip_prefix(k)).unwrap_or("").trim().to_string();
        field("TracerPid:") == "0" && !field("State:").starts_with('T') && !field("State:").starts_with('t')
    }
}

impl Drop for Target {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[test]
fn child_process_helper() {
    if let Some(n) = std::env::var_os(CHILD_ENV) {
        be_the_child(n.to_string_lossy().parse().unwrap());
    }
    // Run as an ordinary test: the helper must start its named threads (the
    // main thread and libtest's test thread are there too) and stay.
    let mut target = Target::spawn(3);
    let mut names: Vec<String> = target
        .tids()
        .iter()
        .map(|tid| std::fs::read_to_string(format!("/proc/{}/task/{tid}/comm", target.pid)).unwrap())
        .map(|n| n.trim_end().to_string())
        .filter(|n| n.starts_with(THREAD_PREFIX))
        .collect();
    names.sort();
    assert_eq!(names, ["mdump-t0", "mdump-t1", "mdump-t2"]);
    std::thread::sleep(Duration::from_millis(50));
    assert!(target.running());
}

/// What a dump says about its threads: `(id, name)` for each, in order.
fn threads_of(path: &Path) -> Vec<(u32, Option<String>)> {
    let file = MinidumpFile::open(path).unwrap();
    let dump = file.minidump().unwrap();
    let threads = dump.stream::<ThreadList>().unwrap().expect("a ThreadList");
    let names = dump.stream::<ThreadNames>().unwrap().expect("a ThreadNames stream");
    threads
        .iter()
        .map(|t| {
            let name = names.by_id(t.id()).map(|n| n.unwrap().to_string());
            (t.id(), name)
        })
        .collect()
}

#[test]
fn dumps_a_live_process_which_keeps_running() {
    let mut target = Target::spawn(5);
    let dir = scratch("live");
    let out = dir.join("child.dmp");
    let r = mdump(&["capture", "--pid", &target.pid.to_string(), "-o", out.to_str().unwrap()]);
    assert!(r.status.success(), "{}", String::from_utf8_lossy(&r.stderr));

    // Still alive, not left stopped or traced.
    std::thread::sleep(Duration::from_millis(50));
    assert!(target.running(), "the child must run on after the capture");

    let threads = threads_of(&out);
    let ids: BTreeSet<u32> = threads.iter().map(|t| t.0).collect();
    assert_eq!(ids, target.tids(), "every thread of the child, no other");
    let mut names: Vec<String> = threads.iter().filter_map(|t| t.1.clone()).collect();
    names.retain(|n| n.starts_with(THREAD_PREFIX));
    names.sort();
    assert_eq!(names, (0..5).map(|i| format!("{THREAD_PREFIX}{i}")).collect::<Vec<_>>());

    let file = MinidumpFile::open(&out).unwrap();
    let dump = file.minidump().unwrap();
    let modules = dump.stream::<ModuleList>().unwrap().expect("a ModuleList");
    let exe = std::fs::canonicalize(std::env::current_exe().unwrap()).unwrap();
    let main = modules.iter().next().expect("at least one module");
    assert_eq!(main.name().unwrap().to_string(), exe.to_string_lossy(), "the main module comes first");
    assert!(main.code_identifier().is_some(), "the main module has a build id");
    let misc = dump.stream::<mdump_reader::MiscInfo>().unwrap().expect("MiscInfo");
    assert_eq!(misc.process_id(), Some(target.pid));
}

#[test]
fn minidump_stackwalk_reads_the_dump() {
    let Some(stackwalk) = mdump_testkit::exec::oracle(&["minidump-stackwalk", "~/.cargo/bin/minidump-stackwalk"])
    else {
        return;
    };
    let target = Target::spawn(2);
    let dir = scratch("stackwalk");
    let out = dir.join("child.dmp");
    let r = mdump(&["capture", "--pid", &target.pid.to_string(), "-o", out.to_str().unwrap(), "--strip-env"]);
    assert!(r.status.success(), "{}", String::from_utf8_lossy(&r.stderr));
    let (tids, pid) = (target.tids(), target.pid);
    drop(target);

    let r = run(Command::new(stackwalk).arg("--json").arg(&out));
    assert!(r.status.success(), "minidump-stackwalk: {}", String::from_utf8_lossy(&r.stderr));
    let json: serde_json::Value = serde_json::from_slice(&r.stdout).unwrap();
    let threads = json["threads"].as_array().expect("threads");
    assert_eq!(threads.len(), tids.len(), "minidump-stackwalk sees every thread");
    let names: BTreeSet<&str> = threads.iter().filter_map(|t| t["thread_name"].as_str()).collect();
    for i in 0..2 {
        assert!(names.contains(format!("{THREAD_PREFIX}{i}").as_str()), "{names:?}");
    }
    assert_eq!(json["pid"].as_u64(), Some(u64::from(pid)), "{}", json["pid"]);
    let exe = std::env::current_exe().unwrap();
    let exe_name = exe.file_name().unwrap().to_string_lossy();
    assert_eq!(json["main_module"].as_u64(), Some(0), "{}", json["main_module"]);
    let main = &json["modules"][0];
    assert!(main["filename"].as_str().is_some_and(|f| f == exe_name), "{main}");
    assert!(main["debug_id"].as_str().is_some_and(|d| d.len() == 33 && d != "000000000000000000000000000000000"));
    // Every thread's stack was walked to at least the frame it is in.
    for t in threads {
        assert!(t["frame_count"].as_u64().is_some_and(|n| n >= 1), "{t}");
    }
}

#[test]
fn strip_env_and_annotations_and_limits() {
    let target = Target::spawn(1);
    let dir = scratch("options");
    let out = dir.join("opts.dmp");
    let pid = target.pid.to_string();
    let r = mdump(&[
        "capture",
        "--pid",
        &pid,
        "-o",
        out.to_str().unwrap(),
        "--skip-environment",
        "--stack-limit",
        "4K",
        "--annotation",
        "product=mdump-test",
        "--annotation",
        "version=1.2=3",
    ]);
    assert!(r.status.success(), "{}", String::from_utf8_lossy(&r.stderr));
    let file = MinidumpFile::open(&out).unwrap();
    let dump = file.minidump().unwrap();
    assert!(dump.stream::<mdump_reader::linux::LinuxEnviron>().unwrap().is_none(), "no environment");
    for t in dump.stream::<ThreadList>().unwrap().unwrap().iter() {
        let size = t.stack().unwrap().size();
        assert!(size <= 4096, "thread {} has {size} stack bytes", t.id());
    }
    let info = dump.stream::<mdump_reader::CrashpadInfo>().unwrap().expect("CrashpadInfo for the annotations");
    let pairs: Vec<(String, String)> = info
        .simple_annotations()
        .unwrap()
        .iter()
        .map(|e| {
            let (k, v) = e.unwrap();
            (String::from_utf8_lossy(k).into_owned(), String::from_utf8_lossy(v).into_owned())
        })
        .collect();
    assert!(pairs.contains(&("product".into(), "mdump-test".into())), "{pairs:?}");
    assert!(pairs.contains(&("version".into(), "1.2=3".into())), "{pairs:?}");

    // A size limit keeps the file under it.
    let small = dir.join("small.dmp");
    let r = mdump(&["capture", "--pid", &pid, "-o", small.to_str().unwrap(), "--size-limit", "256K"]);
    assert!(r.status.success(), "{}", String::from_utf8_lossy(&r.stderr));
    let len = std::fs::metadata(&small).unwrap().len();
    assert!(len <= 256 << 10, "{len} bytes");
}

/// A failed command: non-zero exit, one line on stderr starting `mdump: `,
/// containing `want`, and no backtrace.
fn fails_with(r: &Output, want: &str) {
    let stderr = String::from_utf8_lossy(&r.stderr);
    assert!(!r.status.success(), "should fail: {stderr}");
    assert_eq!(stderr.lines().count(), 1, "one line: {stderr}");
    assert!(stderr.starts_with("mdump: ") && stderr.contains(want), "{stderr:?} should say {want:?}");
    assert!(!stderr.contains("panicked") && !stderr.contains("RUST_BACKTRACE"), "{stderr}");
}

#[test]
fn no_such_process_is_one_line() {
    let dir = scratch("nopid");
    let out = dir.join("x.dmp");
    // Above the kernel's largest possible pid_max (2^22).
    let r = mdump(&["capture", "--pid", "4194305", "-o", out.to_str().unwrap()]);
    fails_with(&r, "no process with pid 4194305");
    assert!(!out.exists());
    assert_eq!(std::fs::read_dir(&dir).unwrap().count(), 0, "no temporary file left");
    let target = Target::spawn(1);
    let missing_dir = dir.join("no-such-dir").join("x.dmp");
    let r = mdump(&["capture", "--pid", &target.pid.to_string(), "-o", missing_dir.to_str().unwrap()]);
    fails_with(&r, &format!("cannot write {}", missing_dir.display()));
    let r = mdump(&["capture", "--pid", "nonsense", "-o", out.to_str().unwrap()]);
    assert!(!r.status.success());
    assert!(!String::from_utf8_lossy(&r.stderr).contains("panicked"));
}

/// A kernel thread visible here (no Vm* lines in its status, not a
/// zombie), if the pid namespace shows any.
fn a_kernel_thread() -> Option<u32> {
    std::fs::read_dir("/proc").ok()?.filter_map(|e| e.ok()?.file_name().to_str()?.parse::<u32>().ok()).take(4096).find(
        |pid| {
            std::fs::read_to_string(format!("/proc/{pid}/status")).is_ok_and(|s| {
                !s.contains("\nVmSize:") && !s.lines().any(|l| l.starts_with("State:") && l.contains('Z'))
            })
        },
    )
}

#[test]
fn threads_zombies_and_kernel_threads_are_named_as_such() {
    let target = Target::spawn(1);
    let dir = scratch("not-a-process");
    let out = dir.join("x.dmp");
    let o = out.to_str().unwrap();

    let thread = *target.tids().iter().find(|&&t| t != target.pid).expect("the child's second thread");
    let r = mdump(&["capture", "--pid", &thread.to_string(), "-o", o]);
    fails_with(&r, &format!("pid {thread} is a thread of process {}; give --pid {}", target.pid, target.pid));

    // A child that has exited but is not waited for yet.
    let mut zombie = Command::new("/bin/true").spawn().unwrap();
    let zpid = zombie.id();
    let is_zombie = || {
        std::fs::read_to_string(format!("/proc/{zpid}/status"))
            .is_ok_and(|s| s.lines().any(|l| l.starts_with("State:") && l.contains('Z')))
    };
    for _ in 0..500 {
        if is_zombie() {
            break;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    assert!(is_zombie(), "/bin/true did not end within 5 s");
    let r = mdump(&["capture", "--pid", &zpid.to_string(), "-o", o]);
    zombie.wait().unwrap();
    fails_with(&r, "has exited; it is a zombie");

    match a_kernel_thread() {
        Some(k) => fails_with(&mdump(&["capture", "--pid", &k.to_string(), "-o", o]), "is a kernel thread"),
        None => eprintln!("note: no kernel thread is visible in this pid namespace; that case is not checked"),
    }
    assert_eq!(std::fs::read_dir(&dir).unwrap().count(), 0, "no dump and no temporary file left");
}

#[test]
fn an_existing_output_is_kept_unless_forced() {
    let target = Target::spawn(1);
    let dir = scratch("exists");
    let out = dir.join("mine.txt");
    std::fs::write(&out, b"the user's file").unwrap();
    let pid = target.pid.to_string();
    let r = mdump(&["capture", "--pid", &pid, "-o", out.to_str().unwrap()]);
    fails_with(&r, "exists; pass --force");
    assert_eq!(std::fs::read(&out).unwrap(), b"the user's file");

    // A failing capture with --force leaves the old file alone.
    let r = mdump(&["capture", "--pid", "4194305", "-o", out.to_str().unwrap(), "--force"]);
    fails_with(&r, "no process");
    assert_eq!(std::fs::read(&out).unwrap(), b"the user's file");

    let r = mdump(&["capture", "--pid", &pid, "-o", out.to_str().unwrap(), "--force"]);
    assert!(r.status.success(), "{}", String::from_utf8_lossy(&r.stderr));
    assert_eq!(&std::fs::read(&out).unwrap()[..4], b"MDMP");
    assert_eq!(std::fs::read_dir(&dir).unwrap().count(), 1, "no temporary file left");

    let r = mdump(&["capture", "--pid", &pid, "-o", dir.to_str().unwrap()]);
    fails_with(&r, "is a directory");
}

#[test]
fn a_process_we_may_not_trace_is_one_line() {
    // Needs a process that the unprivileged user may not trace: run mdump
    // as `nobody` (setpriv, as root) against our child, which runs as root.
    let is_root = std::fs::read_to_string("/proc/self/status")
        .unwrap()
        .lines()
        .any(|l| l.starts_with("Uid:") && l.split_whitespace().nth(2) == Some("0"));
    let setpriv = Path::new("/usr/bin/setpriv");
    if !is_root || !setpriv.is_file() {
        let why = "needs root and /usr/bin/setpriv (util-linux) to drop to an unprivileged user";
        assert!(!mdump_testkit::corpus::in_ci(), "{why}");
        eprintln!("SKIP: {why}");
        return;
    }
    let target = Target::spawn(1);
    // `nobody` may not be able to reach the build folder: run a copy of
    // mdump from a folder of its own that anyone may read and write.
    let dir = std::env::temp_dir().join(format!("mdump-capture-eperm-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::set_permissions(&dir, std::os::unix::fs::PermissionsExt::from_mode(0o777)).unwrap();
    let mdump_copy = dir.join("mdump");
    std::fs::copy(env!("CARGO_BIN_EXE_mdump"), &mdump_copy).unwrap();
    std::fs::set_permissions(&mdump_copy, std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
    let out = dir.join("x.dmp");
    let r = run(Command::new(setpriv)
        .args(["--reuid=65534", "--regid=65534", "--clear-groups", "--"])
        .arg(&mdump_copy)
        .args(["capture", "--pid", &target.pid.to_string(), "-o", out.to_str().unwrap()]));
    let left: Vec<_> = std::fs::read_dir(&dir).unwrap().map(|e| e.unwrap().file_name()).collect();
    let _ = std::fs::remove_dir_all(&dir);
    fails_with(&r, "permission denied to dump pid");
    assert_eq!(left, ["mdump"], "no dump and no temporary file left");
}
