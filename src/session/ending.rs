//! How a session ended, gathered while it runs and turned into one result at the end.

use crate::error::{Failure, Signal};
use crate::output::describe_close;
use crate::protocol::Role;

#[derive(Debug, Default)]
pub struct Ending {
    /// Which end we are: the words name the other (`the server closed first`).
    pub role: Role,
    /// A signal arrived: its status whatever else happened.
    pub signal: Option<Signal>,
    /// Nothing more can be written to stdout.
    pub stdout_closed: bool,
    /// stdout was closed by its reader (`| head -1`): a quiet, successful end.
    pub stdout_gone: bool,
    /// The first thing that went wrong.
    failure: Option<Failure>,
    /// A time limit (--max-time, --idle-timeout) that ended the session, in words.
    limit: Option<String>,
    /// What ended the wait for --count/--expect when it was not a limit (the quiet wait).
    waited: Option<String>,
    /// Input that was never sent because the server closed first, in words.
    unsent: Option<String>,
    close: Option<ServerClose>,
    /// The code of the Close we sent, if we sent one.
    sent_code: Option<u16>,
    /// The connection broke (ended without a Close, failed to read or write, no pong): it was
    /// not ended by either side.
    lost: bool,
}

/// Close codes that ask a client to come back later: going away (a restart), internal error,
/// service restart, try again later.
pub const COME_BACK: [u16; 4] = [1001, 1011, 1012, 1013];

#[derive(Debug)]
struct ServerClose {
    code: Option<u16>,
    reason: String,
}

impl Ending {
    pub fn new(role: Role) -> Ending {
        Ending {
            role,
            ..Ending::default()
        }
    }

    /// Records a failure; the first one is the one reported.
    pub fn fail(&mut self, failure: Failure) {
        self.failure.get_or_insert(failure);
    }

    /// A time limit ended the session: status 8, naming the limit (and any goal not met).
    pub fn limit_expired(&mut self, why: String) {
        self.limit.get_or_insert(why);
    }

    /// The quiet wait after input ended closed the session (an ending, not a failure).
    pub fn waited(&mut self, why: String) {
        self.waited.get_or_insert(why);
    }

    /// The server closed while input was still to be sent.
    pub fn unsent(&mut self, what: String) {
        self.unsent.get_or_insert(what);
    }

    pub fn server_close(&mut self, code: Option<u16>, reason: String) {
        self.close.get_or_insert(ServerClose { code, reason });
    }

    pub fn sent_close(&mut self, code: Option<u16>) {
        self.sent_code = code;
    }

    /// The server's Close, as (code, reason).
    pub fn server_close_frame(&self) -> Option<(Option<u16>, String)> {
        self.close.as_ref().map(|c| (c.code, c.reason.clone()))
    }

    /// The connection broke without a Close from either side.
    pub fn lost(&mut self) {
        self.lost = true;
    }

    /// The code to report when another connection may be tried (--reconnect): 1006 for a lost
    /// connection, or the peer's code when it closed first with one that asks to come back.
    /// Never after we closed (the input ended, a goal, a limit, a rule broken), a signal, or
    /// stdout gone.
    pub fn retry_code(&self) -> Option<u16> {
        if self.signal.is_some() || self.stdout_closed || self.sent_code.is_some() {
            return None;
        }
        match &self.close {
            Some(close) => close.code.filter(|code| COME_BACK.contains(code)),
            None => self.lost.then_some(1006),
        }
    }

    pub fn server_closed(&self) -> bool {
        self.close.is_some()
    }

