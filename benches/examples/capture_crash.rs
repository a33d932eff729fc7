//! The crash path from the fault to the finished dump, and the dumping
//! side's peak memory: `capture_crash [RUNS] [THREADS...]` (default 7 runs
//! of 1, 100 and 1,000 threads).
//!
//! For each size and run it starts `crashme timed-N DIR` (capture's crash
//! matrix program, built beside this example: `cargo build --release -p
//! mdump-capture --example crashme`), which installs the handler, starts N
//! threads parked 16 frames deep, reads the clock and writes through a null
//! pointer; its after-dump callback prints the nanoseconds from just before
//! the fault to the finished dump. The run counts only if crashme died of
//! SIGSEGV and left one dump listing all N + 1 threads.
//!
//! This program makes itself a child subreaper, so the handler's helper
//! process (forked by crashme at `install`, it writes the dump) is handed to
//! us when crashme dies, and `wait4` gives its peak RSS: the memory of the
//! dumping side. The crashed process's own peak RSS is shown too.
//!
//! Side by side, in the same loop (alternating, so both see the same load),
//! rust-minidump's minidump-writer dumps a process of the same shape
//! (`capture_target N`, also built beside this: `cargo build --release -p
//! mdump-benches --bin capture_target`) from the request to the finished
//! file. It cannot dump its own process, so that is the whole of its work
//! for a crash minus the signal and the hand-over to the dumping process:
//! a lower bound for any crash path built on it.
//!
//! Run: `cargo build --release -p mdump-capture --example crashme &&
//! cargo build --release -p mdump-benches --bin capture_target &&
//! cargo run --release -p mdump-benches --example capture_crash`.

use mdump_benches::median;
use mdump_reader::{MinidumpFile, ThreadList};
use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// What one crash run measured.
struct CrashRun {
    /// From just before the fault to the after-dump callback.
    fault_to_dump: Duration,
    /// Peak RSS of the helper process that wrote the dump, KiB.
    helper_rss_kib: i64,
    /// Peak RSS of the crashed process, KiB.
    crashed_rss_kib: i64,
    /// Size of the dump.
    dump_bytes: u64,
}

/// The directory of our own executable's build profile (`target/release`),
/// where crashme (in `examples/`) and capture_target are built.
fn profile_dir() -> PathBuf {
    let exe = std::env::current_exe().expect("own path");
    exe.parent().and_then(Path::parent).expect("target/PROFILE/examples/capture_crash").to_path_buf()
}

fn scratch_dir() -> PathBuf {
    mdump_benches::scratch_dir().join(format!("mdump-capture-crash-{}", std::process::id()))
}

/// Waits for `pid` (blocking, or not with `WNOHANG`): its wait status and
/// peak RSS in KiB, or `None` if it has not ended (or is not ours).
fn reap(pid: i32, flags: i32) -> Option<(i32, i32, i64)> {
    let mut status = 0;
    // SAFETY: rusage is plain data the call fills in.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: valid pointers to our locals.
    let got = unsafe { libc::wait4(pid, &mut status, flags, &mut usage) };
    (got > 0).then_some((got, status, usage.ru_maxrss))
}

/// Reaps the helper process handed to us when crashme died: any child that
/// ends within a few seconds (the capture_target of the peer is alive and
/// is not reaped). Its peak RSS in KiB.
fn reap_helper() -> Option<i64> {
    let deadline = Instant::now() + Duration::from_secs(10);
    while Instant::now() < deadline {
        if let Some((_, _, rss)) = reap(-1, libc::WNOHANG) {
            return Some(rss);
        }
        std::thread::sleep(Duration::from_millis(1));
    }
    None
}

/// Threads listed by the dump at `path`.
fn threads_in(path: &Path) -> Result<usize, String> {
    let file = MinidumpFile::open(path).map_err(|e| e.to_string())?;
    let dump = file.minidump().map_err(|e| e.to_string())?;
    let threads = dump.stream::<ThreadList>().map_err(|e| e.to_string())?.ok_or("no thread list")?;
    Ok(threads.iter().count())
}

/// One crash of `crashme timed-THREADS`.
fn crash_once(crashme: &Path, threads: usize, dir: &Path) -> Result<CrashRun, String> {
    let _ = std::fs::remove_dir_all(dir);
    std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let mut child = Command::new(crashme)
        .arg(format!("timed-{threads}"))
        .arg(dir)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| format!("cannot start {}: {e}", crashme.display()))?;
    let crashme_pid = i32::try_from(child.id()).map_err(|e| e.to_string())?;
    let mut out = String::new();
    // The helper lets go of inherited descriptors, so this ends when
    // crashme dies.
    child.stdout.take().ok_or("no stdout")?.read_to_string(&mut out).map_err(|e| e.to_string())?;
    let (_, status, crashed_rss_kib) = reap(crashme_pid, 0).ok_or("crashme was not reaped")?;
    if !(libc::WIFSIGNALED(status) && libc::WTERMSIG(status) == libc::SIGSEGV) {
        return Err(format!("crashme did not die of SIGSEGV (wait status {status:#x}); it said: {out}"));
    }
    let helper_rss_kib = reap_helper().ok_or("the helper process was not handed to us")?;
    let ns: u64 = out
        .lines()
        .find_map(|l| l.strip_prefix("crashme: fault to dump ns "))
        .and_then(|n| n.trim().parse().ok())
        .ok_or_else(|| format!("no timing from crashme: {out}"))?;
    let dump = out
        .lines()
        .find_map(|l| l.strip_prefix("crashme: dump "))
        .map(PathBuf::from)
        .ok_or_else(|| format!("no dump from crashme: {out}"))?;
    let listed = threads_in(&dump)?;
    if listed != threads + 1 {
        return Err(format!("the dump lists {listed} threads, not {}", threads + 1));
    }
    let dump_bytes = std::fs::metadata(&dump).map_err(|e| e.to_string())?.len();
    Ok(CrashRun { fault_to_dump: Duration::from_nanos(ns), helper_rss_kib, crashed_rss_kib, dump_bytes })
}

