//! The Token stream: security tokens of the process and its threads.

use crate::bytes::Bytes;
use crate::error::{Error, ErrorKind, Result};
use crate::minidump::{Minidump, Stream};
use mdump_format::token::{TokenInfoHeader, TokenInfoListHeader};
use mdump_format::StreamType;

/// The Token stream: a header, then variable-size entries walked by their
/// `token_size` fields.
#[derive(Clone, Copy, Debug)]
pub struct TokenList<'a> {
    /// The on-disk header.
    pub header: &'a TokenInfoListHeader,
    /// The stream from the first entry on.
    entries: Bytes<'a>,
    element_header_size: u64,
}

/// One entry of a [`TokenList`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Token<'a> {
    /// The entry's header.
    pub header: &'a TokenInfoHeader,
    /// The token data after the entry's header (`element_header_size`
    /// bytes in) up to `token_size`; raw, undocumented OS data.
    pub data: &'a [u8],
    /// File offset of the entry.
    pub offset: u64,
}

impl<'a> Stream<'a> for TokenList<'a> {
    const STREAM_TYPE: StreamType = StreamType::TOKEN;

    fn parse(bytes: Bytes<'a>, _dump: &Minidump<'a>) -> Result<Self> {
        let header: &TokenInfoListHeader = bytes.read(0)?;
        let list_header_size = u64::from(header.list_header_size.get());
        let element_header_size = u64::from(header.element_header_size.get());
        let sizes = [
            ("token list header", list_header_size, core::mem::size_of::<TokenInfoListHeader>(), 8),
            ("token entry header", element_header_size, core::mem::size_of::<TokenInfoHeader>(), 12),
        ];
        for (what, size, minimum, field) in sizes {
            if size < minimum as u64 {
                return Err(Error::new(
                    ErrorKind::BadEntrySize { what, size, minimum: minimum as u64 },
                    bytes.base() + field,
                ));
            }
        }
        let entries = bytes.tail(list_header_size)?;
        // Every entry is at least its header: a count that cannot fit is
        // rejected before anything walks it.
        let count = u64::from(header.token_list_entries.get());
        let available = entries.len() as u64;
        let fits = count.checked_mul(element_header_size).is_some_and(|n| n <= available);
        if !fits {
            return Err(Error::new(
                ErrorKind::CountTooLarge { what: "tokens", count, entry_size: element_header_size, available },
                entries.base(),
            ));
        }
        Ok(TokenList { header, entries, element_header_size })
    }
}

impl<'a> TokenList<'a> {
    /// Number of entries the header declares.
    pub fn len(&self) -> usize {
        self.header.token_list_entries.get() as usize
    }

    /// Whether the header declares none.
    pub fn is_empty(&self) -> bool {
        self.header.token_list_entries.get() == 0
    }

