//! Crashpad's info stream: ids, process annotations, and per-module
//! annotations.

use super::{read_struct, text, Session};
use mdump_format::crashpad::{
    AnnotationObject, CrashpadInfo, ModuleCrashpadInfo, ModuleCrashpadInfoLink, SimpleStringDictionaryEntry,
};
use mdump_format::{StreamType, U32};
use mdump_reader::module_list::guid_string;
use std::collections::BTreeMap;
use std::io::{self, Write};

/// Key/value annotations, sorted by key; the first value of a repeated key
/// is kept.
type Dictionary<'a> = BTreeMap<&'a [u8], &'a [u8]>;

/// An annotation object: name, type, value bytes.
type Object<'a> = (&'a [u8], u16, &'a [u8]);

/// One module's annotations.
struct ModuleInfo<'a> {
    module_index: u32,
    version: u32,
    list: Vec<&'a [u8]>,
    simple: Dictionary<'a>,
    objects: Vec<Object<'a>>,
}

/// The stream as Breakpad keeps it.
struct Info<'a> {
    fixed: &'a CrashpadInfo,
    address_mask: u64,
    simple: Dictionary<'a>,
    modules: Vec<ModuleInfo<'a>>,
}

/// Reads `$count` entries of `$t` at the stream's position.
macro_rules! read_array {
    ($s:expr, $count:expr, $t:ty) => {{
        let count = u64::from($count);
        let bytes = $s.io.read(count * core::mem::size_of::<$t>() as u64)?;
        mdump_reader::Bytes::new(bytes).array::<$t>(0, count, "entries").ok()?
    }};
}

/// `ReadSimpleStringDictionary`.
fn read_dictionary<'a>(s: &Session<'a>, offset: u32) -> Option<Dictionary<'a>> {
    if !s.io.seek(offset.into()) {
        return None;
    }
    let count = s.io.read_u32()?;
    let entries = read_array!(s, count, SimpleStringDictionaryEntry);
    let mut dictionary = Dictionary::new();
    for entry in entries {
        let key = s.read_utf8_string(entry.key.get().into())?;
        let value = s.read_utf8_string(entry.value.get().into())?;
        dictionary.entry(key).or_insert(value);
    }
    Some(dictionary)
}

/// `ReadStringList`.
fn read_string_list<'a>(s: &Session<'a>, offset: u32) -> Option<Vec<&'a [u8]>> {
    if !s.io.seek(offset.into()) {
        return None;
    }
    let count = s.io.read_u32()?;
    let rvas = read_array!(s, count, U32);
    rvas.iter().map(|rva| s.read_utf8_string(rva.get().into())).collect()
}

