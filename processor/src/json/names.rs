//! rust-minidump's words for a crash (`crash_info.type`) and for a Windows
//! error value (`last_error_value`), which differ from Breakpad's: Linux
//! signals without their `si_code` when it is `SI_USER` (`SIGSEGV`, not
//! `SIGSEGV /0x00000000`), fast fails after the status
//! (`EXCEPTION_STACK_BUFFER_OVERRUN / FAST_FAIL_FATAL_APP_EXIT`),
//! `unknown 0x...` for codes it cannot name.

use crate::process_state::ExceptionRecord;
use crate::system::SystemInfo;
use mdump_format::exception_codes::{linux, mac, windows, windows_access_violation};
use mdump_format::system_info::*;

/// The crash as rust-minidump's `CrashReason` prints it, for the
/// exception `record` of a dump from `system`.
pub fn crash_type(record: &ExceptionRecord, system: &SystemInfo) -> String {
    let (code, flags) = (record.code, record.flags);
    let named = match system.platform_id {
        Some(PLATFORM_WIN32_NT | PLATFORM_WIN32_WINDOWS) => Some(windows_type(code, &record.parameters)),
        Some(PLATFORM_LINUX | PLATFORM_ANDROID) => linux_type(code, flags),
        Some(PLATFORM_MAC_OS_X | PLATFORM_IOS) => mac_type(code, flags, system.architecture),
        _ => None,
    };
    named.unwrap_or_else(|| format!("unknown 0x{code:08x} / 0x{flags:08x}"))
}

/// Windows: the exception code's name, access violations and in-page errors
/// with the kind of access, stack buffer overruns with the fast-fail code.
fn windows_type(code: u32, parameters: &[u64]) -> String {
    let first = parameters.first().map(|&p| p & 0xffff_ffff);
    let access = first.and_then(|p| u32::try_from(p).ok()).and_then(access_kind);
    match code {
        windows::EXCEPTION_ACCESS_VIOLATION if access.is_some() => {
            format!("EXCEPTION_ACCESS_VIOLATION_{}", access.unwrap_or_default())
        }
        windows::EXCEPTION_IN_PAGE_ERROR if access.is_some() && parameters.len() >= 3 => {
            let status = parameters.get(2).map_or(0, |&s| s as u32);
            format!("EXCEPTION_IN_PAGE_ERROR_{} / {}", access.unwrap_or_default(), nt_status_name(status))
        }
        windows::STATUS_STACK_BUFFER_OVERRUN if first.is_some() => {
            let fast_fail = first.unwrap_or_default() as u32;
            match windows::fast_fail_name(fast_fail) {
                Some(name) => format!("EXCEPTION_STACK_BUFFER_OVERRUN / {name}"),
                None => format!("EXCEPTION_STACK_BUFFER_OVERRUN / 0x{fast_fail:08x}"),
            }
        }
        windows::EXCEPTION_OUT_OF_MEMORY => "Out of Memory".to_string(),
        windows::UNHANDLED_CPP_EXCEPTION => "Unhandled C++ Exception".to_string(),
        windows::SIMULATED => "Simulated Exception".to_string(),
        // rust-minidump's name for it (winnt.h's is ARRAY_BOUNDS_EXCEEDED).
        windows::EXCEPTION_ARRAY_BOUNDS_EXCEEDED => "EXCEPTION_BOUNDS_EXCEEDED".to_string(),
        0xe043_4352 => "MANAGED_EXCEPTION_CODE_V4".to_string(),
        _ => match windows::name(code).filter(|n| n.starts_with("EXCEPTION_")) {
            Some(name) => name.to_string(),
            None => windows_error_name(code),
        },
    }
}

/// `READ`, `WRITE` or `EXEC` for the access kind of an access violation.
fn access_kind(kind: u32) -> Option<&'static str> {
    match kind {
        windows_access_violation::EXCEPTION_READ_FAULT => Some("READ"),
        windows_access_violation::EXCEPTION_WRITE_FAULT => Some("WRITE"),
        windows_access_violation::EXCEPTION_EXECUTE_FAULT => Some("EXEC"),
        _ => None,
    }
}

