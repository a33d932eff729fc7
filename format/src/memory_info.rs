//! The MemoryInfoList stream (`MINIDUMP_MEMORY_INFO_LIST`): the process's
//! virtual address space region by region, as `VirtualQueryEx` reported it
//! (state, protection and kind of every region, whether or not its bytes are
//! in the dump).
//!
//! Layout: a [`MemoryInfoListHeader`], then `number_of_entries` entries of
//! `size_of_entry` bytes each, starting `size_of_header` bytes into the
//! stream. Each entry begins with a [`MemoryInfo`].

use crate::{U32, U64};
use zerocopy::{FromBytes, Immutable, IntoBytes, KnownLayout, Unaligned};

/// `MEM_COMMIT` in [`MemoryInfo::state`]: the pages are committed (backed by
/// memory or the page file).
pub const MEM_COMMIT: u32 = 0x1000;
/// `MEM_RESERVE` in [`MemoryInfo::state`]: the addresses are reserved but
/// have no storage.
pub const MEM_RESERVE: u32 = 0x2000;
/// `MEM_FREE` in [`MemoryInfo::state`]: the addresses are unused; the
/// region's allocation base, allocation protection, protection and type are
/// then meaningless.
pub const MEM_FREE: u32 = 0x1_0000;

/// `MEM_PRIVATE` in [`MemoryInfo::type_`]: memory private to the process.
pub const MEM_PRIVATE: u32 = 0x2_0000;
/// `MEM_MAPPED` in [`MemoryInfo::type_`]: a view of a section (a mapped
/// file or shared memory).
pub const MEM_MAPPED: u32 = 0x4_0000;
/// `MEM_IMAGE` in [`MemoryInfo::type_`]: a view of an executable image.
pub const MEM_IMAGE: u32 = 0x100_0000;

/// `PAGE_NOACCESS`: any access faults.
pub const PAGE_NOACCESS: u32 = 0x01;
/// `PAGE_READONLY`: readable only.
pub const PAGE_READONLY: u32 = 0x02;
/// `PAGE_READWRITE`: readable and writable.
pub const PAGE_READWRITE: u32 = 0x04;
/// `PAGE_WRITECOPY`: readable; a write makes a private copy.
pub const PAGE_WRITECOPY: u32 = 0x08;
/// `PAGE_EXECUTE`: executable only.
pub const PAGE_EXECUTE: u32 = 0x10;
/// `PAGE_EXECUTE_READ`: executable and readable.
pub const PAGE_EXECUTE_READ: u32 = 0x20;
/// `PAGE_EXECUTE_READWRITE`: executable, readable and writable.
pub const PAGE_EXECUTE_READWRITE: u32 = 0x40;
/// `PAGE_EXECUTE_WRITECOPY`: executable and readable; a write makes a
/// private copy.
pub const PAGE_EXECUTE_WRITECOPY: u32 = 0x80;
/// `PAGE_GUARD` modifier: the first access raises a guard-page exception
/// (used for stack growth).
pub const PAGE_GUARD: u32 = 0x100;
/// `PAGE_NOCACHE` modifier: the pages are not cached.
pub const PAGE_NOCACHE: u32 = 0x200;
/// `PAGE_WRITECOMBINE` modifier: the pages are write-combined.
pub const PAGE_WRITECOMBINE: u32 = 0x400;
/// Mask of the low byte holding exactly one of the `PAGE_*` access values
/// (Breakpad's `MD_MEMORY_PROTECTION_ACCESS_MASK`); the bits above it are
/// modifiers such as [`PAGE_GUARD`].
pub const MEMORY_PROTECTION_ACCESS_MASK: u32 = 0xff;

/// `MINIDUMP_MEMORY_INFO_LIST`: the header at the start of the stream.
#[derive(FromBytes, IntoBytes, KnownLayout, Immutable, Unaligned, Clone, Copy, Debug, Default, PartialEq, Eq)]
#[repr(C)]
pub struct MemoryInfoListHeader {
    /// Size of this header in bytes (16); the entries start this far into
    /// the stream.
    pub size_of_header: U32,
    /// Size of each entry in bytes (normally 48, the size of [`MemoryInfo`]).
    pub size_of_entry: U32,
    /// Number of entries (64-bit, unlike the other lists).
    pub number_of_entries: U64,
}
const _: () = assert!(core::mem::size_of::<MemoryInfoListHeader>() == 16);

