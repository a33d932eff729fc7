//! Hostile counts and offsets: the reader must answer with an error, and
//! must not allocate by what the file claims. A counting global allocator
//! measures the largest single allocation and the peak of live bytes while
//! each hostile dump is read in full.

use mdump_reader::{validate::validate, ErrorKind, Minidump};
use mdump_testkit::*;
use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering::Relaxed};

struct Counting;
static LIVE: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);
static LARGEST: AtomicUsize = AtomicUsize::new(0);

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let now = LIVE.fetch_add(layout.size(), Relaxed) + layout.size();
        PEAK.fetch_max(now, Relaxed);
        LARGEST.fetch_max(layout.size(), Relaxed);
        // Safety: forwarding the caller's layout to the system allocator.
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        LIVE.fetch_sub(layout.size(), Relaxed);
        // Safety: `ptr` came from `alloc` above with this layout.
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

/// The counters are process-wide: tests in this file run one at a time.
static SERIAL: std::sync::Mutex<()> = std::sync::Mutex::new(());

fn serial() -> std::sync::MutexGuard<'static, ()> {
    SERIAL.lock().unwrap_or_else(|e| e.into_inner())
}

/// Reads everything in `bytes` and returns (errors found, largest single
/// allocation during the read).
fn read_all(bytes: &[u8]) -> (Vec<String>, usize) {
    LARGEST.store(0, Relaxed);
    let errors = match Minidump::parse(bytes) {
        Err(e) => vec![e.to_string()],
        Ok(dump) => validate(&dump).errors.iter().map(|e| e.to_string()).collect(),
    };
    (errors, LARGEST.load(Relaxed))
}

fn with_stream(stream_type: u32, body: &[u8]) -> Vec<u8> {
    let mut b = DumpBuilder::new();
    b.stream(stream_type, body);
    b.finish()
}

#[test]
fn count_0xffffffff_in_a_1kb_file_allocates_nothing_large() {
    let _guard = serial();
    let mut huge = 0xffff_ffffu32.to_le_bytes().to_vec();
    huge.resize(1024, 0x41);
    for stream_type in [THREAD_LIST, MODULE_LIST, MEMORY_LIST, 8 /* ThreadExList */, 14, 16, 17, 24, 12, 19, 13] {
        let dump = with_stream(stream_type, &huge);
        let (errors, largest) = read_all(&dump);
        assert!(!errors.is_empty(), "stream {stream_type:#x}: a 4-billion count was accepted");
        assert!(largest < 64 * 1024, "stream {stream_type:#x}: allocated {largest} bytes at once");
    }
}

#[test]
fn memory64_count_of_2_pow_64_minus_1_is_rejected_before_use() {
    let _guard = serial();
    let mut body = u64::MAX.to_le_bytes().to_vec();
    body.extend_from_slice(&0u64.to_le_bytes());
    body.resize(1024, 0);
    let (errors, largest) = read_all(&with_stream(MEMORY64_LIST, &body));
    assert!(errors.iter().any(|e| e.contains("memory64 descriptors")), "{errors:?}");
    assert!(largest < 64 * 1024);
}

#[test]
fn directory_count_larger_than_the_file() {
    let _guard = serial();
    let mut b = DumpBuilder::new().finish();
    b[8..12].copy_from_slice(&0x1000_0000u32.to_le_bytes());
    let e = Minidump::parse(&b).unwrap_err();
    assert!(matches!(e.kind, ErrorKind::CountTooLarge { count: 0x1000_0000, .. }), "{e}");
    assert_eq!(e.offset, u64::from(u32::from_le_bytes(b[12..16].try_into().unwrap())));
}

#[test]
fn every_rva_pointing_past_the_end_is_an_error_with_its_offset() {
    let _guard = serial();
    let mut b = DumpBuilder::new();
    let ctx = b.append(&amd64_context(0x1000, 0x2000));
    b.stream(
        THREAD_LIST,
        &thread_list(&[Thread {
            id: 1,
            stack_base: 0x2000,
            stack_rva: 0xffff_fff0,
            stack_len: 0x100,
            context_rva: ctx,
            context_len: 0xffff_ffff,
        }]),
    );
    b.stream(
        MODULE_LIST,
        &module_list(&[Module { base: 0x1000, size: 0x1000, name_rva: 0xffff_fffc, cv: (0x7fff_ffff, 24) }]),
    );
    b.stream(SYSTEM_INFO, &system_info(ARCH_AMD64, PLATFORM_LINUX, 0xdead_beef));
    let (errors, largest) = read_all(&b.finish());
    // Stack, context, module name, CodeView record, CSD version.
    assert!(errors.len() >= 5, "{errors:#?}");
    assert!(errors.iter().all(|e| e.contains("at file offset")), "{errors:#?}");
    assert!(largest < 64 * 1024);
}

#[test]
fn directory_entry_of_4_gib_at_the_end_of_the_file() {
    let _guard = serial();
    let mut b = DumpBuilder::new();
    b.raw_directory_entry(THREAD_LIST, u32::MAX, u32::MAX);
    b.raw_directory_entry(0x4767_0009, u32::MAX, 40);
    let (errors, largest) = read_all(&b.finish());
    assert!(errors.len() >= 2, "{errors:?}");
    assert!(largest < 64 * 1024);
}

#[test]
fn peak_memory_reading_a_dump_is_bounded_by_its_contents() {
    let _guard = serial();
    // 1,000 threads: what the reader keeps alive must stay small (views, not copies).
    let bytes = linux_amd64_dump(1000, 0).finish();
    LIVE.store(0, Relaxed);
    PEAK.store(0, Relaxed);
    let dump = Minidump::parse(&bytes).unwrap();
    let report = validate(&dump);
    assert!(report.errors.is_empty(), "{:?}", report.errors);
    assert!(report.entries > 3000);
    let peak = PEAK.load(Relaxed);
    assert!(peak < bytes.len() / 4, "peak {peak} for a {}-byte dump", bytes.len());
}
