//! [`print_json`](super::print_json) without the tree: the report written
//! straight to its output, every object's fields emitted in sorted key
//! order, in exactly the bytes `serde_json::to_writer` (compact) or
//! `serde_json::to_writer_pretty` would print for [`to_json`](super::to_json).

use super::{
    crash_type, module_order, os_version, shown_registers, thread_entries, windows_error_name, Hex, ThreadEntry,
    WALK_NOTE_KEY,
};
use crate::code_module::{file_name, CodeModule, SymbolStatus};
use crate::frame::{FrameTrust, StackFrame};
use crate::process_state::{CallStack, ProcessState};
use crate::registers::Registers;
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::io::{self, Write};

/// A JSON writer with serde_json's layout: compact, or pretty as its
/// `PrettyFormatter` (two spaces a level, `"key": value`, `[]` and `{}` when
/// empty). The caller writes keys in the order they must appear.
pub(super) struct JsonWriter<W: Write> {
    out: W,
    pretty: bool,
    /// For every open array or object, whether nothing is in it yet.
    empty: Vec<bool>,
}

impl<W: Write> JsonWriter<W> {
    pub(super) fn new(out: W, pretty: bool) -> Self {
        JsonWriter { out, pretty, empty: Vec::with_capacity(8) }
    }

    pub(super) fn into_inner(self) -> W {
        self.out
    }

    fn open(&mut self, bracket: &[u8]) -> io::Result<()> {
        self.empty.push(true);
        self.out.write_all(bracket)
    }

    fn close(&mut self, bracket: &[u8]) -> io::Result<()> {
        let empty = self.empty.pop().unwrap_or(true);
        if self.pretty && !empty {
            self.newline_and_indent()?;
        }
        self.out.write_all(bracket)
    }

    fn newline_and_indent(&mut self) -> io::Result<()> {
        self.out.write_all(b"\n")?;
        for _ in 0..self.empty.len() {
            self.out.write_all(b"  ")?;
        }
        Ok(())
    }

    /// The separator before the next member of the innermost container.
    fn member(&mut self) -> io::Result<()> {
        let first = self.empty.last_mut().map(|e| std::mem::replace(e, false)).unwrap_or(true);
        if !first {
            self.out.write_all(b",")?;
        }
        if self.pretty {
            self.newline_and_indent()?;
        }
        Ok(())
    }

    pub(super) fn begin_object(&mut self) -> io::Result<()> {
        self.open(b"{")
    }

    pub(super) fn end_object(&mut self) -> io::Result<()> {
        self.close(b"}")
    }

    pub(super) fn begin_array(&mut self) -> io::Result<()> {
        self.open(b"[")
    }

    pub(super) fn end_array(&mut self) -> io::Result<()> {
        self.close(b"]")
    }

    /// Starts the next element of the array being written.
    pub(super) fn element(&mut self) -> io::Result<()> {
        self.member()
    }

    /// Starts the field `key` of the object being written; its value comes
    /// next.
    pub(super) fn key(&mut self, key: &str) -> io::Result<()> {
        self.member()?;
        self.escaped(key)?;
        self.out.write_all(if self.pretty { b": " } else { b":" })
    }

    pub(super) fn null(&mut self) -> io::Result<()> {
        self.out.write_all(b"null")
    }

    pub(super) fn bool(&mut self, value: bool) -> io::Result<()> {
        self.out.write_all(if value { b"true" } else { b"false" })
    }

    pub(super) fn u64(&mut self, value: u64) -> io::Result<()> {
        write!(self.out, "{value}")
    }

    pub(super) fn str(&mut self, value: &str) -> io::Result<()> {
        self.escaped(value)
    }

    /// `"0x..."`: `value` in lower-case hexadecimal, `digits` digits at least.
    pub(super) fn hex(&mut self, value: u64, digits: usize) -> io::Result<()> {
        write!(self.out, "\"{value:#0width$x}\"", width = digits + 2)
    }

    pub(super) fn opt_str(&mut self, value: Option<&str>) -> io::Result<()> {
        match value {
            Some(s) => self.str(s),
            None => self.null(),
        }
    }

    pub(super) fn opt_u64(&mut self, value: Option<u64>) -> io::Result<()> {
        match value {
            Some(n) => self.u64(n),
            None => self.null(),
        }
    }

