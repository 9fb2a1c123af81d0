//! The block structure of YAML text, read line by line from indentation: which list dashes
//! and which key each line opens, and the path of a node from the lines above it.
//!
//! This is what keeps completion working while the document does not parse. It handles block
//! style only; flow collections are left to the tree. It must never index past a line's end.

use std::borrow::Cow;

use crate::text::{floor_char_boundary, TextRange};

use super::{ListNames, Path, Segment};

pub(super) fn unquote(v: &str) -> &str {
    let t = v.trim();
    for q in ['"', '\''] {
        if let Some(inner) = t.strip_prefix(q).and_then(|s| s.strip_suffix(q)) {
            return inner;
        }
    }
    t
}

/// The text range of the document containing `offset`: between `---` markers. Comments
/// before a file's first `---` belong to the document it starts (where a modeline is written).
/// `None` when the cursor is on a marker line.
pub fn region_at(source: &str, offset: usize) -> Option<TextRange> {
    let offset = floor_char_boundary(source, offset);
    let (line_start, line_end) = line_bounds(source, offset);
    if is_marker(line_text(source, line_start, line_end)) {
        return None;
    }
    let mut start = 0;
    if let Some(ls) = marker_above(source, line_start) {
        let only_comments_above =
            lines_above(source, 0, ls).all(|(_, l)| shape(l).is_empty() && !is_marker(l));
        if !only_comments_above {
            start = line_after(source, ls);
        }
    }
    let end = marker_below(source, line_end).unwrap_or(source.len());
    Some(start..end.max(start))
}

/// The start of the nearest marker line above the line at `line_start`. Markers are rare and
/// most files have none, so this searches for a break followed by `---` or `...` (SIMD)
/// instead of reading every line.
fn marker_above(source: &str, line_start: usize) -> Option<usize> {
    let head = source.as_bytes().get(..line_start)?;
    let nearest = MARKER_BREAKS
        .into_iter()
        .filter_map(|pattern| {
            memchr::memmem::rfind_iter(head, pattern)
                .map(|i| i + 1)
                .find(|&ls| is_marker_line(source, ls))
        })
        .max();
    // The first line has no break before it.
    nearest.or_else(|| (line_start > 0 && is_marker_line(source, 0)).then_some(0))
}

/// The start of the nearest marker line below the line that ends at `line_end`.
fn marker_below(source: &str, line_end: usize) -> Option<usize> {
    let tail = source.as_bytes().get(line_end..)?;
    MARKER_BREAKS
        .into_iter()
        .filter_map(|pattern| {
            memchr::memmem::find_iter(tail, pattern)
                .map(|i| line_end + i + 1)
                .find(|&ls| is_marker_line(source, ls))
        })
        .min()
}

/// A break and the start of a marker: where a marker line may begin (after the break).
const MARKER_BREAKS: [&str; 2] = ["\n---", "\n..."];

/// Whether the line starting at `ls` is a marker line ([`is_marker`]).
fn is_marker_line(source: &str, ls: usize) -> bool {
    is_marker(line_text(source, ls, line_bounds(source, ls).1))
}

/// The start of the line after the one starting at `ls`.
pub(super) fn line_after(source: &str, ls: usize) -> usize {
    source[ls..].find('\n').map_or(source.len(), |i| ls + i + 1)
}

pub use crate::text::line_bounds;

pub(super) fn line_text(source: &str, start: usize, end: usize) -> &str {
    source[start..end].trim_end_matches('\r')
}

/// Lines above the one starting at `line_start`, nearest first, not above `floor`.
///
/// Completion reads a document this way on every request, often to its top, so the breaks
/// come from one SIMD search over the span rather than a search per line.
pub(super) fn lines_above(
    source: &str,
    floor: usize,
    line_start: usize,
) -> impl Iterator<Item = (usize, &str)> {
    // The line above ends at the break before `line_start`; every break found under it ends
    // the line before that.
    let mut end = (line_start > floor).then(|| line_start - 1);
    let top = end.unwrap_or(floor).min(source.len());
    let mut breaks = memchr::memrchr_iter(b'\n', &source.as_bytes()[floor.min(top)..top]);
    std::iter::from_fn(move || {
        let content_end = end?;
        let start = breaks.next().map_or(floor, |i| floor + i + 1);
        end = (start > floor).then(|| start - 1);
        Some((start, line_text(source, start, content_end)))
    })
}

