//! `textDocument/didOpen` decoded once, by the transport, and handed to the server beside
//! tower-lsp-server rather than through it.
//!
//! Why: tower-lsp-server decodes every message as an untagged enum, which buffers the whole
//! body as serde `Content` and then copies it into a `serde_json::Value` before the handler's
//! own decode: for the `didOpen` of a 20,000-line document that is about 2 ms and 1.9 MB of
//! fresh memory, while the user waits for the first diagnostics. So the transport decodes a
//! `didOpen` body straight into [`DidOpenTextDocumentParams`] (the type the handler takes),
//! parks it here under a slot number, and passes tower-lsp-server a small
//! [`DID_OPEN_HANDOFF`] notification that names the slot. Its handler takes the parameters
//! back and opens the document as `did_open` would.
//!
//! Only a body that decodes strictly is handed off: the JSON-RPC 2.0 notification fields and
//! nothing else at the top level, no duplicate keys, parameters the handler accepts. That
//! body would have reached `did_open` with the same parameters. Anything else goes the usual
//! way, so tower-lsp-server's answer to it is unchanged.

use std::collections::VecDeque;
use std::sync::Mutex;

use serde::Deserialize;
use tower_lsp_server::ls_types::DidOpenTextDocumentParams;

/// The method of the notification that stands for a handed-off `didOpen`.
pub const DID_OPEN_HANDOFF: &str = "flyte-lsp/didOpenHandoff";

/// The parameters of a [`DID_OPEN_HANDOFF`] notification.
#[derive(Debug, serde::Serialize, Deserialize)]
pub struct HandoffParams {
    pub slot: u64,
}

/// Decoded `didOpen` parameters waiting for their notification's handler, oldest first.
#[derive(Default)]
pub struct Handoff {
    slots: Mutex<Parked>,
}

#[derive(Default)]
struct Parked {
    next: u64,
    waiting: VecDeque<(u64, DidOpenTextDocumentParams)>,
}

impl Handoff {
    /// Decodes `body` when it is a `didOpen` notification that can be handed off (see the
    /// module doc), parks its parameters and returns the body of the notification to pass on
    /// instead.
    pub fn hand_off(&self, body: &[u8]) -> Option<Vec<u8>> {
        // The method string as every client writes it; an escaped spelling goes the usual way.
        // This keeps other large bodies from being decoded twice.
        memchr::memmem::find(body, b"\"textDocument/didOpen\"")?;
        let text = std::str::from_utf8(body).ok()?;
        let message: OpenNotification = serde_json::from_str(text).ok()?;
        if message.jsonrpc != "2.0" {
            return None;
        }
        let mut parked = self.slots.lock().unwrap_or_else(|e| e.into_inner());
        let slot = parked.next;
        parked.next += 1;
        parked.waiting.push_back((slot, message.params));
        let notification = serde_json::json!({
            "jsonrpc": "2.0",
            "method": DID_OPEN_HANDOFF,
            "params": HandoffParams { slot },
        });
        Some(notification.to_string().into_bytes())
    }

    /// The parameters parked under `slot`, once.
    ///
    /// Older slots still parked are dropped: tower-lsp-server starts its handlers in the order
    /// the messages arrive, so their notifications were dropped before reaching a handler (a
    /// `didOpen` before `initialize`, or after `shutdown`) and will never ask.
    pub fn take(&self, slot: u64) -> Option<DidOpenTextDocumentParams> {
        let mut parked = self.slots.lock().unwrap_or_else(|e| e.into_inner());
        while let Some((first, _)) = parked.waiting.front() {
            if *first >= slot {
                break;
            }
            parked.waiting.pop_front();
        }
        match parked.waiting.front() {
            Some((first, _)) if *first == slot => parked.waiting.pop_front().map(|(_, p)| p),
            _ => None,
        }
    }

    /// How many parameters are parked (tests).
    pub fn waiting(&self) -> usize {
        self.slots
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .waiting
            .len()
    }
}

