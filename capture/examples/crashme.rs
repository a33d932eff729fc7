//! `crashme KIND DUMP_DIR`: installs the crash handler writing into
//! DUMP_DIR, then crashes in a function named `crash_<kind>`. It must leave
//! exactly one `.dmp` there and die of the signal. The crash-matrix tests
//! (`tests/crash_matrix.rs`) run every kind.
//!
//! KIND: segv, abort, fpe, ill, bus, trap, sys, stack-overflow,
//! heap-corruption, malloc-lock, two-threads, threads-500; and for the
//! handler's own tests: `now` (a `write_dump_now` dump, then a normal exit),
//! `chain` and `chain-abort` (a handler installed before ours reports the
//! siginfo it gets and exits with 42), `filtered` (the filter callback
//! refuses the dump), `nondumpable` (crash after `PR_SET_DUMPABLE` 0),
//! `helper-gone` (the helper process is killed before the crash),
//! `pthread-overflow` / `pthread-overflow-bare` (stack overflow on a
//! pthread with / without `thread_init`), `fork-child` (a forked child
//! crashes), `fp` (known vector register values in the crashing and another thread),
//! `small-altstack` (the handler on a signal stack of the kernel's minimum
//! plus 2 KiB);
//! `park` does not crash: 50 threads with deep stacks sleep until killed;
//! `bare-segv` crashes without installing the handler (a baseline);
//! `timed-N` crashes with N parked threads and prints
//! `crashme: fault to dump ns T` (nanoseconds from just before the fault to
//! the finished dump).
//!
//! Proof that the crash path does not allocate: the global allocator below
//! ends the process with exit code 97 if anything allocates between the
//! handler's first-chance callback and its after-dump callback, in any
//! thread. The `heap-corruption` and `malloc-lock` kinds additionally leave
//! glibc's allocator unusable (poisoned free lists; the main arena's lock
//! held by a thread blocked in a write) at the moment of the crash.
//!
//! Before crashing it writes the ids of all its threads to
//! `DUMP_DIR/threads.txt`.
#![allow(clippy::missing_safety_doc)]

#[macro_use]
#[path = "support/machine.rs"]
mod machine;

use mdump_capture::handler::{self, CrashInfo, HandlerOptions};
use std::alloc::{GlobalAlloc, Layout, System};
use std::hint::black_box;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Barrier};

/// True from the first-chance callback to the after-dump callback.
static CRASHING: AtomicBool = AtomicBool::new(false);

/// The system allocator, refusing to serve while the crash path runs.
struct Guarded;

fn allocated_in_crash_path() -> ! {
    let msg = b"crashme: the crash path allocated\n";
    // SAFETY: raw write and _exit: async-signal-safe.
    unsafe {
        libc::write(1, msg.as_ptr().cast(), msg.len());
        libc::_exit(97)
    }
}

