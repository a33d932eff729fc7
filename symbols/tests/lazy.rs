//! [`LazySymbols`] answers every lookup as [`Symbols`] does, on the same
//! bytes: the corpus's symbol files, Breakpad's resolver test modules
//! (overlaps, bad lines), hand-written edge cases and generated messy files
//! (records out of order, overlapping, repeated, malformed, CRLF, not
//! UTF-8), at every address the files name and around them.

use std::path::{Path, PathBuf};

use mdump_symbols::{ByteSource, LazySymbols, SymbolAt, SymbolBytes, Symbols};
use mdump_testkit::corpus::corpus_dir;

fn files_under(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    let mut entries: Vec<PathBuf> = entries.map(|e| e.unwrap().path()).collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            files_under(&path, out);
        } else if path.extension().is_some_and(|e| e == "sym" || e == "out") {
            out.push(path);
        }
    }
}

/// Addresses worth asking about: every address the eager model names, and
/// its neighbours.
fn addresses(symbols: &Symbols<'_>) -> Vec<u64> {
    let file = symbols.file();
    let mut at = vec![0, 1, 0x1000, u64::MAX, u64::MAX - 1];
    let mut near = |a: u64| at.extend([a.wrapping_sub(1), a, a.wrapping_add(1)]);
    for f in &file.functions {
        near(f.address);
        near(f.address.wrapping_add(f.size));
        for l in &f.lines {
            near(l.address);
            near(l.address.wrapping_add(u64::from(l.size)));
        }
        for r in f.inlines.iter().flat_map(|i| &i.ranges) {
            near(r.address);
            near(r.address.wrapping_add(r.size));
        }
    }
    for p in &file.publics {
        near(p.address);
    }
    for c in &file.cfi {
        near(c.address);
        near(c.address.wrapping_add(c.size));
        for d in &c.deltas {
            near(d.address);
        }
    }
    for w in &file.win {
        near(w.address);
        near(w.address.wrapping_add(w.code_size));
    }
    at.sort_unstable();
    at.dedup();
    // The largest corpus files name a million addresses: a sample of them
    // (spread over the whole file) keeps the test quick.
    let step = at.len() / 20_000 + 1;
    at.into_iter().step_by(step).collect()
}

/// Compares every lookup at every interesting address; returns how many
/// lookups found something.
fn same_answers(bytes: &[u8], what: &str) -> usize {
    same_answers_of(&LazySymbols::new(bytes), bytes, what)
}

fn same_answers_of<B: ByteSource>(lazy: &LazySymbols<B>, bytes: &[u8], what: &str) -> usize {
    let eager = Symbols::parse(bytes);
    assert_eq!(lazy.stats(), eager.stats(), "{what}: parse counts");
    assert_eq!(lazy.module(), eager.file().module, "{what}: MODULE");
    let mut found = 0;
    for addr in addresses(&eager) {
        let expected = eager.symbol_at(addr).map(|s| {
            let size = match s {
                SymbolAt::Function(f) => Some(f.size),
                SymbolAt::Public(_) => None,
            };
            (s.name().to_string(), s.address(), size, s.parameter_size())
        });
        let got = lazy.symbol_at(addr).map(|s| (s.name.into_owned(), s.address, s.size, s.parameter_size));
        assert_eq!(got, expected, "{what}: symbol at {addr:#x}");
        assert_eq!(lazy.has_symbol_at(addr), expected.is_some(), "{what}: has symbol at {addr:#x}");
        found += usize::from(expected.is_some());

        let expected = eager.line_at(addr).map(|l| (l.line, l.file.map(str::to_string)));
        let got = lazy.line_at(addr).map(|l| (l.line, l.file.map(|f| f.into_owned())));
        assert_eq!(got, expected, "{what}: line at {addr:#x}");

        let expected: Vec<_> = eager
            .inline_chain_at(addr)
            .iter()
            .map(|i| {
                (
                    i.inline.depth,
                    i.inline.call_line,
                    i.name.map(str::to_string),
                    i.call_file.map(str::to_string),
                    i.range_address,
                )
            })
            .collect();
        let got: Vec<_> = lazy
            .inline_chain_at(addr)
            .into_iter()
            .map(|i| {
                (
                    i.depth,
                    i.call_line,
                    i.name.map(|n| n.into_owned()),
                    i.call_file.map(|f| f.into_owned()),
                    i.range_address,
                )
            })
            .collect();
        assert_eq!(got, expected, "{what}: inline chain at {addr:#x}");

        let expected = eager.cfi_at(addr).map(|c| {
            let rules: Vec<(String, String)> = c.rules().iter().map(|(n, e)| (n.to_string(), e.to_string())).collect();
            (c.init.address, c.init.size, rules)
        });
        let got = lazy.cfi_at(addr).map(|c| {
            let rules: Vec<(String, String)> = c.rules().iter().map(|(n, e)| (n.to_string(), e.to_string())).collect();
            (c.init().address, c.init().size, rules)
        });
        assert_eq!(got, expected, "{what}: CFI at {addr:#x}");

        let expected = eager.win_at(addr).cloned();
        assert_eq!(lazy.win_at(addr), expected, "{what}: STACK WIN at {addr:#x}");
        found += usize::from(expected.is_some()) + usize::from(got.is_some());
    }
    for f in &eager.file().files {
        assert_eq!(lazy.file_name(f.id).as_deref(), eager.file_name(f.id), "{what}: FILE {}", f.id);
    }
    for o in &eager.file().inline_origins {
        assert_eq!(lazy.inline_origin(o.id).as_ref(), eager.inline_origin(o.id), "{what}: INLINE_ORIGIN {}", o.id);
    }
    found
}

