//! `DumpModel::write`, judged by the reader: every stream of the sample
//! model reads back with the model's values, and the dump validates clean.

use mdump_format::context::ContextKind;
use mdump_format::module::MinidumpModule;
use mdump_format::system_info::*;
use mdump_format::{MinidumpHeader, StreamType};
use mdump_reader::validate::validate;
use mdump_reader::{MemoryRegion, Minidump, MinidumpStr};
use mdump_writer::model::samples::{self, memory_bytes, Sample};
use mdump_writer::model::*;
use mdump_writer::{SliceMemory, WriteError};
use std::io::Cursor;

fn units(s: MinidumpStr<'_>) -> Vec<u16> {
    s.units().collect()
}

/// Parses `bytes` and checks the reader finds nothing wrong anywhere.
fn parse_clean(bytes: &[u8]) -> Minidump<'_> {
    let dump = Minidump::parse(bytes).expect("the dump parses");
    let report = validate(&dump);
    assert!(report.errors.is_empty(), "validate found errors: {:#?}", report.errors);
    dump
}

/// A region holds exactly the sample memory of `range`.
fn assert_region(region: MemoryRegion<'_>, range: MemoryRange) {
    assert_eq!(region.base, range.start);
    assert_eq!(region.bytes.as_slice(), memory_bytes(range.start, range.size), "memory at {:#x}", range.start);
}

fn location_bytes<'a>(dump: &Minidump<'a>, location: &mdump_format::LocationDescriptor) -> &'a [u8] {
    dump.location(location).expect("location inside the file").as_slice()
}

#[test]
fn every_stream_of_the_sample_reads_back() {
    let sample = samples::sample();
    let model = &sample.model;
    let bytes = sample.write().unwrap();
    let dump = parse_clean(&bytes);

    assert_eq!(dump.header().time_date_stamp.get(), model.time_date_stamp);
    assert_eq!(dump.header().flags.get(), model.flags);
    // Model order (its Memory64List is already last), then the slot the
    // writer keeps for its failure log, unused.
    let types: Vec<u32> = dump.directory().iter().map(|d| d.stream_type.get()).collect();
    let expected: Vec<u32> = model.streams.iter().map(|s| s.stream_type().0).chain([0]).collect();
    assert_eq!(types, expected);
    // Header, then the directory right after it.
    assert_eq!(dump.header().stream_directory_rva.get() as usize, core::mem::size_of::<MinidumpHeader>());

    let mut checked = 0;
    for stream in &model.streams {
        check_stream(&dump, stream);
        checked += 1;
    }
    assert_eq!(checked, model.streams.len());

    // A few values spelled out.
    let crashpad = dump.stream::<mdump_reader::CrashpadInfo>().unwrap().unwrap();
    let module = crashpad.module_list().unwrap().by_module_index(0).unwrap().unwrap();
    assert_eq!(module.simple_annotations().unwrap().get("channel").unwrap().unwrap(), b"beta");
    let objects = module.annotation_objects().unwrap();
    let first = objects.iter().next().unwrap().unwrap();
    assert!(first.is_string());
    assert_eq!((first.name, first.value), (&b"crash_key"[..], &b"value"[..]));
    let names = dump.stream::<mdump_reader::ThreadNames>().unwrap().unwrap();
    assert_eq!(names.by_id(samples::SAMPLE_THREAD_IDS[0]).unwrap().unwrap().to_string_lossy(), "main");
    let handles = dump.stream::<mdump_reader::HandleData>().unwrap().unwrap();
    let file = handles.by_handle(4).unwrap();
    assert_eq!(file.object_name().unwrap().unwrap().to_string_lossy(), "\\Device\\HarddiskVolume3\\log.txt");
    let dso = dump.stream::<mdump_reader::LinuxDsoDebug>().unwrap().unwrap();
    let libc = dso.link_maps().unwrap().get(1).unwrap();
    assert_eq!(libc.name().unwrap().unwrap().to_string_lossy(), "/lib/x86_64-linux-gnu/libc.so.6");
    let exception = dump.stream::<mdump_reader::Exception>().unwrap().unwrap();
    assert_eq!((exception.code(), exception.thread_id()), (11, samples::SAMPLE_THREAD_IDS[0]));
}

