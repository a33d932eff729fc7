//! The in-process crash handler.
//!
//! # The mechanism: a helper process forked at `install()`
//!
//! After a crash the process is in an unknown state: the heap may be
//! corrupt, another thread may hold the allocator's lock, the faulting
//! thread's stack may be used up. So the crashed process does almost
//! nothing itself. [`install`] forks a **helper process** up front, while the
//! process is healthy, connected to it by a `SOCK_SEQPACKET` socket pair.
//! On a crash the signal handler (on the thread's alternate signal stack):
//!
//! 1. runs the first-chance callback, if any (it may claim the signal);
//! 2. takes the process-wide dump slot (an atomic word: the first crashing
//!    thread wins, any other crashing thread sleeps on it with `futex`, so
//!    simultaneous crashes give one dump). A waiting thread has put its tid
//!    and signal frame in a static table (`WAITERS`) whose address the
//!    helper gets with the request, so the dump shows it at its own crash,
//!    not asleep in the handler;
//! 3. runs the filter callback, if any;
//! 4. makes the process dumpable if it is not (`PR_SET_DUMPABLE`, so the
//!    helper may ptrace it; put back afterwards);
//! 5. sends `{tid, signal, si_code, si_addr, address of the ucontext}` from
//!    a static buffer and blocks reading the reply into another static
//!    buffer;
//! 6. runs the after-dump callback with the dump's path;
//! 7. puts back the signal dispositions that were there before
//!    [`install`], marks the crash as dumped, frees the slot, and re-raises:
//!    a fault (SIGSEGV, SIGBUS, SIGFPE, SIGILL with `si_code > 0`) simply
//!    happens again when the handler returns; anything else (SIGABRT,
//!    SIGTRAP, SIGSYS, signals sent by `kill`) is queued again to the same
//!    thread with its original siginfo (`rt_tgsigqueueinfo`). A previous
//!    handler therefore sees the crash as if we had not been there (that is
//!    how handlers are chained), and with the default disposition the
//!    process dies of the original signal, with its usual exit status and
//!    core file.
//!
//! Every step is a raw `syscall` instruction (module `sys`): no libc
//! function, so no lazy binding even without `-z now` (Rust links with
//! `-z now` anyway), no `errno`, no allocation, no lock but our own atomic
//! word. The helper meanwhile seizes every thread with ptrace, reads the
//! crashing thread's registers from the `ucontext` in the crashed process's
//! memory (ptrace would show the handler's state instead), and writes the
//! dump with the same ordinary Rust collector as [`crate::write_dump_of_process`].
//! It can allocate freely: it is another process. (glibc's `fork` resets
//! the malloc locks in the child, so the helper's heap works even if
//! another thread held an arena lock at `install()` time; the helper uses no
//! other lock the parent's threads might have held — no stdio, no
//! environment.)
//!
//! Why not Breakpad's `clone()` + ptrace at crash time: the dumper would run
//! in a half-dead process's address space and must then never allocate,
//! which rules out the ordinary collector and doubles the code. The price
//! of our choice is one sleeping process per handled process, and that a
//! fork after heavy multithreading copies the page tables (install early).
//!
//! **Yama**: with `ptrace_scope` 1 only ancestors may ptrace; the helper is
//! a child, so `install` calls `PR_SET_PTRACER(helper)` (harmless without
//! Yama). `ptrace_scope` 2 and 3 need `CAP_SYS_PTRACE` in the helper.
//!
//! **The helper's lifetime**: it exits when the process closes its end of
//! the socket, i.e. when the process exits or execs (the socket is
//! close-on-exec). `PR_SET_PDEATHSIG` is deliberately not used: it fires
//! when the *thread* that forked exits, which would kill the helper of a
//! process whose `install` ran on a short-lived thread. The helper starts
//! by making itself a session of its own with default signal handling (a
//! Ctrl-C for the process's group does not reach it) and by closing every
//! descriptor it inherited but its socket (0-2 become /dev/null), so it
//! holds none of the process's pipes, sockets or locks.
//!
//! **Caveats**: install after daemonizing (a forked child does not use its
//! parent's helper), and do not close the handler's socket (a program that
//! closes every descriptor it does not know loses its dumps; the after-dump
//! callback then reports the failure).
//!
//! # Alternate stacks
//!
//! See [`altstack`]: std threads have one; `install` enlarges the calling
//! thread's; call [`thread_init`] on threads created outside std.
//!
//! # Callbacks
//!
//! Callbacks are plain `fn` pointers called **in signal context** on the
//! crashing thread: they must be async-signal-safe themselves (no
//! allocation, no locks, no stdio; raw `write(2)` is fine).