    /// Any value, as it is (its objects' keys in their order).
    pub(super) fn value(&mut self, value: &Value) -> io::Result<()> {
        match value {
            Value::Null => self.null(),
            Value::Bool(b) => self.bool(*b),
            Value::Number(n) => serde_json::to_writer(&mut self.out, n).map_err(io::Error::from),
            Value::String(s) => self.str(s),
            Value::Array(items) => {
                self.begin_array()?;
                for item in items {
                    self.element()?;
                    self.value(item)?;
                }
                self.end_array()
            }
            Value::Object(map) => {
                self.begin_object()?;
                for (key, item) in map {
                    self.key(key)?;
                    self.value(item)?;
                }
                self.end_object()
            }
        }
    }

    /// `text` as a JSON string, escaped as serde_json escapes it: `\"`,
    /// `\\`, `\b`, `\t`, `\n`, `\f`, `\r`, other control characters as
    /// `\u00xx`; everything else (DEL and non-ASCII too) as it is.
    fn escaped(&mut self, text: &str) -> io::Result<()> {
        const HEX: &[u8; 16] = b"0123456789abcdef";
        let bytes = text.as_bytes();
        self.out.write_all(b"\"")?;
        let mut start = 0;
        for (i, &byte) in bytes.iter().enumerate() {
            let short: &[u8] = match byte {
                b'"' => b"\\\"",
                b'\\' => b"\\\\",
                0x08 => b"\\b",
                b'\t' => b"\\t",
                b'\n' => b"\\n",
                0x0c => b"\\f",
                b'\r' => b"\\r",
                0x00..=0x1f => b"",
                _ => continue,
            };
            self.out.write_all(bytes.get(start..i).unwrap_or_default())?;
            if short.is_empty() {
                let hi = HEX.get(usize::from(byte >> 4)).copied().unwrap_or(b'0');
                let lo = HEX.get(usize::from(byte & 0xf)).copied().unwrap_or(b'0');
                self.out.write_all(&[b'\\', b'u', b'0', b'0', hi, lo])?;
            } else {
                self.out.write_all(short)?;
            }
            start = i + 1;
        }
        self.out.write_all(bytes.get(start..).unwrap_or_default())?;
        self.out.write_all(b"\"")
    }
}

