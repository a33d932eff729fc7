//! `MINIDUMP_STRING` decoding.

use crate::bytes::Bytes;
use crate::error::{Error, ErrorKind, Result};

/// Longest string accepted, in bytes. Real names are short; a hostile length
/// must not make us decode megabytes per string.
pub const MAX_STRING_BYTES: u32 = 64 * 1024;

/// A `MINIDUMP_STRING` in the file: UTF-16LE code units, borrowed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MinidumpStr<'a> {
    units: &'a [u8],
    offset: u64,
}

impl<'a> MinidumpStr<'a> {
    /// Reads the string whose length field is at file offset `rva`.
    pub fn read(file: Bytes<'a>, rva: u32) -> Result<MinidumpStr<'a>> {
        let rva = u64::from(rva);
        let len = file.u32_at(rva)?;
        if len > MAX_STRING_BYTES {
            return Err(Error::new(ErrorKind::Malformed("string longer than 64 KiB"), rva));
        }
        if len % 2 != 0 {
            return Err(Error::new(ErrorKind::Malformed("UTF-16 string with an odd byte length"), rva));
        }
        let units = file.sub(rva + 4, u64::from(len))?.as_slice();
        Ok(MinidumpStr { units, offset: rva })
    }

    /// The empty string (what an RVA of 0, "no string", stands for).
    pub fn empty() -> MinidumpStr<'static> {
        MinidumpStr { units: &[], offset: 0 }
    }

    /// The raw UTF-16LE bytes (no terminator).
    pub fn as_bytes(&self) -> &'a [u8] {
        self.units
    }

    /// File offset of the length field.
    pub fn offset(&self) -> u64 {
        self.offset
    }

    /// The code units.
    pub fn units(&self) -> impl Iterator<Item = u16> + 'a {
        self.units.chunks_exact(2).map(|c| u16::from_le_bytes([c[0], c[1]]))
    }

    /// The characters, unpaired surrogates as U+FFFD; decodes on the fly
    /// without allocating.
    pub fn chars(&self) -> impl Iterator<Item = char> + 'a {
        char::decode_utf16(self.units()).map(|c| c.unwrap_or(char::REPLACEMENT_CHARACTER))
    }

    /// Whether the string is well-formed UTF-16 (no unpaired surrogates).
    pub fn is_well_formed(&self) -> bool {
        // Almost every string has no surrogate at all: check that first.
        let has_surrogate = self.units.chunks_exact(2).any(|c| c[1] & 0xf8 == 0xd8);
        !has_surrogate || char::decode_utf16(self.units()).all(|c| c.is_ok())
    }

    /// Decodes the string; unpaired surrogates become U+FFFD instead of
    /// failing the whole string.
    pub fn to_string_lossy(&self) -> String {
        char::decode_utf16(self.units()).map(|c| c.unwrap_or(char::REPLACEMENT_CHARACTER)).collect()
    }

    /// Decodes the string, failing on an unpaired surrogate.
    pub fn to_string_strict(&self) -> Result<String> {
        char::decode_utf16(self.units())
            .collect::<core::result::Result<String, _>>()
            .map_err(|_| Error::new(ErrorKind::Malformed("unpaired UTF-16 surrogate"), self.offset))
    }
}

impl core::fmt::Display for MinidumpStr<'_> {
    /// The string, decoded as it is written out (unpaired surrogates as
    /// U+FFFD); nothing is allocated.
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        for c in self.chars() {
            core::fmt::Write::write_char(f, c)?;
        }
        Ok(())
    }
}

/// Decodes a fixed-size, NUL-padded UTF-16 field (such as a time zone name)
/// up to its first NUL.
pub fn utf16_field_lossy(units: impl IntoIterator<Item = u16>) -> String {
    let units = units.into_iter().take_while(|&u| u != 0);
    char::decode_utf16(units).map(|c| c.unwrap_or(char::REPLACEMENT_CHARACTER)).collect()
}

/// Reads a `MINIDUMP_UTF8_STRING` (Crashpad's annotations): a `u32` byte
/// length at file offset `rva`, then that many bytes (the NUL after them is
/// not included). The bytes are returned as written, not checked for UTF-8;
/// lengths above [`MAX_STRING_BYTES`] are rejected before reading.
pub fn utf8_string<'a>(file: Bytes<'a>, rva: u32) -> Result<&'a [u8]> {
    let rva = u64::from(rva);
    let len = file.u32_at(rva)?;
    if len > MAX_STRING_BYTES {
        return Err(Error::new(ErrorKind::Malformed("string longer than 64 KiB"), rva));
    }
    Ok(file.sub(rva + 4, u64::from(len))?.as_slice())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn string_at_8(units: &[u16]) -> Vec<u8> {
        let mut v = vec![0u8; 8];
        v.extend_from_slice(&((units.len() * 2) as u32).to_le_bytes());
        for u in units {
            v.extend_from_slice(&u.to_le_bytes());
        }
        v.extend_from_slice(&[0, 0]);
        v
    }

    #[test]
    fn decodes_utf16() {
        let data = string_at_8(&[b'c' as u16, b':' as u16, 0x00e9]);
        let s = MinidumpStr::read(Bytes::new(&data), 8).unwrap();
        assert_eq!(s.to_string_lossy(), "c:\u{e9}");
        assert_eq!(s.offset(), 8);
    }

    #[test]
    fn unpaired_surrogate_survives_lossy_decoding() {
        let data = string_at_8(&[b'a' as u16, 0xd800, b'b' as u16]);
        let s = MinidumpStr::read(Bytes::new(&data), 8).unwrap();
        assert_eq!(s.to_string_lossy(), "a\u{fffd}b");
        assert!(s.to_string_strict().is_err());
    }

    #[test]
    fn length_past_end_is_an_error_with_offset() {
        let mut data = string_at_8(&[b'a' as u16]);
        data[8] = 200;
        let e = MinidumpStr::read(Bytes::new(&data), 8).unwrap_err();
        assert_eq!(e.offset, 12);
        let e = MinidumpStr::read(Bytes::new(&data), 0xffff_fff0).unwrap_err();
        assert!(matches!(e.kind, ErrorKind::Truncated { .. }));
    }

    #[test]
    fn huge_length_is_rejected_before_reading() {
        let mut data = string_at_8(&[]);
        data[8..12].copy_from_slice(&u32::MAX.to_le_bytes());
        assert!(MinidumpStr::read(Bytes::new(&data), 8).is_err());
    }

    #[test]
    fn fixed_fields_stop_at_nul() {
        assert_eq!(utf16_field_lossy([b'P' as u16, b'S' as u16, 0, b'x' as u16]), "PS");
    }
}
