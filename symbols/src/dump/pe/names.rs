//! Function and public names as Breakpad's Windows `dump_syms` prints them.
//!
//! DIA undecorates a symbol's mangled name with `UnDecorateSymbolName`'s
//! flags for "no return types, no calling conventions, no access
//! specifiers, no class/struct/enum keywords", then Breakpad rewrites a
//! trailing `(void)` as `()` and, for C names, strips the `_` (cdecl),
//! `_name@N` (stdcall) and `@name@N` (fastcall) decorations, taking `N` as
//! the parameter size. Functions without a public symbol (file-static
//! ones) get a signature DIA builds from their type:
//! `static <return type> <name>(<parameter types>)`; [`TypeNamer`] prints
//! types the way DIA does (`char * *`, `C const &`).

use msvc_demangler::DemangleFlags;

/// The undecorated name of a (possibly mangled) symbol name, and the
/// parameter size its stdcall or fastcall decoration gives, if any.
pub fn undecorate(name: &str) -> (String, Option<u32>) {
    let mut out = if name.starts_with('?') { demangle(name) } else { name.to_owned() };
    if let Some(stem) = out.strip_suffix("(void)") {
        out = format!("{stem}()");
    }
    if out.contains(':') || out.contains('(') || !(out.starts_with('_') || out.starts_with('@')) {
        return (out, None);
    }
    let fastcall = out.starts_with('@');
    if let Some(at) = out[1..].rfind('@').map(|i| i + 1) {
        if let Some(size) = strict_decimal(&out[at + 1..]) {
            // fastcall passes the first 8 bytes in registers.
            let size = if fastcall { size.saturating_sub(8) } else { size };
            return (out[1..at].to_owned(), Some(size));
        }
    }
    if out.starts_with('_') {
        out.remove(0);
    }
    (out, None)
}

/// Breakpad's strict parse of the digits after `@`: decimal digits only, no
/// leading zero unless the whole is `0`, fits an `i32`; the empty string
/// counts as 0.
fn strict_decimal(s: &str) -> Option<u32> {
    if !s.bytes().all(|b| b.is_ascii_digit()) || (s.len() > 1 && s.starts_with('0')) {
        return None;
    }
    if s.is_empty() {
        return Some(0);
    }
    s.parse::<i32>().ok().and_then(|v| u32::try_from(v).ok())
}

fn demangle(name: &str) -> String {
    let flags = DemangleFlags::NO_FUNCTION_RETURNS
        | DemangleFlags::NO_MS_KEYWORDS
        | DemangleFlags::NO_ACCESS_SPECIFIERS
        | DemangleFlags::NO_MEMBER_TYPE
        | DemangleFlags::NO_THISTYPE
        | DemangleFlags::NO_CLASS_TYPE
        | DemangleFlags::SPACE_AFTER_COMMA
        | DemangleFlags::SPACE_BEFORE_POINTER
        | DemangleFlags::HUG_TYPE;
    if let Ok(s) = msvc_demangler::demangle(name, flags) {
        return s;
    }
    // LLVM appends `.suffix` or `$` and 32 hex digits to make local names
    // unique; Breakpad strips them and tries again.
    let cut = name
        .find('.')
        .or_else(|| name.len().checked_sub(33).filter(|&i| name.get(i..).is_some_and(|t| t.starts_with('$'))));
    if let Some(stem) = cut.and_then(|cut| name.get(..cut)) {
        if let Ok(s) = msvc_demangler::demangle(stem, flags) {
            if !s.starts_with('?') {
                return s;
            }
        }
    }
    name.to_owned()
}

/// How deep a type may nest before it is printed as `...`: a hostile PDB
/// can make a type refer to itself.
const MAX_DEPTH: usize = 16;

const LF_MODIFIER: u16 = 0x1001;
const LF_POINTER: u16 = 0x1002;
const LF_PROCEDURE: u16 = 0x1008;
const LF_MFUNCTION: u16 = 0x1009;
const LF_ARGLIST: u16 = 0x1201;
const LF_BITFIELD: u16 = 0x1205;
const LF_ARRAY: u16 = 0x1503;
const LF_CLASS: u16 = 0x1504;
const LF_STRUCTURE: u16 = 0x1505;
const LF_UNION: u16 = 0x1506;
const LF_ENUM: u16 = 0x1507;
const LF_INTERFACE: u16 = 0x1519;
const LF_FUNC_ID: u16 = 0x1601;
const LF_MFUNC_ID: u16 = 0x1602;

