//! What goes into a dump: options shared by every way of capturing one.

/// Default bytes of stack captured per thread, counted up from the stack
/// pointer (minus the red zone). Breakpad's Linux client takes 32 KiB; Rust
/// frames are larger, so we take more by default.
pub const DEFAULT_STACK_LIMIT: usize = 64 * 1024;

/// Options of a capture. `Options::default()` is what Breakpad's client would
/// write, plus MiscInfo and thread names.
#[derive(Clone, Debug)]
pub struct Options {
    /// Bytes of stack captured per thread (from the stack pointer up to the
    /// end of its mapping, at most this much).
    pub stack_limit: usize,
    /// An upper bound for the file size. When the estimated size is larger,
    /// the stacks of threads other than the crashing one are cut down, then
    /// the extra memory regions and the larger text streams are dropped.
    /// `None`: no limit.
    pub size_limit: Option<u64>,
    /// Leave out the LinuxEnviron stream (the environment may hold secrets).
    pub skip_environment: bool,
    /// More memory to include: `(address, size)` ranges of the target.
    /// Unreadable parts are left out; each range is capped at 64 MiB.
    pub extra_memory: Vec<(u64, u64)>,
    /// Key/value pairs stored as Crashpad simple annotations (CrashpadInfo
    /// stream), e.g. a product name and version.
    pub annotations: Vec<(String, String)>,
    /// Bytes of memory captured around the fault address and around the
    /// crashing thread's instruction pointer (half before, half after).
    pub around_fault: usize,
}

impl Default for Options {
    fn default() -> Options {
        Options {
            stack_limit: DEFAULT_STACK_LIMIT,
            size_limit: None,
            skip_environment: false,
            extra_memory: Vec::new(),
            annotations: Vec::new(),
            around_fault: 256,
        }
    }
}

/// What a finished capture contains.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct DumpSummary {
    /// The dumped process.
    pub pid: i32,
    /// Thread ids in the ThreadList, in order.
    pub threads: Vec<i32>,
    /// Threads seen in `/proc/PID/task` that could not be stopped (they
    /// exited while we attached, or refused), with the error.
    pub threads_missed: Vec<(i32, String)>,
    /// Number of modules in the ModuleList.
    pub modules: usize,
    /// The crashing (or requesting) thread, if any.
    pub crashing_thread: Option<i32>,
    /// Bytes written.
    pub bytes_written: u64,
    /// Parts that could not be captured (a /proc file unreadable, ...), one
    /// line each; they are also in the dump's MdumpWriteErrors stream.
    pub soft_errors: Vec<String>,
}
