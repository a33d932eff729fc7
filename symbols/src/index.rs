//! Address indexes over the model's records, reproducing how Breakpad's
//! processor stores them, so that lookups agree with it when records overlap:
//!
//! * exclusive ranges (`FUNC`, line records, `STACK CFI INIT`, and
//!   `PUBLIC` addresses): a record that overlaps one stored before it, in
//!   file order, is ignored; so is a record of size 0 or whose range runs
//!   past `u64::MAX` (Breakpad's `RangeMap` / `AddressMap`);
//! * nested ranges (`STACK WIN`): a record may contain or lie inside records
//!   stored before it, but one that partly overlaps, or repeats, a stored one
//!   is ignored; a lookup finds the innermost (Breakpad's
//!   `ContainedRangeMap`).
//!
//! Files written by dumpers are sorted and do not overlap, so the common case
//! is checked in one pass and stores nothing ([`Order::Identity`]). Otherwise
//! the records are sorted, split into clusters of mutually overlapping ones,
//! and only clusters of more than one record are resolved in file order.

use std::collections::BTreeMap;

/// `(start, last)` of a range of `size` bytes at `address`, with `last`
/// inclusive; `None` for an empty range or one past `u64::MAX`.
#[inline]
pub(crate) fn span(address: u64, size: u64) -> Option<(u64, u64)> {
    Some((address, address.checked_add(size.checked_sub(1)?)?))
}

/// The records kept by an exclusive index, by ascending start.
#[derive(Clone, Debug)]
pub(crate) enum Order {
    /// All records, as they are: valid, sorted and disjoint.
    Identity,
    /// Indices of the kept records.
    Sorted(Box<[u32]>),
}

impl Order {
    /// The kept record with the greatest start not above `addr`.
    #[inline]
    pub(crate) fn find<T>(&self, items: &[T], addr: u64, start: impl Fn(&T) -> u64) -> Option<usize> {
        match self {
            Order::Identity => items.partition_point(|t| start(t) <= addr).checked_sub(1),
            Order::Sorted(order) => {
                let k = order.partition_point(|&i| items.get(i as usize).is_some_and(|t| start(t) <= addr));
                order.get(k.checked_sub(1)?).map(|&i| i as usize)
            }
        }
    }

    /// Heap bytes held.
    pub(crate) fn heap_size(&self) -> usize {
        match self {
            Order::Identity => 0,
            Order::Sorted(order) => order.len() * 4,
        }
    }
}

type Entry = (u64, u64, u32);

fn entries(n: usize, range: &impl Fn(usize) -> Option<(u64, u64)>) -> Vec<Entry> {
    (0..n).filter_map(|i| range(i).map(|(s, l)| (s, l, i as u32))).collect()
}

/// Splits `sorted` (by start) into runs of ranges that overlap each other,
/// directly or through others, and calls `f` on each run.
fn clusters(sorted: &[Entry], mut f: impl FnMut(&[Entry])) {
    let mut i = 0;
    while i < sorted.len() {
        let mut last = sorted[i].1;
        let mut j = i + 1;
        while j < sorted.len() && sorted[j].0 <= last {
            last = last.max(sorted[j].1);
            j += 1;
        }
        f(&sorted[i..j]);
        i = j;
    }
}

