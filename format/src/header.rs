//! `MINIDUMP_HEADER`, `MINIDUMP_DIRECTORY` and the location descriptors that
//! every other structure uses to point into the file.

use crate::{U32, U64};
use zerocopy::{FromBytes, Immutable, IntoBytes, KnownLayout, Unaligned};

/// `MINIDUMP_SIGNATURE`: the bytes `MDMP` read as a little-endian `u32`.
pub const MINIDUMP_SIGNATURE: u32 = 0x504d_444d;
/// `MINIDUMP_VERSION`: the low 16 bits of [`MinidumpHeader::version`]. The
/// high 16 bits are implementation specific (dbghelp writes its build).
pub const MINIDUMP_VERSION: u32 = 0xa793;

/// `MINIDUMP_HEADER`, at offset 0 of every minidump.
#[derive(FromBytes, IntoBytes, KnownLayout, Immutable, Unaligned, Clone, Copy, Debug, Default, PartialEq, Eq)]
#[repr(C)]
pub struct MinidumpHeader {
    /// [`MINIDUMP_SIGNATURE`].
    pub signature: U32,
    /// [`MINIDUMP_VERSION`] in the low 16 bits.
    pub version: U32,
    /// Number of entries in the stream directory.
    pub stream_count: U32,
    /// File offset of the stream directory.
    pub stream_directory_rva: U32,
    /// Checksum of the file; 0 when not computed (always, in practice).
    pub checksum: U32,
    /// Seconds since the Unix epoch when the dump was written.
    pub time_date_stamp: U32,
    /// `MINIDUMP_TYPE` flags the writer was asked for.
    pub flags: U64,
}
const _: () = assert!(core::mem::size_of::<MinidumpHeader>() == 32);

/// `MINIDUMP_LOCATION_DESCRIPTOR`: a 32-bit size and file offset.
#[derive(FromBytes, IntoBytes, KnownLayout, Immutable, Unaligned, Clone, Copy, Debug, Default, PartialEq, Eq)]
#[repr(C)]
pub struct LocationDescriptor {
    /// Size in bytes.
    pub data_size: U32,
    /// File offset ("relative virtual address" from the start of the file).
    pub rva: U32,
}
const _: () = assert!(core::mem::size_of::<LocationDescriptor>() == 8);

/// `MINIDUMP_LOCATION_DESCRIPTOR64`: a 64-bit size and file offset.
#[derive(FromBytes, IntoBytes, KnownLayout, Immutable, Unaligned, Clone, Copy, Debug, Default, PartialEq, Eq)]
#[repr(C)]
pub struct LocationDescriptor64 {
    /// Size in bytes.
    pub data_size: U64,
    /// File offset.
    pub rva: U64,
}
const _: () = assert!(core::mem::size_of::<LocationDescriptor64>() == 16);

/// `MINIDUMP_DIRECTORY`: one entry of the stream directory.
#[derive(FromBytes, IntoBytes, KnownLayout, Immutable, Unaligned, Clone, Copy, Debug, Default, PartialEq, Eq)]
#[repr(C)]
pub struct MinidumpDirectory {
    /// A [`crate::StreamType`] value.
    pub stream_type: U32,
    /// Where the stream's bytes are.
    pub location: LocationDescriptor,
}
const _: () = assert!(core::mem::size_of::<MinidumpDirectory>() == 12);

/// `MINIDUMP_MEMORY_DESCRIPTOR`: a range of the target's memory and where its
/// bytes are in the file (MemoryList, thread stacks, the exception's memory).
#[derive(FromBytes, IntoBytes, KnownLayout, Immutable, Unaligned, Clone, Copy, Debug, Default, PartialEq, Eq)]
#[repr(C)]
pub struct MemoryDescriptor {
    /// Target address of the first byte.
    pub start_of_memory_range: U64,
    /// Size and file offset of the bytes.
    pub memory: LocationDescriptor,
}
const _: () = assert!(core::mem::size_of::<MemoryDescriptor>() == 16);

/// `MINIDUMP_MEMORY_DESCRIPTOR64`: a range in a Memory64List; its bytes follow
/// the previous range's bytes from the list's base RVA on.
#[derive(FromBytes, IntoBytes, KnownLayout, Immutable, Unaligned, Clone, Copy, Debug, Default, PartialEq, Eq)]
#[repr(C)]
pub struct MemoryDescriptor64 {
    /// Target address of the first byte.
    pub start_of_memory_range: U64,
    /// Number of bytes.
    pub data_size: U64,
}
const _: () = assert!(core::mem::size_of::<MemoryDescriptor64>() == 16);
