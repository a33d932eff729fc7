//! `MINIDUMP_SYSTEM_INFO`: CPU and operating system of the dumped machine.
//!
//! `processor_architecture` decides which CPU context the threads carry;
//! `platform_id` which operating system (Microsoft's values below 0x8000,
//! Breakpad's from 0x8000 on). `csd_version_rva` points at a
//! `MINIDUMP_STRING` (the service pack on Windows, the kernel build on
//! Linux).

use crate::{U16, U32, U64};
use zerocopy::{FromBytes, Immutable, IntoBytes, KnownLayout, Unaligned};

/// `PROCESSOR_ARCHITECTURE_INTEL`.
pub const PROCESSOR_ARCHITECTURE_X86: u16 = 0;
/// `PROCESSOR_ARCHITECTURE_MIPS` (Breakpad uses it for 32-bit MIPS).
pub const PROCESSOR_ARCHITECTURE_MIPS: u16 = 1;
/// `PROCESSOR_ARCHITECTURE_ALPHA`.
pub const PROCESSOR_ARCHITECTURE_ALPHA: u16 = 2;
/// `PROCESSOR_ARCHITECTURE_PPC`.
pub const PROCESSOR_ARCHITECTURE_PPC: u16 = 3;
/// `PROCESSOR_ARCHITECTURE_SHX`.
pub const PROCESSOR_ARCHITECTURE_SHX: u16 = 4;
/// `PROCESSOR_ARCHITECTURE_ARM`.
pub const PROCESSOR_ARCHITECTURE_ARM: u16 = 5;
/// `PROCESSOR_ARCHITECTURE_IA64`.
pub const PROCESSOR_ARCHITECTURE_IA64: u16 = 6;
/// `PROCESSOR_ARCHITECTURE_ALPHA64`.
pub const PROCESSOR_ARCHITECTURE_ALPHA64: u16 = 7;
/// `PROCESSOR_ARCHITECTURE_MSIL`.
pub const PROCESSOR_ARCHITECTURE_MSIL: u16 = 8;
/// `PROCESSOR_ARCHITECTURE_AMD64`.
pub const PROCESSOR_ARCHITECTURE_AMD64: u16 = 9;
/// `PROCESSOR_ARCHITECTURE_IA32_ON_WIN64`.
pub const PROCESSOR_ARCHITECTURE_X86_WIN64: u16 = 10;
/// `PROCESSOR_ARCHITECTURE_ARM64` (Microsoft's value).
pub const PROCESSOR_ARCHITECTURE_ARM64: u16 = 12;
/// Breakpad: SPARC.
pub const PROCESSOR_ARCHITECTURE_SPARC: u16 = 0x8001;
/// Breakpad: 64-bit PowerPC.
pub const PROCESSOR_ARCHITECTURE_PPC64: u16 = 0x8002;
/// Breakpad's older ARM64 value, used before Microsoft defined 12.
pub const PROCESSOR_ARCHITECTURE_ARM64_OLD: u16 = 0x8003;
/// Breakpad: 64-bit MIPS.
pub const PROCESSOR_ARCHITECTURE_MIPS64: u16 = 0x8004;
/// Breakpad/Crashpad: 32-bit RISC-V.
pub const PROCESSOR_ARCHITECTURE_RISCV: u16 = 0x8005;
/// Breakpad/Crashpad: 64-bit RISC-V.
pub const PROCESSOR_ARCHITECTURE_RISCV64: u16 = 0x8006;
/// `PROCESSOR_ARCHITECTURE_UNKNOWN`.
pub const PROCESSOR_ARCHITECTURE_UNKNOWN: u16 = 0xffff;

/// `VER_PLATFORM_WIN32s`.
pub const PLATFORM_WIN32S: u32 = 0;
/// `VER_PLATFORM_WIN32_WINDOWS` (Windows 9x).
pub const PLATFORM_WIN32_WINDOWS: u32 = 1;
/// `VER_PLATFORM_WIN32_NT`.
pub const PLATFORM_WIN32_NT: u32 = 2;
/// `VER_PLATFORM_WIN32_CE`.
pub const PLATFORM_WIN32_CE: u32 = 3;
/// Breakpad: generic Unix.
pub const PLATFORM_UNIX: u32 = 0x8000;
/// Breakpad: macOS.
pub const PLATFORM_MAC_OS_X: u32 = 0x8101;
/// Breakpad: iOS.
pub const PLATFORM_IOS: u32 = 0x8102;
/// Breakpad: Linux.
pub const PLATFORM_LINUX: u32 = 0x8201;
/// Breakpad: Solaris.
pub const PLATFORM_SOLARIS: u32 = 0x8202;
/// Breakpad: Android.
pub const PLATFORM_ANDROID: u32 = 0x8203;
/// Breakpad: PlayStation 3.
pub const PLATFORM_PS3: u32 = 0x8204;
/// Breakpad: Native Client.
pub const PLATFORM_NACL: u32 = 0x8205;
/// Breakpad/Crashpad: Fuchsia.
pub const PLATFORM_FUCHSIA: u32 = 0x8206;

