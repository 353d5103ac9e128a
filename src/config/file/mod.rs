//! The config file: defaults for any long flag at its top level, and `[profile.NAME]` tables
//! with a URL and any flags, chosen by `-p NAME` or `WSC_PROFILE`.
//!
//! As ripgrep does with its config file, the settings become command-line arguments put before
//! the user's (`--max-time=5`, `--insecure`, one `--header=...` per array item), so that clap
//! parses them and `Config::from_cli` checks them as it checks everything else. What the command
//! line gives replaces the file's setting of the same flag (repeatable flags add to it), and a
//! setting the command line contradicts (`auth` under `-u`) is left out: no flag is given twice
//! and no conflict is the file's doing. The profile is over the top level by the same rules.
//!
//! Every error names the file and the line: the file's own (TOML, unknown keys, values of the
//! wrong type, clap's check of each value, keys of one table that contradict each other) are
//! found here; those found later by clap or `Config::from_cli` are traced to the setting the
//! message names by `locate`.

use std::ffi::OsString;
use std::path::{Path, PathBuf};

use clap::error::ErrorKind;
use clap::parser::ValueSource;
use clap::{Arg, Command};
use toml::Spanned;
use toml::de::{DeTable, DeValue};

use super::Config;
use crate::cli;
use crate::error::{Failure, io_words};

mod table;

use table::{File, Problem, Setting, Value, conflicts, header_name};

/// How the config file works, for `--help`, the man page and the README.
pub const RULES: [&str; 4] = [
    "Settings are read from $XDG_CONFIG_HOME/wsc/config.toml (~/.config/wsc/config.toml without \
     it), or from the file --config or WSC_CONFIG names, which must exist; --no-config reads \
     none.",
    "A key is a long flag without its dashes, with what the flag takes: max-time = 5, insecure = \
     true, header = [\"X-Team: ops\"] (an array for a repeatable flag). Keys at the top are \
     defaults for every run; a [profile.NAME] table, chosen by -p NAME or WSC_PROFILE, holds a \
     url and any flags.",
    "Precedence: the command line, then the environment (WSC_CONFIG and WSC_PROFILE choose the \
     file and the profile), then the profile, then the file's top level. A flag on the command \
     line replaces the file's, and so does one that contradicts it (-u replaces auth; a URL, -c \
     or -l replaces a profile's url); repeatable flags (-H, -s, -x, --expect, --resolve, \
     --connect-to, --require-header) add to the file's, but -H replaces a header of the same \
     name.",
    "An unknown key or a bad value is a usage error naming the file and line. A file that holds \
     credentials (auth, user, proxy-user, headers or URLs that look like they carry some) and \
     that other users can read is warned about. Settings from the file that cannot take effect \
     in a run are not warned about, as flags typed are.",
];

/// Looks an environment variable up: the process's, or a test's.
pub type Env<'a> = &'a dyn Fn(&str) -> Option<OsString>;

/// The command line to parse, the file's settings before the user's arguments, and what is
/// needed to tell later errors and warnings about those settings.
#[derive(Debug, Default)]
pub struct Settings {
    args: Vec<OsString>,
    /// The file as messages name it.
    file: String,
    /// The file's settings on the command line, top level first.
    used: Vec<Setting>,
    /// The ids of the flags the command line gives.
    given: Vec<String>,
    /// The file holds credentials that other users can read.
    warning: Option<String>,
}

impl Settings {
    /// The process's command line and environment.
    pub fn from_env() -> Result<Settings, Failure> {
        Settings::read(std::env::args_os().collect(), &|name| {
            std::env::var_os(name)
        })
    }

