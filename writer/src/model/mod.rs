//! A whole minidump as owned values: every stream the reader types.
//!
//! The model holds no captured memory: thread stacks and memory lists are
//! address ranges, and their bytes come from a [`MemorySource`] when the
//! model is written, so a model of a 100 GB full-memory dump is small.
//! Fixed-size records reuse the `mdump-format` structs themselves (the same
//! ones the reader views); RVA and location fields inside them are ignored
//! when writing and rebuilt from where things land.
//!
//! * [`DumpModel::write`]: model + memory source -> a dump on any
//!   `Write + Seek` (streaming; memory never held whole);
//! * [`DumpModel::from_dump`]: a dump the reader opened -> model (what
//!   `mdump rewrite` and the round-trip tests use).
//!
//! Strings are kept as UTF-16 code units where the format stores UTF-16, so
//! a string with an unpaired surrogate survives a round trip unchanged.

#[cfg(feature = "arbitrary")]
pub mod arbitrary;
mod read;
#[doc(hidden)]
pub mod samples;
mod write;

pub use read::DumpMemory;

use crate::source::MemorySource;
use mdump_format::assertion_info::AssertionInfo;
use mdump_format::breakpad_info::BreakpadInfo;
use mdump_format::codeview::Guid;
use mdump_format::exception::MinidumpException;
use mdump_format::function_table::FunctionTableDescriptor;
use mdump_format::handle_data::HandleDescriptor2;
use mdump_format::handle_operation::AvrfHandleOperation;
use mdump_format::memory_info::MemoryInfo;
use mdump_format::module::MinidumpModule;
use mdump_format::process_vm_counters::{ProcessVmCounters1, ProcessVmCounters2};
use mdump_format::system_info::MinidumpSystemInfo;
use mdump_format::system_memory_info::SystemMemoryInfo1;
use mdump_format::thread_info::ThreadInfo;
use mdump_format::unloaded_module::UnloadedModule;
use mdump_format::StreamType;

/// A minidump as owned values.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct DumpModel {
    /// Header time stamp (seconds since the Unix epoch).
    pub time_date_stamp: u32,
    /// Header `MINIDUMP_TYPE` flags.
    pub flags: u64,
    /// The streams, in directory order. A [`StreamModel::Memory64List`] is
    /// written last whatever its position (its memory must end the file).
    pub streams: Vec<StreamModel>,
}

/// A range of the dumped process's memory; its bytes come from the
/// [`MemorySource`] at write time.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct MemoryRange {
    /// Address of the first byte.
    pub start: u64,
    /// Number of bytes.
    pub size: u64,
}

/// A CPU context: the bytes of one of `mdump_format::context`'s structs, and
/// anything stored after it (the AMD64 XSAVE area). Build one with
/// [`ContextModel::from_struct`].
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ContextModel(pub Vec<u8>);

impl ContextModel {
    /// The bytes of a context struct (`ContextAmd64`, `ContextArm64`, ...).
    pub fn from_struct<T: zerocopy::IntoBytes + zerocopy::Immutable>(context: &T) -> ContextModel {
        ContextModel(context.as_bytes().to_vec())
    }
}

/// One thread of a ThreadList.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ThreadModel {
    /// Thread id.
    pub thread_id: u32,
    /// Suspend count.
    pub suspend_count: u32,
    /// Priority class.
    pub priority_class: u32,
    /// Priority.
    pub priority: u32,
    /// TEB address (Linux writers: often the TLS base or 0).
    pub teb: u64,
    /// The stack range.
    pub stack: MemoryRange,
    /// The CPU context.
    pub context: ContextModel,
}

/// One thread of a ThreadExList: a thread plus its backing store.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ThreadExModel {
    /// The thread.
    pub thread: ThreadModel,
    /// The IA-64 register backing store.
    pub backing_store: MemoryRange,
}

/// One module of a ModuleList.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ModuleModel {
    /// The entry; `module_name_rva`, `cv_record` and `misc_record` are
    /// rebuilt when writing.
    pub raw: MinidumpModule,
    /// The module's path.
    pub name: Vec<u16>,
    /// The CodeView record's bytes (empty: none).
    pub cv_record: Vec<u8>,
    /// The `IMAGE_DEBUG_MISC` record's bytes (empty: none).
    pub misc_record: Vec<u8>,
}

