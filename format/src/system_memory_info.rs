//! The SystemMemoryInfo stream (`MINIDUMP_SYSTEM_MEMORY_INFO_1`): a snapshot
//! of machine-wide memory state (physical memory, file cache, commit, and the
//! kernel's memory performance counters) when the dump was written.
//!
//! The stream starts with a 16-bit `revision` (1 for [`SystemMemoryInfo1`],
//! the only published version) and a 16-bit `flags` word saying which
//! optional parts are valid (`MINIDUMP_SYSMEMINFO1_*`). Counts whose names
//! end in "pages" are in pages of `basic_info.page_size` bytes.

use crate::{I64, U16, U32, U64};
use zerocopy::{FromBytes, Immutable, IntoBytes, KnownLayout, Unaligned};

/// `flags`: [`SystemFileCacheInformation::transition_re_purpose_count`] and
/// [`SystemFileCacheInformation::flags`] are valid.
pub const MINIDUMP_SYSMEMINFO1_FILECACHE_TRANSITIONREPURPOSECOUNT_FLAGS: u16 = 0x0001;
/// `flags`: [`SystemMemoryInfo1::basic_perf_info`] is valid.
pub const MINIDUMP_SYSMEMINFO1_BASICPERF: u16 = 0x0002;
/// `flags`: [`SystemPerformanceInformation::cc_total_dirty_pages`] and
/// [`SystemPerformanceInformation::cc_dirty_page_threshold`] are valid.
pub const MINIDUMP_SYSMEMINFO1_PERF_CCTOTALDIRTYPAGES_CCDIRTYPAGETHRESHOLD: u16 = 0x0004;
/// `flags`: [`SystemPerformanceInformation::resident_available_pages`] and
/// [`SystemPerformanceInformation::shared_committed_pages`] are valid.
pub const MINIDUMP_SYSMEMINFO1_PERF_RESIDENTAVAILABLEPAGES_SHAREDCOMMITPAGES: u16 = 0x0008;

/// `MINIDUMP_SYSTEM_BASIC_INFORMATION`: fixed facts about the machine's
/// memory (the kernel's `SYSTEM_BASIC_INFORMATION`, widened to 64 bits).
#[derive(FromBytes, IntoBytes, KnownLayout, Immutable, Unaligned, Clone, Copy, Debug, Default, PartialEq, Eq)]
#[repr(C)]
pub struct SystemBasicInformation {
    /// Resolution of the system timer, in 100-nanosecond units.
    pub timer_resolution: U32,
    /// Size of a page in bytes.
    pub page_size: U32,
    /// Number of physical pages the OS manages.
    pub number_of_physical_pages: U32,
    /// Lowest physical page number.
    pub lowest_physical_page_number: U32,
    /// Highest physical page number.
    pub highest_physical_page_number: U32,
    /// Granularity of virtual allocations in bytes (typically 64 KiB).
    pub allocation_granularity: U32,
    /// Lowest user-mode address.
    pub minimum_user_mode_address: U64,
    /// Highest user-mode address.
    pub maximum_user_mode_address: U64,
    /// Mask of the active processors.
    pub active_processors_affinity_mask: U64,
    /// Number of processors.
    pub number_of_processors: U32,
}
const _: () = assert!(core::mem::size_of::<SystemBasicInformation>() == 52);

/// `MINIDUMP_SYSTEM_FILECACHE_INFORMATION`: state of the system file cache's
/// working set. Sizes are in bytes.
#[derive(FromBytes, IntoBytes, KnownLayout, Immutable, Unaligned, Clone, Copy, Debug, Default, PartialEq, Eq)]
#[repr(C)]
pub struct SystemFileCacheInformation {
    /// Current size of the cache working set.
    pub current_size: U64,
    /// Largest size the cache working set has had.
    pub peak_size: U64,
    /// Number of page faults on the cache working set.
    pub page_fault_count: U32,
    /// Minimum working set size of the cache.
    pub minimum_working_set: U64,
    /// Maximum working set size of the cache.
    pub maximum_working_set: U64,
    /// `current_size` plus pages on the transition list.
    pub current_size_including_transition_in_pages: U64,
    /// `peak_size` plus pages on the transition list.
    pub peak_size_including_transition_in_pages: U64,
    /// Number of transition pages repurposed
    /// ([`MINIDUMP_SYSMEMINFO1_FILECACHE_TRANSITIONREPURPOSECOUNT_FLAGS`]).
    pub transition_re_purpose_count: U32,
    /// Working-set limit flags of the cache
    /// ([`MINIDUMP_SYSMEMINFO1_FILECACHE_TRANSITIONREPURPOSECOUNT_FLAGS`]).
    pub flags: U32,
}
const _: () = assert!(core::mem::size_of::<SystemFileCacheInformation>() == 60);

