//! Arbitrary bytes as a PE image, as a PDB, and split in two as both, given
//! to the PE/PDB symbol dumper. It may refuse them; it must not panic, hang
//! or run away with memory, and whatever it writes must parse back as a
//! symbol file with no malformed line.
#![no_main]

use libfuzzer_sys::fuzz_target;
use mdump_symbols::dump::pe::{dump_pe, PeOptions};

fn check(pe: Option<&[u8]>, pdb: Option<&[u8]>) {
    let options =
        PeOptions { pdb_name: Some("fuzz.pdb".into()), pe_name: Some("fuzz.dll".into()), keep_mangled: false };
    if let Ok(file) = dump_pe(pe, pdb, &options) {
        let text = file.to_string();
        let (_, stats) = mdump_symbols::parse(text.as_bytes());
        assert_eq!(stats.bad_lines, 0, "{:?}", stats.first_bad);
    }
}

fuzz_target!(|data: &[u8]| {
    check(Some(data), None);
    check(None, Some(data));
    if let [a, b, rest @ ..] = data {
        let split = usize::from(u16::from_le_bytes([*a, *b])).min(rest.len());
        let (pe, pdb) = rest.split_at(split);
        check(Some(pe), Some(pdb));
    }
});
