//! mdump's low-level writer side by side with a plain sequential write of
//! the same number of bytes.
//!
//! Group `write_1GiB`, functions `mdump/<scratch>` and `sequential/<chunk>`
//! for a scratch (chunk) size of 64 KiB and 1 MiB, throughput in bytes of
//! the finished file:
//!
//! * `mdump`: a [`DumpWriter`] over a `File` (no `BufWriter`: the capture
//!   crate writes to a raw descriptor) builds a Linux amd64 dump of 1,000
//!   threads, each with a 1,232-byte context and a 16 KiB stack copied with
//!   `write_memory` (the stacks form the MemoryList), a SystemInfo stream,
//!   and a Memory64List of 1 GiB in 1,024 ranges of 1 MiB streamed with
//!   `write_memory64_list`; then `finish` patches the header and directory.
//!   All memory comes from [`AddressWords`], which makes it up on the fly.
//! * `sequential`: `write_all` of the same total number of bytes, one chunk
//!   of the same size at a time, from a buffer filled once beforehand.
//!
//! Both write to a file in `/dev/shm` (tmpfs, so the numbers are the CPU's
//! and the page cache's, not a disk's; the temp dir where there is no
//! `/dev/shm`). Each iteration times create (truncating), write and close;
//! the file is removed before the next iteration, outside the timing, so
//! freeing the previous 1 GiB of tmpfs pages is not counted on either side.
//!
//! Each iteration writes about 1 GiB, so the group runs with 10 flat samples
//! in about 5 s per function by default; `--sample-size`,
//! `--measurement-time` and `--warm-up-time` override it, a filter selects
//! functions as usual.
//!
//! Criterion measures one function after the other, so whatever else runs
//! on the machine meanwhile moves the ratio between the two sides (by 20%
//! on a busy 2-core VM). After the group, the bench therefore also runs both
//! sides in 7 alternating pairs per size and prints the median times and
//! mdump's throughput as a percentage of the sequential write's: the number
//! to quote.
//!
//! Run with `cargo bench -p mdump-benches --bench write`.

use criterion::{BenchmarkId, Criterion, SamplingMode, Throughput};
use mdump_benches::{median, scratch_dir};
use mdump_format::thread::MinidumpThread;
use mdump_format::{MemoryDescriptor, MemoryDescriptor64, MinidumpDirectory, StreamType, U32, U64};
use mdump_reader::validate::validate;
use mdump_reader::{Memory64List, MinidumpFile, ThreadList};
use mdump_writer::{DumpWriter, MemorySource, WriteError};
use std::fs::File;
use std::io::Write;
use std::path::Path;
use std::time::{Duration, Instant};

/// Threads in the dump.
const THREADS: u32 = 1000;
/// Stack bytes per thread.
const STACK_BYTES: u64 = 16 << 10;
/// Memory64List bytes.
const MEMORY64_BYTES: u64 = 1 << 30;
/// Size of each Memory64List range.
const RANGE_BYTES: u64 = 1 << 20;
/// Scratch (and sequential chunk) sizes measured. On a 2-core AMD EPYC VM
/// (1 MiB of L2 per core) 64 KiB wrote as fast as 256 KiB, 1 MiB and 4 MiB
/// (within the noise) and faster than 16 KiB, so 64 KiB is the default the
/// capture crate should use: the smallest size at full speed.
const SCRATCH_SIZES: [(usize, &str); 2] = [(64 << 10, "64KiB"), (1 << 20, "1MiB")];
/// Alternating mdump/sequential runs per scratch size after the group.
const PAIRS: usize = 7;

// ---------------------------------------------------------------------------
// The memory source
// ---------------------------------------------------------------------------

/// A target whose every address is readable and whose every aligned 8-byte
/// word holds its own address (the pattern of `mdump_testkit::fill_pattern`,
/// so dumps written here read back like the testkit's). Words are stored
/// whole, so filling costs about one 8-byte store per word: a few GB/s more
/// than the page cache takes, so the source is not what is measured.
struct AddressWords;

impl MemorySource for AddressWords {
    fn read(&mut self, address: u64, buf: &mut [u8]) -> usize {
        // Bytes before the first aligned word, then whole words, then the
        // bytes of the last partial word.
        let head = (address.wrapping_neg() & 7).min(buf.len() as u64) as usize;
        let (first, rest) = buf.split_at_mut(head);
        mdump_testkit::fill_pattern(address, first);
        let mut word = address.wrapping_add(head as u64);
        let mut words = rest.chunks_exact_mut(8);
        for w in &mut words {
            w.copy_from_slice(&word.to_le_bytes());
            word = word.wrapping_add(8);
        }
        mdump_testkit::fill_pattern(word, words.into_remainder());
        buf.len()
    }
}

// ---------------------------------------------------------------------------
// What gets written
// ---------------------------------------------------------------------------

