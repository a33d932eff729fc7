//! The ProcessVmCounters stream (`MINIDUMP_PROCESS_VM_COUNTERS_1` or `_2`):
//! the process's memory usage counters (working set, pool quotas, commit),
//! as `GetProcessMemoryInfo` and job queries report them.
//!
//! Both versions start with a 16-bit `revision` (1 or 2) that tells which
//! one the stream holds. Version 2 adds a `flags` word saying which groups of
//! counters are valid (`MINIDUMP_PROCESS_VM_COUNTERS*`), and more counters.
//! All sizes are in bytes.

use crate::{U16, U32, U64};
use zerocopy::{FromBytes, Immutable, IntoBytes, KnownLayout, Unaligned};

/// `flags`: the counters shared with version 1 are valid.
pub const MINIDUMP_PROCESS_VM_COUNTERS: u16 = 0x0001;
/// `flags`: `peak_virtual_size` and `virtual_size` are valid.
pub const MINIDUMP_PROCESS_VM_COUNTERS_VIRTUALSIZE: u16 = 0x0002;
/// `flags`: `private_usage` is valid (`PROCESS_MEMORY_COUNTERS_EX`).
pub const MINIDUMP_PROCESS_VM_COUNTERS_EX: u16 = 0x0004;
/// `flags`: `private_working_set_size` and `shared_commit_usage` are valid
/// (`PROCESS_MEMORY_COUNTERS_EX2`).
pub const MINIDUMP_PROCESS_VM_COUNTERS_EX2: u16 = 0x0008;
/// `flags`: the `job_*` counters are valid.
pub const MINIDUMP_PROCESS_VM_COUNTERS_JOB: u16 = 0x0010;

/// Size in bytes of `MINIDUMP_PROCESS_VM_COUNTERS_1`.
pub const MINIDUMP_PROCESS_VM_COUNTERS_1_SIZE: usize = 80;
/// Size in bytes of `MINIDUMP_PROCESS_VM_COUNTERS_2`.
pub const MINIDUMP_PROCESS_VM_COUNTERS_2_SIZE: usize = 152;

/// `MINIDUMP_PROCESS_VM_COUNTERS_1`: the basic memory counters.
///
/// Microsoft's 4-byte packing puts `page_fault_count` at offset 4, leaving a
/// 2-byte hole after `revision` that the spec does not name; it is
/// [`ProcessVmCounters1::padding0`] here.
#[derive(FromBytes, IntoBytes, KnownLayout, Immutable, Unaligned, Clone, Copy, Debug, Default, PartialEq, Eq)]
#[repr(C)]
pub struct ProcessVmCounters1 {
    /// Structure revision: 1.
    pub revision: U16,
    /// Unnamed alignment hole before `page_fault_count`.
    pub padding0: U16,
    /// Number of page faults the process has taken.
    pub page_fault_count: U32,
    /// Largest working set the process has had.
    pub peak_working_set_size: U64,
    /// Current working set.
    pub working_set_size: U64,
    /// Largest paged-pool quota charge the process has had.
    pub quota_peak_paged_pool_usage: U64,
    /// Current paged-pool quota charge.
    pub quota_paged_pool_usage: U64,
    /// Largest non-paged-pool quota charge the process has had.
    pub quota_peak_non_paged_pool_usage: U64,
    /// Current non-paged-pool quota charge.
    pub quota_non_paged_pool_usage: U64,
    /// Current commit charge (page-file-backed private memory).
    pub pagefile_usage: U64,
    /// Largest commit charge the process has had.
    pub peak_pagefile_usage: U64,
    /// Private bytes: memory that cannot be shared with other processes.
    pub private_usage: U64,
}
const _: () = assert!(core::mem::size_of::<ProcessVmCounters1>() == MINIDUMP_PROCESS_VM_COUNTERS_1_SIZE);

