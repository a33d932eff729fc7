//! `mdump stackwalk` end to end: Breakpad's two report formats byte for byte
//! for every corpus dump that has them, batches over a directory with
//! several jobs, and one-line errors.

use mdump_testkit::corpus::corpus_dir;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn mdump(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_mdump")).args(args).output().expect("run mdump")
}

/// Names of the corpus dumps with Breakpad stackwalk outputs.
fn with_expected(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir.join("expected/breakpad"))
        .unwrap()
        .filter_map(|e| e.unwrap().file_name().to_string_lossy().strip_suffix(".stackwalk.txt").map(str::to_string))
        .filter(|n| dir.join("dumps").join(format!("{n}.dmp")).is_file() && !n.starts_with("microdump-"))
        .collect();
    v.sort();
    v
}

#[test]
fn both_breakpad_formats_match_byte_for_byte() {
    let Some(dir) = corpus_dir("dumps") else { return };
    let symbols = dir.join("symbols");
    let names = with_expected(&dir);
    assert!(names.len() >= 36, "{}", names.len());
    for name in &names {
        let dump = dir.join("dumps").join(format!("{name}.dmp"));
        for (format, suffix) in [("breakpad", "stackwalk.txt"), ("breakpad-machine", "stackwalk.machine.txt")] {
            let out = mdump(&["stackwalk", "--format", format, dump.to_str().unwrap(), symbols.to_str().unwrap()]);
            assert!(out.status.success(), "{name}: {}", String::from_utf8_lossy(&out.stderr));
            let want = std::fs::read(dir.join("expected/breakpad").join(format!("{name}.{suffix}"))).unwrap();
            if out.stdout != want {
                let (got, want) = (String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&want));
                let line = got.lines().zip(want.lines()).position(|(a, b)| a != b);
                panic!(
                    "{name} {format}: differs at line {line:?}:\n{:?}\nvs\n{:?}",
                    got.lines().nth(line.unwrap_or(0)),
                    want.lines().nth(line.unwrap_or(0))
                );
            }
        }
    }
}

#[test]
fn a_directory_in_parallel_jobs() {
    let Some(dir) = corpus_dir("dumps") else { return };
    let out_dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(format!("stackwalk-batch-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&out_dir);
    let out = mdump(&[
        "stackwalk",
        "--format",
        "breakpad-machine",
        "--jobs",
        "2",
        "--out",
        out_dir.to_str().unwrap(),
        dir.join("dumps").to_str().unwrap(),
        dir.join("symbols").to_str().unwrap(),
    ]);
    // The directory holds microdumps and malformed dumps: those fail, each
    // named, and the run says how many; the others all get their report.
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.lines().last().unwrap().contains("dumps could not be processed"), "{err}");
    assert!(!err.contains("panicked"));
    for name in with_expected(&dir) {
        let got = std::fs::read(out_dir.join(format!("{name}.txt"))).unwrap_or_else(|e| panic!("{name}: {e}"));
        let want = std::fs::read(dir.join("expected/breakpad").join(format!("{name}.stackwalk.machine.txt"))).unwrap();
        assert!(got == want, "{name}: batch report differs");
    }
    let leftovers = std::fs::read_dir(&out_dir)
        .unwrap()
        .filter(|e| e.as_ref().unwrap().file_name().to_string_lossy().contains("mdump-tmp"))
        .count();
    assert_eq!(leftovers, 0);
}

#[test]
fn bad_input_is_one_line() {
    let junk = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("stackwalk-junk.dmp");
    std::fs::write(&junk, b"no dump here").unwrap();
    for args in [vec!["stackwalk", "/nonexistent/x.dmp"], vec!["stackwalk", junk.to_str().unwrap()]] {
        let out = mdump(&args);
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{err}");
        assert_eq!(err.lines().count(), 1, "{err}");
        assert!(err.starts_with("mdump: "));
    }
}

#[test]
fn json_matches_rust_minidump_for_every_corpus_dump() {
    let Some(dir) = corpus_dir("dumps") else { return };
    // rust-minidump disassembles the crashing instruction on amd64 to fill
    // these; mdump has no disassembler (yet), so they are null in ours.
    const ANALYSIS: [&str; 5] =
        ["instruction", "memory_accesses", "adjusted_address", "possible_bit_flips", "instruction_pointer_update"];
    let expected = dir.join("expected/rust-minidump");
    let mut compared = 0;
    for entry in std::fs::read_dir(&expected).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_stem().unwrap().to_string_lossy().into_owned();
        let dump = dir.join("dumps").join(format!("{name}.dmp"));
        if !dump.is_file() || name.starts_with("microdump-") {
            continue;
        }
        let out = mdump(&["stackwalk", "--json", dump.to_str().unwrap(), dir.join("symbols").to_str().unwrap()]);
        assert!(out.status.success(), "{name}: {}", String::from_utf8_lossy(&out.stderr));
        let mut ours: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        let mut theirs: serde_json::Value = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
        for v in [&mut ours, &mut theirs] {
            if let Some(ci) = v.get_mut("crash_info").and_then(|c| c.as_object_mut()) {
                for k in ANALYSIS {
                    ci.remove(k);
                }
            }
        }
        assert!(ours == theirs, "{name}: JSON differs from rust-minidump's");
        compared += 1;
    }
    assert!(compared >= 36, "{compared}");
}
