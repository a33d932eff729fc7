//! Line tables: DWARF line programs to Breakpad line records, and Breakpad's
//! intersection of lines with function ranges.
//!
//! As Breakpad's `DwarfLineToModule`: every row of the program starts a
//! line that ends at the next row's address; empty
//! lines are dropped; a line at address 0, and the lines that continue it
//! without a gap, are dropped (code the linker discarded); file names are
//! the file's directory and name joined, relative ones under the unit's
//! compilation directory, without normalising `.` or `..`.

use super::fxhash::FxMap as HashMap;

use gimli::AttributeValue;

use super::dwarf::{FuncOut, R};

/// A line record of one unit: absolute address, file as an index into the
/// unit's file table.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct LineOut {
    pub(crate) address: u64,
    pub(crate) size: u64,
    pub(crate) line: u32,
    pub(crate) file: u32,
}

/// The unit's file names, numbered in first-use order; line program file
/// indexes map to them once.
#[derive(Default)]
pub(crate) struct FileTable {
    names: Vec<String>,
    by_name: HashMap<String, u32>,
    /// Line program file index -> id (`u32::MAX`: not yet, `u32::MAX - 1`:
    /// no such file).
    by_index: Vec<u32>,
}

const UNSET: u32 = u32::MAX;
const MISSING: u32 = u32::MAX - 1;

impl FileTable {
    /// The id of line-program file `index`, `None` if the program has no
    /// such file.
    pub(crate) fn id(&mut self, dwarf: &gimli::Dwarf<R<'_>>, unit: &gimli::Unit<R<'_>>, index: u64) -> Option<u32> {
        let program = unit.line_program.as_ref()?;
        let header = program.header();
        let slot = usize::try_from(index).ok()?;
        // Indexes come from the file; only the table's real size is
        // allocated (DWARF 5 numbers from 0, earlier versions from 1).
        if slot > header.file_names().len() {
            return None;
        }
        if self.by_index.len() <= slot {
            self.by_index.resize(header.file_names().len() + 1, UNSET);
        }
        match self.by_index[slot] {
            UNSET => {}
            MISSING => return None,
            id => return Some(id),
        }
        let Some(name) = file_name(dwarf, unit, header, index) else {
            self.by_index[slot] = MISSING;
            return None;
        };
        let next = self.names.len() as u32;
        let id = match self.by_name.get(&name) {
            Some(&id) => id,
            None => {
                self.by_name.insert(name.clone(), next);
                self.names.push(name);
                next
            }
        };
        self.by_index[slot] = id;
        Some(id)
    }

    pub(crate) fn into_names(self) -> Vec<String> {
        self.names
    }
}

fn string(dwarf: &gimli::Dwarf<R<'_>>, unit: &gimli::Unit<R<'_>>, v: AttributeValue<R<'_>>) -> Option<String> {
    let s = dwarf.attr_string(unit, v).ok()?;
    Some(String::from_utf8_lossy(s.slice()).into_owned())
}

/// Breakpad's `ExpandPath`: `path` if absolute (or `base` empty), else
/// `base/path`.
fn expand(path: String, base: &str) -> String {
    if path.starts_with('/') || base.is_empty() {
        return path;
    }
    let mut s = String::with_capacity(base.len() + 1 + path.len());
    s.push_str(base);
    if !base.ends_with('/') {
        s.push('/');
    }
    s.push_str(&path);
    s
}

fn file_name(
    dwarf: &gimli::Dwarf<R<'_>>,
    unit: &gimli::Unit<R<'_>>,
    header: &gimli::LineProgramHeader<R<'_>>,
    index: u64,
) -> Option<String> {
    let file = header.file(index)?;
    let comp_dir = unit.comp_dir.map(|d| String::from_utf8_lossy(d.slice()).into_owned()).unwrap_or_default();
    let dir = match file.directory_index() {
        // Directory 0 is the compilation directory (the unit's attribute).
        0 => comp_dir.clone(),
        i => header.directory(i).and_then(|d| string(dwarf, unit, d)).map(|d| expand(d, &comp_dir)).unwrap_or_default(),
    };
    let name = string(dwarf, unit, file.path_name())?;
    Some(expand(name, &dir))
}

/// Reads the unit's line program into lines sorted by address (stable:
/// overlapping sequences keep their order).
pub(crate) fn read(dwarf: &gimli::Dwarf<R<'_>>, unit: &gimli::Unit<R<'_>>, files: &mut FileTable) -> Vec<LineOut> {
    let mut out = Vec::new();
    let Some(program) = unit.line_program.clone() else { return out };
    let mut rows = program.rows();
    // (address, file index, line) of the row waiting for its end.
    let mut pending: Option<(u64, u64, u32)> = None;
    let mut omitted_end = 0u64;
    let mut add = |out: &mut Vec<LineOut>, address: u64, mut size: u64, file: u64, line: u32| {
        if size == 0 {
            return;
        }
        if address.checked_add(size).is_none() {
            size = address.wrapping_neg();
        }
        if address == 0 || address == omitted_end {
            omitted_end = address.wrapping_add(size);
            return;
        }
        omitted_end = 0;
        if let Some(file) = files.id(dwarf, unit, file) {
            out.push(LineOut { address, size, line, file });
        }
    };
    while let Ok(Some((_, row))) = rows.next_row() {
        let (end_sequence, address) = (row.end_sequence(), row.address());
        let line = row.line().map_or(0, |l| l.get() as u32);
        if let Some((start, f, l)) = pending {
            add(&mut out, start, address.wrapping_sub(start), f, l);
        }
        pending = (!end_sequence).then(|| (address, row.file_index(), line));
    }
    out.sort_by_key(|l| l.address);
    out
}

