//! [`LazySymbols`]: the lookups of [`crate::Symbols`] over a symbol file's
//! bytes, kept as they are (any buffer, or a [`SymbolBytes`] that reads a
//! large file a piece at a time), without parsing the records no lookup
//! asks for.
//!
//! Building one runs the parser's single pass (so the placement rules and
//! the counts of bad lines are the parser's: Breakpad's "corrupt symbols"
//! needs every line checked) but keeps only where each `FUNC`, `PUBLIC`,
//! `STACK CFI INIT`, `STACK WIN`, `FILE` and `INLINE_ORIGIN` record starts,
//! with the addresses the indexes need. A lookup that lands in a record
//! reads it again from there: a `FUNC`'s name, its line and `INLINE`
//! records, a CFI range's delta records (the first time a lookup lands in
//! the function or range; the result is kept). Names borrow from the bytes
//! when they are in memory.
//!
//! Every answer is the one [`crate::Symbols`] gives for the same bytes
//! (which records win where they overlap included); the tests compare the
//! two on the corpus and on generated files.

use std::borrow::Cow;
use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};

use memchr::memchr;

use crate::cfi::CfiRules;
use crate::index::{exclusive, span, LazyNested, Order};
use crate::lex::text;
use crate::lookup::{delta_order, deltas_at, line_in, line_order, InlineIndex};
use crate::model::{
    CfiDelta, CfiInit, Function, InlineOrigin, Line, Lines, ModuleRecord, PackedLine, StackWin, StackWinType,
};
use crate::parse::{Parser, Sink};
use crate::records::{self, RawFunc, RawInline, RawPublic, RawWin, Stack};
use crate::source::{ByteSource, SymbolBytes};
use crate::stats::ParseStats;

/// A kept `FUNC` or `STACK CFI INIT`: its range, where its line starts,
/// and where what belongs to it (line and `INLINE`, or `STACK CFI`,
/// records) ends.
#[derive(Clone, Copy, Debug)]
struct Range {
    address: u64,
    size: u64,
    at: usize,
    end: usize,
}

/// A kept `PUBLIC`: its address and where its line starts.
#[derive(Clone, Copy, Debug)]
struct Point {
    address: u64,
    at: usize,
}

/// One function's line and `INLINE` records, read the first time a lookup
/// lands in the function.
#[derive(Debug)]
struct Body {
    /// Only `lines` and `inlines` are filled.
    function: Function<'static>,
    /// `None`: the lines are sorted and disjoint.
    lines: Option<Order>,
    inlines: InlineIndex,
}

/// A symbol file's bytes `B` and the index of where its records are; see
/// the [module documentation](self).
pub struct LazySymbols<B> {
    bytes: B,
    stats: ParseStats,
    /// Where the `MODULE` line starts.
    module: Option<usize>,
    /// Kept functions, by address (disjoint).
    functions: Box<[Range]>,
    /// Kept public symbols, by address.
    publics: Box<[Point]>,
    /// Kept CFI ranges, by address (disjoint).
    cfi: Box<[Range]>,
    /// Where each `STACK WIN` line starts, in file order.
    win: Box<[usize]>,
    frame_data: LazyNested,
    fpo: LazyNested,
    /// `(id, line start)` of `FILE` records by id, the first of each id.
    files: Box<[(u32, usize)]>,
    /// The same for `INLINE_ORIGIN` records.
    origins: Box<[(u32, usize)]>,
    /// Bodies read so far, by index into `functions`.
    bodies: Mutex<IndexMap<Arc<Body>>>,
    /// CFI ranges read so far, by index into `cfi`.
    ranges: Mutex<IndexMap<Arc<CfiInit<'static>>>>,
}

impl<B> core::fmt::Debug for LazySymbols<B> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("LazySymbols")
            .field("functions", &self.functions.len())
            .field("publics", &self.publics.len())
            .field("cfi", &self.cfi.len())
            .field("win", &self.win.len())
            .field("stats", &self.stats)
            .finish_non_exhaustive()
    }
}

/// Hashes an index by one multiplication: the keys are small integers the
/// index chose, not input an attacker picks.
#[derive(Default)]
struct IndexHasher(u64);

