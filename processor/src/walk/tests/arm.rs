//! ARM and ARM64: CFI with their register names, scanning, and iOS's `r7`
//! frame pointer.

use super::*;

const APP: u64 = 0x1_0000;
const STACK: u64 = 0x8000_0000;

fn modules() -> Vec<CodeModule> {
    vec![module("app", APP, 0x10000)]
}

fn app_cfi(rules: &'static str) -> FakeSymbols {
    let app = FakeModule {
        functions: vec![(0x1000, 0x100, "leaf", 0), (0x2000, 0x100, "caller", 0)],
        cfi: vec![(0x1000, 0x100, rules.into())],
        ..FakeModule::loaded()
    };
    FakeSymbols::default().with("app", app)
}

#[test]
fn arm_cfi_keeps_r4_to_r11() {
    let mut stack = StackBuilder::new(STACK, 4);
    stack.push(0x44);
    stack.push(APP + 0x2001);
    stack.fill(4);
    let rules = ".cfa: sp 8 + .ra: .cfa -4 + ^ r4: .cfa -8 + ^";
    let scene = Scene::new("linux", stack, modules()).symbols(app_cfi(rules));
    let ctx =
        context(Arch::Arm, &[("pc", APP + 0x1010), ("sp", STACK), ("r4", 4), ("r5", 5), ("fp", 0xb), ("r0", 0xaa)]);
    let frames = scene.frames(ctx);
    assert_eq!(summary(&frames)[1], (APP + 0x2001, STACK + 8, FrameTrust::Cfi));
    assert_eq!(frames[1].instruction, APP + 0x1fff, "two bytes back");
    assert_eq!(known(&frames[1]), ["r4", "r5", "r6", "r7", "r8", "r9", "r10", "fp", "sp", "pc"]);
    assert_eq!(frames[1].registers.get("r4"), Some(0x44));
    assert_eq!(frames[1].registers.get("r5"), Some(5));
    assert_eq!(frames[1].registers.get("fp"), Some(0xb));
    // An explicit pc rule wins over .ra; r11 is the frame pointer.
    let rules = ".cfa: sp 8 + .ra: .cfa -4 + ^ pc: .cfa -8 + ^ r11: 7";
    let scene = Scene { symbols: app_cfi(rules), ..scene };
    let frames = scene.frames(ctx);
    assert_eq!(frames.len(), 1, "pc 0x44 is below 4096: end of stack");
    let rules = ".cfa: sp 8 + .ra: .cfa -8 + ^ pc: .cfa -4 + ^ r11: 7";
    let scene = Scene { symbols: app_cfi(rules), ..scene };
    let frames = scene.frames(ctx);
    assert_eq!(frames[1].registers.get("pc"), Some(APP + 0x2001));
    assert_eq!(frames[1].registers.get("fp"), Some(7));
}

#[test]
fn arm_scans_without_cfi() {
    let mut stack = StackBuilder::new(STACK, 4);
    stack.fill(2);
    let ret = stack.push(APP + 0x2001);
    let scene = Scene::new("android", stack, modules());
    let frames = scene.frames(context(Arch::Arm, &[("pc", APP + 0x1010), ("sp", STACK), ("r7", STACK + 4)]));
    assert_eq!(
        summary(&frames),
        [(APP + 0x1010, STACK, FrameTrust::Context), (APP + 0x2001, ret + 4, FrameTrust::Scan)]
    );
    assert_eq!(known(&frames[1]), ["sp", "pc"]);
}

#[test]
fn ios_arm_follows_r7_and_ignores_cfi() {
    let mut stack = StackBuilder::new(STACK, 4);
    stack.fill(1);
    let record = stack.push(0);
    stack.push(APP + 0x3001); // the caller's lr
    stack.fill(2);
    let rules = ".cfa: sp 8 + .ra: .cfa -4 + ^";
    let scene = Scene::new("ios", stack, modules()).symbols(app_cfi(rules));
    let frames =
        scene.frames(context(Arch::Arm, &[("pc", APP + 0x1010), ("sp", STACK), ("r7", record), ("lr", APP + 0x2001)]));
    assert_eq!(
        summary(&frames),
        [
            (APP + 0x1010, STACK, FrameTrust::Context),
            (APP + 0x2001, record + 8, FrameTrust::FramePointer),
            // r7 is 0 now: the stack pointer stays, which ends the walk.
        ]
    );
    assert_eq!(known(&frames[1]), ["r7", "sp", "lr", "pc"]);
    assert_eq!(frames[1].registers.get("lr"), Some(APP + 0x3001));
}

#[test]
fn arm64_cfi_uses_x_names() {
    let mut stack = StackBuilder::new(STACK, 8);
    let saved_fp = stack.push(STACK + 0x40);
    stack.push(APP + 0x2008);
    stack.fill(8);
    let rules = ".cfa: sp 16 + .ra: .cfa -8 + ^ x29: .cfa -16 + ^";
    let scene = Scene::new("linux", stack, modules()).symbols(app_cfi(rules));
    let ctx = context(Arch::Arm64, &[("pc", APP + 0x1010), ("sp", STACK), ("x19", 19), ("fp", 0x29), ("x0", 1)]);
    let frames = scene.frames(ctx);
    assert_eq!(summary(&frames)[1], (APP + 0x2008, STACK + 16, FrameTrust::Cfi));
    assert_eq!(frames[1].instruction, APP + 0x2004);
    assert_eq!(frames[1].registers.get("fp"), Some(STACK + 0x40));
    assert_eq!(frames[1].registers.get("x19"), Some(19));
    assert_eq!(frames[1].registers.get("x0"), None);
    assert_eq!(frames[1].registers.get("lr"), None);
    assert_eq!(saved_fp, STACK);
}

#[test]
fn arm64_scans_when_nothing_else_works() {
    let mut stack = StackBuilder::new(STACK, 8);
    stack.fill(3);
    let ret = stack.push(APP + 0x2008);
    let scene = Scene::new("linux", stack, modules());
    // fp points outside the stack: the frame pointer step fails.
    let ctx = context(Arch::Arm64, &[("pc", APP + 0x1010), ("sp", STACK), ("fp", 0x10), ("lr", 0)]);
    let frames = scene.frames(ctx);
    assert_eq!(summary(&frames)[1], (APP + 0x2008, ret + 8, FrameTrust::Scan));
}
