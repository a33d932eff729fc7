//! The whole dump as a tree of named values: what `mdump dump --json` prints
//! and what the human format lays out as indented text. One model, two
//! renderings, so the two formats cannot drift apart.
//!
//! Addresses and other 64-bit quantities are hex strings ("0x7ff75355af42"):
//! JSON numbers lose precision above 2^53 in most consumers. Errors are kept
//! next to what they concern ("error": "...") so a damaged dump still shows
//! everything readable.

use mdump_format::StreamType;
use mdump_reader::linux::*;
use mdump_reader::*;
use serde_json::{json, Map, Value};

pub(crate) fn hex(v: impl Into<u64>) -> Value {
    Value::String(format!("{:#x}", v.into()))
}

fn text(b: &[u8]) -> Value {
    Value::String(String::from_utf8_lossy(b).into_owned())
}

fn err(e: &Error) -> Value {
    json!({ "error": e.to_string() })
}

fn stream<'a, S: Stream<'a>>(dump: &Minidump<'a>, f: impl FnOnce(S) -> Value) -> Option<Value> {
    match dump.stream::<S>() {
        Ok(None) => None,
        Ok(Some(s)) => Some(f(s)),
        Err(e) => Some(err(&e)),
    }
}

fn context(c: Result<Context<'_>>) -> Value {
    match c {
        Err(e) => err(&e),
        Ok(c) => crate::registers::context_json(&c),
    }
}

fn system_info(s: SystemInfo) -> Value {
    let r = s.raw;
    let mut v = json!({
        "os": s.os_name(),
        "cpu": s.cpu_name(),
        "processor_architecture": r.processor_architecture.get(),
        "processor_level": r.processor_level.get(),
        "processor_revision": hex(r.processor_revision.get()),
        "number_of_processors": r.number_of_processors,
        "product_type": r.product_type,
        "os_version": format!("{}.{}.{}", r.major_version.get(), r.minor_version.get(), r.build_number.get()),
        "platform_id": hex(r.platform_id.get()),
        "suite_mask": hex(r.suite_mask.get()),
        "csd_version": match s.csd_version() { Ok(v) => Value::String(v.to_string_lossy()), Err(e) => err(&e) },
    });
    if let Some(vendor) = s.cpu_vendor().filter(|v| v.iter().all(|b| b.is_ascii_graphic())) {
        let x = s.raw.cpu.x86();
        v["cpu_vendor"] = text(&vendor);
        v["cpu_version_information"] = hex(x.version_information.get());
        v["cpu_feature_information"] = hex(x.feature_information.get());
    } else {
        let o = s.raw.cpu.other();
        v["processor_features"] = json!([hex(o.processor_features[0].get()), hex(o.processor_features[1].get())]);
    }
    v
}

fn thread(t: Thread) -> Value {
    let r = t.raw;
    let mut v = json!({
        "thread_id": hex(r.thread_id.get()),
        "suspend_count": r.suspend_count.get(),
        "priority_class": hex(r.priority_class.get()),
        "priority": r.priority.get(),
        "teb": hex(r.teb.get()),
        "stack": { "start": hex(r.stack.start_of_memory_range.get()), "size": r.stack.memory.data_size.get(), "rva": hex(r.stack.memory.rva.get()) },
        "context": context(t.context()),
    });
    match t.xstate() {
        Ok(None) => {}
        Ok(Some(x)) => {
            v["xstate"] = json!({
                "mask": hex(x.header.mask.get()),
                "compaction_mask": hex(x.header.compaction_mask.get()),
                "cet_ssp": x.cet_u().map(|c| hex(c.ssp())),
            })
        }
        Err(e) => v["xstate"] = err(&e),
    }
    v
}

fn module(m: Module) -> Value {
    let r = m.raw;
    let cv = match m.codeview() {
        Ok(None) => Value::Null,
        Err(e) => err(&e),
        Ok(Some(CodeView::Pdb70 { raw, pdb_file_name })) => json!({
            "signature": "RSDS",
            "guid": mdump_reader::module_list::guid_string(&raw.signature),
            "age": raw.age.get(),
            "pdb_file_name": text(pdb_file_name),
        }),
        Ok(Some(CodeView::Pdb20 { raw, pdb_file_name })) => json!({
            "signature": "NB10",
            "pdb_signature": hex(raw.signature.get()),
            "age": raw.age.get(),
            "pdb_file_name": text(pdb_file_name),
        }),
        Ok(Some(CodeView::Elf { build_id })) => json!({
            "signature": "BpEL",
            "build_id": mdump_reader::module_list::hex(build_id),
        }),
        Ok(Some(CodeView::Unknown { signature, bytes })) => json!({
            "signature": hex(signature),
            "size": bytes.len(),
        }),
    };
    json!({
        "base_of_image": hex(r.base_of_image.get()),
        "size_of_image": hex(r.size_of_image.get()),
        "checksum": hex(r.checksum.get()),
        "time_date_stamp": hex(r.time_date_stamp.get()),
        "code_file": match m.name() { Ok(n) => Value::String(n.to_string_lossy()), Err(e) => err(&e) },
        "code_identifier": m.code_identifier().map(|x| x.to_string()),
        "debug_file": m.debug_file().map(|x| x.to_string()),
        "debug_identifier": m.debug_identifier().map(|x| x.to_string()),
        "version": m.version().map(|x| x.to_string()),
        "cv_record": cv,
    })
}