/// An `NTSTATUS` value's name (the `STATUS_*` spelling), or `0x%08x`.
fn nt_status_name(status: u32) -> String {
    nt_status(status).map_or_else(|| format!("0x{status:08x}"), str::to_string)
}

/// The `NTSTATUS` spelling of the status codes the format crate names
/// (winnt.h calls several of them `EXCEPTION_*`; ntstatus.h `STATUS_*`).
fn nt_status(status: u32) -> Option<&'static str> {
    Some(match status {
        windows::EXCEPTION_GUARD_PAGE => "STATUS_GUARD_PAGE_VIOLATION",
        windows::EXCEPTION_DATATYPE_MISALIGNMENT => "STATUS_DATATYPE_MISALIGNMENT",
        windows::EXCEPTION_BREAKPOINT => "STATUS_BREAKPOINT",
        windows::EXCEPTION_SINGLE_STEP => "STATUS_SINGLE_STEP",
        windows::EXCEPTION_ACCESS_VIOLATION => "STATUS_ACCESS_VIOLATION",
        windows::EXCEPTION_IN_PAGE_ERROR => "STATUS_IN_PAGE_ERROR",
        windows::EXCEPTION_INVALID_HANDLE => "STATUS_INVALID_HANDLE",
        windows::EXCEPTION_ILLEGAL_INSTRUCTION => "STATUS_ILLEGAL_INSTRUCTION",
        windows::EXCEPTION_NONCONTINUABLE_EXCEPTION => "STATUS_NONCONTINUABLE_EXCEPTION",
        windows::EXCEPTION_INVALID_DISPOSITION => "STATUS_INVALID_DISPOSITION",
        windows::EXCEPTION_ARRAY_BOUNDS_EXCEEDED => "STATUS_ARRAY_BOUNDS_EXCEEDED",
        windows::EXCEPTION_FLT_DENORMAL_OPERAND => "STATUS_FLOAT_DENORMAL_OPERAND",
        windows::EXCEPTION_FLT_DIVIDE_BY_ZERO => "STATUS_FLOAT_DIVIDE_BY_ZERO",
        windows::EXCEPTION_FLT_INEXACT_RESULT => "STATUS_FLOAT_INEXACT_RESULT",
        windows::EXCEPTION_FLT_INVALID_OPERATION => "STATUS_FLOAT_INVALID_OPERATION",
        windows::EXCEPTION_FLT_OVERFLOW => "STATUS_FLOAT_OVERFLOW",
        windows::EXCEPTION_FLT_STACK_CHECK => "STATUS_FLOAT_STACK_CHECK",
        windows::EXCEPTION_FLT_UNDERFLOW => "STATUS_FLOAT_UNDERFLOW",
        windows::EXCEPTION_INT_DIVIDE_BY_ZERO => "STATUS_INTEGER_DIVIDE_BY_ZERO",
        windows::EXCEPTION_INT_OVERFLOW => "STATUS_INTEGER_OVERFLOW",
        windows::EXCEPTION_PRIV_INSTRUCTION => "STATUS_PRIVILEGED_INSTRUCTION",
        windows::EXCEPTION_STACK_OVERFLOW => "STATUS_STACK_OVERFLOW",
        windows::EXCEPTION_POSSIBLE_DEADLOCK => "STATUS_POSSIBLE_DEADLOCK",
        other => return windows::name(other).filter(|n| n.starts_with("STATUS_") || n.starts_with("DBG_")),
    })
}

/// A Windows error value as rust-minidump names it (its
/// `CrashReason::from_windows_error`): a `winerror.h` name, else an
/// `NTSTATUS` name, else a Visual C++ facility error, else `unknown 0x...`.
/// Only the commoner `winerror.h` values are known here.
pub fn windows_error_name(code: u32) -> String {
    if let Some(name) = win32_error(code).or_else(|| nt_status(code)) {
        return name.to_string();
    }
    const FACILITY_VISUALCPP: u32 = 109;
    if code & 0xf000_0000 != 0 && (code & 0x0fff_0000) >> 16 == FACILITY_VISUALCPP {
        if let Some(name) = win32_error(code & 0xffff) {
            return format!("FACILITY_VISUALCPP / {name}");
        }
    }
    format!("unknown 0x{code:08x}")
}

