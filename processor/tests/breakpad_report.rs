//! `print_breakpad` and `print_breakpad_machine` against Breakpad's own
//! `minidump_stackwalk` and `minidump_stackwalk -m` output for every dump of
//! the conformance corpus that has both.
//!
//! The corpus is `$MDUMP_CORPUS`, or `../shared/corpus` next to the
//! workspace. Without it the test is skipped, unless `CI=true`.
//!
//! Compared exactly, because they need neither a stack walker nor symbols:
//!
//! * the header: OS, CPU, GPU, crash reason, address and parameters,
//!   assertion, process uptime;
//! * the thread headers (`Thread 0 (crashed)`, `Thread 1`, ...): which
//!   threads are listed, in which order, which one crashed;
//! * frame 0 of every thread: its register lines and `Found by:` line, and
//!   its location line when Breakpad had no symbols for it
//!   (`tiny.exe + 0x1af42`); when Breakpad did (`test_app.exe!func [...]`),
//!   only the module part before `!`;
//! * the `Loaded modules:` lines, without Breakpad's `(WARNING: No symbols,
//!   ...)` suffix;
//! * the machine format's `OS`, `CPU`, `GPU`, `Crash` and `Module` lines,
//!   and each thread's frame 0 line up to its module (the whole line when
//!   Breakpad had no symbols for it).
//!
//! Not compared yet:
//!
//! * frames 1 and up: they need the stack walker (CFI, `STACK WIN`, frame
//!   pointers, scanning), which is not written yet ([`ContextOnly`] stops
//!   after frame 0);
//! * symbolized names (`!function [file : line + 0x..]`): they need the
//!   symbol files and the `.sym` resolver, being written in `symbols/`;
//! * the `(WARNING: No symbols, ...)` markers: Breakpad adds them for the
//!   modules the walk asked symbols for, so they depend on both.
//!
//! Microdumps (`microdump-*.dmp`) have expected outputs too, but they are
//! Android logcat text, not minidumps: they are reported and skipped.

use mdump_processor::{print_breakpad, print_breakpad_machine, ContextOnly, ProcessState};
use mdump_reader::Minidump;
use std::path::{Path, PathBuf};

fn corpus_dir() -> PathBuf {
    match std::env::var_os("MDUMP_CORPUS") {
        Some(dir) => PathBuf::from(dir),
        None => Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/corpus"),
    }
}

/// One frame of a human report.
#[derive(Debug, Default, PartialEq)]
struct Frame {
    /// The location line, without the frame number.
    location: String,
    /// Register lines and the `Found by:` line.
    body: Vec<String>,
}

/// A human report cut into its parts.
#[derive(Debug, Default)]
struct Report {
    header: Vec<String>,
    threads: Vec<(String, Vec<Frame>)>,
    modules: Vec<String>,
}

fn parse_report(text: &str) -> Report {
    let mut r = Report::default();
    let mut in_modules = false;
    for line in text.lines() {
        if in_modules {
            if !line.is_empty() {
                r.modules.push(line.to_string());
            }
        } else if line == "Loaded modules:" {
            in_modules = true;
        } else if line.starts_with("Thread ") {
            r.threads.push((line.to_string(), Vec::new()));
        } else if let Some((_, frames)) = r.threads.last_mut() {
            let is_frame = line.len() > 4
                && line.as_bytes()[..2].iter().all(|b| b.is_ascii_digit() || *b == b' ')
                && line.as_bytes()[1].is_ascii_digit()
                && &line[2..4] == "  ";
            if is_frame {
                frames.push(Frame { location: line[4..].to_string(), body: Vec::new() });
            } else if let Some(frame) = frames.last_mut().filter(|_| !line.is_empty()) {
                frame.body.push(line.to_string());
            }
        } else {
            r.header.push(line.to_string());
        }
    }
    while r.header.last().is_some_and(|l| l.is_empty()) {
        r.header.pop();
    }
    r
}

