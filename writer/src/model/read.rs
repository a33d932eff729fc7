//! Reading a dump into a [`DumpModel`], and its memory as a [`MemorySource`].
//!
//! [`DumpModel::from_dump`] turns every directory entry of a dump the reader
//! opened into one [`StreamModel`], in directory order, and collects every
//! error met on the way instead of stopping at the first: a stream that
//! cannot be parsed at all is kept as its raw bytes, and an entry of a list
//! whose name or record cannot be read is kept with that field left empty.
//!
//! The fixed-size records are copied as they are in the file, RVA and
//! location fields included (the writer ignores those and rebuilds them;
//! compare models with [`DumpModel::normalized`]).
//!
//! Hostile files: everything copied into the model (streams, records,
//! strings, contexts) is charged against a budget of twice the file's size
//! plus 1 MiB, so records that all point at the same bytes cannot make a
//! small file into a huge model; past the budget, fields are left empty and
//! one error says so. A real dump copies less than its own size (memory is
//! never copied).
//!
//! [`DumpMemory`] serves the captured memory of the same dump (memory lists,
//! thread stacks and backing stores) to [`DumpModel::write`].

use super::*;
use mdump_format::linux_dso_debug::{LinkMap32, LinkMap64};
use mdump_format::thread::{MinidumpThread, MinidumpThreadEx};
use mdump_format::{LocationDescriptor, MemoryDescriptor, MinidumpDirectory};
use mdump_reader::crashpad_info::SimpleStringDictionary;
use mdump_reader::linux_dso_debug::{LinkMapEntries, LinkMaps};
use mdump_reader::string::utf8_string;
use mdump_reader::{Bytes, Error, ErrorKind, MemoryIndex, MemoryRegion, Minidump, MinidumpStr, Stream};

impl DumpModel {
    /// Reads every stream of `dump` into a model, with every error met.
    ///
    /// Each directory entry, in order, becomes one [`StreamModel`]:
    ///
    /// * `UnusedStream` slots become [`StreamModel::Unused`];
    /// * streams the model types become their typed variant;
    /// * the Linux `/proc` copies, vendor and unknown streams become
    ///   [`StreamModel::Raw`] with the stream's bytes;
    /// * a typed stream that does not parse as a whole becomes `Raw` with its
    ///   bytes (or `Unused` if its location is outside the file), and the
    ///   error is returned;
    /// * within a stream, an entry whose string, record or context cannot be
    ///   read is kept with that field empty (or `None`), and the error is
    ///   returned.
    ///
    /// Memory is not copied: thread stacks and memory lists become
    /// [`MemoryRange`]s (their sizes as the descriptors give them); read the
    /// bytes with [`DumpMemory`].
    pub fn from_dump(dump: &Minidump<'_>) -> (DumpModel, Vec<Error>) {
        let budget = (dump.bytes().len() as u64).saturating_mul(2).saturating_add(1 << 20);
        let mut reader = Reader { dump: *dump, errors: Vec::new(), budget, over_budget: false };
        let streams = dump.directory().iter().map(|entry| reader.stream(entry)).collect();
        let header = dump.header();
        let model = DumpModel { time_date_stamp: header.time_date_stamp.get(), flags: header.flags.get(), streams };
        (model, reader.errors)
    }
}

/// The size of the largest `MINIDUMP_MISC_INFO` version that fits in `len`
/// bytes, if any does.
fn misc_info_size(len: usize) -> Option<usize> {
    use mdump_format::misc_info::*;
    [
        MINIDUMP_MISC_INFO_5_SIZE,
        MINIDUMP_MISC_INFO_4_SIZE,
        MINIDUMP_MISC_INFO_3_SIZE,
        MINIDUMP_MISC_INFO_2_SIZE,
        MINIDUMP_MISC_INFO_SIZE,
    ]
    .into_iter()
    .find(|&size| size <= len)
}

