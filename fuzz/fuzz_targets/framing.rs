//! The transport sanitizer over arbitrary bytes in arbitrary chunks: it must never panic,
//! every frame it emits must be well formed, and what it holds must stay bounded. The bytes
//! as one body must get the same verdict from the message check's shortcut as from the full
//! decode tower-lsp-server does.

#![no_main]

use flyte_lsp::server::transport::{is_message, is_message_exact, Framer, INVALID_MESSAGE};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let mut framer = Framer::default();
    // The first byte picks the chunk size, so frames split at every place.
    let Some((&size, rest)) = data.split_first() else {
        return;
    };
    assert_eq!(is_message(rest), is_message_exact(rest));
    let size = usize::from(size).max(1);
    for chunk in rest.chunks(size) {
        framer.push(chunk);
        while let Some(frame) = framer.next_frame() {
            let text = std::str::from_utf8(&frame).expect("frames are UTF-8");
            let (head, body) = text.split_once("\r\n\r\n").expect("a header");
            assert_eq!(head, format!("Content-Length: {}", body.len()));
            // What tower-lsp-server decodes; anything else would make it stop reading.
            assert!(is_message(body.as_bytes()), "{body}");
            let value: serde_json::Value = serde_json::from_str(body).expect("a JSON body");
            if value["method"] == INVALID_MESSAGE {
                assert!(value["params"]["code"].is_i64());
            }
        }
    }
});
