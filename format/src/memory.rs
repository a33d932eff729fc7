//! The MemoryList and Memory64List streams.
//!
//! MemoryList is a `u32` count and that many
//! [`MemoryDescriptor`](crate::MemoryDescriptor)s, each with its own RVA.
//! Memory64List is a [`Memory64ListHeader`] and that many
//! [`MemoryDescriptor64`](crate::MemoryDescriptor64)s whose bytes lie back to
//! back from `base_rva` on, which is how full-memory dumps exceed 4 GiB.

use crate::U64;
use zerocopy::{FromBytes, Immutable, IntoBytes, KnownLayout, Unaligned};

/// The fixed part of `MINIDUMP_MEMORY64_LIST`.
#[derive(FromBytes, IntoBytes, KnownLayout, Immutable, Unaligned, Clone, Copy, Debug, Default, PartialEq, Eq)]
#[repr(C)]
pub struct Memory64ListHeader {
    /// Number of descriptors that follow.
    pub number_of_memory_ranges: U64,
    /// File offset of the first range's bytes.
    pub base_rva: U64,
}
const _: () = assert!(core::mem::size_of::<Memory64ListHeader>() == 16);
