//! CPU contexts: which layout a context has, and typed access to it.
//!
//! A context does not say its own type reliably. The reader combines three
//! facts, as Breakpad's does: the CPU bits of `context_flags`, the size the
//! location descriptor gives, and the SystemInfo stream's architecture. When
//! they disagree the result is an error that names both sides, never a guess.

use crate::bytes::Bytes;
use crate::error::{Error, ErrorKind, Result};
use crate::minidump::Minidump;
use crate::system_info::SystemInfo;
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
        || matches!(
            (from_flags, from_system),
            (Arm64, Arm64Old) | (Arm64Old, Arm64) | (Mips, Mips64) | (Mips64, Mips)
        )
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
            ErrorKind::Truncated {
                needed: kind.size() as u64,
                available: bytes.len() as u64,
            },
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
        let arch = self
            .stream::<SystemInfo>()
            .ok()
            .flatten()
            .map(|s| s.architecture());
        let kind = identify(bytes, arch)?;
        Context::view(kind, bytes)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amd64_by_flags_at_0x30_and_x86_by_flags_at_0() {
        let amd = mdump_testkit_free_amd64();
        assert_eq!(
            identify(Bytes::new(&amd), None).unwrap(),
            ContextKind::Amd64
        );
        assert_eq!(
            identify(Bytes::new(&amd), Some(PROCESSOR_ARCHITECTURE_AMD64)).unwrap(),
            ContextKind::Amd64
        );
        let e = identify(Bytes::new(&amd), Some(PROCESSOR_ARCHITECTURE_ARM64)).unwrap_err();
        assert!(matches!(e.kind, ErrorKind::BadContext(_)));

        let mut x86 = vec![0u8; 716];
        x86[0..4].copy_from_slice(&0x0001_003fu32.to_le_bytes());
        assert_eq!(
            identify(Bytes::new(&x86), Some(PROCESSOR_ARCHITECTURE_X86)).unwrap(),
            ContextKind::X86
        );
        // Truncated: flags say x86 but the bytes are short.
        let e = identify(Bytes::new(&x86[..100]), Some(PROCESSOR_ARCHITECTURE_X86)).unwrap_err();
        assert!(matches!(e.kind, ErrorKind::Truncated { needed: 716, .. }));
        // No CPU bits at all: the system decides.
        let zero = vec![0u8; 716];
        assert_eq!(
            identify(Bytes::new(&zero), Some(PROCESSOR_ARCHITECTURE_X86)).unwrap(),
            ContextKind::X86
        );
        assert!(identify(Bytes::new(&zero), None).is_err());
        assert!(identify(Bytes::new(&[1, 2]), None).is_err());
    }

    fn mdump_testkit_free_amd64() -> Vec<u8> {
        let mut c = vec![0u8; 1232];
        c[0x30..0x34].copy_from_slice(&0x0010_000bu32.to_le_bytes());
        c
    }
}
