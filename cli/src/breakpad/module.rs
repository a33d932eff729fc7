//! The ModuleList stream with each module's CodeView and miscellaneous debug
//! records, and the identifiers Breakpad derives from them.

use super::memory::read_list_count;
use super::range_map::{Merge, RangeMap};
use super::{read_struct, text, view, Session};
use mdump_format::codeview::{
    CvInfoPdb20, CvInfoPdb70, ImageDebugMisc, CV_SIGNATURE_BPEL, CV_SIGNATURE_NB10, CV_SIGNATURE_RSDS,
};
use mdump_format::module::{MinidumpModule, VS_FFI_SIGNATURE};
use mdump_format::system_info::*;
use mdump_format::StreamType;
use mdump_reader::module_list::{elf_debug_id, guid_age_id, guid_string};
use std::io::{self, Write};

/// Breakpad ignores CodeView and misc records larger than this.
const MAX_RECORD_BYTES: u32 = 32768;

/// Breakpad's stand-in signature for a CodeView record too short to have one.
const CV_SIGNATURE_UNKNOWN: u32 = 0xffff_ffff;

/// `VS_FFI_STRUCVERSION`: the bit of `struct_version` Breakpad requires
/// before it believes the version numbers.
const VS_FFI_STRUCVERSION: u32 = 0x1_0000;

/// Size of the fixed part of an `IMAGE_DEBUG_MISC` record.
const MISC_HEADER: u32 = core::mem::size_of::<ImageDebugMisc>() as u32;

/// A module as Breakpad's `MinidumpModule` holds it.
struct Module<'a> {
    raw: &'a MinidumpModule,
    /// Whether its name could be read (Breakpad's `valid_`).
    valid: bool,
    name: Vec<u8>,
    /// The CodeView record, once read successfully, and its signature.
    cv: Option<(&'a [u8], u32)>,
    /// The misc record, once read successfully.
    misc: Option<&'a [u8]>,
    /// Whether every debug record the module claims could be read.
    has_debug_info: bool,
}

