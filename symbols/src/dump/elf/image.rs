//! The facts of one ELF file the dumper needs, read once with `object` into
//! a class- and endian-independent value: machine, load segments, build id,
//! soname, the section headers, and the function symbols.

use std::borrow::Cow;

use object::elf;
use object::read::elf::{Dyn, FileHeader, NoteIterator, ProgramHeader, SectionHeader, Sym};
use object::{Endianness, FileKind};

use crate::dump::DumpError;

/// A section header, copied out.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Section<'d> {
    pub(crate) name: &'d [u8],
    pub(crate) sh_type: u32,
    pub(crate) flags: u64,
    pub(crate) addr: u64,
    pub(crate) offset: u64,
    pub(crate) size: u64,
}

/// One parsed ELF file.
#[derive(Debug)]
pub(crate) struct Image<'d> {
    pub(crate) data: &'d [u8],
    pub(crate) machine: u16,
    pub(crate) is_64: bool,
    pub(crate) big_endian: bool,
    /// `p_vaddr` of the first `PT_LOAD` (0 when there is none): Breakpad
    /// writes addresses relative to it.
    pub(crate) load_address: u64,
    /// `(p_vaddr, p_memsz)` of every `PT_LOAD`: records outside them are
    /// dropped, as Breakpad does for partitioned libraries.
    pub(crate) loads: Vec<(u64, u64)>,
    pub(crate) build_id: Option<&'d [u8]>,
    pub(crate) soname: Option<&'d [u8]>,
    pub(crate) sections: Vec<Section<'d>>,
    /// Defined `STT_FUNC` symbols `(st_value, name)` of `.symtab`, or of
    /// `.dynsym` when there is no `.symtab`, in table order.
    pub(crate) functions: Vec<(u64, &'d [u8])>,
}

/// How much larger than its compressed bytes a section may claim to be:
/// zlib cannot exceed ~1032:1, and real zstd debug sections stay far below
/// this; a hostile header asking for more is refused before allocating.
const MAX_COMPRESSION_RATIO: u64 = 2048;

impl<'d> Image<'d> {
    /// Parses the headers of an ELF file (32 or 64 bit, either endian).
    pub(crate) fn parse(data: &'d [u8]) -> Result<Self, DumpError> {
        match FileKind::parse(data) {
            Ok(FileKind::Elf32) => parse_class::<elf::FileHeader32<Endianness>>(data, false),
            Ok(FileKind::Elf64) => parse_class::<elf::FileHeader64<Endianness>>(data, true),
            _ => Err(DumpError::new("not an ELF file (bad identification bytes)")),
        }
    }

