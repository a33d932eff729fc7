//! [`BreakpadWalker`]: Breakpad's stack walker for x86, amd64, arm and
//! arm64, over any [`SymbolProvider`].
//!
//! For each frame the walker tries the CPU's recovery methods in Breakpad's
//! order (see [`arch`]) and keeps the first caller one of them gives:
//!
//! * `STACK WIN` frame data (x86, [`stack_win`]): the record's program, or
//!   Breakpad's programs for FPO records, evaluated by [`postfix`], with
//!   Breakpad's rescue scans;
//! * `STACK CFI` rules ([`cfi`]): `.cfa`, `.ra` and register rules;
//! * the frame pointer ([`frame_pointer`]): `%rbp` (not on Windows), `%ebp`
//!   (falling back to a scan), `x29`/`lr` on arm64, `r7` on iOS ARM;
//! * stack scanning ([`scan`]): the first word within 40 words of the stack
//!   pointer (160 for the caller of the context frame) that, minus one,
//!   points into a module and, if the module has symbols, into a function;
//!   on amd64 Windows first a return from a leaf function.
//!
//! Each method sets the caller's known registers as Breakpad's does (CFI
//! keeps the callee-saved registers its rules do not mention, a frame
//! pointer step knows the instruction, stack and frame pointers, a scan
//! only the instruction and stack pointers), and the frame's
//! [`FrameTrust`]. A caller is refused, and the walk ends, when its
//! instruction pointer is below 4096 or its stack pointer is not above the
//! callee's (equal is allowed for the caller of the context frame).
//!
//! The walker reads only the thread's own stack memory, as Breakpad does.
//! Everything it does per frame is bounded: scans by their word counts,
//! programs and rules by the evaluator's caps, the walk itself by
//! [`crate::MAX_FRAMES`] and [`BreakpadWalker::max_scanned_frames`].
//!
//! Frames are symbolized ([`symbolize`]) from the same provider: function
//! name and base, source file, line and line base. [`SymbolFiles`] is the
//! provider over Breakpad `.sym` files (`mdump-symbols` and its store).
//! A frame inside inlined code (`INLINE` records) also gets a frame per
//! inlined call, placed before it as Breakpad places them (see
//! [`symbolize::symbolize`]).
//!
//! Other CPUs (MIPS, PowerPC, SPARC, RISC-V) get their context frame only,
//! and the walk says so ([`crate::Walk::note`], printed by the reports).

pub mod arch;
pub mod cfi;
pub mod frame_pointer;
pub mod memory;
pub mod postfix;
pub mod provider;
pub mod scan;
pub mod stack_win;
pub mod symbol_files;
pub mod symbolize;

#[cfg(test)]
mod tests;

use crate::code_module::{CodeModule, SymbolStatus};
use crate::frame::{FrameTrust, StackFrame};
use crate::walker::{StackWalker, WalkContext, MAX_FRAMES};
use arch::{Cpu, Method};
use memory::Stack;
pub use provider::{
    FunctionInfo, InlineInfo, LineInfo, NoSymbols, RulesFn, SymbolProvider, WinFrameInfo, WinFrameKind,
};
pub use symbol_files::SymbolFiles;

/// Breakpad's stack walker over the symbols of `P`.
#[derive(Clone, Debug, Default)]
pub struct BreakpadWalker<P> {
    symbols: P,
    /// The walk stops scanning (but still follows CFI, `STACK WIN` and frame
    /// pointers) once this many frames were found by scanning. Default:
    /// [`MAX_FRAMES`], that is no limit beyond the walk's own.
    pub max_scanned_frames: usize,
}

impl<P: SymbolProvider> BreakpadWalker<P> {
    /// A walker looking symbols up in `symbols`.
    pub fn new(symbols: P) -> Self {
        BreakpadWalker { symbols, max_scanned_frames: MAX_FRAMES }
    }

    /// The symbol provider.
    pub fn symbols(&self) -> &P {
        &self.symbols
    }
}

