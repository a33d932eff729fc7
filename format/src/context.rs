//! CPU contexts: the register state a thread's `thread_context` (and the
//! exception stream's) location descriptor points at.
//!
//! There is one module per CPU family, each holding the structure(s) and the
//! `context_flags` constants of that family:
//!
//! | module    | structure                       | spec name                         | CPU flag      | bytes |
//! |-----------|---------------------------------|-----------------------------------|---------------|-------|
//! | [`x86`]   | [`ContextX86`]                  | `CONTEXT` (x86), `MDRawContextX86` | `0x00010000` | 716   |
//! | [`amd64`] | [`ContextAmd64`]                | `CONTEXT` (x64), `MDRawContextAMD64` | `0x00100000` | 1232 |
//! | [`arm`]   | [`ContextArm`]                  | `MDRawContextARM` (Breakpad)      | `0x40000000`  | 368   |
//! | [`arm`]   | [`ContextArmNt`]                | `CONTEXT` (Windows on Arm32)      | `0x00200000`  | 416   |
//! | [`arm64`] | [`ContextArm64`]                | `ARM64_NT_CONTEXT`, `MDRawContextARM64` | `0x00400000` | 912 |
//! | [`arm64`] | [`ContextArm64Old`]             | `MDRawContextARM64_Old` (Breakpad) | `0x80000000` | 796   |
//! | [`mips`]  | [`ContextMips`]                 | `MDRawContextMIPS` (32 and 64 bit) | `0x00040000`, `0x00080000` | 600 |
//! | [`ppc`]   | [`ContextPpc`]                  | `MDRawContextPPC`                 | `0x20000000`  | 1004  |
//! | [`ppc64`] | [`ContextPpc64`]                | `MDRawContextPPC64`               | `0x01000000`  | 1160  |
//! | [`sparc`] | [`ContextSparc`]                | `MDRawContextSPARC`               | `0x10000000`  | 584   |
//! | [`riscv`] | [`ContextRiscv`]                | `MDRawContextRISCV`               | `0x00800000`  | 268   |
//! | [`riscv`] | [`ContextRiscv64`]              | `MDRawContextRISCV64`             | `0x08000000`  | 528   |
//!
//! Every structure but [`ContextArmNt`] and [`ContextRiscv`] has a
//! [`ContextKind`]; those two (Windows on Arm32 and 32-bit RISC-V, both rare
//! in practice) are described for completeness but
//! [`ContextKind::from_flags`] does not recognise their CPU values.
//!
//! # Telling contexts apart
//!
//! A context carries no type tag of its own. What a reader has is
//!
//! 1. the `context_flags` word: its high 24 bits ([`CONTEXT_CPU_MASK`]) name
//!    the CPU, its low 8 bits say which register groups were saved;
//! 2. the size in the location descriptor;
//! 3. the `processor_architecture` of the SystemInfo stream.
//!
//! None of these alone is reliable:
//!
//! * The flags are not always at offset 0. AMD64 starts with six 64-bit
//!   register home slots and keeps its flags at offset `0x30`; PowerPC 64 and
//!   Breakpad's old ARM64 layout have 64-bit flags (the CPU bits are in the
//!   low half, which comes first in a little-endian file).
//! * CPU values collide. Microsoft's kernel-state bits
//!   ([`CONTEXT_EXCEPTION_ACTIVE`] `0x08000000`, [`CONTEXT_SERVICE_ACTIVE`]
//!   `0x10000000`, [`CONTEXT_UNWOUND_TO_CALL`] `0x20000000`,
//!   [`CONTEXT_EXCEPTION_REQUEST`] `0x40000000`,
//!   [`CONTEXT_EXCEPTION_REPORTING`] `0x80000000`) sit in the same byte as
//!   the CPU values Breakpad picked for RISC-V 64, SPARC, PowerPC, ARM and
//!   old ARM64. `0x00010000` is both `CONTEXT_i386` and Windows CE's
//!   `CONTEXT_R4000` (MIPS), and `0x00080000` is both Breakpad's MIPS64 and
//!   Itanium's `CONTEXT_IA64`. Windows CE's ARM value `0x40` lives in the
//!   low byte, where it now means "XSTATE".
//! * A context captured with `RtlCaptureContext` and similar may carry no CPU
//!   bits at all.
//!
//! [`ContextKind::from_flags`] first looks for an exact CPU value and only
//! then retries with the Windows kernel-state bits cleared (which can only
//! yield a Microsoft CPU: x86, AMD64, ARM64). [`ContextKind::detect`]
//! adds the size, the way Breakpad's processor does: a blob of exactly the
//! AMD64, PPC64 or old-ARM64 size is checked at that layout's flags first.
//! When the result disagrees with the SystemInfo architecture, or is
//! `None`, the architecture (together with [`ContextKind::size`]) should
//! decide.
//!
//! Contexts can be longer than their structure: with `CONTEXT_XSTATE` set,
//! Windows appends a [`amd64::ContextEx`] and the XSAVE area after the
//! x86 or AMD64 `CONTEXT`. View the structure over the first
//! [`ContextKind::size`] bytes (`ref_from_prefix`).
//!
//! # Byte order
//!
//! Every field is little-endian. Breakpad wrote PowerPC (Mac OS X) and SPARC
//! (Solaris) dumps in the host's big-endian order; those files carry a
//! byte-swapped header signature and cannot be viewed with these types.
//!
//! # 128-bit registers
//!
//! Vector registers are [`U128`], Microsoft's `M128A` (`Low` then `High`,
//! both little-endian). Breakpad's `uint128_struct` declares `high` first,
//! but its writers copy the CPU's 16 register bytes as they are in memory,
//! so on little-endian hosts the bytes are the same as `M128A`'s.

