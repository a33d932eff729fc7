//! Synthetic Linux amd64 crash dumps with realistic call stacks, and the
//! Breakpad symbol files that describe them, for the `stackwalk` benchmark,
//! `make_stackwalk_inputs` and `stackwalk_peak_rss.sh`.
//!
//! Each dump has two modules: `app`, the main executable, whose symbol file
//! is generated here, and `libc.so.6`, without symbols. Each thread's stack
//! is a chain of frames laid out as gcc's `-fno-omit-frame-pointer` code
//! lays them out (`call`, `push %rbp; mov %rsp,%rbp; push %rbx; push %r12;
//! sub $locals,%rsp`), with plausible values (small integers, heap
//! pointers) in the locals. Every function of `app` has the `STACK CFI`
//! rows of exactly that prologue, a `FUNC` record and line records, so a
//! walker recovers the caller of an `app` frame by CFI (restoring `%rbp`,
//! `%rbx` and `%r12`) and symbolizes it with a source line; the caller of a
//! `libc` frame comes from the frame pointer. The outermost frame's saved
//! frame pointer and return address are zero, which ends every walk the same
//! way for every walker.
//!
//! Thread 0 crashed (SIGSEGV) inside `app`; the others wait in `libc`
//! (frames 0 and 1) called from `app`.
//!
//! Deterministic: the same [`Shape`] always gives the same bytes.

use mdump_format::codeview::CV_SIGNATURE_BPEL;
use mdump_format::context::amd64::{ContextAmd64, CONTEXT_AMD64_FULL};
use mdump_format::exception::MinidumpException;
use mdump_format::module::MinidumpModule;
use mdump_format::system_info::{PLATFORM_LINUX, PROCESSOR_ARCHITECTURE_AMD64};
use mdump_format::{U16, U32, U64};
use mdump_writer::model::samples::{system_info, thread, utf16};
use mdump_writer::model::{ContextModel, DumpModel, ExceptionModel, MemoryRange, ModuleModel, StreamModel};
use mdump_writer::SliceMemory;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use zerocopy::FromZeros;

/// What to generate.
#[derive(Clone, Copy, Debug)]
pub struct Shape {
    /// Threads in the dump.
    pub threads: u32,
    /// Functions in `app` (and so in its symbol file: about 900 bytes of
    /// `.sym` each).
    pub functions: usize,
    /// Frames per thread: from `depth.0` to `depth.1`, inclusive.
    pub depth: (usize, usize),
    /// Seed of everything random.
    pub seed: u64,
}

/// 200 threads of 20 to 60 frames; `app`'s symbol file is about 1.3 MB.
pub const MANY_THREADS: Shape = Shape { threads: 200, functions: 1_500, depth: (20, 60), seed: 0x5eed_0200 };

/// 8 threads of 20 to 60 frames; `app`'s symbol file is about 8 MB.
pub const BIG_SYMBOLS: Shape = Shape { threads: 8, functions: 9_000, depth: (20, 60), seed: 0x5eed_b165 };

/// One Breakpad symbol file.
#[derive(Clone, Debug)]
pub struct SymbolFile {
    /// The module's debug file name.
    pub debug_file: String,
    /// The module's debug identifier.
    pub debug_id: String,
    /// The `.sym` text.
    pub text: Vec<u8>,
}

impl SymbolFile {
    /// Where the file goes under a symbol directory:
    /// `DEBUG_FILE/DEBUG_ID/DEBUG_FILE.sym`.
    pub fn relative_path(&self) -> PathBuf {
        Path::new(&self.debug_file).join(&self.debug_id).join(format!("{}.sym", self.debug_file))
    }
}

/// A generated dump and its symbols.
#[derive(Clone, Debug)]
pub struct Synthetic {
    /// The minidump.
    pub dump: Vec<u8>,
    /// The symbol files (one: `app`'s).
    pub symbols: Vec<SymbolFile>,
    /// Frames over all threads, as laid out.
    pub frames: usize,
}

impl Synthetic {
    /// Writes the symbol files under `root` in Breakpad's layout.
    pub fn write_symbols(&self, root: &Path) -> std::io::Result<()> {
        for file in &self.symbols {
            let path = root.join(file.relative_path());
            if let Some(dir) = path.parent() {
                std::fs::create_dir_all(dir)?;
            }
            std::fs::write(&path, &file.text)?;
        }
        Ok(())
    }

