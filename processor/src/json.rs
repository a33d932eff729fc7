//! The process state as rust-minidump's `minidump-stackwalk --json` prints
//! it (the schema of minidump-processor 0.27), so that tools written for
//! that output read ours.
//!
//! Every key rust-minidump prints is there, with its keys sorted as its
//! JSON maps sort them, its hexadecimal strings (`0x` and 8 digits on 32-bit
//! CPUs, 16 on the others), its names for frame trust (`"context"`,
//! `"cfi"`, `"frame_pointer"`, `"scan"`, `"cfi_scan"`, `"prewalked"`,
//! `"none"`), for crashes ([`crash_type`]) and for Windows error values
//! ([`windows_error_name`]). Where the two tools see the same thing
//! differently the values follow this crate's model:
//!
//! * frames are those of [`crate::BreakpadWalker`] (or whichever walker made
//!   the state), which can find other callers than rust-minidump's walker;
//!   each frame's `offset` is [`StackFrame::instruction`] (for a caller, the
//!   return address minus one, as rust-minidump reports it). Inlined frames
//!   ([`FrameTrust::Inline`]) go into the `inlines` list of the frame that
//!   holds them, innermost first, as rust-minidump nests them;
//! * the thread that wrote the dump is listed, with no frames, where the
//!   dump lists it, and `crash_info.crashing_thread` counts it;
//! * modules are listed in the dump's order; a module's symbols count as
//!   loaded when a symbol file was read, even a partly corrupt one (then
//!   `corrupt_symbols` is true as well);
//! * the analyses of the crashing instruction (`instruction`,
//!   `memory_accesses`, `adjusted_address`, `possible_bit_flips`,
//!   `instruction_pointer_update`) and the checks of the crash against it
//!   (`crash_inconsistencies`) are [`crate::analysis`]'s, which follows
//!   rust-minidump's rules (the instruction is disassembled for amd64
//!   crashes only, as rust-minidump does);
//! * `mac_crash_info`, `mac_boot_args`, `handles` and `proc_limits` are
//!   `null` (those streams are not read), `cert_subject` and `symbol_url`
//!   are `null` and `modules_contains_cert_info` is false: no certificate or
//!   symbol-server information is kept;
//! * a thread whose CPU has no stack walker (MIPS, PowerPC, SPARC, RISC-V)
//!   has an extra key, [`WALK_NOTE_KEY`], saying stack walking is not
//!   supported for its CPU, where rust-minidump would list whatever its
//!   walker guessed;
//! * a Breakpad leaf-return frame ([`FrameTrust::Leaf`]) has trust
//!   `"scan"`: rust-minidump has no such trust and finds that caller by
//!   scanning (the word at the stack pointer is its first candidate).

mod analysis;
mod names;
mod stream;

/// The key of a thread's [`CallStack::note`](crate::CallStack::note) (stack
/// walking not supported for its CPU), present only when there is a note.
/// rust-minidump has no such key; its consumers ignore keys they do not
/// know, so adding it keeps the schema theirs.
pub const WALK_NOTE_KEY: &str = "mdump_stack_walk_note";

pub use names::{crash_type, windows_error_name};

use crate::code_module::{file_name, CodeModule, SymbolStatus};
use crate::frame::{FrameTrust, StackFrame};
use crate::process_state::{CallStack, ProcessState};
use crate::registers::{Arch, Registers};
use serde_json::{json, Map, Value};
use std::collections::{BTreeMap, BTreeSet};
use std::io::{self, Write};

