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
//! The crash path (fault to finished dump, in-process) and the dumping
//! side's peak memory are measured by `benches/capture_crash.sh` and
//! `benches/capture_peak_rss.sh`, not here: each needs a fresh process per
//! run.
//!
//! Run with `cargo bench -p mdump-benches --bench capture`.

use criterion::{Criterion, SamplingMode};
use mdump_reader::{MinidumpFile, ThreadList};
use std::fs::File;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
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

fn median(times: &mut [Duration]) -> Duration {
    times.sort();
    times[times.len() / 2]
}

/// Where the dumps go: tmpfs if there is one.
fn scratch_dir() -> PathBuf {
    let shm = Path::new("/dev/shm");
    if shm.is_dir() {
        shm.to_path_buf()
    } else {
        std::env::temp_dir()
    }
}

fn capture_benches(c: &mut Criterion) {
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