    /// Bytes of all symbol files.
    pub fn symbol_bytes(&self) -> usize {
        self.symbols.iter().map(|s| s.text.len()).sum()
    }
}

/// splitmix64: small, fast, reproducible.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }

    /// A value in `lo..=hi`.
    fn range(&mut self, lo: u64, hi: u64) -> u64 {
        lo + self.below(hi - lo + 1)
    }

    fn pick<'a>(&mut self, words: &[&'a str]) -> &'a str {
        words[self.below(words.len() as u64) as usize]
    }
}

const APP_BASE: u64 = 0x5555_5555_4000;
const LIBC_BASE: u64 = 0x7f3c_5a40_0000;
const LIBC_SIZE: u64 = 0x1c_5000;
/// Where `app`'s first function starts (after the ELF headers and PLT).
const TEXT_START: u64 = 0x2000;
/// Offsets into a function past its prologue (the last CFI row is at +8).
const BODY: u64 = 0x10;
/// Where libc's waiting functions are (`__futex_abstimed_wait_common`,
/// `pthread_cond_wait`, ... in a real libc).
const LIBC_FUNCTIONS: [u64; 6] = [0x8_a2b0, 0x8_d4f0, 0x9_1c20, 0xe_3a10, 0x10_07c0, 0x12_9e80];

const NAMESPACES: &[&str] = &["app", "app::net", "app::io", "app::ui", "app::db", "util", "std", "base"];
const CLASSES: &[&str] = &[
    "Connection",
    "Scheduler",
    "TaskQueue",
    "EventLoop",
    "Renderer",
    "Session",
    "BufferPool",
    "Parser",
    "Cache",
    "Worker",
];
const METHODS: &[&str] =
    &["run", "dispatch", "poll", "handle_event", "flush", "resize", "lookup", "commit", "wait_for", "process"];
const ARGS: &[&str] =
    &["int", "unsigned long", "char const*", "void*", "bool", "std::string const&", "app::Task*", "size_t"];

/// A C++-looking function name.
fn function_name(rng: &mut Rng, out: &mut String) {
    let (ns, class, method) = (rng.pick(NAMESPACES), rng.pick(CLASSES), rng.pick(METHODS));
    let _ = write!(out, "{ns}::{class}::{method}_{}(", rng.below(100));
    for i in 0..rng.below(4) {
        if i > 0 {
            out.push_str(", ");
        }
        out.push_str(rng.pick(ARGS));
    }
    out.push(')');
}

/// `app`'s functions: `(offset, size)`, ascending.
fn layout_functions(rng: &mut Rng, count: usize) -> Vec<(u64, u64)> {
    let mut at = TEXT_START;
    (0..count)
        .map(|_| {
            let size = 0x40 + 0x10 * rng.below(28);
            let f = (at, size);
            at += size + 0x10 * rng.below(2);
            f
        })
        .collect()
}

/// `app`'s symbol file: FILE, FUNC and line records, then STACK CFI rows
/// (the order `dump_syms` writes them in).
fn app_symbols(rng: &mut Rng, functions: &[(u64, u64)], debug_id: &str, build_id: &[u8]) -> Vec<u8> {
    let mut out = String::with_capacity(functions.len() * 700);
    let _ = writeln!(out, "MODULE Linux x86_64 {debug_id} app");
    let code_id: String = build_id.iter().map(|b| format!("{b:02X}")).collect();
    let _ = writeln!(out, "INFO CODE_ID {code_id}");
    let files = (functions.len() / 8).max(1) as u64;
    for i in 0..files {
        let ns = NAMESPACES[i as usize % NAMESPACES.len()].replace("::", "/");
        let class = CLASSES[(i as usize / NAMESPACES.len()) % CLASSES.len()].to_lowercase();
        let _ = writeln!(out, "FILE {i} /build/app/src/{ns}/{class}_{i}.cc");
    }
    let mut name = String::new();
    for &(address, size) in functions {
        name.clear();
        function_name(rng, &mut name);
        let _ = writeln!(out, "FUNC {address:x} {size:x} 0 {name}");
        let file = rng.below(files);
        let mut line = rng.range(10, 3000);
        let mut at = address;
        while at < address + size {
            let len = rng.range(2, 14).min(address + size - at);
            let _ = writeln!(out, "{at:x} {len:x} {line} {file}");
            at += len;
            line += rng.range(0, 3);
        }
    }
    for &(address, size) in functions {
        let _ = writeln!(out, "STACK CFI INIT {address:x} {size:x} .cfa: $rsp 8 + .ra: .cfa -8 + ^");
        let _ = writeln!(out, "STACK CFI {:x} .cfa: $rsp 16 + $rbp: .cfa -16 + ^", address + 1);
        let _ = writeln!(out, "STACK CFI {:x} .cfa: $rbp 16 +", address + 4);
        let _ = writeln!(out, "STACK CFI {:x} $rbx: .cfa -24 + ^", address + 5);
        let _ = writeln!(out, "STACK CFI {:x} $r12: .cfa -32 + ^", address + 7);
    }
    out.into_bytes()
}

