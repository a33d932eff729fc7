//! Stack scanning and amd64 Windows leaf returns.

use super::*;

const APP: u64 = 0x40_0000;
const LIBC: u64 = 0x7f00_0000_0000;
const STACK: u64 = 0x7fff_0000;

fn modules() -> Vec<CodeModule> {
    vec![module("app", APP, 0x10000), module("libc", LIBC, 0x10_0000)]
}

/// rbp that is no frame pointer (not 8-aligned).
const NO_FP: u64 = 0x11;

#[test]
fn scan_finds_the_first_word_pointing_into_a_module() {
    let mut stack = StackBuilder::new(STACK, 8);
    stack.fill(3);
    stack.push(0xdead); // outside every module
    let ret = stack.push(APP + 0x2005);
    stack.fill(2);
    let ret2 = stack.push(LIBC + 0x1234);
    stack.fill(2);
    let scene = Scene::new("linux", stack, modules());
    let frames = scene.frames(context(Arch::Amd64, &[("rip", APP + 0x1000), ("rsp", STACK), ("rbp", NO_FP)]));
    assert_eq!(
        summary(&frames),
        [
            (APP + 0x1000, STACK, FrameTrust::Context),
            (APP + 0x2005, ret + 8, FrameTrust::Scan),
            (LIBC + 0x1234, ret2 + 8, FrameTrust::Scan),
        ]
    );
    assert_eq!(frames[1].instruction, APP + 0x2004, "inside the call");
    assert_eq!(frames[1].module, Some(0));
    assert_eq!(frames[2].module, Some(1));
    // A scanned frame knows its instruction and stack pointers only (the
    // callee's %rbp is below the return address: not the caller's).
    assert_eq!(known(&frames[1]), ["rsp", "rip"]);
}

#[test]
fn with_symbols_a_candidate_must_be_inside_a_function() {
    let mut stack = StackBuilder::new(STACK, 8);
    stack.push(APP + 0x2005); // after a function's end
    let ret = stack.push(APP + 0x1105); // inside `main`
    let app = FakeModule { functions: vec![(0x1000, 0x200, "main", 0)], ..FakeModule::loaded() };
    let scene = Scene::new("linux", stack, modules()).symbols(FakeSymbols::default().with("app", app));
    let walked = scene.walk(context(Arch::Amd64, &[("rip", APP + 0x1000), ("rsp", STACK), ("rbp", NO_FP)]));
    assert_eq!(summary(&walked.frames)[1], (APP + 0x1105, ret + 8, FrameTrust::Scan));
    assert_eq!(walked.frames[1].function_name.as_deref(), Some("main"));
    assert_eq!(walked.frames[1].function_base, Some(APP + 0x1000));
    assert_eq!(walked.symbols, [(0, SymbolStatus::Loaded)]);

    // A public symbol covers everything above it.
    let app = FakeModule { publics: vec![(0x2000, "tail")], ..FakeModule::loaded() };
    let scene = Scene { symbols: FakeSymbols::default().with("app", app), ..scene };
    let frames = scene.frames(context(Arch::Amd64, &[("rip", APP + 0x1000), ("rsp", STACK), ("rbp", NO_FP)]));
    assert_eq!(summary(&frames)[1], (APP + 0x2005, STACK + 8, FrameTrust::Scan));
    assert_eq!(frames[1].function_name.as_deref(), Some("tail"));
}

#[test]
fn the_context_frame_gets_a_longer_scan() {
    let mut stack = StackBuilder::new(STACK, 8);
    stack.fill(100);
    let ret = stack.push(APP + 0x2005);
    stack.fill(41);
    stack.push(APP + 0x3005); // 42 words above the caller's stack pointer
    let scene = Scene::new("linux", stack, modules());
    let frames = scene.frames(context(Arch::Amd64, &[("rip", APP + 0x1000), ("rsp", STACK), ("rbp", NO_FP)]));
    assert_eq!(
        summary(&frames),
        [(APP + 0x1000, STACK, FrameTrust::Context), (APP + 0x2005, ret + 8, FrameTrust::Scan)]
    );

    // 160 words above the context's stack pointer is the last one looked at.
    for (words, found) in [(160, true), (161, false)] {
        let mut stack = StackBuilder::new(STACK, 8);
        stack.fill(words);
        stack.push(APP + 0x2005);
        let scene = Scene::new("linux", stack, modules());
        let frames = scene.frames(context(Arch::Amd64, &[("rip", APP + 0x1000), ("rsp", STACK), ("rbp", NO_FP)]));
        assert_eq!(frames.len(), 1 + usize::from(found), "{words}");
    }
}

