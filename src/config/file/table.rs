//! The config file's TOML as settings, each checked on its own: a known key (a long flag's
//! name, or a profile's `url`), a value of the kind the flag takes and that clap's parser for it
//! accepts, and no two keys of a table that contradict each other. Every problem has its line.

use std::ffi::OsString;

use clap::error::ErrorKind;
use clap::{Arg, ArgAction, Command};
use toml::Spanned;
use toml::de::{DeString, DeTable, DeValue};

use crate::cli;

/// Flags that choose the file or the profile, or are no settings at all (hidden flags, as
/// --generate, are unknown keys).
const NOT_SETTINGS: [&str; 5] = ["config", "no-config", "profile", "help", "version"];

/// One key of the file.
#[derive(Debug, Clone)]
pub(super) struct Setting {
    /// The key: a long flag's name, or `url`.
    pub(super) key: String,
    /// clap's id of the flag (the field of `Cli`).
    pub(super) id: String,
    /// The key's line.
    pub(super) line: usize,
    pub(super) value: Value,
}

#[derive(Debug, Clone)]
pub(super) enum Value {
    Switch(bool),
    Count(u8),
    One(String),
    /// A repeatable flag's values, each with its line.
    Many(Vec<(usize, String)>),
    /// The URL argument.
    Url(String),
}

impl Setting {
    pub(super) fn args(&self) -> Vec<OsString> {
        let flag = format!("--{}", self.key);
        match &self.value {
            Value::Switch(on) => [flag].into_iter().filter(|_| *on).map(Into::into).collect(),
            Value::Count(n) => vec![flag.into(); usize::from(*n)],
            Value::One(value) => vec![format!("{flag}={value}").into()],
            Value::Many(values) => values
                .iter()
                .map(|(_, value)| format!("{flag}={value}").into())
                .collect(),
            Value::Url(url) => vec![url.into()],
        }
    }

    /// Whether it puts anything on the command line (`insecure = false` does not).
    pub(super) fn is_set(&self) -> bool {
        !self.args().is_empty()
    }

    /// Its values with their lines.
    pub(super) fn values(&self) -> Vec<(usize, &str)> {
        match &self.value {
            Value::One(value) | Value::Url(value) => vec![(self.line, value)],
            Value::Many(values) => values.iter().map(|(l, v)| (*l, v.as_str())).collect(),
            Value::Switch(_) | Value::Count(_) => Vec::new(),
        }
    }
}

/// A problem at a line of the file.
pub(super) type Problem = (usize, String);

/// The file's settings: its top level and each profile's, in the file's order.
#[derive(Debug, Default)]
pub(super) struct File {
    pub(super) defaults: Vec<Setting>,
    pub(super) profiles: Vec<(String, Vec<Setting>)>,
    /// The settings that hold credentials, as (line, key).
    pub(super) credentials: Vec<(usize, String)>,
}

impl File {
    pub(super) fn parse(text: &str, command: &Command) -> Result<File, Problem> {
        let line = |at: usize| text[..at.min(text.len())].matches('\n').count() + 1;
        let root = DeTable::parse(text).map_err(|e| {
            let at = e.span().map_or(0, |span| span.start);
            (line(at), e.message().to_string())
        })?;
        let mut file = File::default();
        for (key, value) in sorted(root.get_ref()) {
            if key.get_ref() != "profile" {
                file.defaults
                    .push(setting(key, value, command, false, &line)?);
                continue;
            }
            let Some(profiles) = value.get_ref().as_table() else {
                let problem = "'profile' holds the profiles, as [profile.NAME] tables";
                return Err((line(key.span().start), problem.into()));
            };
            for (name, table) in sorted(profiles) {
                let Some(table) = table.get_ref().as_table() else {
                    let problem = format!("profile '{name}' must be a table: [profile.{name}]");
                    return Err((line(name.span().start), problem));
                };
                let settings = sorted(table)
                    .into_iter()
                    .map(|(key, value)| setting(key, value, command, true, &line))
                    .collect::<Result<Vec<_>, _>>()?;
                file.profiles.push((name.get_ref().to_string(), settings));
            }
        }
        let tables = std::iter::once(&file.defaults).chain(file.profiles.iter().map(|(_, s)| s));
        for settings in tables {
            contradictions(command, settings)?;
            let holding = settings.iter().filter(|s| holds_credentials(s));
            file.credentials
                .extend(holding.map(|s| (s.line, s.key.clone())));
        }
        file.credentials.sort();
        Ok(file)
    }
}

