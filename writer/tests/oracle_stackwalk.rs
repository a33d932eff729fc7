//! rust-minidump as an independent oracle: `minidump-stackwalk --json`
//! (crates.io, installed by `.ci/run`) processes each acceptance dump the
//! writer produced.
//!
//! It must finish without error and report the same OS and CPU, the same
//! threads (ids, in order), the crashing thread (its id, the crash address,
//! the instruction and stack pointers of its first frame, and the module that
//! frame is in), and every module with its base, end, file name, debug file,
//! debug id and code id, the last three worked out here from the CodeView
//! records by the rules Breakpad documents.
//!
//! The JSON is read with the small parser below: enough for this output,
//! and no new dependency for one test.

mod common;
mod exec;

use common::Expect;
use mdump_format::StreamType;
use mdump_writer::model::*;
use std::process::Command;
use std::time::Duration;

const LIMIT: Duration = Duration::from_secs(120);

// ---------------------------------------------------------------------------
// A minimal JSON reader.

#[derive(Clone, Debug, PartialEq)]
enum Json {
    Null,
    Bool(bool),
    /// A number, as written.
    Num(String),
    Str(String),
    Arr(Vec<Json>),
    Obj(Vec<(String, Json)>),
}

static NULL: Json = Json::Null;

impl Json {
    fn parse(text: &str) -> Json {
        let mut p = Parser { s: text.as_bytes(), at: 0 };
        let v = p.value();
        p.ws();
        assert_eq!(p.at, p.s.len(), "trailing bytes after the JSON value");
        v
    }

    /// A member of an object (`Null` if absent or not an object).
    fn get(&self, key: &str) -> &Json {
        match self {
            Json::Obj(m) => m.iter().find(|(k, _)| k == key).map_or(&NULL, |(_, v)| v),
            _ => &NULL,
        }
    }

    fn items(&self) -> &[Json] {
        match self {
            Json::Arr(v) => v,
            other => panic!("not an array: {other:?}"),
        }
    }

    fn str(&self) -> &str {
        match self {
            Json::Str(s) => s,
            other => panic!("not a string: {other:?}"),
        }
    }

    fn u64(&self) -> u64 {
        match self {
            Json::Num(n) => n.parse().unwrap_or_else(|e| panic!("{n}: {e}")),
            other => panic!("not a number: {other:?}"),
        }
    }

    /// A `"0x..."` string as a number.
    fn hex(&self) -> u64 {
        let s = self.str();
        u64::from_str_radix(s.strip_prefix("0x").unwrap_or_else(|| panic!("not hex: {s}")), 16).unwrap()
    }
}

struct Parser<'a> {
    s: &'a [u8],
    at: usize,
}

impl Parser<'_> {
    fn ws(&mut self) {
        while self.s.get(self.at).is_some_and(|c| c.is_ascii_whitespace()) {
            self.at += 1;
        }
    }

    fn peek(&mut self) -> u8 {
        self.ws();
        *self.s.get(self.at).unwrap_or_else(|| panic!("JSON ends early"))
    }

    fn eat(&mut self, c: u8) {
        assert_eq!(self.peek(), c, "at byte {}", self.at);
        self.at += 1;
    }

    fn word(&mut self, w: &str, v: Json) -> Json {
        assert!(self.s[self.at..].starts_with(w.as_bytes()), "bad literal at byte {}", self.at);
        self.at += w.len();
        v
    }

    fn value(&mut self) -> Json {
        match self.peek() {
            b'{' => {
                self.at += 1;
                let mut members = Vec::new();
                if self.peek() == b'}' {
                    self.at += 1;
                    return Json::Obj(members);
                }
                loop {
                    let k = self.string();
                    self.eat(b':');
                    members.push((k, self.value()));
                    match self.peek() {
                        b',' => self.at += 1,
                        _ => break,
                    }
                }
                self.eat(b'}');
                Json::Obj(members)
            }
            b'[' => {
                self.at += 1;
                let mut items = Vec::new();
                if self.peek() == b']' {
                    self.at += 1;
                    return Json::Arr(items);
                }
                loop {
                    items.push(self.value());
                    match self.peek() {
                        b',' => self.at += 1,
                        _ => break,
                    }
                }
                self.eat(b']');
                Json::Arr(items)
            }
            b'"' => Json::Str(self.string()),
            b't' => self.word("true", Json::Bool(true)),
            b'f' => self.word("false", Json::Bool(false)),
            b'n' => self.word("null", Json::Null),
            _ => {
                let start = self.at;
                while self.s.get(self.at).is_some_and(|c| c.is_ascii_digit() || b"+-.eE".contains(c)) {
                    self.at += 1;
                }
                assert!(self.at > start, "unexpected byte at {start}");
                Json::Num(String::from_utf8(self.s[start..self.at].to_vec()).unwrap())
            }
        }
    }

    fn hex4(&mut self) -> u16 {
        let h = std::str::from_utf8(&self.s[self.at..self.at + 4]).unwrap();
        self.at += 4;
        u16::from_str_radix(h, 16).unwrap()
    }

    fn string(&mut self) -> String {
        self.eat(b'"');
        let mut units: Vec<u16> = Vec::new();
        let mut out = String::new();
        loop {
            let c = self.s[self.at];
            self.at += 1;
            if c != b'\\' && !units.is_empty() {
                out.push_str(&String::from_utf16_lossy(&units));
                units.clear();
            }
            match c {
                b'"' => return out,
                b'\\' => {
                    let e = self.s[self.at];
                    self.at += 1;
                    let simple = match e {
                        b'n' => '\n',
                        b't' => '\t',
                        b'r' => '\r',
                        b'b' => '\u{8}',
                        b'f' => '\u{c}',
                        b'u' => {
                            units.push(self.hex4());
                            continue;
                        }
                        other => other as char,
                    };
                    out.push_str(&String::from_utf16_lossy(&units));
                    units.clear();
                    out.push(simple);
                }
                _ => {
                    // Copy a whole UTF-8 sequence.
                    let len = match c {
                        0xf0.. => 4,
                        0xe0.. => 3,
                        0xc0.. => 2,
                        _ => 1,
                    };
                    out.push_str(std::str::from_utf8(&self.s[self.at - 1..self.at - 1 + len]).unwrap());
                    self.at += len - 1;
                }
            }
        }
    }
}