pub mod altstack;
pub mod helper;
pub mod sys;

pub use altstack::{thread_init, AltStackGuard, ALTSTACK_SIZE};

use crate::error::CaptureError;
use crate::options::Options;
use core::cell::UnsafeCell;
use core::sync::atomic::{AtomicBool, AtomicI32, AtomicU64, Ordering};
use helper::{Reply, Request, KIND_CRASH, KIND_REQUEST, MAGIC};
use std::path::PathBuf;
use sys::KernelSigaction;

/// The signals handled.
pub const SIGNALS: [i32; 7] =
    [libc::SIGSEGV, libc::SIGABRT, libc::SIGFPE, libc::SIGILL, libc::SIGBUS, libc::SIGTRAP, libc::SIGSYS];

/// What the handler knows about a crash, given to the callbacks.
#[derive(Clone, Copy, Debug)]
pub struct CrashInfo {
    /// The signal.
    pub signal: i32,
    /// Its `si_code`.
    pub code: i32,
    /// `si_addr`.
    pub address: u64,
    /// The crashing thread.
    pub tid: i32,
    /// The kernel's siginfo.
    pub siginfo: *const libc::siginfo_t,
    /// The signal frame's `ucontext_t`.
    pub ucontext: *const libc::c_void,
}

/// Called first; returning `true` claims the signal: no dump, and the
/// handler returns (the faulting instruction runs again).
pub type FirstChance = fn(&CrashInfo) -> bool;
/// Called before dumping; returning `false` skips the dump (the signal is
/// still passed on).
pub type Filter = fn(&CrashInfo) -> bool;
/// Called after the dump with its path (or, when it failed, the helper's
/// error message) and whether it succeeded.
pub type AfterDump = fn(path_or_error: &[u8], succeeded: bool, crash: &CrashInfo);

/// How to handle crashes.
#[derive(Clone, Debug)]
pub struct HandlerOptions {
    /// Where dumps go (`GUID.dmp`). Must exist.
    pub dump_dir: PathBuf,
    /// What the dumps contain.
    pub capture: Options,
    /// See [`FirstChance`].
    pub first_chance: Option<FirstChance>,
    /// See [`Filter`].
    pub filter: Option<Filter>,
    /// See [`AfterDump`].
    pub after_dump: Option<AfterDump>,
}

impl HandlerOptions {
    /// Dumps into `dump_dir` with default contents and no callbacks.
    pub fn new(dump_dir: impl Into<PathBuf>) -> HandlerOptions {
        HandlerOptions {
            dump_dir: dump_dir.into(),
            capture: Options::default(),
            first_chance: None,
            filter: None,
            after_dump: None,
        }
    }
}

/// A static written at install time (before any handler can run) and read
/// in signal context, or written only by the holder of the dump slot.
struct Global<T>(UnsafeCell<T>);
// SAFETY: see the access rules above; every access is documented in place.
unsafe impl<T> Sync for Global<T> {}

struct Config {
    /// The process that installed the handler (a forked child inherits the
    /// handler but not the helper: it must not ask for a dump).
    pid: i32,
    fd: i32,
    helper: i32,
    first_chance: Option<FirstChance>,
    filter: Option<Filter>,
    after_dump: Option<AfterDump>,
    previous: [KernelSigaction; SIGNALS.len()],
}

