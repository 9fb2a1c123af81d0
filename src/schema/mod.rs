//! Embedded JSON Schemas (Kubernetes pod types per version, Flyte's own shapes) and lookups.
//!
//! The schemas are compiled into the binary and parsed once, lazily; nothing here touches the
//! network or the disk. Kubernetes' schemas carry no enums and untyped Quantity/IntOrString, so
//! `enums` holds the allowed values the API server enforces. This module knows schemas, not
//! documents: walking a YAML tree against a schema lives in `analysis`.

pub mod enums;

use std::collections::HashMap;
use std::sync::OnceLock;

use serde_json::{Map, Value};

use crate::text::fast_hash::FastBuild;

/// A Kubernetes minor version such as 1.37.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct KubeVersion(pub u32);

impl KubeVersion {
    /// Parses `1.37`, `v1.37` or `37`.
    pub fn parse(s: &str) -> Option<KubeVersion> {
        let s = s.trim().trim_start_matches('v');
        let minor = s.strip_prefix("1.").unwrap_or(s);
        let minor = minor.split('.').next()?;
        minor.parse().ok().map(KubeVersion)
    }
}

impl std::fmt::Display for KubeVersion {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "1.{}", self.0)
    }
}

/// Def names of the roots we validate against.
pub mod defs {
    pub const POD: &str = "io.k8s.api.core.v1.Pod";
    pub const POD_TEMPLATE: &str = "io.k8s.api.core.v1.PodTemplate";
    pub const POD_SPEC: &str = "io.k8s.api.core.v1.PodSpec";
    pub const OBJECT_META: &str = "io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta";
    pub const CONTAINER: &str = "io.k8s.api.core.v1.Container";
    pub const QUANTITY: &str = "io.k8s.apimachinery.pkg.api.resource.Quantity";
    pub const INT_OR_STRING: &str = "io.k8s.apimachinery.pkg.util.intstr.IntOrString";
    pub const FLYTE_TASK_ENVIRONMENT: &str = "flyte.TaskEnvironment";
    pub const FLYTE_POD_TEMPLATE: &str = "flyte.PodTemplate";
}

const K8S: &[(u32, &str)] = &[
    (35, include_str!("../../schemas/k8s/v1.35.json")),
    (36, include_str!("../../schemas/k8s/v1.36.json")),
    (37, include_str!("../../schemas/k8s/v1.37.json")),
];
const FLYTE_TASK_ENVIRONMENT: &str = include_str!("../../schemas/flyte/task-environment.json");
const FLYTE_POD_TEMPLATE: &str = include_str!("../../schemas/flyte/pod-template.json");

/// Every embedded schema, one combined document per Kubernetes version.
pub struct Schemas {
    /// One slot per embedded version, filled on first use: most runs need only the newest.
    sets: Vec<(KubeVersion, OnceLock<SchemaSet>)>,
}

/// The schema documents for one Kubernetes version: the Kubernetes `$defs` plus the Flyte
/// shapes (whose `$ref`s point into the same `$defs`), so every reference resolves locally.
pub struct SchemaSet {
    pub version: KubeVersion,
    /// Never freed: a set lives in the process-wide [`Schemas`] from its first use to the end,
    /// and a `'static` document lets [`Self::defs`] point into it.
    root: &'static Value,
    /// `$defs` by name, with a cheap hash: every `$ref` the walk follows is looked up here.
    /// `None` for the empty set.
    defs: Option<HashMap<&'static str, (&'static str, &'static Value), FastBuild>>,
}

static SCHEMAS: OnceLock<Schemas> = OnceLock::new();

/// The embedded schemas. Each version is parsed on first use (a few milliseconds, once per
/// process).
pub fn schemas() -> &'static Schemas {
    SCHEMAS.get_or_init(|| Schemas {
        sets: K8S
            .iter()
            .map(|(minor, _)| (KubeVersion(*minor), OnceLock::new()))
            .collect(),
    })
}

