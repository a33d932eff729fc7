//! The AArch64 context parser against frames nobody on this team laid out:
//! `tests/arm64/frames.c`, cross-compiled with `aarch64-linux-gnu-gcc` and
//! run under `qemu-aarch64` (which writes signal frames as the kernel does,
//! and runs glibc's own AArch64 `getcontext`), writes the `ucontext` of a
//! SIGSEGV with known registers and a `getcontext` buffer. Runs on any
//! host; under `CI=true` a missing cross compiler or qemu is a failure.

use mdump_capture::context::arm64;
use mdump_format::context::arm64::{CONTEXT_ARM64_FULL, CONTEXT_ARM64_REG_LR};
use mdump_testkit::exec::{oracle, run};
use std::path::PathBuf;
use std::process::Command;
use std::time::Duration;

/// Builds `frames.c` for AArch64 (static: qemu needs no sysroot then) and
/// runs it in `mode`; the bytes it wrote. None (after saying why) when an
/// oracle is missing outside CI.
fn frames(mode: &str) -> Option<Vec<u8>> {
    let gcc = oracle(&["aarch64-linux-gnu-gcc"])?;
    let qemu = oracle(&["qemu-aarch64", "qemu-aarch64-static"])?;
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("arm64-frames");
    std::fs::create_dir_all(&dir).unwrap();
    let exe = dir.join(format!("frames-{mode}"));
    let source = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/arm64/frames.c");
    run(Command::new(gcc).args(["-static", "-O1", "-o"]).arg(&exe).arg(&source), Duration::from_secs(120))
        .success("aarch64-linux-gnu-gcc");
    let out = dir.join(format!("{mode}.bin"));
    run(Command::new(qemu).arg(&exe).arg(mode).arg(&out), Duration::from_secs(60)).success("qemu-aarch64");
    Some(std::fs::read(out).unwrap())
}

fn word(bytes: &[u8], at: usize) -> u64 {
    u64::from_le_bytes(bytes[at..at + 8].try_into().unwrap())
}

#[test]
fn a_signal_frame_from_qemu() {
    let Some(out) = frames("signal") else { return };
    let (fault_here, si_addr, uc) = (word(&out, 0), word(&out, 8), &out[16..]);
    assert_eq!(si_addr, 0x40);
    assert!(uc.len() >= arm64::UCONTEXT_READ_SIZE, "{} bytes", uc.len());
    assert_eq!(word(uc, arm64::FAULT_ADDRESS_OFFSET), 0x40, "sigcontext.fault_address");
    let c = arm64::from_ucontext(uc);
    assert_eq!(c.context_flags.get(), CONTEXT_ARM64_FULL, "the FPSIMD record was found");
    assert_eq!(arm64::instruction_pointer(&c), fault_here, "pc is the faulting load");
    for n in (0..=28).filter(|&n| n != 9) {
        assert_eq!(c.x[n].get(), n as u64 * 0x101, "x{n}");
    }
    assert_eq!(c.x[9].get(), 0x40, "x9 held the address");
    for k in 0..4 {
        assert_eq!(
            c.v[8 + k].get(),
            0xd800 + k as u128,
            "d{}: low half of v{}, upper half zeroed by fmov",
            8 + k,
            8 + k
        );
    }
    let sp = arm64::stack_pointer(&c);
    assert!(sp != 0 && sp.is_multiple_of(16), "sp {sp:#x}");
    assert!(c.x[CONTEXT_ARM64_REG_LR].get() != 0, "lr");
    // The same frame read as the helper reads it, from "process memory".
    let base = 0x7fff_0000_u64;
    let mut read = |address: u64, buf: &mut [u8]| {
        let at = (address - base) as usize;
        let n = buf.len().min(uc.len().saturating_sub(at));
        buf[..n].copy_from_slice(&uc[at..at + n]);
        n
    };
    assert_eq!(arm64::read_ucontext(&mut read, base), Some(c));
}

#[test]
fn a_getcontext_buffer_from_glibc() {
    let Some(out) = frames("getcontext") else { return };
    let (main, local, uc) = (word(&out, 0), word(&out, 8), &out[16..]);
    let c = arm64::from_ucontext(uc);
    // glibc's getcontext records fpsr, fpcr and the callee-saved vectors
    // in an FPSIMD record, as the kernel does.
    assert_eq!(c.context_flags.get(), CONTEXT_ARM64_FULL);
    // Its pc is the return address into main, its sp main's frame.
    let pc = arm64::instruction_pointer(&c);
    assert!(pc > main && pc - main < 4096, "pc {pc:#x}, main {main:#x}");
    assert_eq!(pc, c.x[CONTEXT_ARM64_REG_LR].get());
    let sp = arm64::stack_pointer(&c);
    assert!(sp <= local && local - sp < 4096, "sp {sp:#x}, a local of main at {local:#x}");
}
