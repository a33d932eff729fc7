//! `mdump stackwalk`: walk every thread's stack with symbols and print the
//! crash report, for one dump or a directory of them.

use mdump_processor::walk::{BreakpadWalker, SymbolFiles};
use mdump_processor::ProcessState;
use mdump_reader::MinidumpFile;
use mdump_symbols::store::{SymbolSource, SymbolStore};
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

/// Report formats.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// For people (the layout of Breakpad's `minidump_stackwalk`).
    Human,
    /// Exactly what Breakpad's `minidump_stackwalk` prints.
    Breakpad,
    /// Exactly what Breakpad's `minidump_stackwalk -m` prints.
    BreakpadMachine,
    /// rust-minidump's `minidump-stackwalk --json` schema.
    Json,
}

impl Format {
    fn extension(self) -> &'static str {
        match self {
            Format::Json => "json",
            _ => "txt",
        }
    }
}

/// What to do.
pub struct Options {
    /// A dump, or a directory of dumps.
    pub dump: PathBuf,
    /// Symbol directories and symbol server URLs, first hit wins.
    pub symbols: Vec<String>,
    /// The report format.
    pub format: Format,
    /// Worker threads for a directory (0: one per core).
    pub jobs: usize,
    /// Where reports of a directory of dumps go (`NAME.txt` / `NAME.json`).
    pub out: Option<PathBuf>,
    /// Cache for symbols downloaded from servers.
    pub cache: Option<PathBuf>,
}

fn store(opts: &Options) -> Result<SymbolStore, String> {
    let mut b = SymbolStore::builder().sources(opts.symbols.iter().map(|s| SymbolSource::parse(s)));
    if let Some(c) = &opts.cache {
        b = b.cache_dir(c);
    }
    b.build().map_err(|e| e.to_string())
}

/// Processes one dump into a report.
pub fn report(dump_path: &Path, symbols: &SymbolFiles, format: Format, out: &mut dyn Write) -> Result<(), String> {
    let file = MinidumpFile::open(dump_path).map_err(|e| e.to_string())?;
    let dump = file.minidump().map_err(|e| format!("{}: {e}", dump_path.display()))?;
    let walker = BreakpadWalker::new(symbols);
    let state = ProcessState::from_dump(&dump, &walker).map_err(|e| format!("{}: {e}", dump_path.display()))?;
    let written = match format {
        Format::Human | Format::Breakpad => mdump_processor::print_breakpad(&state, out),
        Format::BreakpadMachine => mdump_processor::print_breakpad_machine(&state, out),
        Format::Json => crate::stackwalk_json::print(&state, out),
    };
    written.map_err(|e| format!("writing the report: {e}"))
}

/// Runs `mdump stackwalk`.
pub fn run(opts: &Options) -> Result<(), String> {
    let store = store(opts)?;
    let symbols = SymbolFiles::new(store);
    if !opts.dump.is_dir() {
        if opts.out.is_some() {
            return Err("--out is for a directory of dumps".into());
        }
        let stdout = std::io::stdout();
        let mut out = std::io::BufWriter::new(stdout.lock());
        return match report(&opts.dump, &symbols, opts.format, &mut out)
            .and_then(|()| out.flush().map_err(|e| format!("writing the report: {e}")))
        {
            Err(e) if e.contains("Broken pipe") => Ok(()),
            other => other,
        };
    }
    batch(opts, &symbols)
}

fn batch(opts: &Options, symbols: &SymbolFiles) -> Result<(), String> {
    let out_dir = opts.out.as_ref().ok_or("a directory of dumps needs --out DIR for the reports")?;
    let mut dumps: Vec<PathBuf> = std::fs::read_dir(&opts.dump)
        .map_err(|e| format!("{}: {e}", opts.dump.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_file() && p.extension().is_some_and(|x| x.eq_ignore_ascii_case("dmp")))
        .collect();
    dumps.sort();
    std::fs::create_dir_all(out_dir).map_err(|e| format!("{}: {e}", out_dir.display()))?;
    let jobs = match opts.jobs {
        0 => std::thread::available_parallelism().map_or(1, |n| n.get()),
        n => n,
    }
    .min(dumps.len().max(1));
    let next = AtomicUsize::new(0);
    let done = AtomicUsize::new(0);
    let failures = Mutex::new(Vec::new());
    let progress = std::io::stderr().is_terminal();
    std::thread::scope(|s| {
        for _ in 0..jobs {
            s.spawn(|| loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                let Some(dump) = dumps.get(i) else { break };
                let stem = dump.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
                let target = out_dir.join(format!("{stem}.{}", opts.format.extension()));
                let result = write_report(dump, &target, symbols, opts.format);
                if let Err(e) = result {
                    failures.lock().unwrap_or_else(|p| p.into_inner()).push(e);
                }
                let n = done.fetch_add(1, Ordering::Relaxed) + 1;
                if progress {
                    eprint!("\r[{n}/{}] {stem:<40.40}", dumps.len());
                }
            });
        }
    });
    if progress {
        eprintln!();
    }
    let failures = failures.into_inner().unwrap_or_default();
    for f in &failures {
        eprintln!("mdump: {f}");
    }
    match failures.len() {
        0 => Ok(()),
        n => Err(format!("{n} of {} dumps could not be processed", dumps.len())),
    }
}

/// Writes one report next to the others, through a temporary file so a
/// failure never leaves half a report.
fn write_report(dump: &Path, target: &Path, symbols: &SymbolFiles, format: Format) -> Result<(), String> {
    let tmp = target.with_extension(format!("{}.mdump-tmp", format.extension()));
    let result = (|| {
        let file = std::fs::File::create(&tmp).map_err(|e| format!("{}: {e}", tmp.display()))?;
        let mut out = std::io::BufWriter::new(file);
        report(dump, symbols, format, &mut out)?;
        out.flush().map_err(|e| format!("{}: {e}", tmp.display()))?;
        std::fs::rename(&tmp, target).map_err(|e| format!("{}: {e}", target.display()))
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}