/// `MINIDUMP_SYSTEM_BASIC_PERFORMANCE_INFORMATION`: machine-wide commit
/// state, in pages ([`MINIDUMP_SYSMEMINFO1_BASICPERF`]).
#[derive(FromBytes, IntoBytes, KnownLayout, Immutable, Unaligned, Clone, Copy, Debug, Default, PartialEq, Eq)]
#[repr(C)]
pub struct SystemBasicPerformanceInformation {
    /// Physical pages available for use.
    pub available_pages: U64,
    /// Pages of committed virtual memory.
    pub committed_pages: U64,
    /// Limit on committed pages (physical memory plus page files).
    pub commit_limit: U64,
    /// Largest number of committed pages so far.
    pub peak_commitment: U64,
}
const _: () = assert!(core::mem::size_of::<SystemBasicPerformanceInformation>() == 32);

/// `MINIDUMP_SYSTEM_PERFORMANCE_INFORMATION`: the kernel's memory and cache
/// counters (`SYSTEM_PERFORMANCE_INFORMATION`). Most are counts since boot;
/// several of the 32-bit page counts can wrap on large machines, which is
/// what the 64-bit fields at the end are for.
#[derive(FromBytes, IntoBytes, KnownLayout, Immutable, Unaligned, Clone, Copy, Debug, Default, PartialEq, Eq)]
#[repr(C)]
pub struct SystemPerformanceInformation {
    /// Time the idle process has run, in 100-nanosecond units.
    pub idle_process_time: U64,
    /// Bytes transferred by read I/O.
    pub io_read_transfer_count: U64,
    /// Bytes transferred by write I/O.
    pub io_write_transfer_count: U64,
    /// Bytes transferred by other I/O.
    pub io_other_transfer_count: U64,
    /// Number of read I/O operations.
    pub io_read_operation_count: U32,
    /// Number of write I/O operations.
    pub io_write_operation_count: U32,
    /// Number of I/O operations that were neither reads nor writes.
    pub io_other_operation_count: U32,
    /// Physical pages available (32-bit count).
    pub available_pages: U32,
    /// Pages of committed virtual memory (32-bit count).
    pub committed_pages: U32,
    /// Limit on committed pages (32-bit count).
    pub commit_limit: U32,
    /// Largest number of committed pages so far (32-bit count).
    pub peak_commitment: U32,
    /// Number of page faults.
    pub page_fault_count: U32,
    /// Number of copy-on-write faults.
    pub copy_on_write_count: U32,
    /// Number of faults resolved from the transition list.
    pub transition_count: U32,
    /// Number of transition faults on file-cache pages.
    pub cache_transition_count: U32,
    /// Number of faults satisfied with a zeroed page.
    pub demand_zero_count: U32,
    /// Number of pages read from disk to resolve faults.
    pub page_read_count: U32,
    /// Number of read operations for those page reads.
    pub page_read_io_count: U32,
    /// Number of file-cache pages read.
    pub cache_read_count: U32,
    /// Number of read operations for those file-cache pages.
    pub cache_io_count: U32,
    /// Number of dirty pages written to the page file.
    pub dirty_pages_write_count: U32,
    /// Number of write operations for those pages.
    pub dirty_write_io_count: U32,
    /// Number of dirty mapped-file pages written.
    pub mapped_pages_write_count: U32,
    /// Number of write operations for those pages.
    pub mapped_write_io_count: U32,
    /// Pages in the paged pool.
    pub paged_pool_pages: U32,
    /// Pages in the non-paged pool.
    pub non_paged_pool_pages: U32,
    /// Number of paged-pool allocations.
    pub paged_pool_allocs: U32,
    /// Number of paged-pool frees.
    pub paged_pool_frees: U32,
    /// Number of non-paged-pool allocations.
    pub non_paged_pool_allocs: U32,
    /// Number of non-paged-pool frees.
    pub non_paged_pool_frees: U32,
    /// Free system page-table entries.
    pub free_system_ptes: U32,
    /// Resident pages of kernel code.
    pub resident_system_code_page: U32,
    /// Pages used by driver images.
    pub total_system_driver_pages: U32,
    /// Pages used by kernel code.
    pub total_system_code_pages: U32,
    /// Non-paged-pool allocations served from lookaside lists.
    pub non_paged_pool_lookaside_hits: U32,
    /// Paged-pool allocations served from lookaside lists.
    pub paged_pool_lookaside_hits: U32,
    /// Paged-pool pages still available.
    pub available_paged_pool_pages: U32,
    /// Resident pages of the system file cache.
    pub resident_system_cache_page: U32,
    /// Resident pages of the paged pool.
    pub resident_paged_pool_page: U32,
    /// Resident pages of driver images.
    pub resident_system_driver_page: U32,
    /// Cache manager: fast reads that did not wait.
    pub cc_fast_read_no_wait: U32,
    /// Cache manager: fast reads that waited.
    pub cc_fast_read_wait: U32,
    /// Cache manager: fast reads that missed on a resource conflict.
    pub cc_fast_read_resource_miss: U32,
    /// Cache manager: fast reads that were not possible.
    pub cc_fast_read_not_possible: U32,
    /// Cache manager: fast MDL reads that did not wait.
    pub cc_fast_mdl_read_no_wait: U32,
    /// Cache manager: fast MDL reads that waited.
    pub cc_fast_mdl_read_wait: U32,
    /// Cache manager: fast MDL reads that missed on a resource conflict.
    pub cc_fast_mdl_read_resource_miss: U32,
    /// Cache manager: fast MDL reads that were not possible.
    pub cc_fast_mdl_read_not_possible: U32,
    /// Cache manager: map-data requests that did not wait.
    pub cc_map_data_no_wait: U32,
    /// Cache manager: map-data requests that waited.
    pub cc_map_data_wait: U32,
    /// Cache manager: non-waiting map-data requests that missed.
    pub cc_map_data_no_wait_miss: U32,
    /// Cache manager: waiting map-data requests that missed.
    pub cc_map_data_wait_miss: U32,
    /// Cache manager: pin-mapped-data requests.
    pub cc_pin_mapped_data_count: U32,
    /// Cache manager: pin reads that did not wait.
    pub cc_pin_read_no_wait: U32,
    /// Cache manager: pin reads that waited.
    pub cc_pin_read_wait: U32,
    /// Cache manager: non-waiting pin reads that missed.
    pub cc_pin_read_no_wait_miss: U32,
    /// Cache manager: waiting pin reads that missed.
    pub cc_pin_read_wait_miss: U32,
    /// Cache manager: copy reads that did not wait.
    pub cc_copy_read_no_wait: U32,
    /// Cache manager: copy reads that waited.
    pub cc_copy_read_wait: U32,
    /// Cache manager: non-waiting copy reads that missed.
    pub cc_copy_read_no_wait_miss: U32,
    /// Cache manager: waiting copy reads that missed.
    pub cc_copy_read_wait_miss: U32,
    /// Cache manager: MDL reads that did not wait.
    pub cc_mdl_read_no_wait: U32,
    /// Cache manager: MDL reads that waited.
    pub cc_mdl_read_wait: U32,
    /// Cache manager: non-waiting MDL reads that missed.
    pub cc_mdl_read_no_wait_miss: U32,
    /// Cache manager: waiting MDL reads that missed.
    pub cc_mdl_read_wait_miss: U32,
    /// Cache manager: read-ahead operations.
    pub cc_read_ahead_ios: U32,
    /// Cache manager: lazy-writer write operations.
    pub cc_lazy_write_ios: U32,
    /// Cache manager: pages written by the lazy writer.
    pub cc_lazy_write_pages: U32,
    /// Cache manager: data flush operations.
    pub cc_data_flushes: U32,
    /// Cache manager: pages flushed.
    pub cc_data_pages: U32,
    /// Number of context switches.
    pub context_switches: U32,
    /// Number of first-level TLB fills.
    pub first_level_tb_fills: U32,
    /// Number of second-level TLB fills.
    pub second_level_tb_fills: U32,
    /// Number of system calls.
    pub system_calls: U32,
    /// Total dirty pages in the file cache
    /// ([`MINIDUMP_SYSMEMINFO1_PERF_CCTOTALDIRTYPAGES_CCDIRTYPAGETHRESHOLD`]).
    pub cc_total_dirty_pages: U64,
    /// Dirty-page count above which the cache throttles writers
    /// ([`MINIDUMP_SYSMEMINFO1_PERF_CCTOTALDIRTYPAGES_CCDIRTYPAGETHRESHOLD`]).
    pub cc_dirty_page_threshold: U64,
    /// Resident available pages, signed
    /// ([`MINIDUMP_SYSMEMINFO1_PERF_RESIDENTAVAILABLEPAGES_SHAREDCOMMITPAGES`]).
    pub resident_available_pages: I64,
    /// Committed pages of shared memory
    /// ([`MINIDUMP_SYSMEMINFO1_PERF_RESIDENTAVAILABLEPAGES_SHAREDCOMMITPAGES`]).
    pub shared_committed_pages: U64,
}
const _: () = assert!(core::mem::size_of::<SystemPerformanceInformation>() == 344);

