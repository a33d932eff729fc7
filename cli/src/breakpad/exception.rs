//! The Exception stream and Breakpad's AssertionInfo stream.
//!
//! Breakpad prints as many exception parameters as `number_parameters` says,
//! reading past the 15-entry array when it says more: the 16th "parameter"
//! is the context location descriptor that follows the array, the 17th the
//! (still null) context pointer of Breakpad's C++ object. Anything after that
//! is whatever the heap holds, which cannot be reproduced; we stop there.

use super::{context, read_struct, text, Session};
use mdump_format::assertion_info::AssertionInfo;
use mdump_format::exception::MinidumpExceptionStream;
use mdump_format::StreamType;
use std::io::{self, Write};

/// How many parameter lines can be reproduced (see the module comment).
const REPRODUCIBLE_PARAMETERS: u32 = 17;

/// The Exception stream and the faulting thread's context.
pub fn print_exception(s: &Session, out: &mut dyn Write) -> io::Result<()> {
    let Some(size) = s.seek_to_stream(StreamType::EXCEPTION) else {
        return Ok(());
    };
    if size as usize != core::mem::size_of::<MinidumpExceptionStream>() {
        return Ok(());
    }
    let Some(e) = read_struct!(s.io, MinidumpExceptionStream) else {
        return Ok(());
    };
    let r = &e.exception_record;
    writeln!(out, "MDException")?;
    writeln!(out, "  thread_id                                  = 0x{:x}", e.thread_id.get())?;
    writeln!(out, "  exception_record.exception_code            = 0x{:x}", r.exception_code.get())?;
    writeln!(out, "  exception_record.exception_flags           = 0x{:x}", r.exception_flags.get())?;
    writeln!(out, "  exception_record.exception_record          = 0x{:x}", r.exception_record.get())?;
    writeln!(out, "  exception_record.exception_address         = 0x{:x}", r.exception_address.get())?;
    let count = r.number_parameters.get();
    writeln!(out, "  exception_record.number_parameters         = {}", count as i32)?;
    let location = u64::from(e.thread_context.data_size.get()) | u64::from(e.thread_context.rva.get()) << 32;
    let parameters = r.exception_information.iter().map(|p| p.get()).chain([location, 0]);
    for (index, value) in parameters.enumerate().take(count.min(REPRODUCIBLE_PARAMETERS) as usize) {
        writeln!(out, "  exception_record.exception_information[{index:2}] = 0x{value:x}")?;
    }
    writeln!(out, "  thread_context.data_size                   = {}", e.thread_context.data_size.get() as i32)?;
    writeln!(out, "  thread_context.rva                         = 0x{:x}", e.thread_context.rva.get())?;
    context::print_at(s, &e.thread_context, out)
}

/// Breakpad's AssertionInfo stream (an invalid-parameter or pure-call
/// report).
pub fn print_assertion(s: &Session, out: &mut dyn Write) -> io::Result<()> {
    let Some(size) = s.seek_to_stream(StreamType::ASSERTION_INFO) else {
        return Ok(());
    };
    if size as usize != core::mem::size_of::<AssertionInfo>() {
        return Ok(());
    }
    let Some(a) = read_struct!(s.io, AssertionInfo) else {
        return Ok(());
    };
    writeln!(out, "MDAssertion")?;
    for (name, value) in [("expression", &a.expression[..]), ("function", &a.function[..]), ("file", &a.file[..])] {
        write!(out, "  {name:<42} = ")?;
        out.write_all(text::cstr(&text::utf16_field(value)))?;
        writeln!(out)?;
    }
    writeln!(out, "  line                                       = {}", a.line.get())?;
    writeln!(out, "  type                                       = {}", a.r#type.get())?;
    writeln!(out)
}
