//! x86-64: Microsoft's x64 `CONTEXT` (Breakpad's `MDRawContextAMD64`,
//! Crashpad's `MinidumpContextAMD64`) and the extended state Windows stores
//! after it when [`CONTEXT_AMD64_XSTATE`] is set.
//!
//! # Extended (XSAVE) state
//!
//! A context with `CONTEXT_XSTATE` is longer than [`ContextAmd64`]. Right
//! after the 1232-byte `CONTEXT` comes a [`ContextEx`] whose three
//! [`ContextChunk`]s locate, relative to the `CONTEXT_EX` itself, the whole
//! record, the legacy `CONTEXT` (negative offset) and the XSAVE area. The
//! XSAVE area starts with an [`XSaveAreaHeader`] (the legacy 512 bytes of a
//! real XSAVE image are not repeated: they are [`ContextAmd64::flt_save`]);
//! its `mask` says which `XSTATE_*` components follow. Where each component
//! lies is given by the `XSTATE_CONFIG_FEATURE_MSC_INFO` of the MiscInfo
//! stream, whose offsets count from the start of a full XSAVE image (so
//! subtract the 512 legacy bytes). [`YmmContext`] is the AVX component,
//! [`XSaveCetUFormat`] the user-mode CET one. 32-bit x86 contexts use the
//! same tail.

use super::U128;
use crate::{I32, U16, U32, U64};
use zerocopy::{FromBytes, Immutable, IntoBytes, KnownLayout, Unaligned};

/// `CONTEXT_AMD64`: the CPU bits of an x86-64 context.
pub const CONTEXT_AMD64: u32 = 0x0010_0000;
/// `CONTEXT_CONTROL`: `cs`, `ss`, `eflags`, `rsp` and `rip` are valid.
pub const CONTEXT_AMD64_CONTROL: u32 = CONTEXT_AMD64 | 0x01;
/// `CONTEXT_INTEGER`: `rax`-`rbx`, `rbp`, `rsi`, `rdi` and `r8`-`r15` are
/// valid.
pub const CONTEXT_AMD64_INTEGER: u32 = CONTEXT_AMD64 | 0x02;
/// `CONTEXT_SEGMENTS`: `ds`, `es`, `fs` and `gs` are valid.
pub const CONTEXT_AMD64_SEGMENTS: u32 = CONTEXT_AMD64 | 0x04;
/// `CONTEXT_FLOATING_POINT`: `mx_csr` and `flt_save` (x87, XMM0-15) are
/// valid.
pub const CONTEXT_AMD64_FLOATING_POINT: u32 = CONTEXT_AMD64 | 0x08;
/// `CONTEXT_DEBUG_REGISTERS`: `dr0`-`dr3`, `dr6`, `dr7` (and the last-branch
/// fields) are valid.
pub const CONTEXT_AMD64_DEBUG_REGISTERS: u32 = CONTEXT_AMD64 | 0x10;
/// `CONTEXT_XSTATE`: a [`ContextEx`] and XSAVE area follow the structure.
pub const CONTEXT_AMD64_XSTATE: u32 = CONTEXT_AMD64 | 0x40;
/// `CONTEXT_KERNEL_CET`: kernel shadow-stack state is present (kernel
/// contexts only).
pub const CONTEXT_AMD64_KERNEL_CET: u32 = CONTEXT_AMD64 | 0x80;
/// `CONTEXT_FULL`: control, integer and floating-point registers.
pub const CONTEXT_AMD64_FULL: u32 = CONTEXT_AMD64_CONTROL | CONTEXT_AMD64_INTEGER | CONTEXT_AMD64_FLOATING_POINT;
/// `CONTEXT_ALL`: everything except the XSAVE area.
pub const CONTEXT_AMD64_ALL: u32 = CONTEXT_AMD64_FULL | CONTEXT_AMD64_SEGMENTS | CONTEXT_AMD64_DEBUG_REGISTERS;

