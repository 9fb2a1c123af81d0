//! The pod preview: what the Flyte SDK registers for a task environment or pod template, and
//! what the cluster adds on top. Pure: JSON in, JSON out.
//!
//! The SDK layer mirrors flyte 2.12.1 `flyte/_internal/runtime/task_serde.py` (`_get_k8s_pod`,
//! `_get_urun_container`) and `resources_serde.py` step by step; `tests/conformance/` compares
//! it with the real SDK. The cluster layer mirrors flyteplugins' pod helper (facts §5) with the
//! platform defaults of an out-of-the-box deployment.

mod merge;

use serde_json::{json, Map, Value};

use crate::model::pod::DEFAULT_PRIMARY;
use crate::model::DocKind;
use crate::tree::json::to_json;
use crate::tree::{Node, Stream};

use super::{Diagnostic, Severity, Snapshot};

/// Which layers to show.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Layer {
    /// Exactly what the SDK serializes (the `k8s_pod` of the task template).
    Sdk,
    /// The SDK layer plus what the Flyte backend and Kubernetes add at run time.
    Cluster,
}

/// The flyte SDK version whose serialization this module mirrors.
pub const FLYTE_SDK_VERSION: &str = "2.12.1";

/// The runtime command line the SDK puts in the primary container's `args`. Placeholders in
/// `{{.x}}` are filled by the backend; `<...>` parts depend on the code and deployment.
pub const RUNTIME_ARGS: &[&str] = &[
    "a0",
    "--inputs",
    "{{.input}}",
    "--outputs-path",
    "{{.outputPrefix}}",
    "--version",
    "<version>",
    "--raw-data-path",
    "{{.rawOutputDataPrefix}}",
    "--checkpoint-path",
    "{{.checkpointOutputPrefix}}",
    "--prev-checkpoint",
    "{{.prevCheckpointPrefix}}",
    "--run-name",
    "{{.runName}}",
    "--name",
    "{{.actionName}}",
    "--run-start-time",
    "{{.runStartTime}}",
    "--resolver",
    "flyte._internal.resolvers.default.DefaultTaskResolver",
    "mod",
    "<module>",
    "instance",
    "<task function>",
];

/// The image `image: "auto"` (or no image) resolves to: the SDK's default image for the local
/// Python version.
pub const AUTO_IMAGE: &str = "ghcr.io/flyteorg/flyte:py<python version>-v2.12.1";

/// What the preview shows for a value only run time knows (a Python call, an f-string, a
/// name from another module): the SDK computes it, the preview cannot. An opaque value would
/// otherwise read as `null` (an unknown image as `image=None`, a label as `null`).
pub const RUN_TIME: &str = "<run time>";

/// Fields whose value shapes the render: when one is opaque it stays absent (never the
/// placeholder string, which would read as a template name or a malformed section), and a
/// note says so.
const STRUCTURAL: &[&[&str]] = &[
    &["pod_template"],
    &["pod_template", "pod_spec"],
    &["resources"],
    &["env_vars"],
];