impl<P: SymbolProvider> StackWalker for BreakpadWalker<P> {
    fn next_frame(&self, context: &WalkContext<'_, '_>, frames: &[StackFrame]) -> Option<StackFrame> {
        let last = frames.last()?;
        let cpu = Cpu::of(last.registers.arch())?;
        let stack = Stack::new(cpu, context.stack);
        if !stack.exists() {
            return None;
        }
        let scanned =
            frames.iter().filter(|f| matches!(f.trust, FrameTrust::None | FrameTrust::Scan | FrameTrust::CfiScan));
        let unwind = Unwind {
            cpu,
            stack,
            context,
            symbols: &self.symbols,
            frames,
            last,
            scan_allowed: scanned.count() < self.max_scanned_frames,
        };
        let os = context.system.os_short.as_str();
        let mut caller = cpu.steps.iter().filter(|s| s.applies(os)).find_map(|step| match step.method {
            Method::StackWin => stack_win::caller(&unwind),
            Method::Cfi => cfi::caller(&unwind),
            Method::Leaf => scan::leaf_caller(&unwind),
            Method::FramePointer => frame_pointer::caller(&unwind),
            Method::Scan => scan::caller(&unwind),
        })?;
        // Breakpad's TerminateWalk: an instruction pointer in the first page
        // is the end of the stack; the stack pointer must move up.
        let ip = caller.registers.instruction_pointer()?;
        let sp = caller.registers.stack_pointer()?;
        let last_sp = last.registers.stale(cpu.sp())?;
        let moved = if unwind.is_context() { sp >= last_sp } else { sp > last_sp };
        if ip < 4096 || !moved {
            return None;
        }
        caller.instruction = cpu.sub(ip, cpu.call_offset);
        Some(caller)
    }

    fn symbolize(
        &self,
        context: &WalkContext<'_, '_>,
        frame: &mut StackFrame,
        inlined: &mut Vec<StackFrame>,
    ) -> SymbolStatus {
        symbolize::symbolize(&self.symbols, context, frame, inlined)
    }

    fn unsupported(&self, arch: crate::registers::Arch) -> bool {
        Cpu::of(arch).is_none()
    }
}

/// Everything one recovery step looks at.
pub struct Unwind<'w, 'a, 'd> {
    /// The CPU's table.
    pub cpu: &'static Cpu,
    /// The thread's stack.
    pub stack: Stack<'d>,
    /// The walk's context.
    pub context: &'w WalkContext<'a, 'd>,
    /// Where symbols come from.
    pub symbols: &'w dyn SymbolProvider,
    /// The frames so far.
    pub frames: &'w [StackFrame],
    /// The frame whose caller is wanted.
    pub last: &'w StackFrame,
    /// Whether scanning is still allowed.
    pub scan_allowed: bool,
}

impl Unwind<'_, '_, '_> {
    /// Whether the last frame is the context frame.
    pub fn is_context(&self) -> bool {
        self.last.trust == FrameTrust::Context
    }

    /// The frame the last frame called (not an inlined one), if any.
    pub fn callee(&self) -> Option<&StackFrame> {
        let before = self.frames.len().checked_sub(1)?;
        self.frames.get(..before)?.iter().rev().find(|f| f.trust != FrameTrust::Inline)
    }

    /// The module holding `address`.
    pub fn module_at(&self, address: u64) -> Option<&CodeModule> {
        self.context.modules.get(self.context.module_for_address(address)?)
    }

    /// The module of the last frame's instruction and the instruction's
    /// offset in it, when the module's symbols are loaded.
    pub fn symbolized_at(&self, address: u64) -> Option<(&CodeModule, u64)> {
        let module = self.module_at(address)?;
        has_symbols(self.symbols.status(module)).then(|| (module, address.wrapping_sub(module.base)))
    }

    /// Breakpad's `InstructionAddressSeemsValid`: inside a module and, if
    /// the module has symbols, inside one of its functions.
    pub fn seems_valid(&self, address: u64) -> bool {
        let Some(module) = self.module_at(address) else {
            return false;
        };
        !has_symbols(self.symbols.status(module)) || self.symbols.has_function_at(module, address - module.base)
    }

    /// Breakpad's `ScanForReturnAddress`: the first word at `start`,
    /// `start + word`, ..., `start + words * word` (reading stops at the end
    /// of the stack) whose value minus one [`Self::seems_valid`], as
    /// `(location, value)`.
    pub fn scan(&self, start: u64, words: u64) -> Option<(u64, u64)> {
        (0..=words)
            .map_while(|i| start.checked_add(i * self.cpu.word))
            .map_while(|location| {
                let value = self.stack.word(location)?;
                Some((location, value))
            })
            .find(|&(_, value)| self.seems_valid(self.cpu.sub(value, 1)))
    }

    /// How far a scan for this frame's caller looks: further for the
    /// caller of the context frame.
    pub fn scan_words(&self) -> u64 {
        if self.is_context() {
            scan::CONTEXT_SCAN_WORDS
        } else {
            scan::SCAN_WORDS
        }
    }

    /// The last frame's value of register `name`, known or not (0 if the
    /// architecture has no such register).
    pub fn stale(&self, name: &str) -> u64 {
        self.last.registers.stale(name).unwrap_or(0)
    }
}

/// Whether lookups can be made in a module with this status.
fn has_symbols(status: SymbolStatus) -> bool {
    matches!(status, SymbolStatus::Loaded | SymbolStatus::Corrupt)
}
