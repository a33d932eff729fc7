//! C13 line information of one module stream, read directly: the `pdb`
//! crate's line iterator asserts (in debug builds, so under tests and the
//! fuzzer) on line records that go backwards, which hostile PDBs have.
//!
//! A module stream holds its symbols, old C11 lines, then C13 subsections
//! (kind, length, data, padded to 4 bytes). `DEBUG_S_LINES` subsections
//! give a code range (section, offset, size) and blocks of lines per file;
//! `DEBUG_S_FILECHKSMS` maps a block's file (a byte offset into it) to a
//! name in the PDB's string table. A line covers the bytes up to the next
//! line of the same subsection, the last one up to the subsection's end;
//! DIA (and so Breakpad) skips the "do not step" marker lines.

const DEBUG_S_LINES: u32 = 0xf2;
const DEBUG_S_FILECHKSMS: u32 = 0xf4;
const CV_LINES_HAVE_COLUMNS: u16 = 1;
/// Line numbers that mark code a debugger should not step onto or into.
const MARKERS: [u32; 2] = [0xfe_efee, 0xf0_0f00];

/// One line record, before address translation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct C13Line {
    /// 1-based section of the PDB's section headers.
    pub section: u16,
    /// Offset within the section.
    pub offset: u32,
    /// Bytes covered (0 when nothing says).
    pub length: u32,
    /// Source line.
    pub line: u32,
    /// Byte offset of the file's entry in the checksum subsection.
    pub file: u32,
}

fn u16_at(b: &[u8], at: usize) -> Option<u16> {
    b.get(at..at.checked_add(2)?).map(|s| u16::from_le_bytes([s[0], s[1]]))
}

fn u32_at(b: &[u8], at: usize) -> Option<u32> {
    b.get(at..at.checked_add(4)?).map(|s| u32::from_le_bytes([s[0], s[1], s[2], s[3]]))
}

/// The C13 subsections of a module stream: (kind, data).
fn subsections(c13: &[u8]) -> Vec<(u32, &[u8])> {
    let mut out = Vec::new();
    let mut at = 0usize;
    while let (Some(kind), Some(len)) = (u32_at(c13, at), u32_at(c13, at + 4)) {
        let start = at + 8;
        let Some(data) = start.checked_add(len as usize).and_then(|end| c13.get(start..end)) else { break };
        out.push((kind, data));
        at = (start + data.len() + 3) & !3;
    }
    out
}

/// The module's lines in subsection order, and the string-table offset of
/// each file entry (by its byte offset in the checksum subsection).
pub fn module_lines(c13: &[u8]) -> (Vec<C13Line>, Vec<(u32, u32)>) {
    let mut lines = Vec::new();
    let mut files = Vec::new();
    // The last line waits for the next one even across subsections (which
    // may only shorten it).
    let mut pending = None;
    for (kind, data) in subsections(c13) {
        match kind {
            DEBUG_S_LINES => read_lines(data, &mut pending, &mut lines),
            DEBUG_S_FILECHKSMS => read_checksums(data, &mut files),
            _ => {}
        }
    }
    lines.extend(pending.map(|(line, _)| line));
    (lines, files)
}

fn read_checksums(data: &[u8], out: &mut Vec<(u32, u32)>) {
    let mut at = 0usize;
    while let Some(name) = u32_at(data, at) {
        let Some(&size) = data.get(at + 4) else { break };
        out.push((at as u32, name));
        at = (at + 6 + usize::from(size) + 3) & !3;
    }
}

/// A line whose end is not known yet, ended by the next one (or by its
/// subsection's end) as DIA ends it: only ever shortened, and only by an
/// end in the same section at or after its start.
fn set_end(line: &mut C13Line, known: &mut bool, section: u16, end: u32) {
    if section == line.section && end >= line.offset {
        let length = end - line.offset;
        if !*known || line.length > length {
            line.length = length;
            *known = true;
        }
    }
}