impl std::hash::Hasher for IndexHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0.rotate_left(8) ^ u64::from(b)).wrapping_mul(0x9e37_79b9_7f4a_7c15);
        }
    }
    fn write_usize(&mut self, n: usize) {
        self.0 = (n as u64).wrapping_mul(0x9e37_79b9_7f4a_7c15);
    }
}

type IndexMap<V> = HashMap<usize, V, std::hash::BuildHasherDefault<IndexHasher>>;

/// A `FUNC` or `PUBLIC` found at an address.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FoundSymbol<'s> {
    /// The name.
    pub name: Cow<'s, str>,
    /// The start address.
    pub address: u64,
    /// The size of a `FUNC`; `None` for a `PUBLIC`.
    pub size: Option<u64>,
    /// The parameter size.
    pub parameter_size: u32,
}

/// The line record at an address and its file's name.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FoundLine<'s> {
    /// The line record.
    pub line: Line,
    /// The name of its `FILE`, if there is one with that id.
    pub file: Option<Cow<'s, str>>,
}

/// One inlined call covering an address (see
/// [`crate::Symbols::inline_chain_at`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FoundInline<'s> {
    /// The `INLINE` record's depth.
    pub depth: u32,
    /// The call site's line.
    pub call_line: u32,
    /// The inlined function's name, from its `INLINE_ORIGIN`.
    pub name: Option<Cow<'s, str>>,
    /// New form: the call site's file name.
    pub call_file: Option<Cow<'s, str>>,
    /// Start of the inlined range that contains the address.
    pub range_address: u64,
}

/// The `STACK CFI INIT` record covering an address, read with its deltas.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FoundCfi {
    init: Arc<CfiInit<'static>>,
    addr: u64,
}

impl FoundCfi {
    /// The record and all of its `STACK CFI` records.
    pub fn init(&self) -> &CfiInit<'static> {
        &self.init
    }

    /// The rules in force at the address looked up, as
    /// [`CfiRules::rules`] gives them.
    pub fn rules(&self) -> Vec<(&str, &str)> {
        let order = delta_order(&self.init);
        let deltas = deltas_at(&self.init, order.as_deref(), self.addr);
        CfiRules { init: &self.init, deltas }.rules()
    }
}

/// The index the single pass builds.
#[derive(Default)]
struct Indexer {
    /// Offset in the file of the buffer the parser reads (a file read a
    /// piece at a time).
    base: usize,
    module: Option<usize>,
    functions: Vec<Range>,
    publics: Vec<Point>,
    cfi: Vec<Range>,
    win: Vec<(StackWinType, u64, u64, usize)>,
    files: Vec<(u32, usize)>,
    origins: Vec<(u32, usize)>,
}

