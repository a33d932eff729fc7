//! `mdump dump --format breakpad`: the text Breakpad's `minidump_dump` prints,
//! byte for byte.
//!
//! Breakpad reads a dump through one C++ input stream, seeking and reading as
//! each of its objects asks, and what it prints depends on the order of those
//! reads, on which records it decides are invalid (an invalid stream is
//! silently left out), and on one property of C++ streams: once a read runs
//! past the end of the file the stream is in a failed state, and every later
//! seek and read fails too. [`Io`] models that stream, and the printers in the
//! submodules ask it for bytes in the order Breakpad does, applying Breakpad's
//! own acceptance rules (which differ from `mdump-reader`'s: the last of two
//! directory entries of the same type wins, sizes must match exactly, strings
//! are limited to 1024 UTF-16 units, ...). The on-disk structures are the
//! `mdump-format` views.
//!
//! Things that cannot be reproduced: Breakpad also reads byte-swapped
//! (big-endian) dumps, which `mdump-reader` refuses before we are called, and
//! it prints whatever happens to follow the exception record in memory when
//! an exception claims more than 15 parameters (see [`exception`]).

mod context;
mod crashpad;
mod exception;
mod header;
mod linux;
mod memory;
mod misc_info;
mod module;
mod range_map;
mod system_info;
mod text;
mod thread;

#[cfg(test)]
mod tests;

use mdump_format::system_info::MinidumpSystemInfo;
use mdump_format::{MinidumpDirectory, MinidumpHeader, StreamType};
use mdump_reader::Minidump;
use std::cell::Cell;
use std::collections::BTreeMap;
use std::io::{self, Write};

/// Prints `dump` exactly as Breakpad's `minidump_dump` does (without its
/// `-x` hexdump option). Prints nothing when Breakpad would refuse the file.
pub fn print_dump(dump: &Minidump, out: &mut dyn Write) -> io::Result<()> {
    let Some(session) = Session::open(dump) else {
        return Ok(());
    };
    let s = &session;
    header::print(s, out)?;
    thread::print_thread_list(s, out)?;
    thread::print_thread_name_list(s, out)?;
    module::print_module_list(s, out)?;
    memory::print_memory_list(s, out)?;
    exception::print_exception(s, out)?;
    exception::print_assertion(s, out)?;
    system_info::print(s, out)?;
    misc_info::print_misc_info(s, out)?;
    misc_info::print_breakpad_info(s, out)?;
    memory::print_memory_info_list(s, out)?;
    crashpad::print(s, out)?;
    linux::print_raw_streams(s, out)
}

/// A `mdump-format` structure at the start of a byte slice, viewed in place:
/// `view!(bytes, Type)` is `Option<&Type>`.
macro_rules! view {
    ($bytes:expr, $t:ty) => {
        mdump_reader::Bytes::new($bytes).read::<$t>(0).ok()
    };
}
pub(crate) use view;

/// The next structure in the stream: `read_struct!(io, Type)` reads its size
/// and is `Option<&Type>`.
macro_rules! read_struct {
    ($io:expr, $t:ty) => {
        $io.read(core::mem::size_of::<$t>() as u64).and_then(|bytes| $crate::breakpad::view!(bytes, $t))
    };
}
pub(crate) use read_struct;

/// Breakpad gives up on a dump with more directory entries than this.
const MAX_STREAMS: u32 = 128;

/// Stream types of which Breakpad accepts at most one: a second entry of any
/// of these makes it refuse the whole dump.
const UNIQUE_STREAMS: [StreamType; 9] = [
    StreamType::THREAD_LIST,
    StreamType::THREAD_NAMES,
    StreamType::MODULE_LIST,
    StreamType::MEMORY_LIST,
    StreamType::EXCEPTION,
    StreamType::SYSTEM_INFO,
    StreamType::MISC_INFO,
    StreamType::BREAKPAD_INFO,
    StreamType::CRASHPAD_INFO,
];

/// The file as a C++ `ifstream` sees it: a position, and a failed state that
/// a short read sets and nothing clears.
pub(crate) struct Io<'a> {
    data: &'a [u8],
    pos: Cell<u64>,
    failed: Cell<bool>,
}

impl<'a> Io<'a> {
    fn new(data: &'a [u8]) -> Io<'a> {
        Io { data, pos: Cell::new(0), failed: Cell::new(false) }
    }

    /// Moves to `offset`. Seeking past the end succeeds; seeking on a failed
    /// stream does not.
    pub fn seek(&self, offset: u64) -> bool {
        if self.failed.get() {
            return false;
        }
        self.pos.set(offset);
        true
    }

    /// The position, unless the stream has failed.
    pub fn tell(&self) -> Option<u64> {
        (!self.failed.get()).then(|| self.pos.get())
    }

    /// The next `len` bytes. A read of nothing always succeeds; a read that
    /// runs past the end fails and leaves the stream failed for good.
    pub fn read(&self, len: u64) -> Option<&'a [u8]> {
        if len == 0 {
            return Some(&[]);
        }
        if self.failed.get() {
            return None;
        }
        let start = self.pos.get();
        let slice = usize::try_from(start)
            .ok()
            .zip(usize::try_from(len).ok())
            .and_then(|(s, l)| s.checked_add(l).and_then(|e| self.data.get(s..e)));
        match slice {
            Some(bytes) => {
                self.pos.set(start + len);
                Some(bytes)
            }
            None => {
                self.failed.set(true);
                self.pos.set(self.data.len() as u64);
                None
            }
        }
    }

