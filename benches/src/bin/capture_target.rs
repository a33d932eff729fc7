//! The process the `capture` benchmark dumps:
//! `capture_target THREADS [--crash DIR]`.
//!
//! Starts THREADS threads (named `park-0`, `park-1`, …) besides the main
//! one; each calls down 16 frames, each frame with a 1 KiB local array so
//! the stack holds something worth copying, and then parks (a futex wait)
//! for good: the same shape as `crashme timed-N`.
//!
//! Without `--crash`, when every thread is parked the program prints
//! `ready PID` on stdout and exits when its stdin closes, so the parent that
//! spawned it ends it by dropping the pipe (or by killing it): the target of
//! a dump from outside.
//!
//! With `--crash DIR` it first installs mdump-capture's crash handler
//! (dumps into DIR), and once every thread is parked it reads the monotonic
//! clock and stores to address 0. The after-dump callback prints
//! `fault to dump ns T` (nanoseconds from just before the fault to the
//! finished dump) and `dump PATH`, or `dump failed: WHY`; then the process
//! dies of the SIGSEGV: the crash path, measured in-process.
//!
//! Threads get 256 KiB stacks instead of the default 2 MiB: 1,000 threads
//! then reserve 250 MiB of address space rather than 2 GiB, and the dumpers
//! copy the same used part of each stack either way.

use mdump_capture::handler::{self, CrashInfo, HandlerOptions};
use std::hint::black_box;
use std::io::{Read, Write};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc;

/// Frames each thread descends before parking.
const DEPTH: u32 = 16;

/// CLOCK_MONOTONIC nanoseconds just before the fault.
static FAULT_AT: AtomicU64 = AtomicU64::new(0);

/// One frame of the descent: 1 KiB of locals kept alive across the call,
/// so each frame is a real frame on the stack.
#[inline(never)]
fn descend(depth: u32, parked: &mpsc::Sender<()>) -> u64 {
    let locals = black_box([u64::from(depth); 128]);
    if depth == 0 {
        parked.send(()).expect("the main thread waits for every thread");
        loop {
            std::thread::park();
        }
    }
    descend(depth - 1, parked) + locals[usize::try_from(depth).unwrap_or(0) % 128]
}

/// The monotonic clock in nanoseconds (clock_gettime is async-signal-safe).
fn monotonic_ns() -> u64 {
    let mut t = libc::timespec { tv_sec: 0, tv_nsec: 0 };
    // SAFETY: fills our local.
    unsafe { libc::clock_gettime(libc::CLOCK_MONOTONIC, &mut t) };
    u64::try_from(t.tv_sec).unwrap_or(0) * 1_000_000_000 + u64::try_from(t.tv_nsec).unwrap_or(0)
}

/// Writes `bytes` to stdout with write(2): async-signal-safe, unlike
/// `print!`, which takes a lock and may allocate.
fn say(bytes: &[u8]) {
    // SAFETY: a valid buffer of that length.
    unsafe { libc::write(1, bytes.as_ptr().cast(), bytes.len()) };
}

/// The after-dump callback, in signal context: formats into a stack buffer
/// and writes it out, nothing else.
fn after_dump(path_or_error: &[u8], succeeded: bool, _: &CrashInfo) {
    let ns = monotonic_ns().saturating_sub(FAULT_AT.load(Ordering::SeqCst));
    let mut line = [0u8; 64];
    let head = b"fault to dump ns ";
    line[..head.len()].copy_from_slice(head);
    let mut digits = [0u8; 20];
    let mut n = digits.len();
    let mut v = ns;
    loop {
        n -= 1;
        digits[n] = b'0' + (v % 10) as u8;
        v /= 10;
        if v == 0 {
            break;
        }
    }
    let end = head.len() + digits.len() - n;
    line[head.len()..end].copy_from_slice(&digits[n..]);
    line[end] = b'\n';
    say(&line[..=end]);
    say(if succeeded { b"dump " } else { b"dump failed: " });
    say(path_or_error);
    say(b"\n");
}

/// The crash: a store to address 0, in assembly so that the compiler has
/// no undefined behaviour to reason about.
#[inline(never)]
fn crash() {
    // SAFETY: none intended; this faults.
    #[cfg(target_arch = "x86_64")]
    unsafe {
        std::arch::asm!("mov dword ptr [{0}], 42", in(reg) 0usize)
    };
    // SAFETY: as above.
    #[cfg(target_arch = "aarch64")]
    unsafe {
        std::arch::asm!("str wzr, [{0}]", in(reg) 0usize)
    };
}

fn main() {
    let mut args = std::env::args().skip(1);
    let usage = "usage: capture_target THREADS [--crash DIR]";
    let threads: usize = args.next().and_then(|a| a.parse().ok()).expect(usage);
    let crash_dir = match args.next().as_deref() {
        None => None,
        Some("--crash") => Some(args.next().expect(usage)),
        Some(_) => panic!("{usage}"),
    };
    if let Some(dir) = &crash_dir {
        // Installed before the threads start, as the handler recommends.
        let mut options = HandlerOptions::new(dir);
        options.after_dump = Some(after_dump);
        handler::install(options).expect("install the crash handler");
    }

    let (parked, all_parked) = mpsc::channel();
    for i in 0..threads {
        let parked = parked.clone();
        std::thread::Builder::new()
            .name(format!("park-{i}"))
            .stack_size(256 << 10)
            .spawn(move || descend(DEPTH, &parked))
            .expect("spawn a thread");
    }
    drop(parked);
    for _ in 0..threads {
        all_parked.recv().expect("every thread reports once");
    }
    if crash_dir.is_some() {
        FAULT_AT.store(monotonic_ns(), Ordering::SeqCst);
        crash();
        unreachable!("the store to address 0 returned");
    }
    let mut out = std::io::stdout().lock();
    writeln!(out, "ready {}", std::process::id()).expect("stdout");
    out.flush().expect("stdout");
    drop(out);

    // Block until the parent closes our stdin; whatever arrives is ignored.
    let mut sink = [0u8; 64];
    let mut stdin = std::io::stdin().lock();
    while matches!(stdin.read(&mut sink), Ok(n) if n > 0) {}
}