/// Everything a dump is made of that a capture would have gathered before
/// writing: the threads' registers and the memory ranges. Built once,
/// outside the timing.
struct Input {
    /// Per thread: id, stack start, context bytes.
    threads: Vec<(u32, u64, Vec<u8>)>,
    /// A SystemInfo stream body; its CSD string's RVA is filled in when
    /// writing.
    system_info: Vec<u8>,
    ranges: Vec<MemoryDescriptor64>,
}

impl Input {
    fn new() -> Input {
        let threads = (0..THREADS)
            .map(|i| {
                let sp = 0x7f00_0000_0000 + u64::from(i) * 0x10_0000;
                (1000 + i, sp, mdump_testkit::amd64_context(0x40_1000 + u64::from(i), sp + 0x100))
            })
            .collect();
        let system_info = mdump_testkit::system_info(mdump_testkit::ARCH_AMD64, mdump_testkit::PLATFORM_LINUX, 0);
        let ranges = (0..MEMORY64_BYTES / RANGE_BYTES)
            .map(|i| MemoryDescriptor64 {
                start_of_memory_range: U64::new(0x5555_0000_0000 + i * (RANGE_BYTES + 0x1000)),
                data_size: U64::new(RANGE_BYTES),
            })
            .collect();
        Input { threads, system_info, ranges }
    }
}

/// The writer's working storage, allocated once so that an iteration times
/// only the writing: the thread and stack entries gathered while writing,
/// the Memory64List descriptors (whose sizes the writer overwrites) and the
/// scratch buffer.
struct Work {
    threads: Vec<MinidumpThread>,
    stacks: Vec<MemoryDescriptor>,
    ranges: Vec<MemoryDescriptor64>,
    scratch: Vec<u8>,
}

impl Work {
    fn new(scratch: usize) -> Work {
        Work {
            threads: Vec::with_capacity(THREADS as usize),
            stacks: Vec::with_capacity(THREADS as usize),
            ranges: Vec::with_capacity((MEMORY64_BYTES / RANGE_BYTES) as usize),
            scratch: vec![0; scratch],
        }
    }
}

/// Writes the dump to a new file at `path` and returns its length.
fn write_mdump(path: &Path, input: &Input, work: &mut Work) -> Result<u64, WriteError> {
    // ThreadList, MemoryList, SystemInfo, Memory64List and the failure log.
    let mut directory = [MinidumpDirectory::default(); 5];
    let mut w = DumpWriter::new(File::create(path)?, &mut directory)?;
    let mut source = AddressWords;
    work.threads.clear();
    work.stacks.clear();
    for (id, sp, context) in &input.threads {
        let thread_context = w.write_bytes(context)?;
        let stack = w.write_memory(&mut source, *sp, STACK_BYTES, &mut work.scratch)?;
        work.stacks.push(stack);
        work.threads.push(MinidumpThread {
            thread_id: U32::new(*id),
            teb: U64::new(0x7000_0000_0000),
            stack,
            thread_context,
            ..MinidumpThread::default()
        });
    }
    let threads = w.write_counted(&work.threads)?;
    w.add_stream(StreamType::THREAD_LIST, threads)?;
    let stacks = w.write_counted(&work.stacks)?;
    w.add_stream(StreamType::MEMORY_LIST, stacks)?;
    let mut system_info = [0u8; 56];
    system_info.copy_from_slice(&input.system_info);
    let csd = w.write_string("Linux 6.1.0 #1 SMP x86_64")?;
    system_info[24..28].copy_from_slice(&csd.to_le_bytes());
    w.stream(StreamType::SYSTEM_INFO, &system_info)?;
    work.ranges.clear();
    work.ranges.extend_from_slice(&input.ranges);
    w.write_memory64_list(&mut source, &mut work.ranges, &mut work.scratch)?;
    let file = w.finish(0x6500_0000, 0)?;
    let len = file.metadata()?.len();
    drop(file);
    Ok(len)
}

/// Writes `len` bytes to a new file at `path`, `chunk.len()` at a time.
fn write_sequential(path: &Path, len: u64, chunk: &[u8]) -> std::io::Result<()> {
    let mut file = File::create(path)?;
    let mut left = len;
    while left > 0 {
        let n = left.min(chunk.len() as u64) as usize;
        file.write_all(&chunk[..n])?;
        left -= n as u64;
    }
    drop(file);
    Ok(())
}

