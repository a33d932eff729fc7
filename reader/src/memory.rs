//! Captured memory: the MemoryList and Memory64List streams, and lookups by
//! address across both.

use crate::bytes::Bytes;
use crate::error::Result;
use crate::list::count_prefixed;
use crate::minidump::{Minidump, Stream};
use mdump_format::memory::Memory64ListHeader;
use mdump_format::{MemoryDescriptor, MemoryDescriptor64, StreamType};

/// A range of the target's memory and its bytes in the file.
#[derive(Clone, Copy, Debug)]
pub struct MemoryRegion<'a> {
    /// Target address of the first byte.
    pub base: u64,
    /// The bytes, borrowed from the file.
    pub bytes: Bytes<'a>,
}

impl<'a> MemoryRegion<'a> {
    /// The region a `MINIDUMP_MEMORY_DESCRIPTOR` describes.
    pub fn from_descriptor(dump: &Minidump<'a>, d: &MemoryDescriptor) -> Result<MemoryRegion<'a>> {
        Ok(MemoryRegion { base: d.start_of_memory_range.get(), bytes: dump.memory(d)? })
    }

    /// Number of bytes.
    pub fn size(&self) -> u64 {
        self.bytes.len() as u64
    }

    /// One past the last address (saturating at `u64::MAX`).
    pub fn end(&self) -> u64 {
        self.base.saturating_add(self.size())
    }

    /// Whether `[address, address + len)` lies inside the region.
    pub fn contains(&self, address: u64, len: u64) -> bool {
        address >= self.base && address.checked_add(len).is_some_and(|e| e <= self.end())
    }

    /// `len` bytes at `address`, if all inside the region.
    pub fn slice(&self, address: u64, len: u64) -> Option<&'a [u8]> {
        let off = address.checked_sub(self.base)?;
        self.bytes.sub(off, len).ok().map(|b| b.as_slice())
    }

    /// The little-endian `u32` at `address`.
    pub fn read_u32(&self, address: u64) -> Option<u32> {
        self.slice(address, 4).map(|s| u32::from_le_bytes(s.try_into().unwrap_or([0; 4])))
    }

    /// The little-endian `u64` at `address`.
    pub fn read_u64(&self, address: u64) -> Option<u64> {
        self.slice(address, 8).map(|s| u64::from_le_bytes(s.try_into().unwrap_or([0; 8])))
    }
}

/// The MemoryList stream.
#[derive(Clone, Copy, Debug)]
pub struct MemoryList<'a> {
    raw: &'a [MemoryDescriptor],
    dump: Minidump<'a>,
}

impl<'a> Stream<'a> for MemoryList<'a> {
    const STREAM_TYPE: StreamType = StreamType::MEMORY_LIST;

    fn parse(bytes: Bytes<'a>, dump: &Minidump<'a>) -> Result<Self> {
        Ok(MemoryList { raw: count_prefixed(bytes, "memory descriptors")?, dump: *dump })
    }
}

impl<'a> MemoryList<'a> {
    /// The on-disk descriptors.
    pub fn raw(&self) -> &'a [MemoryDescriptor] {
        self.raw
    }

    /// Number of regions.
    pub fn len(&self) -> usize {
        self.raw.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.raw.is_empty()
    }

    /// Each region, or the error of the one whose bytes are out of the file:
    /// one bad descriptor does not lose the others.
    pub fn iter(&self) -> impl Iterator<Item = Result<MemoryRegion<'a>>> + 'a {
        let dump = self.dump;
        self.raw
            .iter()
            .map(move |d| MemoryRegion::from_descriptor(&dump, d).map_err(|e| e.in_stream(StreamType::MEMORY_LIST)))
    }
}

/// The Memory64List stream.
#[derive(Clone, Copy, Debug)]
pub struct Memory64List<'a> {
    /// The fixed part.
    pub header: &'a Memory64ListHeader,
    raw: &'a [MemoryDescriptor64],
    dump: Minidump<'a>,
}

impl<'a> Stream<'a> for Memory64List<'a> {
    const STREAM_TYPE: StreamType = StreamType::MEMORY64_LIST;

    fn parse(bytes: Bytes<'a>, dump: &Minidump<'a>) -> Result<Self> {
        let header: &Memory64ListHeader = bytes.read(0)?;
        let raw = bytes.array(16, header.number_of_memory_ranges.get(), "memory64 descriptors")?;
        Ok(Memory64List { header, raw, dump: *dump })
    }
}

impl<'a> Memory64List<'a> {
    /// The on-disk descriptors.
    pub fn raw(&self) -> &'a [MemoryDescriptor64] {
        self.raw
    }

    /// Number of regions.
    pub fn len(&self) -> usize {
        self.raw.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.raw.is_empty()
    }

    /// Each region; its bytes follow the previous region's. Iteration stops
    /// after the first region whose bytes are not in the file (the ones after
    /// it cannot be located either).
    pub fn iter(&self) -> impl Iterator<Item = Result<MemoryRegion<'a>>> + 'a {
        let file = self.dump.bytes();
        let mut rva = Some(self.header.base_rva.get());
        self.raw.iter().map_while(move |d| {
            let at = rva?;
            let size = d.data_size.get();
            rva = at.checked_add(size);
            let r = file
                .sub(at, size)
                .map(|bytes| MemoryRegion { base: d.start_of_memory_range.get(), bytes })
                .map_err(|e| e.in_stream(StreamType::MEMORY64_LIST));
            if r.is_err() {
                rva = None;
            }
            Some(r)
        })
    }
}

