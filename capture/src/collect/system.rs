//! The process- and machine-wide streams: SystemInfo, MiscInfo,
//! MemoryInfoList, LinuxDsoDebug and the copies of `/proc` and `/etc` files.

use crate::memory::ProcessMemory;
use crate::procfs::{self, MapsEntry};
use mdump_format::memory_info::*;
use mdump_format::misc_info::{MiscInfo, MINIDUMP_MISC1_PROCESS_ID, MINIDUMP_MISC1_PROCESS_TIMES};
use mdump_format::system_info::{
    CpuInformation, MinidumpSystemInfo, PLATFORM_LINUX, PROCESSOR_ARCHITECTURE_AMD64, PROCESSOR_ARCHITECTURE_ARM64,
};
use mdump_format::{U16, U32, U64};
use mdump_writer::model::{DsoDebugModel, SystemInfoModel};
use std::io::Read;
use zerocopy::IntoBytes;

/// Reads at most `limit` bytes of a file (`/proc` files report size 0, so
/// the length is not trusted).
pub fn read_capped(path: &str, limit: u64) -> std::io::Result<Vec<u8>> {
    let mut out = Vec::new();
    std::fs::File::open(path)?.take(limit).read_to_end(&mut out)?;
    Ok(out)
}

fn uname() -> (String, String, String, String) {
    // SAFETY: utsname is plain data; uname fills it.
    let mut u: libc::utsname = unsafe { core::mem::zeroed() };
    // SAFETY: `u` is a valid utsname.
    if unsafe { libc::uname(&mut u) } != 0 {
        return Default::default();
    }
    let s = |f: &[libc::c_char]| {
        let b: Vec<u8> = f.iter().take_while(|&&c| c != 0).map(|&c| c as u8).collect();
        String::from_utf8_lossy(&b).into_owned()
    };
    (s(&u.sysname), s(&u.release), s(&u.version), s(&u.machine))
}

/// SystemInfo as Breakpad fills it on Linux: the CPU fields (see
/// [`x86_cpu`] and [`arm64_cpu`]), the number of processors from
/// `/proc/cpuinfo`, the kernel version numbers from `uname -r` and `uname
/// -srvm` as the CSD version. `hwcap` is the process's `AT_HWCAP`.
pub fn system_info(cpuinfo: &[u8], hwcap: u64) -> SystemInfoModel {
    let processors = cpuinfo.split(|&b| b == b'\n').filter(|l| l.starts_with(b"processor")).count();
    let (sysname, release, version, machine) = uname();
    let mut parts = release.split(|c: char| !c.is_ascii_digit()).map(|p| p.parse::<u32>().unwrap_or(0));
    #[cfg(target_arch = "x86_64")]
    let cpu = {
        let _ = hwcap;
        x86_cpu(cpuinfo, cpuid_words())
    };
    #[cfg(target_arch = "aarch64")]
    let cpu = arm64_cpu(cpuinfo, hwcap);
    let raw = MinidumpSystemInfo {
        processor_architecture: U16::new(cpu.architecture),
        processor_level: U16::new(cpu.level),
        processor_revision: U16::new(cpu.revision),
        number_of_processors: processors.clamp(1, 255) as u8,
        platform_id: U32::new(PLATFORM_LINUX),
        major_version: U32::new(parts.next().unwrap_or(0)),
        minor_version: U32::new(parts.next().unwrap_or(0)),
        build_number: U32::new(parts.next().unwrap_or(0)),
        cpu: CpuInformation { data: cpu.information },
        ..Default::default()
    };
    SystemInfoModel { raw, csd_version: format!("{sysname} {release} {version} {machine}").encode_utf16().collect() }
}

/// SystemInfo's CPU fields.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CpuFields {
    /// `ProcessorArchitecture`.
    pub architecture: u16,
    /// `ProcessorLevel`.
    pub level: u16,
    /// `ProcessorRevision`.
    pub revision: u16,
    /// The `Cpu` union's 24 bytes.
    pub information: [u8; 24],
}

