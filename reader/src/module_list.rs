//! The ModuleList stream, CodeView and misc debug records, and the code and
//! debug identifiers symbol stores index modules by.

use crate::bytes::Bytes;
use crate::error::{Error, ErrorKind, Result};
use crate::list::count_prefixed;
use crate::minidump::{Minidump, Stream};
use crate::string::MinidumpStr;
use crate::system_info::SystemInfo;
use mdump_format::codeview::*;
use mdump_format::module::{MinidumpModule, VS_FFI_SIGNATURE};
use mdump_format::system_info::*;
use mdump_format::StreamType;
use std::fmt::Write as _;

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
        let platform = dump.stream::<SystemInfo>().ok().flatten().map(|s| s.platform_id());
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

/// Formats a GUID and age the way Microsoft's symbol server (and Breakpad)
/// name debug ids: 32 upper-case hex digits, then the age in lower-case hex.
pub fn guid_age_id(guid: &Guid, age: u32) -> String {
    let mut s = String::with_capacity(40);
    let _ = write!(s, "{:08X}{:04X}{:04X}", guid.data1.get(), guid.data2.get(), guid.data3.get());
    for b in guid.data4 {
        let _ = write!(s, "{b:02X}");
    }
    let _ = write!(s, "{age:x}");
    s
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

/// The debug id Breakpad derives from an ELF build id: its first 16 bytes
/// (zero-padded) read as a GUID, then age 0.
pub fn elf_debug_id(build_id: &[u8]) -> String {
    let mut g = [0u8; 16];
    let n = build_id.len().min(16);
    g[..n].copy_from_slice(&build_id[..n]);
    let guid = zerocopy::transmute!(g);
    guid_age_id(&guid, 0)
}

/// Lower-case hex of `bytes`.
pub fn hex(bytes: &[u8]) -> String {
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        let _ = write!(s, "{b:02x}");
    }
    s
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
    /// stamp and image size (`%08X%x`); on Linux-like systems the build id in
    /// hex when the CodeView record is `BpEL`, else the placeholder "id";
    /// `None` when the platform is unknown or missing.
    pub fn code_identifier(&self) -> Option<String> {
        match self.platform? {
            PLATFORM_WIN32_NT | PLATFORM_WIN32_WINDOWS => {
                Some(format!("{:08X}{:x}", self.raw.time_date_stamp.get(), self.raw.size_of_image.get()))
            }
            PLATFORM_MAC_OS_X | PLATFORM_IOS | PLATFORM_SOLARIS | PLATFORM_ANDROID | PLATFORM_LINUX | PLATFORM_NACL
            | PLATFORM_PS3 | PLATFORM_FUCHSIA => match self.codeview() {
                Ok(Some(CodeView::Elf { build_id })) => Some(hex(build_id)),
                _ => Some("id".to_string()),
            },
            _ => None,
        }
    }

    /// The debug file: the PDB name of an `RSDS`/`NB10` record, the code file
    /// for an ELF build id, else the misc record's file name.
    pub fn debug_file(&self) -> Option<String> {
        match self.codeview() {
            Ok(Some(CodeView::Pdb70 { pdb_file_name, .. })) | Ok(Some(CodeView::Pdb20 { pdb_file_name, .. }))
                if !pdb_file_name.is_empty() =>
            {
                return Some(String::from_utf8_lossy(pdb_file_name).into_owned())
            }
            Ok(Some(CodeView::Elf { .. })) => return Some(self.code_file()),
            _ => {}
        }
        let misc = self.debug_misc().ok().flatten()?;
        let name = if misc.raw.unicode != 0 {
            let units = misc.data.chunks_exact(2).map(|c| u16::from_le_bytes([c[0], c[1]]));
            crate::string::utf16_field_lossy(units)
        } else {
            String::from_utf8_lossy(until_nul(misc.data)).into_owned()
        };
        (!name.is_empty()).then_some(name)
    }

    /// The debug identifier symbol files are stored under: GUID and age for
    /// `RSDS`, signature and age for `NB10`, the build id as a GUID plus age 0
    /// for `BpEL`.
    pub fn debug_identifier(&self) -> Option<String> {
        match self.codeview().ok().flatten()? {
            CodeView::Pdb70 { raw, .. } => Some(guid_age_id(&raw.signature, raw.age.get())),
            CodeView::Pdb20 { raw, .. } => Some(format!("{:08X}{:x}", raw.signature.get(), raw.age.get())),
            CodeView::Elf { build_id } if !build_id.is_empty() => Some(elf_debug_id(build_id)),
            _ => None,
        }
    }

    /// The file version from the version resource ("5.1.2600.2180"), if any.
    pub fn version(&self) -> Option<String> {
        let v = &self.raw.version_info;
        if v.signature.get() != VS_FFI_SIGNATURE || v.struct_version.get() & 0x0001_0000 == 0 {
            return None;
        }
        let (hi, lo) = (v.file_version_hi.get(), v.file_version_lo.get());
        Some(format!("{}.{}.{}.{}", hi >> 16, hi & 0xffff, lo >> 16, lo & 0xffff))
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
