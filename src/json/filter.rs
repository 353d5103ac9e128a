//! --jq and /jq: a jq filter, compiled once by jaq, applied to each message received.

use jaq_core::load::{self, Arena, File, Loader};
use jaq_core::{Compiler, Ctx, Native, Vars, data, unwrap_valr};
use jaq_json::Val;

use crate::output::sanitize::escape_text;

/// Outputs kept from one message: a filter such as `repeat(.)` never stops producing.
pub const MAX_OUTPUTS: usize = 10_000;

/// Characters of a runtime error shown: jaq's messages quote the value that failed, which may
/// be the whole message.
const ERROR_CHARS: usize = 200;

type Compiled = jaq_core::compile::Filter<Native<data::JustLut<Val>>>;

/// A compiled filter and the expression it came from.
pub struct Filter {
    code: String,
    compiled: Compiled,
}

impl std::fmt::Debug for Filter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Filter({:?})", self.code)
    }
}

/// What a filter made of one message.
#[derive(Debug, PartialEq)]
pub enum Applied {
    /// The message is not JSON: it is not the filter's to judge.
    NotJson,
    /// Each output as compact JSON (none: `empty` or `select` dropped the message), and the
    /// error that ended the run early, in one line.
    Outputs(Vec<String>, Option<String>),
}

impl Filter {
    /// Compiles `code` with jq's standard library; a bad expression is jaq's message, in one
    /// line.
    pub fn compile(code: &str) -> Result<Filter, String> {
        let defs = jaq_core::defs()
            .chain(jaq_std::defs())
            .chain(jaq_json::defs());
        let funs = jaq_core::funs()
            .chain(jaq_std::funs())
            .chain(jaq_json::funs());
        let arena = Arena::default();
        let modules = Loader::new(defs)
            .load(&arena, File { code, path: () })
            .map_err(|errors| {
                let words: Vec<String> = errors
                    .into_iter()
                    .flat_map(|(_, error)| load_error_words(code, error))
                    .collect();
                words.join("; ")
            })?;
        let compiled = Compiler::default()
            .with_funs(funs)
            .compile(modules)
            .map_err(|errors| {
                let words: Vec<String> = errors
                    .into_iter()
                    .flat_map(|(_, undefined)| undefined)
                    .map(|(name, kind)| match kind {
                        jaq_core::compile::Undefined::Filter(arity) => {
                            format!("undefined filter {name}/{arity}")
                        }
                        jaq_core::compile::Undefined::Var => format!("undefined variable {name}"),
                        kind => format!("undefined {} {name}", kind.as_str()),
                    })
                    .collect();
                words.join("; ")
            })?;
        Ok(Filter {
            code: code.to_string(),
            compiled,
        })
    }

    /// The expression, as given.
    pub fn code(&self) -> &str {
        &self.code
    }

    /// Runs the filter on one text message.
    pub fn apply(&self, text: &str) -> Applied {
        let Ok(input) = jaq_json::read::parse_single(text.as_bytes()) else {
            return Applied::NotJson;
        };
        let ctx = Ctx::<data::JustLut<Val>>::new(&self.compiled.lut, Vars::new([]));
        let mut outputs = Vec::new();
        for output in self
            .compiled
            .id
            .run((ctx, input))
            .map(unwrap_valr)
            .take(MAX_OUTPUTS)
        {
            match output {
                Ok(value) => outputs.push(value.to_string()),
                Err(error) => return Applied::Outputs(outputs, Some(one_line(&error.to_string()))),
            }
        }
        Applied::Outputs(outputs, None)
    }
}

/// A parse error in words, with where it was found: `expected term at the end`, `unexpected
/// "}" at column 4`.
fn load_error_words(code: &str, error: load::Error<&str>) -> Vec<String> {
    let at = |rest: &str| match code.len().saturating_sub(rest.len()) {
        at if at >= code.trim_end().len() => "at the end".to_string(),
        at => format!("at column {}", code[..at].chars().count() + 1),
    };
    match error {
        load::Error::Io(errors) => errors
            .into_iter()
            .map(|(path, why)| format!("cannot load {path}: {why}"))
            .collect(),
        load::Error::Lex(errors) => errors
            .into_iter()
            .map(|(expected, rest)| format!("expected {} {}", expected.as_str(), at(rest)))
            .collect(),
        load::Error::Parse(errors) => errors
            .into_iter()
            .map(|(expected, rest)| format!("expected {} {}", expected.as_str(), at(rest)))
            .collect(),
    }
}

