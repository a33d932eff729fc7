//! DWARF compilation units to functions with their lines and inlined calls,
//! following Breakpad's `DwarfCUToModule`.
//!
//! One pass over a unit's entries (gimli's raw reader: uninteresting
//! entries are skipped without decoding their attributes) collects the
//! subprograms with code, their `DW_TAG_inlined_subroutine` trees, and a
//! small record of every subprogram and naming scope (namespace, class,
//! structure, union, module). Names are computed afterwards from those
//! records, so `DW_AT_specification` and `DW_AT_abstract_origin` may point
//! forwards or into another unit (whose records are then built on demand).
//!
//! Names follow Breakpad: a linkage name the unit's language demangles
//! wins (C++ with parameter types, Rust without the hash); otherwise the
//! `DW_AT_name` of the entry (or of its specification) qualified by the
//! enclosing scopes (or the specification's); a function without a name of
//! its own takes its abstract origin's; `<name omitted>` when all fail.

use super::fxhash::FxMap as HashMap;

use gimli::{constants as dw, AttributeValue, EndianSlice, RunTimeEndian};

use super::lines;
use super::names::Lang;

pub(crate) type R<'d> = EndianSlice<'d, RunTimeEndian>;

/// A function of one unit, addresses absolute, files and origins as
/// indexes into the unit's [`CuOut`] tables.
#[derive(Debug, Default)]
pub(crate) struct FuncOut {
    pub(crate) name: String,
    /// The name was built from `DW_AT_name` and scopes, not demangled from a
    /// linkage name (a mangled symbol at its address may say more).
    pub(crate) structural: bool,
    /// Sorted by address, none empty.
    pub(crate) ranges: Vec<(u64, u64)>,
    /// Sorted by address, within `ranges`.
    pub(crate) lines: Vec<lines::LineOut>,
    /// Pre-order (a call before the calls inlined into it), siblings in
    /// entry order.
    pub(crate) inlines: Vec<InlineOut>,
}

/// An inlined call.
#[derive(Debug)]
pub(crate) struct InlineOut {
    pub(crate) depth: u32,
    pub(crate) call_line: u32,
    /// Index into [`CuOut::files`], `None` for no (or an unknown) file.
    pub(crate) call_file: Option<u32>,
    /// Index into [`CuOut::origins`].
    pub(crate) origin: u32,
    pub(crate) ranges: Vec<(u64, u64)>,
}

/// What one compilation unit contributes: its functions as model records
/// (addresses relative to the load address), their `FILE` and
/// `INLINE_ORIGIN` numbers still the unit's own indexes into `files` and
/// `origins` (renumbered module-wide when all units are in).
#[derive(Debug, Default)]
pub(crate) struct CuOut {
    pub(crate) files: Vec<String>,
    pub(crate) origins: Vec<String>,
    pub(crate) functions: Vec<super::assemble::FuncParts>,
}

/// What [`Resolver::dump_unit`] made of a unit.
pub(crate) enum Unit<'d> {
    /// Its functions.
    Done(CuOut),
    /// A skeleton: its split unit is in the `.dwo` named (relative to the
    /// compilation directory given).
    Skeleton(Box<gimli::Unit<R<'d>>>, Vec<u8>, Vec<u8>),
    /// Nothing Breakpad reads (type, partial or assembly units, or
    /// unreadable).
    Skipped,
}

/// The kind of a recorded entry.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    Scope,
    Subprogram,
}

/// A subprogram or naming scope, kept for name computation.
#[derive(Clone, Copy, Debug)]
struct Rec<'d> {
    offset: u64,
    kind: Kind,
    /// Index of the enclosing scope or subprogram record, or `NONE`.
    parent: u32,
    name: Option<&'d [u8]>,
    linkage: Option<&'d [u8]>,
    /// `.debug_info` offsets, 0 for none.
    spec: u64,
    origin: u64,
}

const NONE: u32 = u32::MAX;

/// How deep specification/origin chains are followed: real ones are one
/// or two links; hostile ones may loop.
const MAX_CHAIN: u32 = 8;

