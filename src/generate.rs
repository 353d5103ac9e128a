//! `--generate KIND`: the binary writes its own shell completions and man page, from the same
//! clap definition that parses the command line.

use std::io::{self, Write};

use clap_complete::Shell;

use crate::cli::{self, EXAMPLES, Generate};
use crate::error::EXIT_STATUSES;

pub fn write(kind: Generate, out: &mut dyn Write) -> io::Result<()> {
    let mut command = cli::command();
    let shell = match kind {
        Generate::Bash => Shell::Bash,
        Generate::Zsh => Shell::Zsh,
        Generate::Fish => Shell::Fish,
        Generate::Elvish => Shell::Elvish,
        Generate::Powershell => Shell::PowerShell,
        Generate::Man => return man_page(command, out),
        Generate::Profiles => {
            for name in crate::config::file::profile_names(&|name| std::env::var_os(name)) {
                writeln!(out, "{name}")?;
            }
            return Ok(());
        }
    };
    let mut script = Vec::new();
    clap_complete::generate(shell, &mut command, "wsc", &mut script);
    out.write_all(with_profiles(shell, &String::from_utf8_lossy(&script)).as_bytes())
}

/// What completes a profile's name after -p: the names `wsc --generate profiles` lists.
/// (Elvish and PowerShell: clap_complete completes no option's values there.)
const PROFILES: [(Shell, &str, &str); 3] = [
    (
        Shell::Bash,
        "COMPREPLY=($(compgen -f \"${cur}\"))",
        "COMPREPLY=($(compgen -W \"$(wsc --generate profiles 2>/dev/null)\" -- \"${cur}\"))",
    ),
    (
        Shell::Zsh,
        ":NAME:_default'",
        ":NAME:{compadd -- ${(f)\"$(wsc --generate profiles 2>/dev/null)\"}}'",
    ),
    (
        Shell::Fish,
        " -r\n",
        " -r -f -a \"(wsc --generate profiles 2>/dev/null)\"\n",
    ),
];

/// A completion script whose -p and --profile complete the config file's profile names:
/// clap_complete has no hook for values known only when completing, so the lines it writes
/// for them get the command that lists them (tests/generated.rs checks that they do).
fn with_profiles(shell: Shell, script: &str) -> String {
    let Some((_, from, to)) = PROFILES.iter().find(|(s, ..)| *s == shell) else {
        return script.to_string();
    };
    let mut lines: Vec<String> = Vec::new();
    // bash: the case label of -p or --profile, then the line to change.
    let mut after_label = false;
    for line in script.split_inclusive('\n') {
        let label = line.trim() == "-p)" || line.trim() == "--profile)";
        let option = match shell {
            Shell::Bash => after_label,
            Shell::Zsh => line.starts_with("'-p+[") || line.starts_with("'--profile=["),
            _ => line.starts_with("complete -c wsc -s p -l profile "),
        };
        lines.push(match option {
            true => line.replacen(from, to, 1),
            false => line.to_string(),
        });
        after_label = label;
    }
    lines.concat()
}

/// Environment variables wsc reads.
const ENVIRONMENT: [(&str, &str); 16] = [
    (
        "WSC_CONFIG",
        "the config file to read instead of $XDG_CONFIG_HOME/wsc/config.toml; --config and \
         --no-config replace it",
    ),
    (
        "WSC_PROFILE",
        "the config file's profile to use when -p gives none",
    ),
    (
        "XDG_CONFIG_HOME",
        "where the config file lives: $XDG_CONFIG_HOME/wsc/config.toml",
    ),
    (
        "NO_COLOR",
        "when set and not empty, no colours (unless --color always)",
    ),
    (
        "CLICOLOR_FORCE",
        "when set and not 0, colours even when the output is not a terminal",
    ),
    (
        "XDG_STATE_HOME",
        "where the REPL history lives: $XDG_STATE_HOME/wsc/history",
    ),
    (
        "HOME",
        "the fallback places of the history and the config file: ~/.local/state/wsc/history, \
         ~/.config/wsc/config.toml",
    ),
    (
        "SSL_CERT_FILE",
        "a PEM bundle of trusted certificates, instead of the system's",
    ),
    (
        "SSL_CERT_DIR",
        "a directory of trusted certificates, instead of the system's",
    ),
    // The proxy variables, as curl (8.4 and later) reads them.
    (
        "ws_proxy, WS_PROXY",
        "the proxy for ws:// URLs, a URL as --proxy takes it. Of the variables for a URL's \
         scheme the first set and not empty is used, lowercase before uppercase; --proxy replaces \
         them all, and --proxy '' ignores them",
    ),
    (
        "http_proxy",
        "the proxy for ws:// URLs when neither ws_proxy nor WS_PROXY is set",
    ),
    (
        "HTTP_PROXY",
        "never read: a CGI program gets it from a request's Proxy: header (httpoxy); use \
         http_proxy",
    ),
    (
        "wss_proxy, WSS_PROXY",
        "the proxy for wss:// URLs, read first",
    ),
    (
        "https_proxy, HTTPS_PROXY",
        "the proxy for wss:// URLs when neither wss_proxy nor WSS_PROXY is set",
    ),
    (
        "all_proxy, ALL_PROXY",
        "the proxy for ws:// and wss:// URLs when none of their own variables is set",
    ),
    (
        "no_proxy, NO_PROXY",
        "hosts reached directly, even with --proxy: a comma-separated list of names (each also \
         matching the names under it), IP addresses and CIDR ranges; * alone is every host. \
         --noproxy replaces them",
    ),
];