/// Checks one stream of the model against what the reader makes of the dump.
fn check_stream(dump: &Minidump<'_>, stream: &StreamModel) {
    match stream {
        StreamModel::Unused => {}
        StreamModel::ThreadList(threads) => check_threads(dump, threads),
        StreamModel::ThreadExList(threads) => check_threads_ex(dump, threads),
        StreamModel::ModuleList(modules) => check_modules(dump, modules),
        StreamModel::UnloadedModuleList(modules) => {
            let list = dump.stream::<mdump_reader::UnloadedModuleList>().unwrap().unwrap();
            assert_eq!(list.header.size_of_header.get(), 12);
            assert_eq!(list.header.size_of_entry.get(), 24);
            assert_eq!(list.len(), modules.len());
            for (read, m) in list.iter().zip(modules) {
                let raw =
                    mdump_format::unloaded_module::UnloadedModule { module_name_rva: Default::default(), ..*read.raw };
                assert_eq!(raw, m.raw);
                assert_eq!(units(read.name().unwrap()), m.name);
            }
        }
        StreamModel::MemoryList(ranges) => {
            let list = dump.stream::<mdump_reader::MemoryList>().unwrap().unwrap();
            assert_eq!(list.len(), ranges.len());
            for (region, range) in list.iter().zip(ranges) {
                assert_region(region.unwrap(), *range);
            }
        }
        StreamModel::Memory64List(ranges) => {
            let list = dump.stream::<mdump_reader::Memory64List>().unwrap().unwrap();
            assert_eq!(list.len(), ranges.len());
            for (region, range) in list.iter().zip(ranges) {
                assert_region(region.unwrap(), *range);
            }
            // Its memory ends the file.
            let total: u64 = ranges.iter().map(|r| r.size).sum();
            assert_eq!(list.header.base_rva.get() + total, dump.bytes().len() as u64);
        }
        StreamModel::Exception(e) => {
            let read = dump.stream::<mdump_reader::Exception>().unwrap().unwrap();
            assert_eq!(read.thread_id(), e.thread_id);
            assert_eq!(read.raw.exception_record, e.record);
            assert_eq!(location_bytes(dump, &read.raw.thread_context), e.context.0);
            assert_eq!(read.context().unwrap().kind(), ContextKind::Amd64);
        }
        StreamModel::SystemInfo(s) => {
            let read = dump.stream::<mdump_reader::SystemInfo>().unwrap().unwrap();
            assert_eq!(MinidumpSystemInfo { csd_version_rva: Default::default(), ..*read.raw }, s.raw);
            assert_eq!(units(read.csd_version().unwrap()), s.csd_version);
            assert_eq!(read.cpu_vendor().as_ref().map(|v| &v[..]), Some(&b"GenuineIntel"[..]));
        }
        StreamModel::MiscInfo(bytes) => {
            assert_eq!(dump.raw_stream(StreamType::MISC_INFO).unwrap().unwrap().as_slice(), &bytes[..]);
            let read = dump.stream::<mdump_reader::MiscInfo>().unwrap().unwrap();
            assert_eq!((read.version(), read.process_id()), (2, Some(4242)));
        }
        StreamModel::ThreadInfoList(entries) => {
            let list = dump.stream::<mdump_reader::ThreadInfoList>().unwrap().unwrap();
            assert_eq!((list.header.size_of_header.get(), list.header.size_of_entry.get()), (12, 64));
            assert_eq!(list.iter().copied().collect::<Vec<_>>(), *entries);
        }
        StreamModel::ThreadNames(names) => {
            let read = dump.stream::<mdump_reader::ThreadNames>().unwrap().unwrap();
            let read: Vec<(u32, Vec<u16>)> = read.iter().map(|(id, name)| (id, units(name.unwrap()))).collect();
            assert_eq!(read, *names);
        }
        StreamModel::HandleData { v2, handles } => check_handles(dump, *v2, handles),
        StreamModel::HandleOperationList(entries) => {
            let list = dump.stream::<mdump_reader::HandleOperationList>().unwrap().unwrap();
            assert_eq!(list.iter().map(|op| *op.raw).collect::<Vec<_>>(), *entries);
            let first = list.get(0).unwrap();
            assert_eq!(first.stack().collect::<Vec<_>>(), [0x5555_0000_1010, 0x5555_0000_1080]);
        }
        StreamModel::MemoryInfoList(entries) => {
            let list = dump.stream::<mdump_reader::MemoryInfoList>().unwrap().unwrap();
            assert_eq!(list.iter().map(|r| *r.raw).collect::<Vec<_>>(), *entries);
        }
        StreamModel::CommentA(text) => {
            let read = dump.stream::<mdump_reader::CommentA>().unwrap().unwrap();
            assert_eq!(read.as_bytes(), &text[..]);
            assert_eq!(read.raw().len(), text.len() + 1, "NUL-terminated");
        }
        StreamModel::CommentW(text) => {
            let read = dump.stream::<mdump_reader::CommentW>().unwrap().unwrap();
            assert_eq!(read.units().collect::<Vec<_>>(), *text);
            assert_eq!(read.raw().len(), 2 * text.len() + 2, "NUL-terminated");
        }
        StreamModel::Token(tokens) => {
            let list = dump.stream::<mdump_reader::TokenList>().unwrap().unwrap();
            let size = dump.raw_stream(StreamType::TOKEN).unwrap().unwrap().len();
            assert_eq!(list.header.token_list_size.get() as usize, size);
            let read: Vec<TokenModel> = list
                .iter()
                .map(|t| {
                    let t = t.unwrap();
                    TokenModel {
                        token_id: t.header.token_id.get(),
                        token_handle: t.header.token_handle.get(),
                        data: t.data.to_vec(),
                    }
                })
                .collect();
            assert_eq!(read, *tokens);
        }
        StreamModel::FunctionTable(table) => {
            let read = dump.stream::<mdump_reader::FunctionTable>().unwrap().unwrap();
            assert_eq!(read.header.size_of_native_descriptor.get(), table.size_of_native_descriptor);
            assert_eq!(read.header.size_of_function_entry.get(), table.size_of_function_entry);
            assert_eq!(read.header.size_of_align_pad.get(), table.size_of_align_pad);
            let tables: Vec<_> = read
                .iter()
                .map(|r| {
                    let r = r.unwrap();
                    (*r.descriptor, r.native_descriptor.to_vec(), r.entries.to_vec())
                })
                .collect();
            // The sample's entry counts and padding are the ones the writer
            // computes.
            assert_eq!(tables, table.tables);
        }
        StreamModel::SystemMemoryInfo(info) => {
            let read = dump.stream::<mdump_reader::SystemMemoryInfo>().unwrap().unwrap();
            assert_eq!(read.basic_info(), &info.basic_info);
            assert_eq!(read.basic_perf_info(), Some(&info.basic_perf_info));
        }
        StreamModel::ProcessVmCounters(counters) => {
            let read = dump.stream::<mdump_reader::ProcessVmCounters>().unwrap().unwrap();
            match (read, counters) {
                (mdump_reader::ProcessVmCounters::V1(r), ProcessVmCountersModel::V1(c)) => assert_eq!(r, c),
                (mdump_reader::ProcessVmCounters::V2(r), ProcessVmCountersModel::V2(c)) => assert_eq!(r, c),
                (r, c) => panic!("revision mismatch: read {r:?}, model {c:?}"),
            }
        }
        StreamModel::BreakpadInfo(info) => {
            let read = dump.stream::<mdump_reader::BreakpadInfo>().unwrap().unwrap();
            assert_eq!(read.raw, info);
        }
        StreamModel::AssertionInfo(info) => {
            let read = dump.stream::<mdump_reader::AssertionInfo>().unwrap().unwrap();
            assert_eq!(read.raw, info);
            assert_eq!(
                (read.expression(), read.function(), read.file()),
                ("x != 0".into(), "main".into(), "main.c".into())
            );
        }
        StreamModel::Raw { stream_type, bytes } => {
            assert_eq!(dump.raw_stream(*stream_type).unwrap().unwrap().as_slice(), &bytes[..]);
        }
        StreamModel::LinuxDsoDebug(debug) => check_dso_debug(dump, debug),
        StreamModel::CrashpadInfo(info) => check_crashpad(dump, info),
        other => panic!("no check for {:?}", other.stream_type()),
    }
}

