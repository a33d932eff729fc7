//! `dump::pe` against Breakpad's `dump_syms` on the Windows pairs of the
//! shared corpus (`dump_syms/windows/`): both outputs are parsed with
//! `mdump_symbols::parse` and compared record by record, per record kind.
//! Every remaining difference is listed in `KNOWN` (and README.md, "mdump
//! syms" / "PE/PDB") with its reason; a new difference, or a listed one that
//! no longer happens, fails the test.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::PathBuf;

use mdump_symbols::dump::pe::{dump_pe, dump_pe_path, is_pdb, is_pe, pdb_path_of, PeOptions};
use mdump_symbols::{Function, SymbolFile};
use mdump_testkit::corpus::corpus_dir;

/// Record kinds, as counted and reported.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Kind {
    Module,
    Info,
    File,
    Func,
    Line,
    Public,
    Cfi,
    Win,
}

/// One difference: the kind, the record's key (its address, or its FILE
/// id / position), and both sides as text.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Diff {
    kind: Kind,
    key: u64,
    ours: String,
    breakpad: String,
}

#[derive(Default)]
struct Report {
    matched: BTreeMap<Kind, usize>,
    total: BTreeMap<Kind, usize>,
    diffs: Vec<Diff>,
}

impl Report {
    /// Compares two keyed lists: records with equal keys are compared by
    /// text, the rest are missing or extra.
    fn compare(&mut self, kind: Kind, ours: Vec<(u64, String)>, breakpad: Vec<(u64, String)>) {
        *self.total.entry(kind).or_default() += breakpad.len();
        let mut theirs: BTreeMap<u64, Vec<String>> = BTreeMap::new();
        for (k, v) in breakpad {
            theirs.entry(k).or_default().push(v);
        }
        let mut mine: BTreeMap<u64, Vec<String>> = BTreeMap::new();
        for (k, v) in ours {
            mine.entry(k).or_default().push(v);
        }
        let keys: std::collections::BTreeSet<u64> = theirs.keys().chain(mine.keys()).copied().collect();
        for key in keys {
            let a = mine.remove(&key).unwrap_or_default();
            let b = theirs.remove(&key).unwrap_or_default();
            let n = a.len().max(b.len());
            for i in 0..n {
                let (x, y) = (a.get(i).cloned().unwrap_or_default(), b.get(i).cloned().unwrap_or_default());
                if x == y {
                    *self.matched.entry(kind).or_default() += 1;
                } else {
                    self.diffs.push(Diff { kind, key, ours: x, breakpad: y });
                }
            }
        }
    }
}

fn func_text(f: &Function<'_>) -> String {
    format!("FUNC {}{:x} {:x} {:x} {}", if f.multiple { "m " } else { "" }, f.address, f.size, f.parameter_size, f.name)
}

fn compare(ours: &SymbolFile<'_>, breakpad: &SymbolFile<'_>) -> Report {
    let mut r = Report::default();
    let one = |f: &SymbolFile<'_>| f.module.iter().map(|m| (0, m.to_string())).collect::<Vec<_>>();
    r.compare(Kind::Module, one(ours), one(breakpad));
    let info = |f: &SymbolFile<'_>| f.info.iter().enumerate().map(|(i, x)| (i as u64, x.to_string())).collect();
    r.compare(Kind::Info, info(ours), info(breakpad));
    let files = |f: &SymbolFile<'_>| f.files.iter().map(|x| (u64::from(x.id), x.to_string())).collect();
    r.compare(Kind::File, files(ours), files(breakpad));
    let funcs = |f: &SymbolFile<'_>| f.functions.iter().map(|x| (x.address, func_text(x))).collect();
    r.compare(Kind::Func, funcs(ours), funcs(breakpad));
    let lines = |f: &SymbolFile<'_>| {
        f.functions
            .iter()
            .flat_map(|x| x.lines.iter().map(|l| (l.address, l.to_string())).collect::<Vec<_>>())
            .collect()
    };
    r.compare(Kind::Line, lines(ours), lines(breakpad));
    let publics = |f: &SymbolFile<'_>| f.publics.iter().map(|x| (x.address, x.to_string())).collect();
    r.compare(Kind::Public, publics(ours), publics(breakpad));
    let cfi = |f: &SymbolFile<'_>| {
        f.cfi
            .iter()
            .map(|x| {
                let mut s = String::new();
                x.write_with_deltas(&mut s).unwrap();
                (x.address, s)
            })
            .collect()
    };
    r.compare(Kind::Cfi, cfi(ours), cfi(breakpad));
    let win = |f: &SymbolFile<'_>| f.win.iter().map(|x| (x.address, x.to_string())).collect();
    r.compare(Kind::Win, win(ours), win(breakpad));
    r
}

