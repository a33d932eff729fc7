//! [`ProcessState`]: everything a processor learns from a dump, built the way
//! Breakpad's `MinidumpProcessor::Process` builds it.

use crate::analysis::{analyze, AnalysisInput, CrashAnalysis, MemoryRegions};
use crate::code_module::{
    dump_order, module_for_address, modules_of, unloaded_modules_of, CodeModule, SymbolStatus, UnloadedCodeModule,
};
use crate::crash_reason::crash_reason;
use crate::frame::StackFrame;
use crate::registers::{Arch, Registers};
use crate::system::{LsbRelease, SystemInfo};
use crate::walker::{walk, StackWalker, WalkContext};
use core::fmt;
use mdump_format::assertion_info::{ASSERTION_INFO_TYPE_INVALID_PARAMETER, ASSERTION_INFO_TYPE_PURE_VIRTUAL_CALL};
use mdump_format::exception::EXCEPTION_MAXIMUM_PARAMETERS;
use mdump_format::system_info::{
    PLATFORM_WIN32_NT, PROCESSOR_ARCHITECTURE_AMD64, PROCESSOR_ARCHITECTURE_ARM, PROCESSOR_ARCHITECTURE_ARM64,
    PROCESSOR_ARCHITECTURE_ARM64_OLD, PROCESSOR_ARCHITECTURE_X86,
};
use mdump_format::StreamType;
use mdump_reader::linux::{LinuxCpuInfo, LinuxLsbRelease, LinuxMaps, LinuxProcStatus};
use mdump_reader::{
    AssertionInfo, BreakpadInfo, Exception, MemoryIndex, Minidump, MiscInfo, ModuleList, SystemInfo as RawSystemInfo,
    ThreadList, ThreadNames, UnloadedModuleList,
};

/// The exception record as the dump gives it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ExceptionRecord {
    /// The exception code (`NTSTATUS`, signal number, Mach exception type).
    pub code: u32,
    /// The flags (on Linux the `si_code`, on macOS the Mach code).
    pub flags: u32,
    /// The exception address as written (see
    /// [`ProcessState::crash_address`] for the one reports show).
    pub address: u64,
    /// The parameters the record claims, at most 15.
    pub parameters: Vec<u64>,
}

/// How exploitable the crash looks (Breakpad's `ExploitabilityRating`).
/// Nothing analyses it yet: always [`Exploitability::NotAnalyzed`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub enum Exploitability {
    /// No analysis was run.
    #[default]
    NotAnalyzed,
    /// Analysed: not exploitable.
    None,
    /// Analysed: interesting.
    Interesting,
    /// Analysed: low.
    Low,
    /// Analysed: medium.
    Medium,
    /// Analysed: high.
    High,
}

/// One thread's call stack.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CallStack {
    /// The thread id.
    pub thread_id: u32,
    /// The frames, innermost first. Empty when the thread's context could
    /// not be read (Breakpad prints `<no frames>`).
    pub frames: Vec<StackFrame>,
    /// Why the stack could not be walked, if it could not.
    pub error: Option<mdump_reader::Error>,
    /// Why only frame 0 is known although the context was read: the walker
    /// has no unwinder for the thread's CPU (MIPS, PowerPC, SPARC, RISC-V for
    /// [`crate::BreakpadWalker`]): `stack walking is not supported for CPU
    /// <name>`. `None` for every walked stack, however short.
    pub note: Option<String>,
    /// The thread's name (ThreadNames stream), if the dump gives one.
    pub name: Option<String>,
    /// The Windows `GetLastError()` value of the thread, read from its
    /// thread environment block when the dump holds that memory.
    pub last_error: Option<u32>,
}

/// A thread of the dump's thread list that is not in
/// [`ProcessState::threads`]: the thread that wrote the dump.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SkippedThread {
    /// Its position in the dump's thread list.
    pub index: usize,
    /// Its thread id.
    pub thread_id: u32,
}

/// What went wrong so badly that there is no process state (Breakpad fails
/// the whole dump in the same cases).
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ProcessError {
    /// The dump has no ThreadList stream.
    NoThreadList,
    /// The ThreadList stream is unreadable.
    ThreadList(mdump_reader::Error),
}

impl fmt::Display for ProcessError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ProcessError::NoThreadList => f.write_str("the dump has no thread list"),
            ProcessError::ThreadList(e) => write!(f, "the thread list is unreadable: {e}"),
        }
    }
}

impl std::error::Error for ProcessError {}