fn check_threads(dump: &Minidump<'_>, threads: &[ThreadModel]) {
    let list = dump.stream::<mdump_reader::ThreadList>().unwrap().unwrap();
    assert_eq!(list.len(), threads.len());
    for (read, m) in list.iter().zip(threads) {
        let raw = read.raw;
        assert_eq!(read.id(), m.thread_id);
        assert_eq!(
            (raw.suspend_count.get(), raw.priority_class.get(), raw.priority.get(), raw.teb.get()),
            (m.suspend_count, m.priority_class, m.priority, m.teb)
        );
        assert_region(read.stack().unwrap(), m.stack);
        assert_eq!(location_bytes(dump, &raw.thread_context), m.context.0);
        let context = read.context().unwrap();
        assert_eq!(context.kind(), ContextKind::Amd64);
        assert!(context.stack_pointer() >= m.stack.start && context.stack_pointer() < m.stack.start + m.stack.size);
        assert!(read.xstate().unwrap().is_none());
    }
}

fn check_threads_ex(dump: &Minidump<'_>, threads: &[ThreadExModel]) {
    let list = dump.stream::<mdump_reader::ThreadExList>().unwrap().unwrap();
    assert_eq!(list.raw().len(), threads.len());
    for (i, m) in threads.iter().enumerate() {
        let raw = &list.raw()[i];
        assert_eq!((raw.thread_id.get(), raw.teb.get()), (m.thread.thread_id, m.thread.teb));
        assert_region(list.stack(i).unwrap().unwrap(), m.thread.stack);
        assert_region(list.backing_store(i).unwrap().unwrap(), m.backing_store);
        assert_eq!(location_bytes(dump, &raw.thread_context), m.thread.context.0);
        assert_eq!(list.context(i).unwrap().unwrap().kind(), ContextKind::Amd64);
    }
}