/// How many enclosing scopes (and links followed on the way) name a
/// function at most.
const MAX_SCOPE_DEPTH: u32 = 96;

/// The records of one unit, sorted by offset (entries are visited in
/// offset order).
struct UnitIndex<'d> {
    lang: Lang,
    recs: Vec<Rec<'d>>,
}

/// A function found in the walk, before names are computed.
struct Pending {
    rec: u32,
    ranges: Vec<(u64, u64)>,
    inlines: Vec<PendingInline>,
}

struct PendingInline {
    depth: u32,
    call_line: u32,
    call_file: Option<u64>,
    origin: u64,
    ranges: Vec<(u64, u64)>,
}

/// The DWARF of a file and the offsets of its units, shared by workers.
pub(crate) struct Input<'d> {
    pub(crate) dwarf: gimli::Dwarf<R<'d>>,
    /// `.debug_info` offsets of the unit headers, ascending.
    pub(crate) units: Vec<u64>,
}

impl<'d> Input<'d> {
    /// Lists the unit headers (stopping at the first malformed one).
    pub(crate) fn new(dwarf: gimli::Dwarf<R<'d>>) -> Input<'d> {
        let mut units = Vec::new();
        let mut iter = dwarf.units();
        while let Ok(Some(header)) = iter.next() {
            if let Some(off) = header.offset().as_debug_info_offset() {
                units.push(off.0 as u64);
            }
        }
        Input { dwarf, units }
    }

    fn header_at(&self, offset: u64) -> Option<gimli::UnitHeader<R<'d>>> {
        self.dwarf.debug_info.header_from_offset(gimli::DebugInfoOffset(offset as usize)).ok()
    }
}

/// Per-worker name computation state: records of units other than the one
/// being dumped are built on demand and kept.
pub(crate) struct Resolver<'i, 'd> {
    input: &'i Input<'d>,
    /// Subtracted from every address written.
    load: u64,
    keep_mangled: bool,
    indexes: Vec<UnitIndex<'d>>,
    by_unit: HashMap<u64, usize>,
    scope_names: HashMap<u64, String>,
    /// Whether the last name computed came from `DW_AT_name`s.
    structural: bool,
    /// Demangled linkage names: the same inlined functions appear in many
    /// units.
    demangled: HashMap<(&'d [u8], Lang), Option<String>>,
}

impl<'i, 'd> Resolver<'i, 'd> {
    pub(crate) fn new(input: &'i Input<'d>, keep_mangled: bool, load: u64) -> Self {
        Resolver {
            input,
            load,
            keep_mangled,
            indexes: Vec::new(),
            by_unit: HashMap::default(),
            scope_names: HashMap::default(),
            structural: false,
            demangled: HashMap::default(),
        }
    }

    /// Dumps the unit at `offset` (a `.debug_info` offset from
    /// [`Input::units`]); `None` for units Breakpad skips (type and partial
    /// units, assembly) or that cannot be read.
    pub(crate) fn dump_unit(&mut self, offset: u64, inlines: bool) -> Unit<'d> {
        let Some(header) = self.input.header_at(offset) else { return Unit::Skipped };
        let Ok(unit) = self.input.dwarf.unit(header) else { return Unit::Skipped };
        if unit.dwo_id.is_some() {
            if let Some(name) = unit.dwo_name().ok().flatten() {
                if let Ok(name) = self.input.dwarf.attr_string(&unit, name) {
                    let name = name.slice().to_vec();
                    let comp_dir = unit.comp_dir.map(|d| d.slice().to_vec()).unwrap_or_default();
                    return Unit::Skeleton(Box::new(unit), name, comp_dir);
                }
            }
        }
        match self.dump_with_lines(offset, &unit, &self.input.dwarf, &unit, inlines) {
            Some(out) => Unit::Done(out),
            None => Unit::Skipped,
        }
    }

