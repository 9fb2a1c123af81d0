//! Walks a document's tree against its schema and hands what it finds to the schema hooks of
//! the registry (unknown keys, refused shapes, maps, scalars); it names no rule.
//!
//! The walk recurses once per nesting level; depth is bounded by the parser's nesting limit
//! (`yaml::build::MAX_DEPTH`), so it cannot overflow the stack. Aliases are not followed.

use crate::schema::{JsonType, SchemaNode, TypeList};
use crate::text::TextRange;
use crate::tree::{Node, NodeKind, Reading};

use super::{Ctx, Expected, KeyVerdict, Mismatch};

/// Where a node sits, which decides whether `null` is acceptable.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Place {
    /// The value of a named field: `null` means "unset", as Kubernetes and the SDK read it.
    Field,
    /// A value in a free-form map (labels, nodeSelector) or a list item: `null` is a value.
    Element,
}

pub(super) fn check_document(ctx: &mut Ctx<'_>) {
    let (Some(root), Some(def)) = (ctx.doc.root.as_ref(), ctx.kind.root_def()) else {
        return;
    };
    let set = ctx.set;
    let Some(schema) = set.def(def) else {
        return;
    };
    walk(ctx, root, schema, Place::Field, &first_key_span(root));
}

/// `at` is where to report problems about the node as a whole that have no better place
/// (a missing required field): the key that holds it, or its own first line.
fn walk(ctx: &mut Ctx<'_>, node: &Node, schema: SchemaNode<'_>, place: Place, at: &TextRange) {
    if matches!(
        node.kind,
        NodeKind::Alias(_) | NodeKind::Missing | NodeKind::Opaque
    ) {
        return;
    }
    let set = ctx.set;
    // Read once per node: `types` is a lookup.
    let types = schema.type_list();
    if types.is_empty() && !schema.is_quantity() && !schema.is_int_or_string() {
        let branches = schema.branches(set);
        if !branches.is_empty() {
            match branches.iter().find(|b| accepts(node, b, place)) {
                Some(branch) => walk(ctx, node, *branch, place, at),
                None => {
                    let expected: Vec<JsonType> = branches.iter().flat_map(|b| b.types()).collect();
                    let mismatch = Mismatch {
                        node,
                        expected: Expected::Types(expected),
                        wants_string: false,
                    };
                    ctx.hooks.mismatch(ctx, &mismatch);
                }
            }
            return;
        }
    }
    if !check_type(ctx, node, schema, &types, place) {
        return;
    }
    match &node.kind {
        NodeKind::Map(entries) => {
            let extra = schema.additional(set);
            for entry in entries {
                let Some(key) = entry.key_str() else { continue };
                if key == "<<" {
                    // A YAML merge key: its fields come from an anchor, which is checked where
                    // it is defined.
                    continue;
                }
                if let Some(prop) = schema.property(set, key) {
                    walk(ctx, &entry.value, prop, Place::Field, &entry.key.span);
                    continue;
                }
                if schema.allows_extra_keys() {
                    if let Some(extra) = extra {
                        walk(ctx, &entry.value, extra, Place::Element, &entry.key.span);
                    }
                    continue;
                }
                if let KeyVerdict::ReadAs(name) = ctx.hooks.unknown_key(ctx, entry, schema) {
                    if let Some(prop) = schema.property(set, &name) {
                        walk(ctx, &entry.value, prop, Place::Field, &entry.key.span);
                    }
                }
            }
            for check in &ctx.hooks.map {
                check(ctx, node, schema, at);
            }
        }
        NodeKind::Seq(items) => {
            if let Some(item_schema) = schema.items(set) {
                for item in items {
                    let item_at = first_key_span(item);
                    walk(ctx, item, item_schema, Place::Element, &item_at);
                }
            }
        }
        NodeKind::Scalar(_) => {
            for check in &ctx.hooks.scalar {
                check(ctx, node, schema);
            }
        }
        NodeKind::Alias(_) | NodeKind::Missing | NodeKind::Opaque => {}
    }
}

/// The span of a map's first key, or the node itself: where to point at a list item.
fn first_key_span(node: &Node) -> TextRange {
    node.as_map()
        .and_then(|e| e.first())
        .map_or_else(|| node.span.clone(), |e| e.key.span.clone())
}

/// Whether `node` has a shape `schema` accepts, without reporting (for `anyOf`).
fn accepts(node: &Node, schema: &SchemaNode<'_>, place: Place) -> bool {
    accepts_types(node, &schema.type_list(), place)
}

/// [`accepts`] with the schema's types already read.
fn accepts_types(node: &Node, types: &TypeList, place: Place) -> bool {
    if types.is_empty() {
        return true;
    }
    match &node.kind {
        NodeKind::Map(_) => types.contains(&JsonType::Object),
        NodeKind::Seq(_) => types.contains(&JsonType::Array),
        NodeKind::Alias(_) | NodeKind::Missing | NodeKind::Opaque => true,
        NodeKind::Scalar(_) => match node.reading() {
            Some(Reading::Null) => types.contains(&JsonType::Null) || place == Place::Field,
            Some(Reading::Bool(_)) => types.contains(&JsonType::Boolean),
            Some(Reading::Int(_)) => {
                types.contains(&JsonType::Integer) || types.contains(&JsonType::Number)
            }
            Some(Reading::Float(_)) => types.contains(&JsonType::Number),
            _ => types.contains(&JsonType::String),
        },
    }
}

/// Checks the node's shape against the schema's type; reports and returns `false` on a
/// mismatch so the walk does not descend into a node of the wrong shape.
fn check_type(
    ctx: &mut Ctx<'_>,
    node: &Node,
    schema: SchemaNode<'_>,
    types: &TypeList,
    place: Place,
) -> bool {
    if node.is_opaque() {
        return true;
    }
    if schema.is_quantity() || schema.is_int_or_string() {
        let reading = node.reading();
        // The kubernetes >= 37 Python models Flyte validates with take quantities only as
        // strings (`Dict[str, StrictStr]`); Kubernetes itself accepts bare numbers.
        if ctx.kind.is_flyte() && schema.is_quantity() {
            if let Some(Reading::Int(_) | Reading::Float(_)) = &reading {
                let mismatch = Mismatch {
                    node,
                    expected: Expected::Described("a quantity string such as \"500m\" or \"2Gi\""),
                    wants_string: true,
                };
                ctx.hooks.mismatch(ctx, &mismatch);
                return false;
            }
        }
        let ok = match &node.kind {
            NodeKind::Scalar(_) => match reading {
                Some(Reading::Null) => place == Place::Field,
                Some(Reading::Bool(_)) => false,
                Some(Reading::Float(_)) => schema.is_quantity(),
                _ => true,
            },
            _ => false,
        };
        if !ok {
            let expected = if schema.is_quantity() {
                "a quantity such as \"500m\" or \"2Gi\""
            } else {
                "an integer or a string"
            };
            let mismatch = Mismatch {
                node,
                expected: Expected::Described(expected),
                wants_string: false,
            };
            ctx.hooks.mismatch(ctx, &mismatch);
        }
        return ok;
    }
    if types.is_empty() || accepts_types(node, types, place) {
        return true;
    }
    let mismatch = Mismatch {
        node,
        wants_string: types.contains(&JsonType::String),
        expected: Expected::Types(types.to_vec()),
    };
    ctx.hooks.mismatch(ctx, &mismatch);
    false
}
