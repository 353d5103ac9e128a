//! `wsc -l` with --auth and --require-header: what a client must carry, the 401 it gets
//! without it (seen by a raw client and by wsc as the client), the operator's line; and the
//! flags for connecting to a server, warned about with -l.

mod common;

use common::{Run, Wsc, finish, within, wsc};
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;
use tokio::process::Child;
use tokio::task::JoinHandle;

/// A running `wsc -l`, its port read from the listening line, as a script would.
struct Listening {
    child: Child,
    port: u16,
    /// stderr, the listening line left out, collected until wsc exits.
    rest: JoinHandle<String>,
}

async fn listen(command: Wsc) -> Listening {
    let mut child = command.stdin_null().spawn();
    let stderr = child.stderr.take().expect("stderr");
    let mut lines = BufReader::new(stderr).lines();
    // Lines before the listening one (none today) are kept with the rest.
    let mut before = String::new();
    let port = loop {
        let line = within("listening line", lines.next_line())
            .await
            .expect("stderr")
            .unwrap_or_else(|| panic!("no listening line; stderr: {before}"));
        let port = line
            .strip_prefix("* listening on ws://127.0.0.1:")
            .and_then(|rest| rest.strip_suffix('/'))
            .and_then(|port| port.parse().ok());
        match port {
            Some(port) => break port,
            None => before.push_str(&format!("{line}\n")),
        }
    };
    let rest = tokio::spawn(async move {
        let mut text = before;
        while let Ok(Some(line)) = lines.next_line().await {
            text.push_str(&line);
            text.push('\n');
        }
        text
    });
    Listening { child, port, rest }
}

impl Listening {
    fn url(&self) -> String {
        format!("ws://127.0.0.1:{}/", self.port)
    }

    async fn finish(self) -> Run {
        let mut run = finish(self.child).await;
        run.stderr = within("stderr", self.rest).await.expect("stderr task");
        run
    }
}

/// Sends a raw upgrade request with these extra lines and returns the whole answer (wsc closes
/// after a refusal).
async fn raw(port: u16, extra: &str) -> String {
    let head = format!(
        "GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
         Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n{extra}\r\n"
    );
    let mut tcp = within("connect", TcpStream::connect(("127.0.0.1", port)))
        .await
        .expect("connects");
    within("write", tcp.write_all(head.as_bytes()))
        .await
        .expect("request sent");
    let mut answer = Vec::new();
    within("answer", tcp.read_to_end(&mut answer))
        .await
        .expect("read");
    String::from_utf8_lossy(&answer).into_owned()
}

/// Asserts a 401 answer with the Basic challenge and `words` as its body.
fn assert_unauthorized(answer: &str, words: &str) {
    assert!(
        answer.starts_with("HTTP/1.1 401 Unauthorized\r\n"),
        "{answer}"
    );
    assert!(
        answer.contains("\r\nWWW-Authenticate: Basic realm=\"wsc\"\r\n"),
        "{answer}"
    );
    assert!(answer.ends_with(&format!("\r\n\r\n{words}\n")), "{answer}");
}

/// The operator's `* refused 127.0.0.1:PORT: WORDS (401)` lines, in order, without the port.
fn refused(stderr: &str) -> Vec<String> {
    stderr
        .lines()
        .filter_map(|line| line.strip_prefix("* refused 127.0.0.1:"))
        .map(|rest| rest.split_once(": ").map_or(rest, |(_, words)| words))
        .map(str::to_string)
        .collect()
}

/// A wsc client that sends one message and closes once the echo is back.
fn echo_client(url: &str, extra: &[&str]) -> Wsc {
    let mut args = vec![url, "-x", "hi", "--count", "1"];
    args.extend_from_slice(extra);
    wsc(args).stdin_null()
}

#[tokio::test]
async fn require_header_refuses_401_without_it_and_accepts_it() {
    let args = [
        "-l",
        "0",
        "--one",
        "--require-header",
        "X-Token: s3cret",
        "--echo",
    ];
    let server = listen(wsc(args)).await;
    let missing = raw(server.port, "").await;
    assert_unauthorized(&missing, "X-Token header missing (--require-header)");
    let wrong = raw(server.port, "x-token: guess\r\n").await;
    assert_unauthorized(
        &wrong,
        "X-Token header has another value (--require-header)",
    );
    assert!(
        !wrong.contains("s3cret") && !wrong.contains("guess"),
        "{wrong}"
    );
    // The name in any case, the value exactly: accepted, and the session runs.
    let client = echo_client(&server.url(), &["-H", "x-TOKEN: s3cret"])
        .run()
        .await;
    client.assert_status(0);
    assert_eq!(client.stdout_lines(), ["hi"]);
    let run = server.finish().await;
    run.assert_status(0);
    assert_eq!(
        refused(&run.stderr),
        [
            "X-Token header missing (--require-header) (401)",
            "X-Token header has another value (--require-header) (401)"
        ],
        "{}",
        run.stderr
    );
    // The operator's lines name the header, never a value.
    assert!(
        !run.stderr.contains("s3cret") && !run.stderr.contains("guess"),
        "{}",
        run.stderr
    );
}

