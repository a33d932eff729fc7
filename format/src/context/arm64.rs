//! 64-bit ARM, in two layouts:
//!
//! * [`ContextArm64`]: Microsoft's `ARM64_NT_CONTEXT` (the ARM64 `CONTEXT`),
//!   CPU flag [`CONTEXT_ARM64`] `0x00400000`. Breakpad's `MDRawContextARM64`
//!   and Crashpad's `MinidumpContextARM64` are the same bytes (Breakpad
//!   calls the 33 integer registers `iregs` and puts the vector registers in
//!   a `float_save`);
//! * [`ContextArm64Old`]: Breakpad's earlier `MDRawContextARM64_Old`, CPU flag
//!   [`CONTEXT_ARM64_OLD`] `0x80000000` in 64-bit flags, written by Breakpad
//!   clients before they switched to Microsoft's layout. SystemInfo calls
//!   its architecture `PROCESSOR_ARCHITECTURE_ARM64_OLD` (`0x8003`).

use super::U128;
use crate::{U32, U64};
use zerocopy::{FromBytes, Immutable, IntoBytes, KnownLayout, Unaligned};

/// `CONTEXT_ARM64`: the CPU bits of an ARM64 context.
pub const CONTEXT_ARM64: u32 = 0x0040_0000;
/// `CONTEXT_ARM64_CONTROL`: `fp`, `lr`, `sp`, `pc` and `cpsr` are valid.
pub const CONTEXT_ARM64_CONTROL: u32 = CONTEXT_ARM64 | 0x01;
/// `CONTEXT_ARM64_INTEGER`: `x0`-`x28` are valid.
pub const CONTEXT_ARM64_INTEGER: u32 = CONTEXT_ARM64 | 0x02;
/// `CONTEXT_ARM64_FLOATING_POINT`: `v`, `fpcr` and `fpsr` are valid.
pub const CONTEXT_ARM64_FLOATING_POINT: u32 = CONTEXT_ARM64 | 0x04;
/// `CONTEXT_ARM64_DEBUG_REGISTERS`: `bcr`, `bvr`, `wcr` and `wvr` are valid.
pub const CONTEXT_ARM64_DEBUG_REGISTERS: u32 = CONTEXT_ARM64 | 0x08;
/// `CONTEXT_ARM64_X18`: `x18` (the TEB pointer on Windows) is valid.
pub const CONTEXT_ARM64_X18: u32 = CONTEXT_ARM64 | 0x10;
/// `CONTEXT_ARM64_XSTATE` (recent SDKs): extended state (SVE) follows.
pub const CONTEXT_ARM64_XSTATE: u32 = CONTEXT_ARM64 | 0x20;
/// `CONTEXT_ARM64_FULL`: control, integer and floating point.
pub const CONTEXT_ARM64_FULL: u32 = CONTEXT_ARM64_CONTROL | CONTEXT_ARM64_INTEGER | CONTEXT_ARM64_FLOATING_POINT;
/// `CONTEXT_ARM64_ALL`: everything but XSTATE. (Breakpad's
/// `MD_CONTEXT_ARM64_ALL` lacks [`CONTEXT_ARM64_X18`].)
pub const CONTEXT_ARM64_ALL: u32 = CONTEXT_ARM64_FULL | CONTEXT_ARM64_DEBUG_REGISTERS | CONTEXT_ARM64_X18;

/// `ARM64_MAX_BREAKPOINTS`: entries of [`ContextArm64::bcr`] and `bvr`.
pub const ARM64_MAX_BREAKPOINTS: usize = 8;
/// `ARM64_MAX_WATCHPOINTS`: entries of [`ContextArm64::wcr`] and `wvr`.
pub const ARM64_MAX_WATCHPOINTS: usize = 2;

/// `MD_CONTEXT_ARM64_GPR_COUNT`: `x0`-`x31` plus `pc`, the entries of
/// [`ContextArm64Old::iregs`] (and of Breakpad's view of
/// [`ContextArm64`]).
pub const CONTEXT_ARM64_GPR_COUNT: usize = 33;
/// `MD_FLOATINGSAVEAREA_ARM64_FPR_COUNT`: number of vector registers.
pub const FLOATINGSAVEAREA_ARM64_FPR_COUNT: usize = 32;
/// `MD_CONTEXT_ARM64_REG_FP`: index of the frame pointer (`x29`).
pub const CONTEXT_ARM64_REG_FP: usize = 29;
/// `MD_CONTEXT_ARM64_REG_LR`: index of the link register (`x30`).
pub const CONTEXT_ARM64_REG_LR: usize = 30;
/// `MD_CONTEXT_ARM64_REG_SP`: index of the stack pointer.
pub const CONTEXT_ARM64_REG_SP: usize = 31;
/// `MD_CONTEXT_ARM64_REG_PC`: index of the program counter.
pub const CONTEXT_ARM64_REG_PC: usize = 32;

