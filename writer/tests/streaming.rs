//! The writer streams: memory goes from the source through the caller's
//! scratch buffer straight to the output, so what the writer holds on the
//! heap does not grow with the dump (it holds nothing at all). A counting
//! global allocator checks this while a 256 MiB Memory64List dump is written
//! to a file. Also here: sources that stop midway through a range, streams
//! that failed to gather, use out of order and a full directory.

use mdump_format::{MemoryDescriptor, MemoryDescriptor64, MinidumpDirectory, StreamType, U64};
use mdump_reader::validate::validate;
use mdump_reader::{Memory64List, MemoryList, Minidump, MinidumpFile};
use mdump_writer::{DumpWriter, MemorySource, WriteError};
use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::io::Cursor;
use std::path::PathBuf;

// ---------------------------------------------------------------------------
// Counting allocator
// ---------------------------------------------------------------------------

/// Counts the heap use of the current thread only: the test harness and
/// other tests allocate on their own threads at any moment, and none of it
/// is the writer's.
struct Counting;

thread_local! {
    /// Bytes allocated minus bytes freed on this thread since the last reset.
    static LIVE: Cell<isize> = const { Cell::new(0) };
    /// Highest `LIVE` since the last reset.
    static PEAK: Cell<isize> = const { Cell::new(0) };
    /// Allocations (reallocations included) since the last reset.
    static CALLS: Cell<usize> = const { Cell::new(0) };
}

fn count(delta: isize) {
    // `try_with`: a thread being torn down may still free memory.
    let _ = LIVE.try_with(|live| {
        let now = live.get() + delta;
        live.set(now);
        let _ = PEAK.try_with(|peak| peak.set(peak.get().max(now)));
        if delta > 0 {
            let _ = CALLS.try_with(|calls| calls.set(calls.get() + 1));
        }
    });
}

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        count(layout.size() as isize);
        // Safety: forwarding the caller's layout to the system allocator.
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        count(-(layout.size() as isize));
        // Safety: `ptr` came from `alloc` above with this layout.
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

/// Heap use of a piece of code on the current thread.
#[derive(Debug)]
struct HeapUse {
    /// Most bytes it held at once (memory allocated before it and freed by
    /// it does not lower this below 0).
    peak: usize,
    /// How many allocations it made.
    allocations: usize,
}

/// Runs `f` and measures its heap use.
fn measure<T>(f: impl FnOnce() -> T) -> (T, HeapUse) {
    LIVE.set(0);
    PEAK.set(0);
    CALLS.set(0);
    let value = f();
    let heap = HeapUse { peak: PEAK.get().max(0) as usize, allocations: CALLS.get() };
    (value, heap)
}

// ---------------------------------------------------------------------------
// Memory sources
// ---------------------------------------------------------------------------

/// The byte at `address` in the test pattern: each aligned 8-byte word holds
/// its own address (as `mdump_testkit::fill_pattern` makes them).
fn pattern_byte(address: u64) -> u8 {
    (address & !7).to_le_bytes()[(address & 7) as usize]
}

/// A target whose every address is readable and holds the pattern; whole
/// words are stored at once so that 256 MiB are made up quickly.
struct AddressWords;

impl MemorySource for AddressWords {
    fn read(&mut self, address: u64, buf: &mut [u8]) -> usize {
        let head = (address.wrapping_neg() & 7).min(buf.len() as u64) as usize;
        let (first, rest) = buf.split_at_mut(head);
        for (i, b) in first.iter_mut().enumerate() {
            *b = pattern_byte(address + i as u64);
        }
        let mut word = address.wrapping_add(head as u64);
        let mut words = rest.chunks_exact_mut(8);
        for w in &mut words {
            w.copy_from_slice(&word.to_le_bytes());
            word = word.wrapping_add(8);
        }
        for (i, b) in words.into_remainder().iter_mut().enumerate() {
            *b = pattern_byte(word + i as u64);
        }
        buf.len()
    }
}

/// The pattern, except in the unreadable holes `[start, end)`: a read stops
/// at the first hole it meets, and one starting inside a hole gets nothing.
struct Holes(Vec<(u64, u64)>);

impl MemorySource for Holes {
    fn read(&mut self, address: u64, buf: &mut [u8]) -> usize {
        let mut n = buf.len() as u64;
        for &(start, end) in &self.0 {
            if (start..end).contains(&address) {
                return 0;
            }
            if start > address {
                n = n.min(start - address);
            }
        }
        AddressWords.read(address, &mut buf[..n as usize])
    }
}

