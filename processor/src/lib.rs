//! Minidump processing: from a dump to the state of the crashed process and
//! Breakpad's reports of it.
//!
//! [`ProcessState::from_dump`] reads a [`mdump_reader::Minidump`] into a
//! plain data model: OS and CPU lines, the crash reason and address exactly
//! as Breakpad computes them, the loaded modules ordered by base address,
//! and one [`CallStack`] per thread whose frame 0 comes from the thread's
//! CPU context (the exception's context for the crashed thread). Callers
//! beyond frame 0 come from a [`StackWalker`]: [`BreakpadWalker`] recovers
//! them as Breakpad does (CFI, `STACK WIN`, frame pointers, scanning) with
//! the symbols of any [`SymbolProvider`]; [`ContextOnly`] recovers none.
//!
//! [`print_breakpad`] and [`print_breakpad_machine`] write the state the way
//! Breakpad's `minidump_stackwalk` and `minidump_stackwalk -m` do;
//! [`to_json`] and [`print_json`] give it in the JSON schema of
//! rust-minidump's `minidump-stackwalk --json`.
//!
//! ```no_run
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! use mdump_processor::{BreakpadWalker, ProcessState, SymbolFiles};
//!
//! let file = mdump_reader::MinidumpFile::open("crash.dmp")?;
//! let dump = file.minidump()?;
//! // Symbol files in Breakpad's layout: symbols/DEBUG_FILE/DEBUG_ID/NAME.sym
//! let walker = BreakpadWalker::new(SymbolFiles::from_dirs(["symbols"])?);
//! let state = ProcessState::from_dump(&dump, &walker)?;
//! println!("{} at {:#x}", state.crash_reason, state.crash_address);
//! mdump_processor::print_breakpad(&state, &mut std::io::stdout())?;
//! # Ok(()) }
//! ```
#![forbid(unsafe_code)]
#![deny(missing_docs)]

pub mod analysis;
pub mod breakpad_machine;
pub mod breakpad_text;
pub mod code_module;
pub mod crash_reason;
pub mod frame;
pub mod json;
pub mod process_state;
pub mod registers;
pub mod system;
pub mod walk;
pub mod walker;

pub use breakpad_machine::print_breakpad_machine;
pub use breakpad_text::print_breakpad;
pub use code_module::{CodeModule, SymbolStatus, UnloadedCodeModule};
pub use frame::{FrameTrust, StackFrame};
pub use json::{print_json, to_json, WALK_NOTE_KEY};
pub use process_state::{CallStack, ExceptionRecord, Exploitability, ProcessError, ProcessState, SkippedThread};
pub use registers::{Arch, Registers};
pub use system::{LsbRelease, SystemInfo};
pub use walk::{
    BreakpadWalker, FunctionInfo, LineInfo, NoSymbols, SymbolFiles, SymbolProvider, WinFrameInfo, WinFrameKind,
};
pub use walker::{cpu_name, walk, ContextOnly, StackWalker, Walk, WalkContext, MAX_FRAMES};
