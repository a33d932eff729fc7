//! x64 `STACK CFI` from the exception directory, as Breakpad's `dump_syms`
//! writes it: one `STACK CFI INIT` per `.pdata` entry giving the return
//! address's place, and one `STACK CFI` at the same address giving the
//! frame's whole size (return address, pushes and allocations of the
//! prologue, chained unwind info included). Breakpad ignores where in the
//! prologue each push happens, so the rules are those of the function body.

use std::borrow::Cow;

use super::image::{u32_at, RuntimeFunction, RvaReader};
use crate::model::{CfiDelta, CfiInit};

const UWOP_PUSH_NONVOL: u8 = 0;
const UWOP_ALLOC_LARGE: u8 = 1;
const UWOP_ALLOC_SMALL: u8 = 2;
const UWOP_SAVE_NONVOL: u8 = 4;
const UWOP_SAVE_NONVOL_FAR: u8 = 5;
const UWOP_SAVE_XMM128: u8 = 8;
const UWOP_SAVE_XMM128_FAR: u8 = 9;
const UWOP_PUSH_MACHFRAME: u8 = 10;
const UNW_FLAG_CHAININFO: u8 = 4;

/// How many indirections (`RUNTIME_FUNCTION` pointing at another, chained
/// unwind info) are followed; real images use one or two, a hostile one
/// could loop.
const MAX_CHAIN: usize = 32;

/// The CFI records of every entry, in `.pdata` order.
pub fn cfi_records(functions: &[RuntimeFunction], image: RvaReader<'_>) -> Vec<CfiInit<'static>> {
    functions.iter().map(|f| cfi_record(f, |rva| image.at(rva))).collect()
}

/// The record of one entry; `at(rva)` gives the image's bytes from `rva`.
fn cfi_record<'d>(f: &RuntimeFunction, at: impl Fn(u32) -> &'d [u8]) -> CfiInit<'static> {
    // An unwind address with bit 0 set names another RUNTIME_FUNCTION whose
    // unwind info this entry shares.
    let mut unwind = f.unwind;
    for _ in 0..MAX_CHAIN {
        if unwind & 1 == 0 {
            break;
        }
        unwind = u32_at(at(unwind ^ 1), 8);
    }
    let (stack_size, rip_offset) = frame_size(unwind, at);
    CfiInit {
        address: u64::from(f.begin),
        size: u64::from(f.end.wrapping_sub(f.begin)),
        rules: Cow::Owned(format!(".cfa: $rsp .ra: .cfa {rip_offset} - ^")),
        deltas: vec![CfiDelta { address: u64::from(f.begin), rules: Cow::Owned(format!(".cfa: $rsp {stack_size} +")) }],
    }
}