static INSTALLED: AtomicBool = AtomicBool::new(false);
/// Set (before the handler is live) once `CONFIG` is complete.
static READY: AtomicBool = AtomicBool::new(false);
static CONFIG: Global<Config> = Global(UnsafeCell::new(Config {
    pid: 0,
    fd: -1,
    helper: 0,
    first_chance: None,
    filter: None,
    after_dump: None,
    previous: [KernelSigaction { handler: 0, flags: 0, restorer: 0, mask: 0 }; SIGNALS.len()],
}));
/// The dump slot: 0 when free, else the tid of the thread dumping.
static OWNER: AtomicI32 = AtomicI32::new(0);
/// Set once a crash has been dumped: later crashing threads only pass
/// their signal on.
static CRASH_DUMPED: AtomicBool = AtomicBool::new(false);
static REQUEST: Global<Request> = Global(UnsafeCell::new(Request {
    magic: 0,
    kind: 0,
    tid: 0,
    signal: 0,
    code: 0,
    reserved: 0,
    address: 0,
    ucontext: 0,
    waiters: 0,
    waiter_count: 0,
    reserved2: 0,
}));
static REPLY: Global<Reply> = Global(UnsafeCell::new(Reply::EMPTY));

/// Room for threads crashing at the same time as the one being dumped.
pub const MAX_WAITERS: usize = 64;

/// One crashing thread in [`WAITERS`]: the helper reads the table from the
/// crashed process's memory (it is a fork, so the table's address is the
/// same there) to take those threads' registers from their signal frames.
#[repr(C)]
struct Waiter {
    tid: AtomicI32,
    reserved: u32,
    ucontext: AtomicU64,
}

#[allow(clippy::declare_interior_mutable_const)]
const NO_WAITER: Waiter = Waiter { tid: AtomicI32::new(0), reserved: 0, ucontext: AtomicU64::new(0) };
static WAITERS: [Waiter; MAX_WAITERS] = [NO_WAITER; MAX_WAITERS];

/// Enters a crashing thread and its ucontext in [`WAITERS`]; the slot, if
/// one was free.
fn register_waiter(tid: i32, ucontext: u64) -> Option<usize> {
    for (i, w) in WAITERS.iter().enumerate() {
        if w.tid.compare_exchange(0, -1, Ordering::AcqRel, Ordering::Relaxed).is_ok() {
            w.ucontext.store(ucontext, Ordering::Release);
            w.tid.store(tid, Ordering::Release);
            return Some(i);
        }
    }
    None
}

fn unregister_waiter(slot: Option<usize>) {
    if let Some(w) = slot.and_then(|i| WAITERS.get(i)) {
        w.ucontext.store(0, Ordering::Release);
        w.tid.store(0, Ordering::Release);
    }
}

/// Seconds the crashed process waits for the helper's reply before giving
/// up on the dump.
const REPLY_TIMEOUT_SECS: i64 = 120;

/// Installs the crash handler: forks the helper, then catches SIGSEGV,
/// SIGABRT, SIGFPE, SIGILL, SIGBUS, SIGTRAP and SIGSYS. Call it early (before
/// starting threads is best) and once.
pub fn install(options: HandlerOptions) -> Result<(), CaptureError> {
    if INSTALLED.swap(true, Ordering::SeqCst) {
        return Err(CaptureError::Other("the crash handler is already installed".into()));
    }
    let result = install_inner(options);
    if result.is_err() {
        INSTALLED.store(false, Ordering::SeqCst);
    }
    result
}

