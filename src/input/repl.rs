//! The REPL: rustyline on a plain thread. Typed lines (or slash commands) become messages on
//! the same channel that pipe input uses; leaving sends Close 1000.

use std::path::{Path, PathBuf};

use rustyline::error::ReadlineError;
use rustyline::history::DefaultHistory;
use rustyline::{
    Cmd, ConditionalEventHandler, Editor, Event, EventContext, EventHandler, ExternalPrinter,
    KeyCode, KeyEvent, Modifiers, Movement, RepeatCount,
};
use tokio::sync::mpsc;
use tungstenite::Message;
use tungstenite::protocol::CloseFrame;
use tungstenite::protocol::frame::coding::CloseCode;

use super::reflow::Helper;
use super::slash::{self, Line};
use super::{Input, jsonl, looking};
use crate::config::{Config, InputFormat};
use crate::error::{Failure, io_words};
use crate::json::Lens;
use crate::jsonrpc::Calls;
use crate::output::{LastLine, Prompt, Shape};

/// Entries kept in the history file.
const HISTORY_SIZE: usize = 1000;
const PROMPT: &str = "> ";
/// The prompt while a jq filter narrows what is shown.
const FILTERED_PROMPT: &str = "jq> ";

/// Sets up the line editor. Returns the REPL (its prompt starts with `Repl::spawn`), the screen
/// that shows lines above the prompt, and what ends the REPL once the session is over. With
/// --jsonrpc's `calls`, typed lines are requests and Tab completes method names.
pub fn prepare(
    config: &Config,
    calls: Option<Calls>,
    tx: mpsc::Sender<Input>,
) -> Result<(Repl, Prompt, Ending), Failure> {
    let failed = |e: ReadlineError| Failure::Runtime(format!("cannot start the line editor: {e}"));
    let settings = rustyline::Config::builder()
        .max_history_size(HISTORY_SIZE)
        .map_err(failed)?
        .auto_add_history(false)
        .bracketed_paste(true)
        // As bash does: Tab completes what all candidates share, a second Tab lists them.
        .completion_type(rustyline::CompletionType::List)
        .build();
    let mut editor: Editor<Helper, DefaultHistory> =
        Editor::with_config(settings).map_err(failed)?;
    // Watches the terminal's width, so that widening it erases nothing above the prompt; with
    // --jsonrpc, completes method names.
    editor.set_helper(Some(Helper::new(PROMPT, calls.clone())));
    if calls.is_none() {
        // Tab completes nothing (with a helper it would beep).
        editor.bind_sequence(KeyEvent(KeyCode::Tab, Modifiers::NONE), Cmd::Noop);
    }
    editor.bind_sequence(
        KeyEvent::ctrl('C'),
        EventHandler::Conditional(Box::new(ClearLineOrLeave)),
    );
    // Ctrl-End, as in most editors; `Ending` types it too.
    editor.bind_sequence(
        KeyEvent(KeyCode::End, Modifiers::CTRL),
        Cmd::Move(Movement::EndOfBuffer),
    );
    let mut history = config.history.clone();
    if let Some(path) = &config.history {
        // Said once, at the start, rather than failing silently at every line.
        if let Err(e) = check_writable(path) {
            eprintln!(
                "wsc: warning: cannot write history file '{}': {}; history will not be saved",
                path.display(),
                io_words(&e)
            );
            history = None;
        }
        // A history that cannot be written can still be read.
        let _ = editor.load_history(path);
    }
    let printer = Box::new(editor.create_external_printer().map_err(failed)?);
    let (finished, ended) = std::sync::mpsc::channel();
    let (last, last_lines) = std::sync::mpsc::channel();
    // A second handle on the printer's queue.
    let queue = Box::new(editor.create_external_printer().map_err(failed)?);
    let repl = Repl {
        editor,
        tx,
        history,
        slash: config.slash,
        listening: config.many_clients(),
        format: config.input,
        calls,
        lens: config.reading.lens.clone(),
        shape: Shape::for_people(config),
        finished,
    };
    let ending = Ending {
        queue,
        ended,
        last_lines,
    };
    Ok((repl, Prompt { printer, last }, ending))
}

/// Ends the REPL after the session: rustyline first shows every line it was given, then stops
/// drawing, so the last lines (close, stats, error) and the shell's prompt that follow are not
/// cleared by a late redraw, and no prompt is drawn under them.
pub struct Ending {
    queue: Box<dyn ExternalPrinter + Send>,
    ended: std::sync::mpsc::Receiver<()>,
    last_lines: std::sync::mpsc::Receiver<LastLine>,
}

/// Moves the cursor up a row and back down: queued like a line, it shows nothing.
const INVISIBLE_LINE: &str = "\x1b[A\n";

/// What readline reads last: Ctrl-End, so that the line it leaves on screen is whole (the part
/// after the cursor is not cut by the newline rustyline writes when it returns), then the end of
/// input.
const LAST_KEYS: &[u8] = b"\x1b[1;5F";

