//! `print_breakpad` and `print_breakpad_machine` against Breakpad's own
//! `minidump_stackwalk DUMP symbols/` and `minidump_stackwalk -m` output for
//! every dump of the conformance corpus that has both.
//!
//! The corpus is `$MDUMP_CORPUS`, or `../shared/corpus` next to the
//! workspace. Without it the test is skipped, unless `CI=true`. Stacks are
//! walked by [`BreakpadWalker`] with the corpus's symbol files
//! ([`SymbolFiles`] over `symbols/`).
//!
//! Compared exactly, whole: both reports of each dump, every thread and
//! every frame (locations, symbols, registers, `Found by:`), the modules
//! with Breakpad's `(WARNING: No symbols, ...)` markers. The number of dumps
//! whose two reports both match must not fall below [`FULL_MATCH_FLOOR`].
//!
//! Compared part by part as well, so that a regression says where it is
//! (and as a floor that must always hold):
//!
//! * the header: OS, CPU, GPU, crash reason, address and parameters,
//!   assertion, process uptime;
//! * the thread headers (`Thread 0 (crashed)`, `Thread 1`, ...): which
//!   threads are listed, in which order, which one crashed;
//! * frame 0 of every thread: its register lines and `Found by:` line, and
//!   its location line up to the module (`test_app.exe` of
//!   `test_app.exe!func [...]`), whole when Breakpad had no symbols for it;
//! * the `Loaded modules:` lines, without the symbol warnings;
//! * the machine format's `OS`, `CPU`, `GPU`, `Crash` and `Module` lines,
//!   and each thread's frame 0 line up to its module (the whole line when
//!   Breakpad had no symbols for it).
//!
//! Microdumps (`microdump-*.dmp`) have expected outputs too, but they are
//! Android logcat text, not minidumps: they are reported and skipped.

use mdump_processor::{print_breakpad, print_breakpad_machine, BreakpadWalker, ProcessState, SymbolFiles};
use mdump_reader::Minidump;
use mdump_testkit::corpus::corpus_dir;
use std::path::Path;

/// How many of the corpus's dumps must match Breakpad's two reports
/// completely (all 36 minidumps do).
const FULL_MATCH_FLOOR: usize = 36;

/// Breakpad's walker over the corpus's symbol files.
fn walker(corpus: &Path) -> BreakpadWalker<SymbolFiles> {
    BreakpadWalker::new(SymbolFiles::from_dirs([corpus.join("symbols")]).expect("a local symbol store"))
}

