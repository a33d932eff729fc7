//! [`SymbolProvider`]: the lookups a stack walker needs from symbol files,
//! by module and address, in plain owned types so that any symbol source
//! (Breakpad `.sym` files, a test's hand-written table) can back them.
//!
//! Every address a provider is asked about is an offset from the module's
//! load address (what Breakpad symbol files record).

use crate::code_module::{CodeModule, SymbolStatus};

/// A function (`FUNC`) or public symbol (`PUBLIC`) covering an address.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct FunctionInfo {
    /// The name as the symbol file gives it.
    pub name: String,
    /// Its start, relative to the module's base.
    pub address: u64,
    /// Bytes of arguments the function pops or its caller pushed (x86
    /// Windows; 0 where unknown).
    pub parameter_size: u32,
    /// Whether this is a `PUBLIC` symbol rather than a `FUNC` record: no
    /// size, no line records, and (as in Breakpad) no parameter size for
    /// stack walking.
    pub is_public: bool,
}

/// The line record covering an address.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct LineInfo {
    /// The source file's name, if its `FILE` record exists.
    pub file: Option<String>,
    /// The line number.
    pub line: u32,
    /// Where the line's code starts, relative to the module's base.
    pub address: u64,
}

/// One inlined call covering an address (an `INLINE` record whose ranges
/// contain it, with its `INLINE_ORIGIN`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct InlineInfo {
    /// The inlined function's name, if its `INLINE_ORIGIN` record exists.
    pub name: Option<String>,
    /// The call site's source file, when the record names one that has a
    /// `FILE` record (the new form does; the old form never does).
    pub call_file: Option<String>,
    /// The call site's line, in the function the call was inlined into.
    pub call_line: u32,
    /// Start of the record's range containing the address, relative to the
    /// module's base (Breakpad's function base for the inlined frame).
    pub range_address: u64,
}

/// Which kind of Windows frame data a [`WinFrameInfo`] is (the `STACK WIN`
/// record's type); Breakpad uses no other kind.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum WinFrameKind {
    /// Type 0: frame pointer omission data (`FPO_DATA`).
    #[default]
    Fpo,
    /// Type 4: frame data with a program string.
    FrameData,
}

/// A `STACK WIN` record: how an x86 Windows function lays out its frame.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct WinFrameInfo {
    /// The record's type.
    pub kind: WinFrameKind,
    /// Bytes of the prologue.
    pub prologue_size: u32,
    /// Bytes of the epilogue.
    pub epilogue_size: u32,
    /// Bytes of arguments.
    pub parameter_size: u32,
    /// Bytes of saved callee-saved registers.
    pub saved_register_size: u32,
    /// Bytes of locals.
    pub local_size: u32,
    /// Most bytes the function pushes.
    pub max_stack_size: u32,
    /// The postfix program that recovers the caller's registers, if the
    /// record has one (empty counts as none).
    pub program_string: Option<String>,
    /// Without a program: whether the function uses `%ebp` as a general
    /// register, saving the caller's in its saved-register area.
    pub allocates_base_pointer: bool,
}

/// What [`SymbolProvider::cfi_rules`] calls with the rules it found.
pub type RulesFn<'f> = dyn FnMut(&[(&str, &str)]) + 'f;

/// The symbol lookups a [`crate::walk::BreakpadWalker`] makes.
///
/// Implementations load a module's symbols the first time they are asked
/// about it and remember the outcome; they use interior mutability for that,
/// since the walker holds them by shared reference. The lookups other than
/// [`Self::status`] are only made for modules whose status is
/// [`SymbolStatus::Loaded`] or [`SymbolStatus::Corrupt`].
pub trait SymbolProvider {
    /// Finds (the first time: loads) `module`'s symbols and says what became
    /// of them. [`SymbolStatus::NotLookedUp`] means this provider has no
    /// symbol source at all: then the walker treats every address inside a
    /// module as code, and reports no missing symbols.
    fn status(&self, module: &CodeModule) -> SymbolStatus;

    /// The `FUNC` containing `offset`, else the `PUBLIC` symbol Breakpad
    /// would name it by (the closest one at or below `offset` with no
    /// `FUNC` starting between them).
    fn function_at(&self, module: &CodeModule, offset: u64) -> Option<FunctionInfo>;

