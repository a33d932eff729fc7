//! Module identity as Breakpad computes it for ELF: the debug id (the build
//! id's first 16 bytes as a GUID, plus age 0), the code id (the whole build
//! id), the `.text` hash for files without a build id, and the
//! architecture's name.

use object::elf;

use super::image::Image;

/// Bytes of the `.text` hash and of the GUID in a debug id.
const GUID_SIZE: usize = 16;

/// The identifier Breakpad derives the ids from: the build id's bytes, or
/// the XOR of the first page of `.text` in 16-byte blocks when there is no
/// build id. `None` when neither exists.
pub(crate) fn identifier(image: &Image<'_>) -> Option<Vec<u8>> {
    if let Some(id) = image.build_id {
        return Some(id.to_vec());
    }
    text_hash(image).map(|h| h.to_vec())
}

/// Breakpad's `HashElfTextSection`: XOR the first `min(size, 4096)` bytes of
/// `.text` into 16 bytes, 16 at a time. Like Breakpad it reads whole blocks,
/// so a last partial block takes the file bytes that follow the section
/// (zeros past the end of the file).
fn text_hash(image: &Image<'_>) -> Option<[u8; GUID_SIZE]> {
    let text = image
        .section(".text", elf::SHT_PROGBITS)
        .or_else(|| image.section("text", elf::SHT_PROGBITS))
        .filter(|s| s.size != 0)?;
    let start = usize::try_from(text.offset).ok()?;
    let len = usize::try_from(text.size.min(4096)).ok()?;
    let mut hash = [0u8; GUID_SIZE];
    let mut at = 0;
    while at < len {
        for (i, h) in hash.iter_mut().enumerate() {
            *h ^= start.checked_add(at + i).and_then(|o| image.data.get(o)).copied().unwrap_or(0);
        }
        at += GUID_SIZE;
    }
    Some(hash)
}

/// Upper-case hexadecimal, two digits a byte.
pub(crate) fn hex_upper(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789ABCDEF";
    let mut s = String::with_capacity(bytes.len() * 2);
    for &b in bytes {
        s.push(DIGITS[usize::from(b >> 4)] as char);
        s.push(DIGITS[usize::from(b & 15)] as char);
    }
    s
}

/// The debug id: the first 16 bytes (zero-padded) read as a GUID — the
/// first four bytes, then two pairs, byte-swapped — then age `0`.
pub(crate) fn debug_id(identifier: &[u8]) -> String {
    let mut guid = [0u8; GUID_SIZE];
    let n = identifier.len().min(GUID_SIZE);
    guid[..n].copy_from_slice(&identifier[..n]);
    guid[0..4].reverse();
    guid[4..6].reverse();
    guid[6..8].reverse();
    let mut id = hex_upper(&guid);
    id.push('0');
    id
}

/// Breakpad's architecture name for an ELF machine, if it knows one.
pub(crate) fn arch_name(machine: u16) -> Option<&'static str> {
    Some(match machine {
        elf::EM_386 => "x86",
        elf::EM_ARM => "arm",
        elf::EM_AARCH64 => "arm64",
        elf::EM_MIPS => "mips",
        elf::EM_PPC64 => "ppc64",
        elf::EM_PPC => "ppc",
        elf::EM_S390 => "s390",
        elf::EM_SPARC => "sparc",
        elf::EM_SPARCV9 => "sparcv9",
        elf::EM_X86_64 => "x86_64",
        elf::EM_RISCV => "riscv",
        167 => "nds32",
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_id_swaps_the_guid_fields_and_appends_age_zero() {
        let build_id: Vec<u8> = (0u8..20).collect();
        assert_eq!(debug_id(&build_id), "030201000504070608090A0B0C0D0E0F0");
        // Shorter build ids are padded with zeros (the corpus has an 8-byte one).
        let short = [0x10, 0xfa, 0xa6, 0xbb, 0xaa, 0xb8, 0x3d, 0xb3];
        assert_eq!(debug_id(&short), "BBA6FA10B8AAB33D00000000000000000");
        assert_eq!(hex_upper(&short), "10FAA6BBAAB83DB3");
    }
}
