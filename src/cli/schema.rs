//! The JSON Schemas `flyte-lsp schema` prints for other tools (yaml-language-server,
//! check-jsonschema): strict by default, the embedded shape with `--loose`.
//!
//! The embedded Kubernetes schemas are what k8s-openapi generates: no `additionalProperties:
//! false`, no enums, untyped `Quantity` and `IntOrString`, no `null`. flyte-lsp's own walker adds
//! those checks in code (FLY101, FLY103, FLY105); a generic validator sees only the schema. The
//! strict document writes them into the schema, and stays as lenient as the analysis wherever
//! the API server or the SDK accept more than the generated types say:
//!
//! - every Kubernetes object with `properties` gets `additionalProperties: false` (the API
//!   server's strict decoding); free-form maps (labels, `nodeSelector`, resource `limits`) and
//!   property-less objects (`FieldsV1`) stay open;
//! - the values the API server enforces ([`crate::schema::enums`], exactly what FLY105 errors
//!   on) become `enum`s;
//! - `Quantity` is a string matching `ParseQuantity`'s grammar, or (in Kubernetes objects) a
//!   number; `IntOrString` an integer or a string;
//! - `null` is accepted for every named field (Kubernetes and the SDK read it as "unset"), not
//!   for list items or map values of an inline type, as the analysis reads it;
//! - inside a Pod's `status` no field is required: the API server replaces the status on create
//!   and never holds a manifest's status to the OpenAPI `required` lists (FLY104 skips it too);
//!   definitions that also occur outside the status get a relaxed copy, `<name>InStatus`;
//! - in Flyte documents (`task-environment`, `pod-template`) every Kubernetes field also takes
//!   the kubernetes Python client's keyword (`image_pull_policy`, `host_ipc`), which the SDK's
//!   models accept, and quantities are strings only (the SDK's models refuse numbers).
//!
//! Only the definitions the chosen root reaches are printed, so the strict document is smaller
//! than the loose one, which is the whole embedded set, unchanged.

use serde_json::{json, Map, Value};

use crate::python::k8s_names;
use crate::schema::{defs, enums, SchemaSet};

/// The `--kind` names and the definition each prints.
pub const KINDS: &[(&str, &str)] = &[
    ("task-environment", defs::FLYTE_TASK_ENVIRONMENT),
    ("pod-template", defs::FLYTE_POD_TEMPLATE),
    ("pod-spec", defs::POD_SPEC),
    ("kubernetes-pod-template", defs::POD_TEMPLATE),
    ("pod", defs::POD),
];

/// The definition a `--kind` names.
pub fn root_for_kind(kind: &str) -> Option<&'static str> {
    KINDS.iter().find(|(k, _)| *k == kind).map(|(_, d)| *d)
}

/// `ParseQuantity` (after `UnmarshalJSON`'s `TrimSpace`) as a regular expression, the grammar
/// of `analysis::quantity::parse`: `sign? digits* (. digits*)? suffix?`, the suffix one of the
/// decimal SI suffixes, the binary ones or `e`/`E` and an integer, white space around it. With
/// `minLength: 1` beside it, it refuses what the parser refuses except a string of white space
/// only. No look-ahead, so ECMA-262, Python's `re` and Rust's `regex` read it alike; `\s` is
/// Unicode white space in all three (ECMA-262 lacks U+0085, which no quantity carries).
pub const QUANTITY_PATTERN: &str =
    r"^\s*[+-]?[0-9]*(?:\.[0-9]*)?(?:[numkMGTPE]|[KMGTPE]i|[eE][+-]?[0-9]+)?\s*$";

/// The embedded set as one document whose root is `root`: every definition, unchanged. This
/// is the shape `flyte-lsp schema` printed before the strict one, kept byte for byte (the
/// latency bench gives it to yaml-language-server so that its figures stay comparable).
pub fn loose_document(set: &SchemaSet, root: &str) -> Value {
    let mut doc = set.document().clone();
    if let Some(obj) = doc.as_object_mut() {
        obj.insert("$ref".into(), Value::String(format!("#/$defs/{root}")));
    }
    doc
}

/// Whose reading of a Kubernetes object applies: Flyte documents take the Python client's
/// keywords and only string quantities.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Flavor {
    Kubernetes,
    Flyte,
}

