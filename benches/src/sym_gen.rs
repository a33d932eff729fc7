//! A large, realistic Breakpad symbol file for the `symbols` benchmark and the
//! peak-heap example: what a Linux x86_64 `dump_syms` writes for a big C++
//! library, with the record mix of the corpus's `breakpad_unittests.sym`
//! (about 40% line records, 50% CFI, 10% `FUNC`/`PUBLIC`/`FILE` by bytes) plus
//! new-form `INLINE` records on a quarter of the functions.
//!
//! Deterministic: the same `target_bytes` always gives the same text.

use std::fmt::Write;

/// xorshift64*: small, fast and reproducible.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }

    fn range(&mut self, lo: u64, hi: u64) -> u64 {
        lo + self.below(hi - lo + 1)
    }
}

const NAMESPACES: &[&str] = &["mozilla", "js", "base", "net", "blink", "skia", "v8::internal", "std", "webrtc", "gfx"];
const CLASSES: &[&str] = &[
    "Vector",
    "HashMap",
    "StringBuffer",
    "Parser",
    "Allocator",
    "Runtime",
    "Compositor",
    "Channel",
    "Document",
    "Thread",
];
const METHODS: &[&str] =
    &["append", "lookup", "resize", "dispatch", "run", "flush", "encode", "visit", "reset", "operator()"];
const ARGS: &[&str] = &["int", "unsigned long", "char const*", "void*", "bool", "double", "size_t"];

fn function_name(rng: &mut Rng, out: &mut String) {
    let ns = NAMESPACES[rng.below(NAMESPACES.len() as u64) as usize];
    let class = CLASSES[rng.below(CLASSES.len() as u64) as usize];
    let method = METHODS[rng.below(METHODS.len() as u64) as usize];
    let _ = write!(out, "{ns}::{class}<{ns}::Item{}>::{method}{}(", rng.below(100), rng.below(1000));
    for i in 0..rng.below(4) {
        if i > 0 {
            out.push_str(", ");
        }
        out.push_str(ARGS[rng.below(ARGS.len() as u64) as usize]);
    }
    out.push(')');
}

const CFI_REGISTERS: &[&str] = &["$rbx", "$rbp", "$r12", "$r13", "$r14", "$r15"];

/// A symbol file of about `target_bytes` (a little more).
pub fn large_sym(target_bytes: usize) -> Vec<u8> {
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let mut out = String::with_capacity(target_bytes + (1 << 20));
    out.push_str("MODULE Linux x86_64 5F1C2A9D3B7E4C8A9F0D1E2B3C4D5E6F0 libbig.so\n");
    out.push_str("INFO CODE_ID 9D2A1C5F7E3B8A4C9F0D1E2B3C4D5E6F libbig.so\n");
    const FILES: u64 = 4000;
    const ORIGINS: u64 = 6000;
    for i in 0..FILES {
        let _ = writeln!(
            out,
            "FILE {i} /build/src/{}/{}/{}_{}.cc",
            NAMESPACES[(i % 10) as usize].replace("::", "/"),
            CLASSES[(i / 10 % 10) as usize].to_lowercase(),
            METHODS[(i / 100 % 10) as usize].trim_end_matches("()"),
            i
        );
    }
    let mut name = String::new();
    for i in 0..ORIGINS {
        name.clear();
        function_name(&mut rng, &mut name);
        let _ = writeln!(out, "INLINE_ORIGIN {i} {name}");
    }
    // Functions with their lines, then publics, then CFI (the order
    // dump_syms uses); the latter two collect on the side until the total
    // reaches the target.
    let mut publics = String::new();
    let mut cfi = String::new();
    let mut address: u64 = 0x2_0000;
    let mut count = 0u64;
    while out.len() + publics.len() + cfi.len() < target_bytes {
        let size = rng.range(0x10, 0x200);
        name.clear();
        function_name(&mut rng, &mut name);
        let _ = writeln!(out, "FUNC {}{address:x} {size:x} 0 {name}", if rng.below(20) == 0 { "m " } else { "" });
        if rng.below(4) == 0 {
            // Up to three nested inlined calls at the start of the function.
            let start = address + rng.range(1, size / 4);
            let mut len = rng.range(1, size / 2);
            for depth in 0..rng.range(1, 3) {
                let start = start + depth;
                let _ = writeln!(
                    out,
                    "INLINE {depth} {} {} {} {start:x} {len:x}",
                    rng.range(1, 3000),
                    rng.below(FILES),
                    rng.below(ORIGINS)
                );
                len = (len / 2).max(1);
            }
        }
        let mut at = address;
        let end = address + size;
        let file = rng.below(FILES);
        while at < end {
            let len = rng.range(1, 0x30).min(end - at);
            let _ = writeln!(out, "{at:x} {len:x} {} {}", rng.range(1, 5000), file);
            at += len;
        }
        if count.is_multiple_of(10) {
            name.clear();
            function_name(&mut rng, &mut name);
            let _ = writeln!(publics, "PUBLIC {end:x} 0 {name}");
        }
        let _ = writeln!(cfi, "STACK CFI INIT {address:x} {size:x} .cfa: $rsp 8 + .ra: .cfa -8 + ^");
        let mut at = address;
        for k in 0..rng.range(2, 6) {
            at += rng.range(1, 8);
            if at >= end {
                break;
            }
            let register = CFI_REGISTERS[(k as usize) % CFI_REGISTERS.len()];
            let _ = writeln!(cfi, "STACK CFI {at:x} .cfa: $rsp {} + {register}: .cfa -{} + ^", 16 + 8 * k, 16 + 8 * k);
        }
        count += 1;
        address = end + rng.range(0, 0x20);
    }
    out.push_str(&publics);
    out.push_str(&cfi);
    out.into_bytes()
}
