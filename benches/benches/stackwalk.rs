//! Processing a dump with symbols: mdump's processor and rust-minidump's
//! `minidump-processor` 0.27 side by side, on the same dump bytes and the
//! same symbol directory, from the dump's bytes to the rendered report.
//!
//! * mdump: `Minidump::parse`, a fresh `SymbolFiles::from_dirs([dir])`
//!   (so every symbol file is read and indexed, every line of it checked,
//!   inside the measured work),
//!   `ProcessState::from_dump` with `BreakpadWalker`, then the JSON report
//!   (`mdump_processor::print_json`, rust-minidump's schema).
//! * rust-minidump: `Minidump::read`, a fresh `Symbolizer` over
//!   `SimpleSymbolSupplier::new(vec![dir])`, `process_minidump` (default
//!   options, what `minidump-stackwalk --json` uses), then
//!   `ProcessState::print_json`. Its futures never wait on anything (no
//!   HTTP); a minimal executor drives them.
//!
//! Inputs:
//!
//! * corpus dumps with the corpus's symbols (`$MDUMP_CORPUS`, else
//!   `<workspace>/../shared/corpus`): `linux_overflow` (libc, ld and
//!   overflow symbols, 0.7 MB), `linux_null_read_av` (libc and its own),
//!   `minidump2` (test_app.pdb and kernel32.pdb, 1.4 MB), and two without
//!   matching symbols, `null_read_av` and `tiny-exe-fastfail`; skipped with a
//!   message without the corpus;
//! * `synthetic_200_threads`: [`stackwalk_inputs::MANY_THREADS`], 200
//!   threads of 20 to 60 frames through a module with CFI and a 1.3 MB
//!   symbol file;
//! * `synthetic_big_symbols`: [`stackwalk_inputs::BIG_SYMBOLS`], 8 threads
//!   and an 8 MB symbol file.
//!
//! The synthetic symbol files are written under
//! `target/stackwalk-inputs/<input>/symbols`. Before measuring, each input
//! is processed once by both and the frame counts are printed (they must
//! agree for the comparison to mean anything); after the group, the median
//! of each and their ratio, and the median ratio of 11 alternating pairs of
//! measurements (the number to quote: the machine's load drifts less within
//! a pair than between criterion's runs of the two sides).
//!
//! `cargo bench -p mdump-benches --bench stackwalk`

use mdump_benches::{median_ns, target_dir};
use std::hint::black_box;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use criterion::{BenchmarkId, Criterion};
use mdump_benches::stackwalk_inputs;
use mdump_processor::{BreakpadWalker, ProcessState, SymbolFiles};
use mdump_testkit::corpus::locate;

/// Alternating mdump / rust-minidump measurements per input after the group.
const PAIRS: usize = 11;

/// What one side made of a dump, to check that both did the same work.
#[derive(Debug, PartialEq)]
struct Summary {
    threads: usize,
    frames: usize,
    /// Frames with a function name.
    symbolized: usize,
    report_bytes: usize,
}

fn mdump(dump: &[u8], symbols: &Path) -> Summary {
    let dump = mdump_reader::Minidump::parse(dump).expect("mdump reads the dump");
    let walker = BreakpadWalker::new(SymbolFiles::from_dirs([symbols]).expect("a local symbol store"));
    let state = ProcessState::from_dump(&dump, &walker).expect("mdump processes the dump");
    let mut report = Vec::new();
    mdump_processor::print_json(&state, &mut report, false).expect("render to memory");
    let frames = state.threads.iter().flat_map(|t| &t.frames);
    Summary {
        threads: state.threads.len(),
        frames: frames.clone().count(),
        symbolized: frames.filter(|f| f.function_name.is_some()).count(),
        report_bytes: report.len(),
    }
}

fn peer(dump: &[u8], symbols: &Path) -> Summary {
    let dump = minidump::Minidump::read(dump).expect("rust-minidump reads the dump");
    let supplier = breakpad_symbols::SimpleSymbolSupplier::new(vec![symbols.to_path_buf()]);
    let provider = breakpad_symbols::Symbolizer::new(supplier);
    let state = mdump_benches::block_on(minidump_processor::process_minidump(&dump, &provider))
        .expect("rust-minidump processes");
    let mut report = Vec::new();
    state.print_json(&mut report, false).expect("render to memory");
    let frames = state.threads.iter().flat_map(|t| &t.frames);
    Summary {
        threads: state.threads.len(),
        frames: frames.clone().count(),
        symbolized: frames.filter(|f| f.function_name.is_some()).count(),
        report_bytes: report.len(),
    }
}

struct Input {
    name: String,
    dump: Vec<u8>,
    symbols: PathBuf,
    /// Bytes of the symbol files the dump's modules use (0: unknown).
    symbol_bytes: usize,
}

/// The corpus dumps, with the corpus's symbol directory.
fn corpus_inputs() -> Result<Vec<Input>, String> {
    let corpus = locate("symbols")?;
    let symbols = corpus.join("symbols");
    let mut inputs = Vec::new();
    for name in ["linux_overflow", "linux_null_read_av", "minidump2", "null_read_av", "tiny-exe-fastfail"] {
        let path = corpus.join("dumps").join(format!("{name}.dmp"));
        let dump = std::fs::read(&path).map_err(|e| format!("{}: {e}", path.display()))?;
        inputs.push(Input { name: name.to_string(), dump, symbols: symbols.clone(), symbol_bytes: 0 });
    }
    Ok(inputs)
}

