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
use pdb::{FallibleIterator, ItemFinder, PrimitiveKind, TypeData, TypeIndex};

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

/// Prints function signatures from the PDB's type stream.
pub struct TypeNamer<'t> {
    finder: Option<ItemFinder<'t, TypeIndex>>,
}

impl<'t> TypeNamer<'t> {
    /// A namer over the type information (none: names only).
    pub fn new(tpi: Option<&'t pdb::TypeInformation<'_>>) -> Self {
        let finder = tpi.map(|tpi| {
            let mut finder = tpi.finder();
            let mut iter = tpi.iter();
            while let Ok(Some(_)) = iter.next() {
                finder.update(&iter);
            }
            finder
        });
        TypeNamer { finder }
    }

    fn data(&self, index: TypeIndex) -> Option<TypeData<'t>> {
        self.finder.as_ref()?.find(index).ok()?.parse().ok()
    }

    /// `static <return> <name>(<args>)` for a local procedure, `<name>(<args>)`
    /// for others; the bare name when the type is unknown.
    pub fn function(&mut self, name: &str, index: TypeIndex, global: bool) -> String {
        let (ret, args) = match self.data(index) {
            Some(TypeData::Procedure(p)) => (p.return_type, p.argument_list),
            Some(TypeData::MemberFunction(m)) => (Some(m.return_type), m.argument_list),
            // No type: DIA still writes the pattern, with nothing in it.
            _ if global => return format!("{name}()"),
            _ => return format!("static  {name}()"),
        };
        let args = match self.data(args) {
            Some(TypeData::ArgumentList(list)) => {
                list.arguments.iter().map(|&a| self.type_name(a, 0)).collect::<Vec<_>>().join(", ")
            }
            _ => String::new(),
        };
        let args = if args == "void" { String::new() } else { args };
        if global {
            format!("{name}({args})")
        } else {
            let ret = ret.map_or_else(|| "void".to_owned(), |r| self.type_name(r, 0));
            format!("static {ret} {name}({args})")
        }
    }

    fn type_name(&self, index: TypeIndex, depth: usize) -> String {
        if depth > MAX_DEPTH {
            return "...".to_owned();
        }
        match self.data(index) {
            Some(TypeData::Primitive(p)) => {
                let base = primitive(p.kind);
                if p.indirection.is_some() {
                    format!("{base} *")
                } else {
                    base.to_owned()
                }
            }
            Some(TypeData::Class(c)) => {
                let keyword = match c.kind {
                    pdb::ClassKind::Class => "class",
                    pdb::ClassKind::Struct => "struct",
                    pdb::ClassKind::Interface => "interface",
                };
                format!("{keyword} {}", c.name)
            }
            Some(TypeData::Union(u)) => format!("union {}", u.name),
            Some(TypeData::Enumeration(e)) => format!("enum {}", e.name),
            Some(TypeData::Modifier(m)) => {
                let mut s = String::new();
                if m.constant {
                    s.push_str("const ");
                }
                if m.volatile {
                    s.push_str("volatile ");
                }
                s.push_str(&self.type_name(m.underlying_type, depth + 1));
                s
            }
            Some(TypeData::Pointer(p)) => {
                let target = self.type_name(p.underlying_type, depth + 1);
                let mut s = match p.attributes.pointer_mode() {
                    pdb::PointerMode::LValueReference => format!("{target} &"),
                    pdb::PointerMode::RValueReference => format!("{target} &&"),
                    _ => format!("{target} *"),
                };
                if p.attributes.is_const() {
                    s.push_str(" const");
                }
                if p.attributes.is_volatile() {
                    s.push_str(" volatile");
                }
                s
            }
            Some(TypeData::Array(a)) => format!("{}[]", self.type_name(a.element_type, depth + 1)),
            // DIA names no function type: a function pointer prints as ` *`.
            Some(TypeData::Procedure(_) | TypeData::MemberFunction(_)) => String::new(),
            Some(TypeData::Bitfield(b)) => self.type_name(b.underlying_type, depth + 1),
            _ => "<unknown>".to_owned(),
        }
    }
}

fn primitive(kind: PrimitiveKind) -> &'static str {
    use PrimitiveKind as K;
    match kind {
        K::Void | K::NoType => "void",
        K::Char | K::RChar | K::I8 => "char",
        K::UChar | K::U8 => "unsigned char",
        K::WChar => "wchar_t",
        K::RChar16 => "char16_t",
        K::RChar32 => "char32_t",
        K::Short | K::I16 => "short",
        K::UShort | K::U16 => "unsigned short",
        K::Long => "long",
        K::ULong => "unsigned long",
        K::I32 => "int",
        K::U32 => "unsigned int",
        K::Quad | K::I64 => "__int64",
        K::UQuad | K::U64 => "unsigned __int64",
        K::F32 => "float",
        K::F64 => "double",
        K::F80 => "long double",
        K::Bool8 => "bool",
        K::HRESULT => "long",
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
