//! The LSP wire format for the benches that drive a server over stdio (`benches/lsp_latency.rs`
//! and `benches/scale.rs`): one reader, so both parse the server's messages the same way.

use std::io::BufRead;

use serde_json::Value;

/// Reads one `Content-Length`-framed message; `None` at the end of the stream or on a broken
/// frame.
pub fn read_message(r: &mut impl BufRead) -> Option<Value> {
    let mut length = None;
    let mut line = String::new();
    loop {
        line.clear();
        if r.read_line(&mut line).ok()? == 0 {
            return None;
        }
        let header = line.trim_end();
        if header.is_empty() {
            break;
        }
        if let Some((name, value)) = header.split_once(':') {
            if name.eq_ignore_ascii_case("content-length") {
                length = value.trim().parse::<usize>().ok();
            }
        }
    }
    let mut body = vec![0; length?];
    r.read_exact(&mut body).ok()?;
    serde_json::from_slice(&body).ok()
}
