//! The one error type of the reader: what is wrong, in which stream, and at
//! which file offset.

use core::fmt;
use mdump_format::StreamType;

/// What went wrong.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ErrorKind {
    /// `len` bytes were needed at the offset but only `available` exist.
    Truncated {
        /// Bytes needed.
        needed: u64,
        /// Bytes that exist from the offset on (0 if the offset is past the end).
        available: u64,
    },
    /// The file does not start with `MDMP`.
    BadSignature(u32),
    /// The header's version is not `0xa793` in its low 16 bits.
    BadVersion(u32),
    /// A count in the file promises more entries than the bytes can hold.
    CountTooLarge {
        /// What is counted ("threads", "modules", ...).
        what: &'static str,
        /// The count the file gives.
        count: u64,
        /// Size of one entry.
        entry_size: u64,
        /// Bytes there are for the entries.
        available: u64,
    },
    /// A stream's size does not fit its declared contents.
    BadStreamSize {
        /// The size the directory gives.
        size: u64,
        /// What the contents need.
        expected: u64,
    },
    /// A header field that gives the size of an entry or header is too small.
    BadEntrySize {
        /// What the size describes.
        what: &'static str,
        /// The size in the file.
        size: u64,
        /// The smallest size this reader accepts.
        minimum: u64,
    },
    /// The CPU context cannot be identified, or its flags, size and the
    /// system's architecture disagree.
    BadContext(&'static str),
    /// Something else is malformed.
    Malformed(&'static str),
    /// A record carries a signature or version this reader does not know.
    Unsupported(&'static str),
    /// An I/O error while opening or mapping the file.
    Io(String),
}

/// A reader error: [`ErrorKind`] plus where it happened.
///
/// `offset` is always a file offset (not an offset inside a stream), so a
/// user can look at the bytes with a hex editor.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Error {
    /// What went wrong.
    pub kind: ErrorKind,
    /// The stream being read, if any.
    pub stream: Option<StreamType>,
    /// File offset of the bad data.
    pub offset: u64,
}

impl Error {
    /// An error at a file offset, outside of any stream.
    pub fn new(kind: ErrorKind, offset: u64) -> Error {
        Error { kind, stream: None, offset }
    }

    /// The same error, attributed to `stream` unless already attributed.
    pub fn in_stream(mut self, stream: StreamType) -> Error {
        if self.stream.is_none() {
            self.stream = Some(stream);
        }
        self
    }
}

/// The reader's result type.
pub type Result<T, E = Error> = core::result::Result<T, E>;

impl fmt::Display for ErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ErrorKind::Truncated { needed, available } => {
                write!(f, "truncated: {needed} bytes needed, {available} available")
            }
            ErrorKind::BadSignature(s) => {
                write!(f, "not a minidump: signature {s:#010x}, expected 0x504d444d (\"MDMP\")")
            }
            ErrorKind::BadVersion(v) => {
                write!(f, "unsupported version {v:#010x}, expected 0xa793 in the low 16 bits")
            }
            ErrorKind::CountTooLarge { what, count, entry_size, available } => {
                write!(f, "{count} {what} of {entry_size} bytes each do not fit in the {available} bytes available")
            }
            ErrorKind::BadStreamSize { size, expected } => {
                write!(f, "stream size {size} does not match the {expected} bytes its contents need")
            }
            ErrorKind::BadEntrySize { what, size, minimum } => {
                write!(f, "{what} size {size} is smaller than the minimum {minimum}")
            }
            ErrorKind::BadContext(why) => write!(f, "bad CPU context: {why}"),
            ErrorKind::Malformed(why) => write!(f, "malformed: {why}"),
            ErrorKind::Unsupported(why) => write!(f, "unsupported: {why}"),
            ErrorKind::Io(why) => write!(f, "{why}"),
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(stream) = self.stream {
            write!(f, "{stream}: ")?;
        }
        write!(f, "{} (at file offset {:#x})", self.kind, self.offset)
    }
}

impl std::error::Error for Error {}