/// The records of a TPI or IPI stream by type index, read directly (the
/// `pdb` crate's type parser asserts in debug builds on unknown numeric
/// leaves, which hostile PDBs have).
#[derive(Default)]
pub struct TypeStream {
    bytes: Vec<u8>,
    first_index: u32,
    /// (offset, length) of each record's data (kind included).
    records: Vec<(usize, usize)>,
}

impl TypeStream {
    /// Indexes a TPI/IPI stream: a header giving its size and the first
    /// index, then records of a 16-bit length and that many bytes.
    pub fn new(bytes: Vec<u8>) -> TypeStream {
        let header_size = u32_at(&bytes, 4).unwrap_or(0) as usize;
        let first_index = u32_at(&bytes, 8).unwrap_or(0x1000);
        let mut records = Vec::new();
        let mut at = header_size;
        while let Some(len) = u16_at(&bytes, at).map(usize::from) {
            if len < 2 || at + 2 + len > bytes.len() {
                break;
            }
            records.push((at + 2, len));
            at += 2 + len;
        }
        TypeStream { bytes, first_index, records }
    }

    /// The record of `index`: its kind and the bytes after the kind.
    fn record(&self, index: u32) -> Option<(u16, &[u8])> {
        let i = index.checked_sub(self.first_index)? as usize;
        let &(offset, len) = self.records.get(i)?;
        let data = self.bytes.get(offset..offset + len)?;
        Some((u16_at(data, 0)?, &data[2..]))
    }
}

fn u16_at(b: &[u8], at: usize) -> Option<u16> {
    b.get(at..at.checked_add(2)?).map(|s| u16::from_le_bytes([s[0], s[1]]))
}

fn u32_at(b: &[u8], at: usize) -> Option<u32> {
    b.get(at..at.checked_add(4)?).map(|s| u32::from_le_bytes([s[0], s[1], s[2], s[3]]))
}

/// The bytes after a numeric leaf (a value below 0x8000, or a leaf kind
/// and a value of its size); `None` for a kind that is not a number.
fn skip_numeric(b: &[u8]) -> Option<&[u8]> {
    let leaf = u16_at(b, 0)?;
    let size = match leaf {
        0..=0x7fff => 0,
        0x8000 => 1,
        0x8001 | 0x8002 => 2,
        0x8003 | 0x8004 => 4,
        0x8009 | 0x800a => 8,
        _ => return None,
    };
    b.get(2 + size..)
}

fn c_string(b: &[u8]) -> String {
    let end = b.iter().position(|&c| c == 0).unwrap_or(b.len());
    String::from_utf8_lossy(&b[..end]).into_owned()
}

/// Prints function signatures from the PDB's type streams.
pub struct TypeNamer {
    types: TypeStream,
    ids: TypeStream,
}

impl TypeNamer {
    /// A namer over the TPI and IPI streams (empty: names only).
    pub fn new(types: TypeStream, ids: TypeStream) -> Self {
        TypeNamer { types, ids }
    }

    /// `static <return> <name>(<args>)` for a local procedure, `<name>(<args>)`
    /// for others. `id`: the index is an item id (`S_GPROC32_ID` and
    /// friends) naming the type.
    pub fn function(&self, name: &str, index: u32, global: bool, id: bool) -> String {
        let index = if id {
            match self.ids.record(index) {
                Some((LF_FUNC_ID | LF_MFUNC_ID, b)) => u32_at(b, 4).unwrap_or(0),
                _ => 0,
            }
        } else {
            index
        };
        let signature = match self.types.record(index) {
            Some((LF_PROCEDURE, b)) => u32_at(b, 0).zip(u32_at(b, 8)),
            Some((LF_MFUNCTION, b)) => u32_at(b, 0).zip(u32_at(b, 16)),
            _ => None,
        };
        let Some((ret, args)) = signature else {
            // No type: DIA still writes the pattern, with nothing in it.
            return if global { format!("{name}()") } else { format!("static  {name}()") };
        };
        let args = self.arguments(args, 0);
        let args = if args == "void" { String::new() } else { args };
        if global {
            format!("{name}({args})")
        } else {
            format!("static {} {name}({args})", self.type_name(ret, 0))
        }
    }

    fn arguments(&self, index: u32, depth: usize) -> String {
        let Some((LF_ARGLIST, b)) = self.types.record(index) else { return String::new() };
        let count = u32_at(b, 0).unwrap_or(0) as usize;
        // The count cannot claim more entries than the record holds.
        let count = count.min(b.len().saturating_sub(4) / 4);
        (0..count)
            .filter_map(|i| u32_at(b, 4 + 4 * i))
            .map(|t| self.type_name(t, depth + 1))
            .collect::<Vec<_>>()
            .join(", ")
    }

