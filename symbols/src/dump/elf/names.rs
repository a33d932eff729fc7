//! Function names: demangling linkage names by the unit's language, as
//! Breakpad's `Language` classes do, and demangling symbol-table names.

/// The source language of a compilation unit, as far as naming goes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(crate) enum Lang {
    /// C, C++, Objective-C and everything unknown: Itanium demangling,
    /// `::` between scopes.
    Cpp,
    /// Rust: rustc's demangler (legacy and v0), `::`.
    Rust,
    /// Java: no demangling, `.` between scopes.
    Java,
    /// Swift: no demangling, `.` between scopes.
    Swift,
    /// Assembly: Breakpad ignores these units (no functions).
    Assembler,
}

impl Lang {
    /// From `DW_AT_language`.
    pub(crate) fn from_dwarf(code: u64) -> Lang {
        match code {
            0x0b => Lang::Java,
            0x1e => Lang::Swift,
            0x1c => Lang::Rust,
            0x8001 => Lang::Assembler,
            _ => Lang::Cpp,
        }
    }

    /// `parent::name` (or `parent.name`), or `name` alone at top level.
    pub(crate) fn qualify(self, parent: &str, name: &str) -> String {
        if parent.is_empty() {
            return name.to_owned();
        }
        let sep = if matches!(self, Lang::Java | Lang::Swift) { "." } else { "::" };
        let mut s = String::with_capacity(parent.len() + sep.len() + name.len());
        s.push_str(parent);
        s.push_str(sep);
        s.push_str(name);
        s
    }

    /// A linkage name as a function name: `Some(demangled)`, or `None` when
    /// this language does not demangle or the name does not demangle (the
    /// caller then builds the name from the DWARF scopes).
    pub(crate) fn demangle(self, mangled: &[u8], keep_mangled: bool) -> Option<String> {
        let text = std::str::from_utf8(mangled).ok()?;
        match self {
            Lang::Cpp | Lang::Rust if keep_mangled => Some(text.to_owned()),
            Lang::Cpp => demangle_cpp(text),
            Lang::Rust => demangle_rust(text),
            Lang::Java | Lang::Swift | Lang::Assembler => None,
        }
    }
}

/// Itanium C++ demangling with parameters, as `__cxa_demangle` prints it.
fn demangle_cpp(text: &str) -> Option<String> {
    if !text.starts_with("_Z") {
        return None;
    }
    let symbol = cpp_demangle::Symbol::new(text).ok()?;
    symbol.demangle(&cpp_demangle::DemangleOptions::default()).ok()
}

/// rustc's demangling without the trailing hash, as Mozilla's dump_syms and
/// Breakpad built with rustc-demangle print it.
fn demangle_rust(text: &str) -> Option<String> {
    use std::fmt::Write;
    let d = rustc_demangle::try_demangle(text).ok()?;
    let mut s = String::with_capacity(text.len());
    write!(s, "{d:#}").ok()?;
    Some(s)
}

/// A symbol-table name for a `PUBLIC` record: Rust names (v0, or legacy
/// names ending in a hash) with rustc's demangler, other `_Z` names as C++,
/// anything else as it is.
pub(crate) fn demangle_symbol(name: &[u8], keep_mangled: bool) -> String {
    let text = String::from_utf8_lossy(name);
    if keep_mangled {
        return text.into_owned();
    }
    if text.starts_with("_R") || (text.starts_with("_ZN") && is_rust_legacy(&text)) {
        if let Some(d) = demangle_rust(&text) {
            return d;
        }
    }
    demangle_cpp(&text).unwrap_or_else(|| text.into_owned())
}

/// Rust's legacy mangling ends its path with `17h` and 16 hex digits, `E`.
fn is_rust_legacy(text: &str) -> bool {
    let Some(body) = text.strip_suffix('E') else { return false };
    body.len() > 19 && {
        let tail = &body[body.len() - 19..];
        tail.starts_with("17h") && tail[3..].bytes().all(|b| b.is_ascii_hexdigit())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn demangles_by_language() {
        assert_eq!(Lang::Cpp.demangle(b"_Z3fooi", false).as_deref(), Some("foo(int)"));
        assert_eq!(Lang::Cpp.demangle(b"_Z3fooi", true).as_deref(), Some("_Z3fooi"));
        assert_eq!(Lang::Cpp.demangle(b"main", false), None);
        assert_eq!(Lang::Java.demangle(b"_Z3fooi", false), None);
        assert_eq!(
            Lang::Rust.demangle(b"_ZN4core3ptr13drop_in_place17h0123456789abcdefE", false).as_deref(),
            Some("core::ptr::drop_in_place")
        );
        assert_eq!(Lang::Java.qualify("a.B", "c"), "a.B.c");
        assert_eq!(Lang::Cpp.qualify("", "main"), "main");
    }

    #[test]
    fn symbol_names() {
        assert_eq!(
            demangle_symbol(b"_ZN4core3ptr13drop_in_place17h0123456789abcdefE", false),
            "core::ptr::drop_in_place"
        );
        assert_eq!(demangle_symbol(b"_ZN2ns3fooEv", false), "ns::foo()");
        assert_eq!(demangle_symbol(b"_ZN2ns3fooEv", true), "_ZN2ns3fooEv");
        assert_eq!(demangle_symbol(b"main", false), "main");
        assert_eq!(demangle_symbol(b"_Znot valid", false), "_Znot valid");
    }
}