    /// Reads the config file that `args` and `env` choose, if any, and puts its settings before
    /// the user's arguments. Nothing is read for --help, --version and --generate.
    pub fn read(args: Vec<OsString>, env: Env) -> Result<Settings, Failure> {
        let command = cli::command();
        let given = match Given::of(&command, &args) {
            Some(given) if !given.no_config => given,
            _ => return Ok(Settings::unchanged(args)),
        };
        let profile = match &given.profile {
            Some(name) => Some((name.clone(), "-p")),
            None => non_empty(env("WSC_PROFILE"))
                .map(|name| (name.to_string_lossy().into_owned(), "WSC_PROFILE")),
        };
        let Some(place) = Place::of(&given, env) else {
            return match profile {
                Some((name, from)) => Err(usage(format!(
                    "no profile '{name}' ({from}): no config file (neither XDG_CONFIG_HOME nor \
                     HOME is set)"
                ))),
                None => Ok(Settings::unchanged(args)),
            };
        };
        let text = match std::fs::read_to_string(&place.path) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound && !place.named => {
                return match profile {
                    Some((name, from)) => Err(usage(format!(
                        "no profile '{name}' ({from}): there is no config file {}",
                        place.shown
                    ))),
                    None => Ok(Settings::unchanged(args)),
                };
            }
            Err(e) => {
                return Err(usage(format!(
                    "cannot read the config file {}{}: {}",
                    place.shown,
                    place.from,
                    io_words(&e)
                )));
            }
        };
        let at =
            |(line, problem): Problem| usage(format!("{} line {line}: {problem}", place.shown));
        let file = File::parse(&text, &command).map_err(at)?;
        let chosen = match &profile {
            None => Vec::new(),
            Some((name, from)) => match file.profiles.iter().find(|(n, _)| n == name) {
                Some((_, settings)) => settings.clone(),
                None => {
                    let mut names: Vec<&str> =
                        file.profiles.iter().map(|(n, _)| n.as_str()).collect();
                    names.sort();
                    let known = match names.is_empty() {
                        true => "it has none".to_string(),
                        false => format!("it has {}", names.join(", ")),
                    };
                    return Err(usage(format!(
                        "no profile '{name}' ({from}) in {}: {known}",
                        place.shown
                    )));
                }
            },
        };
        let user = Over::user(&given);
        let defaults = beneath(&command, file.defaults, &Over::of(&chosen));
        let used: Vec<Setting> = beneath(&command, defaults, &user)
            .into_iter()
            .chain(beneath(&command, chosen, &user))
            .collect();
        let mut all: Vec<OsString> = args.iter().take(1).cloned().collect();
        all.extend(used.iter().flat_map(Setting::args));
        all.extend(args.iter().skip(1).cloned());
        Ok(Settings {
            args: all,
            warning: readable_credentials(&place, &file.credentials),
            file: place.shown,
            used,
            given: given.ids,
        })
    }

    fn unchanged(args: Vec<OsString>) -> Settings {
        Settings {
            args,
            ..Settings::default()
        }
    }

    /// The arguments for clap: the program's name, the file's settings, the user's arguments.
    pub fn args(&self) -> &[OsString] {
        &self.args
    }

    /// A usage error from clap, traced to the file's line when a setting of it is the cause.
    pub fn clap_error(&self, error: &clap::Error) -> Failure {
        let line = cli::error_line(error);
        // A setting that requires a flag names the flag missing, not itself: it is the one
        // without which the command line parses.
        if error.kind() == ErrorKind::MissingRequiredArgument {
            let file_args: usize = self.used.iter().map(|s| s.args().len()).sum();
            let user = self.args.get(1 + file_args..).unwrap_or_default();
            let cause = self.used.iter().enumerate().find(|(i, _)| {
                let mut args: Vec<OsString> = self.args.iter().take(1).cloned().collect();
                args.extend(
                    self.used
                        .iter()
                        .enumerate()
                        .filter(|(j, _)| j != i)
                        .flat_map(|(_, s)| s.args()),
                );
                args.extend(user.iter().cloned());
                cli::command()
                    .try_get_matches_from(args)
                    .map_or_else(|e| e.kind() != ErrorKind::MissingRequiredArgument, |_| true)
            });
            if let Some((_, setting)) = cause {
                return usage(format!("{} line {}: {line}", self.file, setting.line));
            }
        }
        self.locate(usage(line))
    }

    /// A usage error traced to the file's line when it names a setting the file gave.
    pub fn locate(&self, failure: Failure) -> Failure {
        match &failure {
            Failure::Usage(message) => match self.culprit(message) {
                Some(line) => usage(format!("{} line {line}: {message}", self.file)),
                None => failure,
            },
            _ => failure,
        }
    }

    /// The config with the file's line in its usage errors, without warnings about settings
    /// from the file (a default that cannot take effect in this run is no mistake), and with the
    /// warning about readable credentials.
    pub fn finish(&self, config: Result<Config, Failure>) -> Result<Config, Failure> {
        let mut config = config.map_err(|failure| self.locate(failure))?;
        config
            .warnings
            .retain(|warning| !self.about_the_files(warning));
        config.warnings.splice(0..0, self.warning.clone());
        Ok(config)
    }

    /// The line of the file's setting that a message is about: the first one named, by its
    /// flag (unless the command line gives that flag too) or by a value it quotes. A quoted
    /// value counts for a setting whose flag the message names, or when it names no flag (a
    /// user's `--close-code '1'` is no fault of a file's `max-time = 1`).
    fn culprit(&self, message: &str) -> Option<usize> {
        let command = cli::command();
        let flags = |arg: &Arg| {
            let long = arg.get_long().map(|long| format!("--{long}"));
            long.into_iter()
                .chain(arg.get_short().map(|short| format!("-{short}")))
        };
        let named = |arg: &Arg| flags(arg).find_map(|flag| mention(message, &flag));
        let no_flag = command.get_arguments().all(|arg| named(arg).is_none());
        let mut found: Vec<(usize, usize)> = Vec::new();
        for setting in &self.used {
            let arg = command
                .get_arguments()
                .find(|arg| arg.get_id() == setting.id.as_str());
            let at = arg.and_then(named);
            if at.is_some() || no_flag {
                for (line, value) in setting.values().into_iter().filter(|(_, v)| !v.is_empty()) {
                    found.extend(message.find(&format!("'{value}'")).map(|at| (at, line)));
                }
            }
            if !self.given.contains(&setting.id) {
                found.extend(at.map(|at| (at, setting.line)));
            }
        }
        found.into_iter().min().map(|(_, line)| line)
    }

    /// Whether a warning is about a flag that only the file gave.
    fn about_the_files(&self, warning: &str) -> bool {
        let Some(rest) = warning.strip_prefix("--") else {
            return false;
        };
        let flag: String = rest
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '-')
            .collect();
        self.used
            .iter()
            .any(|s| s.key == flag && s.is_set() && !self.given.contains(&s.id))
    }
}

