//! The download cache: symbol files in Breakpad's layout, per-server miss
//! markers beside them, and temporary files renamed into place when whole.

use std::fs::{self, File, OpenOptions};
use std::io::{self, ErrorKind, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use super::{local, StoreError, SymbolKey};

/// Distinguishes temporary files of one process.
static TEMP_COUNTER: AtomicU64 = AtomicU64::new(0);

/// A cache directory and how long misses recorded in it are believed.
#[derive(Debug)]
pub(super) struct Cache {
    dir: PathBuf,
    miss_expiry: Duration,
}

impl Cache {
    pub(super) fn new(dir: PathBuf, miss_expiry: Duration) -> Cache {
        Cache { dir, miss_expiry }
    }

    pub(super) fn dir(&self) -> &Path {
        &self.dir
    }

    /// `DIR/DEBUG_FILE/DEBUG_ID`.
    fn entry_dir(&self, key: &SymbolKey) -> PathBuf {
        self.dir.join(key.debug_file()).join(key.debug_id())
    }

    /// `DIR/DEBUG_FILE/DEBUG_ID/SYM_NAME.TAG.miss`.
    fn marker(&self, key: &SymbolKey, tag: &str) -> PathBuf {
        self.entry_dir(key).join(format!("{}.{tag}.miss", key.sym_name()))
    }

    /// The cached symbol file, if there is one.
    pub(super) fn hit(&self, key: &SymbolKey) -> Result<Option<PathBuf>, StoreError> {
        local::find(&self.dir, key)
    }

    /// Whether the server with this tag said "not found" less than the
    /// expiry ago. A marker that cannot be read or parsed, or is dated in
    /// the future, counts as expired.
    pub(super) fn miss_is_fresh(&self, key: &SymbolKey, tag: &str) -> bool {
        if self.miss_expiry.is_zero() {
            return false;
        }
        let Ok(text) = fs::read_to_string(self.marker(key, tag)) else {
            return false;
        };
        let Some(millis) = text.lines().next().and_then(|line| line.trim().parse::<u64>().ok()) else {
            return false;
        };
        let stamp = UNIX_EPOCH + Duration::from_millis(millis);
        match SystemTime::now().duration_since(stamp) {
            Ok(age) => age < self.miss_expiry,
            Err(_) => false,
        }
    }

    /// Writes (or refreshes) the server's miss marker: the time in
    /// milliseconds since the Unix epoch, then the URL asked.
    pub(super) fn record_miss(&self, key: &SymbolKey, tag: &str, url: &str) -> Result<(), StoreError> {
        let millis = SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_millis());
        let mut file = PendingFile::create(self.entry_dir(key), self.marker(key, tag))?;
        file.write_all(format!("{millis}\n{url}\n").as_bytes())?;
        // Not synced: a marker lost or damaged in a crash only costs a request.
        file.durable = false;
        file.commit().map(|_| ())
    }

    /// Removes the server's miss marker, if any.
    pub(super) fn forget_miss(&self, key: &SymbolKey, tag: &str) {
        let _ = fs::remove_file(self.marker(key, tag));
    }

    /// A temporary file that becomes the cached symbol file on
    /// [`PendingFile::commit`].
    pub(super) fn begin(&self, key: &SymbolKey) -> Result<PendingFile, StoreError> {
        let dir = self.entry_dir(key);
        let dest = dir.join(key.sym_name());
        PendingFile::create(dir, dest)
    }
}

/// A file being written under a temporary name in its final directory.
/// Dropped without [`commit`](Self::commit), it is removed.
#[derive(Debug)]
pub(super) struct PendingFile {
    file: Option<File>,
    temp: PathBuf,
    dest: PathBuf,
    /// Whether commit syncs the data to disk before the rename.
    durable: bool,
    committed: bool,
}

impl PendingFile {
    /// Creates `dir` if needed and a new temporary file `.NAME.PID.N.tmp`
    /// in it, where NAME is the destination's file name.
    fn create(dir: PathBuf, dest: PathBuf) -> Result<PendingFile, StoreError> {
        fs::create_dir_all(&dir).map_err(|e| StoreError::Io { path: dir.clone(), source: e })?;
        let name = dest.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        let mut attempts = 0;
        loop {
            let n = TEMP_COUNTER.fetch_add(1, Ordering::Relaxed);
            let temp = dir.join(format!(".{name}.{}.{n}.tmp", std::process::id()));
            match OpenOptions::new().write(true).create_new(true).open(&temp) {
                Ok(file) => return Ok(PendingFile { file: Some(file), temp, dest, durable: true, committed: false }),
                // A leftover of a process that had the same id: take another name.
                Err(e) if e.kind() == ErrorKind::AlreadyExists && attempts < 16 => attempts += 1,
                Err(e) => return Err(StoreError::Io { path: temp, source: e }),
            }
        }
    }

    pub(super) fn write_all(&mut self, data: &[u8]) -> Result<(), StoreError> {
        let result = match &mut self.file {
            Some(file) => file.write_all(data),
            None => Err(io::Error::other("already committed")),
        };
        result.map_err(|e| StoreError::Io { path: self.temp.clone(), source: e })
    }

    /// Flushes the data to disk (unless not durable) and renames the file
    /// into place, replacing any file of that name: a crash leaves either
    /// the old file or the whole new one, never a part. Returns the final
    /// path.
    pub(super) fn commit(mut self) -> Result<PathBuf, StoreError> {
        let temp = self.temp.clone();
        let io = |e| StoreError::Io { path: temp.clone(), source: e };
        if let Some(file) = self.file.take() {
            if self.durable {
                file.sync_all().map_err(io)?;
            }
        }
        fs::rename(&self.temp, &self.dest).map_err(io)?;
        self.committed = true;
        Ok(self.dest.clone())
    }
}

impl Drop for PendingFile {
    fn drop(&mut self) {
        self.file = None;
        if !self.committed {
            let _ = fs::remove_file(&self.temp);
        }
    }
}
