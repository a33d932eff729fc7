//! Symbol servers: one GET per lookup, the body streamed into the cache.

use std::io::{ErrorKind, Read};
use std::path::PathBuf;
use std::time::Duration;

use super::cache::Cache;
use super::{HttpErrorKind, StoreError, SymbolKey};

/// Every Breakpad symbol file starts with its MODULE record.
const MAGIC: &[u8] = b"MODULE ";

/// Bytes read from the network at a time.
const CHUNK: usize = 64 * 1024;

/// A server's base URL and the tag naming its miss markers.
#[derive(Debug)]
pub(super) struct HttpSource {
    base: String,
    tag: String,
}

impl HttpSource {
    pub(super) fn new(base: &str) -> HttpSource {
        let base = base.trim_end_matches('/').to_string();
        let tag = format!("{:016x}", fnv1a64(base.as_bytes()));
        HttpSource { base, tag }
    }

    /// 16 hexadecimal digits that stand for the base URL in file names.
    pub(super) fn tag(&self) -> &str {
        &self.tag
    }

    /// `BASE/DEBUG_FILE/DEBUG_ID/SYM_NAME`.
    pub(super) fn url(&self, key: &SymbolKey) -> String {
        format!("{}/{}", self.base, key.url_path())
    }
}

/// FNV-1a, 64 bits: a stable hash for marker names (not for security).
fn fnv1a64(data: &[u8]) -> u64 {
    data.iter().fold(0xcbf2_9ce4_8422_2325, |h, &b| (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3))
}

/// The HTTP client and the download limit.
#[derive(Debug)]
pub(super) struct Fetcher {
    agent: ureq::Agent,
    max_download: u64,
}

/// Which part of the exchange an error came from.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Phase {
    Request,
    Body,
}

impl Fetcher {
    pub(super) fn new(
        connect: Duration,
        read: Duration,
        total: Option<Duration>,
        max_download: u64,
        proxy_from_env: bool,
    ) -> Fetcher {
        let mut config = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .timeout_resolve(Some(connect))
            .timeout_connect(Some(connect))
            .timeout_per_read(Some(read))
            .timeout_global(total)
            .user_agent(concat!("mdump-symbols/", env!("CARGO_PKG_VERSION")));
        if !proxy_from_env {
            config = config.proxy(None);
        }
        Fetcher { agent: ureq::Agent::new_with_config(config.build()), max_download }
    }

    /// Asks the server. `Ok(Some(path))`: downloaded into the cache;
    /// `Ok(None)`: the server says it has no such file (404, 410).
    pub(super) fn fetch(
        &self,
        server: &HttpSource,
        key: &SymbolKey,
        cache: &Cache,
    ) -> Result<Option<PathBuf>, StoreError> {
        let url = server.url(key);
        let fail = |kind: HttpErrorKind, detail: String| StoreError::Http { url: url.clone(), kind, detail };
        let mut response = self.agent.get(&url).call().map_err(|e| ureq_error(&url, e, Phase::Request))?;
        let status = response.status().as_u16();
        if status == 404 || status == 410 {
            return Ok(None);
        }
        if status != 200 {
            return Err(fail(HttpErrorKind::Status(status), format!("HTTP status {status}")));
        }
        let too_large = || fail(HttpErrorKind::TooLarge(self.max_download), "body too large".to_string());
        if response.body().content_length().is_some_and(|len| len > self.max_download) {
            return Err(too_large());
        }

        let mut body = response.body_mut().with_config().reader();
        let mut pending = cache.begin(key)?;
        let mut buf = vec![0u8; CHUNK];
        let mut total: u64 = 0;
        let mut checked = 0;
        loop {
            let n = match body.read(&mut buf) {
                Ok(0) => break,
                Ok(n) => n,
                Err(e) if e.kind() == ErrorKind::Interrupted => continue,
                Err(e) => return Err(ureq_error(&url, ureq::Error::from(e), Phase::Body)),
            };
            let chunk = buf.get(..n).unwrap_or(&buf);
            total = total.saturating_add(chunk.len() as u64);
            if total > self.max_download {
                return Err(too_large());
            }
            if checked < MAGIC.len() {
                let take = (MAGIC.len() - checked).min(chunk.len());
                if chunk.get(..take) != MAGIC.get(checked..checked + take) {
                    return Err(not_symbols(&url));
                }
                checked += take;
            }
            pending.write_all(chunk)?;
        }
        if checked < MAGIC.len() {
            return Err(not_symbols(&url));
        }
        pending.commit().map(Some)
    }
}

fn is_https(url: &str) -> bool {
    url.get(..8).is_some_and(|scheme| scheme.eq_ignore_ascii_case("https://"))
}

fn not_symbols(url: &str) -> StoreError {
    StoreError::Http {
        url: url.to_string(),
        kind: HttpErrorKind::NotSymbolFile,
        detail: "the body does not start with a MODULE record".to_string(),
    }
}

/// Sorts a client error into an [`HttpErrorKind`].
fn ureq_error(url: &str, error: ureq::Error, phase: Phase) -> StoreError {
    use ureq::Error as E;
    let kind = match &error {
        E::Timeout(_) => HttpErrorKind::Timeout,
        E::HostNotFound | E::ConnectionFailed => HttpErrorKind::Connect,
        E::Tls(_) | E::Pem(_) | E::Rustls(_) => HttpErrorKind::Tls,
        E::StatusCode(code) => HttpErrorKind::Status(*code),
        E::BodyExceedsLimit(limit) => HttpErrorKind::TooLarge(*limit),
        E::Io(io) => match io.kind() {
            ErrorKind::TimedOut | ErrorKind::WouldBlock => HttpErrorKind::Timeout,
            ErrorKind::UnexpectedEof | ErrorKind::ConnectionReset | ErrorKind::ConnectionAborted
                if phase == Phase::Body =>
            {
                HttpErrorKind::Truncated
            }
            // rustls reports handshake and certificate failures this way.
            ErrorKind::InvalidData if phase == Phase::Request && is_https(url) => HttpErrorKind::Tls,
            ErrorKind::ConnectionRefused
            | ErrorKind::ConnectionReset
            | ErrorKind::AddrNotAvailable
            | ErrorKind::NetworkUnreachable
            | ErrorKind::HostUnreachable => HttpErrorKind::Connect,
            _ => HttpErrorKind::Other,
        },
        _ => HttpErrorKind::Other,
    };
    StoreError::Http { url: url.to_string(), kind, detail: error.to_string() }
}