impl Ending {
    /// Stops rustyline and returns the lines that wait for the prompt to be gone. Each wait is
    /// bounded by `limit`, in case rustyline is not reading.
    pub fn end(self, limit: std::time::Duration) -> Vec<LastLine> {
        use std::sync::mpsc::channel;
        let Ending {
            mut queue,
            ended,
            last_lines,
        } = self;
        let (taken, after_taken) = channel();
        let (stdin_closed, after_close) = channel::<()>();
        let wake = move || {
            // rustyline's queue holds one line: this one is accepted only once every line before
            // it has been taken, and rustyline prints each line it takes before reading again.
            let _ = queue.print(INVISIBLE_LINE.into());
            let _ = taken.send(());
            // Then wake readline, which may be waiting on the old stdin, to find the new one.
            if after_close.recv().is_ok() {
                let _ = queue.print(INVISIBLE_LINE.into());
            }
        };
        if std::thread::Builder::new().spawn(wake).is_ok() {
            let _ = after_taken.recv_timeout(limit);
            // The last keys, then the end of input, make readline return.
            if let Some(keys) = last_keys() {
                let _ = nix::unistd::dup2_stdin(&keys);
            }
            let _ = stdin_closed.send(());
            // Once the REPL thread is gone, nothing else draws on the screen.
            let _ = ended.recv_timeout(limit);
        }
        last_lines.try_iter().collect()
    }
}

/// A pipe holding `LAST_KEYS`, its writing end closed; /dev/null if a pipe cannot be had.
fn last_keys() -> Option<std::os::fd::OwnedFd> {
    use std::io::Write;
    match nix::unistd::pipe() {
        Ok((read, write)) => {
            // The pipe is empty and its buffer far larger than these few bytes: no blocking.
            let _ = std::fs::File::from(write).write_all(LAST_KEYS);
            Some(read)
        }
        Err(_) => std::fs::File::open("/dev/null").ok().map(Into::into),
    }
}

pub struct Repl {
    editor: Editor<Helper, DefaultHistory>,
    tx: mpsc::Sender<Input>,
    history: Option<PathBuf>,
    slash: bool,
    /// -l with many clients: the listener's commands too.
    listening: bool,
    /// What a typed line is: text, binary (`-b`) or a JSON event (`--jsonl`).
    format: InputFormat,
    /// --jsonrpc: a typed line is a request.
    calls: Option<Calls>,
    /// The filter /jq changes and the last message /last and /save use.
    lens: Option<Lens>,
    /// How messages are shown (/last shows one whole).
    shape: Shape,
    /// Told when the REPL thread ends.
    finished: std::sync::mpsc::Sender<()>,
}

impl Repl {
    /// Shows the prompt and reads lines, on a thread of its own. Call it once what must come
    /// before the prompt (the connected line) is on screen: a line printed while rustyline is
    /// entering raw mode can land on the prompt's row.
    pub fn spawn(self) -> Result<(), Failure> {
        std::thread::Builder::new()
            .name("repl".into())
            .spawn(move || {
                let finished = self.finished.clone();
                self.run();
                let _ = finished.send(());
            })
            .map(drop)
            .map_err(|e| Failure::Runtime(format!("cannot start the REPL: {e}")))
    }

    fn run(mut self) {
        loop {
            let prompt = self.prompt();
            let line = match self.editor.readline(prompt) {
                Ok(line) => line,
                // Ctrl-D, or Ctrl-C on an empty line.
                Err(ReadlineError::Eof | ReadlineError::Interrupted) => return self.leave(),
                Err(e) => {
                    let _ = self
                        .tx
                        .blocking_send(Input::Failed(format!("terminal input failed: {e}")));
                    return;
                }
            };
            self.remember(&line);
            let message = match slash::parse(&line, self.slash, self.listening) {
                Ok(Line::Typed(line)) => match self.typed(line) {
                    Ok(Some(message)) => message,
                    // A blank line or an `open` event in --jsonl: nothing to send.
                    Ok(None) => continue,
                    Err(problem) => {
                        eprintln!("! {problem}");
                        continue;
                    }
                },
                Ok(Line::Send(message)) => message,
                Ok(Line::Help) => {
                    println!("{}", slash::help(self.listening));
                    continue;
                }
                Ok(Line::Order(order)) => {
                    if self.tx.blocking_send(Input::Order(order)).is_err() {
                        return;
                    }
                    continue;
                }
                Ok(Line::Quit) => return self.leave(),
                Ok(Line::Jq(code)) => {
                    self.look(|lens, _| looking::jq(lens, code.as_deref()));
                    continue;
                }
                Ok(Line::Last) => {
                    self.look(looking::last);
                    continue;
                }
                Ok(Line::Save(path)) => {
                    self.look(|lens, _| looking::save(lens, &path));
                    continue;
                }
                Err(problem) => {
                    eprintln!("! {problem}");
                    continue;
                }
            };
            let closing = message.is_close();
            if self.tx.blocking_send(Input::Batch(vec![message])).is_err() || closing {
                return;
            }
        }
    }

