//! Converts the tree to a JSON value, as the document's reader would: scalars take the
//! reading the front end gave them, aliases are expanded and `<<` merge keys applied.
//!
//! Alias expansion is the one place where a small file can become huge (billion laughs), so it
//! runs on a node budget: past it, the conversion stops and says so.

use serde_json::{Map, Number, Value};

use super::{Document, Node, NodeKind, Reading};

/// Most nodes one conversion may produce, counting every alias expansion. A scalar counts one
/// node more per [`SCALAR_BYTES_PER_NODE`] bytes of text, so aliases to one long string cannot
/// multiply it without bound either.
pub const NODE_BUDGET: usize = 100_000;

/// Scalar bytes that cost one node of [`NODE_BUDGET`] (so at most about 25 MB of copied text).
pub const SCALAR_BYTES_PER_NODE: usize = 256;

/// Deepest nesting of the produced value, counting what aliases add. The parser allows
/// [`MAX_DEPTH`](crate::yaml::MAX_DEPTH) block levels plus as many flow levels, so only alias
/// expansion can go deeper. The recursion below is bounded by this, not by the thread's stack:
/// 64 alias hops through 190-deep anchors overflowed an 8 MB stack before this bound.
pub const MAX_VALUE_DEPTH: usize = 400;

/// The conversion stopped because alias expansion exceeded [`NODE_BUDGET`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BudgetExceeded;

/// Converts `node` (a node of `doc`) to JSON as the document's reader reads it. Opaque values
/// become `null`.
pub fn to_json(doc: &Document, node: &Node) -> Result<Value, BudgetExceeded> {
    let mut budget = NODE_BUDGET;
    convert(doc, node, &mut budget, 0, 0)
}

fn anchor<'a>(doc: &'a Document, name: &str) -> Option<&'a Node> {
    doc.anchors
        .iter()
        .rev()
        .find(|(n, _)| n == name)
        .map(|(_, node)| node)
}

/// Aliases may nest (an anchored node containing aliases); depth stays bounded by the parser's
/// nesting limit times this many alias hops.
const MAX_ALIAS_DEPTH: usize = 64;

fn convert(
    doc: &Document,
    node: &Node,
    budget: &mut usize,
    alias_depth: usize,
    depth: usize,
) -> Result<Value, BudgetExceeded> {
    let cost = 1 + node.as_str().map_or(0, |s| s.len() / SCALAR_BYTES_PER_NODE);
    if *budget < cost || depth >= MAX_VALUE_DEPTH {
        return Err(BudgetExceeded);
    }
    *budget -= cost;
    let depth = depth + 1;
    Ok(match &node.kind {
        NodeKind::Scalar(s) => match s.reading() {
            Reading::Null => Value::Null,
            Reading::Bool(b) => Value::Bool(b),
            Reading::Int(i) => i64::try_from(i).map_or_else(
                |_| Value::String(s.value.to_string()),
                |i| Value::Number(i.into()),
            ),
            Reading::Float(f) => Number::from_f64(f).map_or(Value::Null, Value::Number),
            Reading::Str => Value::String(s.value.to_string()),
        },
        NodeKind::Seq(items) => {
            let mut out = Vec::with_capacity(items.len());
            for item in items {
                out.push(convert(doc, item, budget, alias_depth, depth)?);
            }
            Value::Array(out)
        }
        NodeKind::Map(entries) => {
            let mut out = Map::new();
            let mut merges = Vec::new();
            for e in entries {
                let key = match e.key.as_str() {
                    Some(k) => k.to_string(),
                    None => continue,
                };
                if key == "<<" {
                    merges.push(&e.value);
                    continue;
                }
                let value = convert(doc, &e.value, budget, alias_depth, depth)?;
                // PyYAML keeps the last of duplicate keys.
                out.insert(key, value);
            }
            // Merged keys never override keys written in the mapping itself.
            for m in merges {
                let merged = convert(doc, m, budget, alias_depth, depth)?;
                let sources = match merged {
                    Value::Array(items) => items,
                    other => vec![other],
                };
                for source in sources {
                    if let Value::Object(map) = source {
                        for (k, v) in map {
                            out.entry(k).or_insert(v);
                        }
                    }
                }
            }
            Value::Object(out)
        }
        NodeKind::Alias(name) => match anchor(doc, name) {
            Some(target) if alias_depth < MAX_ALIAS_DEPTH => {
                convert(doc, target, budget, alias_depth + 1, depth)?
            }
            Some(_) => return Err(BudgetExceeded),
            None => Value::Null,
        },
        NodeKind::Missing | NodeKind::Opaque => Value::Null,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::parse;
    use serde_json::json;

    fn convert_text(text: &str) -> Result<Value, BudgetExceeded> {
        let stream = parse(&format!("apiVersion: v1\nkind: Pod\n{text}"));
        let doc = &stream.documents[0];
        to_json(doc, doc.root.as_ref().expect("root"))
    }

    #[test]
    fn yaml_1_1_types_aliases_and_merges() {
        let v = convert_text(
            "base: &b {cpu: '1', on: yes}\nmode: 0644\nx:\n  <<: *b\n  cpu: '2'\nlist: [*b]\n",
        )
        .expect("ok");
        assert_eq!(
            v,
            json!({"apiVersion": "v1", "kind": "Pod", "base": {"cpu": "1", "on": true}, "mode": 420, "x": {"cpu": "2", "on": true}, "list": [{"cpu": "1", "on": true}]})
        );
    }

    #[test]
    fn billion_laughs_hits_the_budget() {
        let mut text = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x]\n");
        for i in 1..10 {
            let prev = format!("*a{}", i - 1);
            text.push_str(&format!(
                "a{i}: &a{i} [{}]\n",
                [prev.as_str(); 9].join(", ")
            ));
        }
        assert_eq!(convert_text(&text), Err(BudgetExceeded));
    }
}
