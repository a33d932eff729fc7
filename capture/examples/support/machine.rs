//! The machine instructions behind crashme's crashes, per CPU. Each is a
//! macro so the faulting instruction lands inside the `crash_<kind>`
//! function that uses it (the tests look for the instruction pointer
//! there). The values stored differ per use: identical function bodies
//! would be folded into one address by the linker.
//!
//! AArch64 differs where the CPU does: integer division by zero does not
//! trap there, so `fpe` sends SIGFPE to its own thread with a `tgkill`
//! system call from inside `crash_fpe` (`si_code` `SI_TKILL`); `udf`
//! gives `ILL_ILLOPC` where x86's `ud2` gives `ILL_ILLOPN`; `brk` gives
//! `TRAP_BRKPT` where `int3` gives `SI_KERNEL`.

/// The seccomp `AUDIT_ARCH_*` of this CPU.
#[cfg(target_arch = "x86_64")]
pub const AUDIT_ARCH: u32 = 0xc000_003e;
/// The seccomp `AUDIT_ARCH_*` of this CPU.
#[cfg(target_arch = "aarch64")]
pub const AUDIT_ARCH: u32 = 0xc000_00b7;

/// A 32-bit store of `$value` to address 0.
#[cfg(target_arch = "x86_64")]
macro_rules! store_to_null {
    ($value:literal) => {
        core::arch::asm!("mov dword ptr [{0}], {v}", in(reg) 0usize, v = const $value)
    };
}
#[cfg(target_arch = "aarch64")]
macro_rules! store_to_null {
    ($value:literal) => {
        core::arch::asm!("mov {t:w}, #{v}", "str {t:w}, [{p}]", p = in(reg) 0usize, t = out(reg) _, v = const $value)
    };
}

/// Puts `$pattern` (u128) in vector register 1 and its low half in general
/// register 12, then stores to address 0.
#[cfg(target_arch = "x86_64")]
macro_rules! vectors_then_fault {
    ($pattern:expr) => {
        core::arch::asm!(
            "movq xmm1, {lo}",
            "movq xmm0, {hi}",
            "punpcklqdq xmm1, xmm0",
            "mov r12, {lo}",
            "mov dword ptr [{zero}], 42",
            lo = in(reg) $pattern as u64,
            hi = in(reg) ($pattern >> 64) as u64,
            zero = in(reg) 0usize,
            out("xmm0") _,
            out("xmm1") _,
            out("r12") _,
        )
    };
}
#[cfg(target_arch = "aarch64")]
macro_rules! vectors_then_fault {
    ($pattern:expr) => {
        core::arch::asm!(
            "fmov d1, {lo}",
            "mov v1.d[1], {hi}",
            "mov x12, {lo}",
            "str wzr, [{zero}]",
            lo = in(reg) $pattern as u64,
            hi = in(reg) ($pattern >> 64) as u64,
            zero = in(reg) 0usize,
            out("v1") _,
            out("x12") _,
        )
    };
}

/// Puts `$pattern` (u128) in vector register 2 and spins forever.
#[cfg(target_arch = "x86_64")]
macro_rules! vectors_then_spin {
    ($pattern:expr) => {
        core::arch::asm!(
            "movq xmm2, {lo}",
            "movq xmm0, {hi}",
            "punpcklqdq xmm2, xmm0",
            "2:",
            "pause",
            "jmp 2b",
            lo = in(reg) $pattern as u64,
            hi = in(reg) ($pattern >> 64) as u64,
            options(noreturn),
        )
    };
}
#[cfg(target_arch = "aarch64")]
macro_rules! vectors_then_spin {
    ($pattern:expr) => {
        core::arch::asm!(
            "fmov d2, {lo}",
            "mov v2.d[1], {hi}",
            "2:",
            "yield",
            "b 2b",
            lo = in(reg) $pattern as u64,
            hi = in(reg) ($pattern >> 64) as u64,
            options(noreturn),
        )
    };
}

/// SIGFPE: an integer division by zero.
#[cfg(target_arch = "x86_64")]
macro_rules! divide_by_zero {
    () => {
        core::arch::asm!("xor edx, edx", "mov eax, 1", "xor ecx, ecx", "div ecx", out("eax") _, out("edx") _, out("ecx") _)
    };
}
/// SIGFPE: AArch64's division by zero gives 0, so `tgkill(pid, tid,
/// SIGFPE)` from here.
#[cfg(target_arch = "aarch64")]
macro_rules! divide_by_zero {
    () => {{
        let (pid, tid) = (libc::getpid() as usize, libc::gettid() as usize);
        core::arch::asm!(
            "svc 0",
            in("x8") libc::SYS_tgkill,
            inlateout("x0") pid => _,
            in("x1") tid,
            in("x2") libc::SIGFPE as usize,
        )
    }};
}

/// SIGILL: an undefined instruction.
#[cfg(target_arch = "x86_64")]
macro_rules! undefined_instruction {
    () => {
        core::arch::asm!("ud2")
    };
}
#[cfg(target_arch = "aarch64")]
macro_rules! undefined_instruction {
    () => {
        core::arch::asm!("udf #0")
    };
}

/// A one-byte load from `$address`.
#[cfg(target_arch = "x86_64")]
macro_rules! load_byte {
    ($address:expr) => {
        core::arch::asm!("mov al, byte ptr [{0}]", in(reg) $address, out("al") _)
    };
}
#[cfg(target_arch = "aarch64")]
macro_rules! load_byte {
    ($address:expr) => {
        core::arch::asm!("ldrb {t:w}, [{p}]", p = in(reg) $address, t = out(reg) _)
    };
}

/// SIGTRAP: a breakpoint instruction.
#[cfg(target_arch = "x86_64")]
macro_rules! breakpoint {
    () => {
        core::arch::asm!("int3")
    };
}
#[cfg(target_arch = "aarch64")]
macro_rules! breakpoint {
    () => {
        core::arch::asm!("brk #0")
    };
}

/// System call `$number` with no arguments, made directly.
#[cfg(target_arch = "x86_64")]
macro_rules! raw_syscall {
    ($number:expr) => {
        core::arch::asm!("syscall", inlateout("rax") $number as usize => _, lateout("rcx") _, lateout("r11") _)
    };
}
#[cfg(target_arch = "aarch64")]
macro_rules! raw_syscall {
    ($number:expr) => {
        core::arch::asm!("svc 0", in("x8") $number as usize, lateout("x0") _)
    };
}
