//! LLVM as an independent oracle (Debian's `llvm-16`).
//!
//! * `obj2yaml` reads each acceptance dump our writer produced and must
//!   report, value for value, what the model holds: threads (ids, TEBs,
//!   context bytes, stacks and their bytes), modules (base, size, time stamp,
//!   name, CodeView bytes), SystemInfo, the exception, memory ranges and
//!   bytes, MiscInfo and the Linux text streams.
//! * `yaml2obj`: see `oracle_yaml2obj.rs`.
//!
//! LLVM 16's own limits, allowed for here: `obj2yaml` prints a Linux text
//! stream only up to its first NUL (so `LinuxCMDLine` shows just the
//! program path) and as a YAML block scalar (so trailing blank lines are not
//! told apart); `LinuxEnviron`, `LinuxAuxv`, `MiscInfo` and the comment
//! streams are raw `Content` hex; it has no YAML form for Memory64List.

mod common;
mod exec;

use common::Pattern;
use mdump_format::StreamType;
use mdump_writer::model::*;
use mdump_writer::MemorySource;
use std::process::Command;
use std::time::Duration;

const OBJ2YAML: &str = "/usr/lib/llvm-16/bin/obj2yaml";
const LIMIT: Duration = Duration::from_secs(60);

// ---------------------------------------------------------------------------
// Hex and memory helpers.

fn unhex(s: &str) -> Vec<u8> {
    assert!(s.len().is_multiple_of(2), "odd-length hex {s:?}");
    (0..s.len()).step_by(2).map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap()).collect()
}

/// The bytes the pattern source supplies for `r`.
fn pattern(r: MemoryRange) -> Vec<u8> {
    let mut v = vec![0u8; r.size as usize];
    assert_eq!(Pattern.read(r.start, &mut v), v.len());
    v
}

// ---------------------------------------------------------------------------
// obj2yaml output, read by line matching.

/// One stream of obj2yaml's `Streams:` list: its `Type` and its lines.
struct YamlStream {
    ty: String,
    lines: Vec<String>,
}

fn split_streams(yaml: &str) -> Vec<YamlStream> {
    let mut out: Vec<YamlStream> = Vec::new();
    for line in yaml.lines() {
        if let Some(ty) = line.strip_prefix("  - Type:") {
            out.push(YamlStream { ty: ty.trim().to_string(), lines: Vec::new() });
        } else if let Some(s) = out.last_mut() {
            if line != "..." {
                s.lines.push(line.to_string());
            }
        }
    }
    out
}

/// A YAML scalar without its quotes.
fn unquote(v: &str) -> String {
    if let Some(inner) = v.strip_prefix('\'').and_then(|v| v.strip_suffix('\'')) {
        inner.replace("''", "'")
    } else if let Some(inner) = v.strip_prefix('"').and_then(|v| v.strip_suffix('"')) {
        let mut out = String::new();
        let mut chars = inner.chars();
        while let Some(c) = chars.next() {
            if c != '\\' {
                out.push(c);
                continue;
            }
            match chars.next() {
                Some('n') => out.push('\n'),
                Some('t') => out.push('\t'),
                Some('0') => out.push('\0'),
                Some(o) => out.push(o),
                None => {}
            }
        }
        out
    } else {
        v.to_string()
    }
}

fn number(v: &str) -> u64 {
    match v.strip_prefix("0x") {
        Some(h) => u64::from_str_radix(h, 16).unwrap_or_else(|e| panic!("{v:?}: {e}")),
        None => v.parse().unwrap_or_else(|e| panic!("{v:?}: {e}")),
    }
}

impl YamlStream {
    /// Every value of `key:` in this stream, in order.
    fn all(&self, key: &str) -> Vec<String> {
        self.lines
            .iter()
            .filter_map(|l| {
                let t = l.trim_start();
                let t = t.strip_prefix("- ").unwrap_or(t);
                Some(unquote(t.strip_prefix(key)?.strip_prefix(':')?.trim()))
            })
            .collect()
    }

