//! Writing a [`DumpModel`] with the low-level [`DumpWriter`].
//!
//! The layout is the one dbghelp and Breakpad produce: the header and the
//! stream directory, then each stream in model order, every stream's pieces
//! (memory, contexts, strings, records) before the structure that points at
//! them, and the Memory64List with its memory at the very end of the file
//! whatever its position in the model (so its directory slot is the last one
//! used). Every blob starts 8-byte aligned.
//!
//! Fields of the model's format structs that locate something in the file
//! (RVAs, location descriptors, counts and sizes of what follows) are
//! ignored and rebuilt from where things land.

use super::{
    ContextModel, CrashpadInfoModel, CrashpadModuleModel, DsoDebugModel, DumpModel, ExceptionModel, FunctionTableModel,
    HandleModel, MemoryRange, ModuleModel, ProcessVmCountersModel, StreamModel, SystemInfoModel, ThreadExModel,
    ThreadModel, TokenModel, UnloadedModuleModel,
};
use crate::dump_writer::{DumpWriter, ALIGN};
use crate::error::{Result, WriteError};
use crate::source::MemorySource;
use mdump_format::crashpad::{
    AnnotationObject, CrashpadInfo, ModuleCrashpadInfo, ModuleCrashpadInfoLink, SimpleStringDictionaryEntry,
};
use mdump_format::exception::MinidumpExceptionStream;
use mdump_format::function_table::{FunctionTableDescriptor, FunctionTableStreamHeader};
use mdump_format::handle_data::{HandleDataStreamHeader, HandleDescriptor, HandleDescriptor2, HandleObjectInformation};
use mdump_format::handle_operation::{AvrfHandleOperation, HandleOperationListHeader};
use mdump_format::linux_dso_debug::{Debug32, Debug64, LinkMap32, LinkMap64};
use mdump_format::memory_info::{MemoryInfo, MemoryInfoListHeader};
use mdump_format::module::MinidumpModule;
use mdump_format::system_info::MinidumpSystemInfo;
use mdump_format::thread::{MinidumpThread, MinidumpThreadEx};
use mdump_format::thread_info::{ThreadInfo, ThreadInfoListHeader};
use mdump_format::thread_names::ThreadName;
use mdump_format::token::{TokenInfoHeader, TokenInfoListHeader};
use mdump_format::unloaded_module::{UnloadedModule, UnloadedModuleListHeader};
use mdump_format::{LocationDescriptor, MemoryDescriptor, MemoryDescriptor64, MinidumpDirectory, U16, U32, U64};
use std::io::{Seek, Write};
use zerocopy::{Immutable, IntoBytes};

/// Largest buffer memory is copied through.
const SCRATCH_BYTES: usize = 1 << 20;

/// Size of a format struct as the `u32` its header fields hold.
const fn size32<T>() -> u32 {
    core::mem::size_of::<T>() as u32
}

/// A length or count as the `u32` its field holds.
fn u32_of(n: usize, what: &'static str) -> Result<u32> {
    u32::try_from(n).map_err(|_| WriteError::TooLarge(what))
}

/// An address or size as the `u32` of a 32-bit layout.
fn narrow(value: u64, what: &'static str) -> Result<U32> {
    u32::try_from(value).map(U32::new).map_err(|_| WriteError::TooLarge(what))
}

/// UTF-16 code units as little-endian bytes.
fn utf16le(units: &[u16]) -> Vec<u8> {
    units.iter().flat_map(|u| u.to_le_bytes()).collect()
}

