//! For tests: a peer that answers from a script, so that where its bytes split between reads is
//! known (a real socket may join or split them as it likes).

use std::collections::VecDeque;
use std::io;
use std::pin::Pin;
use std::task::{Context, Poll};

use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};

/// Answers each read with the next of its chunks (a read with less room than the chunk leaves
/// the rest for the next read), then ends the stream. What is written to it is kept.
pub struct Scripted {
    chunks: VecDeque<Vec<u8>>,
    pub written: Vec<u8>,
}

impl Scripted {
    pub fn new(chunks: &[&[u8]]) -> Scripted {
        Scripted {
            chunks: chunks.iter().map(|chunk| chunk.to_vec()).collect(),
            written: Vec::new(),
        }
    }
}

impl AsyncRead for Scripted {
    fn poll_read(
        self: Pin<&mut Self>,
        _: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let chunks = &mut self.get_mut().chunks;
        if let Some(chunk) = chunks.front_mut() {
            let taken = chunk.len().min(buf.remaining());
            buf.put_slice(&chunk[..taken]);
            chunk.drain(..taken);
            if chunk.is_empty() {
                chunks.pop_front();
            }
        }
        Poll::Ready(Ok(()))
    }
}

impl AsyncWrite for Scripted {
    fn poll_write(
        self: Pin<&mut Self>,
        _: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        self.get_mut().written.extend_from_slice(buf);
        Poll::Ready(Ok(buf.len()))
    }

    fn poll_flush(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<io::Result<()>> {
        Poll::Ready(Ok(()))
    }

    fn poll_shutdown(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<io::Result<()>> {
        Poll::Ready(Ok(()))
    }
}