fn check_modules(dump: &Minidump<'_>, modules: &[ModuleModel]) {
    let list = dump.stream::<mdump_reader::ModuleList>().unwrap().unwrap();
    assert_eq!(list.len(), modules.len());
    for (read, m) in list.iter().zip(modules) {
        let rebuilt = MinidumpModule {
            module_name_rva: Default::default(),
            cv_record: Default::default(),
            misc_record: Default::default(),
            ..*read.raw
        };
        assert_eq!(rebuilt, m.raw);
        assert_eq!(units(read.name().unwrap()), m.name);
        assert_eq!(read.raw.cv_record.data_size.get() as usize, m.cv_record.len());
        assert_eq!(read.raw.misc_record.data_size.get() as usize, m.misc_record.len());
        if m.cv_record.is_empty() {
            assert_eq!(read.raw.cv_record.rva.get(), 0);
            assert!(read.codeview().unwrap().is_none());
        } else {
            assert_eq!(location_bytes(dump, &read.raw.cv_record), &m.cv_record[..]);
        }
        if m.misc_record.is_empty() {
            assert!(read.debug_misc().unwrap().is_none());
        } else {
            assert_eq!(location_bytes(dump, &read.raw.misc_record), &m.misc_record[..]);
        }
    }
    // What the records say, as the sample built them.
    let mut it = list.iter();
    let exe = it.next().unwrap();
    match exe.codeview().unwrap() {
        Some(mdump_reader::CodeView::Elf { build_id }) => assert_eq!(build_id.len(), 20),
        other => panic!("expected an ELF build id, got {other:?}"),
    }
    let helper = it.next().unwrap();
    match helper.codeview().unwrap() {
        Some(mdump_reader::CodeView::Pdb70 { raw, pdb_file_name }) => {
            assert_eq!(pdb_file_name, b"helper.pdb");
            assert_eq!(raw.age.get(), 3);
        }
        other => panic!("expected a PDB 7.0 record, got {other:?}"),
    }
    assert!(helper.debug_misc().unwrap().unwrap().data.starts_with(b"helper.dbg"));
    assert_eq!(helper.version().map(|v| v.to_string()), Some("1.2.3.4".to_string()));
}

