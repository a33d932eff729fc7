//! Peak heap of parsing a large symbol file, against the file's size: a
//! counting global allocator around `mdump_symbols::Symbols::parse` (the
//! parse and the lookup indexes), and the same for rust-minidump's
//! `breakpad_symbols::SymbolFile::from_bytes`. The input itself is not
//! counted (it can be memory-mapped); it is generated before counting starts.
//!
//! `cargo run --release -p mdump-benches --example sym_peak_heap [-- MB | PATH]`
//! (default: the 64 MB generated file of `benches/symbols.rs`).

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering::Relaxed};
use std::time::Instant;

struct Counting;

static CURRENT: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

#[allow(unsafe_code)]
// Safety: forwards to the system allocator unchanged; only counts.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let p = unsafe { System.alloc(layout) };
        if !p.is_null() {
            let now = CURRENT.fetch_add(layout.size(), Relaxed) + layout.size();
            PEAK.fetch_max(now, Relaxed);
        }
        p
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) };
        CURRENT.fetch_sub(layout.size(), Relaxed);
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let p = unsafe { System.realloc(ptr, layout, new_size) };
        if !p.is_null() {
            // A block that moved existed twice during the copy; one resized
            // in place did not.
            let both = if p == ptr { new_size.max(layout.size()) } else { layout.size() + new_size };
            let before = CURRENT.load(Relaxed);
            PEAK.fetch_max(before - layout.size() + both, Relaxed);
            CURRENT.fetch_add(new_size, Relaxed);
            CURRENT.fetch_sub(layout.size(), Relaxed);
        }
        p
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

/// Runs `f`, returning its result, the peak heap above the starting point,
/// the heap still held by the result, and the seconds taken.
fn measure<T>(f: impl FnOnce() -> T) -> (T, usize, usize, f64) {
    let base = CURRENT.load(Relaxed);
    PEAK.store(base, Relaxed);
    let start = Instant::now();
    let value = f();
    let seconds = start.elapsed().as_secs_f64();
    (value, PEAK.load(Relaxed) - base, CURRENT.load(Relaxed) - base, seconds)
}

fn main() {
    let arg = std::env::args().nth(1);
    let bytes = match arg.as_deref().map(|a| (a, a.parse::<usize>())) {
        Some((_, Ok(mb))) => mdump_benches::sym_gen::large_sym(mb << 20),
        Some((path, Err(_))) => std::fs::read(path).expect("read the symbol file"),
        None => mdump_benches::sym_gen::large_sym(64 << 20),
    };
    let size = bytes.len() as f64;
    println!("input: {:.1} MB", size / 1e6);

    let (symbols, peak, held, seconds) = measure(|| mdump_symbols::Symbols::parse(&bytes));
    println!(
        "mdump-symbols:    peak heap {:7.1} MB = {:.2}x the file, held after {:7.1} MB = {:.2}x ({} functions, {} bad lines; index {:.1} MB), {:.0} MB/s",
        peak as f64 / 1e6,
        peak as f64 / size,
        held as f64 / 1e6,
        held as f64 / size,
        symbols.file().functions.len(),
        symbols.stats().bad_lines,
        symbols.index_heap_size() as f64 / 1e6,
        size / seconds / 1e6,
    );
    drop(symbols);

    let (peer, peak, held, seconds) = measure(|| breakpad_symbols::SymbolFile::from_bytes(&bytes));
    let parsed = if peer.is_ok() { "parsed" } else { "failed" };
    println!(
        "breakpad-symbols: peak heap {:7.1} MB = {:.2}x the file, held after {:7.1} MB = {:.2}x ({parsed}), {:.0} MB/s",
        peak as f64 / 1e6,
        peak as f64 / size,
        held as f64 / 1e6,
        held as f64 / size,
        size / seconds / 1e6,
    );
}
