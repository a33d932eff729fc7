//! Frame pointer chains: the callee's frame pointer points at the saved
//! caller frame pointer, with the return address (or, on ARM, the caller's
//! link register) in the word above it.
//!
//! Each CPU checks the chain as Breakpad's walker for it does:
//!
//! * amd64 (`GetCallerByFramePointerRecovery`): `%rbp` 8-aligned, a
//!   canonical return address, the caller's `%rbp` at or above its `%rsp`
//!   and itself readable;
//! * x86 (`GetCallerByEBPAtBase`): no checks, but when the two words cannot
//!   be read, a stack scan, then the caller's `%ebp` from just below the
//!   return address found if it looks like a frame pointer;
//! * arm64: the callee's caller is at its link register; `x29` gives the
//!   next link register and frame pointer; a link register that is not
//!   known is recovered from the frame pointer chain when CFI agrees with
//!   it, and pointer authentication bits are stripped;
//! * arm (iOS only): the same with `r7` and 4-byte words.
//!
//! Breakpad reads the callee's frame pointer whether or not it is known
//! (a frame found by scanning keeps the stale value of its callee's); so
//! does this module.

use super::Unwind;
use crate::frame::{FrameTrust, StackFrame};
use crate::registers::{Arch, Registers};

/// Breakpad's `kMaxReasonableGapBetweenFrames`: 128 KiB, the largest gap
/// between the x86 frame pointer chains of two adjacent frames it trusts
/// after a scan.
pub const MAX_REASONABLE_FRAME_GAP: u64 = 128 * 1024;

/// The caller by the frame pointer, as the last frame's CPU does it.
pub fn caller(u: &Unwind<'_, '_, '_>) -> Option<StackFrame> {
    match u.cpu.arch {
        Arch::Amd64 => amd64(u),
        Arch::X86 => x86(u),
        Arch::Arm64 => link_register(u, "fp", arm64_callee_lr(u)),
        Arch::Arm if u.last.registers.is_known("r7") => link_register(u, "r7", Some(u.stale("lr"))),
        _ => None,
    }
}

/// A frame with the callee's registers (values only), knowing `known`.
fn frame(u: &Unwind<'_, '_, '_>, trust: FrameTrust, known: &[(&str, u64)]) -> StackFrame {
    let mut registers: Registers = u.last.registers;
    registers.retain(&[]);
    for (name, value) in known {
        registers.set(name, *value);
    }
    StackFrame::new(0, trust, registers)
}

fn amd64(u: &Unwind<'_, '_, '_>) -> Option<StackFrame> {
    let rbp = u.stale("rbp");
    if !rbp.is_multiple_of(8) {
        return None;
    }
    let ip = u.stack.word(rbp.checked_add(8)?)?;
    let caller_rbp = u.stack.word(rbp)?;
    let caller_rsp = rbp.checked_add(16)?;
    // Not canonical: not a return address, so %rbp was no frame pointer.
    if ip > 0x7fff_ffff_ffff && ip < 0xffff_8000_0000_0000 {
        return None;
    }
    if caller_rbp < caller_rsp || !u.stack.readable(caller_rbp) {
        return None;
    }
    Some(frame(u, FrameTrust::FramePointer, &[("rip", ip), ("rsp", caller_rsp), ("rbp", caller_rbp)]))
}

fn x86(u: &Unwind<'_, '_, '_>) -> Option<StackFrame> {
    let cpu = u.cpu;
    let ebp = u.stale("ebp");
    let chain = u.stack.word(cpu.add(ebp, 4)).zip(u.stack.word(ebp));
    if let Some((eip, caller_ebp)) = chain {
        return Some(frame(
            u,
            FrameTrust::FramePointer,
            &[("eip", eip), ("esp", cpu.add(ebp, 8)), ("ebp", caller_ebp)],
        ));
    }
    // %ebp does not point into the stack: code without frame pointers.
    if !u.scan_allowed {
        return None;
    }
    let (location, eip) = u.scan(u.stale("esp"), u.scan_words())?;
    let esp = cpu.add(location, 4);
    // The caller's %ebp may sit just below the return address, if the
    // callee set up a frame after all.
    let saved_at = cpu.sub(esp, 8);
    let caller_ebp =
        u.stack.word(saved_at).filter(|&v| v > saved_at && v - saved_at <= MAX_REASONABLE_FRAME_GAP).unwrap_or(ebp);
    Some(frame(u, FrameTrust::Scan, &[("eip", eip), ("esp", esp), ("ebp", caller_ebp)]))
}

/// The frame pointer step of ARM CPUs: the caller's instruction pointer is
/// the callee's link register `lr`; the frame pointer register `fp` points
/// at the caller's frame pointer and link register. A null frame pointer
/// leaves the stack pointer where it is.
fn link_register(u: &Unwind<'_, '_, '_>, fp: &str, lr: Option<u64>) -> Option<StackFrame> {
    let cpu = u.cpu;
    let lr = lr?;
    let last_fp = u.stale(fp);
    let (caller_fp, caller_lr, caller_sp) = if last_fp == 0 {
        (0, 0, u.stale(cpu.sp()))
    } else {
        let caller_fp = u.stack.word(last_fp)?;
        let caller_lr = u.stack.word(cpu.add(last_fp, cpu.word))?;
        (caller_fp, caller_lr, cpu.add(last_fp, 2 * cpu.word))
    };
    let caller_lr = if cpu.arch == Arch::Arm64 { strip_pointer_auth(u, caller_lr) } else { caller_lr };
    Some(frame(
        u,
        FrameTrust::FramePointer,
        &[(cpu.ip(), lr), ("lr", caller_lr), (fp, caller_fp), (cpu.sp(), caller_sp)],
    ))
}

/// The arm64 callee's link register: as known (the context's with its
/// pointer authentication bits stripped, as Breakpad strips them when it
/// makes the context frame), else as the frame pointer chain of its own
/// callee gives it, when that chain agrees with the frame pointer the
/// callee has (Breakpad's `CorrectRegLRByFramePointer`), else the stale
/// value.
fn arm64_callee_lr(u: &Unwind<'_, '_, '_>) -> Option<u64> {
    let regs = &u.last.registers;
    if let Some(lr) = regs.get("lr") {
        return Some(if u.is_context() { strip_pointer_auth(u, lr) } else { lr });
    }
    let stale = u.stale("lr");
    let (fp, sp) = (u.stale("fp"), u.stale("sp"));
    let Some(callee) = u.callee().filter(|_| fp > sp) else {
        return Some(stale);
    };
    let callee_fp = callee.registers.stale("fp").unwrap_or(0);
    if callee_fp == 0 {
        // A null chain gives 0 for both: it agrees only with a null fp,
        // which `fp > sp` excluded.
        return Some(stale);
    }
    let (Some(saved_fp), Some(saved_lr)) = (u.stack.word(callee_fp), u.stack.word(callee_fp.wrapping_add(8))) else {
        return Some(stale);
    };
    Some(if saved_fp == fp { strip_pointer_auth(u, saved_lr) } else { stale })
}

/// Breakpad's `PtrauthStrip`: `address` with the bits above the highest
/// module's end cleared, if that lands in a module.
pub fn strip_pointer_auth(u: &Unwind<'_, '_, '_>, address: u64) -> u64 {
    let Some(top) = u.context.modules.iter().map(|m| m.base.wrapping_add(m.size)).max() else {
        return address;
    };
    let mask = if top == 0 { 0 } else { u64::MAX >> top.leading_zeros() };
    let stripped = address & mask;
    if u.module_at(stripped).is_some() {
        stripped
    } else {
        address
    }
}
