//! The operating system and CPU lines of a report, from the SystemInfo
//! stream, as Breakpad's processor words them.

use mdump_format::system_info::*;
use mdump_reader::linux::LinuxLsbRelease;
use mdump_reader::SystemInfo as RawSystemInfo;

/// What the dump says about the machine (Breakpad's `SystemInfo`). Every
/// field is empty (or 0) when the dump has no SystemInfo stream.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SystemInfo {
    /// The OS's name: `Windows NT`, `Linux`, `Mac OS X`, ..., or the
    /// platform id as `0x%08x`.
    pub os: String,
    /// A short lower-case name: `windows`, `linux`, `mac`, ...
    pub os_short: String,
    /// `major.minor.build`, then a space and the CSD version string when the
    /// dump has one (service pack on Windows, kernel on Linux).
    pub os_version: String,
    /// The CPU: `x86`, `amd64`, `arm`, `arm64`, ..., or the architecture as
    /// `0x%04x`.
    pub cpu: String,
    /// More about the CPU: vendor, family, model and stepping on x86; the
    /// ARM architecture level, vendor, part and features; empty otherwise.
    pub cpu_info: String,
    /// Number of processors.
    pub cpu_count: u32,
    /// The CPU's microcode revision, from the `microcode` line of a Linux
    /// dump's `/proc/cpuinfo` copy (Breakpad's reports do not show it).
    pub cpu_microcode_version: Option<u64>,
    /// The distribution, from a Linux dump's copy of `/etc/lsb-release` (or
    /// `/etc/os-release`).
    pub lsb_release: Option<LsbRelease>,
    /// OpenGL version, vendor and renderer: only microdumps carry them;
    /// always empty for minidumps.
    pub gl_version: String,
    /// See [`Self::gl_version`].
    pub gl_vendor: String,
    /// See [`Self::gl_version`].
    pub gl_renderer: String,
    /// The raw `PROCESSOR_ARCHITECTURE_*` value.
    pub architecture: Option<u16>,
    /// The raw platform id.
    pub platform_id: Option<u32>,
}

/// A Linux distribution's identity, as `/etc/lsb-release` (`DISTRIB_*`) or
/// `/etc/os-release` gives it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct LsbRelease {
    /// `DISTRIB_ID` or `ID`: `Ubuntu`, `debian`, ...
    pub id: String,
    /// `DISTRIB_RELEASE` or `VERSION_ID`: `14.04`, ...
    pub release: String,
    /// `DISTRIB_CODENAME` or `VERSION_CODENAME`: `trusty`, ...
    pub codename: String,
    /// `DISTRIB_DESCRIPTION` or `PRETTY_NAME`: `Ubuntu 14.04 LTS`, ...
    pub description: String,
}

impl LsbRelease {
    /// The fields of a release file's `KEY=value` lines (values unquoted);
    /// of two keys for one field, the later line wins.
    pub fn from_stream(stream: &LinuxLsbRelease<'_>) -> LsbRelease {
        let mut lsb = LsbRelease::default();
        for (key, value) in stream.fields() {
            let field = match key {
                b"DISTRIB_ID" | b"ID" => &mut lsb.id,
                b"DISTRIB_RELEASE" | b"VERSION_ID" => &mut lsb.release,
                b"DISTRIB_CODENAME" | b"VERSION_CODENAME" => &mut lsb.codename,
                b"DISTRIB_DESCRIPTION" | b"PRETTY_NAME" => &mut lsb.description,
                _ => continue,
            };
            *field = String::from_utf8_lossy(value).into_owned();
        }
        lsb
    }
}

/// Breakpad's limit on a `MINIDUMP_STRING`, in UTF-16 units.
const MAX_STRING_UNITS: usize = 1024;

impl SystemInfo {
    /// The OS and CPU facts of a SystemInfo stream.
    pub fn from_stream(s: &RawSystemInfo<'_>) -> SystemInfo {
        let raw = s.raw;
        let platform = s.platform_id();
        let mut os_version =
            format!("{}.{}.{}", raw.major_version.get(), raw.minor_version.get(), raw.build_number.get());
        if let Some(csd) = csd_version(s) {
            os_version.push(' ');
            os_version.push_str(&csd);
        }
        let (cpu, cpu_info) = cpu_strings(s);
        SystemInfo {
            os: os_name(platform),
            os_short: match s.os_name() {
                "unknown" => String::new(),
                name => name.to_string(),
            },
            os_version,
            cpu,
            cpu_info,
            cpu_count: raw.number_of_processors.into(),
            cpu_microcode_version: None,
            lsb_release: None,
            gl_version: String::new(),
            gl_vendor: String::new(),
            gl_renderer: String::new(),
            architecture: Some(s.architecture()),
            platform_id: Some(platform),
        }
    }
}