/// The state as rust-minidump's JSON report (a JSON object, keys sorted).
pub fn to_json(state: &ProcessState) -> Value {
    let hex = Hex::for_cpu(&state.system.cpu);
    let (entries, crashing_index) = thread_entries(state);
    let threads: Vec<Value> = entries.iter().map(|e| thread_json(state, e, hex)).collect();

    let mut crashing_thread = Value::Null;
    if let (Some(index), Some(ThreadEntry::Stack(stack))) =
        (crashing_index, crashing_index.and_then(|i| entries.get(i)))
    {
        // A copy of the thread, with its index and the registers of the
        // frame the context gave; only when there is such a frame.
        if let (Some(frame0), Some(Value::Object(thread))) =
            (stack.frames.iter().find(|f| f.trust != FrameTrust::Inline), threads.get(index))
        {
            let mut thread = thread.clone();
            if let Some(Value::Object(first)) = thread.get_mut("frames").and_then(|f| f.get_mut(0)) {
                first.insert("registers".into(), registers_json(&frame0.registers));
            }
            thread.insert("threads_index".into(), json!(index));
            crashing_thread = Value::Object(thread);
        }
    }

    let record = state.exception.as_ref().filter(|_| state.crashed);
    let mut crash_info = json!({
        "address": record.map(|_| hex.format(state.crash_address)),
        "assertion": state.assertion,
        "crashing_thread": crashing_index,
        "type": record.map(|r| crash_type(r, &state.system)),
    });
    if let Value::Object(info) = &mut crash_info {
        for (key, value) in analysis::analysis_entries(&state.analysis) {
            info.insert(key.to_string(), if record.is_some() { value } else { Value::Null });
        }
    }

    let modules: Vec<Value> =
        module_order(state).filter_map(|i| state.modules.get(i)).map(|m| module_json(m, hex)).collect();
    let unloaded: Vec<Value> = state
        .unloaded_modules
        .iter()
        .map(|m| {
            json!({
                "base_addr": hex.format(m.base),
                "cert_subject": null,
                "code_id": format!("{:08x}{:x}", m.time_date_stamp, m.size),
                "end_addr": hex.format(m.base.wrapping_add(m.size)),
                "filename": m.code_file,
            })
        })
        .collect();

    let mut report = json!({
        "crash_info": crash_info,
        "handles": null,
        "linux_memory_map_count": state.linux_memory_map_count,
        "lsb_release": state.system.lsb_release.as_ref().map(|l| json!({
            "codename": l.codename,
            "description": l.description,
            "id": l.id,
            "release": l.release,
        })),
        "mac_boot_args": null,
        "mac_crash_info": null,
        "main_module": (!modules.is_empty()).then_some(0),
        "modules": modules,
        "modules_contains_cert_info": false,
        "pid": state.process_id,
        "proc_limits": null,
        "process_uptime": state.process_create_time.map(|start| state.time_date_stamp.saturating_sub(start)),
        "soft_errors": state.soft_errors.as_deref().and_then(|text| serde_json::from_str::<Value>(text).ok()),
        "status": "OK",
        "system_info": system_json(state),
        "thread_count": threads.len(),
        "threads": threads,
        "unloaded_modules": unloaded,
    });
    if let (Value::Object(map), false) = (&mut report, crashing_thread.is_null()) {
        map.insert("crashing_thread".into(), crashing_thread);
    }
    sort_keys(report)
}

/// Writes [`to_json`] to `out`, indented by two spaces if `pretty` (as
/// `minidump-stackwalk --json --pretty` does), with no newline after it:
/// the bytes `serde_json::to_writer` (`to_writer_pretty`) prints for the
/// tree, written as they are made, with no tree built.
pub fn print_json(state: &ProcessState, out: &mut dyn Write, pretty: bool) -> io::Result<()> {
    let mut writer = stream::JsonWriter::new(io::BufWriter::with_capacity(64 * 1024, out), pretty);
    stream::write_report(state, &mut writer)?;
    writer.into_inner().into_inner().map_err(io::IntoInnerError::into_error)?;
    Ok(())
}

/// How rust-minidump writes addresses: `0x` and 8 hexadecimal digits when
/// the dump's CPU has 32-bit pointers, 16 otherwise (unknown CPUs too).
#[derive(Clone, Copy, Debug)]
struct Hex {
    digits: usize,
}

