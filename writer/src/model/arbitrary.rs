//! Random, canonical dump models for property tests and structure-aware
//! fuzzing (feature `arbitrary`).
//!
//! "Canonical" means a model that survives write -> read unchanged: every
//! context is of the one CPU kind the SystemInfo names, fields the writer
//! rebuilds are left at their canonical values ([`DumpModel::normalized`]),
//! each stream type appears at most once, records carry the versions and
//! revisions the reader accepts, and memory ranges are small and come from
//! [`PatternMemory`], which can read any address.

use super::*;
use crate::source::MemorySource;
use ::arbitrary::{Arbitrary, Result, Unstructured};
use mdump_format::context::ContextKind;
use mdump_format::system_info::*;
use zerocopy::FromBytes;

/// Memory whose every 8-byte word holds its own address: any address reads.
#[derive(Clone, Copy, Debug, Default)]
pub struct PatternMemory;

impl MemorySource for PatternMemory {
    fn read(&mut self, address: u64, buf: &mut [u8]) -> usize {
        let mut n = 0;
        for (i, b) in buf.iter_mut().enumerate() {
            let Some(a) = address.checked_add(i as u64) else { break };
            *b = (a & !7).to_le_bytes()[(a & 7) as usize];
            n += 1;
        }
        n
    }
}

fn pod<T: FromBytes>(u: &mut Unstructured<'_>) -> Result<T> {
    let bytes = u.bytes(core::mem::size_of::<T>())?;
    T::read_from_bytes(bytes).map_err(|_| ::arbitrary::Error::NotEnoughData)
}

fn small_bytes(u: &mut Unstructured<'_>, max: usize) -> Result<Vec<u8>> {
    let n = u.int_in_range(0..=max)?;
    Ok(u.bytes(n)?.to_vec())
}

fn units(u: &mut Unstructured<'_>, max: usize, nonzero: bool) -> Result<Vec<u16>> {
    let n = u.int_in_range(0..=max)?;
    (0..n).map(|_| u16::arbitrary(u).map(|x| if nonzero && x == 0 { 1 } else { x })).collect()
}

fn range(u: &mut Unstructured<'_>) -> Result<MemoryRange> {
    let size = u.int_in_range(0..=256u64)?;
    let start = u.int_in_range(0..=u64::MAX - size)?;
    Ok(MemoryRange { start, size })
}

