//! Benchmarks live in benches/; this library holds inputs they share.

pub mod sym_gen;
