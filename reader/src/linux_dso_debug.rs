//! Breakpad's LinuxDsoDebug stream: the dynamic linker's `r_debug`, the
//! list of loaded objects (`link_map`), and a copy of the main executable's
//! dynamic section.
//!
//! The writer uses the structs of its own word size, and nothing in the
//! stream says which, so the layout is chosen by the dump's SystemInfo: a
//! 32-bit CPU (x86, arm, mips, ppc, riscv) means [`Debug32`] and
//! [`LinkMap32`], anything else (or no SystemInfo) [`Debug64`] and
//! [`LinkMap64`].

use crate::bytes::Bytes;
use crate::error::Result;
use crate::minidump::{Minidump, Stream};
use crate::string::MinidumpStr;
use crate::system_info::SystemInfo;
use mdump_format::linux_dso_debug::{Debug32, Debug64, LinkMap32, LinkMap64};
use mdump_format::StreamType;

const STREAM: StreamType = StreamType::LINUX_DSO_DEBUG;

/// The fixed part of the stream, in the dumped process's layout.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DsoDebugHeader<'a> {
    /// `MDRawDebug32` (24 bytes).
    Debug32(&'a Debug32),
    /// `MDRawDebug64` (40 bytes).
    Debug64(&'a Debug64),
}

/// The LinuxDsoDebug stream.
///
/// Parsing reads only the header; the link maps are located by
/// [`Self::link_maps`] and each name is read by [`LinkMap::name`], so a bad
/// `map` RVA keeps the header readable and a bad name loses only its entry.
#[derive(Clone, Copy, Debug)]
pub struct LinuxDsoDebug<'a> {
    /// The fixed part.
    pub header: DsoDebugHeader<'a>,
    dynamic: Bytes<'a>,
    file: Bytes<'a>,
}

impl<'a> Stream<'a> for LinuxDsoDebug<'a> {
    const STREAM_TYPE: StreamType = STREAM;

    fn parse(bytes: Bytes<'a>, dump: &Minidump<'a>) -> Result<Self> {
        LinuxDsoDebug::parse_as(bytes, dump, is_64bit_cpu(dump))
    }
}

/// Whether the dump's SystemInfo names a 64-bit CPU; `true` when it names
/// none or cannot be read.
fn is_64bit_cpu(dump: &Minidump<'_>) -> bool {
    let cpu = dump.stream::<SystemInfo>().ok().flatten().map(|s| s.cpu_name());
    !matches!(cpu, Some("x86" | "arm" | "mips" | "ppc" | "riscv"))
}

impl<'a> LinuxDsoDebug<'a> {
    /// Parses the stream's bytes in the 64-bit layout if `is_64bit`, else
    /// the 32-bit one, whatever SystemInfo says.
    pub fn parse_as(bytes: Bytes<'a>, dump: &Minidump<'a>, is_64bit: bool) -> Result<Self> {
        let (header, header_size) = if is_64bit {
            (DsoDebugHeader::Debug64(bytes.read(0)?), core::mem::size_of::<Debug64>())
        } else {
            (DsoDebugHeader::Debug32(bytes.read(0)?), core::mem::size_of::<Debug32>())
        };
        Ok(LinuxDsoDebug { header, dynamic: bytes.tail(header_size as u64)?, file: dump.bytes() })
    }

    /// Whether the stream is in the 64-bit layout.
    pub fn is_64bit(&self) -> bool {
        matches!(self.header, DsoDebugHeader::Debug64(_))
    }

    /// Version of the `r_debug` protocol (`r_version`).
    pub fn version(&self) -> u32 {
        match self.header {
            DsoDebugHeader::Debug32(h) => h.version.get(),
            DsoDebugHeader::Debug64(h) => h.version.get(),
        }
    }

    /// File offset of the link map array.
    pub fn map_rva(&self) -> u32 {
        match self.header {
            DsoDebugHeader::Debug32(h) => h.map.get(),
            DsoDebugHeader::Debug64(h) => h.map.get(),
        }
    }

    /// Number of link maps the header announces.
    pub fn dso_count(&self) -> u32 {
        match self.header {
            DsoDebugHeader::Debug32(h) => h.dso_count.get(),
            DsoDebugHeader::Debug64(h) => h.dso_count.get(),
        }
    }

    /// Target address a debugger breakpoints to hear of loads (`r_brk`).
    pub fn brk(&self) -> u64 {
        match self.header {
            DsoDebugHeader::Debug32(h) => h.brk.get().into(),
            DsoDebugHeader::Debug64(h) => h.brk.get(),
        }
    }