/// Reads the dump at `path` back and checks what the benchmark relies on:
/// every thread and range is there with its full size, the memory holds the
/// pattern, and the reader finds nothing wrong.
fn check_dump(path: &Path, input: &Input) -> Result<(), String> {
    let file = MinidumpFile::open(path).map_err(|e| e.to_string())?;
    let dump = file.minidump().map_err(|e| e.to_string())?;
    let report = validate(&dump);
    if let Some(e) = report.errors.first() {
        return Err(format!("{} reader errors, the first: {e}", report.errors.len()));
    }
    let threads = dump.stream::<ThreadList>().map_err(|e| e.to_string())?.ok_or("no ThreadList")?;
    if threads.len() != input.threads.len() {
        return Err(format!("{} threads", threads.len()));
    }
    for (t, (id, sp, _)) in threads.iter().zip(&input.threads) {
        let stack = t.stack().map_err(|e| e.to_string())?;
        let last = sp + STACK_BYTES - 8;
        if t.id() != *id || stack.size() != STACK_BYTES || stack.read_u64(last) != Some(last) {
            return Err(format!("thread {id}: wrong id, stack size or stack bytes"));
        }
    }
    let m64 = dump.stream::<Memory64List>().map_err(|e| e.to_string())?.ok_or("no Memory64List")?;
    if m64.raw() != input.ranges.as_slice() {
        return Err("the Memory64List descriptors differ from the ranges asked for".into());
    }
    for region in m64.iter() {
        let region = region.map_err(|e| e.to_string())?;
        let last = region.end() - 8;
        if region.read_u64(region.base) != Some(region.base) || region.read_u64(last) != Some(last) {
            return Err(format!("range at {:#x}: wrong bytes", region.base));
        }
    }
    Ok(())
}

// ---------------------------------------------------------------------------
// Benchmarks
// ---------------------------------------------------------------------------

/// Times `iters` runs of `write`, each into a fresh file at `path`; the file
/// left by the previous run is removed outside the timing.
fn timed(path: &Path, iters: u64, mut write: impl FnMut()) -> Duration {
    let mut total = Duration::ZERO;
    for _ in 0..iters {
        remove(path);
        let start = Instant::now();
        write();
        total += start.elapsed();
    }
    total
}

fn remove(path: &Path) {
    match std::fs::remove_file(path) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => eprintln!("could not remove {}: {e}", path.display()),
        _ => {}
    }
}

fn write_benches(c: &mut Criterion) {
    let dir = scratch_dir();
    let path = dir.join(format!("mdump-bench-write-{}.dmp", std::process::id()));
    let input = Input::new();

    // One dump written and read back first: it gives the byte count both
    // sides write, and a broken writer fails here rather than measuring.
    let len = match write_mdump(&path, &input, &mut Work::new(SCRATCH_SIZES[0].0))
        .map_err(|e| e.to_string())
        .and_then(|len| check_dump(&path, &input).map(|()| len))
    {
        Ok(len) => len,
        Err(e) => {
            eprintln!("skipping write_1GiB: the dump at {} is not right: {e}", path.display());
            remove(&path);
            return;
        }
    };
    eprintln!("write_1GiB: {} ({len} bytes per iteration)", path.display());

    let mut group = c.benchmark_group("write_1GiB");
    group.sampling_mode(SamplingMode::Flat);
    group.throughput(Throughput::Bytes(len));
    let mut sides = Vec::new();
    for (size, label) in SCRATCH_SIZES {
        let mut work = Work::new(size);
        let mut chunk = vec![0u8; size];
        AddressWords.read(0x5555_0000_0000, &mut chunk);
        group.bench_function(BenchmarkId::new("mdump", label), |b| {
            b.iter_custom(|iters| timed(&path, iters, || mdump_once(&path, &input, &mut work, len)))
        });
        group.bench_function(BenchmarkId::new("sequential", label), |b| {
            b.iter_custom(|iters| timed(&path, iters, || sequential_once(&path, len, &chunk)))
        });
        sides.push((label, work, chunk));
    }
    group.finish();

    // Criterion measures one function after the other, so anything else
    // running on the machine meanwhile shifts the ratio between them. The
    // same comparison in alternating pairs is much steadier.
    for (label, mut work, chunk) in sides {
        let (mut ours, mut plain) = (Vec::new(), Vec::new());
        for _ in 0..PAIRS {
            ours.push(timed(&path, 1, || mdump_once(&path, &input, &mut work, len)));
            plain.push(timed(&path, 1, || sequential_once(&path, len, &chunk)));
        }
        let (ours, plain) = (median(&mut ours), median(&mut plain));
        eprintln!(
            "write_1GiB/{label}, medians of {PAIRS} alternating runs: mdump {:.1} ms, sequential {:.1} ms; \
             mdump's throughput is {:.1}% of sequential",
            ours.as_secs_f64() * 1e3,
            plain.as_secs_f64() * 1e3,
            100.0 * plain.as_secs_f64() / ours.as_secs_f64()
        );
    }
    remove(&path);
}

/// One timed `mdump` run: a failure here, after the dump checked out
/// before, is a bug worth stopping for.
fn mdump_once(path: &Path, input: &Input, work: &mut Work, len: u64) {
    let written = write_mdump(path, input, work).expect("writing the dump");
    assert_eq!(written, len, "the dump's length changed");
}

/// One timed `sequential` run.
fn sequential_once(path: &Path, len: u64, chunk: &[u8]) {
    write_sequential(path, len, chunk).expect("writing the file");
}

fn main() {
    let mut c = Criterion::default()
        .sample_size(10)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(5))
        .configure_from_args();
    write_benches(&mut c);
    c.final_summary();
}
