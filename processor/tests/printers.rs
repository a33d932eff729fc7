//! The two Breakpad printers on hand-made process states: what frames the
//! walker and the symbolizer will produce look like, register sets of other
//! CPUs, and the module markers.

use mdump_processor::{
    print_breakpad, print_breakpad_machine, Arch, CallStack, CodeModule, ExceptionRecord, Exploitability, FrameTrust,
    ProcessState, Registers, StackFrame, SymbolStatus, SystemInfo,
};

fn module(base: u64, size: u64, path: &str, main: bool, symbols: SymbolStatus) -> CodeModule {
    CodeModule {
        base,
        size,
        code_file: path.to_string(),
        code_identifier: String::new(),
        debug_file: format!("{path}.pdb"),
        debug_identifier: "ABCDEF0123456789ABCDEF01234567891".to_string(),
        version: Some("1.2.3.4".to_string()).filter(|_| !main),
        time_date_stamp: 0,
        is_main: main,
        symbols,
    }
}

fn state(threads: Vec<CallStack>, modules: Vec<CodeModule>) -> ProcessState {
    ProcessState {
        system: SystemInfo {
            os: "Windows NT".into(),
            os_version: "10.0.1 |x".into(),
            cpu: "x86".into(),
            cpu_count: 1,
            ..SystemInfo::default()
        },
        crashed: true,
        crash_reason: "EXCEPTION_BREAKPOINT".into(),
        crash_address: 0x401000,
        exception: Some(ExceptionRecord { code: 0x8000_0003, flags: 0, address: 0x401000, parameters: vec![] }),
        assertion: None,
        time_date_stamp: 0,
        process_create_time: Some(5),
        requesting_thread: Some(0),
        threads,
        skipped_threads: vec![],
        modules,
        module_order: vec![],
        unloaded_modules: vec![],
        process_id: None,
        linux_memory_map_count: None,
        soft_errors: None,
        analysis: Default::default(),
        exploitability: Exploitability::NotAnalyzed,
        errors: vec![],
    }
}

fn print(state: &ProcessState) -> (String, String) {
    let (mut human, mut machine) = (Vec::new(), Vec::new());
    print_breakpad(state, &mut human).unwrap();
    print_breakpad_machine(state, &mut machine).unwrap();
    (String::from_utf8(human).unwrap(), String::from_utf8(machine).unwrap())
}

fn x86_regs(pairs: &[(&str, u64)]) -> Registers {
    let mut r = Registers::new(Arch::X86);
    for (name, value) in pairs {
        assert!(r.set(name, *value));
    }
    r
}

