//! Breakpad's human-readable report, as `minidump_stackwalk` prints it
//! (`PrintProcessState` without stack contents).

use crate::code_module::file_name;
use crate::frame::{FrameTrust, StackFrame};
use crate::process_state::{CallStack, ProcessState};
use crate::registers::{Arch, Registers};
use std::io::{self, Write};

/// Registers Breakpad prints per frame, in its order, as `(register, label)`.
/// x86 prints its last four only when every register is known (frame 0).
const X86_ALWAYS: &[(&str, &str)] =
    &[("eip", "eip"), ("esp", "esp"), ("ebp", "ebp"), ("ebx", "ebx"), ("esi", "esi"), ("edi", "edi")];
const X86_IF_ALL: &[(&str, &str)] = &[("eax", "eax"), ("ecx", "ecx"), ("edx", "edx"), ("eflags", "efl")];
const AMD64: &[(&str, &str)] = &[
    ("rax", "rax"),
    ("rdx", "rdx"),
    ("rcx", "rcx"),
    ("rbx", "rbx"),
    ("rsi", "rsi"),
    ("rdi", "rdi"),
    ("rbp", "rbp"),
    ("rsp", "rsp"),
    ("r8", "r8"),
    ("r9", "r9"),
    ("r10", "r10"),
    ("r11", "r11"),
    ("r12", "r12"),
    ("r13", "r13"),
    ("r14", "r14"),
    ("r15", "r15"),
    ("rip", "rip"),
];
const ARM: &[(&str, &str)] = &[
    ("r0", "r0"),
    ("r1", "r1"),
    ("r2", "r2"),
    ("r3", "r3"),
    ("r4", "r4"),
    ("r5", "r5"),
    ("r6", "r6"),
    ("r7", "r7"),
    ("r8", "r8"),
    ("r9", "r9"),
    ("r10", "r10"),
    ("r12", "r12"),
    ("fp", "fp"),
    ("sp", "sp"),
    ("lr", "lr"),
    ("pc", "pc"),
];
const MIPS: &[(&str, &str)] = &[
    ("gp", "gp"),
    ("sp", "sp"),
    ("fp", "fp"),
    ("ra", "ra"),
    ("pc", "pc"),
    ("s0", "s0"),
    ("s1", "s1"),
    ("s2", "s2"),
    ("s3", "s3"),
    ("s4", "s4"),
    ("s5", "s5"),
    ("s6", "s6"),
    ("s7", "s7"),
];
const PPC: &[(&str, &str)] = &[("srr0", "srr0"), ("r1", "r1")];
const SPARC: &[(&str, &str)] = &[("r14", "sp"), ("r30", "fp"), ("pc", "pc")];

/// Breakpad's terminal width for register lines.
const MAX_WIDTH: usize = 80;

/// Writes `process` as `minidump_stackwalk` does: OS, CPU, GPU, crash,
/// the requesting thread first, the other threads, then the modules.
pub fn print_breakpad(process: &ProcessState, out: &mut dyn Write) -> io::Result<()> {
    let s = &process.system;
    writeln!(out, "Operating system: {}", s.os)?;
    writeln!(out, "                  {}", s.os_version)?;
    writeln!(out, "CPU: {}", s.cpu)?;
    if !s.cpu_info.is_empty() {
        writeln!(out, "     {}", s.cpu_info)?;
    }
    writeln!(out, "     {} CPU{}", s.cpu_count, if s.cpu_count != 1 { "s" } else { "" })?;
    writeln!(out)?;
    if s.gl_version.is_empty() && s.gl_vendor.is_empty() && s.gl_renderer.is_empty() {
        writeln!(out, "GPU: UNKNOWN")?;
    } else {
        writeln!(out, "GPU: {}\n     {}\n     {}", s.gl_version, s.gl_vendor, s.gl_renderer)?;
    }
    writeln!(out)?;

    if process.crashed {
        writeln!(out, "Crash reason:  {}", process.crash_reason)?;
        writeln!(out, "Crash address: 0x{:x}", process.crash_address)?;
        let parameters = process.exception.as_ref().map_or(&[][..], |e| &e.parameters[..]);
        if !parameters.is_empty() {
            writeln!(out, "Crash parameters:")?;
            for p in parameters {
                // Breakpad has no descriptions for the parameters yet.
                writeln!(out, "    value: 0x{p:016x}  description: ")?;
            }
        }
    } else {
        writeln!(out, "No crash")?;
    }
    if let Some(assertion) = process.assertion.as_deref().filter(|a| !a.is_empty()) {
        writeln!(out, "Assertion: {assertion}")?;
    }
    match process.uptime() {
        // Breakpad prints the difference with `%d`.
        Some(seconds) => writeln!(out, "Process uptime: {} seconds", seconds as i32)?,
        None => writeln!(out, "Process uptime: not available")?,
    }

    let requesting = process.requesting_thread.and_then(|i| Some((i, process.threads.get(i)?)));
    if let Some((index, stack)) = requesting {
        let why = if process.crashed { "crashed" } else { "requested dump, did not crash" };
        writeln!(out, "\nThread {index} ({why})")?;
        print_stack(process, stack, out)?;
    }
    for (index, stack) in process.threads.iter().enumerate() {
        if Some(index) != requesting.map(|(i, _)| i) {
            writeln!(out, "\nThread {index}")?;
            print_stack(process, stack, out)?;
        }
    }
    print_modules(process, out)
}

