//! The ThreadList and ThreadExList streams.

use crate::bytes::Bytes;
use crate::context::Context;
use crate::error::Result;
use crate::list::count_prefixed;
use crate::memory::MemoryRegion;
use crate::minidump::{Minidump, Stream};
use mdump_format::thread::{MinidumpThread, MinidumpThreadEx};
use mdump_format::StreamType;

/// The ThreadList stream: the threads, viewed in place.
#[derive(Clone, Copy, Debug)]
pub struct ThreadList<'a> {
    raw: &'a [MinidumpThread],
    dump: Minidump<'a>,
}

/// One thread of a [`ThreadList`].
#[derive(Clone, Copy, Debug)]
pub struct Thread<'a> {
    /// The on-disk entry.
    pub raw: &'a MinidumpThread,
    dump: Minidump<'a>,
}

impl<'a> Stream<'a> for ThreadList<'a> {
    const STREAM_TYPE: StreamType = StreamType::THREAD_LIST;

    fn parse(bytes: Bytes<'a>, dump: &Minidump<'a>) -> Result<Self> {
        Ok(ThreadList { raw: count_prefixed(bytes, "threads")?, dump: *dump })
    }
}

impl<'a> ThreadList<'a> {
    /// The on-disk entries.
    pub fn raw(&self) -> &'a [MinidumpThread] {
        self.raw
    }

    /// Number of threads.
    pub fn len(&self) -> usize {
        self.raw.len()
    }

    /// Whether the list is empty.
    pub fn is_empty(&self) -> bool {
        self.raw.is_empty()
    }

    /// The threads in file order.
    pub fn iter(&self) -> impl ExactSizeIterator<Item = Thread<'a>> + 'a {
        let dump = self.dump;
        self.raw.iter().map(move |raw| Thread { raw, dump })
    }

    /// Thread `index`.
    pub fn get(&self, index: usize) -> Option<Thread<'a>> {
        self.raw.get(index).map(|raw| Thread { raw, dump: self.dump })
    }

    /// The first thread with id `thread_id`.
    pub fn by_id(&self, thread_id: u32) -> Option<Thread<'a>> {
        self.iter().find(|t| t.raw.thread_id.get() == thread_id)
    }
}

impl<'a> Thread<'a> {
    /// The thread id.
    pub fn id(&self) -> u32 {
        self.raw.thread_id.get()
    }

    /// The captured stack memory.
    pub fn stack(&self) -> Result<MemoryRegion<'a>> {
        MemoryRegion::from_descriptor(&self.dump, &self.raw.stack)
    }

    /// The thread's CPU context, chosen by the dump's architecture, the
    /// context flags and the size.
    pub fn context(&self) -> Result<Context<'a>> {
        self.dump.context(&self.raw.thread_context)
    }

    /// The AMD64 extended state (AVX, CET, ...) stored after the context, if
    /// any.
    pub fn xstate(&self) -> Result<Option<crate::xstate::XState<'a>>> {
        self.dump.xstate(&self.raw.thread_context)
    }
}

/// The ThreadExList stream.
#[derive(Clone, Copy, Debug)]
pub struct ThreadExList<'a> {
    raw: &'a [MinidumpThreadEx],
    dump: Minidump<'a>,
}

impl<'a> Stream<'a> for ThreadExList<'a> {
    const STREAM_TYPE: StreamType = StreamType::THREAD_EX_LIST;

    fn parse(bytes: Bytes<'a>, dump: &Minidump<'a>) -> Result<Self> {
        Ok(ThreadExList { raw: count_prefixed(bytes, "threads")?, dump: *dump })
    }
}

impl<'a> ThreadExList<'a> {
    /// The on-disk entries.
    pub fn raw(&self) -> &'a [MinidumpThreadEx] {
        self.raw
    }

    /// Stack memory of entry `index`.
    pub fn stack(&self, index: usize) -> Option<Result<MemoryRegion<'a>>> {
        self.raw.get(index).map(|t| MemoryRegion::from_descriptor(&self.dump, &t.stack))
    }

    /// Backing-store memory of entry `index`.
    pub fn backing_store(&self, index: usize) -> Option<Result<MemoryRegion<'a>>> {
        self.raw.get(index).map(|t| MemoryRegion::from_descriptor(&self.dump, &t.backing_store))
    }

    /// CPU context of entry `index`.
    pub fn context(&self, index: usize) -> Option<Result<Context<'a>>> {
        self.raw.get(index).map(|t| self.dump.context(&t.thread_context))
    }
}
