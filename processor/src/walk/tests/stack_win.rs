//! x86 `STACK WIN` frame data: programs, Breakpad's FPO programs, the
//! callee's parameter size and the rescue scans.

use super::*;
use crate::walk::provider::WinFrameKind;

const APP: u64 = 0x40_0000;
const STACK: u64 = 0x0012_0000;

const EBP_FRAME: &str = "$T0 $ebp = $eip $T0 4 + ^ = $ebp $T0 ^ = $esp $T0 8 + =";

fn modules() -> Vec<CodeModule> {
    vec![module("app", APP, 0x10000)]
}

fn frame_data(program: &str) -> WinFrameInfo {
    WinFrameInfo { kind: WinFrameKind::FrameData, program_string: Some(program.into()), ..WinFrameInfo::default() }
}

fn fpo(locals: u32, saved: u32, params: u32, allocates_base_pointer: bool) -> WinFrameInfo {
    WinFrameInfo {
        kind: WinFrameKind::Fpo,
        local_size: locals,
        saved_register_size: saved,
        parameter_size: params,
        allocates_base_pointer,
        ..WinFrameInfo::default()
    }
}

/// Functions f0 (0x1000), f1 (0x2000), f2 (0x3000); `win` records for
/// them by function start.
fn app(win: &[(u64, WinFrameInfo)]) -> FakeSymbols {
    let app = FakeModule {
        functions: vec![(0x1000, 0x100, "f0", 0), (0x2000, 0x100, "f1", 0), (0x3000, 0x100, "f2", 0)],
        win: win.iter().map(|(start, info)| (*start, 0x100, info.clone())).collect(),
        ..FakeModule::loaded()
    };
    FakeSymbols::default().with("app", app)
}

fn ctx(esp: u64, ebp: u64) -> Registers {
    context(Arch::X86, &[("eip", APP + 0x1010), ("esp", esp), ("ebp", ebp), ("ebx", 0x77)])
}

#[test]
fn frame_data_programs() {
    let mut stack = StackBuilder::new(STACK, 4);
    stack.fill(1);
    let record0 = stack.push(0);
    stack.push(APP + 0x2005);
    stack.fill(5);
    let record1 = stack.push(0);
    stack.push(APP + 0x3005);
    stack.fill(3);
    stack.set(record0, record1);
    let scene = Scene::new("windows", stack, modules())
        .symbols(app(&[(0x1000, frame_data(EBP_FRAME)), (0x2000, frame_data(EBP_FRAME))]));
    let frames = scene.frames(ctx(STACK, record0));
    assert_eq!(
        summary(&frames),
        [
            (APP + 0x1010, STACK, FrameTrust::Context),
            (APP + 0x2005, record0 + 8, FrameTrust::Cfi),
            (APP + 0x3005, record1 + 8, FrameTrust::Cfi),
        ]
    );
    assert_eq!(known(&frames[1]), ["eip", "esp", "ebp"]);
    assert_eq!(frames[1].registers.get("ebp"), Some(record1));
    // The program gave %ebp 0, which is not in the stack: the (empty)
    // saved-register area has nothing better.
    assert_eq!(frames[2].registers.get("ebp"), Some(0));
    assert_eq!(frames[2].function_name.as_deref(), Some("f2"));
}

#[test]
fn programs_recover_callee_saved_registers() {
    let mut stack = StackBuilder::new(STACK, 4);
    let saved_ebx = stack.push(0x5eb);
    let record = stack.push(STACK + 0x40);
    stack.push(APP + 0x2005);
    stack.fill(16);
    let program = format!("{EBP_FRAME} $ebx $T0 4 - ^ =");
    let scene = Scene::new("windows", stack, modules()).symbols(app(&[(0x1000, frame_data(&program))]));
    let frames = scene.frames(ctx(STACK, record));
    assert_eq!(known(&frames[1]), ["eip", "esp", "ebp", "ebx"]);
    assert_eq!(frames[1].registers.get("ebx"), Some(0x5eb));
    assert_eq!(saved_ebx, record - 4);
}

