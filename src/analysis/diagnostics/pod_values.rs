//! Readers shared by the Kubernetes API-server rules (FLY2xx): scalars as the API server decodes
//! them, and the lists and maps of a pod spec. They only read; values of the wrong type yield
//! `None` here because FLY103/FLY106 already report them, and a rule must not report them twice.

use crate::text::TextRange;
use crate::tree::{Entry, Node, NodeKind, Reading};

/// The scalar's text when YAML 1.1 reads it as a string (quoted, or a plain word).
pub(super) fn string_value(node: &Node) -> Option<&str> {
    let scalar = node.as_scalar()?;
    match node.reading() {
        Some(Reading::Str) => Some(scalar.value.as_str()),
        _ => None,
    }
}

/// The scalar's value when YAML 1.1 reads it as an integer (`0644` is 420).
pub(super) fn int_value(node: &Node) -> Option<i128> {
    match node.reading() {
        Some(Reading::Int(i)) => Some(i),
        _ => None,
    }
}

/// True when the field is present with a non-null value: what a Go pointer being non-nil means.
pub(super) fn is_set(node: Option<&Node>) -> bool {
    node.is_some_and(|n| !matches!(n.kind, NodeKind::Missing) && !n.is_null())
}

/// True when part of the node comes from elsewhere: an alias (`*defaults`) or a mapping with a
/// merge key (`<<: *defaults`). Rules that need to see every field skip such nodes rather than
/// guess, as FLY104 does.
pub(super) fn is_merged(node: &Node) -> bool {
    match &node.kind {
        NodeKind::Alias(_) => true,
        NodeKind::Map(entries) => entries.iter().any(|e| e.key_str() == Some("<<")),
        _ => false,
    }
}

/// The mapping items of a list field (`env`, `ports`, `volumes`), skipping anything else.
pub(super) fn map_items(node: Option<&Node>) -> impl Iterator<Item = &Node> {
    node.and_then(Node::as_seq)
        .unwrap_or(&[])
        .iter()
        .filter(|n| n.as_map().is_some())
}

/// The entries of a map field (`labels`, `requests`), empty for anything else.
pub(super) fn map_entries(node: Option<&Node>) -> &[Entry] {
    node.and_then(Node::as_map).unwrap_or(&[])
}

/// Where to point at a list item as a whole: its first key, or the item itself.
pub(super) fn first_key_span(node: &Node) -> TextRange {
    node.as_map()
        .and_then(|e| e.first())
        .map_or_else(|| node.span.clone(), |e| e.key.span.clone())
}

/// `validatePathNoBacksteps`: the path has a `..` element.
pub(super) fn has_backsteps(path: &str) -> bool {
    path.split(['/', '\\']).any(|part| part == "..")
}

/// `validateLocalDescendingPath`: relative, with no `..` element.
pub(super) fn descending_path_problem(path: &str) -> Option<&'static str> {
    if path.starts_with('/') {
        return Some("must be a relative path");
    }
    if has_backsteps(path) {
        return Some("must not contain '..'");
    }
    None
}

/// The API server's joined messages for one value: `a; b`.
pub(super) fn join(messages: &[String]) -> String {
    messages.join("; ")
}

#[cfg(test)]
pub(super) mod test_support {
    use crate::analysis::diagnostics::fixture::check_with;
    use crate::analysis::diagnostics::RULES;
    use crate::settings::{RuleLevel, Settings};

    /// Settings with the Flyte-semantics rules (FLY3xx) off, so that a Kubernetes rule's fixture
    /// shows only what the API server would say, whatever Flyte rules exist.
    pub fn k8s_settings() -> Settings {
        let mut settings = Settings::default();
        for r in RULES.iter().filter(|r| r.code.starts_with("FLY3")) {
            settings.rules.insert(r.code.to_string(), RuleLevel::Off);
        }
        settings
    }

    /// `fixture::check` without the Flyte-semantics rules.
    #[track_caller]
    pub fn check_k8s(fixture: &str) {
        check_with(&k8s_settings(), fixture);
    }
}
