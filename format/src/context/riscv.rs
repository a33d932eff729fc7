//! RISC-V: Breakpad's `MDRawContextRISCV` and `MDRawContextRISCV64`
//! (Crashpad's `MinidumpContextRISCV64` is the 64-bit one).
//!
//! Breakpad names each integer register by its ABI name (`ra`, `sp`, `gp`,
//! ...); they are `x1`-`x31` in order, stored here as `regs[0..31]`, so
//! `regs[n - 1]` is `xn`. The `x0` slot holds the program counter instead
//! (the `pc` field). Only 64-bit floating-point registers are supported on
//! RISC-V 64 and only 32-bit ones on RISC-V 32.
//!
//! Older Breakpad versions (before the `version` field was added, with
//! floating-point registers sized by the compiler's `__riscv_flen`) wrote a
//! different layout with group bits 4, 8 and 16; those dumps are not
//! described here.

use crate::{U32, U64};
use zerocopy::{FromBytes, Immutable, IntoBytes, KnownLayout, Unaligned};

/// `MD_CONTEXT_RISCV`: CPU bits of a 32-bit RISC-V context.
pub const CONTEXT_RISCV: u32 = 0x0080_0000;
/// `MD_CONTEXT_RISCV_INTEGER`: `pc` and `regs` are valid.
pub const CONTEXT_RISCV_INTEGER: u32 = CONTEXT_RISCV | 0x01;
/// `MD_CONTEXT_RISCV_FLOATING_POINT`: `fpregs` and `fcsr` are valid.
pub const CONTEXT_RISCV_FLOATING_POINT: u32 = CONTEXT_RISCV | 0x02;
/// `MD_CONTEXT_RISCV_FULL`: integer and floating point.
pub const CONTEXT_RISCV_FULL: u32 = CONTEXT_RISCV_INTEGER | CONTEXT_RISCV_FLOATING_POINT;

/// `MD_CONTEXT_RISCV64`: CPU bits of a 64-bit RISC-V context (also
/// Microsoft's `CONTEXT_EXCEPTION_ACTIVE`).
pub const CONTEXT_RISCV64: u32 = 0x0800_0000;
/// `MD_CONTEXT_RISCV64_INTEGER`: `pc` and `regs` are valid.
pub const CONTEXT_RISCV64_INTEGER: u32 = CONTEXT_RISCV64 | 0x01;
/// `MD_CONTEXT_RISCV64_FLOATING_POINT`: `fpregs` and `fcsr` are valid.
pub const CONTEXT_RISCV64_FLOATING_POINT: u32 = CONTEXT_RISCV64 | 0x02;
/// `MD_CONTEXT_RISCV64_FULL`: integer and floating point.
pub const CONTEXT_RISCV64_FULL: u32 = CONTEXT_RISCV64_INTEGER | CONTEXT_RISCV64_FLOATING_POINT;

/// The `version` that writers of the current layout store (Crashpad's
/// `MinidumpContextRISCV64::kVersion`).
pub const CONTEXT_RISCV_VERSION: u32 = 1;

/// `MD_CONTEXT_RISCV_FPR_COUNT`: number of floating-point registers.
pub const CONTEXT_RISCV_FPR_COUNT: usize = 32;
/// Entries of the `regs` arrays: `x1`-`x31`.
pub const CONTEXT_RISCV_REGS_COUNT: usize = 31;
/// `x1`, the return address (`ra`).
pub const RISCV_REG_RA: usize = 1;
/// `x2`, the stack pointer (`sp`).
pub const RISCV_REG_SP: usize = 2;
/// `x8`, the frame pointer (`s0`/`fp`).
pub const RISCV_REG_FP: usize = 8;

