//! `MINIDUMP_STRING`: a length-prefixed UTF-16LE string.

use crate::U32;
use zerocopy::{FromBytes, Immutable, IntoBytes, KnownLayout, Unaligned};

/// The fixed part of `MINIDUMP_STRING`.
///
/// `length` UTF-16LE bytes follow (the terminating NUL is written after them
/// but not counted). Strings are reached through RVAs, e.g.
/// [`crate::module::MinidumpModule::module_name_rva`].
#[derive(FromBytes, IntoBytes, KnownLayout, Immutable, Unaligned, Clone, Copy, Debug, Default, PartialEq, Eq)]
#[repr(C)]
pub struct MinidumpStringHeader {
    /// Length of the string in bytes, without the terminating NUL.
    pub length: U32,
}
const _: () = assert!(core::mem::size_of::<MinidumpStringHeader>() == 4);

/// `MINIDUMP_UTF8_STRING` has the same shape: a byte length, then that many
/// UTF-8 bytes and a NUL. Crashpad uses it for annotations.
pub type MinidumpUtf8StringHeader = MinidumpStringHeader;
