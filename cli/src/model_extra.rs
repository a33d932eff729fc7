//! The less common streams in the dump model.

use crate::model::hex;
use mdump_reader::*;
use serde_json::{json, Map, Value};

fn put<'a, S: Stream<'a>>(
    dump: &Minidump<'a>,
    streams: &mut Map<String, Value>,
    key: &str,
    f: impl FnOnce(S) -> Value,
) {
    match dump.stream::<S>() {
        Ok(None) => {}
        Ok(Some(s)) => {
            streams.insert(key.into(), f(s));
        }
        Err(e) => {
            streams.insert(key.into(), json!({ "error": e.to_string() }));
        }
    }
}

fn string(r: Result<MinidumpStr>) -> Value {
    match r {
        Ok(s) => Value::String(s.to_string_lossy()),
        Err(e) => json!({ "error": e.to_string() }),
    }
}

fn misc_info(m: MiscInfo) -> Value {
    let mut v = Map::new();
    v.insert("version".into(), json!(m.version()));
    v.insert("size_of_info".into(), json!(m.size_of_info()));
    v.insert("flags1".into(), hex(m.flags1()));
    v.insert("process_id".into(), json!(m.process_id()));
    v.insert("process_create_time".into(), json!(m.process_create_time()));
    v.insert("process_user_time".into(), json!(m.process_user_time()));
    v.insert("process_kernel_time".into(), json!(m.process_kernel_time()));
    if let Some(p) = m.processor_power_info() {
        v.insert(
            "processor_power".into(),
            json!({ "max_mhz": p.max_mhz, "current_mhz": p.current_mhz, "mhz_limit": p.mhz_limit,
                    "max_idle_state": p.max_idle_state, "current_idle_state": p.current_idle_state }),
        );
    }
    if let Some(x) = m.process_integrity_level() {
        v.insert("process_integrity_level".into(), hex(x));
    }
    if let Some(x) = m.process_execute_flags() {
        v.insert("process_execute_flags".into(), hex(x));
    }
    if let Some(x) = m.protected_process() {
        v.insert("protected_process".into(), json!(x));
    }
    if let Some(tz) = m.time_zone() {
        v.insert(
            "time_zone".into(),
            json!({ "id": tz.id, "bias": tz.bias(), "standard_name": tz.standard_name(), "daylight_name": tz.daylight_name() }),
        );
    }
    if let Some(s) = m.build_string() {
        v.insert("build_string".into(), json!(s));
    }
    if let Some(s) = m.dbg_bld_str() {
        v.insert("dbg_bld_str".into(), json!(s));
    }
    if let Some(x) = m.xstate_data() {
        v.insert(
            "xstate".into(),
            json!({
                "context_size": x.context_size.get(),
                "enabled_features": hex(x.enabled_features.get()),
                "features": m.xstate_features().map(|(i, f)| json!({ "index": i, "offset": f.offset.get(), "size": f.size.get() })).collect::<Vec<_>>(),
            }),
        );
    }
    if let Some(x) = m.process_cookie() {
        v.insert("process_cookie".into(), hex(x));
    }
    Value::Object(v)
}

fn text(b: &[u8]) -> Value {
    Value::String(String::from_utf8_lossy(b).into_owned())
}

fn error(e: &Error) -> Value {
    json!({ "error": e.to_string() })
}

fn dictionary(d: Result<SimpleStringDictionary>) -> Value {
    match d {
        Err(e) => error(&e),
        Ok(d) => d
            .iter()
            .map(|kv| match kv {
                Ok((k, v)) => json!([text(k), text(v)]),
                Err(e) => error(&e),
            })
            .collect(),
    }
}

fn crashpad(c: CrashpadInfo) -> Value {
    let modules = match c.module_list() {
        Err(e) => error(&e),
        Ok(list) => list
            .iter()
            .map(|m| match m {
                Err(e) => error(&e),
                Ok(m) => json!({
                    "module_index": m.module_index(),
                    "list_annotations": match m.list_annotations() {
                        Ok(l) => l.iter().map(|s| s.map(text).unwrap_or_else(|e| error(&e))).collect(),
                        Err(e) => error(&e),
                    },
                    "simple_annotations": dictionary(m.simple_annotations()),
                    "annotation_objects": match m.annotation_objects() {
                        Ok(l) => l.iter().map(|a| match a {
                            Ok(a) if a.is_string() => json!({ "name": text(a.name), "value": text(a.value) }),
                            Ok(a) => json!({ "name": text(a.name), "type": hex(a.annotation_type()), "size": a.value.len() }),
                            Err(e) => error(&e),
                        }).collect(),
                        Err(e) => error(&e),
                    },
                }),
            })
            .collect(),
    };
    json!({
        "version": c.version(),
        "report_id": mdump_reader::module_list::guid_string(c.report_id()),
        "client_id": mdump_reader::module_list::guid_string(c.client_id()),
        "simple_annotations": dictionary(c.simple_annotations()),
        "modules": modules,
    })
}

fn dso_debug(d: LinuxDsoDebug) -> Value {
    let maps = match d.link_maps() {
        Err(e) => error(&e),
        Ok(maps) => maps
            .iter()
            .map(|m| {
                json!({
                    "addr": hex(m.addr()),
                    "ld": hex(m.ld()),
                    "name": match m.name() {
                        Ok(Some(n)) => Value::String(n.to_string_lossy()),
                        Ok(None) => Value::Null,
                        Err(e) => error(&e),
                    },
                })
            })
            .collect(),
    };
    json!({
        "version": d.version(),
        "dso_count": d.dso_count(),
        "brk": hex(d.brk()),
        "ldbase": hex(d.ldbase()),
        "dynamic": hex(d.dynamic_address()),
        "link_maps": maps,
    })
}

