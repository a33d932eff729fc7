//! An independent byte assembler for synthetic minidumps.
//!
//! Deliberately does not use `mdump-format`: tests that build dumps with
//! these offsets (written out from Microsoft's documentation) and read them
//! with the reader would catch a layout mistake in the format crate instead of
//! hiding it on both sides.
//!
//! ```
//! use mdump_testkit::*;
//! let mut b = DumpBuilder::new();
//! let ctx = b.append(&amd64_context(0x401000, 0x7fff_0000));
//! let stack = b.append(&[0u8; 64]);
//! b.stream(THREAD_LIST, &thread_list(&[Thread { id: 1, stack_base: 0x7fff_0000, stack_rva: stack, stack_len: 64, context_rva: ctx, context_len: AMD64_CONTEXT_SIZE }]));
//! b.stream(SYSTEM_INFO, &system_info(ARCH_AMD64, PLATFORM_LINUX, 0));
//! let bytes = b.finish();
//! assert_eq!(&bytes[..4], b"MDMP");
//! ```

use std::io::{self, Write};

pub mod corpus;
pub mod exec;

/// ThreadList stream type.
pub const THREAD_LIST: u32 = 3;
/// ModuleList stream type.
pub const MODULE_LIST: u32 = 4;
/// MemoryList stream type.
pub const MEMORY_LIST: u32 = 5;
/// Exception stream type.
pub const EXCEPTION: u32 = 6;
/// SystemInfo stream type.
pub const SYSTEM_INFO: u32 = 7;
/// Memory64List stream type.
pub const MEMORY64_LIST: u32 = 9;
/// MiscInfo stream type.
pub const MISC_INFO: u32 = 15;
/// Breakpad's LinuxCmdLine stream type.
pub const LINUX_CMD_LINE: u32 = 0x4767_0006;
/// Breakpad's LinuxMaps stream type.
pub const LINUX_MAPS: u32 = 0x4767_0009;
/// `PROCESSOR_ARCHITECTURE_AMD64`.
pub const ARCH_AMD64: u16 = 9;
/// `PROCESSOR_ARCHITECTURE_INTEL`.
pub const ARCH_X86: u16 = 0;
/// Breakpad's Linux platform id.
pub const PLATFORM_LINUX: u32 = 0x8201;
/// `VER_PLATFORM_WIN32_NT`.
pub const PLATFORM_WIN32_NT: u32 = 2;
/// Size of an AMD64 `CONTEXT`.
pub const AMD64_CONTEXT_SIZE: u32 = 1232;
/// Size of an x86 `CONTEXT`.
pub const X86_CONTEXT_SIZE: u32 = 716;

/// Assembles a minidump: blobs are appended 8-byte aligned after the header,
/// the directory is written at the end.
pub struct DumpBuilder {
    buf: Vec<u8>,
    directory: Vec<(u32, u32, u32)>,
    memory64: Vec<(u64, u64)>,
    time: u32,
}

impl Default for DumpBuilder {
    fn default() -> Self {
        Self::new()
    }
}

impl DumpBuilder {
    /// An empty dump (header space reserved).
    pub fn new() -> DumpBuilder {
        DumpBuilder { buf: vec![0; 32], directory: Vec::new(), memory64: Vec::new(), time: 0x5f00_0000 }
    }

    /// Sets the header's time stamp.
    pub fn time(&mut self, t: u32) -> &mut Self {
        self.time = t;
        self
    }

    /// Appends `bytes` (8-byte aligned) and returns their RVA.
    pub fn append(&mut self, bytes: &[u8]) -> u32 {
        while !self.buf.len().is_multiple_of(8) {
            self.buf.push(0);
        }
        let rva = self.buf.len() as u32;
        self.buf.extend_from_slice(bytes);
        rva
    }

    /// Appends a `MINIDUMP_STRING` and returns its RVA.
    pub fn string(&mut self, s: &str) -> u32 {
        let units: Vec<u16> = s.encode_utf16().collect();
        let mut b = ((units.len() * 2) as u32).to_le_bytes().to_vec();
        for u in units {
            b.extend_from_slice(&u.to_le_bytes());
        }
        b.extend_from_slice(&[0, 0]);
        self.append(&b)
    }

    /// Appends a stream and its directory entry; returns its RVA.
    pub fn stream(&mut self, stream_type: u32, bytes: &[u8]) -> u32 {
        let rva = self.append(bytes);
        self.directory.push((stream_type, bytes.len() as u32, rva));
        rva
    }

    /// Adds a raw directory entry (for hostile layouts).
    pub fn raw_directory_entry(&mut self, stream_type: u32, size: u32, rva: u32) {
        self.directory.push((stream_type, size, rva));
    }

    /// Declares a Memory64List range; its bytes are produced at
    /// [`Self::write_to`] time, so huge dumps need no memory.
    pub fn memory64(&mut self, base: u64, size: u64) {
        self.memory64.push((base, size));
    }