#[test]
fn corpus_files_answer_alike() {
    let Some(corpus) = corpus_dir("symbols") else { return };
    let mut files = Vec::new();
    files_under(&corpus.join("symbols"), &mut files);
    files_under(&corpus.join("expected/breakpad"), &mut files);
    assert!(files.len() >= 12, "{} symbol files", files.len());
    let mut found = 0;
    for path in &files {
        let bytes = std::fs::read(path).unwrap();
        found += same_answers(&bytes, &path.display().to_string());
    }
    assert!(found > 1000, "only {found} lookups found something");
}

/// Overlaps, repeats, records out of order, bad and misplaced lines, CRLF,
/// text that is not UTF-8.
const MESSY: &[u8] = b"MODULE Linux x86 ABCDEF0 messy\r
MODULE Linux x86 ABCDEF0 second\n\
INFO CODE_ID 1234\n\
FILE 3 b.c\n\
FILE 1 a\xff.c\n\
FILE 3 repeated.c\n\
INLINE_ORIGIN 1 inl\xfe()\n\
INLINE_ORIGIN 1 repeated()\n\
INLINE_ORIGIN 2 3 old()\n\
1000 4 1 1\n\
FUNC 2000 100 4 late\xff\n\
2050 10 7 3\n\
2000 60 5 1\n\
2040 20 6 1\r\n\
INLINE 0 9 1 2000 20 2080 8\n\
INLINE 2 9 1 2004 4\n\
INLINE 1 11 3 2 2004 8\n\
bad line\n\
FUNC 1000 800 0 early\n\
1000 10 1 3\n\
STACK CFI INIT 1000 100 .cfa: $esp 4 + .ra: .cfa 4 - ^\n\
1010 10 2 9\n\
FUNC 1100 10 0 overlapped\n\
FUNC 3000 0 0 empty\n\
FUNC zz 1 2 malformed\n\
3000 1 1 1\n\
PUBLIC 0 0 at_zero\n\
PUBLIC 1800 0 after_early\n\
PUBLIC 1800 0 repeated\n\
PUBLIC 2200 8 after_late\n\
PUBLIC 4000 0 last\n\
STACK CFI 1008 .cfa: $esp 12 +\n\
STACK CFI 1004 .cfa: $esp 8 + $ebx: .cfa 8 - ^\n\
STACK CFI 1004 .cfa: $esp 9 +\n\
STACK CFI 2000 .cfa: outside\n\
STACK CFI INIT 1080 100 .cfa: $esp 4 + .ra: .cfa 4 - ^\n\
STACK CFI 1090 .cfa: $esp 16 +\n\
STACK CFI INIT 5000 zz broken\n\
STACK CFI 5001 .cfa: $esp 16 +\n\
STACK CFI INIT 5000 10 .cfa: $esp 4 +\r\n\
STACK CFI 5004 .ra: .cfa 4 - ^\n\
STACK WIN 4 1000 100 4 0 8 4 c 0 1 $T0 $ebp = $eip $T0 4 + ^ =\n\
STACK WIN 0 1000 100 4 0 8 4 c 0 0 1\n\
STACK WIN 4 1010 10 4 0 8 4 c 0 1 inner\n\
STACK WIN 4 1008 10 4 0 8 4 c 0 1 partial\n\
STACK WIN 4 1010 10 4 0 8 4 c 0 1 repeat\n\
STACK WIN 9 1010 10 4 0 8 4 c 0 1 bad type\n\
STACK XYZ 1\n\
STACK CFI 6000 .cfa: after the end";

