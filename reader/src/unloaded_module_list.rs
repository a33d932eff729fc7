//! The UnloadedModuleList stream: modules the process had loaded and then
//! unloaded, as far as the OS remembers them.

use crate::bytes::Bytes;
use crate::error::Result;
use crate::list::SizedEntries;
use crate::minidump::{Minidump, Stream};
use crate::string::MinidumpStr;
use mdump_format::unloaded_module::{UnloadedModule as RawUnloadedModule, UnloadedModuleListHeader};
use mdump_format::StreamType;

/// The UnloadedModuleList stream: a header and fixed-size entries, viewed in
/// place. Entries larger than the known structure are accepted.
#[derive(Clone, Copy, Debug)]
pub struct UnloadedModuleList<'a> {
    /// The on-disk header.
    pub header: &'a UnloadedModuleListHeader,
    entries: SizedEntries<'a>,
    dump: Minidump<'a>,
}

/// One module of an [`UnloadedModuleList`].
#[derive(Clone, Copy, Debug)]
pub struct UnloadedModule<'a> {
    /// The on-disk entry.
    pub raw: &'a RawUnloadedModule,
    dump: Minidump<'a>,
}

impl<'a> Stream<'a> for UnloadedModuleList<'a> {
    const STREAM_TYPE: StreamType = StreamType::UNLOADED_MODULE_LIST;

    fn parse(bytes: Bytes<'a>, dump: &Minidump<'a>) -> Result<Self> {
        let header: &UnloadedModuleListHeader = bytes.read(0)?;
        let entries = SizedEntries::after_header::<UnloadedModuleListHeader>(
            bytes,
            header.size_of_header.get().into(),
            header.size_of_entry.get().into(),
            header.number_of_entries.get().into(),
            core::mem::size_of::<RawUnloadedModule>() as u64,
            "unloaded modules",
        )?;
        Ok(UnloadedModuleList { header, entries, dump: *dump })
    }
}

impl<'a> UnloadedModuleList<'a> {
    /// Number of modules.
    pub fn len(&self) -> usize {
        // The count was checked against the bytes present, so it fits.
        usize::try_from(self.entries.len()).unwrap_or(usize::MAX)
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Module `index`.
    pub fn get(&self, index: usize) -> Option<UnloadedModule<'a>> {
        self.entries.get(index as u64).map(|raw| UnloadedModule { raw, dump: self.dump })
    }

    /// The modules in file order. Each reads its name on demand, so one bad
    /// name does not lose the others.
    pub fn iter(&self) -> impl Iterator<Item = UnloadedModule<'a>> + 'a {
        let dump = self.dump;
        self.entries.iter().map(move |raw| UnloadedModule { raw, dump })
    }

    /// Every module whose `[base, base + size)` held `address`. Unlike
    /// loaded modules, several may: the same range can be reused by
    /// successive loads.
    pub fn by_address(&self, address: u64) -> impl Iterator<Item = UnloadedModule<'a>> + 'a {
        self.iter().filter(move |m| m.contains(address))
    }
}

impl<'a> UnloadedModule<'a> {
    /// Address the image was loaded at.
    pub fn base(&self) -> u64 {
        self.raw.base_of_image.get()
    }

    /// Size of the image in bytes.
    pub fn size(&self) -> u64 {
        self.raw.size_of_image.get().into()
    }

    /// Whether `address` was inside the image.
    pub fn contains(&self, address: u64) -> bool {
        address >= self.base() && address - self.base() < self.size()
    }

