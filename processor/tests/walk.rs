//! [`BreakpadWalker`] over [`SymbolFiles`] end to end: hand-written `.sym`
//! files in Breakpad's directory layout (under the target directory), the
//! adapter's answers, and a synthetic dump walked by their CFI.

use mdump_processor::{
    print_breakpad, print_breakpad_machine, BreakpadWalker, CodeModule, FrameTrust, ProcessState, SymbolFiles,
    SymbolProvider, SymbolStatus, WinFrameKind,
};
use mdump_reader::Minidump;
use mdump_testkit::*;
use std::path::PathBuf;

const EXE_ID: &str = "111111111111111111111111111111110";

const EXE_SYM: &str = "MODULE Linux x86_64 111111111111111111111111111111110 synthetic
FILE 0 /src/main.c
FUNC 1000 100 0 crash
1000 10 7 0
1010 f0 8 0
FUNC 2000 100 4 main
2000 100 20 0
PUBLIC 3000 0 start
STACK CFI INIT 1000 100 .cfa: $rsp 8 + .ra: .cfa -8 + ^
STACK CFI 1004 .cfa: $rsp 16 + $rbp: .cfa -16 + ^
STACK CFI INIT 2000 100 .cfa: $rsp 8 + .ra: .cfa -8 + ^
STACK WIN 4 2000 100 0 0 4 0 0 0 1 $T0 $ebp = $eip $T0 4 + ^ =
STACK WIN 0 2010 10 0 0 4 8 c 0 0 1
STACK WIN 0 2200 10 0 0 4 8 c 0 0 1
";

/// A symbol root with the synthetic executable's file, a corrupt one, and
/// nothing for libc.
fn symbol_root() -> PathBuf {
    let root = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(format!("walk-symbols-{}", std::process::id()));
    let exe = root.join("synthetic").join(EXE_ID);
    std::fs::create_dir_all(&exe).unwrap();
    std::fs::write(exe.join("synthetic.sym"), EXE_SYM).unwrap();
    let bad = root.join("bad.pdb").join(EXE_ID);
    std::fs::create_dir_all(&bad).unwrap();
    std::fs::write(bad.join("bad.sym"), "MODULE windows x86 0 bad.pdb\nFUNC 10 10 0 f\nnonsense here\n").unwrap();
    root
}

fn code_module(debug_file: &str, debug_identifier: &str) -> CodeModule {
    CodeModule {
        base: 0x40_0000,
        size: 0x2_0000,
        code_file: "/usr/bin/synthetic".into(),
        code_identifier: String::new(),
        debug_file: debug_file.into(),
        debug_identifier: debug_identifier.into(),
        version: None,
        time_date_stamp: 0,
        is_main: true,
        symbols: SymbolStatus::NotLookedUp,
    }
}

#[test]
fn symbol_files_answer_breakpads_lookups() {
    let files = SymbolFiles::from_dirs([symbol_root()]).unwrap();
    let exe = code_module("/usr/bin/synthetic", EXE_ID);
    assert_eq!(files.status(&exe), SymbolStatus::Loaded);

    let f = files.function_at(&exe, 0x1014).unwrap();
    assert_eq!((f.name.as_str(), f.address, f.is_public), ("crash", 0x1000, false));
    assert_eq!(files.function_at(&exe, 0x2050).unwrap().parameter_size, 4);
    let p = files.function_at(&exe, 0x3456).unwrap();
    assert_eq!((p.name.as_str(), p.address, p.is_public), ("start", 0x3000, true));
    assert!(files.has_function_at(&exe, 0x3456) && !files.has_function_at(&exe, 0x500));

    let line = files.line_at(&exe, 0x1014).unwrap();
    assert_eq!((line.file.as_deref(), line.line, line.address), (Some("/src/main.c"), 8, 0x1010));
    assert_eq!(files.line_at(&exe, 0x3456), None);

    let rules = files.cfi_rule_pairs(&exe, 0x1014).unwrap();
    let rules: Vec<(&str, &str)> = rules.iter().map(|(n, e)| (n.as_str(), e.as_str())).collect();
    assert_eq!(rules, [(".cfa", "$rsp 16 +"), (".ra", ".cfa -8 + ^"), ("$rbp", ".cfa -16 + ^")]);
    assert_eq!(files.cfi_rule_pairs(&exe, 0x1002).unwrap().len(), 2, "the delta applies from 0x1004");
    assert_eq!(files.cfi_rule_pairs(&exe, 0x3000), None);

    // Frame data wins over FPO where both cover the address, as in
    // Breakpad.
    assert_eq!(files.win_frame(&exe, 0x2014).unwrap().kind, WinFrameKind::FrameData);
    let fpo = files.win_frame(&exe, 0x2204).unwrap();
    assert_eq!(fpo.kind, WinFrameKind::Fpo);
    assert_eq!((fpo.parameter_size, fpo.saved_register_size, fpo.local_size), (4, 8, 12));
    assert!(fpo.allocates_base_pointer && fpo.program_string.is_none());
    let data = files.win_frame(&exe, 0x2050).unwrap();
    assert_eq!(data.kind, WinFrameKind::FrameData);
    assert_eq!(data.program_string.as_deref(), Some("$T0 $ebp = $eip $T0 4 + ^ ="));

    // Not found, refused, or found with bad lines.
    assert_eq!(files.status(&code_module("libc.so.6", EXE_ID)), SymbolStatus::Missing);
    assert_eq!(files.status(&code_module("synthetic", "")), SymbolStatus::Missing);
    assert_eq!(files.status(&code_module("../../etc", EXE_ID)), SymbolStatus::Missing);
    let bad = code_module(r"c:\build\bad.pdb", EXE_ID);
    assert_eq!(files.status(&bad), SymbolStatus::Corrupt);
    assert_eq!(files.function_at(&bad, 0x14).unwrap().name, "f", "its good records still serve");
    assert_eq!(files.function_at(&code_module("libc.so.6", EXE_ID), 0x14), None);
}

