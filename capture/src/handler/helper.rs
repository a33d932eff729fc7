//! The helper process: forked at `install()`, it sleeps on a socket until
//! the process asks for a dump, then stops every thread with ptrace, writes
//! the dump with the ordinary collector and answers with the file's path.

use crate::collect::{self, Crash};
use crate::options::Options;
use crate::ptrace::StoppedProcess;
use std::io::Write;
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};

/// Marks a request or reply of this protocol.
pub const MAGIC: u32 = 0x6d64_6d70;
/// A crash: the signal frame's ucontext is at `ucontext`.
pub const KIND_CRASH: u32 = 1;
/// `write_dump_now`: a `getcontext` ucontext is at `ucontext`.
pub const KIND_REQUEST: u32 = 2;
/// Room for the dump's path (or an error message) in a reply.
pub const PATH_MAX: usize = 4096;

/// What the crashed process sends: plain integers, written from a static
/// buffer by the signal handler.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default)]
pub struct Request {
    /// [`MAGIC`].
    pub magic: u32,
    /// [`KIND_CRASH`] or [`KIND_REQUEST`].
    pub kind: u32,
    /// The crashed or requesting thread.
    pub tid: i32,
    /// The signal (or `DUMP_REQUESTED`).
    pub signal: u32,
    /// `si_code`.
    pub code: i32,
    /// Padding.
    pub reserved: u32,
    /// `si_addr`.
    pub address: u64,
    /// Address of the ucontext in the crashed process.
    pub ucontext: u64,
    /// Address of the table of other crashing threads (see
    /// `handler::WAITERS`): `(tid: i32, pad, ucontext: u64)` entries.
    pub waiters: u64,
    /// Entries in that table.
    pub waiter_count: u32,
    /// Padding.
    pub reserved2: u32,
}

/// The helper's answer.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct Reply {
    /// [`MAGIC`].
    pub magic: u32,
    /// 1 if the dump was written.
    pub ok: u32,
    /// Bytes used in `text`.
    pub len: u32,
    /// Padding.
    pub reserved: u32,
    /// The dump's path, or what went wrong.
    pub text: [u8; PATH_MAX],
}

impl Reply {
    /// An empty reply (a static can hold it).
    pub const EMPTY: Reply = Reply { magic: 0, ok: 0, len: 0, reserved: 0, text: [0; PATH_MAX] };

    /// The used part of `text`.
    pub fn text(&self) -> &[u8] {
        &self.text[..(self.len as usize).min(PATH_MAX)]
    }
}

/// Views a plain-old-data struct as bytes.
pub fn as_bytes<T: Copy>(v: &T) -> &[u8] {
    // SAFETY: T is a repr(C) struct of integers and byte arrays with no
    // padding holes that matter (they are written and read as opaque bytes).
    unsafe { core::slice::from_raw_parts((v as *const T).cast::<u8>(), core::mem::size_of::<T>()) }
}

/// Views a plain-old-data struct as writable bytes.
pub fn as_bytes_mut<T: Copy>(v: &mut T) -> &mut [u8] {
    // SAFETY: as above; every bit pattern is a valid Request or Reply.
    unsafe { core::slice::from_raw_parts_mut((v as *mut T).cast::<u8>(), core::mem::size_of::<T>()) }
}

/// A fresh dump file name: a random GUID, as Breakpad names its dumps.
fn dump_name() -> String {
    let mut b = [0u8; 16];
    // SAFETY: getrandom fills the buffer we give it.
    let n = unsafe { libc::getrandom(b.as_mut_ptr().cast(), b.len(), 0) };
    if n != 16 {
        let t = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap_or_default();
        b[..8].copy_from_slice(&(t.as_nanos() as u64).to_le_bytes());
        // SAFETY: getpid has no preconditions.
        b[8..12].copy_from_slice(&unsafe { libc::getpid() }.to_le_bytes());
    }
    format!(
        "{:02x}{:02x}{:02x}{:02x}-{:02x}{:02x}-{:02x}{:02x}-{:02x}{:02x}-{:02x}{:02x}{:02x}{:02x}{:02x}{:02x}.dmp",
        b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13], b[14], b[15]
    )
}

/// The other crashing threads and their signal frames, from the table the
/// handler keeps in the crashed process (the helper, a fork of it, was
/// told its address).
fn read_waiters(pid: i32, request: &Request) -> Vec<(i32, u64)> {
    let count = (request.waiter_count as usize).min(super::MAX_WAITERS);
    let mut table = vec![0u8; count * 16];
    let memory = crate::memory::ProcessMemory::new(pid);
    let n = crate::elf::ReadAt::read_at(&memory, request.waiters, &mut table);
    table[..n]
        .chunks_exact(16)
        .filter_map(|e| {
            let tid = i32::from_le_bytes(e[..4].try_into().ok()?);
            let uc = u64::from_le_bytes(e[8..].try_into().ok()?);
            (tid > 0 && tid != request.tid && uc != 0).then_some((tid, uc))
        })
        .collect()
}