/// One run of [`DumpModel::from_dump`]: the dump and the errors so far.
struct Reader<'a> {
    dump: Minidump<'a>,
    errors: Vec<Error>,
    /// Bytes that may still be copied into the model.
    budget: u64,
    /// Whether the budget ran out (reported once).
    over_budget: bool,
}

impl<'a> Reader<'a> {
    /// The value of `r`, or `fallback` with the error recorded.
    fn or<T>(&mut self, r: mdump_reader::Result<T>, stream: StreamType, fallback: T) -> T {
        r.unwrap_or_else(|e| {
            self.errors.push(e.in_stream(stream));
            fallback
        })
    }

    /// Takes `len` bytes from the copy budget; `false` (reported the first
    /// time) once it is spent. `offset`: the file offset of what is copied.
    fn charge(&mut self, len: u64, offset: u64, stream: StreamType) -> bool {
        if let Some(left) = self.budget.checked_sub(len) {
            self.budget = left;
            return true;
        }
        if !std::mem::replace(&mut self.over_budget, true) {
            let why =
                "records overlap: copying them would take more than twice the file's size (the rest are left empty)";
            self.errors.push(Error::new(ErrorKind::Malformed(why), offset).in_stream(stream));
        }
        false
    }

    /// A string's code units; empty (and reported) if unreadable.
    fn string(&mut self, s: mdump_reader::Result<MinidumpStr<'a>>, stream: StreamType) -> Vec<u16> {
        match s {
            Ok(s) if self.charge(4 + s.as_bytes().len() as u64, s.offset(), stream) => s.units().collect(),
            Ok(_) => Vec::new(),
            Err(e) => {
                self.errors.push(e.in_stream(stream));
                Vec::new()
            }
        }
    }

    /// A string that may be absent; `None` (and reported) if unreadable.
    fn optional_string(
        &mut self,
        s: Option<mdump_reader::Result<MinidumpStr<'a>>>,
        stream: StreamType,
    ) -> Option<Vec<u16>> {
        match s? {
            Ok(s) => Some(self.string(Ok(s), stream)),
            Err(e) => {
                self.errors.push(e.in_stream(stream));
                None
            }
        }
    }

    /// One directory entry.
    fn stream(&mut self, entry: &MinidumpDirectory) -> StreamModel {
        let ty = StreamType(entry.stream_type.get());
        if ty == StreamType::UNUSED {
            return StreamModel::Unused;
        }
        let bytes = match self.dump.location(&entry.location) {
            Ok(bytes) => bytes,
            Err(e) => {
                self.errors.push(e.in_stream(ty));
                return StreamModel::Unused;
            }
        };
        if !self.charge(bytes.len() as u64, bytes.base(), ty) {
            return StreamModel::Unused;
        }
        match self.typed(ty, bytes) {
            Some(Ok(model)) => model,
            None => StreamModel::Raw { stream_type: ty, bytes: bytes.as_slice().to_vec() },
            Some(Err(e)) => {
                self.errors.push(e.in_stream(ty));
                StreamModel::Raw { stream_type: ty, bytes: bytes.as_slice().to_vec() }
            }
        }
    }