/// `ARM64_NT_CONTEXT`, 912 (`0x390`) bytes.
#[derive(FromBytes, IntoBytes, KnownLayout, Immutable, Unaligned, Clone, Copy, Debug, Default, PartialEq, Eq)]
#[repr(C)]
pub struct ContextArm64 {
    /// [`CONTEXT_ARM64`] plus `CONTEXT_ARM64_*` group bits.
    pub context_flags: U32,
    /// `Cpsr`: the PSTATE flags (N Z C V in bits 31-28).
    pub cpsr: U32,
    /// `X0`-`X28`, then `Fp` (`x29`) and `Lr` (`x30`).
    pub x: [U64; 31],
    /// `Sp`.
    pub sp: U64,
    /// `Pc`.
    pub pc: U64,
    /// `V0`-`V31` (`ARM64_NT_NEON128`).
    pub v: [U128; FLOATINGSAVEAREA_ARM64_FPR_COUNT],
    /// `Fpcr`: floating-point control register.
    pub fpcr: U32,
    /// `Fpsr`: floating-point status register.
    pub fpsr: U32,
    /// `Bcr`: breakpoint control registers.
    pub bcr: [U32; ARM64_MAX_BREAKPOINTS],
    /// `Bvr`: breakpoint value registers.
    pub bvr: [U64; ARM64_MAX_BREAKPOINTS],
    /// `Wcr`: watchpoint control registers.
    pub wcr: [U32; ARM64_MAX_WATCHPOINTS],
    /// `Wvr`: watchpoint value registers.
    pub wvr: [U64; ARM64_MAX_WATCHPOINTS],
}
const _: () = assert!(core::mem::size_of::<ContextArm64>() == 0x390);
const _: () = assert!(core::mem::offset_of!(ContextArm64, x) == 0x8);
const _: () = assert!(core::mem::offset_of!(ContextArm64, sp) == 0x100);
const _: () = assert!(core::mem::offset_of!(ContextArm64, pc) == 0x108);
const _: () = assert!(core::mem::offset_of!(ContextArm64, v) == 0x110);
const _: () = assert!(core::mem::offset_of!(ContextArm64, fpcr) == 0x310);
const _: () = assert!(core::mem::offset_of!(ContextArm64, bcr) == 0x318);

impl ContextArm64 {
    /// The `context_flags` word.
    pub fn flags(&self) -> u32 {
        self.context_flags.get()
    }

    /// True when every bit of `wanted` (a `CONTEXT_ARM64_*` constant) is set.
    pub fn has_flags(&self, wanted: u32) -> bool {
        super::has_flags(self.flags(), wanted)
    }

    /// The program counter.
    pub fn ip(&self) -> u64 {
        self.pc.get()
    }

    /// The stack pointer.
    pub fn sp(&self) -> u64 {
        self.sp.get()
    }

    /// The frame pointer (`x29`).
    pub fn fp(&self) -> u64 {
        self.x[CONTEXT_ARM64_REG_FP].get()
    }

    /// The link register (`x30`).
    pub fn lr(&self) -> u64 {
        self.x[CONTEXT_ARM64_REG_LR].get()
    }

    /// Register `index` in Breakpad's numbering: `x0`-`x30`, 31 = `sp`,
    /// 32 = `pc`; `None` above 32.
    pub fn ireg(&self, index: usize) -> Option<u64> {
        match index {
            CONTEXT_ARM64_REG_SP => Some(self.sp()),
            CONTEXT_ARM64_REG_PC => Some(self.ip()),
            _ => self.x.get(index).map(|r| r.get()),
        }
    }
}