/// `MINIDUMP_SYSTEM_MEMORY_INFO_1` (= `MINIDUMP_SYSTEM_MEMORY_INFO_N`): the
/// whole stream.
#[derive(FromBytes, IntoBytes, KnownLayout, Immutable, Unaligned, Clone, Copy, Debug, Default, PartialEq, Eq)]
#[repr(C)]
pub struct SystemMemoryInfo1 {
    /// Structure revision: 1.
    pub revision: U16,
    /// `MINIDUMP_SYSMEMINFO1_*` bits saying which optional parts are valid.
    pub flags: U16,
    /// Fixed facts about the machine's memory.
    pub basic_info: SystemBasicInformation,
    /// State of the file cache.
    pub file_cache_info: SystemFileCacheInformation,
    /// Machine-wide commit ([`MINIDUMP_SYSMEMINFO1_BASICPERF`]).
    pub basic_perf_info: SystemBasicPerformanceInformation,
    /// The kernel's memory performance counters.
    pub perf_info: SystemPerformanceInformation,
}
const _: () = assert!(core::mem::size_of::<SystemMemoryInfo1>() == 492);

#[cfg(test)]
mod tests {
    use super::*;

    fn put_u16(buf: &mut [u8], off: usize, v: u16) {
        buf[off..off + 2].copy_from_slice(&v.to_le_bytes());
    }
    fn put_u32(buf: &mut [u8], off: usize, v: u32) {
        buf[off..off + 4].copy_from_slice(&v.to_le_bytes());
    }
    fn put_u64(buf: &mut [u8], off: usize, v: u64) {
        buf[off..off + 8].copy_from_slice(&v.to_le_bytes());
    }

