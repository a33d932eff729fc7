//! The PDB half: `FILE`, `FUNC` with line records, `PUBLIC` and `STACK WIN`
//! records, chosen, named, numbered and ordered as Breakpad's `dump_syms`
//! (through Microsoft's DIA) does, then moved through OMAP.

use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap};
use std::io::Cursor;

use pdb::{AddressMap, FallibleIterator, PdbInternalSectionOffset, SymbolData};

use super::dbi::{collect_ok, Dbi};
use super::lines;
use super::names::{self, TypeNamer, TypeStream};
use super::omap::ImageMap;
use super::PdbFile;
use crate::dump::DumpError;
use crate::model::{FileRecord, Function, Line, Lines, Public, StackWin, StackWinType, WinProgram};

/// Everything taken from a PDB.
#[derive(Debug, Default)]
pub struct PdbSymbols {
    /// `IMAGE_FILE_MACHINE_*` from the DBI stream.
    pub machine: u16,
    /// The debug identifier: GUID (Breakpad's order, upper case) and age
    /// (lower-case hex).
    pub debug_id: String,
    /// `FILE` records.
    pub files: Vec<FileRecord<'static>>,
    /// `FUNC` records with their lines, by address.
    pub functions: Vec<Function<'static>>,
    /// `PUBLIC` records for code addresses no function starts at.
    pub publics: Vec<Public<'static>>,
    /// For each public, how many functions precede it: Breakpad writes
    /// both in one walk over the symbols by (original) address.
    pub public_positions: Vec<u32>,
    /// `STACK WIN` records (x86 frame data and FPO).
    pub win: Vec<StackWin<'static>>,
}

/// A procedure (`S_GPROC32`/`S_LPROC32`) or a block of one lying outside
/// it (code the compiler moved away).
#[derive(Clone, Debug)]
struct Proc {
    rva: u32,
    len: u32,
    name: String,
    /// Type (or, for `_ID` symbols, item id) of the signature.
    type_index: u32,
    /// Whether `type_index` is an item id.
    id: bool,
    global: bool,
    module: usize,
}

#[derive(Clone, Debug)]
struct Pub {
    rva: u32,
    name: String,
    code: bool,
}

/// The symbol picked for an address: functions win over publics, and among
/// equals the least decorated name; `multiple` when several shared it.
#[derive(Clone, Copy, Debug)]
struct Selected {
    public: bool,
    index: usize,
    multiple: bool,
}

/// One line as DIA gives it, before OMAP.
#[derive(Clone, Copy, Debug)]
struct RawLine {
    rva: u32,
    length: u32,
    line: u32,
    file: u32,
}

/// Procedure symbols whose type field is an item id (IPI), not a type.
const S_LPROC32_ID: u16 = 0x1146;
const S_GPROC32_ID: u16 = 0x1147;
const S_LPROC32_DPC_ID: u16 = 0x1156;
/// The symbol kinds read; only these are handed to the `pdb` crate's
/// parser, whose constant parsing asserts on odd values in debug builds.
const PROC_KINDS: [u16; 8] = [0x100a, 0x100b, 0x110f, 0x1110, S_LPROC32_ID, S_GPROC32_ID, 0x1155, S_LPROC32_DPC_ID];
const BLOCK_KINDS: [u16; 2] = [0x0207, 0x1103];
const PUBLIC_KINDS: [u16; 2] = [0x1009, 0x110e];

fn err(what: &str, e: impl std::fmt::Display) -> DumpError {
    DumpError::new(format!("PDB {what}: {e}"))
}

