//! What the unwinders need to know about each CPU, as one table per CPU:
//! word size, where a call instruction is, the registers `STACK CFI` rules
//! name and which of them the callee saves, and the order in which
//! Breakpad tries its recovery methods.

use crate::registers::{self, Arch};

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
    /// Its position in that table (so that the walker never looks a name
    /// up).
    pub index: usize,
    /// The pseudo-register that gives its caller value when no rule names
    /// it: `.ra` for the instruction pointer, `.cfa` for the stack pointer.
    pub alternate: Option<&'static str>,
    /// Whether the callee preserves it: a caller value the rules do not
    /// give is the callee's, when the callee's is known.
    pub callee_saved: bool,
}

/// Where `name` is in `table`, at compile time (a name missing from the
/// table fails the build).
const fn position(table: &[&str], name: &str) -> usize {
    let mut i = 0;
    while i < table.len() {
        let (a, b) = (table[i].as_bytes(), name.as_bytes());
        if a.len() == b.len() {
            let mut k = 0;
            while k < a.len() && a[k] == b[k] {
                k += 1;
            }
            if k == a.len() {
                return i;
            }
        }
        i += 1;
    }
    panic!("a CFI register missing from its architecture's table")
}

const fn reg(table: &[&str], name: &'static str, register: &'static str, callee_saved: bool) -> CfiRegister {
    CfiRegister { name, register, index: position(table, register), alternate: None, callee_saved }
}

const fn alt(table: &[&str], name: &'static str, register: &'static str, alternate: &'static str) -> CfiRegister {
    CfiRegister { name, register, index: position(table, register), alternate: Some(alternate), callee_saved: false }
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
    /// used: their positions in the [`crate::Registers`] table.
    pub cfi_essentials: &'static [usize],
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
        alt(registers::X86, "$eip", "eip", ".ra"),
        alt(registers::X86, "$esp", "esp", ".cfa"),
        reg(registers::X86, "$ebp", "ebp", true),
        reg(registers::X86, "$eax", "eax", false),
        reg(registers::X86, "$ebx", "ebx", true),
        reg(registers::X86, "$ecx", "ecx", false),
        reg(registers::X86, "$edx", "edx", false),
        reg(registers::X86, "$esi", "esi", true),
        reg(registers::X86, "$edi", "edi", true),
    ],
    cfi_essentials: &[
        position(registers::X86, "eip"),
        position(registers::X86, "esp"),
        position(registers::X86, "ebp"),
    ],
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
        reg(registers::AMD64, "$rax", "rax", false),
        reg(registers::AMD64, "$rdx", "rdx", false),
        reg(registers::AMD64, "$rcx", "rcx", false),
        reg(registers::AMD64, "$rbx", "rbx", true),
        reg(registers::AMD64, "$rsi", "rsi", false),
        reg(registers::AMD64, "$rdi", "rdi", false),
        reg(registers::AMD64, "$rbp", "rbp", true),
        alt(registers::AMD64, "$rsp", "rsp", ".cfa"),
        reg(registers::AMD64, "$r8", "r8", false),
        reg(registers::AMD64, "$r9", "r9", false),
        reg(registers::AMD64, "$r10", "r10", false),
        reg(registers::AMD64, "$r11", "r11", false),
        reg(registers::AMD64, "$r12", "r12", true),
        reg(registers::AMD64, "$r13", "r13", true),
        reg(registers::AMD64, "$r14", "r14", true),
        reg(registers::AMD64, "$r15", "r15", true),
        alt(registers::AMD64, "$rip", "rip", ".ra"),
    ],
    cfi_essentials: &[position(registers::AMD64, "rip"), position(registers::AMD64, "rsp")],
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
        reg(registers::ARM, "r0", "r0", false),
        reg(registers::ARM, "r1", "r1", false),
        reg(registers::ARM, "r2", "r2", false),
        reg(registers::ARM, "r3", "r3", false),
        reg(registers::ARM, "r4", "r4", true),
        reg(registers::ARM, "r5", "r5", true),
        reg(registers::ARM, "r6", "r6", true),
        reg(registers::ARM, "r7", "r7", true),
        reg(registers::ARM, "r8", "r8", true),
        reg(registers::ARM, "r9", "r9", true),
        reg(registers::ARM, "r10", "r10", true),
        reg(registers::ARM, "r11", "fp", true),
        reg(registers::ARM, "r12", "r12", false),
        alt(registers::ARM, "sp", "sp", ".cfa"),
        reg(registers::ARM, "lr", "lr", false),
        alt(registers::ARM, "pc", "pc", ".ra"),
    ],
    cfi_essentials: &[position(registers::ARM, "sp"), position(registers::ARM, "pc")],
    cfi_essentials_non_zero: false,
    steps: &[Step::not_on(Method::Cfi, "ios"), Step::only_on(Method::FramePointer, "ios"), Step::always(Method::Scan)],
};

/// Breakpad's `StackwalkerARM64`: CFI, the `x29` frame pointer, scanning.
static ARM64: Cpu = Cpu {
    arch: Arch::Arm64,
    word: 8,
    call_offset: 4,
    cfi: &[
        reg(registers::ARM64, "x0", "x0", false),
        reg(registers::ARM64, "x1", "x1", false),
        reg(registers::ARM64, "x2", "x2", false),
        reg(registers::ARM64, "x3", "x3", false),
        reg(registers::ARM64, "x4", "x4", false),
        reg(registers::ARM64, "x5", "x5", false),
        reg(registers::ARM64, "x6", "x6", false),
        reg(registers::ARM64, "x7", "x7", false),
        reg(registers::ARM64, "x8", "x8", false),
        reg(registers::ARM64, "x9", "x9", false),
        reg(registers::ARM64, "x10", "x10", false),
        reg(registers::ARM64, "x11", "x11", false),
        reg(registers::ARM64, "x12", "x12", false),
        reg(registers::ARM64, "x13", "x13", false),
        reg(registers::ARM64, "x14", "x14", false),
        reg(registers::ARM64, "x15", "x15", false),
        reg(registers::ARM64, "x16", "x16", false),
        reg(registers::ARM64, "x17", "x17", false),
        reg(registers::ARM64, "x18", "x18", false),
        reg(registers::ARM64, "x19", "x19", true),
        reg(registers::ARM64, "x20", "x20", true),
        reg(registers::ARM64, "x21", "x21", true),
        reg(registers::ARM64, "x22", "x22", true),
        reg(registers::ARM64, "x23", "x23", true),
        reg(registers::ARM64, "x24", "x24", true),
        reg(registers::ARM64, "x25", "x25", true),
        reg(registers::ARM64, "x26", "x26", true),
        reg(registers::ARM64, "x27", "x27", true),
        reg(registers::ARM64, "x28", "x28", true),
        reg(registers::ARM64, "x29", "fp", true),
        reg(registers::ARM64, "x30", "lr", false),
        alt(registers::ARM64, "sp", "sp", ".cfa"),
        alt(registers::ARM64, "pc", "pc", ".ra"),
    ],
    cfi_essentials: &[position(registers::ARM64, "sp"), position(registers::ARM64, "pc")],
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
                assert_eq!(arch.register_index(r.register), Some(r.index), "{arch:?} {}", r.name);
            }
            for &e in cpu.cfi_essentials {
                assert!(cpu.cfi.iter().any(|r| r.index == e), "{arch:?} {e}");
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
