//! Every real dump of the shared corpus opens, and its main streams parse.
//! The malformed ones end in clean errors.

use mdump_reader::{Exception, MemoryIndex, Minidump, ModuleList, SystemInfo, ThreadList};
use mdump_testkit::corpus::corpus_dir;
use std::path::PathBuf;

fn dumps(dir: &std::path::Path) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(dir.join("dumps"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "dmp"))
        .filter(|p| !p.file_name().unwrap().to_string_lossy().starts_with("microdump-"))
        .collect();
    v.sort();
    v
}

#[test]
fn every_real_dump_opens_and_its_main_streams_parse() {
    let Some(dir) = corpus_dir("dumps") else { return };
    let mut opened = 0;
    for path in dumps(&dir) {
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        if name.starts_with("rm-invalid") {
            continue;
        }
        let bytes = std::fs::read(&path).unwrap();
        let dump = Minidump::parse(&bytes).unwrap_or_else(|e| panic!("{name}: {e}"));
        let sys = dump.stream::<SystemInfo>().unwrap().unwrap_or_else(|| panic!("{name}: no system info"));
        assert!(matches!(sys.cpu_name(), "x86" | "amd64"), "{name}: {}", sys.cpu_name());
        let threads = dump.stream::<ThreadList>().unwrap().unwrap();
        assert!(!threads.is_empty(), "{name}");
        for t in threads.iter() {
            let ctx = t.context().unwrap_or_else(|e| panic!("{name}: thread {:#x}: {e}", t.id()));
            let want = if sys.cpu_name() == "x86" { "X86" } else { "Amd64" };
            assert_eq!(format!("{:?}", ctx.kind()), want, "{name}");
            t.stack().unwrap_or_else(|e| panic!("{name}: {e}"));
        }
        let modules = dump.stream::<ModuleList>().unwrap().unwrap();
        assert!(!modules.is_empty());
        for m in modules.iter() {
            assert!(!m.code_file().is_empty(), "{name}");
            assert!(m.debug_identifier().is_some(), "{name}: {}", m.code_file());
        }
        let exc = dump.stream::<Exception>().unwrap().unwrap();
        assert!(threads.by_id(exc.thread_id()).is_some(), "{name}: crashing thread not in the list");
        exc.context().unwrap_or_else(|e| panic!("{name}: exception context: {e}"));
        // The crashing thread's stack is in captured memory.
        let index = MemoryIndex::new(&dump).unwrap();
        let stack = threads.by_id(exc.thread_id()).unwrap().raw.stack.start_of_memory_range.get();
        if !index.regions().is_empty() {
            assert!(index.region_at(stack).is_some() || name.starts_with("linux"), "{name}: stack {stack:#x}");
        }
        opened += 1;
    }
    assert!(opened >= 34, "only {opened} dumps read");
}

#[test]
fn malformed_dumps_end_in_clean_errors() {
    let Some(dir) = corpus_dir("dumps") else { return };
    for name in ["rm-invalid-range.dmp", "rm-invalid-record-count.dmp"] {
        let bytes = std::fs::read(dir.join("dumps").join(name)).unwrap();
        let Ok(dump) = Minidump::parse(&bytes) else { continue };
        let mut errors = 0;
        for entry in dump.directory() {
            errors += dump.location(&entry.location).is_err() as u32;
        }
        errors += dump.stream::<ThreadList>().is_err() as u32;
        errors += dump.stream::<ModuleList>().is_err() as u32;
        errors += dump.stream::<mdump_reader::MemoryList>().is_err() as u32;
        if let Ok(Some(m)) = dump.stream::<mdump_reader::MemoryList>() {
            errors += m.iter().filter(|r| r.is_err()).count() as u32;
        }
        if let Ok(Some(t)) = dump.stream::<ThreadList>() {
            errors += t.iter().filter(|t| t.stack().is_err() || t.context().is_err()).count() as u32;
        }
        assert!(errors > 0, "{name}: no error found in a malformed dump");
    }
}
