//! ELF + DWARF to the symbol model, writing what Breakpad's Linux
//! `dump_syms` writes.
//!
//! * `MODULE Linux <arch> <debug id> <name>`: the debug id from the build id
//!   (or the `.text` hash), the name from `DT_SONAME` or the file name;
//!   `INFO CODE_ID` with the whole build id.
//! * `FUNC`, line and (unless disabled) `INLINE_ORIGIN`/`INLINE` records from
//!   `.debug_info` and `.debug_line` (DWARF 2 to 5, compressed sections, a
//!   separate debug file found by build id or `.gnu_debuglink`); functions
//!   with several ranges give one `FUNC` per range.
//! * `PUBLIC` for the `STT_FUNC` symbols of `.symtab` (or `.dynsym`) at
//!   addresses where no `FUNC` starts.
//! * `STACK CFI` from `.debug_frame` and `.eh_frame`.
//!
//! Addresses are relative to the first `PT_LOAD` segment; records outside
//! every `PT_LOAD` are left out. Compilation units are read on several
//! threads ([`Options::threads`]); the output does not depend on their
//! number. Where this differs from Breakpad, the README says so.

mod assemble;
mod cfi;
mod debugfile;
mod dwarf;
mod fxhash;
mod id;
mod image;
mod lines;
mod names;
mod split;

use std::borrow::Cow;
use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

use gimli::{EndianSlice, RunTimeEndian};
use object::elf;

use super::{DumpError, Options};
use crate::model::{CfiInit, SymbolFile};
use image::Image;

/// A file mapped read-only into memory (or empty).
pub struct Mapped {
    map: Option<memmap2::Mmap>,
}

impl Mapped {
    /// Maps the file at `path`.
    pub fn open(path: &Path) -> Result<Mapped, DumpError> {
        let io = |e: std::io::Error| DumpError::new(format!("{}: {e}", path.display()));
        let file = std::fs::File::open(path).map_err(io)?;
        if file.metadata().map_err(io)?.len() == 0 {
            return Ok(Mapped { map: None });
        }
        // Safety: mapping a file is unsafe because another process could
        // change it under us. The dumper treats every byte as hostile and
        // never relies on a value staying the same between two reads, so a
        // concurrent change can give wrong output but not undefined
        // behaviour in our code.
        #[allow(unsafe_code)]
        let map = unsafe { memmap2::Mmap::map(&file) }.map_err(io)?;
        Ok(Mapped { map: Some(map) })
    }

    /// The file's bytes.
    pub fn bytes(&self) -> &[u8] {
        self.map.as_deref().unwrap_or(&[])
    }
}

/// Dumps the ELF file at `path` (already mapped as `map`), reading its
/// separate debug file when it has no `.debug_info` of its own (or the one
/// the options name).
pub fn dump_file(path: &Path, map: &Mapped, options: &Options) -> Result<SymbolFile<'static>, DumpError> {
    let at = |e: DumpError| DumpError::new(format!("{}: {}", path.display(), e.message));
    let image = Image::parse(map.bytes()).map_err(at)?;
    let debug_map = match &options.debug_file {
        Some(f) => Some(Mapped::open(f)?),
        None if image.section(".debug_info", elf::SHT_PROGBITS).is_none() => {
            debugfile::find(path, &image, &options.debug_roots).map(|(_, m)| m)
        }
        None => None,
    };
    let debug = match &debug_map {
        Some(m) => Some(Image::parse(m.bytes()).map_err(|e| DumpError::new(format!("debug file: {}", e.message)))?),
        None => None,
    };
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    build(&name, Some(path), &image, debug.as_ref(), options).map_err(at)
}

/// Dumps ELF bytes; `name` is the `MODULE` name unless the file has a
/// `DT_SONAME`; `debug` is a separate debug file's bytes.
pub fn dump_elf(
    name: &str,
    bytes: &[u8],
    debug: Option<&[u8]>,
    options: &Options,
) -> Result<SymbolFile<'static>, DumpError> {
    let image = Image::parse(bytes)?;
    let debug = debug.map(Image::parse).transpose()?;
    build(name, None, &image, debug.as_ref(), options)
}

