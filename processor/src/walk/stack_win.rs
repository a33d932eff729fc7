//! x86 Windows frame data (`STACK WIN`), by Breakpad's
//! `StackwalkerX86::GetCallerByWindowsFrameInfo`.
//!
//! The caller is found by a postfix program over `$ebp`, `$esp` (and
//! `$ebx` when known) and the record's sizes:
//!
//! | name | value |
//! |---|---|
//! | `.cbCalleeParams` | parameter size of the frame the last one called (its `STACK WIN` record's, else its `FUNC`'s; 0 for the context frame) |
//! | `.cbSavedRegs`, `.cbLocals`, `.cbParams` | the record's sizes |
//! | `.raSearchStart`, `.raSearch` | where the return address should be: `$esp` plus the callee's parameters, the locals and the saved registers, moved up to a plausible return address within 3 words; `$ebp + 4` when the program aligns (`@`) |
//!
//! The program is the record's own (type 4), else for FPO records (type 0)
//! one of Breakpad's: with `allocates_base_pointer` the caller's `%ebp` is
//! read from the saved-register area; without it `%ebp` (and `%ebx`) carry
//! over.
//!
//! When the program fails, or gives an `%eip` outside every module, the
//! stack is scanned for a return address instead (trust `Scan` or
//! `CfiScan`); when the recovered `%ebp` does not point into the stack (or
//! frames were skipped), the saved-register area is searched for a value
//! that does.

use super::postfix::{Dictionary, Evaluator};
use super::provider::{WinFrameInfo, WinFrameKind};
use super::Unwind;
use crate::frame::{FrameTrust, StackFrame};
use crate::registers::Arch;

/// Breakpad's program for FPO frames that use `%ebp` for something else
/// and save the caller's with the other registers.
pub const PROGRAM_ALLOCATES_BP: &str =
    "$eip .raSearchStart ^ = $ebp $esp .cbCalleeParams + .cbSavedRegs + 8 - ^ = $esp .raSearchStart 4 + =";

/// Breakpad's program for FPO frames that do not touch `%ebp`.
pub const PROGRAM_NO_BP: &str = "$eip .raSearchStart ^ = $esp .raSearchStart 4 + =";

/// How many words past `.raSearchStart` the return address may be, for
/// stacks aligned to 16 bytes.
const ALIGNMENT_SEARCH_WORDS: u64 = 3;

/// The parameter size of the frame the last one called, as the walk of
/// that frame's caller would have found it: its `STACK WIN` record's, else
/// its `FUNC`'s (not a `PUBLIC`'s), else 0.
fn callee_parameter_size(u: &Unwind<'_, '_, '_>) -> u64 {
    let Some(callee) = u.callee() else {
        return 0;
    };
    let Some((module, offset)) = u.symbolized_at(callee.instruction) else {
        return 0;
    };
    if let Some(info) = u.symbols.win_frame(module, offset) {
        return info.parameter_size.into();
    }
    u.symbols.function_at(module, offset).filter(|f| !f.is_public).map_or(0, |f| f.parameter_size.into())
}

/// The caller by the `STACK WIN` record at the last frame's instruction.
pub fn caller(u: &Unwind<'_, '_, '_>) -> Option<StackFrame> {
    if u.cpu.arch != Arch::X86 {
        return None;
    }
    let (module, offset) = u.symbolized_at(u.last.instruction)?;
    let info = u.symbols.win_frame(module, offset)?;
    by_frame_info(u, &info)
}

