//! `mdump rewrite`: every corpus dump rewritten reads back the same, as
//! judged by our reader, by rust-minidump's `minidump-stackwalk --json` and
//! by LLVM's `obj2yaml`; the input is never touched; the privacy options
//! leave out what they say.

use mdump_format::StreamType;
use mdump_reader::Minidump;
use mdump_testkit::corpus::corpus_dir;
use mdump_writer::model::{DumpMemory, DumpModel, StreamModel};
use mdump_writer::MemorySource;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn mdump(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_mdump")).args(args).output().expect("run mdump")
}

fn tmp(name: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("rewrite-test");
    std::fs::create_dir_all(&dir).unwrap();
    dir.join(name)
}

fn corpus_dumps(dir: &Path) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(dir.join("dumps"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| {
            let n = p.file_name().unwrap().to_string_lossy();
            n.ends_with(".dmp") && !n.starts_with("microdump-") && !n.starts_with("rm-invalid")
        })
        .collect();
    v.sort();
    v
}

fn rewrite(input: &Path, name: &str, extra: &[&str]) -> PathBuf {
    let out = tmp(name);
    let _ = std::fs::remove_file(&out);
    let mut args = vec!["rewrite", input.to_str().unwrap(), out.to_str().unwrap()];
    args.extend_from_slice(extra);
    let r = mdump(&args);
    assert!(r.status.success(), "{}: {}", input.display(), String::from_utf8_lossy(&r.stderr));
    out
}

/// Every memory range of a model, read through a dump's memory.
fn memory_of(dump: &Minidump, model: &DumpModel) -> Vec<(u64, Vec<u8>)> {
    let mut mem = DumpMemory::new(dump);
    model
        .memory_ranges()
        .map(|r| {
            let mut buf = vec![0u8; r.size as usize];
            let n = mem.read(r.start, &mut buf);
            buf.truncate(n);
            (r.start, buf)
        })
        .collect()
}

#[test]
fn every_corpus_dump_reads_back_the_same_through_our_reader() {
    let Some(dir) = corpus_dir("dumps") else { return };
    let mut n = 0;
    for input in corpus_dumps(&dir) {
        let name = input.file_name().unwrap().to_string_lossy().into_owned();
        let out = rewrite(&input, &name, &[]);
        let a = std::fs::read(&input).unwrap();
        let b = std::fs::read(&out).unwrap();
        let (da, db) = (Minidump::parse(&a).unwrap(), Minidump::parse(&b).unwrap());
        let (ma, _) = DumpModel::from_dump(&da);
        let (mb, errors) = DumpModel::from_dump(&db);
        if name != "linux_executable_stack.dmp" {
            assert!(errors.is_empty(), "{name}: {errors:?}");
        }
        assert_eq!(ma.normalized(), mb.normalized(), "{name}");
        assert_eq!(memory_of(&da, &ma), memory_of(&db, &mb), "{name}: memory differs");
        n += 1;
    }
    assert!(n >= 34, "{n}");
}

#[test]
fn minidump_stackwalk_sees_the_same_dump() {
    let Some(dir) = corpus_dir("dumps") else { return };
    let Some(stackwalk) = mdump_testkit::exec::oracle(&["minidump-stackwalk", "~/.cargo/bin/minidump-stackwalk"])
    else {
        return;
    };
    let json = |p: &Path| -> serde_json::Value {
        let out = Command::new(&stackwalk).arg("--json").arg(p).output().unwrap();
        assert!(out.status.success(), "{}: {}", p.display(), String::from_utf8_lossy(&out.stderr));
        serde_json::from_slice(&out.stdout).unwrap()
    };
    for input in corpus_dumps(&dir) {
        let name = input.file_name().unwrap().to_string_lossy().into_owned();
        let out = rewrite(&input, &format!("sw-{name}"), &[]);
        assert_eq!(json(&input), json(&out), "{name}: minidump-stackwalk --json differs");
    }
}

