//! The framing state machine of [`super::Sanitize`], without IO: bytes in, canonical frames
//! out; a malformed message becomes one `flyte-lsp/invalidMessage` request.

use serde_json::{json, Value};
use tower_lsp_server::jsonrpc::{Request, Response};

use super::handoff::Handoff;
use super::{INVALID_MESSAGE, INVALID_REQUEST, MAX_HEADER_BYTES, MAX_MESSAGE_BYTES, PARSE_ERROR};

/// Most buffer space reserved ahead for a body announced but not yet read.
const MAX_RESERVE: usize = 16 << 20;

/// The framing state machine, without IO: bytes in, canonical frames out.
pub struct Framer {
    /// Largest body accepted ([`MAX_MESSAGE_BYTES`]; smaller in tests).
    max_message: usize,
    buf: Vec<u8>,
    /// Start of the unread part of `buf`.
    pos: usize,
    state: State,
    /// Frames ready to hand out, oldest first (at most two: an error and a message).
    ready: std::collections::VecDeque<Vec<u8>>,
    /// Where a `didOpen`'s decoded parameters go instead of through tower-lsp-server.
    handoff: Option<std::sync::Arc<Handoff>>,
}

#[derive(Default)]
enum State {
    #[default]
    Header,
    /// Waiting for a body of this many bytes.
    Body(usize),
    /// Discarding this many more bytes of an oversized body.
    Skip(usize),
}

impl Default for Framer {
    fn default() -> Framer {
        Framer {
            max_message: MAX_MESSAGE_BYTES,
            buf: Vec::new(),
            pos: 0,
            state: State::default(),
            ready: std::collections::VecDeque::new(),
            handoff: None,
        }
    }
}

impl Framer {
    /// A framer that hands each `didOpen` it can decode to `handoff` (see [`super::handoff`]).
    pub fn with_handoff(handoff: std::sync::Arc<Handoff>) -> Framer {
        Framer {
            handoff: Some(handoff),
            ..Framer::default()
        }
    }

    pub fn push(&mut self, bytes: &[u8]) {
        if let State::Skip(left) = self.state {
            let n = left.min(bytes.len());
            self.state = if n == left {
                State::Header
            } else {
                State::Skip(left - n)
            };
            self.buf.extend_from_slice(&bytes[n..]);
            return;
        }
        // Compact before growing, so a long session does not keep consumed bytes.
        if self.pos > 0 && (self.pos >= self.buf.len() / 2 || self.pos > 1 << 20) {
            self.buf.drain(..self.pos);
            self.pos = 0;
        }
        self.buf.extend_from_slice(bytes);
    }

    /// The next frame to pass on, when one is complete.
    pub fn next_frame(&mut self) -> Option<Vec<u8>> {
        loop {
            if let Some(frame) = self.ready.pop_front() {
                return Some(frame);
            }
            let data = &self.buf[self.pos..];
            match self.state {
                State::Skip(_) => return None,
                State::Body(len) => {
                    if data.len() < len {
                        return None;
                    }
                    let body = &data[..len];
                    let frame = match self.handoff.as_deref().and_then(|h| h.hand_off(body)) {
                        Some(handed_off) => frame(&handed_off),
                        None => check_body(body),
                    };
                    self.pos += len;
                    self.state = State::Header;
                    return Some(frame);
                }
                State::Header => {
                    let Some(end) = find(data, b"\r\n\r\n") else {
                        if data.len() > MAX_HEADER_BYTES {
                            // Keep a possible partial `\r\n\r` at the end.
                            self.pos += data.len() - 3;
                            self.ready.push_back(invalid(
                                Value::Null,
                                PARSE_ERROR,
                                "bytes that are not an LSP header (no `Content-Length`), skipped",
                            ));
                            continue;
                        }
                        return None;
                    };
                    let header = parse_header(&data[..end]);
                    self.pos += end + 4;
                    if header.garbage_before {
                        self.ready.push_back(invalid(
                            Value::Null,
                            PARSE_ERROR,
                            "bytes before an LSP header, skipped (was a `Content-Length` wrong?)",
                        ));
                    }
                    match header.length {
                        Some(len) if len > self.max_message => {
                            tracing::warn!(len, "message above the size limit skipped");
                            self.ready.push_back(invalid(
                                Value::Null,
                                INVALID_REQUEST,
                                &format!(
                                    "a message of {len} bytes is above the {} MiB limit; skipped",
                                    self.max_message >> 20
                                ),
                            ));
                            let avail = self.buf.len() - self.pos;
                            let n = avail.min(len);
                            self.pos += n;
                            self.state = if n == len {
                                State::Header
                            } else {
                                State::Skip(len - n)
                            };
                        }
                        Some(len) => {
                            // The whole body at once, rather than by doubling as it arrives
                            // (bounded: the length is only the client's word).
                            let missing = len.saturating_sub(self.buf.len() - self.pos);
                            self.buf.reserve(missing.min(MAX_RESERVE));
                            self.state = State::Body(len);
                        }
                        None => self.ready.push_back(invalid(
                            Value::Null,
                            PARSE_ERROR,
                            "an LSP header without a valid `Content-Length`; skipped",
                        )),
                    }
                }
            }
        }
    }
}