/// One amd64 Linux thread crashed in `crash` (0x401014), whose CFI says
/// %rbp and the return address to `main` are on the stack; `main` returns
/// to `start`. A second thread sits in libc, which has no symbols.
fn synthetic_dump() -> Vec<u8> {
    const SP: u64 = 0x7f00_0000_0000;
    let mut b = DumpBuilder::new();
    let mut stack = Vec::new();
    for word in [0u64, 0x40_2050, 0x40_3010, 0, 0, 0] {
        stack.extend_from_slice(&word.to_le_bytes());
    }
    let stack_rva = b.append(&stack);
    let mut context = amd64_context(0x40_1014, SP);
    context[0xa0..0xa8].copy_from_slice(&0x1234u64.to_le_bytes()); // %rbp
    let ctx = b.append(&context);
    let libc_ctx = b.append(&amd64_context(0x7f12_3400_1000, SP + 0x1000));
    let threads = [
        Thread {
            id: 1,
            stack_base: SP,
            stack_rva,
            stack_len: stack.len() as u32,
            context_rva: ctx,
            context_len: AMD64_CONTEXT_SIZE,
        },
        Thread {
            id: 2,
            stack_base: SP + 0x1000,
            stack_rva,
            stack_len: 0,
            context_rva: libc_ctx,
            context_len: AMD64_CONTEXT_SIZE,
        },
    ];
    b.stream(THREAD_LIST, &thread_list(&threads));
    let exe_name = b.string("/usr/bin/synthetic");
    let exe_cv = b.append(&cv_elf(&[0x11; 20]));
    let libc_name = b.string("/lib/x86_64-linux-gnu/libc.so.6");
    let libc_cv = b.append(&cv_elf(&[0x22; 20]));
    b.stream(
        MODULE_LIST,
        &module_list(&[
            Module { base: 0x40_0000, size: 0x2_0000, name_rva: exe_name, cv: (exe_cv, 24) },
            Module { base: 0x7f12_3400_0000, size: 0x1c_0000, name_rva: libc_name, cv: (libc_cv, 24) },
        ]),
    );
    let csd = b.string("Linux 6.1.0 #1 SMP x86_64");
    b.stream(SYSTEM_INFO, &system_info(ARCH_AMD64, PLATFORM_LINUX, csd));
    b.stream(EXCEPTION, &exception(1, 11, 0, ctx, AMD64_CONTEXT_SIZE));
    b.finish()
}

#[test]
fn a_synthetic_dump_walks_by_its_symbol_files() {
    let bytes = synthetic_dump();
    let dump = Minidump::parse(&bytes).unwrap();
    let walker = BreakpadWalker::new(SymbolFiles::from_dirs([symbol_root()]).unwrap());
    let state = ProcessState::from_dump(&dump, &walker).unwrap();
    let frames = &state.threads[0].frames;
    let summary: Vec<_> = frames
        .iter()
        .map(|f| {
            (f.registers.get("rip").unwrap(), f.registers.get("rsp").unwrap(), f.trust, f.function_name.as_deref())
        })
        .collect();
    assert_eq!(
        summary,
        [
            (0x40_1014, 0x7f00_0000_0000, FrameTrust::Context, Some("crash")),
            (0x40_2050, 0x7f00_0000_0010, FrameTrust::Cfi, Some("main")),
            (0x40_3010, 0x7f00_0000_0018, FrameTrust::Cfi, Some("start")),
        ]
    );
    assert_eq!(frames[1].registers.get("rbp"), Some(0), "restored by its rule");
    assert_eq!((frames[1].source_line, frames[1].source_line_base), (Some(20), Some(0x40_2000)));
    assert_eq!(state.modules[0].symbols, SymbolStatus::Loaded);
    assert_eq!(state.modules[1].symbols, SymbolStatus::Missing);

    let (mut human, mut machine) = (Vec::new(), Vec::new());
    print_breakpad(&state, &mut human).unwrap();
    print_breakpad_machine(&state, &mut machine).unwrap();
    let (human, machine) = (String::from_utf8(human).unwrap(), String::from_utf8(machine).unwrap());
    assert!(human.contains(" 0  synthetic!crash [main.c : 8 + 0x4]\n"), "{human}");
    assert!(human.contains(" 1  synthetic!main [main.c : 20 + 0x50]\n"), "{human}");
    assert!(human.contains(" 2  synthetic!start + 0x10\n    rbx = "), "{human}");
    assert!(human.contains("libc.so.6  ???  (WARNING: No symbols, libc.so.6, 222222222222222222222222222222220)\n"));
    assert!(machine.contains("\n0|1|synthetic|main|/src/main.c|20|0x50\n0|2|synthetic|start|||0x10\n"), "{machine}");
}
