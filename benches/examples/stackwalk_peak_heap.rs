//! Peak heap of processing a dump into its JSON report, library to library:
//! mdump (`Minidump::parse`, `SymbolFiles`, `ProcessState::from_dump`,
//! `mdump_processor::print_json`) beside rust-minidump 0.27
//! (`Minidump::read`, breakpad-symbols' `Symbolizer`, `process_minidump`,
//! `ProcessState::print_json`), on the inputs of the `stackwalk` benchmark.
//!
//! A counting global allocator records the largest number of heap bytes
//! live at once above what was live before each side started. The dump's
//! bytes are read before counting starts; the report goes to
//! `std::io::sink()`, as a command line tool streams it to stdout. Symbol
//! files are read and indexed (mdump) or parsed (rust-minidump) inside the
//! counted work, fresh for each side.
//!
//! The last column is mdump's peak without rendering the report (the state
//! alone), to show what the JSON rendering adds.
//!
//! This is the part of `benches/stackwalk_peak_rss.sh`'s numbers that the
//! processors control: resident memory adds the executable, the C library
//! and, for rust-minidump's command, tokio's threads.
//!
//! `cargo run --release -p mdump-benches --example stackwalk_peak_heap`

use std::alloc::{GlobalAlloc, Layout, System};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering::Relaxed};

use mdump_benches::stackwalk_inputs;
use mdump_processor::{BreakpadWalker, ProcessState, SymbolFiles};
use mdump_testkit::corpus::locate;

/// Counts live heap bytes and their peak.
struct Counting;

static LIVE: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

fn grew(bytes: usize) {
    let now = LIVE.fetch_add(bytes, Relaxed) + bytes;
    PEAK.fetch_max(now, Relaxed);
}

#[allow(unsafe_code)]
// Safety: every call goes to the system allocator unchanged; the counters
// are only arithmetic.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let block = unsafe { System.alloc(layout) };
        if !block.is_null() {
            grew(layout.size());
        }
        block
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        let block = unsafe { System.alloc_zeroed(layout) };
        if !block.is_null() {
            grew(layout.size());
        }
        block
    }

    unsafe fn dealloc(&self, block: *mut u8, layout: Layout) {
        unsafe { System.dealloc(block, layout) };
        LIVE.fetch_sub(layout.size(), Relaxed);
    }

    unsafe fn realloc(&self, block: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let moved = unsafe { System.realloc(block, layout, new_size) };
        if !moved.is_null() {
            // Count the new block before the old one goes: while a moving
            // realloc copies, both exist.
            grew(new_size);
            LIVE.fetch_sub(layout.size(), Relaxed);
        }
        moved
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

/// Runs `work` and returns the peak heap above the live bytes at the start.
fn peak_of(work: impl FnOnce()) -> usize {
    let base = LIVE.load(Relaxed);
    PEAK.store(base, Relaxed);
    work();
    PEAK.load(Relaxed) - base
}

fn mdump(dump: &[u8], symbols: &Path, report: bool) {
    let dump = mdump_reader::Minidump::parse(dump).expect("mdump reads the dump");
    let walker = BreakpadWalker::new(SymbolFiles::from_dirs([symbols]).expect("a local symbol store"));
    let state = ProcessState::from_dump(&dump, &walker).expect("mdump processes the dump");
    if report {
        mdump_processor::print_json(&state, &mut std::io::sink(), false).expect("render");
    }
}

fn peer(dump: &[u8], symbols: &Path) {
    let dump = minidump::Minidump::read(dump).expect("rust-minidump reads the dump");
    let supplier = breakpad_symbols::SimpleSymbolSupplier::new(vec![symbols.to_path_buf()]);
    let provider = breakpad_symbols::Symbolizer::new(supplier);
    let state = mdump_benches::block_on(minidump_processor::process_minidump(&dump, &provider))
        .expect("rust-minidump processes");
    state.print_json(&mut std::io::sink(), false).expect("render");
}

fn target_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../target"))
}

fn main() {
    // (name, dump bytes, symbol directory)
    let mut inputs: Vec<(String, Vec<u8>, PathBuf)> = Vec::new();
    match locate("symbols") {
        Ok(corpus) => {
            for name in ["linux_overflow", "linux_null_read_av", "minidump2", "null_read_av", "tiny-exe-fastfail"] {
                let path = corpus.join("dumps").join(format!("{name}.dmp"));
                let dump = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
                inputs.push((name.to_string(), dump, corpus.join("symbols")));
            }
        }
        Err(why) => eprintln!("no corpus ({why}; set MDUMP_CORPUS): synthetic inputs only"),
    }
    for (name, shape) in [
        ("synthetic_200_threads", stackwalk_inputs::MANY_THREADS),
        ("synthetic_big_symbols", stackwalk_inputs::BIG_SYMBOLS),
    ] {
        let generated = stackwalk_inputs::generate(&shape);
        let symbols = target_dir().join("stackwalk-inputs").join(name).join("symbols");
        generated.write_symbols(&symbols).expect("write the symbol files");
        inputs.push((name.to_string(), generated.dump, symbols));
    }

    println!(
        "| input | mdump peak heap | rust-minidump peak heap | rust-minidump / mdump | mdump without the report |"
    );
    println!("| --- | ---: | ---: | ---: | ---: |");
    for (name, dump, symbols) in &inputs {
        let ours = peak_of(|| mdump(dump, symbols, true));
        let theirs = peak_of(|| peer(dump, symbols));
        let state_only = peak_of(|| mdump(dump, symbols, false));
        println!(
            "| {name} | {:.2} MB | {:.2} MB | {:.2}× | {:.2} MB |",
            ours as f64 / 1e6,
            theirs as f64 / 1e6,
            theirs as f64 / ours as f64,
            state_only as f64 / 1e6
        );
    }
}