/// A `capture_target THREADS` process for minidump-writer to dump; ended
/// when dropped.
struct Target(std::process::Child, i32);

impl Target {
    fn spawn(program: &Path, threads: usize) -> Result<Target, String> {
        let mut child = Command::new(program)
            .arg(threads.to_string())
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .map_err(|e| format!("cannot start {}: {e}", program.display()))?;
        let mut line = String::new();
        BufReader::new(child.stdout.take().ok_or("no stdout")?).read_line(&mut line).map_err(|e| e.to_string())?;
        match line.strip_prefix("ready ").and_then(|p| p.trim().parse().ok()) {
            Some(pid) => Ok(Target(child, pid)),
            None => Err(format!("capture_target said {line:?}")),
        }
    }
}

impl Drop for Target {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// minidump-writer dumping `pid` once, from the request to the closed file.
fn peer_once(pid: i32, path: &Path) -> Result<Duration, String> {
    let start = Instant::now();
    let mut file = std::fs::File::create(path).map_err(|e| e.to_string())?;
    minidump_writer::minidump_writer::MinidumpWriterConfig::new(pid, pid)
        .write(&mut file)
        .map_err(|e| format!("{e:?}"))?;
    drop(file);
    let took = start.elapsed();
    let _ = std::fs::remove_file(path);
    Ok(took)
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

fn main() {
    let mut args = std::env::args().skip(1);
    let runs: usize = args.next().map_or(7, |a| a.parse().expect("usage: capture_crash [RUNS] [THREADS...]"));
    let mut sizes: Vec<usize> = args.map(|a| a.parse().expect("THREADS is a number")).collect();
    if sizes.is_empty() {
        sizes = vec![1, 100, 1000];
    }
    let profile = profile_dir();
    let crashme = profile.join("examples/crashme");
    let target = profile.join("capture_target");
    for (program, how) in [
        (&crashme, "cargo build --release -p mdump-capture --example crashme"),
        (&target, "cargo build --release -p mdump-benches --bin capture_target"),
    ] {
        if !program.is_file() {
            eprintln!("capture_crash: no {} (build it: {how})", program.display());
            std::process::exit(1);
        }
    }
    // SAFETY: an integer prctl on ourselves.
    if unsafe { libc::prctl(libc::PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) } != 0 {
        eprintln!("capture_crash: PR_SET_CHILD_SUBREAPER failed; the helper's memory will be missing");
    }
    let scratch = scratch_dir();

    println!(
        "| threads | mdump fault to dump (median, min) | minidump-writer request to dump (median, min) | ratio (medians) \
         | helper peak RSS | crashed process peak RSS | dump size |"
    );
    println!("| ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
    for &threads in &sizes {
        let peer_target = match Target::spawn(&target, threads) {
            Ok(t) => t,
            Err(e) => {
                eprintln!("capture_crash: {e}");
                continue;
            }
        };
        let peer_file = scratch.join("peer.dmp");
        let (mut ours, mut theirs, mut helper, mut crashed, mut sizes_seen) =
            (Vec::new(), Vec::new(), Vec::new(), Vec::new(), Vec::new());
        for run in 0..runs {
            match crash_once(&crashme, threads, &scratch.join(format!("crash-{run}"))) {
                Ok(r) => {
                    ours.push(r.fault_to_dump);
                    helper.push(r.helper_rss_kib);
                    crashed.push(r.crashed_rss_kib);
                    sizes_seen.push(r.dump_bytes);
                }
                Err(e) => eprintln!("capture_crash: {threads} threads, run {run}: {e}"),
            }
            match peer_once(peer_target.1, &peer_file) {
                Ok(d) => theirs.push(d),
                Err(e) => eprintln!("capture_crash: minidump-writer, {threads} threads: {e}"),
            }
        }
        drop(peer_target);
        if ours.is_empty() || theirs.is_empty() {
            println!("| {threads} | (failed) | | | | | |");
            continue;
        }
        let (our_min, their_min) =
            (*ours.iter().min().unwrap_or(&Duration::ZERO), *theirs.iter().min().unwrap_or(&Duration::ZERO));
        let (our_med, their_med) = (median(&mut ours), median(&mut theirs));
        println!(
            "| {threads} | {:.2} ms, {:.2} ms | {:.2} ms, {:.2} ms | {:.2}× | {} KiB | {} KiB | {} KiB |",
            ms(our_med),
            ms(our_min),
            ms(their_med),
            ms(their_min),
            their_med.as_secs_f64() / our_med.as_secs_f64(),
            median(&mut helper),
            median(&mut crashed),
            median(&mut sizes_seen) / 1024,
        );
    }
    let _ = std::fs::remove_dir_all(&scratch);
    println!(
        "\n{runs} runs per size; RSS figures are medians. Ratio above 1: mdump's in-process crash path is faster."
    );
}