/// `MINIDUMP_MEMORY_INFO`: one region of pages with the same state,
/// protection and type (the fields of `MEMORY_BASIC_INFORMATION64`).
#[derive(FromBytes, IntoBytes, KnownLayout, Immutable, Unaligned, Clone, Copy, Debug, Default, PartialEq, Eq)]
#[repr(C)]
pub struct MemoryInfo {
    /// Address of the first page of the region.
    pub base_address: U64,
    /// Address of the first page of the allocation the region belongs to.
    pub allocation_base: U64,
    /// `PAGE_*` protection the allocation was made with.
    pub allocation_protect: U32,
    /// Padding (`__alignment1`).
    pub alignment1: U32,
    /// Size of the region in bytes.
    pub region_size: U64,
    /// `MEM_COMMIT`, `MEM_RESERVE` or `MEM_FREE`.
    pub state: U32,
    /// Current `PAGE_*` protection of the region (access value plus modifiers).
    pub protect: U32,
    /// `MEM_PRIVATE`, `MEM_MAPPED` or `MEM_IMAGE` (the spec's `Type`).
    pub type_: U32,
    /// Padding (`__alignment2`).
    pub alignment2: U32,
}
const _: () = assert!(core::mem::size_of::<MemoryInfo>() == 48);

#[cfg(test)]
mod tests {
    use super::*;

    fn put_u32(buf: &mut [u8], off: usize, v: u32) {
        buf[off..off + 4].copy_from_slice(&v.to_le_bytes());
    }
    fn put_u64(buf: &mut [u8], off: usize, v: u64) {
        buf[off..off + 8].copy_from_slice(&v.to_le_bytes());
    }

    #[test]
    fn header_then_entry() {
        let mut b = [0u8; 16 + 48];
        put_u32(&mut b, 0, 16);
        put_u32(&mut b, 4, 48);
        put_u64(&mut b, 8, 0x1_0000_0001);
        let e = 16;
        put_u64(&mut b, e, 0x7ff0_0000_1000);
        put_u64(&mut b, e + 8, 0x7ff0_0000_0000);
        put_u32(&mut b, e + 16, PAGE_EXECUTE_WRITECOPY);
        put_u32(&mut b, e + 20, 0xaaaa_aaaa);
        put_u64(&mut b, e + 24, 0x3000);
        put_u32(&mut b, e + 32, MEM_COMMIT);
        put_u32(&mut b, e + 36, PAGE_READWRITE | PAGE_GUARD);
        put_u32(&mut b, e + 40, MEM_IMAGE);
        put_u32(&mut b, e + 44, 0x5555_5555);

        let (h, rest) = MemoryInfoListHeader::ref_from_prefix(&b).unwrap();
        assert_eq!(h.size_of_header.get(), 16);
        assert_eq!(h.size_of_entry.get(), 48);
        assert_eq!(h.number_of_entries.get(), 0x1_0000_0001);
        let m = MemoryInfo::ref_from_bytes(rest).unwrap();
        assert_eq!(m.base_address.get(), 0x7ff0_0000_1000);
        assert_eq!(m.allocation_base.get(), 0x7ff0_0000_0000);
        assert_eq!(m.allocation_protect.get(), PAGE_EXECUTE_WRITECOPY);
        assert_eq!(m.alignment1.get(), 0xaaaa_aaaa);
        assert_eq!(m.region_size.get(), 0x3000);
        assert_eq!(m.state.get(), MEM_COMMIT);
        assert_eq!(m.protect.get() & MEMORY_PROTECTION_ACCESS_MASK, PAGE_READWRITE);
        assert_eq!(m.protect.get() & PAGE_GUARD, PAGE_GUARD);
        assert_eq!(m.type_.get(), MEM_IMAGE);
        assert_eq!(m.alignment2.get(), 0x5555_5555);
    }
}
