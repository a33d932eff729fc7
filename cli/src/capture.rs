//! `mdump capture --pid PID -o FILE`: a minidump of a live process, like
//! gcore, which leaves the process running.
//!
//! The dump goes to a temporary file beside FILE and is renamed into place
//! only once complete and synced, so a failed or interrupted capture never
//! leaves half a dump, and an existing FILE (replaced only with `--force`)
//! stays intact until the new dump is safely written.

use std::fs::File;
use std::path::{Path, PathBuf};

/// Options of `mdump capture`.
#[derive(clap::Args, Debug)]
pub struct Args {
    /// The process to dump.
    #[arg(long)]
    pub pid: u32,
    /// Where to write the dump.
    #[arg(short = 'o', long = "output")]
    pub output: PathBuf,
    /// The most stack memory kept per thread, in bytes (suffixes K, M, G
    /// for KiB, MiB, GiB).
    #[arg(long, value_name = "BYTES", value_parser = parse_size)]
    pub stack_limit: Option<u64>,
    /// The largest dump to write, in bytes (suffixes K, M, G): stacks and
    /// memory are cut to fit.
    #[arg(long, value_name = "BYTES", value_parser = parse_size)]
    pub size_limit: Option<u64>,
    /// Leave out the process environment (it may hold secrets).
    #[arg(long, visible_alias = "strip-env")]
    pub skip_environment: bool,
    /// Store KEY=VALUE in the dump as a Crashpad annotation; may be
    /// repeated.
    #[arg(long = "annotation", value_name = "KEY=VALUE", value_parser = parse_annotation)]
    pub annotations: Vec<(String, String)>,
    /// Replace the output file if it exists.
    #[arg(long)]
    pub force: bool,
}

/// Parses a byte count: digits, optionally followed by K, M or G (binary
/// units, an optional `iB`/`B` after them).
pub fn parse_size(s: &str) -> Result<u64, String> {
    let t = s.trim();
    let digits = t.find(|c: char| !c.is_ascii_digit()).unwrap_or(t.len());
    let (number, unit) = t.split_at(digits);
    let shift = match unit.to_ascii_lowercase().as_str() {
        "" | "b" => 0,
        "k" | "kb" | "kib" => 10,
        "m" | "mb" | "mib" => 20,
        "g" | "gb" | "gib" => 30,
        _ => return Err(format!("{s:?} is not a size (give bytes, or a number with K, M or G)")),
    };
    let n: u64 = number.parse().map_err(|_| format!("{s:?} is not a size (give bytes, or a number with K, M or G)"))?;
    n.checked_mul(1u64 << shift).ok_or_else(|| format!("{s:?} is too large"))
}

/// Parses `KEY=VALUE` (the key not empty; the value may be).
pub fn parse_annotation(s: &str) -> Result<(String, String), String> {
    match s.split_once('=') {
        Some((key, value)) if !key.is_empty() => Ok((key.to_string(), value.to_string())),
        _ => Err(format!("{s:?} is not KEY=VALUE")),
    }
}

/// Why a process cannot be dumped before anything is attempted, if it is
/// plain from /proc: it does not exist, it is this very process, a thread
/// of another process (its `/proc/TID` exists too), a zombie, or a kernel
/// thread. Without these checks the last three would be dumped under the
/// wrong pid or refused with a misleading "permission denied".
fn check_target(pid: u32) -> Result<(), String> {
    if pid == 0 {
        return Err("pid 0 is not a process".into());
    }
    if pid == std::process::id() {
        return Err(format!("pid {pid} is mdump itself; it cannot dump its own process this way"));
    }
    let status = match std::fs::read(format!("/proc/{pid}/status")) {
        Ok(status) => status,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Err(format!("no process with pid {pid}")),
        Err(e) => return Err(format!("pid {pid}: reading /proc/{pid}/status: {e}")),
    };
    let field = |key| mdump_capture::procfs::status_field(&status, key);
    let name = field("Name").map(|n| String::from_utf8_lossy(n).into_owned()).unwrap_or_default();
    let tgid = field("Tgid").and_then(mdump_capture::procfs::leading_decimal);
    if let Some(tgid) = tgid.filter(|&t| t != u64::from(pid)) {
        return Err(format!("pid {pid} is a thread of process {tgid}; give --pid {tgid} to dump the whole process"));
    }
    if field("State").is_some_and(|s| s.starts_with(b"Z")) {
        return Err(format!("pid {pid} ({name}) has exited; it is a zombie waiting for its parent"));
    }
    // Only processes with user memory have Vm* lines.
    if field("VmSize").is_none() {
        return Err(format!("pid {pid} ({name}) is a kernel thread: it has no user memory to dump"));
    }
    Ok(())
}

