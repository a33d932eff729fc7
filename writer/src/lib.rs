//! Writing minidumps.
//!
//! Two levels, one set of on-disk structs (`mdump-format`, shared with the
//! reader):
//!
//! * [`DumpWriter`]: low level and allocation-free — blobs, strings,
//!   streams, memory copied from a [`MemorySource`] through a scratch buffer,
//!   a Memory64List streamed to the end of the file, and a directory in a
//!   caller-supplied slice. Usable inside a crash handler.
//! * [`model::DumpModel`]: every stream the reader types, as owned values
//!   that can be built by hand, read from an existing dump, and written.
//!
//! ```
//! use mdump_format::StreamType;
//! use mdump_writer::{DumpWriter, NoMemory};
//! use std::io::Cursor;
//!
//! let mut directory = [Default::default(); 3];
//! let mut w = DumpWriter::new(Cursor::new(Vec::new()), &mut directory).unwrap();
//! w.stream(StreamType::LINUX_CMD_LINE, b"/bin/true\0").unwrap();
//! w.fail_stream(StreamType::LINUX_ENVIRON, "environ: permission denied");
//! let bytes = w.finish(0, 0).unwrap().into_inner();
//! let dump = mdump_reader::Minidump::parse(&bytes).unwrap();
//! assert_eq!(dump.directory().len(), 3);
//! let log = dump.raw_stream(StreamType::MDUMP_WRITE_ERRORS).unwrap().unwrap();
//! assert_eq!(log.as_slice(), b"0x47670007 environ: permission denied\n");
//! ```
#![deny(missing_docs)]

pub mod dump_writer;
pub mod error;
pub mod model;
pub mod source;

pub use dump_writer::DumpWriter;
pub use error::{Result, WriteError};
pub use source::{MemorySource, NoMemory, SliceMemory};
