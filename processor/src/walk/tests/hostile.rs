//! Hostile stacks and symbols: loops, stack pointers that do not move,
//! huge or wrapping CFAs, deep recursion, monstrous programs. Every walk
//! ends, within the caps.

use super::*;
use crate::walker::MAX_FRAMES;

const APP: u64 = 0x40_0000;
const STACK: u64 = 0x0012_0000;

fn modules() -> Vec<CodeModule> {
    vec![module("app", APP, 0x10000)]
}

#[test]
fn a_frame_pointer_loop_ends() {
    // %ebp points at itself.
    let mut stack = StackBuilder::new(STACK, 4);
    let record = stack.push(STACK);
    stack.push(APP + 0x1005);
    let scene = Scene::new("windows", stack, modules());
    let frames = scene.frames(context(Arch::X86, &[("eip", APP + 0x1000), ("esp", STACK), ("ebp", record)]));
    assert_eq!(frames.len(), 2, "{:?}", summary(&frames));

    // Two records pointing at each other.
    let mut stack = StackBuilder::new(STACK, 4);
    let a = stack.push(0);
    stack.push(APP + 0x1005);
    let b = stack.push(a);
    stack.push(APP + 0x1006);
    stack.set(a, b);
    let scene = Scene::new("windows", stack, modules());
    let frames = scene.frames(context(Arch::X86, &[("eip", APP + 0x1000), ("esp", STACK), ("ebp", a)]));
    assert_eq!(frames.len(), 3, "{:?}", summary(&frames));
}

#[test]
fn deep_recursion_is_capped() {
    // 2000 x86 frame records, each pointing at the next.
    let mut stack = StackBuilder::new(STACK, 4);
    let mut records = Vec::new();
    for _ in 0..2000 {
        records.push(stack.push(0));
        stack.push(APP + 0x1005);
    }
    for pair in records.windows(2) {
        stack.set(pair[0], pair[1]);
    }
    let scene = Scene::new("windows", stack, modules());
    let frames = scene.frames(context(Arch::X86, &[("eip", APP + 0x1000), ("esp", STACK), ("ebp", records[0])]));
    assert_eq!(frames.len(), MAX_FRAMES);
    assert!(frames[1..].iter().all(|f| f.trust == FrameTrust::FramePointer));
}

#[test]
fn garbage_stacks_walk_in_bounded_time() {
    // A stack whose every word looks like a return address: every frame is
    // a scan one word up, until the cap.
    let mut stack = StackBuilder::new(STACK, 8);
    for i in 0..4000 {
        stack.push(APP + 0x1000 + i);
    }
    let scene = Scene::new("linux", stack, modules());
    let frames = scene.frames(context(Arch::Amd64, &[("rip", APP + 0x1000), ("rsp", STACK), ("rbp", 3)]));
    assert_eq!(frames.len(), MAX_FRAMES);
    // And a stack of zeros: nothing.
    let mut stack = StackBuilder::new(STACK, 8);
    stack.fill(0);
    stack.bytes = vec![0; 1 << 16];
    let scene = Scene::new("linux", stack, modules());
    assert_eq!(scene.frames(context(Arch::Amd64, &[("rip", APP + 0x1000), ("rsp", STACK), ("rbp", 0)])).len(), 1);
}

#[test]
fn unsupported_cpus_keep_their_context_frame() {
    let mut stack = StackBuilder::new(STACK, 8);
    stack.push(APP + 0x1005);
    let scene = Scene::new("linux", stack, modules());
    let frames = scene.frames(context(Arch::Mips64, &[("pc", APP + 0x1000), ("sp", STACK)]));
    assert_eq!(frames.len(), 1);
}