/// Breakpad's `AssignLinesToFunctions`: walks the unit's function ranges
/// and lines together in address order and gives each function the parts
/// of lines that fall in its ranges (a line across a function boundary is
/// split). Lines outside every function are dropped.
pub(crate) fn assign(lines: Vec<LineOut>, functions: &mut [FuncOut]) {
    let within = |start: u64, size: u64, a: u64| a.wrapping_sub(start) < size;
    let mut ranges: Vec<(u64, u64, usize)> = Vec::new();
    for (i, f) in functions.iter().enumerate() {
        ranges.extend(f.ranges.iter().filter(|r| r.1 != 0).map(|&(a, s)| (a, s, i)));
    }
    ranges.sort_by_key(|r| r.0);
    let (mut ri, mut li) = (0usize, 0usize);
    let mut current = match (ranges.first(), lines.first()) {
        (Some(r), Some(l)) => r.0.min(l.address),
        (Some(r), None) => r.0,
        (None, Some(l)) => l.address,
        (None, None) => return,
    };
    if current == u64::MAX {
        return;
    }
    while ri < ranges.len() || li < lines.len() {
        let range = ranges.get(ri);
        let line = lines.get(li);
        let next = match (range, line) {
            (Some(&(ra, rs, f)), _) if current >= ra => match line {
                Some(l) if current >= l.address => {
                    let range_left = rs.wrapping_sub(current - ra);
                    let line_left = l.size.wrapping_sub(current - l.address);
                    let next = current.wrapping_add(range_left.min(line_left));
                    functions[f].lines.push(LineOut { address: current, size: next.wrapping_sub(current), ..*l });
                    next
                }
                Some(l) if within(ra, rs, l.address) => l.address,
                _ => ra.wrapping_add(rs),
            },
            (_, Some(l)) if current >= l.address => match range {
                Some(&(ra, _, _)) if within(l.address, l.size, ra) => ra,
                _ => l.address.wrapping_add(l.size),
            },
            (Some(&(ra, _, _)), Some(l)) => ra.min(l.address),
            (Some(&(ra, _, _)), None) => ra,
            (None, Some(l)) => l.address,
            (None, None) => break,
        };
        // Ending at the top of the address space (or at the -1 tombstone
        // some producers use) ends the pass.
        if next == 0 || next == u64::MAX || next <= current {
            break;
        }
        while ri < ranges.len() && next >= ranges[ri].0 && !within(ranges[ri].0, ranges[ri].1, next) {
            ri += 1;
        }
        while li < lines.len() && next >= lines[li].address && !within(lines[li].address, lines[li].size, next) {
            li += 1;
        }
        current = next;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn func(ranges: &[(u64, u64)]) -> FuncOut {
        FuncOut { name: "f".into(), ranges: ranges.to_vec(), ..Default::default() }
    }

    fn line(address: u64, size: u64, line: u32) -> LineOut {
        LineOut { address, size, line, file: 0 }
    }

    #[test]
    fn lines_are_clipped_and_split_at_function_boundaries() {
        let mut fs = vec![func(&[(0x100, 0x20)]), func(&[(0x120, 0x10), (0x200, 0x8)])];
        // A line spanning both functions, padding after the second, a line
        // in a gap, and one in the second function's far range.
        let lines =
            vec![line(0xf0, 0x20, 1), line(0x110, 0x18, 2), line(0x128, 0x10, 3), line(0x180, 4, 4), line(0x1fc, 8, 5)];
        assign(lines, &mut fs);
        assert_eq!(fs[0].lines, vec![line(0x100, 0x10, 1), line(0x110, 0x10, 2)]);
        assert_eq!(fs[1].lines, vec![line(0x120, 8, 2), line(0x128, 8, 3), line(0x200, 4, 5)]);
    }

    #[test]
    fn expand_joins_like_breakpad() {
        assert_eq!(expand("a.c".into(), "/src"), "/src/a.c");
        assert_eq!(expand("a.c".into(), "/src/"), "/src/a.c");
        assert_eq!(expand("/abs/a.c".into(), "/src"), "/abs/a.c");
        assert_eq!(expand("./x/../a.c".into(), "/src"), "/src/./x/../a.c");
        assert_eq!(expand("a.c".into(), ""), "a.c");
    }
}
