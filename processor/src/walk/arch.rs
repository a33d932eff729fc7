//! What the unwinders need to know about each CPU, as one table per CPU:
//! word size, where a call instruction is, the registers `STACK CFI` rules
//! name and which of them the callee saves, and the order in which
//! Breakpad tries its recovery methods.

use crate::registers::Arch;

/// A way of recovering a caller.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Method {
    /// x86 Windows frame data (`STACK WIN`).
    StackWin,
    /// `STACK CFI` rules.
    Cfi,
    /// Simulating a return from a leaf function of the context frame
    /// (amd64 Windows, whose leaf functions have no unwind data).
    Leaf,
    /// Following the frame pointer chain (on x86 with a stack scan when the
    /// chain cannot be read).
    FramePointer,
    /// Scanning the stack for a return address.
    Scan,
}

/// One step of a CPU's recovery order, limited to some operating systems.
#[derive(Clone, Copy, Debug)]
pub struct Step {
    /// The method.
    pub method: Method,
    /// Tried only on this OS (`SystemInfo::os_short`).
    pub only_on: Option<&'static str>,
    /// Never tried on this OS.
    pub not_on: Option<&'static str>,
}

impl Step {
    const fn always(method: Method) -> Step {
        Step { method, only_on: None, not_on: None }
    }
    const fn only_on(method: Method, os: &'static str) -> Step {
        Step { method, only_on: Some(os), not_on: None }
    }
    const fn not_on(method: Method, os: &'static str) -> Step {
        Step { method, only_on: None, not_on: Some(os) }
    }

    /// Whether the step applies on `os`.
    pub fn applies(&self, os: &str) -> bool {
        self.only_on.is_none_or(|only| only == os) && self.not_on != Some(os)
    }
}

/// A register as `STACK CFI` rules spell it.
#[derive(Clone, Copy, Debug)]
pub struct CfiRegister {
    /// The spelling in rules (`$rbx`, `x19`, `r4`).
    pub name: &'static str,
    /// The register in [`crate::Registers`]' table.
    pub register: &'static str,
    /// The pseudo-register that gives its caller value when no rule names
    /// it: `.ra` for the instruction pointer, `.cfa` for the stack pointer.
    pub alternate: Option<&'static str>,
    /// Whether the callee preserves it: a caller value the rules do not
    /// give is the callee's, when the callee's is known.
    pub callee_saved: bool,
}

const fn reg(name: &'static str, register: &'static str, callee_saved: bool) -> CfiRegister {
    CfiRegister { name, register, alternate: None, callee_saved }
}

const fn alt(name: &'static str, register: &'static str, alternate: &'static str) -> CfiRegister {
    CfiRegister { name, register, alternate: Some(alternate), callee_saved: false }
}

/// How one CPU unwinds.
#[derive(Debug)]
pub struct Cpu {
    /// The architecture.
    pub arch: Arch,
    /// Bytes in a word: register, stack slot, return address.
    pub word: u64,
    /// A caller's instruction address is its return address minus this,
    /// so that it falls inside the call instruction (1 on x86, 2 on ARM,
    /// 4 on ARM64).
    pub call_offset: u64,
    /// The registers rules may read and recover, in Breakpad's order.
    pub cfi: &'static [CfiRegister],
    /// Registers a CFI-recovered caller must have, else the rules are not
    /// used.
    pub cfi_essentials: &'static [&'static str],
    /// Whether the essentials must also be non-zero (amd64).
    pub cfi_essentials_non_zero: bool,
    /// The recovery methods, in the order they are tried.
    pub steps: &'static [Step],
}

impl Cpu {
    /// The table for `arch`, if the walker supports it.
    pub fn of(arch: Arch) -> Option<&'static Cpu> {
        match arch {
            Arch::X86 => Some(&X86),
            Arch::Amd64 => Some(&AMD64),
            Arch::Arm => Some(&ARM),
            Arch::Arm64 => Some(&ARM64),
            _ => None,
        }
    }

    /// All bits of a word set.
    pub fn mask(&self) -> u64 {
        if self.word >= 8 {
            u64::MAX
        } else {
            (1u64 << (self.word * 8)) - 1
        }
    }

    /// `a + b` wrapping at the word size.
    pub fn add(&self, a: u64, b: u64) -> u64 {
        a.wrapping_add(b) & self.mask()
    }

    /// `a - b` wrapping at the word size.
    pub fn sub(&self, a: u64, b: u64) -> u64 {
        a.wrapping_sub(b) & self.mask()
    }

    /// The name of the instruction pointer.
    pub fn ip(&self) -> &'static str {
        self.arch.instruction_pointer()
    }

    /// The name of the stack pointer.
    pub fn sp(&self) -> &'static str {
        self.arch.stack_pointer()
    }
}

/// Breakpad's `StackwalkerX86`: `STACK WIN`, then CFI, then `%ebp` (with a
/// scan when `%ebp` does not lead anywhere).
static X86: Cpu = Cpu {
    arch: Arch::X86,
    word: 4,
    call_offset: 1,
    cfi: &[
        alt("$eip", "eip", ".ra"),
        alt("$esp", "esp", ".cfa"),
        reg("$ebp", "ebp", true),
        reg("$eax", "eax", false),
        reg("$ebx", "ebx", true),
        reg("$ecx", "ecx", false),
        reg("$edx", "edx", false),
        reg("$esi", "esi", true),
        reg("$edi", "edi", true),
    ],
    cfi_essentials: &["eip", "esp", "ebp"],
    cfi_essentials_non_zero: false,
    steps: &[Step::always(Method::StackWin), Step::always(Method::Cfi), Step::always(Method::FramePointer)],
};

