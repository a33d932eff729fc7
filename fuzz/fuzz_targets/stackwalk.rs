//! A dump and a symbol file from arbitrary bytes, walked: everything before
//! the first "\nMODULE " is the dump, the rest is a Breakpad .sym given to
//! every module of the dump. Processing (with the crashing instruction's
//! analysis), walking every thread and printing the three reports must
//! never panic, hang or run away.
#![no_main]

use libfuzzer_sys::fuzz_target;
use mdump_processor::walk::{BreakpadWalker, SymbolFiles};
use mdump_processor::ProcessState;
use mdump_symbols::store::SymbolStore;

fuzz_target!(|data: &[u8]| {
    let split = data.windows(8).position(|w| w == b"\nMODULE ").map_or(data.len(), |i| i + 1);
    let (dump_bytes, sym) = data.split_at(split);
    let Ok(dump) = mdump_reader::Minidump::parse(dump_bytes) else { return };
    let Ok(store) = SymbolStore::from_sources(Vec::<mdump_symbols::store::SymbolSource>::new()) else { return };
    let symbols = SymbolFiles::new(store);
    if !sym.is_empty() {
        if let Ok(Some(modules)) = dump.stream::<mdump_reader::ModuleList>() {
            let keys: Vec<(String, String)> = modules
                .iter()
                .take(64)
                .flat_map(|m| {
                    // Both the debug file as written and its base name, as
                    // symbol stores name files.
                    let file = m.debug_file().map(|f| f.to_string()).unwrap_or_default();
                    let base = file.rsplit(['/', '\\']).next().unwrap_or_default().to_string();
                    let id = m.debug_identifier().map(|i| i.to_string()).unwrap_or_default();
                    [(file, id.clone()), (base, id)]
                })
                .collect();
            let refs: Vec<(&str, &str)> = keys.iter().map(|(f, i)| (f.as_str(), i.as_str())).collect();
            symbols.insert(&refs, sym);
        }
    }
    let walker = BreakpadWalker::new(&symbols);
    let Ok(state) = ProcessState::from_dump(&dump, &walker) else { return };
    let mut sink = std::io::sink();
    let _ = mdump_processor::print_breakpad(&state, &mut sink);
    let _ = mdump_processor::print_breakpad_machine(&state, &mut sink);
    let _ = mdump_processor::print_json(&state, &mut sink, true);
});
