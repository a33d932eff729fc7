//! The extension point for stack walking: a [`StackWalker`] recovers a
//! frame's caller and symbolizes frames, and [`walk`] drives it with the
//! limits every walk needs.
//!
//! Frame 0 always comes from the thread's CPU context. The processor then
//! asks the walker for the caller of the last frame until it has none.
//! [`crate::walk::BreakpadWalker`] knows CFI, `STACK WIN` programs, frame
//! pointers and stack scanning; [`ContextOnly`] stops after frame 0.

use crate::code_module::{module_for_address, CodeModule, SymbolStatus};
use crate::frame::{FrameTrust, StackFrame};
use crate::registers::Arch;
use crate::system::SystemInfo;
use mdump_reader::{MemoryIndex, MemoryRegion};

/// The most frames a call stack may have; a walk stops there whatever the
/// walker says (Breakpad's default limit is also 1024).
pub const MAX_FRAMES: usize = 1024;

/// What a walker may look at while recovering one thread's frames.
#[derive(Clone, Copy, Debug)]
pub struct WalkContext<'a, 'd> {
    /// The thread's CPU.
    pub arch: Arch,
    /// The thread's id.
    pub thread_id: u32,
    /// The thread's captured stack, if the dump has it.
    pub stack: Option<MemoryRegion<'d>>,
    /// All captured memory of the process, for reads outside the stack.
    pub memory: &'a MemoryIndex<'d>,
    /// The loaded modules, ordered by base address.
    pub modules: &'a [CodeModule],
    /// OS and CPU facts.
    pub system: &'a SystemInfo,
}

impl WalkContext<'_, '_> {
    /// Reads a pointer-sized little-endian word at `address`, from the
    /// thread's stack first, then from any captured memory.
    pub fn read_pointer(&self, address: u64) -> Option<u64> {
        match self.arch.pointer_size() {
            4 => self.stack.and_then(|s| s.read_u32(address)).or_else(|| self.memory.read_u32(address)).map(u64::from),
            _ => self.stack.and_then(|s| s.read_u64(address)).or_else(|| self.memory.read_u64(address)),
        }
    }

    /// Index into [`Self::modules`] of the module holding `address`.
    pub fn module_for_address(&self, address: u64) -> Option<usize> {
        module_for_address(self.modules, address)
    }
}

/// Recovers callers, one frame at a time, and says what each frame's code
/// is.
pub trait StackWalker {
    /// The caller of the last frame of `frames` (never empty: frame 0 comes
    /// from the context; never an inlined frame: those go before the frame
    /// they belong to), or `None` when the walk ends there.
    ///
    /// The returned frame's [`StackFrame::module`] is filled in by the
    /// driver from its `instruction`; everything else is the walker's.
    fn next_frame(&self, context: &WalkContext<'_, '_>, frames: &[StackFrame]) -> Option<StackFrame>;

    /// Fills in `frame`'s function and source line, pushes onto `inlined`
    /// the frames of calls inlined at its instruction (innermost first,
    /// trust [`FrameTrust::Inline`]), and says what became of the symbols
    /// of its module. The driver calls it for every frame it keeps, frame 0
    /// included, once the frame's module is known and before asking for its
    /// caller. The default knows no symbols.
    fn symbolize(
        &self,
        _context: &WalkContext<'_, '_>,
        _frame: &mut StackFrame,
        _inlined: &mut Vec<StackFrame>,
    ) -> SymbolStatus {
        SymbolStatus::NotLookedUp
    }

    /// Whether this walker cannot recover callers on `arch` at all (it has
    /// no unwinder for the CPU), as opposed to finding none. The driver then
    /// gives the walk a [`Walk::note`] saying so. The default: it can.
    fn unsupported(&self, _arch: Arch) -> bool {
        false
    }
}

/// Breakpad's name for a CPU (what `minidump_stackwalk` prints after
/// `CPU:`).
pub fn cpu_name(arch: Arch) -> &'static str {
    match arch {
        Arch::X86 => "x86",
        Arch::Amd64 => "amd64",
        Arch::Arm => "arm",
        Arch::Arm64 => "arm64",
        Arch::Mips => "mips",
        Arch::Mips64 => "mips64",
        Arch::Ppc => "ppc",
        Arch::Ppc64 => "ppc64",
        Arch::Sparc => "sparc",
        Arch::Riscv64 => "riscv64",
    }
}

/// A walker that recovers nothing: every call stack is its context frame.
#[derive(Clone, Copy, Debug, Default)]
pub struct ContextOnly;

impl StackWalker for ContextOnly {
    fn next_frame(&self, _context: &WalkContext<'_, '_>, _frames: &[StackFrame]) -> Option<StackFrame> {
        None
    }
}

/// One walked call stack.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Walk {
    /// The frames, innermost first.
    pub frames: Vec<StackFrame>,
    /// For each module some frame was in, what became of its symbols, as
    /// `(index into WalkContext::modules, status)`, each module once, in
    /// the order the frames met them. Modules whose status was
    /// [`SymbolStatus::NotLookedUp`] are left out.
    pub symbols: Vec<(usize, SymbolStatus)>,
    /// Why the walk stopped at the context frame without trying, when the
    /// walker has no unwinder for the thread's CPU: `stack walking is not
    /// supported for CPU <name>` (see [`StackWalker::unsupported`]).
    pub note: Option<String>,
}

