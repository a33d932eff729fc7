//! ELF identity: the GNU build id, Breakpad's `.text` hash fallback, and the
//! debug id Breakpad derives from either.
//!
//! The bytes come from the target's memory or from files it mapped, so they
//! are untrusted: every count and offset is bounded, every read checked, and
//! nothing panics. Little-endian ELF32 and ELF64 are understood.

/// Anything that can answer "bytes at offset N": a byte slice, a file, a
/// process's memory seen from a base address.
pub trait ReadAt {
    /// Fills as much of `buf` as possible from `offset`; returns how many
    /// bytes were read (fewer means the rest does not exist).
    fn read_at(&self, offset: u64, buf: &mut [u8]) -> usize;
}

impl ReadAt for [u8] {
    fn read_at(&self, offset: u64, buf: &mut [u8]) -> usize {
        let Some(avail) = usize::try_from(offset).ok().and_then(|o| self.get(o..)) else { return 0 };
        let n = avail.len().min(buf.len());
        buf[..n].copy_from_slice(&avail[..n]);
        n
    }
}

impl ReadAt for std::fs::File {
    fn read_at(&self, offset: u64, buf: &mut [u8]) -> usize {
        let mut done = 0;
        while done < buf.len() {
            match std::os::unix::fs::FileExt::read_at(self, &mut buf[done..], offset + done as u64) {
                Ok(0) | Err(_) => break,
                Ok(n) => done += n,
            }
        }
        done
    }
}

const PT_LOAD: u32 = 1;
const PT_NOTE: u32 = 4;
const NT_GNU_BUILD_ID: u32 = 3;
const SHT_NOTE: u32 = 7;
/// Most bytes of notes looked at per segment or section.
const MAX_NOTES: u64 = 64 * 1024;
/// Most program or section headers looked at.
const MAX_HEADERS: u16 = 4096;
/// Bytes of `.text` Breakpad hashes.
const TEXT_HASH_BYTES: u64 = 4096;

/// The parts of an ELF header we need.
#[derive(Clone, Copy, Debug)]
struct Header {
    is64: bool,
    phoff: u64,
    phentsize: u16,
    phnum: u16,
    shoff: u64,
    shentsize: u16,
    shnum: u16,
    shstrndx: u16,
}

/// A program header.
#[derive(Clone, Copy, Debug)]
struct Phdr {
    kind: u32,
    offset: u64,
    vaddr: u64,
    filesz: u64,
    align: u64,
}

/// A section header.
#[derive(Clone, Copy, Debug)]
struct Shdr {
    name: u32,
    kind: u32,
    addr: u64,
    offset: u64,
    size: u64,
}

fn u16_at(b: &[u8], o: usize) -> u16 {
    b.get(o..o + 2).map_or(0, |s| u16::from_le_bytes([s[0], s[1]]))
}
fn u32_at(b: &[u8], o: usize) -> u32 {
    b.get(o..o + 4).map_or(0, |s| u32::from_le_bytes([s[0], s[1], s[2], s[3]]))
}
fn u64_at(b: &[u8], o: usize) -> u64 {
    b.get(o..o + 8).map_or(0, |s| u64::from_le_bytes(s.try_into().unwrap_or_default()))
}

fn header<R: ReadAt + ?Sized>(r: &R) -> Option<Header> {
    let mut h = [0u8; 64];
    let n = r.read_at(0, &mut h);
    if n < 52 || h[..4] != *b"\x7fELF" || h[5] != 1 {
        return None;
    }
    match h[4] {
        1 => Some(Header {
            is64: false,
            phoff: u32_at(&h, 28) as u64,
            shoff: u32_at(&h, 32) as u64,
            phentsize: u16_at(&h, 42),
            phnum: u16_at(&h, 44),
            shentsize: u16_at(&h, 46),
            shnum: u16_at(&h, 48),
            shstrndx: u16_at(&h, 50),
        }),
        2 if n >= 64 => Some(Header {
            is64: true,
            phoff: u64_at(&h, 32),
            shoff: u64_at(&h, 40),
            phentsize: u16_at(&h, 54),
            phnum: u16_at(&h, 56),
            shentsize: u16_at(&h, 58),
            shnum: u16_at(&h, 60),
            shstrndx: u16_at(&h, 62),
        }),
        _ => None,
    }
}

