//! Stack frames and how much to trust them.

use crate::registers::Registers;

/// How a frame was found, from least to most trustworthy (Breakpad's
/// `FrameTrust`, in its order).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub enum FrameTrust {
    /// Unknown.
    #[default]
    None,
    /// Found by scanning the stack for something that looks like a return
    /// address.
    Scan,
    /// Found by scanning the stack, with call frame information confirming
    /// the candidate.
    CfiScan,
    /// Derived from the previous frame's frame pointer.
    FramePointer,
    /// Derived from call frame information (`STACK CFI`, `STACK WIN`).
    Cfi,
    /// Given by an external stack walker.
    Prewalked,
    /// The instruction pointer of the thread's context: frame 0.
    Context,
    /// An inlined call, found from the inline records of a symbol file.
    Inline,
    /// The caller of a leaf function, found by simulating its return (the
    /// return address still in the link register).
    Leaf,
}

impl FrameTrust {
    /// Breakpad's words for it, printed after `Found by:`.
    pub fn description(self) -> &'static str {
        match self {
            FrameTrust::None => "unknown",
            FrameTrust::Scan => "stack scanning",
            FrameTrust::CfiScan => "call frame info with scanning",
            FrameTrust::FramePointer => "previous frame's frame pointer",
            FrameTrust::Cfi => "call frame info",
            FrameTrust::Prewalked => "recovered by external stack walker",
            FrameTrust::Context => "given as instruction pointer in context",
            FrameTrust::Inline => "inline record",
            FrameTrust::Leaf => "simulating a return from leaf function",
        }
    }

    /// rust-minidump's name for it in `minidump-stackwalk --json` (`"trust"`).
    /// rust-minidump has no leaf-return trust: it finds the callers of leaf
    /// functions by scanning (the return address at the stack pointer is its
    /// first candidate), so [`FrameTrust::Leaf`] is `"scan"`.
    pub fn json_name(self) -> &'static str {
        match self {
            FrameTrust::None => "none",
            FrameTrust::Scan => "scan",
            FrameTrust::CfiScan => "cfi_scan",
            FrameTrust::FramePointer => "frame_pointer",
            FrameTrust::Cfi => "cfi",
            FrameTrust::Prewalked => "prewalked",
            FrameTrust::Context => "context",
            FrameTrust::Inline => "inline",
            FrameTrust::Leaf => "scan",
        }
    }
}

/// One frame of a call stack.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StackFrame {
    /// The address symbols are looked up at. For frame 0 the exact
    /// instruction pointer; for callers, an address inside the call
    /// instruction (typically the return address minus one), so that the
    /// lookup finds the line of the call rather than the line after it.
    pub instruction: u64,
    /// Index into [`crate::ProcessState::modules`] of the module holding
    /// `instruction`.
    pub module: Option<usize>,
    /// The function's name, once symbols are known.
    pub function_name: Option<String>,
    /// The function's start address.
    pub function_base: Option<u64>,
    /// The source file of the line holding `instruction`.
    pub source_file: Option<String>,
    /// The source line.
    pub source_line: Option<u32>,
    /// The address the source line starts at.
    pub source_line_base: Option<u64>,
    /// How the frame was found.
    pub trust: FrameTrust,
    /// The registers known in this frame: for frame 0 all of the context's,
    /// for callers those the unwinder recovered. Inlined frames have none of
    /// their own.
    pub registers: Registers,
}

impl StackFrame {
    /// A frame with no symbol information at `instruction`.
    pub fn new(instruction: u64, trust: FrameTrust, registers: Registers) -> StackFrame {
        StackFrame {
            instruction,
            module: None,
            function_name: None,
            function_base: None,
            source_file: None,
            source_line: None,
            source_line_base: None,
            trust,
            registers,
        }
    }

    /// Frame 0 of a thread: its context's instruction pointer, every
    /// register known.
    pub fn from_context(registers: Registers) -> StackFrame {
        let ip = registers.instruction_pointer().unwrap_or(0);
        StackFrame::new(ip, FrameTrust::Context, registers)
    }

    /// The address reports show for the frame (Breakpad's `ReturnAddress`):
    /// the frame's instruction pointer register when known (for a caller,
    /// the return address itself), else [`Self::instruction`].
    pub fn return_address(&self) -> u64 {
        self.registers.instruction_pointer().unwrap_or(self.instruction)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::registers::Arch;

    #[test]
    fn trust_names() {
        assert_eq!(FrameTrust::Context.description(), "given as instruction pointer in context");
        assert_eq!(FrameTrust::FramePointer.json_name(), "frame_pointer");
        assert_eq!(FrameTrust::default(), FrameTrust::None);
        assert!(FrameTrust::Scan < FrameTrust::Cfi && FrameTrust::Cfi < FrameTrust::Context);
    }

    #[test]
    fn return_address_prefers_the_register() {
        let mut regs = Registers::new(Arch::Amd64);
        let f = StackFrame::new(0x1000, FrameTrust::Scan, regs);
        assert_eq!(f.return_address(), 0x1000);
        regs.set("rip", 0x1001);
        let f = StackFrame::new(0x1000, FrameTrust::Scan, regs);
        assert_eq!(f.return_address(), 0x1001);
        assert_eq!(StackFrame::from_context(regs).instruction, 0x1001);
    }
}
