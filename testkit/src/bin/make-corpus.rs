//! Writes the synthetic dumps shipped in `corpus/`:
//! `cargo run -p mdump-testkit --bin make-corpus -- corpus/`.

use std::path::PathBuf;

fn main() -> std::io::Result<()> {
    let dir = PathBuf::from(std::env::args().nth(1).unwrap_or_else(|| "corpus".into()));
    std::fs::create_dir_all(&dir)?;
    let mut b = mdump_testkit::linux_amd64_dump(3, 64 * 1024);
    b.time(1_700_000_000);
    std::fs::write(dir.join("synthetic-linux-amd64.dmp"), b.finish())?;
    Ok(())
}
