//! Writer errors.

use core::fmt;

/// Why a dump (or a part of it) could not be written.
#[derive(Debug)]
#[non_exhaustive]
pub enum WriteError {
    /// The output failed.
    Io(std::io::Error),
    /// More streams than the directory was sized for.
    DirectoryFull {
        /// The directory's capacity.
        capacity: usize,
    },
    /// Something would land beyond the 4 GiB that 32-bit RVAs reach; large
    /// memory belongs in the Memory64List, which is written last.
    PastFourGiB {
        /// What was being written.
        what: &'static str,
    },
    /// The caller used the writer out of order (e.g. a stream after the
    /// Memory64List, whose memory must end the file).
    Order(&'static str),
    /// A value does not fit its on-disk field.
    TooLarge(&'static str),
}

impl fmt::Display for WriteError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            WriteError::Io(e) => write!(f, "writing the dump: {e}"),
            WriteError::DirectoryFull { capacity } => write!(f, "more than {capacity} streams"),
            WriteError::PastFourGiB { what } => write!(f, "{what} would start beyond 4 GiB"),
            WriteError::Order(why) => write!(f, "writer used out of order: {why}"),
            WriteError::TooLarge(what) => write!(f, "{what} is too large for its field"),
        }
    }
}

impl std::error::Error for WriteError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            WriteError::Io(e) => Some(e),
            _ => None,
        }
    }
}

impl From<std::io::Error> for WriteError {
    fn from(e: std::io::Error) -> Self {
        WriteError::Io(e)
    }
}

/// The writer's result type.
pub type Result<T, E = WriteError> = core::result::Result<T, E>;
