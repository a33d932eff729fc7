//! The ModuleList stream, CodeView and misc debug records, and the code and
//! debug identifiers symbol stores index modules by.

use crate::bytes::Bytes;
use crate::error::{Error, ErrorKind, Result};
use crate::list::count_prefixed;
use crate::minidump::{Minidump, Stream};
use crate::string::MinidumpStr;
use core::fmt;
use mdump_format::codeview::*;
use mdump_format::module::{MinidumpModule, VS_FFI_SIGNATURE};
use mdump_format::system_info::*;
use mdump_format::StreamType;

/// Largest CodeView record accepted (Breakpad's limit too): real ones hold a
/// GUID and a path.
pub const MAX_CV_BYTES: u32 = 1024;
/// Largest misc debug record accepted.
pub const MAX_MISC_BYTES: u32 = 1024;

/// The ModuleList stream.
#[derive(Clone, Copy, Debug)]
pub struct ModuleList<'a> {
    raw: &'a [MinidumpModule],
    dump: Minidump<'a>,
}

impl<'a> Stream<'a> for ModuleList<'a> {
    const STREAM_TYPE: StreamType = StreamType::MODULE_LIST;

    fn parse(bytes: Bytes<'a>, dump: &Minidump<'a>) -> Result<Self> {
        Ok(ModuleList { raw: count_prefixed(bytes, "modules")?, dump: *dump })
    }
}

impl<'a> ModuleList<'a> {
    /// The on-disk entries.
    pub fn raw(&self) -> &'a [MinidumpModule] {
        self.raw
    }

    /// Number of modules.
    pub fn len(&self) -> usize {
        self.raw.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.raw.is_empty()
    }

    /// The modules in file order. Each entry reads its name and records on
    /// demand, so one bad entry does not lose the others.
    pub fn iter(&self) -> impl ExactSizeIterator<Item = Module<'a>> + 'a {
        let dump = self.dump;
        let platform = dump.system_info_raw().map(|s| s.platform_id.get());
        self.raw.iter().map(move |raw| Module { raw, dump, platform })
    }

    /// The module whose `[base, base + size)` holds `address`.
    pub fn by_address(&self, address: u64) -> Option<Module<'a>> {
        self.iter().find(|m| {
            let base = m.raw.base_of_image.get();
            address >= base && address - base < u64::from(m.raw.size_of_image.get())
        })
    }
}

/// One module of a [`ModuleList`].
#[derive(Clone, Copy, Debug)]
pub struct Module<'a> {
    /// The on-disk entry.
    pub raw: &'a MinidumpModule,
    dump: Minidump<'a>,
    platform: Option<u32>,
}

/// A module's CodeView record.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CodeView<'a> {
    /// `RSDS`: PDB 7.0.
    Pdb70 {
        /// The fixed part.
        raw: &'a CvInfoPdb70,
        /// The PDB name, up to its NUL.
        pdb_file_name: &'a [u8],
    },
    /// `NB10`: PDB 2.0.
    Pdb20 {
        /// The fixed part.
        raw: &'a CvInfoPdb20,
        /// The PDB name, up to its NUL.
        pdb_file_name: &'a [u8],
    },
    /// `BpEL`: Breakpad's ELF build id.
    Elf {
        /// The build-id bytes.
        build_id: &'a [u8],
    },
    /// A signature this reader does not interpret (CV 5.0 `NB11`, ...).
    Unknown {
        /// The first four bytes as a `u32` (0 if the record is shorter).
        signature: u32,
        /// The whole record.
        bytes: &'a [u8],
    },
}

/// A module's `IMAGE_DEBUG_MISC` record.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DebugMisc<'a> {
    /// The fixed part.
    pub raw: &'a ImageDebugMisc,
    /// The data after the fixed part.
    pub data: &'a [u8],
}

fn until_nul(b: &[u8]) -> &[u8] {
    b.iter().position(|&c| c == 0).map_or(b, |n| &b[..n])
}

