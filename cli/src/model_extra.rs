//! The less common streams in the dump model.

use mdump_reader::Minidump;
use serde_json::{Map, Value};

/// Adds the less common streams of `dump` to `streams`.
pub(crate) fn add(dump: &Minidump, streams: &mut Map<String, Value>) {
    let _ = (dump, streams);
}
