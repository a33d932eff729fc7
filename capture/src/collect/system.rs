//! The process- and machine-wide streams: SystemInfo, MiscInfo,
//! MemoryInfoList, LinuxDsoDebug and the copies of `/proc` and `/etc` files.

use crate::memory::ProcessMemory;
use crate::procfs::{self, MapsEntry};
use mdump_format::memory_info::*;
use mdump_format::misc_info::{MiscInfo, MINIDUMP_MISC1_PROCESS_ID, MINIDUMP_MISC1_PROCESS_TIMES};
use mdump_format::system_info::{MinidumpSystemInfo, PLATFORM_LINUX, PROCESSOR_ARCHITECTURE_AMD64};
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

/// SystemInfo as Breakpad fills it on Linux: CPU family, model and stepping
/// from `/proc/cpuinfo`, vendor and feature words from `cpuid`, the kernel
/// version numbers from `uname -r` and `uname -srvm` as the CSD version.
pub fn system_info(cpuinfo: &[u8]) -> SystemInfoModel {
    let num = |k: &str| procfs::cpuinfo_field(cpuinfo, k).and_then(procfs::leading_decimal).unwrap_or(0);
    let processors = cpuinfo.split(|&b| b == b'\n').filter(|l| l.starts_with(b"processor")).count();
    let (sysname, release, version, machine) = uname();
    let mut parts = release.split(|c: char| !c.is_ascii_digit()).map(|p| p.parse::<u32>().unwrap_or(0));
    let mut raw = MinidumpSystemInfo {
        processor_architecture: U16::new(PROCESSOR_ARCHITECTURE_AMD64),
        processor_level: U16::new(num("cpu family") as u16),
        processor_revision: U16::new(((num("model") as u16) << 8) | (num("stepping") as u16 & 0xff)),
        number_of_processors: processors.clamp(1, 255) as u8,
        platform_id: U32::new(PLATFORM_LINUX),
        major_version: U32::new(parts.next().unwrap_or(0)),
        minor_version: U32::new(parts.next().unwrap_or(0)),
        build_number: U32::new(parts.next().unwrap_or(0)),
        ..Default::default()
    };
    raw.cpu.data[..24].copy_from_slice(&cpu_words());
    SystemInfoModel { raw, csd_version: format!("{sysname} {release} {version} {machine}").encode_utf16().collect() }
}

/// `X86CpuInfo` words: vendor id (cpuid 0), version and feature
/// information (cpuid 1 eax, edx), AMD extended features (0x80000001 ecx).
fn cpu_words() -> [u8; 24] {
    let mut out = [0u8; 24];
    #[cfg(target_arch = "x86_64")]
    {
        use core::arch::x86_64::__cpuid;
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