/// Implements `Default` as all-zero bytes for structures whose arrays are too
/// long for `#[derive(Default)]`.
macro_rules! zeroed_default {
    ($($t:ty),* $(,)?) => {
        $(
            impl Default for $t {
                fn default() -> Self {
                    <Self as zerocopy::FromZeros>::new_zeroed()
                }
            }
        )*
    };
}

pub mod amd64;
pub mod arm;
pub mod arm64;
pub mod mips;
pub mod ppc;
pub mod ppc64;
pub mod riscv;
pub mod sparc;
pub mod x86;

pub use amd64::ContextAmd64;
pub use arm::{ContextArm, ContextArmNt};
pub use arm64::{ContextArm64, ContextArm64Old};
pub use mips::ContextMips;
pub use ppc::ContextPpc;
pub use ppc64::ContextPpc64;
pub use riscv::{ContextRiscv, ContextRiscv64};
pub use sparc::ContextSparc;
pub use x86::ContextX86;

/// A 128-bit little-endian value of alignment 1: Microsoft's `M128A` and
/// `ARM64_NT_NEON128`, Breakpad's `uint128_struct`.
pub use zerocopy::little_endian::U128;

/// `MD_CONTEXT_CPU_MASK`: the bits of `context_flags` that name the CPU. The
/// remaining low byte says which register groups are present.
///
/// For the 64-bit flags of [`ContextPpc64`] and [`ContextArm64Old`] the same
/// mask applies to the low 32 bits; the high 32 bits are zero.
pub const CONTEXT_CPU_MASK: u32 = 0xffff_ff00;

/// `CONTEXT_KERNEL_DEBUGGER` (x86, AMD64): set in contexts handed to a kernel
/// debugger. ARM64 reuses the bit as `CONTEXT_ARM64_RET_TO_GUEST`.
pub const CONTEXT_KERNEL_DEBUGGER: u32 = 0x0400_0000;
/// `CONTEXT_EXCEPTION_ACTIVE`: the thread was in a kernel trap handler. Only
/// meaningful with [`CONTEXT_EXCEPTION_REPORTING`]. Same value as Breakpad's
/// RISC-V 64 CPU flag.
pub const CONTEXT_EXCEPTION_ACTIVE: u32 = 0x0800_0000;
/// `CONTEXT_SERVICE_ACTIVE`: the thread was in a system call. Only
/// meaningful with [`CONTEXT_EXCEPTION_REPORTING`]. Same value as Breakpad's
/// SPARC CPU flag.
pub const CONTEXT_SERVICE_ACTIVE: u32 = 0x1000_0000;
/// `CONTEXT_UNWOUND_TO_CALL`: the context was produced by unwinding, so its
/// program counter is a return address (AMD64, ARM, ARM64). Same value as
/// Breakpad's PowerPC CPU flag.
pub const CONTEXT_UNWOUND_TO_CALL: u32 = 0x2000_0000;
/// `CONTEXT_EXCEPTION_REQUEST`: asks `GetThreadContext` for the kernel-state
/// bits; not expected in a stored context. Same value as Breakpad's ARM CPU
/// flag.
pub const CONTEXT_EXCEPTION_REQUEST: u32 = 0x4000_0000;
/// `CONTEXT_EXCEPTION_REPORTING`: [`CONTEXT_EXCEPTION_ACTIVE`] and
/// [`CONTEXT_SERVICE_ACTIVE`] are valid. Same value as Breakpad's old ARM64
/// CPU flag.
pub const CONTEXT_EXCEPTION_REPORTING: u32 = 0x8000_0000;
/// All of Microsoft's kernel-state bits above (not a spec name): what
/// [`ContextKind::from_flags`] clears before its second attempt.
pub const CONTEXT_WINDOWS_STATE_FLAGS: u32 = CONTEXT_KERNEL_DEBUGGER
    | CONTEXT_EXCEPTION_ACTIVE
    | CONTEXT_SERVICE_ACTIVE
    | CONTEXT_UNWOUND_TO_CALL
    | CONTEXT_EXCEPTION_REQUEST
    | CONTEXT_EXCEPTION_REPORTING;

