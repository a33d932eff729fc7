//! Breakpad's `MDRawBreakpadInfo` stream (`MD_BREAKPAD_INFO_STREAM`,
//! `0x47670001`): which threads wrote and asked for the dump.

use crate::U32;
use zerocopy::{FromBytes, Immutable, IntoBytes, KnownLayout, Unaligned};

/// [`BreakpadInfo::validity`] bit: [`BreakpadInfo::dump_thread_id`] holds a
/// thread id.
pub const BREAKPAD_INFO_VALID_DUMP_THREAD_ID: u32 = 1 << 0;
/// [`BreakpadInfo::validity`] bit: [`BreakpadInfo::requesting_thread_id`]
/// holds a thread id.
pub const BREAKPAD_INFO_VALID_REQUESTING_THREAD_ID: u32 = 1 << 1;

/// `MDRawBreakpadInfo`: the whole Breakpad info stream.
///
/// Lets a processor tell the handler thread (which wrote the dump and whose
/// stack is not interesting) from the thread that crashed or asked for the
/// dump.
#[derive(FromBytes, IntoBytes, KnownLayout, Immutable, Unaligned, Clone, Copy, Debug, Default, PartialEq, Eq)]
#[repr(C)]
pub struct BreakpadInfo {
    /// `BREAKPAD_INFO_VALID_*` bits saying which of the other fields mean
    /// something.
    pub validity: U32,
    /// Id of the thread that wrote the dump, when it is one of the dump's
    /// threads; 0 (and its validity bit clear) otherwise.
    pub dump_thread_id: U32,
    /// Id of the thread that caused the dump: the one that took the
    /// exception, or the one that asked for a dump without crashing. 0 (and
    /// its validity bit clear) when the request came from outside the dump's
    /// threads.
    pub requesting_thread_id: U32,
}
const _: () = assert!(core::mem::size_of::<BreakpadInfo>() == 12);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_at_spec_offsets() {
        let mut bytes = [0u8; 12];
        bytes[0..4].copy_from_slice(&3u32.to_le_bytes());
        bytes[4..8].copy_from_slice(&0x1111u32.to_le_bytes());
        bytes[8..12].copy_from_slice(&0x2222u32.to_le_bytes());
        let info = BreakpadInfo::ref_from_bytes(&bytes).unwrap();
        assert_eq!(info.validity.get(), BREAKPAD_INFO_VALID_DUMP_THREAD_ID | BREAKPAD_INFO_VALID_REQUESTING_THREAD_ID);
        assert_eq!(info.dump_thread_id.get(), 0x1111);
        assert_eq!(info.requesting_thread_id.get(), 0x2222);
        assert_eq!(info.as_bytes(), &bytes);
    }

    #[test]
    fn wrong_length_is_rejected() {
        assert!(BreakpadInfo::ref_from_bytes(&[0u8; 11]).is_err());
    }
}
