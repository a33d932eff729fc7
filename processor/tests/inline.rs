//! Inlined frames from `INLINE_ORIGIN` and `INLINE` records (both the old
//! and the new record forms): the frames Breakpad inserts, their functions,
//! files, lines and trust, and how every printer shows them.

use mdump_processor::{
    print_breakpad, print_breakpad_machine, to_json, BreakpadWalker, FrameTrust, ProcessState, SymbolFiles,
};
use mdump_reader::Minidump;
use mdump_testkit::*;

const EXE_ID: &str = "111111111111111111111111111111110";

/// `crash` has two levels of inlined code in the new form (call files
/// given); `main` one level in the old form (no call file, origin with a
/// file).
const EXE_SYM: &str = "MODULE Linux x86_64 111111111111111111111111111111110 synthetic
FILE 0 /src/main.c
FILE 1 /src/inl.h
FILE 2 /src/deep.h
INLINE_ORIGIN 0 outer_inl()
INLINE_ORIGIN 1 inner_inl()
INLINE_ORIGIN 2 0 old_inl()
FUNC 1000 100 0 crash
INLINE 0 30 0 0 1010 40
INLINE 1 12 1 1 1018 10
1000 14 7 0
1014 30 5 2
1044 bc 8 0
FUNC 2000 100 0 main
INLINE 0 21 2 2040 20
2000 100 20 0
STACK CFI INIT 1000 100 .cfa: $rsp 8 + .ra: .cfa -8 + ^
STACK CFI INIT 2000 100 .cfa: $rsp 8 + .ra: .cfa -8 + ^
";

const SP: u64 = 0x7f00_0000_0000;

/// One amd64 Linux thread stopped at 0x40101c, inside `inner_inl` inlined
/// into `outer_inl` inlined into `crash`, called from 0x40204f, inside
/// `old_inl` inlined into `main`.
fn dump() -> Vec<u8> {
    let mut stack = Vec::new();
    for word in [0x40_2050u64, 0, 0, 0] {
        stack.extend_from_slice(&word.to_le_bytes());
    }
    let csd = "Linux 6.1.0 #1 SMP x86_64";
    one_thread_linux_dump(ARCH_AMD64, csd, &amd64_context(0x40_101c, SP), SP, &stack)
}

fn state(bytes: &[u8]) -> ProcessState {
    let dump = Minidump::parse(bytes).unwrap();
    let files = SymbolFiles::from_dirs(Vec::<std::path::PathBuf>::new()).unwrap();
    assert!(files.insert(&[("/usr/bin/synthetic", EXE_ID)], EXE_SYM.as_bytes()));
    ProcessState::from_dump(&dump, &BreakpadWalker::new(files)).unwrap()
}

#[test]
fn inlined_calls_become_frames_as_breakpad_makes_them() {
    let bytes = dump();
    let state = state(&bytes);
    let frames = &state.threads[0].frames;
    let summary: Vec<_> = frames
        .iter()
        .map(|f| {
            (
                f.instruction,
                f.function_name.as_deref().unwrap(),
                f.function_base.unwrap(),
                f.source_file.as_deref().unwrap(),
                f.source_line.unwrap(),
                f.trust,
            )
        })
        .collect();
    assert_eq!(
        summary,
        [
            // The innermost inlined function has the line record's line.
            (0x40_101c, "inner_inl()", 0x40_1018, "/src/deep.h", 5, FrameTrust::Inline),
            // Each enclosing level: the call site of the level inside it.
            (0x40_101c, "outer_inl()", 0x40_1010, "/src/inl.h", 12, FrameTrust::Inline),
            (0x40_101c, "crash", 0x40_1000, "/src/main.c", 30, FrameTrust::Context),
            // The old form has no call file: the line record's file.
            (0x40_204f, "old_inl()", 0x40_2040, "/src/main.c", 20, FrameTrust::Inline),
            (0x40_204f, "main", 0x40_2000, "/src/main.c", 21, FrameTrust::Cfi),
        ]
    );
    assert!(frames.iter().filter(|f| f.trust == FrameTrust::Inline).all(|f| f.registers.known_count() == 0));
    assert_eq!(frames[2].registers.get("rip"), Some(0x40_101c));
    assert_eq!(frames[4].registers.get("rip"), Some(0x40_2050));
    assert!(frames.iter().all(|f| f.module == Some(0)));
    assert!(frames[..3].iter().all(|f| f.source_line_base == Some(0x40_1014)));
}

#[test]
fn printers_show_inlined_frames_as_the_references_do() {
    let bytes = dump();
    let state = state(&bytes);
    let (mut human, mut machine) = (Vec::new(), Vec::new());
    print_breakpad(&state, &mut human).unwrap();
    print_breakpad_machine(&state, &mut machine).unwrap();
    let (human, machine) = (String::from_utf8(human).unwrap(), String::from_utf8(machine).unwrap());
    let expected = "Thread 0 (crashed)
 0  synthetic!inner_inl() [deep.h : 5 + 0x8]
 
    Found by: inline record
 1  synthetic!outer_inl() [inl.h : 12 + 0x8]
 
    Found by: inline record
 2  synthetic!crash [main.c : 30 + 0x8]
    rax = ";
    assert!(human.contains(expected), "{human}");
    // An inlined caller shows its instruction (the return address minus
    // one), its real frame the return address.
    let expected = "
 3  synthetic!old_inl() [main.c : 20 + 0x4f]
 
    Found by: inline record
 4  synthetic!main [main.c : 21 + 0x50]
    ";
    assert!(human.contains(expected), "{human}");
    let expected = "
0|0|synthetic|inner_inl()|/src/deep.h|5|0x8
0|1|synthetic|outer_inl()|/src/inl.h|12|0x8
0|2|synthetic|crash|/src/main.c|30|0x8
0|3|synthetic|old_inl()|/src/main.c|20|0x4f
0|4|synthetic|main|/src/main.c|21|0x50
";
    assert!(machine.contains(expected), "{machine}");

    // rust-minidump nests inlined calls in the frame holding them,
    // innermost first.
    let json = to_json(&state);
    let frames = &json["threads"][0]["frames"];
    assert_eq!(frames[0]["function"], "crash");
    assert_eq!((frames[0]["file"].as_str(), frames[0]["line"].as_u64()), (Some("/src/main.c"), Some(30)));
    assert_eq!(frames[0]["trust"], "context");
    let inlines = frames[0]["inlines"].as_array().unwrap();
    let names: Vec<_> =
        inlines.iter().map(|i| (i["function"].as_str(), i["file"].as_str(), i["line"].as_u64())).collect();
    assert_eq!(
        names,
        [(Some("inner_inl()"), Some("/src/deep.h"), Some(5)), (Some("outer_inl()"), Some("/src/inl.h"), Some(12))]
    );
    assert_eq!(frames[1]["function"], "main");
    assert_eq!(frames[1]["frame"], 1);
    assert_eq!(frames[1]["inlines"][0]["function"], "old_inl()");
    assert_eq!(json["threads"][0]["frame_count"], frames.as_array().unwrap().len());
}
