//! Cursor sites in Python files ([`Sites`]): where the cursor is, in the tree's terms, for
//! completion and hover.
//!
//! The lowered tree already says everything a site needs: every key node keeps the range of the
//! keyword (or dict key) as written, and every value the range where it is written, even in a
//! half-typed call (ruff's parser recovers, and `mark_cut` keeps the entries read so far). So
//! the cursor's place is the smallest node whose range holds it, found by walking each
//! document's tree; the path walked to it is the site's path. A name bound at module level and
//! used as a value has its value's range at the definition, so a cursor inside
//! `spec = V1PodSpec(...)` finds the place where an environment uses `spec`.
//!
//! What the tree does not say is read from the text around the cursor: whether the cursor is
//! inside a string's quotes, and whether a dict literal (`limits={"`) is at a key.

use std::cell::RefCell;

use crate::model::DocKind;
use crate::text::TextRange;
use crate::tree::site::{
    CompletionSite, DocContext, HoverSite, ListNames, On, Path, Segment, Sites, Target,
};
use crate::tree::{Node, NodeKind, Stream};

/// The Python front end's answers about cursor positions, over a parsed stream.
pub struct PythonSites<'a> {
    source: &'a str,
    stream: &'a Stream,
    /// Offer keyword names inside recognised calls (`python.keywordCompletion`): off by default,
    /// since a type checker beside us lists them from the models' signatures.
    keywords: bool,
    /// The last [`PythonSites::locate`] answer: one request asks for the same offset several
    /// times.
    last: RefCell<Option<(usize, Option<Located>)>>,
}

/// What the cursor is on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum At {
    /// A key node: a call's keyword or a dict literal's key.
    Key,
    /// A scalar or opaque value.
    Value,
    /// Inside a mapping (a call's or a dict's brackets) or a list, between its items.
    Container,
}

/// The smallest node around an offset.
#[derive(Debug, Clone)]
struct Located {
    doc: usize,
    path: Path,
    at: At,
    span: TextRange,
}

impl<'a> PythonSites<'a> {
    pub fn new(source: &'a str, stream: &'a Stream, keywords: bool) -> Self {
        PythonSites {
            source,
            stream,
            keywords,
            last: RefCell::new(None),
        }
    }