impl Schemas {
    fn load(minor: u32, text: &str) -> SchemaSet {
        let env = serde_json::from_str::<Value>(FLYTE_TASK_ENVIRONMENT).unwrap_or(Value::Null);
        let tmpl = serde_json::from_str::<Value>(FLYTE_POD_TEMPLATE).unwrap_or(Value::Null);
        let k8s = serde_json::from_str::<Value>(text).unwrap_or(Value::Null);
        let mut all = Map::new();
        // The documents are taken apart, not copied: this runs at the start of every `check`.
        let (env, env_defs) = strip_defs(env);
        let (tmpl, tmpl_defs) = strip_defs(tmpl);
        let (_, k8s_defs) = strip_defs(k8s);
        for defs in [k8s_defs, env_defs, tmpl_defs] {
            all.extend(defs);
        }
        all.insert(defs::FLYTE_TASK_ENVIRONMENT.into(), env);
        all.insert(defs::FLYTE_POD_TEMPLATE.into(), tmpl);
        let mut root = Map::new();
        root.insert(
            "$schema".into(),
            Value::String("https://json-schema.org/draft/2020-12/schema".into()),
        );
        root.insert("$defs".into(), Value::Object(all));
        let root: &'static Value = Box::leak(Box::new(Value::Object(root)));
        let defs = root.get("$defs").and_then(Value::as_object).map(|all| {
            all.iter()
                .map(|(k, v)| (k.as_str(), (k.as_str(), v)))
                .collect()
        });
        SchemaSet {
            version: KubeVersion(minor),
            root,
            defs,
        }
    }

    fn set_at(&self, i: usize) -> Option<&SchemaSet> {
        let (version, slot) = self.sets.get(i)?;
        let text = K8S.get(i).map_or("", |(_, t)| *t);
        Some(slot.get_or_init(|| Schemas::load(version.0, text)))
    }

    /// Versions embedded, oldest first.
    pub fn versions(&self) -> impl Iterator<Item = KubeVersion> + '_ {
        self.sets.iter().map(|(v, _)| *v)
    }

    pub fn newest(&self) -> &SchemaSet {
        // `K8S` is never empty, but stay total: an empty list would be a build bug, not a panic.
        self.sets
            .len()
            .checked_sub(1)
            .and_then(|i| self.set_at(i))
            .unwrap_or(&EMPTY_SET)
    }

    /// The set for `version`, or `None` when that version is not embedded.
    pub fn get(&self, version: KubeVersion) -> Option<&SchemaSet> {
        let i = self.sets.iter().position(|(v, _)| *v == version)?;
        self.set_at(i)
    }

    /// The set for an optional setting: the newest when unset.
    pub fn for_version(&self, version: Option<KubeVersion>) -> &SchemaSet {
        version
            .and_then(|v| self.get(v))
            .unwrap_or_else(|| self.newest())
    }

    /// Embedded sets newer than `version`, oldest first (to say which version added a field).
    pub fn newer_than(&self, version: KubeVersion) -> impl Iterator<Item = &SchemaSet> {
        (0..self.sets.len())
            .filter(move |i| self.sets[*i].0 > version)
            .filter_map(|i| self.set_at(i))
    }

    /// Every embedded set, oldest first (parsing the ones not used yet).
    pub fn all(&self) -> impl Iterator<Item = &SchemaSet> {
        (0..self.sets.len()).filter_map(|i| self.set_at(i))
    }
}

static EMPTY_SET: SchemaSet = SchemaSet {
    version: KubeVersion(0),
    root: &Value::Null,
    defs: None,
};

/// The document without `$defs`, `$schema` and `$id`, and its `$defs`.
fn strip_defs(mut doc: Value) -> (Value, Map<String, Value>) {
    let mut defs = Map::new();
    if let Some(obj) = doc.as_object_mut() {
        if let Some(Value::Object(d)) = obj.remove("$defs") {
            defs = d;
        }
        obj.remove("$schema");
        obj.remove("$id");
    }
    (doc, defs)
}

impl SchemaSet {
    /// The whole combined document, for `flyte-lsp schema`.
    pub fn document(&self) -> &Value {
        self.root
    }

