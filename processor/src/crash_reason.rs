//! The crash reason and crash address, exactly as Breakpad's processor
//! (`MinidumpProcessor::GetCrashReason`) words and computes them.
//!
//! The reason depends on the platform that wrote the dump: Windows
//! `NTSTATUS` names (access violations split by the kind of access, fast
//! fails named by their code), Linux and Android signals with their
//! `si_code` (note Breakpad's spacing: `SIGSEGV /SEGV_MAPERR` but
//! `SIGFPE / FPE_INTDIV`), Mach exceptions on macOS and iOS, and a few
//! others. Anything Breakpad does not name is `0x<code> / 0x<flags>` or
//! `NAME / 0x<flags>`.

use mdump_format::exception::MinidumpException;
use mdump_format::system_info::*;

/// The reason string and crash address for an exception record, given the
/// dump's SystemInfo (its `platform_id` and `processor_architecture`).
pub fn crash_reason(record: &MinidumpException, system: Option<&MinidumpSystemInfo>) -> (String, u64) {
    let code = record.exception_code.get();
    let flags = record.exception_flags.get();
    let mut address = record.exception_address.get();
    let flags_string = format!("0x{flags:08x}");
    let fallback = format!("0x{code:08x} / {flags_string}");
    let Some(system) = system else {
        return (fallback, address);
    };
    let arch = system.processor_architecture.get();
    let named = |name: &str| format!("{name} / {flags_string}");
    let reason = match system.platform_id.get() {
        PLATFORM_FUCHSIA => fuchsia_name(code).map(named),
        PLATFORM_MAC_OS_X | PLATFORM_IOS => mac_reason(code, flags, arch, &flags_string),
        PLATFORM_WIN32_NT | PLATFORM_WIN32_WINDOWS => windows_reason(record, &mut address),
        PLATFORM_ANDROID | PLATFORM_LINUX => linux_reason(code, flags, &flags_string),
        PLATFORM_SOLARIS => solaris_name(code).map(str::to_string),
        PLATFORM_PS3 => ps3_name(code).map(str::to_string),
        _ => None,
    };
    (reason.unwrap_or(fallback), address_for_architecture(arch, address))
}

/// Breakpad masks crash addresses to 32 bits on 32-bit architectures.
fn address_for_architecture(arch: u16, address: u64) -> u64 {
    match arch {
        PROCESSOR_ARCHITECTURE_X86
        | PROCESSOR_ARCHITECTURE_MIPS
        | PROCESSOR_ARCHITECTURE_PPC
        | PROCESSOR_ARCHITECTURE_SHX
        | PROCESSOR_ARCHITECTURE_ARM
        | PROCESSOR_ARCHITECTURE_X86_WIN64 => address & 0xffff_ffff,
        _ => address,
    }
}

fn fuchsia_name(code: u32) -> Option<&'static str> {
    Some(match code {
        0x8 => "GENERAL",
        0x108 => "FATAL_PAGE_FAULT",
        0x208 => "UNDEFINED_INSTRUCTION",
        0x308 => "SW_BREAKPOINT",
        0x408 => "HW_BREAKPOINT",
        0x508 => "UNALIGNED_ACCESS",
        0x8008 => "THREAD_STARTING",
        0x8108 => "THREAD_EXITING",
        0x8208 => "POLICY_ERROR",
        0x8308 => "PROCESS_STARTING",
        _ => return None,
    })
}

/// Mach exception types.
mod mach {
    pub const BAD_ACCESS: u32 = 1;
    pub const BAD_INSTRUCTION: u32 = 2;
    pub const ARITHMETIC: u32 = 3;
    pub const EMULATION: u32 = 4;
    pub const SOFTWARE: u32 = 5;
    pub const BREAKPOINT: u32 = 6;
    pub const SYSCALL: u32 = 7;
    pub const MACH_SYSCALL: u32 = 8;
    pub const RPC_ALERT: u32 = 9;
    pub const RESOURCE: u32 = 11;
    pub const GUARD: u32 = 12;
    /// Crashpad's `SimulateCrash` ('CPsx').
    pub const SIMULATED: u32 = 0x4350_7378;
    /// Crashpad's uncaught `NSException` ('CPnx').
    pub const NS_EXCEPTION_SIMULATED: u32 = 0x4350_6e78;
}

