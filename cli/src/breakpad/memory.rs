//! Memory regions (a thread's stack, the MemoryList) and the MemoryInfoList.

use super::range_map::{Merge, RangeMap};
use super::{read_struct, text, Session};
use mdump_format::memory_info::{MemoryInfo, MemoryInfoListHeader};
use mdump_format::{MemoryDescriptor, StreamType};
use std::io::{self, Write};

/// Breakpad refuses to load a memory region larger than this.
const MAX_REGION_BYTES: u32 = 64 * 1024 * 1024;

/// Breakpad's limit on MemoryList entries.
const MAX_REGIONS: u32 = 4096;

/// Whether Breakpad considers a region with this descriptor valid (its end
/// does not wrap around).
pub fn region_is_valid(d: &MemoryDescriptor) -> bool {
    u64::from(d.memory.data_size.get()) <= u64::MAX - d.start_of_memory_range.get()
}

/// `MinidumpMemoryRegion::Print`: the region's bytes as one hex string, or
/// `No memory` when they cannot be read.
pub fn print_region(s: &Session, d: &MemoryDescriptor, out: &mut dyn Write) -> io::Result<()> {
    if !region_is_valid(d) {
        return Ok(());
    }
    let size = d.memory.data_size.get();
    let bytes = if size == 0 || !s.io.seek(d.memory.rva.get().into()) || size > MAX_REGION_BYTES {
        None
    } else {
        s.io.read(size.into())
    };
    match bytes {
        Some(bytes) => {
            out.write_all(b"0x")?;
            out.write_all(&text::hex(bytes))?;
            out.write_all(b"\n")
        }
        None => out.write_all(b"No memory\n"),
    }
}

/// Reads a count-prefixed list's count and checks the stream size the way
/// Breakpad's thread, module and memory lists do: the entries may follow the
/// count directly or after 4 bytes of padding. `None` when the list is
/// refused.
pub fn read_list_count(s: &Session, size: u32, entry_size: u32) -> Option<u32> {
    if size < 4 {
        return None;
    }
    let count = s.io.read_u32()?;
    if count > u32::MAX / entry_size {
        return None;
    }
    let entries = u64::from(count) * u64::from(entry_size);
    if u64::from(size) != 4 + entries {
        if u64::from(size) == 8 + entries {
            s.io.read(4)?;
        } else {
            return None;
        }
    }
    Some(count)
}

/// The MemoryList stream.
pub fn print_memory_list(s: &Session, out: &mut dyn Write) -> io::Result<()> {
    let Some(descriptors) = read_memory_list(s) else {
        return Ok(());
    };
    writeln!(out, "MinidumpMemoryList")?;
    writeln!(out, "  region_count = {}", descriptors.len())?;
    writeln!(out)?;
    for (index, d) in descriptors.iter().enumerate() {
        writeln!(out, "region[{index}]")?;
        writeln!(out, "MDMemoryDescriptor")?;
        writeln!(out, "  start_of_memory_range = 0x{:x}", d.start_of_memory_range.get())?;
        writeln!(out, "  memory.data_size      = 0x{:x}", d.memory.data_size.get())?;
        writeln!(out, "  memory.rva            = 0x{:x}", d.memory.rva.get())?;
        writeln!(out, "Memory")?;
        print_region(s, d, out)?;
        writeln!(out)?;
    }
    Ok(())
}

/// `MinidumpMemoryList::Read`: the descriptors, or `None` when Breakpad
/// refuses the list (a size mismatch, an empty or wrapping region, two
/// regions that overlap).
fn read_memory_list<'a>(s: &Session<'a>) -> Option<&'a [MemoryDescriptor]> {
    let size = s.seek_to_stream(StreamType::MEMORY_LIST)?;
    let entry_size = core::mem::size_of::<MemoryDescriptor>() as u32;
    let count = read_list_count(s, size, entry_size)?;
    if count > MAX_REGIONS {
        return None;
    }
    let bytes = s.io.read(u64::from(count) * u64::from(entry_size))?;
    let descriptors = mdump_reader::Bytes::new(bytes).array::<MemoryDescriptor>(0, count.into(), "regions").ok()?;
    let mut ranges = RangeMap::new(Merge::Exclusive);
    for (index, d) in descriptors.iter().enumerate() {
        let base = d.start_of_memory_range.get();
        let size = d.memory.data_size.get();
        if size == 0 || u64::from(size) > u64::MAX - base {
            return None;
        }
        if !ranges.store(base, size.into(), index) {
            return None;
        }
    }
    Some(descriptors)
}

/// The MemoryInfoList stream.
pub fn print_memory_info_list(s: &Session, out: &mut dyn Write) -> io::Result<()> {
    let Some(infos) = read_memory_info_list(s) else {
        return Ok(());
    };
    writeln!(out, "MinidumpMemoryInfoList")?;
    writeln!(out, "  info_count = {}", infos.len() as u32 as i32)?;
    writeln!(out)?;
    for (index, info) in infos.iter().enumerate() {
        writeln!(out, "info[{index}]")?;
        writeln!(out, "MDRawMemoryInfo")?;
        writeln!(out, "  base_address          = 0x{:x}", info.base_address.get())?;
        writeln!(out, "  allocation_base       = 0x{:x}", info.allocation_base.get())?;
        writeln!(out, "  allocation_protection = 0x{:x}", info.allocation_protect.get())?;
        writeln!(out, "  region_size           = 0x{:x}", info.region_size.get())?;
        writeln!(out, "  state                 = 0x{:x}", info.state.get())?;
        writeln!(out, "  protection            = 0x{:x}", info.protect.get())?;
        writeln!(out, "  type                  = 0x{:x}", info.type_.get())?;
        writeln!(out)?;
    }
    Ok(())
}

/// `MinidumpMemoryInfoList::Read`.
fn read_memory_info_list<'a>(s: &Session<'a>) -> Option<Vec<&'a MemoryInfo>> {
    let size = u64::from(s.seek_to_stream(StreamType::MEMORY_INFO_LIST)?);
    let header_size = core::mem::size_of::<MemoryInfoListHeader>() as u64;
    let entry_size = core::mem::size_of::<MemoryInfo>() as u64;
    if size < header_size {
        return None;
    }
    let header = read_struct!(s.io, MemoryInfoListHeader)?;
    let count = header.number_of_entries.get();
    if u64::from(header.size_of_header.get()) != header_size
        || u64::from(header.size_of_entry.get()) != entry_size
        || count > u64::from(u32::MAX) / entry_size
        || size != header_size + count * entry_size
    {
        return None;
    }
    // Grows only as entries are really read from the file.
    let mut infos = Vec::new();
    let mut ranges = RangeMap::new(Merge::Exclusive);
    for index in 0..count as usize {
        let info = read_struct!(s.io, MemoryInfo)?;
        let base = info.base_address.get();
        let region_size = info.region_size.get();
        if region_size == 0 || region_size > u64::MAX - base || !ranges.store(base, region_size, index) {
            return None;
        }
        infos.push(info);
    }
    Some(infos)
}