/// A table's entries in the order of the file.
pub(super) fn sorted<'t, 'i>(
    table: &'t DeTable<'i>,
) -> Vec<(&'t Spanned<DeString<'i>>, &'t Spanned<DeValue<'i>>)> {
    let mut entries: Vec<_> = table.iter().collect();
    entries.sort_by_key(|(key, _)| key.span().start);
    entries
}

/// A key and its value as a setting, checked: a known flag, a value of the kind it takes, and
/// one that clap's parser for the flag accepts.
fn setting(
    key: &Spanned<DeString>,
    value: &Spanned<DeValue>,
    command: &Command,
    in_profile: bool,
    line: &dyn Fn(usize) -> usize,
) -> Result<Setting, Problem> {
    let at = line(key.span().start);
    let name = key.get_ref().as_ref();
    let wrong = |why: &str| (at, format!("'{name}' {why}"));
    let make = |id: &str, value| Setting {
        key: name.to_string(),
        id: id.to_string(),
        line: at,
        value,
    };
    if name == "url" {
        if !in_profile {
            return Err(wrong("belongs in a [profile.NAME] table"));
        }
        let url = scalar(value.get_ref()).map_err(|why| wrong(&why))?;
        if url.starts_with('-') {
            return Err(wrong("must be a URL"));
        }
        return Ok(make("url", Value::Url(url)));
    }
    if NOT_SETTINGS.contains(&name) {
        return Err(wrong("is for the command line, not the config file"));
    }
    let known = command
        .get_arguments()
        .find(|arg| arg.get_long() == Some(name) && !arg.is_hide_set());
    let Some(arg) = known else {
        return Err((at, unknown(name, command)));
    };
    let value = match (arg.get_action(), value.get_ref()) {
        (ArgAction::SetTrue, DeValue::Boolean(on)) => Value::Switch(*on),
        (ArgAction::SetTrue, _) => return Err(wrong("is a switch: true or false")),
        (ArgAction::Count, DeValue::Boolean(on)) => Value::Count(u8::from(*on)),
        (ArgAction::Count, DeValue::Integer(n)) => {
            let count = u8::from_str_radix(n.as_str(), n.radix())
                .ok()
                .filter(|n| *n <= 9);
            Value::Count(count.ok_or_else(|| wrong("counts from 0 to 9"))?)
        }
        (ArgAction::Count, _) => return Err(wrong("is a count: a number, or true or false")),
        (ArgAction::Append, DeValue::Array(items)) => Value::Many(
            items
                .iter()
                .map(|item| {
                    let value = scalar(item.get_ref()).map_err(|why| wrong(&why))?;
                    Ok((line(item.span().start), value))
                })
                .collect::<Result<_, _>>()?,
        ),
        (ArgAction::Append, other) => {
            Value::Many(vec![(at, scalar(other).map_err(|why| wrong(&why))?)])
        }
        (_, DeValue::Array(_)) => return Err(wrong("takes one value, not an array")),
        (_, other) => Value::One(scalar(other).map_err(|why| wrong(&why))?),
    };
    let setting = make(arg.get_id().as_str(), value);
    for (line, value) in setting.values() {
        accepted(command, name, value).map_err(|why| (line, why))?;
    }
    Ok(setting)
}

/// A TOML value as a flag's value: a string, or a number as written in decimal.
fn scalar(value: &DeValue) -> Result<String, String> {
    match value {
        DeValue::String(text) => Ok(text.to_string()),
        DeValue::Integer(n) => i128::from_str_radix(n.as_str(), n.radix())
            .map(|n| n.to_string())
            .map_err(|_| "is a number too large".into()),
        DeValue::Float(x) => x
            .as_str()
            .parse::<f64>()
            .ok()
            .filter(|x| x.is_finite())
            .map(|x| x.to_string())
            .ok_or_else(|| "must be a finite number".into()),
        DeValue::Boolean(_) => Err("takes a value, not true or false".into()),
        other => Err(format!(
            "takes a string or a number, not a {}",
            other.type_str()
        )),
    }
}

