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
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("mdump: {}", message.lines().next().unwrap_or("error"));
            ExitCode::FAILURE
        }
    }
}
