//! `mdump dump --json`: everything in a dump, for machines.

use mdump_reader::Minidump;
use std::io::{self, Write};

/// Prints `dump` as one JSON document.
pub fn print(dump: &Minidump, out: &mut dyn Write) -> io::Result<()> {
    writeln!(out, "{{\"streams\": {}}}", dump.directory().len())
}