struct Case {
    name: &'static str,
    pe: Option<&'static str>,
    pdb: Option<&'static str>,
}

const CASES: &[Case] = &[
    Case { name: "dump_syms_regtest", pe: None, pdb: Some("dump_syms_regtest.pdb") },
    Case { name: "dump_syms_regtest64", pe: Some("dump_syms_regtest64.exe"), pdb: Some("dump_syms_regtest64.pdb") },
    Case { name: "omap_reorder_bbs", pe: None, pdb: Some("omap_reorder_bbs.pdb") },
    Case { name: "omap_reorder_funcs", pe: None, pdb: Some("omap_reorder_funcs.pdb") },
    Case { name: "omap_stretched", pe: None, pdb: Some("omap_stretched.pdb") },
    Case { name: "omap_stretched_filled", pe: None, pdb: Some("omap_stretched_filled.pdb") },
    Case { name: "pe_only_symbol_test", pe: Some("pe_only_symbol_test.dll"), pdb: None },
];

/// Differences from Breakpad that are understood and accepted: (file, kind,
/// key). Empty: every record of every pair matches.
const KNOWN: &[(&str, Kind, u64)] = &[];

fn dir() -> Option<PathBuf> {
    corpus_dir("dump_syms/windows").map(|c| c.join("dump_syms/windows"))
}

fn dump_case(dir: &std::path::Path, case: &Case) -> SymbolFile<'static> {
    let read = |f: Option<&str>| f.map(|f| std::fs::read(dir.join(f)).unwrap());
    let (pe, pdb) = (read(case.pe), read(case.pdb));
    let options =
        PeOptions { pdb_name: case.pdb.map(str::to_owned), pe_name: case.pe.map(str::to_owned), keep_mangled: false };
    dump_pe(pe.as_deref(), pdb.as_deref(), &options).unwrap()
}

#[test]
fn windows_pairs_match_breakpad_record_for_record() {
    let Some(dir) = dir() else { return };
    let mut summary = String::new();
    let mut failures = String::new();
    let mut seen_known = Vec::new();
    for case in CASES {
        let ours = dump_case(&dir, case);
        // Through text and the parser, as a user of the .sym would see it.
        let text = ours.to_string();
        let (ours, stats) = mdump_symbols::parse(text.as_bytes());
        assert_eq!(stats.bad_lines, 0, "{}: our output has malformed lines", case.name);
        let expected = std::fs::read(dir.join(format!("{}.sym", case.name))).unwrap();
        let (breakpad, stats) = mdump_symbols::parse(&expected);
        assert_eq!(stats.bad_lines, 0, "{}: Breakpad's file has malformed lines", case.name);
        let report = compare(&ours, &breakpad);
        write!(summary, "{}:", case.name).unwrap();
        for (kind, total) in &report.total {
            let matched = report.matched.get(kind).copied().unwrap_or(0);
            write!(summary, " {kind:?} {matched}/{total}").unwrap();
        }
        writeln!(summary, " ({} differences)", report.diffs.len()).unwrap();
        for d in &report.diffs {
            if KNOWN.contains(&(case.name, d.kind, d.key)) {
                seen_known.push((case.name, d.kind, d.key));
                continue;
            }
            writeln!(
                failures,
                "{} {:?} {:x}\n  ours:     {}\n  breakpad: {}",
                case.name, d.kind, d.key, d.ours, d.breakpad
            )
            .unwrap();
        }
        if report.diffs.is_empty() {
            // Same records in the same order, PUBLIC records placed among
            // the FUNC records where Breakpad's walk put them.
            assert_eq!(ours, breakpad, "{}: same records, different order", case.name);
            // And so the same text: Breakpad's files were written on
            // Windows in text mode (CRLF); ours end lines in LF.
            let expected = String::from_utf8(expected).unwrap().replace("\r\n", "\n");
            if text != expected {
                let at = text.lines().zip(expected.lines()).position(|(a, b)| a != b);
                let line = at.unwrap_or_else(|| text.lines().count().min(expected.lines().count()));
                panic!(
                    "{}: same records, but the text differs from line {}: ours {:?}, Breakpad's {:?}",
                    case.name,
                    line + 1,
                    text.lines().nth(line),
                    expected.lines().nth(line)
                );
            }
            let mut fast = Vec::new();
            mdump_symbols::dump::text::write_symbol_file(&dump_case(&dir, case), &mut fast).unwrap();
            assert_eq!(String::from_utf8(fast).unwrap(), expected, "{}: the fast writer", case.name);
        }
    }
    eprintln!("{summary}");
    for known in KNOWN {
        assert!(seen_known.contains(known), "known difference {known:?} no longer happens: update KNOWN and README");
    }
    assert!(failures.is_empty(), "differences from Breakpad:\n{}", &failures[..failures.len().min(6000)]);
}

