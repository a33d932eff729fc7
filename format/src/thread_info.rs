//! The ThreadInfoList stream (`MINIDUMP_THREAD_INFO_LIST`): per-thread state
//! that the ThreadList stream lacks (times, exit status, start address,
//! affinity, and whether the writer could read the thread at all).
//!
//! Layout: a [`ThreadInfoListHeader`], then `number_of_entries` entries of
//! `size_of_entry` bytes each, starting `size_of_header` bytes into the
//! stream. Each entry begins with a [`ThreadInfo`]; a larger `size_of_entry`
//! leaves room for fields a future version may add.

use crate::{U32, U64};
use zerocopy::{FromBytes, Immutable, IntoBytes, KnownLayout, Unaligned};

/// `MINIDUMP_THREAD_INFO_ERROR_THREAD` in [`ThreadInfo::dump_flags`]: a
/// placeholder for a thread the writer failed to access; only the thread id
/// means anything (see [`ThreadInfo::dump_error`]).
pub const MINIDUMP_THREAD_INFO_ERROR_THREAD: u32 = 0x0000_0001;
/// `MINIDUMP_THREAD_INFO_WRITING_THREAD`: the thread that called the dump
/// writer.
pub const MINIDUMP_THREAD_INFO_WRITING_THREAD: u32 = 0x0000_0002;
/// `MINIDUMP_THREAD_INFO_EXITED_THREAD`: the thread had already exited (was
/// running no code) when the dump was written.
pub const MINIDUMP_THREAD_INFO_EXITED_THREAD: u32 = 0x0000_0004;
/// `MINIDUMP_THREAD_INFO_INVALID_INFO`: the thread's information could not
/// be read.
pub const MINIDUMP_THREAD_INFO_INVALID_INFO: u32 = 0x0000_0008;
/// `MINIDUMP_THREAD_INFO_INVALID_CONTEXT`: the thread's register context
/// could not be read.
pub const MINIDUMP_THREAD_INFO_INVALID_CONTEXT: u32 = 0x0000_0010;
/// `MINIDUMP_THREAD_INFO_INVALID_TEB`: the thread's TEB could not be read.
pub const MINIDUMP_THREAD_INFO_INVALID_TEB: u32 = 0x0000_0020;

/// `MINIDUMP_THREAD_INFO_LIST`: the header at the start of the stream.
#[derive(FromBytes, IntoBytes, KnownLayout, Immutable, Unaligned, Clone, Copy, Debug, Default, PartialEq, Eq)]
#[repr(C)]
pub struct ThreadInfoListHeader {
    /// Size of this header in bytes (12); the entries start this far into
    /// the stream.
    pub size_of_header: U32,
    /// Size of each entry in bytes (normally 64, the size of [`ThreadInfo`]).
    pub size_of_entry: U32,
    /// Number of entries.
    pub number_of_entries: U32,
}
const _: () = assert!(core::mem::size_of::<ThreadInfoListHeader>() == 12);

/// `MINIDUMP_THREAD_INFO`: state of one thread. Times are Windows
/// `FILETIME`s: 100-nanosecond units, counted from 1601-01-01 UTC for points
/// in time and from zero for durations.
#[derive(FromBytes, IntoBytes, KnownLayout, Immutable, Unaligned, Clone, Copy, Debug, Default, PartialEq, Eq)]
#[repr(C)]
pub struct ThreadInfo {
    /// Id of the thread (matches a ThreadList entry's id).
    pub thread_id: U32,
    /// `MINIDUMP_THREAD_INFO_*` bits describing the thread's state.
    pub dump_flags: U32,
    /// `HRESULT` of the writer's attempt to capture the thread (0 = success).
    pub dump_error: U32,
    /// Exit code of the thread (`STILL_ACTIVE`, 259, while it runs).
    pub exit_status: U32,
    /// When the thread was created (`FILETIME`).
    pub create_time: U64,
    /// When the thread exited (`FILETIME`), 0 if it had not.
    pub exit_time: U64,
    /// Time spent in kernel mode, in 100-nanosecond units.
    pub kernel_time: U64,
    /// Time spent in user mode, in 100-nanosecond units.
    pub user_time: U64,
    /// Address of the thread's start routine.
    pub start_address: U64,
    /// Processor affinity mask of the thread.
    pub affinity: U64,
}
const _: () = assert!(core::mem::size_of::<ThreadInfo>() == 64);

#[cfg(test)]
mod tests {
    use super::*;

    fn put_u32(buf: &mut [u8], off: usize, v: u32) {
        buf[off..off + 4].copy_from_slice(&v.to_le_bytes());
    }
    fn put_u64(buf: &mut [u8], off: usize, v: u64) {
        buf[off..off + 8].copy_from_slice(&v.to_le_bytes());
    }

    #[test]
    fn header_then_entry() {
        let mut b = [0u8; 12 + 64];
        put_u32(&mut b, 0, 12);
        put_u32(&mut b, 4, 64);
        put_u32(&mut b, 8, 1);
        let e = 12;
        put_u32(&mut b, e, 0x1234);
        put_u32(&mut b, e + 4, MINIDUMP_THREAD_INFO_WRITING_THREAD | MINIDUMP_THREAD_INFO_INVALID_TEB);
        put_u32(&mut b, e + 8, 0x8007_0005);
        put_u32(&mut b, e + 12, 259);
        put_u64(&mut b, e + 16, 0x01d9_0000_0000_0001);
        put_u64(&mut b, e + 24, 0);
        put_u64(&mut b, e + 32, 5_000);
        put_u64(&mut b, e + 40, 7_000);
        put_u64(&mut b, e + 48, 0x7ff6_1234_5678);
        put_u64(&mut b, e + 56, 0xff);

        let (h, rest) = ThreadInfoListHeader::ref_from_prefix(&b).unwrap();
        assert_eq!(h.size_of_header.get(), 12);
        assert_eq!(h.size_of_entry.get(), 64);
        assert_eq!(h.number_of_entries.get(), 1);
        let t = ThreadInfo::ref_from_bytes(rest).unwrap();
        assert_eq!(t.thread_id.get(), 0x1234);
        assert_eq!(t.dump_flags.get(), 0x22);
        assert_eq!(t.dump_error.get(), 0x8007_0005);
        assert_eq!(t.exit_status.get(), 259);
        assert_eq!(t.create_time.get(), 0x01d9_0000_0000_0001);
        assert_eq!(t.exit_time.get(), 0);
        assert_eq!(t.kernel_time.get(), 5_000);
        assert_eq!(t.user_time.get(), 7_000);
        assert_eq!(t.start_address.get(), 0x7ff6_1234_5678);
        assert_eq!(t.affinity.get(), 0xff);
    }
}
