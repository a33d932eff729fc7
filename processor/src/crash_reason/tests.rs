use super::*;
use mdump_format::{U16, U32, U64};

fn record(code: u32, flags: u32, address: u64, params: &[u64]) -> MinidumpException {
    let mut r = MinidumpException {
        exception_code: U32::new(code),
        exception_flags: U32::new(flags),
        exception_address: U64::new(address),
        number_parameters: U32::new(params.len() as u32),
        ..Default::default()
    };
    for (slot, p) in r.exception_information.iter_mut().zip(params) {
        *slot = U64::new(*p);
    }
    r
}

fn system(platform: u32, arch: u16) -> MinidumpSystemInfo {
    MinidumpSystemInfo { platform_id: U32::new(platform), processor_architecture: U16::new(arch), ..Default::default() }
}

fn reason(platform: u32, arch: u16, code: u32, flags: u32, address: u64, params: &[u64]) -> (String, u64) {
    crash_reason(&record(code, flags, address, params), Some(&system(platform, arch)))
}

const WIN: u32 = PLATFORM_WIN32_NT;
const X86: u16 = PROCESSOR_ARCHITECTURE_X86;
const AMD64: u16 = PROCESSOR_ARCHITECTURE_AMD64;

#[test]
fn windows_access_violations_take_the_address_from_the_parameters() {
    assert_eq!(
        reason(WIN, X86, 0xc000_0005, 0, 0x40429e, &[1, 0x45]),
        ("EXCEPTION_ACCESS_VIOLATION_WRITE".into(), 0x45)
    );
    assert_eq!(reason(WIN, X86, 0xc000_0005, 0, 0x1, &[0, 0x41414141]).0, "EXCEPTION_ACCESS_VIOLATION_READ");
    assert_eq!(reason(WIN, X86, 0xc000_0005, 0, 0x1, &[8, 0x10]).0, "EXCEPTION_ACCESS_VIOLATION_EXEC");
    assert_eq!(reason(WIN, X86, 0xc000_0005, 0, 0x1, &[2, 0x10]).0, "EXCEPTION_ACCESS_VIOLATION");
    // No parameters: the exception address stays.
    assert_eq!(reason(WIN, X86, 0xc000_0005, 0, 0x1234, &[]), ("EXCEPTION_ACCESS_VIOLATION".into(), 0x1234));
    // One parameter: named, but the address is not replaced.
    assert_eq!(reason(WIN, X86, 0xc000_0005, 0, 0x1234, &[1]), ("EXCEPTION_ACCESS_VIOLATION_WRITE".into(), 0x1234));
    // 32-bit CPUs mask the address (minidump_32bit_crash_addr).
    assert_eq!(reason(WIN, X86, 0xc000_0005, 0, 0, &[1, 0xffff_ffff_0000_0045]).1, 0x45);
    assert_eq!(reason(WIN, AMD64, 0xc000_0005, 0, 0, &[1, 0xffff_ffff_0000_0045]).1, 0xffff_ffff_0000_0045);
}

#[test]
fn windows_in_page_errors_name_the_status() {
    assert_eq!(
        reason(WIN, AMD64, 0xc000_0006, 0, 0, &[0, 0x7000, 0xc000_000e]),
        ("EXCEPTION_IN_PAGE_ERROR_READ / STATUS_NO_SUCH_DEVICE".into(), 0x7000)
    );
    assert_eq!(
        reason(WIN, AMD64, 0xc000_0006, 0, 0, &[1, 0x7000, 0xc0ff_eeee]).0,
        "EXCEPTION_IN_PAGE_ERROR_WRITE / 0xc0ffeeee"
    );
    assert_eq!(reason(WIN, AMD64, 0xc000_0006, 0, 0, &[]).0, "EXCEPTION_IN_PAGE_ERROR");
}

#[test]
fn windows_fast_fail_codes() {
    assert_eq!(reason(WIN, AMD64, 0xc000_0409, 1, 0x7ff7, &[7]), ("FAST_FAIL_FATAL_APP_EXIT".into(), 0x7ff7));
    assert_eq!(reason(WIN, AMD64, 0xc000_0409, 1, 0, &[2]).0, "FAST_FAIL_STACK_COOKIE_CHECK_FAILURE");
    assert_eq!(reason(WIN, AMD64, 0xc000_0409, 1, 0, &[0]).0, "EXCEPTION_STACK_BUFFER_OVERRUN");
    assert_eq!(reason(WIN, AMD64, 0xc000_0409, 1, 0, &[15]).0, "EXCEPTION_STACK_BUFFER_OVERRUN");
    assert_eq!(reason(WIN, AMD64, 0xc000_0409, 1, 0, &[]).0, "EXCEPTION_STACK_BUFFER_OVERRUN");
    // The code is read as 32 bits.
    assert_eq!(reason(WIN, AMD64, 0xc000_0409, 1, 0, &[0x1_0000_0007]).0, "FAST_FAIL_FATAL_APP_EXIT");
}

