//! [`Minidump`]: the header, the stream directory, and typed stream access.

use crate::bytes::Bytes;
use crate::error::{Error, ErrorKind, Result};
use mdump_format::system_info::MinidumpSystemInfo;
use mdump_format::{
    LocationDescriptor, MemoryDescriptor, MinidumpDirectory, MinidumpHeader, StreamType, MINIDUMP_SIGNATURE,
    MINIDUMP_VERSION,
};
use std::path::Path;

/// A stream type the reader knows how to parse.
///
/// ```no_run
/// # fn main() -> Result<(), mdump_reader::Error> {
/// let file = mdump_reader::MinidumpFile::open("crash.dmp")?;
/// let dump = file.minidump()?;
/// if let Some(threads) = dump.stream::<mdump_reader::ThreadList>()? {
///     for thread in threads.iter() {
///         println!("{:#x}", thread.raw.thread_id.get());
///     }
/// }
/// # Ok(()) }
/// ```
pub trait Stream<'a>: Sized {
    /// The directory type this parser reads.
    const STREAM_TYPE: StreamType;

    /// Parses the stream's bytes; `dump` gives access to the rest of the file
    /// (RVAs inside the stream are file offsets).
    fn parse(bytes: Bytes<'a>, dump: &Minidump<'a>) -> Result<Self>;
}

/// A parsed minidump borrowing its bytes.
///
/// Opening reads the 32-byte header and the directory and nothing else, so it
/// costs the same for a 1 KB dump and a 100 GB one. Streams are parsed when
/// asked for.
#[derive(Clone, Copy, Debug)]
pub struct Minidump<'a> {
    bytes: Bytes<'a>,
    header: &'a MinidumpHeader,
    directory: &'a [MinidumpDirectory],
    system: Option<&'a MinidumpSystemInfo>,
}

impl<'a> Minidump<'a> {
    /// Reads the header and stream directory of `data`.
    pub fn parse(data: &'a [u8]) -> Result<Minidump<'a>> {
        let bytes = Bytes::new(data);
        let header: &MinidumpHeader = bytes.read(0)?;
        if header.signature.get() != MINIDUMP_SIGNATURE {
            return Err(Error::new(ErrorKind::BadSignature(header.signature.get()), 0));
        }
        if header.version.get() & 0xffff != MINIDUMP_VERSION {
            return Err(Error::new(ErrorKind::BadVersion(header.version.get()), 4));
        }
        let directory = bytes.array::<MinidumpDirectory>(
            header.stream_directory_rva.get().into(),
            header.stream_count.get().into(),
            "directory entries",
        )?;
        // Every context and module identifier depends on the architecture
        // and platform: look the 56-byte SystemInfo up once.
        let system = directory
            .iter()
            .find(|d| d.stream_type.get() == StreamType::SYSTEM_INFO.0)
            .and_then(|d| bytes.read::<MinidumpSystemInfo>(d.location.rva.get().into()).ok());
        Ok(Minidump { bytes, header, directory, system })
    }

    /// The SystemInfo stream's raw structure, if the dump has a readable one.
    pub fn system_info_raw(&self) -> Option<&'a MinidumpSystemInfo> {
        self.system
    }

    /// The whole file.
    pub fn bytes(&self) -> Bytes<'a> {
        self.bytes
    }

    /// The file header.
    pub fn header(&self) -> &'a MinidumpHeader {
        self.header
    }

    /// The stream directory, in file order (unused slots included).
    pub fn directory(&self) -> &'a [MinidumpDirectory] {
        self.directory
    }

    /// File offset of directory entry `index`.
    pub fn directory_entry_offset(&self, index: usize) -> u64 {
        u64::from(self.header.stream_directory_rva.get())
            + index as u64 * core::mem::size_of::<MinidumpDirectory>() as u64
    }

    /// The bytes a location descriptor points at.
    pub fn location(&self, location: &LocationDescriptor) -> Result<Bytes<'a>> {
        self.bytes.sub(location.rva.get().into(), location.data_size.get().into())
    }

    /// The bytes of a memory descriptor (a thread's stack, a MemoryList entry).
    pub fn memory(&self, descriptor: &MemoryDescriptor) -> Result<Bytes<'a>> {
        self.location(&descriptor.memory)
    }

    /// The first directory entry of type `stream_type`, with its index.
    pub fn find(&self, stream_type: StreamType) -> Option<(usize, &'a MinidumpDirectory)> {
        self.directory.iter().enumerate().find(|(_, d)| d.stream_type.get() == stream_type.0)
    }

    /// The raw bytes of the first stream of `stream_type`, if there is one.
    pub fn raw_stream(&self, stream_type: StreamType) -> Result<Option<Bytes<'a>>> {
        match self.find(stream_type) {
            None => Ok(None),
            Some((_, entry)) => self.location(&entry.location).map(Some).map_err(|e| e.in_stream(stream_type)),
        }
    }

    /// Parses the first stream of type `S::STREAM_TYPE`; `Ok(None)` when the
    /// dump has none. Errors carry the stream type.
    pub fn stream<S: Stream<'a>>(&self) -> Result<Option<S>> {
        match self.raw_stream(S::STREAM_TYPE)? {
            None => Ok(None),
            Some(bytes) => S::parse(bytes, self).map(Some).map_err(|e| e.in_stream(S::STREAM_TYPE)),
        }
    }
}

/// A minidump file mapped into memory.
///
/// ```no_run
/// let file = mdump_reader::MinidumpFile::open("crash.dmp").unwrap();
/// let dump = file.minidump().unwrap();
/// println!("{} streams", dump.directory().len());
/// ```
pub struct MinidumpFile {
    map: Option<memmap2::Mmap>,
}

impl MinidumpFile {
    /// Maps the file at `path` read-only.
    pub fn open(path: impl AsRef<Path>) -> Result<MinidumpFile> {
        let path = path.as_ref();
        let io = |e: std::io::Error| Error::new(ErrorKind::Io(format!("{}: {e}", path.display())), 0);
        let file = std::fs::File::open(path).map_err(io)?;
        let len = file.metadata().map_err(io)?.len();
        if len == 0 {
            // Mapping an empty file fails on some systems; an empty dump is
            // reported by the parser instead.
            return Ok(MinidumpFile { map: None });
        }
        // Safety: mapping a file is unsafe because another process could
        // change it under us. The reader treats every byte as hostile and
        // never relies on a value staying the same between two reads, so a
        // concurrent change can give wrong output but not undefined
        // behaviour in our code.
        #[allow(unsafe_code)]
        let map = unsafe { memmap2::Mmap::map(&file) }.map_err(io)?;
        Ok(MinidumpFile { map: Some(map) })
    }

    /// The file's bytes.
    pub fn bytes(&self) -> &[u8] {
        self.map.as_deref().unwrap_or(&[])
    }

    /// Parses the header and directory.
    pub fn minidump(&self) -> Result<Minidump<'_>> {
        Minidump::parse(self.bytes())
    }
}
