//! mdump's reader and rust-minidump side by side, on the same bytes.
//!
//! Every group has two functions, `mdump` and `rust-minidump`:
//!
//! * `open_enumerate/<dump>`: each real dump of the shared corpus
//!   (`$MDUMP_CORPUS/dumps`, else `<workspace>/../shared/corpus/dumps`;
//!   microdumps and the `rm-invalid-*` files are left out). Without the corpus
//!   the group is skipped with a message.
//! * `open_enumerate/<dump>` also for the real dumps the project made itself
//!   and ships in `corpus/` (`crashme-*` from the in-process crash handler,
//!   `capture-pid-*` from `mdump capture --pid`; see `corpus/README.md`).
//! * `open_list_threads/{1MB,1GiB}` and `open_enumerate/{1MB,1GiB}`: two
//!   synthetic Linux amd64 dumps from `mdump-testkit`, written once to
//!   `/dev/shm` (or the temp dir), memory-mapped, and deleted at the end. The
//!   1 GiB one has 1,000 threads and 1 GiB of Memory64List memory in 1 MiB
//!   ranges; enumerating it walks the descriptors and looks up a word at
//!   each region's ends, it never reads all the memory.
//!
//! What each side does is written on [`mdump_enumerate`],
//! [`peer_enumerate`], [`mdump_list_threads`] and [`peer_list_threads`].
//!
//! Run with `cargo bench -p mdump-benches --bench read`; the usual criterion
//! options (a filter, `--warm-up-time`, `--measurement-time`) apply.

use criterion::Criterion;
use mdump_benches::scratch_dir;
use mdump_reader::validate::validate;
use mdump_reader::{Minidump, ThreadList};
use mdump_testkit::corpus::locate;
use minidump::{
    MinidumpAssertion, MinidumpBreakpadInfo, MinidumpCrashpadInfo, MinidumpException, MinidumpHandleDataStream,
    MinidumpLinuxCpuInfo, MinidumpLinuxEnviron, MinidumpLinuxLsbRelease, MinidumpLinuxMaps, MinidumpLinuxProcLimits,
    MinidumpLinuxProcStatus, MinidumpMacBootargs, MinidumpMacCrashInfo, MinidumpMemory64List, MinidumpMemoryInfoList,
    MinidumpMemoryList, MinidumpMiscInfo, MinidumpModuleList, MinidumpSoftErrors, MinidumpStream, MinidumpSystemInfo,
    MinidumpThreadInfoList, MinidumpThreadList, MinidumpThreadNames, MinidumpUnloadedModuleList, Module,
    StabilityReport, UnifiedMemoryList,
};
use std::hint::black_box;
use std::path::{Path, PathBuf};

/// Threads of the small synthetic dump: each thread costs about 5.3 KB (a
/// 1,232-byte context, a 4 KiB stack and their list entries), so 190 threads
/// make a dump of about 1 MB.
const SMALL_THREADS: u32 = 190;
/// Threads of the large synthetic dump.
const BIG_THREADS: u32 = 1000;
/// Memory64List bytes of the large synthetic dump.
const BIG_MEMORY64: u64 = 1 << 30;

// ---------------------------------------------------------------------------
// mdump's side
// ---------------------------------------------------------------------------

/// mdump, "open and read everything": `Minidump::parse` (header and
/// directory) and `mdump_reader::validate::validate`, which bounds-checks
/// every directory entry and reads every stream the reader knows: SystemInfo
/// (with its CSD string), each thread's stack and context (ThreadList and
/// ThreadExList), each module's name, CodeView and misc records and its
/// code/debug ids, debug file and version (as strings), the exception and its
/// context, each MemoryList and Memory64List region (located, not read),
/// MiscInfo, ThreadInfo, ThreadNames, HandleData, MemoryInfo, UnloadedModules,
/// the Linux /proc streams, Breakpad, assertion, DSO debug and Crashpad
/// records; then it indexes all memory regions by address and looks up a word
/// at each region's start and end. See `validate`'s source for the exact list.
fn mdump_enumerate(bytes: &[u8]) -> Option<mdump_reader::validate::Report> {
    let dump = Minidump::parse(bytes).ok()?;
    Some(validate(&dump))
}

