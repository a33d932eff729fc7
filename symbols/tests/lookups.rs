//! Hand-written symbol files: every record type, the edges of each lookup,
//! and the malformed or out-of-place lines the parser must survive.

use std::borrow::Cow;

use mdump_symbols::{
    parse, BadLineKind, CfiInit, FileRecord, Function, InfoRecord, Inline, InlineOrigin, InlineRange, Line,
    ModuleRecord, Public, StackWin, StackWinType, SymbolAt, SymbolFile, Symbols, WinProgram,
};

/// One of each record type, in the writer's order, each written as the
/// writer writes it.
const EVERY_RECORD: &str = "\
MODULE Linux x86_64 0123456789ABCDEF0123456789ABCDEF0 my lib.so
INFO CODE_ID 89ABCDEF0123 my lib.so
INFO GENERATOR mdump 0.1
FILE 0 src/a b.c
FILE 7 src/c.h
INLINE_ORIGIN 0 inlined_new(int)
INLINE_ORIGIN 1 7 inlined_old()
INLINE_ORIGIN 2 -1 artificial
FUNC m 1000 100 8 outer(char const*, int)
INLINE 0 12 7 0 1010 20 1080 10
INLINE 1 3 -1 1 1018 8
INLINE 0 30 2 1040 10
1000 10 11 0
1010 20 12 0
1030 d0 0 7
PUBLIC m 2000 4 public_sym
STACK CFI INIT 1000 100 .cfa: $rsp 8 + .ra: .cfa -8 + ^
STACK CFI 1001 .cfa: $rsp 16 + $rbp: .cfa -16 + ^
STACK CFI 1004 .cfa: $rbp 16 +
STACK WIN 4 1000 100 4 0 8 4 c 0 1 $T0 $ebp = $eip $T0 4 + ^ =
STACK WIN 0 1000 100 4 0 8 4 c 0 0 1
";

fn module() -> ModuleRecord<'static> {
    ModuleRecord {
        os: "Linux".into(),
        arch: "x86_64".into(),
        id: "0123456789ABCDEF0123456789ABCDEF0".into(),
        name: "my lib.so".into(),
    }
}

/// The records of [`EVERY_RECORD`], built as a dumper would.
fn every_record_model() -> SymbolFile<'static> {
    let text = |s: &'static str| Cow::Borrowed(s);
    SymbolFile {
        module: Some(module()),
        info: vec![
            InfoRecord { key: text("CODE_ID"), value: text("89ABCDEF0123 my lib.so") },
            InfoRecord { key: text("GENERATOR"), value: text("mdump 0.1") },
        ],
        files: vec![FileRecord { id: 0, name: text("src/a b.c") }, FileRecord { id: 7, name: text("src/c.h") }],
        inline_origins: vec![
            InlineOrigin { id: 0, file: None, name: text("inlined_new(int)") },
            InlineOrigin { id: 1, file: Some(7), name: text("inlined_old()") },
            InlineOrigin { id: 2, file: Some(-1), name: text("artificial") },
        ],
        functions: vec![Function {
            address: 0x1000,
            size: 0x100,
            parameter_size: 8,
            multiple: true,
            name: text("outer(char const*, int)"),
            lines: vec![
                Line { address: 0x1000, size: 0x10, line: 11, file: 0 },
                Line { address: 0x1010, size: 0x20, line: 12, file: 0 },
                Line { address: 0x1030, size: 0xd0, line: 0, file: 7 },
            ]
            .into(),
            inlines: vec![
                Inline {
                    depth: 0,
                    call_line: 12,
                    call_file: Some(7),
                    origin: 0,
                    ranges: vec![
                        InlineRange { address: 0x1010, size: 0x20 },
                        InlineRange { address: 0x1080, size: 0x10 },
                    ],
                },
                Inline {
                    depth: 1,
                    call_line: 3,
                    call_file: Some(-1),
                    origin: 1,
                    ranges: vec![InlineRange { address: 0x1018, size: 8 }],
                },
                Inline {
                    depth: 0,
                    call_line: 30,
                    call_file: None,
                    origin: 2,
                    ranges: vec![InlineRange { address: 0x1040, size: 0x10 }],
                },
            ],
        }],
        publics: vec![Public { address: 0x2000, parameter_size: 4, multiple: true, name: text("public_sym") }],
        public_positions: Vec::new(),
        cfi: vec![CfiInit {
            address: 0x1000,
            size: 0x100,
            rules: text(".cfa: $rsp 8 + .ra: .cfa -8 + ^"),
            deltas: vec![
                mdump_symbols::CfiDelta { address: 0x1001, rules: text(".cfa: $rsp 16 + $rbp: .cfa -16 + ^") },
                mdump_symbols::CfiDelta { address: 0x1004, rules: text(".cfa: $rbp 16 +") },
            ],
        }],
        win: vec![
            StackWin {
                ty: StackWinType::FrameData,
                address: 0x1000,
                code_size: 0x100,
                prologue_size: 4,
                epilogue_size: 0,
                parameter_size: 8,
                saved_register_size: 4,
                local_size: 0xc,
                max_stack_size: 0,
                program: WinProgram::ProgramString(text("$T0 $ebp = $eip $T0 4 + ^ =")),
            },
            StackWin {
                ty: StackWinType::Fpo,
                address: 0x1000,
                code_size: 0x100,
                prologue_size: 4,
                epilogue_size: 0,
                parameter_size: 8,
                saved_register_size: 4,
                local_size: 0xc,
                max_stack_size: 0,
                program: WinProgram::AllocatesBasePointer(true),
            },
        ],
    }
}

