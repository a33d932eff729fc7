//! Breakpad's Linux DSO debug stream (`MD_LINUX_DSO_DEBUG`, `0x4767000A`):
//! a copy of the dynamic linker's `r_debug` and its list of loaded objects
//! (`link_map`), which tools need to turn a minidump back into a core file.
//!
//! The stream comes in two widths: Breakpad writes the structs of the word
//! size it was built for, so a 64-bit writer produces [`Debug64`] and
//! [`LinkMap64`], a 32-bit writer [`Debug32`] and [`LinkMap32`]. The stream's
//! size tells them apart (see [`Debug64`] for the layout quirk that makes the
//! 64-bit forms 40 and 24 bytes).

use crate::{U32, U64};
use zerocopy::{FromBytes, Immutable, IntoBytes, KnownLayout, Unaligned};

/// `MDRawLinkMap32`: one loaded object from a 32-bit process's `link_map`
/// list.
#[derive(FromBytes, IntoBytes, KnownLayout, Immutable, Unaligned, Clone, Copy, Debug, Default, PartialEq, Eq)]
#[repr(C)]
pub struct LinkMap32 {
    /// Difference between the addresses in the object's file and in memory
    /// (`l_addr`, its load bias).
    pub addr: U32,
    /// File offset of a `MINIDUMP_STRING` holding the object's path
    /// (`l_name`).
    pub name: U32,
    /// Target address of the object's dynamic section (`l_ld`).
    pub ld: U32,
}
const _: () = assert!(core::mem::size_of::<LinkMap32>() == 12);

/// `MDRawDebug32`: the whole DSO debug stream of a 32-bit process.
///
/// Tail: Breakpad's writer copies the dynamic section at [`Self::dynamic`]
/// (the `_DYNAMIC` array of `Elf32_Dyn`) right after this struct, to the end
/// of the stream.
#[derive(FromBytes, IntoBytes, KnownLayout, Immutable, Unaligned, Clone, Copy, Debug, Default, PartialEq, Eq)]
#[repr(C)]
pub struct Debug32 {
    /// Version of the `r_debug` protocol (`r_version`).
    pub version: U32,
    /// File offset of an array of [`Self::dso_count`] [`LinkMap32`].
    pub map: U32,
    /// Number of entries at [`Self::map`].
    pub dso_count: U32,
    /// Target address the debugger breakpoints to hear of loads and unloads
    /// (`r_brk`).
    pub brk: U32,
    /// Base address the dynamic linker is loaded at (`r_ldbase`).
    pub ldbase: U32,
    /// Target address of the `_DYNAMIC` array (dynamic section) of the
    /// module Breakpad is linked into, normally the main executable.
    pub dynamic: U32,
}
const _: () = assert!(core::mem::size_of::<Debug32>() == 24);

/// `MDRawLinkMap64`: one loaded object from a 64-bit process's `link_map`
/// list.
///
/// Breakpad's header declares this struct without packing and writes it with
/// the compiler's natural layout, so 4 bytes of padding follow
/// [`Self::name`] to put [`Self::ld`] at offset 16; it is 24 bytes, not 20.
#[derive(FromBytes, IntoBytes, KnownLayout, Immutable, Unaligned, Clone, Copy, Debug, Default, PartialEq, Eq)]
#[repr(C)]
pub struct LinkMap64 {
    /// Difference between the addresses in the object's file and in memory
    /// (`l_addr`, its load bias).
    pub addr: U64,
    /// File offset of a `MINIDUMP_STRING` holding the object's path
    /// (`l_name`).
    pub name: U32,
    /// Padding the C layout inserts; 0 as written by Breakpad.
    pub alignment: U32,
    /// Target address of the object's dynamic section (`l_ld`).
    pub ld: U64,
}
const _: () = assert!(core::mem::size_of::<LinkMap64>() == 24);

