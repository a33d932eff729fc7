//! Raw parts of a PDB's DBI stream that the `pdb` crate does not hand out
//! the way Breakpad (through DIA) uses them: the machine, the per-module
//! source file lists (FILE numbering), the optional debug streams (OMAP
//! tables, original section headers, FPO and frame data, each in its own
//! stream order).
//!
//! Every read is bounds-checked; counts come from the data, so lengths are
//! capped by what the stream really holds.

use pdb::{FallibleIterator, StreamIndex};

use super::PdbFile;

use crate::dump::DumpError;

/// The DBI stream's fixed header is 64 bytes.
const DBI_HEADER: usize = 64;

/// Indices into the optional debug header (`DbgHeader`), one `u16` stream
/// number each.
const DBG_FPO: usize = 0;
const DBG_OMAP_TO_SRC: usize = 3;
const DBG_OMAP_FROM_SRC: usize = 4;
const DBG_SECTION_HDR: usize = 5;
const DBG_NEW_FPO: usize = 9;
const DBG_SECTION_HDR_ORIG: usize = 10;

/// What is read from the DBI stream.
#[derive(Clone, Debug, Default)]
pub struct Dbi {
    /// `IMAGE_FILE_MACHINE_*` of the image.
    pub machine: u16,
    /// The DBI stream's age (what DIA reports as the PDB's age).
    pub age: u32,
    /// Source file names of each module, in module order (the DBI source
    /// info substream).
    pub module_files: Vec<Vec<String>>,
    /// Each module's stream and the sizes of its parts, in module order.
    pub modules: Vec<ModuleStream>,
    /// Stream numbers of the optional debug streams (0xffff: absent).
    debug_streams: Vec<u16>,
}

fn u16_at(b: &[u8], at: usize) -> Option<u16> {
    b.get(at..at.checked_add(2)?).map(|s| u16::from_le_bytes([s[0], s[1]]))
}

fn u32_at(b: &[u8], at: usize) -> Option<u32> {
    b.get(at..at.checked_add(4)?).map(|s| u32::from_le_bytes([s[0], s[1], s[2], s[3]]))
}

fn size_at(b: &[u8], at: usize) -> usize {
    // Negative sizes (i32) are treated as empty.
    u32_at(b, at).filter(|&v| v <= i32::MAX as u32).unwrap_or(0) as usize
}

fn read_stream(pdb: &mut PdbFile<'_>, index: u16) -> Result<Option<Vec<u8>>, DumpError> {
    if index == 0xffff {
        return Ok(None);
    }
    match pdb.raw_stream(StreamIndex(index)) {
        Ok(Some(stream)) => Ok(Some(stream.as_slice().to_vec())),
        Ok(None) => Ok(None),
        Err(e) => Err(DumpError::new(format!("PDB stream {index}: {e}"))),
    }
}

impl Dbi {
    /// Reads the DBI stream (stream 3).
    pub fn read(pdb: &mut PdbFile<'_>) -> Result<Dbi, DumpError> {
        let bytes = read_stream(pdb, 3)?.ok_or_else(|| DumpError::new("PDB has no DBI stream (stream 3)"))?;
        if bytes.len() < DBI_HEADER {
            return Err(DumpError::new(format!("PDB DBI stream: header truncated ({} bytes)", bytes.len())));
        }
        let age = u32_at(&bytes, 8).unwrap_or(0);
        let machine = u16_at(&bytes, 58).unwrap_or(0);
        let sizes: Vec<usize> = (0..8).map(|i| size_at(&bytes, 24 + 4 * i)).collect();
        // Substreams follow the header in this order: module info, section
        // contributions, section map, source info, type server map, EC
        // substream, optional debug header. sizes[5] is the MFC index, not a
        // size.
        let (modi, contrib, map, source, tsm, ec, dbg) =
            (sizes[0], sizes[1], sizes[2], sizes[3], sizes[4], sizes[7], sizes[6]);
        let source_start = DBI_HEADER.saturating_add(modi).saturating_add(contrib).saturating_add(map);
        let source_info = slice(&bytes, source_start, source);
        let dbg_start = source_start.saturating_add(source).saturating_add(tsm).saturating_add(ec);
        let dbg_bytes = slice(&bytes, dbg_start, dbg);
        let debug_streams = dbg_bytes.chunks_exact(2).map(|c| u16::from_le_bytes([c[0], c[1]])).collect();
        let modules = module_streams(slice(&bytes, DBI_HEADER, modi));
        Ok(Dbi { machine, age, module_files: module_files(source_info), modules, debug_streams })
    }