/// `MINIDUMP_PROCESS_VM_COUNTERS_2`: version 1's counters (with
/// `flags` in place of the hole), plus virtual size, private working set,
/// shared commit and the limits of the job the process belongs to. Note
/// that the fields after `peak_pagefile_usage` are not in version 1's order.
#[derive(FromBytes, IntoBytes, KnownLayout, Immutable, Unaligned, Clone, Copy, Debug, Default, PartialEq, Eq)]
#[repr(C)]
pub struct ProcessVmCounters2 {
    /// Structure revision: 2.
    pub revision: U16,
    /// `MINIDUMP_PROCESS_VM_COUNTERS*` bits saying which counters are valid.
    pub flags: U16,
    /// See [`ProcessVmCounters1::page_fault_count`].
    pub page_fault_count: U32,
    /// See [`ProcessVmCounters1::peak_working_set_size`].
    pub peak_working_set_size: U64,
    /// See [`ProcessVmCounters1::working_set_size`].
    pub working_set_size: U64,
    /// See [`ProcessVmCounters1::quota_peak_paged_pool_usage`].
    pub quota_peak_paged_pool_usage: U64,
    /// See [`ProcessVmCounters1::quota_paged_pool_usage`].
    pub quota_paged_pool_usage: U64,
    /// See [`ProcessVmCounters1::quota_peak_non_paged_pool_usage`].
    pub quota_peak_non_paged_pool_usage: U64,
    /// See [`ProcessVmCounters1::quota_non_paged_pool_usage`].
    pub quota_non_paged_pool_usage: U64,
    /// See [`ProcessVmCounters1::pagefile_usage`].
    pub pagefile_usage: U64,
    /// See [`ProcessVmCounters1::peak_pagefile_usage`].
    pub peak_pagefile_usage: U64,
    /// Largest virtual address space size the process has had
    /// ([`MINIDUMP_PROCESS_VM_COUNTERS_VIRTUALSIZE`]).
    pub peak_virtual_size: U64,
    /// Current virtual address space size.
    pub virtual_size: U64,
    /// See [`ProcessVmCounters1::private_usage`]
    /// ([`MINIDUMP_PROCESS_VM_COUNTERS_EX`]).
    pub private_usage: U64,
    /// Private part of the working set ([`MINIDUMP_PROCESS_VM_COUNTERS_EX2`]).
    pub private_working_set_size: U64,
    /// Commit charged to shared memory ([`MINIDUMP_PROCESS_VM_COUNTERS_EX2`]).
    pub shared_commit_usage: U64,
    /// Shared commit charged to the job ([`MINIDUMP_PROCESS_VM_COUNTERS_JOB`]).
    pub job_shared_commit_usage: U64,
    /// Private commit charged to the job.
    pub job_private_commit_usage: U64,
    /// Largest private commit the job has had.
    pub job_peak_private_commit_usage: U64,
    /// The job's limit on private commit.
    pub job_private_commit_limit: U64,
    /// The job's limit on total commit.
    pub job_total_commit_limit: U64,
}
const _: () = assert!(core::mem::size_of::<ProcessVmCounters2>() == MINIDUMP_PROCESS_VM_COUNTERS_2_SIZE);

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
    fn version1_offsets() {
        let mut b = [0u8; 80];
        put_u16(&mut b, 0, 1);
        put_u32(&mut b, 4, 12_345);
        for i in 0..9u64 {
            put_u64(&mut b, 8 + 8 * i as usize, 0x1000 * (i + 1));
        }
        let c = ProcessVmCounters1::ref_from_bytes(&b).unwrap();
        assert_eq!(c.revision.get(), 1);
        assert_eq!(c.padding0.get(), 0);
        assert_eq!(c.page_fault_count.get(), 12_345);
        assert_eq!(c.peak_working_set_size.get(), 0x1000);
        assert_eq!(c.working_set_size.get(), 0x2000);
        assert_eq!(c.quota_peak_paged_pool_usage.get(), 0x3000);
        assert_eq!(c.quota_paged_pool_usage.get(), 0x4000);
        assert_eq!(c.quota_peak_non_paged_pool_usage.get(), 0x5000);
        assert_eq!(c.quota_non_paged_pool_usage.get(), 0x6000);
        assert_eq!(c.pagefile_usage.get(), 0x7000);
        assert_eq!(c.peak_pagefile_usage.get(), 0x8000);
        assert_eq!(c.private_usage.get(), 0x9000);
    }

    #[test]
    fn version2_offsets() {
        let mut b = [0u8; 152];
        put_u16(&mut b, 0, 2);
        put_u16(&mut b, 2, MINIDUMP_PROCESS_VM_COUNTERS | MINIDUMP_PROCESS_VM_COUNTERS_JOB);
        put_u32(&mut b, 4, 77);
        for i in 0..18u64 {
            put_u64(&mut b, 8 + 8 * i as usize, i + 1);
        }
        let c = ProcessVmCounters2::ref_from_bytes(&b).unwrap();
        assert_eq!(c.revision.get(), 2);
        assert_eq!(c.flags.get(), 0x11);
        assert_eq!(c.page_fault_count.get(), 77);
        assert_eq!(c.peak_working_set_size.get(), 1);
        assert_eq!(c.peak_pagefile_usage.get(), 8);
        assert_eq!(c.peak_virtual_size.get(), 9); // 0x48
        assert_eq!(c.virtual_size.get(), 10);
        assert_eq!(c.private_usage.get(), 11); // 0x58
        assert_eq!(c.private_working_set_size.get(), 12);
        assert_eq!(c.shared_commit_usage.get(), 13);
        assert_eq!(c.job_shared_commit_usage.get(), 14); // 0x70
        assert_eq!(c.job_private_commit_usage.get(), 15);
        assert_eq!(c.job_peak_private_commit_usage.get(), 16);
        assert_eq!(c.job_private_commit_limit.get(), 17);
        assert_eq!(c.job_total_commit_limit.get(), 18); // 0x90
    }

    #[test]
    fn revision_readable_through_either_version() {
        let mut b = [0u8; 152];
        put_u16(&mut b, 0, 2);
        let (v1, _) = ProcessVmCounters1::ref_from_prefix(&b).unwrap();
        assert_eq!(v1.revision.get(), 2);
    }
}