/// `MDRawDebug64`: the whole DSO debug stream of a 64-bit process.
///
/// As with [`LinkMap64`], the C layout pads 4 bytes after
/// [`Self::dso_count`] so that [`Self::brk`] sits at offset 16; the struct is
/// 40 bytes, not 36.
///
/// Tail: Breakpad's writer copies the dynamic section at [`Self::dynamic`]
/// (the `_DYNAMIC` array of `Elf64_Dyn`) right after this struct, to the end
/// of the stream.
#[derive(FromBytes, IntoBytes, KnownLayout, Immutable, Unaligned, Clone, Copy, Debug, Default, PartialEq, Eq)]
#[repr(C)]
pub struct Debug64 {
    /// Version of the `r_debug` protocol (`r_version`).
    pub version: U32,
    /// File offset of an array of [`Self::dso_count`] [`LinkMap64`].
    pub map: U32,
    /// Number of entries at [`Self::map`].
    pub dso_count: U32,
    /// Padding the C layout inserts; 0 as written by Breakpad.
    pub alignment: U32,
    /// Target address the debugger breakpoints to hear of loads and unloads
    /// (`r_brk`).
    pub brk: U64,
    /// Base address the dynamic linker is loaded at (`r_ldbase`).
    pub ldbase: U64,
    /// Target address of the `_DYNAMIC` array (dynamic section) of the
    /// module Breakpad is linked into, normally the main executable.
    pub dynamic: U64,
}
const _: () = assert!(core::mem::size_of::<Debug64>() == 40);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug32_fields() {
        let mut bytes = [0u8; 24 + 8];
        for (i, value) in [1u32, 0x100, 3, 0x0804_8000, 0xb7f0_0000, 0x0804_9f00].iter().enumerate() {
            bytes[4 * i..4 * i + 4].copy_from_slice(&value.to_le_bytes());
        }
        let (debug, dynamic) = Debug32::ref_from_prefix(&bytes).unwrap();
        assert_eq!(debug.version.get(), 1);
        assert_eq!(debug.map.get(), 0x100);
        assert_eq!(debug.dso_count.get(), 3);
        assert_eq!(debug.brk.get(), 0x0804_8000);
        assert_eq!(debug.ldbase.get(), 0xb7f0_0000);
        assert_eq!(debug.dynamic.get(), 0x0804_9f00);
        assert_eq!(dynamic.len(), 8);
    }

    #[test]
    fn link_map32_fields() {
        let mut bytes = [0u8; 12];
        bytes[0..4].copy_from_slice(&0x1000u32.to_le_bytes());
        bytes[4..8].copy_from_slice(&0x200u32.to_le_bytes());
        bytes[8..12].copy_from_slice(&0x3000u32.to_le_bytes());
        let map = LinkMap32::ref_from_bytes(&bytes).unwrap();
        assert_eq!(map.addr.get(), 0x1000);
        assert_eq!(map.name.get(), 0x200);
        assert_eq!(map.ld.get(), 0x3000);
    }

    #[test]
    fn debug64_fields_after_padding() {
        let mut bytes = [0u8; 40];
        bytes[0..4].copy_from_slice(&1u32.to_le_bytes());
        bytes[4..8].copy_from_slice(&0x400u32.to_le_bytes());
        bytes[8..12].copy_from_slice(&5u32.to_le_bytes());
        bytes[16..24].copy_from_slice(&0x7f00_0000_1000u64.to_le_bytes());
        bytes[24..32].copy_from_slice(&0x7f00_0000_0000u64.to_le_bytes());
        bytes[32..40].copy_from_slice(&0x5555_0000_2000u64.to_le_bytes());
        let debug = Debug64::ref_from_bytes(&bytes).unwrap();
        assert_eq!(debug.version.get(), 1);
        assert_eq!(debug.map.get(), 0x400);
        assert_eq!(debug.dso_count.get(), 5);
        assert_eq!(debug.alignment.get(), 0);
        assert_eq!(debug.brk.get(), 0x7f00_0000_1000);
        assert_eq!(debug.ldbase.get(), 0x7f00_0000_0000);
        assert_eq!(debug.dynamic.get(), 0x5555_0000_2000);
    }

    #[test]
    fn link_map64_array() {
        let mut bytes = [0u8; 48];
        for i in 0..2u64 {
            let at = 24 * i as usize;
            bytes[at..at + 8].copy_from_slice(&(0x1000 * (i + 1)).to_le_bytes());
            bytes[at + 8..at + 12].copy_from_slice(&(0x80u32 + i as u32).to_le_bytes());
            bytes[at + 16..at + 24].copy_from_slice(&(0x9000 + i).to_le_bytes());
        }
        let maps = <[LinkMap64]>::ref_from_bytes(&bytes).unwrap();
        assert_eq!(maps.len(), 2);
        assert_eq!(maps[0].addr.get(), 0x1000);
        assert_eq!(maps[0].name.get(), 0x80);
        assert_eq!(maps[0].ld.get(), 0x9000);
        assert_eq!(maps[1].addr.get(), 0x2000);
        assert_eq!(maps[1].name.get(), 0x81);
        assert_eq!(maps[1].ld.get(), 0x9001);
    }
}
