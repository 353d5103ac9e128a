//! The config file: defaults at its top level, profiles chosen by -p or WSC_PROFILE, where it
//! is looked for (--config, WSC_CONFIG, XDG_CONFIG_HOME, HOME), what the command line replaces,
//! errors with the file's line, the warning about credentials others can read, and the profile
//! names the completions offer.

mod common;

use std::path::{Path, PathBuf};

use common::*;

/// A directory for one test's config file, as $XDG_CONFIG_HOME/wsc/config.toml (or, with
/// `home`, as ~/.config/wsc/config.toml).
struct ConfigHome {
    dir: tempfile::TempDir,
}

impl ConfigHome {
    fn with(text: &str) -> ConfigHome {
        let home = ConfigHome {
            dir: tempfile::tempdir().expect("temporary directory"),
        };
        home.write(text);
        home
    }

    /// The file, at $XDG_CONFIG_HOME/wsc/config.toml and ~/.config/wsc/config.toml alike.
    fn file(&self) -> PathBuf {
        self.dir.path().join(".config/wsc/config.toml")
    }

    fn shown(&self) -> String {
        self.file().display().to_string()
    }

    /// Writes the file, readable by its owner only.
    fn write(&self, text: &str) {
        std::fs::create_dir_all(self.file().parent().unwrap()).unwrap();
        std::fs::write(self.file(), text).unwrap();
        self.chmod(0o600);
    }

    fn chmod(&self, mode: u32) {
        use std::os::unix::fs::PermissionsExt;
        let permissions = std::fs::Permissions::from_mode(mode);
        std::fs::set_permissions(self.file(), permissions).unwrap();
    }

    /// wsc with XDG_CONFIG_HOME pointing here.
    fn wsc<I, S>(&self, args: I) -> Wsc
    where
        I: IntoIterator<Item = S>,
        S: AsRef<std::ffi::OsStr>,
    {
        let config_home = self.dir.path().join(".config");
        wsc(args).env("XDG_CONFIG_HOME", config_home.to_str().unwrap())
    }

    /// wsc finding the file through HOME: XDG_CONFIG_HOME empty.
    fn wsc_by_home(&self, args: &[&str]) -> Wsc {
        wsc(args)
            .env("XDG_CONFIG_HOME", "")
            .env("HOME", self.dir.path().to_str().unwrap())
    }
}

/// One line sent to an echo server by wsc with this config file and these arguments, where
/// `{url}` stands for the server's URL in both; returns the run and the server (its request's
/// headers), the echo checked.
async fn session(text: &str, args: &[&str], vars: &[(&str, &str)]) -> (Run, Server<Vec<Message>>) {
    let server = ws_server(echo).await;
    let home = ConfigHome::with(&text.replace("{url}", &server.url));
    let args: Vec<String> = args
        .iter()
        .map(|a| a.replace("{url}", &server.url))
        .collect();
    let mut command = home.wsc(&args).stdin("ping\n");
    for (name, value) in vars {
        command = command.env(name, value);
    }
    let run = command.run().await;
    run.assert_status(0);
    assert_eq!(run.stdout_text(), "ping\n");
    (run, server)
}

/// The usage error of a run with this config file: status 2, one line.
async fn usage_error(home: &ConfigHome, args: &[&str]) -> String {
    let run = home.wsc(args).stdin_null().run().await;
    run.assert_status(2);
    run.assert_error("");
    run.stderr.trim_end().to_string()
}

const PROFILES: &str = r#"
# Every run: a team header, and no waiting once input has ended.
header = ["X-Level: defaults", "X-Team: ops"]
user-agent = "defaults"
wait = 0

[profile.echo]
url = "{url}"
header = "X-Level: profile"
user-agent = "profile"

[profile.elsewhere]
url = "ws://127.0.0.1:9/"
"#;

#[tokio::test]
async fn the_files_top_level_gives_every_run_its_defaults() {
    let (run, server) = session(PROFILES, &["{url}"], &[]).await;
    assert_eq!(run.stderr, "");
    assert_eq!(
        server.request_header("x-level").as_deref(),
        Some("defaults")
    );
    assert_eq!(server.request_header("x-team").as_deref(), Some("ops"));
    assert_eq!(
        server.request_header("user-agent").as_deref(),
        Some("defaults")
    );
    assert_eq!(texts(&server.finish().await), ["ping"]);
}

