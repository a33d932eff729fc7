//! Putting the pieces together as Breakpad's `Module` does before writing:
//! functions in address order (one per address and name, the first unit's
//! wins), `PUBLIC` symbols only where no function starts, `FILE` and
//! `INLINE_ORIGIN` records numbered in name order among those used, and a
//! function of several ranges written as one `FUNC` per range, each with
//! all of the function's `INLINE` records and the lines of its range.

use std::borrow::Cow;
use std::collections::BTreeMap;

use super::fxhash::FxMap as HashMap;

use object::elf;

use super::dwarf::{CuOut, FuncOut};
use super::image::Image;
use super::{id, names};
use crate::model::{
    CfiDelta, CfiInit, FileRecord, Function, InfoRecord, Inline, InlineOrigin, InlineRange, Line, Lines, ModuleRecord,
    Public, SymbolFile,
};

pub(crate) struct Assembly<'a, 'd> {
    pub(crate) image: &'a Image<'d>,
    pub(crate) keep_mangled: bool,
    pub(crate) arch: &'static str,
    pub(crate) name: String,
    pub(crate) identifier: Vec<u8>,
    pub(crate) units: Vec<(usize, CuOut)>,
    pub(crate) externs: Vec<(u64, &'a [u8])>,
    pub(crate) cfi: Vec<CfiInit<'static>>,
}

/// Every address where an inlined call's range starts or ends, sorted.
fn inline_boundaries(inlines: &[Inline]) -> Vec<u64> {
    let mut cuts: Vec<u64> = inlines
        .iter()
        .flat_map(|i| i.ranges.iter().flat_map(|r| [r.address, r.address.wrapping_add(r.size)]))
        .collect();
    cuts.sort_unstable();
    cuts.dedup();
    cuts
}

/// Appends a line record the way Mozilla's dump_syms writes them: pieces of
/// one source line that follow each other become one record, and records
/// break where an inlined call starts or ends. (Breakpad writes one record
/// per line-table row; the address-to-line map is the same either way.)
fn push_line(lines: &mut Vec<Line>, mut line: Line, cuts: &[u64]) {
    let end = line.address.saturating_add(u64::from(line.size));
    // Cuts inside the line split it.
    let first = cuts.partition_point(|&c| c <= line.address);
    for &cut in cuts[first..].iter().take_while(|&&c| c < end) {
        let head = Line { size: (cut - line.address) as u32, ..line };
        merge_or_push(lines, head, cuts);
        line = Line { address: cut, size: (end - cut) as u32, ..line };
    }
    merge_or_push(lines, line, cuts);
}

fn merge_or_push(lines: &mut Vec<Line>, line: Line, cuts: &[u64]) {
    if let Some(last) = lines.last_mut() {
        let contiguous = last.address.wrapping_add(u64::from(last.size)) == line.address;
        if contiguous && last.line == line.line && last.file == line.file && cuts.binary_search(&line.address).is_err()
        {
            if let Some(size) = last.size.checked_add(line.size) {
                last.size = size;
                return;
            }
        }
    }
    lines.push(line);
}

/// The inlined calls with code in `[start, start + size)`, their ranges cut
/// to it.
fn clip_inlines(inlines: &[Inline], start: u64, size: u64) -> Vec<Inline> {
    let end = start.saturating_add(size);
    inlines
        .iter()
        .filter_map(|i| {
            let ranges: Vec<InlineRange> = i
                .ranges
                .iter()
                .filter_map(|r| {
                    let a = r.address.max(start);
                    let b = r.address.saturating_add(r.size).min(end);
                    (a < b).then(|| InlineRange { address: a, size: b - a })
                })
                .collect();
            (!ranges.is_empty()).then(|| Inline { ranges, ..i.clone() })
        })
        .collect()
}

/// A name as a record can hold it: line breaks (which would end the
/// record and start another, from text a binary chose) become `?`, and an
/// empty name (which no reader accepts) becomes `empty`.
fn one_line(mut name: String, empty: &str) -> String {
    if name.contains(['\n', '\r']) {
        name = name.replace(['\n', '\r'], "?");
    }
    if name.trim().is_empty() {
        return empty.to_owned();
    }
    name
}

/// Names numbered in first-seen order.
#[derive(Default)]
struct Interner {
    names: Vec<String>,
    keys: HashMap<String, u32>,
}

impl Interner {
    fn key(&mut self, name: String) -> u32 {
        if let Some(&k) = self.keys.get(&name) {
            return k;
        }
        let k = self.names.len() as u32;
        self.keys.insert(name.clone(), k);
        self.names.push(name);
        k
    }

