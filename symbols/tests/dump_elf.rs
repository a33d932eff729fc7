//! The ELF dumper on binaries built here: C at -O0 and -O2 (with inlining),
//! DWARF 2 to 5, C++, a Rust program; split debug files (debuglink and
//! build id), compressed sections, no build id. Checked against the symbol
//! table (every function is a FUNC or PUBLIC), binutils' `addr2line` (line
//! records), our own parser (round trip, no bad lines) and Mozilla's
//! `dump_syms` (same FUNC addresses and line records).
//!
//! The compilers and binutils are oracles: missing, the test says why and
//! skips, unless `CI=true`, where that is a failure.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::Command;

use mdump_symbols::dump::{self, Options};
use mdump_symbols::SymbolFile;
use object::{Object, ObjectSection, ObjectSegment, ObjectSymbol, SymbolKind};

/// A program on PATH (or at one of `extra` paths), or a skip (a failure in CI).
fn tool(name: &str, extra: &[&str]) -> Option<PathBuf> {
    let candidates: Vec<&str> = extra.iter().copied().chain([name]).collect();
    mdump_testkit::exec::oracle(&candidates)
}

fn scratch(name: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("dump_elf").join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn run(cmd: &mut Command) {
    let out = cmd.output().unwrap_or_else(|e| panic!("{cmd:?}: {e}"));
    assert!(out.status.success(), "{cmd:?}: {}\n{}", out.status, String::from_utf8_lossy(&out.stderr));
}

const C_SOURCE: &str = r#"
#include <stdio.h>
#include <stdlib.h>
static inline int square(int x) { return x * x; }
static int table[64];
__attribute__((noinline)) int leaf(int n) {
    int s = 0;
    for (int i = 0; i < n; i++) s += square(i) + table[i & 63];
    return s;
}
__attribute__((noinline)) static int middle(int n) {
    if (n > 1000) abort();
    return leaf(n) + leaf(n / 2);
}
__attribute__((noinline, cold)) void cold_path(const char *why) { fprintf(stderr, "%s\n", why); exit(3); }
int dispatch(int n) {
    switch (n % 4) {
    case 0: return middle(n);
    case 1: return leaf(n) * 2;
    case 2: if (n > 900) cold_path("too big"); return square(n);
    default: return -n;
    }
}
int main(int argc, char **argv) {
    int total = 0;
    for (int i = 0; i < argc * 8; i++) total += dispatch(i);
    printf("%d\n", total);
    return 0;
}
"#;

const CPP_SOURCE: &str = r#"
#include <cstdio>
#include <string>
#include <vector>
#include <map>
namespace outer { namespace inner {
struct Shape { virtual ~Shape() {} virtual double area() const = 0; };
struct Square : Shape { double s; explicit Square(double x) : s(x) {} double area() const override { return s * s; } };
template <typename T> T twice(T v) { return v + v; }
namespace { int hidden(int x) { return x * 7 + 1; } }
int visible(const std::string& s) { return (int)s.size() + hidden((int)s.size()); }
} }
static int local_helper(std::map<int, int>& m) { int t = 0; for (auto& kv : m) t += kv.second; return t; }
int main(int argc, char** argv) {
    std::vector<outer::inner::Shape*> shapes;
    for (int i = 0; i < argc + 2; i++) shapes.push_back(new outer::inner::Square(i));
    double total = 0;
    for (auto* s : shapes) { total += s->area(); delete s; }
    std::map<int, int> m;
    for (int i = 0; i < argc * 3; i++) m[i] = outer::inner::twice(i);
    std::printf("%f %d %d\n", total, outer::inner::visible(argv[0]), local_helper(m));
    return 0;
}
"#;

const RUST_SOURCE: &str = r#"
use std::collections::HashMap;
#[inline(never)]
fn leaf(v: &[u64]) -> u64 { v.iter().map(|x| x * 3).sum() }
#[inline(never)]
fn middle(n: u64) -> u64 { let v: Vec<u64> = (0..n).collect(); leaf(&v) + 1 }
mod shapes {
    pub trait Area { fn area(&self) -> f64; }
    pub struct Circle(pub f64);
    impl Area for Circle { #[inline(never)] fn area(&self) -> f64 { 3.14 * self.0 * self.0 } }
}
fn main() {
    use shapes::Area;
    let n = std::env::args().count() as u64 * 10;
    let mut m = HashMap::new();
    m.insert(n, middle(n));
    println!("{:?} {}", m, shapes::Circle(n as f64).area());
}
"#;

/// One test binary: how it was built and where.
struct Built {
    what: String,
    path: PathBuf,
}

/// Builds the C program (or C++ / Rust) with these flags; `None` when the
/// compiler is missing (skipped, or a failure in CI).
fn build(dir: &Path, what: &str, flags: &[&str]) -> Option<Built> {
    let (compiler, source, ext) = match what {
        "c" => ("gcc", C_SOURCE, "c"),
        "cpp" => ("g++", CPP_SOURCE, "cpp"),
        _ => ("rustc", RUST_SOURCE, "rs"),
    };
    let compiler = tool(compiler, &[])?;
    let src = dir.join(format!("prog.{ext}"));
    std::fs::write(&src, source).unwrap();
    let name = format!("{what}{}", flags.join("").replace(['=', '-', ','], "_"));
    let out = dir.join(&name);
    let mut cmd = Command::new(compiler);
    cmd.current_dir(dir).args(flags).arg("-o").arg(&out).arg(&src);
    run(&mut cmd);
    Some(Built { what: format!("{what} {}", flags.join(" ")), path: out })
}

/// The variants every check runs on.
fn variants(dir: &Path) -> Vec<Built> {
    let mut v = Vec::new();
    for flags in [
        &["-g", "-O0", "-gdwarf-4"][..],
        &["-g", "-O0", "-gdwarf-5"],
        &["-g", "-O2", "-gdwarf-4"],
        &["-g", "-O2", "-gdwarf-5"],
        &["-g", "-O0", "-gdwarf-2"],
        &["-g", "-O0", "-gdwarf-3"],
    ] {
        v.extend(build(dir, "c", flags));
    }
    v.extend(build(dir, "cpp", &["-g", "-O2"]));
    v.extend(build(dir, "rust", &["-g", "-Copt-level=2"]));
    v.extend(build(dir, "rust", &["-g"]));
    v
}

fn dump_file(path: &Path, options: &Options) -> SymbolFile<'static> {
    dump::dump_path(path, options).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn load_address(file: &object::File<'_>) -> u64 {
    file.segments().next().map_or(0, |s| s.address())
}

#[test]
fn every_symbol_table_function_is_a_func_or_a_public() {
    let dir = scratch("symtab");
    let built = variants(&dir);
    for b in &built {
        let sym = dump_file(&b.path, &Options::default());
        let data = std::fs::read(&b.path).unwrap();
        let file = object::File::parse(&*data).unwrap();
        let load = load_address(&file);
        let funcs: BTreeSet<u64> = sym.functions.iter().map(|f| f.address).collect();
        let publics: BTreeSet<u64> = sym.publics.iter().map(|p| p.address).collect();
        let mut checked = 0;
        for s in file.symbols() {
            if s.kind() != SymbolKind::Text || s.is_undefined() || s.address() == 0 {
                continue;
            }
            let a = s.address() - load;
            assert!(
                funcs.contains(&a) || publics.contains(&a),
                "{}: {} at {a:#x} is neither a FUNC nor a PUBLIC",
                b.what,
                s.name().unwrap_or("?")
            );
            checked += 1;
        }
        assert!(checked >= 5, "{}: only {checked} symbols", b.what);
        // Functions with code in the DWARF are FUNCs with lines.
        for name in ["main", "leaf"] {
            if let Some(f) = sym.functions.iter().find(|f| f.name == name || f.name.ends_with(&format!("::{name}"))) {
                assert!(!f.lines.is_empty(), "{}: {name} has no lines", b.what);
            }
        }
        assert!(sym.functions.iter().any(|f| f.name == "main" || f.name.ends_with("::main")), "{}: no main", b.what);
    }
}

/// Collapses `.` and `..` components (addr2line and Mozilla clean paths,
/// Breakpad does not).
fn clean(path: &str) -> String {
    let mut parts: Vec<&str> = Vec::new();
    for p in path.split('/') {
        match p {
            "." => {}
            ".." if parts.last().is_some_and(|l| !l.is_empty() && *l != "..") => {
                parts.pop();
            }
            _ => parts.push(p),
        }
    }
    parts.join("/")
}

#[test]
fn line_records_agree_with_addr2line() {
    let Some(addr2line) = tool("addr2line", &[]) else { return };
    let dir = scratch("addr2line");
    for b in variants(&dir) {
        let sym = dump_file(&b.path, &Options::default());
        let files: BTreeMap<u32, &str> = sym.files.iter().map(|f| (f.id, &*f.name)).collect();
        let data = std::fs::read(&b.path).unwrap();
        let load = load_address(&object::File::parse(&*data).unwrap());
        let all: Vec<_> = sym.functions.iter().flat_map(|f| f.lines.iter()).collect();
        assert!(all.len() > 20, "{}: {} lines", b.what, all.len());
        // Up to 400 samples spread over the file: the start and the last
        // byte of each sampled record.
        let step = (all.len() / 200).max(1);
        let mut queries = Vec::new();
        for l in all.iter().step_by(step) {
            queries.push((l.address, l));
            queries.push((l.address + u64::from(l.size) - 1, l));
        }
        let out = Command::new(&addr2line)
            .arg("-e")
            .arg(&b.path)
            .args(queries.iter().map(|(a, _)| format!("{:#x}", a + load)))
            .output()
            .unwrap();
        assert!(out.status.success());
        let text = String::from_utf8_lossy(&out.stdout);
        let answers: Vec<&str> = text.lines().collect();
        assert_eq!(answers.len(), queries.len(), "{}", b.what);
        let mut compared = 0;
        for ((address, l), answer) in queries.iter().zip(answers) {
            let answer = answer.split(" (discriminator").next().unwrap();
            let Some((file, line)) = answer.rsplit_once(':') else { continue };
            let Ok(line) = line.parse::<u32>() else { continue };
            if line == 0 || file == "??" {
                continue;
            }
            let ours = files[&l.file];
            assert_eq!(
                (clean(ours), l.line),
                (clean(file), line),
                "{}: address {address:#x}: we say {ours}:{}, addr2line {answer}",
                b.what,
                l.line
            );
            compared += 1;
        }
        assert!(compared * 2 > queries.len(), "{}: only {compared} of {} compared", b.what, queries.len());
    }
}

#[test]
fn written_files_parse_back_with_no_bad_lines() {
    let dir = scratch("roundtrip");
    for b in variants(&dir) {
        let sym = dump_file(&b.path, &Options::default());
        let text = sym.to_string();
        let mut fast = Vec::new();
        dump::text::write_symbol_file(&sym, &mut fast).unwrap();
        assert!(fast == text.as_bytes(), "{}: the fast writer differs from Display", b.what);
        let (parsed, stats) = mdump_symbols::parse(text.as_bytes());
        assert_eq!(stats.bad_lines, 0, "{}: {:?}", b.what, stats);
        assert_eq!(parsed, sym, "{}", b.what);
        assert!(!sym.cfi.is_empty() && !sym.publics.is_empty(), "{}", b.what);
        let module = sym.module.as_ref().unwrap();
        assert_eq!((&*module.os, &*module.arch), ("Linux", "x86_64"));
        assert_eq!(module.id.len(), 33);
    }
}

#[test]
fn module_ids_come_from_the_build_id() {
    let dir = scratch("ids");
    let Some(b) = build(&dir, "c", &["-g", "-O1", "-Wl,--build-id=sha1"]) else { return };
    let data = std::fs::read(&b.path).unwrap();
    let id = object::File::parse(&*data).unwrap().build_id().unwrap().unwrap().to_vec();
    assert_eq!(id.len(), 20);
    let sym = dump_file(&b.path, &Options::default());
    let hex = |b: &[u8]| b.iter().map(|x| format!("{x:02X}")).collect::<String>();
    let mut guid = id[..16].to_vec();
    guid[..4].reverse();
    guid[4..6].reverse();
    guid[6..8].reverse();
    let module = sym.module.as_ref().unwrap();
    assert_eq!(module.id, format!("{}0", hex(&guid)));
    assert_eq!(module.name, b.path.file_name().unwrap().to_str().unwrap());
    assert_eq!(sym.info[0].code_id(), Some((&*hex(&id), None)));

    // Without a build id: the XOR of the first page of .text, 16 bytes at
    // a time, and the same 16 bytes as the code id.
    let Some(b) = build(&dir, "c", &["-g", "-O1", "-Wl,--build-id=none"]) else { return };
    let data = std::fs::read(&b.path).unwrap();
    let file = object::File::parse(&*data).unwrap();
    assert!(file.build_id().unwrap().is_none());
    let text = file.section_by_name(".text").unwrap();
    let (offset, _) = text.file_range().unwrap();
    let mut hash = [0u8; 16];
    let len = text.size().min(4096) as usize;
    for i in (0..len).step_by(16) {
        for (j, h) in hash.iter_mut().enumerate() {
            *h ^= data.get(offset as usize + i + j).copied().unwrap_or(0);
        }
    }
    let sym = dump_file(&b.path, &Options::default());
    let mut guid = hash.to_vec();
    guid[..4].reverse();
    guid[4..6].reverse();
    guid[6..8].reverse();
    assert_eq!(sym.module.as_ref().unwrap().id, format!("{}0", hex(&guid)));
    assert_eq!(sym.info[0].code_id(), Some((&*hex(&hash), None)));
}

/// `objcopy --only-keep-debug` + `strip --strip-debug` +
/// `--add-gnu-debuglink`: the stripped binary dumps to the same file as the
/// full one, found next to it, in `.debug/`, given with `--debug-file`, or
/// by build id under a debug root.
#[test]
fn separate_debug_files_give_the_same_symbols() {
    let (Some(objcopy), Some(_)) = (tool("objcopy", &[]), tool("strip", &[])) else { return };
    let dir = scratch("split");
    for b in variants(&dir).into_iter().filter(|b| b.what.starts_with('c')) {
        let full = dump_file(&b.path, &Options::default());
        let name = b.path.file_name().unwrap().to_str().unwrap().to_owned();
        for layout in ["next", ".debug", "explicit", "build-id"] {
            let case = scratch(&format!("split-{name}-{layout}"));
            let stripped = case.join(&name);
            let debug_name = format!("{name}.debug");
            let debug_dir = match layout {
                ".debug" => case.join(".debug"),
                "build-id" => case.join("root"),
                _ => case.clone(),
            };
            std::fs::create_dir_all(&debug_dir).unwrap();
            let debug = debug_dir.join(&debug_name);
            run(Command::new(&objcopy).arg("--only-keep-debug").arg(&b.path).arg(&debug));
            run(Command::new(&objcopy).arg("--strip-debug").arg(&b.path).arg(&stripped));
            run(Command::new(&objcopy)
                .current_dir(&debug_dir)
                .arg(format!("--add-gnu-debuglink={debug_name}"))
                .arg(&stripped));
            let mut options = Options { debug_roots: vec![case.join("root")], ..Options::default() };
            match layout {
                "explicit" => options.debug_file = Some(debug.clone()),
                "build-id" => {
                    let data = std::fs::read(&b.path).unwrap();
                    let id = object::File::parse(&*data).unwrap().build_id().unwrap().unwrap().to_vec();
                    let hex: String = id.iter().map(|x| format!("{x:02x}")).collect();
                    let at = case.join("root/.build-id").join(&hex[..2]);
                    std::fs::create_dir_all(&at).unwrap();
                    std::fs::rename(&debug, at.join(format!("{}.debug", &hex[2..]))).unwrap();
                }
                _ => {}
            }
            let split = dump_file(&stripped, &options);
            assert!(!split.functions.is_empty(), "{} {layout}: no FUNC records", b.what);
            assert_eq!(split, full, "{} {layout}", b.what);
        }
        // With no debug file anywhere: PUBLIC and CFI only, still a valid file.
        let case = scratch(&format!("split-{name}-none"));
        let stripped = case.join(&name);
        run(Command::new(&objcopy).arg("--strip-debug").arg(&b.path).arg(&stripped));
        let bare = dump_file(&stripped, &Options { debug_roots: vec![], ..Options::default() });
        assert!(bare.functions.is_empty() && !bare.publics.is_empty() && bare.cfi == full.cfi, "{}", b.what);
        assert_eq!(bare.module, full.module);
    }
}

#[test]
fn compressed_debug_sections_give_the_same_symbols() {
    let Some(objcopy) = tool("objcopy", &[]) else { return };
    let dir = scratch("compressed");
    for b in variants(&dir).into_iter().filter(|b| b.what.starts_with('c')) {
        let full = dump_file(&b.path, &Options::default());
        for (how, format) in [("zlib", object::CompressionFormat::Zlib), ("zstd", object::CompressionFormat::Zstandard)]
        {
            let z = dir.join(format!("{}.{how}", b.path.file_name().unwrap().to_str().unwrap()));
            run(Command::new(&objcopy).arg(format!("--compress-debug-sections={how}")).arg(&b.path).arg(&z));
            let data = std::fs::read(&z).unwrap();
            let file = object::File::parse(&*data).unwrap();
            let info = file.section_by_name(".debug_info").unwrap();
            assert_eq!(info.compressed_data().unwrap().format, format, "{} {how}", b.what);
            let mut sym = dump_file(&z, &Options::default());
            // The module name is the file name.
            sym.module = full.module.clone();
            assert_eq!(sym, full, "{} {how}", b.what);
        }
    }
}

/// Mozilla's dump_syms (`--inlines`, whose line records are the line table's
/// as Breakpad's are) finds the same functions at the same addresses with
/// the same line records, and the same CFI. Known differences, left out of the comparison:
/// PUBLIC records (it adds `<.plt ELF section ...>` entries and keeps
/// symbols inside functions), file names (it collapses `..`), and the
/// names of some functions (it drops C++ template return types; with
/// identical code folding it keeps one name per address).
#[test]
fn same_functions_and_lines_as_mozilla_dump_syms() {
    let home = std::env::var("HOME").unwrap_or_default();
    let cargo_bin = format!("{home}/.cargo/bin/dump_syms");
    let Some(dump_syms) = tool("dump_syms", &[&cargo_bin]) else { return };
    let dir = scratch("mozilla");
    for b in variants(&dir) {
        let ours = dump_file(&b.path, &Options::default());
        let out = Command::new(&dump_syms).arg("--inlines").arg(&b.path).output().unwrap();
        assert!(out.status.success(), "{}: {}", b.what, String::from_utf8_lossy(&out.stderr));
        let (theirs, stats) = mdump_symbols::parse(&out.stdout);
        // Its INLINE records sometimes follow a PUBLIC (they are then
        // not attached to a FUNC by any reader); the rest must parse.
        assert!(
            stats.first_bad.iter().all(|b| matches!(b.kind, mdump_symbols::BadLineKind::InlineWithoutParent)),
            "{}: {stats:?}",
            b.what
        );
        assert_eq!(ours.module.as_ref().unwrap().id, theirs.module.as_ref().unwrap().id, "{}", b.what);
        let records = |s: &SymbolFile<'_>| -> Vec<(u64, u64, String)> {
            let files: BTreeMap<u32, String> = s.files.iter().map(|f| (f.id, clean(&f.name))).collect();
            let mut v: Vec<_> = s
                .functions
                .iter()
                .flat_map(|f| f.lines.iter())
                .map(|l| (l.address, u64::from(l.size), format!("{}:{}", files[&l.file], l.line)))
                .collect();
            v.sort();
            v
        };
        // Record for record, then as an address-to-line map (adjacent pieces
        // of one line joined): dump_syms sometimes splits a line record at a
        // point that is no inlined-call boundary.
        let (ra, rb) = (records(&ours), records(&theirs));
        let set_a: BTreeSet<_> = ra.iter().collect();
        let same_records = rb.iter().filter(|r| set_a.contains(r)).count();
        let lines = |v: Vec<(u64, u64, String)>| -> BTreeSet<(u64, u64, String)> {
            let mut joined: Vec<(u64, u64, String)> = Vec::new();
            for (a, s, l) in v {
                match joined.last_mut() {
                    Some(last) if last.0 + last.1 == a && last.2 == l => last.1 += s,
                    _ => joined.push((a, s, l)),
                }
            }
            joined.into_iter().collect()
        };
        assert!(same_records * 100 >= rb.len() * 98, "{}: only {same_records} of {} records equal", b.what, rb.len());
        let funcs =
            |s: &SymbolFile<'_>| -> BTreeSet<(u64, u64)> { s.functions.iter().map(|f| (f.address, f.size)).collect() };
        let (fa, fb) = (funcs(&ours), funcs(&theirs));
        assert!(fa.len() > 5);
        assert_eq!(fa.symmetric_difference(&fb).collect::<Vec<_>>(), Vec::<&(u64, u64)>::new(), "{}: FUNC", b.what);
        let (la, lb) = (lines(ra), lines(rb));
        let diff: Vec<_> = la.symmetric_difference(&lb).take(10).collect();
        assert!(diff.is_empty(), "{}: line records differ: {diff:?}", b.what);
        // CFI: the same entries, and at every address where either file
        // changes a rule, the same rules in force (deltas applied in order)
        // for the CFA, the return address and every register either saves.
        // Breakpad (and we) also write a register going back to "same value"
        // (`$rbx: $rbx`) at `DW_CFA_restore`/`restore_state`, and rules the
        // CIE gave when the FDE then marks the return address undefined
        // (`_start`); dump_syms does not: a register both do not save is
        // not compared, and the `.ra` of at most two entries may be ours
        // alone.
        type Rules = BTreeMap<String, String>;
        let cfi = |s: &SymbolFile<'_>| -> BTreeMap<(u64, u64), (Rules, BTreeMap<u64, Rules>)> {
            let rules = |r: &str| -> Rules {
                mdump_symbols::cfi::rule_pairs(r).map(|(k, v)| (k.to_owned(), v.to_owned())).collect()
            };
            s.cfi
                .iter()
                .map(|c| {
                    let mut deltas: BTreeMap<u64, Rules> = BTreeMap::new();
                    for d in &c.deltas {
                        deltas.entry(d.address).or_default().extend(rules(&d.rules));
                    }
                    ((c.address, c.size), (rules(&c.rules), deltas))
                })
                .collect()
        };
        let (ca, cb) = (cfi(&ours), cfi(&theirs));
        assert_eq!(ca.keys().collect::<Vec<_>>(), cb.keys().collect::<Vec<_>>(), "{}: CFI entries", b.what);
        let mut extra_ra = 0;
        for (key, (init_a, deltas_a)) in &ca {
            let (init_b, deltas_b) = &cb[key];
            let (mut state_a, mut state_b) = (init_a.clone(), init_b.clone());
            if !state_b.contains_key(".ra") && state_a.remove(".ra").is_some() {
                extra_ra += 1;
            }
            let addresses: BTreeSet<u64> = deltas_a.keys().chain(deltas_b.keys()).copied().collect();
            for at in std::iter::once(key.0).chain(addresses) {
                state_a.extend(deltas_a.get(&at).cloned().unwrap_or_default());
                state_b.extend(deltas_b.get(&at).cloned().unwrap_or_default());
                let saved = |s: &Rules| -> Rules {
                    s.iter().filter(|(k, v)| k != v).map(|(k, v)| (k.clone(), v.clone())).collect()
                };
                let (sa, sb) = (saved(&state_a), saved(&state_b));
                for (k, v) in &sa {
                    let same = sb.get(k) == Some(v)
                        || (k.starts_with('$') && !sb.contains_key(k) && state_b.get(k) == Some(k));
                    assert!(
                        same,
                        "{}: at {at:x} (entry {:x}) we say {k}: {v}, dump_syms {:?}",
                        b.what,
                        key.0,
                        sb.get(k)
                    );
                }
                for (k, v) in &sb {
                    let same = sa.get(k) == Some(v) || (k.starts_with('$') && state_a.get(k) == Some(k));
                    assert!(
                        same,
                        "{}: at {at:x} (entry {:x}) dump_syms says {k}: {v}, we {:?}",
                        b.what,
                        key.0,
                        state_a.get(k)
                    );
                }
            }
        }
        assert!(extra_ra <= 2, "{}: {extra_ra} entries with an undefined return address", b.what);
        // C names agree exactly.
        if b.what.starts_with("c ") {
            let names = |s: &SymbolFile<'_>| -> BTreeSet<(u64, String)> {
                s.functions.iter().map(|f| (f.address, f.name.to_string())).collect()
            };
            assert_eq!(names(&ours), names(&theirs), "{}", b.what);
        }
    }
}

