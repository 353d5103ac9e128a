//! JSON in the REPL, in a real pseudo-terminal: pretty-printed and coloured, folded, /last,
//! /save, and /jq with its prompt.

mod common;

use common::pty::Terminal;
use common::*;
use futures_util::{SinkExt, StreamExt};

/// Echoes every message, except that `go` is answered with `message`.
async fn echo_and_on_go(message: Message) -> Server<()> {
    ws_server(move |mut ws: Ws| async move {
        while let Some(Ok(received)) = ws.next().await {
            let answer = match received.to_text() {
                Ok("go") => message.clone(),
                Ok(_) if received.is_text() => received,
                _ => continue,
            };
            if ws.send(answer).await.is_err() {
                break;
            }
        }
    })
    .await
}

fn start(url: &str, extra: &[&str], state: &tempfile::TempDir) -> Terminal {
    let mut args = vec![url];
    args.extend_from_slice(extra);
    Terminal::start(&args, 40, 100, state.path())
}

/// The rows from the first that is `first` on, as many as `expected` has.
fn rows_from(terminal: &Terminal, first: &str, count: usize) -> Vec<String> {
    let rows = terminal.rows();
    let at = rows.iter().rposition(|r| r == first).expect("first row");
    rows[at..(at + count).min(rows.len())].to_vec()
}

#[tokio::test]
async fn json_is_indented_under_its_sigil_and_coloured_with_escapes_shown_escaped() {
    let state = tempfile::tempdir().unwrap();
    // A JSON escape (six characters) and raw characters a terminal would obey.
    let hostile = "{\"name\":\"wsc\",\"esc\":\"\\u001b[31m\",\"raw\":\"\u{202e}x\u{9b}\",\"n\":[1,2.50],\"ok\":null}";
    let server = echo_and_on_go(Message::text(hostile)).await;
    let mut terminal = start(&server.url, &[], &state);
    terminal.wait_for_prompt().await;
    terminal.enter("go").await;
    terminal.wait_for_text("    \"ok\": null").await;
    assert_eq!(
        rows_from(&terminal, "< {", 11),
        [
            "< {",
            "    \"name\": \"wsc\",",
            "    \"esc\": \"\\u001b[31m\",",
            "    \"raw\": \"\\u{202e}x\\u{009b}\",",
            "    \"n\": [",
            "      1,",
            "      2.50",
            "    ],",
            "    \"ok\": null",
            "  }",
            ">",
        ]
    );
    let raw = String::from_utf8_lossy(&terminal.raw_output()).into_owned();
    assert!(
        !raw.contains('\u{202e}') && !raw.contains('\u{9b}'),
        "raw characters reached the terminal"
    );
    // Keys bold blue, strings green, numbers cyan, literals magenta.
    for painted in [
        "\x1b[1;34m\"name\"\x1b[0m",
        "\x1b[32m\"wsc\"\x1b[0m",
        "\x1b[36m2.50\x1b[0m",
        "\x1b[35mnull\x1b[0m",
    ] {
        assert!(raw.contains(painted), "{painted:?} not in {raw:?}");
    }
    terminal.quit_with_ctrl_d().await;
    server.finish().await;
}

