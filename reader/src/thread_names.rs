//! The ThreadNames stream: names given to threads with
//! `SetThreadDescription`.

use crate::bytes::Bytes;
use crate::error::{Error, ErrorKind, Result};
use crate::minidump::{Minidump, Stream};
use crate::string::MinidumpStr;
use mdump_format::thread_names::ThreadName;
use mdump_format::StreamType;

/// The ThreadNames stream: a 32-bit count, then 12-byte entries viewed in
/// place. Each name is read when asked for, so one bad name RVA does not
/// lose the others.
#[derive(Clone, Copy, Debug)]
pub struct ThreadNames<'a> {
    raw: &'a [ThreadName],
    /// File offset of the first entry.
    entries_offset: u64,
    dump: Minidump<'a>,
}

impl<'a> Stream<'a> for ThreadNames<'a> {
    const STREAM_TYPE: StreamType = StreamType::THREAD_NAMES;

    fn parse(bytes: Bytes<'a>, dump: &Minidump<'a>) -> Result<Self> {
        let count = bytes.u32_at(0)?;
        let raw = bytes.array::<ThreadName>(4, count.into(), "thread names")?;
        Ok(ThreadNames { raw, entries_offset: bytes.base() + 4, dump: *dump })
    }
}

impl<'a> ThreadNames<'a> {
    /// The on-disk entries.
    pub fn raw(&self) -> &'a [ThreadName] {
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

    /// `(thread id, name)` of each entry in file order. A name whose RVA is
    /// outside the file, or above 4 GiB (which this reader does not follow),
    /// is an error for that entry only.
    pub fn iter(&self) -> impl ExactSizeIterator<Item = (u32, Result<MinidumpStr<'a>>)> + 'a {
        let this = *self;
        self.raw.iter().enumerate().map(move |(i, e)| (e.thread_id.get(), this.name_of(i, e)))
    }

    /// The name of the first entry for `thread_id`.
    pub fn by_id(&self, thread_id: u32) -> Option<Result<MinidumpStr<'a>>> {
        self.iter().find(|(id, _)| *id == thread_id).map(|(_, name)| name)
    }

    fn name_of(&self, index: usize, entry: &ThreadName) -> Result<MinidumpStr<'a>> {
        let rva = entry.rva_of_thread_name.get();
        let result = match u32::try_from(rva) {
            Ok(rva) => MinidumpStr::read(self.dump.bytes(), rva),
            Err(_) => {
                // The RVA field sits 4 bytes into the 12-byte entry.
                let field = self.entries_offset + index as u64 * 12 + 4;
                Err(Error::new(ErrorKind::Unsupported("thread name RVA above 4 GiB"), field))
            }
        };
        result.map_err(|e| e.in_stream(StreamType::THREAD_NAMES))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testdump::{dump, parse, put_u32, put_u64, stream_rva, utf16_string, EXTRA_RVA};

    const NAMES: u32 = 24;

    /// Count, then 12-byte entries `(thread id, RVA64 of the name)`.
    fn stream(count: u32, entries: &[(u32, u64)]) -> Vec<u8> {
        let mut b = vec![0u8; 4 + 12 * entries.len()];
        put_u32(&mut b, 0, count); // NumberOfThreadNames
        for (i, &(id, rva)) in entries.iter().enumerate() {
            put_u32(&mut b, 4 + 12 * i, id); // ThreadId
            put_u64(&mut b, 4 + 12 * i + 4, rva); // RvaOfThreadName
        }
        b
    }

    #[test]
    fn normal_stream() {
        let mut extra = utf16_string("main");
        let second = EXTRA_RVA as usize + extra.len();
        extra.extend_from_slice(&utf16_string("worker \u{e9}"));
        let s = stream(2, &[(100, EXTRA_RVA.into()), (200, second as u64)]);
        let file = dump(NAMES, &s, &extra);
        let n = parse::<ThreadNames>(&file).unwrap();
        assert_eq!(n.len(), 2);
        let names: Vec<_> = n.iter().map(|(id, name)| (id, name.unwrap().to_string_lossy())).collect();
        assert_eq!(names, [(100, "main".to_string()), (200, "worker \u{e9}".to_string())]);
        assert_eq!(n.by_id(200).unwrap().unwrap().offset(), second as u64);
        assert!(n.by_id(300).is_none());
    }

    #[test]
    fn bad_rvas_lose_only_their_entry() {
        let extra = utf16_string("ok");
        let s = stream(3, &[(1, 0x1_0000_0000), (2, 0xffff_fff0), (3, EXTRA_RVA.into())]);
        let file = dump(NAMES, &s, &extra);
        let n = parse::<ThreadNames>(&file).unwrap();
        let all: Vec<_> = n.iter().collect();
        let e = all[0].1.clone().unwrap_err();
        assert!(matches!(e.kind, ErrorKind::Unsupported(_)));
        assert_eq!(e.offset, stream_rva(&extra) + 4 + 4);
        assert_eq!(e.stream, Some(StreamType::THREAD_NAMES));
        let e = all[1].1.clone().unwrap_err();
        assert!(matches!(e.kind, ErrorKind::Truncated { .. }));
        assert_eq!(e.stream, Some(StreamType::THREAD_NAMES));
        assert_eq!(all[2].0, 3);
        assert_eq!(all[2].1.clone().unwrap().to_string_lossy(), "ok");
    }

    #[test]
    fn huge_count_in_a_tiny_stream() {
        let file = dump(NAMES, &stream(0xffff_ffff, &[(1, 0)]), &[]);
        let e = parse::<ThreadNames>(&file).unwrap_err();
        assert!(matches!(e.kind, ErrorKind::CountTooLarge { count: 0xffff_ffff, entry_size: 12, available: 12, .. }));
        assert_eq!(e.offset, stream_rva(&[]) + 4);
    }

    #[test]
    fn truncated_entry() {
        let mut s = stream(2, &[(1, 0), (2, 0)]);
        s.truncate(4 + 12 + 8);
        let file = dump(NAMES, &s, &[]);
        let e = parse::<ThreadNames>(&file).unwrap_err();
        assert!(matches!(e.kind, ErrorKind::CountTooLarge { count: 2, available: 20, .. }));
        let file = dump(NAMES, &[1, 0], &[]);
        assert!(matches!(
            parse::<ThreadNames>(&file).unwrap_err().kind,
            ErrorKind::Truncated { needed: 4, available: 2 }
        ));
    }
}
