//! Writing the model back as symbol-file text.
//!
//! Every record type implements `Display` as its one line (without the line
//! break); a [`SymbolFile`] displays as the whole file, each line ending in
//! `\n`, in the order Breakpad's dumpers use: `MODULE`, `INFO`, `FILE`,
//! `INLINE_ORIGIN`, each `FUNC` followed by its `INLINE` and line records,
//! `PUBLIC`, `STACK CFI INIT` each followed by its `STACK CFI` records, and
//! `STACK WIN`. Numbers are written as the format wants them: lower-case
//! hexadecimal without `0x`, or decimal.
//!
//! Parsing what this writes gives back an equal [`SymbolFile`] (tested on
//! the corpus and by the fuzz target), with one exception in the format
//! itself: a new-form `INLINE_ORIGIN` whose name starts with a word of
//! digits reads back as the old form.

use std::fmt::{self, Display, Formatter};
use std::io;

use crate::model::{
    CfiDelta, CfiInit, FileRecord, Function, FunctionOrPublic, InfoRecord, Inline, InlineOrigin, Line, ModuleRecord,
    Public, StackWin, SymbolFile, WinProgram,
};

impl Display for ModuleRecord<'_> {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        write!(f, "MODULE {} {} {} {}", self.os, self.arch, self.id, self.name)
    }
}

impl Display for InfoRecord<'_> {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        // A key ending in '\r' keeps the space before the (empty) value: at
        // the end of a line the reader would drop the '\r'.
        if self.value.is_empty() && !self.key.ends_with('\r') {
            write!(f, "INFO {}", self.key)
        } else {
            write!(f, "INFO {} {}", self.key, self.value)
        }
    }
}

impl Display for FileRecord<'_> {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        write!(f, "FILE {} {}", self.id, self.name)
    }
}

impl Display for InlineOrigin<'_> {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        match self.file {
            Some(file) => write!(f, "INLINE_ORIGIN {} {} {}", self.id, file, self.name),
            None => write!(f, "INLINE_ORIGIN {} {}", self.id, self.name),
        }
    }
}

fn m_flag(multiple: bool) -> &'static str {
    if multiple {
        "m "
    } else {
        ""
    }
}

/// The `FUNC` line alone; [`Function::write_with_records`] adds its `INLINE`
/// and line records.
impl Display for Function<'_> {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "FUNC {}{:x} {:x} {:x} {}",
            m_flag(self.multiple),
            self.address,
            self.size,
            self.parameter_size,
            self.name
        )
    }
}

impl Function<'_> {
    /// The `FUNC` line, its `INLINE` records and its line records, each
    /// ending in `\n`.
    pub fn write_with_records(&self, f: &mut impl fmt::Write) -> fmt::Result {
        writeln!(f, "{self}")?;
        for inline in &self.inlines {
            writeln!(f, "{inline}")?;
        }
        for line in &self.lines {
            writeln!(f, "{line}")?;
        }
        Ok(())
    }
}

impl Display for Line {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        write!(f, "{:x} {:x} {} {}", self.address, self.size, self.line, self.file)
    }
}

impl Display for Inline {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        write!(f, "INLINE {} {}", self.depth, self.call_line)?;
        if let Some(file) = self.call_file {
            write!(f, " {file}")?;
        }
        write!(f, " {}", self.origin)?;
        for range in &self.ranges {
            write!(f, " {:x} {:x}", range.address, range.size)?;
        }
        Ok(())
    }
}

impl Display for Public<'_> {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        write!(f, "PUBLIC {}{:x} {:x} {}", m_flag(self.multiple), self.address, self.parameter_size, self.name)
    }
}

/// The `STACK CFI INIT` line alone; [`CfiInit::write_with_deltas`] adds its
/// `STACK CFI` records.
impl Display for CfiInit<'_> {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        write!(f, "STACK CFI INIT {:x} {:x} {}", self.address, self.size, self.rules)
    }
}

impl CfiInit<'_> {
    /// The `STACK CFI INIT` line and its `STACK CFI` records, each ending in
    /// `\n`.
    pub fn write_with_deltas(&self, f: &mut impl fmt::Write) -> fmt::Result {
        writeln!(f, "{self}")?;
        for delta in &self.deltas {
            writeln!(f, "{delta}")?;
        }
        Ok(())
    }
}

impl Display for CfiDelta<'_> {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        write!(f, "STACK CFI {:x} {}", self.address, self.rules)
    }
}

impl Display for StackWin<'_> {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "STACK WIN {:x} {:x} {:x} {:x} {:x} {:x} {:x} {:x} {:x} ",
            self.ty as u32,
            self.address,
            self.code_size,
            self.prologue_size,
            self.epilogue_size,
            self.parameter_size,
            self.saved_register_size,
            self.local_size,
            self.max_stack_size,
        )?;
        match &self.program {
            WinProgram::ProgramString(program) => write!(f, "1 {program}"),
            WinProgram::AllocatesBasePointer(allocates) => write!(f, "0 {}", u8::from(*allocates)),
        }
    }
}

/// The whole file, each line ending in `\n`.
impl Display for SymbolFile<'_> {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        if let Some(module) = &self.module {
            writeln!(f, "{module}")?;
        }
        for info in &self.info {
            writeln!(f, "{info}")?;
        }
        for file in &self.files {
            writeln!(f, "{file}")?;
        }
        for origin in &self.inline_origins {
            writeln!(f, "{origin}")?;
        }
        for record in self.functions_and_publics() {
            match record {
                FunctionOrPublic::Function(function) => function.write_with_records(f)?,
                FunctionOrPublic::Public(public) => writeln!(f, "{public}")?,
            }
        }
        for init in &self.cfi {
            init.write_with_deltas(f)?;
        }
        for win in &self.win {
            writeln!(f, "{win}")?;
        }
        Ok(())
    }
}

impl SymbolFile<'_> {
    /// Writes the file to `out` (wrap files in a `BufWriter`).
    pub fn write_to(&self, out: &mut impl io::Write) -> io::Result<()> {
        write!(out, "{self}")
    }
}

#[cfg(test)]
mod tests {
    use crate::parse;

    /// Found by the sym_parse fuzz target: an `INFO` key ending in `\r`
    /// with no value lost its `\r`s when written and read back.
    #[test]
    fn an_info_key_ending_in_a_carriage_return_round_trips() {
        let (file, stats) = parse(b"INFO  2\0\xc8\r\r\r\r \n");
        assert_eq!(stats.bad_lines, 0);
        assert_eq!(file.info[0].key, "2\0\u{fffd}\r\r\r\r");
        let text = file.to_string();
        let (again, stats) = parse(text.as_bytes());
        assert_eq!((stats.bad_lines, &again), (0, &file));
        let mut fast = Vec::new();
        crate::dump::text::write_symbol_file(&file, &mut fast).unwrap();
        assert_eq!(fast, text.as_bytes());
    }
}
