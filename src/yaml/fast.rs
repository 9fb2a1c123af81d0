//! A fast path for the plain block YAML that most pod templates are: a line scanner that emits
//! the same events, with the same byte spans, as granit-parser does for that subset, or gives up.
//!
//! granit-parser scans about 20 MB/s; a pod template written by hand or generated is nearly always
//! block mappings and lists of one-line plain or quoted scalars with comments, which a scanner
//! that looks at each line once reads several times faster. Anything outside that subset (flow
//! collections other than `{}` and `[]`, anchors, aliases, tags, block scalars, multi-line
//! scalars, escapes, quoted keys, document markers, directives, tabs, carriage returns, control
//! characters, wrong indentation) makes [`scan`] return `None` before the caller keeps anything,
//! and the caller parses the text with granit-parser. So the fast path can only be slower to say
//! no, never different: the tests compare its tree with granit-parser's on every fixture and on
//! random edits of a template.

use std::borrow::Cow;

use granit_parser::{Event, Marker, ScalarStyle, Span, StructureStyle};

/// Longest implicit key granit-parser accepts (YAML 1.2 limits implicit keys to 1024
/// characters); a longer one goes to granit-parser, which reports it.
const MAX_KEY: usize = 1000;

/// Deepest nesting the fast path follows; deeper text goes to granit-parser, which enforces
/// [`super::build::MAX_DEPTH`].
const MAX_NESTING: usize = 100;

/// Scans `text` and hands each event to `emit`, in granit-parser's order and with its spans.
/// `None` when the text is outside the subset; the events emitted until then must be dropped.
/// Generic over the receiver, so the builder's event handling is inlined into the scan instead
/// of called through a pointer for each of the several events a line makes.
pub(super) fn scan<'a, E: FnMut(Event<'a>, Span)>(text: &'a str, emit: &mut E) -> Option<()> {
    if !simple_characters(text) {
        return None;
    }
    let mut s = Scanner {
        text,
        emit,
        stack: Vec::new(),
        pending: None,
        max_next: None,
        root: false,
    };
    s.run()
}

/// No tab, carriage return, control character, byte order mark or Unicode line break: each
/// of these needs granit-parser's rules (indentation, line breaks, printable characters).
fn simple_characters(text: &str) -> bool {
    // Whole chunks without a short-circuit per byte, so the compiler checks many bytes per
    // instruction; a bad chunk ends the scan.
    let ascii_ok = text.as_bytes().chunks(64).all(|chunk| {
        chunk
            .iter()
            .fold(true, |ok, &b| ok & (b == b'\n' || (b >= 0x20 && b != 0x7f)))
    });
    ascii_ok
        && (text.is_ascii()
            || text.chars().all(|c| {
                (c == '\n' || !c.is_control())
                    && !matches!(c, '\u{feff}' | '\u{85}' | '\u{2028}' | '\u{2029}')
            }))
}

#[derive(Clone, Copy)]
enum Open {
    Map(usize),
    /// A block list at a column; `indentless` when it sits at its key's column (`key:\n- a`).
    Seq {
        indent: usize,
        indentless: bool,
    },
}

/// A `key:` or `-` with nothing after it on its line: its value is the block the next lines
/// open, or null.
#[derive(Clone, Copy)]
enum Pending {
    /// The key's column and its colon's offset (where granit puts an empty value).
    Key { indent: usize, colon: usize },
    /// The dash's column and its line's end (where granit puts an empty item).
    Item { indent: usize, line_end: usize },
}

struct Scanner<'a, 'e, E> {
    text: &'a str,
    emit: &'e mut E,
    stack: Vec<Open>,
    pending: Option<Pending>,
    /// After a value on its key's line, the deepest column the next line may start at: a deeper
    /// one continues a multi-line scalar, or is an error.
    max_next: Option<usize>,
    /// Whether the root collection was opened.
    root: bool,
}

fn at(offset: usize) -> Marker {
    Marker::new(0, 0, 0).with_byte_offset(Some(offset))
}