/// `XMM_SAVE_AREA32` (`XSAVE_FORMAT`, `MDXmmSaveArea32AMD64`): the 512-byte
/// image of the `FXSAVE` instruction.
///
/// The same layout is used by [`super::x86::ContextX86::fxsave`]; in 32-bit
/// mode only eight XMM registers exist.
#[derive(FromBytes, IntoBytes, KnownLayout, Immutable, Unaligned, Clone, Copy, Debug, PartialEq, Eq)]
#[repr(C)]
pub struct XmmSaveArea32 {
    /// x87 control word.
    pub control_word: U16,
    /// x87 status word.
    pub status_word: U16,
    /// Abridged x87 tag word: one bit per register, set when it is in use.
    pub tag_word: u8,
    /// Reserved.
    pub reserved1: u8,
    /// Opcode of the last x87 instruction.
    pub error_opcode: U16,
    /// Offset of the last x87 instruction.
    pub error_offset: U32,
    /// Selector of the last x87 instruction.
    pub error_selector: U16,
    /// Reserved.
    pub reserved2: U16,
    /// Offset of the last x87 memory operand.
    pub data_offset: U32,
    /// Selector of the last x87 memory operand.
    pub data_selector: U16,
    /// Reserved.
    pub reserved3: U16,
    /// SSE control and status register.
    pub mx_csr: U32,
    /// Which `mx_csr` bits the CPU supports.
    pub mx_csr_mask: U32,
    /// `ST(0)`-`ST(7)` / `MM0`-`MM7`: 80 bits each in the low ten bytes.
    pub float_registers: [U128; 8],
    /// `XMM0`-`XMM15`.
    pub xmm_registers: [U128; 16],
    /// Reserved (available to software in a real FXSAVE image).
    pub reserved4: [u8; 96],
}
const _: () = assert!(core::mem::size_of::<XmmSaveArea32>() == 512);
const _: () = assert!(core::mem::offset_of!(XmmSaveArea32, float_registers) == 32);
const _: () = assert!(core::mem::offset_of!(XmmSaveArea32, xmm_registers) == 160);

/// The x64 `CONTEXT` (`MDRawContextAMD64`), 1232 bytes. Windows aligns it to
/// 16 bytes in memory; in a file it is just bytes.
///
/// Note that [`ContextAmd64::context_flags`] is at offset `0x30`, not 0.
#[derive(FromBytes, IntoBytes, KnownLayout, Immutable, Unaligned, Clone, Copy, Debug, PartialEq, Eq)]
#[repr(C)]
pub struct ContextAmd64 {
    /// Home slot of the first register parameter (not a register; usually
    /// junk or zero).
    pub p1_home: U64,
    /// Home slot of the second register parameter.
    pub p2_home: U64,
    /// Home slot of the third register parameter.
    pub p3_home: U64,
    /// Home slot of the fourth register parameter.
    pub p4_home: U64,
    /// Home slot of a fifth parameter.
    pub p5_home: U64,
    /// Home slot of a sixth parameter.
    pub p6_home: U64,
    /// [`CONTEXT_AMD64`] plus `CONTEXT_AMD64_*` group bits.
    pub context_flags: U32,
    /// SSE control and status ([`CONTEXT_AMD64_FLOATING_POINT`]).
    pub mx_csr: U32,
    /// `SegCs`.
    pub cs: U16,
    /// `SegDs`.
    pub ds: U16,
    /// `SegEs`.
    pub es: U16,
    /// `SegFs`.
    pub fs: U16,
    /// `SegGs` (the TEB selector on Windows).
    pub gs: U16,
    /// `SegSs`.
    pub ss: U16,
    /// `EFlags`.
    pub eflags: U32,
    /// Debug address register 0.
    pub dr0: U64,
    /// Debug address register 1.
    pub dr1: U64,
    /// Debug address register 2.
    pub dr2: U64,
    /// Debug address register 3.
    pub dr3: U64,
    /// Debug status register.
    pub dr6: U64,
    /// Debug control register.
    pub dr7: U64,
    /// `rax`.
    pub rax: U64,
    /// `rcx`.
    pub rcx: U64,
    /// `rdx`.
    pub rdx: U64,
    /// `rbx`.
    pub rbx: U64,
    /// `rsp`, the stack pointer.
    pub rsp: U64,
    /// `rbp`, the frame pointer when one is used.
    pub rbp: U64,
    /// `rsi`.
    pub rsi: U64,
    /// `rdi`.
    pub rdi: U64,
    /// `r8`.
    pub r8: U64,
    /// `r9`.
    pub r9: U64,
    /// `r10`.
    pub r10: U64,
    /// `r11`.
    pub r11: U64,
    /// `r12`.
    pub r12: U64,
    /// `r13`.
    pub r13: U64,
    /// `r14`.
    pub r14: U64,
    /// `r15`.
    pub r15: U64,
    /// `rip`, the instruction pointer.
    pub rip: U64,
    /// FXSAVE image: x87 and `XMM0`-`XMM15` (`FltSave`; the spec's union also
    /// names its parts `Header`, `Legacy` and `Xmm0`-`Xmm15`).
    pub flt_save: XmmSaveArea32,
    /// `VectorRegister`: unused by Windows on x64 (zero).
    pub vector_register: [U128; 26],
    /// `VectorControl`: unused (zero).
    pub vector_control: U64,
    /// `DebugControl`: the debug-control MSR.
    pub debug_control: U64,
    /// Last branch target.
    pub last_branch_to_rip: U64,
    /// Last branch source.
    pub last_branch_from_rip: U64,
    /// Last exception target.
    pub last_exception_to_rip: U64,
    /// Last exception source.
    pub last_exception_from_rip: U64,
}
const _: () = assert!(core::mem::size_of::<ContextAmd64>() == 1232);
const _: () = assert!(core::mem::offset_of!(ContextAmd64, context_flags) == 0x30);
const _: () = assert!(core::mem::offset_of!(ContextAmd64, eflags) == 0x44);
const _: () = assert!(core::mem::offset_of!(ContextAmd64, rax) == 0x78);
const _: () = assert!(core::mem::offset_of!(ContextAmd64, rsp) == 0x98);
const _: () = assert!(core::mem::offset_of!(ContextAmd64, rip) == 0xf8);
const _: () = assert!(core::mem::offset_of!(ContextAmd64, flt_save) == 0x100);
const _: () = assert!(core::mem::offset_of!(ContextAmd64, vector_register) == 0x300);
const _: () = assert!(core::mem::offset_of!(ContextAmd64, debug_control) == 0x4a8);