/// A `textDocument/didOpen` notification, strictly: the derive rejects duplicate and unknown
/// top-level fields, and an `id` (a request named `didOpen` is answered by tower-lsp-server).
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct OpenNotification<'a> {
    #[serde(borrow)]
    jsonrpc: std::borrow::Cow<'a, str>,
    #[allow(dead_code)] // Checked while decoding: any other method stops the decode there.
    method: DidOpenMethod,
    params: DidOpenTextDocumentParams,
}

/// The string `textDocument/didOpen`, and nothing else.
struct DidOpenMethod;

impl<'de> Deserialize<'de> for DidOpenMethod {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let method = std::borrow::Cow::<'de, str>::deserialize(d)?;
        if method == "textDocument/didOpen" {
            Ok(DidOpenMethod)
        } else {
            Err(serde::de::Error::custom("not didOpen"))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn open(text: &str) -> String {
        serde_json::json!({
            "jsonrpc": "2.0",
            "method": "textDocument/didOpen",
            "params": {"textDocument": {
                "uri": "file:///w/a.yaml", "languageId": "yaml", "version": 3, "text": text,
            }},
        })
        .to_string()
    }

    #[test]
    fn a_did_open_is_parked_and_taken_once() {
        let handoff = Handoff::default();
        let body = handoff
            .hand_off(open("kind: Pod\n\"quoted\" \u{e9}\n").as_bytes())
            .expect("handed off");
        let passed: serde_json::Value = serde_json::from_slice(&body).expect("json");
        assert_eq!(passed["method"], DID_OPEN_HANDOFF);
        assert!(crate::server::transport::is_message_exact(&body));
        let slot = passed["params"]["slot"].as_u64().expect("slot");
        let params = handoff.take(slot).expect("parked");
        assert_eq!(params.text_document.text, "kind: Pod\n\"quoted\" \u{e9}\n");
        assert_eq!(params.text_document.version, 3);
        assert_eq!(params.text_document.language_id, "yaml");
        assert!(handoff.take(slot).is_none());
    }

    #[test]
    fn only_strict_did_open_notifications_are_handed_off() {
        let handoff = Handoff::default();
        let with = |edit: &dyn Fn(&mut serde_json::Value)| {
            let mut v: serde_json::Value = serde_json::from_str(&open("a: 1")).expect("json");
            edit(&mut v);
            v.to_string()
        };
        let declined = [
            with(&|v| v["id"] = 1.into()),
            with(&|v| v["jsonrpc"] = "1.0".into()),
            with(&|v| v["extra"] = true.into()),
            with(&|v| v["params"]["textDocument"]["version"] = 1.5.into()),
            with(&|v| v["params"]["textDocument"]["uri"] = "not a uri".into()),
            with(&|v| v["params"] = serde_json::Value::Null),
            with(&|v| v["method"] = "textDocument/didClose".into()),
            // A duplicate key: the usual decode keeps the last one, so it goes that way.
            open("a: 1").replacen(
                "\"jsonrpc\":\"2.0\"",
                "\"jsonrpc\":\"2.0\",\"jsonrpc\":\"2.0\"",
                1,
            ),
            // The method escaped: found only by the full decode.
            open("a: 1").replace("textDocument/didOpen", "textDocument\\/didOpen"),
            open("a: 1") + " x",
        ];
        for body in &declined {
            assert!(handoff.hand_off(body.as_bytes()).is_none(), "{body}");
        }
        assert!(handoff.hand_off(b"\xff\"textDocument/didOpen\"").is_none());
        assert_eq!(handoff.waiting(), 0);
    }

    #[test]
    fn a_slot_never_asked_for_is_dropped_when_a_newer_one_is_taken() {
        let handoff = Handoff::default();
        for _ in 0..3 {
            handoff
                .hand_off(open("a: 1").as_bytes())
                .expect("handed off");
        }
        assert_eq!(handoff.waiting(), 3);
        assert!(handoff.take(1).is_some());
        assert_eq!(handoff.waiting(), 1);
        assert!(handoff.take(0).is_none());
        assert!(handoff.take(2).is_some());
        assert_eq!(handoff.waiting(), 0);
    }
}