/// `CONTEXT_R4000` (Windows NT/CE MIPS): same value as `CONTEXT_i386`; no
/// structure for it here.
pub const CONTEXT_R4000: u32 = 0x0001_0000;
/// `CONTEXT_ALPHA` (Windows NT on Alpha); no structure for it here.
pub const CONTEXT_ALPHA: u32 = 0x0002_0000;
/// `CONTEXT_IA64` (Itanium): same value as Breakpad's
/// [`mips::CONTEXT_MIPS64`]; no structure for it here.
pub const CONTEXT_IA64: u32 = 0x0008_0000;
/// `CONTEXT_SH4` (Windows CE SuperH) in the low byte; no structure for it
/// here.
pub const CONTEXT_SHX: u32 = 0x0000_00c0;

/// True when every bit of `wanted` is set in `flags`.
///
/// The `CONTEXT_*` group constants include their CPU bits, so this checks the
/// CPU as well: `has_flags(f, CONTEXT_AMD64_INTEGER)` is false for an x86
/// context.
pub const fn has_flags(flags: u32, wanted: u32) -> bool {
    flags & wanted == wanted
}

/// Which CPU context structure a context is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ContextKind {
    /// 32-bit x86: [`ContextX86`].
    X86,
    /// x86-64: [`ContextAmd64`].
    Amd64,
    /// 32-bit ARM as Breakpad and Crashpad write it: [`ContextArm`].
    Arm,
    /// 64-bit ARM (Windows, and Breakpad/Crashpad since 2019):
    /// [`ContextArm64`].
    Arm64,
    /// Breakpad's earlier 64-bit ARM layout: [`ContextArm64Old`].
    Arm64Old,
    /// 32-bit MIPS: [`ContextMips`].
    Mips,
    /// 64-bit MIPS, Breakpad layout (the same [`ContextMips`] structure).
    Mips64,
    /// 32-bit PowerPC: [`ContextPpc`].
    Ppc,
    /// 64-bit PowerPC: [`ContextPpc64`].
    Ppc64,
    /// SPARC: [`ContextSparc`].
    Sparc,
    /// 64-bit RISC-V: [`ContextRiscv64`].
    Riscv64,
}

impl ContextKind {
    /// Every kind, in declaration order.
    pub const ALL: [ContextKind; 11] = [
        ContextKind::X86,
        ContextKind::Amd64,
        ContextKind::Arm,
        ContextKind::Arm64,
        ContextKind::Arm64Old,
        ContextKind::Mips,
        ContextKind::Mips64,
        ContextKind::Ppc,
        ContextKind::Ppc64,
        ContextKind::Sparc,
        ContextKind::Riscv64,
    ];

    /// The CPU value this kind carries in the bits of [`CONTEXT_CPU_MASK`].
    pub const fn cpu_flag(self) -> u32 {
        match self {
            ContextKind::X86 => x86::CONTEXT_X86,
            ContextKind::Amd64 => amd64::CONTEXT_AMD64,
            ContextKind::Arm => arm::CONTEXT_ARM,
            ContextKind::Arm64 => arm64::CONTEXT_ARM64,
            ContextKind::Arm64Old => arm64::CONTEXT_ARM64_OLD,
            ContextKind::Mips => mips::CONTEXT_MIPS,
            ContextKind::Mips64 => mips::CONTEXT_MIPS64,
            ContextKind::Ppc => ppc::CONTEXT_PPC,
            ContextKind::Ppc64 => ppc64::CONTEXT_PPC64,
            ContextKind::Sparc => sparc::CONTEXT_SPARC,
            ContextKind::Riscv64 => riscv::CONTEXT_RISCV64,
        }
    }

