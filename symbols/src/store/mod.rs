//! Finding Breakpad symbol files: local directory trees and HTTP symbol
//! servers, with an on-disk cache for what the servers answered.
//!
//! # Layout
//!
//! Every source uses Breakpad's `SimpleSymbolSupplier` layout:
//!
//! ```text
//! ROOT/DEBUG_FILE/DEBUG_ID/SYM_NAME
//! ```
//!
//! where `DEBUG_FILE` is the module's debug file name without any directory
//! (both `/` and `\` separate directories, as in Breakpad's
//! `PathnameStripper`), `DEBUG_ID` is the module's debug identifier as given,
//! and `SYM_NAME` is `DEBUG_FILE` with a final `.pdb` (any case) removed, plus
//! `.sym`:
//!
//! ```text
//! kernel32.pdb/BCE8785C57B44245A669896B6A19B9542/kernel32.sym
//! libc-2.13.so/F4F8DFCD5A5FB5A7CE64717E9E6AE3890/libc-2.13.so.sym
//! ```
//!
//! [`SymbolKey`] computes these names and refuses any that could leave the
//! root (`..`, drive prefixes, control characters, identifiers that are not
//! plain ASCII letters and digits).
//!
//! # Sources and order
//!
//! A [`SymbolStore`] asks its sources in the order they were given and the
//! first one that has the file wins. A local root is a directory in the
//! layout above. An HTTP source is a base URL: the store sends
//! `GET {base}/{DEBUG_FILE}/{DEBUG_ID}/{SYM_NAME}` (each part percent-encoded)
//! and keeps what it learns in its cache directory:
//!
//! * `200` with a body that starts with `MODULE ` is written to the cache
//!   (into a temporary file beside its final name, renamed into place only
//!   when complete) and returned; later lookups of the same module are served
//!   from the cache without any network traffic, whichever HTTP source
//!   downloaded it.
//! * `404` or `410` is a miss. The miss is remembered per server in a marker
//!   file beside where the symbol file would be, so that server is not asked
//!   again for that module until the marker is older than
//!   [`SymbolStoreBuilder::miss_expiry`] (24 hours by default).
//! * Anything else (another status, a connection or TLS failure, a timeout, a
//!   body that is cut short, larger than
//!   [`SymbolStoreBuilder::max_download_size`] or not a symbol file) caches
//!   nothing. The store goes on with the next source; if none has the file,
//!   [`SymbolStore::locate`] returns the first such error rather than
//!   `Ok(None)`, because "not found" could not be established.
//!
//! The cache directory is itself in the Breakpad layout, so it can be used as
//! a local root by other tools. Miss markers are named
//! `SYM_NAME.<16 hex digits>.miss` (a hash of the server's base URL);
//! temporary files start with `.` and end in `.tmp`.
//!
//! # HTTP client
//!
//! Downloads use `ureq` (blocking, HTTP/1.1) with `https://` through rustls
//! and the Mozilla root certificates (webpki-roots), redirects followed (at
//! most 10), proxies taken from the usual environment variables unless
//! [`SymbolStoreBuilder::proxy_from_env`] turns that off, and no compression
//! asked for.
//!
//! ```no_run
//! use mdump_symbols::store::SymbolStore;
//!
//! let store = SymbolStore::builder()
//!     .source("/srv/symbols")
//!     .source("https://symbols.example.com/breakpad")
//!     .build()?;
//! if let Some(found) = store.locate("C:\\build\\app.pdb", "5A9832E5287241C1838ED98914E9B7FF1")? {
//!     println!("{}", found.path.display());
//! }
//! # Ok::<(), mdump_symbols::store::StoreError>(())
//! ```

mod cache;
mod http;
mod local;

use std::fmt;
use std::io;
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::time::Duration;

use cache::Cache;
use http::{Fetcher, HttpSource};

/// The longest debug file name (after directories are removed) a key
/// accepts, in bytes: with `.sym`, a miss marker's or a temporary file's
/// suffix it still fits the usual 255-byte limit on a file name.
pub const MAX_NAME_LEN: usize = 200;