/// One frame to lay out.
struct Frame {
    /// For frame 0 the instruction pointer; for the others the return
    /// address its callee saved.
    address: u64,
    /// Bytes of locals below the saved registers.
    locals: u64,
    /// The frame's `%rbx` and `%r12`.
    rbx: u64,
    r12: u64,
}

/// A plausible word of a stack frame's locals.
fn junk(rng: &mut Rng) -> u64 {
    match rng.below(4) {
        0 => 0,
        1 => rng.below(4096),
        // Heap pointers (between app and libc, in no module).
        2 => 0x5555_6000_0000 + 8 * rng.below(1 << 24),
        _ => rng.next() >> 20,
    }
}

/// One thread's stack memory and context.
struct Laid {
    start: u64,
    bytes: Vec<u8>,
    context: ContextModel,
}

/// Lays out `frames` (innermost first) so that the stack ends at `top`:
/// 0x80 bytes of zeros above the outermost frame; for each frame its
/// caller's return address and frame pointer, its caller's `%rbx` and
/// `%r12`, and its locals; the 128-byte red zone below the innermost.
fn lay_out(rng: &mut Rng, frames: &[Frame], top: u64) -> Laid {
    // Frame pointers, innermost first: each frame's record sits right
    // below its caller's stack pointer.
    let mut rbp = vec![0u64; frames.len()];
    let mut caller_rsp = top - 0x70;
    for (k, frame) in frames.iter().enumerate().rev() {
        rbp[k] = caller_rsp - 16;
        caller_rsp = rbp[k] - 16 - frame.locals;
    }
    let rsp = caller_rsp;
    let start = rsp - 128;
    let mut words = vec![0u64; ((top - start) / 8) as usize];
    let mut put = |address: u64, value: u64| words[((address - start) / 8) as usize] = value;
    for (k, frame) in frames.iter().enumerate() {
        let caller = frames.get(k + 1);
        put(rbp[k], caller.map_or(0, |_| rbp[k + 1]));
        put(rbp[k] + 8, caller.map_or(0, |c| c.address));
        put(rbp[k] - 8, caller.map_or(0, |c| c.rbx));
        put(rbp[k] - 16, caller.map_or(0, |c| c.r12));
        let locals_end = rbp[k] - 16;
        let mut at = locals_end - frame.locals;
        while at < locals_end {
            put(at, junk(rng));
            at += 8;
        }
    }
    let mut at = start;
    while at < rsp {
        put(at, junk(rng));
        at += 8;
    }
    let rbp = rbp[0];
    let mut c = ContextAmd64::new_zeroed();
    c.context_flags = U32::new(CONTEXT_AMD64_FULL);
    c.rip = U64::new(frames[0].address);
    c.rsp = U64::new(rsp);
    c.rbp = U64::new(rbp);
    c.rbx = U64::new(frames[0].rbx);
    c.r12 = U64::new(frames[0].r12);
    c.rax = U64::new(junk(rng));
    c.rcx = U64::new(junk(rng));
    c.rdx = U64::new(junk(rng));
    c.rsi = U64::new(junk(rng));
    c.rdi = U64::new(0x10);
    c.r8 = U64::new(junk(rng));
    c.r13 = U64::new(junk(rng));
    c.r14 = U64::new(junk(rng));
    c.r15 = U64::new(junk(rng));
    c.eflags = U32::new(0x10246);
    c.mx_csr = U32::new(0x1f80);
    c.cs = U16::new(0x33);
    c.ss = U16::new(0x2b);
    let bytes = words.iter().flat_map(|w| w.to_le_bytes()).collect();
    Laid { start, bytes, context: ContextModel::from_struct(&c) }
}

