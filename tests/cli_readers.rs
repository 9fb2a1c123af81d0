//! Each document is read the way its reader reads it, through the CLI: one reading per
//! document (PyYAML for Flyte documents, go-yaml for Kubernetes objects), double-quoted
//! escapes per reader, and no knock-on findings after a syntax error (issue 12, defects 1–3).

use std::process::Command;

use serde_json::Value;

mod common;
use common::TempDir;

/// `check --format json` on one file: (exit code, [(line, code, message)]).
fn check(name: &str, text: &str) -> (i32, Vec<(u64, String, String)>) {
    let dir = TempDir::new(&format!("readers-{name}"));
    let path = dir.path().join(format!("{name}.yaml"));
    std::fs::write(&path, text).expect("write");
    let out = Command::new(env!("CARGO_BIN_EXE_flyte-lsp"))
        .args(["check", "--format", "json"])
        .arg(&path)
        .output()
        .expect("run flyte-lsp");
    let json: Value = serde_json::from_slice(&out.stdout).expect("json");
    let diags = json["files"][0]["diagnostics"]
        .as_array()
        .cloned()
        .unwrap_or_default()
        .iter()
        .map(|d| {
            (
                d["range"]["start"]["line"].as_u64().unwrap_or(0),
                d["code"].as_str().unwrap_or("").to_string(),
                d["message"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect();
    (out.status.code().unwrap_or(-1), diags)
}

fn codes(diags: &[(u64, String, String)]) -> Vec<&str> {
    diags.iter().map(|(_, c, _)| c.as_str()).collect()
}

#[test]
fn a_bare_y_is_a_string_to_pyyaml_and_a_boolean_to_go_yaml() {
    // Flyte document: PyYAML reads `y` as the string "y", which the SDK refuses as a boolean;
    // the message says so, and no rule treats it as `true` (no host-port finding).
    let flyte = "name: train\npod_template:\n  pod_spec:\n    hostNetwork: y\n    containers:\n      - name: primary\n        image: x\n        ports:\n          - containerPort: 8080\n";
    let (status, diags) = check("flyte-y", flyte);
    assert_eq!(status, 1, "{diags:?}");
    assert_eq!(codes(&diags), ["FLY103"], "{diags:?}");
    let (line, _, message) = &diags[0];
    assert_eq!(*line, 3);
    assert_eq!(
        message,
        "expected a boolean, found the string `y` (as PyYAML reads it)"
    );

    // Kubernetes object: go-yaml reads it as true, which is a valid hostNetwork.
    let pod = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  hostNetwork: y\n  containers:\n    - name: main\n      image: x\n";
    let (status, diags) = check("pod-y", pod);
    assert_eq!(status, 0, "{diags:?}");
}

#[test]
fn go_yaml_accepts_an_escaped_single_quote_and_refuses_an_escaped_slash() {
    let pod = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n  annotations:\n    note: \"it\\'s fine\"\nspec:\n  containers:\n    - name: main\n      image: x\n";
    let (status, diags) = check("pod-quote", pod);
    assert_eq!((status, diags.len()), (0, 0), "{diags:?}");

    let pod = pod.replace("it\\'s fine", "a\\/b");
    let (status, diags) = check("pod-slash", &pod);
    assert_eq!(status, 1);
    assert_eq!(codes(&diags), ["FLY001"], "{diags:?}");
    assert!(diags[0].2.contains("go-yaml"), "{diags:?}");
    assert_eq!(diags[0].0, 5);
}

#[test]
fn pyyaml_refuses_an_escaped_single_quote_and_accepts_an_escaped_slash() {
    let env = "name: train\nenv_vars:\n  NOTE: \"it\\'s\"\n";
    let (status, diags) = check("flyte-quote", env);
    assert_eq!(status, 1);
    assert_eq!(codes(&diags), ["FLY001"], "{diags:?}");
    assert!(diags[0].2.contains("PyYAML"), "{diags:?}");

    let env = "name: train\nenv_vars:\n  NOTE: \"a\\/b\"\n";
    let (status, diags) = check("flyte-slash", env);
    assert_eq!((status, diags.len()), (0, 0), "{diags:?}");
}

#[test]
fn an_unclosed_quote_is_the_one_message_about_what_it_cut_off() {
    // The unclosed quote in `command:` cuts off `image:` and `volumeMounts:` of `main`, and
    // the `volumes` after them: no "has no image", no "mount names no volume". `side` was read
    // completely: its missing image and its bad pull policy stay.
    let pod = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  containers:\n    - name: side\n      imagePullPolicy: Allways\n    - name: main\n      volumeMounts:\n        - name: data\n          mountPath: /data\n      command: \"python\n      image: python:3.12\n  volumes:\n    - name: data\n      emptyDir: {}\n";
    let (status, diags) = check("cut", pod);
    assert_eq!(status, 1);
    let mut found: Vec<(u64, &str)> = diags.iter().map(|(l, c, _)| (*l, c.as_str())).collect();
    found.sort();
    assert_eq!(
        found,
        [(6, "FLY206"), (7, "FLY105"), (12, "FLY001")],
        "{diags:?}"
    );
}
