//! `DumpModel::from_dump` and `DumpMemory` on every dump of the shared
//! corpus, checked against what the reader itself says; and the rewrite
//! round trip (dump -> model -> written dump -> model) on the same dumps.

use mdump_format::StreamType;
use mdump_reader::{Minidump, ModuleList, ThreadList};
use mdump_testkit::corpus::corpus_dir;
use mdump_writer::model::{DumpMemory, DumpModel, MemoryRange, StreamModel};
use mdump_writer::MemorySource;
use std::io::Cursor;
use std::path::{Path, PathBuf};

/// Every minidump of the corpus (microdumps are text, not minidumps).
fn dumps(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut paths: Vec<PathBuf> = std::fs::read_dir(dir.join("dumps"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "dmp"))
        .filter(|p| !p.file_name().unwrap().to_string_lossy().starts_with("microdump-"))
        .collect();
    paths.sort();
    paths
        .into_iter()
        .map(|p| (p.file_name().unwrap().to_string_lossy().into_owned(), std::fs::read(&p).unwrap()))
        .collect()
}

fn is_malformed(name: &str) -> bool {
    name.starts_with("rm-invalid")
}

/// All of `range` from `memory`, read in small chunks the way the writer
/// pulls it; `None` if any of it is missing.
fn read_all(memory: &mut dyn MemorySource, range: MemoryRange) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(range.size as usize);
    let mut chunk = [0u8; 4096];
    while (out.len() as u64) < range.size {
        let want = (range.size - out.len() as u64).min(chunk.len() as u64) as usize;
        let n = memory.read(range.start + out.len() as u64, &mut chunk[..want]);
        if n == 0 {
            return None;
        }
        out.extend_from_slice(&chunk[..n]);
    }
    Some(out)
}

fn first<'m, T>(model: &'m DumpModel, pick: impl Fn(&'m StreamModel) -> Option<&'m T>) -> Option<&'m T> {
    model.streams.iter().find_map(pick)
}

#[test]
fn every_corpus_dump_reads_into_a_model_that_matches_the_reader() {
    let Some(dir) = corpus_dir("dumps") else { return };
    let mut read = 0;
    for (name, bytes) in dumps(&dir) {
        let Ok(dump) = Minidump::parse(&bytes) else {
            assert!(is_malformed(&name), "{name}: does not parse");
            continue;
        };
        let (model, errors) = DumpModel::from_dump(&dump);
        assert_eq!(model.streams.len(), dump.directory().len(), "{name}");
        assert_eq!(model.time_date_stamp, dump.header().time_date_stamp.get(), "{name}");
        assert_eq!(model.flags, dump.header().flags.get(), "{name}");
        for (i, (s, entry)) in model.streams.iter().zip(dump.directory()).enumerate() {
            let ty = StreamType(entry.stream_type.get());
            assert!(
                s.stream_type() == ty || *s == StreamModel::Unused,
                "{name}: stream {i}: {:?} for {ty}",
                s.stream_type()
            );
        }

        let threads = dump.stream::<ThreadList>();
        let model_threads = first(&model, |s| match s {
            StreamModel::ThreadList(t) => Some(t),
            _ => None,
        });
        if let Ok(Some(threads)) = threads {
            let model_threads = model_threads.unwrap_or_else(|| panic!("{name}: no ThreadList in the model"));
            assert_eq!(model_threads.len(), threads.len(), "{name}");
            let mut memory = DumpMemory::new(&dump);
            for (t, m) in threads.iter().zip(model_threads) {
                assert_eq!(m.thread_id, t.id(), "{name}");
                let Ok(stack) = t.stack() else {
                    assert!(is_malformed(&name), "{name}: thread {:#x}: stack not in the file", t.id());
                    continue;
                };
                assert_eq!(m.stack, MemoryRange { start: stack.base, size: stack.size() }, "{name}");
                let bytes = read_all(&mut memory, m.stack)
                    .unwrap_or_else(|| panic!("{name}: thread {:#x}: stack {:x?} not readable", t.id(), m.stack));
                assert!(bytes == stack.bytes.as_slice(), "{name}: thread {:#x}: stack bytes differ", t.id());
                let context = dump.location(&t.raw.thread_context).unwrap();
                assert_eq!(m.context.0, context.as_slice(), "{name}");
            }
        }
        if let Ok(Some(modules)) = dump.stream::<ModuleList>() {
            let model_modules = first(&model, |s| match s {
                StreamModel::ModuleList(m) => Some(m),
                _ => None,
            })
            .unwrap_or_else(|| panic!("{name}: no ModuleList in the model"));
            assert_eq!(model_modules.len(), modules.len(), "{name}");
            for (m, mm) in modules.iter().zip(model_modules) {
                if let Ok(n) = m.name() {
                    assert_eq!(mm.name, n.units().collect::<Vec<_>>(), "{name}");
                }
            }
        }

        if is_malformed(&name) {
            assert!(!errors.is_empty(), "{name}: malformed, yet no error");
        } else if name == "linux_executable_stack.dmp" {
            // Its LinuxDsoDebug directory entry points 22 bytes before the
            // stream's real data: the link-map count read there cannot fit.
            assert_eq!(errors.len(), 1, "{name}: {errors:?}");
            assert_eq!(errors[0].stream, Some(StreamType::LINUX_DSO_DEBUG), "{name}: {errors:?}");
            assert!(errors[0].to_string().contains("link maps"), "{name}: {errors:?}");
        } else {
            assert!(errors.is_empty(), "{name}: {errors:?}");
        }
        read += 1;
    }
    assert!(read >= 36, "only {read} dumps read");
}

