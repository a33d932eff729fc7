//! The dumps the independent-acceptance tests feed to LLVM, LLDB,
//! rust-minidump and Wine: built as models from the format structs and
//! written by the writer, with their memory from a pattern source.
#![allow(dead_code)]

use mdump_format::context::amd64::{ContextAmd64, CONTEXT_AMD64_FULL};
use mdump_format::context::arm64::{ContextArm64Old, CONTEXT_ARM64_FULL_OLD};
use mdump_format::context::x86::{ContextX86, CONTEXT_X86_FULL};
use mdump_format::exception::MinidumpException;
use mdump_format::module::MinidumpModule;
use mdump_format::system_info::*;
use mdump_format::{StreamType, U16, U32, U64};
use mdump_writer::model::*;
use mdump_writer::MemorySource;
use std::path::PathBuf;
use zerocopy::FromZeros;

/// Memory whose every 8-byte word holds its own address.
pub struct Pattern;

impl MemorySource for Pattern {
    fn read(&mut self, address: u64, buf: &mut [u8]) -> usize {
        for (i, b) in buf.iter_mut().enumerate() {
            let a = address.wrapping_add(i as u64);
            *b = (a & !7).to_le_bytes()[(a & 7) as usize];
        }
        buf.len()
    }
}

/// What a test expects an oracle to report about a dump.
#[derive(Clone, Debug)]
pub struct Expect {
    pub name: &'static str,
    pub os: &'static str,
    pub cpu: &'static str,
    pub thread_ids: Vec<u32>,
    pub crashing_thread: u32,
    pub crash_address: u64,
    pub instruction_pointer: u64,
    pub stack_pointer: u64,
    pub modules: Vec<(u64, String)>,
}

fn utf16(s: &str) -> Vec<u16> {
    s.encode_utf16().collect()
}

fn module(base: u64, size: u32, name: &str, cv: Vec<u8>) -> ModuleModel {
    let mut raw = MinidumpModule::new_zeroed();
    raw.base_of_image = U64::new(base);
    raw.size_of_image = U32::new(size);
    raw.time_date_stamp = U32::new(0x5f5e_1000);
    ModuleModel { raw, name: utf16(name), cv_record: cv, misc_record: Vec::new() }
}

fn bpel(build_id: &[u8]) -> Vec<u8> {
    let mut v = 0x4270_454cu32.to_le_bytes().to_vec();
    v.extend_from_slice(build_id);
    v
}

fn rsds(guid: [u8; 16], age: u32, pdb: &str) -> Vec<u8> {
    let mut v = 0x5344_5352u32.to_le_bytes().to_vec();
    v.extend_from_slice(&guid);
    v.extend_from_slice(&age.to_le_bytes());
    v.extend_from_slice(pdb.as_bytes());
    v.push(0);
    v
}

fn system(arch: u16, platform: u32, csd: &str, major: u32, minor: u32, build: u32) -> StreamModel {
    let mut raw = MinidumpSystemInfo::new_zeroed();
    raw.processor_architecture = U16::new(arch);
    raw.processor_level = U16::new(6);
    raw.number_of_processors = 4;
    raw.product_type = 1;
    raw.major_version = U32::new(major);
    raw.minor_version = U32::new(minor);
    raw.build_number = U32::new(build);
    raw.platform_id = U32::new(platform);
    if arch == PROCESSOR_ARCHITECTURE_AMD64 || arch == PROCESSOR_ARCHITECTURE_X86 {
        raw.cpu.data[..12].copy_from_slice(b"GenuineIntel");
    }
    StreamModel::SystemInfo(SystemInfoModel { raw, csd_version: utf16(csd) })
}

fn exception(
    thread_id: u32,
    code: u32,
    flags: u32,
    address: u64,
    params: &[u64],
    context: ContextModel,
) -> StreamModel {
    let mut record = MinidumpException::new_zeroed();
    record.exception_code = U32::new(code);
    record.exception_flags = U32::new(flags);
    record.exception_address = U64::new(address);
    record.number_parameters = U32::new(params.len() as u32);
    for (i, p) in params.iter().enumerate() {
        record.exception_information[i] = U64::new(*p);
    }
    StreamModel::Exception(ExceptionModel { thread_id, record, context })
}

