//! The parser: bytes (a slice or a memory-mapped file) to a
//! [`SymbolFile`] that borrows its text from them.
//!
//! One pass: plain line records (most of a file) are read straight from the
//! input; any other line is found with `memchr` and parsed by its first
//! bytes. Line, `INLINE` and `STACK CFI` records collect in reused scratch
//! vectors and move into their `FUNC` or `STACK CFI INIT` in one exact-size
//! allocation when it ends; the other record vectors are shrunk to fit at
//! the end.
//!
//! Placement rules (Breakpad's): line and `INLINE` records belong to the
//! last `FUNC`; a `PUBLIC` or a malformed `FUNC` ends it, other records do
//! not. `STACK CFI` records belong to the last valid `STACK CFI INIT`.
//!
//! The same pass, with the placement rules and the counting of bad lines,
//! drives other [`Sink`]s: the lazy index ([`crate::LazySymbols`]) keeps
//! only where records start, and reads one function's body or one CFI
//! range again, from where it starts, when a lookup lands in it.

use memchr::memchr;

use crate::model::{CfiDelta, InfoRecord, Inline, InlineOrigin, Line, Lines, ModuleRecord, PackedLine, SymbolFile};
use crate::records::{self, RawFunc, RawInline, RawPublic, RawWin, Stack};
use crate::stats::{BadLineKind, ParseStats};

