//! Where the shared conformance corpus is, for the tests and benches that
//! read it in place.
//!
//! The corpus lives outside the repository (it is never copied in): at
//! `$MDUMP_CORPUS`, else at `../shared/corpus` next to the workspace. One
//! implementation here so that every test agrees on where it is and on what
//! its absence means: a local run skips with the reason printed, a CI run
//! (`CI=true`) fails, since CI must always have it.

use std::path::{Path, PathBuf};

/// The corpus root: `$MDUMP_CORPUS`, else `<workspace>/../shared/corpus`.
/// Not checked for existence; see [`locate`] and [`corpus_dir`].
pub fn corpus_root() -> PathBuf {
    match std::env::var_os("MDUMP_CORPUS") {
        Some(dir) => PathBuf::from(dir),
        // Every workspace crate, this one included, sits one level below the
        // workspace root.
        None => Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/corpus"),
    }
}

/// The corpus root when its subdirectory `sub` (e.g. `"dumps"`,
/// `"symbols"`, `"expected/breakpad"`) exists, else why not. For benches and
/// examples, which carry on with their synthetic inputs without the corpus
/// even in CI.
pub fn locate(sub: &str) -> Result<PathBuf, String> {
    let root = corpus_root();
    let dir = root.join(sub);
    if dir.is_dir() {
        Ok(root)
    } else {
        Err(format!("{} is not a directory", dir.display()))
    }
}

/// Whether this is a CI run (`CI=true`), where a missing corpus is a failure.
pub fn in_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| v == "true")
}

/// The corpus root for a test that needs its subdirectory `sub`.
///
/// Missing: prints `SKIP: ...` with the path looked at and returns `None`, so
/// the test returns early; under `CI=true` it panics instead, failing the test.
/// The panic is reported at the calling test's line.
#[track_caller]
pub fn corpus_dir(sub: &str) -> Option<PathBuf> {
    match locate(sub) {
        Ok(root) => Some(root),
        Err(why) if in_ci() => panic!("corpus not found: {why} (set MDUMP_CORPUS); CI must have it"),
        Err(why) => {
            eprintln!("SKIP: corpus not found: {why} (set MDUMP_CORPUS)");
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_missing_subdirectory_says_where_it_looked() {
        let why = locate("no such subdirectory of the corpus").unwrap_err();
        assert!(why.contains("no such subdirectory of the corpus"), "{why}");
    }
}