struct Header {
    length: Option<usize>,
    /// Bytes that are not header lines came before the `Content-Length` header.
    garbage_before: bool,
}

/// Reads a header block (without its blank line). The last `Content-Length` wins, wherever it
/// starts, so that a message following the leftovers of a too-short one is still found.
fn parse_header(block: &[u8]) -> Header {
    // Only the end of a long block can be a header; what comes before is garbage.
    let skipped = block.len().saturating_sub(MAX_HEADER_BYTES);
    let block = &block[skipped..];
    let lower = block.to_ascii_lowercase();
    let Some(at) = rfind(&lower, b"content-length") else {
        return Header {
            length: None,
            garbage_before: skipped > 0,
        };
    };
    let lines: Vec<&[u8]> = block[..at].split(|&b| b == b'\n').collect();
    let (before_on_its_line, whole_lines): (&[u8], &[&[u8]]) = match lines.split_last() {
        Some((last, rest)) => (last, rest),
        None => (&[], &[]),
    };
    let garbage_before = skipped > 0
        || !before_on_its_line.is_empty()
        || !whole_lines
            .iter()
            .all(|line| is_header_line(line.strip_suffix(b"\r").unwrap_or(line)));
    let rest = &block[at + b"content-length".len()..];
    let line = rest.split(|&b| b == b'\r').next().unwrap_or(rest);
    let length = std::str::from_utf8(line)
        .ok()
        .and_then(|l| l.trim_start().strip_prefix(':'))
        .and_then(|v| v.trim().parse::<usize>().ok());
    Header {
        length,
        garbage_before,
    }
}

fn is_header_line(line: &[u8]) -> bool {
    match line.iter().position(|&b| b == b':') {
        Some(colon) if colon > 0 => line[..colon]
            .iter()
            .all(|b| b.is_ascii_alphanumeric() || *b == b'-'),
        _ => false,
    }
}

/// The shape tower-lsp-server decodes every message into (its own `Message` is private): the
/// same untagged enum, so that whatever passes here also passes there.
#[derive(serde::Deserialize)]
#[serde(untagged)]
#[allow(dead_code)]
enum Message {
    Response(Response),
    Request(Request),
}

/// Whether tower-lsp-server would decode `body`: UTF-8 as a whole (serde_json does not check
/// the strings it skips), and a JSON-RPC message.
///
/// Decoding the untagged [`Message`] buffers the whole body and copies every string twice,
/// which for the `didOpen` of a 20,000-line document costs milliseconds before the document
/// is even stored. So the check first reads the body as one object, checking the values of
/// `params` and `result` (the two fields tower-lsp-server takes as any JSON) without keeping
/// them, and decodes what is left ([`reduced_check`]). That answers yes only when the full
/// decode would; any other answer is left to the full decode, so the verdict is always
/// tower-lsp-server's own.
pub fn is_message(body: &[u8]) -> bool {
    let Ok(text) = std::str::from_utf8(body) else {
        return false;
    };
    reduced_check(text) || full_check(text)
}

/// [`is_message`] by the decode tower-lsp-server does, as it does it (the fuzz target and the
/// tests compare the two).
pub fn is_message_exact(body: &[u8]) -> bool {
    std::str::from_utf8(body).is_ok_and(full_check)
}