    fn head(&self) -> (Vec<u8>, u64) {
        let mut buf = self.buf.clone();
        let mut directory = self.directory.clone();
        let mut mem64_base = 0;
        if !self.memory64.is_empty() {
            while !buf.len().is_multiple_of(8) {
                buf.push(0);
            }
            let rva = buf.len() as u32;
            let list_size = 16 + 16 * self.memory64.len();
            // Directory goes before the memory so the memory can stream out last.
            let dir_rva = rva as usize + list_size;
            let head_len = dir_rva + 12 * (directory.len() + 1);
            mem64_base = head_len as u64;
            buf.extend_from_slice(&(self.memory64.len() as u64).to_le_bytes());
            buf.extend_from_slice(&mem64_base.to_le_bytes());
            for (base, size) in &self.memory64 {
                buf.extend_from_slice(&base.to_le_bytes());
                buf.extend_from_slice(&size.to_le_bytes());
            }
            directory.push((MEMORY64_LIST, list_size as u32, rva));
        } else {
            while !buf.len().is_multiple_of(4) {
                buf.push(0);
            }
        }
        let dir_rva = buf.len() as u32;
        for (t, s, r) in &directory {
            buf.extend_from_slice(&t.to_le_bytes());
            buf.extend_from_slice(&s.to_le_bytes());
            buf.extend_from_slice(&r.to_le_bytes());
        }
        buf[0..4].copy_from_slice(b"MDMP");
        buf[4..8].copy_from_slice(&0xa793u32.to_le_bytes());
        buf[8..12].copy_from_slice(&(directory.len() as u32).to_le_bytes());
        buf[12..16].copy_from_slice(&dir_rva.to_le_bytes());
        buf[16..20].copy_from_slice(&0u32.to_le_bytes());
        buf[20..24].copy_from_slice(&self.time.to_le_bytes());
        (buf, mem64_base)
    }

    /// Writes the dump; Memory64List bytes are filled with a pattern derived
    /// from each address (so lookups can be checked) in 1 MiB chunks.
    pub fn write_to(&self, out: &mut dyn Write) -> io::Result<u64> {
        let (head, _) = self.head();
        out.write_all(&head)?;
        let mut total = head.len() as u64;
        let mut chunk = vec![0u8; 1 << 20];
        for (base, size) in &self.memory64 {
            let mut done = 0u64;
            while done < *size {
                let n = (*size - done).min(chunk.len() as u64) as usize;
                fill_pattern(base + done, &mut chunk[..n]);
                out.write_all(&chunk[..n])?;
                done += n as u64;
            }
            total += size;
        }
        Ok(total)
    }

    /// The dump as bytes.
    pub fn finish(&self) -> Vec<u8> {
        let mut v = Vec::new();
        self.write_to(&mut v).expect("writing to a Vec cannot fail");
        v
    }
}

/// The byte pattern of Memory64List memory: each aligned 8-byte word holds its
/// own address.
pub fn fill_pattern(address: u64, buf: &mut [u8]) {
    for (i, b) in buf.iter_mut().enumerate() {
        let a = address + i as u64;
        *b = (a & !7).to_le_bytes()[(a & 7) as usize];
    }
}

/// One thread for [`thread_list`].
#[derive(Clone, Copy, Debug, Default)]
pub struct Thread {
    /// Thread id.
    pub id: u32,
    /// Stack start address.
    pub stack_base: u64,
    /// RVA of the stack bytes.
    pub stack_rva: u32,
    /// Length of the stack bytes.
    pub stack_len: u32,
    /// RVA of the context.
    pub context_rva: u32,
    /// Length of the context.
    pub context_len: u32,
}

/// A ThreadList stream body.
pub fn thread_list(threads: &[Thread]) -> Vec<u8> {
    let mut b = (threads.len() as u32).to_le_bytes().to_vec();
    for t in threads {
        b.extend_from_slice(&t.id.to_le_bytes());
        b.extend_from_slice(&[0; 12]); // suspend count, priority class, priority
        b.extend_from_slice(&0x7000_0000_0000u64.to_le_bytes()); // teb
        b.extend_from_slice(&t.stack_base.to_le_bytes());
        b.extend_from_slice(&t.stack_len.to_le_bytes());
        b.extend_from_slice(&t.stack_rva.to_le_bytes());
        b.extend_from_slice(&t.context_len.to_le_bytes());
        b.extend_from_slice(&t.context_rva.to_le_bytes());
    }
    b
}