#[test]
fn fpo_without_a_base_pointer_carries_ebp_and_ebx() {
    // Locals (8), a saved register (4), then the return address.
    let mut stack = StackBuilder::new(STACK, 4);
    stack.fill(3);
    let ret = stack.push(APP + 0x2005);
    stack.fill(4);
    let scene = Scene::new("windows", stack, modules()).symbols(app(&[(0x1000, fpo(8, 4, 0, false))]));
    let frames = scene.frames(ctx(STACK, 0x1234));
    assert_eq!(summary(&frames)[1], (APP + 0x2005, ret + 4, FrameTrust::Cfi));
    assert_eq!(known(&frames[1]), ["eip", "esp", "ebp", "ebx"]);
    assert_eq!(frames[1].registers.get("ebp"), Some(0x1234));
    assert_eq!(frames[1].registers.get("ebx"), Some(0x77));

    // The stack was aligned: the return address is a word further up.
    let mut stack = StackBuilder::new(STACK, 4);
    stack.fill(4);
    let ret = stack.push(APP + 0x2005);
    stack.fill(4);
    let scene = Scene { stack, ..scene };
    assert_eq!(summary(&scene.frames(ctx(STACK, 0x1234)))[1], (APP + 0x2005, ret + 4, FrameTrust::Cfi));
}

#[test]
fn fpo_allocating_a_base_pointer_reads_the_saved_ebp() {
    let mut stack = StackBuilder::new(STACK, 4);
    stack.push(STACK + 0x40); // saved %ebp, at .cbSavedRegs - 8
    stack.fill(2); // another saved register, a local
    let ret = stack.push(APP + 0x2005);
    stack.fill(16);
    let scene = Scene::new("windows", stack, modules()).symbols(app(&[(0x1000, fpo(4, 8, 0, true))]));
    let frames = scene.frames(ctx(STACK, 0x1234));
    assert_eq!(summary(&frames)[1], (APP + 0x2005, ret + 4, FrameTrust::Cfi));
    assert_eq!(known(&frames[1]), ["eip", "esp", "ebp"]);
    assert_eq!(frames[1].registers.get("ebp"), Some(STACK + 0x40));
}

#[test]
fn the_callees_parameters_are_skipped() {
    // Frame 0 (f0, 8 bytes of parameters) returns to f1 at `ret0`; f1 has
    // no locals or saved registers; above `ret0` are f0's two arguments,
    // the first of which looks like code, then f1's return address.
    let mut stack = StackBuilder::new(STACK, 4);
    let ret0 = stack.push(APP + 0x2005);
    stack.push(APP + 0x2055);
    stack.push(9);
    let ret1 = stack.push(APP + 0x3005);
    stack.fill(4);
    let with = |f0: WinFrameInfo| app(&[(0x1000, f0), (0x2000, fpo(0, 0, 0, false))]);
    let scene = Scene::new("windows", stack, modules()).symbols(with(fpo(0, 0, 8, false)));
    let frames = scene.frames(ctx(STACK, 0x1234));
    assert_eq!(summary(&frames)[1], (APP + 0x2005, ret0 + 4, FrameTrust::Cfi));
    assert_eq!(summary(&frames)[2], (APP + 0x3005, ret1 + 4, FrameTrust::Cfi));
    // Without the parameter size the argument is taken for the return
    // address.
    let scene = Scene { symbols: with(fpo(0, 0, 0, false)), ..scene };
    assert_eq!(summary(&scene.frames(ctx(STACK, 0x1234)))[2].0, APP + 0x2055);
    // A FUNC's parameter size serves when the callee has no record (frame
    // 0 unwound by CFI here).
    let mut symbols = app(&[(0x2000, fpo(0, 0, 0, false))]);
    let m = symbols.modules.get_mut("app").unwrap();
    m.functions[0].3 = 8;
    m.cfi = vec![(0x1000, 0x100, ".cfa: $esp 4 + .ra: .cfa 4 - ^".into())];
    let scene = Scene { symbols, ..scene };
    let frames = scene.frames(ctx(STACK, 0x1234));
    assert_eq!(frames[1].trust, FrameTrust::Cfi);
    assert_eq!(summary(&frames)[2], (APP + 0x3005, ret1 + 4, FrameTrust::Cfi));
}