#[test]
fn options_leave_out_what_they_say() {
    let dir = scratch("options");
    let Some(b) = build(&dir, "cpp", &["-g", "-O2"]) else { return };
    let all = dump_file(&b.path, &Options::default());
    assert!(!all.inline_origins.is_empty() && all.functions.iter().any(|f| !f.inlines.is_empty()));
    assert!(all.functions.iter().any(|f| f.name.contains("outer::inner::visible(")));
    // An internal function (no linkage name in the DWARF) is named from the
    // symbol table, with its namespaces and parameters.
    let Some(o0) = build(&dir, "cpp", &["-g", "-O0"]) else { return };
    let names = dump_file(&o0.path, &Options::default());
    assert!(names.functions.iter().any(|f| f.name == "outer::inner::(anonymous namespace)::hidden(int)"));
    assert!(names
        .functions
        .iter()
        .any(|f| f.name
            == "local_helper(std::map<int, int, std::less<int>, std::allocator<std::pair<int const, int> > >&)"));
    assert!(names.functions.iter().any(|f| f.name == "outer::inner::Square::area() const"));
    let lean = dump_file(&b.path, &Options { inlines: false, cfi: false, ..Options::default() });
    assert!(lean.inline_origins.is_empty() && lean.functions.iter().all(|f| f.inlines.is_empty()));
    assert!(lean.cfi.is_empty());
    let funcs = |s: &SymbolFile<'_>| s.functions.iter().map(|f| (f.address, f.size, f.lines.len())).collect::<Vec<_>>();
    assert_eq!(funcs(&lean).len(), funcs(&all).len());
    let mangled = dump_file(&b.path, &Options { keep_mangled: true, ..Options::default() });
    assert!(mangled.functions.iter().any(|f| f.name.starts_with("_ZN5outer5inner7visible")));
    assert!(mangled.publics.iter().all(|p| !p.name.contains("::")));
}