/// An AMD64 `CONTEXT` with full flags and the given RIP and RSP.
pub fn amd64_context(rip: u64, rsp: u64) -> Vec<u8> {
    let mut c = vec![0u8; AMD64_CONTEXT_SIZE as usize];
    c[0x30..0x34].copy_from_slice(&0x0010_001fu32.to_le_bytes()); // CONTEXT_AMD64 | full
    c[0x98..0xa0].copy_from_slice(&rsp.to_le_bytes());
    c[0xa0..0xa8].copy_from_slice(&rsp.wrapping_add(0x40).to_le_bytes()); // rbp
    c[0xf8..0x100].copy_from_slice(&rip.to_le_bytes());
    c
}

/// An x86 `CONTEXT` with full flags and the given EIP and ESP.
pub fn x86_context(eip: u32, esp: u32) -> Vec<u8> {
    let mut c = vec![0u8; X86_CONTEXT_SIZE as usize];
    c[0..4].copy_from_slice(&0x0001_003fu32.to_le_bytes());
    c[0xb4..0xb8].copy_from_slice(&esp.wrapping_add(0x20).to_le_bytes()); // ebp
    c[0xb8..0xbc].copy_from_slice(&eip.to_le_bytes());
    c[0xc4..0xc8].copy_from_slice(&esp.to_le_bytes());
    c
}

/// A SystemInfo stream body.
pub fn system_info(arch: u16, platform: u32, csd_rva: u32) -> Vec<u8> {
    let mut b = vec![0u8; 56];
    b[0..2].copy_from_slice(&arch.to_le_bytes());
    b[2..4].copy_from_slice(&6u16.to_le_bytes());
    b[6] = 4;
    b[20..24].copy_from_slice(&platform.to_le_bytes());
    b[24..28].copy_from_slice(&csd_rva.to_le_bytes());
    b[32..44].copy_from_slice(b"GenuineIntel");
    b
}

/// An Exception stream body.
pub fn exception(thread_id: u32, code: u32, address: u64, context_rva: u32, context_len: u32) -> Vec<u8> {
    let mut b = vec![0u8; 168];
    b[0..4].copy_from_slice(&thread_id.to_le_bytes());
    b[8..12].copy_from_slice(&code.to_le_bytes());
    b[24..32].copy_from_slice(&address.to_le_bytes());
    b[160..164].copy_from_slice(&context_len.to_le_bytes());
    b[164..168].copy_from_slice(&context_rva.to_le_bytes());
    b
}

/// One module for [`module_list`].
#[derive(Clone, Copy, Debug, Default)]
pub struct Module {
    /// Load address.
    pub base: u64,
    /// Image size.
    pub size: u32,
    /// RVA of the name string.
    pub name_rva: u32,
    /// RVA and size of the CodeView record.
    pub cv: (u32, u32),
}

/// A ModuleList stream body.
pub fn module_list(modules: &[Module]) -> Vec<u8> {
    let mut b = (modules.len() as u32).to_le_bytes().to_vec();
    for m in modules {
        let mut e = vec![0u8; 108];
        e[0..8].copy_from_slice(&m.base.to_le_bytes());
        e[8..12].copy_from_slice(&m.size.to_le_bytes());
        e[20..24].copy_from_slice(&m.name_rva.to_le_bytes());
        e[76..80].copy_from_slice(&m.cv.1.to_le_bytes());
        e[80..84].copy_from_slice(&m.cv.0.to_le_bytes());
        b.extend_from_slice(&e);
    }
    b
}

/// A Breakpad `BpEL` CodeView record for an ELF build id.
pub fn cv_elf(build_id: &[u8]) -> Vec<u8> {
    // Breakpad's signature is the u32 0x4270454c, so the bytes on disk read "LEpB".
    let mut b = b"LEpB".to_vec();
    b.extend_from_slice(build_id);
    b
}

/// An `RSDS` CodeView record.
pub fn cv_pdb70(guid: [u8; 16], age: u32, pdb: &str) -> Vec<u8> {
    let mut b = b"RSDS".to_vec();
    b.extend_from_slice(&guid);
    b.extend_from_slice(&age.to_le_bytes());
    b.extend_from_slice(pdb.as_bytes());
    b.push(0);
    b
}

/// A MemoryList stream body from `(address, size, rva)` triples.
pub fn memory_list(regions: &[(u64, u32, u32)]) -> Vec<u8> {
    let mut b = (regions.len() as u32).to_le_bytes().to_vec();
    for (addr, size, rva) in regions {
        b.extend_from_slice(&addr.to_le_bytes());
        b.extend_from_slice(&size.to_le_bytes());
        b.extend_from_slice(&rva.to_le_bytes());
    }
    b
}