#[test]
fn messy_file_answers_alike() {
    let found = same_answers(MESSY, "messy");
    assert!(found > 20, "{found}");
    let lazy = LazySymbols::new(MESSY);
    assert!(lazy.stats().bad_lines >= 8, "{:?}", lazy.stats());
    // A few answers spelled out, so that agreeing is not all there is.
    assert_eq!(lazy.symbol_at(0x1100).unwrap().name, "early");
    assert_eq!(lazy.symbol_at(0x2010).unwrap().name, "late\u{fffd}");
    assert_eq!(lazy.symbol_at(0x1900).unwrap().name, "after_early");
    // 2050+10 came first; the lines overlapping it are dropped.
    assert_eq!(lazy.line_at(0x2055).unwrap().line.line, 7);
    assert_eq!(lazy.line_at(0x2045), None);
    assert_eq!(lazy.file_name(3).as_deref(), Some("b.c"));
    let chain = lazy.inline_chain_at(0x2005);
    assert_eq!(chain.iter().map(|i| i.depth).collect::<Vec<_>>(), [0, 1]);
    assert_eq!(chain[0].name.as_deref(), Some("inl\u{fffd}()"));
    let cfi = lazy.cfi_at(0x1009).unwrap();
    // Of the two deltas at 1004 the last one counts, without `$ebx`.
    assert_eq!(cfi.rules(), [(".cfa", "$esp 12 +"), (".ra", ".cfa 4 - ^")]);
    assert_eq!(lazy.cfi_at(0x1005).unwrap().rules(), [(".cfa", "$esp 9 +"), (".ra", ".cfa 4 - ^")]);
    assert_eq!(lazy.cfi_at(0x5005).unwrap().rules(), [(".cfa", "$esp 4 +"), (".ra", ".cfa 4 - ^")]);
}

/// A small deterministic generator (xorshift64*).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

/// A file of records in random order with small, colliding addresses.
fn random_file(rng: &mut Rng) -> Vec<u8> {
    let mut out = Vec::new();
    let lines = 20 + rng.below(200);
    for _ in 0..lines {
        let a = rng.below(0x80);
        let s = rng.below(0x20);
        let line = match rng.below(16) {
            0 => format!("FUNC {a:x} {s:x} {:x} f{a}", rng.below(3)),
            1 => format!("PUBLIC {a:x} 0 p{a}"),
            2 => format!("STACK CFI INIT {a:x} {s:x} .cfa: $esp {} + .ra: .cfa 4 - ^", rng.below(9)),
            3 | 4 => format!("STACK CFI {a:x} .cfa: $esp {} + $ebx: .cfa {} - ^", rng.below(9), rng.below(9)),
            5 => format!("STACK WIN {} {a:x} {s:x} 1 0 0 0 0 0 1 p{a}", [0, 4][rng.below(2) as usize]),
            6 => format!("FILE {} file{a}", rng.below(6)),
            7 => format!("INLINE_ORIGIN {} origin{a}", rng.below(6)),
            8 => format!("INLINE {} {} {} {a:x} {s:x}", rng.below(3), rng.below(50), rng.below(6)),
            9 => format!(
                "INLINE {} {} {} {} {a:x} {s:x} {:x} 2",
                rng.below(3),
                rng.below(50),
                rng.below(6),
                rng.below(6),
                a + 8
            ),
            10 => ["garbage", "FUNC x", "STACK CFI INIT 1", "INLINE 0", "FILE -1 x", "12 zz 1 1"]
                [rng.below(6) as usize]
                .to_string(),
            _ => format!("{a:x} {s:x} {} {}", rng.below(100), rng.below(6)),
        };
        out.extend_from_slice(line.as_bytes());
        out.extend_from_slice(if rng.below(10) == 0 { b"\r\n" } else { b"\n" });
    }
    out
}

