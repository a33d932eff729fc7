//! [`DumpWriter`]: the low-level, allocation-free minidump writer.
//!
//! It appends 8-byte-aligned blobs to any `Write + Seek`, keeps the stream
//! directory in a caller-supplied slice, copies memory from a
//! [`MemorySource`] through a caller-supplied scratch buffer, and patches the
//! header and directory in place when finished. Nothing in this module
//! allocates, takes a lock or formats with the global allocator, so the
//! capture crate can use it inside a crash handler with a raw-fd `Write`.
//!
//! Order of use: any number of blobs and streams, then at most one
//! Memory64List (its bytes end the file and may pass 4 GiB), then
//! [`DumpWriter::finish`].

use crate::error::{Result, WriteError};
use crate::source::MemorySource;
use mdump_format::memory::Memory64ListHeader;
use mdump_format::{
    LocationDescriptor, MemoryDescriptor, MemoryDescriptor64, MinidumpDirectory, MinidumpHeader, StreamType,
    MINIDUMP_SIGNATURE, MINIDUMP_VERSION, U32, U64,
};
use std::io::{Seek, SeekFrom, Write};
use zerocopy::{Immutable, IntoBytes};

/// Alignment of every blob, as Breakpad's writer does: 64-bit fields of
/// structs placed at a blob's start are naturally aligned.
pub const ALIGN: u64 = 8;

/// Capacity of the in-writer log of streams that failed to gather.
pub const FAILURE_LOG_BYTES: usize = 4096;

/// The text of the [`StreamType::MDUMP_WRITE_ERRORS`] stream, kept inline so
/// recording a failure never allocates. Each line is
/// `<stream type in hex> <reason>`; when full, later lines are dropped and
/// the log ends with `...`.
struct FailureLog {
    buf: [u8; FAILURE_LOG_BYTES],
    len: usize,
    truncated: bool,
}

impl FailureLog {
    fn push(&mut self, stream_type: StreamType, reason: &str) {
        let mut hex = [0u8; 10];
        hex[0] = b'0';
        hex[1] = b'x';
        for (i, b) in hex[2..].iter_mut().enumerate() {
            let nibble = (stream_type.0 >> (28 - 4 * i)) & 0xf;
            *b = b"0123456789abcdef"[nibble as usize];
        }
        let need = hex.len() + 1 + reason.len() + 1;
        if self.len + need > FAILURE_LOG_BYTES - 4 {
            self.truncated = true;
            return;
        }
        for part in [&hex[..], b" ", reason.as_bytes(), b"\n"] {
            self.buf[self.len..self.len + part.len()].copy_from_slice(part);
            self.len += part.len();
        }
    }

    fn bytes(&mut self) -> &[u8] {
        if self.truncated {
            self.buf[self.len..self.len + 4].copy_from_slice(b"...\n");
            self.len += 4;
            self.truncated = false;
        }
        &self.buf[..self.len]
    }
}

/// Writes one minidump to `W`.
pub struct DumpWriter<'d, W: Write + Seek> {
    out: W,
    /// Position in `out` of the dump's first byte.
    origin: u64,
    /// RVA one past the last byte written.
    end: u64,
    directory: &'d mut [MinidumpDirectory],
    used: usize,
    memory64_written: bool,
    failures: FailureLog,
}

fn rva32(value: u64, what: &'static str) -> Result<u32> {
    u32::try_from(value).map_err(|_| WriteError::PastFourGiB { what })
}

fn size32(value: usize, what: &'static str) -> Result<u32> {
    u32::try_from(value).map_err(|_| WriteError::TooLarge(what))
}

