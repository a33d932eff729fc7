//! What can go wrong while capturing.

use std::fmt;

/// A capture failed; the message says what and, for parse errors, where.
#[derive(Debug)]
pub enum CaptureError {
    /// A system call failed: which, on what, and the OS error.
    Os {
        /// What was being done ("ptrace(SEIZE) of thread 1234", ...).
        what: String,
        /// The error the kernel returned.
        error: std::io::Error,
    },
    /// The process or thread does not exist (or vanished).
    NoSuchProcess(i32),
    /// The in-process handler is not installed (`write_dump_now` needs it).
    NotInstalled,
    /// The helper process did not answer or reported a failure.
    Helper(String),
    /// Writing the dump failed.
    Write(mdump_writer::WriteError),
    /// Anything else, in words.
    Other(String),
}

impl CaptureError {
    /// An OS error from `errno` with what was being done.
    pub(crate) fn last_os(what: impl Into<String>) -> CaptureError {
        CaptureError::Os { what: what.into(), error: std::io::Error::last_os_error() }
    }

    /// An OS error from a given error with what was being done.
    pub(crate) fn os(what: impl Into<String>, error: std::io::Error) -> CaptureError {
        CaptureError::Os { what: what.into(), error }
    }
}

impl fmt::Display for CaptureError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CaptureError::Os { what, error } => write!(f, "{what}: {error}"),
            CaptureError::NoSuchProcess(pid) => write!(f, "no process or thread {pid}"),
            CaptureError::NotInstalled => {
                f.write_str("the crash handler is not installed (call mdump_capture::install)")
            }
            CaptureError::Helper(m) => write!(f, "dump helper process: {m}"),
            CaptureError::Write(e) => write!(f, "writing the dump: {e}"),
            CaptureError::Other(m) => f.write_str(m),
        }
    }
}

impl std::error::Error for CaptureError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            CaptureError::Os { error, .. } => Some(error),
            CaptureError::Write(e) => Some(e),
            _ => None,
        }
    }
}

impl From<mdump_writer::WriteError> for CaptureError {
    fn from(e: mdump_writer::WriteError) -> CaptureError {
        CaptureError::Write(e)
    }
}