#[test]
fn every_record_type_parses_to_the_model_and_writes_back_exactly() {
    let (file, stats) = parse(EVERY_RECORD.as_bytes());
    assert_eq!(stats.bad_lines, 0, "{:?}", stats.first_bad);
    assert_eq!(stats.lines, EVERY_RECORD.lines().count() as u64);
    assert_eq!(file, every_record_model());
    assert_eq!(file.to_string(), EVERY_RECORD);
    assert_eq!(every_record_model().to_string(), EVERY_RECORD);
    let mut out = Vec::new();
    file.write_to(&mut out).unwrap();
    assert_eq!(out, EVERY_RECORD.as_bytes());
    assert_eq!(file.info[0].code_id(), Some(("89ABCDEF0123", Some("my lib.so"))));
    assert_eq!(file.info[1].code_id(), None);
}

#[test]
fn every_record_type_lookups() {
    let s = Symbols::parse(EVERY_RECORD.as_bytes());
    // Function, line, file.
    let f = s.function_at(0x1020).unwrap();
    assert_eq!(f.name, "outer(char const*, int)");
    let line = s.line_at(0x1020).unwrap();
    assert_eq!((line.line.line, line.file), (12, Some("src/a b.c")));
    assert_eq!(s.line_at(0x1030).unwrap().file, Some("src/c.h"));
    // Inline chain, outermost first, through a second range and a
    // multi-level nesting.
    let names = |addr| s.inline_chain_at(addr).iter().map(|f| f.name.unwrap_or("?")).collect::<Vec<_>>();
    assert_eq!(names(0x1019), ["inlined_new(int)", "inlined_old()"]);
    assert_eq!(names(0x1010), ["inlined_new(int)"]);
    assert_eq!(names(0x1020), ["inlined_new(int)"]);
    assert_eq!(names(0x1085), ["inlined_new(int)"]);
    assert_eq!(names(0x1045), ["artificial"]);
    assert!(names(0x1050).is_empty());
    let chain = s.inline_chain_at(0x1019);
    assert_eq!((chain[0].call_file, chain[0].inline.call_line, chain[0].range_address), (Some("src/c.h"), 12, 0x1010));
    assert_eq!((chain[1].call_file, chain[1].inline.call_line, chain[1].range_address), (None, 3, 0x1018));
    assert_eq!(s.inline_chain_at(0x1085)[0].range_address, 0x1080);
    // Public.
    assert_eq!(s.symbol_at(0x2010), Some(SymbolAt::Public(&s.file().publics[0])));
    assert_eq!(s.symbol_at(0x2010).unwrap().parameter_size(), 4);
    // CFI: INIT rules plus each delta up to and including the address.
    assert_eq!(s.cfi_at(0x1000).unwrap().rules(), [(".cfa", "$rsp 8 +"), (".ra", ".cfa -8 + ^")]);
    assert_eq!(
        s.cfi_at(0x1003).unwrap().rules(),
        [(".cfa", "$rsp 16 +"), (".ra", ".cfa -8 + ^"), ("$rbp", ".cfa -16 + ^")]
    );
    assert_eq!(
        s.cfi_at(0x1004).unwrap().rules(),
        [(".cfa", "$rbp 16 +"), (".ra", ".cfa -8 + ^"), ("$rbp", ".cfa -16 + ^")]
    );
    assert_eq!(s.cfi_at(0x10ff).unwrap().deltas.len(), 2);
    assert!(s.cfi_at(0x1100).is_none());
    assert!(s.cfi_at(0xfff).is_none());
    // STACK WIN: type 4 preferred over type 0 for the same range.
    assert_eq!(s.win_at(0x1000).unwrap().ty, StackWinType::FrameData);
    assert!(s.win_at(0x1100).is_none());
    // Dumper-built model: the same answers.
    let built = Symbols::new(every_record_model());
    assert_eq!(built.line_at(0x1020).unwrap().line.line, 12);
    assert_eq!(built.stats().bad_lines, 0);
}

