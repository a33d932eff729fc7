//! `mdump dump`: everything in a dump, for people.

use mdump_reader::Minidump;
use std::io::{self, Write};

/// Prints `dump` for people.
pub fn print(dump: &Minidump, out: &mut dyn Write) -> io::Result<()> {
    writeln!(out, "{} streams", dump.directory().len())
}