/// `ReadCrashpadAnnotationsList`: name, type and value bytes of each object.
fn read_objects<'a>(s: &Session<'a>, offset: u32) -> Option<Vec<Object<'a>>> {
    if !s.io.seek(offset.into()) {
        return None;
    }
    let count = s.io.read_u32()?;
    let objects = read_array!(s, count, AnnotationObject);
    let mut out = Vec::new();
    for object in objects {
        let name = s.read_utf8_string(object.name.get().into())?;
        if !s.io.seek(object.value.get().into()) {
            return None;
        }
        let len = s.io.read_u32()?;
        let value = s.io.read(len.into())?;
        out.push((name, object.r#type.get(), value));
    }
    Some(out)
}

/// `MinidumpCrashpadInfo::Read`.
fn read<'a>(s: &Session<'a>) -> Option<Info<'a>> {
    let size = u64::from(s.seek_to_stream(StreamType::CRASHPAD_INFO)?);
    let fixed_size = core::mem::size_of::<CrashpadInfo>() as u64;
    if size < fixed_size {
        return None;
    }
    let fixed = read_struct!(s.io, CrashpadInfo)?;
    let mut remaining = size - fixed_size;
    // The reserved word and the address mask were added later; older
    // streams end before them.
    if remaining >= 4 {
        s.io.read_u32()?;
        remaining -= 4;
    }
    let address_mask = if remaining >= 8 { s.io.read_u64()? } else { 0 };

    let simple = if fixed.simple_annotations.data_size.get() != 0 {
        read_dictionary(s, fixed.simple_annotations.rva.get())?
    } else {
        Dictionary::new()
    };

    let mut modules = Vec::new();
    if fixed.module_list.data_size.get() != 0 {
        if !s.io.seek(fixed.module_list.rva.get().into()) {
            return None;
        }
        let count = s.io.read_u32()?;
        for link in read_array!(s, count, ModuleCrashpadInfoLink) {
            if !s.io.seek(link.location.rva.get().into()) {
                return None;
            }
            let m = read_struct!(s.io, ModuleCrashpadInfo)?;
            let list = match m.list_annotations.data_size.get() {
                0 => Vec::new(),
                _ => read_string_list(s, m.list_annotations.rva.get())?,
            };
            let simple = match m.simple_annotations.data_size.get() {
                0 => Dictionary::new(),
                _ => read_dictionary(s, m.simple_annotations.rva.get())?,
            };
            let objects = match m.annotation_objects.data_size.get() {
                0 => Vec::new(),
                _ => read_objects(s, m.annotation_objects.rva.get())?,
            };
            modules.push(ModuleInfo {
                module_index: link.minidump_module_list_index.get(),
                version: m.version.get(),
                list,
                simple,
                objects,
            });
        }
    }
    Some(Info { fixed, address_mask, simple, modules })
}

/// Writes `prefix`, the C string of `a`, `middle`, the C string of `b`, and
/// a newline.
fn pair(out: &mut dyn Write, prefix: &str, a: &[u8], middle: &str, b: &[u8]) -> io::Result<()> {
    out.write_all(prefix.as_bytes())?;
    out.write_all(text::cstr(a))?;
    out.write_all(middle.as_bytes())?;
    out.write_all(text::cstr(b))?;
    out.write_all(b"\n")
}

/// The Crashpad info stream.
pub fn print(s: &Session, out: &mut dyn Write) -> io::Result<()> {
    let Some(info) = read(s) else {
        return Ok(());
    };
    writeln!(out, "MDRawCrashpadInfo")?;
    writeln!(out, "  version = {}", info.fixed.version.get() as i32)?;
    writeln!(out, "  report_id = {}", guid_string(&info.fixed.report_id))?;
    writeln!(out, "  client_id = {}", guid_string(&info.fixed.client_id))?;
    for (key, value) in &info.simple {
        pair(out, "  simple_annotations[\"", key, "\"] = ", value)?;
    }
    for (i, m) in info.modules.iter().enumerate() {
        writeln!(out, "  module_list[{i}].minidump_module_list_index = {}", m.module_index as i32)?;
        writeln!(out, "  module_list[{i}].version = {}", m.version as i32)?;
        for (j, annotation) in m.list.iter().enumerate() {
            out.write_all(format!("  module_list[{i}].list_annotations[{j}] = ").as_bytes())?;
            out.write_all(text::cstr(annotation))?;
            out.write_all(b"\n")?;
        }
        for (key, value) in &m.simple {
            pair(out, &format!("  module_list[{i}].simple_annotations[\""), key, "\"] = ", value)?;
        }
        for &(name, kind, value) in &m.objects {
            // Strings are printed as they are, anything else in upper-case
            // hex.
            let shown = if kind == 1 { value.to_vec() } else { text::hex(value).to_ascii_uppercase() };
            let prefix = format!("  module_list[{i}].crashpad_annotations[\"");
            pair(out, &prefix, name, &format!("\"] (type = {kind}) = "), &shown)?;
        }
        // Breakpad prints the process-wide mask once per module.
        writeln!(out, "  address_mask = {}", info.address_mask)?;
    }
    writeln!(out)
}
