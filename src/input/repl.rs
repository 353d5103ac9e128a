//! The REPL: rustyline on a plain thread. Typed lines (or slash commands) become messages on
//! the same channel that pipe input uses; leaving sends Close 1000.

use std::path::PathBuf;

use rustyline::error::ReadlineError;
use rustyline::{
    Cmd, ConditionalEventHandler, DefaultEditor, Event, EventContext, EventHandler,
    ExternalPrinter, KeyEvent, Movement, RepeatCount,
};
use tokio::sync::mpsc;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::protocol::CloseFrame;
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;

use super::Input;
use super::slash::{self, HELP, Line};
use crate::config::Config;
use crate::error::Failure;

/// Entries kept in the history file.
const HISTORY_SIZE: usize = 1000;
const PROMPT: &str = "> ";

/// Starts the REPL thread and returns the printer that shows lines above its prompt.
pub fn start(
    config: &Config,
    tx: mpsc::Sender<Input>,
) -> Result<Box<dyn ExternalPrinter + Send>, Failure> {
    let failed = |e: ReadlineError| Failure::Runtime(format!("cannot start the line editor: {e}"));
    let settings = rustyline::Config::builder()
        .max_history_size(HISTORY_SIZE)
        .map_err(failed)?
        .auto_add_history(false)
        .bracketed_paste(true)
        .build();
    let mut editor = DefaultEditor::with_config(settings).map_err(failed)?;
    editor.bind_sequence(
        KeyEvent::ctrl('C'),
        EventHandler::Conditional(Box::new(ClearLineOrLeave)),
    );
    if let Some(path) = &config.history {
        if let Some(dir) = path.parent() {
            let _ = std::fs::create_dir_all(dir);
        }
        let _ = editor.load_history(path);
    }
    let printer = editor.create_external_printer().map_err(failed)?;
    let repl = Repl {
        editor,
        tx,
        history: config.history.clone(),
        slash: config.slash,
    };
    std::thread::Builder::new()
        .name("repl".into())
        .spawn(move || repl.run())
        .map_err(|e| Failure::Runtime(format!("cannot start the REPL: {e}")))?;
    Ok(Box::new(printer))
}

struct Repl {
    editor: DefaultEditor,
    tx: mpsc::Sender<Input>,
    history: Option<PathBuf>,
    slash: bool,
}

impl Repl {
    fn run(mut self) {
        loop {
            let line = match self.editor.readline(PROMPT) {
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
            let message = match slash::parse(&line, self.slash) {
                Ok(Line::Send(message)) => message,
                Ok(Line::Help) => {
                    println!("{HELP}");
                    continue;
                }
                Ok(Line::Quit) => return self.leave(),
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
