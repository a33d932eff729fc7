//! Crashpad's CrashpadInfo stream: report and client ids, process-wide
//! annotations, and each module's annotations.
//!
//! Everything is reached through location descriptors and RVAs, and
//! everything is read lazily: parsing the stream reads its 52 fixed bytes;
//! each list is located when asked for, its count checked against the bytes
//! its location descriptor gives; each string and value is read per entry, so
//! a bad RVA loses only the entry that holds it.
//!
//! Strings (`MinidumpUTF8String`) and values (`MinidumpByteArray`) are
//! returned as the bytes written: Crashpad means them to be UTF-8 but does
//! not enforce it. Both are limited to 64 KiB.

use crate::bytes::Bytes;
use crate::error::{Error, ErrorKind, Result};
use crate::minidump::{Minidump, Stream};
use crate::string::utf8_string;
use mdump_format::codeview::Guid;
use mdump_format::crashpad::{
    AnnotationObject, CrashpadInfo as RawCrashpadInfo, ModuleCrashpadInfo as RawModuleCrashpadInfo,
    ModuleCrashpadInfoLink, SimpleStringDictionaryEntry, ANNOTATION_TYPE_STRING,
};
use mdump_format::{LocationDescriptor, StreamType, U32};
use zerocopy::{FromBytes, Immutable, Unaligned};

const STREAM: StreamType = StreamType::CRASHPAD_INFO;

/// Largest annotation value (`MinidumpByteArray`) accepted, in bytes.
/// Crashpad itself caps values at 20 KiB.
pub const MAX_BYTE_ARRAY_BYTES: u32 = 64 * 1024;

/// Size of a `MinidumpModuleCrashpadInfo` from writers that predate its
/// `annotation_objects` field.
pub const MODULE_CRASHPAD_INFO_MIN_SIZE: u32 = 20;

/// The CrashpadInfo stream.
#[derive(Clone, Copy, Debug)]
pub struct CrashpadInfo<'a> {
    /// The on-disk structure.
    pub raw: &'a RawCrashpadInfo,
    dump: Minidump<'a>,
}

impl<'a> Stream<'a> for CrashpadInfo<'a> {
    const STREAM_TYPE: StreamType = STREAM;

    /// Reads the fixed part; a longer stream (a newer writer) is accepted.
    /// Version 0 is rejected: the fields are defined from version 1 on.
    fn parse(bytes: Bytes<'a>, dump: &Minidump<'a>) -> Result<Self> {
        let raw: &RawCrashpadInfo = bytes.read(0)?;
        if raw.version.get() == 0 {
            return Err(Error::new(ErrorKind::Unsupported("Crashpad info version 0"), bytes.base()));
        }
        Ok(CrashpadInfo { raw, dump: *dump })
    }
}

impl<'a> CrashpadInfo<'a> {
    /// The layout version (1 today; larger values are read the same way).
    pub fn version(&self) -> u32 {
        self.raw.version.get()
    }

    /// The crash report's id; all zero when unknown.
    pub fn report_id(&self) -> &'a Guid {
        &self.raw.report_id
    }

    /// The Crashpad client's (database's) id; all zero when unknown.
    pub fn client_id(&self) -> &'a Guid {
        &self.raw.client_id
    }

    /// The process-wide key/value annotations; empty when the location is
    /// empty.
    pub fn simple_annotations(&self) -> Result<SimpleStringDictionary<'a>> {
        SimpleStringDictionary::read(&self.dump, &self.raw.simple_annotations)
    }

    /// The modules that recorded Crashpad information; empty when the
    /// location is empty.
    pub fn module_list(&self) -> Result<CrashpadModuleList<'a>> {
        Ok(CrashpadModuleList {
            raw: counted(&self.dump, &self.raw.module_list, "module Crashpad info links")?,
            dump: self.dump,
        })
    }
}

