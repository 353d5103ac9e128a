//! The session's clocks besides the close handshake: --max-time, --idle-timeout and keepalive
//! pings with their pong deadline. One `next()` future reports whichever goes off first.

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
}

pub struct Limits {
    max_time: Option<(Duration, Pin<Box<Sleep>>)>,
    idle: Option<(Duration, Pin<Box<Sleep>>)>,
    last_activity: Instant,
    ping: Option<(Duration, Duration, Pin<Box<Sleep>>)>,
    pong_due: Option<Pin<Box<Sleep>>>,
}

impl Limits {
    /// Clocks for this config; --max-time counts from `started`.
    pub fn new(config: &Config, started: Instant) -> Limits {
        let sleep = |at: Instant| Box::pin(sleep_until(at.into()));
        let now = Instant::now();
        Limits {
            max_time: config.max_time.map(|limit| (limit, sleep(started + limit))),
            idle: config.idle_timeout.map(|limit| (limit, sleep(now + limit))),
            last_activity: now,
            ping: config
                .ping
                .map(|(every, timeout)| (every, timeout, sleep(now + every))),
            pong_due: None,
        }
    }

    /// A message went one way or the other.
    pub fn activity(&mut self) {
        if self.idle.is_some() {
            self.last_activity = Instant::now();
        }
    }

    /// A keepalive ping went out: its pong is due (unless an earlier one still is).
    pub fn ping_sent(&mut self) {
        if let (Some((_, timeout, _)), None) = (&self.ping, &self.pong_due) {
            self.pong_due = Some(Box::pin(sleep_until((Instant::now() + *timeout).into())));
        }
    }

    /// A pong arrived: the connection is alive.
    pub fn pong_received(&mut self) {
        self.pong_due = None;
    }

    /// Waits for the next clock to go off (forever if there is none).
    pub async fn next(&mut self) -> Alarm {
        loop {
            let alarm = tokio::select! {
                () = async { self.max_time.as_mut().unwrap().1.as_mut().await }, if self.max_time.is_some() => {
                    let limit = self.max_time.take().map(|(limit, _)| limit).unwrap_or_default();
                    return Alarm::MaxTime(limit);
                }
                () = async { self.pong_due.as_mut().unwrap().as_mut().await }, if self.pong_due.is_some() => {
                    self.pong_due = None;
                    let timeout = self.ping.as_ref().map(|(_, timeout, _)| *timeout).unwrap_or_default();
                    return Alarm::PongLate(timeout);
                }
                () = async { self.ping.as_mut().unwrap().2.as_mut().await }, if self.ping.is_some() => Alarm::Ping,
                () = async { self.idle.as_mut().unwrap().1.as_mut().await }, if self.idle.is_some() => Alarm::Idle(Duration::ZERO),
                () = std::future::pending() => unreachable!(),
            };
            match alarm {
                Alarm::Ping => {
                    if let Some((every, _, sleep)) = &mut self.ping {
                        sleep.as_mut().reset((Instant::now() + *every).into());
                    }
                    return Alarm::Ping;
                }
                _ => {
                    // The idle clock is re-armed from the last activity until it really is idle.
                    let Some((limit, sleep)) = &mut self.idle else {
                        continue;
                    };
                    let quiet_until = self.last_activity + *limit;
                    if quiet_until > Instant::now() {
                        sleep.as_mut().reset(quiet_until.into());
                    } else {
                        let limit = *limit;
                        self.idle = None;
                        return Alarm::Idle(limit);
                    }
                }
            }
        }
    }
}
