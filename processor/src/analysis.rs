//! The analysis of the crashing instruction that rust-minidump 0.27 adds to
//! its JSON report (`crash_info.instruction`, `memory_accesses`,
//! `instruction_pointer_update`, `adjusted_address`, `possible_bit_flips`),
//! computed by its rules so that both reports agree.
//!
//! Only amd64 crashes are disassembled, as rust-minidump only disassembles
//! those (x86 and the others keep every analysis `null`): the bytes at the
//! exception context's `rip` are decoded by `yaxpeax-x86`, the memory
//! operands' addresses come from the context's registers, and the kind of
//! access from a table of common opcodes (other opcodes' accesses have no
//! kind). From those, a null pointer with an offset or a non-canonical
//! address is recognised ([`AdjustedAddress`]), and on 64-bit CPUs the crash
//! address is checked for a single flipped bit ([`bit_flips`]).
//!
//! Hostile dumps: any register, memory or instruction bytes give an answer
//! (perhaps "unknown") and never a panic.

mod bit_flips;
mod inconsistencies;
mod memory_regions;

pub use bit_flips::{BitFlip, BitFlipDetails};
pub use inconsistencies::Inconsistency;
pub use memory_regions::{MemoryRegionPermissions, MemoryRegions};

use crate::process_state::ExceptionRecord;
use crate::registers::{Arch, Registers};
use crate::system::SystemInfo;
use mdump_format::system_info::{
    PLATFORM_ANDROID, PLATFORM_IOS, PLATFORM_LINUX, PLATFORM_MAC_OS_X, PLATFORM_WIN32_NT, PLATFORM_WIN32_WINDOWS,
};
use mdump_reader::{MemoryIndex, MemoryRegion};
use std::collections::BTreeSet;
use yaxpeax_x86::amd64::{InstDecoder, Instruction, Opcode, Operand, RegSpec};

/// The amd64 registers rust-minidump's context knows (no flags, segment
/// or vector registers).
const AMD64_REGISTERS: &[&str] = &[
    "rax", "rdx", "rcx", "rbx", "rsi", "rdi", "rbp", "rsp", "r8", "r9", "r10", "r11", "r12", "r13", "r14", "r15", "rip",
];

/// Addresses a 48-bit amd64 CPU refuses (bits 48-63 not copies of bit 47).
const NON_CANONICAL: std::ops::RangeInclusive<u64> = 0x0000_8000_0000_0000..=0xffff_7fff_ffff_ffff;

/// At most this many bytes at the instruction pointer are handed to the
/// decoder (an x86 instruction is at most 15 bytes long).
const MAX_INSTRUCTION_BYTES: u64 = 16;

/// Windows' `EXCEPTION_ACCESS_VIOLATION`.
const ACCESS_VIOLATION: u32 = 0xc000_0005;
/// Linux `si_code` of a fault the kernel raised itself (a general
/// protection fault among others).
const SI_KERNEL: u32 = 0x80;
const SIGBUS: u32 = 7;
const SIGFPE: u32 = 8;
const SIGSEGV: u32 = 11;
/// macOS `EXC_BAD_ACCESS` and its x86 code `EXC_I386_GPFLT`.
const EXC_BAD_ACCESS: u32 = 1;
const EXC_I386_GPFLT: u32 = 13;
/// macOS `EXC_ARITHMETIC` and its x86 code `EXC_I386_DIV`.
const EXC_ARITHMETIC: u32 = 3;
const EXC_I386_DIV: u32 = 1;

/// What an instruction does with a memory operand.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum AccessType {
    /// Only reads it.
    Read,
    /// Only writes it.
    Write,
    /// Reads and writes it.
    ReadWrite,
}

impl AccessType {
    /// The name rust-minidump's JSON gives it.
    pub fn json_name(self) -> &'static str {
        match self {
            AccessType::Read => "read",
            AccessType::Write => "write",
            AccessType::ReadWrite => "readwrite",
        }
    }
}

/// One memory access of the crashing instruction.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct MemoryAccess {
    /// The address accessed.
    pub address: u64,
    /// Bytes accessed, when the instruction says.
    pub size: Option<u8>,
    /// Read or write; `None` for opcodes whose operands' roles are not
    /// tabled.
    pub access_type: Option<AccessType>,
    /// Whether the address lies in a small inaccessible region next to an
    /// accessible one.
    pub likely_guard_page: bool,
    /// Whether the address came from a base register holding zero (or is
    /// zero, for the stack accesses of `push`, `pop`, `call` and `ret`).
    pub likely_null_pointer: bool,
}

