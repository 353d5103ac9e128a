//! wsc in a pseudo-terminal, with a vt100 screen model of what a person would see.

use std::io::{Read, Write};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use portable_pty::{Child, CommandBuilder, MasterPty, PtySize, native_pty_system};

use super::DEADLINE;

pub struct Terminal {
    master: Box<dyn MasterPty + Send>,
    writer: Box<dyn Write + Send>,
    child: Box<dyn Child + Send + Sync>,
    screen: Arc<Mutex<vt100::Parser>>,
    /// Every byte wsc wrote, for checks on what reached the terminal raw.
    raw: Arc<Mutex<Vec<u8>>>,
}

impl Terminal {
    /// Starts wsc with these arguments in a terminal of this size.
    pub fn start(args: &[&str], rows: u16, cols: u16, state_dir: &std::path::Path) -> Terminal {
        let pair = native_pty_system()
            .openpty(PtySize {
                rows,
                cols,
                pixel_width: 0,
                pixel_height: 0,
            })
            .expect("pty");
        let mut command = CommandBuilder::new(env!("CARGO_BIN_EXE_wsc"));
        command.args(args);
        command.env("XDG_STATE_HOME", state_dir);
        command.env("TERM", "xterm");
        command.env_remove("NO_COLOR");
        let child = pair.slave.spawn_command(command).expect("spawn wsc");
        drop(pair.slave);
        let screen = Arc::new(Mutex::new(vt100::Parser::new(
            nonzero(rows),
            nonzero(cols),
            1000,
        )));
        let raw = Arc::new(Mutex::new(Vec::new()));
        let mut reader = pair.master.try_clone_reader().expect("reader");
        let (screen_in, raw_in) = (screen.clone(), raw.clone());
        std::thread::spawn(move || {
            let mut buffer = [0u8; 4096];
            while let Ok(n) = reader.read(&mut buffer) {
                if n == 0 {
                    break;
                }
                screen_in.lock().unwrap().process(&buffer[..n]);
                raw_in.lock().unwrap().extend_from_slice(&buffer[..n]);
            }
        });
        let writer = pair.master.take_writer().expect("writer");
        Terminal {
            master: pair.master,
            writer,
            child,
            screen,
            raw,
        }
    }

    /// Changes the terminal's size, as a person resizing the window (wsc gets SIGWINCH).
    pub fn resize(&mut self, rows: u16, cols: u16) {
        let size = PtySize {
            rows,
            cols,
            pixel_width: 0,
            pixel_height: 0,
        };
        self.master.resize(size).expect("resize");
        self.screen
            .lock()
            .unwrap()
            .set_size(nonzero(rows), nonzero(cols));
    }

    /// Types keys as a person would (text, or control bytes like "\x04" for Ctrl-D).
    pub fn keys(&mut self, keys: &str) {
        self.writer.write_all(keys.as_bytes()).unwrap();
        self.writer.flush().unwrap();
    }

    /// The screen's text, one string per row, trailing blanks trimmed.
    pub fn rows(&self) -> Vec<String> {
        let parser = self.screen.lock().unwrap();
        parser
            .screen()
            .rows(0, parser.screen().size().1.get())
            .map(|r| r.trim_end().to_string())
            .collect()
    }

    pub fn text(&self) -> String {
        self.rows().join("\n")
    }

    pub fn raw_output(&self) -> Vec<u8> {
        self.raw.lock().unwrap().clone()
    }

    /// The cursor's (row, column).
    pub fn screen_cursor(&self) -> (u16, u16) {
        self.screen.lock().unwrap().screen().cursor_position()
    }

    /// The row the cursor is on.
    pub fn cursor_row(&self) -> String {
        let row = self.screen.lock().unwrap().screen().cursor_position().0;
        self.rows()[row as usize].clone()
    }

    /// Waits until the screen satisfies `ready`, failing the test at the deadline.
    pub async fn wait_for(&self, what: &str, ready: impl Fn(&Terminal) -> bool) {
        let deadline = tokio::time::Instant::now() + DEADLINE;
        while !ready(self) {
            assert!(
                tokio::time::Instant::now() < deadline,
                "waited for {what}; screen:\n{}",
                self.text()
            );
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    }

    pub async fn wait_for_text(&self, needle: &str) {
        self.wait_for(&format!("{needle:?}"), |t| t.text().contains(needle))
            .await;
    }

    /// Waits for an empty prompt line under the cursor.
    pub async fn wait_for_prompt(&self) {
        self.wait_for("an empty prompt", |t| t.cursor_row() == ">")
            .await;
    }

    /// Types a line and Enter, and waits until rustyline has taken it and shows a new prompt
    /// (keys typed before that could be lost between two lines). The line must fit on a row.
    pub async fn enter(&mut self, line: &str) {
        let shown = format!("> {line}");
        let before = self.rows().iter().filter(|r| **r == shown).count();
        self.keys(&format!("{line}\r"));
        self.wait_for(&format!("{shown:?} taken"), |t| {
            t.rows().iter().filter(|r| **r == shown).count() > before && t.cursor_row() == ">"
        })
        .await;
    }

    /// Leaves the REPL with Ctrl-D, which must end the session with status 0.
    pub async fn quit_with_ctrl_d(&mut self) {
        self.keys("\x04");
        assert_eq!(self.exit_status().await, 0, "Ctrl-D exits 0");
    }

    /// Waits for wsc to exit and returns its status.
    pub async fn exit_status(&mut self) -> u32 {
        let deadline = tokio::time::Instant::now() + DEADLINE;
        loop {
            if let Some(status) = self.child.try_wait().expect("wait") {
                return status.exit_code();
            }
            assert!(
                tokio::time::Instant::now() < deadline,
                "wsc did not exit; screen:\n{}",
                self.text()
            );
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    }

    /// Whether the terminal has echo and canonical (line) mode on, as a shell needs.
    pub fn is_cooked(&self) -> bool {
        let termios = self.master.get_termios().expect("termios");
        let flags = termios.local_flags.bits() as libc::tcflag_t;
        flags & libc::ECHO != 0 && flags & libc::ICANON != 0
    }
}

fn nonzero(n: u16) -> std::num::NonZeroU16 {
    std::num::NonZeroU16::new(n).expect("a terminal has rows and columns")
}

impl Drop for Terminal {
    fn drop(&mut self) {
        let _ = self.child.kill();
    }
}