fn check_handles(dump: &Minidump<'_>, v2: bool, handles: &[HandleModel]) {
    let data = dump.stream::<mdump_reader::HandleData>().unwrap().unwrap();
    assert_eq!(data.is_v2(), v2);
    assert_eq!(data.header.size_of_header.get(), 16);
    assert_eq!(data.header.size_of_descriptor.get(), if v2 { 40 } else { 32 });
    assert_eq!(data.len(), handles.len());
    for (read, m) in data.iter().zip(handles) {
        assert_eq!(read.handle(), m.raw.handle.get());
        assert_eq!(
            (read.raw.attributes, read.raw.granted_access, read.raw.handle_count, read.raw.pointer_count),
            (m.raw.attributes, m.raw.granted_access, m.raw.handle_count, m.raw.pointer_count)
        );
        assert_eq!(read.type_name().map(|n| units(n.unwrap())), m.type_name);
        assert_eq!(read.object_name().map(|n| units(n.unwrap())), m.object_name);
        let infos: Vec<(u32, Vec<u8>)> = read
            .object_infos()
            .map(|i| {
                let i = i.unwrap();
                (i.raw.info_type.get(), i.data.to_vec())
            })
            .collect();
        if v2 {
            assert_eq!(infos, m.object_infos);
        } else {
            assert!(read.raw2.is_none() && infos.is_empty());
        }
    }
}

fn check_dso_debug(dump: &Minidump<'_>, debug: &DsoDebugModel) {
    let read = dump.stream::<mdump_reader::LinuxDsoDebug>().unwrap().unwrap();
    assert_eq!(read.is_64bit(), debug.is_64bit);
    assert_eq!(
        (read.version(), read.brk(), read.ldbase(), read.dynamic_address()),
        (debug.version, debug.brk, debug.ldbase, debug.dynamic)
    );
    assert_eq!(read.dynamic().as_slice(), &debug.dynamic_bytes[..]);
    let maps: Vec<(u64, u64, Option<Vec<u16>>)> =
        read.link_maps().unwrap().iter().map(|m| (m.addr(), m.ld(), m.name().unwrap().map(units))).collect();
    assert_eq!(maps, debug.link_maps);
}

fn check_crashpad(dump: &Minidump<'_>, info: &CrashpadInfoModel) {
    let pairs = |d: mdump_reader::SimpleStringDictionary<'_>| -> Vec<(Vec<u8>, Vec<u8>)> {
        d.iter().map(|e| e.map(|(k, v)| (k.to_vec(), v.to_vec())).unwrap()).collect()
    };
    let read = dump.stream::<mdump_reader::CrashpadInfo>().unwrap().unwrap();
    assert_eq!((read.version(), read.report_id(), read.client_id()), (info.version, &info.report_id, &info.client_id));
    assert_eq!(pairs(read.simple_annotations().unwrap()), info.simple_annotations);
    let modules = read.module_list().unwrap();
    assert_eq!(modules.len(), info.modules.len());
    for (read, m) in modules.iter().zip(&info.modules) {
        let read = read.unwrap();
        assert_eq!((read.module_index(), read.version()), (m.module_index, m.version));
        assert_eq!(read.link.location.data_size.get(), 28, "the full record with annotation objects");
        let list: Vec<Vec<u8>> = read.list_annotations().unwrap().iter().map(|s| s.unwrap().to_vec()).collect();
        assert_eq!(list, m.list_annotations);
        assert_eq!(pairs(read.simple_annotations().unwrap()), m.simple_annotations);
        let objects: Vec<AnnotationModel> = read
            .annotation_objects()
            .unwrap()
            .iter()
            .map(|a| {
                let a = a.unwrap();
                AnnotationModel { name: a.name.to_vec(), annotation_type: a.annotation_type(), value: a.value.to_vec() }
            })
            .collect();
        assert_eq!(objects, m.annotation_objects);
    }
}