fn build(
    file_name: &str,
    binary_path: Option<&Path>,
    image: &Image<'_>,
    debug: Option<&Image<'_>>,
    options: &Options,
) -> Result<SymbolFile<'static>, DumpError> {
    let arch = id::arch_name(image.machine)
        .ok_or_else(|| DumpError::new(format!("unrecognized ELF machine architecture {}", image.machine)))?;
    let identifier = id::identifier(image)
        .ok_or_else(|| DumpError::new("unable to generate a file identifier (no build id and no .text)"))?;
    if let Some(d) = debug {
        if d.machine != image.machine || d.big_endian != image.big_endian || d.is_64 != image.is_64 {
            return Err(DumpError::new(format!(
                "the debug file does not match the binary (machine {} vs {}, or its class or byte order)",
                d.machine, image.machine
            )));
        }
    }
    let name = match image.soname {
        Some(s) => String::from_utf8_lossy(s).into_owned(),
        None => file_name.to_owned(),
    };

    // The DWARF comes from the debug file when it has some, else from the
    // binary.
    let dwarf_image = match debug {
        Some(d) if d.section(".debug_info", elf::SHT_PROGBITS).is_some() => Some(d),
        _ => image.section(".debug_info", elf::SHT_PROGBITS).map(|_| image),
    };
    let threads = match options.threads {
        0 => std::thread::available_parallelism().map_or(1, |n| n.get()),
        n => n,
    };
    let sections = match dwarf_image {
        Some(img) => Some(load_sections(img, threads)?),
        None => None,
    };
    let mut units: Vec<(usize, dwarf::CuOut)> = Vec::new();
    let mut cfi: Vec<CfiInit<'static>> = Vec::new();
    if threads <= 1 {
        // One thread: no thread at all (also keeps leak checkers quiet about
        // the thread-local storage of threads that ended).
        if let Some(sections) = &sections {
            units = read_units(sections, image.load_address, binary_path, options, 1);
        }
        if options.cfi {
            cfi = read_cfi(image, debug);
        }
    } else {
        std::thread::scope(|scope| {
            let cfi_job = options.cfi.then(|| scope.spawn(|| read_cfi(image, debug)));
            if let Some(sections) = &sections {
                units = read_units(sections, image.load_address, binary_path, options, threads);
            }
            if let Some(job) = cfi_job {
                cfi = job.join().unwrap_or_default();
            }
        });
    }

    let mut externs: Vec<(u64, &[u8])> = image.functions.clone();
    if let Some(d) = debug {
        externs.extend_from_slice(&d.functions);
    }
    Ok(assemble::Assembly { image, keep_mangled: options.keep_mangled, arch, name, identifier, units, externs, cfi }
        .finish())
}

/// Section contents for gimli (decompressed where needed).
struct Sections<'d> {
    big_endian: bool,
    data: Vec<(gimli::SectionId, Cow<'d, [u8]>)>,
}

/// Loads the DWARF sections, decompressing the compressed ones on up to
/// `threads` threads (inflating dominates files with compressed sections).
fn load_sections<'d>(image: &Image<'d>, threads: usize) -> Result<Sections<'d>, DumpError> {
    use gimli::SectionId::*;
    let mut found = Vec::new();
    for id in [
        DebugAbbrev,
        DebugAddr,
        DebugInfo,
        DebugLine,
        DebugLineStr,
        DebugStr,
        DebugStrOffsets,
        DebugRanges,
        DebugRngLists,
    ] {
        let name = id.name();
        let zname = format!(".zdebug_{}", &name[".debug_".len()..]);
        if let Some(s) = image.section_any(name).or_else(|| image.section_any(&zname)) {
            found.push((id, *s));
        }
    }
    let compressed = found
        .iter()
        .filter(|(_, s)| s.flags & u64::from(elf::SHF_COMPRESSED) != 0 || s.name.starts_with(b".zdebug_"))
        .count();
    let mut data = Vec::with_capacity(found.len());
    if threads <= 1 || compressed <= 1 {
        for (id, s) in &found {
            data.push((*id, image.contents(s)?));
        }
    } else {
        // Largest first, so the biggest section starts at once.
        found.sort_by_key(|(_, s)| std::cmp::Reverse(s.size));
        let next = AtomicUsize::new(0);
        let done = Mutex::new(Vec::with_capacity(found.len()));
        std::thread::scope(|scope| {
            for _ in 0..threads.min(compressed) {
                scope.spawn(|| loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some((id, s)) = found.get(i) else { break };
                    let contents = image.contents(s);
                    done.lock().unwrap_or_else(|e| e.into_inner()).push((*id, contents));
                });
            }
        });
        for (id, contents) in done.into_inner().unwrap_or_else(|e| e.into_inner()) {
            data.push((id, contents?));
        }
    }
    Ok(Sections { big_endian: image.big_endian, data })
}