    /// Parses the stream as `S`.
    fn parse<S: Stream<'a>>(&self, bytes: Bytes<'a>) -> mdump_reader::Result<S> {
        S::parse(bytes, &self.dump)
    }

    /// The typed model of a stream: `None` for the types kept as bytes,
    /// `Some(Err)` when the stream does not parse as a whole.
    fn typed(&mut self, ty: StreamType, bytes: Bytes<'a>) -> Option<mdump_reader::Result<StreamModel>> {
        use mdump_reader as r;
        let model = match ty {
            StreamType::THREAD_LIST => self.parse::<r::ThreadList>(bytes).map(|l| self.thread_list(l.raw())),
            StreamType::THREAD_EX_LIST => self.parse::<r::ThreadExList>(bytes).map(|l| self.thread_ex_list(l.raw())),
            StreamType::MODULE_LIST => self.parse::<r::ModuleList>(bytes).map(|l| self.module_list(l)),
            StreamType::UNLOADED_MODULE_LIST => {
                self.parse::<r::UnloadedModuleList>(bytes).map(|l| self.unloaded_module_list(l))
            }
            StreamType::MEMORY_LIST => self.parse::<r::MemoryList>(bytes).map(|l| self.memory_list(l)),
            StreamType::MEMORY64_LIST => self.parse::<r::Memory64List>(bytes).map(|l| self.memory64_list(l)),
            StreamType::EXCEPTION => self.parse::<r::Exception>(bytes).map(|e| self.exception(e)),
            StreamType::SYSTEM_INFO => self.parse::<r::SystemInfo>(bytes).map(|s| self.system_info(s)),
            StreamType::MISC_INFO => self.misc_info(bytes),
            StreamType::THREAD_INFO_LIST => {
                self.parse::<r::ThreadInfoList>(bytes).map(|l| StreamModel::ThreadInfoList(l.iter().copied().collect()))
            }
            StreamType::THREAD_NAMES => self.parse::<r::ThreadNames>(bytes).map(|n| self.thread_names(n)),
            StreamType::HANDLE_DATA => self.parse::<r::HandleData>(bytes).map(|h| self.handle_data(h)),
            StreamType::HANDLE_OPERATION_LIST => self
                .parse::<r::HandleOperationList>(bytes)
                .map(|l| StreamModel::HandleOperationList(l.iter().map(|op| *op.raw).collect())),
            StreamType::MEMORY_INFO_LIST => self
                .parse::<r::MemoryInfoList>(bytes)
                .map(|l| StreamModel::MemoryInfoList(l.iter().map(|m| *m.raw).collect())),
            StreamType::COMMENT_A => {
                self.parse::<r::CommentA>(bytes).map(|c| StreamModel::CommentA(c.as_bytes().to_vec()))
            }
            StreamType::COMMENT_W => {
                self.parse::<r::CommentW>(bytes).map(|c| StreamModel::CommentW(c.units().collect()))
            }
            StreamType::TOKEN => self.parse::<r::TokenList>(bytes).map(|l| self.tokens(l)),
            StreamType::FUNCTION_TABLE => self.parse::<r::FunctionTable>(bytes).map(|t| self.function_table(t)),
            StreamType::SYSTEM_MEMORY_INFO => {
                self.parse::<r::SystemMemoryInfo>(bytes).map(|s| StreamModel::SystemMemoryInfo(*s.raw))
            }
            StreamType::PROCESS_VM_COUNTERS => self.parse::<r::ProcessVmCounters>(bytes).map(|c| {
                StreamModel::ProcessVmCounters(match c {
                    r::ProcessVmCounters::V1(c) => ProcessVmCountersModel::V1(*c),
                    r::ProcessVmCounters::V2(c) => ProcessVmCountersModel::V2(*c),
                })
            }),
            StreamType::BREAKPAD_INFO => {
                self.parse::<r::BreakpadInfo>(bytes).map(|b| StreamModel::BreakpadInfo(*b.raw))
            }
            StreamType::ASSERTION_INFO => {
                self.parse::<r::AssertionInfo>(bytes).map(|a| StreamModel::AssertionInfo(*a.raw))
            }
            StreamType::LINUX_DSO_DEBUG => self.parse::<r::LinuxDsoDebug>(bytes).map(|d| self.dso_debug(d, bytes)),
            StreamType::CRASHPAD_INFO => self.parse::<r::CrashpadInfo>(bytes).map(|c| self.crashpad_info(c)),
            _ => return None,
        };
        Some(model)
    }

    /// The bytes at `location` (a context, a CodeView record); empty if the
    /// location is empty or outside the file.
    fn location_bytes(&mut self, location: &LocationDescriptor, stream: StreamType) -> Vec<u8> {
        if location.data_size.get() == 0 {
            return Vec::new();
        }
        match self.dump.location(location) {
            Ok(b) if self.charge(b.len() as u64, b.base(), stream) => b.as_slice().to_vec(),
            Ok(_) => Vec::new(),
            Err(e) => {
                self.errors.push(e.in_stream(stream));
                Vec::new()
            }
        }
    }

    /// A memory descriptor as a range; a range whose bytes are not in the
    /// file is kept and reported.
    fn range(&mut self, d: &MemoryDescriptor, stream: StreamType) -> MemoryRange {
        if let Err(e) = self.dump.memory(d) {
            self.errors.push(e.in_stream(stream));
        }
        MemoryRange { start: d.start_of_memory_range.get(), size: d.memory.data_size.get().into() }
    }

    fn thread(&mut self, raw: &MinidumpThread, stream: StreamType) -> ThreadModel {
        ThreadModel {
            thread_id: raw.thread_id.get(),
            suspend_count: raw.suspend_count.get(),
            priority_class: raw.priority_class.get(),
            priority: raw.priority.get(),
            teb: raw.teb.get(),
            stack: self.range(&raw.stack, stream),
            context: ContextModel(self.location_bytes(&raw.thread_context, stream)),
        }
    }

    fn thread_list(&mut self, raw: &[MinidumpThread]) -> StreamModel {
        StreamModel::ThreadList(raw.iter().map(|t| self.thread(t, StreamType::THREAD_LIST)).collect())
    }

    fn thread_ex_list(&mut self, raw: &[MinidumpThreadEx]) -> StreamModel {
        let stream = StreamType::THREAD_EX_LIST;
        StreamModel::ThreadExList(
            raw.iter()
                .map(|t| {
                    let base = MinidumpThread {
                        thread_id: t.thread_id,
                        suspend_count: t.suspend_count,
                        priority_class: t.priority_class,
                        priority: t.priority,
                        teb: t.teb,
                        stack: t.stack,
                        thread_context: t.thread_context,
                    };
                    ThreadExModel {
                        thread: self.thread(&base, stream),
                        backing_store: self.range(&t.backing_store, stream),
                    }
                })
                .collect(),
        )
    }

    fn module_list(&mut self, list: mdump_reader::ModuleList<'a>) -> StreamModel {
        let stream = StreamType::MODULE_LIST;
        StreamModel::ModuleList(
            list.iter()
                .map(|m| {
                    let name = self.string(m.name(), stream);
                    let cv_record = self.location_bytes(&m.raw.cv_record, stream);
                    let misc_record = self.location_bytes(&m.raw.misc_record, stream);
                    ModuleModel { raw: *m.raw, name, cv_record, misc_record }
                })
                .collect(),
        )
    }

    fn unloaded_module_list(&mut self, list: mdump_reader::UnloadedModuleList<'a>) -> StreamModel {
        StreamModel::UnloadedModuleList(
            list.iter()
                .map(|m| {
                    let name = self.string(m.name(), StreamType::UNLOADED_MODULE_LIST);
                    UnloadedModuleModel { raw: *m.raw, name }
                })
                .collect(),
        )
    }

    fn memory_list(&mut self, list: mdump_reader::MemoryList<'a>) -> StreamModel {
        StreamModel::MemoryList(list.raw().iter().map(|d| self.range(d, StreamType::MEMORY_LIST)).collect())
    }

    fn memory64_list(&mut self, list: mdump_reader::Memory64List<'a>) -> StreamModel {
        // The regions are located one after the other from the base RVA; the
        // reader stops at the first one outside the file, so that is the one
        // error there is to report.
        if let Some(Err(e)) = list.iter().find(|r| r.is_err()) {
            self.errors.push(e);
        }
        StreamModel::Memory64List(
            list.raw()
                .iter()
                .map(|d| MemoryRange { start: d.start_of_memory_range.get(), size: d.data_size.get() })
                .collect(),
        )
    }

    fn exception(&mut self, e: mdump_reader::Exception<'a>) -> StreamModel {
        StreamModel::Exception(ExceptionModel {
            thread_id: e.raw.thread_id.get(),
            record: e.raw.exception_record,
            context: ContextModel(self.location_bytes(&e.raw.thread_context, StreamType::EXCEPTION)),
        })
    }

    fn system_info(&mut self, s: mdump_reader::SystemInfo<'a>) -> StreamModel {
        let csd_version = self.string(s.csd_version(), StreamType::SYSTEM_INFO);
        StreamModel::SystemInfo(SystemInfoModel { raw: *s.raw, csd_version })
    }

    fn misc_info(&mut self, bytes: Bytes<'a>) -> mdump_reader::Result<StreamModel> {
        // Parsing checks the size against version 1 and reports it.
        self.parse::<mdump_reader::MiscInfo>(bytes)?;
        let all = bytes.as_slice();
        let size = misc_info_size(all.len()).unwrap_or(all.len());
        Ok(StreamModel::MiscInfo(all.get(..size).unwrap_or(all).to_vec()))
    }

    fn thread_names(&mut self, names: mdump_reader::ThreadNames<'a>) -> StreamModel {
        StreamModel::ThreadNames(
            names.iter().map(|(id, name)| (id, self.string(name, StreamType::THREAD_NAMES))).collect(),
        )
    }

    fn handle_data(&mut self, handles: mdump_reader::HandleData<'a>) -> StreamModel {
        let stream = StreamType::HANDLE_DATA;
        let handles_model = handles
            .iter()
            .map(|h| {
                let raw = h.raw2.copied().unwrap_or(HandleDescriptor2 {
                    handle: h.raw.handle,
                    type_name_rva: h.raw.type_name_rva,
                    object_name_rva: h.raw.object_name_rva,
                    attributes: h.raw.attributes,
                    granted_access: h.raw.granted_access,
                    handle_count: h.raw.handle_count,
                    pointer_count: h.raw.pointer_count,
                    ..HandleDescriptor2::default()
                });
                let type_name = self.optional_string(h.type_name(), stream);
                let object_name = self.optional_string(h.object_name(), stream);
                let mut object_infos = Vec::new();
                for info in h.object_infos() {
                    match info {
                        Ok(info) => {
                            if self.charge(12 + info.data.len() as u64, info.offset, stream) {
                                object_infos.push((info.raw.info_type.get(), info.data.to_vec()));
                            }
                        }
                        Err(e) => self.errors.push(e.in_stream(stream)),
                    }
                }
                HandleModel { raw, type_name, object_name, object_infos }
            })
            .collect();
        StreamModel::HandleData { v2: handles.is_v2(), handles: handles_model }
    }

    fn tokens(&mut self, list: mdump_reader::TokenList<'a>) -> StreamModel {
        let mut tokens = Vec::new();
        for token in list.iter() {
            match token {
                Ok(t) => tokens.push(TokenModel {
                    token_id: t.header.token_id.get(),
                    token_handle: t.header.token_handle.get(),
                    data: t.data.to_vec(),
                }),
                Err(e) => self.errors.push(e.in_stream(StreamType::TOKEN)),
            }
        }
        StreamModel::Token(tokens)
    }

    fn function_table(&mut self, table: mdump_reader::FunctionTable<'a>) -> StreamModel {
        let mut tables = Vec::new();
        for record in table.iter() {
            match record {
                Ok(rec) => tables.push((*rec.descriptor, rec.native_descriptor.to_vec(), rec.entries.to_vec())),
                Err(e) => self.errors.push(e.in_stream(StreamType::FUNCTION_TABLE)),
            }
        }
        StreamModel::FunctionTable(FunctionTableModel {
            size_of_native_descriptor: table.header.size_of_native_descriptor.get(),
            size_of_function_entry: table.header.size_of_function_entry.get(),
            size_of_align_pad: table.header.size_of_align_pad.get(),
            tables,
        })
    }

    fn dso_debug(&mut self, d: mdump_reader::LinuxDsoDebug<'a>, whole: Bytes<'a>) -> StreamModel {
        let stream = StreamType::LINUX_DSO_DEBUG;
        let link_maps = match d.link_maps() {
            Ok(maps) => self.link_maps(maps),
            Err(e) => {
                // A header whose link maps cannot be found is not understood:
                // keep the stream's bytes as they are rather than rewrite a
                // header we cannot vouch for.
                self.errors.push(e.in_stream(stream));
                let bytes = if self.charge(whole.len() as u64, whole.base(), stream) {
                    whole.as_slice().to_vec()
                } else {
                    Vec::new()
                };
                return StreamModel::Raw { stream_type: stream, bytes };
            }
        };
        StreamModel::LinuxDsoDebug(DsoDebugModel {
            is_64bit: d.is_64bit(),
            version: d.version(),
            brk: d.brk(),
            ldbase: d.ldbase(),
            dynamic: d.dynamic_address(),
            link_maps,
            dynamic_bytes: d.dynamic().as_slice().to_vec(),
        })
    }

    fn link_maps(&mut self, maps: LinkMaps<'a>) -> Vec<(u64, u64, Option<Vec<u16>>)> {
        let stream = StreamType::LINUX_DSO_DEBUG;
        let entry_size = match maps.entries {
            LinkMapEntries::LinkMap32(_) => core::mem::size_of::<LinkMap32>(),
            LinkMapEntries::LinkMap64(_) => core::mem::size_of::<LinkMap64>(),
        };
        let offset = maps.get(0).map_or(0, |m| m.offset());
        if !self.charge((maps.len() * entry_size) as u64, offset, stream) {
            return Vec::new();
        }
        maps.iter()
            .map(|m| {
                let name = match m.name() {
                    Ok(name) => name.map(|n| self.string(Ok(n), stream)),
                    Err(e) => {
                        self.errors.push(e.in_stream(stream));
                        None
                    }
                };
                (m.addr(), m.ld(), name)
            })
            .collect()
    }

    /// A Crashpad UTF-8 string; empty (and reported) if unreadable. Each
    /// string costs its length field even if unreadable, so that a list
    /// read many times is charged for its entries.
    fn utf8(&mut self, rva: u32) -> Vec<u8> {
        let stream = StreamType::CRASHPAD_INFO;
        if !self.charge(4, rva.into(), stream) {
            return Vec::new();
        }
        match utf8_string(self.dump.bytes(), rva) {
            Ok(s) if self.charge(s.len() as u64, u64::from(rva) + 4, stream) => s.to_vec(),
            Ok(_) => Vec::new(),
            Err(e) => {
                self.errors.push(e.in_stream(stream));
                Vec::new()
            }
        }
    }

    fn dictionary(&mut self, dictionary: mdump_reader::Result<SimpleStringDictionary<'a>>) -> Vec<(Vec<u8>, Vec<u8>)> {
        let Some(d) = self.or(dictionary.map(Some), StreamType::CRASHPAD_INFO, None) else { return Vec::new() };
        d.raw().iter().map(|e| (self.utf8(e.key.get()), self.utf8(e.value.get()))).collect()
    }

    fn crashpad_info(&mut self, info: mdump_reader::CrashpadInfo<'a>) -> StreamModel {
        let stream = StreamType::CRASHPAD_INFO;
        let simple_annotations = self.dictionary(info.simple_annotations());
        let modules = match info.module_list() {
            Ok(list) => {
                let size = core::mem::size_of_val(list.raw()) as u64;
                if self.charge(size, info.raw.module_list.rva.get().into(), stream) {
                    list.raw().iter().zip(list.iter()).map(|(link, m)| self.crashpad_module(link, m)).collect()
                } else {
                    Vec::new()
                }
            }
            Err(e) => {
                self.errors.push(e.in_stream(stream));
                Vec::new()
            }
        };
        StreamModel::CrashpadInfo(CrashpadInfoModel {
            version: info.version(),
            report_id: *info.report_id(),
            client_id: *info.client_id(),
            simple_annotations,
            modules,
        })
    }

    /// One module's Crashpad information; an unreadable record is kept with
    /// version 0 and no annotations.
    fn crashpad_module(
        &mut self,
        link: &mdump_format::crashpad::ModuleCrashpadInfoLink,
        module: mdump_reader::Result<mdump_reader::CrashpadModule<'a>>,
    ) -> CrashpadModuleModel {
        let stream = StreamType::CRASHPAD_INFO;
        let mut model = CrashpadModuleModel {
            module_index: link.minidump_module_list_index.get(),
            ..CrashpadModuleModel::default()
        };
        let Some(m) = self.or(module.map(Some), stream, None) else { return model };
        model.version = m.version();
        if let Some(list) = self.or(m.list_annotations().map(Some), stream, None) {
            model.list_annotations = list.raw().iter().map(|rva| self.utf8(rva.get())).collect();
        }
        model.simple_annotations = self.dictionary(m.simple_annotations());
        if let Some(objects) = self.or(m.annotation_objects().map(Some), stream, None) {
            model.annotation_objects = objects
                .raw()
                .iter()
                .zip(objects.iter())
                .map(|(raw, annotation)| {
                    let annotation_type = raw.r#type.get();
                    match annotation {
                        Ok(a) => {
                            let size = 12 + a.name.len() as u64 + a.value.len() as u64;
                            if self.charge(size, raw.name.get().into(), stream) {
                                AnnotationModel { name: a.name.to_vec(), annotation_type, value: a.value.to_vec() }
                            } else {
                                AnnotationModel { annotation_type, ..AnnotationModel::default() }
                            }
                        }
                        Err(e) => {
                            // The name may be the readable half.
                            self.errors.push(e.in_stream(stream));
                            let name = if utf8_string(self.dump.bytes(), raw.name.get()).is_ok() {
                                self.utf8(raw.name.get())
                            } else {
                                Vec::new()
                            };
                            AnnotationModel { name, annotation_type, value: Vec::new() }
                        }
                    }
                })
                .collect();
        }
        model
    }
}