fn span(start: usize, end: usize) -> Span {
    Span::new(at(start), at(end))
}

impl<'a, E: FnMut(Event<'a>, Span)> Scanner<'a, '_, E> {
    fn put(&mut self, event: Event<'a>, start: usize, end: usize) {
        (self.emit)(event, span(start, end));
    }

    fn scalar(&mut self, value: Cow<'a, str>, style: ScalarStyle, start: usize, end: usize) {
        self.put(Event::Scalar(value, style, 0, None), start, end);
    }

    fn null(&mut self, at: usize) {
        self.scalar(Cow::Borrowed("~"), ScalarStyle::Plain, at, at);
    }

    fn run(&mut self) -> Option<()> {
        let text = self.text;
        self.put(Event::StreamStart, 0, 0);
        self.put(Event::DocumentStart(false, None), 0, 0);
        let mut ls = 0;
        while ls < text.len() {
            // memchr's own search: `str::find` wraps it in a char searcher that costs more
            // than the search on a pod template's short lines.
            let le = memchr::memchr(b'\n', &text.as_bytes()[ls..]).map_or(text.len(), |i| ls + i);
            self.line(ls, le)?;
            ls = le + 1;
        }
        if !self.root {
            return None;
        }
        let end = text.len();
        self.resolve_pending();
        while let Some(open) = self.stack.pop() {
            self.close(open, end);
        }
        self.put(Event::DocumentEnd, end, end);
        self.put(Event::StreamEnd, end, end);
        Some(())
    }

    fn close(&mut self, open: Open, at: usize) {
        let event = match open {
            Open::Map(_) => Event::MappingEnd,
            Open::Seq { .. } => Event::SequenceEnd,
        };
        self.put(event, at, at);
    }

    /// Emits the null of a pending `key:` or `-` that no nested block follows.
    fn resolve_pending(&mut self) {
        match self.pending.take() {
            Some(Pending::Key { colon, .. }) => self.null(colon),
            Some(Pending::Item { line_end, .. }) => self.null(line_end),
            None => {}
        }
    }

    fn line(&mut self, ls: usize, le: usize) -> Option<()> {
        let text = self.text;
        let line = &text[ls..le];
        let indent = line.bytes().take_while(|&b| b == b' ').count();
        let rest = &line[indent..];
        if rest.is_empty() || rest.starts_with('#') {
            return Some(());
        }
        if indent == 0 && (marker(rest, "---") || marker(rest, "...") || rest.starts_with('%')) {
            return None;
        }
        if self.max_next.take().is_some_and(|max| indent > max) {
            return None;
        }
        let start = ls + indent;
        let item = rest == "-" || rest.starts_with("- ");
        // Does this line open the block of a pending `key:` or `-`?
        let opens = match self.pending {
            Some(Pending::Key { indent: key, .. }) => {
                if indent > key {
                    Some(false)
                } else if indent == key && item {
                    Some(true)
                } else {
                    None
                }
            }
            Some(Pending::Item { indent: dash, .. }) => (indent > dash).then_some(false),
            None => None,
        };
        if let Some(indentless) = opens {
            self.pending = None;
            return self.open(start, le, indent, item, indentless);
        }
        self.resolve_pending();
        while let Some(&open) = self.stack.last() {
            let deeper = match open {
                Open::Map(i) => i > indent,
                Open::Seq {
                    indent: i,
                    indentless,
                } => i > indent || (indentless && i == indent && !item),
            };
            if !deeper {
                break;
            }
            self.stack.pop();
            self.close(open, start);
        }
        match self.stack.last() {
            Some(&Open::Map(i)) if i == indent && !item => self.entry(start, le, indent),
            Some(&Open::Seq { indent: i, .. }) if i == indent && item => {
                self.item(start, le, indent)
            }
            None if !self.root => {
                self.root = true;
                self.open(start, le, indent, item, false)
            }
            _ => None,
        }
    }