/// The entries of a count-prefixed list (a `u32` count, then the entries)
/// at `location`, the count checked against the location's size. An empty
/// location is an empty list.
fn counted<'a, T>(dump: &Minidump<'a>, location: &LocationDescriptor, what: &'static str) -> Result<&'a [T]>
where
    T: FromBytes + Immutable + Unaligned,
{
    if location.data_size.get() == 0 {
        return Ok(&[]);
    }
    let read = || -> Result<&'a [T]> {
        let bytes = dump.location(location)?;
        let count = bytes.u32_at(0)?;
        bytes.array(4, count.into(), what)
    };
    read().map_err(|e| e.in_stream(STREAM))
}

fn string<'a>(file: Bytes<'a>, rva: &U32) -> Result<&'a [u8]> {
    utf8_string(file, rva.get()).map_err(|e| e.in_stream(STREAM))
}

/// Reads a `MinidumpByteArray`: a `u32` length at `rva`, then the bytes.
fn byte_array(file: Bytes<'_>, rva: u32) -> Result<&[u8]> {
    let read = || {
        let at = u64::from(rva);
        let len = file.u32_at(at)?;
        if len > MAX_BYTE_ARRAY_BYTES {
            return Err(Error::new(ErrorKind::Malformed("annotation value longer than 64 KiB"), at));
        }
        Ok(file.sub(at + 4, len.into())?.as_slice())
    };
    read().map_err(|e| e.in_stream(STREAM))
}

/// A `MinidumpSimpleStringDictionary`: key/value pairs of UTF-8 strings.
#[derive(Clone, Copy, Debug)]
pub struct SimpleStringDictionary<'a> {
    raw: &'a [SimpleStringDictionaryEntry],
    file: Bytes<'a>,
}

impl<'a> SimpleStringDictionary<'a> {
    /// Locates the dictionary at `location` (empty if the location is).
    pub fn read(dump: &Minidump<'a>, location: &LocationDescriptor) -> Result<Self> {
        Ok(SimpleStringDictionary { raw: counted(dump, location, "dictionary entries")?, file: dump.bytes() })
    }

    /// The on-disk entries.
    pub fn raw(&self) -> &'a [SimpleStringDictionaryEntry] {
        self.raw
    }

    /// Number of entries.
    pub fn len(&self) -> usize {
        self.raw.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.raw.is_empty()
    }

    /// `(key, value)` of each entry in file order; an entry whose key or
    /// value cannot be read is an error for that entry only.
    pub fn iter(&self) -> impl ExactSizeIterator<Item = Result<(&'a [u8], &'a [u8])>> + 'a {
        let file = self.file;
        self.raw.iter().map(move |e| Ok((string(file, &e.key)?, string(file, &e.value)?)))
    }

    /// The value of the first readable entry whose key is `key`.
    pub fn get(&self, key: impl AsRef<[u8]>) -> Option<Result<&'a [u8]>> {
        let key = key.as_ref();
        let file = self.file;
        self.raw.iter().find(|e| string(file, &e.key).is_ok_and(|k| k == key)).map(|e| string(file, &e.value))
    }
}

/// A `MinidumpModuleCrashpadInfoList`: links from modules of the ModuleList
/// stream to their Crashpad information.
#[derive(Clone, Copy, Debug)]
pub struct CrashpadModuleList<'a> {
    raw: &'a [ModuleCrashpadInfoLink],
    dump: Minidump<'a>,
}

impl<'a> CrashpadModuleList<'a> {
    /// The on-disk links.
    pub fn raw(&self) -> &'a [ModuleCrashpadInfoLink] {
        self.raw
    }

    /// Number of links.
    pub fn len(&self) -> usize {
        self.raw.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.raw.is_empty()
    }

    /// Each module's information in file order; a link whose record cannot
    /// be read is an error for that module only.
    pub fn iter(&self) -> impl ExactSizeIterator<Item = Result<CrashpadModule<'a>>> + 'a {
        let dump = self.dump;
        self.raw.iter().map(move |link| CrashpadModule::read(&dump, link))
    }

    /// The information of the module at `index` in the ModuleList stream.
    pub fn by_module_index(&self, index: u32) -> Option<Result<CrashpadModule<'a>>> {
        self.raw
            .iter()
            .find(|l| l.minidump_module_list_index.get() == index)
            .map(|link| CrashpadModule::read(&self.dump, link))
    }
}

