//! The collector: everything a dump holds, read from a process whose threads
//! are stopped, turned into a [`DumpModel`] and written. Ordinary Rust (it
//! allocates); it runs in `mdump capture`, or in the crash handler's helper
//! process, never in the crashed process itself.

pub mod limit;
pub mod modules;
pub mod system;

use crate::context::native;
use crate::error::CaptureError;
use crate::memory::ProcessMemory;
use crate::options::{DumpSummary, Options};
use crate::procfs::{self, MapsEntry};
use crate::ptrace::StoppedProcess;
use mdump_format::breakpad_info::{
    BreakpadInfo, BREAKPAD_INFO_VALID_DUMP_THREAD_ID, BREAKPAD_INFO_VALID_REQUESTING_THREAD_ID,
};
use mdump_format::exception::MinidumpException;
use mdump_format::exception_codes::linux;
use mdump_format::{StreamType, U32, U64};
use mdump_writer::model::{
    ContextModel, CrashpadInfoModel, DumpModel, ExceptionModel, MemoryRange, StreamModel, ThreadModel,
};
use std::io::{Seek, Write};

/// What the crashed (or dump-requesting) thread reported.
#[derive(Clone, Debug, Default)]
pub struct Crash {
    /// The thread.
    pub tid: i32,
    /// The signal, or `DUMP_REQUESTED` for a dump without a crash.
    pub signal: u32,
    /// `si_code`.
    pub code: i32,
    /// `si_addr` (the fault address for SIGSEGV, SIGBUS, SIGFPE, SIGILL,
    /// SIGTRAP).
    pub address: u64,
    /// Address of the signal frame's `ucontext` (or a `getcontext` one) in
    /// the target.
    pub ucontext: u64,
    /// Other threads that crashed at the same time and wait in the handler:
    /// `(tid, address of their ucontext)`. Their registers come from there
    /// (ptrace would show them waiting on the signal stack).
    pub others: Vec<(i32, u64)>,
}

/// Largest `/proc` text copied into a stream.
const TEXT_LIMIT: u64 = 16 << 20;
/// Largest extra memory region taken.
const EXTRA_LIMIT: u64 = 64 << 20;
/// How far below a stack mapping a stack pointer may be (an overflow into
/// the guard gap) and still have that mapping taken as its stack.
const OVERFLOW_SLACK: u64 = 1 << 20;

/// The mapping holding `address`. `/proc` lists mappings in address order,
/// so a binary search finds it (1,000 threads mean 2,000 stack and guard
/// mappings); a linear scan backs it up should the list be out of order.
fn mapping_at<'m, 'a>(maps: &'m [MapsEntry<'a>], address: u64) -> Option<&'m MapsEntry<'a>> {
    let i = maps.partition_point(|m| m.end <= address);
    match maps.get(i) {
        Some(m) if m.contains(address) => Some(m),
        _ => maps.iter().find(|m| m.contains(address)),
    }
}