impl Hex {
    fn for_cpu(cpu: &str) -> Hex {
        let narrow = matches!(cpu, "x86" | "arm" | "ppc" | "mips");
        Hex { digits: if narrow { 8 } else { 16 } }
    }

    fn format(self, value: u64) -> String {
        format!("{value:#0width$x}", width = self.digits + 2)
    }
}

/// One thread of the dump's thread list: walked, or the dump-writing thread
/// that was left out.
enum ThreadEntry<'a> {
    Stack(&'a CallStack),
    Skipped(u32),
}

/// The dump's thread list in its order, and the position in it of the
/// requesting thread.
fn thread_entries(state: &ProcessState) -> (Vec<ThreadEntry<'_>>, Option<usize>) {
    let mut skipped: Vec<_> = state.skipped_threads.iter().collect();
    skipped.sort_by_key(|s| s.index);
    let mut skipped = skipped.into_iter().peekable();
    let mut stacks = state.threads.iter().enumerate().peekable();
    let (mut entries, mut requesting) = (Vec::new(), None);
    loop {
        let position = entries.len();
        if let Some(s) = skipped.next_if(|s| s.index <= position || stacks.peek().is_none()) {
            entries.push(ThreadEntry::Skipped(s.thread_id));
        } else if let Some((i, stack)) = stacks.next() {
            if state.requesting_thread == Some(i) {
                requesting = Some(position);
            }
            entries.push(ThreadEntry::Stack(stack));
        } else {
            break;
        }
    }
    (entries, requesting)
}

fn thread_json(state: &ProcessState, entry: &ThreadEntry<'_>, hex: Hex) -> Value {
    match entry {
        ThreadEntry::Skipped(id) => json!({
            "frame_count": 0,
            "frames": [],
            "last_error_value": null,
            "thread_id": id,
            "thread_name": null,
        }),
        ThreadEntry::Stack(stack) => {
            let frames = frames_json(state, &stack.frames, hex);
            let mut thread = json!({
                "frame_count": frames.len(),
                "frames": frames,
                "last_error_value": stack.last_error.map(windows_error_name),
                "thread_id": stack.thread_id,
                "thread_name": stack.name,
            });
            if let (Some(note), Value::Object(map)) = (&stack.note, &mut thread) {
                map.insert(WALK_NOTE_KEY.to_string(), json!(note));
            }
            thread
        }
    }
}

/// The frames, inlined frames folded into the frame that holds them.
fn frames_json(state: &ProcessState, frames: &[StackFrame], hex: Hex) -> Vec<Value> {
    let mut out = Vec::with_capacity(frames.len());
    let mut inlines = Vec::new();
    for (i, frame) in frames.iter().enumerate() {
        let holder_follows = frames.get(i + 1..).is_some_and(|rest| !rest.is_empty());
        if frame.trust == FrameTrust::Inline && holder_follows {
            inlines.push(json!({
                "file": frame.source_file,
                "function": frame.function_name,
                "line": frame.source_line,
            }));
            continue;
        }
        let index = out.len();
        out.push(frame_json(state, frame, index, std::mem::take(&mut inlines), hex));
    }
    out
}

fn frame_json(state: &ProcessState, frame: &StackFrame, index: usize, inlines: Vec<Value>, hex: Hex) -> Value {
    let at = frame.instruction;
    let module = frame.module.and_then(|m| state.modules.get(m));
    let symbolized = frame.function_name.is_some();
    let unloaded = if module.is_some() { None } else { unloaded_modules_at(state, at, hex) };
    json!({
        "file": frame.source_file,
        "frame": index,
        "function": frame.function_name,
        "function_offset": frame.function_base.filter(|_| symbolized).map(|base| hex.format(at.wrapping_sub(base))),
        "inlines": (!inlines.is_empty()).then_some(inlines),
        "line": frame.source_line,
        "missing_symbols": !symbolized,
        "module": module.map(|m| m.code_file_name()),
        "module_offset": module.map(|m| hex.format(at.wrapping_sub(m.base))),
        "offset": hex.format(at),
        "trust": frame.trust.json_name(),
        "unloaded_modules": unloaded,
    })
}

