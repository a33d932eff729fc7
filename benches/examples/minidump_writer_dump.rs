//! `minidump_writer_dump PID OUT`: rust-minidump's `minidump-writer` dumping
//! a live process, as a program of its own, so `benches/capture_peak_rss.sh`
//! can measure its peak memory beside `mdump capture --pid`.
//!
//! It does what the `capture` benchmark's peer side does:
//! `MinidumpWriterConfig::new(pid, pid).write(&mut file)` with the crate's
//! defaults, the main thread blamed (there is no crash).

use std::process::ExitCode;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [pid, out] = args.as_slice() else {
        eprintln!("usage: minidump_writer_dump PID OUT");
        return ExitCode::from(2);
    };
    let Ok(pid) = pid.parse::<i32>() else {
        eprintln!("minidump_writer_dump: {pid:?} is not a pid");
        return ExitCode::from(2);
    };
    let result = std::fs::File::create(out).map_err(|e| format!("{out}: {e}")).and_then(|mut file| {
        minidump_writer::minidump_writer::MinidumpWriterConfig::new(pid, pid)
            .write(&mut file)
            .map(|_| ())
            .map_err(|e| format!("{e}"))
    });
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("minidump_writer_dump: {e}");
            ExitCode::FAILURE
        }
    }
}