#[test]
fn function_edges_and_overlaps() {
    let text = "\
FUNC 1000 10 0 first
FUNC 1008 10 0 overlaps_first
FUNC 1010 10 0 adjacent
FUNC 3000 10 0 dup
FUNC 3000 10 0 dup_second
FUNC 2000 0 0 empty
FUNC 500 10 0 out_of_order
FUNC fffffffffffffff0 20 0 past_the_end
FUNC fffffffffffffff0 10 0 at_the_top
";
    let s = Symbols::parse(text.as_bytes());
    assert_eq!(s.stats().bad_lines, 0);
    assert_eq!(s.file().functions.len(), 9);
    let name = |a| s.function_at(a).map(|f| f.name.to_string());
    assert_eq!(name(0x1000).as_deref(), Some("first"));
    assert_eq!(name(0x100f).as_deref(), Some("first"));
    // The exact end of a function belongs to the next one (or none).
    assert_eq!(name(0x1010).as_deref(), Some("adjacent"));
    assert_eq!(name(0x101f).as_deref(), Some("adjacent"));
    assert_eq!(name(0x1020), None);
    // A later overlapping function is ignored, as is a zero-size one.
    assert_eq!(name(0x2000), None);
    // Duplicates: the first in the file wins.
    assert_eq!(name(0x3005).as_deref(), Some("dup"));
    assert_eq!(name(0x500).as_deref(), Some("out_of_order"));
    assert_eq!(name(0x4ff), None);
    // A range past 2^64 is ignored; one ending exactly there is kept.
    assert_eq!(name(u64::MAX).as_deref(), Some("at_the_top"));
    assert_eq!(name(0xffff_ffff_ffff_ffef), None);
}

#[test]
fn public_symbols_follow_breakpads_rule() {
    let text = "\
FUNC 1000 10 0 func_a
FUNC 3000 10 0 func_b
PUBLIC 0 0 at_zero_is_ignored
PUBLIC 1000 0 same_address_as_func_a
PUBLIC 1800 0 between
PUBLIC 1800 0 duplicate_address
PUBLIC 2800 c before_func_b
PUBLIC 500 0 early
";
    let s = Symbols::parse(text.as_bytes());
    assert_eq!(s.stats().bad_lines, 0);
    let name = |a| s.symbol_at(a).map(|x| x.name().to_owned());
    assert_eq!(name(0x10), None);
    assert_eq!(name(0x500).as_deref(), Some("early"));
    assert_eq!(name(0xfff).as_deref(), Some("early"));
    // Inside a FUNC the FUNC wins, even over a PUBLIC at the same address.
    assert_eq!(name(0x1000).as_deref(), Some("func_a"));
    assert!(s.public_at(0x1000).is_none());
    // After func_a ends, a public at func_a's own address does not count.
    assert_eq!(name(0x1010), None);
    assert_eq!(name(0x17ff), None);
    // The first of two publics at one address; publics have no end.
    assert_eq!(name(0x1800).as_deref(), Some("between"));
    assert_eq!(name(0x2000).as_deref(), Some("between"));
    assert_eq!(name(0x2800).as_deref(), Some("before_func_b"));
    assert_eq!(s.symbol_at(0x2900).unwrap().parameter_size(), 0xc);
    assert_eq!(name(0x3000).as_deref(), Some("func_b"));
    // Past func_b, the last public is before func_b: nothing.
    assert_eq!(name(0x3010), None);
    assert_eq!(name(u64::MAX), None);
}

