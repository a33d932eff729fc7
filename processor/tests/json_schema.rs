//! `to_json` against rust-minidump's `minidump-stackwalk 0.27.0 --json
//! --pretty NAME.dmp symbols/` for every corpus dump that has
//! `expected/rust-minidump/NAME.json`.
//!
//! The corpus is `$MDUMP_CORPUS`, or `../shared/corpus` next to the
//! workspace. Without it the test is skipped, unless `CI=true`. Stacks are
//! walked by [`BreakpadWalker`] over the corpus's symbol files, as in
//! `breakpad_report.rs`.
//!
//! Compared per dump, and counted per part:
//!
//! * keys: every key rust-minidump prints, at the top level and in every
//!   object below it (crash info, system info, threads, frames, modules, the
//!   crashing thread, ...), is in ours;
//! * system info: the whole object;
//! * crash info: `type`, `address`, `crashing_thread`;
//! * threads: their number and ids, in order;
//! * frames: for every thread, the number of frames and each frame's
//!   `module`, `function`, `function_offset`, `offset`, `module_offset`,
//!   `file`, `line` and `trust`;
//! * thread details: `thread_name`, `last_error_value`;
//! * the crashing thread: the whole object (its frame 0's registers too);
//! * modules: the whole list (names, ranges, ids, versions, symbol status);
//! * the rest of the top level: `pid`, `process_uptime`,
//!   `linux_memory_map_count`, `lsb_release`, `soft_errors`,
//!   `unloaded_modules`, `main_module`, ...;
//! * the analysis of the crashing instruction ([`ANALYSIS_KEYS`]:
//!   disassembly, memory accesses, null-pointer and non-canonical
//!   adjustments, bit flips, jump target);
//! * the whole report; where it is equal, `print_json(.., pretty)` must
//!   print the file byte for byte.
//!
//! A frame where rust-minidump's walker and Breakpad's (which ours follows)
//! find different things must be listed in [`ALLOWED_FRAMES`] with the
//! reason; an allowance that no longer matches anything fails the test.

use mdump_processor::{print_json, to_json, BreakpadWalker, ProcessState, SymbolFiles};
use mdump_reader::Minidump;
use mdump_testkit::corpus::corpus_dir;
use serde_json::Value;

/// `crash_info` keys that hold rust-minidump's analysis of the crashing
/// instruction (non-null for its amd64 dumps only).
const ANALYSIS_KEYS: &[&str] =
    &["instruction", "memory_accesses", "adjusted_address", "possible_bit_flips", "instruction_pointer_update"];

/// The frame fields compared.
const FRAME_FIELDS: &[&str] =
    &["module", "function", "function_offset", "offset", "module_offset", "file", "line", "trust"];

/// A frame whose fields may differ, and why.
struct AllowedFrame {
    dump: &'static str,
    /// Index into the report's `threads`.
    thread: usize,
    frame: usize,
    reason: &'static str,
}

/// Frames where rust-minidump and Breakpad disagree. None at present: with
/// Breakpad's leaf-return frames (amd64 Windows, `tiny-exe-fastfail`
/// threads 1-3, frame 1) reported as `"scan"` (rust-minidump finds the same
/// callers by scanning), every frame of every thread matches.
const ALLOWED_FRAMES: &[AllowedFrame] = &[];

/// The parts counted, in report order.
const PARTS: &[&str] = &[
    "keys",
    "system info",
    "crash info",
    "threads",
    "frames",
    "thread details",
    "crashing thread",
    "modules",
    "rest of top level",
    "instruction analysis",
    "whole report",
];

/// Where `expected` has a key that `actual` lacks, recursively (arrays
/// element by element, as far as both go).
fn missing_keys(path: &str, expected: &Value, actual: &Value, out: &mut Vec<String>) {
    match (expected, actual) {
        (Value::Object(e), Value::Object(a)) => {
            for (key, ev) in e {
                match a.get(key) {
                    Some(av) => missing_keys(&format!("{path}.{key}"), ev, av, out),
                    None => out.push(format!("{path}.{key}")),
                }
            }
        }
        (Value::Array(e), Value::Array(a)) => {
            for (i, (ev, av)) in e.iter().zip(a).enumerate() {
                missing_keys(&format!("{path}[{i}]"), ev, av, out);
            }
        }
        _ => {}
    }
}

fn field<'a>(v: &'a Value, path: &[&str]) -> &'a Value {
    path.iter().fold(v, |v, k| v.get(k).unwrap_or(&Value::Null))
}

fn array(v: &Value) -> &[Value] {
    v.as_array().map_or(&[], Vec::as_slice)
}

/// What one dump's comparison found: a verdict per part, the differences,
/// and the allowances it used.
struct Outcome {
    matched: Vec<bool>,
    problems: Vec<String>,
    allowed: Vec<(usize, usize)>,
    allowed_notes: Vec<String>,
}

