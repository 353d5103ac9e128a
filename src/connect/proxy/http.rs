//! HTTP CONNECT (RFC 9110 §9.3.6) as curl sends it: a tunnel to the server's host and port,
//! Basic credentials sent up front. Written here rather than taken from a crate because -v shows
//! the exchange and a refusal is told with its status and reason.

use base64::Engine;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};

use super::Proxy;
use crate::error::{Failure, io_words};
use crate::verbose::Verbose;

/// The most of an answer's head that is read: curl refuses larger ones too.
const HEAD_LIMIT: usize = 16 * 1024;

/// Headers in order, as they went or came.
type Headers = Vec<(String, Vec<u8>)>;

/// Asks the proxy on `stream` for a tunnel to `host`:`port`; on a 2xx the stream is the tunnel.
pub async fn tunnel<S: AsyncRead + AsyncWrite + Unpin>(
    stream: &mut S,
    proxy: &Proxy,
    host: &str,
    port: u16,
    agent: Option<&str>,
    verbose: &Verbose,
) -> Result<(), Failure> {
    let (line, headers) = request(host, port, proxy.credentials.as_ref(), agent);
    verbose.exchange('>', &line, &headers);
    let mut bytes = format!("{line}\r\n").into_bytes();
    for (name, value) in &headers {
        bytes.extend_from_slice(format!("{name}: ").as_bytes());
        bytes.extend_from_slice(value);
        bytes.extend_from_slice(b"\r\n");
    }
    bytes.extend_from_slice(b"\r\n");

    let address = proxy.named_for_errors();
    let lost = |e: std::io::Error| {
        Failure::Connect(format!(
            "connection to proxy {address} failed during CONNECT: {}",
            io_words(&e)
        ))
    };
    stream.write_all(&bytes).await.map_err(lost)?;
    stream.flush().await.map_err(lost)?;

    let mut buffer = Vec::new();
    let mut chunk = [0u8; 4096];
    loop {
        while let Some(answer) = parse(&buffer).map_err(|why| {
            Failure::Connect(format!(
                "proxy {address} answered CONNECT with something that is not HTTP ({why})"
            ))
        })? {
            verbose.exchange('<', &answer.line, &answer.headers);
            buffer.drain(..answer.len);
            match answer.status {
                // Interim answers come before the real one.
                100..=199 => continue,
                200..=299 if buffer.is_empty() => return Ok(()),
                // Nothing may come through the tunnel before wsc has spoken to the server.
                200..=299 => {
                    return Err(Failure::Connect(format!(
                        "proxy {address} sent {} bytes into the tunnel before the server was \
                         spoken to",
                        buffer.len()
                    )));
                }
                _ => return Err(refused(&address, &answer, proxy.credentials.is_some())),
            }
        }
        if buffer.len() >= HEAD_LIMIT {
            return Err(Failure::Connect(format!(
                "proxy {address} answered CONNECT with a head larger than 16 KiB"
            )));
        }
        let wanted = chunk.len().min(HEAD_LIMIT - buffer.len());
        let read = stream.read(&mut chunk[..wanted]).await.map_err(lost)?;
        if read == 0 {
            return Err(Failure::Connect(match buffer.is_empty() {
                true => format!("proxy {address} closed the connection before answering CONNECT"),
                false => format!(
                    "proxy {address} closed the connection in the middle of its answer to CONNECT"
                ),
            }));
        }
        buffer.extend_from_slice(&chunk[..read]);
    }
}

/// The request line and headers: `CONNECT host:port HTTP/1.1` (an IPv6 host in brackets).
fn request(
    host: &str,
    port: u16,
    credentials: Option<&(String, String)>,
    agent: Option<&str>,
) -> (String, Headers) {
    let authority = match host.contains(':') {
        true => format!("[{host}]:{port}"),
        false => format!("{host}:{port}"),
    };
    let mut headers = vec![("Host".to_string(), authority.clone().into_bytes())];
    if let Some((user, pass)) = credentials {
        let token = base64::engine::general_purpose::STANDARD.encode(format!("{user}:{pass}"));
        headers.push((
            "Proxy-Authorization".to_string(),
            format!("Basic {token}").into_bytes(),
        ));
    }
    if let Some(agent) = agent {
        headers.push(("User-Agent".to_string(), agent.as_bytes().to_vec()));
    }
    (format!("CONNECT {authority} HTTP/1.1"), headers)
}

/// A whole answer head.
#[derive(Debug)]
struct Answer {
    /// The status line as -v shows it.
    line: String,
    status: u16,
    reason: String,
    headers: Headers,
    /// The head's length in bytes.
    len: usize,
}

/// The answer head at the start of `buffer`, once it is whole.
fn parse(buffer: &[u8]) -> Result<Option<Answer>, String> {
    let mut headers = [httparse::EMPTY_HEADER; 64];
    let mut response = httparse::Response::new(&mut headers);
    let len = match response.parse(buffer).map_err(|e| e.to_string())? {
        httparse::Status::Complete(len) => len,
        httparse::Status::Partial => return Ok(None),
    };
    let status = response.code.unwrap_or_default();
    let reason = response.reason.unwrap_or_default().trim().to_string();
    let version = response.version.unwrap_or(1);
    Ok(Some(Answer {
        line: format!("HTTP/1.{version} {status} {reason}")
            .trim_end()
            .to_string(),
        status,
        reason,
        headers: response
            .headers
            .iter()
            .map(|h| (h.name.to_string(), h.value.to_vec()))
            .collect(),
        len,
    }))
}

