//! The FunctionTable stream: function tables registered at run time (JIT
//! code and the like), whose unwind data lives outside any module.

use crate::bytes::Bytes;
use crate::error::{Error, ErrorKind, Result};
use crate::minidump::{Minidump, Stream};
use mdump_format::function_table::{FunctionTableDescriptor, FunctionTableStreamHeader};
use mdump_format::StreamType;

/// The FunctionTable stream: a header, then one record per table.
///
/// Records have different sizes (their entry counts differ), so they are
/// walked in order; [`FunctionTable::iter`] ends after the first record that
/// does not fit.
#[derive(Clone, Copy, Debug)]
pub struct FunctionTable<'a> {
    /// The on-disk header.
    pub header: &'a FunctionTableStreamHeader,
    /// The stream from the first record on (after the header's padding).
    tables: Bytes<'a>,
}

/// One function table of a [`FunctionTable`] stream.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FunctionTableRecord<'a> {
    /// The generic descriptor (the first 32 of the header's
    /// `size_of_descriptor` bytes).
    pub descriptor: &'a FunctionTableDescriptor,
    /// The OS's own descriptor of the table (`size_of_native_descriptor`
    /// bytes; platform-specific).
    pub native_descriptor: &'a [u8],
    /// The raw function entries: `entry_count` entries of the header's
    /// `size_of_function_entry` bytes (e.g. x64 `RUNTIME_FUNCTION`s).
    pub entries: &'a [u8],
    /// Size of one function entry.
    pub entry_size: u32,
    /// File offset of the record.
    pub offset: u64,
}

impl<'a> FunctionTableRecord<'a> {
    /// Each raw function entry (none when the entry size is 0).
    pub fn function_entries(&self) -> impl Iterator<Item = &'a [u8]> + 'a {
        let entries: &'a [u8] = if self.entry_size == 0 { &[] } else { self.entries };
        entries.chunks_exact((self.entry_size as usize).max(1))
    }
}

impl<'a> Stream<'a> for FunctionTable<'a> {
    const STREAM_TYPE: StreamType = StreamType::FUNCTION_TABLE;

    fn parse(bytes: Bytes<'a>, _dump: &Minidump<'a>) -> Result<Self> {
        let header: &FunctionTableStreamHeader = bytes.read(0)?;
        let header_size = u64::from(header.size_of_header.get());
        let descriptor_size = u64::from(header.size_of_descriptor.get());
        let sizes = [
            ("function table stream header", header_size, core::mem::size_of::<FunctionTableStreamHeader>(), 0),
            ("function table descriptor", descriptor_size, core::mem::size_of::<FunctionTableDescriptor>(), 4),
        ];
        for (what, size, minimum, field) in sizes {
            if size < minimum as u64 {
                return Err(Error::new(
                    ErrorKind::BadEntrySize { what, size, minimum: minimum as u64 },
                    bytes.base() + field,
                ));
            }
        }
        let tables = bytes.tail(header_size + u64::from(header.size_of_align_pad.get()))?;
        // Every record holds at least its two descriptors: a count that
        // cannot fit is rejected before anything walks it.
        let count = u64::from(header.number_of_descriptors.get());
        let smallest = descriptor_size + u64::from(header.size_of_native_descriptor.get());
        let available = tables.len() as u64;
        let fits = count.checked_mul(smallest).is_some_and(|n| n <= available);
        if !fits {
            return Err(Error::new(
                ErrorKind::CountTooLarge { what: "function tables", count, entry_size: smallest, available },
                tables.base(),
            ));
        }
        Ok(FunctionTable { header, tables })
    }
}

impl<'a> FunctionTable<'a> {
    /// Number of tables the header declares.
    pub fn len(&self) -> usize {
        self.header.number_of_descriptors.get() as usize
    }

    /// Whether the header declares none.
    pub fn is_empty(&self) -> bool {
        self.header.number_of_descriptors.get() == 0
    }

