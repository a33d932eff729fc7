//! The library behind the `mdump` command: its output formats, callable from
//! tests and fuzz targets without spawning the binary.
#![deny(unsafe_code)]

pub mod breakpad;
pub mod capture;
mod crash_reason;
pub mod dump_human;
pub mod dump_json;
mod model;
mod model_extra;
mod registers;
pub mod rewrite;
pub mod stackwalk;
mod stackwalk_json;
pub mod syms;