/// One module of an UnloadedModuleList.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct UnloadedModuleModel {
    /// The entry; `module_name_rva` is rebuilt when writing.
    pub raw: UnloadedModule,
    /// The module's path.
    pub name: Vec<u16>,
}

/// The Exception stream.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ExceptionModel {
    /// The faulting thread.
    pub thread_id: u32,
    /// The exception record.
    pub record: MinidumpException,
    /// The faulting thread's context.
    pub context: ContextModel,
}

/// The SystemInfo stream.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SystemInfoModel {
    /// The structure; `csd_version_rva` is rebuilt when writing.
    pub raw: MinidumpSystemInfo,
    /// The CSD version string.
    pub csd_version: Vec<u16>,
}

/// One handle of a HandleData stream.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct HandleModel {
    /// The descriptor (version 2; a version-1 stream uses its first 32
    /// bytes). RVA fields are rebuilt when writing.
    pub raw: HandleDescriptor2,
    /// The type name, if any.
    pub type_name: Option<Vec<u16>>,
    /// The object name, if any.
    pub object_name: Option<Vec<u16>>,
    /// The chained object-information records: `(info_type, data)`.
    pub object_infos: Vec<(u32, Vec<u8>)>,
}

/// One token of a Token stream.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TokenModel {
    /// `TokenId`.
    pub token_id: u32,
    /// `TokenHandle`.
    pub token_handle: u64,
    /// The token's data after its 16-byte header.
    pub data: Vec<u8>,
}

/// The FunctionTable stream.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct FunctionTableModel {
    /// Size of each descriptor's native (OS) descriptor.
    pub size_of_native_descriptor: u32,
    /// Size of each function entry.
    pub size_of_function_entry: u32,
    /// `SizeOfAlignPad` of the header.
    pub size_of_align_pad: u32,
    /// Each table: its descriptor (`entry_count` and `size_of_align_pad`
    /// are rebuilt), native descriptor bytes and entry bytes.
    pub tables: Vec<(FunctionTableDescriptor, Vec<u8>, Vec<u8>)>,
}

/// The ProcessVmCounters stream.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ProcessVmCountersModel {
    /// Revision 1.
    V1(ProcessVmCounters1),
    /// Revision 2.
    V2(ProcessVmCounters2),
}

/// Breakpad's LinuxDsoDebug stream.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct DsoDebugModel {
    /// 64-bit layout (else 32-bit).
    pub is_64bit: bool,
    /// `r_debug.r_version`.
    pub version: u32,
    /// `r_debug.r_brk`.
    pub brk: u64,
    /// The dynamic loader's base.
    pub ldbase: u64,
    /// Address of `_DYNAMIC`.
    pub dynamic: u64,
    /// Each link map: `(l_addr, l_ld, l_name)`.
    pub link_maps: Vec<(u64, u64, Option<Vec<u16>>)>,
    /// The copy of `_DYNAMIC` stored after the header.
    pub dynamic_bytes: Vec<u8>,
}

/// A Crashpad annotation object.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct AnnotationModel {
    /// Its name.
    pub name: Vec<u8>,
    /// Its type (1: string).
    pub annotation_type: u16,
    /// Its value bytes.
    pub value: Vec<u8>,
}

/// One module's Crashpad information.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CrashpadModuleModel {
    /// Index of the module in the ModuleList.
    pub module_index: u32,
    /// Record version.
    pub version: u32,
    /// List annotations.
    pub list_annotations: Vec<Vec<u8>>,
    /// Simple key/value annotations.
    pub simple_annotations: Vec<(Vec<u8>, Vec<u8>)>,
    /// Annotation objects (written only in the 28-byte record layout).
    pub annotation_objects: Vec<AnnotationModel>,
}

/// Crashpad's info stream.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CrashpadInfoModel {
    /// Stream version.
    pub version: u32,
    /// Report id.
    pub report_id: Guid,
    /// Client id.
    pub client_id: Guid,
    /// Process-wide simple annotations.
    pub simple_annotations: Vec<(Vec<u8>, Vec<u8>)>,
    /// Per-module information.
    pub modules: Vec<CrashpadModuleModel>,
}

