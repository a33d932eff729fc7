//! A stack frame's registers: one fixed-size set for every CPU, registers
//! named by per-architecture tables, each value either known or not.
//!
//! Frame 0 knows every register of its thread's context. Frames a stack
//! walker recovers know only what the unwind rules recover (typically the
//! instruction and stack pointers and the callee-saved registers), so every
//! value carries a validity bit and printers show only the valid ones.

use mdump_format::context::ContextKind;
use mdump_reader::Context;

/// The CPU a register set belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Arch {
    /// 32-bit x86.
    X86,
    /// x86-64.
    Amd64,
    /// 32-bit ARM.
    Arm,
    /// ARM64 (either context layout).
    Arm64,
    /// 32-bit MIPS.
    Mips,
    /// MIPS64.
    Mips64,
    /// 32-bit PowerPC.
    Ppc,
    /// 64-bit PowerPC.
    Ppc64,
    /// SPARC.
    Sparc,
    /// 64-bit RISC-V.
    Riscv64,
}

/// The most registers any [`Arch`] has in its table.
pub const MAX_REGISTERS: usize = 36;

pub(crate) const X86: &[&str] =
    &["eip", "esp", "ebp", "ebx", "esi", "edi", "eax", "ecx", "edx", "eflags", "cs", "ds", "es", "fs", "gs", "ss"];
pub(crate) const AMD64: &[&str] = &[
    "rax", "rdx", "rcx", "rbx", "rsi", "rdi", "rbp", "rsp", "r8", "r9", "r10", "r11", "r12", "r13", "r14", "r15",
    "rip", "eflags", "mxcsr", "cs", "ds", "es", "fs", "gs", "ss",
];
pub(crate) const ARM: &[&str] =
    &["r0", "r1", "r2", "r3", "r4", "r5", "r6", "r7", "r8", "r9", "r10", "fp", "r12", "sp", "lr", "pc", "cpsr"];
pub(crate) const ARM64: &[&str] = &[
    "x0", "x1", "x2", "x3", "x4", "x5", "x6", "x7", "x8", "x9", "x10", "x11", "x12", "x13", "x14", "x15", "x16", "x17",
    "x18", "x19", "x20", "x21", "x22", "x23", "x24", "x25", "x26", "x27", "x28", "fp", "lr", "sp", "pc", "cpsr",
];
const MIPS: &[&str] = &[
    "zero", "at", "v0", "v1", "a0", "a1", "a2", "a3", "t0", "t1", "t2", "t3", "t4", "t5", "t6", "t7", "s0", "s1", "s2",
    "s3", "s4", "s5", "s6", "s7", "t8", "t9", "k0", "k1", "gp", "sp", "fp", "ra", "pc", "hi", "lo",
];
const PPC: &[&str] = &[
    "srr0", "srr1", "r0", "r1", "r2", "r3", "r4", "r5", "r6", "r7", "r8", "r9", "r10", "r11", "r12", "r13", "r14",
    "r15", "r16", "r17", "r18", "r19", "r20", "r21", "r22", "r23", "r24", "r25", "r26", "r27", "r28", "r29", "r30",
    "r31", "lr", "ctr",
];
const SPARC: &[&str] = &[
    "pc", "npc", "r0", "r1", "r2", "r3", "r4", "r5", "r6", "r7", "r8", "r9", "r10", "r11", "r12", "r13", "r14", "r15",
    "r16", "r17", "r18", "r19", "r20", "r21", "r22", "r23", "r24", "r25", "r26", "r27", "r28", "r29", "r30", "r31",
];
const RISCV64: &[&str] = &[
    "pc", "ra", "sp", "gp", "tp", "t0", "t1", "t2", "s0", "s1", "a0", "a1", "a2", "a3", "a4", "a5", "a6", "a7", "s2",
    "s3", "s4", "s5", "s6", "s7", "s8", "s9", "s10", "s11", "t3", "t4", "t5", "t6",
];