/// A more useful address than the one the OS reported.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum AdjustedAddress {
    /// The instruction dereferenced a null base register plus this offset.
    NullPointer {
        /// The address accessed, which is the offset from null.
        offset: u64,
    },
    /// A general protection fault on amd64: the non-canonical address the
    /// instruction used (the OS reports 0 or all ones instead).
    NonCanonical {
        /// The address.
        address: u64,
    },
}

/// What the crashing instruction is, as far as the crash checks care.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct InstructionProperties {
    /// Its opcode is one whose operands' roles are tabled.
    pub is_access_derivable: bool,
    /// `div` or `idiv`.
    pub is_division: bool,
    /// One of rust-minidump's privileged (or possibly trapping) opcodes.
    pub is_privileged: bool,
    /// It can only raise a general protection fault with a non-canonical
    /// address (tabled opcodes but `movaps`, which also faults on
    /// misalignment).
    pub only_gpf_when_non_canonical: bool,
}

/// rust-minidump's analysis of a crash, all `None` or empty when it had
/// nothing to say.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CrashAnalysis {
    /// The crashing instruction as `yaxpeax-x86` prints it.
    pub instruction: Option<String>,
    /// Its memory accesses (`Some(empty)`: it accesses none; `None`: not
    /// known, e.g. a register it uses is not in the context).
    pub memory_accesses: Option<Vec<MemoryAccess>>,
    /// Where it sends the instruction pointer, when it jumps through a
    /// register or through memory the dump holds, or returns.
    pub instruction_pointer_update: Option<u64>,
    /// Whether the instruction is known to leave `rip` to the next
    /// instruction (no jump, call or return).
    pub instruction_pointer_kept: bool,
    /// The crashing instruction's properties, when it was decoded.
    pub properties: Option<InstructionProperties>,
    /// The address the crash is better described by.
    pub adjusted_address: Option<AdjustedAddress>,
    /// Addresses one bit away from the crash address (or from a register
    /// the instruction used) that would have been valid.
    pub possible_bit_flips: Vec<BitFlip>,
    /// Where the crash report contradicts the instruction or memory map.
    pub inconsistencies: Vec<Inconsistency>,
}

/// What the analysis reads.
pub struct AnalysisInput<'a, 'm> {
    /// OS and CPU.
    pub system: &'a SystemInfo,
    /// The exception record.
    pub record: &'a ExceptionRecord,
    /// The crash address as the report prints it.
    pub crash_address: u64,
    /// The exception's context, when it could be read.
    pub registers: Option<&'a Registers>,
    /// The dump's memory.
    pub memory: &'a MemoryIndex<'m>,
    /// The crashing thread's stack memory.
    pub stack: Option<&'a MemoryRegion<'m>>,
    /// The process's memory map (MemoryInfoList, else Linux maps).
    pub regions: &'a MemoryRegions,
}

