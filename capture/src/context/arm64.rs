//! AArch64 contexts: from `ptrace` register sets and from a signal's
//! `ucontext`, into Microsoft's `ARM64_NT_CONTEXT` (`CONTEXT_ARM64`), the
//! layout Breakpad's and Crashpad's Linux clients write and every reader
//! (Breakpad, rust-minidump, LLDB) accepts.
//!
//! Layouts are the kernel's UAPI (`asm/ucontext.h`, `asm/sigcontext.h`,
//! `asm/ptrace.h`); glibc's `ucontext_t` and what its `getcontext` fills are
//! the same bytes. Compiled and tested on every host: these are byte
//! parsers, and `tests/arm64_frames.rs` feeds them signal frames and
//! `getcontext` buffers made by a real AArch64 program under `qemu-aarch64`.

use mdump_format::context::arm64::{ContextArm64, CONTEXT_ARM64_CONTROL, CONTEXT_ARM64_FULL, CONTEXT_ARM64_INTEGER};
use mdump_format::context::U128;
use mdump_format::{U32, U64};
use zerocopy::FromZeros;

use super::{u32_at, u64_at};

/// The minidump context record of this CPU.
pub type Context = ContextArm64;

/// AArch64 Linux has no red zone: nothing below the stack pointer is live.
pub const RED_ZONE: u64 = 0;

/// Offset of `uc_mcontext` (a `struct sigcontext`, 16-aligned after the
/// 1024-bit signal mask glibc reserves) in the `ucontext`.
const MCONTEXT_OFFSET: usize = 176;
/// `sigcontext.fault_address`.
pub const FAULT_ADDRESS_OFFSET: usize = MCONTEXT_OFFSET;
/// `sigcontext.regs[0]`; `sp`, `pc` and `pstate` follow `regs[30]`.
const REGS_OFFSET: usize = MCONTEXT_OFFSET + 8;
/// `sigcontext.__reserved`: the chain of `_aarch64_ctx` records (FPSIMD,
/// ESR, SVE, ...).
const RESERVED_OFFSET: usize = MCONTEXT_OFFSET + 288;
/// Size of `sigcontext.__reserved`.
const RESERVED_SIZE: usize = 4096;
/// The whole `ucontext`: what is read of a signal frame.
pub const UCONTEXT_READ_SIZE: usize = RESERVED_OFFSET + RESERVED_SIZE;

/// `FPSIMD_MAGIC`: the record with `fpsr`, `fpcr` and `v0`-`v31`.
pub const FPSIMD_MAGIC: u32 = 0x4650_8001;
/// Size of `struct fpsimd_context`: header, fpsr, fpcr, 32 16-byte vectors.
const FPSIMD_CONTEXT_SIZE: usize = 16 + 32 * 16;

/// Size of the `NT_PRSTATUS` register set (`struct user_pt_regs`:
/// `regs[31]`, `sp`, `pc`, `pstate`).
pub const PRSTATUS_SIZE: usize = 34 * 8;
/// Size of the `NT_PRFPREG` register set (`struct user_fpsimd_state`:
/// `vregs[32]`, `fpsr`, `fpcr`, two reserved words).
pub const FPREGS_SIZE: usize = 32 * 16 + 16;

fn vector(bytes: &[u8], at: usize) -> U128 {
    let low = u64_at(bytes, at);
    let high = u64_at(bytes, at + 8);
    U128::new(u128::from(low) | (u128::from(high) << 64))
}

/// Integer registers, `sp`, `pc` and `pstate` from 34 consecutive words at
/// `at` (the same order in `sigcontext` and `user_pt_regs`).
fn integer_registers(c: &mut ContextArm64, bytes: &[u8], at: usize) {
    for (i, x) in c.x.iter_mut().enumerate() {
        *x = U64::new(u64_at(bytes, at + i * 8));
    }
    c.sp = U64::new(u64_at(bytes, at + 31 * 8));
    c.pc = U64::new(u64_at(bytes, at + 32 * 8));
    // PSTATE's NZCV and the rest of what `Cpsr` holds are its low 32 bits.
    c.cpsr = U32::new(u64_at(bytes, at + 33 * 8) as u32);
}

/// Vector registers at `at`, then `fpsr` and `fpcr` at `status` (their
/// order differs: after the vectors in `user_fpsimd_state`, before them in
/// `fpsimd_context`).
fn fp_registers(c: &mut ContextArm64, bytes: &[u8], vectors: usize, status: usize) {
    for (i, v) in c.v.iter_mut().enumerate() {
        *v = vector(bytes, vectors + i * 16);
    }
    c.fpsr = U32::new(u32_at(bytes, status));
    c.fpcr = U32::new(u32_at(bytes, status + 4));
}

