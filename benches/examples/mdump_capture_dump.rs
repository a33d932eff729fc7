//! `mdump_capture_dump PID OUT`: mdump-capture's `write_dump_of_process`
//! with default options, as a program of its own and nothing else, the
//! counterpart of `minidump_writer_dump` in `benches/capture_peak_rss.sh`
//! (the `mdump` command links the whole toolkit, whose code pages count in
//! its resident memory).

use std::process::ExitCode;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [pid, out] = args.as_slice() else {
        eprintln!("usage: mdump_capture_dump PID OUT");
        return ExitCode::from(2);
    };
    let Ok(pid) = pid.parse::<i32>() else {
        eprintln!("mdump_capture_dump: {pid:?} is not a pid");
        return ExitCode::from(2);
    };
    let result = std::fs::File::create(out).map_err(|e| format!("{out}: {e}")).and_then(|mut file| {
        mdump_capture::write_dump_of_process(pid, &mdump_capture::Options::default(), &mut file)
            .map(|_| ())
            .map_err(|e| e.to_string())
    });
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("mdump_capture_dump: {e}");
            ExitCode::FAILURE
        }
    }
}