    /// Dumps the split unit of `skeleton` from this resolver's (`.dwo`)
    /// DWARF: its entries from here, its lines from the skeleton's line
    /// table in `main` (as Breakpad reads split units).
    pub(crate) fn dump_split(
        &mut self,
        skeleton: &gimli::Unit<R<'_>>,
        main: &gimli::Dwarf<R<'_>>,
        inlines: bool,
    ) -> Option<CuOut> {
        let id = skeleton.dwo_id?;
        for &offset in &self.input.units {
            let Some(header) = self.input.header_at(offset) else { continue };
            let Ok(mut unit) = self.input.dwarf.unit(header) else { continue };
            if unit.dwo_id != Some(id) {
                continue;
            }
            unit.low_pc = skeleton.low_pc;
            unit.addr_base = skeleton.addr_base;
            if unit.header.version() < 5 {
                unit.rnglists_base = skeleton.rnglists_base;
            }
            return self.dump_with_lines(offset, &unit, main, skeleton, inlines);
        }
        None
    }

    fn dump_with_lines(
        &mut self,
        offset: u64,
        unit: &gimli::Unit<R<'d>>,
        line_dwarf: &gimli::Dwarf<R<'_>>,
        line_unit: &gimli::Unit<R<'_>>,
        inlines: bool,
    ) -> Option<CuOut> {
        let mut pending = Vec::new();
        let index = walk(&self.input.dwarf, unit, Some(&mut pending), inlines)?;
        if index.lang == Lang::Assembler {
            return None;
        }
        let slot = self.indexes.len();
        self.indexes.push(index);
        self.by_unit.insert(offset, slot);
        let out = self.finish_unit(slot, line_dwarf, line_unit, pending);
        // The unit's own records are only needed while naming its functions.
        self.by_unit.remove(&offset);
        self.indexes.pop();
        self.scope_names.clear();
        Some(out)
    }

    fn finish_unit(
        &mut self,
        slot: usize,
        line_dwarf: &gimli::Dwarf<R<'_>>,
        unit: &gimli::Unit<R<'_>>,
        pending: Vec<Pending>,
    ) -> CuOut {
        let mut out = CuOut::default();
        let mut files = lines::FileTable::default();
        let raw = lines::read(line_dwarf, unit, &mut files);
        let mut origins: HashMap<u64, u32> = HashMap::default();
        let mut funcs = Vec::with_capacity(pending.len());
        for p in pending {
            let rec = self.indexes[slot].recs[p.rec as usize];
            let mut name = self.function_name(slot, rec, 0);
            let structural = self.structural;
            if name.is_empty() {
                name = "<name omitted>".to_owned();
            }
            let mut inlines = Vec::with_capacity(p.inlines.len());
            for i in p.inlines {
                let origin = match origins.get(&i.origin) {
                    Some(&o) => o,
                    None => {
                        let mut name = self.name_at(slot, i.origin);
                        if name.is_empty() {
                            name = "<name omitted>".to_owned();
                        }
                        let o = out.origins.len() as u32;
                        out.origins.push(name);
                        origins.insert(i.origin, o);
                        o
                    }
                };
                let call_file = i.call_file.and_then(|f| files.id(line_dwarf, unit, f));
                inlines.push(InlineOut { depth: i.depth, call_line: i.call_line, call_file, origin, ranges: i.ranges });
            }
            funcs.push(FuncOut { name, structural, ranges: p.ranges, lines: Vec::new(), inlines });
        }
        lines::assign(raw, &mut funcs);
        out.functions = funcs.into_iter().map(|f| super::assemble::FuncParts::new(f, self.load)).collect();
        out.files = files.into_names();
        out
    }

    /// The name of the subprogram at `offset` (an inline's origin).
    fn name_at(&mut self, slot: usize, offset: u64) -> String {
        match self.lookup(slot, offset) {
            Some((s, rec)) => self.function_name(s, rec, 0),
            None => String::new(),
        }
    }