    /// Whether [`Self::function_at`] names a function at `offset` (with a
    /// non-empty name: Breakpad's test for a plausible return address).
    /// Called for every candidate of a stack scan; implement it when that
    /// can be done without building a [`FunctionInfo`].
    fn has_function_at(&self, module: &CodeModule, offset: u64) -> bool {
        self.function_at(module, offset).is_some_and(|f| !f.name.is_empty())
    }

    /// The line record of the `FUNC` containing `offset` that contains it.
    fn line_at(&self, module: &CodeModule, offset: u64) -> Option<LineInfo>;

    /// The inlined calls covering `offset` inside the `FUNC` containing it,
    /// outermost (depth 0) first, stopping at the first depth with none.
    /// The default knows of none.
    fn inline_chain_at(&self, _module: &CodeModule, _offset: u64) -> Vec<InlineInfo> {
        Vec::new()
    }

    /// Calls `rules` with the `STACK CFI` rules in force at `offset`, if
    /// there are any, as `(register, expression)` pairs: the `STACK CFI
    /// INIT` record covering it, then its delta records at or below
    /// `offset` in address order. Later pairs override earlier ones for the
    /// same register. (A callback, so that the pairs can borrow from the
    /// provider's symbols: the walker asks for every frame.)
    fn cfi_rules(&self, module: &CodeModule, offset: u64, rules: &mut RulesFn<'_>);

    /// [`Self::cfi_rules`]' pairs as owned strings (for tests and tools;
    /// the walker borrows them).
    fn cfi_rule_pairs(&self, module: &CodeModule, offset: u64) -> Option<Vec<(String, String)>> {
        let mut owned = None;
        self.cfi_rules(module, offset, &mut |pairs| {
            owned = Some(pairs.iter().map(|(name, expression)| (name.to_string(), expression.to_string())).collect());
        });
        owned
    }

    /// The `STACK WIN` record for `offset`: the innermost type 4 record
    /// containing it, else the innermost type 0 one (Breakpad's choice).
    fn win_frame(&self, module: &CodeModule, offset: u64) -> Option<WinFrameInfo>;
}

/// A provider with no symbols at all: walking by frame pointers and
/// scanning only, every address inside a module plausible, no warnings.
#[derive(Clone, Copy, Debug, Default)]
pub struct NoSymbols;

impl SymbolProvider for NoSymbols {
    fn status(&self, _module: &CodeModule) -> SymbolStatus {
        SymbolStatus::NotLookedUp
    }
    fn function_at(&self, _module: &CodeModule, _offset: u64) -> Option<FunctionInfo> {
        None
    }
    fn line_at(&self, _module: &CodeModule, _offset: u64) -> Option<LineInfo> {
        None
    }
    fn cfi_rules(&self, _module: &CodeModule, _offset: u64, _rules: &mut RulesFn<'_>) {}
    fn win_frame(&self, _module: &CodeModule, _offset: u64) -> Option<WinFrameInfo> {
        None
    }
}

impl<P: SymbolProvider + ?Sized> SymbolProvider for &P {
    fn status(&self, module: &CodeModule) -> SymbolStatus {
        (**self).status(module)
    }
    fn function_at(&self, module: &CodeModule, offset: u64) -> Option<FunctionInfo> {
        (**self).function_at(module, offset)
    }
    fn has_function_at(&self, module: &CodeModule, offset: u64) -> bool {
        (**self).has_function_at(module, offset)
    }
    fn line_at(&self, module: &CodeModule, offset: u64) -> Option<LineInfo> {
        (**self).line_at(module, offset)
    }
    fn inline_chain_at(&self, module: &CodeModule, offset: u64) -> Vec<InlineInfo> {
        (**self).inline_chain_at(module, offset)
    }
    fn cfi_rules(&self, module: &CodeModule, offset: u64, rules: &mut RulesFn<'_>) {
        (**self).cfi_rules(module, offset, rules)
    }
    fn win_frame(&self, module: &CodeModule, offset: u64) -> Option<WinFrameInfo> {
        (**self).win_frame(module, offset)
    }
}
