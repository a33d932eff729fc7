//! The HandleOperationList stream (`MINIDUMP_HANDLE_OPERATION_LIST`): the
//! handle trace Application Verifier records when its handle checks are
//! enabled, one entry per open, close or bad use of a handle, each with the
//! stack that did it.
//!
//! Layout: a [`HandleOperationListHeader`], then `number_of_entries` entries
//! of `size_of_entry` bytes each, starting `size_of_header` bytes into the
//! stream. Each entry is an `AVRF_HANDLE_OPERATION` (from `avrfsdk.h`),
//! [`AvrfHandleOperation`] here. That structure is naturally aligned (no
//! packing holes), 288 bytes.

use crate::{U32, U64};
use zerocopy::{FromBytes, Immutable, IntoBytes, KnownLayout, Unaligned};

/// `AVRF_MAX_TRACES`: the number of return addresses an
/// [`AvrfBacktraceInformation`] has room for.
pub const AVRF_MAX_TRACES: usize = 32;

/// `OperationDbUnused` in [`AvrfHandleOperation::operation_type`]: an unused
/// slot of the trace database.
pub const OPERATION_DB_UNUSED: u32 = 0;
/// `OperationDbOPEN`: the handle was opened (created or duplicated).
pub const OPERATION_DB_OPEN: u32 = 1;
/// `OperationDbCLOSE`: the handle was closed.
pub const OPERATION_DB_CLOSE: u32 = 2;
/// `OperationDbBADREF`: the handle was used while invalid.
pub const OPERATION_DB_BADREF: u32 = 3;

/// `MINIDUMP_HANDLE_OPERATION_LIST`: the header at the start of the stream.
#[derive(FromBytes, IntoBytes, KnownLayout, Immutable, Unaligned, Clone, Copy, Debug, Default, PartialEq, Eq)]
#[repr(C)]
pub struct HandleOperationListHeader {
    /// Size of this header in bytes (16); the entries start this far into
    /// the stream.
    pub size_of_header: U32,
    /// Size of each entry in bytes (normally 288, the size of
    /// [`AvrfHandleOperation`]).
    pub size_of_entry: U32,
    /// Number of entries.
    pub number_of_entries: U32,
    /// Reserved, zero.
    pub reserved: U32,
}
const _: () = assert!(core::mem::size_of::<HandleOperationListHeader>() == 16);

/// `AVRF_BACKTRACE_INFORMATION`: a captured call stack.
#[derive(FromBytes, IntoBytes, KnownLayout, Immutable, Unaligned, Clone, Copy, Debug, Default, PartialEq, Eq)]
#[repr(C)]
pub struct AvrfBacktraceInformation {
    /// Number of valid entries at the start of `return_addresses`.
    pub depth: U32,
    /// Index of the stack in Application Verifier's stack trace database.
    pub index: U32,
    /// The return addresses, innermost first; only `depth` of them are used.
    pub return_addresses: [U64; AVRF_MAX_TRACES],
}
const _: () = assert!(core::mem::size_of::<AvrfBacktraceInformation>() == 264);

/// `AVRF_HANDLE_OPERATION`: one operation on a handle.
#[derive(FromBytes, IntoBytes, KnownLayout, Immutable, Unaligned, Clone, Copy, Debug, Default, PartialEq, Eq)]
#[repr(C)]
pub struct AvrfHandleOperation {
    /// The handle value operated on.
    pub handle: U64,
    /// Id of the process the operation happened in.
    pub process_id: U32,
    /// Id of the thread that performed the operation.
    pub thread_id: U32,
    /// What was done: one of the `OPERATION_DB_*` constants.
    pub operation_type: U32,
    /// Unused, zero.
    pub spare0: U32,
    /// The stack of the thread at the time of the operation.
    pub back_trace_information: AvrfBacktraceInformation,
}
const _: () = assert!(core::mem::size_of::<AvrfHandleOperation>() == 288);

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
    fn header_offsets() {
        let mut b = [0u8; 16];
        put_u32(&mut b, 0, 16);
        put_u32(&mut b, 4, 288);
        put_u32(&mut b, 8, 3);
        put_u32(&mut b, 12, 9);
        let h = HandleOperationListHeader::ref_from_bytes(&b).unwrap();
        assert_eq!(h.size_of_header.get(), 16);
        assert_eq!(h.size_of_entry.get(), 288);
        assert_eq!(h.number_of_entries.get(), 3);
        assert_eq!(h.reserved.get(), 9);
    }

    #[test]
    fn entry_offsets() {
        let mut b = [0u8; 288];
        put_u64(&mut b, 0, 0x1c4);
        put_u32(&mut b, 8, 100);
        put_u32(&mut b, 12, 200);
        put_u32(&mut b, 16, OPERATION_DB_CLOSE);
        put_u32(&mut b, 20, 7);
        put_u32(&mut b, 24, 2); // depth
        put_u32(&mut b, 28, 0x55); // index
        put_u64(&mut b, 32, 0x7ff8_0000_1000); // return_addresses[0]
        put_u64(&mut b, 32 + 31 * 8, 0xabcd); // return_addresses[31]
        let e = AvrfHandleOperation::ref_from_bytes(&b).unwrap();
        assert_eq!(e.handle.get(), 0x1c4);
        assert_eq!(e.process_id.get(), 100);
        assert_eq!(e.thread_id.get(), 200);
        assert_eq!(e.operation_type.get(), OPERATION_DB_CLOSE);
        assert_eq!(e.spare0.get(), 7);
        let bt = &e.back_trace_information;
        assert_eq!(bt.depth.get(), 2);
        assert_eq!(bt.index.get(), 0x55);
        assert_eq!(bt.return_addresses[0].get(), 0x7ff8_0000_1000);
        assert_eq!(bt.return_addresses[31].get(), 0xabcd);
    }
}
