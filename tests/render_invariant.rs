//! Invariant: the preview's cluster layer is a pod the API server accepts.
//!
//! For every valid Flyte document we have (task environments and Flyte pod templates in
//! `examples/clean`, the Flyte documents among the corpus' valid cases, and the conformance
//! cases the flyte SDK accepts), `flyte-lsp render --layer cluster --format json` must exit 0,
//! and its output, checked as the `kind: Pod` (apiVersion v1) it is by `flyte-lsp check`, must
//! have no error but the missing `metadata.name` (FLY264 "name or generateName is required":
//! the backend names the pod, a preview cannot). Both steps go through the real binary.
//!
//! "Valid" means the SDK registers it and `check` finds no error in it. Which conformance cases
//! the SDK refuses is declared in each case's first comment ("the SDK raises ..."), checked
//! against the real SDK by `tests/conformance/compare.py`; [`SDK_REFUSES`] repeats those
//! verdicts. Some cases the SDK accepts are pods the API server rejects (a sidecar without an
//! image, two containers named `primary`): `check` reports that in the document, and for them
//! the weaker form holds: the pod has no error the document does not already have.
//!
//! [`KNOWN_GAPS`] lists the pods that break the invariant because `check` misses the problem
//! in the document (not because the preview is wrong); each must still occur, so the list
//! cannot go stale.

mod common;