/// A runtime error on one line, escaped for a terminal and cut to a readable length.
fn one_line(error: &str) -> String {
    let line = error.replace('\n', "\\n");
    let line = escape_text(&line);
    match line.char_indices().nth(ERROR_CHARS) {
        Some((cut, _)) => format!("{}…", &line[..cut]),
        None => line.into_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn outputs(code: &str, text: &str) -> Applied {
        Filter::compile(code).unwrap().apply(text)
    }

    fn ok(values: &[&str]) -> Applied {
        Applied::Outputs(values.iter().map(|v| v.to_string()).collect(), None)
    }

    #[test]
    fn outputs_replace_the_message_as_compact_json() {
        let trade = r#"{"type": "trade", "price": 1.5, "tags": ["a", "b"]}"#;
        assert_eq!(
            outputs(".", trade),
            ok(&[r#"{"type":"trade","price":1.5,"tags":["a","b"]}"#])
        );
        assert_eq!(outputs(".price", trade), ok(&["1.5"]));
        assert_eq!(outputs(".tags[]", trade), ok(&[r#""a""#, r#""b""#]));
        assert_eq!(
            outputs(r#"select(.type=="trade") | .type"#, trade),
            ok(&[r#""trade""#])
        );
        assert_eq!(outputs(r#"select(.type=="quote")"#, trade), ok(&[]));
        assert_eq!(outputs("empty", trade), ok(&[]));
        assert_eq!(
            outputs(".tags | map(ascii_upcase)", trade),
            ok(&[r#"["A","B"]"#])
        );
    }

    #[test]
    fn a_message_that_is_not_json_is_not_the_filters() {
        assert_eq!(outputs(".", "hello"), Applied::NotJson);
        assert_eq!(outputs(".", "{\"a\":"), Applied::NotJson);
        assert_eq!(outputs(".", ""), Applied::NotJson);
    }

    #[test]
    fn a_runtime_error_keeps_the_outputs_before_it_and_is_one_line() {
        let applied = outputs(".[] | .a", r#"[{"a":1},3,{"a":2}]"#);
        assert_eq!(
            applied,
            Applied::Outputs(vec!["1".into()], Some("cannot index 3 with \"a\"".into()))
        );
        let Applied::Outputs(_, Some(error)) = outputs("error(\"two\\nlines\\u001b\")", "{}")
        else {
            panic!("no error");
        };
        assert!(
            !error.contains('\n') && !error.contains('\u{1b}'),
            "{error}"
        );
        let Applied::Outputs(_, Some(error)) =
            outputs(".a.b", &format!("{{\"a\":\"{}\"}}", "x".repeat(1000)))
        else {
            panic!("no error");
        };
        assert_eq!(error.chars().count(), ERROR_CHARS + 1, "{error}");
    }

    #[test]
    fn an_endless_filter_is_cut_at_max_outputs() {
        let Applied::Outputs(values, None) = outputs("repeat(1)", "0") else {
            panic!("not outputs");
        };
        assert_eq!(values.len(), MAX_OUTPUTS);
    }

    #[test]
    fn bad_expressions_are_jaqs_words_on_one_line() {
        assert_eq!(
            Filter::compile(".a +").unwrap_err(),
            "expected term at the end"
        );
        assert_eq!(
            Filter::compile("foo(1)").unwrap_err(),
            "undefined filter foo/1"
        );
        assert_eq!(
            Filter::compile(".a | $x").unwrap_err(),
            "undefined variable $x"
        );
        let unclosed = Filter::compile("[.a").unwrap_err();
        assert!(
            unclosed.starts_with("expected closing bracket"),
            "{unclosed}"
        );
        let stray = Filter::compile(".a }").unwrap_err();
        assert!(stray.contains("column 4"), "{stray}");
        assert_eq!(Filter::compile(".a").unwrap().code(), ".a");
    }
}
