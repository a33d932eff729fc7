//! `mdump`: inspect, write and process minidumps.
//!
//! Errors are one line on stderr and a non-zero exit, never a backtrace:
//! input files are hostile, and a person reading a crash report should not
//! have to read ours.

mod dump;

use clap::{Parser, Subcommand, ValueEnum};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Parser)]
#[command(name = "mdump", version, about = "Inspect, write and process minidumps")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Print everything in a minidump.
    Dump {
        /// The minidump file.
        file: PathBuf,
        /// Machine-readable JSON (same as --format json).
        #[arg(long)]
        json: bool,
        /// Output format.
        #[arg(long, value_enum, default_value_t = DumpFormat::Human)]
        format: DumpFormat,
    },
    /// Walk the stacks of a dump (or a directory of dumps) with symbols and
    /// print the crash report.
    Stackwalk {
        /// The dump, or a directory of dumps (then --out is required).
        dump: PathBuf,
        /// Symbol directories (MODULE/DEBUGID/MODULE.sym) and symbol server
        /// URLs, searched in order.
        symbols: Vec<String>,
        /// Report format.
        #[arg(long, value_enum, default_value_t = mdump::stackwalk::Format::Human)]
        format: mdump::stackwalk::Format,
        /// rust-minidump's JSON schema (same as --format json).
        #[arg(long)]
        json: bool,
        /// Worker threads for a directory of dumps (default: one per core).
        #[arg(long, default_value_t = 0)]
        jobs: usize,
        /// Directory for the reports of a directory of dumps.
        #[arg(long)]
        out: Option<PathBuf>,
        /// Cache directory for symbols fetched from servers.
        #[arg(long)]
        symbol_cache: Option<PathBuf>,
    },
    /// Read a minidump and write it again, optionally without some streams,
    /// its memory or the process environment.
    Rewrite {
        /// The dump to read (never modified).
        input: PathBuf,
        /// Where to write the new dump (must not be the input).
        output: PathBuf,
        /// Leave out streams of this type (a name like LinuxEnviron or a
        /// number like 0x47670007); may be repeated.
        #[arg(long = "drop-stream", value_name = "TYPE", value_parser = mdump::rewrite::parse_stream_type)]
        drop_stream: Vec<mdump_format::StreamType>,
        /// Leave out all captured memory (memory lists and thread stacks).
        #[arg(long)]
        strip_memory: bool,
        /// Leave out the process environment.
        #[arg(long)]
        strip_env: bool,
        /// Replace OUTPUT if it already exists.
        #[arg(long)]
        force: bool,
    },
    /// Write a minidump of a live process (like gcore, but a minidump).
    Capture(mdump::capture::Args),
    /// Write Breakpad symbol files (.sym) from binaries and their debug
    /// information.
    Syms(mdump::syms::Args),
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum DumpFormat {
    /// For people.
    Human,
    /// For machines.
    Json,
    /// Exactly what Breakpad's minidump_dump prints.
    Breakpad,
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            // clap's own help/version output goes to stdout with success.
            let code = if e.use_stderr() { 2 } else { 0 };
            let _ = e.print();
            return ExitCode::from(code);
        }
    };
    let result = match cli.command {
        Command::Dump { file, json, format } => {
            let format = if json { DumpFormat::Json } else { format };
            dump::run(&file, format)
        }
        Command::Stackwalk { dump, symbols, format, json, jobs, out, symbol_cache } => {
            let format = if json { mdump::stackwalk::Format::Json } else { format };
            let opts = mdump::stackwalk::Options { dump, symbols, format, jobs, out, cache: symbol_cache };
            mdump::stackwalk::run(&opts)
        }
        Command::Rewrite { input, output, drop_stream, strip_memory, strip_env, force } => {
            let opts = mdump::rewrite::Options { drop: drop_stream, strip_memory, strip_env, force };
            mdump::rewrite::run(&input, &output, &opts)
        }
        Command::Capture(args) => mdump::capture::run(&args),
        Command::Syms(args) => mdump::syms::run(&args),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("mdump: {}", message.lines().next().unwrap_or("error"));
            ExitCode::FAILURE
        }
    }
}
