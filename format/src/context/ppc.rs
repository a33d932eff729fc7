//! 32-bit PowerPC: Breakpad's `MDRawContextPPC`, modelled on Mac OS X's
//! `ppc_thread_state` plus its float and vector states. Also the home of the
//! float and vector save areas that [`super::ppc64`] shares.
//!
//! Breakpad wrote these dumps on big-endian Macs in host byte order; the
//! little-endian fields here only fit a dump written little-endian.

use super::U128;
use crate::{U32, U64};
use zerocopy::{FromBytes, Immutable, IntoBytes, KnownLayout, Unaligned};

/// `MD_CONTEXT_PPC`: CPU bits of a 32-bit PowerPC context (Breakpad's
/// choice; it is also Microsoft's `CONTEXT_UNWOUND_TO_CALL`).
pub const CONTEXT_PPC: u32 = 0x2000_0000;
/// `MD_CONTEXT_PPC_BASE`: the integer and special registers are valid.
pub const CONTEXT_PPC_BASE: u32 = CONTEXT_PPC | 0x01;
/// `MD_CONTEXT_PPC_FLOATING_POINT`: `float_save` is valid.
pub const CONTEXT_PPC_FLOATING_POINT: u32 = CONTEXT_PPC | 0x08;
/// `MD_CONTEXT_PPC_VECTOR`: `vector_save` (AltiVec) is valid.
pub const CONTEXT_PPC_VECTOR: u32 = CONTEXT_PPC | 0x20;
/// `MD_CONTEXT_PPC_FULL`: the same as [`CONTEXT_PPC_BASE`].
pub const CONTEXT_PPC_FULL: u32 = CONTEXT_PPC_BASE;
/// `MD_CONTEXT_PPC_ALL`: base, floating point and vector.
pub const CONTEXT_PPC_ALL: u32 = CONTEXT_PPC_FULL | CONTEXT_PPC_FLOATING_POINT | CONTEXT_PPC_VECTOR;

/// `MD_CONTEXT_PPC_GPR_COUNT`: entries of [`ContextPpc::gpr`].
pub const CONTEXT_PPC_GPR_COUNT: usize = 32;
/// `MD_FLOATINGSAVEAREA_PPC_FPR_COUNT`: entries of
/// [`FloatingSaveAreaPpc::fpregs`].
pub const FLOATINGSAVEAREA_PPC_FPR_COUNT: usize = 32;
/// `MD_VECTORSAVEAREA_PPC_VR_COUNT`: entries of
/// [`VectorSaveAreaPpc::save_vr`].
pub const VECTORSAVEAREA_PPC_VR_COUNT: usize = 32;
/// `MD_CONTEXT_PPC_REG_SP`: index of the stack pointer (`r1`) in `gpr`.
pub const CONTEXT_PPC_REG_SP: usize = 1;

/// `MDFloatingSaveAreaPPC` (`ppc_float_state`), 264 bytes; also used by
/// PowerPC 64.
#[derive(FromBytes, IntoBytes, KnownLayout, Immutable, Unaligned, Clone, Copy, Debug, Default, PartialEq, Eq)]
#[repr(C)]
pub struct FloatingSaveAreaPpc {
    /// `f0`-`f31` (IEEE doubles, stored as integers).
    pub fpregs: [U64; FLOATINGSAVEAREA_PPC_FPR_COUNT],
    /// Padding before `fpscr`.
    pub fpscr_pad: U32,
    /// Floating-point status and control register.
    pub fpscr: U32,
}
const _: () = assert!(core::mem::size_of::<FloatingSaveAreaPpc>() == 264);

/// `MDVectorSaveAreaPPC` (`ppc_vector_state`), 576 bytes; also used by
/// PowerPC 64.
#[derive(FromBytes, IntoBytes, KnownLayout, Immutable, Unaligned, Clone, Copy, Debug, Default, PartialEq, Eq)]
#[repr(C)]
pub struct VectorSaveAreaPpc {
    /// AltiVec registers `v0`-`v31`.
    pub save_vr: [U128; VECTORSAVEAREA_PPC_VR_COUNT],
    /// `VSCR`, the vector status and control register.
    pub save_vscr: U128,
    /// Padding.
    pub save_pad5: [U32; 4],
    /// `VRSAVE`-style bitmap of which vector registers were saved.
    pub save_vrvalid: U32,
    /// Padding.
    pub save_pad6: [U32; 7],
}
const _: () = assert!(core::mem::size_of::<VectorSaveAreaPpc>() == 576);