fn cpuinfo_number(cpuinfo: &[u8], key: &str) -> u64 {
    procfs::cpuinfo_field(cpuinfo, key)
        .and_then(|v| match v.strip_prefix(b"0x") {
            Some(hex) => core::str::from_utf8(hex).ok().and_then(|h| u64::from_str_radix(h.trim(), 16).ok()),
            None => procfs::leading_decimal(v),
        })
        .unwrap_or(0)
}

/// x86-64: family as the level, model and stepping as the revision (from
/// `/proc/cpuinfo`), and the `X86CpuInfo` words `cpuid` gave.
pub fn x86_cpu(cpuinfo: &[u8], cpuid_words: [u8; 24]) -> CpuFields {
    let num = |k: &str| cpuinfo_number(cpuinfo, k);
    CpuFields {
        architecture: PROCESSOR_ARCHITECTURE_AMD64,
        level: num("cpu family") as u16,
        revision: ((num("model") as u16) << 8) | (num("stepping") as u16 & 0xff),
        information: cpuid_words,
    }
}

/// AArch64, as Breakpad's Linux client fills it: the `ARMCpuInfo` union
/// member holds the main ID register rebuilt from `/proc/cpuinfo`
/// (implementer, variant, architecture `0xf` as ARMv7 and later report it,
/// part, revision) and the low word of `AT_HWCAP`; the level is the "CPU
/// architecture" line (8), the revision the variant and revision. The
/// architecture value is Microsoft's `PROCESSOR_ARCHITECTURE_ARM64`, which
/// matches the `CONTEXT_ARM64` records written with it.
pub fn arm64_cpu(cpuinfo: &[u8], hwcap: u64) -> CpuFields {
    let num = |k: &str| cpuinfo_number(cpuinfo, k) as u32;
    let (implementer, variant, part, revision) =
        (num("CPU implementer"), num("CPU variant"), num("CPU part"), num("CPU revision"));
    let midr = (implementer & 0xff) << 24 | (variant & 0xf) << 20 | 0xf << 16 | (part & 0xfff) << 4 | (revision & 0xf);
    let mut information = [0u8; 24];
    information[0..4].copy_from_slice(&midr.to_le_bytes());
    information[4..8].copy_from_slice(&(hwcap as u32).to_le_bytes());
    CpuFields {
        architecture: PROCESSOR_ARCHITECTURE_ARM64,
        level: num("CPU architecture") as u16,
        revision: ((variant as u16 & 0xf) << 8) | (revision as u16 & 0xff),
        information,
    }
}

/// `X86CpuInfo` words: vendor id (cpuid 0), version and feature
/// information (cpuid 1 eax, edx), AMD extended features (0x80000001 ecx).
#[cfg(target_arch = "x86_64")]
fn cpuid_words() -> [u8; 24] {
    use core::arch::x86_64::__cpuid;
    let mut out = [0u8; 24];
    #[allow(unused_unsafe)]
    // SAFETY: cpuid exists on every x86-64 CPU.
    let (l0, l1, ext) = unsafe { (__cpuid(0), __cpuid(1), __cpuid(0x8000_0000)) };
    out[0..4].copy_from_slice(&l0.ebx.to_le_bytes());
    out[4..8].copy_from_slice(&l0.edx.to_le_bytes());
    out[8..12].copy_from_slice(&l0.ecx.to_le_bytes());
    out[12..16].copy_from_slice(&l1.eax.to_le_bytes());
    out[16..20].copy_from_slice(&l1.edx.to_le_bytes());
    if ext.eax >= 0x8000_0001 {
        #[allow(unused_unsafe)]
        // SAFETY: as above; the leaf exists (checked).
        let e1 = unsafe { __cpuid(0x8000_0001) };
        out[20..24].copy_from_slice(&e1.ecx.to_le_bytes());
    }
    out
}

