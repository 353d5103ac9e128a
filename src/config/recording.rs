//! --record, --replay and --replay-speed: the recording to write, opened before connecting, and
//! the one to replay, read and checked whole before connecting. A file that cannot be used is a
//! usage error naming it (and a bad line, its number), as the config file's are.

use std::sync::Arc;

use super::usage;
use crate::cli::Cli;
use crate::error::Failure;
use crate::input::replay::Replay;
use crate::record::Recorder;

/// The recording to replay, timed by --replay-speed.
pub(super) fn replay(cli: &Cli) -> Result<Option<Arc<Replay>>, Failure> {
    let Some(path) = &cli.replay else {
        return match cli.replay_speed {
            Some(_) => Err(usage(
                "--replay-speed works with --replay only (it times a recording's messages)".into(),
            )),
            None => Ok(None),
        };
    };
    let speed = cli.replay_speed.as_deref().map(speed).transpose()?;
    Replay::load(path, speed.unwrap_or(1.0))
        .map(|replay| Some(Arc::new(replay)))
        .map_err(usage)
}

/// `--replay-speed X`: a multiplier, 0 for no waits at all.
fn speed(text: &str) -> Result<f64, Failure> {
    text.trim()
        .parse::<f64>()
        .ok()
        .filter(|x| x.is_finite() && *x >= 0.0)
        .ok_or_else(|| {
            usage(format!(
                "--replay-speed takes a speed such as 2 (twice as fast), 0.5 or 0 (no waits), \
                 not '{text}'"
            ))
        })
}

/// The recording to write: created (or emptied) now, so that a path that cannot be written is
/// said before connecting. Called last, once every other flag is known to be good.
pub(super) fn record(cli: &Cli) -> Result<Option<Recorder>, Failure> {
    cli.record
        .as_deref()
        .map(Recorder::create)
        .transpose()
        .map_err(usage)
}

#[cfg(test)]
mod tests {
    use crate::config::tests::usage_error_of;

    #[test]
    fn speeds_are_multipliers_of_0_or_more_and_need_a_recording() {
        assert_eq!(
            usage_error_of(&["h", "--replay-speed", "2"]),
            "--replay-speed works with --replay only (it times a recording's messages)"
        );
        for bad in ["-1", "fast", "inf", "NaN", ""] {
            let error = usage_error_of(&["h", "--replay", "/dev/null", "--replay-speed", bad]);
            assert!(
                error.starts_with("--replay-speed takes a speed such as 2"),
                "{bad}: {error}"
            );
        }
        for good in ["0", "0.25", "1", "10"] {
            let config = crate::config::tests::config_of(&[
                "h",
                "--replay",
                "/dev/null",
                "--replay-speed",
                good,
            ]);
            assert!(config.replay.is_some(), "{good}");
        }
    }

    #[test]
    fn files_that_cannot_be_used_are_usage_errors_naming_them() {
        assert_eq!(
            usage_error_of(&["h", "--replay", "/nonexistent/r.jsonl"]),
            "--replay: cannot read /nonexistent/r.jsonl: no such file or directory"
        );
        assert_eq!(
            usage_error_of(&["h", "--record", "/nonexistent/r.jsonl"]),
            "--record: cannot write /nonexistent/r.jsonl: no such file or directory"
        );
    }
}