/// obj2yaml's streams as text blocks, unused slots dropped, the one file
/// offset a stream holds (LinuxDsoDebug's link-map RVA) masked, sorted (the
/// writer moves a Memory64List to the end).
fn yaml_streams(obj2yaml: &Path, dump: &Path) -> Option<Vec<String>> {
    let out = Command::new(obj2yaml).arg(dump).output().unwrap();
    if !out.status.success() {
        return None;
    }
    let text = String::from_utf8_lossy(&out.stdout);
    let mut blocks: Vec<Vec<String>> = Vec::new();
    for line in text.lines().filter(|l| *l != "...") {
        if line.starts_with("  - Type:") {
            blocks.push(vec![line.to_string()]);
        } else if let Some(b) = blocks.last_mut() {
            b.push(line.to_string());
        }
    }
    let mut v: Vec<String> = blocks
        .into_iter()
        .filter(|b| b[0].trim_end() != "  - Type:            0x0")
        .map(|mut b| {
            if b[0].contains("LinuxDSODebug") && b.len() > 1 {
                if let Some((key, hex)) = b[1].split_once(": ") {
                    let hex = hex.trim();
                    if hex.len() >= 16 {
                        b[1] = format!("{key}: {}XXXXXXXX{}", &hex[..8], &hex[16..]);
                    }
                }
            }
            b.join("\n")
        })
        .collect();
    v.sort();
    Some(v)
}

#[test]
fn obj2yaml_sees_the_same_streams() {
    let Some(dir) = corpus_dir("dumps") else { return };
    let Some(obj2yaml) = mdump_testkit::exec::oracle(&["/usr/lib/llvm-16/bin/obj2yaml", "obj2yaml-16"]) else { return };
    let mut compared = 0;
    for input in corpus_dumps(&dir) {
        let name = input.file_name().unwrap().to_string_lossy().into_owned();
        let Some(a) = yaml_streams(&obj2yaml, &input) else { continue };
        let out = rewrite(&input, &format!("yaml-{name}"), &[]);
        let b = yaml_streams(&obj2yaml, &out).unwrap_or_else(|| panic!("{name}: obj2yaml rejects the rewrite"));
        assert_eq!(a, b, "{name}: obj2yaml differs");
        compared += 1;
    }
    assert!(compared >= 30, "obj2yaml read only {compared} inputs");
}

#[test]
fn the_input_is_never_overwritten() {
    let Some(dir) = corpus_dir("dumps") else { return };
    let src = dir.join("dumps/minidump2.dmp");
    let input = tmp("input.dmp");
    std::fs::copy(&src, &input).unwrap();
    let before = std::fs::read(&input).unwrap();
    let link = tmp("link.dmp");
    let hard = tmp("hard.dmp");
    let _ = std::fs::remove_file(&link);
    let _ = std::fs::remove_file(&hard);
    std::os::unix::fs::symlink(&input, &link).unwrap();
    std::fs::hard_link(&input, &hard).unwrap();
    let dotted = input.parent().unwrap().join(".").join("input.dmp");
    for out in [&input, &link, &hard, &dotted] {
        for force in [false, true] {
            let mut args = vec!["rewrite", input.to_str().unwrap(), out.to_str().unwrap()];
            if force {
                args.push("--force");
            }
            let r = mdump(&args);
            let err = String::from_utf8_lossy(&r.stderr);
            assert_eq!(r.status.code(), Some(1), "{}: {err}", out.display());
            assert!(err.contains("over its own input"), "{err}");
            assert_eq!(err.lines().count(), 1);
        }
    }
    assert_eq!(std::fs::read(&input).unwrap(), before);

    // An existing, different OUT needs --force, and is then replaced whole.
    let other = tmp("other.dmp");
    std::fs::write(&other, b"precious").unwrap();
    let r = mdump(&["rewrite", input.to_str().unwrap(), other.to_str().unwrap()]);
    assert_eq!(r.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&r.stderr).contains("--force"));
    assert_eq!(std::fs::read(&other).unwrap(), b"precious");
    let r = mdump(&["rewrite", "--force", input.to_str().unwrap(), other.to_str().unwrap()]);
    assert!(r.status.success());
    assert!(Minidump::parse(&std::fs::read(&other).unwrap()).is_ok());

    // A bad input leaves no output behind.
    let junk = tmp("junk.dmp");
    std::fs::write(&junk, b"not a dump").unwrap();
    // Its own folder: other tests write (and rename) temporary files beside theirs.
    let folder = tmp("junk-case");
    let _ = std::fs::remove_dir_all(&folder);
    std::fs::create_dir_all(&folder).unwrap();
    let out = folder.join("from-junk.dmp");
    let r = mdump(&["rewrite", junk.to_str().unwrap(), out.to_str().unwrap()]);
    assert_eq!(r.status.code(), Some(1));
    assert_eq!(String::from_utf8_lossy(&r.stderr).lines().count(), 1);
    assert!(!out.exists());
    let leftovers = std::fs::read_dir(out.parent().unwrap())
        .unwrap()
        .filter(|e| e.as_ref().unwrap().file_name().to_string_lossy().contains("mdump-tmp"))
        .count();
    assert_eq!(leftovers, 0);
}