/// An exclusive index over `n` records whose ranges `range` gives.
pub(crate) fn exclusive(n: usize, range: impl Fn(usize) -> Option<(u64, u64)>) -> Order {
    let mut previous: Option<u64> = None;
    let identity = (0..n).all(|i| match range(i) {
        Some((s, l)) if previous.is_none_or(|p| s > p) => {
            previous = Some(l);
            true
        }
        _ => false,
    });
    if identity {
        return Order::Identity;
    }
    // (start, index): 16 bytes a record; the last address is asked again.
    let mut sorted: Vec<(u64, u32)> = (0..n).filter_map(|i| range(i).map(|(s, _)| (s, i as u32))).collect();
    sorted.sort_unstable();
    let last = |i: u32| range(i as usize).map_or(0, |(_, l)| l);
    let mut kept = Vec::with_capacity(sorted.len());
    let mut i = 0;
    while i < sorted.len() {
        let mut end = last(sorted[i].1);
        let mut j = i + 1;
        while j < sorted.len() && sorted[j].0 <= end {
            end = end.max(last(sorted[j].1));
            j += 1;
        }
        if j == i + 1 {
            kept.push(sorted[i].1);
        } else {
            // Overlapping records: store them in file order, first wins.
            let mut in_file_order: Vec<u32> = sorted[i..j].iter().map(|e| e.1).collect();
            in_file_order.sort_unstable();
            let mut stored: BTreeMap<u64, (u64, u32)> = BTreeMap::new();
            for index in in_file_order {
                let Some((s, l)) = range(index as usize) else { continue };
                let before = stored.range(..=s).next_back().is_some_and(|(_, &(pl, _))| pl >= s);
                let after = stored.range(s..).next().is_some_and(|(&ns, _)| ns <= l);
                if !before && !after {
                    stored.insert(s, (l, index));
                }
            }
            kept.extend(stored.values().map(|&(_, index)| index));
        }
        i = j;
    }
    Order::Sorted(kept.into_boxed_slice())
}

/// A piece of the address space and the innermost nested range covering it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Segment {
    start: u64,
    last: u64,
    index: u32,
}

/// A nested-range index, flattened into disjoint segments.
#[derive(Clone, Debug, Default)]
pub(crate) struct Nested(Box<[Segment]>);

impl Nested {
    /// The innermost kept record containing `addr`.
    #[inline]
    pub(crate) fn find(&self, addr: u64) -> Option<usize> {
        let k = self.0.partition_point(|s| s.start <= addr).checked_sub(1)?;
        let seg = self.0.get(k)?;
        (addr <= seg.last).then_some(seg.index as usize)
    }

    /// Heap bytes held.
    pub(crate) fn heap_size(&self) -> usize {
        self.0.len() * std::mem::size_of::<Segment>()
    }
}

/// Whether `cluster` (sorted by start, then by descending last) nests
/// properly: no partial overlaps and no repeated range.
fn nests(cluster: &[Entry]) -> bool {
    let mut open: Vec<(u64, u64)> = Vec::new();
    for &(s, l, _) in cluster {
        while open.last().is_some_and(|&(_, ol)| ol < s) {
            open.pop();
        }
        if let Some(&(os, ol)) = open.last() {
            if l > ol || (os, ol) == (s, l) {
                return false;
            }
        }
        open.push((s, l));
    }
    true
}

struct Node {
    start: u64,
    last: u64,
    index: u32,
    /// Children by start; they are disjoint.
    children: BTreeMap<u64, usize>,
}

/// Clusters up to this size are resolved by comparing each range with the
/// ones kept before it, without building a tree.
const SMALL_CLUSTER: usize = 64;

/// Inserts ranges in file order as Breakpad's `ContainedRangeMap` does;
/// returns the kept ones.
fn nest_in_file_order(cluster: &[Entry]) -> Vec<Entry> {
    if cluster.len() <= SMALL_CLUSTER {
        nest_small(cluster)
    } else {
        nest_by_tree(cluster)
    }
}

/// [`nest_in_file_order`] for a few ranges: a range is kept if it neither
/// repeats nor partly overlaps any range kept before it, in file order
/// (which is what inserting it into the tree of the kept ones decides).
fn nest_small(cluster: &[Entry]) -> Vec<Entry> {
    let mut in_file_order = cluster.to_vec();
    in_file_order.sort_unstable_by_key(|e| e.2);
    let mut kept: Vec<Entry> = Vec::with_capacity(in_file_order.len());
    for e in in_file_order {
        let (s, l) = (e.0, e.1);
        let clash = kept
            .iter()
            .any(|&(ks, kl, _)| (ks, kl) == (s, l) || (ks < s && s <= kl && kl < l) || (s < ks && ks <= l && l < kl));
        if !clash {
            kept.push(e);
        }
    }
    kept
}

