//! JSON that people can read: messages pretty-printed and coloured (pretty.rs, used by the
//! printers), and narrowed by a jq filter (filter.rs, applied by the session before the goals
//! and the printer see a message). `Lens` is what the sessions and the REPL share: the filter,
//! which /jq changes while messages arrive, and the last message, for /last and /save.

pub mod filter;
pub mod pretty;

use std::sync::{Arc, Mutex, MutexGuard};

pub use filter::{Applied, Filter};

use crate::event::Event;

/// The colours of JSON's parts (ANSI SGR sequences), or none.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Palette {
    pub key: &'static str,
    pub string: &'static str,
    pub number: &'static str,
    /// true, false and null.
    pub literal: &'static str,
    pub reset: &'static str,
}

impl Palette {
    pub const NONE: Palette = Palette {
        key: "",
        string: "",
        number: "",
        literal: "",
        reset: "",
    };

    /// jq's choices for keys (bold blue) and strings (green); numbers cyan and literals magenta
    /// so that each kind has its own.
    pub const COLOURS: Palette = Palette {
        key: "\x1b[1;34m",
        string: "\x1b[32m",
        number: "\x1b[36m",
        literal: "\x1b[35m",
        reset: "\x1b[0m",
    };

    pub fn new(colour: bool) -> Palette {
        match colour {
            true => Palette::COLOURS,
            false => Palette::NONE,
        }
    }
}

/// The filter and the last message, shared by the sessions (-l has one per client) and the
/// REPL. Held only by a run that needs it (--jq, or the REPL): without, receiving costs nothing
/// more.
#[derive(Clone)]
pub struct Lens(Arc<Shared>);

struct Shared {
    filter: Mutex<Option<Arc<Filter>>>,
    /// None when nobody can ask for it (no REPL).
    last: Option<Mutex<Option<Event>>>,
}

impl std::fmt::Debug for Lens {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Lens({:?})", self.filter())
    }
}

/// A lock whose holder cannot have left the data half-changed (each use is one assignment or
/// clone), so a poisoned one is as good.
fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

impl Lens {
    pub fn new(filter: Option<Filter>, keep_last: bool) -> Lens {
        Lens(Arc::new(Shared {
            filter: Mutex::new(filter.map(Arc::new)),
            last: keep_last.then(|| Mutex::new(None)),
        }))
    }

    pub fn filter(&self) -> Option<Arc<Filter>> {
        lock(&self.0.filter).clone()
    }

    /// Sets the filter (None clears it) for the messages that arrive from now on.
    pub fn set_filter(&self, filter: Option<Filter>) {
        *lock(&self.0.filter) = filter.map(Arc::new);
    }

    /// Keeps a text or binary message as the last one received (in the REPL).
    pub fn keep(&self, event: &Event) {
        if let Some(last) = &self.0.last {
            // A clone of a reference-counted payload: no copy.
            *lock(last) = Some(event.clone());
        }
    }

    /// The last text or binary message received, as it came (before the filter).
    pub fn last(&self) -> Option<Event> {
        self.0.last.as_ref().and_then(|last| lock(last).clone())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_filter_is_shared_and_can_be_changed_and_cleared() {
        let lens = Lens::new(Some(Filter::compile(".a").unwrap()), true);
        let other = lens.clone();
        assert_eq!(other.filter().unwrap().code(), ".a");
        lens.set_filter(Some(Filter::compile(".b").unwrap()));
        assert_eq!(other.filter().unwrap().code(), ".b");
        lens.set_filter(None);
        assert!(other.filter().is_none());
    }

    #[test]
    fn a_lens_shows_its_filter_when_debugged() {
        let lens = Lens::new(Some(Filter::compile(".a | .b").unwrap()), false);
        assert_eq!(format!("{lens:?}"), r#"Lens(Some(Filter(".a | .b")))"#);
        assert_eq!(format!("{:?}", Lens::new(None, true)), "Lens(None)");
    }

    #[test]
    fn the_last_message_is_kept_only_when_someone_can_ask_for_it() {
        let kept = Lens::new(None, true);
        assert!(kept.last().is_none());
        kept.keep(&Event::Text("one".into()));
        kept.keep(&Event::Binary(vec![1, 2].into()));
        assert!(matches!(kept.last(), Some(Event::Binary(data)) if data[..] == [1, 2]));
        let not_kept = Lens::new(None, false);
        not_kept.keep(&Event::Text("one".into()));
        assert!(not_kept.last().is_none());
    }
}
