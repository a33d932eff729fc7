//! The crash handler's behaviour beyond the crash matrix: chaining to the
//! handlers installed before it, the filter callback, `write_dump_now`, and
//! dumping a process that made itself non-dumpable (run unprivileged, where
//! that really blocks ptrace).

mod common;

use mdump_format::exception_codes::linux as sig;
use mdump_reader::{BreakpadInfo, Exception, Minidump, ModuleList, ThreadList};
use object::{Object, ObjectSegment, ObjectSymbol};
use std::os::unix::fs::PermissionsExt;
use std::os::unix::process::ExitStatusExt;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

const LIMIT: Duration = Duration::from_secs(120);

fn dumps_in(dir: &Path) -> Vec<PathBuf> {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "dmp"))
        .collect()
}

fn crashme(kind: &str) -> (mdump_testkit::exec::Ran, PathBuf) {
    let dir = common::scratch(&format!("handler-{kind}"));
    let ran = common::run(Command::new(common::crashme()).arg(kind).arg(&dir), LIMIT);
    assert_ne!(ran.status.code(), Some(97), "the crash path allocated: {ran:?}");
    (ran, dir)
}

fn only_dump(dir: &Path) -> Vec<u8> {
    let dumps = dumps_in(dir);
    assert_eq!(dumps.len(), 1, "{dumps:?}");
    std::fs::read(&dumps[0]).unwrap()
}

fn exception_code(bytes: &[u8]) -> u32 {
    let dump = Minidump::parse(bytes).unwrap();
    let e: Exception = dump.stream().unwrap().unwrap();
    e.code()
}

/// A SIGSEGV handler installed before ours still gets the fault, with the
/// kernel's original siginfo (the fault repeats when our handler returns).
#[test]
fn chains_to_the_previous_segv_handler() {
    let (ran, dir) = crashme("chain");
    assert_eq!(ran.status.code(), Some(42), "{ran:?}");
    assert!(ran.stdout.contains("crashme: previous handler: signal 0xb code 0x1 addr 0x0"), "{ran:?}");
    assert_eq!(exception_code(&only_dump(&dir)), sig::SIGSEGV);
}

/// A SIGABRT handler installed before ours gets the signal again, re-queued
/// with its original siginfo (`si_code` SI_TKILL from `abort`'s `raise`).
#[test]
fn chains_to_the_previous_abort_handler() {
    let (ran, dir) = crashme("chain-abort");
    assert_eq!(ran.status.code(), Some(42), "{ran:?}");
    assert!(ran.stdout.contains("crashme: previous handler: signal 0x6 code 0xfffffffffffffffa"), "{ran:?}");
    assert_eq!(exception_code(&only_dump(&dir)), sig::SIGABRT);
}

/// The helper killed before the crash: the after-dump callback hears of
/// the failure, no dump is left, and the process dies of its own signal,
/// not of a hang or a SIGPIPE (crashme puts SIGPIPE back to its default for
/// this, as a C program has it; the handler sends with MSG_NOSIGNAL).
#[test]
fn helper_gone() {
    let (ran, dir) = crashme("helper-gone");
    assert_eq!(ran.status.signal(), Some(libc::SIGSEGV), "{ran:?}");
    assert!(ran.stdout.contains("crashme: dump failed"), "{ran:?}");
    assert!(dumps_in(&dir).is_empty());
}

/// A thread from `pthread_create` has no alternate signal stack; with
/// `thread_init` its stack overflow is dumped, ...
#[test]
fn pthread_overflow_with_thread_init() {
    let (ran, dir) = crashme("pthread-overflow");
    assert_eq!(ran.status.signal(), Some(libc::SIGSEGV), "{ran:?}");
    assert_eq!(exception_code(&only_dump(&dir)), sig::SIGSEGV);
}

/// ... and without it the kernel cannot run the handler: the process dies
/// of the SIGSEGV with no dump (what the altstack docs warn of).
#[test]
fn pthread_overflow_without_thread_init() {
    let (ran, dir) = crashme("pthread-overflow-bare");
    assert_eq!(ran.status.signal(), Some(libc::SIGSEGV), "{ran:?}");
    assert!(dumps_in(&dir).is_empty());
}

/// A child forked without exec inherits the handler but not the helper: it
/// dies of its signal without asking for a dump of its parent.
#[test]
fn forked_child_does_not_dump() {
    let (ran, dir) = crashme("fork-child");
    assert_eq!(ran.status.code(), Some(100 + libc::SIGSEGV), "{ran:?}");
    assert!(dumps_in(&dir).is_empty());
}

