//! 32-bit x86: Microsoft's x86 `CONTEXT` (also `WOW64_CONTEXT`), which
//! Breakpad calls `MDRawContextX86` and Crashpad `MinidumpContextX86`.
//!
//! With [`CONTEXT_X86_XSTATE`] set the context is followed by a
//! [`ContextEx`](super::amd64::ContextEx) and the XSAVE area, as on AMD64.

use super::amd64::XmmSaveArea32;
use crate::U32;
use zerocopy::{FromBytes, Immutable, IntoBytes, KnownLayout, Unaligned};

/// `CONTEXT_i386` / `CONTEXT_i486` (`MD_CONTEXT_X86`): the CPU bits of an
/// x86 context. Windows CE's MIPS `CONTEXT_R4000` has the same value.
#[doc(alias = "CONTEXT_i386")]
pub const CONTEXT_X86: u32 = 0x0001_0000;
/// `CONTEXT_CONTROL`: `ebp`, `eip`, `cs`, `eflags`, `esp` and `ss` are valid.
pub const CONTEXT_X86_CONTROL: u32 = CONTEXT_X86 | 0x01;
/// `CONTEXT_INTEGER`: `edi`, `esi`, `ebx`, `edx`, `ecx` and `eax` are valid.
pub const CONTEXT_X86_INTEGER: u32 = CONTEXT_X86 | 0x02;
/// `CONTEXT_SEGMENTS`: `gs`, `fs`, `es` and `ds` are valid.
pub const CONTEXT_X86_SEGMENTS: u32 = CONTEXT_X86 | 0x04;
/// `CONTEXT_FLOATING_POINT`: `float_save` (the x87 state) is valid.
pub const CONTEXT_X86_FLOATING_POINT: u32 = CONTEXT_X86 | 0x08;
/// `CONTEXT_DEBUG_REGISTERS`: `dr0`-`dr3`, `dr6` and `dr7` are valid.
pub const CONTEXT_X86_DEBUG_REGISTERS: u32 = CONTEXT_X86 | 0x10;
/// `CONTEXT_EXTENDED_REGISTERS`: `extended_registers` holds an FXSAVE image
/// (SSE registers and MXCSR).
pub const CONTEXT_X86_EXTENDED_REGISTERS: u32 = CONTEXT_X86 | 0x20;
/// `CONTEXT_XSTATE`: a `CONTEXT_EX` and XSAVE area follow the structure.
pub const CONTEXT_X86_XSTATE: u32 = CONTEXT_X86 | 0x40;
/// `CONTEXT_FULL`: control, integer and segment registers.
pub const CONTEXT_X86_FULL: u32 = CONTEXT_X86_CONTROL | CONTEXT_X86_INTEGER | CONTEXT_X86_SEGMENTS;
/// `CONTEXT_ALL`: everything except the XSAVE area.
pub const CONTEXT_X86_ALL: u32 =
    CONTEXT_X86_FULL | CONTEXT_X86_FLOATING_POINT | CONTEXT_X86_DEBUG_REGISTERS | CONTEXT_X86_EXTENDED_REGISTERS;

/// `SIZE_OF_80387_REGISTERS`: bytes of [`FloatingSaveAreaX86::register_area`]
/// (eight 10-byte x87 registers).
pub const SIZE_OF_80387_REGISTERS: usize = 80;
/// `MAXIMUM_SUPPORTED_EXTENSION`: bytes of [`ContextX86::extended_registers`].
pub const MAXIMUM_SUPPORTED_EXTENSION: usize = 512;

