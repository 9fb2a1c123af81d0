//! Offsets and the line index: byte offset ⇄ (line, column) in UTF-8 or UTF-16 code units.
//!
//! Everything inside the crate speaks byte offsets; only the edges (LSP, CLI output) convert.
//! Conversions never panic: positions past the end of a line or the file are clamped, as the
//! LSP specification asks.

pub mod fast_hash;
pub mod similar;

use std::ops::Range;
use std::sync::OnceLock;

/// A byte range into a document's text.
pub type TextRange = Range<usize>;

/// How columns are counted at the edge.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Encoding {
    /// Bytes of UTF-8 (LSP `utf-8`).
    Utf8,
    /// UTF-16 code units (LSP `utf-16`, the protocol's default).
    #[default]
    Utf16,
}

/// A zero-based line and column pair; the column unit depends on the [`Encoding`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default)]
pub struct LineCol {
    pub line: u32,
    pub col: u32,
}

/// Line starts of a text, for offset conversions. Build once per document version.
#[derive(Debug, Clone)]
pub struct LineIndex {
    /// Byte offset where each line starts; `line_starts[0] == 0`.
    line_starts: Vec<usize>,
    len: usize,
    /// Running UTF-16 and character counts every [`CHECKPOINT_BYTES`], built on the first
    /// column conversion far from a line start. Without them, a column on a 1 MB line costs a
    /// scan of the line, and 100,000 diagnostics on that line cost hours.
    checkpoints: OnceLock<Vec<Checkpoint>>,
}

/// Bytes between two [`Checkpoint`]s; also the longest segment counted without them.
const CHECKPOINT_BYTES: usize = 4096;

/// Counts from the start of the text up to `byte` (a char boundary).
#[derive(Debug, Clone, Copy)]
struct Checkpoint {
    byte: usize,
    utf16: usize,
    chars: usize,
}

impl LineIndex {
    pub fn new(text: &str) -> Self {
        let mut line_starts = vec![0];
        let bytes = text.as_bytes();
        // Every version of an open document builds one, so the breaks are found with SIMD
        // (at 20,000 lines a byte loop took half a millisecond per keystroke).
        for i in memchr::memchr2_iter(b'\n', b'\r', bytes) {
            // A lone CR is a line break for YAML and LSP; CRLF counts once, at the LF.
            if bytes.get(i) == Some(&b'\n') || bytes.get(i + 1) != Some(&b'\n') {
                line_starts.push(i + 1);
            }
        }
        LineIndex {
            line_starts,
            len: text.len(),
            checkpoints: OnceLock::new(),
        }
    }

    /// UTF-16 units and characters in `text[..offset]` (`offset` a char boundary).
    fn counts_to(&self, text: &str, offset: usize) -> (usize, usize) {
        let checkpoints = self.checkpoints.get_or_init(|| {
            let mut out = vec![Checkpoint {
                byte: 0,
                utf16: 0,
                chars: 0,
            }];
            let mut at = 0;
            let (mut utf16, mut chars) = (0, 0);
            while at < text.len() {
                let next = floor_char_boundary(text, at + CHECKPOINT_BYTES);
                let next = if next <= at { text.len() } else { next };
                for ch in text[at..next].chars() {
                    utf16 += ch.len_utf16();
                    chars += 1;
                }
                at = next;
                out.push(Checkpoint {
                    byte: at,
                    utf16,
                    chars,
                });
            }
            out
        });
        // The last checkpoint at or before `offset`.
        let i = checkpoints
            .partition_point(|c| c.byte <= offset)
            .saturating_sub(1);
        let Some(c) = checkpoints.get(i) else {
            return (0, 0);
        };
        let rest = text.get(c.byte..offset).unwrap_or("");
        (
            c.utf16 + rest.chars().map(char::len_utf16).sum::<usize>(),
            c.chars + rest.chars().count(),
        )
    }

    /// The column of `offset` in characters (Unicode scalar values), for human output.
    pub fn char_col(&self, text: &str, offset: usize) -> usize {
        let offset = floor_char_boundary(text, offset.min(self.len));
        let start = self.line_starts[self.line_of(offset)];
        if offset - start <= CHECKPOINT_BYTES {
            return text[start..offset].chars().count();
        }
        self.counts_to(text, offset).1 - self.counts_to(text, start).1
    }

    pub fn line_count(&self) -> usize {
        self.line_starts.len()
    }

