//! [`Symbols`]: a [`SymbolFile`] with its address indexes, answering what a
//! stack walker asks in O(log n): the function or public symbol at an
//! address, its source line, the inlined calls there, the CFI rules and the
//! `STACK WIN` record. Which record wins where records overlap is Breakpad's
//! choice (see [`crate::index`]).

use crate::cfi::CfiRules;
use crate::index::{exclusive, nested, span, Nested, Order};
use crate::model::{
    CfiDelta, CfiInit, Function, Inline, InlineOrigin, Line, Public, StackWin, StackWinType, SymbolFile,
};
use crate::stats::ParseStats;

/// A parsed symbol file, indexed for lookups.
#[derive(Clone, Debug)]
pub struct Symbols<'a> {
    file: SymbolFile<'a>,
    stats: ParseStats,
    functions: Order,
    publics: Order,
    /// Line orders of the functions whose lines are not already sorted and
    /// disjoint, by function index.
    lines: Vec<(u32, Order)>,
    inlines: InlineIndex,
    cfi: Order,
    /// Delta orders of the CFI ranges whose deltas are not already
    /// ascending and inside the range, by CFI index.
    deltas: Vec<(u32, Box<[u32]>)>,
    frame_data: Nested,
    fpo: Nested,
    files: IdIndex,
    origins: IdIndex,
}

/// What covers an address: a `FUNC`, or else the `PUBLIC` Breakpad picks.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SymbolAt<'s, 'a> {
    /// A `FUNC` record contains the address.
    Function(&'s Function<'a>),
    /// No `FUNC` does; this `PUBLIC` symbol is the nearest below it.
    Public(&'s Public<'a>),
}

impl SymbolAt<'_, '_> {
    /// The symbol's name.
    pub fn name(&self) -> &str {
        match self {
            SymbolAt::Function(f) => &f.name,
            SymbolAt::Public(p) => &p.name,
        }
    }

    /// The symbol's address.
    pub fn address(&self) -> u64 {
        match self {
            SymbolAt::Function(f) => f.address,
            SymbolAt::Public(p) => p.address,
        }
    }

    /// The symbol's parameter size.
    pub fn parameter_size(&self) -> u32 {
        match self {
            SymbolAt::Function(f) => f.parameter_size,
            SymbolAt::Public(p) => p.parameter_size,
        }
    }
}

/// The line record at an address and its file's name.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SourceLine<'s> {
    /// The line record.
    pub line: Line,
    /// The name of its `FILE`, if there is one with that id.
    pub file: Option<&'s str>,
}

/// One inlined call covering an address.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct InlineFrame<'s> {
    /// The `INLINE` record.
    pub inline: &'s Inline,
    /// The inlined function's name, from its `INLINE_ORIGIN`.
    pub name: Option<&'s str>,
    /// New form: the call site's file name. (In the old form the call site
    /// is in the file of the enclosing frame.)
    pub call_file: Option<&'s str>,
    /// Start of the inlined range that contains the address (Breakpad's
    /// function base of the inlined frame).
    pub range_address: u64,
}

impl<'a> Symbols<'a> {
    /// Parses `bytes` and indexes the result; never fails (see
    /// [`Symbols::stats`] for what was skipped).
    pub fn parse(bytes: &'a [u8]) -> Self {
        let (file, stats) = crate::parse::parse(bytes);
        Self::with_stats(file, stats)
    }

    /// Indexes a symbol file built some other way (by a dumper, say).
    pub fn new(file: SymbolFile<'a>) -> Self {
        Self::with_stats(file, ParseStats::default())
    }

    fn with_stats(file: SymbolFile<'a>, stats: ParseStats) -> Self {
        let f = &file.functions;
        let functions = exclusive(f.len(), |i| span(f[i].address, f[i].size));
        let mut lines = Vec::new();
        for (i, function) in f.iter().enumerate() {
            if let Some(order) = line_order(&function.lines.0) {
                lines.push((i as u32, order));
            }
        }
        let p = &file.publics;
        // Breakpad ignores public symbols at 0 and keeps the first of equal
        // addresses.
        let publics = exclusive(p.len(), |i| (p[i].address != 0).then_some((p[i].address, p[i].address)));
        let c = &file.cfi;
        let cfi = exclusive(c.len(), |i| span(c[i].address, c[i].size));
        let deltas = c.iter().enumerate().filter_map(|(i, init)| delta_order(init).map(|o| (i as u32, o))).collect();
        let w = &file.win;
        let of_type = |ty: StackWinType| move |i: usize| (w[i].ty == ty).then(|| span(w[i].address, w[i].code_size))?;
        let frame_data = nested(w.len(), of_type(StackWinType::FrameData));
        let fpo = nested(w.len(), of_type(StackWinType::Fpo));
        let files = IdIndex::new(file.files.iter().map(|r| r.id));
        let origins = IdIndex::new(file.inline_origins.iter().map(|r| r.id));
        let inlines = InlineIndex::new(f);
        Symbols { file, stats, functions, publics, lines, inlines, cfi, deltas, frame_data, fpo, files, origins }
    }

