//! The symbol model: one plain-data value per record of a Breakpad symbol
//! file, shared by the parser (which fills it from text, borrowing the
//! names) and by symbol dumpers (which fill it from debug information and
//! write it with [`crate::write`]).
//!
//! Records are kept in the order the file gives them; nothing is dropped
//! because it overlaps or repeats another record. How overlaps are resolved
//! for address lookups (Breakpad's rules) is the business of
//! [`crate::Symbols`], not of the model.
//!
//! Text fields are `Cow<'a, str>`: the parser borrows them from the input
//! (or owns a lossily decoded copy when the bytes are not UTF-8), a dumper
//! owns them. [`SymbolFile::into_owned`] detaches a parsed file from its
//! input.
//!
//! A text field must not contain a line break (`\n`), and a trailing `\r` is
//! lost on reading: the format has no way to quote them.

use std::borrow::Cow;

/// A whole symbol file.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SymbolFile<'a> {
    /// The `MODULE` record; Breakpad expects it on the first line. `None`
    /// when the file has none (or only malformed ones).
    pub module: Option<ModuleRecord<'a>>,
    /// `INFO` records, in file order.
    pub info: Vec<InfoRecord<'a>>,
    /// `FILE` records, in file order.
    pub files: Vec<FileRecord<'a>>,
    /// `INLINE_ORIGIN` records, in file order.
    pub inline_origins: Vec<InlineOrigin<'a>>,
    /// `FUNC` records with their `INLINE` and line records, in file order.
    pub functions: Vec<Function<'a>>,
    /// `PUBLIC` records, in file order.
    pub publics: Vec<Public<'a>>,
    /// Where the `PUBLIC` records stand among the `FUNC` records: for each
    /// public, in order, how many functions come before it in the file.
    /// Empty (or shorter than `publics`) means the rest follow every
    /// function, Breakpad's layout for ELF and Mach-O; its Windows dumper
    /// writes both in one address-ordered walk instead. The parser records
    /// the layout it read and the PDB dumper Breakpad's, so both write back
    /// in the same order. [`SymbolFile::functions_and_publics`] walks it.
    pub public_positions: Vec<u32>,
    /// `STACK CFI INIT` records, each with the `STACK CFI` records after it.
    pub cfi: Vec<CfiInit<'a>>,
    /// `STACK WIN` records, in file order.
    pub win: Vec<StackWin<'a>>,
}

/// `MODULE <os> <arch> <id> <name>`: what the file describes, for symbol
/// stores (`<name>/<id>/<name>.sym`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ModuleRecord<'a> {
    /// Operating system: `Linux`, `mac`, `windows`, ... (no spaces).
    pub os: Cow<'a, str>,
    /// Processor architecture: `x86`, `x86_64`, `arm64`, ... (no spaces).
    pub arch: Cow<'a, str>,
    /// Debug identifier, hexadecimal digits (no spaces).
    pub id: Cow<'a, str>,
    /// Base name of the executable or library (or of its PDB); may contain
    /// spaces.
    pub name: Cow<'a, str>,
}

/// `INFO <key> [<value>]`: housekeeping facts, such as
/// `INFO CODE_ID <code id> [<code file>]` or `INFO GENERATOR <tool>`.
/// Breakpad's processor ignores them.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct InfoRecord<'a> {
    /// The first word (`CODE_ID`, `GENERATOR`, ...).
    pub key: Cow<'a, str>,
    /// The rest of the line after the key and one space; may be empty.
    pub value: Cow<'a, str>,
}

impl InfoRecord<'_> {
    /// For `INFO CODE_ID <code id> [<code file>]`: the code identifier and
    /// the code file name, if given.
    pub fn code_id(&self) -> Option<(&str, Option<&str>)> {
        if self.key != "CODE_ID" || self.value.is_empty() {
            return None;
        }
        Some(match self.value.split_once(' ') {
            Some((id, file)) => (id, Some(file)),
            None => (&self.value, None),
        })
    }
}