#[tokio::test]
async fn auth_accepts_wsc_with_the_credentials_in_its_url() {
    let args = [
        "-l",
        "0",
        "--auth",
        "user:pa55",
        "--expect",
        "from client",
        "-x",
        "from server",
    ];
    let server = listen(wsc(args)).await;
    let url = format!("ws://user:pa55@127.0.0.1:{}/", server.port);
    let client = wsc([url.as_str(), "-x", "from client", "-w", "-1"])
        .stdin_null()
        .run()
        .await;
    client.assert_status(0);
    assert_eq!(client.stdout_lines(), ["from server"]);
    let run = server.finish().await;
    run.assert_status(0);
    assert_eq!(run.stdout_lines(), ["from client"]);
    assert!(refused(&run.stderr).is_empty(), "{}", run.stderr);
}

#[tokio::test]
async fn auth_refuses_a_wrong_password_and_none_then_serves_the_right_one() {
    let server = listen(wsc(["-l", "0", "--one", "-u", "user:pa55", "--echo"])).await;
    let url = server.url();
    let none = raw(server.port, "").await;
    assert_unauthorized(&none, "Basic authorization missing (--auth)");
    // wsc as the client: the upgrade refused is status 5, in the server's words.
    let wrong = echo_client(&url, &["--auth", "user:wrong"]).run().await;
    wrong
        .assert_status(5)
        .assert_error("server answered 401 Unauthorized: wrong credentials (--auth)");
    let without = echo_client(&url, &[]).run().await;
    without
        .assert_status(5)
        .assert_error("server answered 401 Unauthorized: Basic authorization missing (--auth)");
    let right = echo_client(&url, &["--auth", "user:pa55"]).run().await;
    right.assert_status(0);
    assert_eq!(right.stdout_lines(), ["hi"]);
    let run = server.finish().await;
    run.assert_status(0);
    assert_eq!(
        refused(&run.stderr),
        [
            "Basic authorization missing (--auth) (401)",
            "wrong credentials (--auth) (401)",
            "Basic authorization missing (--auth) (401)",
        ],
        "{}",
        run.stderr
    );
    assert!(
        !run.stderr.contains("pa55") && !run.stderr.contains("wrong:"),
        "{}",
        run.stderr
    );
}

#[tokio::test]
async fn client_flags_with_listen_are_warned_about_and_change_nothing() {
    let args = [
        "-l",
        "0",
        "--one",
        "-H",
        "X-Token: s3cret",
        "-A",
        "agent",
        "-L",
        "--proxy",
        "http://127.0.0.1:1",
        "--resolve",
        "h:1:127.0.0.1",
        "-4",
    ];
    // A broken proxy variable is no error for a listener: it dials nothing.
    let server = listen(wsc(args).env("http_proxy", "htp://broken")).await;
    // -H is not a requirement: a client without the header is served.
    let client = wsc([server.url().as_str(), "-w", "0"])
        .stdin_null()
        .run()
        .await;
    client.assert_status(0);
    let run = server.finish().await;
    run.assert_status(0);
    let warnings: Vec<&str> = run
        .stderr
        .lines()
        .filter_map(|line| line.strip_prefix("wsc: warning: "))
        .collect();
    let client_flag = "has no effect with -l (it is for connecting to a server";
    assert_eq!(
        warnings
            .iter()
            .map(|w| w.split(' ').next().unwrap_or_default())
            .collect::<Vec<_>>(),
        [
            "--header",
            "--user-agent",
            "--resolve",
            "--ipv4",
            "--location",
            "--proxy"
        ],
        "{}",
        run.stderr
    );
    for warning in &warnings {
        assert!(warning.contains(client_flag), "{warning}");
    }
    assert!(
        warnings[0].ends_with("; --require-header checks a client's headers)"),
        "{}",
        warnings[0]
    );
}

#[tokio::test]
async fn flags_that_contradict_listen_are_usage_errors() {
    for (args, words) in [
        (
            &["-l", "0", "--unix-socket", "/tmp/wsc.sock"][..],
            "cannot be used with '--unix-socket",
        ),
        (
            &["ws://127.0.0.1:1/", "--require-header", "X: y"],
            "--require-header works with -l only",
        ),
        (
            &["-l", "0", "--require-header", "no colon"],
            "malformed header 'no colon' (expected 'Name: value')",
        ),
        (
            &[
                "-l",
                "0",
                "--auth",
                "u:p",
                "--require-header",
                "Authorization: x",
            ],
            "both check the Authorization header",
        ),
    ] {
        let run = wsc(args).stdin_null().run().await;
        run.assert_status(2).assert_error(words);
    }
}
