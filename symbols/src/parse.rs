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

use memchr::memchr;

use crate::model::{CfiDelta, Inline, Lines, PackedLine, SymbolFile};
use crate::records::{self, Stack};
use crate::stats::{BadLineKind, ParseStats};

struct Parser<'a> {
    file: SymbolFile<'a>,
    stats: ParseStats,
    /// Index of the `FUNC` that line and `INLINE` records belong to.
    function: Option<usize>,
    lines: Vec<PackedLine>,
    inlines: Vec<Inline>,
    /// Depth of the last `INLINE` accepted in the current function.
    inline_depth: Option<u32>,
    /// Index of the `STACK CFI INIT` that delta records belong to.
    cfi_init: Option<usize>,
    deltas: Vec<CfiDelta<'a>>,
}

impl<'a> Parser<'a> {
    fn end_function(&mut self) {
        if let Some(f) = self.function.take().and_then(|i| self.file.functions.get_mut(i)) {
            f.lines = Lines(self.lines.as_slice().to_vec());
            f.inlines = self.inlines.drain(..).collect();
        }
        self.lines.clear();
        self.inlines.clear();
        self.inline_depth = None;
    }

    fn end_cfi(&mut self) {
        if let Some(init) = self.cfi_init.take().and_then(|i| self.file.cfi.get_mut(i)) {
            init.deltas = self.deltas.drain(..).collect();
        }
        self.deltas.clear();
    }

    fn record(&mut self, line: &'a [u8], number: u64) {
        let Some(&first) = line.first() else { return };
        let bad = match first {
            b'F' if line.starts_with(b"FUNC ") => {
                self.end_function();
                match records::func(&line[5..]) {
                    Some(f) => {
                        self.function = Some(self.file.functions.len());
                        self.file.functions.push(f);
                        None
                    }
                    None => Some(BadLineKind::Function),
                }
            }
            b'F' if line.starts_with(b"FILE ") => match records::file(&line[5..]) {
                Some(f) => {
                    self.file.files.push(f);
                    None
                }
                None => Some(BadLineKind::File),
            },
            b'P' if line.starts_with(b"PUBLIC ") => {
                self.end_function();
                match records::public(&line[7..]) {
                    Some(p) => {
                        self.file.publics.push(p);
                        None
                    }
                    None => Some(BadLineKind::Public),
                }
            }
            b'S' if line.starts_with(b"STACK ") => self.stack(&line[6..]),
            b'I' if line.starts_with(b"INLINE ") => self.inline(&line[7..]),
            b'I' if line.starts_with(b"INLINE_ORIGIN ") => match records::inline_origin(&line[14..]) {
                Some(o) => {
                    self.file.inline_origins.push(o);
                    None
                }
                None => Some(BadLineKind::InlineOrigin),
            },
            b'I' if line.starts_with(b"INFO ") => match records::info(&line[5..]) {
                Some(i) => {
                    self.file.info.push(i);
                    None
                }
                None => Some(BadLineKind::Info),
            },
            b'M' if line.starts_with(b"MODULE ") => match (&self.file.module, records::module(&line[7..])) {
                (None, Some(m)) => {
                    self.file.module = Some(m);
                    None
                }
                (Some(_), Some(_)) => Some(BadLineKind::DuplicateModule),
                (_, None) => Some(BadLineKind::Module),
            },
            _ => match (self.function, records::line(line)) {
                (Some(_), Some(l)) => {
                    self.lines.push(l.into());
                    None
                }
                (Some(_), None) => Some(BadLineKind::Line),
                (None, _) => Some(BadLineKind::LineWithoutFunction),
            },
        };
        if let Some(kind) = bad {
            self.stats.bad(number, kind);
        }
    }

    fn inline(&mut self, fields: &[u8]) -> Option<BadLineKind> {
        if self.function.is_none() {
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
        self.inlines.push(inline);
        None
    }

    fn stack(&mut self, fields: &'a [u8]) -> Option<BadLineKind> {
        match records::stack(fields) {
            Some(Stack::CfiInit(init)) => {
                self.end_cfi();
                self.cfi_init = Some(self.file.cfi.len());
                self.file.cfi.push(init);
                None
            }
            Some(Stack::CfiDelta(delta)) => {
                if self.cfi_init.is_none() {
                    return Some(BadLineKind::CfiWithoutInit);
                }
                self.deltas.push(delta);
                None
            }
            Some(Stack::Win(win)) => {
                self.file.win.push(win);
                None
            }
            None => {
                if fields.starts_with(b"CFI INIT ") {
                    // Its deltas must not join the INIT before it.
                    self.end_cfi();
                }
                Some(BadLineKind::Stack)
            }
        }
    }
}

/// Parses a symbol file. Never fails: malformed lines are skipped and
/// counted in the returned [`ParseStats`].
pub fn parse(bytes: &[u8]) -> (SymbolFile<'_>, ParseStats) {
    let mut p = Parser {
        file: SymbolFile::default(),
        stats: ParseStats::default(),
        function: None,
        lines: Vec::new(),
        inlines: Vec::new(),
        inline_depth: None,
        cfi_init: None,
        deltas: Vec::new(),
    };
    let mut pos = 0;
    let mut number = 0;
    while pos < bytes.len() {
        number += 1;
        // Most lines are plain line records: read them straight from the
        // input, without looking for the line's end first.
        if p.function.is_some() {
            if let Some((line, next)) = records::plain_line(bytes, pos) {
                p.lines.push(line.into());
                pos = next;
                continue;
            }
        }
        let rest = &bytes[pos..];
        let len = memchr(b'\n', rest).unwrap_or(rest.len());
        let mut line = &rest[..len];
        pos += len + 1;
        while let [head @ .., b'\r'] = line {
            line = head;
        }
        p.record(line, number);
    }
    p.stats.lines = number;
    p.end_function();
    p.end_cfi();
    // The record vectors grew by doubling: give the slack back.
    let f = &mut p.file;
    f.info.shrink_to_fit();
    f.files.shrink_to_fit();
    f.inline_origins.shrink_to_fit();
    f.functions.shrink_to_fit();
    f.publics.shrink_to_fit();
    f.cfi.shrink_to_fit();
    f.win.shrink_to_fit();
    (p.file, p.stats)
}
