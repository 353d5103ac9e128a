//! Files the binary generates (completions, man page, the README's usage block) must match what
//! is committed. Refresh them with `BLESS=1 cargo test --test generated`.

use std::path::Path;
use std::process::Command;

fn wsc_output(args: &[&str]) -> String {
    let output = Command::new(env!("CARGO_BIN_EXE_wsc"))
        .args(args)
        .env_remove("COLUMNS")
        .output()
        .unwrap();
    assert!(output.status.success(), "wsc {args:?} failed");
    String::from_utf8(output.stdout).unwrap()
}

/// Compares `actual` with the committed file, or rewrites it under BLESS=1.
fn check_fresh(path: &str, actual: &str) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(path);
    if std::env::var_os("BLESS").is_some() {
        std::fs::write(&path, actual).unwrap();
        return;
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed == actual,
        "{} is stale: run `BLESS=1 cargo test --test generated` and commit the result",
        path.display()
    );
}

#[test]
fn completions_and_man_page_are_fresh() {
    for (kind, path) in [
        ("bash", "completions/wsc.bash"),
        ("zsh", "completions/_wsc"),
        ("fish", "completions/wsc.fish"),
        ("elvish", "completions/wsc.elv"),
        ("powershell", "completions/_wsc.ps1"),
        ("man", "man/wsc.1"),
    ] {
        check_fresh(path, &wsc_output(&["--generate", kind]));
    }
}

/// clap_complete has no hook for values known only when completing: generate.rs adds the
/// command that lists the config file's profiles to the lines for -p and --profile, and a
/// clap_complete that writes those lines differently must not drop it unnoticed.
#[test]
fn the_completions_offer_the_profile_names_after_p() {
    for (kind, lines) in [("bash", 2), ("zsh", 2), ("fish", 1)] {
        let script = wsc_output(&["--generate", kind]);
        let hook = script
            .matches("wsc --generate profiles 2>/dev/null")
            .count();
        assert_eq!(hook, lines, "{kind}");
    }
}

#[test]
fn the_man_page_renders_without_warnings() {
    let page = Path::new(env!("CARGO_MANIFEST_DIR")).join("man/wsc.1");
    let Ok(output) = Command::new("groff")
        .args(["-ww", "-z", "-man"])
        .arg(&page)
        .output()
    else {
        panic!("groff is needed for this test (Debian package groff-base)");
    };
    assert!(output.status.success());
    assert_eq!(
        String::from_utf8_lossy(&output.stderr),
        "",
        "groff warnings"
    );
    let text = std::fs::read_to_string(&page).unwrap();
    for section in [
        "NAME",
        "SYNOPSIS",
        "DESCRIPTION",
        "OPTIONS",
        "EXIT STATUS",
        "ENVIRONMENT",
        "FILES",
        "EXAMPLES",
    ] {
        let found = text.contains(&format!(".SH {section}\n"))
            || text.contains(&format!(".SH \"{section}\"\n"));
        assert!(found, "no {section} section");
    }
}

#[test]
fn the_readme_usage_block_is_wsc_help() {
    let readme_path = Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md");
    let readme = std::fs::read_to_string(&readme_path).unwrap();
    let (start, end) = (
        "<!-- usage: wsc --help -->\n```text\n",
        "```\n<!-- usage end -->",
    );
    let from = readme.find(start).expect("README has the usage markers") + start.len();
    let to = from
        + readme[from..]
            .find(end)
            .expect("README has the usage end marker");
    let help = wsc_output(&["--help"]);
    if std::env::var_os("BLESS").is_some() {
        std::fs::write(
            &readme_path,
            format!("{}{help}{}", &readme[..from], &readme[to..]),
        )
        .unwrap();
        return;
    }
    assert!(
        readme[from..to] == help,
        "README usage block is stale: run `BLESS=1 cargo test --test generated`"
    );
}

#[test]
fn the_readme_exit_status_table_is_the_one_in_the_code() {
    let readme =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md")).unwrap();
    // The long help's table comes from the same constant; each row must be in the README too.
    let help = wsc_output(&["--help"]);
    let mut rows: Vec<(String, String)> = Vec::new();
    for line in help.lines().skip_while(|l| *l != "Exit status:").skip(1) {
        let line = line.trim();
        match line.split_once("  ") {
            Some((code, meaning)) if code.parse::<u8>().is_ok() => {
                rows.push((code.to_string(), meaning.trim().to_string()))
            }
            // clap wrapped a long meaning onto the next line.
            _ if !line.is_empty() => rows.last_mut().unwrap().1.push_str(&format!(" {line}")),
            _ => {}
        }
    }
    assert_eq!(rows.len(), wsc::error::EXIT_STATUSES.len());
    for (code, meaning) in rows {
        let row = format!("| {code} | {meaning} |");
        assert!(readme.contains(&row), "README lacks {row}");
    }
}

#[test]
fn short_help_is_short_and_long_help_has_examples_and_exit_statuses() {
    let short = wsc_output(&["-h"]);
    let long = wsc_output(&["--help"]);
    assert!(
        short.lines().count() < long.lines().count() / 2,
        "-h should be a summary"
    );
    for heading in [
        "Connection:",
        "TLS:",
        "Input:",
        "Output:",
        "Session:",
        "REPL:",
    ] {
        assert!(
            short.contains(heading) && long.contains(heading),
            "no {heading} group"
        );
    }
    assert!(long.contains("Examples:") && long.contains("Exit status:"));
    assert!(long.contains("143  ended by SIGTERM, after sending Close 1001"));
    assert!(!short.contains("Exit status:"));
}

#[test]
fn help_and_man_page_list_the_slash_commands_and_the_json_lines_objects() {
    let help = wsc_output(&["--help"]);
    let man = wsc_output(&["--generate", "man"]);
    for section in [".SH \"SLASH COMMANDS\"", ".SH \"JSON LINES\""] {
        assert!(man.contains(section), "no {section} in the man page");
    }
    // Every command the REPL's /help lists, by its name.
    for line in wsc::input::slash::help(true).lines() {
        let command = line.split(' ').next().unwrap();
        assert!(
            help.contains(&format!("\n  {command} ")),
            "--help lacks {command}"
        );
        assert!(
            man.contains(&format!("\\fB{command}")),
            "the man page lacks {command}"
        );
    }
    // Every type, both ways.
    for kind in ["open", "text", "binary", "ping", "pong", "close"] {
        let printed = format!("{{\"type\":\"{kind}\",");
        assert!(help.contains(&printed), "--help lacks {printed}");
        assert!(man.contains(&printed), "the man page lacks {printed}");
    }
    let read = help
        .split("JSON lines read from stdin")
        .nth(1)
        .expect("--help says what --jsonl reads");
    for field in ["\"data\":", "\"base64\":", "\"code\":", "\"reason\":"] {
        assert!(read.contains(field), "--help lacks {field} for input");
    }
}

#[test]
fn help_and_man_page_state_how_a_session_runs_and_ends() {
    let help = wsc_output(&["--help"]);
    let man = wsc_output(&["--generate", "man"]);
    assert!(help.contains("\nHow a session runs and ends:\n"));
    assert!(man.contains(".SH \"SESSION RULES\""));
    // Every rule, word for word, in both (the help wraps lines, the man page escapes dashes).
    let words = |text: &str| text.split_whitespace().collect::<Vec<_>>().join(" ");
    let help = words(&help);
    let man = words(&man.replace("\\-", "-"));
    for rule in wsc::cli::RULES {
        assert!(help.contains(&words(rule)), "--help lacks: {rule}");
        assert!(man.contains(&words(rule)), "the man page lacks: {rule}");
    }
}