    /// The single value of `key:`, if present.
    fn one(&self, key: &str) -> Option<String> {
        let v = self.all(key);
        assert!(v.len() <= 1, "{}: {key} appears {} times", self.ty, v.len());
        v.into_iter().next()
    }

    fn nums(&self, key: &str) -> Vec<u64> {
        self.all(key).iter().map(|v| number(v)).collect()
    }

    /// A number obj2yaml leaves out when it has its default, 0.
    fn num_or_zero(&self, key: &str) -> u64 {
        self.one(key).map_or(0, |v| number(&v))
    }

    fn hexes(&self, key: &str) -> Vec<Vec<u8>> {
        self.all(key).iter().map(|v| unhex(v)).collect()
    }

    /// The `Text:` of a text stream: a block scalar (`|`) or a plain one.
    fn text(&self) -> String {
        let at = self.lines.iter().position(|l| l.trim_start().starts_with("Text:"));
        let at = at.unwrap_or_else(|| panic!("{}: no Text", self.ty));
        let head = self.lines[at].trim_start()["Text:".len()..].trim();
        if !head.starts_with('|') {
            return unquote(head);
        }
        let body = &self.lines[at + 1..];
        let indent = body.iter().find(|l| !l.trim().is_empty()).map_or(0, |l| l.len() - l.trim_start().len());
        let mut lines: Vec<&str> = body.iter().map(|l| l.get(indent..).unwrap_or("")).collect();
        while lines.last().is_some_and(|l| l.is_empty()) {
            lines.pop();
        }
        lines.join("\n")
    }
}

/// LLVM's name for a stream type.
fn llvm_name(t: StreamType) -> &'static str {
    match t {
        StreamType::THREAD_LIST => "ThreadList",
        StreamType::MODULE_LIST => "ModuleList",
        StreamType::MEMORY_LIST => "MemoryList",
        StreamType::EXCEPTION => "Exception",
        StreamType::SYSTEM_INFO => "SystemInfo",
        StreamType::MISC_INFO => "MiscInfo",
        StreamType::LINUX_CPU_INFO => "LinuxCPUInfo",
        StreamType::LINUX_PROC_STATUS => "LinuxProcStatus",
        StreamType::LINUX_LSB_RELEASE => "LinuxLSBRelease",
        StreamType::LINUX_CMD_LINE => "LinuxCMDLine",
        StreamType::LINUX_ENVIRON => "LinuxEnviron",
        StreamType::LINUX_MAPS => "LinuxMaps",
        other => panic!("no LLVM name listed here for {other:?}"),
    }
}

fn llvm_arch(arch: u16) -> &'static str {
    match arch {
        0 => "X86",
        9 => "AMD64",
        12 => "ARM64",
        0x8003 => "BP_ARM64",
        other => panic!("no LLVM name listed here for architecture {other:#x}"),
    }
}

fn llvm_platform(platform: u32) -> &'static str {
    match platform {
        2 => "Win32NT",
        0x8201 => "Linux",
        other => panic!("no LLVM name listed here for platform {other:#x}"),
    }
}

fn utf16(units: &[u16]) -> String {
    String::from_utf16(units).unwrap()
}

