//! Breakpad's `MDRawAssertionInfo` stream (`MD_ASSERTION_INFO_STREAM`,
//! `0x47670002`): the failed check that made a Windows client write a dump
//! from the MSVC CRT's invalid-parameter or pure-virtual-call handler.

use crate::{U16, U32};
use zerocopy::{FromBytes, Immutable, IntoBytes, KnownLayout, Unaligned};

/// [`AssertionInfo::type`]: not known.
pub const ASSERTION_INFO_TYPE_UNKNOWN: u32 = 0;
/// [`AssertionInfo::type`]: the CRT found an invalid argument and called the
/// invalid-parameter handler instead of asserting.
pub const ASSERTION_INFO_TYPE_INVALID_PARAMETER: u32 = 1;
/// [`AssertionInfo::type`]: a pure virtual function was called (an object
/// used during construction or after destruction) and the CRT called the
/// pure-call handler.
pub const ASSERTION_INFO_TYPE_PURE_VIRTUAL_CALL: u32 = 2;

/// Number of UTF-16 code units in each string field of [`AssertionInfo`].
pub const ASSERTION_INFO_STRING_LENGTH: usize = 128;

/// `MDRawAssertionInfo`: the whole assertion info stream.
///
/// The three strings are fixed-size UTF-16 buffers (the stream has no way to
/// point elsewhere), NUL-terminated within the buffer and truncated to fit.
/// Release CRTs pass no details, so they are often empty. The buffers hold
/// 16-bit code units whatever the writer's `wchar_t` size, so the struct is
/// 3 × 256 + 8 = 776 bytes.
///
/// `Default` is not derived (arrays longer than 32); use
/// [`zerocopy::FromZeros::new_zeroed`].
#[derive(FromBytes, IntoBytes, KnownLayout, Immutable, Unaligned, Clone, Copy, Debug, PartialEq, Eq)]
#[repr(C)]
pub struct AssertionInfo {
    /// The expression that failed, as source text.
    pub expression: [U16; ASSERTION_INFO_STRING_LENGTH],
    /// The function it is in.
    pub function: [U16; ASSERTION_INFO_STRING_LENGTH],
    /// The source file it is in.
    pub file: [U16; ASSERTION_INFO_STRING_LENGTH],
    /// The line in [`Self::file`].
    pub line: U32,
    /// An `ASSERTION_INFO_TYPE_*` value.
    pub r#type: U32,
}
const _: () = assert!(core::mem::size_of::<AssertionInfo>() == 776);

#[cfg(test)]
mod tests {
    use super::*;
    use zerocopy::FromZeros;

    fn put_utf16(bytes: &mut [u8], offset: usize, text: &str) {
        for (i, unit) in text.encode_utf16().enumerate() {
            let at = offset + 2 * i;
            bytes[at..at + 2].copy_from_slice(&unit.to_le_bytes());
        }
    }

    #[test]
    fn fields_at_spec_offsets() {
        let mut bytes = [0u8; 776];
        put_utf16(&mut bytes, 0, "p != 0");
        put_utf16(&mut bytes, 256, "memcpy_s");
        put_utf16(&mut bytes, 512, "memcpy.c");
        bytes[768..772].copy_from_slice(&42u32.to_le_bytes());
        bytes[772..776].copy_from_slice(&ASSERTION_INFO_TYPE_INVALID_PARAMETER.to_le_bytes());
        let info = AssertionInfo::ref_from_bytes(&bytes).unwrap();
        assert_eq!(info.expression[0].get(), u16::from(b'p'));
        assert_eq!(info.expression[5].get(), u16::from(b'0'));
        assert_eq!(info.expression[6].get(), 0);
        assert_eq!(info.function[0].get(), u16::from(b'm'));
        assert_eq!(info.function[7].get(), u16::from(b's'));
        assert_eq!(info.file[7].get(), u16::from(b'c'));
        assert_eq!(info.line.get(), 42);
        assert_eq!(info.r#type.get(), ASSERTION_INFO_TYPE_INVALID_PARAMETER);
    }

    #[test]
    fn zeroed_round_trip() {
        let mut info = AssertionInfo::new_zeroed();
        info.r#type.set(ASSERTION_INFO_TYPE_PURE_VIRTUAL_CALL);
        info.line.set(7);
        let bytes = info.as_bytes();
        assert_eq!(bytes.len(), 776);
        assert_eq!(bytes[768..772], 7u32.to_le_bytes());
        assert_eq!(bytes[772..776], 2u32.to_le_bytes());
        assert_eq!(AssertionInfo::ref_from_bytes(bytes).unwrap(), &info);
    }
}