#[test]
fn windows_other_codes() {
    assert_eq!(reason(WIN, X86, 0x8000_0003, 0, 0, &[]).0, "EXCEPTION_BREAKPOINT");
    assert_eq!(reason(WIN, X86, 0xc000_008c, 0, 0, &[]).0, "EXCEPTION_BOUNDS_EXCEEDED");
    assert_eq!(reason(WIN, X86, 0xe06d_7363, 1, 0, &[]).0, "Unhandled C++ Exception");
    assert_eq!(reason(WIN, X86, 0x1234_5678, 1, 0, &[]).0, "0x12345678 / 0x00000001");
}

#[test]
fn linux_signals_keep_breakpads_spacing() {
    const LINUX: u32 = PLATFORM_LINUX;
    assert_eq!(reason(LINUX, AMD64, 11, 0, 0, &[]).0, "SIGSEGV /0x00000000");
    assert_eq!(reason(LINUX, AMD64, 11, 1, 0, &[]).0, "SIGSEGV /SEGV_MAPERR");
    assert_eq!(reason(LINUX, AMD64, 8, 0, 0x401f27, &[]), ("SIGFPE / 0x00000000".into(), 0x401f27));
    assert_eq!(reason(LINUX, AMD64, 8, 1, 0, &[]).0, "SIGFPE / FPE_INTDIV");
    assert_eq!(reason(LINUX, AMD64, 7, 2, 0, &[]).0, "SIGBUS / BUS_ADRERR");
    assert_eq!(reason(LINUX, AMD64, 4, 9, 0, &[]).0, "SIGILL / 0x00000009");
    assert_eq!(reason(LINUX, AMD64, 6, 0, 0x3e8_0000_39be, &[]), ("SIGABRT".into(), 0x3e8_0000_39be));
    assert_eq!(reason(PLATFORM_ANDROID, AMD64, 5, 0, 0, &[]).0, "SIGTRAP");
    assert_eq!(reason(LINUX, AMD64, u32::MAX, 0, 0, &[]).0, "DUMP_REQUESTED");
    assert_eq!(reason(LINUX, AMD64, 64, 3, 0, &[]).0, "0x00000040 / 0x00000003");
    // A 32-bit ARM crash address is masked.
    assert_eq!(reason(LINUX, PROCESSOR_ARCHITECTURE_ARM, 11, 1, 0x1_0000_0010, &[]).1, 0x10);
}

#[test]
fn mac_exceptions_depend_on_the_cpu() {
    const MAC: u32 = PLATFORM_MAC_OS_X;
    const ARM64: u16 = PROCESSOR_ARCHITECTURE_ARM64;
    const ARM64_OLD: u16 = PROCESSOR_ARCHITECTURE_ARM64_OLD;
    assert_eq!(reason(MAC, AMD64, 1, 1, 0, &[]).0, "EXC_BAD_ACCESS / KERN_INVALID_ADDRESS");
    assert_eq!(reason(MAC, AMD64, 1, 13, 0, &[]).0, "EXC_BAD_ACCESS / EXC_I386_GPFLT");
    assert_eq!(reason(MAC, ARM64_OLD, 1, 0x101, 0, &[]).0, "EXC_BAD_ACCESS / EXC_ARM_DA_ALIGN");
    // Breakpad only knows the ARM codes for 32-bit ARM and the old ARM64 id.
    assert_eq!(reason(MAC, ARM64, 1, 0x101, 0, &[]).0, "EXC_BAD_ACCESS / 0x00000101");
    assert_eq!(reason(MAC, X86, 3, 1, 0, &[]).0, "EXC_ARITHMETIC / EXC_I386_DIV");
    assert_eq!(reason(MAC, AMD64, 5, 0x0001_0002, 0, &[]).0, "EXC_SOFTWARE / SIGABRT");
    assert_eq!(reason(MAC, AMD64, 6, 2, 0, &[]).0, "EXC_BREAKPOINT / EXC_I386_BPT");
    assert_eq!(reason(MAC, AMD64, 12, 7, 0, &[]).0, "EXC_GUARD / 0x00000007");
    assert_eq!(reason(PLATFORM_IOS, ARM64, 0x4350_7378, 0, 0, &[]).0, "Simulated Exception");
    assert_eq!(reason(MAC, AMD64, 10, 0, 0, &[]).0, "0x0000000a / 0x00000000");
}

#[test]
fn other_platforms_and_no_system_info() {
    assert_eq!(reason(PLATFORM_FUCHSIA, AMD64, 0x108, 3, 0, &[]).0, "FATAL_PAGE_FAULT / 0x00000003");
    assert_eq!(reason(PLATFORM_SOLARIS, X86, 6, 0, 0, &[]).0, "SIGIOT | SIGABRT");
    assert_eq!(reason(PLATFORM_SOLARIS, X86, 40, 0, 0, &[]).0, "SIGJVM2");
    assert_eq!(reason(PLATFORM_SOLARIS, X86, 0, 0, 0, &[]).0, "0x00000000 / 0x00000000");
    assert_eq!(reason(PLATFORM_PS3, PROCESSOR_ARCHITECTURE_PPC, 22, 0, 0, &[]).0, "GRAPHIC");
    // Without SystemInfo the address is not masked.
    let r = crash_reason(&record(0xc000_0005, 0, 0x1_0000_0000, &[1, 2]), None);
    assert_eq!(r, ("0xc0000005 / 0x00000000".into(), 0x1_0000_0000));
}