#[test]
fn memory64_list_goes_last_whatever_its_position() {
    let mut model = samples::sample_model();
    let at = model.streams.iter().position(|s| matches!(s, StreamModel::Memory64List(_))).unwrap();
    let memory64 = model.streams.remove(at);
    model.streams.insert(0, memory64.clone());
    let sample = Sample::new(model);
    let bytes = sample.write().unwrap();
    let dump = parse_clean(&bytes);
    let types: Vec<u32> = dump.directory().iter().map(|d| d.stream_type.get()).collect();
    let expected: Vec<u32> = sample.model.streams[1..].iter().map(|s| s.stream_type().0).chain([0x9, 0]).collect();
    assert_eq!(types, expected);
    check_stream(&dump, &memory64);
    // The rest of the dump is as when the list was last.
    assert_eq!(bytes, samples::sample().write().unwrap());
}

#[test]
fn unreadable_memory_is_written_as_far_as_it_reads() {
    let stack = MemoryRange { start: 0x1_0000, size: 0x400 };
    let listed = MemoryRange { start: 0x2_0000, size: 0x100 };
    let big = [MemoryRange { start: 0x3_0000, size: 0x800 }, MemoryRange { start: 0x4_0000, size: 0x200 }];
    let model = DumpModel {
        streams: vec![
            StreamModel::SystemInfo(samples::system_info(PROCESSOR_ARCHITECTURE_AMD64, PLATFORM_LINUX, "")),
            StreamModel::ThreadList(vec![samples::thread(1, stack, samples::amd64_context(0, stack.start))]),
            StreamModel::MemoryList(vec![listed, MemoryRange { start: 0x9_0000, size: 0x40 }]),
            StreamModel::Memory64List(big.to_vec()),
        ],
        ..Default::default()
    };
    // Only the first 0x100 bytes of the stack, 0x80 of the listed range,
    // 0x300 of the first big range and all of the second are readable.
    let parts = [(stack.start, 0x100), (listed.start, 0x80), (big[0].start, 0x300), (big[1].start, big[1].size)];
    let memory: Vec<(u64, Vec<u8>)> = parts.iter().map(|&(a, n)| (a, memory_bytes(a, n))).collect();
    let mut source = SliceMemory::new(memory.iter().map(|(a, b)| (*a, &b[..])).collect());
    let bytes = model.write(Cursor::new(Vec::new()), &mut source).unwrap().into_inner();
    let dump = parse_clean(&bytes);

    let threads = dump.stream::<mdump_reader::ThreadList>().unwrap().unwrap();
    assert_region(threads.get(0).unwrap().stack().unwrap(), MemoryRange { size: 0x100, ..stack });
    let list = dump.stream::<mdump_reader::MemoryList>().unwrap().unwrap();
    let regions: Vec<_> = list.iter().map(|r| r.unwrap()).collect();
    assert_region(regions[0], MemoryRange { size: 0x80, ..listed });
    assert_eq!((regions[1].base, regions[1].size()), (0x9_0000, 0));
    let list = dump.stream::<mdump_reader::Memory64List>().unwrap().unwrap();
    let regions: Vec<_> = list.iter().map(|r| r.unwrap()).collect();
    assert_region(regions[0], MemoryRange { size: 0x300, ..big[0] });
    assert_region(regions[1], big[1]);
    assert_eq!(list.header.base_rva.get() + 0x300 + 0x200, bytes.len() as u64);
}

