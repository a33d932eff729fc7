//! `to_json` (and `print_json`, which must print it) on synthetic dumps: what the corpus does not have (thread
//! names, a skipped dump thread before the crashing one, a TEB's last error,
//! unloaded modules, modules listed out of address order, inlined frames,
//! os-release files, soft errors, a dump without a crash).

use mdump_processor::{print_json, to_json, ContextOnly, FrameTrust, ProcessState, StackFrame};
use mdump_reader::Minidump;
use mdump_testkit::*;
use serde_json::{json, Value};

const THREAD_NAMES: u32 = 24;
const UNLOADED_MODULE_LIST: u32 = 14;
const BREAKPAD_INFO: u32 = 0x4767_0001;
const LINUX_CPU_INFO: u32 = 0x4767_0003;
const LINUX_PROC_STATUS: u32 = 0x4767_0004;
const LINUX_LSB_RELEASE: u32 = 0x4767_0005;
const MOZ_SOFT_ERRORS: u32 = 0x4d7a_0004;

fn process(bytes: &[u8]) -> ProcessState {
    let dump = Minidump::parse(bytes).expect("header and directory");
    ProcessState::from_dump(&dump, &ContextOnly).expect("a thread list")
}

/// [`to_json`], after checking that [`print_json`] prints the state as
/// serde_json prints that tree, byte for byte, pretty and compact.
fn report(state: &ProcessState) -> Value {
    let tree = to_json(state);
    for pretty in [true, false] {
        let mut streamed = Vec::new();
        print_json(state, &mut streamed, pretty).unwrap();
        let printed = if pretty { serde_json::to_vec_pretty(&tree) } else { serde_json::to_vec(&tree) }.unwrap();
        assert!(
            streamed == printed,
            "print_json (pretty: {pretty}) differs from the tree:\n{}\n---\n{}",
            String::from_utf8_lossy(&streamed),
            String::from_utf8_lossy(&printed)
        );
    }
    tree
}

fn keys(v: &Value) -> Vec<&str> {
    v.as_object().map(|m| m.keys().map(String::as_str).collect()).unwrap_or_default()
}

/// The keys rust-minidump 0.27 prints at the top level.
const TOP_LEVEL: &[&str] = &[
    "crash_info",
    "crashing_thread",
    "handles",
    "linux_memory_map_count",
    "lsb_release",
    "mac_boot_args",
    "mac_crash_info",
    "main_module",
    "modules",
    "modules_contains_cert_info",
    "pid",
    "proc_limits",
    "process_uptime",
    "soft_errors",
    "status",
    "system_info",
    "thread_count",
    "threads",
    "unloaded_modules",
];

