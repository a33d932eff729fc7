//! The ThreadList and ThreadNames streams.

use super::memory::{print_region, read_list_count, region_is_valid};
use super::{context, read_struct, text, Session};
use mdump_format::thread::MinidumpThread;
use mdump_format::thread_names::ThreadName;
use mdump_format::StreamType;
use std::collections::HashSet;
use std::io::{self, Write};

/// Breakpad's limit on threads (and thread names).
const MAX_THREADS: u32 = 4096;

/// The ThreadList stream: each thread, its context and its stack.
pub fn print_thread_list(s: &Session, out: &mut dyn Write) -> io::Result<()> {
    let Some(threads) = read_thread_list(s) else {
        return Ok(());
    };
    writeln!(out, "MinidumpThreadList")?;
    writeln!(out, "  thread_count = {}", threads.len())?;
    writeln!(out)?;
    for (index, thread) in threads.iter().enumerate() {
        writeln!(out, "thread[{index}]")?;
        print_thread(s, thread, out)?;
    }
    Ok(())
}

/// `MinidumpThreadList::Read`: `None` when Breakpad refuses the list (size
/// mismatch, too many threads, a repeated thread id).
fn read_thread_list<'a>(s: &Session<'a>) -> Option<Vec<&'a MinidumpThread>> {
    let size = s.seek_to_stream(StreamType::THREAD_LIST)?;
    let count = read_list_count(s, size, core::mem::size_of::<MinidumpThread>() as u32)?;
    if count > MAX_THREADS {
        return None;
    }
    let mut threads = Vec::new();
    let mut ids = HashSet::new();
    for _ in 0..count {
        let thread = read_struct!(s.io, MinidumpThread)?;
        if !ids.insert(thread.thread_id.get()) {
            return None;
        }
        threads.push(thread);
    }
    Some(threads)
}

/// `MinidumpThread::Print`.
fn print_thread(s: &Session, t: &MinidumpThread, out: &mut dyn Write) -> io::Result<()> {
    writeln!(out, "MDRawThread")?;
    writeln!(out, "  thread_id                   = 0x{:x}", t.thread_id.get())?;
    writeln!(out, "  suspend_count               = {}", t.suspend_count.get() as i32)?;
    writeln!(out, "  priority_class              = 0x{:x}", t.priority_class.get())?;
    writeln!(out, "  priority                    = 0x{:x}", t.priority.get())?;
    writeln!(out, "  teb                         = 0x{:x}", t.teb.get())?;
    writeln!(out, "  stack.start_of_memory_range = 0x{:x}", t.stack.start_of_memory_range.get())?;
    writeln!(out, "  stack.memory.data_size      = 0x{:x}", t.stack.memory.data_size.get())?;
    writeln!(out, "  stack.memory.rva            = 0x{:x}", t.stack.memory.rva.get())?;
    writeln!(out, "  thread_context.data_size    = 0x{:x}", t.thread_context.data_size.get())?;
    writeln!(out, "  thread_context.rva          = 0x{:x}", t.thread_context.rva.get())?;

    context::print_at(s, &t.thread_context, out)?;

    // Breakpad keeps no stack for a thread whose descriptor is empty or
    // wraps around.
    let stack = &t.stack;
    if stack.memory.rva.get() != 0 && stack.memory.data_size.get() != 0 && region_is_valid(stack) {
        writeln!(out, "Stack")?;
        print_region(s, stack, out)?;
    } else {
        writeln!(out, "No stack")?;
    }
    writeln!(out)
}

/// The ThreadNames stream.
pub fn print_thread_name_list(s: &Session, out: &mut dyn Write) -> io::Result<()> {
    let Some(names) = read_thread_name_list(s) else {
        return Ok(());
    };
    writeln!(out, "MinidumpThreadNameList")?;
    writeln!(out, "  thread_name_count = {}", names.len())?;
    writeln!(out)?;
    for (index, (entry, name)) in names.iter().enumerate() {
        writeln!(out, "thread_name[{index}]")?;
        writeln!(out, "MDRawThreadName")?;
        writeln!(out, "  thread_id                   = 0x{:x}", entry.thread_id.get())?;
        writeln!(out, "  thread_name_rva             = 0x{:x}", entry.rva_of_thread_name.get())?;
        out.write_all(b"  thread_name                 = \"")?;
        out.write_all(text::cstr(name))?;
        out.write_all(b"\"\n")?;
        writeln!(out)?;
    }
    Ok(())
}

/// `MinidumpThreadNameList::Read`: every entry must have a readable name.
fn read_thread_name_list<'a>(s: &Session<'a>) -> Option<Vec<(&'a ThreadName, Vec<u8>)>> {
    let size = u64::from(s.seek_to_stream(StreamType::THREAD_NAMES)?);
    let entry_size = core::mem::size_of::<ThreadName>() as u64;
    if size < 4 {
        return None;
    }
    let count = u64::from(s.io.read_u32()?);
    if count > u64::from(u32::MAX) / entry_size || size != 4 + count * entry_size || count > u64::from(MAX_THREADS) {
        return None;
    }
    let mut entries = Vec::new();
    for _ in 0..count {
        entries.push(read_struct!(s.io, ThreadName)?);
    }
    let mut names = Vec::new();
    for entry in entries {
        let rva = entry.rva_of_thread_name.get();
        if rva > i64::MAX as u64 {
            return None;
        }
        names.push((entry, s.read_string(rva)?));
    }
    Some(names)
}
