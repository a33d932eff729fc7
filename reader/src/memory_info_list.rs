//! The MemoryInfoList stream: the process's address space region by region
//! (state, protection and type), whether or not the bytes are in the dump.

use crate::bytes::Bytes;
use crate::error::Result;
use crate::list::SizedEntries;
use crate::minidump::{Minidump, Stream};
use mdump_format::memory_info::*;
use mdump_format::StreamType;

/// The MemoryInfoList stream: a header and fixed-size entries, viewed in
/// place. Entries larger than [`MemoryInfo`] are accepted.
#[derive(Clone, Copy, Debug)]
pub struct MemoryInfoList<'a> {
    /// The on-disk header.
    pub header: &'a MemoryInfoListHeader,
    entries: SizedEntries<'a>,
}

/// One region of a [`MemoryInfoList`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MemoryRegionInfo<'a> {
    /// The on-disk entry.
    pub raw: &'a MemoryInfo,
}

impl<'a> Stream<'a> for MemoryInfoList<'a> {
    const STREAM_TYPE: StreamType = StreamType::MEMORY_INFO_LIST;

    fn parse(bytes: Bytes<'a>, _dump: &Minidump<'a>) -> Result<Self> {
        let header: &MemoryInfoListHeader = bytes.read(0)?;
        let entries = SizedEntries::after_header::<MemoryInfoListHeader>(
            bytes,
            header.size_of_header.get().into(),
            header.size_of_entry.get().into(),
            header.number_of_entries.get(),
            core::mem::size_of::<MemoryInfo>() as u64,
            "memory info entries",
        )?;
        Ok(MemoryInfoList { header, entries })
    }
}

impl<'a> MemoryInfoList<'a> {
    /// Number of regions.
    pub fn len(&self) -> usize {
        // The count was checked against the bytes present, so it fits.
        usize::try_from(self.entries.len()).unwrap_or(usize::MAX)
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Region `index`.
    pub fn get(&self, index: usize) -> Option<MemoryRegionInfo<'a>> {
        self.entries.get(index as u64).map(|raw| MemoryRegionInfo { raw })
    }

    /// The regions in file order.
    pub fn iter(&self) -> impl Iterator<Item = MemoryRegionInfo<'a>> + 'a {
        self.entries.iter().map(|raw| MemoryRegionInfo { raw })
    }

    /// The first region holding `address`. Regions from `VirtualQueryEx`
    /// do not overlap, so in a well-formed dump there is at most one.
    pub fn by_address(&self, address: u64) -> Option<MemoryRegionInfo<'a>> {
        self.iter().find(|r| r.contains(address))
    }
}