    /// Ids in name order for the keys marked used; `-1` for the rest.
    fn number(&self, used: &[bool]) -> Vec<i64> {
        let mut order: Vec<u32> = (0..self.names.len() as u32).filter(|&k| used[k as usize]).collect();
        order.sort_by(|&a, &b| self.names[a as usize].cmp(&self.names[b as usize]));
        let mut ids = vec![-1; self.names.len()];
        for (id, k) in order.into_iter().enumerate() {
            ids[k as usize] = id as i64;
        }
        ids
    }
}

/// Most (ranges × inlined calls) clipped per function; real functions have
/// a handful of ranges.
const MAX_CLIP_WORK: usize = 1 << 20;

/// One function of a unit, already as `FUNC` records: one per range, each
/// with its lines and inlined calls (file and origin numbers the unit's).
#[derive(Debug, Default)]
pub(crate) struct FuncParts {
    /// Absolute address of the lowest range: Breakpad's key for the
    /// function (duplicates, `PUBLIC` removal).
    pub(crate) address: u64,
    pub(crate) name: String,
    pub(crate) structural: bool,
    pub(crate) parts: Vec<Function<'static>>,
}

impl FuncParts {
    /// Splits a unit function into its `FUNC` records.
    pub(crate) fn new(f: FuncOut, load: u64) -> FuncParts {
        let inlines: Vec<Inline> = f
            .inlines
            .into_iter()
            .map(|i| Inline {
                depth: i.depth,
                call_line: i.call_line,
                call_file: Some(i.call_file.map_or(-1, |c| c as i32)),
                origin: i.origin,
                ranges: i
                    .ranges
                    .into_iter()
                    .map(|(a, s)| InlineRange { address: a.wrapping_sub(load), size: s })
                    .collect(),
            })
            .collect();
        let cuts = inline_boundaries(&inlines);
        let single = f.ranges.len() == 1;
        // Clipping looks at every inlined call once per range.
        let lavish = f.ranges.len().saturating_mul(inlines.len()) > MAX_CLIP_WORK;
        let mut inlines = Some(inlines);
        let mut next_line = 0;
        let mut parts = Vec::with_capacity(f.ranges.len());
        for &(start, size) in &f.ranges {
            let mut lines: Vec<Line> = Vec::new();
            while let Some(l) = f.lines.get(next_line) {
                if l.address < start || l.address - start >= size {
                    break;
                }
                next_line += 1;
                let line = Line {
                    address: l.address.wrapping_sub(load),
                    size: l.size.min(u64::from(u32::MAX)) as u32,
                    line: l.line,
                    file: l.file,
                };
                push_line(&mut lines, line, &cuts);
            }
            // Breakpad repeats every INLINE after each FUNC of a split
            // function; like Mozilla's dump_syms we give each FUNC the
            // inlined calls inside it, their ranges clipped to it (a lookup
            // in one FUNC never needs the others).
            let inlines = if single {
                inlines.take().unwrap_or_default()
            } else if lavish {
                // Hostile input only (thousands of ranges times thousands of
                // inlined calls spanning them): each call goes once, to the
                // FUNC where its first range starts, unclipped.
                let all = inlines.as_deref().unwrap_or_default();
                let here = |a: u64| a.wrapping_sub(start.wrapping_sub(load)) < size;
                all.iter().filter(|i| i.ranges.first().is_some_and(|r| here(r.address))).cloned().collect()
            } else {
                clip_inlines(inlines.as_deref().unwrap_or_default(), start.wrapping_sub(load), size)
            };
            parts.push(Function {
                address: start.wrapping_sub(load),
                size,
                parameter_size: 0,
                multiple: false,
                name: Cow::Borrowed(""),
                lines: Lines::from(lines),
                inlines,
            });
        }
        FuncParts { address: f.ranges[0].0, name: f.name, structural: f.structural, parts }
    }
}

impl Assembly<'_, '_> {
    pub(crate) fn finish(mut self) -> SymbolFile<'static> {
        let image = self.image;
        let load = image.load_address;
        // Module-wide file and origin keys for each unit's tables.
        let mut files = Interner::default();
        let mut origins = Interner::default();
        let mut file_keys: Vec<Vec<u32>> = Vec::with_capacity(self.units.len());
        let mut origin_keys: Vec<Vec<u32>> = Vec::with_capacity(self.units.len());
        for (_, cu) in &mut self.units {
            file_keys.push(std::mem::take(&mut cu.files).into_iter().map(|n| files.key(n)).collect());
            origin_keys.push(std::mem::take(&mut cu.origins).into_iter().map(|n| origins.key(n)).collect());
        }
        let mut symbols: HashMap<u64, &[u8]> = HashMap::default();
        for &(address, name) in &self.externs {
            symbols.entry(address).or_insert(name);
        }

        // (unit, function) of every function in a PT_LOAD segment.
        let mut order: Vec<(u32, u32)> = Vec::new();
        for (u, (_, cu)) in self.units.iter_mut().enumerate() {
            for (i, f) in cu.functions.iter_mut().enumerate() {
                if !image.in_module(f.address) {
                    continue;
                }
                if f.structural && !self.keep_mangled {
                    // Breakpad's prefer-extern-name: a function named only by
                    // DWARF (internal C++ functions have no linkage name)
                    // takes the demangled symbol at its address, which has
                    // its namespaces and parameters.
                    if let Some(sym) = symbols.get(&f.address) {
                        if sym.starts_with(b"_Z") || sym.starts_with(b"_R") {
                            let d = names::demangle_symbol(sym, false);
                            if d.as_bytes() != *sym {
                                f.name = d;
                            }
                        }
                    }
                }
                order.push((u as u32, i as u32));
            }
        }
        let units = &self.units;
        let func = |&(u, i): &(u32, u32)| &units[u as usize].1.functions[i as usize];

