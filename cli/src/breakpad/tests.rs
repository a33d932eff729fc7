//! Breakpad behaviours the corpus does not exercise, on hand-made dumps.

use super::print_dump;
use mdump_format::StreamType;

/// A dump with `streams` (type, bytes) laid out after the header and the
/// directory, in order. Returns the file and each stream's file offset.
fn dump(streams: &[(StreamType, Vec<u8>)]) -> (Vec<u8>, Vec<u32>) {
    let mut file = Vec::new();
    file.extend_from_slice(b"MDMP");
    file.extend_from_slice(&0xa793u32.to_le_bytes());
    file.extend_from_slice(&(streams.len() as u32).to_le_bytes());
    file.extend_from_slice(&32u32.to_le_bytes());
    file.extend_from_slice(&[0; 16]);
    let mut offset = 32 + 12 * streams.len() as u32;
    let mut offsets = Vec::new();
    for (stream_type, bytes) in streams {
        file.extend_from_slice(&stream_type.0.to_le_bytes());
        file.extend_from_slice(&(bytes.len() as u32).to_le_bytes());
        file.extend_from_slice(&offset.to_le_bytes());
        offsets.push(offset);
        offset += bytes.len() as u32;
    }
    for (_, bytes) in streams {
        file.extend_from_slice(bytes);
    }
    (file, offsets)
}

fn print(file: &[u8]) -> String {
    let dump = mdump_reader::Minidump::parse(file).unwrap();
    let mut out = Vec::new();
    print_dump(&dump, &mut out).unwrap();
    String::from_utf8(out).unwrap()
}

/// A MemoryList of `(address, size, rva)` regions.
fn memory_list(regions: &[(u64, u32, u32)]) -> Vec<u8> {
    let mut b = (regions.len() as u32).to_le_bytes().to_vec();
    for &(address, size, rva) in regions {
        b.extend_from_slice(&address.to_le_bytes());
        b.extend_from_slice(&size.to_le_bytes());
        b.extend_from_slice(&rva.to_le_bytes());
    }
    b
}

#[test]
fn a_repeated_unique_stream_makes_breakpad_refuse_the_dump() {
    let (file, _) = dump(&[(StreamType::THREAD_LIST, vec![0; 4]), (StreamType::THREAD_LIST, vec![0; 4])]);
    assert_eq!(print(&file), "");
}

#[test]
fn raw_streams_show_nuls_and_the_last_entry_of_a_type_wins() {
    let (file, _) = dump(&[
        (StreamType::LINUX_CMD_LINE, b"first\0".to_vec()),
        (StreamType::LINUX_CMD_LINE, b"./a\0-x\0tail".to_vec()),
        (StreamType::LINUX_ENVIRON, Vec::new()),
    ]);
    let out = print(&file);
    assert!(out.contains("  stream type 0x47670006 (MD_LINUX_CMD_LINE) at index 1\n"), "{out}");
    assert!(out.contains("Stream MD_LINUX_CMD_LINE:\n./a\\0\n-x\\0\ntail\n\n"), "{out}");
    assert!(out.ends_with("Stream MD_LINUX_ENVIRON:\n\n"), "{out}");
}

#[test]
fn overlapping_memory_regions_lose_the_whole_list() {
    let (file, _) = dump(&[(StreamType::MEMORY_LIST, memory_list(&[(0x1000, 0x10, 0), (0x100f, 0x10, 0)]))]);
    assert!(!print(&file).contains("MinidumpMemoryList"));
    let (file, _) = dump(&[(StreamType::MEMORY_LIST, memory_list(&[(0x1000, 0x10, 0), (0x1010, 0x10, 0)]))]);
    assert!(print(&file).contains("MinidumpMemoryList\n  region_count = 2\n"));
}

#[test]
fn a_read_past_the_end_fails_every_later_read() {
    // The first region's bytes are in the file, the second's are not; after
    // that Breakpad's stream is broken, so the raw stream is not printed.
    let list = memory_list(&[(0x1000, 4, 0), (0x2000, 4, 0x7fff_0000)]);
    let (file, offsets) = dump(&[(StreamType::MEMORY_LIST, list), (StreamType::LINUX_CMD_LINE, b"x".to_vec())]);
    let mut file = file;
    // Point the first region at the command line's bytes (and 3 more).
    let rva_at = offsets[0] as usize + 4 + 12;
    file[rva_at..rva_at + 4].copy_from_slice(&offsets[1].to_le_bytes());
    file.extend_from_slice(b"yz\0");
    let out = print(&file);
    assert!(out.contains("Memory\n0x78797a00\n"), "{out}");
    assert!(out.contains("Memory\nNo memory\n"), "{out}");
    assert!(!out.contains("Stream MD_LINUX_CMD_LINE"), "{out}");
}

#[test]
fn missing_or_foreign_contexts_print_no_context() {
    // One thread whose "context" is the thread list itself: flags 0x1 name
    // no CPU, and there is no SystemInfo to name one.
    let mut threads = 1u32.to_le_bytes().to_vec();
    threads.extend_from_slice(&0x42u32.to_le_bytes()); // thread id
    threads.extend_from_slice(&[0; 28]); // suspend, class, priority, teb, stack start
    threads.extend_from_slice(&[0; 8]); // stack: empty
    threads.extend_from_slice(&16u32.to_le_bytes());
    threads.extend_from_slice(&(32u32 + 12).to_le_bytes()); // the thread list itself
    let (file, _) = dump(&[(StreamType::THREAD_LIST, threads)]);
    let out = print(&file);
    assert!(out.contains("  thread_context.rva          = 0x2c\n  (no context)\n\nNo stack\n\n"), "{out}");
}