/// Linux: the signal, refined by its `si_code` (`SIGSEGV / SEGV_MAPERR`);
/// a signal sent by a process (`SI_USER`) is the signal alone.
fn linux_type(code: u32, flags: u32) -> Option<String> {
    let signal = linux::name(code)?;
    Some(match linux::si_code_name(code, flags) {
        Some("SI_USER") => signal.to_string(),
        Some(detail) => format!("{signal} / {detail}"),
        None => format!("{signal} / 0x{flags:08x}"),
    })
}

/// macOS and iOS: the Mach exception, refined by its code where rust-minidump
/// knows the CPU's codes (x86, x86-64 and ARM64).
fn mac_type(code: u32, flags: u32, architecture: Option<u16>) -> Option<String> {
    let exception = mac::name(code)?;
    let detail = match architecture {
        Some(PROCESSOR_ARCHITECTURE_X86 | PROCESSOR_ARCHITECTURE_AMD64) => mac::x86_code_name(code, flags),
        Some(PROCESSOR_ARCHITECTURE_ARM64 | PROCESSOR_ARCHITECTURE_ARM64_OLD) => mac::arm_code_name(code, flags),
        _ if code == mac::EXC_BAD_ACCESS => mac::kern_name(flags),
        _ if code == mac::EXC_SOFTWARE => mac::software_name(flags),
        _ => None,
    };
    Some(match detail {
        Some(detail) => format!("{exception} / {detail}"),
        None => format!("{exception} / 0x{flags:08x}"),
    })
}

/// `winerror.h` names of the error values most often seen in
/// `GetLastError()`.
fn win32_error(code: u32) -> Option<&'static str> {
    WIN32_ERRORS.binary_search_by_key(&code, |&(c, _)| c).ok().and_then(|i| WIN32_ERRORS.get(i)).map(|&(_, n)| n)
}