/// The captured memory of an existing dump, as a [`MemorySource`]: its
/// MemoryList and Memory64List regions, thread stacks (ThreadList and
/// ThreadExList) and backing stores, indexed by address.
///
/// Overlapping regions are normal (a stack also in the MemoryList, the bytes
/// around an instruction pointer inside a stack). A read is answered from
/// the region holding the most bytes from its address on (of those, the one
/// starting closest below it), whatever the buffer's size, so a shorter read
/// gives a prefix of a longer one. Regions whose bytes are not in the file
/// are left out.
///
/// ```
/// use mdump_writer::model::DumpMemory;
/// use mdump_writer::MemorySource;
///
/// let mut none = DumpMemory::empty();
/// assert_eq!(none.read(0x1000, &mut [0u8; 16]), 0);
/// ```
#[derive(Clone, Debug, Default)]
pub struct DumpMemory<'a> {
    index: MemoryIndex<'a>,
    /// `max_end[i]`: the largest end among `index.regions()[..=i]`, so a
    /// backwards scan stops where no earlier region reaches the address.
    max_end: Vec<u64>,
}

impl<'a> DumpMemory<'a> {
    /// All memory of `dump`. Streams and entries that cannot be read are
    /// skipped ([`DumpModel::from_dump`] reports them).
    ///
    /// Each region's descriptor takes at least 16 bytes of the file, so no
    /// more than one region per 16 bytes is indexed: lists that overlap in
    /// a hostile file cannot multiply the index.
    pub fn new(dump: &Minidump<'a>) -> DumpMemory<'a> {
        use mdump_reader as r;
        let limit = dump.bytes().len() / 16;
        let mut regions: Vec<MemoryRegion<'a>> = Vec::new();
        for entry in dump.directory() {
            if regions.len() >= limit {
                break;
            }
            let Ok(bytes) = dump.location(&entry.location) else { continue };
            match StreamType(entry.stream_type.get()) {
                StreamType::MEMORY_LIST => {
                    if let Ok(list) = r::MemoryList::parse(bytes, dump) {
                        regions.extend(list.iter().filter_map(|r| r.ok()));
                    }
                }
                StreamType::MEMORY64_LIST => {
                    if let Ok(list) = r::Memory64List::parse(bytes, dump) {
                        regions.extend(list.iter().filter_map(|r| r.ok()));
                    }
                }
                StreamType::THREAD_LIST => {
                    if let Ok(list) = r::ThreadList::parse(bytes, dump) {
                        regions.extend(list.iter().filter_map(|t| t.stack().ok()));
                    }
                }
                StreamType::THREAD_EX_LIST => {
                    if let Ok(list) = r::ThreadExList::parse(bytes, dump) {
                        for i in 0..list.raw().len() {
                            regions.extend(list.stack(i).and_then(|r| r.ok()));
                            regions.extend(list.backing_store(i).and_then(|r| r.ok()));
                        }
                    }
                }
                _ => {}
            }
        }
        regions.truncate(limit);
        // A stack is usually in the MemoryList as well, at the same place in
        // the file: index it once.
        regions.retain(|r| !r.bytes.is_empty());
        regions.sort_unstable_by_key(|r| (r.base, r.bytes.base(), r.size()));
        regions.dedup_by_key(|r| (r.base, r.bytes.base(), r.size()));
        let index = MemoryIndex::from_regions(regions);
        let max_end = index
            .regions()
            .iter()
            .scan(0u64, |m, r| {
                *m = (*m).max(r.end());
                Some(*m)
            })
            .collect();
        DumpMemory { index, max_end }
    }

    /// No memory at all: every read comes back empty (`mdump rewrite
    /// --strip-memory`: the ranges are then written empty).
    pub fn empty() -> DumpMemory<'a> {
        DumpMemory::default()
    }

