//! --pretty, --max-lines and --jq: how received JSON is shown and narrowed.

use crate::cli::{Cli, PrettyWhen};
use crate::error::Failure;
use crate::json::{Filter, Lens, Palette};

use super::{OutputFormat, use_color};

/// Lines of a pretty-printed message the REPL shows, unless --max-lines says.
pub const DEFAULT_MAX_LINES: usize = 40;

/// How received JSON is shown and narrowed.
#[derive(Debug, Clone)]
pub struct Reading {
    /// Lines for people (the REPL, -x in a terminal, -l's screen) pretty-print JSON in these
    /// colours.
    pub pretty: Option<Palette>,
    /// Pipe mode's stdout pretty-prints JSON in these colours (--pretty always).
    pub pretty_stdout: Option<Palette>,
    /// Lines of a pretty-printed message shown for people (0: all).
    pub max_lines: usize,
    /// The --jq filter, and in the REPL what /jq, /last and /save share with the sessions. None
    /// when there is neither.
    pub lens: Option<Lens>,
}

/// `colour`: whether the lines for people are coloured; `stdout_is_terminal` decides stdout's
/// own colour with --color auto.
pub(super) fn reading(
    cli: &Cli,
    output: OutputFormat,
    prompt: bool,
    colour: bool,
    stdout_is_terminal: bool,
) -> Result<Reading, Failure> {
    let filter = match &cli.jq {
        Some(code) => Some(Filter::compile(code).map_err(|e| {
            Failure::Usage(format!(
                "--jq {}: {e}",
                crate::output::sanitize::quote(code)
            ))
        })?),
        None => None,
    };
    Ok(Reading {
        pretty: match (cli.pretty, output) {
            (PrettyWhen::Never, _) | (_, OutputFormat::Raw | OutputFormat::Jsonl) => None,
            (_, OutputFormat::Human) => Some(Palette::new(colour)),
        },
        pretty_stdout: match (cli.pretty, output) {
            // stdout's own colour, decided as for stderr but against stdout.
            (PrettyWhen::Always, OutputFormat::Raw) => Some(Palette::new(use_color(
                cli.color,
                cli.no_color,
                stdout_is_terminal,
                |name| std::env::var_os(name),
            ))),
            _ => None,
        },
        max_lines: cli.max_lines.unwrap_or(DEFAULT_MAX_LINES),
        lens: (filter.is_some() || prompt).then(|| Lens::new(filter, prompt)),
    })
}
