//! One run of the client, over as many connections as --reconnect makes. After a transient
//! failure (a connection lost, a connect error, a 5xx or 429 answer, a Close that asks to come
//! back) it waits, from 0.5 s doubling to 30 s with full jitter (Retry-After honoured, reset
//! after 10 s connected), and connects again; the input, the printer, the counts and the goals
//! go on (`session::Lasting`). Without --reconnect it is one session.

use std::time::{Duration, Instant};

use rand::RngExt;
use tokio::sync::mpsc;
use tungstenite::Message;

use crate::config::Config;
use crate::connect::{self, Connection};
use crate::error::Failure;
use crate::event::{Event, close_code_name};
use crate::input::Input;
use crate::output::Printer;
use crate::session::{self, Lasting, Signals};

/// The first wait, doubled at each attempt up to the last.
const FIRST_WAIT: Duration = Duration::from_millis(500);
const LONGEST_WAIT: Duration = Duration::from_secs(30);
/// A connection that lasted this long starts the waits over.
const RESET_AFTER: Duration = Duration::from_secs(10);

/// The first connection: with --reconnect, a transient failure is tried again as a lost
/// connection would be (told on `printer`).
pub async fn first(config: &Config, printer: &mut Printer) -> Result<Connection, Failure> {
    let failure = match connect::connect(config).await {
        Ok(connection) => return Ok(connection),
        Err(failure) => failure,
    };
    match transient(&failure) {
        Some(retry_after) if config.reconnect => {
            let mut attempts = Attempts::new(config, None)?;
            let mut nothing_typed = Vec::new();
            let waiting = Waiting {
                printer,
                input: None,
                held: &mut nothing_typed,
                unmet: None,
            };
            attempts.connect(waiting, 1006, failure, retry_after).await
        }
        _ => Err(failure),
    }
}

/// Runs sessions until one ends for good, or --reconnect gives up.
pub async fn run<'a>(
    config: &'a Config,
    mut connection: Connection,
    lasting: &mut Lasting<'a>,
    started: impl FnOnce() -> Result<(), Failure>,
) -> Result<(), Failure> {
    let mut started = Some(started);
    let mut attempts = None;
    loop {
        let connected_at = Instant::now();
        let opened = || started.take().map_or(Ok(()), |started| started());
        let over = session::run(config, connection, lasting, None, opened).await;
        let Some(code) = over.retry.filter(|_| config.reconnect) else {
            return over.result;
        };
        let lost = match over.result {
            Err(failure) => failure,
            Ok(()) => {
                Failure::ConnectionLost(format!("closed: {code} ({})", close_code_name(code)))
            }
        };
        let attempts = match &mut attempts {
            Some(attempts) => attempts,
            None => attempts.insert(Attempts::new(config, lasting.started)?),
        };
        if connected_at.elapsed() >= RESET_AFTER {
            attempts.count = 0;
        }
        let waiting = Waiting {
            printer: &mut lasting.printer,
            input: lasting.input.as_mut().filter(|_| config.prompt),
            held: &mut lasting.held,
            unmet: lasting.goals.missing(),
        };
        connection = attempts.connect(waiting, code, lost, None).await?;
        lasting.stats.reconnects += 1;
    }
}

/// Attempts to connect again, counted until --reconnect-max, within --max-time.
struct Attempts<'c> {
    config: &'c Config,
    count: u32,
    signals: Signals,
    /// --max-time, counted from the first connection.
    deadline: tokio::time::Instant,
}

/// What waiting between attempts needs: where to tell of it, and the REPL's input, whose lines
/// are held for the next connection (stdin is not read: it waits in its pipe).
struct Waiting<'w> {
    printer: &'w mut Printer,
    input: Option<&'w mut mpsc::Receiver<Input>>,
    held: &'w mut Vec<Input>,
    /// What --count/--expect still miss, for the words if --max-time ends the run.
    unmet: Option<String>,
}