impl<'a> CodeView<'a> {
    /// Interprets a CodeView record's bytes.
    pub fn parse(bytes: Bytes<'a>) -> Result<CodeView<'a>> {
        let signature = if bytes.len() >= 4 { bytes.u32_at(0)? } else { 0 };
        Ok(match signature {
            CV_SIGNATURE_RSDS => {
                let raw = bytes.read::<CvInfoPdb70>(0)?;
                CodeView::Pdb70 { raw, pdb_file_name: until_nul(bytes.tail(24)?.as_slice()) }
            }
            CV_SIGNATURE_NB10 => {
                let raw = bytes.read::<CvInfoPdb20>(0)?;
                CodeView::Pdb20 { raw, pdb_file_name: until_nul(bytes.tail(16)?.as_slice()) }
            }
            CV_SIGNATURE_BPEL => CodeView::Elf { build_id: bytes.tail(4)?.as_slice() },
            _ => CodeView::Unknown { signature, bytes: bytes.as_slice() },
        })
    }

    /// The record's signature.
    pub fn signature(&self) -> u32 {
        match self {
            CodeView::Pdb70 { .. } => CV_SIGNATURE_RSDS,
            CodeView::Pdb20 { .. } => CV_SIGNATURE_NB10,
            CodeView::Elf { .. } => CV_SIGNATURE_BPEL,
            CodeView::Unknown { signature, .. } => *signature,
        }
    }
}

/// Writes `bytes` as upper- or lower-case hex without allocating.
fn write_hex(f: &mut fmt::Formatter<'_>, bytes: &[u8], upper: bool) -> fmt::Result {
    let digits: &[u8; 16] = if upper { b"0123456789ABCDEF" } else { b"0123456789abcdef" };
    let mut buf = [0u8; 64];
    for chunk in bytes.chunks(32) {
        for (i, b) in chunk.iter().enumerate() {
            buf[2 * i] = digits[usize::from(b >> 4)];
            buf[2 * i + 1] = digits[usize::from(b & 0xf)];
        }
        // Only ASCII hex digits were written.
        f.write_str(core::str::from_utf8(&buf[..2 * chunk.len()]).map_err(|_| fmt::Error)?)?;
    }
    Ok(())
}

/// A GUID's bytes in the order they are printed (the first three groups are
/// stored little-endian).
fn guid_print_order(g: &Guid) -> [u8; 16] {
    let mut b = [0u8; 16];
    b[..4].copy_from_slice(&g.data1.get().to_be_bytes());
    b[4..6].copy_from_slice(&g.data2.get().to_be_bytes());
    b[6..8].copy_from_slice(&g.data3.get().to_be_bytes());
    b[8..].copy_from_slice(&g.data4);
    b
}

/// The identifier symbol files are stored under ("debug id"), as a value:
/// formatting it (`Display`) gives Breakpad's and the Microsoft symbol
/// server's spelling, e.g. `5A9832E5287241C1838ED98914E9B7FF1`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DebugId {
    /// From an `RSDS` record: the PDB's GUID and age.
    Pdb70 {
        /// The PDB GUID.
        guid: Guid,
        /// The PDB age.
        age: u32,
    },
    /// From an `NB10` record: the PDB's time stamp signature and age.
    Pdb20 {
        /// The PDB signature.
        signature: u32,
        /// The PDB age.
        age: u32,
    },
    /// From a `BpEL` build id: its first 16 bytes (zero padded) read as a
    /// GUID, with age 0.
    Elf {
        /// The build id's first 16 bytes as a GUID.
        guid: Guid,
    },
}

impl fmt::Display for DebugId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DebugId::Pdb70 { guid, age } => {
                write_hex(f, &guid_print_order(guid), true)?;
                write!(f, "{age:x}")
            }
            DebugId::Pdb20 { signature, age } => write!(f, "{signature:08X}{age:x}"),
            DebugId::Elf { guid } => {
                write_hex(f, &guid_print_order(guid), true)?;
                f.write_str("0")
            }
        }
    }
}

