//! Criterion benchmarks of the Python front end on generated Flyte modules: a typical file
//! (one pod template, one environment, one task: about 50 lines, 1.8 KB) and modules of about
//! 230 KB and 5 MB built from the same block. Measures `python::parse` (which includes the
//! nesting guard), the guard alone, building the `Resolver`, and resolving every call's callee.
//! Then issue 13's figure: the 2,000-line module of 50 environments in `generate/python.rs`
//! through the whole engine (`check`, a keystroke) and stage by stage, and completion and hover
//! on its parse. Then the workspace index over folders of generated `.py` and YAML files.
//! Run with `cargo bench --bench python` (`-- "50 environments"` or `-- "workspace index"` for
//! one group alone).

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion};
use std::hint::black_box;

use flyte_lsp::python::ast::visitor::{self, Visitor};
use flyte_lsp::python::ast::{Expr, ExprCall};
use flyte_lsp::python::{depth, parse, Resolver};

#[path = "generate/python.rs"]
mod python_module;

const HEADER: &str = "\"\"\"Generated Flyte tasks.\"\"\"\n\nimport flyte\nfrom kubernetes.client import (\n    V1Container,\n    V1ContainerPort,\n    V1EmptyDirVolumeSource,\n    V1EnvVar,\n    V1PodSpec,\n    V1ResourceRequirements,\n    V1Toleration,\n    V1Volume,\n    V1VolumeMount,\n)\n\n";

/// One pod template, one environment and one task, about 1.5 KB.
fn block(out: &mut String, i: usize) {
    out.push_str(&format!(
        r#"MOUNT_PATH_{i} = "/data/{i}"

pod_template_{i} = flyte.PodTemplate(
    primary_container_name="primary",
    labels={{"team": "ml", "index": "{i}"}},
    annotations={{"owner": "data-platform"}},
    pod_spec=V1PodSpec(
        containers=[
            V1Container(
                name="primary",
                image="ghcr.io/acme/train:{i}",
                env=[V1EnvVar(name="MODE", value="prod"), V1EnvVar(name="INDEX", value="{i}")],
                volume_mounts=[V1VolumeMount(name="data", mount_path=MOUNT_PATH_{i}, read_only=False)],
                resources=V1ResourceRequirements(requests={{"cpu": "1", "memory": "1Gi"}}, limits={{"memory": "2Gi"}}),
                ports=[V1ContainerPort(container_port=8080, name="http")],
            ),
        ],
        volumes=[V1Volume(name="data", empty_dir=V1EmptyDirVolumeSource(medium="Memory"))],
        tolerations=[V1Toleration(key="nvidia.com/gpu", operator="Exists", effect="NoSchedule")],
    ),
)

env_{i} = flyte.TaskEnvironment(
    name="env_{i}",
    image="ghcr.io/acme/train:{i}",
    resources=flyte.Resources(cpu=(1, 2), memory="4Gi"),
    pod_template=pod_template_{i},
)


@env_{i}.task
async def task_{i}(x: int) -> int:
    return x + {i}


"#
    ));
}

fn module(min_bytes: usize) -> String {
    let mut s = String::from(HEADER);
    let mut i = 0;
    while i == 0 || s.len() < min_bytes {
        block(&mut s, i);
        i += 1;
    }
    s.push_str(
        "if __name__ == \"__main__\":\n    flyte.init_from_config()\n    flyte.run(task_0, x=1)\n",
    );
    s
}

/// Resolves the callee of every call in the module; returns how many resolved to a symbol.
fn resolve_calls(text: &str) -> usize {
    struct Calls<'m> {
        resolver: &'m Resolver<'m>,
        symbols: usize,
    }
    impl<'m> Visitor<'m> for Calls<'m> {
        fn visit_expr(&mut self, expr: &'m Expr) {
            if let Expr::Call(call) = expr {
                let call: &ExprCall = call;
                if self.resolver.callee(call).is_some() {
                    self.symbols += 1;
                }
            }
            visitor::walk_expr(self, expr);
        }
    }
    let parsed = parse(text);
    let resolver = Resolver::new(&parsed.module);
    let mut calls = Calls {
        resolver: &resolver,
        symbols: 0,
    };
    calls.visit_body(&parsed.module.body);
    calls.symbols
}