/// `FILE <id> <name>`: a source file name that line, `INLINE` and
/// `INLINE_ORIGIN` records refer to by number.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct FileRecord<'a> {
    /// The number other records use (decimal in the file).
    pub id: u32,
    /// The file name; may contain spaces.
    pub name: Cow<'a, str>,
}

/// `INLINE_ORIGIN`: the name of a function that was inlined somewhere,
/// referred to by `INLINE` records.
///
/// Two forms exist. The old one, `INLINE_ORIGIN <id> <file> <name>`, also
/// names the file the function is defined in; the new one,
/// `INLINE_ORIGIN <id> <name>`, does not (the call site's file moved to the
/// `INLINE` record). Breakpad tells them apart by the word after the id:
/// all digits (optionally after a `-`) means the old form. So a new-form
/// name whose first word is a number cannot be written unambiguously.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct InlineOrigin<'a> {
    /// The number `INLINE` records use.
    pub id: u32,
    /// Old form only: the `FILE` id of the definition; `-1` for artificial
    /// functions without a file. `None` for the new form.
    pub file: Option<i32>,
    /// The function's name; may contain spaces.
    pub name: Cow<'a, str>,
}

/// `FUNC [m] <address> <size> <parameter size> <name>`: a function, with
/// the `INLINE` and line records that follow it in the file.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Function<'a> {
    /// Start address, relative to the module's load address.
    pub address: u64,
    /// Length of its code in bytes. Breakpad ignores functions of size 0.
    pub size: u64,
    /// Bytes of arguments the callee pops (stdcall and friends).
    pub parameter_size: u32,
    /// The `m` flag: several symbols share this code (identical code
    /// folding); only one name is given.
    pub multiple: bool,
    /// The (demangled) name; may contain spaces.
    pub name: Cow<'a, str>,
    /// Line records, in file order.
    pub lines: Lines,
    /// `INLINE` records, in file order (a parent before its children).
    pub inlines: Vec<Inline>,
}

impl Function<'_> {
    /// One past the last address, saturating at `u64::MAX`.
    pub fn end(&self) -> u64 {
        self.address.saturating_add(self.size)
    }
}

/// `<address> <size> <line> <file>`: a range of machine code attributed to
/// a source line. Belongs to the `FUNC` before it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Line {
    /// Start address, relative to the module's load address.
    pub address: u64,
    /// Length in bytes (a line record of 4 GiB or more is refused as
    /// malformed).
    pub size: u32,
    /// Source line number (decimal in the file); 0 for code with no line.
    pub line: u32,
    /// `FILE` id (decimal in the file).
    pub file: u32,
}

/// A [`Line`] as [`Lines`] stores it: 20 bytes with 4-byte alignment
/// instead of 24, since line records are most of a symbol file and their
/// text averages 14 to 17 bytes.
#[derive(Clone, Copy, Default, PartialEq, Eq)]
#[repr(C, packed(4))]
pub(crate) struct PackedLine {
    pub(crate) address: u64,
    pub(crate) size: u32,
    pub(crate) line: u32,
    pub(crate) file: u32,
}

impl From<Line> for PackedLine {
    #[inline]
    fn from(l: Line) -> Self {
        PackedLine { address: l.address, size: l.size, line: l.line, file: l.file }
    }
}

impl From<PackedLine> for Line {
    #[inline]
    fn from(l: PackedLine) -> Self {
        Line { address: l.address, size: l.size, line: l.line, file: l.file }
    }
}

/// The line records of a [`Function`], in order: a vector of [`Line`]
/// values stored packed (see [`Lines::get`], [`Lines::iter`],
/// [`Lines::push`]; `Vec<Line>` converts with `into()`).
#[derive(Clone, Default, PartialEq, Eq)]
pub struct Lines(pub(crate) Vec<PackedLine>);

impl Lines {
    /// No lines.
    pub fn new() -> Self {
        Lines(Vec::new())
    }

    /// Room for `n` lines.
    pub fn with_capacity(n: usize) -> Self {
        Lines(Vec::with_capacity(n))
    }