fn region(r: Result<MemoryRegion>) -> Value {
    match r {
        Ok(r) => json!({ "start": hex(r.base), "size": r.size(), "rva": hex(r.bytes.base()) }),
        Err(e) => err(&e),
    }
}

fn exception(e: Exception, os: &str) -> Value {
    let r = &e.raw.exception_record;
    json!({
        "thread_id": hex(e.thread_id()),
        "exception_code": hex(e.code()),
        "exception_name": crate::crash_reason::name(os, e.code(), r.exception_flags.get(), &e.parameters().collect::<Vec<_>>()),
        "exception_flags": hex(r.exception_flags.get()),
        "exception_record": hex(r.exception_record.get()),
        "exception_address": hex(e.address()),
        "parameters": e.parameters().map(hex).collect::<Vec<_>>(),
        "context": context(e.context()),
    })
}

/// The model of the whole dump.
pub fn build(dump: &Minidump) -> Value {
    let h = dump.header();
    let mut root = Map::new();
    root.insert(
        "header".into(),
        json!({
            "signature": hex(h.signature.get()),
            "version": hex(h.version.get()),
            "stream_count": h.stream_count.get(),
            "stream_directory_rva": hex(h.stream_directory_rva.get()),
            "checksum": hex(h.checksum.get()),
            "time_date_stamp": h.time_date_stamp.get(),
            "flags": hex(h.flags.get()),
        }),
    );
    let directory: Vec<Value> = dump
        .directory()
        .iter()
        .map(|d| {
            let t = StreamType(d.stream_type.get());
            json!({
                "stream_type": hex(t.0),
                "name": t.name(),
                "size": d.location.data_size.get(),
                "rva": hex(d.location.rva.get()),
            })
        })
        .collect();
    root.insert("directory".into(), Value::Array(directory));

    let mut streams = Map::new();
    let mut put = |k: &str, v: Option<Value>| {
        if let Some(v) = v {
            streams.insert(k.into(), v);
        }
    };
    put("system_info", stream(dump, system_info));
    let os = dump.stream::<SystemInfo>().ok().flatten().map_or("unknown", |s| s.os_name());
    put("exception", stream(dump, |e| exception(e, os)));
    put("threads", stream(dump, |l: ThreadList| l.iter().map(thread).collect()));
    put("modules", stream(dump, |l: ModuleList| l.iter().map(module).collect()));
    put("memory_list", stream(dump, |l: MemoryList| l.iter().map(region).collect()));
    put(
        "memory64_list",
        stream(
            dump,
            |l: Memory64List| json!({ "base_rva": hex(l.header.base_rva.get()), "ranges": l.iter().map(region).collect::<Vec<_>>() }),
        ),
    );
    put("linux_cpu_info", stream(dump, |s: LinuxCpuInfo| text(s.bytes)));
    put("linux_proc_status", stream(dump, |s: LinuxProcStatus| text(s.bytes)));
    put("linux_lsb_release", stream(dump, |s: LinuxLsbRelease| text(s.bytes)));
    put("linux_cmd_line", stream(dump, |s: LinuxCmdLine| s.args().map(text).collect()));
    put("linux_environ", stream(dump, |s: LinuxEnviron| s.vars().map(|(k, v)| json!([text(k), text(v)])).collect()));
    put("linux_auxv", stream(dump, |s: LinuxAuxv| s.entries().map(|(k, v)| json!([k, hex(v)])).collect()));
    put(
        "linux_maps",
        stream(dump, |s: LinuxMaps| {
            s.entries()
                .map(|e| match e {
                    Ok(m) => json!({ "start": hex(m.start), "end": hex(m.end), "perms": text(m.perms), "offset": hex(m.offset), "path": text(m.path) }),
                    Err(line) => json!({ "unparsed": text(line) }),
                })
                .collect()
        }),
    );
    crate::model_extra::add(dump, &mut streams);
    root.insert("streams".into(), Value::Object(streams));

    let report = mdump_reader::validate::validate(dump);
    root.insert("errors".into(), report.errors.iter().map(|e| Value::String(e.to_string())).collect());
    Value::Object(root)
}
