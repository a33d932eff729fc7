//! `mdump dump`: golden outputs, every corpus dump in every format, and the
//! one-line errors bad input gets.

use mdump_testkit::corpus::corpus_dir;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn mdump(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_mdump")).args(args).output().expect("run mdump")
}

fn workspace() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn check_golden(output: &[u8], golden: &Path) {
    if std::env::var_os("MDUMP_BLESS").is_some() {
        std::fs::write(golden, output).unwrap();
    }
    let want =
        std::fs::read(golden).unwrap_or_else(|_| panic!("{} missing (MDUMP_BLESS=1 writes it)", golden.display()));
    if output != want.as_slice() {
        let got = String::from_utf8_lossy(output);
        let want = String::from_utf8_lossy(&want);
        for (i, (g, w)) in got.lines().zip(want.lines()).enumerate() {
            assert_eq!(g, w, "{}: line {} differs", golden.display(), i + 1);
        }
        panic!("{}: lengths differ ({} vs {} lines)", golden.display(), got.lines().count(), want.lines().count());
    }
}

#[test]
fn golden_human_and_json_of_the_shipped_dump() {
    let dump = workspace().join("corpus/synthetic-linux-amd64.dmp");
    let dump = dump.to_str().unwrap();
    let golden = workspace().join("cli/tests/golden");
    let out = mdump(&["dump", dump]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    check_golden(&out.stdout, &golden.join("synthetic-linux-amd64.txt"));
    let out = mdump(&["dump", "--json", dump]);
    assert!(out.status.success());
    check_golden(&out.stdout, &golden.join("synthetic-linux-amd64.json"));
}

#[test]
fn every_corpus_dump_in_every_format() {
    let Some(dir) = corpus_dir("dumps") else { return };
    let mut n = 0;
    for entry in std::fs::read_dir(dir.join("dumps")).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        if name.starts_with("microdump-") {
            continue;
        }
        let p = path.to_str().unwrap();
        let json = mdump(&["dump", "--json", p]);
        let human = mdump(&["dump", p]);
        let breakpad = mdump(&["dump", "--format", "breakpad", p]);
        for (what, out) in [("json", &json), ("human", &human), ("breakpad", &breakpad)] {
            let err = String::from_utf8_lossy(&out.stderr);
            assert!(!err.contains("panicked"), "{name} {what}: {err}");
            if out.status.success() {
                assert!(err.is_empty(), "{name} {what}: stderr on success: {err}");
            } else {
                assert_eq!(err.lines().count(), 1, "{name} {what}: {err}");
            }
        }
        if name.starts_with("rm-invalid") {
            continue;
        }
        assert!(json.status.success(), "{name}: {}", String::from_utf8_lossy(&json.stderr));
        let v: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
        let threads = v["streams"]["threads"].as_array().unwrap();
        assert!(!threads.is_empty(), "{name}");
        assert!(threads.iter().all(|t| t["context"]["registers"].is_object()), "{name}");
        assert!(v["streams"]["modules"].as_array().unwrap().len() > 1, "{name}");
        assert!(v["streams"]["exception"]["exception_name"].is_string(), "{name}");
        // linux_executable_stack's LinuxDsoDebug directory entry points 22
        // bytes before the stream's real data (the writer's bug, not ours):
        // its header reads as garbage and the link-map count cannot fit.
        let errors: Vec<&str> = v["errors"].as_array().unwrap().iter().map(|e| e.as_str().unwrap()).collect();
        if name == "linux_executable_stack.dmp" {
            assert_eq!(errors.len(), 1, "{errors:?}");
            assert!(errors[0].starts_with("LinuxDsoDebug (0x4767000a): 1761635328 link maps"), "{errors:?}");
        } else {
            assert!(errors.is_empty(), "{name}: {errors:?}");
        }
        n += 1;
    }
    assert!(n >= 34, "{n}");
}

#[test]
fn bad_input_gets_one_line_and_a_failure_status() {
    let tmp = std::env::temp_dir().join(format!("mdump-cli-test-{}", std::process::id()));
    std::fs::create_dir_all(&tmp).unwrap();
    let junk = tmp.join("junk.dmp");
    std::fs::write(&junk, b"this is not a minidump at all, just some text\n").unwrap();
    let empty = tmp.join("empty.dmp");
    std::fs::write(&empty, b"").unwrap();
    let mut truncated = std::fs::read(workspace().join("corpus/synthetic-linux-amd64.dmp")).unwrap();
    // Keep the header, lose the directory it points at.
    truncated.truncate(64);
    let short = tmp.join("short.dmp");
    std::fs::write(&short, &truncated).unwrap();

    let cases: [(&Path, &str); 4] = [
        (&tmp.join("does-not-exist.dmp"), "No such file"),
        (&junk, "not a minidump"),
        (&empty, "truncated"),
        (&short, "directory entries"),
    ];
    for (path, needle) in cases {
        for format in ["human", "json", "breakpad"] {
            let out = mdump(&["dump", "--format", format, path.to_str().unwrap()]);
            let err = String::from_utf8_lossy(&out.stderr);
            assert_eq!(out.status.code(), Some(1), "{}: {err}", path.display());
            assert_eq!(err.lines().count(), 1, "{err}");
            assert!(err.starts_with("mdump: "), "{err}");
            assert!(err.contains(needle), "{}: {err:?} lacks {needle:?}", path.display());
            assert!(out.stdout.is_empty());
        }
    }
    // The user's file is untouched.
    assert_eq!(std::fs::read(&junk).unwrap(), b"this is not a minidump at all, just some text\n");
    std::fs::remove_dir_all(&tmp).unwrap();
}

#[test]
fn usage_errors_are_short_too() {
    let out = mdump(&["dump"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(!String::from_utf8_lossy(&out.stderr).contains("panicked"));
    let out = mdump(&["frobnicate"]);
    assert_eq!(out.status.code(), Some(2));
}