    /// How many lines.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Line `i`.
    pub fn get(&self, i: usize) -> Option<Line> {
        self.0.get(i).map(|&l| l.into())
    }

    /// Appends a line.
    pub fn push(&mut self, line: Line) {
        self.0.push(line.into());
    }

    /// The lines in order.
    pub fn iter(&self) -> LinesIter<'_> {
        LinesIter(self.0.iter())
    }
}

impl std::fmt::Debug for Lines {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list().entries(self.iter()).finish()
    }
}

impl From<Vec<Line>> for Lines {
    fn from(lines: Vec<Line>) -> Self {
        lines.into_iter().collect()
    }
}

impl FromIterator<Line> for Lines {
    fn from_iter<I: IntoIterator<Item = Line>>(iter: I) -> Self {
        Lines(iter.into_iter().map(PackedLine::from).collect())
    }
}

impl<'s> IntoIterator for &'s Lines {
    type Item = Line;
    type IntoIter = LinesIter<'s>;

    fn into_iter(self) -> LinesIter<'s> {
        self.iter()
    }
}

/// The lines of a [`Lines`], by value.
#[derive(Clone, Debug)]
pub struct LinesIter<'s>(std::slice::Iter<'s, PackedLine>);

impl Iterator for LinesIter<'_> {
    type Item = Line;

    fn next(&mut self) -> Option<Line> {
        self.0.next().map(|&l| l.into())
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        self.0.size_hint()
    }
}

impl DoubleEndedIterator for LinesIter<'_> {
    fn next_back(&mut self) -> Option<Line> {
        self.0.next_back().map(|&l| l.into())
    }
}

impl ExactSizeIterator for LinesIter<'_> {}

impl std::fmt::Debug for PackedLine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        Line::from(*self).fmt(f)
    }
}

impl<const N: usize> PartialEq<[Line; N]> for Lines {
    fn eq(&self, other: &[Line; N]) -> bool {
        self.len() == N && self.iter().eq(other.iter().copied())
    }
}

/// `INLINE`: a call that the compiler inlined into the enclosing `FUNC`.
///
/// Old form: `INLINE <depth> <call line> <origin> (<address> <size>)+`.
/// New form: `INLINE <depth> <call line> <call file> <origin>
/// (<address> <size>)+`. Breakpad tells them apart by the parity of the
/// number of fields.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Inline {
    /// Nesting depth: 0 for a call made directly by the `FUNC`, 1 for a call
    /// inside that inlined code, and so on.
    pub depth: u32,
    /// Line of the call site, in the caller.
    pub call_line: u32,
    /// New form only: `FILE` id of the call site (`-1`: none). `None` for
    /// the old form.
    pub call_file: Option<i32>,
    /// `INLINE_ORIGIN` id of the inlined function.
    pub origin: u32,
    /// The code ranges of the inlined copy; at least one.
    pub ranges: Vec<InlineRange>,
}

/// One code range of an [`Inline`].
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct InlineRange {
    /// Start address, relative to the module's load address.
    pub address: u64,
    /// Length in bytes.
    pub size: u64,
}

/// `PUBLIC [m] <address> <parameter size> <name>`: a linker symbol. Breakpad
/// treats it as a function without lines that extends to the next symbol.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Public<'a> {
    /// Address, relative to the module's load address. Breakpad ignores
    /// public symbols at address 0.
    pub address: u64,
    /// Bytes of arguments the callee pops.
    pub parameter_size: u32,
    /// The `m` flag, as for [`Function::multiple`].
    pub multiple: bool,
    /// The name; may contain spaces.
    pub name: Cow<'a, str>,
}