/// The longest debug identifier a key accepts, in bytes. Breakpad's are 33
/// hexadecimal digits (a GUID or build id and an age); 64 leaves room for
/// wider ages.
pub const MAX_ID_LEN: usize = 64;

/// Default for [`SymbolStoreBuilder::miss_expiry`]: 24 hours.
pub const DEFAULT_MISS_EXPIRY: Duration = Duration::from_secs(24 * 60 * 60);

/// Default for [`SymbolStoreBuilder::connect_timeout`]: 10 seconds.
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// Default for [`SymbolStoreBuilder::read_timeout`]: 30 seconds.
pub const DEFAULT_READ_TIMEOUT: Duration = Duration::from_secs(30);

/// Default for [`SymbolStoreBuilder::max_download_size`]: 2 GiB.
pub const DEFAULT_MAX_DOWNLOAD: u64 = 2 << 30;

/// Where symbol files are looked for: a local directory tree or an HTTP
/// symbol server, both in Breakpad's layout.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SymbolSource {
    /// A directory holding `DEBUG_FILE/DEBUG_ID/SYM_NAME`.
    Local(PathBuf),
    /// The base URL of a symbol server (`http://` or `https://`), without a
    /// trailing `/`.
    Http(String),
}

impl SymbolSource {
    /// Reads a source as a user would write it: a string starting with
    /// `http://` or `https://` (in any case) is a server, anything else a
    /// directory. Trailing slashes of a URL are dropped.
    pub fn parse(s: &str) -> SymbolSource {
        if has_http_scheme(s) {
            SymbolSource::Http(s.trim_end_matches('/').to_string())
        } else {
            SymbolSource::Local(PathBuf::from(s))
        }
    }
}

fn has_http_scheme(s: &str) -> bool {
    let starts = |prefix: &str| s.get(..prefix.len()).is_some_and(|head| head.eq_ignore_ascii_case(prefix));
    starts("http://") || starts("https://")
}

impl FromStr for SymbolSource {
    type Err = std::convert::Infallible;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Ok(SymbolSource::parse(s))
    }
}

impl From<&str> for SymbolSource {
    fn from(s: &str) -> Self {
        SymbolSource::parse(s)
    }
}

impl From<String> for SymbolSource {
    fn from(s: String) -> Self {
        SymbolSource::parse(&s)
    }
}

/// A path is always a directory, even one whose text looks like a URL.
impl From<PathBuf> for SymbolSource {
    fn from(p: PathBuf) -> Self {
        SymbolSource::Local(p)
    }
}

/// A path is always a directory, even one whose text looks like a URL.
impl From<&Path> for SymbolSource {
    fn from(p: &Path) -> Self {
        SymbolSource::Local(p.to_path_buf())
    }
}

impl fmt::Display for SymbolSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SymbolSource::Local(p) => write!(f, "{}", p.display()),
            SymbolSource::Http(u) => f.write_str(u),
        }
    }
}

/// The names one module's symbol file has in Breakpad's layout, checked so
/// that none of them can leave the root they are joined to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SymbolKey {
    debug_file: String,
    debug_id: String,
    sym_name: String,
}