    fn text(&self, span: &TextRange) -> &'a str {
        self.source.get(span.clone()).unwrap_or("")
    }

    /// The smallest node whose range holds `offset` (ends included: the cursor is at the end of
    /// what it types), over the documents the user wrote before the ones the SDK derives.
    fn locate(&self, offset: usize) -> Option<Located> {
        if let Some((at, found)) = self.last.borrow().as_ref() {
            if *at == offset {
                return found.clone();
            }
        }
        let docs = &self.stream.documents;
        let order = (0..docs.len())
            .filter(|&i| docs[i].derived.is_none())
            .chain((0..docs.len()).filter(|&i| docs[i].derived.is_some()));
        let mut best: Option<Located> = None;
        let mut path = Vec::new();
        for i in order {
            if let Some(root) = docs[i].root.as_ref() {
                walk(root, offset, i, &mut path, &mut best);
            }
        }
        *self.last.borrow_mut() = Some((offset, best.clone()));
        best
    }

    fn node(&self, located: &Located) -> Option<&'a Node> {
        let root = self.stream.documents.get(located.doc)?.root.as_ref()?;
        crate::tree::site::node_at(root, &located.path, false)
    }

    fn site(
        &self,
        offset: usize,
        path: Path,
        target: Target,
        replace: TextRange,
    ) -> CompletionSite {
        let (line_start, _) = self.line_bounds(offset);
        let line = self.source.get(line_start..).unwrap_or("");
        let line_indent = line.len() - line.trim_start_matches([' ', '\t']).len();
        CompletionSite {
            path,
            target,
            column: replace.start.saturating_sub(line_start),
            replace,
            line_indent,
            present: Vec::new(),
            colon_follows: false,
            needs_space: false,
            quoted: false,
        }
    }

    /// The keys of the mapping at `located`'s path (for a key target), as the tree has them.
    fn keys_of(&self, located: &Located, path: &[Segment]) -> Vec<String> {
        let Some(root) = self
            .stream
            .documents
            .get(located.doc)
            .and_then(|d| d.root.as_ref())
        else {
            return Vec::new();
        };
        crate::tree::site::node_at(root, path, false)
            .and_then(Node::as_map)
            .map(|m| {
                m.iter()
                    .filter_map(|e| e.key_str().map(str::to_string))
                    .collect()
            })
            .unwrap_or_default()
    }

    /// A dict literal's key being typed at `offset`, inside the mapping or opaque value at
    /// `located` (`limits={"`, `labels={"app": "x", "`).
    fn dict_key_site(&self, located: &Located, offset: usize) -> Option<CompletionSite> {
        let text = self.text(&located.span);
        if !text.starts_with('{') {
            return None;
        }
        let lead = scan(self.source.get(located.span.start + 1..offset)?)?;
        let (replace, quoted) = match lead {
            Lead::Separator { word } => (offset - word..word_end(self.source, offset), false),
            Lead::OpenString { content } => (
                located.span.start + 1 + content..string_end(self.source, offset),
                true,
            ),
            Lead::Other => return None,
        };
        let mut site = self.site(offset, located.path.clone(), Target::Key, replace.clone());
        site.quoted = quoted;
        site.present = self.keys_of(located, &located.path);
        site.colon_follows = after(self.source, replace.end, quoted).starts_with(':');
        Some(site)
    }

    /// A keyword being typed inside a recognised call's parentheses (`V1Container(name="a", im`).
    fn keyword_site(&self, located: &Located, offset: usize) -> Option<CompletionSite> {
        let text = self.text(&located.span);
        let open = text.find('(')?;
        if text[..open].contains(['{', '[', '"', '\'']) {
            return None;
        }
        let inside = self.source.get(located.span.start + open + 1..offset)?;
        let Lead::Separator { word } = scan_call(inside)? else {
            return None;
        };
        let replace = offset - word..word_end(self.source, offset);
        let mut site = self.site(offset, located.path.clone(), Target::Key, replace.clone());
        site.present = self.keys_of(located, &located.path);
        site.colon_follows = after(self.source, replace.end, false).starts_with('=');
        Some(site)
    }
}

/// Records `node` (and descends) when its range holds `offset` more tightly than `best`.
fn walk(node: &Node, offset: usize, doc: usize, path: &mut Path, best: &mut Option<Located>) {
    let holds = |span: &TextRange| span.start <= offset && offset <= span.end;
    let offer = |best: &mut Option<Located>, at: At, span: &TextRange, path: &Path| {
        let tighter = best
            .as_ref()
            .is_none_or(|b| span.end - span.start < b.span.end - b.span.start);
        if tighter {
            *best = Some(Located {
                doc,
                path: path.clone(),
                at,
                span: span.clone(),
            });
        }
    };
    match &node.kind {
        NodeKind::Map(entries) => {
            if holds(&node.span) {
                offer(best, At::Container, &node.span, path);
            }
            for e in entries {
                let Some(key) = e.key_str() else { continue };
                path.push(Segment::Key(key.to_string()));
                if holds(&e.key.span) && !e.key.span.is_empty() {
                    offer(best, At::Key, &e.key.span, path);
                }
                walk(&e.value, offset, doc, path, best);
                path.pop();
            }
        }
        NodeKind::Seq(items) => {
            if holds(&node.span) {
                offer(best, At::Container, &node.span, path);
            }
            for (i, item) in items.iter().enumerate() {
                path.push(Segment::Item(i));
                walk(item, offset, doc, path, best);
                path.pop();
            }
        }
        _ => {
            if holds(&node.span) {
                offer(best, At::Value, &node.span, path);
            }
        }
    }
}

