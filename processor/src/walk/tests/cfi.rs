//! `STACK CFI` rules on amd64 and x86.

use super::*;
use crate::walk::arch::Cpu;
use crate::walk::cfi::{caller_registers, RuleSet};
use crate::walk::memory::Stack;

const APP: u64 = 0x40_0000;
const STACK: u64 = 0x7fff_0000;

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

/// S: saved %rbx, S+8: the return address.
fn pushed_rbx_stack() -> StackBuilder {
    let mut stack = StackBuilder::new(STACK, 8);
    stack.push(0x55);
    stack.push(APP + 0x2005);
    stack.fill(4);
    stack
}

fn amd64_context() -> Registers {
    context(
        Arch::Amd64,
        &[("rip", APP + 0x1010), ("rsp", STACK), ("rbx", 0x77), ("rbp", 0x99), ("r12", 0x12), ("rax", 0xa)],
    )
}

#[test]
fn amd64_rules_recover_the_caller() {
    let rules = ".cfa: $rsp 16 + .ra: .cfa -8 + ^ $rbx: .cfa -16 + ^";
    let scene = Scene::new("linux", pushed_rbx_stack(), modules()).symbols(app_cfi(rules));
    let frames = scene.frames(amd64_context());
    assert_eq!(summary(&frames)[1], (APP + 0x2005, STACK + 16, FrameTrust::Cfi));
    let f = &frames[1];
    assert_eq!(f.instruction, APP + 0x2004);
    assert_eq!(f.function_name.as_deref(), Some("caller"));
    // The rule's %rbx, the callee-saved registers carried over, nothing
    // volatile.
    assert_eq!(known(f), ["rbx", "rbp", "rsp", "r12", "r13", "r14", "r15", "rip"]);
    assert_eq!(f.registers.get("rbx"), Some(0x55));
    assert_eq!(f.registers.get("rbp"), Some(0x99));
    assert_eq!(f.registers.get("r12"), Some(0x12));
}

#[test]
fn a_failing_register_rule_is_skipped() {
    // %rbx's rule reads unreadable memory: the callee's %rbx carries over.
    let scene = Scene::new("linux", pushed_rbx_stack(), modules())
        .symbols(app_cfi(".cfa: $rsp 16 + .ra: .cfa -8 + ^ $rbx: 5 ^ $rax: .cfa"));
    let frames = scene.frames(amd64_context());
    assert_eq!(frames[1].trust, FrameTrust::Cfi);
    assert_eq!(frames[1].registers.get("rbx"), Some(0x77));
    // A rule for a volatile register still gives it.
    assert_eq!(frames[1].registers.get("rax"), Some(STACK + 16));
}

#[test]
fn rules_without_cfa_or_ra_or_essentials_are_not_used() {
    let ctx = amd64_context();
    for rules in [
        ".cfa: $rsp 16 +",                    // no .ra
        ".ra: $rsp 8 + ^",                    // no .cfa
        ".cfa: $rsp 16 + .ra: 0",             // %rip of 0
        ".cfa: 0 .ra: .cfa -8 + ^",           // unreadable return address
        ".cfa: $rsp 16 + .ra: $rflags",       // no such register
        ".cfa: $rsp 16 + .ra: .cfa -8 + ^ 1", // leaves two values
    ] {
        let scene = Scene::new("linux", pushed_rbx_stack(), modules()).symbols(app_cfi(rules));
        let frames = scene.frames(ctx);
        // The frame pointer (%rbp 0x99, not aligned) fails too: a scan
        // finds the return address.
        assert_eq!(summary(&frames)[1], (APP + 0x2005, STACK + 16, FrameTrust::Scan), "{rules}");
    }
}

#[test]
fn rules_may_use_temporaries_and_later_rules_win() {
    let rules = ".cfa: $T0 $rsp = $T0 16 + .ra: .cfa -8 + ^ .cfa: $rsp 8 +";
    // The second .cfa wins: the return address is read at S (0x55): not a
    // module, so ... the caller's %rip is 0x55, below 4096: end of stack.
    let scene = Scene::new("linux", pushed_rbx_stack(), modules()).symbols(app_cfi(rules));
    assert_eq!(scene.frames(amd64_context()).len(), 1);
    let rules = ".cfa: $T0 $rsp = $T0 16 + .ra: .cfa -8 + ^";
    let scene = Scene::new("linux", pushed_rbx_stack(), modules()).symbols(app_cfi(rules));
    assert_eq!(summary(&scene.frames(amd64_context()))[1], (APP + 0x2005, STACK + 16, FrameTrust::Cfi));
}

#[test]
fn x86_rules_keep_ebx_esi_edi_and_need_ebp() {
    let mut stack = StackBuilder::new(STACK, 4);
    stack.push(STACK + 0x40); // saved %ebp
    stack.push(APP + 0x2005);
    stack.fill(4);
    let ctx = context(
        Arch::X86,
        &[("eip", APP + 0x1010), ("esp", STACK), ("ebp", STACK), ("ebx", 1), ("esi", 2), ("edi", 3), ("eax", 4)],
    );
    let rules = ".cfa: $esp 8 + .ra: .cfa 4 - ^ $ebp: .cfa 8 - ^";
    let scene = Scene::new("linux", stack, modules()).symbols(app_cfi(rules));
    let frames = scene.frames(ctx);
    assert_eq!(summary(&frames)[1], (APP + 0x2005, STACK + 8, FrameTrust::Cfi));
    assert_eq!(known(&frames[1]), ["eip", "esp", "ebp", "ebx", "esi", "edi"]);
    assert_eq!(frames[1].registers.get("ebp"), Some(STACK + 0x40));

    // Without a known %ebp in the caller, the rules are not used: here the
    // frame pointer then reads the same words (from the stale %ebp).
    let scene = Scene { symbols: app_cfi(".cfa: $esp 8 + .ra: .cfa 4 - ^"), ..scene };
    let mut ctx_no_ebp = ctx;
    ctx_no_ebp.forget("ebp");
    let frames = scene.frames(ctx_no_ebp);
    assert_eq!(summary(&frames)[1], (APP + 0x2005, STACK + 8, FrameTrust::FramePointer));
    assert_eq!(scene.frames(ctx)[1].trust, FrameTrust::Cfi, "%ebp carried over");
}

#[test]
fn caller_registers_directly() {
    // A 32-bit rule set wraps at 32 bits.
    let cpu = Cpu::of(Arch::X86).unwrap();
    let bytes: Vec<u8> = [0u32, 0x1234].iter().flat_map(|w| w.to_le_bytes()).collect();
    let region = MemoryRegion { base: 0, bytes: Bytes::new(&bytes) };
    let stack = Stack::new(cpu, Some(region));
    let callee = regs(Arch::X86, &[("esp", 0xffff_fffc), ("ebp", 4)]);
    let owned = mdump_rule_pairs(".cfa: $esp 8 + .ra: .cfa ^ $ebp: $ebp");
    let pairs = borrowed(&owned);
    let caller = caller_registers(cpu, &stack, &RuleSet::new(&pairs), &callee).unwrap();
    assert_eq!(caller.get("esp"), Some(4));
    assert_eq!(caller.get("eip"), Some(0x1234));
    assert_eq!(caller.get("ebp"), Some(4));
    let set = RuleSet::new(&pairs);
    assert_eq!(set.cfa, Some("$esp 8 +"));
    assert_eq!(set.registers, [("$ebp", "$ebp")]);
}