fn phdrs<R: ReadAt + ?Sized>(r: &R, h: &Header) -> Vec<Phdr> {
    let size = if h.is64 { 56 } else { 32 };
    if (h.phentsize as usize) < size {
        return Vec::new();
    }
    let mut out = Vec::new();
    let mut e = [0u8; 56];
    for i in 0..h.phnum.min(MAX_HEADERS) as u64 {
        let Some(at) = h.phoff.checked_add(i * h.phentsize as u64) else { break };
        if r.read_at(at, &mut e[..size]) < size {
            break;
        }
        out.push(if h.is64 {
            Phdr {
                kind: u32_at(&e, 0),
                offset: u64_at(&e, 8),
                vaddr: u64_at(&e, 16),
                filesz: u64_at(&e, 32),
                align: u64_at(&e, 48),
            }
        } else {
            Phdr {
                kind: u32_at(&e, 0),
                offset: u32_at(&e, 4) as u64,
                vaddr: u32_at(&e, 8) as u64,
                filesz: u32_at(&e, 16) as u64,
                align: u32_at(&e, 28) as u64,
            }
        });
    }
    out
}

fn shdrs<R: ReadAt + ?Sized>(r: &R, h: &Header) -> Vec<Shdr> {
    let size = if h.is64 { 64 } else { 40 };
    if (h.shentsize as usize) < size || h.shoff == 0 {
        return Vec::new();
    }
    let mut out = Vec::new();
    let mut e = [0u8; 64];
    for i in 0..h.shnum.min(MAX_HEADERS) as u64 {
        let Some(at) = h.shoff.checked_add(i * h.shentsize as u64) else { break };
        if r.read_at(at, &mut e[..size]) < size {
            break;
        }
        out.push(if h.is64 {
            Shdr {
                name: u32_at(&e, 0),
                kind: u32_at(&e, 4),
                addr: u64_at(&e, 16),
                offset: u64_at(&e, 24),
                size: u64_at(&e, 32),
            }
        } else {
            Shdr {
                name: u32_at(&e, 0),
                kind: u32_at(&e, 4),
                addr: u32_at(&e, 12) as u64,
                offset: u32_at(&e, 16) as u64,
                size: u32_at(&e, 20) as u64,
            }
        });
    }
    out
}

/// The GNU build id among the notes in `notes` (entries padded to `align`).
fn build_id_in_notes(notes: &[u8], align: usize) -> Option<Vec<u8>> {
    let pad = |n: usize| n.checked_add(align - 1).map(|v| v & !(align - 1));
    let mut at = 0usize;
    while at.checked_add(12)? <= notes.len() {
        let namesz = u32_at(notes, at) as usize;
        let descsz = u32_at(notes, at + 4) as usize;
        let kind = u32_at(notes, at + 8);
        let name_at = at + 12;
        let desc_at = name_at.checked_add(pad(namesz)?)?;
        let next = desc_at.checked_add(pad(descsz)?)?;
        if kind == NT_GNU_BUILD_ID && notes.get(name_at..name_at + namesz) == Some(b"GNU\0") {
            return notes.get(desc_at..desc_at.checked_add(descsz)?).filter(|d| !d.is_empty()).map(<[u8]>::to_vec);
        }
        if next <= at {
            return None;
        }
        at = next;
    }
    None
}

fn read_notes<R: ReadAt + ?Sized>(r: &R, offset: u64, size: u64) -> Vec<u8> {
    let mut buf = vec![0u8; size.min(MAX_NOTES) as usize];
    let n = r.read_at(offset, &mut buf);
    buf.truncate(n);
    buf
}

fn note_align(align: u64) -> usize {
    if align == 8 {
        8
    } else {
        4
    }
}

