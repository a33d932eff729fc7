//! `MINIDUMP_STREAM_TYPE` and the extension stream types of Breakpad,
//! Crashpad and Mozilla.

/// A stream type, as found in [`crate::MinidumpDirectory::stream_type`].
///
/// A newtype rather than an enum: unknown and vendor values are normal in
/// real dumps and must survive a read/write round trip unchanged.
///
/// ```
/// use mdump_format::StreamType;
/// assert_eq!(StreamType(3), StreamType::THREAD_LIST);
/// assert_eq!(StreamType::THREAD_LIST.name(), Some("ThreadListStream"));
/// assert_eq!(StreamType(0x1234_5678).name(), None);
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct StreamType(pub u32);

macro_rules! stream_types {
    ($($(#[$doc:meta])* $konst:ident = $value:expr, $name:expr;)*) => {
        impl StreamType {
            $($(#[$doc])* pub const $konst: StreamType = StreamType($value);)*

            /// The stream's name as its specification spells it, or `None` for
            /// a type this crate does not know.
            pub fn name(self) -> Option<&'static str> {
                match self {
                    $(StreamType::$konst => Some($name),)*
                    _ => None,
                }
            }

            /// Every stream type this crate knows, in numeric order per family.
            pub const ALL: &'static [StreamType] = &[$(StreamType::$konst),*];
        }
    };
}

stream_types! {
    /// An empty directory slot.
    UNUSED = 0, "UnusedStream";
    /// Reserved by Microsoft.
    RESERVED_0 = 1, "ReservedStream0";
    /// Reserved by Microsoft.
    RESERVED_1 = 2, "ReservedStream1";
    /// `MINIDUMP_THREAD_LIST`.
    THREAD_LIST = 3, "ThreadListStream";
    /// `MINIDUMP_MODULE_LIST`.
    MODULE_LIST = 4, "ModuleListStream";
    /// `MINIDUMP_MEMORY_LIST`.
    MEMORY_LIST = 5, "MemoryListStream";
    /// `MINIDUMP_EXCEPTION_STREAM`.
    EXCEPTION = 6, "ExceptionStream";
    /// `MINIDUMP_SYSTEM_INFO`.
    SYSTEM_INFO = 7, "SystemInfoStream";
    /// `MINIDUMP_THREAD_EX_LIST`.
    THREAD_EX_LIST = 8, "ThreadExListStream";
    /// `MINIDUMP_MEMORY64_LIST`.
    MEMORY64_LIST = 9, "Memory64ListStream";
    /// An 8-bit comment string.
    COMMENT_A = 10, "CommentStreamA";
    /// A UTF-16 comment string.
    COMMENT_W = 11, "CommentStreamW";
    /// `MINIDUMP_HANDLE_DATA_STREAM`.
    HANDLE_DATA = 12, "HandleDataStream";
    /// `MINIDUMP_FUNCTION_TABLE_STREAM`.
    FUNCTION_TABLE = 13, "FunctionTableStream";
    /// `MINIDUMP_UNLOADED_MODULE_LIST`.
    UNLOADED_MODULE_LIST = 14, "UnloadedModuleListStream";
    /// `MINIDUMP_MISC_INFO` (versions 1 to 5).
    MISC_INFO = 15, "MiscInfoStream";
    /// `MINIDUMP_MEMORY_INFO_LIST`.
    MEMORY_INFO_LIST = 16, "MemoryInfoListStream";
    /// `MINIDUMP_THREAD_INFO_LIST`.
    THREAD_INFO_LIST = 17, "ThreadInfoListStream";
    /// `MINIDUMP_HANDLE_OPERATION_LIST`.
    HANDLE_OPERATION_LIST = 18, "HandleOperationListStream";
    /// `MINIDUMP_TOKEN_INFO_LIST`.
    TOKEN = 19, "TokenStream";
    /// JavaScript data (undocumented).
    JAVASCRIPT_DATA = 20, "JavaScriptDataStream";
    /// `MINIDUMP_SYSTEM_MEMORY_INFO_1`.
    SYSTEM_MEMORY_INFO = 21, "SystemMemoryInfoStream";
    /// `MINIDUMP_PROCESS_VM_COUNTERS_1` or `_2`.
    PROCESS_VM_COUNTERS = 22, "ProcessVmCountersStream";
    /// Intel Processor Trace data.
    IPT_TRACE = 23, "IptTraceStream";
    /// `MINIDUMP_THREAD_NAME_LIST`.
    THREAD_NAMES = 24, "ThreadNamesStream";
    /// Windows CE: null stream.
    CE_NULL = 0x8000, "ceStreamNull";
    /// Windows CE: system info.
    CE_SYSTEM_INFO = 0x8001, "ceStreamSystemInfo";
    /// Windows CE: exception.
    CE_EXCEPTION = 0x8002, "ceStreamException";
    /// Windows CE: module list.
    CE_MODULE_LIST = 0x8003, "ceStreamModuleList";
    /// Windows CE: process list.
    CE_PROCESS_LIST = 0x8004, "ceStreamProcessList";
    /// Windows CE: thread list.
    CE_THREAD_LIST = 0x8005, "ceStreamThreadList";
    /// Windows CE: thread context list.
    CE_THREAD_CONTEXT_LIST = 0x8006, "ceStreamThreadContextList";
    /// Windows CE: thread call stack list.
    CE_THREAD_CALL_STACK_LIST = 0x8007, "ceStreamThreadCallStackList";
    /// Windows CE: memory virtual list.
    CE_MEMORY_VIRTUAL_LIST = 0x8008, "ceStreamMemoryVirtualList";
    /// Windows CE: memory physical list.
    CE_MEMORY_PHYSICAL_LIST = 0x8009, "ceStreamMemoryPhysicalList";
    /// Windows CE: bucket parameters.
    CE_BUCKET_PARAMETERS = 0x800a, "ceStreamBucketParameters";
    /// Windows CE: process module map.
    CE_PROCESS_MODULE_MAP = 0x800b, "ceStreamProcessModuleMap";
    /// Windows CE: diagnosis list.
    CE_DIAGNOSIS_LIST = 0x800c, "ceStreamDiagnosisList";
    /// Last type reserved by Microsoft.
    LAST_RESERVED = 0xffff, "LastReservedStream";
    /// Breakpad: `MDRawBreakpadInfo`.
    BREAKPAD_INFO = 0x4767_0001, "BreakpadInfoStream";
    /// Breakpad: `MDRawAssertionInfo`.
    ASSERTION_INFO = 0x4767_0002, "AssertionInfoStream";
    /// Breakpad: `/proc/cpuinfo`.
    LINUX_CPU_INFO = 0x4767_0003, "LinuxCpuInfo";
    /// Breakpad: `/proc/PID/status`.
    LINUX_PROC_STATUS = 0x4767_0004, "LinuxProcStatus";
    /// Breakpad: `/etc/lsb-release` (or os-release).
    LINUX_LSB_RELEASE = 0x4767_0005, "LinuxLsbRelease";
    /// Breakpad: `/proc/PID/cmdline`.
    LINUX_CMD_LINE = 0x4767_0006, "LinuxCmdLine";
    /// Breakpad: `/proc/PID/environ`.
    LINUX_ENVIRON = 0x4767_0007, "LinuxEnviron";
    /// Breakpad: `/proc/PID/auxv`.
    LINUX_AUXV = 0x4767_0008, "LinuxAuxv";
    /// Breakpad: `/proc/PID/maps`.
    LINUX_MAPS = 0x4767_0009, "LinuxMaps";
    /// Breakpad: `MDRawDebug` and its link maps.
    LINUX_DSO_DEBUG = 0x4767_000a, "LinuxDsoDebug";
    /// Crashpad: `MinidumpCrashpadInfo`.
    CRASHPAD_INFO = 0x4350_0001, "CrashpadInfoStream";
    /// Mozilla: macOS crash info.
    MOZ_MACOS_CRASH_INFO = 0x4d7a_0001, "MozMacosCrashInfoStream";
    /// Mozilla: macOS boot arguments.
    MOZ_MACOS_BOOTARGS = 0x4d7a_0002, "MozMacosBootargsStream";
    /// Mozilla: Linux `/proc/PID/limits`.
    MOZ_LINUX_LIMITS = 0x4d7a_0003, "MozLinuxLimits";
    /// Mozilla: errors met while writing the dump (JSON).
    MOZ_SOFT_ERRORS = 0x4d7a_0004, "MozSoftErrors";
    /// mdump: streams the writer could not gather, one per line as
    /// `<stream type in hex> <reason>` (UTF-8 text). Their directory slots
    /// are left as `UnusedStream`.
    MDUMP_WRITE_ERRORS = 0x6d64_0001, "MdumpWriteErrors";
}

impl From<u32> for StreamType {
    fn from(value: u32) -> Self {
        StreamType(value)
    }
}

impl From<StreamType> for u32 {
    fn from(value: StreamType) -> Self {
        value.0
    }
}

impl core::fmt::Display for StreamType {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self.name() {
            Some(name) => write!(f, "{name} ({:#x})", self.0),
            None => write!(f, "unknown stream {:#x}", self.0),
        }
    }
}