/// Lines below the line that ends at `line_end` (its break, or the end of the text).
pub(super) fn lines_below(source: &str, line_end: usize) -> impl Iterator<Item = (usize, &str)> {
    let first = line_end + 1;
    let mut start = first;
    let mut breaks = memchr::memchr_iter(b'\n', source.as_bytes().get(first..).unwrap_or_default());
    std::iter::from_fn(move || {
        if start > source.len() {
            return None;
        }
        let end = breaks.next().map_or(source.len(), |i| first + i);
        let item = (start, line_text(source, start, end));
        start = end + 1;
        Some(item)
    })
}

/// The number of leading spaces.
pub(super) fn indent(line: &str) -> usize {
    line.bytes().take_while(|&b| b == b' ').count()
}

/// `---` or `...` at the start of a line.
pub(super) fn is_marker(line: &str) -> bool {
    (line.starts_with("---") || line.starts_with("..."))
        && line[3..].chars().next().is_none_or(char::is_whitespace)
}

/// What starts at a column of a line.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Opener<'a> {
    pub(super) col: usize,
    pub(super) kind: OpenerKind<'a>,
}

#[derive(Debug, Clone, PartialEq)]
pub(super) enum OpenerKind<'a> {
    /// `- `: a list item; its content follows on the same line or below.
    Item,
    /// `key:` with the value's column and text when it is on the same line.
    Key {
        name: Cow<'a, str>,
        /// The column just after the key's text.
        name_end: usize,
        value: Option<(usize, &'a str)>,
    },
    /// Anything else: a scalar, a flow collection, a tag.
    Scalar { end: usize },
}

/// The block structure a line opens: list dashes, then at most one key or scalar. A blank or
/// comment line opens nothing.
pub(super) fn shape(line: &str) -> Vec<Opener<'_>> {
    let bytes = line.as_bytes();
    let mut out = Vec::new();
    let mut i = bytes.iter().take_while(|&&b| b == b' ').count();
    while i < bytes.len() {
        match bytes[i] {
            b'#' => break,
            b'-' if bytes.get(i + 1).is_none_or(|b| *b == b' ' || *b == b'\t') => {
                out.push(Opener {
                    col: i,
                    kind: OpenerKind::Item,
                });
                i += 1;
                while i < bytes.len() && (bytes[i] == b' ' || bytes[i] == b'\t') {
                    i += 1;
                }
            }
            b'\t' => i += 1,
            _ => {
                out.push(key_or_scalar(line, i));
                break;
            }
        }
    }
    out
}

/// Reads `key: value` (or a scalar) starting at byte `i` of `line`.
pub(super) fn key_or_scalar(line: &str, i: usize) -> Opener<'_> {
    let bytes = line.as_bytes();
    let scalar = Opener {
        col: i,
        kind: OpenerKind::Scalar {
            end: line.trim_end().len().max(i),
        },
    };
    let (name, after): (Cow<'_, str>, usize) = match bytes[i] {
        q @ (b'"' | b'\'') => {
            let Some(close) = closing_quote(line, i) else {
                return scalar;
            };
            let raw = &line[i + 1..close];
            let name = if q == b'\'' {
                Cow::Owned(raw.replace("''", "'"))
            } else {
                Cow::Borrowed(raw)
            };
            let mut after = close + 1;
            while bytes.get(after) == Some(&b' ') {
                after += 1;
            }
            if !is_colon(bytes, after) {
                return scalar;
            }
            (name, after)
        }
        b'{' | b'[' | b'?' | b'|' | b'>' | b'*' | b'%' | b'@' | b'`' => return scalar,
        _ => {
            let mut j = i;
            loop {
                if j >= bytes.len() {
                    return scalar;
                }
                if bytes[j] == b'#' && j > i && matches!(bytes[j - 1], b' ' | b'\t') {
                    return scalar;
                }
                if is_colon(bytes, j) {
                    break;
                }
                j += 1;
            }
            (Cow::Borrowed(line[i..j].trim_end()), j)
        }
    };
    let name_end = i + name.len().max(1);
    let mut v = after + 1;
    while v < bytes.len() && matches!(bytes[v], b' ' | b'\t') {
        v += 1;
    }
    let text = strip_comment(&line[v..]);
    let value = (!text.is_empty() && !is_properties_only(text)).then_some((v, text));
    Opener {
        col: i,
        kind: OpenerKind::Key {
            name,
            name_end,
            value,
        },
    }
}