/// mdump, "open and list the threads": parse, then for each ThreadList entry
/// its id and its context's instruction pointer. Returns a checksum of both.
fn mdump_list_threads(bytes: &[u8]) -> u64 {
    let Ok(dump) = Minidump::parse(bytes) else {
        return 0;
    };
    let Ok(Some(threads)) = dump.stream::<ThreadList>() else {
        return 0;
    };
    let mut sum = 0u64;
    for thread in threads.iter() {
        sum = sum.wrapping_add(u64::from(thread.id()));
        if let Ok(context) = thread.context() {
            sum = sum.wrapping_add(context.instruction_pointer());
        }
    }
    sum
}

// ---------------------------------------------------------------------------
// rust-minidump's side
// ---------------------------------------------------------------------------

type PeerDump<'a> = minidump::Minidump<'a, &'a [u8]>;

/// Parses stream `S` if the dump has it (absent or broken streams are
/// ignored) and keeps the result from being optimised away.
fn touch<'a, S: MinidumpStream<'a>>(dump: &'a PeerDump<'a>) {
    black_box(dump.get_stream::<S>().ok());
}

/// rust-minidump, "open and read everything", as close to
/// [`mdump_enumerate`] as its API allows: `Minidump::read` (header,
/// directory into a map, SystemInfo), then `get_stream` of
///
/// * SystemInfo (its CSD string) and MiscInfo (both needed to read contexts;
///   the process creation time, as mdump reads it);
/// * ThreadList, and for each thread its context and its stack memory;
/// * ModuleList, and for each module its code file, code id, debug file,
///   debug id and version (the five identifiers mdump's `validate` produces;
///   rust-minidump gives the debug id as a `DebugId` value where mdump
///   formats a string);
/// * Exception and its context;
/// * MemoryList and Memory64List: each region's bytes (the slice, not the
///   contents) and a word looked up at each region's start and end through
///   the list's own address index;
/// * LinuxCpuInfo and LinuxEnviron, whose entries are counted (as mdump
///   does), and the assertion's three strings;
/// * every other stream 0.27 supports, which `get_stream` parses in full:
///   BreakpadInfo, UnloadedModuleList, MemoryInfoList, ThreadNames,
///   ThreadInfoList, HandleData, LinuxMaps, LinuxLsbRelease, LinuxProcStatus,
///   LinuxProcLimits, SoftErrors, MacCrashInfo, MacBootargs, CrashpadInfo and
///   StabilityReport.
///
/// Streams a dump does not have cost one failed map lookup each.
fn peer_enumerate(bytes: &[u8]) -> usize {
    let Ok(dump) = PeerDump::read(bytes) else {
        return 0;
    };
    enumerate_peer_dump(&dump)
}

fn enumerate_peer_dump<'a>(dump: &'a PeerDump<'a>) -> usize {
    let mut entries = 0usize;
    let system_info = dump.get_stream::<MinidumpSystemInfo>().ok();
    let misc = dump.get_stream::<MinidumpMiscInfo>().ok();
    if let Some(s) = &system_info {
        black_box(s.csd_version());
    }
    if let Some(m) = &misc {
        black_box(m.process_create_time());
    }

    let memory = dump.get_stream::<MinidumpMemoryList>().ok().map(UnifiedMemoryList::Memory);
    let memory64 = dump.get_stream::<MinidumpMemory64List>().ok().map(UnifiedMemoryList::Memory64);
    // What a thread's stack falls back on when its own descriptor is bad.
    let empty = UnifiedMemoryList::default();
    let stacks = memory.as_ref().or(memory64.as_ref()).unwrap_or(&empty);

    if let Ok(threads) = dump.get_stream::<MinidumpThreadList>() {
        for thread in &threads.threads {
            black_box(thread.raw.thread_id);
            if let Some(s) = &system_info {
                black_box(thread.context(s, misc.as_ref()));
            }
            black_box(thread.stack_memory(stacks).map(|m| m.bytes()));
            entries += 1;
        }
    }
    if let Ok(modules) = dump.get_stream::<MinidumpModuleList>() {
        for module in modules.iter() {
            black_box(module.code_file());
            black_box(module.code_identifier());
            black_box(module.debug_file());
            black_box(module.debug_identifier());
            black_box(module.version());
            entries += 1;
        }
    }
    if let Ok(exception) = dump.get_stream::<MinidumpException>() {
        if let Some(s) = &system_info {
            black_box(exception.context(s, misc.as_ref()));
        }
        entries += 1;
    }
    for list in [&memory, &memory64].into_iter().flatten() {
        for region in list.iter() {
            black_box(region.bytes());
            let start = region.base_address();
            let end = start.saturating_add(region.size());
            black_box(list.memory_at_address(start).and_then(|r| r.get_memory_at_address::<u64>(start)));
            black_box(list.memory_at_address(end).and_then(|r| r.get_memory_at_address::<u32>(end)));
            entries += 1;
        }
    }

    if let Ok(cpu_info) = dump.get_stream::<MinidumpLinuxCpuInfo>() {
        entries += cpu_info.iter().count();
    }
    if let Ok(environ) = dump.get_stream::<MinidumpLinuxEnviron>() {
        entries += environ.iter().count();
    }
    if let Ok(assertion) = dump.get_stream::<MinidumpAssertion>() {
        black_box((assertion.expression(), assertion.function(), assertion.file()));
    }
    touch::<MinidumpBreakpadInfo>(dump);
    touch::<MinidumpUnloadedModuleList>(dump);
    touch::<MinidumpMemoryInfoList>(dump);
    touch::<MinidumpThreadNames>(dump);
    touch::<MinidumpThreadInfoList>(dump);
    touch::<MinidumpHandleDataStream>(dump);
    touch::<MinidumpLinuxMaps>(dump);
    touch::<MinidumpLinuxLsbRelease>(dump);
    touch::<MinidumpLinuxProcStatus>(dump);
    touch::<MinidumpLinuxProcLimits>(dump);
    touch::<MinidumpSoftErrors>(dump);
    touch::<MinidumpMacCrashInfo>(dump);
    touch::<MinidumpMacBootargs>(dump);
    touch::<MinidumpCrashpadInfo>(dump);
    touch::<StabilityReport>(dump);
    entries
}

