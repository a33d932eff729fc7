//! Test helpers: wrap hand-built stream bytes in a minimal minidump.
//!
//! Nothing here uses `mdump-format` to lay out bytes: every offset is written
//! out by hand, so a layout mistake in the format crate cannot hide on both
//! the writing and the reading side of a test.
//!
//! The file [`dump`] builds is: the 32-byte header, one 12-byte directory
//! entry at 32, then the `extra` bytes at [`EXTRA_RVA`] (44), then the stream.
//! Putting `extra` first means RVAs into it do not depend on the stream's
//! length.

use crate::error::Result;
use crate::minidump::{Minidump, Stream};

/// File offset of the first `extra` byte.
pub const EXTRA_RVA: u32 = 44;

/// A one-stream minidump: `stream` of type `stream_type`, after `extra`.
pub fn dump(stream_type: u32, stream: &[u8], extra: &[u8]) -> Vec<u8> {
    let stream_rva = EXTRA_RVA as usize + extra.len();
    let mut f = Vec::new();
    f.extend_from_slice(b"MDMP"); // Signature
    f.extend_from_slice(&0xa793u32.to_le_bytes()); // Version
    f.extend_from_slice(&1u32.to_le_bytes()); // NumberOfStreams
    f.extend_from_slice(&32u32.to_le_bytes()); // StreamDirectoryRva
    f.extend_from_slice(&[0; 16]); // CheckSum, TimeDateStamp, Flags
    assert_eq!(f.len(), 32);
    f.extend_from_slice(&stream_type.to_le_bytes()); // StreamType
    f.extend_from_slice(&(stream.len() as u32).to_le_bytes()); // DataSize
    f.extend_from_slice(&(stream_rva as u32).to_le_bytes()); // Rva
    assert_eq!(f.len(), EXTRA_RVA as usize);
    f.extend_from_slice(extra);
    f.extend_from_slice(stream);
    f
}

/// File offset of the stream in a file built by [`dump`] with `extra`.
pub fn stream_rva(extra: &[u8]) -> u64 {
    u64::from(EXTRA_RVA) + extra.len() as u64
}

/// Parses the one stream of a file built by [`dump`].
pub fn parse<'a, S: Stream<'a>>(file: &'a [u8]) -> Result<S> {
    let dump = Minidump::parse(file).expect("test dump header");
    Ok(dump.stream::<S>()?.expect("the stream is in the directory"))
}

/// A `MINIDUMP_STRING`: byte length, UTF-16LE units, a NUL unit.
pub fn utf16_string(s: &str) -> Vec<u8> {
    let units: Vec<u16> = s.encode_utf16().collect();
    let mut v = ((units.len() * 2) as u32).to_le_bytes().to_vec();
    for u in units {
        v.extend_from_slice(&u.to_le_bytes());
    }
    v.extend_from_slice(&[0, 0]);
    v
}

/// Writes `v` at `off`.
pub fn put_u16(buf: &mut [u8], off: usize, v: u16) {
    buf[off..off + 2].copy_from_slice(&v.to_le_bytes());
}

/// Writes `v` at `off`.
pub fn put_u32(buf: &mut [u8], off: usize, v: u32) {
    buf[off..off + 4].copy_from_slice(&v.to_le_bytes());
}

/// Writes `v` at `off`.
pub fn put_u64(buf: &mut [u8], off: usize, v: u64) {
    buf[off..off + 8].copy_from_slice(&v.to_le_bytes());
}