/// Analyses the crash of `input` as rust-minidump does.
pub fn analyze(input: &AnalysisInput<'_, '_>) -> CrashAnalysis {
    let mut analysis = CrashAnalysis::default();
    let mut used_registers = BTreeSet::new();
    let amd64 = input.registers.filter(|r| r.arch() == Arch::Amd64);
    if let Some((registers, instruction)) = amd64.and_then(|r| Some((r, decode_at_ip(r, input.memory)?))) {
        analysis.instruction = Some(instruction.to_string());
        analysis.memory_accesses = memory_accesses(&instruction, registers);
        let opcode = instruction.opcode();
        analysis.properties = Some(InstructionProperties {
            is_access_derivable: is_tabled(opcode),
            is_division: matches!(opcode, Opcode::DIV | Opcode::IDIV),
            is_privileged: is_privileged(opcode),
            only_gpf_when_non_canonical: is_tabled(opcode) && opcode != Opcode::MOVAPS,
        });
        let ip_update = match instruction_pointer_update(&instruction, registers, input.memory, input.stack) {
            IpUpdate::Jump(target) => Some(target),
            IpUpdate::Kept => {
                analysis.instruction_pointer_kept = true;
                None
            }
            IpUpdate::Unknown => None,
        };
        analysis.instruction_pointer_update = ip_update;
        used_registers = memory_operand_registers(&instruction);

        // rust-minidump looks at the accesses only when they are known; the
        // jump target joins them, null when it is zero.
        if let Some(accesses) = &analysis.memory_accesses {
            let addresses: Vec<(u64, bool)> = accesses
                .iter()
                .map(|a| (a.address, a.likely_null_pointer))
                .chain(ip_update.map(|a| (a, a == 0)))
                .collect();
            analysis.adjusted_address = addresses
                .iter()
                .find(|(_, null)| *null)
                .map(|&(offset, _)| AdjustedAddress::NullPointer { offset })
                .or_else(|| {
                    is_general_protection_fault(input)
                        .then(|| addresses.iter().find(|(a, _)| NON_CANONICAL.contains(a)))
                        .flatten()
                        .map(|&(address, _)| AdjustedAddress::NonCanonical { address })
                });
        }
        if let Some(accesses) = &mut analysis.memory_accesses {
            for access in accesses {
                access.likely_guard_page = input.regions.is_likely_guard_page(access.address);
            }
        }
    }
    analysis.possible_bit_flips = bit_flips::possible_bit_flips(input, &analysis, &used_registers);
    analysis.inconsistencies = inconsistencies::inconsistencies(input, &analysis);
    analysis
}

/// The instruction at the context's instruction pointer, if the dump holds
/// its bytes and they decode.
fn decode_at_ip(registers: &Registers, memory: &MemoryIndex<'_>) -> Option<Instruction> {
    let ip = registers.get("rip")?;
    let region = memory.region_at(ip)?;
    let len = region.end().saturating_sub(ip).min(MAX_INSTRUCTION_BYTES);
    let bytes = region.slice(ip, len)?;
    InstDecoder::default().decode_slice(bytes).ok()
}

/// The value of a register an operand names, if the context has it
/// (rust-minidump knows only the 64-bit general registers and `rip`).
fn register_value(registers: &Registers, reg: RegSpec) -> Option<u64> {
    let name = reg.name();
    AMD64_REGISTERS.contains(&name).then(|| registers.get(name)).flatten()
}

/// The parts of a memory operand's address.
struct MemoryOperand {
    base: Option<RegSpec>,
    /// Index register and scale.
    index: Option<(RegSpec, u8)>,
    displacement: i64,
}

/// The address parts of a memory operand; `None` for other operands (and
/// masked AVX-512 forms, which rust-minidump leaves out too).
fn memory_operand(op: &Operand) -> Option<MemoryOperand> {
    let (base, index, displacement) = match *op {
        // A 32-bit absolute address is sign-extended, as the CPU does.
        Operand::AbsoluteU32 { addr } => (None, None, i64::from(addr as i32)),
        Operand::AbsoluteU64 { addr } => (None, None, addr as i64),
        Operand::MemDeref { base } => (Some(base), None, 0),
        Operand::Disp { base, disp } => (Some(base), None, i64::from(disp)),
        Operand::MemIndexScale { index, scale } => (None, Some((index, scale)), 0),
        Operand::MemIndexScaleDisp { index, scale, disp } => (None, Some((index, scale)), i64::from(disp)),
        Operand::MemBaseIndexScale { base, index, scale } => (Some(base), Some((index, scale)), 0),
        Operand::MemBaseIndexScaleDisp { base, index, scale, disp } => {
            (Some(base), Some((index, scale)), i64::from(disp))
        }
        _ => return None,
    };
    Some(MemoryOperand { base, index, displacement })
}

/// Outcome of computing an operand's address: not a memory operand, an
/// address (and whether its base was null), or a register the context
/// lacks.
enum OperandAddress {
    NotMemory,
    At(u64, bool),
    UnknownRegister,
}

fn operand_address(op: &Operand, registers: &Registers) -> OperandAddress {
    let Some(MemoryOperand { base, index, displacement }) = memory_operand(op) else {
        return OperandAddress::NotMemory;
    };
    let mut address = 0u64;
    let mut null_base = false;
    if let Some(base) = base {
        let Some(value) = register_value(registers, base) else {
            return OperandAddress::UnknownRegister;
        };
        address = value;
        null_base = value == 0;
    }
    if let Some((index, scale)) = index {
        let Some(value) = register_value(registers, index) else {
            return OperandAddress::UnknownRegister;
        };
        address = address.wrapping_add(value.wrapping_mul(u64::from(scale)));
    }
    OperandAddress::At(address.wrapping_add(displacement as u64), null_base)
}