/// Other spellings of table names (DWARF-style numbers, `$`-less aliases
/// symbol files use), as `(alias, name)`.
const ARM_ALIASES: &[(&str, &str)] = &[("r11", "fp"), ("r13", "sp"), ("r14", "lr"), ("r15", "pc")];
const ARM64_ALIASES: &[(&str, &str)] = &[("x29", "fp"), ("x30", "lr"), ("x31", "sp")];
const MIPS_ALIASES: &[(&str, &str)] = &[("s8", "fp")];
const SPARC_ALIASES: &[(&str, &str)] = &[("sp", "r14"), ("fp", "r30")];
const RISCV_ALIASES: &[(&str, &str)] = &[("fp", "s0")];

/// Whether two register names are equal. Names are a few bytes long and
/// mostly differ in their last byte (`rax`, `rbx`): comparing that first
/// spares a call to `memcmp` per candidate, and the walker looks names up
/// for every frame.
#[inline]
pub(crate) fn same_name(a: &str, b: &str) -> bool {
    a.len() == b.len() && a.as_bytes().last() == b.as_bytes().last() && a == b
}

impl Arch {
    /// The architecture of a context layout.
    pub fn from_context_kind(kind: ContextKind) -> Arch {
        match kind {
            ContextKind::X86 => Arch::X86,
            ContextKind::Amd64 => Arch::Amd64,
            ContextKind::Arm => Arch::Arm,
            ContextKind::Arm64 | ContextKind::Arm64Old => Arch::Arm64,
            ContextKind::Mips => Arch::Mips,
            ContextKind::Mips64 => Arch::Mips64,
            ContextKind::Ppc => Arch::Ppc,
            ContextKind::Ppc64 => Arch::Ppc64,
            ContextKind::Sparc => Arch::Sparc,
            ContextKind::Riscv64 => Arch::Riscv64,
        }
    }

    /// The register names of this architecture, in table order.
    pub fn register_names(self) -> &'static [&'static str] {
        match self {
            Arch::X86 => X86,
            Arch::Amd64 => AMD64,
            Arch::Arm => ARM,
            Arch::Arm64 => ARM64,
            Arch::Mips | Arch::Mips64 => MIPS,
            Arch::Ppc | Arch::Ppc64 => PPC,
            Arch::Sparc => SPARC,
            Arch::Riscv64 => RISCV64,
        }
    }

    fn aliases(self) -> &'static [(&'static str, &'static str)] {
        match self {
            Arch::Arm => ARM_ALIASES,
            Arch::Arm64 => ARM64_ALIASES,
            Arch::Mips | Arch::Mips64 => MIPS_ALIASES,
            Arch::Sparc => SPARC_ALIASES,
            Arch::Riscv64 => RISCV_ALIASES,
            _ => &[],
        }
    }

    /// Size of a pointer (and of a general register) in bytes: 4 or 8.
    pub fn pointer_size(self) -> u8 {
        match self {
            Arch::X86 | Arch::Arm | Arch::Mips | Arch::Ppc => 4,
            Arch::Amd64 | Arch::Arm64 | Arch::Mips64 | Arch::Ppc64 | Arch::Sparc | Arch::Riscv64 => 8,
        }
    }

    /// The table position of `name` (or of what an alias stands for), if
    /// this architecture has such a register. A leading `$` (the spelling
    /// of Breakpad's CFI rules) is ignored.
    pub fn register_index(self, name: &str) -> Option<usize> {
        let name = name.strip_prefix('$').unwrap_or(name);
        let name = self.aliases().iter().find(|(alias, _)| same_name(alias, name)).map_or(name, |(_, real)| real);
        self.register_names().iter().position(|n| same_name(n, name))
    }

    /// Name of the instruction pointer.
    pub fn instruction_pointer(self) -> &'static str {
        match self {
            Arch::X86 => "eip",
            Arch::Amd64 => "rip",
            Arch::Ppc | Arch::Ppc64 => "srr0",
            _ => "pc",
        }
    }

    /// Name of the stack pointer.
    pub fn stack_pointer(self) -> &'static str {
        match self {
            Arch::X86 => "esp",
            Arch::Amd64 => "rsp",
            Arch::Ppc | Arch::Ppc64 => "r1",
            Arch::Sparc => "r14",
            _ => "sp",
        }
    }

    /// Name of the frame pointer, where the ABI has one.
    pub fn frame_pointer(self) -> Option<&'static str> {
        match self {
            Arch::X86 => Some("ebp"),
            Arch::Amd64 => Some("rbp"),
            Arch::Arm | Arch::Arm64 | Arch::Mips | Arch::Mips64 => Some("fp"),
            Arch::Sparc => Some("r30"),
            Arch::Riscv64 => Some("s0"),
            Arch::Ppc | Arch::Ppc64 => None,
        }
    }
}

