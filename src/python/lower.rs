//! Lowers the recognised calls of a Python module into the neutral tree: one document per
//! `flyte.TaskEnvironment(...)`, per `flyte.PodTemplate(...)` (or flytekit's) that no environment
//! takes (flytekitplugins-pod's `Pod` task config counts as flytekit's), per kubernetes
//! `V1Pod`/`V1PodTemplate`, and per `V1PodSpec`/`V1PodTemplateSpec` that none of those hold
//! (inside a `V1Deployment`, say). In a file that imports flyte or flytekit, such a lone
//! `V1PodSpec` is a Flyte pod template whose primary container only its consumer knows.
//! flytekit templates are read by [`crate::tree::FLYTEKIT_READER`] (a `Pod` task config by
//! [`crate::tree::FLYTEKIT_SIDECAR_READER`]), for the rules where the SDKs differ.
//!
//! The SDK also derives environments at run time, and each derivation is one more document:
//! a task whose decorator gives its own `pod_template` (`@env.task(pod_template=...)`), a
//! call-time `task.override(...)`, and `env.clone_with(...)`. Such a document is the
//! environment's tree with the call's arguments applied the way the SDK applies them
//! (`flyte/_task_environment.py` `task` and `clone_with`, `flyte/_task.py` `override`), and it
//! records the call in [`Derivation`] so that the Flyte rules can refuse what the SDK refuses.
//!
//! Keywords become the schema's names through the kubernetes client's own `attribute_map`
//! (`host_ipc` is `hostIPC`, `_exec` is `exec`), never by a spelling rule; the key node keeps the
//! keyword's range. Python literals have Python's types (`True` is a boolean, `"8080"` a string);
//! names bound once at module level are followed to their value, whose range is where the value
//! is written. Whatever only run time knows (a call we do not know, an f-string, a name from
//! another module, `**kwargs`) is an opaque node: "no opinion". Nothing here runs user code.

use std::collections::{HashMap, HashSet};
use std::ops::Range;

use compact_str::CompactString;
use ruff_python_ast::visitor::{self, Visitor};
use ruff_python_ast::{self as ast, Expr};

use super::k8s_names::{self, Field};
use super::{range_of, Resolved, Resolver};
use crate::model::calls::CLONE_WITH;
use crate::tree::{
    Derivation, DocKind, Document, Entry, KeySpelling, Node, NodeKind, Reading, Scalar,
    ScalarStyle, Sdk, Via,
};

/// Who reads a Python file's values, for messages.
pub const READER: &str = crate::tree::PYTHON_READER;

/// Values are followed through names and nested calls at most this deep; past it, opaque.
const MAX_DEPTH: usize = 64;

/// Most nodes one file may lower to. Following names copies their values, so `a = [b, b]`,
/// `b = [c, c]`, ... doubles at each step (the Python form of YAML's billion laughs): past the
/// budget every further value is opaque, and the file costs bounded work. The budget grows with
/// the file (one node per [`SOURCE_BYTES_PER_NODE`] bytes), so a long generated module of
/// ordinary templates (5 MB, 6,000 environments, about 25 bytes per node) is read whole.
const NODE_BUDGET: usize = 200_000;

/// Source bytes that buy one more node of budget past [`NODE_BUDGET`].
const SOURCE_BYTES_PER_NODE: usize = 4;

/// What a recognised call builds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Construct {
    Environment,
    FlyteTemplate,
    FlytekitTemplate,
    Resources,
    /// A kubernetes client model, by class name.
    Model(&'static str),
    /// Another recognised Flyte call whose keywords are lowered as a mapping (`flyte.Secret`).
    Keywords,
}

