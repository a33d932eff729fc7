//! Breakpad's BreakpadInfo stream: which thread wrote the dump and which one
//! asked for it.

use crate::bytes::Bytes;
use crate::error::Result;
use crate::minidump::{Minidump, Stream};
use mdump_format::breakpad_info::{
    BreakpadInfo as RawBreakpadInfo, BREAKPAD_INFO_VALID_DUMP_THREAD_ID, BREAKPAD_INFO_VALID_REQUESTING_THREAD_ID,
};
use mdump_format::StreamType;

/// The BreakpadInfo stream, viewed in place.
///
/// A processor uses it to skip the handler thread (which wrote the dump) and
/// to find the thread that crashed or requested the dump when there is no
/// exception stream. Each id is only meaningful when its validity bit is set,
/// which the accessors check.
#[derive(Clone, Copy, Debug)]
pub struct BreakpadInfo<'a> {
    /// The on-disk structure.
    pub raw: &'a RawBreakpadInfo,
}

impl<'a> Stream<'a> for BreakpadInfo<'a> {
    const STREAM_TYPE: StreamType = StreamType::BREAKPAD_INFO;

    fn parse(bytes: Bytes<'a>, _dump: &Minidump<'a>) -> Result<Self> {
        // A longer stream (a future writer's) is accepted; its known fields
        // are at the start.
        Ok(BreakpadInfo { raw: bytes.read(0)? })
    }
}

impl BreakpadInfo<'_> {
    /// The `BREAKPAD_INFO_VALID_*` bits as written.
    pub fn validity(&self) -> u32 {
        self.raw.validity.get()
    }

    /// Id of the thread that wrote the dump, if the writer marked it valid.
    pub fn dump_thread_id(&self) -> Option<u32> {
        (self.validity() & BREAKPAD_INFO_VALID_DUMP_THREAD_ID != 0).then(|| self.raw.dump_thread_id.get())
    }

    /// Id of the thread that crashed or asked for the dump, if the writer
    /// marked it valid.
    pub fn requesting_thread_id(&self) -> Option<u32> {
        (self.validity() & BREAKPAD_INFO_VALID_REQUESTING_THREAD_ID != 0).then(|| self.raw.requesting_thread_id.get())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ErrorKind;

    const BREAKPAD_INFO: u32 = 0x4767_0001;

    /// Header, one directory entry at 32, the stream at 44.
    fn file(stream: &[u8]) -> Vec<u8> {
        let mut f = b"MDMP".to_vec();
        f.extend_from_slice(&0xa793u32.to_le_bytes()); // Version
        f.extend_from_slice(&1u32.to_le_bytes()); // NumberOfStreams
        f.extend_from_slice(&32u32.to_le_bytes()); // StreamDirectoryRva
        f.extend_from_slice(&[0; 16]); // CheckSum, TimeDateStamp, Flags
        f.extend_from_slice(&BREAKPAD_INFO.to_le_bytes()); // StreamType
        f.extend_from_slice(&(stream.len() as u32).to_le_bytes()); // DataSize
        f.extend_from_slice(&44u32.to_le_bytes()); // Rva
        f.extend_from_slice(stream);
        f
    }

    fn stream(validity: u32, dump_thread: u32, requesting_thread: u32) -> Vec<u8> {
        let mut s = validity.to_le_bytes().to_vec(); // validity, at 0
        s.extend_from_slice(&dump_thread.to_le_bytes()); // dump_thread_id, at 4
        s.extend_from_slice(&requesting_thread.to_le_bytes()); // requesting_thread_id, at 8
        s
    }

    fn parse(file: &[u8]) -> Result<BreakpadInfo<'_>> {
        Ok(Minidump::parse(file)?.stream::<BreakpadInfo>()?.expect("stream present"))
    }

    #[test]
    fn both_ids_valid() {
        let f = file(&stream(3, 0x1111, 0x2222));
        let info = parse(&f).unwrap();
        assert_eq!(info.validity(), 3);
        assert_eq!(info.dump_thread_id(), Some(0x1111));
        assert_eq!(info.requesting_thread_id(), Some(0x2222));
    }

    #[test]
    fn ids_without_their_bit_are_none() {
        let f = file(&stream(0, 0x1111, 0x2222));
        let info = parse(&f).unwrap();
        assert_eq!(info.dump_thread_id(), None);
        assert_eq!(info.requesting_thread_id(), None);

        let f = file(&stream(2, 0x1111, 0x2222));
        let info = parse(&f).unwrap();
        assert_eq!(info.dump_thread_id(), None);
        assert_eq!(info.requesting_thread_id(), Some(0x2222));

        // Unknown bits do not matter; a longer stream is accepted.
        let mut s = stream(0xffff_fff1, 7, 8);
        s.extend_from_slice(&[0xee; 8]);
        let f = file(&s);
        let info = parse(&f).unwrap();
        assert_eq!(info.dump_thread_id(), Some(7));
        assert_eq!(info.requesting_thread_id(), None);
    }

    #[test]
    fn truncated_stream_is_an_error_with_offset() {
        let s = stream(3, 1, 2);
        let f = file(&s[..11]);
        let e = parse(&f).unwrap_err();
        assert_eq!(e.kind, ErrorKind::Truncated { needed: 12, available: 11 });
        assert_eq!(e.offset, 44);
        assert_eq!(e.stream, Some(StreamType::BREAKPAD_INFO));

        let f = file(&[]);
        assert!(parse(&f).is_err());
    }

    #[test]
    fn stream_past_the_end_of_the_file() {
        let mut f = file(&stream(3, 1, 2));
        f.truncate(50);
        let e = parse(&f).unwrap_err();
        assert!(matches!(e.kind, ErrorKind::Truncated { .. }));
        assert_eq!(e.stream, Some(StreamType::BREAKPAD_INFO));
    }
}