/// The CSD version as Breakpad reads it: none for an RVA of 0 (Breakpad
/// reads the header as a length there and gives up), a string over 1024
/// units, or one that is not valid UTF-16.
fn csd_version(s: &RawSystemInfo<'_>) -> Option<String> {
    if s.raw.csd_version_rva.get() == 0 {
        return None;
    }
    let csd = s.csd_version().ok()?;
    if csd.as_bytes().len() / 2 > MAX_STRING_UNITS {
        return None;
    }
    csd.to_string_strict().ok()
}

/// Breakpad's long OS name for a platform id.
pub fn os_name(platform: u32) -> String {
    match platform {
        PLATFORM_WIN32_NT => "Windows NT",
        PLATFORM_WIN32_WINDOWS => "Windows",
        PLATFORM_MAC_OS_X => "Mac OS X",
        PLATFORM_IOS => "iOS",
        PLATFORM_LINUX => "Linux",
        PLATFORM_SOLARIS => "Solaris",
        PLATFORM_ANDROID => "Android",
        PLATFORM_PS3 => "PS3",
        PLATFORM_NACL => "NaCl",
        PLATFORM_FUCHSIA => "Fuchsia",
        other => return format!("0x{other:08x}"),
    }
    .to_string()
}

/// The CPU name and description (Breakpad's `GetCPUInfo`).
fn cpu_strings(s: &RawSystemInfo<'_>) -> (String, String) {
    let raw = s.raw;
    let arch = s.architecture();
    let cpu = match arch {
        PROCESSOR_ARCHITECTURE_X86 => "x86",
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
        other => return (format!("0x{other:04x}"), String::new()),
    }
    .to_string();
    let info = match arch {
        PROCESSOR_ARCHITECTURE_X86 | PROCESSOR_ARCHITECTURE_AMD64 => {
            let mut info = String::new();
            // Breakpad only takes the vendor from 32-bit x86 dumps.
            if arch == PROCESSOR_ARCHITECTURE_X86 {
                if let Some(vendor) = s.cpu_vendor() {
                    let end = vendor.iter().position(|&b| b == 0).unwrap_or(vendor.len());
                    info.push_str(&String::from_utf8_lossy(vendor.get(..end).unwrap_or_default()));
                    info.push(' ');
                }
            }
            let revision = raw.processor_revision.get();
            info.push_str(&format!(
                "family {} model {} stepping {}",
                raw.processor_level.get(),
                revision >> 8,
                revision & 0xff
            ));
            info
        }
        PROCESSOR_ARCHITECTURE_ARM => arm_cpu_info(raw),
        _ => String::new(),
    };
    (cpu, info)
}

/// ARM implementers by the top byte of `MIDR`.
const ARM_VENDORS: &[(u32, &str)] = &[(0x41, "ARM"), (0x51, "Qualcomm"), (0x56, "Marvell"), (0x69, "Intel/Marvell")];

/// ARM parts by `MIDR & 0xff00fff0`.
const ARM_PARTS: &[(u32, &str)] = &[
    (0x4100_c050, "Cortex-A5"),
    (0x4100_c080, "Cortex-A8"),
    (0x4100_c090, "Cortex-A9"),
    (0x4100_c0f0, "Cortex-A15"),
    (0x4100_c140, "Cortex-R4"),
    (0x4100_c150, "Cortex-R5"),
    (0x4100_b360, "ARM1136"),
    (0x4100_b560, "ARM1156"),
    (0x4100_b760, "ARM1176"),
    (0x4100_b020, "ARM11-MPCore"),
    (0x4100_9260, "ARM926"),
    (0x4100_9460, "ARM946"),
    (0x4100_9660, "ARM966"),
    (0x5100_06f0, "Krait"),
    (0x5100_00f0, "Scorpion"),
];

/// Linux's ARM `HWCAP_*` bits, in bit order, with Breakpad's names.
const ARM_HWCAPS: &[&str] = &[
    "swp", "half", "thumb", "26bit", "fastmult", "fpa", "vfpv2", "edsp", "java", "iwmmxt", "crunch", "thumbee", "neon",
    "vfpv3", "vfpv3d16", "tls", "vfpv4", "idiva", "idivt",
];

