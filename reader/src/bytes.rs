//! `Bytes`: the one bounds-checked way to take bytes at a file offset.
//!
//! Every read of file data in this crate goes through here, so that no
//! offset or count from the file can panic, overflow, or make us allocate:
//! `offset + len` is never computed unchecked, and arrays are viewed in place
//! (all format structs have alignment 1), never copied.

use crate::error::{Error, ErrorKind, Result};
use zerocopy::{FromBytes, Immutable, KnownLayout, Unaligned};

/// A window on the file: `data` starts at file offset `base`.
#[derive(Clone, Copy, Debug)]
pub struct Bytes<'a> {
    data: &'a [u8],
    base: u64,
}

impl<'a> Bytes<'a> {
    /// The whole file.
    pub fn new(data: &'a [u8]) -> Bytes<'a> {
        Bytes { data, base: 0 }
    }

    /// The bytes of this window.
    pub fn as_slice(&self) -> &'a [u8] {
        self.data
    }

    /// Number of bytes in the window.
    pub fn len(&self) -> usize {
        self.data.len()
    }

    /// Whether the window is empty.
    pub fn is_empty(&self) -> bool {
        self.data.is_empty()
    }

    /// File offset of the window's first byte.
    pub fn base(&self) -> u64 {
        self.base
    }

    fn truncated(&self, offset: u64, needed: u64) -> Error {
        let available = (self.data.len() as u64).saturating_sub(offset);
        Error::new(ErrorKind::Truncated { needed, available }, self.base.saturating_add(offset))
    }

    /// The `len` bytes at `offset` (relative to the window) as a new window.
    pub fn sub(&self, offset: u64, len: u64) -> Result<Bytes<'a>> {
        let slice = usize::try_from(offset)
            .ok()
            .and_then(|o| self.data.get(o..))
            .and_then(|rest| usize::try_from(len).ok().and_then(|l| rest.get(..l)))
            .ok_or_else(|| self.truncated(offset, len))?;
        Ok(Bytes { data: slice, base: self.base + offset })
    }

    /// Everything from `offset` to the end of the window.
    pub fn tail(&self, offset: u64) -> Result<Bytes<'a>> {
        let rest =
            usize::try_from(offset).ok().and_then(|o| self.data.get(o..)).ok_or_else(|| self.truncated(offset, 0))?;
        Ok(Bytes { data: rest, base: self.base + offset })
    }

    /// A structure viewed in place at `offset`.
    pub fn read<T>(&self, offset: u64) -> Result<&'a T>
    where
        T: FromBytes + KnownLayout + Immutable + Unaligned,
    {
        let bytes = self.sub(offset, core::mem::size_of::<T>() as u64)?;
        T::ref_from_bytes(bytes.data).map_err(|_| self.truncated(offset, core::mem::size_of::<T>() as u64))
    }

    /// A structure at `offset` if the window holds all of it, else the part
    /// that exists is reported as truncated.
    pub fn u32_at(&self, offset: u64) -> Result<u32> {
        Ok(self.read::<mdump_format::U32>(offset)?.get())
    }

    /// A `u64` at `offset`.
    pub fn u64_at(&self, offset: u64) -> Result<u64> {
        Ok(self.read::<mdump_format::U64>(offset)?.get())
    }

    /// `count` structures at `offset`, viewed in place.
    ///
    /// The count is checked against the bytes that exist before anything
    /// else happens, so a count of `u64::MAX` costs nothing.
    pub fn array<T>(&self, offset: u64, count: u64, what: &'static str) -> Result<&'a [T]>
    where
        T: FromBytes + Immutable + Unaligned,
    {
        let size = core::mem::size_of::<T>() as u64;
        let available = (self.data.len() as u64).saturating_sub(offset);
        let needed = count.checked_mul(size);
        match needed {
            Some(n) if n <= available => {}
            _ => {
                return Err(Error::new(
                    ErrorKind::CountTooLarge { what, count, entry_size: size, available },
                    self.base.saturating_add(offset),
                ))
            }
        }
        let bytes = self.sub(offset, count * size)?;
        <[T]>::ref_from_bytes(bytes.data)
            .map_err(|_| Error::new(ErrorKind::Malformed("array view"), self.base + offset))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use mdump_format::U32;

    #[test]
    fn sub_never_overflows() {
        let data = [0u8; 16];
        let b = Bytes::new(&data);
        assert!(b.sub(u64::MAX, 2).is_err());
        assert!(b.sub(8, u64::MAX).is_err());
        assert!(b.sub(16, 0).is_ok());
        assert!(b.sub(17, 0).is_err());
        let e = b.sub(12, 8).unwrap_err();
        assert_eq!(e.offset, 12);
        assert_eq!(e.kind, ErrorKind::Truncated { needed: 8, available: 4 });
    }

    #[test]
    fn nested_windows_report_file_offsets() {
        let data = [0u8; 64];
        let b = Bytes::new(&data).sub(32, 16).unwrap();
        let e = b.read::<[U32; 5]>(0).unwrap_err();
        assert_eq!(e.offset, 32);
        assert_eq!(b.base(), 32);
    }

    #[test]
    fn count_of_four_billion_in_a_tiny_file_allocates_nothing() {
        let data = [0xffu8; 64];
        let b = Bytes::new(&data);
        let e = b.array::<U32>(4, 0xffff_ffff, "threads").unwrap_err();
        assert!(matches!(e.kind, ErrorKind::CountTooLarge { count: 0xffff_ffff, available: 60, .. }));
        let e = b.array::<U32>(4, u64::MAX, "threads").unwrap_err();
        assert!(matches!(e.kind, ErrorKind::CountTooLarge { .. }));
        assert_eq!(b.array::<U32>(4, 15, "x").unwrap().len(), 15);
    }
}
