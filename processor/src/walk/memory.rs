//! The memory a walker reads: the thread's stack only, as Breakpad's
//! walkers read it, one word at a time.

use super::arch::Cpu;
use mdump_reader::MemoryRegion;

/// A thread's captured stack, read in words of the CPU's size.
#[derive(Clone, Copy, Debug)]
pub struct Stack<'d> {
    region: Option<MemoryRegion<'d>>,
    word: u64,
}

impl<'d> Stack<'d> {
    /// The stack `region` of a thread of `cpu`. A 32-bit CPU's stack that
    /// reaches past 4 GiB is not used at all (Breakpad refuses to walk it).
    pub fn new(cpu: &Cpu, region: Option<MemoryRegion<'d>>) -> Stack<'d> {
        let region = region.filter(|r| cpu.word >= 8 || r.end().saturating_sub(1) <= u64::from(u32::MAX));
        Stack { region, word: cpu.word }
    }

    /// Whether there is a stack to read.
    pub fn exists(&self) -> bool {
        self.region.is_some()
    }

    /// The word at `address`, if all of it was captured.
    pub fn word(&self, address: u64) -> Option<u64> {
        let region = self.region.as_ref()?;
        if self.word == 4 {
            region.read_u32(address).map(u64::from)
        } else {
            region.read_u64(address)
        }
    }

    /// Whether the word at `address` was captured.
    pub fn readable(&self, address: u64) -> bool {
        self.word(address).is_some()
    }
}