fn compare(name: &str, expected: &Value, ours: &Value) -> Outcome {
    let mut problems = Vec::new();
    let mut matched = vec![true; PARTS.len()];
    let (mut allowed, mut allowed_notes) = (Vec::new(), Vec::new());
    let mut fail = |part: usize, what: String| {
        matched[part] = false;
        problems.push(format!("{name}: {}: {what}", PARTS[part]));
    };

    let mut missing = Vec::new();
    missing_keys("", expected, ours, &mut missing);
    if !missing.is_empty() {
        fail(0, format!("missing keys {missing:?}"));
    }

    let (e_sys, a_sys) = (field(expected, &["system_info"]), field(ours, &["system_info"]));
    if e_sys != a_sys {
        fail(1, format!("expected {e_sys}\n  ours     {a_sys}"));
    }

    for key in ["type", "address", "crashing_thread"] {
        let (e, a) = (field(expected, &["crash_info", key]), field(ours, &["crash_info", key]));
        if e != a {
            fail(2, format!("{key}: expected {e}, ours {a}"));
        }
    }

    let (e_threads, a_threads) = (array(field(expected, &["threads"])), array(field(ours, &["threads"])));
    let ids = |t: &[Value]| t.iter().map(|t| field(t, &["thread_id"]).clone()).collect::<Vec<_>>();
    if e_threads.len() != a_threads.len() || ids(e_threads) != ids(a_threads) {
        fail(3, format!("thread ids: expected {:?}, ours {:?}", ids(e_threads), ids(a_threads)));
    }
    let (e_count, a_count) = (field(expected, &["thread_count"]), field(ours, &["thread_count"]));
    if e_count != a_count {
        fail(3, format!("thread_count: expected {e_count}, ours {a_count}"));
    }

    for (t, (et, at)) in e_threads.iter().zip(a_threads).enumerate() {
        let (ef, af) = (array(field(et, &["frames"])), array(field(at, &["frames"])));
        let allowances: Vec<&AllowedFrame> =
            ALLOWED_FRAMES.iter().filter(|a| a.dump == name && a.thread == t).collect();
        if ef.len() != af.len() {
            fail(4, format!("thread {t}: {} frames expected, ours {}", ef.len(), af.len()));
        }
        for (f, (e, a)) in ef.iter().zip(af).enumerate() {
            let differing: Vec<String> = FRAME_FIELDS
                .iter()
                .filter(|k| e.get(**k) != a.get(**k))
                .map(|k| format!("{k}: expected {}, ours {}", field(e, &[k]), field(a, &[k])))
                .collect();
            if differing.is_empty() {
                continue;
            }
            match allowances.iter().position(|al| al.frame == f) {
                Some(i) => {
                    allowed.push((t, f));
                    allowed_notes.push(format!(
                        "{name}: thread {t} frame {f} allowed ({}): {}",
                        allowances[i].reason,
                        differing.join("; ")
                    ));
                }
                None => fail(4, format!("thread {t} frame {f}: {}", differing.join("; "))),
            }
        }
        for key in ["thread_name", "last_error_value"] {
            let (e, a) = (field(et, &[key]), field(at, &[key]));
            if e != a {
                fail(5, format!("thread {t} {key}: expected {e}, ours {a}"));
            }
        }
    }

    let (e_crashing, a_crashing) = (field(expected, &["crashing_thread"]), field(ours, &["crashing_thread"]));
    if e_crashing != a_crashing {
        let registers = |v: &Value| field(v, &["frames"]).get(0).map(|f| field(f, &["registers"]).clone());
        let what = if registers(e_crashing) != registers(a_crashing) {
            format!("frame 0 registers: expected {:?}\n  ours {:?}", registers(e_crashing), registers(a_crashing))
        } else {
            "differs".to_string()
        };
        fail(6, what);
    }

    let (e_mods, a_mods) = (array(field(expected, &["modules"])), array(field(ours, &["modules"])));
    if e_mods.len() != a_mods.len() {
        fail(7, format!("{} modules expected, ours {}", e_mods.len(), a_mods.len()));
    }
    for (i, (e, a)) in e_mods.iter().zip(a_mods).enumerate() {
        if e != a {
            fail(7, format!("module {i}: expected {e}\n  ours     {a}"));
        }
    }

    let detailed = ["crash_info", "system_info", "threads", "thread_count", "crashing_thread", "modules"];
    if let (Value::Object(e), Value::Object(a)) = (expected, ours) {
        for (key, ev) in e.iter().filter(|(k, _)| !detailed.contains(&k.as_str())) {
            let av = a.get(key).unwrap_or(&Value::Null);
            if ev != av {
                fail(8, format!("{key}: expected {ev}, ours {av}"));
            }
        }
    }

    for key in ANALYSIS_KEYS {
        let (e, a) = (field(expected, &["crash_info", key]), field(ours, &["crash_info", key]));
        if e != a {
            fail(9, format!("{key}: expected {e}, ours {a}"));
        }
    }

    if expected != ours {
        // Allowed frames are the only differences this part may have.
        matched[10] = false;
        if allowed.is_empty() {
            problems.push(format!("{name}: {}: differs", PARTS[10]));
        }
    }
    Outcome { matched, problems, allowed, allowed_notes }
}