#[test]
fn hostile_bytes_never_panic() {
    let dir = scratch("hostile");
    let Some(b) = build(&dir, "c", &["-g", "-O2"]) else { return };
    let data = std::fs::read(&b.path).unwrap();
    let options = Options { threads: 1, ..Options::default() };
    // Truncations, and single-byte changes all over the headers and the
    // debug sections.
    for cut in (0..data.len()).step_by((data.len() / 97).max(1)) {
        let _ = dump::dump_bytes("x", &data[..cut], None, &options);
    }
    let mut seed = 0x9E37_79B9_7F4A_7C15u64;
    for _ in 0..300 {
        let mut d = data.clone();
        for _ in 0..8 {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            let at = (seed % d.len() as u64) as usize;
            d[at] = (seed >> 32) as u8;
        }
        let _ = dump::dump_bytes("x", &d, Some(&data), &options);
    }
    assert!(dump::dump_bytes("x", b"\x7fELF", None, &options).is_err());
    assert!(dump::dump_bytes("x", b"not a binary", None, &options).is_err());
}

/// `-gsplit-dwarf` (DWARF 4 GNU and DWARF 5): the skeleton units' `.dwo`
/// files are read, where the skeleton says and next to the binary once both
/// are moved, and from a `.dwp` package made by llvm-dwp; the records equal
/// those of the same program built without splitting.
#[test]
fn split_dwarf_units_are_read_from_their_dwo_files() {
    let dir = scratch("gsplit");
    for version in ["-gdwarf-4", "-gdwarf-5"] {
        let Some(whole) = build(&dir, "c", &["-g", "-O2", version]) else { return };
        let Some(split) = build(&dir, "c", &["-g", "-O2", version, "-gsplit-dwarf"]) else { return };
        let dwo: Vec<PathBuf> = std::fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|e| e == "dwo"))
            .collect();
        assert!(!dwo.is_empty(), "gcc left no .dwo in {}", dir.display());
        // A package of them, made while they are where the skeleton says.
        let Some(llvm_dwp) = tool("llvm-dwp-16", &["/usr/bin/llvm-dwp"]) else { return };
        let made = dir.join("package.dwp");
        run(Command::new(&llvm_dwp).arg("-e").arg(&split.path).arg("-o").arg(&made));
        let records = |s: SymbolFile<'static>| (s.files, s.inline_origins, s.functions);
        let want = records(dump_file(&whole.path, &Options::default()));
        assert!(want.2.iter().any(|f| !f.lines.is_empty()));
        assert_eq!(records(dump_file(&split.path, &Options::default())), want, "{version}");
        // Moved together to another folder: found next to the binary.
        let moved = scratch(&format!("gsplit-moved{version}"));
        let bin = moved.join(split.path.file_name().unwrap());
        std::fs::copy(&split.path, &bin).unwrap();
        for d in &dwo {
            std::fs::rename(d, moved.join(d.file_name().unwrap())).unwrap();
        }
        assert_eq!(records(dump_file(&bin, &Options::default())), want, "{version} moved");
        // Packed into BINARY.dwp by llvm-dwp: read from the package.
        let mut package = bin.as_os_str().to_owned();
        package.push(".dwp");
        std::fs::rename(&made, &package).unwrap();
        // Without the .dwo files, from the package alone.
        for d in &dwo {
            std::fs::remove_file(moved.join(d.file_name().unwrap())).unwrap();
        }
        assert_eq!(records(dump_file(&bin, &Options::default())), want, "{version} .dwp");
        // Without either: no functions from that unit, and no failure.
        std::fs::remove_file(&package).unwrap();
        let bare = dump_file(&bin, &Options::default());
        assert!(bare.functions.is_empty() && !bare.publics.is_empty(), "{version}");
    }
}