/// `(value, name)`, sorted by value.
const WIN32_ERRORS: &[(u32, &str)] = &[
    (0, "ERROR_SUCCESS"),
    (1, "ERROR_INVALID_FUNCTION"),
    (2, "ERROR_FILE_NOT_FOUND"),
    (3, "ERROR_PATH_NOT_FOUND"),
    (4, "ERROR_TOO_MANY_OPEN_FILES"),
    (5, "ERROR_ACCESS_DENIED"),
    (6, "ERROR_INVALID_HANDLE"),
    (7, "ERROR_ARENA_TRASHED"),
    (8, "ERROR_NOT_ENOUGH_MEMORY"),
    (9, "ERROR_INVALID_BLOCK"),
    (10, "ERROR_BAD_ENVIRONMENT"),
    (11, "ERROR_BAD_FORMAT"),
    (12, "ERROR_INVALID_ACCESS"),
    (13, "ERROR_INVALID_DATA"),
    (14, "ERROR_OUTOFMEMORY"),
    (15, "ERROR_INVALID_DRIVE"),
    (16, "ERROR_CURRENT_DIRECTORY"),
    (17, "ERROR_NOT_SAME_DEVICE"),
    (18, "ERROR_NO_MORE_FILES"),
    (19, "ERROR_WRITE_PROTECT"),
    (20, "ERROR_BAD_UNIT"),
    (21, "ERROR_NOT_READY"),
    (22, "ERROR_BAD_COMMAND"),
    (23, "ERROR_CRC"),
    (24, "ERROR_BAD_LENGTH"),
    (25, "ERROR_SEEK"),
    (26, "ERROR_NOT_DOS_DISK"),
    (27, "ERROR_SECTOR_NOT_FOUND"),
    (28, "ERROR_OUT_OF_PAPER"),
    (29, "ERROR_WRITE_FAULT"),
    (30, "ERROR_READ_FAULT"),
    (31, "ERROR_GEN_FAILURE"),
    (32, "ERROR_SHARING_VIOLATION"),
    (33, "ERROR_LOCK_VIOLATION"),
    (34, "ERROR_WRONG_DISK"),
    (36, "ERROR_SHARING_BUFFER_EXCEEDED"),
    (38, "ERROR_HANDLE_EOF"),
    (39, "ERROR_HANDLE_DISK_FULL"),
    (50, "ERROR_NOT_SUPPORTED"),
    (53, "ERROR_BAD_NETPATH"),
    (64, "ERROR_NETNAME_DELETED"),
    (67, "ERROR_BAD_NET_NAME"),
    (80, "ERROR_FILE_EXISTS"),
    (82, "ERROR_CANNOT_MAKE"),
    (87, "ERROR_INVALID_PARAMETER"),
    (109, "ERROR_BROKEN_PIPE"),
    (110, "ERROR_OPEN_FAILED"),
    (111, "ERROR_BUFFER_OVERFLOW"),
    (112, "ERROR_DISK_FULL"),
    (120, "ERROR_CALL_NOT_IMPLEMENTED"),
    (121, "ERROR_SEM_TIMEOUT"),
    (122, "ERROR_INSUFFICIENT_BUFFER"),
    (123, "ERROR_INVALID_NAME"),
    (124, "ERROR_INVALID_LEVEL"),
    (126, "ERROR_MOD_NOT_FOUND"),
    (127, "ERROR_PROC_NOT_FOUND"),
    (128, "ERROR_WAIT_NO_CHILDREN"),
    (131, "ERROR_NEGATIVE_SEEK"),
    (145, "ERROR_DIR_NOT_EMPTY"),
    (158, "ERROR_NOT_LOCKED"),
    (160, "ERROR_BAD_ARGUMENTS"),
    (161, "ERROR_BAD_PATHNAME"),
    (164, "ERROR_MAX_THRDS_REACHED"),
    (167, "ERROR_LOCK_FAILED"),
    (170, "ERROR_BUSY"),
    (183, "ERROR_ALREADY_EXISTS"),
    (186, "ERROR_INVALID_FLAG_NUMBER"),
    (193, "ERROR_BAD_EXE_FORMAT"),
    (203, "ERROR_ENVVAR_NOT_FOUND"),
    (206, "ERROR_FILENAME_EXCED_RANGE"),
    (212, "ERROR_LOCKED"),
    (216, "ERROR_EXE_MACHINE_TYPE_MISMATCH"),
    (230, "ERROR_BAD_PIPE"),
    (231, "ERROR_PIPE_BUSY"),
    (232, "ERROR_NO_DATA"),
    (233, "ERROR_PIPE_NOT_CONNECTED"),
    (234, "ERROR_MORE_DATA"),
    (259, "ERROR_NO_MORE_ITEMS"),
    (266, "ERROR_CANNOT_COPY"),
    (267, "ERROR_DIRECTORY"),
    (288, "ERROR_NOT_OWNER"),
    (298, "ERROR_TOO_MANY_POSTS"),
    (299, "ERROR_PARTIAL_COPY"),
    (300, "ERROR_OPLOCK_NOT_GRANTED"),
    (303, "ERROR_DELETE_PENDING"),
    (317, "ERROR_MR_MID_NOT_FOUND"),
    (487, "ERROR_INVALID_ADDRESS"),
    (534, "ERROR_ARITHMETIC_OVERFLOW"),
    (535, "ERROR_PIPE_CONNECTED"),
    (536, "ERROR_PIPE_LISTENING"),
    (995, "ERROR_OPERATION_ABORTED"),
    (996, "ERROR_IO_INCOMPLETE"),
    (997, "ERROR_IO_PENDING"),
    (998, "ERROR_NOACCESS"),
    (999, "ERROR_SWAPERROR"),
    (1001, "ERROR_STACK_OVERFLOW"),
    (1004, "ERROR_INVALID_FLAGS"),
    (1008, "ERROR_NO_TOKEN"),
    (1009, "ERROR_BADDB"),
    (1010, "ERROR_BADKEY"),
    (1011, "ERROR_CANTOPEN"),
    (1012, "ERROR_CANTREAD"),
    (1013, "ERROR_CANTWRITE"),
    (1015, "ERROR_REGISTRY_CORRUPT"),
    (1018, "ERROR_KEY_DELETED"),
    (1051, "ERROR_DEPENDENT_SERVICES_RUNNING"),
    (1056, "ERROR_SERVICE_ALREADY_RUNNING"),
    (1060, "ERROR_SERVICE_DOES_NOT_EXIST"),
    (1062, "ERROR_SERVICE_NOT_ACTIVE"),
    (1063, "ERROR_FAILED_SERVICE_CONTROLLER_CONNECT"),
    (1114, "ERROR_DLL_INIT_FAILED"),
    (1150, "ERROR_OLD_WIN_VERSION"),
    (1168, "ERROR_NOT_FOUND"),
    (1170, "ERROR_SET_NOT_FOUND"),
    (1200, "ERROR_BAD_DEVICE"),
    (1223, "ERROR_CANCELLED"),
    (1231, "ERROR_NETWORK_UNREACHABLE"),
    (1235, "ERROR_REQUEST_ABORTED"),
    (1244, "ERROR_NOT_AUTHENTICATED"),
    (1246, "ERROR_CONTINUE"),
    (1247, "ERROR_ALREADY_INITIALIZED"),
    (1260, "ERROR_ACCESS_DISABLED_BY_POLICY"),
    (1300, "ERROR_NOT_ALL_ASSIGNED"),
    (1312, "ERROR_NO_SUCH_LOGON_SESSION"),
    (1313, "ERROR_NO_SUCH_PRIVILEGE"),
    (1314, "ERROR_PRIVILEGE_NOT_HELD"),
    (1326, "ERROR_LOGON_FAILURE"),
    (1355, "ERROR_NO_SUCH_DOMAIN"),
    (1400, "ERROR_INVALID_WINDOW_HANDLE"),
    (1401, "ERROR_INVALID_MENU_HANDLE"),
    (1402, "ERROR_INVALID_CURSOR_HANDLE"),
    (1407, "ERROR_CANNOT_FIND_WND_CLASS"),
    (1410, "ERROR_CLASS_ALREADY_EXISTS"),
    (1411, "ERROR_CLASS_DOES_NOT_EXIST"),
    (1413, "ERROR_INVALID_INDEX"),
    (1444, "ERROR_INVALID_THREAD_ID"),
    (1450, "ERROR_NO_SYSTEM_RESOURCES"),
    (1455, "ERROR_COMMITMENT_LIMIT"),
    (1460, "ERROR_TIMEOUT"),
    (1722, "RPC_S_SERVER_UNAVAILABLE"),
    (1726, "RPC_S_CALL_FAILED"),
    (1813, "ERROR_RESOURCE_TYPE_NOT_FOUND"),
    (1814, "ERROR_RESOURCE_NAME_NOT_FOUND"),
    (2404, "ERROR_DEVICE_IN_USE"),
];