#[test]
fn generated_files_answer_alike() {
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let mut found = 0;
    for i in 0..300 {
        let file = random_file(&mut rng);
        found += same_answers(&file, &format!("generated file {i}:\n{}", String::from_utf8_lossy(&file)));
    }
    assert!(found > 1000, "{found}");
}

/// `bytes` written to a temporary file and opened to be read a piece at a
/// time.
fn from_file(bytes: &[u8], name: &str) -> SymbolBytes {
    let path = std::env::temp_dir().join(format!("mdump-lazy-{name}-{}.sym", std::process::id()));
    std::fs::write(&path, bytes).unwrap();
    let file = std::fs::File::open(&path).unwrap();
    std::fs::remove_file(&path).unwrap();
    SymbolBytes::from_file(file).unwrap()
}

#[test]
fn files_read_a_piece_at_a_time_answer_alike() {
    let mut rng = Rng(0x1234_5678_9abc_def1);
    // Several pieces' worth of records, CRLF lines, and names longer than
    // the first read of a line.
    let mut text = b"MODULE Linux x86_64 0123 big\r\n".to_vec();
    let mut address = 0x1000u64;
    while text.len() < 5 << 20 {
        let size = 0x10 + rng.below(0x100);
        let long = if rng.below(50) == 0 { "x".repeat(700) } else { String::new() };
        text.extend_from_slice(format!("FUNC {address:x} {size:x} 0 function_{address:x}{long}\n").as_bytes());
        for k in 0..size / 0x10 {
            let end = if k % 5 == 0 { "\r\n" } else { "\n" };
            text.extend_from_slice(format!("{:x} 10 {} {}{end}", address + k * 0x10, 10 + k, k % 7).as_bytes());
        }
        text.extend_from_slice(
            format!("STACK CFI INIT {address:x} {size:x} .cfa: $rsp 8 + .ra: .cfa -8 + ^\n").as_bytes(),
        );
        text.extend_from_slice(format!("STACK CFI {:x} .cfa: $rsp 16 +\n", address + 1).as_bytes());
        address += size + rng.below(0x20);
    }
    for k in 0..7 {
        text.extend_from_slice(format!("FILE {k} file{k}.c\n").as_bytes());
    }
    let lazy = LazySymbols::new(from_file(&text, "big"));
    assert!(!lazy.source().is_in_memory());
    assert_eq!(lazy.len(), text.len());
    let found = same_answers_of(&lazy, &text, "big file");
    assert!(found > 1000, "{found}");
    assert_eq!(lazy.symbol_at(0x1000).unwrap().name, "function_1000");

    // Bad lines, overlaps and text that is not UTF-8, read from the file.
    let messy = LazySymbols::new(from_file(MESSY, "messy"));
    assert!(same_answers_of(&messy, MESSY, "messy file") > 20);

    // Files up to the limit are read whole; empty ones too.
    let path = std::env::temp_dir().join(format!("mdump-lazy-small-{}.sym", std::process::id()));
    std::fs::write(&path, MESSY).unwrap();
    let small = LazySymbols::open(&path);
    std::fs::write(&path, b"").unwrap();
    let empty = SymbolBytes::open(&path);
    std::fs::remove_file(&path).unwrap();
    assert!(small.unwrap().source().is_in_memory());
    let empty = empty.unwrap();
    assert!(empty.is_in_memory());
    assert_eq!(LazySymbols::new(empty).stats().lines, 0);
}
