//! `MINIDUMP_THREAD` and `MINIDUMP_THREAD_EX`: the ThreadList and
//! ThreadExList streams.
//!
//! Both streams are a `u32` count followed by that many entries. Some writers
//! (older Breakpad) put 4 bytes of padding after the count so that the
//! entries are 8-byte aligned; a reader recognises this from the stream size.

use crate::{LocationDescriptor, MemoryDescriptor, U32, U64};
use zerocopy::{FromBytes, Immutable, IntoBytes, KnownLayout, Unaligned};

/// `MINIDUMP_THREAD`: one thread of a ThreadList stream.
#[derive(FromBytes, IntoBytes, KnownLayout, Immutable, Unaligned, Clone, Copy, Debug, Default, PartialEq, Eq)]
#[repr(C)]
pub struct MinidumpThread {
    /// Operating-system thread id.
    pub thread_id: U32,
    /// How many times the thread had been suspended when the dump was taken.
    pub suspend_count: U32,
    /// Windows priority class.
    pub priority_class: U32,
    /// Windows priority within the class.
    pub priority: U32,
    /// Address of the thread environment block (Linux: often the TLS base).
    pub teb: U64,
    /// The thread's stack memory as captured.
    pub stack: MemoryDescriptor,
    /// Where the thread's CPU context is.
    pub thread_context: LocationDescriptor,
}
const _: () = assert!(core::mem::size_of::<MinidumpThread>() == 48);

/// `MINIDUMP_THREAD_EX`: a thread with the IA-64 backing store.
#[derive(FromBytes, IntoBytes, KnownLayout, Immutable, Unaligned, Clone, Copy, Debug, Default, PartialEq, Eq)]
#[repr(C)]
pub struct MinidumpThreadEx {
    /// Operating-system thread id.
    pub thread_id: U32,
    /// Suspend count.
    pub suspend_count: U32,
    /// Windows priority class.
    pub priority_class: U32,
    /// Windows priority within the class.
    pub priority: U32,
    /// Address of the thread environment block.
    pub teb: U64,
    /// The thread's stack memory.
    pub stack: MemoryDescriptor,
    /// Where the thread's CPU context is.
    pub thread_context: LocationDescriptor,
    /// The register backing store (IA-64 only).
    pub backing_store: MemoryDescriptor,
}
const _: () = assert!(core::mem::size_of::<MinidumpThreadEx>() == 64);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thread_fields_sit_at_spec_offsets() {
        let mut b = [0u8; 48];
        b[0..4].copy_from_slice(&0x1234u32.to_le_bytes());
        b[16..24].copy_from_slice(&0x7ffd_f000u64.to_le_bytes());
        b[24..32].copy_from_slice(&0x12_f31cu64.to_le_bytes());
        b[32..36].copy_from_slice(&0xce4u32.to_le_bytes());
        b[44..48].copy_from_slice(&0xd94u32.to_le_bytes());
        let t = MinidumpThread::ref_from_bytes(&b).unwrap();
        assert_eq!(t.thread_id.get(), 0x1234);
        assert_eq!(t.teb.get(), 0x7ffd_f000);
        assert_eq!(t.stack.start_of_memory_range.get(), 0x12_f31c);
        assert_eq!(t.stack.memory.data_size.get(), 0xce4);
        assert_eq!(t.thread_context.rva.get(), 0xd94);
    }
}
