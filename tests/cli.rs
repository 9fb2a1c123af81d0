//! CLI tests: run the real `flyte-lsp` binary on examples and fixtures, check exit codes and
//! both output formats.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;

mod common;
use common::TempDir;

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_flyte-lsp"))
}

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn run(args: &[&str]) -> Output {
    bin()
        .current_dir(root())
        .args(args)
        .output()
        .expect("run flyte-lsp")
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn temp_dir(name: &str) -> TempDir {
    TempDir::new(&format!("cli-{name}"))
}

fn json(o: &Output) -> Value {
    serde_json::from_slice(&o.stdout)
        .unwrap_or_else(|e| panic!("invalid JSON ({e}): {}", stdout(o)))
}

#[test]
fn clean_examples_exit_zero() {
    let o = run(&["check", "examples/clean"]);
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
    assert!(stdout(&o).contains("0 errors"), "{}", stdout(&o));
}

#[test]
fn examples_with_mistakes_exit_one_with_rustc_style_output() {
    let o = run(&["check", "examples/"]);
    assert_eq!(o.status.code(), Some(1));
    let out = stdout(&o);
    assert!(
        out.contains("examples/mistakes/typos.yaml:14:3: error[FLY101]: unknown field `imagePullSecret` in PodSpec; did you mean `imagePullSecrets`?"),
        "{out}"
    );
    // The source line and the carets under the offending key.
    assert!(
        out.contains("14 |   imagePullSecret:\n   |   ^^^^^^^^^^^^^^^\n"),
        "{out}"
    );
    assert!(
        out.contains("= help: Rename to `imagePullSecrets`"),
        "{out}"
    );
    assert!(
        out.contains("error[FLY105]: Unsupported value: \"Sometimes\""),
        "{out}"
    );
    assert!(
        out.contains("error[FLY002]: duplicate key `memory`"),
        "{out}"
    );
    assert!(out.contains("error[FLY001]: syntax error"), "{out}");
}

#[test]
fn json_output_follows_the_contract() {
    let o = run(&["check", "--format", "json", "examples/"]);
    assert_eq!(o.status.code(), Some(1));
    let v = json(&o);
    let files = v["files"].as_array().expect("files array");
    assert_eq!(files.len(), 9);
    for f in files {
        assert!(f["path"].is_string());
        assert!(
            ["task-environment", "pod-template", "kubernetes", "unknown"]
                .contains(&f["kind"].as_str().unwrap_or(""))
        );
        for d in f["diagnostics"].as_array().expect("diagnostics") {
            for key in ["line", "character"] {
                assert!(
                    d["range"]["start"][key].is_u64() && d["range"]["end"][key].is_u64(),
                    "{d}"
                );
            }
            assert!(["error", "warning", "information", "hint"]
                .contains(&d["severity"].as_str().unwrap_or("")));
            assert!(d["code"].as_str().is_some_and(|c| c.starts_with("FLY")));
            assert_eq!(d["source"], "flyte-lsp");
            assert!(d["message"].is_string());
        }
    }
    let typos = files
        .iter()
        .find(|f| {
            f["path"]
                .as_str()
                .is_some_and(|p| p.ends_with("typos.yaml"))
        })
        .expect("typos.yaml");
    assert_eq!(typos["kind"], "pod-template");
    let first = &typos["diagnostics"][0];
    assert_eq!(first["code"], "FLY101");
    assert_eq!(first["range"]["start"]["line"], 13, "0-based lines");
    assert_eq!(first["range"]["start"]["character"], 2);
    assert_eq!(first["range"]["end"]["character"], 17);
}

#[test]
fn json_characters_are_utf16_code_units() {
    let dir = temp_dir("utf16");
    let file = dir.join("t.yaml");
    std::fs::write(&file, "primary_container_name: primary\nannotations: {a: \"😀\", b: yes}\npod_spec:\n  containers: []\n").expect("write");
    let o = bin()
        .args(["check", "--format", "json"])
        .arg(&file)
        .output()
        .expect("run");
    let v = json(&o);
    let d = &v["files"][0]["diagnostics"][0];
    assert_eq!(d["code"], "FLY106");
    // `annotations: {a: "😀", b: ` is 26 UTF-16 units (the emoji counts 2); 25 chars, 28 bytes.
    assert_eq!(d["range"]["start"]["character"], 26, "{d}");
    assert_eq!(d["range"]["end"]["character"], 29, "{d}");
}

#[test]
fn unrelated_yaml_is_silent() {
    let o = run(&["check", "--format", "json", "tests/fixtures/unrelated"]);
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
    let v = json(&o);
    let files = v["files"].as_array().expect("files");
    assert!(files.len() >= 8, "at least 8 unrelated fixtures");
    for f in files {
        assert_eq!(f["kind"], "unknown", "{f}");
        assert_eq!(f["diagnostics"].as_array().map(Vec::len), Some(0), "{f}");
    }
}

#[test]
fn usage_and_io_failures_exit_two() {
    assert_eq!(run(&["check"]).status.code(), Some(2), "no paths");
    assert_eq!(
        run(&["check", "--format", "xml", "examples"]).status.code(),
        Some(2)
    );
    assert_eq!(run(&["frobnicate"]).status.code(), Some(2));
    let o = run(&["check", "does/not/exist.yaml"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("no such file"));
    let o = run(&["check", "--kubernetes-version", "1.2", "examples"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("unsupported --kubernetes-version"));
}

#[test]
fn non_utf8_files_are_reported_and_the_rest_still_checked() {
    let dir = temp_dir("nonutf8");
    std::fs::write(dir.join("bad.yaml"), [0xff, 0xfe, b'a', b':', b' ', b'1']).expect("write");
    std::fs::write(
        dir.join("good.yaml"),
        "primary_container_name: primary\npod_spec:\n  containers: []\n",
    )
    .expect("write");
    let o = bin()
        .args(["check", "--format", "json"])
        .arg(&dir)
        .output()
        .expect("run");
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("not UTF-8"));
    let v = json(&o);
    assert_eq!(v["files"].as_array().map(Vec::len), Some(1));
}

#[test]
fn kubernetes_version_flag_selects_the_schema() {
    let dir = temp_dir("version");
    let file = dir.join("t.yaml");
    std::fs::write(&file, "primary_container_name: primary\npod_spec:\n  containers: []\n  schedulingGroup:\n    podGroupName: x\n").expect("write");
    let newest = bin().arg("check").arg(&file).output().expect("run");
    assert_eq!(newest.status.code(), Some(0), "{}", stdout(&newest));
    let old = bin()
        .args(["check", "--kubernetes-version", "1.35"])
        .arg(&file)
        .output()
        .expect("run");
    assert_eq!(old.status.code(), Some(1));
    assert!(
        stdout(&old).contains("needs Kubernetes 1.36 or newer"),
        "{}",
        stdout(&old)
    );
}

#[test]
fn version_and_help() {
    let o = run(&["--version"]);
    assert_eq!(o.status.code(), Some(0));
    assert!(stdout(&o).starts_with("flyte-lsp "));
    assert_eq!(run(&["--help"]).status.code(), Some(0));
}

/// Every `$ref` of a schema document, for checking that it resolves inside the document.
fn refs(v: &Value, out: &mut Vec<String>) {
    match v {
        Value::Object(m) => {
            for (k, x) in m {
                match (k.as_str(), x.as_str()) {
                    ("$ref", Some(r)) => out.push(r.to_string()),
                    _ => refs(x, out),
                }
            }
        }
        Value::Array(a) => a.iter().for_each(|x| refs(x, out)),
        _ => {}
    }
}

#[test]
fn schema_prints_a_self_contained_strict_json_schema() {
    let o = run(&[
        "schema",
        "--kind",
        "pod-spec",
        "--kubernetes-version",
        "1.36",
    ]);
    assert_eq!(o.status.code(), Some(0));
    let v = json(&o);
    assert_eq!(v["$ref"], "#/$defs/io.k8s.api.core.v1.PodSpec");
    let container = &v["$defs"]["io.k8s.api.core.v1.Container"];
    assert_eq!(container["additionalProperties"], Value::Bool(false));
    let policy = &container["properties"]["imagePullPolicy"];
    assert_eq!(
        policy["enum"],
        serde_json::json!(["Always", "IfNotPresent", "Never", null])
    );
    assert_eq!(
        v["$defs"]["io.k8s.apimachinery.pkg.util.intstr.IntOrString"]["type"],
        serde_json::json!(["integer", "string", "null"])
    );
    // Only what the root reaches, and every reference resolves.
    assert!(v["$defs"].get("flyte.TaskEnvironment").is_none());
    let mut all = Vec::new();
    refs(&v, &mut all);
    for r in all {
        let name = r.strip_prefix("#/$defs/").expect("a local reference");
        assert!(v["$defs"][name].is_object(), "{r} resolves");
    }
    assert_eq!(run(&["schema", "--kind", "nope"]).status.code(), Some(2));
}

#[test]
fn schema_loose_prints_the_embedded_schemas_unchanged() {
    // What `flyte-lsp schema` printed before the strict default, byte for byte: the embedded
    // set with the root as `$ref` (the latency bench gives it to yaml-language-server).
    let o = run(&["schema", "--kind", "pod-template", "--loose"]);
    assert_eq!(o.status.code(), Some(0));
    let set = flyte_lsp::schema::schemas().newest();
    let mut expected = set.document().clone();
    expected.as_object_mut().expect("object").insert(
        "$ref".into(),
        Value::String("#/$defs/flyte.PodTemplate".into()),
    );
    let text = serde_json::to_string_pretty(&expected).expect("serializes");
    assert_eq!(stdout(&o), format!("{text}\n"));
    let v = json(&o);
    assert!(v["$defs"]["io.k8s.api.core.v1.Container"]
        .get("additionalProperties")
        .is_none());
    assert!(v["$defs"]["flyte.TaskEnvironment"].is_object());
}

#[test]
fn every_example_file_is_checked_once() {
    let (files, problems) = flyte_lsp::cli::collect_files(&[root().join("examples")]);
    assert!(problems.is_empty(), "{problems:?}");
    assert!(files
        .iter()
        .all(|f| f.extension().is_some_and(|e| e == "yaml" || e == "yml")));
    assert!(files
        .iter()
        .any(|f| f.ends_with(Path::new("mistakes/typos.yaml"))));
}
