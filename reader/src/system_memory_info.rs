//! The SystemMemoryInfo stream: machine-wide memory state when the dump was
//! written.

use crate::bytes::Bytes;
use crate::error::{Error, ErrorKind, Result};
use crate::minidump::{Minidump, Stream};
use mdump_format::system_memory_info::*;
use mdump_format::StreamType;

/// The SystemMemoryInfo stream, viewed in place.
///
/// Revision 1 is the only published layout; a stream with a higher revision
/// is read as revision 1 (check [`SystemMemoryInfo::revision`]), since a
/// newer structure would extend it. Revision 0 is rejected.
#[derive(Clone, Copy, Debug)]
pub struct SystemMemoryInfo<'a> {
    /// The on-disk structure.
    pub raw: &'a SystemMemoryInfo1,
}

impl<'a> Stream<'a> for SystemMemoryInfo<'a> {
    const STREAM_TYPE: StreamType = StreamType::SYSTEM_MEMORY_INFO;

    fn parse(bytes: Bytes<'a>, _dump: &Minidump<'a>) -> Result<Self> {
        let revision = bytes.read::<mdump_format::U16>(0)?.get();
        if revision == 0 {
            return Err(Error::new(ErrorKind::Unsupported("system memory info revision 0"), bytes.base()));
        }
        let expected = core::mem::size_of::<SystemMemoryInfo1>() as u64;
        if (bytes.len() as u64) < expected {
            return Err(Error::new(ErrorKind::BadStreamSize { size: bytes.len() as u64, expected }, bytes.base()));
        }
        Ok(SystemMemoryInfo { raw: bytes.read(0)? })
    }
}

impl<'a> SystemMemoryInfo<'a> {
    /// The structure revision (1).
    pub fn revision(&self) -> u16 {
        self.raw.revision.get()
    }

    /// The `MINIDUMP_SYSMEMINFO1_*` validity bits.
    pub fn flags(&self) -> u16 {
        self.raw.flags.get()
    }

    fn has(&self, flag: u16) -> bool {
        self.flags() & flag != 0
    }

