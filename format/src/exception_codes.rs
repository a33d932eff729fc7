//! Values found in `MINIDUMP_EXCEPTION`'s `exception_code`, `exception_flags`
//! and `exception_information`, per operating system, with the names the
//! platforms' headers give them.
//!
//! * [`windows`]: `NTSTATUS` exception codes in `exception_code`, and the
//!   `__fastfail` codes in `exception_information[0]` of
//!   [`windows::STATUS_STACK_BUFFER_OVERRUN`].
//! * [`windows_access_violation`]: the kind of access in
//!   `exception_information[0]` of an access violation or in-page error.
//! * [`linux`]: the signal number in `exception_code` and its `si_code` in
//!   `exception_flags` (Breakpad's and Crashpad's Linux, Android and ChromeOS
//!   writers).
//! * [`mac`]: the Mach exception type in `exception_code` and its first code
//!   in `exception_flags` (macOS and iOS writers).
//!
//! Each group has a `name`-style function that maps a value back to its
//! symbolic name, for display.

/// Declares a group of constants and a function mapping each value back to
/// the constant's name. Values within one group must be distinct.
macro_rules! named_codes {
    (
        $(#[$fn_doc:meta])*
        fn $fn_name:ident($ty:ty);
        $( $(#[$doc:meta])* $name:ident = $value:expr; )*
    ) => {
        $( $(#[$doc])* pub const $name: $ty = $value; )*

        $(#[$fn_doc])*
        pub fn $fn_name(code: $ty) -> Option<&'static str> {
            match code {
                $( $name => Some(stringify!($name)), )*
                _ => None,
            }
        }
    };
}

/// Windows exception codes (`NTSTATUS` values) and `__fastfail` codes.
pub mod windows {
    named_codes! {
        /// The symbolic name of a Windows exception code, if it is one of the
        /// constants in this module.
        fn name(u32);
        /// `DBG_CONTROL_C`: Ctrl+C in a console process being debugged.
        DBG_CONTROL_C = 0x4001_0005;
        /// `EXCEPTION_GUARD_PAGE`: touched a `PAGE_GUARD` page (stack growth
        /// normally handles these).
        EXCEPTION_GUARD_PAGE = 0x8000_0001;
        /// `EXCEPTION_DATATYPE_MISALIGNMENT`: misaligned access on hardware
        /// that does not fix it up.
        EXCEPTION_DATATYPE_MISALIGNMENT = 0x8000_0002;
        /// `EXCEPTION_BREAKPOINT`: a breakpoint instruction (`int3`, `brk`, `__debugbreak`).
        EXCEPTION_BREAKPOINT = 0x8000_0003;
        /// `EXCEPTION_SINGLE_STEP`: trace trap or hardware breakpoint.
        EXCEPTION_SINGLE_STEP = 0x8000_0004;
        /// `EXCEPTION_ACCESS_VIOLATION`: read, write or execute of an address
        /// the process may not access. `exception_information[0]` is the
        /// kind of access ([`crate::exception_codes::windows_access_violation`])
        /// and `[1]` the address.
        EXCEPTION_ACCESS_VIOLATION = 0xc000_0005;
        /// `EXCEPTION_IN_PAGE_ERROR`: a page could not be read in (file on a
        /// vanished network share, disk error). Information as for an access
        /// violation, plus the underlying `NTSTATUS` in `[2]`.
        EXCEPTION_IN_PAGE_ERROR = 0xc000_0006;
        /// `EXCEPTION_INVALID_HANDLE`: an invalid handle was used (raised
        /// under a debugger or with strict handle checks).
        EXCEPTION_INVALID_HANDLE = 0xc000_0008;
        /// `STATUS_INVALID_PARAMETER`: an invalid argument to a system service.
        STATUS_INVALID_PARAMETER = 0xc000_000d;
        /// `STATUS_NO_MEMORY`: an allocation failed where the caller asked
        /// for an exception (`HEAP_GENERATE_EXCEPTIONS`).
        STATUS_NO_MEMORY = 0xc000_0017;
        /// `EXCEPTION_ILLEGAL_INSTRUCTION`: the CPU could not decode the
        /// instruction (or it is not supported, e.g. `ud2`).
        EXCEPTION_ILLEGAL_INSTRUCTION = 0xc000_001d;
        /// `EXCEPTION_NONCONTINUABLE_EXCEPTION`: a handler tried to continue
        /// after an exception that does not allow it.
        EXCEPTION_NONCONTINUABLE_EXCEPTION = 0xc000_0025;
        /// `EXCEPTION_INVALID_DISPOSITION`: a handler returned a value the
        /// dispatcher does not understand.
        EXCEPTION_INVALID_DISPOSITION = 0xc000_0026;
        /// `EXCEPTION_ARRAY_BOUNDS_EXCEEDED`: a hardware bounds check failed.
        EXCEPTION_ARRAY_BOUNDS_EXCEEDED = 0xc000_008c;
        /// `EXCEPTION_FLT_DENORMAL_OPERAND`: floating-point operand too small
        /// to represent normally.
        EXCEPTION_FLT_DENORMAL_OPERAND = 0xc000_008d;
        /// `EXCEPTION_FLT_DIVIDE_BY_ZERO`: floating-point division by zero.
        EXCEPTION_FLT_DIVIDE_BY_ZERO = 0xc000_008e;
        /// `EXCEPTION_FLT_INEXACT_RESULT`: floating-point result not exactly representable.
        EXCEPTION_FLT_INEXACT_RESULT = 0xc000_008f;
        /// `EXCEPTION_FLT_INVALID_OPERATION`: any other floating-point exception.
        EXCEPTION_FLT_INVALID_OPERATION = 0xc000_0090;
        /// `EXCEPTION_FLT_OVERFLOW`: floating-point exponent too large.
        EXCEPTION_FLT_OVERFLOW = 0xc000_0091;
        /// `EXCEPTION_FLT_STACK_CHECK`: x87 register stack over- or underflow.
        EXCEPTION_FLT_STACK_CHECK = 0xc000_0092;
        /// `EXCEPTION_FLT_UNDERFLOW`: floating-point exponent too small.
        EXCEPTION_FLT_UNDERFLOW = 0xc000_0093;
        /// `EXCEPTION_INT_DIVIDE_BY_ZERO`: integer division by zero.
        EXCEPTION_INT_DIVIDE_BY_ZERO = 0xc000_0094;
        /// `EXCEPTION_INT_OVERFLOW`: integer overflow (e.g. `INT_MIN / -1`).
        EXCEPTION_INT_OVERFLOW = 0xc000_0095;
        /// `EXCEPTION_PRIV_INSTRUCTION`: an instruction not allowed in user mode.
        EXCEPTION_PRIV_INSTRUCTION = 0xc000_0096;
        /// `EXCEPTION_STACK_OVERFLOW`: the thread ran out of stack.
        EXCEPTION_STACK_OVERFLOW = 0xc000_00fd;
        /// `STATUS_BAD_FUNCTION_TABLE`: unwind data was invalid during exception dispatch.
        STATUS_BAD_FUNCTION_TABLE = 0xc000_00ff;
        /// `EXCEPTION_POSSIBLE_DEADLOCK`: a critical section wait timed out.
        EXCEPTION_POSSIBLE_DEADLOCK = 0xc000_0194;
        /// `STATUS_HEAP_CORRUPTION`: the heap manager found its structures damaged.
        STATUS_HEAP_CORRUPTION = 0xc000_0374;
        /// `STATUS_STACK_BUFFER_OVERRUN`: originally a `/GS` cookie failure;
        /// today any `__fastfail`, with the reason in
        /// `exception_information[0]` (see [`fast_fail_name`]).
        STATUS_STACK_BUFFER_OVERRUN = 0xc000_0409;
        /// `STATUS_INVALID_CRUNTIME_PARAMETER`: the C runtime's default
        /// invalid-parameter handler terminated the process.
        STATUS_INVALID_CRUNTIME_PARAMETER = 0xc000_0417;
        /// `STATUS_ASSERTION_FAILURE`: a kernel-style assertion (`NT_ASSERT`) failed.
        STATUS_ASSERTION_FAILURE = 0xc000_0420;
        /// Breakpad's `MD_EXCEPTION_OUT_OF_MEMORY`: raised by Chromium's
        /// allocators when an allocation fails.
        EXCEPTION_OUT_OF_MEMORY = 0xe000_0008;
        /// A C++ `throw` by code built with MSVC (`'msc'` with the top bits
        /// set) that nothing caught.
        UNHANDLED_CPP_EXCEPTION = 0xe06d_7363;
        /// Not an exception: the code Crashpad's `DumpWithoutCrash` puts in
        /// dumps it writes on request.
        SIMULATED = 0x0517_a7ed;
    }

    named_codes! {
        /// The symbolic name of a `__fastfail` code (the first parameter of a
        /// [`STATUS_STACK_BUFFER_OVERRUN`]), if it is one of the
        /// `FAST_FAIL_*` constants in this module.
        fn fast_fail_name(u32);
        /// `FAST_FAIL_LEGACY_GS_VIOLATION`: an old-style `/GS` cookie failure.
        FAST_FAIL_LEGACY_GS_VIOLATION = 0;
        /// `FAST_FAIL_VTGUARD_CHECK_FAILURE`: a vtable guard check failed.
        FAST_FAIL_VTGUARD_CHECK_FAILURE = 1;
        /// `FAST_FAIL_STACK_COOKIE_CHECK_FAILURE`: a `/GS` stack cookie was overwritten.
        FAST_FAIL_STACK_COOKIE_CHECK_FAILURE = 2;
        /// `FAST_FAIL_CORRUPT_LIST_ENTRY`: a doubly linked list's links did not match.
        FAST_FAIL_CORRUPT_LIST_ENTRY = 3;
        /// `FAST_FAIL_INCORRECT_STACK`: the stack pointer was outside the stack.
        FAST_FAIL_INCORRECT_STACK = 4;
        /// `FAST_FAIL_INVALID_ARG`: an invalid argument (the CRT's
        /// invalid-parameter handler, among others).
        FAST_FAIL_INVALID_ARG = 5;
        /// `FAST_FAIL_GS_COOKIE_INIT`: the `/GS` cookie was not initialized.
        FAST_FAIL_GS_COOKIE_INIT = 6;
        /// `FAST_FAIL_FATAL_APP_EXIT`: `abort()` and similar deliberate exits.
        FAST_FAIL_FATAL_APP_EXIT = 7;
        /// `FAST_FAIL_RANGE_CHECK_FAILURE`: a range check failed.
        FAST_FAIL_RANGE_CHECK_FAILURE = 8;
        /// `FAST_FAIL_UNSAFE_REGISTRY_ACCESS`: a registry access that is not allowed.
        FAST_FAIL_UNSAFE_REGISTRY_ACCESS = 9;
        /// `FAST_FAIL_GUARD_ICALL_CHECK_FAILURE`: Control Flow Guard rejected
        /// an indirect call target.
        FAST_FAIL_GUARD_ICALL_CHECK_FAILURE = 10;
        /// `FAST_FAIL_GUARD_WRITE_CHECK_FAILURE`: a guarded write check failed.
        FAST_FAIL_GUARD_WRITE_CHECK_FAILURE = 11;
        /// `FAST_FAIL_INVALID_FIBER_SWITCH`: a switch to an invalid fiber.
        FAST_FAIL_INVALID_FIBER_SWITCH = 12;
        /// `FAST_FAIL_INVALID_SET_OF_CONTEXT`: an invalid thread context was set.
        FAST_FAIL_INVALID_SET_OF_CONTEXT = 13;
        /// `FAST_FAIL_INVALID_REFERENCE_COUNT`: a reference count went wrong.
        FAST_FAIL_INVALID_REFERENCE_COUNT = 14;
        /// `FAST_FAIL_INVALID_JUMP_BUFFER`: `longjmp` to an invalid buffer.
        FAST_FAIL_INVALID_JUMP_BUFFER = 18;
        /// `FAST_FAIL_MRDATA_MODIFIED`: read-only loader data was modified.
        FAST_FAIL_MRDATA_MODIFIED = 19;
        /// `FAST_FAIL_CERTIFICATION_FAILURE`: a cryptographic certification failed.
        FAST_FAIL_CERTIFICATION_FAILURE = 20;
        /// `FAST_FAIL_INVALID_EXCEPTION_CHAIN`: the SEH chain was corrupt.
        FAST_FAIL_INVALID_EXCEPTION_CHAIN = 21;
        /// `FAST_FAIL_CRYPTO_LIBRARY`: a cryptographic library failed.
        FAST_FAIL_CRYPTO_LIBRARY = 22;
        /// `FAST_FAIL_INVALID_CALL_IN_DLL_CALLOUT`: a call not allowed from a
        /// DLL notification callback.
        FAST_FAIL_INVALID_CALL_IN_DLL_CALLOUT = 23;
        /// `FAST_FAIL_INVALID_IMAGE_BASE`: an invalid image base.
        FAST_FAIL_INVALID_IMAGE_BASE = 24;
        /// `FAST_FAIL_DLOAD_PROTECTION_FAILURE`: delay-load import protection failed.
        FAST_FAIL_DLOAD_PROTECTION_FAILURE = 25;
        /// `FAST_FAIL_UNSAFE_EXTENSION_CALL`: an unsafe extension call.
        FAST_FAIL_UNSAFE_EXTENSION_CALL = 26;
        /// `FAST_FAIL_DEPRECATED_SERVICE_INVOKED`: a deprecated service was called.
        FAST_FAIL_DEPRECATED_SERVICE_INVOKED = 27;
        /// `FAST_FAIL_INVALID_BUFFER_ACCESS`: an out-of-bounds buffer access.
        FAST_FAIL_INVALID_BUFFER_ACCESS = 28;
        /// `FAST_FAIL_INVALID_BALANCED_TREE`: a red-black tree was corrupt.
        FAST_FAIL_INVALID_BALANCED_TREE = 29;
        /// `FAST_FAIL_INVALID_NEXT_THREAD`: the scheduler picked an invalid thread.
        FAST_FAIL_INVALID_NEXT_THREAD = 30;
        /// `FAST_FAIL_GUARD_ICALL_CHECK_SUPPRESSED`: a call to a suppressed
        /// Control Flow Guard target.
        FAST_FAIL_GUARD_ICALL_CHECK_SUPPRESSED = 31;
        /// `FAST_FAIL_APCS_DISABLED`: APCs were disabled when they must not be.
        FAST_FAIL_APCS_DISABLED = 32;
        /// `FAST_FAIL_INVALID_IDLE_STATE`: an invalid processor idle state.
        FAST_FAIL_INVALID_IDLE_STATE = 33;
        /// `FAST_FAIL_MRDATA_PROTECTION_FAILURE`: protecting read-only loader data failed.
        FAST_FAIL_MRDATA_PROTECTION_FAILURE = 34;
        /// `FAST_FAIL_UNEXPECTED_HEAP_EXCEPTION`: an exception inside the heap manager.
        FAST_FAIL_UNEXPECTED_HEAP_EXCEPTION = 35;
        /// `FAST_FAIL_INVALID_LOCK_STATE`: a lock in an invalid state.
        FAST_FAIL_INVALID_LOCK_STATE = 36;
        /// `FAST_FAIL_GUARD_JUMPTABLE`: Control Flow Guard rejected a jump table target.
        FAST_FAIL_GUARD_JUMPTABLE = 37;
        /// `FAST_FAIL_INVALID_LONGJUMP_TARGET`: `longjmp` to an invalid target.
        FAST_FAIL_INVALID_LONGJUMP_TARGET = 38;
        /// `FAST_FAIL_INVALID_DISPATCH_CONTEXT`: an invalid exception dispatch context.
        FAST_FAIL_INVALID_DISPATCH_CONTEXT = 39;
        /// `FAST_FAIL_INVALID_THREAD`: an invalid thread.
        FAST_FAIL_INVALID_THREAD = 40;
        /// `FAST_FAIL_INVALID_SYSCALL_NUMBER`: an invalid system call number.
        FAST_FAIL_INVALID_SYSCALL_NUMBER = 41;
        /// `FAST_FAIL_INVALID_FILE_OPERATION`: an invalid file operation.
        FAST_FAIL_INVALID_FILE_OPERATION = 42;
        /// `FAST_FAIL_LPAC_ACCESS_DENIED`: access denied to a less-privileged AppContainer.
        FAST_FAIL_LPAC_ACCESS_DENIED = 43;
        /// `FAST_FAIL_GUARD_SS_FAILURE`: a shadow stack (CET) check failed.
        FAST_FAIL_GUARD_SS_FAILURE = 44;
        /// `FAST_FAIL_LOADER_CONTINUITY_FAILURE`: loading a module violated
        /// the loader continuity policy.
        FAST_FAIL_LOADER_CONTINUITY_FAILURE = 45;
        /// `FAST_FAIL_GUARD_EXPORT_SUPPRESSION_FAILURE`: a call to a suppressed export.
        FAST_FAIL_GUARD_EXPORT_SUPPRESSION_FAILURE = 46;
        /// `FAST_FAIL_INVALID_CONTROL_STACK`: an invalid control stack.
        FAST_FAIL_INVALID_CONTROL_STACK = 47;
        /// `FAST_FAIL_SET_CONTEXT_DENIED`: setting a thread context was denied.
        FAST_FAIL_SET_CONTEXT_DENIED = 48;
        /// `FAST_FAIL_INVALID_IAT`: the import address table was invalid.
        FAST_FAIL_INVALID_IAT = 49;
        /// `FAST_FAIL_HEAP_METADATA_CORRUPTION`: heap metadata was corrupt.
        FAST_FAIL_HEAP_METADATA_CORRUPTION = 50;
        /// `FAST_FAIL_PAYLOAD_RESTRICTION_VIOLATION`: an exploit mitigation
        /// payload restriction was violated.
        FAST_FAIL_PAYLOAD_RESTRICTION_VIOLATION = 51;
        /// `FAST_FAIL_LOW_LABEL_ACCESS_DENIED`: access denied to a low-integrity label.
        FAST_FAIL_LOW_LABEL_ACCESS_DENIED = 52;
        /// `FAST_FAIL_ENCLAVE_CALL_FAILURE`: a call into an enclave failed.
        FAST_FAIL_ENCLAVE_CALL_FAILURE = 53;
        /// `FAST_FAIL_UNHANDLED_LSS_EXCEPTON` (sic): an unhandled exception in
        /// a lightweight secure session.
        FAST_FAIL_UNHANDLED_LSS_EXCEPTON = 54;
        /// `FAST_FAIL_ADMINLESS_ACCESS_DENIED`: access denied in adminless mode.
        FAST_FAIL_ADMINLESS_ACCESS_DENIED = 55;
        /// `FAST_FAIL_UNEXPECTED_CALL`: a call that should never happen.
        FAST_FAIL_UNEXPECTED_CALL = 56;
        /// `FAST_FAIL_CONTROL_INVALID_RETURN_ADDRESS`: an invalid return address.
        FAST_FAIL_CONTROL_INVALID_RETURN_ADDRESS = 57;
        /// `FAST_FAIL_UNEXPECTED_HOST_BEHAVIOR`: the host behaved unexpectedly.
        FAST_FAIL_UNEXPECTED_HOST_BEHAVIOR = 58;
        /// `FAST_FAIL_FLAGS_CORRUPTION`: flags were corrupt.
        FAST_FAIL_FLAGS_CORRUPTION = 59;
        /// `FAST_FAIL_VEH_CORRUPTION`: the vectored exception handler list was corrupt.
        FAST_FAIL_VEH_CORRUPTION = 60;
        /// `FAST_FAIL_ETW_CORRUPTION`: event tracing state was corrupt.
        FAST_FAIL_ETW_CORRUPTION = 61;
        /// `FAST_FAIL_RIO_ABORT`: registered I/O aborted.
        FAST_FAIL_RIO_ABORT = 62;
        /// `FAST_FAIL_INVALID_PFN`: an invalid page frame number.
        FAST_FAIL_INVALID_PFN = 63;
        /// `FAST_FAIL_GUARD_ICALL_CHECK_FAILURE_XFG`: eXtended Flow Guard
        /// rejected an indirect call target.
        FAST_FAIL_GUARD_ICALL_CHECK_FAILURE_XFG = 64;
        /// `FAST_FAIL_CAST_GUARD`: a cast guard check failed.
        FAST_FAIL_CAST_GUARD = 65;
        /// `FAST_FAIL_HOST_VISIBILITY_CHANGE`: host visibility changed.
        FAST_FAIL_HOST_VISIBILITY_CHANGE = 66;
        /// `FAST_FAIL_KERNEL_CET_SHADOW_STACK_ASSIST`: kernel shadow stack assist failed.
        FAST_FAIL_KERNEL_CET_SHADOW_STACK_ASSIST = 67;
        /// `FAST_FAIL_PATCH_CALLBACK_FAILED`: a hot-patch callback failed.
        FAST_FAIL_PATCH_CALLBACK_FAILED = 68;
        /// `FAST_FAIL_NTDLL_PATCH_FAILED`: hot-patching ntdll failed.
        FAST_FAIL_NTDLL_PATCH_FAILED = 69;
        /// `FAST_FAIL_INVALID_FLS_DATA`: fiber-local storage data was invalid.
        FAST_FAIL_INVALID_FLS_DATA = 70;
        /// `FAST_FAIL_INVALID_FAST_FAIL_CODE`: `__fastfail` was given a code
        /// the system does not know.
        FAST_FAIL_INVALID_FAST_FAIL_CODE = 0xffff_ffff;
    }
}

/// The kind of access in `exception_information[0]` of
/// [`windows::EXCEPTION_ACCESS_VIOLATION`] and
/// [`windows::EXCEPTION_IN_PAGE_ERROR`].
pub mod windows_access_violation {
    named_codes! {
        /// The symbolic name of an access kind, if it is one of the constants in this module.
        fn name(u32);
        /// `EXCEPTION_READ_FAULT`: the instruction read the address.
        EXCEPTION_READ_FAULT = 0;
        /// `EXCEPTION_WRITE_FAULT`: the instruction wrote the address.
        EXCEPTION_WRITE_FAULT = 1;
        /// `EXCEPTION_EXECUTE_FAULT`: the CPU tried to execute the address
        /// (a data execution prevention violation).
        EXCEPTION_EXECUTE_FAULT = 8;
    }
}

/// Linux signal numbers and `si_code` values.
///
/// Signal numbers are those of x86, ARM, AArch64, RISC-V and most other
/// architectures; MIPS, SPARC and Alpha number some signals differently.
pub mod linux {
    named_codes! {
        /// The symbolic name of a Linux `exception_code` (a signal number,
        /// or [`DUMP_REQUESTED`]), if it is one of the constants in this
        /// module.
        fn name(u32);
        /// Hangup.
        SIGHUP = 1;
        /// Interrupt from the keyboard.
        SIGINT = 2;
        /// Quit from the keyboard.
        SIGQUIT = 3;
        /// Illegal instruction; `si_code` is an `ILL_*` value.
        SIGILL = 4;
        /// Trace or breakpoint trap; `si_code` is a `TRAP_*` value.
        SIGTRAP = 5;
        /// Abort (`abort()`, failed `assert`).
        SIGABRT = 6;
        /// Bus error; `si_code` is a `BUS_*` value.
        SIGBUS = 7;
        /// Arithmetic exception; `si_code` is an `FPE_*` value.
        SIGFPE = 8;
        /// Kill (cannot be caught).
        SIGKILL = 9;
        /// User-defined signal 1.
        SIGUSR1 = 10;
        /// Invalid memory reference; `si_code` is a `SEGV_*` value.
        SIGSEGV = 11;
        /// User-defined signal 2.
        SIGUSR2 = 12;
        /// Write to a pipe nobody reads.
        SIGPIPE = 13;
        /// Timer from `alarm()`.
        SIGALRM = 14;
        /// Termination request.
        SIGTERM = 15;
        /// Coprocessor stack fault (unused).
        SIGSTKFLT = 16;
        /// A child stopped or exited.
        SIGCHLD = 17;
        /// Continue if stopped.
        SIGCONT = 18;
        /// Stop (cannot be caught).
        SIGSTOP = 19;
        /// Stop from the terminal.
        SIGTSTP = 20;
        /// Terminal read from a background process.
        SIGTTIN = 21;
        /// Terminal write from a background process.
        SIGTTOU = 22;
        /// Urgent data on a socket.
        SIGURG = 23;
        /// CPU time limit exceeded.
        SIGXCPU = 24;
        /// File size limit exceeded.
        SIGXFSZ = 25;
        /// Virtual timer expired.
        SIGVTALRM = 26;
        /// Profiling timer expired.
        SIGPROF = 27;
        /// Terminal window size changed.
        SIGWINCH = 28;
        /// I/O now possible.
        SIGIO = 29;
        /// Power failure.
        SIGPWR = 30;
        /// Bad system call (also seccomp's trap); `si_code` is a `SYS_*` value.
        SIGSYS = 31;
        /// Breakpad's `MD_EXCEPTION_CODE_LIN_DUMP_REQUESTED`: no signal; the
        /// application asked for a dump.
        DUMP_REQUESTED = 0xffff_ffff;
    }

    named_codes! {
        /// The symbolic name of a signal-independent `si_code` (zero or
        /// negative, or [`SI_KERNEL`]), if it is one of these constants.
        fn si_name(i32);
        /// Sent by `kill()` or `raise()`.
        SI_USER = 0;
        /// Sent by the kernel.
        SI_KERNEL = 0x80;
        /// Sent by `sigqueue()`.
        SI_QUEUE = -1;
        /// A POSIX timer expired.
        SI_TIMER = -2;
        /// A POSIX message queue changed state.
        SI_MESGQ = -3;
        /// Asynchronous I/O completed.
        SI_ASYNCIO = -4;
        /// Queued `SIGIO`.
        SI_SIGIO = -5;
        /// Sent by `tkill()` or `tgkill()` (e.g. `abort()` in glibc).
        SI_TKILL = -6;
        /// Sent by `execve()` killing the other threads.
        SI_DETHREAD = -7;
        /// Asynchronous name lookup completed.
        SI_ASYNCNL = -60;
    }

    named_codes! {
        /// The symbolic name of a `SIGILL` `si_code`.
        fn ill_name(i32);
        /// Illegal opcode.
        ILL_ILLOPC = 1;
        /// Illegal operand.
        ILL_ILLOPN = 2;
        /// Illegal addressing mode.
        ILL_ILLADR = 3;
        /// Illegal trap.
        ILL_ILLTRP = 4;
        /// Privileged opcode.
        ILL_PRVOPC = 5;
        /// Privileged register.
        ILL_PRVREG = 6;
        /// Coprocessor error.
        ILL_COPROC = 7;
        /// Internal stack error.
        ILL_BADSTK = 8;
        /// Unimplemented instruction address.
        ILL_BADIADDR = 9;
    }

    named_codes! {
        /// The symbolic name of a `SIGFPE` `si_code`.
        fn fpe_name(i32);
        /// Integer divide by zero.
        FPE_INTDIV = 1;
        /// Integer overflow.
        FPE_INTOVF = 2;
        /// Floating-point divide by zero.
        FPE_FLTDIV = 3;
        /// Floating-point overflow.
        FPE_FLTOVF = 4;
        /// Floating-point underflow.
        FPE_FLTUND = 5;
        /// Floating-point inexact result.
        FPE_FLTRES = 6;
        /// Floating-point invalid operation.
        FPE_FLTINV = 7;
        /// Subscript out of range.
        FPE_FLTSUB = 8;
        /// Undiagnosed floating-point exception.
        FPE_FLTUNK = 14;
        /// Trapped conditional.
        FPE_CONDTRAP = 15;
    }

    named_codes! {
        /// The symbolic name of a `SIGSEGV` `si_code`.
        fn segv_name(i32);
        /// Address not mapped.
        SEGV_MAPERR = 1;
        /// Mapped, but the access is not permitted.
        SEGV_ACCERR = 2;
        /// Failed address bound checks (Intel MPX).
        SEGV_BNDERR = 3;
        /// Denied by memory protection keys.
        SEGV_PKUERR = 4;
        /// ADI not enabled for the mapping (SPARC).
        SEGV_ACCADI = 5;
        /// Disrupting ADI error (SPARC).
        SEGV_ADIDERR = 6;
        /// Precise ADI exception (SPARC).
        SEGV_ADIPERR = 7;
        /// Asynchronous memory tagging fault (ARM MTE).
        SEGV_MTEAERR = 8;
        /// Synchronous memory tagging fault (ARM MTE).
        SEGV_MTESERR = 9;
        /// Control protection (shadow stack) fault.
        SEGV_CPERR = 10;
    }

    named_codes! {
        /// The symbolic name of a `SIGBUS` `si_code`.
        fn bus_name(i32);
        /// Invalid address alignment.
        BUS_ADRALN = 1;
        /// Nonexistent physical address (e.g. past the end of a mapped file).
        BUS_ADRERR = 2;
        /// Object-specific hardware error.
        BUS_OBJERR = 3;
        /// Hardware memory error consumed on a machine check.
        BUS_MCEERR_AR = 4;
        /// Hardware memory error detected but not consumed.
        BUS_MCEERR_AO = 5;
    }

    named_codes! {
        /// The symbolic name of a `SIGTRAP` `si_code`.
        fn trap_name(i32);
        /// Breakpoint.
        TRAP_BRKPT = 1;
        /// Trace (single step).
        TRAP_TRACE = 2;
        /// Taken branch trap.
        TRAP_BRANCH = 3;
        /// Hardware breakpoint or watchpoint.
        TRAP_HWBKPT = 4;
        /// Undiagnosed trap.
        TRAP_UNK = 5;
        /// Perf event with `sigtrap` set.
        TRAP_PERF = 6;
    }

    named_codes! {
        /// The symbolic name of a `SIGSYS` `si_code`.
        fn sys_name(i32);
        /// A seccomp filter trapped the system call.
        SYS_SECCOMP = 1;
        /// Syscall user dispatch intercepted the system call.
        SYS_USER_DISPATCH = 2;
    }

    /// The symbolic name of `code` (an `exception_flags` value, which holds
    /// the `si_code` as a 32-bit signed integer) given the signal it came
    /// with.
    pub fn si_code_name(signal: u32, code: u32) -> Option<&'static str> {
        let code = code as i32;
        if code <= 0 || code == SI_KERNEL {
            return si_name(code);
        }
        match signal {
            SIGILL => ill_name(code),
            SIGFPE => fpe_name(code),
            SIGSEGV => segv_name(code),
            SIGBUS => bus_name(code),
            SIGTRAP => trap_name(code),
            SIGSYS => sys_name(code),
            _ => None,
        }
    }
}

/// Mach exception types and codes (macOS, iOS).
pub mod mac {
    named_codes! {
        /// The symbolic name of a Mach exception type (`exception_code`), if
        /// it is one of the constants in this module.
        fn name(u32);
        /// Invalid memory access; the code is a `KERN_*` value or a CPU-specific one.
        EXC_BAD_ACCESS = 1;
        /// Invalid or undefined instruction; the code is CPU-specific.
        EXC_BAD_INSTRUCTION = 2;
        /// Arithmetic exception; the code is CPU-specific.
        EXC_ARITHMETIC = 3;
        /// Emulation instruction; the code is CPU-specific.
        EXC_EMULATION = 4;
        /// Software-generated exception; see [`software_name`].
        EXC_SOFTWARE = 5;
        /// Trace or breakpoint; the code is CPU-specific.
        EXC_BREAKPOINT = 6;
        /// System call.
        EXC_SYSCALL = 7;
        /// Mach system call.
        EXC_MACH_SYSCALL = 8;
        /// RPC alert.
        EXC_RPC_ALERT = 9;
        /// Abnormal process exit.
        EXC_CRASH = 10;
        /// A resource limit was hit.
        EXC_RESOURCE = 11;
        /// A guarded resource was misused.
        EXC_GUARD = 12;
        /// A corpse (a crashed process kept for reporting) was created.
        EXC_CORPSE_NOTIFY = 13;
        /// Breakpad's `MD_EXCEPTION_MAC_SIMULATED`: not an exception; the
        /// code (`'CPsx'`) Crashpad's `SimulateCrash` uses.
        SIMULATED = 0x4350_7378;
        /// Breakpad's `MD_NS_EXCEPTION_SIMULATED`: not a Mach exception; the
        /// code (`'CPnx'`) Crashpad uses for an uncaught `NSException`.
        NS_EXCEPTION_SIMULATED = 0x4350_6e78;
    }

    named_codes! {
        /// The symbolic name of an [`EXC_BAD_ACCESS`] code that is a `kern_return_t`.
        fn kern_name(u32);
        /// No memory is mapped at the address.
        KERN_INVALID_ADDRESS = 1;
        /// The access is not allowed by the memory's protection.
        KERN_PROTECTION_FAILURE = 2;
        /// Access to the memory is forbidden.
        KERN_NO_ACCESS = 8;
        /// The memory object could not supply the data.
        KERN_MEMORY_FAILURE = 9;
        /// The memory object returned an error.
        KERN_MEMORY_ERROR = 10;
        /// A page failed code-signing validation.
        KERN_CODESIGN_ERROR = 50;
    }

    named_codes! {
        /// The symbolic name of an [`EXC_SOFTWARE`] code.
        fn software_name(u32);
        /// Unix `SIGSYS`.
        EXC_UNIX_BAD_SYSCALL = 0x0001_0000;
        /// Unix `SIGPIPE`.
        EXC_UNIX_BAD_PIPE = 0x0001_0001;
        /// Unix `SIGABRT`.
        EXC_UNIX_ABORT = 0x0001_0002;
        /// A Unix signal converted to a Mach exception; the signal number is in the next code.
        EXC_SOFT_SIGNAL = 0x0001_0003;
        /// Breakpad's `MD_EXCEPTION_CODE_MAC_NS_EXCEPTION`: an uncaught `NSException`.
        NS_EXCEPTION = 0xdead_c0de;
    }

    named_codes! {
        /// The symbolic name of an ARM [`EXC_BAD_ACCESS`] code that is not a `KERN_*` value.
        fn arm_bad_access_name(u32);
        /// Alignment fault.
        EXC_ARM_DA_ALIGN = 0x101;
        /// Debug (watchpoint) fault.
        EXC_ARM_DA_DEBUG = 0x102;
        /// Stack pointer alignment fault.
        EXC_ARM_SP_ALIGN = 0x103;
        /// `SWP` instruction.
        EXC_ARM_SWP = 0x104;
        /// Pointer authentication failure.
        EXC_ARM_PAC_FAIL = 0x105;
    }

    named_codes! {
        /// The symbolic name of an ARM [`EXC_BAD_INSTRUCTION`] code.
        fn arm_bad_instruction_name(u32);
        /// Undefined instruction.
        EXC_ARM_UNDEFINED = 1;
    }

    named_codes! {
        /// The symbolic name of an ARM [`EXC_BREAKPOINT`] code.
        fn arm_breakpoint_name(u32);
        /// Breakpoint instruction (`brk`, also used by Swift traps).
        EXC_ARM_BREAKPOINT = 1;
    }

    named_codes! {
        /// The symbolic name of an x86 [`EXC_BAD_INSTRUCTION`] code.
        fn x86_bad_instruction_name(u32);
        /// Invalid opcode (`ud2`).
        EXC_I386_INVOP = 1;
        /// Invalid task state segment.
        EXC_I386_INVTSSFLT = 10;
        /// Segment not present.
        EXC_I386_SEGNPFLT = 11;
        /// Stack segment fault.
        EXC_I386_STKFLT = 12;
        /// General protection fault (also seen with [`EXC_BAD_ACCESS`], e.g.
        /// for non-canonical addresses).
        EXC_I386_GPFLT = 13;
        /// Alignment fault (vector operations).
        EXC_I386_ALIGNFLT = 17;
    }

    named_codes! {
        /// The symbolic name of an x86 [`EXC_ARITHMETIC`] code.
        fn x86_arithmetic_name(u32);
        /// Integer divide error.
        EXC_I386_DIV = 1;
        /// `into` overflow.
        EXC_I386_INTO = 2;
        /// No x87 unit.
        EXC_I386_NOEXT = 3;
        /// x87 segment overrun.
        EXC_I386_EXTOVR = 4;
        /// x87 floating-point error.
        EXC_I386_EXTERR = 5;
        /// Emulated x87 error.
        EXC_I386_EMERR = 6;
        /// `bound` range exceeded.
        EXC_I386_BOUND = 7;
        /// SSE floating-point error.
        EXC_I386_SSEEXTERR = 8;
    }

    named_codes! {
        /// The symbolic name of an x86 [`EXC_BREAKPOINT`] code.
        fn x86_breakpoint_name(u32);
        /// Single step.
        EXC_I386_SGL = 1;
        /// Breakpoint instruction (`int3`).
        EXC_I386_BPT = 2;
    }

    /// The symbolic name of the code (`exception_flags`) of an x86 or x86-64
    /// exception of type `exception`.
    pub fn x86_code_name(exception: u32, code: u32) -> Option<&'static str> {
        match exception {
            EXC_BAD_ACCESS if code == EXC_I386_GPFLT => Some("EXC_I386_GPFLT"),
            EXC_BAD_ACCESS => kern_name(code),
            EXC_BAD_INSTRUCTION => x86_bad_instruction_name(code),
            EXC_ARITHMETIC => x86_arithmetic_name(code),
            EXC_BREAKPOINT => x86_breakpoint_name(code),
            EXC_SOFTWARE => software_name(code),
            _ => None,
        }
    }

    /// The symbolic name of the code (`exception_flags`) of an ARM or ARM64
    /// exception of type `exception`.
    pub fn arm_code_name(exception: u32, code: u32) -> Option<&'static str> {
        match exception {
            EXC_BAD_ACCESS => kern_name(code).or_else(|| arm_bad_access_name(code)),
            EXC_BAD_INSTRUCTION => arm_bad_instruction_name(code),
            EXC_BREAKPOINT => arm_breakpoint_name(code),
            EXC_SOFTWARE => software_name(code),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn windows_names() {
        assert_eq!(windows::name(0xc000_0005), Some("EXCEPTION_ACCESS_VIOLATION"));
        assert_eq!(windows::name(windows::EXCEPTION_BREAKPOINT), Some("EXCEPTION_BREAKPOINT"));
        assert_eq!(windows::name(0xc000_0409), Some("STATUS_STACK_BUFFER_OVERRUN"));
        assert_eq!(windows::name(0xc000_0374), Some("STATUS_HEAP_CORRUPTION"));
        assert_eq!(windows::name(0xe06d_7363), Some("UNHANDLED_CPP_EXCEPTION"));
        assert_eq!(windows::name(0x1234_5678), None);
        assert_eq!(windows::EXCEPTION_STACK_OVERFLOW, 0xc000_00fd);
    }

    #[test]
    fn fast_fail_names() {
        use windows::fast_fail_name;
        assert_eq!(fast_fail_name(0), Some("FAST_FAIL_LEGACY_GS_VIOLATION"));
        assert_eq!(fast_fail_name(7), Some("FAST_FAIL_FATAL_APP_EXIT"));
        assert_eq!(fast_fail_name(14), Some("FAST_FAIL_INVALID_REFERENCE_COUNT"));
        // 15 to 17 are not assigned.
        assert_eq!(fast_fail_name(15), None);
        assert_eq!(fast_fail_name(17), None);
        assert_eq!(fast_fail_name(18), Some("FAST_FAIL_INVALID_JUMP_BUFFER"));
        assert_eq!(fast_fail_name(70), Some("FAST_FAIL_INVALID_FLS_DATA"));
        assert_eq!(fast_fail_name(71), None);
        assert_eq!(fast_fail_name(u32::MAX), Some("FAST_FAIL_INVALID_FAST_FAIL_CODE"));
    }

    #[test]
    fn access_violation_kinds() {
        use windows_access_violation::name;
        assert_eq!(name(0), Some("EXCEPTION_READ_FAULT"));
        assert_eq!(name(1), Some("EXCEPTION_WRITE_FAULT"));
        assert_eq!(name(8), Some("EXCEPTION_EXECUTE_FAULT"));
        assert_eq!(name(2), None);
    }

    #[test]
    fn linux_signal_names() {
        assert_eq!(linux::name(11), Some("SIGSEGV"));
        assert_eq!(linux::name(1), Some("SIGHUP"));
        assert_eq!(linux::name(31), Some("SIGSYS"));
        assert_eq!(linux::name(u32::MAX), Some("DUMP_REQUESTED"));
        assert_eq!(linux::name(0), None);
        assert_eq!(linux::name(32), None);
    }

    #[test]
    fn linux_si_code_names() {
        use linux::*;
        assert_eq!(si_code_name(SIGSEGV, 1), Some("SEGV_MAPERR"));
        assert_eq!(si_code_name(SIGSEGV, 2), Some("SEGV_ACCERR"));
        assert_eq!(si_code_name(SIGBUS, 1), Some("BUS_ADRALN"));
        assert_eq!(si_code_name(SIGFPE, 1), Some("FPE_INTDIV"));
        assert_eq!(si_code_name(SIGILL, 1), Some("ILL_ILLOPC"));
        assert_eq!(si_code_name(SIGTRAP, 1), Some("TRAP_BRKPT"));
        assert_eq!(si_code_name(SIGSYS, 1), Some("SYS_SECCOMP"));
        assert_eq!(si_code_name(SIGSEGV, 0x80), Some("SI_KERNEL"));
        assert_eq!(si_code_name(SIGABRT, 0), Some("SI_USER"));
        assert_eq!(si_code_name(SIGABRT, (-6i32) as u32), Some("SI_TKILL"));
        assert_eq!(si_code_name(SIGUSR1, u32::MAX), Some("SI_QUEUE"));
        assert_eq!(si_code_name(SIGABRT, 1), None);
        assert_eq!(si_code_name(SIGSEGV, 11), None);
    }

    #[test]
    fn mac_names() {
        assert_eq!(mac::name(1), Some("EXC_BAD_ACCESS"));
        assert_eq!(mac::name(13), Some("EXC_CORPSE_NOTIFY"));
        assert_eq!(mac::name(0x4350_7378), Some("SIMULATED"));
        assert_eq!(mac::name(14), None);
        assert_eq!(mac::kern_name(50), Some("KERN_CODESIGN_ERROR"));
        assert_eq!(mac::software_name(0x0001_0002), Some("EXC_UNIX_ABORT"));
        assert_eq!(mac::software_name(0xdead_c0de), Some("NS_EXCEPTION"));
    }

    #[test]
    fn mac_code_names_depend_on_cpu_and_type() {
        use mac::*;
        assert_eq!(x86_code_name(EXC_BAD_ACCESS, 1), Some("KERN_INVALID_ADDRESS"));
        assert_eq!(x86_code_name(EXC_BAD_ACCESS, 13), Some("EXC_I386_GPFLT"));
        assert_eq!(x86_code_name(EXC_BAD_INSTRUCTION, 1), Some("EXC_I386_INVOP"));
        assert_eq!(x86_code_name(EXC_ARITHMETIC, 1), Some("EXC_I386_DIV"));
        assert_eq!(x86_code_name(EXC_BREAKPOINT, 2), Some("EXC_I386_BPT"));
        assert_eq!(x86_code_name(EXC_SYSCALL, 1), None);
        assert_eq!(arm_code_name(EXC_BAD_ACCESS, 2), Some("KERN_PROTECTION_FAILURE"));
        assert_eq!(arm_code_name(EXC_BAD_ACCESS, 0x101), Some("EXC_ARM_DA_ALIGN"));
        assert_eq!(arm_code_name(EXC_BAD_INSTRUCTION, 1), Some("EXC_ARM_UNDEFINED"));
        assert_eq!(arm_code_name(EXC_BREAKPOINT, 1), Some("EXC_ARM_BREAKPOINT"));
        assert_eq!(arm_code_name(EXC_SOFTWARE, 0x0001_0003), Some("EXC_SOFT_SIGNAL"));
        assert_eq!(arm_code_name(EXC_ARITHMETIC, 1), None);
    }
}