#[test]
fn lines_out_of_order_overlapping_and_misplaced() {
    let text = "\
10 2 1 0
FILE 0 a.c
FUNC 100 40 0 f
130 10 4 0
100 10 1 0
110 10 2 0
108 10 99 0
STACK CFI INIT 100 40 .cfa: $esp 4 +
120 10 3 1
PUBLIC 200 0 p
200 4 5 0
FUNC 300 10 0 g
300 10 6 5
FUNC 400 zz 0 bad
400 4 7 0
";
    let (file, stats) = parse(text.as_bytes());
    assert_eq!(stats.bad_lines, 4);
    let kinds: Vec<_> = stats.first_bad.iter().map(|b| (b.line_number, b.kind)).collect();
    assert_eq!(
        kinds,
        [
            (1, BadLineKind::LineWithoutFunction),
            (11, BadLineKind::LineWithoutFunction),
            (14, BadLineKind::Function),
            (15, BadLineKind::LineWithoutFunction),
        ]
    );
    // Lines after a STACK record still belong to the FUNC before it.
    assert_eq!(file.functions[0].lines.len(), 5);
    let s = Symbols::parse(text.as_bytes());
    let line = |a| s.line_at(a).map(|l| l.line.line);
    assert_eq!(line(0x100), Some(1));
    assert_eq!(line(0x10f), Some(2 - 1));
    assert_eq!(line(0x110), Some(2));
    // 108+10 overlaps both neighbours and comes later: ignored.
    assert_eq!(line(0x118), Some(2));
    assert_eq!(line(0x125), Some(3));
    assert_eq!(line(0x13f), Some(4));
    // A line whose file does not exist still resolves, without a name.
    assert_eq!(s.line_at(0x300).unwrap().file, None);
    assert_eq!(s.line_at(0x125).unwrap().file, None);
}

#[test]
fn cfi_deltas_out_of_order_repeated_outside_and_orphaned() {
    let text = "\
STACK CFI 50 .cfa: orphan
STACK CFI INIT 1000 20 .cfa: $esp 4 + .ra: .cfa 4 - ^
STACK CFI 1008 .cfa: $esp 12 +
STACK CFI 1004 .cfa: $esp 8 +
STACK CFI 1008 .cfa: $esp 16 +
STACK CFI 2000 .cfa: outside
STACK CFI INIT 1010 10 .cfa: overlapping_init_is_ignored
STACK CFI INIT 3000 zz .cfa: bad
STACK CFI 3004 .cfa: after_a_bad_init
STACK CFI INIT 4000 10
";
    let s = Symbols::parse(text.as_bytes());
    let kinds: Vec<_> = s.stats().first_bad.iter().map(|b| (b.line_number, b.kind)).collect();
    assert_eq!(
        kinds,
        [
            (1, BadLineKind::CfiWithoutInit),
            (8, BadLineKind::Stack),
            (9, BadLineKind::CfiWithoutInit),
            (10, BadLineKind::Stack),
        ]
    );
    assert_eq!(s.file().cfi[0].deltas.len(), 4);
    let cfa = |a| s.cfi_at(a).map(|r| r.rules()[0].1);
    assert_eq!(cfa(0x1000), Some("$esp 4 +"));
    assert_eq!(cfa(0x1004), Some("$esp 8 +"));
    // Two deltas at 1008: the later one, as Breakpad's map keeps.
    assert_eq!(cfa(0x1008), Some("$esp 16 +"));
    assert_eq!(s.cfi_at(0x1008).unwrap().deltas.len(), 2);
    // The overlapping INIT is ignored: 1010 is still the first range.
    assert_eq!(cfa(0x1010), Some("$esp 16 +"));
    assert_eq!(cfa(0x1020), None);
    assert_eq!(cfa(0x2000), None);
}

#[test]
fn stack_win_nesting_and_types() {
    let text = "\
STACK WIN 0 1000 100 0 0 0 0 0 0 0 0
STACK WIN 4 1040 20 0 0 0 0 0 0 1 inner
STACK WIN 4 1000 100 0 0 0 0 0 0 1 outer
STACK WIN 4 1050 20 0 0 0 0 0 0 1 partial_overlap_is_ignored
STACK WIN 4 1040 20 0 0 0 0 0 0 1 repeat_is_ignored
STACK WIN 2 2000 100 0 0 0 0 0 0 0 0
STACK WIN 0 3000 10 0 0 0 0 0 0 0 1
STACK WIN 5 3000 10 0 0 0 0 0 0 0 1
";
    let s = Symbols::parse(text.as_bytes());
    assert_eq!(s.stats().first_bad_line_numbers(), [8]);
    let program = |a| match s.win_at(a).map(|w| &w.program) {
        Some(WinProgram::ProgramString(p)) => Some(p.to_string()),
        Some(WinProgram::AllocatesBasePointer(b)) => Some(format!("fpo {b}")),
        None => None,
    };
    assert_eq!(program(0x1000).as_deref(), Some("outer"));
    assert_eq!(program(0x1040).as_deref(), Some("inner"));
    assert_eq!(program(0x105f).as_deref(), Some("inner"));
    assert_eq!(program(0x1060).as_deref(), Some("outer"));
    assert_eq!(program(0x1100), None);
    // Types other than 0 and 4 are kept but never used.
    assert_eq!(s.file().win[5].ty, StackWinType::Tss);
    assert_eq!(program(0x2000), None);
    assert_eq!(program(0x3000).as_deref(), Some("fpo true"));
}

