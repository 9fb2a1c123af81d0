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

/// The entry `key: value` as YAML lines for a block mapping whose keys sit at column `col`:
/// the first line without its indentation (the caller places it), the rest indented, ending
/// with a newline.
fn entry_text(key: &str, value: &Value, col: usize, dialect: Dialect) -> String {
    let key_text = plain_or_quoted(key, dialect);
    match value {
        Value::Object(m) if !m.is_empty() => format!("{key_text}:\n{}", block(value, col + 2)),
        Value::Array(a) if !a.is_empty() => format!("{key_text}:\n{}", block(value, col + 2)),
        _ => format!("{key_text}: {}\n", inline(value, dialect)),
    }
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
        let body = entry_text(key, value, col, dialect);
        Some(Edit {
            range: at..at,
            new_text: format!("{}{}{body}", self.at_end(at), " ".repeat(col)),
        })
    }

    /// Written at the first key's position, followed by that key's indentation, so the old
    /// first key stays aligned (after `- ` too).
    fn prepend_entry(&self, map: &Node, key: &str, value: &Value) -> Option<Edit> {
        let first = map.as_map()?.first()?;
        let at = first.key.span.start;
        if !self.is_block(at) {
            return None;
        }
        let col = self.column(at);
        let body = entry_text(key, value, col, self.dialect_at(map.span.start));
        Some(Edit {
            range: at..at,
            new_text: format!("{body}{}", " ".repeat(col)),
        })
    }

    fn copy_scalar(&self, node: &Node, from: &Node) -> Option<Edit> {
        let style = from.as_scalar()?.style;
        if matches!(style, ScalarStyle::Literal | ScalarStyle::Folded) {
            return None;
        }
        let text = self.source.get(from.span.clone())?;
        if text.contains('\n') {
            return None;
        }
        Some(Edit {
            range: node.span.clone(),
            new_text: text.to_string(),
        })
    }

    /// YAML 1.1 octal (both go-yaml v2 and PyYAML read `0644` as 420).
    fn set_octal(&self, node: &Node, value: u32) -> Edit {
        let new_text = if value == 0 {
            "0".to_string()
        } else {
            format!("0{value:o}")
        };
        Edit {
            range: node.span.clone(),
            new_text,
        }
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

    /// Block lists only: the item's lines move as they are, re-indented to the target list's
    /// dash column; the added entry goes last, at the item's key column.
    fn move_item(
        &self,
        seq: &Node,
        item: &Node,
        map: &Node,
        key: &str,
        add: Option<(&str, &Value)>,
    ) -> Option<Vec<Edit>> {
        let source = self.source;
        if !seq.as_seq()?.iter().any(|i| i.span == item.span) {
            return None;
        }
        let entries = map.as_map()?;
        // Block style only: the item's line must start with its dash.
        let item_line = line_start(source, item.span.start);
        let before = source.get(item_line..item.span.start)?;
        let dash_col = before.find('-')?;
        if !before[..dash_col].bytes().all(|b| b == b' ') {
            return None;
        }
        let item_end = self.end_of(item);
        let item_text = source.get(item_line..item_end)?;
        let dialect = self.dialect_at(map.span.start);
        let (insert_at, new_dash_col, header) =
            match entries.iter().find(|e| e.key_str() == Some(key)) {
                Some(target) => {
                    let items = target.value.as_seq()?;
                    let last = items.last()?;
                    let first_line = line_start(source, items.first()?.span.start);
                    let lead = source.get(first_line..items.first()?.span.start)?;
                    let col = lead.find('-')?;
                    if !lead[..col].bytes().all(|b| b == b' ') {
                        return None;
                    }
                    (
                        next_line_start(source, last.span.end.saturating_sub(1)),
                        col,
                        String::new(),
                    )
                }
                None => {
                    let holder = entries.iter().find(|e| e.value.span == seq.span);
                    let key_at = holder.or(entries.first())?.key.span.start;
                    if !self.is_block(key_at) {
                        return None;
                    }
                    let end = match holder {
                        Some(h) => next_line_start(source, h.value.span.end.saturating_sub(1)),
                        None => self.end_of(map),
                    };
                    let header = format!(
                        "{}{}:\n",
                        " ".repeat(self.column(key_at)),
                        plain_or_quoted(key, dialect)
                    );
                    (end, dash_col, header)
                }
            };
        let mut moved = String::new();
        for line in item_text.split_inclusive('\n') {
            let trimmed = line
                .strip_prefix(&" ".repeat(dash_col))
                .unwrap_or(line.trim_start());
            if line.trim().is_empty() {
                moved.push_str(line);
            } else {
                moved.push_str(&" ".repeat(new_dash_col));
                moved.push_str(trimmed);
            }
        }
        if !moved.ends_with('\n') {
            moved.push('\n');
        }
        if let (Some((k, v)), Some(_)) = (add, item.as_map()) {
            let col = new_dash_col + 2;
            moved.push_str(&" ".repeat(col));
            moved.push_str(&entry_text(k, v, col, dialect));
        }
        // At the end of a file without a final newline, unless the removal ends there too
        // (then the text before the removed item already ends with one).
        let lead = if insert_at == item_end {
            ""
        } else {
            self.at_end(insert_at)
        };
        // The insertion may sit right where the removal ends; the edits stay non-overlapping.
        Some(vec![
            Edit {
                range: item_line..item_end,
                new_text: String::new(),
            },
            Edit {
                range: insert_at..insert_at,
                new_text: format!("{lead}{header}{moved}"),
            },
        ])
    }
}