    /// Opens a block collection whose first line starts at `start` (column `indent`).
    fn open(
        &mut self,
        start: usize,
        le: usize,
        indent: usize,
        item: bool,
        indentless: bool,
    ) -> Option<()> {
        if self.stack.len() >= MAX_NESTING {
            return None;
        }
        if item {
            // granit starts an indentless list at its first item's content, any other at its
            // first dash; an indentless list whose first item is empty is left to it.
            let at = if indentless {
                let content = start
                    + 1
                    + self.text[start + 1..le]
                        .bytes()
                        .take_while(|&b| b == b' ')
                        .count();
                if content == le || self.text.as_bytes()[content] == b'#' {
                    return None;
                }
                content
            } else {
                start
            };
            self.put(Event::SequenceStart(StructureStyle::Block, 0, None), at, at);
            self.stack.push(Open::Seq { indent, indentless });
            self.item(start, le, indent)
        } else {
            self.put(
                Event::MappingStart(StructureStyle::Block, 0, None),
                start,
                start,
            );
            self.stack.push(Open::Map(indent));
            self.entry(start, le, indent)
        }
    }

    /// A `key: value` or `key:` line part starting at `start`, column `indent`.
    fn entry(&mut self, start: usize, le: usize, indent: usize) -> Option<()> {
        let text = self.text;
        let line = &text[start..le];
        let colon = key_colon(line)?;
        let key = &line[..colon];
        if !plain_key(key) {
            return None;
        }
        self.scalar(Cow::Borrowed(key), ScalarStyle::Plain, start, start + colon);
        let after = start + colon + 1;
        let v = after + text[after..le].bytes().take_while(|&b| b == b' ').count();
        if v == le || text.as_bytes()[v] == b'#' {
            self.pending = Some(Pending::Key {
                indent,
                colon: start + colon,
            });
            return Some(());
        }
        self.value(v, le, indent)
    }

    /// A `-` line part starting at `start` (the dash), column `indent`.
    fn item(&mut self, start: usize, le: usize, indent: usize) -> Option<()> {
        let text = self.text;
        let bytes = text.as_bytes();
        let after = start + 1;
        let v = after + text[after..le].bytes().take_while(|&b| b == b' ').count();
        if v == le || bytes[v] == b'#' {
            self.pending = Some(Pending::Item {
                indent,
                line_end: le,
            });
            return Some(());
        }
        if bytes[v] == b'-' && (v + 1 == le || bytes[v + 1] == b' ') {
            return None;
        }
        let content = &text[v..le];
        if !content.starts_with(['"', '\'']) && key_colon(content).is_some() {
            // `- key: value`: a mapping at the key's column.
            let column = indent + (v - start);
            if self.stack.len() >= MAX_NESTING {
                return None;
            }
            self.put(Event::MappingStart(StructureStyle::Block, 0, None), v, v);
            self.stack.push(Open::Map(column));
            return self.entry(v, le, column);
        }
        self.value(v, le, indent)
    }

    /// A value that starts at `v` on the line ending at `le`, owned by a key or dash at column
    /// `owner`: a quoted or plain scalar, or an empty flow collection.
    fn value(&mut self, v: usize, le: usize, owner: usize) -> Option<()> {
        let text = self.text;
        let rest = &text[v..le];
        let first = rest.as_bytes()[0];
        let end = match first {
            b'"' | b'\'' => {
                let (value, len) = quoted(rest)?;
                let style = if first == b'"' {
                    ScalarStyle::DoubleQuoted
                } else {
                    ScalarStyle::SingleQuoted
                };
                self.scalar(value, style, v, v + len);
                v + len
            }
            b'{' => {
                if !rest.starts_with("{}") {
                    return None;
                }
                self.put(Event::MappingStart(StructureStyle::Flow, 0, None), v, v + 1);
                self.put(Event::MappingEnd, v + 1, v + 2);
                v + 2
            }
            b'[' => self.flow_list(v, le)?,
            b'&' | b'*' | b'!' | b'|' | b'>' | b'%' | b'@' | b'`' | b',' | b']' | b'}' | b'#' => {
                return None
            }
            _ => {
                let token = plain_token(rest)?;
                self.scalar(Cow::Borrowed(token), ScalarStyle::Plain, v, v + token.len());
                v + token.len()
            }
        };
        // After a quoted scalar or `{}`: only spaces, then an optional comment.
        let tail = &text[end..le];
        let trimmed = tail.trim_start_matches(' ');
        if !(trimmed.is_empty() || (trimmed.starts_with('#') && trimmed.len() < tail.len())) {
            return None;
        }
        self.max_next = Some(owner);
        Some(())
    }
}