impl SymbolKey {
    /// The key for a module's debug file name (a path of either kind is cut
    /// to its last component) and debug identifier.
    ///
    /// Refused with [`StoreError::InvalidKey`]: an empty name or identifier,
    /// a name that is `.` or `..` or holds `:` (a Windows drive or stream) or
    /// a control character, a name longer than [`MAX_NAME_LEN`], and an
    /// identifier that is not 1 to [`MAX_ID_LEN`] ASCII letters and digits.
    pub fn new(debug_file: &str, debug_id: &str) -> Result<SymbolKey, StoreError> {
        let invalid = |reason: &'static str| StoreError::InvalidKey {
            debug_file: debug_file.to_string(),
            debug_id: debug_id.to_string(),
            reason,
        };
        let name = basename(debug_file);
        if name.is_empty() {
            return Err(invalid("the debug file name is empty"));
        }
        if name == "." || name == ".." {
            return Err(invalid("the debug file name is a relative directory"));
        }
        if name.len() > MAX_NAME_LEN {
            return Err(invalid("the debug file name is too long"));
        }
        if name.chars().any(|c| c == ':' || c.is_control()) {
            return Err(invalid("the debug file name holds ':' or a control character"));
        }
        if debug_id.is_empty() || debug_id.len() > MAX_ID_LEN {
            return Err(invalid("the debug identifier is empty or too long"));
        }
        if !debug_id.bytes().all(|b| b.is_ascii_alphanumeric()) {
            return Err(invalid("the debug identifier is not only ASCII letters and digits"));
        }
        Ok(SymbolKey { debug_file: name.to_string(), debug_id: debug_id.to_string(), sym_name: sym_name(name) })
    }

    /// The directory name for the module: the debug file's base name.
    pub fn debug_file(&self) -> &str {
        &self.debug_file
    }

    /// The directory name for the build: the debug identifier.
    pub fn debug_id(&self) -> &str {
        &self.debug_id
    }

    /// The symbol file's name: the base name without `.pdb`, plus `.sym`.
    pub fn sym_name(&self) -> &str {
        &self.sym_name
    }

    /// `DEBUG_FILE/DEBUG_ID/SYM_NAME` as a relative path.
    pub fn relative_path(&self) -> PathBuf {
        [self.debug_file.as_str(), self.debug_id.as_str(), self.sym_name.as_str()].iter().collect()
    }

    /// `DEBUG_FILE/DEBUG_ID/SYM_NAME` with each part percent-encoded, for a
    /// URL (no leading `/`).
    pub fn url_path(&self) -> String {
        format!(
            "{}/{}/{}",
            percent_encode(&self.debug_file),
            percent_encode(&self.debug_id),
            percent_encode(&self.sym_name)
        )
    }
}

/// Breakpad's `PathnameStripper::File`: what follows the last `/` or `\`.
fn basename(path: &str) -> &str {
    match path.rfind(['/', '\\']) {
        Some(i) => path.get(i + 1..).unwrap_or(""),
        None => path,
    }
}

/// Breakpad's rule: a name longer than 4 bytes ending in `.pdb` (any case)
/// loses it; `.sym` is appended.
fn sym_name(name: &str) -> String {
    let stem = match name.len().checked_sub(4).and_then(|cut| name.get(cut..).map(|ext| (cut, ext))) {
        Some((cut, ext)) if cut > 0 && ext.eq_ignore_ascii_case(".pdb") => name.get(..cut).unwrap_or(name),
        _ => name,
    };
    format!("{stem}.sym")
}

/// Percent-encodes every byte outside RFC 3986's unreserved set.
fn percent_encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// How a symbol file was found.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Origin {
    /// In a local root.
    Local,
    /// In the cache, from an earlier download; no request was made.
    Cache,
    /// Downloaded now from a server and written to the cache.
    Download,
}

/// A symbol file that was found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SymbolLocation {
    /// The file on disk: in a local root or in the cache.
    pub path: PathBuf,
    /// Index into [`SymbolStore::sources`] of the source that answered. For
    /// [`Origin::Cache`] it is the first HTTP source, where the cache shared
    /// by all of them is looked at.
    pub source: usize,
    /// Whether the file came from a root, the cache or the network.
    pub origin: Origin,
}

impl SymbolLocation {
    /// Reads the whole symbol file.
    pub fn read(&self) -> Result<Vec<u8>, StoreError> {
        std::fs::read(&self.path).map_err(|e| StoreError::Io { path: self.path.clone(), source: e })
    }
}

/// What went wrong talking to a symbol server.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum HttpErrorKind {
    /// A connect, read or total timeout expired.
    Timeout,
    /// No connection: refused, unreachable, the host name did not resolve.
    Connect,
    /// TLS failed (handshake, certificate).
    Tls,
    /// The server answered with a status that is neither success nor a miss.
    Status(u16),
    /// The body (or its announced length) is larger than the limit, in bytes.
    TooLarge(u64),
    /// The connection ended before the announced body was complete.
    Truncated,
    /// A `200` whose body does not start with `MODULE `.
    NotSymbolFile,
    /// Anything else: bad URL, protocol error, too many redirects.
    Other,
}