/// The frames of one thread.
fn print_stack(process: &ProcessState, stack: &CallStack, out: &mut dyn Write) -> io::Result<()> {
    if stack.frames.is_empty() {
        writeln!(out, " <no frames>")?;
    }
    for (index, frame) in stack.frames.iter().enumerate() {
        write!(out, "{index:2}  ")?;
        write_frame_location(process, frame, out)?;
        write!(out, "\n ")?;
        if frame.trust != FrameTrust::Inline {
            print_registers(&frame.registers, out)?;
        }
        writeln!(out, "\n    Found by: {}", frame.trust.description())?;
        // Not Breakpad's: it prints nothing, as if the thread had no callers.
        if let Some(note) = stack.note.as_deref().filter(|_| index == 0) {
            writeln!(out, " <{note}>")?;
        }
    }
    Ok(())
}

/// `module!function [file : line + 0xoff]`, or as much of it as is known.
fn write_frame_location(process: &ProcessState, frame: &StackFrame, out: &mut dyn Write) -> io::Result<()> {
    let address = frame.return_address();
    let Some(module) = frame.module.and_then(|m| process.modules.get(m)) else {
        return write!(out, "0x{address:x}");
    };
    write!(out, "{}", module.code_file_name())?;
    match &frame.function_name {
        Some(function) if !function.is_empty() => {
            write!(out, "!{function}")?;
            match &frame.source_file {
                Some(file) if !file.is_empty() => {
                    let base = frame.source_line_base.unwrap_or(address);
                    let line = frame.source_line.unwrap_or(0) as i32;
                    write!(out, " [{} : {line} + 0x{:x}]", file_name(file), address.wrapping_sub(base))
                }
                _ => write!(out, " + 0x{:x}", address.wrapping_sub(frame.function_base.unwrap_or(address))),
            }
        }
        _ => write!(out, " + 0x{:x}", address.wrapping_sub(module.base)),
    }
}

/// The registers Breakpad prints for a frame of this CPU, and whether they
/// print as 64-bit values.
fn printed_registers(registers: &Registers) -> (Vec<(&'static str, &'static str)>, bool) {
    let arch = registers.arch();
    match arch {
        Arch::X86 => {
            let mut list = X86_ALWAYS.to_vec();
            if registers.known_count() == arch.register_names().len() {
                list.extend_from_slice(X86_IF_ALL);
            }
            (list, false)
        }
        Arch::Amd64 => (AMD64.to_vec(), true),
        Arch::Arm => (ARM.to_vec(), false),
        // x0-x28, fp, lr, sp, pc: the table's order, without cpsr.
        Arch::Arm64 => (arch.register_names().iter().take(33).map(|n| (*n, *n)).collect(), true),
        Arch::Mips | Arch::Mips64 => (MIPS.to_vec(), true),
        Arch::Ppc => (PPC.to_vec(), false),
        Arch::Sparc => (SPARC.to_vec(), false),
        // Breakpad's report prints no registers for these.
        Arch::Ppc64 | Arch::Riscv64 => (Vec::new(), false),
    }
}

/// ` name = 0x...` for each printed register known in the frame, wrapped
/// at 80 columns the way Breakpad wraps them.
fn print_registers(registers: &Registers, out: &mut dyn Write) -> io::Result<()> {
    let (list, wide) = printed_registers(registers);
    let mut column = 0;
    for (name, label) in list {
        let Some(value) = registers.get(name) else { continue };
        let text = if wide {
            format!(" {label:>5} = 0x{value:016x}")
        } else {
            // 32-bit registers print their low half.
            format!(" {label:>5} = 0x{:08x}", value as u32)
        };
        if column + text.len() > MAX_WIDTH {
            column = 0;
            out.write_all(b"\n ")?;
        }
        out.write_all(text.as_bytes())?;
        column += text.len();
    }
    Ok(())
}

/// `Loaded modules:` and a line per module, with Breakpad's warnings for
/// modules whose symbols were missing or corrupt. Breakpad prints the
/// heading for any dump with a module list, even an empty one; here an
/// empty list prints nothing.
fn print_modules(process: &ProcessState, out: &mut dyn Write) -> io::Result<()> {
    if process.modules.is_empty() {
        return Ok(());
    }
    writeln!(out, "\nLoaded modules:")?;
    for m in &process.modules {
        let main = if m.is_main && m.base != 0 { "  (main)" } else { "" };
        write!(
            out,
            "0x{:08x} - 0x{:08x}  {}  {}{main}",
            m.base,
            m.last_address(),
            m.code_file_name(),
            m.version.as_deref().filter(|v| !v.is_empty()).unwrap_or("???")
        )?;
        let warning = match m.symbols {
            crate::SymbolStatus::Missing => "No symbols",
            crate::SymbolStatus::Corrupt => "Corrupt symbols",
            crate::SymbolStatus::NotLookedUp | crate::SymbolStatus::Loaded => "",
        };
        if !warning.is_empty() {
            write!(out, "  (WARNING: {warning}, {}, {})", m.debug_file_name(), m.debug_identifier)?;
        }
        writeln!(out)?;
    }
    Ok(())
}
