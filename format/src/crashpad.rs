//! Crashpad's info stream (`MD_CRASHPAD_INFO_STREAM`, `0x43500001`): report
//! and client ids, process annotations, and per-module annotations.
//!
//! The stream is a [`CrashpadInfo`]. Its location descriptors lead to lists
//! that all share one shape — a `u32` count followed by that many entries —
//! and whose entries are not part of any struct here:
//!
//! * `MinidumpSimpleStringDictionary`: count, then
//!   [`SimpleStringDictionaryEntry`] items;
//! * `MinidumpModuleCrashpadInfoList`: count, then [`ModuleCrashpadInfoLink`]
//!   items;
//! * `MinidumpRVAList` (list annotations): count, then `u32` file offsets of
//!   strings;
//! * `MinidumpAnnotationList`: count, then [`AnnotationObject`] items.
//!
//! Strings are `MinidumpUTF8String`: a `u32` byte length (without the
//! terminator), then that many UTF-8 bytes and a NUL. Annotation values are
//! `MinidumpByteArray`: a `u32` length, then that many bytes.
//!
//! Crashpad writes all of this with 4-byte packing, so the layouts have no
//! padding.

use crate::codeview::Guid;
use crate::{LocationDescriptor, U16, U32};
use zerocopy::{FromBytes, Immutable, IntoBytes, KnownLayout, Unaligned};

/// Current [`CrashpadInfo::version`] (`MinidumpCrashpadInfo::kVersion`).
/// Readers treat larger values as compatible with this layout.
pub const CRASHPAD_INFO_VERSION: u32 = 1;
/// Current [`ModuleCrashpadInfo::version`]
/// (`MinidumpModuleCrashpadInfo::kVersion`). Readers treat larger values as
/// compatible with this layout.
pub const MODULE_CRASHPAD_INFO_VERSION: u32 = 1;

/// [`AnnotationObject::type`]: invalid; reserved for Crashpad's own use.
pub const ANNOTATION_TYPE_INVALID: u16 = 0;
/// [`AnnotationObject::type`]: the value is a string (UTF-8, without a
/// terminator in the byte array).
pub const ANNOTATION_TYPE_STRING: u16 = 1;
/// [`AnnotationObject::type`]: the first value of the range clients may use
/// for their own types; the bytes' meaning is up to the client.
pub const ANNOTATION_TYPE_USER_DEFINED_START: u16 = 0x8000;

/// Crashpad's `UUID` (report and client ids): the same 16-byte layout as a
/// `GUID`.
pub type Uuid = Guid;

/// `MinidumpCrashpadInfo`: the fixed part of the Crashpad info stream.
#[derive(FromBytes, IntoBytes, KnownLayout, Immutable, Unaligned, Clone, Copy, Debug, Default, PartialEq, Eq)]
#[repr(C)]
pub struct CrashpadInfo {
    /// Layout version; the fields below exist from version 1 on
    /// ([`CRASHPAD_INFO_VERSION`]).
    pub version: U32,
    /// Identifies this crash report, stable across format conversions; all
    /// zero when unknown.
    pub report_id: Uuid,
    /// Identifies the Crashpad client (an installation's database) that
    /// crashed, stable over time; all zero when unknown.
    pub client_id: Uuid,
    /// A `MinidumpSimpleStringDictionary` of process-wide key/value
    /// annotations.
    pub simple_annotations: LocationDescriptor,
    /// A `MinidumpModuleCrashpadInfoList` of per-module information.
    pub module_list: LocationDescriptor,
}
const _: () = assert!(core::mem::size_of::<CrashpadInfo>() == 52);

/// `MinidumpSimpleStringDictionaryEntry`: one key/value pair.
#[derive(FromBytes, IntoBytes, KnownLayout, Immutable, Unaligned, Clone, Copy, Debug, Default, PartialEq, Eq)]
#[repr(C)]
pub struct SimpleStringDictionaryEntry {
    /// File offset of a `MinidumpUTF8String`: the key.
    pub key: U32,
    /// File offset of a `MinidumpUTF8String`: the value.
    pub value: U32,
}
const _: () = assert!(core::mem::size_of::<SimpleStringDictionaryEntry>() == 8);