/// MiscInfo version 1: the pid, the process's start time (seconds since the
/// epoch: boot time plus its start in clock ticks) and its user and system
/// CPU seconds.
pub fn misc_info(pid: i32, stat: Option<&procfs::ProcStat>) -> Vec<u8> {
    let mut m = MiscInfo {
        size_of_info: U32::new(core::mem::size_of::<MiscInfo>() as u32),
        flags1: U32::new(MINIDUMP_MISC1_PROCESS_ID),
        process_id: U32::new(pid as u32),
        ..Default::default()
    };
    if let Some(stat) = stat {
        // SAFETY: sysconf has no memory-safety preconditions.
        let ticks = unsafe { libc::sysconf(libc::_SC_CLK_TCK) }.max(1) as u64;
        let boot = read_capped("/proc/stat", 1 << 20).ok().and_then(|s| {
            s.split(|&b| b == b'\n').find_map(|l| l.strip_prefix(b"btime ").and_then(procfs::leading_decimal))
        });
        m.flags1 = U32::new(MINIDUMP_MISC1_PROCESS_ID | MINIDUMP_MISC1_PROCESS_TIMES);
        m.process_create_time = U32::new((boot.unwrap_or(0) + stat.start_time / ticks) as u32);
        m.process_user_time = U32::new((stat.utime / ticks) as u32);
        m.process_kernel_time = U32::new((stat.stime / ticks) as u32);
    }
    m.as_bytes().to_vec()
}

