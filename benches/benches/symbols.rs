//! Parsing Breakpad symbol files: mdump-symbols and rust-minidump's
//! `breakpad-symbols` side by side, on the same bytes, with
//! `Throughput::Bytes` so criterion prints MB/s.
//!
//! * `sym_parse/<file>`: each `.sym` of the shared corpus
//!   (`$MDUMP_CORPUS/symbols`, else `<workspace>/../shared/corpus/symbols`),
//!   named by its module (and debug id when a module has several). Without
//!   the corpus the group is skipped with a message.
//! * `sym_parse/generated_64MB`: [`mdump_benches::sym_gen::large_sym`], 64
//!   MiB of FUNC/line/INLINE/PUBLIC/STACK CFI records, generated in memory
//!   once.
//!
//! `mdump` is `mdump_symbols::Symbols::parse`: every record parsed into the
//! model and every lookup index built (functions, lines, publics, inlines,
//! CFI, STACK WIN). `breakpad-symbols` is `SymbolFile::from_bytes`, which
//! also parses every record into its range maps (it rejects some files, such
//! as the corpus's `linux_inline` ones, and is then fast for doing less: the
//! summary says so). After the groups, the ratio of the two medians is
//! printed for each input.
//!
//! `cargo bench -p mdump-benches --bench symbols`

use mdump_benches::median_ns;
use std::hint::black_box;
use std::path::{Path, PathBuf};
use std::time::Duration;

use criterion::{Criterion, Throughput};
use mdump_testkit::corpus::locate;

fn mdump(bytes: &[u8]) -> usize {
    let symbols = mdump_symbols::Symbols::parse(bytes);
    symbols.file().functions.len() + symbols.stats().bad_lines as usize
}

fn peer(bytes: &[u8]) -> bool {
    breakpad_symbols::SymbolFile::from_bytes(bytes).is_ok()
}

fn sym_files(dir: &Path, out: &mut Vec<PathBuf>) -> std::io::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        if path.is_dir() {
            sym_files(&path, out)?;
        } else if path.extension().is_some_and(|e| e == "sym") {
            out.push(path);
        }
    }
    Ok(())
}

/// `(name, bytes)` of every corpus .sym, sorted by name.
fn corpus_inputs() -> Result<Vec<(String, Vec<u8>)>, String> {
    let dir = locate("symbols")?.join("symbols");
    let mut paths = Vec::new();
    sym_files(&dir, &mut paths).map_err(|e| e.to_string())?;
    let mut inputs = Vec::new();
    for path in paths {
        let stem = path.file_stem().and_then(|s| s.to_str()).unwrap_or("?").to_string();
        let id = path.parent().and_then(|p| p.file_name()).and_then(|s| s.to_str()).unwrap_or("?");
        let duplicates = {
            let parent = path.parent().and_then(|p| p.parent());
            parent.and_then(|p| std::fs::read_dir(p).ok()).map_or(1, |d| d.count())
        };
        let name = if duplicates > 1 { format!("{stem}_{}", &id[..id.len().min(8)]) } else { stem };
        inputs.push((name, std::fs::read(&path).map_err(|e| e.to_string())?));
    }
    inputs.sort();
    Ok(inputs)
}

fn main() {
    let mut c = Criterion::default().configure_from_args();
    let mut inputs = match corpus_inputs() {
        Ok(inputs) => inputs,
        Err(why) => {
            eprintln!("skipping sym_parse/<corpus file>: no corpus ({why}); set MDUMP_CORPUS");
            Vec::new()
        }
    };
    inputs.push(("generated_64MB".to_string(), mdump_benches::sym_gen::large_sym(64 << 20)));

    let mut group = c.benchmark_group("sym_parse");
    for (name, bytes) in &inputs {
        group.throughput(Throughput::Bytes(bytes.len() as u64));
        if bytes.len() > 8 << 20 {
            group.sample_size(10).measurement_time(Duration::from_secs(20));
        } else {
            group.sample_size(30).measurement_time(Duration::from_secs(3));
        }
        group.bench_with_input(criterion::BenchmarkId::new("mdump", name), bytes, |b, bytes| {
            b.iter(|| mdump(black_box(bytes)))
        });
        group.bench_with_input(criterion::BenchmarkId::new("breakpad-symbols", name), bytes, |b, bytes| {
            b.iter(|| peer(black_box(bytes)))
        });
    }
    group.finish();
    c.final_summary();

    println!("\nsym_parse medians (MB/s) and speed-up of mdump over breakpad-symbols:");
    for (name, bytes) in &inputs {
        let (Some(ours), Some(theirs)) =
            (median_ns("sym_parse", name, "mdump"), median_ns("sym_parse", name, "breakpad-symbols"))
        else {
            continue;
        };
        let mbps = |ns: f64| bytes.len() as f64 / ns * 1e3;
        let note = if peer(bytes) { "" } else { "  (breakpad-symbols rejects this file)" };
        println!(
            "  {name:<32} {:>9} bytes  mdump {:>7.0} MB/s  breakpad-symbols {:>6.0} MB/s  x{:.1}{note}",
            bytes.len(),
            mbps(ours),
            mbps(theirs),
            theirs / ours
        );
    }
}