/// A string literal's parts, as offsets into its text: where the content starts and ends.
/// `None` for what is not a plain string (f-strings and bytes are not completed).
fn string_parts(text: &str) -> Option<(usize, usize)> {
    let prefix = text
        .bytes()
        .take_while(|b| matches!(b, b'r' | b'R' | b'u' | b'U'))
        .count();
    let rest = &text[prefix..];
    let quote = rest.chars().next().filter(|c| matches!(c, '"' | '\''))?;
    let triple: String = std::iter::repeat_n(quote, 3).collect();
    let open = if rest.starts_with(&triple) { 3 } else { 1 };
    let start = prefix + open;
    let closing = &rest[..open];
    let end = if text.len() >= start + open && text[start..].ends_with(closing) {
        text.len() - open
    } else {
        text.len()
    };
    Some((start, end.max(start)))
}

/// What precedes the cursor inside a bracket.
enum Lead {
    /// The last item ended (`{`, `(` or `,`), then `word` bytes of an identifier or nothing.
    Separator { word: usize },
    /// A string opened where an item starts; its content begins `content` bytes in.
    OpenString { content: usize },
    /// Anything else: a value, an operator, a nested bracket.
    Other,
}

/// Reads the text between a dict's `{` and the cursor at the dict's own level.
fn scan(inside: &str) -> Option<Lead> {
    scan_with(inside, false)
}

/// Reads the text between a call's `(` and the cursor at the call's own level.
fn scan_call(inside: &str) -> Option<Lead> {
    scan_with(inside, true)
}

fn scan_with(inside: &str, call: bool) -> Option<Lead> {
    let bytes = inside.as_bytes();
    let mut depth = 0usize;
    let mut at_item_start = true;
    let mut i = 0;
    let mut open_string: Option<usize> = None;
    while i < bytes.len() {
        let b = bytes[i];
        match b {
            b'"' | b'\'' => {
                let start = i;
                i += 1;
                let mut closed = false;
                while i < bytes.len() {
                    match bytes[i] {
                        b'\\' => i += 1,
                        c if c == b => {
                            closed = true;
                            break;
                        }
                        b'\n' => break,
                        _ => {}
                    }
                    i += 1;
                }
                if !closed {
                    if depth == 0 && at_item_start && i >= bytes.len() {
                        open_string = Some(start + 1);
                    }
                    if i >= bytes.len() {
                        break;
                    }
                }
                at_item_start = false;
            }
            b'(' | b'[' | b'{' => {
                depth += 1;
                at_item_start = false;
            }
            b')' | b']' | b'}' => {
                depth = depth.checked_sub(1)?;
            }
            b',' if depth == 0 => at_item_start = true,
            b'#' => {
                while i < bytes.len() && bytes[i] != b'\n' {
                    i += 1;
                }
            }
            b' ' | b'\t' | b'\n' | b'\r' | b'\\' => {}
            _ if depth == 0 => at_item_start = false,
            _ => {}
        }
        i += 1;
    }
    if let Some(content) = open_string {
        return Some(Lead::OpenString { content });
    }
    if depth != 0 {
        return Some(Lead::Other);
    }
    // The identifier being typed right before the cursor, if any.
    let word = inside
        .bytes()
        .rev()
        .take_while(|b| b.is_ascii_alphanumeric() || *b == b'_')
        .count();
    let before = inside[..inside.len() - word].trim_end();
    let separated = before.is_empty() || before.ends_with(',');
    if separated && (call || word == 0) {
        Some(Lead::Separator { word })
    } else {
        Some(Lead::Other)
    }
}

/// The end of the identifier characters from `offset` on.
fn word_end(source: &str, offset: usize) -> usize {
    offset
        + source
            .get(offset..)
            .unwrap_or("")
            .bytes()
            .take_while(|b| b.is_ascii_alphanumeric() || *b == b'_')
            .count()
}

