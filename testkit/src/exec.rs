//! Running external programs from tests: finding an oracle (a program
//! nobody on this team wrote, whose verdict the test takes), and running a
//! program with a deadline so a hang fails its test instead of hanging CI.
//!
//! One implementation for every crate's tests, so that all agree on what a
//! missing oracle means: a local run skips with the reason printed, a CI run
//! (`CI=true`) fails, since `.ci/run` installs every oracle.

use std::fs::File;
use std::os::unix::process::CommandExt;
use std::path::PathBuf;
use std::process::{Command, ExitStatus, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, Instant};

use crate::corpus::in_ci;

/// The first of `candidates` that exists: a path (`~/` stands for `$HOME`)
/// naming a file, else a name found on `PATH`.
pub fn find_program(candidates: &[&str]) -> Option<PathBuf> {
    let home = std::env::var_os("HOME").map(PathBuf::from).unwrap_or_default();
    let path = std::env::var_os("PATH");
    candidates.iter().find_map(|c| {
        let given = c.strip_prefix("~/").map(|rest| home.join(rest)).unwrap_or_else(|| PathBuf::from(c));
        if given.is_file() {
            return Some(given);
        }
        let path = path.as_ref()?;
        std::env::split_paths(path).map(|dir| dir.join(c)).find(|f| f.is_file())
    })
}

/// An oracle program for a test: [`find_program`]; when none of
/// `candidates` exists, prints `SKIP: ...` and returns `None` so the test
/// returns early, and under `CI=true` panics instead (reported at the
/// calling test's line).
#[track_caller]
pub fn oracle(candidates: &[&str]) -> Option<PathBuf> {
    if let Some(found) = find_program(candidates) {
        return Some(found);
    }
    let why = format!("oracle not found (tried {candidates:?}); .ci/run installs it");
    assert!(!in_ci(), "{why}");
    eprintln!("SKIP: {why}");
    None
}

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
    #[track_caller]
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

/// Runs `cmd` to completion or until `limit` passes, whichever comes first;
/// on the deadline kills its whole process group and panics.
///
/// Output goes to files rather than pipes: a process the program leaves
/// behind (Wine's wineserver, a crash handler's helper) may inherit the
/// descriptors and outlive it, and a pipe reader would wait for it too.
#[track_caller]
pub fn run(cmd: &mut Command, limit: Duration) -> Ran {
    static NEXT: AtomicU32 = AtomicU32::new(0);
    let n = NEXT.fetch_add(1, Ordering::Relaxed);
    let dir = std::env::temp_dir().join("mdump-test-exec");
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn programs_are_found_by_path_and_by_name() {
        assert_eq!(find_program(&["/nonexistent/x", "sh"]).map(|p| p.is_file()), Some(true));
        assert_eq!(find_program(&["/bin/sh"]), Some(PathBuf::from("/bin/sh")));
        assert_eq!(find_program(&["/nonexistent/x", "no-such-program-anywhere"]), None);
    }

    #[test]
    fn run_reports_output_and_status() {
        let ran = run(Command::new("sh").args(["-c", "echo out; echo err >&2; exit 3"]), Duration::from_secs(30));
        assert_eq!((ran.status.code(), ran.stdout.as_str(), ran.stderr.as_str()), (Some(3), "out\n", "err\n"));
    }
}
