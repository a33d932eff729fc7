//! The HandleData stream: the kernel handles the process had open, with
//! their type and object names and, in version-2 descriptors, a chain of
//! object-specific information.

use crate::bytes::Bytes;
use crate::error::{Error, ErrorKind, Result};
use crate::list::SizedEntries;
use crate::minidump::{Minidump, Stream};
use crate::string::MinidumpStr;
use mdump_format::handle_data::{HandleDataStreamHeader, HandleDescriptor, HandleDescriptor2, HandleObjectInformation};
use mdump_format::StreamType;

/// Most links of an object-information chain [`Handle::object_infos`]
/// follows; a longer chain (or a loop) ends with an error.
pub const MAX_OBJECT_INFO_LINKS: usize = 64;

/// The HandleData stream: a header and fixed-size descriptors, viewed in
/// place. Descriptors are version 2 ([`HandleDescriptor2`]) when
/// `size_of_descriptor` is at least 40, else version 1.
#[derive(Clone, Copy, Debug)]
pub struct HandleData<'a> {
    /// The on-disk header.
    pub header: &'a HandleDataStreamHeader,
    entries: SizedEntries<'a>,
    dump: Minidump<'a>,
}

/// One handle of a [`HandleData`] stream.
#[derive(Clone, Copy, Debug)]
pub struct Handle<'a> {
    /// The descriptor's version-1 fields (present in both versions).
    pub raw: &'a HandleDescriptor,
    /// The whole descriptor when it is version 2.
    pub raw2: Option<&'a HandleDescriptor2>,
    dump: Minidump<'a>,
}

/// One link of a handle's object-information chain.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct HandleObjectInfo<'a> {
    /// The link's header.
    pub raw: &'a HandleObjectInformation,
    /// The `size_of_info` bytes after the header; their format depends on
    /// `raw.info_type` and is not documented.
    pub data: &'a [u8],
    /// File offset of the header.
    pub offset: u64,
}

impl<'a> Stream<'a> for HandleData<'a> {
    const STREAM_TYPE: StreamType = StreamType::HANDLE_DATA;

    fn parse(bytes: Bytes<'a>, dump: &Minidump<'a>) -> Result<Self> {
        let header: &HandleDataStreamHeader = bytes.read(0)?;
        let entries = SizedEntries::after_header::<HandleDataStreamHeader>(
            bytes,
            header.size_of_header.get().into(),
            header.size_of_descriptor.get().into(),
            header.number_of_descriptors.get().into(),
            core::mem::size_of::<HandleDescriptor>() as u64,
            "handle descriptors",
        )?;
        Ok(HandleData { header, entries, dump: *dump })
    }
}

impl<'a> HandleData<'a> {
    /// Number of handles.
    pub fn len(&self) -> usize {
        // The count was checked against the bytes present, so it fits.
        usize::try_from(self.entries.len()).unwrap_or(usize::MAX)
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Whether the descriptors are version 2 (`size_of_descriptor` >= 40).
    pub fn is_v2(&self) -> bool {
        self.header.size_of_descriptor.get() as usize >= core::mem::size_of::<HandleDescriptor2>()
    }

    /// Handle `index`.
    pub fn get(&self, index: usize) -> Option<Handle<'a>> {
        let raw = self.entries.get::<HandleDescriptor>(index as u64)?;
        let raw2 = if self.is_v2() { self.entries.get::<HandleDescriptor2>(index as u64) } else { None };
        Some(Handle { raw, raw2, dump: self.dump })
    }

    /// The handles in file order.
    pub fn iter(&self) -> impl Iterator<Item = Handle<'a>> + 'a {
        let this = *self;
        (0..self.len()).filter_map(move |i| this.get(i))
    }

    /// The first descriptor of handle value `handle`.
    pub fn by_handle(&self, handle: u64) -> Option<Handle<'a>> {
        self.iter().find(|h| h.handle() == handle)
    }
}

impl<'a> Handle<'a> {
    /// The handle value in the dumped process.
    pub fn handle(&self) -> u64 {
        self.raw.handle.get()
    }

