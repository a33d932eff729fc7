//! Unit tests of each unwinder on hand-made stacks: memory built word by
//! word, modules and symbols written by hand.

mod arm;
mod cfi;
mod frame_pointer;
mod hostile;
mod scan;
mod stack_win;

use super::provider::{FunctionInfo, LineInfo, RulesFn, SymbolProvider, WinFrameInfo};
use super::BreakpadWalker;
use crate::code_module::{CodeModule, SymbolStatus};
use crate::frame::{FrameTrust, StackFrame};
use crate::registers::{Arch, Registers};
use crate::system::SystemInfo;
use crate::walker::{walk, Walk, WalkContext};
use mdump_reader::{Bytes, MemoryIndex, MemoryRegion};
use std::collections::HashMap;

/// A stack being built: words from `base` up.
pub struct StackBuilder {
    pub base: u64,
    pub word: u64,
    pub bytes: Vec<u8>,
}

impl StackBuilder {
    pub fn new(base: u64, word: u64) -> Self {
        StackBuilder { base, word, bytes: Vec::new() }
    }

    /// The address of the next word.
    pub fn here(&self) -> u64 {
        self.base + self.bytes.len() as u64
    }

    /// Appends a word; returns its address.
    pub fn push(&mut self, value: u64) -> u64 {
        let at = self.here();
        self.bytes.extend_from_slice(&value.to_le_bytes()[..self.word as usize]);
        at
    }

    /// Appends `n` words of filler that look like nothing (1, 2, ...).
    pub fn fill(&mut self, n: u64) -> u64 {
        let at = self.here();
        for i in 0..n {
            self.push(i + 1);
        }
        at
    }

    /// Overwrites the word at `address`.
    pub fn set(&mut self, address: u64, value: u64) {
        let off = (address - self.base) as usize;
        let w = self.word as usize;
        self.bytes[off..off + w].copy_from_slice(&value.to_le_bytes()[..w]);
    }
}

pub fn module(name: &str, base: u64, size: u64) -> CodeModule {
    CodeModule {
        base,
        size,
        code_file: name.to_string(),
        code_identifier: String::new(),
        debug_file: name.to_string(),
        debug_identifier: "0".repeat(33),
        version: None,
        time_date_stamp: 0,
        is_main: false,
        symbols: SymbolStatus::NotLookedUp,
    }
}

