//! Every crash the fuzz targets (`fuzz/`) found, kept as a test: the input, and what must
//! happen instead. The inputs also sit in `fuzz/seeds/<target>/` so the fuzzers start from them.

use crate::raw::{frame, push_client, Raw};
use flyte_lsp::server::transport::{is_message, Framer};
use flyte_lsp::settings::Settings;
use flyte_lsp::text::{floor_char_boundary, Encoding, LineCol, LineIndex};
use serde_json::{json, Value};

/// `framing` found it: a frame whose body has an invalid UTF-8 byte inside a field that
/// serde_json skips. The sanitizer passed it on, tower-lsp-server rejected the body as a whole
/// and stopped reading stdin: the server was alive but deaf. The first byte is the fuzz
/// target's chunk size, not part of the stream.
const FRAMING_INVALID_UTF8: &[u8] =
    include_bytes!("../../fuzz/seeds/framing/regression-invalid-utf8-in-skipped-field");

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
    // The rest of the input is garbage too: each piece of it is answered with an error
    // without an id, and nothing else.
    let more = raw.take_unaddressed_errors();
    assert!(
        more.iter()
            .all(|m| [-32700, -32600].contains(&m["error"]["code"].as_i64().unwrap_or(0))),
        "{more:?}"
    );
    raw.shutdown_and_exit();
}

/// `cursor` found it: an offset between the `\r` and `\n` of a CRLF came out as a column one
/// past the end of its line (a position that does not exist), so it did not convert back.
/// Now it is the line's end. The first 8 bytes are the target's offsets, then the text.
const CURSOR_OFFSET_INSIDE_CRLF: &[u8] =
    include_bytes!("../../fuzz/seeds/cursor/regression-offset-inside-crlf");

#[test]
fn cursor_an_offset_inside_a_crlf_is_the_end_of_its_line() {
    let (head, rest) = CURSOR_OFFSET_INSIDE_CRLF.split_at(8);
    let text = std::str::from_utf8(rest).expect("utf-8 text");
    let index = LineIndex::new(text);
    let stream = flyte_lsp::engine::parse(text);
    let get = || &stream;
    let settings = Settings::default();
    for pair in head.chunks(2) {
        let offset = usize::from(u16::from_le_bytes([pair[0], pair[1]])) % (text.len() + 2);
        flyte_lsp::engine::completions_lazy(text, &get, &settings, None, offset);
        flyte_lsp::engine::hover_parsed(text, &stream, &settings, None, offset);
        for enc in [Encoding::Utf8, Encoding::Utf16] {
            let lc = index.to_line_col(text, offset, enc);
            let floor = floor_char_boundary(text, offset.min(text.len()));
            let line = index.line_range(text, index.line_of(floor));
            assert!(
                lc.col as usize <= line.end - line.start,
                "{lc:?} is past its line"
            );
            assert_eq!(index.to_offset(text, lc, enc), floor.min(line.end));
        }
    }
    // The case itself: offset 14 sits between `\r` (13) and `\n` (14) of line 2.
    assert_eq!(&text[13..15], "\r\n");
    let lc = index.to_line_col(text, 14, Encoding::Utf16);
    assert_eq!(lc, LineCol { line: 2, col: 11 });
}

/// `framing` found it: a message `{"jsonrpc": "2.0", "id": -0, "method": ...}` that is not
/// JSON-RPC. The sanitizer answered it with the message's own id, but `-0` is a float, not a
/// JSON-RPC id, so its error request was itself undecodable and tower-lsp-server stopped
/// reading. Now such ids are answered with `null`.
const FRAMING_FLOAT_ID: &[u8] = include_bytes!("../../fuzz/seeds/framing/regression-float-id");

#[test]
fn framing_a_float_id_yields_only_decodable_frames() {
    let mut framer = Framer::default();
    framer.push(&FRAMING_FLOAT_ID[1..]);
    while let Some(frame) = framer.next_frame() {
        let text = String::from_utf8(frame).expect("a UTF-8 frame");
        let (_, body) = text.split_once("\r\n\r\n").expect("a header");
        assert!(is_message(body.as_bytes()), "{body}");
    }
}

#[test]
fn framing_a_float_id_is_answered_with_null_and_the_server_keeps_serving() {
    let mut raw = Raw::start(push_client());
    raw.write(&frame(br#"{"jsonrpc": "2.0", "id": -0, "method": 5.25}"#));
    let resp = raw.response(Value::Null);
    assert_eq!(resp["error"]["code"], -32600, "{resp}");
    let hover = raw.call(
        "textDocument/hover",
        json!({"textDocument": {"uri": "file:///a.yaml"}, "position": {"line": 0, "character": 0}}),
    );
    assert_eq!(hover["result"], Value::Null, "{hover}");
    raw.shutdown_and_exit();
}