/// Replaces, in `root` (the JSON of `node`), every value that `node` has as an opaque value by
/// [`RUN_TIME`], except at the [`STRUCTURAL`] fields; returns the notes to add: the source
/// text of the values replaced or left out, and whether some field is unknown altogether (a
/// `**kwargs`, a method such as `.allow_fuse()`).
fn mark_run_time(source: &str, node: &crate::tree::Node, root: &mut Value) -> Vec<String> {
    use crate::tree::NodeKind;
    fn walk<'n>(
        node: &'n crate::tree::Node,
        value: &mut Value,
        path: &mut Vec<String>,
        shown: &mut Vec<&'n crate::tree::Node>,
        absent: &mut Vec<&'n crate::tree::Node>,
        unknown_fields: &mut bool,
    ) {
        match (&node.kind, value) {
            (NodeKind::Map(entries), Value::Object(map)) => {
                for e in entries {
                    let Some(k) = e.key_str() else {
                        *unknown_fields |= matches!(e.key.kind, NodeKind::Opaque);
                        continue;
                    };
                    let Some(v) = map.get_mut(k) else { continue };
                    path.push(k.to_string());
                    if matches!(e.value.kind, NodeKind::Opaque) {
                        if STRUCTURAL.iter().any(|s| s.iter().eq(path.iter())) {
                            absent.push(&e.value);
                        } else {
                            *v = Value::String(RUN_TIME.into());
                            shown.push(&e.value);
                        }
                    } else {
                        walk(&e.value, v, path, shown, absent, unknown_fields);
                    }
                    path.pop();
                }
            }
            (NodeKind::Seq(items), Value::Array(values)) => {
                for (i, (item, v)) in items.iter().zip(values.iter_mut()).enumerate() {
                    if matches!(item.kind, NodeKind::Opaque) {
                        *v = Value::String(RUN_TIME.into());
                        shown.push(item);
                    } else {
                        path.push(i.to_string());
                        walk(item, v, path, shown, absent, unknown_fields);
                        path.pop();
                    }
                }
            }
            _ => {}
        }
    }
    let (mut shown, mut absent, mut unknown_fields) = (Vec::new(), Vec::new(), false);
    walk(
        node,
        root,
        &mut Vec::new(),
        &mut shown,
        &mut absent,
        &mut unknown_fields,
    );
    let quote = |nodes: &[&crate::tree::Node]| {
        let mut parts: Vec<String> = nodes
            .iter()
            .take(5)
            .map(|n| {
                let text = source.get(n.span.clone()).unwrap_or("?");
                let text: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
                match text.char_indices().nth(40) {
                    Some((at, _)) => format!("`{}...`", &text[..at]),
                    None => format!("`{text}`"),
                }
            })
            .collect();
        if nodes.len() > 5 {
            parts.push(format!("and {} more", nodes.len() - 5));
        }
        parts.join(", ")
    };
    let mut notes = Vec::new();
    if !shown.is_empty() {
        notes.push(format!(
            "values only run time knows are shown as `{RUN_TIME}`: {}",
            quote(&shown)
        ));
    }
    if !absent.is_empty() {
        notes.push(format!(
            "known only at run time, so left out of the pod: {}",
            quote(&absent)
        ));
    }
    if unknown_fields {
        notes.push(
            "some fields are set by code only run time knows (`**kwargs`, a method such as \
             `.allow_fuse()`): the SDK's pod may have more than is shown"
                .to_string(),
        );
    }
    notes
}

/// What the cluster layer needs beyond the document: the workspace's PodTemplates (for a string
/// `pod_template`) and the cluster's default PodTemplate, as a file the caller has parsed.
#[derive(Debug, Clone, Copy, Default)]
pub struct RenderContext<'a> {
    pub workspace: Option<&'a crate::workspace::WorkspaceIndex>,
    pub cluster_template: Option<&'a Stream>,
}

/// A rendered pod.
#[derive(Debug, Clone, PartialEq)]
pub struct Rendered {
    /// `{"apiVersion": "v1", "kind": "Pod", "metadata": {...}, "spec": {...}}`.
    pub pod: Value,
    /// Notes for the reader (what was assumed, what the string template means).
    pub notes: Vec<String>,
}

/// Why a document cannot be rendered.
#[derive(Debug, Clone, PartialEq)]
pub enum RenderError {
    /// No document with that index, or not a task environment / pod template.
    NotRenderable(String),
    /// The SDK would refuse this input; these are the diagnostics that say why.
    Refused(Vec<Diagnostic>),
}