/// Reads every record Breakpad writes from a PDB; `keep_mangled` leaves
/// public names decorated.
pub fn read(data: &[u8], keep_mangled: bool) -> Result<PdbSymbols, DumpError> {
    let mut pdb: PdbFile<'_> = pdb::PDB::open(Cursor::new(data)).map_err(|e| err("header", e))?;
    let info = pdb.pdb_information().map_err(|e| err("information stream", e))?;
    let dbi = Dbi::read(&mut pdb)?;
    let guid: String = info.guid.as_bytes().iter().map(|b| format!("{b:02X}")).collect();
    let mut out = PdbSymbols { machine: dbi.machine, debug_id: format!("{guid}{:x}", dbi.age), ..Default::default() };

    let image_map = match dbi.omap(&mut pdb)? {
        Some((to, from)) => {
            let length = dbi.original_image_length(&mut pdb)?;
            ImageMap::new(&to, &from, length)
        }
        None => ImageMap::identity(),
    };
    let address_map = pdb.address_map().map_err(|e| err("section headers", e))?;
    let strings = pdb.string_table().ok();

    // FILE: DIA numbers every (module, file) pair from 1 in module order;
    // Breakpad prints each name once, at its first number, and points later
    // numbers of the same name at it.
    let mut file_ids: HashMap<String, u32> = HashMap::new();
    let mut next_id = 1u32;
    for files in &dbi.module_files {
        for name in files {
            if !file_ids.contains_key(name) {
                file_ids.insert(name.clone(), next_id);
                out.files.push(FileRecord { id: next_id, name: Cow::Owned(name.clone()) });
            }
            next_id = next_id.wrapping_add(1);
        }
    }

    let publics = read_publics(&mut pdb, &address_map)?;
    let debug = pdb.debug_information().map_err(|e| err("DBI stream", e))?;
    let modules = collect_ok(debug.modules().map_err(|e| err("module list", e))?);
    let mut procs: Vec<Proc> = Vec::new();
    let mut split_blocks: Vec<Proc> = Vec::new();
    let mut module_lines: Vec<Vec<RawLine>> = Vec::with_capacity(modules.len());
    for (m, module) in modules.iter().enumerate() {
        let mut lines = Vec::new();
        if let Ok(Some(info)) = pdb.module_info(module) {
            read_procs(&info, m, &address_map, &mut procs, &mut split_blocks);
        }
        if let Some(strings) = strings.as_ref() {
            read_lines(&dbi.module_c13(&mut pdb, m), &address_map, strings, &file_ids, &mut lines);
        }
        lines.sort_by_key(|l| l.rva);
        module_lines.push(lines);
    }

    let mut selected: BTreeMap<u32, Selected> = BTreeMap::new();
    for (i, p) in procs.iter().enumerate() {
        select(&mut selected, p.rva, false, i, |s| decorated(&procs, &publics, s));
    }
    for (i, p) in publics.iter().enumerate() {
        select(&mut selected, p.rva, true, i, |s| decorated(&procs, &publics, s));
    }
    // The public symbols at each address: one gives a function its
    // decorated name (DIA undecorates that).
    let mut public_at: HashMap<u32, Vec<usize>> = HashMap::new();
    for (i, p) in publics.iter().enumerate() {
        public_at.entry(p.rva).or_default().push(i);
    }
    let public_for = |p: &Proc| -> Option<&Pub> {
        let candidates = public_at.get(&p.rva)?;
        pick_public(p, candidates.iter().map(|&i| &publics[i]))
    };

    let namer = TypeNamer::new(TypeStream::new(dbi.stream(&mut pdb, 2)), TypeStream::new(dbi.stream(&mut pdb, 4)));
    // Each line belongs to one function in real PDBs; overlapping hostile
    // functions could each claim all of them, so the total is capped.
    let raw_lines: usize = module_lines.iter().map(Vec::len).sum();
    let mut public_rvas: Vec<u32> = publics.iter().map(|p| p.rva).collect();
    public_rvas.sort_unstable();
    let mut budget = raw_lines.saturating_mul(4).saturating_add(1_000_000);
    for sel in selected.values() {
        if sel.public {
            let p = &publics[sel.index];
            if p.code {
                push_public(&mut out.publics, &image_map, p, sel.multiple, &public_rvas, keep_mangled);
                let at = out.functions.len() as u32;
                out.public_positions.resize(out.publics.len(), at);
            }
            continue;
        }
        let p = &procs[sel.index];
        let (name, param) = function_name(p, public_for(p), &namer, keep_mangled);
        let label = Label { name: &name, parameter_size: param, multiple: sel.multiple };
        push_function(&mut out.functions, &image_map, p, label, &module_lines[p.module], &mut budget);
    }
    for b in &split_blocks {
        let (name, param) = function_name(b, public_for(b), &namer, keep_mangled);
        let label = Label { name: &name, parameter_size: param, multiple: false };
        push_function(&mut out.functions, &image_map, b, label, &module_lines[b.module], &mut budget);
    }

    // DIA often repeats a record; Breakpad prints one per change of type,
    // start, size or prologue.
    let mut last = None;
    for frame in dbi.frames(&mut pdb)? {
        let key = (frame.ty, frame.rva, frame.code_size, frame.prolog_size);
        if last != Some(key) {
            push_frames(&mut out.win, &image_map, &frame);
            last = Some(key);
        }
    }
    if budget == 0 {
        return Err(DumpError::new("PDB functions overlap so much that their lines repeat without bound"));
    }
    if image_map.exhausted() {
        return Err(DumpError::new("PDB OMAP tables: too many overlapping ranges to map"));
    }
    Ok(out)
}