/// `FLOATING_SAVE_AREA` (`MDFloatingSaveAreaX86`): the x87 state in the
/// layout of the `FSAVE` instruction, 112 bytes.
#[derive(FromBytes, IntoBytes, KnownLayout, Immutable, Unaligned, Clone, Copy, Debug, PartialEq, Eq)]
#[repr(C)]
pub struct FloatingSaveAreaX86 {
    /// x87 control word (in the low 16 bits).
    pub control_word: U32,
    /// x87 status word (in the low 16 bits).
    pub status_word: U32,
    /// x87 tag word, two bits per register (in the low 16 bits).
    pub tag_word: U32,
    /// Offset of the last x87 instruction.
    pub error_offset: U32,
    /// Selector of the last x87 instruction (and its opcode in the high
    /// bits).
    pub error_selector: U32,
    /// Offset of the last x87 memory operand.
    pub data_offset: U32,
    /// Selector of the last x87 memory operand.
    pub data_selector: U32,
    /// `ST(0)`-`ST(7)` (also `MM0`-`MM7`), ten bytes each, 80-bit extended
    /// precision, in stack order.
    pub register_area: [u8; SIZE_OF_80387_REGISTERS],
    /// `Cr0NpxState` in older headers and `WOW64_CONTEXT`, `Spare0` since
    /// Windows 8.
    pub cr0_npx_state: U32,
}
const _: () = assert!(core::mem::size_of::<FloatingSaveAreaX86>() == 112);

impl FloatingSaveAreaX86 {
    /// The ten bytes of `ST(index)`, or `None` when `index` is 8 or more.
    pub fn st(&self, index: usize) -> Option<[u8; 10]> {
        let start = index.checked_mul(10)?;
        let bytes = self.register_area.get(start..start.checked_add(10)?)?;
        bytes.try_into().ok()
    }
}

/// The x86 `CONTEXT` (`MDRawContextX86`), 716 bytes.
///
/// [`ContextX86::context_flags`] tells which groups of fields are valid (see
/// the `CONTEXT_X86_*` constants); the others are usually zero.
#[derive(FromBytes, IntoBytes, KnownLayout, Immutable, Unaligned, Clone, Copy, Debug, PartialEq, Eq)]
#[repr(C)]
pub struct ContextX86 {
    /// [`CONTEXT_X86`] plus `CONTEXT_X86_*` group bits.
    pub context_flags: U32,
    /// Debug address register 0.
    pub dr0: U32,
    /// Debug address register 1.
    pub dr1: U32,
    /// Debug address register 2.
    pub dr2: U32,
    /// Debug address register 3.
    pub dr3: U32,
    /// Debug status register.
    pub dr6: U32,
    /// Debug control register.
    pub dr7: U32,
    /// x87 state ([`CONTEXT_X86_FLOATING_POINT`]).
    pub float_save: FloatingSaveAreaX86,
    /// `SegGs`.
    pub gs: U32,
    /// `SegFs` (the TEB selector on Windows).
    pub fs: U32,
    /// `SegEs`.
    pub es: U32,
    /// `SegDs`.
    pub ds: U32,
    /// `edi`.
    pub edi: U32,
    /// `esi`.
    pub esi: U32,
    /// `ebx`.
    pub ebx: U32,
    /// `edx`.
    pub edx: U32,
    /// `ecx`.
    pub ecx: U32,
    /// `eax`.
    pub eax: U32,
    /// `ebp`, the frame pointer.
    pub ebp: U32,
    /// `eip`, the instruction pointer.
    pub eip: U32,
    /// `SegCs`.
    pub cs: U32,
    /// `EFlags`.
    pub eflags: U32,
    /// `esp`, the stack pointer.
    pub esp: U32,
    /// `SegSs`.
    pub ss: U32,
    /// FXSAVE image ([`CONTEXT_X86_EXTENDED_REGISTERS`]): x87, MMX, SSE and
    /// MXCSR state; see [`ContextX86::fxsave`].
    pub extended_registers: [u8; MAXIMUM_SUPPORTED_EXTENSION],
}
const _: () = assert!(core::mem::size_of::<ContextX86>() == 716);
const _: () = assert!(core::mem::offset_of!(ContextX86, float_save) == 0x1c);
const _: () = assert!(core::mem::offset_of!(ContextX86, gs) == 0x8c);
const _: () = assert!(core::mem::offset_of!(ContextX86, edi) == 0x9c);
const _: () = assert!(core::mem::offset_of!(ContextX86, ebp) == 0xb4);
const _: () = assert!(core::mem::offset_of!(ContextX86, eip) == 0xb8);
const _: () = assert!(core::mem::offset_of!(ContextX86, esp) == 0xc4);
const _: () = assert!(core::mem::offset_of!(ContextX86, extended_registers) == 0xcc);

zeroed_default!(FloatingSaveAreaX86, ContextX86);

