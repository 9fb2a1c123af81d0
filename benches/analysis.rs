//! Criterion benchmarks of the analysis on generated, realistic pod templates of about 60,
//! 2,000 and 20,000 lines (and a multi-document variant): parse, full diagnostics, one edit
//! followed by re-analysis, and render. Run with `cargo bench --bench analysis`.

#[path = "generate/mod.rs"]
mod generate;

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion};
use std::hint::black_box;

use flyte_lsp::analysis::render;
use flyte_lsp::engine::parse;
use flyte_lsp::engine::{analyze, analyze_parsed};
use flyte_lsp::settings::Settings;

/// A task environment whose pod template has `containers` containers, each with env vars,
/// volume mounts, ports, resources and probes; about 38 lines per container.
fn environment(containers: usize) -> String {
    let mut s = String::from(
        "name: train\nimage: ghcr.io/acme/train:1\nresources:\n  cpu: 2\n  memory: [\"4Gi\", \"8Gi\"]\nenv_vars:\n  MODE: prod\npod_template:\n  primary_container_name: primary\n  labels:\n    team: ml\n  annotations:\n    owner: data-platform\n  pod_spec:\n    tolerations:\n      - key: nvidia.com/gpu\n        operator: Exists\n        effect: NoSchedule\n    containers:\n",
    );
    for i in 0..containers {
        generate::push_container(&mut s, i, 6, false, false);
    }
    s.push_str("    volumes:\n      - name: data\n        emptyDir: {}\n      - name: cache\n        emptyDir:\n          medium: Memory\n");
    s
}

fn sizes() -> Vec<(&'static str, String)> {
    let multi: Vec<String> = (0..50).map(|_| environment(10)).collect();
    vec![
        ("60-lines", environment(1)),
        ("2k-lines", environment(52)),
        ("20k-lines", environment(525)),
        ("20k-lines-50-docs", multi.join("---\n")),
    ]
}

fn benches(c: &mut Criterion) {
    // What the server analyses with: an editor's settings, so a big document's pod rules run
    // on a second thread as they do there (`check` runs them on its worker's thread).
    let settings = Settings {
        editor: true,
        ..Settings::default()
    };
    for (name, text) in sizes() {
        let lines = text.lines().count();
        let mut group = c.benchmark_group(format!("{name} ({lines} lines)"));
        if lines > 10_000 {
            group.sample_size(20);
        }
        // The event parser alone: the floor under `parse`.
        group.bench_function(BenchmarkId::new("granit events only", lines), |b| {
            b.iter(|| granit_parser::Parser::new_from_str(black_box(&text)).count())
        });
        group.bench_function(BenchmarkId::new("parse", lines), |b| {
            b.iter(|| parse(black_box(&text)))
        });
        group.bench_function(BenchmarkId::new("diagnostics", lines), |b| {
            let stream = parse(&text);
            b.iter(|| analyze_parsed(black_box(&text), &stream, &settings))
        });
        group.bench_function(
            BenchmarkId::new("check (parse + diagnostics)", lines),
            |b| b.iter(|| analyze(black_box(&text), &settings)),
        );
        // One keystroke in the middle of the file, then the whole re-analysis the server runs.
        let mid = text.len() / 2;
        let at = text[..mid].rfind("value: info").unwrap_or(mid);
        group.bench_function(BenchmarkId::new("keystroke + re-analysis", lines), |b| {
            b.iter(|| {
                let mut edited = String::with_capacity(text.len() + 1);
                edited.push_str(&text[..at]);
                edited.push('x');
                edited.push_str(&text[at..]);
                analyze(black_box(&edited), &settings)
            })
        });
        // The same keystroke as the server takes it: re-parse only the `---` documents it
        // touched (all of a one-document file), reuse the others' trees, re-analyse.
        group.bench_function(
            BenchmarkId::new("keystroke + incremental re-analysis", lines),
            |b| {
                let mut edited = String::with_capacity(text.len() + 1);
                edited.push_str(&text[..at]);
                edited.push('x');
                edited.push_str(&text[at..]);
                let stream = parse(&text);
                b.iter_batched(
                    || stream.clone(),
                    |old| {
                        let language = flyte_lsp::engine::Language::Yaml;
                        let new =
                            flyte_lsp::engine::reparse_file(&text, old, &edited, language, None);
                        analyze_parsed(black_box(&edited), &new, &settings)
                    },
                    criterion::BatchSize::LargeInput,
                )
            },
        );
        group.bench_function(BenchmarkId::new("render", lines), |b| {
            let stream = parse(&text);
            b.iter(|| {
                flyte_lsp::engine::render(
                    black_box(&text),
                    &stream,
                    0,
                    &settings,
                    render::Layer::Cluster,
                    &render::RenderContext::default(),
                )
            })
        });
        // Completion at three places (a nested key on an empty line, a value after
        // `imagePullPolicy: `, a top-level key) and hover on a key, as the server calls them.
        let stream = parse(&text);
        let mid_container = text[..text.len() / 2]
            .rfind("        imagePullPolicy: ")
            .unwrap_or(0);
        let value_at = mid_container + "        imagePullPolicy: ".len();
        let mut with_empty_line = text.clone();
        with_empty_line.insert_str(mid_container, "        \n");
        let empty_stream = parse(&with_empty_line);
        let positions = [
            (
                "completion: nested key",
                &with_empty_line,
                &empty_stream,
                mid_container + 8,
            ),
            ("completion: enum value", &text, &stream, value_at),
            ("completion: top-level key", &text, &stream, text.len()),
        ];
        for (label, source, parsed, offset) in positions {
            group.bench_function(BenchmarkId::new(label, lines), |b| {
                b.iter(|| {
                    flyte_lsp::engine::completions_lazy(
                        black_box(source),
                        &|| parsed,
                        &settings,
                        None,
                        offset,
                    )
                })
            });
        }
        let key_at = mid_container + 10;
        group.bench_function(BenchmarkId::new("hover on a key", lines), |b| {
            b.iter(|| {
                flyte_lsp::engine::hover_parsed(black_box(&text), &stream, &settings, None, key_at)
            })
        });
        group.finish();
    }
}

criterion_group!(analysis, benches);
criterion_main!(analysis);
