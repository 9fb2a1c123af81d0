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
    /// What the schema walk asks of every node, worked out once at load ([`Compiled`]).
    /// `None` for the empty set.
    compiled: Option<Compiled>,
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
        let mut set = SchemaSet {
            version: KubeVersion(minor),
            root,
            defs,
            compiled: None,
        };
        set.compiled = Some(Compiled::build(&set));
        set
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
    compiled: None,
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
        let node = SchemaNode {
            def: Some(key),
            ..SchemaNode::raw(value)
        }
        .resolve(self);
        Some(self.with_shape(node))
    }

    /// `node` with its compiled [`Shape`], when its value is one the compiler reached.
    fn with_shape<'a>(&'a self, mut node: SchemaNode<'a>) -> SchemaNode<'a> {
        node.shape = self.compiled.as_ref().and_then(|c| c.shape_of(node.value));
        node
    }

    /// The node a compiled reference stands for, seen as `owner`'s field.
    fn reached<'a>(
        &'a self,
        compiled: &'a Compiled,
        id: u32,
        owner: Option<(&'a str, &'a str)>,
    ) -> Option<SchemaNode<'a>> {
        let r = compiled.reached.get(id as usize)?;
        Some(SchemaNode {
            value: r.value,
            def: r.def,
            description: r.description,
            owner,
            shape: compiled.shapes.get(r.shape as usize),
        })
    }

    /// This set's compiled tables when `shape` is one of them (a node is only ever asked
    /// about with the set it came from, but a mix-up must fall back, not misread).
    fn compiled_for(&self, shape: &Shape) -> Option<&Compiled> {
        let compiled = self.compiled.as_ref()?;
        let own = compiled.shapes.get(shape.id as usize)?;
        std::ptr::eq(own, shape).then_some(compiled)
    }

    /// The `$defs` entry `name`: its key (borrowed from the document) and its schema.
    fn def_entry(&self, name: &str) -> Option<(&'static str, &'static Value)> {
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
        let node = SchemaNode::raw(value).resolve(self);
        self.with_shape(node)
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

/// The types of a schema in the order written ([`SchemaNode::type_list`]), inline: there are
/// seven JSON types, so a list without repeats always fits (a repeat past the eighth entry is
/// dropped; no embedded schema repeats a type at all).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct TypeList {
    inline: [Option<JsonType>; 8],
    len: u8,
}

impl TypeList {
    fn push(&mut self, t: JsonType) {
        if let Some(slot) = self.inline.get_mut(usize::from(self.len)) {
            *slot = Some(t);
            self.len += 1;
        }
    }

    /// The types, in order.
    pub fn to_vec(&self) -> Vec<JsonType> {
        self.iter().collect()
    }

    pub fn iter(&self) -> impl Iterator<Item = JsonType> + '_ {
        self.inline[..usize::from(self.len)]
            .iter()
            .flatten()
            .copied()
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
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
    /// The compiled facts of `value`, when the set's compiler reached it (every node the walk
    /// meets); without them each question is answered from the JSON.
    shape: Option<&'a Shape>,
}

/// Longest `$ref` chain followed before giving up (a cycle of refs is a schema bug).
const MAX_REF_CHAIN: usize = 16;

impl<'a> SchemaNode<'a> {
    /// `value` as written: no `$ref` followed, no compiled shape.
    fn raw(value: &'a Value) -> SchemaNode<'a> {
        SchemaNode {
            value,
            def: None,
            description: None,
            owner: None,
            shape: None,
        }
    }

    /// Follows `$ref`s. The targets live as long as the set's document (for ever), so a node
    /// of any lifetime can be resolved against any set.
    fn resolve(mut self, set: &SchemaSet) -> SchemaNode<'a> {
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
        match self.shape {
            Some(shape) => shape.types,
            None => self.read_type_list(),
        }
    }

