//! With -l: what every client's upgrade request must carry (--auth, --require-header). The
//! listener's policy checks it; here the flags become it, each checked.

use http::HeaderValue;

use super::headers::{parse_credentials, parse_header};
use super::usage;
use crate::cli::Cli;
use crate::error::Failure;

/// What a client's request must carry to be accepted; a request without it is answered 401.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct Required {
    /// --auth/-u: the Basic credentials, USER:PASS as typed.
    pub credentials: Option<String>,
    /// --require-header: each header and its exact value; names as typed, matched in any case.
    pub headers: Vec<(String, HeaderValue)>,
}

/// Secrets stay out of debug output: a Config printed in a test or a panic shows names only.
impl std::fmt::Debug for Required {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let user = self
            .credentials
            .as_deref()
            .map(|c| format!("{}:…", c.split(':').next().unwrap_or_default()));
        let headers: Vec<String> = self
            .headers
            .iter()
            .map(|(name, _)| format!("{name}: …"))
            .collect();
        f.debug_struct("Required")
            .field("credentials", &user)
            .field("headers", &headers)
            .finish()
    }
}

/// The requirements of -l from --auth (or -u) and --require-header; nothing without -l
/// (--require-header is then a usage error, and --auth the client's to send).
pub(super) fn required(cli: &Cli) -> Result<Required, Failure> {
    if cli.listen.is_none() {
        return Ok(Required::default());
    }
    let credentials = cli
        .auth
        .as_deref()
        .or(cli.user.as_deref())
        .map(parse_credentials)
        .transpose()?;
    let headers = cli
        .require_header
        .iter()
        .map(|h| parse_header(h))
        .collect::<Result<Vec<_>, _>>()?;
    // Both would judge the one Authorization header: no request could satisfy two of them.
    if credentials.is_some()
        && headers
            .iter()
            .any(|(name, _)| name.eq_ignore_ascii_case("authorization"))
    {
        return Err(usage(
            "--auth and --require-header 'Authorization: …' both check the Authorization \
             header; give one"
                .into(),
        ));
    }
    Ok(Required {
        credentials,
        headers,
    })
}

#[cfg(test)]
mod tests {
    use super::super::tests::{config_of, usage_error_of};
    use super::Required;

    #[test]
    fn auth_with_listen_is_required_of_clients_and_require_header_is_parsed_as_h() {
        let config = config_of(&[
            "-l",
            "0",
            "--auth",
            "user:pa:ss",
            "--require-header",
            "x-token:  s3cret ",
            "--require-header",
            "Origin: https://app.test",
        ]);
        let required = &config.required;
        assert_eq!(required.credentials.as_deref(), Some("user:pa:ss"));
        let headers: Vec<(&str, &str)> = required
            .headers
            .iter()
            .map(|(n, v)| (n.as_str(), v.to_str().unwrap()))
            .collect();
        assert_eq!(
            headers,
            [("x-token", "s3cret"), ("Origin", "https://app.test")]
        );
        // No secret in debug output.
        let shown = format!("{config:?}");
        assert!(
            !shown.contains("pa:ss") && !shown.contains("s3cret"),
            "{shown}"
        );
        assert!(
            shown.contains("user:…") && shown.contains("x-token: …"),
            "{shown}"
        );
        assert_eq!(
            config_of(&["-l", "0", "-u", "a:b"])
                .required
                .credentials
                .as_deref(),
            Some("a:b")
        );
        assert_eq!(config_of(&["-l", "0"]).required, Required::default());
        // Without -l, --auth is the client's: sent, not required.
        assert_eq!(
            config_of(&["ws://h/", "--auth", "a:b"]).required,
            Required::default()
        );
    }

    #[test]
    fn bad_requirements_are_usage_errors_in_the_words_of_h() {
        assert_eq!(
            usage_error_of(&["-l", "0", "--require-header", "NoColon"]),
            "malformed header 'NoColon' (expected 'Name: value')"
        );
        assert_eq!(
            usage_error_of(&["-l", "0", "--auth", "nocolon"]),
            "credentials must be given as USER:PASS"
        );
        assert!(
            usage_error_of(&[
                "-l",
                "0",
                "-u",
                "a:b",
                "--require-header",
                "authorization: Bearer t"
            ])
            .contains("give one")
        );
    }

    #[test]
    fn require_header_and_unix_sockets_are_usage_errors_where_they_contradict() {
        use clap::Parser;
        let kind = |args: &[&str]| {
            crate::cli::Cli::try_parse_from(std::iter::once("wsc").chain(args.iter().copied()))
                .unwrap_err()
                .kind()
        };
        use clap::error::ErrorKind;
        assert_eq!(
            kind(&["--require-header", "X: y"]),
            ErrorKind::MissingRequiredArgument
        );
        // clap does not see it once a URL is given: the config does.
        for flag in ["--require-header", "--path"] {
            assert_eq!(
                usage_error_of(&["ws://h/", flag, "X: y"]),
                format!("{flag} works with -l only (it checks the requests wsc gets as a server)")
            );
        }
        assert_eq!(
            kind(&["-l", "0", "--unix-socket", "/s"]),
            ErrorKind::ArgumentConflict
        );
        assert_eq!(
            kind(&["-l", "0", "--abstract-unix-socket", "s"]),
            ErrorKind::ArgumentConflict
        );
    }
}