#[cfg(test)]
mod tests {
    use super::*;

    fn system(platform: u32, arch: u16) -> SystemInfo {
        SystemInfo { platform_id: Some(platform), architecture: Some(arch), ..SystemInfo::default() }
    }

    fn record(code: u32, flags: u32, parameters: &[u64]) -> ExceptionRecord {
        ExceptionRecord { code, flags, address: 0, parameters: parameters.to_vec() }
    }

    #[test]
    fn windows_types() {
        let win = system(PLATFORM_WIN32_NT, PROCESSOR_ARCHITECTURE_X86);
        let t = |code, params: &[u64]| crash_type(&record(code, 0, params), &win);
        assert_eq!(t(0xc000_0005, &[1, 0x45]), "EXCEPTION_ACCESS_VIOLATION_WRITE");
        assert_eq!(t(0xc000_0005, &[8, 0x45]), "EXCEPTION_ACCESS_VIOLATION_EXEC");
        assert_eq!(t(0xc000_0005, &[]), "EXCEPTION_ACCESS_VIOLATION");
        assert_eq!(t(0xc000_0005, &[5]), "EXCEPTION_ACCESS_VIOLATION");
        assert_eq!(t(0xc000_0006, &[0, 1, 0xc000_0185]), "EXCEPTION_IN_PAGE_ERROR_READ / 0xc0000185");
        assert_eq!(t(0xc000_0006, &[0, 1, 0xc000_0005]), "EXCEPTION_IN_PAGE_ERROR_READ / STATUS_ACCESS_VIOLATION");
        assert_eq!(t(0xc000_0409, &[7]), "EXCEPTION_STACK_BUFFER_OVERRUN / FAST_FAIL_FATAL_APP_EXIT");
        assert_eq!(t(0xc000_0409, &[0x1234]), "EXCEPTION_STACK_BUFFER_OVERRUN / 0x00001234");
        assert_eq!(t(0xc000_0409, &[]), "STATUS_STACK_BUFFER_OVERRUN");
        assert_eq!(t(0x8000_0003, &[]), "EXCEPTION_BREAKPOINT");
        assert_eq!(t(0xe06d_7363, &[]), "Unhandled C++ Exception");
        assert_eq!(t(0xc000_008c, &[]), "EXCEPTION_BOUNDS_EXCEEDED");
        assert_eq!(t(0xc000_0374, &[]), "STATUS_HEAP_CORRUPTION");
        assert_eq!(t(1722, &[]), "RPC_S_SERVER_UNAVAILABLE");
        assert_eq!(t(0xc06d_007e, &[]), "FACILITY_VISUALCPP / ERROR_MOD_NOT_FOUND");
        assert_eq!(t(0x1234_5678, &[]), "unknown 0x12345678");
    }

