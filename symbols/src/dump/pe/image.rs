//! The facts a `.sym` needs from a PE image: machine, code id, CodeView
//! record, and the x64 exception directory (`.pdata`) with its unwind info.
//!
//! Everything is read through bounds-checked slices: a truncated or hostile
//! image gives an error or fewer records, never a panic.

use object::pe;
use object::read::pe::{ImageNtHeaders, ImageOptionalHeader, PeFile32, PeFile64, SectionTable};
use object::{LittleEndian as LE, Object};

use crate::dump::DumpError;

/// What [`super::dump_pe`] uses from a PE image.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PeImage {
    /// `IMAGE_FILE_HEADER.Machine`.
    pub machine: u16,
    /// Whether the optional header is PE32+ (64-bit).
    pub is_64: bool,
    /// `IMAGE_FILE_HEADER.TimeDateStamp`.
    pub timestamp: u32,
    /// `IMAGE_OPTIONAL_HEADER.SizeOfImage`.
    pub size_of_image: u32,
    /// The RSDS CodeView record, if the image has one.
    pub codeview: Option<CodeView>,
    /// `IMAGE_RUNTIME_FUNCTION_ENTRY` records of the exception directory
    /// (PE32+ only): begin, end and unwind info RVAs.
    pub runtime_functions: Vec<RuntimeFunction>,
}

/// An RSDS CodeView record: which PDB belongs to the image.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CodeView {
    /// The GUID as stored (Data1..Data3 little-endian, then Data4).
    pub guid: [u8; 16],
    /// The PDB's age.
    pub age: u32,
    /// The PDB path the linker wrote (lossily decoded).
    pub path: String,
}

/// One `.pdata` entry.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct RuntimeFunction {
    /// First byte of the function.
    pub begin: u32,
    /// One past its last byte.
    pub end: u32,
    /// RVA of its `UNWIND_INFO` (bit 0 set: of another `RUNTIME_FUNCTION`).
    pub unwind: u32,
}

impl PeImage {
    /// Reads the headers, the CodeView record and the exception directory.
    pub fn parse(data: &[u8]) -> Result<PeImage, DumpError> {
        match object::FileKind::parse(data) {
            Ok(object::FileKind::Pe32) => {
                let file = PeFile32::parse(data).map_err(|e| DumpError::new(format!("PE: {e}")))?;
                Ok(Self::from_file(&file, data, false))
            }
            Ok(object::FileKind::Pe64) => {
                let file = PeFile64::parse(data).map_err(|e| DumpError::new(format!("PE: {e}")))?;
                Ok(Self::from_file(&file, data, true))
            }
            Ok(kind) => Err(DumpError::new(format!("not a PE image (found {kind:?})"))),
            Err(e) => Err(DumpError::new(format!("not a PE image: {e}"))),
        }
    }

    fn from_file<'d, H: ImageNtHeaders>(file: &object::read::pe::PeFile<'d, H>, data: &'d [u8], is_64: bool) -> Self {
        let nt = file.nt_headers();
        let header = nt.file_header();
        let codeview = file.pdb_info().ok().flatten().map(|cv| CodeView {
            guid: cv.guid(),
            age: cv.age(),
            path: String::from_utf8_lossy(cv.path()).into_owned(),
        });
        let mut image = PeImage {
            machine: header.machine.get(LE),
            is_64,
            timestamp: header.time_date_stamp.get(LE),
            size_of_image: nt.optional_header().size_of_image(),
            codeview,
            runtime_functions: Vec::new(),
        };
        if is_64 {
            image.runtime_functions = runtime_functions(file, data);
        }
        image
    }

    /// `<TimeDateStamp %08X><SizeOfImage %X>`, as Breakpad and Microsoft's
    /// symbol servers name the code file.
    pub fn code_id(&self) -> String {
        format!("{:08X}{:X}", self.timestamp, self.size_of_image)
    }
}

fn runtime_functions<'d, H: ImageNtHeaders>(
    file: &object::read::pe::PeFile<'d, H>,
    data: &'d [u8],
) -> Vec<RuntimeFunction> {
    let Some(dir) = file.data_directory(pe::IMAGE_DIRECTORY_ENTRY_EXCEPTION) else {
        return Vec::new();
    };
    let (rva, size) = (dir.virtual_address.get(LE), dir.size.get(LE));
    let bytes = file.section_table().pe_data_at(data, rva).unwrap_or(&[]);
    // The directory size says how many entries there are; the section may
    // hold fewer bytes on a truncated image.
    let len = (size as usize).min(bytes.len()) / 12;
    bytes[..len * 12]
        .chunks_exact(12)
        .map(|e| RuntimeFunction { begin: u32_at(e, 0), end: u32_at(e, 4), unwind: u32_at(e, 8) })
        .collect()
}

/// The little-endian `u32` at `offset` of `bytes`, 0 past its end.
pub fn u32_at(bytes: &[u8], offset: usize) -> u32 {
    match bytes.get(offset..offset.wrapping_add(4)) {
        Some(b) => u32::from_le_bytes([b[0], b[1], b[2], b[3]]),
        None => 0,
    }
}

/// A reader of the image by RVA, for unwind info (which points around).
#[derive(Clone, Copy)]
pub struct RvaReader<'d> {
    data: &'d [u8],
    table: Option<SectionTable<'d>>,
}

impl<'d> RvaReader<'d> {
    /// A reader over `data`, an image that [`PeImage::parse`] accepted.
    pub fn new(data: &'d [u8]) -> RvaReader<'d> {
        let table = match object::FileKind::parse(data) {
            Ok(object::FileKind::Pe32) => PeFile32::parse(data).ok().map(|f| f.section_table()),
            Ok(object::FileKind::Pe64) => PeFile64::parse(data).ok().map(|f| f.section_table()),
            _ => None,
        };
        RvaReader { data, table }
    }

    /// The bytes from `rva` to the end of its section's file data (empty
    /// when no section holds it).
    pub fn at(&self, rva: u32) -> &'d [u8] {
        self.table.and_then(|t| t.pe_data_at(self.data, rva)).unwrap_or(&[])
    }
}

/// Breakpad's name for an `IMAGE_FILE_MACHINE_*` value.
pub fn cpu_name(machine: u16) -> &'static str {
    match machine {
        pe::IMAGE_FILE_MACHINE_I386 => "x86",
        pe::IMAGE_FILE_MACHINE_AMD64 => "x86_64",
        pe::IMAGE_FILE_MACHINE_ARM64 => "arm64",
        pe::IMAGE_FILE_MACHINE_ARM | pe::IMAGE_FILE_MACHINE_ARMNT | pe::IMAGE_FILE_MACHINE_THUMB => "arm",
        pe::IMAGE_FILE_MACHINE_IA64 => "ia64",
        _ => "unknown",
    }
}

/// The last component of a path with `\` or `/` separators.
pub fn base_name(path: &str) -> &str {
    path.rsplit(['\\', '/']).next().unwrap_or(path)
}