/// One module's Crashpad information (`MinidumpModuleCrashpadInfo`).
#[derive(Clone, Copy, Debug)]
pub struct CrashpadModule<'a> {
    /// The link that leads here.
    pub link: &'a ModuleCrashpadInfoLink,
    bytes: Bytes<'a>,
    version: u32,
    list_annotations: &'a LocationDescriptor,
    simple_annotations: &'a LocationDescriptor,
    annotation_objects: Option<&'a LocationDescriptor>,
    dump: Minidump<'a>,
}

impl<'a> CrashpadModule<'a> {
    /// Reads the record `link` points at. Records of 20 bytes (older
    /// writers) have no annotation objects; longer ones than 28 bytes are
    /// read for their first 28.
    pub fn read(dump: &Minidump<'a>, link: &'a ModuleCrashpadInfoLink) -> Result<Self> {
        let read = || -> Result<CrashpadModule<'a>> {
            let size = link.location.data_size.get();
            if size < MODULE_CRASHPAD_INFO_MIN_SIZE {
                return Err(Error::new(
                    ErrorKind::BadEntrySize {
                        what: "module Crashpad info",
                        size: size.into(),
                        minimum: MODULE_CRASHPAD_INFO_MIN_SIZE.into(),
                    },
                    link.location.rva.get().into(),
                ));
            }
            let bytes = dump.location(&link.location)?;
            let version = bytes.u32_at(0)?;
            if version == 0 {
                return Err(Error::new(ErrorKind::Unsupported("module Crashpad info version 0"), bytes.base()));
            }
            let full = core::mem::size_of::<RawModuleCrashpadInfo>();
            Ok(CrashpadModule {
                link,
                bytes,
                version,
                list_annotations: bytes.read(4)?,
                simple_annotations: bytes.read(12)?,
                annotation_objects: if bytes.len() >= full { Some(bytes.read(20)?) } else { None },
                dump: *dump,
            })
        };
        read().map_err(|e| e.in_stream(STREAM))
    }

    /// Index of the module in the ModuleList stream.
    pub fn module_index(&self) -> u32 {
        self.link.minidump_module_list_index.get()
    }

    /// The record's layout version.
    pub fn version(&self) -> u32 {
        self.version
    }

    /// The whole record, when it has the current 28-byte layout.
    pub fn raw(&self) -> Option<&'a RawModuleCrashpadInfo> {
        self.bytes.read(0).ok()
    }

    /// File offset of the record.
    pub fn offset(&self) -> u64 {
        self.bytes.base()
    }

    /// The module's list annotations (UTF-8 strings).
    pub fn list_annotations(&self) -> Result<Utf8StringList<'a>> {
        Ok(Utf8StringList {
            raw: counted(&self.dump, self.list_annotations, "list annotations")?,
            file: self.dump.bytes(),
        })
    }

    /// The module's key/value annotations.
    pub fn simple_annotations(&self) -> Result<SimpleStringDictionary<'a>> {
        SimpleStringDictionary::read(&self.dump, self.simple_annotations)
    }

    /// The module's typed annotations; empty for a record from an older
    /// writer that has no such field.
    pub fn annotation_objects(&self) -> Result<AnnotationList<'a>> {
        let raw = match self.annotation_objects {
            Some(location) => counted(&self.dump, location, "annotation objects")?,
            None => &[],
        };
        Ok(AnnotationList { raw, file: self.dump.bytes() })
    }
}

/// A `MinidumpRVAList` of `MinidumpUTF8String`s.
#[derive(Clone, Copy, Debug)]
pub struct Utf8StringList<'a> {
    raw: &'a [U32],
    file: Bytes<'a>,
}

