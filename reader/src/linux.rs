//! Breakpad's Linux streams: copies of `/proc` and `/etc` files.
//!
//! They are text written as the kernel produced it, so they are kept as
//! borrowed bytes and parsed lazily into lines, fields or key/value pairs.
//! Nothing here assumes UTF-8: keys and values are byte slices.

use crate::bytes::Bytes;
use crate::error::Result;
use crate::minidump::{Minidump, Stream};
use crate::system_info::SystemInfo;
use mdump_format::StreamType;

macro_rules! text_stream {
    ($(#[$doc:meta])* $name:ident, $ty:expr) => {
        $(#[$doc])*
        #[derive(Clone, Copy, Debug)]
        pub struct $name<'a> {
            /// The stream's bytes as written.
            pub bytes: &'a [u8],
        }

        impl<'a> Stream<'a> for $name<'a> {
            const STREAM_TYPE: StreamType = $ty;

            fn parse(bytes: Bytes<'a>, _dump: &Minidump<'a>) -> Result<Self> {
                Ok($name { bytes: bytes.as_slice() })
            }
        }

        impl<'a> $name<'a> {
            /// The text's lines, without their `\n`.
            pub fn lines(&self) -> impl Iterator<Item = &'a [u8]> + 'a {
                lines(self.bytes)
            }
        }
    };
}

text_stream!(
    /// `/proc/cpuinfo`.
    LinuxCpuInfo,
    StreamType::LINUX_CPU_INFO
);
text_stream!(
    /// `/proc/PID/status`.
    LinuxProcStatus,
    StreamType::LINUX_PROC_STATUS
);
text_stream!(
    /// `/etc/lsb-release` (or `/etc/os-release`).
    LinuxLsbRelease,
    StreamType::LINUX_LSB_RELEASE
);
text_stream!(
    /// `/proc/PID/cmdline`: NUL-separated arguments.
    LinuxCmdLine,
    StreamType::LINUX_CMD_LINE
);
text_stream!(
    /// `/proc/PID/environ`: NUL-separated `NAME=value` strings.
    LinuxEnviron,
    StreamType::LINUX_ENVIRON
);
text_stream!(
    /// `/proc/PID/maps`.
    LinuxMaps,
    StreamType::LINUX_MAPS
);

/// Lines of `text` without their terminators; a final line without `\n` is
/// included, an empty final piece is not.
pub fn lines(text: &[u8]) -> impl Iterator<Item = &[u8]> + '_ {
    let text = text.strip_suffix(b"\n").unwrap_or(text);
    split_all(text, b'\n')
}

/// The first `needle` in `haystack`. /proc lines are short (40 bytes on
/// average in cpuinfo), where a vectorised search's setup costs more than the
/// search: the first 64 bytes are checked a word at a time, the rest with
/// `memchr`.
fn find_byte(needle: u8, haystack: &[u8]) -> Option<usize> {
    const LO: u64 = 0x0101_0101_0101_0101;
    const HI: u64 = 0x8080_8080_8080_8080;
    let pattern = LO * u64::from(needle);
    let head = haystack.len().min(64);
    let mut i = 0;
    while i + 8 <= head {
        let mut word = [0u8; 8];
        word.copy_from_slice(&haystack[i..i + 8]);
        let x = u64::from_le_bytes(word) ^ pattern;
        // Bytes equal to the needle became zero; find the lowest one.
        let found = x.wrapping_sub(LO) & !x & HI;
        if found != 0 {
            return Some(i + (found.trailing_zeros() / 8) as usize);
        }
        i += 8;
    }
    while i < head {
        if haystack[i] == needle {
            return Some(i);
        }
        i += 1;
    }
    memchr::memchr(needle, &haystack[head..]).map(|n| head + n)
}

/// `text` split at every `sep`; empty text gives nothing.
fn split_all(text: &[u8], sep: u8) -> impl Iterator<Item = &[u8]> + '_ {
    let mut rest = Some(text).filter(|t| !t.is_empty());
    core::iter::from_fn(move || {
        let t = rest?;
        match find_byte(sep, t) {
            Some(i) => {
                rest = Some(&t[i + 1..]);
                Some(&t[..i])
            }
            None => {
                rest = None;
                Some(t)
            }
        }
    })
}

