//! Breakpad text symbol files (`.sym`): one model for reading and writing,
//! a fast parser, and the address lookups a stack walker needs.
//!
//! * [`model`]: [`SymbolFile`] and one plain type per record (`MODULE`,
//!   `INFO`, `FILE`, `INLINE_ORIGIN`, `FUNC` with its `INLINE` and line
//!   records, `PUBLIC`, `STACK CFI INIT` with its `STACK CFI` records,
//!   `STACK WIN`). Symbol dumpers build it; [`mod@write`] turns it into text.
//! * [`parse()`]: bytes (a slice or a memory-mapped file) to a
//!   [`SymbolFile`] borrowing its names from them. Never fails: malformed
//!   lines are skipped and counted in [`ParseStats`].
//! * [`Symbols`]: a parsed file with its indexes: function, public symbol,
//!   line, inline chain, CFI rules and `STACK WIN` record at an address, in
//!   O(log n), choosing among overlapping records as Breakpad does.
//!
//! ```
//! use mdump_symbols::{Symbols, SymbolAt};
//!
//! let text = b"MODULE Linux x86_64 0123456789ABCDEF0123456789ABCDEF0 app\n\
//!     FILE 0 main.c\n\
//!     FUNC 1000 20 0 main\n\
//!     1000 10 3 0\n\
//!     1010 10 4 0\n\
//!     PUBLIC 2000 0 helper\n\
//!     STACK CFI INIT 1000 20 .cfa: $rsp 8 + .ra: .cfa -8 + ^\n\
//!     STACK CFI 1001 .cfa: $rsp 16 +\n";
//! let symbols = Symbols::parse(text);
//! assert_eq!(symbols.stats().bad_lines, 0);
//! assert_eq!(symbols.function_at(0x1014).unwrap().name, "main");
//! assert_eq!(symbols.line_at(0x1014).unwrap().line.line, 4);
//! assert_eq!(symbols.symbol_at(0x2345).map(|s| s.name().to_owned()), Some("helper".into()));
//! let cfi = symbols.cfi_at(0x1005).unwrap();
//! assert_eq!(cfi.rules(), [(".cfa", "$rsp 16 +"), (".ra", ".cfa -8 + ^")]);
//! // Written back, the text parses to the same records.
//! let text = symbols.file().to_string();
//! let again = mdump_symbols::parse(text.as_bytes()).0;
//! assert_eq!(&again, symbols.file());
//! ```
#![deny(unsafe_code)]
#![deny(missing_docs)]

pub mod cfi;
pub mod dump;
mod index;
mod lazy;
mod lex;
mod lookup;
pub mod model;
mod parse;
mod records;
mod source;
pub mod stats;
pub mod store;
pub mod write;

pub use cfi::CfiRules;
pub use lazy::{FoundCfi, FoundInline, FoundLine, FoundSymbol, LazySymbols};
pub use lookup::{InlineFrame, SourceLine, SymbolAt, Symbols};
pub use model::{
    CfiDelta, CfiInit, FileRecord, Function, InfoRecord, Inline, InlineOrigin, InlineRange, Line, Lines, LinesIter,
    ModuleRecord, Public, StackWin, StackWinType, SymbolFile, WinProgram,
};
pub use parse::parse;
pub use source::{ByteSource, SymbolBytes};
pub use stats::{BadLine, BadLineKind, ParseStats};

impl<'a> SymbolFile<'a> {
    /// [`parse()`]: the records of `bytes` and what was skipped.
    pub fn parse(bytes: &'a [u8]) -> (SymbolFile<'a>, ParseStats) {
        parse::parse(bytes)
    }
}
