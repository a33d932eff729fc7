//! 32-bit ARM, in two unrelated layouts:
//!
//! * [`ContextArm`]: Breakpad's `MDRawContextARM` (also Crashpad's
//!   `MinidumpContextARM`), written for Linux, Android and iOS, CPU flag
//!   [`CONTEXT_ARM`] `0x40000000`;
//! * [`ContextArmNt`]: the Windows-on-Arm32 `CONTEXT`, CPU flag
//!   [`CONTEXT_ARM_NT`] `0x00200000`.
//!
//! Both have `processor_architecture` `PROCESSOR_ARCHITECTURE_ARM` (5) in
//! SystemInfo; the flags and the size (368 against 416) tell them apart.

use crate::{U32, U64};
use zerocopy::{FromBytes, Immutable, IntoBytes, KnownLayout, Unaligned};

/// `MD_CONTEXT_ARM`: Breakpad's CPU bits for 32-bit ARM, chosen to stay clear
/// of Microsoft's values (it is, though, also `CONTEXT_EXCEPTION_REQUEST`).
pub const CONTEXT_ARM: u32 = 0x4000_0000;
/// `MD_CONTEXT_ARM_INTEGER`: `iregs` and `cpsr` are valid.
pub const CONTEXT_ARM_INTEGER: u32 = CONTEXT_ARM | 0x02;
/// `MD_CONTEXT_ARM_FLOATING_POINT`: `float_save` (VFP) is valid.
pub const CONTEXT_ARM_FLOATING_POINT: u32 = CONTEXT_ARM | 0x04;
/// `MD_CONTEXT_ARM_FULL`: integer and floating-point registers.
pub const CONTEXT_ARM_FULL: u32 = CONTEXT_ARM_INTEGER | CONTEXT_ARM_FLOATING_POINT;
/// `MD_CONTEXT_ARM_ALL`: the same as [`CONTEXT_ARM_FULL`].
pub const CONTEXT_ARM_ALL: u32 = CONTEXT_ARM_FULL;
/// `MD_CONTEXT_ARM_OLD`: Windows CE's `CONTEXT_ARM`, in the low byte where
/// the CPU mask does not see it. Breakpad never wrote it; listed so readers
/// can recognise it.
pub const CONTEXT_ARM_OLD: u32 = 0x0000_0040;

/// `MD_CONTEXT_ARM_GPR_COUNT`: entries of [`ContextArm::iregs`].
pub const CONTEXT_ARM_GPR_COUNT: usize = 16;
/// `MD_FLOATINGSAVEAREA_ARM_FPR_COUNT`: entries of
/// [`FloatingSaveAreaArm::regs`].
pub const FLOATINGSAVEAREA_ARM_FPR_COUNT: usize = 32;
/// `MD_FLOATINGSAVEAREA_ARM_FPEXTRA_COUNT`: entries of
/// [`FloatingSaveAreaArm::extra`].
pub const FLOATINGSAVEAREA_ARM_FPEXTRA_COUNT: usize = 8;

/// `MD_CONTEXT_ARM_REG_IOS_FP`: the frame pointer on iOS (`r7`).
pub const CONTEXT_ARM_REG_IOS_FP: usize = 7;
/// `MD_CONTEXT_ARM_REG_FP`: the frame pointer elsewhere (`r11`).
pub const CONTEXT_ARM_REG_FP: usize = 11;
/// `MD_CONTEXT_ARM_REG_SP`: the stack pointer (`r13`).
pub const CONTEXT_ARM_REG_SP: usize = 13;
/// `MD_CONTEXT_ARM_REG_LR`: the link register (`r14`).
pub const CONTEXT_ARM_REG_LR: usize = 14;
/// `MD_CONTEXT_ARM_REG_PC`: the program counter (`r15`).
pub const CONTEXT_ARM_REG_PC: usize = 15;

/// `MDFloatingSaveAreaARM`: VFP state, 296 bytes.
#[derive(FromBytes, IntoBytes, KnownLayout, Immutable, Unaligned, Clone, Copy, Debug, Default, PartialEq, Eq)]
#[repr(C)]
pub struct FloatingSaveAreaArm {
    /// `FPSCR`, the VFP status and control register (low 32 bits).
    pub fpscr: U64,
    /// `d0`-`d31`.
    pub regs: [U64; FLOATINGSAVEAREA_ARM_FPR_COUNT],
    /// Miscellaneous control words; unused.
    pub extra: [U32; FLOATINGSAVEAREA_ARM_FPEXTRA_COUNT],
}
const _: () = assert!(core::mem::size_of::<FloatingSaveAreaArm>() == 296);