/// A synthetic dump, its symbols written under the target directory.
fn synthetic(name: &str, shape: &stackwalk_inputs::Shape) -> Input {
    let generated = stackwalk_inputs::generate(shape);
    let symbols = target_dir().join("stackwalk-inputs").join(name).join("symbols");
    generated.write_symbols(&symbols).expect("write the symbol files");
    let symbol_bytes = generated.symbol_bytes();
    Input { name: name.to_string(), dump: generated.dump, symbols, symbol_bytes }
}

/// Seconds per call of `f`, over `iterations` calls.
fn timed(iterations: u32, f: impl Fn() -> Summary) -> f64 {
    let start = Instant::now();
    for _ in 0..iterations {
        black_box(f());
    }
    start.elapsed().as_secs_f64() / f64::from(iterations)
}

/// The median over [`PAIRS`] pairs of (rust-minidump's time / mdump's), the
/// two measured one right after the other: steadier than the ratio of the
/// two medians on a shared machine, whose load drifts between criterion's
/// runs of each side.
fn paired_ratio(input: &Input) -> f64 {
    let ours = || mdump(&input.dump, &input.symbols);
    let theirs = || peer(&input.dump, &input.symbols);
    // Enough calls for about 20 ms of mdump per measurement.
    let once = timed(1, ours);
    let iterations = ((0.02 / once).ceil() as u32).clamp(1, 10_000);
    let mut ratios: Vec<f64> = (0..PAIRS).map(|_| timed(iterations, theirs) / timed(iterations, ours)).collect();
    ratios.sort_by(f64::total_cmp);
    ratios[PAIRS / 2]
}

fn fmt_time(ns: f64) -> String {
    match ns {
        ns if ns >= 1e9 => format!("{:.2} s", ns / 1e9),
        ns if ns >= 1e6 => format!("{:.2} ms", ns / 1e6),
        ns => format!("{:.1} µs", ns / 1e3),
    }
}

fn main() {
    let mut c = Criterion::default().configure_from_args();
    let mut inputs = corpus_inputs().unwrap_or_else(|why| {
        eprintln!("skipping the corpus dumps: no corpus ({why}); set MDUMP_CORPUS");
        Vec::new()
    });
    inputs.push(synthetic("synthetic_200_threads", &stackwalk_inputs::MANY_THREADS));
    inputs.push(synthetic("synthetic_big_symbols", &stackwalk_inputs::BIG_SYMBOLS));

    // Under a profiler (`--profile-time`) only the measured work runs.
    let profiling = std::env::args().any(|a| a == "--profile-time");
    println!("What each side makes of the inputs (threads, frames, frames with a function name, report bytes):");
    for input in inputs.iter().filter(|_| !profiling) {
        let (ours, theirs) = (mdump(&input.dump, &input.symbols), peer(&input.dump, &input.symbols));
        // Thread counts may differ: rust-minidump also lists the thread
        // that wrote the dump (Breakpad's BreakpadInfo names it), without
        // walking it.
        let same = ours.frames == theirs.frames && ours.symbolized == theirs.symbolized;
        println!(
            "  {:<24} mdump {:>4} threads {:>5} frames {:>5} symbolized {:>7} B json | rust-minidump {:>4} threads \
             {:>5} frames {:>5} symbolized {:>7} B json{}",
            input.name,
            ours.threads,
            ours.frames,
            ours.symbolized,
            ours.report_bytes,
            theirs.threads,
            theirs.frames,
            theirs.symbolized,
            theirs.report_bytes,
            if same { "" } else { "  <- DIFFERENT WORK" }
        );
    }

    let mut group = c.benchmark_group("stackwalk");
    group.sample_size(10).warm_up_time(Duration::from_secs(1)).measurement_time(Duration::from_secs(4));
    for input in &inputs {
        group.bench_with_input(BenchmarkId::new("mdump", &input.name), input, |b, input| {
            b.iter(|| mdump(black_box(&input.dump), &input.symbols))
        });
        group.bench_with_input(BenchmarkId::new("rust-minidump", &input.name), input, |b, input| {
            b.iter(|| peer(black_box(&input.dump), &input.symbols))
        });
    }
    group.finish();
    c.final_summary();
    if profiling {
        return;
    }

    println!("\n| input | dump | symbols | mdump | rust-minidump | rust-minidump / mdump | in alternating pairs |");
    println!("| --- | ---: | ---: | ---: | ---: | ---: | ---: |");
    for input in &inputs {
        let (Some(ours), Some(theirs)) =
            (median_ns("stackwalk", &input.name, "mdump"), median_ns("stackwalk", &input.name, "rust-minidump"))
        else {
            continue;
        };
        let paired = paired_ratio(input);
        let symbols = match input.symbol_bytes {
            0 => "corpus".to_string(),
            n => format!("{:.1} MB", n as f64 / 1e6),
        };
        println!(
            "| {} | {:.1} KB | {symbols} | {} | {} | {:.2}× | {paired:.2}× |",
            input.name,
            input.dump.len() as f64 / 1e3,
            fmt_time(ours),
            fmt_time(theirs),
            theirs / ours
        );
    }
}
