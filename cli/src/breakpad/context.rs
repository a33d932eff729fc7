//! CPU contexts: how Breakpad decides which structure a context is, and how
//! it prints each one.
//!
//! Breakpad's rules (`MinidumpContext::Read`): a context of exactly the AMD64
//! size, or at least that size when SystemInfo says AMD64, is AMD64 and must
//! carry the AMD64 CPU bits at `0x30`. Exactly the PPC64 or old-ARM64 size
//! means that structure, with 64-bit flags. Anything else is told by the CPU
//! bits of the first `u32`, taken from SystemInfo when there are none, and
//! must then have exactly its structure's size (x86 may be larger or even
//! smaller). In every case the CPU must agree with SystemInfo's architecture
//! when there is a SystemInfo stream.

use super::{read_struct, view, Session};
use mdump_format::context::amd64::{ContextAmd64, CONTEXT_AMD64};
use mdump_format::context::arm::{ContextArm, CONTEXT_ARM, CONTEXT_ARM_OLD};
use mdump_format::context::arm64::{
    ContextArm64, ContextArm64Old, CONTEXT_ARM64, CONTEXT_ARM64_CONTROL, CONTEXT_ARM64_FLOATING_POINT,
    CONTEXT_ARM64_FLOATING_POINT_OLD, CONTEXT_ARM64_INTEGER, CONTEXT_ARM64_INTEGER_OLD, CONTEXT_ARM64_OLD,
};
use mdump_format::context::mips::{ContextMips, CONTEXT_MIPS, CONTEXT_MIPS64};
use mdump_format::context::ppc::{ContextPpc, CONTEXT_PPC};
use mdump_format::context::ppc64::{ContextPpc64, CONTEXT_PPC64};
use mdump_format::context::riscv::{ContextRiscv, ContextRiscv64, CONTEXT_RISCV, CONTEXT_RISCV64};
use mdump_format::context::sparc::{ContextSparc, CONTEXT_SPARC};
use mdump_format::context::x86::{ContextX86, CONTEXT_X86};
use mdump_format::context::{CONTEXT_CPU_MASK, U128};
use mdump_format::system_info::*;
use mdump_format::LocationDescriptor;
use std::io::{self, Write};

/// Breakpad skips at most this many bytes of XSTATE after an AMD64 or x86
/// context.
const MAX_XSTATE_BYTES: u64 = 16384;

/// Windows CE's SuperH value, which Breakpad maps the SH architecture to.
const CONTEXT_SHX: u32 = 0xc0;
/// Windows CE's Alpha value.
const CONTEXT_ALPHA: u32 = 0x0002_0000;
/// Itanium's value (the same as MIPS64's).
const CONTEXT_IA64: u32 = 0x0008_0000;

