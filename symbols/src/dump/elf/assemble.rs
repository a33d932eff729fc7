//! Putting the pieces together as Breakpad's `Module` does before writing:
//! functions in address order (one per address and name, the first unit's
//! wins), `PUBLIC` symbols only where no function starts, `FILE` and
//! `INLINE_ORIGIN` records numbered in name order among those used, and a
//! function of several ranges written as one `FUNC` per range, each with
//! all of the function's `INLINE` records and the lines of its range.

use std::collections::{BTreeMap, HashMap};

use object::elf;

use super::dwarf::CuOut;
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

/// An inlined call with module-wide keys: depth, call line, call file,
/// origin, ranges.
type InlineKeys = (u32, u32, Option<u32>, u32, Vec<(u64, u64)>);

/// A function with module-wide file and origin keys.
struct Func {
    name: String,
    ranges: Vec<(u64, u64)>,
    lines: Vec<(u64, u64, u32, u32)>,
    inlines: Vec<InlineKeys>,
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

impl Assembly<'_, '_> {
    pub(crate) fn finish(self) -> SymbolFile<'static> {
        let image = self.image;
        let load = image.load_address;
        let mut files = Interner::default();
        let mut origins = Interner::default();
        let mut funcs: Vec<Func> = Vec::new();
        let mut symbols: HashMap<u64, &[u8]> = HashMap::new();
        for &(address, name) in &self.externs {
            symbols.entry(address).or_insert(name);
        }
        for (_, cu) in self.units {
            let file_keys: Vec<u32> = cu.files.into_iter().map(|n| files.key(n)).collect();
            let origin_keys: Vec<u32> = cu.origins.into_iter().map(|n| origins.key(n)).collect();
            for f in cu.functions {
                if !image.in_module(f.ranges[0].0) {
                    continue;
                }
                let mut name = f.name;
                if f.structural && !self.keep_mangled {
                    // Breakpad's prefer-extern-name: a function named only by
                    // DWARF (internal C++ functions have no linkage name)
                    // takes the demangled symbol at its address, which has
                    // its namespaces and parameters.
                    if let Some(sym) = symbols.get(&f.ranges[0].0) {
                        if sym.starts_with(b"_Z") || sym.starts_with(b"_R") {
                            let d = names::demangle_symbol(sym, false);
                            if d.as_bytes() != *sym {
                                name = d;
                            }
                        }
                    }
                }
                funcs.push(Func {
                    name,
                    ranges: f.ranges,
                    lines: f.lines.iter().map(|l| (l.address, l.size, l.line, file_keys[l.file as usize])).collect(),
                    inlines: f
                        .inlines
                        .into_iter()
                        .map(|i| {
                            let call_file = i.call_file.map(|c| file_keys[c as usize]);
                            (i.depth, i.call_line, call_file, origin_keys[i.origin as usize], i.ranges)
                        })
                        .collect(),
                });
            }
        }
        // One function per (address, name); the first one added wins.
        let mut order: Vec<usize> = (0..funcs.len()).collect();
        order.sort_by(|&a, &b| (funcs[a].ranges[0].0, &funcs[a].name).cmp(&(funcs[b].ranges[0].0, &funcs[b].name)));
        order.dedup_by(|b, a| funcs[*a].ranges[0].0 == funcs[*b].ranges[0].0 && funcs[*a].name == funcs[*b].name);

        // PUBLIC: the first symbol at each address, minus those where a
        // function starts (on ARM also at the Thumb address, bit 0 set).
        let mut externs: BTreeMap<u64, &[u8]> = BTreeMap::new();
        for &(address, name) in &self.externs {
            if image.in_module(address) {
                externs.entry(address).or_insert(name);
            }
        }
        for f in &funcs {
            let a = f.ranges[0].0;
            if externs.remove(&a).is_none() && image.machine == elf::EM_ARM && a & 1 == 0 {
                externs.remove(&(a | 1));
            }
        }

        let mut file_used = vec![false; files.names.len()];
        let mut origin_used = vec![false; origins.names.len()];
        for &i in &order {
            for l in &funcs[i].lines {
                file_used[l.3 as usize] = true;
            }
            for inline in &funcs[i].inlines {
                if let Some(c) = inline.2 {
                    file_used[c as usize] = true;
                }
                origin_used[inline.3 as usize] = true;
            }
        }
        let file_ids = files.number(&file_used);
        let origin_ids = origins.number(&origin_used);

        let mut out = SymbolFile {
            module: Some(ModuleRecord {
                os: "Linux".into(),
                arch: self.arch.into(),
                id: id::debug_id(&self.identifier).into(),
                name: self.name.into(),
            }),
            info: vec![InfoRecord { key: "CODE_ID".into(), value: id::hex_upper(&self.identifier).into() }],
            ..Default::default()
        };
        let mut file_records: Vec<FileRecord<'static>> = (0..files.names.len())
            .filter(|&k| file_ids[k] >= 0)
            .map(|k| FileRecord { id: file_ids[k] as u32, name: files.names[k].clone().into() })
            .collect();
        file_records.sort_by_key(|f| f.id);
        out.files = file_records;
        let mut origin_records: Vec<InlineOrigin<'static>> = (0..origins.names.len())
            .filter(|&k| origin_ids[k] >= 0)
            .map(|k| InlineOrigin { id: origin_ids[k] as u32, file: None, name: origins.names[k].clone().into() })
            .collect();
        origin_records.sort_by_key(|o| o.id);
        out.inline_origins = origin_records;

        for &i in &order {
            let f = &funcs[i];
            let inlines: Vec<Inline> = f
                .inlines
                .iter()
                .map(|(depth, call_line, call_file, origin, ranges)| Inline {
                    depth: *depth,
                    call_line: *call_line,
                    call_file: Some(call_file.map_or(-1, |c| file_ids[c as usize] as i32)),
                    origin: origin_ids[*origin as usize] as u32,
                    ranges: ranges
                        .iter()
                        .map(|&(a, s)| InlineRange { address: a.wrapping_sub(load), size: s })
                        .collect(),
                })
                .collect();
            let mut next_line = 0;
            let cuts = inline_boundaries(&inlines);
            for &(start, size) in &f.ranges {
                let mut lines: Vec<Line> = Vec::new();
                while let Some(&(a, s, line, file)) = f.lines.get(next_line) {
                    if a < start || a - start >= size {
                        break;
                    }
                    let file = file_ids[file as usize] as u32;
                    let address = a.wrapping_sub(load);
                    next_line += 1;
                    push_line(&mut lines, Line { address, size: s.min(u64::from(u32::MAX)) as u32, line, file }, &cuts);
                }
                // Breakpad repeats every INLINE after each FUNC of a split
                // function; like Mozilla's dump_syms we give each FUNC the
                // inlined calls inside it, their ranges clipped to it (a
                // lookup in one FUNC never needs the others).
                let inlines = if f.ranges.len() == 1 {
                    inlines.clone()
                } else {
                    clip_inlines(&inlines, start.wrapping_sub(load), size)
                };
                out.functions.push(Function {
                    address: start.wrapping_sub(load),
                    size,
                    parameter_size: 0,
                    multiple: false,
                    name: f.name.clone().into(),
                    lines: Lines::from(lines),
                    inlines,
                });
            }
        }

        out.publics = externs
            .into_iter()
            .map(|(address, name)| Public {
                address: address.wrapping_sub(load),
                parameter_size: 0,
                multiple: false,
                name: names::demangle_symbol(name, self.keep_mangled).into(),
            })
            .collect();

        out.cfi = self
            .cfi
            .into_iter()
            .filter(|c| image.in_module(c.address))
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
