//! The kubernetes Python client's name table: keyword arguments → API field names and types.
//!
//! `V1PodSpec(host_ipc=True)` sets the API field `hostIPC`, and `V1Probe(_exec=...)` sets `exec`.
//! The mapping is the client's own `attribute_map`, dumped with each attribute's declared type
//! (`openapi_types`) by `schemas/python/gen_attribute_map.py` from kubernetes 37.0.2 into
//! `schemas/python/kubernetes-client.json`, which is embedded here and parsed once, lazily.
//! Nothing derives a name mechanically from snake_case.
//!
//! Keyword spellings: every client version accepts the `attribute_map` key (`image_pull_policy`);
//! kubernetes ≥ 37 (pydantic models) also accepts the API name (`imagePullPolicy`), which the
//! table lists as an alias. kubernetes ≤ 36 raises `TypeError` for an alias.
//!
//! The table covers every model reachable from `V1Pod`, `V1PodTemplate`, `V1PodTemplateSpec`,
//! `V1PodSpec`, `V1ObjectMeta` and `V1Container`, plus the workload models that embed a pod
//! template (`V1Deployment`, `V1Job`, `V1CronJob`, ... and their specs) without the models only
//! they use (a `V1DeploymentSpec.strategy` is typed `V1DeploymentStrategy`, which is not listed).

use std::collections::{BTreeMap, HashMap};
use std::sync::OnceLock;

use serde::Deserialize;

/// The kubernetes client release the table was generated from.
pub const CLIENT_VERSION: &str = "37.0.2";

const TABLE_JSON: &str = include_str!("../../schemas/python/kubernetes-client.json");

/// How a keyword is spelled relative to the client versions that accept it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Spelling {
    /// The `attribute_map` key (`image_pull_policy`, `_exec`): every client version.
    Keyword,
    /// An extra spelling (`imagePullPolicy`): kubernetes ≥ 37 only.
    Alias,
}

/// One attribute of a client model, as reached through one keyword spelling.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Field {
    /// The model, e.g. `V1PodSpec`.
    pub model: &'static str,
    /// The canonical keyword (the `attribute_map` key), e.g. `host_ipc`.
    pub keyword: &'static str,
    /// The API field name, e.g. `hostIPC`.
    pub api: &'static str,
    /// The declared type as the client writes it: `str`, `bool`, `int`, `datetime`, `object`,
    /// `List[V1Container]`, `Dict[str, str]`, `V1Probe`.
    pub ty: &'static str,
    /// Whether the client requires it (`V1Container.name`, `V1PodSpec.containers`).
    pub required: bool,
    /// How the looked-up keyword was spelled.
    pub spelling: Spelling,
}

/// A declared type, parsed. kubernetes ≤ 36 wrote `list[...]` and `dict(str, ...)`, 37 writes
/// `List[...]` and `Dict[str, ...]`; both parse.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PyType {
    Str,
    Int,
    Float,
    Bool,
    /// `datetime` (an RFC 3339 string in the API).
    DateTime,
    /// `object`: any JSON value (Quantity, IntOrString, free-form maps).
    Object,
    List(Box<PyType>),
    /// A map with string keys.
    Dict(Box<PyType>),
    /// A client model such as `V1Container` (whether or not the table lists it).
    Model(String),
    /// Anything else, verbatim.
    Other(String),
}

#[derive(Deserialize)]
struct RawTable {
    kubernetes: String,
    models: BTreeMap<String, BTreeMap<String, RawField>>,
}

#[derive(Deserialize)]
struct RawField {
    api: String,
    #[serde(rename = "type")]
    ty: String,
    #[serde(default)]
    aliases: Vec<String>,
    #[serde(default)]
    required: bool,
}

struct FieldData {
    keyword: String,
    api: String,
    ty: String,
    required: bool,
}

struct Model {
    name: String,
    /// Sorted by keyword.
    fields: Vec<FieldData>,
    /// Every accepted spelling → (index into `fields`, spelling).
    by_keyword: HashMap<String, (usize, Spelling)>,
    by_api: HashMap<String, usize>,
}

struct Table {
    version: String,
    models: HashMap<String, Model>,
}

fn table() -> &'static Table {
    static TABLE: OnceLock<Table> = OnceLock::new();
    TABLE.get_or_init(|| load(TABLE_JSON))
}

