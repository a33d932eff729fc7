//! Alternate signal stacks.
//!
//! A crash by stack overflow leaves no stack to run the handler on, so the
//! handler runs with `SA_ONSTACK` on the thread's alternate signal stack.
//! Every thread needs its own:
//!
//! * Rust's std gives the main thread and every thread spawned with
//!   `std::thread` an alternate stack of `max(SIGSTKSZ, AT_MINSIGSTKSZ)`
//!   bytes (8 KiB on x86-64 glibc) when it installed its own stack-overflow
//!   handler at startup, i.e. when SIGSEGV and SIGBUS were at their default
//!   then (the test `std_threads_have_an_altstack` checks this). Our crash
//!   path needs well under 2 KiB of it beyond the kernel's signal frame
//!   (`AT_MINSIGSTKSZ`, 2-4 KiB with AVX-512): the test
//!   `handler_fits_a_small_signal_stack` runs it, callbacks included, on
//!   exactly that much with a guard page below. Callbacks that need more
//!   must run on threads given a bigger stack by `thread_init`.
//! * [`install`](super::install) gives the calling thread one of at least
//!   [`ALTSTACK_SIZE`] if it has none or a smaller one.
//! * Threads created outside std (`pthread_create` from C) have none; call
//!   [`thread_init`] on them (and on any thread whose callbacks need more
//!   room). Without one, a stack overflow on that thread kills the process
//!   without a dump (the kernel cannot deliver the signal); other crashes
//!   are handled on the thread's own stack.

use crate::error::CaptureError;

/// Size of the alternate stacks we make: room for the handler and the
/// user's callbacks.
pub const ALTSTACK_SIZE: usize = 64 * 1024;

/// An alternate stack we set for a thread; dropping it puts back what was
/// there before and frees ours. Keep it alive as long as the thread runs.
#[derive(Debug)]
pub struct AltStackGuard {
    mapping: Option<(usize, usize)>,
    previous: libc::stack_t,
}

fn current() -> libc::stack_t {
    // SAFETY: a null new stack only queries the current one.
    let mut old: libc::stack_t = unsafe { core::mem::zeroed() };
    // SAFETY: `old` is a valid stack_t.
    unsafe { libc::sigaltstack(core::ptr::null(), &mut old) };
    old
}

/// Gives the calling thread an alternate signal stack of at least
/// [`ALTSTACK_SIZE`] bytes unless it has one that large already.
pub fn thread_init() -> Result<AltStackGuard, CaptureError> {
    let previous = current();
    if previous.ss_flags & libc::SS_DISABLE == 0 && previous.ss_size >= ALTSTACK_SIZE {
        return Ok(AltStackGuard { mapping: None, previous });
    }
    let page = 4096;
    let total = ALTSTACK_SIZE + page;
    // SAFETY: an anonymous private mapping of our own.
    let base = unsafe {
        libc::mmap(
            core::ptr::null_mut(),
            total,
            libc::PROT_READ | libc::PROT_WRITE,
            libc::MAP_PRIVATE | libc::MAP_ANONYMOUS,
            -1,
            0,
        )
    };
    if base == libc::MAP_FAILED {
        return Err(CaptureError::last_os("mmap of an alternate signal stack"));
    }
    // A guard page below, so an overflow of the signal stack faults.
    // SAFETY: the first page of the mapping we just made.
    unsafe { libc::mprotect(base, page, libc::PROT_NONE) };
    let stack = libc::stack_t {
        // SAFETY: within the mapping.
        ss_sp: unsafe { base.cast::<u8>().add(page) }.cast(),
        ss_flags: 0,
        ss_size: ALTSTACK_SIZE,
    };
    // SAFETY: `stack` describes memory we own for the guard's lifetime.
    if unsafe { libc::sigaltstack(&stack, core::ptr::null_mut()) } != 0 {
        let e = CaptureError::last_os("sigaltstack");
        // SAFETY: our own mapping.
        unsafe { libc::munmap(base, total) };
        return Err(e);
    }
    Ok(AltStackGuard { mapping: Some((base as usize, total)), previous })
}

impl AltStackGuard {
    /// Keeps our stack for the rest of the thread's life (for the thread
    /// calling `install`, usually the main thread).
    pub fn keep(self) {
        core::mem::forget(self);
    }
}

impl Drop for AltStackGuard {
    fn drop(&mut self) {
        if let Some((base, total)) = self.mapping {
            let mut restore = self.previous;
            if restore.ss_flags & libc::SS_DISABLE != 0 {
                restore = libc::stack_t { ss_sp: core::ptr::null_mut(), ss_flags: libc::SS_DISABLE, ss_size: 0 };
            }
            // SAFETY: puts back the stack that was set before (still owned
            // by whoever set it) and frees ours, which is no longer in use.
            unsafe {
                libc::sigaltstack(&restore, core::ptr::null_mut());
                libc::munmap(base as *mut libc::c_void, total);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn std_threads_have_an_altstack() {
        // The claim in the module docs: std gives spawned threads a
        // sigaltstack of at least SIGSTKSZ.
        let (flags, size) = std::thread::spawn(|| {
            let s = current();
            (s.ss_flags, s.ss_size)
        })
        .join()
        .unwrap();
        assert_eq!(flags & libc::SS_DISABLE, 0, "a std thread has an alternate signal stack");
        assert!(size >= libc::SIGSTKSZ, "{size} bytes");
    }

    #[test]
    fn thread_init_sets_and_restores() {
        std::thread::spawn(|| {
            let before = current();
            let guard = thread_init().unwrap();
            let during = current();
            assert_eq!(during.ss_size, ALTSTACK_SIZE);
            assert_eq!(during.ss_flags & libc::SS_DISABLE, 0);
            drop(guard);
            let after = current();
            assert_eq!((after.ss_sp, after.ss_size), (before.ss_sp, before.ss_size));
        })
        .join()
        .unwrap();
    }
}