/// `(code, name)` pairs looked up by code.
fn lookup(table: &[(u32, &'static str)], code: u32) -> Option<&'static str> {
    table.iter().find(|(c, _)| *c == code).map(|(_, n)| *n)
}

fn mac_reason(code: u32, flags: u32, arch: u16, flags_string: &str) -> Option<String> {
    use mach::*;
    let is_arm = matches!(arch, PROCESSOR_ARCHITECTURE_ARM | PROCESSOR_ARCHITECTURE_ARM64_OLD);
    let is_ppc = arch == PROCESSOR_ARCHITECTURE_PPC;
    let is_x86 = matches!(arch, PROCESSOR_ARCHITECTURE_X86 | PROCESSOR_ARCHITECTURE_AMD64);
    let (prefix, detail): (&str, Option<&str>) = match code {
        BAD_ACCESS => {
            const KERN: &[(u32, &str)] = &[
                (1, "KERN_INVALID_ADDRESS"),
                (2, "KERN_PROTECTION_FAILURE"),
                (8, "KERN_NO_ACCESS"),
                (9, "KERN_MEMORY_FAILURE"),
                (10, "KERN_MEMORY_ERROR"),
                (50, "KERN_CODESIGN_ERROR"),
            ];
            let cpu = if is_arm {
                lookup(&[(0x101, "EXC_ARM_DA_ALIGN"), (0x102, "EXC_ARM_DA_DEBUG")], flags)
            } else if is_ppc {
                lookup(
                    &[(0x101, "EXC_PPC_VM_PROT_READ"), (0x102, "EXC_PPC_BADSPACE"), (0x103, "EXC_PPC_UNALIGNED")],
                    flags,
                )
            } else if is_x86 {
                lookup(&[(13, "EXC_I386_GPFLT")], flags)
            } else {
                None
            };
            ("EXC_BAD_ACCESS", lookup(KERN, flags).or(cpu))
        }
        BAD_INSTRUCTION => {
            let detail = if is_arm {
                lookup(&[(1, "EXC_ARM_UNDEFINED")], flags)
            } else if is_ppc {
                lookup(
                    &[
                        (1, "EXC_PPC_INVALID_SYSCALL"),
                        (2, "EXC_PPC_UNIPL_INST"),
                        (3, "EXC_PPC_PRIVINST"),
                        (4, "EXC_PPC_PRIVREG"),
                        (5, "EXC_PPC_TRACE"),
                        (6, "EXC_PPC_PERFMON"),
                    ],
                    flags,
                )
            } else if is_x86 {
                lookup(
                    &[
                        (1, "EXC_I386_INVOP"),
                        (10, "EXC_I386_INVTSSFLT"),
                        (11, "EXC_I386_SEGNPFLT"),
                        (12, "EXC_I386_STKFLT"),
                        (13, "EXC_I386_GPFLT"),
                        (17, "EXC_I386_ALIGNFLT"),
                    ],
                    flags,
                )
            } else {
                None
            };
            ("EXC_BAD_INSTRUCTION", detail)
        }
        ARITHMETIC => {
            let detail = if is_ppc {
                lookup(
                    &[
                        (1, "EXC_PPC_OVERFLOW"),
                        (2, "EXC_PPC_ZERO_DIVIDE"),
                        (3, "EXC_FLT_INEXACT"),
                        (4, "EXC_PPC_FLT_ZERO_DIVIDE"),
                        (5, "EXC_PPC_FLT_UNDERFLOW"),
                        (6, "EXC_PPC_FLT_OVERFLOW"),
                        (7, "EXC_PPC_FLT_NOT_A_NUMBER"),
                        (8, "EXC_PPC_NOEMULATION"),
                        (9, "EXC_PPC_ALTIVECASSIST"),
                    ],
                    flags,
                )
            } else if is_x86 {
                lookup(
                    &[
                        (1, "EXC_I386_DIV"),
                        (2, "EXC_I386_INTO"),
                        (3, "EXC_I386_NOEXT"),
                        (4, "EXC_I386_EXTOVR"),
                        (5, "EXC_I386_EXTERR"),
                        (6, "EXC_I386_EMERR"),
                        (7, "EXC_I386_BOUND"),
                        (8, "EXC_I386_SSEEXTERR"),
                    ],
                    flags,
                )
            } else {
                None
            };
            ("EXC_ARITHMETIC", detail)
        }
        EMULATION => ("EXC_EMULATION", None),
        SOFTWARE => (
            "EXC_SOFTWARE",
            lookup(
                &[
                    (0x0001_0002, "SIGABRT"),
                    (0xdead_c0de, "UNCAUGHT_NS_EXCEPTION"),
                    (0x0000_0001, "EXC_PPC_TRAP"),
                    (0x0001_0100, "EXC_PPC_MIGRATE"),
                ],
                flags,
            ),
        ),
        BREAKPOINT => {
            let detail = if is_arm {
                lookup(&[(0x101, "EXC_ARM_DA_ALIGN"), (0x102, "EXC_ARM_DA_DEBUG"), (1, "EXC_ARM_BREAKPOINT")], flags)
            } else if is_ppc {
                lookup(&[(1, "EXC_PPC_BREAKPOINT")], flags)
            } else if is_x86 {
                lookup(&[(1, "EXC_I386_SGL"), (2, "EXC_I386_BPT")], flags)
            } else {
                None
            };
            ("EXC_BREAKPOINT", detail)
        }
        SYSCALL => ("EXC_SYSCALL", None),
        MACH_SYSCALL => ("EXC_MACH_SYSCALL", None),
        RPC_ALERT => ("EXC_RPC_ALERT", None),
        RESOURCE => ("EXC_RESOURCE", None),
        GUARD => ("EXC_GUARD", None),
        SIMULATED => return Some("Simulated Exception".to_string()),
        NS_EXCEPTION_SIMULATED => return Some("Uncaught NSException".to_string()),
        _ => return None,
    };
    Some(format!("{prefix} / {}", detail.unwrap_or(flags_string)))
}

/// Windows codes Breakpad names directly.
const WINDOWS_CODES: &[(u32, &str)] = &[
    (0x4001_0005, "DBG_CONTROL_C"),
    (0x8000_0001, "EXCEPTION_GUARD_PAGE"),
    (0x8000_0002, "EXCEPTION_DATATYPE_MISALIGNMENT"),
    (0x8000_0003, "EXCEPTION_BREAKPOINT"),
    (0x8000_0004, "EXCEPTION_SINGLE_STEP"),
    (0xc000_0008, "EXCEPTION_INVALID_HANDLE"),
    (0xc000_001d, "EXCEPTION_ILLEGAL_INSTRUCTION"),
    (0xc000_0025, "EXCEPTION_NONCONTINUABLE_EXCEPTION"),
    (0xc000_0026, "EXCEPTION_INVALID_DISPOSITION"),
    (0xc000_008c, "EXCEPTION_BOUNDS_EXCEEDED"),
    (0xc000_008d, "EXCEPTION_FLT_DENORMAL_OPERAND"),
    (0xc000_008e, "EXCEPTION_FLT_DIVIDE_BY_ZERO"),
    (0xc000_008f, "EXCEPTION_FLT_INEXACT_RESULT"),
    (0xc000_0090, "EXCEPTION_FLT_INVALID_OPERATION"),
    (0xc000_0091, "EXCEPTION_FLT_OVERFLOW"),
    (0xc000_0092, "EXCEPTION_FLT_STACK_CHECK"),
    (0xc000_0093, "EXCEPTION_FLT_UNDERFLOW"),
    (0xc000_0094, "EXCEPTION_INT_DIVIDE_BY_ZERO"),
    (0xc000_0095, "EXCEPTION_INT_OVERFLOW"),
    (0xc000_0096, "EXCEPTION_PRIV_INSTRUCTION"),
    (0xc000_00fd, "EXCEPTION_STACK_OVERFLOW"),
    (0xc000_00ff, "EXCEPTION_BAD_FUNCTION_TABLE"),
    (0xc000_0194, "EXCEPTION_POSSIBLE_DEADLOCK"),
    (0xc000_0374, "EXCEPTION_HEAP_CORRUPTION"),
    (0xe000_0008, "Out of Memory"),
    (0xe06d_7363, "Unhandled C++ Exception"),
    (0x0517_a7ed, "Simulated Exception"),
];

const ACCESS_VIOLATION: u32 = 0xc000_0005;
const IN_PAGE_ERROR: u32 = 0xc000_0006;
const STACK_BUFFER_OVERRUN: u32 = 0xc000_0409;

fn windows_reason(record: &MinidumpException, address: &mut u64) -> Option<String> {
    let code = record.exception_code.get();
    let count = record.number_parameters.get();
    let param = |i: usize| record.exception_information.get(i).map_or(0, |p| p.get());
    let access = |base: &str| -> String {
        if count == 0 {
            return base.to_string();
        }
        // Breakpad reads the kind as a 32-bit enum.
        match param(0) as u32 {
            0 => format!("{base}_READ"),
            1 => format!("{base}_WRITE"),
            8 => format!("{base}_EXEC"),
            _ => base.to_string(),
        }
    };
    match code {
        ACCESS_VIOLATION | IN_PAGE_ERROR => {
            let base = if code == ACCESS_VIOLATION { "EXCEPTION_ACCESS_VIOLATION" } else { "EXCEPTION_IN_PAGE_ERROR" };
            let mut reason = access(base);
            if count >= 2 {
                *address = param(1);
            }
            if code == IN_PAGE_ERROR && count >= 3 {
                reason.push_str(" / ");
                reason.push_str(&ntstatus_name(param(2) as u32));
            }
            Some(reason)
        }
        STACK_BUFFER_OVERRUN => Some(match count {
            0 => "EXCEPTION_STACK_BUFFER_OVERRUN".to_string(),
            // Code 0 (the legacy /GS failure) is left unnamed, as Breakpad
            // leaves it.
            // Breakpad reads the code as a 32-bit enum.
            _ => match param(0) as u32 {
                0 | u32::MAX => "EXCEPTION_STACK_BUFFER_OVERRUN".to_string(),
                fast_fail => mdump_format::exception_codes::windows::fast_fail_name(fast_fail)
                    .unwrap_or("EXCEPTION_STACK_BUFFER_OVERRUN")
                    .to_string(),
            },
        }),
        _ => lookup(WINDOWS_CODES, code).map(str::to_string),
    }
}

/// The name of an `NTSTATUS` from an in-page error's third parameter.
/// Breakpad's table has every error status of the Windows SDK; this one has
/// those an in-page error carries in practice (I/O, media and memory
/// failures) and spells the others `0x%08x`, as Breakpad does for codes it
/// does not know.
pub fn ntstatus_name(status: u32) -> String {
    const STATUSES: &[(u32, &str)] = &[
        (0xc000_0001, "STATUS_UNSUCCESSFUL"),
        (0xc000_0005, "STATUS_ACCESS_VIOLATION"),
        (0xc000_0006, "STATUS_IN_PAGE_ERROR"),
        (0xc000_0008, "STATUS_INVALID_HANDLE"),
        (0xc000_000d, "STATUS_INVALID_PARAMETER"),
        (0xc000_000e, "STATUS_NO_SUCH_DEVICE"),
        (0xc000_000f, "STATUS_NO_SUCH_FILE"),
        (0xc000_0010, "STATUS_INVALID_DEVICE_REQUEST"),
        (0xc000_0011, "STATUS_END_OF_FILE"),
        (0xc000_0012, "STATUS_WRONG_VOLUME"),
        (0xc000_0013, "STATUS_NO_MEDIA_IN_DEVICE"),
        (0xc000_0014, "STATUS_UNRECOGNIZED_MEDIA"),
        (0xc000_0015, "STATUS_NONEXISTENT_SECTOR"),
        (0xc000_0017, "STATUS_NO_MEMORY"),
        (0xc000_0022, "STATUS_ACCESS_DENIED"),
        (0xc000_0032, "STATUS_DISK_CORRUPT_ERROR"),
        (0xc000_0034, "STATUS_OBJECT_NAME_NOT_FOUND"),
        (0xc000_003c, "STATUS_DATA_OVERRUN"),
        (0xc000_003e, "STATUS_DATA_ERROR"),
        (0xc000_003f, "STATUS_CRC_ERROR"),
        (0xc000_0043, "STATUS_SHARING_VIOLATION"),
        (0xc000_0054, "STATUS_FILE_LOCK_CONFLICT"),
        (0xc000_009a, "STATUS_INSUFFICIENT_RESOURCES"),
        (0xc000_009c, "STATUS_DEVICE_DATA_ERROR"),
        (0xc000_009d, "STATUS_DEVICE_NOT_CONNECTED"),
        (0xc000_00a2, "STATUS_MEDIA_WRITE_PROTECTED"),
        (0xc000_00a3, "STATUS_DEVICE_NOT_READY"),
        (0xc000_00b5, "STATUS_IO_TIMEOUT"),
        (0xc000_00b6, "STATUS_FILE_FORCED_CLOSED"),
        (0xc000_00be, "STATUS_BAD_NETWORK_PATH"),
        (0xc000_00c4, "STATUS_UNEXPECTED_NETWORK_ERROR"),
        (0xc000_00ca, "STATUS_NETWORK_ACCESS_DENIED"),
        (0xc000_00cc, "STATUS_BAD_NETWORK_NAME"),
        (0xc000_0102, "STATUS_FILE_CORRUPT_ERROR"),
        (0xc000_0120, "STATUS_CANCELLED"),
        (0xc000_0128, "STATUS_FILE_CLOSED"),
        (0xc000_013c, "STATUS_REMOTE_DISCONNECT"),
        (0xc000_0185, "STATUS_IO_DEVICE_ERROR"),
        (0xc000_0186, "STATUS_DEVICE_PROTOCOL_ERROR"),
        (0xc000_020c, "STATUS_CONNECTION_DISCONNECTED"),
        (0xc000_026e, "STATUS_VOLUME_DISMOUNTED"),
        (0xc000_0284, "STATUS_DRIVER_FAILED_PRIOR_UNLOAD"),
        (0xc000_03b2, "STATUS_DEVICE_HARDWARE_ERROR"),
        (0xc000_0483, "STATUS_HARDWARE_MEMORY_ERROR"),
    ];
    lookup(STATUSES, status).map_or_else(|| format!("0x{status:08x}"), str::to_string)
}

fn linux_reason(code: u32, flags: u32, flags_string: &str) -> Option<String> {
    // Signals whose si_code Breakpad appends, with its (uneven) separators.
    let (prefix, codes): (&str, &[(u32, &str)]) = match code {
        4 => (
            "SIGILL / ",
            &[
                (1, "ILL_ILLOPC"),
                (2, "ILL_ILLOPN"),
                (3, "ILL_ILLADR"),
                (4, "ILL_ILLTRP"),
                (5, "ILL_PRVOPC"),
                (6, "ILL_PRVREG"),
                (7, "ILL_COPROC"),
                (8, "ILL_BADSTK"),
            ],
        ),
        7 => (
            "SIGBUS / ",
            &[(1, "BUS_ADRALN"), (2, "BUS_ADRERR"), (3, "BUS_OBJERR"), (4, "BUS_MCEERR_AR"), (5, "BUS_MCEERR_AO")],
        ),
        8 => (
            "SIGFPE / ",
            &[
                (1, "FPE_INTDIV"),
                (2, "FPE_INTOVF"),
                (3, "FPE_FLTDIV"),
                (4, "FPE_FLTOVF"),
                (5, "FPE_FLTUND"),
                (6, "FPE_FLTRES"),
                (7, "FPE_FLTINV"),
                (8, "FPE_FLTSUB"),
            ],
        ),
        11 => (
            "SIGSEGV /",
            &[
                (1, "SEGV_MAPERR"),
                (2, "SEGV_ACCERR"),
                (3, "SEGV_BNDERR"),
                (4, "SEGV_PKUERR"),
                (5, "SEGV_ACCADI"),
                (6, "SEGV_ADIDERR"),
                (7, "SEGV_ADIPERR"),
                (8, "SEGV_MTEAERR"),
                (9, "SEGV_MTESERR"),
            ],
        ),
        _ => {
            const SIGNALS: &[(u32, &str)] = &[
                (1, "SIGHUP"),
                (2, "SIGINT"),
                (3, "SIGQUIT"),
                (5, "SIGTRAP"),
                (6, "SIGABRT"),
                (9, "SIGKILL"),
                (10, "SIGUSR1"),
                (12, "SIGUSR2"),
                (13, "SIGPIPE"),
                (14, "SIGALRM"),
                (15, "SIGTERM"),
                (16, "SIGSTKFLT"),
                (17, "SIGCHLD"),
                (18, "SIGCONT"),
                (19, "SIGSTOP"),
                (20, "SIGTSTP"),
                (21, "SIGTTIN"),
                (22, "SIGTTOU"),
                (23, "SIGURG"),
                (24, "SIGXCPU"),
                (25, "SIGXFSZ"),
                (26, "SIGVTALRM"),
                (27, "SIGPROF"),
                (28, "SIGWINCH"),
                (29, "SIGIO"),
                (30, "SIGPWR"),
                (31, "SIGSYS"),
                (0xffff_ffff, "DUMP_REQUESTED"),
            ];
            return lookup(SIGNALS, code).map(str::to_string);
        }
    };
    Some(format!("{prefix}{}", lookup(codes, flags).unwrap_or(flags_string)))
}

fn solaris_name(code: u32) -> Option<&'static str> {
    const NAMES: [&str; 40] = [
        "SIGHUP",
        "SIGINT",
        "SIGQUIT",
        "SIGILL",
        "SIGTRAP",
        "SIGIOT | SIGABRT",
        "SIGEMT",
        "SIGFPE",
        "SIGKILL",
        "SIGBUS",
        "SIGSEGV",
        "SIGSYS",
        "SIGPIPE",
        "SIGALRM",
        "SIGTERM",
        "SIGUSR1",
        "SIGUSR2",
        "SIGCLD | SIGCHLD",
        "SIGPWR",
        "SIGWINCH",
        "SIGURG",
        "SIGPOLL | SIGIO",
        "SIGSTOP",
        "SIGTSTP",
        "SIGCONT",
        "SIGTTIN",
        "SIGTTOU",
        "SIGVTALRM",
        "SIGPROF",
        "SIGXCPU",
        "SIGXFSZ",
        "SIGWAITING",
        "SIGLWP",
        "SIGFREEZE",
        "SIGTHAW",
        "SIGCANCEL",
        "SIGLOST",
        "SIGXRES",
        "SIGJVM1",
        "SIGJVM2",
    ];
    // Solaris numbers its signals from 1.
    NAMES.get(usize::try_from(code).ok()?.checked_sub(1)?).copied()
}

fn ps3_name(code: u32) -> Option<&'static str> {
    const NAMES: [&str; 23] = [
        "UNKNOWN",
        "TRAP_EXCEP",
        "PRIV_INSTR",
        "ILLEGAL_INSTR",
        "INSTR_STORAGE",
        "INSTR_SEGMENT",
        "DATA_STORAGE",
        "DATA_SEGMENT",
        "FLOAT_POINT",
        "DABR_MATCH",
        "ALIGN_EXCEP",
        "MEMORY_ACCESS",
        "COPRO_ALIGN",
        "COPRO_INVALID_COM",
        "COPRO_ERR",
        "COPRO_FIR",
        "COPRO_DATA_SEGMENT",
        "COPRO_DATA_STORAGE",
        "COPRO_STOP_INSTR",
        "COPRO_HALT_INSTR",
        "COPRO_HALTINSTR_UNKNOWN",
        "COPRO_MEMORY_ACCESS",
        "GRAPHIC",
    ];
    NAMES.get(usize::try_from(code).ok()?).copied()
}

#[cfg(test)]
mod tests;
