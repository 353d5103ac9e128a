//! The terminal's modes, saved before the REPL starts and put back on every exit path:
//! rustyline leaves raw mode on if the connection ends while it waits for a key.

use std::io::Write;
use std::os::fd::{AsFd, OwnedFd};

use nix::sys::termios::{SetArg, Termios, tcgetattr, tcsetattr};

/// The modes, and the terminal they belong to (its own handle: stdin is replaced when the REPL
/// ends).
pub struct SavedModes(Option<(OwnedFd, Termios)>);

impl SavedModes {
    pub fn save() -> SavedModes {
        let terminal = std::io::stdin().as_fd().try_clone_to_owned().ok();
        SavedModes(terminal.and_then(|fd| tcgetattr(&fd).ok().map(|modes| (fd, modes))))
    }

    /// Puts the modes back and erases the prompt line left behind.
    pub fn restore(&self) {
        if let Some((terminal, modes)) = &self.0 {
            let _ = tcsetattr(terminal, SetArg::TCSANOW, modes);
            let mut stdout = std::io::stdout();
            let _ = stdout.write_all(b"\r\x1b[2K");
            let _ = stdout.flush();
        }
    }
}
