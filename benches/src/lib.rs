//! Benchmarks live in benches/; this library holds inputs they share.

pub mod stackwalk_inputs;
pub mod sym_gen;
