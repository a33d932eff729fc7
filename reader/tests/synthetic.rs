//! Dumps from the independent byte assembler (mdump-testkit), read back:
//! every value the assembler wrote comes out of the reader.

use mdump_reader::*;
use mdump_testkit as kit;
use mdump_testkit::{DumpBuilder, MODULE_LIST, SYSTEM_INFO, THREAD_LIST};

#[test]
fn threads_modules_exception_and_system_info() {
    let bytes = kit::linux_amd64_dump(5, 0).finish();
    let dump = Minidump::parse(&bytes).unwrap();
    let sys = dump.stream::<SystemInfo>().unwrap().unwrap();
    assert_eq!((sys.os_name(), sys.cpu_name()), ("linux", "amd64"));
    assert_eq!(sys.csd_version().unwrap().to_string_lossy(), "Linux 6.1.0 #1 SMP x86_64");
    assert_eq!(&sys.cpu_vendor().unwrap(), b"GenuineIntel");

    let threads = dump.stream::<ThreadList>().unwrap().unwrap();
    assert_eq!(threads.len(), 5);
    for (i, t) in threads.iter().enumerate() {
        let i = i as u64;
        assert_eq!(u64::from(t.id()), 1000 + i);
        let c = t.context().unwrap();
        assert_eq!(c.instruction_pointer(), 0x40_1000 + i);
        assert_eq!(c.stack_pointer(), 0x7f00_0000_0000 + i * 0x10_0000 + 0x100);
        let stack = t.stack().unwrap();
        assert_eq!(stack.base, 0x7f00_0000_0000 + i * 0x10_0000);
        // The stack bytes hold their own addresses.
        assert_eq!(stack.read_u64(stack.base + 0x18), Some(stack.base + 0x18));
    }

    let modules = dump.stream::<ModuleList>().unwrap().unwrap();
    let exe = modules.iter().next().unwrap();
    assert_eq!(exe.code_file(), "/usr/bin/synthetic");
    assert_eq!(exe.code_identifier().unwrap().to_string(), "11".repeat(20));
    assert_eq!(exe.debug_identifier().unwrap().to_string(), format!("{}0", "11".repeat(16)));
    assert_eq!(exe.debug_file().unwrap().to_string(), "/usr/bin/synthetic");
    assert_eq!(modules.by_address(0x7f12_3400_1234).unwrap().code_file(), "/lib/x86_64-linux-gnu/libc.so.6");
    assert!(modules.by_address(0x3f_ffff).is_none());

    let exc = dump.stream::<Exception>().unwrap().unwrap();
    assert_eq!((exc.thread_id(), exc.code()), (1000, 11));
    assert_eq!(exc.context().unwrap().instruction_pointer(), 0x40_1000);

    let cmd = dump.stream::<linux::LinuxCmdLine>().unwrap().unwrap();
    assert_eq!(cmd.args().collect::<Vec<_>>(), [&b"/usr/bin/synthetic"[..], b"--crash"]);
    let maps = dump.stream::<linux::LinuxMaps>().unwrap().unwrap();
    let m = maps.entries().next().unwrap().unwrap();
    assert_eq!((m.start, m.end, m.path), (0x40_0000, 0x42_0000, &b"/usr/bin/synthetic"[..]));
}

#[test]
fn memory_lookups_across_memory_list_and_memory64_list() {
    let bytes = kit::linux_amd64_dump(3, 5 << 20).finish();
    let dump = Minidump::parse(&bytes).unwrap();
    let m64 = dump.stream::<Memory64List>().unwrap().unwrap();
    assert_eq!(m64.len(), 5);
    let regions: Vec<_> = m64.iter().map(|r| r.unwrap()).collect();
    assert_eq!(regions[1].base, 0x5555_0000_0000 + (1 << 20) + 0x1000);
    let index = MemoryIndex::new(&dump).unwrap();
    assert_eq!(index.regions().len(), 3 + 5);
    for r in &regions {
        for off in [0u64, 8, (1 << 20) - 8] {
            assert_eq!(index.read_u64(r.base + off), Some(r.base + off), "{:#x}", r.base + off);
        }
        // The gap after each range is not captured.
        assert_eq!(index.read_u64(r.end()), None);
        // A read straddling the end of a range is refused.
        assert_eq!(index.read(r.end() - 4, 8), None);
    }
    // Thread stacks come from the MemoryList.
    assert_eq!(index.read_u64(0x7f00_0010_0008), Some(0x7f00_0010_0008));
}

#[test]
fn x86_windows_dump() {
    let mut b = DumpBuilder::new();
    let ctx = b.append(&kit::x86_context(0x41_4141, 0x12_f000));
    let stack = b.append(&[0x55; 256]);
    b.stream(
        THREAD_LIST,
        &kit::thread_list(&[kit::Thread {
            id: 0xbf4,
            stack_base: 0x12_f000,
            stack_rva: stack,
            stack_len: 256,
            context_rva: ctx,
            context_len: kit::X86_CONTEXT_SIZE,
        }]),
    );
    let name = b.string("c:\\test_app.exe");
    let cv = b.append(&kit::cv_pdb70(
        [0xe5, 0x32, 0x98, 0x5a, 0x72, 0x28, 0xc1, 0x41, 0x83, 0x8e, 0xd9, 0x89, 0x14, 0xe9, 0xb7, 0xff],
        1,
        "c:\\test_app.pdb",
    ));
    b.stream(
        MODULE_LIST,
        &kit::module_list(&[kit::Module { base: 0x40_0000, size: 0x2d000, name_rva: name, cv: (cv, 40) }]),
    );
    b.stream(SYSTEM_INFO, &kit::system_info(kit::ARCH_X86, kit::PLATFORM_WIN32_NT, 0));
    let bytes = b.finish();
    let dump = Minidump::parse(&bytes).unwrap();
    let t = dump.stream::<ThreadList>().unwrap().unwrap().get(0).unwrap();
    let c = t.context().unwrap();
    assert!(matches!(c, Context::X86(_)));
    assert_eq!(c.instruction_pointer(), 0x41_4141);
    let m = dump.stream::<ModuleList>().unwrap().unwrap().get_first();
    assert_eq!(m.debug_identifier().unwrap().to_string(), "5A9832E5287241C1838ED98914E9B7FF1");
    assert_eq!(m.debug_file().unwrap().to_string(), "c:\\test_app.pdb");
    assert_eq!(m.code_identifier().unwrap().to_string(), "000000002d000");
}

trait First<'a> {
    fn get_first(&self) -> Module<'a>;
}

impl<'a> First<'a> for ModuleList<'a> {
    fn get_first(&self) -> Module<'a> {
        self.iter().next().unwrap()
    }
}
