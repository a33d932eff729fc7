//! The symbol store: Breakpad's path rules, local roots, and HTTP symbol
//! servers with the on-disk cache, against a small HTTP/1.1 server run by
//! the test on 127.0.0.1.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use mdump_symbols::store::{
    HttpErrorKind, Origin, StoreError, SymbolKey, SymbolSource, SymbolStore, SymbolStoreBuilder, DEFAULT_MISS_EXPIRY,
};
use mdump_testkit::corpus::corpus_dir;

// ---------------------------------------------------------------------------
// Helpers: temporary directories, symbol files, the corpus.

/// A directory under the system's temporary directory, removed on drop.
struct TempDir(PathBuf);

impl TempDir {
    fn new(label: &str) -> TempDir {
        static N: AtomicU64 = AtomicU64::new(0);
        let n = N.fetch_add(1, Ordering::Relaxed);
        let dir = std::env::temp_dir().join(format!("mdump-store-{}-{n}-{label}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        TempDir(dir)
    }

    fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

const ID: &str = "5A9832E5287241C1838ED98914E9B7FF1";

fn sym_text(name: &str, id: &str) -> String {
    format!("MODULE windows x86 {id} {name}\nFILE 0 a.c\nFUNC 1000 10 0 main\n1000 10 1 0\n")
}

/// Writes `root/REL` with `contents`, creating directories.
fn put(root: &Path, rel: &str, contents: &[u8]) -> PathBuf {
    let path = root.join(rel);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(&path, contents).unwrap();
    path
}

/// Every file under `dir`, relative, sorted (directories left out).
fn files_under(dir: &Path) -> Vec<String> {
    fn walk(base: &Path, dir: &Path, out: &mut Vec<String>) {
        let Ok(entries) = std::fs::read_dir(dir) else { return };
        for entry in entries {
            let path = entry.unwrap().path();
            if path.is_dir() {
                walk(base, &path, out);
            } else {
                out.push(path.strip_prefix(base).unwrap().to_string_lossy().replace('\\', "/"));
            }
        }
    }
    let mut out = Vec::new();
    walk(dir, dir, &mut out);
    out.sort();
    out
}

// ---------------------------------------------------------------------------
// The test server.

/// How the server answers every request.
#[derive(Clone, Debug)]
enum Mode {
    /// Files from its directory, 404 when absent, with Content-Length.
    Files,
    /// Files without Content-Length: the body ends when the connection closes.
    FilesNoLength,
    /// This status and a short body, for every request.
    Status(u16),
    /// Nothing at all for this long, then closes.
    Silent(Duration),
    /// Headers announcing the whole file, half of it, then closes.
    Truncated,
    /// Headers announcing the whole file, half of it, then nothing for this long.
    Stall(Duration),
    /// 200 with this body (and its length).
    Body(Vec<u8>),
}

/// An HTTP/1.1 server on 127.0.0.1 serving a directory; every request
/// path is recorded. One thread per connection; `Connection: close`.
struct TestServer {
    addr: SocketAddr,
    mode: Arc<Mutex<Mode>>,
    requests: Arc<Mutex<Vec<String>>>,
    stop: Arc<AtomicBool>,
    acceptor: Option<JoinHandle<()>>,
}

impl TestServer {
    fn start(root: &Path) -> TestServer {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        let mode = Arc::new(Mutex::new(Mode::Files));
        let requests = Arc::new(Mutex::new(Vec::new()));
        let stop = Arc::new(AtomicBool::new(false));
        let (root, m, r, s) = (root.to_path_buf(), mode.clone(), requests.clone(), stop.clone());
        let acceptor = std::thread::spawn(move || {
            for conn in listener.incoming() {
                if s.load(Ordering::SeqCst) {
                    break;
                }
                let Ok(conn) = conn else { continue };
                let (root, m, r) = (root.clone(), m.clone(), r.clone());
                std::thread::spawn(move || serve(conn, &root, &m, &r));
            }
        });
        TestServer { addr, mode, requests, stop, acceptor: Some(acceptor) }
    }

    fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    fn set_mode(&self, mode: Mode) {
        *self.mode.lock().unwrap() = mode;
    }

    fn requests(&self) -> Vec<String> {
        self.requests.lock().unwrap().clone()
    }

    fn count(&self) -> usize {
        self.requests.lock().unwrap().len()
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        // Wake the acceptor so it sees the flag.
        let _ = TcpStream::connect_timeout(&self.addr, Duration::from_secs(1));
        if let Some(t) = self.acceptor.take() {
            let _ = t.join();
        }
    }
}

fn percent_decode(s: &str) -> Vec<u8> {
    let b = s.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' && i + 2 < b.len() {
            let hex = std::str::from_utf8(&b[i + 1..i + 3]).unwrap();
            out.push(u8::from_str_radix(hex, 16).unwrap());
            i += 3;
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    out
}

fn serve(conn: TcpStream, root: &Path, mode: &Mutex<Mode>, requests: &Mutex<Vec<String>>) {
    conn.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    let mut reader = BufReader::new(conn.try_clone().unwrap());
    let mut request_line = String::new();
    if reader.read_line(&mut request_line).is_err() || request_line.is_empty() {
        return; // the acceptor's wake-up connection, or a client that gave up
    }
    loop {
        let mut line = String::new();
        match reader.read_line(&mut line) {
            Ok(0) | Err(_) => return,
            Ok(_) if line == "\r\n" || line == "\n" => break,
            Ok(_) => {}
        }
    }
    let mut parts = request_line.split_whitespace();
    let (method, path) = (parts.next().unwrap_or(""), parts.next().unwrap_or("").to_string());
    assert_eq!(method, "GET");
    requests.lock().unwrap().push(path.clone());
    let mode = mode.lock().unwrap().clone();

    let file = || -> Option<Vec<u8>> {
        let decoded = String::from_utf8(percent_decode(&path)).ok()?;
        let rel = decoded.trim_start_matches('/');
        if rel.split('/').any(|part| part == ".." || part.is_empty()) {
            return None;
        }
        std::fs::read(root.join(rel)).ok()
    };
    let mut out = conn;
    let head = |status: &str, len: Option<usize>| {
        let mut h = format!("HTTP/1.1 {status}\r\nConnection: close\r\nContent-Type: text/plain\r\n");
        if let Some(len) = len {
            h.push_str(&format!("Content-Length: {len}\r\n"));
        }
        h.push_str("\r\n");
        h.into_bytes()
    };
    let not_found = head("404 Not Found", Some(9));
    let _ = match mode {
        Mode::Files => match file() {
            Some(body) => out.write_all(&[head("200 OK", Some(body.len())), body].concat()),
            None => out.write_all(&[not_found, b"not found".to_vec()].concat()),
        },
        Mode::FilesNoLength => match file() {
            Some(body) => out.write_all(&[head("200 OK", None), body].concat()),
            None => out.write_all(&[not_found, b"not found".to_vec()].concat()),
        },
        Mode::Status(code) => {
            let body = format!("status {code}");
            out.write_all(&[head(&format!("{code} Whatever"), Some(body.len())), body.into_bytes()].concat())
        }
        Mode::Silent(d) => {
            std::thread::sleep(d);
            Ok(())
        }
        Mode::Truncated | Mode::Stall(_) => {
            let body = file().unwrap_or_else(|| sym_text("x", ID).into_bytes());
            let sent = out.write_all(&[head("200 OK", Some(body.len())), body[..body.len() / 2].to_vec()].concat());
            let _ = out.flush();
            if let Mode::Stall(d) = mode {
                std::thread::sleep(d);
            }
            sent
        }
        Mode::Body(body) => out.write_all(&[head("200 OK", Some(body.len())), body].concat()),
    };
    let _ = out.flush();
    let _ = out.shutdown(Shutdown::Write);
    // Let the client read everything before the socket closes.
    let mut rest = Vec::new();
    let _ = reader.read_to_end(&mut rest);
}

/// A store over `sources` with `cache` and short timeouts, proxies ignored.
fn builder(cache: &Path) -> SymbolStoreBuilder {
    SymbolStore::builder()
        .cache_dir(cache)
        .connect_timeout(Duration::from_secs(2))
        .read_timeout(Duration::from_millis(500))
        .proxy_from_env(false)
}

/// The cache holds nothing but directories (no symbol file, marker or
/// temporary file).
fn assert_cache_empty(cache: &Path) {
    assert_eq!(files_under(cache), Vec::<String>::new(), "cache {}", cache.display());
}

fn http_kind(e: &StoreError) -> HttpErrorKind {
    match e {
        StoreError::Http { kind, .. } => *kind,
        other => panic!("expected an HTTP error, got {other:?}"),
    }
}

// ---------------------------------------------------------------------------
// Keys: Breakpad's names, refused names.

#[test]
fn key_names_follow_breakpad() {
    let cases = [
        ("test_app.pdb", ID, "test_app.pdb/5A9832E5287241C1838ED98914E9B7FF1/test_app.sym"),
        (
            "c:\\build\\out\\kernel32.pdb",
            "BCE8785C57B44245A669896B6A19B9542",
            "kernel32.pdb/BCE8785C57B44245A669896B6A19B9542/kernel32.sym",
        ),
        (
            "/lib/x86_64/libc-2.13.so",
            "F4F8DFCD5A5FB5A7CE64717E9E6AE3890",
            "libc-2.13.so/F4F8DFCD5A5FB5A7CE64717E9E6AE3890/libc-2.13.so.sym",
        ),
        ("APP.PDB", "1", "APP.PDB/1/APP.sym"),
        ("mixed/dirs\\and/name.Pdb", "AB", "name.Pdb/AB/name.sym"),
        // Breakpad strips .pdb only from names longer than 4 bytes.
        (".pdb", "1", ".pdb/1/.pdb.sym"),
        ("libxul.so.dbg", "1", "libxul.so.dbg/1/libxul.so.dbg.sym"),
        ("../../etc/passwd", "1", "passwd/1/passwd.sym"),
        ("...", "1", ".../1/....sym"),
    ];
    for (file, id, want) in cases {
        let key = SymbolKey::new(file, id).unwrap();
        let rel = key.relative_path().to_string_lossy().replace('\\', "/");
        assert_eq!(rel, want, "{file}");
        assert_eq!(key.url_path(), want, "{file}");
    }
    let key = SymbolKey::new("C:\\Program Files\\My App #1.pdb", "AB").unwrap();
    assert_eq!(key.debug_file(), "My App #1.pdb");
    assert_eq!(key.sym_name(), "My App #1.sym");
    assert_eq!(key.url_path(), "My%20App%20%231.pdb/AB/My%20App%20%231.sym");
}

#[test]
fn keys_that_could_escape_are_refused() {
    let long = "a".repeat(201);
    let bad: &[(&str, &str)] = &[
        ("", ID),
        ("dir/", ID),
        ("..", ID),
        ("a/..", ID),
        ("a\\..", ID),
        (".", ID),
        ("C:evil.pdb", ID),
        ("file.pdb:stream", ID),
        ("nul\0byte", ID),
        ("new\nline", ID),
        (&long, ID),
        ("ok.so", ""),
        ("ok.so", ".."),
        ("ok.so", "../../x"),
        ("ok.so", "A/B"),
        ("ok.so", "A\\B"),
        ("ok.so", "AB.CD"),
        ("ok.so", "AB CD"),
        ("ok.so", "\u{c9}1"),
        ("ok.so", &long),
    ];
    for (file, id) in bad {
        match SymbolKey::new(file, id) {
            Err(StoreError::InvalidKey { .. }) => {}
            other => panic!("{file:?} / {id:?}: {other:?}"),
        }
    }
    assert!(SymbolKey::new(&"a".repeat(200), ID).is_ok());
    assert!(SymbolKey::new("ok.so", &"A".repeat(64)).is_ok());
}

#[test]
fn sources_parse_by_scheme() {
    assert_eq!(SymbolSource::parse("http://h:8080/sym/"), SymbolSource::Http("http://h:8080/sym".into()));
    assert_eq!(SymbolSource::parse("HTTPS://h"), SymbolSource::Http("HTTPS://h".into()));
    assert_eq!(SymbolSource::parse("/srv/symbols"), SymbolSource::Local("/srv/symbols".into()));
    assert_eq!(SymbolSource::parse("http"), SymbolSource::Local("http".into()));
    assert_eq!(SymbolSource::parse("ftp://h"), SymbolSource::Local("ftp://h".into()));
    assert_eq!("symbols".parse::<SymbolSource>().unwrap(), SymbolSource::Local("symbols".into()));
    assert_eq!(SymbolSource::from(PathBuf::from("http://x")), SymbolSource::Local("http://x".into()));
    let store = SymbolStore::builder().sources(["a", "http://b/"]).cache_dir("/nonexistent-cache").build().unwrap();
    assert_eq!(store.sources(), &[SymbolSource::Local("a".into()), SymbolSource::Http("http://b".into())]);
    assert_eq!(store.cache_dir(), Some(Path::new("/nonexistent-cache")));
    // Local roots alone need no cache.
    assert_eq!(SymbolStore::from_sources(["a", "b"]).unwrap().cache_dir(), None);
}

#[test]
fn default_cache_dir_is_per_user() {
    if let Some(dir) = mdump_symbols::store::default_cache_dir() {
        assert!(dir.is_absolute());
        assert!(dir.ends_with(Path::new("mdump").join("symbols")), "{}", dir.display());
    }
}

#[test]
fn store_is_send_and_sync() {
    fn check<T: Send + Sync>() {}
    check::<SymbolStore>();
    check::<StoreError>();
}

// ---------------------------------------------------------------------------
// Local roots.

#[test]
fn local_first_root_with_the_file_wins() {
    let (a, b) = (TempDir::new("root-a"), TempDir::new("root-b"));
    let rel = format!("test_app.pdb/{ID}/test_app.sym");
    let in_b = put(b.path(), &rel, b"MODULE b\n");
    let store = SymbolStore::from_sources([a.path(), b.path()]).unwrap();

    let found = store.locate("C:\\src\\test_app.pdb", ID).unwrap().unwrap();
    assert_eq!((found.path.as_path(), found.source, found.origin), (in_b.as_path(), 1, Origin::Local));

    let in_a = put(a.path(), &rel, b"MODULE a\n");
    let found = store.locate("test_app.pdb", ID).unwrap().unwrap();
    assert_eq!((found.path.as_path(), found.source), (in_a.as_path(), 0));
    assert_eq!(store.load("test_app.pdb", ID).unwrap().unwrap(), b"MODULE a\n");

    assert_eq!(store.locate("test_app.pdb", "0000").unwrap(), None);
    assert_eq!(store.locate("other.pdb", ID).unwrap(), None);
    assert_eq!(store.load("other.pdb", ID).unwrap(), None);
    // A directory where the file should be is not a hit.
    std::fs::create_dir_all(a.path().join("dir.so/AB/dir.so.sym")).unwrap();
    assert_eq!(store.locate("dir.so", "AB").unwrap(), None);
    // A file where a directory should be is not an error.
    put(a.path(), "flat.so", b"x");
    assert_eq!(store.locate("flat.so", "AB").unwrap(), None);
    // A missing root is simply empty.
    let store = SymbolStore::from_sources([a.path().join("missing"), b.path().to_path_buf()]).unwrap();
    assert_eq!(store.locate("test_app.pdb", ID).unwrap().unwrap().path, in_b);
}

#[test]
fn local_lookups_stay_inside_the_root() {
    let base = TempDir::new("escape");
    let root = base.path().join("root");
    std::fs::create_dir_all(&root).unwrap();
    // Files a traversal would reach, beside and above the root.
    put(base.path(), &format!("secret/{ID}/secret.sym"), b"MODULE outside\n");
    put(base.path(), "x/passwd.sym", b"MODULE outside\n");
    let store = SymbolStore::from_sources([root.as_path()]).unwrap();

    assert_eq!(store.locate("../secret", ID).unwrap(), None);
    assert_eq!(store.locate("..\\secret", ID).unwrap(), None);
    assert_eq!(store.locate("../../etc/passwd", ID).unwrap(), None);
    for (file, id) in [("..", ID), ("secret", "../x"), ("secret", "../../secret/x"), ("x", "..")] {
        assert!(matches!(store.locate(file, id), Err(StoreError::InvalidKey { .. })), "{file} {id}");
    }
    // The same names inside the root are found as ordinary modules.
    let inside = put(&root, &format!("secret/{ID}/secret.sym"), b"MODULE inside\n");
    assert_eq!(store.locate("../secret", ID).unwrap().unwrap().path, inside);
}

#[test]
fn corpus_symbols_are_found_in_breakpad_layout() {
    let Some(corpus) = corpus_dir("symbols").map(|root| root.join("symbols")) else { return };
    let store = SymbolStore::from_sources([corpus.as_path()]).unwrap();
    let cases = [
        (
            "kernel32.pdb",
            "BCE8785C57B44245A669896B6A19B9542",
            "kernel32.pdb/BCE8785C57B44245A669896B6A19B9542/kernel32.sym",
        ),
        (
            "c:\\test_app.pdb",
            "5A9832E5287241C1838ED98914E9B7FF1",
            "test_app.pdb/5A9832E5287241C1838ED98914E9B7FF1/test_app.sym",
        ),
        (
            "/lib/libc-2.13.so",
            "F4F8DFCD5A5FB5A7CE64717E9E6AE3890",
            "libc-2.13.so/F4F8DFCD5A5FB5A7CE64717E9E6AE3890/libc-2.13.so.sym",
        ),
        (
            "libgcc_s.so.1",
            "18B180F90887D8F8B5C35D185444AF4C0",
            "libgcc_s.so.1/18B180F90887D8F8B5C35D185444AF4C0/libgcc_s.so.1.sym",
        ),
    ];
    for (file, id, rel) in cases {
        let found = store.locate(file, id).unwrap().unwrap_or_else(|| panic!("{file} not found"));
        assert_eq!(found.path, corpus.join(rel));
        assert!(found.read().unwrap().starts_with(b"MODULE "));
    }
    assert_eq!(store.locate("kernel32.pdb", "BCE8785C57B44245A669896B6A19B9543").unwrap(), None);
}

// ---------------------------------------------------------------------------
// HTTP.

#[test]
fn http_hit_is_downloaded_once_then_served_from_the_cache() {
    let (files, cache) = (TempDir::new("srv"), TempDir::new("cache"));
    let text = sym_text("test_app.pdb", ID);
    put(files.path(), &format!("test_app.pdb/{ID}/test_app.sym"), text.as_bytes());
    let server = TestServer::start(files.path());
    let store = builder(cache.path()).source(format!("{}/", server.url())).build().unwrap();

    let found = store.locate("C:\\b\\test_app.pdb", ID).unwrap().unwrap();
    assert_eq!(found.origin, Origin::Download);
    assert_eq!(found.source, 0);
    assert_eq!(found.path, cache.path().join(format!("test_app.pdb/{ID}/test_app.sym")));
    assert_eq!(std::fs::read_to_string(&found.path).unwrap(), text);
    assert_eq!(server.requests(), [format!("/test_app.pdb/{ID}/test_app.sym")]);

    let again = store.locate("test_app.pdb", ID).unwrap().unwrap();
    assert_eq!((again.origin, again.path.as_path()), (Origin::Cache, found.path.as_path()));
    assert_eq!(store.load("test_app.pdb", ID).unwrap().unwrap(), text.as_bytes());
    // A new store over the same cache: still no request.
    let store2 = builder(cache.path()).source(server.url()).build().unwrap();
    assert_eq!(store2.locate("test_app.pdb", ID).unwrap().unwrap().origin, Origin::Cache);
    assert_eq!(server.count(), 1);
    // Only the symbol file is in the cache: no marker, no temporary file.
    assert_eq!(files_under(cache.path()), [format!("test_app.pdb/{ID}/test_app.sym")]);
}

#[test]
fn http_names_are_percent_encoded() {
    let (files, cache) = (TempDir::new("srv"), TempDir::new("cache"));
    put(files.path(), "My App.pdb/AB/My App.sym", sym_text("My App.pdb", "AB").as_bytes());
    let server = TestServer::start(files.path());
    let store = builder(cache.path()).source(server.url()).build().unwrap();
    let found = store.locate("C:\\x\\My App.pdb", "AB").unwrap().unwrap();
    assert_eq!(found.path, cache.path().join("My App.pdb/AB/My App.sym"));
    assert_eq!(server.requests(), ["/My%20App.pdb/AB/My%20App.sym"]);
}

#[test]
fn http_miss_is_remembered_until_it_expires() {
    let (files, cache) = (TempDir::new("srv"), TempDir::new("cache"));
    let server = TestServer::start(files.path());
    let store = builder(cache.path()).source(server.url()).build().unwrap();

    assert_eq!(store.locate("gone.so", "AB").unwrap(), None);
    assert_eq!(server.count(), 1);
    assert_eq!(store.locate("/other/dir/gone.so", "AB").unwrap(), None);
    assert_eq!(store.locate("gone.so", "AB").unwrap(), None);
    assert_eq!(server.count(), 1, "a fresh miss is not asked again");
    let marker = files_under(cache.path());
    assert_eq!(marker.len(), 1);
    assert!(marker[0].starts_with("gone.so/AB/gone.so.sym.") && marker[0].ends_with(".miss"), "{marker:?}");
    // Another identifier is another question.
    assert_eq!(store.locate("gone.so", "CD").unwrap(), None);
    assert_eq!(server.count(), 2);

    // The file appears on the server: the remembered miss still holds...
    put(files.path(), "gone.so/AB/gone.so.sym", sym_text("gone.so", "AB").as_bytes());
    assert_eq!(store.locate("gone.so", "AB").unwrap(), None);
    assert_eq!(server.count(), 2);
    // ...until it has expired: with an expiry of zero every lookup asks.
    let eager = builder(cache.path()).source(server.url()).miss_expiry(Duration::ZERO).build().unwrap();
    let found = eager.locate("gone.so", "AB").unwrap().unwrap();
    assert_eq!(found.origin, Origin::Download);
    assert_eq!(server.count(), 3);
    // The download replaced the marker.
    assert_eq!(files_under(&cache.path().join("gone.so/AB")), ["gone.so.sym"]);

    // Expiry zero: misses are asked again every time.
    assert_eq!(eager.locate("never.so", "AB").unwrap(), None);
    assert_eq!(eager.locate("never.so", "AB").unwrap(), None);
    assert_eq!(server.count(), 5);
    // ... but a store with the default expiry believes the marker written.
    let patient = builder(cache.path()).source(server.url()).miss_expiry(DEFAULT_MISS_EXPIRY).build().unwrap();
    assert_eq!(patient.locate("never.so", "AB").unwrap(), None);
    assert_eq!(server.count(), 5);
}

#[test]
fn http_miss_marker_that_is_damaged_or_old_counts_as_expired() {
    let (files, cache) = (TempDir::new("srv"), TempDir::new("cache"));
    let server = TestServer::start(files.path());
    let store = builder(cache.path()).source(server.url()).miss_expiry(Duration::from_secs(3600)).build().unwrap();
    assert_eq!(store.locate("m.so", "AB").unwrap(), None);
    let marker = cache.path().join("m.so/AB").join(&files_under(&cache.path().join("m.so/AB"))[0]);
    let text = std::fs::read_to_string(&marker).unwrap();
    let mut lines = text.lines();
    let millis: u128 = lines.next().unwrap().parse().unwrap();
    assert_eq!(lines.next().unwrap(), format!("{}/m.so/AB/m.so.sym", server.url()));
    assert_eq!(server.count(), 1);

    for (content, asks) in [
        (format!("{}\n", millis - 2 * 3600 * 1000), true), // two hours old
        (format!("{}\n", millis - 60 * 1000), false),      // a minute old
        ("garbage\n".to_string(), true),
        (String::new(), true),
        (format!("{}\n", millis + 3600 * 1000 * 48), true), // from the future
    ] {
        std::fs::write(&marker, &content).unwrap();
        let before = server.count();
        assert_eq!(store.locate("m.so", "AB").unwrap(), None);
        assert_eq!(server.count() - before, usize::from(asks), "marker {content:?}");
    }
}

#[test]
fn http_server_errors_are_errors_and_not_cached() {
    let (files, cache) = (TempDir::new("srv"), TempDir::new("cache"));
    put(files.path(), "a.so/AB/a.so.sym", sym_text("a.so", "AB").as_bytes());
    let server = TestServer::start(files.path());
    let store = builder(cache.path()).source(server.url()).build().unwrap();

    for code in [500, 503, 403, 401, 204] {
        server.set_mode(Mode::Status(code));
        let before = server.count();
        let e = store.locate("a.so", "AB").unwrap_err();
        assert_eq!(http_kind(&e), HttpErrorKind::Status(code), "{e}");
        assert!(e.to_string().contains(&code.to_string()), "{e}");
        let e = store.locate("a.so", "AB").unwrap_err();
        assert_eq!(http_kind(&e), HttpErrorKind::Status(code));
        assert_eq!(server.count() - before, 2, "status {code} must not be cached");
        assert_cache_empty(cache.path());
    }
    // 410 is a miss like 404.
    server.set_mode(Mode::Status(410));
    assert_eq!(store.locate("a.so", "AB").unwrap(), None);
    assert_eq!(store.locate("a.so", "AB").unwrap(), None);
    assert_eq!(files_under(cache.path()).len(), 1);
    // After the server recovers, the file is downloaded.
    server.set_mode(Mode::Files);
    assert_eq!(store.locate("a.so", "CD").unwrap(), None);
    let before = server.count();
    let eager = builder(cache.path()).source(server.url()).miss_expiry(Duration::ZERO).build().unwrap();
    assert_eq!(eager.locate("a.so", "AB").unwrap().unwrap().origin, Origin::Download);
    assert_eq!(server.count() - before, 1);
}

#[test]
fn http_partial_or_bad_downloads_leave_nothing() {
    let (files, cache) = (TempDir::new("srv"), TempDir::new("cache"));
    let big = sym_text("a.so", "AB").repeat(50);
    put(files.path(), "a.so/AB/a.so.sym", big.as_bytes());
    let server = TestServer::start(files.path());
    let store = builder(cache.path()).source(server.url()).build().unwrap();

    // Connection closed half-way through the announced length.
    server.set_mode(Mode::Truncated);
    let e = store.locate("a.so", "AB").unwrap_err();
    assert_eq!(http_kind(&e), HttpErrorKind::Truncated, "{e}");
    assert_cache_empty(cache.path());

    // A 200 that is not a symbol file (an HTML error page, an empty body).
    for body in [&b"<html>login</html>"[..], b"", b"MODUL", b"MODULEX", b"module windows"] {
        server.set_mode(Mode::Body(body.to_vec()));
        let e = store.locate("a.so", "AB").unwrap_err();
        assert_eq!(http_kind(&e), HttpErrorKind::NotSymbolFile, "{body:?}: {e}");
        assert_cache_empty(cache.path());
    }
    // The shortest acceptable file.
    server.set_mode(Mode::Body(b"MODULE ".to_vec()));
    assert_eq!(store.locate("a.so", "EF").unwrap().unwrap().read().unwrap(), b"MODULE ");

    // Without Content-Length the body ends when the connection closes.
    server.set_mode(Mode::FilesNoLength);
    let found = store.locate("a.so", "AB").unwrap().unwrap();
    assert_eq!(std::fs::read_to_string(found.path).unwrap(), big);
}

#[test]
fn http_downloads_are_capped() {
    let (files, cache) = (TempDir::new("srv"), TempDir::new("cache"));
    let text = sym_text("a.so", "AB").repeat(100);
    put(files.path(), "a.so/AB/a.so.sym", text.as_bytes());
    let server = TestServer::start(files.path());
    let len = text.len() as u64;

    for mode in [Mode::Files, Mode::FilesNoLength] {
        server.set_mode(mode.clone());
        let store = builder(cache.path()).source(server.url()).max_download_size(len - 1).build().unwrap();
        let e = store.locate("a.so", "AB").unwrap_err();
        assert_eq!(http_kind(&e), HttpErrorKind::TooLarge(len - 1), "{mode:?}: {e}");
        assert_cache_empty(cache.path());
        // Exactly at the limit is fine.
        let store = builder(cache.path()).source(server.url()).max_download_size(len).build().unwrap();
        assert_eq!(store.locate("a.so", "AB").unwrap().unwrap().read().unwrap(), text.as_bytes());
        std::fs::remove_dir_all(cache.path().join("a.so")).unwrap();
    }
}

#[test]
fn http_timeouts_end_the_request_cleanly() {
    let (files, cache) = (TempDir::new("srv"), TempDir::new("cache"));
    put(files.path(), "a.so/AB/a.so.sym", sym_text("a.so", "AB").repeat(20).as_bytes());
    let server = TestServer::start(files.path());
    let store = builder(cache.path()).source(server.url()).read_timeout(Duration::from_millis(300)).build().unwrap();

    // No response at all.
    server.set_mode(Mode::Silent(Duration::from_secs(3)));
    let t = Instant::now();
    let e = store.locate("a.so", "AB").unwrap_err();
    assert!(e.is_timeout(), "{e}");
    assert!(t.elapsed() < Duration::from_secs(2), "{:?}", t.elapsed());
    assert_cache_empty(cache.path());

    // Headers and half the body, then silence.
    server.set_mode(Mode::Stall(Duration::from_secs(3)));
    let t = Instant::now();
    let e = store.locate("a.so", "AB").unwrap_err();
    assert!(e.is_timeout(), "{e}");
    assert!(t.elapsed() < Duration::from_secs(2), "{:?}", t.elapsed());
    assert_cache_empty(cache.path());

    // A total limit cuts a response that is slow as a whole.
    let total = builder(cache.path())
        .source(server.url())
        .read_timeout(Duration::from_secs(10))
        .total_timeout(Some(Duration::from_millis(300)))
        .build()
        .unwrap();
    let t = Instant::now();
    let e = total.locate("a.so", "AB").unwrap_err();
    assert!(e.is_timeout(), "{e}");
    assert!(t.elapsed() < Duration::from_secs(2), "{:?}", t.elapsed());
    assert_cache_empty(cache.path());

    // The next lookup asks again and succeeds.
    server.set_mode(Mode::Files);
    assert_eq!(store.locate("a.so", "AB").unwrap().unwrap().origin, Origin::Download);
}

#[test]
fn http_connection_refused_is_a_connect_error() {
    let cache = TempDir::new("cache");
    // A port that was just free and is closed again.
    let addr = TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap();
    let store = builder(cache.path()).source(format!("http://{addr}")).build().unwrap();
    let e = store.locate("a.so", "AB").unwrap_err();
    assert_eq!(http_kind(&e), HttpErrorKind::Connect, "{e}");
    assert!(e.to_string().contains(&addr.to_string()), "{e}");
    assert_cache_empty(cache.path());
}

#[test]
fn sources_are_asked_in_order_and_failures_fall_through() {
    let (local, files1, files2, cache) =
        (TempDir::new("local"), TempDir::new("srv1"), TempDir::new("srv2"), TempDir::new("cache"));
    put(files2.path(), "a.so/AB/a.so.sym", sym_text("a.so", "AB").as_bytes());
    let (s1, s2) = (TestServer::start(files1.path()), TestServer::start(files2.path()));
    let store = builder(cache.path()).source(local.path()).source(s1.url()).source(s2.url()).build().unwrap();

    // Server 1 fails: server 2 still answers, and its file is used.
    s1.set_mode(Mode::Status(500));
    let found = store.locate("a.so", "AB").unwrap().unwrap();
    assert_eq!((found.source, found.origin), (2, Origin::Download));
    assert_eq!((s1.count(), s2.count()), (1, 1));
    // Now cached: looked at in place of the first server, nobody asked.
    let found = store.locate("a.so", "AB").unwrap().unwrap();
    assert_eq!((found.source, found.origin), (1, Origin::Cache));
    assert_eq!((s1.count(), s2.count()), (1, 1));

    // Server 1 fails and server 2 has nothing: the failure is reported.
    let e = store.locate("b.so", "AB").unwrap_err();
    assert_eq!(http_kind(&e), HttpErrorKind::Status(500));
    assert_eq!((s1.count(), s2.count()), (2, 2));
    // Server 2's miss is remembered; server 1's failure is not.
    assert!(store.locate("b.so", "AB").is_err());
    assert_eq!((s1.count(), s2.count()), (3, 2));
    // Server 1 says 404 too: a real miss, remembered for each server.
    s1.set_mode(Mode::Files);
    assert_eq!(store.locate("b.so", "AB").unwrap(), None);
    assert_eq!(store.locate("b.so", "AB").unwrap(), None);
    assert_eq!((s1.count(), s2.count()), (4, 2));

    // A local root before the servers wins without a request.
    let in_local = put(local.path(), "c.so/AB/c.so.sym", b"MODULE local\n");
    put(files1.path(), "c.so/AB/c.so.sym", sym_text("c.so", "AB").as_bytes());
    let found = store.locate("c.so", "AB").unwrap().unwrap();
    assert_eq!((found.path, found.source, found.origin), (in_local, 0, Origin::Local));
    assert_eq!((s1.count(), s2.count()), (4, 2));
}

#[test]
fn refused_keys_make_no_request() {
    let (files, cache) = (TempDir::new("srv"), TempDir::new("cache"));
    let server = TestServer::start(files.path());
    let store = builder(cache.path()).source(server.url()).build().unwrap();
    for (file, id) in [("..", "AB"), ("a.so", "../AB"), ("a.so", "A/B"), ("C:x.pdb", "AB"), ("a.so", "")] {
        assert!(matches!(store.locate(file, id), Err(StoreError::InvalidKey { .. })), "{file} {id}");
    }
    assert_eq!(server.count(), 0);
    assert_cache_empty(cache.path());
}

#[test]
fn corpus_served_over_http_lands_in_the_same_layout() {
    let Some(corpus) = corpus_dir("symbols").map(|root| root.join("symbols")) else { return };
    let cache = TempDir::new("cache");
    let server = TestServer::start(&corpus);
    let store = builder(cache.path()).source(server.url()).build().unwrap();
    for (file, id, rel) in [
        (
            "c:\\kernel32.pdb",
            "BCE8785C57B44245A669896B6A19B9542",
            "kernel32.pdb/BCE8785C57B44245A669896B6A19B9542/kernel32.sym",
        ),
        (
            "libc-2.13.so",
            "F4F8DFCD5A5FB5A7CE64717E9E6AE3890",
            "libc-2.13.so/F4F8DFCD5A5FB5A7CE64717E9E6AE3890/libc-2.13.so.sym",
        ),
    ] {
        let found = store.locate(file, id).unwrap().unwrap();
        assert_eq!(found.path, cache.path().join(rel));
        assert_eq!(std::fs::read(&found.path).unwrap(), std::fs::read(corpus.join(rel)).unwrap());
    }
    // The cache can serve as a local root.
    let local = SymbolStore::from_sources([cache.path()]).unwrap();
    assert!(local.locate("kernel32.pdb", "BCE8785C57B44245A669896B6A19B9542").unwrap().is_some());
}

#[test]
fn concurrent_lookups_share_one_store_and_cache() {
    let (files, cache) = (TempDir::new("srv"), TempDir::new("cache"));
    let text = sym_text("a.so", "AB").repeat(2000);
    put(files.path(), "a.so/AB/a.so.sym", text.as_bytes());
    let server = TestServer::start(files.path());
    let store = builder(cache.path()).source(server.url()).build().unwrap();
    std::thread::scope(|s| {
        let lookups: Vec<_> = (0..6).map(|_| s.spawn(|| store.load("a.so", "AB").unwrap().unwrap())).collect();
        for lookup in lookups {
            assert_eq!(lookup.join().unwrap(), text.as_bytes());
        }
    });
    assert!((1..=6).contains(&server.count()), "{}", server.count());
    assert_eq!(files_under(cache.path()), ["a.so/AB/a.so.sym"]);
}

#[test]
fn https_is_built_in_and_fails_cleanly_against_plain_http() {
    let cache = TempDir::new("cache");
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let plain = std::thread::spawn(move || {
        let (mut conn, _) = listener.accept().unwrap();
        let _ = conn.write_all(b"HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n");
        let _ = conn.shutdown(Shutdown::Write);
    });
    let store = builder(cache.path()).source(format!("https://{addr}")).build().unwrap();
    let e = store.locate("a.so", "AB").unwrap_err();
    assert_eq!(http_kind(&e), HttpErrorKind::Tls, "{e}");
    plain.join().unwrap();
    assert_cache_empty(cache.path());
}