/// Errors of [`SymbolStore`].
#[derive(Debug)]
#[non_exhaustive]
pub enum StoreError {
    /// The debug file name or identifier cannot be used as a path.
    InvalidKey {
        /// The debug file name as given.
        debug_file: String,
        /// The debug identifier as given.
        debug_id: String,
        /// Which rule it breaks.
        reason: &'static str,
    },
    /// HTTP sources were given but no cache directory was, and there is no
    /// per-user cache directory (no `XDG_CACHE_HOME`, `HOME` or
    /// `LOCALAPPDATA`).
    NoCacheDir,
    /// A file or directory could not be read or written.
    Io {
        /// The path concerned.
        path: PathBuf,
        /// The error.
        source: io::Error,
    },
    /// A request to a symbol server failed.
    Http {
        /// The URL requested.
        url: String,
        /// What kind of failure.
        kind: HttpErrorKind,
        /// The client's description.
        detail: String,
    },
}

impl StoreError {
    /// Whether this is an HTTP timeout.
    pub fn is_timeout(&self) -> bool {
        matches!(self, StoreError::Http { kind: HttpErrorKind::Timeout, .. })
    }
}

impl fmt::Display for StoreError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            StoreError::InvalidKey { debug_file, debug_id, reason } => {
                write!(f, "refusing symbol lookup for {debug_file:?} / {debug_id:?}: {reason}")
            }
            StoreError::NoCacheDir => {
                f.write_str("no cache directory for downloaded symbols (set XDG_CACHE_HOME or HOME)")
            }
            StoreError::Io { path, source } => write!(f, "{}: {source}", path.display()),
            StoreError::Http { url, kind, detail } => match kind {
                HttpErrorKind::Status(code) => write!(f, "{url}: HTTP status {code}"),
                HttpErrorKind::TooLarge(limit) => write!(f, "{url}: larger than the {limit}-byte limit"),
                HttpErrorKind::NotSymbolFile => write!(f, "{url}: not a Breakpad symbol file"),
                _ => write!(f, "{url}: {detail}"),
            },
        }
    }
}

impl std::error::Error for StoreError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            StoreError::Io { source, .. } => Some(source),
            _ => None,
        }
    }
}

/// The per-user cache directory for downloaded symbols:
/// `$XDG_CACHE_HOME/mdump/symbols`, else `$HOME/.cache/mdump/symbols`, else
/// (Windows) `%LOCALAPPDATA%\mdump\symbols`. Relative values are ignored.
pub fn default_cache_dir() -> Option<PathBuf> {
    let absolute = |var: &str| std::env::var_os(var).map(PathBuf::from).filter(|p| p.is_absolute());
    let base = absolute("XDG_CACHE_HOME")
        .or_else(|| absolute("HOME").map(|h| h.join(".cache")))
        .or_else(|| absolute("LOCALAPPDATA"))?;
    Some(base.join("mdump").join("symbols"))
}

/// Settings for a [`SymbolStore`]; from [`SymbolStore::builder`].
#[derive(Clone, Debug)]
pub struct SymbolStoreBuilder {
    sources: Vec<SymbolSource>,
    cache_dir: Option<PathBuf>,
    miss_expiry: Duration,
    connect_timeout: Duration,
    read_timeout: Duration,
    total_timeout: Option<Duration>,
    max_download: u64,
    proxy_from_env: bool,
}

impl Default for SymbolStoreBuilder {
    fn default() -> Self {
        SymbolStoreBuilder {
            sources: Vec::new(),
            cache_dir: None,
            miss_expiry: DEFAULT_MISS_EXPIRY,
            connect_timeout: DEFAULT_CONNECT_TIMEOUT,
            read_timeout: DEFAULT_READ_TIMEOUT,
            total_timeout: None,
            max_download: DEFAULT_MAX_DOWNLOAD,
            proxy_from_env: true,
        }
    }
}

