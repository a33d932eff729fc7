//! The UnloadedModuleList stream (`MINIDUMP_UNLOADED_MODULE_LIST`): modules
//! the process had loaded and then unloaded, as far as the OS remembers
//! them (a small ring of recent unloads). Useful when a crash address lies in
//! code that is no longer mapped.
//!
//! Layout: an [`UnloadedModuleListHeader`], then `number_of_entries` entries
//! of `size_of_entry` bytes each, starting `size_of_header` bytes into the
//! stream. Each entry begins with an [`UnloadedModule`].

use crate::{U32, U64};
use zerocopy::{FromBytes, Immutable, IntoBytes, KnownLayout, Unaligned};

/// `MINIDUMP_UNLOADED_MODULE_LIST`: the header at the start of the stream.
#[derive(FromBytes, IntoBytes, KnownLayout, Immutable, Unaligned, Clone, Copy, Debug, Default, PartialEq, Eq)]
#[repr(C)]
pub struct UnloadedModuleListHeader {
    /// Size of this header in bytes (12); the entries start this far into
    /// the stream.
    pub size_of_header: U32,
    /// Size of each entry in bytes (normally 24, the size of
    /// [`UnloadedModule`]).
    pub size_of_entry: U32,
    /// Number of entries.
    pub number_of_entries: U32,
}
const _: () = assert!(core::mem::size_of::<UnloadedModuleListHeader>() == 12);

/// `MINIDUMP_UNLOADED_MODULE`: one module that is no longer loaded. Like the
/// first fields of `MINIDUMP_MODULE`, without version or debug records.
#[derive(FromBytes, IntoBytes, KnownLayout, Immutable, Unaligned, Clone, Copy, Debug, Default, PartialEq, Eq)]
#[repr(C)]
pub struct UnloadedModule {
    /// Address the image was loaded at.
    pub base_of_image: U64,
    /// Size of the image in memory, in bytes.
    pub size_of_image: U32,
    /// Checksum from the image's PE header (often 0).
    pub checksum: U32,
    /// Link timestamp from the image's PE header (seconds since the Unix
    /// epoch).
    pub time_date_stamp: U32,
    /// File offset of the module's name, a `MINIDUMP_STRING`.
    pub module_name_rva: U32,
}
const _: () = assert!(core::mem::size_of::<UnloadedModule>() == 24);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_then_entry() {
        let mut b = [0u8; 12 + 24];
        b[0..4].copy_from_slice(&12u32.to_le_bytes());
        b[4..8].copy_from_slice(&24u32.to_le_bytes());
        b[8..12].copy_from_slice(&1u32.to_le_bytes());
        b[12..20].copy_from_slice(&0x7ffa_0000_0000u64.to_le_bytes());
        b[20..24].copy_from_slice(&0x2_0000u32.to_le_bytes());
        b[24..28].copy_from_slice(&0xabcdu32.to_le_bytes());
        b[28..32].copy_from_slice(&0x5f00_0000u32.to_le_bytes());
        b[32..36].copy_from_slice(&0x400u32.to_le_bytes());

        let (h, rest) = UnloadedModuleListHeader::ref_from_prefix(&b).unwrap();
        assert_eq!(h.size_of_header.get(), 12);
        assert_eq!(h.size_of_entry.get(), 24);
        assert_eq!(h.number_of_entries.get(), 1);
        let m = UnloadedModule::ref_from_bytes(rest).unwrap();
        assert_eq!(m.base_of_image.get(), 0x7ffa_0000_0000);
        assert_eq!(m.size_of_image.get(), 0x2_0000);
        assert_eq!(m.checksum.get(), 0xabcd);
        assert_eq!(m.time_date_stamp.get(), 0x5f00_0000);
        assert_eq!(m.module_name_rva.get(), 0x400);
    }
}