#[test]
fn inline_placement_and_depth() {
    let text = "\
INLINE 0 1 0 10 4
FUNC 100 100 0 f
INLINE 1 1 0 110 4
INLINE 0 1 0 110 10
INLINE 2 1 0 112 2
INLINE 1 2 0 112 4
PUBLIC 300 0 p
INLINE 0 1 0 300 4
FUNC 400 10 0 g
INLINE 0 1 0 400
";
    let (file, stats) = parse(text.as_bytes());
    let kinds: Vec<_> = stats.first_bad.iter().map(|b| (b.line_number, b.kind)).collect();
    assert_eq!(
        kinds,
        [
            (1, BadLineKind::InlineWithoutFunction),
            (3, BadLineKind::InlineWithoutParent),
            (5, BadLineKind::InlineWithoutParent),
            (8, BadLineKind::InlineWithoutFunction),
            (10, BadLineKind::Inline),
        ]
    );
    assert_eq!(file.functions[0].inlines.len(), 2);
    let s = Symbols::parse(text.as_bytes());
    assert_eq!(s.inline_chain_at(0x113).len(), 2);
    // No INLINE_ORIGIN 0 in the file: the frame is there, unnamed.
    assert_eq!(s.inline_chain_at(0x113)[0].name, None);
}

#[test]
fn line_endings_and_framing() {
    let crlf = "MODULE windows x86 ABC app.pdb\r\nFUNC 10 10 0 f\r\n10 10 1 0\r\n\r\nPUBLIC 40 0 p";
    let (file, stats) = parse(crlf.as_bytes());
    assert_eq!((stats.lines, stats.bad_lines), (5, 0));
    assert_eq!(file.module.as_ref().unwrap().name, "app.pdb");
    assert_eq!(file.functions[0].name, "f");
    assert_eq!(file.functions[0].lines.len(), 1);
    assert_eq!(file.publics[0].name, "p");
    let lf_text = crlf.replace("\r\n", "\n");
    let (lf, _) = parse(lf_text.as_bytes());
    assert_eq!(lf, file);

    let (empty, stats) = parse(b"");
    assert_eq!((stats.lines, stats.bad_lines, empty), (0, 0, SymbolFile::default()));
    let (_, stats) = parse(b"\n\n\r\n");
    assert_eq!((stats.lines, stats.bad_lines), (3, 0));
    // Names keep inner spaces, a leading extra space, and non-UTF-8 bytes
    // (decoded lossily).
    let (file, stats) = parse(b"FUNC 1 2 3  two  spaces \nFUNC 10 2 3 caf\xe9\n");
    assert_eq!(stats.bad_lines, 0);
    assert_eq!(file.functions[0].name, " two  spaces ");
    assert_eq!(file.functions[1].name, "caf\u{fffd}");
}