    /// Finds the record at a `.debug_info` offset: in the current unit, or
    /// in the unit that contains it (records built on first use).
    fn lookup(&mut self, slot: usize, offset: u64) -> Option<(usize, Rec<'d>)> {
        if let Some(r) = find(&self.indexes[slot].recs, offset) {
            return Some((slot, r));
        }
        let unit_at = match self.input.units.binary_search(&offset) {
            Ok(i) => i,
            Err(0) => return None,
            Err(i) => i - 1,
        };
        let unit_offset = self.input.units[unit_at];
        let s = match self.by_unit.get(&unit_offset) {
            Some(&s) => s,
            None => {
                let header = self.input.header_at(unit_offset)?;
                let unit = self.input.dwarf.unit(header).ok()?;
                let index = walk(&self.input.dwarf, &unit, None, false)?;
                self.indexes.push(index);
                let s = self.indexes.len() - 1;
                self.by_unit.insert(unit_offset, s);
                s
            }
        };
        find(&self.indexes[s].recs, offset).map(|r| (s, r))
    }

    /// Breakpad's FUNC name: the qualified name, else the abstract
    /// origin's.
    fn function_name(&mut self, slot: usize, rec: Rec<'d>, depth: u32) -> String {
        let name = self.final_name(slot, rec, depth);
        if name.is_empty() && rec.origin != 0 && depth < MAX_CHAIN {
            if let Some((s, origin)) = self.lookup(slot, rec.origin) {
                return self.function_name(s, origin, depth + 1);
            }
        }
        name
    }

    fn final_name(&mut self, slot: usize, rec: Rec<'d>, depth: u32) -> String {
        let lang = self.indexes[slot].lang;
        let named = self.compute(slot, rec, depth);
        self.structural = named.qualified.is_none();
        match named {
            Named { qualified: Some(q), .. } => q,
            Named { unqualified: Some(u), enclosing: Some(e), .. } => lang.qualify(&e, &u),
            _ => String::new(),
        }
    }

    /// Breakpad's `ComputeQualifiedName`, split into its parts so that a
    /// specification can lend them.
    fn compute(&mut self, slot: usize, rec: Rec<'d>, depth: u32) -> Named {
        let lang = self.indexes[slot].lang;
        if let Some(linkage) = rec.linkage {
            let keep = self.keep_mangled;
            let d = self.demangled.entry((linkage, lang)).or_insert_with(|| lang.demangle(linkage, keep));
            if let Some(d) = d {
                return Named { qualified: Some(d.clone()), unqualified: None, enclosing: None };
            }
        }
        let spec = if rec.spec != 0 && depth < MAX_CHAIN {
            self.lookup(slot, rec.spec).map(|(s, r)| self.compute(s, r, depth + 1))
        } else {
            None
        };
        if let Some(Named { qualified: Some(q), .. }) = spec {
            return Named { qualified: Some(q), unqualified: None, enclosing: None };
        }
        let unqualified = match (rec.name, &spec) {
            (Some(n), _) => Some(String::from_utf8_lossy(n).into_owned()),
            (None, Some(s)) => s.unqualified.clone(),
            (None, None) => rec.linkage.map(|l| String::from_utf8_lossy(l).into_owned()),
        };
        let enclosing = match spec {
            Some(s) => s.enclosing,
            None => Some(self.scope_name(slot, rec.parent, depth)),
        };
        Named { qualified: None, unqualified, enclosing }
    }

    /// The name a scope gives its children: "" at the top level (and, as in
    /// Breakpad, below an anonymous namespace).
    fn scope_name(&mut self, slot: usize, parent: u32, depth: u32) -> String {
        // Each enclosing scope is a level of recursion: hostile nesting
        // must not exhaust the stack (real code nests a dozen deep).
        if depth > MAX_SCOPE_DEPTH {
            return String::new();
        }
        let Some(&rec) = self.indexes[slot].recs.get(parent as usize) else { return String::new() };
        if let Some(n) = self.scope_names.get(&rec.offset) {
            return n.clone();
        }
        let name = match rec.kind {
            Kind::Subprogram => self.function_name(slot, rec, depth + 1),
            Kind::Scope => self.final_name(slot, rec, depth + 1),
        };
        self.scope_names.insert(rec.offset, name.clone());
        name
    }
}