/// A module line without Breakpad's symbol warning.
fn without_warning(line: &str) -> &str {
    line.find("  (WARNING: ").map_or(line, |i| &line[..i])
}

/// The location as far as this processor can know it: the whole line when
/// Breakpad had no symbols, else the module before `!`.
fn comparable_location(expected: &str, actual: &str) -> (String, String) {
    match expected.find('!') {
        Some(bang) => (expected[..bang].to_string(), actual.split(" + ").next().unwrap_or(actual).to_string()),
        None => (expected.to_string(), actual.to_string()),
    }
}

/// What matched for one dump, part by part.
#[derive(Default)]
struct Outcome {
    header: bool,
    threads: bool,
    frame0: bool,
    modules: bool,
    machine: bool,
    problems: Vec<String>,
}

fn check(name: &str, state: &ProcessState, human: &str, machine: &str) -> Outcome {
    let mut out = Outcome::default();
    let mut ours = Vec::new();
    print_breakpad(state, &mut ours).unwrap();
    let ours = String::from_utf8(ours).unwrap();
    let mut ours_m = Vec::new();
    print_breakpad_machine(state, &mut ours_m).unwrap();
    let ours_m = String::from_utf8(ours_m).unwrap();

    let (exp, act) = (parse_report(human), parse_report(&ours));
    let mut problem = |part: &str, e: &dyn std::fmt::Debug, a: &dyn std::fmt::Debug| {
        out.problems.push(format!("{name}: {part}\n  expected: {e:?}\n  actual:   {a:?}"));
    };

    out.header = exp.header == act.header;
    if !out.header {
        problem("header", &exp.header, &act.header);
    }
    let exp_heads: Vec<&String> = exp.threads.iter().map(|(h, _)| h).collect();
    let act_heads: Vec<&String> = act.threads.iter().map(|(h, _)| h).collect();
    out.threads = exp_heads == act_heads;
    if !out.threads {
        problem("thread headers", &exp_heads, &act_heads);
    }
    out.frame0 = exp.threads.len() == act.threads.len();
    for ((head, e), (_, a)) in exp.threads.iter().zip(&act.threads) {
        let (e0, a0) = (e.first(), a.first());
        let same = match (e0, a0) {
            (Some(e0), Some(a0)) => {
                let (el, al) = comparable_location(&e0.location, &a0.location);
                el == al && e0.body == a0.body
            }
            (None, None) => true,
            _ => false,
        };
        if !same {
            out.frame0 = false;
            problem(&format!("frame 0 of {head}"), &e0, &a0);
        }
    }
    let exp_mods: Vec<&str> = exp.modules.iter().map(|l| without_warning(l)).collect();
    let act_mods: Vec<&str> = act.modules.iter().map(|l| without_warning(l)).collect();
    out.modules = exp_mods == act_mods;
    if !out.modules {
        problem("modules", &exp_mods, &act_mods);
    }

    // Machine format: everything before the blank line exactly, then the
    // frame 0 lines.
    let head = |t: &str| t.split("\n\n").next().unwrap_or("").to_string();
    let frame0_lines = |t: &str| -> Vec<String> {
        t.split("\n\n")
            .nth(1)
            .unwrap_or("")
            .lines()
            .filter(|l| l.split('|').nth(1) == Some("0"))
            .map(String::from)
            .collect()
    };
    out.machine = head(machine) == head(&ours_m);
    if !out.machine {
        problem("machine header and modules", &head(machine), &head(&ours_m));
    }
    let (e0, a0) = (frame0_lines(machine), frame0_lines(&ours_m));
    let comparable = |e: &str, a: &str| -> bool {
        let ef: Vec<&str> = e.split('|').collect();
        if ef.get(3).is_some_and(|f| !f.is_empty()) {
            // Symbolized by Breakpad: thread, frame and module only.
            let af: Vec<&str> = a.split('|').collect();
            ef.get(..3) == af.get(..3)
        } else {
            e == a
        }
    };
    if e0.len() != a0.len() || !e0.iter().zip(&a0).all(|(e, a)| comparable(e, a)) {
        out.machine = false;
        problem("machine frame 0 lines", &e0, &a0);
    }
    out
}

