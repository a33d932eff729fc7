//! rust-minidump's checks that the reported crash fits the crashing
//! instruction and the memory map (`crash_info.crash_inconsistencies`).

use super::bit_flips::Operation;
use super::{AccessType, AnalysisInput, CrashAnalysis, MemoryAccess, NON_CANONICAL};
use super::{EXC_ARITHMETIC, EXC_I386_DIV};
use super::{PLATFORM_ANDROID, PLATFORM_IOS, PLATFORM_LINUX, PLATFORM_MAC_OS_X, PLATFORM_WIN32_NT};
use super::{PLATFORM_WIN32_WINDOWS, SIGFPE};

/// Windows' `EXCEPTION_INT_DIVIDE_BY_ZERO`.
const INT_DIVIDE_BY_ZERO: u32 = 0xc000_0094;
/// Windows' `EXCEPTION_PRIV_INSTRUCTION` (`STATUS_PRIVILEGED_INSTRUCTION`).
const PRIV_INSTRUCTION: u32 = 0xc000_0096;
/// Windows' `EXCEPTION_STACK_OVERFLOW`.
const STACK_OVERFLOW: u32 = 0xc000_00fd;
/// Linux `si_code` of SIGFPE for an integer division by zero.
const FPE_INTDIV: u32 = 1;

/// A way the crash report contradicts the instruction or the memory map.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Inconsistency {
    /// An integer division by zero, but the instruction divides nothing.
    IntDivByZeroNotPossible,
    /// A privileged-instruction fault on an unprivileged instruction.
    PrivInstructionCrashWithoutPrivInstruction,
    /// A general protection fault taken for a non-canonical access, but the
    /// instruction uses no non-canonical address.
    NonCanonicalAddressFalselyReported,
    /// An access violation at an address whose region allows the access.
    AccessViolationWhenAccessAllowed,
    /// The faulting access is not one the instruction makes.
    CrashingAccessNotFoundInMemoryAccesses,
}

impl Inconsistency {
    /// The name rust-minidump's JSON gives it.
    pub fn json_name(self) -> &'static str {
        match self {
            Inconsistency::IntDivByZeroNotPossible => "int_div_by_zero_not_possible",
            Inconsistency::PrivInstructionCrashWithoutPrivInstruction => {
                "priv_instruction_crash_without_priv_instruction"
            }
            Inconsistency::NonCanonicalAddressFalselyReported => "non_canonical_address_falsely_reported",
            Inconsistency::AccessViolationWhenAccessAllowed => "access_violation_when_access_allowed",
            Inconsistency::CrashingAccessNotFoundInMemoryAccesses => "crashing_access_not_found_in_memory_accesses",
        }
    }
}

/// Whether the list has an access of `kind` covering `address` (an access
/// that wraps past the top of the address space covers both ends).
fn covers(accesses: &[MemoryAccess], address: u64, kind: AccessType) -> bool {
    accesses.iter().any(|a| {
        let Some(size) = a.size else { return false };
        let (end, wrapped) = a.address.overflowing_add(u64::from(size));
        a.access_type == Some(kind)
            && if wrapped { a.address <= address || address < end } else { (a.address..end).contains(&address) }
    })
}

/// rust-minidump's inconsistencies for the crash, in its order.
pub(super) fn inconsistencies(input: &AnalysisInput<'_, '_>, analysis: &CrashAnalysis) -> Vec<Inconsistency> {
    let (record, platform) = (input.record, input.system.platform_id);
    let windows = matches!(platform, Some(PLATFORM_WIN32_NT | PLATFORM_WIN32_WINDOWS));
    let properties = analysis.properties;
    let mut found = Vec::new();
    let divide_by_zero = match platform {
        Some(PLATFORM_WIN32_NT | PLATFORM_WIN32_WINDOWS) => record.code == INT_DIVIDE_BY_ZERO,
        Some(PLATFORM_LINUX | PLATFORM_ANDROID) => record.code == SIGFPE && record.flags == FPE_INTDIV,
        Some(PLATFORM_MAC_OS_X | PLATFORM_IOS) => {
            matches!(input.system.cpu.as_str(), "x86" | "amd64")
                && record.code == EXC_ARITHMETIC
                && record.flags == EXC_I386_DIV
        }
        _ => false,
    };
    if divide_by_zero {
        if properties.is_some_and(|p| !p.is_division) {
            found.push(Inconsistency::IntDivByZeroNotPossible);
        }
        return found;
    }
    if windows && record.code == PRIV_INSTRUCTION {
        if properties.is_some_and(|p| !p.is_privileged) {
            found.push(Inconsistency::PrivInstructionCrashWithoutPrivInstruction);
        }
        return found;
    }
    let violation = super::violation_kind(input);
    let stack_overflow = windows && record.code == STACK_OVERFLOW;
    if violation.is_none() && !stack_overflow {
        return found;
    }
    let address = input.crash_address;
    let derivable = properties.is_some_and(|p| p.is_access_derivable);
    let not_among_accesses = analysis.memory_accesses.as_deref().is_some_and(|accesses| match violation {
        Some(Operation::Read) => {
            derivable
                && !covers(accesses, address, AccessType::Read)
                && !covers(accesses, address, AccessType::ReadWrite)
        }
        Some(Operation::Write) => {
            derivable
                && !covers(accesses, address, AccessType::Write)
                && !covers(accesses, address, AccessType::ReadWrite)
        }
        Some(Operation::Execute) => input.registers.and_then(|r| r.get("rip")).is_some_and(|ip| ip != address),
        None => derivable && accesses.is_empty(),
    });
    let allowed = violation.is_some_and(|op| {
        input.regions.permissions_at(address).is_some_and(|p| match op {
            Operation::Read => p.read,
            Operation::Write => p.write,
            Operation::Execute => p.execute,
        })
    });
    if violation == Some(Operation::Read) && address == u64::MAX && not_among_accesses {
        // A general protection fault: only a claim of a non-canonical access
        // can be contradicted.
        let only_gpf_when_non_canonical = properties.is_some_and(|p| p.only_gpf_when_non_canonical);
        let none_non_canonical = derivable
            && analysis
                .memory_accesses
                .as_deref()
                .is_some_and(|accesses| !accesses.iter().any(|a| NON_CANONICAL.contains(&a.address)))
            && (analysis.instruction_pointer_kept
                || analysis.instruction_pointer_update.is_some_and(|a| !NON_CANONICAL.contains(&a)));
        if only_gpf_when_non_canonical && none_non_canonical {
            found.push(Inconsistency::NonCanonicalAddressFalselyReported);
        }
        return found;
    }
    if not_among_accesses {
        found.push(Inconsistency::CrashingAccessNotFoundInMemoryAccesses);
    }
    if allowed {
        found.push(Inconsistency::AccessViolationWhenAccessAllowed);
    }
    found
}
