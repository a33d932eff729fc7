//! The HandleData stream (`MINIDUMP_HANDLE_DATA_STREAM`): the kernel handles
//! the process had open, with type and object names and, in the newer
//! descriptor, a chain of object-specific information.
//!
//! Layout: a [`HandleDataStreamHeader`], then `number_of_descriptors`
//! descriptors of `size_of_descriptor` bytes each, starting
//! `size_of_header` bytes into the stream. A descriptor is a
//! [`HandleDescriptor`] (32 bytes) or, when `size_of_descriptor` is 40 or
//! more, a [`HandleDescriptor2`]. Names are `MINIDUMP_STRING`s elsewhere in
//! the file. A `HandleDescriptor2::object_info_rva` points at a linked list
//! of [`HandleObjectInformation`] headers, each followed by `size_of_info`
//! bytes whose format depends on `info_type` (one of the `MINI_*`
//! constants) and on the OS; Microsoft does not document those formats.

use crate::{U32, U64};
use zerocopy::{FromBytes, Immutable, IntoBytes, KnownLayout, Unaligned};

/// `MiniHandleObjectInformationNone`: no object-specific information.
pub const MINI_HANDLE_OBJECT_INFORMATION_NONE: u32 = 0;
/// `MiniThreadInformation1`: information about a thread object.
pub const MINI_THREAD_INFORMATION1: u32 = 1;
/// `MiniMutantInformation1`: information about a mutant (mutex) object.
pub const MINI_MUTANT_INFORMATION1: u32 = 2;
/// `MiniMutantInformation2`: more information about a mutant object.
pub const MINI_MUTANT_INFORMATION2: u32 = 3;
/// `MiniProcessInformation1`: information about a process object.
pub const MINI_PROCESS_INFORMATION1: u32 = 4;
/// `MiniProcessInformation2`: more information about a process object.
pub const MINI_PROCESS_INFORMATION2: u32 = 5;
/// `MiniEventInformation1`: information about an event object.
pub const MINI_EVENT_INFORMATION1: u32 = 6;
/// `MiniSectionInformation1`: information about a section object.
pub const MINI_SECTION_INFORMATION1: u32 = 7;
/// `MiniSemaphoreInformation1`: information about a semaphore object.
pub const MINI_SEMAPHORE_INFORMATION1: u32 = 8;
/// `MiniHandleObjectInformationTypeMax`: one past the last known type.
pub const MINI_HANDLE_OBJECT_INFORMATION_TYPE_MAX: u32 = 9;

/// `MINIDUMP_HANDLE_DATA_STREAM`: the header at the start of the stream.
#[derive(FromBytes, IntoBytes, KnownLayout, Immutable, Unaligned, Clone, Copy, Debug, Default, PartialEq, Eq)]
#[repr(C)]
pub struct HandleDataStreamHeader {
    /// Size of this header in bytes (16); the descriptors start this far
    /// into the stream.
    pub size_of_header: U32,
    /// Size of each descriptor: 32 ([`HandleDescriptor`]) or 40
    /// ([`HandleDescriptor2`]).
    pub size_of_descriptor: U32,
    /// Number of descriptors.
    pub number_of_descriptors: U32,
    /// Reserved, zero.
    pub reserved: U32,
}
const _: () = assert!(core::mem::size_of::<HandleDataStreamHeader>() == 16);

/// `MINIDUMP_HANDLE_DESCRIPTOR`: one open handle. Apart from the names, the
/// meaning of the counts and masks depends on the object type and the OS.
#[derive(FromBytes, IntoBytes, KnownLayout, Immutable, Unaligned, Clone, Copy, Debug, Default, PartialEq, Eq)]
#[repr(C)]
pub struct HandleDescriptor {
    /// The handle value in the dumped process.
    pub handle: U64,
    /// File offset of the object type's name (a `MINIDUMP_STRING`, such as
    /// "File" or "Event"); 0 if absent.
    pub type_name_rva: U32,
    /// File offset of the object's name (a `MINIDUMP_STRING`); 0 if absent.
    pub object_name_rva: U32,
    /// Handle attributes (e.g. inheritable).
    pub attributes: U32,
    /// Access mask granted to the handle.
    pub granted_access: U32,
    /// Number of handles open to the object.
    pub handle_count: U32,
    /// Number of references to the object.
    pub pointer_count: U32,
}
const _: () = assert!(core::mem::size_of::<HandleDescriptor>() == 32);