impl<'a> Module<'a> {
    /// `MinidumpModule::Read`'s check: an empty or wrapping image is refused.
    fn new(raw: &'a MinidumpModule) -> Option<Module<'a>> {
        let size = u64::from(raw.size_of_image.get());
        if size == 0 || size > u64::MAX - raw.base_of_image.get() {
            return None;
        }
        Some(Module { raw, valid: false, name: Vec::new(), cv: None, misc: None, has_debug_info: false })
    }

    /// `GetCVRecord`: reads the CodeView record (once), checking the
    /// terminator of the PDB records.
    fn cv_record(&mut self, s: &Session<'a>) -> Option<(&'a [u8], u32)> {
        if let Some(cv) = self.cv {
            return Some(cv);
        }
        let size = self.raw.cv_record.data_size.get();
        if size == 0 || !s.io.seek(self.raw.cv_record.rva.get().into()) || size > MAX_RECORD_BYTES {
            return None;
        }
        let bytes = s.io.read(size.into())?;
        let signature = match bytes.get(..4) {
            Some(&[a, b, c, d]) if size > 4 => u32::from_le_bytes([a, b, c, d]),
            _ => CV_SIGNATURE_UNKNOWN,
        };
        let terminated = bytes.last() == Some(&0);
        let acceptable = match signature {
            CV_SIGNATURE_RSDS => bytes.len() > core::mem::size_of::<CvInfoPdb70>() && terminated,
            CV_SIGNATURE_NB10 => bytes.len() > core::mem::size_of::<CvInfoPdb20>() && terminated,
            _ => true,
        };
        if !acceptable {
            return None;
        }
        self.cv = Some((bytes, signature));
        self.cv
    }

    /// `GetMiscRecord`: reads the misc record (once); its length field must
    /// match the descriptor.
    fn misc_record(&mut self, s: &Session<'a>) -> Option<&'a [u8]> {
        if self.misc.is_some() {
            return self.misc;
        }
        let size = self.raw.misc_record.data_size.get();
        if size == 0
            || size < MISC_HEADER
            || !s.io.seek(self.raw.misc_record.rva.get().into())
            || size > MAX_RECORD_BYTES
        {
            return None;
        }
        let bytes = s.io.read(size.into())?;
        let header = view!(bytes, ImageDebugMisc)?;
        if header.length.get() != size {
            return None;
        }
        self.misc = Some(bytes);
        self.misc
    }

    /// `ReadAuxiliaryData`: the name (required), then the debug records the
    /// module claims to have. True when everything was read.
    fn read_auxiliary(&mut self, s: &Session<'a>) -> bool {
        match s.read_string(self.raw.module_name_rva.get().into()) {
            Some(name) => self.name = name,
            None => return false,
        }
        self.valid = true;
        if self.raw.cv_record.data_size.get() != 0 && self.cv_record(s).is_none() {
            return false;
        }
        if self.raw.misc_record.data_size.get() != 0 && self.misc_record(s).is_none() {
            return false;
        }
        self.has_debug_info = true;
        true
    }

    /// The ELF build id, when the CodeView record is Breakpad's ELF record.
    fn build_id(&self) -> Option<&'a [u8]> {
        match self.cv {
            Some((bytes, CV_SIGNATURE_BPEL)) => bytes.get(4..),
            _ => None,
        }
    }

    /// `code_identifier`: Windows' symbol-server key (time stamp and size),
    /// the ELF build id on Linux-like systems, otherwise `id`.
    fn code_identifier(&self, s: &Session) -> String {
        if !self.has_debug_info {
            return String::new();
        }
        let Some(info) = s.system_info() else {
            return String::new();
        };
        match info.platform_id.get() {
            PLATFORM_WIN32_NT | PLATFORM_WIN32_WINDOWS => {
                format!("{:08X}{:x}", self.raw.time_date_stamp.get(), self.raw.size_of_image.get())
            }
            PLATFORM_ANDROID | PLATFORM_FUCHSIA | PLATFORM_LINUX if self.build_id().is_some() => {
                String::from_utf8_lossy(&text::hex(self.build_id().unwrap_or_default())).into_owned()
            }
            PLATFORM_ANDROID | PLATFORM_FUCHSIA | PLATFORM_LINUX | PLATFORM_MAC_OS_X | PLATFORM_IOS
            | PLATFORM_SOLARIS | PLATFORM_NACL | PLATFORM_PS3 => "id".to_string(),
            _ => String::new(),
        }
    }

    /// `debug_file`: the PDB name from the CodeView record (the module's own
    /// name for an ELF record), else the name in the misc record.
    fn debug_file(&self) -> Vec<u8> {
        if !self.has_debug_info {
            return Vec::new();
        }
        let mut file = match self.cv {
            Some((bytes, CV_SIGNATURE_RSDS)) => text::cstr(bytes.get(24..).unwrap_or_default()).to_vec(),
            Some((bytes, CV_SIGNATURE_NB10)) => text::cstr(bytes.get(16..).unwrap_or_default()).to_vec(),
            Some((_, CV_SIGNATURE_BPEL)) => self.name.clone(),
            _ => Vec::new(),
        };
        if file.is_empty() {
            if let Some(misc) = self.misc {
                let data = misc.get(MISC_HEADER as usize..).unwrap_or_default();
                let unicode = misc.get(8).is_some_and(|&u| u != 0);
                if !unicode {
                    file = data.to_vec();
                } else if data.len() % 2 == 0 {
                    let units = data.chunks_exact(2).map(|c| u16::from_le_bytes([c[0], c[1]]));
                    file = text::utf16_to_utf8(units).unwrap_or_default();
                }
            }
        }
        file
    }

    /// `debug_identifier`: GUID and age (PDB 7.0), signature and age (PDB
    /// 2.0), or the first 16 bytes of an ELF build id as a GUID with age 0.
    fn debug_identifier(&self) -> String {
        if !self.has_debug_info {
            return String::new();
        }
        match self.cv {
            Some((bytes, CV_SIGNATURE_RSDS)) => match view!(bytes, CvInfoPdb70) {
                Some(cv) => guid_age_id(&cv.signature, cv.age.get()),
                None => String::new(),
            },
            Some((bytes, CV_SIGNATURE_NB10)) => match view!(bytes, CvInfoPdb20) {
                Some(cv) => format!("{:08X}{:x}", cv.signature.get(), cv.age.get()),
                None => String::new(),
            },
            Some((_, CV_SIGNATURE_BPEL)) => elf_debug_id(self.build_id().unwrap_or_default()),
            _ => String::new(),
        }
    }

    /// `version`: the file version from the version resource, when it has
    /// one.
    fn version(&self) -> String {
        let v = &self.raw.version_info;
        if v.signature.get() != VS_FFI_SIGNATURE || v.struct_version.get() & VS_FFI_STRUCVERSION == 0 {
            return String::new();
        }
        let (hi, lo) = (v.file_version_hi.get(), v.file_version_lo.get());
        format!("{}.{}.{}.{}", hi >> 16, hi & 0xffff, lo >> 16, lo & 0xffff)
    }
}

/// Whether `name` is an Android ashmem mapping, whose overlaps Breakpad
/// tolerates.
fn is_dev_ashmem(name: &[u8]) -> bool {
    name.starts_with(b"/dev/ashmem/")
}

/// `MinidumpModuleList::Read`: `None` when Breakpad refuses the list (size
/// mismatch, an empty or wrapping image, an unreadable name, overlapping
/// modules where the platform does not allow them).
fn read_module_list<'a>(s: &Session<'a>) -> Option<Vec<Module<'a>>> {
    let size = s.seek_to_stream(StreamType::MODULE_LIST)?;
    // The list's constructor picks the overlap rule from the platform.
    let merge = match s.platform() {
        Some(PLATFORM_ANDROID | PLATFORM_LINUX) => Merge::TruncateLower,
        _ => Merge::Exclusive,
    };
    // `minidump_dump` lifts Breakpad's usual limit on the number of modules.
    let count = read_list_count(s, size, core::mem::size_of::<MinidumpModule>() as u32)?;
    let mut modules = Vec::new();
    for _ in 0..count {
        modules.push(Module::new(read_struct!(s.io, MinidumpModule)?)?);
    }

    let mut ranges = RangeMap::new(merge);
    let mut last_end: u64 = 0;
    for index in 0..modules.len() {
        let module = modules.get_mut(index)?;
        if !module.read_auxiliary(s) && !module.valid {
            return None;
        }
        let module = modules.get(index)?;
        let mut base = module.raw.base_of_image.get();
        let mut module_size = u64::from(module.raw.size_of_image.get());
        if base == u64::MAX {
            return None;
        }
        // A module repeating one already stored is kept in the list but not
        // stored again.
        if let Some(existing) = ranges.retrieve(base).and_then(|i| modules.get(i)) {
            if existing.raw.base_of_image.get() == base
                && existing.raw.size_of_image.get() == module.raw.size_of_image.get()
                && existing.name == module.name
                && existing.code_identifier(s) == module.code_identifier(s)
            {
                continue;
            }
        }
        let is_android = s.platform() == Some(PLATFORM_ANDROID);
        let stored = ranges.store(base, module_size, index) || (is_android && is_dev_ashmem(&module.name));
        if !stored {
            if !is_android || base >= last_end {
                return None;
            }
            // Undo what Android's packed-relocation fix-up did to the base.
            module_size = module_size.wrapping_sub(last_end - base);
            base = last_end;
            if !ranges.store(base, module_size, index) {
                return None;
            }
        }
        last_end = base.wrapping_add(module_size);
    }
    Some(modules)
}

