//! The YAML front end's side of the seam: [`YamlWriter`] turns the changes rules ask for into
//! YAML text, with the quoting the document's reader needs and the indentation of the
//! surrounding block; [`YamlSites`] answers where the cursor is.
//!
//! Block collections are edited line-wise; inside flow collections (`{a: 1}`, `[x]`) inserts
//! are refused (`None`) rather than risk breaking the document.

use serde_json::Value;

use super::cursor;
use super::emit::to_yaml;
use super::scalar::{read_plain_in, Dialect};
use crate::text::{line_start, next_line_start, TextRange};
use crate::tree::edit::{Edit, Writer};
use crate::tree::site::{CompletionSite, DocContext, HoverSite, ListNames, Segment, Sites};
use crate::tree::{DocKind, Node, Reading, ScalarStyle, Stream};

/// Writes YAML into one file's text.
pub struct YamlWriter<'a> {
    source: &'a str,
    stream: &'a Stream,
}

impl<'a> YamlWriter<'a> {
    pub fn new(source: &'a str, stream: &'a Stream) -> Self {
        YamlWriter { source, stream }
    }

    /// The reader of the document that holds `offset`.
    fn dialect_at(&self, offset: usize) -> Dialect {
        self.stream
            .documents
            .iter()
            .find(|d| d.span.start <= offset && offset <= d.span.end)
            .map_or(Dialect::Go, |d| Dialect::of(d.kind))
    }

    /// The column of the line's first character up to `at` (its indentation when `at` starts
    /// the line's content).
    fn column(&self, at: usize) -> usize {
        at - line_start(self.source, at)
    }

    /// True when `node` is a block collection: nothing but spaces and list dashes before its
    /// first child on that child's line.
    fn is_block(&self, first_child: usize) -> bool {
        let ls = line_start(self.source, first_child);
        self.source
            .get(ls..first_child)
            .is_some_and(|before| before.chars().all(|c| c == ' ' || c == '-'))
    }

    /// The offset just after the last line of `node`.
    fn end_of(&self, node: &Node) -> usize {
        next_line_start(
            self.source,
            node.span.end.saturating_sub(1).max(node.span.start),
        )
    }

    /// Prefixes a newline when inserting at the end of a file that lacks one.
    fn at_end(&self, at: usize) -> &'static str {
        if at == self.source.len() && !self.source.is_empty() && !self.source.ends_with('\n') {
            "\n"
        } else {
            ""
        }
    }
}

/// `value` as a single-line YAML scalar or flow value.
fn inline(value: &Value, dialect: Dialect) -> String {
    match value {
        Value::String(s) => plain_or_quoted(s, dialect),
        Value::Object(m) if m.is_empty() => "{}".to_string(),
        Value::Array(a) if a.is_empty() => "[]".to_string(),
        other => to_yaml(other).trim_end().to_string(),
    }
}

/// `s` bare when the reader reads it back as this string, else double-quoted.
fn plain_or_quoted(s: &str, dialect: Dialect) -> String {
    let safe = !s.is_empty()
        && read_plain_in(s, dialect) == Reading::Str
        && !s.starts_with(|c: char| "-?:,[]{}#&*!|>'\"%@` ".contains(c))
        && !s.contains(": ")
        && !s.contains(" #")
        && !s.ends_with([' ', ':'])
        && !s.contains(['\n', '\t', '\r']);
    if safe {
        s.to_string()
    } else {
        double_quoted(s)
    }
}