    /// The first section with this name and type (Breakpad's
    /// `FindElfSectionByName`).
    pub(crate) fn section(&self, name: &str, sh_type: u32) -> Option<&Section<'d>> {
        self.sections.iter().find(|s| s.name == name.as_bytes() && s.sh_type == sh_type)
    }

    /// The first section with this name, whatever its type.
    pub(crate) fn section_any(&self, name: &str) -> Option<&Section<'d>> {
        self.sections.iter().find(|s| s.name == name.as_bytes())
    }

    /// The raw file bytes of a section (empty for `SHT_NOBITS`).
    pub(crate) fn raw(&self, s: &Section<'d>) -> Result<&'d [u8], DumpError> {
        if s.sh_type == elf::SHT_NOBITS {
            return Ok(&[]);
        }
        let name = String::from_utf8_lossy(s.name);
        usize::try_from(s.offset)
            .ok()
            .zip(usize::try_from(s.size).ok())
            .and_then(|(o, n)| self.data.get(o..)?.get(..n))
            .ok_or_else(|| {
                DumpError::new(format!(
                    "section {name}: bytes {:#x}+{:#x} lie past the end of the file ({:#x} bytes)",
                    s.offset,
                    s.size,
                    self.data.len()
                ))
            })
    }

    /// A section's contents, decompressed when `SHF_COMPRESSED` (zlib or
    /// zstd) or named `.zdebug_*` (GNU's older scheme).
    pub(crate) fn contents(&self, s: &Section<'d>) -> Result<Cow<'d, [u8]>, DumpError> {
        let raw = self.raw(s)?;
        let name = String::from_utf8_lossy(s.name);
        let compressed = if s.flags & u64::from(elf::SHF_COMPRESSED) != 0 {
            let (ch_type, size, header) = self.chdr(raw).ok_or_else(|| {
                DumpError::new(format!("section {name} at {:#x}: compression header truncated", s.offset))
            })?;
            let format = match ch_type {
                elf::ELFCOMPRESS_ZLIB => object::CompressionFormat::Zlib,
                elf::ELFCOMPRESS_ZSTD => object::CompressionFormat::Zstandard,
                other => {
                    return Err(DumpError::new(format!(
                        "section {name} at {:#x}: unknown compression type {other}",
                        s.offset
                    )))
                }
            };
            object::CompressedData { format, data: &raw[header..], uncompressed_size: size }
        } else if s.name.starts_with(b".zdebug_") {
            // "ZLIB" then the size as a big-endian u64.
            if raw.len() < 12 || &raw[..4] != b"ZLIB" {
                return Err(DumpError::new(format!("section {name} at {:#x}: no ZLIB header", s.offset)));
            }
            let size = u64::from_be_bytes(raw[4..12].try_into().unwrap_or_default());
            object::CompressedData {
                format: object::CompressionFormat::Zlib,
                data: &raw[12..],
                uncompressed_size: size,
            }
        } else {
            return Ok(Cow::Borrowed(raw));
        };
        let limit = (compressed.data.len() as u64).saturating_mul(MAX_COMPRESSION_RATIO).max(1 << 20);
        if compressed.uncompressed_size > limit {
            return Err(DumpError::new(format!(
                "section {name} at {:#x}: claims {} bytes uncompressed from {} (refused)",
                s.offset,
                compressed.uncompressed_size,
                compressed.data.len()
            )));
        }
        compressed
            .decompress()
            .map_err(|e| DumpError::new(format!("section {name} at {:#x}: cannot decompress: {e}", s.offset)))
    }

    /// `(ch_type, ch_size, header length)` of an `Elf32_Chdr`/`Elf64_Chdr`.
    fn chdr(&self, raw: &[u8]) -> Option<(u32, u64, usize)> {
        let u32_at = |o: usize| -> Option<u32> {
            let b: [u8; 4] = raw.get(o..o + 4)?.try_into().ok()?;
            Some(if self.big_endian { u32::from_be_bytes(b) } else { u32::from_le_bytes(b) })
        };
        if self.is_64 {
            let b: [u8; 8] = raw.get(8..16)?.try_into().ok()?;
            let size = if self.big_endian { u64::from_be_bytes(b) } else { u64::from_le_bytes(b) };
            (raw.len() >= 24).then_some((u32_at(0)?, size, 24))
        } else {
            (raw.len() >= 12).then_some((u32_at(0)?, u64::from(u32_at(4)?), 12))
        }
    }

    /// Whether an address lies in a `PT_LOAD` segment (always, when the file
    /// has none).
    pub(crate) fn in_module(&self, address: u64) -> bool {
        self.loads.is_empty() || self.loads.iter().any(|&(start, size)| address.wrapping_sub(start) < size)
    }
}

fn parse_class<'d, Elf: FileHeader<Endian = Endianness>>(data: &'d [u8], is_64: bool) -> Result<Image<'d>, DumpError> {
    let err = |what: &str, e: object::read::Error| DumpError::new(format!("ELF {what}: {e}"));
    let header = Elf::parse(data).map_err(|e| err("header", e))?;
    let endian = header.endian().map_err(|e| err("header", e))?;
    let machine = header.e_machine(endian);
    let segments = header.program_headers(endian, data).map_err(|e| err("program headers", e))?;
    let table = header.sections(endian, data).map_err(|e| err("section headers", e))?;

    let mut loads = Vec::new();
    for ph in segments {
        if ph.p_type(endian) == elf::PT_LOAD {
            loads.push((ph.p_vaddr(endian).into(), ph.p_memsz(endian).into()));
        }
    }
    let load_address = loads.first().map_or(0, |l| l.0);

    let mut sections = Vec::with_capacity(table.len());
    for sh in table.iter() {
        sections.push(Section {
            name: table.section_name(endian, sh).unwrap_or(b""),
            sh_type: sh.sh_type(endian),
            flags: sh.sh_flags(endian).into(),
            addr: sh.sh_addr(endian).into(),
            offset: sh.sh_offset(endian).into(),
            size: sh.sh_size(endian).into(),
        });
    }

    // Breakpad's FileID: the `.note.gnu.build-id` section first, then every
    // PT_NOTE segment; the first note of type NT_GNU_BUILD_ID with bytes.
    let first_build_id = |notes: Option<NoteIterator<'d, Elf>>| -> Option<&'d [u8]> {
        let mut notes = notes?;
        while let Ok(Some(note)) = notes.next() {
            if note.n_type(endian) == elf::NT_GNU_BUILD_ID {
                return (!note.desc().is_empty()).then(|| note.desc());
            }
        }
        None
    };
    let mut build_id = None;
    if let Some((_, sh)) = table.section_by_name(endian, b".note.gnu.build-id") {
        if sh.sh_type(endian) == elf::SHT_NOTE {
            build_id = first_build_id(sh.notes(endian, data).ok().flatten());
        }
    }
    if build_id.is_none() {
        for ph in segments {
            build_id = first_build_id(ph.notes(endian, data).ok().flatten());
            if build_id.is_some() {
                break;
            }
        }
    }

    // DT_SONAME from `.dynamic` and `.dynstr`, as Breakpad reads it.
    let mut soname = None;
    if let (Some((_, dynamic)), Some((_, dynstr))) =
        (table.section_by_name(endian, b".dynamic"), table.section_by_name(endian, b".dynstr"))
    {
        if let (Ok(Some((entries, _))), Ok(Some(strings))) =
            (dynamic.dynamic(endian, data), dynstr.strings(endian, data))
        {
            for d in entries {
                if d.tag32(endian) == Some(elf::DT_SONAME) {
                    soname = d.string(endian, strings).ok().filter(|s| !s.is_empty());
                    break;
                }
            }
        }
    }

    // Function symbols: `.symtab`, or `.dynsym` only when there is none.
    let mut functions = Vec::new();
    for sh_type in [elf::SHT_SYMTAB, elf::SHT_DYNSYM] {
        let Ok(symbols) = table.symbols(endian, data, sh_type) else { continue };
        if symbols.is_empty() {
            continue;
        }
        let strings = symbols.strings();
        for sym in symbols.symbols() {
            if sym.st_type() == elf::STT_FUNC && sym.st_shndx(endian) != elf::SHN_UNDEF {
                functions.push((sym.st_value(endian).into(), sym.name(endian, strings).unwrap_or(b"")));
            }
        }
        break;
    }

    Ok(Image {
        data,
        machine,
        is_64,
        big_endian: endian == Endianness::Big,
        load_address,
        loads,
        build_id,
        soname,
        sections,
        functions,
    })
}