impl<'a, E: FnMut(Event<'a>, Span)> Scanner<'a, '_, E> {
    /// A one-line flow list of scalars at `v` (`["4Gi", "8Gi"]`, `[a, b]`, `[]`); returns the
    /// offset after its `]`. Nested collections, a trailing comma and anything unusual in an
    /// item go to granit-parser.
    fn flow_list(&mut self, v: usize, le: usize) -> Option<usize> {
        let text = self.text;
        let bytes = text.as_bytes();
        let spaces = |i: usize| i + text[i..le].bytes().take_while(|&b| b == b' ').count();
        self.put(
            Event::SequenceStart(StructureStyle::Flow, 0, None),
            v,
            v + 1,
        );
        let mut i = spaces(v + 1);
        if bytes.get(i) == Some(&b']') {
            self.put(Event::SequenceEnd, i, i + 1);
            return Some(i + 1);
        }
        loop {
            let rest = &text[i..le];
            let first = *rest.as_bytes().first()?;
            let (value, style, len) = match first {
                b'"' => {
                    let (value, len) = quoted(rest)?;
                    (value, ScalarStyle::DoubleQuoted, len)
                }
                b'\'' => {
                    let (value, len) = quoted(rest)?;
                    (value, ScalarStyle::SingleQuoted, len)
                }
                _ => {
                    let token = flow_token(rest)?;
                    (Cow::Borrowed(token), ScalarStyle::Plain, token.len())
                }
            };
            self.scalar(value, style, i, i + len);
            i = spaces(i + len);
            match bytes.get(i) {
                Some(b',') if i < le => i = spaces(i + 1),
                Some(b']') if i < le => {
                    self.put(Event::SequenceEnd, i, i + 1);
                    return Some(i + 1);
                }
                _ => return None,
            }
        }
    }
}

/// The value and length of the quoted scalar that opens `rest` and closes on its line: a
/// single-quoted one with its `''` escapes, or a double-quoted one without a backslash.
fn quoted(rest: &str) -> Option<(Cow<'_, str>, usize)> {
    if let Some(body) = rest.strip_prefix('"') {
        let inner = &body[..body.find('"')?];
        return (!inner.contains('\\')).then_some((Cow::Borrowed(inner), inner.len() + 2));
    }
    let bytes = rest.as_bytes();
    let mut i = 1;
    let close = loop {
        let q = rest.get(i..)?.find('\'')? + i;
        if bytes.get(q + 1) == Some(&b'\'') {
            i = q + 2;
            continue;
        }
        break q;
    };
    let inner = &rest[1..close];
    let value = if inner.contains("''") {
        Cow::Owned(inner.replace("''", "'"))
    } else {
        Cow::Borrowed(inner)
    };
    Some((value, close + 1))
}

/// A plain item of a flow list: letters, digits and `-._/+=@~%^`, starting with a letter,
/// digit, `_`, `.` or `/` (or a `-` before one of these).
fn flow_token(rest: &str) -> Option<&str> {
    let ok = |b: u8| b.is_ascii_alphanumeric() || b"-._/+=@~%^".contains(&b);
    let len = rest.bytes().take_while(|&b| ok(b)).count();
    let token = &rest[..len];
    let bytes = token.as_bytes();
    let starts = |b: u8| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'/');
    let first_ok = match bytes.first()? {
        b'-' => bytes.get(1).is_some_and(|&b| starts(b)),
        &b => starts(b),
    };
    first_ok.then_some(token)
}

/// Whether `rest` (a line from its first non-space) is the document marker `---` or `...`.
fn marker(rest: &str, m: &str) -> bool {
    rest.strip_prefix(m)
        .is_some_and(|after| after.is_empty() || after.starts_with(' '))
}