/// Adds the less common streams of `dump` to `streams`.
pub(crate) fn add(dump: &Minidump, streams: &mut Map<String, Value>) {
    put(dump, streams, "misc_info", misc_info);
    put(dump, streams, "thread_names", |n: ThreadNames| {
        n.iter().map(|(id, name)| json!({ "thread_id": hex(id), "name": string(name) })).collect()
    });
    put(dump, streams, "thread_info", |l: ThreadInfoList| {
        l.iter()
            .map(|t| {
                json!({
                    "thread_id": hex(t.thread_id.get()),
                    "dump_flags": hex(t.dump_flags.get()),
                    "dump_error": hex(t.dump_error.get()),
                    "exit_status": hex(t.exit_status.get()),
                    "create_time": t.create_time.get(),
                    "kernel_time": t.kernel_time.get(),
                    "user_time": t.user_time.get(),
                    "start_address": hex(t.start_address.get()),
                    "affinity": hex(t.affinity.get()),
                })
            })
            .collect()
    });
    put(dump, streams, "unloaded_modules", |l: UnloadedModuleList| {
        l.iter()
            .map(|m| {
                json!({ "base_of_image": hex(m.base()), "size_of_image": hex(m.size()),
                        "time_date_stamp": hex(m.raw.time_date_stamp.get()), "code_file": string(m.name()) })
            })
            .collect()
    });
    put(dump, streams, "memory_info", |l: MemoryInfoList| {
        l.iter()
            .map(|r| {
                json!({ "base": hex(r.base()), "size": hex(r.size()), "state": hex(r.state()),
                        "protect": hex(r.access()), "type": hex(r.raw.type_.get()) })
            })
            .collect()
    });
    put(dump, streams, "handles", |h: HandleData| {
        h.iter()
            .map(|x| {
                json!({
                    "handle": hex(x.handle()),
                    "type_name": x.type_name().map(string),
                    "object_name": x.object_name().map(string),
                    "attributes": hex(x.raw.attributes.get()),
                    "granted_access": hex(x.raw.granted_access.get()),
                    "handle_count": x.raw.handle_count.get(),
                    "pointer_count": x.raw.pointer_count.get(),
                })
            })
            .collect()
    });
    put(dump, streams, "handle_operations", |l: HandleOperationList| {
        l.iter()
            .map(|op| {
                json!({ "handle": hex(op.handle()), "operation": op.operation_type(),
                        "stack": op.stack().map(hex).collect::<Vec<_>>() })
            })
            .collect()
    });
    put(dump, streams, "tokens", |l: TokenList| {
        l.iter()
            .map(|t| match t {
                Ok(t) => json!({ "token_id": t.header.token_id.get(), "handle": hex(t.header.token_handle.get()), "size": t.data.len() }),
                Err(e) => json!({ "error": e.to_string() }),
            })
            .collect()
    });
    put(dump, streams, "function_table", |t: FunctionTable| {
        t.iter()
            .map(|r| match r {
                Ok(r) => json!({
                    "minimum_address": hex(r.descriptor.minimum_address.get()),
                    "maximum_address": hex(r.descriptor.maximum_address.get()),
                    "base_address": hex(r.descriptor.base_address.get()),
                    "entry_count": r.descriptor.entry_count.get(),
                }),
                Err(e) => json!({ "error": e.to_string() }),
            })
            .collect()
    });
    put(dump, streams, "system_memory_info", |s: SystemMemoryInfo| {
        let b = s.basic_info();
        json!({
            "revision": s.revision(),
            "flags": hex(s.flags()),
            "page_size": b.page_size.get(),
            "number_of_physical_pages": b.number_of_physical_pages.get(),
            "number_of_processors": b.number_of_processors.get(),
        })
    });
    put(dump, streams, "process_vm_counters", |c: ProcessVmCounters| {
        json!({
            "revision": c.revision(),
            "flags": hex(c.flags()),
            "page_fault_count": c.page_fault_count(),
            "private_usage": c.private_usage(),
        })
    });
    put(dump, streams, "breakpad_info", |b: BreakpadInfo| {
        json!({ "validity": hex(b.validity()), "dump_thread_id": b.dump_thread_id().map(hex),
                "requesting_thread_id": b.requesting_thread_id().map(hex) })
    });
    put(dump, streams, "assertion", |a: AssertionInfo| {
        json!({ "expression": a.expression(), "function": a.function(), "file": a.file(), "line": a.line(),
                "type": a.type_name() })
    });
    put(dump, streams, "crashpad_info", crashpad);
    put(dump, streams, "linux_dso_debug", dso_debug);
    put(dump, streams, "mdump_write_errors", |w: mdump_reader::write_errors::WriteErrors| {
        w.entries()
            .map(|(t, reason)| json!({ "stream_type": t.map(|t| hex(t.0)), "name": t.and_then(|t| t.name()), "reason": text(reason) }))
            .collect()
    });
    put(dump, streams, "comment", |c: CommentA| Value::String(c.to_string_lossy()));
    put(dump, streams, "comment_w", |c: CommentW| Value::String(c.to_string_lossy()));
}