fn man_page(command: clap::Command, out: &mut dyn Write) -> io::Result<()> {
    let man = clap_mangen::Man::new(command);
    man.render_title(out)?;
    man.render_name_section(out)?;
    man.render_synopsis_section(out)?;
    man.render_description_section(out)?;
    man.render_options_section(out)?;
    writeln!(out, ".SH \"SESSION RULES\"")?;
    for rule in crate::cli::RULES {
        writeln!(out, ".IP \\(bu 2\n{}", roff(rule))?;
    }
    writeln!(out, ".SH \"JSON-RPC\"")?;
    for rule in crate::jsonrpc::RULES {
        writeln!(out, ".IP \\(bu 2\n{}", roff(rule))?;
    }
    writeln!(out, ".SH \"CONFIG FILE\"")?;
    for rule in crate::config::file::RULES {
        writeln!(out, ".IP \\(bu 2\n{}", roff(rule))?;
    }
    let mut section = |title: &str, items: &mut dyn Iterator<Item = (String, String)>| {
        writeln!(out, ".SH \"{title}\"")?;
        for (term, text) in items {
            writeln!(out, ".TP\n{}\n{}", roff(&term), roff(&text))?;
        }
        io::Result::Ok(())
    };
    section(
        "SLASH COMMANDS",
        &mut crate::input::slash::COMMANDS
            .iter()
            .chain(&crate::input::slash::LISTEN_COMMANDS)
            .map(|(form, what)| (format!("\\fB{form}\\fR"), what.to_string())),
    )?;
    section(
        "JSON LINES",
        &mut crate::output::jsonl::PRINTED
            .iter()
            .map(|(object, what)| (format!("\\fB{object}\\fR"), format!("printed: {what}")))
            .chain(
                crate::input::jsonl::READ
                    .iter()
                    .map(|(object, what)| (format!("\\fB{object}\\fR"), format!("read: {what}"))),
            ),
    )?;
    section(
        "RECORDINGS",
        &mut crate::record::LINES
            .iter()
            .map(|(object, what)| (format!("\\fB{object}\\fR"), what.to_string())),
    )?;
    section(
        "EXIT STATUS",
        &mut EXIT_STATUSES
            .iter()
            .map(|(code, meaning)| (format!("\\fB{code}\\fR"), meaning.replace('`', ""))),
    )?;
    section(
        "ENVIRONMENT",
        &mut ENVIRONMENT
            .iter()
            .map(|(name, what)| (format!("\\fB{name}\\fR"), what.to_string())),
    )?;
    section(
        "FILES",
        &mut [
            (
                "\\fI$XDG_CONFIG_HOME/wsc/config.toml\\fR".to_string(),
                "the config file: defaults for any long flag, and [profile.NAME] tables chosen \
                 with -p (~/.config/wsc/config.toml without XDG_CONFIG_HOME; see CONFIG FILE)"
                    .to_string(),
            ),
            (
                "\\fI$XDG_STATE_HOME/wsc/history\\fR".to_string(),
                "the REPL history, 1000 entries (~/.local/state/wsc/history without \
                 XDG_STATE_HOME)"
                    .to_string(),
            ),
        ]
        .into_iter(),
    )?;
    section(
        "EXAMPLES",
        &mut EXAMPLES
            .iter()
            .map(|(command, what)| (format!("\\fB{command}\\fR"), what.to_string())),
    )?;
    Ok(())
}

/// Text made safe for roff: backslashes that are not ours, hyphens and leading dots.
fn roff(text: &str) -> String {
    let escaped = text.replace('-', "\\-");
    let escaped = if escaped.starts_with('.') || escaped.starts_with('\'') {
        format!("\\&{escaped}")
    } else {
        escaped
    };
    escaped.replace("\\\"", "\\(dq")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_line_starting_with_a_dot_or_a_quote_is_text_not_a_roff_request() {
        assert_eq!(roff(".wscrc"), "\\&.wscrc");
        assert_eq!(roff("'quoted'"), "\\&'quoted'");
        assert_eq!(roff("a.b 'c'"), "a.b 'c'");
    }
}
