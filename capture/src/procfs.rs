//! Parsers for the `/proc` text the collector reads.
//!
//! Everything here takes untrusted bytes (another process's `/proc` files
//! can be odd: a `comm` with `)` or newlines in it, a path with spaces, a
//! truncated read) and never panics, allocates only in proportion to its
//! input, and always terminates. These are the fuzz entry points.

/// One line of `/proc/PID/maps`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MapsEntry<'a> {
    /// First address.
    pub start: u64,
    /// One past the last address.
    pub end: u64,
    /// `r` permission.
    pub read: bool,
    /// `w` permission.
    pub write: bool,
    /// `x` permission.
    pub exec: bool,
    /// `p` (private, copy on write) rather than `s` (shared).
    pub private: bool,
    /// File offset of `start`.
    pub offset: u64,
    /// Device major number.
    pub dev_major: u32,
    /// Device minor number.
    pub dev_minor: u32,
    /// Inode (0: anonymous or pseudo).
    pub inode: u64,
    /// The path or pseudo name (`[stack]`, `[vdso]`, ...); empty if none.
    /// The kernel appends ` (deleted)` to unlinked files; it is kept.
    pub path: &'a [u8],
}

impl MapsEntry<'_> {
    /// Size in bytes.
    pub fn size(&self) -> u64 {
        self.end - self.start
    }

    /// True when `address` lies inside.
    pub fn contains(&self, address: u64) -> bool {
        self.start <= address && address < self.end
    }
}

fn hex(field: &[u8]) -> Option<u64> {
    if field.is_empty() || field.len() > 16 {
        return None;
    }
    let mut v = 0u64;
    for &b in field {
        let d = (b as char).to_digit(16)?;
        v = (v << 4) | d as u64;
    }
    Some(v)
}

fn dec(field: &[u8]) -> Option<u64> {
    if field.is_empty() || field.len() > 20 {
        return None;
    }
    let mut v = 0u64;
    for &b in field {
        let d = (b as char).to_digit(10)?;
        v = v.checked_mul(10)?.checked_add(d as u64)?;
    }
    Some(v)
}

/// Splits off the next space-separated field, skipping leading spaces.
fn field<'a>(rest: &mut &'a [u8]) -> &'a [u8] {
    let s = rest.iter().position(|&b| b != b' ').unwrap_or(rest.len());
    let t = &rest[s..];
    let e = t.iter().position(|&b| b == b' ').unwrap_or(t.len());
    *rest = &t[e..];
    &t[..e]
}

/// Parses one line of `/proc/PID/maps` (without or with its `\n`), e.g.
/// `7f0c1a000000-7f0c1a021000 r-xp 00000000 08:01 1234   /usr/lib/libc.so.6`.
/// `None` for anything malformed (including `end < start`).
pub fn parse_maps_line(line: &[u8]) -> Option<MapsEntry<'_>> {
    let line = line.strip_suffix(b"\n").unwrap_or(line);
    let mut rest = line;
    let range = field(&mut rest);
    let dash = range.iter().position(|&b| b == b'-')?;
    let start = hex(&range[..dash])?;
    let end = hex(&range[dash + 1..])?;
    if end < start {
        return None;
    }
    let perms = field(&mut rest);
    if perms.len() != 4 {
        return None;
    }
    let offset = hex(field(&mut rest))?;
    let dev = field(&mut rest);
    let colon = dev.iter().position(|&b| b == b':')?;
    let dev_major = u32::try_from(hex(&dev[..colon])?).ok()?;
    let dev_minor = u32::try_from(hex(&dev[colon + 1..])?).ok()?;
    let inode = dec(field(&mut rest))?;
    // The path is everything after the padding and may contain spaces.
    let s = rest.iter().position(|&b| b != b' ').unwrap_or(rest.len());
    Some(MapsEntry {
        start,
        end,
        read: perms[0] == b'r',
        write: perms[1] == b'w',
        exec: perms[2] == b'x',
        private: perms[3] == b'p',
        offset,
        dev_major,
        dev_minor,
        inode,
        path: &rest[s..],
    })
}

/// Every well-formed line of a maps file (malformed lines are skipped).
pub fn parse_maps(maps: &[u8]) -> impl Iterator<Item = MapsEntry<'_>> {
    maps.split(|&b| b == b'\n').filter_map(parse_maps_line)
}

/// The fields of `/proc/PID/stat` the dump uses.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ProcStat {
    /// Parent pid (field 4).
    pub ppid: i32,
    /// User time in clock ticks (field 14).
    pub utime: u64,
    /// System time in clock ticks (field 15).
    pub stime: u64,
    /// Start time after boot in clock ticks (field 22).
    pub start_time: u64,
    /// Where the environment strings start (field 50; 0 if absent).
    pub env_start: u64,
    /// Where they end (field 51; 0 if absent).
    pub env_end: u64,
}

/// Parses `/proc/PID/stat`. The command name (field 2) is in parentheses
/// and may itself contain `)` and spaces, so fields are counted from the
/// last `)`.
pub fn parse_stat(stat: &[u8]) -> Option<ProcStat> {
    let close = stat.iter().rposition(|&b| b == b')')?;
    let mut rest = &stat[close + 1..];
    // Field 3 (state) is the first after the name.
    let mut fields = [0u64; 49];
    let mut n = 3;
    while n <= 51 {
        let f = field(&mut rest);
        if f.is_empty() {
            // Kernels before 3.5 stop earlier; the first 22 are required.
            if n <= 22 {
                return None;
            }
            break;
        }
        if n >= 4 {
            // Only numeric fields matter; a negative one (nice) reads as 0.
            fields[n - 3] = dec(f.strip_suffix(b"\n").unwrap_or(f)).unwrap_or(0);
        }
        n += 1;
    }
    Some(ProcStat {
        ppid: i32::try_from(fields[1]).unwrap_or(0),
        utime: fields[11],
        stime: fields[12],
        start_time: fields[19],
        env_start: fields[47],
        env_end: fields[48],
    })
}

