//! `MINIDUMP_EXCEPTION_STREAM`: what went wrong, on which thread, and that
//! thread's context at the moment of the fault. Codes are in
//! [`crate::exception_codes`].

use crate::{LocationDescriptor, U32, U64};
use zerocopy::{FromBytes, Immutable, IntoBytes, KnownLayout, Unaligned};

/// `EXCEPTION_MAXIMUM_PARAMETERS`: capacity of
/// [`MinidumpException::exception_information`].
pub const EXCEPTION_MAXIMUM_PARAMETERS: usize = 15;

/// `MINIDUMP_EXCEPTION`: a 64-bit `EXCEPTION_RECORD`.
#[derive(FromBytes, IntoBytes, KnownLayout, Immutable, Unaligned, Clone, Copy, Debug, Default, PartialEq, Eq)]
#[repr(C)]
pub struct MinidumpException {
    /// NTSTATUS on Windows, signal number on Linux, exception type on macOS.
    pub exception_code: U32,
    /// Windows: `EXCEPTION_NONCONTINUABLE` etc. Linux: the signal's `si_code`.
    /// macOS: the exception's code.
    pub exception_flags: U32,
    /// Address of a chained exception record in the target.
    pub exception_record: U64,
    /// Where the exception happened (Linux: the fault address).
    pub exception_address: U64,
    /// How many of `exception_information` are used.
    pub number_parameters: U32,
    /// Padding, as in the spec.
    pub unused_alignment: U32,
    /// Code-specific parameters (for an access violation: read/write/exec
    /// and the address).
    pub exception_information: [U64; EXCEPTION_MAXIMUM_PARAMETERS],
}
const _: () = assert!(core::mem::size_of::<MinidumpException>() == 152);

/// `MINIDUMP_EXCEPTION_STREAM`.
#[derive(FromBytes, IntoBytes, KnownLayout, Immutable, Unaligned, Clone, Copy, Debug, Default, PartialEq, Eq)]
#[repr(C)]
pub struct MinidumpExceptionStream {
    /// Id of the thread that faulted.
    pub thread_id: U32,
    /// Padding, as in the spec.
    pub alignment: U32,
    /// The exception record.
    pub exception_record: MinidumpException,
    /// The faulting thread's context at the time of the exception.
    pub thread_context: LocationDescriptor,
}
const _: () = assert!(core::mem::size_of::<MinidumpExceptionStream>() == 168);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exception_stream_offsets() {
        let mut b = [0u8; 168];
        b[0..4].copy_from_slice(&0x5f78u32.to_le_bytes());
        b[8..12].copy_from_slice(&0xc000_0409u32.to_le_bytes());
        b[24..32].copy_from_slice(&0x7ff7_5355_af42u64.to_le_bytes());
        b[32..36].copy_from_slice(&1u32.to_le_bytes());
        b[40..48].copy_from_slice(&7u64.to_le_bytes());
        b[160..164].copy_from_slice(&1232u32.to_le_bytes());
        let e = MinidumpExceptionStream::ref_from_bytes(&b).unwrap();
        assert_eq!(e.thread_id.get(), 0x5f78);
        assert_eq!(e.exception_record.exception_code.get(), 0xc000_0409);
        assert_eq!(e.exception_record.exception_address.get(), 0x7ff7_5355_af42);
        assert_eq!(e.exception_record.exception_information[0].get(), 7);
        assert_eq!(e.thread_context.data_size.get(), 1232);
    }
}
