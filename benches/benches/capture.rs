//! Dumping a live process: mdump-capture beside rust-minidump's
//! `minidump-writer`, from the request to the finished file.
//!
//! Group `capture/<threads>` for target processes of 1, 100 and 1,000
//! threads besides the main one, functions `mdump` and `minidump-writer`:
//!
//! * the target is `capture_target THREADS` (`benches/src/bin`), spawned
//!   once per size and shared by both sides: every thread calls down 16
//!   frames and parks in a futex wait, so the dumps see the same threads,
//!   stacks and modules;
//! * `mdump`: [`mdump_capture::write_dump_of_process`] with the library's
//!   default options (environment kept, as minidump-writer keeps it);
//! * `minidump-writer`: `MinidumpWriterConfig::new(pid, pid).write(&mut file)`,
//!   its documented way to dump another process, with its defaults;
//! * each iteration creates (truncating) a file in `/dev/shm` (tmpfs, so no
//!   disk is timed; the temp dir where there is none), dumps into it and
//!   closes it. Both sides attach to every thread with ptrace, read the
//!   target's /proc files and memory, and let the threads go again.
//!
//! Before measuring, one dump of each side is read back with mdump-reader
//! and must list every thread of the target: a broken dumper fails there
//! rather than being timed.
//!
//! Criterion measures one function after the other, so whatever else runs on
//! the machine meanwhile moves the ratio; after each group the bench also
//! runs both sides in 7 alternating pairs and prints the medians and the
//! ratio minidump-writer / mdump (above 1 means mdump is faster): the number
//! to quote.
//!
//! Group `crash_path/<threads>`, for the same sizes:
//!
//! * `mdump`: the in-process crash path, from the fault to the finished
//!   dump: `capture_target THREADS --crash DIR` installs mdump-capture's
//!   handler, parks its threads, reads the clock and stores to address 0;
//!   its after-dump callback prints the nanoseconds since, and that is the
//!   time counted (the process start and thread creation are not). The
//!   process must die of SIGSEGV; the first dump is checked to list every
//!   thread. The bench makes itself a child subreaper and reaps the
//!   handler's helper process after each crash.
//! * `minidump-writer`: the same as in `capture/<threads>`, a dump of the
//!   live `capture_target THREADS` of the same shape from the request to the
//!   finished file. It cannot dump its own process, so that is its whole
//!   work for a crash minus the signal and the hand-over to the dumping
//!   process: a lower bound for any crash path built on it.
//!
//! The dumping side's peak memory is measured by
//! `benches/capture_peak_rss.sh` and `benches/examples/capture_crash.rs`,
//! not here.
//!
//! Run with `cargo bench -p mdump-benches --bench capture`.

use criterion::{Criterion, SamplingMode};
use mdump_benches::{median, scratch_dir};
use mdump_reader::{MinidumpFile, ThreadList};
use std::fs::File;
use std::io::{BufRead, BufReader, Read};
use std::os::unix::process::ExitStatusExt;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// Threads the target starts besides its main thread.
const SIZES: [usize; 3] = [1, 100, 1000];
/// Alternating runs of both sides after each group.
const PAIRS: usize = 7;

/// A running `capture_target`, killed and reaped when dropped.
struct Target {
    child: Child,
    pid: i32,
}

impl Target {
    /// Starts the target with `threads` parked threads and waits until it
    /// says they are all parked.
    fn spawn(threads: usize) -> Result<Target, String> {
        let mut child = Command::new(env!("CARGO_BIN_EXE_capture_target"))
            .arg(threads.to_string())
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .map_err(|e| format!("cannot start capture_target: {e}"))?;
        let mut line = String::new();
        let stdout = child.stdout.take().ok_or("no stdout")?;
        BufReader::new(stdout).read_line(&mut line).map_err(|e| e.to_string())?;
        let pid = line.strip_prefix("ready ").and_then(|p| p.trim().parse().ok());
        match pid {
            Some(pid) => Ok(Target { child, pid }),
            None => {
                let _ = child.kill();
                let _ = child.wait();
                Err(format!("capture_target said {line:?} instead of `ready PID`"))
            }
        }
    }
}

