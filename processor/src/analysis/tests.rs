//! The analysis on hand-made crashes: instruction bytes at `rip`, registers
//! and a memory map, checked against rust-minidump's rules.

use super::*;
use mdump_reader::Bytes;

const CODE: u64 = 0x40_1000;
const STACK: u64 = 0x7ffd_0000_0000;
const RW: MemoryRegionPermissions = MemoryRegionPermissions { read: true, write: true, execute: false };
const RX: MemoryRegionPermissions = MemoryRegionPermissions { read: true, write: false, execute: true };
const NONE: MemoryRegionPermissions = MemoryRegionPermissions { read: false, write: false, execute: false };

/// A crash to analyse: Linux amd64 SIGSEGV unless changed.
struct Crash {
    code: Vec<u8>,
    registers: Vec<(&'static str, u64)>,
    stack: Vec<u8>,
    data: Option<(u64, Vec<u8>)>,
    regions: MemoryRegions,
    system: SystemInfo,
    record: ExceptionRecord,
    crash_address: u64,
    arch: Arch,
}

impl Crash {
    fn new(code: &[u8], registers: &[(&'static str, u64)]) -> Crash {
        let system = SystemInfo { cpu: "amd64".into(), platform_id: Some(PLATFORM_LINUX), ..SystemInfo::default() };
        Crash {
            code: code.to_vec(),
            registers: registers.to_vec(),
            stack: Vec::new(),
            data: None,
            regions: MemoryRegions::default(),
            system,
            record: ExceptionRecord { code: SIGSEGV, flags: 1, address: 0, parameters: Vec::new() },
            crash_address: 0,
            arch: Arch::Amd64,
        }
    }

    fn run(&self) -> CrashAnalysis {
        let mut registers = Registers::new(self.arch);
        registers.set(self.arch.instruction_pointer(), CODE);
        for &(name, value) in &self.registers {
            assert!(registers.set(name, value), "{name}");
        }
        let mut regions = vec![MemoryRegion { base: CODE, bytes: Bytes::new(&self.code) }];
        let stack = MemoryRegion { base: STACK, bytes: Bytes::new(&self.stack) };
        if let Some((base, bytes)) = &self.data {
            regions.push(MemoryRegion { base: *base, bytes: Bytes::new(bytes) });
        }
        let memory = MemoryIndex::from_regions(regions);
        analyze(&AnalysisInput {
            system: &self.system,
            record: &self.record,
            crash_address: self.crash_address,
            registers: Some(&registers),
            memory: &memory,
            stack: Some(&stack),
            regions: &self.regions,
        })
    }
}

fn access(address: u64, size: u8, access_type: Option<AccessType>) -> MemoryAccess {
    MemoryAccess { address, size: Some(size), access_type, likely_guard_page: false, likely_null_pointer: false }
}

#[test]
fn null_pointer_write() {
    // mov dword [rax], 0x5
    let analysis = Crash::new(&[0xc7, 0x00, 0x05, 0, 0, 0], &[("rax", 0)]).run();
    assert_eq!(analysis.instruction.as_deref(), Some("mov dword [rax], 0x5"));
    let mut expected = access(0, 4, Some(AccessType::Write));
    expected.likely_null_pointer = true;
    assert_eq!(analysis.memory_accesses, Some(vec![expected]));
    assert_eq!(analysis.adjusted_address, Some(AdjustedAddress::NullPointer { offset: 0 }));
    assert_eq!(analysis.instruction_pointer_update, None);
    assert!(analysis.possible_bit_flips.is_empty(), "no bit flips for a null pointer");
}

#[test]
fn null_base_with_offset_keeps_the_offset() {
    // mov rax, [rbx + 0x10]
    let analysis = Crash::new(&[0x48, 0x8b, 0x43, 0x10], &[("rbx", 0)]).run();
    assert_eq!(analysis.adjusted_address, Some(AdjustedAddress::NullPointer { offset: 0x10 }));
    assert_eq!(analysis.memory_accesses.unwrap()[0].access_type, Some(AccessType::Read));
}

#[test]
fn address_arithmetic() {
    // mov rax, [r9 + rbx * 8 - 0x7fffffff]
    let bytes = [0x49, 0x8b, 0x84, 0xd9, 0x01, 0x00, 0x00, 0x80];
    let analysis = Crash::new(&bytes, &[("r9", 0x100001), ("rbx", 0x1000)]).run();
    assert_eq!(analysis.memory_accesses, Some(vec![access(0xffff_ffff_8010_8002, 8, Some(AccessType::Read))]));
    // mov eax, [0x0]: an absolute address.
    let analysis = Crash::new(&[0x8b, 0x04, 0x25, 0, 0, 0, 0], &[]).run();
    assert_eq!(analysis.instruction.as_deref(), Some("mov eax, dword [0x0]"));
    assert_eq!(analysis.memory_accesses, Some(vec![access(0, 4, Some(AccessType::Read))]));
    assert_eq!(analysis.adjusted_address, None, "no base register: not a null pointer");
}

#[test]
fn untabled_opcodes_have_no_access_type() {
    // idiv dword [rbp - 0x4]
    let analysis = Crash::new(&[0xf7, 0x7d, 0xfc], &[("rbp", 0x1000)]).run();
    assert_eq!(analysis.instruction.as_deref(), Some("idiv dword [rbp - 0x4]"));
    assert_eq!(analysis.memory_accesses, Some(vec![access(0xffc, 4, None)]));
}

#[test]
fn read_modify_write_and_lea() {
    // add byte [rax], al
    let analysis = Crash::new(&[0x00, 0x00], &[("rax", 0x2000)]).run();
    assert_eq!(analysis.memory_accesses, Some(vec![access(0x2000, 1, Some(AccessType::ReadWrite))]));
    // lea rax, [rbx + 0x8]: no access at all.
    let analysis = Crash::new(&[0x48, 0x8d, 0x43, 0x08], &[("rbx", 0)]).run();
    assert_eq!(analysis.memory_accesses, Some(vec![]));
    assert_eq!(analysis.adjusted_address, None);
    // cmp rax, -0x1000: no memory operand.
    let analysis = Crash::new(&[0x48, 0x3d, 0x00, 0xf0, 0xff, 0xff], &[]).run();
    assert_eq!(analysis.instruction.as_deref(), Some("cmp rax, -0x1000"));
    assert_eq!(analysis.memory_accesses, Some(vec![]));
}

#[test]
fn ret_reads_the_stack_and_jumps_to_the_return_address() {
    let mut crash = Crash::new(&[0xc3], &[("rsp", STACK + 8)]);
    crash.stack = [0u64, 0x7fff_1234, 5].iter().flat_map(|w| w.to_le_bytes()).collect();
    let analysis = crash.run();
    assert_eq!(analysis.instruction.as_deref(), Some("ret"));
    assert_eq!(analysis.memory_accesses, Some(vec![access(STACK + 8, 8, Some(AccessType::Read))]));
    assert_eq!(analysis.instruction_pointer_update, Some(0x7fff_1234));
    // The stack not in the dump: no jump target, the access still known.
    crash.stack.clear();
    assert_eq!(crash.run().instruction_pointer_update, None);
}

#[test]
fn calls_and_pushes() {
    // call rax
    let analysis = Crash::new(&[0xff, 0xd0], &[("rax", 0), ("rsp", STACK)]).run();
    assert_eq!(analysis.instruction_pointer_update, Some(0));
    assert_eq!(analysis.adjusted_address, Some(AdjustedAddress::NullPointer { offset: 0 }), "a call to null");
    // call qword [rbx]: the target read from the dump's memory, the return
    // address pushed 8 below rsp.
    let mut crash = Crash::new(&[0xff, 0x13], &[("rbx", 0x60_0000), ("rsp", STACK + 0x100)]);
    crash.data = Some((0x60_0000, 0x40_2000u64.to_le_bytes().to_vec()));
    let analysis = crash.run();
    assert_eq!(analysis.instruction_pointer_update, Some(0x40_2000));
    assert_eq!(
        analysis.memory_accesses,
        Some(vec![access(0x60_0000, 8, Some(AccessType::Read)), access(STACK + 0xf8, 8, Some(AccessType::Write))])
    );
    // push rax has no memory operand, and no size: no accesses.
    let analysis = Crash::new(&[0x50], &[("rsp", STACK)]).run();
    assert_eq!(analysis.instruction.as_deref(), Some("push rax"));
}

#[test]
fn registers_outside_the_context_make_accesses_unknown() {
    // mov eax, dword [eax] (32-bit addressing): rust-minidump has no eax in
    // an amd64 context.
    let analysis = Crash::new(&[0x67, 0x8b, 0x00], &[("rax", 0)]).run();
    assert_eq!(analysis.instruction.as_deref(), Some("mov eax, dword [eax]"));
    assert_eq!(analysis.memory_accesses, None);
    assert_eq!(analysis.adjusted_address, None);
}

#[test]
fn non_canonical_address_of_a_general_protection_fault() {
    // mov rax, [rbx], rbx non-canonical; the kernel reports SIGSEGV /
    // SI_KERNEL at 0.
    let mut crash = Crash::new(&[0x48, 0x8b, 0x03], &[("rbx", 0x0001_0000_0000_1000)]);
    crash.record.flags = SI_KERNEL;
    let analysis = crash.run();
    assert_eq!(analysis.adjusted_address, Some(AdjustedAddress::NonCanonical { address: 0x0001_0000_0000_1000 }));
    // Bits 48-63 of the address are tried; clearing bit 48 gives 0x1000,
    // which is in no region: nothing without a map.
    assert!(analysis.possible_bit_flips.is_empty());
    crash.regions = MemoryRegions::from_entries([(0x1000, 0x1000, RW)]);
    let flips = crash.run().possible_bit_flips;
    let addresses: Vec<_> = flips.iter().map(|f| (f.address, f.source_register)).collect();
    // The crash address 0 is not among the accesses: the adjusted address
    // is the one flipped, then the base register rbx.
    assert_eq!(addresses, [(0x1000, None), (0x1000, Some("rbx"))]);
    assert!(flips[0].details.was_non_canonical);
    assert_eq!(flips[0].details.confidence(), 1.0 - 0.75 * (1.0 - 0.9f32));
    // Another signal code: no GPF, no adjustment.
    crash.record.flags = 1;
    assert_eq!(crash.run().adjusted_address, None);
}

#[test]
fn bit_flip_of_a_low_crash_address() {
    // mov dword [0x45], 0x5 with the executable mapped at 0x400000.
    let mut crash = Crash::new(&[0xc7, 0x04, 0x25, 0x45, 0, 0, 0, 0x05, 0, 0, 0], &[]);
    crash.crash_address = 0x45;
    crash.regions = MemoryRegions::from_entries([(0x40_0000, 0x1000, RX), (0x60_0000, 0x1000, RW)]);
    let analysis = crash.run();
    assert_eq!(analysis.instruction.as_deref(), Some("mov dword [0x45], 0x5"));
    assert_eq!(analysis.possible_bit_flips.len(), 1);
    let flip = analysis.possible_bit_flips[0];
    assert_eq!((flip.address, flip.source_register), (0x40_0045, None));
    // rip (0x401000) is within 4 KiB of the candidate.
    assert_eq!(flip.details, BitFlipDetails { nearby_registers: 1, ..BitFlipDetails::default() });
    assert_eq!(flip.details.confidence(), 0.625);

    // On Windows a write violation needs a writable target.
    crash.system.platform_id = Some(PLATFORM_WIN32_NT);
    crash.record = ExceptionRecord { code: ACCESS_VIOLATION, flags: 0, address: CODE, parameters: vec![1, 0x45] };
    assert!(crash.run().possible_bit_flips.is_empty());
    crash.regions = MemoryRegions::from_entries([(0x40_0000, 0x1000, RW)]);
    assert_eq!(crash.run().possible_bit_flips.len(), 1);
}

#[test]
fn bit_flips_to_null_and_next_to_a_mapping() {
    // mov eax, [rbx] with rbx = 0x40_0000 and no map: flipping bit 22
    // gives null.
    let mut crash = Crash::new(&[0x8b, 0x03], &[("rbx", 0x40_0000)]);
    crash.crash_address = 0x40_0000;
    let flips = crash.run().possible_bit_flips;
    assert_eq!(flips.len(), 2, "{flips:?}");
    assert!(flips.iter().all(|f| f.address == 0 && f.details.is_null && !f.details.was_low));
    assert_eq!(flips[1].source_register, Some("rbx"));
    assert_eq!(flips[0].details.confidence(), 0.625);
    // A crash address inside a readable mapping is no flip.
    crash.regions = MemoryRegions::from_entries([(0x40_0000, 0x1000, RX)]);
    assert!(crash.run().possible_bit_flips.is_empty());
    // Two bytes past a mapping with a 4-byte access: an off-by-one.
    crash.registers = vec![("rbx", 0x40_1001)];
    crash.crash_address = 0x40_1001;
    assert!(crash.run().possible_bit_flips.is_empty());
}

#[test]
fn bit_flip_heuristics() {
    let low_null = BitFlipDetails { is_null: true, was_low: true, ..BitFlipDetails::default() };
    assert_eq!(low_null.confidence(), 1.0 - 0.75 * 0.75);
    let nearby = BitFlipDetails { nearby_registers: 9, ..BitFlipDetails::default() };
    assert_eq!(nearby.confidence(), 1.0 - 0.75 * (1.0 - (0.5f32 + 0.15)));
    let poisoned = BitFlipDetails { poison_registers: true, ..BitFlipDetails::default() };
    assert_eq!(poisoned.confidence(), 0.125);

    // Registers near the candidate and a poison pattern are counted.
    let mut crash =
        Crash::new(&[0x8b, 0x03], &[("rbx", 0x60_0010), ("rcx", 0x40_0100), ("rdx", 0xe5e5_e5e5_e5e5_e5e5)]);
    crash.crash_address = 0x60_0010;
    crash.regions = MemoryRegions::from_entries([(0x40_0000, 0x1000, RW)]);
    let flips = crash.run().possible_bit_flips;
    let first = flips.first().expect("bit 21 cleared gives 0x400010");
    assert_eq!(first.address, 0x40_0010);
    // rcx and rip (0x401000) are within 4 KiB of 0x400010.
    assert_eq!(first.details.nearby_registers, 2);
    assert!(first.details.poison_registers);
}

#[test]
fn guard_pages() {
    let regions =
        MemoryRegions::from_entries([(0x1000, 0x1000, RW), (0x2000, 0x1000, NONE), (0x10_0000, 0x10_0000, NONE)]);
    assert!(regions.is_likely_guard_page(0x2008));
    assert!(!regions.is_likely_guard_page(0x1008), "accessible");
    assert!(!regions.is_likely_guard_page(0x10_0008), "too large");
    assert!(!regions.is_likely_guard_page(0x5000), "unmapped");

    let mut crash = Crash::new(&[0xc7, 0x00, 0x05, 0, 0, 0], &[("rax", 0x2008)]);
    crash.regions = regions;
    let accesses = crash.run().memory_accesses.unwrap();
    assert!(accesses[0].likely_guard_page);
}

#[test]
fn only_amd64_is_disassembled() {
    let mut crash = Crash::new(&[0xc7, 0x00, 0x05, 0, 0, 0], &[("eax", 0)]);
    crash.arch = Arch::X86;
    crash.system.cpu = "x86".into();
    assert_eq!(crash.run(), CrashAnalysis::default());
}

#[test]
fn hostile_input_gives_no_analysis_and_no_panic() {
    // Truncated instruction, undefined opcode, nothing at rip.
    for code in [&[0xc7, 0x00][..], &[0x0f, 0x0b + 0x30, 0xff][..], &[0x0f, 0xff][..], &[][..]] {
        let analysis = Crash::new(code, &[]).run();
        assert!(analysis.memory_accesses.is_none() || analysis.instruction.is_some());
    }
    assert_eq!(Crash::new(&[0xc7, 0x00], &[]).run().instruction, None, "truncated");
    assert_eq!(Crash::new(&[], &[]).run(), CrashAnalysis::default());
    // Every two-byte opcode with extreme registers: wrapping arithmetic only.
    let registers: Vec<(&str, u64)> = AMD64_REGISTERS.iter().filter(|n| **n != "rip").map(|n| (*n, u64::MAX)).collect();
    for first in 0..=255u8 {
        for second in [0x00, 0x04, 0x14, 0x24, 0x44, 0x84, 0xc0, 0xff] {
            let code = [first, second, 0x25, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff];
            let mut crash = Crash::new(&code, &registers);
            crash.crash_address = u64::MAX;
            crash.regions = MemoryRegions::from_entries([(u64::MAX - 0xfff, 0x1000, NONE), (0, 0x1000, RW)]);
            let _ = crash.run();
        }
    }
}

/// A Windows amd64 crash with exception `code` and parameters.
fn windows(code: &[u8], registers: &[(&'static str, u64)], exception: u32, parameters: &[u64]) -> Crash {
    let mut crash = Crash::new(code, registers);
    crash.system.platform_id = Some(PLATFORM_WIN32_NT);
    crash.record = ExceptionRecord { code: exception, flags: 0, address: CODE, parameters: parameters.to_vec() };
    crash.crash_address = parameters.get(1).copied().unwrap_or(CODE);
    crash
}

#[test]
fn inconsistent_access_violations() {
    use Inconsistency::*;
    // mov eax, [rbx] reading 0x1000, reported as a read of 0x1000: fine.
    let mut crash = windows(&[0x8b, 0x03], &[("rbx", 0x1000)], ACCESS_VIOLATION, &[0, 0x1000]);
    assert_eq!(crash.run().inconsistencies, []);
    // Reported as a read of 0x5000, which the instruction does not read.
    crash.crash_address = 0x5000;
    assert_eq!(crash.run().inconsistencies, [CrashingAccessNotFoundInMemoryAccesses]);
    // ... and 0x5000 is readable.
    crash.regions = MemoryRegions::from_entries([(0x5000, 0x1000, RW)]);
    assert_eq!(crash.run().inconsistencies, [CrashingAccessNotFoundInMemoryAccesses, AccessViolationWhenAccessAllowed]);
    // A write violation at 0x1000 for an instruction that only reads it.
    let crash = windows(&[0x8b, 0x03], &[("rbx", 0x1000)], ACCESS_VIOLATION, &[1, 0x1000]);
    assert_eq!(crash.run().inconsistencies, [CrashingAccessNotFoundInMemoryAccesses]);
    // Untabled opcodes (idiv) are given the benefit of the doubt.
    let crash = windows(&[0xf7, 0x3b], &[("rbx", 0x1000)], ACCESS_VIOLATION, &[0, 0x5000]);
    assert_eq!(crash.run().inconsistencies, []);
    // Execution faults elsewhere than rip.
    let crash = windows(&[0xff, 0xd0], &[("rax", 0x9000)], ACCESS_VIOLATION, &[8, 0x9000]);
    assert_eq!(crash.run().inconsistencies, [CrashingAccessNotFoundInMemoryAccesses]);
}

#[test]
fn inconsistent_general_protection_fault() {
    use Inconsistency::*;
    // Windows reports a GPF as a read of all ones; mov eax, [rbx] with a
    // canonical rbx cannot have faulted for a non-canonical address.
    let mut crash = windows(&[0x8b, 0x03], &[("rbx", 0x1000)], ACCESS_VIOLATION, &[0, u64::MAX]);
    assert_eq!(crash.run().inconsistencies, [NonCanonicalAddressFalselyReported]);
    crash.registers = vec![("rbx", 0x8000_0000_0000)];
    let analysis = crash.run();
    assert_eq!(analysis.inconsistencies, []);
    assert_eq!(analysis.adjusted_address, Some(AdjustedAddress::NonCanonical { address: 0x8000_0000_0000 }));
    // movaps also faults on misaligned addresses.
    let crash = windows(&[0x0f, 0x28, 0x03], &[("rbx", 0x1000)], ACCESS_VIOLATION, &[0, u64::MAX]);
    assert_eq!(crash.run().inconsistencies, []);
}

#[test]
fn inconsistent_division_privilege_and_stack_overflow() {
    use Inconsistency::*;
    // Linux SIGFPE / FPE_INTDIV on a mov; on an idiv it is consistent.
    let mut crash = Crash::new(&[0x8b, 0x03], &[("rbx", 0x1000)]);
    crash.record = ExceptionRecord { code: SIGFPE, flags: 1, address: CODE, parameters: Vec::new() };
    assert_eq!(crash.run().inconsistencies, [IntDivByZeroNotPossible]);
    crash.code = vec![0xf7, 0x3b];
    assert_eq!(crash.run().inconsistencies, []);
    // A privileged-instruction fault on `add` (0xc0000096), not on `hlt`.
    let mut crash = windows(&[0x00, 0x00], &[("rax", 0x1000)], 0xc000_0096, &[]);
    assert_eq!(crash.run().inconsistencies, [PrivInstructionCrashWithoutPrivInstruction]);
    crash.code = vec![0xf4];
    assert_eq!(crash.run().inconsistencies, []);
    // A stack overflow on an instruction that touches no memory.
    let crash = windows(&[0x48, 0x3d, 0x00, 0xf0, 0xff, 0xff], &[], 0xc000_00fd, &[]);
    assert_eq!(crash.run().inconsistencies, [CrashingAccessNotFoundInMemoryAccesses]);
}