    /// [`Self::type_list`] read from the JSON.
    fn read_type_list(&self) -> TypeList {
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
                && match self.shape {
                    Some(shape) => shape.int_or_string,
                    None => marked_int_or_string(self.value),
                })
    }

    pub fn properties(&self) -> Option<&'a Map<String, Value>> {
        field(self.value, "properties").and_then(Value::as_object)
    }

    pub fn property(&self, set: &'a SchemaSet, name: &str) -> Option<SchemaNode<'a>> {
        if let Some((shape, compiled)) = self.compiled(set) {
            let prop = shape.property(name)?;
            return set.reached(compiled, prop.reached, self.def.map(|d| (d, prop.name)));
        }
        let (key, value) = entry(self.properties()?, name)?;
        let mut node = set.node(value);
        node.owner = self.def.map(|d| (d, key.as_str()));
        Some(node)
    }

    /// The schema for keys not listed in `properties`: `Some(schema)` for maps,
    /// `None` when extra keys are not expected.
    pub fn additional(&self, set: &'a SchemaSet) -> Option<SchemaNode<'a>> {
        if let Some((shape, compiled)) = self.compiled(set) {
            return set.reached(compiled, shape.additional?, None);
        }
        extra_schema(self.value).map(|v| set.node(v))
    }

    /// True when this object accepts keys beyond its `properties` (a map type).
    pub fn allows_extra_keys(&self) -> bool {
        match self.shape {
            Some(shape) => shape.allows_extra_keys,
            None => reads_extra_keys(self.value),
        }
    }
}

/// [`SchemaNode::allows_extra_keys`] read from the JSON.
fn reads_extra_keys(value: &Value) -> bool {
    match field(value, "additionalProperties") {
        Some(Value::Bool(false)) => false,
        Some(_) => true,
        // An object schema with no `properties` at all is a free-form object.
        None => field(value, "properties")
            .and_then(Value::as_object)
            .is_none(),
    }
}

/// The schema of keys beyond `properties`: `additionalProperties` unless absent or `false`.
fn extra_schema(value: &Value) -> Option<&Value> {
    match field(value, "additionalProperties") {
        Some(Value::Bool(false)) | None => None,
        Some(v) => Some(v),
    }
}

/// The `anyOf`, then the `oneOf` branches, unresolved.
fn branch_schemas(value: &Value) -> impl Iterator<Item = &Value> {
    ["anyOf", "oneOf"]
        .into_iter()
        .filter_map(|k| field(value, k).and_then(Value::as_array))
        .flatten()
}

/// `x-kubernetes-int-or-string: true`, read from the JSON.
fn marked_int_or_string(value: &Value) -> bool {
    field(value, "x-kubernetes-int-or-string").and_then(Value::as_bool) == Some(true)
}

impl<'a> SchemaNode<'a> {
    /// This node's compiled shape and the tables it indexes, when it has them.
    fn compiled(&self, set: &'a SchemaSet) -> Option<(&'a Shape, &'a Compiled)> {
        let shape = self.shape?;
        Some((shape, set.compiled_for(shape)?))
    }

    pub fn items(&self, set: &'a SchemaSet) -> Option<SchemaNode<'a>> {
        if let Some((shape, compiled)) = self.compiled(set) {
            return set.reached(compiled, shape.items?, None);
        }
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
        if let Some((shape, compiled)) = self.compiled(set) {
            return shape
                .branches
                .iter()
                .filter_map(|&id| set.reached(compiled, id, None))
                .collect();
        }
        branch_schemas(self.value).map(|v| set.node(v)).collect()
    }

    /// Values from the schema's own `enum`, when it has one (the Flyte schemas do).
    pub fn schema_enum(&self) -> Option<Vec<&'a str>> {
        if self.shape.is_some_and(|shape| !shape.has_enum) {
            return None;
        }
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

/// The schema walk's questions about one set, answered once when the set loads: for every
/// schema the definitions reach, its types, its properties (with their targets already
/// resolved) and its `items`, `additionalProperties` and `anyOf`/`oneOf` targets. Asking them
/// of the JSON costs a key scan per question and a `$defs` hash per `$ref`, for each node of
/// every document; here they are a field read or a probe of a small hash table.
struct Compiled {
    /// One per schema position (a property's value, an `items`, ...) the compiler met.
    reached: Vec<Reached>,
    /// One per distinct schema after `$ref` resolution.
    shapes: Vec<Shape>,
    /// A resolved schema's address to its shape, for nodes made from a raw value.
    by_value: HashMap<usize, u32, FastBuild>,
}

/// A schema position: what `$ref`s it follows to, and the description written beside them.
#[derive(Debug, Clone, Copy)]
struct Reached {
    value: &'static Value,
    def: Option<&'static str>,
    description: Option<&'static str>,
    shape: u32,
}

/// What the walk reads of one resolved schema. `id` is its own index in [`Compiled::shapes`].
#[derive(Debug, Default)]
struct Shape {
    id: u32,
    types: TypeList,
    int_or_string: bool,
    has_enum: bool,
    allows_extra_keys: bool,
    properties: Box<[Prop]>,
    /// [`property_slots`] over `properties`.
    slots: Box<[u16]>,
    items: Option<u32>,
    additional: Option<u32>,
    branches: Box<[u32]>,
}

/// A property: its name, its [`name_head`] (compared before the name itself), and its
/// [`Reached`] index.
#[derive(Debug)]
struct Prop {
    name: &'static str,
    head: u64,
    reached: u32,
}

/// A name's first eight bytes, zero-padded, with its length folded into the top byte. Equal
/// names have equal heads, and a name shorter than eight bytes is its head.
fn name_head(name: &str) -> u64 {
    let bytes = name.as_bytes();
    let word = match bytes.first_chunk::<8>() {
        Some(first) => u64::from_le_bytes(*first),
        None => bytes
            .iter()
            .rev()
            .fold(0u64, |word, &b| (word << 8) | u64::from(b)),
    };
    word ^ ((bytes.len() as u64) << 56)
}

/// Where a head starts probing in a table of `mask + 1` slots (Fibonacci hashing: the
/// multiply spreads the name's bytes into the top bits, which are kept).
fn home_slot(head: u64, mask: usize) -> usize {
    (head.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 40) as usize & mask
}

impl Shape {
    /// The property `name`, through [`Shape::slots`]: usually one probe and one comparison.
    fn property(&self, name: &str) -> Option<&Prop> {
        let mask = self.slots.len().checked_sub(1)?;
        let head = name_head(name);
        let mut at = home_slot(head, mask);
        // The table is at most half full, so an empty slot always ends the probe.
        for _ in 0..self.slots.len() {
            let i = usize::from(*self.slots.get(at)?).checked_sub(1)?;
            let p = self.properties.get(i)?;
            if p.head == head && (name.len() < 8 || p.name == name) {
                return Some(p);
            }
            at = (at + 1) & mask;
        }
        None
    }
}

/// An open-addressing table over `properties`: slot values are a property's index plus one
/// (zero is empty), at least twice as many slots as properties, a power of two. Empty when
/// there are no properties (or, never in the embedded schemas, too many to index).
fn property_slots(properties: &[Prop]) -> Box<[u16]> {
    let n = properties.len();
    if n == 0 || n >= usize::from(u16::MAX) / 2 {
        return Box::default();
    }
    let size = (2 * n).next_power_of_two();
    let mut slots = vec![0u16; size];
    let mask = size - 1;
    for (i, p) in properties.iter().enumerate() {
        let mut at = home_slot(p.head, mask);
        while slots[at] != 0 {
            at = (at + 1) & mask;
        }
        // `i + 1 <= n < u16::MAX`, checked above.
        slots[at] = u16::try_from(i + 1).unwrap_or(u16::MAX);
    }
    slots.into()
}

/// A value's address, the key of the compiler's memo tables (the set's document never moves).
fn address(value: &Value) -> usize {
    std::ptr::from_ref(value) as usize
}

/// Builds [`Compiled`] for a set: a worklist over the shapes, so deep or cyclic references
/// (`JSONSchemaProps` refers to itself) take no recursion and each shape is built once.
struct Compiler<'s> {
    set: &'s SchemaSet,
    out: Compiled,
    /// A schema position's address to its [`Reached`] index.
    by_raw: HashMap<usize, u32, FastBuild>,
    /// Shapes allocated but not yet filled in, with their schemas.
    pending: Vec<(u32, &'static Value)>,
}

impl Compiled {
    fn build(set: &SchemaSet) -> Compiled {
        let mut compiler = Compiler {
            set,
            out: Compiled {
                reached: Vec::new(),
                shapes: Vec::new(),
                by_value: HashMap::default(),
            },
            by_raw: HashMap::default(),
            pending: Vec::new(),
        };
        if let Some(defs) = &set.defs {
            for &(_, value) in defs.values() {
                compiler.reach(value);
            }
        }
        while let Some((id, value)) = compiler.pending.pop() {
            compiler.fill(id, value);
        }
        compiler.out
    }

    fn shape_of(&self, value: &Value) -> Option<&Shape> {
        let id = *self.by_value.get(&address(value))?;
        self.shapes.get(id as usize)
    }
}

impl Compiler<'_> {
    /// The [`Reached`] index of a schema position, compiling it (and queuing its shape) when new.
    fn reach(&mut self, raw: &'static Value) -> u32 {
        if let Some(&id) = self.by_raw.get(&address(raw)) {
            return id;
        }
        let node = SchemaNode::raw(raw).resolve(self.set);
        let shape = match self.out.by_value.get(&address(node.value)) {
            Some(&s) => s,
            None => {
                let s = index(self.out.shapes.len());
                self.out.shapes.push(Shape {
                    id: s,
                    ..Shape::default()
                });
                self.out.by_value.insert(address(node.value), s);
                self.pending.push((s, node.value));
                s
            }
        };
        let id = index(self.out.reached.len());
        self.out.reached.push(Reached {
            value: node.value,
            def: node.def,
            description: node.description,
            shape,
        });
        self.by_raw.insert(address(raw), id);
        id
    }

    /// Fills in a queued shape from its schema, reaching its children.
    fn fill(&mut self, id: u32, value: &'static Value) {
        let node = SchemaNode::raw(value);
        let mut properties = Vec::new();
        for (name, v) in node.properties().into_iter().flatten() {
            let reached = self.reach(v);
            properties.push(Prop {
                name: name.as_str(),
                head: name_head(name),
                reached,
            });
        }
        let items = field(value, "items").map(|v| self.reach(v));
        let additional = extra_schema(value).map(|v| self.reach(v));
        let branches = branch_schemas(value).map(|v| self.reach(v)).collect();
        let shape = Shape {
            id,
            types: node.read_type_list(),
            int_or_string: marked_int_or_string(value),
            has_enum: field(value, "enum").is_some(),
            allows_extra_keys: reads_extra_keys(value),
            slots: property_slots(&properties),
            properties: properties.into(),
            items,
            additional,
            branches,
        };
        if let Some(slot) = self.out.shapes.get_mut(id as usize) {
            *slot = shape;
        }
    }
}

/// A table index: the sets hold about a thousand schemas, far from `u32::MAX`.
fn index(len: usize) -> u32 {
    u32::try_from(len).unwrap_or(u32::MAX)
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

    /// The same node answered from the JSON alone.
    fn uncompiled(node: SchemaNode<'_>) -> SchemaNode<'_> {
        SchemaNode {
            shape: None,
            ..node
        }
    }

    /// Asserts that the compiled and the JSON answers agree for `a` (compiled) and `b` (the
    /// same node uncompiled), and queues their children.
    fn same_answers<'a>(
        set: &'a SchemaSet,
        a: SchemaNode<'a>,
        b: SchemaNode<'a>,
        queue: &mut Vec<(SchemaNode<'a>, SchemaNode<'a>)>,
    ) {
        let at = format!("{:?} {:?} in {}", a.def, a.owner, set.version);
        assert!(a.shape.is_some(), "not compiled: {at}");
        assert!(std::ptr::eq(a.value, b.value), "{at}");
        assert_eq!((a.def, a.owner), (b.def, b.owner), "{at}");
        assert_eq!(a.description(), b.description(), "{at}");
        assert_eq!(a.type_list(), b.type_list(), "{at}");
        assert_eq!(a.is_int_or_string(), b.is_int_or_string(), "{at}");
        assert_eq!(a.allows_extra_keys(), b.allows_extra_keys(), "{at}");
        assert_eq!(a.schema_enum(), b.schema_enum(), "{at}");
        let mut names: Vec<String> = b
            .properties()
            .into_iter()
            .flatten()
            .map(|(k, _)| k.clone())
            .collect();
        // Misses: an unknown name, and one of a listed name's length and first byte.
        names.push("noSuchField".into());
        if let Some(first) = names.first() {
            let mut near = first.clone();
            near.push('x');
            near.remove(near.len() - 2);
            names.push(near);
        }
        for name in &names {
            let (pa, pb) = (a.property(set, name), b.property(set, name));
            assert_eq!(pa.is_some(), pb.is_some(), "{name} of {at}");
            if let (Some(pa), Some(pb)) = (pa, pb) {
                queue.push((pa, uncompiled(pb)));
            }
        }
        let pairs = [
            (a.items(set), b.items(set)),
            (a.additional(set), b.additional(set)),
        ];
        for (ca, cb) in pairs {
            assert_eq!(ca.is_some(), cb.is_some(), "{at}");
            if let (Some(ca), Some(cb)) = (ca, cb) {
                queue.push((ca, uncompiled(cb)));
            }
        }
        let (ba, bb) = (a.branches(set), b.branches(set));
        assert_eq!(ba.len(), bb.len(), "{at}");
        queue.extend(ba.into_iter().zip(bb.into_iter().map(uncompiled)));
    }

    #[test]
    fn compiled_answers_equal_the_json_answers_for_every_reachable_schema() {
        for set in schemas().all() {
            let Some(defs) = &set.defs else { continue };
            let mut queue = Vec::new();
            for name in defs.keys() {
                let node = set.def(name).expect("a def");
                queue.push((node, uncompiled(node)));
            }
            let mut seen = std::collections::HashSet::new();
            let mut checked = 0;
            while let Some((a, b)) = queue.pop() {
                if !seen.insert((address(a.value), a.def, a.owner, a.description())) {
                    continue;
                }
                same_answers(set, a, b, &mut queue);
                checked += 1;
            }
            assert!(checked > 500, "{checked} nodes in {}", set.version);
        }
    }

    #[test]
    fn a_node_asked_with_another_set_is_answered_from_the_json() {
        let all: Vec<&SchemaSet> = schemas().all().collect();
        let (old, new) = (all[0], all[all.len() - 1]);
        let spec = old.def(defs::POD_SPEC).expect("PodSpec");
        let containers = spec.property(new, "containers").expect("containers");
        assert_eq!(
            containers.items(new).and_then(|c| c.def),
            Some(defs::CONTAINER)
        );
        assert!(spec.compiled(new).is_none());
    }

    #[test]
    fn versions_parse() {
        assert_eq!(KubeVersion::parse("1.37"), Some(KubeVersion(37)));
        assert_eq!(KubeVersion::parse("v1.35"), Some(KubeVersion(35)));
        assert_eq!(KubeVersion::parse("x"), None);
    }
}