    /// The indexed regions, sorted by address.
    pub fn regions(&self) -> &[MemoryRegion<'a>] {
        self.index.regions()
    }

    /// The region holding the most bytes from `address` on; of those, the
    /// one starting closest below it.
    pub fn region_at(&self, address: u64) -> Option<&MemoryRegion<'a>> {
        let regions = self.index.regions();
        let upper = regions.partition_point(|r| r.base <= address);
        let mut best: Option<&MemoryRegion<'a>> = None;
        for i in (0..upper).rev() {
            if self.max_end.get(i).is_none_or(|&end| end <= address) {
                break;
            }
            if let Some(r) = regions.get(i) {
                if r.end() > address && best.is_none_or(|b| r.end() > b.end()) {
                    best = Some(r);
                }
            }
        }
        best
    }

    /// The bytes at `address`, at most `max` of them, from
    /// [`region_at`](Self::region_at) (empty if no region holds `address`).
    pub fn bytes_at(&self, address: u64, max: usize) -> &'a [u8] {
        let Some(region) = self.region_at(address) else { return &[] };
        let available = region.end() - address;
        let n = available.min(max as u64);
        region.slice(address, n).unwrap_or(&[])
    }
}

impl MemorySource for DumpMemory<'_> {
    fn read(&mut self, address: u64, buf: &mut [u8]) -> usize {
        let bytes = self.bytes_at(address, buf.len());
        let n = bytes.len().min(buf.len());
        buf[..n].copy_from_slice(&bytes[..n]);
        n
    }
}