/// (bytes between the CFA and `$rsp` after the prologue, bytes between the
/// CFA and the return address), summed over the chain of unwind infos.
fn frame_size<'d>(mut unwind: u32, at: impl Fn(u32) -> &'d [u8]) -> (u32, u32) {
    // The return address alone takes 8 bytes.
    let mut stack_size: u32 = 8;
    let mut rip_offset: u32 = 8;
    for _ in 0..MAX_CHAIN {
        let info = at(unwind);
        if info.len() < 4 {
            break;
        }
        let flags = info[0] >> 3;
        let count = usize::from(info[2]);
        let code = |i: usize| -> Option<(u8, u8, u16)> {
            let b = info.get(4 + 2 * i..6 + 2 * i)?;
            Some((b[1] & 0xf, b[1] >> 4, u16::from_le_bytes([b[0], b[1]])))
        };
        let mut c = 0;
        while c < count {
            let Some((op, op_info, _)) = code(c) else { break };
            match op {
                UWOP_PUSH_NONVOL => stack_size = stack_size.wrapping_add(8),
                UWOP_ALLOC_LARGE if op_info == 0 => {
                    c += 1;
                    if c < count {
                        let slot = code(c).map_or(0, |s| u32::from(s.2));
                        stack_size = stack_size.wrapping_add(slot.wrapping_mul(8));
                    }
                }
                UWOP_ALLOC_LARGE => {
                    c += 2;
                    if c < count {
                        let low = code(c - 1).map_or(0, |s| u32::from(s.2));
                        let high = code(c).map_or(0, |s| u32::from(s.2));
                        stack_size = stack_size.wrapping_add(low | high << 16);
                    }
                }
                UWOP_ALLOC_SMALL => stack_size = stack_size.wrapping_add(u32::from(op_info) * 8 + 8),
                UWOP_SAVE_NONVOL | UWOP_SAVE_XMM128 => c += 1,
                UWOP_SAVE_NONVOL_FAR | UWOP_SAVE_XMM128_FAR => c += 2,
                UWOP_PUSH_MACHFRAME => {
                    // The machine frame (with or without an error code) sits
                    // between the CFA and the return address.
                    stack_size = stack_size.wrapping_add(if op_info != 0 { 88 } else { 80 });
                    rip_offset = rip_offset.wrapping_add(80);
                }
                // UWOP_SET_FPREG and the old SAVE_XMM codes change nothing
                // Breakpad records.
                _ => {}
            }
            c += 1;
        }
        if flags & UNW_FLAG_CHAININFO == 0 {
            break;
        }
        // The chained RUNTIME_FUNCTION follows the codes, padded to an even
        // count; its third field is the next unwind info.
        let chained = 4 + ((count + 1) & !1) * 2;
        unwind = u32_at(info, chained + 8);
    }
    (stack_size, rip_offset)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An image of one section at RVA 0: `bytes` at their offsets.
    fn reader<'d>(bytes: &'d [u8]) -> impl Fn(u32) -> &'d [u8] {
        move |rva| bytes.get(rva as usize..).unwrap_or(&[])
    }

    fn code(offset: u8, op: u8, info: u8) -> [u8; 2] {
        [offset, op | info << 4]
    }

    #[test]
    fn pushes_and_allocations_add_up_across_chained_info() {
        let mut image = vec![0u8; 0x100];
        // Unwind info at 0x10: flags CHAININFO, 4 codes: push, alloc small
        // 0x28, alloc large 0x100 (16-bit slot, scaled by 8).
        image[0x10] = 1 | UNW_FLAG_CHAININFO << 3;
        image[0x12] = 4;
        image[0x14..0x16].copy_from_slice(&code(4, UWOP_PUSH_NONVOL, 3));
        image[0x16..0x18].copy_from_slice(&code(3, UWOP_ALLOC_SMALL, 4));
        image[0x18..0x1a].copy_from_slice(&code(2, UWOP_ALLOC_LARGE, 0));
        image[0x1a..0x1c].copy_from_slice(&0x20u16.to_le_bytes());
        // Chained RUNTIME_FUNCTION after the 4 codes: unwind info at 0x40.
        image[0x1c + 8..0x1c + 12].copy_from_slice(&0x40u32.to_le_bytes());
        // 0x40: two pushes, then a machine frame with an error code.
        image[0x40] = 1;
        image[0x42] = 3;
        image[0x44..0x46].copy_from_slice(&code(1, UWOP_PUSH_NONVOL, 5));
        image[0x46..0x48].copy_from_slice(&code(1, UWOP_PUSH_NONVOL, 6));
        image[0x48..0x4a].copy_from_slice(&code(0, UWOP_PUSH_MACHFRAME, 1));
        // An entry pointing at another entry (bit 0) whose info is 0x10.
        image[0x80 + 8..0x80 + 12].copy_from_slice(&0x10u32.to_le_bytes());
        let f = RuntimeFunction { begin: 0x1000, end: 0x1040, unwind: 0x81 };
        let record = cfi_record(&f, reader(&image));
        // 8 (return address) + 8 + 0x28 + 0x100 + 8 + 8 + 88.
        let size = 8 + 8 + 0x28 + 0x100 + 16 + 88;
        assert_eq!(record.rules, ".cfa: $rsp .ra: .cfa 88 - ^");
        assert_eq!(record.size, 0x40);
        assert_eq!(record.deltas, vec![CfiDelta { address: 0x1000, rules: format!(".cfa: $rsp {size} +").into() }]);
    }

    #[test]
    fn unreadable_or_looping_info_still_gives_a_record() {
        let image = vec![0u8; 16];
        let f = RuntimeFunction { begin: 0x10, end: 0x8, unwind: 0xffff_fff1 };
        let record = cfi_record(&f, reader(&image));
        assert_eq!(record.deltas[0].rules, ".cfa: $rsp 8 +");
        // A chained info pointing at itself stops after MAX_CHAIN rounds.
        let mut image = vec![0u8; 0x40];
        image[0] = 1 | UNW_FLAG_CHAININFO << 3;
        image[2] = 1;
        image[4..6].copy_from_slice(&code(1, UWOP_PUSH_NONVOL, 0));
        let record = cfi_record(&RuntimeFunction { begin: 0, end: 4, unwind: 0 }, reader(&image));
        assert_eq!(record.deltas[0].rules, format!(".cfa: $rsp {} +", 8 + 8 * MAX_CHAIN));
    }
}