    /// A named definition.
    pub fn def(&self, name: &str) -> Option<SchemaNode<'_>> {
        let (key, value) = self.def_entry(name)?;
        Some(
            SchemaNode {
                value,
                def: Some(key),
                description: None,
                owner: None,
            }
            .resolve(self),
        )
    }

    /// The `$defs` entry `name`: its key (borrowed from the document) and its schema.
    fn def_entry(&self, name: &str) -> Option<(&str, &Value)> {
        match &self.defs {
            Some(defs) => defs.get(name).map(|&(k, v)| (k, v)),
            None => field(self.root, "$defs")
                .and_then(Value::as_object)
                .and_then(|d| d.get_key_value(name))
                .map(|(k, v)| (k.as_str(), v)),
        }
    }

    /// Wraps a raw schema value found inside this set and follows its `$ref`s.
    pub fn node<'a>(&'a self, value: &'a Value) -> SchemaNode<'a> {
        SchemaNode {
            value,
            def: None,
            description: None,
            owner: None,
        }
        .resolve(self)
    }
}

/// Objects of up to this many members are searched by scanning their keys: schema objects
/// have a handful (`type`, `description`, `properties`, ...), and comparing a few lengths is
/// much cheaper than the SipHash of `serde_json`'s map. Bigger ones are hashed (and `$defs`,
/// the biggest, has its own index: [`SchemaSet::def_entry`]).
const SCAN_LIMIT: usize = 32;

/// `value.get(key)` for an object, by [`entry`].
fn field<'v>(value: &'v Value, key: &str) -> Option<&'v Value> {
    match value {
        Value::Object(map) => entry(map, key).map(|(_, v)| v),
        _ => None,
    }
}

/// `map.get_key_value(key)`, scanning small maps (keys are unique, so the first match is the
/// one the hash finds).
fn entry<'v>(map: &'v Map<String, Value>, key: &str) -> Option<(&'v String, &'v Value)> {
    if map.len() <= SCAN_LIMIT {
        // Length and first byte before the full comparison: it calls `memcmp`, and schema
        // names of one length mostly differ in their first letter.
        let first = key.as_bytes().first();
        map.iter()
            .find(|(k, _)| k.len() == key.len() && k.as_bytes().first() == first && *k == key)
    } else {
        map.get_key_value(key)
    }
}

/// JSON types a schema allows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JsonType {
    Object,
    Array,
    String,
    Integer,
    Number,
    Boolean,
    Null,
}

impl JsonType {
    fn parse(s: &str) -> Option<JsonType> {
        Some(match s {
            "object" => JsonType::Object,
            "array" => JsonType::Array,
            "string" => JsonType::String,
            "integer" => JsonType::Integer,
            "number" => JsonType::Number,
            "boolean" => JsonType::Boolean,
            "null" => JsonType::Null,
            _ => return None,
        })
    }

    pub fn name(self) -> &'static str {
        match self {
            JsonType::Object => "a mapping",
            JsonType::Array => "a list",
            JsonType::String => "a string",
            JsonType::Integer => "an integer",
            JsonType::Number => "a number",
            JsonType::Boolean => "a boolean",
            JsonType::Null => "null",
        }
    }
}

/// The types of a schema in the order written ([`SchemaNode::type_list`]): a few inline, more
/// (no schema has them) on the heap.
#[derive(Debug, Clone, Default)]
pub struct TypeList {
    inline: [Option<JsonType>; 4],
    len: usize,
    spilled: Vec<JsonType>,
}

impl TypeList {
    fn push(&mut self, t: JsonType) {
        if self.spilled.is_empty() && self.len < self.inline.len() {
            self.inline[self.len] = Some(t);
            self.len += 1;
            return;
        }
        if self.spilled.is_empty() {
            self.spilled.extend(self.inline.iter().flatten());
        }
        self.spilled.push(t);
    }

    /// The types, in order.
    pub fn to_vec(&self) -> Vec<JsonType> {
        self.iter().collect()
    }

