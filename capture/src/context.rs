//! CPU contexts: from `ptrace` registers and from a signal's `ucontext`, into
//! the minidump's `CONTEXT_AMD64`.
//!
//! Breakpad's Linux client marks both kinds `CONTEXT_AMD64_FULL` (control,
//! integer, floating point); we add `SEGMENTS` for ptrace'd threads, whose
//! segment selectors are all known, as Breakpad does there.

use mdump_format::context::amd64::{ContextAmd64, XmmSaveArea32, CONTEXT_AMD64_FULL, CONTEXT_AMD64_SEGMENTS};
use mdump_format::{U16, U32, U64};
use zerocopy::FromBytes;

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
    let g = |i: usize| {
        let at = GREGS_OFFSET + i * 8;
        ucontext.get(at..at + 8).map_or(0, |s| u64::from_le_bytes(s.try_into().unwrap_or_default()))
    };
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

/// The context of a ptrace-stopped thread.
pub fn from_ptrace(regs: &libc::user_regs_struct, fp: Option<&libc::user_fpregs_struct>) -> ContextAmd64 {
    let mut c = empty_context();
    c.context_flags = U32::new(CONTEXT_AMD64_FULL | CONTEXT_AMD64_SEGMENTS);
    c.cs = U16::new(regs.cs as u16);
    c.ds = U16::new(regs.ds as u16);
    c.es = U16::new(regs.es as u16);
    c.fs = U16::new(regs.fs as u16);
    c.gs = U16::new(regs.gs as u16);
    c.ss = U16::new(regs.ss as u16);
    c.eflags = U32::new(regs.eflags as u32);
    c.rax = U64::new(regs.rax);
    c.rcx = U64::new(regs.rcx);
    c.rdx = U64::new(regs.rdx);
    c.rbx = U64::new(regs.rbx);
    c.rsp = U64::new(regs.rsp);
    c.rbp = U64::new(regs.rbp);
    c.rsi = U64::new(regs.rsi);
    c.rdi = U64::new(regs.rdi);
    c.r8 = U64::new(regs.r8);
    c.r9 = U64::new(regs.r9);
    c.r10 = U64::new(regs.r10);
    c.r11 = U64::new(regs.r11);
    c.r12 = U64::new(regs.r12);
    c.r13 = U64::new(regs.r13);
    c.r14 = U64::new(regs.r14);
    c.r15 = U64::new(regs.r15);
    c.rip = U64::new(regs.rip);
    if let Some(fp) = fp {
        // `user_fpregs_struct` is the FXSAVE image, field for field.
        // SAFETY: a plain-old-data struct of 512 bytes viewed as bytes.
        let bytes =
            unsafe { core::slice::from_raw_parts((fp as *const libc::user_fpregs_struct).cast::<u8>(), FXSAVE_SIZE) };
        c.flt_save = fxsave(Some(bytes));
        c.mx_csr = c.flt_save.mx_csr;
    }
    c
}

const _: () = assert!(core::mem::size_of::<libc::user_fpregs_struct>() == FXSAVE_SIZE);

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
}