fn full_check(text: &str) -> bool {
    serde_json::from_str::<Message>(text).is_ok()
}

/// True when `text` is one JSON object whose `params` and `result` values are valid JSON and
/// which, with those values written as `null`, decodes as a [`Message`]. Then the full decode
/// succeeds too: it reads the same tokens with the same parser at the same depths (the values
/// are checked in place, inside the object), and a `params` or `result` of any JSON value
/// decodes as one of `null` does. False says nothing: the caller asks [`full_check`].
fn reduced_check(text: &str) -> bool {
    let Ok(top @ Json::Object(_)) = serde_json::from_str::<Json>(text) else {
        return false;
    };
    serde_json::to_string(&top).is_ok_and(|reduced| full_check(&reduced))
}

/// A JSON value as the decode sees it: duplicate keys kept, each number in the class the
/// parser read it as (a `1.0` written again is still a float, `-0` still `-0.0`). In the
/// top-level object, the values of `params` and `result` are only checked ([`Json::Dropped`]).
enum Json {
    Null,
    Bool(bool),
    U64(u64),
    I64(i64),
    F64(f64),
    Str(String),
    Array(Vec<Json>),
    Object(Vec<(String, Json)>),
    /// A top-level `params` or `result` value: valid JSON, written back as `null`.
    Dropped,
}

/// Reads the top-level value.
impl<'de> serde::Deserialize<'de> for Json {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(JsonVisitor { top: true })
    }
}

/// A value below the top level, kept whole.
struct Nested(Json);

impl<'de> serde::Deserialize<'de> for Nested {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(JsonVisitor { top: false }).map(Nested)
    }
}

struct JsonVisitor {
    top: bool,
}

impl<'de> serde::de::Visitor<'de> for JsonVisitor {
    type Value = Json;
    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("a JSON value")
    }
    fn visit_bool<E>(self, b: bool) -> Result<Json, E> {
        Ok(Json::Bool(b))
    }
    fn visit_i64<E>(self, n: i64) -> Result<Json, E> {
        Ok(Json::I64(n))
    }
    fn visit_u64<E>(self, n: u64) -> Result<Json, E> {
        Ok(Json::U64(n))
    }
    fn visit_f64<E>(self, n: f64) -> Result<Json, E> {
        Ok(Json::F64(n))
    }
    fn visit_str<E>(self, s: &str) -> Result<Json, E> {
        Ok(Json::Str(s.to_owned()))
    }
    fn visit_unit<E>(self) -> Result<Json, E> {
        Ok(Json::Null)
    }
    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<Json, A::Error> {
        let mut items = Vec::new();
        while let Some(Nested(item)) = seq.next_element::<Nested>()? {
            items.push(item);
        }
        Ok(Json::Array(items))
    }
    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<Json, A::Error> {
        let mut fields = Vec::new();
        // Keys are read as strings, as `Value` reads them.
        while let Some(key) = map.next_key::<String>()? {
            let value = if self.top && (key == "params" || key == "result") {
                map.next_value::<AnyJson>()?;
                Json::Dropped
            } else {
                map.next_value::<Nested>()?.0
            };
            fields.push((key, value));
        }
        Ok(Json::Object(fields))
    }
}

impl serde::Serialize for Json {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::{SerializeMap, SerializeSeq};
        match self {
            Json::Null | Json::Dropped => s.serialize_unit(),
            Json::Bool(b) => s.serialize_bool(*b),
            Json::U64(n) => s.serialize_u64(*n),
            Json::I64(n) => s.serialize_i64(*n),
            Json::F64(n) => s.serialize_f64(*n),
            Json::Str(v) => s.serialize_str(v),
            Json::Array(items) => {
                let mut seq = s.serialize_seq(Some(items.len()))?;
                for item in items {
                    seq.serialize_element(item)?;
                }
                seq.end()
            }
            Json::Object(fields) => {
                let mut map = s.serialize_map(Some(fields.len()))?;
                for (k, v) in fields {
                    map.serialize_entry(k, v)?;
                }
                map.end()
            }
        }
    }
}

