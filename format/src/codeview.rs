//! Debug-identifier records a module's `cv_record` and `misc_record` point at:
//! the CodeView records (`RSDS`, `NB10`, Breakpad's `BpEL`), the obsolete
//! `IMAGE_DEBUG_MISC`, and the `GUID` they and Crashpad use.
//!
//! Which CodeView record a `cv_record` holds is told by its first four bytes,
//! read as a little-endian `u32` and compared with the `CV_SIGNATURE_*`
//! constants. Each record ends in a variable-length tail that is not part of
//! the structs here; the reader slices it from the rest of the record.

use crate::{U16, U32};
use zerocopy::{FromBytes, Immutable, IntoBytes, KnownLayout, Unaligned};

/// `RSDS` (PDB 7.0): the bytes `R`, `S`, `D`, `S` read as a little-endian
/// `u32`. Introduces a [`CvInfoPdb70`].
pub const CV_SIGNATURE_RSDS: u32 = 0x5344_5352;
/// `NB10` (PDB 2.0): the bytes `N`, `B`, `1`, `0` read as a little-endian
/// `u32`. Introduces a [`CvInfoPdb20`].
pub const CV_SIGNATURE_NB10: u32 = 0x3031_424e;
/// `NB09`: CodeView 4.10 debug data carried inside the record itself.
pub const CV_SIGNATURE_NB09: u32 = 0x3930_424e;
/// `NB11`: CodeView 5.0 (`/Z7`) debug data carried inside the record itself.
pub const CV_SIGNATURE_NB11: u32 = 0x3131_424e;
/// Breakpad's ELF build-id record. Breakpad spells it `BpEL` and stores it as
/// the `u32` `0x4270454c`, so the bytes in the file read `LEpB`. Introduces a
/// [`CvInfoElf`].
pub const CV_SIGNATURE_BPEL: u32 = 0x4270_454c;

/// `IMAGE_DEBUG_MISC_EXENAME`: [`ImageDebugMisc::data_type`] when the data is
/// the name of the executable (or of its `.DBG` file).
pub const IMAGE_DEBUG_MISC_EXENAME: u32 = 1;

/// `GUID` (Breakpad's `MDGUID`): a 128-bit identifier in Microsoft's
/// mixed-endian layout — the first three groups are little-endian integers,
/// the last eight bytes are stored in the order they are printed.
///
/// Crashpad's `UUID` (report and client ids) has the same 16-byte layout.
#[derive(FromBytes, IntoBytes, KnownLayout, Immutable, Unaligned, Clone, Copy, Debug, Default, PartialEq, Eq)]
#[repr(C)]
pub struct Guid {
    /// First group: 8 hex digits.
    pub data1: U32,
    /// Second group: 4 hex digits.
    pub data2: U16,
    /// Third group: 4 hex digits.
    pub data3: U16,
    /// Fourth group (first two bytes) and fifth group (last six), in order.
    pub data4: [u8; 8],
}
const _: () = assert!(core::mem::size_of::<Guid>() == 16);

/// `CV_INFO_PDB70`: the `RSDS` record modern Microsoft linkers (and
/// lld/Breakpad for PE files) emit, naming the PDB that holds a module's
/// symbols.
///
/// Tail: the PDB path or file name as NUL-terminated 8-bit text (UTF-8 in
/// practice), from offset 24 to the end of the record.
#[derive(FromBytes, IntoBytes, KnownLayout, Immutable, Unaligned, Clone, Copy, Debug, Default, PartialEq, Eq)]
#[repr(C)]
pub struct CvInfoPdb70 {
    /// [`CV_SIGNATURE_RSDS`].
    pub cv_signature: U32,
    /// Identifies the PDB; together with [`Self::age`] it forms the debug id
    /// symbol servers index by.
    pub signature: Guid,
    /// Bumped each time the PDB is updated incrementally.
    pub age: U32,
}
const _: () = assert!(core::mem::size_of::<CvInfoPdb70>() == 24);

/// `CV_INFO_PDB20`: the older `NB10` record, naming a PDB 2.0 file.
///
/// Tail: the PDB path or file name as NUL-terminated 8-bit text, from offset
/// 16 to the end of the record.
#[derive(FromBytes, IntoBytes, KnownLayout, Immutable, Unaligned, Clone, Copy, Debug, Default, PartialEq, Eq)]
#[repr(C)]
pub struct CvInfoPdb20 {
    /// [`CV_SIGNATURE_NB10`].
    pub cv_signature: U32,
    /// Offset of the debug data inside the file it lives in; 0 for a
    /// separate PDB (always, in minidumps).
    pub cv_offset: U32,
    /// When the debug information was created, in seconds since the Unix
    /// epoch; with [`Self::age`] it identifies the PDB.
    pub signature: U32,
    /// Bumped each time the PDB is updated incrementally.
    pub age: U32,
}
const _: () = assert!(core::mem::size_of::<CvInfoPdb20>() == 16);

/// Breakpad's `MDCVInfoELF`: identifies an ELF module by its GNU build id.
///
/// Tail: the build-id bytes (the `NT_GNU_BUILD_ID` note's descriptor), from
/// offset 4 to the end of the record. Usually 20 bytes (a SHA-1), but any
/// length is allowed.
#[derive(FromBytes, IntoBytes, KnownLayout, Immutable, Unaligned, Clone, Copy, Debug, Default, PartialEq, Eq)]
#[repr(C)]
pub struct CvInfoElf {
    /// [`CV_SIGNATURE_BPEL`].
    pub cv_signature: U32,
}
const _: () = assert!(core::mem::size_of::<CvInfoElf>() == 4);

