//! The ThreadInfoList stream: per-thread times, exit status, start address,
//! affinity and capture flags.

use crate::bytes::Bytes;
use crate::error::Result;
use crate::list::SizedEntries;
use crate::minidump::{Minidump, Stream};
use mdump_format::thread_info::{ThreadInfo, ThreadInfoListHeader};
use mdump_format::StreamType;

/// The ThreadInfoList stream: a header and fixed-size entries, viewed in
/// place.
///
/// Entries larger than [`ThreadInfo`] (a newer writer) are accepted; the
/// known fields are read from each entry's start.
#[derive(Clone, Copy, Debug)]
pub struct ThreadInfoList<'a> {
    /// The on-disk header.
    pub header: &'a ThreadInfoListHeader,
    entries: SizedEntries<'a>,
}

impl<'a> Stream<'a> for ThreadInfoList<'a> {
    const STREAM_TYPE: StreamType = StreamType::THREAD_INFO_LIST;

    fn parse(bytes: Bytes<'a>, _dump: &Minidump<'a>) -> Result<Self> {
        let header: &ThreadInfoListHeader = bytes.read(0)?;
        let entries = SizedEntries::after_header::<ThreadInfoListHeader>(
            bytes,
            header.size_of_header.get().into(),
            header.size_of_entry.get().into(),
            header.number_of_entries.get().into(),
            core::mem::size_of::<ThreadInfo>() as u64,
            "thread info entries",
        )?;
        Ok(ThreadInfoList { header, entries })
    }
}

impl<'a> ThreadInfoList<'a> {
    /// Number of entries.
    pub fn len(&self) -> usize {
        // The count was checked against the bytes present, so it fits.
        usize::try_from(self.entries.len()).unwrap_or(usize::MAX)
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Entry `index`.
    pub fn get(&self, index: usize) -> Option<&'a ThreadInfo> {
        self.entries.get(index as u64)
    }

    /// File offset of entry `index` (meaningful for `index < len()`).
    pub fn offset_of(&self, index: usize) -> u64 {
        self.entries.offset_of(index as u64)
    }

    /// The entries in file order.
    pub fn iter(&self) -> impl Iterator<Item = &'a ThreadInfo> + 'a {
        self.entries.iter()
    }

    /// The first entry for thread `thread_id`.
    pub fn by_thread_id(&self, thread_id: u32) -> Option<&'a ThreadInfo> {
        self.iter().find(|t| t.thread_id.get() == thread_id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ErrorKind;
    use crate::testdump::{dump, parse, put_u32, put_u64, stream_rva};

    const TIL: u32 = 17;

    /// Header, then one 64-byte entry (plus `entry_size - 64` zero bytes) per id.
    fn stream(entry_size: u32, count: u32, ids: &[u32]) -> Vec<u8> {
        let mut b = vec![0u8; 12];
        put_u32(&mut b, 0, 12); // SizeOfHeader
        put_u32(&mut b, 4, entry_size); // SizeOfEntry
        put_u32(&mut b, 8, count); // NumberOfEntries
        for &id in ids {
            let mut e = vec![0u8; entry_size as usize];
            put_u32(&mut e, 0, id); // ThreadId
            put_u32(&mut e, 4, 2); // DumpFlags: writing thread
            put_u32(&mut e, 8, 0x8007_0005); // DumpError
            put_u32(&mut e, 12, 259); // ExitStatus
            put_u64(&mut e, 16, 0x01d0_0000_0000_0000); // CreateTime
            put_u64(&mut e, 24, 0); // ExitTime
            put_u64(&mut e, 32, 1000); // KernelTime
            put_u64(&mut e, 40, 2000); // UserTime
            put_u64(&mut e, 48, 0x7ff6_0000_1000 + u64::from(id)); // StartAddress
            put_u64(&mut e, 56, 0xff); // Affinity
            b.extend_from_slice(&e);
        }
        b
    }

    #[test]
    fn normal_stream() {
        let file = dump(TIL, &stream(64, 2, &[10, 20]), &[]);
        let l = parse::<ThreadInfoList>(&file).unwrap();
        assert_eq!(l.len(), 2);
        let t = l.by_thread_id(20).unwrap();
        assert_eq!(t.dump_flags.get(), 2);
        assert_eq!(t.dump_error.get(), 0x8007_0005);
        assert_eq!(t.exit_status.get(), 259);
        assert_eq!(t.create_time.get(), 0x01d0_0000_0000_0000);
        assert_eq!(t.kernel_time.get(), 1000);
        assert_eq!(t.user_time.get(), 2000);
        assert_eq!(t.start_address.get(), 0x7ff6_0000_1014);
        assert_eq!(t.affinity.get(), 0xff);
        assert_eq!(l.iter().map(|t| t.thread_id.get()).collect::<Vec<_>>(), [10, 20]);
        assert_eq!(l.offset_of(1), stream_rva(&[]) + 12 + 64);
        assert!(l.get(2).is_none());
    }

    #[test]
    fn larger_entries_are_accepted() {
        let file = dump(TIL, &stream(80, 2, &[10, 20]), &[]);
        let l = parse::<ThreadInfoList>(&file).unwrap();
        assert_eq!(l.iter().map(|t| t.start_address.get()).collect::<Vec<_>>(), [0x7ff6_0000_100a, 0x7ff6_0000_1014]);
    }

    #[test]
    fn huge_count_in_a_tiny_stream() {
        let file = dump(TIL, &stream(64, 0xffff_ffff, &[1]), &[]);
        let e = parse::<ThreadInfoList>(&file).unwrap_err();
        assert!(matches!(e.kind, ErrorKind::CountTooLarge { count: 0xffff_ffff, entry_size: 64, available: 64, .. }));
        assert_eq!(e.offset, stream_rva(&[]) + 12);
        assert_eq!(e.stream, Some(StreamType::THREAD_INFO_LIST));
    }

    #[test]
    fn truncated_entry() {
        let mut s = stream(64, 2, &[1, 2]);
        s.truncate(12 + 64 + 40);
        let file = dump(TIL, &s, &[]);
        let e = parse::<ThreadInfoList>(&file).unwrap_err();
        assert!(matches!(e.kind, ErrorKind::CountTooLarge { count: 2, available: 104, .. }));
        // A header cut short.
        let file = dump(TIL, &s[..8], &[]);
        let e = parse::<ThreadInfoList>(&file).unwrap_err();
        assert!(matches!(e.kind, ErrorKind::Truncated { needed: 12, available: 8 }));
    }

    #[test]
    fn small_sizes_are_rejected() {
        let mut s = stream(64, 1, &[1]);
        put_u32(&mut s, 4, 48); // SizeOfEntry
        let file = dump(TIL, &s, &[]);
        let e = parse::<ThreadInfoList>(&file).unwrap_err();
        assert!(matches!(e.kind, ErrorKind::BadEntrySize { size: 48, minimum: 64, .. }));
        put_u32(&mut s, 0, 4); // SizeOfHeader
        let file = dump(TIL, &s, &[]);
        let e = parse::<ThreadInfoList>(&file).unwrap_err();
        assert!(matches!(e.kind, ErrorKind::BadEntrySize { size: 4, minimum: 12, .. }));
    }
}
