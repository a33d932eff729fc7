//! The dumps mdump-capture made and `corpus/` ships (see `corpus/README.md`):
//! each reads without an error, and the README's main-job command,
//! `mdump stackwalk corpus/crashme-fpe.dmp corpus/symbols`, walks the crash
//! to `crash_fpe` and on to `main` with the shipped symbols, as
//! rust-minidump's `minidump-stackwalk` does with them.

use mdump_reader::validate::validate;
use mdump_reader::{MinidumpFile, ThreadList};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn workspace() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn corpus(name: &str) -> PathBuf {
    workspace().join("corpus").join(name)
}

fn mdump(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_mdump")).args(args).output().expect("run mdump")
}

/// `mdump stackwalk DUMP corpus/symbols`, which must succeed: its stdout.
fn walk(dump: &str) -> String {
    let (dump, symbols) = (corpus(dump), corpus("symbols"));
    let r = mdump(&["stackwalk", dump.to_str().unwrap(), symbols.to_str().unwrap()]);
    assert!(r.status.success(), "{}: {}", dump.display(), String::from_utf8_lossy(&r.stderr));
    String::from_utf8(r.stdout).unwrap()
}

/// The frame lines (` N  module!function ...`) of the crashing thread.
fn crashing_frames(report: &str) -> Vec<&str> {
    report
        .lines()
        .skip_while(|l| !l.ends_with("(crashed)"))
        .skip(1)
        .take_while(|l| !l.starts_with("Thread "))
        .filter(|l| l.split_whitespace().next().is_some_and(|n| n.parse::<u32>().is_ok()))
        .collect()
}

#[test]
fn every_shipped_capture_dump_reads_without_an_error() {
    let mut seen = 0;
    for name in ["crashme-segv.dmp", "crashme-abort.dmp", "crashme-fpe.dmp", "capture-pid-threads.dmp"] {
        let file = MinidumpFile::open(corpus(name)).unwrap();
        let dump = file.minidump().unwrap();
        let report = validate(&dump);
        assert!(report.errors.is_empty(), "{name}: {:?}", report.errors);
        let threads = dump.stream::<ThreadList>().unwrap().expect("a thread list");
        assert!(!threads.is_empty(), "{name}");
        let len = std::fs::metadata(corpus(name)).unwrap().len();
        assert!(len < 1 << 20, "{name} is {len} bytes; the corpus keeps dumps under 1 MiB");
        seen += 1;
    }
    assert_eq!(seen, 4);
}

#[test]
fn the_readme_command_walks_the_fpe_crash_to_its_function() {
    let report = walk("crashme-fpe.dmp");
    assert!(report.contains("Crash reason:  SIGFPE / FPE_INTDIV\n"), "{report}");
    let frames = crashing_frames(&report);
    assert!(
        frames.first().is_some_and(|f| f.starts_with(" 0  crashme!crashme::crash_fpe [crashme.rs : ")),
        "{frames:?}"
    );
    assert!(frames.get(1).is_some_and(|f| f.starts_with(" 1  crashme!crashme::main [crashme.rs : ")), "{frames:?}");
}

#[test]
fn the_other_shipped_crashes_walk_too() {
    let report = walk("crashme-segv.dmp");
    assert!(report.contains("Crash reason:  SIGSEGV /SEGV_MAPERR\n"), "{report}");
    let frames = crashing_frames(&report);
    // The linker folded crash_segv and crash_malloc_lock (the same two
    // instructions) into one address; the symbol file names one of them.
    assert!(
        frames.first().is_some_and(
            |f| f.contains("crashme!crashme::crash_segv") || f.contains("crashme!crashme::crash_malloc_lock")
        ),
        "{frames:?}"
    );
    assert!(frames.iter().any(|f| f.contains("crashme!crashme::main ")), "{frames:?}");

    let report = walk("crashme-abort.dmp");
    assert!(report.contains("Crash reason:  SIGABRT\n"), "{report}");
    let frames = crashing_frames(&report);
    assert!(frames.first().is_some_and(|f| f.contains("libc.so.6")), "abort() raises in libc: {frames:?}");
    assert!(frames.iter().any(|f| f.contains("crashme!crashme::main ")), "{frames:?}");

    let report = walk("capture-pid-threads.dmp");
    assert!(report.contains("\nNo crash\n"), "{report}");
    assert_eq!(report.lines().filter(|l| l.starts_with("Thread ")).count(), 4, "{report}");
}

#[test]
fn minidump_stackwalk_names_the_same_crash_function() {
    let candidates = ["minidump-stackwalk", "~/.cargo/bin/minidump-stackwalk"];
    let Some(stackwalk) = mdump_testkit::exec::oracle(&candidates) else { return };
    let r =
        Command::new(stackwalk).arg("--json").arg(corpus("crashme-fpe.dmp")).arg(corpus("symbols")).output().unwrap();
    assert!(r.status.success(), "{}", String::from_utf8_lossy(&r.stderr));
    let json: serde_json::Value = serde_json::from_slice(&r.stdout).unwrap();
    assert_eq!(json["crash_info"]["type"], "SIGFPE / FPE_INTDIV");
    let thread = json["crash_info"]["crashing_thread"].as_u64().unwrap() as usize;
    let frames = json["threads"][thread]["frames"].as_array().unwrap();
    assert_eq!(frames[0]["function"], "crashme::crash_fpe", "{}", frames[0]);
    assert_eq!(frames[1]["function"], "crashme::main", "{}", frames[1]);
    assert!(Path::new(frames[0]["file"].as_str().unwrap_or("")).ends_with("crashme.rs"), "{}", frames[0]);
}