impl MemoryRegionInfo<'_> {
    /// Address of the region's first byte.
    pub fn base(&self) -> u64 {
        self.raw.base_address.get()
    }

    /// Size of the region in bytes.
    pub fn size(&self) -> u64 {
        self.raw.region_size.get()
    }

    /// One past the last address (saturating at `u64::MAX`).
    pub fn end(&self) -> u64 {
        self.base().saturating_add(self.size())
    }

    /// Whether `address` is inside the region.
    pub fn contains(&self, address: u64) -> bool {
        address >= self.base() && address - self.base() < self.size()
    }

    /// `MEM_COMMIT`, `MEM_RESERVE` or `MEM_FREE`.
    pub fn state(&self) -> u32 {
        self.raw.state.get()
    }

    /// The `PAGE_*` access value, without modifiers such as `PAGE_GUARD`.
    pub fn access(&self) -> u32 {
        self.raw.protect.get() & MEMORY_PROTECTION_ACCESS_MASK
    }

    /// Whether the pages are committed (backed by storage).
    pub fn is_committed(&self) -> bool {
        self.state() == MEM_COMMIT
    }

    /// Whether committed pages can be read (guard pages count as not).
    pub fn is_readable(&self) -> bool {
        self.is_committed()
            && self.raw.protect.get() & PAGE_GUARD == 0
            && matches!(
                self.access(),
                PAGE_READONLY
                    | PAGE_READWRITE
                    | PAGE_WRITECOPY
                    | PAGE_EXECUTE_READ
                    | PAGE_EXECUTE_READWRITE
                    | PAGE_EXECUTE_WRITECOPY
            )
    }

    /// Whether committed pages can be written (copy-on-write included).
    pub fn is_writable(&self) -> bool {
        self.is_committed()
            && matches!(
                self.access(),
                PAGE_READWRITE | PAGE_WRITECOPY | PAGE_EXECUTE_READWRITE | PAGE_EXECUTE_WRITECOPY
            )
    }

    /// Whether committed pages can be executed.
    pub fn is_executable(&self) -> bool {
        self.is_committed()
            && matches!(
                self.access(),
                PAGE_EXECUTE | PAGE_EXECUTE_READ | PAGE_EXECUTE_READWRITE | PAGE_EXECUTE_WRITECOPY
            )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ErrorKind;
    use crate::testdump::{dump, parse, put_u32, put_u64, stream_rva};

    const MIL: u32 = 16;

    /// `(base, size, state, protect)` of each region.
    fn stream(entry_size: u32, count: u64, regions: &[(u64, u64, u32, u32)]) -> Vec<u8> {
        let mut b = vec![0u8; 16];
        put_u32(&mut b, 0, 16); // SizeOfHeader
        put_u32(&mut b, 4, entry_size); // SizeOfEntry
        put_u64(&mut b, 8, count); // NumberOfEntries
        for &(base, size, state, protect) in regions {
            let mut e = vec![0u8; entry_size as usize];
            put_u64(&mut e, 0, base); // BaseAddress
            put_u64(&mut e, 8, base); // AllocationBase
            put_u32(&mut e, 16, 0x04); // AllocationProtect
            put_u64(&mut e, 24, size); // RegionSize
            put_u32(&mut e, 32, state); // State
            put_u32(&mut e, 36, protect); // Protect
            put_u32(&mut e, 40, 0x2_0000); // Type: private
            b.extend_from_slice(&e);
        }
        b
    }

    #[test]
    fn normal_stream_and_lookup() {
        let regions = [
            (0x1_0000, 0x1000, 0x1000, 0x20),  // committed, execute-read
            (0x1_1000, 0x3000, 0x1000, 0x104), // committed, read-write + guard
            (0x1_4000, 0xc000, 0x1_0000, 0x01),
            (u64::MAX - 0xfff, 0x1000, 0x2000, 0x01),
        ];
        let file = dump(MIL, &stream(48, 4, &regions), &[]);
        let l = parse::<MemoryInfoList>(&file).unwrap();
        assert_eq!(l.len(), 4);
        let code = l.by_address(0x1_0fff).unwrap();
        assert_eq!((code.base(), code.size(), code.end()), (0x1_0000, 0x1000, 0x1_1000));
        assert!(code.is_executable() && code.is_readable() && !code.is_writable());
        assert_eq!(code.raw.allocation_protect.get(), 0x04);
        assert_eq!(code.raw.type_.get(), MEM_PRIVATE);
        let guard = l.by_address(0x1_1000).unwrap();
        assert!(guard.is_writable() && !guard.is_readable() && !guard.is_executable());
        let free = l.by_address(0x1_4000).unwrap();
        assert_eq!(free.state(), MEM_FREE);
        assert!(!free.is_committed() && !free.is_readable());
        assert!(l.by_address(0xffff).is_none());
        assert!(l.by_address(0x2_0000).is_none());
        // The last region ends exactly at 2^64 without overflowing.
        assert_eq!(l.by_address(u64::MAX).unwrap().end(), u64::MAX);
    }

    #[test]
    fn larger_entries_are_accepted() {
        let regions = [(0x1000, 0x1000, 0x1000, 0x02), (0x2000, 0x1000, 0x1000, 0x04)];
        let file = dump(MIL, &stream(56, 2, &regions), &[]);
        let l = parse::<MemoryInfoList>(&file).unwrap();
        assert_eq!(l.iter().map(|r| r.base()).collect::<Vec<_>>(), [0x1000, 0x2000]);
        assert_eq!(l.get(1).unwrap().access(), PAGE_READWRITE);
    }

    #[test]
    fn huge_counts_in_a_tiny_stream() {
        for count in [0xffff_ffff, u64::MAX] {
            let file = dump(MIL, &stream(48, count, &[(0, 0, 0, 0)]), &[]);
            let e = parse::<MemoryInfoList>(&file).unwrap_err();
            assert!(
                matches!(e.kind, ErrorKind::CountTooLarge { count: c, entry_size: 48, available: 48, .. } if c == count)
            );
            assert_eq!(e.offset, stream_rva(&[]) + 16);
            assert_eq!(e.stream, Some(StreamType::MEMORY_INFO_LIST));
        }
    }

    #[test]
    fn truncated_entry() {
        let mut s = stream(48, 2, &[(0, 0, 0, 0), (0, 0, 0, 0)]);
        s.truncate(16 + 48 + 47);
        let e = parse::<MemoryInfoList>(&dump(MIL, &s, &[])).unwrap_err();
        assert!(matches!(e.kind, ErrorKind::CountTooLarge { count: 2, available: 95, .. }));
        let e = parse::<MemoryInfoList>(&dump(MIL, &s[..15], &[])).unwrap_err();
        assert!(matches!(e.kind, ErrorKind::Truncated { needed: 16, available: 15 }));
        let mut s = stream(48, 1, &[(0, 0, 0, 0)]);
        put_u32(&mut s, 4, 40); // SizeOfEntry
        let e = parse::<MemoryInfoList>(&dump(MIL, &s, &[])).unwrap_err();
        assert!(matches!(e.kind, ErrorKind::BadEntrySize { size: 40, minimum: 48, .. }));
    }
}