/// Any JSON value, read as [`Value`] reads it (the same parser calls, so the same strings,
/// numbers and nesting are accepted) without building it. This holds while serde_json's
/// `raw_value` and `arbitrary_precision` features are off, which give `Value` readings of its
/// own; a test checks that they are.
struct AnyJson;

impl<'de> serde::Deserialize<'de> for AnyJson {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(AnyVisitor)
    }
}

struct AnyVisitor;

impl<'de> serde::de::Visitor<'de> for AnyVisitor {
    type Value = AnyJson;
    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("any JSON value")
    }
    fn visit_bool<E>(self, _: bool) -> Result<AnyJson, E> {
        Ok(AnyJson)
    }
    fn visit_i64<E>(self, _: i64) -> Result<AnyJson, E> {
        Ok(AnyJson)
    }
    fn visit_u64<E>(self, _: u64) -> Result<AnyJson, E> {
        Ok(AnyJson)
    }
    fn visit_f64<E>(self, _: f64) -> Result<AnyJson, E> {
        Ok(AnyJson)
    }
    fn visit_str<E>(self, _: &str) -> Result<AnyJson, E> {
        Ok(AnyJson)
    }
    fn visit_unit<E>(self) -> Result<AnyJson, E> {
        Ok(AnyJson)
    }
    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<AnyJson, A::Error> {
        while seq.next_element::<AnyJson>()?.is_some() {}
        Ok(AnyJson)
    }
    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<AnyJson, A::Error> {
        while map.next_key::<AnyKey>()?.is_some() {
            map.next_value::<AnyJson>()?;
        }
        Ok(AnyJson)
    }
}

/// An object key, read as [`Value`] reads keys (as a string) without keeping it.
struct AnyKey;

impl<'de> serde::Deserialize<'de> for AnyKey {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Key;
        impl<'de> serde::de::Visitor<'de> for Key {
            type Value = AnyKey;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("an object key")
            }
            fn visit_str<E>(self, _: &str) -> Result<AnyKey, E> {
                Ok(AnyKey)
            }
        }
        d.deserialize_str(Key)
    }
}

/// A canonical frame for a well-formed body, or an invalid-message request for a bad one.
fn check_body(body: &[u8]) -> Vec<u8> {
    if is_message(body) {
        return frame(body);
    }
    if std::str::from_utf8(body).is_err() {
        return invalid(Value::Null, PARSE_ERROR, "the message is not UTF-8");
    }
    match serde_json::from_slice::<Value>(body) {
        Err(err) => invalid(
            Value::Null,
            PARSE_ERROR,
            &format!("the message is not JSON: {err}"),
        ),
        Ok(value) => {
            // Answer with the message's own id when it has a usable one: an integer that fits
            // an i64, or a string (tower-lsp-server's `Id`; fuzzing found `"id": -0`, a float).
            let id = match value.get("id") {
                Some(id) if id.is_i64() || id.is_string() => id.clone(),
                _ => Value::Null,
            };
            invalid(
                id,
                INVALID_REQUEST,
                "the message is JSON but not JSON-RPC 2.0",
            )
        }
    }
}

fn invalid(id: Value, code: i64, message: &str) -> Vec<u8> {
    tracing::warn!(code, message, "malformed message from the client");
    let request = json!({
        "jsonrpc": "2.0",
        "id": id,
        "method": INVALID_MESSAGE,
        "params": {"code": code, "message": message},
    });
    frame(request.to_string().as_bytes())
}

