//! Fields of one record line: space-separated tokens, hexadecimal and
//! decimal numbers, and the free-text last field.
//!
//! Tokens are separated by runs of spaces (as Breakpad's `strtok` reads
//! them). A free-text last field (a name, a rule set, a program string)
//! starts right after the single space that ends the token before it, so a
//! name may begin with spaces, and must not be empty.

use std::borrow::Cow;

/// Splits the next token off `s`: leading spaces are skipped; the token runs
/// to the next space or the end. Returns `None` when only spaces are left.
#[inline]
pub(crate) fn token(s: &[u8]) -> Option<(&[u8], &[u8])> {
    let start = s.iter().position(|&b| b != b' ')?;
    let s = &s[start..];
    let end = s.iter().position(|&b| b == b' ').unwrap_or(s.len());
    Some(s.split_at(end))
}

/// The free-text field after a token: `rest` is what [`token`] left (either
/// empty or starting with the separating space). The field is everything
/// after that one space, and must not be empty.
#[inline]
pub(crate) fn tail(rest: &[u8]) -> Option<&[u8]> {
    match rest {
        [b' ', field @ ..] if !field.is_empty() => Some(field),
        _ => None,
    }
}

/// The value of each byte as a hexadecimal digit, [`NOT_HEX`] for the
/// others: one load instead of three range tests per digit.
pub(crate) static HEX: [u8; 256] = {
    let mut table = [NOT_HEX; 256];
    let mut i = 0;
    while i < 10 {
        table[b'0' as usize + i] = i as u8;
        i += 1;
    }
    let mut i = 0;
    while i < 6 {
        table[b'a' as usize + i] = 10 + i as u8;
        table[b'A' as usize + i] = 10 + i as u8;
        i += 1;
    }
    table
};

/// [`HEX`]'s mark of a byte that is no hexadecimal digit.
pub(crate) const NOT_HEX: u8 = 0xff;

/// A hexadecimal number of up to 64 bits (digits only, either case, no
/// `0x`); `None` if empty, not hex, or too large.
#[inline]
pub(crate) fn hex_u64(t: &[u8]) -> Option<u64> {
    if t.is_empty() {
        return None;
    }
    let mut v: u64 = 0;
    for &b in t {
        let d = HEX[usize::from(b)];
        if d == NOT_HEX || v >> 60 != 0 {
            return None;
        }
        v = (v << 4) | u64::from(d);
    }
    Some(v)
}

/// The next token of `s` as a hexadecimal number, and what follows it:
/// [`token`] and [`hex_u64`] in one pass over the bytes.
#[inline]
pub(crate) fn hex_field(s: &[u8]) -> Option<(u64, &[u8])> {
    let mut i = 0;
    while s.get(i) == Some(&b' ') {
        i += 1;
    }
    let start = i;
    let mut v: u64 = 0;
    while let Some(&b) = s.get(i) {
        let d = HEX[usize::from(b)];
        if d == NOT_HEX {
            if b == b' ' {
                break;
            }
            return None;
        }
        if v >> 60 != 0 {
            return None;
        }
        v = (v << 4) | u64::from(d);
        i += 1;
    }
    (i > start).then(|| (v, &s[i..]))
}

/// The next token of `s` as a decimal number that fits 32 bits, and what
/// follows it.
#[inline]
pub(crate) fn dec_field(s: &[u8]) -> Option<(u32, &[u8])> {
    let mut i = 0;
    while s.get(i) == Some(&b' ') {
        i += 1;
    }
    let start = i;
    let mut v: u64 = 0;
    while let Some(&b) = s.get(i) {
        let d = b.wrapping_sub(b'0');
        if d >= 10 {
            if b == b' ' {
                break;
            }
            return None;
        }
        v = v * 10 + u64::from(d);
        if v > u64::from(u32::MAX) {
            return None;
        }
        i += 1;
    }
    (i > start).then(|| (v as u32, &s[i..]))
}

