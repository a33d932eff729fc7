//! Shared by the capture tests: building `crashme`, running programs with a
//! deadline, and finding oracle programs.
#![allow(dead_code)]

use std::fs::File;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitStatus, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

/// What a finished program left behind.
#[derive(Debug)]
pub struct Ran {
    /// How it exited.
    pub status: ExitStatus,
    /// Its standard output, lossily decoded.
    pub stdout: String,
    /// Its standard error, lossily decoded.
    pub stderr: String,
}

/// A fresh, empty scratch directory inside the build folder.
pub fn scratch(name: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("capture").join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Runs `cmd` to completion or until `limit` passes; on the deadline kills
/// its whole process group and panics (a hang is a failure, e.g. a crash
/// handler deadlocked on a lock). Output goes to files, not pipes: the
/// dump helper process may briefly outlive the program and hold them.
pub fn run(cmd: &mut Command, limit: Duration) -> Ran {
    static NEXT: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
    let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("capture-exec");
    std::fs::create_dir_all(&dir).unwrap();
    let out_path = dir.join(format!("{}-{n}.out", std::process::id()));
    let err_path = dir.join(format!("{}-{n}.err", std::process::id()));
    let shown = format!("{cmd:?}");
    let mut child = cmd
        .stdin(Stdio::null())
        .stdout(File::create(&out_path).unwrap())
        .stderr(File::create(&err_path).unwrap())
        .process_group(0)
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start {shown}: {e}"));
    let start = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if start.elapsed() > limit {
            // SAFETY: kill of the child's own process group.
            unsafe { libc::kill(-(child.id() as i32), libc::SIGKILL) };
            let _ = child.wait();
            let stdout = std::fs::read(&out_path).unwrap_or_default();
            panic!("{shown} did not finish within {limit:?}; output so far:\n{}", String::from_utf8_lossy(&stdout));
        }
        std::thread::sleep(Duration::from_millis(10));
    };
    let stdout = String::from_utf8_lossy(&std::fs::read(&out_path).unwrap()).into_owned();
    let stderr = String::from_utf8_lossy(&std::fs::read(&err_path).unwrap()).into_owned();
    let _ = std::fs::remove_file(&out_path);
    let _ = std::fs::remove_file(&err_path);
    Ran { status, stdout, stderr }
}

/// The `crashme` example, built once per test binary. It is built into a
/// target directory of its own under `CARGO_TARGET_TMPDIR`: the outer
/// `cargo test` may hold the lock of the shared one.
pub fn crashme() -> &'static Path {
    static PATH: OnceLock<PathBuf> = OnceLock::new();
    PATH.get_or_init(|| {
        let target = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("crashme-target");
        let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
        let manifest = Path::new(env!("CARGO_MANIFEST_DIR")).join("Cargo.toml");
        let ran = run(
            Command::new(cargo)
                .args(["build", "--quiet", "--example", "crashme", "--manifest-path"])
                .arg(&manifest)
                .arg("--target-dir")
                .arg(&target),
            Duration::from_secs(900),
        );
        assert!(ran.status.success(), "building crashme: {}\n{}", ran.status, ran.stderr);
        target.join("debug/examples/crashme")
    })
}

/// Finds an oracle program: `Some(path)` if present; otherwise prints why
/// the test skips it, and panics under `CI=true` (CI must have every
/// oracle).
pub fn oracle(program: &str, candidates: &[&str]) -> Option<PathBuf> {
    for c in candidates {
        let c = if let Some(rest) = c.strip_prefix("~/") {
            PathBuf::from(std::env::var("HOME").unwrap_or_default()).join(rest)
        } else {
            PathBuf::from(c)
        };
        if c.is_absolute() && c.is_file() {
            return Some(c);
        }
        if let Ok(path) = std::env::var("PATH") {
            for dir in std::env::split_paths(&path) {
                let full = dir.join(&c);
                if full.is_file() {
                    return Some(full);
                }
            }
        }
    }
    let why = format!("oracle {program} not found (tried {candidates:?}); CI must install it");
    if std::env::var("CI").is_ok_and(|v| v == "true") {
        panic!("{why}");
    }
    eprintln!("SKIP: {why}");
    None
}
