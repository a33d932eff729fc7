//! Parsers of single records. Each takes the bytes of one line after its
//! keyword and the space that follows it (`FUNC `, `STACK `, ...), or the
//! whole line for line records, and returns `None` when the line is
//! malformed. What each form accepts follows Breakpad's
//! `docs/symbol_files.md` and the tolerance of its processor: extra spaces
//! between numeric fields, anything after the fourth field of a line
//! record, and an `INLINE_ORIGIN` or `INLINE` form told apart as Breakpad
//! does. Numbers must be plain digits (no sign, no `0x`) and fit their field.

use memchr::memchr;

use crate::lex::{dec_field, dec_file_id, dec_u32, hex_field, hex_u32, hex_u64, tail, text, token, HEX, NOT_HEX};
use crate::model::{
    Function, InfoRecord, Inline, InlineOrigin, InlineRange, Line, Lines, ModuleRecord, Public, StackWin, StackWinType,
    WinProgram,
};

/// `MODULE <os> <arch> <id> <name>`.
pub(crate) fn module(s: &[u8]) -> Option<ModuleRecord<'_>> {
    let (os, r) = token(s)?;
    let (arch, r) = token(r)?;
    let (id, r) = token(r)?;
    let name = tail(r)?;
    Some(ModuleRecord { os: text(os), arch: text(arch), id: text(id), name: text(name) })
}

/// `INFO <key> [<value>]`.
pub(crate) fn info(s: &[u8]) -> Option<InfoRecord<'_>> {
    let (key, r) = token(s)?;
    let value = r.get(1..).unwrap_or_default();
    Some(InfoRecord { key: text(key), value: text(value) })
}

/// `FILE <id> <name>`: the id and the name's bytes.
pub(crate) fn file(s: &[u8]) -> Option<(u32, &[u8])> {
    let (id, r) = token(s)?;
    Some((dec_u32(id)?, tail(r)?))
}

/// `INLINE_ORIGIN <id> [<file>] <name>`: the old form when the word after
/// the id is empty or all digits after an optional `-` (Breakpad's test).
pub(crate) fn inline_origin(s: &[u8]) -> Option<InlineOrigin<'_>> {
    let (id, r) = token(s)?;
    let id = dec_u32(id)?;
    let rest = tail(r)?;
    let word = &rest[..rest.iter().position(|&b| b == b' ').unwrap_or(rest.len())];
    let digits = word.strip_prefix(b"-").unwrap_or(word);
    if digits.iter().all(u8::is_ascii_digit) {
        let (file, r) = token(rest)?;
        Some(InlineOrigin { id, file: Some(dec_file_id(file)?), name: text(tail(r)?) })
    } else {
        Some(InlineOrigin { id, file: None, name: text(rest) })
    }
}

/// The fields of a `FUNC` record, the name still bytes.
#[derive(Clone, Copy, Debug)]
pub(crate) struct RawFunc<'a> {
    pub(crate) address: u64,
    pub(crate) size: u64,
    pub(crate) parameter_size: u32,
    pub(crate) multiple: bool,
    pub(crate) name: &'a [u8],
}

impl<'a> RawFunc<'a> {
    /// The record, without lines or `INLINE` records yet.
    pub(crate) fn function(self) -> Function<'a> {
        let RawFunc { address, size, parameter_size, multiple, name } = self;
        Function { address, size, parameter_size, multiple, name: text(name), lines: Lines::new(), inlines: Vec::new() }
    }
}

/// `FUNC [m] <address> <size> <parameter size> <name>`.
pub(crate) fn func(s: &[u8]) -> Option<RawFunc<'_>> {
    let (mut t, mut r) = token(s)?;
    let multiple = t == b"m";
    if multiple {
        (t, r) = token(r)?;
    }
    let address = hex_u64(t)?;
    let (size, r) = hex_field(r)?;
    let (parameter_size, r) = hex_field(r)?;
    let parameter_size = u32::try_from(parameter_size).ok()?;
    Some(RawFunc { address, size, parameter_size, multiple, name: tail(r)? })
}

/// The fields of a `PUBLIC` record, the name still bytes.
#[derive(Clone, Copy, Debug)]
pub(crate) struct RawPublic<'a> {
    pub(crate) address: u64,
    pub(crate) parameter_size: u32,
    pub(crate) multiple: bool,
    pub(crate) name: &'a [u8],
}