#[test]
fn scanning_carries_a_plausible_frame_pointer() {
    // The callee's %rbp points just below the return address: the saved
    // %rbp there is the caller's.
    let mut stack = StackBuilder::new(STACK, 8);
    stack.fill(2);
    let saved = stack.push(STACK + 0x100);
    let ret = stack.push(APP + 0x2005);
    stack.fill(40);
    let scene = Scene::new("windows", stack, modules());
    let frames = scene.frames(context(Arch::Amd64, &[("rip", APP + 0x1000), ("rsp", STACK), ("rbp", saved)]));
    assert_eq!(summary(&frames)[1], (APP + 0x2005, ret + 8, FrameTrust::Scan));
    assert_eq!(frames[1].registers.get("rbp"), Some(STACK + 0x100));

    // A %rbp above the caller's stack pointer is presumed unchanged.
    let frames =
        scene.frames(context(Arch::Amd64, &[("rip", APP + 0x1000), ("rsp", STACK + 0x20), ("rbp", STACK + 0x400)]));
    assert_eq!(frames.len(), 1, "no return address above 0x20");
    let frames = scene.frames(context(Arch::Amd64, &[("rip", APP + 0x1000), ("rsp", STACK), ("rbp", ret + 8)]));
    assert_eq!(frames[1].registers.get("rbp"), Some(ret + 8));
    // Below it and not pointing at the saved slot: unknown.
    let frames = scene.frames(context(Arch::Amd64, &[("rip", APP + 0x1000), ("rsp", STACK), ("rbp", STACK)]));
    assert_eq!(frames[1].registers.get("rbp"), None);
}

#[test]
fn windows_leaf_functions_return_by_simulation() {
    let mut stack = StackBuilder::new(STACK, 8);
    stack.fill(1);
    let ret = stack.push(APP + 0x2005);
    stack.fill(50);
    let scene = Scene::new("windows", stack, modules());
    let ctx = context(Arch::Amd64, &[("rip", APP + 0x1000), ("rsp", STACK), ("rbx", 7), ("rbp", 0)]);
    let frames = scene.frames(ctx);
    assert_eq!(
        summary(&frames),
        [(APP + 0x1000, STACK, FrameTrust::Context), (APP + 0x2005, ret + 8, FrameTrust::Leaf)]
    );
    // Every register of the context carries over.
    assert_eq!(frames[1].registers.known_count(), ctx.known_count());
    assert_eq!(frames[1].registers.get("rbx"), Some(7));

    // Only the two words at the stack pointer are looked at; then a scan.
    let mut stack = StackBuilder::new(STACK, 8);
    stack.fill(2);
    let ret = stack.push(APP + 0x2005);
    let scene = Scene::new("windows", stack, modules());
    let frames = scene.frames(ctx);
    assert_eq!(summary(&frames)[1], (APP + 0x2005, ret + 8, FrameTrust::Scan));
    // Not on Linux: there the frame pointer and a scan come first.
    let mut stack = StackBuilder::new(STACK, 8);
    let ret = stack.push(APP + 0x2005);
    let scene = Scene::new("linux", stack, modules());
    assert_eq!(summary(&scene.frames(ctx))[1], (APP + 0x2005, ret + 8, FrameTrust::Scan));
}

#[test]
fn no_stack_no_callers() {
    let scene = Scene::new("linux", StackBuilder::new(STACK, 8), modules());
    let frames = scene.frames(context(Arch::Amd64, &[("rip", APP + 0x1000), ("rsp", STACK)]));
    assert_eq!(frames.len(), 1);
}

#[test]
fn the_scanned_frame_limit_stops_scanning() {
    let mut stack = StackBuilder::new(STACK, 8);
    for i in 0..10 {
        stack.push(APP + 0x2000 + i);
    }
    let scene = Scene::new("linux", stack, modules());
    let ctx = context(Arch::Amd64, &[("rip", APP + 0x1000), ("rsp", STACK), ("rbp", NO_FP)]);
    assert_eq!(scene.frames(ctx).len(), 11);
    let mut walker = BreakpadWalker::new(&scene.symbols);
    walker.max_scanned_frames = 3;
    assert_eq!(scene.walk_with(ctx, &walker).frames.len(), 4);
}

#[test]
fn missing_symbols_are_reported_for_the_modules_of_frames() {
    let mut stack = StackBuilder::new(STACK, 8);
    stack.push(LIBC + 0x10);
    let scene = Scene::new("linux", stack, modules());
    let walked = scene.walk(context(Arch::Amd64, &[("rip", APP + 0x1000), ("rsp", STACK), ("rbp", NO_FP)]));
    assert_eq!(walked.symbols, [(0, SymbolStatus::Missing), (1, SymbolStatus::Missing)]);
    // Outside every module: nothing to report.
    let walked = scene.walk(context(Arch::Amd64, &[("rip", 0x1234_5678), ("rsp", STACK), ("rbp", NO_FP)]));
    assert_eq!(walked.symbols, [(1, SymbolStatus::Missing)]);
    assert_eq!(walked.frames[0].module, None);
}
