//! `mdump capture`: dump a live process (work in progress).

/// Options of `mdump capture`.
#[derive(clap::Args, Debug)]
pub struct Args {
    /// The process to dump.
    #[arg(long)]
    pub pid: u32,
    /// Where to write the dump.
    #[arg(short = 'o', long = "output")]
    pub output: std::path::PathBuf,
}

/// Runs `mdump capture`; the error is one line for the user.
pub fn run(_args: &Args) -> Result<(), String> {
    Err("capture is not implemented yet".into())
}