pub(super) fn write<W: Write + Seek>(model: &DumpModel, out: W, memory: &mut dyn MemorySource) -> Result<W> {
    // One slot per stream, plus the one the writer keeps for its failure log.
    let mut directory = vec![MinidumpDirectory::default(); model.streams.len() + 1];
    // Memory is copied through this; no bigger than the largest range needs.
    let largest = model.memory_ranges().map(|r| r.size).max().unwrap_or(0);
    let mut scratch = vec![0u8; largest.clamp(1, SCRATCH_BYTES as u64) as usize];
    let mut w = DumpWriter::new(out, &mut directory)?;
    let mut memory64: Option<&[MemoryRange]> = None;
    // Thread stacks already written, so that a MemoryList range equal to one
    // points at the same bytes instead of storing them twice (as Breakpad's
    // writer shares them).
    let mut stacks = Vec::new();
    for stream in &model.streams {
        if let StreamModel::Memory64List(ranges) = stream {
            if memory64.replace(ranges).is_some() {
                return Err(WriteError::Order("a dump has room for one Memory64List only"));
            }
            continue;
        }
        let location = write_stream(&mut w, stream, memory, &mut scratch, &mut stacks)?;
        w.add_stream(stream.stream_type(), location)?;
    }
    if let Some(ranges) = memory64 {
        let mut descriptors: Vec<MemoryDescriptor64> = ranges
            .iter()
            .map(|r| MemoryDescriptor64 { start_of_memory_range: U64::new(r.start), data_size: U64::new(r.size) })
            .collect();
        w.write_memory64_list(memory, &mut descriptors, &mut scratch)?;
    }
    w.finish(model.time_date_stamp, model.flags)
}

/// Writes one stream's pieces and its body; returns where the body is.
fn write_stream<W: Write + Seek>(
    w: &mut DumpWriter<'_, W>,
    stream: &StreamModel,
    memory: &mut dyn MemorySource,
    scratch: &mut [u8],
    stacks: &mut Vec<(MemoryRange, MemoryDescriptor)>,
) -> Result<LocationDescriptor> {
    match stream {
        StreamModel::Unused => Ok(LocationDescriptor::default()),
        StreamModel::ThreadList(threads) => thread_list(w, threads, memory, scratch, stacks),
        StreamModel::ThreadExList(threads) => thread_ex_list(w, threads, memory, scratch),
        StreamModel::ModuleList(modules) => module_list(w, modules),
        StreamModel::UnloadedModuleList(modules) => unloaded_module_list(w, modules),
        StreamModel::MemoryList(ranges) => memory_list(w, ranges, memory, scratch, stacks),
        StreamModel::Memory64List(_) => Err(WriteError::Order("the Memory64List is written last")),
        StreamModel::Exception(exception) => exception_stream(w, exception),
        StreamModel::SystemInfo(info) => system_info(w, info),
        StreamModel::MiscInfo(bytes) => w.write_bytes(bytes),
        StreamModel::ThreadInfoList(entries) => {
            let header = ThreadInfoListHeader {
                size_of_header: U32::new(size32::<ThreadInfoListHeader>()),
                size_of_entry: U32::new(size32::<ThreadInfo>()),
                number_of_entries: U32::new(u32_of(entries.len(), "the thread info count")?),
            };
            w.write_parts(&[header.as_bytes(), entries.as_bytes()])
        }
        StreamModel::ThreadNames(names) => thread_names(w, names),
        StreamModel::HandleData { v2, handles } => handle_data(w, *v2, handles),
        StreamModel::HandleOperationList(entries) => {
            let header = HandleOperationListHeader {
                size_of_header: U32::new(size32::<HandleOperationListHeader>()),
                size_of_entry: U32::new(size32::<AvrfHandleOperation>()),
                number_of_entries: U32::new(u32_of(entries.len(), "the handle operation count")?),
                reserved: U32::new(0),
            };
            w.write_parts(&[header.as_bytes(), entries.as_bytes()])
        }
        StreamModel::MemoryInfoList(entries) => {
            let header = MemoryInfoListHeader {
                size_of_header: U32::new(size32::<MemoryInfoListHeader>()),
                size_of_entry: U32::new(size32::<MemoryInfo>()),
                number_of_entries: U64::new(entries.len() as u64),
            };
            w.write_parts(&[header.as_bytes(), entries.as_bytes()])
        }
        StreamModel::CommentA(text) => w.write_parts(&[text, &[0]]),
        StreamModel::CommentW(text) => w.write_parts(&[&utf16le(text), &[0, 0]]),
        StreamModel::Token(tokens) => token_stream(w, tokens),
        StreamModel::FunctionTable(table) => function_table(w, table),
        StreamModel::SystemMemoryInfo(info) => w.write_struct(info),
        StreamModel::ProcessVmCounters(ProcessVmCountersModel::V1(counters)) => w.write_struct(counters),
        StreamModel::ProcessVmCounters(ProcessVmCountersModel::V2(counters)) => w.write_struct(counters),
        StreamModel::BreakpadInfo(info) => w.write_struct(info),
        StreamModel::AssertionInfo(info) => w.write_struct(info),
        StreamModel::Raw { bytes, .. } => w.write_bytes(bytes),
        StreamModel::LinuxDsoDebug(debug) => dso_debug(w, debug),
        StreamModel::CrashpadInfo(info) => crashpad_info(w, info),
    }
}

