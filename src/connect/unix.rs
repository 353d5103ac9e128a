//! Unix sockets: `--unix-socket PATH`, `--abstract-unix-socket NAME` (Linux) and wscat's
//! `ws+unix:///run/app.sock:/path`. The URL still gives the Host header, the request path and
//! whether TLS is spoken; no name is looked up and no proxy applies.

use std::fmt;
use std::os::unix::ffi::OsStringExt;
use std::path::PathBuf;

use tokio::net::UnixStream;
use url::Url;

use super::{Laps, Stage, Stream};
use crate::error::{Failure, io_words};
use crate::verbose::Verbose;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UnixSocket {
    Path(PathBuf),
    /// A Linux abstract socket's name, without the leading NUL (or the `@` ss shows).
    Abstract(String),
}

impl fmt::Display for UnixSocket {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            UnixSocket::Path(path) => write!(f, "unix socket {}", path.display()),
            UnixSocket::Abstract(name) => write!(f, "abstract unix socket @{name}"),
        }
    }
}

/// Connects to the socket; a missing or refusing one is status 3, naming it.
pub(super) async fn connect(
    socket: &UnixSocket,
    stage: &mut Stage,
    laps: &mut Laps,
    verbose: &Verbose,
) -> Result<Stream, Failure> {
    *stage = Stage::Tcp;
    verbose.note(&format!("via {socket}"));
    let connected = match socket {
        UnixSocket::Path(path) => UnixStream::connect(path).await,
        UnixSocket::Abstract(name) => connect_abstract(name).await,
    };
    let stream = connected
        .map_err(|e| Failure::Connect(format!("cannot connect to {socket}: {}", io_words(&e))))?;
    laps.lap("connect");
    Ok(Stream::Other(Box::new(stream)))
}

/// tokio reads a path that starts with a NUL as an abstract name.
#[cfg(any(target_os = "linux", target_os = "android"))]
async fn connect_abstract(name: &str) -> std::io::Result<UnixStream> {
    UnixStream::connect(format!("\0{name}")).await
}

#[cfg(not(any(target_os = "linux", target_os = "android")))]
async fn connect_abstract(_name: &str) -> std::io::Result<UnixStream> {
    Err(std::io::Error::other(
        "abstract unix sockets exist on Linux only",
    ))
}

/// The socket the flags or the URL name: at most one of them (clap refuses both flags).
pub fn from_flags(
    path: Option<PathBuf>,
    abstract_name: Option<String>,
    from_url: Option<PathBuf>,
) -> Result<Option<UnixSocket>, Failure> {
    let usage = |words: &str| Err(Failure::Usage(words.to_string()));
    if from_url.is_some() && (path.is_some() || abstract_name.is_some()) {
        return usage(
            "a ws+unix:// URL names its socket: --unix-socket and --abstract-unix-socket take a \
             ws:// or wss:// URL",
        );
    }
    if let Some(path) = path.or(from_url) {
        if path.as_os_str().is_empty() {
            return usage("--unix-socket needs a path");
        }
        return Ok(Some(UnixSocket::Path(path)));
    }
    match abstract_name {
        None => Ok(None),
        Some(name) if name.is_empty() => usage("--abstract-unix-socket needs a name"),
        Some(_) if cfg!(not(any(target_os = "linux", target_os = "android"))) => {
            usage("--abstract-unix-socket works on Linux only")
        }
        Some(name) => Ok(Some(UnixSocket::Abstract(name))),
    }
}