impl<'a> Sink<'a> for Indexer {
    fn module(&mut self, _module: ModuleRecord<'a>, at: usize) {
        self.module = Some(self.base + at);
    }
    fn file(&mut self, id: u32, _name: &'a [u8], at: usize) {
        self.files.push((id, self.base + at));
    }
    fn inline_origin(&mut self, origin: InlineOrigin<'a>, at: usize) {
        self.origins.push((origin.id, self.base + at));
    }
    fn func(&mut self, func: RawFunc<'a>, at: usize) {
        let at = self.base + at;
        self.functions.push(Range { address: func.address, size: func.size, at, end: at });
    }
    fn end_function(&mut self, at: usize) {
        if let Some(f) = self.functions.last_mut() {
            f.end = self.base + at;
        }
    }
    #[inline]
    fn line(&mut self, _line: Line) {}
    fn public(&mut self, public: RawPublic<'a>, at: usize) {
        self.publics.push(Point { address: public.address, at: self.base + at });
    }
    fn cfi_init(&mut self, address: u64, size: u64, _rules: &'a [u8], at: usize) {
        let at = self.base + at;
        self.cfi.push(Range { address, size, at, end: at });
    }
    fn end_cfi(&mut self, at: usize) {
        if let Some(c) = self.cfi.last_mut() {
            c.end = self.base + at;
        }
    }
    #[inline]
    fn cfi_delta(&mut self, _address: u64, _rules: &'a [u8]) {}
    fn win(&mut self, win: RawWin<'a>, at: usize) {
        self.win.push((win.ty, win.address, win.code_size, self.base + at));
    }
}

/// Collects one function's line and `INLINE` records.
#[derive(Default)]
struct BodyReader {
    lines: Vec<PackedLine>,
    inlines: Vec<crate::model::Inline>,
}

impl<'a> Sink<'a> for BodyReader {
    fn line(&mut self, line: Line) {
        self.lines.push(line.into());
    }
    fn inline(&mut self, inline: RawInline<'a>) {
        self.inlines.push(inline.inline());
    }
    fn cfi_delta(&mut self, _address: u64, _rules: &'a [u8]) {}
}

/// Collects one CFI range's delta records.
#[derive(Default)]
struct DeltaReader<'a> {
    deltas: Vec<(u64, &'a [u8])>,
}

impl<'a> Sink<'a> for DeltaReader<'a> {
    fn line(&mut self, _line: Line) {}
    fn cfi_delta(&mut self, address: u64, rules: &'a [u8]) {
        self.deltas.push((address, rules));
    }
}

/// `part`, a piece of `whole`, as text that lives as long as `whole`'s
/// borrow, when it has one.
fn text_of<'s>(whole: &Cow<'s, [u8]>, part: &[u8]) -> Cow<'s, str> {
    if let Cow::Borrowed(all) = *whole {
        let start = (part.as_ptr() as usize).wrapping_sub(all.as_ptr() as usize);
        if let Some(same) = start.checked_add(part.len()).and_then(|end| all.get(start..end)) {
            return text(same);
        }
    }
    Cow::Owned(text(part).into_owned())
}

/// The same text, as long-lived as `whole` allows (see [`text_of`]).
fn retext<'s>(whole: &Cow<'s, [u8]>, t: Cow<'_, str>) -> Cow<'s, str> {
    match t {
        Cow::Borrowed(t) => text_of(whole, t.as_bytes()),
        Cow::Owned(t) => Cow::Owned(t),
    }
}

/// A line without its end of line (`\n` and any `\r` before it).
fn trimmed(line: &[u8]) -> &[u8] {
    let mut line = &line[..memchr(b'\n', line).unwrap_or(line.len())];
    while let [head @ .., b'\r'] = line {
        line = head;
    }
    line
}

/// The records an exclusive index keeps, by address.
fn kept<T: Copy>(items: Vec<T>, order: Order) -> Box<[T]> {
    match order {
        Order::Identity => items.into_boxed_slice(),
        Order::Sorted(indices) => indices.iter().filter_map(|&i| items.get(i as usize).copied()).collect(),
    }
}

/// `(id, line start)` by id, the first record of each id.
fn by_id(mut ids: Vec<(u32, usize)>) -> Box<[(u32, usize)]> {
    // Stable: of equal ids the first in the file stays first.
    ids.sort_by_key(|e| e.0);
    ids.dedup_by_key(|e| e.0);
    ids.into_boxed_slice()
}

impl LazySymbols<SymbolBytes> {
    /// Indexes the symbol file at `path`: kept in memory if it is small,
    /// else read a piece at a time (see [`SymbolBytes::open`]), so that
    /// what stays resident of a large file is the index and the records
    /// lookups read.
    pub fn open(path: &std::path::Path) -> std::io::Result<Self> {
        Ok(Self::new(SymbolBytes::open(path)?))
    }
}

/// Bytes a file read a piece at a time is read in.
const STEP: usize = 1 << 20;