/// The unloaded modules that held `address`, each with the offsets of the
/// address in it (one per unloaded copy), as rust-minidump lists them for a
/// frame in no loaded module.
fn unloaded_modules_at(state: &ProcessState, address: u64, hex: Hex) -> Option<Value> {
    let mut by_name: BTreeMap<&str, BTreeSet<u64>> = BTreeMap::new();
    for m in state.unloaded_modules.iter().filter(|m| m.contains(address)) {
        by_name.entry(&m.code_file).or_default().insert(address - m.base);
    }
    (!by_name.is_empty()).then(|| {
        by_name
            .into_iter()
            .map(|(name, offsets)| {
                let offsets: Vec<String> = offsets.into_iter().map(|o| hex.format(o)).collect();
                json!({ "module": name, "offsets": offsets })
            })
            .collect()
    })
}

/// The registers rust-minidump shows for frame 0 of the crashing thread
/// (when the frame knows them), by CPU.
fn shown_registers(arch: Arch) -> &'static [&'static str] {
    match arch {
        Arch::X86 => &["eip", "esp", "ebp", "ebx", "esi", "edi", "eax", "ecx", "edx", "eflags"],
        Arch::Amd64 => &[
            "rax", "rdx", "rcx", "rbx", "rsi", "rdi", "rbp", "rsp", "r8", "r9", "r10", "r11", "r12", "r13", "r14",
            "r15", "rip",
        ],
        // Every register of the table but the status register.
        Arch::Arm | Arch::Arm64 => arch.register_names().split_last().map_or(&[], |(_, rest)| rest),
        _ => arch.register_names(),
    }
}

/// The general-purpose registers rust-minidump shows for frame 0 of the
/// crashing thread, those the frame knows, at the width of the CPU's
/// registers.
fn registers_json(registers: &Registers) -> Value {
    let arch = registers.arch();
    let names = shown_registers(arch);
    let digits = usize::from(arch.pointer_size()) * 2;
    let map: Map<String, Value> = names
        .iter()
        .filter_map(|&name| {
            let value = registers.get(name)?;
            Some((name.to_string(), json!(format!("{value:#0width$x}", width = digits + 2))))
        })
        .collect();
    Value::Object(map)
}

/// Indexes into [`ProcessState::modules`] in the dump's order (the sorted
/// order when the state does not say).
fn module_order(state: &ProcessState) -> Box<dyn Iterator<Item = usize> + '_> {
    if state.module_order.is_empty() {
        Box::new(0..state.modules.len())
    } else {
        Box::new(state.module_order.iter().copied())
    }
}

fn module_json(m: &CodeModule, hex: Hex) -> Value {
    // rust-minidump's code id: an ELF build id in lower case, else the
    // PE-style time stamp and size (which Linux modules without a build id
    // get too).
    let code_id = match m.code_identifier.as_str() {
        "" | "id" => format!("{:08x}{:x}", m.time_date_stamp, m.size),
        id => id.to_ascii_lowercase(),
    };
    let debug_id = match m.debug_identifier.as_str() {
        "" => "0".repeat(33),
        id => id.to_string(),
    };
    json!({
        "base_addr": hex.format(m.base),
        "cert_subject": null,
        "code_id": code_id,
        "corrupt_symbols": m.symbols == SymbolStatus::Corrupt,
        "debug_file": file_name(&m.debug_file),
        "debug_id": debug_id,
        "end_addr": hex.format(m.base.wrapping_add(m.size)),
        "filename": m.code_file_name(),
        "loaded_symbols": matches!(m.symbols, SymbolStatus::Loaded | SymbolStatus::Corrupt),
        "missing_symbols": m.symbols == SymbolStatus::Missing,
        "symbol_url": null,
        "version": m.version,
    })
}

