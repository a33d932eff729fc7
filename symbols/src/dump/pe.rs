//! PE + PDB to the symbol model, record for record as Breakpad's Windows
//! `dump_syms` writes it.
//!
//! * From the PDB: `MODULE windows <cpu> <GUID><age> <pdb name>`, `FILE`
//!   (DIA's numbering: every module's file list in turn, each name printed
//!   once at its first number), `FUNC` with line records (one symbol per
//!   address: functions over publics, the least decorated name among
//!   equals, `m` when several share it), `PUBLIC` for code addresses with
//!   no function, and on x86 `STACK WIN 4` (frame data, with program
//!   strings) then `STACK WIN 0` (FPO). Addresses go through the PDB's
//!   OMAP tables when the image was rewritten after linking, splitting
//!   records as Breakpad does (module `omap`).
//! * From the PE image: `INFO CODE_ID <TimeDateStamp><SizeOfImage> <name>`
//!   and, for x86-64, `STACK CFI` from the exception directory (module
//!   `unwind`).
//! * A PE without its PDB gives what Breakpad's PE-only mode gives:
//!   `MODULE` from the CodeView record, `INFO CODE_ID` and `STACK CFI`.
//!
//! Entry points: [`dump_pe_path`] for a file (finding the other half as
//! Breakpad does), [`dump_pe`] for bytes in memory.
//!
//! Differences from Breakpad's output are listed in README.md (`mdump
//! syms`, "PE/PDB") and pinned by `symbols/tests/dump_pe.rs`.

mod dbi;
mod image;
mod lines;
mod names;
mod omap;
mod pdbread;
mod unwind;

use std::borrow::Cow;
use std::path::{Path, PathBuf};

pub use image::{base_name, CodeView, PeImage};

use super::DumpError;
use crate::model::{InfoRecord, ModuleRecord, SymbolFile};

/// The `pdb` crate over bytes in memory.
type PdbFile<'d> = pdb::PDB<'d, std::io::Cursor<&'d [u8]>>;

/// Names and choices for [`dump_pe`].
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PeOptions {
    /// File name (or path) of the PDB given, for the `MODULE` record; when
    /// `None`, the PDB name of the image's CodeView record.
    pub pdb_name: Option<String>,
    /// File name (or path) of the image given, for `INFO CODE_ID`.
    pub pe_name: Option<String>,
    /// Keep public symbols' names mangled (`?f@C@@QAEHXZ`) instead of
    /// undecorating them.
    pub keep_mangled: bool,
}

/// Whether `bytes` start like a PDB (MSF 7.0).
pub fn is_pdb(bytes: &[u8]) -> bool {
    bytes.starts_with(b"Microsoft C/C++ MSF 7.00\r\n\x1a\x44\x53")
}

/// Whether `bytes` start like a PE image (an MZ header whose `e_lfanew`
/// points at `PE\0\0`).
pub fn is_pe(bytes: &[u8]) -> bool {
    matches!(object::FileKind::parse(bytes), Ok(object::FileKind::Pe32 | object::FileKind::Pe64))
}

/// The PDB path an image's CodeView record names, to look for the PDB next
/// to the image (`None` when the image has no RSDS record).
pub fn pdb_path_of(pe: &[u8]) -> Option<String> {
    PeImage::parse(pe).ok()?.codeview.map(|cv| cv.path)
}

