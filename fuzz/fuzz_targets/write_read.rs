//! Structure-aware: an arbitrary (canonical) dump model is written and read
//! back; reading must succeed, give the same model, the same memory, and no
//! validation error. Any difference is a writer or reader bug.
#![no_main]

use libfuzzer_sys::fuzz_target;
use mdump_writer::model::arbitrary::{pattern_bytes, PatternMemory};
use mdump_writer::model::{DumpModel, StreamModel};

fuzz_target!(|model: DumpModel| {
    let bytes = model.write(std::io::Cursor::new(Vec::new()), &mut PatternMemory).expect("write").into_inner();
    let dump = mdump_reader::Minidump::parse(&bytes).expect("parse what we wrote");
    let (back, errors) = DumpModel::from_dump(&dump);
    assert!(errors.is_empty(), "{errors:?}");
    assert_eq!(back.normalized(), model.normalized());
    let index = mdump_reader::MemoryIndex::new(&dump).expect("memory index");
    for s in &model.streams {
        if let StreamModel::MemoryList(ranges) | StreamModel::Memory64List(ranges) = s {
            for r in ranges.iter().filter(|r| r.size > 0) {
                assert_eq!(index.read(r.start, r.size), Some(&pattern_bytes(*r)[..]));
            }
        }
    }
    assert!(mdump_reader::validate::validate(&dump).errors.is_empty());
});
