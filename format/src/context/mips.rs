//! MIPS: Breakpad's `MDRawContextMIPS` (Crashpad's `MinidumpContextMIPS`),
//! used for both 32-bit MIPS ([`CONTEXT_MIPS`]) and 64-bit MIPS
//! ([`CONTEXT_MIPS64`]); registers are stored 64 bits wide either way.
//!
//! Crashpad has a separate, wider 64-bit structure (`MinidumpContextMIPS64`,
//! 64-bit flags and every field 64-bit, 640 bytes) that is not described
//! here; its size tells it apart from this one's 600.
//!
//! Windows CE's `CONTEXT_R4000` MIPS value (`0x00010000`) is x86's, which is
//! why Breakpad chose new values.

use crate::{U32, U64};
use zerocopy::{FromBytes, Immutable, IntoBytes, KnownLayout, Unaligned};

/// `MD_CONTEXT_MIPS`: CPU bits of a 32-bit MIPS context.
pub const CONTEXT_MIPS: u32 = 0x0004_0000;
/// `MD_CONTEXT_MIPS_INTEGER`: `iregs`, `mdhi`, `mdlo`, `epc`, `badvaddr`,
/// `status` and `cause` are valid.
pub const CONTEXT_MIPS_INTEGER: u32 = CONTEXT_MIPS | 0x02;
/// `MD_CONTEXT_MIPS_FLOATING_POINT`: `float_save` is valid.
pub const CONTEXT_MIPS_FLOATING_POINT: u32 = CONTEXT_MIPS | 0x04;
/// `MD_CONTEXT_MIPS_DSP`: `hi`, `lo` and `dsp_control` are valid.
pub const CONTEXT_MIPS_DSP: u32 = CONTEXT_MIPS | 0x08;
/// `MD_CONTEXT_MIPS_FULL`: integer, floating point and DSP.
pub const CONTEXT_MIPS_FULL: u32 = CONTEXT_MIPS_INTEGER | CONTEXT_MIPS_FLOATING_POINT | CONTEXT_MIPS_DSP;
/// `MD_CONTEXT_MIPS_ALL`: the same as [`CONTEXT_MIPS_FULL`].
pub const CONTEXT_MIPS_ALL: u32 = CONTEXT_MIPS_FULL;

/// `MD_CONTEXT_MIPS64`: CPU bits of a 64-bit MIPS context. Itanium's
/// `CONTEXT_IA64` has the same value.
pub const CONTEXT_MIPS64: u32 = 0x0008_0000;
/// `MD_CONTEXT_MIPS64_INTEGER`.
pub const CONTEXT_MIPS64_INTEGER: u32 = CONTEXT_MIPS64 | 0x02;
/// `MD_CONTEXT_MIPS64_FLOATING_POINT`.
pub const CONTEXT_MIPS64_FLOATING_POINT: u32 = CONTEXT_MIPS64 | 0x04;
/// `MD_CONTEXT_MIPS64_DSP`.
pub const CONTEXT_MIPS64_DSP: u32 = CONTEXT_MIPS64 | 0x08;
/// `MD_CONTEXT_MIPS64_FULL`: integer, floating point and DSP.
pub const CONTEXT_MIPS64_FULL: u32 = CONTEXT_MIPS64_INTEGER | CONTEXT_MIPS64_FLOATING_POINT | CONTEXT_MIPS64_DSP;
/// `MD_CONTEXT_MIPS64_ALL`: the same as [`CONTEXT_MIPS64_FULL`].
pub const CONTEXT_MIPS64_ALL: u32 = CONTEXT_MIPS64_FULL;

/// `MD_CONTEXT_MIPS_GPR_COUNT`: entries of [`ContextMips::iregs`].
pub const CONTEXT_MIPS_GPR_COUNT: usize = 32;
/// `MD_FLOATINGSAVEAREA_MIPS_FPR_COUNT`: entries of
/// [`FloatingSaveAreaMips::regs`].
pub const FLOATINGSAVEAREA_MIPS_FPR_COUNT: usize = 32;
/// `MD_CONTEXT_MIPS_DSP_COUNT`: entries of [`ContextMips::hi`] and `lo`.
pub const CONTEXT_MIPS_DSP_COUNT: usize = 3;