    /// The records.
    pub fn file(&self) -> &SymbolFile<'a> {
        &self.file
    }

    /// What the parser skipped (all zero for [`Symbols::new`]).
    pub fn stats(&self) -> &ParseStats {
        &self.stats
    }

    /// The records and the parse counts, dropping the indexes.
    pub fn into_parts(self) -> (SymbolFile<'a>, ParseStats) {
        (self.file, self.stats)
    }

    /// Heap bytes held by the indexes (the model's own are not counted).
    pub fn index_heap_size(&self) -> usize {
        let lines: usize = self.lines.iter().map(|(_, o)| 8 + o.heap_size()).sum();
        let deltas: usize = self.deltas.iter().map(|(_, o)| 24 + o.len() * 4).sum();
        self.functions.heap_size()
            + self.publics.heap_size()
            + lines
            + self.inlines.heap_size()
            + self.cfi.heap_size()
            + deltas
            + self.frame_data.heap_size()
            + self.fpo.heap_size()
            + self.files.heap_size()
            + self.origins.heap_size()
    }

    /// Index of the kept `FUNC` with the greatest address not above `addr`.
    fn function_below(&self, addr: u64) -> Option<usize> {
        self.functions.find(&self.file.functions, addr, |f| f.address)
    }

    fn function_index_at(&self, addr: u64) -> Option<usize> {
        let i = self.function_below(addr)?;
        let f = self.file.functions.get(i)?;
        (addr - f.address < f.size).then_some(i)
    }

    /// The `FUNC` containing `addr`.
    pub fn function_at(&self, addr: u64) -> Option<&Function<'a>> {
        self.file.functions.get(self.function_index_at(addr)?)
    }

    /// Breakpad's `PUBLIC` for an address no `FUNC` contains: the public
    /// symbol with the greatest address not above `addr` (ignoring address
    /// 0), provided no `FUNC` starts between it and `addr` (at its own
    /// address included), since a public symbol extends only to the next
    /// symbol. `None` when a `FUNC` contains `addr`.
    pub fn public_at(&self, addr: u64) -> Option<&Public<'a>> {
        let below = self.function_below(addr);
        if let Some(f) = below.and_then(|i| self.file.functions.get(i)) {
            if addr - f.address < f.size {
                return None;
            }
        }
        let p = self.file.publics.get(self.publics.find(&self.file.publics, addr, |p| p.address)?)?;
        match below.and_then(|i| self.file.functions.get(i)) {
            Some(f) if p.address <= f.address => None,
            _ => Some(p),
        }
    }

    /// The `FUNC` containing `addr`, or else [`Symbols::public_at`].
    pub fn symbol_at(&self, addr: u64) -> Option<SymbolAt<'_, 'a>> {
        match self.function_at(addr) {
            Some(f) => Some(SymbolAt::Function(f)),
            None => self.public_at(addr).map(SymbolAt::Public),
        }
    }

    /// The line record of the `FUNC` containing `addr` that contains it.
    pub fn line_at(&self, addr: u64) -> Option<SourceLine<'_>> {
        let fi = self.function_index_at(addr)?;
        let lines = &self.file.functions.get(fi)?.lines.0;
        let identity = Order::Identity;
        let order = match self.lines.binary_search_by_key(&(fi as u32), |(i, _)| *i) {
            Ok(k) => &self.lines[k].1,
            Err(_) => &identity,
        };
        let line = line_in(lines, order, addr)?;
        Some(SourceLine { line, file: self.file_name(line.file) })
    }

    /// The inlined calls covering `addr` within the `FUNC` containing it,
    /// outermost (depth 0) first: each depth's `INLINE` record whose ranges
    /// contain `addr`, until a depth has none. The innermost frame's own
    /// line is [`Symbols::line_at`]; each inlined frame's caller line is its
    /// record's `call_line`.
    pub fn inline_chain_at(&self, addr: u64) -> Vec<InlineFrame<'_>> {
        let Some(fi) = self.function_index_at(addr) else { return Vec::new() };
        let Some(function) = self.file.functions.get(fi) else { return Vec::new() };
        self.inlines
            .chain(fi, addr)
            .into_iter()
            .filter_map(|(k, range_address)| {
                let inline = function.inlines.get(k)?;
                let call_file =
                    inline.call_file.and_then(|id| u32::try_from(id).ok()).and_then(|id| self.file_name(id));
                let name = self.inline_origin(inline.origin).map(|o| &*o.name);
                Some(InlineFrame { inline, name, call_file, range_address })
            })
            .collect()
    }

    /// The CFI rules at `addr`: the `STACK CFI INIT` range containing it and
    /// its delta records at or below `addr`.
    pub fn cfi_at(&self, addr: u64) -> Option<CfiRules<'_, 'a>> {
        let ci = self.cfi.find(&self.file.cfi, addr, |c| c.address)?;
        let init = self.file.cfi.get(ci)?;
        if addr - init.address >= init.size {
            return None;
        }
        let order = match self.deltas.binary_search_by_key(&(ci as u32), |(i, _)| *i) {
            Ok(k) => Some(&*self.deltas[k].1),
            Err(_) => None,
        };
        Some(CfiRules { init, deltas: deltas_at(init, order, addr) })
    }

    /// The `STACK WIN` record for `addr`: the innermost type 4 (frame data)
    /// record containing it, else the innermost type 0 (FPO) one, as
    /// Breakpad prefers.
    pub fn win_at(&self, addr: u64) -> Option<&StackWin<'a>> {
        let i = self.frame_data.find(addr).or_else(|| self.fpo.find(addr))?;
        self.file.win.get(i)
    }

    /// The name of `FILE` `id` (the first record with that id).
    pub fn file_name(&self, id: u32) -> Option<&str> {
        self.file.files.get(self.files.find(&self.file.files, id, |f| f.id)?).map(|f| &*f.name)
    }

    /// `INLINE_ORIGIN` `id` (the first record with that id).
    pub fn inline_origin(&self, id: u32) -> Option<&InlineOrigin<'a>> {
        self.file.inline_origins.get(self.origins.find(&self.file.inline_origins, id, |o| o.id)?)
    }
}