#[tokio::test]
async fn a_profile_chosen_by_p_gives_the_url_and_goes_over_the_defaults() {
    let (_, server) = session(PROFILES, &["-p", "echo"], &[]).await;
    assert_eq!(server.request_header("x-level").as_deref(), Some("profile"));
    assert_eq!(server.request_header("x-team").as_deref(), Some("ops"));
    assert_eq!(
        server.request_header("user-agent").as_deref(),
        Some("profile")
    );
    server.finish().await;
}

#[tokio::test]
async fn wsc_profile_chooses_a_profile_and_p_beats_it() {
    let (_, server) = session(PROFILES, &[], &[("WSC_PROFILE", "echo")]).await;
    assert_eq!(
        server.request_header("user-agent").as_deref(),
        Some("profile")
    );
    server.finish().await;
    let vars = [("WSC_PROFILE", "elsewhere")];
    let (_, server) = session(PROFILES, &["--profile", "echo"], &vars).await;
    assert_eq!(
        server.request_header("user-agent").as_deref(),
        Some("profile")
    );
    server.finish().await;
}

#[tokio::test]
async fn the_command_line_beats_the_profile_which_beats_the_defaults() {
    let args = [
        "-p",
        "echo",
        "-A",
        "cli",
        "-H",
        "x-level: cli",
        "-H",
        "X-More: 1",
    ];
    let (_, server) = session(PROFILES, &args, &[]).await;
    // -H replaces the file's header of the same name and adds to the others.
    assert_eq!(server.request_header("x-level").as_deref(), Some("cli"));
    assert_eq!(server.request_header("x-team").as_deref(), Some("ops"));
    assert_eq!(server.request_header("x-more").as_deref(), Some("1"));
    assert_eq!(server.request_header("user-agent").as_deref(), Some("cli"));
    server.finish().await;
    // A URL on the command line replaces the profile's.
    let (_, server) = session(PROFILES, &["-p", "elsewhere", "{url}"], &[]).await;
    assert_eq!(
        server.request_header("user-agent").as_deref(),
        Some("defaults")
    );
    server.finish().await;
}

#[tokio::test]
async fn no_config_reads_no_file_and_no_profile() {
    let text = "header = 'X-From-File: 1'\n[profile.p]\nurl = 'ws://127.0.0.1:9/'\n";
    let vars = [("WSC_PROFILE", "p")];
    let (run, server) = session(text, &["--no-config", "{url}", "-w", "0"], &vars).await;
    assert_eq!(run.stderr, "");
    assert_eq!(server.request_header("x-from-file"), None);
    server.finish().await;
    // Not even a file that would be an error.
    let (_, server) = session("max-tme = 5\n", &["--no-config", "{url}", "-w", "0"], &[]).await;
    server.finish().await;
}

#[tokio::test]
async fn config_and_wsc_config_name_another_file_which_must_exist() {
    let other = ConfigHome::with("header = 'X-From: other'\nwait = 0\n");
    let other_file = other.shown();
    let (_, server) = session(PROFILES, &["--config", &other_file, "{url}"], &[]).await;
    assert_eq!(server.request_header("x-from").as_deref(), Some("other"));
    assert_eq!(server.request_header("x-team"), None);
    server.finish().await;
    let (_, server) = session(PROFILES, &["{url}"], &[("WSC_CONFIG", &other_file)]).await;
    assert_eq!(server.request_header("x-from").as_deref(), Some("other"));
    server.finish().await;

    let home = ConfigHome::with("");
    let missing = home.dir.path().join("missing.toml");
    let missing = missing.to_str().unwrap();
    let error = usage_error(&home, &["--config", missing, "ws://127.0.0.1:9/"]).await;
    assert_eq!(
        error,
        format!("wsc: error: cannot read the config file {missing}: no such file or directory")
    );
    let run = home
        .wsc(["ws://127.0.0.1:9/"])
        .env("WSC_CONFIG", missing)
        .stdin_null()
        .run()
        .await;
    run.assert_status(2).assert_error(&format!(
        "the config file {missing} (WSC_CONFIG): no such file"
    ));
}

#[tokio::test]
async fn the_default_file_is_found_through_home_and_named_with_a_tilde() {
    let home = ConfigHome::with("# wsc\n\nheader = ['X-A: 1']\nmax-tme = 5\n");
    let run = home
        .wsc_by_home(&["ws://127.0.0.1:9/"])
        .stdin_null()
        .run()
        .await;
    run.assert_status(2);
    assert_eq!(
        run.stderr,
        "wsc: error: ~/.config/wsc/config.toml line 4: unknown key 'max-tme' (did you mean \
         'max-time'?)\n"
    );
}