    /// Byte range of a line's content, without its line terminator.
    pub fn line_range(&self, text: &str, line: usize) -> TextRange {
        let line = line.min(self.line_starts.len() - 1);
        let start = self.line_starts[line];
        let mut end = self.line_starts.get(line + 1).copied().unwrap_or(self.len);
        let bytes = text.as_bytes();
        while end > start && matches!(bytes.get(end - 1), Some(b'\n' | b'\r')) {
            end -= 1;
        }
        start..end
    }

    /// The zero-based line that contains `offset` (clamped to the text).
    pub fn line_of(&self, offset: usize) -> usize {
        let offset = offset.min(self.len);
        match self.line_starts.binary_search(&offset) {
            Ok(line) => line,
            Err(next) => next - 1,
        }
    }

    /// Converts a byte offset to a line and column in `enc`. An offset inside a multi-byte
    /// character is moved back to the character's start.
    pub fn to_line_col(&self, text: &str, offset: usize, enc: Encoding) -> LineCol {
        let offset = floor_char_boundary(text, offset.min(self.len));
        let line = self.line_of(offset);
        let start = self.line_starts[line];
        // An offset between the `\r` and `\n` of a CRLF has no LSP position: it is the line's
        // end (found by fuzzing: it used to come out one column past the end).
        let offset = offset.min(self.line_range(text, line).end);
        let segment = &text[start..offset];
        let col = match enc {
            Encoding::Utf8 => segment.len(),
            Encoding::Utf16 if segment.len() <= CHECKPOINT_BYTES => {
                segment.chars().map(char::len_utf16).sum()
            }
            Encoding::Utf16 => self.counts_to(text, offset).0 - self.counts_to(text, start).0,
        };
        LineCol {
            line: line as u32,
            col: col as u32,
        }
    }

    /// Converts a line and column in `enc` to a byte offset. Lines past the end clamp to the end
    /// of the text; columns past the end of a line clamp to the line's end; a column inside a
    /// character (e.g. half of a surrogate pair) moves to the character's start.
    pub fn to_offset(&self, text: &str, pos: LineCol, enc: Encoding) -> usize {
        let line = pos.line as usize;
        if line >= self.line_starts.len() {
            return self.len;
        }
        let range = self.line_range(text, line);
        let content = &text[range.clone()];
        let want = pos.col as usize;
        match enc {
            Encoding::Utf8 => range.start + floor_char_boundary(content, want.min(content.len())),
            Encoding::Utf16 => {
                let mut units = 0;
                for (i, ch) in content.char_indices() {
                    let next = units + ch.len_utf16();
                    if next > want {
                        return range.start + i;
                    }
                    units = next;
                }
                range.end
            }
        }
    }
}

/// The byte offset where the line holding `offset` starts (after the previous `\n`).
pub fn line_start(text: &str, offset: usize) -> usize {
    text[..offset.min(text.len())]
        .rfind('\n')
        .map_or(0, |i| i + 1)
}

/// The byte offset where the line after the one holding `offset` starts, or the text's end.
pub fn next_line_start(text: &str, offset: usize) -> usize {
    text[offset.min(text.len())..]
        .find('\n')
        .map_or(text.len(), |i| offset + i + 1)
}

/// Start and end (before the line break) of the line containing `offset`.
pub fn line_bounds(source: &str, offset: usize) -> (usize, usize) {
    let offset = floor_char_boundary(source, offset);
    let start = source[..offset].rfind('\n').map_or(0, |i| i + 1);
    let end = source[offset..]
        .find('\n')
        .map_or(source.len(), |i| offset + i);
    (start, end)
}

/// The largest char boundary not greater than `offset`.
pub fn floor_char_boundary(text: &str, offset: usize) -> usize {
    let mut offset = offset.min(text.len());
    while offset > 0 && !text.is_char_boundary(offset) {
        offset -= 1;
    }
    offset
}

