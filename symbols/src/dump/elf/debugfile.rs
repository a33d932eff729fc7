//! Finding a binary's separate debug file, as GDB and Breakpad do:
//! `ROOT/.build-id/xx/rest.debug` by build id, then the `.gnu_debuglink`
//! name next to the binary, in its `.debug/` folder, and under
//! `ROOT/<the binary's folder>`, the last three checked against the link's
//! CRC-32.

use std::path::{Path, PathBuf};

use object::elf;

use super::image::Image;
use super::Mapped;

/// The `.gnu_debuglink` name and CRC, if the section is well formed (a
/// NUL-terminated name, padded to 4 bytes, then the CRC in the file's byte
/// order).
pub(crate) fn debuglink<'d>(image: &Image<'d>) -> Option<(&'d [u8], u32)> {
    let s = image.section(".gnu_debuglink", elf::SHT_PROGBITS)?;
    let data = image.raw(s).ok()?;
    let nul = data.iter().position(|&b| b == 0)?;
    let crc_at = (nul + 1).div_ceil(4) * 4;
    let crc: [u8; 4] = data.get(crc_at..crc_at + 4)?.try_into().ok()?;
    let crc = if image.big_endian { u32::from_be_bytes(crc) } else { u32::from_le_bytes(crc) };
    (nul > 0).then_some((&data[..nul], crc))
}

/// The candidates in search order, each with the CRC it must have (`None`
/// for the build-id path, which is checked by build id instead).
pub(crate) fn candidates(binary: &Path, image: &Image<'_>, roots: &[PathBuf]) -> Vec<(PathBuf, Option<u32>)> {
    let mut out = Vec::new();
    if let Some(id) = image.build_id.filter(|id| id.len() >= 2) {
        let hex = super::id::hex_upper(id).to_ascii_lowercase();
        for root in roots {
            out.push((root.join(".build-id").join(&hex[..2]).join(format!("{}.debug", &hex[2..])), None));
        }
    }
    if let Some((name, crc)) = debuglink(image) {
        let name = String::from_utf8_lossy(name).into_owned();
        // The link is a file name; anything with a separator is refused.
        if name.contains('/') || name == ".." {
            return out;
        }
        let dir = binary.parent().map(Path::to_path_buf).unwrap_or_default();
        let dir = std::fs::canonicalize(&dir).unwrap_or(dir);
        out.push((dir.join(&name), Some(crc)));
        out.push((dir.join(".debug").join(&name), Some(crc)));
        for root in roots {
            let rel = dir.strip_prefix("/").unwrap_or(&dir);
            out.push((root.join(rel).join(&name), Some(crc)));
        }
    }
    out
}

/// The first candidate that exists, is not the binary itself, and matches
/// its CRC or build id.
pub(crate) fn find(binary: &Path, image: &Image<'_>, roots: &[PathBuf]) -> Option<(PathBuf, Mapped)> {
    let me = std::fs::canonicalize(binary).ok();
    for (path, crc) in candidates(binary, image, roots) {
        if !path.is_file() || std::fs::canonicalize(&path).ok() == me {
            continue;
        }
        let Ok(map) = Mapped::open(&path) else { continue };
        let ok = match crc {
            Some(crc) => crc32(map.bytes()) == crc,
            None => Image::parse(map.bytes()).ok().and_then(|d| d.build_id) == image.build_id,
        };
        if ok {
            return Some((path, map));
        }
    }
    None
}

/// CRC-32 (IEEE 802.3, reflected, as zlib and `.gnu_debuglink` use).
pub(crate) fn crc32(data: &[u8]) -> u32 {
    static TABLE: std::sync::OnceLock<[u32; 256]> = std::sync::OnceLock::new();
    let table = TABLE.get_or_init(|| {
        let mut t = [0u32; 256];
        for (i, e) in t.iter_mut().enumerate() {
            let mut c = i as u32;
            for _ in 0..8 {
                c = if c & 1 != 0 { 0xEDB8_8320 ^ (c >> 1) } else { c >> 1 };
            }
            *e = c;
        }
        t
    });
    let mut crc = !0u32;
    for &b in data {
        crc = table[usize::from((crc as u8) ^ b)] ^ (crc >> 8);
    }
    !crc
}

#[cfg(test)]
mod tests {
    #[test]
    fn crc32_check_value() {
        assert_eq!(super::crc32(b"123456789"), 0xCBF4_3926);
    }
}