/// `MDRawContextRISCV`, 268 bytes.
#[derive(FromBytes, IntoBytes, KnownLayout, Immutable, Unaligned, Clone, Copy, Debug, Default, PartialEq, Eq)]
#[repr(C)]
pub struct ContextRiscv {
    /// [`CONTEXT_RISCV`] plus group bits.
    pub context_flags: U32,
    /// Layout version ([`CONTEXT_RISCV_VERSION`]).
    pub version: U32,
    /// Program counter.
    pub pc: U32,
    /// `x1`-`x31` (`ra`, `sp`, `gp`, `tp`, `t0`-`t2`, `s0`, `s1`, `a0`-`a7`,
    /// `s2`-`s11`, `t3`-`t6`).
    pub regs: [U32; CONTEXT_RISCV_REGS_COUNT],
    /// `f0`-`f31`, single precision.
    pub fpregs: [U32; CONTEXT_RISCV_FPR_COUNT],
    /// Floating-point control and status register.
    pub fcsr: U32,
}
const _: () = assert!(core::mem::size_of::<ContextRiscv>() == 268);
const _: () = assert!(core::mem::offset_of!(ContextRiscv, fpregs) == 0x88);

impl ContextRiscv {
    /// The `context_flags` word.
    pub fn flags(&self) -> u32 {
        self.context_flags.get()
    }

    /// True when every bit of `wanted` (a `CONTEXT_RISCV_*` constant) is set.
    pub fn has_flags(&self, wanted: u32) -> bool {
        super::has_flags(self.flags(), wanted)
    }

    /// Integer register `xn`: 0 for `x0`, `None` above `x31`.
    pub fn x(&self, n: usize) -> Option<u32> {
        match n {
            0 => Some(0),
            _ => self.regs.get(n - 1).map(|r| r.get()),
        }
    }

    /// The program counter.
    pub fn ip(&self) -> u32 {
        self.pc.get()
    }

    /// The stack pointer (`x2`).
    pub fn sp(&self) -> u32 {
        self.regs[RISCV_REG_SP - 1].get()
    }

    /// The frame pointer (`x8`).
    pub fn fp(&self) -> u32 {
        self.regs[RISCV_REG_FP - 1].get()
    }

    /// The return address (`x1`).
    pub fn ra(&self) -> u32 {
        self.regs[RISCV_REG_RA - 1].get()
    }
}

/// `MDRawContextRISCV64`, 528 bytes: 524 bytes of fields and the 4 bytes of
/// tail padding the C compilers add (the structure holds 64-bit members),
/// which are part of what Breakpad and Crashpad write.
#[derive(FromBytes, IntoBytes, KnownLayout, Immutable, Unaligned, Clone, Copy, Debug, Default, PartialEq, Eq)]
#[repr(C)]
pub struct ContextRiscv64 {
    /// [`CONTEXT_RISCV64`] plus group bits.
    pub context_flags: U32,
    /// Layout version ([`CONTEXT_RISCV_VERSION`]).
    pub version: U32,
    /// Program counter.
    pub pc: U64,
    /// `x1`-`x31` (`ra`, `sp`, `gp`, `tp`, `t0`-`t2`, `s0`, `s1`, `a0`-`a7`,
    /// `s2`-`s11`, `t3`-`t6`).
    pub regs: [U64; CONTEXT_RISCV_REGS_COUNT],
    /// `f0`-`f31`, double precision.
    pub fpregs: [U64; CONTEXT_RISCV_FPR_COUNT],
    /// Floating-point control and status register.
    pub fcsr: U32,
    /// Tail padding (not a named field in the specs).
    pub _pad: U32,
}
const _: () = assert!(core::mem::size_of::<ContextRiscv64>() == 528);
const _: () = assert!(core::mem::offset_of!(ContextRiscv64, regs) == 0x10);
const _: () = assert!(core::mem::offset_of!(ContextRiscv64, fpregs) == 0x108);
const _: () = assert!(core::mem::offset_of!(ContextRiscv64, fcsr) == 0x208);

impl ContextRiscv64 {
    /// The `context_flags` word.
    pub fn flags(&self) -> u32 {
        self.context_flags.get()
    }

    /// True when every bit of `wanted` (a `CONTEXT_RISCV64_*` constant) is
    /// set.
    pub fn has_flags(&self, wanted: u32) -> bool {
        super::has_flags(self.flags(), wanted)
    }