// SAFETY: forwards to System; the check only ends the process.
unsafe impl GlobalAlloc for Guarded {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        if CRASHING.load(Ordering::SeqCst) {
            allocated_in_crash_path();
        }
        // SAFETY: the caller's contract, passed on.
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        if CRASHING.load(Ordering::SeqCst) {
            allocated_in_crash_path();
        }
        // SAFETY: as above.
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        if CRASHING.load(Ordering::SeqCst) {
            allocated_in_crash_path();
        }
        // SAFETY: as above.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static ALLOCATOR: Guarded = Guarded;

/// For `two-threads`: how many threads are in the handler.
static ENTERED: AtomicUsize = AtomicUsize::new(0);
/// For `two-threads`: hold each crashing thread until both are in.
static WAIT_FOR_TWO: AtomicBool = AtomicBool::new(false);

fn first_chance(_: &CrashInfo) -> bool {
    CRASHING.store(true, Ordering::SeqCst);
    if WAIT_FOR_TWO.load(Ordering::SeqCst) {
        // Both crashers inside the handler before either goes on, so the
        // dump surely meets one of them waiting (at most 5 s; clock_gettime
        // is async-signal-safe).
        ENTERED.fetch_add(1, Ordering::SeqCst);
        let now = || {
            let mut t = libc::timespec { tv_sec: 0, tv_nsec: 0 };
            // SAFETY: writes the local.
            unsafe { libc::clock_gettime(libc::CLOCK_MONOTONIC, &mut t) };
            t.tv_sec
        };
        let start = now();
        while ENTERED.load(Ordering::SeqCst) < 2 && now() - start < 5 {
            std::hint::spin_loop();
        }
    }
    false
}

/// For `timed-N`: CLOCK_MONOTONIC nanoseconds just before the fault.
static FAULT_AT: core::sync::atomic::AtomicU64 = core::sync::atomic::AtomicU64::new(0);

fn monotonic_ns() -> u64 {
    let mut t = libc::timespec { tv_sec: 0, tv_nsec: 0 };
    // SAFETY: writes the local; async-signal-safe.
    unsafe { libc::clock_gettime(libc::CLOCK_MONOTONIC, &mut t) };
    t.tv_sec as u64 * 1_000_000_000 + t.tv_nsec as u64
}

fn after_dump(path: &[u8], ok: bool, _: &CrashInfo) {
    let fault_at = FAULT_AT.load(Ordering::SeqCst);
    if fault_at != 0 {
        let mut buf = [0u8; 64];
        let head = b"crashme: fault to dump ns ";
        buf[..head.len()].copy_from_slice(head);
        let mut at = head.len();
        let ns = monotonic_ns().saturating_sub(fault_at);
        let digits = ns.checked_ilog10().unwrap_or(0) as usize + 1;
        for i in (0..digits).rev() {
            buf[at + i] = b'0' + (ns / 10u64.pow((digits - 1 - i) as u32) % 10) as u8;
        }
        at += digits;
        buf[at] = b'\n';
        say(&buf[..at + 1]);
    }
    let head: &[u8] = if ok { b"crashme: dump " } else { b"crashme: dump failed: " };
    // SAFETY: raw writes of our own buffers.
    unsafe {
        libc::write(1, head.as_ptr().cast(), head.len());
        libc::write(1, path.as_ptr().cast(), path.len());
        libc::write(1, b"\n".as_ptr().cast(), 1);
    }
    // What follows (a chained handler such as std's stack-overflow report)
    // is not our crash path.
    CRASHING.store(false, Ordering::SeqCst);
}

/// Records every thread id of this process in DUMP_DIR/threads.txt.
fn record_threads(dir: &str) {
    let mut tids: Vec<String> = std::fs::read_dir("/proc/self/task")
        .expect("/proc/self/task")
        .map(|e| e.expect("task entry").file_name().to_string_lossy().into_owned())
        .collect();
    tids.sort();
    std::fs::write(format!("{dir}/threads.txt"), tids.join("\n") + "\n").expect("threads.txt");
}

#[inline(never)]
#[no_mangle]
pub fn crash_segv() {
    // SAFETY: none; this is the crash (a store to address 0).
    unsafe { store_to_null!(42) };
}

/// The value `crash_fp` puts in xmm1 / v1 (and r12 / x12 its low half)
/// before it faults, and (complemented) the one `fp-spinner` keeps in xmm2
/// / v2.
pub const FP_PATTERN: u128 = 0x0123_4567_89ab_cdef_fedc_ba98_7654_3210;

#[inline(never)]
#[no_mangle]
pub fn crash_fp() {
    // SAFETY: none; loads known values into vector register 1 and general
    // register 12, then the null write, so the signal frame holds them.
    unsafe { vectors_then_fault!(FP_PATTERN) };
}

/// Spins forever with `!FP_PATTERN` in xmm2 (a thread whose registers the
/// helper reads with ptrace).
fn fp_spinner(ready: &AtomicBool) -> ! {
    let v = !FP_PATTERN;
    ready.store(true, Ordering::SeqCst);
    // SAFETY: register moves and a jump to itself.
    unsafe { vectors_then_spin!(v) }
}

#[inline(never)]
#[no_mangle]
pub fn crash_abort() {
    std::process::abort();
}

#[inline(never)]
#[no_mangle]
pub fn crash_fpe() {
    // SAFETY: none; integer division by zero (Rust's `/` would check).
    unsafe { divide_by_zero!() };
}

#[inline(never)]
#[no_mangle]
pub fn crash_ill() {
    // SAFETY: none; an undefined instruction.
    unsafe { undefined_instruction!() };
}

#[inline(never)]
#[no_mangle]
pub fn crash_bus(page: usize) {
    // SAFETY: none; the page lies past the end of the mapped file.
    unsafe { load_byte!(page) };
}

#[inline(never)]
#[no_mangle]
pub fn crash_trap() {
    // SAFETY: a breakpoint.
    unsafe { breakpoint!() };
}

/// The system call number the seccomp filter traps (not a real one).
const TRAPPED_SYSCALL: u32 = 1000;

#[inline(never)]
#[no_mangle]
pub fn crash_sys() {
    // SAFETY: the filter turns this system call into SIGSYS.
    unsafe { raw_syscall!(TRAPPED_SYSCALL) };
}

#[inline(never)]
#[no_mangle]
#[allow(unconditional_recursion)]
pub fn crash_stack_overflow(depth: u64) -> u64 {
    let frame = black_box([depth; 128]);
    crash_stack_overflow(depth + 1) + frame[(depth % 128) as usize]
}

#[inline(never)]
#[no_mangle]
pub fn crash_heap_corruption() {
    // SAFETY: deliberately corrupts glibc's heap: for every tcache size
    // class, two chunks are freed and the head's `next` link overwritten
    // (a use after free), so the second malloc of any small size after this
    // aborts ("unaligned tcache chunk"). Then a null write.
    unsafe {
        for size in (16..=1024).step_by(16) {
            let a = libc::malloc(size);
            let b = libc::malloc(size);
            libc::free(a);
            libc::free(b);
            core::ptr::write_volatile(b.cast::<u64>(), 0x4141_4141_4141_4141);
        }
        store_to_null!(44);
    }
}

#[inline(never)]
#[no_mangle]
pub fn crash_malloc_lock() {
    // A different value from crash_segv's store: identical bodies would be
    // folded into one address by the linker, and the dump would name the
    // wrong function.
    // SAFETY: the crash.
    unsafe { store_to_null!(43) };
}

#[inline(never)]
#[no_mangle]
pub fn crash_two_threads(barrier: &Barrier) {
    barrier.wait();
    // SAFETY: the crash, in two threads at once.
    unsafe { store_to_null!(46) };
}

#[inline(never)]
#[no_mangle]
pub fn crash_threads_500() {
    // SAFETY: the crash.
    unsafe { store_to_null!(45) };
}

/// A file mapped one page long but zero bytes long: its page is past EOF.
fn page_past_eof(dir: &str) -> usize {
    let path = format!("{dir}/bus.tmp");
    let file =
        std::fs::OpenOptions::new().read(true).write(true).create(true).truncate(true).open(&path).expect("bus file");
    // SAFETY: mapping our own (empty) file.
    let p = unsafe {
        libc::mmap(
            core::ptr::null_mut(),
            4096,
            libc::PROT_READ,
            libc::MAP_SHARED,
            std::os::fd::AsRawFd::as_raw_fd(&file),
            0,
        )
    };
    assert_ne!(p, libc::MAP_FAILED, "mmap");
    std::fs::remove_file(&path).expect("remove bus file");
    p as usize
}

/// Installs a seccomp filter on this thread that turns system call
/// [`TRAPPED_SYSCALL`] into SIGSYS and allows everything else.
fn trap_syscall() {
    const LD_W_ABS: u16 = 0x20;
    const JEQ_K: u16 = 0x15;
    const RET_K: u16 = 0x06;
    const SECCOMP_RET_TRAP: u32 = 0x0003_0000;
    const SECCOMP_RET_ALLOW: u32 = 0x7fff_0000;
    let f = |code, jt, jf, k| libc::sock_filter { code, jt, jf, k };
    let program = [
        f(LD_W_ABS, 0, 0, 4),
        f(JEQ_K, 0, 3, machine::AUDIT_ARCH),
        f(LD_W_ABS, 0, 0, 0),
        f(JEQ_K, 0, 1, TRAPPED_SYSCALL),
        f(RET_K, 0, 0, SECCOMP_RET_TRAP),
        f(RET_K, 0, 0, SECCOMP_RET_ALLOW),
    ];
    let prog = libc::sock_fprog { len: program.len() as u16, filter: program.as_ptr() as *mut _ };
    // SAFETY: a valid filter program; NO_NEW_PRIVS makes it allowed
    // without CAP_SYS_ADMIN.
    unsafe {
        assert_eq!(libc::prctl(libc::PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0), 0, "no_new_privs");
        assert_eq!(libc::prctl(libc::PR_SET_SECCOMP, libc::SECCOMP_MODE_FILTER, &prog as *const _), 0, "seccomp");
    }
}

/// Raw write to stdout (no allocation, no std lock).
fn say(msg: &[u8]) {
    // SAFETY: writes our own buffer.
    unsafe { libc::write(1, msg.as_ptr().cast(), msg.len()) };
}

/// Leaves glibc's main arena locked: a thread calls `malloc_stats()`, which
/// takes the main arena's mutex and, still holding it, prints to stderr;
/// stderr is a pipe filled to the brim that nobody reads, so that thread
/// blocks in `write(2, ...)` with the lock held. Returns once a second
/// thread's `malloc_trim(0)` (which needs the same lock) is seen stuck,
/// which proves the lock is held. From the moment the lock is taken this
/// thread allocates nothing either (it would block too): both helper
/// threads exist and `threads.txt` is written before.
fn hold_malloc_lock(dir: &str) {
    static HOLD: AtomicBool = AtomicBool::new(false);
    static PROBE: AtomicBool = AtomicBool::new(false);
    static TRIMMED: AtomicBool = AtomicBool::new(false);
    static HOLDER_TID: AtomicUsize = AtomicUsize::new(0);
    std::thread::Builder::new()
        .name("malloc-holder".into())
        .spawn(|| {
            // SAFETY: gettid has no preconditions.
            HOLDER_TID.store(unsafe { libc::gettid() } as usize, Ordering::SeqCst);
            while !HOLD.load(Ordering::SeqCst) {
                std::thread::sleep(std::time::Duration::from_millis(1));
            }
            // SAFETY: blocks forever in its first write to stderr.
            unsafe { libc::malloc_stats() };
        })
        .expect("spawn");
    std::thread::Builder::new()
        .name("malloc-prober".into())
        .spawn(|| {
            while !PROBE.load(Ordering::SeqCst) {
                std::thread::sleep(std::time::Duration::from_millis(1));
            }
            // SAFETY: malloc_trim locks every arena; it blocks here.
            unsafe { libc::malloc_trim(0) };
            TRIMMED.store(true, Ordering::SeqCst);
        })
        .expect("spawn");
    while HOLDER_TID.load(Ordering::SeqCst) == 0 {
        std::thread::yield_now();
    }
    let syscall_path = format!("/proc/self/task/{}/syscall\0", HOLDER_TID.load(Ordering::SeqCst));
    record_threads(dir);
    let mut fds = [0i32; 2];
    // SAFETY: plain descriptor calls on our own pipe.
    unsafe {
        assert_eq!(libc::pipe(fds.as_mut_ptr()), 0);
        libc::fcntl(fds[1], libc::F_SETFL, libc::O_NONBLOCK);
        let junk = [b'x'; 4096];
        while libc::write(fds[1], junk.as_ptr().cast(), junk.len()) > 0 {}
        let tail = [b'x'; 1];
        while libc::write(fds[1], tail.as_ptr().cast(), 1) > 0 {}
        libc::fcntl(fds[1], libc::F_SETFL, 0);
        libc::dup2(fds[1], 2);
    }
    HOLD.store(true, Ordering::SeqCst);
    // Wait until the holder sits in write(2, ...): /proc says syscall 1, fd 2.
    loop {
        let mut buf = [0u8; 64];
        // SAFETY: a NUL-terminated path and our own buffer.
        let n = unsafe {
            let fd = libc::open(syscall_path.as_ptr().cast(), libc::O_RDONLY);
            let n = libc::read(fd, buf.as_mut_ptr().cast(), buf.len());
            libc::close(fd);
            n
        };
        if n > 6 && buf.starts_with(b"1 0x2 ") {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(1));
    }
    PROBE.store(true, Ordering::SeqCst);
    std::thread::sleep(std::time::Duration::from_millis(200));
    if TRIMMED.load(Ordering::SeqCst) {
        say(b"crashme: the main arena's lock was not held\n");
        // SAFETY: ends the process.
        unsafe { libc::_exit(3) };
    }
    say(b"crashme: malloc lock held\n");
}

/// Recurses `depth` frames of 1 KiB, then counts itself started and parks.
#[inline(never)]
fn deep_park(depth: u32, started: &AtomicUsize) -> u8 {
    let frame = black_box([depth as u8; 1024]);
    if depth == 0 {
        started.fetch_add(1, Ordering::SeqCst);
        loop {
            std::thread::park();
        }
    }
    deep_park(depth - 1, started) ^ frame[depth as usize]
}

fn refuse(_: &CrashInfo) -> bool {
    CRASHING.store(false, Ordering::SeqCst);
    say(b"crashme: filter said no\n");
    false
}

/// Appends `v` in hex to `buf` at `at`; returns the new end.
fn put_hex(buf: &mut [u8], mut at: usize, v: u64) -> usize {
    buf[at..at + 2].copy_from_slice(b"0x");
    at += 2;
    let digits = if v == 0 { 1 } else { (64 - v.leading_zeros() as usize).div_ceil(4) };
    for i in (0..digits).rev() {
        buf[at] = b"0123456789abcdef"[((v >> (i * 4)) & 0xf) as usize];
        at += 1;
    }
    at
}

/// A handler installed before ours: reports the siginfo it got and exits
/// with code 42 (async-signal-safe: a stack buffer and raw writes).
extern "C" fn previous(signal: i32, info: *mut libc::siginfo_t, _: *mut libc::c_void) {
    let mut buf = [0u8; 128];
    let head = b"crashme: previous handler: signal ";
    buf[..head.len()].copy_from_slice(head);
    let mut at = put_hex(&mut buf, head.len(), signal as u64);
    // SAFETY: the kernel's siginfo.
    let (code, addr) = unsafe { ((*info).si_code, (*info).si_addr() as u64) };
    buf[at..at + 6].copy_from_slice(b" code ");
    at = put_hex(&mut buf, at + 6, code as i64 as u64);
    buf[at..at + 6].copy_from_slice(b" addr ");
    at = put_hex(&mut buf, at + 6, addr);
    buf[at] = b'\n';
    say(&buf[..at + 1]);
    // SAFETY: ends the process.
    unsafe { libc::_exit(42) };
}

fn previous_handler(signal: i32) {
    // SAFETY: a zeroed sigaction with our SA_SIGINFO handler.
    unsafe {
        let mut action: libc::sigaction = core::mem::zeroed();
        action.sa_sigaction = previous as *const () as usize;
        action.sa_flags = libc::SA_SIGINFO;
        assert_eq!(libc::sigaction(signal, &action, core::ptr::null_mut()), 0);
    }
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.len() != 3 {
        eprintln!("usage: crashme KIND DUMP_DIR");
        std::process::exit(2);
    }
    let (kind, dir) = (args[1].as_str(), args[2].as_str());
    if kind == "bare-segv" {
        // The baseline for the core-file test: the same crash, no handler.
        crash_segv();
    }
    // Handlers installed before ours, which ours must chain to.
    match kind {
        "chain" => previous_handler(libc::SIGSEGV),
        "chain-abort" => previous_handler(libc::SIGABRT),
        _ => {}
    }
    let mut options = HandlerOptions::new(dir);
    options.first_chance = Some(first_chance);
    options.after_dump = Some(after_dump);
    if kind == "filtered" {
        options.filter = Some(refuse);
    }
    options.capture.annotations = vec![("crashme.kind".into(), kind.into())];
    handler::install(options).expect("install");
    match kind {
        "pthread-overflow" | "pthread-overflow-bare" => {
            // A thread made by pthread_create, not std: no alternate signal
            // stack unless thread_init gives it one.
            extern "C" fn body(init: *mut libc::c_void) -> *mut libc::c_void {
                let _guard = (!init.is_null()).then(|| handler::thread_init().expect("thread_init"));
                black_box(crash_stack_overflow(0));
                core::ptr::null_mut()
            }
            record_threads(dir);
            let init = if kind == "pthread-overflow" { 1usize } else { 0 };
            // SAFETY: a plain pthread running `body`, joined below.
            unsafe {
                let mut t: libc::pthread_t = core::mem::zeroed();
                assert_eq!(libc::pthread_create(&mut t, core::ptr::null(), body, init as *mut libc::c_void), 0);
                libc::pthread_join(t, core::ptr::null_mut());
            }
        }
        "fork-child" => {
            // A child forked without exec inherits the handler but must not
            // dump (the helper serves the parent): it dies of its signal,
            // and the parent exits with that signal number + 100.
            record_threads(dir);
            // SAFETY: the child only crashes.
            let child = unsafe { libc::fork() };
            if child == 0 {
                crash_segv();
            }
            let mut status = 0;
            // SAFETY: our own child.
            unsafe { libc::waitpid(child, &mut status, 0) };
            let code = if libc::WIFSIGNALED(status) { 100 + libc::WTERMSIG(status) } else { 1 };
            std::process::exit(code);
        }
        "fp" => {
            // Known vector registers: xmm1 in the crashing thread's signal
            // frame, xmm2 in a spinning thread read with ptrace.
            static READY: AtomicBool = AtomicBool::new(false);
            std::thread::Builder::new().name("fp-spinner".into()).spawn(|| fp_spinner(&READY)).expect("spawn");
            while !READY.load(Ordering::SeqCst) {
                std::thread::yield_now();
            }
            // Let it reach its loop.
            std::thread::sleep(std::time::Duration::from_millis(50));
            record_threads(dir);
            crash_fp();
        }
        "small-altstack" => {
            // An alternate stack with room for the kernel's signal frame
            // (AT_MINSIGSTKSZ) plus 2 KiB: the handler and crashme's
            // callbacks must fit in those 2 KiB, as the altstack docs claim.
            // SAFETY: getauxval has no preconditions; the mapping is ours
            // and stays for the rest of the process.
            unsafe {
                let frame = (libc::getauxval(libc::AT_MINSIGSTKSZ) as usize).max(libc::MINSIGSTKSZ);
                let size = frame + 2048;
                // A guard page right below, so using more faults at once.
                let pages = size.div_ceil(4096) * 4096;
                let mem = libc::mmap(
                    core::ptr::null_mut(),
                    pages + 4096,
                    libc::PROT_READ | libc::PROT_WRITE,
                    libc::MAP_PRIVATE | libc::MAP_ANONYMOUS,
                    -1,
                    0,
                );
                assert_ne!(mem, libc::MAP_FAILED);
                assert_eq!(libc::mprotect(mem, 4096, libc::PROT_NONE), 0);
                // The stack's lowest byte sits right above the guard page.
                let stack = libc::stack_t { ss_sp: mem.cast::<u8>().add(4096).cast(), ss_flags: 0, ss_size: size };
                assert_eq!(libc::sigaltstack(&stack, core::ptr::null_mut()), 0);
            }
            record_threads(dir);
            crash_segv();
        }
        "helper-gone" => {
            // The helper dies before the crash: no dump, and still the
            // right signal (not SIGPIPE, not a hang).
            let helper = handler::helper_pid().expect("helper");
            // SAFETY: our own child; SIGPIPE back at its default (Rust
            // ignores it at start-up, C programs do not).
            unsafe {
                libc::signal(libc::SIGPIPE, libc::SIG_DFL);
                libc::kill(helper, libc::SIGKILL);
                libc::waitpid(helper, core::ptr::null_mut(), 0);
            }
            record_threads(dir);
            crash_segv();
        }
        "chain" | "filtered" => {
            record_threads(dir);
            crash_segv();
        }
        "chain-abort" => {
            record_threads(dir);
            crash_abort();
        }
        "nondumpable" => {
            // SAFETY: an integer prctl.
            assert_eq!(unsafe { libc::prctl(libc::PR_SET_DUMPABLE, 0, 0, 0, 0) }, 0);
            record_threads(dir);
            crash_segv();
        }
        "segv" => {
            record_threads(dir);
            crash_segv();
        }
        "abort" => {
            record_threads(dir);
            crash_abort();
        }
        "fpe" => {
            record_threads(dir);
            crash_fpe();
        }
        "ill" => {
            record_threads(dir);
            crash_ill();
        }
        "bus" => {
            let page = page_past_eof(dir);
            record_threads(dir);
            crash_bus(page);
        }
        "trap" => {
            record_threads(dir);
            crash_trap();
        }
        "sys" => {
            record_threads(dir);
            trap_syscall();
            crash_sys();
        }
        "stack-overflow" => {
            record_threads(dir);
            black_box(crash_stack_overflow(0));
        }
        "heap-corruption" => {
            record_threads(dir);
            crash_heap_corruption();
        }
        "malloc-lock" => {
            hold_malloc_lock(dir);
            crash_malloc_lock();
        }
        "two-threads" => {
            WAIT_FOR_TWO.store(true, Ordering::SeqCst);
            let barrier = Arc::new(Barrier::new(3));
            let threads: Vec<_> = (0..2)
                .map(|i| {
                    let b = barrier.clone();
                    std::thread::Builder::new()
                        .name(format!("crasher-{i}"))
                        .spawn(move || crash_two_threads(&b))
                        .expect("spawn")
                })
                .collect();
            record_threads(dir);
            // Release both crashers at once.
            barrier.wait();
            for t in threads {
                let _ = t.join();
            }
        }
        "threads-500" => {
            let started = Arc::new(AtomicUsize::new(0));
            for i in 0..500 {
                let s = started.clone();
                std::thread::Builder::new()
                    .name(format!("idle-{i}"))
                    .stack_size(64 * 1024)
                    .spawn(move || {
                        s.fetch_add(1, Ordering::SeqCst);
                        loop {
                            std::thread::park();
                        }
                    })
                    .expect("spawn");
            }
            while started.load(Ordering::SeqCst) < 500 {
                std::thread::yield_now();
            }
            record_threads(dir);
            crash_threads_500();
        }
        "park" => {
            // Not a crash: 50 threads, each 16 frames of 1 KiB deep, then
            // everyone sleeps until killed (a target for dumps by pid).
            let started = Arc::new(AtomicUsize::new(0));
            for i in 0..50 {
                let s = started.clone();
                std::thread::Builder::new()
                    .name(format!("parked-{i}"))
                    .spawn(move || deep_park(16, &s))
                    .expect("spawn");
            }
            while started.load(Ordering::SeqCst) < 50 {
                std::thread::yield_now();
            }
            record_threads(dir);
            say(b"crashme: parked\n");
            loop {
                std::thread::park();
            }
        }
        timed if timed.starts_with("timed-") => {
            // N parked threads 16 frames deep, then a null write; the
            // after-dump callback prints the time from just before the
            // fault to the finished dump (for the capture benchmark).
            let n: usize = timed["timed-".len()..].parse().expect("timed-THREADS");
            let started = Arc::new(AtomicUsize::new(0));
            for i in 0..n {
                let s = started.clone();
                std::thread::Builder::new()
                    .name(format!("parked-{i}"))
                    .stack_size(256 * 1024)
                    .spawn(move || deep_park(16, &s))
                    .expect("spawn");
            }
            while started.load(Ordering::SeqCst) < n {
                std::thread::yield_now();
            }
            record_threads(dir);
            FAULT_AT.store(monotonic_ns(), Ordering::SeqCst);
            crash_segv();
        }
        "now" => {
            record_threads(dir);
            let path = handler::write_dump_now().expect("write_dump_now");
            println!("crashme: dump {}", path.display());
            return;
        }
        other => {
            eprintln!("unknown kind {other}");
            std::process::exit(2);
        }
    }
    println!("crashme: survived {kind}");
    std::process::exit(1);
}
