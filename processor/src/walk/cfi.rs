//! `STACK CFI` rules: the caller's registers from the callee's, by
//! Breakpad's `CFIFrameInfo::FindCallerRegs` and `SimpleCFIWalker`.
//!
//! A rule set must have a `.cfa` rule (the canonical frame address, the
//! stack pointer's value before the call) and a `.ra` rule (the return
//! address). Each is a postfix expression over the callee's known
//! registers; the `.ra` rule and the register rules may also use `.cfa`.
//! Then, for each register the CPU's CFI table names:
//!
//! 1. the value of its own rule, if it has one and that evaluates;
//! 2. else, for the instruction and stack pointers, `.ra` and `.cfa`;
//! 3. else, for a callee-saved register the callee knows, the callee's
//!    value;
//! 4. else it is unknown in the caller.
//!
//! The caller must know the CPU's essential registers (x86: `%eip`, `%esp`,
//! `%ebp`; amd64: `%rip` and `%rsp`, both non-zero; ARM: `pc` and `sp`),
//! else the rules are not used.

use super::arch::Cpu;
use super::frame_pointer::strip_pointer_auth;
use super::memory::Stack;
use super::postfix::{Dictionary, Evaluator, Variables};
use super::Unwind;
use crate::frame::{FrameTrust, StackFrame};
use crate::registers::{same_name, Arch, Registers};

/// A rule set: one expression per register, the last given winning.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RuleSet<'r> {
    /// The canonical frame address rule.
    pub cfa: Option<&'r str>,
    /// The return address rule.
    pub ra: Option<&'r str>,
    /// The other rules, by register name as the rules spell it.
    pub registers: Vec<(&'r str, &'r str)>,
}

impl<'r> RuleSet<'r> {
    /// The rules of `(register, expression)` pairs, in the order they
    /// apply.
    pub fn new(pairs: &[(&'r str, &'r str)]) -> RuleSet<'r> {
        let mut set = RuleSet::default();
        for &(name, expression) in pairs {
            match name {
                ".cfa" => set.cfa = Some(expression),
                ".ra" => set.ra = Some(expression),
                _ => match set.registers.iter_mut().find(|(n, _)| same_name(n, name)) {
                    Some(rule) => rule.1 = expression,
                    None => set.registers.push((name, expression)),
                },
            }
        }
        set
    }
}

/// What rules may read: the callee's known registers under their CFI
/// names, `.cfa` once computed, and anything the expression itself
/// assigns.
struct CfiVariables<'r, 'p> {
    cpu: &'static Cpu,
    callee: &'r Registers,
    cfa: Option<u64>,
    assigned: Dictionary<'p>,
}

impl<'p> Variables<'p> for CfiVariables<'_, 'p> {
    fn get(&self, name: &str) -> Option<u64> {
        if let Some(value) = self.assigned.get(name) {
            return Some(value);
        }
        if name == ".cfa" {
            return self.cfa;
        }
        let register = self.cpu.cfi.iter().find(|r| same_name(r.name, name))?;
        self.callee.get_index(register.index)
    }

    fn set(&mut self, name: &'p str, value: u64) -> bool {
        self.assigned.set(name, value)
    }
}

/// The caller's registers by `rules` from the `callee`'s, reading `stack`;
/// `None` if the rules lack `.cfa` or `.ra`, either fails to evaluate, or
/// the caller would lack an essential register.
pub fn caller_registers(
    cpu: &'static Cpu,
    stack: &Stack<'_>,
    rules: &RuleSet<'_>,
    callee: &Registers,
) -> Option<Registers> {
    let (cfa_rule, ra_rule) = (rules.cfa?, rules.ra?);
    let read = |address| stack.word(address);
    let evaluator = Evaluator::new(cpu.word, &read);
    let evaluate = |expression, cfa| {
        let mut vars = CfiVariables { cpu, callee, cfa, assigned: Dictionary::new() };
        evaluator.value(expression, &mut vars).ok()
    };
    let cfa = evaluate(cfa_rule, None)?;
    let ra = evaluate(ra_rule, Some(cfa))?;

    let mut caller = Registers::new(cpu.arch);
    for register in cpu.cfi {
        let own = rules.registers.iter().find(|(name, _)| same_name(name, register.name));
        let value = own
            .and_then(|(_, expression)| evaluate(expression, Some(cfa)))
            .or(match register.alternate {
                Some(".ra") => Some(ra),
                Some(".cfa") => Some(cfa),
                _ => None,
            })
            .or_else(|| callee.get_index(register.index).filter(|_| register.callee_saved));
        if let Some(value) = value {
            caller.set_index(register.index, value);
        }
    }
    let essential = |&index: &usize| caller.get_index(index).is_some_and(|v| v != 0 || !cpu.cfi_essentials_non_zero);
    cpu.cfi_essentials.iter().all(essential).then_some(caller)
}

/// The caller by the `STACK CFI` rules at the last frame's instruction.
pub fn caller(u: &Unwind<'_, '_, '_>) -> Option<StackFrame> {
    let (module, offset) = u.symbolized_at(u.last.instruction)?;
    let mut registers = None;
    u.symbols.cfi_rules(module, offset, &mut |pairs| {
        registers = caller_registers(u.cpu, &u.stack, &RuleSet::new(pairs), &u.last.registers);
    });
    let mut registers = registers?;
    if u.cpu.arch == Arch::Arm64 {
        let pc = registers.get("pc")?;
        registers.set("pc", strip_pointer_auth(u, pc));
    }
    Some(StackFrame::new(0, FrameTrust::Cfi, registers))
}
