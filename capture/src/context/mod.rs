//! CPU contexts of Linux threads, from `ptrace` register sets and from a
//! signal frame's `ucontext`, into the minidump's context records.
//!
//! One module per CPU, with the same functions, so the collector is written
//! once against [`native`] (the CPU this crate is built for):
//!
//! * [`amd64`]: x86-64 into `CONTEXT_AMD64`;
//! * [`arm64`]: AArch64 into Microsoft's `ARM64_NT_CONTEXT`
//!   (`CONTEXT_ARM64`), the layout Breakpad's Linux client writes today.
//!
//! Both are pure functions over bytes and compile on every host, so each is
//! unit-tested and fuzzed on any machine; only the raw system calls of the
//! crash path (`handler::sys`) are written per CPU. The register sets are
//! read with `PTRACE_GETREGSET` on both CPUs: `NT_PRSTATUS` (general
//! registers) and `NT_PRFPREG` (FXSAVE image on x86-64, FPSIMD state on
//! AArch64), whose layouts are the kernel's UAPI.

pub mod amd64;
pub mod arm64;

/// The context functions of the CPU this crate is built for.
#[cfg(target_arch = "x86_64")]
pub use amd64 as native;
/// The context functions of the CPU this crate is built for.
#[cfg(target_arch = "aarch64")]
pub use arm64 as native;

/// `NT_PRSTATUS`: the general registers' register set.
pub const NT_PRSTATUS: u32 = 1;
/// `NT_PRFPREG` (`NT_FPREGSET`): the floating-point register set.
pub const NT_PRFPREG: u32 = 2;

/// Reads a little-endian `u64` at `at`, 0 if `bytes` is too short.
pub(crate) fn u64_at(bytes: &[u8], at: usize) -> u64 {
    bytes.get(at..at.saturating_add(8)).and_then(|s| s.try_into().ok()).map_or(0, u64::from_le_bytes)
}

/// Reads a little-endian `u32` at `at`, 0 if `bytes` is too short.
pub(crate) fn u32_at(bytes: &[u8], at: usize) -> u32 {
    bytes.get(at..at.saturating_add(4)).and_then(|s| s.try_into().ok()).map_or(0, u32::from_le_bytes)
}