/// `MD_CONTEXT_ARM64_OLD`: Breakpad's CPU bits for its old ARM64 layout (in
/// the low half of 64-bit flags). Also Microsoft's
/// `CONTEXT_EXCEPTION_REPORTING`.
pub const CONTEXT_ARM64_OLD: u32 = 0x8000_0000;
/// `MD_CONTEXT_ARM64_INTEGER_OLD`: `iregs` and `cpsr` are valid.
pub const CONTEXT_ARM64_INTEGER_OLD: u32 = CONTEXT_ARM64_OLD | 0x02;
/// `MD_CONTEXT_ARM64_FLOATING_POINT_OLD`: `float_save` is valid.
pub const CONTEXT_ARM64_FLOATING_POINT_OLD: u32 = CONTEXT_ARM64_OLD | 0x04;
/// `MD_CONTEXT_ARM64_FULL_OLD`: integer and floating point.
pub const CONTEXT_ARM64_FULL_OLD: u32 = CONTEXT_ARM64_INTEGER_OLD | CONTEXT_ARM64_FLOATING_POINT_OLD;
/// `MD_CONTEXT_ARM64_ALL_OLD`: the same as [`CONTEXT_ARM64_FULL_OLD`].
pub const CONTEXT_ARM64_ALL_OLD: u32 = CONTEXT_ARM64_FULL_OLD;

/// `MDFloatingSaveAreaARM64_Old`: FP/SIMD state of the old layout, 520
/// bytes. Note the status register comes before the control register here,
/// unlike in [`ContextArm64`].
#[derive(FromBytes, IntoBytes, KnownLayout, Immutable, Unaligned, Clone, Copy, Debug, Default, PartialEq, Eq)]
#[repr(C)]
pub struct FloatingSaveAreaArm64Old {
    /// `FPSR`: floating-point status register.
    pub fpsr: U32,
    /// `FPCR`: floating-point control register.
    pub fpcr: U32,
    /// `v0`-`v31`.
    pub regs: [U128; FLOATINGSAVEAREA_ARM64_FPR_COUNT],
}
const _: () = assert!(core::mem::size_of::<FloatingSaveAreaArm64Old>() == 520);

/// `MDRawContextARM64_Old`, 796 (`0x31c`) bytes; Breakpad declares it under
/// `#pragma pack(4)`, so `float_save` starts at the unaligned `0x114`.
#[derive(FromBytes, IntoBytes, KnownLayout, Immutable, Unaligned, Clone, Copy, Debug, PartialEq, Eq)]
#[repr(C)]
pub struct ContextArm64Old {
    /// [`CONTEXT_ARM64_OLD`] plus group bits, as a 64-bit word whose high
    /// half is zero.
    pub context_flags: U64,
    /// `x0`-`x28`, `fp` (29), `lr` (30), `sp` (31) and `pc` (32); see the
    /// `CONTEXT_ARM64_REG_*` indices.
    pub iregs: [U64; CONTEXT_ARM64_GPR_COUNT],
    /// `CPSR` (N Z C V in bits 31-28).
    pub cpsr: U32,
    /// FP/SIMD registers ([`CONTEXT_ARM64_FLOATING_POINT_OLD`]).
    pub float_save: FloatingSaveAreaArm64Old,
}
const _: () = assert!(core::mem::size_of::<ContextArm64Old>() == 0x31c);
const _: () = assert!(core::mem::offset_of!(ContextArm64Old, cpsr) == 0x110);
const _: () = assert!(core::mem::offset_of!(ContextArm64Old, float_save) == 0x114);

zeroed_default!(ContextArm64Old);

impl ContextArm64Old {
    /// The low 32 bits of `context_flags`, where the CPU and group bits are.
    pub fn flags(&self) -> u32 {
        // The defined bits all live in the low half; the high half is zero.
        (self.context_flags.get() & 0xffff_ffff) as u32
    }

    /// True when every bit of `wanted` (a `CONTEXT_ARM64_*_OLD` constant) is
    /// set.
    pub fn has_flags(&self, wanted: u32) -> bool {
        super::has_flags(self.flags(), wanted)
    }

    /// The program counter (`iregs[32]`).
    pub fn ip(&self) -> u64 {
        self.iregs[CONTEXT_ARM64_REG_PC].get()
    }

    /// The stack pointer (`iregs[31]`).
    pub fn sp(&self) -> u64 {
        self.iregs[CONTEXT_ARM64_REG_SP].get()
    }

    /// The frame pointer (`x29`).
    pub fn fp(&self) -> u64 {
        self.iregs[CONTEXT_ARM64_REG_FP].get()
    }