/// The offset of the colon that ends a plain key at the start of `line`: the first `:`
/// followed by a space or the line's end, before any comment.
fn key_colon(line: &str) -> Option<usize> {
    let bytes = line.as_bytes();
    for (i, &b) in bytes.iter().enumerate() {
        match b {
            b':' if bytes.get(i + 1).is_none_or(|&n| n == b' ') => return Some(i),
            b'#' if i > 0 && bytes[i - 1] == b' ' => return None,
            _ => {}
        }
    }
    None
}

/// A key the fast path reads like granit-parser does: a plain scalar that starts with a
/// letter, digit, `_`, `.`, `/` or `$` (or any non-ASCII character), holds no flow indicator
/// or quote, does not end in a space, and is not too long.
fn plain_key(key: &str) -> bool {
    let Some(&first) = key.as_bytes().first() else {
        return false;
    };
    (first.is_ascii_alphanumeric() || matches!(first, b'_' | b'.' | b'/' | b'$') || first >= 0x80)
        && key.len() <= MAX_KEY
        && !key.ends_with(' ')
        && !key
            .bytes()
            .any(|b| matches!(b, b',' | b'[' | b']' | b'{' | b'}' | b'"' | b'\''))
}

/// The plain scalar at the start of `rest`: up to a comment or the line's end, without trailing
/// spaces; `None` when it holds what would make it something else (`: `, a flow indicator) or
/// starts with an indicator that needs a space after it to be one.
fn plain_token(rest: &str) -> Option<&str> {
    let bytes = rest.as_bytes();
    if matches!(bytes[0], b'-' | b'?' | b':') && bytes.get(1).is_none_or(|&b| b == b' ') {
        return None;
    }
    let mut end = bytes.len();
    for (i, &b) in bytes.iter().enumerate() {
        match b {
            b'#' if i > 0 && bytes[i - 1] == b' ' => {
                end = i;
                break;
            }
            b':' if bytes.get(i + 1).is_none_or(|&n| n == b' ') => return None,
            b',' | b'[' | b']' | b'{' | b'}' => return None,
            _ => {}
        }
    }
    let token = rest[..end].trim_end_matches(' ');
    (!token.is_empty()).then_some(token)
}

#[cfg(test)]
mod tests {
    use super::super::build;
    use super::simple_characters;

    #[test]
    fn one_bad_byte_anywhere_fails_the_character_check() {
        // The check works on 64-byte chunks: put the bad byte at every place around their edges.
        let clean = "a: b\n".repeat(40);
        assert!(simple_characters(&clean));
        for bad in [
            "\t", "\r", "\u{1}", "\u{7f}", "\u{85}", "\u{feff}", "\u{2028}",
        ] {
            for at in [
                0,
                1,
                62,
                63,
                64,
                65,
                127,
                128,
                129,
                clean.len() - 1,
                clean.len(),
            ] {
                let text = format!("{}{bad}{}", &clean[..at], &clean[at..]);
                assert!(!simple_characters(&text), "{bad:?} at {at}");
            }
        }
        assert!(simple_characters("é: ü ~ \u{7e}\n"));
    }

    /// The fast path's stream for `text`, if it takes the text, against granit-parser's.
    fn agrees(text: &str) -> bool {
        match build::parse_fast(text) {
            Some(fast) => {
                let slow = build::parse_granit(text);
                assert_eq!(format!("{fast:?}"), format!("{slow:?}"), "{text:?}");
                true
            }
            None => false,
        }
    }