/// Whether clap's parser for the flag takes `value` (numbers, ranges, choices); its error in
/// words. Values are parsed as they are met, before any check of the whole command line, so the
/// flag is parsed alone and any other error (a URL missing) is no matter here.
fn accepted(command: &Command, key: &str, value: &str) -> Result<(), String> {
    match command
        .clone()
        .try_get_matches_from(["wsc".into(), format!("--{key}={value}")])
    {
        Err(e)
            if matches!(
                e.kind(),
                ErrorKind::InvalidValue | ErrorKind::ValueValidation
            ) =>
        {
            Err(cli::error_line(&e))
        }
        _ => Ok(()),
    }
}

/// An unknown key, and the key that was meant if one is close.
fn unknown(name: &str, command: &Command) -> String {
    let arguments = || command.get_arguments().filter(|arg| !arg.is_hide_set());
    let keys: Vec<&str> = arguments()
        .filter_map(Arg::get_long)
        .filter(|key| !NOT_SETTINGS.contains(key))
        .chain(["url"])
        .collect();
    let plain = name.trim_start_matches('-').replace('_', "-");
    let mut letters = plain.chars();
    let meant = keys
        .iter()
        .find(|key| key.eq_ignore_ascii_case(&plain))
        .map(|key| key.to_string())
        .or_else(|| {
            let short = letters.next().filter(|_| letters.next().is_none());
            let alias = |arg: &&Arg| {
                arg.get_all_aliases()
                    .unwrap_or_default()
                    .contains(&plain.as_str())
                    || short.is_some_and(|short| arg.get_short() == Some(short))
            };
            arguments()
                .find(alias)
                .and_then(Arg::get_long)
                .map(str::to_string)
        })
        .or_else(|| {
            let scored = keys
                .iter()
                .map(|key| (strsim::jaro_winkler(&plain, key), *key));
            let best = scored
                .filter(|(score, _)| *score > 0.8)
                .max_by(|a, b| a.0.total_cmp(&b.0));
            best.map(|(_, key)| key.to_string())
        });
    match meant {
        Some(key) => format!("unknown key '{name}' (did you mean '{key}'?)"),
        None => format!("unknown key '{name}' (a key is a long flag without its dashes)"),
    }
}

/// Two set keys of one table that the command line could not have together either.
fn contradictions(command: &Command, settings: &[Setting]) -> Result<(), Problem> {
    for (i, second) in settings.iter().enumerate().filter(|(_, s)| s.is_set()) {
        for first in settings[..i].iter().filter(|s| s.is_set()) {
            if conflicts(command, &first.id, &second.id) {
                let problem = format!(
                    "'{}' cannot be used with '{}' (line {})",
                    second.key, first.key, first.line
                );
                return Err((second.line, problem));
            }
        }
    }
    Ok(())
}

/// Whether clap refuses the flags of these ids together.
pub(super) fn conflicts(command: &Command, a: &str, b: &str) -> bool {
    let find = |id: &str| command.get_arguments().find(|arg| arg.get_id() == id);
    let (Some(x), Some(y)) = (find(a), find(b)) else {
        return false;
    };
    let refuses = |x: &Arg, id: &str| {
        command
            .get_arg_conflicts_with(x)
            .iter()
            .any(|other| other.get_id() == id)
    };
    refuses(x, b) || refuses(y, a)
}

/// The name of a header given as `Name: value`.
pub(super) fn header_name(header: &str) -> &str {
    header.split(':').next().unwrap_or_default().trim()
}