    /// The link register (`x30`).
    pub fn lr(&self) -> u64 {
        self.iregs[CONTEXT_ARM64_REG_LR].get()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_bytes::{put32, put64};

    #[test]
    fn nt_fields_at_spec_offsets() {
        let mut bytes = [0u8; 912];
        put32(&mut bytes, 0, CONTEXT_ARM64_ALL);
        put32(&mut bytes, 4, 0x6000_0000); // cpsr
        put64(&mut bytes, 0x8, 0x100); // x0
        put64(&mut bytes, 0x8 + 8 * 18, 0x7ff6_0000_0000); // x18
        put64(&mut bytes, 0xf0, 0x0000_0055_0000_0f00); // fp (x29)
        put64(&mut bytes, 0xf8, 0x0000_7ff6_0000_1234); // lr (x30)
        put64(&mut bytes, 0x100, 0x0000_0055_0000_0e00); // sp
        put64(&mut bytes, 0x108, 0x0000_7ff6_0000_2000); // pc
        put64(&mut bytes, 0x110 + 8, 0x8000); // v0 high half
        put32(&mut bytes, 0x310, 0x0300_0000); // fpcr
        put32(&mut bytes, 0x314, 0x10); // fpsr
        put64(&mut bytes, 0x338, 0xb0); // bvr[0]
        put64(&mut bytes, 0x388, 0x3); // wvr[1], the last 8 bytes

        let ctx = ContextArm64::ref_from_bytes(&bytes).unwrap();
        assert!(ctx.has_flags(CONTEXT_ARM64_X18));
        assert!(ctx.has_flags(CONTEXT_ARM64_FULL));
        assert!(!ctx.has_flags(CONTEXT_ARM64_XSTATE));
        assert_eq!(ctx.cpsr.get(), 0x6000_0000);
        assert_eq!(ctx.x[0].get(), 0x100);
        assert_eq!(ctx.x[18].get(), 0x7ff6_0000_0000);
        assert_eq!(ctx.fp(), 0x0000_0055_0000_0f00);
        assert_eq!(ctx.lr(), 0x0000_7ff6_0000_1234);
        assert_eq!(ctx.sp(), 0x0000_0055_0000_0e00);
        assert_eq!(ctx.ip(), 0x0000_7ff6_0000_2000);
        assert_eq!(ctx.ireg(31), Some(ctx.sp()));
        assert_eq!(ctx.ireg(32), Some(ctx.ip()));
        assert_eq!(ctx.ireg(30), Some(ctx.lr()));
        assert_eq!(ctx.ireg(33), None);
        assert_eq!(ctx.v[0].get(), 0x8000_u128 << 64);
        assert_eq!(ctx.fpcr.get(), 0x0300_0000);
        assert_eq!(ctx.fpsr.get(), 0x10);
        assert_eq!(ctx.bvr[0].get(), 0xb0);
        assert_eq!(ctx.wvr[1].get(), 0x3);
    }

    #[test]
    fn old_fields_at_spec_offsets() {
        let mut bytes = [0u8; 796];
        put64(&mut bytes, 0, u64::from(CONTEXT_ARM64_FULL_OLD));
        put64(&mut bytes, 0x8 + 8 * 29, 0xf9); // fp
        put64(&mut bytes, 0x8 + 8 * 30, 0x1a); // lr
        put64(&mut bytes, 0x8 + 8 * 31, 0x5b); // sp
        put64(&mut bytes, 0x108, 0x0040_0abc); // pc
        put32(&mut bytes, 0x110, 0x2000_0000); // cpsr
        put32(&mut bytes, 0x114, 0x11); // fpsr
        put32(&mut bytes, 0x118, 0x22); // fpcr
        put64(&mut bytes, 0x11c, 0x33); // v0 low half
        put64(&mut bytes, 0x314, 0x44); // v31 high half

        let ctx = ContextArm64Old::ref_from_bytes(&bytes).unwrap();
        assert_eq!(ctx.flags(), CONTEXT_ARM64_FULL_OLD);
        assert!(ctx.has_flags(CONTEXT_ARM64_FLOATING_POINT_OLD));
        assert_eq!(ctx.fp(), 0xf9);
        assert_eq!(ctx.lr(), 0x1a);
        assert_eq!(ctx.sp(), 0x5b);
        assert_eq!(ctx.ip(), 0x0040_0abc);
        assert_eq!(ctx.cpsr.get(), 0x2000_0000);
        assert_eq!(ctx.float_save.fpsr.get(), 0x11);
        assert_eq!(ctx.float_save.fpcr.get(), 0x22);
        assert_eq!(ctx.float_save.regs[0].get(), 0x33);
        assert_eq!(ctx.float_save.regs[31].get(), 0x44_u128 << 64);
        assert_eq!(ContextArm64Old::default().as_bytes(), &[0u8; 796][..]);
    }
}