/// The GNU build id of an ELF image as loaded in memory: `image` reads the
/// target's memory from the address where the module's first mapping (file
/// offset 0) starts. Notes are found through the program headers at their
/// virtual addresses (relative to the lowest `PT_LOAD`), as the loader placed
/// them.
pub fn build_id_from_elf_image<R: ReadAt + ?Sized>(image: &R) -> Option<Vec<u8>> {
    let h = header(image)?;
    let ph = phdrs(image, &h);
    let base = ph.iter().filter(|p| p.kind == PT_LOAD).map(|p| p.vaddr & !0xfff).min()?;
    ph.iter()
        .filter(|p| p.kind == PT_NOTE)
        .find_map(|p| build_id_in_notes(&read_notes(image, p.vaddr.checked_sub(base)?, p.filesz), note_align(p.align)))
}

/// The GNU build id of an ELF file: from `PT_NOTE` segments, else from
/// `SHT_NOTE` sections (a file whose notes are not loaded).
pub fn build_id_from_elf_file<R: ReadAt + ?Sized>(file: &R) -> Option<Vec<u8>> {
    let h = header(file)?;
    let from_segments = phdrs(file, &h)
        .iter()
        .filter(|p| p.kind == PT_NOTE)
        .find_map(|p| build_id_in_notes(&read_notes(file, p.offset, p.filesz), note_align(p.align)));
    from_segments.or_else(|| {
        shdrs(file, &h)
            .iter()
            .filter(|s| s.kind == SHT_NOTE)
            .find_map(|s| build_id_in_notes(&read_notes(file, s.offset, s.size), 4))
    })
}

/// The `.text` section of an ELF file: `(address, file offset, size)`.
pub fn text_section<R: ReadAt + ?Sized>(file: &R) -> Option<(u64, u64, u64)> {
    let h = header(file)?;
    let sections = shdrs(file, &h);
    let names = sections.get(h.shstrndx as usize)?;
    sections.iter().find_map(|s| {
        let mut name = [0u8; 6];
        let at = names.offset.checked_add(s.name as u64)?;
        (s.name as u64 + 6 <= names.size && file.read_at(at, &mut name) == 6 && name == *b".text\0")
            .then_some((s.addr, s.offset, s.size))
    })
}

/// Breakpad's identifier for an ELF without a build id: the first 4 KiB of
/// `.text` XOR-folded into 16 bytes. `text` reads the section's bytes from
/// its start; `size` is the section size.
pub fn text_hash<R: ReadAt + ?Sized>(text: &R, size: u64) -> [u8; 16] {
    let mut bytes = vec![0u8; size.min(TEXT_HASH_BYTES) as usize];
    let n = text.read_at(0, &mut bytes);
    let mut id = [0u8; 16];
    for (i, b) in bytes[..n].iter().enumerate() {
        id[i % 16] ^= b;
    }
    id
}

/// Breakpad's debug id text for an identifier (a build id or text hash):
/// its first 16 bytes (zero-padded) as a GUID — the first three fields byte
/// swapped — in upper-case hex, then the age, always 0.
pub fn debug_id(identifier: &[u8]) -> String {
    let mut g = [0u8; 16];
    let n = identifier.len().min(16);
    g[..n].copy_from_slice(&identifier[..n]);
    let order = [3, 2, 1, 0, 5, 4, 7, 6, 8, 9, 10, 11, 12, 13, 14, 15];
    let mut s: String = order.iter().map(|&i| format!("{:02X}", g[i])).collect();
    s.push('0');
    s
}

/// A memory window of another reader: offsets shifted by `base`.
pub struct Shifted<'a, R: ReadAt + ?Sized> {
    /// The underlying reader.
    pub inner: &'a R,
    /// Offset 0 of this view in `inner`.
    pub base: u64,
}