/// The line record of `lines` (kept by `order`) that contains `addr`.
pub(crate) fn line_in(lines: &[crate::model::PackedLine], order: &Order, addr: u64) -> Option<Line> {
    let line: Line = (*lines.get(order.find(lines, addr, |l| l.address)?)?).into();
    (addr - line.address < u64::from(line.size)).then_some(line)
}

/// The line order of a function: `None` when its lines are already sorted
/// and disjoint.
pub(crate) fn line_order(lines: &[crate::model::PackedLine]) -> Option<Order> {
    match exclusive(lines.len(), |j| span(lines[j].address, u64::from(lines[j].size))) {
        order @ Order::Sorted(_) => Some(order),
        Order::Identity => None,
    }
}

/// The deltas of `init` at or below `addr`, in address order; `order` is
/// [`delta_order`]'s answer for `init`.
pub(crate) fn deltas_at<'s, 'a>(init: &'s CfiInit<'a>, order: Option<&[u32]>, addr: u64) -> Vec<&'s CfiDelta<'a>> {
    match order {
        Some(order) => {
            let n = order.partition_point(|&d| init.deltas.get(d as usize).is_some_and(|d| d.address <= addr));
            order[..n].iter().filter_map(|&d| init.deltas.get(d as usize)).collect()
        }
        None => {
            let n = init.deltas.partition_point(|d| d.address <= addr);
            init.deltas[..n].iter().collect()
        }
    }
}

/// Which deltas of a CFI range apply, when they are not simply all of them
/// in file order: ascending addresses inside the range, one per address
/// (the last in the file, as Breakpad's map keeps).
pub(crate) fn delta_order(init: &CfiInit<'_>) -> Option<Box<[u32]>> {
    let (start, last) = span(init.address, init.size)?;
    let inside = |a: u64| start <= a && a <= last;
    let d = &init.deltas;
    if d.iter().all(|x| inside(x.address)) && d.windows(2).all(|w| w[0].address < w[1].address) {
        return None;
    }
    let mut order: Vec<u32> = (0..d.len() as u32).filter(|&i| inside(d[i as usize].address)).collect();
    order.sort_by_key(|&i| (d[i as usize].address, std::cmp::Reverse(i)));
    order.dedup_by_key(|&mut i| d[i as usize].address);
    Some(order.into_boxed_slice())
}