    #[test]
    fn part_sizes() {
        assert_eq!(core::mem::size_of::<SystemBasicInformation>(), 0x34);
        assert_eq!(core::mem::size_of::<SystemFileCacheInformation>(), 0x3c);
        assert_eq!(core::mem::size_of::<SystemBasicPerformanceInformation>(), 0x20);
        assert_eq!(core::mem::size_of::<SystemPerformanceInformation>(), 0x158);
        assert_eq!(core::mem::size_of::<SystemMemoryInfo1>(), 0x1ec);
    }

    #[test]
    fn whole_stream_offsets() {
        let mut b = [0u8; 492];
        put_u16(&mut b, 0, 1);
        put_u16(
            &mut b,
            2,
            MINIDUMP_SYSMEMINFO1_BASICPERF | MINIDUMP_SYSMEMINFO1_PERF_RESIDENTAVAILABLEPAGES_SHAREDCOMMITPAGES,
        );
        // basic info at 0x04
        let bi = 0x04;
        put_u32(&mut b, bi, 156_250);
        put_u32(&mut b, bi + 0x04, 4096);
        put_u32(&mut b, bi + 0x08, 0x40_0000);
        put_u32(&mut b, bi + 0x0c, 1);
        put_u32(&mut b, bi + 0x10, 0x47_ffff);
        put_u32(&mut b, bi + 0x14, 0x1_0000);
        put_u64(&mut b, bi + 0x18, 0x1_0000);
        put_u64(&mut b, bi + 0x20, 0x7fff_fffe_ffff);
        put_u64(&mut b, bi + 0x28, 0xffff);
        put_u32(&mut b, bi + 0x30, 16);
        // file cache at 0x38
        let fc = 0x38;
        put_u64(&mut b, fc, 0x1000_0000);
        put_u64(&mut b, fc + 0x08, 0x2000_0000);
        put_u32(&mut b, fc + 0x10, 99);
        put_u64(&mut b, fc + 0x14, 0x10_0000);
        put_u64(&mut b, fc + 0x1c, 0x20_0000);
        put_u64(&mut b, fc + 0x24, 0x3000_0000);
        put_u64(&mut b, fc + 0x2c, 0x4000_0000);
        put_u32(&mut b, fc + 0x34, 5);
        put_u32(&mut b, fc + 0x38, 6);
        // basic perf at 0x74
        let bp = 0x74;
        put_u64(&mut b, bp, 1000);
        put_u64(&mut b, bp + 0x08, 2000);
        put_u64(&mut b, bp + 0x10, 3000);
        put_u64(&mut b, bp + 0x18, 4000);
        // perf info at 0x94
        let pi = 0x94;
        put_u64(&mut b, pi, 0x1234_5678_9abc);
        put_u64(&mut b, pi + 0x18, 0x55);
        put_u32(&mut b, pi + 0x20, 11); // io_read_operation_count
        put_u32(&mut b, pi + 0x3c, 12); // page_fault_count
        put_u32(&mut b, pi + 0x88, 13); // free_system_ptes
        put_u32(&mut b, pi + 0xb0, 14); // cc_fast_read_no_wait
        put_u32(&mut b, pi + 0x128, 15); // context_switches
        put_u32(&mut b, pi + 0x134, 16); // system_calls
        put_u64(&mut b, pi + 0x138, 17);
        put_u64(&mut b, pi + 0x140, 18);
        put_u64(&mut b, pi + 0x148, (-19i64) as u64);
        put_u64(&mut b, pi + 0x150, 20);

        let s = SystemMemoryInfo1::ref_from_bytes(&b).unwrap();
        assert_eq!(s.revision.get(), 1);
        assert_eq!(s.flags.get(), 0x0a);
        let bi = &s.basic_info;
        assert_eq!(bi.timer_resolution.get(), 156_250);
        assert_eq!(bi.page_size.get(), 4096);
        assert_eq!(bi.number_of_physical_pages.get(), 0x40_0000);
        assert_eq!(bi.lowest_physical_page_number.get(), 1);
        assert_eq!(bi.highest_physical_page_number.get(), 0x47_ffff);
        assert_eq!(bi.allocation_granularity.get(), 0x1_0000);
        assert_eq!(bi.minimum_user_mode_address.get(), 0x1_0000);
        assert_eq!(bi.maximum_user_mode_address.get(), 0x7fff_fffe_ffff);
        assert_eq!(bi.active_processors_affinity_mask.get(), 0xffff);
        assert_eq!(bi.number_of_processors.get(), 16);
        let fc = &s.file_cache_info;
        assert_eq!(fc.current_size.get(), 0x1000_0000);
        assert_eq!(fc.peak_size.get(), 0x2000_0000);
        assert_eq!(fc.page_fault_count.get(), 99);
        assert_eq!(fc.minimum_working_set.get(), 0x10_0000);
        assert_eq!(fc.maximum_working_set.get(), 0x20_0000);
        assert_eq!(fc.current_size_including_transition_in_pages.get(), 0x3000_0000);
        assert_eq!(fc.peak_size_including_transition_in_pages.get(), 0x4000_0000);
        assert_eq!(fc.transition_re_purpose_count.get(), 5);
        assert_eq!(fc.flags.get(), 6);
        let bp = &s.basic_perf_info;
        assert_eq!(bp.available_pages.get(), 1000);
        assert_eq!(bp.committed_pages.get(), 2000);
        assert_eq!(bp.commit_limit.get(), 3000);
        assert_eq!(bp.peak_commitment.get(), 4000);
        let pi = &s.perf_info;
        assert_eq!(pi.idle_process_time.get(), 0x1234_5678_9abc);
        assert_eq!(pi.io_other_transfer_count.get(), 0x55);
        assert_eq!(pi.io_read_operation_count.get(), 11);
        assert_eq!(pi.page_fault_count.get(), 12);
        assert_eq!(pi.free_system_ptes.get(), 13);
        assert_eq!(pi.cc_fast_read_no_wait.get(), 14);
        assert_eq!(pi.context_switches.get(), 15);
        assert_eq!(pi.system_calls.get(), 16);
        assert_eq!(pi.cc_total_dirty_pages.get(), 17);
        assert_eq!(pi.cc_dirty_page_threshold.get(), 18);
        assert_eq!(pi.resident_available_pages.get(), -19);
        assert_eq!(pi.shared_committed_pages.get(), 20);
    }
}
