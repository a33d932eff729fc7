//! `mdump rewrite IN OUT`: read any dump and write it again, optionally
//! leaving out streams, memory or the environment (privacy before upload).
//!
//! The input is never modified: OUT may not be IN (the same file by any
//! path or link), and OUT is first written to a temporary file beside it and
//! renamed into place only when complete, so an interrupted rewrite leaves
//! nothing half-written. An existing OUT is replaced only with `--force`.

use mdump_format::StreamType;
use mdump_reader::MinidumpFile;
use mdump_writer::model::{DumpMemory, DumpModel, MemoryRange, StreamModel};
use mdump_writer::NoMemory;
use std::path::Path;

/// What to leave out.
#[derive(Clone, Debug, Default)]
pub struct Options {
    /// Stream types to drop.
    pub drop: Vec<StreamType>,
    /// Drop all captured memory: MemoryList and Memory64List streams, and
    /// thread stacks (kept as empty ranges at their addresses).
    pub strip_memory: bool,
    /// Drop the process environment (the LinuxEnviron stream).
    pub strip_env: bool,
    /// Replace OUT if it exists.
    pub force: bool,
}

/// Parses a stream type given by number (`0x47670007`, `11`) or by name
/// (`LinuxEnviron`, `ThreadListStream`, case-insensitive, the `Stream`
/// suffix optional).
pub fn parse_stream_type(s: &str) -> Result<StreamType, String> {
    let parsed = if let Some(hex) = s.strip_prefix("0x").or_else(|| s.strip_prefix("0X")) {
        u32::from_str_radix(hex, 16).ok()
    } else {
        s.parse::<u32>().ok()
    };
    if let Some(v) = parsed {
        return Ok(StreamType(v));
    }
    let want = s.to_ascii_lowercase();
    StreamType::ALL
        .iter()
        .copied()
        .find(|t| {
            t.name().is_some_and(|n| {
                let n = n.to_ascii_lowercase();
                n == want || n.strip_suffix("stream").is_some_and(|short| short == want)
            })
        })
        .ok_or_else(|| format!("unknown stream type {s:?} (give a name like LinuxEnviron or a number like 0x47670007)"))
}

fn same_file(a: &Path, b: &Path) -> bool {
    use std::os::unix::fs::MetadataExt;
    match (std::fs::metadata(a), std::fs::metadata(b)) {
        (Ok(x), Ok(y)) => x.dev() == y.dev() && x.ino() == y.ino(),
        _ => false,
    }
}

/// Applies the options to a model.
pub fn filter(model: &mut DumpModel, opts: &Options) {
    model.streams.retain(|s| {
        let t = s.stream_type();
        !(opts.drop.contains(&t)
            || (opts.strip_env && t == StreamType::LINUX_ENVIRON)
            || (opts.strip_memory && matches!(s, StreamModel::MemoryList(_) | StreamModel::Memory64List(_))))
    });
    if opts.strip_memory {
        for s in &mut model.streams {
            match s {
                StreamModel::ThreadList(threads) => {
                    for t in threads {
                        t.stack = MemoryRange { start: t.stack.start, size: 0 };
                    }
                }
                StreamModel::ThreadExList(threads) => {
                    for t in threads {
                        t.thread.stack = MemoryRange { start: t.thread.stack.start, size: 0 };
                        t.backing_store = MemoryRange { start: t.backing_store.start, size: 0 };
                    }
                }
                _ => {}
            }
        }
    }
}

/// Runs `mdump rewrite`.
pub fn run(input: &Path, output: &Path, opts: &Options) -> Result<(), String> {
    if same_file(input, output) || input == output {
        return Err(format!("refusing to write {} over its own input", output.display()));
    }
    if output.exists() && !opts.force {
        return Err(format!("{} exists; pass --force to replace it", output.display()));
    }
    let file = MinidumpFile::open(input).map_err(|e| e.to_string())?;
    let dump = file.minidump().map_err(|e| format!("{}: {e}", input.display()))?;
    let (mut model, errors) = DumpModel::from_dump(&dump);
    for e in &errors {
        eprintln!("mdump: warning: {}: {e}", input.display());
    }
    filter(&mut model, opts);

    let dir = output.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    let name = output.file_name().ok_or_else(|| format!("{}: not a file name", output.display()))?;
    let tmp = dir.join(format!(".{}.mdump-tmp-{}", name.to_string_lossy(), std::process::id()));
    let result = (|| -> Result<(), String> {
        let out = std::fs::File::create(&tmp).map_err(|e| format!("{}: {e}", tmp.display()))?;
        let written = if opts.strip_memory {
            model.write(out, &mut NoMemory)
        } else {
            model.write(out, &mut DumpMemory::new(&dump))
        };
        let out = written.map_err(|e| format!("{}: {e}", output.display()))?;
        out.sync_all().map_err(|e| format!("{}: {e}", output.display()))?;
        std::fs::rename(&tmp, output).map_err(|e| format!("{}: {e}", output.display()))
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stream_types_by_name_or_number() {
        assert_eq!(parse_stream_type("LinuxEnviron").unwrap(), StreamType::LINUX_ENVIRON);
        assert_eq!(parse_stream_type("threadlist").unwrap(), StreamType::THREAD_LIST);
        assert_eq!(parse_stream_type("ThreadListStream").unwrap(), StreamType::THREAD_LIST);
        assert_eq!(parse_stream_type("0x47670007").unwrap(), StreamType::LINUX_ENVIRON);
        assert_eq!(parse_stream_type("3").unwrap(), StreamType::THREAD_LIST);
        assert!(parse_stream_type("NoSuchStream").is_err());
    }
}