fn trim(mut s: &[u8]) -> &[u8] {
    while let [first, rest @ ..] = s {
        if first.is_ascii_whitespace() {
            s = rest;
        } else {
            break;
        }
    }
    while let [rest @ .., last] = s {
        if last.is_ascii_whitespace() {
            s = rest;
        } else {
            break;
        }
    }
    s
}

fn split_once(s: &[u8], sep: u8) -> Option<(&[u8], &[u8])> {
    // Keys are short: a plain scan beats a vectorised search's setup.
    let i = s.iter().position(|&b| b == sep)?;
    Some((&s[..i], &s[i + 1..]))
}

impl<'a> LinuxCpuInfo<'a> {
    /// `key: value` pairs, trimmed; blank lines separate processors and are
    /// returned as `None`.
    pub fn fields(&self) -> impl Iterator<Item = Option<(&'a [u8], &'a [u8])>> + 'a {
        self.lines().map(|l| split_once(l, b':').map(|(k, v)| (trim(k), trim(v))))
    }

    /// The value of the first occurrence of `key` ("model name", ...).
    pub fn get(&self, key: &str) -> Option<&'a [u8]> {
        self.fields().flatten().find(|(k, _)| *k == key.as_bytes()).map(|(_, v)| v)
    }

    /// Number of `processor` entries.
    pub fn processor_count(&self) -> usize {
        self.fields().flatten().filter(|(k, _)| *k == b"processor").count()
    }
}

impl<'a> LinuxProcStatus<'a> {
    /// `Key:\tvalue` pairs, values trimmed.
    pub fn fields(&self) -> impl Iterator<Item = (&'a [u8], &'a [u8])> + 'a {
        self.lines().filter_map(|l| split_once(l, b':').map(|(k, v)| (k, trim(v))))
    }

    /// The value of `key` ("Pid", "PPid", "Name", ...).
    pub fn get(&self, key: &str) -> Option<&'a [u8]> {
        self.fields().find(|(k, _)| *k == key.as_bytes()).map(|(_, v)| v)
    }
}

impl<'a> LinuxLsbRelease<'a> {
    /// `KEY=value` pairs, with one level of double quotes removed from values.
    pub fn fields(&self) -> impl Iterator<Item = (&'a [u8], &'a [u8])> + 'a {
        self.lines().filter_map(|l| {
            let (k, v) = split_once(l, b'=')?;
            let v = trim(v);
            let v = v.strip_prefix(b"\"").and_then(|v| v.strip_suffix(b"\"")).unwrap_or(v);
            Some((trim(k), v))
        })
    }

    /// The value of `key` (`DISTRIB_ID`, `PRETTY_NAME`, ...).
    pub fn get(&self, key: &str) -> Option<&'a [u8]> {
        self.fields().find(|(k, _)| *k == key.as_bytes()).map(|(_, v)| v)
    }
}

fn nul_separated(bytes: &[u8]) -> impl Iterator<Item = &[u8]> + '_ {
    let body = bytes.strip_suffix(b"\0").unwrap_or(bytes);
    split_all(body, 0)
}

impl<'a> LinuxCmdLine<'a> {
    /// The arguments.
    pub fn args(&self) -> impl Iterator<Item = &'a [u8]> + 'a {
        nul_separated(self.bytes)
    }
}

impl<'a> LinuxEnviron<'a> {
    /// `(name, value)` of each `NAME=value` entry; an entry without `=` has
    /// an empty value.
    pub fn vars(&self) -> impl Iterator<Item = (&'a [u8], &'a [u8])> + 'a {
        nul_separated(self.bytes).map(|e| split_once(e, b'=').unwrap_or((e, b"")))
    }
}

/// One line of `/proc/PID/maps`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MapsEntry<'a> {
    /// Start address.
    pub start: u64,
    /// End address (exclusive).
    pub end: u64,
    /// `rwxp`-style permissions.
    pub perms: &'a [u8],
    /// Offset into the mapped file.
    pub offset: u64,
    /// `major:minor` of the device.
    pub dev: &'a [u8],
    /// Inode of the mapped file.
    pub inode: u64,
    /// Path or pseudo-path (`[stack]`, `[vdso]`), possibly empty.
    pub path: &'a [u8],
}

impl MapsEntry<'_> {
    /// Whether the mapping is executable.
    pub fn is_executable(&self) -> bool {
        self.perms.get(2) == Some(&b'x')
    }
}