/// Writes the report of `state` (the same as [`to_json`](super::to_json)'s
/// tree, printed) to `w`.
pub(super) fn write_report<W: Write>(state: &ProcessState, w: &mut JsonWriter<W>) -> io::Result<()> {
    let hex = Hex::for_cpu(&state.system.cpu);
    let (entries, crashing_index) = thread_entries(state);
    // The crashing thread is repeated when its context gave a frame: that
    // frame's registers go into the copy's frame 0.
    let crashing = crashing_index.and_then(|index| match entries.get(index) {
        Some(ThreadEntry::Stack(stack)) => {
            stack.frames.iter().find(|f| f.trust != FrameTrust::Inline).map(|f| (index, &f.registers))
        }
        _ => None,
    });
    let record = state.exception.as_ref().filter(|_| state.crashed);

    w.begin_object()?;
    w.key("crash_info")?;
    {
        w.begin_object()?;
        w.key("address")?;
        match record {
            Some(_) => w.hex(state.crash_address, hex.digits)?,
            None => w.null()?,
        }
        let analysis = super::analysis::analysis_entries(&state.analysis);
        let analysis_value = |key: &str, w: &mut JsonWriter<W>| -> io::Result<()> {
            w.key(key)?;
            match analysis.iter().find(|(k, _)| *k == key) {
                Some((_, value)) if record.is_some() => w.value(value),
                _ => w.null(),
            }
        };
        analysis_value("adjusted_address", w)?;
        w.key("assertion")?;
        w.opt_str(state.assertion.as_deref())?;
        analysis_value("crash_inconsistencies", w)?;
        w.key("crashing_thread")?;
        w.opt_u64(crashing_index.map(|i| i as u64))?;
        for key in ["instruction", "instruction_pointer_update", "memory_accesses", "possible_bit_flips"] {
            analysis_value(key, w)?;
        }
        w.key("type")?;
        match record {
            Some(r) => w.str(&crash_type(r, &state.system))?,
            None => w.null()?,
        }
        w.end_object()?;
    }
    if let Some((index, registers)) = crashing {
        if let Some(ThreadEntry::Stack(stack)) = entries.get(index) {
            w.key("crashing_thread")?;
            write_stack(state, stack, hex, Some((index, registers)), w)?;
        }
    }
    w.key("handles")?;
    w.null()?;
    w.key("linux_memory_map_count")?;
    w.opt_u64(state.linux_memory_map_count.map(|n| n as u64))?;
    w.key("lsb_release")?;
    match &state.system.lsb_release {
        Some(l) => {
            w.begin_object()?;
            for (key, value) in
                [("codename", &l.codename), ("description", &l.description), ("id", &l.id), ("release", &l.release)]
            {
                w.key(key)?;
                w.str(value)?;
            }
            w.end_object()?;
        }
        None => w.null()?,
    }
    w.key("mac_boot_args")?;
    w.null()?;
    w.key("mac_crash_info")?;
    w.null()?;
    let mut modules = module_order(state).filter_map(|i| state.modules.get(i)).peekable();
    w.key("main_module")?;
    w.opt_u64(modules.peek().map(|_| 0))?;
    w.key("modules")?;
    w.begin_array()?;
    for m in modules {
        w.element()?;
        write_module(m, hex, w)?;
    }
    w.end_array()?;
    w.key("modules_contains_cert_info")?;
    w.bool(false)?;
    w.key("pid")?;
    w.opt_u64(state.process_id.map(u64::from))?;
    w.key("proc_limits")?;
    w.null()?;
    w.key("process_uptime")?;
    w.opt_u64(state.process_create_time.map(|start| u64::from(state.time_date_stamp.saturating_sub(start))))?;
    w.key("soft_errors")?;
    match state.soft_errors.as_deref().and_then(|text| serde_json::from_str::<Value>(text).ok()) {
        Some(mut errors) => {
            errors.sort_all_objects();
            w.value(&errors)?;
        }
        None => w.null()?,
    }
    w.key("status")?;
    w.str("OK")?;
    w.key("system_info")?;
    write_system(state, w)?;
    w.key("thread_count")?;
    w.u64(entries.len() as u64)?;
    w.key("threads")?;
    w.begin_array()?;
    for entry in &entries {
        w.element()?;
        match entry {
            ThreadEntry::Stack(stack) => write_stack(state, stack, hex, None, w)?,
            ThreadEntry::Skipped(id) => {
                w.begin_object()?;
                w.key("frame_count")?;
                w.u64(0)?;
                w.key("frames")?;
                w.begin_array()?;
                w.end_array()?;
                w.key("last_error_value")?;
                w.null()?;
                w.key("thread_id")?;
                w.u64(u64::from(*id))?;
                w.key("thread_name")?;
                w.null()?;
                w.end_object()?;
            }
        }
    }
    w.end_array()?;
    w.key("unloaded_modules")?;
    w.begin_array()?;
    for m in &state.unloaded_modules {
        w.element()?;
        w.begin_object()?;
        w.key("base_addr")?;
        w.hex(m.base, hex.digits)?;
        w.key("cert_subject")?;
        w.null()?;
        w.key("code_id")?;
        w.str(&format!("{:08x}{:x}", m.time_date_stamp, m.size))?;
        w.key("end_addr")?;
        w.hex(m.base.wrapping_add(m.size), hex.digits)?;
        w.key("filename")?;
        w.str(&m.code_file)?;
        w.end_object()?;
    }
    w.end_array()?;
    w.end_object()
}

/// A walked thread; as the crashing thread (with its index in the thread
/// list and frame 0's registers) when `crashing` is given.
fn write_stack<W: Write>(
    state: &ProcessState,
    stack: &CallStack,
    hex: Hex,
    crashing: Option<(usize, &Registers)>,
    w: &mut JsonWriter<W>,
) -> io::Result<()> {
    let frames = &stack.frames;
    // Inlined frames with a frame after them fold into the next frame that
    // is not folded.
    let folded = |i: usize| frames.get(i).is_some_and(|f| f.trust == FrameTrust::Inline) && i + 1 < frames.len();
    w.begin_object()?;
    w.key("frame_count")?;
    w.u64((0..frames.len()).filter(|&i| !folded(i)).count() as u64)?;
    w.key("frames")?;
    w.begin_array()?;
    let (mut index, mut inlines_start) = (0, 0);
    for (i, frame) in frames.iter().enumerate() {
        if folded(i) {
            continue;
        }
        let inlines = frames.get(inlines_start..i).unwrap_or_default();
        let registers = crashing.filter(|_| index == 0).map(|(_, r)| r);
        w.element()?;
        write_frame(state, frame, index, inlines, registers, hex, w)?;
        index += 1;
        inlines_start = i + 1;
    }
    w.end_array()?;
    w.key("last_error_value")?;
    match stack.last_error {
        Some(code) => w.str(&windows_error_name(code))?,
        None => w.null()?,
    }
    if let Some(note) = &stack.note {
        w.key(WALK_NOTE_KEY)?;
        w.str(note)?;
    }
    w.key("thread_id")?;
    w.u64(u64::from(stack.thread_id))?;
    w.key("thread_name")?;
    w.opt_str(stack.name.as_deref())?;
    if let Some((index, _)) = crashing {
        w.key("threads_index")?;
        w.u64(index as u64)?;
    }
    w.end_object()
}

