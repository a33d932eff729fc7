//! The postfix (reverse Polish) evaluator of `STACK CFI` rules and
//! `STACK WIN` programs, with Breakpad's semantics and hard caps.
//!
//! Tokens are separated by whitespace. An operator pops its operands and
//! pushes its result; any other token is pushed as it is: a literal if it
//! reads as a decimal number (an optional leading `-` negates it, modulo
//! the word size), else a name, looked up when an operator pops it.
//!
//! | token | pops | pushes |
//! |---|---|---|
//! | `+ - * / %` | `a b` | `a op b`, wrapping at the word size; `/` and `%` by 0 fail |
//! | `@` | `a b` | `a` aligned down to a multiple of `b` (`a & !(b - 1)`) |
//! | `^` | `a` | the word in memory at `a`; an unreadable address fails |
//! | `=` | `name a` | nothing: assigns `a` to `name`, which must start with `$` |
//!
//! A token `=x` (as MSVC 2010 writes some programs) is `=` followed by `x`.
//! A name that is not defined fails the evaluation. A program
//! ([`Evaluator::run`]) must leave the stack empty, an expression
//! ([`Evaluator::value`]) exactly one value.
//!
//! Unlike Breakpad, evaluation is bounded: at most [`MAX_TOKENS`] tokens,
//! [`MAX_STACK`] stack entries and [`MAX_VARIABLES`] variables, and
//! division by zero is an error rather than a crash.

use core::fmt;

/// Most tokens one expression or program may have (the longest rule sets
/// real symbol files have are about 100 tokens, programs about 40).
pub const MAX_TOKENS: usize = 512;

/// Deepest the evaluation stack may grow.
pub const MAX_STACK: usize = 64;

/// Most distinct variables a program may define (assignments to new names).
pub const MAX_VARIABLES: usize = 64;

/// Why an evaluation failed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EvalError {
    /// More than [`MAX_TOKENS`] tokens.
    TooLong,
    /// The stack would grow past [`MAX_STACK`].
    StackOverflow,
    /// An operator found too few operands.
    StackUnderflow,
    /// A name that is not defined.
    Undefined,
    /// `=` without a name below its value, or with a name not starting
    /// with `$`, or a new variable past [`MAX_VARIABLES`].
    BadAssignment,
    /// `/` or `%` by zero.
    DivisionByZero,
    /// `^` of an address whose word is not in the captured memory.
    Unreadable,
    /// A program that left values on the stack, or an expression that did
    /// not leave exactly one.
    Unbalanced,
}

impl fmt::Display for EvalError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            EvalError::TooLong => "too many tokens",
            EvalError::StackOverflow => "stack too deep",
            EvalError::StackUnderflow => "operator without operands",
            EvalError::Undefined => "undefined name",
            EvalError::BadAssignment => "bad assignment",
            EvalError::DivisionByZero => "division by zero",
            EvalError::Unreadable => "unreadable memory",
            EvalError::Unbalanced => "values left on the stack",
        })
    }
}

/// The names an evaluation reads and assigns.
pub trait Variables<'p> {
    /// The value of `name`, if defined.
    fn get(&self, name: &str) -> Option<u64>;
    /// Assigns `value` to `name`; false if refused (no room).
    fn set(&mut self, name: &'p str, value: u64) -> bool;
}

/// A plain variable table: `(name, value, assigned by the program)`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Dictionary<'p> {
    entries: Vec<(&'p str, u64, bool)>,
}

impl<'p> Dictionary<'p> {
    /// An empty table.
    pub fn new() -> Self {
        Dictionary { entries: Vec::new() }
    }

    /// Defines `name` (not counted as assigned by a program).
    pub fn define(&mut self, name: &'p str, value: u64) {
        match self.entries.iter_mut().find(|(n, _, _)| *n == name) {
            Some(entry) => entry.1 = value,
            None => self.entries.push((name, value, false)),
        }
    }