/// The end of an open string's content from `offset`: up to its closing quote or the line's
/// end.
fn string_end(source: &str, offset: usize) -> usize {
    offset
        + source
            .get(offset..)
            .unwrap_or("")
            .bytes()
            .take_while(|b| !matches!(b, b'"' | b'\'' | b'\n' | b'\r'))
            .count()
}

/// The text after `end` (past a closing quote when `quoted`), without leading blanks.
fn after(source: &str, end: usize, quoted: bool) -> &str {
    let rest = source.get(end..).unwrap_or("");
    let rest = if quoted {
        rest.strip_prefix(['"', '\'']).unwrap_or(rest)
    } else {
        rest
    };
    rest.trim_start_matches([' ', '\t'])
}

/// A Python string literal for `value`, double-quoted (as the writer writes new strings).
fn python_string(value: &str) -> String {
    super::write::string_literal(value, '"')
}

impl Sites for PythonSites<'_> {
    fn source(&self) -> &str {
        self.source
    }

    fn stream(&self) -> &Stream {
        self.stream
    }

    fn writes_blocks(&self) -> bool {
        false
    }

    /// The kubernetes client's keyword for an API field (`imagePullPolicy` is
    /// `image_pull_policy`); Flyte's own keys are keywords already.
    fn keyword_item(&self, key: &str, follows: bool) -> Option<(String, String)> {
        let keyword = super::k8s_names::keyword_for_api(key).unwrap_or(key);
        let insert = if follows {
            keyword.to_string()
        } else {
            format!("{keyword}=")
        };
        Some((keyword.to_string(), insert))
    }

    fn map_key_insert(&self, key: &str, quoted: bool, follows: bool) -> Option<String> {
        Some(match (quoted, follows) {
            (true, _) => key.to_string(),
            (false, true) => python_string(key),
            (false, false) => format!("{}: ", python_string(key)),
        })
    }

    fn boolean_literals(&self) -> [&'static str; 2] {
        ["True", "False"]
    }

    fn string_literal(&self, value: &str) -> String {
        python_string(value)
    }

    fn line_bounds(&self, offset: usize) -> (usize, usize) {
        crate::text::line_bounds(self.source, offset)
    }

    fn region_at(&self, offset: usize) -> Option<TextRange> {
        let located = self.locate(offset)?;
        Some(self.stream.documents.get(located.doc)?.span.clone())
    }

    /// Python documents have no kind the text alone shows: the tree says.
    fn text_kind(&self, _region: &TextRange) -> Option<DocKind> {
        None
    }

    fn document_at(&self, offset: usize, _typing_line: Option<usize>) -> Option<DocContext<'_>> {
        let located = self.locate(offset)?;
        let doc = self.stream.documents.get(located.doc)?;
        Some(DocContext {
            region: doc.span.clone(),
            kind: doc.kind,
            root: doc.root.as_ref(),
            broken: false,
        })
    }

    fn completion_site(&self, _region: &TextRange, offset: usize) -> Option<CompletionSite> {
        let located = self.locate(offset)?;
        let text = self.text(&located.span);
        match located.at {
            At::Value => {
                if text.starts_with('{') {
                    return self.dict_key_site(&located, offset);
                }
                let (replace, quoted) = match string_parts(text) {
                    Some((start, end)) => {
                        let (start, end) = (located.span.start + start, located.span.start + end);
                        if start <= offset && offset <= end {
                            (start..end, true)
                        } else {
                            (located.span.clone(), false)
                        }
                    }
                    // A prefixed string we do not complete (an f-string, bytes).
                    None if text.starts_with(|c: char| c.is_ascii_alphabetic())
                        && text.contains(['"', '\'']) =>
                    {
                        return None;
                    }
                    // A value not yet written, or a name being typed in its place.
                    None => (located.span.clone(), false),
                };
                let mut site = self.site(offset, located.path.clone(), Target::Value, replace);
                site.quoted = quoted;
                Some(site)
            }
            At::Key => {
                let parent = located.path[..located.path.len().saturating_sub(1)].to_vec();
                if let Some((start, end)) = string_parts(text) {
                    // A dict literal's key: the other keys of the dict are present.
                    let replace = located.span.start + start..located.span.start + end;
                    let mut site = self.site(offset, parent.clone(), Target::Key, replace.clone());
                    site.quoted = replace.start <= offset && offset <= replace.end;
                    site.present = self.keys_of(&located, &parent);
                    site.present
                        .retain(|k| Some(k.as_str()) != self.key_name(&located));
                    site.colon_follows = true;
                    return Some(site);
                }
                if !self.keywords {
                    return None;
                }
                let mut site = self.site(offset, parent.clone(), Target::Key, located.span.clone());
                site.present = self.keys_of(&located, &parent);
                site.present
                    .retain(|k| Some(k.as_str()) != self.key_name(&located));
                site.colon_follows = true;
                Some(site)
            }
            At::Container => {
                if let Some(site) = self.dict_key_site(&located, offset) {
                    return Some(site);
                }
                if !self.keywords || !matches!(self.node(&located)?.kind, NodeKind::Map(_)) {
                    return None;
                }
                self.keyword_site(&located, offset)
            }
        }
    }

    fn hover_site(&self, _doc: &DocContext<'_>, offset: usize) -> Option<HoverSite> {
        let located = self.locate(offset)?;
        match located.at {
            At::Key => Some(HoverSite {
                path: located.path,
                on: On::Key,
                range: located.span,
            }),
            At::Value => {
                let node = self.node(&located)?;
                let value = node.as_scalar()?.value.to_string();
                Some(HoverSite {
                    path: located.path,
                    on: On::Value(value),
                    range: located.span,
                })
            }
            // A name written as a keyword's value (`pod_template=template`): its value is
            // defined elsewhere, so the tree has no node at the name itself.
            At::Container => {
                let name = identifier_at(self.source, offset)?;
                let map = self.node(&located)?.as_map()?;
                let keyword = self
                    .source
                    .get(..name.start)?
                    .trim_end()
                    .strip_suffix('=')?;
                let keyword = keyword.trim_end();
                let entry = map
                    .iter()
                    .find(|e| e.key.span.end == keyword.len() && !e.key.span.is_empty())?;
                let mut path = located.path;
                path.push(Segment::Key(entry.key_str()?.to_string()));
                Some(HoverSite {
                    path,
                    on: On::Name(self.source.get(name.clone())?.to_string()),
                    range: name,
                })
            }
        }
    }

    fn tree_of(&self, region: &TextRange) -> (Option<&Node>, bool) {
        let root = self
            .stream
            .documents
            .iter()
            .find(|d| d.span == *region && d.root.is_some())
            .and_then(|d| d.root.as_ref());
        (root, false)
    }

    /// The tree is never rebuilt: the lowered tree of a half-typed call keeps what was read.
    fn repaired_root(&self, _region: &TextRange, _typing_line: Option<usize>) -> Option<Node> {
        None
    }

    /// Names are read from the tree (lists are call arguments, not block-style text).
    fn list_names(&self, _region: &TextRange, _path: &[Segment]) -> ListNames {
        ListNames::Flow
    }

    /// A quote opens a value or a dict key; `=` starts a keyword's value. Spaces, newlines,
    /// colons and dashes (YAML's triggers) are not worth a list in Python.
    fn answers_trigger(&self, offset: usize, trigger: &str) -> bool {
        let offset = crate::text::floor_char_boundary(self.source, offset);
        let before = &self.source[..offset];
        match trigger {
            "\"" | "'" => true,
            "=" => {
                let head = before.strip_suffix('=').unwrap_or(before);
                head.ends_with(|c: char| c.is_ascii_alphanumeric() || c == '_')
            }
            _ => false,
        }
    }
}