#[test]
fn symbolized_and_walked_frames() {
    let all: Vec<(&str, u64)> = Arch::X86.register_names().iter().map(|n| (*n, 0)).collect();
    let mut frame0 = StackFrame::from_context(x86_regs(&all));
    frame0.instruction = 0x401010;
    frame0.registers.set("eip", 0x401010);
    frame0.module = Some(0);
    frame0.function_name = Some("crash|me".into());
    frame0.function_base = Some(0x401000);
    frame0.source_file = Some(r"c:\src\app.cc".into());
    frame0.source_line = Some(58);
    frame0.source_line_base = Some(0x40100d);
    let mut frame1 = StackFrame::new(
        0x7c81_0022,
        FrameTrust::Cfi,
        x86_regs(&[("eip", 0x7c81_0023), ("esp", 0x12ff00), ("ebp", 0x12ff40)]),
    );
    frame1.module = Some(1);
    frame1.function_name = Some("BaseProcessStart".into());
    frame1.function_base = Some(0x7c81_0000);
    let mut frame2 = StackFrame::new(0x7c82_0000, FrameTrust::Scan, x86_regs(&[("eip", 0x7c82_0001)]));
    frame2.module = Some(1);
    let frame3 = StackFrame::new(0x1234, FrameTrust::FramePointer, x86_regs(&[("eip", 0x1235), ("esp", 0x12ff80)]));
    let mut inlined = StackFrame::new(0x401010, FrameTrust::Inline, Registers::new(Arch::X86));
    inlined.module = Some(0);
    inlined.function_name = Some("inlined".into());
    let threads = vec![CallStack {
        thread_id: 1,
        frames: vec![frame0, inlined, frame1, frame2, frame3],
        error: None,
        note: None,
        name: None,
        last_error: None,
    }];
    let modules = vec![
        module(0x400000, 0x10000, r"C:\app\app.exe", true, SymbolStatus::Loaded),
        module(0x7c80_0000, 0x100000, r"C:\Windows\kernel32.dll", false, SymbolStatus::Missing),
        module(0x7d00_0000, 0x1000, "corrupt.dll", false, SymbolStatus::Corrupt),
    ];
    let (human, machine) = print(&state(threads, modules));
    assert_eq!(
        human,
        "Operating system: Windows NT\n                  10.0.1 |x\nCPU: x86\n     1 CPU\n\nGPU: UNKNOWN\n\n\
         Crash reason:  EXCEPTION_BREAKPOINT\nCrash address: 0x401000\nProcess uptime: not available\n\n\
         Thread 0 (crashed)\n \
         0  app.exe!crash|me [app.cc : 58 + 0x3]\n    \
         eip = 0x00401010   esp = 0x00000000   ebp = 0x00000000   ebx = 0x00000000\n    \
         esi = 0x00000000   edi = 0x00000000   eax = 0x00000000   ecx = 0x00000000\n    \
         edx = 0x00000000   efl = 0x00000000\n    Found by: given as instruction pointer in context\n \
         1  app.exe!inlined + 0x0\n \n    Found by: inline record\n \
         2  kernel32.dll!BaseProcessStart + 0x23\n    \
         eip = 0x7c810023   esp = 0x0012ff00   ebp = 0x0012ff40\n    Found by: call frame info\n \
         3  kernel32.dll + 0x20001\n    eip = 0x7c820001\n    Found by: stack scanning\n \
         4  0x1235\n    eip = 0x00001235   esp = 0x0012ff80\n    Found by: previous frame's frame pointer\n\n\
         Loaded modules:\n\
         0x00400000 - 0x0040ffff  app.exe  ???  (main)\n\
         0x7c800000 - 0x7c8fffff  kernel32.dll  1.2.3.4  \
         (WARNING: No symbols, kernel32.dll.pdb, ABCDEF0123456789ABCDEF01234567891)\n\
         0x7d000000 - 0x7d000fff  corrupt.dll  1.2.3.4  \
         (WARNING: Corrupt symbols, corrupt.dll.pdb, ABCDEF0123456789ABCDEF01234567891)\n"
    );
    assert_eq!(
        machine,
        "OS|Windows NT|10.0.1 x\nCPU|x86||1\nGPU|||\nCrash|EXCEPTION_BREAKPOINT|0x401000|0\n\
         Module|app.exe||app.exe.pdb|ABCDEF0123456789ABCDEF01234567891|0x00400000|0x0040ffff|1\n\
         Module|kernel32.dll|1.2.3.4|kernel32.dll.pdb|ABCDEF0123456789ABCDEF01234567891|0x7c800000|0x7c8fffff|0\n\
         Module|corrupt.dll|1.2.3.4|corrupt.dll.pdb|ABCDEF0123456789ABCDEF01234567891|0x7d000000|0x7d000fff|0\n\n\
         0|0|app.exe|crashme|c:\\src\\app.cc|58|0x3\n\
         0|1|app.exe|inlined|||0x0\n\
         0|2|kernel32.dll|BaseProcessStart|||0x23\n\
         0|3|kernel32.dll||||0x20001\n\
         0|4|||||0x1235\n"
    );
}