    #[test]
    fn linux_and_mac_types() {
        let linux = system(PLATFORM_LINUX, PROCESSOR_ARCHITECTURE_AMD64);
        let t = |code, flags| crash_type(&record(code, flags, &[]), &linux);
        assert_eq!(t(11, 0), "SIGSEGV");
        assert_eq!(t(11, 1), "SIGSEGV / SEGV_MAPERR");
        assert_eq!(t(11, 0x80), "SIGSEGV / SI_KERNEL");
        assert_eq!(t(8, 1), "SIGFPE / FPE_INTDIV");
        assert_eq!(t(6, 0xffff_fffa), "SIGABRT / SI_TKILL");
        assert_eq!(t(6, 77), "SIGABRT / 0x0000004d");
        assert_eq!(t(200, 1), "unknown 0x000000c8 / 0x00000001");

        let mac = system(PLATFORM_MAC_OS_X, PROCESSOR_ARCHITECTURE_AMD64);
        let t = |code, flags| crash_type(&record(code, flags, &[]), &mac);
        assert_eq!(t(1, 1), "EXC_BAD_ACCESS / KERN_INVALID_ADDRESS");
        assert_eq!(t(1, 13), "EXC_BAD_ACCESS / EXC_I386_GPFLT");
        assert_eq!(t(1, 0x777), "EXC_BAD_ACCESS / 0x00000777");
        assert_eq!(crash_type(&record(1, 0, &[]), &SystemInfo::default()), "unknown 0x00000001 / 0x00000000");
    }

    #[test]
    fn windows_errors() {
        assert_eq!(windows_error_name(0), "ERROR_SUCCESS");
        assert_eq!(windows_error_name(183), "ERROR_ALREADY_EXISTS");
        assert_eq!(windows_error_name(0xc000_0005), "STATUS_ACCESS_VIOLATION");
        assert_eq!(windows_error_name(0x0000_fffe), "unknown 0x0000fffe");
        assert!(WIN32_ERRORS.windows(2).all(|w| w[0].0 < w[1].0), "sorted for the binary search");
    }
}
