//! rust-minidump's guess that the crash address (or a register the crashing
//! instruction used) is a valid address with one bit flipped by faulty
//! hardware, with its confidence heuristics.

use super::{AdjustedAddress, AnalysisInput, CrashAnalysis, MemoryRegionPermissions};
use crate::registers::{Arch, Registers};
use std::collections::BTreeSet;

/// Registers closer than this to a candidate count as pointing near it.
const NEARBY_REGISTER_DISTANCE: u64 = 1 << 12;
/// A crash address at or under this, corrected to null, was probably a
/// small integer rather than a flipped pointer.
const LOW_ADDRESS_CUTOFF: u64 = NEARBY_REGISTER_DISTANCE * 2;

/// rust-minidump's confidence values.
const HIGH: f32 = 0.90;
const MEDIUM: f32 = 0.50;
const LOW: f32 = 0.25;
const NEARBY_REGISTER: [f32; 4] = [MEDIUM, MEDIUM + 0.05, MEDIUM + 0.1, MEDIUM + 0.15];

/// Low bytes of registers filled with an allocator's poison pattern
/// (jemalloc, mozjemalloc, MSVC debug heaps, ...).
const POISON_BYTES: [u8; 18] =
    [0x2b, 0x2d, 0x2f, 0x49, 0x4b, 0x4d, 0x4f, 0x6b, 0x8b, 0x9b, 0x9f, 0xa5, 0xbb, 0xcc, 0xcd, 0xce, 0xdb, 0xe5];

/// The access a crash reports, which the corrected address must allow.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Operation {
    Read,
    Write,
    Execute,
}

/// Whether `operation` (unknown: any) may be allowed by `permissions`.
fn possibly_allowed(operation: Option<Operation>, permissions: MemoryRegionPermissions) -> bool {
    match operation {
        None => true,
        Some(Operation::Read) => permissions.read,
        Some(Operation::Write) => permissions.write,
        Some(Operation::Execute) => permissions.execute,
    }
}

/// What made a candidate more or less likely.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct BitFlipDetails {
    /// The original address was non-canonical (the flipped bit is one of
    /// 48-63).
    pub was_non_canonical: bool,
    /// The candidate is null.
    pub is_null: bool,
    /// The candidate is null and the original address was low.
    pub was_low: bool,
    /// How many registers hold values near the candidate (counted only
    /// above the low addresses).
    pub nearby_registers: u32,
    /// A register holds a poison pattern (a use after free is likelier).
    pub poison_registers: bool,
}

impl BitFlipDetails {
    /// rust-minidump's confidence, between 0 and 1: its baseline combined
    /// with each finding as independent odds, halved for poison.
    pub fn confidence(&self) -> f32 {
        let mut values = vec![LOW];
        if self.was_non_canonical {
            values.push(HIGH);
        }
        if self.is_null {
            values.push(if self.was_low { MEDIUM * MEDIUM } else { MEDIUM });
        }
        if self.nearby_registers > 0 {
            let n = (self.nearby_registers as usize).min(NEARBY_REGISTER.len());
            values.push(NEARBY_REGISTER[n - 1]);
        }
        let mut confidence = 1.0f32 - values.iter().map(|v| 1.0f32 - v).product::<f32>();
        if self.poison_registers {
            confidence *= MEDIUM;
        }
        confidence
    }
}

/// A valid address one bit away from the crash.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct BitFlip {
    /// The corrected address.
    pub address: u64,
    /// The register that held the flipped value, if one did.
    pub source_register: Option<&'static str>,
    /// The heuristics.
    pub details: BitFlipDetails,
}