/// Breakpad's `StackwalkerAMD64`: CFI; on Windows a leaf return for the
/// context frame, elsewhere `%rbp`; then scanning.
static AMD64: Cpu = Cpu {
    arch: Arch::Amd64,
    word: 8,
    call_offset: 1,
    cfi: &[
        reg("$rax", "rax", false),
        reg("$rdx", "rdx", false),
        reg("$rcx", "rcx", false),
        reg("$rbx", "rbx", true),
        reg("$rsi", "rsi", false),
        reg("$rdi", "rdi", false),
        reg("$rbp", "rbp", true),
        alt("$rsp", "rsp", ".cfa"),
        reg("$r8", "r8", false),
        reg("$r9", "r9", false),
        reg("$r10", "r10", false),
        reg("$r11", "r11", false),
        reg("$r12", "r12", true),
        reg("$r13", "r13", true),
        reg("$r14", "r14", true),
        reg("$r15", "r15", true),
        alt("$rip", "rip", ".ra"),
    ],
    cfi_essentials: &["rip", "rsp"],
    cfi_essentials_non_zero: true,
    steps: &[
        Step::always(Method::Cfi),
        Step::only_on(Method::Leaf, "windows"),
        Step::not_on(Method::FramePointer, "windows"),
        Step::always(Method::Scan),
    ],
};

/// Breakpad's `StackwalkerARM`: CFI (not on iOS, whose CFI it distrusts);
/// the `r7` frame pointer on iOS only; then scanning.
static ARM: Cpu = Cpu {
    arch: Arch::Arm,
    word: 4,
    call_offset: 2,
    cfi: &[
        reg("r0", "r0", false),
        reg("r1", "r1", false),
        reg("r2", "r2", false),
        reg("r3", "r3", false),
        reg("r4", "r4", true),
        reg("r5", "r5", true),
        reg("r6", "r6", true),
        reg("r7", "r7", true),
        reg("r8", "r8", true),
        reg("r9", "r9", true),
        reg("r10", "r10", true),
        reg("r11", "fp", true),
        reg("r12", "r12", false),
        alt("sp", "sp", ".cfa"),
        reg("lr", "lr", false),
        alt("pc", "pc", ".ra"),
    ],
    cfi_essentials: &["sp", "pc"],
    cfi_essentials_non_zero: false,
    steps: &[Step::not_on(Method::Cfi, "ios"), Step::only_on(Method::FramePointer, "ios"), Step::always(Method::Scan)],
};

/// Breakpad's `StackwalkerARM64`: CFI, the `x29` frame pointer, scanning.
static ARM64: Cpu = Cpu {
    arch: Arch::Arm64,
    word: 8,
    call_offset: 4,
    cfi: &[
        reg("x0", "x0", false),
        reg("x1", "x1", false),
        reg("x2", "x2", false),
        reg("x3", "x3", false),
        reg("x4", "x4", false),
        reg("x5", "x5", false),
        reg("x6", "x6", false),
        reg("x7", "x7", false),
        reg("x8", "x8", false),
        reg("x9", "x9", false),
        reg("x10", "x10", false),
        reg("x11", "x11", false),
        reg("x12", "x12", false),
        reg("x13", "x13", false),
        reg("x14", "x14", false),
        reg("x15", "x15", false),
        reg("x16", "x16", false),
        reg("x17", "x17", false),
        reg("x18", "x18", false),
        reg("x19", "x19", true),
        reg("x20", "x20", true),
        reg("x21", "x21", true),
        reg("x22", "x22", true),
        reg("x23", "x23", true),
        reg("x24", "x24", true),
        reg("x25", "x25", true),
        reg("x26", "x26", true),
        reg("x27", "x27", true),
        reg("x28", "x28", true),
        reg("x29", "fp", true),
        reg("x30", "lr", false),
        alt("sp", "sp", ".cfa"),
        alt("pc", "pc", ".ra"),
    ],
    cfi_essentials: &["sp", "pc"],
    cfi_essentials_non_zero: false,
    steps: &[Step::always(Method::Cfi), Step::always(Method::FramePointer), Step::always(Method::Scan)],
};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_table_names_real_registers() {
        for arch in [Arch::X86, Arch::Amd64, Arch::Arm, Arch::Arm64] {
            let cpu = Cpu::of(arch).unwrap();
            assert_eq!(u64::from(arch.pointer_size()), cpu.word);
            for r in cpu.cfi {
                assert!(arch.register_index(r.register).is_some(), "{arch:?} {}", r.register);
                assert_eq!(arch.register_index(r.name), arch.register_index(r.register), "{arch:?} {}", r.name);
            }
            for e in cpu.cfi_essentials {
                assert!(cpu.cfi.iter().any(|r| r.register == *e), "{arch:?} {e}");
            }
            assert!(cpu.cfi.iter().any(|r| r.register == cpu.ip() && r.alternate == Some(".ra")));
            assert!(cpu.cfi.iter().any(|r| r.register == cpu.sp() && r.alternate == Some(".cfa")));
        }
        assert!(Cpu::of(Arch::Mips).is_none());
        assert_eq!(X86.add(0xffff_fffe, 4), 2);
        assert_eq!(AMD64.sub(0, 1), u64::MAX);
    }

    #[test]
    fn os_conditions() {
        let leaf = Step::only_on(Method::Leaf, "windows");
        assert!(leaf.applies("windows") && !leaf.applies("linux"));
        let fp = Step::not_on(Method::FramePointer, "windows");
        assert!(!fp.applies("windows") && fp.applies("linux") && fp.applies(""));
    }
}
