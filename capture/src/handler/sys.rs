//! The system calls of the crash path, made with the CPU's system-call
//! instruction itself (`syscall` on x86-64, `svc 0` on AArch64): no libc
//! function is called between the signal and the finished dump, so there is
//! no lazy binding to resolve, no `errno` and no lock. Every function
//! returns the kernel's result (negative errno on failure). The call
//! numbers are libc's `SYS_*` for the target; every call used exists on
//! both CPUs (no `open`, `fork` or `dup2`, which AArch64 lacks).

use core::arch::asm;

/// A raw six-argument system call.
///
/// # Safety
/// The arguments must be valid for system call `n` (pointers to memory of
/// the size and mutability the call expects).
#[cfg(target_arch = "x86_64")]
#[inline(always)]
pub unsafe fn syscall6(n: i64, a1: usize, a2: usize, a3: usize, a4: usize, a5: usize, a6: usize) -> isize {
    let ret: isize;
    // SAFETY: the caller vouches for the arguments; the kernel clobbers rcx
    // and r11 only.
    unsafe {
        asm!(
            "syscall",
            inlateout("rax") n as isize => ret,
            in("rdi") a1,
            in("rsi") a2,
            in("rdx") a3,
            in("r10") a4,
            in("r8") a5,
            in("r9") a6,
            lateout("rcx") _,
            lateout("r11") _,
            options(nostack),
        );
    }
    ret
}

/// A raw six-argument system call.
///
/// # Safety
/// The arguments must be valid for system call `n` (pointers to memory of
/// the size and mutability the call expects).
#[cfg(target_arch = "aarch64")]
#[inline(always)]
pub unsafe fn syscall6(n: i64, a1: usize, a2: usize, a3: usize, a4: usize, a5: usize, a6: usize) -> isize {
    let ret: isize;
    // SAFETY: the caller vouches for the arguments; the number goes in x8,
    // the result comes back in x0 and the kernel preserves every other
    // register.
    unsafe {
        asm!(
            "svc 0",
            in("x8") n,
            inlateout("x0") a1 as isize => ret,
            in("x1") a2,
            in("x2") a3,
            in("x3") a4,
            in("x4") a5,
            in("x5") a6,
            options(nostack),
        );
    }
    ret
}

/// `gettid()`.
pub fn gettid() -> i32 {
    // SAFETY: no arguments.
    unsafe { syscall6(libc::SYS_gettid, 0, 0, 0, 0, 0, 0) as i32 }
}

/// `getpid()`.
pub fn getpid() -> i32 {
    // SAFETY: no arguments.
    unsafe { syscall6(libc::SYS_getpid, 0, 0, 0, 0, 0, 0) as i32 }
}

/// Sends all of `buf` (one datagram on a SEQPACKET socket), retrying on
/// EINTR; false on failure. `MSG_NOSIGNAL`: a vanished peer is an error,
/// not a SIGPIPE that would kill the process with the wrong signal.
pub fn send(fd: i32, buf: &[u8]) -> bool {
    loop {
        // SAFETY: `buf` is valid for reading `buf.len()` bytes; no address.
        let r = unsafe {
            syscall6(libc::SYS_sendto, fd as usize, buf.as_ptr() as usize, buf.len(), libc::MSG_NOSIGNAL as usize, 0, 0)
        };
        if r == -(libc::EINTR as isize) {
            continue;
        }
        return r == buf.len() as isize;
    }
}

/// Reads one datagram into `buf`, retrying on EINTR; the length, or a
/// negative errno (0: the peer is gone).
pub fn recv(fd: i32, buf: &mut [u8]) -> isize {
    loop {
        // SAFETY: `buf` is valid for writing `buf.len()` bytes.
        let r = unsafe { syscall6(libc::SYS_read, fd as usize, buf.as_mut_ptr() as usize, buf.len(), 0, 0, 0) };
        if r == -(libc::EINTR as isize) {
            continue;
        }
        return r;
    }
}

/// `futex(word, FUTEX_WAIT_PRIVATE, expected)`: sleeps while `*word ==
/// expected` (returns at once otherwise, or spuriously).
pub fn futex_wait(word: &core::sync::atomic::AtomicI32, expected: i32) {
    // SAFETY: `word` is a valid, aligned 32-bit futex word.
    unsafe {
        syscall6(
            libc::SYS_futex,
            word.as_ptr() as usize,
            (libc::FUTEX_WAIT | libc::FUTEX_PRIVATE_FLAG) as usize,
            expected as u32 as usize,
            0,
            0,
            0,
        );
    }
}

/// Wakes every thread sleeping on `word`.
pub fn futex_wake_all(word: &core::sync::atomic::AtomicI32) {
    // SAFETY: as above.
    unsafe {
        syscall6(
            libc::SYS_futex,
            word.as_ptr() as usize,
            (libc::FUTEX_WAKE | libc::FUTEX_PRIVATE_FLAG) as usize,
            i32::MAX as usize,
            0,
            0,
            0,
        );
    }
}

/// `prctl(option, arg)`.
pub fn prctl(option: i32, arg: usize) -> isize {
    // SAFETY: the options used (PR_GET/SET_DUMPABLE) take integers.
    unsafe { syscall6(libc::SYS_prctl, option as usize, arg, 0, 0, 0, 0) }
}

/// The kernel's `struct sigaction` on x86-64 and AArch64 (the same layout
/// on both; not glibc's: the mask is the kernel's 8-byte set and the
/// restorer is explicit).
#[repr(C)]
#[derive(Clone, Copy, Debug, Default)]
pub struct KernelSigaction {
    /// Handler address (or SIG_DFL / SIG_IGN).
    pub handler: usize,
    /// SA_* flags.
    pub flags: u64,
    /// The `rt_sigreturn` trampoline glibc installed.
    pub restorer: usize,
    /// Signals blocked while the handler runs.
    pub mask: u64,
}

/// `rt_sigaction(signal, new, old)`.
pub fn rt_sigaction(signal: i32, new: Option<&KernelSigaction>, old: Option<&mut KernelSigaction>) -> isize {
    let new = new.map_or(0, |n| n as *const KernelSigaction as usize);
    let old = old.map_or(0, |o| o as *mut KernelSigaction as usize);
    // SAFETY: both pointers are null or valid kernel sigaction structs;
    // 8 is the size of the kernel's signal set.
    unsafe { syscall6(libc::SYS_rt_sigaction, signal as usize, new, old, 8, 0, 0) }
}

/// Queues `signal` with the given siginfo to the calling thread
/// (`rt_tgsigqueueinfo`: to oneself any `si_code` is allowed, so the
/// previous handler sees the original fault's siginfo).
pub fn requeue_to_self(signal: i32, info: *const libc::siginfo_t) -> isize {
    // SAFETY: `info` points at the siginfo the kernel handed us.
    unsafe {
        syscall6(
            libc::SYS_rt_tgsigqueueinfo,
            getpid() as usize,
            gettid() as usize,
            signal as usize,
            info as usize,
            0,
            0,
        )
    }
}

/// `tgkill(getpid(), gettid(), signal)`.
pub fn raise(signal: i32) -> isize {
    // SAFETY: integer arguments.
    unsafe { syscall6(libc::SYS_tgkill, getpid() as usize, gettid() as usize, signal as usize, 0, 0, 0) }
}