fn benches(c: &mut Criterion) {
    let inputs = [
        ("typical", module(0)),
        ("230KB", module(230_000)),
        ("5MB", module(5_000_000)),
    ];
    for (name, text) in &inputs {
        let parsed = parse(text);
        assert!(parsed.errors.is_empty(), "{:?}", &parsed.errors[..1]);
        assert!(resolve_calls(text) > 0);
        let mut group = c.benchmark_group(format!("python/{name}"));
        if text.len() > 1_000_000 {
            group.sample_size(10);
        } else if text.len() > 100_000 {
            group.sample_size(20);
        }
        group.bench_with_input(BenchmarkId::new("parse", text.len()), text, |b, t| {
            b.iter(|| parse(black_box(t)))
        });
        group.bench_with_input(BenchmarkId::new("depth_guard", text.len()), text, |b, t| {
            b.iter(|| depth::too_deep(black_box(t)))
        });
        group.bench_with_input(BenchmarkId::new("resolver", text.len()), &parsed, |b, p| {
            b.iter(|| Resolver::new(black_box(&p.module)).is_relevant())
        });
        group.bench_with_input(
            BenchmarkId::new("parse_resolve_calls", text.len()),
            text,
            |b, t| b.iter(|| resolve_calls(black_box(t))),
        );
        group.finish();
    }
    // Issue 13's figure: a module of 50 environments (about 2,000 lines, `generate/python.rs`),
    // through the whole engine: parse, resolve, lower, every rule; and each stage on its own.
    let text = python_module::module(50);
    let settings = flyte_lsp::settings::Settings::default();
    let analyze = |t: &str| {
        let stream = flyte_lsp::engine::parse_as(t, flyte_lsp::engine::Language::Python);
        flyte_lsp::engine::analyze_in_workspace(t, &stream, &settings, None)
    };
    let first = analyze(&text);
    // One document per environment, and one per task (a copy: its decorator changes nothing).
    assert_eq!(
        first.documents.len(),
        100,
        "one document per environment and per task"
    );
    assert!(
        first.diagnostics.is_empty(),
        "{:?}",
        &first.diagnostics[..1]
    );
    let lines = text.lines().count();
    let mut group = c.benchmark_group(format!("python/50 environments ({lines} lines)"));
    group.bench_with_input(
        BenchmarkId::new("check (parse + diagnostics)", lines),
        &text,
        |b, t| b.iter(|| analyze(black_box(t))),
    );
    // A keystroke in a string in the middle: one character typed, the whole file read again.
    let at = python_module::keystroke_at(&text, 50);
    group.bench_with_input(
        BenchmarkId::new("keystroke + re-analysis", lines),
        &text,
        |b, t| {
            b.iter(|| {
                let mut edited = String::with_capacity(t.len() + 1);
                edited.push_str(&t[..at]);
                edited.push('x');
                edited.push_str(&t[at..]);
                analyze(black_box(&edited))
            })
        },
    );
    // The stages, each on its own: where the time of `check` goes.
    group.bench_with_input(BenchmarkId::new("stage: parse", lines), &text, |b, t| {
        b.iter(|| parse(black_box(t)))
    });
    let parsed = parse(&text);
    group.bench_with_input(
        BenchmarkId::new("stage: resolver", lines),
        &parsed,
        |b, p| b.iter(|| Resolver::new(black_box(&p.module)).is_relevant()),
    );
    group.bench_with_input(
        BenchmarkId::new("stage: parse + resolve + lower (parse_as)", lines),
        &text,
        |b, t| {
            b.iter(|| {
                flyte_lsp::engine::parse_as(black_box(t), flyte_lsp::engine::Language::Python)
            })
        },
    );
    let stream = flyte_lsp::engine::parse_as(&text, flyte_lsp::engine::Language::Python);
    group.bench_with_input(
        BenchmarkId::new("stage: rules (analyze_in_workspace)", lines),
        &stream,
        |b, st| {
            b.iter(|| {
                flyte_lsp::engine::analyze_in_workspace(&text, black_box(st), &settings, None)
            })
        },
    );
    // Completion and hover on the parsed module (the server keeps the parse of each version):
    // an enum value, a dict key, a container name; a keyword and a quantity.
    let mid = text
        .find(&format!("pod_template_{} = ", 25))
        .expect("middle environment");
    let after = |needle: &str| mid + text[mid..].find(needle).expect(needle) + needle.len();
    let get = || &stream;
    for (name, at, want) in [
        ("completion: value", after("restart_policy=\""), "Always"),
        ("completion: dict key", after("limits={\""), "memory"),
        (
            "completion: container name",
            after("primary_container_name=\""),
            "primary",
        ),
    ] {
        let complete = |at: usize| {
            flyte_lsp::engine::completions_in(
                flyte_lsp::engine::Language::Python,
                None,
                &text,
                &get,
                &settings,
                None,
                at,
                None,
            )
        };
        let first = complete(at).expect("an answer");
        assert!(
            first.items.iter().any(|i| i.label == want),
            "{name}: no {want}"
        );
        group.bench_with_input(BenchmarkId::new(name, lines), &at, |b, &at| {
            b.iter(|| complete(black_box(at)))
        });
    }
    for (name, at) in [
        ("hover: keyword", after("service_account_name") - 4),
        ("hover: quantity", after("size_limit=\"2Gi") - 1),
    ] {
        let hover = |at: usize| {
            flyte_lsp::engine::hover_in(
                flyte_lsp::engine::Language::Python,
                None,
                &text,
                &stream,
                &settings,
                None,
                at,
            )
        };
        assert!(hover(at).is_some(), "{name}: no hover");
        group.bench_with_input(BenchmarkId::new(name, lines), &at, |b, &at| {
            b.iter(|| hover(black_box(at)))
        });
    }
    group.finish();
}