/// [`nest_in_file_order`] for many ranges, by a tree of the kept ones.
fn nest_by_tree(cluster: &[Entry]) -> Vec<Entry> {
    let mut in_file_order = cluster.to_vec();
    in_file_order.sort_unstable_by_key(|e| e.2);
    let mut nodes: Vec<Node> = Vec::new();
    let mut root: BTreeMap<u64, usize> = BTreeMap::new();
    'records: for (s, l, index) in in_file_order {
        let mut parent: Option<usize> = None;
        loop {
            let level = match parent {
                None => &root,
                Some(p) => &nodes[p].children,
            };
            if let Some((_, &p)) = level.range(..=s).next_back() {
                let n = &nodes[p];
                if n.last >= s {
                    if n.start <= s && l <= n.last {
                        if (n.start, n.last) == (s, l) {
                            continue 'records;
                        }
                        parent = Some(p);
                        continue;
                    }
                    if n.start < s {
                        continue 'records;
                    }
                }
            }
            let inside: Vec<u64> = level.range(s..=l).map(|(&k, _)| k).collect();
            if inside.iter().any(|k| level.get(k).is_some_and(|&c| nodes[c].last > l)) {
                continue 'records;
            }
            let id = nodes.len();
            let level = match parent {
                None => &mut root,
                Some(p) => &mut nodes[p].children,
            };
            let mut children = BTreeMap::new();
            for k in inside {
                if let Some(c) = level.remove(&k) {
                    children.insert(k, c);
                }
            }
            level.insert(s, id);
            nodes.push(Node { start: s, last: l, index, children });
            continue 'records;
        }
    }
    nodes.iter().map(|n| (n.start, n.last, n.index)).collect()
}

/// A nested-range index over `n` records whose ranges `range` gives.
pub(crate) fn nested(n: usize, range: impl Fn(usize) -> Option<(u64, u64)>) -> Nested {
    nested_sorted(by_nesting(n, &range))
}

/// The ranges sorted by start, then by descending last, then by index.
fn by_nesting(n: usize, range: &impl Fn(usize) -> Option<(u64, u64)>) -> Vec<Entry> {
    let mut sorted = entries(n, range);
    sorted.sort_unstable_by(|a, b| a.0.cmp(&b.0).then(b.1.cmp(&a.1)).then(a.2.cmp(&b.2)));
    sorted
}

/// [`nested`] over [`by_nesting`]'s order.
fn nested_sorted(mut sorted: Vec<Entry>) -> Nested {
    // Records of clusters that do not nest properly, resolved in file order:
    // the ones to drop.
    let mut dropped: Vec<u32> = Vec::new();
    clusters(&sorted, |cluster| {
        if !nests(cluster) {
            let mut kept: Vec<u32> = nest_in_file_order(cluster).iter().map(|e| e.2).collect();
            kept.sort_unstable();
            dropped.extend(cluster.iter().map(|e| e.2).filter(|i| kept.binary_search(i).is_err()));
        }
    });
    if !dropped.is_empty() {
        dropped.sort_unstable();
        sorted.retain(|e| dropped.binary_search(&e.2).is_err());
    }
    let mut segments = Vec::with_capacity(flatten(&sorted, |_| {}));
    flatten(&sorted, |s| segments.push(s));
    Nested(segments.into_boxed_slice())
}

/// The largest cluster [`LazyNested`] resolves at each lookup that lands in
/// it (real files have clusters of a few dozen ranges).
const LAZY_CLUSTER: usize = 256;

/// A nested-range index that resolves a cluster of overlapping ranges only
/// when a lookup lands in it (a stack walk asks about a few addresses; most
/// clusters are never looked at). Files with a cluster of more than
/// [`LAZY_CLUSTER`] ranges are indexed whole, as [`nested`] does.
#[derive(Clone, Debug)]
pub(crate) enum LazyNested {
    /// Ranges in [`by_nesting`]'s order, and `(first entry, last address)`
    /// of each cluster.
    Clusters(Box<[Entry]>, Box<[(u32, u64)]>),
    /// The whole index.
    Whole(Nested),
}

impl LazyNested {
    /// The index over `n` records whose ranges `range` gives.
    pub(crate) fn new(n: usize, range: impl Fn(usize) -> Option<(u64, u64)>) -> Self {
        let sorted = by_nesting(n, &range);
        let mut starts = Vec::new();
        let mut i = 0;
        while i < sorted.len() {
            let mut last = sorted[i].1;
            let mut j = i + 1;
            while j < sorted.len() && sorted[j].0 <= last {
                last = last.max(sorted[j].1);
                j += 1;
            }
            if j - i > LAZY_CLUSTER {
                return LazyNested::Whole(nested_sorted(sorted));
            }
            starts.push((i as u32, last));
            i = j;
        }
        LazyNested::Clusters(sorted.into_boxed_slice(), starts.into_boxed_slice())
    }