    /// The value of `name`, 0 if undefined (what Breakpad's `operator[]`
    /// gives for a missing name).
    pub fn value_or_zero(&self, name: &str) -> u64 {
        self.get(name).unwrap_or(0)
    }

    /// Whether a program assigned `name`.
    pub fn assigned(&self, name: &str) -> bool {
        self.entries.iter().any(|(n, _, assigned)| *n == name && *assigned)
    }
}

impl<'p> Variables<'p> for Dictionary<'p> {
    fn get(&self, name: &str) -> Option<u64> {
        self.entries.iter().find(|(n, _, _)| *n == name).map(|(_, v, _)| *v)
    }

    fn set(&mut self, name: &'p str, value: u64) -> bool {
        if let Some(entry) = self.entries.iter_mut().find(|(n, _, _)| *n == name) {
            entry.1 = value;
            entry.2 = true;
            return true;
        }
        if self.entries.len() >= MAX_VARIABLES {
            return false;
        }
        self.entries.push((name, value, true));
        true
    }
}

/// A binary operator: `(a, b, word mask)` to the result, `None` for a
/// division by zero.
type BinaryOp = fn(u64, u64, u64) -> Option<u64>;

/// One stack entry: a value, or a name not resolved yet.
#[derive(Clone, Copy, Debug)]
enum Item<'p> {
    Value(u64),
    Name(&'p str),
}

/// Evaluates programs and expressions over words of one size, reading
/// memory through a function.
pub struct Evaluator<'m> {
    mask: u64,
    read: &'m dyn Fn(u64) -> Option<u64>,
}

impl<'m> Evaluator<'m> {
    /// An evaluator for `word_size`-byte words (4 or 8) reading memory with
    /// `read`, which returns the word at an address.
    pub fn new(word_size: u64, read: &'m dyn Fn(u64) -> Option<u64>) -> Self {
        let mask = if word_size >= 8 { u64::MAX } else { (1u64 << (word_size * 8)) - 1 };
        Evaluator { mask, read }
    }