    /// Size in bytes of the structure, which is what writers put in the
    /// location descriptor (more with an XSTATE tail on x86 and AMD64).
    pub const fn size(self) -> usize {
        match self {
            ContextKind::X86 => core::mem::size_of::<ContextX86>(),
            ContextKind::Amd64 => core::mem::size_of::<ContextAmd64>(),
            ContextKind::Arm => core::mem::size_of::<ContextArm>(),
            ContextKind::Arm64 => core::mem::size_of::<ContextArm64>(),
            ContextKind::Arm64Old => core::mem::size_of::<ContextArm64Old>(),
            ContextKind::Mips | ContextKind::Mips64 => core::mem::size_of::<ContextMips>(),
            ContextKind::Ppc => core::mem::size_of::<ContextPpc>(),
            ContextKind::Ppc64 => core::mem::size_of::<ContextPpc64>(),
            ContextKind::Sparc => core::mem::size_of::<ContextSparc>(),
            ContextKind::Riscv64 => core::mem::size_of::<ContextRiscv64>(),
        }
    }

    /// Offset of `context_flags` inside the structure: `0x30` for AMD64, 0
    /// for everything else.
    pub const fn flags_offset(self) -> usize {
        match self {
            ContextKind::Amd64 => 0x30,
            _ => 0,
        }
    }

    /// True when `context_flags` is 64 bits wide (PowerPC 64 and Breakpad's
    /// old ARM64); the CPU bits are then in its low half.
    pub const fn has_64bit_flags(self) -> bool {
        matches!(self, ContextKind::Ppc64 | ContextKind::Arm64Old)
    }

    /// The kind whose CPU value is exactly `cpu` (already masked).
    const fn from_cpu(cpu: u32) -> Option<ContextKind> {
        let mut i = 0;
        while i < Self::ALL.len() {
            if Self::ALL[i].cpu_flag() == cpu {
                return Some(Self::ALL[i]);
            }
            i += 1;
        }
        None
    }

    /// The kind named by the CPU bits of a `context_flags` word (its low 32
    /// bits where it is 64 bits wide), or `None` when they name no known
    /// CPU (including when they are 0).
    ///
    /// An exact CPU value wins; failing that, Microsoft's kernel-state bits
    /// ([`CONTEXT_WINDOWS_STATE_FLAGS`]) are cleared and the rest must be
    /// x86, AMD64 or ARM64. So `0x4000_0002` is Breakpad's ARM, while
    /// `0x8010_000b` is AMD64 with `CONTEXT_EXCEPTION_REPORTING`. The CPU
    /// values of [`ContextArmNt`] and [`ContextRiscv`], which have no kind,
    /// give `None`.
    /// The flags must have been read from [`ContextKind::flags_offset`] of
    /// the right structure, which is why [`ContextKind::detect`] exists.
    pub const fn from_flags(flags: u32) -> Option<ContextKind> {
        let cpu = flags & CONTEXT_CPU_MASK;
        if let Some(kind) = Self::from_cpu(cpu) {
            return Some(kind);
        }
        match cpu & !CONTEXT_WINDOWS_STATE_FLAGS {
            x86::CONTEXT_X86 => Some(ContextKind::X86),
            amd64::CONTEXT_AMD64 => Some(ContextKind::Amd64),
            arm64::CONTEXT_ARM64 => Some(ContextKind::Arm64),
            _ => None,
        }
    }

