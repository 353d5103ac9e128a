//! The session's clocks besides the close handshake: --max-time, --idle-timeout, keepalive
//! pings with their pong deadline, and --heartbeat. One `next()` future reports whichever goes off first.

use std::pin::Pin;
use std::time::{Duration, Instant};

use tokio::time::{Sleep, sleep_until};

use crate::config::Config;

/// A clock that went off.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Alarm {
    MaxTime(Duration),
    Idle(Duration),
    /// Time to send a keepalive ping.
    Ping,
    /// A keepalive ping went unanswered for this long.
    PongLate(Duration),
    /// Time to send a heartbeat (--heartbeat).
    Heartbeat,
}

/// A limit and the sleep that watches it.
struct Clock {
    limit: Duration,
    sleep: Pin<Box<Sleep>>,
}

impl Clock {
    fn at(limit: Duration, at: Instant) -> Clock {
        Clock {
            limit,
            sleep: Box::pin(sleep_until(at.into())),
        }
    }

    fn reset(&mut self, at: Instant) {
        self.sleep.as_mut().reset(at.into());
    }
}

pub struct Limits {
    max_time: Option<Clock>,
    idle: Option<Clock>,
    last_activity: Instant,
    /// Keepalive: the limit is the interval between pings.
    ping: Option<Clock>,
    pong_timeout: Duration,
    pong_due: Option<Clock>,
    /// --heartbeat: the limit is --every, the first one --every after the connection opens.
    heartbeat: Option<Clock>,
}

impl Limits {
    /// Clocks for this config; --max-time counts from `started`.
    pub fn new(config: &Config, started: Instant) -> Limits {
        let now = Instant::now();
        Limits {
            max_time: config
                .max_time
                .map(|limit| Clock::at(limit, started + limit)),
            idle: config
                .idle_timeout
                .map(|limit| Clock::at(limit, now + limit)),
            last_activity: now,
            ping: config.ping.map(|(every, _)| Clock::at(every, now + every)),
            pong_timeout: config.ping.map_or(Duration::ZERO, |(_, timeout)| timeout),
            pong_due: None,
            heartbeat: config
                .heartbeat
                .as_ref()
                .map(|(_, every)| Clock::at(*every, now + *every)),
        }
    }

    /// Whether any clock is running (the session need not wait on `next()` otherwise).
    pub fn running(&self) -> bool {
        self.max_time.is_some()
            || self.idle.is_some()
            || self.ping.is_some()
            || self.heartbeat.is_some()
    }

    /// A message went one way or the other.
    pub fn activity(&mut self) {
        if self.idle.is_some() {
            self.last_activity = Instant::now();
        }
    }

    /// A keepalive ping went out: its pong is due (unless an earlier one still is).
    pub fn ping_sent(&mut self) {
        if self.pong_due.is_none() {
            let timeout = self.pong_timeout;
            self.pong_due = Some(Clock::at(timeout, Instant::now() + timeout));
        }
    }

    /// A pong arrived: the connection is alive.
    pub fn pong_received(&mut self) {
        self.pong_due = None;
    }

    /// Waits for the next clock to go off (forever if there is none).
    pub async fn next(&mut self) -> Alarm {
        loop {
            tokio::select! {
                () = wake(&mut self.max_time) => {
                    return Alarm::MaxTime(self.max_time.take().map_or(Duration::ZERO, |c| c.limit));
                }
                () = wake(&mut self.pong_due) => {
                    self.pong_due = None;
                    return Alarm::PongLate(self.pong_timeout);
                }
                () = wake(&mut self.ping) => {
                    if let Some(ping) = &mut self.ping {
                        ping.reset(Instant::now() + ping.limit);
                    }
                    return Alarm::Ping;
                }
                () = wake(&mut self.heartbeat) => {
                    if let Some(heartbeat) = &mut self.heartbeat {
                        heartbeat.reset(Instant::now() + heartbeat.limit);
                    }
                    return Alarm::Heartbeat;
                }
                () = wake(&mut self.idle) => {
                    if let Some(limit) = self.idle_expired() {
                        return Alarm::Idle(limit);
                    }
                }
            }
        }
    }

    /// The idle clock went off: re-arm it from the last activity unless it really was idle.
    fn idle_expired(&mut self) -> Option<Duration> {
        let clock = self.idle.as_mut()?;
        let quiet_until = self.last_activity + clock.limit;
        if quiet_until > Instant::now() {
            clock.reset(quiet_until);
            return None;
        }
        self.idle.take().map(|c| c.limit)
    }
}

/// Completes when the clock goes off; never, when there is no clock.
async fn wake(clock: &mut Option<Clock>) {
    match clock {
        Some(clock) => clock.sleep.as_mut().await,
        None => std::future::pending().await,
    }
}