fn module(base: u64, size: u64, path: &str, build_id: &[u8]) -> ModuleModel {
    let mut cv_record = CV_SIGNATURE_BPEL.to_le_bytes().to_vec();
    cv_record.extend_from_slice(build_id);
    ModuleModel {
        raw: MinidumpModule {
            base_of_image: U64::new(base),
            size_of_image: U32::new(size as u32),
            ..Default::default()
        },
        name: utf16(path),
        cv_record,
        misc_record: Vec::new(),
    }
}

/// Generates the dump and `app`'s symbol file.
pub fn generate(shape: &Shape) -> Synthetic {
    let mut rng = Rng(shape.seed);
    let app_build_id: Vec<u8> = (0..20).map(|_| rng.next() as u8).collect();
    let libc_build_id: Vec<u8> = (0..20).map(|_| rng.next() as u8).collect();
    let debug_id = mdump_reader::module_list::elf_debug_id(&app_build_id);
    let functions = layout_functions(&mut rng, shape.functions);
    let text = app_symbols(&mut rng, &functions, &debug_id, &app_build_id);
    let app_size = functions.last().map_or(TEXT_START, |&(a, s)| a + s).next_multiple_of(0x1000) + 0x3000;

    let app_frame = |rng: &mut Rng, exact: bool| {
        let (address, size) = functions[rng.below(functions.len() as u64) as usize];
        // Inside the body; a return address is one past the call in it.
        let offset = rng.range(BODY, size - 2) + u64::from(!exact);
        APP_BASE + address + offset
    };
    let mut threads = Vec::new();
    let mut memory = Vec::new();
    let mut crash_context = None;
    let mut frame_count = 0;
    for t in 0..shape.threads {
        let depth = rng.range(shape.depth.0 as u64, shape.depth.1 as u64) as usize;
        let frames: Vec<Frame> = (0..depth)
            .map(|k| {
                let address = if t > 0 && k < 2 {
                    let f = LIBC_FUNCTIONS[rng.below(LIBC_FUNCTIONS.len() as u64) as usize];
                    LIBC_BASE + f + rng.range(0x20, 0x90) + u64::from(k > 0)
                } else {
                    app_frame(&mut rng, k == 0)
                };
                Frame { address, locals: 0x10 * rng.below(13), rbx: junk(&mut rng), r12: junk(&mut rng) }
            })
            .collect();
        frame_count += frames.len();
        let top = 0x7ffc_8000_0000 - u64::from(t) * 0x80_0000;
        let laid = lay_out(&mut rng, &frames, top);
        let id = 4242 + t;
        let stack = MemoryRange { start: laid.start, size: laid.bytes.len() as u64 };
        if t == 0 {
            crash_context = Some(laid.context.clone());
        }
        threads.push(thread(id, stack, laid.context));
        memory.push((laid.start, laid.bytes));
    }
    let record = MinidumpException {
        exception_code: U32::new(11),
        exception_flags: U32::new(1),
        exception_address: U64::new(0x10),
        ..Default::default()
    };
    let model = DumpModel {
        time_date_stamp: 1_700_000_000,
        flags: 0,
        streams: vec![
            StreamModel::ThreadList(threads),
            StreamModel::ModuleList(vec![
                module(APP_BASE, app_size, "/opt/app/bin/app", &app_build_id),
                module(LIBC_BASE, LIBC_SIZE, "/lib/x86_64-linux-gnu/libc.so.6", &libc_build_id),
            ]),
            StreamModel::Exception(ExceptionModel {
                thread_id: 4242,
                record,
                context: crash_context.unwrap_or_default(),
            }),
            StreamModel::SystemInfo(system_info(
                PROCESSOR_ARCHITECTURE_AMD64,
                PLATFORM_LINUX,
                "Linux 6.1.0-18-amd64 #1 SMP PREEMPT_DYNAMIC Debian 6.1.76-1 x86_64",
            )),
        ],
    };
    let mut source = SliceMemory::new(memory.iter().map(|(a, b)| (*a, &b[..])).collect());
    let dump = model.write(std::io::Cursor::new(Vec::new()), &mut source).expect("write to memory").into_inner();
    Synthetic { dump, symbols: vec![SymbolFile { debug_file: "app".into(), debug_id, text }], frames: frame_count }
}