/// `bytes` as a blob, or an empty location (size and RVA 0) when there are
/// none, as writers leave absent records.
fn blob<W: Write + Seek>(w: &mut DumpWriter<'_, W>, bytes: &[u8]) -> Result<LocationDescriptor> {
    if bytes.is_empty() {
        return Ok(LocationDescriptor::default());
    }
    w.write_bytes(bytes)
}

fn context<W: Write + Seek>(w: &mut DumpWriter<'_, W>, context: &ContextModel) -> Result<LocationDescriptor> {
    blob(w, &context.0)
}

/// A `u32` count and `entries`, or an empty location when there are none
/// (Crashpad leaves absent lists so).
fn counted_or_absent<W: Write + Seek, T: IntoBytes + Immutable>(
    w: &mut DumpWriter<'_, W>,
    entries: &[T],
) -> Result<LocationDescriptor> {
    if entries.is_empty() {
        return Ok(LocationDescriptor::default());
    }
    w.write_counted(entries)
}

/// A `MINIDUMP_STRING`'s RVA, or 0 for no string.
fn optional_string<W: Write + Seek>(w: &mut DumpWriter<'_, W>, units: Option<&[u16]>) -> Result<u32> {
    match units {
        Some(units) => w.write_utf16(units),
        None => Ok(0),
    }
}

/// A thread's stack memory and context, in that order.
fn thread_pieces<W: Write + Seek>(
    w: &mut DumpWriter<'_, W>,
    thread: &ThreadModel,
    memory: &mut dyn MemorySource,
    scratch: &mut [u8],
) -> Result<(MemoryDescriptor, LocationDescriptor)> {
    let stack = w.write_memory(memory, thread.stack.start, thread.stack.size, scratch)?;
    Ok((stack, context(w, &thread.context)?))
}

fn thread_list<W: Write + Seek>(
    w: &mut DumpWriter<'_, W>,
    threads: &[ThreadModel],
    memory: &mut dyn MemorySource,
    scratch: &mut [u8],
    stacks: &mut Vec<(MemoryRange, MemoryDescriptor)>,
) -> Result<LocationDescriptor> {
    let mut raw = Vec::with_capacity(threads.len());
    for t in threads {
        let (stack, thread_context) = thread_pieces(w, t, memory, scratch)?;
        stacks.push((t.stack, stack));
        raw.push(MinidumpThread {
            thread_id: U32::new(t.thread_id),
            suspend_count: U32::new(t.suspend_count),
            priority_class: U32::new(t.priority_class),
            priority: U32::new(t.priority),
            teb: U64::new(t.teb),
            stack,
            thread_context,
        });
    }
    w.write_counted(&raw)
}