/// The identifier of the module file itself ("code id").
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CodeId<'a> {
    /// A PE image: its time stamp and size, printed `%08X%x`.
    Pe {
        /// `TimeDateStamp` of the PE header.
        time_date_stamp: u32,
        /// `SizeOfImage` of the PE header.
        size_of_image: u32,
    },
    /// An ELF build id, printed as lower-case hex.
    BuildId(&'a [u8]),
    /// A platform Breakpad gives no real code id: printed `id`.
    Placeholder,
}

impl fmt::Display for CodeId<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CodeId::Pe { time_date_stamp, size_of_image } => write!(f, "{time_date_stamp:08X}{size_of_image:x}"),
            CodeId::BuildId(b) => write_hex(f, b, false),
            CodeId::Placeholder => f.write_str("id"),
        }
    }
}

/// Where a module's debug file name comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DebugFile<'a> {
    /// The PDB name of an `RSDS`/`NB10` record (8-bit text).
    Pdb(&'a [u8]),
    /// The module's own path (ELF modules: the binary holds its symbols).
    CodeFile(MinidumpStr<'a>),
    /// The file name of an `IMAGE_DEBUG_MISC` record, 8-bit text.
    Misc(&'a [u8]),
    /// The file name of an `IMAGE_DEBUG_MISC` record, UTF-16LE.
    MiscUtf16(&'a [u8]),
}

impl fmt::Display for DebugFile<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DebugFile::Pdb(b) | DebugFile::Misc(b) => {
                for chunk in b.utf8_chunks() {
                    f.write_str(chunk.valid())?;
                    if !chunk.invalid().is_empty() {
                        f.write_str("\u{fffd}")?;
                    }
                }
                Ok(())
            }
            DebugFile::CodeFile(s) => fmt::Display::fmt(s, f),
            DebugFile::MiscUtf16(b) => {
                let units = b.chunks_exact(2).map(|c| u16::from_le_bytes([c[0], c[1]])).take_while(|&u| u != 0);
                for c in char::decode_utf16(units) {
                    fmt::Write::write_char(f, c.unwrap_or(char::REPLACEMENT_CHARACTER))?;
                }
                Ok(())
            }
        }
    }
}

/// A Windows file version, `major.minor.build.revision`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Version(pub [u16; 4]);

impl fmt::Display for Version {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let [a, b, c, d] = self.0;
        write!(f, "{a}.{b}.{c}.{d}")
    }
}

/// Formats a GUID and age the way Microsoft's symbol server (and Breakpad)
/// name debug ids: 32 upper-case hex digits, then the age in lower-case hex.
pub fn guid_age_id(guid: &Guid, age: u32) -> String {
    DebugId::Pdb70 { guid: *guid, age }.to_string()
}

/// A GUID in its registry form: `5a9832e5-2872-41c1-838e-d98914e9b7ff`.
pub fn guid_string(g: &Guid) -> String {
    let d = g.data4;
    format!(
        "{:08x}-{:04x}-{:04x}-{:02x}{:02x}-{:02x}{:02x}{:02x}{:02x}{:02x}{:02x}",
        g.data1.get(),
        g.data2.get(),
        g.data3.get(),
        d[0],
        d[1],
        d[2],
        d[3],
        d[4],
        d[5],
        d[6],
        d[7]
    )
}

/// The GUID Breakpad derives from an ELF build id: its first 16 bytes, zero
/// padded.
pub fn elf_guid(build_id: &[u8]) -> Guid {
    let mut g = [0u8; 16];
    let n = build_id.len().min(16);
    g[..n].copy_from_slice(&build_id[..n]);
    zerocopy::transmute!(g)
}

/// The debug id Breakpad derives from an ELF build id, as a string.
pub fn elf_debug_id(build_id: &[u8]) -> String {
    DebugId::Elf { guid: elf_guid(build_id) }.to_string()
}

/// Lower-case hex of `bytes`.
pub fn hex(bytes: &[u8]) -> String {
    CodeId::BuildId(bytes).to_string()
}

impl<'a> Module<'a> {
    /// Load address.
    pub fn base(&self) -> u64 {
        self.raw.base_of_image.get()
    }

