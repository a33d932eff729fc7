//! Hostile stacks and symbols: loops, stack pointers that do not move,
//! huge or wrapping CFAs, deep recursion, monstrous programs. Every walk
//! ends, within the caps.

use super::*;
use crate::walk::postfix::MAX_TOKENS;
use crate::walker::MAX_FRAMES;

const APP: u64 = 0x40_0000;
const STACK: u64 = 0x0012_0000;

fn modules() -> Vec<CodeModule> {
    vec![module("app", APP, 0x10000)]
}

fn cfi(rules: &'static str) -> FakeSymbols {
    let app = FakeModule {
        functions: vec![(0x1000, 0x100, "f", 0)],
        // The whole module, so that a caller at the same address (minus one)
        // finds the same rules.
        cfi: vec![(0, 0x10000, rules.into())],
        ..FakeModule::loaded()
    };
    FakeSymbols::default().with("app", app)
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
fn cfi_that_does_not_move_the_stack_pointer_ends() {
    let mut stack = StackBuilder::new(STACK, 8);
    stack.fill(8);
    // The caller of the context frame may share its stack pointer (a leaf
    // that did not touch the stack), but not the next one.
    let scene = Scene::new("linux", stack, modules()).symbols(cfi(".cfa: $rsp .ra: $rip"));
    let frames = scene.frames(context(Arch::Amd64, &[("rip", APP + 0x1000), ("rsp", STACK)]));
    assert_eq!(summary(&frames), [(APP + 0x1000, STACK, FrameTrust::Context), (APP + 0x1000, STACK, FrameTrust::Cfi)]);
    // Moving down ends the walk at once.
    let scene = Scene { symbols: cfi(".cfa: $rsp 8 - .ra: $rip"), ..scene };
    assert_eq!(scene.frames(context(Arch::Amd64, &[("rip", APP + 0x1000), ("rsp", STACK)])).len(), 1);
    // So does wrapping around the address space.
    let scene = Scene { symbols: cfi(".cfa: $rsp 18446744073709551615 + .ra: $rip"), ..scene };
    assert_eq!(scene.frames(context(Arch::Amd64, &[("rip", APP + 0x1000), ("rsp", STACK)])).len(), 1);
}

#[test]
fn huge_cfas_read_nothing_and_the_walk_is_capped() {
    let mut stack = StackBuilder::new(STACK, 8);
    stack.fill(8);
    // A CFA far outside the stack: the return address cannot be read, CFI
    // fails and the scan finds nothing either.
    let scene = Scene::new("linux", stack, modules()).symbols(cfi(".cfa: $rsp 1000000000000 + .ra: .cfa -8 + ^"));
    assert_eq!(scene.frames(context(Arch::Amd64, &[("rip", APP + 0x1000), ("rsp", STACK)])).len(), 1);
    // A CFA that climbs forever without reading memory: every frame makes
    // progress, so only the frame cap stops it.
    let scene = Scene { symbols: cfi(".cfa: $rsp 1000000000 + .ra: $rip"), ..scene };
    let frames = scene.frames(context(Arch::Amd64, &[("rip", APP + 0x1000), ("rsp", STACK)]));
    assert_eq!(frames.len(), MAX_FRAMES);
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
fn monstrous_programs_are_refused() {
    let mut stack = StackBuilder::new(STACK, 4);
    let ret = stack.push(APP + 0x2005);
    stack.fill(4);
    let long = format!("$eip {} =", "1 + ".repeat(MAX_TOKENS));
    let deep = format!("$eip {} =", "1 ".repeat(1000));
    for program in [long.as_str(), deep.as_str(), "$eip 0 0 / =", "$eip $eip ^ ^ ^ ^ ="] {
        let info = WinFrameInfo { program_string: Some(program.into()), ..WinFrameInfo::default() };
        let app = FakeModule {
            functions: vec![(0x1000, 0x100, "f", 0), (0x2000, 0x100, "g", 0)],
            win: vec![(0x1000, 0x100, info)],
            ..FakeModule::loaded()
        };
        let scene = Scene::new(
            "windows",
            StackBuilder { bytes: stack.bytes.clone(), ..StackBuilder::new(STACK, 4) },
            modules(),
        )
        .symbols(FakeSymbols::default().with("app", app));
        let frames = scene.frames(context(Arch::X86, &[("eip", APP + 0x1000), ("esp", STACK), ("ebp", 0)]));
        // The program fails; a scan finds the return address.
        assert_eq!(summary(&frames)[1], (APP + 0x2005, ret + 4, FrameTrust::Scan), "{}", &program[..20]);
    }
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

/// xorshift64: reproducible noise without a dependency.
struct Noise(u64);

impl Noise {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn pick<'t>(&mut self, from: &[&'t str]) -> &'t str {
        from[(self.next() % from.len() as u64) as usize]
    }

    /// 1 to 8 tokens of `soup`.
    fn expression(&mut self, soup: &[&str]) -> String {
        let n = 1 + self.next() % 8;
        (0..n).map(|_| self.pick(soup)).collect::<Vec<_>>().join(" ")
    }
}