fn write_frame<W: Write>(
    state: &ProcessState,
    frame: &StackFrame,
    index: usize,
    inlines: &[StackFrame],
    registers: Option<&Registers>,
    hex: Hex,
    w: &mut JsonWriter<W>,
) -> io::Result<()> {
    let at = frame.instruction;
    let module = frame.module.and_then(|m| state.modules.get(m));
    let symbolized = frame.function_name.is_some();
    w.begin_object()?;
    w.key("file")?;
    w.opt_str(frame.source_file.as_deref())?;
    w.key("frame")?;
    w.u64(index as u64)?;
    w.key("function")?;
    w.opt_str(frame.function_name.as_deref())?;
    w.key("function_offset")?;
    match frame.function_base.filter(|_| symbolized) {
        Some(base) => w.hex(at.wrapping_sub(base), hex.digits)?,
        None => w.null()?,
    }
    w.key("inlines")?;
    if inlines.is_empty() {
        w.null()?;
    } else {
        w.begin_array()?;
        for inline in inlines {
            w.element()?;
            w.begin_object()?;
            w.key("file")?;
            w.opt_str(inline.source_file.as_deref())?;
            w.key("function")?;
            w.opt_str(inline.function_name.as_deref())?;
            w.key("line")?;
            w.opt_u64(inline.source_line.map(u64::from))?;
            w.end_object()?;
        }
        w.end_array()?;
    }
    w.key("line")?;
    w.opt_u64(frame.source_line.map(u64::from))?;
    w.key("missing_symbols")?;
    w.bool(!symbolized)?;
    w.key("module")?;
    w.opt_str(module.map(|m| m.code_file_name()))?;
    w.key("module_offset")?;
    match module {
        Some(m) => w.hex(at.wrapping_sub(m.base), hex.digits)?,
        None => w.null()?,
    }
    w.key("offset")?;
    w.hex(at, hex.digits)?;
    if let Some(registers) = registers {
        w.key("registers")?;
        write_registers(registers, w)?;
    }
    w.key("trust")?;
    w.str(frame.trust.json_name())?;
    w.key("unloaded_modules")?;
    if module.is_some() {
        w.null()?;
    } else {
        write_unloaded_modules_at(state, at, hex, w)?;
    }
    w.end_object()
}

/// As `unloaded_modules_at`: the unloaded modules that held `address`, by
/// name, each with its offsets; `null` when there are none.
fn write_unloaded_modules_at<W: Write>(
    state: &ProcessState,
    address: u64,
    hex: Hex,
    w: &mut JsonWriter<W>,
) -> io::Result<()> {
    if !state.unloaded_modules.iter().any(|m| m.contains(address)) {
        return w.null();
    }
    let mut by_name: BTreeMap<&str, BTreeSet<u64>> = BTreeMap::new();
    for m in state.unloaded_modules.iter().filter(|m| m.contains(address)) {
        by_name.entry(&m.code_file).or_default().insert(address - m.base);
    }
    w.begin_array()?;
    for (name, offsets) in by_name {
        w.element()?;
        w.begin_object()?;
        w.key("module")?;
        w.str(name)?;
        w.key("offsets")?;
        w.begin_array()?;
        for offset in offsets {
            w.element()?;
            w.hex(offset, hex.digits)?;
        }
        w.end_array()?;
        w.end_object()?;
    }
    w.end_array()
}

