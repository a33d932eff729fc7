//! `mdump syms`: write Breakpad symbol files from binaries (work in progress).

/// Options of `mdump syms`.
#[derive(clap::Args, Debug)]
pub struct Args {
    /// The binaries to dump.
    #[arg(required = true)]
    pub binaries: Vec<std::path::PathBuf>,
}

/// Runs `mdump syms`; the error is one line for the user.
pub fn run(_args: &Args) -> Result<(), String> {
    Err("syms is not implemented yet".into())
}