impl Drop for Target {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// mdump's side: one dump of `pid` into `path`.
fn mdump_once(pid: i32, path: &Path) -> Result<(), String> {
    let mut file = File::create(path).map_err(|e| e.to_string())?;
    let options = mdump_capture::Options::default();
    mdump_capture::write_dump_of_process(pid, &options, &mut file).map_err(|e| e.to_string())?;
    Ok(())
}

/// minidump-writer's side: one dump of `pid` into `path`, the main thread
/// blamed (there is no crash).
fn peer_once(pid: i32, path: &Path) -> Result<(), String> {
    let mut file = File::create(path).map_err(|e| e.to_string())?;
    minidump_writer::minidump_writer::MinidumpWriterConfig::new(pid, pid)
        .write(&mut file)
        .map_err(|e| format!("{e:?}"))?;
    Ok(())
}

/// Times `iters` runs of `once`; the file is removed after each run,
/// outside the timing.
fn timed(path: &Path, iters: u64, once: &mut dyn FnMut() -> Result<(), String>) -> Duration {
    let mut total = Duration::ZERO;
    for _ in 0..iters {
        let start = Instant::now();
        if let Err(e) = once() {
            panic!("dump failed while being measured: {e}");
        }
        total += start.elapsed();
        let _ = std::fs::remove_file(path);
    }
    total
}

/// The number of threads listed by the dump at `path`.
fn threads_in(path: &Path) -> Result<usize, String> {
    let file = MinidumpFile::open(path).map_err(|e| e.to_string())?;
    let dump = file.minidump().map_err(|e| e.to_string())?;
    let threads = dump.stream::<ThreadList>().map_err(|e| e.to_string())?.ok_or("no thread list")?;
    Ok(threads.iter().count())
}

/// Reaps the crash handler's helper process, handed to us (a child
/// subreaper) when the crashed process died: it exits as soon as its socket
/// closes. Gives up after a few seconds.
fn reap_helper() {
    let deadline = Instant::now() + Duration::from_secs(5);
    while Instant::now() < deadline {
        let mut status = 0;
        // SAFETY: a valid pointer to our local.
        if unsafe { libc::waitpid(-1, &mut status, libc::WNOHANG) } > 0 {
            return;
        }
        std::thread::sleep(Duration::from_micros(200));
    }
}

/// mdump's crash path once: the time `capture_target THREADS --crash DIR`
/// reports from just before its fault to the finished dump. With `check`,
/// the dump must list every thread (read outside the reported time).
fn crash_once(threads: usize, dir: &Path, check: bool, reap: bool) -> Result<Duration, String> {
    let _ = std::fs::remove_dir_all(dir);
    std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let mut child = Command::new(env!("CARGO_BIN_EXE_capture_target"))
        .arg(threads.to_string())
        .arg("--crash")
        .arg(dir)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| format!("cannot start capture_target: {e}"))?;
    let mut said = String::new();
    child.stdout.take().ok_or("no stdout")?.read_to_string(&mut said).map_err(|e| e.to_string())?;
    let status = child.wait().map_err(|e| e.to_string())?;
    if reap {
        reap_helper();
    }
    if status.signal() != Some(libc::SIGSEGV) {
        return Err(format!("capture_target --crash ended with {status}, not SIGSEGV; it said: {said}"));
    }
    let ns: u64 = said
        .lines()
        .find_map(|l| l.strip_prefix("fault to dump ns "))
        .and_then(|n| n.parse().ok())
        .ok_or_else(|| format!("no timing from capture_target --crash: {said}"))?;
    let dump = said.lines().find_map(|l| l.strip_prefix("dump ")).ok_or_else(|| format!("no dump: {said}"))?;
    if check {
        let listed = threads_in(Path::new(dump))?;
        if listed != threads + 1 {
            return Err(format!("the crash dump lists {listed} threads, not {}", threads + 1));
        }
    }
    let _ = std::fs::remove_dir_all(dir);
    Ok(Duration::from_nanos(ns))
}