/// Renders document `index` of a snapshot, with the workspace and the cluster's default
/// PodTemplate for the cluster layer.
pub fn render(
    snap: &Snapshot<'_>,
    index: usize,
    layer: Layer,
    ctx: &RenderContext<'_>,
) -> Result<Rendered, RenderError> {
    let (stream, settings) = (snap.stream, snap.settings);
    let analysis = snap.analyze();
    let (Some(doc), Some(info)) = (stream.documents.get(index), analysis.documents.get(index))
    else {
        return Err(RenderError::NotRenderable(format!(
            "the file has {} document(s); there is no document {index}",
            stream.documents.len()
        )));
    };
    if doc.sdk == crate::tree::Sdk::Flytekit {
        return Err(RenderError::NotRenderable(format!(
            "document {index} is read by flytekit (Flyte 1): it is checked, but only Flyte 2's pod is rendered"
        )));
    }
    if !matches!(
        info.kind,
        DocKind::TaskEnvironment | DocKind::FlytePodTemplate
    ) {
        return Err(RenderError::NotRenderable(format!(
            "document {index} is {}, not a task environment or Flyte pod template",
            info.kind.name()
        )));
    }
    // Which container is the primary decides the whole render; when only run time knows
    // (a lone `V1PodSpec` in a Python file, a name from another module), there is no preview.
    let primary_opaque = template_of(doc)
        .and_then(|t| t.get("primary_container_name"))
        .is_some_and(Node::is_opaque);
    if primary_opaque {
        return Err(RenderError::NotRenderable(format!(
            "document {index}'s primary container name is known only at run time, so which \
             container the SDK fills in is not known"
        )));
    }
    let pod_spec_of = |doc: &crate::tree::Document| {
        template_of(doc)
            .and_then(|t| t.get("pod_spec"))
            .map(|n| n.span.clone())
    };
    let pod_spec_span = pod_spec_of(doc);
    // A Python module that raises while it is imported (an environment, `Resources`, a
    // kubernetes model, `clone_with`, a decorator) registers nothing at all: a refusal anywhere
    // in it stops every render of it. Only a missing primary container is raised later, when
    // that one task is serialized.
    let python = stream.language == crate::tree::Language::Python;
    let pod_specs: Vec<std::ops::Range<usize>> = if python {
        stream.documents.iter().filter_map(pod_spec_of).collect()
    } else {
        Vec::new()
    };
    let refusals: Vec<Diagnostic> = analysis
        .diagnostics
        .into_iter()
        .filter(|d| {
            if covers(doc, &info.span, d.range.start) {
                sdk_refuses(d, pod_spec_span.as_ref())
            } else {
                let spec = pod_specs.iter().find(|r| r.contains(&d.range.start));
                python && d.code != "FLY301" && sdk_refuses(d, spec)
            }
        })
        .collect();
    if !refusals.is_empty() {
        return Err(RenderError::Refused(refusals));
    }
    // The SDK user's Python code read the file with PyYAML: the front end resolved it so.
    let root = doc.root.as_ref().map(|r| to_json(doc, r));
    let root = match root {
        Some(Ok(v)) => v,
        Some(Err(_)) => {
            return Err(RenderError::NotRenderable(
                "alias expansion exceeded the node budget".to_string(),
            ))
        }
        None => Value::Null,
    };
    let mut root = root;
    let mut notes = match doc.root.as_ref() {
        Some(node) => mark_run_time(snap.source, node, &mut root),
        None => Vec::new(),
    };
    let (env, template) = match info.kind {
        DocKind::TaskEnvironment => (
            root.clone(),
            root.get("pod_template").cloned().unwrap_or(Value::Null),
        ),
        _ => (Value::Null, root),
    };
    let mut pod = match &template {
        Value::String(name) => {
            notes.push(format!(
                "pod_template is the name of a cluster PodTemplate (`{name}`): the SDK registers a plain container \
                 and the backend merges that template under it at run time"
            ));
            sdk_pod(&env, &Value::Null, settings.kubernetes_version())
        }
        Value::Object(_) => sdk_pod(&env, &template, settings.kubernetes_version()),
        _ => sdk_pod(&env, &Value::Null, settings.kubernetes_version()),
    };
    if layer == Layer::Cluster {
        let platform = &settings.platform;
        add_cluster_layer(&env, &template, &mut pod, platform);
        notes.push(format!(
            "cluster layer: platform defaults {} CPU / {} default requests, generic `gpu` becomes `{}` \
             (settings `preview.cluster`); your platform's configuration may differ",
            platform.default_cpu, platform.default_memory, platform.gpu_resource
        ));
        let primary = template
            .get("primary_container_name")
            .and_then(Value::as_str)
            .unwrap_or(DEFAULT_PRIMARY);
        // A named template replaces the cluster default; they are never layered.
        let base = match &template {
            Value::String(name) => match ctx.workspace.and_then(|w| w.lookup(name).into_iter().next()) {
                Some(def) => {
                    notes.push(format!(
                        "merged the PodTemplate `{name}` from {} under the pod",
                        def.path.display()
                    ));
                    def.template_json()
                }
                None => {
                    notes.push(format!(
                        "the PodTemplate `{name}` is not in the workspace; it is merged at run time but not shown"
                    ));
                    None
                }
            },
            _ => ctx.cluster_template.and_then(|stream| {
                let t = template_json(stream);
                if t.is_some() {
                    notes.push("merged the cluster's default PodTemplate (setting `preview.cluster.podTemplate`) under the pod".to_string());
                }
                t
            }),
        };
        if let Some(base) = base {
            merge::merge_template(&base, &mut pod, Some(primary));
        }
    }
    Ok(Rendered { pod, notes })
}

/// The rendered pod as YAML, headed by comments naming the layer and the notes.
pub fn to_yaml_with_notes(rendered: &Rendered, layer: Layer) -> String {
    let mut out = String::new();
    out.push_str(match layer {
        Layer::Sdk => {
            "# Layer: registered by the SDK (flyte 2.12.1 serialization of the task's pod)\n"
        }
        Layer::Cluster => {
            "# Layers: registered by the SDK, plus added by the cluster (platform-dependent)\n"
        }
    });
    for note in &rendered.notes {
        out.push_str(&format!("# Note: {note}\n"));
    }
    let containers = rendered.pod["spec"]["containers"]
        .as_array()
        .map_or(0, Vec::len);
    if containers > 1 {
        out.push_str(
            "# Warning: more than one container: the task finishes only when every container has exited\n",
        );
    }
    out.push_str(&crate::yaml::emit::to_yaml(&rendered.pod));
    out
}