#[test]
fn the_image_names_its_pdb_and_the_pdb_alone_gives_no_code_id_or_cfi() {
    let Some(dir) = dir() else { return };
    let exe = std::fs::read(dir.join("dump_syms_regtest64.exe")).unwrap();
    let pdb = std::fs::read(dir.join("dump_syms_regtest64.pdb")).unwrap();
    assert!(is_pe(&exe) && !is_pdb(&exe));
    assert!(is_pdb(&pdb) && !is_pe(&pdb));
    let path = pdb_path_of(&exe).expect("CodeView record");
    assert_eq!(mdump_symbols::dump::pe::base_name(&path), "dump_syms_regtest64.pdb");
    let options = PeOptions { pdb_name: Some("dir/dump_syms_regtest64.pdb".into()), ..PeOptions::default() };
    let alone = dump_pe(None, Some(&pdb), &options).unwrap();
    let with_exe = dump_case(&dir, &CASES[1]);
    assert_eq!(alone.module, with_exe.module);
    assert!(alone.info.is_empty() && alone.cfi.is_empty());
    assert_eq!(alone.functions, with_exe.functions);
    // The PE alone: MODULE from its CodeView record, the same id.
    let pe_only = dump_pe(Some(&exe), None, &PeOptions::default()).unwrap();
    assert_eq!(pe_only.module, with_exe.module);
    assert_eq!(pe_only.info[0].value, "589DFD111A000");
    assert_eq!(pe_only.cfi, with_exe.cfi);
    assert!(pe_only.functions.is_empty() && pe_only.publics.is_empty());
}

#[test]
fn paths_find_the_other_half_as_breakpad_does() {
    let Some(dir) = dir() else { return };
    let expected = |name: &str| {
        let text = std::fs::read(dir.join(format!("{name}.sym"))).unwrap();
        mdump_symbols::parse(&text).0.into_owned()
    };
    // The image finds its PDB beside it through the CodeView record, and the
    // PDB finds the image by extension: both give Breakpad's file.
    let from_exe = dump_pe_path(&dir.join("dump_syms_regtest64.exe"), None, false).unwrap();
    let from_pdb = dump_pe_path(&dir.join("dump_syms_regtest64.pdb"), None, false).unwrap();
    assert_eq!(from_exe, expected("dump_syms_regtest64"));
    assert_eq!(from_pdb, from_exe);
    // No PDB beside the DLL: the image-only dump.
    let dll = dump_pe_path(&dir.join("pe_only_symbol_test.dll"), None, false).unwrap();
    assert_eq!(dll, expected("pe_only_symbol_test"));
    // No image beside this PDB: no INFO CODE_ID.
    let pdb = dump_pe_path(&dir.join("dump_syms_regtest.pdb"), None, false).unwrap();
    assert_eq!(pdb, expected("dump_syms_regtest"));
    // A PDB of another build is refused; so is a file that is neither.
    let err =
        dump_pe_path(&dir.join("dump_syms_regtest64.exe"), Some(&dir.join("omap_stretched.pdb")), false).unwrap_err();
    assert!(err.message.contains("does not match the image"), "{err}");
    let err = dump_pe_path(&dir.join("dump_syms_regtest.cc"), None, false).unwrap_err();
    assert!(err.message.contains("neither a PE image nor a PDB"), "{err}");
}

