//! The Token stream (`MINIDUMP_TOKEN_INFO_LIST`): security tokens of the
//! process and its threads, written when the dump type includes
//! `MiniDumpWithTokenInformation`.
//!
//! Layout: a [`TokenInfoListHeader`], then `token_list_entries` entries
//! starting `list_header_size` bytes into the stream. Each entry is a
//! [`TokenInfoHeader`] (`element_header_size` bytes) followed by the token's
//! data. `token_size` is the size of the whole entry, header included, so
//! the next entry starts `token_size` bytes after this one (Microsoft's
//! documentation does not spell this out; it is how existing dump readers
//! walk the list). The data is the raw token information the OS returned
//! and is not documented further.

use crate::{U32, U64};
use zerocopy::{FromBytes, Immutable, IntoBytes, KnownLayout, Unaligned};

/// `MINIDUMP_TOKEN_INFO_LIST`: the header at the start of the stream.
#[derive(FromBytes, IntoBytes, KnownLayout, Immutable, Unaligned, Clone, Copy, Debug, Default, PartialEq, Eq)]
#[repr(C)]
pub struct TokenInfoListHeader {
    /// Size in bytes of the whole list: this header and every entry.
    pub token_list_size: U32,
    /// Number of entries.
    pub token_list_entries: U32,
    /// Size of this header in bytes (16); the first entry starts this far
    /// into the stream.
    pub list_header_size: U32,
    /// Size of each entry's [`TokenInfoHeader`] in bytes (16).
    pub element_header_size: U32,
}
const _: () = assert!(core::mem::size_of::<TokenInfoListHeader>() == 16);

/// `MINIDUMP_TOKEN_INFO_HEADER`: the start of one token entry.
#[derive(FromBytes, IntoBytes, KnownLayout, Immutable, Unaligned, Clone, Copy, Debug, Default, PartialEq, Eq)]
#[repr(C)]
pub struct TokenInfoHeader {
    /// Size of the entry in bytes, this header included.
    pub token_size: U32,
    /// Identifier the writer gave the token (documented only as "token id").
    pub token_id: U32,
    /// The handle value of the token in the dumped process.
    pub token_handle: U64,
}
const _: () = assert!(core::mem::size_of::<TokenInfoHeader>() == 16);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_then_entry() {
        let mut b = [0u8; 16 + 16 + 4];
        b[0..4].copy_from_slice(&36u32.to_le_bytes());
        b[4..8].copy_from_slice(&1u32.to_le_bytes());
        b[8..12].copy_from_slice(&16u32.to_le_bytes());
        b[12..16].copy_from_slice(&16u32.to_le_bytes());
        b[16..20].copy_from_slice(&20u32.to_le_bytes());
        b[20..24].copy_from_slice(&0x99u32.to_le_bytes());
        b[24..32].copy_from_slice(&0x1_0000_0abcu64.to_le_bytes());
        b[32..36].copy_from_slice(b"data");

        let (h, rest) = TokenInfoListHeader::ref_from_prefix(&b).unwrap();
        assert_eq!(h.token_list_size.get(), 36);
        assert_eq!(h.token_list_entries.get(), 1);
        assert_eq!(h.list_header_size.get(), 16);
        assert_eq!(h.element_header_size.get(), 16);
        let (t, data) = TokenInfoHeader::ref_from_prefix(rest).unwrap();
        assert_eq!(t.token_size.get(), 20);
        assert_eq!(t.token_id.get(), 0x99);
        assert_eq!(t.token_handle.get(), 0x1_0000_0abc);
        assert_eq!(data, b"data");
    }
}
