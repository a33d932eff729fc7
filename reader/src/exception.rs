//! The Exception stream.

use crate::bytes::Bytes;
use crate::context::Context;
use crate::error::Result;
use crate::minidump::{Minidump, Stream};
use mdump_format::exception::MinidumpExceptionStream;
use mdump_format::StreamType;

/// The Exception stream, viewed in place.
#[derive(Clone, Copy, Debug)]
pub struct Exception<'a> {
    /// The on-disk structure.
    pub raw: &'a MinidumpExceptionStream,
    dump: Minidump<'a>,
}

impl<'a> Stream<'a> for Exception<'a> {
    const STREAM_TYPE: StreamType = StreamType::EXCEPTION;

    fn parse(bytes: Bytes<'a>, dump: &Minidump<'a>) -> Result<Self> {
        Ok(Exception { raw: bytes.read(0)?, dump: *dump })
    }
}

impl<'a> Exception<'a> {
    /// Id of the thread that faulted.
    pub fn thread_id(&self) -> u32 {
        self.raw.thread_id.get()
    }

    /// The exception code (NTSTATUS, signal number or Mach exception type).
    pub fn code(&self) -> u32 {
        self.raw.exception_record.exception_code.get()
    }

    /// The exception address (Linux: the fault address).
    pub fn address(&self) -> u64 {
        self.raw.exception_record.exception_address.get()
    }

    /// The used parameters (at most 15, whatever `number_parameters` claims).
    pub fn parameters(&self) -> impl Iterator<Item = u64> + 'a {
        let n = self.raw.exception_record.number_parameters.get().min(15) as usize;
        self.raw.exception_record.exception_information[..n].iter().map(|p| p.get())
    }

    /// The faulting thread's context at the time of the exception.
    pub fn context(&self) -> Result<Context<'a>> {
        self.dump.context(&self.raw.thread_context)
    }
}
