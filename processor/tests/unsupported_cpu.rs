//! A CPU without a stack walker (RISC-V 64 here; MIPS, PowerPC and SPARC
//! are alike): the report says the stack could not be walked instead of
//! guessing callers.

use mdump_format::context::riscv::{ContextRiscv64, CONTEXT_RISCV64_FULL};
use mdump_processor::{
    print_breakpad, print_breakpad_machine, to_json, BreakpadWalker, FrameTrust, NoSymbols, ProcessState, WALK_NOTE_KEY,
};
use mdump_reader::Minidump;
use mdump_testkit::*;

const ARCH_RISCV64: u16 = 0x8006;
const SP: u64 = 0x7f00_0000_0000;
const NOTE: &str = "stack walking is not supported for CPU riscv64";

/// A RISC-V 64 context: `pc`, `ra` (x1) and `sp` (x2).
fn riscv64_context(pc: u64, ra: u64, sp: u64) -> Vec<u8> {
    let mut c = vec![0u8; core::mem::size_of::<ContextRiscv64>()];
    c[0..4].copy_from_slice(&CONTEXT_RISCV64_FULL.to_le_bytes());
    c[4..8].copy_from_slice(&1u32.to_le_bytes());
    c[8..16].copy_from_slice(&pc.to_le_bytes());
    c[16..24].copy_from_slice(&ra.to_le_bytes());
    c[24..32].copy_from_slice(&sp.to_le_bytes());
    c
}

/// One thread in a module, its link register and stack full of addresses
/// inside the module: any guessing walker would find callers.
fn dump() -> Vec<u8> {
    let mut stack = Vec::new();
    for word in [0x40_2050u64, 0x40_3010, 0x40_2050, 0x40_3010] {
        stack.extend_from_slice(&word.to_le_bytes());
    }
    let context = riscv64_context(0x40_1014, 0x40_2050, SP);
    one_thread_linux_dump(ARCH_RISCV64, "Linux 6.1.0 #1 SMP riscv64", &context, SP, &stack)
}

#[test]
fn a_cpu_without_a_walker_says_so() {
    let bytes = dump();
    let dump = Minidump::parse(&bytes).unwrap();
    let state = ProcessState::from_dump(&dump, &BreakpadWalker::new(NoSymbols)).unwrap();
    let stack = &state.threads[0];
    assert_eq!(stack.frames.len(), 1);
    assert_eq!((stack.frames[0].instruction, stack.frames[0].trust), (0x40_1014, FrameTrust::Context));
    assert_eq!(stack.note.as_deref(), Some(NOTE));
    assert_eq!(state.system.cpu, "riscv64");

    let (mut human, mut machine) = (Vec::new(), Vec::new());
    print_breakpad(&state, &mut human).unwrap();
    print_breakpad_machine(&state, &mut machine).unwrap();
    let (human, machine) = (String::from_utf8(human).unwrap(), String::from_utf8(machine).unwrap());
    let expected = "Thread 0 (crashed)
 0  synthetic + 0x1014
 
    Found by: given as instruction pointer in context
 <stack walking is not supported for CPU riscv64>

Loaded modules:";
    assert!(human.contains(expected), "{human}");
    assert_eq!(human.matches(NOTE).count(), 1);
    // The machine format has no place for it.
    assert!(machine.ends_with("\n\n0|0|synthetic||||0x1014\n"), "{machine}");

    let json = to_json(&state);
    let thread = &json["threads"][0];
    assert_eq!(thread[WALK_NOTE_KEY], NOTE);
    assert_eq!(thread["frame_count"], 1);
}

#[test]
fn walked_cpus_have_no_note() {
    let bytes = dump();
    let dump = Minidump::parse(&bytes).unwrap();
    // The walker that never walks does not claim the CPU is unsupported.
    let state = ProcessState::from_dump(&dump, &mdump_processor::ContextOnly).unwrap();
    assert_eq!(state.threads[0].note, None);
    assert!(to_json(&state)["threads"][0].get(WALK_NOTE_KEY).is_none());
}
