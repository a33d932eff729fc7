//! The FunctionTable stream (`MINIDUMP_FUNCTION_TABLE_STREAM`): function
//! tables registered at run time (e.g. with `RtlAddFunctionTable` by JIT
//! compilers), whose unwind data lives outside any module's image.
//!
//! Layout: a [`FunctionTableStreamHeader`] (`size_of_header` bytes), then
//! `size_of_align_pad` bytes of padding, then `number_of_descriptors`
//! tables. Each table is a [`FunctionTableDescriptor`] (`size_of_descriptor`
//! bytes), then the OS's own descriptor of the table
//! (`size_of_native_descriptor` bytes), then `entry_count` raw function
//! entries (`size_of_function_entry` bytes each, e.g. x64
//! `RUNTIME_FUNCTION`s), then the descriptor's `size_of_align_pad` bytes of
//! padding. The native formats depend on the writing platform.

use crate::{U32, U64};
use zerocopy::{FromBytes, Immutable, IntoBytes, KnownLayout, Unaligned};

/// `MINIDUMP_FUNCTION_TABLE_STREAM`: the header at the start of the stream.
#[derive(FromBytes, IntoBytes, KnownLayout, Immutable, Unaligned, Clone, Copy, Debug, Default, PartialEq, Eq)]
#[repr(C)]
pub struct FunctionTableStreamHeader {
    /// Size of this header in bytes (24).
    pub size_of_header: U32,
    /// Size of each [`FunctionTableDescriptor`] in bytes (32).
    pub size_of_descriptor: U32,
    /// Size of the OS's descriptor that follows each generic descriptor;
    /// depends on the writing platform.
    pub size_of_native_descriptor: U32,
    /// Size of one raw function table entry; depends on the writing platform.
    pub size_of_function_entry: U32,
    /// Number of tables in the stream.
    pub number_of_descriptors: U32,
    /// Bytes of padding after this header, before the first table.
    pub size_of_align_pad: U32,
}
const _: () = assert!(core::mem::size_of::<FunctionTableStreamHeader>() == 24);

/// `MINIDUMP_FUNCTION_TABLE_DESCRIPTOR`: the generic description of one
/// function table.
#[derive(FromBytes, IntoBytes, KnownLayout, Immutable, Unaligned, Clone, Copy, Debug, Default, PartialEq, Eq)]
#[repr(C)]
pub struct FunctionTableDescriptor {
    /// Lowest address of the functions the table covers.
    pub minimum_address: U64,
    /// Highest address of the functions the table covers.
    pub maximum_address: U64,
    /// Base that the entries' relative addresses are added to.
    pub base_address: U64,
    /// Number of function entries after the native descriptor.
    pub entry_count: U32,
    /// Bytes of padding after this table's entries, before the next table.
    pub size_of_align_pad: U32,
}
const _: () = assert!(core::mem::size_of::<FunctionTableDescriptor>() == 32);

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
    fn header_then_descriptor() {
        let mut b = [0u8; 24 + 32];
        put_u32(&mut b, 0, 24);
        put_u32(&mut b, 4, 32);
        put_u32(&mut b, 8, 40);
        put_u32(&mut b, 12, 12);
        put_u32(&mut b, 16, 1);
        put_u32(&mut b, 20, 0);
        put_u64(&mut b, 24, 0x1000);
        put_u64(&mut b, 32, 0x1fff);
        put_u64(&mut b, 40, 0x800);
        put_u32(&mut b, 48, 3);
        put_u32(&mut b, 52, 4);

        let (h, rest) = FunctionTableStreamHeader::ref_from_prefix(&b).unwrap();
        assert_eq!(h.size_of_header.get(), 24);
        assert_eq!(h.size_of_descriptor.get(), 32);
        assert_eq!(h.size_of_native_descriptor.get(), 40);
        assert_eq!(h.size_of_function_entry.get(), 12);
        assert_eq!(h.number_of_descriptors.get(), 1);
        assert_eq!(h.size_of_align_pad.get(), 0);
        let d = FunctionTableDescriptor::ref_from_bytes(rest).unwrap();
        assert_eq!(d.minimum_address.get(), 0x1000);
        assert_eq!(d.maximum_address.get(), 0x1fff);
        assert_eq!(d.base_address.get(), 0x800);
        assert_eq!(d.entry_count.get(), 3);
        assert_eq!(d.size_of_align_pad.get(), 4);
    }
}
