//! The crash matrix: `crashme KIND DIR` for every kind, each checked by the
//! reader and by two independent programs.
//!
//! For each kind: the process dies of the expected signal (exit code 97
//! would mean the crash path allocated: crashme's allocator refuses to
//! serve then); exactly one `.dmp` is left and no partial file; the reader
//! parses it; the Exception stream names the signal and `si_code`; the
//! crashing thread's instruction pointer lies in `crash_<kind>` (from the
//! binary's symbol table, read with `object`) or, for crashes inside libc
//! (abort), a return address into it lies on that thread's stack; every
//! thread crashme listed before crashing is in the thread list; the main
//! module's build id is the file's; the annotation is there. Oracles:
//! `lldb-16 --core` names the crash function in the crashing thread's
//! backtrace, and so does rust-minidump's `minidump-stackwalk
//! --use-local-debuginfo`.

mod common;

use mdump_format::exception_codes::linux as sig;
use mdump_reader::module_list::CodeView;
use mdump_reader::{CrashpadInfo, Exception, Minidump, ModuleList, ThreadList, ThreadNames};
use object::{Object, ObjectSegment, ObjectSymbol};
use std::os::unix::process::ExitStatusExt;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

/// Where the crash function must show up.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Site {
    /// The instruction pointer is inside it.
    Ip,
    /// It called the crashing code (libc's abort): a return address.
    Caller,
}

struct Kind {
    name: &'static str,
    /// Signal in the Exception stream.
    signal: u32,
    /// Expected `si_code`.
    code: i32,
    /// Signal the process dies of.
    exit_signal: i32,
    site: Site,
    /// Threads expected at least (crashme's listing must match anyway).
    min_threads: usize,
}

const fn kind(name: &'static str, signal: u32, code: i32, exit_signal: i32, site: Site) -> Kind {
    Kind { name, signal, code, exit_signal, site, min_threads: 1 }
}

fn function_name(kind: &str) -> String {
    format!("crash_{}", kind.replace('-', "_"))
}

/// The crash function's address range in the file (link-time addresses).
fn symbol_range(binary: &[u8], name: &str) -> (u64, u64) {
    let file = object::File::parse(binary).unwrap();
    let s = file.symbols().find(|s| s.name() == Ok(name)).unwrap_or_else(|| panic!("{name} not in crashme"));
    assert!(s.size() > 0, "{name} has a size");
    (s.address(), s.address() + s.size())
}

/// The section of the backtrace of the thread `minidump-stackwalk` marks
/// as crashed.
fn crashed_thread_text(report: &str) -> String {
    let mut out = String::new();
    let mut inside = false;
    for line in report.lines() {
        if line.starts_with("Thread ") {
            inside = line.contains("(crashed)");
        }
        if inside {
            out.push_str(line);
            out.push('\n');
        }
    }
    out
}

