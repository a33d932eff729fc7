//! A frame's function and source line from its module's symbols
//! (Breakpad's `BasicSourceLineResolver::Module::LookupAddress`): the
//! `FUNC` containing the instruction with the line record containing it,
//! else the `PUBLIC` symbol Breakpad names it by (no line); and, when the
//! instruction is inside inlined code, a frame per inlined call.

use super::{has_symbols, InlineInfo, SymbolProvider};
use crate::code_module::SymbolStatus;
use crate::frame::{FrameTrust, StackFrame};
use crate::registers::Registers;
use crate::walker::WalkContext;

/// Breakpad's name for an inlined function whose `INLINE_ORIGIN` is missing.
pub const NAME_OMITTED: &str = "<name omitted>";

/// Fills in `frame`'s function, function base, source file, line and line
/// base from `symbols`, pushes onto `inlined` the frames of the calls
/// inlined at its instruction, and says what became of its module's
/// symbols ([`SymbolStatus::NotLookedUp`] for a frame outside every
/// module).
///
/// Inlined frames are made as Breakpad's `ConstructInlineFrames` makes
/// them, innermost first (the order they are printed in, before `frame`):
///
/// * the innermost inlined function gets the line record's file and line;
/// * each enclosing inlined function gets the call site of the call inlined
///   into it (the `INLINE` record's line, and its file in the new form, else
///   the line record's file);
/// * `frame` keeps the `FUNC`'s name and gets the call site of the
///   outermost inlined call;
/// * an inlined frame's function base is the start of its record's range
///   containing the instruction, its line base the line record's; it has
///   trust [`FrameTrust::Inline`] and no registers.
pub fn symbolize(
    symbols: &dyn SymbolProvider,
    context: &WalkContext<'_, '_>,
    frame: &mut StackFrame,
    inlined: &mut Vec<StackFrame>,
) -> SymbolStatus {
    let Some(module) = frame.module.and_then(|m| context.modules.get(m)) else {
        return SymbolStatus::NotLookedUp;
    };
    let status = symbols.status(module);
    if !has_symbols(status) {
        return status;
    }
    let offset = frame.instruction.wrapping_sub(module.base);
    let Some(function) = symbols.function_at(module, offset) else {
        return status;
    };
    frame.function_base = Some(module.base.wrapping_add(function.address));
    frame.function_name = Some(function.name);
    if function.is_public {
        return status;
    }
    if let Some(line) = symbols.line_at(module, offset) {
        frame.source_file = line.file;
        frame.source_line = Some(line.line);
        frame.source_line_base = Some(module.base.wrapping_add(line.address));
    }
    let chain = symbols.inline_chain_at(module, offset);
    push_inlined(frame, module.base, &chain, inlined);
    status
}

/// The frames of `chain` (outermost first) for `frame`, innermost first,
/// and `frame`'s call site.
fn push_inlined(frame: &mut StackFrame, base: u64, chain: &[InlineInfo], inlined: &mut Vec<StackFrame>) {
    if chain.is_empty() {
        return;
    }
    // Each level's line is the call site of the level inside it; the
    // innermost level's is the line record's.
    let mut file = frame.source_file.clone();
    let mut line = frame.source_line;
    for level in chain.iter().rev() {
        let mut f = StackFrame::new(frame.instruction, FrameTrust::Inline, Registers::new(frame.registers.arch()));
        f.module = frame.module;
        f.function_name = Some(level.name.clone().unwrap_or_else(|| NAME_OMITTED.to_string()));
        f.function_base = Some(base.wrapping_add(level.range_address));
        f.source_file = file;
        f.source_line = line;
        f.source_line_base = frame.source_line_base;
        inlined.push(f);
        file = level.call_file.clone().or_else(|| frame.source_file.clone());
        line = Some(level.call_line);
    }
    frame.source_file = file;
    frame.source_line = line;
}
