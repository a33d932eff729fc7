//! The ProcessVmCounters stream: the process's memory usage counters.

use crate::bytes::Bytes;
use crate::error::{Error, ErrorKind, Result};
use crate::minidump::{Minidump, Stream};
use mdump_format::process_vm_counters::*;
use mdump_format::StreamType;

/// The ProcessVmCounters stream, viewed in place: version 1 or 2 as its
/// `revision` says (any other revision is unsupported).
///
/// The accessors return `None` for counters the version lacks or its
/// `flags` mark invalid; version 1 has no flags and counts as having the
/// basic counters and `private_usage`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ProcessVmCounters<'a> {
    /// `MINIDUMP_PROCESS_VM_COUNTERS_1`.
    V1(&'a ProcessVmCounters1),
    /// `MINIDUMP_PROCESS_VM_COUNTERS_2`.
    V2(&'a ProcessVmCounters2),
}

impl<'a> Stream<'a> for ProcessVmCounters<'a> {
    const STREAM_TYPE: StreamType = StreamType::PROCESS_VM_COUNTERS;

    fn parse(bytes: Bytes<'a>, _dump: &Minidump<'a>) -> Result<Self> {
        let revision = bytes.read::<mdump_format::U16>(0)?.get();
        let expected = match revision {
            1 => MINIDUMP_PROCESS_VM_COUNTERS_1_SIZE,
            2 => MINIDUMP_PROCESS_VM_COUNTERS_2_SIZE,
            _ => {
                return Err(Error::new(
                    ErrorKind::Unsupported("process VM counters revision other than 1 or 2"),
                    bytes.base(),
                ))
            }
        } as u64;
        if (bytes.len() as u64) < expected {
            return Err(Error::new(ErrorKind::BadStreamSize { size: bytes.len() as u64, expected }, bytes.base()));
        }
        Ok(if revision == 1 { ProcessVmCounters::V1(bytes.read(0)?) } else { ProcessVmCounters::V2(bytes.read(0)?) })
    }
}

