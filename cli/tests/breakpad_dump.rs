//! `mdump dump --format breakpad` against Breakpad's own `minidump_dump`
//! output for every dump of the conformance corpus, byte for byte.
//!
//! The corpus is `$MDUMP_CORPUS`, or `../shared/corpus` next to the
//! workspace. Without it the test is skipped, unless `CI=true`.

use mdump_testkit::corpus::corpus_dir;
use std::process::Command;

/// The first lines where `expected` and `actual` differ, with a little
/// context, in a unified-diff-like form.
fn first_difference(expected: &[u8], actual: &[u8]) -> String {
    let expected: Vec<&[u8]> = expected.split(|&b| b == b'\n').collect();
    let actual: Vec<&[u8]> = actual.split(|&b| b == b'\n').collect();
    let first = expected.iter().zip(&actual).position(|(e, a)| e != a).unwrap_or(expected.len().min(actual.len()));
    let start = first.saturating_sub(3);
    let show = |line: &[u8]| {
        let text = String::from_utf8_lossy(line);
        if text.chars().count() > 160 {
            format!("{}...", text.chars().take(160).collect::<String>())
        } else {
            text.into_owned()
        }
    };
    let mut out = format!("@@ line {} (expected {} lines, got {}) @@\n", first + 1, expected.len(), actual.len());
    for line in expected.get(start..first).unwrap_or_default() {
        out.push_str(&format!(" {}\n", show(line)));
    }
    for line in expected.iter().skip(first).take(5) {
        out.push_str(&format!("-{}\n", show(line)));
    }
    for line in actual.iter().skip(first).take(5) {
        out.push_str(&format!("+{}\n", show(line)));
    }
    out
}

#[test]
fn breakpad_dump_matches_minidump_dump() {
    let Some(corpus) = corpus_dir("expected/breakpad") else { return };
    let expected_dir = corpus.join("expected/breakpad");
    let entries = std::fs::read_dir(&expected_dir).unwrap_or_else(|e| panic!("{}: {e}", expected_dir.display()));
    let mut names: Vec<String> = entries
        .filter_map(|e| e.ok())
        .filter_map(|e| e.file_name().to_str()?.strip_suffix(".dump.txt").map(str::to_string))
        .collect();
    names.sort();
    assert!(!names.is_empty(), "no *.dump.txt in {}", expected_dir.display());

    let mut failures = Vec::new();
    for name in &names {
        let dump = corpus.join("dumps").join(format!("{name}.dmp"));
        let expected = std::fs::read(expected_dir.join(format!("{name}.dump.txt"))).expect("read expected output");
        let output = Command::new(env!("CARGO_BIN_EXE_mdump"))
            .args(["dump", "--format", "breakpad"])
            .arg(&dump)
            .output()
            .expect("run mdump");
        if output.stdout != expected {
            failures.push(format!(
                "{name}: output differs (exit {:?}, stderr {:?})\n{}",
                output.status.code(),
                String::from_utf8_lossy(&output.stderr).trim(),
                first_difference(&expected, &output.stdout)
            ));
        }
    }
    eprintln!("{} of {} dumps match", names.len() - failures.len(), names.len());
    assert!(failures.is_empty(), "{} of {} differ:\n\n{}", failures.len(), names.len(), failures.join("\n"));
}
