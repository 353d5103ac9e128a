//! The REPL's /jq, /last and /save: each answers with the line to show, or the problem.

use crate::event::Event;
use crate::json::{Filter, Lens};
use crate::output::{Shape, sanitize::escape_text};
use crate::words::plural;

/// `/jq EXPR` sets the filter, `/jq` clears it.
pub fn jq(lens: &Lens, code: Option<&str>) -> Result<String, String> {
    match code {
        Some(code) => {
            let filter = Filter::compile(code).map_err(|e| format!("/jq: {e}"))?;
            lens.set_filter(Some(filter));
            Ok(format!("* jq filter set: {}", escape_text(code)))
        }
        None => match lens.filter() {
            Some(_) => {
                lens.set_filter(None);
                Ok("* jq filter cleared".into())
            }
            None => Err("/jq: no filter is set (/jq EXPR sets one)".into()),
        },
    }
}

/// `/last`: the last message as the REPL shows one, but whole (no fold, the full hex dump).
pub fn last(lens: &Lens, shape: &Shape) -> Result<String, String> {
    let event = lens.last().ok_or("/last: no message has arrived yet")?;
    let whole = Shape {
        max_lines: 0,
        max_dump: usize::MAX,
        ..*shape
    };
    crate::output::human_line(&event, &whole, None).ok_or_else(|| "/last: nothing to show".into())
}

/// `/save PATH`: the last message's bytes, as they came, in a file (created or replaced).
pub fn save(lens: &Lens, path: &str) -> Result<String, String> {
    let event = lens.last().ok_or("/save: no message has arrived yet")?;
    let bytes: &[u8] = match &event {
        Event::Text(text) => text.as_bytes(),
        Event::Binary(data) => data,
        _ => return Err("/save: nothing to save".into()),
    };
    std::fs::write(path, bytes).map_err(|e| {
        format!(
            "/save: cannot write '{}': {}",
            escape_text(path),
            crate::error::io_words(&e)
        )
    })?;
    Ok(format!(
        "* saved {} to {}",
        plural(bytes.len() as u64, "byte"),
        escape_text(path)
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::json::Palette;

    fn shape() -> Shape {
        Shape {
            show_ping_pong: false,
            max_dump: 16,
            peer: "server",
            close_is_not_last: false,
            pretty: Some(Palette::NONE),
            max_lines: 2,
        }
    }

    #[test]
    fn jq_sets_and_clears_the_filter_and_refuses_a_bad_one() {
        let lens = Lens::new(None, true);
        assert_eq!(jq(&lens, Some(".a")), Ok("* jq filter set: .a".into()));
        assert_eq!(lens.filter().unwrap().code(), ".a");
        assert_eq!(
            jq(&lens, Some(".a +")),
            Err("/jq: expected term at the end".into())
        );
        assert_eq!(
            lens.filter().unwrap().code(),
            ".a",
            "a bad one changes nothing"
        );
        assert_eq!(jq(&lens, None), Ok("* jq filter cleared".into()));
        assert!(lens.filter().is_none());
        assert!(jq(&lens, None).unwrap_err().contains("no filter is set"));
    }

    #[test]
    fn last_shows_the_message_whole() {
        let lens = Lens::new(None, true);
        assert!(last(&lens, &shape()).unwrap_err().contains("no message"));
        lens.keep(&Event::Text(r#"{"a":1,"b":2,"c":3}"#.into()));
        let shown = last(&lens, &shape()).unwrap();
        // Folded after 2 lines in the stream, all 5 here.
        assert_eq!(shown.split("\r\n").count(), 5, "{shown}");
        assert!(!shown.contains("not shown"), "{shown}");
        lens.keep(&Event::Binary(vec![7; 40].into()));
        let shown = last(&lens, &shape()).unwrap();
        assert_eq!(shown.split("\r\n").count(), 4, "{shown}");
    }

    #[test]
    fn save_writes_the_bytes_as_they_came() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("last.bin");
        let path = path.to_str().unwrap();
        let lens = Lens::new(None, true);
        assert!(save(&lens, path).unwrap_err().contains("no message"));
        lens.keep(&Event::Binary(vec![0, 255, 10].into()));
        assert_eq!(save(&lens, path), Ok(format!("* saved 3 bytes to {path}")));
        assert_eq!(std::fs::read(path).unwrap(), [0, 255, 10]);
        let nowhere = dir.path().join("missing/x");
        let problem = save(&lens, nowhere.to_str().unwrap()).unwrap_err();
        assert!(problem.starts_with("/save: cannot write '") && problem.contains("missing/x"));
    }
}
