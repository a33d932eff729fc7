//! CPU contexts: which layout a context has, and typed access to it.
//!
//! A context does not say its own type reliably. The reader combines three
//! facts, as Breakpad's does: the CPU bits of `context_flags`, the size the
//! location descriptor gives, and the SystemInfo stream's architecture. When
//! they disagree the result is an error that names both sides, never a guess.

use crate::bytes::Bytes;
use crate::error::{Error, ErrorKind, Result};
use crate::minidump::Minidump;
use mdump_format::context::amd64::ContextAmd64;
use mdump_format::context::arm::ContextArm;
use mdump_format::context::arm64::{ContextArm64, ContextArm64Old};
use mdump_format::context::mips::ContextMips;
use mdump_format::context::ppc::ContextPpc;
use mdump_format::context::ppc64::ContextPpc64;
use mdump_format::context::riscv::ContextRiscv64;
use mdump_format::context::sparc::ContextSparc;
use mdump_format::context::x86::ContextX86;
use mdump_format::context::ContextKind;
use mdump_format::system_info::*;
use mdump_format::LocationDescriptor;

/// A CPU context viewed in place.
#[derive(Clone, Copy, Debug)]
#[non_exhaustive]
pub enum Context<'a> {
    /// 32-bit x86.
    X86(&'a ContextX86),
    /// x86-64.
    Amd64(&'a ContextAmd64),
    /// 32-bit ARM.
    Arm(&'a ContextArm),
    /// ARM64 in Microsoft's layout.
    Arm64(&'a ContextArm64),
    /// ARM64 in Breakpad's older layout.
    Arm64Old(&'a ContextArm64Old),
    /// MIPS (32-bit registers stored as 64-bit).
    Mips(&'a ContextMips),
    /// MIPS64.
    Mips64(&'a ContextMips),
    /// 32-bit PowerPC.
    Ppc(&'a ContextPpc),
    /// 64-bit PowerPC.
    Ppc64(&'a ContextPpc64),
    /// SPARC.
    Sparc(&'a ContextSparc),
    /// 64-bit RISC-V.
    Riscv64(&'a ContextRiscv64),
}

/// The kind of context the SystemInfo architecture implies.
pub fn kind_for_architecture(arch: u16) -> Option<ContextKind> {
    Some(match arch {
        PROCESSOR_ARCHITECTURE_X86 | PROCESSOR_ARCHITECTURE_X86_WIN64 => ContextKind::X86,
        PROCESSOR_ARCHITECTURE_AMD64 => ContextKind::Amd64,
        PROCESSOR_ARCHITECTURE_ARM => ContextKind::Arm,
        PROCESSOR_ARCHITECTURE_ARM64 => ContextKind::Arm64,
        PROCESSOR_ARCHITECTURE_ARM64_OLD => ContextKind::Arm64Old,
        PROCESSOR_ARCHITECTURE_MIPS => ContextKind::Mips,
        PROCESSOR_ARCHITECTURE_MIPS64 => ContextKind::Mips64,
        PROCESSOR_ARCHITECTURE_PPC => ContextKind::Ppc,
        PROCESSOR_ARCHITECTURE_PPC64 => ContextKind::Ppc64,
        PROCESSOR_ARCHITECTURE_SPARC => ContextKind::Sparc,
        PROCESSOR_ARCHITECTURE_RISCV64 => ContextKind::Riscv64,
        _ => return None,
    })
}

/// Two kinds that the same dump may legitimately mix: Breakpad writes ARM64
/// dumps with either ARM64 architecture value and either layout.
fn compatible(from_flags: ContextKind, from_system: ContextKind) -> bool {
    use ContextKind::*;
    from_flags == from_system
        || matches!((from_flags, from_system), (Arm64, Arm64Old) | (Arm64Old, Arm64) | (Mips, Mips64) | (Mips64, Mips))
}

/// Decides the kind of the context in `bytes`, given the dump's architecture
/// if it has a SystemInfo stream.
///
/// The layout's own evidence ([`ContextKind::detect`]: the CPU bits of the
/// flags, wherever that layout keeps them, and the size) is reconciled with
/// the architecture: agreement or no evidence picks the kind; a flat
/// contradiction is an error naming both.
pub fn identify(bytes: Bytes<'_>, architecture: Option<u16>) -> Result<ContextKind> {
    let from_system = architecture.and_then(kind_for_architecture);
    let from_layout = ContextKind::detect(bytes.as_slice());
    let kind = match (from_layout, from_system) {
        (Some(f), Some(s)) if compatible(f, s) => f,
        (Some(_), Some(_)) => {
            return Err(Error::new(
                ErrorKind::BadContext("context flags name a different CPU than SystemInfo"),
                bytes.base(),
            ));
        }
        (Some(f), None) => f,
        // No CPU bits (some old writers): trust the system's architecture.
        (None, Some(s)) => s,
        (None, None) => {
            return Err(Error::new(
                ErrorKind::BadContext("context flags name no known CPU and there is no SystemInfo"),
                bytes.base(),
            ))
        }
    };
    if bytes.len() < kind.size() {
        return Err(Error::new(
            ErrorKind::Truncated { needed: kind.size() as u64, available: bytes.len() as u64 },
            bytes.base(),
        ));
    }
    Ok(kind)
}

impl<'a> Context<'a> {
    /// Views `bytes` as a context of `kind`.
    pub fn view(kind: ContextKind, bytes: Bytes<'a>) -> Result<Context<'a>> {
        Ok(match kind {
            ContextKind::X86 => Context::X86(bytes.read(0)?),
            ContextKind::Amd64 => Context::Amd64(bytes.read(0)?),
            ContextKind::Arm => Context::Arm(bytes.read(0)?),
            ContextKind::Arm64 => Context::Arm64(bytes.read(0)?),
            ContextKind::Arm64Old => Context::Arm64Old(bytes.read(0)?),
            ContextKind::Mips => Context::Mips(bytes.read(0)?),
            ContextKind::Mips64 => Context::Mips64(bytes.read(0)?),
            ContextKind::Ppc => Context::Ppc(bytes.read(0)?),
            ContextKind::Ppc64 => Context::Ppc64(bytes.read(0)?),
            ContextKind::Sparc => Context::Sparc(bytes.read(0)?),
            ContextKind::Riscv64 => Context::Riscv64(bytes.read(0)?),
        })
    }

    /// Which layout this is.
    pub fn kind(&self) -> ContextKind {
        match self {
            Context::X86(_) => ContextKind::X86,
            Context::Amd64(_) => ContextKind::Amd64,
            Context::Arm(_) => ContextKind::Arm,
            Context::Arm64(_) => ContextKind::Arm64,
            Context::Arm64Old(_) => ContextKind::Arm64Old,
            Context::Mips(_) => ContextKind::Mips,
            Context::Mips64(_) => ContextKind::Mips64,
            Context::Ppc(_) => ContextKind::Ppc,
            Context::Ppc64(_) => ContextKind::Ppc64,
            Context::Sparc(_) => ContextKind::Sparc,
            Context::Riscv64(_) => ContextKind::Riscv64,
        }
    }
}

impl<'a> Minidump<'a> {
    /// The context a location descriptor points at (a thread's, or the
    /// exception's), identified as described in [`crate::context`].
    pub fn context(&self, location: &LocationDescriptor) -> Result<Context<'a>> {
        let bytes = self.location(location)?;
        let arch = self.system_info_raw().map(|s| s.processor_architecture.get());
        let kind = identify(bytes, arch)?;
        Context::view(kind, bytes)
    }
}

const ARM64_NAMES: [&str; 33] = [
    "x0", "x1", "x2", "x3", "x4", "x5", "x6", "x7", "x8", "x9", "x10", "x11", "x12", "x13", "x14", "x15", "x16", "x17",
    "x18", "x19", "x20", "x21", "x22", "x23", "x24", "x25", "x26", "x27", "x28", "fp", "lr", "sp", "pc",
];
const MIPS_NAMES: [&str; 32] = [
    "zero", "at", "v0", "v1", "a0", "a1", "a2", "a3", "t0", "t1", "t2", "t3", "t4", "t5", "t6", "t7", "s0", "s1", "s2",
    "s3", "s4", "s5", "s6", "s7", "t8", "t9", "k0", "k1", "gp", "sp", "fp", "ra",
];
const RISCV_NAMES: [&str; 31] = [
    "ra", "sp", "gp", "tp", "t0", "t1", "t2", "s0", "s1", "a0", "a1", "a2", "a3", "a4", "a5", "a6", "a7", "s2", "s3",
    "s4", "s5", "s6", "s7", "s8", "s9", "s10", "s11", "t3", "t4", "t5", "t6",
];
const NUMBERED: [&str; 32] = [
    "r0", "r1", "r2", "r3", "r4", "r5", "r6", "r7", "r8", "r9", "r10", "r11", "r12", "r13", "r14", "r15", "r16", "r17",
    "r18", "r19", "r20", "r21", "r22", "r23", "r24", "r25", "r26", "r27", "r28", "r29", "r30", "r31",
];

impl Context<'_> {
    /// The instruction pointer.
    pub fn instruction_pointer(&self) -> u64 {
        match self {
            Context::X86(c) => c.eip.get().into(),
            Context::Amd64(c) => c.rip.get(),
            Context::Arm(c) => c.iregs[15].get().into(),
            Context::Arm64(c) => c.pc.get(),
            Context::Arm64Old(c) => c.iregs[32].get(),
            Context::Mips(c) | Context::Mips64(c) => c.epc.get(),
            Context::Ppc(c) => c.srr0.get().into(),
            Context::Ppc64(c) => c.srr0.get(),
            Context::Sparc(c) => c.pc.get(),
            Context::Riscv64(c) => c.pc.get(),
        }
    }

    /// The stack pointer.
    pub fn stack_pointer(&self) -> u64 {
        match self {
            Context::X86(c) => c.esp.get().into(),
            Context::Amd64(c) => c.rsp.get(),
            Context::Arm(c) => c.iregs[13].get().into(),
            Context::Arm64(c) => c.sp.get(),
            Context::Arm64Old(c) => c.iregs[31].get(),
            Context::Mips(c) | Context::Mips64(c) => c.iregs[29].get(),
            Context::Ppc(c) => c.gpr[1].get().into(),
            Context::Ppc64(c) => c.gpr[1].get(),
            Context::Sparc(c) => c.g_r[14].get(),
            Context::Riscv64(c) => c.regs[1].get(),
        }
    }

    /// The context flags (the low 32 bits where the layout has 64).
    pub fn flags(&self) -> u32 {
        match self {
            Context::X86(c) => c.context_flags.get(),
            Context::Amd64(c) => c.context_flags.get(),
            Context::Arm(c) => c.context_flags.get(),
            Context::Arm64(c) => c.context_flags.get(),
            Context::Arm64Old(c) => c.context_flags.get() as u32,
            Context::Mips(c) | Context::Mips64(c) => c.context_flags.get(),
            Context::Ppc(c) => c.context_flags.get(),
            Context::Ppc64(c) => c.context_flags.get() as u32,
            Context::Sparc(c) => c.context_flags.get(),
            Context::Riscv64(c) => c.context_flags.get(),
        }
    }

    /// The general-purpose registers (and the instruction pointer, stack
    /// pointer and flags register) by their conventional names, in the order
    /// debuggers print them.
    pub fn registers(&self) -> Vec<(&'static str, u64)> {
        let mut v: Vec<(&'static str, u64)> = Vec::with_capacity(40);
        match self {
            Context::X86(c) => {
                for (n, r) in [
                    ("eip", c.eip),
                    ("esp", c.esp),
                    ("ebp", c.ebp),
                    ("eax", c.eax),
                    ("ebx", c.ebx),
                    ("ecx", c.ecx),
                    ("edx", c.edx),
                    ("esi", c.esi),
                    ("edi", c.edi),
                    ("eflags", c.eflags),
                    ("cs", c.cs),
                    ("ds", c.ds),
                    ("es", c.es),
                    ("fs", c.fs),
                    ("gs", c.gs),
                    ("ss", c.ss),
                ] {
                    v.push((n, r.get().into()));
                }
            }
            Context::Amd64(c) => {
                for (n, r) in [
                    ("rip", c.rip),
                    ("rsp", c.rsp),
                    ("rbp", c.rbp),
                    ("rax", c.rax),
                    ("rbx", c.rbx),
                    ("rcx", c.rcx),
                    ("rdx", c.rdx),
                    ("rsi", c.rsi),
                    ("rdi", c.rdi),
                    ("r8", c.r8),
                    ("r9", c.r9),
                    ("r10", c.r10),
                    ("r11", c.r11),
                    ("r12", c.r12),
                    ("r13", c.r13),
                    ("r14", c.r14),
                    ("r15", c.r15),
                ] {
                    v.push((n, r.get()));
                }
                v.push(("eflags", c.eflags.get().into()));
                v.push(("mxcsr", c.mx_csr.get().into()));
                for (n, r) in [("cs", c.cs), ("ds", c.ds), ("es", c.es), ("fs", c.fs), ("gs", c.gs), ("ss", c.ss)] {
                    v.push((n, r.get().into()));
                }
            }
            Context::Arm(c) => {
                for (i, r) in c.iregs.iter().enumerate() {
                    let name = match i {
                        11 => "fp",
                        13 => "sp",
                        14 => "lr",
                        15 => "pc",
                        _ => NUMBERED[i],
                    };
                    v.push((name, r.get().into()));
                }
                v.push(("cpsr", c.cpsr.get().into()));
            }
            Context::Arm64(c) => {
                for (i, r) in c.x.iter().enumerate() {
                    v.push((ARM64_NAMES[i], r.get()));
                }
                v.push(("sp", c.sp.get()));
                v.push(("pc", c.pc.get()));
                v.push(("cpsr", c.cpsr.get().into()));
            }
            Context::Arm64Old(c) => {
                for (i, r) in c.iregs.iter().enumerate() {
                    v.push((ARM64_NAMES[i], r.get()));
                }
                v.push(("cpsr", c.cpsr.get().into()));
            }
            Context::Mips(c) | Context::Mips64(c) => {
                for (i, r) in c.iregs.iter().enumerate() {
                    v.push((MIPS_NAMES[i], r.get()));
                }
                v.push(("pc", c.epc.get()));
                v.push(("hi", c.mdhi.get()));
                v.push(("lo", c.mdlo.get()));
            }
            Context::Ppc(c) => {
                v.push(("srr0", c.srr0.get().into()));
                v.push(("srr1", c.srr1.get().into()));
                for (i, r) in c.gpr.iter().enumerate() {
                    v.push((NUMBERED[i], r.get().into()));
                }
                v.push(("lr", c.lr.get().into()));
                v.push(("ctr", c.ctr.get().into()));
            }
            Context::Ppc64(c) => {
                v.push(("srr0", c.srr0.get()));
                v.push(("srr1", c.srr1.get()));
                for (i, r) in c.gpr.iter().enumerate() {
                    v.push((NUMBERED[i], r.get()));
                }
                v.push(("lr", c.lr.get()));
                v.push(("ctr", c.ctr.get()));
            }
            Context::Sparc(c) => {
                v.push(("pc", c.pc.get()));
                v.push(("npc", c.npc.get()));
                for (i, r) in c.g_r.iter().enumerate() {
                    v.push((NUMBERED[i], r.get()));
                }
            }
            Context::Riscv64(c) => {
                v.push(("pc", c.pc.get()));
                for (i, r) in c.regs.iter().enumerate() {
                    v.push((RISCV_NAMES[i], r.get()));
                }
            }
        }
        v
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amd64_by_flags_at_0x30_and_x86_by_flags_at_0() {
        let amd = mdump_testkit_free_amd64();
        assert_eq!(identify(Bytes::new(&amd), None).unwrap(), ContextKind::Amd64);
        assert_eq!(identify(Bytes::new(&amd), Some(PROCESSOR_ARCHITECTURE_AMD64)).unwrap(), ContextKind::Amd64);
        let e = identify(Bytes::new(&amd), Some(PROCESSOR_ARCHITECTURE_ARM64)).unwrap_err();
        assert!(matches!(e.kind, ErrorKind::BadContext(_)));

        let mut x86 = vec![0u8; 716];
        x86[0..4].copy_from_slice(&0x0001_003fu32.to_le_bytes());
        assert_eq!(identify(Bytes::new(&x86), Some(PROCESSOR_ARCHITECTURE_X86)).unwrap(), ContextKind::X86);
        // Truncated: flags say x86 but the bytes are short.
        let e = identify(Bytes::new(&x86[..100]), Some(PROCESSOR_ARCHITECTURE_X86)).unwrap_err();
        assert!(matches!(e.kind, ErrorKind::Truncated { needed: 716, .. }));
        // No CPU bits at all: the system decides.
        let zero = vec![0u8; 716];
        assert_eq!(identify(Bytes::new(&zero), Some(PROCESSOR_ARCHITECTURE_X86)).unwrap(), ContextKind::X86);
        assert!(identify(Bytes::new(&zero), None).is_err());
        assert!(identify(Bytes::new(&[1, 2]), None).is_err());
    }

    #[test]
    fn registers_by_name() {
        let mut amd = mdump_testkit_free_amd64();
        amd[0xf8..0x100].copy_from_slice(&0x40_1000u64.to_le_bytes());
        amd[0x98..0xa0].copy_from_slice(&0x7fff_0000u64.to_le_bytes());
        let c = Context::view(ContextKind::Amd64, Bytes::new(&amd)).unwrap();
        assert_eq!(c.instruction_pointer(), 0x40_1000);
        assert_eq!(c.stack_pointer(), 0x7fff_0000);
        assert_eq!(c.flags(), 0x0010_000b);
        let regs = c.registers();
        assert_eq!(regs[0], ("rip", 0x40_1000));
        assert_eq!(regs[1], ("rsp", 0x7fff_0000));
        let mut x86 = vec![0u8; 716];
        x86[0xb8..0xbc].copy_from_slice(&0x41_4141u32.to_le_bytes());
        let c = Context::view(ContextKind::X86, Bytes::new(&x86)).unwrap();
        assert_eq!(c.instruction_pointer(), 0x41_4141);
        assert_eq!(c.registers()[0], ("eip", 0x41_4141));
    }

    fn mdump_testkit_free_amd64() -> Vec<u8> {
        let mut c = vec![0u8; 1232];
        c[0x30..0x34].copy_from_slice(&0x0010_000bu32.to_le_bytes());
        c
    }
}
