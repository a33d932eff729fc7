//! `.eh_frame` / `.debug_frame` to `STACK CFI` records, as Breakpad's
//! `DwarfCFIToModule` writes them.
//!
//! gimli parses the entries and their instructions; the instructions are
//! interpreted here rather than through gimli's unwind table because
//! Breakpad reports each rule as an instruction sets it (its records are a
//! log of rule changes, not a diff of table rows): `DW_CFA_undefined` and
//! DWARF expressions leave no record, `DW_CFA_restore` of a register the
//! CIE never mentioned becomes "same value", and `DW_CFA_restore_state`
//! reports what differs from the state it returns to.
//!
//! Each rule is `<register>: <postfix expression>`: the CFA as
//! `.cfa: $rsp 8 +`, a register saved at CFA+N as `$rbx: .cfa -16 + ^`, the
//! return address column as `.ra`. Rules of one address are written in
//! byte order of their names, as Breakpad's `std::map` orders them.

use std::collections::{BTreeMap, HashMap};

use gimli::{BaseAddresses, CieOrFde, CommonInformationEntry, EndianSlice, RunTimeEndian, UnwindSection};
use object::elf;

use crate::model::{CfiDelta, CfiInit};

type R<'d> = EndianSlice<'d, RunTimeEndian>;

/// Where the CFI section is and the bases its pointers may be relative to.
pub(crate) struct CfiSection<'a> {
    pub(crate) data: &'a [u8],
    pub(crate) eh_frame: bool,
    pub(crate) address: u64,
    pub(crate) text: Option<u64>,
    pub(crate) got: Option<u64>,
}

/// How a register is recovered (Breakpad's `CallFrameInfo::Rule` kinds).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Rule {
    Undefined,
    SameValue,
    /// Saved at CFA + offset.
    Offset(i64),
    /// Equal to CFA + offset.
    ValOffset(i64),
    /// In another register.
    Register(u16),
    /// A DWARF expression (Breakpad cannot express it; not written).
    Expression,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Cfa {
    RegisterOffset(u16, i64),
    Expression,
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
struct State {
    cfa: Option<Cfa>,
    registers: BTreeMap<u16, Rule>,
}

/// Breakpad's register names for the machine, indexed by DWARF number;
/// `None` when Breakpad cannot convert CFI for it.
pub(crate) fn register_names(machine: u16) -> Option<&'static [&'static str]> {
    Some(match machine {
        elf::EM_386 => &X86,
        elf::EM_X86_64 => &X86_64,
        elf::EM_ARM => &ARM,
        elf::EM_AARCH64 => &ARM64,
        elf::EM_MIPS => MIPS,
        _ => return None,
    })
}

const X86: [&str; 50] = [
    "$eax", "$ecx", "$edx", "$ebx", "$esp", "$ebp", "$esi", "$edi", "$eip", "$eflags", "$unused1", "$st0", "$st1",
    "$st2", "$st3", "$st4", "$st5", "$st6", "$st7", "$unused2", "$unused3", "$xmm0", "$xmm1", "$xmm2", "$xmm3",
    "$xmm4", "$xmm5", "$xmm6", "$xmm7", "$mm0", "$mm1", "$mm2", "$mm3", "$mm4", "$mm5", "$mm6", "$mm7", "$fcw", "$fsw",
    "$mxcsr", "$es", "$cs", "$ss", "$ds", "$fs", "$gs", "$unused4", "$unused5", "$tr", "$ldtr",
];

const X86_64: [&str; 67] = [
    "$rax", "$rdx", "$rcx", "$rbx", "$rsi", "$rdi", "$rbp", "$rsp", "$r8", "$r9", "$r10", "$r11", "$r12", "$r13",
    "$r14", "$r15", "$rip", "$xmm0", "$xmm1", "$xmm2", "$xmm3", "$xmm4", "$xmm5", "$xmm6", "$xmm7", "$xmm8", "$xmm9",
    "$xmm10", "$xmm11", "$xmm12", "$xmm13", "$xmm14", "$xmm15", "$st0", "$st1", "$st2", "$st3", "$st4", "$st5", "$st6",
    "$st7", "$mm0", "$mm1", "$mm2", "$mm3", "$mm4", "$mm5", "$mm6", "$mm7", "$rflags", "$es", "$cs", "$ss", "$ds",
    "$fs", "$gs", "$unused1", "$unused2", "$fs.base", "$gs.base", "$unused3", "$unused4", "$tr", "$ldtr", "$mxcsr",
    "$fcw", "$fsw",
];

