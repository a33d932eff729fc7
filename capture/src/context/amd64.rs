//! x86-64 contexts: from `ptrace` register sets and from a signal's
//! `ucontext`, into the minidump's `CONTEXT_AMD64`.
//!
//! Breakpad's Linux client marks both kinds `CONTEXT_AMD64_FULL` (control,
//! integer, floating point); we add `SEGMENTS` for ptrace'd threads, whose
//! segment selectors are all known, as Breakpad does there.

use mdump_format::context::amd64::{ContextAmd64, XmmSaveArea32, CONTEXT_AMD64_FULL, CONTEXT_AMD64_SEGMENTS};
use mdump_format::{U16, U32, U64};
use zerocopy::FromBytes;

use super::u64_at;

/// The minidump context record of this CPU.
pub type Context = ContextAmd64;

/// The red zone below the stack pointer, which leaf functions use: a
/// thread's stack is taken from there.
pub const RED_ZONE: u64 = 128;

/// Size of a signal frame's `ucontext` up to the end of its `mcontext`: the
/// part we read (flags, link, stack, 23 general registers, fpstate
/// pointer, reserved words).
pub const UCONTEXT_READ_SIZE: usize = 296;
/// Offset of `uc_mcontext.gregs` in the x86-64 `ucontext`.
const GREGS_OFFSET: usize = 40;
/// Offset of `uc_mcontext.fpregs` (a pointer to the FXSAVE image).
pub const FPREGS_PTR_OFFSET: usize = GREGS_OFFSET + 23 * 8;
/// Size of the FXSAVE image `fpregs` points at.
pub const FXSAVE_SIZE: usize = 512;

// glibc's REG_* indices into gregs (the kernel's `sigcontext` order).
const REG_R8: usize = 0;
const REG_RDI: usize = 8;
const REG_RSI: usize = 9;
const REG_RBP: usize = 10;
const REG_RBX: usize = 11;
const REG_RDX: usize = 12;
const REG_RAX: usize = 13;
const REG_RCX: usize = 14;
const REG_RSP: usize = 15;
const REG_RIP: usize = 16;
const REG_EFL: usize = 17;
const REG_CSGSFS: usize = 18;

fn fxsave(bytes: Option<&[u8]>) -> XmmSaveArea32 {
    bytes
        .and_then(|b| XmmSaveArea32::read_from_prefix(b).ok())
        .map(|(x, _)| x)
        .unwrap_or_else(|| XmmSaveArea32::read_from_bytes(&[0u8; FXSAVE_SIZE][..]).expect("512 bytes"))
}

fn empty_context() -> ContextAmd64 {
    ContextAmd64::read_from_bytes(&[0u8; core::mem::size_of::<ContextAmd64>()][..]).expect("sized")
}

/// The context of a signal frame: `ucontext` holds at least
/// [`UCONTEXT_READ_SIZE`] bytes of the `ucontext_t`, `fx` the 512 bytes
/// its `fpregs` pointer points at (if readable).
pub fn from_ucontext(ucontext: &[u8], fx: Option<&[u8]>) -> ContextAmd64 {
    let g = |i: usize| u64_at(ucontext, GREGS_OFFSET + i * 8);
    let mut c = empty_context();
    c.context_flags = U32::new(CONTEXT_AMD64_FULL);
    let r = [&mut c.r8, &mut c.r9, &mut c.r10, &mut c.r11, &mut c.r12, &mut c.r13, &mut c.r14, &mut c.r15];
    for (i, reg) in r.into_iter().enumerate() {
        *reg = U64::new(g(REG_R8 + i));
    }
    c.rdi = U64::new(g(REG_RDI));
    c.rsi = U64::new(g(REG_RSI));
    c.rbp = U64::new(g(REG_RBP));
    c.rbx = U64::new(g(REG_RBX));
    c.rdx = U64::new(g(REG_RDX));
    c.rax = U64::new(g(REG_RAX));
    c.rcx = U64::new(g(REG_RCX));
    c.rsp = U64::new(g(REG_RSP));
    c.rip = U64::new(g(REG_RIP));
    c.eflags = U32::new(g(REG_EFL) as u32);
    // cs, gs, fs, (ss since Linux 4.8 with UC_SIGCONTEXT_SS): 16 bits each.
    let csgsfs = g(REG_CSGSFS);
    c.cs = U16::new(csgsfs as u16);
    c.gs = U16::new((csgsfs >> 16) as u16);
    c.fs = U16::new((csgsfs >> 32) as u16);
    c.flt_save = fxsave(fx);
    c.mx_csr = c.flt_save.mx_csr;
    c
}

/// Size of the `NT_PRSTATUS` register set (`struct user_regs_struct`: 27
/// words).
pub const PRSTATUS_SIZE: usize = 27 * 8;
/// Size of the `NT_PRFPREG` register set (`struct user_fpregs_struct`, the
/// FXSAVE image).
pub const FPREGS_SIZE: usize = FXSAVE_SIZE;

// Word indices into `user_regs_struct` (the kernel's `pt_regs` order as
// ptrace presents it).
const PT_R15: usize = 0;
const PT_R14: usize = 1;
const PT_R13: usize = 2;
const PT_R12: usize = 3;
const PT_RBP: usize = 4;
const PT_RBX: usize = 5;
const PT_R11: usize = 6;
const PT_R10: usize = 7;
const PT_R9: usize = 8;
const PT_R8: usize = 9;
const PT_RAX: usize = 10;
const PT_RCX: usize = 11;
const PT_RDX: usize = 12;
const PT_RSI: usize = 13;
const PT_RDI: usize = 14;
const PT_RIP: usize = 16;
const PT_CS: usize = 17;
const PT_EFLAGS: usize = 18;
const PT_RSP: usize = 19;
const PT_SS: usize = 20;
const PT_DS: usize = 23;
const PT_ES: usize = 24;
const PT_FS: usize = 25;
const PT_GS: usize = 26;