/// Where `name` appears in `message` as a whole flag, not as part of a longer one.
fn mention(message: &str, name: &str) -> Option<usize> {
    message.match_indices(name).map(|(at, _)| at).find(|&at| {
        let before = message[..at].chars().next_back();
        let after = message[at + name.len()..].chars().next();
        !before.is_some_and(|c| c.is_alphanumeric() || c == '-')
            && !after.is_some_and(|c| c.is_alphanumeric() || c == '-')
    })
}

/// The names of the profiles in the file the environment chooses, for shell completion: none
/// when there is no such file or it is not TOML (a run reports that).
pub fn profile_names(env: Env) -> Vec<String> {
    let Some(place) = Place::of(&Given::default(), env) else {
        return Vec::new();
    };
    let Ok(text) = std::fs::read_to_string(&place.path) else {
        return Vec::new();
    };
    let Ok(root) = DeTable::parse(&text) else {
        return Vec::new();
    };
    let profiles = root.get_ref().get("profile").map(Spanned::get_ref);
    match profiles.and_then(DeValue::as_table) {
        Some(table) => table
            .iter()
            .map(|(name, _)| name.get_ref().to_string())
            .collect(),
        None => Vec::new(),
    }
}

/// What the user's own command line says, as clap reads it; its errors are left for the real
/// parse to report.
#[derive(Debug, Default)]
struct Given {
    /// The flags given, by clap's id.
    ids: Vec<String>,
    /// The names of the -H headers.
    headers: Vec<String>,
    config: Option<PathBuf>,
    no_config: bool,
    profile: Option<String>,
}

impl Given {
    /// None when no file is to be read: --help, --version, --generate.
    fn of(command: &Command, args: &[OsString]) -> Option<Given> {
        let matches = command
            .clone()
            .ignore_errors(true)
            .try_get_matches_from(args)
            .ok()?;
        let ids: Vec<String> = command
            .get_arguments()
            .map(|arg| arg.get_id().as_str())
            .filter(|id| matches.value_source(id) == Some(ValueSource::CommandLine))
            .map(str::to_string)
            .collect();
        if ids.iter().any(|id| id == "generate") {
            return None;
        }
        let headers = matches
            .try_get_many::<String>("headers")
            .ok()
            .flatten()
            .map(|headers| headers.map(|h| header_name(h).to_string()).collect())
            .unwrap_or_default();
        Some(Given {
            headers,
            config: matches
                .try_get_one::<PathBuf>("config")
                .ok()
                .flatten()
                .cloned(),
            no_config: ids.iter().any(|id| id == "no_config"),
            profile: matches
                .try_get_one::<String>("profile")
                .ok()
                .flatten()
                .cloned(),
            ids,
        })
    }
}