/// All captured memory of a dump, indexed for lookups by address.
///
/// Built from the MemoryList and Memory64List streams (thread stacks are in
/// the MemoryList in dbghelp and Breakpad dumps). Overlapping regions are
/// normal in real dumps (the bytes around an instruction pointer inside a
/// stack); a lookup returns a region that holds the whole requested range,
/// preferring the one starting closest below the address. Regions whose bytes
/// are not in the file are left out.
#[derive(Clone, Debug, Default)]
pub struct MemoryIndex<'a> {
    /// Sorted by base address.
    regions: Vec<MemoryRegion<'a>>,
    /// `max_end[i]`: the largest end address among `regions[..=i]`; lets a
    /// backwards scan stop as soon as no earlier region can reach the address.
    max_end: Vec<u64>,
}

impl<'a> MemoryIndex<'a> {
    /// Indexes the dump's MemoryList and Memory64List. Stream-level errors are
    /// returned; bad entries are skipped.
    pub fn new(dump: &Minidump<'a>) -> Result<MemoryIndex<'a>> {
        let mut regions = Vec::new();
        if let Some(list) = dump.stream::<MemoryList>()? {
            regions.extend(list.iter().filter_map(|r| r.ok()));
        }
        if let Some(list) = dump.stream::<Memory64List>()? {
            regions.extend(list.iter().filter_map(|r| r.ok()));
        }
        Ok(MemoryIndex::from_regions(regions))
    }

    /// Indexes the given regions.
    pub fn from_regions(mut regions: Vec<MemoryRegion<'a>>) -> MemoryIndex<'a> {
        regions.sort_by_key(|r| r.base);
        let mut max_end = Vec::with_capacity(regions.len());
        let mut m = 0;
        for r in &regions {
            m = m.max(r.end());
            max_end.push(m);
        }
        MemoryIndex { regions, max_end }
    }

    /// The indexed regions, sorted by base address.
    pub fn regions(&self) -> &[MemoryRegion<'a>] {
        &self.regions
    }

    /// A region holding all of `[address, address + len)`.
    pub fn find(&self, address: u64, len: u64) -> Option<&MemoryRegion<'a>> {
        let upper = self.regions.partition_point(|r| r.base <= address);
        let end = address.checked_add(len)?;
        for i in (0..upper).rev() {
            if self.max_end[i] < end {
                return None;
            }
            if self.regions[i].contains(address, len) {
                return Some(&self.regions[i]);
            }
        }
        None
    }

    /// The region holding `address` (at least one byte).
    pub fn region_at(&self, address: u64) -> Option<&MemoryRegion<'a>> {
        self.find(address, 1)
    }

    /// `len` bytes at `address`.
    pub fn read(&self, address: u64, len: u64) -> Option<&'a [u8]> {
        self.find(address, len)?.slice(address, len)
    }

    /// The little-endian `u32` at `address`.
    pub fn read_u32(&self, address: u64) -> Option<u32> {
        self.find(address, 4)?.read_u32(address)
    }

    /// The little-endian `u64` at `address`.
    pub fn read_u64(&self, address: u64) -> Option<u64> {
        self.find(address, 8)?.read_u64(address)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn region(base: u64, data: &'static [u8]) -> MemoryRegion<'static> {
        MemoryRegion { base, bytes: Bytes::new(data) }
    }

    #[test]
    fn overlapping_regions_are_tolerated() {
        static STACK: [u8; 0x100] = [0xaa; 0x100];
        static AROUND_IP: [u8; 0x10] = [0xbb; 0x10];
        let idx = MemoryIndex::from_regions(vec![region(0x1000, &STACK), region(0x1080, &AROUND_IP)]);
        assert_eq!(idx.read(0x1000, 4), Some(&[0xaa; 4][..]));
        // Inside both: the closest region below wins.
        assert_eq!(idx.read(0x1084, 4), Some(&[0xbb; 4][..]));
        // Starts in the small region but runs past it: only the stack holds it all.
        assert_eq!(idx.read(0x108c, 8), Some(&[0xaa; 8][..]));
        assert_eq!(idx.read(0x10fc, 8), None);
        assert_eq!(idx.read(0xfff, 1), None);
        assert_eq!(idx.read(u64::MAX, 2), None);
        assert_eq!(idx.read_u32(0x1000), Some(0xaaaa_aaaa));
    }

    #[test]
    fn region_reads_do_not_overflow() {
        static B: [u8; 8] = [1, 0, 0, 0, 0, 0, 0, 0];
        let r = region(u64::MAX - 4, &B);
        assert_eq!(r.end(), u64::MAX);
        assert!(!r.contains(u64::MAX - 1, 4));
        assert_eq!(r.read_u32(u64::MAX - 4), Some(1));
        assert_eq!(r.read_u64(0), None);
    }
}