fn thread_ex_list<W: Write + Seek>(
    w: &mut DumpWriter<'_, W>,
    threads: &[ThreadExModel],
    memory: &mut dyn MemorySource,
    scratch: &mut [u8],
) -> Result<LocationDescriptor> {
    let mut raw = Vec::with_capacity(threads.len());
    for t in threads {
        let (stack, thread_context) = thread_pieces(w, &t.thread, memory, scratch)?;
        let store = t.backing_store;
        let backing_store = w.write_memory(memory, store.start, store.size, scratch)?;
        let t = &t.thread;
        raw.push(MinidumpThreadEx {
            thread_id: U32::new(t.thread_id),
            suspend_count: U32::new(t.suspend_count),
            priority_class: U32::new(t.priority_class),
            priority: U32::new(t.priority),
            teb: U64::new(t.teb),
            stack,
            thread_context,
            backing_store,
        });
    }
    w.write_counted(&raw)
}

fn module_list<W: Write + Seek>(w: &mut DumpWriter<'_, W>, modules: &[ModuleModel]) -> Result<LocationDescriptor> {
    let mut raw = Vec::with_capacity(modules.len());
    for m in modules {
        let name = w.write_utf16(&m.name)?;
        let cv_record = blob(w, &m.cv_record)?;
        let misc_record = blob(w, &m.misc_record)?;
        raw.push(MinidumpModule { module_name_rva: U32::new(name), cv_record, misc_record, ..m.raw });
    }
    w.write_counted(&raw)
}

fn unloaded_module_list<W: Write + Seek>(
    w: &mut DumpWriter<'_, W>,
    modules: &[UnloadedModuleModel],
) -> Result<LocationDescriptor> {
    let mut raw = Vec::with_capacity(modules.len());
    for m in modules {
        let name = w.write_utf16(&m.name)?;
        raw.push(UnloadedModule { module_name_rva: U32::new(name), ..m.raw });
    }
    let header = UnloadedModuleListHeader {
        size_of_header: U32::new(size32::<UnloadedModuleListHeader>()),
        size_of_entry: U32::new(size32::<UnloadedModule>()),
        number_of_entries: U32::new(u32_of(raw.len(), "the unloaded module count")?),
    };
    w.write_parts(&[header.as_bytes(), raw.as_bytes()])
}

fn memory_list<W: Write + Seek>(
    w: &mut DumpWriter<'_, W>,
    ranges: &[MemoryRange],
    memory: &mut dyn MemorySource,
    scratch: &mut [u8],
    stacks: &mut [(MemoryRange, MemoryDescriptor)],
) -> Result<LocationDescriptor> {
    stacks.sort_unstable_by_key(|s| s.0);
    let mut raw = Vec::with_capacity(ranges.len());
    for r in ranges {
        match stacks.binary_search_by_key(r, |s| s.0) {
            Ok(i) if r.size > 0 => raw.push(stacks[i].1),
            _ => raw.push(w.write_memory(memory, r.start, r.size, scratch)?),
        }
    }
    w.write_counted(&raw)
}

fn exception_stream<W: Write + Seek>(
    w: &mut DumpWriter<'_, W>,
    exception: &ExceptionModel,
) -> Result<LocationDescriptor> {
    let thread_context = context(w, &exception.context)?;
    w.write_struct(&MinidumpExceptionStream {
        thread_id: U32::new(exception.thread_id),
        alignment: U32::new(0),
        exception_record: exception.record,
        thread_context,
    })
}

fn system_info<W: Write + Seek>(w: &mut DumpWriter<'_, W>, info: &SystemInfoModel) -> Result<LocationDescriptor> {
    let csd = w.write_utf16(&info.csd_version)?;
    w.write_struct(&MinidumpSystemInfo { csd_version_rva: U32::new(csd), ..info.raw })
}