    /// Integer register `xn`: 0 for `x0`, `None` above `x31`.
    pub fn x(&self, n: usize) -> Option<u64> {
        match n {
            0 => Some(0),
            _ => self.regs.get(n - 1).map(|r| r.get()),
        }
    }

    /// The program counter.
    pub fn ip(&self) -> u64 {
        self.pc.get()
    }

    /// The stack pointer (`x2`).
    pub fn sp(&self) -> u64 {
        self.regs[RISCV_REG_SP - 1].get()
    }

    /// The frame pointer (`x8`).
    pub fn fp(&self) -> u64 {
        self.regs[RISCV_REG_FP - 1].get()
    }

    /// The return address (`x1`).
    pub fn ra(&self) -> u64 {
        self.regs[RISCV_REG_RA - 1].get()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_bytes::{put32, put64};

    #[test]
    fn riscv64_fields_at_spec_offsets() {
        let mut bytes = [0u8; 528];
        put32(&mut bytes, 0, CONTEXT_RISCV64_FULL);
        put32(&mut bytes, 4, CONTEXT_RISCV_VERSION);
        put64(&mut bytes, 0x8, 0x2aaa_aa00_1000); // pc
        put64(&mut bytes, 0x10, 0x2aaa_aa00_0f00); // ra (x1)
        put64(&mut bytes, 0x18, 0x3f_ffff_f000); // sp (x2)
        put64(&mut bytes, 0x10 + 8 * 7, 0x3f_ffff_f100); // s0 (x8)
        put64(&mut bytes, 0x100, 0x66); // t6 (x31)
        put64(&mut bytes, 0x108, 0xf0); // f0
        put32(&mut bytes, 0x208, 0xe0); // fcsr

        let ctx = ContextRiscv64::ref_from_bytes(&bytes).unwrap();
        assert!(ctx.has_flags(CONTEXT_RISCV64_FLOATING_POINT));
        assert_eq!(ctx.version.get(), 1);
        assert_eq!(ctx.ip(), 0x2aaa_aa00_1000);
        assert_eq!(ctx.ra(), 0x2aaa_aa00_0f00);
        assert_eq!(ctx.sp(), 0x3f_ffff_f000);
        assert_eq!(ctx.fp(), 0x3f_ffff_f100);
        assert_eq!(ctx.x(0), Some(0));
        assert_eq!(ctx.x(31), Some(0x66));
        assert_eq!(ctx.x(32), None);
        assert_eq!(ctx.fpregs[0].get(), 0xf0);
        assert_eq!(ctx.fcsr.get(), 0xe0);
    }

    #[test]
    fn riscv32_fields_at_spec_offsets() {
        let mut bytes = [0u8; 268];
        put32(&mut bytes, 0, CONTEXT_RISCV_FULL);
        put32(&mut bytes, 4, CONTEXT_RISCV_VERSION);
        put32(&mut bytes, 0x8, 0x1_0000); // pc
        put32(&mut bytes, 0xc, 0xfff0); // ra
        put32(&mut bytes, 0x10, 0x8000); // sp
        put32(&mut bytes, 0xc + 4 * 7, 0x8100); // s0
        put32(&mut bytes, 0x84, 0x31); // t6 (x31)
        put32(&mut bytes, 0x88, 0x3f80_0000); // f0
        put32(&mut bytes, 0x108, 0x7); // fcsr

        let ctx = ContextRiscv::ref_from_bytes(&bytes).unwrap();
        assert!(ctx.has_flags(CONTEXT_RISCV_INTEGER));
        assert!(!ctx.has_flags(CONTEXT_RISCV64_INTEGER));
        assert_eq!(ctx.ip(), 0x1_0000);
        assert_eq!(ctx.ra(), 0xfff0);
        assert_eq!(ctx.sp(), 0x8000);
        assert_eq!(ctx.fp(), 0x8100);
        assert_eq!(ctx.x(31), Some(0x31));
        assert_eq!(ctx.fpregs[0].get(), 0x3f80_0000);
        assert_eq!(ctx.fcsr.get(), 0x7);
    }
}
