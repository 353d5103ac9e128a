//! The terminal's modes, saved before the REPL starts and put back on every exit path:
//! rustyline leaves raw mode on if the connection ends while it waits for a key.

use std::io::Write;

use nix::sys::termios::{SetArg, Termios, tcgetattr, tcsetattr};

pub struct SavedModes(Option<Termios>);

impl SavedModes {
    pub fn save() -> SavedModes {
        SavedModes(tcgetattr(std::io::stdin()).ok())
    }

    /// Puts the modes back and erases the prompt line left behind.
    pub fn restore(&self) {
        if let Some(modes) = &self.0 {
            let _ = tcsetattr(std::io::stdin(), SetArg::TCSANOW, modes);
            let mut stdout = std::io::stdout();
            let _ = stdout.write_all(b"\r\x1b[2K");
            let _ = stdout.flush();
        }
    }
}
