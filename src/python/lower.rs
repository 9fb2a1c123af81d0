//! Lowers the recognised calls of a Python module into the neutral tree: one document per
//! `flyte.TaskEnvironment(...)`, per `flyte.PodTemplate(...)` (or flytekit's) that no environment
//! takes, per kubernetes `V1Pod`/`V1PodTemplate`, and per `V1PodSpec`/`V1PodTemplateSpec` that
//! none of those hold (inside a `V1Deployment`, say).
//!
//! Keywords become the schema's names through the kubernetes client's own `attribute_map`
//! (`host_ipc` is `hostIPC`, `_exec` is `exec`), never by a spelling rule; the key node keeps the
//! keyword's range. Python literals have Python's types (`True` is a boolean, `"8080"` a string);
//! names bound once at module level are followed to their value, whose range is where the value
//! is written. Whatever only run time knows (a call we do not know, an f-string, a name from
//! another module, `**kwargs`) is an opaque node: "no opinion". Nothing here runs user code.

use std::collections::HashSet;
use std::ops::Range;

use ruff_python_ast::visitor::{self, Visitor};
use ruff_python_ast::{self as ast, Expr};

use super::k8s_names::{self, Field};
use super::{range_of, Resolved, Resolver};
use crate::tree::{DocKind, Document, Entry, Node, NodeKind, Reading, Scalar, ScalarStyle};

/// Who reads a Python file's values, for messages.
pub const READER: &str = "Python";

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
    };
    for stmt in &module.body {
        calls.visit_stmt(stmt);
    }
    let mut lowerer = Lowerer {
        resolver,
        source,
        consumed: HashSet::new(),
        budget: NODE_BUDGET.max(source.len() / SOURCE_BYTES_PER_NODE),
        expanding: Vec::new(),
    };
    // Outer constructs first, so that what they hold is not checked a second time on its own.
    let mut order: Vec<&(Range<usize>, &ast::ExprCall, Construct)> = calls.found.iter().collect();
    order.sort_by_key(|(r, _, c)| (rank(*c), r.start));
    let mut docs: Vec<(usize, Document)> = Vec::new();
    for (range, call, construct) in order {
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
            Construct::Model("V1PodSpec") => {
                let node = lowerer.call(call, *construct, 0);
                wrap_template(node, Some(range.clone()))
            }
            _ => continue,
        };
        let kind = match construct {
            Construct::Environment => DocKind::TaskEnvironment,
            Construct::FlyteTemplate | Construct::FlytekitTemplate => DocKind::FlytePodTemplate,
            Construct::Model("V1Pod") => DocKind::KubePod,
            _ => DocKind::KubePodTemplate,
        };
        docs.push((
            range.start,
            Document {
                kind,
                reader: READER,
                root: Some(root),
                span: range.clone(),
                errors: Vec::new(),
                duplicate_keys: Vec::new(),
                anchors: Vec::new(),
            },
        ));
    }
    docs.sort_by_key(|(start, _)| *start);
    docs.into_iter().map(|(_, d)| d).collect()
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
        "flytekit.PodTemplate" => Construct::FlytekitTemplate,
        "flyte.Resources" | "flytekit.Resources" => Construct::Resources,
        "flyte.Secret" | "flytekit.Secret" => Construct::Keywords,
        _ => {
            let model = qualified.strip_prefix("kubernetes.client.")?;
            let model = k8s_names::model_name(model)?;
            Construct::Model(model)
        }
    })
}

/// Every recognised call of the module (at any depth), by range.
struct Calls<'r, 'm> {
    resolver: &'r Resolver<'m>,
    found: Vec<(Range<usize>, &'m ast::ExprCall, Construct)>,
}

impl<'m> Visitor<'m> for Calls<'_, 'm> {
    fn visit_expr(&mut self, expr: &'m Expr) {
        if let Expr::Call(call) = expr {
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

fn scalar(value: String, style: ScalarStyle, reading: Reading, span: Range<usize>) -> Node {
    node(
        NodeKind::Scalar(Scalar {
            value,
            style,
            reading,
        }),
        span,
    )
}

fn key(name: &str, span: Range<usize>) -> Node {
    scalar(name.to_string(), ScalarStyle::Plain, Reading::Str, span)
}

/// A synthesized string (zero-width, at `at`): what the Python object stands for but the user
/// does not write, such as a `V1Pod`'s `kind`.
fn synthesized(key_name: &str, value: &str, at: usize) -> Entry {
    Entry {
        key: key(key_name, at..at),
        value: scalar(
            value.to_string(),
            ScalarStyle::DoubleQuoted,
            Reading::Str,
            at..at,
        ),
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
                // `**kwargs`: any field may be set.
                entries.push(Entry {
                    key: opaque(range_of(kw)),
                    value: opaque(range_of(kw)),
                });
                continue;
            };
            let written = arg.as_str();
            let key_span = range_of(arg);
            let (name, model) = match construct {
                Construct::Model(model) => match field_of(model, written) {
                    Some(f) => (f.api.to_string(), k8s_names::model_of_type(f.ty)),
                    None => (written.to_string(), None),
                },
                Construct::FlyteTemplate | Construct::FlytekitTemplate => {
                    let model = (written == "pod_spec").then_some("V1PodSpec");
                    (written.to_string(), model)
                }
                _ => (written.to_string(), None),
            };
            let value = self.value(&kw.value, model, depth + 1);
            entries.push(Entry {
                key: key(&name, key_span),
                value,
            });
        }
        node(NodeKind::Map(entries), span)
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
                scalar(s.value.to_str().to_string(), style, Reading::Str, span)
            }
            Expr::NumberLiteral(n) => number(&n.value, false, span, self.source),
            Expr::UnaryOp(op) if matches!(op.op, ast::UnaryOp::USub) => match &*op.operand {
                Expr::NumberLiteral(n) => number(&n.value, true, span, self.source),
                _ => opaque(span),
            },
            Expr::BooleanLiteral(b) => scalar(
                if b.value { "True" } else { "False" }.to_string(),
                ScalarStyle::Plain,
                Reading::Bool(b.value),
                span,
            ),
            Expr::NoneLiteral(_) => scalar("None".into(), ScalarStyle::Plain, Reading::Null, span),
            Expr::List(l) => self.seq(&l.elts, model, span, depth),
            Expr::Tuple(t) => self.seq(&t.elts, model, span, depth),
            Expr::Dict(d) => {
                let mut entries = Vec::new();
                for item in &d.items {
                    match &item.key {
                        Some(Expr::StringLiteral(k)) => entries.push(Entry {
                            key: scalar(
                                k.value.to_str().to_string(),
                                ScalarStyle::DoubleQuoted,
                                Reading::Str,
                                range_of(k),
                            ),
                            value: self.value(&item.value, None, depth + 1),
                        }),
                        Some(other) => entries.push(Entry {
                            key: opaque(range_of(other)),
                            value: opaque(range_of(&item.value)),
                        }),
                        // `**other`: more entries, unknown.
                        None => entries.push(Entry {
                            key: opaque(range_of(&item.value)),
                            value: opaque(range_of(&item.value)),
                        }),
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