    /// The innermost kept record containing `addr`, as [`Nested::find`].
    pub(crate) fn find(&self, addr: u64) -> Option<usize> {
        let (sorted, clusters) = match self {
            LazyNested::Whole(whole) => return whole.find(addr),
            LazyNested::Clusters(sorted, clusters) => (sorted, clusters),
        };
        let k = clusters.partition_point(|&(first, _)| sorted.get(first as usize).is_some_and(|e| e.0 <= addr));
        let &(first, last) = clusters.get(k.checked_sub(1)?)?;
        if addr > last {
            return None;
        }
        let end = clusters.get(k).map_or(sorted.len(), |&(next, _)| next as usize);
        let cluster = sorted.get(first as usize..end)?;
        // The innermost of nested ranges containing `addr` starts last (and,
        // of equal starts, ends first).
        let innermost = |ranges: &[Entry]| {
            let containing = ranges.iter().filter(|e| e.0 <= addr && addr <= e.1);
            containing.max_by(|a, b| a.0.cmp(&b.0).then(b.1.cmp(&a.1))).map(|e| e.2 as usize)
        };
        if nests(cluster) {
            innermost(cluster)
        } else {
            innermost(&nest_in_file_order(cluster))
        }
    }

    /// Heap bytes held.
    pub(crate) fn heap_size(&self) -> usize {
        match self {
            LazyNested::Whole(whole) => whole.heap_size(),
            LazyNested::Clusters(sorted, clusters) => sorted.len() * 24 + clusters.len() * 16,
        }
    }
}