/// A register set: a value and a validity bit for each register of one
/// architecture. `Copy`, no allocation.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct Registers {
    arch: Arch,
    values: [u64; MAX_REGISTERS],
    valid: u64,
}

impl Registers {
    /// A set for `arch` with no register known.
    pub fn new(arch: Arch) -> Registers {
        Registers { arch, values: [0; MAX_REGISTERS], valid: 0 }
    }

    /// Every register a CPU context holds (general registers, instruction
    /// and stack pointers, flags and, on x86, the segment registers), all
    /// known.
    pub fn from_context(context: &Context<'_>) -> Registers {
        let mut regs = Registers::new(Arch::from_context_kind(context.kind()));
        for (name, value) in context.registers() {
            regs.set(name, value);
        }
        regs
    }

    /// The architecture.
    pub fn arch(&self) -> Arch {
        self.arch
    }

    /// The value of register `name`, if it is known.
    pub fn get(&self, name: &str) -> Option<u64> {
        self.get_index(self.arch.register_index(name)?)
    }

    /// The value of the register at table position `index`, if known.
    pub fn get_index(&self, index: usize) -> Option<u64> {
        if index < MAX_REGISTERS && self.valid & (1 << index) != 0 {
            self.values.get(index).copied()
        } else {
            None
        }
    }

    /// Sets register `name` and marks it known; false (and nothing set) if
    /// the architecture has no such register.
    pub fn set(&mut self, name: &str, value: u64) -> bool {
        match self.arch.register_index(name) {
            Some(index) => self.set_index(index, value),
            None => false,
        }
    }

    /// Sets the register at table position `index`; false if out of range.
    pub fn set_index(&mut self, index: usize, value: u64) -> bool {
        match self.values.get_mut(index) {
            Some(slot) if index < self.arch.register_names().len() => {
                *slot = value;
                self.valid |= 1 << index;
                true
            }
            _ => false,
        }
    }

    /// The value stored for register `name` whether or not it is known,
    /// `None` only if the architecture has no such register. A frame whose
    /// registers were copied from its callee's keeps the callee's values in
    /// the registers it did not recover; Breakpad's walkers read some of
    /// those stale values (the amd64 frame pointer rule reads `%rbp`, the
    /// arm64 one the link register, whatever their validity), so the walker
    /// can too. A register never set holds 0.
    pub fn stale(&self, name: &str) -> Option<u64> {
        self.values.get(self.arch.register_index(name)?).copied()
    }

    /// Marks every register unknown except those named in `keep` (and
    /// known); the values stay, see [`Self::stale`].
    pub fn retain(&mut self, keep: &[&str]) {
        let mut mask = 0u64;
        for index in keep.iter().filter_map(|name| self.arch.register_index(name)) {
            mask |= 1 << index;
        }
        self.valid &= mask;
    }

    /// Marks register `name` unknown.
    pub fn forget(&mut self, name: &str) {
        if let Some(index) = self.arch.register_index(name) {
            self.valid &= !(1u64 << index);
        }
    }

    /// Whether register `name` is known.
    pub fn is_known(&self, name: &str) -> bool {
        self.get(name).is_some()
    }

    /// Number of known registers.
    pub fn known_count(&self) -> usize {
        self.valid.count_ones() as usize
    }