/// Where two texts first differ, as a line number and both lines.
fn first_difference(expected: &str, actual: &str) -> Option<String> {
    let (mut e, mut a) = (expected.lines(), actual.lines());
    for number in 1.. {
        match (e.next(), a.next()) {
            (None, None) => return None,
            (el, al) if el != al => {
                return Some(format!("line {number}\n  expected: {el:?}\n  actual:   {al:?}"));
            }
            _ => {}
        }
    }
    None
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

/// The part of a location the partial comparison looks at: the whole line
/// when Breakpad had no symbols, else the module before `!` (of ours: what
/// comes before `!` or ` + `, whichever is first).
fn comparable_location(expected: &str, actual: &str) -> (String, String) {
    match expected.find('!') {
        Some(bang) => {
            let module = actual.split('!').next().and_then(|a| a.split(" + ").next()).unwrap_or(actual);
            (expected[..bang].to_string(), module.to_string())
        }
        None => (expected.to_string(), actual.to_string()),
    }
}

/// What matched for one dump, part by part.
#[derive(Default)]
struct Outcome {
    /// The whole human report.
    full_human: bool,
    /// The whole machine report.
    full_machine: bool,
    /// Where the whole reports differ.
    full_problems: Vec<String>,
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

    for (format, expected, actual, ok) in
        [("human", human, &ours, &mut out.full_human), ("machine", machine, &ours_m, &mut out.full_machine)]
    {
        // Breakpad ends both reports with a newline; compare the text.
        match first_difference(expected, actual) {
            None if expected.ends_with('\n') == actual.ends_with('\n') => *ok = true,
            None => out.full_problems.push(format!("{name}: {format} report: final newline")),
            Some(at) => out.full_problems.push(format!("{name}: {format} report differs at {at}")),
        }
    }

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
    let Some(corpus) = corpus_dir("expected/breakpad") else { return };
    let expected_dir = corpus.join("expected/breakpad");
    let entries = std::fs::read_dir(&expected_dir).unwrap_or_else(|e| panic!("{}: {e}", expected_dir.display()));
    let mut names: Vec<String> = entries
        .filter_map(|e| e.ok())
        .filter_map(|e| e.file_name().to_str()?.strip_suffix(".stackwalk.txt").map(str::to_string))
        .filter(|n| expected_dir.join(format!("{n}.stackwalk.machine.txt")).exists())
        .collect();
    names.sort();
    assert!(!names.is_empty(), "no *.stackwalk.txt in {}", expected_dir.display());

    let walker = walker(&corpus);
    let (mut compared, mut counts, mut skipped, mut problems) = (0, [0usize; 5], Vec::new(), Vec::new());
    let (mut full, mut full_human, mut full_machine, mut full_problems) = (0, 0, 0, Vec::new());
    for name in &names {
        let bytes = std::fs::read(corpus.join("dumps").join(format!("{name}.dmp"))).expect("read dump");
        let Ok(dump) = Minidump::parse(&bytes) else {
            assert!(name.starts_with("microdump-"), "{name}: only microdumps may fail to parse");
            skipped.push(name.as_str());
            continue;
        };
        let state = ProcessState::from_dump(&dump, &walker).unwrap_or_else(|e| panic!("{name}: {e}"));
        let human = std::fs::read_to_string(expected_dir.join(format!("{name}.stackwalk.txt"))).unwrap();
        let machine = std::fs::read_to_string(expected_dir.join(format!("{name}.stackwalk.machine.txt"))).unwrap();
        let o = check(name, &state, &human, &machine);
        compared += 1;
        for (count, ok) in counts.iter_mut().zip([o.header, o.threads, o.frame0, o.modules, o.machine]) {
            *count += usize::from(ok);
        }
        full += usize::from(o.full_human && o.full_machine);
        full_human += usize::from(o.full_human);
        full_machine += usize::from(o.full_machine);
        full_problems.extend(o.full_problems);
        problems.extend(o.problems);
    }
    eprintln!(
        "{compared} dumps compared: {full} match both of Breakpad's reports completely \
         (human {full_human}, machine {full_machine})"
    );
    for p in &full_problems {
        eprintln!("{p}");
    }
    if let Some((file, error)) = walker.symbols().errors().first() {
        panic!("the symbol store failed for {file}: {error}");
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
    assert!(
        full >= FULL_MATCH_FLOOR.min(compared),
        "only {full} of {compared} dumps match completely (floor {FULL_MATCH_FLOOR}):\n{}",
        full_problems.join("\n")
    );
}

#[test]
fn every_corpus_dump_processes_or_fails_cleanly() {
    let Some(corpus) = corpus_dir("dumps") else { return };
    let dumps = corpus.join("dumps");
    let entries = std::fs::read_dir(&dumps).unwrap_or_else(|e| panic!("{}: {e}", dumps.display()));
    let walker = walker(&corpus);
    let mut processed = 0;
    for entry in entries.filter_map(|e| e.ok()) {
        let bytes = std::fs::read(entry.path()).expect("read dump");
        let Ok(dump) = Minidump::parse(&bytes) else { continue };
        // The malformed dumps (rm-invalid-*) may have no usable thread list;
        // that is an error value, never a panic.
        if let Ok(state) = ProcessState::from_dump(&dump, &walker) {
            let mut sink = Vec::new();
            print_breakpad(&state, &mut sink).unwrap();
            print_breakpad_machine(&state, &mut sink).unwrap();
            mdump_processor::print_json(&state, &mut sink, true).unwrap();
            processed += 1;
        }
    }
    assert!(processed >= 36, "only {processed} dumps processed");
}
