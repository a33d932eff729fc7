//! `print_json` writes the report without building it; for every corpus
//! dump its text, pretty and compact, must be byte for byte what serde_json
//! prints for the tree `to_json` builds (`to_writer_pretty`, `to_writer`).
//!
//! The corpus is `$MDUMP_CORPUS`, or `../shared/corpus` next to the
//! workspace. Without it the test is skipped, unless `CI=true`. Stacks are
//! walked by [`BreakpadWalker`] over the corpus's symbol files, as in
//! `json_schema.rs`. The synthetic states are checked in
//! `json_synthetic.rs`.

use mdump_processor::{print_json, to_json, BreakpadWalker, ProcessState, SymbolFiles};
use mdump_reader::Minidump;
use mdump_testkit::corpus::corpus_dir;
use std::path::PathBuf;

#[test]
fn streamed_report_prints_as_the_tree() {
    let Some(corpus) = corpus_dir("dumps") else { return };
    let entries =
        std::fs::read_dir(corpus.join("dumps")).unwrap_or_else(|e| panic!("{}: {e}", corpus.join("dumps").display()));
    let mut dumps: Vec<PathBuf> =
        entries.filter_map(|e| Some(e.ok()?.path())).filter(|p| p.extension().is_some_and(|x| x == "dmp")).collect();
    dumps.sort();
    assert!(!dumps.is_empty(), "no *.dmp in {}", corpus.join("dumps").display());

    let walker = BreakpadWalker::new(SymbolFiles::from_dirs([corpus.join("symbols")]).expect("a local symbol store"));
    let (mut compared, mut problems) = (0, Vec::new());
    for path in &dumps {
        let name = path.display();
        let bytes = std::fs::read(path).unwrap_or_else(|e| panic!("{name}: {e}"));
        // Dumps this crate cannot process have no report to compare.
        let Ok(dump) = Minidump::parse(&bytes) else { continue };
        let Ok(state) = ProcessState::from_dump(&dump, &walker) else { continue };
        let tree = to_json(&state);
        for pretty in [true, false] {
            let mut streamed = Vec::new();
            print_json(&state, &mut streamed, pretty).unwrap_or_else(|e| panic!("{name}: {e}"));
            let printed = if pretty { serde_json::to_vec_pretty(&tree) } else { serde_json::to_vec(&tree) }.unwrap();
            if streamed != printed {
                let at = streamed.iter().zip(&printed).position(|(a, b)| a != b).unwrap_or(0);
                let around = |text: &[u8]| {
                    String::from_utf8_lossy(text.get(at.saturating_sub(200)..).unwrap_or_default())
                        .chars()
                        .take(400)
                        .collect::<String>()
                };
                problems.push(format!(
                    "{name} (pretty: {pretty}): differs at byte {at}:\n{}\n--- the tree prints ---\n{}",
                    around(&streamed),
                    around(&printed)
                ));
            }
        }
        compared += 1;
    }
    eprintln!("{compared} of {} dumps printed by print_json as serde_json prints to_json", dumps.len());
    assert!(compared > 0, "no corpus dump could be processed");
    assert!(problems.is_empty(), "{} differences:\n{}", problems.len(), problems.join("\n\n"));
}
