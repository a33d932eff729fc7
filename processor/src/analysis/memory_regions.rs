//! The process's memory map as rust-minidump's analysis sees it: the
//! MemoryInfoList stream when the dump has one, else a Linux dump's
//! `/proc/PID/maps` copy.

use mdump_format::memory_info::{
    PAGE_EXECUTE, PAGE_EXECUTE_READ, PAGE_EXECUTE_READWRITE, PAGE_EXECUTE_WRITECOPY, PAGE_READONLY, PAGE_READWRITE,
    PAGE_WRITECOPY,
};
use mdump_reader::linux::LinuxMaps;
use mdump_reader::{MemoryInfoList, Minidump};

/// A region small enough to be a guard page is under this size.
const GUARD_PAGE_MAX_SIZE: u64 = 2 << 14;

/// What a region allows.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct MemoryRegionPermissions {
    /// Readable.
    pub read: bool,
    /// Writable.
    pub write: bool,
    /// Executable.
    pub execute: bool,
}

impl MemoryRegionPermissions {
    fn any(self) -> bool {
        self.read || self.write || self.execute
    }
}

/// One mapped region: `start..=last`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Region {
    start: u64,
    last: u64,
    permissions: MemoryRegionPermissions,
}

/// The memory map, ordered by address, overlapping entries left out.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct MemoryRegions {
    regions: Vec<Region>,
}

impl MemoryRegions {
    /// The dump's map: its MemoryInfoList, else its Linux maps, else empty.
    /// Unreadable streams give an empty map.
    pub fn from_dump(dump: &Minidump<'_>) -> MemoryRegions {
        if let Ok(Some(list)) = dump.stream::<MemoryInfoList>() {
            return MemoryRegions::from_entries(list.iter().map(|info| {
                let protect = info.raw.protect.get();
                // rust-minidump's tests of the protection value (copy-on-write
                // pages do not count as readable).
                let permissions = MemoryRegionPermissions {
                    read: protect & (PAGE_READONLY | PAGE_READWRITE | PAGE_EXECUTE_READ | PAGE_EXECUTE_READWRITE) != 0,
                    write: protect
                        & (PAGE_READWRITE | PAGE_WRITECOPY | PAGE_EXECUTE_READWRITE | PAGE_EXECUTE_WRITECOPY)
                        != 0,
                    execute: protect
                        & (PAGE_EXECUTE | PAGE_EXECUTE_READ | PAGE_EXECUTE_READWRITE | PAGE_EXECUTE_WRITECOPY)
                        != 0,
                };
                (info.raw.base_address.get(), info.raw.region_size.get(), permissions)
            }));
        }
        if let Ok(Some(maps)) = dump.stream::<LinuxMaps>() {
            return MemoryRegions::from_entries(maps.entries().filter_map(Result::ok).map(|entry| {
                let perm = |i: usize, c: u8| entry.perms.get(i) == Some(&c);
                let permissions =
                    MemoryRegionPermissions { read: perm(0, b'r'), write: perm(1, b'w'), execute: perm(2, b'x') };
                (entry.start, entry.end.saturating_sub(entry.start), permissions)
            }));
        }
        MemoryRegions::default()
    }

    /// A map of `(start, size, permissions)` entries; empty ones, ones
    /// that wrap around the address space, and ones overlapping an earlier
    /// one are left out.
    pub fn from_entries(entries: impl IntoIterator<Item = (u64, u64, MemoryRegionPermissions)>) -> MemoryRegions {
        let mut regions: Vec<Region> = entries
            .into_iter()
            .filter(|&(_, size, _)| size > 0)
            .filter_map(|(start, size, permissions)| {
                Some(Region { start, last: start.checked_add(size - 1)?, permissions })
            })
            .collect();
        regions.sort_by_key(|r| r.start);
        let mut kept: Vec<Region> = Vec::with_capacity(regions.len());
        for region in regions {
            if kept.last().is_none_or(|prev| prev.last < region.start) {
                kept.push(region);
            }
        }
        MemoryRegions { regions: kept }
    }

    /// Whether the map is empty.
    pub fn is_empty(&self) -> bool {
        self.regions.is_empty()
    }

    fn region_at(&self, address: u64) -> Option<&Region> {
        let after = self.regions.partition_point(|r| r.start <= address);
        self.regions.get(after.checked_sub(1)?).filter(|r| address <= r.last)
    }

    /// The permissions of the region holding `address`.
    pub fn permissions_at(&self, address: u64) -> Option<MemoryRegionPermissions> {
        self.region_at(address).map(|r| r.permissions)
    }

    /// Distance from `address` to the nearest region `allowed` accepts
    /// (0 inside one).
    pub(crate) fn distance_to_nearest(
        &self,
        address: u64,
        allowed: impl Fn(MemoryRegionPermissions) -> bool,
    ) -> Option<u64> {
        self.regions
            .iter()
            .filter(|r| allowed(r.permissions))
            .map(|r| if address < r.start { r.start - address } else { address.saturating_sub(r.last) })
            .min()
    }

    /// rust-minidump's guard page: a region allowing nothing, smaller than
    /// 32 KiB, right next to a region allowing something.
    pub fn is_likely_guard_page(&self, address: u64) -> bool {
        let Some(region) = self.region_at(address) else {
            return false;
        };
        if region.permissions.any() || region.last - region.start >= GUARD_PAGE_MAX_SIZE {
            return false;
        }
        for other in &self.regions {
            if other.last.wrapping_add(1) == region.start && other.permissions.any() {
                return true;
            }
            if region.last.wrapping_add(1) == other.start {
                return other.permissions.any();
            }
        }
        false
    }
}
