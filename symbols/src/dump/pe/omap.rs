//! OMAP: the address translation of a PDB whose image was rewritten after
//! linking (basic blocks or functions reordered, code injected or removed).
//!
//! The PDB describes the original image; the two OMAP tables map original
//! addresses to the rewritten ("transformed") image and back, each entry
//! covering up to the next one. Breakpad's `dump_syms` does not trust DIA's
//! own translation (it moves start addresses but keeps lengths) and instead
//! merges both tables into ranges with what was injected after and removed
//! after each, then maps every original range to the transformed ranges it
//! landed in, merging neighbours. This module follows that model so the
//! split `FUNC`, line and `STACK WIN` records come out as Breakpad's do.

use std::cell::Cell;
use std::cmp::Reverse;
use std::collections::{BTreeMap, BinaryHeap};

/// At most this many range clippings over a whole dump: a hostile PDB with
/// huge overlapping OMAP ranges cannot make the mapping quadratic in time
/// or its output in memory (real PDBs need a few per record).
const WORK_BUDGET: u64 = 20_000_000;

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
struct Mapped {
    original: u32,
    transformed: u32,
    length: u32,
    /// Bytes injected in the transformed image right after this range.
    injected: u32,
    /// Bytes of the original image removed right after this range.
    removed: u32,
}

/// Original-to-transformed address ranges; empty for a PDB without OMAP
/// (every range maps to itself).
#[derive(Debug, Default)]
pub struct ImageMap {
    /// Sorted by (original, length).
    mapping: Vec<Mapped>,
    /// Every range end point, with the lowest index of a range containing
    /// it (`mapping.len()` when none does).
    endpoints: Vec<(u32, usize)>,
    /// For each original address of the from-source table, the next one.
    pub next_block: BTreeMap<u32, u32>,
    work: Cell<u64>,
}

impl ImageMap {
    /// No translation.
    pub fn identity() -> ImageMap {
        ImageMap::default()
    }

    /// The map of a PDB with OMAP tables: `to_src` is (transformed,
    /// original), `from_src` (original, transformed), `original_length` one
    /// past the end of the original image.
    pub fn new(to_src: &[(u32, u32)], from_src: &[(u32, u32)], original_length: u32) -> ImageMap {
        let mut map = ImageMap::default();
        if to_src.is_empty() || from_src.is_empty() {
            return map;
        }
        let mapping = &mut map.mapping;
        // The headers before the first entry are rarely listed.
        let (first_transformed, first_original) = (to_src[0].0, from_src[0].0);
        if first_transformed > 0 && first_original > 0 {
            let header = first_transformed.min(first_original);
            mapping.push(Mapped {
                length: header,
                injected: first_transformed - header,
                removed: first_original - header,
                ..Mapped::default()
            });
        }
        for (i, &(transformed, original)) in to_src.iter().enumerate() {
            // Transformed code that maps outside the original image was
            // injected.
            if original >= original_length {
                continue;
            }
            let mut length = match to_src.get(i + 1) {
                Some(&(next, _)) => next.wrapping_sub(transformed),
                None => original_length - original,
            };
            length = length.min(original_length - original);
            if length == 0 {
                continue;
            }
            if let Some(prev) = mapping.last_mut() {
                let prev_end = prev.transformed.wrapping_add(prev.length);
                prev.injected = prev.injected.wrapping_add(transformed.wrapping_sub(prev_end));
            }
            mapping.push(Mapped { original, transformed, length, ..Mapped::default() });
        }
        mapping.sort_by_key(|m| (m.original, m.length));
        fill_removed(mapping);
        map.endpoints = endpoint_index(mapping);
        if from_src.windows(2).all(|w| w[0].0 < w[1].0) {
            map.next_block = from_src.windows(2).map(|w| (w[0].0, w[1].0)).collect();
        }
        map
    }

    /// Whether the mapping gave up on a hostile PDB (too much work).
    pub fn exhausted(&self) -> bool {
        self.work.get() > WORK_BUDGET
    }

    /// Where the original range `[rva, rva + length)` landed: merged
    /// transformed ranges in transformed order; empty when it was removed.
    /// A zero length gives each distinct start with length 0.
    pub fn map_range(&self, rva: u32, length: u32) -> Vec<(u32, u32)> {
        if self.mapping.is_empty() {
            return vec![(rva, length)];
        }
        let query_length = length.max(1);
        let query_end = rva.wrapping_add(query_length);
        let first = {
            let at = self.endpoints.partition_point(|e| e.0 < rva);
            match self.endpoints.get(at) {
                None => self.mapping.len(),
                Some(&(point, index)) => {
                    if at > 0 && rva < point {
                        self.endpoints[at - 1].1
                    } else {
                        index
                    }
                }
            }
        };
        let last = self.mapping.partition_point(|m| m.original < query_end);
        let mut hits: Vec<Mapped> = Vec::new();
        for m in self.mapping.get(first..last).unwrap_or(&[]) {
            self.work.set(self.work.get() + 1);
            if self.exhausted() {
                return Vec::new();
            }
            let clipped = clip(rva, query_end, *m);
            if clipped.length.wrapping_add(clipped.injected) > 0 {
                hits.push(clipped);
            }
        }
        if hits.is_empty() {
            return Vec::new();
        }
        hits.sort_by_key(|m| (m.transformed, m.length));
        let mut out: Vec<(u32, u32)> = Vec::new();
        if length == 0 {
            out.push((hits[0].transformed, 0));
            for m in &hits[1..] {
                if out.last().is_some_and(|l| m.transformed > l.0) {
                    out.push((m.transformed, 0));
                }
            }
            return out;
        }
        // Neighbours merge across injected bytes between them, not across
        // injected bytes at the end.
        let mut begin = hits[0].transformed;
        let mut content_end = begin.wrapping_add(hits[0].length);
        let mut injected_end = content_end.wrapping_add(hits[0].injected);
        for m in &hits[1..] {
            if injected_end < m.transformed {
                if begin < content_end {
                    out.push((begin, content_end - begin));
                }
                begin = m.transformed;
            }
            content_end = m.transformed.wrapping_add(m.length);
            injected_end = content_end.wrapping_add(m.injected);
        }
        if begin < content_end {
            out.push((begin, content_end - begin));
        }
        out
    }
}