fn read_lines(data: &[u8], pending: &mut Option<(C13Line, bool)>, out: &mut Vec<C13Line>) {
    let (Some(offset), Some(section), Some(flags), Some(size)) =
        (u32_at(data, 0), u16_at(data, 4), u16_at(data, 6), u32_at(data, 8))
    else {
        return;
    };
    let columns = flags & CV_LINES_HAVE_COLUMNS != 0;
    let mut at = 12usize;
    while let (Some(file), Some(count), Some(block_size)) =
        (u32_at(data, at), u32_at(data, at + 4), u32_at(data, at + 8))
    {
        let block_end = at.saturating_add(block_size as usize).min(data.len());
        // Each line entry is 8 bytes (plus 4 of columns); the count cannot
        // claim more entries than the block holds.
        let entry_size = if columns { 12 } else { 8 };
        let count = (count as usize).min(block_end.saturating_sub(at + 12) / entry_size);
        for i in 0..count {
            let entry = at + 12 + 8 * i;
            let (Some(line_offset), Some(word)) = (u32_at(data, entry), u32_at(data, entry + 4)) else { break };
            let line = word & 0x00ff_ffff;
            if MARKERS.contains(&line) {
                continue;
            }
            let start = offset.wrapping_add(line_offset);
            if let Some((mut last, mut known)) = pending.take() {
                set_end(&mut last, &mut known, section, start);
                out.push(last);
            }
            *pending = Some((C13Line { section, offset: start, length: 0, line, file }, false));
        }
        if block_size < 12 {
            break;
        }
        at = at.saturating_add(block_size as usize);
    }
    if let Some((last, known)) = pending {
        set_end(last, known, section, offset.wrapping_add(size));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn subsection(kind: u32, data: &[u8]) -> Vec<u8> {
        let mut v = kind.to_le_bytes().to_vec();
        v.extend((data.len() as u32).to_le_bytes());
        v.extend(data);
        while !v.len().is_multiple_of(4) {
            v.push(0);
        }
        v
    }

    #[test]
    fn lines_end_at_the_next_line_and_the_last_at_the_range_end() {
        let mut lines = Vec::new();
        lines.extend(0x1000u32.to_le_bytes()); // offset
        lines.extend(1u16.to_le_bytes()); // section
        lines.extend(0u16.to_le_bytes()); // flags
        lines.extend(0x30u32.to_le_bytes()); // code size
        lines.extend(0u32.to_le_bytes()); // file
        lines.extend(3u32.to_le_bytes()); // count
        lines.extend((12u32 + 3 * 8).to_le_bytes());
        for (off, line) in [(0u32, 10u32), (0x10, 0xfe_efee), (0x20, 12)] {
            lines.extend(off.to_le_bytes());
            lines.extend((line | 0x8000_0000).to_le_bytes());
        }
        let mut checks = 7u32.to_le_bytes().to_vec();
        checks.extend([0, 0, 0, 0]);
        let mut c13 = subsection(DEBUG_S_FILECHKSMS, &checks);
        c13.extend(subsection(DEBUG_S_LINES, &lines));
        let (got, files) = module_lines(&c13);
        assert_eq!(files, vec![(0, 7)]);
        assert_eq!(
            got,
            vec![
                C13Line { section: 1, offset: 0x1000, length: 0x20, line: 10, file: 0 },
                C13Line { section: 1, offset: 0x1020, length: 0x10, line: 12, file: 0 },
            ]
        );
    }

    #[test]
    fn garbage_gives_no_lines_and_no_panic() {
        let (lines, _) = module_lines(&[0xf2, 0, 0, 0, 0xff, 0xff, 0xff, 0xff, 1, 2, 3]);
        assert!(lines.is_empty());
        let mut c13 = subsection(DEBUG_S_LINES, &[0xff; 40]);
        c13.extend(subsection(DEBUG_S_FILECHKSMS, &[0xff; 9]));
        let _ = module_lines(&c13);
    }
}