/// `MDRawContextARM`, 368 bytes.
#[derive(FromBytes, IntoBytes, KnownLayout, Immutable, Unaligned, Clone, Copy, Debug, Default, PartialEq, Eq)]
#[repr(C)]
pub struct ContextArm {
    /// [`CONTEXT_ARM`] plus `CONTEXT_ARM_*` group bits.
    pub context_flags: U32,
    /// `r0`-`r15`; see the `CONTEXT_ARM_REG_*` indices.
    pub iregs: [U32; CONTEXT_ARM_GPR_COUNT],
    /// `CPSR`: condition flags (N Z C V Q in bits 31-27), mode and Thumb bit.
    pub cpsr: U32,
    /// VFP registers ([`CONTEXT_ARM_FLOATING_POINT`]).
    pub float_save: FloatingSaveAreaArm,
}
const _: () = assert!(core::mem::size_of::<ContextArm>() == 368);
const _: () = assert!(core::mem::offset_of!(ContextArm, cpsr) == 0x44);
const _: () = assert!(core::mem::offset_of!(ContextArm, float_save) == 0x48);

impl ContextArm {
    /// The `context_flags` word.
    pub fn flags(&self) -> u32 {
        self.context_flags.get()
    }

    /// True when every bit of `wanted` (a `CONTEXT_ARM_*` constant) is set.
    pub fn has_flags(&self, wanted: u32) -> bool {
        super::has_flags(self.flags(), wanted)
    }

    /// The program counter (`r15`).
    pub fn ip(&self) -> u32 {
        self.iregs[CONTEXT_ARM_REG_PC].get()
    }

    /// The stack pointer (`r13`).
    pub fn sp(&self) -> u32 {
        self.iregs[CONTEXT_ARM_REG_SP].get()
    }

    /// The link register (`r14`).
    pub fn lr(&self) -> u32 {
        self.iregs[CONTEXT_ARM_REG_LR].get()
    }

    /// The frame pointer by the usual convention (`r11`); iOS code uses `r7`
    /// ([`CONTEXT_ARM_REG_IOS_FP`]).
    pub fn fp(&self) -> u32 {
        self.iregs[CONTEXT_ARM_REG_FP].get()
    }
}

/// `CONTEXT_ARM` (Windows): the CPU bits of a Windows-on-Arm32 context
/// (`CONTEXT_ARM32` in some headers).
pub const CONTEXT_ARM_NT: u32 = 0x0020_0000;
/// Windows `CONTEXT_ARM_CONTROL` (`CONTEXT_CONTROL`): `sp`, `lr`, `pc` and
/// `cpsr` are valid.
pub const CONTEXT_ARM_NT_CONTROL: u32 = CONTEXT_ARM_NT | 0x01;
/// Windows `CONTEXT_ARM_INTEGER`: `r0`-`r12` are valid.
pub const CONTEXT_ARM_NT_INTEGER: u32 = CONTEXT_ARM_NT | 0x02;
/// Windows `CONTEXT_ARM_FLOATING_POINT`: `fpscr` and `d` are valid.
pub const CONTEXT_ARM_NT_FLOATING_POINT: u32 = CONTEXT_ARM_NT | 0x04;
/// Windows `CONTEXT_ARM_DEBUG_REGISTERS`: the breakpoint and watchpoint
/// registers are valid.
pub const CONTEXT_ARM_NT_DEBUG_REGISTERS: u32 = CONTEXT_ARM_NT | 0x08;
/// Windows `CONTEXT_ARM_FULL`: control, integer and floating point.
pub const CONTEXT_ARM_NT_FULL: u32 = CONTEXT_ARM_NT_CONTROL | CONTEXT_ARM_NT_INTEGER | CONTEXT_ARM_NT_FLOATING_POINT;
/// Windows `CONTEXT_ARM_ALL`: everything.
pub const CONTEXT_ARM_NT_ALL: u32 = CONTEXT_ARM_NT_FULL | CONTEXT_ARM_NT_DEBUG_REGISTERS;

/// `ARM_MAX_BREAKPOINTS`: entries of [`ContextArmNt::bvr`] and `bcr`.
pub const ARM_MAX_BREAKPOINTS: usize = 8;
/// `ARM_MAX_WATCHPOINTS`: entries of [`ContextArmNt::wvr`] and `wcr`.
pub const ARM_MAX_WATCHPOINTS: usize = 1;

/// The Windows-on-Arm32 `CONTEXT`, 416 bytes.
#[derive(FromBytes, IntoBytes, KnownLayout, Immutable, Unaligned, Clone, Copy, Debug, Default, PartialEq, Eq)]
#[repr(C)]
pub struct ContextArmNt {
    /// [`CONTEXT_ARM_NT`] plus `CONTEXT_ARM_NT_*` group bits.
    pub context_flags: U32,
    /// `R0`-`R12`.
    pub r: [U32; 13],
    /// `Sp` (`r13`).
    pub sp: U32,
    /// `Lr` (`r14`).
    pub lr: U32,
    /// `Pc` (`r15`).
    pub pc: U32,
    /// `Cpsr`.
    pub cpsr: U32,
    /// `Fpscr`.
    pub fpscr: U32,
    /// `Padding`.
    pub padding: U32,
    /// `D0`-`D31` (the spec's union also views them as `Q0`-`Q15` and
    /// `S0`-`S31`; `Q[n]` is `D[2n]` and `D[2n+1]`).
    pub d: [U64; 32],
    /// `Bvr`: breakpoint value registers.
    pub bvr: [U32; ARM_MAX_BREAKPOINTS],
    /// `Bcr`: breakpoint control registers.
    pub bcr: [U32; ARM_MAX_BREAKPOINTS],
    /// `Wvr`: watchpoint value register.
    pub wvr: [U32; ARM_MAX_WATCHPOINTS],
    /// `Wcr`: watchpoint control register.
    pub wcr: [U32; ARM_MAX_WATCHPOINTS],
    /// `Padding2`.
    pub padding2: [U32; 2],
}
const _: () = assert!(core::mem::size_of::<ContextArmNt>() == 0x1a0);
const _: () = assert!(core::mem::offset_of!(ContextArmNt, pc) == 0x40);
const _: () = assert!(core::mem::offset_of!(ContextArmNt, d) == 0x50);
const _: () = assert!(core::mem::offset_of!(ContextArmNt, bvr) == 0x150);

