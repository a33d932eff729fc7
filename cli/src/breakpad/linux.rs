//! The Linux text streams Breakpad's Linux client writes (`/proc` files and
//! friends), which `minidump_dump` prints raw.

use super::Session;
use mdump_format::StreamType;
use std::io::{self, Write};

/// The streams printed raw, in Breakpad's order, with the names it prints.
const RAW_STREAMS: [(StreamType, &str); 6] = [
    (StreamType::LINUX_CMD_LINE, "MD_LINUX_CMD_LINE"),
    (StreamType::LINUX_ENVIRON, "MD_LINUX_ENVIRON"),
    (StreamType::LINUX_LSB_RELEASE, "MD_LINUX_LSB_RELEASE"),
    (StreamType::LINUX_PROC_STATUS, "MD_LINUX_PROC_STATUS"),
    (StreamType::LINUX_CPU_INFO, "MD_LINUX_CPU_INFO"),
    (StreamType::LINUX_MAPS, "MD_LINUX_MAPS"),
];

/// Every raw stream the dump has.
pub fn print_raw_streams(s: &Session, out: &mut dyn Write) -> io::Result<()> {
    for (stream_type, name) in RAW_STREAMS {
        print_raw_stream(s, stream_type, name, out)?;
    }
    Ok(())
}

/// `DumpRawStream`: the stream's bytes as text, each NUL shown as `\0` and
/// a line break, followed by two newlines.
fn print_raw_stream(s: &Session, stream_type: StreamType, name: &str, out: &mut dyn Write) -> io::Result<()> {
    let Some(size) = s.seek_to_stream(stream_type) else {
        return Ok(());
    };
    writeln!(out, "Stream {name}:")?;
    if size == 0 {
        return writeln!(out);
    }
    let Some(contents) = s.io.read(size.into()) else {
        return Ok(());
    };
    let mut rest = contents;
    // Text up to each NUL, then `\0`; text after the last NUL as it is.
    while !rest.is_empty() {
        match rest.iter().position(|&b| b == 0) {
            Some(nul) => {
                out.write_all(rest.get(..nul).unwrap_or_default())?;
                out.write_all(b"\\0\n")?;
                rest = rest.get(nul + 1..).unwrap_or_default();
            }
            None => {
                out.write_all(rest)?;
                break;
            }
        }
    }
    out.write_all(b"\n\n")
}
