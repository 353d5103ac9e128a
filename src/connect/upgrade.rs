//! The upgrade exchange on an open stream: send the core's request, read the answer's head (and
//! a refusal's body, briefly), and say in words why it failed.

use std::time::Duration;

use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};

use super::route::Via;
use crate::error::{Failure, io_words};
use crate::protocol::handshake::{self, ClientHandshake, Head};
use crate::tls;

/// How much of a refusal's body the error shows.
const BODY_SHOWN: usize = 1024;
/// How long a refusal's body may take to arrive after its head.
const BODY_WAIT: Duration = Duration::from_millis(500);

/// Why the upgrade failed before its answer could be judged.
pub enum UpgradeError {
    /// The connection failed (`Some`) or the server closed it (`None`) before the answer's head
    /// was complete; `partial` when some of the answer had arrived.
    Ended {
        error: Option<std::io::Error>,
        partial: bool,
    },
    Answer(String),
}

impl UpgradeError {
    fn plain(self) -> Failure {
        match self {
            UpgradeError::Ended {
                error: Some(e),
                partial: _,
            } => Failure::Connect(format!(
                "connection failed during the upgrade: {}",
                io_words(&e)
            )),
            UpgradeError::Ended {
                error: None,
                partial: false,
            } => Failure::Handshake(
                "server closed the connection before answering the upgrade".into(),
            ),
            UpgradeError::Ended {
                error: None,
                partial: true,
            } => Failure::Handshake(
                "server closed the connection in the middle of its answer to the upgrade".into(),
            ),
            UpgradeError::Answer(words) => Failure::Handshake(words),
        }
    }

    /// The failure in words, over TLS with `tls`'s peer or not. One before any answer arrived
    /// may be the doing of a proxy the stream went through, so `via` names it.
    pub fn failure(self, tls: Option<tls::Peer>, via: &Via) -> Failure {
        let unanswered = matches!(self, UpgradeError::Ended { partial: false, .. });
        let failure = match tls {
            Some(peer) => self.over_tls(peer),
            None => self.plain(),
        };
        match unanswered {
            true => via.named(failure),
            false => failure,
        }
    }

    /// Over TLS 1.3, the server's verdict on our certificate (or its absence) comes only after
    /// the handshake, as an alert or just a closed connection, before any of the answer.
    fn over_tls(self, peer: tls::Peer) -> Failure {
        match &self {
            UpgradeError::Ended {
                error,
                partial: false,
            } => tls::failure_after_handshake(error.as_ref(), peer).unwrap_or_else(|| self.plain()),
            _ => self.plain(),
        }
    }
}

/// Sends the request and reads the answer's head; a refusal's body follows it in the buffer,
/// as far as it arrives soon. Returns the head and the bytes after it.
pub async fn upgrade<S: AsyncRead + AsyncWrite + Unpin>(
    stream: &mut S,
    handshake: &ClientHandshake,
) -> Result<(Head, Vec<u8>), UpgradeError> {
    let failed = |error, partial| UpgradeError::Ended {
        error: Some(error),
        partial,
    };
    stream
        .write_all(&handshake.request)
        .await
        .map_err(|e| failed(e, false))?;
    stream.flush().await.map_err(|e| failed(e, false))?;
    let mut buffer = Vec::with_capacity(4096);
    let head = loop {
        let partial = !buffer.is_empty();
        let read = stream
            .read_buf(&mut buffer)
            .await
            .map_err(|e| failed(e, partial))?;
        if read == 0 {
            return Err(UpgradeError::Ended {
                error: None,
                partial,
            });
        }
        if let Some(head) = handshake::parse_answer(&buffer).map_err(UpgradeError::Answer)? {
            break head;
        }
    };
    if head.status != 101 {
        read_body(stream, &head, &mut buffer).await;
    }
    Ok((head.clone(), buffer.split_off(head.len)))
}

/// Reads a refusal's body up to what the error shows, its Content-Length, or a short wait.
async fn read_body<S: AsyncRead + Unpin>(stream: &mut S, head: &Head, buffer: &mut Vec<u8>) {
    let length = head
        .get("Content-Length")
        .and_then(|l| l.parse::<usize>().ok())
        .unwrap_or(BODY_SHOWN);
    let wanted = head.len + length.min(BODY_SHOWN);
    let _ = tokio::time::timeout(BODY_WAIT, async {
        while buffer.len() < wanted {
            match stream.read_buf(buffer).await {
                Ok(0) | Err(_) => break,
                Ok(_) => {}
            }
        }
    })
    .await;
}

