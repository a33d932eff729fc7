//! Hand-built models for tests and benchmarks: one with a stream of every
//! kind the model has, and small ones per CPU architecture.
//!
//! Memory comes from [`sample_memory`]: the byte at address `a` is
//! [`byte_at`]`(a)`, so overlapping ranges agree and a test can compute what
//! any range must read back as.
//!
//! Every field the writer rebuilds (RVAs, locations, function-table entry
//! counts and padding) is already at the value a write produces, so a sample
//! survives write -> read unchanged up to [`DumpModel::normalized`].

use super::*;
use crate::source::SliceMemory;
use mdump_format::codeview::{CvInfoPdb70, ImageDebugMisc, CV_SIGNATURE_BPEL, CV_SIGNATURE_RSDS};
use mdump_format::context::amd64::{ContextAmd64, CONTEXT_AMD64_FULL};
use mdump_format::context::arm64::{ContextArm64, CONTEXT_ARM64_FULL};
use mdump_format::context::x86::{ContextX86, CONTEXT_X86_FULL};
use mdump_format::crashpad::{ANNOTATION_TYPE_STRING, ANNOTATION_TYPE_USER_DEFINED_START};
use mdump_format::handle_data::{MINI_MUTANT_INFORMATION1, MINI_MUTANT_INFORMATION2};
use mdump_format::handle_operation::{AvrfBacktraceInformation, OPERATION_DB_OPEN};
use mdump_format::memory_info::{
    MEM_COMMIT, MEM_FREE, MEM_IMAGE, MEM_PRIVATE, PAGE_EXECUTE_READ, PAGE_NOACCESS, PAGE_READWRITE,
};
use mdump_format::misc_info::{MiscInfo2, MINIDUMP_MISC1_PROCESS_ID, MINIDUMP_MISC1_PROCESS_TIMES};
use mdump_format::module::{VsFixedFileInfo, VS_FFI_SIGNATURE};
use mdump_format::system_info::*;
use mdump_format::system_memory_info::MINIDUMP_SYSMEMINFO1_BASICPERF;
use mdump_format::{U16, U32, U64};
use zerocopy::{FromZeros, IntoBytes};

/// The byte every sample memory source holds at `address`.
pub fn byte_at(address: u64) -> u8 {
    let a = address ^ (address >> 11) ^ (address >> 29);
    (a as u8).wrapping_mul(0x9d).wrapping_add(0x3b)
}

/// The bytes of `[start, start + size)` in every sample memory source.
pub fn memory_bytes(start: u64, size: u64) -> Vec<u8> {
    (start..start.saturating_add(size)).map(byte_at).collect()
}

/// Every memory range `model` refers to, with its bytes: feed it to
/// [`SliceMemory::new`] (or use [`Sample::source`]).
pub fn sample_memory(model: &DumpModel) -> Vec<(u64, Vec<u8>)> {
    let mut ranges: Vec<MemoryRange> = model.memory_ranges().collect();
    ranges.sort();
    ranges.dedup();
    ranges.into_iter().map(|r| (r.start, memory_bytes(r.start, r.size))).collect()
}

/// A model and the memory it refers to.
#[derive(Clone, Debug)]
pub struct Sample {
    /// The model.
    pub model: DumpModel,
    /// `(address, bytes)` for every range the model refers to.
    pub memory: Vec<(u64, Vec<u8>)>,
}

impl Sample {
    /// A sample of `model`, with its memory from [`sample_memory`].
    pub fn new(model: DumpModel) -> Sample {
        let memory = sample_memory(&model);
        Sample { model, memory }
    }

    /// The memory as a source to write the model with.
    pub fn source(&self) -> SliceMemory<'_> {
        SliceMemory::new(self.memory.iter().map(|(address, bytes)| (*address, &bytes[..])).collect())
    }

    /// The model written to bytes.
    pub fn write(&self) -> crate::Result<Vec<u8>> {
        let out = self.model.write(std::io::Cursor::new(Vec::new()), &mut self.source())?;
        Ok(out.into_inner())
    }
}

/// A string as UTF-16 code units.
pub fn utf16(s: &str) -> Vec<u16> {
    s.encode_utf16().collect()
}

