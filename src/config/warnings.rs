//! Flags that were accepted but cannot take effect in this run, each in one line (a flag is
//! never ignored without a word).

use url::Url;

use super::Mode;
use crate::cli::Cli;
use crate::connect::names::Names;
use crate::connect::unix::UnixSocket;

/// Flags that were accepted but cannot take effect in this run, each in one line. `stdin_empty`
/// says whether stdin is known to hold nothing (asked only when it matters).
pub(super) fn warnings(
    cli: &Cli,
    mode: Mode,
    url: &Url,
    stdin_empty: impl Fn() -> bool,
) -> Vec<String> {
    let mut warnings = Vec::new();
    if mode == Mode::Pipe {
        let repl_only = [
            (cli.no_slash, "--no-slash"),
            (cli.history_file.is_some(), "--history-file"),
            (cli.no_history, "--no-history"),
            (cli.interactive, "--interactive"),
            (cli.max_dump.is_some(), "--max-dump"),
            (cli.max_lines.is_some(), "--max-lines"),
        ];
        for (_, flag) in repl_only.iter().filter(|(given, _)| *given) {
            warnings.push(format!(
                "{flag} applies to the REPL only (stdin and stdout are not both terminals)"
            ));
        }
        let events_shown = cli.verbose > 0 || cli.show_ping_pong;
        if cli.timestamps && !cli.jsonl && !events_shown {
            warnings.push(
                "--timestamps prefixes the events on stderr, and none are shown: add -v or -P \
                 (or use --jsonl for \"ts\" fields)"
                    .into(),
            );
        }
        if cli.jsonl && cli.pretty == crate::cli::PrettyWhen::Always {
            warnings.push(
                "--pretty has no effect with --jsonl: each event stays one JSON object a line"
                    .into(),
            );
        }
        if cli.echo && !stdin_empty() {
            warnings.push("--echo sends no input: what stdin holds is not sent".into());
        }
        if cli.replay.is_some() && !stdin_empty() {
            warnings.push("--replay sends the recording: what stdin holds is not sent".into());
        }
    } else {
        if cli.echo {
            warnings.push(
                "--echo reads no input: what you type is not sent (Ctrl-C ends the session)".into(),
            );
        }
        if cli.interactive && cli.execute.is_empty() {
            warnings.push("--interactive changes what -x does, and no -x was given".into());
        }
    }
    if cli.replay.is_some() && cli.binary && cli.execute.is_empty() {
        warnings.push(
            "--binary has no effect with --replay and no -x (the recording says what each \
             message is)"
                .into(),
        );
    }
    // With -l, the client's flags are said once, as such: how they would combine is moot.
    let listening = cli.listen.is_some();
    if listening {
        warnings.extend(client_only(cli));
    }
    if cli.max_redirs.is_some() && !(cli.location || cli.location_trusted) && !listening {
        warnings.push("--max-redirs has no effect without -L".into());
    }
    // A -H header replaces the one a flag would make.
    let typed = |header: &str| {
        cli.headers.iter().any(|h| {
            h.split_once(':')
                .is_some_and(|(name, _)| name.trim().eq_ignore_ascii_case(header))
        })
    };
    let replaced = [
        (cli.user_agent.is_some(), "User-Agent", "-A"),
        (cli.origin.is_some(), "Origin", "-o"),
        (
            cli.auth.is_some() || cli.user.is_some(),
            "Authorization",
            "--auth",
        ),
    ];
    for (_, header, flag) in replaced
        .iter()
        .filter(|(given, header, _)| *given && typed(header) && !listening)
    {
        warnings.push(format!(
            "-H '{header}: …' replaces {flag}, which is not sent"
        ));
    }
    if cli.listen.is_some() {
        warnings.extend(listen_tls(cli));
    } else if url.scheme() == "ws" {
        let tls = [
            (cli.insecure, "--insecure"),
            (cli.ca.is_some(), "--ca"),
            (cli.cert.is_some(), "--cert"),
            (cli.tls_min.is_some(), "--tls-min"),
            (cli.servername.is_some(), "--servername"),
            (cli.pinnedpubkey.is_some(), "--pinnedpubkey"),
        ];
        for (_, flag) in tls.iter().filter(|(given, _)| *given) {
            warnings.push(format!("{flag} has no effect on a ws:// URL (no TLS)"));
        }
    }
    warnings
}