fn stream_types(path: &Path) -> Vec<StreamType> {
    let bytes = std::fs::read(path).unwrap();
    let dump = Minidump::parse(&bytes).unwrap();
    dump.directory().iter().map(|d| StreamType(d.stream_type.get())).collect()
}

#[test]
fn privacy_options_leave_out_what_they_say() {
    let Some(dir) = corpus_dir("dumps") else { return };
    let input = dir.join("dumps/linux_divide_by_zero.dmp");
    assert!(stream_types(&input).contains(&StreamType::LINUX_ENVIRON));

    let out = rewrite(&input, "no-env.dmp", &["--strip-env"]);
    assert!(!stream_types(&out).contains(&StreamType::LINUX_ENVIRON));
    assert!(stream_types(&out).contains(&StreamType::LINUX_CMD_LINE));

    let out = rewrite(&input, "dropped.dmp", &["--drop-stream", "LinuxCpuInfo", "--drop-stream", "0x47670009"]);
    let types = stream_types(&out);
    assert!(!types.contains(&StreamType::LINUX_CPU_INFO) && !types.contains(&StreamType::LINUX_MAPS));
    assert!(types.contains(&StreamType::THREAD_LIST));

    let out = rewrite(&input, "no-memory.dmp", &["--strip-memory"]);
    let bytes = std::fs::read(&out).unwrap();
    let dump = Minidump::parse(&bytes).unwrap();
    let (model, _) = DumpModel::from_dump(&dump);
    assert!(!model.streams.iter().any(|s| matches!(s, StreamModel::MemoryList(_) | StreamModel::Memory64List(_))));
    assert!(model.memory_ranges().all(|r| r.size == 0));
    // Threads, contexts and modules are still there.
    let threads = dump.stream::<mdump_reader::ThreadList>().unwrap().unwrap();
    assert!(threads.iter().all(|t| t.context().is_ok()));
    // The output lost (about) all the captured memory of the input.
    let input_bytes = std::fs::read(&input).unwrap();
    let (input_model, _) = DumpModel::from_dump(&Minidump::parse(&input_bytes).unwrap());
    let captured: u64 = input_model
        .streams
        .iter()
        .filter_map(|s| if let StreamModel::ThreadList(t) = s { Some(t) } else { None })
        .flatten()
        .map(|t| t.stack.size)
        .sum();
    assert!(captured > 4096);
    assert!(
        (bytes.len() as u64) < input_bytes.len() as u64 - captured + 4096,
        "{} vs {}",
        bytes.len(),
        input_bytes.len()
    );

    let r = mdump(&["rewrite", "--drop-stream", "Bogus", input.to_str().unwrap(), tmp("x.dmp").to_str().unwrap()]);
    assert_eq!(r.status.code(), Some(2));
}