/// The strict document for `root`: the definitions it reaches, tightened as the module doc
/// says.
pub fn strict_document(set: &SchemaSet, root: &str) -> Value {
    let flavor = if root.starts_with("flyte.") {
        Flavor::Flyte
    } else {
        Flavor::Kubernetes
    };
    let empty = Map::new();
    let all = set
        .document()
        .get("$defs")
        .and_then(Value::as_object)
        .unwrap_or(&empty);
    let mut out = Map::new();
    for name in reachable(all, root, None) {
        if let Some(def) = all.get(&name) {
            let strict = strict_def(&name, def, flavor);
            out.insert(name, strict);
        }
    }
    if out.contains_key(POD_STATUS) {
        relax_status(all, root, &mut out);
    }
    let mut doc = Map::new();
    doc.insert(
        "$schema".into(),
        Value::String("https://json-schema.org/draft/2020-12/schema".into()),
    );
    doc.insert("$ref".into(), Value::String(format!("#/$defs/{root}")));
    doc.insert("$defs".into(), Value::Object(out));
    Value::Object(doc)
}

const POD_STATUS: &str = "io.k8s.api.core.v1.PodStatus";

/// Suffix of the relaxed copies of definitions that a Pod's status shares with its spec.
const IN_STATUS: &str = "InStatus";

/// Drops the `required` lists of everything a Pod's `status` reaches. A definition that is
/// also reached without passing through the status (`ResourceRequirements`, by
/// `containerStatuses[].resources`) keeps its lists and gets a relaxed copy, which the status
/// side refers to instead.
fn relax_status(all: &Map<String, Value>, root: &str, out: &mut Map<String, Value>) {
    let outside = reachable(all, root, Some(POD_STATUS));
    let status_side = reachable(all, POD_STATUS, None);
    let has_required = |name: &str| out.get(name).is_some_and(|d| d.get("required").is_some());
    // Shared definitions to copy: those whose own closure requires something.
    let copied: Vec<String> = status_side
        .iter()
        .filter(|n| outside.contains(n))
        .filter(|n| reachable(all, n, None).iter().any(|m| has_required(m)))
        .cloned()
        .collect();
    for name in &status_side {
        let Some(def) = out.get(name) else { continue };
        let mut relaxed = def.clone();
        if let Some(obj) = relaxed.as_object_mut() {
            obj.remove("required");
            obj.remove("allOf");
        }
        rename_refs(&mut relaxed, &copied);
        if copied.contains(name) {
            out.insert(format!("{name}{IN_STATUS}"), relaxed);
        } else if !outside.contains(name) {
            out.insert(name.clone(), relaxed);
        }
    }
}