/// The Flyte pod template a document holds: an environment's `pod_template`, or the document
/// itself.
fn template_of(doc: &crate::tree::Document) -> Option<&Node> {
    let root = doc.root.as_ref()?;
    match doc.kind {
        DocKind::TaskEnvironment => root.get("pod_template"),
        _ => Some(root),
    }
}

/// Whether a finding at `at` is about document `doc`: inside its span, or inside one of its
/// entries (a derived document's entries are written where its environment is).
fn covers(doc: &crate::tree::Document, span: &std::ops::Range<usize>, at: usize) -> bool {
    let inside = |r: &std::ops::Range<usize>| r.start <= at && at <= r.end;
    inside(span)
        || doc
            .root
            .as_ref()
            .and_then(Node::as_map)
            .is_some_and(|entries| {
                entries
                    .iter()
                    .any(|e| inside(&e.key.span) || inside(&e.value.span))
            })
}

/// Whether the SDK (or the kubernetes ≥ 37 models it validates the pod spec with) raises on
/// the problem `d` reports. API-server rules (FLY2xx), enum values inside the pod spec and
/// duplicate keys (PyYAML keeps the last) do not stop serialization: the SDK registers such a
/// pod as written and the cluster rejects it later, which the preview then shows.
fn sdk_refuses(d: &Diagnostic, pod_spec: Option<&std::ops::Range<usize>>) -> bool {
    if d.severity != Severity::Error {
        return false;
    }
    let in_pod_spec = pod_spec.is_some_and(|r| r.contains(&d.range.start));
    match d.code {
        // Syntax, unknown fields (pydantic `extra="forbid"`), types, required fields, strings.
        "FLY001" | "FLY101" | "FLY103" | "FLY104" | "FLY106" | "FLY301" => true,
        // The SDK's own checks: environment name, resources, reuse policy, secrets.
        "FLY305" | "FLY308" | "FLY309" | "FLY310" | "FLY322" => true,
        // The kubernetes client refuses these while the module is imported.
        "FLY324" | "FLY325" => true,
        // Flyte's own closed lists (`gpu`, `cache`) raise `ValueError`; Kubernetes' do not.
        "FLY105" => !in_pod_spec,
        _ => false,
    }
}

/// Python's `repr()` of a float: the shortest digits that round-trip, in positional notation
/// for exponents from -4 to 15 and scientific notation (`1e-05`, `1e+16`) outside.
fn python_float(f: f64) -> String {
    if !f.is_finite() {
        return if f.is_nan() {
            "nan".into()
        } else if f > 0.0 {
            "inf".into()
        } else {
            "-inf".into()
        };
    }
    // Rust's `{:e}` gives the shortest round-trip digits too, e.g. `1.5e-5`.
    let sci = format!("{f:e}");
    let (mantissa, exp) = sci.split_once('e').unwrap_or((&sci, "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    let (sign, mantissa) = mantissa
        .strip_prefix('-')
        .map_or(("", mantissa), |m| ("-", m));
    let digits: String = mantissa.chars().filter(|c| *c != '.').collect();
    if (-4..16).contains(&exp) {
        let point = exp + 1;
        let text = if point <= 0 {
            format!("0.{}{digits}", "0".repeat((-point) as usize))
        } else if point as usize >= digits.len() {
            format!("{digits}{}.0", "0".repeat(point as usize - digits.len()))
        } else {
            format!(
                "{}.{}",
                &digits[..point as usize],
                &digits[point as usize..]
            )
        };
        format!("{sign}{text}")
    } else {
        let m = if digits.len() > 1 {
            format!("{}.{}", &digits[..1], &digits[1..])
        } else {
            digits
        };
        format!(
            "{sign}{m}e{}{:02}",
            if exp < 0 { '-' } else { '+' },
            exp.abs()
        )
    }
}

/// Python's `str()` of a YAML value, which is what the SDK writes for `cpu`.
fn python_str(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) if n.is_i64() || n.is_u64() => Some(n.to_string()),
        Value::Number(n) => n.as_f64().map(python_float),
        Value::Bool(b) => Some(if *b { "True" } else { "False" }.to_string()),
        _ => None,
    }
}

