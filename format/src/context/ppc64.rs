//! 64-bit PowerPC: Breakpad's `MDRawContextPPC64`, modelled on Mac OS X's
//! `ppc_thread_state64`. Its float and vector save areas are the 32-bit
//! ones from [`super::ppc`].
//!
//! `context_flags` is 64 bits wide; the CPU and group bits are in its low
//! half. Breakpad wrote these dumps in the host's byte order (big-endian on
//! Macs); the little-endian fields here only fit a dump written
//! little-endian.

use super::ppc::{FloatingSaveAreaPpc, VectorSaveAreaPpc};
use crate::U64;
use zerocopy::{FromBytes, Immutable, IntoBytes, KnownLayout, Unaligned};

/// `MD_CONTEXT_PPC64`: CPU bits of a 64-bit PowerPC context.
pub const CONTEXT_PPC64: u32 = 0x0100_0000;
/// `MD_CONTEXT_PPC64_BASE`: the integer and special registers are valid.
pub const CONTEXT_PPC64_BASE: u32 = CONTEXT_PPC64 | 0x01;
/// `MD_CONTEXT_PPC64_FLOATING_POINT`: `float_save` is valid.
pub const CONTEXT_PPC64_FLOATING_POINT: u32 = CONTEXT_PPC64 | 0x08;
/// `MD_CONTEXT_PPC64_VECTOR`: `vector_save` is valid.
pub const CONTEXT_PPC64_VECTOR: u32 = CONTEXT_PPC64 | 0x20;
/// `MD_CONTEXT_PPC64_FULL`: the same as [`CONTEXT_PPC64_BASE`].
pub const CONTEXT_PPC64_FULL: u32 = CONTEXT_PPC64_BASE;
/// `MD_CONTEXT_PPC64_ALL`: base, floating point and vector.
pub const CONTEXT_PPC64_ALL: u32 = CONTEXT_PPC64_FULL | CONTEXT_PPC64_FLOATING_POINT | CONTEXT_PPC64_VECTOR;

/// `MD_CONTEXT_PPC64_GPR_COUNT`: entries of [`ContextPpc64::gpr`].
pub const CONTEXT_PPC64_GPR_COUNT: usize = 32;
/// `MD_CONTEXT_PPC64_REG_SP`: index of the stack pointer (`r1`) in `gpr`.
pub const CONTEXT_PPC64_REG_SP: usize = 1;

/// `MDRawContextPPC64`, 1160 bytes.
#[derive(FromBytes, IntoBytes, KnownLayout, Immutable, Unaligned, Clone, Copy, Debug, Default, PartialEq, Eq)]
#[repr(C)]
pub struct ContextPpc64 {
    /// [`CONTEXT_PPC64`] plus group bits, as a 64-bit word whose high half is
    /// zero.
    pub context_flags: U64,
    /// `SRR0`: the program counter.
    pub srr0: U64,
    /// `SRR1`: the machine state register.
    pub srr1: U64,
    /// `r0`-`r31`.
    pub gpr: [U64; CONTEXT_PPC64_GPR_COUNT],
    /// Condition register.
    pub cr: U64,
    /// Fixed-point exception register.
    pub xer: U64,
    /// Link register.
    pub lr: U64,
    /// Count register.
    pub ctr: U64,
    /// `VRSAVE`.
    pub vrsave: U64,
    /// Floating-point state ([`CONTEXT_PPC64_FLOATING_POINT`]).
    pub float_save: FloatingSaveAreaPpc,
    /// Vector state ([`CONTEXT_PPC64_VECTOR`]).
    pub vector_save: VectorSaveAreaPpc,
}
const _: () = assert!(core::mem::size_of::<ContextPpc64>() == 1160);
const _: () = assert!(core::mem::offset_of!(ContextPpc64, gpr) == 0x18);
const _: () = assert!(core::mem::offset_of!(ContextPpc64, cr) == 0x118);
const _: () = assert!(core::mem::offset_of!(ContextPpc64, float_save) == 0x140);
const _: () = assert!(core::mem::offset_of!(ContextPpc64, vector_save) == 0x248);

impl ContextPpc64 {
    /// The low 32 bits of `context_flags`, where the CPU and group bits are.
    pub fn flags(&self) -> u32 {
        // The defined bits all live in the low half; the high half is zero.
        (self.context_flags.get() & 0xffff_ffff) as u32
    }

    /// True when every bit of `wanted` (a `CONTEXT_PPC64_*` constant) is set.
    pub fn has_flags(&self, wanted: u32) -> bool {
        super::has_flags(self.flags(), wanted)
    }

    /// The program counter (`srr0`).
    pub fn ip(&self) -> u64 {
        self.srr0.get()
    }

    /// The stack pointer (`r1`), also the back-chain frame pointer.
    pub fn sp(&self) -> u64 {
        self.gpr[CONTEXT_PPC64_REG_SP].get()
    }

    /// The link register.
    pub fn lr(&self) -> u64 {
        self.lr.get()
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
        let mut bytes = [0u8; 1160];
        put64(&mut bytes, 0, u64::from(CONTEXT_PPC64_ALL));
        put64(&mut bytes, 0x8, 0x1_0000_2000); // srr0
        put64(&mut bytes, 0x18 + 8, 0x7fff_ffff_f000); // r1
        put64(&mut bytes, 0x118, 0x4400_0000); // cr
        put64(&mut bytes, 0x128, 0x1_0000_1000); // lr
        put64(&mut bytes, 0x138, 0xffff); // vrsave
        put64(&mut bytes, 0x140 + 8 * 31, 0x31); // f31
        bytes[0x244..0x248].copy_from_slice(&0x82u32.to_le_bytes()); // fpscr
        put64(&mut bytes, 0x248 + 16 * 31 + 8, 0x77); // v31 high half
        bytes[1156..1160].copy_from_slice(&0x6u32.to_le_bytes()); // save_pad6[6]

        let ctx = ContextPpc64::ref_from_bytes(&bytes).unwrap();
        assert_eq!(ctx.flags(), CONTEXT_PPC64_ALL);
        assert!(ctx.has_flags(CONTEXT_PPC64_FLOATING_POINT));
        assert_eq!(ctx.ip(), 0x1_0000_2000);
        assert_eq!(ctx.sp(), 0x7fff_ffff_f000);
        assert_eq!(ctx.cr.get(), 0x4400_0000);
        assert_eq!(ctx.lr(), 0x1_0000_1000);
        assert_eq!(ctx.vrsave.get(), 0xffff);
        assert_eq!(ctx.float_save.fpregs[31].get(), 0x31);
        assert_eq!(ctx.float_save.fpscr.get(), 0x82);
        assert_eq!(ctx.vector_save.save_vr[31].get(), 0x77_u128 << 64);
        assert_eq!(ctx.vector_save.save_pad6[6].get(), 6);
    }
}