zeroed_default!(XmmSaveArea32, ContextAmd64);

impl ContextAmd64 {
    /// The `context_flags` word.
    pub fn flags(&self) -> u32 {
        self.context_flags.get()
    }

    /// True when every bit of `wanted` (a `CONTEXT_AMD64_*` constant) is set.
    pub fn has_flags(&self, wanted: u32) -> bool {
        super::has_flags(self.flags(), wanted)
    }

    /// `rip`.
    pub fn rip(&self) -> u64 {
        self.rip.get()
    }

    /// `rsp`.
    pub fn rsp(&self) -> u64 {
        self.rsp.get()
    }

    /// `rbp`.
    pub fn rbp(&self) -> u64 {
        self.rbp.get()
    }

    /// The instruction pointer (`rip`).
    pub fn ip(&self) -> u64 {
        self.rip()
    }

    /// The stack pointer (`rsp`).
    pub fn sp(&self) -> u64 {
        self.rsp()
    }

    /// The frame pointer (`rbp`).
    pub fn fp(&self) -> u64 {
        self.rbp()
    }

    /// `XMM{index}` as a number, or `None` when `index` is 16 or more.
    pub fn xmm(&self, index: usize) -> Option<u128> {
        self.flt_save.xmm_registers.get(index).map(|r| r.get())
    }
}

/// `CONTEXT_CHUNK`: one region of an extended context, located relative to
/// the [`ContextEx`] that holds it.
#[derive(FromBytes, IntoBytes, KnownLayout, Immutable, Unaligned, Clone, Copy, Debug, Default, PartialEq, Eq)]
#[repr(C)]
pub struct ContextChunk {
    /// Signed byte offset of the region from the start of the `CONTEXT_EX`.
    pub offset: I32,
    /// Length of the region in bytes.
    pub length: U32,
}
const _: () = assert!(core::mem::size_of::<ContextChunk>() == 8);

