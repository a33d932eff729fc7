//! Local roots: a plain file check in Breakpad's layout.

use std::io::ErrorKind;
use std::path::{Path, PathBuf};

use super::{StoreError, SymbolKey};

/// `root/DEBUG_FILE/DEBUG_ID/SYM_NAME` if it is a file (symbolic links
/// followed). A missing file or directory on the way is `None`; other
/// failures (permissions) are errors.
pub(super) fn find(root: &Path, key: &SymbolKey) -> Result<Option<PathBuf>, StoreError> {
    let path = root.join(key.relative_path());
    match std::fs::metadata(&path) {
        Ok(meta) if meta.is_file() => Ok(Some(path)),
        Ok(_) => Ok(None),
        Err(e) if matches!(e.kind(), ErrorKind::NotFound | ErrorKind::NotADirectory) => Ok(None),
        Err(e) => Err(StoreError::Io { path, source: e }),
    }
}