impl<'c> Attempts<'c> {
    fn new(config: &'c Config, started: Option<Instant>) -> Result<Attempts<'c>, Failure> {
        let far = tokio::time::Instant::now() + Duration::from_secs(86400 * 365);
        let deadline = match config.max_time {
            Some(limit) => (started.unwrap_or_else(Instant::now) + limit).into(),
            None => far,
        };
        Ok(Attempts {
            config,
            count: 0,
            signals: Signals::new()?,
            deadline,
        })
    }

    /// Waits and connects until a connection is made; the failure that ends the run otherwise.
    async fn connect(
        &mut self,
        mut waiting: Waiting<'_>,
        mut code: u16,
        mut last: Failure,
        mut retry_after: Option<Duration>,
    ) -> Result<Connection, Failure> {
        loop {
            self.count += 1;
            if self
                .config
                .reconnect_max
                .is_some_and(|max| self.count > max)
            {
                return Err(last);
            }
            let wait = retry_after.unwrap_or_else(|| backoff(self.count, &mut rand::rng()));
            let event = Event::Reconnecting {
                code,
                why: last.to_string(),
                wait,
                attempt: self.count,
            };
            if let Some(recorder) = &self.config.record {
                recorder.event(&event);
            }
            let _ = waiting.printer.event(&event);
            let _ = waiting.printer.flush();
            let until = tokio::time::Instant::now() + wait;
            if !self.pause(&mut waiting, until.min(self.deadline)).await? {
                // The user left the REPL while wsc was waiting.
                return Err(last);
            }
            let attempted = tokio::select! {
                signal = self.signals.next() => return Err(Failure::Signalled(signal)),
                () = tokio::time::sleep_until(self.deadline) => None,
                attempted = connect::connect(self.config) => Some(attempted),
            };
            match attempted {
                None => return Err(self.out_of_time(waiting.unmet)),
                Some(Ok(connection)) => return Ok(connection),
                Some(Err(failure)) => match transient(&failure) {
                    Some(after) => (code, last, retry_after) = (1006, failure, after),
                    None => return Err(failure),
                },
            }
        }
    }

    /// Waits until `until`; false when the user left the REPL meanwhile.
    async fn pause(
        &mut self,
        waiting: &mut Waiting<'_>,
        until: tokio::time::Instant,
    ) -> Result<bool, Failure> {
        loop {
            let typed = async {
                match waiting.input.as_mut() {
                    Some(input) => input.recv().await,
                    None => std::future::pending().await,
                }
            };
            tokio::select! {
                signal = self.signals.next() => return Err(Failure::Signalled(signal)),
                () = tokio::time::sleep_until(until) => break,
                typed = typed => match typed {
                    Some(Input::Batch(batch)) if batch.iter().any(Message::is_close) => return Ok(false),
                    Some(line) => waiting.held.push(line),
                    None => return Ok(false),
                },
            }
        }
        if tokio::time::Instant::now() >= self.deadline {
            return Err(self.out_of_time(waiting.unmet.take()));
        }
        Ok(true)
    }

    fn out_of_time(&self, unmet: Option<String>) -> Failure {
        let limit = self.config.max_time.unwrap_or_default().as_secs_f64();
        let why = format!("--max-time of {limit} s expired while reconnecting");
        Failure::Unmet(match unmet {
            Some(what) => format!("{what}; {why}"),
            None => why,
        })
    }
}

/// Whether a connect failure may pass: a connect error, a 5xx or a 429 (with its Retry-After).
/// TLS failures and other refusals are for good.
fn transient(failure: &Failure) -> Option<Option<Duration>> {
    match failure {
        Failure::Connect(_) => Some(None),
        Failure::Busy(_, retry_after) => Some(*retry_after),
        _ => None,
    }
}

/// Full jitter (a random wait up to the doubled one): clients cut off together do not all come
/// back at once.
fn backoff(attempt: u32, rng: &mut impl rand::Rng) -> Duration {
    let ceiling = FIRST_WAIT
        .saturating_mul(1 << attempt.saturating_sub(1).min(16))
        .min(LONGEST_WAIT);
    ceiling.mul_f64(rng.random::<f64>())
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    #[test]
    fn waits_double_from_half_a_second_up_to_thirty_with_full_jitter() {
        let mut rng = rand::rngs::StdRng::seed_from_u64(7);
        for attempt in 1..40 {
            let ceiling = match attempt {
                1 => 0.5,
                2 => 1.0,
                3 => 2.0,
                7 => 30.0,
                _ => 30f64.min(0.5 * 2f64.powi(attempt as i32 - 1)),
            };
            let waits: Vec<f64> = (0..200)
                .map(|_| backoff(attempt, &mut rng).as_secs_f64())
                .collect();
            assert!(
                waits.iter().all(|w| *w <= ceiling),
                "attempt {attempt}: {waits:?}"
            );
            // Spread over the whole range, not bunched at the top.
            assert!(
                waits.iter().any(|w| *w < ceiling / 4.0),
                "attempt {attempt}"
            );
            assert!(
                waits.iter().any(|w| *w > ceiling * 3.0 / 4.0),
                "attempt {attempt}"
            );
        }
    }

    #[test]
    fn connect_errors_and_busy_servers_are_transient_and_the_rest_final() {
        assert_eq!(transient(&Failure::Connect("refused".into())), Some(None));
        let after = Some(Duration::from_secs(3));
        assert_eq!(transient(&Failure::Busy("503".into(), after)), Some(after));
        assert_eq!(transient(&Failure::Tls("bad".into())), None);
        assert_eq!(transient(&Failure::Handshake("404".into())), None);
    }
}