impl<B: ByteSource> LazySymbols<B> {
    /// Indexes `bytes` in one pass; never fails (see
    /// [`LazySymbols::stats`] for what was skipped; a file that cannot be
    /// read to its end is indexed as far as it could be read).
    pub fn new(bytes: B) -> Self {
        let mut parser = Parser::new(Indexer::default());
        match bytes.as_slice() {
            Some(all) => parser.run(all, 0),
            None => Self::run_in_pieces(&bytes, &mut parser),
        }
        let Parser { sink: ix, stats, .. } = parser;
        let f = &ix.functions;
        let functions = exclusive(f.len(), |i| span(f[i].address, f[i].size));
        let functions = kept(ix.functions, functions);
        let p = &ix.publics;
        // Breakpad ignores public symbols at 0 and keeps the first of equal
        // addresses.
        let publics = exclusive(p.len(), |i| (p[i].address != 0).then_some((p[i].address, p[i].address)));
        let publics = kept(ix.publics, publics);
        let c = &ix.cfi;
        let cfi = exclusive(c.len(), |i| span(c[i].address, c[i].size));
        let cfi = kept(ix.cfi, cfi);
        let w = &ix.win;
        let of_type = |ty: StackWinType| move |i: usize| (w[i].0 == ty).then(|| span(w[i].1, w[i].2))?;
        let frame_data = LazyNested::new(w.len(), of_type(StackWinType::FrameData));
        let fpo = LazyNested::new(w.len(), of_type(StackWinType::Fpo));
        let win = ix.win.iter().map(|w| w.3).collect();
        LazySymbols {
            bytes,
            stats,
            module: ix.module,
            functions,
            publics,
            cfi,
            win,
            frame_data,
            fpo,
            files: by_id(ix.files),
            origins: by_id(ix.origins),
            bodies: Mutex::new(IndexMap::default()),
            ranges: Mutex::new(IndexMap::default()),
        }
    }

    /// Reads `bytes` a piece at a time, each piece ending at a line's end.
    fn run_in_pieces(bytes: &B, parser: &mut Parser<Indexer>) {
        let len = bytes.len();
        // The bytes of [base, base + buffer.len()) not parsed yet.
        let mut buffer: Vec<u8> = Vec::new();
        let (mut base, mut read) = (0, 0);
        while read < len {
            let before = buffer.len();
            if !bytes.append(read..read.saturating_add(STEP), &mut buffer) || buffer.len() == before {
                break;
            }
            read += buffer.len() - before;
            let stop = match memchr::memrchr(b'\n', &buffer) {
                _ if read >= len => buffer.len(),
                Some(newline) => newline + 1,
                // A line longer than a piece: read on.
                None => continue,
            };
            parser.sink.base = base;
            let next = parser.lines_until(&buffer, 0, stop).min(buffer.len());
            buffer.drain(..next);
            base += next;
        }
        parser.sink.base = base;
        parser.finish(len.saturating_sub(base));
    }

    /// Where the bytes come from.
    pub fn source(&self) -> &B {
        &self.bytes
    }

    /// The number of bytes of the symbol file.
    pub fn len(&self) -> usize {
        self.bytes.len()
    }

    /// Whether the symbol file is empty.
    pub fn is_empty(&self) -> bool {
        self.bytes.is_empty()
    }

    /// What the parser skipped: the same counts as [`crate::parse()`]'s.
    pub fn stats(&self) -> &ParseStats {
        &self.stats
    }

    /// Heap bytes held by the index and the bodies and CFI ranges read so
    /// far (not the file's bytes).
    pub fn index_heap_size(&self) -> usize {
        let bodies: usize = self
            .bodies
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .values()
            .map(|b| 64 + b.function.lines.len() * 20 + b.function.inlines.len() * 64)
            .sum();
        let ranges: usize = self
            .ranges
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .values()
            .map(|c| 64 + c.rules.len() + c.deltas.iter().map(|d| 40 + d.rules.len()).sum::<usize>())
            .sum();
        self.functions.len() * size_of::<Range>()
            + self.publics.len() * size_of::<Point>()
            + self.cfi.len() * size_of::<Range>()
            + self.win.len() * size_of::<usize>()
            + self.frame_data.heap_size()
            + self.fpo.heap_size()
            + (self.files.len() + self.origins.len()) * 16
            + bodies
            + ranges
    }

