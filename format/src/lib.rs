//! On-disk structures and constants of the minidump format.
//!
//! Every structure here is a `#[repr(C)]` plain-old-data type whose fields are
//! little-endian integers of alignment 1 ([`zerocopy::little_endian`]). That
//! gives three properties at once, all proven by the compiler rather than by
//! `unsafe` casts:
//!
//! * a structure can be viewed in place over any byte slice of the right
//!   length ([`zerocopy::FromBytes::ref_from_bytes`]), whatever its alignment;
//! * Microsoft's `#pragma pack(4)` layouts (64-bit fields at 4-byte offsets)
//!   map exactly, because no field asks for alignment;
//! * a big-endian host reads the same values as a little-endian one.
//!
//! Each structure's size is asserted at compile time against the size the
//! specification gives (Microsoft's `minidumpapiset.h`, Breakpad's
//! `minidump_format.h`, Crashpad's `minidump_extensions.h`). The same structs
//! are read by `mdump-reader` and written by `mdump-writer`.
//!
//! ```
//! use mdump_format::{MinidumpHeader, MINIDUMP_SIGNATURE};
//! use zerocopy::FromBytes;
//!
//! let mut bytes = [0u8; 32];
//! bytes[..4].copy_from_slice(b"MDMP");
//! let header = MinidumpHeader::ref_from_bytes(&bytes).unwrap();
//! assert_eq!(header.signature.get(), MINIDUMP_SIGNATURE);
//! ```
#![no_std]
#![forbid(unsafe_code)]
#![deny(missing_docs)]

pub mod assertion_info;
pub mod breakpad_info;
pub mod codeview;
pub mod context;
pub mod crashpad;
pub mod exception;
pub mod exception_codes;
pub mod function_table;
pub mod handle_data;
pub mod handle_operation;
pub mod header;
pub mod linux_dso_debug;
pub mod memory;
pub mod memory_info;
pub mod misc_info;
pub mod module;
pub mod process_vm_counters;
pub mod stream_type;
pub mod string;
pub mod system_info;
pub mod system_memory_info;
pub mod thread;
pub mod thread_info;
pub mod thread_names;
pub mod token;
pub mod unloaded_module;

pub use header::*;
pub use stream_type::StreamType;

/// Little-endian field types used by every structure in this crate.
pub use zerocopy::little_endian::{I16, I32, I64, U16, U32, U64};

/// Byte-placing helpers for the unit tests that build structures by hand at
/// the spec's offsets.
#[cfg(test)]
pub(crate) mod test_bytes {
    pub fn put32(bytes: &mut [u8], at: usize, value: u32) {
        bytes[at..at + 4].copy_from_slice(&value.to_le_bytes());
    }

    pub fn put64(bytes: &mut [u8], at: usize, value: u64) {
        bytes[at..at + 8].copy_from_slice(&value.to_le_bytes());
    }
}
