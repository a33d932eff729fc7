//! mdump's own `MdumpWriteErrors` stream (0x6d640001): the streams a writer
//! could not gather, one line each, `<stream type in hex> <reason>`. Their
//! directory slots are `UnusedStream` entries.

use crate::bytes::Bytes;
use crate::error::Result;
use crate::minidump::{Minidump, Stream};
use mdump_format::StreamType;

/// The MdumpWriteErrors stream.
#[derive(Clone, Copy, Debug)]
pub struct WriteErrors<'a> {
    /// The stream's text.
    pub bytes: &'a [u8],
}

impl<'a> Stream<'a> for WriteErrors<'a> {
    const STREAM_TYPE: StreamType = StreamType::MDUMP_WRITE_ERRORS;

    fn parse(bytes: Bytes<'a>, _dump: &Minidump<'a>) -> Result<Self> {
        Ok(WriteErrors { bytes: bytes.as_slice() })
    }
}

impl<'a> WriteErrors<'a> {
    /// Each recorded failure: the stream type (when the line starts with a
    /// hex number) and the reason.
    pub fn entries(&self) -> impl Iterator<Item = (Option<StreamType>, &'a [u8])> + 'a {
        crate::linux::lines(self.bytes).filter(|l| !l.is_empty()).map(|line| {
            let (head, rest) = match line.iter().position(|&b| b == b' ') {
                Some(i) => (&line[..i], &line[i + 1..]),
                None => (line, &b""[..]),
            };
            let ty = core::str::from_utf8(head)
                .ok()
                .and_then(|h| h.strip_prefix("0x"))
                .and_then(|h| u32::from_str_radix(h, 16).ok())
                .map(StreamType);
            match ty {
                Some(t) => (Some(t), rest),
                None => (None, line),
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_with_and_without_a_type() {
        let w = WriteErrors { bytes: b"0x47670007 environ: permission denied\n...\n" };
        let e: Vec<_> = w.entries().collect();
        assert_eq!(e[0], (Some(StreamType::LINUX_ENVIRON), &b"environ: permission denied"[..]));
        assert_eq!(e[1], (None, &b"..."[..]));
    }
}