/// Walks a thread's stack from its context frame.
///
/// Every frame gets its module from its instruction address and is
/// symbolized by the walker before its caller is asked for. The walk ends
/// when the walker has no caller, at [`MAX_FRAMES`] (inlined frames
/// included), or when a caller does not make progress: its stack pointer
/// must be above the callee's (equal is accepted only for the caller of the
/// context frame, where a leaf function may not have touched the stack), so
/// that no walker can loop.
pub fn walk(first: StackFrame, context: &WalkContext<'_, '_>, walker: &dyn StackWalker) -> Walk {
    let mut walk = Walk::default();
    let mut frame = first;
    let mut inlined = Vec::new();
    if walker.unsupported(context.arch) {
        walk.note = Some(format!("stack walking is not supported for CPU {}", cpu_name(context.arch)));
    }
    loop {
        frame.module = context.module_for_address(frame.instruction);
        inlined.clear();
        let status = walker.symbolize(context, &mut frame, &mut inlined);
        if let Some(module) = frame.module.filter(|_| status != SymbolStatus::NotLookedUp) {
            if !walk.symbols.iter().any(|(m, _)| *m == module) {
                walk.symbols.push((module, status));
            }
        }
        for mut f in inlined.drain(..) {
            if walk.frames.len() + 1 >= MAX_FRAMES {
                break;
            }
            f.trust = FrameTrust::Inline;
            walk.frames.push(f);
        }
        walk.frames.push(frame);
        if walk.frames.len() >= MAX_FRAMES {
            break;
        }
        let Some(caller) = walker.next_frame(context, &walk.frames) else {
            break;
        };
        let Some(callee) = walk.frames.last() else {
            break;
        };
        if let (Some(old), Some(new)) = (callee.registers.stack_pointer(), caller.registers.stack_pointer()) {
            let first_unwind = callee.trust == FrameTrust::Context;
            let progress = new > old || (new == old && first_unwind);
            if !progress {
                break;
            }
        }
        frame = caller;
    }
    walk
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::frame::FrameTrust;
    use crate::registers::Registers;

    /// Pretends every frame's caller is 0x10 bytes up the stack.
    struct Climber {
        step: u64,
    }

    impl StackWalker for Climber {
        fn next_frame(&self, _context: &WalkContext<'_, '_>, frames: &[StackFrame]) -> Option<StackFrame> {
            let last = frames.last()?;
            let mut regs = Registers::new(Arch::Amd64);
            regs.set("rsp", last.registers.stack_pointer()? + self.step);
            regs.set("rip", 0x2000 + frames.len() as u64);
            Some(StackFrame::new(0x1fff + frames.len() as u64, FrameTrust::Scan, regs))
        }
    }

    fn frame0() -> StackFrame {
        let mut regs = Registers::new(Arch::Amd64);
        regs.set("rip", 0x1000);
        regs.set("rsp", 0x8000);
        StackFrame::from_context(regs)
    }

    fn module(base: u64, size: u64) -> CodeModule {
        CodeModule {
            base,
            size,
            code_file: "m".into(),
            code_identifier: String::new(),
            debug_file: String::new(),
            debug_identifier: String::new(),
            version: None,
            time_date_stamp: 0,
            is_main: true,
            symbols: Default::default(),
        }
    }

    #[test]
    fn context_only_gives_frame_zero_with_its_module() {
        let memory = MemoryIndex::default();
        let modules = [module(0x1000, 0x100)];
        let system = SystemInfo::default();
        let cx = WalkContext {
            arch: Arch::Amd64,
            thread_id: 1,
            stack: None,
            memory: &memory,
            modules: &modules,
            system: &system,
        };
        let frames = walk(frame0(), &cx, &ContextOnly).frames;
        assert_eq!(frames.len(), 1);
        assert_eq!(frames[0].module, Some(0));
        assert_eq!(walk(frame0(), &cx, &ContextOnly).note, None);
        assert_eq!(cx.read_pointer(0x8000), None);
    }

    #[test]
    fn walks_are_capped_and_must_progress() {
        let memory = MemoryIndex::default();
        let modules = [module(0x2000, 0x10000)];
        let system = SystemInfo::default();
        let cx = WalkContext {
            arch: Arch::Amd64,
            thread_id: 1,
            stack: None,
            memory: &memory,
            modules: &modules,
            system: &system,
        };
        let frames = walk(frame0(), &cx, &Climber { step: 0x10 }).frames;
        assert_eq!(frames.len(), MAX_FRAMES);
        assert!(frames[1..].iter().all(|f| f.module == Some(0)));
        // A walker that does not move the stack pointer gets one leaf caller.
        let frames = walk(frame0(), &cx, &Climber { step: 0 }).frames;
        assert_eq!(frames.len(), 2);
    }
}
