//! `ProcessState::from_dump` on synthetic dumps: which context frame 0 comes
//! from, which thread is skipped or requesting, and what a damaged dump
//! gives.

use mdump_processor::{
    print_breakpad, print_breakpad_machine, Arch, ContextOnly, FrameTrust, ProcessError, ProcessState,
};
use mdump_reader::Minidump;
use mdump_testkit::*;

const BREAKPAD_INFO: u32 = 0x4767_0001;
const ASSERTION_INFO: u32 = 0x4767_0002;

fn process(bytes: &[u8]) -> Result<ProcessState, ProcessError> {
    let dump = Minidump::parse(bytes).expect("header and directory");
    ProcessState::from_dump(&dump, &ContextOnly)
}

fn reports(state: &ProcessState) -> (String, String) {
    let (mut human, mut machine) = (Vec::new(), Vec::new());
    print_breakpad(state, &mut human).unwrap();
    print_breakpad_machine(state, &mut machine).unwrap();
    (String::from_utf8(human).unwrap(), String::from_utf8(machine).unwrap())
}

fn breakpad_info(validity: u32, dump_thread: u32, requesting_thread: u32) -> Vec<u8> {
    [validity, dump_thread, requesting_thread].iter().flat_map(|v| v.to_le_bytes()).collect()
}

#[test]
fn linux_crash_dump() {
    let bytes = linux_amd64_dump(3, 0).finish();
    let state = process(&bytes).unwrap();
    assert!(state.crashed);
    assert_eq!(state.crash_reason, "SIGSEGV /0x00000000");
    assert_eq!(state.system.os, "Linux");
    assert_eq!(state.system.os_version, "0.0.0 Linux 6.1.0 #1 SMP x86_64");
    assert_eq!(state.system.cpu, "amd64");
    assert_eq!(state.requesting_thread, Some(0));
    assert_eq!(state.threads.len(), 3);
    assert_eq!(state.threads.iter().map(|t| t.thread_id).collect::<Vec<_>>(), [1000, 1001, 1002]);
    assert_eq!(state.modules.len(), 2);
    assert_eq!(state.main_module().map(|m| m.code_file_name()), Some("synthetic"));
    assert_eq!(state.modules[0].debug_identifier, "11111111111111111111111111111111".to_string() + "0");
    assert_eq!(state.modules[1].code_identifier, "22".repeat(20));
    for (i, t) in state.threads.iter().enumerate() {
        let f = &t.frames[0];
        assert_eq!(t.frames.len(), 1);
        assert_eq!(f.trust, FrameTrust::Context);
        assert_eq!(f.instruction, 0x40_1000 + i as u64);
        assert_eq!(f.module, Some(0));
        assert_eq!(f.registers.arch(), Arch::Amd64);
        assert_eq!(f.registers.stack_pointer(), Some(0x7f00_0000_0100 + 0x10_0000 * i as u64));
    }
    assert_eq!(state.uptime(), None);
    assert!(state.errors.is_empty(), "{:?}", state.errors);

    let (human, machine) = reports(&state);
    assert!(human.starts_with(
        "Operating system: Linux\n                  0.0.0 Linux 6.1.0 #1 SMP x86_64\nCPU: amd64\n     \
         family 6 model 0 stepping 0\n     4 CPUs\n\nGPU: UNKNOWN\n\nCrash reason:  SIGSEGV /0x00000000\n\
         Crash address: 0x0\nProcess uptime: not available\n\nThread 0 (crashed)\n 0  synthetic + 0x1000\n"
    ));
    assert!(human.contains("\nThread 2\n 0  synthetic + 0x1002\n"));
    assert!(human.ends_with(
        "\nLoaded modules:\n0x00400000 - 0x0041ffff  synthetic  ???  (main)\n\
         0x7f1234000000 - 0x7f12341bffff  libc.so.6  ???\n"
    ));
    assert!(machine.contains("\nCrash|SIGSEGV /0x00000000|0x0|0\n"));
    assert!(machine.ends_with("\n\n0|0|synthetic||||0x1000\n1|0|synthetic||||0x1001\n2|0|synthetic||||0x1002\n"));
}