/// The flags for connecting to a server, given with -l: they change nothing there, each is
/// named (in --help's order). Where the listener has a flag of its own for what was perhaps
/// meant, it is named too. TLS flags are not here: -l takes some of them.
fn client_only(cli: &Cli) -> Vec<String> {
    let flags = [
        (
            !cli.headers.is_empty(),
            "--header",
            Some("--require-header checks a client's headers"),
        ),
        (
            cli.origin.is_some(),
            "--origin",
            Some("--require-header 'Origin: …' checks a client's"),
        ),
        (
            cli.user_agent.is_some(),
            "--user-agent",
            Some("--require-header 'User-Agent: …' checks a client's"),
        ),
        (!cli.resolve.is_empty(), "--resolve", None),
        (!cli.connect_to.is_empty(), "--connect-to", None),
        (cli.ipv4, "--ipv4", Some("-l PORT listens on 127.0.0.1")),
        (cli.ipv6, "--ipv6", Some("-l '[::1]:PORT' listens on IPv6")),
        (cli.location, "--location", None),
        (cli.max_redirs.is_some(), "--max-redirs", None),
        (cli.location_trusted, "--location-trusted", None),
        (cli.proxy.is_some(), "--proxy", None),
        (cli.noproxy.is_some(), "--noproxy", None),
        (cli.proxy_user.is_some(), "--proxy-user", None),
        (cli.proxy_cacert.is_some(), "--proxy-cacert", None),
        (cli.proxy_insecure, "--proxy-insecure", None),
    ];
    flags
        .iter()
        .filter(|(given, _, _)| *given)
        .map(|(_, flag, hint)| match hint {
            Some(hint) => {
                format!("{flag} has no effect with -l (it is for connecting to a server; {hint})")
            }
            None => format!("{flag} has no effect with -l (it is for connecting to a server)"),
        })
        .collect()
}

/// TLS flags with -l: those that judge the server's certificate are the client's alone; --cert,
/// --key and --tls-min are the listener's own (wss://).
fn listen_tls(cli: &Cli) -> Vec<String> {
    let client_only = [
        (cli.insecure, "--insecure"),
        (cli.ca.is_some(), "--ca"),
        (cli.servername.is_some(), "--servername"),
        (cli.pinnedpubkey.is_some(), "--pinnedpubkey"),
    ];
    let mut warnings: Vec<String> = client_only
        .iter()
        .filter(|(given, _)| *given)
        .map(|(_, flag)| {
            format!(
                "{flag} has no effect with -l (it checks the server's certificate when wsc is \
                 the client)"
            )
        })
        .collect();
    if cli.tls_min.is_some() && cli.cert.is_none() {
        warnings.push("--tls-min has no effect with -l without --cert and --key (no TLS)".into());
    }
    warnings
}

