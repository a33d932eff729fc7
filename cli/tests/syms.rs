//! `mdump syms` end to end: standard output, `-o`, `--store` layout,
//! several binaries at once, one-line errors; and the proof that the CFI it
//! writes unwinds: a C program parked in a loop three calls below `main` is
//! dumped by pid with `mdump capture`, and `mdump stackwalk` with our symbol
//! file walks from the loop back to `main`, every caller found by CFI.
//!
//! gcc is an oracle here: missing, the tests skip, unless `CI=true`.

use mdump_testkit::corpus::corpus_dir;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

fn mdump(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_mdump")).args(args).output().expect("run mdump")
}

fn scratch(name: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("syms-test").join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn gcc() -> Option<PathBuf> {
    mdump_testkit::exec::oracle(&["gcc"])
}

const PARKED: &str = r#"
#include <stdio.h>
#include <unistd.h>
volatile int go_on;
volatile long spins;
__attribute__((noinline)) void innermost(int depth) {
    char pad[48];
    pad[depth & 31] = 1;
    printf("parked\n");
    fflush(stdout);
    while (!go_on) spins += pad[depth & 31];
}
__attribute__((noinline)) int middle(int n) { innermost(n + 1); return n * 3; }
__attribute__((noinline)) int outer(int n) { long big[16]; big[n & 15] = middle(n); return (int)big[n & 15] + 1; }
int main(int argc, char **argv) { return outer(argc) == 42; }
"#;

/// Builds `PARKED` with `flags` into `dir`.
fn build(dir: &Path, name: &str, flags: &[&str]) -> Option<PathBuf> {
    let gcc = gcc()?;
    let src = dir.join("parked.c");
    std::fs::write(&src, PARKED).unwrap();
    let out = dir.join(name);
    let r = Command::new(gcc).args(flags).arg("-o").arg(&out).arg(&src).output().unwrap();
    assert!(r.status.success(), "{}", String::from_utf8_lossy(&r.stderr));
    Some(out)
}

fn text(r: &Output) -> String {
    assert!(r.status.success(), "{}", String::from_utf8_lossy(&r.stderr));
    String::from_utf8(r.stdout.clone()).unwrap()
}

#[test]
fn stdout_output_file_and_store_hold_the_same_text() {
    let dir = scratch("layout");
    let Some(bin) = build(&dir, "parked", &["-g", "-O1"]) else { return };
    let stdout = text(&mdump(&["syms", bin.to_str().unwrap()]));
    let module = stdout.lines().next().unwrap().to_owned();
    let fields: Vec<&str> = module.split(' ').collect();
    assert_eq!(&fields[..3], ["MODULE", "Linux", "x86_64"]);
    assert_eq!(fields[4], "parked");
    let (_, stats) = mdump_symbols::parse(stdout.as_bytes());
    assert_eq!(stats.bad_lines, 0);
    assert!(stdout.contains(" innermost\n") && stdout.contains("STACK CFI INIT "));

    let out = dir.join("out.sym");
    text(&mdump(&["syms", bin.to_str().unwrap(), "-o", out.to_str().unwrap()]));
    assert_eq!(std::fs::read_to_string(&out).unwrap(), stdout);

    let store = dir.join("store");
    text(&mdump(&["syms", bin.to_str().unwrap(), "--store", store.to_str().unwrap()]));
    let stored = store.join("parked").join(fields[3]).join("parked.sym");
    assert_eq!(std::fs::read_to_string(&stored).unwrap(), stdout);
    // Nothing else was left in the store (no temporary files).
    let entries: Vec<_> = std::fs::read_dir(stored.parent().unwrap()).unwrap().collect();
    assert_eq!(entries.len(), 1);
}

#[test]
fn several_binaries_go_to_the_store_on_several_threads() {
    let dir = scratch("many");
    let mut bins = Vec::new();
    for (i, flags) in [&["-g", "-O0"][..], &["-g", "-O2"], &["-g", "-O1", "-gdwarf-4"], &["-O2"]].iter().enumerate() {
        let Some(b) = build(&dir, &format!("prog{i}"), flags) else { return };
        bins.push(b);
    }
    let store = dir.join("store");
    let mut args = vec!["syms", "--jobs", "3", "--store", store.to_str().unwrap()];
    args.extend(bins.iter().map(|b| b.to_str().unwrap()));
    text(&mdump(&args));
    for (i, b) in bins.iter().enumerate() {
        let alone = text(&mdump(&["syms", "--jobs", "1", b.to_str().unwrap()]));
        let id = alone.lines().next().unwrap().split(' ').nth(3).unwrap().to_owned();
        let name = format!("prog{i}");
        let stored = std::fs::read_to_string(store.join(&name).join(&id).join(format!("{name}.sym"))).unwrap();
        assert_eq!(stored, alone, "{name}");
    }
}

#[test]
fn bad_input_is_one_line_and_a_failure() {
    let dir = scratch("errors");
    let junk = dir.join("junk");
    std::fs::write(&junk, b"this is not a binary").unwrap();
    let missing = dir.join("missing");
    for args in [
        vec!["syms", missing.to_str().unwrap()],
        vec!["syms", junk.to_str().unwrap()],
        vec!["syms", junk.to_str().unwrap(), junk.to_str().unwrap()],
    ] {
        let r = mdump(&args);
        assert!(!r.status.success(), "{args:?}");
        let err = String::from_utf8_lossy(&r.stderr);
        assert_eq!(err.lines().count(), 1, "{args:?}: {err}");
        assert!(err.starts_with("mdump: "), "{err}");
        assert!(r.stdout.is_empty());
    }
    // In a batch, the good binaries are still written and the bad ones named.
    let Some(good) = build(&dir, "good", &["-g"]) else { return };
    let store = dir.join("store");
    let r = mdump(&["syms", "--store", store.to_str().unwrap(), good.to_str().unwrap(), junk.to_str().unwrap()]);
    assert!(!r.status.success());
    let err = String::from_utf8_lossy(&r.stderr);
    assert!(err.contains("junk") && err.contains("1 of 2 binaries failed"), "{err}");
    assert!(store.join("good").is_dir());
}

/// Frames of the first thread in `mdump stackwalk --json`: (function, trust).
fn frames(json: &str) -> Vec<(String, String)> {
    let v: serde_json::Value = serde_json::from_str(json).unwrap();
    let thread = &v["threads"][0]["frames"];
    thread
        .as_array()
        .unwrap()
        .iter()
        .map(|f| (f["function"].as_str().unwrap_or("").to_owned(), f["trust"].as_str().unwrap_or("").to_owned()))
        .collect()
}

#[test]
fn cfi_unwinds_a_live_process_back_to_main() {
    let dir = scratch("unwind");
    for (name, flags) in [
        ("parked_o0", &["-g", "-O0"][..]),
        ("parked_o2", &["-g", "-O2", "-fomit-frame-pointer"]),
        ("parked_o2_dwarf4", &["-g", "-O2", "-fomit-frame-pointer", "-gdwarf-4"]),
    ] {
        let Some(bin) = build(&dir, name, flags) else { return };
        let store = dir.join("symbols");
        text(&mdump(&["syms", bin.to_str().unwrap(), "--store", store.to_str().unwrap()]));

        let mut child = Command::new(&bin).stdout(Stdio::piped()).stdin(Stdio::null()).spawn().unwrap();
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap()).read_line(&mut line).unwrap();
        assert_eq!(line, "parked\n");
        // The line is out before `fflush` has returned: dump until the
        // thread is caught in its loop (a few tries at most).
        let dump = dir.join(format!("{name}.dmp"));
        let mut frames = Vec::new();
        for _ in 0..20 {
            std::thread::sleep(std::time::Duration::from_millis(50));
            let captured =
                mdump(&["capture", "--pid", &child.id().to_string(), "-o", dump.to_str().unwrap(), "--force"]);
            assert!(captured.status.success(), "capture: {}", String::from_utf8_lossy(&captured.stderr));
            let walked = text(&mdump(&["stackwalk", "--json", dump.to_str().unwrap(), store.to_str().unwrap()]));
            frames = self::frames(&walked);
            if frames.first().is_some_and(|f| f.0 == "innermost") {
                break;
            }
        }
        let _ = child.kill();
        let _ = child.wait();
        let names: Vec<&str> = frames.iter().map(|f| f.0.as_str()).collect();
        let at = |f: &str| names.iter().position(|n| *n == f);
        let (Some(i), Some(m), Some(o), Some(top)) = (at("innermost"), at("middle"), at("outer"), at("main")) else {
            panic!("{name}: frames {frames:?}");
        };
        assert!(i < m && m < o && o < top, "{name}: {frames:?}");
        assert_eq!(i, 0, "{name}: the parked thread is in innermost: {frames:?}");
        for f in &frames[1..=top] {
            assert_eq!(f.1, "cfi", "{name}: {frames:?}");
        }
    }
}

