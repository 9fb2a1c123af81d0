//! Python documents over LSP through the real binary (opened with `languageId: python`): the
//! "Preview pod" lenses and `flyte-lsp.renderPreview` (equal to `flyte-lsp render` for the same
//! environment or task), navigation and rename of container, volume and PodTemplate names
//! (within a file, through a module constant, and across a `.py` and a `.yaml` file), quick
//! fixes and `source.fixAll`, and no formatting or semantic tokens.

mod common;

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use common::{push_client, Client, TempDir};
use serde_json::{json, Value};

fn uri(path: &Path) -> String {
    format!("file://{}", path.display())
}

/// A session whose workspace folder is `root` (scanned on `initialized`).
fn start_in(root: &Path) -> Client {
    let mut client = Client::spawn();
    client.request(
        "initialize",
        json!({"processId": null, "rootUri": uri(root), "capabilities": push_client()}),
    );
    client.notify("initialized", json!({}));
    client
}

/// The LSP position of the `nth` occurrence of `needle` in `text`, plus `offset` characters
/// (ASCII texts: a byte is a UTF-16 unit).
fn pos(text: &str, needle: &str, nth: usize, offset: usize) -> Value {
    let at = text
        .match_indices(needle)
        .nth(nth)
        .unwrap_or_else(|| panic!("no {nth}th `{needle}`"))
        .0
        + offset;
    let line = text[..at].matches('\n').count();
    let character = at - text[..at].rfind('\n').map_or(0, |i| i + 1);
    json!({"line": line, "character": character})
}

/// The LSP range of the `nth` occurrence of `needle`.
fn span(text: &str, needle: &str, nth: usize) -> Value {
    json!({"start": pos(text, needle, nth, 0), "end": pos(text, needle, nth, needle.len())})
}

/// Runs `flyte-lsp render ARGS`; its stdout.
fn render(args: &[&str]) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_flyte-lsp"))
        .arg("render")
        .args(args)
        .output()
        .expect("run flyte-lsp");
    assert!(
        out.status.success(),
        "render {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("utf-8")
}

fn preview(client: &mut Client, argument: Value) -> String {
    let result = client.request(
        "workspace/executeCommand",
        json!({"command": "flyte-lsp.renderPreview", "arguments": [argument]}),
    );
    result
        .as_str()
        .map(str::to_string)
        .unwrap_or_else(|| panic!("preview is text: {result}"))
}