/// A Windows x86 dump: thread 7 wrote the dump, thread 8 crashed (its own
/// context is in the handler, the exception's at the crash), thread 9 idles.
fn windows_dump(with_exception: bool) -> Vec<u8> {
    let mut b = DumpBuilder::new();
    b.time(1_000_100);
    let mut threads = Vec::new();
    for (id, eip) in [(7, 0x7000), (8, 0x8000), (9, 0x9000)] {
        let ctx = b.append(&x86_context(eip, 0x1_0000 * id));
        threads.push(Thread { id, context_rva: ctx, context_len: X86_CONTEXT_SIZE, ..Thread::default() });
    }
    b.stream(THREAD_LIST, &thread_list(&threads));
    let csd = b.string("Service Pack 3");
    b.stream(SYSTEM_INFO, &system_info(ARCH_X86, PLATFORM_WIN32_NT, csd));
    b.stream(BREAKPAD_INFO, &breakpad_info(3, 7, 9));
    if with_exception {
        let ctx = b.append(&x86_context(0x8123, 0x8_0000));
        let mut e = exception(8, 0xc000_0005, 0x8123, ctx, X86_CONTEXT_SIZE);
        e[32..36].copy_from_slice(&2u32.to_le_bytes()); // number_parameters
        e[40..48].copy_from_slice(&1u64.to_le_bytes()); // information[0]: a write
        e[48..56].copy_from_slice(&0x1_0000_0045u64.to_le_bytes()); // information[1]: the address
        b.stream(EXCEPTION, &e);
    }
    let mut misc = vec![0u8; 24];
    misc[0..4].copy_from_slice(&24u32.to_le_bytes());
    misc[4..8].copy_from_slice(&2u32.to_le_bytes()); // MINIDUMP_MISC1_PROCESS_TIMES
    misc[12..16].copy_from_slice(&1_000_000u32.to_le_bytes());
    b.stream(MISC_INFO, &misc);
    b.finish()
}

#[test]
fn crashed_thread_uses_the_exception_context_and_the_dump_thread_is_skipped() {
    let state = process(&windows_dump(true)).unwrap();
    assert_eq!(state.threads.iter().map(|t| t.thread_id).collect::<Vec<_>>(), [8, 9]);
    assert_eq!(state.requesting_thread, Some(0));
    assert_eq!(state.threads[0].frames[0].instruction, 0x8123);
    assert_eq!(state.threads[1].frames[0].instruction, 0x9000);
    assert_eq!(state.crash_reason, "EXCEPTION_ACCESS_VIOLATION_WRITE");
    assert_eq!(state.crash_address, 0x45, "masked to 32 bits on x86");
    assert_eq!(state.exception.as_ref().unwrap().parameters, [1, 0x1_0000_0045]);
    assert_eq!(state.uptime(), Some(100));
    assert_eq!(state.system.cpu_info, "GenuineIntel family 6 model 0 stepping 0");

    let (human, machine) = reports(&state);
    assert!(human.contains(
        "Crash reason:  EXCEPTION_ACCESS_VIOLATION_WRITE\nCrash address: 0x45\nCrash parameters:\n    \
         value: 0x0000000000000001  description: \n    value: 0x0000000100000045  description: \n\
         Process uptime: 100 seconds\n\nThread 0 (crashed)\n 0  0x8123\n    eip = 0x00008123   esp = 0x00080000   \
         ebp = 0x00080020   ebx = 0x00000000\n    esi = 0x00000000   edi = 0x00000000   eax = 0x00000000   \
         ecx = 0x00000000\n    edx = 0x00000000   efl = 0x00000000\n    Found by: given as instruction pointer in \
         context\n\nThread 1\n 0  0x9000\n"
    ));
    assert!(!human.contains("Loaded modules"), "no module list, no section");
    assert_eq!(
        machine,
        "OS|Windows NT|0.0.0 Service Pack 3\nCPU|x86|GenuineIntel family 6 model 0 stepping 0|4\nGPU|||\n\
         Crash|EXCEPTION_ACCESS_VIOLATION_WRITE|0x45|0\n\n0|0|||||0x8123\n1|0|||||0x9000\n"
    );
}