/// A `:` that ends a key: followed by a space, a tab or the end of the line.
pub(super) fn is_colon(bytes: &[u8], j: usize) -> bool {
    bytes.get(j) == Some(&b':') && bytes.get(j + 1).is_none_or(|b| *b == b' ' || *b == b'\t')
}

/// The index of the quote closing the one at `open`.
pub(super) fn closing_quote(line: &str, open: usize) -> Option<usize> {
    let bytes = line.as_bytes();
    let q = bytes[open];
    let mut j = open + 1;
    while j < bytes.len() {
        if q == b'"' && bytes[j] == b'\\' {
            j += 2;
            continue;
        }
        if bytes[j] == q {
            if q == b'\'' && bytes.get(j + 1) == Some(&b'\'') {
                j += 2;
                continue;
            }
            return Some(j);
        }
        j += 1;
    }
    None
}

/// A value without its trailing comment and whitespace.
pub(super) fn strip_comment(v: &str) -> &str {
    let bytes = v.as_bytes();
    let from = match bytes.first() {
        Some(b'"' | b'\'') => closing_quote(v, 0).map_or(v.len(), |c| c + 1),
        Some(b'#') => return "",
        _ => 0,
    };
    let cut = (from..bytes.len())
        .find(|&j| bytes[j] == b'#' && j > 0 && matches!(bytes[j - 1], b' ' | b'\t'))
        .unwrap_or(bytes.len());
    v[..cut].trim_end()
}

/// `&anchor`, `!tag` or both with nothing else: the value itself is on the next lines.
pub(super) fn is_properties_only(v: &str) -> bool {
    v.split_whitespace()
        .all(|t| t.starts_with('&') || t.starts_with('!'))
}

/// `|`, `>-`, `|2+`...: a block scalar header; the lines below are text, not structure.
pub(super) fn is_block_scalar(v: &str) -> bool {
    v.split_whitespace()
        .find(|t| !t.starts_with('&') && !t.starts_with('!'))
        .is_some_and(|t| {
            t.starts_with(['|', '>'])
                && t[1..]
                    .chars()
                    .all(|c| c == '+' || c == '-' || c.is_ascii_digit())
        })
}