fn thread_names<W: Write + Seek>(w: &mut DumpWriter<'_, W>, names: &[(u32, Vec<u16>)]) -> Result<LocationDescriptor> {
    let mut raw = Vec::with_capacity(names.len());
    for (thread_id, name) in names {
        let rva = w.write_utf16(name)?;
        raw.push(ThreadName { thread_id: U32::new(*thread_id), rva_of_thread_name: U64::new(rva.into()) });
    }
    w.write_counted(&raw)
}

fn handle_data<W: Write + Seek>(
    w: &mut DumpWriter<'_, W>,
    v2: bool,
    handles: &[HandleModel],
) -> Result<LocationDescriptor> {
    let descriptor_size =
        if v2 { core::mem::size_of::<HandleDescriptor2>() } else { core::mem::size_of::<HandleDescriptor>() };
    let mut descriptors = Vec::with_capacity(handles.len() * descriptor_size);
    for h in handles {
        let type_name = optional_string(w, h.type_name.as_deref())?;
        let object_name = optional_string(w, h.object_name.as_deref())?;
        // A version-1 descriptor has no field to reach object information.
        let object_info = if v2 { object_info_chain(w, &h.object_infos)? } else { 0 };
        let raw = HandleDescriptor2 {
            type_name_rva: U32::new(type_name),
            object_name_rva: U32::new(object_name),
            object_info_rva: U32::new(object_info),
            ..h.raw
        };
        descriptors.extend_from_slice(&raw.as_bytes()[..descriptor_size]);
    }
    let header = HandleDataStreamHeader {
        size_of_header: U32::new(size32::<HandleDataStreamHeader>()),
        size_of_descriptor: U32::new(descriptor_size as u32),
        number_of_descriptors: U32::new(u32_of(handles.len(), "the handle count")?),
        reserved: U32::new(0),
    };
    w.write_parts(&[header.as_bytes(), &descriptors])
}

/// Writes a handle's object-information links in order, each pointing at the
/// next; returns the first one's RVA (0 when there are none).
fn object_info_chain<W: Write + Seek>(w: &mut DumpWriter<'_, W>, infos: &[(u32, Vec<u8>)]) -> Result<u32> {
    let mut first = 0;
    for (i, (info_type, data)) in infos.iter().enumerate() {
        // Each link is one aligned blob, so the next one starts at the next
        // aligned offset after this one's data.
        let at = w.position();
        let next = if i + 1 == infos.len() {
            0
        } else {
            let end = at + core::mem::size_of::<HandleObjectInformation>() as u64 + data.len() as u64;
            u32::try_from(end.next_multiple_of(ALIGN))
                .map_err(|_| WriteError::PastFourGiB { what: "handle object information" })?
        };
        let link = HandleObjectInformation {
            next_info_rva: U32::new(next),
            info_type: U32::new(*info_type),
            size_of_info: U32::new(u32_of(data.len(), "handle object information")?),
        };
        let rva = w.write_parts(&[link.as_bytes(), data])?.rva.get();
        debug_assert_eq!(u64::from(rva), at);
        if i == 0 {
            first = rva;
        }
    }
    Ok(first)
}

fn token_stream<W: Write + Seek>(w: &mut DumpWriter<'_, W>, tokens: &[TokenModel]) -> Result<LocationDescriptor> {
    let element_header = core::mem::size_of::<TokenInfoHeader>();
    let mut headers = Vec::with_capacity(tokens.len());
    let mut total = core::mem::size_of::<TokenInfoListHeader>();
    for t in tokens {
        let size = element_header + t.data.len();
        total += size;
        headers.push(TokenInfoHeader {
            token_size: U32::new(u32_of(size, "a token")?),
            token_id: U32::new(t.token_id),
            token_handle: U64::new(t.token_handle),
        });
    }
    let list = TokenInfoListHeader {
        token_list_size: U32::new(u32_of(total, "the token list")?),
        token_list_entries: U32::new(u32_of(tokens.len(), "the token count")?),
        list_header_size: U32::new(size32::<TokenInfoListHeader>()),
        element_header_size: U32::new(element_header as u32),
    };
    let mut parts: Vec<&[u8]> = Vec::with_capacity(1 + 2 * tokens.len());
    parts.push(list.as_bytes());
    for (header, t) in headers.iter().zip(tokens) {
        parts.push(header.as_bytes());
        parts.push(&t.data);
    }
    w.write_parts(&parts)
}

