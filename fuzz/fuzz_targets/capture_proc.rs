//! Arbitrary bytes as the process data the capture crate reads from another
//! (possibly hostile or half-dead) process: `/proc/PID/maps`, `stat`,
//! `status`, `cpuinfo` and `auxv` text, and ELF images (in memory, as the
//! loader placed them, and as files) for the GNU build id, the `.text`
//! section and Breakpad's text-hash fallback; and the bytes of a signal
//! frame's `ucontext_t` followed by its FXSAVE image, as the crash handler's
//! helper reads them from a crashed process.
//!
//! Every parser sees the whole input. Beyond "no panic, no hang, no huge
//! allocation", the results must be consistent: a maps entry does not end
//! before it starts and its path lies inside the input, `parse_maps` finds
//! exactly the lines `parse_maps_line` accepts, auxv has at most one pair
//! per 16 bytes, a build id is not empty and fits in the notes the parser
//! reads, a debug id is 33 upper-case hex digits, a `.text` section that
//! lies past the end of the file hashes to zeros, and a context from a whole
//! `ucontext` has the instruction pointer and MXCSR found at their places in
//! the glibc x86-64 layout (gregs at byte 40, RIP the 17th; MXCSR at byte 24
//! of FXSAVE); the same bytes as an AArch64 `ucontext` give `pc` from
//! `uc_mcontext` (byte 176 + 8 + 32 * 8), and floating point exactly when
//! the `__reserved` record chain holds a whole FPSIMD record.
#![no_main]

use libfuzzer_sys::fuzz_target;
use mdump_capture::context::amd64::{from_ucontext, FXSAVE_SIZE, UCONTEXT_READ_SIZE};
use mdump_capture::context::arm64;
use mdump_capture::elf::{build_id_from_elf_file, build_id_from_elf_image, debug_id, text_hash, text_section, Shifted};
use mdump_capture::procfs::{
    cpuinfo_field, leading_decimal, parse_auxv, parse_maps, parse_maps_line, parse_stat, status_field,
};

/// The most bytes of notes the ELF parser reads per segment or section.
const MAX_NOTES: usize = 64 * 1024;

fn check_maps(data: &[u8]) {
    let mut n = 0usize;
    for e in parse_maps(data) {
        assert!(e.start <= e.end, "{e:?}");
        assert_eq!(e.size(), e.end - e.start);
        if e.size() > 0 {
            assert!(e.contains(e.start) && !e.contains(e.end));
        }
        let inside = data.as_ptr_range();
        let path = e.path.as_ptr_range();
        assert!(e.path.is_empty() || (inside.start <= path.start && path.end <= inside.end));
        n += 1;
    }
    // parse_maps is parse_maps_line over the lines.
    let lines = data.split(|&b| b == b'\n').filter(|l| parse_maps_line(l).is_some()).count();
    assert_eq!(n, lines);
}

fn check_text(data: &[u8]) {
    std::hint::black_box(parse_stat(data));
    for key in ["Name", "Tgid", "PPid", "TracerPid", "State", ""] {
        if let Some(v) = status_field(data, key) {
            assert!(v.len() <= data.len());
            std::hint::black_box(leading_decimal(v));
        }
    }
    for key in ["vendor_id", "cpu family", "model", "stepping", "flags", ""] {
        std::hint::black_box(cpuinfo_field(data, key));
    }
    std::hint::black_box(leading_decimal(data));
    assert!(parse_auxv(data).count() <= data.len() / 16);
}

fn check_id(id: &[u8]) {
    assert!(!id.is_empty() && id.len() <= MAX_NOTES, "{} bytes", id.len());
    let text = debug_id(id);
    assert_eq!(text.len(), 33, "{text}");
    assert!(text.bytes().all(|b| b.is_ascii_digit() || (b'A'..=b'F').contains(&b)), "{text}");
}

fn check_elf(data: &[u8]) {
    if let Some(id) = build_id_from_elf_image(data) {
        check_id(&id);
    }
    if let Some(id) = build_id_from_elf_file(data) {
        check_id(&id);
    }
    if let Some((_address, offset, size)) = text_section(data) {
        let text = Shifted { inner: data, base: offset };
        let hash = text_hash(&text, size);
        // Bytes past the file read as absent, so a section that starts
        // past the end hashes to zeros.
        if offset >= data.len() as u64 || size == 0 {
            assert_eq!(hash, [0u8; 16]);
        }
        check_id(&hash);
    }
}

/// Byte offset of RIP in an x86-64 `ucontext_t` (glibc: `uc_mcontext.gregs`
/// at 40, `REG_RIP` = 16).
const RIP_AT: usize = 40 + 16 * 8;
/// Byte offset of MXCSR in an FXSAVE image.
const MXCSR_AT: usize = 24;

fn check_ucontext(data: &[u8]) {
    let (ucontext, fx) = data.split_at(data.len().min(UCONTEXT_READ_SIZE));
    let context = from_ucontext(ucontext, Some(fx));
    let word = |bytes: &[u8], at: usize, n: usize| {
        bytes.get(at..at + n).map(|b| b.iter().rev().fold(0u64, |v, &x| v << 8 | u64::from(x)))
    };
    if let Some(rip) = word(ucontext, RIP_AT, 8) {
        assert_eq!(context.rip.get(), rip);
    }
    if fx.len() >= FXSAVE_SIZE {
        assert_eq!(Some(u64::from(context.mx_csr.get())), word(fx, MXCSR_AT, 4));
    }
    // No FXSAVE image (unreadable `fpregs`) must work too.
    std::hint::black_box(from_ucontext(ucontext, None));
}

/// Byte offset of `pc` in an AArch64 `ucontext`.
const PC_AT: usize = 176 + 8 + 32 * 8;

fn check_arm64_ucontext(data: &[u8]) {
    let context = arm64::from_ucontext(data);
    let word = data.get(PC_AT..PC_AT + 8).map_or(0, |b| u64::from_le_bytes(b.try_into().unwrap()));
    assert_eq!(context.pc.get(), word);
    let full = mdump_format::context::arm64::CONTEXT_ARM64_FULL;
    assert_eq!(context.context_flags.get() == full, arm64::fpsimd_record(data).is_some());
    // The ptrace register sets: the same bytes as general and FP registers.
    std::hint::black_box(arm64::from_ptrace(data, Some(data)));
}

fuzz_target!(|data: &[u8]| {
    check_maps(data);
    check_text(data);
    check_elf(data);
    check_ucontext(data);
    check_arm64_ucontext(data);
});
