//! Writes the large synthetic dump of the benchmarks (1,000 threads, 1 GiB of
//! Memory64List memory) to the path given, for measurements outside criterion
//! such as `benches/peak_rss.sh`.
//!
//! `cargo run --release -p mdump-benches --example make_big_dump -- PATH`

use std::process::ExitCode;

/// The same shape as the `1GiB` input of `benches/read.rs`.
const THREADS: u32 = 1000;
const MEMORY64_BYTES: u64 = 1 << 30;

fn main() -> ExitCode {
    let mut args = std::env::args_os().skip(1);
    let (Some(path), None) = (args.next(), args.next()) else {
        eprintln!("usage: make_big_dump PATH");
        return ExitCode::from(2);
    };
    let builder = mdump_testkit::linux_amd64_dump(THREADS, MEMORY64_BYTES);
    let written = std::fs::File::create(&path).and_then(|file| {
        let mut out = std::io::BufWriter::new(file);
        let len = builder.write_to(&mut out)?;
        out.into_inner().map_err(|e| e.into_error())?.sync_all()?;
        Ok(len)
    });
    match written {
        Ok(len) => {
            println!("{}: {len} bytes", std::path::Path::new(&path).display());
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("make_big_dump: {}: {e}", std::path::Path::new(&path).display());
            ExitCode::FAILURE
        }
    }
}