/// A refused upgrade in words; a non-101 answer shows the start of its body, a redirect where
/// it points instead (relative to `url`; credentials in it are not shown). `following` says -L
/// was given (then only the redirects it does not follow get here).
pub fn refused(
    words: String,
    answer: &Head,
    body: &[u8],
    url: &url::Url,
    following: bool,
) -> Failure {
    if answer.status == 101 {
        return Failure::Handshake(words);
    }
    let location = answer.get("Location").filter(|l| !l.is_empty());
    if let (300..=399, Some(location)) = (answer.status, location) {
        let target = match url.join(&location) {
            Ok(mut target) => {
                let _ = target.set_username("");
                let _ = target.set_password(None);
                target.to_string()
            }
            Err(_) => location,
        };
        let status = format!("{} {}", answer.status, answer.text);
        let status = status.trim_end();
        return Failure::Handshake(if following {
            format!(
                "server answered {status} (Location: {target}); -L follows 301, 302, 303, 307 \
                 and 308 only"
            )
        } else {
            format!("server redirects to {target} ({status}); -L follows redirects")
        });
    }
    let body = String::from_utf8_lossy(&body[..body.len().min(BODY_SHOWN)]);
    let body = body.trim().replace('\r', "").replace('\n', "\\n");
    let words = words.trim_end().to_string();
    let words = if body.is_empty() {
        words
    } else {
        format!("{words}: {body}")
    };
    // Worth trying again later (--reconnect): a server failing or busy, or asking us to slow down.
    match answer.status {
        429 | 500..=599 => Failure::Busy(words, retry_after(answer)),
        _ => Failure::Handshake(words),
    }
}

/// `Retry-After` in seconds (its HTTP-date form is not worth a date parser here: the backoff
/// applies instead).
fn retry_after(answer: &Head) -> Option<std::time::Duration> {
    let seconds: u64 = answer.get("Retry-After")?.trim().parse().ok()?;
    Some(std::time::Duration::from_secs(seconds))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::connect::scripted::Scripted;
    use crate::protocol::handshake::Offer;

    /// The upgrade against a server answering with `chunks`, one per read: the status and the
    /// bytes read after the head.
    async fn answered(chunks: &[&[u8]]) -> (u16, Vec<u8>) {
        let offer = Offer {
            target: "/".into(),
            host: "h".into(),
            ..Offer::default()
        };
        let handshake = ClientHandshake::new(offer, [0; 16]);
        let mut server = Scripted::new(chunks);
        match upgrade(&mut server, &handshake).await {
            Ok((head, rest)) => (head.status, rest),
            Err(_) => panic!("the upgrade failed"),
        }
    }

    #[tokio::test]
    async fn a_refusals_body_arriving_after_its_head_is_read_for_the_error() {
        let head = b"HTTP/1.1 403 Forbidden\r\nContent-Length: 6\r\n\r\n";
        assert_eq!(
            answered(&[head, b"banned"]).await,
            (403, b"banned".to_vec())
        );
    }

    #[tokio::test]
    async fn a_refusals_body_is_read_no_further_than_its_content_length() {
        let head = b"HTTP/1.1 403 Forbidden\r\nContent-Length: 6\r\n\r\n";
        let (_, body) = answered(&[head, b"banned", b"not the body"]).await;
        assert_eq!(body, b"banned");
    }

    fn head(text: &str) -> Head {
        handshake::parse_answer(text.as_bytes()).unwrap().unwrap()
    }

    #[test]
    fn a_busy_or_failing_server_is_worth_trying_again_after_its_retry_after() {
        let url = url::Url::parse("ws://h/").unwrap();
        let refusal = |answer: &str| refused("refused".into(), &head(answer), b"", &url, false);
        assert_eq!(
            refusal("HTTP/1.1 503 Service Unavailable\r\nRetry-After: 7\r\n\r\n"),
            Failure::Busy("refused".into(), Some(Duration::from_secs(7)))
        );
        assert_eq!(
            refusal("HTTP/1.1 429 Too Many Requests\r\n\r\n"),
            Failure::Busy("refused".into(), None),
            "no Retry-After: the backoff decides"
        );
        assert_eq!(
            refusal("HTTP/1.1 403 Forbidden\r\nRetry-After: 7\r\n\r\n"),
            Failure::Handshake("refused".into()),
            "a refusal is final"
        );
    }
}
