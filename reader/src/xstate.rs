//! The AMD64 extended processor state (XSAVE: AVX, AVX-512, CET, ...) that
//! Windows and Crashpad store after a `CONTEXT` whose flags carry
//! `CONTEXT_XSTATE`.
//!
//! Layout: the 1232-byte `CONTEXT`, then a 24-byte `CONTEXT_EX` whose chunks
//! locate (relative to the `CONTEXT_EX`) the XSAVE area; that area starts with
//! the 64-byte `XSAVE_AREA_HEADER` (the 512-byte legacy region is the
//! `CONTEXT`'s own FXSAVE area and is not repeated). Where each component
//! lies depends on the format: in the standard format, at the offset the
//! CPU reports (the MiscInfo stream's XSTATE configuration gives it, minus
//! the 512 legacy bytes); in the compacted format (`XSAVEC`/`XSAVES`, bit 63
//! of the compaction mask), components present in the compaction mask are
//! packed in index order right after the header.

use crate::bytes::Bytes;
use crate::error::{Error, ErrorKind, Result};
use crate::minidump::Minidump;
use crate::misc_info::MiscInfo;
use mdump_format::context::amd64::*;
use mdump_format::context::ContextKind;
use mdump_format::LocationDescriptor;

/// Bytes of the legacy FXSAVE region that the XSAVE offsets count but the
/// stored area leaves out.
const LEGACY_BYTES: u32 = 512;

/// Architectural sizes of the components a reader most wants, for dumps
/// without an XSTATE configuration in MiscInfo.
fn default_size(feature: u32) -> Option<u32> {
    match feature {
        XSTATE_AVX => Some(256),
        XSTATE_MPX_BNDREGS => Some(64),
        XSTATE_MPX_BNDCSR => Some(64),
        XSTATE_AVX512_KMASK => Some(64),
        XSTATE_AVX512_ZMM_H => Some(512),
        XSTATE_AVX512_ZMM => Some(1024),
        XSTATE_CET_U => Some(16),
        _ => None,
    }
}

/// Standard-format offsets (from the start of the full XSAVE image) of the
/// components whose offsets are architectural on every x86-64 CPU.
fn default_offset(feature: u32) -> Option<u32> {
    match feature {
        XSTATE_AVX => Some(576),
        XSTATE_MPX_BNDREGS => Some(960),
        XSTATE_MPX_BNDCSR => Some(1024),
        XSTATE_AVX512_KMASK => Some(1088),
        XSTATE_AVX512_ZMM_H => Some(1152),
        XSTATE_AVX512_ZMM => Some(1664),
        _ => None,
    }
}

/// An AMD64 context's extended state.
#[derive(Clone, Copy, Debug)]
pub struct XState<'a> {
    /// The `CONTEXT_EX` header.
    pub context_ex: &'a ContextEx,
    /// The XSAVE area header.
    pub header: &'a XSaveAreaHeader,
    /// The XSAVE area, header included.
    pub area: Bytes<'a>,
    misc: Option<MiscInfo<'a>>,
}

impl<'a> XState<'a> {
    /// Reads the extended state of the context in `bytes`, if it has one:
    /// `Ok(None)` for a plain 1232-byte context or one without
    /// `CONTEXT_XSTATE`.
    pub fn read(bytes: Bytes<'a>, misc: Option<MiscInfo<'a>>) -> Result<Option<XState<'a>>> {
        let base = ContextKind::Amd64.size() as u64;
        let ctx: &ContextAmd64 = bytes.read(0)?;
        if ctx.context_flags.get() & CONTEXT_AMD64_XSTATE != CONTEXT_AMD64_XSTATE || bytes.len() as u64 <= base {
            return Ok(None);
        }
        let context_ex: &ContextEx = bytes.read(base)?;
        let range = context_ex.xstate.range(base as usize).ok_or_else(|| {
            Error::new(ErrorKind::Malformed("CONTEXT_EX XState chunk before the context"), bytes.base() + base)
        })?;
        let area = bytes.sub(range.start as u64, range.len() as u64)?;
        let header: &XSaveAreaHeader = area.read(0)?;
        Ok(Some(XState { context_ex, header, area, misc }))
    }

    /// Whether component `feature` (an `XSTATE_*` index) was saved.
    pub fn has(&self, feature: u32) -> bool {
        self.header.has_feature(feature)
    }

    fn size_of(&self, feature: u32) -> Option<u32> {
        self.misc
            .and_then(|m| m.xstate_features().find(|(i, _)| *i == feature).map(|(_, f)| f.size.get()))
            .filter(|&s| s != 0)
            .or_else(|| default_size(feature))
    }

    /// The bytes of component `feature`, if it was saved and can be located.
    pub fn component(&self, feature: u32) -> Option<&'a [u8]> {
        if feature < 2 || !self.has(feature) {
            return None;
        }
        let size = self.size_of(feature)?;
        let offset = if self.header.is_compacted() {
            let present = self.header.compaction_mask.get();
            let mut at = 64u32;
            for i in 2..feature {
                if present & (1 << i) != 0 {
                    at = at.checked_add(self.size_of(i)?)?;
                }
            }
            at
        } else {
            let standard = self
                .misc
                .and_then(|m| m.xstate_features().find(|(i, _)| *i == feature).map(|(_, f)| f.offset.get()))
                .filter(|&o| o != 0)
                .or_else(|| default_offset(feature))?;
            standard.checked_sub(LEGACY_BYTES)?
        };
        self.area.sub(offset.into(), size.into()).ok().map(|b| b.as_slice())
    }

    /// The upper halves of YMM0-YMM15 (AVX).
    pub fn ymm_upper(&self) -> Option<&'a YmmContext> {
        let bytes = self.component(XSTATE_AVX)?;
        zerocopy::FromBytes::ref_from_bytes(bytes).ok()
    }

    /// The user-mode CET state (shadow stack pointer).
    pub fn cet_u(&self) -> Option<&'a XSaveCetUFormat> {
        let bytes = self.component(XSTATE_CET_U)?;
        zerocopy::FromBytes::ref_from_bytes(bytes).ok()
    }
}

