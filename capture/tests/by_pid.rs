//! Dumps of other live processes by pid: a `sleep` and a many-threaded
//! child; the dump is read back with mdump-reader and checked against what
//! `/proc` and the binary on disk say.

use mdump_reader::module_list::CodeView;
use mdump_reader::{LinuxDsoDebug, MemoryList, Minidump, MiscInfo, ModuleList, SystemInfo, ThreadList, ThreadNames};
use std::io::Cursor;
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

mod common;

struct Killed(Child);
impl Drop for Killed {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn tids(pid: u32) -> Vec<u32> {
    let mut t: Vec<u32> = std::fs::read_dir(format!("/proc/{pid}/task"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_str().unwrap().parse().unwrap())
        .collect();
    t.sort();
    t
}

fn wait_for_exec(pid: u32, exe: &str) {
    // The child runs our test binary until it execs, then the dynamic loader
    // maps libc: wait until it sleeps in `exe` with libc mapped.
    for _ in 0..3000 {
        let ran = std::fs::read_link(format!("/proc/{pid}/exe")).is_ok_and(|p| p.to_string_lossy().contains(exe));
        let maps = std::fs::read_to_string(format!("/proc/{pid}/maps")).unwrap_or_default();
        let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
        let sleeping = stat.rsplit_once(") ").is_some_and(|(_, rest)| rest.starts_with('S'));
        if ran && maps.contains("libc.so") && sleeping {
            return;
        }
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    panic!("{pid} never ran {exe}");
}

#[test]
fn dump_of_sleep_by_pid() {
    let child = Killed(Command::new("sleep").arg("30").spawn().unwrap());
    let pid = child.0.id();
    wait_for_exec(pid, "sleep");
    let exe = std::fs::read_link(format!("/proc/{pid}/exe")).unwrap();
    let mut out = Cursor::new(Vec::new());
    let options =
        mdump_capture::Options { annotations: vec![("product".into(), "mdump-test".into())], ..Default::default() };
    let summary = mdump_capture::write_dump_of_process(pid as i32, &options, &mut out).unwrap();
    let bytes = out.into_inner();
    assert_eq!(summary.bytes_written, bytes.len() as u64);
    assert_eq!(summary.threads, tids(pid).iter().map(|&t| t as i32).collect::<Vec<_>>());

    let dump = Minidump::parse(&bytes).unwrap();
    let threads: ThreadList = dump.stream().unwrap().unwrap();
    assert_eq!(threads.len(), 1);
    let t = threads.get(0).unwrap();
    assert_eq!(t.id(), pid);
    let ctx = t.context().unwrap();
    let stack = t.stack().unwrap();
    assert!(stack.size() > 0);
    assert!(stack.contains(ctx.stack_pointer(), 8), "the stack holds the stack pointer");
    let names: ThreadNames = dump.stream().unwrap().unwrap();
    assert_eq!(names.by_id(pid).unwrap().unwrap().to_string(), "sleep");
    // The MemoryList lists the stack too, sharing its bytes (as Breakpad).
    let memory: MemoryList = dump.stream().unwrap().unwrap();
    let raw_stack = threads.raw()[0].stack;
    assert!(memory.raw().contains(&raw_stack), "{:?} not in {:?}", raw_stack, memory.raw());

    // The executable is the first module, with the build id of the file.
    let modules: ModuleList = dump.stream().unwrap().unwrap();
    let main = modules.iter().next().unwrap();
    assert_eq!(main.code_file(), exe.to_string_lossy());
    let file = std::fs::read(&exe).unwrap();
    let want = object::read::File::parse(&*file).unwrap();
    let want_id = object::Object::build_id(&want).unwrap();
    match main.codeview().unwrap() {
        Some(CodeView::Elf { build_id }) => {
            if let Some(want_id) = want_id {
                assert_eq!(build_id, want_id);
            }
        }
        other => panic!("main module CodeView {other:?}"),
    }
    let names: Vec<String> = modules.iter().map(|m| m.code_file()).collect();
    assert!(names.iter().any(|n| n == "linux-gate.so"), "{names:?}");
    assert!(names.iter().any(|n| n.contains("libc.so")), "{names:?}");
    // No Exception stream in a dump by pid; the text streams are there.
    assert!(dump.find(mdump_format::StreamType::EXCEPTION).is_none());
    for s in [
        mdump_format::StreamType::LINUX_CPU_INFO,
        mdump_format::StreamType::LINUX_PROC_STATUS,
        mdump_format::StreamType::LINUX_CMD_LINE,
        mdump_format::StreamType::LINUX_ENVIRON,
        mdump_format::StreamType::LINUX_AUXV,
        mdump_format::StreamType::LINUX_MAPS,
        mdump_format::StreamType::LINUX_DSO_DEBUG,
        mdump_format::StreamType::MISC_INFO,
        mdump_format::StreamType::MEMORY_INFO_LIST,
        mdump_format::StreamType::BREAKPAD_INFO,
        mdump_format::StreamType::CRASHPAD_INFO,
        mdump_format::StreamType::SYSTEM_INFO,
    ] {
        assert!(dump.find(s).is_some(), "missing {s:?}");
    }
    let cmdline = dump.raw_stream(mdump_format::StreamType::LINUX_CMD_LINE).unwrap().unwrap();
    assert_eq!(cmdline.as_slice(), b"sleep\x0030\x00");
    // MiscInfo, SystemInfo and the loader's link maps.
    let misc: MiscInfo = dump.stream().unwrap().unwrap();
    assert_eq!(misc.process_id(), Some(pid));
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs() as u32;
    let created = misc.process_create_time().unwrap();
    assert!(created <= now + 1 && now - created < 600, "created {created}, now {now}");
    let system: SystemInfo = dump.stream().unwrap().unwrap();
    assert_eq!(system.platform_id(), mdump_format::system_info::PLATFORM_LINUX);
    #[cfg(target_arch = "x86_64")]
    {
        assert_eq!(system.architecture(), mdump_format::system_info::PROCESSOR_ARCHITECTURE_AMD64);
        let cpuinfo = std::fs::read_to_string("/proc/cpuinfo").unwrap();
        let vendor =
            cpuinfo.lines().find_map(|l| l.strip_prefix("vendor_id")).unwrap().trim_start_matches([' ', '\t', ':']);
        assert_eq!(system.cpu_vendor().map(|v| String::from_utf8_lossy(&v).into_owned()), Some(vendor.to_string()));
    }
    #[cfg(target_arch = "aarch64")]
    assert_eq!(system.architecture(), mdump_format::system_info::PROCESSOR_ARCHITECTURE_ARM64);
    let dso: LinuxDsoDebug = dump.stream().unwrap().unwrap();
    let maps = dso.link_maps().unwrap();
    assert_eq!(dso.dso_count() as usize, maps.len());
    assert!(maps.len() >= 3, "executable, vdso or loader, libc: {}", maps.len());
    // The process is running again.
    let stat = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    assert!(stat.contains("TracerPid:\t0"), "{stat}");
}

#[test]
fn skip_environment_and_size_limit() {
    let child = Killed(Command::new("sleep").arg("30").env("MDUMP_SECRET", "x").spawn().unwrap());
    let pid = child.0.id();
    wait_for_exec(pid, "sleep");
    let options = mdump_capture::Options { skip_environment: true, ..Default::default() };
    let mut out = Cursor::new(Vec::new());
    mdump_capture::write_dump_of_process(pid as i32, &options, &mut out).unwrap();
    let bytes = out.into_inner();
    let dump = Minidump::parse(&bytes).unwrap();
    assert!(dump.find(mdump_format::StreamType::LINUX_ENVIRON).is_none());
    assert!(!bytes.windows(12).any(|w| w == b"MDUMP_SECRET"));
}

#[test]
fn no_such_process() {
    let mut out = Cursor::new(Vec::new());
    let err = mdump_capture::write_dump_of_process(i32::MAX - 1, &Default::default(), &mut out).unwrap_err();
    assert!(err.to_string().contains("no process"), "{err}");
}

/// A crashme with 50 parked threads (deep stacks), dumped twice: with a
/// small per-thread stack limit and an extra memory range, and with a size
/// limit that forces the stacks to be cut.
#[test]
fn threads_limits_and_extra_memory() {
    let dir = common::scratch("by-pid-park");
    let mut child =
        Killed(Command::new(common::crashme()).arg("park").arg(&dir).stdout(Stdio::piped()).spawn().unwrap());
    let mut line = String::new();
    BufReader::new(child.0.stdout.take().unwrap()).read_line(&mut line).unwrap();
    assert_eq!(line, "crashme: parked\n");
    let pid = child.0.id();
    let listed: Vec<i32> =
        std::fs::read_to_string(dir.join("threads.txt")).unwrap().lines().map(|l| l.parse().unwrap()).collect();
    assert_eq!(listed.len(), 51);

    // The first page of the executable (its ELF header: bytes that do not
    // change) as extra memory.
    let maps = std::fs::read_to_string(format!("/proc/{pid}/maps")).unwrap();
    let exe = maps.lines().find(|l| l.ends_with("/crashme")).expect("crashme mapped");
    let page = u64::from_str_radix(exe.split('-').next().unwrap(), 16).unwrap();
    let options = mdump_capture::Options { stack_limit: 4096, extra_memory: vec![(page, 4096)], ..Default::default() };
    let mut out = Cursor::new(Vec::new());
    let summary = mdump_capture::write_dump_of_process(pid as i32, &options, &mut out).unwrap();
    let mut got = summary.threads.clone();
    got.sort();
    let mut want = listed.clone();
    want.sort();
    assert_eq!(got, want, "every thread");
    assert!(summary.threads_missed.is_empty(), "{:?}", summary.threads_missed);
    let small = out.into_inner();
    let dump = Minidump::parse(&small).unwrap();
    let threads: ThreadList = dump.stream().unwrap().unwrap();
    assert_eq!(threads.len(), 51);
    for t in threads.iter() {
        let stack = t.stack().unwrap();
        assert!(stack.size() > 0 && stack.size() <= 4096, "stack of {} is {} bytes", t.id(), stack.size());
    }
    let memory: MemoryList = dump.stream().unwrap().unwrap();
    let region = memory.iter().map(|r| r.unwrap()).find(|r| r.contains(page, 4096)).expect("the extra page");
    let mut want_bytes = vec![0u8; 4096];
    std::os::unix::fs::FileExt::read_exact_at(
        &std::fs::File::open(format!("/proc/{pid}/mem")).unwrap(),
        &mut want_bytes,
        page,
    )
    .unwrap();
    let got_bytes = region.slice(page, 4096).unwrap();
    let first_difference = got_bytes.iter().zip(&want_bytes).position(|(a, b)| a != b);
    assert_eq!(first_difference, None, "the extra page's bytes differ (region at {:#x})", region.base);

    // Whole stacks (16 KiB and more each), then a size limit below that.
    let mut out = Cursor::new(Vec::new());
    mdump_capture::write_dump_of_process(pid as i32, &Default::default(), &mut out).unwrap();
    let full = out.into_inner().len() as u64;
    let limit = full / 2;
    let options = mdump_capture::Options { size_limit: Some(limit), ..Default::default() };
    let mut out = Cursor::new(Vec::new());
    let summary = mdump_capture::write_dump_of_process(pid as i32, &options, &mut out).unwrap();
    let cut = out.into_inner();
    assert!((cut.len() as u64) <= limit, "{} bytes over the limit {limit} (full: {full})", cut.len());
    assert_eq!(summary.bytes_written, cut.len() as u64);
    assert!(summary.soft_errors.iter().any(|e| e.contains("size limit")), "{:?}", summary.soft_errors);
    let dump = Minidump::parse(&cut).unwrap();
    let threads: ThreadList = dump.stream().unwrap().unwrap();
    assert_eq!(threads.len(), 51, "the limit cuts stacks, not threads");
}

/// A binary without a build id: its module carries Breakpad's fallback
/// identifier, the first 4 KiB of `.text` XOR-folded into 16 bytes,
/// computed here independently from the file with `object`.
#[test]
fn module_without_build_id_gets_text_hash() {
    let Some(gcc) = mdump_testkit::exec::oracle(&["gcc", "cc"]) else { return };
    let dir = common::scratch("no-build-id");
    std::fs::write(dir.join("nobid.c"), "#include <unistd.h>\nint main(void) { for (;;) pause(); }\n").unwrap();
    let exe = dir.join("nobid");
    let built = common::run(
        Command::new(gcc).arg("-O1").arg("-Wl,--build-id=none").arg("-o").arg(&exe).arg(dir.join("nobid.c")),
        std::time::Duration::from_secs(120),
    );
    assert!(built.status.success(), "{built:?}");
    let binary = std::fs::read(&exe).unwrap();
    let file = object::read::File::parse(&*binary).unwrap();
    assert_eq!(object::Object::build_id(&file).unwrap(), None, "built without a build id");
    let text = object::Object::section_by_name(&file, ".text").unwrap();
    let data = object::ObjectSection::data(&text).unwrap();
    let mut want = [0u8; 16];
    for (i, b) in data.iter().take(4096).enumerate() {
        want[i % 16] ^= b;
    }

    let child = Killed(Command::new(&exe).spawn().unwrap());
    let pid = child.0.id();
    wait_for_exec(pid, "nobid");
    let mut out = Cursor::new(Vec::new());
    mdump_capture::write_dump_of_process(pid as i32, &Default::default(), &mut out).unwrap();
    let bytes = out.into_inner();
    let dump = Minidump::parse(&bytes).unwrap();
    let modules: ModuleList = dump.stream().unwrap().unwrap();
    let main = modules.iter().next().unwrap();
    assert!(main.code_file().ends_with("/nobid"), "{}", main.code_file());
    match main.codeview().unwrap() {
        Some(CodeView::Elf { build_id }) => assert_eq!(build_id, &want[..], "the .text hash"),
        other => panic!("CodeView {other:?}"),
    }
    assert_eq!(
        main.debug_identifier().map(|d| d.to_string()),
        Some(mdump_capture::elf::debug_id(&want)),
        "Breakpad's debug id of the hash"
    );
}

/// A process already traced cannot be dumped; the error says who traces it.
#[test]
fn already_traced_process_is_explained() {
    let child = Killed(Command::new("sleep").arg("30").spawn().unwrap());
    let pid = child.0.id();
    wait_for_exec(pid, "sleep");
    let held = mdump_capture::ptrace::StoppedProcess::stop(pid as i32, None).unwrap();
    let mut out = Cursor::new(Vec::new());
    let err = mdump_capture::write_dump_of_process(pid as i32, &Default::default(), &mut out).unwrap_err();
    assert!(err.to_string().contains("already traced by process"), "{err}");
    drop(held);
    // Let go, it can be dumped again.
    mdump_capture::write_dump_of_process(pid as i32, &Default::default(), &mut out).unwrap();
}

/// A crash report whose signal frame cannot be read still gives a dump: the
/// thread's ptrace registers stand in, and the dump says what went wrong.
#[test]
fn unreadable_signal_frame_still_dumps() {
    let child = Killed(Command::new("sleep").arg("30").spawn().unwrap());
    let pid = child.0.id() as i32;
    wait_for_exec(pid as u32, "sleep");
    let stopped = mdump_capture::ptrace::StoppedProcess::stop(pid, None).unwrap();
    let crash = mdump_capture::collect::Crash { tid: pid, signal: 11, code: 1, ucontext: 8, ..Default::default() };
    let mut out = Cursor::new(Vec::new());
    let summary = mdump_capture::collect::write_dump(&stopped, Some(&crash), &Default::default(), 0, &mut out).unwrap();
    drop(stopped);
    assert!(summary.soft_errors.iter().any(|e| e.contains("ucontext at 0x8")), "{:?}", summary.soft_errors);
    let bytes = out.into_inner();
    let dump = Minidump::parse(&bytes).unwrap();
    let e: mdump_reader::Exception = dump.stream().unwrap().unwrap();
    assert_eq!((e.thread_id(), e.code()), (pid as u32, 11));
    let threads: ThreadList = dump.stream().unwrap().unwrap();
    let ip = threads.by_id(pid as u32).unwrap().context().unwrap().instruction_pointer();
    assert_eq!(e.context().unwrap().instruction_pointer(), ip);
    assert_ne!(ip, 0, "ptrace registers");
    let log = dump.raw_stream(mdump_format::StreamType::MDUMP_WRITE_ERRORS).unwrap().unwrap();
    assert!(String::from_utf8_lossy(log.as_slice()).contains("ucontext"));
}
