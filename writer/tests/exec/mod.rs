//! Running programs with a deadline (`mdump_testkit::exec::run`), and scratch
//! directories in the build folder.
#![allow(dead_code)]

use std::path::PathBuf;

pub use mdump_testkit::exec::run;

/// A scratch directory inside the build folder (`target/tmp/<name>`).
pub fn scratch(name: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(name);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}
