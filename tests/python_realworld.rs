//! The false positives the real-world Python sweep found (docs/realworld.md, "Python"), each as
//! a minimal case of our own under `tests/fixtures/python/realworld/`, with the true finding
//! beside it that the fix must keep.
//!
//! Run through the CLI (`check --format json`), as the sweep does: every test asserts the
//! exact (1-based line, code) list of errors and warnings of one fixture.

use std::path::PathBuf;
use std::process::Command;

use serde_json::Value;

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/python/realworld")
        .join(name)
}

/// The errors and warnings of one file: (1-based line, code), in order.
fn findings(name: &str) -> Vec<(u64, String)> {
    let out = Command::new(env!("CARGO_BIN_EXE_flyte-lsp"))
        .args(["check", "--format", "json"])
        .arg(fixture(name))
        .output()
        .expect("run flyte-lsp");
    let json: Value = serde_json::from_slice(&out.stdout).expect("json");
    let mut found = Vec::new();
    for f in json["files"].as_array().cloned().unwrap_or_default() {
        for d in f["diagnostics"].as_array().cloned().unwrap_or_default() {
            if !matches!(d["severity"].as_str(), Some("error" | "warning")) {
                continue;
            }
            found.push((
                d["range"]["start"]["line"].as_u64().unwrap_or(0) + 1,
                d["code"].as_str().unwrap_or("").to_string(),
            ));
        }
    }
    found.sort();
    found
}

fn expect(name: &str, want: &[(u64, &str)]) {
    let want: Vec<(u64, String)> = want.iter().map(|(l, c)| (*l, c.to_string())).collect();
    assert_eq!(findings(name), want, "{name}");
}

/// flyteorg/flytekit `tests/flytekit/unit/core/test_pod_template_hash.py`: flytekit templates
/// whose containers are not named `primary` got FLY301 ("The SDK refuses this template").
/// flytekit's `_serialize_pod_spec` appends a placeholder primary instead; flyte 2 refuses.
/// The same file, `test_python_auto_container.py` and `plugins/flytekit-kf-pytorch/tests/
/// test_shared.py`: FLY206 on sidecars without an image, which flytekit gives the task's
/// default image (init containers it does not). `primary_container_name=None`
/// (`plugins/flytekit-k8s-pod/tests/test_pod.py`, refused) said `Invalid value: "None"`.
#[test]
fn a_flytekit_template_without_its_primary_is_not_refused() {
    expect(
        "flytekit_placeholder_primary.py",
        &[(12, "FLY301"), (21, "FLY206"), (25, "FLY302")],
    );
}

/// flyteorg/flytesnacks `examples/k8s_pod_plugin/k8s_pod_plugin/pod.py` (and its copies in
/// unionai/unionai-examples `v1/`): the pod spec of `@task(task_config=Pod(...))` was checked
/// as a Kubernetes PodTemplate (FLY245 on `containers=[]`, FLY206 on the primary), and its
/// two-container pod got FLY314 though a `sidecar` task ends with its primary. A sidecar
/// without an image is still an error.
#[test]
fn a_flytekit_pod_task_config_is_a_flyte_template_of_a_sidecar_task() {
    expect("flytekit_pod_task_config.py", &[(25, "FLY206")]);
}

/// flyteorg/flytekit `tests/flytekit/unit/core/test_resources.py`, `plugins/flytekit-papermill`
/// (a helper returning the spec), flyteorg/flyte-sdk `plugins/hydra/.../_run.py`
/// (`merged.pod_spec = V1PodSpec(containers=[])`): pod specs that no recognised construct holds
/// got FLY206 on the container that would be the primary and FLY245 on an empty list. What does
/// not depend on the primary is still checked.
#[test]
fn a_free_pod_spec_in_a_flyte_file_leaves_the_primary_to_its_consumer() {
    expect("free_pod_spec.py", &[(21, "FLY204"), (22, "FLY105")]);
}

/// The same pod specs in a file that imports only the kubernetes client are a pod's.
#[test]
fn a_free_pod_spec_without_flyte_is_still_a_kubernetes_pod_spec() {
    expect("kubernetes_only.py", &[(4, "FLY245"), (5, "FLY206")]);
}

/// flyteorg/flyte-sdk `examples/genai/n8n/n8n_app.py`: a `flyte.PodTemplate` built by a helper
/// for an `AppEnvironment` got FLY314 ("the task finishes only when all of them exit"); an
/// app runs until stopped. unionai/unionai-examples `v1/tutorials/nvidia_blueprints/
/// pdf_to_podcast/.../workflow.py`: the same on a flytekit template for a union
/// `ActorEnvironment`, whose pods outlive their tasks. The environment's template beside it
/// keeps the warning.
#[test]
fn a_flyte_template_no_environment_holds_gets_no_task_completion_warning() {
    expect("flyte_app_template.py", &[(26, "FLY314")]);
}

/// Not a false error but a miss, fixed with the sweep: flyteorg/flyte-sdk examples
/// (`examples/use_cache.py`, `deploy_patterns/dockerfile/dockerfile_env.py`, ...) import a
/// submodule under `if __name__ == "__main__":`, which made `flyte` opaque and hid every
/// environment of the file; flyte's own modules import `flyte._task_environment.TaskEnvironment`.
#[test]
fn a_conditional_submodule_import_keeps_the_package_name() {
    expect("submodule_import.py", &[(6, "FLY305"), (7, "FLY103")]);
}

/// flyteorg/flytekit `plugins/flytekit-spark/tests/test_spark_task.py`: FLY303 ("replaced by
/// the SDK") and FLY314 on the pod templates of `Spark(driver_pod=..., executor_pod=...)`,
/// which the SDK serializes as written (`K8sPod.from_pod_template`; flyte 2
/// `PodTemplate.to_k8s_pod`) and whose containers the Spark operator makes, keeping only the
/// primary's image and env (flyteplugins `spark.go` `createSparkPodSpec`); FLY206 on their
/// containers likewise. flyteorg/flyte-sdk `plugins/databricks/tests/test_databricks.py`:
/// FLY301 ("The SDK refuses") on a `Databricks(driver_pod=...)` template, which the SDK sends
/// as written and the Databricks connector runs no pod for; a Spark template without its
/// primary is refused by the backend (`flytek8s.GetContainer`), which is left unreported.
#[test]
fn a_spark_plugin_pod_template_is_sent_as_written() {
    expect("spark_plugin_pods.py", &[(28, "FLY303")]);
}

/// The lone pod spec above has no preview: which container the SDK fills in depends on the
/// primary's name, which only its consumer knows (before, the render guessed `primary` and
/// added a container of that name).
#[test]
fn a_pod_spec_whose_primary_is_unknown_is_not_rendered() {
    let out = Command::new(env!("CARGO_BIN_EXE_flyte-lsp"))
        .args(["render", "--document", "0"])
        .arg(fixture("free_pod_spec.py"))
        .output()
        .expect("run flyte-lsp");
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("known only at run time"), "{err}");
}

#[test]
fn a_reusable_environment_with_a_plugins_config_leaves_reuse_support_to_the_plugin() {
    // flyte-sdk `examples/plugins/ray_reusable_cluster.py`: Ray's plugin supports reuse.
    expect("reusable_plugin.py", &[(16, "FLY308")]);
}

#[test]
fn an_environment_named_positionally_is_named() {
    // flyte-sdk `examples/accelerators/*.py`: `flyte.TaskEnvironment("amd", ...)` and its tasks
    // got FLY104 "missing required field `name`" (once per task).
    expect("positional_name.py", &[(6, "FLY305")]);
}
