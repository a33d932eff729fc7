//! Frame pointer chains: amd64 `%rbp`, x86 `%ebp` (with its scan), arm64
//! `x29`/`lr`.

use super::*;

const APP: u64 = 0x40_0000;
const STACK: u64 = 0x7fff_0000;

fn modules() -> Vec<CodeModule> {
    vec![module("app", APP, 0x10000)]
}

/// Lays out `frames` frame records `[saved fp][return address]` with `gap`
/// filler words below each; returns the stack and the first record's
/// address. The last record saves `last_saved`.
fn chain(word: u64, returns: &[u64], gap: u64, last_saved: u64) -> (StackBuilder, Vec<u64>) {
    let mut stack = StackBuilder::new(STACK, word);
    let mut records = Vec::new();
    for &ret in returns {
        stack.fill(gap);
        records.push(stack.push(0));
        stack.push(ret);
    }
    for pair in 0..records.len() {
        let saved = records.get(pair + 1).copied().unwrap_or(last_saved);
        stack.set(records[pair], saved);
    }
    stack.fill(gap);
    (stack, records)
}

#[test]
fn amd64_follows_rbp() {
    let (stack, records) = chain(8, &[APP + 0x1105, APP + 0x1205, APP + 0x1305], 2, 0);
    let scene = Scene::new("linux", stack, modules());
    let frames = scene.frames(context(Arch::Amd64, &[("rip", APP + 0x1000), ("rsp", STACK), ("rbp", records[0])]));
    assert_eq!(
        summary(&frames),
        [
            (APP + 0x1000, STACK, FrameTrust::Context),
            (APP + 0x1105, records[0] + 16, FrameTrust::FramePointer),
            (APP + 0x1205, records[1] + 16, FrameTrust::FramePointer),
            // The last record saves 0, below its own frame: not a frame
            // pointer, so a scan finds the same return address.
            (APP + 0x1305, records[2] + 16, FrameTrust::Scan),
        ]
    );
    assert_eq!(known(&frames[1]), ["rbp", "rsp", "rip"]);
    assert_eq!(frames[1].registers.get("rbp"), Some(records[1]));
    // %rbp pointed at the saved 0 below the return address: not carried.
    assert_eq!(known(&frames[3]), ["rsp", "rip"]);
}

#[test]
fn amd64_rejects_what_cannot_be_a_frame_pointer() {
    // Not 8-aligned.
    let (stack, records) = chain(8, &[APP + 0x1105], 2, STACK + 0x1000);
    let scene = Scene::new("linux", stack, modules());
    let ctx = |rbp| context(Arch::Amd64, &[("rip", APP + 0x1000), ("rsp", STACK), ("rbp", rbp)]);
    assert_eq!(scene.frames(ctx(records[0] + 1))[1].trust, FrameTrust::Scan);
    // The caller's %rbp is not readable.
    assert_eq!(scene.frames(ctx(records[0]))[1].trust, FrameTrust::Scan);
    // A non-canonical return address.
    let (mut stack, records) = chain(8, &[0x8000_0000_0000], 2, 0);
    let top = stack.push(0);
    stack.set(records[0], top);
    let scene = Scene::new("linux", stack, modules());
    assert_eq!(scene.frames(ctx(records[0])).len(), 1);
    // Never on Windows.
    let (stack, records) = chain(8, &[APP + 0x1105, APP + 0x1205], 2, 0);
    let scene = Scene::new("windows", stack, modules());
    let frames = scene.frames(ctx(records[0]));
    assert!(frames[1..].iter().all(|f| f.trust == FrameTrust::Scan), "{:?}", summary(&frames));
}

#[test]
fn x86_follows_ebp() {
    let (stack, records) = chain(4, &[APP + 0x1105, APP + 0x1205], 1, 0);
    let scene = Scene::new("windows", stack, modules());
    let frames = scene.frames(context(Arch::X86, &[("eip", APP + 0x1000), ("esp", STACK), ("ebp", records[0])]));
    assert_eq!(
        summary(&frames),
        [
            (APP + 0x1000, STACK, FrameTrust::Context),
            (APP + 0x1105, records[0] + 8, FrameTrust::FramePointer),
            (APP + 0x1205, records[1] + 8, FrameTrust::FramePointer),
        ]
    );
    assert_eq!(known(&frames[1]), ["eip", "esp", "ebp"]);
    // The last record's saved %ebp is 0: reading [0] fails, so a scan; the
    // stack above has no return address left: the walk ends.
    assert_eq!(frames[2].registers.get("ebp"), Some(0));
}

