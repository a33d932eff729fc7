//! Fitting a dump under `Options::size_limit`.
//!
//! The size of everything but memory is measured exactly by writing the
//! model once without memory (a few hundred KiB at most: contexts, lists,
//! text); the memory is the sum of the (merged, shared) ranges. When the
//! total is over the limit, cuts are made in this order until it fits:
//!
//! 1. the stacks of threads other than the crashing one, to 2 KiB (the top
//!    frames, enough for a stack scan to start);
//! 2. the extra memory ranges the caller asked for;
//! 3. the crashing thread's stack to 16 KiB and the others to 512 bytes;
//! 4. the largest text streams (cpuinfo, maps, environ, ...), biggest
//!    first.
//!
//! If even that is too big, the dump is written anyway and the overrun is
//! reported as a soft error.

use super::merge_ranges;
use mdump_format::StreamType;
use mdump_writer::model::{DumpModel, MemoryRange, StreamModel, ThreadModel};
use mdump_writer::NoMemory;

/// The pieces the limit can cut.
pub struct Parts {
    /// The threads (their stacks are cut).
    pub threads: Vec<ThreadModel>,
    /// Memory around the crash (kept).
    pub extra: Vec<MemoryRange>,
    /// Memory the caller asked for (dropped at step 2).
    pub requested: Vec<MemoryRange>,
    /// The crashing thread, whose stack is cut last.
    pub crash_tid: Option<u32>,
}

impl Parts {
    /// The MemoryList: every stack and range, merged.
    pub fn memory_list(&self) -> Vec<MemoryRange> {
        let mut all: Vec<MemoryRange> = self.threads.iter().map(|t| t.stack).collect();
        all.extend(&self.extra);
        all.extend(&self.requested);
        merge_ranges(all)
    }

    fn memory_bytes(&self) -> u64 {
        // Each range's bytes, plus alignment padding.
        self.memory_list().iter().map(|r| r.size + 8).sum()
    }

    fn cut_stacks(&mut self, others: u64, crashing: u64) {
        for t in &mut self.threads {
            let cap = if Some(t.thread_id) == self.crash_tid { crashing } else { others };
            t.stack.size = t.stack.size.min(cap);
        }
    }
}

/// The size of `streams` written without their memory.
fn base_size(streams: &[StreamModel]) -> u64 {
    let model = DumpModel { time_date_stamp: 0, flags: 0, streams: streams.to_vec() };
    match model.write(std::io::Cursor::new(Vec::new()), &mut NoMemory) {
        Ok(c) => c.into_inner().len() as u64,
        Err(_) => 0,
    }
}

/// Cuts `parts` and `others` (every stream but ThreadList and MemoryList)
/// until the dump fits in `limit`; notes what was cut in `errors`.
pub fn fit(limit: u64, parts: &mut Parts, others: &mut Vec<StreamModel>, errors: &mut Vec<String>) {
    let mut skeleton =
        vec![StreamModel::ThreadList(parts.threads.clone()), StreamModel::MemoryList(parts.memory_list())];
    skeleton.extend(others.iter().cloned());
    let mut base = base_size(&skeleton);
    let note = |errors: &mut Vec<String>, what: &str| {
        errors.push(format!("{:#010x} size limit {limit}: {what}", StreamType::MEMORY_LIST.0));
    };
    if base + parts.memory_bytes() <= limit {
        return;
    }
    parts.cut_stacks(2048, u64::MAX);
    note(errors, "other threads' stacks cut to 2 KiB");
    if base + parts.memory_bytes() <= limit {
        return;
    }
    if !parts.requested.is_empty() {
        parts.requested.clear();
        note(errors, "extra memory left out");
        if base + parts.memory_bytes() <= limit {
            return;
        }
    }
    parts.cut_stacks(512, 16 * 1024);
    note(errors, "stacks cut to 16 KiB (crashing thread) and 512 bytes");
    while base + parts.memory_bytes() > limit {
        let largest = others
            .iter()
            .enumerate()
            .filter_map(|(i, s)| match s {
                StreamModel::Raw { stream_type, bytes }
                    if *stream_type != StreamType::LINUX_CMD_LINE && !bytes.is_empty() =>
                {
                    Some((bytes.len(), i, *stream_type))
                }
                _ => None,
            })
            .max();
        let Some((len, i, stream_type)) = largest else { break };
        others.remove(i);
        base = base.saturating_sub(len as u64);
        note(errors, &format!("stream {:#010x} left out", stream_type.0));
    }
    if base + parts.memory_bytes() > limit {
        note(errors, &format!("cannot be met (about {} bytes)", base + parts.memory_bytes()));
    }
}