    #[test]
    fn the_block_subset_reads_as_granit_reads_it() {
        let texts = [
            "a: 1\nb:\n  c: x y  # c\n  d:\n  e: \"q\"\nl:\n- 1\n-   two\n- k: v\n  k2: {}\n  k3: []\nm:\n  - n\n\n# end\n",
            "- a\n-\n- \n-   # c\n- k:\n  j: {}\n-\n  - q\n",
            "a:\n  - x\n  -\nb: 'it''s'   \nc: x   \nd:   # c\ne: 1",
            "# head\n\nspec:\n  containers:\n    - name: main\n      image: ghcr.io/x:1\n      args: []\n",
            "a: b\n",
            "  a: 1\n  b: 2\n",
            "k:\n- k: v\n  j: 2\n- x\n",
            "a: é\nb: 'x # y'\nc: \"x: y\"\n",
            "a: [\"4Gi\", y , z]  # c\nb: [ ]\nc: [x,y]\nd: ['a''b', -1, .5]\n",
        ];
        for t in texts {
            assert!(agrees(t), "{t:?}");
        }
    }

    #[test]
    fn anything_else_goes_to_granit() {
        let texts = [
            "a: [1, [2]]\n",
            "a: [1, 2,]\n",
            "a: {b: 1}\n",
            "a: &x 1\nb: *x\n",
            "a: |\n  x\n",
            "a: x\n  y\n",
            "a: \"x\\ny\"\n",
            "\"a\": 1\n",
            "---\na: 1\n",
            "a:\tb\n",
            "a: 1\r\n",
            "a: 1\n b: 2\n",
            "a: b: c\n",
            "- - x\n",
            "",
            "# only a comment\n",
            "a: !!str 1\n",
            "k:\n-\n- x\n",
        ];
        for t in texts {
            assert!(!agrees(t), "{t:?}");
        }
    }

    /// Every fixture and example: where the fast path takes a file, its tree is granit's.
    #[test]
    fn every_fixture_reads_the_same() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut taken = 0;
        let mut files = 0;
        for dir in ["tests", "examples"] {
            for entry in walkdir::WalkDir::new(root.join(dir)).into_iter().flatten() {
                let path = entry.path();
                if !matches!(
                    path.extension().and_then(|e| e.to_str()),
                    Some("yaml" | "yml")
                ) {
                    continue;
                }
                let Ok(text) = std::fs::read_to_string(path) else {
                    continue;
                };
                files += 1;
                taken += usize::from(agrees(&text));
            }
        }
        assert!(
            files > 50 && taken * 4 > files,
            "fast path took {taken} of {files} files"
        );
    }

    /// Random keystrokes into a template: whenever the fast path takes the result, it reads
    /// it as granit-parser does.
    #[test]
    fn random_edits_read_the_same() {
        const TYPED: &[&str] = &[
            "a", "1", " ", "  ", "-", "- ", ":", ": ", "#", " #", "'", "''", "\"", "\n", "\n  ",
            "\n- ", "{}", "[]", "{", "]", ",", "é", "?", "&", "*", "!", "|", ">", "%", "@", "~",
            "---", "\\", ".", "/", "$", "x: y", "k:\n", "- k: v\n", "[a, 'b']", ", ", "[", "]",
        ];
        let start = "apiVersion: v1\nkind: PodTemplate\ntemplate:\n  spec:\n    containers:\n      - name: main  # the app\n        image: 'ghcr.io/x:1'\n        command: [\"python\", -m, 'x']\n        args:\n        - --lr\n        - \"0.1\"\n        env:\n          - name: A\n            value:\n        resources: {}\n    volumes: []\n";
        let mut next = crate::text::test_rng(0x9e37_79b9_7f4a_7c15);
        let mut taken = 0;
        for _ in 0..5000 {
            // One to three edits of the template, so that most results are near the subset.
            let mut text = start.to_string();
            for _ in 0..1 + next(3) {
                let spots: Vec<usize> = (0..=text.len())
                    .filter(|&i| text.is_char_boundary(i))
                    .collect();
                let at = spots[next(spots.len())];
                if next(4) == 0 {
                    let end = spots.iter().copied().find(|&j| j > at).unwrap_or(at);
                    text.replace_range(at..end, "");
                } else {
                    text.insert_str(at, TYPED[next(TYPED.len())]);
                }
            }
            taken += usize::from(agrees(&text));
        }
        assert!(taken > 700, "fast path took only {taken} texts");
    }
}