/// The context of a ptrace-stopped thread from its `NT_PRSTATUS` bytes
/// (`user_regs_struct`) and, if read, its `NT_PRFPREG` bytes (FXSAVE).
/// Short input reads as zeros.
pub fn from_ptrace(gpr: &[u8], fp: Option<&[u8]>) -> ContextAmd64 {
    let w = |i: usize| u64_at(gpr, i * 8);
    let mut c = empty_context();
    c.context_flags = U32::new(CONTEXT_AMD64_FULL | CONTEXT_AMD64_SEGMENTS);
    c.cs = U16::new(w(PT_CS) as u16);
    c.ds = U16::new(w(PT_DS) as u16);
    c.es = U16::new(w(PT_ES) as u16);
    c.fs = U16::new(w(PT_FS) as u16);
    c.gs = U16::new(w(PT_GS) as u16);
    c.ss = U16::new(w(PT_SS) as u16);
    c.eflags = U32::new(w(PT_EFLAGS) as u32);
    c.rax = U64::new(w(PT_RAX));
    c.rcx = U64::new(w(PT_RCX));
    c.rdx = U64::new(w(PT_RDX));
    c.rbx = U64::new(w(PT_RBX));
    c.rsp = U64::new(w(PT_RSP));
    c.rbp = U64::new(w(PT_RBP));
    c.rsi = U64::new(w(PT_RSI));
    c.rdi = U64::new(w(PT_RDI));
    c.r8 = U64::new(w(PT_R8));
    c.r9 = U64::new(w(PT_R9));
    c.r10 = U64::new(w(PT_R10));
    c.r11 = U64::new(w(PT_R11));
    c.r12 = U64::new(w(PT_R12));
    c.r13 = U64::new(w(PT_R13));
    c.r14 = U64::new(w(PT_R14));
    c.r15 = U64::new(w(PT_R15));
    c.rip = U64::new(w(PT_RIP));
    if let Some(fp) = fp {
        c.flt_save = fxsave(Some(fp));
        c.mx_csr = c.flt_save.mx_csr;
    }
    c
}

/// The context of the signal frame (or `getcontext` buffer) whose
/// `ucontext` is at `address`, read with `read(address, buf) -> bytes
/// read`; the FXSAVE image is followed through the frame's `fpregs`
/// pointer. None if the `ucontext` cannot be read.
pub fn read_ucontext(read: &mut dyn FnMut(u64, &mut [u8]) -> usize, address: u64) -> Option<ContextAmd64> {
    let mut uc = [0u8; UCONTEXT_READ_SIZE];
    if read(address, &mut uc) != uc.len() {
        return None;
    }
    let fp_ptr = u64_at(&uc, FPREGS_PTR_OFFSET);
    let mut fx = [0u8; FXSAVE_SIZE];
    let fx_ok = fp_ptr != 0 && read(fp_ptr, &mut fx) == fx.len();
    Some(from_ucontext(&uc, fx_ok.then_some(&fx[..])))
}

/// The stack pointer.
pub fn stack_pointer(c: &ContextAmd64) -> u64 {
    c.rsp.get()
}

/// The instruction pointer.
pub fn instruction_pointer(c: &ContextAmd64) -> u64 {
    c.rip.get()
}

/// An all-zero context with no flags: a thread whose registers could not be
/// read.
pub fn empty() -> ContextAmd64 {
    empty_context()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ucontext_registers_land_in_place() {
        let mut uc = vec![0u8; UCONTEXT_READ_SIZE];
        for i in 0..23 {
            let at = GREGS_OFFSET + i * 8;
            uc[at..at + 8].copy_from_slice(&(0x1000 + i as u64).to_le_bytes());
        }
        let mut fx = [0u8; FXSAVE_SIZE];
        fx[24..28].copy_from_slice(&0x1f80u32.to_le_bytes());
        let c = from_ucontext(&uc, Some(&fx));
        assert_eq!(c.rip(), 0x1000 + REG_RIP as u64);
        assert_eq!(c.rsp(), 0x1000 + REG_RSP as u64);
        assert_eq!(c.r8.get(), 0x1000);
        assert_eq!(c.rcx.get(), 0x1000 + REG_RCX as u64);
        assert_eq!(c.mx_csr.get(), 0x1f80);
        assert_eq!(c.context_flags.get(), CONTEXT_AMD64_FULL);
        // Short input: zeros, no panic.
        assert_eq!(from_ucontext(&uc[..50], None).rip(), 0);
    }

    #[test]
    fn ptrace_register_set_lands_in_place() {
        let mut gpr = vec![0u8; PRSTATUS_SIZE];
        for i in 0..27 {
            gpr[i * 8..i * 8 + 8].copy_from_slice(&(0x100 + i as u64).to_le_bytes());
        }
        let c = from_ptrace(&gpr, None);
        assert_eq!(c.r15.get(), 0x100);
        assert_eq!(c.rax.get(), 0x100 + PT_RAX as u64);
        assert_eq!(instruction_pointer(&c), 0x100 + PT_RIP as u64);
        assert_eq!(stack_pointer(&c), 0x100 + PT_RSP as u64);
        assert_eq!(c.gs.get(), 0x100 + PT_GS as u16);
        assert_eq!(c.context_flags.get(), CONTEXT_AMD64_FULL | CONTEXT_AMD64_SEGMENTS);
        assert_eq!(from_ptrace(&gpr[..20], None).rip(), 0, "short input reads as zeros");
    }
}