fn frame(body: &[u8]) -> Vec<u8> {
    let mut out = format!("Content-Length: {}\r\n\r\n", body.len()).into_bytes();
    out.extend_from_slice(body);
    out
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

fn rfind(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).rposition(|w| w == needle)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn frames(input: &[&[u8]]) -> Vec<Value> {
        let mut framer = Framer {
            max_message: 1000,
            ..Framer::default()
        };
        let mut out = Vec::new();
        for chunk in input {
            framer.push(chunk);
            while let Some(f) = framer.next_frame() {
                let text = String::from_utf8(f).expect("utf-8 frame");
                let (head, body) = text.split_once("\r\n\r\n").expect("frame");
                assert_eq!(head, format!("Content-Length: {}", body.len()));
                assert!(is_message(body.as_bytes()), "undecodable frame: {body}");
                out.push(serde_json::from_str(body).expect("json body"));
            }
        }
        out
    }

    fn msg(id: i64) -> Vec<u8> {
        frame(
            json!({"jsonrpc": "2.0", "id": id, "method": "shutdown"})
                .to_string()
                .as_bytes(),
        )
    }

    #[test]
    fn ids_that_are_not_json_rpc_ids_are_answered_with_null() {
        // Found by fuzzing: echoing `-0` (a float) made the error itself undecodable.
        for id in [
            "-0",
            "1.5",
            "1e3",
            "18446744073709551615",
            "[1]",
            "{}",
            "true",
        ] {
            let body = format!(r#"{{"jsonrpc": "2.0", "id": {id}, "method": 5}}"#);
            let out = frames(&[&frame(body.as_bytes())]);
            assert!(is_invalid(&out[0], INVALID_REQUEST), "{id}: {out:?}");
            assert_eq!(out[0]["id"], Value::Null, "{id}");
        }
        let out = frames(&[&frame(br#"{"jsonrpc": "2.0", "id": "a", "method": 5}"#)]);
        assert_eq!(out[0]["id"], "a");
    }

    #[test]
    fn invalid_utf8_in_a_skipped_field_is_still_a_parse_error() {
        // Found by fuzzing: serde_json skips unknown fields without checking their UTF-8, but
        // tower-lsp-server checks the whole body first and would stop reading.
        let body = b"{\"jsonrpc\": \"2.0\", \"id\": 1, \"result\": null, \"x\": \"\x94\"}";
        let out = frames(&[&frame(body)]);
        assert!(is_invalid(&out[0], PARSE_ERROR), "{out:?}");
    }

    /// Bodies where a shortcut could answer differently from the full decode.
    const HOSTILE: &[&str] = &[
        r#"{"jsonrpc":"2.0","method":"m","params":{"a":1}}"#,
        r#"{"jsonrpc":"2.0","method":"m","params":1,"params":2}"#,
        r#"{"jsonrpc":"2.0","method":"m","par\u0061ms":{"a":1}}"#,
        r#"{"jsonrpc":"2.0","method":"m","par\u0061ms":1,"params":2}"#,
        r#"{"jsonrpc":"2.0","method":"m","params":"\ud800"}"#,
        r#"{"jsonrpc":"2.0","method":"m","params":"\ud800\udc00"}"#,
        r#"{"jsonrpc":"2.0","method":"m","params":"\x"}"#,
        r#"{"jsonrpc":"2.0","method":"m","params":1e400}"#,
        r#"{"jsonrpc":"2.0","method":"m","params":-1e400}"#,
        r#"{"jsonrpc":"2.0","method":"m","params":1e-400}"#,
        r#"{"jsonrpc":"2.0","method":"m","params":{"$serde_json::private::RawValue":5}}"#,
        r#"{"jsonrpc":"2.0","method":"m","params":{"$serde_json::private::Number":"x"}}"#,
        r#"{"jsonrpc":"2.0","method":"m","params":{"a":1,"a":2}}"#,
        r#"{"jsonrpc":"2.0","method":"m","params":[1,]}"#,
        r#"{"jsonrpc":"2.0","method":"m","params":{1:2}}"#,
        r#"{"jsonrpc":"2.0","method":"m","params":null} x"#,
        r#"{"jsonrpc":"2.0","method":"m","params":null}   "#,
        r#"{"jsonrpc":"2.0","method":"m"}"#,
        r#"{"jsonrpc":"2.0","method":5}"#,
        r#"{"jsonrpc":"2.0","method":"m","jsonrpc":"2.0"}"#,
        r#"{"jsonrpc":"1.0","method":"m","params":{}}"#,
        r#"{"jsonrpc":"2.0","id":-0,"method":"m"}"#,
        r#"{"jsonrpc":"2.0","id":1.0,"method":"m"}"#,
        r#"{"jsonrpc":"2.0","id":18446744073709551615,"method":"m"}"#,
        r#"{"jsonrpc":"2.0","id":-9223372036854775808,"method":"m"}"#,
        r#"{"jsonrpc":"2.0","id":"\ud800","method":"m"}"#,
        r#"{"jsonrpc":"2.0","id":1,"result":{"big":[1,2,3]}}"#,
        r#"{"jsonrpc":"2.0","id":1,"result":null,"error":{"code":1,"message":"m"}}"#,
        r#"{"jsonrpc":"2.0","id":1,"error":{"code":1,"message":"m"}}"#,
        r#"{"jsonrpc":"2.0","id":1,"error":{"code":1,"code":1,"message":"m"}}"#,
        r#"{"jsonrpc":"2.0","id":1,"error":{"code":1.5,"message":"m"}}"#,
        r#"{"jsonrpc":"2.0","id":1,"error":{"code":1,"message":"m","data":"\ud800"}}"#,
        r#"{"jsonrpc":"2.0","id":1,"result":"\ud800"}"#,
        r#"{"jsonrpc":"2.0","id":1}"#,
        r#"[{"jsonrpc":"2.0","method":"m"}]"#,
        r#""jsonrpc""#,
        r#"{}"#,
        r#""#,
    ];

    /// Nested arrays `depth` deep as the value of `key`.
    fn nested(key: &str, depth: usize) -> String {
        format!(
            r#"{{"jsonrpc":"2.0","method":"m","{key}":{}{}}}"#,
            "[".repeat(depth),
            "]".repeat(depth)
        )
    }

    #[test]
    fn the_shortcut_answers_as_the_full_decode() {
        let mut bodies: Vec<String> = HOSTILE.iter().map(|s| s.to_string()).collect();
        // Around serde_json's nesting limit (128), counted from the top-level object.
        for key in ["params", "other"] {
            bodies.extend((120..=130).map(|d| nested(key, d)));
        }
        for body in &bodies {
            let exact = is_message_exact(body.as_bytes());
            assert_eq!(is_message(body.as_bytes()), exact, "{body}");
            assert!(!reduced_check(body) || exact, "shortcut said yes: {body}");
        }
        // The shortcut answers the usual messages itself.
        let open = r#"{"jsonrpc":"2.0","method":"textDocument/didOpen","params":{"textDocument":{"uri":"file:///a.yaml","languageId":"yaml","version":1,"text":"a: \"b\"\n\u00e9"}}}"#;
        let usual = [
            r#"{"jsonrpc":"2.0","method":"m","params":{"a":1}}"#,
            r#"{"jsonrpc":"2.0","method":"m","par\u0061ms":{"a":1}}"#,
            r#"{"jsonrpc":"2.0","method":"m","params":"\ud800\udc00"}"#,
            r#"{"jsonrpc":"2.0","id":1,"result":{"big":[1,2,3]}}"#,
            r#"{"jsonrpc":"2.0","id":1,"error":{"code":1,"message":"m"}}"#,
            open,
        ];
        for body in usual {
            assert!(reduced_check(body), "{body}");
        }
    }

    #[test]
    fn random_bodies_get_the_full_decodes_answer() {
        // Objects glued from fragments, valid and not; a seeded generator keeps it reproducible.
        let keys = [
            r#""jsonrpc""#,
            r#""method""#,
            r#""params""#,
            r#""result""#,
            r#""error""#,
            r#""id""#,
            r#""par\u0061ms""#,
            r#""x""#,
        ];
        let values = [
            r#""2.0""#,
            r#""m""#,
            "1",
            "-0",
            "1.5",
            "1e400",
            "null",
            "true",
            "[1,[2,{}]]",
            r#"{"code":1,"message":"m"}"#,
            r#"{"code":1,"code":2,"message":"m"}"#,
            r#""\ud800""#,
            r#""\u00e9\n""#,
            "[",
            "{",
            r#"{"a":1,"a":2}"#,
        ];
        let mut next = crate::text::test_rng(0x9e37_79b9_7f4a_7c15);
        let mut valid = 0;
        for _ in 0..20_000 {
            let mut body = String::from("{");
            for i in 0..1 + next(5) {
                if i > 0 {
                    body.push(',');
                }
                body.push_str(keys[next(keys.len())]);
                body.push(':');
                body.push_str(values[next(values.len())]);
            }
            body.push('}');
            let exact = is_message_exact(body.as_bytes());
            assert_eq!(is_message(body.as_bytes()), exact, "{body}");
            assert!(!reduced_check(&body) || exact, "shortcut said yes: {body}");
            valid += usize::from(exact);
        }
        assert!(valid > 100, "too few valid bodies to compare ({valid})");
    }

    #[test]
    fn serde_json_value_has_no_readings_of_its_own() {
        // `AnyJson` reads as `Value` reads only while these features are off: with
        // `raw_value` this object is read as a raw value (and fails), with
        // `arbitrary_precision` 1e400 is a number.
        let raw = r#"{"$serde_json::private::RawValue": 5}"#;
        assert!(serde_json::from_str::<Value>(raw).is_ok());
        assert!(serde_json::from_str::<Value>("1e400").is_err());
    }

    fn is_invalid(v: &Value, code: i64) -> bool {
        v["method"] == INVALID_MESSAGE && v["params"]["code"] == code
    }

    #[test]
    fn well_formed_messages_pass_byte_by_byte() {
        let mut input = msg(1);
        input.extend(msg(2));
        let bytes: Vec<&[u8]> = input.chunks(1).collect();
        let out = frames(&bytes);
        assert_eq!(out.len(), 2);
        assert_eq!(out[1]["id"], 2);
    }

    #[test]
    fn bad_json_and_non_rpc_json_become_invalid_messages() {
        let out = frames(&[
            &frame(b"{not json"),
            &frame(b"[1,2]"),
            &frame(br#"{"id":7}"#),
            &msg(3),
        ]);
        assert!(is_invalid(&out[0], PARSE_ERROR), "{out:?}");
        assert!(is_invalid(&out[1], INVALID_REQUEST), "{out:?}");
        assert!(
            is_invalid(&out[2], INVALID_REQUEST) && out[2]["id"] == 7,
            "{out:?}"
        );
        assert_eq!(out[3]["id"], 3);
    }

    #[test]
    fn a_too_short_length_resynchronises_at_the_next_header() {
        let body = json!({"jsonrpc": "2.0", "id": 1, "method": "shutdown"}).to_string();
        let mut input = format!("Content-Length: 5\r\n\r\n{body}").into_bytes();
        input.extend(msg(2));
        let out = frames(&[&input]);
        assert!(is_invalid(&out[0], PARSE_ERROR), "{out:?}");
        assert!(
            is_invalid(&out[1], PARSE_ERROR),
            "garbage reported: {out:?}"
        );
        assert_eq!(out[2]["id"], 2, "{out:?}");
    }

    #[test]
    fn missing_or_invalid_lengths_and_oversized_messages_are_skipped() {
        let mut input = b"Content-Type: x\r\n\r\nContent-Length: abc\r\n\r\n".to_vec();
        input.extend(b"Content-Length: 1001\r\n\r\n");
        let out = frames(&[&input, &[b' '; 600], &[b' '; 401], &msg(4)]);
        assert!(is_invalid(&out[0], PARSE_ERROR), "{out:?}");
        assert!(is_invalid(&out[1], PARSE_ERROR), "{out:?}");
        assert!(is_invalid(&out[2], INVALID_REQUEST), "{out:?}");
        assert_eq!(out[3]["id"], 4, "{out:?}");
    }

    #[test]
    fn other_headers_are_dropped_and_invalid_utf8_is_a_parse_error() {
        let body = json!({"jsonrpc": "2.0", "id": 5, "method": "shutdown"}).to_string();
        let with_type = format!(
            "Content-Type: application/vscode-jsonrpc; charset=utf-8\r\ncontent-length: {}\r\n\r\n{body}",
            body.len()
        );
        let out = frames(&[with_type.as_bytes(), &frame(b"{\"a\":\"\xff\"}")]);
        assert_eq!(out[0]["id"], 5, "{out:?}");
        assert!(is_invalid(&out[1], PARSE_ERROR), "{out:?}");
    }

    #[test]
    fn endless_garbage_is_bounded() {
        let mut framer = Framer::default();
        for _ in 0..100 {
            framer.push(&[b'x'; 4096]);
            while framer.next_frame().is_some() {}
        }
        assert!(framer.buf.len() - framer.pos <= MAX_HEADER_BYTES + 4096);
    }
}