    fn type_name(&self, index: u32, depth: usize) -> String {
        if depth > MAX_DEPTH {
            return "...".to_owned();
        }
        if index < 0x1000 {
            let base = primitive(index & 0xff);
            // Bits 8-11: the pointer mode of a pointer to a primitive.
            return if index & 0xf00 != 0 { format!("{base} *") } else { base.to_owned() };
        }
        let Some((kind, b)) = self.types.record(index) else { return "<unknown>".to_owned() };
        let next = |at: usize| u32_at(b, at).map_or_else(|| "<unknown>".to_owned(), |t| self.type_name(t, depth + 1));
        match kind {
            LF_MODIFIER => {
                let attrs = u16_at(b, 4).unwrap_or(0);
                let mut s = String::new();
                if attrs & 1 != 0 {
                    s.push_str("const ");
                }
                if attrs & 2 != 0 {
                    s.push_str("volatile ");
                }
                s.push_str(&next(0));
                s
            }
            LF_POINTER => {
                let attrs = u32_at(b, 4).unwrap_or(0);
                let mut s = next(0);
                s.push_str(match (attrs >> 5) & 7 {
                    1 => " &",
                    4 => " &&",
                    _ => " *",
                });
                if attrs & (1 << 10) != 0 {
                    s.push_str(" const");
                }
                if attrs & (1 << 9) != 0 {
                    s.push_str(" volatile");
                }
                s
            }
            LF_CLASS | LF_STRUCTURE | LF_INTERFACE => {
                let keyword = match kind {
                    LF_CLASS => "class",
                    LF_STRUCTURE => "struct",
                    _ => "interface",
                };
                let name = b.get(16..).and_then(skip_numeric).map(c_string).unwrap_or_default();
                format!("{keyword} {name}")
            }
            LF_UNION => format!("union {}", b.get(8..).and_then(skip_numeric).map(c_string).unwrap_or_default()),
            LF_ENUM => format!("enum {}", b.get(12..).map(c_string).unwrap_or_default()),
            LF_ARRAY => format!("{}[]", next(0)),
            LF_BITFIELD => next(0),
            // DIA names no function type: a function pointer prints as ` *`.
            LF_PROCEDURE | LF_MFUNCTION => String::new(),
            _ => "<unknown>".to_owned(),
        }
    }
}

/// CodeView's basic types by the low byte of their index.
fn primitive(code: u32) -> &'static str {
    match code {
        0x00 | 0x03 => "void",
        0x08 => "long",
        0x10 | 0x70 | 0x68 => "char",
        0x20 | 0x69 => "unsigned char",
        0x71 => "wchar_t",
        0x7a => "char16_t",
        0x7b => "char32_t",
        0x11 | 0x72 => "short",
        0x21 | 0x73 => "unsigned short",
        0x12 => "long",
        0x22 => "unsigned long",
        0x74 => "int",
        0x75 => "unsigned int",
        0x13 | 0x76 => "__int64",
        0x23 | 0x77 => "unsigned __int64",
        0x40 => "float",
        0x41 => "double",
        0x42 => "long double",
        0x30 => "bool",
        _ => "<unknown>",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn c_decorations_give_the_parameter_size() {
        assert_eq!(undecorate("_RtlUnwind@16"), ("RtlUnwind".to_owned(), Some(16)));
        assert_eq!(undecorate("@fast@12"), ("fast".to_owned(), Some(4)));
        assert_eq!(undecorate("__NLG_Dispatch"), ("_NLG_Dispatch".to_owned(), None));
        assert_eq!(undecorate("_x@012"), ("x@012".to_owned(), None));
        assert_eq!(undecorate("main"), ("main".to_owned(), None));
    }

    #[test]
    fn cpp_names_are_undecorated() {
        assert_eq!(undecorate("?f@C@google_breakpad@@QAEHXZ").0, "google_breakpad::C::f()");
        // LLVM's uniqueness suffixes are cut before undecorating.
        assert_eq!(undecorate("?f@C@google_breakpad@@QAEHXZ.llvm.1234").0, "google_breakpad::C::f()");
        let hashed = format!("?f@C@google_breakpad@@QAEHXZ${}", "0123456789abcdef".repeat(2));
        assert_eq!(undecorate(&hashed).0, "google_breakpad::C::f()");
        // Not undecoratable, multi-byte text: kept as it is.
        let odd = format!("?{}", "é".repeat(20));
        assert_eq!(undecorate(&odd).0, odd);
    }
}