/// The temporary file the dump is written to, beside `output`.
fn temporary_beside(output: &Path) -> Result<PathBuf, String> {
    let dir = output.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    let name = output.file_name().ok_or_else(|| format!("{}: not a file name", output.display()))?;
    Ok(dir.join(format!(".{}.mdump-tmp-{}", name.to_string_lossy(), std::process::id())))
}

/// The library's options from the command line's.
fn options(args: &Args) -> mdump_capture::Options {
    let mut options = mdump_capture::Options::default();
    if let Some(limit) = args.stack_limit {
        options.stack_limit = usize::try_from(limit).unwrap_or(usize::MAX);
    }
    options.size_limit = args.size_limit;
    options.skip_environment = args.skip_environment;
    options.annotations = args.annotations.clone();
    options
}

/// Runs `mdump capture`; the error is one line for the user.
pub fn run(args: &Args) -> Result<(), String> {
    let output = &args.output;
    if output.is_dir() {
        return Err(format!("{} is a directory; give a file name", output.display()));
    }
    if output.symlink_metadata().is_ok() && !args.force {
        return Err(format!("{} exists; pass --force to replace it", output.display()));
    }
    check_target(args.pid)?;
    let options = options(args);

    let pid = i32::try_from(args.pid).map_err(|_| format!("no process with pid {}", args.pid))?;
    let tmp = temporary_beside(output)?;
    let result = (|| -> Result<mdump_capture::DumpSummary, String> {
        // The user named OUTPUT, not our temporary file: say where we could
        // not write.
        let mut file = File::create(&tmp).map_err(|e| {
            let dir = tmp.parent().map_or_else(|| ".".into(), |d| d.display().to_string());
            format!("cannot write {} (in {dir}): {e}", output.display())
        })?;
        let summary = mdump_capture::write_dump_of_process(pid, &options, &mut file).map_err(|e| explain(pid, &e))?;
        file.sync_all().map_err(|e| format!("{}: {e}", output.display()))?;
        std::fs::rename(&tmp, output).map_err(|e| format!("{}: {e}", output.display()))?;
        Ok(summary)
    })();
    let summary = match result {
        Ok(summary) => summary,
        Err(e) => {
            let _ = std::fs::remove_file(&tmp);
            return Err(e);
        }
    };
    for missed in &summary.threads_missed {
        eprintln!("mdump: warning: thread {} not in the dump: {}", missed.0, missed.1);
    }
    for soft in &summary.soft_errors {
        eprintln!("mdump: warning: {soft}");
    }
    println!(
        "{}: pid {}, {} threads, {} modules, {} bytes",
        output.display(),
        summary.pid,
        summary.threads.len(),
        summary.modules,
        summary.bytes_written
    );
    Ok(())
}

/// The library's error as one line, saying plainly when it is a missing
/// process or a refusal.
fn explain(pid: i32, e: &mdump_capture::CaptureError) -> String {
    use mdump_capture::CaptureError;
    match e {
        CaptureError::NoSuchProcess(_) => format!("no process with pid {pid} (it may have exited)"),
        // The library's message names the likely cause (another user, not
        // dumpable, Yama's ptrace_scope, a tracer already attached).
        CaptureError::Os { error, .. } if error.kind() == std::io::ErrorKind::PermissionDenied => {
            format!("permission denied to dump pid {pid}: {e}")
        }
        _ => format!("pid {pid}: {e}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_in_bytes_or_binary_units() {
        assert_eq!(parse_size("4096"), Ok(4096));
        assert_eq!(parse_size("64K"), Ok(64 << 10));
        assert_eq!(parse_size("64KiB"), Ok(64 << 10));
        assert_eq!(parse_size("2m"), Ok(2 << 20));
        assert_eq!(parse_size("1G"), Ok(1 << 30));
        assert!(parse_size("").is_err());
        assert!(parse_size("K").is_err());
        assert!(parse_size("12X").is_err());
        assert!(parse_size("-1").is_err());
        assert!(parse_size("99999999999999999999G").is_err());
        assert!(parse_size("17179869184G").is_err(), "2^64 bytes overflows");
    }

    #[test]
    fn annotations_are_key_equals_value() {
        assert_eq!(parse_annotation("build=42"), Ok(("build".into(), "42".into())));
        assert_eq!(parse_annotation("note=a=b"), Ok(("note".into(), "a=b".into())));
        assert_eq!(parse_annotation("empty="), Ok(("empty".into(), String::new())));
        assert!(parse_annotation("=x").is_err());
        assert!(parse_annotation("novalue").is_err());
    }

    #[test]
    fn missing_and_own_processes_are_refused_before_any_work() {
        assert!(check_target(0).is_err());
        assert!(check_target(std::process::id()).unwrap_err().contains("itself"));
        // Linux pids never reach 2^22 + 1 (pid_max's ceiling is 2^22).
        assert_eq!(check_target((1 << 22) + 1).unwrap_err(), format!("no process with pid {}", (1 << 22) + 1));
    }
}
