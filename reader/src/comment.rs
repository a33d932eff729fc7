//! The CommentStreamA and CommentStreamW streams: a free-form comment the
//! dump's writer attached. The stream's bytes are the whole comment; there
//! is no header or length field.

use crate::bytes::Bytes;
use crate::error::Result;
use crate::minidump::{Minidump, Stream};
use mdump_format::StreamType;

/// The CommentStreamA stream: an 8-bit string in the writer's code page,
/// usually NUL-terminated.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CommentA<'a> {
    raw: &'a [u8],
}

impl<'a> Stream<'a> for CommentA<'a> {
    const STREAM_TYPE: StreamType = StreamType::COMMENT_A;

    fn parse(bytes: Bytes<'a>, _dump: &Minidump<'a>) -> Result<Self> {
        Ok(CommentA { raw: bytes.as_slice() })
    }
}

impl<'a> CommentA<'a> {
    /// All the stream's bytes, terminator and anything after it included.
    pub fn raw(&self) -> &'a [u8] {
        self.raw
    }

    /// The comment's bytes up to the first NUL (all of them if there is none).
    pub fn as_bytes(&self) -> &'a [u8] {
        let end = self.raw.iter().position(|&b| b == 0).unwrap_or(self.raw.len());
        self.raw.get(..end).unwrap_or(self.raw)
    }

    /// The comment decoded as UTF-8, invalid sequences replaced by U+FFFD
    /// (ASCII, the usual content, decodes exactly).
    pub fn to_string_lossy(&self) -> String {
        String::from_utf8_lossy(self.as_bytes()).into_owned()
    }
}

/// The CommentStreamW stream: a UTF-16LE string, usually NUL-terminated.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CommentW<'a> {
    raw: &'a [u8],
}

impl<'a> Stream<'a> for CommentW<'a> {
    const STREAM_TYPE: StreamType = StreamType::COMMENT_W;

    fn parse(bytes: Bytes<'a>, _dump: &Minidump<'a>) -> Result<Self> {
        Ok(CommentW { raw: bytes.as_slice() })
    }
}

impl<'a> CommentW<'a> {
    /// All the stream's bytes, terminator and anything after it included.
    pub fn raw(&self) -> &'a [u8] {
        self.raw
    }

    /// The UTF-16 code units up to the first NUL unit. A trailing odd byte
    /// is ignored.
    pub fn units(&self) -> impl Iterator<Item = u16> + 'a {
        self.raw
            .chunks_exact(2)
            .map(|c| match c {
                [lo, hi] => u16::from_le_bytes([*lo, *hi]),
                _ => 0,
            })
            .take_while(|&u| u != 0)
    }

    /// The comment decoded, unpaired surrogates replaced by U+FFFD.
    pub fn to_string_lossy(&self) -> String {
        char::decode_utf16(self.units()).map(|c| c.unwrap_or(char::REPLACEMENT_CHARACTER)).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testdump::{dump, parse};

    const COMMENT_A: u32 = 10;
    const COMMENT_W: u32 = 11;

    #[test]
    fn comment_a() {
        let file = dump(COMMENT_A, b"built by ci\0junk", &[]);
        let c = parse::<CommentA>(&file).unwrap();
        assert_eq!(c.as_bytes(), b"built by ci");
        assert_eq!(c.raw().len(), 16);
        assert_eq!(c.to_string_lossy(), "built by ci");
        // No terminator, and a byte that is not UTF-8.
        let file = dump(COMMENT_A, b"caf\xe9", &[]);
        let c = parse::<CommentA>(&file).unwrap();
        assert_eq!(c.as_bytes(), b"caf\xe9");
        assert_eq!(c.to_string_lossy(), "caf\u{fffd}");
        let file = dump(COMMENT_A, b"", &[]);
        assert_eq!(parse::<CommentA>(&file).unwrap().to_string_lossy(), "");
    }

    #[test]
    fn comment_w() {
        // "h\u{e9}" NUL "x", then an odd trailing byte.
        let bytes = [b'h', 0, 0xe9, 0, 0, 0, b'x', 0, 7];
        let file = dump(COMMENT_W, &bytes, &[]);
        let c = parse::<CommentW>(&file).unwrap();
        assert_eq!(c.to_string_lossy(), "h\u{e9}");
        assert_eq!(c.raw().len(), 9);
        // No terminator, an unpaired surrogate, and an odd length.
        let bytes = [b'a', 0, 0x00, 0xd8, b'b', 0, 1];
        let file = dump(COMMENT_W, &bytes, &[]);
        assert_eq!(parse::<CommentW>(&file).unwrap().to_string_lossy(), "a\u{fffd}b");
        let file = dump(COMMENT_W, &[1], &[]);
        assert_eq!(parse::<CommentW>(&file).unwrap().to_string_lossy(), "");
    }
}