    fn debug_stream(&self, pdb: &mut PdbFile<'_>, which: usize) -> Result<Option<Vec<u8>>, DumpError> {
        match self.debug_streams.get(which) {
            Some(&index) => read_stream(pdb, index),
            None => Ok(None),
        }
    }

    /// The OMAP tables (to source, from source) as (from, to) pairs, when
    /// the image was rewritten after linking.
    #[allow(clippy::type_complexity)]
    pub fn omap(&self, pdb: &mut PdbFile<'_>) -> Result<Option<(Vec<(u32, u32)>, Vec<(u32, u32)>)>, DumpError> {
        let to = self.debug_stream(pdb, DBG_OMAP_TO_SRC)?;
        let from = self.debug_stream(pdb, DBG_OMAP_FROM_SRC)?;
        Ok(match (to, from) {
            (Some(to), Some(from)) if !to.is_empty() && !from.is_empty() => Some((pairs(&to), pairs(&from))),
            _ => None,
        })
    }

    /// One past the highest address of the original (pre-OMAP) sections:
    /// the original section headers, or the only ones when the PDB kept
    /// just one set (as addresses are then read against them).
    pub fn original_image_length(&self, pdb: &mut PdbFile<'_>) -> Result<u32, DumpError> {
        let headers = match self.debug_stream(pdb, DBG_SECTION_HDR_ORIG)? {
            Some(headers) => headers,
            None => self.debug_stream(pdb, DBG_SECTION_HDR)?.unwrap_or_default(),
        };
        Ok(headers
            .chunks_exact(40)
            .map(|h| {
                let size = u32_at(h, 8).unwrap_or(0);
                let va = u32_at(h, 12).unwrap_or(0);
                va.saturating_add(size)
            })
            .max()
            .unwrap_or(0))
    }

    /// The frame data records, new-style (`FRAMEDATA`) first, then old FPO
    /// records, each in stream order: the order DIA enumerates them in.
    pub fn frames(&self, pdb: &mut PdbFile<'_>) -> Result<Vec<RawFrame>, DumpError> {
        let mut frames = Vec::new();
        if let Some(new) = self.debug_stream(pdb, DBG_NEW_FPO)? {
            let strings = pdb.string_table().ok();
            for r in new.chunks_exact(32) {
                let field = |at| u32_at(r, at).unwrap_or(0);
                let program = match (&strings, field(20)) {
                    (Some(strings), offset) => {
                        strings.get(pdb::StringRef(offset)).ok().map(|s| s.to_string().into_owned())
                    }
                    _ => None,
                };
                frames.push(RawFrame {
                    ty: 4,
                    rva: field(0),
                    code_size: field(4),
                    locals_size: field(8),
                    params_size: field(12),
                    max_stack_size: field(16),
                    prolog_size: u32::from(u16_at(r, 24).unwrap_or(0)),
                    saved_regs_size: u32::from(u16_at(r, 26).unwrap_or(0)),
                    program: program.filter(|p| !p.is_empty()),
                    uses_base_pointer: false,
                });
            }
        }
        if let Some(old) = self.debug_stream(pdb, DBG_FPO)? {
            for r in old.chunks_exact(16) {
                let field = |at| u32_at(r, at).unwrap_or(0);
                let bits = u16_at(r, 14).unwrap_or(0);
                frames.push(RawFrame {
                    // cbFrame: FRAME_FPO 0, FRAME_TRAP 1, FRAME_TSS 2, FRAME_NONFPO 3.
                    ty: u32::from(bits >> 14),
                    rva: field(0),
                    code_size: field(4),
                    locals_size: field(8).wrapping_mul(4),
                    params_size: u32::from(u16_at(r, 12).unwrap_or(0)).wrapping_mul(4),
                    max_stack_size: 0,
                    prolog_size: u32::from(bits & 0xff),
                    saved_regs_size: u32::from((bits >> 8) & 7).wrapping_mul(4),
                    program: None,
                    uses_base_pointer: bits & (1 << 12) != 0,
                });
            }
        }
        Ok(frames)
    }
}

/// Where a module's symbols and lines are.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ModuleStream {
    /// Stream number (0xffff: none).
    pub stream: u16,
    /// Bytes of symbols at the start of the stream.
    pub symbols_size: u32,
    /// Bytes of old-style (C11) lines after them.
    pub c11_size: u32,
    /// Bytes of C13 line information after those.
    pub c13_size: u32,
}