/// One MemoryInfo per mapping: committed memory with the mapping's
/// protection; `MEM_IMAGE` inside modules, `MEM_MAPPED` for other files,
/// `MEM_PRIVATE` for anonymous memory.
pub fn memory_info_list(maps: &[MapsEntry<'_>], modules: &[(u64, u64)]) -> Vec<MemoryInfo> {
    maps.iter()
        .map(|m| {
            let protect = match (m.read, m.write, m.exec) {
                (_, true, true) => PAGE_EXECUTE_READWRITE,
                (true, false, true) => PAGE_EXECUTE_READ,
                (false, false, true) => PAGE_EXECUTE,
                (_, true, false) => PAGE_READWRITE,
                (true, false, false) => PAGE_READONLY,
                (false, false, false) => PAGE_NOACCESS,
            };
            let in_module = modules.iter().any(|&(s, e)| s <= m.start && m.end <= e);
            let kind = if in_module {
                MEM_IMAGE
            } else if m.inode != 0 {
                MEM_MAPPED
            } else {
                MEM_PRIVATE
            };
            MemoryInfo {
                base_address: U64::new(m.start),
                allocation_base: U64::new(m.start),
                allocation_protect: U32::new(protect),
                region_size: U64::new(m.size()),
                state: U32::new(MEM_COMMIT),
                protect: U32::new(protect),
                type_: U32::new(kind),
                ..Default::default()
            }
        })
        .collect()
}

const AT_PHDR: u64 = 3;
const AT_PHNUM: u64 = 5;
const PT_PHDR: u32 = 6;
const PT_DYNAMIC: u32 = 2;
const DT_NULL: u64 = 0;
const DT_DEBUG: u64 = 21;
/// Most `_DYNAMIC` entries and link maps followed (a corrupt or cyclic
/// list stops here).
const MAX_DYNAMIC: usize = 1024;
const MAX_LINK_MAPS: usize = 4096;

/// Breakpad's LinuxDsoDebug: the executable's `_DYNAMIC` (found through
/// `AT_PHDR`), the dynamic loader's `r_debug` it points to (`DT_DEBUG`) and
/// the `link_map` chain. `None` for static executables or unreadable
/// memory.
pub fn dso_debug(memory: &ProcessMemory, auxv: &[(u64, u64)]) -> Option<DsoDebugModel> {
    let aux = |k| auxv.iter().find(|a| a.0 == k).map(|a| a.1);
    let phdr = aux(AT_PHDR)?;
    let phnum = aux(AT_PHNUM)?.min(512);
    let mut bias = None;
    let mut dynamic_vaddr = None;
    for i in 0..phnum {
        let mut e = [0u8; 56];
        if memory.read_bytes(phdr.checked_add(i * 56)?, &mut e) != 56 {
            return None;
        }
        let kind = u32::from_le_bytes(e[0..4].try_into().ok()?);
        let vaddr = u64::from_le_bytes(e[16..24].try_into().ok()?);
        match kind {
            PT_PHDR => bias = Some(phdr.wrapping_sub(vaddr)),
            PT_DYNAMIC => dynamic_vaddr = Some(vaddr),
            _ => {}
        }
    }
    let dynamic = bias.unwrap_or(0).wrapping_add(dynamic_vaddr?);
    let mut dynamic_bytes = Vec::new();
    let mut r_debug = 0;
    for i in 0..MAX_DYNAMIC as u64 {
        let at = dynamic.checked_add(i * 16)?;
        let tag = memory.read_u64(at)?;
        let val = memory.read_u64(at + 8)?;
        dynamic_bytes.extend_from_slice(&tag.to_le_bytes());
        dynamic_bytes.extend_from_slice(&val.to_le_bytes());
        if tag == DT_DEBUG {
            r_debug = val;
        }
        if tag == DT_NULL {
            break;
        }
    }
    let mut model = DsoDebugModel { is_64bit: true, dynamic, dynamic_bytes, ..Default::default() };
    if r_debug != 0 {
        model.version = memory.read_u64(r_debug).unwrap_or(0) as u32;
        model.brk = memory.read_u64(r_debug + 16).unwrap_or(0);
        model.ldbase = memory.read_u64(r_debug + 32).unwrap_or(0);
        let mut map = memory.read_u64(r_debug + 8).unwrap_or(0);
        let mut seen = std::collections::HashSet::new();
        while map != 0 && model.link_maps.len() < MAX_LINK_MAPS && seen.insert(map) {
            let (Some(addr), Some(name), Some(ld), Some(next)) =
                (memory.read_u64(map), memory.read_u64(map + 8), memory.read_u64(map + 16), memory.read_u64(map + 24))
            else {
                break;
            };
            let name = memory.read_c_string(name, 4096).unwrap_or_default();
            model.link_maps.push((addr, ld, Some(String::from_utf8_lossy(&name).encode_utf16().collect())));
            map = next;
        }
    }
    Some(model)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arm64_cpu_fields_from_cpuinfo_and_hwcap() {
        // /proc/cpuinfo of a Cortex-A72 r0p3 (two of its four cores).
        let cpuinfo = b"processor\t: 0\nBogoMIPS\t: 108.00\nFeatures\t: fp asimd evtstrm crc32 cpuid\n\
CPU implementer\t: 0x41\nCPU architecture: 8\nCPU variant\t: 0x0\nCPU part\t: 0xd08\nCPU revision\t: 3\n\n\
processor\t: 1\nCPU implementer\t: 0x41\nCPU architecture: 8\nCPU variant\t: 0x0\nCPU part\t: 0xd08\nCPU revision\t: 3\n";
        let cpu = arm64_cpu(cpuinfo, 0x8000_00ff_0000_0887);
        assert_eq!(cpu.architecture, PROCESSOR_ARCHITECTURE_ARM64);
        assert_eq!(cpu.level, 8);
        assert_eq!(cpu.revision, 3);
        // MIDR_EL1 of a Cortex-A72 r0p3.
        assert_eq!(u32::from_le_bytes(cpu.information[0..4].try_into().unwrap()), 0x410f_d083);
        assert_eq!(u32::from_le_bytes(cpu.information[4..8].try_into().unwrap()), 0x0000_0887);
        assert!(cpu.information[8..].iter().all(|&b| b == 0));
        // Nothing to read: zeros, no panic.
        assert_eq!(arm64_cpu(b"", 0).information[0..4], 0x000f_0000u32.to_le_bytes());
    }

    #[test]
    fn x86_cpu_fields_from_cpuinfo() {
        let cpuinfo = b"processor\t: 0\nvendor_id\t: GenuineIntel\ncpu family\t: 6\nmodel\t\t: 85\nstepping\t: 7\n";
        let cpu = x86_cpu(cpuinfo, [7; 24]);
        assert_eq!((cpu.architecture, cpu.level, cpu.revision), (PROCESSOR_ARCHITECTURE_AMD64, 6, 85 << 8 | 7));
        assert_eq!(cpu.information, [7; 24]);
    }
}