/// Asks for the definition at `position` until it answers (the workspace scan runs in the
/// background after `initialized`), bounded.
fn definition_when_indexed(client: &mut Client, uri: &str, position: Value) -> Value {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let def = client.request(
            "textDocument/definition",
            json!({"textDocument": {"uri": uri}, "position": position}),
        );
        let found = def
            .as_array()
            .is_some_and(|d| d.iter().any(|l| l["uri"] != uri));
        if found || Instant::now() >= deadline {
            return def;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

const CLUSTER: &str = "apiVersion: v1
kind: PodTemplate
metadata:
  name: gpu-nodes
template:
  spec:
    tolerations:
      - key: gpu
        operator: Exists
    containers:
      - name: default
        image: busybox
";

const TRAIN: &str = r#"import flyte
from kubernetes.client import V1Container, V1PodSpec

MAIN = "main"

env = flyte.TaskEnvironment(
    name="train",
    image="ghcr.io/acme/train:1",
    resources=flyte.Resources(cpu=2, memory="4Gi"),
    env_vars={"MODE": "prod"},
)
gpu = env.clone_with("train-gpu", resources=flyte.Resources(gpu="A100:1"))

small = flyte.PodTemplate(
    primary_container_name=MAIN,
    labels={"team": "ml"},
    pod_spec=V1PodSpec(containers=[V1Container(name=MAIN, image_pull_policy="Always")]),
)


@env.task(pod_template=small)
def fit(x: int) -> int:
    return x


@env.task
def plain(x: int) -> int:
    return x


@gpu.task(pod_template="gpu-nodes")
def big(x: int) -> int:
    return x
"#;

#[test]
fn lenses_name_environments_and_tasks_and_the_preview_is_what_render_prints() {
    let root = TempDir::new("py-preview");
    let py = root.write("train.py", TRAIN);
    root.write("cluster/gpu.yaml", CLUSTER);
    let py_uri = uri(&py);
    let mut client = start_in(root.path());
    client.did_open_as(&py_uri, "python", 1, TRAIN);
    client.wait_version(&py_uri, 1);

    let lenses = client.request(
        "textDocument/codeLens",
        json!({"textDocument": {"uri": py_uri}}),
    );
    let lenses = lenses.as_array().cloned().expect("lenses");
    let shown: Vec<(Value, Value)> = lenses
        .iter()
        .map(|l| {
            assert_eq!(l["command"]["title"], "Preview pod");
            assert_eq!(l["command"]["command"], "flyte-lsp.renderPreview");
            let mut arg = l["command"]["arguments"][0].clone();
            assert_eq!(arg["uri"], py_uri.as_str());
            arg.as_object_mut().map(|o| o.remove("uri"));
            (l["range"].clone(), arg)
        })
        .collect();
    // One per environment (as written and cloned) and per task with its own pod_template; the
    // bare task `plain` runs its environment's pod.
    assert_eq!(
        shown,
        [
            (
                span(TRAIN, "flyte.TaskEnvironment", 0),
                json!({"environment": "train"})
            ),
            (
                span(TRAIN, "env.clone_with", 0),
                json!({"environment": "train-gpu"})
            ),
            (span(TRAIN, "env.task", 0), json!({"task": "fit"})),
            (span(TRAIN, "gpu.task", 0), json!({"task": "big"})),
        ]
    );

    // Each lens's command gives what `render` prints for the same environment or task, in
    // both layers (the cluster layer merges the workspace's PodTemplate, from the same path).
    let file = py.to_str().expect("path");
    let ws = root.path().to_str().expect("path");
    for (_, arg) in &shown {
        let (flag, name) = match (arg.get("environment"), arg.get("task")) {
            (Some(e), _) => ("--environment", e.as_str().expect("name")),
            (_, Some(t)) => ("--task", t.as_str().expect("name")),
            _ => panic!("{arg}"),
        };
        for layer in ["sdk", "cluster"] {
            let mut argument = arg.clone();
            argument["uri"] = json!(py_uri);
            argument["layer"] = json!(layer);
            let shown = preview(&mut client, argument);
            let printed = render(&[file, flag, name, "--layer", layer, "--workspace", ws]);
            assert_eq!(shown, printed, "{flag} {name} --layer {layer}");
        }
    }
    let fit = preview(&mut client, json!({"uri": py_uri, "task": "fit"}));
    assert!(
        fit.contains("  - name: main\n    image: ghcr.io/acme/train:1\n"),
        "{fit}"
    );
    let big = preview(
        &mut client,
        json!({"uri": py_uri, "task": "big", "layer": "cluster"}),
    );
    assert!(big.contains("merged the PodTemplate `gpu-nodes`"), "{big}");

    // A task that changes nothing previews as its environment; a name the file does not have
    // says so (a preview refreshed after a rename shows that, not an error).
    assert_eq!(
        preview(&mut client, json!({"uri": py_uri, "task": "plain"})),
        preview(&mut client, json!({"uri": py_uri, "environment": "train"}))
    );
    let gone = preview(&mut client, json!({"uri": py_uri, "environment": "trian"}));
    assert!(
        gone.starts_with("# Nothing to preview: no task environment named `trian`"),
        "{gone}"
    );

    // Half-typed code below keeps the lenses and the preview of the finished code above it.
    let end = pos(TRAIN, "    return x\n", 2, "    return x\n".len());
    let typing = "\nlate = flyte.TaskEnvironment(name=\"late\", image=";
    client.did_change(&py_uri, 2, json!({"start": end, "end": end}), typing);
    client.wait_version(&py_uri, 2);
    let lenses = client.request(
        "textDocument/codeLens",
        json!({"textDocument": {"uri": py_uri}}),
    );
    let names: Vec<Value> = lenses
        .as_array()
        .into_iter()
        .flatten()
        .map(|l| l["command"]["arguments"][0].clone())
        .collect();
    for (_, arg) in &shown {
        assert!(
            names
                .iter()
                .any(|n| n.get("environment") == arg.get("environment")
                    && n.get("task") == arg.get("task")),
            "{arg} in {names:?}"
        );
    }
    let shown = preview(&mut client, json!({"uri": py_uri, "task": "fit"}));
    assert_eq!(shown, render(&[file, "--task", "fit"]));
    client.shutdown_and_exit();
}

#[test]
fn the_yaml_form_of_the_command_is_unchanged_and_conflicting_arguments_are_refused() {
    let (mut client, _) = Client::start(push_client(), None);
    let uri = "file:///work/flyte/env.yaml";
    client.did_open(
        uri,
        1,
        "name: a\nimage: x\nenv_vars: {A: b}\n---\nname: b\nimage: busybox:2\nenv_vars: {A: b}\n",
    );
    client.wait_version(uri, 1);
    let second = preview(&mut client, json!({"uri": uri, "document": 1}));
    assert!(second.contains("    image: busybox:2\n"), "{second}");
    let by_name = preview(&mut client, json!({"uri": uri, "environment": "b"}));
    assert_eq!(second, by_name);
    let lenses = client.request(
        "textDocument/codeLens",
        json!({"textDocument": {"uri": uri}}),
    );
    assert_eq!(
        lenses[1]["command"]["arguments"][0],
        json!({"uri": uri, "document": 1})
    );
    let err = client
        .try_request(
            "workspace/executeCommand",
            json!({"command": "flyte-lsp.renderPreview", "arguments": [{"uri": uri, "document": 1, "environment": "b"}]}),
        )
        .expect_err("document and environment together");
    assert_eq!(err["code"], -32602, "{err}");
    client.shutdown_and_exit();
}