/// --resolve, --connect-to, -4 and -6 given with a unix socket, which has no name to resolve.
pub(super) fn no_names_on(socket: &UnixSocket, names: &Names) -> Vec<String> {
    names
        .given()
        .into_iter()
        .map(|flag| format!("{flag} has no effect on a {socket} (no name is looked up)"))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::parse_url;

    #[test]
    fn flags_that_cannot_take_effect_are_named_in_warnings() {
        use clap::Parser;
        let warned = |args: &[&str], mode, stdin_empty: bool| {
            let cli = Cli::try_parse_from(std::iter::once("wsc").chain(args.iter().copied()));
            let cli = cli.unwrap();
            let url = parse_url(cli.url.as_deref().unwrap()).unwrap().0;
            warnings(&cli, mode, &url, || stdin_empty)
        };
        let pipe = |args: &[&str]| warned(args, Mode::Pipe, false);
        assert_eq!(pipe(&["ws://h/"]), Vec::<String>::new());
        assert_eq!(
            pipe(&["ws://h/", "--no-slash", "--history-file", "f"]),
            [
                "--no-slash applies to the REPL only (stdin and stdout are not both terminals)",
                "--history-file applies to the REPL only (stdin and stdout are not both terminals)"
            ]
        );
        assert!(pipe(&["ws://h/", "--max-dump", "9"])[0].starts_with("--max-dump applies"));
        assert!(pipe(&["ws://h/", "--max-lines", "9"])[0].starts_with("--max-lines applies"));
        assert_eq!(
            pipe(&["ws://h/", "--jsonl", "--pretty", "always"]),
            ["--pretty has no effect with --jsonl: each event stays one JSON object a line"]
        );
        assert_eq!(
            pipe(&["ws://h/", "--pretty", "always"]),
            Vec::<String>::new()
        );
        assert!(pipe(&["ws://h/", "-i"])[0].starts_with("--interactive applies"));
        assert!(pipe(&["ws://h/", "--timestamps"])[0].contains("--timestamps"));
        assert!(pipe(&["ws://h/", "--timestamps", "-P"]).is_empty());
        assert!(pipe(&["ws://h/", "--timestamps", "-v"]).is_empty());
        assert!(pipe(&["ws://h/", "--timestamps", "--jsonl"]).is_empty());
        assert!(pipe(&["ws://h/", "--echo"])[0].contains("--echo sends no input"));
        assert!(warned(&["ws://h/", "--echo"], Mode::Pipe, true).is_empty());
        assert!(warned(&["ws://h/", "--no-history"], Mode::Repl, false).is_empty());
        assert!(pipe(&["ws://h/", "-k"])[0].contains("--insecure has no effect on a ws:// URL"));
        assert!(pipe(&["wss://h/", "-k"]).is_empty());
        // -u without -H Authorization is sent: no warning for it.
        assert_eq!(
            pipe(&[
                "h",
                "-A",
                "a",
                "-H",
                "user-agent: b",
                "-u",
                "u:p",
                "-o",
                "x",
                "-H",
                "Origin: o"
            ]),
            [
                "-H 'User-Agent: …' replaces -A, which is not sent",
                "-H 'Origin: …' replaces -o, which is not sent"
            ]
        );
        // -u alone is as replaced as --auth.
        for flag in ["--auth", "-u"] {
            assert_eq!(
                pipe(&["h", flag, "u:p", "-H", "Authorization: Bearer t"]),
                ["-H 'Authorization: …' replaces --auth, which is not sent"]
            );
        }
        let repl = |args: &[&str]| warned(args, Mode::Repl, false);
        assert!(repl(&["h", "--echo"])[0].starts_with("--echo reads no input"));
        assert!(repl(&["h", "-i"])[0].starts_with("--interactive changes what -x does"));
        assert!(repl(&["h", "-i", "-x", "m"]).is_empty());
        assert_eq!(
            pipe(&["h", "--max-redirs", "3"]),
            ["--max-redirs has no effect without -L"]
        );
        assert!(pipe(&["h", "--max-redirs", "3", "--location-trusted"]).is_empty());
        assert_eq!(
            pipe(&["h", "--replay", "r"]),
            ["--replay sends the recording: what stdin holds is not sent"]
        );
        assert!(warned(&["h", "--replay", "r"], Mode::Pipe, true).is_empty());
        assert!(
            repl(&["h", "--replay", "r"]).is_empty(),
            "keys are not read"
        );
        assert!(repl(&["h", "--replay", "r", "-b"])[0].starts_with("--binary has no effect"));
        assert!(repl(&["h", "--replay", "r", "-b", "-x", "m"]).is_empty());
    }

    #[test]
    fn client_flags_with_listen_are_each_named_once_as_such() {
        use crate::config::tests::config_of;
        let args = [
            "-l",
            "0",
            "-H",
            "User-Agent: x",
            "-H",
            "Sec-WebSocket-Protocol: chat",
            "-o",
            "https://o.test",
            "-A",
            "agent",
            "--resolve",
            "h:1:127.0.0.1",
            "--connect-to",
            "h:1:g:2",
            "-4",
            "-L",
            "--max-redirs",
            "3",
            "--location-trusted",
            "--proxy",
            "http://p:1",
            "--noproxy",
            "*",
            "--proxy-user",
            "u:p",
            "--proxy-cacert",
            "ca.pem",
            "--proxy-insecure",
        ];
        let config = config_of(&args);
        let flag = |warning: &String| warning.split(' ').next().unwrap_or_default().to_string();
        // No other words about them: not -H replacing -A, not the proxy that is not used.
        assert_eq!(
            config.warnings.iter().map(flag).collect::<Vec<_>>(),
            [
                "--header",
                "--origin",
                "--user-agent",
                "--resolve",
                "--connect-to",
                "--ipv4",
                "--location",
                "--max-redirs",
                "--location-trusted",
                "--proxy",
                "--noproxy",
                "--proxy-user",
                "--proxy-cacert",
                "--proxy-insecure",
            ],
            "{:#?}",
            config.warnings
        );
        for warning in &config.warnings {
            assert!(
                warning.contains(" has no effect with -l (it is for connecting to a server"),
                "{warning}"
            );
        }
        assert_eq!(
            config.warnings[0],
            "--header has no effect with -l (it is for connecting to a server; --require-header \
             checks a client's headers)"
        );
        // -H 'Sec-WebSocket-Protocol' offers as a client; a listener accepts what -s names.
        assert!(config.subprotocols.is_empty(), "{:?}", config.subprotocols);
        let config = config_of(&["-l", "0", "-6", "-s", "chat"]);
        assert_eq!(
            config.warnings,
            [
                "--ipv6 has no effect with -l (it is for connecting to a server; -l '[::1]:PORT' \
              listens on IPv6)"
            ]
        );
        assert_eq!(config.subprotocols, ["chat"]);
        // What a listener uses is not warned about.
        let used = [
            "-l",
            "0",
            "--auth",
            "u:p",
            "--require-header",
            "X: y",
            "--path",
            "/p",
            "-s",
            "chat",
            "--no-compress",
        ];
        assert!(
            config_of(&used).warnings.is_empty(),
            "{:?}",
            config_of(&used).warnings
        );
    }

    #[test]
    fn with_listen_only_the_client_s_tls_flags_are_warned_about() {
        use clap::Parser;
        let warned = |args: &[&str]| {
            let all = ["wsc", "-l", "0"].into_iter().chain(args.iter().copied());
            let cli = Cli::try_parse_from(all).unwrap();
            let url = Url::parse("wss://127.0.0.1:0/").unwrap();
            warnings(&cli, Mode::Pipe, &url, || true)
        };
        let served = ["--cert", "c.pem", "--key", "k.pem"];
        assert!(warned(&served).is_empty());
        assert!(warned(&[&served[..], &["--tls-min", "1.3"]].concat()).is_empty());
        let client_only = [
            (&["-k"][..], "--insecure"),
            (&["--cacert", "ca.pem"], "--ca"),
            (&["--servername", "n"], "--servername"),
            (&["--pinnedpubkey", "sha256//x"], "--pinnedpubkey"),
        ];
        for (args, flag) in client_only {
            assert_eq!(
                warned(&[&served[..], args].concat()),
                [format!(
                    "{flag} has no effect with -l (it checks the server's certificate when wsc \
                     is the client)"
                )]
            );
        }
        assert_eq!(
            warned(&["--tls-min", "1.3"]),
            ["--tls-min has no effect with -l without --cert and --key (no TLS)"]
        );
    }

    #[test]
    fn each_name_flag_given_with_a_unix_socket_is_named_as_having_no_effect() {
        let socket = UnixSocket::Path("/s".into());
        let names = |resolve: &[&str], ipv4| {
            let resolve: Vec<String> = resolve.iter().map(|r| r.to_string()).collect();
            Names::from_flags(&resolve, &[], ipv4, false).unwrap()
        };
        assert_eq!(
            no_names_on(&socket, &names(&["h:1:127.0.0.1"], true)),
            [
                "--resolve has no effect on a unix socket /s (no name is looked up)",
                "-4 has no effect on a unix socket /s (no name is looked up)"
            ]
        );
        assert!(no_names_on(&socket, &names(&[], false)).is_empty());
    }
}