/// `(requests, limits)` the SDK derives from `resources` (`resources_serde.py`).
fn task_resources(env: &Value) -> (Map<String, Value>, Map<String, Value>) {
    let mut requests = Map::new();
    let mut limits = Map::new();
    let Some(res) = env.get("resources").and_then(Value::as_object) else {
        return (requests, limits);
    };
    for (key, name) in [("cpu", "cpu"), ("memory", "memory")] {
        match res.get(key) {
            Some(Value::Array(pair)) if pair.len() == 2 => {
                if let (Some(r), Some(l)) = (python_str(&pair[0]), python_str(&pair[1])) {
                    requests.insert(name.into(), Value::String(r));
                    limits.insert(name.into(), Value::String(l));
                }
            }
            Some(Value::Null) | None => {}
            Some(v) => {
                if let Some(r) = python_str(v) {
                    requests.insert(name.into(), Value::String(r));
                }
            }
        }
    }
    match res.get("gpu") {
        // `flyte.GPU("A100", 2)` and other devices only run time builds: the count is unknown.
        Some(Value::String(s)) if s == RUN_TIME => {
            requests.insert("gpu".into(), Value::String(RUN_TIME.into()));
        }
        Some(gpu) => {
            if let Some(count) = gpu_count(gpu) {
                requests.insert("gpu".into(), Value::String(count.to_string()));
            }
        }
        None => {}
    }
    if let Some(disk) = res.get("disk").and_then(python_str) {
        requests.insert("ephemeral-storage".into(), Value::String(disk));
    }
    (requests, limits)
}

/// The GPU count of `resources.gpu`: an int, or the `N` of `"A100:N"`. Zero means none.
pub fn gpu_count(gpu: &Value) -> Option<u64> {
    let n = match gpu {
        Value::Number(n) => n.as_u64()?,
        Value::String(s) => match s.rsplit_once(':') {
            Some((_, n)) => n.trim().parse().ok()?,
            // "AppleSilicon" without a count is one device.
            None => 1,
        },
        _ => return None,
    };
    (n > 0).then_some(n)
}

/// The task's environment variables: `env_vars`, then what `get_apple_silicon_execution_env`
/// adds for `gpu: AppleSilicon` (`resources_serde.py`): run on the Mac host unless the user
/// asked for the container.
fn env_list(env: &Value) -> Vec<Value> {
    let vars = env.get("env_vars").and_then(Value::as_object);
    let mut out: Vec<Value> = vars
        .map(|vars| {
            vars.iter()
                .map(|(k, v)| json!({"name": k, "value": python_str(v).unwrap_or_default()}))
                .collect()
        })
        .unwrap_or_default();
    let apple = env
        .get("resources")
        .and_then(|r| r.get("gpu"))
        .and_then(Value::as_str)
        .is_some_and(|g| g.split(':').next() == Some("AppleSilicon"));
    let in_container = vars
        .and_then(|v| v.get("FLYTE_APPLE_SILICON_EXECUTION"))
        .and_then(Value::as_str)
        == Some("container");
    if apple && !in_container {
        out.push(json!({"name": "_F_APPLE_SILICON_EXECUTION", "value": "host"}));
        // A plain image string carries no package list: `json.dumps([])`.
        out.push(json!({"name": "_F_APPLE_SILICON_HOST_PACKAGES", "value": "[]"}));
    }
    out
}

/// `exclude_none` at every level, as the kubernetes models serialize (`model_dump(by_alias=True,
/// exclude_none=True)`): a `null` field is dropped, not written.
fn drop_nulls(v: &mut Value) {
    match v {
        Value::Object(m) => {
            m.retain(|_, x| !x.is_null());
            m.values_mut().for_each(drop_nulls);
        }
        Value::Array(items) => items.iter_mut().for_each(drop_nulls),
        _ => {}
    }
}

/// Renames snake_case keys to the camelCase fields the schema has (`volume_mounts` →
/// `volumeMounts`), at every level: the kubernetes >= 37 models accept both spellings
/// (`validate_by_name`) and always write camelCase.
fn camelize(v: &mut Value, schema: crate::schema::SchemaNode<'_>, set: &crate::schema::SchemaSet) {
    match v {
        Value::Object(m) => {
            let props = schema.properties();
            let old = std::mem::take(m);
            for (k, mut child) in old {
                let key = match props {
                    Some(p) if !p.contains_key(&k) => {
                        crate::analysis::lookup::camel_property(&schema, &k).map_or(k, String::from)
                    }
                    _ => k,
                };
                let child_schema = schema
                    .property(set, &key)
                    .or_else(|| schema.additional(set).filter(|_| props.is_none()));
                if let Some(cs) = child_schema {
                    camelize(&mut child, cs, set);
                }
                m.insert(key, child);
            }
        }
        Value::Array(items) => {
            if let Some(item) = schema.items(set) {
                for i in items {
                    camelize(i, item, set);
                }
            }
        }
        _ => {}
    }
}

fn env_image(env: &Value) -> String {
    match env.get("image") {
        Some(Value::Null) => String::new(),
        Some(Value::String(s)) if s != "auto" => s.clone(),
        _ => AUTO_IMAGE.to_string(),
    }
}

