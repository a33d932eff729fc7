//! The library behind the `mdump` command: its output formats, callable from
//! tests and fuzz targets without spawning the binary.
#![deny(unsafe_code)]

pub mod breakpad;
pub mod dump_human;
pub mod dump_json;