/// rust-minidump, "open and list the threads": `Minidump::read`, SystemInfo
/// and MiscInfo (its contexts cannot be read without them), the ThreadList,
/// then for each thread its id and its context's instruction pointer.
/// Returns the same checksum as [`mdump_list_threads`].
fn peer_list_threads(bytes: &[u8]) -> u64 {
    let Ok(dump) = PeerDump::read(bytes) else {
        return 0;
    };
    list_peer_threads(&dump)
}

fn list_peer_threads<'a>(dump: &'a PeerDump<'a>) -> u64 {
    let Ok(threads) = dump.get_stream::<MinidumpThreadList>() else {
        return 0;
    };
    let system_info = dump.get_stream::<MinidumpSystemInfo>().ok();
    let misc = dump.get_stream::<MinidumpMiscInfo>().ok();
    let mut sum = 0u64;
    for thread in &threads.threads {
        sum = sum.wrapping_add(u64::from(thread.raw.thread_id));
        if let Some(s) = &system_info {
            if let Some(context) = thread.context(s, misc.as_ref()) {
                sum = sum.wrapping_add(context.get_instruction_pointer());
            }
        }
    }
    sum
}

// ---------------------------------------------------------------------------
// Inputs
// ---------------------------------------------------------------------------

/// The real dumps of the corpus, by name, sorted.
fn corpus_dumps(dir: &Path) -> std::io::Result<Vec<(String, Vec<u8>)>> {
    let mut dumps = Vec::new();
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        let Some(name) = path.file_stem().and_then(|s| s.to_str()) else {
            continue;
        };
        if name.starts_with("microdump-") || name.starts_with("rm-invalid-") || !path.is_file() {
            continue;
        }
        let name = name.to_string();
        dumps.push((name, std::fs::read(&path)?));
    }
    dumps.sort();
    Ok(dumps)
}

/// Writes `builder` to `path` through a temporary name, so a process that
/// still maps an older file at `path` keeps its own copy.
fn write_dump(builder: &mdump_testkit::DumpBuilder, path: &Path) -> std::io::Result<u64> {
    let partial = path.with_extension(format!("partial-{}", std::process::id()));
    let result = (|| {
        let mut file = std::fs::File::create(&partial)?;
        let len = builder.write_to(&mut file)?;
        file.sync_all()?;
        std::fs::rename(&partial, path)?;
        Ok(len)
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&partial);
    }
    result
}

/// Maps `path` read-only.
fn map(path: &Path) -> std::io::Result<memmap2::Mmap> {
    let file = std::fs::File::open(path)?;
    // Safety: the file is ours, written just before and not changed while
    // mapped; both readers treat the bytes as untrusted anyway.
    unsafe { memmap2::Mmap::map(&file) }
}

// ---------------------------------------------------------------------------
// Benchmarks
// ---------------------------------------------------------------------------