    /// Runs a program of assignments; the stack must end empty. On failure
    /// the assignments made before it stay made (as in Breakpad).
    pub fn run<'p>(&self, program: &'p str, vars: &mut dyn Variables<'p>) -> Result<(), EvalError> {
        let stack = self.execute(program, vars)?;
        if stack.is_empty() {
            Ok(())
        } else {
            Err(EvalError::Unbalanced)
        }
    }

    /// Evaluates an expression to the one value it must leave.
    pub fn value<'p>(&self, expression: &'p str, vars: &mut dyn Variables<'p>) -> Result<u64, EvalError> {
        let mut stack = self.execute(expression, vars)?;
        if stack.len() != 1 {
            return Err(EvalError::Unbalanced);
        }
        self.pop_value(&mut stack, vars)
    }

    fn execute<'p>(&self, program: &'p str, vars: &mut dyn Variables<'p>) -> Result<Vec<Item<'p>>, EvalError> {
        let mut stack = Vec::new();
        let mut count = 0;
        for word in program.split_ascii_whitespace() {
            // `=$eip` is `=` then `$eip`.
            let (first, rest) = match word.strip_prefix('=') {
                Some(rest) if !rest.is_empty() => ("=", Some(rest)),
                _ => (word, None),
            };
            for token in core::iter::once(first).chain(rest) {
                count += 1;
                if count > MAX_TOKENS {
                    return Err(EvalError::TooLong);
                }
                self.token(token, &mut stack, vars)?;
            }
        }
        Ok(stack)
    }

    fn token<'p>(
        &self,
        token: &'p str,
        stack: &mut Vec<Item<'p>>,
        vars: &mut dyn Variables<'p>,
    ) -> Result<(), EvalError> {
        let m = self.mask;
        let binary: Option<BinaryOp> = match token {
            "+" => Some(|a, b, m| Some(a.wrapping_add(b) & m)),
            "-" => Some(|a, b, m| Some(a.wrapping_sub(b) & m)),
            "*" => Some(|a, b, m| Some(a.wrapping_mul(b) & m)),
            "/" => Some(|a, b, _| a.checked_div(b)),
            "%" => Some(|a, b, _| a.checked_rem(b)),
            "@" => Some(|a, b, m| Some(a & (m ^ (b.wrapping_sub(1) & m)))),
            _ => None,
        };
        if let Some(op) = binary {
            let b = self.pop_value(stack, vars)?;
            let a = self.pop_value(stack, vars)?;
            let result = op(a, b, m).ok_or(EvalError::DivisionByZero)?;
            return push(stack, Item::Value(result));
        }
        match token {
            "^" => {
                let address = self.pop_value(stack, vars)?;
                let value = (self.read)(address).ok_or(EvalError::Unreadable)?;
                push(stack, Item::Value(value & m))
            }
            "=" => {
                let value = self.pop_value(stack, vars)?;
                match stack.pop() {
                    Some(Item::Name(name)) if name.starts_with('$') => {
                        if vars.set(name, value) {
                            Ok(())
                        } else {
                            Err(EvalError::BadAssignment)
                        }
                    }
                    Some(_) => Err(EvalError::BadAssignment),
                    None => Err(EvalError::StackUnderflow),
                }
            }
            _ => push(stack, literal(token, m).map_or(Item::Name(token), Item::Value)),
        }
    }

    fn pop_value<'p>(&self, stack: &mut Vec<Item<'p>>, vars: &dyn Variables<'p>) -> Result<u64, EvalError> {
        match stack.pop() {
            Some(Item::Value(v)) => Ok(v),
            Some(Item::Name(name)) => vars.get(name).map(|v| v & self.mask).ok_or(EvalError::Undefined),
            None => Err(EvalError::StackUnderflow),
        }
    }
}

fn push<'p>(stack: &mut Vec<Item<'p>>, item: Item<'p>) -> Result<(), EvalError> {
    if stack.len() >= MAX_STACK {
        return Err(EvalError::StackOverflow);
    }
    stack.push(item);
    Ok(())
}

