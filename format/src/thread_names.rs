//! The ThreadNames stream (`MINIDUMP_THREAD_NAME_LIST`): names given to
//! threads with `SetThreadDescription`.
//!
//! Layout: a [`ThreadNameListHeader`] (a 32-bit count) followed directly by
//! that many [`ThreadName`] entries of 12 bytes each. Each entry points with
//! a 64-bit file offset at a `MINIDUMP_STRING` (32-bit byte length, then
//! UTF-16) elsewhere in the file.

use crate::{U32, U64};
use zerocopy::{FromBytes, Immutable, IntoBytes, KnownLayout, Unaligned};

/// The fixed part of `MINIDUMP_THREAD_NAME_LIST`: the number of entries that
/// follow.
#[derive(FromBytes, IntoBytes, KnownLayout, Immutable, Unaligned, Clone, Copy, Debug, Default, PartialEq, Eq)]
#[repr(C)]
pub struct ThreadNameListHeader {
    /// Number of [`ThreadName`] entries following this header.
    pub number_of_thread_names: U32,
}
const _: () = assert!(core::mem::size_of::<ThreadNameListHeader>() == 4);

/// `MINIDUMP_THREAD_NAME`: the name of one thread. With Microsoft's 4-byte
/// packing the 64-bit offset sits at offset 4, so entries are 12 bytes, not 16.
#[derive(FromBytes, IntoBytes, KnownLayout, Immutable, Unaligned, Clone, Copy, Debug, Default, PartialEq, Eq)]
#[repr(C)]
pub struct ThreadName {
    /// Id of the thread (matches a ThreadList entry's id).
    pub thread_id: U32,
    /// File offset (`RVA64`) of the name, a `MINIDUMP_STRING`.
    pub rva_of_thread_name: U64,
}
const _: () = assert!(core::mem::size_of::<ThreadName>() == 12);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn list_of_two() {
        let mut b = [0u8; 4 + 2 * 12];
        b[0..4].copy_from_slice(&2u32.to_le_bytes());
        b[4..8].copy_from_slice(&0x10u32.to_le_bytes());
        b[8..16].copy_from_slice(&0x1_0000_0200u64.to_le_bytes());
        b[16..20].copy_from_slice(&0x20u32.to_le_bytes());
        b[20..28].copy_from_slice(&0x300u64.to_le_bytes());

        let (h, rest) = ThreadNameListHeader::ref_from_prefix(&b).unwrap();
        assert_eq!(h.number_of_thread_names.get(), 2);
        let names = <[ThreadName]>::ref_from_bytes(rest).unwrap();
        assert_eq!(names.len(), 2);
        assert_eq!(names[0].thread_id.get(), 0x10);
        assert_eq!(names[0].rva_of_thread_name.get(), 0x1_0000_0200);
        assert_eq!(names[1].thread_id.get(), 0x20);
        assert_eq!(names[1].rva_of_thread_name.get(), 0x300);
    }
}
