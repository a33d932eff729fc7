//! Wine's dbghelp as an independent oracle: a Microsoft-API implementation
//! reading the two Windows acceptance dumps the writer produced.
//!
//! `tests/wine/dumpstreams.c` is built with MinGW-w64 and run under Wine
//! (Debian's `wine64`, `wine`, `gcc-mingw-w64-x86-64`). It maps the dump and
//! calls `MiniDumpReadDumpStream` for each stream type asked for. Every
//! stream we wrote must be found with the size the specification gives its
//! layout (and the directory entry must agree), thread and module counts
//! and first entries must match, and a type we did not write must not be
//! found.

mod common;
mod exec;

use mdump_writer::model::*;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

/// Building the program.
const BUILD_LIMIT: Duration = Duration::from_secs(120);
/// A run; the first creates the Wine prefix (seconds, more on a slow disk).
const RUN_LIMIT: Duration = Duration::from_secs(300);

/// Sizes from Microsoft's `minidumpapiset.h` (4-byte packed structures),
/// written out here rather than taken from mdump-format.
const THREAD_SIZE: usize = 48;
const MODULE_SIZE: usize = 108;
const MEMORY_DESCRIPTOR_SIZE: usize = 16;
const EXCEPTION_STREAM_SIZE: usize = 168;
const SYSTEM_INFO_SIZE: usize = 56;

/// Stream types never written to the acceptance dumps: HandleData,
/// MemoryInfoList, ThreadInfoList.
const ABSENT: [u32; 3] = [12, 16, 17];

fn build(gcc: &Path) -> PathBuf {
    let source = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/wine/dumpstreams.c");
    let exe = exec::scratch("wine").join("dumpstreams.exe");
    exec::run(
        Command::new(gcc).args(["-O2", "-Wall", "-Wextra", "-Werror", "-o"]).arg(&exe).arg(&source).arg("-ldbghelp"),
        BUILD_LIMIT,
    )
    .success("building dumpstreams.exe");
    exe
}

/// A Unix path as a Windows program under Wine sees it (drive Z: is `/`).
fn wine_path(p: &Path) -> String {
    format!("Z:{}", p.to_str().unwrap().replace('/', "\\"))
}

/// What dbghelp must say about each stream of `model`: `(type, line)`.
fn expected(model: &DumpModel) -> Vec<(u32, String)> {
    let mut out = Vec::new();
    for s in &model.streams {
        let t = s.stream_type().0;
        let line = match s {
            StreamModel::ThreadList(threads) => {
                let size = 4 + THREAD_SIZE * threads.len();
                format!("size={size} dirsize={size} threads={} first_tid={:#x}", threads.len(), threads[0].thread_id)
            }
            StreamModel::ModuleList(modules) => {
                let size = 4 + MODULE_SIZE * modules.len();
                let first = modules[0].raw.base_of_image.get();
                format!("size={size} dirsize={size} modules={} first_base={first:#x}", modules.len())
            }
            StreamModel::MemoryList(ranges) => {
                let size = 4 + MEMORY_DESCRIPTOR_SIZE * ranges.len();
                format!("size={size} dirsize={size} ranges={} first_start={:#x}", ranges.len(), ranges[0].start)
            }
            StreamModel::Exception(e) => {
                let size = EXCEPTION_STREAM_SIZE;
                format!("size={size} dirsize={size} tid={:#x} code={:#x}", e.thread_id, e.record.exception_code.get())
            }
            StreamModel::SystemInfo(sys) => {
                let (arch, platform) = (sys.raw.processor_architecture.get(), sys.raw.platform_id.get());
                format!("size={SYSTEM_INFO_SIZE} dirsize={SYSTEM_INFO_SIZE} arch={arch} platform={platform}")
            }
            StreamModel::MiscInfo(bytes) => {
                let pid = u32::from_le_bytes(bytes[8..12].try_into().unwrap());
                format!("size={0} dirsize={0} pid={pid}", bytes.len())
            }
            other => panic!("no dbghelp expectation written for {other:?}"),
        };
        out.push((t, format!("stream {t} found=1 {line}")));
    }
    out
}

#[test]
fn wine_dbghelp_finds_every_stream_of_the_windows_dumps() {
    let Some(wine) = mdump_testkit::exec::oracle(&["wine"]) else { return };
    let Some(gcc) = mdump_testkit::exec::oracle(&["x86_64-w64-mingw32-gcc"]) else { return };
    let exe = build(&gcc);
    let prefix = exec::scratch("wine-prefix");
    for (model, expect) in [common::windows_x86(), common::windows_amd64()] {
        let path = common::write_to_temp(&model, &format!("wine-{}", expect.name));
        let want = expected(&model);
        let mut cmd = Command::new(&wine);
        cmd.env("WINEPREFIX", &prefix)
            .env("WINEDEBUG", "-all")
            // No Mono or Gecko installers when the prefix is created.
            .env("WINEDLLOVERRIDES", "mscoree,mshtml=")
            .arg(&exe)
            .arg(wine_path(&path));
        for (t, _) in &want {
            cmd.arg(t.to_string());
        }
        for t in ABSENT {
            cmd.arg(t.to_string());
        }
        let ran = exec::run(&mut cmd, RUN_LIMIT).success(&format!("dumpstreams under Wine, {}", expect.name));
        let lines: Vec<&str> = ran.stdout.lines().map(|l| l.trim_end()).filter(|l| l.starts_with("stream ")).collect();
        assert_eq!(lines.len(), want.len() + ABSENT.len(), "{}: output\n{}\n{}", expect.name, ran.stdout, ran.stderr);
        for (i, (_, line)) in want.iter().enumerate() {
            assert_eq!(lines[i], line, "{}: dbghelp disagrees", expect.name);
        }
        for (i, t) in ABSENT.iter().enumerate() {
            assert_eq!(lines[want.len() + i], format!("stream {t} found=0"), "{}", expect.name);
        }
    }
}

#[test]
#[should_panic(expected = "did not finish within")]
fn a_hung_oracle_fails_instead_of_hanging() {
    // A shell and its background child: both are in the killed group.
    exec::run(Command::new("sh").args(["-c", "sleep 30 & sleep 30"]), Duration::from_millis(300));
}