fn amd64(rip: u64, rsp: u64) -> ContextModel {
    let mut c = ContextAmd64::new_zeroed();
    c.context_flags = U32::new(CONTEXT_AMD64_FULL);
    c.rip = U64::new(rip);
    c.rsp = U64::new(rsp);
    c.rbp = U64::new(rsp + 0x40);
    c.rax = U64::new(0x1111);
    c.cs = U16::new(0x33);
    c.ss = U16::new(0x2b);
    c.eflags = U32::new(0x246);
    c.mx_csr = U32::new(0x1f80);
    ContextModel::from_struct(&c)
}

fn x86(eip: u32, esp: u32) -> ContextModel {
    let mut c = ContextX86::new_zeroed();
    c.context_flags = U32::new(CONTEXT_X86_FULL);
    c.eip = U32::new(eip);
    c.esp = U32::new(esp);
    c.ebp = U32::new(esp + 0x20);
    c.eax = U32::new(0x2222);
    c.cs = U32::new(0x1b);
    c.ss = U32::new(0x23);
    c.eflags = U32::new(0x246);
    ContextModel::from_struct(&c)
}

fn arm64(pc: u64, sp: u64) -> ContextModel {
    let mut c = ContextArm64Old::new_zeroed();
    c.context_flags = U64::new(u64::from(CONTEXT_ARM64_FULL_OLD));
    for i in 0..29 {
        c.iregs[i] = U64::new(0x1000 + i as u64);
    }
    c.iregs[29] = U64::new(sp + 0x30); // fp
    c.iregs[30] = U64::new(pc + 0x40); // lr
    c.iregs[31] = U64::new(sp);
    c.iregs[32] = U64::new(pc);
    c.cpsr = U32::new(0x6000_0000);
    ContextModel::from_struct(&c)
}

fn thread(id: u32, stack: u64, context: ContextModel) -> ThreadModel {
    ThreadModel {
        thread_id: id,
        teb: 0x7000_0000_0000 + u64::from(id),
        stack: MemoryRange { start: stack, size: 0x2000 },
        context,
        ..ThreadModel::default()
    }
}