/// wscat's `ws+unix:///run/app.sock:/path?query`: the socket path (percent-decoded) up to the
/// first `:`, the request path after it (`/` if none), as the URL `ws://localhost/path?query`
/// (Host: localhost, as wscat sends). None when `input` is not such a URL.
pub fn parse_ws_unix(input: &str) -> Result<Option<(Url, PathBuf)>, Failure> {
    let input = input.trim();
    let scheme = input.split_once(':').map(|(scheme, _)| scheme);
    let invalid = |why: &str| Err(Failure::Usage(format!("invalid URL '{input}': {why}")));
    match scheme.map(str::to_ascii_lowercase).as_deref() {
        Some("ws+unix") => {}
        Some("wss+unix") => {
            return invalid(
                "there is no wss+unix:// (for TLS over a unix socket, give a wss:// URL and \
                 --unix-socket PATH)",
            );
        }
        _ => return Ok(None),
    }
    let url = match Url::parse(input) {
        Ok(url) => url,
        Err(e) => return invalid(&e.to_string()),
    };
    if url.host_str().is_some_and(|host| !host.is_empty()) {
        return invalid("a ws+unix URL has no host (write ws+unix:///path/to.sock:/request)");
    }
    let (socket, path) = match url.path().split_once(':') {
        Some((socket, path)) => (socket, path),
        None => (url.path(), ""),
    };
    // `ws+unix:///:/p` names no socket either: `/` is the root directory.
    if socket.trim_end_matches('/').is_empty() {
        return invalid("no socket path (write ws+unix:///path/to.sock:/request)");
    }
    let bytes: Vec<u8> = percent_encoding::percent_decode_str(socket).collect();
    let socket = PathBuf::from(std::ffi::OsString::from_vec(bytes));
    let slash = if path.starts_with('/') { "" } else { "/" };
    let mut target = match Url::parse(&format!("ws://localhost{slash}{path}")) {
        Ok(target) => target,
        Err(e) => return invalid(&e.to_string()),
    };
    target.set_query(url.query());
    Ok(Some((target, socket)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parsed(input: &str) -> Result<Option<(String, String)>, Failure> {
        parse_ws_unix(input)
            .map(|found| found.map(|(url, socket)| (url.to_string(), socket.display().to_string())))
    }

    #[test]
    fn ws_unix_urls_split_at_the_first_colon_after_the_socket_path() {
        let table = [
            (
                "ws+unix:///run/app.sock:/chat?room=1",
                ("ws://localhost/chat?room=1", "/run/app.sock"),
            ),
            (
                "ws+unix:///run/app.sock",
                ("ws://localhost/", "/run/app.sock"),
            ),
            (
                "WS+UNIX:///a%20b.sock:/x:y",
                ("ws://localhost/x:y", "/a b.sock"),
            ),
            ("ws+unix:rel.sock:/p", ("ws://localhost/p", "rel.sock")),
            ("ws+unix:///s:p", ("ws://localhost/p", "/s")),
            ("ws+unix:///s:/p#frag", ("ws://localhost/p", "/s")),
        ];
        for (input, (url, socket)) in table {
            assert_eq!(
                parsed(input).unwrap(),
                Some((url.to_string(), socket.to_string())),
                "{input}"
            );
        }
        assert_eq!(parsed("ws://h/").unwrap(), None);
        assert_eq!(parsed("localhost:9000").unwrap(), None);
    }

    #[test]
    fn bad_ws_unix_urls_are_usage_errors_in_words() {
        for (input, words) in [
            ("ws+unix://host/s.sock:/p", "has no host"),
            ("ws+unix://", "no socket path"),
            ("ws+unix:///:/p", "no socket path"),
            ("wss+unix:///s:/p", "there is no wss+unix://"),
        ] {
            match parsed(input) {
                Err(Failure::Usage(message)) => assert!(
                    message.starts_with(&format!("invalid URL '{input}': "))
                        && message.contains(words),
                    "{input}: {message}"
                ),
                other => panic!("{input}: {other:?}"),
            }
        }
    }

    #[test]
    fn one_socket_at_most() {
        let path = || Some(PathBuf::from("/s"));
        assert_eq!(
            from_flags(path(), None, None).unwrap(),
            Some(UnixSocket::Path("/s".into()))
        );
        assert_eq!(
            from_flags(None, None, path()).unwrap(),
            Some(UnixSocket::Path("/s".into()))
        );
        assert!(matches!(
            from_flags(path(), None, path()),
            Err(Failure::Usage(m)) if m.contains("ws+unix:// URL names its socket")
        ));
        assert!(from_flags(Some(PathBuf::new()), None, None).is_err());
        assert!(from_flags(None, Some(String::new()), None).is_err());
    }
}