/// Marks, for each gap in the original address space, the ranges that end
/// right where it starts.
fn fill_removed(mapping: &mut [Mapped]) {
    let mut fill = 0;
    let mut front: u32 = 0;
    for find in 0..mapping.len() {
        let start = mapping[find].original;
        if front < start {
            let removed = start - front;
            while fill < find {
                if mapping[fill].original.wrapping_add(mapping[fill].length) == front {
                    mapping[fill].removed = removed;
                }
                fill += 1;
            }
        }
        front = mapping[find].original.wrapping_add(mapping[find].length);
    }
}

/// For every distinct range end point, the lowest index of a range that
/// contains it, by a sweep over the points with the open ranges in a heap
/// (Breakpad's nested loop is quadratic on hostile tables).
fn endpoint_index(mapping: &[Mapped]) -> Vec<(u32, usize)> {
    let span_end = |m: &Mapped| m.original.wrapping_add(m.length).wrapping_add(m.removed);
    let mut points: Vec<u32> = mapping.iter().flat_map(|m| [m.original, span_end(m)]).collect();
    points.sort_unstable();
    points.dedup();
    let mut open: BinaryHeap<Reverse<(usize, u32)>> = BinaryHeap::new();
    let mut next = 0;
    points
        .into_iter()
        .map(|p| {
            while next < mapping.len() && mapping[next].original <= p {
                open.push(Reverse((next, span_end(&mapping[next]))));
                next += 1;
            }
            while open.peek().is_some_and(|Reverse((_, end))| *end <= p) {
                open.pop();
            }
            (p, open.peek().map_or(mapping.len(), |Reverse((i, _))| *i))
        })
        .collect()
}

/// `m` cut to the original range `[start, end)`, its injected and removed
/// tails kept only where the range reaches them. 32-bit wrapping arithmetic,
/// as Breakpad's: hostile tables wrap instead of panicking.
fn clip(start: u32, end: u32, mut m: Mapped) -> Mapped {
    let span_end = m.original.wrapping_add(m.length).wrapping_add(m.removed);
    if end <= m.original || span_end <= start {
        return Mapped { length: 0, injected: 0, removed: 0, ..m };
    }
    if m.original < start {
        let cut = start - m.original;
        m.original = m.original.wrapping_add(cut);
        m.transformed = m.transformed.wrapping_add(cut);
        if cut > m.length {
            let trim = cut - m.length;
            m.length = 0;
            m.injected -= trim.min(m.injected);
            m.removed = m.removed.saturating_sub(trim);
        } else {
            m.length -= cut;
        }
    }
    let content_end = m.original.wrapping_add(m.length);
    if end < content_end {
        m.length = m.length.wrapping_sub(content_end.wrapping_sub(end));
        m.injected = 0;
        m.removed = 0;
    } else {
        if end < content_end.wrapping_add(m.removed) {
            m.removed = end.wrapping_sub(content_end);
        }
        if end < content_end.wrapping_add(m.injected) {
            m.injected = end.wrapping_sub(content_end);
        }
    }
    m
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identity_without_tables() {
        assert_eq!(ImageMap::identity().map_range(0x1000, 0x20), vec![(0x1000, 0x20)]);
    }

    #[test]
    fn injected_code_in_the_middle_lengthens_the_range() {
        // Breakpad's own example: 5 bytes injected at 0x1005 of a 10-byte
        // function.
        let to = [(0x1000, 0x1000), (0x1005, 0xffff_ffff), (0x100a, 0x1005)];
        let from = [(0x1000, 0x1000), (0x1005, 0x100a)];
        let map = ImageMap::new(&to, &from, 0x2000);
        assert_eq!(map.map_range(0x1000, 10), vec![(0x1000, 15)]);
        assert_eq!(map.map_range(0x1006, 2), vec![(0x100b, 2)]);
    }

    #[test]
    fn reordered_blocks_merge_when_adjacent_and_split_when_apart() {
        // Original A [1000,1008) B [1008,1010) C [1010,1020); transformed
        // A C B.
        let to = [(0x1000, 0x1000), (0x1008, 0x1010), (0x1018, 0x1008), (0x1020, 0x1020)];
        let from = [(0x1000, 0x1000), (0x1008, 0x1018), (0x1010, 0x1008)];
        let map = ImageMap::new(&to, &from, 0x1020);
        assert_eq!(map.map_range(0x1000, 0x10), vec![(0x1000, 8), (0x1018, 8)]);
        assert_eq!(map.map_range(0x1008, 0x18), vec![(0x1008, 0x18)]);
        assert_eq!(map.map_range(0x100a, 0), vec![(0x101a, 0)]);
        assert_eq!(map.next_block.get(&0x1008), Some(&0x1010));
    }
}