impl<'d, W: Write + Seek> DumpWriter<'d, W> {
    /// Starts a dump at `out`'s current position. The directory gets
    /// `directory.len()` slots: the last is reserved for the failure log, so
    /// size it one larger than the number of streams (failed ones included).
    /// Slots left over are written as `UnusedStream` entries, as dbghelp does.
    pub fn new(mut out: W, directory: &'d mut [MinidumpDirectory]) -> Result<DumpWriter<'d, W>> {
        if directory.is_empty() {
            return Err(WriteError::DirectoryFull { capacity: 0 });
        }
        let origin = out.stream_position()?;
        for d in directory.iter_mut() {
            *d = MinidumpDirectory::default();
        }
        let mut w = DumpWriter {
            out,
            origin,
            end: 0,
            directory,
            used: 0,
            memory64_written: false,
            failures: FailureLog { buf: [0; FAILURE_LOG_BYTES], len: 0, truncated: false },
        };
        // Header and directory are written for real by `finish`; reserve them.
        let head = core::mem::size_of::<MinidumpHeader>() as u64 + core::mem::size_of_val(w.directory) as u64;
        w.zeros(head)?;
        Ok(w)
    }

    /// RVA where the next blob will go (after alignment).
    pub fn position(&self) -> u64 {
        self.end.next_multiple_of(ALIGN)
    }

    /// RVA of the stream directory.
    pub fn directory_rva(&self) -> u32 {
        core::mem::size_of::<MinidumpHeader>() as u32
    }

    fn zeros(&mut self, mut n: u64) -> Result<()> {
        const Z: [u8; 64] = [0; 64];
        while n > 0 {
            let k = n.min(Z.len() as u64) as usize;
            self.out.write_all(&Z[..k])?;
            self.end += k as u64;
            n -= k as u64;
        }
        Ok(())
    }

    fn check_open(&self) -> Result<()> {
        if self.memory64_written {
            return Err(WriteError::Order("nothing may follow the Memory64List's memory"));
        }
        Ok(())
    }

    fn align(&mut self) -> Result<()> {
        let pad = self.position() - self.end;
        self.zeros(pad)
    }

    /// Appends `bytes` and returns where they are.
    pub fn write_bytes(&mut self, bytes: &[u8]) -> Result<LocationDescriptor> {
        self.check_open()?;
        self.align()?;
        let rva = rva32(self.end, "a blob")?;
        let size = size32(bytes.len(), "a blob")?;
        rva32(self.end + bytes.len() as u64, "a blob's end")?;
        self.out.write_all(bytes)?;
        self.end += bytes.len() as u64;
        Ok(LocationDescriptor { data_size: U32::new(size), rva: U32::new(rva) })
    }

    /// Appends several pieces as one contiguous blob (e.g. a count and the
    /// entries after it).
    pub fn write_parts(&mut self, parts: &[&[u8]]) -> Result<LocationDescriptor> {
        self.check_open()?;
        self.align()?;
        let rva = rva32(self.end, "a blob")?;
        let size: u64 = parts.iter().map(|p| p.len() as u64).sum();
        rva32(self.end + size, "a blob's end")?;
        let mut total = 0u64;
        for p in parts {
            self.out.write_all(p)?;
            total += p.len() as u64;
        }
        self.end += total;
        rva32(self.end, "a blob's end")?;
        Ok(LocationDescriptor { data_size: U32::new(size32(total as usize, "a blob")?), rva: U32::new(rva) })
    }

    /// Appends a format struct.
    pub fn write_struct<T: IntoBytes + Immutable>(&mut self, value: &T) -> Result<LocationDescriptor> {
        self.write_bytes(value.as_bytes())
    }

    /// Appends a `u32` count followed by `entries` (ThreadList, ModuleList,
    /// MemoryList, ...).
    pub fn write_counted<T: IntoBytes + Immutable>(&mut self, entries: &[T]) -> Result<LocationDescriptor> {
        let count = size32(entries.len(), "an entry count")?;
        self.write_parts(&[&count.to_le_bytes(), entries.as_bytes()])
    }

    /// Appends a `MINIDUMP_STRING` (UTF-16LE, length-prefixed,
    /// NUL-terminated) and returns its RVA. Encodes through a stack buffer.
    pub fn write_string(&mut self, s: &str) -> Result<u32> {
        let units = s.encode_utf16().count();
        self.write_utf16_iter(units, s.encode_utf16())
    }

    /// Appends a `MINIDUMP_STRING` from UTF-16 code units (unpaired
    /// surrogates are kept as they are).
    pub fn write_utf16(&mut self, units: &[u16]) -> Result<u32> {
        self.write_utf16_iter(units.len(), units.iter().copied())
    }

    fn write_utf16_iter(&mut self, count: usize, units: impl Iterator<Item = u16>) -> Result<u32> {
        self.check_open()?;
        self.align()?;
        let rva = rva32(self.end, "a string")?;
        let bytes = size32(count.checked_mul(2).ok_or(WriteError::TooLarge("a string"))?, "a string")?;
        self.out.write_all(&bytes.to_le_bytes())?;
        let mut buf = [0u8; 256];
        let mut n = 0;
        for u in units.chain(core::iter::once(0)) {
            buf[n..n + 2].copy_from_slice(&u.to_le_bytes());
            n += 2;
            if n == buf.len() {
                self.out.write_all(&buf)?;
                n = 0;
            }
        }
        self.out.write_all(&buf[..n])?;
        self.end += 4 + u64::from(bytes) + 2;
        Ok(rva)
    }

    /// Appends a `MINIDUMP_UTF8_STRING` (length-prefixed, NUL-terminated
    /// bytes, as Crashpad writes annotations) and returns its RVA.
    pub fn write_utf8(&mut self, bytes: &[u8]) -> Result<u32> {
        let len = size32(bytes.len(), "a UTF-8 string")?;
        Ok(self.write_parts(&[&len.to_le_bytes(), bytes, &[0]])?.rva.get())
    }

    /// Copies up to `len` bytes of memory at `address` from `source` into the
    /// dump, through `scratch`. Stops at the first short read, so the
    /// descriptor's size is what was really readable (possibly 0).
    pub fn write_memory(
        &mut self,
        source: &mut dyn MemorySource,
        address: u64,
        len: u64,
        scratch: &mut [u8],
    ) -> Result<MemoryDescriptor> {
        self.check_open()?;
        self.align()?;
        let rva = rva32(self.end, "memory")?;
        // Check the limit before copying: the range may be large.
        rva32(self.end.saturating_add(len), "memory's end")?;
        let copied = self.copy(source, address, len, scratch)?;
        rva32(self.end, "memory's end")?;
        Ok(MemoryDescriptor {
            start_of_memory_range: U64::new(address),
            memory: LocationDescriptor { data_size: U32::new(copied as u32), rva: U32::new(rva) },
        })
    }

    fn copy(&mut self, source: &mut dyn MemorySource, address: u64, len: u64, scratch: &mut [u8]) -> Result<u64> {
        if scratch.is_empty() {
            return Err(WriteError::Order("empty scratch buffer"));
        }
        let mut done = 0u64;
        while done < len {
            let want = (len - done).min(scratch.len() as u64) as usize;
            let Some(at) = address.checked_add(done) else { break };
            let got = source.read(at, &mut scratch[..want]).min(want);
            if got == 0 {
                break;
            }
            self.out.write_all(&scratch[..got])?;
            self.end += got as u64;
            done += got as u64;
        }
        Ok(done)
    }

    /// Adds a directory entry for a stream already written at `location`.
    pub fn add_stream(&mut self, stream_type: StreamType, location: LocationDescriptor) -> Result<()> {
        let capacity = self.capacity();
        if self.used >= capacity {
            return Err(WriteError::DirectoryFull { capacity });
        }
        let slot = &mut self.directory[self.used];
        *slot = MinidumpDirectory { stream_type: U32::new(stream_type.0), location };
        self.used += 1;
        Ok(())
    }

    /// Writes `bytes` and adds them as a stream of `stream_type`.
    pub fn stream(&mut self, stream_type: StreamType, bytes: &[u8]) -> Result<LocationDescriptor> {
        self.check_slot()?;
        let loc = self.write_bytes(bytes)?;
        self.add_stream(stream_type, loc)?;
        Ok(loc)
    }

    /// Records that `stream_type` could not be gathered: its slot stays an
    /// `UnusedStream` entry and `reason` goes to the
    /// [`StreamType::MDUMP_WRITE_ERRORS`] stream, written before the
    /// Memory64List (or by [`Self::finish`] if there is none). Gather every
    /// stream before the Memory64List: a failure recorded after it has no
    /// place to go and is dropped. Never fails and never allocates.
    pub fn fail_stream(&mut self, stream_type: StreamType, reason: &str) {
        if self.used < self.capacity() {
            self.used += 1;
        }
        self.failures.push(stream_type, reason);
    }

    /// Writes the Memory64List: the list, then each range's bytes back to
    /// back. `ranges` carries the wanted `(start, size)` of each range in and
    /// the sizes really read out (a range is cut at its first unreadable
    /// byte). Must be the last thing written before [`Self::finish`].
    pub fn write_memory64_list(
        &mut self,
        source: &mut dyn MemorySource,
        ranges: &mut [MemoryDescriptor64],
        scratch: &mut [u8],
    ) -> Result<()> {
        self.check_open()?;
        // Fail before writing gigabytes that nothing would point at.
        self.check_slot()?;
        self.flush_failures()?;
        self.align()?;
        let list_rva = self.end;
        let header_size = core::mem::size_of::<Memory64ListHeader>() as u64;
        let list_size = header_size + core::mem::size_of_val(ranges) as u64;
        let base_rva = list_rva + list_size;
        let location = LocationDescriptor {
            data_size: U32::new(u32::try_from(list_size).map_err(|_| WriteError::TooLarge("Memory64List"))?),
            rva: U32::new(rva32(list_rva, "the Memory64List")?),
        };
        let header =
            Memory64ListHeader { number_of_memory_ranges: U64::new(ranges.len() as u64), base_rva: U64::new(base_rva) };
        self.out.write_all(header.as_bytes())?;
        self.out.write_all(ranges.as_bytes())?;
        self.end += list_size;
        self.memory64_written = true;
        for r in ranges.iter_mut() {
            let got = self.copy(source, r.start_of_memory_range.get(), r.data_size.get(), scratch)?;
            r.data_size = U64::new(got);
        }
        // Patch the sizes really read.
        self.out.seek(SeekFrom::Start(self.origin + list_rva + header_size))?;
        self.out.write_all(ranges.as_bytes())?;
        self.out.seek(SeekFrom::Start(self.origin + self.end))?;
        self.add_stream(StreamType::MEMORY64_LIST, location)
    }

    fn flush_failures(&mut self) -> Result<()> {
        if self.failures.len == 0 && !self.failures.truncated {
            return Ok(());
        }
        // The failure log goes in the reserved last slot.
        let mut log = [0u8; FAILURE_LOG_BYTES];
        let bytes = self.failures.bytes();
        let n = bytes.len();
        log[..n].copy_from_slice(bytes);
        self.failures.len = 0;
        let loc = self.write_bytes(&log[..n])?;
        let last = self.directory.len() - 1;
        self.directory[last] =
            MinidumpDirectory { stream_type: U32::new(StreamType::MDUMP_WRITE_ERRORS.0), location: loc };
        Ok(())
    }

    fn check_slot(&self) -> Result<()> {
        let capacity = self.capacity();
        if self.used >= capacity {
            return Err(WriteError::DirectoryFull { capacity });
        }
        Ok(())
    }

    /// Slots available to streams: all but the one kept for the failure log.
    pub fn capacity(&self) -> usize {
        self.directory.len() - 1
    }

    /// Writes the failure log (if any), the directory and the header, and
    /// returns the output positioned at the dump's end.
    pub fn finish(mut self, time_date_stamp: u32, flags: u64) -> Result<W> {
        if !self.memory64_written {
            self.flush_failures()?;
        }
        let header = MinidumpHeader {
            signature: U32::new(MINIDUMP_SIGNATURE),
            version: U32::new(MINIDUMP_VERSION),
            stream_count: U32::new(size32(self.directory.len(), "the stream count")?),
            stream_directory_rva: U32::new(self.directory_rva()),
            checksum: U32::new(0),
            time_date_stamp: U32::new(time_date_stamp),
            flags: U64::new(flags),
        };
        self.out.seek(SeekFrom::Start(self.origin))?;
        self.out.write_all(header.as_bytes())?;
        self.out.write_all(self.directory.as_bytes())?;
        self.out.seek(SeekFrom::Start(self.origin + self.end))?;
        self.out.flush()?;
        Ok(self.out)
    }
}