#[test]
fn a_requested_dump_names_its_requesting_thread() {
    let state = process(&windows_dump(false)).unwrap();
    assert!(!state.crashed);
    assert_eq!(state.requesting_thread, Some(1), "thread 9, the second after skipping 7");
    assert_eq!(state.threads[0].frames[0].instruction, 0x8000, "no exception: the thread's own context");
    let (human, machine) = reports(&state);
    assert!(human.contains("\nNo crash\nProcess uptime: 100 seconds\n\nThread 1 (requested dump, did not crash)\n"));
    assert!(human.contains("\n\nThread 0\n 0  0x8000\n"));
    assert!(machine.contains("\nCrash|No crash||1\n\n1|0|||||0x9000\n0|0|||||0x8000\n"));
}

#[test]
fn an_assertion_replaces_no_crash_in_the_machine_format() {
    let mut b = DumpBuilder::new();
    let ctx = b.append(&amd64_context(0x1000, 0x2000));
    b.stream(
        THREAD_LIST,
        &thread_list(&[Thread { id: 1, context_rva: ctx, context_len: AMD64_CONTEXT_SIZE, ..Thread::default() }]),
    );
    let mut assertion = vec![0u8; 0x308];
    for (i, u) in "x != 0".encode_utf16().enumerate() {
        assertion[2 * i..2 * i + 2].copy_from_slice(&u.to_le_bytes());
    }
    for (i, u) in "f".encode_utf16().enumerate() {
        assertion[0x100 + 2 * i..0x102 + 2 * i].copy_from_slice(&u.to_le_bytes());
    }
    assertion[0x300..0x304].copy_from_slice(&12u32.to_le_bytes()); // line
    assertion[0x304..0x308].copy_from_slice(&1u32.to_le_bytes()); // invalid parameter
    b.stream(ASSERTION_INFO, &assertion);
    let state = process(&b.finish()).unwrap();
    let text = "Invalid parameter passed to library function x != 0 in function f at line 12";
    assert_eq!(state.assertion.as_deref(), Some(text));
    let (human, machine) = reports(&state);
    assert!(human.contains(&format!("\nNo crash\nAssertion: {text}\nProcess uptime: not available\n\nThread 0\n")));
    assert!(machine.contains(&format!("\nCrash|{text}||\n")));
    // Without SystemInfo the OS and CPU are empty.
    assert!(human.starts_with("Operating system: \n                  \nCPU: \n     0 CPUs\n"));
}

#[test]
fn a_thread_without_a_readable_context_has_no_frames() {
    let mut b = DumpBuilder::new();
    let ctx = b.append(&[0u8; 16]);
    b.stream(THREAD_LIST, &thread_list(&[Thread { id: 5, context_rva: ctx, context_len: 16, ..Thread::default() }]));
    let state = process(&b.finish()).unwrap();
    assert!(state.threads[0].frames.is_empty());
    assert!(state.threads[0].error.is_some());
    let (human, machine) = reports(&state);
    assert!(human.ends_with("\nThread 0\n <no frames>\n"));
    assert!(machine.ends_with("Crash|No crash||\n\n"));
}

#[test]
fn no_thread_list_is_an_error() {
    let mut b = DumpBuilder::new();
    b.stream(SYSTEM_INFO, &system_info(ARCH_AMD64, PLATFORM_LINUX, 0));
    assert_eq!(process(&b.finish()).unwrap_err(), ProcessError::NoThreadList);
    let mut b = DumpBuilder::new();
    b.stream(THREAD_LIST, &1000u32.to_le_bytes());
    assert!(matches!(process(&b.finish()).unwrap_err(), ProcessError::ThreadList(_)));
}

#[test]
fn damaged_streams_are_errors_not_panics() {
    let bytes = linux_amd64_dump(2, 0).finish();
    // Cut the file anywhere after the directory: every stream that points
    // past the end fails on its own.
    let dir = u32::from_le_bytes(bytes[12..16].try_into().unwrap()) as usize;
    let dir_len = 12 * u32::from_le_bytes(bytes[8..12].try_into().unwrap()) as usize;
    for len in (32..bytes.len()).step_by(97) {
        let mut cut = bytes[..len].to_vec();
        if len < dir + dir_len {
            // Keep the directory readable: move it to the end.
            let directory = bytes[dir..dir + dir_len].to_vec();
            let at = cut.len() as u32;
            cut.extend_from_slice(&directory);
            cut[12..16].copy_from_slice(&at.to_le_bytes());
        }
        let Ok(dump) = Minidump::parse(&cut) else { continue };
        if let Ok(state) = ProcessState::from_dump(&dump, &ContextOnly) {
            reports(&state);
        }
    }
}