impl<'a> RawPublic<'a> {
    /// The record.
    pub(crate) fn public(self) -> Public<'a> {
        let RawPublic { address, parameter_size, multiple, name } = self;
        Public { address, parameter_size, multiple, name: text(name) }
    }
}

/// `PUBLIC [m] <address> <parameter size> <name>`.
pub(crate) fn public(s: &[u8]) -> Option<RawPublic<'_>> {
    let (mut t, mut r) = token(s)?;
    let multiple = t == b"m";
    if multiple {
        (t, r) = token(r)?;
    }
    let address = hex_u64(t)?;
    let (t, r) = token(r)?;
    let parameter_size = hex_u32(t)?;
    Some(RawPublic { address, parameter_size, multiple, name: tail(r)? })
}

/// `<address> <size> <line> <file>`, anything after a space following the
/// file id ignored.
#[inline]
pub(crate) fn line(s: &[u8]) -> Option<Line> {
    let (address, r) = hex_field(s)?;
    let (size, r) = hex_field(r)?;
    let (line, r) = dec_field(r)?;
    let (file, _) = dec_field(r)?;
    Some(Line { address, size: u32::try_from(size).ok()?, line, file })
}

/// Hexadecimal digits of `s` from `i` up to a space: the value and where
/// the byte after the space is. `None` if there is no digit, a byte that is
/// neither, or the value overflows.
#[inline(always)]
fn hex_then_space(s: &[u8], mut i: usize) -> Option<(u64, usize)> {
    let start = i;
    let mut v: u64 = 0;
    loop {
        let b = *s.get(i)?;
        let d = HEX[usize::from(b)];
        if d == NOT_HEX {
            return (b == b' ' && i > start).then_some((v, i + 1));
        }
        if v >> 60 != 0 {
            return None;
        }
        v = (v << 4) | u64::from(d);
        i += 1;
    }
}

/// Decimal digits of `s` from `i` up to a space (or, if `last`, up to a
/// `\n` or the end): a value that fits 32 bits and where the byte after the
/// end is.
#[inline(always)]
fn dec_then(s: &[u8], mut i: usize, last: bool) -> Option<(u32, usize)> {
    let start = i;
    let mut v: u64 = 0;
    loop {
        let b = match s.get(i) {
            Some(&b) => b,
            None if last && i > start => return Some((v as u32, i + 1)),
            None => return None,
        };
        let d = b.wrapping_sub(b'0');
        if d >= 10 {
            let end = if last { b'\n' } else { b' ' };
            return (b == end && i > start).then_some((v as u32, i + 1));
        }
        v = v * 10 + u64::from(d);
        if v > u64::from(u32::MAX) {
            return None;
        }
        i += 1;
    }
}

/// The common case of [`line`], straight from the input: `bytes[pos..]`
/// starts with `<hex> <hex> <decimal> <decimal>` and a `\n` (or the end),
/// single spaces, nothing else. Returns the record and the position after
/// the line; `None` for anything else, which [`line`] then reads.
#[inline]
pub(crate) fn plain_line(bytes: &[u8], pos: usize) -> Option<(Line, usize)> {
    let (address, i) = hex_then_space(bytes, pos)?;
    let (size, i) = hex_then_space(bytes, i)?;
    let size = u32::try_from(size).ok()?;
    let (line, i) = dec_then(bytes, i, false)?;
    let (file, i) = dec_then(bytes, i, true)?;
    Some((Line { address, size, line, file }, i))
}

/// The common case of a `STACK CFI` delta record, straight from the input:
/// `bytes[pos..]` starts with `STACK CFI <hex> ` and a rule set. Returns the
/// address, the rules and the position after the line; `None` for anything
/// else, which [`stack`] then reads.
#[inline]
pub(crate) fn plain_cfi_delta(bytes: &[u8], pos: usize) -> Option<(u64, &[u8], usize)> {
    const PREFIX: &[u8] = b"STACK CFI ";
    if bytes.get(pos..pos + PREFIX.len())? != PREFIX {
        return None;
    }
    let (address, start) = hex_then_space(bytes, pos + PREFIX.len())?;
    let rest = bytes.get(start..)?;
    let len = memchr(b'\n', rest).unwrap_or(rest.len());
    let mut rules = &rest[..len];
    while let [head @ .., b'\r'] = rules {
        rules = head;
    }
    (!rules.is_empty()).then_some((address, rules, start + len + 1))
}

