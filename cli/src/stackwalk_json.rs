//! `mdump stackwalk --json` (placeholder until the processor's JSON lands).

use mdump_processor::ProcessState;
use std::io::{self, Write};

/// Prints the report as rust-minidump's JSON schema.
pub fn print(state: &ProcessState, out: &mut dyn Write) -> io::Result<()> {
    let _ = state;
    writeln!(out, "{{}}")
}
