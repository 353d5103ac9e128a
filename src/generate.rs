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
    };
    clap_complete::generate(shell, &mut command, "wsc", out);
    Ok(())
}

/// Environment variables wsc reads.
const ENVIRONMENT: [(&str, &str); 13] = [
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
        "the history's fallback place: ~/.local/state/wsc/history",
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
        &mut std::iter::once((
            "\\fI$XDG_STATE_HOME/wsc/history\\fR".to_string(),
            "the REPL history, 1000 entries (~/.local/state/wsc/history without XDG_STATE_HOME)"
                .to_string(),
        )),
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
