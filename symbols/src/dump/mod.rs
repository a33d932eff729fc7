//! Symbol dumping: a binary's debug information to the symbol model
//! ([`crate::SymbolFile`]), which [`crate::write`] turns into `.sym` text.
//!
//! * [`elf`]: ELF with DWARF (`.debug_info`, `.debug_line`, `.eh_frame`,
//!   `.debug_frame`), separate debug files.
//! * [`pe`]: PE with its PDB (functions, lines, publics, `STACK WIN`, x64
//!   unwind info).
//!
//! [`dump_path`] looks at the first bytes of a file (ELF, PE or PDB) and
//! hands it to the right one; [`dump_bytes`] does the same for bytes
//! already in memory.
//! [`text::write_symbol_file`] writes the result as `Display` would, faster.

pub mod elf;
pub mod pe;
pub mod text;

use std::fmt;
use std::path::{Path, PathBuf};

use crate::SymbolFile;

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

/// What to put in a symbol file, and where to look for debug information.
#[derive(Clone, Debug)]
pub struct Options {
    /// Keep C++ and Rust names as the linker sees them instead of
    /// demangling them.
    pub keep_mangled: bool,
    /// Write `INLINE_ORIGIN` and `INLINE` records (Breakpad's `dump_syms -d`).
    pub inlines: bool,
    /// Write `STACK CFI` records.
    pub cfi: bool,
    /// A separate debug file to read instead of searching for one.
    pub debug_file: Option<PathBuf>,
    /// Roots searched for separate debug files: `ROOT/<dir of the binary>/
    /// <debuglink>` and `ROOT/.build-id/xx/rest.debug` (default
    /// `/usr/lib/debug`).
    pub debug_roots: Vec<PathBuf>,
    /// Worker threads for one binary's compilation units (0: one per core).
    pub threads: usize,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            keep_mangled: false,
            inlines: true,
            cfi: true,
            debug_file: None,
            debug_roots: vec![PathBuf::from("/usr/lib/debug")],
            threads: 0,
        }
    }
}

/// The kind of binary a file holds, from its first bytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BinaryKind {
    /// `\x7fELF`.
    Elf,
    /// A PE image (`MZ` with a `PE\0\0` header): dumped with its PDB.
    Pe,
    /// A PDB (MSF 7.0): dumped with its image when that is found.
    Pdb,
}

/// The kind of binary `bytes` starts like, if any we can dump.
pub fn binary_kind(bytes: &[u8]) -> Option<BinaryKind> {
    if bytes.starts_with(b"\x7fELF") {
        Some(BinaryKind::Elf)
    } else if pe::is_pdb(bytes) {
        Some(BinaryKind::Pdb)
    } else if pe::is_pe(bytes) {
        Some(BinaryKind::Pe)
    } else {
        None
    }
}

/// Dumps the binary at `path`: an ELF file with its separate debug files as
/// the options say, or a PE image or PDB with its other half
/// ([`pe::dump_pe_path`]; `Options::debug_file` names that half).
pub fn dump_path(path: &Path, options: &Options) -> Result<SymbolFile<'static>, DumpError> {
    let map = elf::Mapped::open(path)?;
    match binary_kind(map.bytes()) {
        Some(BinaryKind::Elf) => elf::dump_file(path, &map, options),
        Some(BinaryKind::Pe | BinaryKind::Pdb) => {
            drop(map);
            pe::dump_pe_path(path, options.debug_file.as_deref(), options.keep_mangled).map(|f| without_cfi(f, options))
        }
        None => Err(DumpError::new(format!("{}: not an ELF, PE or PDB file (first bytes unknown)", path.display()))),
    }
}

/// Dumps a binary held in memory; `name` is the file name that goes into
/// the `MODULE` record (ELF without `DT_SONAME`; the image name of a PE),
/// `debug` an optional separate debug file (ELF) or the PDB of a PE image.
/// Nothing is read from the file system.
pub fn dump_bytes(
    name: &str,
    bytes: &[u8],
    debug: Option<&[u8]>,
    options: &Options,
) -> Result<SymbolFile<'static>, DumpError> {
    let pe_options =
        pe::PeOptions { pe_name: Some(name.to_owned()), keep_mangled: options.keep_mangled, ..Default::default() };
    match binary_kind(bytes) {
        Some(BinaryKind::Elf) => elf::dump_elf(name, bytes, debug, options),
        Some(BinaryKind::Pe) => pe::dump_pe(Some(bytes), debug, &pe_options).map(|f| without_cfi(f, options)),
        Some(BinaryKind::Pdb) => {
            let pdb_options = pe::PeOptions { pdb_name: Some(name.to_owned()), pe_name: None, ..pe_options };
            pe::dump_pe(debug, Some(bytes), &pdb_options).map(|f| without_cfi(f, options))
        }
        None => Err(DumpError::new(format!("{name}: not an ELF, PE or PDB file (first bytes unknown)"))),
    }
}

/// `Options::cfi` off: the PE dumper always reads unwind information, so the
/// `STACK CFI` records are dropped here.
fn without_cfi(mut file: SymbolFile<'static>, options: &Options) -> SymbolFile<'static> {
    if !options.cfi {
        file.cfi.clear();
    }
    file
}
