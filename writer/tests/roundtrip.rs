//! Property: any canonical dump model, written and read back, is the same
//! model, for every stream type and every CPU context; and every memory
//! range reads back the bytes the source gave.

use arbitrary::{Arbitrary, Unstructured};
use mdump_reader::{MemoryIndex, Minidump};
use mdump_writer::model::arbitrary::{pattern_bytes, PatternMemory};
use mdump_writer::model::{DumpModel, StreamModel};
use proptest::prelude::*;
use std::io::Cursor;

fn round_trip(model: &DumpModel) -> Result<(), TestCaseError> {
    let bytes = model.write(Cursor::new(Vec::new()), &mut PatternMemory).expect("write").into_inner();
    let dump = Minidump::parse(&bytes).expect("parse what we wrote");
    let (back, errors) = DumpModel::from_dump(&dump);
    prop_assert!(errors.is_empty(), "reading back: {errors:?}");
    prop_assert_eq!(back.normalized(), model.normalized());
    // Memory: every range the model names reads back as the source's bytes.
    let index = MemoryIndex::new(&dump).expect("memory index");
    for s in &model.streams {
        if let StreamModel::MemoryList(ranges) | StreamModel::Memory64List(ranges) = s {
            for r in ranges.iter().filter(|r| r.size > 0) {
                prop_assert_eq!(index.read(r.start, r.size), Some(&pattern_bytes(*r)[..]), "range {:?}", r);
            }
        }
    }
    let report = mdump_reader::validate::validate(&dump);
    prop_assert!(report.errors.is_empty(), "validate: {:?}", report.errors);
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn any_model_survives_write_then_read(bytes in proptest::collection::vec(any::<u8>(), 0..16384)) {
        let Ok(model) = DumpModel::arbitrary(&mut Unstructured::new(&bytes)) else { return Ok(()) };
        round_trip(&model)?;
    }
}

/// Each stream kind and each CPU context on its own, so a failure names it.
#[test]
fn every_stream_kind_and_context_on_its_own() {
    let mut seen = std::collections::BTreeSet::new();
    let mut seed = 0u64;
    while seen.len() < 30 && seed < 200_000 {
        seed += 1;
        // A cheap deterministic byte stream per seed.
        let mut x = seed.wrapping_mul(0x9e37_79b9_7f4a_7c15);
        let bytes: Vec<u8> = (0..8192)
            .map(|_| {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                x as u8
            })
            .collect();
        let Ok(model) = DumpModel::arbitrary(&mut Unstructured::new(&bytes)) else { continue };
        for s in &model.streams {
            seen.insert(format!("{:?}", s.stream_type()));
        }
        round_trip(&model).unwrap_or_else(|e| panic!("seed {seed}: {e}"));
    }
    assert!(seen.len() >= 30, "only saw {seen:?}");
}