/// A Linux amd64 crash-like dump, as Breakpad's client would write it.
pub fn linux_amd64() -> (DumpModel, Expect) {
    let exe = 0x5555_5555_4000u64;
    let libc = 0x7f3a_1c00_0000u64;
    let ip = exe + 0x1234;
    let ids = [4242u32, 4243, 4244];
    let stacks = [0x7ffd_c000_0000u64, 0x7f3a_1b00_0000, 0x7f3a_1a00_0000];
    let threads: Vec<_> = ids
        .iter()
        .zip(stacks)
        .enumerate()
        .map(|(i, (&id, s))| thread(id, s, amd64(if i == 0 { ip } else { libc + 0x9_1000 + i as u64 }, s + 0x1000)))
        .collect();
    let modules = vec![
        module(exe, 0x5000, "/usr/bin/crashme", bpel(&[0xab; 20])),
        module(libc, 0x1c_0000, "/lib/x86_64-linux-gnu/libc.so.6", bpel(&[0xcd; 20])),
    ];
    let maps = format!(
        "{exe:x}-{:x} r-xp 00000000 08:01 1001 /usr/bin/crashme\n{libc:x}-{:x} r-xp 00000000 08:01 2002 /lib/x86_64-linux-gnu/libc.so.6\n7ffdc0000000-7ffdc0002000 rw-p 00000000 00:00 0 [stack]\n",
        exe + 0x5000,
        libc + 0x1c_0000
    );
    let model = DumpModel {
        time_date_stamp: 1_700_000_000,
        flags: 0,
        streams: vec![
            StreamModel::ThreadList(threads),
            StreamModel::ModuleList(modules),
            StreamModel::MemoryList(vec![MemoryRange { start: ip - 0x80, size: 0x100 }]),
            exception(4242, 11, 1, 0, &[], amd64(ip, stacks[0] + 0x1000)),
            system(PROCESSOR_ARCHITECTURE_AMD64, PLATFORM_LINUX, "Linux 6.1.0-13-amd64 #1 SMP x86_64", 0, 0, 0),
            StreamModel::Raw {
                stream_type: StreamType::LINUX_CPU_INFO,
                bytes: b"processor\t: 0\nvendor_id\t: GenuineIntel\nmodel name\t: Test CPU\n\n".to_vec(),
            },
            StreamModel::Raw {
                stream_type: StreamType::LINUX_PROC_STATUS,
                bytes: b"Name:\tcrashme\nState:\tR (running)\nTgid:\t4242\nPid:\t4242\nPPid:\t1\nThreads:\t3\n"
                    .to_vec(),
            },
            StreamModel::Raw {
                stream_type: StreamType::LINUX_LSB_RELEASE,
                bytes: b"DISTRIB_ID=Debian\nDISTRIB_RELEASE=12\n".to_vec(),
            },
            StreamModel::Raw { stream_type: StreamType::LINUX_CMD_LINE, bytes: b"/usr/bin/crashme\0segv\0".to_vec() },
            StreamModel::Raw { stream_type: StreamType::LINUX_ENVIRON, bytes: b"HOME=/root\0LANG=C\0".to_vec() },
            StreamModel::Raw { stream_type: StreamType::LINUX_MAPS, bytes: maps.into_bytes() },
        ],
    };
    let expect = Expect {
        name: "linux-amd64",
        os: "Linux",
        cpu: "amd64",
        thread_ids: ids.to_vec(),
        crashing_thread: 4242,
        crash_address: 0,
        instruction_pointer: ip,
        stack_pointer: stacks[0] + 0x1000,
        modules: vec![(exe, "/usr/bin/crashme".into()), (libc, "/lib/x86_64-linux-gnu/libc.so.6".into())],
    };
    (model, expect)
}

fn windows(
    arch: u16,
    cpu: &'static str,
    context: fn(u64, u64) -> ContextModel,
    name: &'static str,
) -> (DumpModel, Expect) {
    let exe = 0x40_0000u64;
    let ntdll = 0x7700_0000u64;
    let ip = exe + 0x1010;
    let sp = 0x12_f000u64;
    let threads =
        vec![thread(0x1a0, sp - 0x1000, context(ip, sp)), thread(0x1a4, 0x22_f000, context(ntdll + 0x500, 0x230_000))];
    let guid = [0xe5, 0x32, 0x98, 0x5a, 0x72, 0x28, 0xc1, 0x41, 0x83, 0x8e, 0xd9, 0x89, 0x14, 0xe9, 0xb7, 0xff];
    let modules = vec![
        module(exe, 0x2d000, "C:\\test\\crashme.exe", rsds(guid, 1, "C:\\test\\crashme.pdb")),
        module(ntdll, 0xb0000, "C:\\Windows\\System32\\ntdll.dll", rsds([0x36; 16], 2, "ntdll.pdb")),
    ];
    let mut misc = vec![0u8; 24];
    misc[0..4].copy_from_slice(&24u32.to_le_bytes());
    misc[4..8].copy_from_slice(&1u32.to_le_bytes()); // MINIDUMP_MISC1_PROCESS_ID
    misc[8..12].copy_from_slice(&0x1234u32.to_le_bytes());
    let model = DumpModel {
        time_date_stamp: 1_700_000_000,
        flags: 0,
        streams: vec![
            StreamModel::ThreadList(threads),
            StreamModel::ModuleList(modules),
            StreamModel::MemoryList(vec![MemoryRange { start: ip - 0x40, size: 0x80 }]),
            exception(0x1a0, 0xc000_0005, 0, ip, &[1, 0x45], context(ip, sp)),
            system(arch, PLATFORM_WIN32_NT, "Service Pack 1", 10, 0, 19045),
            StreamModel::MiscInfo(misc),
        ],
    };
    let expect = Expect {
        name,
        os: "Windows NT",
        cpu,
        thread_ids: vec![0x1a0, 0x1a4],
        crashing_thread: 0x1a0,
        crash_address: 0x45,
        instruction_pointer: ip,
        stack_pointer: sp,
        modules: vec![(exe, "C:\\test\\crashme.exe".into()), (ntdll, "C:\\Windows\\System32\\ntdll.dll".into())],
    };
    (model, expect)
}

