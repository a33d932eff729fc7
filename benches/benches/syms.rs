//! `syms`: writing a Breakpad symbol file from a binary with DWARF, mdump's
//! dumper beside Mozilla's `dump_syms --inlines` (the peer; its records
//! match ours, see symbols/tests/dump_elf.rs).
//!
//! mdump runs in process (`dump_path`, then the text written to a sink);
//! `dump_syms` is a program, so each of its iterations starts it with its
//! output to /dev/null (its start-up, a millisecond, is in its time). Both
//! use every core.
//!
//! Inputs: `SYMS_BENCH_INPUTS` (paths separated by `:`), else Debian's
//! unstripped libstdc++ from libstdc++6-12-dbg and libc's separate debug
//! file from libc6-dbg when installed, and this benchmark's own executable.
//! The peer is `DUMP_SYMS` or `~/.cargo/bin/dump_syms`; without it only
//! mdump is measured. Peak memory of the two commands:
//! `benches/syms_peak_rss.sh`.

use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::Duration;

use criterion::{criterion_group, criterion_main, Criterion};
use mdump_symbols::dump::{self, Options};

fn inputs() -> Vec<PathBuf> {
    if let Ok(list) = std::env::var("SYMS_BENCH_INPUTS") {
        return std::env::split_paths(&list).collect();
    }
    let mut v = Vec::new();
    let stdcxx = PathBuf::from("/usr/lib/x86_64-linux-gnu/debug/libstdc++.so.6.0.30");
    if stdcxx.is_file() {
        v.push(stdcxx);
    }
    if let Ok(libc) = std::fs::read_link("/lib/x86_64-linux-gnu/libc.so.6")
        .map(|l| PathBuf::from("/lib/x86_64-linux-gnu").join(l))
        .and_then(std::fs::canonicalize)
    {
        // libc's debug file, by build id.
        if let Ok(sym) = dump::dump_path(&libc, &Options { cfi: false, inlines: false, ..Options::default() }) {
            if let Some((id, _)) = sym.info.iter().find_map(|i| i.code_id()) {
                let id = id.to_ascii_lowercase();
                let debug = PathBuf::from(format!("/usr/lib/debug/.build-id/{}/{}.debug", &id[..2], &id[2..]));
                if debug.is_file() {
                    v.push(debug);
                }
            }
        }
    }
    if let Ok(me) = std::env::current_exe() {
        v.push(me);
    }
    v
}

fn peer() -> Option<PathBuf> {
    let p = std::env::var_os("DUMP_SYMS")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(std::env::var_os("HOME").unwrap_or_default()).join(".cargo/bin/dump_syms"));
    if p.is_file() {
        Some(p)
    } else {
        eprintln!("dump_syms not found at {} (set DUMP_SYMS): measuring mdump alone", p.display());
        None
    }
}

fn syms(c: &mut Criterion) {
    let peer = peer();
    for input in inputs() {
        let name = input.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        let mut group = c.benchmark_group(format!("syms/{name}"));
        group.sample_size(10).warm_up_time(Duration::from_secs(1)).measurement_time(Duration::from_secs(8));
        group.bench_function("mdump", |b| {
            b.iter(|| {
                let sym = dump::dump_path(&input, &Options::default()).unwrap();
                dump::text::write_symbol_file(&sym, &mut std::io::sink()).unwrap();
            })
        });
        if let Some(peer) = &peer {
            group.bench_function("dump_syms", |b| {
                b.iter(|| {
                    let status = Command::new(peer)
                        .arg("--inlines")
                        .arg(&input)
                        .stdout(Stdio::null())
                        .stderr(Stdio::null())
                        .status()
                        .unwrap();
                    assert!(status.success());
                })
            });
        }
        group.finish();
    }
}

criterion_group!(benches, syms);
criterion_main!(benches);
