//! Keeps rustyline's redraw after the terminal is widened from erasing lines above the prompt.
//!
//! rustyline redraws its line by moving up as many rows as the prompt and line took at the
//! width it last drew them at, clearing each. Most terminals (VTE, kitty, iTerm2, Windows
//! Terminal, tmux) reflow a wrapped line when the window is widened, so the line takes fewer rows
//! and the cursor moves up with it: the rows rustyline clears above it are then the messages
//! printed above the prompt, lost from the screen and the scrollback.
//!
//! rustyline asks its `Hinter` for a hint right before it redraws, also after a resize. That
//! call is the one place where wsc runs on the REPL thread before the clearing: there, when the
//! terminal has become wider, the cursor is moved down by the rows the reflow took away, so that
//! rustyline's clearing ends at the prompt's first row. A terminal that does not reflow (xterm)
//! keeps the old rows: then the clearing ends below them and they stay on screen as a fragment
//! of the line, never over a message.
//!
//! A terminal joins only the rows it wrapped itself. rustyline draws a typed character alone
//! when it fits on the row, and ends a row that its text fills exactly with a newline of its
//! own: a line typed across the margin would be two lines to the terminal. The hint returned is
//! therefore never empty but takes no room (a colour reset), which makes rustyline draw the
//! whole line at each change, in one piece the terminal wraps itself.

use std::cell::Cell;
use std::io::Write;

use rustyline::Context;
use rustyline::completion::Completer;
use rustyline::highlight::Highlighter;
use rustyline::hint::Hinter;
use rustyline::validate::Validator;
use unicode_width::UnicodeWidthChar;

/// rustyline's default tab stop.
const TAB_STOP: usize = 8;

/// The REPL's rustyline helper: no hints or highlighting, only the watch on the terminal's
/// width, and with --jsonrpc the completion of method names.
pub struct Helper {
    prompt: &'static str,
    /// The width rustyline last drew at (0: not known yet).
    cols: Cell<u16>,
    /// --jsonrpc: the methods seen, for Tab.
    calls: Option<crate::jsonrpc::Calls>,
}

impl Helper {
    pub fn new(prompt: &'static str, calls: Option<crate::jsonrpc::Calls>) -> Helper {
        Helper {
            prompt,
            cols: Cell::new(0),
            calls,
        }
    }

    /// The prompt drawn from now on (it changes with /jq).
    pub fn set_prompt(&mut self, prompt: &'static str) {
        self.prompt = prompt;
    }

    /// Called before each redraw (and each change of the line); moves the cursor when the
    /// terminal has been widened.
    fn before_redraw(&self, line: &str, pos: usize) {
        let Some((terminal_size::Width(cols), _)) =
            terminal_size::terminal_size_of(std::io::stdout())
        else {
            return;
        };
        if let Some(moves) = self.moves_at(cols, line, pos) {
            let mut out = std::io::stdout().lock();
            let _ = out.write_all(moves.as_bytes()).and_then(|()| out.flush());
        }
    }

    /// Notes that rustyline now draws at `cols` columns, and says what to write first when that
    /// is wider than last time (nothing the first time: the old width is not known).
    fn moves_at(&self, cols: u16, line: &str, pos: usize) -> Option<String> {
        let old = self.cols.replace(cols);
        if old == 0 {
            return None;
        }
        moves_after_widening(self.prompt, line, pos, old, cols)
    }
}

/// What to write before rustyline redraws `prompt` + `line` (cursor at byte `pos`) drawn at
/// `old` columns, now that the terminal has `new`: newlines down to the row where rustyline
/// believes the line ends (scrolling if that is below the screen, so that its own move down is
/// not stopped short), then up to where it believes the cursor is. None when nothing is needed.
pub fn moves_after_widening(
    prompt: &str,
    line: &str,
    pos: usize,
    old: u16,
    new: u16,
) -> Option<String> {
    if new <= old || pos > line.len() || !line.is_char_boundary(pos) {
        return None;
    }
    let (old_cursor, old_end) = rows(prompt, line, pos, old);
    let (new_cursor, _) = rows(prompt, line, pos, new);
    // A text that filled its last row exactly was ended by rustyline's own newline: the terminal
    // keeps the row the cursor is on, after it, as a line of its own.
    let text = format!("{prompt}{line}");
    let new_cursor = match position(&text, (0, 0), usize::from(old)) {
        (row, 0) if row > 0 && pos == line.len() => match position(&text, (0, 0), usize::from(new))
        {
            (row, 0) => row,
            (row, _) => row + 1,
        },
        _ => new_cursor,
    };
    // Rows the reflow took away above the cursor.
    let lost = old_cursor
        .checked_sub(new_cursor)
        .filter(|&rows| rows > 0)?;
    let below = old_end - old_cursor;
    let mut moves = "\n".repeat(lost + below);
    if below > 0 {
        moves.push_str(&format!("\x1b[{below}A"));
    }
    Some(moves)
}

