//! `flyte-lsp render` through the real binary: both formats, both layers, the workspace
//! template merge, and refusing (exit 1) what the SDK would refuse.

use std::path::PathBuf;
use std::process::{Command, Output};

use serde_json::Value;

mod common;
use common::TempDir;

fn run(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_flyte-lsp"))
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args(args)
        .output()
        .expect("run flyte-lsp")
}

fn text(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// A file in a fresh folder; the folder goes when the guard is dropped.
fn temp_file(name: &str, content: &str) -> (TempDir, PathBuf) {
    let dir = TempDir::new("render");
    let p = dir.write(name, content);
    (dir, p)
}

#[test]
fn json_is_a_pod_whose_spec_is_what_the_sdk_registers() {
    let o = run(&[
        "render",
        "--format",
        "json",
        "examples/clean/gpu-training-env.yaml",
    ]);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let pod: Value = serde_json::from_slice(&o.stdout).expect("json");
    assert_eq!(pod["apiVersion"], "v1");
    assert_eq!(pod["kind"], "Pod");
    let primary = &pod["spec"]["containers"][0];
    assert_eq!(primary["name"], "trainer");
    assert_eq!(primary["command"], serde_json::json!([]));
    assert_eq!(primary["args"][0], "a0");
    assert!(pod["metadata"]["labels"].is_object());
    // The SDK layer adds nothing of the cluster's.
    assert!(pod["spec"].get("enableServiceLinks").is_none());
}

#[test]
fn yaml_names_its_layer_and_the_cluster_layer_merges_the_named_template() {
    let sdk = run(&["render", "examples/clean/data-prep-env.yaml"]);
    assert_eq!(sdk.status.code(), Some(0));
    assert!(
        text(&sdk).starts_with("# Layer: registered by the SDK"),
        "{}",
        text(&sdk)
    );
    assert!(
        text(&sdk).contains("pod_template is the name of a cluster PodTemplate (`gpu-default`)")
    );

    let cluster = run(&[
        "render",
        "--layer",
        "cluster",
        "--workspace",
        "examples",
        "examples/clean/data-prep-env.yaml",
    ]);
    assert_eq!(cluster.status.code(), Some(0));
    let out = text(&cluster);
    assert!(
        out.contains("merged the PodTemplate `gpu-default`"),
        "{out}"
    );
    // From the template's `default`/`primary` containers and pod-level fields.
    assert!(
        out.contains("terminationMessagePolicy: FallbackToLogsOnError"),
        "{out}"
    );
    assert!(out.contains("  restartPolicy: Never\n"), "{out}");
    assert!(out.contains("  enableServiceLinks: false\n"), "{out}");
}

#[test]
fn cluster_template_flag_is_merged_under_the_pod() {
    let (_dir, cluster) = temp_file(
        "default-template.yaml",
        "apiVersion: v1\nkind: PodTemplate\nmetadata:\n  name: flyte-default\ntemplate:\n  metadata:\n    labels:\n      platform: flyte\n  spec:\n    tolerations:\n      - key: dedicated\n        operator: Exists\n    containers:\n      - name: default\n        image: unused\n        env:\n          - name: FROM_CLUSTER\n            value: \"yes\"\n",
    );
    let o = run(&[
        "render",
        "--layer",
        "cluster",
        "--format",
        "json",
        "--cluster-template",
        cluster.to_str().unwrap_or_default(),
        "examples/clean/pod-template.yaml",
    ]);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let pod: Value = serde_json::from_slice(&o.stdout).expect("json");
    assert_eq!(pod["metadata"]["labels"]["platform"], "flyte");
    assert_eq!(
        pod["spec"]["tolerations"][0]["key"], "dedicated",
        "template lists come first"
    );
    let env = pod["spec"]["containers"][0]["env"].as_array().expect("env");
    assert_eq!(env[0]["name"], "FROM_CLUSTER");
}

#[test]
fn what_the_sdk_refuses_exits_one_with_the_diagnostic() {
    let (_dir, f) = temp_file(
        "missing-primary.yaml",
        "name: train\nenv_vars: {A: \"1\"}\npod_template:\n  pod_spec:\n    containers:\n      - name: main\n        image: x\n",
    );
    let o = run(&["render", f.to_str().unwrap_or_default()]);
    assert_eq!(o.status.code(), Some(1));
    assert!(o.stdout.is_empty(), "no half-made pod");
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("error[FLY301]"), "{err}");
    assert!(
        err.contains("the Flyte SDK would refuse this document"),
        "{err}"
    );
}

#[test]
fn other_documents_and_bad_paths_exit_two() {
    assert_eq!(
        run(&["render", "examples/clean/cluster-pod-template.yaml"])
            .status
            .code(),
        Some(2)
    );
    assert_eq!(
        run(&["render", "--document", "7", "examples/clean/multi-env.yaml"])
            .status
            .code(),
        Some(2)
    );
    assert_eq!(run(&["render", "nope.yaml"]).status.code(), Some(2));
    let second = run(&["render", "--document", "1", "examples/clean/multi-env.yaml"]);
    assert_eq!(second.status.code(), Some(0));
}