/// The `crash_path/<threads>` group; `pid` is a live target of the same
/// shape for minidump-writer.
fn crash_path_bench(c: &mut Criterion, threads: usize, pid: i32, theirs: &Path, reap: bool) {
    let dir = scratch_dir().join(format!("mdump-bench-crash-{}", std::process::id()));
    if let Err(e) = crash_once(threads, &dir, true, reap) {
        eprintln!("skipping crash_path/{threads}: {e}");
        return;
    }
    let crash = |check| match crash_once(threads, &dir, check, reap) {
        Ok(d) => d,
        Err(e) => panic!("crash run failed while being measured: {e}"),
    };
    let mut group = c.benchmark_group(format!("crash_path/{threads}"));
    group.sampling_mode(SamplingMode::Flat);
    // Each crash costs a process start and its threads besides the time
    // counted: short times keep the group to seconds.
    group.warm_up_time(Duration::from_millis(200));
    group.measurement_time(Duration::from_millis(500));
    group.bench_function("mdump", |b| b.iter_custom(|iters| (0..iters).map(|_| crash(false)).sum()));
    group.bench_function("minidump-writer", |b| {
        b.iter_custom(|iters| timed(theirs, iters, &mut || peer_once(pid, theirs)))
    });
    group.finish();

    let (mut a, mut b) = (Vec::new(), Vec::new());
    for _ in 0..PAIRS {
        a.push(crash(false));
        b.push(timed(theirs, 1, &mut || peer_once(pid, theirs)));
    }
    let (a, b) = (median(&mut a), median(&mut b));
    eprintln!(
        "crash_path/{threads}, medians of {PAIRS} alternating runs: mdump fault to dump {:.2} ms, minidump-writer \
         request to dump {:.2} ms; ratio minidump-writer / mdump {:.2}x",
        a.as_secs_f64() * 1e3,
        b.as_secs_f64() * 1e3,
        b.as_secs_f64() / a.as_secs_f64()
    );
}

fn capture_benches(c: &mut Criterion) {
    // The crash handler's helper process outlives the crashed one briefly:
    // as a subreaper we reap it, instead of leaving it to init.
    // SAFETY: an integer prctl on ourselves.
    let reap = unsafe { libc::prctl(libc::PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) } == 0;
    let dir = scratch_dir();
    let ours = dir.join(format!("mdump-bench-capture-{}.dmp", std::process::id()));
    let theirs = dir.join(format!("mdump-bench-capture-peer-{}.dmp", std::process::id()));
    for threads in SIZES {
        let target = match Target::spawn(threads) {
            Ok(target) => target,
            Err(e) => {
                eprintln!("skipping capture/{threads}: {e}");
                continue;
            }
        };
        let pid = target.pid;
        // One checked dump per side first.
        let mut ready = true;
        for (side, path, once) in [
            ("mdump", &ours, mdump_once as fn(i32, &Path) -> Result<(), String>),
            ("minidump-writer", &theirs, peer_once),
        ] {
            let listed = once(pid, path).and_then(|()| threads_in(path));
            let _ = std::fs::remove_file(path);
            match listed {
                Ok(n) if n == threads + 1 => {}
                Ok(n) => {
                    eprintln!("skipping capture/{threads}: {side}'s dump lists {n} threads, not {}", threads + 1);
                    ready = false;
                }
                Err(e) => {
                    eprintln!("skipping capture/{threads}: {side}'s dump is not right: {e}");
                    ready = false;
                }
            }
        }
        if !ready {
            continue;
        }

        let mut group = c.benchmark_group(format!("capture/{threads}"));
        group.sampling_mode(SamplingMode::Flat);
        group.bench_function("mdump", |b| b.iter_custom(|iters| timed(&ours, iters, &mut || mdump_once(pid, &ours))));
        group.bench_function("minidump-writer", |b| {
            b.iter_custom(|iters| timed(&theirs, iters, &mut || peer_once(pid, &theirs)))
        });
        group.finish();

        let (mut a, mut b) = (Vec::new(), Vec::new());
        for _ in 0..PAIRS {
            a.push(timed(&ours, 1, &mut || mdump_once(pid, &ours)));
            b.push(timed(&theirs, 1, &mut || peer_once(pid, &theirs)));
        }
        let (a, b) = (median(&mut a), median(&mut b));
        eprintln!(
            "capture/{threads}, medians of {PAIRS} alternating runs: mdump {:.2} ms, minidump-writer {:.2} ms; \
             ratio minidump-writer / mdump {:.2}x",
            a.as_secs_f64() * 1e3,
            b.as_secs_f64() * 1e3,
            b.as_secs_f64() / a.as_secs_f64()
        );
        crash_path_bench(c, threads, pid, &theirs, reap);
    }
}

fn main() {
    let mut c = Criterion::default()
        .sample_size(10)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(5))
        .configure_from_args();
    capture_benches(&mut c);
    c.final_summary();
}