/// The config file to read.
struct Place {
    path: PathBuf,
    /// As messages name it: as given, or the default with ~ for the home directory.
    shown: String,
    /// Said after the name when reading fails: where the name came from.
    from: &'static str,
    /// Named by --config or WSC_CONFIG: it must exist.
    named: bool,
}

impl Place {
    fn of(given: &Given, env: Env) -> Option<Place> {
        let named = |path: PathBuf, from| Place {
            shown: path.display().to_string(),
            path,
            from,
            named: true,
        };
        if let Some(path) = &given.config {
            return Some(named(path.clone(), ""));
        }
        if let Some(path) = non_empty(env("WSC_CONFIG")) {
            return Some(named(path.into(), " (WSC_CONFIG)"));
        }
        // XDG: a relative XDG_CONFIG_HOME is to be ignored.
        let home = non_empty(env("HOME")).map(PathBuf::from);
        let dir = non_empty(env("XDG_CONFIG_HOME"))
            .map(PathBuf::from)
            .filter(|dir| dir.is_absolute())
            .or_else(|| home.as_ref().map(|home| home.join(".config")))?;
        let path = dir.join("wsc").join("config.toml");
        let shown = match home.as_ref().and_then(|home| path.strip_prefix(home).ok()) {
            Some(rest) => Path::new("~").join(rest).display().to_string(),
            None => path.display().to_string(),
        };
        Some(Place {
            path,
            shown,
            from: "",
            named: false,
        })
    }
}

fn non_empty(value: Option<OsString>) -> Option<OsString> {
    value.filter(|value| !value.is_empty())
}

/// What a layer above gives: the flags it replaces (any key, `insecure = false` too), those it
/// sets (which may contradict those below), and the names of its -H headers.
struct Over {
    replaces: Vec<String>,
    sets: Vec<String>,
    headers: Vec<String>,
}

impl Over {
    fn user(given: &Given) -> Over {
        Over {
            replaces: given.ids.clone(),
            sets: given.ids.clone(),
            headers: given.headers.clone(),
        }
    }

    fn of(settings: &[Setting]) -> Over {
        let ids = |set: bool| {
            let chosen = settings.iter().filter(|s| !set || s.is_set());
            chosen.map(|s| s.id.clone()).collect()
        };
        let headers = settings.iter().filter(|s| s.key == "header");
        Over {
            replaces: ids(false),
            sets: ids(true),
            headers: headers
                .flat_map(|s| s.values())
                .map(|(_, h)| header_name(h).to_string())
                .collect(),
        }
    }
}

/// The settings of a layer that one above leaves: those it neither replaces nor contradicts.
/// Repeatable flags are added to, but a header of the same name is replaced.
fn beneath(command: &Command, settings: Vec<Setting>, over: &Over) -> Vec<Setting> {
    settings
        .into_iter()
        .filter_map(|mut setting| {
            match &mut setting.value {
                Value::Many(values) if setting.key == "header" => values.retain(|(_, header)| {
                    let name = header_name(header);
                    !over
                        .headers
                        .iter()
                        .any(|other| other.eq_ignore_ascii_case(name))
                }),
                Value::Many(_) => {}
                _ if over.replaces.contains(&setting.id) => return None,
                _ => {}
            }
            let contradicted = over
                .sets
                .iter()
                .any(|id| conflicts(command, &setting.id, id));
            (!contradicted).then_some(setting)
        })
        .collect()
}

/// The warning for a file with credentials that other users can read.
fn readable_credentials(place: &Place, credentials: &[(usize, String)]) -> Option<String> {
    use std::os::unix::fs::PermissionsExt;
    let (line, key) = credentials.first()?;
    let mode = std::fs::metadata(&place.path).ok()?.permissions().mode();
    (mode & 0o044 != 0).then(|| {
        format!(
            "{} holds credentials ('{key}' on line {line}) and other users can read it: chmod \
             600 {}",
            place.shown, place.shown
        )
    })
}