    /// Base address of the dynamic linker (`r_ldbase`).
    pub fn ldbase(&self) -> u64 {
        match self.header {
            DsoDebugHeader::Debug32(h) => h.ldbase.get().into(),
            DsoDebugHeader::Debug64(h) => h.ldbase.get(),
        }
    }

    /// Target address of the `_DYNAMIC` array the [`Self::dynamic`] bytes
    /// were copied from.
    pub fn dynamic_address(&self) -> u64 {
        match self.header {
            DsoDebugHeader::Debug32(h) => h.dynamic.get().into(),
            DsoDebugHeader::Debug64(h) => h.dynamic.get(),
        }
    }

    /// The copy of the dynamic section (`Elf32_Dyn` or `Elf64_Dyn` entries)
    /// that follows the header, to the end of the stream; not interpreted.
    pub fn dynamic(&self) -> Bytes<'a> {
        self.dynamic
    }

    /// The link maps: [`Self::dso_count`] entries at [`Self::map_rva`],
    /// viewed in place after checking that the file holds them all. A count
    /// of 0 gives an empty list whatever the RVA.
    pub fn link_maps(&self) -> Result<LinkMaps<'a>> {
        let count = u64::from(self.dso_count());
        let rva = u64::from(self.map_rva());
        let entries = match self.header {
            DsoDebugHeader::Debug32(_) => LinkMapEntries::LinkMap32(self.array(rva, count)?),
            DsoDebugHeader::Debug64(_) => LinkMapEntries::LinkMap64(self.array(rva, count)?),
        };
        Ok(LinkMaps { entries, rva, file: self.file })
    }

    fn array<T>(&self, rva: u64, count: u64) -> Result<&'a [T]>
    where
        T: zerocopy::FromBytes + zerocopy::Immutable + zerocopy::Unaligned,
    {
        if count == 0 {
            return Ok(&[]);
        }
        self.file.array(rva, count, "link maps").map_err(|e| e.in_stream(STREAM))
    }
}

/// The link map array, in the stream's layout.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LinkMapEntries<'a> {
    /// `MDRawLinkMap32` entries (12 bytes each).
    LinkMap32(&'a [LinkMap32]),
    /// `MDRawLinkMap64` entries (24 bytes each).
    LinkMap64(&'a [LinkMap64]),
}

/// The loaded objects of a [`LinuxDsoDebug`] stream, in the dynamic
/// linker's order.
#[derive(Clone, Copy, Debug)]
pub struct LinkMaps<'a> {
    /// The on-disk entries.
    pub entries: LinkMapEntries<'a>,
    rva: u64,
    file: Bytes<'a>,
}

impl<'a> LinkMaps<'a> {
    /// Number of entries.
    pub fn len(&self) -> usize {
        match self.entries {
            LinkMapEntries::LinkMap32(e) => e.len(),
            LinkMapEntries::LinkMap64(e) => e.len(),
        }
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Entry `index`.
    pub fn get(&self, index: usize) -> Option<LinkMap<'a>> {
        let (raw, size) = match self.entries {
            LinkMapEntries::LinkMap32(e) => (RawLinkMap::LinkMap32(e.get(index)?), 12),
            LinkMapEntries::LinkMap64(e) => (RawLinkMap::LinkMap64(e.get(index)?), 24),
        };
        // `index * size` lies inside the file: the array was checked.
        let offset = self.rva + index as u64 * size;
        Some(LinkMap { raw, offset, file: self.file })
    }

    /// The entries in file order.
    pub fn iter(&self) -> LinkMapIter<'a> {
        LinkMapIter { maps: *self, index: 0 }
    }
}

/// Iterator over the entries of [`LinkMaps`].
#[derive(Clone, Debug)]
pub struct LinkMapIter<'a> {
    maps: LinkMaps<'a>,
    index: usize,
}

impl<'a> Iterator for LinkMapIter<'a> {
    type Item = LinkMap<'a>;

    fn next(&mut self) -> Option<LinkMap<'a>> {
        let entry = self.maps.get(self.index)?;
        self.index += 1;
        Some(entry)
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        let left = self.maps.len().saturating_sub(self.index);
        (left, Some(left))
    }
}

impl ExactSizeIterator for LinkMapIter<'_> {}

/// One on-disk link map entry, in the stream's layout.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RawLinkMap<'a> {
    /// A 32-bit entry.
    LinkMap32(&'a LinkMap32),
    /// A 64-bit entry.
    LinkMap64(&'a LinkMap64),
}

/// One loaded object (`struct link_map`).
#[derive(Clone, Copy, Debug)]
pub struct LinkMap<'a> {
    /// The on-disk entry.
    pub raw: RawLinkMap<'a>,
    offset: u64,
    file: Bytes<'a>,
}

