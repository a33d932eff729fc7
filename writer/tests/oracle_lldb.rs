//! LLDB as an independent oracle (Debian's `lldb-16`): a real debugger
//! loading each acceptance dump the writer produced.
//!
//! `lldb-16 --core DUMP --batch -o 'thread list' -o 'image list' -o
//! 'register read'` must load the core with the right architecture and
//! process id, list every thread (LLDB prints Linux thread ids in decimal and
//! Windows ones as `0x%04x`) at the instruction pointer its context holds,
//! stop the crashing thread for the right reason, list every module at its
//! base with its path and the UUID LLDB derives from the CodeView record, and
//! show the crashing thread's instruction and stack pointers.
//!
//! What LLDB 16 needs, found by running it: for Linux ARM64 it reads the
//! context in Breakpad's older layout (64-bit flags word with 0x80000000,
//! x0..x28, fp, lr, sp, pc, cpsr), which the acceptance dump uses; the
//! process id comes from `LinuxProcStatus` (Linux) or MiscInfo (Windows). All
//! four acceptance dumps load completely; nothing here is skipped.

mod common;
mod exec;

use common::Expect;
use mdump_format::StreamType;
use mdump_writer::model::*;
use std::process::Command;
use std::time::Duration;

const LIMIT: Duration = Duration::from_secs(120);

fn u64_at(b: &[u8], at: usize) -> u64 {
    u64::from_le_bytes(b[at..at + 8].try_into().unwrap())
}

fn u32_at(b: &[u8], at: usize) -> u32 {
    u32::from_le_bytes(b[at..at + 4].try_into().unwrap())
}

/// The instruction pointer in a context, read at the specification's offset
/// for the dump's CPU (AMD64 RIP at 0xF8, x86 EIP at 0xB8, Breakpad ARM64 PC
/// at 0x108).
fn ip_of(cpu: &str, context: &ContextModel) -> u64 {
    match cpu {
        "amd64" => u64_at(&context.0, 0xf8),
        "x86" => u32_at(&context.0, 0xb8).into(),
        "arm64" => u64_at(&context.0, 0x108),
        other => panic!("{other}"),
    }
}

/// An address as LLDB prints it for a target of this CPU.
fn addr(cpu: &str, value: u64) -> String {
    if cpu == "x86" {
        format!("0x{value:08x}")
    } else {
        format!("0x{value:016x}")
    }
}

/// The UUID LLDB derives from a CodeView record: for `RSDS`, the GUID in
/// its printed byte order then the age big-endian; for Breakpad's ELF
/// record, the build id as stored. Grouped 4-2-2-2-6-4 bytes, upper case.
fn lldb_uuid(cv: &[u8]) -> String {
    let bytes: Vec<u8> = match &cv[..4] {
        b"RSDS" => {
            let g = &cv[4..20];
            let mut v: Vec<u8> = g[..4].iter().rev().copied().collect();
            v.extend(g[4..6].iter().rev());
            v.extend(g[6..8].iter().rev());
            v.extend_from_slice(&g[8..16]);
            v.extend_from_slice(&u32_at(cv, 20).to_be_bytes());
            v
        }
        b"LEpB" => cv[4..].to_vec(),
        other => panic!("no UUID rule here for CodeView {other:?}"),
    };
    assert_eq!(bytes.len(), 20, "this rule covers 20-byte ids");
    let mut out = String::new();
    let mut at = 0;
    for (i, n) in [4, 2, 2, 2, 6, 4].into_iter().enumerate() {
        if i > 0 {
            out.push('-');
        }
        for b in &bytes[at..at + n] {
            out.push_str(&format!("{b:02X}"));
        }
        at += n;
    }
    out
}

/// The process id LLDB should report: `Pid:` of LinuxProcStatus, or
/// MiscInfo's process id.
fn process_id(model: &DumpModel) -> u32 {
    for s in &model.streams {
        match s {
            StreamModel::Raw { stream_type, bytes } if *stream_type == StreamType::LINUX_PROC_STATUS => {
                let text = String::from_utf8(bytes.clone()).unwrap();
                let pid = text.lines().find_map(|l| l.strip_prefix("Pid:")).unwrap();
                return pid.trim().parse().unwrap();
            }
            StreamModel::MiscInfo(b) => return u32_at(b, 8),
            _ => {}
        }
    }
    panic!("no process id in the model")
}