fn read_units(
    sections: &Sections<'_>,
    load_address: u64,
    binary_path: Option<&Path>,
    options: &Options,
    threads: usize,
) -> Vec<(usize, dwarf::CuOut)> {
    let binary_dir = binary_path.and_then(Path::parent);
    let endian = if sections.big_endian { RunTimeEndian::Big } else { RunTimeEndian::Little };
    let load = |id: gimli::SectionId| -> Result<EndianSlice<'_, RunTimeEndian>, ()> {
        let bytes = sections.data.iter().find(|(i, _)| *i == id).map_or(&[][..], |(_, d)| &d[..]);
        Ok(EndianSlice::new(bytes, endian))
    };
    let Ok(dwarf) = gimli::Dwarf::load(load) else { return Vec::new() };
    // A split-DWARF package beside the binary (BINARY.dwp).
    let dwp_map = binary_path.and_then(|p| {
        let mut name = p.as_os_str().to_owned();
        name.push(".dwp");
        Mapped::open(Path::new(&name)).ok()
    });
    let dwp_image = dwp_map.as_ref().and_then(|m| Image::parse(m.bytes()).ok());
    let dwp_sections = dwp_image.as_ref().map(split::package_sections).unwrap_or_default();
    let package = dwp_image.as_ref().and_then(|i| split::package(&dwp_sections, i.big_endian));
    let input = dwarf::Input::new(dwarf);
    let next = AtomicUsize::new(0);
    let results = Mutex::new(Vec::with_capacity(input.units.len()));
    let work = || {
        let mut resolver = dwarf::Resolver::new(&input, options.keep_mangled, load_address);
        let mut mine = Vec::new();
        loop {
            let i = next.fetch_add(1, Ordering::Relaxed);
            let Some(&offset) = input.units.get(i) else { break };
            match resolver.dump_unit(offset, options.inlines) {
                dwarf::Unit::Done(out) => mine.push((i, out)),
                dwarf::Unit::Skeleton(skeleton, name, comp_dir) => {
                    let packaged = package.as_ref().and_then(|p| {
                        split::dump_from_package(
                            p,
                            &input.dwarf,
                            &skeleton,
                            options.keep_mangled,
                            options.inlines,
                            load_address,
                        )
                    });
                    if let Some(out) = packaged {
                        mine.push((i, out));
                        continue;
                    }
                    let split = split::dump(
                        &input.dwarf,
                        &skeleton,
                        &name,
                        &comp_dir,
                        binary_dir,
                        options.keep_mangled,
                        options.inlines,
                        load_address,
                    );
                    mine.extend(split.map(|out| (i, out)));
                }
                dwarf::Unit::Skipped => {}
            }
        }
        results.lock().unwrap_or_else(|e| e.into_inner()).extend(mine);
    };
    let workers = threads.clamp(1, input.units.len().max(1));
    if workers == 1 {
        work();
    } else {
        std::thread::scope(|scope| {
            for _ in 0..workers {
                scope.spawn(work);
            }
        });
    }
    let mut results = results.into_inner().unwrap_or_else(|e| e.into_inner());
    results.sort_by_key(|r| r.0);
    results
}

/// STACK CFI records in Breakpad's order: the binary's `.debug_frame`, its
/// `.eh_frame`, then the debug file's.
fn read_cfi(image: &Image<'_>, debug: Option<&Image<'_>>) -> Vec<CfiInit<'static>> {
    let Some(names) = cfi::register_names(image.machine) else { return Vec::new() };
    let mut out = Vec::new();
    let mut budget = 64 * (image.data.len() as u64 + debug.map_or(0, |d| d.data.len() as u64)) + (1 << 20);
    for img in std::iter::once(image).chain(debug) {
        let address_size = if img.is_64 { 8 } else { 4 };
        for (name, eh) in [(".debug_frame", false), (".eh_frame", true)] {
            let Some(s) = img.section(name, elf::SHT_PROGBITS) else { continue };
            let Ok(data) = img.contents(s) else { continue };
            let section = cfi::CfiSection {
                data: &data,
                eh_frame: eh,
                address: s.addr,
                text: img.section(".text", elf::SHT_PROGBITS).map(|t| t.addr),
                got: img.section(".got", elf::SHT_PROGBITS).map(|g| g.addr),
            };
            out.extend(cfi::convert(&section, img.big_endian, address_size, img.machine, names, &mut budget));
        }
    }
    out
}