/// Where the FPSIMD record starts in a `ucontext`'s `__reserved` chain, if
/// it is there whole. The chain is walked record by record (`magic`,
/// `size`) until a zero magic, a size that cannot be a record, or the end.
pub fn fpsimd_record(ucontext: &[u8]) -> Option<usize> {
    let end = ucontext.len().min(UCONTEXT_READ_SIZE);
    let mut at = RESERVED_OFFSET;
    while at + 8 <= end {
        let (magic, size) = (u32_at(ucontext, at), u32_at(ucontext, at + 4) as usize);
        if magic == 0 || size < 8 {
            return None;
        }
        if magic == FPSIMD_MAGIC {
            return (size >= FPSIMD_CONTEXT_SIZE && at + FPSIMD_CONTEXT_SIZE <= end).then_some(at);
        }
        at = at.checked_add(size)?;
    }
    None
}

/// The context of a signal frame or `getcontext` buffer: `ucontext` holds
/// the `ucontext` (up to [`UCONTEXT_READ_SIZE`] bytes; short input reads as
/// zeros). Floating point is present when the FPSIMD record is.
pub fn from_ucontext(ucontext: &[u8]) -> ContextArm64 {
    let mut c = empty();
    c.context_flags = U32::new(CONTEXT_ARM64_CONTROL | CONTEXT_ARM64_INTEGER);
    integer_registers(&mut c, ucontext, REGS_OFFSET);
    if let Some(at) = fpsimd_record(ucontext) {
        c.context_flags = U32::new(CONTEXT_ARM64_FULL);
        fp_registers(&mut c, ucontext, at + 16, at + 8);
    }
    c
}

/// The context of a ptrace-stopped thread from its `NT_PRSTATUS` bytes
/// (`user_pt_regs`) and, if read, its `NT_PRFPREG` bytes
/// (`user_fpsimd_state`). Short input reads as zeros.
pub fn from_ptrace(gpr: &[u8], fp: Option<&[u8]>) -> ContextArm64 {
    let mut c = empty();
    c.context_flags = U32::new(CONTEXT_ARM64_CONTROL | CONTEXT_ARM64_INTEGER);
    integer_registers(&mut c, gpr, 0);
    if let Some(fp) = fp {
        c.context_flags = U32::new(CONTEXT_ARM64_FULL);
        fp_registers(&mut c, fp, 0, 32 * 16);
    }
    c
}

/// The context of the signal frame (or `getcontext` buffer) whose
/// `ucontext` is at `address`, read with `read(address, buf) -> bytes
/// read`. The FPSIMD record is inside the `ucontext`; a frame whose record
/// chain runs past the readable part still gives its integer registers.
pub fn read_ucontext(read: &mut dyn FnMut(u64, &mut [u8]) -> usize, address: u64) -> Option<ContextArm64> {
    let mut uc = vec![0u8; UCONTEXT_READ_SIZE];
    let n = read(address, &mut uc);
    (n > RESERVED_OFFSET).then(|| from_ucontext(&uc[..n]))
}

/// The stack pointer.
pub fn stack_pointer(c: &ContextArm64) -> u64 {
    c.sp.get()
}

/// The program counter.
pub fn instruction_pointer(c: &ContextArm64) -> u64 {
    c.pc.get()
}