/// An AMD64 context with the control, integer and floating-point groups.
pub fn amd64_context(rip: u64, rsp: u64) -> ContextModel {
    let mut c = ContextAmd64::new_zeroed();
    c.context_flags = U32::new(CONTEXT_AMD64_FULL);
    c.rip = U64::new(rip);
    c.rsp = U64::new(rsp);
    c.rbp = U64::new(rsp + 0x40);
    c.rax = U64::new(0xdead_beef);
    c.mx_csr = U32::new(0x1f80);
    c.cs = U16::new(0x33);
    c.ss = U16::new(0x2b);
    ContextModel::from_struct(&c)
}

/// An x86 context with the control, integer and segment groups.
pub fn x86_context(eip: u32, esp: u32) -> ContextModel {
    let mut c = ContextX86::new_zeroed();
    c.context_flags = U32::new(CONTEXT_X86_FULL);
    c.eip = U32::new(eip);
    c.esp = U32::new(esp);
    c.ebp = U32::new(esp + 0x20);
    c.eax = U32::new(0x1234_5678);
    ContextModel::from_struct(&c)
}

/// An ARM64 context (Microsoft's layout) with the control, integer and
/// floating-point groups.
pub fn arm64_context(pc: u64, sp: u64) -> ContextModel {
    let mut c = ContextArm64::new_zeroed();
    c.context_flags = U32::new(CONTEXT_ARM64_FULL);
    c.pc = U64::new(pc);
    c.sp = U64::new(sp);
    c.x[29] = U64::new(sp + 0x30);
    c.x[30] = U64::new(pc - 0x10);
    ContextModel::from_struct(&c)
}

/// A SystemInfo of `architecture` on `platform_id`.
pub fn system_info(architecture: u16, platform_id: u32, csd_version: &str) -> SystemInfoModel {
    let mut raw = MinidumpSystemInfo {
        processor_architecture: U16::new(architecture),
        processor_level: U16::new(6),
        processor_revision: U16::new(0x9e0a),
        number_of_processors: 8,
        product_type: 1,
        major_version: U32::new(6),
        minor_version: U32::new(1),
        build_number: U32::new(0),
        platform_id: U32::new(platform_id),
        ..Default::default()
    };
    if matches!(architecture, PROCESSOR_ARCHITECTURE_X86 | PROCESSOR_ARCHITECTURE_AMD64) {
        raw.cpu.data[..12].copy_from_slice(b"GenuineIntel");
        raw.cpu.data[12..16].copy_from_slice(&0x0009_06eau32.to_le_bytes());
        raw.cpu.data[16..20].copy_from_slice(&0xbfeb_fbffu32.to_le_bytes());
    }
    SystemInfoModel { raw, csd_version: utf16(csd_version) }
}

/// A thread of the samples.
pub fn thread(thread_id: u32, stack: MemoryRange, context: ContextModel) -> ThreadModel {
    ThreadModel {
        thread_id,
        suspend_count: 0,
        priority_class: 0x20,
        priority: 0,
        teb: 0x7f00_dead_0000 + u64::from(thread_id) * 0x1000,
        stack,
        context,
    }
}

/// A small dump of one architecture: SystemInfo, a ThreadList of one thread
/// with `context`, an Exception on that thread with the same context, and a
/// MemoryList with the stack.
pub fn arch_sample(architecture: u16, context: ContextModel) -> Sample {
    let stack = MemoryRange { start: 0x7000_0000, size: 0x180 };
    let record = MinidumpException {
        exception_code: U32::new(0xc000_0005),
        exception_address: U64::new(0x40_1000),
        number_parameters: U32::new(2),
        exception_information: {
            let mut p = [U64::new(0); 15];
            p[1] = U64::new(0x10);
            p
        },
        ..Default::default()
    };
    Sample::new(DumpModel {
        time_date_stamp: 1_700_000_000,
        flags: 0,
        streams: vec![
            StreamModel::SystemInfo(system_info(architecture, mdump_format::system_info::PLATFORM_WIN32_NT, "")),
            StreamModel::ThreadList(vec![thread(0x10, stack, context.clone())]),
            StreamModel::Exception(ExceptionModel { thread_id: 0x10, record, context }),
            StreamModel::MemoryList(vec![stack]),
        ],
    })
}