#[tokio::test]
async fn no_color_and_pretty_never_are_honoured() {
    let state = tempfile::tempdir().unwrap();
    let server = echo_and_on_go(Message::text("unused")).await;
    let mut terminal = start(&server.url, &["--no-color"], &state);
    terminal.wait_for_prompt().await;
    terminal.enter(r#"{"k":[true]}"#).await;
    terminal.wait_for_text("    \"k\": [").await;
    let raw = String::from_utf8_lossy(&terminal.raw_output()).into_owned();
    assert!(
        !raw.contains("\x1b[1;34m") && !raw.contains("\x1b[35m"),
        "{raw:?}"
    );
    terminal.quit_with_ctrl_d().await;
    server.finish().await;

    let server = echo_and_on_go(Message::text("unused")).await;
    let mut terminal = start(&server.url, &["--pretty", "never"], &state);
    terminal.wait_for_prompt().await;
    terminal.enter(r#"{"k":[true]}"#).await;
    terminal.wait_for_text(r#"< {"k":[true]}"#).await;
    terminal.quit_with_ctrl_d().await;
    server.finish().await;
}

#[tokio::test]
async fn a_long_message_folds_after_max_lines_and_last_shows_it_whole() {
    let state = tempfile::tempdir().unwrap();
    let numbers: Vec<String> = (0..30).map(|n| n.to_string()).collect();
    let array = format!("[{}]", numbers.join(","));
    let server = echo_and_on_go(Message::text(array)).await;
    let mut terminal = start(&server.url, &["--max-lines", "5"], &state);
    terminal.wait_for_prompt().await;
    terminal.enter("go").await;
    terminal.wait_for_text("27 more lines not shown").await;
    assert_eq!(
        rows_from(&terminal, "< [", 6),
        [
            "< [",
            "    0,",
            "    1,",
            "    2,",
            "    3,",
            "  … 27 more lines not shown (--max-lines; /last shows all)",
        ]
    );
    terminal.enter("/last").await;
    terminal.wait_for_text("    29").await;
    let whole = rows_from(&terminal, "    29", 2);
    assert_eq!(whole, ["    29", "  ]"]);
    assert!(terminal.rows().iter().any(|r| r == "    28,"));
    terminal.quit_with_ctrl_d().await;
    server.finish().await;
}

#[tokio::test]
async fn save_writes_the_last_message_as_it_came() {
    let state = tempfile::tempdir().unwrap();
    let message = "{\"a\": [1, 2],\n \"b\": \"\\u00e9\"}";
    let server = echo_and_on_go(Message::text(message)).await;
    let mut terminal = start(&server.url, &[], &state);
    terminal.wait_for_prompt().await;
    let path = state.path().join("last.json");
    terminal.enter(&format!("/save {}", path.display())).await;
    terminal
        .wait_for_text("! /save: no message has arrived yet")
        .await;
    terminal.enter("go").await;
    terminal.wait_for_text("    \"b\": \"\\u00e9\"").await;
    terminal.enter(&format!("/save {}", path.display())).await;
    terminal
        .wait_for_text(&format!(
            "* saved {} bytes to {}",
            message.len(),
            path.display()
        ))
        .await;
    assert_eq!(std::fs::read_to_string(&path).unwrap(), message);
    terminal.quit_with_ctrl_d().await;
    server.finish().await;
}

#[tokio::test]
async fn slash_jq_sets_and_clears_the_filter_and_the_prompt_says_when_one_is_set() {
    let state = tempfile::tempdir().unwrap();
    let server = echo_and_on_go(Message::text("unused")).await;
    let mut terminal = start(&server.url, &[], &state);
    terminal.wait_for_prompt().await;
    terminal.keys("/jq .a\r");
    terminal.wait_for_text("* jq filter set: .a").await;
    terminal
        .wait_for("the jq> prompt", |t| t.cursor_row() == "jq>")
        .await;
    terminal.keys("{\"a\":{\"b\":42}}\r");
    terminal.wait_for_text("    \"b\": 42").await;
    assert_eq!(
        rows_from(&terminal, "< {", 3),
        ["< {", "    \"b\": 42", "  }"]
    );
    // A bad expression changes nothing.
    terminal.keys("/jq .a +\r");
    terminal
        .wait_for_text("! /jq: expected term at the end")
        .await;
    terminal.keys("{\"a\":7}\r");
    terminal.wait_for_text("< 7").await;
    terminal.keys("/jq\r");
    terminal.wait_for_text("* jq filter cleared").await;
    terminal.wait_for_prompt().await;
    terminal.enter(r#"{"a":8}"#).await;
    terminal.wait_for_text("    \"a\": 8").await;
    terminal.quit_with_ctrl_d().await;
    server.finish().await;
}

#[tokio::test]
async fn jq_on_the_command_line_starts_with_the_marked_prompt() {
    let state = tempfile::tempdir().unwrap();
    let server = echo_and_on_go(Message::text("unused")).await;
    let mut terminal = start(&server.url, &["--jq", "select(.keep)"], &state);
    terminal
        .wait_for("the jq> prompt", |t| t.cursor_row() == "jq>")
        .await;
    terminal.keys("{\"keep\":false,\"n\":1}\r");
    terminal.keys("{\"keep\":true,\"n\":2}\r");
    terminal.wait_for_text("    \"n\": 2").await;
    assert!(!terminal.text().contains("\"n\": 1"), "{}", terminal.text());
    terminal.quit_with_ctrl_d().await;
    server.finish().await;
}
