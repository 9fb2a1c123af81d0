//! Completion and hover (and the other cursor features) at arbitrary offsets of arbitrary
//! text, plus position conversions there. Input: two bytes per offset count, then the text.

#![no_main]

use flyte_lsp::analysis::navigation;
use flyte_lsp::settings::Settings;
use flyte_lsp::text::{Encoding, LineIndex};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if data.len() < 8 {
        return;
    }
    let (head, rest) = data.split_at(8);
    let Ok(text) = std::str::from_utf8(rest) else {
        return;
    };
    let settings = Settings::default();
    let stream = flyte_lsp::engine::parse(text);
    let index = LineIndex::new(text);
    let get = || &stream;
    for pair in head.chunks(2) {
        // Offsets anywhere, including inside a character and past the end.
        let raw = u16::from_le_bytes([pair[0], pair[1]]) as usize;
        let offset = raw % (text.len() + 2);
        let items = flyte_lsp::engine::completions_lazy(text, &get, &settings, None, offset);
        for item in &items.items {
            let _ = item.plain_text(2);
        }
        let _ = flyte_lsp::engine::answers_trigger(text, offset, ":");
        let _ = flyte_lsp::engine::hover_parsed(text, &stream, &settings, None, offset);
        let _ = navigation::occurrences_at(&stream, offset);
        for enc in [Encoding::Utf8, Encoding::Utf16] {
            let lc = index.to_line_col(text, offset, enc);
            let back = index.to_offset(text, lc, enc);
            // Back to the same offset, or to its line's end for one inside a CRLF (which has no
            // position of its own).
            let floor = flyte_lsp::text::floor_char_boundary(text, offset.min(text.len()));
            let end = index.line_range(text, index.line_of(floor)).end;
            assert_eq!(back, floor.min(end), "{enc:?} round trip at {offset}");
        }
    }
});