/// Gives `out` the disjoint segments of properly nested ranges sorted by
/// start, then by descending last: each piece of address space goes to the
/// innermost range. Returns how many there were.
fn flatten(ranges: &[Entry], mut out: impl FnMut(Segment)) -> usize {
    let mut count = 0;
    let mut open: Vec<Entry> = Vec::new();
    // Next address not yet given to a segment (u128: may be 2^64).
    let mut cursor: u128 = 0;
    let mut emit = |from: u128, last: u64, index: u32| {
        if from <= u128::from(last) {
            out(Segment { start: from as u64, last, index });
            count += 1;
        }
    };
    for &(s, l, i) in ranges {
        while let Some(&(_, ol, oi)) = open.last() {
            if ol >= s {
                break;
            }
            emit(cursor, ol, oi);
            cursor = u128::from(ol) + 1;
            open.pop();
        }
        if let (Some(&(_, _, oi)), Some(before)) = (open.last(), s.checked_sub(1)) {
            emit(cursor, before, oi);
        }
        cursor = u128::from(s);
        open.push((s, l, i));
    }
    while let Some((_, ol, oi)) = open.pop() {
        emit(cursor, ol, oi);
        cursor = u128::from(ol) + 1;
    }
    count
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ex(ranges: &[(u64, u64)]) -> Vec<usize> {
        let order = exclusive(ranges.len(), |i| span(ranges[i].0, ranges[i].1));
        match order {
            Order::Identity => (0..ranges.len()).collect(),
            Order::Sorted(v) => v.iter().map(|&i| i as usize).collect(),
        }
    }

    #[test]
    fn exclusive_keeps_the_first_in_file_order() {
        assert_eq!(ex(&[(0, 10), (10, 10), (30, 1)]), [0, 1, 2]);
        // The later overlapping record loses, whatever its address.
        assert_eq!(ex(&[(10, 10), (5, 10), (30, 1)]), [0, 2]);
        assert_eq!(ex(&[(5, 10), (10, 10)]), [0]);
        // Zero size and overflow are never kept.
        assert_eq!(ex(&[(0, 0), (1, 1), (u64::MAX, 2), (u64::MAX, 1)]), [1, 3]);
        // A chain: 0 overlaps 1, 1 overlaps 2, but 0 and 2 do not.
        assert_eq!(ex(&[(0, 10), (5, 10), (12, 10)]), [0, 2]);
        assert_eq!(ex(&[(5, 10), (0, 10), (12, 10)]), [0]);
        // Duplicates.
        assert_eq!(ex(&[(7, 1), (7, 1), (7, 1)]), [0]);
    }

    fn nest(ranges: &[(u64, u64)], at: u64) -> Option<usize> {
        nested(ranges.len(), |i| span(ranges[i].0, ranges[i].1)).find(at)
    }

    #[test]
    fn nested_finds_the_innermost() {
        let r = [(0x1000, 0xc), (0x1100, 0x8), (0x1100, 0x100), (0x1300, 0x100)];
        assert_eq!(nest(&r, 0x1000), Some(0));
        assert_eq!(nest(&r, 0x100c), None);
        assert_eq!(nest(&r, 0x1104), Some(1));
        assert_eq!(nest(&r, 0x1108), Some(2));
        assert_eq!(nest(&r, 0x11ff), Some(2));
        assert_eq!(nest(&r, 0x1200), None);
        assert_eq!(nest(&r, 0x13ff), Some(3));
    }

    /// A deterministic xorshift generator: `next(n)` is below `n`.
    fn xorshift(mut state: u64) -> impl FnMut(u64) -> u64 {
        move |n| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state % n
        }
    }

    #[test]
    fn lazy_nested_finds_what_nested_finds() {
        let mut next = xorshift(0x9e37_79b9_7f4a_7c15u64);
        for round in 0..500 {
            // Some rounds make one cluster too large to resolve lazily.
            let count = 1 + next(if round % 10 == 0 { 600 } else { 120 }) as usize;
            let ranges: Vec<(u64, u64)> = (0..count).map(|_| (next(1000), next(40))).collect();
            let whole = nested(ranges.len(), |i| span(ranges[i].0, ranges[i].1));
            let lazy = LazyNested::new(ranges.len(), |i| span(ranges[i].0, ranges[i].1));
            for addr in 0..1060 {
                assert_eq!(lazy.find(addr), whole.find(addr), "{addr} in {ranges:?}");
            }
        }
    }

    #[test]
    fn small_clusters_resolve_as_the_tree_does() {
        // Deterministic xorshift: clusters of overlapping, nested, repeated
        // ranges in random file order.
        let mut next = xorshift(0x2545_f491_4f6c_dd1du64);
        for _ in 0..2000 {
            let count = 1 + next(40) as usize;
            let cluster: Vec<Entry> = (0..count)
                .map(|i| {
                    let s = next(60);
                    (s, s + next(30), i as u32)
                })
                .collect();
            let mut by_tree = nest_by_tree(&cluster);
            let mut small = nest_small(&cluster);
            by_tree.sort_unstable_by_key(|e| e.2);
            small.sort_unstable_by_key(|e| e.2);
            assert_eq!(small, by_tree, "{cluster:?}");
        }
    }

    #[test]
    fn nested_rejects_partial_overlaps_and_repeats_in_file_order() {
        // Breakpad's own example: 4242+1a then 4243+2e; the second is dropped.
        let r = [(0x4242, 0x1a), (0x4243, 0x2e)];
        assert_eq!(nest(&r, 0x4250), Some(0));
        assert_eq!(nest(&r, 0x4260), None);
        // The other way round the other one wins.
        let r = [(0x4243, 0x2e), (0x4242, 0x1a)];
        assert_eq!(nest(&r, 0x4242), None);
        assert_eq!(nest(&r, 0x4250), Some(0));
        // A repeat loses; a later parent adopts earlier children.
        let r = [(10, 5), (10, 5), (0, 100), (20, 5), (22, 10)];
        assert_eq!(nest(&r, 11), Some(0));
        assert_eq!(nest(&r, 5), Some(2));
        assert_eq!(nest(&r, 21), Some(3));
        assert_eq!(nest(&r, 26), Some(2));
        // Ranges touching the top of the address space.
        let r = [(u64::MAX - 9, 10), (u64::MAX, 1)];
        assert_eq!(nest(&r, u64::MAX), Some(1));
        assert_eq!(nest(&r, u64::MAX - 1), Some(0));
    }
}