use std::collections::{BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;

use common::TempDir;
use flyte_lsp::analysis::Severity;
use flyte_lsp::engine::analyze;
use flyte_lsp::model::DocKind;
use flyte_lsp::settings::Settings;

/// Conformance cases the flyte SDK refuses (their first comment says so; `compare.py` checks it
/// against the SDK). Nothing is rendered for them, so there is no pod to check.
const SDK_REFUSES: &[&str] = &[
    "02-primary-missing",
    "08-init-container-not-primary",
    "23-bad-gpu-string",
    "26-label-not-string",
    "27-env-value-not-string",
    "28-pod-spec-number-quantity",
    "33-env-name-format",
    "34-negative-cpu",
    "35-reusable-bounds",
    "36-secret-env-name",
];

/// `(pod file, code)`: errors in a rendered pod that `check` does not report in the document.
const KNOWN_GAPS: &[(&str, &str, &str)] = &[(
    "conformance-18-image-null-0.yaml",
    "FLY206",
    "`image: null` registers an empty image (verified with the SDK), which the API server \
     rejects unless the cluster's default PodTemplate supplies one; `check` says nothing about \
     `image: null` in a task environment",
)];

/// The one error a preview cannot avoid: the pod has no `metadata.name` (the backend sets it).
const MISSING_NAME: &str = "FLY264";

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn run(args: &[&std::ffi::OsStr]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_flyte-lsp"))
        .current_dir(root())
        .args(args)
        .output()
        .expect("run flyte-lsp")
}

fn yaml_files(dir: &str) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(root().join(dir))
        .unwrap_or_else(|e| panic!("{dir}: {e}"))
        .map(|e| e.expect("dir entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "yaml" || e == "yml"))
        .collect();
    files.sort();
    files
}

fn stem(path: &Path) -> String {
    path.file_stem()
        .and_then(|s| s.to_str())
        .unwrap_or_default()
        .to_string()
}

/// One Flyte document to render, and the error codes `check` finds in it.
struct Doc {
    group: &'static str,
    file: PathBuf,
    index: usize,
    source_errors: BTreeSet<String>,
}

/// Every Flyte document of `examples/clean`, the corpus' valid cases and the conformance
/// cases the SDK accepts.
fn flyte_documents_the_sdk_accepts() -> Vec<Doc> {
    let mut out = Vec::new();
    for (group, dir) in [
        ("examples", "examples/clean"),
        ("corpus", "tests/corpus/k8s/valid"),
        ("conformance", "tests/conformance/cases"),
    ] {
        for file in yaml_files(dir) {
            if group == "conformance" && SDK_REFUSES.contains(&stem(&file).as_str()) {
                continue;
            }
            let text = std::fs::read_to_string(&file).expect("read");
            let analysis = analyze(&text, &Settings::default());
            for (index, info) in analysis.documents.iter().enumerate() {
                if !matches!(
                    info.kind,
                    DocKind::TaskEnvironment | DocKind::FlytePodTemplate
                ) {
                    continue;
                }
                let source_errors = analysis
                    .diagnostics
                    .iter()
                    .filter(|d| d.severity == Severity::Error)
                    .filter(|d| info.span.contains(&d.range.start))
                    .map(|d| d.code.to_string())
                    .collect();
                out.push(Doc {
                    group,
                    file: file.clone(),
                    index,
                    source_errors,
                });
            }
        }
    }
    out
}

/// `render --layer cluster --format json` of one document; its workspace is the file's folder
/// (where a string `pod_template` finds its PodTemplate).
fn render_cluster(file: &Path, doc: usize) -> Output {
    let doc = doc.to_string();
    let workspace = file.parent().expect("parent");
    run(&[
        "render".as_ref(),
        file.as_os_str(),
        "--document".as_ref(),
        doc.as_ref(),
        "--layer".as_ref(),
        "cluster".as_ref(),
        "--format".as_ref(),
        "json".as_ref(),
        "--workspace".as_ref(),
        workspace.as_os_str(),
    ])
}

#[test]
fn the_cluster_layer_of_every_valid_flyte_document_is_a_pod_the_api_server_accepts() {
    let documents = flyte_documents_the_sdk_accepts();
    let count = |g: &str, valid: bool| {
        documents
            .iter()
            .filter(|d| d.group == g && d.source_errors.is_empty() == valid)
            .count()
    };
    // Guards against a layout change that silently empties a source.
    assert!(count("examples", true) >= 5, "examples/clean");
    assert!(count("corpus", true) >= 10, "corpus");
    assert!(count("conformance", true) >= 20, "conformance");
    assert_eq!(
        count("examples", false) + count("corpus", false),
        0,
        "clean sources have errors"
    );

    let pods = TempDir::new("render-invariant");
    let mut problems = Vec::new();
    // pod file name -> (where it came from, the document's own error codes)
    let mut origin: HashMap<String, (String, &BTreeSet<String>)> = HashMap::new();
    for d in &documents {
        let rel = d
            .file
            .strip_prefix(root())
            .unwrap_or(&d.file)
            .display()
            .to_string();
        let from = format!("{rel} document {}", d.index);
        let o = render_cluster(&d.file, d.index);
        if o.status.code() != Some(0) {
            problems.push(format!(
                "{from}: render --layer cluster exited {:?} for a document the SDK accepts: {}",
                o.status.code(),
                String::from_utf8_lossy(&o.stderr)
            ));
            continue;
        }
        let pod: Value =
            serde_json::from_slice(&o.stdout).unwrap_or_else(|e| panic!("{from}: not JSON ({e})"));
        assert_eq!(pod["apiVersion"], "v1", "{from}");
        assert_eq!(pod["kind"], "Pod", "{from}");
        // JSON is YAML: `check` reads the pod as written.
        let name = format!("{}-{}-{}.yaml", d.group, stem(&d.file), d.index);
        pods.write(&name, &o.stdout);
        origin.insert(name, (from, &d.source_errors));
    }

    let checked = run(&[
        "check".as_ref(),
        "--format".as_ref(),
        "json".as_ref(),
        pods.as_os_str(),
    ]);
    let report: Value = serde_json::from_slice(&checked.stdout).unwrap_or_else(|e| {
        panic!(
            "check output is not JSON ({e}): {}",
            String::from_utf8_lossy(&checked.stderr)
        )
    });
    let files = report["files"].as_array().expect("files");
    assert_eq!(files.len(), origin.len(), "every pod was checked");
    let mut missing_name = 0;
    let mut gaps_seen = BTreeSet::new();
    for f in files {
        let name = Path::new(f["path"].as_str().unwrap_or_default())
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or_default()
            .to_string();
        let (from, source_errors) = &origin[&name];
        if f["kind"] != "kubernetes" {
            problems.push(format!(
                "{from}: the rendered pod is not read as a Kubernetes Pod ({})",
                f["kind"]
            ));
        }
        for d in f["diagnostics"].as_array().into_iter().flatten() {
            if d["severity"] != "error" {
                continue;
            }
            let code = d["code"].as_str().unwrap_or_default();
            let message = d["message"].as_str().unwrap_or_default();
            if code == MISSING_NAME && message.contains("name or generateName is required") {
                missing_name += 1;
                continue;
            }
            // A document the API server rejects (`check` says so) makes a pod it rejects.
            if source_errors.contains(code) {
                continue;
            }
            if KNOWN_GAPS
                .iter()
                .any(|(file, c, _)| *file == name && *c == code)
            {
                gaps_seen.insert((name.clone(), code.to_string()));
                continue;
            }
            problems.push(format!(
                "{from}: {code} at line {} of the pod: {message}",
                d["range"]["start"]["line"].as_u64().unwrap_or_default() + 1
            ));
        }
    }
    for (file, code, why) in KNOWN_GAPS {
        if !gaps_seen.contains(&(file.to_string(), code.to_string())) {
            problems.push(format!(
                "KNOWN_GAPS lists {code} in {file}, which no longer occurs ({why}): remove it"
            ));
        }
    }
    assert!(
        problems.is_empty(),
        "{} problem(s) in the cluster layer of {} documents:\n{}",
        problems.len(),
        documents.len(),
        problems.join("\n")
    );
    // Every pod lacks its name, reported as the one expected error: if its code or message
    // changes, the filter above must follow.
    assert_eq!(
        missing_name,
        origin.len(),
        "each pod reports its missing metadata.name once"
    );
    eprintln!(
        "render invariant: {} documents; valid: {} examples, {} corpus, {} conformance; \
         {} more conformance cases the SDK accepts and the API server would reject",
        documents.len(),
        count("examples", true),
        count("corpus", true),
        count("conformance", true),
        count("conformance", false),
    );
}
