//! Stopping every thread of a process with ptrace, and letting them go.
//!
//! Threads are seized (`PTRACE_SEIZE` + `PTRACE_INTERRUPT`) rather than
//! attached with `PTRACE_ATTACH`, so no SIGSTOP is sent and the target's
//! job-control state is untouched. A thread caught in a signal-delivery stop
//! gets its signal back at detach, so nothing the target was about to
//! receive is lost.

use crate::context::{native, NT_PRFPREG, NT_PRSTATUS};
use crate::error::CaptureError;

/// One stopped thread.
#[derive(Debug)]
struct Stopped {
    tid: i32,
    /// A signal the thread was about to receive when it stopped; handed
    /// back at detach.
    pending_signal: i32,
}

/// Every thread of a process, stopped until this is dropped.
#[derive(Debug)]
pub struct StoppedProcess {
    pid: i32,
    threads: Vec<Stopped>,
    /// Threads listed but not stopped, and why.
    pub missed: Vec<(i32, String)>,
}

/// Rounds of re-reading `/proc/PID/task` for threads created while we were
/// attaching; after that, late threads are left running (and missing).
const TASK_ROUNDS: usize = 8;

/// The thread ids in `/proc/PID/task`.
pub fn list_threads(pid: i32) -> Result<Vec<i32>, CaptureError> {
    let dir = std::fs::read_dir(format!("/proc/{pid}/task")).map_err(|e| {
        if e.kind() == std::io::ErrorKind::NotFound {
            CaptureError::NoSuchProcess(pid)
        } else {
            CaptureError::os(format!("listing /proc/{pid}/task"), e)
        }
    })?;
    let mut tids: Vec<i32> = dir.filter_map(|e| e.ok()?.file_name().to_str()?.parse().ok()).collect();
    tids.sort_unstable();
    Ok(tids)
}

fn ptrace(request: libc::c_uint, tid: i32, addr: usize, data: usize) -> libc::c_long {
    // SAFETY: the requests used here take integer arguments or pointers to
    // buffers of the size the kernel expects, supplied by the callers below.
    unsafe { libc::ptrace(request, tid, addr as *mut libc::c_void, data as *mut libc::c_void) }
}

impl StoppedProcess {
    /// Seizes and stops every thread of `pid` (except `skip`, e.g. a thread
    /// that must keep running). Fails if not even one thread could be
    /// stopped.
    pub fn stop(pid: i32, skip: Option<i32>) -> Result<StoppedProcess, CaptureError> {
        let mut me = StoppedProcess { pid, threads: Vec::new(), missed: Vec::new() };
        let mut first_error = None;
        let mut seen = std::collections::HashSet::new();
        for _ in 0..TASK_ROUNDS {
            // Interrupt every new thread first, then collect their stops:
            // the threads stop in parallel instead of one after another.
            let mut interrupted = Vec::new();
            for tid in list_threads(pid)? {
                if Some(tid) == skip || !seen.insert(tid) {
                    continue;
                }
                match seize(tid) {
                    Ok(()) => interrupted.push(tid),
                    Err(e) => me.miss(tid, e, &mut first_error),
                }
            }
            if interrupted.is_empty() {
                break;
            }
            for tid in interrupted {
                match wait_stopped(tid) {
                    Ok(pending_signal) => me.threads.push(Stopped { tid, pending_signal }),
                    Err(e) => {
                        ptrace(libc::PTRACE_DETACH, tid, 0, 0);
                        me.miss(tid, e, &mut first_error)
                    }
                }
            }
        }
        if me.threads.is_empty() {
            return Err(first_error.unwrap_or(CaptureError::NoSuchProcess(pid)));
        }
        // A thread that died between listing and seizing is simply gone.
        me.missed.retain(|(tid, _)| std::path::Path::new(&format!("/proc/{pid}/task/{tid}")).exists());
        Ok(me)
    }

    fn miss(&mut self, tid: i32, e: std::io::Error, first_error: &mut Option<CaptureError>) {
        let hint = if e.raw_os_error() == Some(libc::EPERM) { permission_hint(self.pid) } else { String::new() };
        let e = CaptureError::os(format!("ptrace(SEIZE) of thread {tid} of {}{hint}", self.pid), e);
        self.missed.push((tid, e.to_string()));
        first_error.get_or_insert(e);
    }

    /// The stopped threads' ids, in `/proc` order.
    pub fn tids(&self) -> Vec<i32> {
        let mut t: Vec<i32> = self.threads.iter().map(|t| t.tid).collect();
        t.sort_unstable();
        t
    }