struct Named {
    qualified: Option<String>,
    unqualified: Option<String>,
    enclosing: Option<String>,
}

fn find<'d>(recs: &[Rec<'d>], offset: u64) -> Option<Rec<'d>> {
    recs.binary_search_by_key(&offset, |r| r.offset).ok().map(|i| recs[i])
}

/// What an entry is to its children.
#[derive(Clone, Copy)]
enum Ctx {
    /// The unit's root, a scope, or a subprogram: children are looked at.
    Named { rec: u32, pending: Option<u32>, level: u32 },
    /// An inlined call or a lexical block inside a collected function:
    /// inlined calls below it nest at `level`.
    InFunction { rec: u32, pending: u32, level: u32 },
    /// Anything else (types, variables, dropped inlines): ignored.
    Ignored,
}

/// Walks a unit's entries. With `pending`, collects the functions with code
/// (and, with `inlines`, their inlined calls). Returns the unit's records,
/// or `None` for units Breakpad does not read.
fn walk<'d>(
    dwarf: &gimli::Dwarf<R<'d>>,
    unit: &gimli::Unit<R<'d>>,
    mut pending: Option<&mut Vec<Pending>>,
    inlines: bool,
) -> Option<UnitIndex<'d>> {
    let mut raw = unit.entries_raw(None).ok()?;
    let base = unit.header.offset().as_debug_info_offset()?.0 as u64;
    let mut index = UnitIndex { lang: Lang::Cpp, recs: Vec::new() };
    let mut stack: Vec<(isize, Ctx)> = Vec::new();
    let mut root_seen = false;
    while !raw.is_empty() {
        let depth = raw.next_depth();
        let offset = base + raw.next_offset().0 as u64;
        let abbrev = match raw.read_abbreviation() {
            Ok(Some(a)) => a,
            Ok(None) => continue,
            Err(_) => break,
        };
        while stack.last().is_some_and(|&(d, _)| d >= depth) {
            stack.pop();
        }
        let tag = abbrev.tag();
        if !root_seen {
            root_seen = true;
            if tag != dw::DW_TAG_compile_unit && tag != dw::DW_TAG_skeleton_unit {
                return None;
            }
            let mut lang = Lang::Cpp;
            for spec in abbrev.attributes() {
                let attr = raw.read_attribute(*spec).ok()?;
                if attr.name() == dw::DW_AT_language {
                    if let AttributeValue::Language(l) = attr.value() {
                        lang = Lang::from_dwarf(u64::from(l.0));
                    }
                }
            }
            index.lang = lang;
            if abbrev.has_children() {
                stack.push((depth, Ctx::Named { rec: NONE, pending: None, level: 0 }));
            }
            continue;
        }
        let parent = stack.last().map_or(Ctx::Ignored, |&(_, c)| c);
        let wanted = match (parent, tag) {
            (Ctx::Ignored, _) => false,
            (_, dw::DW_TAG_subprogram) => true,
            (Ctx::Named { .. }, dw::DW_TAG_namespace)
            | (Ctx::Named { .. }, dw::DW_TAG_class_type)
            | (Ctx::Named { .. }, dw::DW_TAG_structure_type)
            | (Ctx::Named { .. }, dw::DW_TAG_union_type)
            | (Ctx::Named { .. }, dw::DW_TAG_module) => true,
            (Ctx::Named { pending: Some(_), .. }, dw::DW_TAG_inlined_subroutine)
            | (Ctx::InFunction { .. }, dw::DW_TAG_inlined_subroutine) => inlines && pending.is_some(),
            (Ctx::Named { pending: Some(_), .. }, dw::DW_TAG_lexical_block)
            | (Ctx::InFunction { .. }, dw::DW_TAG_lexical_block) => inlines && pending.is_some(),
            _ => false,
        };
        if !wanted {
            if raw.skip_attributes(abbrev.attributes()).is_err() {
                break;
            }
            if abbrev.has_children() {
                stack.push((depth, Ctx::Ignored));
            }
            continue;
        }
        let mut a = Attrs::default();
        let mut failed = false;
        for spec in abbrev.attributes() {
            match raw.read_attribute(*spec) {
                Ok(attr) => a.take(dwarf, unit, attr),
                Err(_) => {
                    failed = true;
                    break;
                }
            }
        }
        if failed {
            break;
        }
        let enclosing = match parent {
            Ctx::Named { rec, .. } | Ctx::InFunction { rec, .. } => rec,
            Ctx::Ignored => NONE,
        };
        let ctx = match tag {
            dw::DW_TAG_subprogram => {
                let rec = index.recs.len() as u32;
                index.recs.push(Rec {
                    offset,
                    kind: Kind::Subprogram,
                    parent: enclosing,
                    name: a.name,
                    linkage: a.linkage,
                    spec: a.spec,
                    origin: a.origin,
                });
                let mut slot = None;
                if let Some(p) = pending.as_deref_mut() {
                    let ranges = a.function_ranges(dwarf, unit);
                    if ranges.iter().any(|r| r.1 != 0) && ranges.first().is_some_and(|r| r.0 != 0) {
                        slot = Some(p.len() as u32);
                        p.push(Pending { rec, ranges, inlines: Vec::new() });
                    }
                }
                Ctx::Named { rec, pending: slot, level: 0 }
            }
            dw::DW_TAG_inlined_subroutine => {
                let (rec, func, level) = match parent {
                    Ctx::Named { rec, pending: Some(p), level } | Ctx::InFunction { rec, pending: p, level } => {
                        (rec, p, level)
                    }
                    _ => unreachable_ctx(),
                };
                let ranges = a.inline_ranges(dwarf, unit);
                if ranges.is_empty() || a.origin == 0 {
                    // Breakpad drops an inlined call without code, and the
                    // calls inlined into it with it.
                    Ctx::Ignored
                } else {
                    if let Some(p) = pending.as_deref_mut().and_then(|p| p.get_mut(func as usize)) {
                        p.inlines.push(PendingInline {
                            depth: level,
                            call_line: a.call_line,
                            call_file: a.call_file,
                            origin: a.origin,
                            ranges,
                        });
                    }
                    Ctx::InFunction { rec, pending: func, level: level + 1 }
                }
            }
            dw::DW_TAG_lexical_block => match parent {
                Ctx::Named { rec, pending: Some(p), level } | Ctx::InFunction { rec, pending: p, level } => {
                    Ctx::InFunction { rec, pending: p, level }
                }
                _ => Ctx::Ignored,
            },
            _ => {
                let rec = index.recs.len() as u32;
                index.recs.push(Rec {
                    offset,
                    kind: Kind::Scope,
                    parent: enclosing,
                    name: a.name,
                    linkage: a.linkage,
                    spec: a.spec,
                    origin: 0,
                });
                Ctx::Named { rec, pending: None, level: 0 }
            }
        };
        if abbrev.has_children() {
            stack.push((depth, ctx));
        }
    }
    Some(index)
}