/// The fields of an `INLINE` record, its ranges checked but still text.
#[derive(Clone, Copy, Debug)]
pub(crate) struct RawInline<'a> {
    pub(crate) depth: u32,
    pub(crate) call_line: u32,
    pub(crate) call_file: Option<i32>,
    pub(crate) origin: u32,
    /// `(<address> <size>)+`, every number valid.
    ranges: &'a [u8],
    /// How many pairs `ranges` holds.
    count: usize,
}

impl RawInline<'_> {
    /// The record, its ranges read.
    pub(crate) fn inline(self) -> Inline {
        let mut ranges = Vec::with_capacity(self.count);
        let mut r = self.ranges;
        while let Some((a, next)) = token(r) {
            let Some((z, next)) = token(next) else { break };
            if let (Some(address), Some(size)) = (hex_u64(a), hex_u64(z)) {
                ranges.push(InlineRange { address, size });
            }
            r = next;
        }
        let RawInline { depth, call_line, call_file, origin, .. } = self;
        Inline { depth, call_line, call_file, origin, ranges }
    }
}

/// `INLINE <depth> <call line> [<call file>] <origin> (<address> <size>)+`:
/// an even number of fields means the new form, with the call file.
pub(crate) fn inline(s: &[u8]) -> Option<RawInline<'_>> {
    let mut count = 0usize;
    let mut r = s;
    while let Some((_, next)) = token(r) {
        count += 1;
        r = next;
    }
    if count < 5 {
        return None;
    }
    let new_form = count.is_multiple_of(2);
    let (t, r) = token(s)?;
    let depth = dec_u32(t)?;
    let (t, mut r) = token(r)?;
    let call_line = dec_u32(t)?;
    let mut call_file = None;
    if new_form {
        let (t, next) = token(r)?;
        call_file = Some(dec_file_id(t)?);
        r = next;
    }
    let (t, ranges) = token(r)?;
    let origin = dec_u32(t)?;
    let mut r = ranges;
    while let Some((a, next)) = token(r) {
        let (z, next) = token(next)?;
        hex_u64(a)?;
        hex_u64(z)?;
        r = next;
    }
    let fixed = if new_form { 4 } else { 3 };
    Some(RawInline { depth, call_line, call_file, origin, ranges, count: (count - fixed) / 2 })
}

/// What a `STACK` line holds; rule sets still bytes.
pub(crate) enum Stack<'a> {
    /// `STACK CFI INIT <address> <size> <rules>`.
    CfiInit { address: u64, size: u64, rules: &'a [u8] },
    /// `STACK CFI <address> <rules>`.
    CfiDelta { address: u64, rules: &'a [u8] },
    /// `STACK WIN ...`.
    Win(RawWin<'a>),
}

/// `STACK CFI INIT <address> <size> <rules>`, `STACK CFI <address> <rules>`
/// or `STACK WIN ...`.
pub(crate) fn stack(s: &[u8]) -> Option<Stack<'_>> {
    let (kind, r) = token(s)?;
    match kind {
        b"CFI" => {
            let (t, r) = token(r)?;
            if t == b"INIT" {
                let (address, r) = hex_field(r)?;
                let (size, r) = hex_field(r)?;
                Some(Stack::CfiInit { address, size, rules: tail(r)? })
            } else {
                let address = hex_u64(t)?;
                Some(Stack::CfiDelta { address, rules: tail(r)? })
            }
        }
        b"WIN" => win(r).map(Stack::Win),
        _ => None,
    }
}

/// The fields of a `STACK WIN` record, its program string still bytes.
#[derive(Clone, Copy, Debug)]
pub(crate) struct RawWin<'a> {
    pub(crate) ty: StackWinType,
    pub(crate) address: u64,
    pub(crate) code_size: u64,
    /// Prologue, epilogue, parameter, saved register, local and maximum
    /// stack sizes.
    sizes: [u32; 6],
    /// The program string, or else the `allocates_base_pointer` flag.
    program: Result<&'a [u8], bool>,
}