/// `ARMv<level>`, the vendor and part from the CPU id, and the hardware
/// capabilities (Breakpad's `GetARMCpuInfo`).
fn arm_cpu_info(raw: &MinidumpSystemInfo) -> String {
    let mut info = format!("ARMv{}", raw.processor_level.get());
    let arm = raw.cpu.arm();
    let cpuid = arm.cpuid.get();
    if cpuid != 0 {
        let vendor_id = (cpuid >> 24) & 0xff;
        match ARM_VENDORS.iter().find(|(id, _)| *id == vendor_id) {
            Some((_, name)) => info.push_str(&format!(" {name}")),
            None => info.push_str(&format!(" vendor(0x{vendor_id:x})")),
        }
        let part_id = cpuid & 0xff00_fff0;
        match ARM_PARTS.iter().find(|(id, _)| *id == part_id) {
            Some((_, name)) => info.push_str(&format!(" {name}")),
            None => info.push_str(&format!(" part(0x{part_id:x})")),
        }
    }
    let hwcaps = arm.elf_hwcaps.get();
    if hwcaps != 0 {
        info.push_str(" features: ");
        let names: Vec<&str> =
            ARM_HWCAPS.iter().enumerate().filter(|(bit, _)| hwcaps & (1 << bit) != 0).map(|(_, n)| *n).collect();
        info.push_str(&names.join(","));
    }
    info
}

#[cfg(test)]
mod tests {
    use super::*;
    use mdump_reader::Minidump;
    use mdump_testkit::{system_info, DumpBuilder, ARCH_AMD64, ARCH_X86, SYSTEM_INFO};

    fn info(arch: u16, platform: u32, csd: Option<&str>, patch: impl Fn(&mut [u8])) -> SystemInfo {
        let mut b = DumpBuilder::new();
        let csd_rva = csd.map_or(0, |s| b.string(s));
        let mut stream = system_info(arch, platform, csd_rva);
        patch(&mut stream);
        b.stream(SYSTEM_INFO, &stream);
        let bytes = b.finish();
        let dump = Minidump::parse(&bytes).unwrap();
        SystemInfo::from_stream(&dump.stream::<RawSystemInfo>().unwrap().unwrap())
    }

    #[test]
    fn x86_has_vendor_amd64_does_not() {
        let x86 = info(ARCH_X86, PLATFORM_WIN32_NT, Some("Service Pack 2"), |s| {
            s[2..4].copy_from_slice(&6u16.to_le_bytes()); // level
            s[4..6].copy_from_slice(&0x0d08u16.to_le_bytes()); // revision
            s[8..12].copy_from_slice(&5u32.to_le_bytes());
            s[12..16].copy_from_slice(&1u32.to_le_bytes());
            s[16..20].copy_from_slice(&2600u32.to_le_bytes());
        });
        assert_eq!(x86.os, "Windows NT");
        assert_eq!(x86.os_short, "windows");
        assert_eq!(x86.os_version, "5.1.2600 Service Pack 2");
        assert_eq!(x86.cpu, "x86");
        assert_eq!(x86.cpu_info, "GenuineIntel family 6 model 13 stepping 8");
        assert_eq!(x86.cpu_count, 4);

        let amd64 = info(ARCH_AMD64, PLATFORM_LINUX, Some(""), |_| {});
        assert_eq!(amd64.os, "Linux");
        assert_eq!(amd64.os_version, "0.0.0 ", "an empty CSD string still adds its space");
        assert_eq!(amd64.cpu_info, "family 6 model 0 stepping 0");
    }

    #[test]
    fn no_csd_string_and_unknown_ids() {
        let s = info(0x1234, 0x7777, None, |_| {});
        assert_eq!(s.os_version, "0.0.0");
        assert_eq!(s.os, "0x00007777");
        assert_eq!(s.os_short, "");
        assert_eq!(s.cpu, "0x1234");
        assert_eq!(s.cpu_info, "");
    }

    #[test]
    fn arm_cpu_info_names_vendor_part_and_features() {
        let s = info(PROCESSOR_ARCHITECTURE_ARM, PLATFORM_ANDROID, None, |s| {
            s[2..4].copy_from_slice(&7u16.to_le_bytes());
            s[32..36].copy_from_slice(&0x410f_c090u32.to_le_bytes()); // cpuid
            s[36..40].copy_from_slice(&((1u32 << 12) | (1 << 2) | 1).to_le_bytes());
            // hwcaps
        });
        assert_eq!(s.cpu, "arm");
        assert_eq!(s.cpu_info, "ARMv7 ARM Cortex-A9 features: swp,thumb,neon");
        let s = info(PROCESSOR_ARCHITECTURE_ARM, PLATFORM_ANDROID, None, |s| {
            s[2..4].copy_from_slice(&8u16.to_le_bytes());
            s[32..36].copy_from_slice(&0x7700_1230u32.to_le_bytes());
            s[36..40].copy_from_slice(&0u32.to_le_bytes());
        });
        assert_eq!(s.cpu_info, "ARMv8 vendor(0x77) part(0x77001230)");
    }
}