/// The state of the crashed (or dumped) process.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProcessState {
    /// OS and CPU.
    pub system: SystemInfo,
    /// Whether the dump has an exception: the process crashed, rather than
    /// asked for a dump.
    pub crashed: bool,
    /// Breakpad's crash reason (see [`crate::crash_reason`]); empty if not
    /// crashed.
    pub crash_reason: String,
    /// The crash address: the faulting data address for Windows access
    /// violations, else the exception address; masked to 32 bits on 32-bit
    /// CPUs.
    pub crash_address: u64,
    /// The exception record, if crashed.
    pub exception: Option<ExceptionRecord>,
    /// The failed CRT check of Breakpad's AssertionInfo stream, as a
    /// sentence.
    pub assertion: Option<String>,
    /// When the dump was written (the header's time stamp, Unix seconds).
    pub time_date_stamp: u32,
    /// When the process started (MiscInfo), if the dump says.
    pub process_create_time: Option<u32>,
    /// Index into [`Self::threads`] of the thread that crashed or asked for
    /// the dump.
    pub requesting_thread: Option<usize>,
    /// The threads, in dump order, without the thread that wrote the dump
    /// (Breakpad's BreakpadInfo names it; its stack is the dumper's own).
    pub threads: Vec<CallStack>,
    /// The threads left out of [`Self::threads`], with their places in the
    /// dump's thread list.
    pub skipped_threads: Vec<SkippedThread>,
    /// The loaded modules, ordered by base address.
    pub modules: Vec<CodeModule>,
    /// The ModuleList's entries in file order, as indexes into
    /// [`Self::modules`] (the first is the main executable's).
    pub module_order: Vec<usize>,
    /// The modules the process had unloaded, in file order.
    pub unloaded_modules: Vec<UnloadedCodeModule>,
    /// The process id (MiscInfo, else the `Pid` of a Linux dump's
    /// `/proc/PID/status` copy).
    pub process_id: Option<u32>,
    /// The number of mappings in a Linux dump's `/proc/PID/maps` copy; `None`
    /// without one, or when a line of it is malformed.
    pub linux_memory_map_count: Option<usize>,
    /// The text of Mozilla's soft-error stream (JSON its writer could not
    /// report as failures), as written.
    pub soft_errors: Option<String>,
    /// rust-minidump's analysis of the crashing instruction (empty when not
    /// crashed, or when nothing was found).
    pub analysis: CrashAnalysis,
    /// Not analysed.
    pub exploitability: Exploitability,
    /// Streams that could not be read; what they would have given is
    /// missing from the state.
    pub errors: Vec<mdump_reader::Error>,
}