/// Every MemoryList and Memory64List range of the model reads from
/// `DumpMemory` in full, with the reader's bytes where a region starts.
#[test]
fn dump_memory_serves_every_listed_range() {
    let Some(dir) = corpus_dir("dumps") else { return };
    for (name, bytes) in dumps(&dir) {
        if is_malformed(&name) {
            continue;
        }
        let dump = Minidump::parse(&bytes).unwrap();
        let (model, _) = DumpModel::from_dump(&dump);
        let mut memory = DumpMemory::new(&dump);
        let index = mdump_reader::MemoryIndex::new(&dump).unwrap();
        for s in &model.streams {
            let (StreamModel::MemoryList(ranges) | StreamModel::Memory64List(ranges)) = s else { continue };
            for r in ranges.iter().filter(|r| r.size > 0) {
                let got = read_all(&mut memory, *r).unwrap_or_else(|| panic!("{name}: {r:x?} not readable"));
                // The reader's index holds the same regions; when a region
                // holds the whole range both answer, and agree unless two
                // overlapping regions disagree (none in the corpus do).
                if let Some(want) = index.read(r.start, r.size) {
                    assert!(got == want, "{name}: {r:x?}: bytes differ");
                }
            }
        }
        // Nothing is served outside the regions.
        let mut buf = [0u8; 16];
        let regions = memory.regions().to_vec();
        for r in &regions {
            if r.end() < u64::MAX && !regions.iter().any(|o| o.base <= r.end() && r.end() < o.end()) {
                assert_eq!(memory.read(r.end(), &mut buf), 0, "{name}: read past {:#x}", r.end());
            }
        }
    }
}

#[test]
fn empty_memory_serves_nothing() {
    let mut memory = DumpMemory::empty();
    assert_eq!(memory.read(0, &mut [0u8; 8]), 0);
    assert_eq!(memory.read(u64::MAX, &mut [0u8; 8]), 0);
    assert!(memory.regions().is_empty());
}