/// The path of the node that starts at column `col` of the line at `line_start`, read from the
/// lines above. With `item`, that node is a list item and the path ends with its index;
/// otherwise it is a mapping key and the path is its mapping's. `siblings` collects the keys of
/// that mapping found above. `snap`: a column deeper than the key above it counts as that key's
/// column (the user's editor indented too far). `None` inside a block scalar or a broken shape.
pub(super) fn ancestors(
    source: &str,
    floor: usize,
    line_start: usize,
    mut col: usize,
    mut item: bool,
    mut siblings: Option<&mut Vec<String>>,
    mut snap: bool,
) -> Option<Path> {
    let mut rev: Path = Vec::new();
    let mut index = 0usize;
    let mut lines = lines_above(source, floor, line_start);
    let mut retry: Option<&str> = None;
    loop {
        let line = match retry.take() {
            Some(l) => l,
            None => match lines.next() {
                Some((_, l)) if !is_marker(l) => l,
                _ => break,
            },
        };
        // Deeper lines (most of a large document) are skipped without being read.
        if indent(line) > col {
            continue;
        }
        let openers = shape(line);
        let Some(first) = openers.first() else {
            continue;
        };
        if first.col > col {
            continue;
        }
        if first.col == col {
            match (&first.kind, item) {
                (OpenerKind::Item, true) => index += 1,
                (OpenerKind::Key { name, .. }, false) => {
                    if let Some(s) = siblings.as_deref_mut() {
                        s.push(name.to_string());
                    }
                }
                (
                    OpenerKind::Key {
                        name, value: None, ..
                    },
                    true,
                ) => {
                    // A list written at its key's indentation (`key:\n- a`).
                    rev.push(Segment::Item(index));
                    rev.push(Segment::Key(name.to_string()));
                    index = 0;
                    item = false;
                    siblings = None;
                }
                _ => {}
            }
            snap = false;
            continue;
        }
        // This line holds the parent of the node at `col`.
        let Some(pi) = openers.iter().rposition(|o| o.col < col) else {
            continue;
        };
        match &openers[pi].kind {
            OpenerKind::Key { value: Some(v), .. } if is_block_scalar(v.1) => return None,
            OpenerKind::Key { value: Some(_), .. } if snap && !item => {
                col = openers[pi].col;
                snap = false;
                retry = Some(line);
                continue;
            }
            OpenerKind::Scalar { .. } => return None,
            _ => {}
        }
        snap = false;
        for o in &openers[pi + 1..] {
            if o.col == col {
                match (&o.kind, item) {
                    (OpenerKind::Item, true) => index += 1,
                    (OpenerKind::Key { name, .. }, false) => {
                        if let Some(s) = siblings.as_deref_mut() {
                            s.push(name.to_string());
                        }
                    }
                    _ => {}
                }
            }
        }
        if item {
            rev.push(Segment::Item(index));
        }
        for (j, o) in openers[..=pi].iter().enumerate().rev() {
            match &o.kind {
                OpenerKind::Key { name, .. } => rev.push(Segment::Key(name.to_string())),
                // The first dash's index is counted from the lines above, next round.
                OpenerKind::Item if j > 0 => rev.push(Segment::Item(0)),
                _ => {}
            }
        }
        index = 0;
        col = first.col;
        item = first.kind == OpenerKind::Item;
        siblings = None;
    }
    if item {
        rev.push(Segment::Item(index));
    }
    rev.reverse();
    Some(rev)
}

