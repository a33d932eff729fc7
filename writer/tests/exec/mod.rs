//! Running an oracle program with a deadline, so a hung oracle fails its
//! test instead of hanging CI.
#![allow(dead_code)]

use std::fs::File;
use std::os::unix::process::CommandExt;
use std::path::PathBuf;
use std::process::{Command, ExitStatus, Stdio};
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

impl Ran {
    /// Panics (showing both outputs) unless the program exited with 0.
    pub fn success(self, what: &str) -> Ran {
        assert!(
            self.status.success(),
            "{what}: {}\n--- stdout\n{}\n--- stderr\n{}",
            self.status,
            self.stdout,
            self.stderr
        );
        self
    }
}

/// A scratch directory inside the build folder (`target/tmp/<name>`).
pub fn scratch(name: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(name);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Runs `cmd` to completion or until `limit` passes, whichever comes first;
/// on the deadline kills its whole process group and panics.
///
/// Output goes to files rather than pipes: a daemon the program starts
/// (Wine's wineserver) may inherit the descriptors and outlive it, and a
/// pipe reader would wait for the daemon too.
pub fn run(cmd: &mut Command, limit: Duration) -> Ran {
    static NEXT: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
    let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let dir = scratch("exec");
    let out_path = dir.join(format!("{}-{n}.out", std::process::id()));
    let err_path = dir.join(format!("{}-{n}.err", std::process::id()));
    let out = File::create(&out_path).unwrap();
    let err = File::create(&err_path).unwrap();
    let shown = format!("{cmd:?}");
    let mut child = cmd
        .stdin(Stdio::null())
        .stdout(out)
        .stderr(err)
        .process_group(0)
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start {shown}: {e}"));
    let start = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if start.elapsed() > limit {
            // The child leads its own process group: end all of it.
            let _ = Command::new("kill").args(["-KILL", "--", &format!("-{}", child.id())]).status();
            let _ = child.kill();
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