/// dump -> model -> written with the dump's memory -> parsed -> model again:
/// the two models are the same (up to what a write rebuilds), and every
/// range of the model reads the same bytes from both dumps.
#[test]
fn corpus_dumps_survive_a_rewrite() {
    let Some(dir) = corpus_dir("dumps") else { return };
    let mut rewritten = 0;
    for (name, bytes) in dumps(&dir) {
        if is_malformed(&name) {
            continue;
        }
        let dump = Minidump::parse(&bytes).unwrap();
        let (model, _) = DumpModel::from_dump(&dump);
        let mut memory = DumpMemory::new(&dump);
        let out = model
            .write(Cursor::new(Vec::new()), &mut memory)
            .unwrap_or_else(|e| panic!("{name}: write: {e}"))
            .into_inner();
        let again = Minidump::parse(&out).unwrap_or_else(|e| panic!("{name}: parsing the rewrite: {e}"));
        let (model_again, errors) = DumpModel::from_dump(&again);
        if name != "linux_executable_stack.dmp" {
            assert!(errors.is_empty(), "{name}: reading the rewrite: {errors:?}");
        }
        assert!(model_again.normalized() == model.normalized(), "{name}: models differ after a rewrite");
        let mut memory_again = DumpMemory::new(&again);
        for r in model.memory_ranges().filter(|r| r.size > 0) {
            let want = read_all(&mut memory, r);
            assert!(want.is_some(), "{name}: {r:x?} not readable from the original");
            assert!(read_all(&mut memory_again, r) == want, "{name}: {r:x?}: bytes differ after a rewrite");
        }
        rewritten += 1;
    }
    assert!(rewritten >= 34, "only {rewritten} dumps rewritten");
}

/// Errors inside a stream lose only the field they are in: a module whose
/// name and CodeView record point outside the file keeps its entry.
#[test]
fn a_bad_entry_keeps_its_place() {
    use mdump_format::module::MinidumpModule;
    use mdump_format::U32;
    use mdump_writer::DumpWriter;
    use zerocopy::FromZeros;

    let mut directory = [Default::default(); 4];
    let mut w = DumpWriter::new(Cursor::new(Vec::new()), &mut directory).unwrap();
    let good_name = w.write_string("good.so").unwrap();
    let mut good = MinidumpModule::new_zeroed();
    good.module_name_rva = U32::new(good_name);
    good.base_of_image = 0x1000.into();
    let mut bad = MinidumpModule::new_zeroed();
    bad.module_name_rva = U32::new(0xffff_0000);
    bad.cv_record.data_size = U32::new(24);
    bad.cv_record.rva = U32::new(0xffff_0000);
    let list = w.write_counted(&[good, bad]).unwrap();
    w.add_stream(StreamType::MODULE_LIST, list).unwrap();
    // A ThreadList too short for its count: kept as bytes.
    w.stream(StreamType::THREAD_LIST, &[9, 0, 0, 0]).unwrap();
    w.stream(StreamType::LINUX_CMD_LINE, b"/bin/true\0").unwrap();
    let bytes = w.finish(7, 0).unwrap().into_inner();

    let dump = Minidump::parse(&bytes).unwrap();
    let (model, errors) = DumpModel::from_dump(&dump);
    assert_eq!(model.time_date_stamp, 7);
    // The writer's spare slot for its failure log is an unused entry.
    assert_eq!(model.streams.len(), 4);
    assert_eq!(model.streams[3], StreamModel::Unused);
    let StreamModel::ModuleList(modules) = &model.streams[0] else { panic!("{:?}", model.streams[0]) };
    assert_eq!(modules.len(), 2);
    assert_eq!(modules[0].name, "good.so".encode_utf16().collect::<Vec<_>>());
    assert!(modules[1].name.is_empty() && modules[1].cv_record.is_empty());
    assert_eq!(modules[1].raw.base_of_image.get(), 0);
    assert_eq!(model.streams[1], StreamModel::Raw { stream_type: StreamType::THREAD_LIST, bytes: vec![9, 0, 0, 0] });
    assert_eq!(
        model.streams[2],
        StreamModel::Raw { stream_type: StreamType::LINUX_CMD_LINE, bytes: b"/bin/true\0".to_vec() }
    );
    let streams: Vec<_> = errors.iter().map(|e| e.stream).collect();
    assert_eq!(
        streams,
        [Some(StreamType::MODULE_LIST), Some(StreamType::MODULE_LIST), Some(StreamType::THREAD_LIST)],
        "{errors:?}"
    );
}