    /// The tables in file order; iteration ends after the first error.
    pub fn iter(&self) -> impl Iterator<Item = Result<FunctionTableRecord<'a>>> + 'a {
        let tables = self.tables;
        let descriptor_size = u64::from(self.header.size_of_descriptor.get());
        let native_size = u64::from(self.header.size_of_native_descriptor.get());
        let entry_size = self.header.size_of_function_entry.get();
        let mut offset = Some(0u64);
        (0..self.header.number_of_descriptors.get()).map_while(move |_| {
            let at = offset.take()?;
            let record = tables.sub(at, descriptor_size).and_then(|d| {
                let descriptor = d.read::<FunctionTableDescriptor>(0)?;
                let native = tables.sub(at + descriptor_size, native_size)?;
                let entries_len = u64::from(descriptor.entry_count.get()) * u64::from(entry_size);
                let entries_at = at + descriptor_size + native_size;
                let entries = tables.sub(entries_at, entries_len)?;
                let pad = u64::from(descriptor.size_of_align_pad.get());
                offset = Some(entries_at + entries_len + pad);
                Ok(FunctionTableRecord {
                    descriptor,
                    native_descriptor: native.as_slice(),
                    entries: entries.as_slice(),
                    entry_size,
                    offset: tables.base() + at,
                })
            });
            Some(record.map_err(|e| e.in_stream(StreamType::FUNCTION_TABLE)))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testdump::{dump, parse, put_u32, put_u64, stream_rva};

    const FT: u32 = 13;

    /// A table: `(minimum_address, entry_count as written, entry bytes,
    /// align pad)`; native descriptors are 8 bytes of `0xee`.
    type Table<'t> = (u64, u32, &'t [u8], u32);

    /// Header (24 bytes, 4 bytes of padding), then the tables; entries are
    /// 12 bytes each.
    fn stream(count: u32, tables: &[Table]) -> Vec<u8> {
        let mut b = vec![0u8; 28];
        put_u32(&mut b, 0, 24); // SizeOfHeader
        put_u32(&mut b, 4, 32); // SizeOfDescriptor
        put_u32(&mut b, 8, 8); // SizeOfNativeDescriptor
        put_u32(&mut b, 12, 12); // SizeOfFunctionEntry
        put_u32(&mut b, 16, count); // NumberOfDescriptors
        put_u32(&mut b, 20, 4); // SizeOfAlignPad
        for &(min, entry_count, entries, pad) in tables {
            let mut d = vec![0u8; 32];
            put_u64(&mut d, 0, min); // MinimumAddress
            put_u64(&mut d, 8, min + 0x1000); // MaximumAddress
            put_u64(&mut d, 16, min & !0xffff); // BaseAddress
            put_u32(&mut d, 24, entry_count); // EntryCount
            put_u32(&mut d, 28, pad); // SizeOfAlignPad
            b.extend_from_slice(&d);
            b.extend_from_slice(&[0xee; 8]);
            b.extend_from_slice(entries);
            b.extend_from_slice(&vec![0xaa; pad as usize]);
        }
        b
    }

    #[test]
    fn normal_stream() {
        let e1: Vec<u8> = (0..24).collect();
        let s = stream(2, &[(0x5_1000, 2, &e1, 4), (0x6_2000, 0, &[], 0)]);
        let file = dump(FT, &s, &[]);
        let t = parse::<FunctionTable>(&file).unwrap();
        assert_eq!(t.len(), 2);
        let all: Vec<_> = t.iter().map(|r| r.unwrap()).collect();
        assert_eq!(all.len(), 2);
        assert_eq!(all[0].descriptor.minimum_address.get(), 0x5_1000);
        assert_eq!(all[0].descriptor.maximum_address.get(), 0x5_2000);
        assert_eq!(all[0].descriptor.base_address.get(), 0x5_0000);
        assert_eq!(all[0].native_descriptor, &[0xee; 8]);
        assert_eq!(all[0].entries, &e1[..]);
        let entries: Vec<_> = all[0].function_entries().collect();
        assert_eq!(entries, [&e1[..12], &e1[12..]]);
        assert_eq!(all[0].offset, stream_rva(&[]) + 28);
        // The second record starts after the first's 4 bytes of padding.
        assert_eq!(all[1].offset, stream_rva(&[]) + 28 + 32 + 8 + 24 + 4);
        assert_eq!(all[1].descriptor.minimum_address.get(), 0x6_2000);
        assert!(all[1].entries.is_empty());
    }

    #[test]
    fn huge_count_in_a_tiny_stream() {
        let file = dump(FT, &stream(0xffff_ffff, &[(0, 0, &[], 0)]), &[]);
        let e = parse::<FunctionTable>(&file).unwrap_err();
        assert!(matches!(e.kind, ErrorKind::CountTooLarge { count: 0xffff_ffff, entry_size: 40, available: 40, .. }));
        assert_eq!(e.offset, stream_rva(&[]) + 28);
        assert_eq!(e.stream, Some(StreamType::FUNCTION_TABLE));
    }

    #[test]
    fn huge_entry_count_is_an_error_for_that_record() {
        // The first record is fine; the second claims 4 billion entries.
        let s = stream(2, &[(0x1000, 1, &[1; 12], 0), (0x2000, 0xffff_ffff, &[2; 12], 0)]);
        let file = dump(FT, &s, &[]);
        let all: Vec<_> = parse::<FunctionTable>(&file).unwrap().iter().collect();
        assert_eq!(all.len(), 2);
        assert_eq!(all[0].as_ref().unwrap().entries, &[1; 12]);
        let e = all[1].clone().unwrap_err();
        assert!(matches!(e.kind, ErrorKind::Truncated { needed: 0xb_ffff_fff4, available: 12 }));
        assert_eq!(e.offset, stream_rva(&[]) + 28 + 52 + 40);
        assert_eq!(e.stream, Some(StreamType::FUNCTION_TABLE));
    }

    #[test]
    fn truncated_record() {
        let mut s = stream(2, &[(0x1000, 0, &[], 0), (0x2000, 0, &[], 0)]);
        s.truncate(s.len() - 1);
        let e = parse::<FunctionTable>(&dump(FT, &s, &[])).unwrap_err();
        assert!(matches!(e.kind, ErrorKind::CountTooLarge { count: 2, available: 79, .. }));
        // The count fits, but the first record's entries run past the end.
        let s = stream(1, &[(0x1000, 2, &[0; 12], 0)]);
        let file = dump(FT, &s, &[]);
        let all: Vec<_> = parse::<FunctionTable>(&file).unwrap().iter().collect();
        assert_eq!(all.len(), 1);
        assert!(matches!(all[0].clone().unwrap_err().kind, ErrorKind::Truncated { needed: 24, available: 12 }));
    }

    #[test]
    fn small_sizes_are_rejected() {
        let mut s = stream(0, &[]);
        put_u32(&mut s, 4, 16); // SizeOfDescriptor
        let e = parse::<FunctionTable>(&dump(FT, &s, &[])).unwrap_err();
        assert!(matches!(e.kind, ErrorKind::BadEntrySize { size: 16, minimum: 32, .. }));
        assert_eq!(e.offset, stream_rva(&[]) + 4);
        let e = parse::<FunctionTable>(&dump(FT, &s[..20], &[])).unwrap_err();
        assert!(matches!(e.kind, ErrorKind::Truncated { needed: 24, available: 20 }));
    }
}