/// The x86 view of `CPU_INFORMATION`: what `cpuid` returned.
#[derive(FromBytes, IntoBytes, KnownLayout, Immutable, Unaligned, Clone, Copy, Debug, Default, PartialEq, Eq)]
#[repr(C)]
pub struct X86CpuInfo {
    /// `cpuid(0)` EBX, EDX, ECX: the vendor string ("GenuineIntel").
    pub vendor_id: [U32; 3],
    /// `cpuid(1)` EAX: family, model, stepping.
    pub version_information: U32,
    /// `cpuid(1)` EDX: feature bits.
    pub feature_information: U32,
    /// `cpuid(0x80000001)` EBX, for AMD processors.
    pub amd_extended_cpu_features: U32,
}
const _: () = assert!(core::mem::size_of::<X86CpuInfo>() == 24);

/// The non-x86 view of `CPU_INFORMATION`: `IsProcessorFeaturePresent` bits.
#[derive(FromBytes, IntoBytes, KnownLayout, Immutable, Unaligned, Clone, Copy, Debug, Default, PartialEq, Eq)]
#[repr(C)]
pub struct OtherCpuInfo {
    /// Bit N set when processor feature N is present.
    pub processor_features: [U64; 2],
}
const _: () = assert!(core::mem::size_of::<OtherCpuInfo>() == 16);

/// Breakpad's ARM view of `CPU_INFORMATION`.
#[derive(FromBytes, IntoBytes, KnownLayout, Immutable, Unaligned, Clone, Copy, Debug, Default, PartialEq, Eq)]
#[repr(C)]
pub struct ArmCpuInfo {
    /// The ARM CPUID register (implementer, part number, revision).
    pub cpuid: U32,
    /// `HWCAP_*` bits of the Linux auxiliary vector.
    pub elf_hwcaps: U32,
}

/// `CPU_INFORMATION`: a 24-byte union, read through [`Self::x86`],
/// [`Self::other`] or [`Self::arm`] as the architecture says.
#[derive(FromBytes, IntoBytes, KnownLayout, Immutable, Unaligned, Clone, Copy, Debug, Default, PartialEq, Eq)]
#[repr(C)]
pub struct CpuInformation {
    /// The raw bytes of the union.
    pub data: [u8; 24],
}
const _: () = assert!(core::mem::size_of::<CpuInformation>() == 24);

impl CpuInformation {
    /// The union as x86 `cpuid` information.
    pub fn x86(&self) -> &X86CpuInfo {
        zerocopy::transmute_ref!(&self.data)
    }

    /// The union as processor-feature bits (its first 16 bytes).
    pub fn other(&self) -> &OtherCpuInfo {
        let (other, _) = OtherCpuInfo::ref_from_prefix(&self.data[..]).expect("24 >= 16, align 1");
        other
    }

    /// The union as Breakpad's ARM information (its first 8 bytes).
    pub fn arm(&self) -> &ArmCpuInfo {
        let (arm, _) = ArmCpuInfo::ref_from_prefix(&self.data[..]).expect("24 >= 8, align 1");
        arm
    }
}

/// `MINIDUMP_SYSTEM_INFO`.
#[derive(FromBytes, IntoBytes, KnownLayout, Immutable, Unaligned, Clone, Copy, Debug, Default, PartialEq, Eq)]
#[repr(C)]
pub struct MinidumpSystemInfo {
    /// `PROCESSOR_ARCHITECTURE_*`.
    pub processor_architecture: U16,
    /// CPU family (x86) or architecture level.
    pub processor_level: U16,
    /// Model and stepping (x86: model << 8 | stepping).
    pub processor_revision: U16,
    /// Number of logical processors.
    pub number_of_processors: u8,
    /// `VER_NT_WORKSTATION` (1), domain controller (2) or server (3).
    pub product_type: u8,
    /// OS major version.
    pub major_version: U32,
    /// OS minor version.
    pub minor_version: U32,
    /// OS build number.
    pub build_number: U32,
    /// `VER_PLATFORM_*` / Breakpad platform id.
    pub platform_id: U32,
    /// RVA of the CSD version string.
    pub csd_version_rva: U32,
    /// `VER_SUITE_*` bits.
    pub suite_mask: U16,
    /// Reserved.
    pub reserved2: U16,
    /// CPU identification.
    pub cpu: CpuInformation,
}
const _: () = assert!(core::mem::size_of::<MinidumpSystemInfo>() == 56);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn system_info_offsets_and_cpu_views() {
        let mut b = [0u8; 56];
        b[0..2].copy_from_slice(&PROCESSOR_ARCHITECTURE_AMD64.to_le_bytes());
        b[6] = 36;
        b[8..12].copy_from_slice(&10u32.to_le_bytes());
        b[20..24].copy_from_slice(&PLATFORM_WIN32_NT.to_le_bytes());
        b[24..28].copy_from_slice(&0x1318u32.to_le_bytes());
        b[32..36].copy_from_slice(b"Genu");
        b[48..52].copy_from_slice(&0x1u32.to_le_bytes());
        let s = MinidumpSystemInfo::ref_from_bytes(&b).unwrap();
        assert_eq!(s.processor_architecture.get(), PROCESSOR_ARCHITECTURE_AMD64);
        assert_eq!(s.number_of_processors, 36);
        assert_eq!(s.major_version.get(), 10);
        assert_eq!(s.platform_id.get(), PLATFORM_WIN32_NT);
        assert_eq!(s.csd_version_rva.get(), 0x1318);
        assert_eq!(s.cpu.x86().vendor_id[0].get(), u32::from_le_bytes(*b"Genu"));
        assert_eq!(s.cpu.x86().feature_information.get(), 1);
        assert_eq!(s.cpu.other().processor_features[0].get() & 0xffff_ffff, u32::from_le_bytes(*b"Genu") as u64);
    }
}