    /// The module's path.
    pub fn name(&self) -> Result<MinidumpStr<'a>> {
        MinidumpStr::read(self.dump.bytes(), self.raw.module_name_rva.get())
            .map_err(|e| e.in_stream(StreamType::UNLOADED_MODULE_LIST))
    }

    /// The module's path decoded, or "" if it is unreadable.
    pub fn code_file(&self) -> String {
        self.name().map(|n| n.to_string_lossy()).unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ErrorKind;
    use crate::testdump::{dump, parse, put_u32, put_u64, stream_rva, utf16_string, EXTRA_RVA};

    const UML: u32 = 14;

    /// `(base, size, name_rva)` of each module.
    fn stream(entry_size: u32, count: u32, modules: &[(u64, u32, u32)]) -> Vec<u8> {
        let mut b = vec![0u8; 12];
        put_u32(&mut b, 0, 12); // SizeOfHeader
        put_u32(&mut b, 4, entry_size); // SizeOfEntry
        put_u32(&mut b, 8, count); // NumberOfEntries
        for &(base, size, name_rva) in modules {
            let mut e = vec![0u8; entry_size as usize];
            put_u64(&mut e, 0, base); // BaseOfImage
            put_u32(&mut e, 8, size); // SizeOfImage
            put_u32(&mut e, 12, 0xc0de); // CheckSum
            put_u32(&mut e, 16, 0x5f00_0000); // TimeDateStamp
            put_u32(&mut e, 20, name_rva); // ModuleNameRva
            b.extend_from_slice(&e);
        }
        b
    }

    #[test]
    fn normal_stream() {
        let mut extra = utf16_string("c:\\a.dll");
        let second = EXTRA_RVA + extra.len() as u32;
        extra.extend_from_slice(&utf16_string("c:\\b.dll"));
        let mods = [(0x1000_0000, 0x2000, EXTRA_RVA), (0x1000_1000, 0x2000, second)];
        let file = dump(UML, &stream(24, 2, &mods), &extra);
        let l = parse::<UnloadedModuleList>(&file).unwrap();
        assert_eq!(l.len(), 2);
        let a = l.get(0).unwrap();
        assert_eq!((a.base(), a.size()), (0x1000_0000, 0x2000));
        assert_eq!(a.raw.checksum.get(), 0xc0de);
        assert_eq!(a.raw.time_date_stamp.get(), 0x5f00_0000);
        assert_eq!(a.code_file(), "c:\\a.dll");
        // The ranges overlap: both held 0x1000_1800.
        let names: Vec<_> = l.by_address(0x1000_1800).map(|m| m.code_file()).collect();
        assert_eq!(names, ["c:\\a.dll", "c:\\b.dll"]);
        assert_eq!(l.by_address(0x1000_2fff).count(), 1);
        assert_eq!(l.by_address(0x1000_3000).count(), 0);
    }

    #[test]
    fn bad_name_rva_loses_only_its_entry() {
        let extra = utf16_string("ok.dll");
        let mods = [(0x1000, 0x1000, 0xffff_fff0), (0x2000, 0x1000, EXTRA_RVA)];
        let file = dump(UML, &stream(32, 2, &mods), &extra);
        let l = parse::<UnloadedModuleList>(&file).unwrap();
        let all: Vec<_> = l.iter().collect();
        assert_eq!(all.len(), 2);
        let e = all[0].name().unwrap_err();
        assert_eq!(e.stream, Some(StreamType::UNLOADED_MODULE_LIST));
        assert_eq!(e.offset, 0xffff_fff0);
        assert_eq!(all[0].code_file(), "");
        assert_eq!(all[1].name().unwrap().to_string_lossy(), "ok.dll");
    }

    #[test]
    fn huge_count_in_a_tiny_stream() {
        let file = dump(UML, &stream(24, 0xffff_ffff, &[(0, 0, 0)]), &[]);
        let e = parse::<UnloadedModuleList>(&file).unwrap_err();
        assert!(matches!(e.kind, ErrorKind::CountTooLarge { count: 0xffff_ffff, entry_size: 24, available: 24, .. }));
        assert_eq!(e.offset, stream_rva(&[]) + 12);
        assert_eq!(e.stream, Some(StreamType::UNLOADED_MODULE_LIST));
    }

    #[test]
    fn truncated_entry_and_bad_sizes() {
        let mut s = stream(24, 2, &[(0, 0, 0), (0, 0, 0)]);
        s.truncate(12 + 24 + 23);
        let e = parse::<UnloadedModuleList>(&dump(UML, &s, &[])).unwrap_err();
        assert!(matches!(e.kind, ErrorKind::CountTooLarge { count: 2, available: 47, .. }));
        let mut s = stream(24, 1, &[(0, 0, 0)]);
        put_u32(&mut s, 4, 20); // SizeOfEntry
        let e = parse::<UnloadedModuleList>(&dump(UML, &s, &[])).unwrap_err();
        assert!(matches!(e.kind, ErrorKind::BadEntrySize { size: 20, minimum: 24, .. }));
        put_u32(&mut s, 0, 0); // SizeOfHeader
        let e = parse::<UnloadedModuleList>(&dump(UML, &s, &[])).unwrap_err();
        assert!(matches!(e.kind, ErrorKind::BadEntrySize { size: 0, minimum: 12, .. }));
    }
}
