//! Text edits, and the changes a rule asks a front end to make in the tree's terms.
//!
//! A rule never formats source text itself: it asks the document's [`Writer`] to replace a
//! scalar, rename a key, insert an entry or append an item, and the front end writes that in
//! its language (YAML quoting and indentation, or Python's `"x"` and `k=v,`).

use serde_json::Value;

use super::Node;
use crate::text::TextRange;

/// A text replacement, in byte offsets of the analysed text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Edit {
    pub range: TextRange,
    pub new_text: String,
}

/// What a front end offers rules and refactors for writing changes back into its source.
/// `Sync`, because the analysis of a big document runs two groups of rules on two threads.
pub trait Writer: Sync {
    /// Replaces the scalar `node` by the string `value`, keeping its quoting where it can and
    /// quoting where the reader would otherwise see another type.
    fn set_string(&self, node: &Node, value: &str) -> Edit;

    /// Replaces `node` by a plain value of the reader's own types (`true`, `420`).
    fn set_value(&self, node: &Node, value: &Value) -> Edit;

    /// Renames the key `key` (a key node) to the schema name `name`, in the source's spelling.
    fn rename_key(&self, key: &Node, name: &str) -> Edit;

    /// Inserts the entry `key: value` into the mapping `map` (after its last entry).
    fn insert_entry(&self, map: &Node, key: &str, value: &Value) -> Option<Edit>;

    /// Inserts the entry `key: value` as the first entry of the mapping `map` (where a reader
    /// looks for identifying fields: `- name: x`, `V1Container(name="x", ...)`).
    fn prepend_entry(&self, map: &Node, key: &str, value: &Value) -> Option<Edit>;

    /// Replaces the scalar `node` by a copy of the scalar `from` as the source spells it (its
    /// quoting and notation: `"2"` stays a string, `2` a number). `None` when `from` is not a
    /// one-line scalar.
    fn copy_scalar(&self, node: &Node, from: &Node) -> Option<Edit>;

    /// Replaces `node` by the integer `value` written in octal, as file modes are (`0644` in
    /// YAML 1.1, `0o644` in Python).
    fn set_octal(&self, node: &Node, value: u32) -> Edit;

    /// Appends `item` to the sequence `seq`.
    fn append_item(&self, seq: &Node, item: &Value) -> Option<Edit>;

    /// Removes the item `item` from the sequence `seq` (the whole item, with its separator).
    fn remove_item(&self, seq: &Node, item: &Node) -> Option<Edit>;

    /// Moves the item `item` of the sequence `seq` to the end of the list `key` of the mapping
    /// `map`, as written (its comments and layout kept), and adds the entry `add` to it when
    /// `item` is a mapping. When `map` has no `key` the entry is created, right after the entry
    /// whose value is `seq` if there is one, else after `map`'s last entry. One change, so
    /// several edits (removal and insertion); `None` where the front end cannot write it
    /// safely (flow collections in YAML).
    fn move_item(
        &self,
        seq: &Node,
        item: &Node,
        map: &Node,
        key: &str,
        add: Option<(&str, &Value)>,
    ) -> Option<Vec<Edit>>;
}