fn decorated<'p>(procs: &'p [Proc], publics: &'p [Pub], s: &Selected) -> &'p str {
    if s.public {
        &publics[s.index].name
    } else {
        &procs[s.index].name
    }
}

fn select<'p>(
    map: &mut BTreeMap<u32, Selected>,
    rva: u32,
    public: bool,
    index: usize,
    name: impl Fn(&Selected) -> &'p str,
) {
    let new = Selected { public, index, multiple: false };
    match map.get_mut(&rva) {
        None => {
            map.insert(rva, new);
        }
        Some(old) => {
            if public && !old.public {
                return;
            }
            old.multiple = true;
            if name(&new) < name(old) {
                old.public = public;
                old.index = index;
            }
        }
    }
}

fn rva_of(offset: PdbInternalSectionOffset, map: &AddressMap<'_>) -> Option<u32> {
    offset.to_internal_rva(map).map(|r| r.0)
}

fn read_publics(pdb: &mut PdbFile<'_>, address_map: &AddressMap<'_>) -> Result<Vec<Pub>, DumpError> {
    // DIA calls a public "code" when its section holds code, whatever its
    // flags say (assembler labels have none).
    let code_sections: Vec<bool> =
        pdb.sections().ok().flatten().unwrap_or_default().iter().map(|s| s.characteristics.executable()).collect();
    let globals = pdb.global_symbols().map_err(|e| err("global symbols", e))?;
    let mut out = Vec::new();
    let mut iter = globals.iter();
    while let Ok(Some(symbol)) = iter.next() {
        if !PUBLIC_KINDS.contains(&symbol.raw_kind()) {
            continue;
        }
        if let Ok(SymbolData::Public(p)) = symbol.parse() {
            if let Some(rva) = rva_of(p.offset, address_map) {
                let in_code = usize::from(p.offset.section)
                    .checked_sub(1)
                    .and_then(|i| code_sections.get(i))
                    .copied()
                    .unwrap_or(false);
                out.push(Pub { rva, name: p.name.to_string().into_owned(), code: p.code || p.function || in_code });
            }
        }
    }
    Ok(out)
}

