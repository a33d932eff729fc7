//! `mdump dump --json`: everything in a dump, for machines.

use mdump_reader::Minidump;
use std::io::{self, Write};

/// Prints `dump` as one pretty-printed JSON document.
pub fn print(dump: &Minidump, out: &mut dyn Write) -> io::Result<()> {
    let model = crate::model::build(dump);
    serde_json::to_writer_pretty(&mut *out, &model)?;
    writeln!(out)
}