#[test]
fn flyte_lsp_toml_is_read_from_the_folders_above() {
    let dir = TempDir::new("toml");
    let sub = dir.join("envs");
    std::fs::create_dir_all(&sub).expect("dir");
    std::fs::write(
        dir.join("flyte-lsp.toml"),
        "kubernetesVersion = \"1.35\"\n[rules]\nFLY101 = \"warning\"\n",
    )
    .expect("toml");
    let file = sub.join("t.yaml");
    std::fs::write(
        &file,
        "primary_container_name: primary\npod_spec:\n  containers: []\n  schedulingGroup:\n    podGroupName: x\n  colour: blue\n",
    )
    .expect("yaml");
    let o = Command::new(env!("CARGO_BIN_EXE_flyte-lsp"))
        .arg("check")
        .arg(&file)
        .output()
        .expect("run");
    let out = text(&o);
    assert!(out.contains("error[FLY107]"), "1.35 from the config: {out}");
    assert!(
        out.contains("warning[FLY101]"),
        "rule level from the config: {out}"
    );
    // The flag wins over the file.
    let o = Command::new(env!("CARGO_BIN_EXE_flyte-lsp"))
        .args(["check", "--kubernetes-version", "1.37"])
        .arg(&file)
        .output()
        .expect("run");
    assert!(!text(&o).contains("FLY107"), "{}", text(&o));
}

#[test]
fn check_fix_repairs_a_copy_of_the_examples() {
    let dir = TempDir::new("fix");
    for entry in
        std::fs::read_dir(PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("examples/mistakes"))
            .expect("examples")
    {
        let p = entry.expect("entry").path();
        if p.extension().is_some_and(|e| e == "yaml") {
            std::fs::copy(&p, dir.join(p.file_name().expect("name"))).expect("copy");
        }
    }
    let before = Command::new(env!("CARGO_BIN_EXE_flyte-lsp"))
        .args(["check", "--format", "json"])
        .arg(&dir)
        .output()
        .expect("run");
    let codes = |o: &Output| -> Vec<String> {
        let v: Value = serde_json::from_slice(&o.stdout).expect("json");
        v["files"]
            .as_array()
            .into_iter()
            .flatten()
            .flat_map(|f| f["diagnostics"].as_array().cloned().unwrap_or_default())
            .filter_map(|d| d["code"].as_str().map(str::to_string))
            .collect()
    };
    let fixable = ["FLY101", "FLY102", "FLY106"];
    assert!(
        codes(&before).iter().any(|c| fixable.contains(&c.as_str())),
        "{:?}",
        codes(&before)
    );
    let fixed = Command::new(env!("CARGO_BIN_EXE_flyte-lsp"))
        .args(["check", "--fix", "--format", "json"])
        .arg(&dir)
        .output()
        .expect("run");
    let err = String::from_utf8_lossy(&fixed.stderr);
    assert!(err.contains("flyte-lsp: fixed"), "{err}");
    // The report after --fix is the second run's, and the fixed rules are gone from it.
    let after = codes(&fixed);
    assert!(
        !after.iter().any(|c| fixable.contains(&c.as_str())),
        "{after:?}"
    );
    let typos = std::fs::read_to_string(dir.join("typos.yaml")).expect("read");
    assert!(
        typos.contains("imagePullSecrets:") && typos.contains("imagePullPolicy:"),
        "{typos}"
    );
    // Nothing but the fixed files in the folder: the temporary files were renamed away.
    let names: Vec<String> = std::fs::read_dir(&dir)
        .expect("dir")
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    assert!(names.iter().all(|n| !n.starts_with('.')), "{names:?}");
}

#[test]
fn cluster_layer_gives_gpu_and_disk_requests_their_limits() {
    // `ApplyResourceOverrides` (flyteplugins `container_helper.go`) adjusts the GPU resource and
    // `ephemeral-storage` like cpu and memory: a missing limit takes the request. The API server
    // requires the limit of an extended resource (FLY222 otherwise).
    let o = run(&[
        "render",
        "--layer",
        "cluster",
        "--format",
        "json",
        "examples/clean/gpu-training-env.yaml",
    ]);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let pod: Value = serde_json::from_slice(&o.stdout).expect("json");
    let res = &pod["spec"]["containers"][0]["resources"];
    for (name, value) in [
        ("nvidia.com/gpu", "2"),
        ("ephemeral-storage", "200Gi"),
        ("cpu", "16"),
        ("memory", "120Gi"),
    ] {
        assert_eq!(res["requests"][name], value, "{name}: {res}");
        assert_eq!(res["limits"][name], value, "{name}: {res}");
    }
    assert!(res["requests"].get("gpu").is_none(), "{res}");
}