/// The documents a module defines, in source order.
pub fn lower(resolver: &Resolver<'_>, module: &ast::ModModule, source: &str) -> Vec<Document> {
    let mut calls = Calls {
        resolver,
        found: Vec::new(),
        derived: Vec::new(),
        plugin_pods: HashSet::new(),
    };
    for stmt in &module.body {
        calls.visit_stmt(stmt);
    }
    let tasks = decorated_tasks(resolver, module);
    let flytekit_tasks = flytekit_tasks(resolver, module);
    let mut lowerer = Lowerer {
        resolver,
        source,
        consumed: HashSet::new(),
        budget: NODE_BUDGET.max(source.len() / SOURCE_BYTES_PER_NODE),
        expanding: Vec::new(),
        spellings: Vec::new(),
        environments: HashMap::new(),
    };
    // Outer constructs first, so that what they hold is not checked a second time on its own.
    let mut order: Vec<&(Range<usize>, &ast::ExprCall, Construct)> = calls.found.iter().collect();
    order.sort_by_key(|(r, _, c)| (rank(*c), r.start));
    let mut docs: Vec<(usize, Document)> = Vec::new();
    let mut derived_done = false;
    // In a file that imports flyte or flytekit, a pod spec no recognised construct holds is
    // most often on its way to one (`Pod(pod_spec=...)`, a helper's return value, an
    // attribute `template.pod_spec = ...`), which adds the primary container and its image.
    let frameworks = resolver.frameworks();
    let flyte_file = frameworks.flyte || frameworks.flytekit;
    for (range, call, construct) in order {
        // Derived environments come after every environment and before the templates, so that
        // the templates their calls hold are theirs rather than documents of their own.
        if *construct != Construct::Environment && !derived_done {
            derived_done = true;
            docs.extend(lowerer.derived(&calls.derived, &tasks));
            docs.extend(lowerer.flytekit_tasks(&flytekit_tasks));
        }
        if lowerer.consumed.contains(&range.start) {
            continue;
        }
        let root = match construct {
            Construct::Environment => lowerer.call(call, *construct, 0),
            Construct::FlyteTemplate | Construct::FlytekitTemplate => {
                lowerer.call(call, *construct, 0)
            }
            Construct::Model("V1Pod") | Construct::Model("V1PodTemplate") => {
                let Construct::Model(model) = construct else {
                    continue;
                };
                let node = lowerer.call(call, *construct, 0);
                with_type_meta(
                    node,
                    if *model == "V1Pod" {
                        "Pod"
                    } else {
                        "PodTemplate"
                    },
                )
            }
            Construct::Model("V1PodTemplateSpec") => {
                let node = lowerer.call(call, *construct, 0);
                wrap_template(node, None)
            }
            Construct::Model("V1PodSpec") if flyte_file => {
                let node = lowerer.call(call, *construct, 0);
                unknown_flyte_template(node)
            }
            Construct::Model("V1PodSpec") => {
                let node = lowerer.call(call, *construct, 0);
                wrap_template(node, Some(range.clone()))
            }
            _ => continue,
        };
        let kind = match construct {
            Construct::Environment => DocKind::TaskEnvironment,
            Construct::FlyteTemplate | Construct::FlytekitTemplate => DocKind::FlytePodTemplate,
            Construct::Model("V1PodSpec") if flyte_file => DocKind::FlytePodTemplate,
            Construct::Model("V1Pod") => DocKind::KubePod,
            _ => DocKind::KubePodTemplate,
        };
        let sdk = if *construct == Construct::FlytekitTemplate {
            Sdk::Flytekit
        } else {
            Sdk::Flyte
        };
        let spellings = std::mem::take(&mut lowerer.spellings);
        docs.push((
            range.start,
            document(
                kind,
                if calls.plugin_pods.contains(&range.start) {
                    crate::tree::PLUGIN_POD_READER
                } else {
                    reader_of(resolver, call, *construct)
                },
                Some(root),
                range.clone(),
                sdk,
                None,
                spellings,
            ),
        ));
    }
    if !derived_done {
        docs.extend(lowerer.derived(&calls.derived, &tasks));
        docs.extend(lowerer.flytekit_tasks(&flytekit_tasks));
    }
    docs.sort_by_key(|(start, _)| *start);
    docs.into_iter().map(|(_, d)| d).collect()
}

fn document(
    kind: DocKind,
    reader: &'static str,
    root: Option<Node>,
    span: Range<usize>,
    sdk: Sdk,
    derived: Option<Derivation>,
    spellings: Vec<KeySpelling>,
) -> Document {
    Document {
        kind,
        reader,
        root,
        span,
        errors: Vec::new(),
        duplicate_keys: Vec::new(),
        anchors: Vec::new(),
        sdk,
        derived,
        spellings,
    }
}

/// A module-level function decorated as a task of an environment: `@env.task` or
/// `@env.task(...)`.
struct TaskSite<'m> {
    function: &'m str,
    /// The environment, as written in the decorator.
    env: &'m Expr,
    /// The decorator as written (`env.task` or `env.task(...)`).
    written: &'m Expr,
    /// The decorator's call, when it has arguments.
    decorator: Option<&'m ast::ExprCall>,
}

/// The module's task functions, in source order (their names, for `override`, are bound at
/// module level by the `def`).
fn decorated_tasks<'m>(resolver: &Resolver<'m>, module: &'m ast::ModModule) -> Vec<TaskSite<'m>> {
    let mut out = Vec::new();
    for stmt in &module.body {
        let ast::Stmt::FunctionDef(def) = stmt else {
            continue;
        };
        for decorator in &def.decorator_list {
            let (func, call) = match &decorator.expression {
                Expr::Call(call) => (&*call.func, Some(call)),
                other => (other, None),
            };
            let Expr::Attribute(a) = func else {
                continue;
            };
            if a.attr.as_str() != "task" || environment_of(resolver, &a.value, 0).is_none() {
                continue;
            }
            out.push(TaskSite {
                function: def.name.as_str(),
                env: &a.value,
                written: &decorator.expression,
                decorator: call,
            });
        }
    }
    out
}

/// The module's flytekit tasks that name a cluster PodTemplate
/// (`@task(pod_template_name="...")`), with the function's name and the decorator's call.
fn flytekit_tasks<'m>(
    resolver: &Resolver<'m>,
    module: &'m ast::ModModule,
) -> Vec<(&'m str, &'m ast::ExprCall)> {
    let mut out = Vec::new();
    for stmt in &module.body {
        let ast::Stmt::FunctionDef(def) = stmt else {
            continue;
        };
        for decorator in &def.decorator_list {
            let Expr::Call(call) = &decorator.expression else {
                continue;
            };
            let named = call.arguments.keywords.iter().any(|k| {
                k.arg
                    .as_ref()
                    .is_some_and(|a| a.as_str() == "pod_template_name")
            });
            if named && resolver.callee(call).as_deref() == Some("flytekit.task") {
                out.push((def.name.as_str(), call));
            }
        }
    }
    out
}

/// Where an environment's arguments come from.
#[derive(Clone, Copy)]
enum EnvSource<'m> {
    /// `flyte.TaskEnvironment(...)`.
    Written(&'m ast::ExprCall),
    /// `env.clone_with(...)` of another environment.
    Clone(&'m ast::ExprCall),
}

impl EnvSource<'_> {
    /// Where the environment's own document starts (its call).
    fn start(self) -> usize {
        match self {
            EnvSource::Written(call) | EnvSource::Clone(call) => range_of(call).start,
        }
    }
}

/// Clones of clones are followed this deep.
const MAX_CLONES: usize = 16;

