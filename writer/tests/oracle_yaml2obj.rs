//! LLVM's `yaml2obj` as an independent writer (Debian's `llvm-16`): dumps
//! made from minidump YAML written by hand below must read back with
//! mdump-reader equal to every value the YAML states.

mod common;
mod exec;

use mdump_reader::*;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

const YAML2OBJ: &str = "/usr/lib/llvm-16/bin/yaml2obj";
const LIMIT: Duration = Duration::from_secs(60);

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02X}")).collect()
}

fn unhex(s: &str) -> Vec<u8> {
    assert!(s.len().is_multiple_of(2), "odd-length hex {s:?}");
    (0..s.len()).step_by(2).map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap()).collect()
}

/// A context laid out by hand from the specifications' offsets (not from
/// mdump-format's structs, so a layout mistake cannot hide in both).
struct Ctx {
    bytes: Vec<u8>,
    /// The registers set, by the reader's names.
    regs: Vec<(&'static str, u64)>,
}

impl Ctx {
    fn new(size: usize) -> Ctx {
        Ctx { bytes: vec![0; size], regs: Vec::new() }
    }

    fn put(&mut self, at: usize, value: u64, width: usize) {
        self.bytes[at..at + width].copy_from_slice(&value.to_le_bytes()[..width]);
    }

    fn reg(&mut self, name: &'static str, at: usize, value: u64, width: usize) {
        self.put(at, value, width);
        self.regs.push((name, value));
    }

