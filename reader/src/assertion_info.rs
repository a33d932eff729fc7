//! Breakpad's AssertionInfo stream: the failed CRT check (invalid parameter,
//! pure virtual call) that made a Windows client write the dump.

use crate::bytes::Bytes;
use crate::error::Result;
use crate::minidump::{Minidump, Stream};
use crate::string::utf16_field_lossy;
use mdump_format::assertion_info::{
    AssertionInfo as RawAssertionInfo, ASSERTION_INFO_TYPE_INVALID_PARAMETER, ASSERTION_INFO_TYPE_PURE_VIRTUAL_CALL,
    ASSERTION_INFO_TYPE_UNKNOWN,
};
use mdump_format::{StreamType, U16};

/// The AssertionInfo stream, viewed in place.
///
/// Its three strings live in fixed 128-unit UTF-16 buffers inside the
/// stream; they are decoded on demand up to their first NUL (or the end of
/// the buffer), with unpaired surrogates replaced by U+FFFD. Release CRTs
/// often pass no details, so empty strings are normal.
#[derive(Clone, Copy, Debug)]
pub struct AssertionInfo<'a> {
    /// The on-disk structure.
    pub raw: &'a RawAssertionInfo,
}

impl<'a> Stream<'a> for AssertionInfo<'a> {
    const STREAM_TYPE: StreamType = StreamType::ASSERTION_INFO;

    fn parse(bytes: Bytes<'a>, _dump: &Minidump<'a>) -> Result<Self> {
        Ok(AssertionInfo { raw: bytes.read(0)? })
    }
}

fn decode(field: &[U16]) -> String {
    utf16_field_lossy(field.iter().map(|u| u.get()))
}

impl AssertionInfo<'_> {
    /// The expression that failed, as source text.
    pub fn expression(&self) -> String {
        decode(&self.raw.expression)
    }

    /// The function the check is in.
    pub fn function(&self) -> String {
        decode(&self.raw.function)
    }

    /// The source file the check is in.
    pub fn file(&self) -> String {
        decode(&self.raw.file)
    }

    /// The line in [`Self::file`] (0 when unknown).
    pub fn line(&self) -> u32 {
        self.raw.line.get()
    }

    /// The `ASSERTION_INFO_TYPE_*` value as written.
    pub fn assertion_type(&self) -> u32 {
        self.raw.r#type.get()
    }

    /// A short name for [`Self::assertion_type`]: "invalid parameter",
    /// "pure virtual call", or "unknown" (for 0 and for values this reader
    /// does not know).
    pub fn type_name(&self) -> &'static str {
        match self.assertion_type() {
            ASSERTION_INFO_TYPE_INVALID_PARAMETER => "invalid parameter",
            ASSERTION_INFO_TYPE_PURE_VIRTUAL_CALL => "pure virtual call",
            ASSERTION_INFO_TYPE_UNKNOWN => "unknown",
            _ => "unknown",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ErrorKind;

    const ASSERTION_INFO: u32 = 0x4767_0002;

    /// Header, one directory entry at 32, the stream at 44.
    fn file(stream: &[u8]) -> Vec<u8> {
        let mut f = b"MDMP".to_vec();
        f.extend_from_slice(&0xa793u32.to_le_bytes()); // Version
        f.extend_from_slice(&1u32.to_le_bytes()); // NumberOfStreams
        f.extend_from_slice(&32u32.to_le_bytes()); // StreamDirectoryRva
        f.extend_from_slice(&[0; 16]); // CheckSum, TimeDateStamp, Flags
        f.extend_from_slice(&ASSERTION_INFO.to_le_bytes()); // StreamType
        f.extend_from_slice(&(stream.len() as u32).to_le_bytes()); // DataSize
        f.extend_from_slice(&44u32.to_le_bytes()); // Rva
        f.extend_from_slice(stream);
        f
    }

    fn put_units(buf: &mut [u8], at: usize, units: &[u16]) {
        for (i, u) in units.iter().enumerate() {
            buf[at + 2 * i..at + 2 * i + 2].copy_from_slice(&u.to_le_bytes());
        }
    }

    fn put_str(buf: &mut [u8], at: usize, s: &str) {
        put_units(buf, at, &s.encode_utf16().collect::<Vec<_>>());
    }

    /// expression at 0, function at 256, file at 512 (128 units each),
    /// line at 768, type at 772: 776 bytes.
    fn stream(expression: &str, function: &str, file: &str, line: u32, ty: u32) -> Vec<u8> {
        let mut s = vec![0u8; 776];
        put_str(&mut s, 0, expression);
        put_str(&mut s, 256, function);
        put_str(&mut s, 512, file);
        s[768..772].copy_from_slice(&line.to_le_bytes());
        s[772..776].copy_from_slice(&ty.to_le_bytes());
        s
    }

    fn parse(file: &[u8]) -> Result<AssertionInfo<'_>> {
        Ok(Minidump::parse(file)?.stream::<AssertionInfo>()?.expect("stream present"))
    }

    #[test]
    fn normal_stream() {
        let s = stream("p != nullptr", "memcpy_s", "f:\\dd\\memcpy_s.c", 57, 1);
        let f = file(&s);
        let a = parse(&f).unwrap();
        assert_eq!(a.expression(), "p != nullptr");
        assert_eq!(a.function(), "memcpy_s");
        assert_eq!(a.file(), "f:\\dd\\memcpy_s.c");
        assert_eq!(a.line(), 57);
        assert_eq!(a.assertion_type(), 1);
        assert_eq!(a.type_name(), "invalid parameter");
    }

    #[test]
    fn empty_strings_and_types() {
        let f = file(&stream("", "", "", 0, 2));
        let a = parse(&f).unwrap();
        assert_eq!((a.expression(), a.function(), a.file()), (String::new(), String::new(), String::new()));
        assert_eq!(a.type_name(), "pure virtual call");
        let f = file(&stream("", "", "", 0, 0x99));
        assert_eq!(parse(&f).unwrap().type_name(), "unknown");
    }

    #[test]
    fn strings_stop_at_nul_or_buffer_end_and_survive_bad_utf16() {
        let mut s = stream("", "", "", 0, 0);
        // Text after the first NUL is ignored.
        put_units(&mut s, 0, &[u16::from(b'a'), 0, u16::from(b'b')]);
        // A buffer with no NUL at all is read to its end (128 units), not into the next field.
        put_units(&mut s, 256, &[u16::from(b'x'); 128]);
        // An unpaired surrogate does not lose the string.
        put_units(&mut s, 512, &[0xd800, u16::from(b'c'), 0x00e9]);
        let f = file(&s);
        let a = parse(&f).unwrap();
        assert_eq!(a.expression(), "a");
        assert_eq!(a.function(), "x".repeat(128));
        assert_eq!(a.file(), "\u{fffd}c\u{e9}");
    }

    #[test]
    fn truncated_stream_is_an_error_with_offset() {
        let s = stream("e", "f", "g", 1, 1);
        let f = file(&s[..775]);
        let e = parse(&f).unwrap_err();
        assert_eq!(e.kind, ErrorKind::Truncated { needed: 776, available: 775 });
        assert_eq!(e.offset, 44);
        assert_eq!(e.stream, Some(StreamType::ASSERTION_INFO));

        // The directory promises 776 bytes that the file does not have.
        let mut f = file(&s);
        f.truncate(44 + 100);
        let e = parse(&f).unwrap_err();
        assert!(matches!(e.kind, ErrorKind::Truncated { needed: 776, available: 100 }));
        assert_eq!(e.stream, Some(StreamType::ASSERTION_INFO));
    }
}