/// `MD_CONTEXT_MIPS_REG_S0`: first callee-saved register (`$16`); `S1`-`S7`
/// follow.
pub const CONTEXT_MIPS_REG_S0: usize = 16;
/// `MD_CONTEXT_MIPS_REG_S1`.
pub const CONTEXT_MIPS_REG_S1: usize = 17;
/// `MD_CONTEXT_MIPS_REG_S2`.
pub const CONTEXT_MIPS_REG_S2: usize = 18;
/// `MD_CONTEXT_MIPS_REG_S3`.
pub const CONTEXT_MIPS_REG_S3: usize = 19;
/// `MD_CONTEXT_MIPS_REG_S4`.
pub const CONTEXT_MIPS_REG_S4: usize = 20;
/// `MD_CONTEXT_MIPS_REG_S5`.
pub const CONTEXT_MIPS_REG_S5: usize = 21;
/// `MD_CONTEXT_MIPS_REG_S6`.
pub const CONTEXT_MIPS_REG_S6: usize = 22;
/// `MD_CONTEXT_MIPS_REG_S7`.
pub const CONTEXT_MIPS_REG_S7: usize = 23;
/// `MD_CONTEXT_MIPS_REG_GP`: the global pointer (`$28`).
pub const CONTEXT_MIPS_REG_GP: usize = 28;
/// `MD_CONTEXT_MIPS_REG_SP`: the stack pointer (`$29`).
pub const CONTEXT_MIPS_REG_SP: usize = 29;
/// `MD_CONTEXT_MIPS_REG_FP`: the frame pointer (`$30`, also `s8`).
pub const CONTEXT_MIPS_REG_FP: usize = 30;
/// `MD_CONTEXT_MIPS_REG_RA`: the return address (`$31`).
pub const CONTEXT_MIPS_REG_RA: usize = 31;

/// `MDFloatingSaveAreaMIPS`: FPU state, 264 bytes.
#[derive(FromBytes, IntoBytes, KnownLayout, Immutable, Unaligned, Clone, Copy, Debug, Default, PartialEq, Eq)]
#[repr(C)]
pub struct FloatingSaveAreaMips {
    /// `f0`-`f31`, 64 bits each (a single-precision value in the low half).
    pub regs: [U64; FLOATINGSAVEAREA_MIPS_FPR_COUNT],
    /// FPU control and status register.
    pub fpcsr: U32,
    /// FPU implementation register.
    pub fir: U32,
}
const _: () = assert!(core::mem::size_of::<FloatingSaveAreaMips>() == 264);

/// `MDRawContextMIPS`, 600 bytes, for 32- and 64-bit MIPS alike.
#[derive(FromBytes, IntoBytes, KnownLayout, Immutable, Unaligned, Clone, Copy, Debug, Default, PartialEq, Eq)]
#[repr(C)]
pub struct ContextMips {
    /// [`CONTEXT_MIPS`] or [`CONTEXT_MIPS64`] plus group bits.
    pub context_flags: U32,
    /// Padding (aligns `iregs` to 8).
    pub _pad0: U32,
    /// `$0`-`$31`; see the `CONTEXT_MIPS_REG_*` indices. 32-bit values are
    /// sign-extended.
    pub iregs: [U64; CONTEXT_MIPS_GPR_COUNT],
    /// Multiply/divide result, high part (`HI`).
    pub mdhi: U64,
    /// Multiply/divide result, low part (`LO`).
    pub mdlo: U64,
    /// DSP accumulators 1-3, high parts.
    pub hi: [U32; CONTEXT_MIPS_DSP_COUNT],
    /// DSP accumulators 1-3, low parts.
    pub lo: [U32; CONTEXT_MIPS_DSP_COUNT],
    /// DSP control register.
    pub dsp_control: U32,
    /// Padding.
    pub _pad1: U32,
    /// Exception program counter: where the thread was.
    pub epc: U64,
    /// Bad virtual address of the last address error.
    pub badvaddr: U64,
    /// CP0 status register.
    pub status: U32,
    /// CP0 cause register.
    pub cause: U32,
    /// FPU registers ([`CONTEXT_MIPS_FLOATING_POINT`]).
    pub float_save: FloatingSaveAreaMips,
}
const _: () = assert!(core::mem::size_of::<ContextMips>() == 600);
const _: () = assert!(core::mem::offset_of!(ContextMips, iregs) == 0x8);
const _: () = assert!(core::mem::offset_of!(ContextMips, mdhi) == 0x108);
const _: () = assert!(core::mem::offset_of!(ContextMips, epc) == 0x138);
const _: () = assert!(core::mem::offset_of!(ContextMips, float_save) == 0x150);

