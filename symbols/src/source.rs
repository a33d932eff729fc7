//! [`SymbolBytes`]: a symbol file's bytes, memory-mapped where possible, so
//! that a [`crate::LazySymbols`] borrows its names from the page cache
//! instead of a copy, and the pages its index pass read can be given back
//! (only the pages later lookups touch come back).

use std::fs::File;
use std::io;
use std::ops::Range;
use std::path::Path;

/// A symbol file's bytes: a read-only shared mapping of the file, or a
/// buffer (an empty file, bytes from elsewhere).
pub struct SymbolBytes(Inner);

enum Inner {
    Mapped(memmap2::Mmap),
    Owned(Vec<u8>),
}

impl core::fmt::Debug for SymbolBytes {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        let kind = match self.0 {
            Inner::Mapped(_) => "mapped",
            Inner::Owned(_) => "owned",
        };
        f.debug_struct("SymbolBytes").field("kind", &kind).field("len", &self.as_ref().len()).finish()
    }
}

/// Pages are given back in steps of this many bytes.
pub(crate) const RELEASE_STEP: usize = 1 << 20;

impl SymbolBytes {
    /// Maps the file at `path` (reads it when it is empty: an empty mapping
    /// is an error on some systems).
    pub fn open(path: &Path) -> io::Result<SymbolBytes> {
        let file = File::open(path)?;
        if file.metadata()?.len() == 0 {
            return Ok(SymbolBytes(Inner::Owned(Vec::new())));
        }
        // Safety: the mapping is read-only and shared; it stays valid while
        // the file changes, but its bytes would change under the borrows
        // (or fault, if the file shrank). Symbol files are written once and
        // then only read, as the dumps the reader maps.
        #[allow(unsafe_code)]
        let map = unsafe { memmap2::Mmap::map(&file) }?;
        Ok(SymbolBytes(Inner::Mapped(map)))
    }

    /// Whether the bytes are a mapping of the file.
    pub fn is_mapped(&self) -> bool {
        matches!(self.0, Inner::Mapped(_))
    }

    /// Tells the system that `range` will not be needed soon: for a
    /// mapping, its whole pages leave this process's resident set (they
    /// stay in the page cache and come back, unchanged, when touched). Does
    /// nothing for a buffer.
    pub(crate) fn release(&self, range: Range<usize>) {
        let Inner::Mapped(map) = &self.0 else { return };
        let page = 4096;
        let start = range.start.div_ceil(page) * page;
        let end = range.end.min(map.len()) / page * page;
        if start < end {
            // Safety: the mapping is shared and read-only, so dropping its
            // pages loses nothing: the next read faults the file's same
            // bytes back in. A failure only means the pages stay.
            #[allow(unsafe_code)]
            let _ = unsafe { map.unchecked_advise_range(memmap2::UncheckedAdvice::DontNeed, start, end - start) };
        }
    }
}

impl AsRef<[u8]> for SymbolBytes {
    fn as_ref(&self) -> &[u8] {
        match &self.0 {
            Inner::Mapped(map) => map,
            Inner::Owned(bytes) => bytes,
        }
    }
}

impl From<Vec<u8>> for SymbolBytes {
    fn from(bytes: Vec<u8>) -> Self {
        SymbolBytes(Inner::Owned(bytes))
    }
}