    pub fn iter(&self) -> impl Iterator<Item = JsonType> + '_ {
        let inline = if self.spilled.is_empty() {
            &self.inline[..self.len]
        } else {
            &[]
        };
        inline.iter().flatten().chain(&self.spilled).copied()
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0 && self.spilled.is_empty()
    }

    pub fn contains(&self, t: &JsonType) -> bool {
        self.iter().any(|x| x == *t)
    }
}

/// A schema node after `$ref` resolution, remembering which definition it came from and the
/// description written next to the reference (Kubernetes puts field docs there).
#[derive(Debug, Clone, Copy)]
pub struct SchemaNode<'a> {
    pub value: &'a Value,
    /// The `$defs` name this node is, when it was reached through a reference.
    pub def: Option<&'a str>,
    /// A description that sat beside the `$ref`; it wins over the definition's own.
    description: Option<&'a str>,
    /// The definition and property name this node was reached as, e.g.
    /// `("io.k8s.api.core.v1.Container", "imagePullPolicy")`.
    pub owner: Option<(&'a str, &'a str)>,
}

/// Longest `$ref` chain followed before giving up (a cycle of refs is a schema bug).
const MAX_REF_CHAIN: usize = 16;

impl<'a> SchemaNode<'a> {
    fn resolve(mut self, set: &'a SchemaSet) -> SchemaNode<'a> {
        for _ in 0..MAX_REF_CHAIN {
            let Some(reference) = field(self.value, "$ref").and_then(Value::as_str) else {
                break;
            };
            let Some(name) = reference.strip_prefix("#/$defs/") else {
                break;
            };
            let Some((key, target)) = set.def_entry(name) else {
                break;
            };
            if self.description.is_none() {
                self.description = field(self.value, "description").and_then(Value::as_str);
            }
            self.value = target;
            self.def = Some(key);
        }
        self
    }

    /// The field's documentation.
    pub fn description(&self) -> Option<&'a str> {
        self.description
            .or_else(|| field(self.value, "markdownDescription").and_then(Value::as_str))
            .or_else(|| field(self.value, "description").and_then(Value::as_str))
    }

    /// Allowed JSON types; empty means "anything" (or "decided by anyOf").
    pub fn types(&self) -> Vec<JsonType> {
        match field(self.value, "type") {
            Some(Value::String(s)) => JsonType::parse(s).into_iter().collect(),
            Some(Value::Array(a)) => a
                .iter()
                .filter_map(Value::as_str)
                .filter_map(JsonType::parse)
                .collect(),
            _ => Vec::new(),
        }
    }

    /// [`Self::types`] without allocating for the usual one or two: the schema walk reads
    /// them once per node.
    pub fn type_list(&self) -> TypeList {
        let mut list = TypeList::default();
        match field(self.value, "type") {
            Some(Value::String(s)) => {
                if let Some(t) = JsonType::parse(s) {
                    list.push(t);
                }
            }
            Some(Value::Array(a)) => {
                for t in a
                    .iter()
                    .filter_map(Value::as_str)
                    .filter_map(JsonType::parse)
                {
                    list.push(t);
                }
            }
            _ => {}
        }
        list
    }

    /// True for the Kubernetes `Quantity` type (`"500m"`, `"2Gi"`, or a bare number).
    pub fn is_quantity(&self) -> bool {
        self.def == Some(defs::QUANTITY)
    }

    /// True for `IntOrString` and other `x-kubernetes-int-or-string` nodes.
    pub fn is_int_or_string(&self) -> bool {
        self.def == Some(defs::INT_OR_STRING)
            || (!self.is_quantity()
                && field(self.value, "x-kubernetes-int-or-string").and_then(Value::as_bool)
                    == Some(true))
    }