/// One stream.
// A model is built once per dump and holds a few dozen streams at most:
// boxing the two large fixed records would only add noise at every use.
#[allow(clippy::large_enum_variant)]
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum StreamModel {
    /// An `UnusedStream` directory slot.
    Unused,
    /// ThreadList.
    ThreadList(Vec<ThreadModel>),
    /// ThreadExList.
    ThreadExList(Vec<ThreadExModel>),
    /// ModuleList.
    ModuleList(Vec<ModuleModel>),
    /// UnloadedModuleList.
    UnloadedModuleList(Vec<UnloadedModuleModel>),
    /// MemoryList.
    MemoryList(Vec<MemoryRange>),
    /// Memory64List (always written last).
    Memory64List(Vec<MemoryRange>),
    /// Exception.
    Exception(ExceptionModel),
    /// SystemInfo.
    SystemInfo(SystemInfoModel),
    /// MiscInfo: the structure's bytes; the length (24, 44, 232, 832 or
    /// 1364) is the version.
    MiscInfo(Vec<u8>),
    /// ThreadInfoList.
    ThreadInfoList(Vec<ThreadInfo>),
    /// ThreadNames: `(thread id, name)`.
    ThreadNames(Vec<(u32, Vec<u16>)>),
    /// HandleData, with descriptors of version 2 if `v2`.
    HandleData {
        /// Descriptor version 2 (40 bytes) rather than 1 (32).
        v2: bool,
        /// The handles.
        handles: Vec<HandleModel>,
    },
    /// HandleOperationList.
    HandleOperationList(Vec<AvrfHandleOperation>),
    /// MemoryInfoList.
    MemoryInfoList(Vec<MemoryInfo>),
    /// CommentStreamA: 8-bit text (written NUL-terminated).
    CommentA(Vec<u8>),
    /// CommentStreamW: UTF-16 text (written NUL-terminated).
    CommentW(Vec<u16>),
    /// TokenStream.
    Token(Vec<TokenModel>),
    /// FunctionTableStream.
    FunctionTable(FunctionTableModel),
    /// SystemMemoryInfoStream.
    SystemMemoryInfo(SystemMemoryInfo1),
    /// ProcessVmCountersStream.
    ProcessVmCounters(ProcessVmCountersModel),
    /// Breakpad's BreakpadInfo.
    BreakpadInfo(BreakpadInfo),
    /// Breakpad's AssertionInfo.
    AssertionInfo(AssertionInfo),
    /// Breakpad's byte-for-byte copies of `/proc` and `/etc` files
    /// (LinuxCpuInfo, LinuxProcStatus, LinuxLsbRelease, LinuxCmdLine,
    /// LinuxEnviron, LinuxAuxv, LinuxMaps), and any other stream without
    /// internal RVAs that is kept as its bytes.
    Raw {
        /// The stream type.
        stream_type: StreamType,
        /// The bytes.
        bytes: Vec<u8>,
    },
    /// Breakpad's LinuxDsoDebug.
    LinuxDsoDebug(DsoDebugModel),
    /// Crashpad's info stream.
    CrashpadInfo(CrashpadInfoModel),
}