#[test]
fn contexts_are_identified_as_their_kind() {
    let cases = [
        (PROCESSOR_ARCHITECTURE_AMD64, samples::amd64_context(0x40_1000, 0x7000_0100), ContextKind::Amd64),
        (PROCESSOR_ARCHITECTURE_X86, samples::x86_context(0x40_1000, 0x7000_0100), ContextKind::X86),
        (PROCESSOR_ARCHITECTURE_ARM64, samples::arm64_context(0x40_1000, 0x7000_0100), ContextKind::Arm64),
    ];
    for (architecture, context, kind) in cases {
        let sample = samples::arch_sample(architecture, context.clone());
        let bytes = sample.write().unwrap();
        let dump = parse_clean(&bytes);
        let threads = dump.stream::<mdump_reader::ThreadList>().unwrap().unwrap();
        let thread = threads.get(0).unwrap();
        let read = thread.context().unwrap();
        assert_eq!(read.kind(), kind);
        assert_eq!((read.instruction_pointer(), read.stack_pointer()), (0x40_1000, 0x7000_0100));
        assert_eq!(location_bytes(&dump, &thread.raw.thread_context), &context.0[..]);
        let exception = dump.stream::<mdump_reader::Exception>().unwrap().unwrap();
        assert_eq!(exception.context().unwrap().kind(), kind);
        assert_eq!(exception.parameters().collect::<Vec<_>>(), [0, 0x10]);
    }
}

#[test]
fn version_1_handles_32_bit_dso_debug_and_vm_counters_2() {
    let debug = DsoDebugModel {
        is_64bit: false,
        version: 1,
        brk: 0xf7f0_1000,
        ldbase: 0xf7f0_0000,
        dynamic: 0x0804_9f00,
        link_maps: vec![
            (0, 0x0804_9f00, Some(Vec::new())),
            (0xf7d0_0000, 0xf7ef_0000, Some(samples::utf16("/lib/libc.so.6"))),
            (0xf7f0_0000, 0xf7f2_0000, None),
        ],
        dynamic_bytes: vec![21, 0, 0, 0, 0, 0x10, 0xf0, 0xf7, 0, 0, 0, 0, 0, 0, 0, 0],
    };
    let counters = mdump_format::process_vm_counters::ProcessVmCounters2 {
        revision: 2.into(),
        flags: 3.into(),
        virtual_size: 0x1234_0000.into(),
        ..Default::default()
    };
    let streams = vec![
        StreamModel::SystemInfo(samples::system_info(PROCESSOR_ARCHITECTURE_X86, PLATFORM_LINUX, "")),
        StreamModel::HandleData { v2: false, handles: samples::sample_handles() },
        StreamModel::LinuxDsoDebug(debug),
        StreamModel::ProcessVmCounters(ProcessVmCountersModel::V2(counters)),
        StreamModel::CrashpadInfo(CrashpadInfoModel { version: 1, ..Default::default() }),
    ];
    let sample = Sample::new(DumpModel { streams, ..Default::default() });
    let bytes = sample.write().unwrap();
    let dump = parse_clean(&bytes);
    for stream in &sample.model.streams {
        check_stream(&dump, stream);
    }
    // A Crashpad info without annotations or modules has no lists: zero
    // locations.
    let read = dump.stream::<mdump_reader::CrashpadInfo>().unwrap().unwrap();
    assert_eq!(read.raw.simple_annotations, Default::default());
    assert_eq!(read.raw.module_list, Default::default());

    // Object information cannot be reached from a version-1 descriptor, so
    // none is written.
    let v1 = |handles: Vec<HandleModel>| {
        let streams = vec![StreamModel::HandleData { v2: false, handles }];
        Sample::new(DumpModel { streams, ..Default::default() }).write().unwrap()
    };
    let bare = samples::sample_handles().into_iter().map(|h| HandleModel { object_infos: Vec::new(), ..h }).collect();
    assert_eq!(v1(samples::sample_handles()), v1(bare));
}

#[test]
fn a_32_bit_dso_debug_refuses_wide_addresses() {
    let debug = DsoDebugModel { brk: 0x1_0000_0000, ..Default::default() };
    let model = DumpModel { streams: vec![StreamModel::LinuxDsoDebug(debug)], ..Default::default() };
    let err = model.write(Cursor::new(Vec::new()), &mut mdump_writer::NoMemory).unwrap_err();
    assert!(matches!(err, WriteError::TooLarge(_)), "{err}");
}

