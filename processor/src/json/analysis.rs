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
/// within each value (for a dump with an exception; without one, all are
/// `null`).
pub(super) fn analysis_entries(analysis: &CrashAnalysis) -> [(&'static str, Value); 6] {
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
        ("crash_inconsistencies", analysis.inconsistencies.iter().map(|i| json!(i.json_name())).collect()),
        ("instruction", json!(analysis.instruction)),
        ("instruction_pointer_update", ip_update),
        ("memory_accesses", accesses),
        ("possible_bit_flips", flips),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::{AccessType, BitFlip, BitFlipDetails, MemoryAccess};

    #[test]
    fn keys_as_rust_minidump_prints_them() {
        use crate::analysis::Inconsistency;
        let access = |access_type, likely_guard_page| MemoryAccess {
            address: 0x45,
            size: Some(4),
            access_type,
            likely_guard_page,
            likely_null_pointer: false,
        };
        let analysis = CrashAnalysis {
            instruction: Some("ret".into()),
            memory_accesses: Some(vec![access(Some(AccessType::ReadWrite), false), access(None, true)]),
            instruction_pointer_update: Some(0x10),
            adjusted_address: Some(AdjustedAddress::NonCanonical { address: 0x8000_0000_0000 }),
            possible_bit_flips: vec![BitFlip {
                address: 0,
                source_register: Some("rbx"),
                details: BitFlipDetails { is_null: true, ..BitFlipDetails::default() },
            }],
            inconsistencies: vec![
                Inconsistency::CrashingAccessNotFoundInMemoryAccesses,
                Inconsistency::AccessViolationWhenAccessAllowed,
            ],
            ..CrashAnalysis::default()
        };
        let text: Vec<String> = analysis_entries(&analysis)
            .iter()
            .map(|(k, v)| format!("{k}={}", serde_json::to_string(v).unwrap()))
            .collect();
        assert_eq!(
            text,
            [
                r#"adjusted_address={"address":"0x0000800000000000","kind":"non-canonical"}"#,
                r#"crash_inconsistencies=["crashing_access_not_found_in_memory_accesses","access_violation_when_access_allowed"]"#,
                r#"instruction="ret""#,
                r#"instruction_pointer_update={"address":"0x0000000000000010"}"#,
                r#"memory_accesses=[{"access_type":"readwrite","address":"0x0000000000000045","size":4},{"address":"0x0000000000000045","is_likely_guard_page":true,"size":4}]"#,
                r#"possible_bit_flips=[{"address":"0x0000000000000000","confidence":0.625,"details":{"is_null":true,"nearby_registers":0,"poison_registers":false,"was_low":false,"was_non_canonical":false},"source_register":"rbx"}]"#,
            ]
        );
        let empty: Vec<String> =
            analysis_entries(&CrashAnalysis::default()).iter().map(|(_, v)| v.to_string()).collect();
        assert_eq!(empty, ["null", "[]", "null", "null", "null", "null"]);
    }
}
