//! The parsers of untrusted input (/proc text, ELF images read from the
//! target, signal frames) on random and mutated bytes: they never panic,
//! and well-formed input they can check comes back field for field.

use mdump_capture::{context, elf, procfs};
use proptest::prelude::*;

/// The first 64 KiB of this test binary: a real ELF to mutate.
fn real_elf() -> Vec<u8> {
    static HEAD: std::sync::OnceLock<Vec<u8>> = std::sync::OnceLock::new();
    HEAD.get_or_init(|| {
        let mut b = Vec::new();
        std::io::Read::read_to_end(
            &mut std::io::Read::take(std::fs::File::open("/proc/self/exe").unwrap(), 65536),
            &mut b,
        )
        .unwrap();
        b
    })
    .clone()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn procfs_parsers_take_any_bytes(bytes in proptest::collection::vec(any::<u8>(), 0..512)) {
        let _ = procfs::parse_maps_line(&bytes);
        let _ = procfs::parse_maps(&bytes).count();
        let _ = procfs::parse_stat(&bytes);
        prop_assert!(procfs::parse_auxv(&bytes).count() <= bytes.len() / 16);
        let _ = procfs::status_field(&bytes, "Tgid");
        let _ = procfs::cpuinfo_field(&bytes, "model");
        let _ = procfs::leading_decimal(&bytes);
        let _ = context::amd64::from_ucontext(&bytes, Some(&bytes));
        let _ = context::amd64::from_ptrace(&bytes, Some(&bytes));
        let _ = context::arm64::from_ucontext(&bytes);
        let _ = context::arm64::from_ptrace(&bytes, Some(&bytes));
    }

    #[test]
    fn maps_lines_round_trip(
        start in any::<u64>(),
        len in any::<u64>(),
        perms in "[r-][w-][x-][ps]",
        offset in any::<u64>(),
        major in 0u32..0x1000,
        minor in 0u32..0x100000,
        inode in any::<u64>(),
        path in "[ -~]{0,40}",
    ) {
        let end = start.saturating_add(len);
        let line = format!("{start:x}-{end:x} {perms} {offset:08x} {major:02x}:{minor:02x} {inode}      {path}\n");
        let e = procfs::parse_maps_line(line.as_bytes()).unwrap();
        prop_assert_eq!((e.start, e.end, e.offset, e.inode), (start, end, offset, inode));
        prop_assert_eq!((e.dev_major, e.dev_minor), (major, minor));
        prop_assert_eq!(e.read, perms.starts_with('r'));
        prop_assert_eq!(e.private, perms.ends_with('p'));
        prop_assert_eq!(e.path, path.trim_start().as_bytes());
    }

    #[test]
    fn stat_survives_any_command_name(comm in "[ -~\n]{0,32}", utime in any::<u32>(), start in any::<u64>()) {
        let line = format!("77 ({comm}) S 1 77 77 0 -1 0 0 0 0 0 {utime} 5 0 0 20 0 1 0 {start} 0 0\n");
        let s = procfs::parse_stat(line.as_bytes()).unwrap();
        prop_assert_eq!((s.ppid, s.utime, s.stime, s.start_time), (1, utime as u64, 5, start));
    }

    #[test]
    fn elf_parsers_take_mutated_images(
        flips in proptest::collection::vec((0usize..4096, any::<u8>()), 1..16),
        cut in 0usize..65536,
    ) {
        let mut image = real_elf();
        for (at, v) in flips {
            if let Some(b) = image.get_mut(at) {
                *b = v;
            }
        }
        image.truncate(cut.max(1));
        let _ = elf::build_id_from_elf_image(&image[..]);
        let _ = elf::build_id_from_elf_file(&image[..]);
        if let Some((_, off, size)) = elf::text_section(&image[..]) {
            let _ = elf::text_hash(&elf::Shifted { inner: &image[..], base: off }, size);
        }
    }

    #[test]
    fn elf_parsers_take_any_bytes(bytes in proptest::collection::vec(any::<u8>(), 0..4096)) {
        let mut b = bytes;
        if b.len() >= 6 {
            // Mostly "ELF" headers, so the parsers get past the magic.
            b[..6].copy_from_slice(b"\x7fELF\x02\x01");
        }
        let _ = elf::build_id_from_elf_image(&b[..]);
        let _ = elf::build_id_from_elf_file(&b[..]);
        let _ = elf::text_section(&b[..]);
    }
}

/// The unmutated test binary: the file's build id is found in the file and
/// in the "image" (file offsets equal virtual addresses from the lowest
/// segment for the headers), and equals what `object` says.
#[test]
fn real_binary_build_id() {
    let file = std::fs::read("/proc/self/exe").unwrap();
    let want = object::Object::build_id(&object::read::File::parse(&*file).unwrap()).unwrap();
    assert_eq!(elf::build_id_from_elf_file(&file[..]).as_deref(), want);
}
