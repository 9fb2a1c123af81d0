//! Every crash the fuzz targets (`fuzz/`) found, kept as a test: the input, and what must
//! happen instead. The inputs also sit in `fuzz/seeds/<target>/` so the fuzzers start from them.

mod raw;

use flyte_lsp::server::transport::{is_message, Framer};
use raw::{push_client, Raw};
use serde_json::{json, Value};

/// `framing` found it: a frame whose body has an invalid UTF-8 byte inside a field that
/// serde_json skips. The sanitizer passed it on, tower-lsp-server rejected the body as a whole
/// and stopped reading stdin: the server was alive but deaf. The first byte is the fuzz
/// target's chunk size, not part of the stream.
const FRAMING_INVALID_UTF8: &[u8] =
    include_bytes!("../fuzz/seeds/framing/regression-invalid-utf8-in-skipped-field");

#[test]
fn framing_invalid_utf8_in_a_skipped_field_yields_only_decodable_frames() {
    let mut framer = Framer::default();
    framer.push(&FRAMING_INVALID_UTF8[1..]);
    let mut frames = 0;
    while let Some(frame) = framer.next_frame() {
        let text = String::from_utf8(frame).expect("a UTF-8 frame");
        let (_, body) = text.split_once("\r\n\r\n").expect("a header");
        assert!(is_message(body.as_bytes()), "{body}");
        frames += 1;
    }
    assert_eq!(frames, 2);
}

#[test]
fn framing_invalid_utf8_in_a_skipped_field_keeps_the_server_serving() {
    let mut raw = Raw::start(push_client());
    raw.write(&FRAMING_INVALID_UTF8[1..]);
    let resp = raw.response(Value::Null);
    assert_eq!(resp["error"]["code"], -32700, "{resp}");
    let hover = raw.call(
        "textDocument/hover",
        json!({"textDocument": {"uri": "file:///a.yaml"}, "position": {"line": 0, "character": 0}}),
    );
    assert_eq!(hover["result"], Value::Null, "{hover}");
    raw.shutdown_and_exit();
}
