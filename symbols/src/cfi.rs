//! `STACK CFI` rule sets: `<register>: <expression> <register>: ...`.
//!
//! A token ending in `:` names a register (or `.cfa`, `.ra`); the tokens up
//! to the next such name are its postfix expression. Expressions never
//! contain a token ending in `:`.

use crate::model::{CfiDelta, CfiInit};

/// The `(register, expression)` pairs of a rule set, in order. The
/// expression is the text between the register's name and the next name,
/// trimmed of spaces. A name with no expression, and anything before the
/// first name, are skipped.
pub fn rule_pairs(rules: &str) -> impl Iterator<Item = (&str, &str)> + '_ {
    let mut tokens = rules
        .split(' ')
        .scan(0usize, |offset, token| {
            let at = *offset;
            *offset += token.len() + 1;
            Some((at, token))
        })
        .filter(|(_, token)| !token.is_empty())
        .peekable();
    std::iter::from_fn(move || loop {
        let (_, token) = tokens.next()?;
        let Some(name) = token.strip_suffix(':') else { continue };
        let mut expression: Option<(usize, usize)> = None;
        while let Some(&(at, token)) = tokens.peek() {
            if token.ends_with(':') {
                break;
            }
            expression = Some((expression.map_or(at, |(start, _)| start), at + token.len()));
            tokens.next();
        }
        if let Some((start, end)) = expression {
            return Some((name, &rules[start..end]));
        }
    })
}

/// The CFI in force at an address: the `STACK CFI INIT` record covering it
/// and the `STACK CFI` records of that range at or below it, in ascending
/// address order (one per address: the last in the file).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CfiRules<'s, 'a> {
    /// The covering `STACK CFI INIT` record.
    pub init: &'s CfiInit<'a>,
    /// The delta records that apply, earliest first.
    pub deltas: Vec<&'s CfiDelta<'a>>,
}

impl<'s> CfiRules<'s, '_> {
    /// The rules in force: the INIT record's, each replaced by the latest
    /// delta that mentions the same register, in first-mention order.
    pub fn rules(&self) -> Vec<(&'s str, &'s str)> {
        let mut merged: Vec<(&'s str, &'s str)> = Vec::new();
        let sets = std::iter::once(&*self.init.rules).chain(self.deltas.iter().map(|d| &*d.rules));
        for set in sets {
            for (name, expression) in rule_pairs(set) {
                match merged.iter_mut().find(|(n, _)| *n == name) {
                    Some(slot) => slot.1 = expression,
                    None => merged.push((name, expression)),
                }
            }
        }
        merged
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pairs() {
        let p: Vec<_> = rule_pairs(".cfa: $esp 4 + .ra: .cfa 4 - ^").collect();
        assert_eq!(p, [(".cfa", "$esp 4 +"), (".ra", ".cfa 4 - ^")]);
        let p: Vec<_> = rule_pairs(".cfa: $esp 8 + ").collect();
        assert_eq!(p, [(".cfa", "$esp 8 +")]);
        let p: Vec<_> = rule_pairs("junk .cfa: sp 0 +  .ra:  x30").collect();
        assert_eq!(p, [(".cfa", "sp 0 +"), (".ra", "x30")]);
        let p: Vec<_> = rule_pairs("$r0: .ra: .cfa").collect();
        assert_eq!(p, [(".ra", ".cfa")]);
        assert_eq!(rule_pairs("").count(), 0);
        assert_eq!(rule_pairs("   ").count(), 0);
        assert_eq!(rule_pairs("no names here").count(), 0);
    }
}