    /// The line starting at `at` with its end of line, and where the next
    /// line starts.
    fn line(&self, at: usize) -> Option<(Cow<'_, [u8]>, usize)> {
        let len = self.bytes.len();
        if let Some(all) = self.bytes.as_slice() {
            let rest = all.get(at..)?;
            let end = memchr(b'\n', rest).map_or(len, |n| at + n + 1);
            return Some((Cow::Borrowed(all.get(at..end)?), end));
        }
        // Read in growing pieces until the end of line.
        let mut want = 256usize;
        loop {
            let piece = self.bytes.slice(at..at.saturating_add(want))?;
            if let Some(n) = memchr(b'\n', &piece) {
                let mut line = piece.into_owned();
                line.truncate(n + 1);
                return Some((Cow::Owned(line), at + n + 1));
            }
            if at.saturating_add(want) >= len {
                return Some((piece, len));
            }
            want = want.saturating_mul(2);
        }
    }

    /// The `MODULE` record.
    pub fn module(&self) -> Option<ModuleRecord<'_>> {
        let (line, _) = self.line(self.module?)?;
        let m = records::module(trimmed(&line).get(7..)?)?;
        Some(ModuleRecord {
            os: retext(&line, m.os),
            arch: retext(&line, m.arch),
            id: retext(&line, m.id),
            name: retext(&line, m.name),
        })
    }

    fn function_below(&self, addr: u64) -> Option<usize> {
        self.functions.partition_point(|f| f.address <= addr).checked_sub(1)
    }

    fn function_index_at(&self, addr: u64) -> Option<usize> {
        let i = self.function_below(addr)?;
        let f = self.functions.get(i)?;
        (addr - f.address < f.size).then_some(i)
    }

    fn public_index_at(&self, addr: u64) -> Option<usize> {
        let below = self.function_below(addr).and_then(|i| self.functions.get(i));
        if below.is_some_and(|f| addr - f.address < f.size) {
            return None;
        }
        let i = self.publics.partition_point(|p| p.address <= addr).checked_sub(1)?;
        let p = self.publics.get(i)?;
        match below {
            Some(f) if p.address <= f.address => None,
            _ => Some(i),
        }
    }

    /// The `FUNC` containing `addr`, or else Breakpad's `PUBLIC` (see
    /// [`crate::Symbols::symbol_at`]).
    pub fn symbol_at(&self, addr: u64) -> Option<FoundSymbol<'_>> {
        if let Some(i) = self.function_index_at(addr) {
            let (line, _) = self.line(self.functions.get(i)?.at)?;
            let f = records::func(trimmed(&line).get(5..)?)?;
            let name = text_of(&line, f.name);
            return Some(FoundSymbol {
                name,
                address: f.address,
                size: Some(f.size),
                parameter_size: f.parameter_size,
            });
        }
        let (line, _) = self.line(self.publics.get(self.public_index_at(addr)?)?.at)?;
        let p = records::public(trimmed(&line).get(7..)?)?;
        let name = text_of(&line, p.name);
        Some(FoundSymbol { name, address: p.address, size: None, parameter_size: p.parameter_size })
    }

    /// Whether [`LazySymbols::symbol_at`] finds a symbol, without reading
    /// it (a symbol's name is never empty).
    pub fn has_symbol_at(&self, addr: u64) -> bool {
        self.function_index_at(addr).is_some() || self.public_index_at(addr).is_some()
    }

    /// Function `i`'s line and `INLINE` records, read the first time.
    fn body(&self, i: usize) -> Option<Arc<Body>> {
        let mut bodies = self.bodies.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(body) = bodies.get(&i) {
            return Some(Arc::clone(body));
        }
        let f = self.functions.get(i)?;
        let (_, start) = self.line(f.at)?;
        let lines = self.bytes.slice(start.min(f.end)..f.end)?;
        let mut reader = Parser::resume(BodyReader::default(), true, false);
        reader.run(&lines, 0);
        let BodyReader { mut lines, mut inlines } = reader.sink;
        // Kept as long as the symbols: without the slack of growing.
        lines.shrink_to_fit();
        inlines.shrink_to_fit();
        let lines_order = line_order(&lines);
        let function = Function { lines: Lines(lines), inlines, ..Function::default() };
        let inlines = InlineIndex::new(std::slice::from_ref(&function));
        let body = Arc::new(Body { function, lines: lines_order, inlines });
        bodies.insert(i, Arc::clone(&body));
        Some(body)
    }

    /// The line record of the `FUNC` containing `addr` that contains it.
    pub fn line_at(&self, addr: u64) -> Option<FoundLine<'_>> {
        let body = self.body(self.function_index_at(addr)?)?;
        let line = line_in(&body.function.lines.0, body.lines.as_ref().unwrap_or(&Order::Identity), addr)?;
        Some(FoundLine { line, file: self.file_name(line.file) })
    }

    /// The inlined calls covering `addr` within the `FUNC` containing it,
    /// outermost first (see [`crate::Symbols::inline_chain_at`]).
    pub fn inline_chain_at(&self, addr: u64) -> Vec<FoundInline<'_>> {
        let Some(body) = self.function_index_at(addr).and_then(|i| self.body(i)) else { return Vec::new() };
        body.inlines
            .chain(0, addr)
            .into_iter()
            .filter_map(|(k, range_address)| {
                let inline = body.function.inlines.get(k)?;
                let call_file =
                    inline.call_file.and_then(|id| u32::try_from(id).ok()).and_then(|id| self.file_name(id));
                let name = self.inline_origin(inline.origin).map(|o| o.name);
                Some(FoundInline { depth: inline.depth, call_line: inline.call_line, name, call_file, range_address })
            })
            .collect()
    }

    /// The `STACK CFI INIT` range containing `addr`, with its deltas.
    pub fn cfi_at(&self, addr: u64) -> Option<FoundCfi> {
        let i = self.cfi.partition_point(|c| c.address <= addr).checked_sub(1)?;
        let c = self.cfi.get(i)?;
        if addr - c.address >= c.size {
            return None;
        }
        let mut ranges = self.ranges.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(init) = ranges.get(&i) {
            return Some(FoundCfi { init: Arc::clone(init), addr });
        }
        let (line, start) = self.line(c.at)?;
        let Some(Stack::CfiInit { rules, .. }) = records::stack(trimmed(&line).get(6..)?) else { return None };
        let region = self.bytes.slice(start.min(c.end)..c.end)?;
        let mut reader = Parser::resume(DeltaReader::default(), false, true);
        reader.run(&region, 0);
        let owned = |rules: &[u8]| Cow::Owned(text(rules).into_owned());
        let deltas = reader.sink.deltas.iter().map(|&(address, rules)| CfiDelta { address, rules: owned(rules) });
        let init = CfiInit { address: c.address, size: c.size, rules: owned(rules), deltas: deltas.collect() };
        let init = Arc::new(init);
        ranges.insert(i, Arc::clone(&init));
        Some(FoundCfi { init, addr })
    }

    /// The `STACK WIN` record for `addr` (see [`crate::Symbols::win_at`]).
    pub fn win_at(&self, addr: u64) -> Option<StackWin<'_>> {
        let i = self.frame_data.find(addr).or_else(|| self.fpo.find(addr))?;
        let (line, _) = self.line(*self.win.get(i)?)?;
        match records::stack(trimmed(&line).get(6..)?)? {
            Stack::Win(win) => Some(win.win_with(|program| text_of(&line, program))),
            _ => None,
        }
    }

    /// The name of `FILE` `id` (the first record with that id).
    pub fn file_name(&self, id: u32) -> Option<Cow<'_, str>> {
        let k = self.files.binary_search_by_key(&id, |e| e.0).ok()?;
        let (line, _) = self.line(self.files.get(k)?.1)?;
        let (_, name) = records::file(trimmed(&line).get(5..)?)?;
        Some(text_of(&line, name))
    }

    /// `INLINE_ORIGIN` `id` (the first record with that id).
    pub fn inline_origin(&self, id: u32) -> Option<InlineOrigin<'_>> {
        let k = self.origins.binary_search_by_key(&id, |e| e.0).ok()?;
        let (line, _) = self.line(self.origins.get(k)?.1)?;
        let o = records::inline_origin(trimmed(&line).get(14..)?)?;
        Some(InlineOrigin { id: o.id, file: o.file, name: retext(&line, o.name) })
    }
}