/// `MINIDUMP_HANDLE_DESCRIPTOR_2`: [`HandleDescriptor`] plus a pointer to
/// object-specific information.
#[derive(FromBytes, IntoBytes, KnownLayout, Immutable, Unaligned, Clone, Copy, Debug, Default, PartialEq, Eq)]
#[repr(C)]
pub struct HandleDescriptor2 {
    /// See [`HandleDescriptor::handle`].
    pub handle: U64,
    /// See [`HandleDescriptor::type_name_rva`].
    pub type_name_rva: U32,
    /// See [`HandleDescriptor::object_name_rva`].
    pub object_name_rva: U32,
    /// See [`HandleDescriptor::attributes`].
    pub attributes: U32,
    /// See [`HandleDescriptor::granted_access`].
    pub granted_access: U32,
    /// See [`HandleDescriptor::handle_count`].
    pub handle_count: U32,
    /// See [`HandleDescriptor::pointer_count`].
    pub pointer_count: U32,
    /// File offset of the first [`HandleObjectInformation`]; 0 if none.
    pub object_info_rva: U32,
    /// Reserved, zero.
    pub reserved0: U32,
}
const _: () = assert!(core::mem::size_of::<HandleDescriptor2>() == 40);

/// `MINIDUMP_HANDLE_OBJECT_INFORMATION`: one link of a handle's chain of
/// object-specific information; `size_of_info` bytes of data follow it.
#[derive(FromBytes, IntoBytes, KnownLayout, Immutable, Unaligned, Clone, Copy, Debug, Default, PartialEq, Eq)]
#[repr(C)]
pub struct HandleObjectInformation {
    /// File offset of the next link; 0 ends the chain.
    pub next_info_rva: U32,
    /// What the data is: one of the `MINI_*` constants of this module.
    pub info_type: U32,
    /// Size in bytes of the data that follows this header.
    pub size_of_info: U32,
}
const _: () = assert!(core::mem::size_of::<HandleObjectInformation>() == 12);

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
    fn header_then_descriptor2() {
        let mut b = [0u8; 16 + 40];
        put_u32(&mut b, 0, 16);
        put_u32(&mut b, 4, 40);
        put_u32(&mut b, 8, 1);
        put_u32(&mut b, 12, 0);
        let d = 16;
        put_u64(&mut b, d, 0x1_0000_0044);
        put_u32(&mut b, d + 8, 0x500);
        put_u32(&mut b, d + 12, 0x600);
        put_u32(&mut b, d + 16, 2);
        put_u32(&mut b, d + 20, 0x001f_0003);
        put_u32(&mut b, d + 24, 3);
        put_u32(&mut b, d + 28, 65_537);
        put_u32(&mut b, d + 32, 0x700);
        put_u32(&mut b, d + 36, 0);

        let (h, rest) = HandleDataStreamHeader::ref_from_prefix(&b).unwrap();
        assert_eq!(h.size_of_header.get(), 16);
        assert_eq!(h.size_of_descriptor.get(), 40);
        assert_eq!(h.number_of_descriptors.get(), 1);
        assert_eq!(h.reserved.get(), 0);
        let d2 = HandleDescriptor2::ref_from_bytes(rest).unwrap();
        assert_eq!(d2.handle.get(), 0x1_0000_0044);
        assert_eq!(d2.type_name_rva.get(), 0x500);
        assert_eq!(d2.object_name_rva.get(), 0x600);
        assert_eq!(d2.attributes.get(), 2);
        assert_eq!(d2.granted_access.get(), 0x001f_0003);
        assert_eq!(d2.handle_count.get(), 3);
        assert_eq!(d2.pointer_count.get(), 65_537);
        assert_eq!(d2.object_info_rva.get(), 0x700);
        assert_eq!(d2.reserved0.get(), 0);

        // The first 32 bytes of a version-2 descriptor are a version-1 one.
        let (d1, _) = HandleDescriptor::ref_from_prefix(rest).unwrap();
        assert_eq!(d1.handle, d2.handle);
        assert_eq!(d1.pointer_count, d2.pointer_count);
    }

    #[test]
    fn object_information_link() {
        let mut b = [0u8; 12 + 4];
        put_u32(&mut b, 0, 0x900);
        put_u32(&mut b, 4, MINI_MUTANT_INFORMATION1);
        put_u32(&mut b, 8, 4);
        put_u32(&mut b, 12, 0xfeed);
        let (o, data) = HandleObjectInformation::ref_from_prefix(&b).unwrap();
        assert_eq!(o.next_info_rva.get(), 0x900);
        assert_eq!(o.info_type.get(), MINI_MUTANT_INFORMATION1);
        assert_eq!(o.size_of_info.get() as usize, data.len());
    }
}
