//! Reading another process's memory.

use crate::elf::ReadAt;
use mdump_writer::MemorySource;
use std::fs::File;

/// The memory of a live process, read with `process_vm_readv` and, where
/// that is refused (some kernels, seccomp'd helpers), `/proc/PID/mem`.
/// Unreadable bytes simply end a read early.
pub struct ProcessMemory {
    pid: i32,
    mem: Option<File>,
}

impl ProcessMemory {
    /// A reader of `pid`'s memory (the caller must be allowed to ptrace it).
    pub fn new(pid: i32) -> ProcessMemory {
        let mem = File::open(format!("/proc/{pid}/mem")).ok();
        ProcessMemory { pid, mem }
    }

    /// Reads into `buf` from `address`; returns the number of bytes read.
    pub fn read_bytes(&self, address: u64, buf: &mut [u8]) -> usize {
        if buf.is_empty() {
            return 0;
        }
        let local = libc::iovec { iov_base: buf.as_mut_ptr().cast(), iov_len: buf.len() };
        let remote = libc::iovec { iov_base: address as usize as *mut libc::c_void, iov_len: buf.len() };
        // SAFETY: both iovecs describe valid memory: `local` is `buf`, and
        // `remote` is only read by the kernel in the other process.
        let n = unsafe { libc::process_vm_readv(self.pid, &local, 1, &remote, 1, 0) };
        if n > 0 {
            return n as usize;
        }
        match &self.mem {
            Some(f) => ReadAt::read_at(f, address, buf),
            None => 0,
        }
    }

    /// A little-endian u64 at `address`.
    pub fn read_u64(&self, address: u64) -> Option<u64> {
        let mut b = [0u8; 8];
        (self.read_bytes(address, &mut b) == 8).then(|| u64::from_le_bytes(b))
    }

    /// A NUL-terminated string at `address`, at most `max` bytes.
    pub fn read_c_string(&self, address: u64, max: usize) -> Option<Vec<u8>> {
        let mut out = Vec::new();
        let mut chunk = [0u8; 256];
        while out.len() < max {
            let want = chunk.len().min(max - out.len());
            let n = self.read_bytes(address.checked_add(out.len() as u64)?, &mut chunk[..want]);
            if n == 0 {
                return None;
            }
            if let Some(z) = chunk[..n].iter().position(|&b| b == 0) {
                out.extend_from_slice(&chunk[..z]);
                return Some(out);
            }
            out.extend_from_slice(&chunk[..n]);
        }
        Some(out)
    }
}

impl ReadAt for ProcessMemory {
    fn read_at(&self, offset: u64, buf: &mut [u8]) -> usize {
        // process_vm_readv stops at the first unreadable page and reports
        // the readable head, so one call per contiguous run suffices.
        let mut done = 0;
        while done < buf.len() {
            let n = self.read_bytes(offset.wrapping_add(done as u64), &mut buf[done..]);
            if n == 0 {
                break;
            }
            done += n;
        }
        done
    }
}

impl MemorySource for ProcessMemory {
    fn read(&mut self, address: u64, buf: &mut [u8]) -> usize {
        ReadAt::read_at(self, address, buf)
    }
}
