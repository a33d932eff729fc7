//! Breakpad's text conversions: UTF-16 to UTF-8 (with its own surrogate
//! rules), times in UTC, hex, and C-string truncation. GUIDs are formatted
//! by `mdump_reader::module_list`, whose forms are Breakpad's.

use mdump_format::U16;

/// Breakpad's limit on `MINIDUMP_STRING` length (UTF-16 units) and on
/// length-prefixed UTF-8 strings (bytes).
pub const MAX_STRING_UNITS: u32 = 1024;

/// What `printf("%s", s.c_str())` shows of `s`: everything before the first
/// NUL.
pub fn cstr(bytes: &[u8]) -> &[u8] {
    match bytes.iter().position(|&b| b == 0) {
        Some(end) => bytes.get(..end).unwrap_or(bytes),
        None => bytes,
    }
}

/// Breakpad's UTF-16 to UTF-8 conversion.
///
/// It differs from the standard in what it calls a low surrogate: only
/// `0xdc00..=0xdcff`. A unit in that range on its own, a high surrogate at
/// the end, or a high surrogate followed by anything else fails the whole
/// string; units `0xdd00..=0xdfff` are encoded as if they were characters.
pub fn utf16_to_utf8(units: impl IntoIterator<Item = u16>) -> Option<Vec<u8>> {
    let mut out = Vec::new();
    let mut units = units.into_iter();
    while let Some(unit) = units.next() {
        let code_point: u32 = match unit {
            0xdc00..=0xdcff => return None,
            0xd800..=0xdbff => {
                let low = units.next()?;
                if !(0xdc00..=0xdcff).contains(&low) {
                    return None;
                }
                ((u32::from(unit) - 0xd7c0) << 10) | (u32::from(low) & 0x3ff)
            }
            _ => u32::from(unit),
        };
        push_utf8(&mut out, code_point);
    }
    Some(out)
}

/// Appends `c` in UTF-8 (or its generalisation for surrogate values).
fn push_utf8(out: &mut Vec<u8>, c: u32) {
    // Every `as u8` below keeps only bits that were masked or shifted into
    // range first.
    if c < 0x80 {
        out.push(c as u8);
    } else if c < 0x800 {
        out.extend_from_slice(&[0xc0 | (c >> 6) as u8, 0x80 | (c & 0x3f) as u8]);
    } else if c < 0x1_0000 {
        out.extend_from_slice(&[0xe0 | (c >> 12) as u8, 0x80 | ((c >> 6) & 0x3f) as u8, 0x80 | (c & 0x3f) as u8]);
    } else {
        out.extend_from_slice(&[
            0xf0 | (c >> 18) as u8,
            0x80 | ((c >> 12) & 0x3f) as u8,
            0x80 | ((c >> 6) & 0x3f) as u8,
            0x80 | (c & 0x3f) as u8,
        ]);
    }
}

/// Breakpad's conversion of a fixed-size, NUL-padded UTF-16 field: the units
/// before the first NUL, or an empty string when the conversion fails.
pub fn utf16_field(units: &[U16]) -> Vec<u8> {
    let units = units.iter().map(|u| u.get()).take_while(|&u| u != 0);
    utf16_to_utf8(units).unwrap_or_default()
}

/// `strftime("%Y-%m-%d %H:%M:%S")` of `gmtime(seconds)`.
pub fn utc(seconds: u32) -> String {
    let days = i64::from(seconds / 86_400);
    let rest = seconds % 86_400;
    let (year, month, day) = civil_from_days(days);
    format!("{year:04}-{month:02}-{day:02} {:02}:{:02}:{:02}", rest / 3600, rest / 60 % 60, rest % 60)
}

/// The proleptic Gregorian date `days` days after 1970-01-01.
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    // Shift to an era starting on 0000-03-01 so that leap days fall at the
    // end of each year.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let day_of_era = z.rem_euclid(146_097);
    let year_of_era = (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let mp = (5 * day_of_year + 2) / 153;
    let day = (day_of_year - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

/// Lower-case hex of `bytes`, two digits each.
pub fn hex(bytes: &[u8]) -> Vec<u8> {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = Vec::with_capacity(bytes.len() * 2);
    for &b in bytes {
        out.push(DIGITS[usize::from(b >> 4)]);
        out.push(DIGITS[usize::from(b & 0xf)]);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utc_matches_gmtime() {
        assert_eq!(utc(0), "1970-01-01 00:00:00");
        assert_eq!(utc(0x45d3_5f73), "2007-02-14 19:13:55");
        assert_eq!(utc(0x62d6_9525), "2022-07-19 11:27:33");
        assert_eq!(utc(951_782_400), "2000-02-29 00:00:00");
        assert_eq!(utc(u32::MAX), "2106-02-07 06:28:15");
    }

    #[test]
    fn breakpad_surrogate_rules() {
        assert_eq!(utf16_to_utf8([0x61, 0xe9]).unwrap(), "a\u{e9}".as_bytes());
        assert_eq!(utf16_to_utf8([0xd83d, 0xdca9]).unwrap(), "\u{1f4a9}".as_bytes());
        // A real low surrogate Breakpad does not accept as one.
        assert!(utf16_to_utf8([0xd83d, 0xde00]).is_none());
        assert!(utf16_to_utf8([0xdc00]).is_none());
        assert!(utf16_to_utf8([0xd800]).is_none());
        assert_eq!(utf16_to_utf8([0xdd00]).unwrap(), [0xed, 0xb4, 0x80]);
    }

    #[test]
    fn c_strings_stop_at_nul() {
        assert_eq!(cstr(b"ab\0cd"), b"ab");
        assert_eq!(cstr(b"abc"), b"abc");
    }
}
