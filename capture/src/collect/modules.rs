//! The ModuleList from `/proc/PID/maps`, as Breakpad's Linux client builds
//! it: one module per mapped ELF file (its consecutive mappings merged),
//! the executable first, the vdso named `linux-gate.so`, and a BpEL CodeView
//! record holding the build id (or Breakpad's `.text` hash).

use crate::elf::{self, ReadAt, Shifted};
use crate::memory::ProcessMemory;
use crate::procfs::MapsEntry;
use mdump_format::codeview::CV_SIGNATURE_BPEL;
use mdump_format::module::MinidumpModule;
use mdump_format::{U32, U64};
use mdump_writer::model::ModuleModel;

/// One module found in the maps.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FoundModule {
    /// First address.
    pub start: u64,
    /// One past the last address.
    pub end: u64,
    /// The mapped path as the kernel printed it (or `linux-gate.so`).
    pub name: Vec<u8>,
    /// The identifier in the CodeView record (build id or text hash).
    pub identifier: Vec<u8>,
}

/// Groups the mappings of one file into modules: a module starts at a
/// mapping of file offset 0 and takes in the following mappings of the same
/// file (path and inode) at higher offsets, across gaps and anonymous
/// mappings between them (the loader leaves holes where segments are
/// page-aligned in memory but not in the file). Only groups that contain
/// an executable mapping and have a path (or are the vdso) are modules;
/// `[stack]`, `[heap]`, anonymous memory and device files are not.
pub fn group_mappings(maps: &[MapsEntry<'_>]) -> Vec<(u64, u64, Vec<u8>)> {
    // (start, end, path, has exec, inode, last offset)
    let mut out: Vec<(u64, u64, Vec<u8>, bool, u64, u64)> = Vec::new();
    for m in maps {
        let is_vdso = m.path == b"[vdso]";
        let named_file = m.path.first() == Some(&b'/') && !m.path.starts_with(b"/dev/");
        if !is_vdso && !named_file {
            // An inaccessible anonymous mapping right after a module is the
            // tail the loader trimmed off a segment: Breakpad counts it in
            // the module's size.
            if let Some(last) = out.last_mut() {
                let inaccessible = !m.read && !m.write && !m.exec && m.path.is_empty();
                if inaccessible && last.1 == m.start && last.2 != b"[vdso]" {
                    last.1 = m.end;
                }
            }
            continue;
        }
        if let Some(last) = out.last_mut() {
            if last.2 == m.path && last.4 == m.inode && m.offset > last.5 && m.start >= last.1 {
                last.1 = m.end;
                last.3 |= m.exec;
                last.5 = m.offset;
                continue;
            }
        }
        if m.offset != 0 && !is_vdso {
            continue;
        }
        out.push((m.start, m.end, m.path.to_vec(), m.exec, m.inode, m.offset));
    }
    out.into_iter()
        .filter(|g| g.3)
        .map(|(s, e, p, ..)| if p == b"[vdso]" { (s, e, b"linux-gate.so".to_vec()) } else { (s, e, p) })
        .collect()
}

/// The path through which the target's file can be opened from here: its
/// `/proc/PID/map_files` entry (works even for deleted files and across
/// mount namespaces), else the path under `/proc/PID/root`.
fn open_mapped_file(pid: i32, start: u64, end: u64, path: &[u8]) -> Option<std::fs::File> {
    std::fs::File::open(format!("/proc/{pid}/map_files/{start:x}-{end:x}")).ok().or_else(|| {
        let p = std::str::from_utf8(path).ok()?;
        let p = p.strip_suffix(" (deleted)").unwrap_or(p);
        std::fs::File::open(format!("/proc/{pid}/root{p}")).ok()
    })
}

/// The identifier of the module mapped at `start`: the build id from the
/// image in memory, else from the file, else Breakpad's hash of the file's
/// `.text` section, else (no file) of the first executable page in memory.
pub fn identify(
    pid: i32,
    memory: &ProcessMemory,
    maps: &[MapsEntry<'_>],
    start: u64,
    end: u64,
    path: &[u8],
) -> Vec<u8> {
    let image = Shifted { inner: memory, base: start };
    if let Some(id) = elf::build_id_from_elf_image(&image) {
        return id;
    }
    let first_map_end = maps.iter().find(|m| m.start == start).map_or(end, |m| m.end);
    if path.first() == Some(&b'/') {
        if let Some(file) = open_mapped_file(pid, start, first_map_end, path) {
            if let Some(id) = elf::build_id_from_elf_file(&file) {
                return id;
            }
            if let Some((_, offset, size)) = elf::text_section(&file) {
                return elf::text_hash(&Shifted { inner: &file, base: offset }, size).to_vec();
            }
        }
    }
    let exec = maps.iter().find(|m| m.exec && m.start >= start && m.end <= end);
    match exec {
        Some(m) => elf::text_hash(&Shifted { inner: memory, base: m.start }, m.size()).to_vec(),
        None => Vec::new(),
    }
}

/// The module list of a process; the module holding `entry` (the
/// executable's entry point from the auxiliary vector) comes first, as
/// Breakpad puts it.
pub fn find_modules(pid: i32, memory: &ProcessMemory, maps: &[MapsEntry<'_>], entry: Option<u64>) -> Vec<FoundModule> {
    let mut modules: Vec<FoundModule> = group_mappings(maps)
        .into_iter()
        .filter(|(start, _, _)| {
            // Only real ELF images: a mapped data file is not a module.
            let mut magic = [0u8; 4];
            memory.read_at(*start, &mut magic) == 4 && magic == *b"\x7fELF"
        })
        .map(|(start, end, name)| {
            let lookup = if name == b"linux-gate.so" { b"[vdso]".to_vec() } else { name.clone() };
            let identifier = identify(pid, memory, maps, start, end, &lookup);
            FoundModule { start, end, name, identifier }
        })
        .collect();
    if let Some(i) = entry.and_then(|e| modules.iter().position(|m| m.start <= e && e < m.end)) {
        let exe = modules.remove(i);
        modules.insert(0, exe);
    }
    modules
}

/// The BpEL CodeView record of an identifier.
pub fn cv_record(identifier: &[u8]) -> Vec<u8> {
    let mut cv = CV_SIGNATURE_BPEL.to_le_bytes().to_vec();
    cv.extend_from_slice(identifier);
    cv
}

/// A module entry as Breakpad writes it (no version, time stamp or
/// checksum: ELF has none).
pub fn module_model(m: &FoundModule) -> ModuleModel {
    let raw = MinidumpModule {
        base_of_image: U64::new(m.start),
        size_of_image: U32::new(u32::try_from(m.end - m.start).unwrap_or(u32::MAX)),
        ..Default::default()
    };
    ModuleModel {
        raw,
        name: String::from_utf8_lossy(&m.name).encode_utf16().collect(),
        cv_record: cv_record(&m.identifier),
        misc_record: Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::procfs::parse_maps;

    #[test]
    fn grouping_merges_one_file_and_names_the_vdso() {
        let maps = b"\
1000-2000 r--p 00000000 08:01 7 /bin/x\n\
2000-3000 r-xp 00001000 08:01 7 /bin/x\n\
3000-4000 rw-p 00002000 08:01 7 /bin/x\n\
5000-6000 rw-p 00000000 00:00 0 [heap]\n\
7000-8000 r--p 00000000 08:01 9 /usr/share/data\n\
9000-a000 r-xp 00001000 08:01 10 /lib/late.so\n\
10000-11000 r--p 00000000 08:01 11 /lib/gap.so\n\
12000-13000 r-xp 00001000 08:01 11 /lib/gap.so\n\
13000-14000 rw-p 00000000 00:00 0\n\
15000-16000 rw-p 00002000 08:01 11 /lib/gap.so\n\
16000-16800 ---p 00000000 00:00 0\n\
17000-18000 r-xp 00000000 08:01 11 /lib/gap.so\n\
b000-c000 r-xp 00000000 00:00 0 [vdso]\n\
d000-e000 r-xp 00000000 00:05 3 /dev/zero\n";
        let entries: Vec<_> = parse_maps(maps).collect();
        let g = group_mappings(&entries);
        assert_eq!(
            g,
            vec![
                (0x1000, 0x4000, b"/bin/x".to_vec()),
                // Across a hole and an anonymous mapping; a second load at
                // offset 0 is a module of its own.
                // ... and the inaccessible anonymous tail after it.
                (0x10000, 0x16800, b"/lib/gap.so".to_vec()),
                (0x17000, 0x18000, b"/lib/gap.so".to_vec()),
                (0xb000, 0xc000, b"linux-gate.so".to_vec()),
            ]
        );
    }

    #[test]
    fn cv_record_is_bpel_then_id() {
        assert_eq!(cv_record(&[1, 2, 3]), vec![0x4c, 0x45, 0x70, 0x42, 1, 2, 3]);
    }
}