#[test]
fn random_stacks_and_rules_never_panic() {
    let arches = [
        (Arch::X86, "windows", ["$eip", "$esp", "$ebp", "$ebx"]),
        (Arch::Amd64, "linux", ["$rip", "$rsp", "$rbp", "$rbx"]),
        (Arch::Amd64, "windows", ["$rip", "$rsp", "$rbp", "$r12"]),
        (Arch::Arm, "ios", ["pc", "sp", "r7", "lr"]),
        (Arch::Arm64, "linux", ["pc", "sp", "x29", "x30"]),
    ];
    let mut noise = Noise(0x9e37_79b9_7f4a_7c15);
    for round in 0..400 {
        let (arch, os, names) = arches[round % arches.len()];
        let word = u64::from(arch.pointer_size());
        let mut soup = vec![
            ".cfa",
            "0",
            "4",
            "8",
            "-8",
            "16",
            "+",
            "-",
            "*",
            "/",
            "%",
            "@",
            "^",
            "=",
            "$T0",
            ".raSearchStart",
            ".cbSavedRegs",
        ];
        soup.extend(names);
        // Half the time well-formed rules and programs with random offsets,
        // half the time token soup.
        let (sp, fp) = (names[1], names[2]);
        let rules = if noise.next().is_multiple_of(2) {
            let (cfa, ra) = (word * (noise.next() % 6), word * (noise.next() % 3));
            format!(".cfa: {sp} {cfa} + .ra: .cfa {ra} - ^ {fp}: .cfa {} - ^", 2 * word)
        } else {
            format!(
                ".cfa: {} .ra: {} {}: {}",
                noise.expression(&soup),
                noise.expression(&soup),
                noise.pick(&names),
                noise.expression(&soup)
            )
        };
        let program = if noise.next().is_multiple_of(2) {
            "$T0 $ebp = $eip $T0 4 + ^ = $ebp $T0 ^ = $esp $T0 8 + =".to_string()
        } else {
            format!("{} = {} =", noise.expression(&soup), noise.expression(&soup))
        };
        let win = WinFrameInfo {
            kind: if noise.next().is_multiple_of(2) {
                crate::walk::WinFrameKind::Fpo
            } else {
                crate::walk::WinFrameKind::FrameData
            },
            parameter_size: (noise.next() % 16) as u32,
            saved_register_size: (noise.next() % 16) as u32,
            local_size: (noise.next() % 64) as u32,
            program_string: (!noise.next().is_multiple_of(3)).then_some(program),
            allocates_base_pointer: noise.next().is_multiple_of(2),
            ..WinFrameInfo::default()
        };
        let app = FakeModule {
            functions: vec![(0x1000, 0x800, "f", 4)],
            cfi: vec![(0, 0x1800, rules)],
            win: vec![(0x800, 0x1000, win)],
            ..FakeModule::loaded()
        };
        // Words that are code, stack addresses, or junk.
        let mut stack = StackBuilder::new(STACK, word);
        for _ in 0..64 {
            let value = match noise.next() % 4 {
                0 => APP + noise.next() % 0x2000,
                1 => STACK + noise.next() % 0x300,
                2 => 0,
                _ => noise.next(),
            };
            stack.push(value & if word == 4 { 0xffff_ffff } else { u64::MAX });
        }
        let scene = Scene::new(os, stack, modules()).symbols(FakeSymbols::default().with("app", app));
        let mut ctx = context(arch, &[]);
        for name in arch.register_names() {
            let value = match noise.next() % 3 {
                0 => STACK + noise.next() % 0x200,
                1 => APP + noise.next() % 0x1800,
                _ => noise.next(),
            };
            ctx.set(name, value & if word == 4 { 0xffff_ffff } else { u64::MAX });
        }
        let frames = scene.frames(ctx);
        assert!(!frames.is_empty() && frames.len() <= MAX_FRAMES);
        for pair in frames.windows(2).skip(1) {
            let (callee, caller) = (pair[0].registers.stack_pointer(), pair[1].registers.stack_pointer());
            assert!(caller > callee, "round {round}: {:?}", summary(&frames));
        }
    }
}