    /// `len` bytes at `offset`, without touching the stream's state (for
    /// viewing a structure Breakpad read in several pieces).
    pub fn bytes_at(&self, offset: u64, len: usize) -> Option<&'a [u8]> {
        let start = usize::try_from(offset).ok()?;
        self.data.get(start..start.checked_add(len)?)
    }

    /// The next little-endian `u32`.
    pub fn read_u32(&self) -> Option<u32> {
        Some(u32::from_le_bytes(self.read(4)?.try_into().ok()?))
    }

    /// The next little-endian `u64`.
    pub fn read_u64(&self) -> Option<u64> {
        Some(u64::from_le_bytes(self.read(8)?.try_into().ok()?))
    }
}

/// One run of `minidump_dump`: the stream, the directory, the map from stream
/// type to directory index, and the streams Breakpad caches once read.
pub(crate) struct Session<'a> {
    pub io: Io<'a>,
    pub header: &'a MinidumpHeader,
    pub directory: &'a [MinidumpDirectory],
    /// Stream type to directory index; for a repeated type the last entry
    /// wins. Iterated in type order, as Breakpad prints it.
    pub stream_map: BTreeMap<u32, usize>,
    system_info: Cell<Option<MinidumpSystemInfo>>,
}

impl<'a> Session<'a> {
    /// Breakpad's `Minidump::Read`: `None` when it would refuse the dump.
    fn open(dump: &Minidump<'a>) -> Option<Session<'a>> {
        let header = dump.header();
        if header.stream_count.get() > MAX_STREAMS {
            return None;
        }
        let directory = dump.directory();
        let mut stream_map = BTreeMap::new();
        for (index, entry) in directory.iter().enumerate() {
            let stream_type = entry.stream_type.get();
            if UNIQUE_STREAMS.iter().any(|t| t.0 == stream_type) && stream_map.contains_key(&stream_type) {
                return None;
            }
            stream_map.insert(stream_type, index);
        }
        let io = Io::new(dump.bytes().as_slice());
        // Where Breakpad's stream is left after reading the directory.
        let after_directory = u64::from(header.stream_directory_rva.get())
            + directory.len() as u64 * core::mem::size_of::<MinidumpDirectory>() as u64;
        io.seek(after_directory);
        Some(Session { io, header, directory, stream_map, system_info: Cell::new(None) })
    }

    /// Breakpad's `SeekToStreamType`: moves to the stream the map names for
    /// `stream_type` and returns its size.
    pub fn seek_to_stream(&self, stream_type: StreamType) -> Option<u32> {
        let index = *self.stream_map.get(&stream_type.0)?;
        let entry = self.directory.get(index)?;
        if !self.io.seek(entry.location.rva.get().into()) {
            return None;
        }
        Some(entry.location.data_size.get())
    }

    /// Breakpad's `GetSystemInfo`: the SystemInfo stream, read on first use
    /// and kept once read successfully (a failed read is retried next time).
    pub fn system_info(&self) -> Option<MinidumpSystemInfo> {
        if let Some(info) = self.system_info.get() {
            return Some(info);
        }
        let size = self.seek_to_stream(StreamType::SYSTEM_INFO)?;
        if size as usize != core::mem::size_of::<MinidumpSystemInfo>() {
            return None;
        }
        let info = *read_struct!(self.io, MinidumpSystemInfo)?;
        self.system_info.set(Some(info));
        Some(info)
    }

    /// Breakpad's `GetPlatform`: the SystemInfo platform id, looked up
    /// without moving the stream.
    pub fn platform(&self) -> Option<u32> {
        let saved = self.io.tell()?;
        let info = self.system_info();
        if !self.io.seek(saved) {
            return None;
        }
        Some(info?.platform_id.get())
    }

    /// Breakpad's `ReadString`: a `MINIDUMP_STRING` at `offset`, converted to
    /// UTF-8 the way Breakpad converts it; `None` for a string longer than
    /// 1024 units, of odd length, or with a surrogate Breakpad rejects.
    pub fn read_string(&self, offset: u64) -> Option<Vec<u8>> {
        if !self.io.seek(offset) {
            return None;
        }
        let bytes = self.io.read_u32()?;
        if bytes % 2 != 0 || bytes / 2 > text::MAX_STRING_UNITS {
            return None;
        }
        let units = self.io.read(bytes.into())?;
        text::utf16_to_utf8(units.chunks_exact(2).map(|c| u16::from_le_bytes([c[0], c[1]])))
    }

    /// Breakpad's `ReadUTF8String`: a length-prefixed 8-bit string of at most
    /// 1024 bytes.
    pub fn read_utf8_string(&self, offset: u64) -> Option<&'a [u8]> {
        if !self.io.seek(offset) {
            return None;
        }
        let len = self.io.read_u32()?;
        if len > text::MAX_STRING_UNITS {
            return None;
        }
        self.io.read(len.into())
    }
}