        // PUBLIC: the first symbol at each address, minus those where a
        // function starts (on ARM also at the Thumb address, bit 0 set).
        let mut externs: BTreeMap<u64, &[u8]> = BTreeMap::new();
        for &(address, name) in &self.externs {
            if image.in_module(address) {
                externs.entry(address).or_insert(name);
            }
        }
        for k in &order {
            let a = func(k).address;
            if externs.remove(&a).is_none() && image.machine == elf::EM_ARM && a & 1 == 0 {
                externs.remove(&(a | 1));
            }
        }

        // One function per (address, name); the first one added wins.
        order.sort_by(|a, b| {
            let (fa, fb) = (func(a), func(b));
            (fa.address, &fa.name).cmp(&(fb.address, &fb.name))
        });
        order.dedup_by(|b, a| {
            let (fa, fb) = (func(a), func(b));
            fa.address == fb.address && fa.name == fb.name
        });

        let mut file_used = vec![false; files.names.len()];
        let mut origin_used = vec![false; origins.names.len()];
        for k in &order {
            let (fk, ok) = (&file_keys[k.0 as usize], &origin_keys[k.0 as usize]);
            for part in &func(k).parts {
                for l in part.lines.0.iter() {
                    file_used[fk[l.file as usize] as usize] = true;
                }
                for inline in &part.inlines {
                    if let Some(c) = inline.call_file.filter(|&c| c >= 0) {
                        file_used[fk[c as usize] as usize] = true;
                    }
                    origin_used[ok[inline.origin as usize] as usize] = true;
                }
            }
        }
        let file_ids = files.number(&file_used);
        let origin_ids = origins.number(&origin_used);

        let mut out = SymbolFile {
            module: Some(ModuleRecord {
                os: "Linux".into(),
                arch: self.arch.into(),
                id: id::debug_id(&self.identifier).into(),
                name: one_line(std::mem::take(&mut self.name), "<unknown>").into(),
            }),
            info: vec![InfoRecord { key: "CODE_ID".into(), value: id::hex_upper(&self.identifier).into() }],
            ..Default::default()
        };
        let mut file_records: Vec<FileRecord<'static>> = (0..files.names.len())
            .filter(|&k| file_ids[k] >= 0)
            .map(|k| FileRecord {
                id: file_ids[k] as u32,
                name: one_line(std::mem::take(&mut files.names[k]), "<unknown>").into(),
            })
            .collect();
        file_records.sort_by_key(|f| f.id);
        out.files = file_records;
        let mut origin_records: Vec<InlineOrigin<'static>> = (0..origins.names.len())
            .filter(|&k| origin_ids[k] >= 0)
            .map(|k| InlineOrigin {
                id: origin_ids[k] as u32,
                file: None,
                name: one_line(std::mem::take(&mut origins.names[k]), "<name omitted>").into(),
            })
            .collect();
        origin_records.sort_by_key(|o| o.id);
        out.inline_origins = origin_records;

        // The records, renumbered in place and moved out of their unit.
        out.functions.reserve(order.len());
        for (u, i) in order {
            let f = std::mem::take(&mut self.units[u as usize].1.functions[i as usize]);
            let (fk, ok) = (&file_keys[u as usize], &origin_keys[u as usize]);
            let n = f.parts.len();
            let mut name = Some(one_line(f.name, "<name omitted>"));
            for (p, mut part) in f.parts.into_iter().enumerate() {
                for l in part.lines.0.iter_mut() {
                    l.file = file_ids[fk[l.file as usize] as usize] as u32;
                }
                for inline in &mut part.inlines {
                    inline.call_file =
                        inline.call_file.map(|c| if c < 0 { -1 } else { file_ids[fk[c as usize] as usize] as i32 });
                    inline.origin = origin_ids[ok[inline.origin as usize] as usize] as u32;
                }
                part.name = if p + 1 == n {
                    name.take().unwrap_or_default().into()
                } else {
                    name.clone().unwrap_or_default().into()
                };
                out.functions.push(part);
            }
        }

        out.publics = externs
            .into_iter()
            .map(|(address, name)| Public {
                address: address.wrapping_sub(load),
                parameter_size: 0,
                multiple: false,
                name: one_line(names::demangle_symbol(name, self.keep_mangled), "<name omitted>").into(),
            })
            .collect();

        out.cfi = std::mem::take(&mut self.cfi)
            .into_iter()
            // An entry without any rule (its CFA an expression, say) would be
            // a record no reader accepts.
            .filter(|c| image.in_module(c.address) && !c.rules.is_empty())
            .map(|c| CfiInit {
                address: c.address.wrapping_sub(load),
                size: c.size,
                rules: c.rules,
                deltas: c
                    .deltas
                    .into_iter()
                    .map(|d| CfiDelta { address: d.address.wrapping_sub(load), rules: d.rules })
                    .collect(),
            })
            .collect();
        out
    }
}