impl ContextX86 {
    /// The `context_flags` word.
    pub fn flags(&self) -> u32 {
        self.context_flags.get()
    }

    /// True when every bit of `wanted` (a `CONTEXT_X86_*` constant) is set.
    pub fn has_flags(&self, wanted: u32) -> bool {
        super::has_flags(self.flags(), wanted)
    }

    /// `eip`.
    pub fn eip(&self) -> u32 {
        self.eip.get()
    }

    /// `esp`.
    pub fn esp(&self) -> u32 {
        self.esp.get()
    }

    /// `ebp`.
    pub fn ebp(&self) -> u32 {
        self.ebp.get()
    }

    /// The instruction pointer (`eip`).
    pub fn ip(&self) -> u32 {
        self.eip()
    }

    /// The stack pointer (`esp`).
    pub fn sp(&self) -> u32 {
        self.esp()
    }

    /// The frame pointer (`ebp`).
    pub fn fp(&self) -> u32 {
        self.ebp()
    }

    /// `extended_registers` viewed as the FXSAVE layout. In 32-bit mode only
    /// `xmm_registers[0..8]` are saved; the rest of that array is reserved.
    pub fn fxsave(&self) -> &XmmSaveArea32 {
        zerocopy::transmute_ref!(&self.extended_registers)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn put(bytes: &mut [u8], at: usize, value: u32) {
        bytes[at..at + 4].copy_from_slice(&value.to_le_bytes());
    }

    #[test]
    fn fields_at_spec_offsets() {
        let mut bytes = [0u8; 716];
        put(&mut bytes, 0, CONTEXT_X86_ALL);
        put(&mut bytes, 0x18, 0x400); // dr7
        put(&mut bytes, 0x1c, 0x037f); // float_save.control_word
        bytes[0x38] = 0xaa; // register_area[0]
        bytes[0x38 + 79] = 0xbb; // last byte of ST(7)
        put(&mut bytes, 0x88, 0xdead); // cr0_npx_state
        put(&mut bytes, 0x8c, 0x2b); // gs
        put(&mut bytes, 0xb0, 0x1111_2222); // eax
        put(&mut bytes, 0xb4, 0x0019_ff40); // ebp
        put(&mut bytes, 0xb8, 0x0040_1000); // eip
        put(&mut bytes, 0xbc, 0x23); // cs
        put(&mut bytes, 0xc4, 0x0019_ff00); // esp
        put(&mut bytes, 0xc8, 0x2b); // ss
        put(&mut bytes, 0xcc + 24, 0x1f80); // fxsave mx_csr
        bytes[0xcc + 160] = 0x5a; // first byte of xmm0

        let ctx = ContextX86::ref_from_bytes(&bytes).unwrap();
        assert!(ctx.has_flags(CONTEXT_X86_FULL));
        assert!(!ctx.has_flags(CONTEXT_X86_XSTATE));
        assert_eq!(ctx.dr7.get(), 0x400);
        assert_eq!(ctx.float_save.control_word.get(), 0x037f);
        assert_eq!(ctx.float_save.st(0).unwrap()[0], 0xaa);
        assert_eq!(ctx.float_save.st(7).unwrap()[9], 0xbb);
        assert_eq!(ctx.float_save.st(8), None);
        assert_eq!(ctx.float_save.cr0_npx_state.get(), 0xdead);
        assert_eq!(ctx.gs.get(), 0x2b);
        assert_eq!(ctx.eax.get(), 0x1111_2222);
        assert_eq!(ctx.eip(), 0x0040_1000);
        assert_eq!(ctx.ip(), 0x0040_1000);
        assert_eq!(ctx.esp(), 0x0019_ff00);
        assert_eq!(ctx.sp(), 0x0019_ff00);
        assert_eq!(ctx.fp(), 0x0019_ff40);
        assert_eq!(ctx.cs.get(), 0x23);
        assert_eq!(ctx.ss.get(), 0x2b);
        assert_eq!(ctx.fxsave().mx_csr.get(), 0x1f80);
        assert_eq!(ctx.fxsave().xmm_registers[0].get(), 0x5a);
    }

    #[test]
    fn default_is_zero() {
        let ctx = ContextX86::default();
        assert_eq!(ctx.as_bytes(), &[0u8; 716][..]);
    }
}