/// The caller of the last frame by `info`; `None` only when the program
/// fails and no scan finds a return address either.
pub fn by_frame_info(u: &Unwind<'_, '_, '_>, info: &WinFrameInfo) -> Option<StackFrame> {
    let cpu = u.cpu;
    let last = &u.last.registers;
    let (esp, ebp) = (u.stale("esp"), u.stale("ebp"));
    let callee_params = callee_parameter_size(u);

    let mut dictionary = Dictionary::new();
    dictionary.define("$ebp", ebp);
    dictionary.define("$esp", esp);
    if let Some(ebx) = last.get("ebx") {
        dictionary.define("$ebx", ebx);
    }
    dictionary.define(".cbCalleeParams", callee_params);
    dictionary.define(".cbSavedRegs", info.saved_register_size.into());
    dictionary.define(".cbLocals", info.local_size.into());
    dictionary.define(".cbParams", info.parameter_size.into());

    let mut search_start =
        cpu.add(cpu.add(cpu.add(esp, callee_params), info.local_size.into()), info.saved_register_size.into());
    // Move up to a plausible return address, in case the stack was
    // aligned. An FPO system call stub of the context frame can have
    // returned already, leaving its own %eip on the stack: skip that word.
    if let Some((location, value)) = u.scan(search_start, ALIGNMENT_SEARCH_WORDS) {
        let eip = last.get("eip");
        let stub_returned =
            u.is_context() && info.kind == WinFrameKind::Fpo && location == search_start && Some(value) == eip;
        search_start = location;
        if stub_returned {
            search_start = cpu.add(search_start, 4);
            if let Some((location, _)) = u.scan(search_start, ALIGNMENT_SEARCH_WORDS) {
                search_start = location;
            }
        }
    }

    let mut recover_ebp = true;
    let program: String = match info.program_string.as_deref().filter(|p| !p.is_empty()) {
        Some(program) => program.to_string(),
        None if info.allocates_base_pointer => PROGRAM_ALLOCATES_BP.to_string(),
        None => {
            recover_ebp = false;
            let mut program = PROGRAM_NO_BP.to_string();
            if last.is_known("ebx") {
                program.push_str(" $ebx $ebx =");
            }
            program
        }
    };
    // An aligned stack makes %esp useless for finding the return address;
    // %ebp is the only anchor left.
    if last.is_known("ebp") && program.contains('@') {
        search_start = cpu.add(ebp, 4);
    }
    dictionary.define(".raSearchStart", search_start);
    dictionary.define(".raSearch", search_start);

    let read = |address| u.stack.word(address);
    let evaluated = Evaluator::new(cpu.word, &read).run(&program, &mut dictionary).is_ok();
    let mut trust = FrameTrust::Cfi;
    if !evaluated || !dictionary.assigned("$eip") || !dictionary.assigned("$esp") {
        // Perhaps %ebp points outside the stack in code without symbols:
        // look for a return address instead.
        let found = u.scan_allowed.then(|| u.scan(esp, u.scan_words())).flatten();
        let (location, eip) = found?;
        dictionary.define("$eip", eip);
        dictionary.define("$esp", cpu.add(location, 4));
        trust = FrameTrust::Scan;
    }

    // Both 0: the end of the stack, nothing to improve.
    if dictionary.value_or_zero("$eip") != 0 || dictionary.value_or_zero("$ebp") != 0 {
        let mut offset = 0;
        let eip = dictionary.value_or_zero("$eip");
        if u.module_at(eip).is_none() {
            // Not a return address: look further up for one.
            let start = cpu.add(dictionary.value_or_zero(".raSearchStart"), 4);
            if let Some((location, eip)) = u.scan_allowed.then(|| u.scan(start, u.scan_words())).flatten() {
                dictionary.define("$eip", eip);
                dictionary.define("$esp", cpu.add(location, 4));
                offset = cpu.sub(location, start);
                trust = FrameTrust::CfiScan;
            }
        }
        if recover_ebp {
            let caller_ebp = dictionary.value_or_zero("$ebp");
            // A scan may have skipped frames: then the recovered %ebp can
            // be below the return address's slot.
            let skipped = trust != FrameTrust::Cfi && caller_ebp <= cpu.add(search_start, offset);
            if skipped || !u.stack.readable(caller_ebp) {
                // Search the saved-register area, top down, for a value
                // that points into the stack.
                let low = cpu.add(esp, callee_params);
                let high = cpu.add(low, cpu.add(info.saved_register_size.into(), offset));
                let mut location = high;
                while location >= low {
                    let Some(candidate) = u.stack.word(location) else { break };
                    if u.stack.readable(candidate) {
                        dictionary.define("$ebp", candidate);
                        break;
                    }
                    let Some(next) = location.checked_sub(4) else { break };
                    location = next;
                }
            }
        }
    }

    let mut registers = *last;
    registers.retain(&[]);
    registers.set("eip", dictionary.value_or_zero("$eip"));
    registers.set("esp", dictionary.value_or_zero("$esp"));
    registers.set("ebp", dictionary.value_or_zero("$ebp"));
    for (name, variable) in [("ebx", "$ebx"), ("esi", "$esi"), ("edi", "$edi")] {
        if dictionary.assigned(variable) {
            registers.set(name, dictionary.value_or_zero(variable));
        }
    }
    Some(StackFrame::new(0, trust, registers))
}