/// The rows of the cursor and of the end of `prompt` + `line` at `cols` columns, counted from
/// the prompt's row, by rustyline's rule (`calculate_position` and `compute_layout`).
fn rows(prompt: &str, line: &str, pos: usize, cols: u16) -> (usize, usize) {
    let cols = usize::from(cols.max(1));
    let start = position(prompt, (0, 0), cols);
    let cursor = position(&line[..pos], start, cols);
    let end = if pos == line.len() {
        cursor
    } else {
        position(&line[pos..], cursor, cols)
    };
    (cursor.0, end.0)
}

/// Where `text` written from `(row, col)` leaves the cursor: rustyline wraps a character that
/// does not fit whole, and a text that ends at the margin ends at the next row's start. Escape
/// sequences take no room.
fn position(text: &str, (mut row, mut col): (usize, usize), cols: usize) -> (usize, usize) {
    let mut escape = Escape::None;
    for c in text.chars() {
        let width = match (escape, c) {
            (_, '\n') => {
                row += 1;
                col = 0;
                continue;
            }
            (Escape::None, '\x1b') => {
                escape = Escape::Started;
                0
            }
            (Escape::Started, '[') => {
                escape = Escape::Csi;
                0
            }
            (Escape::Csi, ';' | '0'..='9') => 0,
            (Escape::Started | Escape::Csi, _) => {
                escape = Escape::None;
                0
            }
            (Escape::None, '\t') => TAB_STOP - col % TAB_STOP,
            (Escape::None, c) => c.width().unwrap_or(0),
        };
        col += width;
        if col > cols {
            row += 1;
            col = width;
        }
    }
    if col == cols {
        (row + 1, 0)
    } else {
        (row, col)
    }
}

/// How far into an escape sequence rustyline's width count is (it counts them as it does).
#[derive(Clone, Copy)]
enum Escape {
    None,
    Started,
    Csi,
}

impl rustyline::Helper for Helper {}

impl Hinter for Helper {
    type Hint = Invisible;

    fn hint(&self, line: &str, pos: usize, _: &Context<'_>) -> Option<Invisible> {
        self.before_redraw(line, pos);
        Some(Invisible)
    }
}

/// A hint that shows nothing and completes nothing (see the module's comment).
pub struct Invisible;

impl rustyline::hint::Hint for Invisible {
    fn display(&self) -> &str {
        // rustyline counts an escape sequence as taking no room, as the terminal does.
        "\x1b[m"
    }

    fn completion(&self) -> Option<&str> {
        None
    }
}

impl Completer for Helper {
    type Candidate = String;

    fn complete(
        &self,
        line: &str,
        pos: usize,
        _: &Context<'_>,
    ) -> rustyline::Result<(usize, Vec<String>)> {
        Ok(match &self.calls {
            Some(calls) => calls.complete(line, pos),
            None => (pos, Vec::new()),
        })
    }
}

impl Highlighter for Helper {}

impl Validator for Helper {}

#[cfg(test)]
mod tests {
    use super::*;

    const LONG: &str = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJ"; // 46

    #[test]
    fn rows_follow_rustyline_wrapping() {
        // "> " and 46 characters: 48 columns.
        assert_eq!(rows("> ", LONG, LONG.len(), 30), (1, 1));
        assert_eq!(rows("> ", LONG, 0, 30), (0, 1));
        assert_eq!(rows("> ", LONG, LONG.len(), 100), (0, 0));
        assert_eq!(rows("> ", LONG, LONG.len(), 20), (2, 2));
        // Ending at the margin is ending at the next row's start.
        assert_eq!(rows("> ", &LONG[..28], 28, 30), (1, 1));
        // A wide character that does not fit goes whole to the next row.
        assert_eq!(rows("> ", "abc表", 6, 5), (1, 1));
        // Newlines (a pasted line) and escape sequences.
        assert_eq!(rows("> ", "ab\ncd", 5, 80), (1, 1));
        assert_eq!(rows("> ", "\x1b[31mab", 7, 4), (1, 1));
    }