/// A Python module of a project that has nothing to do with Flyte (about 1.2 KB).
fn unrelated(i: usize) -> String {
    format!(
        r#""""Helpers {i}."""

import json
import os
from dataclasses import dataclass


@dataclass
class Record{i}:
    name: str
    size: int = 0

    def to_json(self) -> str:
        return json.dumps({{"name": self.name, "size": self.size}})


def load_{i}(path: str) -> list[Record{i}]:
    out = []
    with open(os.path.join(path, "records-{i}.jsonl")) as f:
        for line in f:
            data = json.loads(line)
            out.append(Record{i}(name=data["name"], size=int(data.get("size", 0))))
    return out


def total_{i}(records: list[Record{i}]) -> int:
    return sum(r.size for r in records)
"#
    )
}

/// The workspace index over a folder of generated files: 1,000 Flyte modules (each a pod
/// template, an environment and a task, 1.8 KB) beside 1,000 Python files that do not mention
/// Flyte, against 1,000 YAML PodTemplates. What the server does once at start (`initialized`).
fn workspace_index(c: &mut Criterion) {
    use flyte_lsp::workspace::WorkspaceIndex;
    let root = std::env::temp_dir().join(format!("flyte-lsp-bench-index-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&root);
    let (flyte, other, yaml) = (root.join("flyte"), root.join("other"), root.join("yaml"));
    for dir in [&flyte, &other, &yaml] {
        std::fs::create_dir_all(dir).expect("mkdir");
    }
    let typical = module(0);
    for i in 0..1000 {
        std::fs::write(flyte.join(format!("m{i}.py")), &typical).expect("write");
        std::fs::write(other.join(format!("u{i}.py")), unrelated(i)).expect("write");
        std::fs::write(
            yaml.join(format!("t{i}.yaml")),
            format!("apiVersion: v1\nkind: PodTemplate\nmetadata:\n  name: gpu-{i}\ntemplate:\n  spec:\n    containers:\n      - name: default\n        image: busybox\n        resources:\n          limits: {{cpu: \"1\", memory: 1Gi}}\n"),
        )
        .expect("write");
    }
    let flyte_index = WorkspaceIndex::scan(std::slice::from_ref(&flyte));
    assert_eq!(
        flyte_index.files(),
        1000,
        "every Flyte module defines its container"
    );
    assert_eq!(
        WorkspaceIndex::scan(std::slice::from_ref(&other)).files(),
        0
    );
    assert_eq!(
        WorkspaceIndex::scan(std::slice::from_ref(&yaml)).len(),
        1000
    );
    let mut group = c.benchmark_group("python/workspace index");
    group.sample_size(10);
    for (name, dir) in [
        ("1,000 Flyte .py files", &flyte),
        ("1,000 other .py files", &other),
        ("1,000 YAML PodTemplates", &yaml),
    ] {
        group.bench_function(name, |b| {
            b.iter(|| WorkspaceIndex::scan(black_box(std::slice::from_ref(dir))))
        });
    }
    group.finish();
    let _ = std::fs::remove_dir_all(&root);
}

criterion_group!(python, benches, workspace_index);
criterion_main!(python);
