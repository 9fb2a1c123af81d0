//! A random sequence of incremental LSP edits applied through the server's document store
//! must give the same text as a plain model of the specification (positions in UTF-16 or
//! UTF-8, clamped past the end of a line or the file). The request-side position conversion
//! (`LineIndex::to_offset`) must agree with the edit side at every position.

#![no_main]

use flyte_lsp::server::store::Store;
use flyte_lsp::text::{Encoding, LineCol, LineIndex};
use libfuzzer_sys::arbitrary::{self, Arbitrary};
use libfuzzer_sys::fuzz_target;
use tower_lsp_server::ls_types::{Position, Range, TextDocumentContentChangeEvent, Uri};

#[derive(Arbitrary, Debug)]
struct Input {
    utf8: bool,
    initial: String,
    edits: Vec<Edit>,
}

#[derive(Arbitrary, Debug)]
struct Edit {
    start: (u16, u16),
    end: (u16, u16),
    text: String,
    /// Replace the whole document instead.
    full: bool,
}

/// Line starts: after `\n`, after a `\r` not followed by `\n` (LSP's and YAML's line breaks).
fn lines(text: &str) -> Vec<(usize, usize)> {
    let b = text.as_bytes();
    let mut out = Vec::new();
    let mut start = 0;
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'\n' => {
                out.push((start, i));
                start = i + 1;
            }
            b'\r' if b.get(i + 1) == Some(&b'\n') => {
                out.push((start, i));
                start = i + 2;
                i += 1;
            }
            b'\r' => {
                out.push((start, i));
                start = i + 1;
            }
            _ => {}
        }
        i += 1;
    }
    out.push((start, b.len()));
    out
}

/// The model: a position to a byte offset, as the specification says.
fn offset(text: &str, line: u32, col: u32, utf8: bool) -> usize {
    let lines = lines(text);
    let Some(&(start, end)) = lines.get(line as usize) else {
        return text.len();
    };
    let mut units = 0;
    for (i, ch) in text[start..end].char_indices() {
        let next = units + if utf8 { ch.len_utf8() } else { ch.len_utf16() };
        if next > col as usize {
            return start + i;
        }
        units = next;
    }
    end
}

fuzz_target!(|input: Input| {
    let enc = if input.utf8 {
        Encoding::Utf8
    } else {
        Encoding::Utf16
    };
    let store = Store::default();
    let Ok(uri) = "file:///fuzz.yaml".parse::<Uri>() else {
        return;
    };
    let mut model = input.initial.clone();
    store.open(uri.clone(), 0, input.initial);
    for (version, edit) in input.edits.iter().take(64).enumerate() {
        // Mostly in range (lines and columns near the text), sometimes far past it.
        let n_lines = lines(&model).len() as u32;
        let pos = |(l, c): (u16, u16)| {
            let line = u32::from(l) % (n_lines + 2);
            let col = u32::from(c) % 80;
            Position::new(line, col)
        };
        let (start, end) = (pos(edit.start), pos(edit.end));
        let change = if edit.full {
            model = edit.text.clone();
            TextDocumentContentChangeEvent {
                range: None,
                range_length: None,
                text: edit.text.clone(),
            }
        } else {
            let a = offset(&model, start.line, start.character, input.utf8);
            let b = offset(&model, end.line, end.character, input.utf8).max(a);
            model.replace_range(a..b, &edit.text);
            TextDocumentContentChangeEvent {
                range: Some(Range::new(start, end)),
                range_length: None,
                text: edit.text.clone(),
            }
        };
        store.change(&uri, version as i32 + 1, &[change], enc);
        let snap = store.current(&uri).expect("open");
        assert_eq!(snap.text, model, "after {edit:?}");
        // Requests convert positions with the line index: the same offsets as edits.
        let index = LineIndex::new(&model);
        for p in [start, end] {
            let by_index = index.to_offset(
                &model,
                LineCol {
                    line: p.line,
                    col: p.character,
                },
                enc,
            );
            assert_eq!(
                by_index,
                offset(&model, p.line, p.character, input.utf8),
                "at {p:?}"
            );
        }
    }
});