/// The match above only reaches inlined calls below a collected function.
fn unreachable_ctx() -> (u32, u32, u32) {
    (NONE, u32::MAX, 0)
}

/// The attributes of one interesting entry.
#[derive(Default)]
struct Attrs<'d> {
    name: Option<&'d [u8]>,
    linkage: Option<&'d [u8]>,
    spec: u64,
    origin: u64,
    low_pc: Option<u64>,
    high_pc: Option<AttributeValue<R<'d>>>,
    ranges: Option<AttributeValue<R<'d>>>,
    call_file: Option<u64>,
    call_line: u32,
}

impl<'d> Attrs<'d> {
    fn take(&mut self, dwarf: &gimli::Dwarf<R<'d>>, unit: &gimli::Unit<R<'d>>, attr: gimli::Attribute<R<'d>>) {
        let string = |v| dwarf.attr_string(unit, v).ok().map(|s: R<'d>| s.slice());
        let reference = |v: AttributeValue<R<'d>>| -> u64 {
            match v {
                AttributeValue::UnitRef(o) => o.to_debug_info_offset(&unit.header).map_or(0, |d| d.0 as u64),
                AttributeValue::DebugInfoRef(o) => o.0 as u64,
                _ => 0,
            }
        };
        match attr.name() {
            dw::DW_AT_name => self.name = string(attr.value()),
            dw::DW_AT_linkage_name | dw::DW_AT_MIPS_linkage_name => self.linkage = string(attr.value()),
            dw::DW_AT_specification => self.spec = reference(attr.value()),
            dw::DW_AT_abstract_origin => self.origin = reference(attr.value()),
            dw::DW_AT_low_pc => self.low_pc = dwarf.attr_address(unit, attr.value()).ok().flatten(),
            dw::DW_AT_high_pc => self.high_pc = Some(attr.value()),
            dw::DW_AT_ranges => self.ranges = Some(attr.value()),
            dw::DW_AT_call_file => self.call_file = attr.udata_value(),
            dw::DW_AT_call_line => self.call_line = attr.udata_value().unwrap_or(0) as u32,
            _ => {}
        }
    }

