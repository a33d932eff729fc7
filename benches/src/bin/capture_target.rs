//! The process the `capture` benchmark dumps: `capture_target THREADS [DEPTH]`.
//!
//! Starts THREADS threads (named `park-0`, `park-1`, …) besides the main
//! one; each calls down DEPTH frames (default 16), each frame with a 1 KiB
//! local array so the stack holds something worth copying, and then parks
//! (a futex wait) for good: the same shape as `crashme timed-N`, the crash
//! path's target, so dumps of both hold as much stack. When every thread is parked the program prints
//! `ready PID` on stdout, and it exits when its stdin closes, so the parent
//! that spawned it ends it by dropping the pipe (or by killing it).
//!
//! Threads get 256 KiB stacks instead of the default 2 MiB: 1,000 threads
//! then reserve 250 MiB of address space rather than 2 GiB, and the dumpers
//! copy the same used part of each stack either way.

use std::hint::black_box;
use std::io::{Read, Write};
use std::sync::mpsc;

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

fn main() {
    let mut args = std::env::args().skip(1);
    let usage = "usage: capture_target THREADS [DEPTH]";
    let threads: usize = args.next().and_then(|a| a.parse().ok()).expect(usage);
    let depth: u32 = args.next().map_or(16, |a| a.parse().expect(usage));

    let (parked, all_parked) = mpsc::channel();
    for i in 0..threads {
        let parked = parked.clone();
        std::thread::Builder::new()
            .name(format!("park-{i}"))
            .stack_size(256 << 10)
            .spawn(move || descend(depth, &parked))
            .expect("spawn a thread");
    }
    drop(parked);
    for _ in 0..threads {
        all_parked.recv().expect("every thread reports once");
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
