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
        command.env_remove("WSC_CONFIG");
        command.env_remove("WSC_PROFILE");
        command.env("XDG_CONFIG_HOME", super::NO_CONFIG_HOME);
        for var in super::PROXY_VARIABLES {
            command.env_remove(var);
        }
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
                // Raw first: whatever a test sees on the screen is then in the raw bytes too.
                raw_in.lock().unwrap().extend_from_slice(&buffer[..n]);
                screen_in.lock().unwrap().process(&buffer[..n]);
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

    /// Changes the terminal's size as most terminals do now (VTE, kitty, iTerm2, Windows
    /// Terminal, tmux): rows that wrapped are joined and wrapped again at the new width, and the
    /// cursor stays on its character. vt100 itself only cuts or pads rows, as xterm does. Colours
    /// are not kept; the visible screen only (no scrollback) is reflowed.
    pub fn resize_reflowing(&mut self, rows: u16, cols: u16) {
        let mut parser = self.screen.lock().unwrap();
        let reflowed = reflow(parser.screen(), rows, cols);
        *parser = reflowed;
        // The program learns of it after the screen has changed, as with a real terminal.
        let size = PtySize {
            rows,
            cols,
            pixel_width: 0,
            pixel_height: 0,
        };
        self.master.resize(size).expect("resize");
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

    /// Sends wsc a signal, as `kill` or a closing terminal window would.
    pub fn signal(&self, signal: nix::sys::signal::Signal) {
        let pid = self.child.process_id().expect("wsc has a pid");
        nix::sys::signal::kill(nix::unistd::Pid::from_raw(pid as i32), signal).expect("kill");
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

/// The screen's logical lines (wrapped rows joined) written again at a new width.
fn reflow(screen: &vt100::Screen, rows: u16, cols: u16) -> vt100::Parser {
    let (old_rows, old_cols) = screen.size();
    let (cursor_row, cursor_col) = screen.cursor_position();
    // Each logical line's characters, and the cursor's offset in the one that has it.
    let mut lines: Vec<Vec<String>> = vec![Vec::new()];
    let mut cursor = (0, 0);
    for row in 0..old_rows.get() {
        let index = lines.len() - 1;
        let line = &mut lines[index];
        let mut cells: Vec<String> = (0..old_cols.get())
            .map(|col| match screen.cell(row, col).map(|c| c.contents()) {
                Some(text) if !text.is_empty() => text.to_string(),
                _ => " ".to_string(),
            })
            .collect();
        let wrapped = screen.row_wrapped(row);
        if !wrapped {
            // A line's own end: blanks after its text are not part of it.
            let used = cells.iter().rposition(|c| c != " ").map_or(0, |i| i + 1);
            cells.truncate(used);
        }
        if row == cursor_row {
            cursor = (index, line.len() + usize::from(cursor_col));
        }
        line.extend(cells);
        if !wrapped {
            lines.push(Vec::new());
        }
    }
    // Empty lines below the cursor are not content: they would only push the top away.
    while lines.len() > cursor.0 + 1 && lines.last().is_some_and(Vec::is_empty) {
        lines.pop();
    }
    let mut parser = vt100::Parser::new(nonzero(rows), nonzero(cols), 1000);
    let width = usize::from(cols);
    let rows_of = |line: &Vec<String>| line.len().max(1).div_ceil(width);
    for (i, line) in lines.iter().enumerate() {
        if i > 0 {
            parser.process(b"\r\n");
        }
        parser.process(line.concat().as_bytes());
    }
    // Where the cursor's character is now, counted from the top of what was written.
    let above: usize = lines[..cursor.0].iter().map(rows_of).sum();
    let row = above + cursor.1 / width;
    let written: usize = lines.iter().map(rows_of).sum();
    let scrolled = written.saturating_sub(usize::from(rows));
    let row = row.saturating_sub(scrolled);
    parser.process(format!("\x1b[{};{}H", row + 1, cursor.1 % width + 1).as_bytes());
    parser
}

fn nonzero(n: u16) -> std::num::NonZeroU16 {
    std::num::NonZeroU16::new(n).expect("a terminal has rows and columns")
}

impl Drop for Terminal {
    fn drop(&mut self) {
        let _ = self.child.kill();
    }
}