impl ContextChunk {
    /// The region's byte range within the context record, given where the
    /// `CONTEXT_EX` holding this chunk starts in that record. `None` when
    /// the region would start before the record or the arithmetic
    /// overflows. The caller still has to check the end against the bytes
    /// it has.
    pub fn range(&self, context_ex_at: usize) -> Option<core::ops::Range<usize>> {
        let start = context_ex_at.checked_add_signed(isize::try_from(self.offset.get()).ok()?)?;
        let end = start.checked_add(usize::try_from(self.length.get()).ok()?)?;
        Some(start..end)
    }
}

/// `CONTEXT_EX`, 24 bytes: the header Windows places right after a `CONTEXT`
/// whose flags include `CONTEXT_XSTATE`. (Crashpad calls it
/// `MinidumpContextExHeader`.)
#[doc(alias = "CONTEXT_EX")]
#[derive(FromBytes, IntoBytes, KnownLayout, Immutable, Unaligned, Clone, Copy, Debug, Default, PartialEq, Eq)]
#[repr(C)]
pub struct ContextEx {
    /// The whole record: `CONTEXT`, `CONTEXT_EX` and XSAVE area (negative
    /// offset, back to the `CONTEXT`).
    pub all: ContextChunk,
    /// The legacy `CONTEXT` (negative offset, its size as length).
    pub legacy: ContextChunk,
    /// The XSAVE area, starting with an [`XSaveAreaHeader`].
    pub xstate: ContextChunk,
}
const _: () = assert!(core::mem::size_of::<ContextEx>() == 24);

/// Another name of [`ContextEx`].
pub type ContextExHeader = ContextEx;

/// `XSAVE_AREA_HEADER`, 64 bytes: the header of an XSAVE image, and the
/// first thing in the [`ContextEx::xstate`] chunk.
#[derive(FromBytes, IntoBytes, KnownLayout, Immutable, Unaligned, Clone, Copy, Debug, Default, PartialEq, Eq)]
#[repr(C)]
pub struct XSaveAreaHeader {
    /// `XSTATE_BV`: bit `n` set when component `n` (`XSTATE_*`) was saved;
    /// a clear bit means the component is in its initial state.
    pub mask: U64,
    /// `XCOMP_BV`: with bit 63 ([`XSTATE_COMPACTION_ENABLE_MASK`]) set the
    /// image is in the compacted format and the other bits say which
    /// components have space in it.
    pub compaction_mask: U64,
    /// Reserved (zero).
    pub reserved2: [U64; 6],
}
const _: () = assert!(core::mem::size_of::<XSaveAreaHeader>() == 64);

impl XSaveAreaHeader {
    /// True when component `feature` (an `XSTATE_*` index) was saved.
    pub fn has_feature(&self, feature: u32) -> bool {
        feature < 64 && self.mask.get() & (1u64 << feature) != 0
    }

    /// True when the image uses the compacted format (`XSAVEC`/`XSAVES`).
    pub fn is_compacted(&self) -> bool {
        self.compaction_mask.get() & XSTATE_COMPACTION_ENABLE_MASK != 0
    }
}

/// `YMMCONTEXT`: the [`XSTATE_AVX`] component, the upper 128 bits of
/// `YMM0`-`YMM15` (the lower halves are the XMM registers).
#[derive(FromBytes, IntoBytes, KnownLayout, Immutable, Unaligned, Clone, Copy, Debug, Default, PartialEq, Eq)]
#[repr(C)]
pub struct YmmContext {
    /// Upper halves of `YMM0`-`YMM15`.
    pub ymm: [U128; 16],
}
const _: () = assert!(core::mem::size_of::<YmmContext>() == 256);

/// `XSAVE_CET_U_FORMAT`, 16 bytes: the [`XSTATE_CET_U`] component, user-mode
/// control-flow-enforcement state (Crashpad's
/// `MinidumpAMD64XSaveFormatCetU`).
#[derive(FromBytes, IntoBytes, KnownLayout, Immutable, Unaligned, Clone, Copy, Debug, Default, PartialEq, Eq)]
#[repr(C)]
pub struct XSaveCetUFormat {
    /// `Ia32CetUMsr`: the `IA32_U_CET` MSR (shadow stack and indirect
    /// branch tracking enables).
    pub ia32_cet_u_msr: U64,
    /// `Ia32Pl3SspMsr`: the user-mode shadow stack pointer (`IA32_PL3_SSP`).
    pub ia32_pl3_ssp_msr: U64,
}
const _: () = assert!(core::mem::size_of::<XSaveCetUFormat>() == 16);

