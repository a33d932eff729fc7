//! [`SymbolFiles`]: Breakpad `.sym` files from an
//! [`mdump_symbols::store::SymbolStore`] (local directories, symbol
//! servers), indexed by [`mdump_symbols::LazySymbols`] (which reads a
//! record only when a lookup lands in it), as a [`SymbolProvider`].
//!
//! A module's file is looked for under its debug file name and debug
//! identifier (Breakpad's `SimpleSymbolSupplier` layout) the first time the
//! walker asks about the module, and the outcome is kept: loaded,
//! corrupt (loaded, but some lines were malformed, which Breakpad reports),
//! or missing (not found, or the store failed: see
//! [`SymbolFiles::errors`]).

use super::provider::{FunctionInfo, InlineInfo, LineInfo, RulesFn, SymbolProvider, WinFrameInfo, WinFrameKind};
use crate::code_module::{CodeModule, SymbolStatus};
use mdump_symbols::store::{StoreError, SymbolSource, SymbolStore};
use mdump_symbols::{LazySymbols, StackWinType, SymbolBytes, WinProgram};
use std::borrow::Cow;
use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};

/// One module's symbols: the file's bytes (in memory, or read as lookups need them) and their index.
pub type ModuleSymbols = LazySymbols<SymbolBytes>;

/// One module's outcome.
#[derive(Clone)]
enum Entry {
    Found { symbols: Arc<ModuleSymbols>, corrupt: bool },
    Missing,
}

/// FNV-1a: the walker asks about a module for every frame and every word a
/// scan looks at; keys are short and not chosen by an attacker who could
/// profit from collisions (a dump's module names only slow its own walk).
#[derive(Clone, Copy)]
struct Fnv(u64);

impl Default for Fnv {
    fn default() -> Self {
        Fnv(0xcbf2_9ce4_8422_2325)
    }
}

impl std::hash::Hasher for Fnv {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0 ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3);
        }
    }
}

type FnvMap<V> = HashMap<String, V, std::hash::BuildHasherDefault<Fnv>>;

/// The outcomes so far.
#[derive(Default)]
struct Modules {
    /// By debug file, then debug identifier (two levels, so that a lookup
    /// needs no key built).
    map: FnvMap<FnvMap<Entry>>,
    /// The module asked about last: the walker asks several questions
    /// about one frame's module in a row.
    last: Option<(String, String, Entry)>,
}

/// Symbol files from a store, loaded on demand and kept.
pub struct SymbolFiles {
    store: SymbolStore,
    modules: Mutex<Modules>,
    errors: Mutex<Vec<(String, StoreError)>>,
}

impl core::fmt::Debug for SymbolFiles {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("SymbolFiles").field("sources", &self.store.sources()).finish_non_exhaustive()
    }
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    // A panic while holding the lock cannot leave the map inconsistent.
    mutex.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

impl SymbolFiles {
    /// Symbols from `store`.
    pub fn new(store: SymbolStore) -> Self {
        SymbolFiles { store, modules: Mutex::new(Modules::default()), errors: Mutex::new(Vec::new()) }
    }

    /// Symbols from local directories in Breakpad's layout, asked in order
    /// (what `minidump_stackwalk DUMP DIR...` does).
    pub fn from_dirs<P: AsRef<std::path::Path>>(dirs: impl IntoIterator<Item = P>) -> Result<Self, StoreError> {
        let sources = dirs.into_iter().map(|d| SymbolSource::Local(d.as_ref().to_path_buf()));
        Ok(SymbolFiles::new(SymbolStore::from_sources(sources)?))
    }

    /// Gives a symbol file directly (embedders with their own storage,
    /// tests, fuzzing), parsed once, for every `(debug file, debug id)` in
    /// `modules`: their lookups use it instead of the store. Returns whether
    /// it parsed cleanly.
    pub fn insert(&self, modules: &[(&str, &str)], sym: &[u8]) -> bool {
        let symbols = Arc::new(LazySymbols::new(SymbolBytes::from(sym.to_vec())));
        let corrupt = symbols.stats().is_corrupt();
        let mut known = lock(&self.modules);
        known.last = None;
        for (debug_file, debug_id) in modules {
            let entry = Entry::Found { symbols: Arc::clone(&symbols), corrupt };
            known.map.entry(debug_file.to_string()).or_default().insert(debug_id.to_string(), entry);
        }
        !corrupt
    }

    /// The store.
    pub fn store(&self) -> &SymbolStore {
        &self.store
    }

    /// What the store failed with, by the debug file it was asked for (the
    /// modules concerned count as missing).
    pub fn errors(&self) -> Vec<(String, String)> {
        lock(&self.errors).iter().map(|(file, e)| (file.clone(), e.to_string())).collect()
    }

