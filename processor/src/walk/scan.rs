//! Stack scanning: the caller whose return address is the first plausible
//! one above the stack pointer (Breakpad's `GetCallerByStackScan` of amd64,
//! arm and arm64; x86 scans inside its `STACK WIN` and frame pointer
//! steps), and amd64 Windows' return from a leaf function.

use super::Unwind;
use crate::frame::{FrameTrust, StackFrame};
use crate::registers::Arch;

/// Breakpad's `kRASearchWords`: how many words above the stack pointer a
/// scan looks at (plus the one at the stack pointer).
pub const SCAN_WORDS: u64 = 40;

/// How many words a scan for the context frame's caller looks at.
pub const CONTEXT_SCAN_WORDS: u64 = 4 * SCAN_WORDS;

/// The caller found by scanning: only its instruction and stack pointers
/// are known, plus on amd64 the frame pointer when the callee's looks like
/// it still holds or points at the caller's.
pub fn caller(u: &Unwind<'_, '_, '_>) -> Option<StackFrame> {
    if !u.scan_allowed {
        return None;
    }
    let cpu = u.cpu;
    let sp = u.stale(cpu.sp());
    let (location, ip) = u.scan(sp, u.scan_words())?;
    let mut registers = u.last.registers;
    registers.retain(&[]);
    registers.set(cpu.ip(), ip);
    registers.set(cpu.sp(), cpu.add(location, cpu.word));
    if cpu.arch == Arch::Amd64 {
        if let Some(rbp) = u.last.registers.get("rbp") {
            if location.wrapping_sub(8) == rbp {
                // The callee pushed the caller's %rbp just below the return
                // address and points at it.
                if let Some(caller_rbp) = u.stack.word(rbp).filter(|&v| v > location) {
                    registers.set("rbp", caller_rbp);
                }
            } else if rbp >= location.wrapping_add(8) {
                // Plausible as the caller's own: presume it was not changed.
                registers.set("rbp", rbp);
            }
        }
    }
    Some(StackFrame::new(0, FrameTrust::Scan, registers))
}

/// The caller of a leaf function of the context frame: the return address
/// is at the stack pointer (or the word above it), and every register keeps
/// its value. Breakpad tries it on amd64 Windows, whose leaf functions
/// need no unwind data.
pub fn leaf_caller(u: &Unwind<'_, '_, '_>) -> Option<StackFrame> {
    if !u.is_context() {
        return None;
    }
    let cpu = u.cpu;
    let (location, ip) = u.scan(u.stale(cpu.sp()), 1)?;
    let mut registers = u.last.registers;
    registers.set(cpu.ip(), ip);
    registers.set(cpu.sp(), cpu.add(location, cpu.word));
    Some(StackFrame::new(0, FrameTrust::Leaf, registers))
}