fn install_inner(options: HandlerOptions) -> Result<(), CaptureError> {
    if !options.dump_dir.is_dir() {
        return Err(CaptureError::Other(format!("dump directory {} does not exist", options.dump_dir.display())));
    }
    let dir = std::fs::canonicalize(&options.dump_dir)
        .map_err(|e| CaptureError::os(format!("resolving {}", options.dump_dir.display()), e))?;
    let mut fds = [0i32; 2];
    // SAFETY: `fds` has room for the two descriptors.
    if unsafe { libc::socketpair(libc::AF_UNIX, libc::SOCK_SEQPACKET | libc::SOCK_CLOEXEC, 0, fds.as_mut_ptr()) } != 0 {
        return Err(CaptureError::last_os("socketpair"));
    }
    let timeout = libc::timeval { tv_sec: REPLY_TIMEOUT_SECS, tv_usec: 0 };
    // SAFETY: a valid timeval for SO_RCVTIMEO on our socket.
    unsafe {
        libc::setsockopt(
            fds[0],
            libc::SOL_SOCKET,
            libc::SO_RCVTIMEO,
            (&timeout as *const libc::timeval).cast(),
            core::mem::size_of::<libc::timeval>() as u32,
        )
    };
    // SAFETY: getpid has no preconditions.
    let pid = unsafe { libc::getpid() };
    // SAFETY: fork; the child only runs the helper loop and `_exit`s.
    let child = unsafe { libc::fork() };
    if child < 0 {
        let e = CaptureError::last_os("fork of the dump helper");
        // SAFETY: our descriptors.
        unsafe {
            libc::close(fds[0]);
            libc::close(fds[1]);
        }
        return Err(e);
    }
    if child == 0 {
        // SAFETY: the parent's end is not ours to keep.
        unsafe { libc::close(fds[0]) };
        helper::run(fds[1], pid, dir, options.capture);
    }
    // SAFETY: the child's end lives in the child.
    unsafe { libc::close(fds[1]) };
    // Yama ptrace_scope 1: let the helper (a child, not an ancestor) trace us.
    // SAFETY: integer arguments; EINVAL without Yama is fine.
    unsafe { libc::prctl(libc::PR_SET_PTRACER, child as libc::c_ulong, 0, 0, 0) };

    // SAFETY: no handler of ours is installed yet, so nothing reads CONFIG.
    let config = unsafe { &mut *CONFIG.0.get() };
    config.pid = pid;
    config.fd = fds[0];
    config.helper = child;
    config.first_chance = options.first_chance;
    config.filter = options.filter;
    config.after_dump = options.after_dump;
    for (i, &signal) in SIGNALS.iter().enumerate() {
        sys::rt_sigaction(signal, None, Some(&mut config.previous[i]));
    }
    READY.store(true, Ordering::SeqCst);
    CRASH_DUMPED.store(false, Ordering::SeqCst);

    // SAFETY: a zeroed sigaction is valid; fields are set below.
    let mut action: libc::sigaction = unsafe { core::mem::zeroed() };
    action.sa_sigaction = on_signal as *const () as usize;
    action.sa_flags = libc::SA_SIGINFO | libc::SA_ONSTACK;
    // SAFETY: sa_mask is a valid sigset_t.
    unsafe {
        libc::sigemptyset(&mut action.sa_mask);
        for &signal in &SIGNALS {
            libc::sigaddset(&mut action.sa_mask, signal);
        }
    }
    for &signal in &SIGNALS {
        // SAFETY: `action` is fully initialised; `on_signal` has the
        // SA_SIGINFO signature.
        if unsafe { libc::sigaction(signal, &action, core::ptr::null_mut()) } != 0 {
            let e = CaptureError::last_os(format!("sigaction({signal})"));
            restore_previous();
            return Err(e);
        }
    }
    if let Ok(guard) = thread_init() {
        guard.keep();
    }
    Ok(())
}

/// Puts back the dispositions found at install time (raw syscall: callable
/// from the signal handler).
fn restore_previous() {
    // SAFETY: CONFIG is only written before READY is set.
    let config = unsafe { &*CONFIG.0.get() };
    for (i, &signal) in SIGNALS.iter().enumerate() {
        sys::rt_sigaction(signal, Some(&config.previous[i]), None);
    }
}