/// Checks obj2yaml's view of a dump against the model it was written from.
fn check_obj2yaml(name: &str, model: &DumpModel, yaml: &str) {
    // The writer keeps one directory slot for its failure log and, with
    // nothing to log, leaves it an empty UnusedStream (type 0), as dbghelp
    // leaves spare slots.
    let (unused, streams): (Vec<YamlStream>, Vec<YamlStream>) =
        split_streams(yaml).into_iter().partition(|s| s.ty == "0x0");
    for u in &unused {
        assert!(u.one("Content").is_none_or(|c| c.is_empty()), "{name}: UnusedStream with content");
    }
    let types: Vec<&str> = streams.iter().map(|s| s.ty.as_str()).collect();
    assert_eq!(streams.len(), model.streams.len(), "{name}: obj2yaml lists {types:?}");
    for s in &model.streams {
        let llvm = llvm_name(s.stream_type());
        let found: Vec<&YamlStream> = streams.iter().filter(|y| y.ty == llvm).collect();
        assert_eq!(found.len(), 1, "{name}: {llvm} in {types:?}");
        let y = found[0];
        let what = format!("{name} {llvm}");
        match s {
            StreamModel::ThreadList(threads) => {
                let ids: Vec<u64> = threads.iter().map(|t| u64::from(t.thread_id)).collect();
                assert_eq!(y.nums("Thread Id"), ids, "{what}: thread ids");
                let tebs: Vec<u64> = threads.iter().map(|t| t.teb).collect();
                assert_eq!(y.nums("Environment Block"), tebs, "{what}: TEBs");
                let contexts: Vec<Vec<u8>> = threads.iter().map(|t| t.context.0.clone()).collect();
                assert_eq!(y.hexes("Context"), contexts, "{what}: contexts");
                let starts: Vec<u64> = threads.iter().map(|t| t.stack.start).collect();
                assert_eq!(y.nums("Start of Memory Range"), starts, "{what}: stack starts");
                let stacks: Vec<Vec<u8>> = threads.iter().map(|t| pattern(t.stack)).collect();
                assert_eq!(y.hexes("Content"), stacks, "{what}: stack bytes");
            }
            StreamModel::ModuleList(modules) => {
                let bases: Vec<u64> = modules.iter().map(|m| m.raw.base_of_image.get()).collect();
                assert_eq!(y.nums("Base of Image"), bases, "{what}: bases");
                let sizes: Vec<u64> = modules.iter().map(|m| m.raw.size_of_image.get().into()).collect();
                assert_eq!(y.nums("Size of Image"), sizes, "{what}: sizes");
                let stamps: Vec<u64> = modules.iter().map(|m| m.raw.time_date_stamp.get().into()).collect();
                assert_eq!(y.nums("Time Date Stamp"), stamps, "{what}: time stamps");
                let names: Vec<String> = modules.iter().map(|m| utf16(&m.name)).collect();
                assert_eq!(y.all("Module Name"), names, "{what}: names");
                let cvs: Vec<Vec<u8>> = modules.iter().map(|m| m.cv_record.clone()).collect();
                assert_eq!(y.hexes("CodeView Record"), cvs, "{what}: CodeView records");
            }
            StreamModel::MemoryList(ranges) => {
                let starts: Vec<u64> = ranges.iter().map(|r| r.start).collect();
                assert_eq!(y.nums("Start of Memory Range"), starts, "{what}: starts");
                let bytes: Vec<Vec<u8>> = ranges.iter().map(|r| pattern(*r)).collect();
                assert_eq!(y.hexes("Content"), bytes, "{what}: bytes");
            }
            StreamModel::Exception(e) => {
                let r = &e.record;
                assert_eq!(y.one("Thread ID").map(|v| number(&v)), Some(e.thread_id.into()), "{what}: thread");
                assert_eq!(y.one("Exception Code").map(|v| number(&v)), Some(r.exception_code.get().into()), "{what}");
                assert_eq!(y.num_or_zero("Exception Flags"), r.exception_flags.get().into(), "{what}: flags");
                assert_eq!(y.num_or_zero("Exception Address"), r.exception_address.get(), "{what}: address");
                let n = r.number_parameters.get();
                assert_eq!(y.num_or_zero("Number of Parameters"), n.into(), "{what}: parameter count");
                for i in 0..n as usize {
                    let p = y.one(&format!("Parameter {i}")).map(|v| number(&v));
                    assert_eq!(p, Some(r.exception_information[i].get()), "{what}: parameter {i}");
                }
                assert_eq!(y.hexes("Thread Context"), std::slice::from_ref(&e.context.0), "{what}: context");
            }
            StreamModel::SystemInfo(sys) => {
                let r = &sys.raw;
                assert_eq!(
                    y.one("Processor Arch").as_deref(),
                    Some(llvm_arch(r.processor_architecture.get())),
                    "{what}"
                );
                assert_eq!(y.one("Platform ID").as_deref(), Some(llvm_platform(r.platform_id.get())), "{what}");
                assert_eq!(y.num_or_zero("Processor Level"), r.processor_level.get().into(), "{what}: level");
                assert_eq!(y.num_or_zero("Number of Processors"), r.number_of_processors.into(), "{what}: cpus");
                assert_eq!(y.num_or_zero("Product type"), r.product_type.into(), "{what}: product type");
                assert_eq!(y.num_or_zero("Major Version"), r.major_version.get().into(), "{what}: major");
                assert_eq!(y.num_or_zero("Minor Version"), r.minor_version.get().into(), "{what}: minor");
                assert_eq!(y.num_or_zero("Build Number"), r.build_number.get().into(), "{what}: build");
                assert_eq!(y.one("CSD Version").unwrap_or_default(), utf16(&sys.csd_version), "{what}: CSD version");
                if matches!(r.processor_architecture.get(), 0 | 9) {
                    let vendor = String::from_utf8(r.cpu.data[..12].to_vec()).unwrap();
                    assert_eq!(y.one("Vendor ID"), Some(vendor), "{what}: vendor");
                }
            }
            StreamModel::MiscInfo(bytes) => {
                assert_eq!(y.hexes("Content"), std::slice::from_ref(bytes), "{what}");
            }
            StreamModel::Raw { stream_type, bytes } if *stream_type == StreamType::LINUX_ENVIRON => {
                assert_eq!(y.hexes("Content"), std::slice::from_ref(bytes), "{what}");
            }
            StreamModel::Raw { bytes, .. } => {
                // obj2yaml prints the text up to its first NUL.
                let text = bytes.split(|&b| b == 0).next().unwrap();
                let text = String::from_utf8(text.to_vec()).unwrap();
                assert_eq!(y.text(), text.trim_end_matches('\n'), "{what}: text");
            }
            other => panic!("{name}: no obj2yaml check for {other:?}"),
        }
    }
}