/// Column width of the module lines.
const W: usize = 31;

/// `  name = "text"` with `text` cut at its first NUL.
fn quoted(out: &mut dyn Write, name: &str, value: &[u8]) -> io::Result<()> {
    write!(out, "  {name:<W$} = \"")?;
    out.write_all(text::cstr(value))?;
    out.write_all(b"\"\n")
}

/// The ModuleList stream.
pub fn print_module_list(s: &Session, out: &mut dyn Write) -> io::Result<()> {
    let Some(mut modules) = read_module_list(s) else {
        return Ok(());
    };
    writeln!(out, "MinidumpModuleList")?;
    writeln!(out, "  module_count = {}", modules.len() as u32 as i32)?;
    writeln!(out)?;
    for (index, module) in modules.iter_mut().enumerate() {
        writeln!(out, "module[{index}]")?;
        print_module(s, module, out)?;
    }
    Ok(())
}

/// `MinidumpModule::Print`.
fn print_module<'a>(s: &Session<'a>, m: &mut Module<'a>, out: &mut dyn Write) -> io::Result<()> {
    let r = m.raw;
    let v = &r.version_info;
    writeln!(out, "MDRawModule")?;
    writeln!(out, "  {:<W$} = 0x{:x}", "base_of_image", r.base_of_image.get())?;
    writeln!(out, "  {:<W$} = 0x{:x}", "size_of_image", r.size_of_image.get())?;
    writeln!(out, "  {:<W$} = 0x{:x}", "checksum", r.checksum.get())?;
    let time = r.time_date_stamp.get();
    writeln!(out, "  {:<W$} = 0x{time:x} {}", "time_date_stamp", text::utc(time))?;
    writeln!(out, "  {:<W$} = 0x{:x}", "module_name_rva", r.module_name_rva.get())?;
    writeln!(out, "  {:<W$} = 0x{:x}", "version_info.signature", v.signature.get())?;
    writeln!(out, "  {:<W$} = 0x{:x}", "version_info.struct_version", v.struct_version.get())?;
    let (file_hi, file_lo) = (v.file_version_hi.get(), v.file_version_lo.get());
    writeln!(out, "  {:<W$} = 0x{file_hi:x}:0x{file_lo:x}", "version_info.file_version")?;
    let (product_hi, product_lo) = (v.product_version_hi.get(), v.product_version_lo.get());
    writeln!(out, "  {:<W$} = 0x{product_hi:x}:0x{product_lo:x}", "version_info.product_version")?;
    writeln!(out, "  {:<W$} = 0x{:x}", "version_info.file_flags_mask", v.file_flags_mask.get())?;
    writeln!(out, "  {:<W$} = 0x{:x}", "version_info.file_flags", v.file_flags.get())?;
    writeln!(out, "  {:<W$} = 0x{:x}", "version_info.file_os", v.file_os.get())?;
    writeln!(out, "  {:<W$} = 0x{:x}", "version_info.file_type", v.file_type.get())?;
    writeln!(out, "  {:<W$} = 0x{:x}", "version_info.file_subtype", v.file_subtype.get())?;
    let (date_hi, date_lo) = (v.file_date_hi.get(), v.file_date_lo.get());
    writeln!(out, "  {:<W$} = 0x{date_hi:x}:0x{date_lo:x}", "version_info.file_date")?;
    writeln!(out, "  {:<W$} = {}", "cv_record.data_size", r.cv_record.data_size.get() as i32)?;
    writeln!(out, "  {:<W$} = 0x{:x}", "cv_record.rva", r.cv_record.rva.get())?;
    writeln!(out, "  {:<W$} = {}", "misc_record.data_size", r.misc_record.data_size.get() as i32)?;
    writeln!(out, "  {:<W$} = 0x{:x}", "misc_record.rva", r.misc_record.rva.get())?;
    quoted(out, "(code_file)", &m.name)?;
    quoted(out, "(code_identifier)", m.code_identifier(s).as_bytes())?;

    match m.cv_record(s) {
        Some((bytes, CV_SIGNATURE_RSDS)) if bytes.len() > 24 => {
            if let (Some(cv), Some(name)) = (view!(bytes, CvInfoPdb70), bytes.get(24..)) {
                writeln!(out, "  {:<W$} = 0x{:x}", "(cv_record).cv_signature", cv.cv_signature.get())?;
                writeln!(out, "  {:<W$} = {}", "(cv_record).signature", guid_string(&cv.signature))?;
                writeln!(out, "  {:<W$} = {}", "(cv_record).age", cv.age.get() as i32)?;
                quoted(out, "(cv_record).pdb_file_name", name)?;
            }
        }
        Some((bytes, CV_SIGNATURE_NB10)) if bytes.len() > 16 => {
            if let (Some(cv), Some(name)) = (view!(bytes, CvInfoPdb20), bytes.get(16..)) {
                let signature = cv.signature.get();
                writeln!(out, "  {:<W$} = 0x{:x}", "(cv_record).cv_header.signature", cv.cv_signature.get())?;
                writeln!(out, "  {:<W$} = 0x{:x}", "(cv_record).cv_header.offset", cv.cv_offset.get())?;
                writeln!(out, "  {:<W$} = 0x{signature:x} {}", "(cv_record).signature", text::utc(signature))?;
                writeln!(out, "  {:<W$} = {}", "(cv_record).age", cv.age.get() as i32)?;
                quoted(out, "(cv_record).pdb_file_name", name)?;
            }
        }
        Some((bytes, CV_SIGNATURE_BPEL)) => {
            writeln!(out, "  {:<W$} = 0x{CV_SIGNATURE_BPEL:x}", "(cv_record).cv_signature")?;
            write!(out, "  {:<W$} = ", "(cv_record).build_id")?;
            out.write_all(&text::hex(bytes.get(4..).unwrap_or_default()))?;
            writeln!(out)?;
        }
        Some((bytes, _)) => {
            write!(out, "  {:<W$} = ", "(cv_record)")?;
            out.write_all(&text::hex(bytes))?;
            writeln!(out)?;
        }
        None => writeln!(out, "  {:<W$} = (null)", "(cv_record)")?,
    }

    match m.misc_record(s) {
        Some(bytes) => {
            if let (Some(misc), Some(data)) = (view!(bytes, ImageDebugMisc), bytes.get(MISC_HEADER as usize..)) {
                writeln!(out, "  {:<W$} = 0x{:x}", "(misc_record).data_type", misc.data_type.get())?;
                writeln!(out, "  {:<W$} = 0x{:x}", "(misc_record).length", misc.length.get())?;
                writeln!(out, "  {:<W$} = {}", "(misc_record).unicode", misc.unicode)?;
                if misc.unicode != 0 {
                    let units: Vec<_> = data.chunks_exact(2).map(|c| u16::from_le_bytes([c[0], c[1]])).collect();
                    let units = units.into_iter().take_while(|&u| u != 0);
                    quoted(out, "(misc_record).data", &text::utf16_to_utf8(units).unwrap_or_default())?;
                } else {
                    quoted(out, "(misc_record).data", data)?;
                }
            }
        }
        None => writeln!(out, "  {:<W$} = (null)", "(misc_record)")?,
    }

    quoted(out, "(debug_file)", &m.debug_file())?;
    quoted(out, "(debug_identifier)", m.debug_identifier().as_bytes())?;
    quoted(out, "(version)", m.version().as_bytes())?;
    writeln!(out)
}