/// The path of the node opened by `openers[j]` of the line at `line_start`: a key's value or a
/// list item.
pub(super) fn opener_path(
    source: &str,
    floor: usize,
    line_start: usize,
    openers: &[Opener<'_>],
    j: usize,
) -> Option<Path> {
    let first = openers.first()?;
    let first_item = first.kind == OpenerKind::Item;
    let mut path = ancestors(
        source, floor, line_start, first.col, first_item, None, false,
    )?;
    for (k, o) in openers[..=j].iter().enumerate() {
        match &o.kind {
            OpenerKind::Key { name, .. } => path.push(Segment::Key(name.to_string())),
            OpenerKind::Item if k > 0 => path.push(Segment::Item(0)),
            _ => {}
        }
    }
    Some(path)
}

/// The `name` values of the items of the block list at `path` (which ends with the list's
/// key), read from the text: what completion offers for `primary_container_name` and volume
/// mounts, without parsing the document.
pub fn list_names(source: &str, region: &TextRange, path: &[Segment]) -> ListNames {
    let Some((Segment::Key(list_key), parent)) = path.split_last() else {
        return ListNames::Missing;
    };
    let mut at = region.start;
    while at < region.end {
        let end = source[at..region.end]
            .find('\n')
            .map_or(region.end, |i| at + i);
        let line = line_text(source, at, end);
        let next = end + 1;
        if !line.contains(list_key.as_str()) {
            at = next;
            continue;
        }
        let openers = shape(line);
        let Some((j, col, value)) =
            openers
                .iter()
                .enumerate()
                .next_back()
                .and_then(|(j, o)| match &o.kind {
                    OpenerKind::Key { name, value, .. } if name == list_key => {
                        Some((j, o.col, value.is_some()))
                    }
                    _ => None,
                })
        else {
            at = next;
            continue;
        };
        let Some(found) = opener_path(source, region.start, at, &openers, j) else {
            at = next;
            continue;
        };
        if found.split_last().map(|(_, p)| p) != Some(parent) {
            at = next;
            continue;
        }
        if value {
            return ListNames::Flow;
        }
        return ListNames::Names(item_names(source, region, end, col));
    }
    ListNames::Missing
}

/// Reads the items of a block list whose key (at column `key_col`) ends at `key_end`.
fn item_names(source: &str, region: &TextRange, key_end: usize, key_col: usize) -> Vec<String> {
    let mut names = Vec::new();
    let mut dash: Option<usize> = None;
    let mut content: Option<usize> = None;
    for (ls, line) in lines_below(source, key_end) {
        if ls >= region.end || is_marker(line) {
            break;
        }
        let n = indent(line);
        if n == line.len() {
            continue;
        }
        let openers = shape(line);
        let Some(first) = openers.first() else {
            continue;
        };
        let dash_col = *dash.get_or_insert(first.col);
        if first.col < dash_col || dash_col < key_col {
            break;
        }
        if first.col == dash_col {
            if first.kind != OpenerKind::Item {
                break;
            }
            content = openers.get(1).map(|o| o.col).or(Some(dash_col + 2));
            if let Some(Opener {
                kind: OpenerKind::Key { name, value, .. },
                ..
            }) = openers.get(1)
            {
                if name == "name" {
                    names.extend(value.map(|(_, v)| unquote(v).to_string()));
                }
            }
            continue;
        }
        if Some(first.col) == content {
            if let OpenerKind::Key {
                name,
                value: Some((_, v)),
                ..
            } = &first.kind
            {
                if name == "name" {
                    names.push(unquote(v).to_string());
                }
            }
        }
    }
    names.retain(|n| !n.is_empty());
    names
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every line with its start offset, as `str::split` sees them.
    fn all_lines(source: &str) -> Vec<(usize, &str)> {
        let mut at = 0;
        source
            .split('\n')
            .map(|l| {
                let start = at;
                at += l.len() + 1;
                (start, l.trim_end_matches('\r'))
            })
            .collect()
    }

    #[test]
    fn lines_above_and_below_match_a_plain_split() {
        for source in [
            "",
            "\n",
            "a: 1",
            "a: 1\n",
            "a: 1\nb:\n  c: 2\n\n---\nd: 3",
            "a: 1\r\nb: 2\r\n",
            "\n\nx\n\n",
        ] {
            let lines = all_lines(source);
            for (i, &(start, _)) in lines.iter().enumerate() {
                for floor in lines.iter().map(|l| l.0).filter(|&f| f <= start) {
                    let above: Vec<_> = lines_above(source, floor, start).collect();
                    let expect: Vec<_> = lines[..i]
                        .iter()
                        .rev()
                        .copied()
                        .filter(|l| l.0 >= floor)
                        .collect();
                    assert_eq!(above, expect, "{source:?} above line {i} from {floor}");
                }
                let (_, end) = line_bounds(source, start);
                let below: Vec<_> = lines_below(source, end).collect();
                assert_eq!(below, lines[i + 1..], "{source:?} below line {i}");
            }
        }
    }

    /// `region_at` as it read every line: the nearest marker line above and below.
    fn region_by_lines(source: &str, offset: usize) -> Option<TextRange> {
        let (line_start, line_end) = line_bounds(source, offset);
        if is_marker(line_text(source, line_start, line_end)) {
            return None;
        }
        let mut start = 0;
        for (ls, line) in lines_above(source, 0, line_start) {
            if is_marker(line) {
                let only_comments_above =
                    lines_above(source, 0, ls).all(|(_, l)| shape(l).is_empty() && !is_marker(l));
                if !only_comments_above {
                    start = line_after(source, ls);
                }
                break;
            }
        }
        let end = lines_below(source, line_end)
            .find(|(_, l)| is_marker(l))
            .map_or(source.len(), |(ls, _)| ls);
        Some(start..end.max(start))
    }

    #[test]
    fn region_at_finds_the_markers_every_line_would() {
        for source in [
            "a: 1\n",
            "---\na: 1\n",
            "# c\n---\na: 1\n---\nb: 2\n...\n",
            "a: 1\n---x\n----\n... # end\nb: 2\n--- \nc: |\n  ---\n",
            "a: 1\r\n---\r\nb: 2\r\n",
            "x: 1\n---\n\n---\n",
            "---",
            "",
        ] {
            for offset in 0..=source.len() {
                assert_eq!(
                    region_at(source, offset),
                    region_by_lines(source, offset),
                    "{source:?} at {offset}"
                );
            }
        }
    }
}