impl<'a> Minidump<'a> {
    /// The extended state of the AMD64 context at `location`, if any.
    pub fn xstate(&self, location: &LocationDescriptor) -> Result<Option<XState<'a>>> {
        let bytes = self.location(location)?;
        if crate::context::identify(bytes, None).ok() != Some(ContextKind::Amd64) {
            return Ok(None);
        }
        let misc = self.stream::<MiscInfo>().ok().flatten();
        XState::read(bytes, misc)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A CONTEXT with CONTEXT_XSTATE, a CONTEXT_EX, and a compacted XSAVE area
    /// holding only CET_U (what Crashpad writes).
    fn context_with_cet(ssp: u64) -> Vec<u8> {
        let mut c = vec![0u8; 1232];
        c[0x30..0x34].copy_from_slice(&(0x0010_000b | 0x40u32).to_le_bytes());
        // CONTEXT_EX at 1232: all, legacy, xstate chunks.
        let area_off = 1232 + 24;
        let mut ex = Vec::new();
        ex.extend_from_slice(&(-1232i32).to_le_bytes());
        ex.extend_from_slice(&((area_off + 64 + 16) as u32).to_le_bytes());
        ex.extend_from_slice(&(-1232i32).to_le_bytes());
        ex.extend_from_slice(&1232u32.to_le_bytes());
        ex.extend_from_slice(&24i32.to_le_bytes());
        ex.extend_from_slice(&(64u32 + 16).to_le_bytes());
        c.extend_from_slice(&ex);
        let mut header = [0u8; 64];
        header[0..8].copy_from_slice(&(1u64 << 11).to_le_bytes());
        header[8..16].copy_from_slice(&((1u64 << 63) | (1 << 11)).to_le_bytes());
        c.extend_from_slice(&header);
        // IA32_U_CET, then IA32_PL3_SSP.
        c.extend_from_slice(&1u64.to_le_bytes());
        c.extend_from_slice(&ssp.to_le_bytes());
        c
    }

    #[test]
    fn cet_shadow_stack_pointer_from_a_compacted_area() {
        let c = context_with_cet(0x7ffe_1234_5000);
        let x = XState::read(Bytes::new(&c), None).unwrap().unwrap();
        assert!(x.has(XSTATE_CET_U));
        assert!(x.header.is_compacted());
        assert_eq!(x.cet_u().unwrap().ssp(), 0x7ffe_1234_5000);
        assert!(x.ymm_upper().is_none());
    }

    #[test]
    fn plain_context_has_no_xstate_and_bad_chunks_are_errors() {
        let mut c = vec![0u8; 1232];
        c[0x30..0x34].copy_from_slice(&0x0010_000bu32.to_le_bytes());
        assert!(XState::read(Bytes::new(&c), None).unwrap().is_none());
        let mut c = context_with_cet(1);
        // XState chunk pointing before the context.
        c[1232 + 16..1232 + 20].copy_from_slice(&(-5000i32).to_le_bytes());
        assert!(XState::read(Bytes::new(&c), None).is_err());
        let mut c = context_with_cet(1);
        // XState chunk longer than the record.
        c[1232 + 20..1232 + 24].copy_from_slice(&u32::MAX.to_le_bytes());
        assert!(XState::read(Bytes::new(&c), None).is_err());
    }

    #[test]
    fn standard_format_avx_at_its_architectural_offset() {
        let mut c = context_with_cet(0);
        let area = 1232 + 24;
        c.truncate(area);
        let mut header = [0u8; 64];
        header[0..8].copy_from_slice(&(1u64 << 2).to_le_bytes());
        c.extend_from_slice(&header);
        c.extend_from_slice(&[0xab; 256]);
        c[1232 + 20..1232 + 24].copy_from_slice(&(64u32 + 256).to_le_bytes());
        let x = XState::read(Bytes::new(&c), None).unwrap().unwrap();
        assert_eq!(x.component(XSTATE_AVX).unwrap(), &[0xab; 256][..]);
        assert!(x.ymm_upper().is_some());
        assert!(x.cet_u().is_none());
    }
}
