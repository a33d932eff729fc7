//! The HandleOperationList stream: Application Verifier's handle trace
//! (each open, close or bad use of a handle, with its stack).

use crate::bytes::Bytes;
use crate::error::Result;
use crate::list::SizedEntries;
use crate::minidump::{Minidump, Stream};
use mdump_format::handle_operation::{AvrfHandleOperation, HandleOperationListHeader, AVRF_MAX_TRACES};
use mdump_format::StreamType;

/// The HandleOperationList stream: a header and fixed-size
/// `AVRF_HANDLE_OPERATION` entries, viewed in place. Entries larger than the
/// known structure are accepted.
#[derive(Clone, Copy, Debug)]
pub struct HandleOperationList<'a> {
    /// The on-disk header.
    pub header: &'a HandleOperationListHeader,
    entries: SizedEntries<'a>,
}

/// One operation of a [`HandleOperationList`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct HandleOperation<'a> {
    /// The on-disk entry.
    pub raw: &'a AvrfHandleOperation,
}

impl<'a> Stream<'a> for HandleOperationList<'a> {
    const STREAM_TYPE: StreamType = StreamType::HANDLE_OPERATION_LIST;

    fn parse(bytes: Bytes<'a>, _dump: &Minidump<'a>) -> Result<Self> {
        let header: &HandleOperationListHeader = bytes.read(0)?;
        let entries = SizedEntries::after_header::<HandleOperationListHeader>(
            bytes,
            header.size_of_header.get().into(),
            header.size_of_entry.get().into(),
            header.number_of_entries.get().into(),
            core::mem::size_of::<AvrfHandleOperation>() as u64,
            "handle operations",
        )?;
        Ok(HandleOperationList { header, entries })
    }
}

impl<'a> HandleOperationList<'a> {
    /// Number of operations.
    pub fn len(&self) -> usize {
        // The count was checked against the bytes present, so it fits.
        usize::try_from(self.entries.len()).unwrap_or(usize::MAX)
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Operation `index`.
    pub fn get(&self, index: usize) -> Option<HandleOperation<'a>> {
        self.entries.get(index as u64).map(|raw| HandleOperation { raw })
    }

    /// The operations in file order.
    pub fn iter(&self) -> impl Iterator<Item = HandleOperation<'a>> + 'a {
        self.entries.iter().map(|raw| HandleOperation { raw })
    }

    /// File offset of entry `index` (meaningful for `index < len()`).
    pub fn offset_of(&self, index: usize) -> u64 {
        self.entries.offset_of(index as u64)
    }
}

impl<'a> HandleOperation<'a> {
    /// The handle value operated on.
    pub fn handle(&self) -> u64 {
        self.raw.handle.get()
    }

    /// What was done: an `OPERATION_DB_*` value.
    pub fn operation_type(&self) -> u32 {
        self.raw.operation_type.get()
    }

    /// The used return addresses of the stack, innermost first (at most
    /// 32, whatever `depth` claims).
    pub fn stack(&self) -> impl Iterator<Item = u64> + 'a {
        let bt = &self.raw.back_trace_information;
        let depth = (bt.depth.get() as usize).min(AVRF_MAX_TRACES);
        bt.return_addresses.iter().take(depth).map(|a| a.get())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ErrorKind;
    use crate::testdump::{dump, parse, put_u32, put_u64, stream_rva};
    use mdump_format::handle_operation::{OPERATION_DB_CLOSE, OPERATION_DB_OPEN};

    const HOL: u32 = 18;

    /// `(handle, operation, stack)` of each entry.
    fn stream(entry_size: u32, count: u32, ops: &[(u64, u32, &[u64])], depth_extra: u32) -> Vec<u8> {
        let mut b = vec![0u8; 16];
        put_u32(&mut b, 0, 16); // SizeOfHeader
        put_u32(&mut b, 4, entry_size); // SizeOfEntry
        put_u32(&mut b, 8, count); // NumberOfEntries
        for &(handle, op, stack) in ops {
            let mut e = vec![0u8; entry_size as usize];
            put_u64(&mut e, 0, handle); // Handle
            put_u32(&mut e, 8, 0x1234); // ProcessId
            put_u32(&mut e, 12, 0x42); // ThreadId
            put_u32(&mut e, 16, op); // OperationType
            put_u32(&mut e, 24, stack.len() as u32 + depth_extra); // Depth
            put_u32(&mut e, 28, 9); // Index
            for (i, &a) in stack.iter().enumerate() {
                put_u64(&mut e, 32 + 8 * i, a); // ReturnAddresses[i]
            }
            b.extend_from_slice(&e);
        }
        b
    }

