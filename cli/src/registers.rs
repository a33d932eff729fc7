//! CPU contexts in the dump model.

use crate::model::hex;
use mdump_reader::Context;
use serde_json::{Map, Value};

/// A context as `{"cpu": ..., "flags": ..., "registers": {name: value}}`.
pub(crate) fn context_json(c: &Context) -> Value {
    let mut regs = Map::new();
    for (name, value) in c.registers() {
        regs.insert(name.to_string(), hex(value));
    }
    let mut v = Map::new();
    v.insert("cpu".into(), Value::String(format!("{:?}", c.kind()).to_lowercase()));
    v.insert("context_flags".into(), hex(c.flags()));
    v.insert("registers".into(), Value::Object(regs));
    Value::Object(v)
}
