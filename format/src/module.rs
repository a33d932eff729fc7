//! `MINIDUMP_MODULE` and `VS_FIXEDFILEINFO`: the ModuleList stream.
//!
//! The stream is a `u32` count (sometimes followed by 4 bytes of padding, see
//! [`crate::thread`]) and that many 108-byte entries. Names are
//! `MINIDUMP_STRING`s at `module_name_rva`; `cv_record` points at a CodeView
//! record ([`crate::codeview`]) and `misc_record` at an `IMAGE_DEBUG_MISC`.

use crate::{LocationDescriptor, U32, U64};
use zerocopy::{FromBytes, Immutable, IntoBytes, KnownLayout, Unaligned};

/// `VS_FFI_SIGNATURE`: the value of [`VsFixedFileInfo::signature`] when the
/// version information is present.
pub const VS_FFI_SIGNATURE: u32 = 0xfeef_04bd;

/// `VS_FIXEDFILEINFO`: a Windows module's version resource.
#[derive(FromBytes, IntoBytes, KnownLayout, Immutable, Unaligned, Clone, Copy, Debug, Default, PartialEq, Eq)]
#[repr(C)]
pub struct VsFixedFileInfo {
    /// [`VS_FFI_SIGNATURE`] if the structure is filled in, else 0.
    pub signature: U32,
    /// Version of this structure's format.
    pub struct_version: U32,
    /// High 32 bits of the file version (major << 16 | minor).
    pub file_version_hi: U32,
    /// Low 32 bits of the file version (build << 16 | revision).
    pub file_version_lo: U32,
    /// High 32 bits of the product version.
    pub product_version_hi: U32,
    /// Low 32 bits of the product version.
    pub product_version_lo: U32,
    /// Which bits of `file_flags` are meaningful.
    pub file_flags_mask: U32,
    /// `VS_FF_*` flags (debug, prerelease, patched, ...).
    pub file_flags: U32,
    /// Operating system the file was built for (`VOS_*`).
    pub file_os: U32,
    /// `VFT_*` file type (application, DLL, driver, ...).
    pub file_type: U32,
    /// `VFT2_*` subtype, for drivers and fonts.
    pub file_subtype: U32,
    /// High 32 bits of the file's date stamp.
    pub file_date_hi: U32,
    /// Low 32 bits of the file's date stamp.
    pub file_date_lo: U32,
}
const _: () = assert!(core::mem::size_of::<VsFixedFileInfo>() == 52);

/// `MINIDUMP_MODULE`: one loaded module (executable or shared library).
#[derive(FromBytes, IntoBytes, KnownLayout, Immutable, Unaligned, Clone, Copy, Debug, Default, PartialEq, Eq)]
#[repr(C)]
pub struct MinidumpModule {
    /// Load address.
    pub base_of_image: U64,
    /// Size of the mapped image in bytes.
    pub size_of_image: U32,
    /// PE checksum (0 on Linux).
    pub checksum: U32,
    /// PE link time stamp (0 on Linux).
    pub time_date_stamp: U32,
    /// RVA of the module's path as a `MINIDUMP_STRING`.
    pub module_name_rva: U32,
    /// Version resource.
    pub version_info: VsFixedFileInfo,
    /// Where the CodeView record is.
    pub cv_record: LocationDescriptor,
    /// Where the `IMAGE_DEBUG_MISC` record is.
    pub misc_record: LocationDescriptor,
    /// Reserved.
    pub reserved0: U64,
    /// Reserved.
    pub reserved1: U64,
}
const _: () = assert!(core::mem::size_of::<MinidumpModule>() == 108);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn module_fields_sit_at_spec_offsets() {
        let mut b = [0u8; 108];
        b[0..8].copy_from_slice(&0x7c90_0000u64.to_le_bytes());
        b[8..12].copy_from_slice(&0xb0000u32.to_le_bytes());
        b[20..24].copy_from_slice(&0x7aeu32.to_le_bytes());
        b[24..28].copy_from_slice(&VS_FFI_SIGNATURE.to_le_bytes());
        b[76..80].copy_from_slice(&34u32.to_le_bytes());
        b[80..84].copy_from_slice(&0x1354u32.to_le_bytes());
        let m = MinidumpModule::ref_from_bytes(&b).unwrap();
        assert_eq!(m.base_of_image.get(), 0x7c90_0000);
        assert_eq!(m.size_of_image.get(), 0xb0000);
        assert_eq!(m.module_name_rva.get(), 0x7ae);
        assert_eq!(m.version_info.signature.get(), VS_FFI_SIGNATURE);
        assert_eq!(m.cv_record.data_size.get(), 34);
        assert_eq!(m.cv_record.rva.get(), 0x1354);
    }
}