impl ContextArmNt {
    /// The `context_flags` word.
    pub fn flags(&self) -> u32 {
        self.context_flags.get()
    }

    /// True when every bit of `wanted` (a `CONTEXT_ARM_NT_*` constant) is
    /// set.
    pub fn has_flags(&self, wanted: u32) -> bool {
        super::has_flags(self.flags(), wanted)
    }

    /// The program counter.
    pub fn ip(&self) -> u32 {
        self.pc.get()
    }

    /// The stack pointer.
    pub fn sp(&self) -> u32 {
        self.sp.get()
    }

    /// The link register.
    pub fn lr(&self) -> u32 {
        self.lr.get()
    }

    /// The frame pointer: `r11` (Windows on ARM compiles Thumb-2 code with
    /// `r11` as frame pointer).
    pub fn fp(&self) -> u32 {
        self.r[11].get()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_bytes::put32;

    #[test]
    fn breakpad_fields_at_spec_offsets() {
        let mut bytes = [0u8; 368];
        put32(&mut bytes, 0, CONTEXT_ARM_FULL);
        put32(&mut bytes, 4, 0xa0); // r0
        put32(&mut bytes, 4 + 4 * 11, 0xbeef_0011); // r11
        put32(&mut bytes, 4 + 4 * 13, 0xbeef_0000); // sp
        put32(&mut bytes, 4 + 4 * 14, 0x0001_0001); // lr
        put32(&mut bytes, 4 + 4 * 15, 0x0001_2344); // pc at 0x40
        put32(&mut bytes, 0x44, 0x6000_0010); // cpsr
        put32(&mut bytes, 0x48, 0x0300_0000); // fpscr
        bytes[0x50..0x58].copy_from_slice(&0x3ff0_0000_0000_0000u64.to_le_bytes()); // d0
        put32(&mut bytes, 0x150 + 28, 7); // extra[7], the last 4 bytes

        let ctx = ContextArm::ref_from_bytes(&bytes).unwrap();
        assert!(ctx.has_flags(CONTEXT_ARM_INTEGER));
        assert_eq!(ctx.iregs[0].get(), 0xa0);
        assert_eq!(ctx.ip(), 0x0001_2344);
        assert_eq!(ctx.sp(), 0xbeef_0000);
        assert_eq!(ctx.lr(), 0x0001_0001);
        assert_eq!(ctx.fp(), 0xbeef_0011);
        assert_eq!(ctx.cpsr.get(), 0x6000_0010);
        assert_eq!(ctx.float_save.fpscr.get(), 0x0300_0000);
        assert_eq!(ctx.float_save.regs[0].get(), 0x3ff0_0000_0000_0000);
        assert_eq!(ctx.float_save.extra[7].get(), 7);
    }

    #[test]
    fn windows_fields_at_spec_offsets() {
        let mut bytes = [0u8; 416];
        put32(&mut bytes, 0, CONTEXT_ARM_NT_FULL);
        put32(&mut bytes, 4 + 4 * 11, 0x11); // r11
        put32(&mut bytes, 0x38, 0x0050_0000); // sp
        put32(&mut bytes, 0x3c, 0x0040_0001); // lr
        put32(&mut bytes, 0x40, 0x0040_1000); // pc
        put32(&mut bytes, 0x44, 0x30); // cpsr
        bytes[0x148..0x150].copy_from_slice(&0x31u64.to_le_bytes()); // d31
        put32(&mut bytes, 0x198, 0xffff); // padding2[0]

        let ctx = ContextArmNt::ref_from_bytes(&bytes).unwrap();
        assert!(ctx.has_flags(CONTEXT_ARM_NT_CONTROL));
        assert!(!ctx.has_flags(CONTEXT_ARM_INTEGER));
        assert_eq!(ctx.fp(), 0x11);
        assert_eq!(ctx.sp(), 0x0050_0000);
        assert_eq!(ctx.lr(), 0x0040_0001);
        assert_eq!(ctx.ip(), 0x0040_1000);
        assert_eq!(ctx.cpsr.get(), 0x30);
        assert_eq!(ctx.d[31].get(), 0x31);
        assert_eq!(ctx.padding2[0].get(), 0xffff);
    }
}
