//! Names of exception codes, by the operating system that wrote the dump.

use mdump_format::exception_codes::{linux, mac, windows, windows_access_violation};

/// The symbolic name of an exception (`EXCEPTION_ACCESS_VIOLATION_WRITE`,
/// `STATUS_STACK_BUFFER_OVERRUN / FAST_FAIL_FATAL_APP_EXIT`,
/// `SIGSEGV / SEGV_MAPERR`, `EXC_BAD_ACCESS`), or `None` if unknown.
pub(crate) fn name(os: &str, code: u32, flags: u32, params: &[u64]) -> Option<String> {
    match os {
        "windows" => {
            let base = windows::name(code)?;
            let detail = match code {
                windows::EXCEPTION_ACCESS_VIOLATION | windows::EXCEPTION_IN_PAGE_ERROR => {
                    params.first().and_then(|&p| u32::try_from(p).ok()).and_then(windows_access_violation::name)
                }
                windows::STATUS_STACK_BUFFER_OVERRUN => {
                    params.first().and_then(|&p| u32::try_from(p).ok()).and_then(windows::fast_fail_name)
                }
                _ => None,
            };
            Some(match detail {
                Some(d) => format!("{base} / {d}"),
                None => base.to_string(),
            })
        }
        "linux" | "android" | "fuchsia" | "solaris" => {
            let signal = linux::name(code)?;
            Some(match linux::si_code_name(code, flags) {
                Some(sub) => format!("{signal} / {sub}"),
                None => signal.to_string(),
            })
        }
        "mac" | "ios" => mac::name(code).map(str::to_string),
        _ => None,
    }
}