/// `FILE` or `INLINE_ORIGIN` ids to record indices; the first record of an
/// id wins, as in Breakpad's maps.
#[derive(Clone, Debug)]
enum IdIndex {
    /// Record `i` has id `i`.
    Dense,
    /// `(id, index)` by id.
    Sorted(Box<[(u32, u32)]>),
}

impl IdIndex {
    fn new(ids: impl ExactSizeIterator<Item = u32> + Clone) -> Self {
        if ids.clone().enumerate().all(|(i, id)| i as u64 == u64::from(id)) {
            return IdIndex::Dense;
        }
        let mut v: Vec<(u32, u32)> = ids.enumerate().map(|(i, id)| (id, i as u32)).collect();
        v.sort_unstable();
        v.dedup_by_key(|e| e.0);
        IdIndex::Sorted(v.into_boxed_slice())
    }

    fn find<T>(&self, items: &[T], id: u32, id_of: impl Fn(&T) -> u32) -> Option<usize> {
        match self {
            IdIndex::Dense => items.get(id as usize).filter(|t| id_of(t) == id).map(|_| id as usize),
            IdIndex::Sorted(v) => v.binary_search_by_key(&id, |e| e.0).ok().map(|k| v[k].1 as usize),
        }
    }

    fn heap_size(&self) -> usize {
        match self {
            IdIndex::Dense => 0,
            IdIndex::Sorted(v) => v.len() * 8,
        }
    }
}

/// One range of one `INLINE` record.
#[derive(Clone, Copy, Debug)]
struct InlineEntry {
    start: u64,
    last: u64,
    depth: u32,
    inline: u32,
}

/// The inline ranges of every function that has any, grouped by function
/// and sorted by (depth, start) within it.
#[derive(Clone, Debug, Default)]
pub(crate) struct InlineIndex {
    entries: Box<[InlineEntry]>,
    /// `(function, first entry, end entry)` by function.
    functions: Box<[(u32, u32, u32)]>,
}

impl InlineIndex {
    pub(crate) fn new(functions: &[Function<'_>]) -> Self {
        let total: usize = functions.iter().flat_map(|f| &f.inlines).map(|i| i.ranges.len()).sum();
        let mut entries = Vec::with_capacity(total);
        let mut spans = Vec::new();
        for (fi, f) in functions.iter().enumerate().filter(|(_, f)| !f.inlines.is_empty()) {
            let begin = entries.len();
            for (k, inline) in f.inlines.iter().enumerate() {
                for r in &inline.ranges {
                    if let Some((start, last)) = span(r.address, r.size) {
                        entries.push(InlineEntry { start, last, depth: inline.depth, inline: k as u32 });
                    }
                }
            }
            entries[begin..].sort_by_key(|e| (e.depth, e.start));
            spans.push((fi as u32, begin as u32, entries.len() as u32));
        }
        InlineIndex { entries: entries.into_boxed_slice(), functions: spans.into_boxed_slice() }
    }

    /// `(inline index, range start)` per depth from 0 while one contains
    /// `addr`.
    pub(crate) fn chain(&self, function: usize, addr: u64) -> Vec<(usize, u64)> {
        let mut chain = Vec::new();
        let Ok(k) = self.functions.binary_search_by_key(&(function as u32), |s| s.0) else { return chain };
        let (_, begin, end) = self.functions[k];
        let Some(entries) = self.entries.get(begin as usize..end as usize) else { return chain };
        for depth in 0.. {
            let lo = entries.partition_point(|e| e.depth < depth);
            let hi = entries.partition_point(|e| e.depth <= depth);
            let level = &entries[lo..hi];
            let found = level.partition_point(|e| e.start <= addr).checked_sub(1).and_then(|i| level.get(i));
            match found {
                Some(e) if addr <= e.last => chain.push((e.inline as usize, e.start)),
                _ => break,
            }
        }
        chain
    }

    fn heap_size(&self) -> usize {
        self.entries.len() * std::mem::size_of::<InlineEntry>() + self.functions.len() * 12
    }
}