#[test]
fn a_failing_program_falls_back_to_a_scan() {
    let mut stack = StackBuilder::new(STACK, 4);
    stack.push(STACK + 0x20); // points into the stack: a better %ebp
    let ret = stack.push(APP + 0x2005);
    stack.fill(10);
    for program in ["$eip 5 ^ = $esp 1 =", "$eip 1 = $esp 1 0 / =", "$esp 4 ="] {
        let scene = Scene::new(
            "windows",
            StackBuilder { bytes: stack.bytes.clone(), ..StackBuilder::new(STACK, 4) },
            modules(),
        )
        .symbols(app(&[(0x1000, frame_data(program))]));
        let frames = scene.frames(ctx(STACK, 0x1234));
        assert_eq!(summary(&frames)[1], (APP + 0x2005, ret + 4, FrameTrust::Scan), "{program}");
        // %ebp 0x1234 is not in the stack: the saved-register area (here
        // the word at %esp) gives one that is.
        assert_eq!(frames[1].registers.get("ebp"), Some(STACK + 0x20), "{program}");
    }
}

#[test]
fn a_return_address_outside_every_module_is_rescanned() {
    let mut stack = StackBuilder::new(STACK, 4);
    stack.push(0x1234);
    stack.fill(3);
    let ret = stack.push(APP + 0x2005);
    stack.fill(80);
    let program = "$eip .raSearchStart ^ = $esp .raSearchStart 4 + =";
    let scene = Scene::new("windows", stack, modules()).symbols(app(&[(0x1000, frame_data(program))]));
    let frames = scene.frames(ctx(STACK, STACK + 0x100));
    assert_eq!(summary(&frames)[1], (APP + 0x2005, ret + 4, FrameTrust::CfiScan));
    assert_eq!(frames[1].registers.get("ebp"), Some(STACK + 0x100));

    // With an aligning program, .raSearchStart is %ebp + 4 instead.
    let program = "$eip .raSearchStart ^ = $esp .raSearchStart 4 + = $T0 $esp 16 @ =";
    let scene = Scene { symbols: app(&[(0x1000, frame_data(program))]), ..scene };
    let frames = scene.frames(ctx(STACK, ret - 4));
    assert_eq!(summary(&frames)[1], (APP + 0x2005, ret + 4, FrameTrust::Cfi));
}

#[test]
fn a_returned_fpo_system_call_is_skipped() {
    // The context's own %eip is at .raSearchStart: the stub returned
    // already; the real return address is the next word.
    let mut stack = StackBuilder::new(STACK, 4);
    stack.push(APP + 0x1010);
    let ret = stack.push(APP + 0x2005);
    stack.fill(8);
    let scene = Scene::new("windows", stack, modules()).symbols(app(&[(0x1000, fpo(0, 0, 0, false))]));
    let frames = scene.frames(ctx(STACK, 0x1234));
    assert_eq!(summary(&frames)[1], (APP + 0x2005, ret + 4, FrameTrust::Cfi));
    // Not for frame data records.
    let scene =
        Scene { symbols: app(&[(0x1000, frame_data("$eip .raSearchStart ^ = $esp .raSearchStart 4 + ="))]), ..scene };
    assert_eq!(summary(&scene.frames(ctx(STACK, 0x1234)))[1].0, APP + 0x1010);
}
