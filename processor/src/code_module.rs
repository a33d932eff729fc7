//! The loaded modules of a process, as a processor sees them: identity for
//! the symbol store, address range, and whether symbols were found.

use mdump_reader::module_list::{elf_debug_id, CodeView};
use mdump_reader::{Minidump, Module, ModuleList, UnloadedModuleList};

/// What became of a module's symbols.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub enum SymbolStatus {
    /// Nobody asked for them (no frame of any walked stack was in the
    /// module). Breakpad prints no warning for these.
    #[default]
    NotLookedUp,
    /// Found and read.
    Loaded,
    /// Asked for and not found: Breakpad's `(WARNING: No symbols, ...)`.
    Missing,
    /// Found but unreadable: Breakpad's `(WARNING: Corrupt symbols, ...)`.
    Corrupt,
}

/// One loaded module (Breakpad's `CodeModule`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CodeModule {
    /// Load address.
    pub base: u64,
    /// Size of the mapped image in bytes.
    pub size: u64,
    /// The module's path as the dump gives it.
    pub code_file: String,
    /// The identifier of the binary itself (`TimeDateStamp` and
    /// `SizeOfImage` for PE, the build id for ELF, `id` where Breakpad has
    /// none); empty if unknown.
    pub code_identifier: String,
    /// The file holding its debug information (the PDB, or the ELF binary
    /// itself); empty if unknown.
    pub debug_file: String,
    /// The identifier symbol files are stored under, e.g.
    /// `5A9832E5287241C1838ED98914E9B7FF1`; empty if unknown.
    pub debug_identifier: String,
    /// The file version (`a.b.c.d`) from the version resource, if any.
    pub version: Option<String>,
    /// The `TimeDateStamp` of the module's entry (the PE link time on
    /// Windows; usually 0 elsewhere).
    pub time_date_stamp: u32,
    /// Whether this is the main executable: the dump's first module (its
    /// base address, as Breakpad compares it).
    pub is_main: bool,
    /// Whether symbols were looked up and found.
    pub symbols: SymbolStatus,
}

/// The last path component of `path`, with `/` and `\` both taken as
/// separators (Breakpad's `PathnameStripper::File`).
pub fn file_name(path: &str) -> &str {
    path.rsplit(['/', '\\']).next().unwrap_or(path)
}

impl CodeModule {
    /// The module an entry of the ModuleList describes.
    pub fn from_module(m: &Module<'_>) -> CodeModule {
        let debug_identifier = match m.codeview() {
            // Breakpad pads an empty or short build id with zeros; it does
            // not leave the identifier empty.
            Ok(Some(CodeView::Elf { build_id })) => elf_debug_id(build_id),
            _ => m.debug_identifier().map(|id| id.to_string()).unwrap_or_default(),
        };
        CodeModule {
            base: m.base(),
            size: m.size(),
            code_file: m.code_file(),
            code_identifier: m.code_identifier().map(|id| id.to_string()).unwrap_or_default(),
            debug_file: m.debug_file().map(|f| f.to_string()).unwrap_or_default(),
            debug_identifier,
            version: m.version().map(|v| v.to_string()),
            time_date_stamp: m.raw.time_date_stamp.get(),
            is_main: false,
            symbols: SymbolStatus::NotLookedUp,
        }
    }

    /// One past the last address (saturating).
    pub fn end(&self) -> u64 {
        self.base.saturating_add(self.size)
    }

    /// The last address (what Breakpad prints as the end of the range).
    pub fn last_address(&self) -> u64 {
        self.base.wrapping_add(self.size).wrapping_sub(1)
    }

    /// Whether `address` is inside the module.
    pub fn contains(&self, address: u64) -> bool {
        address >= self.base && address - self.base < self.size
    }

    /// The code file without its directory.
    pub fn code_file_name(&self) -> &str {
        file_name(&self.code_file)
    }

    /// The debug file without its directory.
    pub fn debug_file_name(&self) -> &str {
        file_name(&self.debug_file)
    }
}

/// The modules of a ModuleList, ordered by base address, the main module
/// marked.
///
/// Exact repeats (same base, size and path) are listed once. Breakpad
/// refuses a whole module list whose ranges overlap (except on Linux and
/// Android, where it shortens the lower one); this processor keeps every
/// module, and an address in an overlap belongs to the module with the
/// higher base, as it would after Breakpad's shortening.
pub fn modules_of(list: &ModuleList<'_>) -> Vec<CodeModule> {
    let main_base = list.iter().next().map(|m| m.base());
    let mut modules: Vec<CodeModule> = list.iter().map(|m| CodeModule::from_module(&m)).collect();
    modules.sort_by_key(|m| m.base);
    modules.dedup_by(|b, a| a.base == b.base && a.size == b.size && a.code_file == b.code_file);
    for m in &mut modules {
        m.is_main = Some(m.base) == main_base;
    }
    modules
}