/// A refusal in words: `proxy 127.0.0.1:3128 refused the tunnel: 407 Proxy Authentication
/// Required`, with what to do about a 407.
fn refused(address: &str, answer: &Answer, sent_credentials: bool) -> Failure {
    let status = format!("{} {}", answer.status, answer.reason);
    let hint = match (answer.status, sent_credentials) {
        (407, false) => {
            " (no credentials were sent: put them in the proxy URL or use --proxy-user)"
        }
        (407, true) => " (it did not accept the credentials sent)",
        _ => "",
    };
    Failure::Connect(format!(
        "proxy {address} refused the tunnel: {}{hint}",
        status.trim_end()
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::TlsSettings;
    use crate::connect::proxy::env::Source;
    use crate::connect::scripted::Scripted;

    /// CONNECT through a proxy at p:1 that answers with `chunks`, one per read.
    async fn through(chunks: &[&[u8]]) -> Result<(), Failure> {
        let proxy = Proxy::parse("http://p:1", Source::Flag, None, TlsSettings::default()).unwrap();
        let mut stream = Scripted::new(chunks);
        let quiet = Verbose::new(0, false, false);
        tunnel(&mut stream, &proxy, "h", 2, None, &quiet).await
    }

    /// An answer whose head is `len` bytes long, made up by a filler header.
    fn answer_of(len: usize) -> Vec<u8> {
        let bare = "HTTP/1.1 200 OK\r\nX-Filler: \r\n\r\n";
        let filler = "a".repeat(len - bare.len());
        format!("HTTP/1.1 200 OK\r\nX-Filler: {filler}\r\n\r\n").into_bytes()
    }

    #[tokio::test]
    async fn interim_answers_are_passed_over_and_a_2xx_opens_the_tunnel() {
        let answers = b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 Connection established\r\n\r\n";
        assert_eq!(through(&[answers]).await, Ok(()));
    }

    #[tokio::test]
    async fn bytes_behind_the_2xx_are_refused_as_no_server_has_spoken_yet() {
        assert_eq!(
            through(&[b"HTTP/1.1 200 OK\r\n\r\nhello"]).await,
            Err(Failure::Connect(
                "proxy p:1 sent 5 bytes into the tunnel before the server was spoken to".into()
            ))
        );
    }

    #[tokio::test]
    async fn a_head_of_16_kib_is_taken() {
        assert_eq!(through(&[&answer_of(16 * 1024)]).await, Ok(()));
    }

    #[tokio::test]
    async fn a_head_ending_past_16_kib_is_refused_however_the_reads_fall() {
        let answer = answer_of(16 * 1024 + 30);
        // A short first read: the later full ones would end past the limit, not on it.
        let (start, rest) = answer.split_at(100);
        assert_eq!(
            through(&[start, rest]).await,
            Err(Failure::Connect(
                "proxy p:1 answered CONNECT with a head larger than 16 KiB".into()
            ))
        );
    }

    #[test]
    fn the_request_is_curls_with_basic_credentials_and_bracketed_ipv6() {
        let credentials = ("al@ice".to_string(), "s:cret".to_string());
        let (line, headers) = request("localhost", 9001, Some(&credentials), Some("wsc/1"));
        assert_eq!(line, "CONNECT localhost:9001 HTTP/1.1");
        let shown: Vec<(&str, String)> = headers
            .iter()
            .map(|(n, v)| (n.as_str(), String::from_utf8_lossy(v).into_owned()))
            .collect();
        assert_eq!(
            shown,
            [
                ("Host", "localhost:9001".to_string()),
                // base64("al@ice:s:cret")
                (
                    "Proxy-Authorization",
                    "Basic YWxAaWNlOnM6Y3JldA==".to_string()
                ),
                ("User-Agent", "wsc/1".to_string()),
            ]
        );
        let (line, headers) = request("::1", 443, None, None);
        assert_eq!(line, "CONNECT [::1]:443 HTTP/1.1");
        assert_eq!(headers.len(), 1);
    }

    #[test]
    fn answers_are_read_whole_and_refusals_told_in_words() {
        assert!(
            parse(b"HTTP/1.1 200 Connection established\r\n")
                .unwrap()
                .is_none()
        );
        let answer = parse(b"HTTP/1.0 200 OK\r\nVia: p\r\n\r\nextra")
            .unwrap()
            .unwrap();
        assert_eq!((answer.line.as_str(), answer.len), ("HTTP/1.0 200 OK", 27));
        assert!(parse(b"SSH-2.0-OpenSSH\r\n\r\n").is_err());
        let answer = parse(b"HTTP/1.1 407 Proxy Authentication Required\r\n\r\n")
            .unwrap()
            .unwrap();
        assert_eq!(
            refused("p:1", &answer, false).to_string(),
            "proxy p:1 refused the tunnel: 407 Proxy Authentication Required (no credentials \
             were sent: put them in the proxy URL or use --proxy-user)"
        );
        let answer = parse(b"HTTP/1.1 403\r\n\r\n").unwrap().unwrap();
        assert_eq!(
            refused("p:1", &answer, true).to_string(),
            "proxy p:1 refused the tunnel: 403"
        );
    }
}