/// Builds the table; a file that does not parse gives an empty table (a unit test keeps the
/// committed file parsing).
fn load(json: &str) -> Table {
    let Ok(raw) = serde_json::from_str::<RawTable>(json) else {
        tracing::error!("the embedded kubernetes client name table does not parse");
        return Table {
            version: String::new(),
            models: HashMap::new(),
        };
    };
    let models = raw
        .models
        .into_iter()
        .map(|(name, raw_fields)| {
            let mut fields = Vec::with_capacity(raw_fields.len());
            let mut by_keyword = HashMap::new();
            let mut by_api = HashMap::new();
            for (keyword, raw) in raw_fields {
                let index = fields.len();
                by_keyword.insert(keyword.clone(), (index, Spelling::Keyword));
                by_api.insert(raw.api.clone(), index);
                for alias in raw.aliases {
                    by_keyword.entry(alias).or_insert((index, Spelling::Alias));
                }
                fields.push(FieldData {
                    keyword,
                    api: raw.api,
                    ty: raw.ty,
                    required: raw.required,
                });
            }
            let model = Model {
                name: name.clone(),
                fields,
                by_keyword,
                by_api,
            };
            (name, model)
        })
        .collect();
    Table {
        version: raw.kubernetes,
        models,
    }
}

fn field(model: &'static Model, index: usize, spelling: Spelling) -> Option<Field> {
    let data = model.fields.get(index)?;
    Some(Field {
        model: &model.name,
        keyword: &data.keyword,
        api: &data.api,
        ty: &data.ty,
        required: data.required,
        spelling,
    })
}

/// The kubernetes version the embedded table says it was generated from.
pub fn table_version() -> &'static str {
    &table().version
}

/// Whether the table lists `model` (a class name such as `V1Container`).
pub fn has_model(model: &str) -> bool {
    table().models.contains_key(model)
}

/// The client's keyword for the API field `api` in any model (`hostIPC` → `host_ipc`), for
/// writing a key back in Python. Every model that has the field spells it the same way.
pub fn keyword_for_api(api: &str) -> Option<&'static str> {
    table().models.values().find_map(|m| {
        let i = *m.by_api.get(api)?;
        m.fields.get(i).map(|f| f.keyword.as_str())
    })
}

/// The table's own spelling of a model name, when it has the model.
pub fn model_name(model: &str) -> Option<&'static str> {
    table().models.get_key_value(model).map(|(k, _)| k.as_str())
}

/// What keyword `keyword` of `model`'s constructor sets: `model_field("V1PodSpec", "host_ipc")`
/// is `hostIPC` of type `bool`. `keyword` may be any spelling the client accepts (the
/// `attribute_map` key, or since kubernetes 37 the API name); [`Field::spelling`] says which.
pub fn model_field(model: &str, keyword: &str) -> Option<Field> {
    let model = table().models.get(model)?;
    let (index, spelling) = *model.by_keyword.get(keyword)?;
    field(model, index, spelling)
}

/// The attribute of `model` whose API name is `api` (`hostIPC` → keyword `host_ipc`), for
/// writing Python from an API name.
pub fn api_field(model: &str, api: &str) -> Option<Field> {
    let model = table().models.get(model)?;
    field(model, *model.by_api.get(api)?, Spelling::Keyword)
}

/// Every attribute of `model`, sorted by keyword.
pub fn model_fields(model: &str) -> impl Iterator<Item = Field> {
    let model = table().models.get(model);
    let count = model.map_or(0, |m| m.fields.len());
    (0..count).filter_map(move |i| model.and_then(|m| field(m, i, Spelling::Keyword)))
}

/// The model whose attributes apply to a value of the declared type `ty`: the model itself
/// (`V1Probe`), or the items' model of a list or map (`List[V1Container]` → `V1Container`).
/// `None` for scalars and for models the table does not list.
pub fn model_of_type(ty: &str) -> Option<&'static str> {
    let mut parsed = parse_type(ty);
    loop {
        match parsed {
            PyType::List(inner) | PyType::Dict(inner) => parsed = *inner,
            PyType::Model(name) => {
                return table()
                    .models
                    .get_key_value(name.as_str())
                    .map(|(k, _)| k.as_str())
            }
            _ => return None,
        }
    }
}

/// Parses a declared type (`List[V1Container]`, `dict(str, str)`, `bool`).
pub fn parse_type(ty: &str) -> PyType {
    let ty = ty.trim();
    if let Some(inner) = strip_wrapper(ty, &["List[", "list["], ']') {
        return PyType::List(Box::new(parse_type(inner)));
    }
    if let Some(inner) =
        strip_wrapper(ty, &["Dict[", "dict["], ']').or_else(|| strip_wrapper(ty, &["dict("], ')'))
    {
        let value = inner.split_once(',').map_or(inner, |(_, value)| value);
        return PyType::Dict(Box::new(parse_type(value)));
    }
    match ty {
        "str" => PyType::Str,
        "int" => PyType::Int,
        "float" => PyType::Float,
        "bool" => PyType::Bool,
        "datetime" | "date" => PyType::DateTime,
        "object" => PyType::Object,
        _ if ty.chars().next().is_some_and(|c| c.is_ascii_uppercase())
            && ty.chars().all(|c| c.is_ascii_alphanumeric()) =>
        {
            PyType::Model(ty.to_string())
        }
        _ => PyType::Other(ty.to_string()),
    }
}

