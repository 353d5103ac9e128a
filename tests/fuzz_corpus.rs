//! Replays every fuzz input kept in the repository (hand-written seeds, the minimised corpus and
//! the crashes found so far) through the same functions the AFL targets call, so a fixed crash
//! stays fixed and the corpus keeps exercising the parsers in a plain `cargo test`.

use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::time::Duration;

/// What a fuzz target is here: bytes in, a panic on a bug. (What a target gives back is for its
/// unit tests.)
type Target = fn(&[u8]);

/// Directory name under `fuzz/{seeds,corpus,crashes}/` → the function its inputs go through.
/// A new target goes here and in `fuzz/run.sh`.
const TARGETS: &[(&str, Target)] = &[
    ("slash", |data| drop(wsc::fuzz::slash(data))),
    ("jsonl", |data| drop(wsc::fuzz::jsonl(data))),
    ("flags", |data| drop(wsc::fuzz::flags(data))),
    ("frame_client", |data| {
        drop(wsc::fuzz::protocol::frame_client(data))
    }),
    ("frame_server", |data| {
        drop(wsc::fuzz::protocol::frame_server(data))
    }),
    ("frame_client_deflate", |data| {
        drop(wsc::fuzz::protocol::frame_client_deflate(data))
    }),
    ("frame_server_deflate", |data| {
        drop(wsc::fuzz::protocol::frame_server_deflate(data))
    }),
    ("handshake_answer", |data| {
        drop(wsc::fuzz::protocol::handshake_answer(data))
    }),
    ("handshake_request", |data| {
        drop(wsc::fuzz::protocol::handshake_request(data))
    }),
];

const ROOTS: [&str; 3] = ["fuzz/seeds", "fuzz/corpus", "fuzz/crashes"];

/// Far more than any input takes, even unoptimised: a slower one is a hang.
const PER_FILE: Duration = Duration::from_secs(10);

/// Every (target, file) pair under the roots; an unknown directory is an error, so a target's
/// inputs are never skipped silently.
fn inputs() -> Vec<(usize, PathBuf)> {
    let top = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut found = Vec::new();
    for root in ROOTS {
        let Ok(dirs) = std::fs::read_dir(top.join(root)) else {
            continue; // corpus/ and crashes/ exist once a run has kept something
        };
        for dir in dirs {
            let dir = dir.expect("readable directory").path();
            let name = dir.file_name().unwrap_or_default().to_string_lossy();
            let target = TARGETS
                .iter()
                .position(|(t, _)| *t == name)
                .unwrap_or_else(|| panic!("{}: no fuzz target named '{name}'", dir.display()));
            let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
                .expect("readable directory")
                .map(|f| f.expect("readable entry").path())
                .filter(|f| f.is_file())
                .collect();
            files.sort();
            found.extend(files.into_iter().map(|f| (target, f)));
        }
    }
    found
}

#[test]
fn every_saved_input_replays_without_a_panic() {
    let inputs = inputs();
    for (index, (name, _)) in TARGETS.iter().enumerate() {
        let count = inputs.iter().filter(|(t, _)| *t == index).count();
        assert!(count > 0, "no saved inputs for fuzz target '{name}'");
    }

    // One worker replays in order and reports each file, so the test names the one that hangs.
    let (tx, rx) = mpsc::channel();
    let work = inputs.clone();
    std::thread::spawn(move || {
        for (target, path) in work {
            let data = std::fs::read(&path).expect("readable input");
            let run = TARGETS[target].1;
            let outcome = std::panic::catch_unwind(|| run(&data));
            if tx.send(outcome.is_ok()).is_err() {
                return;
            }
        }
    });
    let mut panicked = Vec::new();
    for (target, path) in &inputs {
        match rx.recv_timeout(PER_FILE) {
            Ok(true) => {}
            Ok(false) => panicked.push(format!("{} ({})", path.display(), TARGETS[*target].0)),
            Err(_) => panic!("{} took over {PER_FILE:?}", path.display()),
        }
    }
    assert!(panicked.is_empty(), "panicked on:\n{}", panicked.join("\n"));
}
