//! The `crash_info` keys of the crashing instruction's analysis, as
//! rust-minidump prints them; one builder for both JSON writers.

use crate::analysis::{AdjustedAddress, CrashAnalysis};
use serde_json::{json, Map, Value};

/// rust-minidump prints these addresses with 16 digits whatever the CPU
/// (only 64-bit CPUs get any).
fn hex(value: u64) -> Value {
    Value::String(format!("{value:#018x}"))
}

/// `(key, value)` of each analysis key of `crash_info`, keys sorted
/// within each value.
pub(super) fn analysis_entries(analysis: &CrashAnalysis) -> [(&'static str, Value); 5] {
    let adjusted = match analysis.adjusted_address {
        Some(AdjustedAddress::NullPointer { offset }) => json!({ "kind": "null-pointer", "offset": hex(offset) }),
        Some(AdjustedAddress::NonCanonical { address }) => json!({ "address": hex(address), "kind": "non-canonical" }),
        None => Value::Null,
    };
    let accesses = analysis.memory_accesses.as_ref().map_or(Value::Null, |accesses| {
        accesses
            .iter()
            .map(|a| {
                // Optional keys only when they say something, as
                // rust-minidump adds them.
                let mut map = Map::new();
                if let Some(kind) = a.access_type {
                    map.insert("access_type".into(), json!(kind.json_name()));
                }
                map.insert("address".into(), hex(a.address));
                if a.likely_guard_page {
                    map.insert("is_likely_guard_page".into(), json!(true));
                }
                map.insert("size".into(), json!(a.size));
                Value::Object(map)
            })
            .collect()
    });
    let flips = if analysis.possible_bit_flips.is_empty() {
        Value::Null
    } else {
        analysis
            .possible_bit_flips
            .iter()
            .map(|f| {
                let d = &f.details;
                json!({
                    "address": hex(f.address),
                    // As serde_json prints an `f32`.
                    "confidence": Value::from(d.confidence()),
                    "details": {
                        "is_null": d.is_null,
                        "nearby_registers": d.nearby_registers,
                        "poison_registers": d.poison_registers,
                        "was_low": d.was_low,
                        "was_non_canonical": d.was_non_canonical,
                    },
                    "source_register": f.source_register,
                })
            })
            .collect()
    };
    let ip_update = analysis.instruction_pointer_update.map_or(Value::Null, |a| json!({ "address": hex(a) }));
    [
        ("adjusted_address", adjusted),
        ("instruction", json!(analysis.instruction)),
        ("instruction_pointer_update", ip_update),
        ("memory_accesses", accesses),
        ("possible_bit_flips", flips),
    ]
}