/// Writes one dump of `pid` for `request` into `dir`; the final path.
/// The file is written under a `.partial` name and renamed when complete,
/// so a `.dmp` in the directory is always whole.
pub fn dump_to_dir(pid: i32, dir: &Path, options: &Options, request: &Request) -> Result<PathBuf, String> {
    let name = dump_name();
    let path = dir.join(&name);
    let partial = dir.join(format!("{name}.partial"));
    let crash = Crash {
        tid: request.tid,
        signal: request.signal,
        code: request.code,
        address: request.address,
        ucontext: request.ucontext,
        others: read_waiters(pid, request),
    };
    let result = (|| {
        let mut file = std::fs::File::create(&partial).map_err(|e| format!("creating {}: {e}", partial.display()))?;
        {
            let stopped = StoppedProcess::stop(pid, None).map_err(|e| e.to_string())?;
            // SAFETY: getpid has no preconditions.
            let me = unsafe { libc::getpid() };
            collect::write_dump(&stopped, Some(&crash), options, me, &mut file).map_err(|e| e.to_string())?;
            // The threads are let go here, before the reply.
        }
        file.flush().map_err(|e| e.to_string())?;
        std::fs::rename(&partial, &path).map_err(|e| format!("renaming {}: {e}", partial.display()))
    })();
    match result {
        Ok(()) => Ok(path),
        Err(e) => {
            let _ = std::fs::remove_file(&partial);
            Err(e)
        }
    }
}

/// Lets go of every descriptor inherited from the process but our socket,
/// and points 0, 1 and 2 at /dev/null: the helper must not keep the
/// process's pipes, sockets or locked files open (a reader of the process's
/// output would wait for the helper too).
fn detach_descriptors(keep: i32) {
    let fds: Vec<i32> = match std::fs::read_dir("/proc/self/fd") {
        Ok(dir) => dir.filter_map(|e| e.ok()?.file_name().to_str()?.parse().ok()).collect(),
        Err(_) => return,
    };
    // SAFETY: closing and duplicating descriptors of this (helper) process.
    unsafe {
        for fd in fds {
            if fd != keep && fd > 2 {
                libc::close(fd);
            }
        }
        let null = libc::open(c"/dev/null".as_ptr(), libc::O_RDWR);
        if null >= 0 {
            for std_fd in 0..3 {
                if std_fd != keep {
                    libc::dup2(null, std_fd);
                }
            }
            if null > 2 && null != keep {
                libc::close(null);
            }
        }
    }
}

/// Makes the helper a session of its own with default signal handling: it
/// inherited the process's handlers (whose code must not run here), its
/// signal mask and its process group (Ctrl-C at a terminal must not kill
/// the helper of a process that survives it).
fn detach_signals() {
    // SAFETY: plain process-attribute calls on the helper itself.
    unsafe {
        libc::setsid();
        for signal in 1..32 {
            if signal != libc::SIGKILL && signal != libc::SIGSTOP {
                libc::signal(signal, libc::SIG_DFL);
            }
        }
        libc::signal(libc::SIGPIPE, libc::SIG_IGN);
        let mut none: libc::sigset_t = core::mem::zeroed();
        libc::sigemptyset(&mut none);
        libc::sigprocmask(libc::SIG_SETMASK, &none, core::ptr::null_mut());
    }
}

/// The helper's life: answer requests on `fd` until the process closes its
/// end (it exited or exec'd), then exit. Never returns.
pub fn run(fd: i32, pid: i32, dir: PathBuf, options: Options) -> ! {
    // Signals first: the descriptors going is what tests wait for.
    detach_signals();
    detach_descriptors(fd);
    let mut request = Request::default();
    let mut reply = Reply::EMPTY;
    loop {
        let n = super::sys::recv(fd, as_bytes_mut(&mut request));
        if n <= 0 {
            break;
        }
        if n as usize != core::mem::size_of::<Request>() || request.magic != MAGIC {
            continue;
        }
        let (ok, text) = match dump_to_dir(pid, &dir, &options, &request) {
            Ok(path) => (1, path.as_os_str().as_bytes().to_vec()),
            Err(e) => (0, e.into_bytes()),
        };
        reply.magic = MAGIC;
        reply.ok = ok;
        let len = text.len().min(PATH_MAX);
        reply.text[..len].copy_from_slice(&text[..len]);
        reply.len = len as u32;
        super::sys::send(fd, as_bytes(&reply));
    }
    // SAFETY: _exit ends the helper without running the parent's atexit
    // handlers or flushing its copied stdio buffers.
    unsafe { libc::_exit(0) }
}
