//! `mdump syms`: write Breakpad symbol files (`.sym`) from ELF binaries and
//! their DWARF, or from PE images and their PDBs, as Breakpad's and
//! Mozilla's `dump_syms` do.
//!
//! One binary goes to standard output or `-o FILE`; with `--store DIR`,
//! each binary's file goes to `DIR/NAME/DEBUGID/NAME.sym`, the layout
//! symbol stores and `mdump stackwalk` read. Several binaries are dumped at
//! once on `--jobs` threads (default: one per core); one binary spreads its
//! compilation units over the same threads.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

use mdump_symbols::dump::{self, Options};
use mdump_symbols::store::SymbolKey;
use mdump_symbols::SymbolFile;

/// Options of `mdump syms`.
#[derive(clap::Args, Debug)]
pub struct Args {
    /// The binaries to dump.
    #[arg(required = true)]
    pub binaries: Vec<PathBuf>,
    /// The separate debug file to read (one binary only): an ELF debug file
    /// (by default found by build id or .gnu_debuglink), or the PDB of a PE
    /// image (or the image of a PDB).
    #[arg(long, value_name = "FILE")]
    pub debug_file: Option<PathBuf>,
    /// Where to write the symbol file (one binary only; default: standard
    /// output).
    #[arg(short = 'o', long = "output", value_name = "OUT", conflicts_with = "store")]
    pub output: Option<PathBuf>,
    /// Write each symbol file to DIR/NAME/DEBUGID/NAME.sym.
    #[arg(long, value_name = "DIR")]
    pub store: Option<PathBuf>,
    /// Keep C++ and Rust names mangled.
    #[arg(long)]
    pub keep_mangled: bool,
    /// Leave out INLINE_ORIGIN and INLINE records.
    #[arg(long)]
    pub no_inlines: bool,
    /// Leave out STACK CFI records.
    #[arg(long)]
    pub no_cfi: bool,
    /// A root to search for separate debug files instead of /usr/lib/debug
    /// (ROOT/.build-id/xx/rest.debug, ROOT/<dir>/<debuglink>); may be
    /// repeated.
    #[arg(long, value_name = "DIR")]
    pub debug_root: Vec<PathBuf>,
    /// Worker threads (default: one per core).
    #[arg(long, default_value_t = 0)]
    pub jobs: usize,
}

/// Runs `mdump syms`; the error is one line for the user.
pub fn run(args: &Args) -> Result<(), String> {
    if args.binaries.len() > 1 && args.store.is_none() {
        return Err("several binaries need --store DIR".into());
    }
    if args.binaries.len() > 1 && args.debug_file.is_some() {
        return Err("--debug-file goes with one binary".into());
    }
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let jobs = if args.jobs == 0 { cores } else { args.jobs };
    let outer = jobs.min(args.binaries.len()).max(1);
    let mut options = Options {
        keep_mangled: args.keep_mangled,
        inlines: !args.no_inlines,
        cfi: !args.no_cfi,
        debug_file: args.debug_file.clone(),
        threads: (jobs / outer).max(1),
        ..Options::default()
    };
    if !args.debug_root.is_empty() {
        options.debug_roots = args.debug_root.clone();
    }

    if args.binaries.len() == 1 {
        let sym = dump::dump_path(&args.binaries[0], &options).map_err(|e| e.to_string())?;
        let result = match (&args.store, &args.output) {
            (Some(dir), _) => store(dir, &sym).map(|_| ()),
            (None, Some(out)) => write_file(out, &sym),
            (None, None) => {
                let stdout = std::io::stdout();
                let mut w = stdout.lock();
                dump::text::write_symbol_file(&sym, &mut w)
                    .and_then(|_| w.flush())
                    .map_err(|e| format!("standard output: {e}"))
            }
        };
        // The process ends here: freeing millions of records one by one
        // would only cost time.
        std::mem::forget(sym);
        return result;
    }

    let Some(dir) = &args.store else { unreachable!("checked above") };
    let next = AtomicUsize::new(0);
    let failures = Mutex::new(Vec::new());
    std::thread::scope(|scope| {
        for _ in 0..outer {
            scope.spawn(|| loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                let Some(binary) = args.binaries.get(i) else { break };
                let result = dump::dump_path(binary, &options).map_err(|e| e.to_string()).and_then(|s| store(dir, &s));
                if let Err(e) = result {
                    failures.lock().unwrap_or_else(|p| p.into_inner()).push((i, e));
                }
            });
        }
    });
    let mut failures = failures.into_inner().unwrap_or_else(|p| p.into_inner());
    failures.sort();
    for (_, e) in &failures {
        eprintln!("mdump: {e}");
    }
    match failures.len() {
        0 => Ok(()),
        n => Err(format!("{n} of {} binaries failed", args.binaries.len())),
    }
}

/// Writes `DIR/NAME/DEBUGID/NAME.sym`; returns the path.
pub fn store(dir: &Path, sym: &SymbolFile<'_>) -> Result<PathBuf, String> {
    let module = sym.module.as_ref().ok_or("no MODULE record")?;
    let name: &str = &module.name;
    // The name comes from the binary (DT_SONAME): never let it leave DIR.
    if name.is_empty() || name == "." || name == ".." || name.contains('/') || name.contains('\0') {
        return Err(format!("module name {name:?} cannot be a file name in the store"));
    }
    // The store's own layout rule, so `mdump stackwalk` finds what we write:
    // `app.pdb/ID/app.sym` for a PDB, `libfoo.so/ID/libfoo.so.sym` otherwise.
    let key = SymbolKey::new(name, &module.id).map_err(|e| e.to_string())?;
    let folder = dir.join(key.debug_file()).join(key.debug_id());
    std::fs::create_dir_all(&folder).map_err(|e| format!("{}: {e}", folder.display()))?;
    let path = folder.join(key.sym_name());
    write_file(&path, sym)?;
    Ok(path)
}

/// Writes through a temporary file renamed into place, so a reader never
/// sees half a symbol file.
fn write_file(path: &Path, sym: &SymbolFile<'_>) -> Result<(), String> {
    let tmp = path.with_extension(format!("tmp{}", std::process::id()));
    let io = |e: std::io::Error| format!("{}: {e}", path.display());
    let file = std::fs::File::create(&tmp).map_err(io)?;
    let mut w = std::io::BufWriter::with_capacity(1 << 16, file);
    let written = dump::text::write_symbol_file(sym, &mut w).and_then(|_| w.flush());
    drop(w);
    if let Err(e) = written {
        let _ = std::fs::remove_file(&tmp);
        return Err(io(e));
    }
    std::fs::rename(&tmp, path).map_err(io)
}