    /// `DW_AT_high_pc` as an address (it may be an offset from low_pc).
    fn high(&self, dwarf: &gimli::Dwarf<R<'d>>, unit: &gimli::Unit<R<'d>>, low: u64) -> Option<u64> {
        match self.high_pc? {
            v @ (AttributeValue::Addr(_) | AttributeValue::DebugAddrIndex(_)) => dwarf.attr_address(unit, v).ok()?,
            AttributeValue::Udata(n) => Some(low.wrapping_add(n)),
            v => v.udata_value().map(|n| low.wrapping_add(n)),
        }
    }

    fn range_list(&self, dwarf: &gimli::Dwarf<R<'d>>, unit: &gimli::Unit<R<'d>>) -> Vec<(u64, u64)> {
        let mut out = Vec::new();
        let Some(v) = self.ranges else { return out };
        let Ok(Some(offset)) = dwarf.attr_ranges_offset(unit, v) else { return out };
        let Ok(mut iter) = dwarf.ranges(unit, offset) else { return out };
        while let Ok(Some(r)) = iter.next() {
            if r.end > r.begin {
                out.push((r.begin, r.end - r.begin));
            }
        }
        // Breakpad's range handler sorts the list by address.
        out.sort_unstable();
        out
    }

    /// A subprogram's ranges: `DW_AT_ranges` when present, else
    /// `[low_pc, high_pc)`.
    fn function_ranges(&self, dwarf: &gimli::Dwarf<R<'d>>, unit: &gimli::Unit<R<'d>>) -> Vec<(u64, u64)> {
        if self.ranges.is_some() {
            return self.range_list(dwarf, unit);
        }
        let low = self.low_pc.unwrap_or(0);
        match self.high(dwarf, unit, low) {
            Some(high) if high > low => vec![(low, high - low)],
            _ => Vec::new(),
        }
    }

    /// An inlined call's ranges: `[low_pc, high_pc)` when both are non-zero
    /// (Breakpad's test), else `DW_AT_ranges`.
    fn inline_ranges(&self, dwarf: &gimli::Dwarf<R<'d>>, unit: &gimli::Unit<R<'d>>) -> Vec<(u64, u64)> {
        let low = self.low_pc.unwrap_or(0);
        match self.high(dwarf, unit, low) {
            Some(high) if low != 0 && high != 0 => {
                if high > low {
                    vec![(low, high - low)]
                } else {
                    Vec::new()
                }
            }
            _ => {
                // Ranges of an inlined call that touch are joined, as
                // Mozilla's dump_syms writes them (Breakpad keeps them).
                let mut joined: Vec<(u64, u64)> = Vec::new();
                for (a, s) in self.range_list(dwarf, unit) {
                    match joined.last_mut() {
                        Some(last) if last.0.wrapping_add(last.1) == a => last.1 = last.1.saturating_add(s),
                        _ => joined.push((a, s)),
                    }
                }
                joined
            }
        }
    }
}