fn check_kind(k: Kind) {
    let exe = common::crashme();
    let dir = common::scratch(k.name);
    let ran = common::run(Command::new(exe).arg(k.name).arg(&dir), Duration::from_secs(120));
    let shown = format!("crashme {}: {:?}\n--- stdout\n{}\n--- stderr\n{}", k.name, ran.status, ran.stdout, ran.stderr);
    assert_ne!(ran.status.code(), Some(97), "the crash path allocated: {shown}");
    assert_eq!(ran.status.signal(), Some(k.exit_signal), "{shown}");

    if k.name == "malloc-lock" {
        // crashme saw malloc_trim stuck on the arena lock before crashing.
        assert!(ran.stdout.contains("crashme: malloc lock held"), "{shown}");
    }

    let entries: Vec<PathBuf> = std::fs::read_dir(&dir).unwrap().map(|e| e.unwrap().path()).collect();
    let dumps: Vec<&PathBuf> = entries.iter().filter(|p| p.extension().is_some_and(|e| e == "dmp")).collect();
    assert_eq!(dumps.len(), 1, "exactly one dump: {entries:?}\n{shown}");
    assert!(!entries.iter().any(|p| p.to_string_lossy().ends_with(".partial")), "{entries:?}");
    let dump_path = dumps[0];
    assert!(ran.stdout.contains(&format!("crashme: dump {}", dump_path.display())), "{shown}");

    let bytes = std::fs::read(dump_path).unwrap();
    let dump = Minidump::parse(&bytes).unwrap();
    let exception: Exception = dump.stream().unwrap().expect("an Exception stream");
    assert_eq!(exception.code(), k.signal, "signal");
    assert_eq!(exception.raw.exception_record.exception_flags.get(), k.code as u32, "si_code");
    let context = exception.context().unwrap();
    assert_eq!(context.flags(), 0x0010_000b, "CONTEXT_AMD64_FULL, as Breakpad");
    let ip = context.instruction_pointer();
    match k.signal {
        // The overflow faults next to the stack pointer.
        sig::SIGSEGV if k.name == "stack-overflow" => {
            assert!(exception.address().abs_diff(context.stack_pointer()) < 4096, "fault beside the stack pointer")
        }
        sig::SIGSEGV => assert_eq!(exception.address(), 0, "a null write"),
        sig::SIGFPE | sig::SIGILL => assert_eq!(exception.address(), ip, "si_addr is the instruction"),
        sig::SIGBUS => assert_ne!(exception.address(), 0),
        _ => {}
    }

    // Threads: all of crashme's, the crashing one among them.
    let threads: ThreadList = dump.stream().unwrap().unwrap();
    let mut ids: Vec<u32> = threads.iter().map(|t| t.id()).collect();
    ids.sort();
    let listed = std::fs::read_to_string(dir.join("threads.txt")).unwrap();
    let mut want: Vec<u32> = listed.lines().map(|l| l.parse().unwrap()).collect();
    want.sort();
    assert_eq!(ids, want, "thread list");
    assert!(ids.len() >= k.min_threads, "{} threads", ids.len());
    assert!(ids.contains(&exception.thread_id()));
    let crashing = threads.by_id(exception.thread_id()).unwrap();
    assert_eq!(crashing.context().unwrap().instruction_pointer(), ip);
    let names: ThreadNames = dump.stream().unwrap().unwrap();
    assert_eq!(names.len(), ids.len(), "a name per thread");

    // The main module is crashme, with its build id.
    let binary = std::fs::read(exe).unwrap();
    let file = object::File::parse(&*binary).unwrap();
    let modules: ModuleList = dump.stream().unwrap().unwrap();
    let main = modules.iter().next().unwrap();
    assert_eq!(Path::new(&main.code_file()), std::fs::canonicalize(exe).unwrap());
    match main.codeview().unwrap() {
        Some(CodeView::Elf { build_id }) => assert_eq!(Some(build_id), file.build_id().unwrap(), "build id"),
        other => panic!("main module CodeView {other:?}"),
    }
    assert!(modules.iter().any(|m| m.code_file() == "linux-gate.so"), "the vdso");

    // The crash function: the IP inside it, or a return address into it.
    let link_base = file.segments().map(|s| s.address()).min().unwrap_or(0) & !0xfff;
    let (lo, hi) = symbol_range(&binary, &function_name(k.name));
    let (lo, hi) = (main.base() + lo - link_base, main.base() + hi - link_base);
    match k.site {
        Site::Ip => assert!((lo..hi).contains(&ip), "ip {ip:#x} not in {}: {lo:#x}..{hi:#x}", function_name(k.name)),
        Site::Caller => {
            let stack = crashing.stack().unwrap();
            let sp = context.stack_pointer();
            let found = (sp..stack.end())
                .step_by(8)
                .any(|a| stack.read_u64(a).is_some_and(|v| (lo..hi).contains(&v.wrapping_sub(1))));
            // A return address minus one lies in the call instruction (the
            // call may be the function's last instruction).
            assert!(found, "no return address into {} on the crashing stack", function_name(k.name));
        }
    }

    if k.name == "two-threads" {
        // The other crasher waited in the handler; its registers come from
        // its own signal frame, so it is caught in the crash function too.
        let mut crashers = 0;
        for t in threads.iter() {
            if names.by_id(t.id()).unwrap().unwrap().to_string().starts_with("crasher-") {
                let ip = t.context().unwrap().instruction_pointer();
                assert!((lo..hi).contains(&ip), "crasher {} at {ip:#x}, not in crash_two_threads", t.id());
                crashers += 1;
            }
        }
        assert_eq!(crashers, 2);
    }

    let crashpad: CrashpadInfo = dump.stream().unwrap().expect("CrashpadInfo");
    let annotations = crashpad.simple_annotations().unwrap();
    assert_eq!(annotations.get("crashme.kind").unwrap().unwrap(), k.name.as_bytes());

    oracle_lldb(exe, dump_path, &function_name(k.name));
    oracle_stackwalk(dump_path, &function_name(k.name));
}

