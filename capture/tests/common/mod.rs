//! Shared by the capture tests: building `crashme`, running programs with a
//! deadline and finding oracle programs (both `mdump_testkit::exec`).
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;
use std::time::Duration;

pub use mdump_testkit::exec::run;

/// A fresh, empty scratch directory inside the build folder.
pub fn scratch(name: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("capture").join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// The `crashme` example, built once per test binary. It is built into a
/// target directory of its own under `CARGO_TARGET_TMPDIR`: the outer
/// `cargo test` may hold the lock of the shared one.
pub fn crashme() -> &'static Path {
    static PATH: OnceLock<PathBuf> = OnceLock::new();
    PATH.get_or_init(|| {
        let target = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("crashme-target");
        let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
        let manifest = Path::new(env!("CARGO_MANIFEST_DIR")).join("Cargo.toml");
        let ran = run(
            Command::new(cargo)
                .args(["build", "--quiet", "--example", "crashme", "--manifest-path"])
                .arg(&manifest)
                .arg("--target-dir")
                .arg(&target),
            Duration::from_secs(900),
        );
        assert!(ran.status.success(), "building crashme: {}\n{}", ran.status, ran.stderr);
        target.join("debug/examples/crashme")
    })
}