/// `MinidumpModuleCrashpadInfoLink`: ties a module of the module list stream
/// to its Crashpad information. Not every module has one.
#[derive(FromBytes, IntoBytes, KnownLayout, Immutable, Unaligned, Clone, Copy, Debug, Default, PartialEq, Eq)]
#[repr(C)]
pub struct ModuleCrashpadInfoLink {
    /// Index of the module in the module list stream.
    pub minidump_module_list_index: U32,
    /// Where the module's [`ModuleCrashpadInfo`] is; its size may grow with
    /// future versions.
    pub location: LocationDescriptor,
}
const _: () = assert!(core::mem::size_of::<ModuleCrashpadInfoLink>() == 12);

/// `MinidumpModuleCrashpadInfo`: annotations one module recorded.
///
/// [`Self::annotation_objects`] was appended to version 1 later without a
/// version bump, so older writers produce only the first 20 bytes; read it
/// only when [`ModuleCrashpadInfoLink::location`] is at least 28 bytes long,
/// and treat it as empty otherwise.
#[derive(FromBytes, IntoBytes, KnownLayout, Immutable, Unaligned, Clone, Copy, Debug, Default, PartialEq, Eq)]
#[repr(C)]
pub struct ModuleCrashpadInfo {
    /// Layout version ([`MODULE_CRASHPAD_INFO_VERSION`]).
    pub version: U32,
    /// A `MinidumpRVAList` of `MinidumpUTF8String`s: the module's list
    /// annotations (on macOS, e.g. `CrashReporterClient` messages).
    pub list_annotations: LocationDescriptor,
    /// A `MinidumpSimpleStringDictionary` of the module's key/value
    /// annotations.
    pub simple_annotations: LocationDescriptor,
    /// A `MinidumpAnnotationList` of [`AnnotationObject`]s: the module's typed
    /// annotations.
    pub annotation_objects: LocationDescriptor,
}
const _: () = assert!(core::mem::size_of::<ModuleCrashpadInfo>() == 28);

/// `MinidumpAnnotation`: one typed annotation object.
#[derive(FromBytes, IntoBytes, KnownLayout, Immutable, Unaligned, Clone, Copy, Debug, Default, PartialEq, Eq)]
#[repr(C)]
pub struct AnnotationObject {
    /// File offset of a `MinidumpUTF8String`: the annotation's name.
    pub name: U32,
    /// What the value holds: an `ANNOTATION_TYPE_*` value, or a client's own
    /// type at or above [`ANNOTATION_TYPE_USER_DEFINED_START`].
    pub r#type: U16,
    /// Always 0.
    pub reserved: U16,
    /// File offset of a `MinidumpByteArray`: the annotation's value.
    pub value: U32,
}
const _: () = assert!(core::mem::size_of::<AnnotationObject>() == 12);

#[cfg(test)]
mod tests {
    use super::*;

    fn put_u32(bytes: &mut [u8], at: usize, value: u32) {
        bytes[at..at + 4].copy_from_slice(&value.to_le_bytes());
    }

    #[test]
    fn crashpad_info_fields() {
        let mut bytes = [0u8; 52];
        put_u32(&mut bytes, 0, CRASHPAD_INFO_VERSION);
        put_u32(&mut bytes, 4, 0x0102_0304);
        bytes[12..20].copy_from_slice(&[0xa0, 0xa1, 0xa2, 0xa3, 0xa4, 0xa5, 0xa6, 0xa7]);
        put_u32(&mut bytes, 20, 0x0506_0708);
        bytes[24..26].copy_from_slice(&0xbeefu16.to_le_bytes());
        put_u32(&mut bytes, 36, 0x48);
        put_u32(&mut bytes, 40, 0x1000);
        put_u32(&mut bytes, 44, 0x24);
        put_u32(&mut bytes, 48, 0x2000);
        let info = CrashpadInfo::ref_from_bytes(&bytes).unwrap();
        assert_eq!(info.version.get(), 1);
        assert_eq!(info.report_id.data1.get(), 0x0102_0304);
        assert_eq!(info.report_id.data4[7], 0xa7);
        assert_eq!(info.client_id.data1.get(), 0x0506_0708);
        assert_eq!(info.client_id.data2.get(), 0xbeef);
        assert_eq!(info.simple_annotations.data_size.get(), 0x48);
        assert_eq!(info.simple_annotations.rva.get(), 0x1000);
        assert_eq!(info.module_list.data_size.get(), 0x24);
        assert_eq!(info.module_list.rva.get(), 0x2000);
    }