#[test]
fn function_tables_are_padded_to_whole_entries_and_native_size() {
    let descriptor =
        mdump_format::function_table::FunctionTableDescriptor { minimum_address: 0x1000.into(), ..Default::default() };
    let table = FunctionTableModel {
        size_of_native_descriptor: 8,
        size_of_function_entry: 12,
        size_of_align_pad: 8,
        tables: vec![(descriptor, vec![0xee; 5], vec![0xaa; 13]), (descriptor, Vec::new(), Vec::new())],
    };
    let model = DumpModel { streams: vec![StreamModel::FunctionTable(table)], ..Default::default() };
    let bytes = model.write(Cursor::new(Vec::new()), &mut mdump_writer::NoMemory).unwrap().into_inner();
    let dump = parse_clean(&bytes);
    let read = dump.stream::<mdump_reader::FunctionTable>().unwrap().unwrap();
    let records: Vec<_> = read.iter().map(|r| r.unwrap()).collect();
    assert_eq!(records.len(), 2);
    assert_eq!(records[0].native_descriptor, [0xee, 0xee, 0xee, 0xee, 0xee, 0, 0, 0]);
    assert_eq!(records[0].descriptor.entry_count.get(), 2);
    assert_eq!(&records[0].entries[..13], &[0xaa; 13]);
    assert_eq!(&records[0].entries[13..], &[0; 11]);
    // 8 + 24 = 32: already aligned. 8 + 0: too.
    assert_eq!(records[0].descriptor.size_of_align_pad.get(), 0);
    assert_eq!(records[1].descriptor.entry_count.get(), 0);
    assert_eq!(records[1].descriptor.minimum_address.get(), 0x1000);

    let bad = FunctionTableModel {
        size_of_native_descriptor: 4,
        tables: vec![(descriptor, vec![0; 5], Vec::new())],
        ..Default::default()
    };
    let model = DumpModel { streams: vec![StreamModel::FunctionTable(bad)], ..Default::default() };
    assert!(matches!(model.write(Cursor::new(Vec::new()), &mut mdump_writer::NoMemory), Err(WriteError::TooLarge(_))));
}

#[test]
fn an_empty_model_is_a_header_and_one_unused_slot() {
    let model = DumpModel { time_date_stamp: 7, flags: 2, streams: Vec::new() };
    let bytes = model.write(Cursor::new(Vec::new()), &mut mdump_writer::NoMemory).unwrap().into_inner();
    assert_eq!(bytes.len(), 32 + 12);
    let dump = parse_clean(&bytes);
    assert_eq!((dump.header().time_date_stamp.get(), dump.header().flags.get()), (7, 2));
    assert_eq!(dump.directory().len(), 1);
    assert_eq!(dump.directory()[0].stream_type.get(), StreamType::UNUSED.0);
}

#[test]
fn only_one_memory64_list_fits() {
    let list = StreamModel::Memory64List(vec![MemoryRange { start: 0, size: 0 }]);
    let model = DumpModel { streams: vec![list.clone(), list], ..Default::default() };
    let err = model.write(Cursor::new(Vec::new()), &mut mdump_writer::NoMemory).unwrap_err();
    assert!(matches!(err, WriteError::Order(_)), "{err}");
}

#[test]
fn a_dump_starts_where_the_output_is() {
    let sample = samples::sample();
    let mut out = Cursor::new(vec![0xffu8; 100]);
    out.set_position(100);
    let out = sample.model.write(out, &mut sample.source()).unwrap().into_inner();
    assert_eq!(&out[..100], &[0xff; 100][..]);
    assert_eq!(out[100..], sample.write().unwrap()[..]);
}

#[test]
fn every_blob_is_eight_byte_aligned() {
    let bytes = samples::sample().write().unwrap();
    let dump = parse_clean(&bytes);
    for d in dump.directory() {
        if d.location.data_size.get() != 0 {
            assert_eq!(d.location.rva.get() % 8, 0, "stream {:#x}", d.stream_type.get());
        }
    }
    let threads = dump.stream::<mdump_reader::ThreadList>().unwrap().unwrap();
    for t in threads.raw() {
        assert_eq!(t.stack.memory.rva.get() % 8, 0);
        assert_eq!(t.thread_context.rva.get() % 8, 0);
    }
}