/// The stack range of a thread: from the page holding `sp - RED_ZONE` up to
/// the end of its mapping, at most `limit` bytes.
pub fn stack_range(sp: u64, maps: &[MapsEntry<'_>], limit: usize) -> Option<MemoryRange> {
    let low = sp.saturating_sub(native::RED_ZONE) & !0xfff;
    let mapping = mapping_at(maps, low)
        .or_else(|| mapping_at(maps, sp))
        .or_else(|| maps.iter().filter(|m| m.start > sp && m.start - sp <= OVERFLOW_SLACK).min_by_key(|m| m.start))?;
    let start = low.max(mapping.start);
    let end = mapping.end.min(start.saturating_add(limit as u64));
    (end > start).then_some(MemoryRange { start, size: end - start })
}

/// `size` bytes centred on `address`, clipped to its readable mapping.
fn around(address: u64, size: usize, maps: &[MapsEntry<'_>]) -> Option<MemoryRange> {
    let m = mapping_at(maps, address).filter(|m| m.read)?;
    let start = address.saturating_sub(size as u64 / 2).max(m.start);
    let end = address.saturating_add(size as u64 / 2).min(m.end);
    (end > start).then_some(MemoryRange { start, size: end - start })
}

/// Sorts and merges ranges so none overlap (Breakpad's processor rejects a
/// memory list with overlaps).
pub fn merge_ranges(mut ranges: Vec<MemoryRange>) -> Vec<MemoryRange> {
    ranges.retain(|r| r.size > 0);
    ranges.sort();
    let mut out: Vec<MemoryRange> = Vec::with_capacity(ranges.len());
    for r in ranges {
        if let Some(last) = out.last_mut() {
            let last_end = last.start.saturating_add(last.size);
            if r.start <= last_end {
                last.size = last_end.max(r.start.saturating_add(r.size)) - last.start;
                continue;
            }
        }
        out.push(r);
    }
    out
}

/// Process memory with one range read as zeros.
struct Redacted {
    inner: ProcessMemory,
    hidden: Option<(u64, u64)>,
}

impl mdump_writer::MemorySource for Redacted {
    fn read(&mut self, address: u64, buf: &mut [u8]) -> usize {
        let n = mdump_writer::MemorySource::read(&mut self.inner, address, buf);
        if let Some((lo, hi)) = self.hidden {
            let end = address.saturating_add(n as u64);
            let (a, b) = (lo.max(address), hi.min(end));
            if a < b {
                buf[(a - address) as usize..(b - address) as usize].fill(0);
            }
        }
        n
    }
}

/// The crashing thread's context from the `ucontext` in its memory.
fn crash_context(memory: &ProcessMemory, ucontext: u64) -> Result<native::Context, CaptureError> {
    native::read_ucontext(&mut |address, buf| memory.read_bytes(address, buf), ucontext)
        .ok_or_else(|| CaptureError::Other(format!("cannot read the crashing thread's ucontext at {ucontext:#x}")))
}

fn text_stream(streams: &mut Vec<StreamModel>, errors: &mut Vec<String>, stream_type: StreamType, path: &str) -> usize {
    match system::read_capped(path, TEXT_LIMIT) {
        Ok(bytes) => {
            let n = bytes.len();
            streams.push(StreamModel::Raw { stream_type, bytes });
            n
        }
        Err(e) => {
            errors.push(format!("{:#010x} {path}: {e}", stream_type.0));
            0
        }
    }
}

/// Collects a dump of the stopped process and writes it to `out`.
///
/// `crash` names the crashed or requesting thread and its `ucontext`;
/// `dump_tid` is the thread doing the dump (BreakpadInfo).
pub fn write_dump<W: Write + Seek>(
    stopped: &StoppedProcess,
    crash: Option<&Crash>,
    options: &Options,
    dump_tid: i32,
    out: &mut W,
) -> Result<DumpSummary, CaptureError> {
    let pid = stopped.pid();
    let memory = ProcessMemory::new(pid);
    let mut errors = Vec::new();
    let maps_text = system::read_capped(&format!("/proc/{pid}/maps"), TEXT_LIMIT)
        .map_err(|e| CaptureError::os(format!("reading /proc/{pid}/maps"), e))?;
    let maps: Vec<MapsEntry<'_>> = procfs::parse_maps(&maps_text).collect();
    let auxv_bytes = system::read_capped(&format!("/proc/{pid}/auxv"), 1 << 16).unwrap_or_default();
    let auxv: Vec<(u64, u64)> = procfs::parse_auxv(&auxv_bytes).collect();
    const AT_ENTRY: u64 = 9;
    const AT_HWCAP: u64 = 16;
    let entry = auxv.iter().find(|a| a.0 == AT_ENTRY).map(|a| a.1);
    let hwcap = auxv.iter().find(|a| a.0 == AT_HWCAP).map_or(0, |a| a.1);

    // Threads: the crashing one's context comes from its signal frame (if
    // that cannot be read, from ptrace, which shows it in the handler: a
    // dump with the wrong frame on top beats no dump).
    let crash_ctx = crash.map(|c| {
        crash_context(&memory, c.ucontext).unwrap_or_else(|e| {
            errors.push(format!("{:#010x} {e}", StreamType::EXCEPTION.0));
            stopped.registers(c.tid).unwrap_or_else(|_| native::empty())
        })
    });
    let mut tids = stopped.tids();
    if let Some(c) = crash {
        if !tids.contains(&c.tid) {
            tids.push(c.tid);
        }
    }
    for (tid, why) in &stopped.missed {
        errors.push(format!("{:#010x} thread {tid} left out: {why}", StreamType::THREAD_LIST.0));
    }
    let mut threads = Vec::with_capacity(tids.len());
    let mut names = Vec::with_capacity(tids.len());
    for &tid in &tids {
        // The crashing thread and any other thread waiting in the handler
        // with a crash of its own: registers from their signal frames.
        let from_frame = match crash {
            Some(c) if c.tid == tid => crash_ctx,
            Some(c) => c.others.iter().find(|o| o.0 == tid).and_then(|o| crash_context(&memory, o.1).ok()),
            None => None,
        };
        let ctx = match from_frame {
            Some(ctx) => ctx,
            None => match stopped.registers(tid) {
                Ok(ctx) => ctx,
                Err(e) => {
                    errors.push(format!("{:#010x} {e}", StreamType::THREAD_LIST.0));
                    continue;
                }
            },
        };
        let stack = stack_range(native::stack_pointer(&ctx), &maps, options.stack_limit).unwrap_or_default();
        threads.push(ThreadModel {
            thread_id: tid as u32,
            stack,
            context: ContextModel::from_struct(&ctx),
            ..Default::default()
        });
        if let Ok(comm) = system::read_capped(&format!("/proc/{pid}/task/{tid}/comm"), 64) {
            let name = String::from_utf8_lossy(comm.strip_suffix(b"\n").unwrap_or(&comm)).encode_utf16().collect();
            names.push((tid as u32, name));
        }
    }

    // Memory beyond the stacks: around the crash's instruction pointer and
    // fault address, and what the caller asked for.
    let mut extra = Vec::new();
    if let (Some(c), Some(ctx)) = (crash, &crash_ctx) {
        extra.extend(around(native::instruction_pointer(ctx), options.around_fault, &maps));
        if c.address != 0 {
            extra.extend(around(c.address, options.around_fault, &maps));
        }
    }
    let requested: Vec<MemoryRange> =
        options.extra_memory.iter().map(|&(start, size)| MemoryRange { start, size: size.min(EXTRA_LIMIT) }).collect();

    let found = modules::find_modules(pid, &memory, &maps, entry);
    let module_ranges: Vec<(u64, u64)> = found.iter().map(|m| (m.start, m.end)).collect();

    // Every stream after ThreadList and MemoryList, in Breakpad's order.
    let mut others = vec![StreamModel::ModuleList(found.iter().map(modules::module_model).collect())];
    if let (Some(c), Some(ctx)) = (crash, &crash_ctx) {
        let mut record = MinidumpException {
            exception_code: U32::new(c.signal),
            exception_flags: U32::new(c.code as u32),
            ..Default::default()
        };
        let faulting =
            matches!(c.signal, linux::SIGSEGV | linux::SIGBUS | linux::SIGFPE | linux::SIGILL | linux::SIGTRAP);
        if faulting && c.code > 0 {
            record.exception_address = U64::new(c.address);
        }
        others.push(StreamModel::Exception(ExceptionModel {
            thread_id: c.tid as u32,
            record,
            context: ContextModel::from_struct(ctx),
        }));
    }
    let cpuinfo = system::read_capped("/proc/cpuinfo", TEXT_LIMIT).unwrap_or_default();
    others.push(StreamModel::SystemInfo(system::system_info(&cpuinfo, hwcap)));
    others.push(StreamModel::Raw { stream_type: StreamType::LINUX_CPU_INFO, bytes: cpuinfo });
    text_stream(&mut others, &mut errors, StreamType::LINUX_PROC_STATUS, &format!("/proc/{pid}/status"));
    let lsb = if std::path::Path::new(&format!("/proc/{pid}/root/etc/lsb-release")).exists() {
        format!("/proc/{pid}/root/etc/lsb-release")
    } else {
        format!("/proc/{pid}/root/etc/os-release")
    };
    text_stream(&mut others, &mut errors, StreamType::LINUX_LSB_RELEASE, &lsb);
    text_stream(&mut others, &mut errors, StreamType::LINUX_CMD_LINE, &format!("/proc/{pid}/cmdline"));
    if !options.skip_environment {
        text_stream(&mut others, &mut errors, StreamType::LINUX_ENVIRON, &format!("/proc/{pid}/environ"));
    }
    others.push(StreamModel::Raw { stream_type: StreamType::LINUX_AUXV, bytes: auxv_bytes.clone() });
    others.push(StreamModel::Raw { stream_type: StreamType::LINUX_MAPS, bytes: maps_text.clone() });
    match system::dso_debug(&memory, &auxv) {
        Some(d) => others.push(StreamModel::LinuxDsoDebug(d)),
        None => errors.push(format!("{:#010x} no r_debug (static executable?)", StreamType::LINUX_DSO_DEBUG.0)),
    }
    others.push(StreamModel::ThreadNames(names));
    let stat = system::read_capped(&format!("/proc/{pid}/stat"), 4096).ok().and_then(|s| procfs::parse_stat(&s));
    others.push(StreamModel::MiscInfo(system::misc_info(pid, stat.as_ref())));
    others.push(StreamModel::MemoryInfoList(system::memory_info_list(&maps, &module_ranges)));
    let bp = match crash {
        Some(c) => BreakpadInfo {
            validity: U32::new(BREAKPAD_INFO_VALID_DUMP_THREAD_ID | BREAKPAD_INFO_VALID_REQUESTING_THREAD_ID),
            dump_thread_id: U32::new(dump_tid as u32),
            requesting_thread_id: U32::new(c.tid as u32),
        },
        None => BreakpadInfo {
            validity: U32::new(BREAKPAD_INFO_VALID_DUMP_THREAD_ID),
            dump_thread_id: U32::new(dump_tid as u32),
            ..Default::default()
        },
    };
    others.push(StreamModel::BreakpadInfo(bp));
    if !options.annotations.is_empty() {
        others.push(StreamModel::CrashpadInfo(CrashpadInfoModel {
            version: mdump_format::crashpad::CRASHPAD_INFO_VERSION,
            simple_annotations: options
                .annotations
                .iter()
                .map(|(k, v)| (k.as_bytes().to_vec(), v.as_bytes().to_vec()))
                .collect(),
            ..Default::default()
        }));
    }

    let mut parts = limit::Parts { threads, extra, requested, crash_tid: crash.map(|c| c.tid as u32) };
    if let Some(size_limit) = options.size_limit {
        limit::fit(size_limit, &mut parts, &mut others, &mut errors);
    }
    if !errors.is_empty() {
        let mut log = String::new();
        for e in &errors {
            log.push_str(e);
            log.push('\n');
        }
        others.push(StreamModel::Raw { stream_type: StreamType::MDUMP_WRITE_ERRORS, bytes: log.into_bytes() });
    }
    let memory_list = parts.memory_list();
    let thread_ids: Vec<i32> = parts.threads.iter().map(|t| t.thread_id as i32).collect();
    let mut streams = vec![StreamModel::ThreadList(parts.threads), StreamModel::MemoryList(memory_list)];
    streams.extend(others);
    // Breakpad's order: ThreadList, ModuleList, MemoryList, Exception, ...
    streams.swap(1, 2);

    let time = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_secs() as u32);
    let model = DumpModel { time_date_stamp: time, flags: 0, streams };
    // The writer emits many small pieces (a context, a stack, a name):
    // buffered, they reach the file in few system calls.
    let mut out = std::io::BufWriter::with_capacity(1 << 20, &mut *out);
    let start = out.stream_position().map_err(|e| CaptureError::os("writing the dump", e))?;
    // Without the environment stream, the environment strings at the top
    // of the main thread's stack are blanked too.
    let hidden = match (&stat, options.skip_environment) {
        (Some(s), true) if s.env_end > s.env_start => Some((s.env_start, s.env_end)),
        _ => None,
    };
    let mut source = Redacted { inner: ProcessMemory::new(pid), hidden };
    let out = model.write(&mut out, &mut source)?;
    let end = out.stream_position().map_err(|e| CaptureError::os("writing the dump", e))?;
    out.flush().map_err(|e| CaptureError::os("writing the dump", e))?;
    Ok(DumpSummary {
        pid,
        threads: thread_ids,
        threads_missed: stopped.missed.clone(),
        modules: found.len(),
        crashing_thread: crash.map(|c| c.tid),
        bytes_written: end.saturating_sub(start),
        soft_errors: errors,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stacks_and_merging() {
        let maps: Vec<_> =
            procfs::parse_maps(b"10000-20000 rw-p 0 00:00 0 [stack]\n30000-31000 r-xp 0 08:01 3 /x\n").collect();
        assert_eq!(stack_range(0x1f000, &maps, 1 << 20), Some(MemoryRange { start: 0x1e000, size: 0x2000 }));
        assert_eq!(stack_range(0x1f000, &maps, 0x800), Some(MemoryRange { start: 0x1e000, size: 0x800 }));
        // An overflowed stack pointer just below the mapping.
        assert_eq!(stack_range(0xff00, &maps, 0x1000), Some(MemoryRange { start: 0x10000, size: 0x1000 }));
        assert_eq!(stack_range(0x5_0000_0000, &maps, 0x1000), None);
        let r = |start, size| MemoryRange { start, size };
        assert_eq!(merge_ranges(vec![r(10, 10), r(0, 5), r(15, 10), r(40, 0)]), vec![r(0, 5), r(10, 15)]);
        // Ranges at the top of the address space do not overflow.
        assert_eq!(merge_ranges(vec![r(u64::MAX - 4, 100), r(u64::MAX - 2, 100)]), vec![r(u64::MAX - 4, 4)]);
        assert_eq!(around(0x30010, 256, &maps), Some(r(0x30000, 0x90)));
        assert_eq!(around(0x40000, 256, &maps), None);
    }
}