/// The opcodes whose operands' roles rust-minidump knows, with the role
/// of the memory operand at `index` (`None`: the operand is not accessed,
/// as `lea`'s).
fn tabled_access(opcode: Opcode, index: u8) -> Option<Option<AccessType>> {
    use AccessType::{Read, ReadWrite, Write};
    use Opcode::*;
    let access = match (opcode, index) {
        (ADD | SUB, 0) | (DEC | INC, 0) => Some(ReadWrite),
        (ADD | SUB, 1) | (CALL | JMP | JMPF | PUSH, 0) | (CMP | UCOMISS, 0 | 1) => Some(Read),
        (POP, 0) => Some(Write),
        (MOV | MOVAPS | MOVUPS, 0) => Some(Write),
        (MOV | MOVAPS | MOVUPS, 1) => Some(Read),
        (LEA, _) => None,
        _ => return None,
    };
    Some(access)
}

/// Whether rust-minidump tables `opcode` (then its stack accesses count
/// too).
fn is_tabled(opcode: Opcode) -> bool {
    use Opcode::*;
    matches!(
        opcode,
        ADD | CALL
            | CMP
            | DEC
            | INC
            | JMP
            | JMPF
            | JO
            | JNO
            | JB
            | JNB
            | JZ
            | JNZ
            | JA
            | JNA
            | JS
            | JNS
            | JP
            | JNP
            | JL
            | JGE
            | JG
            | JLE
            | LEA
            | MOV
            | MOVAPS
            | MOVUPS
            | POP
            | PUSH
            | RETF
            | RETURN
            | SUB
            | UCOMISS
    )
}

/// The instruction's memory accesses; `None` if a register an operand
/// needs is not in the context.
fn memory_accesses(instruction: &Instruction, registers: &Registers) -> Option<Vec<MemoryAccess>> {
    let mut accesses = Vec::new();
    let Some(size) = instruction.mem_size() else {
        return Some(accesses);
    };
    let size = size.bytes_size();
    let opcode = instruction.opcode();
    let tabled = is_tabled(opcode);
    for index in 0..instruction.operand_count() {
        let op = instruction.operand(index);
        if !op.is_memory() {
            continue;
        }
        let access_type = if tabled {
            match tabled_access(opcode, index) {
                Some(None) => continue,
                Some(kind) => kind,
                // A role the table does not foresee (rust-minidump would
                // stop there): counted as an access of unknown kind.
                None => None,
            }
        } else {
            None
        };
        match operand_address(&op, registers) {
            OperandAddress::NotMemory => {}
            OperandAddress::At(address, null) => accesses.push(MemoryAccess {
                address,
                size,
                access_type,
                likely_guard_page: false,
                likely_null_pointer: null,
            }),
            OperandAddress::UnknownRegister => return None,
        }
    }
    if tabled {
        // The stack slot: rsp is still the value before a faulting push
        // or call, so the slot is 8 below it.
        let stack = match opcode {
            Opcode::CALL | Opcode::PUSH => registers.get("rsp").map(|rsp| (rsp.wrapping_sub(8), AccessType::Write)),
            Opcode::POP | Opcode::RETF | Opcode::RETURN => registers.get("rsp").map(|rsp| (rsp, AccessType::Read)),
            _ => None,
        };
        if let Some((address, kind)) = stack {
            accesses.push(MemoryAccess {
                address,
                size,
                access_type: Some(kind),
                likely_guard_page: false,
                likely_null_pointer: address == 0,
            });
        }
    }
    Some(accesses)
}

/// What the instruction does to `rip`.
enum IpUpdate {
    /// Jumps (calls, returns) there.
    Jump(u64),
    /// Goes on to the next instruction.
    Kept,
    /// Not known: a conditional jump, a direct one, or a target the dump
    /// does not hold.
    Unknown,
}

