//! mdump's side of the `stackwalk` benchmark in a loop, for a profiler:
//! dump bytes to JSON report with a fresh `SymbolFiles` each time, as the
//! benchmark measures it. Prints the mean time per run.
//!
//! `cargo run --release -p mdump-benches --example stackwalk_profile -- DUMP SYMBOL_DIR [RUNS]`
//!
//! `perf record -g target/release/examples/stackwalk_profile DUMP DIR 2000`

use std::process::ExitCode;
use std::time::Instant;

use mdump_processor::{BreakpadWalker, ProcessState, SymbolFiles};

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (dump, symbols, runs) = match args.as_slice() {
        [dump, symbols] => (dump, symbols, 200),
        [dump, symbols, runs] => (dump, symbols, runs.parse().unwrap_or(200)),
        _ => {
            eprintln!("usage: stackwalk_profile DUMP SYMBOL_DIR [RUNS]");
            return ExitCode::from(2);
        }
    };
    let bytes = match std::fs::read(dump) {
        Ok(bytes) => bytes,
        Err(e) => {
            eprintln!("stackwalk_profile: {dump}: {e}");
            return ExitCode::FAILURE;
        }
    };
    let start = Instant::now();
    let mut report = Vec::new();
    for _ in 0..runs {
        let dump = mdump_reader::Minidump::parse(&bytes).expect("mdump reads the dump");
        let walker = BreakpadWalker::new(SymbolFiles::from_dirs([symbols]).expect("a local symbol store"));
        let state = ProcessState::from_dump(&dump, &walker).expect("mdump processes the dump");
        report.clear();
        mdump_processor::print_json(&state, &mut report, false).expect("render to memory");
    }
    let per_run = start.elapsed().as_secs_f64() / f64::from(runs.max(1));
    println!("{:.1} µs per run ({} report bytes)", per_run * 1e6, report.len());
    ExitCode::SUCCESS
}