/// An all-zero context with no flags: a thread whose registers could not be
/// read.
pub fn empty() -> ContextArm64 {
    ContextArm64::new_zeroed()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn put64(b: &mut [u8], at: usize, v: u64) {
        b[at..at + 8].copy_from_slice(&v.to_le_bytes());
    }

    fn put32(b: &mut [u8], at: usize, v: u32) {
        b[at..at + 4].copy_from_slice(&v.to_le_bytes());
    }

    /// A signal frame as the kernel writes it: registers numbered, an ESR
    /// record first (as after a data abort), then FPSIMD.
    fn frame() -> Vec<u8> {
        let mut uc = vec![0u8; UCONTEXT_READ_SIZE];
        put64(&mut uc, FAULT_ADDRESS_OFFSET, 0xdead);
        for i in 0..34 {
            put64(&mut uc, REGS_OFFSET + i * 8, 0x1000 + i as u64);
        }
        let esr = RESERVED_OFFSET;
        put32(&mut uc, esr, 0x4553_5201);
        put32(&mut uc, esr + 4, 16);
        let fp = esr + 16;
        put32(&mut uc, fp, FPSIMD_MAGIC);
        put32(&mut uc, fp + 4, FPSIMD_CONTEXT_SIZE as u32);
        put32(&mut uc, fp + 8, 0x1000_0010);
        put32(&mut uc, fp + 12, 0x0300_0000);
        for i in 0..32 {
            put64(&mut uc, fp + 16 + i * 16, 0xaa00 + i as u64);
            put64(&mut uc, fp + 24 + i * 16, 0xbb00 + i as u64);
        }
        uc
    }

    #[test]
    fn ucontext_registers_land_in_place() {
        let c = from_ucontext(&frame());
        assert_eq!(c.x[0].get(), 0x1000);
        assert_eq!(c.x[28].get(), 0x1000 + 28);
        assert_eq!(c.fp(), 0x1000 + 29);
        assert_eq!(c.x[30].get(), 0x1000 + 30, "lr");
        assert_eq!(stack_pointer(&c), 0x1000 + 31);
        assert_eq!(instruction_pointer(&c), 0x1000 + 32);
        assert_eq!(c.cpsr.get(), 0x1000 + 33);
        assert_eq!(c.fpsr.get(), 0x1000_0010);
        assert_eq!(c.fpcr.get(), 0x0300_0000);
        assert_eq!(c.v[0].get(), 0xbb00_u128 << 64 | 0xaa00);
        assert_eq!(c.v[31].get(), (0xbb00_u128 + 31) << 64 | (0xaa00 + 31));
        assert_eq!(c.flags(), CONTEXT_ARM64_FULL);
    }

    #[test]
    fn a_frame_without_fpsimd_has_integer_registers_only() {
        let mut uc = frame();
        uc[RESERVED_OFFSET + 16..].fill(0);
        let c = from_ucontext(&uc);
        assert_eq!(c.flags(), CONTEXT_ARM64_CONTROL | CONTEXT_ARM64_INTEGER);
        assert_eq!(c.pc.get(), 0x1000 + 32);
        assert_eq!(c.v[0].get(), 0);
        // A record claiming a size below its header ends the walk.
        let mut uc = frame();
        put32(&mut uc, RESERVED_OFFSET + 4, 4);
        assert_eq!(fpsimd_record(&uc), None);
        // A record chain running past the end, or a cut frame: no FPSIMD.
        let mut uc = frame();
        put32(&mut uc, RESERVED_OFFSET + 4, u32::MAX);
        assert_eq!(fpsimd_record(&uc), None);
        assert_eq!(fpsimd_record(&frame()[..RESERVED_OFFSET + 100]), None);
        assert_eq!(from_ucontext(&frame()[..40]).pc.get(), 0, "short input reads as zeros");
    }

    #[test]
    fn ptrace_register_sets_land_in_place() {
        let mut gpr = vec![0u8; PRSTATUS_SIZE];
        for i in 0..34 {
            put64(&mut gpr, i * 8, 0x2000 + i as u64);
        }
        let mut fp = vec![0u8; FPREGS_SIZE];
        for i in 0..32 {
            put64(&mut fp, i * 16, 0xcc00 + i as u64);
        }
        put32(&mut fp, 512, 0x11);
        put32(&mut fp, 516, 0x22);
        let c = from_ptrace(&gpr, Some(&fp));
        assert_eq!(c.x[30].get(), 0x2000 + 30);
        assert_eq!(c.sp.get(), 0x2000 + 31);
        assert_eq!(c.pc.get(), 0x2000 + 32);
        assert_eq!(c.cpsr.get(), 0x2000 + 33);
        assert_eq!(c.v[5].get(), 0xcc05);
        assert_eq!((c.fpsr.get(), c.fpcr.get()), (0x11, 0x22));
        assert_eq!(c.flags(), CONTEXT_ARM64_FULL);
        assert_eq!(from_ptrace(&gpr, None).flags(), CONTEXT_ARM64_CONTROL | CONTEXT_ARM64_INTEGER);
    }

    #[test]
    fn reading_a_frame_from_memory() {
        let uc = frame();
        let mut read = |address: u64, buf: &mut [u8]| {
            let at = (address - 0x7000) as usize;
            let n = buf.len().min(uc.len().saturating_sub(at));
            buf[..n].copy_from_slice(&uc[at..at + n]);
            n
        };
        assert_eq!(read_ucontext(&mut read, 0x7000).unwrap().pc.get(), 0x1000 + 32);
        let mut nothing = |_: u64, _: &mut [u8]| 0;
        assert!(read_ucontext(&mut nothing, 0x7000).is_none());
    }
}
