//! Symbol dumping: a binary's debug information to the symbol model
//! ([`crate::SymbolFile`]), which [`crate::write`] turns into `.sym` text.
//!
//! * [`elf`]: ELF with DWARF (`.debug_info`, `.debug_line`, `.eh_frame`,
//!   `.debug_frame`), separate debug files.
//! * [`pe`]: PE with its PDB (functions, lines, publics, `STACK WIN`, x64
//!   unwind info).

pub mod elf;
pub mod pe;

use std::fmt;

/// What went wrong while dumping, in one line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DumpError {
    /// What is wrong, and where when it is known (file, section, offset).
    pub message: String,
}

impl fmt::Display for DumpError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for DumpError {}

impl DumpError {
    /// An error with this message.
    pub fn new(message: impl Into<String>) -> Self {
        DumpError { message: message.into() }
    }
}