    pub fn properties(&self) -> Option<&'a Map<String, Value>> {
        field(self.value, "properties").and_then(Value::as_object)
    }

    pub fn property(&self, set: &'a SchemaSet, name: &str) -> Option<SchemaNode<'a>> {
        let (key, value) = entry(self.properties()?, name)?;
        let mut node = set.node(value);
        node.owner = self.def.map(|d| (d, key.as_str()));
        Some(node)
    }

    /// The schema for keys not listed in `properties`: `Some(schema)` for maps,
    /// `None` when extra keys are not expected.
    pub fn additional(&self, set: &'a SchemaSet) -> Option<SchemaNode<'a>> {
        match field(self.value, "additionalProperties") {
            Some(Value::Bool(false)) | None => None,
            Some(v @ Value::Bool(true)) => Some(set.node(v)),
            Some(v) => Some(set.node(v)),
        }
    }

    /// True when this object accepts keys beyond its `properties` (a map type).
    pub fn allows_extra_keys(&self) -> bool {
        match field(self.value, "additionalProperties") {
            Some(Value::Bool(false)) => false,
            Some(_) => true,
            // An object schema with no `properties` at all is a free-form object.
            None => self.properties().is_none(),
        }
    }

    pub fn items(&self, set: &'a SchemaSet) -> Option<SchemaNode<'a>> {
        field(self.value, "items").map(|v| set.node(v))
    }

    pub fn required(&self) -> impl Iterator<Item = &'a str> {
        field(self.value, "required")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
    }

    /// `anyOf` / `oneOf` branches, resolved.
    pub fn branches(&self, set: &'a SchemaSet) -> Vec<SchemaNode<'a>> {
        ["anyOf", "oneOf"]
            .iter()
            .filter_map(|k| field(self.value, k).and_then(Value::as_array))
            .flatten()
            .map(|v| set.node(v))
            .collect()
    }

    /// Values from the schema's own `enum`, when it has one (the Flyte schemas do).
    pub fn schema_enum(&self) -> Option<Vec<&'a str>> {
        let values = field(self.value, "enum")?.as_array()?;
        Some(values.iter().filter_map(Value::as_str).collect())
    }

    pub fn max_length(&self) -> Option<u64> {
        field(self.value, "maxLength").and_then(Value::as_u64)
    }

    pub fn minimum(&self) -> Option<f64> {
        field(self.value, "minimum").and_then(Value::as_f64)
    }

    pub fn maximum(&self) -> Option<f64> {
        field(self.value, "maximum").and_then(Value::as_f64)
    }

    pub fn pattern(&self) -> Option<&'a str> {
        field(self.value, "pattern").and_then(Value::as_str)
    }
}

/// The last segment of a def name, for messages: `io.k8s.api.core.v1.Container` → `Container`.
pub fn short_def_name(def: &str) -> &str {
    def.rsplit('.').next().unwrap_or(def)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_embedded_schema_parses_and_resolves_pod_spec() {
        let s = schemas();
        assert_eq!(s.versions().count(), K8S.len());
        for set in s.all() {
            let spec = set.def(defs::POD_SPEC).expect("PodSpec");
            assert!(spec.required().any(|r| r == "containers"));
            let containers = spec.property(set, "containers").expect("containers");
            let item = containers.items(set).expect("items");
            assert_eq!(item.def, Some(defs::CONTAINER));
            assert!(item.property(set, "imagePullPolicy").is_some());
            for root in [
                defs::FLYTE_TASK_ENVIRONMENT,
                defs::FLYTE_POD_TEMPLATE,
                defs::POD,
                defs::POD_TEMPLATE,
            ] {
                assert!(set.def(root).is_some(), "{root} in {}", set.version);
            }
        }
    }

    #[test]
    fn descriptions_beside_refs_win() {
        let set = schemas().newest();
        let spec = set.def(defs::POD_SPEC).expect("PodSpec");
        let affinity = spec.property(set, "affinity").expect("affinity");
        assert_eq!(
            affinity.description(),
            Some("If specified, the pod's scheduling constraints")
        );
    }

    #[test]
    fn versions_parse() {
        assert_eq!(KubeVersion::parse("1.37"), Some(KubeVersion(37)));
        assert_eq!(KubeVersion::parse("v1.35"), Some(KubeVersion(35)));
        assert_eq!(KubeVersion::parse("x"), None);
    }
}