/// The YAML front end's answers about cursor positions ([`Sites`]), over a lazily parsed
/// stream: completion on a large file reads the text alone unless it needs the tree.
pub struct YamlSites<'a> {
    source: &'a str,
    stream: &'a dyn Fn() -> &'a Stream,
    /// The kind the settings give the file's documents (`files.kinds`).
    default: Option<DocKind>,
}

impl<'a> YamlSites<'a> {
    pub fn new(source: &'a str, stream: &'a dyn Fn() -> &'a Stream) -> Self {
        YamlSites {
            source,
            stream,
            default: None,
        }
    }

    /// The cursor's document kind as the settings force it for this file (a modeline still
    /// wins); the stream must have been parsed with the same kind.
    pub fn with_kind(mut self, default: Option<DocKind>) -> Self {
        self.default = default;
        self
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
        cursor::text_kind(self.source, region, self.default)
    }

    fn document_at(&self, offset: usize, typing_line: Option<usize>) -> Option<DocContext<'_>> {
        cursor::document_at(
            self.source,
            (self.stream)(),
            offset,
            typing_line,
            self.default,
        )
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
        match trigger {
            " " => !before.trim().is_empty(),
            // `=` means nothing to YAML (it is Python's trigger); quotes open a value.
            "=" => false,
            _ => true,
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::{json, Value};

    use super::YamlWriter;
    use crate::tree::edit::{Edit, Writer};
    use crate::tree::{Node, Stream};
    use crate::yaml::parse;

    fn root(stream: &Stream) -> &Node {
        stream.documents[0].root.as_ref().expect("root")
    }

    fn apply(source: &str, edits: &[Edit]) -> String {
        let mut out = source.to_string();
        let mut edits = edits.to_vec();
        edits.sort_by_key(|e| std::cmp::Reverse(e.range.start));
        for e in edits {
            out.replace_range(e.range.clone(), &e.new_text);
        }
        out
    }

    const POD: &str = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n";

    #[test]
    fn set_string_keeps_quotes_and_quotes_what_would_read_otherwise() {
        let src = format!("{POD}  nodeSelector:\n    a: x\n    b: 'x'\n    c: \"x\"\n");
        let stream = parse(&src);
        let w = YamlWriter::new(&src, &stream);
        let sel = root(&stream)
            .get("spec")
            .and_then(|s| s.get("nodeSelector"));
        let sel = sel.expect("nodeSelector");
        let at = |k: &str| sel.get(k).expect(k);
        assert_eq!(w.set_string(at("a"), "y").new_text, "\"y\"");
        assert_eq!(w.set_string(at("a"), "1").new_text, "\"1\"");
        assert_eq!(w.set_string(at("a"), "zone").new_text, "zone");
        assert_eq!(w.set_string(at("b"), "it's").new_text, "'it''s'");
        assert_eq!(w.set_string(at("c"), "a\"b").new_text, "\"a\\\"b\"");
        // PyYAML (a Flyte document) reads a bare `y` as a string.
        let flyte = "pod_spec:\n  nodeSelector:\n    a: x\n";
        let stream = parse(flyte);
        let w = YamlWriter::new(flyte, &stream);
        let a = root(&stream)
            .get("pod_spec")
            .and_then(|s| s.get("nodeSelector"));
        let a = a.and_then(|s| s.get("a")).expect("a");
        assert_eq!(w.set_string(a, "y").new_text, "y");
    }

    #[test]
    fn prepend_entry_keeps_the_old_first_key_aligned() {
        let src = "pod_spec:\n  containers:\n    - image: busybox\n";
        let stream = parse(src);
        let w = YamlWriter::new(src, &stream);
        let containers = root(&stream)
            .get("pod_spec")
            .and_then(|s| s.get("containers"));
        let item = &containers.and_then(Node::as_seq).expect("seq")[0];
        let edit = w.prepend_entry(item, "name", &json!("")).expect("edit");
        assert_eq!(
            apply(src, &[edit]),
            "pod_spec:\n  containers:\n    - name: \"\"\n      image: busybox\n"
        );
        let edit = w
            .prepend_entry(item, "env", &json!([{"name": "A", "value": "1"}]))
            .expect("edit");
        assert_eq!(
            apply(src, &[edit]),
            "pod_spec:\n  containers:\n    - env:\n        - name: A\n          value: \"1\"\n      image: busybox\n"
        );
        let flow = "pod_spec: {containers: []}\n";
        let stream = parse(flow);
        let w = YamlWriter::new(flow, &stream);
        let spec = root(&stream).get("pod_spec").expect("spec");
        assert_eq!(w.prepend_entry(spec, "x", &Value::Null), None);
    }

    #[test]
    fn octal_and_copied_scalars() {
        let src = format!("{POD}  a: 644\n  b: \"2\"\n  c: |\n    2\n");
        let stream = parse(&src);
        let w = YamlWriter::new(&src, &stream);
        let spec = root(&stream).get("spec").expect("spec");
        let at = |k: &str| spec.get(k).expect(k);
        assert_eq!(w.set_octal(at("a"), 0o644).new_text, "0644");
        assert_eq!(w.set_octal(at("a"), 0).new_text, "0");
        let copy = w.copy_scalar(at("a"), at("b")).expect("copy");
        assert_eq!(
            (copy.range, copy.new_text.as_str()),
            (at("a").span.clone(), "\"2\"")
        );
        assert_eq!(w.copy_scalar(at("a"), at("c")), None);
        assert_eq!(w.copy_scalar(at("a"), spec), None);
    }

    fn sidecar(src: &str) -> Option<String> {
        let stream = parse(src);
        let w = YamlWriter::new(src, &stream);
        let spec = root(&stream).get("pod_spec")?;
        let containers = spec.get("containers")?;
        let item = containers
            .as_seq()?
            .iter()
            .find(|c| c.get("name").and_then(Node::as_str) == Some("proxy"))?;
        let always = json!("Always");
        let edits = w.move_item(
            containers,
            item,
            spec,
            "initContainers",
            Some(("restartPolicy", &always)),
        )?;
        Some(apply(src, &edits))
    }

    #[test]
    fn move_item_creates_or_extends_the_target_list() {
        // Created right after the list it leaves; comments and flow values travel as written.
        assert_eq!(
            sidecar("pod_spec:\n  containers:\n    - name: primary\n    - name: proxy # edge\n      args: [--x]\n  volumes: []\n").as_deref(),
            Some("pod_spec:\n  containers:\n    - name: primary\n  initContainers:\n    - name: proxy # edge\n      args: [--x]\n      restartPolicy: Always\n  volumes: []\n")
        );
        // Appended at the target's own dash column.
        assert_eq!(
            sidecar("pod_spec:\n  containers:\n    - name: proxy\n    - name: primary\n  initContainers:\n  - name: setup\n").as_deref(),
            Some("pod_spec:\n  containers:\n    - name: primary\n  initContainers:\n  - name: setup\n  - name: proxy\n    restartPolicy: Always\n")
        );
        // The last item of a file without a final newline.
        assert_eq!(
            sidecar("pod_spec:\n  containers:\n    - name: primary\n    - name: proxy").as_deref(),
            Some("pod_spec:\n  containers:\n    - name: primary\n  initContainers:\n    - name: proxy\n      restartPolicy: Always\n")
        );
        // A target after the end of a file without a final newline.
        assert_eq!(
            sidecar("pod_spec:\n  containers:\n    - name: proxy\n    - name: primary\n  initContainers:\n    - name: setup").as_deref(),
            Some("pod_spec:\n  containers:\n    - name: primary\n  initContainers:\n    - name: setup\n    - name: proxy\n      restartPolicy: Always\n")
        );
        // Flow lists are left alone.
        assert_eq!(
            sidecar("pod_spec:\n  containers: [{name: primary}, {name: proxy}]\n"),
            None
        );
        assert_eq!(
            sidecar("pod_spec:\n  containers:\n    - name: proxy\n  initContainers: [{name: a}]\n"),
            None
        );
    }

    #[test]
    fn append_and_insert_at_the_end_of_a_file_without_a_newline() {
        let src = "pod_spec:\n  containers:\n    - name: a";
        let stream = parse(src);
        let w = YamlWriter::new(src, &stream);
        let spec = root(&stream).get("pod_spec").expect("spec");
        let containers = spec.get("containers").expect("containers");
        let edit = w
            .append_item(containers, &json!({"name": "b"}))
            .expect("append");
        assert_eq!(
            apply(src, &[edit]),
            "pod_spec:\n  containers:\n    - name: a\n    - name: b\n"
        );
        let edit = w
            .insert_entry(spec, "volumes", &json!([{"name": "d", "emptyDir": {}}]))
            .expect("insert");
        assert_eq!(
            apply(src, &[edit]),
            "pod_spec:\n  containers:\n    - name: a\n  volumes:\n    - name: d\n      emptyDir: {}\n"
        );
    }
}