/// `IMAGE_DEBUG_MISC`: the record a module's `misc_record` points at,
/// naming a `.DBG` file. Obsolete: only very old toolchains produce it.
///
/// Tail: [`Self::length`] minus 12 bytes of data, from offset 12; for
/// [`IMAGE_DEBUG_MISC_EXENAME`] a NUL-terminated file name, in UTF-16 when
/// [`Self::unicode`] is non-zero and 8-bit text otherwise.
#[derive(FromBytes, IntoBytes, KnownLayout, Immutable, Unaligned, Clone, Copy, Debug, Default, PartialEq, Eq)]
#[repr(C)]
pub struct ImageDebugMisc {
    /// What the data is, e.g. [`IMAGE_DEBUG_MISC_EXENAME`].
    pub data_type: U32,
    /// Size of the whole record in bytes, this fixed part included.
    pub length: U32,
    /// Non-zero when the data is UTF-16.
    pub unicode: u8,
    /// Unused.
    pub reserved: [u8; 3],
}
const _: () = assert!(core::mem::size_of::<ImageDebugMisc>() == 12);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signatures_spell_their_names() {
        assert_eq!(CV_SIGNATURE_RSDS.to_le_bytes(), *b"RSDS");
        assert_eq!(CV_SIGNATURE_NB10.to_le_bytes(), *b"NB10");
        assert_eq!(CV_SIGNATURE_NB09.to_le_bytes(), *b"NB09");
        assert_eq!(CV_SIGNATURE_NB11.to_le_bytes(), *b"NB11");
        assert_eq!(CV_SIGNATURE_BPEL.to_le_bytes(), *b"LEpB");
    }

    #[test]
    fn guid_fields() {
        let bytes = [0x78, 0x56, 0x34, 0x12, 0x34, 0x12, 0xcd, 0xab, 1, 2, 3, 4, 5, 6, 7, 8];
        let guid = Guid::ref_from_bytes(&bytes).unwrap();
        assert_eq!(guid.data1.get(), 0x1234_5678);
        assert_eq!(guid.data2.get(), 0x1234);
        assert_eq!(guid.data3.get(), 0xabcd);
        assert_eq!(guid.data4, [1, 2, 3, 4, 5, 6, 7, 8]);
        assert_eq!(guid.as_bytes(), &bytes);
    }

    #[test]
    fn pdb70_with_name_tail() {
        let mut bytes = [0u8; 24 + 8];
        bytes[0..4].copy_from_slice(b"RSDS");
        bytes[4..8].copy_from_slice(&0xdead_beefu32.to_le_bytes());
        bytes[8..10].copy_from_slice(&0x0102u16.to_le_bytes());
        bytes[10..12].copy_from_slice(&0x0304u16.to_le_bytes());
        bytes[12..20].copy_from_slice(&[9, 10, 11, 12, 13, 14, 15, 16]);
        bytes[20..24].copy_from_slice(&7u32.to_le_bytes());
        bytes[24..32].copy_from_slice(b"app.pdb\0");
        let (cv, tail) = CvInfoPdb70::ref_from_prefix(&bytes).unwrap();
        assert_eq!(cv.cv_signature.get(), CV_SIGNATURE_RSDS);
        assert_eq!(cv.signature.data1.get(), 0xdead_beef);
        assert_eq!(cv.signature.data2.get(), 0x0102);
        assert_eq!(cv.signature.data3.get(), 0x0304);
        assert_eq!(cv.signature.data4, [9, 10, 11, 12, 13, 14, 15, 16]);
        assert_eq!(cv.age.get(), 7);
        assert_eq!(tail, b"app.pdb\0");
    }

    #[test]
    fn pdb20_with_name_tail() {
        let mut bytes = [0u8; 16 + 6];
        bytes[0..4].copy_from_slice(b"NB10");
        bytes[8..12].copy_from_slice(&0x4000_0000u32.to_le_bytes());
        bytes[12..16].copy_from_slice(&3u32.to_le_bytes());
        bytes[16..22].copy_from_slice(b"x.pdb\0");
        let (cv, tail) = CvInfoPdb20::ref_from_prefix(&bytes).unwrap();
        assert_eq!(cv.cv_signature.get(), CV_SIGNATURE_NB10);
        assert_eq!(cv.cv_offset.get(), 0);
        assert_eq!(cv.signature.get(), 0x4000_0000);
        assert_eq!(cv.age.get(), 3);
        assert_eq!(tail, b"x.pdb\0");
    }

    #[test]
    fn elf_with_build_id_tail() {
        let mut bytes = [0u8; 4 + 20];
        bytes[0..4].copy_from_slice(&CV_SIGNATURE_BPEL.to_le_bytes());
        for (i, b) in bytes[4..].iter_mut().enumerate() {
            *b = i as u8;
        }
        let (cv, build_id) = CvInfoElf::ref_from_prefix(&bytes).unwrap();
        assert_eq!(cv.cv_signature.get(), CV_SIGNATURE_BPEL);
        assert_eq!(build_id.len(), 20);
        assert_eq!(build_id[19], 19);
    }

    #[test]
    fn image_debug_misc_fields() {
        let mut bytes = [0u8; 12 + 8];
        bytes[0..4].copy_from_slice(&IMAGE_DEBUG_MISC_EXENAME.to_le_bytes());
        bytes[4..8].copy_from_slice(&20u32.to_le_bytes());
        bytes[8] = 1;
        bytes[12..20].copy_from_slice(b"a\0b\0\0\0\0\0");
        let (misc, data) = ImageDebugMisc::ref_from_prefix(&bytes).unwrap();
        assert_eq!(misc.data_type.get(), IMAGE_DEBUG_MISC_EXENAME);
        assert_eq!(misc.length.get(), 20);
        assert_eq!(misc.unicode, 1);
        assert_eq!(misc.reserved, [0; 3]);
        assert_eq!(data.len(), 8);
    }
}
