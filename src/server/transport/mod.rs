//! Re-frames the client's byte stream before tower-lsp-server reads it, so that one malformed
//! message costs one error response instead of the whole session.
//!
//! Why: tower-lsp-server 0.23 stops reading stdin after the first message it cannot decode
//! (bad JSON, a body that is not JSON-RPC, invalid UTF-8, a missing or wrong `Content-Length`).
//! The process then stays alive but deaf. This adapter passes well-formed messages through
//! unchanged, and turns each malformed one into a `flyte-lsp/invalidMessage` request that the
//! server answers with the JSON-RPC error (`-32700` parse error or `-32600` invalid request),
//! with the message's own id when it has one. Garbage between messages is skipped up to the
//! next `Content-Length` header. It never buffers more than one message (and at most
//! [`MAX_MESSAGE_BYTES`]) plus one read.

use std::io;
use std::pin::Pin;
use std::task::{Context, Poll};

use tokio::io::{AsyncRead, ReadBuf};

mod framer;
pub mod handoff;

pub use framer::{is_message, is_message_exact, Framer};
pub use handoff::{Handoff, DID_OPEN_HANDOFF};

/// The method of the synthetic request that stands for a malformed message.
pub const INVALID_MESSAGE: &str = "flyte-lsp/invalidMessage";

/// Largest message body accepted. A larger one is skipped as it arrives (not buffered) and
/// answered with an error. A 10 MiB document (the analysis ceiling) fits with room for JSON
/// escaping.
pub const MAX_MESSAGE_BYTES: usize = 256 * 1024 * 1024;

/// Longest header block kept while waiting for its blank line; past it, the bytes are garbage.
const MAX_HEADER_BYTES: usize = 8 * 1024;

/// JSON-RPC "Parse error".
pub const PARSE_ERROR: i64 = -32700;
/// JSON-RPC "Invalid Request".
pub const INVALID_REQUEST: i64 = -32600;

/// An `AsyncRead` over the client's stream that yields only well-formed LSP frames.
pub struct Sanitize<R> {
    inner: R,
    framer: Framer,
    chunk: Vec<u8>,
    out: Vec<u8>,
    out_pos: usize,
    eof: bool,
}

impl<R> Sanitize<R> {
    pub fn new(inner: R) -> Sanitize<R> {
        Sanitize::with_framer(inner, Framer::default())
    }

    /// Hands each `didOpen` it can decode to `handoff` ([`handoff`]).
    pub fn with_handoff(inner: R, handoff: std::sync::Arc<Handoff>) -> Sanitize<R> {
        Sanitize::with_framer(inner, Framer::with_handoff(handoff))
    }

    fn with_framer(inner: R, framer: Framer) -> Sanitize<R> {
        Sanitize {
            inner,
            framer,
            chunk: vec![0; 64 * 1024],
            out: Vec::new(),
            out_pos: 0,
            eof: false,
        }
    }
}

impl<R: AsyncRead + Unpin> AsyncRead for Sanitize<R> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let Sanitize {
            inner,
            framer,
            chunk,
            out,
            out_pos,
            eof,
        } = &mut *self;
        loop {
            if *out_pos < out.len() {
                let n = buf.remaining().min(out.len() - *out_pos);
                buf.put_slice(&out[*out_pos..*out_pos + n]);
                *out_pos += n;
                return Poll::Ready(Ok(()));
            }
            if let Some(frame) = framer.next_frame() {
                *out = frame;
                *out_pos = 0;
                continue;
            }
            if *eof {
                // Zero bytes: end of stream. A message cut off by the close is dropped.
                return Poll::Ready(Ok(()));
            }
            let mut read = ReadBuf::new(chunk);
            match Pin::new(&mut *inner).poll_read(cx, &mut read) {
                Poll::Ready(Ok(())) if read.filled().is_empty() => *eof = true,
                Poll::Ready(Ok(())) => framer.push(read.filled()),
                Poll::Ready(Err(err)) => return Poll::Ready(Err(err)),
                Poll::Pending => return Poll::Pending,
            }
        }
    }
}