    /// Image size.
    pub fn size(&self) -> u64 {
        self.raw.size_of_image.get().into()
    }

    /// The module's path.
    pub fn name(&self) -> Result<MinidumpStr<'a>> {
        MinidumpStr::read(self.dump.bytes(), self.raw.module_name_rva.get())
            .map_err(|e| e.in_stream(StreamType::MODULE_LIST))
    }

    /// The CodeView record, if the entry has one.
    pub fn codeview(&self) -> Result<Option<CodeView<'a>>> {
        let loc = &self.raw.cv_record;
        if loc.data_size.get() == 0 {
            return Ok(None);
        }
        if loc.data_size.get() > MAX_CV_BYTES {
            return Err(Error::new(ErrorKind::Malformed("CodeView record larger than 1 KiB"), loc.rva.get().into())
                .in_stream(StreamType::MODULE_LIST));
        }
        let bytes = self.dump.location(loc).map_err(|e| e.in_stream(StreamType::MODULE_LIST))?;
        CodeView::parse(bytes).map(Some).map_err(|e| e.in_stream(StreamType::MODULE_LIST))
    }

    /// The misc debug record, if the entry has one.
    pub fn debug_misc(&self) -> Result<Option<DebugMisc<'a>>> {
        let loc = &self.raw.misc_record;
        if loc.data_size.get() == 0 {
            return Ok(None);
        }
        if loc.data_size.get() > MAX_MISC_BYTES {
            return Err(Error::new(ErrorKind::Malformed("misc debug record larger than 1 KiB"), loc.rva.get().into())
                .in_stream(StreamType::MODULE_LIST));
        }
        let bytes = self.dump.location(loc).map_err(|e| e.in_stream(StreamType::MODULE_LIST))?;
        let raw = bytes.read::<ImageDebugMisc>(0).map_err(|e| e.in_stream(StreamType::MODULE_LIST))?;
        Ok(Some(DebugMisc { raw, data: bytes.tail(12)?.as_slice() }))
    }

    /// The code file (the module's path), or "" if its name is unreadable.
    pub fn code_file(&self) -> String {
        self.name().map(|n| n.to_string_lossy()).unwrap_or_default()
    }

    /// The code identifier, as Breakpad computes it: on Windows the PE time
    /// stamp and image size; on Linux-like systems the build id when the
    /// CodeView record is `BpEL`, else the placeholder "id"; `None` when the
    /// platform is unknown or missing.
    pub fn code_identifier(&self) -> Option<CodeId<'a>> {
        match self.platform? {
            PLATFORM_WIN32_NT | PLATFORM_WIN32_WINDOWS => Some(CodeId::Pe {
                time_date_stamp: self.raw.time_date_stamp.get(),
                size_of_image: self.raw.size_of_image.get(),
            }),
            PLATFORM_MAC_OS_X | PLATFORM_IOS | PLATFORM_SOLARIS | PLATFORM_ANDROID | PLATFORM_LINUX | PLATFORM_NACL
            | PLATFORM_PS3 | PLATFORM_FUCHSIA => match self.codeview() {
                Ok(Some(CodeView::Elf { build_id })) => Some(CodeId::BuildId(build_id)),
                _ => Some(CodeId::Placeholder),
            },
            _ => None,
        }
    }

    /// The debug file: the PDB name of an `RSDS`/`NB10` record, the code file
    /// for an ELF build id, else the misc record's file name.
    pub fn debug_file(&self) -> Option<DebugFile<'a>> {
        match self.codeview() {
            Ok(Some(CodeView::Pdb70 { pdb_file_name, .. })) | Ok(Some(CodeView::Pdb20 { pdb_file_name, .. }))
                if !pdb_file_name.is_empty() =>
            {
                return Some(DebugFile::Pdb(pdb_file_name))
            }
            Ok(Some(CodeView::Elf { .. })) => return self.name().ok().map(DebugFile::CodeFile),
            _ => {}
        }
        let misc = self.debug_misc().ok().flatten()?;
        if misc.raw.unicode != 0 {
            let empty = misc.data.chunks_exact(2).next().is_none_or(|c| c == [0, 0]);
            (!empty).then_some(DebugFile::MiscUtf16(misc.data))
        } else {
            let name = until_nul(misc.data);
            (!name.is_empty()).then_some(DebugFile::Misc(name))
        }
    }

    /// The debug identifier symbol files are stored under.
    pub fn debug_identifier(&self) -> Option<DebugId> {
        match self.codeview().ok().flatten()? {
            CodeView::Pdb70 { raw, .. } => Some(DebugId::Pdb70 { guid: raw.signature, age: raw.age.get() }),
            CodeView::Pdb20 { raw, .. } => Some(DebugId::Pdb20 { signature: raw.signature.get(), age: raw.age.get() }),
            CodeView::Elf { build_id } if !build_id.is_empty() => Some(DebugId::Elf { guid: elf_guid(build_id) }),
            _ => None,
        }
    }

    /// The file version from the version resource, if any.
    pub fn version(&self) -> Option<Version> {
        let v = &self.raw.version_info;
        if v.signature.get() != VS_FFI_SIGNATURE || v.struct_version.get() & 0x0001_0000 == 0 {
            return None;
        }
        let (hi, lo) = (v.file_version_hi.get(), v.file_version_lo.get());
        Some(Version([(hi >> 16) as u16, hi as u16, (lo >> 16) as u16, lo as u16]))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_ids_match_breakpad() {
        // From minidump2's test_app.exe: 5a9832e5-2872-41c1-838e-d98914e9b7ff, age 1.
        let guid: Guid = zerocopy::transmute!([
            0xe5u8, 0x32, 0x98, 0x5a, 0x72, 0x28, 0xc1, 0x41, 0x83, 0x8e, 0xd9, 0x89, 0x14, 0xe9, 0xb7, 0xff
        ]);
        assert_eq!(guid_age_id(&guid, 1), "5A9832E5287241C1838ED98914E9B7FF1");
        assert_eq!(guid_string(&guid), "5a9832e5-2872-41c1-838e-d98914e9b7ff");
        // From rm-linux-mini's crash binary.
        let build_id = [
            0xf1, 0xc3, 0xbc, 0xc0, 0x27, 0x98, 0x65, 0xfe, 0x30, 0x58, 0x40, 0x4b, 0x28, 0x31, 0xd9, 0xe6, 0x41, 0x35,
            0x38, 0x6c,
        ];
        assert_eq!(elf_debug_id(&build_id), "C0BCC3F19827FE653058404B2831D9E60");
        assert_eq!(hex(&build_id), "f1c3bcc0279865fe3058404b2831d9e64135386c");
        // A short build id is zero padded.
        assert_eq!(elf_debug_id(&[1, 2, 3, 4]), "04030201000000000000000000000000".to_string() + "0");
    }

    #[test]
    fn codeview_kinds() {
        let mut rsds = b"RSDS".to_vec();
        rsds.extend_from_slice(&[0; 16]);
        rsds.extend_from_slice(&2u32.to_le_bytes());
        rsds.extend_from_slice(b"ntdll.pdb\0");
        match CodeView::parse(Bytes::new(&rsds)).unwrap() {
            CodeView::Pdb70 { raw, pdb_file_name } => {
                assert_eq!(raw.age.get(), 2);
                assert_eq!(pdb_file_name, b"ntdll.pdb");
            }
            other => panic!("{other:?}"),
        }
        let elf = b"LEpB\x01\x02"; // 0x4270454c, "BpEL" read as a big-endian word
        assert_eq!(CodeView::parse(Bytes::new(elf)).unwrap(), CodeView::Elf { build_id: &[1, 2] });
        // A truncated RSDS record is an error, not a panic.
        assert!(CodeView::parse(Bytes::new(b"RSDS\0\0")).is_err());
        assert!(matches!(CodeView::parse(Bytes::new(b"NB")).unwrap(), CodeView::Unknown { signature: 0, .. }));
    }
}
