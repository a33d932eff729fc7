//! Reading a dump into a [`DumpModel`].

/// The memory of an existing dump as a [`crate::MemorySource`].
#[derive(Debug)]
pub struct DumpMemory;
