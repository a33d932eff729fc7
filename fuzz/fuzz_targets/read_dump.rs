//! Arbitrary bytes as a minidump: open, read every stream, entry, string,
//! context and memory range, look up memory at every address the dump names,
//! and render all three `mdump dump` formats. Any panic, hang or runaway
//! allocation is a finding.
#![no_main]

use libfuzzer_sys::fuzz_target;
use mdump_reader::{Exception, MemoryIndex, Minidump, ThreadList};

fuzz_target!(|data: &[u8]| {
    let Ok(dump) = Minidump::parse(data) else { return };
    let report = mdump_reader::validate::validate(&dump);
    std::hint::black_box(&report);

    if let Ok(index) = MemoryIndex::new(&dump) {
        if let Ok(Some(threads)) = dump.stream::<ThreadList>() {
            for t in threads.iter() {
                let sp = t.raw.stack.start_of_memory_range.get();
                let _ = index.read(sp, 64);
                let _ = index.read_u64(sp.wrapping_add(8));
            }
        }
        if let Ok(Some(e)) = dump.stream::<Exception>() {
            let _ = index.read(e.address(), 16);
        }
    }

    let mut sink = std::io::sink();
    let _ = mdump::dump_human::print(&dump, &mut sink);
    let _ = mdump::dump_json::print(&dump, &mut sink);
    let _ = mdump::breakpad::print_dump(&dump, &mut sink);
});
