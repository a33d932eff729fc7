//! The header, the stream directory and Breakpad's map of stream types.

use super::{text, Session};
use std::io::{self, Write};

/// The names Breakpad prints for stream types; anything else is `unknown`.
fn stream_name(stream_type: u32) -> &'static str {
    match stream_type {
        0 => "MD_UNUSED_STREAM",
        1 => "MD_RESERVED_STREAM_0",
        2 => "MD_RESERVED_STREAM_1",
        3 => "MD_THREAD_LIST_STREAM",
        4 => "MD_MODULE_LIST_STREAM",
        5 => "MD_MEMORY_LIST_STREAM",
        6 => "MD_EXCEPTION_STREAM",
        7 => "MD_SYSTEM_INFO_STREAM",
        8 => "MD_THREAD_EX_LIST_STREAM",
        9 => "MD_MEMORY_64_LIST_STREAM",
        10 => "MD_COMMENT_STREAM_A",
        11 => "MD_COMMENT_STREAM_W",
        12 => "MD_HANDLE_DATA_STREAM",
        13 => "MD_FUNCTION_TABLE_STREAM",
        14 => "MD_UNLOADED_MODULE_LIST_STREAM",
        15 => "MD_MISC_INFO_STREAM",
        16 => "MD_MEMORY_INFO_LIST_STREAM",
        17 => "MD_THREAD_INFO_LIST_STREAM",
        18 => "MD_HANDLE_OPERATION_LIST_STREAM",
        19 => "MD_TOKEN_STREAM",
        20 => "MD_JAVASCRIPT_DATA_STREAM",
        21 => "MD_SYSTEM_MEMORY_INFO_STREAM",
        22 => "MD_PROCESS_VM_COUNTERS_STREAM",
        24 => "MD_THREAD_NAME_LIST_STREAM",
        0xffff => "MD_LAST_RESERVED_STREAM",
        0x4767_0001 => "MD_BREAKPAD_INFO_STREAM",
        0x4767_0002 => "MD_ASSERTION_INFO_STREAM",
        0x4767_0003 => "MD_LINUX_CPU_INFO",
        0x4767_0004 => "MD_LINUX_PROC_STATUS",
        0x4767_0005 => "MD_LINUX_LSB_RELEASE",
        0x4767_0006 => "MD_LINUX_CMD_LINE",
        0x4767_0007 => "MD_LINUX_ENVIRON",
        0x4767_0008 => "MD_LINUX_AUXV",
        0x4767_0009 => "MD_LINUX_MAPS",
        0x4767_000a => "MD_LINUX_DSO_DEBUG",
        0x4350_0001 => "MD_CRASHPAD_INFO_STREAM",
        _ => "unknown",
    }
}

/// `Minidump::Print`: header, every directory entry, then the stream map.
pub fn print(s: &Session, out: &mut dyn Write) -> io::Result<()> {
    let h = s.header;
    writeln!(out, "MDRawHeader")?;
    writeln!(out, "  signature            = 0x{:x}", h.signature.get())?;
    writeln!(out, "  version              = 0x{:x}", h.version.get())?;
    writeln!(out, "  stream_count         = {}", h.stream_count.get() as i32)?;
    writeln!(out, "  stream_directory_rva = 0x{:x}", h.stream_directory_rva.get())?;
    writeln!(out, "  checksum             = 0x{:x}", h.checksum.get())?;
    let time = h.time_date_stamp.get();
    writeln!(out, "  time_date_stamp      = 0x{time:x} {}", text::utc(time))?;
    writeln!(out, "  flags                = 0x{:x}", h.flags.get())?;
    writeln!(out)?;

    for (index, entry) in s.directory.iter().enumerate() {
        let stream_type = entry.stream_type.get();
        writeln!(out, "mDirectory[{index}]")?;
        writeln!(out, "MDRawDirectory")?;
        writeln!(out, "  stream_type        = 0x{stream_type:x} ({})", stream_name(stream_type))?;
        writeln!(out, "  location.data_size = {}", entry.location.data_size.get() as i32)?;
        writeln!(out, "  location.rva       = 0x{:x}", entry.location.rva.get())?;
        writeln!(out)?;
    }

    writeln!(out, "Streams:")?;
    for (&stream_type, &index) in &s.stream_map {
        writeln!(out, "  stream type 0x{stream_type:x} ({}) at index {index}", stream_name(stream_type))?;
    }
    writeln!(out)
}
