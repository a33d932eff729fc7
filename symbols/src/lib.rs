//! mdump-symbols: arrives with a later issue; the crate exists so the workspace has its final shape.

pub mod store;
