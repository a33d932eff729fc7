//! `mdump dump`: everything in a minidump, for people or machines.

use crate::DumpFormat;
use mdump::{breakpad, dump_human, dump_json};
use mdump_reader::MinidumpFile;
use std::io::{BufWriter, Write};
use std::path::Path;

pub fn run(path: &Path, format: DumpFormat) -> Result<(), String> {
    let file = MinidumpFile::open(path).map_err(|e| e.to_string())?;
    let dump = file.minidump().map_err(|e| format!("{}: {e}", path.display()))?;
    let stdout = std::io::stdout();
    let mut out = BufWriter::with_capacity(1 << 16, stdout.lock());
    let written = match format {
        DumpFormat::Breakpad => breakpad::print_dump(&dump, &mut out),
        DumpFormat::Human => dump_human::print(&dump, &mut out),
        DumpFormat::Json => dump_json::print(&dump, &mut out),
    };
    match written.and_then(|()| out.flush()) {
        Ok(()) => Ok(()),
        // A closed pipe (`mdump dump x | head`) is the reader's choice, not an error.
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        Err(e) => Err(format!("writing output: {e}")),
    }
}