/// The bit flips rust-minidump reports for the crash: only on 64-bit CPUs
/// (not ARM64, where it cannot disassemble), not for a null pointer with an
/// offset; the crash address (or the base of the access that faulted) first,
/// then each register the instruction's memory operands used, by name.
pub(super) fn possible_bit_flips(
    input: &AnalysisInput<'_, '_>,
    analysis: &CrashAnalysis,
    used_registers: &BTreeSet<&'static str>,
) -> Vec<BitFlip> {
    // The dump's CPU decides, as for rust-minidump, not the context's.
    if cpu_arch(&input.system.cpu).is_none_or(|a| a.pointer_size() != 8 || a == Arch::Arm64) {
        return Vec::new();
    }
    let amd64 = input.system.cpu == "amd64";
    let (address, bits) = match analysis.adjusted_address {
        Some(AdjustedAddress::NonCanonical { address }) => (address, 48..64),
        Some(AdjustedAddress::NullPointer { .. }) => return Vec::new(),
        None => (input.crash_address, if amd64 { 0..48 } else { 0..64 }),
    };
    let non_canonical = bits.start == 48;
    let operation = super::violation_kind(input);
    let crash = input.crash_address;
    let faulting = analysis.memory_accesses.as_ref().and_then(|accesses| {
        accesses.iter().find(|a| (a.address..a.address.saturating_add(u64::from(a.size.unwrap_or(0)))).contains(&crash))
    });
    let start = faulting.map_or(address, |a| a.address);
    let size = faulting.and_then(|a| a.size);
    let search = Search { input, operation, size, bits, non_canonical };

    let mut flips = search.candidates(start, None);
    if let Some(registers) = input.registers {
        for &name in used_registers {
            if let Some(value) = known_register(registers, name) {
                flips.extend(search.candidates(value, Some(name)));
            }
        }
    }
    flips
}

/// The dump's CPU, among those rust-minidump knows (it has no RISC-V).
fn cpu_arch(cpu: &str) -> Option<Arch> {
    Some(match cpu {
        "amd64" => Arch::Amd64,
        "arm64" => Arch::Arm64,
        "ppc64" => Arch::Ppc64,
        "mips64" => Arch::Mips64,
        _ => return None,
    })
}

/// A register of the context by the name rust-minidump gives it.
fn known_register(registers: &Registers, name: &str) -> Option<u64> {
    known_registers(registers.arch()).contains(&name).then(|| registers.get(name)).flatten()
}

/// The registers rust-minidump's context for `arch` knows.
fn known_registers(arch: Arch) -> &'static [&'static str] {
    if arch == Arch::Amd64 {
        super::AMD64_REGISTERS
    } else {
        arch.register_names()
    }
}

struct Search<'i, 'a, 'm> {
    input: &'i AnalysisInput<'a, 'm>,
    operation: Option<Operation>,
    size: Option<u8>,
    bits: std::ops::Range<u32>,
    non_canonical: bool,
}

impl Search<'_, '_, '_> {
    fn candidates(&self, address: u64, source_register: Option<&'static str>) -> Vec<BitFlip> {
        let regions = self.input.regions;
        let mut flips = Vec::new();
        if regions.permissions_at(address).is_some_and(|p| possibly_allowed(self.operation, p)) {
            return flips;
        }
        // Right next to a mapping, within the access's size: an off-by-one,
        // not a flipped bit.
        let distance = regions.distance_to_nearest(address, |p| possibly_allowed(self.operation, p));
        if let (Some(distance), Some(size)) = (distance, self.size) {
            if distance < u64::from(size) {
                return flips;
            }
        }
        for bit in self.bits.clone() {
            let candidate = address ^ (1u64 << bit);
            if candidate == 0 {
                flips.push(self.flip(candidate, address, source_register));
            }
            if regions.permissions_at(candidate).is_some_and(|p| possibly_allowed(self.operation, p)) {
                flips.push(self.flip(candidate, address, source_register));
            }
        }
        flips
    }

    fn flip(&self, candidate: u64, original: u64, source_register: Option<&'static str>) -> BitFlip {
        let is_null = candidate == 0;
        let mut details = BitFlipDetails {
            was_non_canonical: self.non_canonical,
            is_null,
            was_low: is_null && original <= LOW_ADDRESS_CUTOFF,
            ..BitFlipDetails::default()
        };
        if let Some(registers) = self.input.registers {
            let arch = registers.arch();
            let names = known_registers(arch);
            let width = u32::from(arch.pointer_size()) * 8;
            for value in names.iter().filter_map(|n| registers.get(n)) {
                if candidate > LOW_ADDRESS_CUTOFF && candidate.abs_diff(value) <= NEARBY_REGISTER_DISTANCE {
                    details.nearby_registers += 1;
                }
                if !details.poison_registers && is_repeated_byte(value, width) {
                    details.poison_registers = POISON_BYTES.contains(&(value as u8));
                }
            }
        }
        BitFlip { address: candidate, source_register, details }
    }
}

/// Whether `value` is its low byte repeated over `width` bits.
fn is_repeated_byte(value: u64, width: u32) -> bool {
    let ones = match width {
        32 => 0x0101_0101u64,
        64 => 0x0101_0101_0101_0101,
        _ => return false,
    };
    value == (value & 0xff).wrapping_mul(ones)
}