    /// Works out the kind of a whole context blob (`data` is exactly the
    /// bytes the location descriptor names) from its size and flags.
    ///
    /// In order:
    /// 1. exactly 1232 bytes with AMD64 flags at `0x30`: AMD64;
    /// 2. exactly 1160 bytes with 64-bit PPC64 flags: PPC64;
    /// 3. exactly 796 bytes with 64-bit old-ARM64 flags: old ARM64;
    /// 4. more than 1232 bytes with AMD64 flags including `CONTEXT_XSTATE`
    ///    at `0x30` (an XSTATE tail), unless offset 0 holds x86 flags with
    ///    `CONTEXT_XSTATE`: AMD64;
    /// 5. the flags at offset 0 name a kind whose flags are at offset 0 and
    ///    `data` is at least that kind's size: that kind;
    /// 6. more than 1232 bytes with AMD64 flags at `0x30`: AMD64.
    ///
    /// `None` otherwise. The answer is a guess from the bytes alone; see the
    /// module documentation for why the SystemInfo architecture should be
    /// consulted as well. Never panics.
    pub fn detect(data: &[u8]) -> Option<ContextKind> {
        const XSTATE: u32 = 0x40;
        let len = data.len();
        let amd64_size = ContextKind::Amd64.size();
        let amd64_flags = read_u32(data, ContextKind::Amd64.flags_offset()).unwrap_or(0);
        let is_amd64 = ContextKind::from_flags(amd64_flags) == Some(ContextKind::Amd64);
        if len == amd64_size && is_amd64 {
            return Some(ContextKind::Amd64);
        }
        let first = read_u32(data, 0);
        let high = read_u32(data, 4);
        for wide in [ContextKind::Ppc64, ContextKind::Arm64Old] {
            if len == wide.size() && high == Some(0) && first.map(|f| f & CONTEXT_CPU_MASK) == Some(wide.cpu_flag()) {
                return Some(wide);
            }
        }
        let first_kind = first.and_then(ContextKind::from_flags);
        let x86_xstate = first_kind == Some(ContextKind::X86) && first.unwrap_or(0) & XSTATE != 0;
        if len > amd64_size && is_amd64 && amd64_flags & XSTATE != 0 && !x86_xstate {
            return Some(ContextKind::Amd64);
        }
        if let Some(kind) = first_kind {
            if kind.flags_offset() == 0 && len >= kind.size() {
                return Some(kind);
            }
        }
        if len > amd64_size && is_amd64 {
            return Some(ContextKind::Amd64);
        }
        None
    }
}