/// The pod the SDK registers: `_get_k8s_pod` applied to the template, with the container the
/// SDK would have used for the task as the primary's source.
fn sdk_pod(
    env: &Value,
    template: &Value,
    kubernetes_version: Option<crate::schema::KubeVersion>,
) -> Value {
    let primary = template
        .get("primary_container_name")
        .and_then(Value::as_str)
        .unwrap_or(DEFAULT_PRIMARY)
        .to_string();
    let mut spec = match template.get("pod_spec") {
        Some(Value::Object(spec)) => spec.clone(),
        _ => Map::new(),
    };
    let set = crate::schema::schemas().for_version(kubernetes_version);
    if let Some(pod_spec_schema) = set.def(crate::schema::defs::POD_SPEC) {
        let mut v = Value::Object(std::mem::take(&mut spec));
        camelize(&mut v, pod_spec_schema, set);
        drop_nulls(&mut v);
        if let Value::Object(m) = v {
            spec = m;
        }
    }
    // `sanitize_for_serialization` drops `None` fields.
    spec.retain(|_, v| !v.is_null());
    let mut containers = match spec.remove("containers") {
        Some(Value::Array(c)) => c,
        _ => Vec::new(),
    };
    if !containers
        .iter()
        .any(|c| c.get("name").and_then(Value::as_str) == Some(primary.as_str()))
    {
        // `_clone_with_primary`: a bare container with the primary's name.
        containers.push(json!({"name": primary}));
    }
    let (requests, limits) = task_resources(env);
    let task_env = env_list(env);
    let image = env_image(env);
    for c in &mut containers {
        let Value::Object(c) = c else { continue };
        c.retain(|_, v| !v.is_null());
        if c.get("name").and_then(Value::as_str) != Some(primary.as_str()) {
            continue;
        }
        if !c.contains_key("image") {
            c.insert("image".into(), Value::String(image.clone()));
        }
        c.insert("command".into(), json!([]));
        c.insert("args".into(), json!(RUNTIME_ARGS));
        if !requests.is_empty() || !limits.is_empty() {
            let existing = c.get("resources").cloned().unwrap_or(Value::Null);
            let mut merged_limits = existing
                .get("limits")
                .and_then(Value::as_object)
                .cloned()
                .unwrap_or_default();
            let mut merged_requests = existing
                .get("requests")
                .and_then(Value::as_object)
                .cloned()
                .unwrap_or_default();
            merged_limits.extend(limits.clone());
            merged_requests.extend(requests.clone());
            let mut res = Map::new();
            if let Some(claims) = existing.get("claims").filter(|c| !c.is_null()) {
                res.insert("claims".into(), claims.clone());
            }
            res.insert("limits".into(), Value::Object(merged_limits));
            res.insert("requests".into(), Value::Object(merged_requests));
            c.insert("resources".into(), Value::Object(res));
        }
        let mut env_entries = task_env.clone();
        if let Some(Value::Array(own)) = c.get("env") {
            env_entries.extend(own.iter().cloned());
        }
        c.insert("env".into(), Value::Array(env_entries));
        // Show what the SDK set first; key order carries no meaning in the pod.
        let mut ordered = Map::new();
        for key in ["name", "image", "command", "args", "env", "resources"] {
            if let Some(v) = c.shift_remove(key) {
                ordered.insert(key.into(), v);
            }
        }
        ordered.append(c);
        *c = ordered;
    }
    let mut ordered = Map::new();
    ordered.insert("containers".into(), Value::Array(containers));
    ordered.extend(spec);
    let mut metadata = Map::new();
    for key in ["labels", "annotations"] {
        if let Some(Value::Object(m)) = template.get(key) {
            metadata.insert(key.into(), Value::Object(m.clone()));
        }
    }
    json!({"apiVersion": "v1", "kind": "Pod", "metadata": metadata, "spec": ordered})
}

/// What the backend and Kubernetes add (facts §5): run-time defaults of a stock deployment.
/// The first `kind: PodTemplate` document of `stream`, as JSON.
fn template_json(stream: &Stream) -> Option<Value> {
    stream.documents.iter().find_map(|d| {
        if d.kind != DocKind::KubePodTemplate {
            return None;
        }
        to_json(d, d.root.as_ref()?).ok()
    })
}

