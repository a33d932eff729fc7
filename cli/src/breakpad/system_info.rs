//! The SystemInfo stream.

use super::{text, Session};
use mdump_format::system_info::*;
use std::io::{self, Write};

/// Breakpad's name for a CPU architecture (`GetCPU`); empty when unknown,
/// MIPS included.
fn cpu_name(arch: u16) -> &'static str {
    match arch {
        PROCESSOR_ARCHITECTURE_X86 | PROCESSOR_ARCHITECTURE_X86_WIN64 => "x86",
        PROCESSOR_ARCHITECTURE_AMD64 => "x86-64",
        PROCESSOR_ARCHITECTURE_PPC => "ppc",
        PROCESSOR_ARCHITECTURE_PPC64 => "ppc64",
        PROCESSOR_ARCHITECTURE_SPARC => "sparc",
        PROCESSOR_ARCHITECTURE_ARM => "arm",
        PROCESSOR_ARCHITECTURE_ARM64 | PROCESSOR_ARCHITECTURE_ARM64_OLD => "arm64",
        PROCESSOR_ARCHITECTURE_RISCV => "riscv",
        PROCESSOR_ARCHITECTURE_RISCV64 => "riscv64",
        _ => "",
    }
}

/// Breakpad's name for a platform (`GetOS`); empty when unknown.
fn os_name(platform: u32) -> &'static str {
    match platform {
        PLATFORM_WIN32_NT | PLATFORM_WIN32_WINDOWS => "windows",
        PLATFORM_MAC_OS_X => "mac",
        PLATFORM_IOS => "ios",
        PLATFORM_LINUX => "linux",
        PLATFORM_SOLARIS => "solaris",
        PLATFORM_ANDROID => "android",
        PLATFORM_PS3 => "ps3",
        PLATFORM_NACL => "nacl",
        PLATFORM_FUCHSIA => "fuchsia",
        _ => "",
    }
}

/// Whether Breakpad reads the CPU union as x86 `cpuid` data. AMD64 is not
/// included: its union is printed as processor features.
fn is_x86(arch: u16) -> bool {
    matches!(arch, PROCESSOR_ARCHITECTURE_X86 | PROCESSOR_ARCHITECTURE_X86_WIN64)
}

/// `MinidumpSystemInfo::Print`.
pub fn print(s: &Session, out: &mut dyn Write) -> io::Result<()> {
    let Some(info) = s.system_info() else {
        return Ok(());
    };
    let arch = info.processor_architecture.get();
    let platform = info.platform_id.get();
    const W: usize = 42;
    writeln!(out, "MDRawSystemInfo")?;
    writeln!(out, "  {:<W$} = 0x{arch:x} ({})", "processor_architecture", cpu_name(arch))?;
    writeln!(out, "  {:<W$} = {}", "processor_level", info.processor_level.get())?;
    writeln!(out, "  {:<W$} = 0x{:x}", "processor_revision", info.processor_revision.get())?;
    writeln!(out, "  {:<W$} = {}", "number_of_processors", info.number_of_processors)?;
    writeln!(out, "  {:<W$} = {}", "product_type", info.product_type)?;
    writeln!(out, "  {:<W$} = {}", "major_version", info.major_version.get() as i32)?;
    writeln!(out, "  {:<W$} = {}", "minor_version", info.minor_version.get() as i32)?;
    writeln!(out, "  {:<W$} = {}", "build_number", info.build_number.get() as i32)?;
    writeln!(out, "  {:<W$} = 0x{platform:x} ({})", "platform_id", os_name(platform))?;
    writeln!(out, "  {:<W$} = 0x{:x}", "csd_version_rva", info.csd_version_rva.get())?;
    writeln!(out, "  {:<W$} = 0x{:x}", "suite_mask", info.suite_mask.get())?;
    let x86 = info.cpu.x86();
    writeln!(out, "  cpu.x86_cpu_info ({}):", if is_x86(arch) { "valid" } else { "invalid" })?;
    for (i, v) in x86.vendor_id.iter().enumerate() {
        writeln!(out, "  {:<W$} = 0x{:x}", format!("cpu.x86_cpu_info.vendor_id[{i}]"), v.get())?;
    }
    writeln!(out, "  {:<W$} = 0x{:x}", "cpu.x86_cpu_info.version_information", x86.version_information.get())?;
    writeln!(out, "  {:<W$} = 0x{:x}", "cpu.x86_cpu_info.feature_information", x86.feature_information.get())?;
    writeln!(
        out,
        "  {:<W$} = 0x{:x}",
        "cpu.x86_cpu_info.amd_extended_cpu_features",
        x86.amd_extended_cpu_features.get()
    )?;
    if !is_x86(arch) {
        writeln!(out, "  cpu.other_cpu_info (valid):")?;
        for (i, v) in info.cpu.other().processor_features.iter().enumerate() {
            writeln!(out, "  {:<W$} = 0x{:x}", format!("cpu.other_cpu_info.processor_features[{i}]"), v.get())?;
        }
    }
    write!(out, "  {:<W$} = ", "(csd_version)")?;
    match s.read_string(info.csd_version_rva.get().into()) {
        Some(csd) => {
            out.write_all(b"\"")?;
            out.write_all(text::cstr(&csd))?;
            out.write_all(b"\"\n")?;
        }
        None => writeln!(out, "(null)")?,
    }
    write!(out, "  {:<W$} = ", "(cpu_vendor)")?;
    if is_x86(arch) {
        let mut vendor = Vec::with_capacity(12);
        for word in &x86.vendor_id {
            vendor.extend_from_slice(&word.get().to_le_bytes());
        }
        out.write_all(b"\"")?;
        out.write_all(text::cstr(&vendor))?;
        out.write_all(b"\"\n")?;
    } else {
        writeln!(out, "(null)")?;
    }
    writeln!(out)
}
