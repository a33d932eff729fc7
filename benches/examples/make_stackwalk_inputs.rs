//! Writes the synthetic inputs of the `stackwalk` benchmark to files, for
//! measurements of the command-line tools such as
//! `benches/stackwalk_peak_rss.sh`:
//!
//! * `DIR/synthetic_200_threads.dmp` and `DIR/synthetic_200_threads/symbols/`
//!   ([`mdump_benches::stackwalk_inputs::MANY_THREADS`]);
//! * `DIR/synthetic_big_symbols.dmp` and `DIR/synthetic_big_symbols/symbols/`
//!   ([`mdump_benches::stackwalk_inputs::BIG_SYMBOLS`]).
//!
//! `cargo run --release -p mdump-benches --example make_stackwalk_inputs -- DIR`

use mdump_benches::stackwalk_inputs::{generate, Shape, BIG_SYMBOLS, MANY_THREADS};
use std::path::Path;
use std::process::ExitCode;

fn write(dir: &Path, name: &str, shape: &Shape) -> std::io::Result<()> {
    let generated = generate(shape);
    let dump = dir.join(format!("{name}.dmp"));
    std::fs::write(&dump, &generated.dump)?;
    let symbols = dir.join(name).join("symbols");
    generated.write_symbols(&symbols)?;
    println!(
        "{}: {} bytes, {} threads, {} frames; symbols {} ({} bytes)",
        dump.display(),
        generated.dump.len(),
        shape.threads,
        generated.frames,
        symbols.display(),
        generated.symbol_bytes()
    );
    Ok(())
}

fn main() -> ExitCode {
    let mut args = std::env::args_os().skip(1);
    let (Some(dir), None) = (args.next(), args.next()) else {
        eprintln!("usage: make_stackwalk_inputs DIR");
        return ExitCode::from(2);
    };
    let dir = Path::new(&dir);
    let written = std::fs::create_dir_all(dir)
        .and_then(|()| write(dir, "synthetic_200_threads", &MANY_THREADS))
        .and_then(|()| write(dir, "synthetic_big_symbols", &BIG_SYMBOLS));
    match written {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("make_stackwalk_inputs: {}: {e}", dir.display());
            ExitCode::FAILURE
        }
    }
}