#[test]
fn obj2yaml_reads_every_acceptance_dump_as_written() {
    let Some(obj2yaml) = mdump_testkit::exec::oracle(&[OBJ2YAML]) else { return };
    for (model, expect) in common::all() {
        let path = common::write_to_temp(&model, &format!("llvm-{}", expect.name));
        let ran = exec::run(Command::new(&obj2yaml).arg(&path), LIMIT).success(&format!("obj2yaml {}", expect.name));
        assert!(ran.stderr.is_empty(), "{}: obj2yaml warned: {}", expect.name, ran.stderr);
        let yaml = ran.stdout;
        assert!(yaml.starts_with("--- !minidump"), "{}: {yaml}", expect.name);
        check_obj2yaml(expect.name, &model, &yaml);

        // The Expect summary, spelled the way obj2yaml spells it.
        for id in &expect.thread_ids {
            assert!(yaml.contains(&format!("Thread Id:       0x{id:X}\n")), "{}: thread {id:#x}", expect.name);
        }
        for (base, name) in &expect.modules {
            assert!(yaml.contains(&format!("Base of Image:   0x{base:X}\n")), "{}: module at {base:#x}", expect.name);
            assert!(yaml.contains(name.as_str()), "{}: module {name}", expect.name);
        }
        let arch = match expect.cpu {
            "amd64" => "AMD64",
            "x86" => "X86",
            // Breakpad's value with Breakpad's context layout.
            "arm64" => "BP_ARM64",
            other => panic!("{other}"),
        };
        assert!(yaml.contains(&format!("Processor Arch:  {arch}\n")), "{}", expect.name);
        let platform = if expect.os == "Linux" { "Linux" } else { "Win32NT" };
        assert!(yaml.contains(&format!("Platform ID:     {platform}\n")), "{}", expect.name);
        assert!(yaml.contains(&format!("Thread ID:       0x{:X}\n", expect.crashing_thread)), "{}", expect.name);
    }
}