fn check(model: &DumpModel, expect: &Expect, out: &str) {
    let name = expect.name;
    let cpu = expect.cpu;
    let windows = expect.os != "Linux";
    let triple_arch = match cpu {
        "amd64" => "x86_64",
        "x86" => "i386",
        "arm64" => "aarch64",
        other => panic!("{other}"),
    };
    assert!(
        out.contains(&format!(".dmp' ({triple_arch}) was loaded.")),
        "{name}: core not loaded as {triple_arch}:\n{out}"
    );
    assert!(out.contains(&format!("Process {} stopped", process_id(model))), "{name}: process id:\n{out}");

    // thread list
    let threads = model
        .streams
        .iter()
        .find_map(|s| match s {
            StreamModel::ThreadList(t) => Some(t),
            _ => None,
        })
        .unwrap();
    let lines: Vec<&str> = out.lines().filter(|l| l.contains(" thread #")).collect();
    assert_eq!(lines.len(), expect.thread_ids.len(), "{name}: thread lines:\n{out}");
    for (i, t) in threads.iter().enumerate() {
        assert_eq!(t.thread_id, expect.thread_ids[i]);
        let tid = if windows { format!("tid = 0x{:04x}", t.thread_id) } else { format!("tid = {}", t.thread_id) };
        let line =
            lines.iter().find(|l| l.contains(&format!("{tid},"))).unwrap_or_else(|| panic!("{name}: no {tid}:\n{out}"));
        let ip = addr(cpu, ip_of(cpu, &t.context));
        assert!(line.contains(&format!("{tid}, {ip} ")), "{name}: thread {:#x} not at {ip}: {line}", t.thread_id);
        let crashing = t.thread_id == expect.crashing_thread;
        assert_eq!(line.starts_with("* thread"), crashing, "{name}: selected thread: {line}");
        if crashing {
            assert_eq!(ip_of(cpu, &t.context), expect.instruction_pointer, "{name}: model and Expect disagree");
            let exception = model
                .streams
                .iter()
                .find_map(|s| match s {
                    StreamModel::Exception(e) => Some(&e.record),
                    _ => None,
                })
                .unwrap();
            let code = exception.exception_code.get();
            let reason = if windows {
                let at = exception.exception_address.get();
                format!("stop reason = Exception {code:#x} encountered at address {at:#x}")
            } else {
                assert_eq!(code, 11, "{name}: only SIGSEGV is spelled out here");
                "stop reason = signal SIGSEGV".to_string()
            };
            assert!(line.contains(&reason), "{name}: wanted {reason:?}: {line}");
        }
    }

    // image list
    let modules = model
        .streams
        .iter()
        .find_map(|s| match s {
            StreamModel::ModuleList(m) => Some(m),
            _ => None,
        })
        .unwrap();
    let images: Vec<&str> = out.lines().filter(|l| l.starts_with('[')).collect();
    assert_eq!(images.len(), expect.modules.len(), "{name}: image lines:\n{out}");
    for (i, ((base, path), m)) in expect.modules.iter().zip(modules).enumerate() {
        let want = format!("[{i:3}] {} {} {path}", lldb_uuid(&m.cv_record), addr(cpu, *base));
        assert_eq!(images[i].trim_end(), want, "{name}: module {i}");
    }

    // register read (the selected, crashing thread)
    let (ip_name, sp_name) = match cpu {
        "amd64" => ("rip", "rsp"),
        "x86" => ("eip", "esp"),
        _ => ("pc", "sp"),
    };
    let reg = |n: &str| -> String {
        let l = out.lines().find(|l| l.trim_start().starts_with(&format!("{n} = ")));
        l.unwrap_or_else(|| panic!("{name}: no register {n}:\n{out}")).trim().to_string()
    };
    assert_eq!(reg(ip_name), format!("{ip_name} = {}", addr(cpu, expect.instruction_pointer)), "{name}");
    assert_eq!(reg(sp_name), format!("{sp_name} = {}", addr(cpu, expect.stack_pointer)), "{name}");
}

#[test]
fn lldb_loads_every_acceptance_dump() {
    let Some(lldb) = mdump_testkit::exec::oracle(&["lldb-16", "/usr/lib/llvm-16/bin/lldb"]) else { return };
    for (model, expect) in common::all() {
        let path = common::write_to_temp(&model, &format!("lldb-{}", expect.name));
        let ran = exec::run(
            Command::new(&lldb).arg("--no-lldbinit").arg("--core").arg(&path).arg("--batch").args([
                "-o",
                "thread list",
                "-o",
                "image list",
                "-o",
                "register read",
            ]),
            LIMIT,
        )
        .success(&format!("lldb {}", expect.name));
        assert!(
            !ran.stderr.contains("error:"),
            "{}: lldb reported an error:\n{}\n{}",
            expect.name,
            ran.stdout,
            ran.stderr
        );
        check(&model, &expect, &ran.stdout);
    }
}