    /// The result of the session; `unmet` says what the user asked for that did not happen.
    pub fn outcome(self, unmet: Option<String>) -> Result<(), Failure> {
        if let Some(signal) = self.signal {
            return Err(Failure::Signalled(signal));
        }
        if self.stdout_gone {
            return Ok(());
        }
        if let Some(failure) = self.failure {
            return Err(failure);
        }
        if let Some(limit) = self.limit {
            return Err(Failure::Unmet(match unmet {
                Some(what) => format!("{what}; {limit}"),
                None => limit,
            }));
        }
        let Some(close) = self.close else {
            return Err(Failure::ConnectionLost(
                "connection ended without a close handshake".into(),
            ));
        };
        // A Close without a status code (1005) is not "a code other than 1000/1001": many
        // libraries close that way normally.
        // An echo of our own code acknowledges our Close: it is not the server's verdict.
        match close.code {
            None | Some(1000 | 1001) => {}
            code if code == self.sent_code => {}
            code => {
                let close = describe_close(code, &close.reason, self.role.peer());
                return Err(Failure::ServerClosed(match self.unsent {
                    Some(unsent) => format!("{close}; input left unsent: {unsent}"),
                    None => close,
                }));
            }
        }
        if let Some(what) = unmet {
            let ended = self
                .waited
                .unwrap_or_else(|| format!("the {} closed first", self.role.peer()));
            return Err(Failure::Unmet(format!("{what}; {ended}")));
        }
        match self.unsent {
            Some(what) => Err(Failure::Unsent(format!(
                "the {} closed before all input was sent: {what}",
                self.role.peer()
            ))),
            None => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn closed(code: Option<u16>) -> Ending {
        let mut ending = Ending::default();
        ending.server_close(code, "bye".into());
        ending
    }

    #[test]
    fn only_a_lost_connection_or_a_come_back_close_is_retried() {
        let mut lost = Ending::default();
        lost.lost();
        assert_eq!(lost.retry_code(), Some(1006));
        assert_eq!(closed(Some(1012)).retry_code(), Some(1012));
        assert_eq!(closed(Some(1000)).retry_code(), None);
        assert_eq!(closed(None).retry_code(), None);
        // Never when we ended it: a signal, stdout gone, or our own Close, each on its own.
        let mut signalled = Ending::default();
        signalled.lost();
        signalled.signal = Some(Signal::Interrupt);
        assert_eq!(signalled.retry_code(), None, "a signal");
        let mut stdout_gone = Ending::default();
        stdout_gone.lost();
        stdout_gone.stdout_closed = true;
        assert_eq!(stdout_gone.retry_code(), None, "stdout gone");
        let mut answered = closed(Some(1012));
        answered.sent_close(Some(1000));
        assert_eq!(answered.retry_code(), None, "our Close answered with 1012");
    }

    #[test]
    fn normal_codes_are_clean() {
        assert_eq!(closed(Some(1000)).outcome(None), Ok(()));
        assert_eq!(closed(Some(1001)).outcome(None), Ok(()));
        assert_eq!(closed(None).outcome(None), Ok(()), "no status code");
    }

    #[test]
    fn other_codes_are_reported_with_their_reason() {
        let err = closed(Some(4001)).outcome(None).unwrap_err();
        assert_eq!(
            err,
            Failure::ServerClosed("closed by server: 4001 (application) \"bye\"".into())
        );
        assert_eq!(
            closed(Some(1011)).outcome(None).unwrap_err().exit_status(),
            7
        );
    }

    #[test]
    fn an_echo_of_our_own_close_code_is_clean() {
        let mut ending = closed(Some(4000));
        ending.sent_close(Some(4000));
        assert_eq!(ending.outcome(None), Ok(()));
        ending = closed(Some(4001));
        ending.sent_close(Some(4000));
        assert_eq!(ending.outcome(None).unwrap_err().exit_status(), 7);
    }

    #[test]
    fn the_first_failure_wins_and_interrupt_beats_all() {
        let mut ending = closed(Some(1000));
        ending.fail(Failure::Runtime("first".into()));
        ending.fail(Failure::ConnectionLost("second".into()));
        assert_eq!(ending.outcome(None), Err(Failure::Runtime("first".into())));
        let mut ending = closed(Some(4000));
        ending.signal = Some(Signal::Terminate);
        assert_eq!(ending.outcome(None).unwrap_err().exit_status(), 143);
    }

    #[test]
    fn what_was_asked_and_did_not_happen_is_unmet_and_says_what_ended_the_wait() {
        let missing = || Some("--count 3 not reached; 2 messages received".to_string());
        assert_eq!(
            closed(Some(1000)).outcome(missing()),
            Err(Failure::Unmet(
                "--count 3 not reached; 2 messages received; the server closed first".into()
            ))
        );
        let mut ending = closed(Some(1000));
        ending.waited("nothing arrived for 5 s after the input ended (-w)".into());
        assert_eq!(
            ending.outcome(missing()),
            Err(Failure::Unmet(
                "--count 3 not reached; 2 messages received; nothing arrived for 5 s after the \
                 input ended (-w)"
                    .into()
            ))
        );
        assert_eq!(closed(Some(1000)).outcome(None), Ok(()));
    }

    #[test]
    fn a_time_limit_is_unmet_and_names_the_goal_it_cut_short() {
        let mut ending = closed(Some(1000));
        ending.limit_expired("--max-time of 2 s expired".into());
        assert_eq!(
            ending.outcome(None),
            Err(Failure::Unmet("--max-time of 2 s expired".into()))
        );
        let mut ending = closed(Some(4001));
        ending.limit_expired("--max-time of 2 s expired".into());
        assert_eq!(
            ending.outcome(Some("--count 1 not reached; 0 messages received".into())),
            Err(Failure::Unmet(
                "--count 1 not reached; 0 messages received; --max-time of 2 s expired".into()
            )),
            "the limit came first, so it is reported before the server's code"
        );
    }

    #[test]
    fn input_left_unsent_is_status_9_after_a_clean_close_only() {
        let mut ending = closed(Some(1000));
        ending.unsent("3 lines not sent".into());
        assert_eq!(
            ending.outcome(None),
            Err(Failure::Unsent(
                "the server closed before all input was sent: 3 lines not sent".into()
            ))
        );
        let mut ending = closed(Some(4001));
        ending.unsent("3 lines not sent".into());
        assert_eq!(
            ending.outcome(None),
            Err(Failure::ServerClosed(
                "closed by server: 4001 (application) \"bye\"; input left unsent: 3 lines not \
                 sent"
                    .into()
            )),
            "the server's code decides the status, and the unsent input is still told"
        );
    }

    #[test]
    fn a_closed_stdout_is_a_clean_end() {
        let mut ending = Ending {
            stdout_gone: true,
            ..Ending::default()
        };
        ending.fail(Failure::ConnectionLost("later".into()));
        assert_eq!(ending.outcome(None), Ok(()));
    }
}