impl PythonSites<'_> {
    /// The key name (the schema's spelling) at the end of `located`'s path.
    fn key_name<'l>(&self, located: &'l Located) -> Option<&'l str> {
        match located.path.last() {
            Some(Segment::Key(k)) => Some(k.as_str()),
            _ => None,
        }
    }
}

/// The identifier around `offset`, if the cursor is on one.
fn identifier_at(source: &str, offset: usize) -> Option<TextRange> {
    let offset = crate::text::floor_char_boundary(source, offset);
    let is_ident = |c: char| c.is_alphanumeric() || c == '_';
    let start = source[..offset]
        .char_indices()
        .rev()
        .take_while(|(_, c)| is_ident(*c))
        .last()
        .map_or(offset, |(i, _)| i);
    let end = offset
        + source[offset..]
            .char_indices()
            .take_while(|(_, c)| is_ident(*c))
            .last()
            .map_or(0, |(i, c)| i + c.len_utf8());
    (start < end && !source[start..].starts_with(|c: char| c.is_ascii_digit()))
        .then_some(start..end)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sites_at(fixture: &str) -> (String, usize) {
        let at = fixture.find("$0").expect("$0");
        (fixture.replace("$0", ""), at)
    }

    const HEAD: &str = "import flyte\nfrom kubernetes.client import V1PodSpec, V1Container, \
                        V1ResourceRequirements\n";

    fn site(fixture: &str, keywords: bool) -> Option<CompletionSite> {
        let (text, at) = sites_at(&format!("{HEAD}{fixture}"));
        let stream = super::super::parse_tree(&text);
        let sites = PythonSites::new(&text, &stream, keywords);
        let region = sites.region_at(at)?;
        sites.completion_site(&region, at)
    }

    #[test]
    fn a_value_being_typed_in_an_unclosed_call() {
        let s = site(
            "env = flyte.TaskEnvironment(name='x', pod_template=flyte.PodTemplate(pod_spec=\
             V1PodSpec(containers=[V1Container(name='primary', image_pull_policy=\"If$0\n",
            false,
        )
        .expect("site");
        assert_eq!(s.target, Target::Value);
        assert!(s.quoted);
        assert_eq!(
            crate::tree::site::path_string(&s.path),
            "pod_template.pod_spec.containers[0].imagePullPolicy"
        );
    }

    #[test]
    fn an_empty_value_and_a_dict_key() {
        let s = site(
            "spec = V1PodSpec(containers=[V1Container(name='a', image_pull_policy=$0)])\n",
            false,
        )
        .expect("empty value");
        assert_eq!((s.target, s.quoted), (Target::Value, false));
        let s = site(
            "spec = V1PodSpec(containers=[V1Container(name='a', resources=\
             V1ResourceRequirements(limits={\"cpu\": \"1\", \"$0\"}))])\n",
            false,
        )
        .expect("dict key");
        assert_eq!((s.target, s.quoted), (Target::Key, true));
        assert_eq!(s.present, ["cpu"]);
        assert!(crate::tree::site::path_string(&s.path).ends_with("resources.limits"));
    }

    #[test]
    fn keywords_only_when_asked() {
        let fixture = "spec = V1PodSpec(containers=[V1Container(name='a', $0)])\n";
        assert_eq!(site(fixture, false), None);
        let s = site(fixture, true).expect("keyword site");
        assert_eq!(s.target, Target::Key);
        assert_eq!(s.present, ["name"]);
    }

    #[test]
    fn scanning_what_precedes_the_cursor() {
        assert!(matches!(
            scan("\"a\": 1, "),
            Some(Lead::Separator { word: 0 })
        ));
        assert!(matches!(
            scan("\"a\": 1, \"b"),
            Some(Lead::OpenString { content: 9 })
        ));
        assert!(matches!(scan("\"a\": \"b"), Some(Lead::Other)));
        assert!(matches!(
            scan_call("name='a', im"),
            Some(Lead::Separator { word: 2 })
        ));
        assert!(matches!(scan_call("name=f(x, "), Some(Lead::Other)));
        assert_eq!(string_parts("\"abc\""), Some((1, 4)));
        assert_eq!(string_parts("'ab"), Some((1, 3)));
        assert_eq!(string_parts("f'x'"), None);
    }
}