impl<R: ReadAt + ?Sized> ReadAt for Shifted<'_, R> {
    fn read_at(&self, offset: u64, buf: &mut [u8]) -> usize {
        match self.base.checked_add(offset) {
            Some(at) => self.inner.read_at(at, buf),
            None => 0,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A minimal ELF64 with one PT_LOAD and one PT_NOTE holding a build id,
    /// the note placed at file offset `note_off` and vaddr `vbase + note_off`.
    fn tiny_elf(vbase: u64, id: &[u8]) -> Vec<u8> {
        let mut f = vec![0u8; 0x200];
        f[..4].copy_from_slice(b"\x7fELF");
        f[4] = 2;
        f[5] = 1;
        f[32..40].copy_from_slice(&64u64.to_le_bytes());
        f[54..56].copy_from_slice(&56u16.to_le_bytes());
        f[56..58].copy_from_slice(&2u16.to_le_bytes());
        let ph = |f: &mut Vec<u8>, i: usize, kind: u32, off: u64, filesz: u64| {
            let at = 64 + i * 56;
            f[at..at + 4].copy_from_slice(&kind.to_le_bytes());
            f[at + 8..at + 16].copy_from_slice(&off.to_le_bytes());
            f[at + 16..at + 24].copy_from_slice(&(vbase + off).to_le_bytes());
            f[at + 32..at + 40].copy_from_slice(&filesz.to_le_bytes());
            f[at + 48..at + 56].copy_from_slice(&4u64.to_le_bytes());
        };
        ph(&mut f, 0, PT_LOAD, 0, 0x200);
        let note_off = 0x100;
        ph(&mut f, 1, PT_NOTE, note_off as u64, 16 + id.len() as u64);
        f[note_off..note_off + 4].copy_from_slice(&4u32.to_le_bytes());
        f[note_off + 4..note_off + 8].copy_from_slice(&(id.len() as u32).to_le_bytes());
        f[note_off + 8..note_off + 12].copy_from_slice(&NT_GNU_BUILD_ID.to_le_bytes());
        f[note_off + 12..note_off + 16].copy_from_slice(b"GNU\0");
        f[note_off + 16..note_off + 16 + id.len()].copy_from_slice(id);
        f
    }

    #[test]
    fn build_id_in_memory_and_file() {
        let id: Vec<u8> = (1..=20).collect();
        let elf = tiny_elf(0x400000, &id);
        assert_eq!(build_id_from_elf_image(&elf[..]), Some(id.clone()));
        assert_eq!(build_id_from_elf_file(&elf[..]), Some(id.clone()));
        // Every truncation is handled without a panic.
        for n in 0..elf.len() {
            let _ = build_id_from_elf_image(&elf[..n]);
            let _ = build_id_from_elf_file(&elf[..n]);
            let _ = text_section(&elf[..n]);
        }
        assert_eq!(build_id_from_elf_image(&b"\x7fELF"[..]), None);
    }

    #[test]
    fn hostile_note_sizes_stop() {
        let mut notes = Vec::new();
        notes.extend_from_slice(&u32::MAX.to_le_bytes());
        notes.extend_from_slice(&u32::MAX.to_le_bytes());
        notes.extend_from_slice(&3u32.to_le_bytes());
        assert_eq!(build_id_in_notes(&notes, 4), None);
        assert_eq!(build_id_in_notes(&[0u8; 64], 4), None);
    }

    #[test]
    fn debug_id_is_guid_order_plus_age() {
        let id: Vec<u8> = (0..20).collect();
        assert_eq!(debug_id(&id), "030201000504070608090A0B0C0D0E0F0");
        assert_eq!(debug_id(&[0xab]), "000000AB0000000000000000000000000");
    }

    #[test]
    fn text_hash_folds_16_byte_blocks() {
        let text: Vec<u8> = (0..40u8).collect();
        let h = text_hash(&text[..], 40);
        let mut want = [0u8; 16];
        for (i, b) in text.iter().enumerate() {
            want[i % 16] ^= b;
        }
        assert_eq!(h, want);
        assert_eq!(text_hash(&text[..], 0), [0u8; 16]);
    }
}