/// LLDB loads the dump as a core and its backtrace of the crashing
/// (selected) thread names the function.
fn oracle_lldb(exe: &Path, dump: &Path, function: &str) {
    let Some(lldb) = mdump_testkit::exec::oracle(&["lldb-16", "lldb"]) else { return };
    let ran = common::run(
        Command::new(lldb).arg("--batch").arg("--core").arg(dump).arg(exe).args(["-o", "bt"]),
        Duration::from_secs(300),
    );
    assert!(ran.status.success(), "lldb: {:?}\n{}\n{}", ran.status, ran.stdout, ran.stderr);
    assert!(ran.stdout.contains("stop reason = signal"), "lldb sees the signal:\n{}", ran.stdout);
    assert!(ran.stdout.contains(&format!("crashme`{function}")), "lldb's backtrace lacks {function}:\n{}", ran.stdout);
}

/// rust-minidump's `minidump-stackwalk` names the function in the crashed
/// thread's stack.
fn oracle_stackwalk(dump: &Path, function: &str) {
    let Some(walker) = mdump_testkit::exec::oracle(&["minidump-stackwalk", "~/.cargo/bin/minidump-stackwalk"]) else {
        return;
    };
    let ran = common::run(Command::new(walker).arg("--use-local-debuginfo").arg(dump), Duration::from_secs(300));
    assert!(ran.status.success(), "minidump-stackwalk: {:?}\n{}", ran.status, ran.stderr);
    let crashed = crashed_thread_text(&ran.stdout);
    assert!(crashed.contains(function), "minidump-stackwalk's crashed thread lacks {function}:\n{}", ran.stdout);
}

#[test]
fn segv() {
    check_kind(kind("segv", sig::SIGSEGV, 1, libc::SIGSEGV, Site::Ip));
}

#[test]
fn abort() {
    check_kind(kind("abort", sig::SIGABRT, -6, libc::SIGABRT, Site::Caller));
}

#[test]
fn fpe() {
    // FPE_INTDIV; AArch64 does not trap on division by zero, and crashme
    // sends the signal to itself there (SI_TKILL).
    let code = if cfg!(target_arch = "aarch64") { -6 } else { 1 };
    check_kind(kind("fpe", sig::SIGFPE, code, libc::SIGFPE, Site::Ip));
}

#[test]
fn ill() {
    // ILL_ILLOPN for x86's ud2, ILL_ILLOPC for AArch64's udf.
    let code = if cfg!(target_arch = "aarch64") { 1 } else { 2 };
    check_kind(kind("ill", sig::SIGILL, code, libc::SIGILL, Site::Ip));
}

#[test]
fn bus() {
    check_kind(kind("bus", sig::SIGBUS, 2, libc::SIGBUS, Site::Ip));
}

#[test]
fn trap() {
    // SI_KERNEL for x86's int3, TRAP_BRKPT for AArch64's brk.
    let code = if cfg!(target_arch = "aarch64") { 1 } else { 0x80 };
    check_kind(kind("trap", sig::SIGTRAP, code, libc::SIGTRAP, Site::Ip));
}

#[test]
fn sys() {
    check_kind(kind("sys", sig::SIGSYS, 1, libc::SIGSYS, Site::Ip));
}

/// The dump is of the SIGSEGV; then the handler that was there before ours
/// (std's stack-overflow reporter) gets the fault, prints its message and
/// aborts: chaining at work.
#[test]
fn stack_overflow() {
    check_kind(kind("stack-overflow", sig::SIGSEGV, 1, libc::SIGABRT, Site::Ip));
}

#[test]
fn heap_corruption() {
    check_kind(kind("heap-corruption", sig::SIGSEGV, 1, libc::SIGSEGV, Site::Ip));
}

#[test]
fn malloc_lock() {
    check_kind(Kind { min_threads: 3, ..kind("malloc-lock", sig::SIGSEGV, 1, libc::SIGSEGV, Site::Ip) });
}

#[test]
fn two_threads() {
    check_kind(Kind { min_threads: 3, ..kind("two-threads", sig::SIGSEGV, 1, libc::SIGSEGV, Site::Ip) });
}

#[test]
fn threads_500() {
    check_kind(Kind { min_threads: 501, ..kind("threads-500", sig::SIGSEGV, 1, libc::SIGSEGV, Site::Ip) });
}