fn hex_field(s: &[u8]) -> Option<u64> {
    if s.is_empty() || s.len() > 16 {
        return None;
    }
    let mut v = 0u64;
    for &b in s {
        let d = match b {
            b'0'..=b'9' => b - b'0',
            b'a'..=b'f' => b - b'a' + 10,
            b'A'..=b'F' => b - b'A' + 10,
            _ => return None,
        };
        v = v << 4 | u64::from(d);
    }
    Some(v)
}

fn dec_field(s: &[u8]) -> Option<u64> {
    if s.is_empty() || s.len() > 20 {
        return None;
    }
    s.iter().try_fold(
        0u64,
        |v, &b| if b.is_ascii_digit() { v.checked_mul(10)?.checked_add(u64::from(b - b'0')) } else { None },
    )
}

/// Parses one maps line; `None` if it is malformed.
///
/// One forward pass: the kernel separates fields with single spaces and pads
/// before the path, so each field ends at the next space.
pub fn parse_maps_line(line: &[u8]) -> Option<MapsEntry<'_>> {
    fn field<'l>(rest: &mut &'l [u8]) -> &'l [u8] {
        let s = trim_start(rest);
        let n = find_byte(b' ', s).unwrap_or(s.len());
        *rest = &s[n..];
        &s[..n]
    }
    let mut rest = line;
    let range = field(&mut rest);
    let perms = field(&mut rest);
    let offset = hex_field(field(&mut rest))?;
    let dev = field(&mut rest);
    let inode = dec_field(field(&mut rest))?;
    let path = trim(rest);
    let (start, end) = split_once(range, b'-')?;
    Some(MapsEntry { start: hex_field(start)?, end: hex_field(end)?, perms, offset, dev, inode, path })
}

fn trim_start(mut s: &[u8]) -> &[u8] {
    // The padding before a maps path is a long run of spaces: skip 8 at a time.
    while let Some((b"        ", rest)) = s.split_first_chunk::<8>() {
        s = rest;
    }
    while let [b' ' | b'\t', rest @ ..] = s {
        s = rest;
    }
    s
}

impl<'a> LinuxMaps<'a> {
    /// Each line, parsed; malformed lines come back as `Err(line)`.
    pub fn entries(&self) -> impl Iterator<Item = core::result::Result<MapsEntry<'a>, &'a [u8]>> + 'a {
        self.lines().map(|l| parse_maps_line(l).ok_or(l))
    }
}

/// `/proc/PID/auxv`: `(type, value)` pairs of the word size of the dumped
/// process.
#[derive(Clone, Copy, Debug)]
pub struct LinuxAuxv<'a> {
    /// The stream's bytes.
    pub bytes: &'a [u8],
    /// 4 or 8: from SystemInfo's architecture (8 when unknown).
    pub word_size: usize,
}

impl<'a> Stream<'a> for LinuxAuxv<'a> {
    const STREAM_TYPE: StreamType = StreamType::LINUX_AUXV;

    fn parse(bytes: Bytes<'a>, dump: &Minidump<'a>) -> Result<Self> {
        let word_size = match dump.stream::<SystemInfo>().ok().flatten().map(|s| s.cpu_name()) {
            Some("x86" | "arm" | "mips" | "ppc" | "riscv") => 4,
            _ => 8,
        };
        Ok(LinuxAuxv { bytes: bytes.as_slice(), word_size })
    }
}

