//! The low-level writer path the crash handler will use touches the global
//! allocator zero times: directory, scratch buffer and output are all
//! caller-supplied (here a fixed slice), and so is the memory source.

use mdump_format::{MemoryDescriptor64, MinidumpDirectory, StreamType, U64};
use mdump_writer::{DumpWriter, MemorySource};
use std::alloc::{GlobalAlloc, Layout, System};
use std::io::Cursor;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering::SeqCst};

struct Watch;
static ARMED: AtomicBool = AtomicBool::new(false);
static CALLS: AtomicUsize = AtomicUsize::new(0);

unsafe impl GlobalAlloc for Watch {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        if ARMED.load(SeqCst) {
            CALLS.fetch_add(1, SeqCst);
        }
        // Safety: forwarding the caller's layout to the system allocator.
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // Safety: `ptr` came from `alloc` with this layout.
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static WATCH: Watch = Watch;

/// Memory that is its own address, generated without allocating.
struct Pattern;
impl MemorySource for Pattern {
    fn read(&mut self, address: u64, buf: &mut [u8]) -> usize {
        for (i, b) in buf.iter_mut().enumerate() {
            *b = (address.wrapping_add(i as u64) & 0xff) as u8;
        }
        buf.len()
    }
}

#[test]
fn a_whole_dump_without_one_allocation() {
    let mut out = vec![0u8; 4 << 20];
    let mut directory = [MinidumpDirectory::default(); 8];
    let mut scratch = [0u8; 4096];
    let mut ranges = [MemoryDescriptor64::default(); 4];
    for (i, r) in ranges.iter_mut().enumerate() {
        r.start_of_memory_range = U64::new(0x1000_0000 * (i as u64 + 1));
        r.data_size = U64::new(64 * 1024);
    }
    let context = [0u8; 1232];

    ARMED.store(true, SeqCst);
    let written = {
        let mut w = DumpWriter::new(Cursor::new(&mut out[..]), &mut directory).unwrap();
        let stack = w.write_memory(&mut Pattern, 0x7fff_0000, 16 * 1024, &mut scratch).unwrap();
        let ctx = w.write_bytes(&context).unwrap();
        let name = w.write_string("/usr/bin/crashme").unwrap();
        w.stream(StreamType::LINUX_CMD_LINE, b"/usr/bin/crashme\0").unwrap();
        w.fail_stream(StreamType::LINUX_ENVIRON, "environ: permission denied");
        w.write_memory64_list(&mut Pattern, &mut ranges, &mut scratch).unwrap();
        let cursor = w.finish(1_700_000_000, 0).unwrap();
        let _ = (stack, ctx, name);
        cursor.position()
    };
    ARMED.store(false, SeqCst);
    assert_eq!(CALLS.load(SeqCst), 0, "the writer allocated");

    let dump = mdump_reader::Minidump::parse(&out[..written as usize]).unwrap();
    let m64 = dump.stream::<mdump_reader::Memory64List>().unwrap().unwrap();
    assert_eq!(m64.len(), 4);
    let log = dump.stream::<mdump_reader::write_errors::WriteErrors>().unwrap().unwrap();
    assert_eq!(log.entries().next().unwrap().0, Some(StreamType::LINUX_ENVIRON));
}