/// A seeded xorshift generator for the crate's randomised tests (random edits, random line
/// breaks, random message bodies): `next(n)` is in `0..n`.
#[cfg(test)]
pub(crate) fn test_rng(mut seed: u64) -> impl FnMut(usize) -> usize {
    move |n| {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        (seed % n.max(1) as u64) as usize
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_offset_inside_a_crlf_is_the_end_of_its_line() {
        let text = "ab\r\ncd\r\n";
        let index = LineIndex::new(text);
        for enc in [Encoding::Utf8, Encoding::Utf16] {
            assert_eq!(index.to_line_col(text, 3, enc), LineCol { line: 0, col: 2 });
            assert_eq!(index.to_line_col(text, 2, enc), LineCol { line: 0, col: 2 });
            assert_eq!(index.to_line_col(text, 4, enc), LineCol { line: 1, col: 0 });
        }
    }

    #[test]
    fn columns_on_very_long_lines_match_a_plain_count() {
        // Astral, BMP and ASCII characters across many checkpoints, on two long lines.
        let unit = "ab😀é中 ";
        let text = format!("x\n{}\r\n{}\n", unit.repeat(3000), unit.repeat(2500));
        let index = LineIndex::new(&text);
        for offset in (0..text.len()).step_by(997).chain([text.len()]) {
            let offset = floor_char_boundary(&text, offset);
            let line = index.line_of(offset);
            let start = index.line_starts[line];
            let segment = &text[start..offset];
            let lc = index.to_line_col(&text, offset, Encoding::Utf16);
            assert_eq!(lc.line as usize, line);
            let utf16: usize = segment.chars().map(char::len_utf16).sum();
            assert_eq!(lc.col as usize, utf16, "at {offset}");
            assert_eq!(index.char_col(&text, offset), segment.chars().count());
        }
    }

    #[test]
    fn utf16_columns_count_surrogate_pairs_as_two() {
        let text = "a: \"héllo 😀 wörld\"\nb: 1\n";
        let idx = LineIndex::new(text);
        let w = text.find('w').unwrap_or(0);
        let lc = idx.to_line_col(text, w, Encoding::Utf16);
        assert_eq!(lc, LineCol { line: 0, col: 13 });
        assert_eq!(idx.to_offset(text, lc, Encoding::Utf16), w);
        let lc8 = idx.to_line_col(text, w, Encoding::Utf8);
        assert_eq!(lc8.col as usize, w);
    }

    #[test]
    fn half_a_surrogate_pair_moves_to_the_character_start() {
        let text = "😀x";
        let idx = LineIndex::new(text);
        assert_eq!(
            idx.to_offset(text, LineCol { line: 0, col: 1 }, Encoding::Utf16),
            0
        );
        assert_eq!(
            idx.to_offset(text, LineCol { line: 0, col: 2 }, Encoding::Utf16),
            4
        );
    }

    #[test]
    fn line_starts_match_a_byte_by_byte_reading() {
        fn plain(text: &str) -> Vec<usize> {
            let bytes = text.as_bytes();
            let mut starts = vec![0];
            for (i, b) in bytes.iter().enumerate() {
                let lone_cr = *b == b'\r' && bytes.get(i + 1) != Some(&b'\n');
                if *b == b'\n' || lone_cr {
                    starts.push(i + 1);
                }
            }
            starts
        }
        let pieces = ["a", "\n", "\r", "\r\n", "é", "\n\r", "  key: v", ""];
        let mut next = test_rng(7);
        for _ in 0..2000 {
            let mut text = String::new();
            for _ in 0..next(9) {
                text.push_str(pieces[next(pieces.len())]);
            }
            assert_eq!(LineIndex::new(&text).line_starts, plain(&text), "{text:?}");
        }
    }

    #[test]
    fn crlf_and_lone_cr_are_line_breaks() {
        let text = "a\r\nb\rc\n";
        let idx = LineIndex::new(text);
        assert_eq!(idx.line_count(), 4);
        assert_eq!(idx.line_range(text, 0), 0..1);
        assert_eq!(
            idx.to_line_col(text, 3, Encoding::Utf16),
            LineCol { line: 1, col: 0 }
        );
        assert_eq!(
            idx.to_line_col(text, 5, Encoding::Utf16),
            LineCol { line: 2, col: 0 }
        );
    }

    #[test]
    fn positions_past_the_end_are_clamped() {
        let text = "ab\ncd";
        let idx = LineIndex::new(text);
        assert_eq!(
            idx.to_offset(text, LineCol { line: 0, col: 99 }, Encoding::Utf16),
            2
        );
        assert_eq!(
            idx.to_offset(text, LineCol { line: 9, col: 0 }, Encoding::Utf8),
            5
        );
        assert_eq!(
            idx.to_line_col(text, 999, Encoding::Utf8),
            LineCol { line: 1, col: 2 }
        );
    }
}