impl Dbi {
    /// A whole stream by number (empty when absent or unreadable).
    pub fn stream(&self, pdb: &mut PdbFile<'_>, index: u16) -> Vec<u8> {
        read_stream(pdb, index).ok().flatten().unwrap_or_default()
    }

    /// The C13 line information of module `index`.
    pub fn module_c13(&self, pdb: &mut PdbFile<'_>, index: usize) -> Vec<u8> {
        let Some(m) = self.modules.get(index) else { return Vec::new() };
        let Ok(Some(stream)) = read_stream(pdb, m.stream) else { return Vec::new() };
        let start = (m.symbols_size as usize).saturating_add(m.c11_size as usize);
        slice(&stream, start, m.c13_size as usize).to_vec()
    }
}

/// The module info substream: one variable-length record per module
/// (fixed part of 64 bytes, then two NUL-terminated names, padded to 4).
fn module_streams(info: &[u8]) -> Vec<ModuleStream> {
    let mut out = Vec::new();
    let mut at = 0usize;
    while at + 64 <= info.len() {
        out.push(ModuleStream {
            stream: u16_at(info, at + 34).unwrap_or(0xffff),
            symbols_size: u32_at(info, at + 36).unwrap_or(0),
            c11_size: u32_at(info, at + 40).unwrap_or(0),
            c13_size: u32_at(info, at + 44).unwrap_or(0),
        });
        let mut end = at + 64;
        for _ in 0..2 {
            match info.get(end..).and_then(|rest| rest.iter().position(|&b| b == 0)) {
                Some(nul) => end += nul + 1,
                None => return out,
            }
        }
        at = (end + 3) & !3;
    }
    out
}

/// One frame data record, as DIA's `IDiaFrameData` presents it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RawFrame {
    /// `StackFrameTypeEnum`: 4 for frame data, the FPO record's frame type.
    pub ty: u32,
    /// Start of the code (original address space).
    pub rva: u32,
    /// Length of the code block.
    pub code_size: u32,
    /// Bytes of locals.
    pub locals_size: u32,
    /// Bytes of parameters.
    pub params_size: u32,
    /// Most bytes pushed (0 when the record has none).
    pub max_stack_size: u32,
    /// Length of the prologue.
    pub prolog_size: u32,
    /// Bytes of saved registers.
    pub saved_regs_size: u32,
    /// The program string, for frame data that has one.
    pub program: Option<String>,
    /// FPO only: whether `%ebp` is used as a general register.
    pub uses_base_pointer: bool,
}

fn slice(bytes: &[u8], start: usize, len: usize) -> &[u8] {
    let end = start.saturating_add(len).min(bytes.len());
    bytes.get(start..end).unwrap_or(&[])
}

fn pairs(bytes: &[u8]) -> Vec<(u32, u32)> {
    bytes
        .chunks_exact(8)
        .map(|c| (u32::from_le_bytes([c[0], c[1], c[2], c[3]]), u32::from_le_bytes([c[4], c[5], c[6], c[7]])))
        .collect()
}

/// The DBI source info substream: module count, per-module file counts,
/// then offsets of each file's name into a name buffer.
fn module_files(info: &[u8]) -> Vec<Vec<String>> {
    let Some(modules) = u16_at(info, 0).map(usize::from) else {
        return Vec::new();
    };
    let counts_at = 4 + 2 * modules;
    let counts: Vec<usize> = (0..modules).map(|m| usize::from(u16_at(info, counts_at + 2 * m).unwrap_or(0))).collect();
    // The u16 header count of files wraps on large programs; the sum of the
    // per-module counts is the real one.
    let total: usize = counts.iter().sum();
    let offsets_at = counts_at + 2 * modules;
    let names_at = offsets_at.saturating_add(total.saturating_mul(4));
    let names = info.get(names_at..).unwrap_or(&[]);
    let mut next = 0;
    counts
        .iter()
        .map(|&count| {
            (0..count)
                .filter_map(|_| {
                    let at = offsets_at + 4 * next;
                    next += 1;
                    let offset = u32_at(info, at)? as usize;
                    let rest = names.get(offset..)?;
                    let end = rest.iter().position(|&b| b == 0).unwrap_or(rest.len());
                    Some(String::from_utf8_lossy(&rest[..end]).into_owned())
                })
                .collect()
        })
        .collect()
}

/// Consumes a fallible iterator's errors as the end of the sequence: a
/// corrupt record ends a list instead of the whole dump.
pub fn collect_ok<I: FallibleIterator>(mut iter: I) -> Vec<I::Item> {
    let mut items = Vec::new();
    while let Ok(Some(item)) = iter.next() {
        items.push(item);
    }
    items
}