impl ContextMips {
    /// The `context_flags` word.
    pub fn flags(&self) -> u32 {
        self.context_flags.get()
    }

    /// True when every bit of `wanted` (a `CONTEXT_MIPS_*` or
    /// `CONTEXT_MIPS64_*` constant) is set.
    pub fn has_flags(&self, wanted: u32) -> bool {
        super::has_flags(self.flags(), wanted)
    }

    /// True when the CPU bits say 64-bit MIPS.
    pub fn is_mips64(&self) -> bool {
        self.flags() & super::CONTEXT_CPU_MASK == CONTEXT_MIPS64
    }

    /// The program counter (`epc`).
    pub fn ip(&self) -> u64 {
        self.epc.get()
    }

    /// The stack pointer (`$29`).
    pub fn sp(&self) -> u64 {
        self.iregs[CONTEXT_MIPS_REG_SP].get()
    }

    /// The frame pointer (`$30`).
    pub fn fp(&self) -> u64 {
        self.iregs[CONTEXT_MIPS_REG_FP].get()
    }

    /// The return address (`$31`).
    pub fn ra(&self) -> u64 {
        self.iregs[CONTEXT_MIPS_REG_RA].get()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_bytes::{put32, put64};

    #[test]
    fn fields_at_spec_offsets() {
        let mut bytes = [0u8; 600];
        put32(&mut bytes, 0, CONTEXT_MIPS_FULL);
        put64(&mut bytes, 0x8 + 8 * 29, 0x7fff_0000); // sp
        put64(&mut bytes, 0x8 + 8 * 30, 0x7fff_0100); // fp
        put64(&mut bytes, 0x8 + 8 * 31, 0x0040_0100); // ra
        put64(&mut bytes, 0x108, 0x4848); // mdhi
        put64(&mut bytes, 0x110, 0x1010); // mdlo
        put32(&mut bytes, 0x118, 0x11); // hi[0]
        put32(&mut bytes, 0x124, 0x22); // lo[0]
        put32(&mut bytes, 0x130, 0xd5); // dsp_control
        put64(&mut bytes, 0x138, 0x0040_0200); // epc
        put64(&mut bytes, 0x140, 0xbad); // badvaddr
        put32(&mut bytes, 0x148, 0x0000_ff13); // status
        put32(&mut bytes, 0x14c, 0x10); // cause
        put64(&mut bytes, 0x150, 0xf0); // f0
        put32(&mut bytes, 0x250, 0xc5); // fpcsr
        put32(&mut bytes, 0x254, 0xf1); // fir

        let ctx = ContextMips::ref_from_bytes(&bytes).unwrap();
        assert!(ctx.has_flags(CONTEXT_MIPS_DSP));
        assert!(!ctx.is_mips64());
        assert_eq!(ctx.sp(), 0x7fff_0000);
        assert_eq!(ctx.fp(), 0x7fff_0100);
        assert_eq!(ctx.ra(), 0x0040_0100);
        assert_eq!(ctx.mdhi.get(), 0x4848);
        assert_eq!(ctx.mdlo.get(), 0x1010);
        assert_eq!(ctx.hi[0].get(), 0x11);
        assert_eq!(ctx.lo[0].get(), 0x22);
        assert_eq!(ctx.dsp_control.get(), 0xd5);
        assert_eq!(ctx.ip(), 0x0040_0200);
        assert_eq!(ctx.badvaddr.get(), 0xbad);
        assert_eq!(ctx.status.get(), 0x0000_ff13);
        assert_eq!(ctx.cause.get(), 0x10);
        assert_eq!(ctx.float_save.regs[0].get(), 0xf0);
        assert_eq!(ctx.float_save.fpcsr.get(), 0xc5);
        assert_eq!(ctx.float_save.fir.get(), 0xf1);

        put32(&mut bytes, 0, CONTEXT_MIPS64_INTEGER);
        let ctx = ContextMips::ref_from_bytes(&bytes).unwrap();
        assert!(ctx.is_mips64());
        assert!(!ctx.has_flags(CONTEXT_MIPS_INTEGER));
    }
}