/// One module's hand-written symbols (addresses relative to its base).
#[derive(Default, Clone)]
pub struct FakeModule {
    pub status: Option<SymbolStatus>,
    /// `(address, size, name, parameter size)`.
    pub functions: Vec<(u64, u64, &'static str, u32)>,
    /// `(address, name)`.
    pub publics: Vec<(u64, &'static str)>,
    /// `(address, size, line, file)`.
    pub lines: Vec<(u64, u64, u32, &'static str)>,
    /// `(address, size, rules)`: the rules in force over the whole range.
    pub cfi: Vec<(u64, u64, String)>,
    /// `(address, size, record)`.
    pub win: Vec<(u64, u64, WinFrameInfo)>,
}

impl FakeModule {
    pub fn loaded() -> Self {
        FakeModule { status: Some(SymbolStatus::Loaded), ..FakeModule::default() }
    }
}

/// Symbols by module name; a module not listed has none (`Missing`).
#[derive(Default, Clone)]
pub struct FakeSymbols {
    pub modules: HashMap<&'static str, FakeModule>,
}

impl FakeSymbols {
    pub fn with(mut self, name: &'static str, module: FakeModule) -> Self {
        self.modules.insert(name, module);
        self
    }

    fn get(&self, module: &CodeModule) -> Option<&FakeModule> {
        self.modules.get(module.code_file.as_str())
    }
}

fn inside(start: u64, size: u64, offset: u64) -> bool {
    offset >= start && offset - start < size
}

impl SymbolProvider for FakeSymbols {
    fn status(&self, module: &CodeModule) -> SymbolStatus {
        self.get(module).and_then(|m| m.status).unwrap_or(SymbolStatus::Missing)
    }

    fn function_at(&self, module: &CodeModule, offset: u64) -> Option<FunctionInfo> {
        let m = self.get(module)?;
        if let Some(&(address, _, name, parameter_size)) =
            m.functions.iter().find(|(a, size, _, _)| inside(*a, *size, offset))
        {
            return Some(FunctionInfo { name: name.into(), address, parameter_size, is_public: false });
        }
        let &(address, name) = m.publics.iter().filter(|(a, _)| *a <= offset).max_by_key(|(a, _)| *a)?;
        Some(FunctionInfo { name: name.into(), address, parameter_size: 0, is_public: true })
    }

    fn line_at(&self, module: &CodeModule, offset: u64) -> Option<LineInfo> {
        let m = self.get(module)?;
        let &(address, _, line, file) = m.lines.iter().find(|(a, size, _, _)| inside(*a, *size, offset))?;
        Some(LineInfo { file: Some(file.into()), line, address })
    }

    fn cfi_rules(&self, module: &CodeModule, offset: u64, found: &mut RulesFn<'_>) {
        let Some(m) = self.get(module) else { return };
        let Some((_, _, rules)) = m.cfi.iter().find(|(a, size, _)| inside(*a, *size, offset)) else { return };
        let pairs = mdump_rule_pairs(rules);
        found(&borrowed(&pairs));
    }

    fn win_frame(&self, module: &CodeModule, offset: u64) -> Option<WinFrameInfo> {
        let m = self.get(module)?;
        m.win.iter().find(|(a, size, _)| inside(*a, *size, offset)).map(|(_, _, info)| info.clone())
    }
}

/// `"name: expr name: expr"` as pairs.
pub fn mdump_rule_pairs(rules: &str) -> Vec<(String, String)> {
    let mut pairs: Vec<(String, String)> = Vec::new();
    for token in rules.split_whitespace() {
        match token.strip_suffix(':') {
            Some(name) => pairs.push((name.to_string(), String::new())),
            None => {
                if let Some((_, expression)) = pairs.last_mut() {
                    if !expression.is_empty() {
                        expression.push(' ');
                    }
                    expression.push_str(token);
                }
            }
        }
    }
    pairs
}

/// `pairs` as borrowed pairs.
pub fn borrowed(pairs: &[(String, String)]) -> Vec<(&str, &str)> {
    pairs.iter().map(|(name, expression)| (name.as_str(), expression.as_str())).collect()
}

/// A register set of `arch` from pairs.
pub fn regs(arch: Arch, pairs: &[(&str, u64)]) -> Registers {
    let mut r = Registers::new(arch);
    for (name, value) in pairs {
        assert!(r.set(name, *value), "{name}");
    }
    r
}

/// Every register of `arch` known (0), then `pairs`: a context frame.
pub fn context(arch: Arch, pairs: &[(&str, u64)]) -> Registers {
    let mut r = Registers::new(arch);
    for name in arch.register_names() {
        r.set(name, 0);
    }
    for (name, value) in pairs {
        assert!(r.set(name, *value), "{name}");
    }
    r
}

/// Everything one walk needs.
pub struct Scene {
    pub os: &'static str,
    pub stack: StackBuilder,
    pub modules: Vec<CodeModule>,
    pub symbols: FakeSymbols,
}

impl Scene {
    pub fn new(os: &'static str, stack: StackBuilder, mut modules: Vec<CodeModule>) -> Self {
        modules.sort_by_key(|m| m.base);
        Scene { os, stack, modules, symbols: FakeSymbols::default() }
    }

    pub fn symbols(mut self, symbols: FakeSymbols) -> Self {
        self.symbols = symbols;
        self
    }

    /// Walks from a context frame with `registers`.
    pub fn walk(&self, registers: Registers) -> Walk {
        self.walk_with(registers, &BreakpadWalker::new(&self.symbols))
    }

    pub fn walk_with(&self, registers: Registers, walker: &BreakpadWalker<&FakeSymbols>) -> Walk {
        let memory = MemoryIndex::default();
        let system = SystemInfo { os_short: self.os.to_string(), ..SystemInfo::default() };
        let region = MemoryRegion { base: self.stack.base, bytes: Bytes::new(&self.stack.bytes) };
        let context = WalkContext {
            arch: registers.arch(),
            thread_id: 1,
            stack: Some(region),
            memory: &memory,
            modules: &self.modules,
            system: &system,
        };
        walk(StackFrame::from_context(registers), &context, walker)
    }

    /// Walks and returns the frames.
    pub fn frames(&self, registers: Registers) -> Vec<StackFrame> {
        self.walk(registers).frames
    }
}

/// `(instruction pointer, stack pointer, trust)` of each frame.
pub fn summary(frames: &[StackFrame]) -> Vec<(u64, u64, FrameTrust)> {
    frames
        .iter()
        .map(|f| (f.registers.instruction_pointer().unwrap_or(0), f.registers.stack_pointer().unwrap_or(0), f.trust))
        .collect()
}

/// The names of the registers a frame knows.
pub fn known(frame: &StackFrame) -> Vec<&'static str> {
    frame.registers.iter().map(|(name, _)| name).collect()
}
