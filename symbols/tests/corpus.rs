//! Every symbol file of the shared corpus: parsed with no bad line, the same
//! record counts as a naive count, written back to the same lines, and read
//! back equal. Breakpad's own resolver test files (`module*.out`) with the
//! answers Breakpad's unit test expects of them.

use std::path::{Path, PathBuf};

use mdump_symbols::{parse, BadLineKind, StackWinType, SymbolAt, Symbols, WinProgram};
use mdump_testkit::corpus::corpus_dir;

fn sym_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().path()).collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            sym_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "sym") {
            out.push(path);
        }
    }
}

fn all_sym_files(corpus: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    sym_files(&corpus.join("symbols"), &mut files);
    sym_files(&corpus.join("dump_syms"), &mut files);
    files
}

/// The file's non-empty lines, without `\r`, sorted.
fn sorted_lines(text: &[u8]) -> Vec<&[u8]> {
    let mut lines: Vec<&[u8]> =
        text.split(|&b| b == b'\n').map(|l| l.strip_suffix(b"\r").unwrap_or(l)).filter(|l| !l.is_empty()).collect();
    lines.sort();
    lines
}

fn count_prefix(text: &[u8], prefix: &[u8]) -> usize {
    text.split(|&b| b == b'\n').filter(|l| l.starts_with(prefix)).count()
}

#[test]
fn every_corpus_sym_file_parses_cleanly_and_round_trips() {
    let Some(corpus) = corpus_dir("symbols") else { return };
    let files = all_sym_files(&corpus);
    assert!(files.len() >= 20, "expected the corpus's .sym files, found {}", files.len());
    for path in files {
        let name = path.strip_prefix(&corpus).unwrap().display().to_string();
        let bytes = std::fs::read(&path).unwrap();
        let (file, stats) = parse(&bytes);
        assert_eq!(stats.bad_lines, 0, "{name}: {:?}", stats.first_bad);
        assert!(file.module.is_some(), "{name}");

        // Record counts against a naive count of line prefixes.
        assert_eq!(file.functions.len(), count_prefix(&bytes, b"FUNC "), "{name}");
        assert_eq!(file.publics.len(), count_prefix(&bytes, b"PUBLIC "), "{name}");
        assert_eq!(file.files.len(), count_prefix(&bytes, b"FILE "), "{name}");
        assert_eq!(file.win.len(), count_prefix(&bytes, b"STACK WIN "), "{name}");
        assert_eq!(file.cfi.len(), count_prefix(&bytes, b"STACK CFI INIT "), "{name}");
        let deltas: usize = file.cfi.iter().map(|c| c.deltas.len()).sum();
        assert_eq!(deltas + file.cfi.len(), count_prefix(&bytes, b"STACK CFI "), "{name}");
        let inlines: usize = file.functions.iter().map(|f| f.inlines.len()).sum();
        assert_eq!(inlines, count_prefix(&bytes, b"INLINE "), "{name}");

        // Written back: the same lines (in Breakpad's record order), and
        // parsed again: the same records.
        let written = file.to_string();
        assert_eq!(sorted_lines(written.as_bytes()), sorted_lines(&bytes), "{name}: written lines differ");
        let (again, again_stats) = parse(written.as_bytes());
        assert_eq!(again_stats.bad_lines, 0, "{name}");
        assert_eq!(again, file, "{name}: round trip");

        // The index builds and answers at every function and CFI start.
        let symbols = Symbols::parse(&bytes);
        for f in &file.functions {
            assert!(symbols.symbol_at(f.address).is_some(), "{name}: FUNC {:x}", f.address);
        }
        for c in &file.cfi {
            assert!(symbols.cfi_at(c.address).is_some(), "{name}: CFI {:x}", c.address);
        }
    }
}

#[test]
fn owned_copy_equals_borrowed() {
    let Some(corpus) = corpus_dir("symbols") else { return };
    let path = corpus.join("symbols/test_app.pdb/5A9832E5287241C1838ED98914E9B7FF1/test_app.sym");
    let (owned, text) = {
        let bytes = std::fs::read(path).unwrap();
        let (file, _) = parse(&bytes);
        (file.clone().into_owned(), file.to_string())
    };
    // The input is gone; the owned copy still writes the same text.
    assert_eq!(owned.to_string(), text);
}