fn list<T>(
    u: &mut Unstructured<'_>,
    max: usize,
    mut f: impl FnMut(&mut Unstructured<'_>) -> Result<T>,
) -> Result<Vec<T>> {
    let n = u.int_in_range(0..=max)?;
    (0..n).map(|_| f(u)).collect()
}

/// A context of `kind`: random registers, the kind's CPU bits in the flags.
fn context(u: &mut Unstructured<'_>, kind: ContextKind) -> Result<ContextModel> {
    let mut bytes = u.bytes(kind.size())?.to_vec();
    let at = kind.flags_offset();
    let flags = kind.cpu_flag() | (u32::arbitrary(u)? & 0x3f);
    bytes[at..at + 4].copy_from_slice(&flags.to_le_bytes());
    if kind.has_64bit_flags() {
        bytes[at + 4..at + 8].copy_from_slice(&0u32.to_le_bytes());
    }
    Ok(ContextModel(bytes))
}

/// A CodeView record: none, an ELF build id, a PDB 7.0 record, or bytes
/// with a signature nobody knows.
fn codeview(u: &mut Unstructured<'_>) -> Result<Vec<u8>> {
    let mut v = Vec::new();
    match u.int_in_range(0..=3u8)? {
        0 => {}
        1 => {
            v.extend_from_slice(&0x4270_454cu32.to_le_bytes());
            v.extend_from_slice(&small_bytes(u, 32)?);
        }
        2 => {
            v.extend_from_slice(&0x5344_5352u32.to_le_bytes());
            v.extend_from_slice(u.bytes(20)?);
            v.extend(small_bytes(u, 24)?.into_iter().map(|b| b.max(1)));
            v.push(0);
        }
        _ => {
            v.extend_from_slice(b"XXXX");
            v.extend_from_slice(&small_bytes(u, 32)?);
        }
    }
    Ok(v)
}

/// An `IMAGE_DEBUG_MISC` record (at least its 12-byte header) or none.
fn misc(u: &mut Unstructured<'_>) -> Result<Vec<u8>> {
    if u.arbitrary()? {
        return Ok(Vec::new());
    }
    let n = u.int_in_range(12..=40usize)?;
    Ok(u.bytes(n)?.to_vec())
}

fn architecture(kind: ContextKind) -> u16 {
    match kind {
        ContextKind::X86 => PROCESSOR_ARCHITECTURE_X86,
        ContextKind::Amd64 => PROCESSOR_ARCHITECTURE_AMD64,
        ContextKind::Arm => PROCESSOR_ARCHITECTURE_ARM,
        ContextKind::Arm64 => PROCESSOR_ARCHITECTURE_ARM64,
        ContextKind::Arm64Old => PROCESSOR_ARCHITECTURE_ARM64_OLD,
        ContextKind::Mips => PROCESSOR_ARCHITECTURE_MIPS,
        ContextKind::Mips64 => PROCESSOR_ARCHITECTURE_MIPS64,
        ContextKind::Ppc => PROCESSOR_ARCHITECTURE_PPC,
        ContextKind::Ppc64 => PROCESSOR_ARCHITECTURE_PPC64,
        ContextKind::Sparc => PROCESSOR_ARCHITECTURE_SPARC,
        ContextKind::Riscv64 => PROCESSOR_ARCHITECTURE_RISCV64,
    }
}

fn is_64bit(kind: ContextKind) -> bool {
    !matches!(kind, ContextKind::X86 | ContextKind::Arm | ContextKind::Mips | ContextKind::Ppc)
}

fn thread(u: &mut Unstructured<'_>, kind: ContextKind) -> Result<ThreadModel> {
    Ok(ThreadModel {
        thread_id: u.arbitrary()?,
        suspend_count: u.arbitrary()?,
        priority_class: u.arbitrary()?,
        priority: u.arbitrary()?,
        teb: u.arbitrary()?,
        stack: range(u)?,
        context: context(u, kind)?,
    })
}

fn dictionary(u: &mut Unstructured<'_>) -> Result<Vec<(Vec<u8>, Vec<u8>)>> {
    list(u, 4, |u| Ok((small_bytes(u, 16)?, small_bytes(u, 32)?)))
}

/// One stream of type `which` (an index into the generated kinds).
fn stream(u: &mut Unstructured<'_>, which: u8, kind: ContextKind) -> Result<StreamModel> {
    Ok(match which {
        0 => StreamModel::ThreadList(list(u, 4, |u| thread(u, kind))?),
        1 => StreamModel::ThreadExList(list(u, 3, |u| {
            Ok(ThreadExModel { thread: thread(u, kind)?, backing_store: range(u)? })
        })?),
        2 => StreamModel::ModuleList(list(u, 4, |u| {
            Ok(ModuleModel { raw: pod(u)?, name: units(u, 40, false)?, cv_record: codeview(u)?, misc_record: misc(u)? })
        })?),
        3 => StreamModel::UnloadedModuleList(list(u, 4, |u| {
            Ok(UnloadedModuleModel { raw: pod(u)?, name: units(u, 40, false)? })
        })?),
        4 => StreamModel::MemoryList(list(u, 4, range)?),
        5 => StreamModel::Memory64List(list(u, 4, range)?),
        6 => StreamModel::Exception(ExceptionModel {
            thread_id: u.arbitrary()?,
            record: pod(u)?,
            context: context(u, kind)?,
        }),
        7 => {
            let mut raw: MinidumpSystemInfo = pod(u)?;
            raw.processor_architecture = mdump_format::U16::new(architecture(kind));
            StreamModel::SystemInfo(SystemInfoModel { raw, csd_version: units(u, 40, false)? })
        }
        8 => {
            let size = *u.choose(&[24usize, 44, 232, 832, 1364])?;
            let mut bytes = u.bytes(size)?.to_vec();
            bytes[..4].copy_from_slice(&(size as u32).to_le_bytes());
            StreamModel::MiscInfo(bytes)
        }
        9 => StreamModel::ThreadInfoList(list(u, 4, pod)?),
        10 => StreamModel::ThreadNames(list(u, 4, |u| Ok((u.arbitrary()?, units(u, 24, false)?)))?),
        11 => StreamModel::HandleData {
            v2: u.arbitrary()?,
            handles: list(u, 3, |u| {
                Ok(HandleModel {
                    raw: pod(u)?,
                    type_name: if u.arbitrary()? { Some(units(u, 16, false)?) } else { None },
                    object_name: if u.arbitrary()? { Some(units(u, 16, false)?) } else { None },
                    object_infos: list(u, 2, |u| Ok((u.arbitrary()?, small_bytes(u, 24)?)))?,
                })
            })?,
        },
        12 => StreamModel::HandleOperationList(list(u, 2, pod)?),
        13 => StreamModel::MemoryInfoList(list(u, 4, pod)?),
        14 => StreamModel::CommentA(small_bytes(u, 40)?.into_iter().map(|b| b.max(1)).collect()),
        15 => StreamModel::CommentW(units(u, 40, true)?),
        16 => StreamModel::Token(list(u, 3, |u| {
            Ok(TokenModel { token_id: u.arbitrary()?, token_handle: u.arbitrary()?, data: small_bytes(u, 32)? })
        })?),
        17 => {
            let native = u.int_in_range(0..=16u32)?;
            let entry = u.int_in_range(1..=24u32)?;
            let tables = list(u, 3, |u| {
                let descriptor = pod(u)?;
                let entries = u.int_in_range(0..=4usize)?;
                Ok((descriptor, u.bytes(native as usize)?.to_vec(), u.bytes(entries * entry as usize)?.to_vec()))
            })?;
            StreamModel::FunctionTable(FunctionTableModel {
                size_of_native_descriptor: native,
                size_of_function_entry: entry,
                size_of_align_pad: 0,
                tables,
            })
        }
        18 => {
            let mut raw: SystemMemoryInfo1 = pod(u)?;
            raw.revision = mdump_format::U16::new(1);
            StreamModel::SystemMemoryInfo(raw)
        }
        19 => {
            if u.arbitrary()? {
                let mut c: ProcessVmCounters1 = pod(u)?;
                c.revision = mdump_format::U16::new(1);
                StreamModel::ProcessVmCounters(ProcessVmCountersModel::V1(c))
            } else {
                let mut c: ProcessVmCounters2 = pod(u)?;
                c.revision = mdump_format::U16::new(2);
                StreamModel::ProcessVmCounters(ProcessVmCountersModel::V2(c))
            }
        }
        20 => StreamModel::BreakpadInfo(pod(u)?),
        21 => StreamModel::AssertionInfo(pod(u)?),
        22 => StreamModel::LinuxDsoDebug(DsoDebugModel {
            is_64bit: is_64bit(kind),
            version: u.arbitrary()?,
            brk: u.arbitrary()?,
            ldbase: u.arbitrary()?,
            dynamic: u.arbitrary()?,
            link_maps: list(u, 3, |u| {
                let name = if u.arbitrary()? { Some(units(u, 24, false)?) } else { None };
                Ok((u.arbitrary()?, u.arbitrary()?, name))
            })?,
            dynamic_bytes: small_bytes(u, 48)?,
        }),
        23 => StreamModel::CrashpadInfo(CrashpadInfoModel {
            version: u.int_in_range(1..=3)?,
            report_id: pod(u)?,
            client_id: pod(u)?,
            simple_annotations: dictionary(u)?,
            modules: list(u, 2, |u| {
                Ok(CrashpadModuleModel {
                    module_index: u.arbitrary()?,
                    version: u.int_in_range(1..=3)?,
                    list_annotations: list(u, 3, |u| small_bytes(u, 16))?,
                    simple_annotations: dictionary(u)?,
                    annotation_objects: list(u, 2, |u| {
                        Ok(AnnotationModel {
                            name: small_bytes(u, 16)?,
                            annotation_type: u.arbitrary()?,
                            value: small_bytes(u, 24)?,
                        })
                    })?,
                })
            })?,
        }),
        _ => {
            // Text streams and an unknown vendor stream, kept as bytes.
            let types = [
                StreamType::LINUX_CPU_INFO,
                StreamType::LINUX_PROC_STATUS,
                StreamType::LINUX_LSB_RELEASE,
                StreamType::LINUX_CMD_LINE,
                StreamType::LINUX_ENVIRON,
                StreamType::LINUX_AUXV,
                StreamType::LINUX_MAPS,
                StreamType(0x7777_0001),
            ];
            let stream_type = types[usize::from(which - 24) % types.len()];
            StreamModel::Raw { stream_type, bytes: small_bytes(u, 96)? }
        }
    })
}

/// Number of stream kinds [`stream`] can make.
const KINDS: u8 = 32;

impl<'a> Arbitrary<'a> for DumpModel {
    fn arbitrary(u: &mut Unstructured<'a>) -> Result<Self> {
        let kind = *u.choose(&ContextKind::ALL)?;
        let mut chosen = [false; KINDS as usize];
        let mut streams = Vec::new();
        let n = u.int_in_range(0..=12usize)?;
        for _ in 0..n {
            let which = u.int_in_range(0..=KINDS - 1)?;
            if std::mem::replace(&mut chosen[usize::from(which)], true) {
                continue;
            }
            streams.push(stream(u, which, kind)?);
        }
        // The reader picks the DSO debug layout from SystemInfo (64-bit when
        // there is none): make the model agree, and keep 32-bit addresses
        // within 32 bits.
        let has_system = streams.iter().any(|s| matches!(s, StreamModel::SystemInfo(_)));
        for s in &mut streams {
            if let StreamModel::LinuxDsoDebug(d) = s {
                if !has_system {
                    d.is_64bit = true;
                }
                if !d.is_64bit {
                    let low = |v: &mut u64| *v &= 0xffff_ffff;
                    low(&mut d.brk);
                    low(&mut d.ldbase);
                    low(&mut d.dynamic);
                    for (addr, ld, _) in &mut d.link_maps {
                        low(addr);
                        low(ld);
                    }
                }
            }
        }
        Ok(DumpModel { time_date_stamp: u.arbitrary()?, flags: u.arbitrary()?, streams })
    }
}

/// The bytes of the model's memory as [`PatternMemory`] gives them, for
/// comparing a written dump's memory with what was meant.
pub fn pattern_bytes(range: MemoryRange) -> Vec<u8> {
    let mut v = vec![0u8; range.size as usize];
    let n = PatternMemory.read(range.start, &mut v);
    v.truncate(n);
    v
}