/// The environment an expression stands for (a name bound to `flyte.TaskEnvironment(...)` or
/// to a `clone_with` of one, or such a call itself).
fn environment_of<'m>(
    resolver: &Resolver<'m>,
    expr: &'m Expr,
    depth: usize,
) -> Option<EnvSource<'m>> {
    let Resolved::Value(Expr::Call(call)) = resolver.resolve(expr) else {
        return None;
    };
    if resolver.callee(call).as_deref() == Some("flyte.TaskEnvironment") {
        return Some(EnvSource::Written(call));
    }
    match &*call.func {
        Expr::Attribute(a)
            if a.attr.as_str() == "clone_with"
                && depth < MAX_CLONES
                && environment_of(resolver, &a.value, depth + 1).is_some() =>
        {
            Some(EnvSource::Clone(call))
        }
        _ => None,
    }
}

/// The arguments of `clone_with`, `task` and `override` that shape the pod, which the derived
/// document's tree takes over (the others are recorded in its [`Derivation`] only).
/// `flyte/_task_environment.py` `clone_with` keeps every argument it is given that is not
/// `None` (all of [`CLONE_WITH`] shape the pod); `task` and `override` replace a value only when
/// the new one is truthy (`x or self.x`).
const TASK_SETS: &[&str] = &[
    "pod_template",
    "service_account",
    "cache",
    "interruptible",
    "queue",
];
const OVERRIDE_SETS: &[&str] = &[
    "resources",
    "env_vars",
    "secrets",
    "service_account",
    "pod_template",
    "cache",
    "interruptible",
    "queue",
    "reusable",
];

/// The root of a derived document: its entries are written where its environment is, so the
/// node spans them and the deriving call (a finding about an entry is inside the root, which
/// the driver's walks from the root rely on); the document's own span stays the call.
fn derived_root(entries: Vec<Entry>, call: &Range<usize>) -> Node {
    let start = entries
        .iter()
        .map(|e| e.key.span.start.min(e.value.span.start))
        .fold(call.start, usize::min);
    let end = entries
        .iter()
        .map(|e| e.key.span.end.max(e.value.span.end))
        .fold(call.end, usize::max);
    node(NodeKind::Map(entries), start..end)
}

/// Adds `entry` to a mapping's entries, in place of an earlier one with the same key.
fn apply_entry(entries: &mut Vec<Entry>, entry: Entry) {
    match entry
        .key_str()
        .and_then(|k| entries.iter_mut().find(|e| e.key_str() == Some(k)))
    {
        Some(old) => *old = entry,
        None => entries.push(entry),
    }
}

/// Sets `key` in a mapping's entries, in place of an earlier value.
fn apply(entries: &mut Vec<Entry>, key_name: &str, key_span: Range<usize>, value: Node) {
    let entry = Entry {
        key: key(key_name, key_span),
        value,
    };
    match entries.iter_mut().find(|e| e.key_str() == Some(key_name)) {
        Some(old) => *old = entry,
        None => entries.push(entry),
    }
}

