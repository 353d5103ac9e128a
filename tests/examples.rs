//! The bundled example server does what its documentation says (README and BENCHMARKS rely on
//! it): here, flood sends its messages and closes with 1000.

mod common;

use std::process::Stdio;

use common::*;
use tokio::io::{AsyncBufReadExt, BufReader};

/// examples/server, built by `cargo test` next to the test binaries.
fn example_server() -> std::path::PathBuf {
    let deps = std::env::current_exe().expect("test binary path");
    let profile = deps
        .parent()
        .and_then(|d| d.parent())
        .expect("target/PROFILE");
    profile.join("examples").join("server")
}

#[tokio::test]
async fn the_example_flood_server_sends_n_messages_and_closes_with_1000() {
    let mut server = tokio::process::Command::new(example_server())
        .args(["127.0.0.1:0", "flood", "3", "4"])
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .expect("examples/server starts (cargo test builds it)");
    let mut first = String::new();
    let stderr = server.stderr.take().expect("stderr");
    within(
        "the listening line",
        BufReader::new(stderr).read_line(&mut first),
    )
    .await
    .unwrap();
    let url = first
        .trim()
        .strip_prefix("listening on ")
        .unwrap_or_else(|| panic!("{first:?}"))
        .to_string();
    let run = wsc([url.as_str(), "-w", "-1", "-v"])
        .stdin_null()
        .run()
        .await;
    run.assert_status(0);
    assert_eq!(run.stdout_lines(), ["xxxx", "xxxx", "xxxx"]);
    assert!(
        run.stderr.contains("* closed by server: 1000 (normal)"),
        "{}",
        run.stderr
    );
}
