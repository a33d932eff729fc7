//! The SystemInfo stream.

use crate::bytes::Bytes;
use crate::error::Result;
use crate::minidump::{Minidump, Stream};
use crate::string::MinidumpStr;
use mdump_format::system_info::*;
use mdump_format::StreamType;

/// The SystemInfo stream, viewed in place.
#[derive(Clone, Copy, Debug)]
pub struct SystemInfo<'a> {
    /// The on-disk structure.
    pub raw: &'a MinidumpSystemInfo,
    dump: Minidump<'a>,
}

impl<'a> Stream<'a> for SystemInfo<'a> {
    const STREAM_TYPE: StreamType = StreamType::SYSTEM_INFO;

    fn parse(bytes: Bytes<'a>, dump: &Minidump<'a>) -> Result<Self> {
        Ok(SystemInfo { raw: bytes.read(0)?, dump: *dump })
    }
}

impl<'a> SystemInfo<'a> {
    /// `PROCESSOR_ARCHITECTURE_*`.
    pub fn architecture(&self) -> u16 {
        self.raw.processor_architecture.get()
    }

    /// `VER_PLATFORM_*` / Breakpad platform id.
    pub fn platform_id(&self) -> u32 {
        self.raw.platform_id.get()
    }

    /// The CSD version string (service pack, or kernel build on Linux); an
    /// RVA of 0 means there is none and reads as the empty string.
    pub fn csd_version(&self) -> Result<MinidumpStr<'a>> {
        match self.raw.csd_version_rva.get() {
            0 => Ok(MinidumpStr::empty()),
            rva => MinidumpStr::read(self.dump.bytes(), rva),
        }
    }

    /// Whether the CPU information union holds x86 `cpuid` data.
    pub fn has_x86_cpu_info(&self) -> bool {
        matches!(self.architecture(), PROCESSOR_ARCHITECTURE_X86 | PROCESSOR_ARCHITECTURE_AMD64)
    }

    /// The x86 vendor string ("GenuineIntel") from the CPU information, when
    /// the architecture is x86 or amd64.
    pub fn cpu_vendor(&self) -> Option<[u8; 12]> {
        if !self.has_x86_cpu_info() {
            return None;
        }
        let v = &self.raw.cpu.x86().vendor_id;
        let mut out = [0u8; 12];
        for (i, word) in v.iter().enumerate() {
            out[i * 4..i * 4 + 4].copy_from_slice(&word.get().to_le_bytes());
        }
        Some(out)
    }

    /// A short name of the OS ("windows", "linux", "mac", ...), as Breakpad
    /// and rust-minidump spell it.
    pub fn os_name(&self) -> &'static str {
        match self.platform_id() {
            PLATFORM_WIN32S | PLATFORM_WIN32_WINDOWS | PLATFORM_WIN32_NT | PLATFORM_WIN32_CE => "windows",
            PLATFORM_MAC_OS_X => "mac",
            PLATFORM_IOS => "ios",
            PLATFORM_LINUX => "linux",
            PLATFORM_SOLARIS => "solaris",
            PLATFORM_ANDROID => "android",
            PLATFORM_PS3 => "ps3",
            PLATFORM_NACL => "nacl",
            PLATFORM_FUCHSIA => "fuchsia",
            _ => "unknown",
        }
    }

    /// A short name of the CPU ("x86", "amd64", "arm64", ...), as Breakpad
    /// spells it.
    pub fn cpu_name(&self) -> &'static str {
        match self.architecture() {
            PROCESSOR_ARCHITECTURE_X86 | PROCESSOR_ARCHITECTURE_X86_WIN64 => "x86",
            PROCESSOR_ARCHITECTURE_AMD64 => "amd64",
            PROCESSOR_ARCHITECTURE_PPC => "ppc",
            PROCESSOR_ARCHITECTURE_PPC64 => "ppc64",
            PROCESSOR_ARCHITECTURE_SPARC => "sparc",
            PROCESSOR_ARCHITECTURE_ARM => "arm",
            PROCESSOR_ARCHITECTURE_ARM64 | PROCESSOR_ARCHITECTURE_ARM64_OLD => "arm64",
            PROCESSOR_ARCHITECTURE_MIPS => "mips",
            PROCESSOR_ARCHITECTURE_MIPS64 => "mips64",
            PROCESSOR_ARCHITECTURE_RISCV => "riscv",
            PROCESSOR_ARCHITECTURE_RISCV64 => "riscv64",
            _ => "unknown",
        }
    }
}