/// The modules of `dump`'s ModuleList (see [`modules_of`]); an empty list if
/// it has none, the reader's error if it has an unreadable one.
pub fn modules_of_dump(dump: &Minidump<'_>) -> Result<Vec<CodeModule>, mdump_reader::Error> {
    Ok(dump.stream::<ModuleList>()?.map(|l| modules_of(&l)).unwrap_or_default())
}

/// For each entry of `list` in file order, the index into `modules` (the
/// list as [`modules_of`] sorted and deduplicated it) of the module it
/// became. Exact repeats point at the same module.
pub fn dump_order(list: &ModuleList<'_>, modules: &[CodeModule]) -> Vec<usize> {
    list.iter()
        .filter_map(|m| {
            let (base, size) = (m.base(), m.size());
            let first = modules.partition_point(|c| c.base < base);
            let same_base = modules.get(first..)?.iter().take_while(|c| c.base == base);
            let mut candidates = same_base.enumerate().filter(|(_, c)| c.size == size);
            let (offset, _) = match candidates.clone().nth(1) {
                // Several modules at this base with this size: tell them
                // apart by path.
                Some(_) => {
                    let path = m.code_file();
                    candidates.find(|(_, c)| c.code_file == path)?
                }
                None => candidates.next()?,
            };
            Some(first + offset)
        })
        .collect()
}

/// A module that had been unloaded when the dump was written (an entry of
/// the UnloadedModuleList stream).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UnloadedCodeModule {
    /// Where it was loaded.
    pub base: u64,
    /// Size of the mapped image in bytes.
    pub size: u64,
    /// Its path as the dump gives it.
    pub code_file: String,
    /// The `TimeDateStamp` of the entry (the PE link time).
    pub time_date_stamp: u32,
}

impl UnloadedCodeModule {
    /// Whether `address` was inside the image.
    pub fn contains(&self, address: u64) -> bool {
        address >= self.base && address - self.base < self.size
    }
}

/// The entries of an UnloadedModuleList, in file order.
pub fn unloaded_modules_of(list: &UnloadedModuleList<'_>) -> Vec<UnloadedCodeModule> {
    list.iter()
        .map(|m| UnloadedCodeModule {
            base: m.base(),
            size: m.size(),
            code_file: m.code_file(),
            time_date_stamp: m.raw.time_date_stamp.get(),
        })
        .collect()
}

/// Index of the module of `modules` (sorted by base) holding `address`.
pub fn module_for_address(modules: &[CodeModule], address: u64) -> Option<usize> {
    let upper = modules.partition_point(|m| m.base <= address);
    modules.get(..upper)?.iter().rposition(|m| m.contains(address))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn module(base: u64, size: u64, name: &str) -> CodeModule {
        CodeModule {
            base,
            size,
            code_file: name.to_string(),
            code_identifier: String::new(),
            debug_file: String::new(),
            debug_identifier: String::new(),
            version: None,
            time_date_stamp: 0,
            is_main: false,
            symbols: SymbolStatus::default(),
        }
    }

    #[test]
    fn file_names_strip_both_separators() {
        assert_eq!(file_name(r"C:\Windows\System32\ntdll.dll"), "ntdll.dll");
        assert_eq!(file_name("/usr/lib/libc.so.6"), "libc.so.6");
        assert_eq!(file_name(r"/mixed\path/x.so"), "x.so");
        assert_eq!(file_name("plain"), "plain");
        assert_eq!(file_name(""), "");
        assert_eq!(file_name("dir/"), "");
    }

    #[test]
    fn lookup_by_address() {
        let mods = [module(0x1000, 0x1000, "a"), module(0x3000, 0x100, "b"), module(0x3080, 0x100, "c")];
        assert_eq!(module_for_address(&mods, 0xfff), None);
        assert_eq!(module_for_address(&mods, 0x1000), Some(0));
        assert_eq!(module_for_address(&mods, 0x1fff), Some(0));
        assert_eq!(module_for_address(&mods, 0x2000), None);
        assert_eq!(module_for_address(&mods, 0x3000), Some(1));
        // In the overlap the higher base wins.
        assert_eq!(module_for_address(&mods, 0x3090), Some(2));
        assert_eq!(module_for_address(&mods, 0x317f), Some(2));
        assert_eq!(module_for_address(&mods, u64::MAX), None);
        assert_eq!(module_for_address(&[], 0), None);
    }

    #[test]
    fn ranges_do_not_overflow() {
        let m = module(u64::MAX - 1, 0x10, "wraps");
        assert!(m.contains(u64::MAX));
        assert_eq!(m.end(), u64::MAX);
        let empty = module(0x1000, 0, "empty");
        assert!(!empty.contains(0x1000));
        assert_eq!(empty.last_address(), 0xfff);
    }
}
