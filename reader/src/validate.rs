//! Reads everything in a dump once and collects every error found.
//!
//! This is what `mdump dump --check`, the fuzz target and the benchmarks run:
//! each known stream parsed, each entry, string, CodeView record, context and
//! memory range read. Unknown and vendor streams are only bounds-checked.

use crate::error::Error;
use crate::memory::MemoryIndex;
use crate::minidump::Minidump;
use crate::*;
use mdump_format::StreamType;

/// What [`validate()`] found.
#[derive(Debug, Default)]
pub struct Report {
    /// Streams in the directory.
    pub streams: usize,
    /// Entries read (threads, modules, regions, ...).
    pub entries: usize,
    /// Every error met, in reading order.
    pub errors: Vec<Error>,
}

impl Report {
    fn check<T>(&mut self, r: crate::Result<T>) -> Option<T> {
        match r {
            Ok(v) => {
                self.entries += 1;
                Some(v)
            }
            Err(e) => {
                self.errors.push(e);
                None
            }
        }
    }

    fn stream<T>(&mut self, r: crate::Result<Option<T>>) -> Option<T> {
        match r {
            Ok(v) => v,
            Err(e) => {
                self.errors.push(e);
                None
            }
        }
    }
}

/// Reads every stream, entry, string, record, context and memory range of
/// `dump`. Never panics; the work is bounded by the file's size.
pub fn validate(dump: &Minidump<'_>) -> Report {
    let mut r = Report { streams: dump.directory().len(), ..Report::default() };
    for entry in dump.directory() {
        if entry.stream_type.get() != StreamType::UNUSED.0 {
            let loc = dump.location(&entry.location).map_err(|e| e.in_stream(StreamType(entry.stream_type.get())));
            r.check(loc);
        }
    }
    if let Some(s) = r.stream(dump.stream::<SystemInfo>()) {
        r.check(s.csd_version().map(|v| v.is_well_formed()));
    }
    if let Some(threads) = r.stream(dump.stream::<ThreadList>()) {
        for t in threads.iter() {
            r.check(t.stack());
            r.check(t.context());
            if let Some(Some(x)) = r.check(dump.xstate(&t.raw.thread_context)) {
                let _ = (x.ymm_upper(), x.cet_u());
            }
        }
    }
    if let Some(threads) = r.stream(dump.stream::<ThreadExList>()) {
        for i in 0..threads.raw().len() {
            if let Some(s) = threads.stack(i) {
                r.check(s);
            }
            if let Some(c) = threads.context(i) {
                r.check(c);
            }
        }
    }
    if let Some(modules) = r.stream(dump.stream::<ModuleList>()) {
        for m in modules.iter() {
            r.check(m.name().map(|n| n.is_well_formed()));
            r.check(m.codeview());
            r.check(m.debug_misc());
            let _ = (m.code_identifier(), m.debug_identifier(), m.debug_file(), m.version());
        }
    }
    if let Some(e) = r.stream(dump.stream::<Exception>()) {
        r.check(e.context());
        let _ = e.parameters().count();
    }
    if let Some(list) = r.stream(dump.stream::<MemoryList>()) {
        for region in list.iter() {
            r.check(region);
        }
    }
    if let Some(list) = r.stream(dump.stream::<Memory64List>()) {
        for region in list.iter() {
            r.check(region);
        }
    }
    if let Some(m) = r.stream(dump.stream::<MiscInfo>()) {
        let _ =
            (m.process_id(), m.process_create_time(), m.time_zone().map(|t| (t.standard_name(), t.daylight_name())));
        let _ = (m.build_string(), m.dbg_bld_str(), m.xstate_features().count());
    }
    if let Some(list) = r.stream(dump.stream::<ThreadInfoList>()) {
        r.entries += list.iter().count();
    }
    if let Some(names) = r.stream(dump.stream::<ThreadNames>()) {
        for (_, name) in names.iter() {
            r.check(name.map(|n| n.is_well_formed()));
        }
    }
    if let Some(handles) = r.stream(dump.stream::<HandleData>()) {
        for h in handles.iter() {
            if let Some(t) = h.type_name() {
                r.check(t);
            }
            if let Some(o) = h.object_name() {
                r.check(o);
            }
            for info in h.object_infos() {
                r.check(info);
            }
        }
    }
    if let Some(list) = r.stream(dump.stream::<HandleOperationList>()) {
        r.entries += list.iter().map(|op| op.stack().count()).sum::<usize>();
    }
    if let Some(list) = r.stream(dump.stream::<MemoryInfoList>()) {
        r.entries += list.iter().count();
    }
    if let Some(list) = r.stream(dump.stream::<UnloadedModuleList>()) {
        for m in list.iter() {
            r.check(m.name());
        }
    }
    if let Some(list) = r.stream(dump.stream::<TokenList>()) {
        for t in list.iter() {
            r.check(t);
        }
    }
    if let Some(table) = r.stream(dump.stream::<FunctionTable>()) {
        for rec in table.iter() {
            if let Some(rec) = r.check(rec) {
                r.entries += rec.function_entries().count();
            }
        }
    }
    if let Some(c) = r.stream(dump.stream::<CommentA>()) {
        let _ = c.to_string_lossy();
    }
    if let Some(c) = r.stream(dump.stream::<CommentW>()) {
        let _ = c.to_string_lossy();
    }
    let _ = r.stream(dump.stream::<SystemMemoryInfo>());
    let _ = r.stream(dump.stream::<ProcessVmCounters>());
    if let Some(s) = r.stream(dump.stream::<linux::LinuxMaps>()) {
        r.entries += s.entries().count();
    }
    if let Some(s) = r.stream(dump.stream::<linux::LinuxAuxv>()) {
        r.entries += s.entries().count();
    }
    if let Some(s) = r.stream(dump.stream::<linux::LinuxEnviron>()) {
        r.entries += s.vars().count();
    }
    if let Some(s) = r.stream(dump.stream::<linux::LinuxCpuInfo>()) {
        r.entries += s.fields().count();
    }
    if let Some(b) = r.stream(dump.stream::<BreakpadInfo>()) {
        let _ = (b.dump_thread_id(), b.requesting_thread_id());
    }
    if let Some(a) = r.stream(dump.stream::<AssertionInfo>()) {
        let _ = (a.expression(), a.function(), a.file(), a.line(), a.type_name());
    }
    if let Some(d) = r.stream(dump.stream::<LinuxDsoDebug>()) {
        if let Some(maps) = r.check(d.link_maps()) {
            for m in maps.iter() {
                r.check(m.name().map(|n| n.map(|n| n.is_well_formed())));
            }
        }
    }
    if let Some(c) = r.stream(dump.stream::<CrashpadInfo>()) {
        if let Some(d) = r.check(c.simple_annotations()) {
            for e in d.iter() {
                r.check(e);
            }
        }
        if let Some(modules) = r.check(c.module_list()) {
            for m in modules.iter() {
                let Some(m) = r.check(m) else { continue };
                if let Some(l) = r.check(m.list_annotations()) {
                    for s in l.iter() {
                        r.check(s);
                    }
                }
                if let Some(d) = r.check(m.simple_annotations()) {
                    for e in d.iter() {
                        r.check(e);
                    }
                }
                if let Some(a) = r.check(m.annotation_objects()) {
                    for o in a.iter() {
                        r.check(o);
                    }
                }
            }
        }
    }
    // Index the memory (bounds only: no page of captured memory is touched,
    // so validating a 100 GB full-memory dump stays cheap).
    r.check(MemoryIndex::new(dump));
    r
}