impl<'a> LinkMap<'a> {
    /// File offset of the entry.
    pub fn offset(&self) -> u64 {
        self.offset
    }

    /// The object's load bias (`l_addr`): memory address minus file address.
    pub fn addr(&self) -> u64 {
        match self.raw {
            RawLinkMap::LinkMap32(m) => m.addr.get().into(),
            RawLinkMap::LinkMap64(m) => m.addr.get(),
        }
    }

    /// Target address of the object's dynamic section (`l_ld`).
    pub fn ld(&self) -> u64 {
        match self.raw {
            RawLinkMap::LinkMap32(m) => m.ld.get().into(),
            RawLinkMap::LinkMap64(m) => m.ld.get(),
        }
    }

    /// File offset of the name's `MINIDUMP_STRING`; 0 when the writer had no
    /// name (a null `l_name`).
    pub fn name_rva(&self) -> u32 {
        match self.raw {
            RawLinkMap::LinkMap32(m) => m.name.get(),
            RawLinkMap::LinkMap64(m) => m.name.get(),
        }
    }

    /// The object's path (`l_name`; often empty for the main executable);
    /// `None` when [`Self::name_rva`] is 0. An unreadable name is an error
    /// for this entry only.
    pub fn name(&self) -> Result<Option<MinidumpStr<'a>>> {
        match self.name_rva() {
            0 => Ok(None),
            rva => MinidumpStr::read(self.file, rva).map(Some).map_err(|e| e.in_stream(STREAM)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ErrorKind;

    const SYSTEM_INFO: u32 = 7;
    const DSO_DEBUG: u32 = 0x4767_000a;
    const X86: u16 = 0;
    const ARM: u16 = 5;
    const AMD64: u16 = 9;
    /// File offset of the first `extra` byte.
    const EXTRA: usize = 112;

    fn put_u32(buf: &mut [u8], at: usize, v: u32) {
        buf[at..at + 4].copy_from_slice(&v.to_le_bytes());
    }

    fn put_u64(buf: &mut [u8], at: usize, v: u64) {
        buf[at..at + 8].copy_from_slice(&v.to_le_bytes());
    }

    /// Header; directory of two entries at 32 (SystemInfo, or an unused
    /// entry when `arch` is `None`, then LinuxDsoDebug); the 56-byte
    /// SystemInfo at 56 with `arch` at its start; `extra` at 112; the stream
    /// right after `extra`.
    fn file(arch: Option<u16>, stream: &[u8], extra: &[u8]) -> Vec<u8> {
        let mut f = vec![0u8; EXTRA];
        f[0..4].copy_from_slice(b"MDMP");
        put_u32(&mut f, 4, 0xa793); // Version
        put_u32(&mut f, 8, 2); // NumberOfStreams
        put_u32(&mut f, 12, 32); // StreamDirectoryRva
        put_u32(&mut f, 32, if arch.is_some() { SYSTEM_INFO } else { 0 });
        put_u32(&mut f, 36, 56); // DataSize
        put_u32(&mut f, 40, 56); // Rva
        put_u32(&mut f, 44, DSO_DEBUG);
        put_u32(&mut f, 48, stream.len() as u32);
        put_u32(&mut f, 52, (EXTRA + extra.len()) as u32);
        f[56..58].copy_from_slice(&arch.unwrap_or(0).to_le_bytes()); // ProcessorArchitecture
        f.extend_from_slice(extra);
        f.extend_from_slice(stream);
        f
    }

    /// `MINIDUMP_STRING`: byte length, UTF-16LE, a NUL unit.
    fn utf16(s: &str) -> Vec<u8> {
        let units: Vec<u16> = s.encode_utf16().collect();
        let mut v = ((2 * units.len()) as u32).to_le_bytes().to_vec();
        for u in units {
            v.extend_from_slice(&u.to_le_bytes());
        }
        v.extend_from_slice(&[0, 0]);
        v
    }

    /// `MDRawDebug64`: version @0, map @4, dso_count @8, padding @12, brk
    /// @16, ldbase @24, dynamic @32; then `dynamic`.
    fn debug64(map: u32, count: u32, dynamic: &[u8]) -> Vec<u8> {
        let mut s = vec![0u8; 40];
        put_u32(&mut s, 0, 1);
        put_u32(&mut s, 4, map);
        put_u32(&mut s, 8, count);
        put_u64(&mut s, 16, 0x7f00_0000_1000);
        put_u64(&mut s, 24, 0x7f00_0000_0000);
        put_u64(&mut s, 32, 0x5555_0000_2000);
        s.extend_from_slice(dynamic);
        s
    }

    /// `MDRawLinkMap64` entries: addr @0, name @8, padding @12, ld @16.
    fn maps64(entries: &[(u64, u32, u64)]) -> Vec<u8> {
        let mut v = vec![0u8; 24 * entries.len()];
        for (i, &(addr, name, ld)) in entries.iter().enumerate() {
            put_u64(&mut v, 24 * i, addr);
            put_u32(&mut v, 24 * i + 8, name);
            put_u64(&mut v, 24 * i + 16, ld);
        }
        v
    }

    fn parse(file: &[u8]) -> Result<LinuxDsoDebug<'_>> {
        Ok(Minidump::parse(file)?.stream::<LinuxDsoDebug>()?.expect("stream present"))
    }

    #[test]
    fn normal_64bit_stream() {
        // Link maps at 112..160, the name at 160.
        let mut extra = maps64(&[(0x7f00_0000_0000, 160, 0x7f00_0001_0000), (0, 0, 0x5555_0000_3000)]);
        extra.extend_from_slice(&utf16("/lib/libc.so.6"));
        let dynamic = [1u8, 0, 0, 0, 0, 0, 0, 0, 0x10, 0, 0, 0, 0, 0, 0, 0];
        let stream = debug64(112, 2, &dynamic);
        for arch in [Some(AMD64), None] {
            let f = file(arch, &stream, &extra);
            let d = parse(&f).unwrap();
            assert!(d.is_64bit());
            assert_eq!((d.version(), d.map_rva(), d.dso_count()), (1, 112, 2));
            assert_eq!(d.brk(), 0x7f00_0000_1000);
            assert_eq!(d.ldbase(), 0x7f00_0000_0000);
            assert_eq!(d.dynamic_address(), 0x5555_0000_2000);
            assert_eq!(d.dynamic().as_slice(), &dynamic);
            assert_eq!(d.dynamic().base(), (EXTRA + extra.len() + 40) as u64);
            let maps = d.link_maps().unwrap();
            assert_eq!(maps.len(), 2);
            let all: Vec<_> = maps.iter().collect();
            assert_eq!(maps.iter().len(), 2);
            assert_eq!(all[0].addr(), 0x7f00_0000_0000);
            assert_eq!(all[0].ld(), 0x7f00_0001_0000);
            assert_eq!(all[0].offset(), 112);
            assert_eq!(all[0].name().unwrap().unwrap().to_string_lossy(), "/lib/libc.so.6");
            assert_eq!(all[1].addr(), 0);
            assert_eq!(all[1].ld(), 0x5555_0000_3000);
            assert_eq!(all[1].offset(), 136);
            assert_eq!(all[1].name().unwrap(), None);
            assert!(maps.get(2).is_none());
        }
    }

    #[test]
    fn normal_32bit_stream() {
        // Link maps (addr @0, name @4, ld @8) at 112..136, the name at 136.
        let mut extra = vec![0u8; 24];
        put_u32(&mut extra, 0, 0xb7e0_0000);
        put_u32(&mut extra, 4, 136);
        put_u32(&mut extra, 8, 0xb7f0_0f00);
        put_u32(&mut extra, 12, 0x1000);
        put_u32(&mut extra, 16, 136);
        put_u32(&mut extra, 20, 0x0804_9f00);
        extra.extend_from_slice(&utf16("libm.so"));
        // MDRawDebug32: version, map, dso_count, brk, ldbase, dynamic; then 8 dynamic bytes.
        let mut stream = vec![0u8; 24];
        for (i, v) in [1u32, 112, 2, 0xb7f1_0000, 0xb7f0_0000, 0x0804_9f00].iter().enumerate() {
            put_u32(&mut stream, 4 * i, *v);
        }
        stream.extend_from_slice(&[0xaa; 8]);
        for arch in [X86, ARM] {
            let f = file(Some(arch), &stream, &extra);
            let d = parse(&f).unwrap();
            assert!(!d.is_64bit());
            assert!(matches!(d.header, DsoDebugHeader::Debug32(_)));
            assert_eq!((d.version(), d.map_rva(), d.dso_count()), (1, 112, 2));
            assert_eq!((d.brk(), d.ldbase(), d.dynamic_address()), (0xb7f1_0000, 0xb7f0_0000, 0x0804_9f00));
            assert_eq!(d.dynamic().as_slice(), &[0xaa; 8]);
            let maps = d.link_maps().unwrap();
            assert!(matches!(maps.entries, LinkMapEntries::LinkMap32(e) if e.len() == 2));
            let m: Vec<_> = maps.iter().collect();
            assert_eq!((m[0].addr(), m[0].ld(), m[0].offset()), (0xb7e0_0000, 0xb7f0_0f00, 112));
            assert_eq!((m[1].addr(), m[1].ld(), m[1].offset()), (0x1000, 0x0804_9f00, 124));
            for e in m {
                assert_eq!(e.name_rva(), 136);
                assert_eq!(e.name().unwrap().unwrap().to_string_lossy(), "libm.so");
            }
        }
        // The same bytes read as the 64-bit layout are too short.
        let f = file(Some(X86), &stream[..24], &extra);
        let dump = Minidump::parse(&f).unwrap();
        let bytes = dump.raw_stream(StreamType::LINUX_DSO_DEBUG).unwrap().unwrap();
        assert!(LinuxDsoDebug::parse_as(bytes, &dump, true).is_err());
        assert!(LinuxDsoDebug::parse_as(bytes, &dump, false).unwrap().dynamic().is_empty());
    }

    #[test]
    fn huge_count_in_a_tiny_file_is_a_clean_error() {
        let extra = maps64(&[(1, 0, 2)]);
        let f = file(Some(AMD64), &debug64(112, 0xffff_ffff, &[]), &extra);
        let d = parse(&f).unwrap();
        // The header stays readable.
        assert_eq!(d.dso_count(), 0xffff_ffff);
        assert_eq!(d.brk(), 0x7f00_0000_1000);
        let e = d.link_maps().unwrap_err();
        assert!(matches!(e.kind, ErrorKind::CountTooLarge { count: 0xffff_ffff, entry_size: 24, available: 64, .. }));
        assert_eq!(e.offset, 112);
        assert_eq!(e.stream, Some(StreamType::LINUX_DSO_DEBUG));
    }

    #[test]
    fn map_rva_out_of_the_file() {
        let f = file(Some(AMD64), &debug64(0xffff_fff0, 1, &[]), &[]);
        let e = parse(&f).unwrap().link_maps().unwrap_err();
        assert_eq!(e.offset, 0xffff_fff0);
        assert_eq!(e.stream, Some(StreamType::LINUX_DSO_DEBUG));
        // No entries: the RVA is never followed.
        let f = file(Some(AMD64), &debug64(0xffff_fff0, 0, &[]), &[]);
        assert!(parse(&f).unwrap().link_maps().unwrap().is_empty());
    }

    #[test]
    fn truncated_headers() {
        let s = debug64(112, 0, &[]);
        let f = file(Some(AMD64), &s[..39], &[]);
        let e = parse(&f).unwrap_err();
        assert_eq!(e.kind, ErrorKind::Truncated { needed: 40, available: 39 });
        assert_eq!(e.offset, EXTRA as u64);
        assert_eq!(e.stream, Some(StreamType::LINUX_DSO_DEBUG));
        let f = file(Some(X86), &s[..23], &[]);
        let e = parse(&f).unwrap_err();
        assert_eq!(e.kind, ErrorKind::Truncated { needed: 24, available: 23 });
        // The directory promises more than the file holds.
        let mut f = file(Some(AMD64), &s, &[]);
        f.truncate(EXTRA + 20);
        assert!(matches!(parse(&f).unwrap_err().kind, ErrorKind::Truncated { .. }));
    }

    #[test]
    fn a_bad_name_loses_only_its_entry() {
        // Four link maps at 112..208, "a" at 208, a string length of 4 GiB at 216.
        let mut extra = maps64(&[(1, 208, 0), (2, 0xffff_fff0, 0), (3, 216, 0), (4, 208, 0)]);
        extra.extend_from_slice(&utf16("a"));
        extra.extend_from_slice(&u32::MAX.to_le_bytes());
        let f = file(Some(AMD64), &debug64(112, 4, &[]), &extra);
        let d = parse(&f).unwrap();
        let names: Vec<_> = d.link_maps().unwrap().iter().map(|m| (m.addr(), m.name())).collect();
        assert_eq!(names.len(), 4);
        assert_eq!(names[0].1.clone().unwrap().unwrap().to_string_lossy(), "a");
        let e = names[1].1.clone().unwrap_err();
        assert!(matches!(e.kind, ErrorKind::Truncated { .. }));
        assert_eq!(e.stream, Some(StreamType::LINUX_DSO_DEBUG));
        let e = names[2].1.clone().unwrap_err();
        assert!(matches!(e.kind, ErrorKind::Malformed(_)));
        assert_eq!(e.offset, 216);
        assert_eq!(names[3].0, 4);
        assert_eq!(names[3].1.clone().unwrap().unwrap().to_string_lossy(), "a");
    }
}