    #[test]
    fn widening_moves_down_by_the_rows_the_reflow_took_away() {
        // Two rows at 30, one at 100, the cursor at the end: one newline, no move up.
        assert_eq!(
            moves_after_widening("> ", LONG, LONG.len(), 30, 100).as_deref(),
            Some("\n")
        );
        // Three rows at 20, the cursor on the second: down to the end, back up one.
        assert_eq!(
            moves_after_widening("> ", LONG, 20, 20, 100).as_deref(),
            Some("\n\n\x1b[1A")
        );
        // Three rows at 20, two at 30.
        assert_eq!(
            moves_after_widening("> ", LONG, LONG.len(), 20, 30).as_deref(),
            Some("\n")
        );
        // A text that filled its row exactly: the cursor's row stays a row of its own.
        assert_eq!(moves_after_widening("> ", &LONG[..28], 28, 30, 100), None);
        assert_eq!(
            moves_after_widening("> ", &LONG[..38], 38, 20, 100).as_deref(),
            Some("\n")
        );
    }

    #[test]
    fn a_tab_moves_to_the_next_tab_stop() {
        assert_eq!(position("> a\tb", (0, 0), 80), (0, 9));
        assert_eq!(position("\tb", (0, 0), 80), (0, 9));
        assert_eq!(position("> a\t", (0, 0), 8), (1, 0));
    }

    #[test]
    fn the_width_is_watched_from_draw_to_draw_with_the_prompt_set_last() {
        const WIDE_PROMPT: &str = "a prompt forty columns wide, as /jq's > ";
        let mut helper = Helper::new("> ", None);
        // The first draw only notes the width.
        assert_eq!(helper.moves_at(30, LONG, 0), None);
        // "> " fits on the first row at 30: widening takes no row away above the cursor.
        assert_eq!(helper.moves_at(100, LONG, 0), None);
        helper.set_prompt(WIDE_PROMPT);
        assert_eq!(helper.moves_at(30, LONG, 0), None);
        // The cursor after 40 columns of prompt was on the second row of three.
        assert_eq!(
            helper.moves_at(100, LONG, 0).as_deref(),
            Some("\n\n\x1b[1A")
        );
    }

    #[test]
    fn a_text_filling_its_rows_exactly_counts_from_the_cursor_when_it_is_inside() {
        // 60 columns, two full rows at 30; the cursor at column 42, on the second row.
        let line = &format!("{LONG}{}", &LONG[..12]);
        assert_eq!(
            moves_after_widening("> ", line, 40, 30, 100).as_deref(),
            Some("\n\n\x1b[1A")
        );
    }

    #[test]
    fn the_invisible_hint_completes_nothing() {
        // rustyline inserts a hint's completion on Right at the end of the line.
        assert_eq!(rustyline::hint::Hint::completion(&Invisible), None);
    }

    #[test]
    fn without_jsonrpc_tab_offers_nothing_and_replaces_nothing() {
        let history = rustyline::history::MemHistory::new();
        let context = Context::new(&history);
        let helper = Helper::new("> ", None);
        let (start, candidates) = helper.complete("{\"a\"", 4, &context).unwrap();
        assert_eq!((start, candidates), (4, Vec::<String>::new()));
    }

    #[test]
    fn nothing_to_do_unless_wider_with_fewer_rows_above_the_cursor() {
        assert_eq!(moves_after_widening("> ", LONG, LONG.len(), 100, 30), None);
        assert_eq!(moves_after_widening("> ", LONG, LONG.len(), 30, 30), None);
        assert_eq!(moves_after_widening("> ", "short", 5, 30, 100), None);
        // The cursor on the first row stays there.
        assert_eq!(moves_after_widening("> ", LONG, 3, 30, 100), None);
        assert_eq!(moves_after_widening("> ", "é", 1, 30, 100), None);
    }
}