/// A PDB given to `mdump syms` goes to the PE/PDB dumper: Breakpad's
/// records for the corpus's x86 PDB (compared as sorted lines: Breakpad
/// interleaves PUBLIC and FUNC by address), and an image finds its PDB.
#[test]
fn pdb_and_pe_go_through_the_same_command() {
    let Some(dir) = corpus_dir("dump_syms") else { return };
    let windows = dir.join("dump_syms/windows");
    let ours = text(&mdump(&["syms", windows.join("dump_syms_regtest.pdb").to_str().unwrap()]));
    let want = std::fs::read_to_string(windows.join("dump_syms_regtest.sym")).unwrap().replace('\r', "");
    let sorted = |s: &str| {
        let mut v: Vec<&str> = s.lines().collect();
        v.sort_unstable();
        v.join("\n")
    };
    assert_eq!(sorted(&ours), sorted(&want));
    let image = text(&mdump(&["syms", windows.join("dump_syms_regtest64.exe").to_str().unwrap()]));
    assert!(image.starts_with("MODULE windows x86_64 ") && image.contains("\nINFO CODE_ID "), "{}", &image[..200]);
}

/// `--store` lays a PDB's symbols out as Breakpad's stores and ours look
/// them up: `NAME.pdb/ID/NAME.sym`, not `NAME.pdb.sym`.
#[test]
fn a_stored_pdb_is_found_by_the_symbol_store() {
    let Some(dir) = corpus_dir("dump_syms") else { return };
    let pdb = dir.join("dump_syms/windows/dump_syms_regtest.pdb");
    let store = scratch("pdb-store");
    text(&mdump(&["syms", pdb.to_str().unwrap(), "--store", store.to_str().unwrap()]));
    let module_dir = store.join("dump_syms_regtest.pdb");
    let ids: Vec<_> = std::fs::read_dir(&module_dir).unwrap().map(|e| e.unwrap().path()).collect();
    assert_eq!(ids.len(), 1, "{ids:?}");
    let names: Vec<_> = std::fs::read_dir(&ids[0]).unwrap().map(|e| e.unwrap().file_name()).collect();
    assert_eq!(names, ["dump_syms_regtest.sym"]);
    let id = ids[0].file_name().unwrap().to_str().unwrap().to_owned();
    let local = mdump_symbols::store::SymbolKey::new("c:\\build\\dump_syms_regtest.pdb", &id).unwrap();
    assert!(store.join(local.relative_path()).is_file());
}