impl<'a> Utf8StringList<'a> {
    /// The strings' RVAs.
    pub fn raw(&self) -> &'a [U32] {
        self.raw
    }

    /// Number of strings.
    pub fn len(&self) -> usize {
        self.raw.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.raw.is_empty()
    }

    /// Each string in file order; an unreadable one is an error for itself
    /// only.
    pub fn iter(&self) -> impl ExactSizeIterator<Item = Result<&'a [u8]>> + 'a {
        let file = self.file;
        self.raw.iter().map(move |rva| string(file, rva))
    }
}

/// A `MinidumpAnnotationList`: typed annotations.
#[derive(Clone, Copy, Debug)]
pub struct AnnotationList<'a> {
    raw: &'a [AnnotationObject],
    file: Bytes<'a>,
}

impl<'a> AnnotationList<'a> {
    /// The on-disk entries.
    pub fn raw(&self) -> &'a [AnnotationObject] {
        self.raw
    }

    /// Number of annotations.
    pub fn len(&self) -> usize {
        self.raw.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.raw.is_empty()
    }

    /// Each annotation in file order; one whose name or value cannot be
    /// read is an error for itself only.
    pub fn iter(&self) -> impl ExactSizeIterator<Item = Result<Annotation<'a>>> + 'a {
        let file = self.file;
        self.raw.iter().map(move |raw| {
            Ok(Annotation { raw, name: string(file, &raw.name)?, value: byte_array(file, raw.value.get())? })
        })
    }
}

/// One typed annotation (`MinidumpAnnotation`), name and value read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Annotation<'a> {
    /// The on-disk entry.
    pub raw: &'a AnnotationObject,
    /// The name, as written.
    pub name: &'a [u8],
    /// The value's bytes.
    pub value: &'a [u8],
}