#[tokio::test]
async fn bad_values_are_usage_errors_naming_the_line_and_the_key() {
    let file = ConfigHome::with("").shown();
    for (text, words) in [
        (
            "wait = 0\n\n[profile.p]\nmax-time = 'soon'\n",
            "line 4: --max-time takes a number of seconds, not 'soon'",
        ),
        (
            "count = 0\n",
            "line 1: invalid value '0' for '--count <N>': must be a whole number of 1 or more",
        ),
        (
            "insecure = 1\n",
            "line 1: 'insecure' is a switch: true or false",
        ),
        (
            "[profile.p]\nheader = [\n  'X: 1',\n  'nope',\n]\n",
            "line 4: malformed header 'nope'",
        ),
        ("\n[profile.p\n", "line 2: "),
        (
            "[profile.p]\nauth = 'a:b'\nuser = 'c:d'\n",
            "line 3: 'user' cannot be used with 'auth' (line 2)",
        ),
    ] {
        let home = ConfigHome::with(text);
        let error = usage_error(&home, &["-p", "p", "ws://127.0.0.1:9/"]).await;
        let error = error.replace(&home.shown(), &file);
        assert!(
            error.starts_with(&format!("wsc: error: {file} {words}")),
            "{text:?}: {error}"
        );
    }
}

#[tokio::test]
async fn an_unknown_profile_is_an_error_naming_those_there_are() {
    let home = ConfigHome::with(PROFILES);
    let error = usage_error(&home, &["-p", "ech"]).await;
    let file = home.shown();
    assert_eq!(
        error,
        format!("wsc: error: no profile 'ech' (-p) in {file}: it has echo, elsewhere")
    );
    let run = home
        .wsc(Vec::<&str>::new())
        .env("WSC_PROFILE", "prod")
        .stdin_null()
        .run()
        .await;
    run.assert_status(2)
        .assert_error("no profile 'prod' (WSC_PROFILE) in ");
}

#[tokio::test]
async fn credentials_in_a_file_others_can_read_are_warned_about() {
    let text = "wait = 0\n[profile.p]\nurl = '{url}'\nauth = 'u:p'\n";
    let (run, server) = session(text, &["-p", "p"], &[]).await;
    assert_eq!(run.stderr, "", "mode 600: no warning");
    assert_eq!(
        server.request_header("authorization").as_deref(),
        Some("Basic dTpw")
    );
    server.finish().await;

    let server = ws_server(echo).await;
    let home = ConfigHome::with(&text.replace("{url}", &server.url));
    home.chmod(0o644);
    let run = home.wsc(["-p", "p"]).stdin("ping\n").run().await;
    run.assert_status(0);
    let file = home.shown();
    assert_eq!(
        run.stderr,
        format!(
            "wsc: warning: {file} holds credentials ('auth' on line 4) and other users can read \
             it: chmod 600 {file}\n"
        )
    );
    server.finish().await;
}

#[tokio::test]
async fn bash_completes_the_profile_names_after_p() {
    let home = ConfigHome::with(PROFILES);
    let script = home.dir.path().join("wsc.bash");
    let bash = wsc(["--generate", "bash"]).stdin_null().run().await;
    std::fs::write(&script, bash.stdout).unwrap();
    let bin = Path::new(env!("CARGO_BIN_EXE_wsc")).parent().unwrap();
    let path = format!(
        "{}:{}",
        bin.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    for (word, offered) in [("", "echo\nelsewhere\n"), ("el", "elsewhere\n")] {
        let complete = format!(
            "source {}; COMP_WORDS=(wsc -p '{word}'); COMP_CWORD=2; _wsc wsc '{word}' -p; \
             printf '%s\\n' \"${{COMPREPLY[@]}}\"",
            script.display()
        );
        let output = tokio::process::Command::new("bash")
            .args(["-c", &complete])
            .env("PATH", &path)
            .env("XDG_CONFIG_HOME", home.dir.path().join(".config"))
            .env_remove("WSC_CONFIG")
            .output();
        let output = within("bash completion", output).await.expect("bash runs");
        assert_eq!(String::from_utf8_lossy(&output.stdout), offered, "{word:?}");
    }
}