#[test]
fn the_generic_entry_point_hands_pe_and_pdb_files_to_dump_pe() {
    let Some(dir) = dir() else { return };
    let options = mdump_symbols::dump::Options::default();
    let via_dispatch = mdump_symbols::dump::dump_path(&dir.join("dump_syms_regtest64.pdb"), &options).unwrap();
    let direct = dump_pe_path(&dir.join("dump_syms_regtest64.pdb"), None, false).unwrap();
    assert_eq!(via_dispatch, direct);
    let options = mdump_symbols::dump::Options { cfi: false, ..Default::default() };
    let no_cfi = mdump_symbols::dump::dump_path(&dir.join("pe_only_symbol_test.dll"), &options).unwrap();
    assert!(no_cfi.cfi.is_empty() && no_cfi.module.is_some());
}

#[test]
fn keep_mangled_leaves_decorated_names() {
    let Some(dir) = dir() else { return };
    let pdb = std::fs::read(dir.join("dump_syms_regtest.pdb")).unwrap();
    let options = PeOptions { keep_mangled: true, ..PeOptions::default() };
    let file = dump_pe(None, Some(&pdb), &options).unwrap();
    let ctor = file.functions.iter().find(|f| f.address == 0x1070).unwrap();
    assert_eq!(ctor.name, "??0C@google_breakpad@@QAE@XZ");
    let unwind = file.publics.iter().find(|p| p.address == 0x57b2).unwrap();
    assert_eq!(unwind.name, "_RtlUnwind@16");
}

#[test]
fn bytes_that_are_neither_give_errors() {
    assert!(dump_pe(None, None, &PeOptions::default()).is_err());
    assert!(dump_pe(Some(b"MZ not really"), None, &PeOptions::default()).is_err());
    assert!(dump_pe(None, Some(b"Microsoft C/C++ MSF 7.00\r\n\x1a\x44\x53\0\0\0"), &PeOptions::default()).is_err());
    assert!(dump_pe(None, Some(&[]), &PeOptions::default()).is_err());
}

/// A small deterministic generator (xorshift), so failures reproduce.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
}

#[test]
fn damaged_images_and_pdbs_never_panic() {
    let Some(dir) = dir() else { return };
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    for (pe, pdb) in
        [(None, Some("dump_syms_regtest.pdb")), (Some("dump_syms_regtest64.exe"), Some("omap_stretched.pdb"))]
    {
        let pe = pe.map(|f| std::fs::read(dir.join(f)).unwrap());
        let pdb = pdb.map(|f| std::fs::read(dir.join(f)).unwrap());
        for round in 0..40 {
            let mut pe = pe.clone();
            let mut pdb = pdb.clone();
            for bytes in [pe.as_mut(), pdb.as_mut()].into_iter().flatten() {
                if round % 4 == 0 {
                    // Truncated anywhere.
                    let len = (rng.next() as usize) % bytes.len();
                    bytes.truncate(len);
                } else {
                    // A few hundred bytes overwritten with noise.
                    for _ in 0..(rng.next() % 400) {
                        let at = (rng.next() as usize) % bytes.len();
                        bytes[at] = rng.next() as u8;
                    }
                }
            }
            // Ok or Err, both fine; a panic fails the test.
            let _ = dump_pe(pe.as_deref(), pdb.as_deref(), &PeOptions::default());
        }
    }
}
