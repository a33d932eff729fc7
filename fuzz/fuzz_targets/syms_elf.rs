//! Arbitrary bytes as an ELF binary (and, split at a marker, a separate
//! debug file): dump to the symbol model, write it, parse it back. The dump
//! may fail with an error but must not panic, hang or allocate without
//! bound; what it writes must parse with no bad line (a name from the
//! binary must not be able to break a record in two).
#![no_main]

use libfuzzer_sys::fuzz_target;
use mdump_symbols::dump::{self, Options};

fuzz_target!(|data: &[u8]| {
    let options = Options { threads: 1, ..Options::default() };
    // "\x7fELF" a second time starts the debug file.
    let split = data.windows(4).skip(4).position(|w| w == b"\x7fELF").map(|p| p + 4);
    let (binary, debug) = match split {
        Some(at) => (&data[..at], Some(&data[at..])),
        None => (data, None),
    };
    let Ok(file) = dump::dump_bytes("fuzz", binary, debug, &options) else { return };
    let mut text = Vec::new();
    dump::text::write_symbol_file(&file, &mut text).unwrap();
    assert_eq!(text, file.to_string().into_bytes());
    let (_, stats) = mdump_symbols::parse(&text);
    assert_eq!(stats.bad_lines, 0, "{:?}", stats.first_bad);
});