/// The little-endian `u32` at `at`, if `data` is long enough.
fn read_u32(data: &[u8], at: usize) -> Option<u32> {
    let end = at.checked_add(4)?;
    let bytes: [u8; 4] = data.get(at..end)?.try_into().ok()?;
    Some(u32::from_le_bytes(bytes))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_match_the_specs() {
        let expected = [
            (ContextKind::X86, 716),
            (ContextKind::Amd64, 1232),
            (ContextKind::Arm, 368),
            (ContextKind::Arm64, 912),
            (ContextKind::Arm64Old, 796),
            (ContextKind::Mips, 600),
            (ContextKind::Mips64, 600),
            (ContextKind::Ppc, 1004),
            (ContextKind::Ppc64, 1160),
            (ContextKind::Sparc, 584),
            (ContextKind::Riscv64, 528),
        ];
        for (kind, size) in expected {
            assert_eq!(kind.size(), size, "{kind:?}");
        }
    }

    #[test]
    fn every_kind_round_trips_through_its_cpu_flag() {
        for kind in ContextKind::ALL {
            assert_eq!(ContextKind::from_flags(kind.cpu_flag()), Some(kind));
            // With a few register-group bits as well.
            assert_eq!(ContextKind::from_flags(kind.cpu_flag() | 0x0f), Some(kind));
        }
    }

    #[test]
    fn windows_state_bits_are_stripped_only_for_microsoft_cpus() {
        let amd64 = amd64::CONTEXT_AMD64_ALL | CONTEXT_EXCEPTION_REPORTING;
        assert_eq!(ContextKind::from_flags(amd64), Some(ContextKind::Amd64));
        let x86 = x86::CONTEXT_X86_FULL | CONTEXT_EXCEPTION_REPORTING | CONTEXT_SERVICE_ACTIVE;
        assert_eq!(ContextKind::from_flags(x86), Some(ContextKind::X86));
        let arm64 = arm64::CONTEXT_ARM64_FULL | CONTEXT_UNWOUND_TO_CALL;
        assert_eq!(ContextKind::from_flags(arm64), Some(ContextKind::Arm64));
        // The bare bits are Breakpad CPUs.
        assert_eq!(ContextKind::from_flags(0x4000_0006), Some(ContextKind::Arm));
        assert_eq!(ContextKind::from_flags(0x8000_0002), Some(ContextKind::Arm64Old));
        assert_eq!(ContextKind::from_flags(0x0800_0003), Some(ContextKind::Riscv64));
        // Structures without a kind.
        assert_eq!(ContextKind::from_flags(arm::CONTEXT_ARM_NT_ALL), None);
        assert_eq!(ContextKind::from_flags(riscv::CONTEXT_RISCV_FULL), None);
        // Nothing recognisable.
        assert_eq!(ContextKind::from_flags(0), None);
        assert_eq!(ContextKind::from_flags(0x3f), None);
        assert_eq!(ContextKind::from_flags(0x0002_0007), None);
        assert_eq!(ContextKind::from_flags(0x0000_ff00), None);
    }

    #[test]
    fn has_flags_checks_cpu_and_group() {
        assert!(has_flags(amd64::CONTEXT_AMD64_FULL, amd64::CONTEXT_AMD64_INTEGER));
        assert!(!has_flags(x86::CONTEXT_X86_ALL, amd64::CONTEXT_AMD64_INTEGER));
        assert!(!has_flags(amd64::CONTEXT_AMD64_CONTROL, amd64::CONTEXT_AMD64_INTEGER));
    }

    #[test]
    fn detect_uses_size_and_flag_position() {
        // AMD64: flags at 0x30, garbage at 0 that looks like x86.
        let mut amd64 = [0u8; 1232];
        amd64[..4].copy_from_slice(&x86::CONTEXT_X86_ALL.to_le_bytes());
        amd64[0x30..0x34].copy_from_slice(&amd64::CONTEXT_AMD64_FULL.to_le_bytes());
        assert_eq!(ContextKind::detect(&amd64), Some(ContextKind::Amd64));

        // AMD64 followed by an XSTATE tail, p1_home looking like x86 flags.
        let mut long = [0u8; 1232 + 24 + 576];
        long[..4].copy_from_slice(&x86::CONTEXT_X86.to_le_bytes());
        long[0x30..0x34].copy_from_slice(&(amd64::CONTEXT_AMD64_ALL | 0x40).to_le_bytes());
        assert_eq!(ContextKind::detect(&long), Some(ContextKind::Amd64));

        // x86 with an XSTATE tail whose x87 data offset (at 0x30) looks like
        // AMD64 flags.
        let mut x86_long = [0u8; 716 + 24 + 576 + 64];
        x86_long[..4].copy_from_slice(&(x86::CONTEXT_X86_ALL | 0x40).to_le_bytes());
        x86_long[0x30..0x34].copy_from_slice(&0x0010_0040u32.to_le_bytes());
        assert_eq!(ContextKind::detect(&x86_long), Some(ContextKind::X86));

        // x86 with the flags at 0.
        let mut x86 = [0u8; 716];
        x86[..4].copy_from_slice(&x86::CONTEXT_X86_ALL.to_le_bytes());
        assert_eq!(ContextKind::detect(&x86), Some(ContextKind::X86));
        // ...but too short for the structure.
        assert_eq!(ContextKind::detect(&x86[..700]), None);

        // 64-bit flags.
        let mut ppc64 = [0u8; 1160];
        ppc64[..8].copy_from_slice(&u64::from(ppc64::CONTEXT_PPC64_ALL).to_le_bytes());
        assert_eq!(ContextKind::detect(&ppc64), Some(ContextKind::Ppc64));
        let mut old = [0u8; 796];
        old[..8].copy_from_slice(&u64::from(arm64::CONTEXT_ARM64_FULL_OLD).to_le_bytes());
        assert_eq!(ContextKind::detect(&old), Some(ContextKind::Arm64Old));

        // Breakpad ARM, RISC-V 64.
        let mut arm = [0u8; 368];
        arm[..4].copy_from_slice(&arm::CONTEXT_ARM_FULL.to_le_bytes());
        assert_eq!(ContextKind::detect(&arm), Some(ContextKind::Arm));
        let mut rv = [0u8; 528];
        rv[..4].copy_from_slice(&riscv::CONTEXT_RISCV64_FULL.to_le_bytes());
        assert_eq!(ContextKind::detect(&rv), Some(ContextKind::Riscv64));

        // Empty and tiny inputs do not panic.
        assert_eq!(ContextKind::detect(&[]), None);
        assert_eq!(ContextKind::detect(&[1, 2, 3]), None);
    }
}