    fn string_at(&self, rva: u32) -> Option<Result<MinidumpStr<'a>>> {
        (rva != 0).then(|| MinidumpStr::read(self.dump.bytes(), rva).map_err(|e| e.in_stream(StreamType::HANDLE_DATA)))
    }

    /// The object type's name ("File", "Event", ...); `None` when the RVA is 0.
    pub fn type_name(&self) -> Option<Result<MinidumpStr<'a>>> {
        self.string_at(self.raw.type_name_rva.get())
    }

    /// The object's name; `None` when the RVA is 0.
    pub fn object_name(&self) -> Option<Result<MinidumpStr<'a>>> {
        self.string_at(self.raw.object_name_rva.get())
    }

    /// RVA of the first object-information link (version 2, nonzero only).
    pub fn object_info_rva(&self) -> Option<u32> {
        self.raw2.map(|r| r.object_info_rva.get()).filter(|&rva| rva != 0)
    }

    /// The object-information chain. Iteration ends after the first link
    /// that is out of the file, and after [`MAX_OBJECT_INFO_LINKS`] links
    /// with an error (a chain that long is taken for a loop).
    pub fn object_infos(&self) -> impl Iterator<Item = Result<HandleObjectInfo<'a>>> + 'a {
        let file = self.dump.bytes();
        let mut next = self.object_info_rva();
        let mut links = 0usize;
        core::iter::from_fn(move || {
            let rva = u64::from(next.take()?);
            if links == MAX_OBJECT_INFO_LINKS {
                let e = Error::new(ErrorKind::Malformed("handle object information chain too long"), rva);
                return Some(Err(e.in_stream(StreamType::HANDLE_DATA)));
            }
            links += 1;
            let link = file.read::<HandleObjectInformation>(rva).and_then(|raw| {
                let data = file.sub(rva + 12, raw.size_of_info.get().into())?.as_slice();
                Ok(HandleObjectInfo { raw, data, offset: rva })
            });
            match link {
                Ok(info) => {
                    next = Some(info.raw.next_info_rva.get()).filter(|&r| r != 0);
                    Some(Ok(info))
                }
                Err(e) => Some(Err(e.in_stream(StreamType::HANDLE_DATA))),
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testdump::{dump, parse, put_u32, put_u64, stream_rva, utf16_string, EXTRA_RVA};

    const HANDLES: u32 = 12;

    struct Desc {
        handle: u64,
        type_rva: u32,
        name_rva: u32,
        info_rva: u32,
    }

    /// Header, then descriptors of `size` bytes (32 or 40).
    fn stream(size: u32, count: u32, descs: &[Desc]) -> Vec<u8> {
        let mut b = vec![0u8; 16];
        put_u32(&mut b, 0, 16); // SizeOfHeader
        put_u32(&mut b, 4, size); // SizeOfDescriptor
        put_u32(&mut b, 8, count); // NumberOfDescriptors
        for d in descs {
            let mut e = vec![0u8; size as usize];
            put_u64(&mut e, 0, d.handle); // Handle
            put_u32(&mut e, 8, d.type_rva); // TypeNameRva
            put_u32(&mut e, 12, d.name_rva); // ObjectNameRva
            put_u32(&mut e, 16, 2); // Attributes
            put_u32(&mut e, 20, 0x1f_0003); // GrantedAccess
            put_u32(&mut e, 24, 1); // HandleCount
            put_u32(&mut e, 28, 32_769); // PointerCount
            if size >= 40 {
                put_u32(&mut e, 32, d.info_rva); // ObjectInfoRva
            }
            b.extend_from_slice(&e);
        }
        b
    }

    #[test]
    fn version_1_descriptors() {
        let mut extra = utf16_string("Event");
        let name = EXTRA_RVA + extra.len() as u32;
        extra.extend_from_slice(&utf16_string("\\BaseNamedObjects\\x"));
        let descs = [
            Desc { handle: 4, type_rva: EXTRA_RVA, name_rva: name, info_rva: 0 },
            Desc { handle: 8, type_rva: EXTRA_RVA, name_rva: 0, info_rva: 0 },
        ];
        let file = dump(HANDLES, &stream(32, 2, &descs), &extra);
        let h = parse::<HandleData>(&file).unwrap();
        assert!(!h.is_v2());
        assert_eq!(h.len(), 2);
        let first = h.get(0).unwrap();
        assert_eq!(first.handle(), 4);
        assert_eq!(first.type_name().unwrap().unwrap().to_string_lossy(), "Event");
        assert_eq!(first.object_name().unwrap().unwrap().to_string_lossy(), "\\BaseNamedObjects\\x");
        assert_eq!(first.raw.granted_access.get(), 0x1f_0003);
        assert_eq!(first.raw.pointer_count.get(), 32_769);
        assert!(first.raw2.is_none() && first.object_info_rva().is_none());
        assert_eq!(first.object_infos().count(), 0);
        let second = h.by_handle(8).unwrap();
        assert!(second.object_name().is_none());
    }

    #[test]
    fn version_2_descriptors_and_object_info() {
        // Two links: at 44 (12 + 4 data bytes), then at 60 (12 + 0).
        let mut extra = vec![0u8; 28];
        put_u32(&mut extra, 0, EXTRA_RVA + 16); // NextInfoRva
        put_u32(&mut extra, 4, 6); // InfoType: event
        put_u32(&mut extra, 8, 4); // SizeOfInfo
        extra[12..16].copy_from_slice(&[1, 2, 3, 4]);
        put_u32(&mut extra, 16, 0); // NextInfoRva: end
        put_u32(&mut extra, 20, 1); // InfoType: thread
        put_u32(&mut extra, 24, 0); // SizeOfInfo
        let descs = [Desc { handle: 0x10, type_rva: 0, name_rva: 0, info_rva: EXTRA_RVA }];
        let file = dump(HANDLES, &stream(40, 1, &descs), &extra);
        let h = parse::<HandleData>(&file).unwrap();
        assert!(h.is_v2());
        let d = h.get(0).unwrap();
        assert_eq!(d.raw2.unwrap().object_info_rva.get(), EXTRA_RVA);
        let infos: Vec<_> = d.object_infos().map(|i| i.unwrap()).collect();
        assert_eq!(infos.len(), 2);
        assert_eq!((infos[0].raw.info_type.get(), infos[0].data), (6, &[1u8, 2, 3, 4][..]));
        assert_eq!((infos[1].raw.info_type.get(), infos[1].offset), (1, 60));
    }

    #[test]
    fn looping_object_info_chain_ends() {
        let mut extra = vec![0u8; 12];
        put_u32(&mut extra, 0, EXTRA_RVA); // points at itself
        let descs = [Desc { handle: 1, type_rva: 0, name_rva: 0, info_rva: EXTRA_RVA }];
        let file = dump(HANDLES, &stream(40, 1, &descs), &extra);
        let h = parse::<HandleData>(&file).unwrap();
        let links: Vec<_> = h.get(0).unwrap().object_infos().collect();
        assert_eq!(links.len(), MAX_OBJECT_INFO_LINKS + 1);
        assert!(links.last().unwrap().is_err());
    }

    #[test]
    fn bad_name_rvas_lose_only_their_entry() {
        let extra = utf16_string("File");
        let descs = [
            Desc { handle: 1, type_rva: 0xffff_0000, name_rva: 0, info_rva: 0 },
            Desc { handle: 2, type_rva: EXTRA_RVA, name_rva: 0, info_rva: 0xffff_0000 },
        ];
        let file = dump(HANDLES, &stream(40, 2, &descs), &extra);
        let h = parse::<HandleData>(&file).unwrap();
        let all: Vec<_> = h.iter().collect();
        assert_eq!(all.len(), 2);
        let e = all[0].type_name().unwrap().unwrap_err();
        assert_eq!(e.stream, Some(StreamType::HANDLE_DATA));
        assert_eq!(e.offset, 0xffff_0000);
        assert_eq!(all[1].type_name().unwrap().unwrap().to_string_lossy(), "File");
        let links: Vec<_> = all[1].object_infos().collect();
        assert_eq!(links.len(), 1);
        assert!(links[0].is_err());
    }

    #[test]
    fn huge_count_in_a_tiny_stream() {
        let descs = [Desc { handle: 1, type_rva: 0, name_rva: 0, info_rva: 0 }];
        let file = dump(HANDLES, &stream(32, 0xffff_ffff, &descs), &[]);
        let e = parse::<HandleData>(&file).unwrap_err();
        assert!(matches!(e.kind, ErrorKind::CountTooLarge { count: 0xffff_ffff, entry_size: 32, available: 32, .. }));
        assert_eq!(e.offset, stream_rva(&[]) + 16);
        assert_eq!(e.stream, Some(StreamType::HANDLE_DATA));
    }

    #[test]
    fn truncated_and_undersized() {
        let descs = [
            Desc { handle: 1, type_rva: 0, name_rva: 0, info_rva: 0 },
            Desc { handle: 2, type_rva: 0, name_rva: 0, info_rva: 0 },
        ];
        let mut s = stream(40, 2, &descs);
        s.truncate(16 + 40 + 39);
        let e = parse::<HandleData>(&dump(HANDLES, &s, &[])).unwrap_err();
        assert!(matches!(e.kind, ErrorKind::CountTooLarge { count: 2, available: 79, .. }));
        let mut s = stream(32, 1, &descs[..1]);
        put_u32(&mut s, 4, 24); // SizeOfDescriptor
        let e = parse::<HandleData>(&dump(HANDLES, &s, &[])).unwrap_err();
        assert!(matches!(e.kind, ErrorKind::BadEntrySize { size: 24, minimum: 32, .. }));
    }
}