/// Runs `mdump` and `rust-minidump` as the two functions of group `name`.
fn pair<A, B>(c: &mut Criterion, name: &str, bytes: &[u8], mdump: fn(&[u8]) -> A, peer: fn(&[u8]) -> B) {
    let mut group = c.benchmark_group(name);
    group.bench_function("mdump", |b| b.iter(|| mdump(black_box(bytes))));
    group.bench_function("rust-minidump", |b| b.iter(|| peer(black_box(bytes))));
    group.finish();
}

fn corpus_benches(c: &mut Criterion) {
    let dir = match locate("dumps").map(|root| root.join("dumps")) {
        Ok(dir) => dir,
        Err(why) => {
            eprintln!("skipping open_enumerate/<corpus dump>: no corpus ({why}); set MDUMP_CORPUS");
            return;
        }
    };
    let dumps = match corpus_dumps(&dir) {
        Ok(dumps) => dumps,
        Err(e) => {
            eprintln!("skipping open_enumerate/<corpus dump>: reading {}: {e}", dir.display());
            return;
        }
    };
    for (name, bytes) in &dumps {
        // A dump one side cannot open makes that side's number meaningless.
        if let Err(e) = Minidump::parse(bytes) {
            eprintln!("note: mdump does not open {name}: {e}");
        }
        if let Err(e) = PeerDump::read(bytes) {
            eprintln!("note: rust-minidump does not open {name}: {e}");
        }
        pair(c, &format!("open_enumerate/{name}"), bytes, mdump_enumerate, peer_enumerate);
    }
}

/// The real dumps mdump-capture made, shipped in the workspace's `corpus/`
/// (`crashme-*`, `capture-*`; the synthetic one there is left to
/// `synthetic_benches`' larger kin, and its README is no dump).
fn own_corpus_benches(c: &mut Criterion) {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../corpus");
    let dumps = match corpus_dumps(&dir) {
        Ok(dumps) => dumps,
        Err(e) => {
            eprintln!("skipping open_enumerate/<corpus/ dump>: reading {}: {e}", dir.display());
            return;
        }
    };
    for (name, bytes) in dumps.iter().filter(|(name, _)| name.starts_with("crashme-") || name.starts_with("capture-")) {
        pair(c, &format!("open_enumerate/{name}"), bytes, mdump_enumerate, peer_enumerate);
    }
}

fn synthetic_benches(c: &mut Criterion) {
    let dir = scratch_dir();
    // "1000threads-5MB" and "1GiB" hold the same 1,000 threads: listing them
    // must cost the same whatever the dump's size (the reader never touches
    // the memory to open a dump).
    let inputs = [("1MB", SMALL_THREADS, 0), ("1000threads-5MB", BIG_THREADS, 0), ("1GiB", BIG_THREADS, BIG_MEMORY64)];
    let mut files = Vec::new();
    for (label, threads, memory64) in inputs {
        let path = dir.join(format!("mdump-bench-{label}.dmp"));
        let builder = mdump_testkit::linux_amd64_dump(threads, memory64);
        match write_dump(&builder, &path) {
            Ok(len) => eprintln!("synthetic {label}: {} ({len} bytes)", path.display()),
            Err(e) => {
                eprintln!("skipping synthetic benchmarks: writing {}: {e}", path.display());
                remove_all(&files);
                return;
            }
        }
        files.push((label, path));
    }

    let mut maps = Vec::new();
    for (label, path) in &files {
        match map(path) {
            Ok(m) => maps.push((*label, m)),
            Err(e) => {
                eprintln!("skipping synthetic benchmarks: mapping {}: {e}", path.display());
                remove_all(&files);
                return;
            }
        }
    }

    for (label, bytes) in &maps {
        // Both sides must see the same threads, or the comparison is void.
        let (ours, theirs) = (mdump_list_threads(bytes), peer_list_threads(bytes));
        if ours != theirs {
            eprintln!("warning: {label}: the readers disagree on the threads ({ours:#x} vs {theirs:#x})");
        }
        pair(c, &format!("open_list_threads/{label}"), bytes, mdump_list_threads, peer_list_threads);
    }
    for (label, bytes) in &maps {
        pair(c, &format!("open_enumerate/{label}"), bytes, mdump_enumerate, peer_enumerate);
    }

    drop(maps);
    remove_all(&files);
}

fn remove_all(files: &[(&str, PathBuf)]) {
    for (_, path) in files {
        if let Err(e) = std::fs::remove_file(path) {
            eprintln!("could not remove {}: {e}", path.display());
        }
    }
}

fn main() {
    let mut c = Criterion::default().configure_from_args();
    corpus_benches(&mut c);
    own_corpus_benches(&mut c);
    synthetic_benches(&mut c);
    c.final_summary();
}