impl SymbolStoreBuilder {
    /// Adds a source after those already added (a `&str`/`String` is read
    /// by [`SymbolSource::parse`], a `PathBuf`/`&Path` is a directory).
    pub fn source(mut self, source: impl Into<SymbolSource>) -> Self {
        self.sources.push(source.into());
        self
    }

    /// Adds several sources, in order.
    pub fn sources<S: Into<SymbolSource>>(mut self, sources: impl IntoIterator<Item = S>) -> Self {
        self.sources.extend(sources.into_iter().map(Into::into));
        self
    }

    /// Where downloads and remembered misses are kept (created when first
    /// needed). Default: [`default_cache_dir`].
    pub fn cache_dir(mut self, dir: impl Into<PathBuf>) -> Self {
        self.cache_dir = Some(dir.into());
        self
    }

    /// How long a server's miss is believed: while its marker is younger,
    /// that server is not asked again for that module. Zero asks every time
    /// (markers are still written). Default [`DEFAULT_MISS_EXPIRY`].
    pub fn miss_expiry(mut self, expiry: Duration) -> Self {
        self.miss_expiry = expiry;
        self
    }

    /// Limit on resolving the host name, and again on establishing the
    /// connection, TLS included. Default [`DEFAULT_CONNECT_TIMEOUT`].
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = timeout;
        self
    }

    /// Limit on each read from the network (response headers and body): a
    /// server that goes silent this long fails the request. Default
    /// [`DEFAULT_READ_TIMEOUT`].
    pub fn read_timeout(mut self, timeout: Duration) -> Self {
        self.read_timeout = timeout;
        self
    }

    /// Limit on a whole request, redirects and body included. Default
    /// `None`: large files on slow links are allowed as long as data keeps
    /// coming within [`read_timeout`](Self::read_timeout).
    pub fn total_timeout(mut self, timeout: Option<Duration>) -> Self {
        self.total_timeout = timeout;
        self
    }

    /// The largest symbol file downloaded, in bytes; a larger announced
    /// length is refused before reading, a longer body when it passes the
    /// limit. Default [`DEFAULT_MAX_DOWNLOAD`] (2 GiB).
    pub fn max_download_size(mut self, bytes: u64) -> Self {
        self.max_download = bytes;
        self
    }

    /// Whether `HTTP_PROXY`/`HTTPS_PROXY`/`ALL_PROXY`/`NO_PROXY` are obeyed.
    /// Default `true`.
    pub fn proxy_from_env(mut self, yes: bool) -> Self {
        self.proxy_from_env = yes;
        self
    }

    /// The store. Fails only with [`StoreError::NoCacheDir`]: HTTP sources
    /// without a cache directory given or found.
    pub fn build(self) -> Result<SymbolStore, StoreError> {
        let mut servers = Vec::new();
        for source in &self.sources {
            if let SymbolSource::Http(base) = source {
                servers.push(HttpSource::new(base));
            }
        }
        let remote = if servers.is_empty() {
            None
        } else {
            let dir = match self.cache_dir {
                Some(dir) => dir,
                None => default_cache_dir().ok_or(StoreError::NoCacheDir)?,
            };
            let fetcher = Fetcher::new(
                self.connect_timeout,
                self.read_timeout,
                self.total_timeout,
                self.max_download,
                self.proxy_from_env,
            );
            Some(Remote { cache: Cache::new(dir, self.miss_expiry), fetcher })
        };
        let mut next_server = servers.into_iter();
        let plan = self
            .sources
            .iter()
            .filter_map(|s| match s {
                SymbolSource::Local(root) => Some(Plan::Local(root.clone())),
                SymbolSource::Http(_) => next_server.next().map(Plan::Http),
            })
            .collect();
        Ok(SymbolStore { sources: self.sources, plan, remote })
    }
}