impl<'a> LinuxAuxv<'a> {
    /// The `(a_type, a_val)` pairs up to `AT_NULL` or the end of the stream.
    pub fn entries(&self) -> impl Iterator<Item = (u64, u64)> + 'a {
        let w = self.word_size;
        let word = move |b: &[u8]| -> u64 {
            if w == 4 {
                u64::from(u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
            } else {
                u64::from_le_bytes([b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7]])
            }
        };
        self.bytes.chunks_exact(2 * w).map(move |c| (word(&c[..w]), word(&c[w..]))).take_while(|(t, _)| *t != 0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn find_byte_agrees_with_a_plain_scan() {
        let mut text = Vec::new();
        for i in 0..300u32 {
            text.push(b'a' + (i * 7 % 26) as u8);
            if i % 37 == 0 {
                text.push(b'\n');
            }
        }
        for start in 0..text.len() {
            for needle in [b'\n', b'a', b'z', 0] {
                let want = text[start..].iter().position(|&b| b == needle);
                assert_eq!(find_byte(needle, &text[start..]), want, "{start} {needle}");
            }
        }
        // A 0x80 byte next to the needle must not confuse the word trick.
        assert_eq!(find_byte(b'\n', b"\x80\x0a"), Some(1));
        assert_eq!(find_byte(0x81, b"\x00\x01\x80\x81"), Some(3));
    }

    #[test]
    fn line_and_nul_splitting_edges() {
        assert_eq!(lines(b"a\n\nb\n").collect::<Vec<_>>(), [&b"a"[..], b"", b"b"]);
        assert_eq!(lines(b"a\nb").collect::<Vec<_>>(), [&b"a"[..], b"b"]);
        assert_eq!(lines(b"").count(), 0);
        assert_eq!(lines(b"\n").count(), 0);
        assert_eq!(lines(b"\n\n").collect::<Vec<_>>(), [&b""[..], b""]);
        assert_eq!(nul_separated(b"a\0\0b").collect::<Vec<_>>(), [&b"a"[..], b"", b"b"]);
    }

    #[test]
    fn maps_lines() {
        let e = parse_maps_line(b"7f12a000-7f12b000 r-xp 00001000 08:01 1234    /lib/libc.so.6").unwrap();
        assert_eq!((e.start, e.end, e.offset, e.inode), (0x7f12_a000, 0x7f12_b000, 0x1000, 1234));
        assert_eq!(e.path, b"/lib/libc.so.6");
        assert!(e.is_executable());
        let e = parse_maps_line(b"ffffffffff600000-ffffffffff601000 r-xp 00000000 00:00 0                  ").unwrap();
        assert_eq!(e.path, b"");
        assert!(parse_maps_line(b"garbage").is_none());
        assert!(parse_maps_line(b"zz-10 r-xp 0 0:0 0").is_none());
        assert!(parse_maps_line(b"").is_none());
    }

    #[test]
    fn cmdline_environ_and_text() {
        let c = LinuxCmdLine { bytes: b"./crash\0--flag\0" };
        assert_eq!(c.args().collect::<Vec<_>>(), [&b"./crash"[..], b"--flag"]);
        assert_eq!(LinuxCmdLine { bytes: b"" }.args().count(), 0);
        let e = LinuxEnviron { bytes: b"HOME=/root\0TERM=xterm\0odd\0" };
        assert_eq!(e.vars().collect::<Vec<_>>(), [(&b"HOME"[..], &b"/root"[..]), (b"TERM", b"xterm"), (b"odd", b"")]);
        let s = LinuxProcStatus { bytes: b"Name:\tcrash\nPid:\t1304\n" };
        assert_eq!(s.get("Pid"), Some(&b"1304"[..]));
        let l = LinuxLsbRelease { bytes: b"DISTRIB_ID=Ubuntu\nDISTRIB_DESCRIPTION=\"Ubuntu 16.04.3 LTS\"\n" };
        assert_eq!(l.get("DISTRIB_DESCRIPTION"), Some(&b"Ubuntu 16.04.3 LTS"[..]));
        let cpu = LinuxCpuInfo { bytes: b"processor\t: 0\nmodel name\t: Xeon\n\nprocessor\t: 1\n" };
        assert_eq!(cpu.processor_count(), 2);
        assert_eq!(cpu.get("model name"), Some(&b"Xeon"[..]));
    }

    #[test]
    fn auxv_pairs_stop_at_null_and_at_partial_entries() {
        let mut b = Vec::new();
        for (t, v) in [(6u64, 4096u64), (25, 0x7fff_0000), (0, 0), (9, 9)] {
            b.extend_from_slice(&t.to_le_bytes());
            b.extend_from_slice(&v.to_le_bytes());
        }
        b.extend_from_slice(&[1, 2, 3]);
        let a = LinuxAuxv { bytes: &b, word_size: 8 };
        assert_eq!(a.entries().collect::<Vec<_>>(), [(6, 4096), (25, 0x7fff_0000)]);
        let a = LinuxAuxv { bytes: &b[..20], word_size: 4 };
        assert_eq!(a.entries().count(), 2);
    }
}