/// Whether `region` holds the pattern at `address` (8 bytes, any alignment).
fn holds_pattern(region: &mdump_reader::MemoryRegion<'_>, address: u64) -> bool {
    let expected: Vec<u8> = (address..address + 8).map(pattern_byte).collect();
    region.slice(address, 8) == Some(&expected[..])
}

// ---------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------

/// A file in `/dev/shm` (or the temp dir), removed when dropped.
struct TempFile(PathBuf);

impl TempFile {
    fn new(name: &str) -> TempFile {
        let shm = std::path::Path::new("/dev/shm");
        let dir = if shm.is_dir() { shm.to_path_buf() } else { std::env::temp_dir() };
        TempFile(dir.join(format!("mdump-writer-{name}-{}.dmp", std::process::id())))
    }
}

impl Drop for TempFile {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

fn directory<const N: usize>() -> [MinidumpDirectory; N] {
    [MinidumpDirectory::default(); N]
}

fn range(start: u64, size: u64) -> MemoryDescriptor64 {
    MemoryDescriptor64 { start_of_memory_range: U64::new(start), data_size: U64::new(size) }
}

/// The dump's stream types, in directory order.
fn stream_types(dump: &Minidump<'_>) -> Vec<StreamType> {
    dump.directory().iter().map(|d| StreamType(d.stream_type.get())).collect()
}

fn assert_valid(dump: &Minidump<'_>) {
    let report = validate(dump);
    assert!(report.errors.is_empty(), "{:?}", report.errors);
}

// ---------------------------------------------------------------------------
// Tests
// ---------------------------------------------------------------------------

/// Memory64List bytes of the large dump.
const BIG: u64 = 256 << 20;

#[test]
fn a_256_mib_dump_is_written_without_heap() {
    // Everything the caller supplies is made before measuring: the output,
    // the directory, the scratch buffer and the ranges. 256 ranges of about
    // 1 MiB, two of them uneven and one starting off a word boundary, so
    // that chunks of the 64 KiB scratch buffer do not line up with them.
    let file = TempFile::new("streaming");
    let mut out = std::fs::File::create(&file.0).unwrap();
    let mut dir = directory::<4>();
    let mut scratch = vec![0u8; 64 << 10];
    let mut ranges: Vec<MemoryDescriptor64> = Vec::with_capacity(256);
    let mut next = 0x5555_0000_0000u64;
    for i in 0..256u64 {
        let size = match i {
            0 => (1 << 20) + 4100,
            1 => (1 << 20) - 4100,
            _ => 1 << 20,
        };
        let start = if i == 2 { next + 3 } else { next };
        ranges.push(range(start, size));
        next = start + size + 0x1000;
    }
    assert_eq!(ranges.iter().map(|r| r.data_size.get()).sum::<u64>(), BIG);
    let wanted = ranges.clone();
    let stack_at = 0x7ffd_0000_0000u64;

    // The counter sees this thread's allocations.
    let (held, heap) = measure(|| vec![1u8; 1000]);
    assert_eq!((heap.peak, heap.allocations, held.len()), (1000, 1, 1000));

    let (result, heap) = measure(|| -> Result<(), WriteError> {
        let mut w = DumpWriter::new(&mut out, &mut dir)?;
        w.stream(StreamType::LINUX_CMD_LINE, b"/usr/bin/synthetic\0")?;
        let stack = w.write_memory(&mut AddressWords, stack_at, 64 << 10, &mut scratch)?;
        let list = w.write_counted(&[stack])?;
        w.add_stream(StreamType::MEMORY_LIST, list)?;
        w.write_memory64_list(&mut AddressWords, &mut ranges, &mut scratch)?;
        w.finish(0x6500_0000, 0)?;
        Ok(())
    });
    result.unwrap();
    eprintln!("writing {BIG} bytes of memory: {heap:?}");
    assert!(heap.peak < 1 << 20, "the writer held {} bytes of heap", heap.peak);
    assert_eq!(heap.allocations, 0, "the writer is documented as allocation-free");
    drop(out);

    let mapped = MinidumpFile::open(&file.0).unwrap();
    let dump = mapped.minidump().unwrap();
    assert_valid(&dump);
    assert_eq!(
        stream_types(&dump),
        [StreamType::LINUX_CMD_LINE, StreamType::MEMORY_LIST, StreamType::MEMORY64_LIST, StreamType::UNUSED]
    );

    let stacks = dump.stream::<MemoryList>().unwrap().unwrap();
    let stack = stacks.iter().next().unwrap().unwrap();
    assert_eq!((stack.base, stack.size()), (stack_at, 64 << 10));
    assert_eq!(stack.read_u64(stack_at + 0x8000), Some(stack_at + 0x8000));

    let m64 = dump.stream::<Memory64List>().unwrap().unwrap();
    assert_eq!(m64.raw(), &wanted[..]);
    let regions: Vec<_> = m64.iter().map(|r| r.unwrap()).collect();
    for (i, (region, want)) in regions.iter().zip(&wanted).enumerate() {
        assert_eq!((region.base, region.size()), (want.start_of_memory_range.get(), want.data_size.get()));
        // The first and last 8 bytes, a word in the middle, and the bytes
        // either side of each 64 KiB scratch chunk's end in the first range.
        let (base, end) = (region.base, region.end());
        for address in [base, end - 8, ((base + end) / 2) & !7] {
            assert!(holds_pattern(region, address), "range {i} at {address:#x}");
        }
    }
    for chunk_end in (1..=16u64).map(|k| regions[0].base + k * (64 << 10)) {
        assert!(holds_pattern(&regions[0], chunk_end - 4), "around {chunk_end:#x}");
    }
    // The memory ends the file.
    let last = regions.last().unwrap();
    let last_rva = last.bytes.as_slice().as_ptr() as usize - mapped.bytes().as_ptr() as usize;
    assert_eq!(last_rva as u64 + last.size(), mapped.bytes().len() as u64);
}

#[test]
fn a_source_that_stops_midway_gives_shorter_ranges() {
    let holes = vec![(0x1000_1234, 0x1000_5000), (0x3000_2345, 0x3001_0000)];
    let mut source = Holes(holes);
    let mut dir = directory::<3>();
    let mut scratch = [0u8; 1024];
    let mut w = DumpWriter::new(Cursor::new(Vec::new()), &mut dir).unwrap();
    // Cut inside the fifth chunk of the scratch buffer, and one that starts
    // in a hole.
    let cut = w.write_memory(&mut source, 0x1000_0000, 0x4000, &mut scratch).unwrap();
    let none = w.write_memory(&mut source, 0x1000_2000, 0x100, &mut scratch).unwrap();
    assert_eq!((cut.memory.data_size.get(), none.memory.data_size.get()), (0x1234, 0));
    let list = w.write_counted(&[cut, none]).unwrap();
    w.add_stream(StreamType::MEMORY_LIST, list).unwrap();
    let mut ranges =
        [range(0x2000_0000, 8192), range(0x3000_0000, 0x4000), range(0x3000_8000, 4096), range(0x4000_0003, 5000)];
    w.write_memory64_list(&mut source, &mut ranges, &mut scratch).unwrap();
    // The descriptors handed back carry the sizes really read.
    let sizes: Vec<u64> = ranges.iter().map(|r| r.data_size.get()).collect();
    assert_eq!(sizes, [8192, 0x2345, 0, 5000]);
    let bytes = w.finish(0, 0).unwrap().into_inner();

    let dump = Minidump::parse(&bytes).unwrap();
    assert_valid(&dump);
    let list = dump.stream::<MemoryList>().unwrap().unwrap();
    let regions: Vec<_> = list.iter().map(|r| r.unwrap()).collect();
    assert_eq!(
        regions.iter().map(|r| (r.base, r.size())).collect::<Vec<_>>(),
        [(0x1000_0000, 0x1234), (0x1000_2000, 0)]
    );
    assert!(holds_pattern(&regions[0], 0x1000_1234 - 8));

    let m64 = dump.stream::<Memory64List>().unwrap().unwrap();
    assert_eq!(m64.raw(), &ranges[..]);
    let regions: Vec<_> = m64.iter().map(|r| r.unwrap()).collect();
    assert!(holds_pattern(&regions[1], 0x3000_2345 - 8));
    // The range after the shortened ones starts where their bytes really
    // end: its bytes are its own, up to the end of the file.
    for address in [0x4000_0003, 0x4000_0003 + 5000 - 8] {
        assert!(holds_pattern(&regions[3], address), "{address:#x}");
    }
    let last = regions[3].bytes.as_slice();
    assert_eq!(last.as_ptr() as usize - bytes.as_ptr() as usize + last.len(), bytes.len());
}

#[test]
fn a_failed_stream_is_logged_and_leaves_an_unused_slot() {
    let mut dir = directory::<5>();
    let mut w = DumpWriter::new(Cursor::new(Vec::new()), &mut dir).unwrap();
    w.stream(StreamType::LINUX_CMD_LINE, b"/bin/true\0").unwrap();
    w.fail_stream(StreamType::LINUX_ENVIRON, "environ: permission denied");
    w.stream(StreamType::LINUX_MAPS, b"00400000-00401000 r-xp 00000000 08:01 1 /bin/true\n").unwrap();
    w.fail_stream(StreamType::LINUX_AUXV, "auxv: no such process");
    let bytes = w.finish(0, 0).unwrap().into_inner();

    let dump = Minidump::parse(&bytes).unwrap();
    assert_valid(&dump);
    assert_eq!(
        stream_types(&dump),
        [
            StreamType::LINUX_CMD_LINE,
            StreamType::UNUSED,
            StreamType::LINUX_MAPS,
            StreamType::UNUSED,
            StreamType::MDUMP_WRITE_ERRORS
        ]
    );
    let log = dump.raw_stream(StreamType::MDUMP_WRITE_ERRORS).unwrap().unwrap();
    assert_eq!(log.as_slice(), b"0x47670007 environ: permission denied\n0x47670008 auxv: no such process\n");
}

#[test]
fn the_failure_log_goes_before_the_memory64_list() {
    let mut dir = directory::<3>();
    let mut w = DumpWriter::new(Cursor::new(Vec::new()), &mut dir).unwrap();
    w.fail_stream(StreamType::LINUX_ENVIRON, "environ: permission denied");
    let mut ranges = [range(0x1000, 4096)];
    w.write_memory64_list(&mut AddressWords, &mut ranges, &mut [0u8; 512]).unwrap();
    let bytes = w.finish(0, 0).unwrap().into_inner();

    let dump = Minidump::parse(&bytes).unwrap();
    assert_valid(&dump);
    assert_eq!(stream_types(&dump), [StreamType::UNUSED, StreamType::MEMORY64_LIST, StreamType::MDUMP_WRITE_ERRORS]);
    let log = dump.raw_stream(StreamType::MDUMP_WRITE_ERRORS).unwrap().unwrap().as_slice();
    assert_eq!(log, b"0x47670007 environ: permission denied\n");
    let log_end = dump.directory()[2].location.rva.get() as usize + log.len();
    assert!(log_end <= dump.directory()[1].location.rva.get() as usize);
    let m64 = dump.stream::<Memory64List>().unwrap().unwrap();
    assert!(holds_pattern(&m64.iter().next().unwrap().unwrap(), 0x1000 + 4096 - 8));
}

#[test]
fn a_full_failure_log_ends_with_dots() {
    // One slot for streams: the failures past it are logged all the same,
    // and the log is cut with "..." when it would outgrow its 4 KiB.
    let mut dir = directory::<2>();
    let mut w = DumpWriter::new(Cursor::new(Vec::new()), &mut dir).unwrap();
    for _ in 0..200 {
        w.fail_stream(StreamType::LINUX_PROC_STATUS, "status: this line is some forty bytes");
    }
    let bytes = w.finish(0, 0).unwrap().into_inner();

    let dump = Minidump::parse(&bytes).unwrap();
    assert_valid(&dump);
    assert_eq!(stream_types(&dump), [StreamType::UNUSED, StreamType::MDUMP_WRITE_ERRORS]);
    let log = dump.raw_stream(StreamType::MDUMP_WRITE_ERRORS).unwrap().unwrap().as_slice();
    assert!(log.len() <= mdump_writer::dump_writer::FAILURE_LOG_BYTES, "{} bytes", log.len());
    assert!(log.starts_with(b"0x47670004 status: this line is some forty bytes\n"));
    assert!(log.ends_with(b"bytes\n...\n"), "{:?}", String::from_utf8_lossy(&log[log.len() - 20..]));
}

#[test]
fn nothing_may_follow_the_memory64_list() {
    let mut dir = directory::<4>();
    let mut scratch = [0u8; 256];
    let mut w = DumpWriter::new(Cursor::new(Vec::new()), &mut dir).unwrap();
    let mut ranges = [range(0x1000, 1000)];
    w.write_memory64_list(&mut AddressWords, &mut ranges, &mut scratch).unwrap();
    let end = w.position();

    let order = |r: Result<(), WriteError>, what: &str| {
        assert!(matches!(r, Err(WriteError::Order(_))), "{what}: {r:?}");
    };
    order(w.write_bytes(b"late").map(drop), "write_bytes");
    order(w.write_parts(&[b"la", b"te"]).map(drop), "write_parts");
    order(w.write_counted(&[0u32; 3]).map(drop), "write_counted");
    order(w.write_string("late").map(drop), "write_string");
    order(w.write_utf16(&[0x6c, 0x61]).map(drop), "write_utf16");
    order(w.write_utf8(b"late").map(drop), "write_utf8");
    order(w.stream(StreamType::LINUX_CMD_LINE, b"late\0").map(drop), "stream");
    order(w.write_memory(&mut AddressWords, 0x2000, 16, &mut scratch).map(drop), "write_memory");
    order(w.write_memory64_list(&mut AddressWords, &mut ranges, &mut scratch), "a second write_memory64_list");
    // Nothing was written by the refused calls.
    assert_eq!(w.position(), end);
    let bytes = w.finish(0, 0).unwrap().into_inner();

    let dump = Minidump::parse(&bytes).unwrap();
    assert_valid(&dump);
    assert_eq!(stream_types(&dump)[0], StreamType::MEMORY64_LIST);
    let m64 = dump.stream::<Memory64List>().unwrap().unwrap();
    let region = m64.iter().next().unwrap().unwrap();
    assert_eq!((region.base, region.size()), (0x1000, 1000));
    assert!(holds_pattern(&region, 0x1000 + 1000 - 8));
    assert_eq!(bytes.len() as u64, end);
}

#[test]
fn a_full_directory_is_an_error() {
    let err = DumpWriter::new(Cursor::new(Vec::new()), &mut []).err();
    assert!(matches!(err, Some(WriteError::DirectoryFull { capacity: 0 })), "{err:?}");

    // Three slots: two streams and the failure log's.
    let mut dir = directory::<3>();
    let mut w = DumpWriter::new(Cursor::new(Vec::new()), &mut dir).unwrap();
    assert_eq!(w.capacity(), 2);
    w.stream(StreamType::LINUX_CMD_LINE, b"/bin/true\0").unwrap();
    w.stream(StreamType::LINUX_ENVIRON, b"HOME=/\0").unwrap();
    let full = |r: Result<(), WriteError>, what: &str| {
        assert!(matches!(r, Err(WriteError::DirectoryFull { capacity: 2 })), "{what}: {r:?}");
    };
    full(w.stream(StreamType::LINUX_MAPS, b"").map(drop), "stream");
    let loc = w.write_bytes(b"orphan").unwrap();
    full(w.add_stream(StreamType::LINUX_AUXV, loc), "add_stream");
    let descriptor = MemoryDescriptor::default();
    let list = w.write_counted(&[descriptor]).unwrap();
    full(w.add_stream(StreamType::MEMORY_LIST, list), "add_stream of a list");
    // A failure is still logged when there is no slot left for it.
    w.fail_stream(StreamType::LINUX_DSO_DEBUG, "r_debug: unreadable");
    let bytes = w.finish(0, 0).unwrap().into_inner();

    let dump = Minidump::parse(&bytes).unwrap();
    assert_valid(&dump);
    assert_eq!(
        stream_types(&dump),
        [StreamType::LINUX_CMD_LINE, StreamType::LINUX_ENVIRON, StreamType::MDUMP_WRITE_ERRORS]
    );
    let log = dump.raw_stream(StreamType::MDUMP_WRITE_ERRORS).unwrap().unwrap();
    assert_eq!(log.as_slice(), b"0x4767000a r_debug: unreadable\n");
}

#[test]
fn a_memory64_list_without_a_slot_is_an_error() {
    let mut dir = directory::<2>();
    let mut w = DumpWriter::new(Cursor::new(Vec::new()), &mut dir).unwrap();
    w.stream(StreamType::LINUX_CMD_LINE, b"/bin/true\0").unwrap();
    let mut ranges = [range(0x1000, 4096)];
    let r = w.write_memory64_list(&mut AddressWords, &mut ranges, &mut [0u8; 512]);
    assert!(matches!(r, Err(WriteError::DirectoryFull { capacity: 1 })), "{r:?}");
}