#[test]
fn linux_streams() {
    let mut b = linux_amd64_dump(2, 0);
    b.stream(LINUX_PROC_STATUS, b"Name:\tsynthetic\nPid:\t4242\nPPid:\t1\n");
    b.stream(
        LINUX_LSB_RELEASE,
        b"PRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\nNAME=\"Debian GNU/Linux\"\nVERSION_ID=\"12\"\n\
          VERSION_CODENAME=bookworm\nID=debian\n",
    );
    b.stream(LINUX_CPU_INFO, b"processor\t: 0\nmicrocode\t: 0xf0\n\nprocessor\t: 1\nmicrocode\t: 0xf0\n");
    b.stream(MOZ_SOFT_ERRORS, br#"[{"InitErrors":["x"]}]"#);
    let bytes = b.finish();
    let state = process(&bytes);
    let report = report(&state);

    assert_eq!(keys(&report), TOP_LEVEL, "sorted, as rust-minidump prints them");
    assert_eq!(report["status"], "OK");
    assert_eq!(report["pid"], 4242);
    assert_eq!(report["process_uptime"], Value::Null);
    assert_eq!(report["linux_memory_map_count"], 1);
    assert_eq!(report["soft_errors"], json!([{"InitErrors": ["x"]}]));
    assert_eq!(
        report["lsb_release"],
        json!({"codename": "bookworm", "description": "Debian GNU/Linux 12 (bookworm)", "id": "debian", "release": "12"})
    );
    assert_eq!(
        report["system_info"],
        json!({
            "cpu_arch": "amd64",
            "cpu_count": 4,
            "cpu_info": "family 6 model 0 stepping 0",
            "cpu_microcode_version": "0xf0",
            "os": "Linux",
            "os_ver": "6.1.0 #1 SMP",
        })
    );
    let crash = &report["crash_info"];
    assert_eq!(crash["type"], "SIGSEGV");
    assert_eq!(crash["address"], "0x0000000000000000");
    assert_eq!(crash["crashing_thread"], 0);
    assert_eq!(crash["crash_inconsistencies"], json!([]));
    assert_eq!(report["thread_count"], 2);
    assert_eq!(report["threads"][1]["thread_id"], 1001);
    assert_eq!(report["threads"][1]["last_error_value"], Value::Null, "no TEB on Linux");

    let frame = &report["threads"][0]["frames"][0];
    assert_eq!(keys(frame), FRAME_KEYS);
    assert_eq!(frame["offset"], "0x0000000000401000");
    assert_eq!(frame["module"], "synthetic");
    assert_eq!(frame["module_offset"], "0x0000000000001000");
    assert_eq!(frame["trust"], "context");
    assert_eq!(frame["missing_symbols"], true);
    assert_eq!(frame["function"], Value::Null);

    let crashing = &report["crashing_thread"];
    assert_eq!(crashing["threads_index"], 0);
    assert_eq!(crashing["frames"][0]["registers"]["rip"], "0x0000000000401000");
    assert_eq!(crashing["frames"][0]["registers"]["rsp"], "0x00007f0000000100");
    assert_eq!(keys(&crashing["frames"][0]["registers"]).len(), 17, "the 17 general registers, no flags");

    assert_eq!(report["main_module"], 0);
    let module = &report["modules"][1];
    assert_eq!(module["filename"], "libc.so.6");
    assert_eq!(module["code_id"], "22".repeat(20));
    assert_eq!(module["base_addr"], "0x00007f1234000000");
    assert_eq!(module["end_addr"], "0x00007f12341c0000");
    assert_eq!(module["loaded_symbols"], false);
    assert_eq!(module["missing_symbols"], false, "never looked up");
}

/// The keys of a frame, sorted.
const FRAME_KEYS: &[&str] = &[
    "file",
    "frame",
    "function",
    "function_offset",
    "inlines",
    "line",
    "missing_symbols",
    "module",
    "module_offset",
    "offset",
    "trust",
    "unloaded_modules",
];

/// A Windows x86 dump: the dump thread (7) listed before the crashing one
/// (8), which is named and crashed in an unloaded module; the main module
/// listed first though its base is higher.
fn windows_dump() -> Vec<u8> {
    let mut b = DumpBuilder::new();
    b.time(1000);
    let teb = 0x7000_0000_0000u64;
    let mut teb_bytes = vec![0u8; 0x40];
    teb_bytes[0x34..0x38].copy_from_slice(&183u32.to_le_bytes());
    let teb_rva = b.append(&teb_bytes);
    let stack_rva = b.append(&[0u8; 0x100]);
    let dump_ctx = b.append(&x86_context(0x7000_1000, 0x2000));
    let crash_ctx = b.append(&x86_context(0x5000_0010, 0x1000));
    let threads = [
        Thread { id: 7, stack_base: 0x2000, context_rva: dump_ctx, context_len: X86_CONTEXT_SIZE, ..Thread::default() },
        Thread {
            id: 8,
            stack_base: 0x1000,
            stack_rva,
            stack_len: 0x100,
            context_rva: crash_ctx,
            context_len: X86_CONTEXT_SIZE,
        },
    ];
    b.stream(THREAD_LIST, &thread_list(&threads));
    b.stream(MEMORY_LIST, &memory_list(&[(0x1000, 0x100, stack_rva), (teb, 0x40, teb_rva)]));
    let csd = b.string("Service Pack 2");
    b.stream(SYSTEM_INFO, &system_info(ARCH_X86, PLATFORM_WIN32_NT, csd));
    let mut exc = exception(8, 0xc000_0005, 0x7000_0010, crash_ctx, X86_CONTEXT_SIZE);
    exc[32..36].copy_from_slice(&2u32.to_le_bytes());
    exc[40..48].copy_from_slice(&1u64.to_le_bytes());
    exc[48..56].copy_from_slice(&0x45u64.to_le_bytes());
    b.stream(EXCEPTION, &exc);
    b.stream(BREAKPAD_INFO, &[3u32, 7, 8].iter().flat_map(|v| v.to_le_bytes()).collect::<Vec<_>>());
    // MiscInfo with the process id and times.
    let misc: Vec<u8> = [24u32, 3, 77, 990, 0, 0].iter().flat_map(|v| v.to_le_bytes()).collect();
    b.stream(MISC_INFO, &misc);
    let name = b.string("main");
    let mut names = 1u32.to_le_bytes().to_vec();
    names.extend_from_slice(&8u32.to_le_bytes());
    names.extend_from_slice(&u64::from(name).to_le_bytes());
    b.stream(THREAD_NAMES, &names);
    let app = b.string(r"C:\app\app.exe");
    let lib = b.string(r"C:\Windows\lib.dll");
    b.stream(
        MODULE_LIST,
        &module_list(&[
            Module { base: 0x7000_0000, size: 0x1_0000, name_rva: app, cv: (0, 0) },
            Module { base: 0x40_0000, size: 0x1_0000, name_rva: lib, cv: (0, 0) },
        ]),
    );
    let old = b.string(r"C:\old\old.dll");
    let mut unloaded = [12u32, 24, 1].iter().flat_map(|v| v.to_le_bytes()).collect::<Vec<_>>();
    unloaded.extend_from_slice(&0x5000_0000u64.to_le_bytes());
    unloaded
        .extend_from_slice(&[0x1000u32, 0, 0x1234_5678, old].iter().flat_map(|v| v.to_le_bytes()).collect::<Vec<_>>());
    b.stream(UNLOADED_MODULE_LIST, &unloaded);
    b.finish()
}

#[test]
fn windows_threads_modules_and_unloaded_modules() {
    let bytes = windows_dump();
    let state = process(&bytes);
    assert_eq!(state.threads.len(), 1, "the dump thread is not walked");
    let report = report(&state);
    assert_eq!(keys(&report), TOP_LEVEL);

    assert_eq!(report["thread_count"], 2);
    assert_eq!(
        report["threads"][0],
        json!({"frame_count": 0, "frames": [], "last_error_value": null, "thread_id": 7, "thread_name": null})
    );
    let thread = &report["threads"][1];
    assert_eq!(thread["thread_id"], 8);
    assert_eq!(thread["thread_name"], "main");
    assert_eq!(thread["last_error_value"], "ERROR_ALREADY_EXISTS");
    let frame = &thread["frames"][0];
    assert_eq!(frame["offset"], "0x50000010");
    assert_eq!(frame["module"], Value::Null);
    assert_eq!(frame["unloaded_modules"], json!([{"module": r"C:\old\old.dll", "offsets": ["0x00000010"]}]));

    let crash = &report["crash_info"];
    assert_eq!(crash["type"], "EXCEPTION_ACCESS_VIOLATION_WRITE");
    assert_eq!(crash["address"], "0x00000045");
    assert_eq!(crash["crashing_thread"], 1, "counted in the dump's list, the dump thread included");
    let crashing = &report["crashing_thread"];
    assert_eq!(crashing["threads_index"], 1);
    assert_eq!(
        keys(&crashing["frames"][0]["registers"]),
        ["eax", "ebp", "ebx", "ecx", "edi", "edx", "eflags", "eip", "esi", "esp"]
    );
    assert_eq!(crashing["frames"][0]["registers"]["eip"], "0x50000010");

    assert_eq!(report["pid"], 77);
    assert_eq!(report["process_uptime"], 10);
    assert_eq!(report["system_info"]["os_ver"], "0.0.0 Service Pack 2");
    let names: Vec<&Value> = report["modules"].as_array().unwrap().iter().map(|m| &m["filename"]).collect();
    assert_eq!(names, ["app.exe", "lib.dll"], "the dump's order, not the address order");
    assert_eq!(report["modules"][0]["base_addr"], "0x70000000");
    assert_eq!(report["modules"][0]["code_id"], "0000000010000", "time stamp 0, size 0x10000");
    assert_eq!(report["modules"][0]["debug_id"], "0".repeat(33));
    assert_eq!(
        report["unloaded_modules"],
        json!([{
            "base_addr": "0x50000000",
            "cert_subject": null,
            "code_id": "123456781000",
            "end_addr": "0x50001000",
            "filename": r"C:\old\old.dll",
        }])
    );
}

#[test]
fn inlined_frames_nest_in_their_frame() {
    let bytes = linux_amd64_dump(1, 0).finish();
    let mut state = process(&bytes);
    let outer = &mut state.threads[0].frames[0];
    outer.function_name = Some("outer".into());
    outer.function_base = Some(0x40_0f00);
    outer.source_file = Some("/src/outer.c".into());
    outer.source_line = Some(10);
    let mut inlined = StackFrame::new(outer.instruction, FrameTrust::Inline, outer.registers);
    inlined.module = outer.module;
    inlined.function_name = Some("inner".into());
    inlined.source_file = Some("/src/inner.h".into());
    inlined.source_line = Some(3);
    state.threads[0].frames.insert(0, inlined);

    let report = report(&state);
    let thread = &report["threads"][0];
    assert_eq!(thread["frame_count"], 1);
    let frame = &thread["frames"][0];
    assert_eq!(frame["frame"], 0);
    assert_eq!(frame["function"], "outer");
    assert_eq!(frame["function_offset"], "0x0000000000000100");
    assert_eq!(frame["file"], "/src/outer.c");
    assert_eq!(frame["line"], 10);
    assert_eq!(frame["missing_symbols"], false);
    assert_eq!(frame["inlines"], json!([{"file": "/src/inner.h", "function": "inner", "line": 3}]));
    assert_eq!(report["crashing_thread"]["frames"][0]["registers"]["rip"], "0x0000000000401000");
}

#[test]
fn no_crash() {
    let mut b = DumpBuilder::new();
    let ctx = b.append(&amd64_context(0x40_1000, 0x1000));
    b.stream(
        THREAD_LIST,
        &thread_list(&[Thread { id: 1, context_rva: ctx, context_len: AMD64_CONTEXT_SIZE, ..Thread::default() }]),
    );
    b.stream(SYSTEM_INFO, &system_info(ARCH_AMD64, PLATFORM_LINUX, 0));
    let bytes = b.finish();
    let report = report(&process(&bytes));
    let crash = &report["crash_info"];
    assert_eq!(
        (&crash["type"], &crash["address"], &crash["crashing_thread"]),
        (&Value::Null, &Value::Null, &Value::Null)
    );
    assert!(report.get("crashing_thread").is_none(), "only for a requesting thread");
    assert_eq!(report["modules"], json!([]));
    assert_eq!(report["main_module"], Value::Null);
    assert_eq!(report["lsb_release"], Value::Null);
    assert_eq!(report["pid"], Value::Null);
    assert_eq!(report["threads"][0]["frames"][0]["module"], Value::Null);
}