/// `STACK CFI INIT <address> <size> <rules>`: call frame information for a
/// range of code, with the `STACK CFI <address> <rules>` records that change
/// some rules from an address on.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CfiInit<'a> {
    /// Start of the range, relative to the module's load address.
    pub address: u64,
    /// Length of the range, covering all of its delta records.
    pub size: u64,
    /// The rules in force at `address`: `<register>: <postfix expression>`
    /// pairs, as written (see [`crate::cfi::rule_pairs`]).
    pub rules: Cow<'a, str>,
    /// The `STACK CFI` records that followed, in file order (ascending
    /// addresses in a well-formed file).
    pub deltas: Vec<CfiDelta<'a>>,
}

/// `STACK CFI <address> <rules>`: rules that change from `address` on.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CfiDelta<'a> {
    /// Where the change takes effect, relative to the module's load address.
    pub address: u64,
    /// The changed rules, as written.
    pub rules: Cow<'a, str>,
}

/// The `<type>` field of a `STACK WIN` record: Microsoft DIA's
/// `StackFrameTypeEnum`. Breakpad uses only [`Fpo`](Self::Fpo) and
/// [`FrameData`](Self::FrameData).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum StackWinType {
    /// 0, `FrameTypeFPO`: frame-pointer-omission data (the `FPO_DATA`
    /// struct); usually with an `allocates_base_pointer` flag.
    #[default]
    Fpo = 0,
    /// 1, `FrameTypeTrap`: a kernel trap frame.
    Trap = 1,
    /// 2, `FrameTypeTSS`: a task-switch frame.
    Tss = 2,
    /// 3, `FrameTypeStandard`: a standard EBP frame.
    Standard = 3,
    /// 4, `FrameTypeFrameData`: newer frame data, with a program string.
    FrameData = 4,
}

impl StackWinType {
    /// The type for a field value, if it is one of the five.
    pub fn from_u32(value: u32) -> Option<Self> {
        Some(match value {
            0 => Self::Fpo,
            1 => Self::Trap,
            2 => Self::Tss,
            3 => Self::Standard,
            4 => Self::FrameData,
            _ => return None,
        })
    }
}

/// The last field of a `STACK WIN` record, chosen by its
/// `has_program_string` field.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum WinProgram<'a> {
    /// `has_program_string` is 0: whether the function uses `%ebp` as a
    /// general register (so `%ebp` does not point at its frame).
    AllocatesBasePointer(bool),
    /// `has_program_string` is not 0: a postfix program that recovers the
    /// caller's registers; may contain spaces.
    ProgramString(Cow<'a, str>),
}

impl Default for WinProgram<'_> {
    fn default() -> Self {
        Self::AllocatesBasePointer(false)
    }
}

/// `STACK WIN <type> <rva> <code size> <prologue size> <epilogue size>
/// <parameter size> <saved register size> <local size> <max stack size>
/// <has program string> <program string | allocates base pointer>`: how to
/// find the caller's frame from a range of x86 Windows code. All numbers are
/// hexadecimal.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct StackWin<'a> {
    /// The kind of frame data.
    pub ty: StackWinType,
    /// Start of the code range, relative to the module's load address.
    pub address: u64,
    /// Length of the code range in bytes.
    pub code_size: u64,
    /// Length of the prologue within the range.
    pub prologue_size: u32,
    /// Length of the epilogue within the range.
    pub epilogue_size: u32,
    /// Bytes of arguments passed to the function.
    pub parameter_size: u32,
    /// Bytes of the frame used to save callee-saved registers.
    pub saved_register_size: u32,
    /// Bytes of the frame used for locals.
    pub local_size: u32,
    /// Most bytes pushed on the stack by the frame.
    pub max_stack_size: u32,
    /// The program string or the `allocates_base_pointer` flag.
    pub program: WinProgram<'a>,
}