/// As `registers_json`: the registers the frame knows, sorted by name.
fn write_registers<W: Write>(registers: &Registers, w: &mut JsonWriter<W>) -> io::Result<()> {
    let arch = registers.arch();
    let names = shown_registers(arch);
    let digits = usize::from(arch.pointer_size()) * 2;
    let mut known: Vec<(&str, u64)> = names.iter().filter_map(|&name| Some((name, registers.get(name)?))).collect();
    known.sort_unstable_by_key(|&(name, _)| name);
    known.dedup_by_key(|&mut (name, _)| name);
    w.begin_object()?;
    for (name, value) in known {
        w.key(name)?;
        w.hex(value, digits)?;
    }
    w.end_object()
}

fn write_module<W: Write>(m: &CodeModule, hex: Hex, w: &mut JsonWriter<W>) -> io::Result<()> {
    w.begin_object()?;
    w.key("base_addr")?;
    w.hex(m.base, hex.digits)?;
    w.key("cert_subject")?;
    w.null()?;
    w.key("code_id")?;
    match m.code_identifier.as_str() {
        "" | "id" => w.str(&format!("{:08x}{:x}", m.time_date_stamp, m.size))?,
        id => w.str(&id.to_ascii_lowercase())?,
    }
    w.key("corrupt_symbols")?;
    w.bool(m.symbols == SymbolStatus::Corrupt)?;
    w.key("debug_file")?;
    w.str(file_name(&m.debug_file))?;
    w.key("debug_id")?;
    match m.debug_identifier.as_str() {
        "" => w.str(&"0".repeat(33))?,
        id => w.str(id)?,
    }
    w.key("end_addr")?;
    w.hex(m.base.wrapping_add(m.size), hex.digits)?;
    w.key("filename")?;
    w.str(m.code_file_name())?;
    w.key("loaded_symbols")?;
    w.bool(matches!(m.symbols, SymbolStatus::Loaded | SymbolStatus::Corrupt))?;
    w.key("missing_symbols")?;
    w.bool(m.symbols == SymbolStatus::Missing)?;
    w.key("symbol_url")?;
    w.null()?;
    w.key("version")?;
    w.opt_str(m.version.as_deref())?;
    w.end_object()
}

fn write_system<W: Write>(state: &ProcessState, w: &mut JsonWriter<W>) -> io::Result<()> {
    let s = &state.system;
    w.begin_object()?;
    w.key("cpu_arch")?;
    w.str(if s.cpu.starts_with("0x") { "unknown" } else { &s.cpu })?;
    w.key("cpu_count")?;
    w.u64(u64::from(s.cpu_count))?;
    w.key("cpu_info")?;
    w.opt_str(Some(s.cpu_info.as_str()).filter(|i| !i.is_empty()))?;
    w.key("cpu_microcode_version")?;
    match s.cpu_microcode_version {
        Some(v) => w.str(&format!("{v:#x}"))?,
        None => w.null()?,
    }
    w.key("os")?;
    w.str(&s.os)?;
    w.key("os_ver")?;
    w.str(&os_version(&s.os_version))?;
    w.end_object()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn both(value: &Value) -> (String, String) {
        let mut compact = JsonWriter::new(Vec::new(), false);
        compact.value(value).unwrap();
        let mut pretty = JsonWriter::new(Vec::new(), true);
        pretty.value(value).unwrap();
        (String::from_utf8(compact.into_inner()).unwrap(), String::from_utf8(pretty.into_inner()).unwrap())
    }

    #[test]
    fn layout_as_serde_json() {
        let value = json!({
            "a": [], "b": {}, "c": [1, [2, {}], {"x": null, "y": [true, false]}],
            "d": {"e": {"f": []}}, "g": -5, "h": 1.5, "i": u64::MAX, "j": "s",
        });
        let (compact, pretty) = both(&value);
        assert_eq!(compact, serde_json::to_string(&value).unwrap());
        assert_eq!(pretty, serde_json::to_string_pretty(&value).unwrap());
        for empty in [json!([]), json!({}), json!(null), json!("")] {
            assert_eq!(both(&empty).1, serde_json::to_string_pretty(&empty).unwrap());
        }
    }

    #[test]
    fn strings_escaped_as_serde_json() {
        let mut text: String = (0u8..0x80).map(char::from).collect();
        text.push_str("é€😀\u{2028}\u{fffd}\"\\end");
        let value = json!({ text.clone(): text });
        let (compact, pretty) = both(&value);
        assert_eq!(compact, serde_json::to_string(&value).unwrap());
        assert_eq!(pretty, serde_json::to_string_pretty(&value).unwrap());
    }
}