/// A hexadecimal number that fits 32 bits.
#[inline]
pub(crate) fn hex_u32(t: &[u8]) -> Option<u32> {
    hex_u64(t).and_then(|v| u32::try_from(v).ok())
}

/// A decimal number that fits 32 bits (digits only).
#[inline]
pub(crate) fn dec_u32(t: &[u8]) -> Option<u32> {
    if t.is_empty() {
        return None;
    }
    let mut v: u64 = 0;
    for &b in t {
        if !b.is_ascii_digit() {
            return None;
        }
        v = v * 10 + u64::from(b - b'0');
        if v > u64::from(u32::MAX) {
            return None;
        }
    }
    u32::try_from(v).ok()
}

/// A decimal file id that may also be `-1` ("no file"), as the new
/// `INLINE` and old `INLINE_ORIGIN` forms allow.
#[inline]
pub(crate) fn dec_file_id(t: &[u8]) -> Option<i32> {
    if t == b"-1" {
        return Some(-1);
    }
    dec_u32(t).and_then(|v| i32::try_from(v).ok())
}

/// Text as `str`, borrowed when it is UTF-8, else decoded lossily.
#[inline]
pub(crate) fn text(bytes: &[u8]) -> Cow<'_, str> {
    match std::str::from_utf8(bytes) {
        Ok(s) => Cow::Borrowed(s),
        Err(_) => String::from_utf8_lossy(bytes),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_and_tails() {
        assert_eq!(token(b"  ab cd"), Some((&b"ab"[..], &b" cd"[..])));
        assert_eq!(token(b"ab"), Some((&b"ab"[..], &b""[..])));
        assert_eq!(token(b"   "), None);
        assert_eq!(tail(b" name with  spaces"), Some(&b"name with  spaces"[..]));
        assert_eq!(tail(b"  lead"), Some(&b" lead"[..]));
        assert_eq!(tail(b" "), None);
        assert_eq!(tail(b""), None);
    }

    #[test]
    fn numbers() {
        assert_eq!(hex_u64(b"ffffffffffffffff"), Some(u64::MAX));
        assert_eq!(hex_u64(b"0000000000000000001"), Some(1));
        assert_eq!(hex_u64(b"10000000000000000"), None);
        assert_eq!(hex_u64(b"1z"), None);
        assert_eq!(hex_u64(b""), None);
        assert_eq!(hex_u64(b"ABCdef"), Some(0xabcdef));
        assert_eq!(hex_u32(b"100000000"), None);
        assert_eq!(dec_u32(b"4294967295"), Some(u32::MAX));
        assert_eq!(dec_u32(b"4294967296"), None);
        assert_eq!(dec_u32(b"000000000004294967295"), Some(u32::MAX));
        assert_eq!(dec_u32(b"123123123123123123123"), None);
        assert_eq!(dec_u32(b"-1"), None);
        assert_eq!(dec_u32(b"+1"), None);
        assert_eq!(dec_u32(b""), None);
        assert_eq!(dec_file_id(b"-1"), Some(-1));
        assert_eq!(dec_file_id(b"-2"), None);
        assert_eq!(dec_file_id(b"2147483648"), None);
        assert_eq!(hex_field(b"  1a2 rest"), Some((0x1a2, &b" rest"[..])));
        assert_eq!(hex_field(b"ffffffffffffffff"), Some((u64::MAX, &b""[..])));
        assert_eq!(hex_field(b"1ffffffffffffffff"), None);
        assert_eq!(hex_field(b"12g "), None);
        assert_eq!(hex_field(b"   "), None);
        assert_eq!(dec_field(b"42 x"), Some((42, &b" x"[..])));
        assert_eq!(dec_field(b"4294967296"), None);
        assert_eq!(dec_field(b"-1"), None);
        assert_eq!(dec_field(b""), None);
    }
}
