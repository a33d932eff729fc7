//! SPARC: Breakpad's `MDRawContextSPARC`, written by its Solaris client for
//! both 32-bit (V7/V8) and 64-bit (V9) processes; registers are stored 64
//! bits wide.
//!
//! Breakpad wrote these dumps in the host's big-endian order; the
//! little-endian fields here only fit a dump written little-endian.

use crate::{U32, U64};
use zerocopy::{FromBytes, Immutable, IntoBytes, KnownLayout, Unaligned};

/// `MD_CONTEXT_SPARC`: CPU bits of a SPARC context (Breakpad's choice; it is
/// also Microsoft's `CONTEXT_SERVICE_ACTIVE`).
pub const CONTEXT_SPARC: u32 = 0x1000_0000;
/// `MD_CONTEXT_SPARC_CONTROL`: `ccr`, `pc`, `npc`, `y`, `asi` and `fprs` are
/// valid.
pub const CONTEXT_SPARC_CONTROL: u32 = CONTEXT_SPARC | 0x01;
/// `MD_CONTEXT_SPARC_INTEGER`: `g_r` is valid.
pub const CONTEXT_SPARC_INTEGER: u32 = CONTEXT_SPARC | 0x02;
/// `MD_CONTEXT_SAPARC_FLOATING_POINT` (sic): `float_save` is valid.
pub const CONTEXT_SPARC_FLOATING_POINT: u32 = CONTEXT_SPARC | 0x04;
/// `MD_CONTEXT_SAPARC_EXTRA` (sic): extra state (unused).
pub const CONTEXT_SPARC_EXTRA: u32 = CONTEXT_SPARC | 0x08;
/// `MD_CONTEXT_SPARC_FULL`: control and integer registers.
pub const CONTEXT_SPARC_FULL: u32 = CONTEXT_SPARC_CONTROL | CONTEXT_SPARC_INTEGER;
/// `MD_CONTEXT_SPARC_ALL`: everything.
pub const CONTEXT_SPARC_ALL: u32 = CONTEXT_SPARC_FULL | CONTEXT_SPARC_FLOATING_POINT | CONTEXT_SPARC_EXTRA;

/// `MD_CONTEXT_SPARC_GPR_COUNT`: entries of [`ContextSparc::g_r`].
pub const CONTEXT_SPARC_GPR_COUNT: usize = 32;
/// `MD_FLOATINGSAVEAREA_SPARC_FPR_COUNT`: entries of
/// [`FloatingSaveAreaSparc::regs`].
pub const FLOATINGSAVEAREA_SPARC_FPR_COUNT: usize = 32;
/// `MD_CONTEXT_SPARC_REG_SP`: index of the stack pointer (`o6`) in `g_r`.
pub const CONTEXT_SPARC_REG_SP: usize = 14;
/// Index of the frame pointer (`i6`) in `g_r` (not a Breakpad name).
pub const CONTEXT_SPARC_REG_FP: usize = 30;

/// `MDFloatingSaveAreaSPARC`: FPU state, 272 bytes.
#[derive(FromBytes, IntoBytes, KnownLayout, Immutable, Unaligned, Clone, Copy, Debug, Default, PartialEq, Eq)]
#[repr(C)]
pub struct FloatingSaveAreaSparc {
    /// Floating-point registers.
    pub regs: [U64; FLOATINGSAVEAREA_SPARC_FPR_COUNT],
    /// Unused.
    pub filler: U64,
    /// `FSR`, the floating-point state register.
    pub fsr: U64,
}
const _: () = assert!(core::mem::size_of::<FloatingSaveAreaSparc>() == 272);