const ARM: [&str; 104] = {
    let mut n = [""; 104];
    let named = [
        "r0", "r1", "r2", "r3", "r4", "r5", "r6", "r7", "r8", "r9", "r10", "r11", "r12", "sp", "lr", "pc", "f0", "f1",
        "f2", "f3", "f4", "f5", "f6", "f7", "fps", "cpsr",
    ];
    let mut i = 0;
    while i < named.len() {
        n[i] = named[i];
        i += 1;
    }
    let s = [
        "s0", "s1", "s2", "s3", "s4", "s5", "s6", "s7", "s8", "s9", "s10", "s11", "s12", "s13", "s14", "s15", "s16",
        "s17", "s18", "s19", "s20", "s21", "s22", "s23", "s24", "s25", "s26", "s27", "s28", "s29", "s30", "s31", "f0",
        "f1", "f2", "f3", "f4", "f5", "f6", "f7",
    ];
    let mut j = 0;
    while j < s.len() {
        n[64 + j] = s[j];
        j += 1;
    }
    n
};

const ARM64: [&str; 96] = {
    let mut n = [""; 96];
    let x = [
        "x0", "x1", "x2", "x3", "x4", "x5", "x6", "x7", "x8", "x9", "x10", "x11", "x12", "x13", "x14", "x15", "x16",
        "x17", "x18", "x19", "x20", "x21", "x22", "x23", "x24", "x25", "x26", "x27", "x28", "x29", "x30", "sp",
    ];
    let v = [
        "v0", "v1", "v2", "v3", "v4", "v5", "v6", "v7", "v8", "v9", "v10", "v11", "v12", "v13", "v14", "v15", "v16",
        "v17", "v18", "v19", "v20", "v21", "v22", "v23", "v24", "v25", "v26", "v27", "v28", "v29", "v30", "v31",
    ];
    let mut i = 0;
    while i < 32 {
        n[i] = x[i];
        n[64 + i] = v[i];
        i += 1;
    }
    n
};

const MIPS: &[&str] = &[
    "$zero", "$at", "$v0", "$v1", "$a0", "$a1", "$a2", "$a3", "$t0", "$t1", "$t2", "$t3", "$t4", "$t5", "$t6", "$t7",
    "$s0", "$s1", "$s2", "$s3", "$s4", "$s5", "$s6", "$s7", "$t8", "$t9", "$k0", "$k1", "$gp", "$sp", "$fp", "$ra",
    "$lo", "$hi", "$pc", "$f0", "$f2", "$f3", "$f4", "$f5", "$f6", "$f7", "$f8", "$f9", "$f10", "$f11", "$f12", "$f13",
    "$f14", "$f15", "$f16", "$f17", "$f18", "$f19", "$f20", "$f21", "$f22", "$f23", "$f24", "$f25", "$f26", "$f27",
    "$f28", "$f29", "$f30", "$f31", "$fcsr", "$fir",
];

/// Most `DW_CFA_remember_state` levels kept: each level copies the rule set,
/// so an unbounded stack would grow quadratically on hostile input.
const MAX_STATE_STACK: usize = 64;

/// Converts every FDE of `section` (in section order) to a `STACK CFI INIT`
/// with its `STACK CFI` records. Addresses stay absolute. Malformed entries
/// end the section (or the entry) without failing the dump; `budget` caps
/// the instructions interpreted in all, against hostile CIEs shared by many
/// FDEs.
pub(crate) fn convert(
    section: &CfiSection<'_>,
    big_endian: bool,
    address_size: u8,
    machine: u16,
    names: &'static [&'static str],
    budget: &mut u64,
) -> Vec<CfiInit<'static>> {
    let endian = if big_endian { RunTimeEndian::Big } else { RunTimeEndian::Little };
    let mut bases = BaseAddresses::default();
    if section.eh_frame {
        bases = bases.set_eh_frame(section.address);
    }
    if let Some(text) = section.text {
        bases = bases.set_text(text);
    }
    if let Some(got) = section.got {
        bases = bases.set_got(got);
    }
    let data = EndianSlice::new(section.data, endian);
    if section.eh_frame {
        let mut eh = gimli::EhFrame::from(data);
        eh.set_address_size(address_size);
        if machine == elf::EM_AARCH64 {
            eh.set_vendor(gimli::Vendor::AArch64);
        }
        convert_section(&eh, &bases, names, budget)
    } else {
        let mut df = gimli::DebugFrame::from(data);
        df.set_address_size(address_size);
        if machine == elf::EM_AARCH64 {
            df.set_vendor(gimli::Vendor::AArch64);
        }
        convert_section(&df, &bases, names, budget)
    }
}