impl StreamModel {
    /// The stream type this stream is written as.
    pub fn stream_type(&self) -> StreamType {
        match self {
            StreamModel::Unused => StreamType::UNUSED,
            StreamModel::ThreadList(_) => StreamType::THREAD_LIST,
            StreamModel::ThreadExList(_) => StreamType::THREAD_EX_LIST,
            StreamModel::ModuleList(_) => StreamType::MODULE_LIST,
            StreamModel::UnloadedModuleList(_) => StreamType::UNLOADED_MODULE_LIST,
            StreamModel::MemoryList(_) => StreamType::MEMORY_LIST,
            StreamModel::Memory64List(_) => StreamType::MEMORY64_LIST,
            StreamModel::Exception(_) => StreamType::EXCEPTION,
            StreamModel::SystemInfo(_) => StreamType::SYSTEM_INFO,
            StreamModel::MiscInfo(_) => StreamType::MISC_INFO,
            StreamModel::ThreadInfoList(_) => StreamType::THREAD_INFO_LIST,
            StreamModel::ThreadNames(_) => StreamType::THREAD_NAMES,
            StreamModel::HandleData { .. } => StreamType::HANDLE_DATA,
            StreamModel::HandleOperationList(_) => StreamType::HANDLE_OPERATION_LIST,
            StreamModel::MemoryInfoList(_) => StreamType::MEMORY_INFO_LIST,
            StreamModel::CommentA(_) => StreamType::COMMENT_A,
            StreamModel::CommentW(_) => StreamType::COMMENT_W,
            StreamModel::Token(_) => StreamType::TOKEN,
            StreamModel::FunctionTable(_) => StreamType::FUNCTION_TABLE,
            StreamModel::SystemMemoryInfo(_) => StreamType::SYSTEM_MEMORY_INFO,
            StreamModel::ProcessVmCounters(_) => StreamType::PROCESS_VM_COUNTERS,
            StreamModel::BreakpadInfo(_) => StreamType::BREAKPAD_INFO,
            StreamModel::AssertionInfo(_) => StreamType::ASSERTION_INFO,
            StreamModel::Raw { stream_type, .. } => *stream_type,
            StreamModel::LinuxDsoDebug(_) => StreamType::LINUX_DSO_DEBUG,
            StreamModel::CrashpadInfo(_) => StreamType::CRASHPAD_INFO,
        }
    }
}

impl DumpModel {
    /// Every memory range the model refers to: thread stacks and backing
    /// stores, MemoryList and Memory64List ranges.
    pub fn memory_ranges(&self) -> impl Iterator<Item = MemoryRange> + '_ {
        self.streams.iter().flat_map(|s| -> Box<dyn Iterator<Item = MemoryRange> + '_> {
            match s {
                StreamModel::ThreadList(t) => Box::new(t.iter().map(|t| t.stack)),
                StreamModel::ThreadExList(t) => Box::new(t.iter().flat_map(|t| [t.thread.stack, t.backing_store])),
                StreamModel::MemoryList(m) | StreamModel::Memory64List(m) => Box::new(m.iter().copied()),
                _ => Box::new(core::iter::empty()),
            }
        })
    }

    /// The model with everything a write rebuilds set to a canonical value,
    /// so that two models describing the same dump compare equal: RVA and
    /// location fields inside the raw structs zeroed, function-table entry
    /// counts recomputed, `Unused` slots dropped (they carry nothing; the
    /// writer adds its own) and Memory64Lists moved to the end (where the
    /// writer puts them).
    pub fn normalized(&self) -> DumpModel {
        let mut m = self.clone();
        m.streams.retain(|s| !matches!(s, StreamModel::Unused));
        m.streams.sort_by_key(|s| matches!(s, StreamModel::Memory64List(_)));
        for s in &mut m.streams {
            match s {
                StreamModel::ModuleList(list) => {
                    for module in list {
                        module.raw.module_name_rva = Default::default();
                        module.raw.cv_record = Default::default();
                        module.raw.misc_record = Default::default();
                    }
                }
                StreamModel::UnloadedModuleList(list) => {
                    for module in list {
                        module.raw.module_name_rva = Default::default();
                    }
                }
                StreamModel::SystemInfo(info) => info.raw.csd_version_rva = Default::default(),
                StreamModel::HandleData { handles, v2 } => {
                    for h in handles {
                        h.raw.type_name_rva = Default::default();
                        h.raw.object_name_rva = Default::default();
                        h.raw.object_info_rva = Default::default();
                        if !*v2 {
                            // A version-1 descriptor has no room for these.
                            h.raw.reserved0 = Default::default();
                            h.object_infos.clear();
                        }
                    }
                }
                StreamModel::FunctionTable(table) => {
                    let entry = table.size_of_function_entry.max(1) as usize;
                    for (descriptor, _, entries) in &mut table.tables {
                        descriptor.entry_count = mdump_format::U32::new((entries.len() / entry) as u32);
                        descriptor.size_of_align_pad = Default::default();
                    }
                }
                _ => {}
            }
        }
        m
    }

    /// Writes the model; memory bytes are pulled from `memory`.
    ///
    /// Ranges the source cannot fully supply are written as long as they
    /// could be read (so reading the result gives those shorter ranges).
    pub fn write<W: std::io::Write + std::io::Seek>(&self, out: W, memory: &mut dyn MemorySource) -> crate::Result<W> {
        write::write(self, out, memory)
    }
}