/// Thread ids of [`sample_model`]'s ThreadList.
pub const SAMPLE_THREAD_IDS: [u32; 2] = [0x1001, 0x1002];

/// A model with a stream of every kind (one HandleData of version 2, one
/// ProcessVmCounters of revision 1, several `Raw` streams), on AMD64 Linux.
/// Its Memory64List is last, so that a write keeps the model's stream order.
pub fn sample_model() -> DumpModel {
    let [main_tid, worker_tid] = SAMPLE_THREAD_IDS;
    let main_stack = MemoryRange { start: 0x7ffe_0000_1000, size: 0x800 };
    let worker_stack = MemoryRange { start: 0x7ffe_0010_0000, size: 0x400 };
    let code = MemoryRange { start: 0x5555_0000_1000, size: 0x100 };
    let main_context = amd64_context(code.start + 0x10, main_stack.start + 0x100);
    let worker_context = amd64_context(0x7f00_0000_2345, worker_stack.start + 0x80);
    let streams = vec![
        StreamModel::ThreadList(vec![
            thread(main_tid, main_stack, main_context.clone()),
            thread(worker_tid, worker_stack, worker_context),
        ]),
        StreamModel::ModuleList(sample_modules()),
        StreamModel::UnloadedModuleList(vec![UnloadedModuleModel {
            raw: UnloadedModule {
                base_of_image: U64::new(0x7f00_0050_0000),
                size_of_image: U32::new(0x2_0000),
                checksum: U32::new(0xabcd),
                time_date_stamp: U32::new(0x5f00_0000),
                module_name_rva: U32::new(0),
            },
            name: utf16("/usr/lib/libgone.so"),
        }]),
        StreamModel::MemoryList(vec![main_stack, worker_stack, code]),
        StreamModel::Exception(ExceptionModel {
            thread_id: main_tid,
            record: MinidumpException {
                exception_code: U32::new(11),
                exception_flags: U32::new(1),
                exception_address: U64::new(0x10),
                ..Default::default()
            },
            context: main_context,
        }),
        StreamModel::SystemInfo(system_info(PROCESSOR_ARCHITECTURE_AMD64, PLATFORM_LINUX, "Linux 6.1.0 #1 SMP")),
        StreamModel::MiscInfo(
            MiscInfo2 {
                size_of_info: U32::new(core::mem::size_of::<MiscInfo2>() as u32),
                flags1: U32::new(MINIDUMP_MISC1_PROCESS_ID | MINIDUMP_MISC1_PROCESS_TIMES),
                process_id: U32::new(4242),
                process_create_time: U32::new(1_699_999_000),
                process_user_time: U32::new(3),
                process_kernel_time: U32::new(1),
                ..Default::default()
            }
            .as_bytes()
            .to_vec(),
        ),
        StreamModel::ThreadInfoList(
            SAMPLE_THREAD_IDS
                .iter()
                .map(|&id| ThreadInfo {
                    thread_id: U32::new(id),
                    exit_status: U32::new(259),
                    create_time: U64::new(0x01d9_0000_0000_0000 + u64::from(id)),
                    start_address: U64::new(0x5555_0000_1000),
                    affinity: U64::new(0xff),
                    ..Default::default()
                })
                .collect(),
        ),
        StreamModel::ThreadNames(vec![
            (main_tid, utf16("main")),
            // An unpaired surrogate: kept as code units, not decoded.
            (worker_tid, vec![u16::from(b'i'), u16::from(b'o'), 0xdc00]),
        ]),
        StreamModel::HandleData { v2: true, handles: sample_handles() },
        StreamModel::HandleOperationList(vec![AvrfHandleOperation {
            handle: U64::new(0x44),
            process_id: U32::new(4242),
            thread_id: U32::new(main_tid),
            operation_type: U32::new(OPERATION_DB_OPEN),
            spare0: U32::new(0),
            back_trace_information: AvrfBacktraceInformation {
                depth: U32::new(2),
                index: U32::new(7),
                return_addresses: {
                    let mut r = [U64::new(0); 32];
                    r[0] = U64::new(0x5555_0000_1010);
                    r[1] = U64::new(0x5555_0000_1080);
                    r
                },
            },
        }]),
        StreamModel::MemoryInfoList(vec![
            memory_info(main_stack.start, main_stack.size, MEM_COMMIT, PAGE_READWRITE, MEM_PRIVATE),
            memory_info(0x5555_0000_0000, 0x2000, MEM_COMMIT, PAGE_EXECUTE_READ, MEM_IMAGE),
            memory_info(0x5555_0000_2000, 0x1000, MEM_FREE, PAGE_NOACCESS, 0),
        ]),
        StreamModel::CommentA(b"sample dump written by mdump-writer".to_vec()),
        StreamModel::CommentW(utf16("commentaire \u{e9}crit \u{2713}")),
        StreamModel::Token(vec![
            TokenModel { token_id: 1, token_handle: 0x1234, data: (0..24).collect() },
            TokenModel { token_id: 2, token_handle: 0x5678, data: Vec::new() },
        ]),
        StreamModel::FunctionTable(sample_function_table()),
        StreamModel::SystemMemoryInfo({
            let mut info = SystemMemoryInfo1 {
                revision: U16::new(1),
                flags: U16::new(MINIDUMP_SYSMEMINFO1_BASICPERF),
                ..Default::default()
            };
            info.basic_info.page_size = U32::new(4096);
            info.basic_info.number_of_processors = U32::new(8);
            info.basic_perf_info.available_pages = U64::new(0x10_0000);
            info
        }),
        StreamModel::ProcessVmCounters(ProcessVmCountersModel::V1(ProcessVmCounters1 {
            revision: U16::new(1),
            page_fault_count: U32::new(1234),
            working_set_size: U64::new(0x40_0000),
            private_usage: U64::new(0x20_0000),
            ..Default::default()
        })),
        StreamModel::ThreadExList(vec![ThreadExModel {
            thread: thread(0x2001, MemoryRange { start: 0x7ffe_0020_0000, size: 0x200 }, {
                amd64_context(0x5555_0000_1020, 0x7ffe_0020_0040)
            }),
            backing_store: MemoryRange { start: 0x7ffe_0030_0000, size: 0x100 },
        }]),
        StreamModel::Unused,
        StreamModel::BreakpadInfo(BreakpadInfo {
            validity: U32::new(3),
            dump_thread_id: U32::new(worker_tid),
            requesting_thread_id: U32::new(main_tid),
        }),
        StreamModel::AssertionInfo({
            let mut a = AssertionInfo::new_zeroed();
            for (field, text) in [(&mut a.expression, "x != 0"), (&mut a.function, "main"), (&mut a.file, "main.c")] {
                for (slot, unit) in field.iter_mut().zip(text.encode_utf16()) {
                    *slot = U16::new(unit);
                }
            }
            a.line = U32::new(42);
            a.r#type = U32::new(1);
            a
        }),
        StreamModel::Raw { stream_type: StreamType::LINUX_CMD_LINE, bytes: b"/usr/bin/sample\0--flag\0".to_vec() },
        StreamModel::Raw {
            stream_type: StreamType::LINUX_MAPS,
            bytes: b"555500000000-555500002000 r-xp 00000000 08:01 1234 /usr/bin/sample\n\
                     7ffe00000000-7ffe00400000 rw-p 00000000 00:00 0 [stack]\n"
                .to_vec(),
        },
        StreamModel::Raw { stream_type: StreamType::LINUX_ENVIRON, bytes: b"HOME=/root\0LANG=C\0".to_vec() },
        StreamModel::Raw {
            stream_type: StreamType::LINUX_AUXV,
            bytes: [6u64, 4096, 0, 0].iter().flat_map(|w| w.to_le_bytes()).collect(),
        },
        StreamModel::Raw {
            stream_type: StreamType::LINUX_CPU_INFO,
            bytes: b"processor\t: 0\nvendor_id\t: GenuineIntel\n\n".to_vec(),
        },
        StreamModel::Raw { stream_type: StreamType::LINUX_PROC_STATUS, bytes: b"Name:\tsample\nPid:\t4242\n".to_vec() },
        StreamModel::Raw { stream_type: StreamType::LINUX_LSB_RELEASE, bytes: b"DISTRIB_ID=Debian\n".to_vec() },
        StreamModel::Raw { stream_type: StreamType(0x7e57_0001), bytes: vec![1, 2, 3] },
        StreamModel::LinuxDsoDebug(DsoDebugModel {
            is_64bit: true,
            version: 1,
            brk: 0x7f00_0001_0f00,
            ldbase: 0x7f00_0001_0000,
            dynamic: 0x5555_0000_3df8,
            link_maps: vec![
                (0, 0x5555_0000_3df8, Some(Vec::new())),
                (0x7f00_0000_0000, 0x7f00_0000_4e00, Some(utf16("/lib/x86_64-linux-gnu/libc.so.6"))),
                (0x7f00_0001_0000, 0x7f00_0001_2e00, None),
            ],
            // Three Elf64_Dyn: DT_NEEDED, DT_DEBUG, DT_NULL.
            dynamic_bytes: [1u64, 0x10, 21, 0x7f00_0001_0e00, 0, 0].iter().flat_map(|w| w.to_le_bytes()).collect(),
        }),
        StreamModel::CrashpadInfo(sample_crashpad_info()),
        StreamModel::Memory64List(vec![
            MemoryRange { start: 0x7f00_0000_0000, size: 0x3000 },
            MemoryRange { start: 0x7f00_0001_0000, size: 0x1000 },
        ]),
    ];
    DumpModel { time_date_stamp: 1_700_000_000, flags: 0x0000_0421, streams }
}

