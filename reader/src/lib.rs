//! Lazy, borrowed, panic-free reading of minidumps.
//!
//! [`Minidump::parse`] reads the header and the stream directory of a byte
//! slice (or [`MinidumpFile::open`] maps a file); every stream is then parsed
//! on demand with [`Minidump::stream`], viewing the `mdump-format` structs in
//! place. Nothing in here panics on any input, and allocations are bounded by
//! what the file really holds: counts are checked against the bytes present
//! before anything is sized by them.
//!
//! ```
//! // A dump with no streams: 32-byte header, empty directory.
//! let mut bytes = vec![0u8; 32];
//! bytes[..4].copy_from_slice(b"MDMP");
//! bytes[4..8].copy_from_slice(&0xa793u32.to_le_bytes());
//! bytes[12..16].copy_from_slice(&32u32.to_le_bytes());
//! let dump = mdump_reader::Minidump::parse(&bytes).unwrap();
//! assert!(dump.stream::<mdump_reader::ThreadList>().unwrap().is_none());
//!
//! let err = mdump_reader::Minidump::parse(b"not a dump, just bytes here 1234").unwrap_err();
//! assert_eq!(err.to_string(), "not a minidump: signature 0x20746f6e, expected 0x504d444d (\"MDMP\") (at file offset 0x0)");
//! ```
#![deny(unsafe_code)]
#![deny(missing_docs)]

pub mod assertion_info;
pub mod breakpad_info;
pub mod bytes;
pub mod comment;
pub mod context;
pub mod crashpad_info;
pub mod error;
pub mod exception;
pub mod function_table;
pub mod handle_data;
pub mod handle_operation_list;
pub mod linux;
pub mod linux_dso_debug;
pub mod list;
pub mod memory;
pub mod memory_info_list;
pub mod minidump;
pub mod misc_info;
pub mod module_list;
pub mod process_vm_counters;
pub mod string;
pub mod system_info;
pub mod system_memory_info;
#[cfg(test)]
mod testdump;
pub mod thread_info_list;
pub mod thread_list;
pub mod thread_names;
pub mod token;
pub mod unloaded_module_list;
pub mod validate;
pub mod write_errors;
pub mod xstate;

pub use assertion_info::AssertionInfo;
pub use breakpad_info::BreakpadInfo;
pub use bytes::Bytes;
pub use comment::{CommentA, CommentW};
pub use context::Context;
pub use crashpad_info::{
    Annotation, AnnotationList, CrashpadInfo, CrashpadModule, CrashpadModuleList, SimpleStringDictionary,
    Utf8StringList,
};
pub use error::{Error, ErrorKind, Result};
pub use exception::Exception;
pub use function_table::{FunctionTable, FunctionTableRecord};
pub use handle_data::{Handle, HandleData, HandleObjectInfo};
pub use handle_operation_list::{HandleOperation, HandleOperationList};
pub use linux_dso_debug::{LinkMap, LinkMaps, LinuxDsoDebug};
pub use memory::{Memory64List, MemoryIndex, MemoryList, MemoryRegion};
pub use memory_info_list::{MemoryInfoList, MemoryRegionInfo};
pub use minidump::{Minidump, MinidumpFile, Stream};
pub use misc_info::{MiscInfo, ProcessorPowerInfo, TimeZone};
pub use module_list::{CodeView, Module, ModuleList};
pub use process_vm_counters::ProcessVmCounters;
pub use string::MinidumpStr;
pub use system_info::SystemInfo;
pub use system_memory_info::SystemMemoryInfo;
pub use thread_info_list::ThreadInfoList;
pub use thread_list::{Thread, ThreadExList, ThreadList};
pub use thread_names::ThreadNames;
pub use token::{Token, TokenList};
pub use unloaded_module_list::{UnloadedModule, UnloadedModuleList};