fn add_cluster_layer(
    env: &Value,
    template: &Value,
    pod: &mut Value,
    platform: &crate::settings::Platform,
) {
    let primary = template
        .get("primary_container_name")
        .and_then(Value::as_str)
        .unwrap_or(DEFAULT_PRIMARY)
        .to_string();
    let shm = env.get("resources").and_then(|r| r.get("shm")).cloned();
    let Some(spec) = pod.get_mut("spec").and_then(Value::as_object_mut) else {
        return;
    };
    // `UpdatePod`: restartPolicy only when unset; service links always off.
    spec.entry("restartPolicy")
        .or_insert_with(|| json!("Never"));
    spec.insert("enableServiceLinks".into(), json!(false));
    if let Some(size) = &shm {
        let mut empty_dir = json!({"medium": "Memory"});
        if let Some(s) = size.as_str().filter(|s| *s != "auto") {
            empty_dir["sizeLimit"] = json!(s);
        }
        let volumes = spec.entry("volumes").or_insert_with(|| json!([]));
        if let Value::Array(v) = volumes {
            v.push(json!({"name": "flyte-shm", "emptyDir": empty_dir}));
        }
    }
    let flyte_env = [
        ("FLYTE_INTERNAL_EXECUTION_ID", "{{.executionId}}"),
        ("FLYTE_INTERNAL_EXECUTION_PROJECT", "{{.project}}"),
        ("FLYTE_INTERNAL_EXECUTION_DOMAIN", "{{.domain}}"),
        ("FLYTE_ATTEMPT_NUMBER", "{{.attempt}}"),
    ];
    for list in ["containers", "initContainers"] {
        let Some(Value::Array(containers)) = spec.get_mut(list) else {
            continue;
        };
        for c in containers.iter_mut() {
            let Value::Object(c) = c else { continue };
            let is_primary = list == "containers"
                && c.get("name").and_then(Value::as_str) == Some(primary.as_str());
            let env_entry = c.entry("env").or_insert_with(|| json!([]));
            if let Value::Array(e) = env_entry {
                e.extend(
                    flyte_env
                        .iter()
                        .map(|(k, v)| json!({"name": k, "value": v})),
                );
            }
            if let Some(Value::Object(res)) = c.get_mut("resources") {
                // `SanitizeGPUResourceRequirements`: the generic key becomes the device's,
                // overwriting a same-named key.
                for part in ["requests", "limits"] {
                    if let Some(Value::Object(m)) = res.get_mut(part) {
                        if let Some(v) = m.shift_remove("gpu") {
                            m.insert(platform.gpu_resource.clone(), v);
                        }
                    }
                }
            }
            if is_primary {
                default_primary_resources(c, platform);
                if shm.is_some() {
                    let mounts = c.entry("volumeMounts").or_insert_with(|| json!([]));
                    if let Value::Array(m) = mounts {
                        m.push(json!({"name": "flyte-shm", "mountPath": "/dev/shm"}));
                    }
                }
            }
        }
    }
}

/// `MergeExistingResources` for the primary, as `ApplyResourceOverrides` in flyteplugins
/// `go/tasks/pluginmachinery/flytek8s/container_helper.go` (flyteorg/flyte, at d62bd96) does it:
/// `adjustResourceRequirement` for `cpu` and `memory` always, and for `ephemeral-storage` and
/// the GPU resource (`GpuResourceName`, after `SanitizeGPUResourceRequirements`) when the
/// container requests or limits them. Each time (`AdjustOrDefaultResource`): a missing request
/// takes the limit, else the platform default (only cpu and memory have one); a missing limit
/// takes the request; the request is clamped to the limit. So `gpu: 1` ends with
/// `nvidia.com/gpu: 1` in both `requests` and `limits`, which the API server requires of an
/// extended resource.
fn default_primary_resources(c: &mut Map<String, Value>, platform: &crate::settings::Platform) {
    let res = c.entry("resources").or_insert_with(|| json!({}));
    let Value::Object(res) = res else { return };
    let mut requests = res
        .get("requests")
        .and_then(Value::as_object)
        .cloned()
        .unwrap_or_default();
    let mut limits = res
        .get("limits")
        .and_then(Value::as_object)
        .cloned()
        .unwrap_or_default();
    let adjusted = [
        ("cpu", Some(platform.default_cpu.as_str())),
        ("memory", Some(platform.default_memory.as_str())),
        ("ephemeral-storage", None),
        (platform.gpu_resource.as_str(), None),
    ];
    for (name, default) in adjusted {
        let Some(request) = requests
            .get(name)
            .cloned()
            .or_else(|| limits.get(name).cloned())
            .or_else(|| default.map(|d| json!(d)))
        else {
            // Neither requested nor limited, and no platform default: left out.
            continue;
        };
        let limit = limits.get(name).cloned().unwrap_or_else(|| request.clone());
        let request = match (
            request.as_str().and_then(approx_quantity),
            limit.as_str().and_then(approx_quantity),
        ) {
            (Some(r), Some(l)) if r > l => limit.clone(),
            _ => request,
        };
        requests.insert(name.into(), request);
        limits.insert(name.into(), limit);
    }
    res.insert("limits".into(), Value::Object(limits));
    res.insert("requests".into(), Value::Object(requests));
}