    fn hex(&self) -> String {
        hex(&self.bytes)
    }
}

/// `CONTEXT` for AMD64: 1232 bytes, flags at 0x30, RIP at 0xF8.
fn ctx_amd64(rip: u64, rsp: u64, seed: u64) -> Ctx {
    let mut c = Ctx::new(1232);
    c.put(0x30, 0x0010_000b, 4); // CONTEXT_AMD64 | CONTROL | INTEGER | FLOATING_POINT
    c.reg("mxcsr", 0x34, 0x1f80, 4);
    c.reg("cs", 0x38, 0x33, 2);
    c.reg("ss", 0x42, 0x2b, 2);
    c.reg("eflags", 0x44, 0x246, 4);
    let names = ["rax", "rcx", "rdx", "rbx"];
    for (i, n) in names.iter().enumerate() {
        c.reg(n, 0x78 + 8 * i, seed + i as u64, 8);
    }
    c.reg("rsp", 0x98, rsp, 8);
    c.reg("rbp", 0xa0, rsp + 0x40, 8);
    c.reg("rsi", 0xa8, seed + 0x10, 8);
    c.reg("rdi", 0xb0, seed + 0x11, 8);
    let high = ["r8", "r9", "r10", "r11", "r12", "r13", "r14", "r15"];
    for (i, n) in high.iter().enumerate() {
        c.reg(n, 0xb8 + 8 * i, seed + 0x20 + i as u64, 8);
    }
    c.reg("rip", 0xf8, rip, 8);
    c
}

/// `CONTEXT` for x86: 716 bytes, flags at 0, EIP at 0xB8, ESP at 0xC4.
fn ctx_x86(eip: u32, esp: u32, seed: u32) -> Ctx {
    let mut c = Ctx::new(716);
    c.put(0, 0x0001_0007, 4); // CONTEXT_X86 | CONTROL | INTEGER | SEGMENTS
    let at = [("gs", 0x8c), ("fs", 0x90), ("es", 0x94), ("ds", 0x98)];
    for (i, (n, off)) in at.iter().enumerate() {
        c.reg(n, *off, 0x20 + i as u64, 4);
    }
    let at = [("edi", 0x9c), ("esi", 0xa0), ("ebx", 0xa4), ("edx", 0xa8), ("ecx", 0xac), ("eax", 0xb0)];
    for (i, (n, off)) in at.iter().enumerate() {
        c.reg(n, *off, u64::from(seed) + i as u64, 4);
    }
    c.reg("ebp", 0xb4, u64::from(esp) + 0x20, 4);
    c.reg("eip", 0xb8, eip.into(), 4);
    c.reg("cs", 0xbc, 0x1b, 4);
    c.reg("eflags", 0xc0, 0x246, 4);
    c.reg("esp", 0xc4, esp.into(), 4);
    c.reg("ss", 0xc8, 0x23, 4);
    c
}

/// Microsoft's ARM64 `CONTEXT`: 912 bytes, flags at 0, X0 at 8, SP at
/// 0x100, PC at 0x108.
fn ctx_arm64(pc: u64, sp: u64, seed: u64) -> Ctx {
    let mut c = Ctx::new(912);
    c.put(0, 0x0040_0007, 4); // CONTEXT_ARM64 | CONTROL | INTEGER | FLOATING_POINT
    c.reg("cpsr", 4, 0x6000_0000, 4);
    const X: [&str; 31] = [
        "x0", "x1", "x2", "x3", "x4", "x5", "x6", "x7", "x8", "x9", "x10", "x11", "x12", "x13", "x14", "x15", "x16",
        "x17", "x18", "x19", "x20", "x21", "x22", "x23", "x24", "x25", "x26", "x27", "x28", "fp", "lr",
    ];
    for (i, n) in X.iter().enumerate() {
        c.reg(n, 8 + 8 * i, seed + i as u64, 8);
    }
    c.reg("sp", 0x100, sp, 8);
    c.reg("pc", 0x108, pc, 8);
    c
}

/// Breakpad's older ARM64 context: 796 bytes, a 64-bit flags word with
/// 0x80000000, then x0..x28, fp, lr, sp, pc, then cpsr.
fn ctx_arm64_old(pc: u64, sp: u64, seed: u64) -> Ctx {
    let mut c = Ctx::new(796);
    c.put(0, 0x8000_0006, 8); // CONTEXT_ARM64_OLD | INTEGER | FLOATING_POINT
    for i in 0..29 {
        c.put(8 + 8 * i, seed + i as u64, 8);
    }
    c.reg("x0", 8, seed, 8);
    c.reg("x28", 8 + 8 * 28, seed + 28, 8);
    c.reg("fp", 0xf0, sp + 0x30, 8);
    c.reg("lr", 0xf8, pc + 0x40, 8);
    c.reg("sp", 0x100, sp, 8);
    c.reg("pc", 0x108, pc, 8);
    c.reg("cpsr", 0x110, 0x2000_0000, 4);
    c
}

/// A CodeView `RSDS` record: signature, GUID, age, NUL-terminated PDB path.
fn rsds(guid: [u8; 16], age: u32, pdb: &str) -> String {
    let mut v = b"RSDS".to_vec();
    v.extend_from_slice(&guid);
    v.extend_from_slice(&age.to_le_bytes());
    v.extend_from_slice(pdb.as_bytes());
    v.push(0);
    hex(&v)
}

/// A CodeView `NB10` record: signature, offset, time stamp, age, PDB path.
fn nb10(signature: u32, age: u32, pdb: &str) -> String {
    let mut v = b"NB10".to_vec();
    v.extend_from_slice(&0u32.to_le_bytes());
    v.extend_from_slice(&signature.to_le_bytes());
    v.extend_from_slice(&age.to_le_bytes());
    v.extend_from_slice(pdb.as_bytes());
    v.push(0);
    hex(&v)
}

/// Runs yaml2obj on `yaml`, returning the dump's bytes.
fn yaml2obj(yaml2obj: &Path, name: &str, yaml: &str) -> Vec<u8> {
    let dir = exec::scratch("yaml2obj");
    let input = dir.join(format!("{name}.yaml"));
    let output: PathBuf = dir.join(format!("{name}.dmp"));
    std::fs::write(&input, yaml).unwrap();
    exec::run(Command::new(yaml2obj).arg(&input).arg("-o").arg(&output), LIMIT).success(&format!("yaml2obj {name}"));
    std::fs::read(&output).unwrap()
}

fn check_registers(what: &str, c: &Context<'_>, want: &Ctx) {
    let have = c.registers();
    for (name, value) in &want.regs {
        let got = have.iter().find(|(n, _)| n == name).map(|(_, v)| *v);
        assert_eq!(got, Some(*value), "{what}: register {name}");
    }
}

fn no_validation_errors(name: &str, dump: &Minidump<'_>) {
    let report = validate::validate(dump);
    assert!(report.errors.is_empty(), "{name}: {:?}", report.errors);
}

#[test]
fn yaml2obj_windows_amd64_reads_back() {
    let Some(y2o) = mdump_testkit::exec::oracle(&[YAML2OBJ]) else { return };
    let exe = 0x7ff6_a000_0000u64;
    let ctx0 = ctx_amd64(exe + 0x1010, 0x12_ef00, 0x1000);
    let ctx1 = ctx_amd64(0x7ffb_1000_0500, 0x22_ff00, 0x2000);
    let stack0: Vec<u8> = (0..64u8).collect();
    let code: Vec<u8> = (0..32u8).map(|b| b.wrapping_mul(7)).collect();
    let guid = [0xe5, 0x32, 0x98, 0x5a, 0x72, 0x28, 0xc1, 0x41, 0x83, 0x8e, 0xd9, 0x89, 0x14, 0xe9, 0xb7, 0xff];
    let guid2: [u8; 16] = core::array::from_fn(|i| i as u8);
    let mut misc = Vec::new();
    for v in [24u32, 3, 0x1234, 1_699_999_000, 5, 7] {
        misc.extend_from_slice(&v.to_le_bytes());
    }
    let yaml = format!(
        r#"--- !minidump
Streams:
  - Type:            ThreadList
    Threads:
      - Thread Id:       0x1A0
        Suspend Count:   0x1
        Priority Class:  0x20
        Priority:        0x2
        Environment Block: 0x7FF612340000
        Context:         {ctx0}
        Stack:
          Start of Memory Range: 0x12EF00
          Content:         {stack0}
      - Thread Id:       0x1B4
        Context:         {ctx1}
        Stack:
          Start of Memory Range: 0x22FF00
          Content:         00112233445566778899AABBCCDDEEFF
  - Type:            ModuleList
    Modules:
      - Base of Image:   0x7FF6A0000000
        Size of Image:   0x2D000
        Checksum:        0x3E8A1
        Time Date Stamp: 1700000000
        Module Name:     'C:\test\crashme.exe'
        Version Info:
          Signature:       0xFEEF04BD
          Struct Version:  0x10000
          File Version High: 0x10002
          File Version Low: 0x30004
        CodeView Record: {cv0}
      - Base of Image:   0x7FFB10000000
        Size of Image:   0x1F8000
        Time Date Stamp: 1234567890
        Module Name:     'C:\Windows\System32\ntdll.dll'
        CodeView Record: {cv1}
  - Type:            SystemInfo
    Processor Arch:  AMD64
    Processor Level: 6
    Processor Revision: 24067
    Number of Processors: 8
    Product type:    1
    Major Version:   10
    Minor Version:   0
    Build Number:    19045
    Platform ID:     Win32NT
    CSD Version:     'Service Pack 2'
    Suite Mask:      0x100
    CPU:
      Vendor ID:       AuthenticAMD
      Version Info:    0x870F10
      Feature Info:    0x178BFBFF
      AMD Extended Features: 0x2FD3FBFF
  - Type:            Exception
    Thread ID:       0x1A0
    Exception Record:
      Exception Code:  0xC0000005
      Exception Flags: 0x1
      Exception Address: 0x7FF6A0001010
      Number of Parameters: 2
      Parameter 0:     0x1
      Parameter 1:     0x45
    Thread Context:  {ctx0}
  - Type:            MemoryList
    Memory Ranges:
      - Start of Memory Range: 0x7FF6A0001000
        Content:         {code}
      - Start of Memory Range: 0x45000
        Content:         C0FFEE
  - Type:            MemoryInfoList
    Memory Ranges:
      - Base Address:    0x7FF6A0000000
        Allocation Protect: [ PAGE_READ_ONLY ]
        Region Size:     0x1000
        State:           [ MEM_COMMIT ]
        Type:            [ MEM_IMAGE ]
      - Base Address:    0x7FF6A0001000
        Allocation Base: 0x7FF6A0000000
        Allocation Protect: [ PAGE_READ_ONLY ]
        Region Size:     0x2000
        State:           [ MEM_COMMIT ]
        Protect:         [ PAGE_EXECUTE_READ ]
        Type:            [ MEM_IMAGE ]
  - Type:            MiscInfo
    Content:         {misc}
  - Type:            CommentA
    Content:         {comment}
...
"#,
        ctx0 = ctx0.hex(),
        ctx1 = ctx1.hex(),
        stack0 = hex(&stack0),
        cv0 = rsds(guid, 1, "C:\\test\\crashme.pdb"),
        cv1 = rsds(guid2, 0x2a, "ntdll.pdb"),
        code = hex(&code),
        misc = hex(&misc),
        comment = hex(b"built by yaml2obj\0"),
    );
    let bytes = yaml2obj(&y2o, "windows-amd64", &yaml);
    let dump = Minidump::parse(&bytes).unwrap();
    no_validation_errors("windows-amd64", &dump);

    let threads = dump.stream::<ThreadList>().unwrap().unwrap();
    assert_eq!(threads.iter().map(|t| t.id()).collect::<Vec<_>>(), [0x1a0, 0x1b4]);
    let t0 = threads.get(0).unwrap();
    assert_eq!(
        (t0.raw.suspend_count.get(), t0.raw.priority_class.get(), t0.raw.priority.get(), t0.raw.teb.get()),
        (1, 0x20, 2, 0x7ff6_1234_0000)
    );
    for (t, (ctx, sp)) in threads.iter().zip([(&ctx0, 0x12_ef00), (&ctx1, 0x22_ff00)]) {
        let c = t.context().unwrap();
        assert!(matches!(c, Context::Amd64(_)));
        assert_eq!(c.instruction_pointer(), ctx.regs.iter().find(|r| r.0 == "rip").unwrap().1);
        assert_eq!(c.stack_pointer(), sp);
        check_registers("windows-amd64 thread", &c, ctx);
    }
    assert_eq!((t0.stack().unwrap().base, t0.stack().unwrap().bytes.as_slice()), (0x12_ef00, &stack0[..]));
    let s1 = threads.get(1).unwrap().stack().unwrap();
    assert_eq!((s1.base, s1.bytes.as_slice()), (0x22_ff00, &unhex("00112233445566778899AABBCCDDEEFF")[..]));

    let modules = dump.stream::<ModuleList>().unwrap().unwrap();
    let m: Vec<Module> = modules.iter().collect();
    assert_eq!(m.len(), 2);
    assert_eq!((m[0].base(), m[0].size()), (exe, 0x2d000));
    assert_eq!((m[0].raw.checksum.get(), m[0].raw.time_date_stamp.get()), (0x3e8a1, 1_700_000_000));
    assert_eq!(m[0].code_file(), "C:\\test\\crashme.exe");
    assert_eq!(m[0].debug_identifier().unwrap().to_string(), "5A9832E5287241C1838ED98914E9B7FF1");
    assert_eq!(m[0].debug_file().unwrap().to_string(), "C:\\test\\crashme.pdb");
    assert_eq!(m[0].code_identifier().unwrap().to_string(), "6553F1002d000");
    assert_eq!(m[0].version().map(|v| v.to_string()).as_deref(), Some("1.2.3.4"));
    assert_eq!((m[1].base(), m[1].size()), (0x7ffb_1000_0000, 0x1f_8000));
    assert_eq!(m[1].code_file(), "C:\\Windows\\System32\\ntdll.dll");
    assert_eq!(m[1].debug_identifier().unwrap().to_string(), "030201000504070608090A0B0C0D0E0F2a");
    assert_eq!(m[1].debug_file().unwrap().to_string(), "ntdll.pdb");
    assert_eq!(m[1].code_identifier().unwrap().to_string(), "499602D21f8000");

    let sys = dump.stream::<SystemInfo>().unwrap().unwrap();
    assert_eq!((sys.os_name(), sys.cpu_name()), ("windows", "amd64"));
    let r = sys.raw;
    assert_eq!(
        (r.processor_level.get(), r.processor_revision.get(), r.number_of_processors, r.product_type),
        (6, 24067, 8, 1)
    );
    assert_eq!((r.major_version.get(), r.minor_version.get(), r.build_number.get()), (10, 0, 19045));
    assert_eq!(r.suite_mask.get(), 0x100);
    assert_eq!(sys.csd_version().unwrap().to_string_lossy(), "Service Pack 2");
    assert_eq!(&sys.cpu_vendor().unwrap(), b"AuthenticAMD");
    let cpu = &r.cpu.data;
    let word = |at: usize| u32::from_le_bytes(cpu[at..at + 4].try_into().unwrap());
    assert_eq!((word(12), word(16), word(20)), (0x87_0f10, 0x178b_fbff, 0x2fd3_fbff));

    let exc = dump.stream::<Exception>().unwrap().unwrap();
    assert_eq!((exc.thread_id(), exc.code(), exc.address()), (0x1a0, 0xc000_0005, exe + 0x1010));
    assert_eq!(exc.raw.exception_record.exception_flags.get(), 1);
    assert_eq!(exc.parameters().collect::<Vec<_>>(), [1, 0x45]);
    let c = exc.context().unwrap();
    assert_eq!(c.instruction_pointer(), exe + 0x1010);
    check_registers("windows-amd64 exception", &c, &ctx0);

    let memory = dump.stream::<MemoryList>().unwrap().unwrap();
    let regions: Vec<MemoryRegion> = memory.iter().map(|r| r.unwrap()).collect();
    assert_eq!(regions.len(), 2);
    assert_eq!((regions[0].base, regions[0].bytes.as_slice()), (exe + 0x1000, &code[..]));
    assert_eq!((regions[1].base, regions[1].bytes.as_slice()), (0x45000, &[0xc0, 0xff, 0xee][..]));
    let index = MemoryIndex::new(&dump).unwrap();
    assert_eq!(index.read(exe + 0x1008, 4), Some(&code[8..12]));
    assert_eq!(index.read(0x45001, 2), Some(&[0xff, 0xee][..]));
    let s0 = t0.stack().unwrap();
    assert_eq!(s0.read_u64(0x12_ef08), Some(u64::from_le_bytes(stack0[8..16].try_into().unwrap())));

    let infos = dump.stream::<MemoryInfoList>().unwrap().unwrap();
    let i: Vec<MemoryRegionInfo> = infos.iter().collect();
    assert_eq!(i.len(), 2);
    assert_eq!((i[0].base(), i[0].size(), i[0].raw.allocation_base.get()), (exe, 0x1000, exe));
    assert_eq!((i[0].state(), i[0].access(), i[0].raw.type_.get()), (0x1000, 0x02, 0x100_0000));
    assert_eq!((i[1].base(), i[1].size(), i[1].raw.allocation_base.get()), (exe + 0x1000, 0x2000, exe));
    assert_eq!((i[1].access(), i[1].raw.allocation_protect.get()), (0x20, 0x02));
    assert!(i[1].is_executable() && !i[1].is_writable());

    let misc = dump.stream::<MiscInfo>().unwrap().unwrap();
    assert_eq!((misc.size_of_info(), misc.flags1()), (24, 3));
    assert_eq!(misc.process_id(), Some(0x1234));
    assert_eq!(misc.process_create_time(), Some(1_699_999_000));
    assert_eq!((misc.process_user_time(), misc.process_kernel_time()), (Some(5), Some(7)));

    let comment = dump.stream::<CommentA>().unwrap().unwrap();
    assert_eq!(comment.to_string_lossy(), "built by yaml2obj");
}

#[test]
fn yaml2obj_windows_x86_reads_back() {
    let Some(y2o) = mdump_testkit::exec::oracle(&[YAML2OBJ]) else { return };
    let ctx = ctx_x86(0x40_1010, 0x12_f000, 0x100);
    let other = ctx_x86(0x7c90_eb94, 0x22_f000, 0x200);
    let stack: Vec<u8> = (0..48u8).rev().collect();
    let comment: Vec<u8> = "Wide ünïcode\0".encode_utf16().flat_map(|u| u.to_le_bytes()).collect();
    let yaml = format!(
        r#"--- !minidump
Streams:
  - Type:            SystemInfo
    Processor Arch:  X86
    Processor Level: 15
    Number of Processors: 2
    Major Version:   5
    Minor Version:   1
    Build Number:    2600
    Platform ID:     Win32NT
    CSD Version:     'Service Pack 3'
    CPU:
      Vendor ID:       GenuineIntel
      Version Info:    0x6F6
      Feature Info:    0xBFEBFBFF
  - Type:            ThreadList
    Threads:
      - Thread Id:       0xBF4
        Context:         {ctx}
        Stack:
          Start of Memory Range: 0x12F000
          Content:         {stack}
      - Thread Id:       0x11C0
        Priority:        0xF
        Context:         {other}
        Stack:
          Start of Memory Range: 0x22F000
          Content:         AABBCCDD
  - Type:            ModuleList
    Modules:
      - Base of Image:   0x400000
        Size of Image:   0x2D000
        Time Date Stamp: 1135252327
        Module Name:     'c:\test_app.exe'
        CodeView Record: {cv}
  - Type:            Exception
    Thread ID:       0xBF4
    Exception Record:
      Exception Code:  0x80000003
      Exception Address: 0x401010
    Thread Context:  {ctx}
  - Type:            CommentW
    Content:         {comment}
...
"#,
        ctx = ctx.hex(),
        other = other.hex(),
        stack = hex(&stack),
        cv = nb10(0x3b7d_84d1, 3, "c:\\test_app.pdb"),
        comment = hex(&comment),
    );
    let bytes = yaml2obj(&y2o, "windows-x86", &yaml);
    let dump = Minidump::parse(&bytes).unwrap();
    no_validation_errors("windows-x86", &dump);

    let sys = dump.stream::<SystemInfo>().unwrap().unwrap();
    assert_eq!((sys.os_name(), sys.cpu_name()), ("windows", "x86"));
    assert_eq!((sys.raw.processor_level.get(), sys.raw.number_of_processors), (15, 2));
    assert_eq!((sys.raw.major_version.get(), sys.raw.minor_version.get(), sys.raw.build_number.get()), (5, 1, 2600));
    assert_eq!(sys.csd_version().unwrap().to_string_lossy(), "Service Pack 3");
    assert_eq!(&sys.cpu_vendor().unwrap(), b"GenuineIntel");

    let threads = dump.stream::<ThreadList>().unwrap().unwrap();
    assert_eq!(threads.iter().map(|t| t.id()).collect::<Vec<_>>(), [0xbf4, 0x11c0]);
    assert_eq!(threads.get(1).unwrap().raw.priority.get(), 0xf);
    for (t, (want, eip, esp)) in threads.iter().zip([(&ctx, 0x40_1010, 0x12_f000), (&other, 0x7c90_eb94, 0x22_f000)]) {
        let c = t.context().unwrap();
        assert!(matches!(c, Context::X86(_)));
        assert_eq!((c.instruction_pointer(), c.stack_pointer()), (eip, esp));
        check_registers("windows-x86 thread", &c, want);
    }
    let s0 = threads.get(0).unwrap().stack().unwrap();
    assert_eq!((s0.base, s0.bytes.as_slice()), (0x12_f000, &stack[..]));
    assert_eq!(s0.read_u32(0x12_f004), Some(u32::from_le_bytes(stack[4..8].try_into().unwrap())));

    let modules = dump.stream::<ModuleList>().unwrap().unwrap();
    let m = modules.iter().next().unwrap();
    assert_eq!(modules.len(), 1);
    assert_eq!((m.base(), m.size(), m.code_file()), (0x40_0000, 0x2d000, "c:\\test_app.exe".to_string()));
    assert!(matches!(m.codeview().unwrap(), Some(CodeView::Pdb20 { .. })));
    assert_eq!(m.debug_identifier().unwrap().to_string(), "3B7D84D13");
    assert_eq!(m.debug_file().unwrap().to_string(), "c:\\test_app.pdb");
    assert_eq!(m.code_identifier().unwrap().to_string(), "43AA93672d000");

    let exc = dump.stream::<Exception>().unwrap().unwrap();
    assert_eq!((exc.thread_id(), exc.code(), exc.address()), (0xbf4, 0x8000_0003, 0x40_1010));
    assert_eq!(exc.parameters().count(), 0);
    check_registers("windows-x86 exception", &exc.context().unwrap(), &ctx);

    let comment = dump.stream::<CommentW>().unwrap().unwrap();
    assert_eq!(comment.to_string_lossy(), "Wide ünïcode");
}

#[test]
fn yaml2obj_linux_arm64_reads_back() {
    let Some(y2o) = mdump_testkit::exec::oracle(&[YAML2OBJ]) else { return };
    let exe = 0x55_5555_0000u64;
    let ctx = ctx_arm64(exe + 0x7f0, 0x7f_ffff_e000, 0x100);
    let other = ctx_arm64(exe + 0x900, 0x7f_f000_1000, 0x200);
    let stack: Vec<u8> = (0..64u8).map(|b| b ^ 0x5a).collect();
    let build_id: Vec<u8> = (0..20u8).collect();
    // Breakpad's signature is the u32 0x4270454C ('BpEL'), so "LEpB" on disk.
    let mut bpel = b"LEpB".to_vec();
    bpel.extend_from_slice(&build_id);
    let mut auxv = Vec::new();
    for v in [6u64, 4096, 16, 0xff, 0, 0] {
        auxv.extend_from_slice(&v.to_le_bytes());
    }
    let yaml = format!(
        r#"--- !minidump
Streams:
  - Type:            SystemInfo
    Processor Arch:  ARM64
    Number of Processors: 8
    Platform ID:     Linux
    CSD Version:     'Linux 6.1.0 #1 SMP aarch64'
    CPU:
      CPUID:           0x410FD083
  - Type:            ThreadList
    Threads:
      - Thread Id:       0x309
        Context:         {ctx}
        Stack:
          Start of Memory Range: 0x7FFFFFE000
          Content:         {stack}
      - Thread Id:       0x30A
        Context:         {other}
        Stack:
          Start of Memory Range: 0x7FF0001000
          Content:         '0102030405060708'
  - Type:            ModuleList
    Modules:
      - Base of Image:   0x5555550000
        Size of Image:   0x2000
        Module Name:     /system/bin/crashme
        CodeView Record: {bpel}
  - Type:            Exception
    Thread ID:       0x309
    Exception Record:
      Exception Code:  0xB
      Exception Address: 0x10
    Thread Context:  {ctx}
  - Type:            MemoryList
    Memory Ranges:
      - Start of Memory Range: 0x5555550700
        Content:         1F2003D5C0035FD6
  - Type:            LinuxMaps
    Text:             |
      5555550000-5555552000 r-xp 00000000 08:01 1 /system/bin/crashme
      7fff000000-8000000000 rw-p 00000000 00:00 0 [stack]
  - Type:            LinuxProcStatus
    Text:             |
      Name:{t}crashme
      Pid:{t}777
      PPid:{t}1
  - Type:            LinuxCPUInfo
    Text:             |
      processor{t}: 0
      CPU implementer{t}: 0x41
  - Type:            LinuxLSBRelease
    Text:             |
      DISTRIB_ID=Debian
      DISTRIB_RELEASE="12"
  - Type:            LinuxCMDLine
    Text:            "/system/bin/crashme\0--segv\0"
  - Type:            LinuxEnviron
    Content:         {environ}
  - Type:            LinuxAuxv
    Content:         {auxv}
...
"#,
        ctx = ctx.hex(),
        other = other.hex(),
        stack = hex(&stack),
        bpel = hex(&bpel),
        environ = hex(b"HOME=/root\0LANG=C\0"),
        auxv = hex(&auxv),
        t = '\t',
    );
    let bytes = yaml2obj(&y2o, "linux-arm64", &yaml);
    let dump = Minidump::parse(&bytes).unwrap();
    no_validation_errors("linux-arm64", &dump);

    let sys = dump.stream::<SystemInfo>().unwrap().unwrap();
    assert_eq!((sys.os_name(), sys.cpu_name()), ("linux", "arm64"));
    assert_eq!(sys.raw.number_of_processors, 8);
    assert_eq!(sys.csd_version().unwrap().to_string_lossy(), "Linux 6.1.0 #1 SMP aarch64");
    assert_eq!(u32::from_le_bytes(sys.raw.cpu.data[..4].try_into().unwrap()), 0x410f_d083);

    let threads = dump.stream::<ThreadList>().unwrap().unwrap();
    assert_eq!(threads.iter().map(|t| t.id()).collect::<Vec<_>>(), [777, 778]);
    for (t, (want, pc, sp)) in
        threads.iter().zip([(&ctx, exe + 0x7f0, 0x7f_ffff_e000), (&other, exe + 0x900, 0x7f_f000_1000)])
    {
        let c = t.context().unwrap();
        assert!(matches!(c, Context::Arm64(_)));
        assert_eq!((c.instruction_pointer(), c.stack_pointer()), (pc, sp));
        check_registers("linux-arm64 thread", &c, want);
    }
    let s0 = threads.get(0).unwrap().stack().unwrap();
    assert_eq!((s0.base, s0.bytes.as_slice()), (0x7f_ffff_e000, &stack[..]));

    let modules = dump.stream::<ModuleList>().unwrap().unwrap();
    let m = modules.iter().next().unwrap();
    assert_eq!((m.base(), m.size(), m.code_file()), (exe, 0x2000, "/system/bin/crashme".to_string()));
    assert_eq!(m.codeview().unwrap(), Some(CodeView::Elf { build_id: &build_id[..] }));
    assert_eq!(m.debug_identifier().unwrap().to_string(), "030201000504070608090A0B0C0D0E0F0");
    assert_eq!(m.code_identifier().unwrap().to_string(), "000102030405060708090a0b0c0d0e0f10111213");
    assert_eq!(m.debug_file().unwrap().to_string(), "/system/bin/crashme");

    let exc = dump.stream::<Exception>().unwrap().unwrap();
    assert_eq!((exc.thread_id(), exc.code(), exc.address()), (777, 11, 0x10));
    check_registers("linux-arm64 exception", &exc.context().unwrap(), &ctx);

    let memory = dump.stream::<MemoryList>().unwrap().unwrap();
    let r = memory.iter().next().unwrap().unwrap();
    assert_eq!((r.base, r.bytes.as_slice()), (exe + 0x700, &unhex("1F2003D5C0035FD6")[..]));

    let maps = dump.stream::<linux::LinuxMaps>().unwrap().unwrap();
    let e: Vec<_> = maps.entries().map(|e| e.unwrap()).collect();
    assert_eq!(e.len(), 2);
    assert_eq!(
        (e[0].start, e[0].end, e[0].perms, e[0].path),
        (exe, exe + 0x2000, &b"r-xp"[..], &b"/system/bin/crashme"[..])
    );
    assert_eq!((e[0].dev, e[0].inode, e[0].offset), (&b"08:01"[..], 1, 0));
    assert_eq!((e[1].start, e[1].end, e[1].path), (0x7f_ff00_0000, 0x80_0000_0000, &b"[stack]"[..]));
    let status = dump.stream::<linux::LinuxProcStatus>().unwrap().unwrap();
    assert_eq!(
        (status.get("Name"), status.get("Pid"), status.get("PPid")),
        (Some(&b"crashme"[..]), Some(&b"777"[..]), Some(&b"1"[..]))
    );
    let cpu = dump.stream::<linux::LinuxCpuInfo>().unwrap().unwrap();
    assert_eq!((cpu.processor_count(), cpu.get("CPU implementer")), (1, Some(&b"0x41"[..])));
    let lsb = dump.stream::<linux::LinuxLsbRelease>().unwrap().unwrap();
    assert_eq!((lsb.get("DISTRIB_ID"), lsb.get("DISTRIB_RELEASE")), (Some(&b"Debian"[..]), Some(&b"12"[..])));
    let cmd = dump.stream::<linux::LinuxCmdLine>().unwrap().unwrap();
    assert_eq!(cmd.bytes, b"/system/bin/crashme\0--segv\0");
    assert_eq!(cmd.args().collect::<Vec<_>>(), [&b"/system/bin/crashme"[..], b"--segv"]);
    let env = dump.stream::<linux::LinuxEnviron>().unwrap().unwrap();
    assert_eq!(env.vars().collect::<Vec<_>>(), [(&b"HOME"[..], &b"/root"[..]), (b"LANG", b"C")]);
    let aux = dump.stream::<linux::LinuxAuxv>().unwrap().unwrap();
    assert_eq!(aux.entries().collect::<Vec<_>>(), [(6, 4096), (16, 0xff)], "entries up to AT_NULL");
}

#[test]
fn yaml2obj_breakpad_arm64_context_reads_back() {
    let Some(y2o) = mdump_testkit::exec::oracle(&[YAML2OBJ]) else { return };
    let ctx = ctx_arm64_old(0x40_07f0, 0x7f_ffff_e000, 0x500);
    let yaml = format!(
        r#"--- !minidump
Streams:
  - Type:            SystemInfo
    Processor Arch:  BP_ARM64
    Platform ID:     Android
    CSD Version:     'Linux 4.19.0'
  - Type:            ThreadList
    Threads:
      - Thread Id:       0x1F40
        Context:         {ctx}
        Stack:
          Start of Memory Range: 0x7FFFFFE000
          Content:         '0011'
  - Type:            Exception
    Thread ID:       0x1F40
    Exception Record:
      Exception Code:  0x6
    Thread Context:  {ctx}
...
"#,
        ctx = ctx.hex()
    );
    let bytes = yaml2obj(&y2o, "breakpad-arm64", &yaml);
    let dump = Minidump::parse(&bytes).unwrap();
    no_validation_errors("breakpad-arm64", &dump);
    let sys = dump.stream::<SystemInfo>().unwrap().unwrap();
    assert_eq!((sys.os_name(), sys.cpu_name()), ("android", "arm64"));
    let t = dump.stream::<ThreadList>().unwrap().unwrap().get(0).unwrap();
    assert_eq!(t.id(), 8000);
    let c = t.context().unwrap();
    assert!(matches!(c, Context::Arm64Old(_)));
    assert_eq!((c.instruction_pointer(), c.stack_pointer()), (0x40_07f0, 0x7f_ffff_e000));
    check_registers("breakpad-arm64 thread", &c, &ctx);
    let exc = dump.stream::<Exception>().unwrap().unwrap();
    assert_eq!((exc.thread_id(), exc.code()), (8000, 6));
    check_registers("breakpad-arm64 exception", &exc.context().unwrap(), &ctx);
}
