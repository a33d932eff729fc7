//! mdump-capture: Linux minidumps of live processes and of crashes.
//!
//! Two ways in:
//!
//! * [`write_dump_of_process`]: dump another live process by pid, like
//!   `gcore` (what `mdump capture --pid PID -o FILE` runs). Its threads are
//!   stopped with ptrace for the time of the dump and then let go.
//! * [`handler`]: an in-process crash handler ([`handler::install`],
//!   [`handler::uninstall`]) that writes a dump when the process dies of a
//!   signal, [`handler::write_dump_now`] for a dump without a crash, and
//!   [`handler::thread_init`] for threads made outside std. How it stays
//!   async-signal-safe is explained in the [`handler`] module;
//!   `examples/crashme.rs` shows it in use.
//!
//! ```no_run
//! use mdump_capture::handler::{self, HandlerOptions};
//! let mut options = HandlerOptions::new("/var/crash");
//! options.capture.annotations.push(("version".into(), "1.2.3".into()));
//! handler::install(options).unwrap();
//! // ... later, without a crash:
//! let path = handler::write_dump_now().unwrap();
//! ```
//!
//! Both run the same collector ([`collect`]), which builds an
//! `mdump_writer::model::DumpModel` with the streams Breakpad's Linux client
//! writes (ThreadList, ModuleList, MemoryList, Exception, SystemInfo, the
//! Linux text streams, LinuxDsoDebug, BreakpadInfo) plus ThreadNames,
//! MiscInfo, MemoryInfoList and, when annotations are given, CrashpadInfo.
//!
//! # CPUs
//!
//! x86-64 and AArch64. What differs per CPU is small and kept apart: the
//! contexts ([`context::amd64`], [`context::arm64`]: pure byte parsers,
//! compiled and tested on every host), the system-call instruction of the
//! crash path (`handler::sys`), and SystemInfo's CPU fields
//! ([`collect::system::x86_cpu`], [`collect::system::arm64_cpu`]). The
//! AArch64 build itself has not been compiled here: this machine has no
//! AArch64 standard library (see README).
//!
//! # Parsers of untrusted input (fuzz targets)
//!
//! `/proc` text and ELF bytes read from the target are untrusted. The
//! parsers are small pure functions that never panic and are bounded:
//!
//! * [`procfs::parse_maps_line`] (`&[u8]`), [`procfs::parse_maps`],
//!   [`procfs::parse_stat`], [`procfs::parse_auxv`],
//!   [`procfs::status_field`], [`procfs::cpuinfo_field`];
//! * [`elf::build_id_from_elf_image`] (an image as loaded in memory: any
//!   `&[u8]` works as its reader), [`elf::build_id_from_elf_file`],
//!   [`elf::text_section`], [`elf::text_hash`];
//! * [`context::amd64::from_ucontext`], [`context::arm64::from_ucontext`]
//!   (the bytes of a signal frame's `ucontext`) and both `from_ptrace`.
//!
//! ```no_run
//! let mut out = std::fs::File::create("/tmp/1234.dmp").unwrap();
//! let summary = mdump_capture::write_dump_of_process(1234, &mdump_capture::Options::default(), &mut out).unwrap();
//! println!("{} threads, {} modules", summary.threads.len(), summary.modules);
//! ```
#![deny(missing_docs)]

#[cfg(not(all(target_os = "linux", any(target_arch = "x86_64", target_arch = "aarch64"))))]
compile_error!("mdump-capture supports Linux on x86-64 and AArch64 only");

pub mod collect;
pub mod context;
pub mod elf;
pub mod error;
pub mod handler;
pub mod memory;
pub mod options;
pub mod procfs;
pub mod ptrace;

pub use error::CaptureError;
pub use options::{DumpSummary, Options, DEFAULT_STACK_LIMIT};

use std::io::{Seek, Write};

/// The calling thread's kernel thread id.
pub(crate) fn gettid() -> i32 {
    // SAFETY: gettid has no arguments and cannot fail.
    unsafe { libc::syscall(libc::SYS_gettid) as i32 }
}

/// Dumps another live process: stops all its threads with ptrace, collects
/// and writes the dump to `out` (from its current position), and lets the
/// threads go again (also on error). The dump has no Exception stream.
///
/// The caller needs ptrace rights over `pid` (same user and Yama's
/// `ptrace_scope` 0, or `CAP_SYS_PTRACE`). Dumping one's own process this
/// way is refused (a process cannot ptrace itself): use
/// [`handler::write_dump_now`].
pub fn write_dump_of_process<W: Write + Seek>(
    pid: i32,
    options: &Options,
    out: &mut W,
) -> Result<DumpSummary, CaptureError> {
    // SAFETY: getpid has no preconditions.
    if pid == unsafe { libc::getpid() } {
        return Err(CaptureError::Other("a process cannot dump itself by pid; use handler::write_dump_now".into()));
    }
    if pid <= 0 {
        return Err(CaptureError::NoSuchProcess(pid));
    }
    let stopped = ptrace::StoppedProcess::stop(pid, None)?;
    collect::write_dump(&stopped, None, options, gettid(), out)
}