/// Overlapping regions: a read is answered by the region holding the most
/// bytes from its address, and stops where that region ends.
#[test]
fn overlapping_regions_prefer_the_longest_run() {
    use mdump_format::{LocationDescriptor, MemoryDescriptor, U32};
    use mdump_writer::DumpWriter;

    let mut directory = [Default::default(); 2];
    let mut w = DumpWriter::new(Cursor::new(Vec::new()), &mut directory).unwrap();
    let big = w.write_bytes(&[0xaa; 0x100]).unwrap();
    let small = w.write_bytes(&[0xbb; 0x10]).unwrap();
    let descriptor =
        |start: u64, memory: LocationDescriptor| MemoryDescriptor { start_of_memory_range: start.into(), memory };
    let list = [descriptor(0x1000, big), descriptor(0x1080, small)];
    let mut stream = 2u32.to_le_bytes().to_vec();
    stream.extend_from_slice(zerocopy::IntoBytes::as_bytes(&list));
    w.stream(StreamType::MEMORY_LIST, &stream).unwrap();
    let bytes = w.finish(0, 0).unwrap().into_inner();
    let dump = Minidump::parse(&bytes).unwrap();
    let mut memory = DumpMemory::new(&dump);
    assert_eq!(memory.regions().len(), 2);

    let mut buf = [0u8; 0x200];
    // From inside both regions, the big one holds more.
    assert_eq!(memory.read(0x1084, &mut buf), 0x7c);
    assert!(buf[..0x7c].iter().all(|&b| b == 0xaa));
    // Whatever the buffer's size: a short read is a prefix of a long one.
    buf.fill(0);
    assert_eq!(memory.read(0x1084, &mut buf[..4]), 4);
    assert_eq!(buf[..4], [0xaa; 4]);
    // Where only the small one reaches, and where they end together, the
    // closer one answers.
    assert_eq!(memory.region_at(0x1085).map(|r| r.size()), Some(0x100));
    assert_eq!(memory.read(0x10ff, &mut buf), 1);
    assert_eq!(memory.read(0x1100, &mut buf), 0);
    assert_eq!(memory.read(0xfff, &mut buf), 0);
    assert_eq!(memory.read(0x1000, &mut []), 0);
    let _ = U32::ZERO;
}

/// A small hostile file whose directory names the same ModuleList a
/// thousand times, every module naming the same 64 KiB string: read
/// naively, 6.4 GB of names. The model stays within its copy budget
/// (twice the file plus 1 MiB) and says so once.
#[test]
fn overlapping_records_cannot_blow_up_the_model() {
    use mdump_format::module::MinidumpModule;
    use mdump_format::U32;
    use mdump_writer::DumpWriter;
    use zerocopy::FromZeros;

    let mut directory = vec![Default::default(); 1001];
    let mut w = DumpWriter::new(Cursor::new(Vec::new()), &mut directory).unwrap();
    let name = w.write_utf16(&[u16::from(b'x'); 32_767]).unwrap();
    let mut module = MinidumpModule::new_zeroed();
    module.module_name_rva = U32::new(name);
    let list = w.write_counted(&vec![module; 100]).unwrap();
    for _ in 0..1000 {
        w.add_stream(StreamType::MODULE_LIST, list).unwrap();
    }
    let bytes = w.finish(0, 0).unwrap().into_inner();
    assert!(bytes.len() < 100_000, "{}", bytes.len());

    let dump = Minidump::parse(&bytes).unwrap();
    let (model, errors) = DumpModel::from_dump(&dump);
    assert_eq!(model.streams.len(), 1001);
    let copied: usize = model
        .streams
        .iter()
        .map(|s| match s {
            StreamModel::ModuleList(m) => m.iter().map(|m| 2 * m.name.len() + 108).sum(),
            _ => 0,
        })
        .sum();
    assert!(copied as u64 <= 2 * bytes.len() as u64 + (1 << 20), "{copied}");
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert!(errors[0].to_string().contains("twice the file's size"), "{errors:?}");
    // The first copies are whole, the ones past the budget empty.
    let StreamModel::ModuleList(first) = &model.streams[0] else { panic!() };
    assert_eq!(first[0].name.len(), 32_767);
    assert!(first[99].name.is_empty());
    // The memory index is bounded the same way.
    assert!(DumpMemory::new(&dump).regions().len() <= bytes.len() / 16);
}