fn system_json(state: &ProcessState) -> Value {
    let s = &state.system;
    let cpu_arch = match s.cpu.as_str() {
        hex if hex.starts_with("0x") => "unknown",
        name => name,
    };
    json!({
        "cpu_arch": cpu_arch,
        "cpu_count": s.cpu_count,
        "cpu_info": Some(&s.cpu_info).filter(|i| !i.is_empty()),
        "cpu_microcode_version": s.cpu_microcode_version.map(|v| format!("{v:#x}")),
        "os": s.os,
        "os_ver": os_version(&s.os_version),
    })
}

/// rust-minidump's OS version: `major.minor.build` and the CSD version after
/// a space when there is one; for Linux (`0.0.0` and a `uname -srvm` line)
/// the kernel release and its build line, without the machine.
pub fn os_version(breakpad: &str) -> String {
    let (version, build) = breakpad.split_once(' ').unwrap_or((breakpad, ""));
    if version == "0.0.0" {
        if let Some((release, kernel_build)) = linux_uname(build) {
            return format!("{release} {kernel_build}");
        }
    }
    if build.is_empty() {
        version.to_string()
    } else {
        format!("{version} {build}")
    }
}

/// `Linux RELEASE BUILD... MACHINE [GNU/Linux]` as `(RELEASE, BUILD...)`.
fn linux_uname(line: &str) -> Option<(&str, &str)> {
    let rest = line.strip_prefix("Linux ")?;
    let rest = rest.strip_suffix(" GNU/Linux").unwrap_or(rest);
    let (release, rest) = rest.split_once(' ')?;
    let (build, machine) = rest.rsplit_once(' ')?;
    let word = |s: &str| !s.is_empty() && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
    (!release.is_empty() && !build.is_empty() && word(machine)).then_some((release, build))
}

/// `value` with every object's keys in sorted order, as rust-minidump's JSON
/// maps (ordered maps) print them; sorted in place, nothing rebuilt.
fn sort_keys(mut value: Value) -> Value {
    value.sort_all_objects();
    value
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hex_widths() {
        assert_eq!(Hex::for_cpu("x86").format(0x45), "0x00000045");
        assert_eq!(Hex::for_cpu("amd64").format(0x45), "0x0000000000000045");
        assert_eq!(Hex::for_cpu("").format(0), "0x0000000000000000");
        assert_eq!(Hex::for_cpu("arm").format(u64::MAX), "0xffffffffffffffff");
    }

    #[test]
    fn os_versions() {
        assert_eq!(os_version("5.1.2600 Service Pack 2"), "5.1.2600 Service Pack 2");
        assert_eq!(os_version("10.0.19042 "), "10.0.19042");
        assert_eq!(os_version("10.0.19042"), "10.0.19042");
        assert_eq!(
            os_version("0.0.0 Linux 3.13.0-53-generic #89-Ubuntu SMP Wed May 20 10:34:39 UTC 2015 x86_64"),
            "3.13.0-53-generic #89-Ubuntu SMP Wed May 20 10:34:39 UTC 2015"
        );
        assert_eq!(os_version("0.0.0 Linux 4.9 #1 SMP x86_64 GNU/Linux"), "4.9 #1 SMP");
        assert_eq!(os_version("0.0.0 Darwin 1 2"), "0.0.0 Darwin 1 2");
        assert_eq!(os_version("0.0.0"), "0.0.0");
    }

    #[test]
    fn keys_sorted_deeply() {
        let v = sort_keys(json!({"b": 1, "a": [{"z": 1, "r10": 2, "r8": 3}]}));
        assert_eq!(serde_json::to_string(&v).unwrap(), r#"{"a":[{"r10":2,"r8":3,"z":1}],"b":1}"#);
    }
}