/// A Windows x86 access violation with RSDS records.
pub fn windows_x86() -> (DumpModel, Expect) {
    windows(PROCESSOR_ARCHITECTURE_X86, "x86", |ip, sp| x86(ip as u32, sp as u32), "windows-x86")
}

/// A Windows amd64 access violation with RSDS records.
pub fn windows_amd64() -> (DumpModel, Expect) {
    windows(PROCESSOR_ARCHITECTURE_AMD64, "amd64", amd64, "windows-amd64")
}

/// A Linux arm64 crash as Breakpad's Linux client writes it: the older ARM64
/// context layout with SystemInfo architecture `ARM64_OLD` (0x8003), which
/// LLDB and rust-minidump both read (rust-minidump picks the context layout
/// from the architecture alone, so `ARM64` (12) with this layout loses every
/// frame there).
pub fn linux_arm64() -> (DumpModel, Expect) {
    let exe = 0x55_5555_0000u64;
    let ip = exe + 0x7f0;
    let sp = 0x7f_ffff_e000u64;
    let model = DumpModel {
        time_date_stamp: 1_700_000_000,
        flags: 0,
        streams: vec![
            StreamModel::ThreadList(vec![
                thread(777, sp - 0x1000, arm64(ip, sp)),
                thread(778, 0x7f_f000_0000, arm64(exe + 0x900, 0x7f_f000_1000)),
            ]),
            StreamModel::ModuleList(vec![module(exe, 0x2000, "/system/bin/crashme", bpel(&[0x42; 20]))]),
            exception(777, 11, 1, 0x10, &[], arm64(ip, sp)),
            system(PROCESSOR_ARCHITECTURE_ARM64_OLD, PLATFORM_LINUX, "Linux 6.1.0 aarch64", 0, 0, 0),
            StreamModel::Raw {
                stream_type: StreamType::LINUX_PROC_STATUS,
                bytes: b"Name:\tcrashme\nPid:\t777\n".to_vec(),
            },
            StreamModel::Raw {
                stream_type: StreamType::LINUX_MAPS,
                bytes: format!("{exe:x}-{:x} r-xp 00000000 08:01 1 /system/bin/crashme\n", exe + 0x2000).into_bytes(),
            },
        ],
    };
    let expect = Expect {
        name: "linux-arm64",
        os: "Linux",
        cpu: "arm64",
        thread_ids: vec![777, 778],
        crashing_thread: 777,
        crash_address: 0x10,
        instruction_pointer: ip,
        stack_pointer: sp,
        modules: vec![(exe, "/system/bin/crashme".into())],
    };
    (model, expect)
}

/// All four acceptance dumps.
pub fn all() -> Vec<(DumpModel, Expect)> {
    vec![linux_amd64(), windows_x86(), windows_amd64(), linux_arm64()]
}

/// Writes `model` into a fresh file in a per-test temporary directory.
pub fn write_to_temp(model: &DumpModel, name: &str) -> PathBuf {
    // Inside the target directory (disposable), one folder per test process.
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(format!("oracle-dumps-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(format!("{name}.dmp"));
    let file = std::fs::File::create(&path).unwrap();
    model.write(file, &mut Pattern).unwrap();
    path
}