/// A Linux crash dump of one thread (id 1, SIGSEGV) with `context` and
/// `stack` (starting at `stack_base`), the executable `/usr/bin/synthetic`
/// (build id `0x11` × 20) at `0x400000`-`0x420000`, and SystemInfo for
/// `arch` with `csd` as its CSD version: the smallest dump a stack walk
/// can run on.
pub fn one_thread_linux_dump(arch: u16, csd: &str, context: &[u8], stack_base: u64, stack: &[u8]) -> Vec<u8> {
    let mut b = DumpBuilder::new();
    let stack_rva = b.append(stack);
    let context_len = context.len() as u32;
    let ctx = b.append(context);
    let thread = Thread { id: 1, stack_base, stack_rva, stack_len: stack.len() as u32, context_rva: ctx, context_len };
    b.stream(THREAD_LIST, &thread_list(&[thread]));
    let exe_name = b.string("/usr/bin/synthetic");
    let exe_cv = b.append(&cv_elf(&[0x11; 20]));
    b.stream(
        MODULE_LIST,
        &module_list(&[Module { base: 0x40_0000, size: 0x2_0000, name_rva: exe_name, cv: (exe_cv, 24) }]),
    );
    let csd = b.string(csd);
    b.stream(SYSTEM_INFO, &system_info(arch, PLATFORM_LINUX, csd));
    b.stream(EXCEPTION, &exception(1, 11, 0, ctx, context_len));
    b.finish()
}

/// A Linux-like amd64 crash dump with `threads` threads (each with a 4 KiB
/// stack), two modules, an exception on the first thread, and, if
/// `memory64_bytes` is non-zero, a Memory64List of that many bytes split in
/// 1 MiB ranges.
pub fn linux_amd64_dump(threads: u32, memory64_bytes: u64) -> DumpBuilder {
    let mut b = DumpBuilder::new();
    let mut list = Vec::new();
    let mut mem = Vec::new();
    for i in 0..threads {
        let sp = 0x7f00_0000_0000 + u64::from(i) * 0x10_0000;
        let ctx = b.append(&amd64_context(0x40_1000 + u64::from(i), sp + 0x100));
        let mut stack = vec![0u8; 4096];
        fill_pattern(sp, &mut stack);
        let stack_rva = b.append(&stack);
        mem.push((sp, 4096u32, stack_rva));
        list.push(Thread {
            id: 1000 + i,
            stack_base: sp,
            stack_rva,
            stack_len: 4096,
            context_rva: ctx,
            context_len: AMD64_CONTEXT_SIZE,
        });
    }
    b.stream(THREAD_LIST, &thread_list(&list));
    b.stream(MEMORY_LIST, &memory_list(&mem));
    let exe_name = b.string("/usr/bin/synthetic");
    let exe_cv = b.append(&cv_elf(&[0x11; 20]));
    let libc_name = b.string("/lib/x86_64-linux-gnu/libc.so.6");
    let libc_cv = b.append(&cv_elf(&[0x22; 20]));
    b.stream(
        MODULE_LIST,
        &module_list(&[
            Module { base: 0x40_0000, size: 0x2_0000, name_rva: exe_name, cv: (exe_cv, 24) },
            Module { base: 0x7f12_3400_0000, size: 0x1c_0000, name_rva: libc_name, cv: (libc_cv, 24) },
        ]),
    );
    let csd = b.string("Linux 6.1.0 #1 SMP x86_64");
    b.stream(SYSTEM_INFO, &system_info(ARCH_AMD64, PLATFORM_LINUX, csd));
    if threads > 0 {
        let ctx = b.append(&amd64_context(0x40_1000, 0x7f00_0000_0100));
        b.stream(EXCEPTION, &exception(1000, 11, 0, ctx, AMD64_CONTEXT_SIZE));
    }
    b.stream(LINUX_CMD_LINE, b"/usr/bin/synthetic\0--crash\0");
    b.stream(LINUX_MAPS, b"00400000-00420000 r-xp 00000000 08:01 1234 /usr/bin/synthetic\n");
    let mut done = 0;
    let mut addr = 0x5555_0000_0000u64;
    while done < memory64_bytes {
        let n = (memory64_bytes - done).min(1 << 20);
        b.memory64(addr, n);
        addr += n + 0x1000;
        done += n;
    }
    b
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_and_directory_are_where_they_say() {
        let b = linux_amd64_dump(2, 3 << 20);
        let bytes = b.finish();
        let count = u32::from_le_bytes(bytes[8..12].try_into().unwrap()) as usize;
        let dir = u32::from_le_bytes(bytes[12..16].try_into().unwrap()) as usize;
        assert_eq!(count, 8);
        let last = dir + 12 * (count - 1);
        assert_eq!(u32::from_le_bytes(bytes[last..last + 4].try_into().unwrap()), MEMORY64_LIST);
        assert_eq!(bytes.len() as u64, (dir + 12 * count) as u64 + (3 << 20));
    }

    #[test]
    fn pattern_holds_addresses() {
        let mut b = [0u8; 16];
        fill_pattern(0x1000, &mut b);
        assert_eq!(u64::from_le_bytes(b[8..16].try_into().unwrap()), 0x1008);
    }
}