/// Another name of [`XSaveCetUFormat`].
pub type CetUserState = XSaveCetUFormat;

impl XSaveCetUFormat {
    /// The user-mode shadow stack pointer.
    pub fn ssp(&self) -> u64 {
        self.ia32_pl3_ssp_msr.get()
    }
}

/// `XSTATE_LEGACY_FLOATING_POINT`: component index of the x87 state.
pub const XSTATE_LEGACY_FLOATING_POINT: u32 = 0;
/// `XSTATE_LEGACY_SSE`: component index of the XMM registers and MXCSR.
pub const XSTATE_LEGACY_SSE: u32 = 1;
/// `XSTATE_GSSE`: component index of the upper YMM halves.
pub const XSTATE_GSSE: u32 = 2;
/// `XSTATE_AVX`: another name of [`XSTATE_GSSE`].
pub const XSTATE_AVX: u32 = XSTATE_GSSE;
/// `XSTATE_MPX_BNDREGS`: component index of the MPX bound registers.
pub const XSTATE_MPX_BNDREGS: u32 = 3;
/// `XSTATE_MPX_BNDCSR`: component index of MPX configuration and status.
pub const XSTATE_MPX_BNDCSR: u32 = 4;
/// `XSTATE_AVX512_KMASK`: component index of the AVX-512 opmask registers.
pub const XSTATE_AVX512_KMASK: u32 = 5;
/// `XSTATE_AVX512_ZMM_H`: component index of the upper halves of ZMM0-15.
pub const XSTATE_AVX512_ZMM_H: u32 = 6;
/// `XSTATE_AVX512_ZMM`: component index of ZMM16-31.
pub const XSTATE_AVX512_ZMM: u32 = 7;
/// `XSTATE_IPT`: component index of the Intel Processor Trace state.
pub const XSTATE_IPT: u32 = 8;
/// `XSTATE_PASID`: component index of the PASID state.
pub const XSTATE_PASID: u32 = 10;
/// `XSTATE_CET_U`: component index of user-mode CET state
/// ([`XSaveCetUFormat`]).
pub const XSTATE_CET_U: u32 = 11;
/// `XSTATE_CET_S`: component index of supervisor-mode CET state.
pub const XSTATE_CET_S: u32 = 12;
/// `XSTATE_AMX_TILE_CONFIG`: component index of the AMX tile configuration.
pub const XSTATE_AMX_TILE_CONFIG: u32 = 17;
/// `XSTATE_AMX_TILE_DATA`: component index of the AMX tile data.
pub const XSTATE_AMX_TILE_DATA: u32 = 18;
/// `XSTATE_LWP`: component index of AMD's lightweight profiling state.
pub const XSTATE_LWP: u32 = 62;
/// `MAXIMUM_XSTATE_FEATURES`: number of component indices.
pub const MAXIMUM_XSTATE_FEATURES: u32 = 64;
/// `XSTATE_COMPACTION_ENABLE`: bit of [`XSaveAreaHeader::compaction_mask`]
/// that marks the compacted format.
pub const XSTATE_COMPACTION_ENABLE: u32 = 63;

