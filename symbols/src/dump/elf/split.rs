//! Split DWARF (`-gsplit-dwarf`): a skeleton unit in the binary names a
//! `.dwo` file holding the unit's entries; its line table stays in the
//! binary. The `.dwo` is looked for where the skeleton says (its
//! `DW_AT_comp_dir` joined with `DW_AT_dwo_name`), then next to the binary.
//! A `.dwp` package next to the binary (`BINARY.dwp`, as `dwp` and
//! `llvm-dwp` name it) is looked in first.

use std::path::{Path, PathBuf};

use gimli::{EndianSlice, RunTimeEndian, Section};

use super::dwarf::{self, CuOut, R};
use super::image::Image;
use super::Mapped;

/// Where the `.dwo` of a skeleton may be, in search order.
fn candidates(name: &[u8], comp_dir: &[u8], binary_dir: Option<&Path>) -> Vec<PathBuf> {
    use std::os::unix::ffi::OsStrExt;
    let name = Path::new(std::ffi::OsStr::from_bytes(name));
    let mut out = Vec::new();
    if name.is_absolute() {
        out.push(name.to_path_buf());
    } else {
        out.push(Path::new(std::ffi::OsStr::from_bytes(comp_dir)).join(name));
    }
    if let Some(dir) = binary_dir {
        out.push(dir.join(name));
        if let Some(base) = name.file_name() {
            out.push(dir.join(base));
        }
    }
    out
}

/// The `.dwp` sections of a package file, as gimli loads them.
pub(crate) fn package_sections<'d>(image: &Image<'d>) -> Vec<(gimli::SectionId, std::borrow::Cow<'d, [u8]>)> {
    let mut out = Vec::new();
    for id in [
        gimli::SectionId::DebugCuIndex,
        gimli::SectionId::DebugTuIndex,
        gimli::SectionId::DebugAbbrev,
        gimli::SectionId::DebugInfo,
        gimli::SectionId::DebugLine,
        gimli::SectionId::DebugStr,
        gimli::SectionId::DebugStrOffsets,
        gimli::SectionId::DebugLoc,
        gimli::SectionId::DebugLocLists,
        gimli::SectionId::DebugRngLists,
        gimli::SectionId::DebugTypes,
    ] {
        let name = id.dwo_name().unwrap_or(id.name());
        if let Some(s) = image.section_any(name) {
            if let Ok(c) = image.contents(s) {
                out.push((id, c));
            }
        }
    }
    out
}

/// A `.dwp` package over loaded sections (`None` if it has no CU index).
pub(crate) fn package<'a>(
    sections: &'a [(gimli::SectionId, std::borrow::Cow<'_, [u8]>)],
    big_endian: bool,
) -> Option<gimli::DwarfPackage<R<'a>>> {
    let endian = if big_endian { RunTimeEndian::Big } else { RunTimeEndian::Little };
    let load = |id: gimli::SectionId| -> Result<EndianSlice<'a, RunTimeEndian>, gimli::Error> {
        let bytes = sections.iter().find(|(i, _)| *i == id).map_or(&[][..], |(_, d)| &d[..]);
        Ok(EndianSlice::new(bytes, endian))
    };
    gimli::DwarfPackage::load(load, EndianSlice::new(&[], endian)).ok()
}

/// Dumps the split unit of `skeleton` from the package, if it has it.
pub(crate) fn dump_from_package<'a>(
    package: &gimli::DwarfPackage<R<'a>>,
    main: &gimli::Dwarf<R<'a>>,
    skeleton: &gimli::Unit<R<'a>>,
    keep_mangled: bool,
    inlines: bool,
    load: u64,
) -> Option<CuOut> {
    let dwo = package.find_cu(skeleton.dwo_id?, main).ok()??;
    let input = dwarf::Input::new(dwo);
    let mut resolver = dwarf::Resolver::new(&input, keep_mangled, load);
    resolver.dump_split(skeleton, main, inlines)
}

/// Dumps the split unit of `skeleton`, or `None` when its `.dwo` is not
/// found or not readable.
#[allow(clippy::too_many_arguments)]
pub(crate) fn dump(
    main: &gimli::Dwarf<R<'_>>,
    skeleton: &gimli::Unit<R<'_>>,
    name: &[u8],
    comp_dir: &[u8],
    binary_dir: Option<&Path>,
    keep_mangled: bool,
    inlines: bool,
    load: u64,
) -> Option<CuOut> {
    for path in candidates(name, comp_dir, binary_dir) {
        if !path.is_file() {
            continue;
        }
        let Ok(map) = Mapped::open(&path) else { continue };
        let Ok(image) = Image::parse(map.bytes()) else { continue };
        let endian = if image.big_endian { RunTimeEndian::Big } else { RunTimeEndian::Little };
        let mut contents = Vec::new();
        for id in [
            gimli::SectionId::DebugAbbrev,
            gimli::SectionId::DebugInfo,
            gimli::SectionId::DebugLine,
            gimli::SectionId::DebugStr,
            gimli::SectionId::DebugStrOffsets,
            gimli::SectionId::DebugRngLists,
            gimli::SectionId::DebugLocLists,
        ] {
            let Some(dwo_name) = id.dwo_name() else { continue };
            if let Some(s) = image.section_any(dwo_name) {
                if let Ok(c) = image.contents(s) {
                    contents.push((id, c));
                }
            }
        }
        let load_section = |id: gimli::SectionId| -> Result<EndianSlice<'_, RunTimeEndian>, ()> {
            let bytes = contents.iter().find(|(i, _)| *i == id).map_or(&[][..], |(_, d)| &d[..]);
            Ok(EndianSlice::new(bytes, endian))
        };
        let Ok(mut dwo) = gimli::Dwarf::load(load_section) else { continue };
        dwo.file_type = gimli::DwarfFileType::Dwo;
        // What gimli's `make_dwo` does, across the two files' lifetimes:
        // addresses and DWARF 4 range lists come from the binary.
        dwo.debug_addr = gimli::DebugAddr::from(EndianSlice::new(main.debug_addr.reader().slice(), endian));
        dwo.ranges.set_debug_ranges(gimli::DebugRanges::from(EndianSlice::new(
            main.ranges.debug_ranges().reader().slice(),
            endian,
        )));
        let input = dwarf::Input::new(dwo);
        let mut resolver = dwarf::Resolver::new(&input, keep_mangled, load);
        if let Some(out) = resolver.dump_split(skeleton, main, inlines) {
            return Some(out);
        }
    }
    None
}