/// Takes the dump slot for `tid`, sleeping while another thread holds it.
/// `false` if `tid` holds it already (a crash inside `write_dump_now`).
fn acquire(tid: i32) -> bool {
    loop {
        match OWNER.compare_exchange(0, tid, Ordering::Acquire, Ordering::Relaxed) {
            Ok(_) => return true,
            Err(current) if current == tid => return false,
            Err(current) => sys::futex_wait(&OWNER, current),
        }
    }
}

/// Puts back the previous dispositions, then frees the dump slot (in that
/// order: a waiting thread then finds the crash dumped and the old handlers
/// in place).
fn release_after_crash() {
    restore_previous();
    release();
}

fn release() {
    OWNER.store(0, Ordering::Release);
    sys::futex_wake_all(&OWNER);
}

/// Asks the helper for a dump and waits for its answer (in REPLY). Only the
/// holder of the dump slot calls this.
fn request_dump(kind: u32, tid: i32, signal: u32, code: i32, address: u64, ucontext: u64) -> bool {
    // SAFETY: CONFIG is read-only once READY; REQUEST and REPLY belong to
    // the holder of the dump slot, which is us.
    let (config, request, reply) = unsafe { (&*CONFIG.0.get(), &mut *REQUEST.0.get(), &mut *REPLY.0.get()) };
    request.magic = MAGIC;
    request.kind = kind;
    request.tid = tid;
    request.signal = signal;
    request.code = code;
    request.address = address;
    request.ucontext = ucontext;
    request.waiters = WAITERS.as_ptr() as u64;
    request.waiter_count = MAX_WAITERS as u32;
    reply.magic = 0;
    reply.ok = 0;
    reply.len = 0;
    let was_dumpable = sys::prctl(libc::PR_GET_DUMPABLE, 0);
    if was_dumpable == 0 {
        sys::prctl(libc::PR_SET_DUMPABLE, 1);
    }
    let mut ok = sys::send(config.fd, helper::as_bytes(request));
    if ok {
        let n = sys::recv(config.fd, helper::as_bytes_mut(reply));
        ok = n == core::mem::size_of::<Reply>() as isize && reply.magic == MAGIC && reply.ok == 1;
    }
    if was_dumpable == 0 {
        sys::prctl(libc::PR_SET_DUMPABLE, 0);
    }
    ok
}

/// The signal handler. Async-signal-safe: raw syscalls, atomics and the
/// static buffers only.
extern "C" fn on_signal(signal: i32, info: *mut libc::siginfo_t, ucontext: *mut libc::c_void) {
    let tid = sys::gettid();
    let (code, address) = if info.is_null() {
        (0, 0)
    } else {
        // SAFETY: the kernel passes a valid siginfo with SA_SIGINFO.
        unsafe { ((*info).si_code, (*info).si_addr() as u64) }
    };
    let crash = CrashInfo { signal, code, address, tid, siginfo: info, ucontext };
    if !READY.load(Ordering::Acquire) {
        return;
    }
    // SAFETY: CONFIG is read-only once READY.
    let config = unsafe { &*CONFIG.0.get() };
    // From here until this thread holds the dump slot, a dump that another
    // thread asks for finds this one's signal frame in WAITERS.
    let slot = register_waiter(tid, ucontext as u64);
    if let Some(first) = config.first_chance {
        if first(&crash) {
            unregister_waiter(slot);
            return;
        }
    }
    if config.pid != sys::getpid() {
        // A child forked without exec: the helper serves its parent only.
        unregister_waiter(slot);
        restore_previous();
    } else {
        let acquired = acquire(tid);
        unregister_waiter(slot);
        if acquired {
            if !CRASH_DUMPED.load(Ordering::Acquire) && config.filter.is_none_or(|f| f(&crash)) {
                let ok = request_dump(KIND_CRASH, tid, signal as u32, code, address, ucontext as u64);
                CRASH_DUMPED.store(true, Ordering::Release);
                if let Some(after) = config.after_dump {
                    // SAFETY: REPLY belongs to the slot holder, us.
                    let reply = unsafe { &*REPLY.0.get() };
                    after(reply.text(), ok, &crash);
                }
            }
            release_after_crash();
        } else {
            restore_previous();
        }
    }
    let refaults =
        matches!(signal, libc::SIGSEGV | libc::SIGBUS | libc::SIGFPE | libc::SIGILL) && code > 0 && !info.is_null();
    if !refaults && (info.is_null() || sys::requeue_to_self(signal, info) != 0) {
        sys::raise(signal);
    }
}