impl ProcessState {
    /// Processes `dump`: system facts, crash reason, modules, and each
    /// thread's stack from its context (the exception's context for the
    /// crashed thread), walked by `walker`.
    pub fn from_dump(dump: &Minidump<'_>, walker: &dyn StackWalker) -> Result<ProcessState, ProcessError> {
        let mut errors = Vec::new();
        let raw_system = keep_error(&mut errors, dump.stream::<RawSystemInfo>());
        let mut system = raw_system.as_ref().map(SystemInfo::from_stream).unwrap_or_default();
        if let Some(cpu_info) = keep_error(&mut errors, dump.stream::<LinuxCpuInfo>()) {
            system.cpu_microcode_version = cpu_info.get("microcode").and_then(microcode_version);
        }
        system.lsb_release =
            keep_error(&mut errors, dump.stream::<LinuxLsbRelease>()).map(|l| LsbRelease::from_stream(&l));
        let misc_info = keep_error(&mut errors, dump.stream::<MiscInfo>());
        let process_create_time = misc_info.as_ref().and_then(|m| m.process_create_time());
        let proc_status = keep_error(&mut errors, dump.stream::<LinuxProcStatus>());
        let process_id = misc_info
            .as_ref()
            .and_then(|m| m.process_id())
            .or_else(|| proc_status.and_then(|s| std::str::from_utf8(s.get("Pid")?).ok()?.parse().ok()));
        let linux_memory_map_count = keep_error(&mut errors, dump.stream::<LinuxMaps>())
            .and_then(|maps| maps.entries().try_fold(0usize, |n, entry| entry.ok().map(|_| n + 1)));
        let soft_errors = keep_error(&mut errors, dump.raw_stream(StreamType::MOZ_SOFT_ERRORS))
            .map(|bytes| String::from_utf8_lossy(bytes.as_slice()).into_owned());
        let unloaded_modules = keep_error(&mut errors, dump.stream::<UnloadedModuleList>())
            .map(|list| unloaded_modules_of(&list))
            .unwrap_or_default();
        let thread_names = keep_error(&mut errors, dump.stream::<ThreadNames>());
        let breakpad_info = keep_error(&mut errors, dump.stream::<BreakpadInfo>());
        let dump_thread = breakpad_info.and_then(|b| b.dump_thread_id());
        let mut requesting_id = breakpad_info.and_then(|b| b.requesting_thread_id());

        let exception = keep_error(&mut errors, dump.stream::<Exception>());
        let (mut crash_reason_text, mut crash_address, mut record) = (String::new(), 0, None);
        if let Some(e) = &exception {
            requesting_id = Some(e.thread_id());
            let raw = &e.raw.exception_record;
            (crash_reason_text, crash_address) = crash_reason(raw, dump.system_info_raw());
            let n = (raw.number_parameters.get() as usize).min(EXCEPTION_MAXIMUM_PARAMETERS);
            record = Some(ExceptionRecord {
                code: raw.exception_code.get(),
                flags: raw.exception_flags.get(),
                address: raw.exception_address.get(),
                parameters: raw.exception_information.iter().take(n).map(|p| p.get()).collect(),
            });
        }
        let assertion = keep_error(&mut errors, dump.stream::<AssertionInfo>()).map(|a| assertion_text(&a));
        let (modules, module_order) = match dump.stream::<ModuleList>() {
            Ok(Some(list)) => {
                let modules = modules_of(&list);
                let order = dump_order(&list, &modules);
                (modules, order)
            }
            Ok(None) => (Vec::new(), Vec::new()),
            Err(e) => {
                errors.push(e);
                (Vec::new(), Vec::new())
            }
        };
        let memory = MemoryIndex::new(dump).unwrap_or_else(|e| {
            errors.push(e);
            MemoryIndex::default()
        });

        let thread_list = match dump.stream::<ThreadList>() {
            Ok(Some(list)) => list,
            Ok(None) => return Err(ProcessError::NoThreadList),
            Err(e) => return Err(ProcessError::ThreadList(e)),
        };
        let mut modules = modules;
        let mut symbols = vec![SymbolStatus::NotLookedUp; modules.len()];
        let mut threads = Vec::with_capacity(thread_list.len());
        let mut skipped_threads = Vec::new();
        let mut requesting_thread = None;
        for (index, thread) in thread_list.iter().enumerate() {
            let id = thread.id();
            if dump_thread == Some(id) {
                skipped_threads.push(SkippedThread { index, thread_id: id });
                continue;
            }
            let name = thread_names.as_ref().and_then(|n| n.by_id(id)?.ok()).map(|n| n.to_string_lossy());
            let last_error = last_error_value(&system, thread.raw.teb.get(), &memory);
            let mut context = thread.context();
            if requesting_id == Some(id) && requesting_thread.is_none() {
                requesting_thread = Some(threads.len());
                if let Some(e) = &exception {
                    // The thread's own context is inside the exception
                    // handler; the exception's is where it crashed.
                    context = e.context().or(context);
                }
            }
            let stack = thread
                .stack()
                .ok()
                .filter(|s| s.size() > 0)
                .or_else(|| memory.region_at(thread.raw.stack.start_of_memory_range.get()).copied());
            let call_stack = match context {
                Ok(context) => {
                    let registers = Registers::from_context(&context);
                    let walk_context = WalkContext {
                        arch: registers.arch(),
                        thread_id: id,
                        stack,
                        memory: &memory,
                        modules: &modules,
                        system: &system,
                    };
                    let walked = walk(StackFrame::from_context(registers), &walk_context, walker);
                    for (module, status) in walked.symbols {
                        if let Some(slot) = symbols.get_mut(module) {
                            *slot = status;
                        }
                    }
                    CallStack { thread_id: id, frames: walked.frames, error: None, note: walked.note, name, last_error }
                }
                Err(e) => CallStack { thread_id: id, frames: Vec::new(), error: Some(e), note: None, name, last_error },
            };
            threads.push(call_stack);
        }

        let analysis = match (&exception, &record) {
            (Some(e), Some(record)) => {
                // The exception's own context, and the stack of the thread it
                // names (even the dump-writing one), as rust-minidump takes them.
                let registers = e.context().ok().map(|c| Registers::from_context(&c));
                let stack = thread_list.iter().find(|t| t.id() == e.thread_id()).and_then(|t| {
                    t.stack().ok().or_else(|| memory.region_at(t.raw.stack.start_of_memory_range.get()).copied())
                });
                analyze(&AnalysisInput {
                    system: &system,
                    record,
                    crash_address,
                    registers: registers.as_ref(),
                    memory: &memory,
                    stack: stack.as_ref(),
                    regions: &MemoryRegions::from_dump(dump),
                })
            }
            _ => CrashAnalysis::default(),
        };
        for (module, status) in modules.iter_mut().zip(symbols) {
            module.symbols = status;
        }
        Ok(ProcessState {
            system,
            crashed: exception.is_some(),
            crash_reason: crash_reason_text,
            crash_address,
            exception: record,
            assertion,
            time_date_stamp: dump.header().time_date_stamp.get(),
            process_create_time,
            requesting_thread,
            threads,
            skipped_threads,
            modules,
            module_order,
            unloaded_modules,
            process_id,
            linux_memory_map_count,
            soft_errors,
            analysis,
            exploitability: Exploitability::NotAnalyzed,
            errors,
        })
    }