/// What the parser found, record by record, in file order. `at` is the
/// offset of the record's line in the input. Every method but the ones for
/// line and `STACK CFI` records does nothing by default.
pub(crate) trait Sink<'a> {
    /// A valid `MODULE` record, the first one.
    fn module(&mut self, _module: ModuleRecord<'a>, _at: usize) {}
    /// An `INFO` record.
    fn info(&mut self, _info: InfoRecord<'a>) {}
    /// A `FILE` record.
    fn file(&mut self, _id: u32, _name: &'a [u8], _at: usize) {}
    /// An `INLINE_ORIGIN` record.
    fn inline_origin(&mut self, _origin: InlineOrigin<'a>, _at: usize) {}
    /// A valid `FUNC` record: its line and `INLINE` records follow, until
    /// [`Sink::end_function`].
    fn func(&mut self, _func: RawFunc<'a>, _at: usize) {}
    /// The function opened by the last [`Sink::func`] ends before `at` (the
    /// line that ended it, or the end of the input).
    fn end_function(&mut self, _at: usize) {}
    /// A line record of the open function.
    fn line(&mut self, line: Line);
    /// An `INLINE` record of the open function, its depth accepted.
    fn inline(&mut self, _inline: RawInline<'a>) {}
    /// A `PUBLIC` record.
    fn public(&mut self, _public: RawPublic<'a>, _at: usize) {}
    /// A valid `STACK CFI INIT` record: its `STACK CFI` records follow,
    /// until [`Sink::end_cfi`].
    fn cfi_init(&mut self, _address: u64, _size: u64, _rules: &'a [u8], _at: usize) {}
    /// The range opened by the last [`Sink::cfi_init`] ends before `at`.
    fn end_cfi(&mut self, _at: usize) {}
    /// A `STACK CFI` record of the open range.
    fn cfi_delta(&mut self, address: u64, rules: &'a [u8]);
    /// A `STACK WIN` record.
    fn win(&mut self, _win: RawWin<'a>, _at: usize) {}
}

/// The placement rules and the counts, over any [`Sink`].
pub(crate) struct Parser<S> {
    pub(crate) sink: S,
    pub(crate) stats: ParseStats,
    has_module: bool,
    /// Whether a `FUNC` is open (line and `INLINE` records belong to it).
    function: bool,
    /// Depth of the last `INLINE` accepted in the current function.
    inline_depth: Option<u32>,
    /// Whether a `STACK CFI INIT` is open (delta records belong to it).
    cfi: bool,
}

impl<'a, S: Sink<'a>> Parser<S> {
    /// A parser at the start of a file.
    pub(crate) fn new(sink: S) -> Self {
        Parser {
            sink,
            stats: ParseStats::default(),
            has_module: false,
            function: false,
            inline_depth: None,
            cfi: false,
        }
    }

    /// A parser in the middle of a file: inside a function's body (after
    /// its `FUNC` line) or a CFI range (after its `STACK CFI INIT` line).
    pub(crate) fn resume(sink: S, function: bool, cfi: bool) -> Self {
        Parser { function, cfi, ..Parser::new(sink) }
    }

    fn end_function(&mut self, at: usize) {
        if self.function {
            self.sink.end_function(at);
        }
        self.function = false;
        self.inline_depth = None;
    }

    fn end_cfi(&mut self, at: usize) {
        if self.cfi {
            self.sink.end_cfi(at);
        }
        self.cfi = false;
    }

    fn record(&mut self, line: &'a [u8], number: u64, at: usize) {
        let Some(&first) = line.first() else { return };
        let bad = match first {
            b'F' if line.starts_with(b"FUNC ") => {
                self.end_function(at);
                match records::func(&line[5..]) {
                    Some(f) => {
                        self.function = true;
                        self.sink.func(f, at);
                        None
                    }
                    None => Some(BadLineKind::Function),
                }
            }
            b'F' if line.starts_with(b"FILE ") => match records::file(&line[5..]) {
                Some((id, name)) => {
                    self.sink.file(id, name, at);
                    None
                }
                None => Some(BadLineKind::File),
            },
            b'P' if line.starts_with(b"PUBLIC ") => {
                self.end_function(at);
                match records::public(&line[7..]) {
                    Some(p) => {
                        self.sink.public(p, at);
                        None
                    }
                    None => Some(BadLineKind::Public),
                }
            }
            b'S' if line.starts_with(b"STACK ") => self.stack(&line[6..], at),
            b'I' if line.starts_with(b"INLINE ") => self.inline(&line[7..]),
            b'I' if line.starts_with(b"INLINE_ORIGIN ") => match records::inline_origin(&line[14..]) {
                Some(o) => {
                    self.sink.inline_origin(o, at);
                    None
                }
                None => Some(BadLineKind::InlineOrigin),
            },
            b'I' if line.starts_with(b"INFO ") => match records::info(&line[5..]) {
                Some(i) => {
                    self.sink.info(i);
                    None
                }
                None => Some(BadLineKind::Info),
            },
            b'M' if line.starts_with(b"MODULE ") => match (self.has_module, records::module(&line[7..])) {
                (false, Some(m)) => {
                    self.has_module = true;
                    self.sink.module(m, at);
                    None
                }
                (true, Some(_)) => Some(BadLineKind::DuplicateModule),
                (_, None) => Some(BadLineKind::Module),
            },
            _ => match (self.function, records::line(line)) {
                (true, Some(l)) => {
                    self.sink.line(l);
                    None
                }
                (true, None) => Some(BadLineKind::Line),
                (false, _) => Some(BadLineKind::LineWithoutFunction),
            },
        };
        if let Some(kind) = bad {
            self.stats.bad(number, kind);
        }
    }

    fn inline(&mut self, fields: &'a [u8]) -> Option<BadLineKind> {
        if !self.function {
            return Some(BadLineKind::InlineWithoutFunction);
        }
        let Some(inline) = records::inline(fields) else { return Some(BadLineKind::Inline) };
        let allowed = match self.inline_depth {
            None => inline.depth == 0,
            Some(last) => inline.depth <= last.saturating_add(1),
        };
        if !allowed {
            return Some(BadLineKind::InlineWithoutParent);
        }
        self.inline_depth = Some(inline.depth);
        self.sink.inline(inline);
        None
    }

    fn stack(&mut self, fields: &'a [u8], at: usize) -> Option<BadLineKind> {
        match records::stack(fields) {
            Some(Stack::CfiInit { address, size, rules }) => {
                self.end_cfi(at);
                self.cfi = true;
                self.sink.cfi_init(address, size, rules, at);
                None
            }
            Some(Stack::CfiDelta { address, rules }) => {
                if !self.cfi {
                    return Some(BadLineKind::CfiWithoutInit);
                }
                self.sink.cfi_delta(address, rules);
                None
            }
            Some(Stack::Win(win)) => {
                self.sink.win(win, at);
                None
            }
            None => {
                if fields.starts_with(b"CFI INIT ") {
                    // Its deltas must not join the INIT before it.
                    self.end_cfi(at);
                }
                Some(BadLineKind::Stack)
            }
        }
    }

    /// Reads the lines of `bytes[start..]`, then ends what is open at the
    /// end.
    pub(crate) fn run(&mut self, bytes: &'a [u8], start: usize) {
        self.lines_until(bytes, start, bytes.len());
        self.finish(bytes.len());
    }

    /// Reads the lines of `bytes` that start in `start..stop` (the last
    /// one to its end); returns where the next line starts.
    pub(crate) fn lines_until(&mut self, bytes: &'a [u8], start: usize, stop: usize) -> usize {
        let mut pos = start;
        let stop = stop.min(bytes.len());
        while pos < stop {
            self.stats.lines += 1;
            let number = self.stats.lines;
            // Most lines are plain line records: read them straight from the
            // input, without looking for the line's end first.
            if self.function {
                if let Some((line, next)) = records::plain_line(bytes, pos) {
                    self.sink.line(line);
                    pos = next;
                    continue;
                }
            }
            // The other common case: `STACK CFI` records after their INIT.
            if self.cfi {
                if let Some((address, rules, next)) = records::plain_cfi_delta(bytes, pos) {
                    self.sink.cfi_delta(address, rules);
                    pos = next;
                    continue;
                }
            }
            let rest = &bytes[pos..];
            let len = memchr(b'\n', rest).unwrap_or(rest.len());
            let mut line = &rest[..len];
            let at = pos;
            pos += len + 1;
            while let [head @ .., b'\r'] = line {
                line = head;
            }
            self.record(line, number, at);
        }
        pos
    }

    /// Ends the open function and CFI range at `end`, the end of the input.
    pub(crate) fn finish(&mut self, end: usize) {
        self.end_function(end);
        self.end_cfi(end);
    }
}

/// The [`Sink`] that builds a [`SymbolFile`].
#[derive(Default)]
struct Builder<'a> {
    file: SymbolFile<'a>,
    /// Line and `INLINE` records of the open function.
    lines: Vec<PackedLine>,
    inlines: Vec<Inline>,
    /// `STACK CFI` records of the open range.
    deltas: Vec<CfiDelta<'a>>,
}

impl<'a> Sink<'a> for Builder<'a> {
    fn module(&mut self, module: ModuleRecord<'a>, _at: usize) {
        self.file.module = Some(module);
    }
    fn info(&mut self, info: InfoRecord<'a>) {
        self.file.info.push(info);
    }
    fn file(&mut self, id: u32, name: &'a [u8], _at: usize) {
        self.file.files.push(crate::model::FileRecord { id, name: crate::lex::text(name) });
    }
    fn inline_origin(&mut self, origin: InlineOrigin<'a>, _at: usize) {
        self.file.inline_origins.push(origin);
    }
    fn func(&mut self, func: RawFunc<'a>, _at: usize) {
        self.file.functions.push(func.function());
    }
    fn end_function(&mut self, _at: usize) {
        if let Some(f) = self.file.functions.last_mut() {
            f.lines = Lines(self.lines.as_slice().to_vec());
            f.inlines = self.inlines.drain(..).collect();
        }
        self.lines.clear();
        self.inlines.clear();
    }
    #[inline]
    fn line(&mut self, line: Line) {
        self.lines.push(line.into());
    }
    fn inline(&mut self, inline: RawInline<'a>) {
        self.inlines.push(inline.inline());
    }
    fn public(&mut self, public: RawPublic<'a>, _at: usize) {
        self.file.public_positions.push(self.file.functions.len() as u32);
        self.file.publics.push(public.public());
    }
    fn cfi_init(&mut self, address: u64, size: u64, rules: &'a [u8], _at: usize) {
        let rules = crate::lex::text(rules);
        self.file.cfi.push(crate::model::CfiInit { address, size, rules, deltas: Vec::new() });
    }
    fn end_cfi(&mut self, _at: usize) {
        if let Some(init) = self.file.cfi.last_mut() {
            init.deltas = self.deltas.drain(..).collect();
        }
        self.deltas.clear();
    }
    #[inline]
    fn cfi_delta(&mut self, address: u64, rules: &'a [u8]) {
        self.deltas.push(CfiDelta { address, rules: crate::lex::text(rules) });
    }
    fn win(&mut self, win: RawWin<'a>, _at: usize) {
        self.file.win.push(win.win());
    }
}

/// Parses a symbol file. Never fails: malformed lines are skipped and
/// counted in the returned [`ParseStats`].
pub fn parse(bytes: &[u8]) -> (SymbolFile<'_>, ParseStats) {
    let mut p = Parser::new(Builder::default());
    p.run(bytes, 0);
    // The record vectors grew by doubling: give the slack back.
    let f = &mut p.sink.file;
    f.info.shrink_to_fit();
    f.files.shrink_to_fit();
    f.inline_origins.shrink_to_fit();
    f.functions.shrink_to_fit();
    f.publics.shrink_to_fit();
    // Every public after every function is the layout an empty list means.
    if f.public_positions.iter().all(|&p| p as usize == f.functions.len()) {
        f.public_positions = Vec::new();
    }
    f.public_positions.shrink_to_fit();
    f.cfi.shrink_to_fit();
    f.win.shrink_to_fit();
    (p.sink.file, p.stats)
}