/// Writes a dump of this process now, without a crash, from any thread
/// (not from a signal handler): the calling thread's registers are taken on
/// the spot (`getcontext`) and its Exception stream says `DUMP_REQUESTED`,
/// as Breakpad's `WriteMinidump` does. Needs [`install`]. Returns the
/// dump's path.
pub fn write_dump_now() -> Result<PathBuf, CaptureError> {
    if !READY.load(Ordering::Acquire) || !INSTALLED.load(Ordering::Acquire) {
        return Err(CaptureError::NotInstalled);
    }
    // SAFETY: read-only once READY.
    if unsafe { &*CONFIG.0.get() }.pid != sys::getpid() {
        return Err(CaptureError::Other("the handler was installed by the parent of this forked process".into()));
    }
    let tid = sys::gettid();
    if !acquire(tid) {
        return Err(CaptureError::Other("this thread is already writing a dump".into()));
    }
    if CRASH_DUMPED.load(Ordering::Acquire) {
        release();
        return Err(CaptureError::Other("the process has crashed; no more dumps".into()));
    }
    // SAFETY: a zeroed ucontext_t is valid; getcontext fills it (its
    // fpregs pointer then points into it, which the helper reads).
    let mut uc: libc::ucontext_t = unsafe { core::mem::zeroed() };
    // SAFETY: `uc` is a valid ucontext_t.
    unsafe { libc::getcontext(&mut uc) };
    let ok = request_dump(
        KIND_REQUEST,
        tid,
        mdump_format::exception_codes::linux::DUMP_REQUESTED,
        0,
        0,
        &uc as *const libc::ucontext_t as u64,
    );
    // SAFETY: REPLY belongs to the slot holder, us, until release().
    let text = unsafe { &*REPLY.0.get() }.text().to_vec();
    core::hint::black_box(&uc);
    release();
    if ok {
        Ok(PathBuf::from(<std::ffi::OsString as std::os::unix::ffi::OsStringExt>::from_vec(text)))
    } else if text.is_empty() {
        Err(CaptureError::Helper("no answer (the helper process is gone?)".into()))
    } else {
        Err(CaptureError::Helper(String::from_utf8_lossy(&text).into_owned()))
    }
}

/// Uninstalls the handler: puts back the signal dispositions found at
/// install time and ends the helper process (waiting for it). Waits for a
/// dump in progress to finish first. A later [`install`] starts afresh.
pub fn uninstall() -> Result<(), CaptureError> {
    if !READY.load(Ordering::Acquire) {
        return Err(CaptureError::NotInstalled);
    }
    let tid = sys::gettid();
    if !acquire(tid) {
        return Err(CaptureError::Other("this thread is writing a dump".into()));
    }
    restore_previous();
    READY.store(false, Ordering::SeqCst);
    // SAFETY: no handler of ours is installed any more and we hold the dump
    // slot, so nothing else reads CONFIG now.
    let config = unsafe { &mut *CONFIG.0.get() };
    // SAFETY: our descriptor; closing it makes the helper exit.
    unsafe { libc::close(config.fd) };
    config.fd = -1;
    let mut status = 0;
    // SAFETY: waits for our own child.
    unsafe { libc::waitpid(config.helper, &mut status, 0) };
    config.helper = 0;
    INSTALLED.store(false, Ordering::SeqCst);
    release();
    Ok(())
}

/// The helper process's pid, if installed.
pub fn helper_pid() -> Option<i32> {
    // SAFETY: read-only once READY.
    READY.load(Ordering::Acquire).then(|| unsafe { &*CONFIG.0.get() }.helper)
}