impl<'a> RawWin<'a> {
    /// The record.
    pub(crate) fn win(self) -> StackWin<'a> {
        self.win_with(text)
    }

    /// The record, its program string made text by `text`.
    pub(crate) fn win_with<'t>(self, text: impl FnOnce(&'a [u8]) -> std::borrow::Cow<'t, str>) -> StackWin<'t> {
        let [prologue_size, epilogue_size, parameter_size, saved_register_size, local_size, max_stack_size] =
            self.sizes;
        let program = match self.program {
            Ok(program) => WinProgram::ProgramString(text(program)),
            Err(allocates) => WinProgram::AllocatesBasePointer(allocates),
        };
        StackWin {
            ty: self.ty,
            address: self.address,
            code_size: self.code_size,
            prologue_size,
            epilogue_size,
            parameter_size,
            saved_register_size,
            local_size,
            max_stack_size,
            program,
        }
    }
}

/// The fields of `STACK WIN` after `WIN`.
fn win(s: &[u8]) -> Option<RawWin<'_>> {
    let (ty, r) = hex_field(s)?;
    let ty = StackWinType::from_u32(u32::try_from(ty).ok()?)?;
    let (address, r) = hex_field(r)?;
    let (code_size, mut r) = hex_field(r)?;
    let mut sizes = [0u32; 6];
    for field in &mut sizes {
        let (value, next) = hex_field(r)?;
        *field = u32::try_from(value).ok()?;
        r = next;
    }
    let (has_program_string, r) = hex_field(r)?;
    let program = if has_program_string != 0 { Ok(tail(r)?) } else { Err(hex_field(r)?.0 != 0) };
    Some(RawWin { ty, address, code_size, sizes, program })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn breakpad_field_cases() {
        // From Breakpad's own parser tests (valid and invalid forms).
        assert_eq!(file(b"1 file name").unwrap().1, b"file name");
        assert!(file(b"1 ").is_none());
        assert!(file(b"x1 file name").is_none());
        assert!(file(b"123123123123123123123123 file name").is_none());
        assert!(file(b"-2 file name").is_none());

        let f = func(b"a1 a2 a3 function name").unwrap().function();
        assert_eq!((f.address, f.size, f.parameter_size, &*f.name), (0xa1, 0xa2, 0xa3, "function name"));
        assert!(func(b"1 2 3 ").is_none());
        assert!(func(b"1z 2 3 function name").is_none());
        assert!(func(b"123123123123123123123123123 2 3 function name").is_none());
        assert!(func(b"1 2 -5 function name").is_none());
        let f = func(b"m 1 2 3 name").unwrap();
        assert!(f.multiple);
        assert!(func(b"m 1 2 3").is_none());

        assert_eq!(line(b"a1 a2 3 4  // some comment"), Some(Line { address: 0xa1, size: 0xa2, line: 3, file: 4 }));
        assert_eq!(line(b"a1 a2 0 4").unwrap().line, 0);
        for bad in [&b"1 2 3"[..], b"1z 2 3 4", b"1 2 -1 4", b"1 2 123123123123123123123 4", b"1 2 3 f"] {
            assert!(line(bad).is_none(), "{}", String::from_utf8_lossy(bad));
        }

        let p = public(b"1 2 3").unwrap().public();
        assert_eq!((p.address, p.parameter_size, &*p.name), (1, 2, "3"));
        assert!(public(b"1 2 ").is_none());
        assert!(public(b"1 -5 3").is_none());
    }

    #[test]
    fn plain_lines_agree_with_line() {
        let text = b"a1 a2 3 4\n1 2 3 4\nff ffffffff 0 0";
        let (first, next) = plain_line(text, 0).unwrap();
        assert_eq!((first, next), (line(b"a1 a2 3 4").unwrap(), 10));
        let (second, next) = plain_line(text, next).unwrap();
        assert_eq!((second.address, next), (1, 18));
        let (third, next) = plain_line(text, next).unwrap();
        assert_eq!((third.size, next), (u32::MAX, text.len() + 1));
        // Anything unusual is left to `line`.
        for other in [
            &b"a1 a2 3 4 comment\n"[..],
            b"a1 a2 3 4\r\n",
            b" a1 a2 3 4\n",
            b"a1  a2 3 4\n",
            b"a1 100000000 3 4\n",
            b"a1 a2 3 f\n",
            b"FUNC 1 2 3 x\n",
            b"a1 a2 3\n",
            b"a1 a2 3 \n",
            b"",
        ] {
            assert!(plain_line(other, 0).is_none(), "{}", String::from_utf8_lossy(other));
        }
    }

    #[test]
    fn plain_cfi_deltas_agree_with_stack() {
        let text = b"STACK CFI 1a .cfa: $rsp 16 +\r\nSTACK CFI 2 x";
        let (address, rules, next) = plain_cfi_delta(text, 0).unwrap();
        assert_eq!((address, rules, next), (0x1a, &b".cfa: $rsp 16 +"[..], 30));
        assert_eq!(plain_cfi_delta(text, next), Some((2, &b"x"[..], text.len() + 1)));
        // Anything unusual is left to `stack`, which decides.
        for other in [
            &b"STACK CFI INIT 1 2 .cfa: x\n"[..],
            b"STACK CFI  1a x\n",
            b"STACK CFI 1a \r\n",
            b"STACK CFI 1a\n",
            b"STACK CFI 1g x\n",
            b"STACK CFI 10000000000000000 x\n",
            b"STACK WIN 4 1 2\n",
            b"STACK CFI",
        ] {
            assert!(plain_cfi_delta(other, 0).is_none(), "{}", String::from_utf8_lossy(other));
        }
    }

    #[test]
    fn inline_forms() {
        let old = inline(b"0 42 1 15b45 6b1").unwrap().inline();
        assert_eq!((old.depth, old.call_line, old.call_file, old.origin), (0, 42, None, 1));
        assert_eq!(old.ranges, [InlineRange { address: 0x15b45, size: 0x6b1 }]);
        let new = inline(b"1 39 2 0 15b72 684 16000 10").unwrap().inline();
        assert_eq!((new.call_file, new.origin, new.ranges.len()), (Some(2), 0, 2));
        assert_eq!(inline(b"0 1 -1 3 10 2").unwrap().call_file, Some(-1));
        assert!(inline(b"0 1 -1 3 10 2x").is_none());
        assert!(inline(b"0 42 1 15b45").is_none());
        assert!(inline(b"0 42 1 2").is_none());

        let o = inline_origin(b"0 0 bar()").unwrap();
        assert_eq!((o.file, &*o.name), (Some(0), "bar()"));
        let o = inline_origin(b"7 -1 artificial thing").unwrap();
        assert_eq!((o.file, &*o.name), (Some(-1), "artificial thing"));
        let n = inline_origin(b"2 func()").unwrap();
        assert_eq!((n.file, &*n.name), (None, "func()"));
        assert!(inline_origin(b"2 5").is_none());
        assert!(inline_origin(b"2 ").is_none());
    }

    #[test]
    fn stack_forms() {
        let Some(Stack::CfiInit { address, size, rules }) = stack(b"CFI INIT 3d40 af .cfa: $esp 4 + .ra: .cfa 4 - ^")
        else {
            panic!()
        };
        assert_eq!((address, size, rules), (0x3d40, 0xaf, &b".cfa: $esp 4 + .ra: .cfa 4 - ^"[..]));
        let Some(Stack::CfiDelta { address, rules }) = stack(b"CFI 3d41 .cfa: $esp 8 + ") else { panic!() };
        assert_eq!((address, rules), (0x3d41, &b".cfa: $esp 8 + "[..]));
        assert!(stack(b"CFI INIT 1000 10").is_none());
        assert!(stack(b"CFI 1000").is_none());
        assert!(stack(b"XYZ 1000").is_none());

        let Some(Stack::Win(w)) = stack(b"WIN 4 1000 c 1 0 0 0 0 0 1 $eip 4 + ^ = $esp $ebp 8 + =") else { panic!() };
        let w = w.win();
        assert_eq!((w.ty, w.address, w.code_size, w.prologue_size), (StackWinType::FrameData, 0x1000, 0xc, 1));
        assert_eq!(w.program, WinProgram::ProgramString("$eip 4 + ^ = $esp $ebp 8 + =".into()));
        let Some(Stack::Win(w)) = stack(b"WIN 0 2000 20 3 1 8 4 10 0 0 1") else { panic!() };
        let w = w.win();
        assert_eq!((w.ty, w.local_size, w.program), (StackWinType::Fpo, 0x10, WinProgram::AllocatesBasePointer(true)));
        assert!(stack(b"WIN 5 2000 20 3 1 8 4 10 0 0 1").is_none());
        assert!(stack(b"WIN 4 2000 20 3 1 8 4 10 0 1").is_none());
    }
}