/// `XSTATE_MASK_LEGACY_FLOATING_POINT`.
pub const XSTATE_MASK_LEGACY_FLOATING_POINT: u64 = 1 << XSTATE_LEGACY_FLOATING_POINT;
/// `XSTATE_MASK_LEGACY_SSE`.
pub const XSTATE_MASK_LEGACY_SSE: u64 = 1 << XSTATE_LEGACY_SSE;
/// `XSTATE_MASK_LEGACY`: x87 and SSE, the part already in the `CONTEXT`.
pub const XSTATE_MASK_LEGACY: u64 = XSTATE_MASK_LEGACY_FLOATING_POINT | XSTATE_MASK_LEGACY_SSE;
/// `XSTATE_MASK_GSSE` / `XSTATE_MASK_AVX`.
pub const XSTATE_MASK_AVX: u64 = 1 << XSTATE_AVX;
/// `XSTATE_MASK_MPX`: both MPX components.
pub const XSTATE_MASK_MPX: u64 = (1 << XSTATE_MPX_BNDREGS) | (1 << XSTATE_MPX_BNDCSR);
/// `XSTATE_MASK_AVX512`: the three AVX-512 components.
pub const XSTATE_MASK_AVX512: u64 = (1 << XSTATE_AVX512_KMASK) | (1 << XSTATE_AVX512_ZMM_H) | (1 << XSTATE_AVX512_ZMM);
/// `XSTATE_MASK_IPT`.
pub const XSTATE_MASK_IPT: u64 = 1 << XSTATE_IPT;
/// `XSTATE_MASK_PASID`.
pub const XSTATE_MASK_PASID: u64 = 1 << XSTATE_PASID;
/// `XSTATE_MASK_CET_U`.
pub const XSTATE_MASK_CET_U: u64 = 1 << XSTATE_CET_U;
/// `XSTATE_MASK_CET_S`.
pub const XSTATE_MASK_CET_S: u64 = 1 << XSTATE_CET_S;
/// `XSTATE_MASK_AMX_TILE_CONFIG`.
pub const XSTATE_MASK_AMX_TILE_CONFIG: u64 = 1 << XSTATE_AMX_TILE_CONFIG;
/// `XSTATE_MASK_AMX_TILE_DATA`.
pub const XSTATE_MASK_AMX_TILE_DATA: u64 = 1 << XSTATE_AMX_TILE_DATA;
/// `XSTATE_MASK_LWP`.
pub const XSTATE_MASK_LWP: u64 = 1 << XSTATE_LWP;
/// `XSTATE_COMPACTION_ENABLE_MASK`.
pub const XSTATE_COMPACTION_ENABLE_MASK: u64 = 1 << XSTATE_COMPACTION_ENABLE;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_bytes::{put32, put64};

    #[test]
    fn fields_at_spec_offsets() {
        let mut bytes = [0u8; 1232];
        put64(&mut bytes, 0, 0x1234); // p1_home
        put32(&mut bytes, 0x30, CONTEXT_AMD64_FULL);
        put32(&mut bytes, 0x34, 0x1f80); // mx_csr
        bytes[0x38..0x3a].copy_from_slice(&0x33u16.to_le_bytes()); // cs
        bytes[0x42..0x44].copy_from_slice(&0x2bu16.to_le_bytes()); // ss
        put32(&mut bytes, 0x44, 0x246); // eflags
        put64(&mut bytes, 0x78, 0xaaaa); // rax
        put64(&mut bytes, 0x98, 0x0000_00c0_ffee_0000); // rsp
        put64(&mut bytes, 0xa0, 0x0000_00c0_ffee_0040); // rbp
        put64(&mut bytes, 0xf0, 0x1515); // r15
        put64(&mut bytes, 0xf8, 0x7ff6_1234_5678); // rip
        put32(&mut bytes, 0x100 + 24, 0x1f80); // flt_save.mx_csr
        put64(&mut bytes, 0x100 + 160 + 16 * 15, 0x0f0f); // xmm15 low
        put64(&mut bytes, 0x100 + 160 + 16 * 15 + 8, 0xf0f0); // xmm15 high
        put64(&mut bytes, 0x4c8, 0x4c8); // last_exception_from_rip

        let ctx = ContextAmd64::ref_from_bytes(&bytes).unwrap();
        assert_eq!(ctx.p1_home.get(), 0x1234);
        assert_eq!(ctx.flags(), CONTEXT_AMD64_FULL);
        assert!(ctx.has_flags(CONTEXT_AMD64_INTEGER));
        assert!(!ctx.has_flags(CONTEXT_AMD64_SEGMENTS));
        assert_eq!(ctx.mx_csr.get(), 0x1f80);
        assert_eq!(ctx.cs.get(), 0x33);
        assert_eq!(ctx.ss.get(), 0x2b);
        assert_eq!(ctx.eflags.get(), 0x246);
        assert_eq!(ctx.rax.get(), 0xaaaa);
        assert_eq!(ctx.rsp(), 0x0000_00c0_ffee_0000);
        assert_eq!(ctx.sp(), ctx.rsp());
        assert_eq!(ctx.fp(), 0x0000_00c0_ffee_0040);
        assert_eq!(ctx.r15.get(), 0x1515);
        assert_eq!(ctx.rip(), 0x7ff6_1234_5678);
        assert_eq!(ctx.ip(), ctx.rip());
        assert_eq!(ctx.flt_save.mx_csr.get(), 0x1f80);
        assert_eq!(ctx.xmm(15), Some(0xf0f0_u128 << 64 | 0x0f0f));
        assert_eq!(ctx.xmm(16), None);
        assert_eq!(ctx.last_exception_from_rip.get(), 0x4c8);
    }

    #[test]
    fn xstate_tail() {
        // CONTEXT, CONTEXT_EX, then XSAVE header + AVX + (pretend) CET_U.
        const CTX: usize = 1232;
        const EX: usize = 24;
        let mut bytes = [0u8; CTX + EX + 64 + 256 + 16];
        put32(&mut bytes, 0x30, CONTEXT_AMD64_ALL | CONTEXT_AMD64_XSTATE);
        let total = bytes.len() as u32;
        let xstate_len = 64 + 256 + 16;
        // all: back to the CONTEXT, whole record.
        put32(&mut bytes, CTX, (-(CTX as i32)) as u32);
        put32(&mut bytes, CTX + 4, total);
        // legacy: back to the CONTEXT, its size.
        put32(&mut bytes, CTX + 8, (-(CTX as i32)) as u32);
        put32(&mut bytes, CTX + 12, CTX as u32);
        // xstate: right after CONTEXT_EX.
        put32(&mut bytes, CTX + 16, EX as u32);
        put32(&mut bytes, CTX + 20, xstate_len);
        let x = CTX + EX;
        put64(&mut bytes, x, XSTATE_MASK_LEGACY | XSTATE_MASK_AVX | XSTATE_MASK_CET_U);
        put64(&mut bytes, x + 64, 0x1111); // ymm0 upper, low half
        put64(&mut bytes, x + 64 + 256 + 8, 0x7ffe_0000_1000); // ssp

        let ctx = ContextAmd64::ref_from_prefix(&bytes).unwrap().0;
        assert!(ctx.has_flags(CONTEXT_AMD64_XSTATE));
        let (ex, _) = ContextEx::ref_from_prefix(&bytes[CTX..]).unwrap();
        assert_eq!(ex.all.range(CTX), Some(0..bytes.len()));
        assert_eq!(ex.legacy.range(CTX), Some(0..CTX));
        let range = ex.xstate.range(CTX).unwrap();
        assert_eq!(range, x..bytes.len());
        // A chunk pointing before the record is rejected.
        assert_eq!(ex.all.range(CTX - 1), None);

        let area = &bytes[range];
        let (header, rest) = XSaveAreaHeader::ref_from_prefix(area).unwrap();
        assert!(header.has_feature(XSTATE_AVX));
        assert!(header.has_feature(XSTATE_CET_U));
        assert!(!header.has_feature(XSTATE_AVX512_ZMM));
        assert!(!header.has_feature(200));
        assert!(!header.is_compacted());
        let (ymm, rest) = YmmContext::ref_from_prefix(rest).unwrap();
        assert_eq!(ymm.ymm[0].get(), 0x1111);
        let cet = CetUserState::ref_from_bytes(rest).unwrap();
        assert_eq!(cet.ssp(), 0x7ffe_0000_1000);
    }

    #[test]
    fn constants() {
        assert_eq!(CONTEXT_AMD64_FULL, 0x0010_000b);
        assert_eq!(CONTEXT_AMD64_ALL, 0x0010_001f);
        assert_eq!(XSTATE_MASK_CET_U, 0x800);
        assert_eq!(XSTATE_COMPACTION_ENABLE_MASK, 0x8000_0000_0000_0000);
    }
}