/// `MDRawContextSPARC`, 584 bytes.
#[derive(FromBytes, IntoBytes, KnownLayout, Immutable, Unaligned, Clone, Copy, Debug, Default, PartialEq, Eq)]
#[repr(C)]
pub struct ContextSparc {
    /// [`CONTEXT_SPARC`] plus group bits.
    pub context_flags: U32,
    /// Padding.
    pub flag_pad: U32,
    /// The 32 working registers: globals `g0`-`g7` (0-7), outs `o0`-`o7`
    /// (8-15), locals `l0`-`l7` (16-23), ins `i0`-`i7` (24-31).
    pub g_r: [U64; CONTEXT_SPARC_GPR_COUNT],
    /// `CCR` (V9) or `PSR` (V7/V8).
    pub ccr: U64,
    /// Program counter.
    pub pc: U64,
    /// Next program counter (the delay slot).
    pub npc: U64,
    /// `Y` register.
    pub y: U64,
    /// `ASI` (V9) or `WIM` (V7/V8).
    pub asi: U64,
    /// `FPRS` (V9) or `TBR` (V7/V8).
    pub fprs: U64,
    /// FPU state ([`CONTEXT_SPARC_FLOATING_POINT`]).
    pub float_save: FloatingSaveAreaSparc,
}
const _: () = assert!(core::mem::size_of::<ContextSparc>() == 584);
const _: () = assert!(core::mem::offset_of!(ContextSparc, ccr) == 0x108);
const _: () = assert!(core::mem::offset_of!(ContextSparc, pc) == 0x110);
const _: () = assert!(core::mem::offset_of!(ContextSparc, float_save) == 0x138);

impl ContextSparc {
    /// The `context_flags` word.
    pub fn flags(&self) -> u32 {
        self.context_flags.get()
    }

    /// True when every bit of `wanted` (a `CONTEXT_SPARC_*` constant) is set.
    pub fn has_flags(&self, wanted: u32) -> bool {
        super::has_flags(self.flags(), wanted)
    }

    /// The program counter.
    pub fn ip(&self) -> u64 {
        self.pc.get()
    }

    /// The stack pointer (`o6`). On SPARC V9 it carries the 2047-byte stack
    /// bias.
    pub fn sp(&self) -> u64 {
        self.g_r[CONTEXT_SPARC_REG_SP].get()
    }

    /// The frame pointer (`i6`).
    pub fn fp(&self) -> u64 {
        self.g_r[CONTEXT_SPARC_REG_FP].get()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn put64(bytes: &mut [u8], at: usize, value: u64) {
        bytes[at..at + 8].copy_from_slice(&value.to_le_bytes());
    }

    #[test]
    fn fields_at_spec_offsets() {
        let mut bytes = [0u8; 584];
        bytes[..4].copy_from_slice(&CONTEXT_SPARC_ALL.to_le_bytes());
        put64(&mut bytes, 0x8 + 8 * 14, 0xffbf_f000); // o6 / sp
        put64(&mut bytes, 0x8 + 8 * 30, 0xffbf_f100); // i6 / fp
        put64(&mut bytes, 0x108, 0x44); // ccr
        put64(&mut bytes, 0x110, 0x0001_0400); // pc
        put64(&mut bytes, 0x118, 0x0001_0404); // npc
        put64(&mut bytes, 0x130, 0x4); // fprs
        put64(&mut bytes, 0x138, 0x3ff0); // f regs[0]
        put64(&mut bytes, 0x240, 0xf5); // fsr, the last 8 bytes

        let ctx = ContextSparc::ref_from_bytes(&bytes).unwrap();
        assert!(ctx.has_flags(CONTEXT_SPARC_FULL));
        assert_eq!(ctx.sp(), 0xffbf_f000);
        assert_eq!(ctx.fp(), 0xffbf_f100);
        assert_eq!(ctx.ccr.get(), 0x44);
        assert_eq!(ctx.ip(), 0x0001_0400);
        assert_eq!(ctx.npc.get(), 0x0001_0404);
        assert_eq!(ctx.fprs.get(), 0x4);
        assert_eq!(ctx.float_save.regs[0].get(), 0x3ff0);
        assert_eq!(ctx.float_save.fsr.get(), 0xf5);
    }
}