fn strip_wrapper<'t>(ty: &'t str, openers: &[&str], closer: char) -> Option<&'t str> {
    openers
        .iter()
        .find_map(|open| ty.strip_prefix(open))
        .and_then(|rest| rest.strip_suffix(closer))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What YAML's FLY102 and the Flyte documents' snake_case reading derive from an API name
    /// is the client's own keyword, for every field of every model: `text::similar` computes
    /// it (analysis does not read this table), so this keeps the two in step.
    #[test]
    fn the_derived_snake_case_is_the_clients_keyword() {
        let mut checked = 0;
        for model in table().models.values() {
            for f in &model.fields {
                // Python keywords get a leading `_` (`_exec`, `_from`): no YAML user writes it.
                if f.keyword.starts_with('_') {
                    continue;
                }
                assert_eq!(
                    crate::text::similar::camel_to_snake(&f.api),
                    f.keyword,
                    "{}.{}",
                    model.name,
                    f.api
                );
                checked += 1;
            }
        }
        assert!(checked > 500, "only {checked} fields");
    }

    #[test]
    fn the_committed_table_parses_and_names_its_version() {
        assert_eq!(table_version(), CLIENT_VERSION);
        assert!(table().models.len() > 100, "{}", table().models.len());
        for root in ["V1Pod", "V1PodTemplate", "V1PodTemplateSpec", "V1PodSpec"] {
            assert!(has_model(root), "{root}");
        }
        for workload in [
            "V1Deployment",
            "V1JobSpec",
            "V1CronJobSpec",
            "V1JobTemplateSpec",
        ] {
            assert!(has_model(workload), "{workload}");
        }
    }

    #[test]
    fn keywords_map_through_the_clients_attribute_map_not_by_rule() {
        let cases = [
            ("V1PodSpec", "host_ipc", "hostIPC", "bool"),
            ("V1PodSpec", "host_pid", "hostPID", "bool"),
            ("V1PodStatus", "host_ip", "hostIP", "str"),
            ("V1Probe", "_exec", "exec", "V1ExecAction"),
            ("V1LifecycleHandler", "_exec", "exec", "V1ExecAction"),
            (
                "V1PodSpec",
                "set_hostname_as_fqdn",
                "setHostnameAsFQDN",
                "bool",
            ),
            ("V1PodSpec", "containers", "containers", "List[V1Container]"),
            (
                "V1PodSpec",
                "node_selector",
                "nodeSelector",
                "Dict[str, str]",
            ),
            ("V1Container", "image_pull_policy", "imagePullPolicy", "str"),
            ("V1ContainerPort", "container_port", "containerPort", "int"),
            ("V1ObjectMeta", "labels", "labels", "Dict[str, str]"),
            (
                "V1ResourceRequirements",
                "limits",
                "limits",
                "Dict[str, str]",
            ),
        ];
        for (model, keyword, api, ty) in cases {
            let f = model_field(model, keyword).unwrap_or_else(|| panic!("{model}.{keyword}"));
            assert_eq!(
                (f.api, f.ty, f.spelling),
                (api, ty, Spelling::Keyword),
                "{model}.{keyword}"
            );
            assert_eq!(f.model, model);
        }
    }

    #[test]
    fn api_names_are_aliases_accepted_since_37_only() {
        let f = model_field("V1Container", "imagePullPolicy").unwrap();
        assert_eq!(
            (f.keyword, f.api, f.spelling),
            ("image_pull_policy", "imagePullPolicy", Spelling::Alias)
        );
        let f = model_field("V1Probe", "exec").unwrap();
        assert_eq!((f.keyword, f.spelling), ("_exec", Spelling::Alias));
        // A name that is the same in both spellings is a keyword, not an alias.
        assert_eq!(
            model_field("V1Container", "name").unwrap().spelling,
            Spelling::Keyword
        );
    }

    #[test]
    fn unknown_models_keywords_and_mechanical_spellings_are_none() {
        assert_eq!(model_field("V1Container", "imagePullSecret"), None);
        assert_eq!(
            model_field("V1PodSpec", "hostIpc"),
            None,
            "camelCase by rule is not a spelling"
        );
        assert_eq!(
            model_field("V1Probe", "var_exec"),
            None,
            "pydantic's field name is not a keyword"
        );
        assert_eq!(model_field("V1Nope", "name"), None);
        assert_eq!(model_field("PodTemplate", "pod_spec"), None);
    }

    #[test]
    fn required_fields_come_from_the_client() {
        assert!(model_field("V1Container", "name").unwrap().required);
        assert!(model_field("V1PodSpec", "containers").unwrap().required);
        assert!(!model_field("V1Container", "image").unwrap().required);
    }

    #[test]
    fn reverse_lookup_and_listing() {
        assert_eq!(
            api_field("V1PodSpec", "hostIPC").unwrap().keyword,
            "host_ipc"
        );
        assert_eq!(api_field("V1Probe", "exec").unwrap().keyword, "_exec");
        assert_eq!(api_field("V1PodSpec", "host_ipc"), None);
        let keywords: Vec<_> = model_fields("V1EnvVar").map(|f| f.keyword).collect();
        assert_eq!(keywords, ["name", "value", "value_from"]);
        assert_eq!(model_fields("V1Nope").count(), 0);
    }

    #[test]
    fn every_model_a_pod_field_names_is_in_the_table() {
        // Workload models are listed without the models only they use (strategies, statuses).
        let workloads = [
            "V1Deployment",
            "V1DeploymentSpec",
            "V1StatefulSet",
            "V1StatefulSetSpec",
            "V1DaemonSet",
            "V1DaemonSetSpec",
            "V1ReplicaSet",
            "V1ReplicaSetSpec",
            "V1ReplicationController",
            "V1ReplicationControllerSpec",
            "V1Job",
            "V1JobSpec",
            "V1CronJob",
            "V1CronJobSpec",
            "V1JobTemplateSpec",
        ];
        for model in table().models.values() {
            if workloads.contains(&model.name.as_str()) {
                continue;
            }
            for f in &model.fields {
                if let Some(name) = name_of(&parse_type(&f.ty)) {
                    assert!(has_model(&name), "{}.{} -> {name}", model.name, f.keyword);
                }
            }
        }
        for workload in workloads {
            assert!(has_model(workload), "{workload}");
        }
        assert_eq!(
            model_of_type(model_field("V1DeploymentSpec", "template").unwrap().ty),
            Some("V1PodTemplateSpec")
        );
        assert_eq!(
            model_of_type(model_field("V1CronJobSpec", "job_template").unwrap().ty),
            Some("V1JobTemplateSpec")
        );
        fn name_of(t: &PyType) -> Option<String> {
            match t {
                PyType::List(i) | PyType::Dict(i) => name_of(i),
                PyType::Model(n) => Some(n.clone()),
                _ => None,
            }
        }
    }

    #[test]
    fn declared_types_parse_in_both_client_styles() {
        assert_eq!(
            parse_type("List[V1Container]"),
            PyType::List(Box::new(PyType::Model("V1Container".into())))
        );
        assert_eq!(
            parse_type("list[V1Container]"),
            parse_type("List[V1Container]")
        );
        assert_eq!(
            parse_type("Dict[str, str]"),
            PyType::Dict(Box::new(PyType::Str))
        );
        assert_eq!(
            parse_type("dict(str, str)"),
            PyType::Dict(Box::new(PyType::Str))
        );
        assert_eq!(
            parse_type("dict[str, str]"),
            PyType::Dict(Box::new(PyType::Str))
        );
        assert_eq!(parse_type("List[int]"), PyType::List(Box::new(PyType::Int)));
        assert_eq!(parse_type("bool"), PyType::Bool);
        assert_eq!(parse_type("object"), PyType::Object);
        assert_eq!(parse_type("datetime"), PyType::DateTime);
        assert_eq!(
            parse_type("Optional[str]"),
            PyType::Other("Optional[str]".into())
        );
        assert_eq!(model_of_type("List[V1Container]"), Some("V1Container"));
        assert_eq!(model_of_type("V1Probe"), Some("V1Probe"));
        assert_eq!(model_of_type("Dict[str, str]"), None);
        assert_eq!(model_of_type("V1DeploymentStrategy"), None);
        assert_eq!(model_of_type("str"), None);
    }

    #[test]
    fn every_declared_type_in_the_table_parses_to_a_known_shape() {
        for model in table().models.values() {
            for f in &model.fields {
                assert!(
                    !matches!(parse_type(&f.ty), PyType::Other(_)),
                    "{}.{}: {}",
                    model.name,
                    f.keyword,
                    f.ty
                );
            }
        }
    }

    #[test]
    fn a_broken_table_loads_empty() {
        assert!(load("{").models.is_empty());
    }
}