fn double_quoted(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// `value` as block YAML lines, every line indented by `pad` columns.
fn block(value: &Value, pad: usize) -> String {
    let pad = " ".repeat(pad);
    let mut out = String::new();
    for line in to_yaml(value).lines() {
        out.push_str(&pad);
        out.push_str(line);
        out.push('\n');
    }
    out
}

impl Writer for YamlWriter<'_> {
    fn set_string(&self, node: &Node, value: &str) -> Edit {
        let new_text = match node.as_scalar().map(|s| s.style) {
            Some(ScalarStyle::SingleQuoted) => format!("'{}'", value.replace('\'', "''")),
            Some(ScalarStyle::DoubleQuoted) => double_quoted(value),
            _ => plain_or_quoted(value, self.dialect_at(node.span.start)),
        };
        Edit {
            range: node.span.clone(),
            new_text,
        }
    }

    fn set_value(&self, node: &Node, value: &Value) -> Edit {
        Edit {
            range: node.span.clone(),
            new_text: inline(value, self.dialect_at(node.span.start)),
        }
    }

    fn rename_key(&self, key: &Node, name: &str) -> Edit {
        self.set_string(key, name)
    }

    fn insert_entry(&self, map: &Node, key: &str, value: &Value) -> Option<Edit> {
        let entries = map.as_map()?;
        let first = entries.first()?;
        if !self.is_block(first.key.span.start) {
            return None;
        }
        let col = self.column(first.key.span.start);
        let dialect = self.dialect_at(map.span.start);
        let at = self.end_of(map);
        let key_text = plain_or_quoted(key, dialect);
        let body = match value {
            Value::Object(m) if !m.is_empty() => format!("{key_text}:\n{}", block(value, col + 2)),
            Value::Array(a) if !a.is_empty() => format!("{key_text}:\n{}", block(value, col + 2)),
            _ => format!("{key_text}: {}\n", inline(value, dialect)),
        };
        Some(Edit {
            range: at..at,
            new_text: format!("{}{}{body}", self.at_end(at), " ".repeat(col)),
        })
    }

    fn append_item(&self, seq: &Node, item: &Value) -> Option<Edit> {
        let items = seq.as_seq()?;
        let first = items.first()?;
        let ls = line_start(self.source, first.span.start);
        let before = self.source.get(ls..first.span.start)?;
        let dash = before.find('-')?;
        if !before[..dash].bytes().all(|b| b == b' ') {
            return None;
        }
        let at = self.end_of(seq);
        let text = block(&Value::Array(vec![item.clone()]), dash);
        Some(Edit {
            range: at..at,
            new_text: format!("{}{text}", self.at_end(at)),
        })
    }

    fn remove_item(&self, seq: &Node, item: &Node) -> Option<Edit> {
        let items = seq.as_seq()?;
        if !items.iter().any(|i| i.span == item.span) {
            return None;
        }
        let start = line_start(self.source, item.span.start);
        let before = self.source.get(start..item.span.start)?;
        if !before.trim_start().starts_with('-') && !before.trim().is_empty() {
            return None;
        }
        let end = self.end_of(item);
        Some(Edit {
            range: start..end,
            new_text: String::new(),
        })
    }
}

/// The YAML front end's answers about cursor positions ([`Sites`]), over a lazily parsed
/// stream: completion on a large file reads the text alone unless it needs the tree.
pub struct YamlSites<'a> {
    source: &'a str,
    stream: &'a dyn Fn() -> &'a Stream,
}

impl<'a> YamlSites<'a> {
    pub fn new(source: &'a str, stream: &'a dyn Fn() -> &'a Stream) -> Self {
        YamlSites { source, stream }
    }
}

impl Sites for YamlSites<'_> {
    fn source(&self) -> &str {
        self.source
    }

    fn stream(&self) -> &Stream {
        (self.stream)()
    }

    /// Completion writes into the document being typed, whose kind is not always known yet:
    /// quote for the stricter reader (go-yaml reads `y` as a boolean, PyYAML does not).
    fn string_literal(&self, value: &str) -> String {
        plain_or_quoted(value, Dialect::Go)
    }

    fn line_bounds(&self, offset: usize) -> (usize, usize) {
        cursor::line_bounds(self.source, offset)
    }

    fn region_at(&self, offset: usize) -> Option<TextRange> {
        cursor::region_at(self.source, offset)
    }

    fn text_kind(&self, region: &TextRange) -> Option<DocKind> {
        cursor::text_kind(self.source, region)
    }

    fn document_at(&self, offset: usize, typing_line: Option<usize>) -> Option<DocContext<'_>> {
        cursor::document_at(self.source, (self.stream)(), offset, typing_line)
    }

    fn completion_site(&self, region: &TextRange, offset: usize) -> Option<CompletionSite> {
        cursor::completion_site(self.source, region, offset)
    }

    fn hover_site(&self, doc: &DocContext<'_>, offset: usize) -> Option<HoverSite> {
        cursor::hover_site(self.source, doc, offset)
    }

    fn tree_of(&self, region: &TextRange) -> (Option<&Node>, bool) {
        cursor::tree_of((self.stream)(), region)
    }

    fn repaired_root(&self, region: &TextRange, typing_line: Option<usize>) -> Option<Node> {
        cursor::repaired_root(self.source, region, typing_line)
    }

    fn list_names(&self, region: &TextRange, path: &[Segment]) -> ListNames {
        cursor::list_names(self.source, region, path)
    }

    /// A space typed while indenting is not worth a completion list (it would pop up at every
    /// space); the space after `- ` or `key:` is. Explicit invocations are always answered.
    fn answers_trigger(&self, offset: usize, trigger: &str) -> bool {
        let offset = crate::text::floor_char_boundary(self.source, offset);
        let (line_start, _) = cursor::line_bounds(self.source, offset);
        let before = self.source.get(line_start..offset).unwrap_or("");
        !(trigger == " " && before.trim().is_empty())
    }
}