/// Whether a setting holds a password or a token: credentials, a header whose name looks like
/// one, a URL with a user and password or a query parameter that looks like one. A key file is
/// only the name of one.
fn holds_credentials(setting: &Setting) -> bool {
    let values = setting.values();
    match setting.key.as_str() {
        "auth" | "user" | "proxy-user" => true,
        "header" | "require-header" => values
            .iter()
            .any(|(_, header)| crate::verbose::is_credential(header_name(header))),
        "url" | "connect" | "proxy" => values.iter().any(|(_, url)| {
            let authority = url.split_once("://").map_or(*url, |(_, rest)| rest);
            let authority = authority.split(['/', '?', '#']).next().unwrap_or_default();
            authority.contains('@') || crate::verbose::mask_query(url) != *url
        }),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The problem of a file, as `line N: words`.
    fn problem(text: &str) -> String {
        match File::parse(text, &cli::command()) {
            Ok(file) => panic!("{text:?}: no problem in {file:?}"),
            Err((line, words)) => format!("line {line}: {words}"),
        }
    }

    /// The arguments of a file's top level.
    fn args(text: &str) -> Vec<String> {
        let file = File::parse(text, &cli::command()).unwrap();
        let args = file.defaults.iter().flat_map(Setting::args);
        args.map(|arg| arg.to_string_lossy().into_owned()).collect()
    }

    #[test]
    fn problems_name_the_line_and_the_key() {
        let table = [
            (
                "\n\nmax-tme = 5\n",
                "line 3: unknown key 'max-tme' (did you mean 'max-time'?)",
            ),
            (
                "max_time = 5\n",
                "line 1: unknown key 'max_time' (did you mean 'max-time'?)",
            ),
            (
                "H = 'a: b'\n",
                "line 1: unknown key 'H' (did you mean 'header'?)",
            ),
            (
                "x = 'hi'\n",
                "line 1: unknown key 'x' (did you mean 'execute'?)",
            ),
            (
                "cacert = 'c.pem'\n",
                "line 1: unknown key 'cacert' (did you mean 'ca'?)",
            ),
            (
                "zzz = 1\n",
                "line 1: unknown key 'zzz' (a key is a long flag without its dashes)",
            ),
            (
                "[profile.p]\nurl = 'ws://h/'\nnope = 1\n",
                "line 3: unknown key 'nope'",
            ),
            (
                "insecure = 'yes'\n",
                "line 1: 'insecure' is a switch: true or false",
            ),
            (
                "max-time = true\n",
                "line 1: 'max-time' takes a value, not true or false",
            ),
            (
                "max-time = [1]\n",
                "line 1: 'max-time' takes one value, not an array",
            ),
            (
                "header = [\n  'a: b',\n  {x = 1},\n]\n",
                "line 1: 'header' takes a string or a number, not a table",
            ),
            ("verbose = 'x'\n", "line 1: 'verbose' is a count"),
            ("verbose = 12\n", "line 1: 'verbose' counts from 0 to 9"),
            (
                "\ncount = 0\n",
                "line 2: invalid value '0' for '--count <N>': must be a whole number of 1 or \
                 more",
            ),
            (
                "expect = [\n  'a',\n  1,\n]\nresolve = ['h:1:x', 2.5]\ncount = 0\n",
                "line 6: invalid value '0' for '--count <N>'",
            ),
            (
                "tls-min = 1.4\n",
                "line 1: invalid value '1.4' for '--tls-min <VERSION>'",
            ),
            (
                "color = 'pink'\n",
                "line 1: invalid value 'pink' for '--color <WHEN>'",
            ),
            ("max-time = 5\nmax-time = 6\n", "line 2: duplicate key"),
            ("max-time = \n", "line 1: "),
            (
                "max-time = 1e999\n",
                "line 1: 'max-time' must be a finite number",
            ),
            (
                "max-time = 1979-05-27\n",
                "line 1: 'max-time' takes a string or a number, not a datetime",
            ),
            (
                "url = 'ws://h/'\n",
                "line 1: 'url' belongs in a [profile.NAME] table",
            ),
            ("[profile.p]\nurl = '-k'\n", "line 2: 'url' must be a URL"),
            ("profile = 'p'\n", "line 1: 'profile' holds the profiles"),
            (
                "[profile]\np = 1\n",
                "line 2: profile 'p' must be a table: [profile.p]",
            ),
            ("config = 'x'\n", "line 1: 'config' is for the command line"),
            (
                "no-config = true\n",
                "line 1: 'no-config' is for the command line",
            ),
            (
                "[profile.p]\nprofile = 'q'\n",
                "line 2: 'profile' is for the command line",
            ),
            ("generate = 'bash'\n", "line 1: unknown key 'generate'"),
            (
                "[profile.p]\nauth = 'a:b'\n\nuser = 'c:d'\n",
                "line 4: 'user' cannot be used with 'auth' (line 2)",
            ),
            (
                "echo = true\nexecute = 'hi'\n",
                "line 2: 'execute' cannot be used with 'echo' (line 1)",
            ),
        ];
        for (text, words) in table {
            let problem = problem(text);
            assert!(problem.starts_with(words), "{text:?}: {problem}");
        }
        // A switch set to false contradicts nothing.
        assert_eq!(args("echo = false\nexecute = 'hi'\n"), ["--execute=hi"]);
    }

    #[test]
    fn a_key_is_guessed_only_when_more_than_0_8_alike() {
        // 'lo' is exactly 0.8 alike to 'location' (Jaro-Winkler), and less to every other key.
        assert_eq!(
            strsim::jaro_winkler("lo", "location"),
            0.8,
            "the example is on the line"
        );
        assert_eq!(
            problem("lo = 1\n"),
            "line 1: unknown key 'lo' (a key is a long flag without its dashes)"
        );
    }

    #[test]
    fn values_become_flags_as_the_command_line_has_them() {
        assert_eq!(
            args(
                "insecure = true\nno-compress = false\nverbose = 2\nheader = 'A: b'\n\
                 subprotocol = ['x', 'y']\nwait = -1\norigin = 'o'\n"
            ),
            [
                "--insecure",
                "--verbose",
                "--verbose",
                "--header=A: b",
                "--subprotocol=x",
                "--subprotocol=y",
                "--wait=-1",
                "--origin=o"
            ]
        );
        // Numbers as written, in decimal.
        assert_eq!(
            args(
                "max-time = 1_000\nidle-timeout = 0x10\nclose-timeout = 1e1\nping-interval = 0.5\n"
            ),
            [
                "--max-time=1000",
                "--idle-timeout=16",
                "--close-timeout=10",
                "--ping-interval=0.5"
            ]
        );
    }

    #[test]
    fn the_readmes_example_file_is_one_wsc_reads() {
        let readme = include_str!("../../../README.md");
        let section = readme
            .split("## Profiles and the config file")
            .nth(1)
            .unwrap();
        let example = section.split("```toml\n").nth(1).unwrap();
        let example = example.split("```").next().unwrap();
        let file = File::parse(example, &cli::command()).unwrap();
        let names: Vec<&str> = file
            .profiles
            .iter()
            .map(|(name, _)| name.as_str())
            .collect();
        assert_eq!(names, ["prod", "staging", "local"]);
    }

    #[test]
    fn credentials_are_found_in_the_keys_that_carry_them() {
        let holding = |text: &str| File::parse(text, &cli::command()).unwrap().credentials;
        let table = [
            ("auth = 'a:b'\n", vec![(1, "auth")]),
            (
                "\nuser = 'a:b'\nproxy-user = 'c:d'\n",
                vec![(2, "user"), (3, "proxy-user")],
            ),
            ("header = ['X-A: 1', 'X-Api-Key: k']\n", vec![(1, "header")]),
            ("header = ['Cookie: c']\n", vec![(1, "header")]),
            ("[profile.p]\nurl = 'wss://h/?token=t'\n", vec![(2, "url")]),
            ("[profile.p]\nurl = 'wss://u:p@h/'\n", vec![(2, "url")]),
            ("proxy = 'http://u:p@proxy:3128'\n", vec![(1, "proxy")]),
            ("proxy = 'u:p@proxy:3128'\n", vec![(1, "proxy")]),
            (
                "[profile.l]\nlisten = '0'\nrequire-header = 'Authorization: x'\n",
                vec![(3, "require-header")],
            ),
            ("header = 'X-A: 1'\nproxy = 'http://proxy:3128'\n", vec![]),
            ("[profile.p]\nurl = 'wss://h/a@b?room=1'\n", vec![]),
            ("key = 'client.key'\ncert = 'client.pem'\n", vec![]),
        ];
        for (text, expected) in table {
            let expected: Vec<(usize, String)> = expected
                .into_iter()
                .map(|(line, key)| (line, key.to_string()))
                .collect();
            assert_eq!(holding(text), expected, "{text:?}");
        }
    }
}