/// `MDRawContextPPC`, 1004 bytes (declared under `#pragma pack(4)`, so no
/// tail padding).
#[derive(FromBytes, IntoBytes, KnownLayout, Immutable, Unaligned, Clone, Copy, Debug, Default, PartialEq, Eq)]
#[repr(C)]
pub struct ContextPpc {
    /// [`CONTEXT_PPC`] plus group bits (Breakpad's addition to the Mac
    /// layout).
    pub context_flags: U32,
    /// `SRR0`: the program counter.
    pub srr0: U32,
    /// `SRR1`: the machine state register.
    pub srr1: U32,
    /// `r0`-`r31`.
    pub gpr: [U32; CONTEXT_PPC_GPR_COUNT],
    /// Condition register.
    pub cr: U32,
    /// Fixed-point exception register.
    pub xer: U32,
    /// Link register.
    pub lr: U32,
    /// Count register.
    pub ctr: U32,
    /// Multiply/quotient register (PowerPC 601 and POWER only).
    pub mq: U32,
    /// `VRSAVE`: which vector registers the program uses.
    pub vrsave: U32,
    /// Floating-point state ([`CONTEXT_PPC_FLOATING_POINT`]).
    pub float_save: FloatingSaveAreaPpc,
    /// Vector state ([`CONTEXT_PPC_VECTOR`]).
    pub vector_save: VectorSaveAreaPpc,
}
const _: () = assert!(core::mem::size_of::<ContextPpc>() == 1004);
const _: () = assert!(core::mem::offset_of!(ContextPpc, cr) == 0x8c);
const _: () = assert!(core::mem::offset_of!(ContextPpc, float_save) == 0xa4);
const _: () = assert!(core::mem::offset_of!(ContextPpc, vector_save) == 0x1ac);

impl ContextPpc {
    /// The `context_flags` word.
    pub fn flags(&self) -> u32 {
        self.context_flags.get()
    }

    /// True when every bit of `wanted` (a `CONTEXT_PPC_*` constant) is set.
    pub fn has_flags(&self, wanted: u32) -> bool {
        super::has_flags(self.flags(), wanted)
    }

    /// The program counter (`srr0`).
    pub fn ip(&self) -> u32 {
        self.srr0.get()
    }

    /// The stack pointer (`r1`), which is also the frame (back-chain)
    /// pointer in the PowerPC ABIs.
    pub fn sp(&self) -> u32 {
        self.gpr[CONTEXT_PPC_REG_SP].get()
    }

    /// The link register.
    pub fn lr(&self) -> u32 {
        self.lr.get()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_bytes::put32;

    #[test]
    fn fields_at_spec_offsets() {
        let mut bytes = [0u8; 1004];
        put32(&mut bytes, 0, CONTEXT_PPC_ALL);
        put32(&mut bytes, 4, 0x0000_2000); // srr0
        put32(&mut bytes, 8, 0x0000_d032); // srr1
        put32(&mut bytes, 0xc + 4, 0xbfff_f000); // r1
        put32(&mut bytes, 0x8c, 0x2400_0000); // cr
        put32(&mut bytes, 0x94, 0x0000_1f00); // lr
        put32(&mut bytes, 0xa0, 0xffff_0000); // vrsave
        bytes[0xa4..0xac].copy_from_slice(&0x4000_0000_0000_0000u64.to_le_bytes()); // f0
        put32(&mut bytes, 0x1a8, 0x0000_00f8); // fpscr
        bytes[0x1ac] = 0x01; // v0, first byte
        put32(&mut bytes, 0x1ac + 512 + 16 + 16, 0x8000_0000); // save_vrvalid
        put32(&mut bytes, 1000, 0x66); // save_pad6[6], the last word

        let ctx = ContextPpc::ref_from_bytes(&bytes).unwrap();
        assert!(ctx.has_flags(CONTEXT_PPC_VECTOR));
        assert_eq!(ctx.ip(), 0x0000_2000);
        assert_eq!(ctx.srr1.get(), 0x0000_d032);
        assert_eq!(ctx.sp(), 0xbfff_f000);
        assert_eq!(ctx.cr.get(), 0x2400_0000);
        assert_eq!(ctx.lr(), 0x0000_1f00);
        assert_eq!(ctx.vrsave.get(), 0xffff_0000);
        assert_eq!(ctx.float_save.fpregs[0].get(), 0x4000_0000_0000_0000);
        assert_eq!(ctx.float_save.fpscr.get(), 0xf8);
        assert_eq!(ctx.vector_save.save_vr[0].get(), 1);
        assert_eq!(ctx.vector_save.save_vrvalid.get(), 0x8000_0000);
        assert_eq!(ctx.vector_save.save_pad6[6].get(), 0x66);
    }
}
