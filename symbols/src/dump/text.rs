//! Writing a [`SymbolFile`] as text without `core::fmt`: the same bytes as
//! its `Display` ([`crate::write`]), several times faster, for dumpers whose
//! output is tens of megabytes of numbers. Tests compare the two on every
//! file they dump.

use std::io;

use crate::model::{Function, FunctionOrPublic, Public, SymbolFile, WinProgram};

/// Bytes gathered before each write to `out`.
const CHUNK: usize = 1 << 16;

struct Out<'w, W: io::Write> {
    buf: Vec<u8>,
    out: &'w mut W,
}

impl<W: io::Write> Out<'_, W> {
    #[inline]
    fn s(&mut self, s: &str) {
        self.buf.extend_from_slice(s.as_bytes());
    }

    #[inline]
    fn hex(&mut self, mut v: u64) {
        let mut tmp = [0u8; 16];
        let mut i = tmp.len();
        loop {
            i -= 1;
            tmp[i] = b"0123456789abcdef"[(v & 15) as usize];
            v >>= 4;
            if v == 0 {
                break;
            }
        }
        self.buf.extend_from_slice(&tmp[i..]);
    }

    #[inline]
    fn dec(&mut self, v: i64) {
        if v < 0 {
            self.buf.push(b'-');
        }
        let mut u = v.unsigned_abs();
        let mut tmp = [0u8; 20];
        let mut i = tmp.len();
        loop {
            i -= 1;
            tmp[i] = b'0' + (u % 10) as u8;
            u /= 10;
            if u == 0 {
                break;
            }
        }
        self.buf.extend_from_slice(&tmp[i..]);
    }

    #[inline]
    fn end_line(&mut self) -> io::Result<()> {
        self.buf.push(b'\n');
        if self.buf.len() >= CHUNK {
            self.out.write_all(&self.buf)?;
            self.buf.clear();
        }
        Ok(())
    }

    fn function(&mut self, f: &Function<'_>) -> io::Result<()> {
        self.s(if f.multiple { "FUNC m " } else { "FUNC " });
        self.hex(f.address);
        self.s(" ");
        self.hex(f.size);
        self.s(" ");
        self.hex(u64::from(f.parameter_size));
        self.s(" ");
        self.s(&f.name);
        self.end_line()?;
        for i in &f.inlines {
            self.s("INLINE ");
            self.dec(i64::from(i.depth));
            self.s(" ");
            self.dec(i64::from(i.call_line));
            if let Some(file) = i.call_file {
                self.s(" ");
                self.dec(i64::from(file));
            }
            self.s(" ");
            self.dec(i64::from(i.origin));
            for r in &i.ranges {
                self.s(" ");
                self.hex(r.address);
                self.s(" ");
                self.hex(r.size);
            }
            self.end_line()?;
        }
        for l in &f.lines {
            self.hex(l.address);
            self.s(" ");
            self.hex(u64::from(l.size));
            self.s(" ");
            self.dec(i64::from(l.line));
            self.s(" ");
            self.dec(i64::from(l.file));
            self.end_line()?;
        }
        Ok(())
    }

    fn public(&mut self, p: &Public<'_>) -> io::Result<()> {
        self.s(if p.multiple { "PUBLIC m " } else { "PUBLIC " });
        self.hex(p.address);
        self.s(" ");
        self.hex(u64::from(p.parameter_size));
        self.s(" ");
        self.s(&p.name);
        self.end_line()?;
        Ok(())
    }
}

/// Writes `file` to `out` exactly as `file.to_string()` would.
pub fn write_symbol_file<W: io::Write>(file: &SymbolFile<'_>, out: &mut W) -> io::Result<()> {
    let mut o = Out { buf: Vec::with_capacity(CHUNK + 4096), out };
    if let Some(m) = &file.module {
        o.s("MODULE ");
        o.s(&m.os);
        o.s(" ");
        o.s(&m.arch);
        o.s(" ");
        o.s(&m.id);
        o.s(" ");
        o.s(&m.name);
        o.end_line()?;
    }
    for i in &file.info {
        o.s("INFO ");
        o.s(&i.key);
        if !i.value.is_empty() || i.key.ends_with('\r') {
            o.s(" ");
            o.s(&i.value);
        }
        o.end_line()?;
    }
    for f in &file.files {
        o.s("FILE ");
        o.dec(i64::from(f.id));
        o.s(" ");
        o.s(&f.name);
        o.end_line()?;
    }
    for r in &file.inline_origins {
        o.s("INLINE_ORIGIN ");
        o.dec(i64::from(r.id));
        o.s(" ");
        if let Some(file) = r.file {
            o.dec(i64::from(file));
            o.s(" ");
        }
        o.s(&r.name);
        o.end_line()?;
    }
    for record in file.functions_and_publics() {
        match record {
            FunctionOrPublic::Function(f) => o.function(f)?,
            FunctionOrPublic::Public(p) => o.public(p)?,
        }
    }
    for c in &file.cfi {
        o.s("STACK CFI INIT ");
        o.hex(c.address);
        o.s(" ");
        o.hex(c.size);
        o.s(" ");
        o.s(&c.rules);
        o.end_line()?;
        for d in &c.deltas {
            o.s("STACK CFI ");
            o.hex(d.address);
            o.s(" ");
            o.s(&d.rules);
            o.end_line()?;
        }
    }
    for w in &file.win {
        o.s("STACK WIN ");
        for v in [
            w.ty as u64,
            w.address,
            w.code_size,
            u64::from(w.prologue_size),
            u64::from(w.epilogue_size),
            u64::from(w.parameter_size),
            u64::from(w.saved_register_size),
            u64::from(w.local_size),
            u64::from(w.max_stack_size),
        ] {
            o.hex(v);
            o.s(" ");
        }
        match &w.program {
            WinProgram::ProgramString(p) => {
                o.s("1 ");
                o.s(p);
            }
            WinProgram::AllocatesBasePointer(a) => o.s(if *a { "0 1" } else { "0 0" }),
        }
        o.end_line()?;
    }
    let Out { buf, out } = o;
    out.write_all(&buf)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_bytes_as_display() {
        let text = "MODULE Linux x86_64 0123456789ABCDEF0123456789ABCDEF0 app with space\n\
            INFO CODE_ID 00AB\nINFO GENERATOR\nFILE 0 a.c\nFILE 12 /x y/b.c\n\
            INLINE_ORIGIN 0 f\nINLINE_ORIGIN 1 -1 old form\n\
            FUNC m 1000 20 4 main\nINLINE 0 7 1 0 1004 4 100a 2\nINLINE 1 8 0 1004 2\n\
            1000 10 3 0\n1010 10 0 12\nFUNC 0 0 0 z\n\
            PUBLIC 2000 0 helper\nPUBLIC m ffffffffffffffff 10 x\n\
            STACK CFI INIT 1000 20 .cfa: $rsp 8 + .ra: .cfa -8 + ^\nSTACK CFI 1001 .cfa: $rsp 16 +\n\
            STACK WIN 4 1000 20 1 0 8 4 10 0 1 $T0 .raSearch = $eip $T0 ^ = $esp $T0 4 + =\n\
            STACK WIN 0 2000 4 1 0 0 0 0 0 0 1\n";
        let (file, stats) = crate::parse(text.as_bytes());
        assert_eq!(stats.bad_lines, 0);
        let mut out = Vec::new();
        write_symbol_file(&file, &mut out).unwrap();
        assert_eq!(String::from_utf8(out).unwrap(), file.to_string());
    }
}