/// Each table's descriptor, native descriptor (zero-padded to the header's
/// size), whole entries (the last zero-padded) and padding to the next
/// 8-byte boundary.
fn function_table<W: Write + Seek>(
    w: &mut DumpWriter<'_, W>,
    table: &FunctionTableModel,
) -> Result<LocationDescriptor> {
    let native_size = table.size_of_native_descriptor as usize;
    let entry_size = table.size_of_function_entry as usize;
    let header = FunctionTableStreamHeader {
        size_of_header: U32::new(size32::<FunctionTableStreamHeader>()),
        size_of_descriptor: U32::new(size32::<FunctionTableDescriptor>()),
        size_of_native_descriptor: U32::new(table.size_of_native_descriptor),
        size_of_function_entry: U32::new(table.size_of_function_entry),
        number_of_descriptors: U32::new(u32_of(table.tables.len(), "the function table count")?),
        size_of_align_pad: U32::new(table.size_of_align_pad),
    };
    let mut body = header.as_bytes().to_vec();
    body.resize(body.len() + table.size_of_align_pad as usize, 0);
    for (descriptor, native, entries) in &table.tables {
        if native.len() > native_size {
            return Err(WriteError::TooLarge("a native function table descriptor (longer than its header says)"));
        }
        let entry_count = match entry_size {
            0 if entries.is_empty() => 0,
            0 => return Err(WriteError::TooLarge("function table entries (the entry size is 0)")),
            size => entries.len().div_ceil(size),
        };
        let table_len = native_size + entry_count * entry_size;
        let pad = table_len.next_multiple_of(ALIGN as usize) - table_len;
        let descriptor = FunctionTableDescriptor {
            entry_count: U32::new(u32_of(entry_count, "a function table's entry count")?),
            size_of_align_pad: U32::new(pad as u32),
            ..*descriptor
        };
        body.extend_from_slice(descriptor.as_bytes());
        body.extend_from_slice(native);
        body.resize(body.len() + native_size - native.len(), 0);
        body.extend_from_slice(entries);
        body.resize(body.len() + entry_count * entry_size - entries.len() + pad, 0);
    }
    w.write_bytes(&body)
}

/// The link maps' names, the link-map array, then the `r_debug` header with
/// the copy of `_DYNAMIC` right after it in the same stream.
fn dso_debug<W: Write + Seek>(w: &mut DumpWriter<'_, W>, debug: &DsoDebugModel) -> Result<LocationDescriptor> {
    let mut names = Vec::with_capacity(debug.link_maps.len());
    for (_, _, name) in &debug.link_maps {
        names.push(optional_string(w, name.as_deref())?);
    }
    let dso_count = U32::new(u32_of(debug.link_maps.len(), "the link map count")?);
    let map_rva = |w: &mut DumpWriter<'_, W>, maps: &[u8]| -> Result<U32> {
        Ok(U32::new(if maps.is_empty() { 0 } else { w.write_bytes(maps)?.rva.get() }))
    };
    if debug.is_64bit {
        let maps: Vec<LinkMap64> = debug
            .link_maps
            .iter()
            .zip(&names)
            .map(|(&(addr, ld, _), &name)| LinkMap64 {
                addr: U64::new(addr),
                name: U32::new(name),
                alignment: U32::new(0),
                ld: U64::new(ld),
            })
            .collect();
        let header = Debug64 {
            version: U32::new(debug.version),
            map: map_rva(w, maps.as_bytes())?,
            dso_count,
            alignment: U32::new(0),
            brk: U64::new(debug.brk),
            ldbase: U64::new(debug.ldbase),
            dynamic: U64::new(debug.dynamic),
        };
        w.write_parts(&[header.as_bytes(), &debug.dynamic_bytes])
    } else {
        const WHAT: &str = "an address of a 32-bit DSO debug stream";
        let mut maps = Vec::with_capacity(debug.link_maps.len());
        for (&(addr, ld, _), &name) in debug.link_maps.iter().zip(&names) {
            maps.push(LinkMap32 { addr: narrow(addr, WHAT)?, name: U32::new(name), ld: narrow(ld, WHAT)? });
        }
        let header = Debug32 {
            version: U32::new(debug.version),
            map: map_rva(w, maps.as_bytes())?,
            dso_count,
            brk: narrow(debug.brk, WHAT)?,
            ldbase: narrow(debug.ldbase, WHAT)?,
            dynamic: narrow(debug.dynamic, WHAT)?,
        };
        w.write_parts(&[header.as_bytes(), &debug.dynamic_bytes])
    }
}