/// [`sample_model`] with its memory.
pub fn sample() -> Sample {
    Sample::new(sample_model())
}

fn memory_info(base: u64, size: u64, state: u32, protect: u32, type_: u32) -> MemoryInfo {
    MemoryInfo {
        base_address: U64::new(base),
        allocation_base: U64::new(if state == MEM_FREE { 0 } else { base }),
        allocation_protect: U32::new(protect),
        region_size: U64::new(size),
        state: U32::new(state),
        protect: U32::new(protect),
        type_: U32::new(type_),
        ..Default::default()
    }
}

/// Three modules: an executable with an ELF build id, a library with a PDB
/// 7.0 record and a misc record and a version resource, and one with no
/// records whose name has an unpaired surrogate.
pub fn sample_modules() -> Vec<ModuleModel> {
    let mut elf = CV_SIGNATURE_BPEL.to_le_bytes().to_vec();
    elf.extend((0..20u8).map(|i| i.wrapping_mul(13)));
    let mut pdb = CvInfoPdb70 { cv_signature: U32::new(CV_SIGNATURE_RSDS), age: U32::new(3), ..Default::default() };
    pdb.signature.data1 = U32::new(0x1234_5678);
    pdb.signature.data4 = *b"pdb70id!";
    let mut pdb = pdb.as_bytes().to_vec();
    pdb.extend_from_slice(b"helper.pdb\0");
    let misc_data = b"helper.dbg\0\0";
    let mut misc = ImageDebugMisc {
        data_type: U32::new(mdump_format::codeview::IMAGE_DEBUG_MISC_EXENAME),
        length: U32::new((12 + misc_data.len()) as u32),
        ..Default::default()
    }
    .as_bytes()
    .to_vec();
    misc.extend_from_slice(misc_data);
    let module = |base: u64, size: u32| MinidumpModule {
        base_of_image: U64::new(base),
        size_of_image: U32::new(size),
        ..Default::default()
    };
    let mut helper = module(0x7f00_0000_0000, 0x3_0000);
    helper.checksum = U32::new(0x4_5678);
    helper.time_date_stamp = U32::new(0x6000_0000);
    helper.version_info = VsFixedFileInfo {
        signature: U32::new(VS_FFI_SIGNATURE),
        struct_version: U32::new(0x1_0000),
        file_version_hi: U32::new(0x0001_0002),
        file_version_lo: U32::new(0x0003_0004),
        ..Default::default()
    };
    let mut odd_name = utf16("/tmp/odd");
    odd_name.push(0xd800);
    vec![
        ModuleModel {
            raw: module(0x5555_0000_0000, 0x4000),
            name: utf16("/usr/bin/sample"),
            cv_record: elf,
            misc_record: Vec::new(),
        },
        ModuleModel { raw: helper, name: utf16("C:\\helper\\helper.dll"), cv_record: pdb, misc_record: misc },
        ModuleModel { raw: module(0x7f00_0001_0000, 0x1000), name: odd_name, ..Default::default() },
    ]
}

