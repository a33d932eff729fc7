//! Arbitrary bytes as a Breakpad symbol file: parse (never fails), build the
//! lookup indexes, look up every kind of record at addresses the file itself
//! names and at a few fixed ones, then write the records and parse them
//! again: the second parse must have no bad line and give equal records.
//! The lazy index the processor uses (`LazySymbols`) must answer every
//! lookup as the full parse does. Any panic, hang or difference is a finding.
#![no_main]

use libfuzzer_sys::fuzz_target;
use mdump_symbols::{parse, LazySymbols, Symbols};

/// Looks up every kind of record at `addr` in both indexes; they must agree.
fn look_up(symbols: &Symbols<'_>, lazy: &LazySymbols<&[u8]>, addr: u64) {
    let eager = (
        symbols.symbol_at(addr).map(|s| (s.name().to_owned(), s.address())),
        symbols.line_at(addr).map(|l| (l.line, l.file.map(str::to_owned))),
        symbols.inline_chain_at(addr).iter().map(|i| (i.inline.depth, i.range_address)).collect::<Vec<_>>(),
        symbols.cfi_at(addr).map(|c| c.rules().iter().map(|(n, e)| format!("{n}={e}")).collect::<Vec<_>>()),
        symbols.win_at(addr).cloned(),
    );
    let indexed = (
        lazy.symbol_at(addr).map(|s| (s.name.into_owned(), s.address)),
        lazy.line_at(addr).map(|l| (l.line, l.file.map(|f| f.into_owned()))),
        lazy.inline_chain_at(addr).iter().map(|i| (i.depth, i.range_address)).collect::<Vec<_>>(),
        lazy.cfi_at(addr).map(|c| c.rules().iter().map(|(n, e)| format!("{n}={e}")).collect::<Vec<_>>()),
        lazy.win_at(addr),
    );
    assert_eq!(indexed, eager, "lookups at {addr:#x}");
}

fuzz_target!(|data: &[u8]| {
    let symbols = Symbols::parse(data);
    let lazy = LazySymbols::new(data);
    assert_eq!(lazy.stats(), symbols.stats());
    let file = symbols.file();
    let mut addresses = vec![0, 1, 0x1000, u64::MAX, u64::MAX - 1];
    for f in &file.functions {
        addresses.extend([f.address, f.address.wrapping_add(f.size), f.end().wrapping_sub(1)]);
        addresses.extend(f.lines.iter().map(|l| l.address));
        addresses.extend(f.inlines.iter().flat_map(|i| &i.ranges).map(|r| r.address.wrapping_add(r.size / 2)));
    }
    addresses.extend(file.publics.iter().map(|p| p.address.wrapping_add(1)));
    for c in &file.cfi {
        addresses.push(c.address);
        addresses.extend(c.deltas.iter().map(|d| d.address));
    }
    addresses.extend(file.win.iter().flat_map(|w| [w.address, w.address.wrapping_add(w.code_size)]));
    addresses.truncate(4096);
    for addr in addresses {
        look_up(&symbols, &lazy, addr);
    }
    for f in file.files.iter().take(64) {
        std::hint::black_box(symbols.file_name(f.id));
    }

    let text = file.to_string();
    let (again, stats) = parse(text.as_bytes());
    assert_eq!(stats.bad_lines, 0, "{:?}\n{text}", stats.first_bad);
    assert_eq!(&again, file);
});