/// Accessors for the counters both versions have, valid under
/// [`MINIDUMP_PROCESS_VM_COUNTERS`].
macro_rules! common_counters {
    ($($(#[$doc:meta])* $name:ident;)*) => {$(
        $(#[$doc])*
        pub fn $name(&self) -> Option<u64> {
            self.has(MINIDUMP_PROCESS_VM_COUNTERS).then(|| match self {
                ProcessVmCounters::V1(c) => c.$name.get(),
                ProcessVmCounters::V2(c) => c.$name.get(),
            })
        }
    )*};
}

/// Accessors for version-2 counters valid under a flag.
macro_rules! v2_counters {
    ($($(#[$doc:meta])* $name:ident: $flag:ident;)*) => {$(
        $(#[$doc])*
        pub fn $name(&self) -> Option<u64> {
            match self {
                ProcessVmCounters::V2(c) if self.has($flag) => Some(c.$name.get()),
                _ => None,
            }
        }
    )*};
}

impl ProcessVmCounters<'_> {
    /// The structure revision (1 or 2).
    pub fn revision(&self) -> u16 {
        match self {
            ProcessVmCounters::V1(c) => c.revision.get(),
            ProcessVmCounters::V2(c) => c.revision.get(),
        }
    }

    /// The `MINIDUMP_PROCESS_VM_COUNTERS*` validity bits: version 2's
    /// `flags`, or for version 1 the bits of what it always holds.
    pub fn flags(&self) -> u16 {
        match self {
            ProcessVmCounters::V1(_) => MINIDUMP_PROCESS_VM_COUNTERS | MINIDUMP_PROCESS_VM_COUNTERS_EX,
            ProcessVmCounters::V2(c) => c.flags.get(),
        }
    }

    fn has(&self, flag: u16) -> bool {
        self.flags() & flag != 0
    }

    /// Number of page faults the process has taken.
    pub fn page_fault_count(&self) -> Option<u32> {
        self.has(MINIDUMP_PROCESS_VM_COUNTERS).then(|| match self {
            ProcessVmCounters::V1(c) => c.page_fault_count.get(),
            ProcessVmCounters::V2(c) => c.page_fault_count.get(),
        })
    }

    common_counters! {
        /// Largest working set the process has had, in bytes.
        peak_working_set_size;
        /// Current working set, in bytes.
        working_set_size;
        /// Largest paged-pool quota charge, in bytes.
        quota_peak_paged_pool_usage;
        /// Current paged-pool quota charge, in bytes.
        quota_paged_pool_usage;
        /// Largest non-paged-pool quota charge, in bytes.
        quota_peak_non_paged_pool_usage;
        /// Current non-paged-pool quota charge, in bytes.
        quota_non_paged_pool_usage;
        /// Current commit charge, in bytes.
        pagefile_usage;
        /// Largest commit charge, in bytes.
        peak_pagefile_usage;
    }

    /// Private bytes: memory not shareable with other processes.
    pub fn private_usage(&self) -> Option<u64> {
        match self {
            ProcessVmCounters::V1(c) => Some(c.private_usage.get()),
            ProcessVmCounters::V2(c) => self.has(MINIDUMP_PROCESS_VM_COUNTERS_EX).then(|| c.private_usage.get()),
        }
    }

    v2_counters! {
        /// Largest virtual address space size, in bytes (version 2).
        peak_virtual_size: MINIDUMP_PROCESS_VM_COUNTERS_VIRTUALSIZE;
        /// Current virtual address space size, in bytes (version 2).
        virtual_size: MINIDUMP_PROCESS_VM_COUNTERS_VIRTUALSIZE;
        /// Private part of the working set, in bytes (version 2).
        private_working_set_size: MINIDUMP_PROCESS_VM_COUNTERS_EX2;
        /// Commit charged to shared memory, in bytes (version 2).
        shared_commit_usage: MINIDUMP_PROCESS_VM_COUNTERS_EX2;
        /// Shared commit charged to the process's job (version 2).
        job_shared_commit_usage: MINIDUMP_PROCESS_VM_COUNTERS_JOB;
        /// Private commit charged to the job (version 2).
        job_private_commit_usage: MINIDUMP_PROCESS_VM_COUNTERS_JOB;
        /// Largest private commit of the job (version 2).
        job_peak_private_commit_usage: MINIDUMP_PROCESS_VM_COUNTERS_JOB;
        /// The job's private commit limit (version 2).
        job_private_commit_limit: MINIDUMP_PROCESS_VM_COUNTERS_JOB;
        /// The job's total commit limit (version 2).
        job_total_commit_limit: MINIDUMP_PROCESS_VM_COUNTERS_JOB;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testdump::{dump, parse, put_u16, put_u32, put_u64, stream_rva};

    const VM: u32 = 22;

    fn v1() -> Vec<u8> {
        let mut b = vec![0u8; 80];
        put_u16(&mut b, 0, 1); // Revision
        put_u32(&mut b, 4, 1234); // PageFaultCount
        put_u64(&mut b, 8, 8000); // PeakWorkingSetSize
        put_u64(&mut b, 16, 7000); // WorkingSetSize
        put_u64(&mut b, 24, 600); // QuotaPeakPagedPoolUsage
        put_u64(&mut b, 32, 500); // QuotaPagedPoolUsage
        put_u64(&mut b, 40, 60); // QuotaPeakNonPagedPoolUsage
        put_u64(&mut b, 48, 50); // QuotaNonPagedPoolUsage
        put_u64(&mut b, 56, 9000); // PagefileUsage
        put_u64(&mut b, 64, 9500); // PeakPagefileUsage
        put_u64(&mut b, 72, 4444); // PrivateUsage
        b
    }

    fn v2(flags: u16) -> Vec<u8> {
        let mut b = vec![0u8; 152];
        put_u16(&mut b, 0, 2); // Revision
        put_u16(&mut b, 2, flags); // Flags
        put_u32(&mut b, 4, 1234); // PageFaultCount
        put_u64(&mut b, 8, 8000); // PeakWorkingSetSize
        put_u64(&mut b, 16, 7000); // WorkingSetSize
        put_u64(&mut b, 56, 9000); // PagefileUsage
        put_u64(&mut b, 64, 9500); // PeakPagefileUsage
        put_u64(&mut b, 72, 1 << 40); // PeakVirtualSize
        put_u64(&mut b, 80, 1 << 39); // VirtualSize
        put_u64(&mut b, 88, 4444); // PrivateUsage
        put_u64(&mut b, 96, 3333); // PrivateWorkingSetSize
        put_u64(&mut b, 104, 2222); // SharedCommitUsage
        put_u64(&mut b, 112, 11); // JobSharedCommitUsage
        put_u64(&mut b, 120, 12); // JobPrivateCommitUsage
        put_u64(&mut b, 128, 13); // JobPeakPrivateCommitUsage
        put_u64(&mut b, 136, 14); // JobPrivateCommitLimit
        put_u64(&mut b, 144, 15); // JobTotalCommitLimit
        b
    }

    #[test]
    fn version_1() {
        let file = dump(VM, &v1(), &[]);
        let c = parse::<ProcessVmCounters>(&file).unwrap();
        assert!(matches!(c, ProcessVmCounters::V1(_)));
        assert_eq!(c.revision(), 1);
        assert_eq!(c.page_fault_count(), Some(1234));
        assert_eq!(c.peak_working_set_size(), Some(8000));
        assert_eq!(c.working_set_size(), Some(7000));
        assert_eq!(c.quota_peak_paged_pool_usage(), Some(600));
        assert_eq!(c.quota_paged_pool_usage(), Some(500));
        assert_eq!(c.quota_peak_non_paged_pool_usage(), Some(60));
        assert_eq!(c.quota_non_paged_pool_usage(), Some(50));
        assert_eq!(c.pagefile_usage(), Some(9000));
        assert_eq!(c.peak_pagefile_usage(), Some(9500));
        assert_eq!(c.private_usage(), Some(4444));
        assert_eq!(c.virtual_size(), None);
        assert_eq!(c.job_total_commit_limit(), None);
    }

    #[test]
    fn version_2_with_all_flags() {
        let file = dump(VM, &v2(0x1f), &[]);
        let c = parse::<ProcessVmCounters>(&file).unwrap();
        assert_eq!((c.revision(), c.flags()), (2, 0x1f));
        assert_eq!(c.page_fault_count(), Some(1234));
        assert_eq!(c.working_set_size(), Some(7000));
        assert_eq!(c.peak_pagefile_usage(), Some(9500));
        assert_eq!(c.peak_virtual_size(), Some(1 << 40));
        assert_eq!(c.virtual_size(), Some(1 << 39));
        assert_eq!(c.private_usage(), Some(4444));
        assert_eq!(c.private_working_set_size(), Some(3333));
        assert_eq!(c.shared_commit_usage(), Some(2222));
        assert_eq!(c.job_shared_commit_usage(), Some(11));
        assert_eq!(c.job_private_commit_usage(), Some(12));
        assert_eq!(c.job_peak_private_commit_usage(), Some(13));
        assert_eq!(c.job_private_commit_limit(), Some(14));
        assert_eq!(c.job_total_commit_limit(), Some(15));
    }

    #[test]
    fn version_2_flags_gate_counters() {
        let file = dump(VM, &v2(MINIDUMP_PROCESS_VM_COUNTERS_VIRTUALSIZE), &[]);
        let c = parse::<ProcessVmCounters>(&file).unwrap();
        assert_eq!(c.page_fault_count(), None);
        assert_eq!(c.working_set_size(), None);
        assert_eq!(c.virtual_size(), Some(1 << 39));
        assert_eq!(c.private_usage(), None);
        assert_eq!(c.shared_commit_usage(), None);
        assert_eq!(c.job_total_commit_limit(), None);
    }

    #[test]
    fn short_and_unknown_streams() {
        let e = parse::<ProcessVmCounters>(&dump(VM, &v2(0)[..80], &[])).unwrap_err();
        assert_eq!(e.kind, ErrorKind::BadStreamSize { size: 80, expected: 152 });
        assert_eq!(e.offset, stream_rva(&[]));
        assert_eq!(e.stream, Some(StreamType::PROCESS_VM_COUNTERS));
        let e = parse::<ProcessVmCounters>(&dump(VM, &v1()[..79], &[])).unwrap_err();
        assert_eq!(e.kind, ErrorKind::BadStreamSize { size: 79, expected: 80 });
        let mut s = v2(0);
        put_u16(&mut s, 0, 3);
        let e = parse::<ProcessVmCounters>(&dump(VM, &s, &[])).unwrap_err();
        assert!(matches!(e.kind, ErrorKind::Unsupported(_)));
        let e = parse::<ProcessVmCounters>(&dump(VM, &[1], &[])).unwrap_err();
        assert!(matches!(e.kind, ErrorKind::Truncated { needed: 2, available: 1 }));
    }
}