/// Where the instruction sends `rip`, when that is known: an indirect call
/// or jump through a register or through memory the dump holds, or a
/// return to the address at the top of the crashing thread's stack.
fn instruction_pointer_update(
    instruction: &Instruction,
    registers: &Registers,
    memory: &MemoryIndex<'_>,
    stack: Option<&MemoryRegion<'_>>,
) -> IpUpdate {
    use Opcode::*;
    let target = match instruction.opcode() {
        CALL | CALLF | JMP | JMPF | JMPE if instruction.operand_count() == 1 => match instruction.operand(0) {
            Operand::Register { reg } => register_value(registers, reg),
            op => match operand_address(&op, registers) {
                OperandAddress::At(address, _) => memory.region_at(address).and_then(|r| r.read_u64(address)),
                _ => None,
            },
        },
        CALL | CALLF | JMP | JMPF | JMPE => None,
        RETURN | RETF | IRET | IRETD | IRETQ => stack.zip(registers.get("rsp")).and_then(|(s, rsp)| s.read_u64(rsp)),
        JO | JNO | JB | JNB | JZ | JNZ | JA | JNA | JS | JNS | JP | JNP | JL | JGE | JG | JLE => None,
        _ => return IpUpdate::Kept,
    };
    target.map_or(IpUpdate::Unknown, IpUpdate::Jump)
}

/// rust-minidump's privileged opcodes.
fn is_privileged(opcode: Opcode) -> bool {
    use Opcode::*;
    matches!(
        opcode,
        CLI | CLTS
            | HLT
            | IN
            | INS
            | INT
            | INTO
            | INVD
            | INVEPT
            | INVLPG
            | INVVPID
            | IRET
            | IRETD
            | IRETQ
            | LGDT
            | LIDT
            | LLDT
            | LMSW
            | LTR
            | MONITOR
            | MOV
            | MWAIT
            | OUT
            | OUTS
            | RDMSR
            | RDPMC
            | RDTSC
            | RDTSCP
            | RETF
            | STI
            | SWAPGS
            | SYSEXIT
            | SYSRET
            | VMCALL
            | VMCLEAR
            | VMLAUNCH
            | VMPTRLD
            | VMPTRST
            | VMREAD
            | VMRESUME
            | VMWRITE
            | VMXOFF
            | VMXON
            | WBINVD
            | WRMSR
            | XSETBV
    )
}

/// The base and index registers of the instruction's memory operands,
/// by name.
fn memory_operand_registers(instruction: &Instruction) -> BTreeSet<&'static str> {
    let mut names = BTreeSet::new();
    for index in 0..instruction.operand_count() {
        if let Some(operand) = memory_operand(&instruction.operand(index)) {
            names.extend(operand.base.map(|r| r.name()));
            names.extend(operand.index.map(|(r, _)| r.name()));
        }
    }
    names
}

/// Whether the OS reported a general protection fault the way it does
/// (Windows: a read access violation at all ones; Linux: SIGSEGV or SIGBUS
/// from the kernel at 0; macOS: `EXC_I386_GPFLT` at 0).
fn is_general_protection_fault(input: &AnalysisInput<'_, '_>) -> bool {
    let (record, address) = (input.record, input.crash_address);
    match input.system.platform_id {
        Some(PLATFORM_WIN32_NT | PLATFORM_WIN32_WINDOWS) => {
            record.code == ACCESS_VIOLATION && record.parameters.first() == Some(&0) && address == u64::MAX
        }
        Some(PLATFORM_LINUX) => matches!(record.code, SIGSEGV | SIGBUS) && record.flags == SI_KERNEL && address == 0,
        Some(PLATFORM_MAC_OS_X) => record.code == EXC_BAD_ACCESS && record.flags == EXC_I386_GPFLT && address == 0,
        _ => false,
    }
}

/// The access a Windows access violation reports (read, write or
/// execute); `None` elsewhere.
fn violation_kind(input: &AnalysisInput<'_, '_>) -> Option<bit_flips::Operation> {
    let windows = matches!(input.system.platform_id, Some(PLATFORM_WIN32_NT | PLATFORM_WIN32_WINDOWS));
    if !windows || input.record.code != ACCESS_VIOLATION {
        return None;
    }
    match input.record.parameters.first()? {
        0 => Some(bit_flips::Operation::Read),
        1 => Some(bit_flips::Operation::Write),
        8 => Some(bit_flips::Operation::Execute),
        _ => None,
    }
}

#[cfg(test)]
mod tests;