fn own(text: Cow<'_, str>) -> Cow<'static, str> {
    Cow::Owned(text.into_owned())
}

impl SymbolFile<'_> {
    /// The same records with every text field owned, detached from the
    /// input the parser borrowed from.
    pub fn into_owned(self) -> SymbolFile<'static> {
        SymbolFile {
            module: self.module.map(|m| ModuleRecord {
                os: own(m.os),
                arch: own(m.arch),
                id: own(m.id),
                name: own(m.name),
            }),
            info: self.info.into_iter().map(|i| InfoRecord { key: own(i.key), value: own(i.value) }).collect(),
            files: self.files.into_iter().map(|f| FileRecord { id: f.id, name: own(f.name) }).collect(),
            inline_origins: self
                .inline_origins
                .into_iter()
                .map(|o| InlineOrigin { id: o.id, file: o.file, name: own(o.name) })
                .collect(),
            functions: self
                .functions
                .into_iter()
                .map(|f| Function {
                    address: f.address,
                    size: f.size,
                    parameter_size: f.parameter_size,
                    multiple: f.multiple,
                    name: own(f.name),
                    lines: f.lines,
                    inlines: f.inlines,
                })
                .collect(),
            publics: self
                .publics
                .into_iter()
                .map(|p| Public {
                    address: p.address,
                    parameter_size: p.parameter_size,
                    multiple: p.multiple,
                    name: own(p.name),
                })
                .collect(),
            public_positions: self.public_positions,
            cfi: self
                .cfi
                .into_iter()
                .map(|c| CfiInit {
                    address: c.address,
                    size: c.size,
                    rules: own(c.rules),
                    deltas: c
                        .deltas
                        .into_iter()
                        .map(|d| CfiDelta { address: d.address, rules: own(d.rules) })
                        .collect(),
                })
                .collect(),
            win: self
                .win
                .into_iter()
                .map(|w| StackWin {
                    program: match w.program {
                        WinProgram::AllocatesBasePointer(b) => WinProgram::AllocatesBasePointer(b),
                        WinProgram::ProgramString(s) => WinProgram::ProgramString(own(s)),
                    },
                    ty: w.ty,
                    address: w.address,
                    code_size: w.code_size,
                    prologue_size: w.prologue_size,
                    epilogue_size: w.epilogue_size,
                    parameter_size: w.parameter_size,
                    saved_register_size: w.saved_register_size,
                    local_size: w.local_size,
                    max_stack_size: w.max_stack_size,
                })
                .collect(),
        }
    }
}

/// A `FUNC` (with its lines) or a `PUBLIC` record, as
/// [`SymbolFile::functions_and_publics`] gives them.
#[derive(Clone, Copy, Debug)]
pub enum FunctionOrPublic<'r, 'a> {
    /// A `FUNC` record.
    Function(&'r Function<'a>),
    /// A `PUBLIC` record.
    Public(&'r Public<'a>),
}

impl<'a> SymbolFile<'a> {
    /// The `FUNC` and `PUBLIC` records in the order they are written:
    /// each public before the function [`public_positions`] places it at,
    /// the others after all functions.
    ///
    /// ```
    /// use mdump_symbols::model::{FunctionOrPublic, SymbolFile};
    /// let (file, _) = mdump_symbols::parse(b"FUNC 10 4 0 f\nPUBLIC 20 0 p\nFUNC 30 4 0 g\n");
    /// let kinds: Vec<bool> =
    ///     file.functions_and_publics().map(|r| matches!(r, FunctionOrPublic::Public(_))).collect();
    /// assert_eq!(kinds, [false, true, false]);
    /// ```
    ///
    /// [`public_positions`]: SymbolFile::public_positions
    pub fn functions_and_publics(&self) -> impl Iterator<Item = FunctionOrPublic<'_, 'a>> {
        let mut publics = self.publics.iter().enumerate().peekable();
        let mut functions = self.functions.iter().enumerate().peekable();
        let position = |i: usize| self.public_positions.get(i).map_or(usize::MAX, |&p| p as usize);
        core::iter::from_fn(move || {
            let public_next = match (publics.peek(), functions.peek()) {
                (Some(&(i, _)), Some(&(f, _))) => position(i) <= f,
                (Some(_), None) => true,
                (None, _) => false,
            };
            if public_next {
                publics.next().map(|(_, p)| FunctionOrPublic::Public(p))
            } else {
                functions.next().map(|(_, f)| FunctionOrPublic::Function(f))
            }
        })
    }
}