    /// The known registers as `(name, value)`, in table order.
    pub fn iter(&self) -> impl Iterator<Item = (&'static str, u64)> + '_ {
        self.arch.register_names().iter().enumerate().filter_map(|(i, name)| Some((*name, self.get_index(i)?)))
    }

    /// The instruction pointer, if known.
    pub fn instruction_pointer(&self) -> Option<u64> {
        self.get(self.arch.instruction_pointer())
    }

    /// The stack pointer, if known.
    pub fn stack_pointer(&self) -> Option<u64> {
        self.get(self.arch.stack_pointer())
    }

    /// The frame pointer, if the ABI has one and it is known.
    pub fn frame_pointer(&self) -> Option<u64> {
        self.get(self.arch.frame_pointer()?)
    }
}

impl core::fmt::Debug for Registers {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        let mut m = f.debug_map();
        m.entry(&"arch", &self.arch);
        for (name, value) in self.iter() {
            m.entry(&name, &format_args!("{value:#x}"));
        }
        m.finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ALL: [Arch; 10] = [
        Arch::X86,
        Arch::Amd64,
        Arch::Arm,
        Arch::Arm64,
        Arch::Mips,
        Arch::Mips64,
        Arch::Ppc,
        Arch::Ppc64,
        Arch::Sparc,
        Arch::Riscv64,
    ];

    #[test]
    fn tables_fit_and_names_are_unique() {
        for arch in ALL {
            let names = arch.register_names();
            assert!(names.len() <= MAX_REGISTERS, "{arch:?}");
            for (i, n) in names.iter().enumerate() {
                assert_eq!(arch.register_index(n), Some(i), "{arch:?} {n}");
            }
            assert!(arch.register_index(arch.instruction_pointer()).is_some());
            assert!(arch.register_index(arch.stack_pointer()).is_some());
            if let Some(fp) = arch.frame_pointer() {
                assert!(arch.register_index(fp).is_some());
            }
            for (alias, _) in arch.aliases() {
                assert!(arch.register_index(alias).is_some(), "{arch:?} {alias}");
            }
        }
    }

    #[test]
    fn every_register_of_every_context_has_a_slot() {
        use ContextKind::*;
        for kind in [X86, Amd64, Arm, Arm64, Arm64Old, Mips, Mips64, Ppc, Ppc64, Sparc, Riscv64] {
            let bytes = vec![0u8; kind.size()];
            let context = Context::view(kind, mdump_reader::Bytes::new(&bytes)).unwrap();
            let regs = Registers::from_context(&context);
            assert_eq!(regs.known_count(), context.registers().len(), "{kind:?}");
            assert_eq!(regs.instruction_pointer(), Some(0), "{kind:?}");
            assert_eq!(regs.stack_pointer(), Some(0), "{kind:?}");
        }
    }

    #[test]
    fn validity_is_tracked() {
        let mut r = Registers::new(Arch::Arm);
        assert_eq!(r.known_count(), 0);
        assert!(r.set("r13", 0x1000));
        assert_eq!(r.get("sp"), Some(0x1000));
        assert_eq!(r.stack_pointer(), Some(0x1000));
        assert_eq!(r.instruction_pointer(), None);
        assert!(!r.set("rip", 1));
        assert!(r.set("$pc", 0x8000));
        assert_eq!(r.iter().collect::<Vec<_>>(), [("sp", 0x1000), ("pc", 0x8000)]);
        r.forget("sp");
        assert_eq!(r.get("sp"), None);
        assert_eq!(r.stale("sp"), Some(0x1000), "the value stays");
        assert_eq!(r.stale("r0"), Some(0));
        assert_eq!(r.stale("rip"), None);
        r.set("r4", 4);
        r.set("lr", 5);
        r.retain(&["pc", "lr", "sp", "nonsense"]);
        assert_eq!(r.iter().collect::<Vec<_>>(), [("lr", 5), ("pc", 0x8000)]);
        assert_eq!(r.stale("r4"), Some(4));
        assert!(!r.set_index(17, 1), "past the ARM table");
        assert_eq!(r.get_index(99), None);
    }
}
