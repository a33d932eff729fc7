//! A frame's function and source line from its module's symbols
//! (Breakpad's `BasicSourceLineResolver::Module::LookupAddress`): the
//! `FUNC` containing the instruction with the line record containing it,
//! else the `PUBLIC` symbol Breakpad names it by (no line).

use super::{has_symbols, SymbolProvider};
use crate::code_module::SymbolStatus;
use crate::frame::StackFrame;
use crate::walker::WalkContext;

/// Fills in `frame`'s function, function base, source file, line and line
/// base from `symbols`, and says what became of its module's symbols
/// ([`SymbolStatus::NotLookedUp`] for a frame outside every module).
pub fn symbolize(symbols: &dyn SymbolProvider, context: &WalkContext<'_, '_>, frame: &mut StackFrame) -> SymbolStatus {
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
    if !function.is_public {
        if let Some(line) = symbols.line_at(module, offset) {
            frame.source_file = line.file;
            frame.source_line = Some(line.line);
            frame.source_line_base = Some(module.base.wrapping_add(line.address));
        }
    }
    status
}