/// The value of `Key:` in a `/proc/PID/status`-like file, trimmed.
pub fn status_field<'a>(status: &'a [u8], key: &str) -> Option<&'a [u8]> {
    for line in status.split(|&b| b == b'\n') {
        if let Some(rest) = line.strip_prefix(key.as_bytes()) {
            if let Some(v) = rest.strip_prefix(b":") {
                return Some(v.trim_ascii());
            }
        }
    }
    None
}

/// The value of `key` in `/proc/cpuinfo`-style text (`key<tabs>: value`),
/// first occurrence.
pub fn cpuinfo_field<'a>(cpuinfo: &'a [u8], key: &str) -> Option<&'a [u8]> {
    for line in cpuinfo.split(|&b| b == b'\n') {
        let Some(colon) = line.iter().position(|&b| b == b':') else { continue };
        if line[..colon].trim_ascii() == key.as_bytes() {
            return Some(line[colon + 1..].trim_ascii());
        }
    }
    None
}

/// `/proc/PID/auxv` as `(type, value)` pairs, up to `AT_NULL` (64-bit
/// layout). A trailing partial pair is ignored.
pub fn parse_auxv(auxv: &[u8]) -> impl Iterator<Item = (u64, u64)> + '_ {
    auxv.chunks_exact(16)
        .map(|c| {
            let k = u64::from_le_bytes(c[..8].try_into().unwrap_or_default());
            let v = u64::from_le_bytes(c[8..].try_into().unwrap_or_default());
            (k, v)
        })
        .take_while(|&(k, _)| k != 0)
}

/// The decimal number at the start of `text` (after blanks), e.g. of
/// `Tgid:\t1234` values or `/proc/uptime`.
pub fn leading_decimal(text: &[u8]) -> Option<u64> {
    let t = text.trim_ascii_start();
    let end = t.iter().position(|b| !b.is_ascii_digit()).unwrap_or(t.len());
    dec(&t[..end])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn maps_lines() {
        let e = parse_maps_line(b"7f0c1a000000-7f0c1a021000 r-xp 00001000 08:01 1234   /usr/lib/a b.so\n").unwrap();
        assert_eq!((e.start, e.end, e.offset, e.inode), (0x7f0c1a000000, 0x7f0c1a021000, 0x1000, 1234));
        assert!(e.read && !e.write && e.exec && e.private);
        assert_eq!((e.dev_major, e.dev_minor), (8, 1));
        assert_eq!(e.path, b"/usr/lib/a b.so");
        let anon = parse_maps_line(b"7ffd1000-7ffd3000 rw-s 00000000 00:00 0").unwrap();
        assert_eq!(anon.path, b"");
        assert!(!anon.private && anon.write);
        for bad in [
            &b""[..],
            b"zz-10 r-xp 0 00:00 0",
            b"20-10 r-xp 0 00:00 0",
            b"10-20 r-x 0 00:00 0",
            b"10-20 r-xp 0 0000 0",
            b"10-20 r-xp 0 00:00",
            b"10000000000000000-2 r-xp 0 00:00 0",
        ] {
            assert_eq!(parse_maps_line(bad), None, "{}", String::from_utf8_lossy(bad));
        }
        assert_eq!(parse_maps(b"garbage\n10-20 ---p 0 00:00 0\n\n").count(), 1);
    }

    #[test]
    fn stat_with_hostile_comm() {
        let line = b"42 (a) b) c) S 7 42 42 0 -1 4194560 100 0 0 0 11 22 0 0 20 0 1 0 9876 1000 10\n";
        let s = parse_stat(line).unwrap();
        assert_eq!(s, ProcStat { ppid: 7, utime: 11, stime: 22, start_time: 9876, env_start: 0, env_end: 0 });
        assert_eq!(parse_stat(b"42 (x) S 1 2"), None);
        assert_eq!(parse_stat(b"no paren"), None);
    }

    #[test]
    fn status_cpuinfo_auxv() {
        let st = b"Name:\tx\nTgid:\t 55\nTracerPid:\t0\n";
        assert_eq!(status_field(st, "Tgid"), Some(&b"55"[..]));
        assert_eq!(status_field(st, "Pid"), None);
        assert_eq!(leading_decimal(b" 12.5 7"), Some(12));
        let ci = b"processor\t: 0\nvendor_id\t: GenuineIntel\ncpu family\t: 6\n";
        assert_eq!(cpuinfo_field(ci, "cpu family"), Some(&b"6"[..]));
        let mut aux = Vec::new();
        for (k, v) in [(6u64, 4096u64), (3, 0x400040), (0, 0), (9, 9)] {
            aux.extend_from_slice(&k.to_le_bytes());
            aux.extend_from_slice(&v.to_le_bytes());
        }
        aux.push(1);
        assert_eq!(parse_auxv(&aux).collect::<Vec<_>>(), vec![(6, 4096), (3, 0x400040)]);
    }
}