#[test]
fn breakpad_reports_match_minidump_stackwalk() {
    let corpus = corpus_dir();
    let expected_dir = corpus.join("expected/breakpad");
    let Ok(entries) = std::fs::read_dir(&expected_dir) else {
        let reason = format!("corpus not found at {} (set MDUMP_CORPUS)", expected_dir.display());
        if std::env::var("CI").as_deref() == Ok("true") {
            panic!("{reason}");
        }
        eprintln!("skipping: {reason}");
        return;
    };
    let mut names: Vec<String> = entries
        .filter_map(|e| e.ok())
        .filter_map(|e| e.file_name().to_str()?.strip_suffix(".stackwalk.txt").map(str::to_string))
        .filter(|n| expected_dir.join(format!("{n}.stackwalk.machine.txt")).exists())
        .collect();
    names.sort();
    assert!(!names.is_empty(), "no *.stackwalk.txt in {}", expected_dir.display());

    let (mut compared, mut counts, mut skipped, mut problems) = (0, [0usize; 5], Vec::new(), Vec::new());
    for name in &names {
        let bytes = std::fs::read(corpus.join("dumps").join(format!("{name}.dmp"))).expect("read dump");
        let Ok(dump) = Minidump::parse(&bytes) else {
            assert!(name.starts_with("microdump-"), "{name}: only microdumps may fail to parse");
            skipped.push(name.as_str());
            continue;
        };
        let state = ProcessState::from_dump(&dump, &ContextOnly).unwrap_or_else(|e| panic!("{name}: {e}"));
        let human = std::fs::read_to_string(expected_dir.join(format!("{name}.stackwalk.txt"))).unwrap();
        let machine = std::fs::read_to_string(expected_dir.join(format!("{name}.stackwalk.machine.txt"))).unwrap();
        let o = check(name, &state, &human, &machine);
        compared += 1;
        for (count, ok) in counts.iter_mut().zip([o.header, o.threads, o.frame0, o.modules, o.machine]) {
            *count += usize::from(ok);
        }
        problems.extend(o.problems);
    }
    eprintln!(
        "{compared} dumps compared ({} skipped, not minidumps: {}): header {}, thread list {}, frame 0 {}, \
         modules {}, machine head and frame 0 {} match",
        skipped.len(),
        skipped.join(", "),
        counts[0],
        counts[1],
        counts[2],
        counts[3],
        counts[4]
    );
    assert!(compared > 0);
    assert!(problems.is_empty(), "{} differences:\n{}", problems.len(), problems.join("\n"));
}

#[test]
fn every_corpus_dump_processes_or_fails_cleanly() {
    let dumps = corpus_dir().join("dumps");
    let Ok(entries) = std::fs::read_dir(&dumps) else {
        let reason = format!("corpus not found at {} (set MDUMP_CORPUS)", dumps.display());
        if std::env::var("CI").as_deref() == Ok("true") {
            panic!("{reason}");
        }
        eprintln!("skipping: {reason}");
        return;
    };
    let mut processed = 0;
    for entry in entries.filter_map(|e| e.ok()) {
        let bytes = std::fs::read(entry.path()).expect("read dump");
        let Ok(dump) = Minidump::parse(&bytes) else { continue };
        // The malformed dumps (rm-invalid-*) may have no usable thread list;
        // that is an error value, never a panic.
        if let Ok(state) = ProcessState::from_dump(&dump, &ContextOnly) {
            let mut sink = Vec::new();
            print_breakpad(&state, &mut sink).unwrap();
            print_breakpad_machine(&state, &mut sink).unwrap();
            processed += 1;
        }
    }
    assert!(processed >= 36, "only {processed} dumps processed");
}
