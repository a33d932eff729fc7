//! What the parser skipped: malformed lines are counted, never fatal.

use std::fmt;

/// How many line numbers of bad lines [`ParseStats::first_bad`] keeps.
pub const FIRST_BAD_KEPT: usize = 16;

/// Counts of one parse.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ParseStats {
    /// Lines in the input (a last line without `\n` counts; empty lines
    /// count too, but are never bad).
    pub lines: u64,
    /// Lines skipped because they were malformed or out of place.
    pub bad_lines: u64,
    /// The first [`FIRST_BAD_KEPT`] of them, in order.
    pub first_bad: Vec<BadLine>,
}

impl ParseStats {
    /// The 1-based numbers of the first bad lines.
    pub fn first_bad_line_numbers(&self) -> Vec<u64> {
        self.first_bad.iter().map(|b| b.line_number).collect()
    }

    /// Whether Breakpad would call the module corrupt: any line was bad.
    pub fn is_corrupt(&self) -> bool {
        self.bad_lines > 0
    }

    pub(crate) fn bad(&mut self, line_number: u64, kind: BadLineKind) {
        self.bad_lines += 1;
        if self.first_bad.len() < FIRST_BAD_KEPT {
            self.first_bad.push(BadLine { line_number, kind });
        }
    }
}

/// One skipped line.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BadLine {
    /// 1-based line number in the input.
    pub line_number: u64,
    /// What was wrong.
    pub kind: BadLineKind,
}

/// Why a line was skipped.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum BadLineKind {
    /// A malformed `MODULE` record.
    Module,
    /// A second `MODULE` record (the first one is kept).
    DuplicateModule,
    /// An `INFO` record without a key.
    Info,
    /// A malformed `FILE` record.
    File,
    /// A malformed `INLINE_ORIGIN` record.
    InlineOrigin,
    /// A malformed `FUNC` record. Line and `INLINE` records after it have no
    /// function either.
    Function,
    /// A malformed `INLINE` record.
    Inline,
    /// An `INLINE` record with no `FUNC` before it (or after a `PUBLIC` or a
    /// malformed `FUNC`).
    InlineWithoutFunction,
    /// An `INLINE` record whose depth skips a level (its parent is missing).
    InlineWithoutParent,
    /// A malformed `PUBLIC` record.
    Public,
    /// A malformed `STACK` record, or one of an unknown kind.
    Stack,
    /// A `STACK CFI` delta record with no valid `STACK CFI INIT` before it.
    CfiWithoutInit,
    /// A line that is no known record and not a valid line record.
    Line,
    /// A line record with no `FUNC` before it (or after a `PUBLIC` or a
    /// malformed `FUNC`).
    LineWithoutFunction,
}

impl fmt::Display for BadLineKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Module => "malformed MODULE record",
            Self::DuplicateModule => "second MODULE record",
            Self::Info => "malformed INFO record",
            Self::File => "malformed FILE record",
            Self::InlineOrigin => "malformed INLINE_ORIGIN record",
            Self::Function => "malformed FUNC record",
            Self::Inline => "malformed INLINE record",
            Self::InlineWithoutFunction => "INLINE record without a function",
            Self::InlineWithoutParent => "INLINE record whose parent is missing",
            Self::Public => "malformed PUBLIC record",
            Self::Stack => "malformed STACK record",
            Self::CfiWithoutInit => "STACK CFI record without a STACK CFI INIT",
            Self::Line => "malformed line record or unknown record",
            Self::LineWithoutFunction => "line record without a function",
        })
    }
}

impl fmt::Display for BadLine {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "line {}: {}", self.line_number, self.kind)
    }
}