/// `timed-N` (the benchmark's crash): all N+1 threads in the dump and a
/// fault-to-dump time printed.
#[test]
fn timed_crash_reports_its_latency() {
    let (ran, dir) = crashme("timed-10");
    assert_eq!(ran.status.signal(), Some(libc::SIGSEGV), "{ran:?}");
    let ns: u64 = ran
        .stdout
        .lines()
        .find_map(|l| l.strip_prefix("crashme: fault to dump ns "))
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("no latency line: {ran:?}"));
    assert!(ns > 0);
    let bytes = only_dump(&dir);
    let dump = Minidump::parse(&bytes).unwrap();
    let threads: ThreadList = dump.stream().unwrap().unwrap();
    assert_eq!(threads.len(), 11);
}

/// Runs crashme with core files enabled (64 MiB, in `dir`, the working
/// directory); whether the kernel reports a core dumped.
fn crash_with_core(kind: &str, dir: &Path) -> (mdump_testkit::exec::Ran, bool) {
    let mut cmd = Command::new(common::crashme());
    cmd.arg(kind).arg(dir).current_dir(dir);
    // SAFETY: setrlimit only, between fork and exec.
    unsafe {
        std::os::unix::process::CommandExt::pre_exec(&mut cmd, || {
            let limit = libc::rlimit { rlim_cur: 64 << 20, rlim_max: 64 << 20 };
            libc::setrlimit(libc::RLIMIT_CORE, &limit);
            Ok(())
        });
    }
    let ran = common::run(&mut cmd, LIMIT);
    let core = ran.status.core_dumped();
    (ran, core)
}

/// The handler leaves core files as they were: with cores enabled, a crash
/// dumped by our handler still leaves the kernel's core, exactly when the
/// same crash without the handler does.
#[test]
fn core_files_unchanged() {
    let base_dir = common::scratch("handler-core-bare");
    let (bare, bare_core) = crash_with_core("bare-segv", &base_dir);
    assert_eq!(bare.status.signal(), Some(libc::SIGSEGV), "{bare:?}");
    for kind in ["segv", "abort"] {
        let dir = common::scratch(&format!("handler-core-{kind}"));
        let (ran, core) = crash_with_core(kind, &dir);
        assert_ne!(ran.status.code(), Some(97), "the crash path allocated: {ran:?}");
        assert_eq!(core, bare_core, "{kind}: core dumped {core}, without the handler {bare_core}: {ran:?}");
        assert_eq!(dumps_in(&dir).len(), 1, "{kind}");
        // SAFETY: getrlimit/getuid fill or return plain values.
        let can_raise = unsafe {
            let mut l = libc::rlimit { rlim_cur: 0, rlim_max: 0 };
            libc::getrlimit(libc::RLIMIT_CORE, &mut l);
            libc::getuid() == 0 || l.rlim_max >= 64 << 20
        };
        let plain_core = std::fs::read_to_string("/proc/sys/kernel/core_pattern").is_ok_and(|p| p.trim() == "core");
        if can_raise && plain_core {
            assert!(core, "core_pattern is `core` and the limit 64 MiB: a core is expected");
            let cores: Vec<_> = std::fs::read_dir(&dir)
                .unwrap()
                .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
                .filter(|n| n.starts_with("core"))
                .collect();
            assert_eq!(cores.len(), 1, "{kind}: {cores:?}");
        }
        let _ = std::fs::remove_dir_all(&dir);
    }
    let _ = std::fs::remove_dir_all(&base_dir);
}

/// Vector registers reach the dump: xmm1 / v1 and r12 / x12 from the
/// crashing thread's signal frame, xmm2 / v2 of a spinning thread from
/// ptrace.
#[test]
fn vector_registers_are_captured() {
    const FP_PATTERN: u128 = 0x0123_4567_89ab_cdef_fedc_ba98_7654_3210;
    let (ran, dir) = crashme("fp");
    assert_eq!(ran.status.signal(), Some(libc::SIGSEGV), "{ran:?}");
    let bytes = only_dump(&dir);
    let dump = Minidump::parse(&bytes).unwrap();
    let e: Exception = dump.stream().unwrap().unwrap();
    // (vector register 1, general register 12): xmm1 and r12 on x86-64,
    // v1 and x12 on AArch64.
    let (v1, r12) = match e.context().unwrap() {
        mdump_reader::Context::Amd64(c) => (c.flt_save.xmm_registers[1].get(), c.r12.get()),
        mdump_reader::Context::Arm64(c) => (c.v[1].get(), c.x[12].get()),
        other => panic!("not this CPU's context: {other:?}"),
    };
    assert_eq!(v1, FP_PATTERN, "vector register 1 from the signal frame");
    assert_eq!(r12, FP_PATTERN as u64, "general register 12 from the signal frame");
    let threads: ThreadList = dump.stream().unwrap().unwrap();
    let names: mdump_reader::ThreadNames = dump.stream().unwrap().unwrap();
    let spinner = threads
        .iter()
        .find(|t| names.by_id(t.id()).is_some_and(|n| n.unwrap().to_string() == "fp-spinner"))
        .expect("the spinner thread");
    let (v2, flags) = match spinner.context().unwrap() {
        mdump_reader::Context::Amd64(s) => (s.flt_save.xmm_registers[2].get(), s.context_flags.get()),
        mdump_reader::Context::Arm64(s) => (s.v[2].get(), s.context_flags.get()),
        other => panic!("not this CPU's context: {other:?}"),
    };
    assert_eq!(v2, !FP_PATTERN, "vector register 2 from ptrace");
    // FULL | SEGMENTS for ptrace'd threads on x86-64 (CONTEXT_ARM64_FULL
    // on AArch64).
    let full = if cfg!(target_arch = "aarch64") { 0x0040_0007 } else { 0x0010_000f };
    assert_eq!(flags, full, "all register groups from ptrace");
}