#[test]
fn json_matches_rust_minidump() {
    let Some(corpus) = corpus_dir("expected/rust-minidump") else { return };
    let expected_dir = corpus.join("expected/rust-minidump");
    let entries = std::fs::read_dir(&expected_dir).unwrap_or_else(|e| panic!("{}: {e}", expected_dir.display()));
    let mut names: Vec<String> =
        entries.filter_map(|e| e.ok()?.file_name().to_str()?.strip_suffix(".json").map(str::to_string)).collect();
    names.sort();
    assert!(!names.is_empty(), "no *.json in {}", expected_dir.display());

    let walker = BreakpadWalker::new(SymbolFiles::from_dirs([corpus.join("symbols")]).expect("a local symbol store"));
    let (mut counts, mut problems, mut used, mut notes) =
        (vec![0usize; PARTS.len()], Vec::new(), Vec::new(), Vec::new());
    let (mut identical, mut byte_identical) = (0, 0);
    for name in &names {
        let bytes = std::fs::read(corpus.join("dumps").join(format!("{name}.dmp"))).expect("read dump");
        let dump = Minidump::parse(&bytes).unwrap_or_else(|e| panic!("{name}: {e}"));
        let state = ProcessState::from_dump(&dump, &walker).unwrap_or_else(|e| panic!("{name}: {e}"));
        let text = std::fs::read_to_string(expected_dir.join(format!("{name}.json"))).unwrap();
        let expected: Value = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{name}.json: {e}"));
        let ours = to_json(&state);
        let outcome = compare(name, &expected, &ours);
        if ours == expected {
            // Nothing differs: the pretty text must
            // be rust-minidump's, byte for byte.
            let mut pretty = Vec::new();
            print_json(&state, &mut pretty, true).unwrap();
            identical += 1;
            if pretty != text.as_bytes() {
                problems.push(format!("{name}: the same report prints differently from rust-minidump's"));
            } else {
                byte_identical += 1;
            }
        }
        for (count, ok) in counts.iter_mut().zip(&outcome.matched) {
            *count += usize::from(*ok);
        }
        problems.extend(outcome.problems);
        used.extend(outcome.allowed.iter().map(|&(t, f)| (name.clone(), t, f)));
        notes.extend(outcome.allowed_notes);
    }
    if let Some((file, error)) = walker.symbols().errors().first() {
        panic!("the symbol store failed for {file}: {error}");
    }

    eprintln!("{} dumps compared with rust-minidump's JSON; dumps matching fully, per part:", names.len());
    for (part, count) in PARTS.iter().zip(&counts) {
        eprintln!("  {part:<45} {count:>3} / {}", names.len());
    }
    eprintln!(
        "{identical} reports equal rust-minidump's entirely; \
         {byte_identical} of them print byte for byte as `--pretty` does"
    );
    for note in &notes {
        eprintln!("{note}");
    }
    let stale: Vec<String> = ALLOWED_FRAMES
        .iter()
        .filter(|a| !used.iter().any(|(n, t, f)| n == a.dump && *t == a.thread && *f == a.frame))
        .map(|a| format!("{} thread {} frame {} ({})", a.dump, a.thread, a.frame, a.reason))
        .collect();
    assert!(stale.is_empty(), "allowances that match no difference any more: {stale:#?}");
    assert!(problems.is_empty(), "{} differences:\n{}", problems.len(), problems.join("\n"));
}

#[test]
fn the_comparison_sees_differences() {
    let expected = serde_json::json!({
        "crash_info": {"type": "SIGSEGV", "address": "0x0", "crashing_thread": 0, "instruction": "ret"},
        "system_info": {"os": "Linux"},
        "thread_count": 1,
        "threads": [{"thread_id": 5, "frames": [{"frame": 0, "offset": "0x1", "trust": "context"}]}],
        "pid": 5,
    });
    let outcome = compare("synthetic", &expected, &expected);
    assert!(outcome.matched.iter().all(|m| *m) && outcome.problems.is_empty());

    let mut ours = expected.clone();
    ours["crash_info"]["instruction"] = Value::Null;
    let outcome = compare("synthetic", &expected, &ours);
    let failed: Vec<&str> = PARTS.iter().zip(&outcome.matched).filter(|(_, m)| !**m).map(|(p, _)| *p).collect();
    assert_eq!(failed, ["instruction analysis", "whole report"], "the analysis is compared");
    ours["crash_info"]["instruction"] = "ret".into();

    ours["threads"][0]["frames"][0]["trust"] = "scan".into();
    ours["pid"] = 6.into();
    ours.as_object_mut().unwrap().remove("thread_count");
    let outcome = compare("synthetic", &expected, &ours);
    let failed: Vec<&str> = PARTS.iter().zip(&outcome.matched).filter(|(_, m)| !**m).map(|(p, _)| *p).collect();
    assert_eq!(failed, ["keys", "threads", "frames", "rest of top level", "whole report"], "{:#?}", outcome.problems);
}