    /// Seconds between process start and the dump, when both are known and
    /// in order (Breakpad's rule; `None` prints as "not available").
    pub fn uptime(&self) -> Option<u32> {
        let start = self.process_create_time.filter(|&t| t != 0)?;
        let end = self.time_date_stamp;
        (end != 0 && end >= start).then(|| end - start)
    }

    /// The main executable's module.
    pub fn main_module(&self) -> Option<&CodeModule> {
        self.modules.iter().find(|m| m.is_main)
    }

    /// Index into [`Self::modules`] of the module holding `address`.
    pub fn module_for_address(&self, address: u64) -> Option<usize> {
        module_for_address(&self.modules, address)
    }

    /// The CPU of the threads' registers (that of the first thread with a
    /// frame).
    pub fn arch(&self) -> Option<Arch> {
        self.threads.iter().find_map(|t| t.frames.first()).map(|f| f.registers.arch())
    }
}

/// The stream, or `None` with its error kept.
fn keep_error<T>(errors: &mut Vec<mdump_reader::Error>, r: mdump_reader::Result<Option<T>>) -> Option<T> {
    r.unwrap_or_else(|e| {
        errors.push(e);
        None
    })
}

/// A `microcode` value of `/proc/cpuinfo` (`0x2b`); only hexadecimal with
/// its `0x` is taken, as rust-minidump takes it.
fn microcode_version(value: &[u8]) -> Option<u64> {
    let hex = std::str::from_utf8(value).ok()?.strip_prefix("0x")?;
    u64::from_str_radix(hex, 16).ok()
}

/// The thread's `LastErrorValue` from its Windows thread environment block
/// at `teb`, when the dump holds that memory.
fn last_error_value(system: &SystemInfo, teb: u64, memory: &MemoryIndex<'_>) -> Option<u32> {
    if system.platform_id != Some(PLATFORM_WIN32_NT) || teb == 0 {
        return None;
    }
    let offset = match system.architecture? {
        PROCESSOR_ARCHITECTURE_X86 | PROCESSOR_ARCHITECTURE_ARM => 0x34,
        PROCESSOR_ARCHITECTURE_AMD64 | PROCESSOR_ARCHITECTURE_ARM64 | PROCESSOR_ARCHITECTURE_ARM64_OLD => 0x68,
        _ => return None,
    };
    memory.read_u32(teb.checked_add(offset)?)
}

/// Breakpad's one-line description of an AssertionInfo stream.
fn assertion_text(a: &AssertionInfo<'_>) -> String {
    let mut text = match a.assertion_type() {
        ASSERTION_INFO_TYPE_INVALID_PARAMETER => "Invalid parameter passed to library function".to_string(),
        ASSERTION_INFO_TYPE_PURE_VIRTUAL_CALL => "Pure virtual function called".to_string(),
        other => format!("Unknown assertion type 0x{other:08x}"),
    };
    let expression = a.expression();
    if !expression.is_empty() {
        text.push(' ');
        text.push_str(&expression);
    }
    let function = a.function();
    if !function.is_empty() {
        text.push_str(" in function ");
        text.push_str(&function);
    }
    let file = a.file();
    if !file.is_empty() {
        text.push_str(", in file ");
        text.push_str(&file);
    }
    if a.line() != 0 {
        text.push_str(&format!(" at line {}", a.line()));
    }
    text
}