fn read_procs(
    info: &pdb::ModuleInfo<'_>,
    module: usize,
    address_map: &AddressMap<'_>,
    procs: &mut Vec<Proc>,
    split_blocks: &mut Vec<Proc>,
) {
    let Ok(mut symbols) = info.symbols() else { return };
    // Procedures by their symbol index, for blocks to find their parent.
    let mut by_index: HashMap<u32, usize> = HashMap::new();
    while let Ok(Some(symbol)) = symbols.next() {
        let kind = symbol.raw_kind();
        if !PROC_KINDS.contains(&kind) && !BLOCK_KINDS.contains(&kind) {
            continue;
        }
        match symbol.parse() {
            Ok(SymbolData::Procedure(p)) => {
                let Some(rva) = rva_of(p.offset, address_map) else { continue };
                by_index.insert(symbol.index().0, procs.len());
                procs.push(Proc {
                    rva,
                    len: p.len,
                    name: p.name.to_string().into_owned(),
                    type_index: p.type_index.0,
                    id: matches!(kind, S_LPROC32_ID | S_GPROC32_ID | S_LPROC32_DPC_ID),
                    global: p.global,
                    module,
                });
            }
            Ok(SymbolData::Block(b)) => {
                let Some(&parent) = by_index.get(&b.parent.0) else { continue };
                let Some(rva) = rva_of(b.offset, address_map) else { continue };
                let f = &procs[parent];
                if rva < f.rva || u64::from(rva) > u64::from(f.rva) + u64::from(f.len) {
                    split_blocks.push(Proc { rva, len: b.len, ..f.clone() });
                }
            }
            _ => {}
        }
    }
}

fn read_lines(
    c13: &[u8],
    address_map: &AddressMap<'_>,
    strings: &pdb::StringTable<'_>,
    file_ids: &HashMap<String, u32>,
    out: &mut Vec<RawLine>,
) {
    let (lines, files) = lines::module_lines(c13);
    // Checksum entry offset -> FILE id, through the file's name.
    let ids: HashMap<u32, u32> = files
        .into_iter()
        .map(|(entry, name)| {
            let id = strings.get(pdb::StringRef(name)).ok().and_then(|n| file_ids.get(n.to_string().as_ref()).copied());
            (entry, id.unwrap_or(0))
        })
        .collect();
    for line in lines {
        let offset = PdbInternalSectionOffset { offset: line.offset, section: line.section };
        let Some(rva) = rva_of(offset, address_map) else { continue };
        let file = ids.get(&line.file).copied().unwrap_or(0);
        out.push(RawLine { rva, length: line.length, line: line.line, file });
    }
}

/// Among the public symbols at a function's address (aliases, folded
/// code), the one DIA names the function by: the one whose undecorated name
/// is the function's, else the least decorated name.
fn pick_public<'p>(f: &Proc, candidates: impl Iterator<Item = &'p Pub>) -> Option<&'p Pub> {
    let mut best: Option<(&Pub, bool)> = None;
    for p in candidates {
        let undecorated = names::undecorate(&p.name).0;
        let own = undecorated == f.name
            || undecorated.strip_prefix(f.name.as_str()).is_some_and(|rest| rest.starts_with('('));
        let better = match best {
            None => true,
            Some((b, b_own)) => (own && !b_own) || (own == b_own && p.name < b.name),
        };
        if better {
            best = Some((p, own));
        }
    }
    best.map(|(p, _)| p)
}

/// Breakpad's name and parameter size of a function: its public symbol's
/// undecorated name when it has one, else a signature from its type.
fn function_name(p: &Proc, public: Option<&Pub>, namer: &TypeNamer, keep_mangled: bool) -> (String, u32) {
    if let Some(public) = public {
        if keep_mangled {
            return (public.name.clone(), 0);
        }
        let (name, param) = names::undecorate(&public.name);
        return (name, param.unwrap_or(0));
    }
    (namer.function(&p.name, p.type_index, p.global, p.id), 0)
}

/// How a function is written: its name, parameter size and `m` flag.
struct Label<'n> {
    name: &'n str,
    parameter_size: u32,
    multiple: bool,
}

