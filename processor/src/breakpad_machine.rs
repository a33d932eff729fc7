//! Breakpad's machine-readable report, as `minidump_stackwalk -m` prints it
//! (`PrintProcessStateMachineReadable`): pipe-separated lines.
//!
//! ```text
//! OS|{name}|{version}
//! CPU|{name}|{info}|{count}
//! GPU|{version}|{vendor}|{renderer}
//! Crash|{reason}|{address}|{requesting thread}
//! Module|{file}|{version}|{debug file}|{debug id}|{base}|{last address}|{main}
//!
//! {thread}|{frame}|{module}|{function}|{source file}|{line}|{offset}
//! ```

use crate::process_state::{CallStack, ProcessState};
use std::io::{self, Write};

/// `text` without the separator and without newlines (Breakpad's
/// `StripSeparator`).
pub fn strip_separator(text: &str) -> String {
    text.chars().filter(|&c| c != '|' && c != '\n').collect()
}

/// Writes `process` in Breakpad's machine-readable format.
pub fn print_breakpad_machine(process: &ProcessState, out: &mut dyn Write) -> io::Result<()> {
    let s = &process.system;
    writeln!(out, "OS|{}|{}", strip_separator(&s.os), strip_separator(&s.os_version))?;
    writeln!(out, "CPU|{}|{}|{}", strip_separator(&s.cpu), strip_separator(&s.cpu_info), s.cpu_count)?;
    writeln!(
        out,
        "GPU|{}|{}|{}",
        strip_separator(&s.gl_version),
        strip_separator(&s.gl_vendor),
        strip_separator(&s.gl_renderer)
    )?;

    write!(out, "Crash|")?;
    if process.crashed {
        write!(out, "{}|0x{:x}|", strip_separator(&process.crash_reason), process.crash_address)?;
    } else {
        // The assertion, if any, stands in for the unhelpful "No crash".
        match process.assertion.as_deref().filter(|a| !a.is_empty()) {
            Some(assertion) => write!(out, "{}||", strip_separator(assertion))?,
            None => write!(out, "No crash||")?,
        }
    }
    let requesting = process.requesting_thread.filter(|&i| i < process.threads.len());
    match requesting {
        Some(index) => writeln!(out, "{index}")?,
        None => writeln!(out)?,
    }

    for m in &process.modules {
        writeln!(
            out,
            "Module|{}|{}|{}|{}|0x{:08x}|0x{:08x}|{}",
            strip_separator(m.code_file_name()),
            strip_separator(m.version.as_deref().unwrap_or("")),
            strip_separator(m.debug_file_name()),
            strip_separator(&m.debug_identifier),
            m.base,
            m.last_address(),
            u8::from(m.is_main)
        )?;
    }

    // A blank line starts the threads.
    writeln!(out)?;
    if let Some(index) = requesting {
        if let Some(stack) = process.threads.get(index) {
            print_stack(process, index, stack, out)?;
        }
    }
    for (index, stack) in process.threads.iter().enumerate() {
        if Some(index) != requesting {
            print_stack(process, index, stack, out)?;
        }
    }
    Ok(())
}

/// `thread|frame|module|function|file|line|offset` for each frame.
fn print_stack(process: &ProcessState, thread: usize, stack: &CallStack, out: &mut dyn Write) -> io::Result<()> {
    for (index, frame) in stack.frames.iter().enumerate() {
        write!(out, "{thread}|{index}|")?;
        let address = frame.return_address();
        match frame.module.and_then(|m| process.modules.get(m)) {
            None => write!(out, "||||0x{address:x}")?,
            Some(module) => {
                write!(out, "{}", strip_separator(module.code_file_name()))?;
                match frame.function_name.as_deref().filter(|f| !f.is_empty()) {
                    None => write!(out, "||||0x{:x}", address.wrapping_sub(module.base))?,
                    Some(function) => {
                        write!(out, "|{}", strip_separator(function))?;
                        match frame.source_file.as_deref().filter(|f| !f.is_empty()) {
                            Some(file) => write!(
                                out,
                                "|{}|{}|0x{:x}",
                                strip_separator(file),
                                frame.source_line.unwrap_or(0) as i32,
                                address.wrapping_sub(frame.source_line_base.unwrap_or(address))
                            )?,
                            None => {
                                write!(out, "|||0x{:x}", address.wrapping_sub(frame.function_base.unwrap_or(address)))?
                            }
                        }
                    }
                }
            }
        }
        writeln!(out)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn separators_and_newlines_are_removed() {
        assert_eq!(strip_separator("a|b\nc"), "abc");
        assert_eq!(strip_separator(""), "");
    }
}