fn usage(message: String) -> Failure {
    Failure::Usage(message)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A config file in a directory of its own, as $XDG_CONFIG_HOME/wsc/config.toml.
    struct Home {
        dir: tempfile::TempDir,
    }

    impl Home {
        fn with(text: &str) -> Home {
            let dir = tempfile::tempdir().unwrap();
            std::fs::create_dir(dir.path().join("wsc")).unwrap();
            let home = Home { dir };
            std::fs::write(home.file(), text).unwrap();
            home.chmod(0o600);
            home
        }

        fn file(&self) -> PathBuf {
            self.dir.path().join("wsc/config.toml")
        }

        fn chmod(&self, mode: u32) {
            use std::os::unix::fs::PermissionsExt;
            let permissions = std::fs::Permissions::from_mode(mode);
            std::fs::set_permissions(self.file(), permissions).unwrap();
        }

        /// The settings for a command line, with these variables besides XDG_CONFIG_HOME.
        fn read_with(&self, args: &[&str], vars: &[(&str, &str)]) -> Result<Settings, Failure> {
            let config_home = self.dir.path().as_os_str().to_owned();
            let vars: Vec<(String, OsString)> = vars
                .iter()
                .map(|(name, value)| (name.to_string(), OsString::from(value)))
                .chain([("XDG_CONFIG_HOME".to_string(), config_home)])
                .collect();
            let env = move |name: &str| {
                let found = vars.iter().find(|(n, _)| n == name);
                found.map(|(_, value)| value.clone())
            };
            let args = std::iter::once("wsc").chain(args.iter().copied());
            Settings::read(args.map(OsString::from).collect(), &env)
        }

        /// The arguments clap gets, after the program's name.
        fn args(&self, args: &[&str]) -> Vec<String> {
            self.args_with(args, &[])
        }

        fn args_with(&self, args: &[&str], vars: &[(&str, &str)]) -> Vec<String> {
            let settings = self.read_with(args, vars).unwrap();
            let args = settings.args().iter().skip(1);
            args.map(|arg| arg.to_string_lossy().into_owned()).collect()
        }

        /// The usage error a command line gets, with the file's path as `FILE`.
        fn error(&self, args: &[&str]) -> String {
            match self.read_with(args, &[]) {
                Err(Failure::Usage(words)) => {
                    words.replace(&self.file().display().to_string(), "FILE")
                }
                other => panic!("{args:?}: {other:?}"),
            }
        }
    }

    const FILE: &str = r#"
max-time = 30
header = ["X-Team: ops", "Authorization: Bearer top"]
insecure = true

[profile.prod]
url = "wss://prod.test/feed"
header = "Authorization: Bearer prod"
subprotocol = ["v1", "v2"]
verbose = 2

[profile.local]
url = "ws://127.0.0.1:9001/"
insecure = false
max-time = 2.5
"#;

    #[test]
    fn the_top_level_is_every_runs_defaults_and_a_profile_goes_over_it() {
        let home = Home::with(FILE);
        assert_eq!(
            home.args(&["ws://h/"]),
            [
                "--max-time=30",
                "--header=X-Team: ops",
                "--header=Authorization: Bearer top",
                "--insecure",
                "ws://h/"
            ]
        );
        // The profile's Authorization replaces the top level's; its url comes as the argument.
        assert_eq!(
            home.args(&["-p", "prod"]),
            [
                "--max-time=30",
                "--header=X-Team: ops",
                "--insecure",
                "wss://prod.test/feed",
                "--header=Authorization: Bearer prod",
                "--subprotocol=v1",
                "--subprotocol=v2",
                "--verbose",
                "--verbose",
                "-p",
                "prod"
            ]
        );
        // insecure = false turns the default off.
        assert_eq!(
            home.args(&["-p", "local"]),
            [
                "--header=X-Team: ops",
                "--header=Authorization: Bearer top",
                "ws://127.0.0.1:9001/",
                "--max-time=2.5",
                "-p",
                "local"
            ]
        );
        // WSC_PROFILE chooses one when -p does not.
        let args = home.args_with(&[], &[("WSC_PROFILE", "local")]);
        assert!(
            args.contains(&"ws://127.0.0.1:9001/".to_string()),
            "{args:?}"
        );
        let args = home.args_with(&["-p", "prod"], &[("WSC_PROFILE", "local")]);
        assert!(
            args.contains(&"wss://prod.test/feed".to_string()),
            "{args:?}"
        );
    }

    #[test]
    fn the_command_line_replaces_settings_and_adds_to_repeatable_ones() {
        let home = Home::with(FILE);
        let args = home.args(&[
            "-p",
            "prod",
            "ws://mine/",
            "--max-time",
            "1",
            "-v",
            "-H",
            "authorization: Bearer mine",
            "-s",
            "v3",
        ]);
        assert_eq!(
            args,
            [
                "--header=X-Team: ops",
                "--insecure",
                "--subprotocol=v1",
                "--subprotocol=v2",
                "-p",
                "prod",
                "ws://mine/",
                "--max-time",
                "1",
                "-v",
                "-H",
                "authorization: Bearer mine",
                "-s",
                "v3"
            ]
        );
        // A header replaces only headers of its name, not another flag's value that reads so.
        let home = Home::with("subprotocol = ['v1']\n");
        assert_eq!(
            home.args(&["h", "-H", "v1: x"]),
            ["--subprotocol=v1", "h", "-H", "v1: x"]
        );
        // A flag that contradicts a setting replaces it: -c, -l for the url; -u for auth.
        let home = Home::with("auth = 'a:b'\n[profile.p]\nurl = 'ws://p/'\necho = true\n");
        assert_eq!(
            home.args(&["-p", "p", "-c", "ws://c/"])[..3],
            ["--auth=a:b", "--echo", "-p"]
        );
        assert_eq!(
            home.args(&["-p", "p", "-l", "0"])[..3],
            ["--auth=a:b", "--echo", "-p"]
        );
        assert_eq!(
            home.args(&["-u", "c:d", "-p", "p", "-x", "hi"])[..2],
            ["ws://p/", "-u"]
        );
        // A profile's setting replaces a contradicting default the same way.
        let home = Home::with("auth = 'a:b'\n[profile.p]\nuser = 'c:d'\n");
        assert_eq!(home.args(&["-p", "p", "h"]), ["--user=c:d", "-p", "p", "h"]);
    }

    #[test]
    fn no_file_is_read_without_need_or_when_told_not_to() {
        let home = Home::with("max-time = 1\n[profile.p]\nurl = 'ws://p/'\n");
        assert_eq!(home.args(&["--no-config", "h"]), ["--no-config", "h"]);
        let args = home.args_with(&["--no-config", "h"], &[("WSC_PROFILE", "p")]);
        assert_eq!(args, ["--no-config", "h"]);
        // Not even a broken file stops --help, --version or --generate.
        let broken = Home::with("max-tme = 1\n");
        for args in [
            &["--help"][..],
            &["-V"],
            &["--generate", "bash"],
            &["-h", "h"],
        ] {
            assert_eq!(broken.args(args), args, "{args:?}");
        }
        // No file where XDG_CONFIG_HOME points: nothing to add.
        let empty = tempfile::tempdir().unwrap();
        let dir = empty.path().to_str().unwrap();
        assert_eq!(home.args_with(&["h"], &[("XDG_CONFIG_HOME", dir)]), ["h"]);
    }

    #[test]
    fn the_file_is_found_by_flag_environment_xdg_and_home() {
        let home = Home::with("max-time = 1\n");
        let other = Home::with("max-time = 2\n");
        let other_file = other.file().display().to_string();
        let config_home = home.dir.path().to_str().unwrap();
        let with = |args: &[&str], vars: &[(&str, &str)]| home.args_with(args, vars)[0].clone();
        assert_eq!(with(&["h"], &[]), "--max-time=1");
        assert_eq!(with(&["h"], &[("WSC_CONFIG", &other_file)]), "--max-time=2");
        assert_eq!(with(&["--config", &other_file, "h"], &[]), "--max-time=2");
        let flag_wins = [("WSC_CONFIG", "/nonexistent/wsc.toml")];
        assert_eq!(
            with(&["--config", &other_file, "h"], &flag_wins),
            "--max-time=2"
        );
        // HOME/.config when XDG_CONFIG_HOME is unset, empty or relative.
        let dot_config = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dot_config.path().join(".config/wsc")).unwrap();
        let file = dot_config.path().join(".config/wsc/config.toml");
        std::fs::write(&file, "max-time = 3\n").unwrap();
        let home_dir = dot_config.path().to_str().unwrap();
        for xdg in ["", "relative/dir"] {
            let vars = [("HOME", home_dir), ("XDG_CONFIG_HOME", xdg)];
            assert_eq!(with(&["h"], &vars), "--max-time=3", "{xdg:?}");
        }
        let vars = [("HOME", home_dir), ("XDG_CONFIG_HOME", config_home)];
        assert_eq!(with(&["h"], &vars), "--max-time=1");
        // A file named must exist; the default one need not.
        let error = home.read_with(&["h"], &[("WSC_CONFIG", "/nonexistent/wsc.toml")]);
        assert_eq!(
            error.unwrap_err(),
            usage(
                "cannot read the config file /nonexistent/wsc.toml (WSC_CONFIG): no such file \
                 or directory"
                    .into()
            )
        );
        // The default place is shown with ~ for the home directory.
        let vars = [("HOME", home_dir), ("XDG_CONFIG_HOME", "")];
        std::fs::write(&file, "max-tme = 3\n").unwrap();
        let Err(Failure::Usage(words)) = home.read_with(&["h"], &vars) else {
            panic!("no error")
        };
        assert!(
            words.starts_with("~/.config/wsc/config.toml line 1: "),
            "{words}"
        );
    }

    #[test]
    fn an_unknown_profile_is_named_with_those_there_are() {
        let home = Home::with("[profile.b]\nurl = 'ws://b/'\n[profile.a]\nurl = 'ws://a/'\n");
        assert_eq!(
            home.error(&["-p", "c"]),
            "no profile 'c' (-p) in FILE: it has a, b"
        );
        assert_eq!(
            Home::with("").error(&["-p", "c"]),
            "no profile 'c' (-p) in FILE: it has none"
        );
        let vars = [("WSC_PROFILE", "c"), ("XDG_CONFIG_HOME", "/nonexistent")];
        let error = Home::with("").read_with(&[], &vars).unwrap_err();
        let words = "no profile 'c' (WSC_PROFILE): there is no config file \
                     /nonexistent/wsc/config.toml";
        assert_eq!(error, usage(words.into()));
        let vars = [("WSC_PROFILE", "c"), ("XDG_CONFIG_HOME", ""), ("HOME", "")];
        let error = Home::with("").read_with(&[], &vars).unwrap_err();
        assert_eq!(
            error,
            usage("no profile 'c' (WSC_PROFILE): no config file (neither XDG_CONFIG_HOME nor HOME is set)".into())
        );
    }

    /// The config of a file's settings and a command line, as main makes it.
    fn config_of(home: &Home, args: &[&str]) -> Result<Config, Failure> {
        use clap::FromArgMatches;
        let settings = home.read_with(args, &[])?;
        let parsed = cli::command()
            .try_get_matches_from(settings.args())
            .and_then(|matches| cli::Cli::from_arg_matches(&matches));
        let cli = parsed.map_err(|e| settings.clap_error(&e))?;
        settings.finish(Config::from_cli(cli))
    }

    #[test]
    fn later_errors_are_traced_to_the_settings_they_name() {
        let error = |text: &str, args: &[&str]| {
            let home = Home::with(text);
            match config_of(&home, args) {
                Err(Failure::Usage(words)) => {
                    words.replace(&home.file().display().to_string(), "FILE")
                }
                other => panic!("{text:?}: {other:?}"),
            }
        };
        // Found by Config::from_cli.
        assert_eq!(
            error("\nmax-time = 'soon'\n", &["h"]),
            "FILE line 2: --max-time takes a number of seconds, not 'soon'"
        );
        assert!(
            error(
                "header = [\n'X-A: 1',\n'bad header',\n]\n",
                &["h", "-H", "X-B: 2"]
            )
            .starts_with("FILE line 3: "),
            "the value names the line of the array's item"
        );
        assert!(
            error(
                "[profile.p]\nurl = 'ws://h/'\nsubprotocol = 'a b'\n",
                &["-p", "p"]
            )
            .starts_with("FILE line 3: invalid subprotocol 'a b'")
        );
        // Found by clap: a setting requiring a flag not given.
        assert!(
            error("\nping-timeout = 1\n", &["h"]).starts_with(
                "FILE line 2: the following required arguments were not provided: \
                 --ping-interval <SECS>"
            ),
            "{}",
            error("\nping-timeout = 1\n", &["h"])
        );
        // The one that requires it, among others that parse: each tried without the others.
        assert!(
            error("\nmax-time = 5\nping-timeout = 1\n", &["h"]).starts_with(
                "FILE line 3: the following required arguments were not provided: \
                 --ping-interval <SECS>"
            ),
            "{}",
            error("\nmax-time = 5\nping-timeout = 1\n", &["h"])
        );
        // Named by its flag alone, no value quoted: the file's, unless typed too.
        assert_eq!(
            error("wait = 0\nping-interval = 0\n", &["h"]),
            "FILE line 2: --ping-interval must be more than 0"
        );
        assert_eq!(
            error("ping-interval = 5\n", &["h", "--ping-interval", "0"]),
            "--ping-interval must be more than 0"
        );
        // The user's own mistakes are theirs, whatever the file holds.
        assert!(
            error("max-time = 70000\n", &["h", "--close-code", "70000"])
                .starts_with("invalid value '70000' for '--close-code <CODE>'")
        );
        assert_eq!(
            error("max-time = 5\n", &["h", "--idle-timeout", "soon"]),
            "--idle-timeout takes a number of seconds, not 'soon'"
        );
        assert!(
            error("header = 'X-A: 1'\n", &["h", "-H", "bad"]).starts_with("malformed header 'bad'")
        );
    }

    #[test]
    fn a_flag_is_mentioned_only_as_a_whole() {
        assert_eq!(mention("--wait", "--wait"), Some(0));
        assert_eq!(mention("--waits, then --wait.", "--wait"), Some(14));
        for (message, flag) in [
            ("--waits", "--wait"),
            ("x--wait", "--wait"),
            ("--wait-x", "--wait"),
            ("--ping-interval", "-p"),
        ] {
            assert_eq!(mention(message, flag), None, "{flag} in {message}");
        }
    }

    #[test]
    fn warnings_are_for_flags_typed_and_for_credentials_others_can_read() {
        // In a test stdin and stdout are no terminal: --history-file cannot take effect.
        let home = Home::with("history-file = '/tmp/h'\n");
        assert!(config_of(&home, &["h"]).unwrap().warnings.is_empty());
        let typed = config_of(&home, &["h", "--history-file", "/tmp/h"]).unwrap();
        assert_eq!(typed.warnings.len(), 1, "{:?}", typed.warnings);
        // Another setting of the file's does not hide the warning about a flag typed.
        let home = Home::with("wait = 0\nhistory-file = '/tmp/h'\n");
        let typed = config_of(&home, &["h", "--history-file", "/tmp/h"]).unwrap();
        assert_eq!(typed.warnings.len(), 1, "{:?}", typed.warnings);
        // Only a file others can read is warned about (table.rs finds the credentials).
        let home = Home::with("\nproxy-user = 'a:b'\n");
        for (mode, warned) in [(0o644, true), (0o604, true), (0o640, true), (0o600, false)] {
            home.chmod(mode);
            let warning = home.read_with(&["h"], &[]).unwrap().warning;
            let file = home.file().display().to_string();
            let words = format!(
                "{file} holds credentials ('proxy-user' on line 2) and other users can read it: \
                 chmod 600 {file}"
            );
            assert_eq!(warning, warned.then_some(words), "{mode:o}");
        }
        let home = Home::with("header = 'X-A: 1'\n");
        home.chmod(0o644);
        assert_eq!(home.read_with(&["h"], &[]).unwrap().warning, None);
        let home = Home::with("auth = 'a:b'\n");
        home.chmod(0o640);
        let config = config_of(&home, &["h"]).unwrap();
        assert!(
            config.warnings[0].contains("holds credentials"),
            "{:?}",
            config.warnings
        );
    }

    #[test]
    fn profile_names_are_listed_for_completion() {
        let home = Home::with("[profile.b]\n[profile.a]\nurl = 'ws://a/'\n");
        let dir = home.dir.path().as_os_str().to_owned();
        let env = move |name: &str| (name == "XDG_CONFIG_HOME").then(|| dir.clone());
        assert_eq!(profile_names(&env), ["a", "b"]);
        std::fs::write(home.file(), "[profile.b\n").unwrap();
        assert!(profile_names(&env).is_empty());
    }
}