    /// The module's indexed symbols, loading them the first time.
    pub fn symbols(&self, module: &CodeModule) -> Option<Arc<ModuleSymbols>> {
        match self.entry(module) {
            Entry::Found { symbols, .. } => Some(symbols),
            Entry::Missing => None,
        }
    }

    fn entry(&self, module: &CodeModule) -> Entry {
        let (file, id) = (module.debug_file.as_str(), module.debug_identifier.as_str());
        {
            let mut known = lock(&self.modules);
            if let Some((_, _, entry)) = known.last.as_ref().filter(|(f, i, _)| f == file && i == id) {
                return entry.clone();
            }
            if let Some(entry) = known.map.get(file).and_then(|ids| ids.get(id)).cloned() {
                known.last = Some((file.to_string(), id.to_string(), entry.clone()));
                return entry;
            }
        }
        // Loaded without the lock: other threads' lookups go on meanwhile.
        let entry = self.load(file, id);
        let mut known = lock(&self.modules);
        known.map.entry(file.to_string()).or_default().insert(id.to_string(), entry.clone());
        entry
    }

    fn load(&self, debug_file: &str, debug_id: &str) -> Entry {
        if debug_file.is_empty() || debug_id.is_empty() {
            return Entry::Missing;
        }
        let opened = self.store.locate(debug_file, debug_id).and_then(|found| match found {
            Some(found) => LazySymbols::open(&found.path)
                .map(Some)
                .map_err(|source| StoreError::Io { path: found.path.clone(), source }),
            None => Ok(None),
        });
        match opened {
            Ok(Some(symbols)) => {
                let corrupt = symbols.stats().is_corrupt();
                Entry::Found { symbols: Arc::new(symbols), corrupt }
            }
            Ok(None) => Entry::Missing,
            Err(e) => {
                lock(&self.errors).push((debug_file.to_string(), e));
                Entry::Missing
            }
        }
    }
}

impl SymbolProvider for SymbolFiles {
    fn status(&self, module: &CodeModule) -> SymbolStatus {
        match self.entry(module) {
            Entry::Found { corrupt: false, .. } => SymbolStatus::Loaded,
            Entry::Found { corrupt: true, .. } => SymbolStatus::Corrupt,
            Entry::Missing => SymbolStatus::Missing,
        }
    }

    fn function_at(&self, module: &CodeModule, offset: u64) -> Option<FunctionInfo> {
        let symbols = self.symbols(module)?;
        let found = symbols.symbol_at(offset)?;
        Some(FunctionInfo {
            name: found.name.into_owned(),
            address: found.address,
            parameter_size: found.parameter_size,
            is_public: found.size.is_none(),
        })
    }

    fn has_function_at(&self, module: &CodeModule, offset: u64) -> bool {
        self.symbols(module).is_some_and(|s| s.has_symbol_at(offset))
    }

    fn line_at(&self, module: &CodeModule, offset: u64) -> Option<LineInfo> {
        let symbols = self.symbols(module)?;
        let found = symbols.line_at(offset)?;
        Some(LineInfo { file: found.file.map(Cow::into_owned), line: found.line.line, address: found.line.address })
    }

    fn inline_chain_at(&self, module: &CodeModule, offset: u64) -> Vec<InlineInfo> {
        let Some(symbols) = self.symbols(module) else { return Vec::new() };
        let chain = symbols.inline_chain_at(offset);
        chain
            .into_iter()
            .map(|level| InlineInfo {
                name: level.name.map(Cow::into_owned),
                call_file: level.call_file.map(Cow::into_owned),
                call_line: level.call_line,
                range_address: level.range_address,
            })
            .collect()
    }

    fn cfi_rules(&self, module: &CodeModule, offset: u64, rules: &mut RulesFn<'_>) {
        let Some(symbols) = self.symbols(module) else { return };
        if let Some(found) = symbols.cfi_at(offset) {
            rules(&found.rules());
        }
    }

    fn win_frame(&self, module: &CodeModule, offset: u64) -> Option<WinFrameInfo> {
        let symbols = self.symbols(module)?;
        let record = symbols.win_at(offset)?;
        let kind = match record.ty {
            StackWinType::FrameData => WinFrameKind::FrameData,
            StackWinType::Fpo => WinFrameKind::Fpo,
            // Breakpad keeps no other type.
            _ => return None,
        };
        let (program_string, allocates_base_pointer) = match record.program {
            WinProgram::ProgramString(program) => (Some(program.into_owned()), false),
            WinProgram::AllocatesBasePointer(allocates) => (None, allocates),
        };
        Some(WinFrameInfo {
            kind,
            prologue_size: record.prologue_size,
            epilogue_size: record.epilogue_size,
            parameter_size: record.parameter_size,
            saved_register_size: record.saved_register_size,
            local_size: record.local_size,
            max_stack_size: record.max_stack_size,
            program_string,
            allocates_base_pointer,
        })
    }
}