#[test]
fn register_sets_of_other_cpus_wrap_at_80_columns() {
    let cases: [(Arch, &str); 5] = [
        (
            Arch::Arm,
            concat!(
                "     r0 = 0x00000000    r1 = 0x00000001    r2 = 0x00000002    r3 = 0x00000003\n",
                "     r4 = 0x00000004    r5 = 0x00000005    r6 = 0x00000006    r7 = 0x00000007\n",
                "     r8 = 0x00000008    r9 = 0x00000009   r10 = 0x0000000a   r12 = 0x0000000c\n",
                "     fp = 0x0000000b    sp = 0x0000000d    lr = 0x0000000e    pc = 0x0000000f\n",
            ),
        ),
        (
            Arch::Mips,
            concat!(
                "     gp = 0x000000000000001c    sp = 0x000000000000001d\n",
                "     fp = 0x000000000000001e    ra = 0x000000000000001f\n",
                "     pc = 0x0000000000000020    s0 = 0x0000000000000010\n",
                "     s1 = 0x0000000000000011    s2 = 0x0000000000000012\n",
                "     s3 = 0x0000000000000013    s4 = 0x0000000000000014\n",
                "     s5 = 0x0000000000000015    s6 = 0x0000000000000016\n",
                "     s7 = 0x0000000000000017\n",
            ),
        ),
        (Arch::Ppc, "   srr0 = 0x00000000    r1 = 0x00000003\n"),
        (Arch::Sparc, "     sp = 0x00000010    fp = 0x00000020    pc = 0x00000000\n"),
        (Arch::Riscv64, " \n"),
    ];
    for (arch, expected) in cases {
        let mut regs = Registers::new(arch);
        for (i, _) in arch.register_names().iter().enumerate() {
            regs.set_index(i, i as u64);
        }
        let frame = StackFrame::from_context(regs);
        let threads = vec![CallStack {
            thread_id: 1,
            frames: vec![frame],
            error: None,
            note: None,
            name: None,
            last_error: None,
        }];
        let (human, _) = print(&state(threads, vec![]));
        let start = human.find(" 0  0x").expect("frame line");
        let body = &human[start..];
        let body = &body[body.find('\n').unwrap() + 1..body.find("    Found by").unwrap()];
        assert_eq!(body, expected, "{arch:?}");
    }

    // ARM64: x0-x28, fp, lr, sp, pc, two to a line.
    let mut regs = Registers::new(Arch::Arm64);
    for (i, _) in Arch::Arm64.register_names().iter().enumerate() {
        regs.set_index(i, i as u64);
    }
    let threads = vec![CallStack {
        thread_id: 1,
        frames: vec![StackFrame::from_context(regs)],
        error: None,
        note: None,
        name: None,
        last_error: None,
    }];
    let (human, _) = print(&state(threads, vec![]));
    assert!(human.contains("\n     x0 = 0x0000000000000000    x1 = 0x0000000000000001\n"));
    assert!(human.contains("\n    x28 = 0x000000000000001c    fp = 0x000000000000001d\n"));
    assert!(human.contains("\n     lr = 0x000000000000001e    sp = 0x000000000000001f\n     pc = 0x0000000000000020\n"));
    assert!(!human.contains("cpsr"));
}

#[test]
fn main_module_at_zero_is_main_only_in_the_machine_format() {
    let (human, machine) = print(&state(vec![], vec![module(0, 0x1000, "zero.exe", true, SymbolStatus::NotLookedUp)]));
    assert!(human.ends_with("\nLoaded modules:\n0x00000000 - 0x00000fff  zero.exe  ???\n"));
    assert!(
        machine.contains("\nModule|zero.exe||zero.exe.pdb|ABCDEF0123456789ABCDEF01234567891|0x00000000|0x00000fff|1\n")
    );
    // A requesting thread index with no such thread is left out.
    assert!(machine.contains("\nCrash|EXCEPTION_BREAKPOINT|0x401000|\n"));
    assert!(!human.contains("Thread"));
}