    /// Fixed facts about the machine's memory (page size, processors, ...).
    pub fn basic_info(&self) -> &'a SystemBasicInformation {
        &self.raw.basic_info
    }

    /// State of the system file cache.
    pub fn file_cache_info(&self) -> &'a SystemFileCacheInformation {
        &self.raw.file_cache_info
    }

    /// The kernel's memory performance counters.
    pub fn perf_info(&self) -> &'a SystemPerformanceInformation {
        &self.raw.perf_info
    }

    /// Machine-wide commit state, if the writer filled it in.
    pub fn basic_perf_info(&self) -> Option<&'a SystemBasicPerformanceInformation> {
        self.has(MINIDUMP_SYSMEMINFO1_BASICPERF).then_some(&self.raw.basic_perf_info)
    }

    /// The file cache's count of repurposed transition pages, if valid.
    pub fn file_cache_transition_re_purpose_count(&self) -> Option<u32> {
        self.has(MINIDUMP_SYSMEMINFO1_FILECACHE_TRANSITIONREPURPOSECOUNT_FLAGS)
            .then(|| self.raw.file_cache_info.transition_re_purpose_count.get())
    }

    /// The file cache's working-set limit flags, if valid.
    pub fn file_cache_flags(&self) -> Option<u32> {
        self.has(MINIDUMP_SYSMEMINFO1_FILECACHE_TRANSITIONREPURPOSECOUNT_FLAGS)
            .then(|| self.raw.file_cache_info.flags.get())
    }

    /// Total dirty pages in the file cache, if valid.
    pub fn cc_total_dirty_pages(&self) -> Option<u64> {
        self.has(MINIDUMP_SYSMEMINFO1_PERF_CCTOTALDIRTYPAGES_CCDIRTYPAGETHRESHOLD)
            .then(|| self.raw.perf_info.cc_total_dirty_pages.get())
    }

    /// Dirty-page threshold of the file cache, if valid.
    pub fn cc_dirty_page_threshold(&self) -> Option<u64> {
        self.has(MINIDUMP_SYSMEMINFO1_PERF_CCTOTALDIRTYPAGES_CCDIRTYPAGETHRESHOLD)
            .then(|| self.raw.perf_info.cc_dirty_page_threshold.get())
    }

    /// Resident available pages, if valid.
    pub fn resident_available_pages(&self) -> Option<i64> {
        self.has(MINIDUMP_SYSMEMINFO1_PERF_RESIDENTAVAILABLEPAGES_SHAREDCOMMITPAGES)
            .then(|| self.raw.perf_info.resident_available_pages.get())
    }

    /// Committed pages of shared memory, if valid.
    pub fn shared_committed_pages(&self) -> Option<u64> {
        self.has(MINIDUMP_SYSMEMINFO1_PERF_RESIDENTAVAILABLEPAGES_SHAREDCOMMITPAGES)
            .then(|| self.raw.perf_info.shared_committed_pages.get())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testdump::{dump, parse, put_u16, put_u32, put_u64, stream_rva};

    const SMI: u32 = 21;

    fn stream(revision: u16, flags: u16) -> Vec<u8> {
        let mut b = vec![0u8; 492];
        put_u16(&mut b, 0, revision); // Revision
        put_u16(&mut b, 2, flags); // Flags
        put_u32(&mut b, 4 + 0x04, 4096); // BasicInfo.PageSize
        put_u32(&mut b, 4 + 0x30, 16); // BasicInfo.NumberOfProcessors
        put_u64(&mut b, 0x38, 0x1000_0000); // FileCacheInfo.CurrentSize
        put_u32(&mut b, 0x38 + 0x34, 5); // FileCacheInfo.TransitionRePurposeCount
        put_u32(&mut b, 0x38 + 0x38, 6); // FileCacheInfo.Flags
        put_u64(&mut b, 0x74, 111); // BasicPerfInfo.AvailablePages
        put_u64(&mut b, 0x74 + 0x18, 444); // BasicPerfInfo.PeakCommitment
        put_u64(&mut b, 0x94, 0x1234); // PerfInfo.IdleProcessTime
        put_u32(&mut b, 0x94 + 0x134, 77); // PerfInfo.SystemCalls
        put_u64(&mut b, 0x94 + 0x138, 1); // PerfInfo.CcTotalDirtyPages
        put_u64(&mut b, 0x94 + 0x140, 2); // PerfInfo.CcDirtyPageThreshold
        put_u64(&mut b, 0x94 + 0x148, (-3i64) as u64); // PerfInfo.ResidentAvailablePages
        put_u64(&mut b, 0x94 + 0x150, 4); // PerfInfo.SharedCommittedPages
        b
    }

    #[test]
    fn normal_stream() {
        let file = dump(SMI, &stream(1, 0x0f), &[]);
        let s = parse::<SystemMemoryInfo>(&file).unwrap();
        assert_eq!((s.revision(), s.flags()), (1, 0x0f));
        assert_eq!(s.basic_info().page_size.get(), 4096);
        assert_eq!(s.basic_info().number_of_processors.get(), 16);
        assert_eq!(s.file_cache_info().current_size.get(), 0x1000_0000);
        assert_eq!(s.file_cache_transition_re_purpose_count(), Some(5));
        assert_eq!(s.file_cache_flags(), Some(6));
        let bp = s.basic_perf_info().unwrap();
        assert_eq!((bp.available_pages.get(), bp.peak_commitment.get()), (111, 444));
        assert_eq!(s.perf_info().idle_process_time.get(), 0x1234);
        assert_eq!(s.perf_info().system_calls.get(), 77);
        assert_eq!(s.cc_total_dirty_pages(), Some(1));
        assert_eq!(s.cc_dirty_page_threshold(), Some(2));
        assert_eq!(s.resident_available_pages(), Some(-3));
        assert_eq!(s.shared_committed_pages(), Some(4));
    }

    #[test]
    fn optional_parts_follow_flags() {
        let file = dump(SMI, &stream(1, 0), &[]);
        let s = parse::<SystemMemoryInfo>(&file).unwrap();
        assert!(s.basic_perf_info().is_none());
        assert_eq!(s.file_cache_flags(), None);
        assert_eq!(s.cc_total_dirty_pages(), None);
        assert_eq!(s.shared_committed_pages(), None);
        assert_eq!(s.perf_info().system_calls.get(), 77);
    }

    #[test]
    fn short_or_unknown_streams_are_errors() {
        let s = stream(1, 0);
        let e = parse::<SystemMemoryInfo>(&dump(SMI, &s[..491], &[])).unwrap_err();
        assert_eq!(e.kind, ErrorKind::BadStreamSize { size: 491, expected: 492 });
        assert_eq!(e.offset, stream_rva(&[]));
        assert_eq!(e.stream, Some(StreamType::SYSTEM_MEMORY_INFO));
        let e = parse::<SystemMemoryInfo>(&dump(SMI, &s[..1], &[])).unwrap_err();
        assert!(matches!(e.kind, ErrorKind::Truncated { needed: 2, available: 1 }));
        let e = parse::<SystemMemoryInfo>(&dump(SMI, &stream(0, 0), &[])).unwrap_err();
        assert!(matches!(e.kind, ErrorKind::Unsupported(_)));
        // A later revision is read as revision 1.
        let s = parse::<SystemMemoryInfo>(&dump(SMI, &stream(2, 0), &[])).map(|s| s.revision());
        assert_eq!(s, Ok(2));
    }
}