fn convert_section<'d, S: UnwindSection<R<'d>>>(
    section: &S,
    bases: &BaseAddresses,
    names: &'static [&'static str],
    budget: &mut u64,
) -> Vec<CfiInit<'static>>
where
    S::Offset: std::hash::Hash,
{
    let mut out = Vec::new();
    let mut cies: HashMap<S::Offset, CommonInformationEntry<R<'d>>> = HashMap::new();
    let mut entries = section.entries(bases);
    while *budget > 0 {
        let partial = match entries.next() {
            Ok(Some(CieOrFde::Fde(partial))) => partial,
            Ok(Some(CieOrFde::Cie(_))) => continue,
            Ok(None) | Err(_) => break,
        };
        let fde = partial.parse(|section, bases, offset| {
            if let Some(cie) = cies.get(&offset) {
                return Ok(cie.clone());
            }
            let cie = section.cie_from_offset(bases, offset)?;
            cies.insert(offset, cie.clone());
            Ok(cie)
        });
        let Ok(fde) = fde else { continue };
        out.push(Entry::new(&fde, names).run(section, bases, &fde, budget));
    }
    out
}

/// What a recorded rule says, formatted only when the entry is written.
#[derive(Clone, Copy, Debug)]
enum Text {
    /// A register's name alone (same value, another register, `.ra` at the
    /// start).
    Reg(u16),
    /// `<register> <offset> +`: the CFA.
    RegPlus(u16, i64),
    /// `.cfa <offset> + ^`: saved at CFA + offset.
    SavedAt(i64),
    /// `.cfa <offset> +`: equal to CFA + offset.
    CfaPlus(i64),
}

/// Which rule a record sets: the CFA, or a register (its own number; the
/// return address column is written `.ra`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Key {
    Cfa,
    Reg(u16),
}

/// One FDE being converted: a log of (address, rule, text) in the order the
/// instructions set them, sorted and formatted by [`Entry::finish`].
struct Entry {
    address: u64,
    size: u64,
    ra: u16,
    names: &'static [&'static str],
    log: Vec<(u64, Key, Text)>,
}

impl Entry {
    fn new(fde: &gimli::FrameDescriptionEntry<R<'_>>, names: &'static [&'static str]) -> Entry {
        let ra = fde.cie().return_address_register().0;
        let mut log = Vec::new();
        let address = fde.initial_address();
        // A STACK CFI record must give `.ra`; DWARF may leave the return
        // address in its own register without a rule, so start from that.
        if usize::from(ra) < names.len() {
            log.push((address, Key::Reg(ra), Text::Reg(ra)));
        }
        Entry { address, size: fde.len(), ra, names, log }
    }

    /// Breakpad's name for a register (`.ra` for the return address column
    /// only as a rule's key, see [`Entry::key_name`]).
    fn reg_name(&self, reg: u16, out: &mut String) {
        if reg == self.ra {
            out.push_str(".ra");
            return;
        }
        match self.names.get(usize::from(reg)) {
            Some(n) if !n.is_empty() => out.push_str(n),
            _ => {
                out.push_str("unnamed_register");
                out.push_str(&reg.to_string());
            }
        }
    }

    fn key_name(&self, key: Key) -> std::borrow::Cow<'static, str> {
        match key {
            Key::Cfa => ".cfa".into(),
            Key::Reg(r) if r == self.ra => ".ra".into(),
            Key::Reg(r) => match self.names.get(usize::from(r)) {
                Some(n) if !n.is_empty() => (*n).into(),
                _ => format!("unnamed_register{r}").into(),
            },
        }
    }

    /// Records what Breakpad's handler records for `reg` taking `rule`.
    fn report(&mut self, address: u64, reg: u16, rule: Rule) {
        let text = match rule {
            Rule::Undefined | Rule::Expression => return,
            Rule::SameValue => Text::Reg(reg),
            Rule::Offset(o) => Text::SavedAt(o),
            Rule::ValOffset(o) => Text::CfaPlus(o),
            Rule::Register(r) => Text::Reg(r),
        };
        self.log.push((address, Key::Reg(reg), text));
    }