/// A quantity's value, only to compare a request with its limit.
fn approx_quantity(s: &str) -> Option<f64> {
    crate::analysis::quantity::parse(s).ok().map(|q| q.to_f64())
}

#[cfg(test)]
mod tests {
    use super::python_float;
    use super::{render, Layer, RenderContext, RUN_TIME};
    use crate::engine::{parse_as, with_snapshot, Language};
    use crate::settings::Settings;

    fn render_python(source: &str) -> super::Rendered {
        let stream = parse_as(source, Language::Python);
        let settings = Settings::default();
        with_snapshot(source, &stream, &settings, None, |snap| {
            render(snap, 0, Layer::Sdk, &RenderContext::default())
        })
        .expect("renders")
    }

    #[test]
    fn values_only_run_time_knows_are_a_placeholder_not_null() {
        let pod = render_python(
            "import flyte\n\
             V = \"1\"\n\
             env = flyte.TaskEnvironment(name=\"e\", env_vars={\"A\": \"1\"},\n\
             \x20   image=flyte.Image.from_uv_script(__file__, name=\"x\"),\n\
             \x20   pod_template=flyte.PodTemplate(labels={\"v\": f\"v{V}\", \"w\": \"x\"}))\n",
        );
        assert_eq!(pod.pod["spec"]["containers"][0]["image"], RUN_TIME);
        assert_eq!(pod.pod["metadata"]["labels"]["v"], RUN_TIME);
        assert_eq!(pod.pod["metadata"]["labels"]["w"], "x");
        assert_eq!(pod.notes.len(), 1, "{:?}", pod.notes);
        assert!(
            pod.notes[0].contains("`flyte.Image.from_uv_script(__file__, nam...`"),
            "{:?}",
            pod.notes
        );
        assert!(pod.notes[0].contains("`f\"v{V}\"`"), "{:?}", pod.notes);
        // `image=None` is still the empty image the SDK registers, with no note.
        let pod = render_python(
            "import flyte\nenv = flyte.TaskEnvironment(name=\"e\", env_vars={\"A\": \"1\"}, image=None)\n",
        );
        assert_eq!(pod.pod["spec"]["containers"][0]["image"], "");
        assert!(pod.notes.is_empty(), "{:?}", pod.notes);
    }

    #[test]
    fn a_gpu_device_only_run_time_builds_is_no_count_of_one() {
        let pod = render_python(
            "import flyte\n\
             env = flyte.TaskEnvironment(name=\"e\", image=\"i\", env_vars={\"A\": \"1\"},\n\
             \x20   resources=flyte.Resources(cpu=1, gpu=flyte.GPU(\"A100\", 2)))\n",
        );
        let requests = &pod.pod["spec"]["containers"][0]["resources"]["requests"];
        assert_eq!(requests["gpu"], RUN_TIME, "{requests}");
        assert_eq!(requests["cpu"], "1", "{requests}");
    }

    #[test]
    fn an_opaque_template_is_left_out_and_unknown_fields_are_noted() {
        let pod = render_python(
            "import flyte\n\
             env = flyte.TaskEnvironment(name=\"e\", image=\"i\", env_vars={\"A\": \"1\"}, pod_template=make())\n",
        );
        assert_eq!(pod.pod["metadata"], serde_json::json!({}));
        assert!(
            pod.notes
                .iter()
                .any(|n| n.contains("left out of the pod: `make()`")),
            "{:?}",
            pod.notes
        );
        let pod = render_python(
            "import flyte\n\
             env = flyte.TaskEnvironment(name=\"e\", image=\"i\",\n\
             \x20   pod_template=flyte.PodTemplate(labels={\"a\": \"b\"}).allow_fuse())\n",
        );
        assert_eq!(pod.pod["metadata"]["labels"]["a"], "b");
        assert!(
            pod.notes.iter().any(|n| n.contains(".allow_fuse()")),
            "{:?}",
            pod.notes
        );
    }

    #[test]
    fn floats_print_like_python() {
        for (f, text) in [
            (1.0, "1.0"),
            (1.5, "1.5"),
            (0.5, "0.5"),
            (0.00001, "1e-05"),
            (0.0001, "0.0001"),
            (1e16, "1e+16"),
            (123456789012345.0, "123456789012345.0"),
            (-2.25, "-2.25"),
            (1000.0, "1000.0"),
        ] {
            assert_eq!(python_float(f), text, "{f}");
        }
    }
}