#[test]
fn json_reader_reads_what_it_must() {
    let j = Json::parse(r#" {"a": [1, -2.5e3, true, false, null], "b": {"c": "x\"\\\u00e9\ud83d\ude00\n"}, "d": []} "#);
    assert_eq!(j.get("a").items().len(), 5);
    assert_eq!(j.get("a").items()[0].u64(), 1);
    assert_eq!(j.get("a").items()[1], Json::Num("-2.5e3".into()));
    assert_eq!(j.get("b").get("c").str(), "x\"\\é😀\n");
    assert_eq!(j.get("d").items().len(), 0);
    assert_eq!(*j.get("missing"), Json::Null);
}

// ---------------------------------------------------------------------------
// The oracle.

/// The last component of a path, Windows or Unix.
fn basename(path: &str) -> &str {
    path.rsplit(['/', '\\']).next().unwrap()
}

fn hex_upper(b: &[u8]) -> String {
    b.iter().map(|b| format!("{b:02X}")).collect()
}

/// A GUID's 16 stored bytes in printed order (first three fields are
/// little-endian on disk).
fn guid_printed(g: &[u8]) -> Vec<u8> {
    let mut v: Vec<u8> = g[..4].iter().rev().copied().collect();
    v.extend(g[4..6].iter().rev());
    v.extend(g[6..8].iter().rev());
    v.extend_from_slice(&g[8..16]);
    v
}

/// `(debug_file, debug_id, code_id)` as Breakpad's processors derive them.
fn identifiers(m: &ModuleModel, path: &str) -> (String, String, String) {
    let cv = &m.cv_record;
    match &cv[..4] {
        b"RSDS" => {
            let age = u32::from_le_bytes(cv[20..24].try_into().unwrap());
            let pdb = std::str::from_utf8(&cv[24..cv.len() - 1]).unwrap();
            let code_id = format!("{:08X}{:x}", m.raw.time_date_stamp.get(), m.raw.size_of_image.get());
            (basename(pdb).to_string(), format!("{}{age:x}", hex_upper(&guid_printed(&cv[4..20]))), code_id)
        }
        b"LEpB" => {
            let build_id = &cv[4..];
            let mut first16 = build_id.to_vec();
            first16.resize(16, 0);
            let code_id: String = build_id.iter().map(|b| format!("{b:02x}")).collect();
            (basename(path).to_string(), format!("{}0", hex_upper(&guid_printed(&first16[..16]))), code_id)
        }
        other => panic!("no identifier rule here for CodeView {other:?}"),
    }
}

/// The process id the model records: `Pid:` of LinuxProcStatus, or
/// MiscInfo's process id.
fn process_id(model: &DumpModel) -> u32 {
    for s in &model.streams {
        match s {
            StreamModel::Raw { stream_type, bytes } if *stream_type == StreamType::LINUX_PROC_STATUS => {
                let text = String::from_utf8(bytes.clone()).unwrap();
                let pid = text.lines().find_map(|l| l.strip_prefix("Pid:")).unwrap();
                return pid.trim().parse().unwrap();
            }
            StreamModel::MiscInfo(b) => return u32::from_le_bytes(b[8..12].try_into().unwrap()),
            _ => {}
        }
    }
    panic!("no process id in the model")
}

fn check(model: &DumpModel, expect: &Expect, j: &Json) {
    let name = expect.name;
    assert_eq!(j.get("status").str(), "OK", "{name}");

    let sys = j.get("system_info");
    assert_eq!(sys.get("os").str(), expect.os, "{name}: os");
    assert_eq!(sys.get("cpu_arch").str(), expect.cpu, "{name}: cpu");
    assert_eq!(sys.get("cpu_count").u64(), 4, "{name}: cpu count");

    let threads = j.get("threads").items();
    assert_eq!(j.get("thread_count").u64(), expect.thread_ids.len() as u64, "{name}");
    let ids: Vec<u64> = threads.iter().map(|t| t.get("thread_id").u64()).collect();
    let want: Vec<u64> = expect.thread_ids.iter().map(|&i| i.into()).collect();
    assert_eq!(ids, want, "{name}: thread ids");

    let crash = j.get("crash_info");
    let index = crash.get("crashing_thread").u64() as usize;
    assert_eq!(ids[index], u64::from(expect.crashing_thread), "{name}: crashing thread");
    assert_eq!(crash.get("address").hex(), expect.crash_address, "{name}: crash address");
    // The acceptance dumps crash with SIGSEGV code SEGV_MAPERR (1) on Linux
    // and an access violation writing (first parameter 1) on Windows.
    let crash_type = if expect.os == "Linux" { "SIGSEGV / SEGV_MAPERR" } else { "EXCEPTION_ACCESS_VIOLATION_WRITE" };
    assert_eq!(crash.get("type").str(), crash_type, "{name}: crash type");
    assert_eq!(j.get("pid").u64(), u64::from(process_id(model)), "{name}: pid");

    let crashing = j.get("crashing_thread");
    assert_eq!(crashing.get("threads_index").u64() as usize, index, "{name}");
    let frame = &crashing.get("frames").items()[0];
    assert_eq!(frame.get("trust").str(), "context", "{name}");
    assert_eq!(frame.get("offset").hex(), expect.instruction_pointer, "{name}: frame 0 address");
    let (ip, sp) = match expect.cpu {
        "amd64" => ("rip", "rsp"),
        "x86" => ("eip", "esp"),
        _ => ("pc", "sp"),
    };
    let regs = frame.get("registers");
    assert_eq!(regs.get(ip).hex(), expect.instruction_pointer, "{name}: {ip}");
    assert_eq!(regs.get(sp).hex(), expect.stack_pointer, "{name}: {sp}");
    let (_, exe_path) = &expect.modules[0];
    assert_eq!(frame.get("module").str(), basename(exe_path), "{name}: frame 0 module");

    let modules = j.get("modules").items();
    let model_modules = model
        .streams
        .iter()
        .find_map(|s| match s {
            StreamModel::ModuleList(m) => Some(m),
            _ => None,
        })
        .unwrap();
    assert_eq!(modules.len(), expect.modules.len(), "{name}: modules");
    for ((got, (base, path)), m) in modules.iter().zip(&expect.modules).zip(model_modules) {
        let what = format!("{name}: module {path}");
        assert_eq!(got.get("base_addr").hex(), *base, "{what}: base");
        assert_eq!(got.get("end_addr").hex(), base + u64::from(m.raw.size_of_image.get()), "{what}: end");
        assert_eq!(got.get("filename").str(), basename(path), "{what}: file name");
        let (debug_file, debug_id, code_id) = identifiers(m, path);
        assert_eq!(got.get("debug_file").str(), debug_file, "{what}: debug file");
        assert_eq!(got.get("debug_id").str(), debug_id, "{what}: debug id");
        // rust-minidump prints PE code ids in lower case (Breakpad: "%08X%x").
        assert_eq!(got.get("code_id").str().to_ascii_lowercase(), code_id.to_ascii_lowercase(), "{what}: code id");
    }
}

#[test]
fn minidump_stackwalk_processes_every_acceptance_dump() {
    let home_bin = std::env::var("HOME").map(|h| format!("{h}/.cargo/bin/minidump-stackwalk")).unwrap_or_default();
    let Some(stackwalk) = mdump_testkit::exec::oracle(&["minidump-stackwalk", &home_bin]) else { return };
    for (model, expect) in common::all() {
        let path = common::write_to_temp(&model, &format!("stackwalk-{}", expect.name));
        let ran = exec::run(Command::new(&stackwalk).arg("--json").arg(&path), LIMIT)
            .success(&format!("minidump-stackwalk {}", expect.name));
        assert!(!ran.stderr.contains("ERROR"), "{}: minidump-stackwalk reported errors:\n{}", expect.name, ran.stderr);
        check(&model, &expect, &Json::parse(&ran.stdout));
    }
}