impl Annotation<'_> {
    /// The `ANNOTATION_TYPE_*` value, or a client's own type at or above
    /// `ANNOTATION_TYPE_USER_DEFINED_START`.
    pub fn annotation_type(&self) -> u16 {
        self.raw.r#type.get()
    }

    /// Whether the value is a string.
    pub fn is_string(&self) -> bool {
        self.annotation_type() == ANNOTATION_TYPE_STRING
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const CRASHPAD_INFO: u32 = 0x4350_0001;
    /// File offset of the first byte after the header and the one directory
    /// entry: where `extra` goes.
    const EXTRA: usize = 44;

    /// Header, one directory entry at 32, `extra` at 44, the stream after it.
    fn file(stream: &[u8], extra: &[u8]) -> Vec<u8> {
        let mut f = b"MDMP".to_vec();
        f.extend_from_slice(&0xa793u32.to_le_bytes()); // Version
        f.extend_from_slice(&1u32.to_le_bytes()); // NumberOfStreams
        f.extend_from_slice(&32u32.to_le_bytes()); // StreamDirectoryRva
        f.extend_from_slice(&[0; 16]); // CheckSum, TimeDateStamp, Flags
        f.extend_from_slice(&CRASHPAD_INFO.to_le_bytes()); // StreamType
        f.extend_from_slice(&(stream.len() as u32).to_le_bytes()); // DataSize
        f.extend_from_slice(&((EXTRA + extra.len()) as u32).to_le_bytes()); // Rva
        f.extend_from_slice(extra);
        f.extend_from_slice(stream);
        f
    }

    /// Puts `bytes` at file offset `at` of `extra` (which starts at file
    /// offset 44), zero-filling any gap.
    fn place(extra: &mut Vec<u8>, at: usize, bytes: &[u8]) {
        let at = at - EXTRA;
        assert!(extra.len() <= at, "overlap at {:#x}", at + EXTRA);
        extra.resize(at, 0);
        extra.extend_from_slice(bytes);
    }

    fn u32s(values: &[u32]) -> Vec<u8> {
        values.iter().flat_map(|v| v.to_le_bytes()).collect()
    }

    /// `MinidumpUTF8String`: byte length, the bytes, a NUL.
    fn utf8(s: &str) -> Vec<u8> {
        let mut v = u32s(&[s.len() as u32]);
        v.extend_from_slice(s.as_bytes());
        v.push(0);
        v
    }

    /// `MinidumpByteArray`: length, the bytes.
    fn byte_array(b: &[u8]) -> Vec<u8> {
        let mut v = u32s(&[b.len() as u32]);
        v.extend_from_slice(b);
        v
    }

    /// `MinidumpCrashpadInfo`: version @0, report_id @4, client_id @20,
    /// simple_annotations (size, rva) @36, module_list (size, rva) @44.
    fn info(simple: (u32, u32), modules: (u32, u32)) -> Vec<u8> {
        let mut s = u32s(&[1]);
        s.extend((0x10u8..0x20).collect::<Vec<_>>());
        s.extend((0x20u8..0x30).collect::<Vec<_>>());
        s.extend(u32s(&[simple.0, simple.1, modules.0, modules.1]));
        assert_eq!(s.len(), 52);
        s
    }

    fn parse(file: &[u8]) -> Result<CrashpadInfo<'_>> {
        Ok(Minidump::parse(file)?.stream::<CrashpadInfo>()?.expect("stream present"))
    }

    fn pairs(d: &SimpleStringDictionary<'_>) -> Vec<(String, String)> {
        d.iter()
            .map(|e| {
                let (k, v) = e.unwrap();
                (String::from_utf8_lossy(k).into_owned(), String::from_utf8_lossy(v).into_owned())
            })
            .collect()
    }

    /// The full layout, by file offset:
    /// 0x40 process dictionary (2 entries), 0x60 module list (2 links),
    /// 0x80 a 28-byte module record, 0xa0 a 20-byte module record,
    /// 0xc0 list annotations, 0xd0 module dictionary, 0xe0 annotation
    /// objects, 0x100.. strings and values.
    fn full_extra() -> Vec<u8> {
        let mut x = Vec::new();
        place(&mut x, 0x40, &u32s(&[2, 0x100, 0x110, 0x120, 0x130]));
        place(&mut x, 0x60, &u32s(&[2, 3, 28, 0x80, 5, 20, 0xa0]));
        place(&mut x, 0x80, &u32s(&[1, 12, 0xc0, 12, 0xd0, 28, 0xe0]));
        place(&mut x, 0xa0, &u32s(&[1, 0, 0, 12, 0xd0]));
        place(&mut x, 0xc0, &u32s(&[2, 0x140, 0x150]));
        place(&mut x, 0xd0, &u32s(&[1, 0x160, 0x170]));
        // Annotations: name @0, type (u16) @4, reserved @6, value @8.
        place(&mut x, 0xe0, &u32s(&[2, 0x180, 1, 0x190, 0x1a0, 0x8001, 0x1b0]));
        place(&mut x, 0x100, &utf8("key"));
        place(&mut x, 0x110, &utf8("value"));
        place(&mut x, 0x120, &utf8("empty"));
        place(&mut x, 0x130, &utf8(""));
        place(&mut x, 0x140, &utf8("list one"));
        place(&mut x, 0x150, &utf8("list two"));
        place(&mut x, 0x160, &utf8("mk"));
        place(&mut x, 0x170, &utf8("mv"));
        place(&mut x, 0x180, &utf8("name"));
        place(&mut x, 0x190, &byte_array(b"hello"));
        place(&mut x, 0x1a0, &utf8("blob"));
        place(&mut x, 0x1b0, &byte_array(&[1, 2, 3]));
        x
    }

    #[test]
    fn normal_stream() {
        let extra = full_extra();
        let f = file(&info((20, 0x40), (28, 0x60)), &extra);
        let c = parse(&f).unwrap();
        assert_eq!(c.version(), 1);
        assert_eq!(c.report_id().data1.get(), 0x1312_1110);
        assert_eq!(c.client_id().data4, [0x28, 0x29, 0x2a, 0x2b, 0x2c, 0x2d, 0x2e, 0x2f]);

        let simple = c.simple_annotations().unwrap();
        assert_eq!(simple.len(), 2);
        assert_eq!(pairs(&simple), [("key".into(), "value".into()), ("empty".into(), String::new())]);
        assert_eq!(simple.get("key").unwrap().unwrap(), b"value");
        assert_eq!(simple.get(b"empty").unwrap().unwrap(), b"");
        assert!(simple.get("missing").is_none());

        let modules = c.module_list().unwrap();
        assert_eq!(modules.len(), 2);
        let m: Vec<_> = modules.iter().map(|m| m.unwrap()).collect();

        assert_eq!((m[0].module_index(), m[0].version(), m[0].offset()), (3, 1, 0x80));
        assert!(m[0].raw().is_some());
        let list = m[0].list_annotations().unwrap();
        assert_eq!(list.iter().map(|s| s.unwrap()).collect::<Vec<_>>(), [&b"list one"[..], b"list two"]);
        assert_eq!(pairs(&m[0].simple_annotations().unwrap()), [("mk".into(), "mv".into())]);
        let objects = m[0].annotation_objects().unwrap();
        let o: Vec<_> = objects.iter().map(|a| a.unwrap()).collect();
        assert_eq!((o[0].name, o[0].value, o[0].annotation_type()), (&b"name"[..], &b"hello"[..], 1));
        assert!(o[0].is_string());
        assert_eq!((o[1].name, o[1].value, o[1].annotation_type()), (&b"blob"[..], &[1u8, 2, 3][..], 0x8001));
        assert!(!o[1].is_string());

        // The old 20-byte record: no annotation objects, empty list annotations.
        assert_eq!((m[1].module_index(), m[1].offset()), (5, 0xa0));
        assert!(m[1].raw().is_none());
        assert!(m[1].list_annotations().unwrap().is_empty());
        assert_eq!(pairs(&m[1].simple_annotations().unwrap()), [("mk".into(), "mv".into())]);
        assert!(m[1].annotation_objects().unwrap().is_empty());

        assert_eq!(modules.by_module_index(5).unwrap().unwrap().offset(), 0xa0);
        assert!(modules.by_module_index(4).is_none());
    }

    #[test]
    fn empty_locations_are_empty_lists() {
        let f = file(&info((0, 0), (0, 0)), &[]);
        let c = parse(&f).unwrap();
        assert!(c.simple_annotations().unwrap().is_empty());
        assert!(c.module_list().unwrap().is_empty());
        // A zero count in a non-empty location too.
        let mut extra = Vec::new();
        place(&mut extra, 0x40, &u32s(&[0]));
        let f = file(&info((4, 0x40), (4, 0x40)), &extra);
        let c = parse(&f).unwrap();
        assert_eq!(c.simple_annotations().unwrap().iter().count(), 0);
        assert_eq!(c.module_list().unwrap().iter().count(), 0);
    }

    #[test]
    fn huge_counts_in_tiny_lists_are_clean_errors() {
        let mut extra = full_extra();
        place(&mut extra, 0x1c0, &u32s(&[0xffff_ffff, 0x100, 0x110]));
        // Process dictionary: 12 bytes promising 4 billion entries.
        let f = file(&info((12, 0x1c0), (28, 0x60)), &extra);
        let c = parse(&f).unwrap();
        let e = c.simple_annotations().unwrap_err();
        assert!(matches!(e.kind, ErrorKind::CountTooLarge { count: 0xffff_ffff, entry_size: 8, available: 8, .. }));
        assert_eq!(e.offset, 0x1c4);
        assert_eq!(e.stream, Some(StreamType::CRASHPAD_INFO));
        // The module list is unaffected.
        assert_eq!(c.module_list().unwrap().len(), 2);

        // Module list, list annotations, and annotation objects likewise.
        let f = file(&info((12, 0x1c0), (12, 0x1c0)), &extra);
        let e = parse(&f).unwrap().module_list().unwrap_err();
        assert!(matches!(e.kind, ErrorKind::CountTooLarge { entry_size: 12, .. }));
        // A one-link module list at 0x1c0 whose 28-byte record at 0x1d0 has
        // list annotations (12 bytes) and annotation objects (8 bytes) at
        // 0x1f0, whose count is 2 billion.
        let mut extra = full_extra();
        place(&mut extra, 0x1c0, &u32s(&[1, 0, 28, 0x1d0]));
        place(&mut extra, 0x1d0, &u32s(&[1, 12, 0x1f0, 0, 0, 8, 0x1f0]));
        place(&mut extra, 0x1f0, &u32s(&[0x8000_0000, 0]));
        let f = file(&info((0, 0), (16, 0x1c0)), &extra);
        let c = parse(&f).unwrap();
        let m = c.module_list().unwrap().iter().next().unwrap().unwrap();
        let e = m.list_annotations().unwrap_err();
        assert!(matches!(e.kind, ErrorKind::CountTooLarge { count: 0x8000_0000, entry_size: 4, available: 8, .. }));
        let e = m.annotation_objects().unwrap_err();
        assert!(matches!(e.kind, ErrorKind::CountTooLarge { entry_size: 12, available: 4, .. }));
        assert!(m.simple_annotations().unwrap().is_empty());
    }

    #[test]
    fn truncated_data() {
        let s = info((0, 0), (0, 0));
        let f = file(&s[..51], &[]);
        let e = parse(&f).unwrap_err();
        assert_eq!(e.kind, ErrorKind::Truncated { needed: 52, available: 51 });
        assert_eq!(e.offset, EXTRA as u64);
        assert_eq!(e.stream, Some(StreamType::CRASHPAD_INFO));

        // A list location running past the end of the file.
        let f = file(&info((0x100, 0x40), (0, 0)), &[]);
        let e = parse(&f).unwrap().simple_annotations().unwrap_err();
        assert!(matches!(e.kind, ErrorKind::Truncated { .. }));
        assert_eq!(e.stream, Some(StreamType::CRASHPAD_INFO));

        // A location too short for its count.
        let mut extra = Vec::new();
        place(&mut extra, 0x40, &[1, 0]);
        let f = file(&info((2, 0x40), (0, 0)), &extra);
        let e = parse(&f).unwrap().simple_annotations().unwrap_err();
        assert_eq!(e.kind, ErrorKind::Truncated { needed: 4, available: 2 });
        assert_eq!(e.offset, 0x40);

        // Version 0 is not read.
        let mut s = info((0, 0), (0, 0));
        s[0] = 0;
        let e = parse(&file(&s, &[])).unwrap_err();
        assert!(matches!(e.kind, ErrorKind::Unsupported(_)));
    }

    #[test]
    fn bad_entries_lose_only_themselves() {
        let mut extra = full_extra();
        // Dictionary: good, key out of the file, value of 4 GiB, good.
        place(&mut extra, 0x1c0, &u32s(&[4, 0x100, 0x110, 0xffff_fff0, 0x110]));
        place(&mut extra, 0x1d4, &u32s(&[0x120, 0x200, 0x160, 0x170]));
        place(&mut extra, 0x200, &u32s(&[u32::MAX]));
        // Module links (index, size, rva): a 16-byte record, one out of the
        // file, a good one, one with version 0.
        place(&mut extra, 0x210, &u32s(&[4, 0, 16, 0x80, 1, 28, 0xffff_0000]));
        place(&mut extra, 0x22c, &u32s(&[2, 28, 0x2b0, 3, 20, 0x250]));
        place(&mut extra, 0x250, &u32s(&[0, 0, 0, 0, 0]));
        // List annotations: good, out of the file, good.
        place(&mut extra, 0x270, &u32s(&[3, 0x140, 0xffff_fffe, 0x150]));
        // Annotation objects: name out of the file, value too long, good.
        place(&mut extra, 0x280, &u32s(&[3, 0xffff_ff00, 1, 0x190]));
        place(&mut extra, 0x290, &u32s(&[0x180, 1, 0x2e0, 0x1a0, 0x8001, 0x1b0]));
        // The good module record: list annotations and annotation objects above.
        place(&mut extra, 0x2b0, &u32s(&[1, 16, 0x270, 0, 0, 40, 0x280]));
        place(&mut extra, 0x2e0, &u32s(&[0x1_0001]));

        let f = file(&info((36, 0x1c0), (52, 0x210)), &extra);
        let c = parse(&f).unwrap();
        let d: Vec<_> = c.simple_annotations().unwrap().iter().collect();
        assert_eq!(d.len(), 4);
        assert_eq!(d[0].clone().unwrap(), (&b"key"[..], &b"value"[..]));
        let e = d[1].clone().unwrap_err();
        assert!(matches!(e.kind, ErrorKind::Truncated { .. }));
        assert_eq!(e.stream, Some(StreamType::CRASHPAD_INFO));
        let e = d[2].clone().unwrap_err();
        assert!(matches!(e.kind, ErrorKind::Malformed(_)));
        assert_eq!(e.offset, 0x200);
        assert_eq!(d[3].clone().unwrap(), (&b"mk"[..], &b"mv"[..]));
        // `get` skips unreadable keys and reports an unreadable value.
        let dict = c.simple_annotations().unwrap();
        assert_eq!(dict.get("mk").unwrap().unwrap(), b"mv");
        assert_eq!(dict.get("empty").unwrap().unwrap_err().offset, 0x200);

        let m: Vec<_> = c.module_list().unwrap().iter().collect();
        assert_eq!(m.len(), 4);
        let e = m[0].clone().unwrap_err();
        assert!(matches!(e.kind, ErrorKind::BadEntrySize { size: 16, minimum: 20, .. }));
        assert_eq!(e.offset, 0x80);
        assert_eq!(e.stream, Some(StreamType::CRASHPAD_INFO));
        let e = m[1].clone().unwrap_err();
        assert!(matches!(e.kind, ErrorKind::Truncated { .. }));
        assert_eq!(e.stream, Some(StreamType::CRASHPAD_INFO));
        let e = m[3].clone().unwrap_err();
        assert!(matches!(e.kind, ErrorKind::Unsupported(_)));
        assert_eq!(e.offset, 0x250);

        let good = m[2].clone().unwrap();
        assert_eq!(good.module_index(), 2);
        let l: Vec<_> = good.list_annotations().unwrap().iter().collect();
        assert_eq!(l.len(), 3);
        assert_eq!(l[0].clone().unwrap(), b"list one");
        assert_eq!(l[1].clone().unwrap_err().stream, Some(StreamType::CRASHPAD_INFO));
        assert_eq!(l[2].clone().unwrap(), b"list two");
        let a: Vec<_> = good.annotation_objects().unwrap().iter().collect();
        assert_eq!(a.len(), 3);
        assert!(matches!(a[0].clone().unwrap_err().kind, ErrorKind::Truncated { .. }));
        let e = a[1].clone().unwrap_err();
        assert!(matches!(e.kind, ErrorKind::Malformed(_)));
        assert_eq!(e.offset, 0x2e0);
        assert_eq!(e.stream, Some(StreamType::CRASHPAD_INFO));
        let ok = a[2].clone().unwrap();
        assert_eq!((ok.name, ok.value), (&b"blob"[..], &[1u8, 2, 3][..]));
        assert!(good.simple_annotations().unwrap().is_empty());
    }

    #[test]
    fn utf8_strings_are_bounded_and_checked() {
        let mut data = vec![0u8; 8];
        data.extend_from_slice(&utf8("h\u{e9}"));
        let file = Bytes::new(&data);
        assert_eq!(utf8_string(file, 8).unwrap(), "h\u{e9}".as_bytes());
        data[8..12].copy_from_slice(&(64 * 1024 + 1u32).to_le_bytes());
        let e = utf8_string(Bytes::new(&data), 8).unwrap_err();
        assert_eq!(e.kind, ErrorKind::Malformed("string longer than 64 KiB"));
        data[8..12].copy_from_slice(&100u32.to_le_bytes());
        let e = utf8_string(Bytes::new(&data), 8).unwrap_err();
        assert!(matches!(e.kind, ErrorKind::Truncated { needed: 100, .. }));
        assert_eq!(e.offset, 12);
        assert!(utf8_string(Bytes::new(&data), u32::MAX).is_err());
    }
}