    /// The process id.
    pub fn pid(&self) -> i32 {
        self.pid
    }

    /// The registers of a stopped thread as this CPU's minidump context:
    /// the general register set, and the floating-point set when it reads.
    pub fn registers(&self, tid: i32) -> Result<native::Context, CaptureError> {
        let mut gpr = [0u8; native::PRSTATUS_SIZE];
        let n = register_set(tid, NT_PRSTATUS, &mut gpr)
            .map_err(|e| CaptureError::os(format!("ptrace(GETREGSET, NT_PRSTATUS) of thread {tid}"), e))?;
        if n != gpr.len() {
            return Err(CaptureError::Other(format!(
                "thread {tid}: {n} bytes of general registers, not {}",
                gpr.len()
            )));
        }
        let mut fp = [0u8; native::FPREGS_SIZE];
        let fp_ok = register_set(tid, NT_PRFPREG, &mut fp).is_ok_and(|n| n == fp.len());
        Ok(native::from_ptrace(&gpr, fp_ok.then_some(&fp[..])))
    }
}

/// `PTRACE_GETREGSET`: reads register set `note` (`NT_PRSTATUS`, ...) of a
/// stopped thread into `buf`; the number of bytes the kernel filled.
pub fn register_set(tid: i32, note: u32, buf: &mut [u8]) -> Result<usize, std::io::Error> {
    let mut iov = libc::iovec { iov_base: buf.as_mut_ptr().cast(), iov_len: buf.len() };
    if ptrace(libc::PTRACE_GETREGSET, tid, note as usize, &mut iov as *mut libc::iovec as usize) != 0 {
        return Err(std::io::Error::last_os_error());
    }
    Ok(iov.iov_len.min(buf.len()))
}

/// Why ptrace may have been refused, in words, for the error message.
fn permission_hint(pid: i32) -> String {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    let tracer = status.lines().find_map(|l| l.strip_prefix("TracerPid:")).map(str::trim).unwrap_or("0");
    if tracer != "0" {
        return format!(" (already traced by process {tracer})");
    }
    match std::fs::read_to_string("/proc/sys/kernel/yama/ptrace_scope").as_deref().map(str::trim) {
        Ok("1") => " (Yama ptrace_scope is 1: only an ancestor, or a process the target allowed with \
                    PR_SET_PTRACER, may trace it; or run with CAP_SYS_PTRACE)"
            .into(),
        Ok("2") => " (Yama ptrace_scope is 2: tracing needs CAP_SYS_PTRACE)".into(),
        Ok("3") => " (Yama ptrace_scope is 3: tracing is disabled)".into(),
        _ => " (another user's process, or one that is not dumpable?)".into(),
    }
}

/// Seizes and interrupts one thread (it stops asynchronously).
fn seize(tid: i32) -> Result<(), std::io::Error> {
    if ptrace(libc::PTRACE_SEIZE, tid, 0, 0) != 0 {
        return Err(std::io::Error::last_os_error());
    }
    if ptrace(libc::PTRACE_INTERRUPT, tid, 0, 0) != 0 {
        let e = std::io::Error::last_os_error();
        ptrace(libc::PTRACE_DETACH, tid, 0, 0);
        return Err(e);
    }
    Ok(())
}

/// Waits until a seized thread is stopped; returns the signal it was about
/// to take, if it stopped for one (0 otherwise).
fn wait_stopped(tid: i32) -> Result<i32, std::io::Error> {
    loop {
        let mut status = 0;
        // SAFETY: waitpid writes the status into our local.
        let r = unsafe { libc::waitpid(tid, &mut status, libc::__WALL) };
        if r < 0 {
            let e = std::io::Error::last_os_error();
            if e.kind() == std::io::ErrorKind::Interrupted {
                continue;
            }
            return Err(e);
        }
        if libc::WIFEXITED(status) || libc::WIFSIGNALED(status) {
            return Err(std::io::Error::from_raw_os_error(libc::ESRCH));
        }
        if libc::WIFSTOPPED(status) {
            // An interrupt or group stop (any stop signal) under SEIZE.
            if (status >> 16) == libc::PTRACE_EVENT_STOP {
                return Ok(0);
            }
            // A signal-delivery stop came first: keep the signal for detach
            // and stay stopped here (registers are readable in this stop).
            return Ok(libc::WSTOPSIG(status));
        }
    }
}

impl Drop for StoppedProcess {
    fn drop(&mut self) {
        for t in &self.threads {
            ptrace(libc::PTRACE_DETACH, t.tid, 0, t.pending_signal as usize);
        }
    }
}