fn push_function(
    out: &mut Vec<Function<'static>>,
    map: &ImageMap,
    p: &Proc,
    label: Label<'_>,
    module_lines: &[RawLine],
    line_budget: &mut usize,
) {
    let Label { name, parameter_size, multiple } = label;
    if p.len == 0 {
        return;
    }
    let end = u64::from(p.rva) + u64::from(p.len);
    let first = module_lines.partition_point(|l| l.rva < p.rva);
    let mut lines = Lines::new();
    for l in module_lines[first..].iter().take_while(|l| u64::from(l.rva) < end) {
        if *line_budget == 0 {
            break;
        }
        *line_budget -= 1;
        for (rva, length) in map.map_range(l.rva, l.length) {
            lines.push(Line { address: u64::from(rva), size: length, line: l.line, file: l.file });
        }
    }
    let ranges = map.map_range(p.rva, p.len);
    let count = ranges.len();
    for (i, (rva, length)) in ranges.into_iter().enumerate() {
        out.push(Function {
            address: u64::from(rva),
            size: u64::from(length),
            parameter_size,
            multiple,
            name: Cow::Owned(name.to_owned()),
            // Breakpad prints all the lines after the last piece.
            lines: if i + 1 == count { std::mem::take(&mut lines) } else { Lines::new() },
            inlines: Vec::new(),
        });
    }
}

/// The `PUBLIC` records of a public symbol: where its first byte landed,
/// then, under OMAP, where each later block of the original image landed
/// while the nearest public symbol before that block is still this one
/// (its code may have been split; Breakpad writes those without `m`).
fn push_public(
    out: &mut Vec<Public<'static>>,
    map: &ImageMap,
    p: &Pub,
    multiple: bool,
    public_rvas: &[u32],
    keep_mangled: bool,
) {
    let (name, param) = if keep_mangled { (p.name.clone(), None) } else { names::undecorate(&p.name) };
    let parameter_size = param.unwrap_or(0);
    for (rva, _) in map.map_range(p.rva, 1) {
        out.push(Public { address: u64::from(rva), parameter_size, multiple, name: Cow::Owned(name.clone()) });
    }
    let mut block = p.rva;
    while let Some(&next) = map.next_block.get(&block) {
        block = next;
        let nearest = public_rvas.partition_point(|&r| r <= block);
        if nearest == 0 || public_rvas[nearest - 1] != p.rva {
            break;
        }
        for (rva, _) in map.map_range(block, 1) {
            out.push(Public {
                address: u64::from(rva),
                parameter_size,
                multiple: false,
                name: Cow::Owned(name.clone()),
            });
        }
    }
}

fn push_frames(out: &mut Vec<StackWin<'static>>, map: &ImageMap, f: &super::dbi::RawFrame) {
    let ty = StackWinType::from_u32(f.ty).unwrap_or_default();
    let program = match &f.program {
        Some(p) => WinProgram::ProgramString(Cow::Owned(p.clone())),
        None => WinProgram::AllocatesBasePointer(f.uses_base_pointer),
    };
    let record = |address: u32, code_size: u32, prologue_size: u32| StackWin {
        ty,
        address: u64::from(address),
        code_size: u64::from(code_size),
        prologue_size,
        epilogue_size: 0,
        parameter_size: f.params_size,
        saved_register_size: f.saved_regs_size,
        local_size: f.locals_size,
        max_stack_size: f.max_stack_size,
        program: program.clone(),
    };
    let prolog = if f.prolog_size > 0 { map.map_range(f.rva, f.prolog_size) } else { Vec::new() };
    let code = map.map_range(f.rva.wrapping_add(f.prolog_size), f.code_size.wrapping_sub(f.prolog_size));
    if prolog.len() == 1 && code.len() == 1 && prolog[0].0.wrapping_add(prolog[0].1) == code[0].0 {
        out.push(record(prolog[0].0, prolog[0].1.wrapping_add(code[0].1), prolog[0].1));
        return;
    }
    for (rva, length) in prolog {
        out.push(record(rva, length, length));
    }
    for (rva, length) in code {
        out.push(record(rva, length, 0));
    }
}