fn module(corpus: &Path, name: &str) -> Vec<u8> {
    std::fs::read(corpus.join("expected/breakpad").join(name)).unwrap()
}

#[test]
fn breakpad_module1_lookups() {
    let Some(corpus) = corpus_dir("symbols") else { return };
    let bytes = module(&corpus, "module1.out");
    let s = Symbols::parse(&bytes);
    assert_eq!(s.stats().bad_lines, 0);
    let program = "$eip 4 + ^ = $esp $ebp 8 + = $ebp $ebp ^ =";

    let f = s.function_at(0x1000).unwrap();
    assert_eq!((&*f.name, f.address, f.multiple), ("Function1_1", 0x1000, true));
    let line = s.line_at(0x1000).unwrap();
    assert_eq!((line.file, line.line.line, line.line.address), (Some("file1_1.cc"), 44, 0x1000));
    let win = s.win_at(0x1000).unwrap();
    assert_eq!(win.ty, StackWinType::FrameData);
    assert_eq!(win.program, WinProgram::ProgramString(program.into()));

    assert!(s.symbol_at(0x800).is_none());
    assert!(s.line_at(0x800).is_none());
    assert!(s.win_at(0x800).is_none());

    assert_eq!(s.function_at(0x1280).unwrap().name, "Function1_3");
    assert!(s.line_at(0x1280).is_none());
    assert!(s.win_at(0x1280).is_none());

    assert_eq!(s.function_at(0x1380).unwrap().name, "Function1_4");
    assert_eq!(s.win_at(0x1380).unwrap().ty, StackWinType::FrameData);

    // The zero-size function is ignored, and nothing else covers 0x2000.
    assert!(s.symbol_at(0x2000).is_none());
    assert!(s.win_at(0x2000).is_none());

    // CFI covers 3d40 up to (not including) 3def.
    assert!(s.cfi_at(0x3d3f).is_none());
    assert!(s.cfi_at(0x3e9f).is_none());
    assert_eq!(s.cfi_at(0x3d40).unwrap().rules(), [(".cfa", "$esp 4 +"), (".ra", ".cfa 4 - ^")]);
    assert_eq!(s.cfi_at(0x3d41).unwrap().rules(), [(".cfa", "$esp 8 +"), (".ra", ".cfa 4 - ^")]);
    assert_eq!(
        s.cfi_at(0x3d84).unwrap().rules(),
        [
            (".cfa", "$ebp 8 +"),
            (".ra", ".cfa 4 - ^"),
            ("$ebp", ".cfa 8 - ^"),
            ("$ebx", ".cfa 20 - ^"),
            ("$esi", ".cfa 16 - ^"),
            ("$edi", ".cfa 12 - ^"),
        ]
    );
    assert_eq!(s.cfi_at(0x3dee).unwrap().deltas.len(), 5);
    assert!(s.cfi_at(0x3def).is_none());

    match s.symbol_at(0x2900) {
        Some(SymbolAt::Public(p)) => assert_eq!((&*p.name, p.multiple), ("PublicSymbol", true)),
        other => panic!("{other:?}"),
    }
    assert_eq!(s.function_at(0x4000).unwrap().name, "LargeFunction");
    assert_eq!(s.line_at(0x4000).unwrap().line.line, 4098359);
}

#[test]
fn breakpad_module2_lookups() {
    let Some(corpus) = corpus_dir("symbols") else { return };
    let bytes = module(&corpus, "module2.out");
    let s = Symbols::parse(&bytes);
    assert_eq!(s.stats().bad_lines, 0);
    let f = s.function_at(0x2181).unwrap();
    assert_eq!((&*f.name, f.address), ("Function2_2", 0x2170));
    let line = s.line_at(0x2181).unwrap();
    assert_eq!((line.file, line.line.line, line.line.address), (Some("file2_2.cc"), 21, 0x2180));
    let win = s.win_at(0x2181).unwrap();
    assert_eq!((win.ty, win.prologue_size), (StackWinType::FrameData, 1));

    assert_eq!(s.symbol_at(0x216f).unwrap().name(), "Public2_1");
    // Function2_2 (0x2170) lies between Public2_1 and 0x219f: nothing.
    assert!(s.symbol_at(0x219f).is_none());
    assert_eq!(s.symbol_at(0x21a0).unwrap().name(), "Public2_2");
    // Lines outside their function are never found.
    assert!(s.line_at(0x1000).is_none());
}