/// A context as Breakpad holds it after reading: the structure and the
/// `context_flags` it keeps (with CPU bits filled in from SystemInfo).
pub enum Context<'a> {
    X86(&'a ContextX86, u32),
    Amd64(&'a ContextAmd64),
    Ppc(&'a ContextPpc, u32),
    Ppc64(&'a ContextPpc64),
    Sparc(&'a ContextSparc, u32),
    Arm(&'a ContextArm, u32),
    Arm64(&'a ContextArm64, u32),
    /// Breakpad converts the old layout to the new one; the flags are those
    /// of the conversion.
    Arm64Old(&'a ContextArm64Old, u32),
    Mips(&'a ContextMips, u32),
    Riscv(&'a ContextRiscv, u32),
    Riscv64(&'a ContextRiscv64, u32),
}

/// Reads the context `location` points at and prints it the way a thread or
/// the exception stream does: a blank line and the context, or
/// `  (no context)` and a blank line.
pub fn print_at(s: &Session, location: &LocationDescriptor, out: &mut dyn Write) -> io::Result<()> {
    let context = if s.io.seek(location.rva.get().into()) { read(s, location.data_size.get()) } else { None };
    match context {
        Some(context) => {
            writeln!(out)?;
            print(&context, out)
        }
        None => {
            writeln!(out, "  (no context)")?;
            writeln!(out)
        }
    }
}

/// The context CPU value Breakpad derives from a SystemInfo architecture.
fn cpu_for_architecture(arch: u16) -> u32 {
    match arch {
        PROCESSOR_ARCHITECTURE_X86 => CONTEXT_X86,
        PROCESSOR_ARCHITECTURE_MIPS => CONTEXT_MIPS,
        PROCESSOR_ARCHITECTURE_MIPS64 => CONTEXT_MIPS64,
        PROCESSOR_ARCHITECTURE_ALPHA => CONTEXT_ALPHA,
        PROCESSOR_ARCHITECTURE_PPC => CONTEXT_PPC,
        PROCESSOR_ARCHITECTURE_PPC64 => CONTEXT_PPC64,
        PROCESSOR_ARCHITECTURE_SHX => CONTEXT_SHX,
        PROCESSOR_ARCHITECTURE_ARM => CONTEXT_ARM,
        PROCESSOR_ARCHITECTURE_ARM64 => CONTEXT_ARM64,
        PROCESSOR_ARCHITECTURE_ARM64_OLD => CONTEXT_ARM64_OLD,
        PROCESSOR_ARCHITECTURE_IA64 => CONTEXT_IA64,
        PROCESSOR_ARCHITECTURE_AMD64 => CONTEXT_AMD64,
        PROCESSOR_ARCHITECTURE_SPARC => CONTEXT_SPARC,
        PROCESSOR_ARCHITECTURE_RISCV => CONTEXT_RISCV,
        PROCESSOR_ARCHITECTURE_RISCV64 => CONTEXT_RISCV64,
        _ => 0,
    }
}

/// `GetContextCPUFlagsFromSystemInfo`: the CPU value SystemInfo implies (0
/// when unknown), looked up without moving the stream; `None` when the
/// stream could not be put back.
fn cpu_from_system_info(s: &Session) -> Option<u32> {
    let Some(saved) = s.io.tell() else {
        return Some(0);
    };
    let cpu = s.system_info().map_or(0, |info| cpu_for_architecture(info.processor_architecture.get()));
    s.io.seek(saved).then_some(cpu)
}

/// `CheckAgainstSystemInfo`: whether SystemInfo (if any) agrees with `cpu`.
fn agrees_with_system_info(s: &Session, cpu: u32) -> bool {
    let Some(info) = s.system_info() else {
        return true;
    };
    let arch = info.processor_architecture.get();
    match cpu {
        CONTEXT_X86 => {
            matches!(arch, PROCESSOR_ARCHITECTURE_X86 | PROCESSOR_ARCHITECTURE_X86_WIN64 | PROCESSOR_ARCHITECTURE_AMD64)
        }
        CONTEXT_PPC => arch == PROCESSOR_ARCHITECTURE_PPC,
        CONTEXT_PPC64 => arch == PROCESSOR_ARCHITECTURE_PPC64,
        CONTEXT_AMD64 => arch == PROCESSOR_ARCHITECTURE_AMD64,
        CONTEXT_SPARC => arch == PROCESSOR_ARCHITECTURE_SPARC,
        CONTEXT_ARM => arch == PROCESSOR_ARCHITECTURE_ARM,
        CONTEXT_ARM64 => arch == PROCESSOR_ARCHITECTURE_ARM64,
        CONTEXT_ARM64_OLD => arch == PROCESSOR_ARCHITECTURE_ARM64_OLD,
        CONTEXT_MIPS => arch == PROCESSOR_ARCHITECTURE_MIPS,
        CONTEXT_MIPS64 => arch == PROCESSOR_ARCHITECTURE_MIPS64,
        CONTEXT_RISCV => arch == PROCESSOR_ARCHITECTURE_RISCV,
        CONTEXT_RISCV64 => arch == PROCESSOR_ARCHITECTURE_RISCV64,
        _ => false,
    }
}

/// The structure `$t` whose first `$already` bytes were read at `$start`:
/// reads the rest from the stream, then views the whole.
macro_rules! finish {
    ($s:expr, $start:expr, $already:expr, $t:ty) => {{
        let size = core::mem::size_of::<$t>();
        $s.io.read(size as u64 - $already)?;
        view!($s.io.bytes_at($start, size)?, $t)?
    }};
}

/// `MinidumpContext::Read` of a context of `expected_size` bytes at the
/// stream's position.
pub fn read<'a>(s: &Session<'a>, expected_size: u32) -> Option<Context<'a>> {
    let expected = u64::from(expected_size);
    let system_cpu = cpu_from_system_info(s)?;
    let start = s.io.tell()?;
    let amd64_size = core::mem::size_of::<ContextAmd64>() as u64;

    if expected == amd64_size || (system_cpu == CONTEXT_AMD64 && expected >= amd64_size) {
        let context = read_struct!(s.io, ContextAmd64)?;
        if expected > amd64_size {
            let extra = expected - amd64_size;
            if extra > MAX_XSTATE_BYTES {
                return None;
            }
            s.io.read(extra)?;
        }
        // Flags without CPU bits are not filled in here: the context is
        // refused.
        if context.context_flags.get() & CONTEXT_CPU_MASK != CONTEXT_AMD64 || !agrees_with_system_info(s, CONTEXT_AMD64)
        {
            return None;
        }
        return Some(Context::Amd64(context));
    }

    if expected == core::mem::size_of::<ContextPpc64>() as u64
        || expected == core::mem::size_of::<ContextArm64Old>() as u64
    {
        let ppc64 = expected == core::mem::size_of::<ContextPpc64>() as u64;
        let wanted = if ppc64 { CONTEXT_PPC64 } else { CONTEXT_ARM64_OLD };
        let flags = s.io.read_u64()?;
        let mut cpu = (flags & u64::from(CONTEXT_CPU_MASK)) as u32;
        if cpu == 0 {
            cpu = cpu_from_system_info(s)?;
        }
        if cpu != wanted {
            return None;
        }
        if ppc64 {
            let context = finish!(s, start, 8, ContextPpc64);
            if !agrees_with_system_info(s, cpu) || flags > u64::from(u32::MAX) {
                return None;
            }
            return Some(Context::Ppc64(context));
        }
        let context = finish!(s, start, 8, ContextArm64Old);
        if !agrees_with_system_info(s, cpu) {
            return None;
        }
        let mut converted = CONTEXT_ARM64;
        if flags & u64::from(CONTEXT_ARM64_INTEGER_OLD) != 0 {
            converted |= CONTEXT_ARM64_INTEGER | CONTEXT_ARM64_CONTROL;
        }
        if flags & u64::from(CONTEXT_ARM64_FLOATING_POINT_OLD) != 0 {
            converted |= CONTEXT_ARM64_FLOATING_POINT;
        }
        return Some(Context::Arm64Old(context, converted));
    }

    let mut flags = s.io.read_u32()?;
    let mut cpu = flags & CONTEXT_CPU_MASK;
    if cpu == 0 && flags & CONTEXT_ARM_OLD != 0 {
        // Windows CE's ARM value, which now means XSTATE.
        flags = (flags | CONTEXT_ARM) & !CONTEXT_ARM_OLD;
        cpu = CONTEXT_ARM;
    }
    if cpu == 0 {
        cpu = system_cpu;
        flags |= cpu;
    }
    let exact = |size: usize| (expected == size as u64).then_some(());
    let context = match cpu {
        CONTEXT_X86 => {
            // The XSTATE test Breakpad makes here always passes for an x86
            // context, so only an oversized tail is refused.
            let x86_size = core::mem::size_of::<ContextX86>() as i64;
            if i64::from(expected_size) - x86_size > MAX_XSTATE_BYTES as i64 {
                return None;
            }
            Context::X86(finish!(s, start, 4, ContextX86), flags)
        }
        CONTEXT_PPC => {
            exact(core::mem::size_of::<ContextPpc>())?;
            Context::Ppc(finish!(s, start, 4, ContextPpc), flags)
        }
        CONTEXT_SPARC => {
            exact(core::mem::size_of::<ContextSparc>())?;
            Context::Sparc(finish!(s, start, 4, ContextSparc), flags)
        }
        CONTEXT_ARM => {
            exact(core::mem::size_of::<ContextArm>())?;
            Context::Arm(finish!(s, start, 4, ContextArm), flags)
        }
        CONTEXT_ARM64 => {
            exact(core::mem::size_of::<ContextArm64>())?;
            Context::Arm64(finish!(s, start, 4, ContextArm64), flags)
        }
        CONTEXT_MIPS | CONTEXT_MIPS64 => {
            exact(core::mem::size_of::<ContextMips>())?;
            Context::Mips(finish!(s, start, 4, ContextMips), flags)
        }
        CONTEXT_RISCV => {
            exact(core::mem::size_of::<ContextRiscv>())?;
            Context::Riscv(finish!(s, start, 4, ContextRiscv), flags)
        }
        CONTEXT_RISCV64 => {
            exact(core::mem::size_of::<ContextRiscv64>())?;
            Context::Riscv64(finish!(s, start, 4, ContextRiscv64), flags)
        }
        _ => return None,
    };
    agrees_with_system_info(s, cpu).then_some(context)
}

/// One `  name<padding> = value` line, the name padded to `width`.
fn field(out: &mut dyn Write, width: usize, name: &str, value: impl std::fmt::Display) -> io::Result<()> {
    writeln!(out, "  {name:<width$} = {value}")
}

/// A hex value as Breakpad prints it: `0x` and lower-case digits.
struct Hex<T>(T);

impl<T: std::fmt::LowerHex> std::fmt::Display for Hex<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "0x{:x}", self.0)
    }
}

/// A 128-bit register as Breakpad's ARM64 printer shows it: its two 64-bit
/// halves in file order, each without leading zeros.
struct Halves(u128);

impl std::fmt::Display for Halves {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "0x{:x}{:x}", self.0 as u64, (self.0 >> 64) as u64)
    }
}

/// `DumpContext::Print`.
pub fn print(context: &Context, out: &mut dyn Write) -> io::Result<()> {
    match *context {
        Context::X86(c, flags) => print_x86(c, flags, out),
        Context::Amd64(c) => print_amd64(c, out),
        Context::Ppc(c, flags) => print_ppc(c, flags, out),
        Context::Ppc64(c) => print_ppc64(c, out),
        Context::Sparc(c, flags) => print_sparc(c, flags, out),
        Context::Arm(c, flags) => print_arm(c, flags, out),
        Context::Arm64(c, flags) => {
            let iregs = c.x.iter().chain([&c.sp, &c.pc]).map(|r| r.get());
            print_arm64(flags, c.cpsr.get(), iregs, c.fpsr.get(), c.fpcr.get(), &c.v, out)
        }
        Context::Arm64Old(c, flags) => {
            let iregs = c.iregs.iter().map(|r| r.get());
            let fs = &c.float_save;
            print_arm64(flags, c.cpsr.get(), iregs, fs.fpsr.get(), fs.fpcr.get(), &fs.regs, out)
        }
        Context::Mips(c, flags) => print_mips(c, flags, out),
        Context::Riscv(c, flags) => {
            writeln!(out, "MDRawContextRISCV")?;
            field(out, 20, "context_flags", Hex(flags))?;
            field(out, 13, "pc", Hex(c.pc.get()))?;
            for (name, r) in RISCV_REGISTERS.iter().zip(&c.regs) {
                field(out, 13, name, Hex(r.get()))?;
            }
            Ok(())
        }
        Context::Riscv64(c, flags) => {
            writeln!(out, "MDRawContextRISCV64")?;
            field(out, 20, "context_flags", Hex(flags))?;
            field(out, 13, "pc", Hex(c.pc.get()))?;
            for (name, r) in RISCV_REGISTERS.iter().zip(&c.regs) {
                field(out, 13, name, Hex(r.get()))?;
            }
            Ok(())
        }
    }
}

/// RISC-V `x1` to `x31` by their ABI names, in the order Breakpad prints
/// them (which is register order).
const RISCV_REGISTERS: [&str; 31] = [
    "ra", "sp", "gp", "tp", "t0", "t1", "t2", "s0", "s1", "a0", "a1", "a2", "a3", "a4", "a5", "a6", "a7", "s2", "s3",
    "s4", "s5", "s6", "s7", "s8", "s9", "s10", "s11", "t3", "t4", "t5", "t6",
];

fn print_x86(c: &ContextX86, flags: u32, out: &mut dyn Write) -> io::Result<()> {
    const W: usize = 28;
    let fs = &c.float_save;
    writeln!(out, "MDRawContextX86")?;
    field(out, W, "context_flags", Hex(flags))?;
    for (name, v) in
        [("dr0", &c.dr0), ("dr1", &c.dr1), ("dr2", &c.dr2), ("dr3", &c.dr3), ("dr6", &c.dr6), ("dr7", &c.dr7)]
    {
        field(out, W, name, Hex(v.get()))?;
    }
    field(out, W, "float_save.control_word", Hex(fs.control_word.get()))?;
    field(out, W, "float_save.status_word", Hex(fs.status_word.get()))?;
    field(out, W, "float_save.tag_word", Hex(fs.tag_word.get()))?;
    field(out, W, "float_save.error_offset", Hex(fs.error_offset.get()))?;
    field(out, W, "float_save.error_selector", Hex(fs.error_selector.get()))?;
    field(out, W, "float_save.data_offset", Hex(fs.data_offset.get()))?;
    field(out, W, "float_save.data_selector", Hex(fs.data_selector.get()))?;
    let area = String::from_utf8_lossy(&super::text::hex(&fs.register_area)).into_owned();
    field(out, W, &format!("float_save.register_area[{:2}]", fs.register_area.len()), format!("0x{area}"))?;
    field(out, W, "float_save.cr0_npx_state", Hex(fs.cr0_npx_state.get()))?;
    for (name, v) in [
        ("gs", &c.gs),
        ("fs", &c.fs),
        ("es", &c.es),
        ("ds", &c.ds),
        ("edi", &c.edi),
        ("esi", &c.esi),
        ("ebx", &c.ebx),
        ("edx", &c.edx),
        ("ecx", &c.ecx),
        ("eax", &c.eax),
        ("ebp", &c.ebp),
        ("eip", &c.eip),
        ("cs", &c.cs),
        ("eflags", &c.eflags),
        ("esp", &c.esp),
        ("ss", &c.ss),
    ] {
        field(out, W, name, Hex(v.get()))?;
    }
    let ext = String::from_utf8_lossy(&super::text::hex(&c.extended_registers)).into_owned();
    field(out, W, &format!("extended_registers[{:3}]", c.extended_registers.len()), format!("0x{ext}"))?;
    writeln!(out)
}

fn print_amd64(c: &ContextAmd64, out: &mut dyn Write) -> io::Result<()> {
    const W: usize = 13;
    writeln!(out, "MDRawContextAMD64")?;
    for (name, v) in [
        ("p1_home", &c.p1_home),
        ("p2_home", &c.p2_home),
        ("p3_home", &c.p3_home),
        ("p4_home", &c.p4_home),
        ("p5_home", &c.p5_home),
        ("p6_home", &c.p6_home),
    ] {
        field(out, W, name, Hex(v.get()))?;
    }
    field(out, W, "context_flags", Hex(c.context_flags.get()))?;
    field(out, W, "mx_csr", Hex(c.mx_csr.get()))?;
    for (name, v) in [("cs", &c.cs), ("ds", &c.ds), ("es", &c.es), ("fs", &c.fs), ("gs", &c.gs), ("ss", &c.ss)] {
        field(out, W, name, Hex(v.get()))?;
    }
    field(out, W, "eflags", Hex(c.eflags.get()))?;
    for (name, v) in [
        ("dr0", &c.dr0),
        ("dr1", &c.dr1),
        ("dr2", &c.dr2),
        ("dr3", &c.dr3),
        ("dr6", &c.dr6),
        ("dr7", &c.dr7),
        ("rax", &c.rax),
        ("rcx", &c.rcx),
        ("rdx", &c.rdx),
        ("rbx", &c.rbx),
        ("rsp", &c.rsp),
        ("rbp", &c.rbp),
        ("rsi", &c.rsi),
        ("rdi", &c.rdi),
        ("r8", &c.r8),
        ("r9", &c.r9),
        ("r10", &c.r10),
        ("r11", &c.r11),
        ("r12", &c.r12),
        ("r13", &c.r13),
        ("r14", &c.r14),
        ("r15", &c.r15),
        ("rip", &c.rip),
    ] {
        field(out, W, name, Hex(v.get()))?;
    }
    writeln!(out)
}

fn print_ppc(c: &ContextPpc, flags: u32, out: &mut dyn Write) -> io::Result<()> {
    const W: usize = 24;
    writeln!(out, "MDRawContextPPC")?;
    field(out, W, "context_flags", Hex(flags))?;
    field(out, W, "srr0", Hex(c.srr0.get()))?;
    field(out, W, "srr1", Hex(c.srr1.get()))?;
    for (i, r) in c.gpr.iter().enumerate() {
        field(out, W, &format!("gpr[{i:2}]"), Hex(r.get()))?;
    }
    for (name, v) in
        [("cr", &c.cr), ("xer", &c.xer), ("lr", &c.lr), ("ctr", &c.ctr), ("mq", &c.mq), ("vrsave", &c.vrsave)]
    {
        field(out, W, name, Hex(v.get()))?;
    }
    for (i, r) in c.float_save.fpregs.iter().enumerate() {
        field(out, W, &format!("float_save.fpregs[{i:2}]"), Hex(r.get()))?;
    }
    field(out, W, "float_save.fpscr", Hex(c.float_save.fpscr.get()))?;
    field(out, W, "vector_save.save_vrvalid", Hex(c.vector_save.save_vrvalid.get()))?;
    writeln!(out)
}

fn print_ppc64(c: &ContextPpc64, out: &mut dyn Write) -> io::Result<()> {
    const W: usize = 24;
    let flags = c.context_flags.get();
    // Breakpad keeps the flags as read; without CPU bits it prints nothing.
    if flags as u32 & CONTEXT_CPU_MASK != CONTEXT_PPC64 {
        return Ok(());
    }
    writeln!(out, "MDRawContextPPC64")?;
    field(out, W, "context_flags", Hex(flags))?;
    field(out, W, "srr0", Hex(c.srr0.get()))?;
    field(out, W, "srr1", Hex(c.srr1.get()))?;
    for (i, r) in c.gpr.iter().enumerate() {
        field(out, W, &format!("gpr[{i:2}]"), Hex(r.get()))?;
    }
    for (name, v) in [("cr", &c.cr), ("xer", &c.xer), ("lr", &c.lr), ("ctr", &c.ctr), ("vrsave", &c.vrsave)] {
        field(out, W, name, Hex(v.get()))?;
    }
    for (i, r) in c.float_save.fpregs.iter().enumerate() {
        field(out, W, &format!("float_save.fpregs[{i:2}]"), Hex(r.get()))?;
    }
    field(out, W, "float_save.fpscr", Hex(c.float_save.fpscr.get()))?;
    field(out, W, "vector_save.save_vrvalid", Hex(c.vector_save.save_vrvalid.get()))?;
    writeln!(out)
}

fn print_sparc(c: &ContextSparc, flags: u32, out: &mut dyn Write) -> io::Result<()> {
    const W: usize = 19;
    writeln!(out, "MDRawContextSPARC")?;
    field(out, W, "context_flags", Hex(flags))?;
    for (i, r) in c.g_r.iter().enumerate() {
        field(out, W, &format!("g_r[{i:2}]"), Hex(r.get()))?;
    }
    for (name, v) in [("ccr", &c.ccr), ("pc", &c.pc), ("npc", &c.npc), ("y", &c.y), ("asi", &c.asi), ("fprs", &c.fprs)]
    {
        field(out, W, name, Hex(v.get()))?;
    }
    for (i, r) in c.float_save.regs.iter().enumerate() {
        field(out, W, &format!("float_save.regs[{i:2}]"), Hex(r.get()))?;
    }
    field(out, W, "float_save.filler", Hex(c.float_save.filler.get()))?;
    field(out, W, "float_save.fsr", Hex(c.float_save.fsr.get()))
}

fn print_arm(c: &ContextArm, flags: u32, out: &mut dyn Write) -> io::Result<()> {
    const W: usize = 20;
    const NAMES: [&str; 16] =
        ["r0", "r1", "r2", "r3", "r4", "r5", "r6", "r7", "r8", "r9", "r10", "r11", "r12", "sp", "lr", "pc"];
    writeln!(out, "MDRawContextARM")?;
    field(out, W, "context_flags", Hex(flags))?;
    for (name, r) in NAMES.iter().zip(&c.iregs) {
        field(out, W, name, Hex(r.get()))?;
    }
    field(out, W, "cpsr", Hex(c.cpsr.get()))?;
    field(out, W, "float_save.fpscr", Hex(c.float_save.fpscr.get()))?;
    for (i, r) in c.float_save.regs.iter().enumerate() {
        field(out, W, &format!("float_save.regs[{i:2}]"), Hex(r.get()))?;
    }
    for (i, r) in c.float_save.extra.iter().enumerate() {
        field(out, W, &format!("float_save.extra[{i:2}]"), Hex(r.get()))?;
    }
    Ok(())
}

/// ARM64, whichever layout it was read from. Breakpad's column widths vary
/// from line to line here.
fn print_arm64(
    flags: u32,
    cpsr: u32,
    iregs: impl Iterator<Item = u64>,
    fpsr: u32,
    fpcr: u32,
    regs: &[U128],
    out: &mut dyn Write,
) -> io::Result<()> {
    writeln!(out, "MDRawContextARM64")?;
    field(out, 19, "context_flags", Hex(flags))?;
    for (i, r) in iregs.enumerate() {
        field(out, 20, &format!("iregs[{i:2}]"), Hex(r))?;
    }
    field(out, 19, "cpsr", Hex(cpsr))?;
    field(out, 19, "float_save.fpsr", Hex(fpsr))?;
    field(out, 19, "float_save.fpcr", Hex(fpcr))?;
    for (i, r) in regs.iter().enumerate() {
        field(out, 30, &format!("float_save.regs[{i:2}]"), Halves(r.get()))?;
    }
    Ok(())
}

fn print_mips(c: &ContextMips, flags: u32, out: &mut dyn Write) -> io::Result<()> {
    const W: usize = 20;
    writeln!(out, "MDRawContextMIPS")?;
    field(out, W, "context_flags", Hex(flags))?;
    for (i, r) in c.iregs.iter().enumerate() {
        field(out, 19, &format!("iregs[{i:2}]"), Hex(r.get()))?;
    }
    field(out, W, "mdhi", Hex(c.mdhi.get()))?;
    // Breakpad prints `mdhi` a second time under the name `mdlo`.
    field(out, W, "mdlo", Hex(c.mdhi.get()))?;
    for (i, (hi, lo)) in c.hi.iter().zip(&c.lo).enumerate() {
        field(out, 18, &format!("hi[{i}]"), Hex(hi.get()))?;
        field(out, 18, &format!("lo[{i}]"), Hex(lo.get()))?;
    }
    field(out, W, "dsp_control", Hex(c.dsp_control.get()))?;
    field(out, W, "epc", Hex(c.epc.get()))?;
    field(out, W, "badvaddr", Hex(c.badvaddr.get()))?;
    field(out, W, "status", Hex(c.status.get()))?;
    field(out, W, "cause", Hex(c.cause.get()))?;
    for (i, r) in c.float_save.regs.iter().enumerate() {
        field(out, 19, &format!("float_save.regs[{i:2}]"), Hex(r.get()))?;
    }
    field(out, W, "float_save.fpcsr", Hex(c.float_save.fpcsr.get()))?;
    field(out, W, "float_save.fir", Hex(c.float_save.fir.get()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(width: usize, name: &str, value: &str) -> String {
        let mut v = Vec::new();
        field(&mut v, width, name, value).unwrap();
        String::from_utf8(v).unwrap()
    }

    #[test]
    fn column_widths_match_breakpad() {
        // "  name" plus padding is the width + 2 before " = ".
        assert_eq!(line(28, "context_flags", "0x1"), "  context_flags                = 0x1\n");
        assert_eq!(line(28, "float_save.register_area[80]", "0x"), "  float_save.register_area[80] = 0x\n");
        assert_eq!(line(13, "p1_home", "0x0"), "  p1_home       = 0x0\n");
        // ARM64's lines are not aligned with each other.
        assert_eq!(line(19, "context_flags", "0x0"), "  context_flags       = 0x0\n");
        assert_eq!(line(20, "iregs[ 0]", "0x0"), "  iregs[ 0]            = 0x0\n");
        assert_eq!(line(30, "float_save.regs[ 0]", "0x0"), "  float_save.regs[ 0]            = 0x0\n");
        // MIPS's are aligned in Breakpad's source, where `%2d` and `%1d` are
        // wider than what they print.
        assert_eq!(line(20, "mdhi", "0x0"), "  mdhi                 = 0x0\n");
        assert_eq!(line(19, "iregs[ 0]", "0x0"), "  iregs[ 0]           = 0x0\n");
        assert_eq!(line(18, "hi[0]", "0x0"), "  hi[0]              = 0x0\n");
        assert_eq!(line(13, "s10", "0x0"), "  s10           = 0x0\n");
    }

    #[test]
    fn arm64_halves_are_unpadded() {
        assert_eq!(Halves(0x1_0000_0000_0000_0002).to_string(), "0x21");
    }
}
