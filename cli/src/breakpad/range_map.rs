//! The address-range map Breakpad checks module, memory and memory-info lists
//! against: storing a range that overlaps a stored one fails, or, for modules
//! of Linux and Android dumps, truncates the range with the lower base.

use std::collections::BTreeMap;

/// What to do with a range that overlaps a stored one.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Merge {
    /// Refuse it.
    Exclusive,
    /// Shorten whichever of the two starts lower so that it ends just before
    /// the other; refuse when both start at the same address.
    TruncateLower,
}

/// A stored range.
#[derive(Clone, Copy)]
struct Range {
    base: u64,
    entry: usize,
}

/// Ranges keyed by their last address.
pub struct RangeMap {
    map: BTreeMap<u64, Range>,
    merge: Merge,
}

impl RangeMap {
    pub fn new(merge: Merge) -> RangeMap {
        RangeMap { map: BTreeMap::new(), merge }
    }

    /// Stores `[base, base + size)` for `entry`; false when the range is
    /// empty, wraps around, or overlaps in a way the merge rule refuses.
    pub fn store(&mut self, base: u64, size: u64, entry: usize) -> bool {
        let mut size = size;
        loop {
            let Some(high) = size.checked_sub(1).and_then(|s| base.checked_add(s)) else {
                return false;
            };
            // A stored range ending inside [base, high), or the one ending at
            // or after `high`, if it starts at or before `high`.
            let inside = self.map.range(base..high).next().map(|(&k, &r)| (k, r));
            let above = self.map.range(high..).next().map(|(&k, &r)| (k, r)).filter(|(_, r)| r.base <= high);
            let Some((other_high, other)) = inside.or(above) else {
                self.map.insert(high, Range { base, entry });
                return true;
            };
            if self.merge == Merge::Exclusive {
                return false;
            }
            if base < other.base {
                size = other.base - base;
            } else if other.base < base {
                self.map.remove(&other_high);
                self.map.insert(base - 1, other);
            } else {
                return false;
            }
        }
    }

    /// The entry whose range holds `address`.
    pub fn retrieve(&self, address: u64) -> Option<usize> {
        let (_, range) = self.map.range(address..).next()?;
        (address >= range.base).then_some(range.entry)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exclusive_refuses_overlaps() {
        let mut m = RangeMap::new(Merge::Exclusive);
        assert!(m.store(0x1000, 0x100, 0));
        assert!(!m.store(0x10ff, 0x10, 1));
        assert!(!m.store(0x0f00, 0x101, 1));
        assert!(m.store(0x1100, 0x10, 1));
        assert!(!m.store(0x2000, 0, 2));
        assert!(!m.store(u64::MAX, 2, 2));
        assert_eq!(m.retrieve(0x10ff), Some(0));
        assert_eq!(m.retrieve(0x1100), Some(1));
        assert_eq!(m.retrieve(0x0fff), None);
    }

    #[test]
    fn truncate_lower_shortens_the_lower_range() {
        let mut m = RangeMap::new(Merge::TruncateLower);
        assert!(m.store(0x1000, 0x1000, 0));
        // Starts inside the first: the first now ends at 0x17ff.
        assert!(m.store(0x1800, 0x1000, 1));
        assert_eq!(m.retrieve(0x17ff), Some(0));
        assert_eq!(m.retrieve(0x1800), Some(1));
        // Starts below the first: it is cut to end at 0x0fff.
        assert!(m.store(0x0800, 0x1000, 2));
        assert_eq!(m.retrieve(0x0fff), Some(2));
        assert_eq!(m.retrieve(0x1000), Some(0));
        // Same base: refused.
        assert!(!m.store(0x1800, 0x10, 3));
    }
}
