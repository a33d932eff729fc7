//! `mdump stackwalk --json`: rust-minidump's `minidump-stackwalk --json`
//! schema (pretty-printed, as `--pretty` prints it), so its consumers keep
//! working.

use mdump_processor::ProcessState;
use std::io::{self, Write};

/// Prints the report as rust-minidump's JSON.
pub fn print(state: &ProcessState, out: &mut dyn Write) -> io::Result<()> {
    mdump_processor::print_json(state, out, true)?;
    writeln!(out)
}