/// Three handles: one with both names, one with a chain of two object
/// informations (the first of a length that needs padding), one bare.
pub fn sample_handles() -> Vec<HandleModel> {
    let raw = |handle: u64| HandleDescriptor2 {
        handle: U64::new(handle),
        attributes: U32::new(2),
        granted_access: U32::new(0x1f_0003),
        handle_count: U32::new(1),
        pointer_count: U32::new(32_769),
        ..Default::default()
    };
    vec![
        HandleModel {
            raw: raw(4),
            type_name: Some(utf16("File")),
            object_name: Some(utf16("\\Device\\HarddiskVolume3\\log.txt")),
            object_infos: Vec::new(),
        },
        HandleModel {
            raw: raw(8),
            type_name: Some(utf16("Mutant")),
            object_name: None,
            object_infos: vec![
                (MINI_MUTANT_INFORMATION1, vec![1, 0, 0, 0, 0]),
                (MINI_MUTANT_INFORMATION2, (0..16).collect()),
            ],
        },
        HandleModel { raw: raw(12), type_name: None, object_name: None, object_infos: Vec::new() },
    ]
}

/// Two tables of x64 `RUNTIME_FUNCTION`s (12 bytes) with 40-byte native
/// descriptors; entry counts and padding as the writer computes them.
pub fn sample_function_table() -> FunctionTableModel {
    let table = |min: u64, entries: u8| {
        let descriptor = FunctionTableDescriptor {
            minimum_address: U64::new(min),
            maximum_address: U64::new(min + 0x1000),
            base_address: U64::new(min & !0xffff),
            entry_count: U32::new(u32::from(entries)),
            // 40 + 12 * entries rounded up to 8.
            size_of_align_pad: U32::new(if entries % 2 == 1 { 4 } else { 0 }),
        };
        (descriptor, vec![0xee; 40], (0..12 * entries).collect::<Vec<u8>>())
    };
    FunctionTableModel {
        size_of_native_descriptor: 40,
        size_of_function_entry: 12,
        size_of_align_pad: 0,
        tables: vec![table(0x1_0000_1000, 3), table(0x1_0002_0000, 2)],
    }
}