#[test]
fn x86_scans_when_ebp_leads_nowhere_and_restores_the_chain() {
    let mut stack = StackBuilder::new(STACK, 4);
    stack.fill(3);
    let saved = stack.push(STACK + 0x40); // the caller's %ebp, 0x30 above
    let ret = stack.push(APP + 0x1105);
    stack.fill(20);
    let scene = Scene::new("windows", stack, modules());
    let frames = scene.frames(context(Arch::X86, &[("eip", APP + 0x1000), ("esp", STACK), ("ebp", 0x1234)]));
    assert_eq!(summary(&frames)[1], (APP + 0x1105, ret + 4, FrameTrust::Scan));
    assert_eq!(frames[1].registers.get("ebp"), Some(STACK + 0x40));
    assert_eq!(saved, ret - 4);

    // A saved value that is no frame pointer (below, or too far above):
    // %ebp is presumed unchanged.
    for bad in [STACK, saved + 128 * 1024 + 4] {
        let mut s = StackBuilder::new(STACK, 4);
        s.bytes.clone_from(&scene.stack.bytes);
        s.set(saved, bad);
        let scene = Scene::new("windows", s, modules());
        let frames = scene.frames(context(Arch::X86, &[("eip", APP + 0x1000), ("esp", STACK), ("ebp", 0x1234)]));
        assert_eq!(frames[1].registers.get("ebp"), Some(0x1234), "{bad:#x}");
    }
}

#[test]
fn x86_stacks_above_4_gib_are_not_walked() {
    let mut stack = StackBuilder::new(0xffff_fff0, 4);
    stack.fill(4);
    stack.push(APP + 0x1105);
    let scene = Scene::new("windows", stack, modules());
    let frames = scene.frames(context(Arch::X86, &[("eip", APP + 0x1000), ("esp", 0xffff_fff0), ("ebp", 0)]));
    assert_eq!(frames.len(), 1);
}

#[test]
fn arm64_follows_fp_and_lr() {
    let (stack, records) = chain(8, &[APP + 0x1208, APP + 0x1308], 2, 0);
    let scene = Scene::new("linux", stack, modules());
    let ctx = context(Arch::Arm64, &[("pc", APP + 0x1000), ("sp", STACK), ("fp", records[0]), ("lr", APP + 0x1108)]);
    let frames = scene.frames(ctx);
    assert_eq!(
        summary(&frames),
        [
            (APP + 0x1000, STACK, FrameTrust::Context),
            // The context's caller is at its link register.
            (APP + 0x1108, records[0] + 16, FrameTrust::FramePointer),
            (APP + 0x1208, records[1] + 16, FrameTrust::FramePointer),
            // fp 0: the stack pointer stays, which ends the walk.
        ]
    );
    assert_eq!(frames[1].instruction, APP + 0x1104);
    assert_eq!(known(&frames[1]), ["fp", "lr", "sp", "pc"]);
    assert_eq!(frames[1].registers.get("lr"), Some(APP + 0x1208));
    assert_eq!(frames[2].registers.get("fp"), Some(0));
}

#[test]
fn arm64_strips_pointer_authentication_bits() {
    let (stack, records) = chain(8, &[0x0021_0000_0000_0000 | (APP + 0x1208), APP + 0x1308], 2, 0);
    let scene = Scene::new("linux", stack, modules());
    let signed_lr = 0x0042_0000_0000_0000 | (APP + 0x1108);
    let frames = scene
        .frames(context(Arch::Arm64, &[("pc", APP + 0x1000), ("sp", STACK), ("fp", records[0]), ("lr", signed_lr)]));
    assert_eq!(frames[1].registers.get("pc"), Some(APP + 0x1108));
    assert_eq!(frames[1].registers.get("lr"), Some(APP + 0x1208));
    assert_eq!(frames[2].registers.get("pc"), Some(APP + 0x1208));
}

#[test]
fn arm64_recovers_an_unknown_link_register_from_the_chain() {
    // Frame 1 comes from CFI that recovers x29 but not the link register;
    // its link register is then read from frame 0's frame record, provided
    // that record saves frame 1's x29.
    let (stack, records) = chain(8, &[APP + 0x2108, APP + 0x2208], 2, 0);
    let app = FakeModule { cfi: vec![(0x1000, 0x100, ".cfa: sp .ra: x30 x29: x29".into())], ..FakeModule::loaded() };
    let mut scene = Scene::new("linux", stack, modules()).symbols(FakeSymbols::default().with("app", app));
    let ctx = context(Arch::Arm64, &[("pc", APP + 0x1000), ("sp", STACK), ("fp", records[0]), ("lr", APP + 0x3008)]);
    let frames = scene.frames(ctx);
    assert_eq!(summary(&frames)[1], (APP + 0x3008, STACK, FrameTrust::Cfi));
    assert_eq!(frames[1].registers.get("lr"), None);
    assert_eq!(frames[1].registers.get("fp"), Some(records[0]));
    // Frame 0's record (at records[0]) saves records[1], not frame 1's x29:
    // no agreement, the stale link register (0) is the caller, which ends
    // the walk.
    assert_eq!(frames.len(), 2, "{:?}", summary(&frames));

    // CFI that restores x29 from the record: they agree.
    let app = FakeModule { cfi: vec![(0x1000, 0x100, ".cfa: sp .ra: x30 x29: x29 ^".into())], ..FakeModule::loaded() };
    scene.symbols = FakeSymbols::default().with("app", app);
    let frames = scene.frames(ctx);
    assert_eq!(frames[1].registers.get("fp"), Some(records[1]));
    assert_eq!(summary(&frames)[2], (APP + 0x2108, records[1] + 16, FrameTrust::FramePointer));
}