    fn report_cfa(&mut self, address: u64, cfa: Cfa) {
        if let Cfa::RegisterOffset(reg, offset) = cfa {
            self.log.push((address, Key::Cfa, Text::RegPlus(reg, offset)));
        }
    }

    /// Runs the CIE's then the FDE's instructions; stops early (keeping what
    /// was recorded) on a malformed or unsupported instruction.
    fn run<'d, S: UnwindSection<R<'d>>>(
        mut self,
        section: &S,
        bases: &BaseAddresses,
        fde: &gimli::FrameDescriptionEntry<R<'d>>,
        budget: &mut u64,
    ) -> CfiInit<'static> {
        let cie = fde.cie();
        let caf = cie.code_alignment_factor();
        let daf = cie.data_alignment_factor();
        let mut state = State::default();
        let mut address = self.address;
        let mut stack: Vec<State> = Vec::new();
        let mut cie_state = None;
        let mut iters = [cie.instructions(section, bases), fde.instructions(section, bases)];
        'outer: for (phase, iter) in iters.iter_mut().enumerate() {
            if phase == 1 {
                cie_state = Some(state.clone());
            }
            loop {
                if *budget == 0 {
                    break 'outer;
                }
                *budget -= 1;
                let insn = match iter.next() {
                    Ok(Some(i)) => i,
                    Ok(None) => break,
                    Err(_) => break 'outer,
                };
                use gimli::CallFrameInstruction as I;
                let ok = match insn {
                    I::SetLoc { address: a } => {
                        address = a;
                        true
                    }
                    I::AdvanceLoc { delta } => {
                        address = address.wrapping_add(u64::from(delta).wrapping_mul(caf));
                        true
                    }
                    I::DefCfa { register, offset } => self.set_cfa(&mut state, address, register.0, offset as i64),
                    I::DefCfaSf { register, factored_offset } => {
                        self.set_cfa(&mut state, address, register.0, factored_offset.wrapping_mul(daf))
                    }
                    I::DefCfaRegister { register } => match state.cfa {
                        Some(Cfa::RegisterOffset(_, offset)) => self.set_cfa(&mut state, address, register.0, offset),
                        _ => false,
                    },
                    I::DefCfaOffset { offset } => match state.cfa {
                        Some(Cfa::RegisterOffset(reg, _)) => self.set_cfa(&mut state, address, reg, offset as i64),
                        _ => false,
                    },
                    I::DefCfaOffsetSf { factored_offset } => match state.cfa {
                        Some(Cfa::RegisterOffset(reg, _)) => {
                            self.set_cfa(&mut state, address, reg, factored_offset.wrapping_mul(daf))
                        }
                        _ => false,
                    },
                    I::DefCfaExpression { .. } => {
                        state.cfa = Some(Cfa::Expression);
                        true
                    }
                    I::Undefined { register } => self.set(&mut state, address, register.0, Rule::Undefined),
                    I::SameValue { register } => self.set(&mut state, address, register.0, Rule::SameValue),
                    I::Offset { register, factored_offset } => self.set(
                        &mut state,
                        address,
                        register.0,
                        Rule::Offset((factored_offset as i64).wrapping_mul(daf)),
                    ),
                    I::OffsetExtendedSf { register, factored_offset } => {
                        self.set(&mut state, address, register.0, Rule::Offset(factored_offset.wrapping_mul(daf)))
                    }
                    I::ValOffset { register, factored_offset } => self.set(
                        &mut state,
                        address,
                        register.0,
                        Rule::ValOffset((factored_offset as i64).wrapping_mul(daf)),
                    ),
                    I::ValOffsetSf { register, factored_offset } => {
                        self.set(&mut state, address, register.0, Rule::ValOffset(factored_offset.wrapping_mul(daf)))
                    }
                    I::Register { dest_register, src_register } => {
                        self.set(&mut state, address, dest_register.0, Rule::Register(src_register.0))
                    }
                    I::Expression { register, .. } | I::ValExpression { register, .. } => {
                        self.set(&mut state, address, register.0, Rule::Expression)
                    }
                    I::Restore { register } => {
                        // The CIE's rule, or "same value" when the CIE had none.
                        let rule = cie_state
                            .as_ref()
                            .and_then(|s| s.registers.get(&register.0).copied())
                            .unwrap_or(Rule::SameValue);
                        self.set(&mut state, address, register.0, rule)
                    }
                    I::RememberState => {
                        if stack.len() >= MAX_STATE_STACK {
                            false
                        } else {
                            stack.push(state.clone());
                            true
                        }
                    }
                    I::RestoreState => match stack.pop() {
                        Some(saved) => self.transition(&mut state, saved, address),
                        None => false,
                    },
                    I::ArgsSize { .. } | I::NegateRaState | I::Nop => true,
                    _ => true,
                };
                if !ok {
                    break 'outer;
                }
            }
        }
        self.finish()
    }

    fn set_cfa(&mut self, state: &mut State, address: u64, reg: u16, offset: i64) -> bool {
        let cfa = Cfa::RegisterOffset(reg, offset);
        state.cfa = Some(cfa);
        self.report_cfa(address, cfa);
        true
    }

    fn set(&mut self, state: &mut State, address: u64, reg: u16, rule: Rule) -> bool {
        state.registers.insert(reg, rule);
        self.report(address, reg, rule);
        true
    }

    /// `DW_CFA_restore_state`: report every rule that differs between the
    /// current state and the saved one (a register only the current state
    /// has goes back to "same value"), then adopt the saved state.
    fn transition(&mut self, state: &mut State, saved: State, address: u64) -> bool {
        match (state.cfa, saved.cfa) {
            (Some(old), Some(new)) if old != new => self.report_cfa(address, new),
            (Some(_), None) | (None, Some(_)) => return false,
            _ => {}
        }
        let mut regs: Vec<u16> = state.registers.keys().chain(saved.registers.keys()).copied().collect();
        regs.sort_unstable();
        regs.dedup();
        for reg in regs {
            match (state.registers.get(&reg), saved.registers.get(&reg)) {
                (Some(_), None) => self.report(address, reg, Rule::SameValue),
                (None, Some(&new)) => self.report(address, reg, new),
                (Some(old), Some(&new)) if *old != new => self.report(address, reg, new),
                _ => {}
            }
        }
        *state = saved;
        true
    }

    fn finish(mut self) -> CfiInit<'static> {
        // Per address, the last rule set for a register wins; rules are
        // written in name order.
        let start = self.address;
        let mut log = std::mem::take(&mut self.log);
        // Stable: the instructions' order decides among equal keys. The
        // initial rules first, then the changes by address (as Breakpad's
        // map orders them, even one a hostile `DW_CFA_set_loc` put before
        // the start).
        log.sort_by_key(|e| (e.0 != start, e.0));
        let mut init = String::new();
        let mut deltas = Vec::new();
        let mut i = 0;
        let mut group: Vec<(std::borrow::Cow<'static, str>, Text)> = Vec::new();
        while i < log.len() {
            let at = log[i].0;
            group.clear();
            while i < log.len() && log[i].0 == at {
                let (_, key, text) = log[i];
                let name = self.key_name(key);
                match group.iter_mut().find(|g| g.0 == name) {
                    Some(g) => g.1 = text,
                    None => group.push((name, text)),
                }
                i += 1;
            }
            group.sort_by(|a, b| a.0.cmp(&b.0));
            let mut rules = String::with_capacity(16 * group.len());
            for (name, text) in &group {
                if !rules.is_empty() {
                    rules.push(' ');
                }
                rules.push_str(name);
                rules.push_str(": ");
                match *text {
                    Text::Reg(r) => self.reg_name(r, &mut rules),
                    Text::RegPlus(r, o) => {
                        self.reg_name(r, &mut rules);
                        rules.push(' ');
                        rules.push_str(&o.to_string());
                        rules.push_str(" +");
                    }
                    Text::SavedAt(o) => {
                        rules.push_str(".cfa ");
                        rules.push_str(&o.to_string());
                        rules.push_str(" + ^");
                    }
                    Text::CfaPlus(o) => {
                        rules.push_str(".cfa ");
                        rules.push_str(&o.to_string());
                        rules.push_str(" +");
                    }
                }
            }
            if at == start {
                init = rules;
            } else {
                deltas.push(CfiDelta { address: at, rules: rules.into() });
            }
        }
        CfiInit { address: start, size: self.size, rules: init.into(), deltas }
    }
}