fn guid(data1: u32, tail: &[u8; 8]) -> Guid {
    Guid { data1: U32::new(data1), data2: U16::new(0xbeef), data3: U16::new(0x4a5b), data4: *tail }
}

/// Process annotations, and two modules: one with every kind of annotation,
/// one with simple annotations only.
pub fn sample_crashpad_info() -> CrashpadInfoModel {
    let pair = |k: &str, v: &str| (k.as_bytes().to_vec(), v.as_bytes().to_vec());
    CrashpadInfoModel {
        version: 1,
        report_id: guid(0x0102_0304, b"report!!"),
        client_id: guid(0x0506_0708, b"client!!"),
        simple_annotations: vec![pair("prod", "sample"), pair("ver", "1.0")],
        modules: vec![
            CrashpadModuleModel {
                module_index: 0,
                version: 1,
                list_annotations: vec![b"abort() called".to_vec(), Vec::new()],
                simple_annotations: vec![pair("channel", "beta")],
                annotation_objects: vec![
                    AnnotationModel {
                        name: b"crash_key".to_vec(),
                        annotation_type: ANNOTATION_TYPE_STRING,
                        value: b"value".to_vec(),
                    },
                    AnnotationModel {
                        name: b"blob".to_vec(),
                        annotation_type: ANNOTATION_TYPE_USER_DEFINED_START + 1,
                        value: vec![1, 2, 3],
                    },
                ],
            },
            CrashpadModuleModel {
                module_index: 2,
                version: 1,
                simple_annotations: vec![pair("only", "simple")],
                ..Default::default()
            },
        ],
    }
}
