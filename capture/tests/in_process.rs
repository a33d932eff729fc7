//! The handler installed in this very test process: `write_dump_now` from a
//! spawned thread, twice (the dump slot is released), and a second
//! `install` refused. One test only: the handler is process-wide.

use mdump_capture::handler::{self, HandlerOptions};
use mdump_format::exception_codes::linux as sig;
use mdump_reader::{Exception, Minidump, ThreadList, ThreadNames};

/// The handler address and flags of a signal's disposition.
fn disposition(signal: i32) -> (usize, i32) {
    // SAFETY: a query (null new action) into a zeroed struct.
    unsafe {
        let mut old: libc::sigaction = core::mem::zeroed();
        libc::sigaction(signal, core::ptr::null(), &mut old);
        (old.sa_sigaction, old.sa_flags)
    }
}

#[test]
fn write_dump_now_in_process() {
    let dir = std::path::PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("capture").join("in-process");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let before = disposition(libc::SIGSEGV);
    handler::install(HandlerOptions::new(&dir)).unwrap();
    assert_ne!(disposition(libc::SIGSEGV), before, "ours is installed");
    assert!(handler::install(HandlerOptions::new(&dir)).is_err(), "installed twice");
    let helper = handler::helper_pid().unwrap();
    // The helper keeps nothing of ours open: /dev/null as 0-2, its socket.
    // (It lets go of them just after the fork: wait until it has.)
    let mut fds = Vec::new();
    for _ in 0..500 {
        fds = std::fs::read_dir(format!("/proc/{helper}/fd"))
            .unwrap()
            // An entry may go between listing and reading it: the helper
            // is closing descriptors right now.
            .filter_map(|e| std::fs::read_link(e.ok()?.path()).ok())
            .map(|target| target.to_string_lossy().into_owned())
            .collect();
        // Wait for the whole end state: the count alone is 4 before the
        // helper repoints 1 and 2 when they were not /dev/null already.
        let nulls = fds.iter().filter(|f| *f == "/dev/null").count();
        if fds.len() == 4 && nulls == 3 {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    fds.sort();
    assert_eq!(fds.iter().filter(|f| *f == "/dev/null").count(), 3, "{fds:?}");
    assert!(fds.iter().any(|f| f.starts_with("socket:")), "{fds:?}");
    assert_eq!(fds.len(), 4, "{fds:?}");
    // ... and is a session of its own (terminal signals to our group miss it).
    let stat = std::fs::read_to_string(format!("/proc/{helper}/stat")).unwrap();
    let fields: Vec<&str> = stat.rsplit_once(") ").unwrap().1.split(' ').collect();
    assert_eq!(fields[3], helper.to_string(), "session id (field 6) is the helper's pid: {stat}");

    for round in 0..2 {
        let (tid, path) = std::thread::Builder::new()
            .name(format!("requester-{round}"))
            .spawn(|| {
                // SAFETY: gettid has no preconditions.
                let tid = unsafe { libc::gettid() } as u32;
                (tid, handler::write_dump_now().unwrap())
            })
            .unwrap()
            .join()
            .unwrap();
        assert!(path.starts_with(std::fs::canonicalize(&dir).unwrap()), "{}", path.display());
        let bytes = std::fs::read(&path).unwrap();
        let dump = Minidump::parse(&bytes).unwrap();
        let e: Exception = dump.stream().unwrap().unwrap();
        assert_eq!(e.code(), sig::DUMP_REQUESTED);
        assert_eq!(e.thread_id(), tid);
        let threads: ThreadList = dump.stream().unwrap().unwrap();
        assert!(threads.by_id(tid).is_some());
        // SAFETY: getpid has no preconditions.
        assert!(threads.by_id(unsafe { libc::getpid() } as u32).is_some(), "the main thread");
        let names: ThreadNames = dump.stream().unwrap().unwrap();
        assert_eq!(names.by_id(tid).unwrap().unwrap().to_string(), format!("requester-{round}"));
        // The requesting thread's stack holds its stack pointer.
        let t = threads.by_id(tid).unwrap();
        let sp = e.context().unwrap().stack_pointer();
        assert!(t.stack().unwrap().contains(sp, 8));
    }
    let dumps = std::fs::read_dir(&dir).unwrap().count();
    assert_eq!(dumps, 2);

    // Uninstalled: the helper is gone, the dispositions are back, and a
    // dump needs a new install.
    let helper = handler::helper_pid().unwrap();
    handler::uninstall().unwrap();
    assert_eq!(disposition(libc::SIGSEGV), before, "the previous SIGSEGV handler is back");
    assert!(handler::helper_pid().is_none());
    assert!(!std::path::Path::new(&format!("/proc/{helper}")).exists(), "helper {helper} still there");
    assert!(matches!(handler::write_dump_now(), Err(mdump_capture::CaptureError::NotInstalled)));
    handler::install(HandlerOptions::new(&dir)).unwrap();
    handler::write_dump_now().unwrap();
    assert_eq!(std::fs::read_dir(&dir).unwrap().count(), 3);
    handler::uninstall().unwrap();
}