    #[test]
    fn dictionary_after_count() {
        let mut bytes = [0u8; 4 + 16];
        put_u32(&mut bytes, 0, 2);
        put_u32(&mut bytes, 4, 0x100);
        put_u32(&mut bytes, 8, 0x110);
        put_u32(&mut bytes, 12, 0x120);
        put_u32(&mut bytes, 16, 0x130);
        let (count, rest) = U32::ref_from_prefix(&bytes).unwrap();
        let (entries, _) =
            <[SimpleStringDictionaryEntry]>::ref_from_prefix_with_elems(rest, count.get() as usize).unwrap();
        assert_eq!(entries[0].key.get(), 0x100);
        assert_eq!(entries[0].value.get(), 0x110);
        assert_eq!(entries[1].key.get(), 0x120);
        assert_eq!(entries[1].value.get(), 0x130);
    }

    #[test]
    fn module_link_fields() {
        let mut bytes = [0u8; 12];
        put_u32(&mut bytes, 0, 4);
        put_u32(&mut bytes, 4, 28);
        put_u32(&mut bytes, 8, 0x3000);
        let link = ModuleCrashpadInfoLink::ref_from_bytes(&bytes).unwrap();
        assert_eq!(link.minidump_module_list_index.get(), 4);
        assert_eq!(link.location.data_size.get(), 28);
        assert_eq!(link.location.rva.get(), 0x3000);
    }

    #[test]
    fn module_info_fields() {
        let mut bytes = [0u8; 28];
        put_u32(&mut bytes, 0, MODULE_CRASHPAD_INFO_VERSION);
        for i in 0..6u32 {
            put_u32(&mut bytes, 4 + 4 * i as usize, 0x10 * (i + 1));
        }
        let info = ModuleCrashpadInfo::ref_from_bytes(&bytes).unwrap();
        assert_eq!(info.version.get(), 1);
        assert_eq!(info.list_annotations.data_size.get(), 0x10);
        assert_eq!(info.list_annotations.rva.get(), 0x20);
        assert_eq!(info.simple_annotations.data_size.get(), 0x30);
        assert_eq!(info.simple_annotations.rva.get(), 0x40);
        assert_eq!(info.annotation_objects.data_size.get(), 0x50);
        assert_eq!(info.annotation_objects.rva.get(), 0x60);
        // An older writer's 20-byte record is too short for the whole struct.
        assert!(ModuleCrashpadInfo::ref_from_bytes(&bytes[..20]).is_err());
    }

    #[test]
    fn annotation_object_fields() {
        let mut bytes = [0u8; 12];
        put_u32(&mut bytes, 0, 0x500);
        bytes[4..6].copy_from_slice(&ANNOTATION_TYPE_STRING.to_le_bytes());
        put_u32(&mut bytes, 8, 0x520);
        let object = AnnotationObject::ref_from_bytes(&bytes).unwrap();
        assert_eq!(object.name.get(), 0x500);
        assert_eq!(object.r#type.get(), ANNOTATION_TYPE_STRING);
        assert_eq!(object.reserved.get(), 0);
        assert_eq!(object.value.get(), 0x520);

        bytes[4..6].copy_from_slice(&(ANNOTATION_TYPE_USER_DEFINED_START + 3).to_le_bytes());
        let object = AnnotationObject::ref_from_bytes(&bytes).unwrap();
        assert!(object.r#type.get() >= ANNOTATION_TYPE_USER_DEFINED_START);
        assert_ne!(ANNOTATION_TYPE_INVALID, object.r#type.get());
    }
}
