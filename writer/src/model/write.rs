//! Writing a [`DumpModel`].

use super::DumpModel;
use crate::source::MemorySource;

pub(super) fn write<W: std::io::Write + std::io::Seek>(
    model: &DumpModel,
    out: W,
    memory: &mut dyn MemorySource,
) -> crate::Result<W> {
    let _ = (model, memory);
    Ok(out)
}
