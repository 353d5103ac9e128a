//! The REPL of `wsc -l` in a real pseudo-terminal: typed lines broadcast, `/clients`, `/to`,
//! `/kick`, ids on every line, and leaving closes every client.

mod common;

use common::listen::{Client, client, next_text};
use common::pty::Terminal;
use common::{Message, close_of, record, within};
use futures_util::SinkExt;

/// The port on the listening line, once it is on screen.
async fn port(terminal: &Terminal) -> u16 {
    terminal
        .wait_for_text("* listening on ws://127.0.0.1:")
        .await;
    let text = terminal.text();
    let line = text
        .lines()
        .find(|line| line.starts_with("* listening on ws://127.0.0.1:"))
        .expect("the listening line");
    line.trim_start_matches("* listening on ws://127.0.0.1:")
        .trim_end_matches('/')
        .parse()
        .expect("a port")
}

async fn connect(port: u16) -> Client {
    client(&format!("ws://127.0.0.1:{port}/"), None).await.0
}

#[tokio::test]
async fn typed_lines_go_to_every_client_or_the_one_chosen_and_kick_closes_one() {
    let state = tempfile::tempdir().unwrap();
    let mut terminal = Terminal::start(&["-l", "0", "--color", "never"], 30, 100, state.path());
    let port = port(&terminal).await;
    let mut first = connect(port).await;
    terminal
        .wait_for_text("* #1 connected from 127.0.0.1:")
        .await;
    let mut second = connect(port).await;
    terminal
        .wait_for_text("* #2 connected from 127.0.0.1:")
        .await;
    terminal.wait_for_prompt().await;

    terminal.enter("hello all").await;
    assert_eq!(next_text(&mut first).await, "hello all");
    assert_eq!(next_text(&mut second).await, "hello all");

    within("send", first.send(Message::text("from one")))
        .await
        .expect("sent");
    terminal.wait_for_text("< #1 from one").await;

    terminal.enter("/clients").await;
    terminal.wait_for_text("* #2 127.0.0.1:").await;
    assert!(
        terminal.text().contains("1 message received"),
        "{}",
        terminal.text()
    );

    terminal.enter("/to 2").await;
    terminal
        .wait_for_text("* sending to #2 only (/to all to undo)")
        .await;
    terminal.enter("just two").await;
    assert_eq!(next_text(&mut second).await, "just two");

    terminal.enter("/kick 1 4000 bye").await;
    let rest = record(first).await;
    assert!(
        !rest.contains(&Message::text("just two")),
        "/to 2 sent to #1 too: {rest:?}"
    );
    assert_eq!(close_of(&rest), Some((4000, "bye".into())));
    terminal
        .wait_for_text("* #1 closed: 4000 (application) \"bye\", by you")
        .await;

    terminal.enter("/to 1").await;
    terminal
        .wait_for_text("! client #1 is not connected (see /clients)")
        .await;

    // Leaving closes every client with 1000 and exits 0.
    terminal.keys("\x04");
    let rest = record(second).await;
    assert_eq!(close_of(&rest).map(|(code, _)| code), Some(1000));
    assert_eq!(terminal.exit_status().await, 0);
    assert!(terminal.is_cooked());
}

#[tokio::test]
async fn a_line_typed_with_no_client_connected_is_said_to_go_nowhere() {
    let state = tempfile::tempdir().unwrap();
    let mut terminal = Terminal::start(&["-l", "0", "--color", "never"], 24, 100, state.path());
    port(&terminal).await;
    terminal.wait_for_prompt().await;
    terminal.enter("anyone?").await;
    terminal
        .wait_for_text("! no client is connected: nothing sent")
        .await;
    terminal.enter("/help").await;
    terminal.wait_for_text("/kick N [code [reason]]").await;
    terminal.quit_with_ctrl_d().await;
}

#[tokio::test]
async fn with_timestamps_the_listeners_own_lines_are_stamped_like_the_rest() {
    let state = tempfile::tempdir().unwrap();
    let mut terminal = Terminal::start(
        &["-l", "0", "--color", "never", "--timestamps"],
        24,
        100,
        state.path(),
    );
    terminal
        .wait_for_text("* listening on ws://127.0.0.1:")
        .await;
    terminal.wait_for_prompt().await;
    terminal.enter("anyone?").await;
    terminal
        .wait_for_text("! no client is connected: nothing sent")
        .await;
    let stamped = regex::Regex::new(r"^\d\d:\d\d:\d\d\.\d{3} ! no client is connected").unwrap();
    assert!(
        terminal.text().lines().any(|line| stamped.is_match(line)),
        "{}",
        terminal.text()
    );
    terminal.quit_with_ctrl_d().await;
}