/// Who reads a document: flytekit for its templates (rules that differ between the SDKs ask,
/// see [`crate::tree::FLYTEKIT_READER`]), Python otherwise.
fn reader_of(resolver: &Resolver<'_>, call: &ast::ExprCall, construct: Construct) -> &'static str {
    if construct != Construct::FlytekitTemplate {
        return READER;
    }
    let pod = resolver
        .callee(call)
        .is_some_and(|c| c.starts_with("flytekitplugins.pod."));
    if pod {
        crate::tree::FLYTEKIT_SIDECAR_READER
    } else {
        crate::tree::FLYTEKIT_READER
    }
}

/// Outer constructs rank first.
fn rank(c: Construct) -> u8 {
    match c {
        Construct::Environment => 0,
        Construct::FlyteTemplate | Construct::FlytekitTemplate => 1,
        Construct::Model("V1Pod") | Construct::Model("V1PodTemplate") => 2,
        Construct::Model("V1PodTemplateSpec") => 3,
        Construct::Model("V1PodSpec") => 4,
        _ => 5,
    }
}

/// What a qualified name constructs.
fn construct_of(qualified: &str) -> Option<Construct> {
    Some(match qualified {
        "flyte.TaskEnvironment" => Construct::Environment,
        "flyte.PodTemplate" | "flyte.PodTemplate.from_spec" => Construct::FlyteTemplate,
        // flytekitplugins-pod's task config: `Pod(pod_spec, primary_container_name="primary",
        // labels, annotations)`, serialized like flytekit's PodTemplate
        // (`flytekitplugins/pod/task.py`).
        "flytekit.PodTemplate" | "flytekitplugins.pod.Pod" | "flytekitplugins.pod.task.Pod" => {
            Construct::FlytekitTemplate
        }
        "flyte.Resources" | "flytekit.Resources" => Construct::Resources,
        "flyte.Secret" | "flytekit.Secret" | "flyte.ReusePolicy" => Construct::Keywords,
        _ => {
            let model = qualified.strip_prefix("kubernetes.client.")?;
            let model = k8s_names::model_name(model)?;
            Construct::Model(model)
        }
    })
}

/// The keywords of the Spark and Databricks plugin configs (flyte 2 `flyteplugins.spark`,
/// `flyteplugins.databricks`; flytekit `flytekitplugins.spark`) whose pod templates the SDK
/// serializes as written (`PodTemplate.to_k8s_pod`, `K8sPod.from_pod_template`) for the
/// backend to merge (flyteplugins `plugins/k8s/spark/spark.go` `createDriverSpec`).
const PLUGIN_POD_KEYWORDS: [&str; 2] = ["driver_pod", "executor_pod"];

/// Every recognised call of the module (at any depth), by range.
struct Calls<'r, 'm> {
    resolver: &'r Resolver<'m>,
    found: Vec<(Range<usize>, &'m ast::ExprCall, Construct)>,
    /// Calls of `.clone_with(...)` and `.override(...)` on anything: whether the receiver is an
    /// environment or a task is decided when they are lowered.
    derived: Vec<&'m ast::ExprCall>,
    /// Starts of the template calls given to a [`PLUGIN_POD_KEYWORDS`] keyword, directly or
    /// through a name.
    plugin_pods: HashSet<usize>,
}

impl<'m> Visitor<'m> for Calls<'_, 'm> {
    fn visit_expr(&mut self, expr: &'m Expr) {
        if let Expr::Call(call) = expr {
            if let Expr::Attribute(a) = &*call.func {
                if matches!(a.attr.as_str(), "clone_with" | "override") {
                    self.derived.push(call);
                }
            }
            for kw in &call.arguments.keywords {
                if kw
                    .arg
                    .as_ref()
                    .is_some_and(|a| PLUGIN_POD_KEYWORDS.contains(&a.as_str()))
                {
                    let value = match &kw.value {
                        Expr::Call(_) => Some(&kw.value),
                        other => match self.resolver.resolve(other) {
                            Resolved::Value(v) => Some(v),
                            _ => None,
                        },
                    };
                    if let Some(Expr::Call(template)) = value {
                        self.plugin_pods.insert(range_of(template).start);
                    }
                }
            }
            if let Some(c) = self.resolver.callee(call).as_deref().and_then(construct_of) {
                if matches!(
                    c,
                    Construct::Environment
                        | Construct::FlyteTemplate
                        | Construct::FlytekitTemplate
                        | Construct::Model(
                            "V1Pod" | "V1PodTemplate" | "V1PodTemplateSpec" | "V1PodSpec"
                        )
                ) {
                    self.found.push((range_of(call), call, c));
                }
            }
        }
        visitor::walk_expr(self, expr);
    }
}

struct Lowerer<'r, 'm, 's> {
    resolver: &'r Resolver<'m>,
    source: &'s str,
    /// Starts of the recognised calls already lowered inside another document.
    consumed: HashSet<usize>,
    /// Nodes this file may still produce (see [`NODE_BUDGET`]).
    budget: usize,
    /// The values being lowered through a name right now (by where they start): a name whose
    /// value contains the name itself (`t = f(t)`, common in half-typed code) is opaque, not an
    /// endless expansion.
    expanding: Vec<usize>,
    /// Keys of the document being lowered that only newer clients accept.
    spellings: Vec<KeySpelling>,
    /// The environments' entries, by where their call starts, for the documents derived from
    /// them.
    environments: HashMap<usize, (Vec<Entry>, usize)>,
}

fn node(kind: NodeKind, span: Range<usize>) -> Node {
    Node {
        kind,
        span,
        tag: None,
        cut: false,
    }
}

fn opaque(span: Range<usize>) -> Node {
    node(NodeKind::Opaque, span)
}

/// `value` as borrowed text where the caller has it: a short one is then stored inline without
/// an allocation (see [`Scalar`]).
fn scalar(
    value: impl Into<CompactString>,
    style: ScalarStyle,
    reading: Reading,
    span: Range<usize>,
) -> Node {
    node(
        NodeKind::Scalar(Scalar::read_as(value, style, reading)),
        span,
    )
}

fn key(name: &str, span: Range<usize>) -> Node {
    scalar(name, ScalarStyle::Plain, Reading::Str, span)
}

/// A synthesized string (zero-width, at `at`): what the Python object stands for but the user
/// does not write, such as a `V1Pod`'s `kind`.
fn synthesized(key_name: &str, value: &str, at: usize) -> Entry {
    Entry {
        key: key(key_name, at..at),
        value: scalar(value, ScalarStyle::DoubleQuoted, Reading::Str, at..at),
    }
}

/// A `V1Pod`/`V1PodTemplate` as the API sees it: `apiVersion` and `kind` added (the client
/// fills them in when it sends the object).
fn with_type_meta(mut root: Node, kind: &str) -> Node {
    let at = root.span.start;
    if let NodeKind::Map(entries) = &mut root.kind {
        if !entries.iter().any(|e| e.key_str() == Some("apiVersion")) {
            entries.insert(0, synthesized("apiVersion", "v1", at));
        }
        if !entries.iter().any(|e| e.key_str() == Some("kind")) {
            entries.insert(1.min(entries.len()), synthesized("kind", kind, at));
        }
    }
    root
}

/// A pod spec on its own in a Flyte file, checked as a Flyte pod template whose
/// `primary_container_name` only its consumer knows (opaque): what depends on which container
/// is the primary (its image, that one exists, an empty `containers`) gives no opinion, the
/// rest of the spec is checked. flytekit `_serialize_pod_spec` (`flytekit/core/utils.py`) and
/// flyte `task_serde.py` `_get_k8s_pod` both add the primary container when it is missing.
fn unknown_flyte_template(spec: Node) -> Node {
    let at = spec.span.start;
    let span = spec.span.clone();
    node(
        NodeKind::Map(vec![
            Entry {
                key: key("primary_container_name", at..at),
                value: opaque(at..at),
            },
            Entry {
                key: key("pod_spec", at..at),
                value: spec,
            },
        ]),
        span,
    )
}

/// A pod spec or pod template spec on its own (in a `V1Deployment`, say), checked as the
/// template of a PodTemplate whose name is not the user's to give.
fn wrap_template(inner: Node, spec_only: Option<Range<usize>>) -> Node {
    let at = inner.span.start;
    let span = inner.span.clone();
    let template = match spec_only {
        Some(_) => node(
            NodeKind::Map(vec![Entry {
                key: key("spec", at..at),
                value: inner,
            }]),
            span.clone(),
        ),
        None => inner,
    };
    let metadata = node(
        NodeKind::Map(vec![synthesized("name", "pod-spec", at)]),
        at..at,
    );
    node(
        NodeKind::Map(vec![
            synthesized("apiVersion", "v1", at),
            synthesized("kind", "PodTemplate", at),
            Entry {
                key: key("metadata", at..at),
                value: metadata,
            },
            Entry {
                key: key("template", at..at),
                value: template,
            },
        ]),
        span,
    )
}

impl<'m> Lowerer<'_, 'm, '_> {
    /// The derived environments of the module: task decorators, `clone_with` and `override`.
    fn derived(
        &mut self,
        calls: &[&'m ast::ExprCall],
        tasks: &[TaskSite<'m>],
    ) -> Vec<(usize, Document)> {
        let mut out = Vec::new();
        // Every task is a document, so that each has its preview; one without arguments has
        // its environment's tree, and its findings are the environment's (reported once).
        for task in tasks {
            let Some(source) = environment_of(self.resolver, task.env, 0) else {
                continue;
            };
            let changes = task.decorator.is_some_and(|c| applies_any(c, TASK_SETS));
            let entries = if changes {
                let Some(entries) = self.task_entries(task, 0) else {
                    continue;
                };
                Some(entries)
            } else {
                None
            };
            let span = range_of(task.written);
            let derivation = Derivation {
                via: Via::Task {
                    function: task.function.to_string(),
                },
                span: span.clone(),
                arguments: task.decorator.map_or_else(Vec::new, |c| arguments(c, &[])),
                copy_of: (!changes).then(|| source.start()),
            };
            out.push(self.derived_doc(entries, span, READER, Sdk::Flyte, derivation));
        }
        for call in calls {
            let Expr::Attribute(a) = &*call.func else {
                continue;
            };
            let span = range_of(*call);
            let (entries, derivation) = match a.attr.as_str() {
                "clone_with" => {
                    if environment_of(self.resolver, &a.value, 0).is_none() {
                        continue;
                    }
                    let Some(entries) = self.env_entries(EnvSource::Clone(call), 0) else {
                        continue;
                    };
                    let derivation = Derivation {
                        via: Via::Clone,
                        span: span.clone(),
                        arguments: arguments(call, &["name"]),
                        copy_of: None,
                    };
                    (Some(entries), derivation)
                }
                _ => {
                    // `task.override(...)` of a task function of this module.
                    let Expr::Name(receiver) = &*a.value else {
                        continue;
                    };
                    if !matches!(self.resolver.resolve(&a.value), Resolved::Opaque) {
                        continue;
                    }
                    let Some(task) = tasks
                        .iter()
                        .rev()
                        .find(|t| t.function == receiver.id.as_str())
                    else {
                        continue;
                    };
                    // `reusable="off"` turns reuse off for this call.
                    let off = call.arguments.keywords.iter().any(|kw| {
                        kw.arg.as_ref().is_some_and(|a| a.as_str() == "reusable")
                            && matches!(&kw.value, Expr::StringLiteral(s) if s.value.to_str() == "off")
                    });
                    let changes = off || applies_any(call, OVERRIDE_SETS);
                    let entries = if changes {
                        let Some(mut entries) = self.task_entries(task, 0) else {
                            continue;
                        };
                        self.set_truthy(&mut entries, call, OVERRIDE_SETS, 0);
                        if off {
                            entries.retain(|e| e.key_str() != Some("reusable"));
                        }
                        Some(entries)
                    } else {
                        None
                    };
                    let derivation = Derivation {
                        via: Via::Override {
                            function: task.function.to_string(),
                        },
                        span: span.clone(),
                        arguments: arguments(call, &[]),
                        // Unchanged, it is its task's document.
                        copy_of: (!changes).then(|| range_of(task.written).start),
                    };
                    (entries, derivation)
                }
            };
            out.push(self.derived_doc(entries, span, READER, Sdk::Flyte, derivation));
        }
        out
    }

    /// flytekit tasks that name a cluster PodTemplate: a document holding the task's name and
    /// the template's name as `pod_template` (what flytekit sends as
    /// `metadata.pod_template_name`), so that the name is checked like Flyte 2's string
    /// `pod_template` (facts/flyte-semantics.md §4).
    fn flytekit_tasks(&mut self, tasks: &[(&'m str, &'m ast::ExprCall)]) -> Vec<(usize, Document)> {
        let mut out = Vec::new();
        for (function, call) in tasks {
            let span = range_of(*call);
            let mut entries = vec![synthesized("name", function, span.start)];
            for kw in &call.arguments.keywords {
                let Some(arg) = kw
                    .arg
                    .as_ref()
                    .filter(|a| a.as_str() == "pod_template_name")
                else {
                    continue;
                };
                let value = self.value(&kw.value, None, 1);
                apply(&mut entries, "pod_template", range_of(arg), value);
            }
            let derivation = Derivation {
                via: Via::Task {
                    function: function.to_string(),
                },
                span: span.clone(),
                arguments: arguments(call, &[]),
                copy_of: None,
            };
            out.push(self.derived_doc(
                Some(entries),
                span,
                crate::tree::FLYTEKIT_READER,
                Sdk::Flytekit,
                derivation,
            ));
        }
        out
    }

    /// A derived environment's document, at the deriving call, with the keys lowered for it.
    fn derived_doc(
        &mut self,
        entries: Option<Vec<Entry>>,
        span: Range<usize>,
        reader: &'static str,
        sdk: Sdk,
        derivation: Derivation,
    ) -> (usize, Document) {
        let root = entries.map(|e| derived_root(e, &span));
        let spellings = std::mem::take(&mut self.spellings);
        let start = span.start;
        let doc = document(
            DocKind::TaskEnvironment,
            reader,
            root,
            span,
            sdk,
            Some(derivation),
            spellings,
        );
        (start, doc)
    }

    /// A task's environment with its decorator's arguments applied.
    fn task_entries(&mut self, task: &TaskSite<'m>, depth: usize) -> Option<Vec<Entry>> {
        let source = environment_of(self.resolver, task.env, 0)?;
        let mut entries = self.env_entries(source, depth)?;
        if let Some(call) = task.decorator {
            self.set_truthy(&mut entries, call, TASK_SETS, depth);
        }
        Some(entries)
    }

    /// An environment's entries as the SDK holds them.
    fn env_entries(&mut self, source: EnvSource<'m>, depth: usize) -> Option<Vec<Entry>> {
        if depth > MAX_CLONES {
            return None;
        }
        match source {
            EnvSource::Written(call) => {
                // Each task of an environment starts from the same tree: lower it once.
                let start = range_of(call).start;
                if let Some((entries, size)) = self.environments.get(&start) {
                    // A copy costs what lowering it did: thousands of tasks of one large
                    // environment stay within the file's budget (past it, no more documents).
                    let size = *size;
                    if self.budget < size {
                        return None;
                    }
                    self.budget -= size;
                    return Some(entries.clone());
                }
                let before = self.budget;
                let saved = self.spellings.len();
                let entries = match self.call(call, Construct::Environment, depth).kind {
                    NodeKind::Map(entries) => entries,
                    _ => return None,
                };
                // The environment's own document reports its spellings.
                self.spellings.truncate(saved);
                let size = before - self.budget;
                self.environments.insert(start, (entries.clone(), size));
                Some(entries)
            }
            EnvSource::Clone(call) => {
                let Expr::Attribute(a) = &*call.func else {
                    return None;
                };
                let base = environment_of(self.resolver, &a.value, 0)?;
                let mut entries = self.env_entries(base, depth + 1)?;
                // The new name is the first positional argument, or `name=`.
                if let Some(first) = call.arguments.args.first() {
                    let value = self.value(first, None, depth + 1);
                    apply(&mut entries, "name", range_of(first), value);
                }
                for kw in &call.arguments.keywords {
                    let Some(arg) = kw.arg.as_ref() else {
                        continue;
                    };
                    // `clone_with` keeps an argument unless it is `None`; `reusable` even then.
                    let none = matches!(kw.value, Expr::NoneLiteral(_));
                    if !CLONE_WITH.contains(&arg.as_str()) || (none && arg.as_str() != "reusable") {
                        continue;
                    }
                    let value = self.value(&kw.value, None, depth + 1);
                    apply(&mut entries, arg.as_str(), range_of(arg), value);
                }
                Some(entries)
            }
        }
    }

    /// Applies the keywords of `call` named in `sets` whose values are not falsy literals
    /// (`None`, `False`, `0`, `""`), the SDK's `value or self.value`.
    fn set_truthy(
        &mut self,
        entries: &mut Vec<Entry>,
        call: &'m ast::ExprCall,
        sets: &[&str],
        depth: usize,
    ) {
        for kw in &call.arguments.keywords {
            let Some(arg) = kw.arg.as_ref().filter(|_| sets_keyword(kw, sets)) else {
                continue;
            };
            let value = self.value(&kw.value, None, depth + 1);
            apply(entries, arg.as_str(), range_of(arg), value);
        }
    }

    /// A recognised call as a mapping of its keywords.
    fn call(&mut self, call: &'m ast::ExprCall, construct: Construct, depth: usize) -> Node {
        self.consumed.insert(range_of(call).start);
        let span = range_of(call);
        let mut entries = Vec::new();
        // `flyte.PodTemplate.from_spec(spec)`: the one positional argument is the pod spec.
        let from_spec = matches!(
            self.resolver.callee(call).as_deref(),
            Some("flyte.PodTemplate.from_spec")
        );
        for (i, arg) in call.arguments.args.iter().enumerate() {
            if from_spec && i == 0 {
                entries.push(Entry {
                    key: key("pod_spec", range_of(arg)),
                    value: self.value(arg, Some("V1PodSpec"), depth + 1),
                });
            } else if construct == Construct::Environment && i == 0 {
                // `flyte.TaskEnvironment("train", ...)`: the dataclass's first field is `name`.
                entries.push(Entry {
                    key: key("name", range_of(arg)),
                    value: self.value(arg, None, depth + 1),
                });
            } else {
                // A positional argument we do not map: some field has a value we cannot name.
                entries.push(Entry {
                    key: opaque(range_of(arg)),
                    value: opaque(range_of(arg)),
                });
            }
        }
        for kw in &call.arguments.keywords {
            let Some(arg) = kw.arg.as_ref() else {
                // `**NAME` of a module-level dict display with string keys: its items are the
                // keywords (`flyte.Resources(**COMMON)`); anything else may set any field.
                match self.splat(&kw.value) {
                    Some(items) => {
                        for (written, key_span, value) in items {
                            let entry = self.keyword(construct, written, key_span, value, depth);
                            apply_entry(&mut entries, entry);
                        }
                    }
                    None => entries.push(Entry {
                        key: opaque(range_of(kw)),
                        value: opaque(range_of(kw)),
                    }),
                }
                continue;
            };
            let entry = self.keyword(construct, arg.as_str(), range_of(arg), &kw.value, depth);
            entries.push(entry);
        }
        node(NodeKind::Map(entries), span)
    }

    /// One keyword argument of a recognised call as an entry, by the schema's name.
    fn keyword(
        &mut self,
        construct: Construct,
        written: &str,
        key_span: Range<usize>,
        value: &'m Expr,
        depth: usize,
    ) -> Entry {
        let (name, model) = match construct {
            Construct::Model(model) => match field_of(model, written) {
                Some(f) => {
                    if f.spelling == k8s_names::Spelling::Alias && f.keyword != written {
                        self.spellings.push(KeySpelling {
                            range: key_span.clone(),
                            written: written.to_string(),
                            portable: f.keyword.to_string(),
                            since: 37,
                        });
                    }
                    (f.api.to_string(), value_model(f.ty))
                }
                None => (written.to_string(), None),
            },
            Construct::FlyteTemplate | Construct::FlytekitTemplate => {
                let model = (written == "pod_spec").then_some("V1PodSpec");
                (written.to_string(), model)
            }
            _ => (written.to_string(), None),
        };
        let value = self.value(value, model, depth + 1);
        Entry {
            key: key(&name, key_span),
            value,
        }
    }

    /// The items of `**expr` when `expr` is (a name bound to) a dict display whose keys are all
    /// string literals, with each key's text and range; `None` when only run time knows them.
    fn splat(&self, expr: &'m Expr) -> Option<Vec<(&'m str, Range<usize>, &'m Expr)>> {
        let Resolved::Value(Expr::Dict(d)) = self.resolver.resolve(expr) else {
            return None;
        };
        // A dict that splats itself (half-typed `d = {**d}`) is not expanded again.
        if self.expanding.contains(&range_of(d).start) {
            return None;
        }
        d.items
            .iter()
            .map(|item| match &item.key {
                Some(Expr::StringLiteral(k)) => Some((k.value.to_str(), range_of(k), &item.value)),
                _ => None,
            })
            .collect()
    }

    /// An expression as a tree node. `model` is the client model the field holds, when known
    /// (so a name bound to a `V1Container(...)` is lowered with that model's names).
    fn value(&mut self, expr: &'m Expr, model: Option<&'static str>, depth: usize) -> Node {
        let span = range_of(expr);
        if depth > MAX_DEPTH || self.budget == 0 {
            return opaque(span);
        }
        self.budget -= 1;
        match expr {
            Expr::StringLiteral(s) => {
                let style = if self.source.get(span.clone()).is_some_and(|t| {
                    t.trim_start_matches(|c: char| c.is_ascii_alphabetic())
                        .starts_with('\'')
                }) {
                    ScalarStyle::SingleQuoted
                } else {
                    ScalarStyle::DoubleQuoted
                };
                scalar(s.value.to_str(), style, Reading::Str, span)
            }
            Expr::NumberLiteral(n) => number(&n.value, false, span, self.source),
            Expr::UnaryOp(op) if matches!(op.op, ast::UnaryOp::USub) => match &*op.operand {
                Expr::NumberLiteral(n) => number(&n.value, true, span, self.source),
                _ => opaque(span),
            },
            Expr::BooleanLiteral(b) => scalar(
                if b.value { "True" } else { "False" },
                ScalarStyle::Plain,
                Reading::Bool(b.value),
                span,
            ),
            Expr::NoneLiteral(_) => scalar("None", ScalarStyle::Plain, Reading::Null, span),
            Expr::List(l) => self.seq(&l.elts, model, span, depth),
            Expr::Tuple(t) => self.seq(&t.elts, model, span, depth),
            Expr::Dict(d) => {
                // A dict where a model is wanted (`containers=[{"name": "main"}]`): kubernetes
                // ≥ 37 validates it into the model, by either spelling of its fields.
                let fields_of = model;
                let mut entries = Vec::new();
                for item in &d.items {
                    match &item.key {
                        Some(Expr::StringLiteral(k)) => {
                            let written = k.value.to_str();
                            let field = fields_of.and_then(|m| field_of(m, written));
                            if let Some(f) = &field {
                                if f.api != written {
                                    self.spellings.push(KeySpelling {
                                        range: range_of(k),
                                        written: written.to_string(),
                                        portable: f.api.to_string(),
                                        since: 37,
                                    });
                                }
                            }
                            let (name, inner) = match &field {
                                Some(f) => (f.api, value_model(f.ty)),
                                None => (written, None),
                            };
                            let value = self.value(&item.value, inner, depth + 1);
                            apply_entry(
                                &mut entries,
                                Entry {
                                    key: scalar(
                                        name,
                                        ScalarStyle::DoubleQuoted,
                                        Reading::Str,
                                        range_of(k),
                                    ),
                                    value,
                                },
                            )
                        }
                        Some(other) => entries.push(Entry {
                            key: opaque(range_of(other)),
                            value: opaque(range_of(&item.value)),
                        }),
                        // `**other`: its entries when it is a dict display of this module
                        // (later keys win, in the first one's place, as Python's dict does).
                        None => match self.splat(&item.value) {
                            Some(items) => {
                                self.expanding.push(range_of(d).start);
                                for (k, key_span, v) in items {
                                    let value = self.value(v, None, depth + 1);
                                    apply_entry(
                                        &mut entries,
                                        Entry {
                                            key: scalar(
                                                k,
                                                ScalarStyle::DoubleQuoted,
                                                Reading::Str,
                                                key_span,
                                            ),
                                            value,
                                        },
                                    );
                                }
                                self.expanding.pop();
                            }
                            _ => entries.push(Entry {
                                key: opaque(range_of(&item.value)),
                                value: opaque(range_of(&item.value)),
                            }),
                        },
                    }
                }
                node(NodeKind::Map(entries), span)
            }
            Expr::Call(call) => {
                let callee = self.resolver.callee(call);
                match callee.as_deref().and_then(construct_of) {
                    Some(Construct::Model(m)) => self.call(call, Construct::Model(m), depth),
                    Some(c @ (Construct::FlyteTemplate | Construct::FlytekitTemplate)) => {
                        self.call(call, c, depth)
                    }
                    Some(c @ (Construct::Resources | Construct::Keywords)) => {
                        self.call(call, c, depth)
                    }
                    // A method on a template (`flyte.PodTemplate().allow_fuse()`): the template,
                    // with whatever the method adds unknown.
                    _ => match &*call.func {
                        Expr::Attribute(a) if matches!(&*a.value, Expr::Call(_)) => {
                            let mut inner = self.value(&a.value, model, depth + 1);
                            if let NodeKind::Map(entries) = &mut inner.kind {
                                entries.push(Entry {
                                    key: opaque(range_of(&a.attr)),
                                    value: opaque(span.clone()),
                                });
                                inner.span = span;
                                return inner;
                            }
                            opaque(span)
                        }
                        _ => opaque(span),
                    },
                }
            }
            Expr::Name(_) | Expr::Attribute(_) => match self.resolver.resolve(expr) {
                Resolved::Value(value) if !std::ptr::eq(value, expr) => {
                    let start = range_of(value).start;
                    if self.expanding.contains(&start) {
                        return opaque(span);
                    }
                    self.expanding.push(start);
                    let node = self.value(value, model, depth + 1);
                    self.expanding.pop();
                    node
                }
                _ => opaque(span),
            },
            _ => opaque(span),
        }
    }

    fn seq(
        &mut self,
        items: &'m [Expr],
        model: Option<&'static str>,
        span: Range<usize>,
        depth: usize,
    ) -> Node {
        let mut out = Vec::with_capacity(items.len());
        for item in items {
            if let Expr::Starred(s) = item {
                out.push(opaque(range_of(s)));
                continue;
            }
            out.push(self.value(item, model, depth + 1));
        }
        node(NodeKind::Seq(out), span)
    }
}

/// Every argument of a deriving call, by the parameter it fills (`positional` names the
/// positional ones in order), with the range to point at; `**kwargs` is `**`.
fn arguments(call: &ast::ExprCall, positional: &[&str]) -> Vec<(String, Range<usize>)> {
    let mut out = Vec::new();
    for (i, arg) in call.arguments.args.iter().enumerate() {
        let name = positional.get(i).map_or("*", |n| *n);
        out.push((name.to_string(), range_of(arg)));
    }
    for kw in &call.arguments.keywords {
        match kw.arg.as_ref() {
            Some(arg) => out.push((arg.as_str().to_string(), range_of(arg))),
            None => out.push(("**".to_string(), range_of(kw))),
        }
    }
    out
}

/// Whether `call` passes one of `sets` with a value that is not a falsy literal: what
/// [`Lowerer::set_truthy`] would apply.
fn applies_any(call: &ast::ExprCall, sets: &[&str]) -> bool {
    call.arguments
        .keywords
        .iter()
        .any(|kw| sets_keyword(kw, sets))
}

/// Whether keyword `kw` is one of `sets` with a value that is not a falsy literal.
fn sets_keyword(kw: &ast::Keyword, sets: &[&str]) -> bool {
    kw.arg.as_ref().is_some_and(|a| sets.contains(&a.as_str())) && !is_falsy_literal(&kw.value)
}

/// Whether Python would read the literal as false (`None`, `False`, `0`, `""`, `[]`, `{}`).
fn is_falsy_literal(expr: &Expr) -> bool {
    match expr {
        Expr::NoneLiteral(_) => true,
        Expr::BooleanLiteral(b) => !b.value,
        Expr::StringLiteral(s) => s.value.is_empty(),
        Expr::NumberLiteral(n) => matches!(&n.value, ast::Number::Int(i) if i.as_u8() == Some(0)),
        Expr::List(l) => l.elts.is_empty(),
        Expr::Dict(d) => d.items.is_empty(),
        _ => false,
    }
}

/// The model a field's value is lowered with: the model itself, or its items' in a list; none
/// for a map of models (its keys are the user's, not the model's fields).
fn value_model(ty: &str) -> Option<&'static str> {
    match k8s_names::parse_type(ty) {
        k8s_names::PyType::Dict(_) => None,
        _ => k8s_names::model_of_type(ty),
    }
}

/// The client's field for a keyword: the `attribute_map` spelling, else a camelCase alias
/// (kubernetes ≥ 37 takes both).
fn field_of(model: &str, keyword: &str) -> Option<Field> {
    k8s_names::model_field(model, keyword)
}

/// A Python number literal with its own type.
fn number(n: &ast::Number, negative: bool, span: Range<usize>, source: &str) -> Node {
    let text = source.get(span.clone()).unwrap_or("").to_string();
    match n {
        ast::Number::Int(i) => match i.as_i64() {
            Some(v) => {
                let v = i128::from(v);
                scalar(
                    text,
                    ScalarStyle::Plain,
                    Reading::Int(if negative { -v } else { v }),
                    span,
                )
            }
            None => opaque(span),
        },
        ast::Number::Float(f) => scalar(
            text,
            ScalarStyle::Plain,
            Reading::Float(if negative { -f } else { *f }),
            span,
        ),
        ast::Number::Complex { .. } => opaque(span),
    }
}