    #[test]
    fn normal_stream() {
        let ops: [(u64, u32, &[u64]); 2] =
            [(0x44, OPERATION_DB_OPEN, &[0x7ff0_1000, 0x7ff0_2000]), (0x44, OPERATION_DB_CLOSE, &[])];
        let file = dump(HOL, &stream(288, 2, &ops, 0), &[]);
        let l = parse::<HandleOperationList>(&file).unwrap();
        assert_eq!(l.len(), 2);
        let open = l.get(0).unwrap();
        assert_eq!((open.handle(), open.operation_type()), (0x44, OPERATION_DB_OPEN));
        assert_eq!(open.raw.process_id.get(), 0x1234);
        assert_eq!(open.raw.thread_id.get(), 0x42);
        assert_eq!(open.raw.back_trace_information.index.get(), 9);
        assert_eq!(open.stack().collect::<Vec<_>>(), [0x7ff0_1000, 0x7ff0_2000]);
        let close = l.iter().nth(1).unwrap();
        assert_eq!(close.operation_type(), OPERATION_DB_CLOSE);
        assert_eq!(close.stack().count(), 0);
        assert_eq!(l.offset_of(1), stream_rva(&[]) + 16 + 288);
    }

    #[test]
    fn depth_is_capped() {
        let ops: [(u64, u32, &[u64]); 1] = [(1, OPERATION_DB_OPEN, &[5; 32])];
        let file = dump(HOL, &stream(296, 1, &ops, 1000), &[]);
        let l = parse::<HandleOperationList>(&file).unwrap();
        assert_eq!(l.get(0).unwrap().stack().count(), 32);
    }

    #[test]
    fn huge_count_in_a_tiny_stream() {
        let ops: [(u64, u32, &[u64]); 1] = [(1, OPERATION_DB_OPEN, &[])];
        let file = dump(HOL, &stream(288, 0xffff_ffff, &ops, 0), &[]);
        let e = parse::<HandleOperationList>(&file).unwrap_err();
        assert!(matches!(e.kind, ErrorKind::CountTooLarge { count: 0xffff_ffff, entry_size: 288, available: 288, .. }));
        assert_eq!(e.offset, stream_rva(&[]) + 16);
        assert_eq!(e.stream, Some(StreamType::HANDLE_OPERATION_LIST));
    }

    #[test]
    fn truncated_entry_and_bad_sizes() {
        let ops: [(u64, u32, &[u64]); 2] = [(1, 1, &[]), (2, 2, &[])];
        let mut s = stream(288, 2, &ops, 0);
        s.truncate(16 + 288 + 100);
        let e = parse::<HandleOperationList>(&dump(HOL, &s, &[])).unwrap_err();
        assert!(matches!(e.kind, ErrorKind::CountTooLarge { count: 2, available: 388, .. }));
        put_u32(&mut s, 4, 32); // SizeOfEntry
        let e = parse::<HandleOperationList>(&dump(HOL, &s, &[])).unwrap_err();
        assert!(matches!(e.kind, ErrorKind::BadEntrySize { size: 32, minimum: 288, .. }));
        put_u32(&mut s, 0, 12); // SizeOfHeader
        let e = parse::<HandleOperationList>(&dump(HOL, &s, &[])).unwrap_err();
        assert!(matches!(e.kind, ErrorKind::BadEntrySize { size: 12, minimum: 16, .. }));
        let e = parse::<HandleOperationList>(&dump(HOL, &s[..12], &[])).unwrap_err();
        assert!(matches!(e.kind, ErrorKind::Truncated { needed: 16, available: 12 }));
    }
}