#[test]
fn breakpad_bad_modules_count_bad_lines_and_keep_the_good_ones() {
    let Some(corpus) = corpus_dir("symbols") else { return };
    // module3_bad: "FUNC 1000" has no size, parameter size or name.
    let bytes = module(&corpus, "module3_bad.out");
    let (file, stats) = parse(&bytes);
    assert_eq!(stats.bad_lines, 1);
    assert_eq!(stats.first_bad_line_numbers(), [3]);
    assert_eq!(stats.first_bad[0].kind, BadLineKind::Function);
    assert!(stats.is_corrupt());
    assert_eq!(file.module.as_ref().unwrap().name, "module3.pdb");
    assert_eq!(file.files.len(), 1);
    assert!(file.functions.is_empty());

    // module4_bad: two line records with no FUNC before them.
    let bytes = module(&corpus, "module4_bad.out");
    let (file, stats) = parse(&bytes);
    assert_eq!(stats.bad_lines, 2);
    assert_eq!(stats.first_bad_line_numbers(), [4, 5]);
    assert!(stats.first_bad.iter().all(|b| b.kind == BadLineKind::LineWithoutFunction));
    assert_eq!(file.module.as_ref().unwrap().id, "444444444444444444444444444444444");
    assert_eq!(file.files.len(), 2);

    // The good ones are clean.
    for good in ["module0.out", "module1.out", "module2.out"] {
        let bytes = module(&corpus, good);
        let (file, stats) = parse(&bytes);
        assert_eq!(stats.bad_lines, 0, "{good}");
        let written = file.to_string();
        assert_eq!(sorted_lines(written.as_bytes()), sorted_lines(&bytes), "{good}");
    }
}

#[test]
fn linux_inline_chains_in_both_forms() {
    let Some(corpus) = corpus_dir("symbols") else { return };
    let dir = corpus.join("symbols/linux_inline/BBA6FA10B8AAB33D00000000000000000");
    let new = std::fs::read(dir.join("linux_inline.new.sym")).unwrap();
    let s = Symbols::parse(&new);
    assert_eq!(s.stats().bad_lines, 0);
    let chain = s.inline_chain_at(0x15b83);
    let summary: Vec<_> =
        chain.iter().map(|f| (f.inline.depth, f.name, f.call_file, f.inline.call_line, f.range_address)).collect();
    assert_eq!(
        summary,
        [
            (0, Some("foo()"), Some("a.cpp"), 42, 0x15b45),
            (1, Some("bar()"), Some("b.cpp"), 39, 0x15b72),
            (2, Some("func()"), Some("c.cpp"), 32, 0x15b83),
        ]
    );
    assert_eq!(s.line_at(0x15b83).unwrap().line.line, 9);
    assert_eq!(s.inline_chain_at(0x15b72).len(), 2);
    assert_eq!(s.inline_chain_at(0x15b30).len(), 0);
    assert_eq!(s.inline_chain_at(0x161f6).len(), 0);

    let old = std::fs::read(dir.join("linux_inline.old.sym")).unwrap();
    let s = Symbols::parse(&old);
    assert_eq!(s.stats().bad_lines, 0);
    let chain = s.inline_chain_at(0x15b83);
    let summary: Vec<_> = chain.iter().map(|f| (f.name, f.call_file, f.inline.call_line)).collect();
    assert_eq!(summary, [(Some("foo()"), None, 42), (Some("bar()"), None, 39), (Some("func()"), None, 32)]);
    assert_eq!(s.inline_origin(0).unwrap().file, Some(0));
}