/// Points every `$ref` to one of `names` at its relaxed copy.
fn rename_refs(value: &mut Value, names: &[String]) {
    match value {
        Value::Object(map) => {
            for (k, v) in map.iter_mut() {
                if k == "$ref" {
                    if let Some(name) = v.as_str().and_then(|r| r.strip_prefix("#/$defs/")) {
                        if names.iter().any(|n| n == name) {
                            *v = Value::String(format!("#/$defs/{name}{IN_STATUS}"));
                        }
                    }
                } else {
                    rename_refs(v, names);
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(|v| rename_refs(v, names)),
        _ => {}
    }
}

/// Definition names reachable from `root` through `$ref`s, `root` first, then in the order
/// they are found (breadth first), so the output is stable; `blocked` is not entered.
fn reachable(all: &Map<String, Value>, root: &str, blocked: Option<&str>) -> Vec<String> {
    let mut seen: Vec<String> = vec![root.to_string()];
    let mut i = 0;
    while let Some(name) = seen.get(i).cloned() {
        i += 1;
        let mut refs = Vec::new();
        if let Some(def) = all.get(&name) {
            collect_refs(def, &mut refs);
        }
        refs.retain(|r| Some(r.as_str()) != blocked);
        for r in refs {
            if all.contains_key(&r) && !seen.contains(&r) {
                seen.push(r);
            }
        }
    }
    seen
}

fn collect_refs(value: &Value, out: &mut Vec<String>) {
    match value {
        Value::Object(map) => {
            for (k, v) in map {
                if k == "$ref" {
                    if let Some(name) = v.as_str().and_then(|r| r.strip_prefix("#/$defs/")) {
                        out.push(name.to_string());
                    }
                } else {
                    collect_refs(v, out);
                }
            }
        }
        Value::Array(items) => items.iter().for_each(|v| collect_refs(v, out)),
        _ => {}
    }
}

fn strict_def(name: &str, def: &Value, flavor: Flavor) -> Value {
    let scalar = match name {
        defs::QUANTITY => {
            // The SDK's models take quantities as strings only (`Dict[str, StrictStr]`); the
            // API server also decodes a bare number. `null` decodes to zero either way.
            let types = match flavor {
                Flavor::Kubernetes => json!(["string", "number", "null"]),
                Flavor::Flyte => json!(["string", "null"]),
            };
            json!({ "type": types, "minLength": 1, "pattern": QUANTITY_PATTERN })
        }
        // `IntOrString.UnmarshalJSON`: a JSON string, else an int32; `null` is a no-op.
        defs::INT_OR_STRING => json!({ "type": ["integer", "string", "null"] }),
        _ if name.starts_with("io.k8s.") => return strict_object(name, def, flavor),
        // Flyte's own shapes are hand-written and already closed; they reach the Kubernetes
        // definitions by `$ref`.
        _ => return def.clone(),
    };
    // The description first, as in the embedded definitions.
    let mut out = Map::new();
    if let Some(d) = def.get("description") {
        out.insert("description".into(), d.clone());
    }
    if let Value::Object(rest) = scalar {
        out.extend(rest);
    }
    Value::Object(out)
}

/// A Kubernetes definition: closed when it lists properties, enums on the enforced fields,
/// `null` allowed as the value of every named field.
fn strict_object(name: &str, def: &Value, flavor: Flavor) -> Value {
    let mut out = def.clone();
    let Some(obj) = out.as_object_mut() else {
        return out;
    };
    // `null` for a field that is a `$ref`: the definition itself accepts it.
    add_null(obj);
    let Some(props) = def.get("properties").and_then(Value::as_object) else {
        return out;
    };
    let mut strict_props = Map::new();
    let mut aliased_required: Vec<(String, String)> = Vec::new();
    let required: Vec<&str> = def
        .get("required")
        .and_then(Value::as_array)
        .map(|r| r.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    for (prop, schema) in props {
        let strict = strict_property(name, prop, schema);
        let alias = match flavor {
            Flavor::Flyte => k8s_names::keyword_for_api(prop).filter(|k| *k != prop),
            Flavor::Kubernetes => None,
        };
        if let Some(alias) = alias {
            let mut copy = strict.clone();
            if let Some(c) = copy.as_object_mut() {
                c.insert(
                    "description".into(),
                    Value::String(format!(
                        "`{prop}`, spelled as the kubernetes Python client's keyword."
                    )),
                );
            }
            strict_props.insert(prop.clone(), strict);
            if props.contains_key(alias) {
                continue;
            }
            strict_props.insert(alias.to_string(), copy);
            if required.contains(&prop.as_str()) {
                aliased_required.push((prop.clone(), alias.to_string()));
            }
        } else {
            strict_props.insert(prop.clone(), strict);
        }
    }
    obj.insert("properties".into(), Value::Object(strict_props));
    if !aliased_required.is_empty() {
        // A required field may be written in either spelling: one of the two must be there.
        let keep: Vec<Value> = required
            .iter()
            .filter(|r| !aliased_required.iter().any(|(p, _)| p == *r))
            .map(|r| Value::String((*r).to_string()))
            .collect();
        if keep.is_empty() {
            obj.remove("required");
        } else {
            obj.insert("required".into(), Value::Array(keep));
        }
        let either: Vec<Value> = aliased_required
            .iter()
            .map(|(p, a)| json!({ "anyOf": [{ "required": [p] }, { "required": [a] }] }))
            .collect();
        obj.insert("allOf".into(), Value::Array(either));
    }
    let preserves = def
        .get("x-kubernetes-preserve-unknown-fields")
        .and_then(Value::as_bool)
        == Some(true);
    if !preserves && !obj.contains_key("additionalProperties") {
        obj.insert("additionalProperties".into(), Value::Bool(false));
    }
    out
}

/// One named field: `null` allowed beside its inline type, the enforced values as an `enum`.
fn strict_property(def: &str, prop: &str, schema: &Value) -> Value {
    let mut out = schema.clone();
    let Some(obj) = out.as_object_mut() else {
        return out;
    };
    let is_string = obj.get("type").and_then(Value::as_str) == Some("string");
    add_null(obj);
    if let (true, Some(values)) = (is_string, enums::allowed_values(def, prop)) {
        let mut listed: Vec<Value> = values.iter().map(|v| json!(v)).collect();
        listed.push(Value::Null);
        obj.insert("enum".into(), Value::Array(listed));
    }
    out
}

/// Adds `null` to a schema's inline `type`.
fn add_null(obj: &mut Map<String, Value>) {
    match obj.get_mut("type") {
        Some(Value::String(t)) if t != "null" => {
            let t = std::mem::take(t);
            obj.insert("type".into(), json!([t, "null"]));
        }
        Some(Value::Array(types)) if !types.iter().any(|t| t == "null") => {
            types.push(json!("null"));
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::quantity;
    use crate::schema::schemas;

    fn def<'a>(doc: &'a Value, name: &str) -> &'a Value {
        &doc["$defs"][name]
    }

    #[test]
    fn kubernetes_objects_are_closed_and_enums_written() {
        let set = schemas().newest();
        let doc = strict_document(set, defs::POD_TEMPLATE);
        let container = def(&doc, defs::CONTAINER);
        assert_eq!(container["additionalProperties"], json!(false));
        assert_eq!(
            container["properties"]["imagePullPolicy"]["enum"],
            json!(["Always", "IfNotPresent", "Never", null])
        );
        assert_eq!(
            container["properties"]["imagePullPolicy"]["type"],
            json!(["string", "null"])
        );
        // No Python spellings in a Kubernetes object: `volume_mounts` is an unknown field.
        assert!(container["properties"].get("volume_mounts").is_none());
        // Free-form maps stay open, with their value types.
        let limits = &def(&doc, "io.k8s.api.core.v1.ResourceRequirements")["properties"]["limits"];
        assert_eq!(
            limits["additionalProperties"],
            json!({ "$ref": format!("#/$defs/{}", defs::QUANTITY) })
        );
        let meta = def(&doc, defs::OBJECT_META);
        assert_eq!(meta["additionalProperties"], json!(false));
        assert!(meta["properties"]["labels"]["additionalProperties"].is_object());
        assert_eq!(
            def(&doc, defs::INT_OR_STRING)["type"],
            json!(["integer", "string", "null"])
        );
        assert_eq!(
            def(&doc, defs::QUANTITY)["type"],
            json!(["string", "number", "null"])
        );
        // Property-less objects stay free-form.
        let fields = def(&doc, "io.k8s.apimachinery.pkg.apis.meta.v1.FieldsV1");
        assert!(fields.get("additionalProperties").is_none());
        assert_eq!(
            doc["$ref"],
            json!(format!("#/$defs/{}", defs::POD_TEMPLATE))
        );
    }

    #[test]
    fn a_pod_status_requires_nothing() {
        let set = schemas().newest();
        let doc = strict_document(set, defs::POD);
        let all = doc["$defs"].as_object().expect("defs");
        let status = &all["io.k8s.api.core.v1.ContainerStatus"];
        assert!(status.get("required").is_none());
        assert_eq!(status["additionalProperties"], json!(false));
        assert_eq!(
            status["properties"]["resources"]["$ref"],
            json!("#/$defs/io.k8s.api.core.v1.ResourceRequirementsInStatus")
        );
        let claim = "io.k8s.api.core.v1.ResourceClaim";
        assert!(all[claim].get("required").is_some());
        assert!(all[&format!("{claim}InStatus")].get("required").is_none());
        // The spec side is untouched.
        let spec_resources = &all[defs::CONTAINER]["properties"]["resources"]["$ref"];
        assert_eq!(
            spec_resources,
            &json!("#/$defs/io.k8s.api.core.v1.ResourceRequirements")
        );
        assert!(all[defs::CONTAINER].get("required").is_some());
    }

    #[test]
    fn every_enforced_enum_reaches_the_schema() {
        let set = schemas().newest();
        let doc = strict_document(set, defs::POD);
        let all = doc["$defs"].as_object().expect("defs");
        let mut written = 0;
        for (name, d) in all {
            for (prop, schema) in d["properties"].as_object().into_iter().flatten() {
                if let Some(values) = enums::allowed_values(name, prop) {
                    let e = schema["enum"].as_array().expect("enum written");
                    assert_eq!(e.len(), values.len() + 1, "{name}.{prop}");
                    written += 1;
                }
            }
        }
        // Every table entry is a property of a type a Pod reaches.
        let expected = ["Container", "EphemeralContainer", "PodSpec", "Toleration"].len();
        assert!(written > expected, "{written} enums written");
    }

    #[test]
    fn flyte_documents_take_python_keywords() {
        let set = schemas().newest();
        let doc = strict_document(set, defs::FLYTE_TASK_ENVIRONMENT);
        let container = def(&doc, defs::CONTAINER);
        let props = &container["properties"];
        assert_eq!(
            props["image_pull_policy"]["enum"],
            props["imagePullPolicy"]["enum"]
        );
        let spec = def(&doc, defs::POD_SPEC);
        assert!(spec["properties"].get("host_ipc").is_some());
        assert!(spec["properties"].get("hostIPC").is_some());
        // `containerPort` is required, in either spelling.
        let port = def(&doc, "io.k8s.api.core.v1.ContainerPort");
        assert!(port.get("required").is_none());
        assert_eq!(
            port["allOf"],
            json!([{ "anyOf": [{ "required": ["containerPort"] }, { "required": ["container_port"] }] }])
        );
        // The SDK's models take quantities as strings only.
        assert_eq!(def(&doc, defs::QUANTITY)["type"], json!(["string", "null"]));
        // The Flyte shapes themselves are printed as embedded.
        let loose = set.document();
        assert_eq!(
            def(&doc, "FlytePodTemplate"),
            def(loose, "FlytePodTemplate")
        );
        // Only what the root reaches: no Pod, no PodTemplate.
        assert!(doc["$defs"].get(defs::POD).is_none());
        assert!(doc["$defs"].get(defs::POD_TEMPLATE).is_none());
    }

    #[test]
    fn loose_is_the_embedded_set() {
        let set = schemas().newest();
        let loose = loose_document(set, defs::FLYTE_POD_TEMPLATE);
        assert_eq!(loose["$defs"], set.document()["$defs"]);
        assert!(def(&loose, defs::CONTAINER)
            .get("additionalProperties")
            .is_none());
    }

    /// The pattern (with `minLength: 1`) accepts exactly what the quantity parser accepts,
    /// over every string of up to four characters from the grammar's alphabet and a few
    /// others, except strings of white space only.
    #[test]
    fn quantity_pattern_is_the_parser() {
        let re = regex::Regex::new(QUANTITY_PATTERN).expect("pattern compiles");
        let alphabet: Vec<char> = "0159.+-eEiKMGmnuk x\t\u{a0}".chars().collect();
        let mut strings = vec![String::new()];
        let mut frontier = vec![String::new()];
        for _ in 0..4 {
            let mut next = Vec::new();
            for s in &frontier {
                for c in &alphabet {
                    let mut t = s.clone();
                    t.push(*c);
                    next.push(t);
                }
            }
            strings.extend(next.iter().cloned());
            frontier = next;
        }
        strings.extend(
            [
                "1.5Gi", "  250m ", "1e-3", "+1E+9", "0.1m", "12Ki", "1Ei", "1.2.3", "1 Gi",
            ]
            .map(String::from),
        );
        let mut accepted = 0;
        for s in &strings {
            let parsed = quantity::parse(s).is_ok();
            let schema = !s.is_empty() && re.is_match(s);
            if s.chars().all(char::is_whitespace) && !s.is_empty() {
                // The one miss: white space only passes `minLength` and the pattern.
                assert!(schema && !parsed, "{s:?}");
                continue;
            }
            assert_eq!(schema, parsed, "{s:?}: parser says {parsed}");
            accepted += usize::from(parsed);
        }
        assert!(accepted > 1000, "{accepted} of {} accepted", strings.len());
    }
}