/// Dumps the PE image or PDB at `path`, finding its other half as
/// Breakpad's `dump_syms` does, unless `other` names it:
///
/// * a PDB: the image beside it with the extension `.exe`, else `.dll`
///   (for `INFO CODE_ID` and x86-64 `STACK CFI`); none found is fine.
/// * an image: the PDB its CodeView record names, looked for beside the
///   image, then at the recorded path; none found gives the image-only
///   dump. A PDB found or given must have the image's GUID (its age may be
///   higher after incremental updates).
pub fn dump_pe_path(path: &Path, other: Option<&Path>, keep_mangled: bool) -> Result<SymbolFile<'static>, DumpError> {
    let read = |p: &Path| std::fs::read(p).map_err(|e| DumpError::new(format!("{}: {e}", p.display())));
    let bytes = read(path)?;
    let (pe_path, pdb_path) = if is_pdb(&bytes) {
        let pe = match other {
            Some(other) => Some(other.to_path_buf()),
            None => ["exe", "dll"].iter().map(|ext| path.with_extension(ext)).find(|p| p.is_file()),
        };
        (pe, Some(path.to_path_buf()))
    } else if is_pe(&bytes) {
        let pdb = match other {
            Some(other) => Some(other.to_path_buf()),
            None => pdb_path_of(&bytes).and_then(|recorded| {
                let beside = path.with_file_name(base_name(&recorded));
                [beside, PathBuf::from(&recorded)].into_iter().find(|p| p.is_file())
            }),
        };
        (Some(path.to_path_buf()), pdb)
    } else {
        return Err(DumpError::new(format!("{}: neither a PE image nor a PDB (MSF 7.0) file", path.display())));
    };
    let other_bytes = |p: &Option<PathBuf>, this_is_it: bool| -> Result<Option<Vec<u8>>, DumpError> {
        match p {
            Some(_) if this_is_it => Ok(None),
            Some(p) => read(p).map(Some),
            None => Ok(None),
        }
    };
    let pe_other = other_bytes(&pe_path, pe_path.as_deref() == Some(path))?;
    let pdb_other = other_bytes(&pdb_path, pdb_path.as_deref() == Some(path))?;
    let pe = if pe_path.as_deref() == Some(path) { Some(&bytes[..]) } else { pe_other.as_deref() };
    let pdb = if pdb_path.as_deref() == Some(path) { Some(&bytes[..]) } else { pdb_other.as_deref() };
    if let (Some(pe), Some(pdb), Some(pdb_path)) = (pe, pdb, &pdb_path) {
        if !is_pdb(pdb) {
            return Err(DumpError::new(format!("{}: not a PDB (MSF 7.0) file", pdb_path.display())));
        }
        if !is_pe(pe) {
            return Err(DumpError::new(format!("{}: not a PE image", pe_path.unwrap_or_default().display())));
        }
    }
    let options = PeOptions {
        pdb_name: pdb_path.as_ref().map(|p| p.to_string_lossy().into_owned()),
        pe_name: pe_path.as_ref().map(|p| p.to_string_lossy().into_owned()),
        keep_mangled,
    };
    let file = dump_pe(pe, pdb, &options)?;
    // An image names the PDB it was linked with; a PDB of another build
    // would give wrong symbols. (Only the GUID: a PDB's age may be higher
    // than the image's after incremental updates.)
    if let (Some(pe), Some(_)) = (pe, pdb) {
        let image_id = PeImage::parse(pe)?.codeview.map(|cv| codeview_id(&cv));
        let pdb_id = file.module.as_ref().map(|m| m.id.to_string()).unwrap_or_default();
        if let Some(image_id) = image_id {
            if image_id.get(..32) != pdb_id.get(..32) {
                return Err(DumpError::new(format!(
                    "{}: PDB id {pdb_id} does not match the image's {image_id}",
                    pdb_path.unwrap_or_default().display()
                )));
            }
        }
    }
    Ok(file)
}