    /// `jq> ` while a filter is set, so that nobody wonders where the messages went.
    fn prompt(&mut self) -> &'static str {
        let filtered = self
            .lens
            .as_ref()
            .is_some_and(|lens| lens.filter().is_some());
        let prompt = if filtered { FILTERED_PROMPT } else { PROMPT };
        if let Some(helper) = self.editor.helper_mut() {
            helper.set_prompt(prompt);
        }
        prompt
    }

    /// /jq, /last or /save: its line on stdout, or its problem on stderr.
    fn look(&self, command: impl FnOnce(&Lens, &Shape) -> Result<String, String>) {
        match self.lens.as_ref().map(|lens| command(lens, &self.shape)) {
            Some(Ok(line)) => println!("{line}"),
            Some(Err(problem)) => eprintln!("! {problem}"),
            None => eprintln!("! not available here"),
        }
    }

    /// A typed line as a request (--jsonrpc), or as the input format makes it.
    fn typed(&self, line: String) -> Result<Option<Message>, String> {
        match &self.calls {
            Some(calls) => calls.request_line(&line),
            None => typed(line, self.format),
        }
    }

    fn remember(&mut self, line: &str) {
        if line.trim().is_empty() {
            return;
        }
        let _ = self.editor.add_history_entry(line);
        if let Some(path) = &self.history {
            let _ = self.editor.append_history(path);
        }
    }

    /// Leaving the REPL closes the connection with 1000.
    fn leave(self) {
        let frame = CloseFrame {
            code: CloseCode::Normal,
            reason: "".into(),
        };
        let _ = self
            .tx
            .blocking_send(Input::Batch(vec![Message::Close(Some(frame))]));
    }
}

/// Whether the history file can be written, found out without changing it: an existing file is
/// opened for appending, a missing one is created and removed again.
fn check_writable(path: &Path) -> std::io::Result<()> {
    use std::fs::OpenOptions;
    let made = match path.parent().filter(|dir| !dir.as_os_str().is_empty()) {
        Some(dir) => std::fs::create_dir_all(dir),
        None => Ok(()),
    };
    // A file in the way of the directory says "not a directory" here, not "file exists".
    match OpenOptions::new().append(true).open(path) {
        Ok(_) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            // Missing because its directory could not be made: that is the reason to give.
            made?;
            OpenOptions::new().write(true).create_new(true).open(path)?;
            std::fs::remove_file(path)
        }
        Err(e) => Err(e),
    }
}

/// A typed line as the input format makes it; `None` when it sends nothing.
fn typed(line: String, format: InputFormat) -> Result<Option<Message>, String> {
    match format {
        InputFormat::Text => Ok(Some(Message::text(line))),
        InputFormat::Binary => Ok(Some(Message::binary(line.into_bytes()))),
        // The same objects as `--jsonl` reads from stdin in pipe mode.
        InputFormat::Jsonl => jsonl::parse_line(line.as_bytes()),
    }
}

/// Ctrl-C clears a line that has text, and leaves on an empty one.
struct ClearLineOrLeave;

impl ConditionalEventHandler for ClearLineOrLeave {
    fn handle(&self, _: &Event, _: RepeatCount, _: bool, context: &EventContext) -> Option<Cmd> {
        if context.line().is_empty() {
            None
        } else {
            Some(Cmd::Kill(Movement::WholeLine))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_history_file_is_checked_without_being_changed() {
        let dir = tempfile::tempdir().unwrap();
        let missing = dir.path().join("new/history");
        assert!(check_writable(&missing).is_ok());
        assert!(!missing.exists(), "created by the check");
        let existing = dir.path().join("history");
        std::fs::write(&existing, "#V2\nkept\n").unwrap();
        assert!(check_writable(&existing).is_ok());
        assert_eq!(std::fs::read_to_string(&existing).unwrap(), "#V2\nkept\n");
        // Under a file, and a directory in its place: no way to write either, even as root.
        assert!(check_writable(&existing.join("history")).is_err());
        assert!(check_writable(dir.path()).is_err());
    }

    #[test]
    fn typed_lines_follow_the_input_format() {
        let line = || "{\"type\":\"ping\",\"base64\":\"aGk=\"}".to_string();
        assert_eq!(
            typed(line(), InputFormat::Text),
            Ok(Some(Message::text(line())))
        );
        assert_eq!(
            typed(line(), InputFormat::Binary),
            Ok(Some(Message::binary(line().into_bytes())))
        );
        assert_eq!(
            typed(line(), InputFormat::Jsonl),
            Ok(Some(Message::Ping(b"hi".to_vec().into())))
        );
        assert_eq!(typed(" ".into(), InputFormat::Jsonl), Ok(None));
        assert!(typed("hello".into(), InputFormat::Jsonl).is_err());
    }
}