/// A `MinidumpSimpleStringDictionary`: the strings, then the count and the
/// entries (an empty location when there are none).
fn dictionary<W: Write + Seek>(
    w: &mut DumpWriter<'_, W>,
    entries: &[(Vec<u8>, Vec<u8>)],
) -> Result<LocationDescriptor> {
    let mut raw = Vec::with_capacity(entries.len());
    for (key, value) in entries {
        let key = w.write_utf8(key)?;
        let value = w.write_utf8(value)?;
        raw.push(SimpleStringDictionaryEntry { key: U32::new(key), value: U32::new(value) });
    }
    counted_or_absent(w, &raw)
}

/// A module's lists, then its 28-byte `MinidumpModuleCrashpadInfo`.
fn crashpad_module<W: Write + Seek>(
    w: &mut DumpWriter<'_, W>,
    module: &CrashpadModuleModel,
) -> Result<LocationDescriptor> {
    let mut strings = Vec::with_capacity(module.list_annotations.len());
    for s in &module.list_annotations {
        strings.push(U32::new(w.write_utf8(s)?));
    }
    let list_annotations = counted_or_absent(w, &strings)?;
    let simple_annotations = dictionary(w, &module.simple_annotations)?;
    let mut objects = Vec::with_capacity(module.annotation_objects.len());
    for a in &module.annotation_objects {
        let name = w.write_utf8(&a.name)?;
        let len = u32_of(a.value.len(), "an annotation value")?;
        let value = w.write_parts(&[&len.to_le_bytes(), &a.value])?.rva.get();
        objects.push(AnnotationObject {
            name: U32::new(name),
            r#type: U16::new(a.annotation_type),
            reserved: U16::new(0),
            value: U32::new(value),
        });
    }
    let annotation_objects = counted_or_absent(w, &objects)?;
    w.write_struct(&ModuleCrashpadInfo {
        version: U32::new(module.version),
        list_annotations,
        simple_annotations,
        annotation_objects,
    })
}

fn crashpad_info<W: Write + Seek>(w: &mut DumpWriter<'_, W>, info: &CrashpadInfoModel) -> Result<LocationDescriptor> {
    let simple_annotations = dictionary(w, &info.simple_annotations)?;
    let mut links = Vec::with_capacity(info.modules.len());
    for m in &info.modules {
        let location = crashpad_module(w, m)?;
        links.push(ModuleCrashpadInfoLink { minidump_module_list_index: U32::new(m.module_index), location });
    }
    let module_list = counted_or_absent(w, &links)?;
    w.write_struct(&CrashpadInfo {
        version: U32::new(info.version),
        report_id: info.report_id,
        client_id: info.client_id,
        simple_annotations,
        module_list,
    })
}