#[test]
fn malformed_lines_are_counted_not_fatal() {
    let text = "\
MODULE Linux x86
MODULE Linux x86 ID good
MODULE Linux x86 ID second
INFO
FILE -1 neg.c
FILE 4294967296 huge.c
INLINE_ORIGIN x name
FUNC 10000000000000000 1 0 overflow
FUNC 1 2 3
PUBLIC 1 2
STACK FOO 1 2
STACK WIN 4 1
garbage line
FUNC 100 10 0 ok
1 2 3
1 100000000 3 4
1 2 3 4 trailing words are ignored
";
    let (file, stats) = parse(text.as_bytes());
    let kinds: Vec<_> = stats.first_bad.iter().map(|b| b.kind).collect();
    assert_eq!(
        kinds,
        [
            BadLineKind::Module,
            BadLineKind::DuplicateModule,
            // "INFO" with no space is no INFO record.
            BadLineKind::LineWithoutFunction,
            BadLineKind::File,
            BadLineKind::File,
            BadLineKind::InlineOrigin,
            BadLineKind::Function,
            BadLineKind::Function,
            BadLineKind::Public,
            BadLineKind::Stack,
            BadLineKind::Stack,
            BadLineKind::LineWithoutFunction,
            BadLineKind::Line,
            // A line record of 4 GiB or more.
            BadLineKind::Line,
        ]
    );
    assert_eq!(stats.bad_lines, 14);
    assert_eq!(file.module.as_ref().unwrap().name, "good");
    assert_eq!(file.functions.len(), 1);
    assert_eq!(file.functions[0].lines, [Line { address: 1, size: 2, line: 3, file: 4 }]);
    assert_eq!(format!("{}", stats.first_bad[0]), "line 1: malformed MODULE record");
    let (_, stats) = parse(b"INFO   \n");
    assert_eq!(stats.first_bad[0].kind, BadLineKind::Info);
}

#[test]
fn many_bad_lines_keep_only_the_first_numbers() {
    let text = "x\n".repeat(100);
    let (_, stats) = parse(text.as_bytes());
    assert_eq!(stats.bad_lines, 100);
    assert_eq!(stats.first_bad_line_numbers(), (1..=16).collect::<Vec<u64>>());
}

#[test]
fn duplicate_file_and_origin_ids_keep_the_first() {
    let text = "FILE 3 first.c\nFILE 3 second.c\nFILE 1 one.c\nINLINE_ORIGIN 5 a\nINLINE_ORIGIN 5 b\n";
    let s = Symbols::parse(text.as_bytes());
    assert_eq!(s.file_name(3), Some("first.c"));
    assert_eq!(s.file_name(1), Some("one.c"));
    assert_eq!(s.file_name(0), None);
    assert_eq!(s.inline_origin(5).unwrap().name, "a");
    assert!(s.inline_origin(0).is_none());
    let dense = Symbols::parse(b"FILE 0 a\nFILE 1 b\n");
    assert_eq!((dense.file_name(1), dense.file_name(2)), (Some("b"), None));
}

#[test]
fn a_new_form_inline_origin_with_a_numeric_first_word_reads_back_as_old() {
    // The one ambiguity of the format, documented on `InlineOrigin`.
    let model = SymbolFile {
        inline_origins: vec![InlineOrigin { id: 1, file: None, name: "42 thing".into() }],
        ..Default::default()
    };
    let text = model.to_string();
    let (back, _) = parse(text.as_bytes());
    assert_eq!(back.inline_origins[0].file, Some(42));
    assert_eq!(back.inline_origins[0].name, "thing");
    let _ = module();
}

#[test]
fn public_records_keep_their_place_among_functions() {
    // Breakpad's Windows layout: one walk by address.
    let interleaved = "FUNC 10 4 0 f\n10 4 1 0\nPUBLIC 18 0 p\nPUBLIC 1c 0 q\nFUNC 30 4 0 g\nPUBLIC 40 0 r\n";
    let (file, stats) = parse(interleaved.as_bytes());
    assert_eq!(stats.bad_lines, 0);
    assert_eq!(file.public_positions, [1, 1, 2]);
    assert_eq!(file.to_string(), interleaved);
    let mut fast = Vec::new();
    mdump_symbols::dump::text::write_symbol_file(&file, &mut fast).unwrap();
    assert_eq!(String::from_utf8(fast).unwrap(), interleaved);
    // Every public after every function (Breakpad's ELF layout): nothing
    // to record, so a dumper's model and the parsed one are equal.
    let grouped = "FUNC 10 4 0 f\nFUNC 30 4 0 g\nPUBLIC 18 0 p\nPUBLIC 40 0 r\n";
    let (file, _) = parse(grouped.as_bytes());
    assert!(file.public_positions.is_empty());
    assert_eq!(file.to_string(), grouped);
    // Publics first, and positions shorter than the publics (a model built
    // by hand): the ones without a position follow every function.
    let (mut file, _) = parse(b"PUBLIC 8 0 first\nFUNC 10 4 0 f\n");
    assert_eq!(file.public_positions, [0]);
    file.publics.push(file.publics[0].clone());
    assert_eq!(file.to_string(), "PUBLIC 8 0 first\nFUNC 10 4 0 f\nPUBLIC 8 0 first\n");
}
