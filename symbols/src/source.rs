//! Where a [`crate::LazySymbols`] reads a symbol file's bytes: any buffer
//! ([`ByteSource`] for everything that is `AsRef<[u8]>`), or a
//! [`SymbolBytes`], which keeps a small file in memory and reads a large one
//! a piece at a time, when a lookup needs it.
//!
//! Why not a memory map: recent kernels map a file's pages into a process
//! by whole page-cache folios (up to 2 MiB), so the few lookups a stack
//! walk makes into a large symbol file would bring most of it into the
//! resident set. Reading the records a lookup lands in costs a system call
//! each, and keeps only what is read.

use std::borrow::Cow;
use std::fs::File;
use std::io::{self, Read, Seek, SeekFrom};
use std::ops::Range;
use std::path::Path;
use std::sync::{Mutex, PoisonError};

/// A symbol file's bytes, by range.
pub trait ByteSource {
    /// The number of bytes.
    fn len(&self) -> usize;

    /// Whether there are none.
    fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// All the bytes, when they are in memory.
    fn as_slice(&self) -> Option<&[u8]>;

    /// The bytes of `range` (clamped to the end); `None` if they cannot be
    /// read.
    fn slice(&self, range: Range<usize>) -> Option<Cow<'_, [u8]>>;

    /// Appends the bytes of `range` (clamped to the end) to `out`; false if
    /// they cannot be read.
    fn append(&self, range: Range<usize>, out: &mut Vec<u8>) -> bool {
        match self.slice(range) {
            Some(piece) => {
                out.extend_from_slice(&piece);
                true
            }
            None => false,
        }
    }
}

impl<T: AsRef<[u8]>> ByteSource for T {
    fn len(&self) -> usize {
        self.as_ref().len()
    }

    fn as_slice(&self) -> Option<&[u8]> {
        Some(self.as_ref())
    }

    fn slice(&self, range: Range<usize>) -> Option<Cow<'_, [u8]>> {
        let all = self.as_ref();
        all.get(range.start..range.end.min(all.len())).map(Cow::Borrowed)
    }
}

/// Files up to this size are read into memory by [`SymbolBytes::open`];
/// larger ones are read a piece at a time.
pub const IN_MEMORY_LIMIT: u64 = 4 << 20;

/// A symbol file's bytes: in memory, or in the file, read when asked for.
pub struct SymbolBytes(Inner);

enum Inner {
    Memory(Vec<u8>),
    /// The file (reads seek, hence the lock) and its length when opened.
    File(Mutex<File>, usize),
}

impl core::fmt::Debug for SymbolBytes {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        let kind = if self.is_in_memory() { "memory" } else { "file" };
        f.debug_struct("SymbolBytes").field("kind", &kind).field("len", &self.len()).finish()
    }
}

impl SymbolBytes {
    /// The file at `path`: read whole if it has at most
    /// [`IN_MEMORY_LIMIT`] bytes, else [`SymbolBytes::from_file`].
    pub fn open(path: &Path) -> io::Result<SymbolBytes> {
        let mut file = File::open(path)?;
        let len = file.metadata()?.len();
        if len > IN_MEMORY_LIMIT {
            return Self::from_file(file);
        }
        let mut bytes = Vec::with_capacity(usize::try_from(len).unwrap_or(0));
        file.read_to_end(&mut bytes)?;
        Ok(SymbolBytes(Inner::Memory(bytes)))
    }

    /// An open file, read a piece at a time. Its length is taken now; a
    /// file that changes afterwards gives wrong answers or none (never a
    /// crash).
    pub fn from_file(file: File) -> io::Result<SymbolBytes> {
        let len = usize::try_from(file.metadata()?.len())
            .map_err(|_| io::Error::new(io::ErrorKind::InvalidData, "symbol file too large for this platform"))?;
        Ok(SymbolBytes(Inner::File(Mutex::new(file), len)))
    }

    /// Whether the bytes are in memory.
    pub fn is_in_memory(&self) -> bool {
        matches!(self.0, Inner::Memory(_))
    }
}

impl ByteSource for SymbolBytes {
    fn len(&self) -> usize {
        match &self.0 {
            Inner::Memory(bytes) => bytes.len(),
            Inner::File(_, len) => *len,
        }
    }

    fn as_slice(&self) -> Option<&[u8]> {
        match &self.0 {
            Inner::Memory(bytes) => Some(bytes),
            Inner::File(..) => None,
        }
    }

    fn slice(&self, range: Range<usize>) -> Option<Cow<'_, [u8]>> {
        if let Inner::Memory(bytes) = &self.0 {
            return bytes.slice(range);
        }
        let mut piece = Vec::new();
        self.append(range, &mut piece).then_some(Cow::Owned(piece))
    }

    fn append(&self, range: Range<usize>, out: &mut Vec<u8>) -> bool {
        let (file, len) = match &self.0 {
            Inner::Memory(bytes) => return bytes.append(range, out),
            Inner::File(file, len) => (file, *len),
        };
        let Some(size) = range.end.min(len).checked_sub(range.start) else { return false };
        let old = out.len();
        // Exactly: a reader's buffer should not double past what it holds.
        out.reserve_exact(size);
        out.resize(old + size, 0);
        let mut file = file.lock().unwrap_or_else(PoisonError::into_inner);
        let read = file.seek(SeekFrom::Start(range.start as u64)).and_then(|_| file.read_exact(&mut out[old..]));
        if read.is_err() {
            out.truncate(old);
        }
        read.is_ok()
    }
}

impl From<Vec<u8>> for SymbolBytes {
    fn from(bytes: Vec<u8>) -> Self {
        SymbolBytes(Inner::Memory(bytes))
    }
}