/// The handler (with crashme's callbacks) needs under 2 KiB of signal
/// stack beyond the kernel's own frame.
#[test]
fn handler_fits_a_small_signal_stack() {
    let (ran, dir) = crashme("small-altstack");
    assert_eq!(ran.status.signal(), Some(libc::SIGSEGV), "{ran:?}");
    assert_eq!(exception_code(&only_dump(&dir)), sig::SIGSEGV);
}

/// A filter saying no: no dump, and the process still dies of its signal.
#[test]
fn filter_refuses() {
    let (ran, dir) = crashme("filtered");
    assert_eq!(ran.status.signal(), Some(libc::SIGSEGV), "{ran:?}");
    assert!(ran.stdout.contains("crashme: filter said no"), "{ran:?}");
    assert!(dumps_in(&dir).is_empty());
}

/// `write_dump_now` from the main thread: a DUMP_REQUESTED exception whose
/// context is the caller's, taken inside `write_dump_now`; the process goes
/// on and exits normally.
#[test]
fn write_dump_now_from_main() {
    let (ran, dir) = crashme("now");
    assert!(ran.status.success(), "{ran:?}");
    let bytes = only_dump(&dir);
    let dump = Minidump::parse(&bytes).unwrap();
    let e: Exception = dump.stream().unwrap().unwrap();
    assert_eq!(e.code(), sig::DUMP_REQUESTED);
    let threads: ThreadList = dump.stream().unwrap().unwrap();
    let listed = std::fs::read_to_string(dir.join("threads.txt")).unwrap();
    let main_tid: u32 = listed.lines().next().unwrap().parse().unwrap();
    assert_eq!(e.thread_id(), main_tid, "the requesting thread");
    assert_eq!(threads.len(), listed.lines().count());
    let info: BreakpadInfo = dump.stream().unwrap().unwrap();
    assert_eq!(info.raw.requesting_thread_id.get(), main_tid);

    // The instruction pointer is in write_dump_now (getcontext's return).
    let ip = e.context().unwrap().instruction_pointer();
    let modules: ModuleList = dump.stream().unwrap().unwrap();
    let main = modules.iter().next().unwrap();
    let binary = std::fs::read(common::crashme()).unwrap();
    let file = object::File::parse(&*binary).unwrap();
    let link_base = file.segments().map(|s| s.address()).min().unwrap_or(0) & !0xfff;
    let at = ip - main.base() + link_base;
    let holder = file
        .symbols()
        .find(|s| s.address() <= at && at < s.address() + s.size())
        .map(|s| s.name().unwrap_or("").to_string());
    assert!(holder.as_deref().is_some_and(|n| n.contains("write_dump_now")), "ip in {holder:?}");
}

/// A process that is not dumpable cannot be ptraced by an unprivileged
/// helper; the handler makes it dumpable for the dump. Run as `nobody`
/// (when the tests run as root) so that the kernel really enforces it.
#[test]
fn non_dumpable_process_is_dumped() {
    // SAFETY: getuid has no preconditions.
    let root = unsafe { libc::getuid() } == 0;
    // Under /tmp, so that `nobody` can reach the binary and the directory
    // whatever the permissions of the build folder's parents.
    let dir = std::env::temp_dir().join(format!("mdump-capture-nondumpable-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o777)).unwrap();
    let exe = dir.join("crashme");
    std::fs::copy(common::crashme(), &exe).unwrap();
    std::fs::set_permissions(&exe, std::fs::Permissions::from_mode(0o755)).unwrap();
    let mut cmd = if root {
        let Some(setpriv) = mdump_testkit::exec::oracle(&["setpriv"]) else { return };
        let mut c = Command::new(setpriv);
        c.args(["--reuid=65534", "--regid=65534", "--clear-groups"]).arg(&exe);
        c
    } else {
        Command::new(common::crashme())
    };
    let ran = common::run(cmd.arg("nondumpable").arg(&dir), LIMIT);
    assert_eq!(ran.status.signal(), Some(libc::SIGSEGV), "{ran:?}");
    assert!(!ran.stdout.contains("dump failed"), "{ran:?}");
    assert_eq!(exception_code(&only_dump(&dir)), sig::SIGSEGV);
    let _ = std::fs::remove_dir_all(&dir);
}
