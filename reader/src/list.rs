//! Shared parsing of the streams that are "a count, then entries".

use crate::bytes::Bytes;
use crate::error::{Error, ErrorKind, Result};
use zerocopy::{FromBytes, Immutable, Unaligned};

/// Parses a `u32` count followed by that many `T`s.
///
/// Breakpad's writers on 64-bit hosts put 4 bytes of padding after the count
/// so the entries are 8-byte aligned; the stream size tells the two layouts
/// apart, as in Breakpad's own reader. Trailing bytes after the entries are
/// tolerated (the reader takes what the count says); too few bytes are an
/// error that names the count and what fits.
pub fn count_prefixed<'a, T>(bytes: Bytes<'a>, what: &'static str) -> Result<&'a [T]>
where
    T: FromBytes + Immutable + Unaligned,
{
    let count = u64::from(bytes.u32_at(0)?);
    let size = core::mem::size_of::<T>() as u64;
    let body = bytes.len() as u64 - 4;
    let padded = count.checked_mul(size).and_then(|n| n.checked_add(4)) == Some(body);
    let start = if padded { 8 } else { 4 };
    bytes.array::<T>(start, count, what)
}

/// Parses the `SizeOfHeader, SizeOfEntry, NumberOfEntries` header shared by
/// the UnloadedModuleList, ThreadInfoList, MemoryInfoList and HandleData
/// streams, and returns each entry's bytes.
///
/// Entries larger than the reader's struct (a newer writer) are accepted and
/// the struct is read from each entry's start; smaller ones are an error.
#[derive(Clone, Copy, Debug)]
pub struct SizedEntries<'a> {
    entries: Bytes<'a>,
    entry_size: u64,
    count: u64,
}

impl<'a> SizedEntries<'a> {
    /// `entries_offset` is where the header says entries start (its
    /// `SizeOfHeader`), `entry_size` its `SizeOfEntry`, `minimum` the size of
    /// the struct this reader knows.
    pub fn new(
        bytes: Bytes<'a>,
        entries_offset: u64,
        entry_size: u64,
        count: u64,
        minimum: u64,
        what: &'static str,
    ) -> Result<SizedEntries<'a>> {
        if entry_size < minimum {
            return Err(Error::new(ErrorKind::BadEntrySize { what, size: entry_size, minimum }, bytes.base()));
        }
        let tail = bytes.tail(entries_offset)?;
        let available = tail.len() as u64;
        match count.checked_mul(entry_size) {
            Some(n) if n <= available => {}
            _ => return Err(Error::new(ErrorKind::CountTooLarge { what, count, entry_size, available }, tail.base())),
        }
        Ok(SizedEntries { entries: tail, entry_size, count })
    }

    /// The entries of a stream that starts with a header of type `H` whose
    /// own `SizeOfHeader` field (`header_size`) says where the entries
    /// begin: a size smaller than `H` is an error, a larger one is skipped
    /// (a newer writer's extra fields).
    pub fn after_header<H>(
        bytes: Bytes<'a>,
        header_size: u64,
        entry_size: u64,
        count: u64,
        minimum_entry: u64,
        what: &'static str,
    ) -> Result<SizedEntries<'a>> {
        let minimum = core::mem::size_of::<H>() as u64;
        if header_size < minimum {
            return Err(Error::new(
                ErrorKind::BadEntrySize { what: "list header", size: header_size, minimum },
                bytes.base(),
            ));
        }
        SizedEntries::new(bytes, header_size, entry_size, count, minimum_entry, what)
    }

    /// Number of entries.
    pub fn len(&self) -> u64 {
        self.count
    }

    /// Whether there are no entries.
    pub fn is_empty(&self) -> bool {
        self.count == 0
    }

    /// Entry `index` viewed as `T`.
    pub fn get<T>(&self, index: u64) -> Option<&'a T>
    where
        T: FromBytes + zerocopy::KnownLayout + Immutable + Unaligned,
    {
        if index >= self.count {
            return None;
        }
        self.entries.read::<T>(index * self.entry_size).ok()
    }

    /// File offset of entry `index`.
    pub fn offset_of(&self, index: u64) -> u64 {
        self.entries.base() + index * self.entry_size
    }

    /// All entries viewed as `T`.
    pub fn iter<T>(&self) -> impl Iterator<Item = &'a T> + 'a
    where
        T: FromBytes + zerocopy::KnownLayout + Immutable + Unaligned + 'a,
    {
        let this = *self;
        (0..self.count).filter_map(move |i| this.get::<T>(i))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use mdump_format::U32;

    #[test]
    fn plain_and_padded_lists() {
        let mut plain = 2u32.to_le_bytes().to_vec();
        plain.extend_from_slice(&[1, 0, 0, 0, 2, 0, 0, 0]);
        let l = count_prefixed::<U32>(Bytes::new(&plain), "x").unwrap();
        assert_eq!(l.iter().map(|v| v.get()).collect::<Vec<_>>(), [1, 2]);

        let mut padded = 2u32.to_le_bytes().to_vec();
        padded.extend_from_slice(&[0xff; 4]);
        padded.extend_from_slice(&[1, 0, 0, 0, 2, 0, 0, 0]);
        let l = count_prefixed::<U32>(Bytes::new(&padded), "x").unwrap();
        assert_eq!(l.iter().map(|v| v.get()).collect::<Vec<_>>(), [1, 2]);
    }

    #[test]
    fn huge_count_is_an_error_not_an_allocation() {
        let mut b = u32::MAX.to_le_bytes().to_vec();
        b.extend_from_slice(&[0; 8]);
        let e = count_prefixed::<U32>(Bytes::new(&b), "threads").unwrap_err();
        assert!(matches!(e.kind, ErrorKind::CountTooLarge { count: 0xffff_ffff, .. }));
    }

    #[test]
    fn sized_entries_check_sizes() {
        let data = [0u8; 40];
        let b = Bytes::new(&data);
        assert!(SizedEntries::new(b, 12, 4, 7, 8, "x").is_err());
        assert!(SizedEntries::new(b, 12, 8, 4, 8, "x").is_err());
        let e = SizedEntries::new(b, 12, 8, 3, 8, "x").unwrap();
        assert_eq!(e.offset_of(2), 28);
        assert!(SizedEntries::new(b, 12, 8, u64::MAX, 8, "x").is_err());
    }
}