/// One source, ready to be asked.
#[derive(Debug)]
enum Plan {
    Local(PathBuf),
    Http(HttpSource),
}

/// The cache and client, present when there is an HTTP source.
#[derive(Debug)]
struct Remote {
    cache: Cache,
    fetcher: Fetcher,
}

/// Looks up Breakpad symbol files in local roots and on symbol servers; see
/// the [module documentation](self). `Send + Sync`: one store can serve many
/// threads (each lookup makes its own requests; connections are pooled).
#[derive(Debug)]
pub struct SymbolStore {
    sources: Vec<SymbolSource>,
    plan: Vec<Plan>,
    remote: Option<Remote>,
}

impl SymbolStore {
    /// Settings to build a store from.
    pub fn builder() -> SymbolStoreBuilder {
        SymbolStoreBuilder::default()
    }

    /// A store with default settings over these sources, in order (strings
    /// are read by [`SymbolSource::parse`]).
    pub fn from_sources<S: Into<SymbolSource>>(
        sources: impl IntoIterator<Item = S>,
    ) -> Result<SymbolStore, StoreError> {
        SymbolStore::builder().sources(sources).build()
    }

    /// The sources, in the order they are asked.
    pub fn sources(&self) -> &[SymbolSource] {
        &self.sources
    }

    /// The cache directory, when there are HTTP sources.
    pub fn cache_dir(&self) -> Option<&Path> {
        self.remote.as_ref().map(|r| r.cache.dir())
    }

    /// Finds the symbol file of the module with this debug file name (a
    /// path of either kind is fine: only its last component is used) and
    /// debug identifier.
    ///
    /// `Ok(None)` means every source was asked (or its remembered miss is
    /// still fresh) and none has it. An error means the key was refused, or
    /// some source failed and no later one had the file.
    pub fn locate(&self, debug_file: &str, debug_id: &str) -> Result<Option<SymbolLocation>, StoreError> {
        let key = SymbolKey::new(debug_file, debug_id)?;
        let mut first_error = None;
        let mut cache_checked = false;
        for (index, plan) in self.plan.iter().enumerate() {
            let found = match plan {
                Plan::Local(root) => local::find(root, &key).map(|hit| hit.map(|path| (path, Origin::Local))),
                Plan::Http(server) => match &self.remote {
                    Some(remote) => remote.ask(server, &key, &mut cache_checked),
                    None => Ok(None),
                },
            };
            match found {
                Ok(Some((path, origin))) => return Ok(Some(SymbolLocation { path, source: index, origin })),
                Ok(None) => {}
                Err(e) => {
                    first_error.get_or_insert(e);
                }
            }
        }
        match first_error {
            Some(e) => Err(e),
            None => Ok(None),
        }
    }

    /// [`locate`](Self::locate), then the file's bytes.
    pub fn load(&self, debug_file: &str, debug_id: &str) -> Result<Option<Vec<u8>>, StoreError> {
        match self.locate(debug_file, debug_id)? {
            Some(found) => found.read().map(Some),
            None => Ok(None),
        }
    }
}

impl Remote {
    /// One HTTP source: the shared cache (once per lookup), then this
    /// server's remembered miss, then the network.
    fn ask(
        &self,
        server: &HttpSource,
        key: &SymbolKey,
        cache_checked: &mut bool,
    ) -> Result<Option<(PathBuf, Origin)>, StoreError> {
        if !*cache_checked {
            *cache_checked = true;
            if let Some(path) = self.cache.hit(key)? {
                return Ok(Some((path, Origin::Cache)));
            }
        }
        if self.cache.miss_is_fresh(key, server.tag()) {
            return Ok(None);
        }
        match self.fetcher.fetch(server, key, &self.cache)? {
            Some(path) => {
                self.cache.forget_miss(key, server.tag());
                Ok(Some((path, Origin::Download)))
            }
            None => {
                // Failing to remember a miss costs only a later request.
                let _ = self.cache.record_miss(key, server.tag(), &server.url(key));
                Ok(None)
            }
        }
    }
}