/// Dumps a PE image and/or its PDB to the symbol model.
///
/// * `pdb` alone: everything from the PDB, no `INFO CODE_ID`, and no
///   `STACK CFI` for x86-64 (Breakpad reads those from the image).
/// * `pe` and `pdb`: the PDB's records plus the image's code id and x86-64
///   unwind info. The caller checks that they belong together (CodeView
///   GUID and age, see [`pdb_path_of`]); a mismatch is not an error here.
/// * `pe` alone: `MODULE` from the CodeView record, `INFO CODE_ID`, and
///   `STACK CFI` for x86-64.
///
/// Hostile bytes give an error or fewer records, never a panic.
pub fn dump_pe(pe: Option<&[u8]>, pdb: Option<&[u8]>, options: &PeOptions) -> Result<SymbolFile<'static>, DumpError> {
    let image = pe.map(PeImage::parse).transpose()?;
    let mut file = SymbolFile::default();
    let cpu;
    match pdb {
        Some(pdb) => {
            let symbols = pdbread::read(pdb, options.keep_mangled)?;
            cpu = image::cpu_name(symbols.machine);
            let name = match (&options.pdb_name, image.as_ref().and_then(|i| i.codeview.as_ref())) {
                (Some(name), _) => base_name(name).to_owned(),
                (None, Some(cv)) => base_name(&cv.path).to_owned(),
                (None, None) => String::new(),
            };
            file.module = Some(module(cpu, symbols.debug_id, name));
            file.files = symbols.files;
            file.functions = symbols.functions;
            file.publics = symbols.publics;
            file.public_positions = symbols.public_positions;
            // Breakpad takes x86-64 unwinding from the image only.
            if cpu != "x86_64" {
                file.win = symbols.win;
            }
        }
        None => {
            let image = image.as_ref().ok_or_else(|| DumpError::new("neither a PE image nor a PDB given"))?;
            let cv = image
                .codeview
                .as_ref()
                .ok_or_else(|| DumpError::new("PE image has no CodeView (RSDS) debug record to name its PDB"))?;
            cpu = image::cpu_name(image.machine);
            file.module = Some(module(cpu, codeview_id(cv), base_name(&cv.path).to_owned()));
        }
    }
    if let (Some(image), Some(bytes)) = (&image, pe) {
        let name = options.pe_name.as_deref().map(base_name).unwrap_or_default().to_owned();
        let value = if name.is_empty() { image.code_id() } else { format!("{} {name}", image.code_id()) };
        file.info.push(InfoRecord { key: Cow::Borrowed("CODE_ID"), value: Cow::Owned(value) });
        if cpu == "x86_64" {
            file.cfi = unwind::cfi_records(&image.runtime_functions, image::RvaReader::new(bytes));
        }
    }
    printable(&mut file);
    Ok(file)
}

/// Names a damaged PDB may hold that a `.sym` line cannot: line breaks
/// become spaces, empty function and public names become `<name omitted>`
/// (Breakpad's word for them), empty file names and blank program strings
/// are dropped, so the text always parses back line by line.
fn printable(file: &mut SymbolFile<'static>) {
    fn clean(text: &mut Cow<'static, str>) {
        if text.contains(['\n', '\r']) {
            *text = Cow::Owned(text.replace(['\n', '\r'], " "));
        }
    }
    fn named(text: &mut Cow<'static, str>) {
        clean(text);
        if text.trim().is_empty() {
            *text = Cow::Borrowed("<name omitted>");
        }
    }
    if let Some(m) = &mut file.module {
        named(&mut m.name);
    }
    file.info.iter_mut().for_each(|i| clean(&mut i.value));
    file.files.iter_mut().for_each(|f| clean(&mut f.name));
    file.files.retain(|f| !f.name.trim().is_empty());
    file.functions.iter_mut().for_each(|f| named(&mut f.name));
    file.publics.iter_mut().for_each(|p| named(&mut p.name));
    for w in &mut file.win {
        if let crate::model::WinProgram::ProgramString(p) = &mut w.program {
            clean(p);
            if p.trim().is_empty() {
                w.program = crate::model::WinProgram::AllocatesBasePointer(false);
            }
        }
    }
}

fn module(cpu: &str, id: String, name: String) -> ModuleRecord<'static> {
    ModuleRecord {
        os: Cow::Borrowed("windows"),
        arch: Cow::Owned(cpu.to_owned()),
        id: Cow::Owned(id),
        name: Cow::Owned(name),
    }
}

/// Breakpad's debug identifier from a CodeView record: Data1, Data2, Data3
/// as numbers, Data4 as bytes, upper case, then the age in lower-case hex.
fn codeview_id(cv: &CodeView) -> String {
    let g = &cv.guid;
    let data1 = u32::from_le_bytes([g[0], g[1], g[2], g[3]]);
    let data2 = u16::from_le_bytes([g[4], g[5]]);
    let data3 = u16::from_le_bytes([g[6], g[7]]);
    let data4: String = g[8..].iter().map(|b| format!("{b:02X}")).collect();
    format!("{data1:08X}{data2:04X}{data3:04X}{data4}{:x}", cv.age)
}