/// A decimal literal as Breakpad reads one (a C++ stream extraction into
/// the word type): optional `-` (negating modulo the word size), optional
/// `+`, digits, nothing else; too large for the word is not a literal.
fn literal(token: &str, mask: u64) -> Option<u64> {
    let (negative, rest) = match token.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, token),
    };
    let digits = rest.strip_prefix('+').unwrap_or(rest);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let value: u64 = digits.parse().ok().filter(|v| *v <= mask)?;
    Some(if negative { value.wrapping_neg() & mask } else { value })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn no_memory(_: u64) -> Option<u64> {
        None
    }

    fn memory(address: u64) -> Option<u64> {
        (0x1000..0x2000).contains(&address).then_some(address + 0x10)
    }

    #[test]
    fn arithmetic_wraps_at_the_word_size() {
        let e32 = Evaluator::new(4, &no_memory);
        let e64 = Evaluator::new(8, &no_memory);
        let mut d = Dictionary::new();
        assert_eq!(e32.value("1 2 -", &mut d), Ok(0xffff_ffff));
        assert_eq!(e64.value("1 2 -", &mut d), Ok(u64::MAX));
        assert_eq!(e32.value("-8", &mut d), Ok(0xffff_fff8));
        assert_eq!(e32.value("4294967295 1 +", &mut d), Ok(0));
        assert_eq!(e32.value("65536 65536 *", &mut d), Ok(0));
        assert_eq!(e32.value("17 5 /", &mut d), Ok(3));
        assert_eq!(e32.value("17 5 %", &mut d), Ok(2));
        assert_eq!(e32.value("+7", &mut d), Ok(7));
        assert_eq!(e32.value("4100 16 @", &mut d), Ok(4096));
        assert_eq!(e64.value("18446744073709551615 8 @", &mut d), Ok(u64::MAX - 7));
        // Too large for 32 bits: a name, and undefined.
        assert_eq!(e32.value("4294967296", &mut d), Err(EvalError::Undefined));
        assert_eq!(e64.value("4294967296", &mut d), Ok(1 << 32));
        assert_eq!(e32.value("0x10", &mut d), Err(EvalError::Undefined), "decimal only");
    }

    #[test]
    fn names_memory_and_assignment() {
        let e = Evaluator::new(4, &memory);
        let mut d = Dictionary::new();
        d.define("$esp", 0x1000);
        d.define(".cbSavedRegs", 8);
        assert_eq!(e.value("$esp .cbSavedRegs + ^", &mut d), Ok(0x1018));
        assert_eq!(e.run("$T0 $esp 4 + = $eip $T0 ^ =$esp $T0 4 + =", &mut d), Ok(()));
        assert_eq!(d.get("$T0"), Some(0x1004));
        assert_eq!(d.get("$eip"), Some(0x1014));
        assert_eq!(d.get("$esp"), Some(0x1008));
        assert!(d.assigned("$eip") && !d.assigned(".cbSavedRegs"));
        assert_eq!(d.value_or_zero("$ebx"), 0);
        assert_eq!(e.value("$esp 0x5000 +", &mut d), Err(EvalError::Undefined));
        assert_eq!(e.value("9000 ^", &mut d), Err(EvalError::Unreadable));
    }

    #[test]
    fn malformed_programs_fail() {
        let e = Evaluator::new(8, &memory);
        let mut d = Dictionary::new();
        assert_eq!(e.value("1 +", &mut d), Err(EvalError::StackUnderflow));
        assert_eq!(e.value("^", &mut d), Err(EvalError::StackUnderflow));
        assert_eq!(e.value("1 2", &mut d), Err(EvalError::Unbalanced));
        assert_eq!(e.value("", &mut d), Err(EvalError::Unbalanced));
        assert_eq!(e.run("1", &mut d), Err(EvalError::Unbalanced));
        assert_eq!(e.run("5 1 =", &mut d), Err(EvalError::BadAssignment));
        assert_eq!(e.run("x 1 =", &mut d), Err(EvalError::BadAssignment), "names must start with $");
        assert_eq!(e.run("=", &mut d), Err(EvalError::StackUnderflow));
        assert_eq!(e.value("1 0 /", &mut d), Err(EvalError::DivisionByZero));
        assert_eq!(e.value("1 0 %", &mut d), Err(EvalError::DivisionByZero));
        // Assignments before the failure stay made.
        assert_eq!(e.run("$a 1 = $b 1 0 / =", &mut d), Err(EvalError::DivisionByZero));
        assert_eq!(d.get("$a"), Some(1));
    }

    #[test]
    fn hostile_programs_meet_the_caps() {
        let e = Evaluator::new(8, &memory);
        let mut d = Dictionary::new();
        let deep = "1 ".repeat(MAX_STACK + 1);
        assert_eq!(e.value(&deep, &mut d), Err(EvalError::StackOverflow));
        let long = format!("1 {}", "1 + ".repeat(MAX_TOKENS / 2));
        assert_eq!(e.value(&long, &mut d), Err(EvalError::TooLong));
        let names: Vec<String> = (0..=MAX_VARIABLES).map(|i| format!("$v{i} {i} =")).collect();
        let program = names.join(" ");
        assert_eq!(e.run(&program, &mut d), Err(EvalError::BadAssignment));
        // Self-referencing dereferences just read memory; nothing loops.
        let mut d = Dictionary::new();
        d.define("$x", 0x1000);
        assert_eq!(e.run("$x $x ^ = $x $x ^ =", &mut d), Ok(()));
        assert_eq!(d.get("$x"), Some(0x1020));
    }
}