    /// The entries in file order. Each entry's `token_size` says where the
    /// next one starts, so iteration ends after the first bad entry (too
    /// small for its header, or running past the stream).
    pub fn iter(&self) -> impl Iterator<Item = Result<Token<'a>>> + 'a {
        let entries = self.entries;
        let header_size = self.element_header_size;
        let mut offset = Some(0u64);
        (0..self.header.token_list_entries.get()).map_while(move |_| {
            let at = offset.take()?;
            let token = entries.read::<TokenInfoHeader>(at).and_then(|header| {
                let size = u64::from(header.token_size.get());
                if size < header_size {
                    return Err(Error::new(
                        ErrorKind::BadEntrySize { what: "token entry", size, minimum: header_size },
                        entries.base() + at,
                    ));
                }
                let data = entries.sub(at, size)?.tail(header_size)?.as_slice();
                offset = Some(at + size);
                Ok(Token { header, data, offset: entries.base() + at })
            });
            Some(token.map_err(|e| e.in_stream(StreamType::TOKEN)))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testdump::{dump, parse, put_u32, put_u64, stream_rva};

    const TOKEN: u32 = 19;

    /// Header, then `(token_size, token_id, data)` entries with 16-byte
    /// headers; `token_size` is written as given, not computed.
    fn stream(count: u32, entries: &[(u32, u32, &[u8])]) -> Vec<u8> {
        let mut b = vec![0u8; 16];
        put_u32(&mut b, 4, count); // TokenListEntries
        put_u32(&mut b, 8, 16); // ListHeaderSize
        put_u32(&mut b, 12, 16); // ElementHeaderSize
        for &(size, id, data) in entries {
            let mut e = vec![0u8; 16];
            put_u32(&mut e, 0, size); // TokenSize
            put_u32(&mut e, 4, id); // TokenId
            put_u64(&mut e, 8, 0x100 + u64::from(id)); // TokenHandle
            b.extend_from_slice(&e);
            b.extend_from_slice(data);
        }
        let total = b.len() as u32;
        put_u32(&mut b, 0, total); // TokenListSize
        b
    }

    #[test]
    fn normal_stream() {
        let s = stream(2, &[(20, 1, &[1, 2, 3, 4]), (16, 2, &[])]);
        let file = dump(TOKEN, &s, &[]);
        let l = parse::<TokenList>(&file).unwrap();
        assert_eq!(l.len(), 2);
        assert_eq!(l.header.token_list_size.get(), 52);
        let all: Vec<_> = l.iter().map(|t| t.unwrap()).collect();
        assert_eq!(all.len(), 2);
        assert_eq!((all[0].header.token_id.get(), all[0].data), (1, &[1u8, 2, 3, 4][..]));
        assert_eq!(all[0].header.token_handle.get(), 0x101);
        assert_eq!(all[1].offset, stream_rva(&[]) + 16 + 20);
        assert!(all[1].data.is_empty());
    }

    #[test]
    fn huge_count_in_a_tiny_stream() {
        let file = dump(TOKEN, &stream(0xffff_ffff, &[(16, 1, &[])]), &[]);
        let e = parse::<TokenList>(&file).unwrap_err();
        assert!(matches!(e.kind, ErrorKind::CountTooLarge { count: 0xffff_ffff, entry_size: 16, available: 16, .. }));
        assert_eq!(e.offset, stream_rva(&[]) + 16);
        assert_eq!(e.stream, Some(StreamType::TOKEN));
    }

    #[test]
    fn truncated_entry_keeps_the_ones_before() {
        // The second entry claims 100 bytes; only 20 are there.
        let s = stream(2, &[(20, 1, &[9; 4]), (100, 2, &[7; 4])]);
        let file = dump(TOKEN, &s, &[]);
        let l = parse::<TokenList>(&file).unwrap();
        let all: Vec<_> = l.iter().collect();
        assert_eq!(all.len(), 2);
        assert_eq!(all[0].as_ref().unwrap().data, &[9; 4]);
        let e = all[1].clone().unwrap_err();
        assert!(matches!(e.kind, ErrorKind::Truncated { needed: 100, available: 20 }));
        assert_eq!(e.offset, stream_rva(&[]) + 36);
        assert_eq!(e.stream, Some(StreamType::TOKEN));
    }

    #[test]
    fn too_small_token_size_stops_the_walk() {
        // A zero size would loop forever on the same entry if accepted.
        let s = stream(3, &[(16, 1, &[]), (0, 2, &[]), (16, 3, &[])]);
        let file = dump(TOKEN, &s, &[]);
        let all: Vec<_> = parse::<TokenList>(&file).unwrap().iter().collect();
        assert_eq!(all.len(), 2);
        assert!(all[0].is_ok());
        assert!(matches!(all[1].clone().unwrap_err().kind, ErrorKind::BadEntrySize { size: 0, .. }));
    }

    #[test]
    fn bad_header_sizes() {
        let mut s = stream(1, &[(16, 1, &[])]);
        put_u32(&mut s, 12, 8); // ElementHeaderSize
        let e = parse::<TokenList>(&dump(TOKEN, &s, &[])).unwrap_err();
        assert!(matches!(e.kind, ErrorKind::BadEntrySize { size: 8, minimum: 16, .. }));
        assert_eq!(e.offset, stream_rva(&[]) + 12);
        let mut s = stream(1, &[(16, 1, &[])]);
        put_u32(&mut s, 8, 0x1000); // ListHeaderSize past the end
        let e = parse::<TokenList>(&dump(TOKEN, &s, &[])).unwrap_err();
        assert!(matches!(e.kind, ErrorKind::Truncated { .. }));
        let e = parse::<TokenList>(&dump(TOKEN, &s[..10], &[])).unwrap_err();
        assert!(matches!(e.kind, ErrorKind::Truncated { needed: 16, available: 10 }));
    }
}
