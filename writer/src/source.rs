//! Where dumped memory comes from.

/// A process's memory, or anything that can answer "N bytes at address A".
///
/// The writer pulls memory through this trait in chunks of the caller's
/// scratch buffer and writes each chunk straight out, so a dump of any size
/// is written without holding its memory. Implementations exist for a live
/// process (`/proc/PID/mem`, `process_vm_readv`; in `mdump-capture`), for an
/// existing dump (`mdump rewrite`), and for plain byte slices (tests).
pub trait MemorySource {
    /// Fills as much of `buf` as possible with the bytes at `address` and
    /// returns how many were read. Fewer than `buf.len()` (0 included) means
    /// the memory after that point is unreadable; the writer then records the
    /// range as shorter.
    fn read(&mut self, address: u64, buf: &mut [u8]) -> usize;
}

/// A source with no memory: every read comes back empty.
#[derive(Clone, Copy, Debug, Default)]
pub struct NoMemory;

impl MemorySource for NoMemory {
    fn read(&mut self, _address: u64, _buf: &mut [u8]) -> usize {
        0
    }
}

/// Memory held in slices: `(address, bytes)` pairs. Overlaps are allowed;
/// the first region holding an address answers.
#[derive(Clone, Debug, Default)]
pub struct SliceMemory<'a> {
    regions: Vec<(u64, &'a [u8])>,
}

impl<'a> SliceMemory<'a> {
    /// A source over `regions`.
    pub fn new(regions: Vec<(u64, &'a [u8])>) -> SliceMemory<'a> {
        SliceMemory { regions }
    }
}

impl MemorySource for SliceMemory<'_> {
    fn read(&mut self, address: u64, buf: &mut [u8]) -> usize {
        for (base, bytes) in &self.regions {
            if let Some(off) = address.checked_sub(*base) {
                if let Some(avail) = usize::try_from(off).ok().and_then(|o| bytes.get(o..)) {
                    if avail.is_empty() {
                        continue;
                    }
                    let n = avail.len().min(buf.len());
                    buf[..n].copy_from_slice(&avail[..n]);
                    return n;
                }
            }
        }
        0
    }
}

impl<T: MemorySource + ?Sized> MemorySource for &mut T {
    fn read(&mut self, address: u64, buf: &mut [u8]) -> usize {
        (**self).read(address, buf)
    }
}
