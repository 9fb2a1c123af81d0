//! Python documents over LSP through the real binary (opened with `languageId: python`): the
//! "Preview pod" lenses and `flyte-lsp.renderPreview` (equal to `flyte-lsp render` for the same
//! environment or task), navigation and rename of container, volume and PodTemplate names
//! (within a file, through a module constant, and across a `.py` and a `.yaml` file), quick
//! fixes and `source.fixAll`, and no formatting or semantic tokens.

mod common;

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use common::{codes, push_client, Client, TempDir};
use serde_json::{json, Value};

fn uri(path: &Path) -> String {
    format!("file://{}", path.display())
}

/// A session whose workspace folder is `root` (scanned on `initialized`).
fn start_in(root: &Path) -> Client {
    start_in_with(root, push_client())
}

/// [`start_in`] for a client with these capabilities.
fn start_in_with(root: &Path, capabilities: Value) -> Client {
    let mut client = Client::spawn();
    client.request(
        "initialize",
        json!({"processId": null, "rootUri": uri(root), "capabilities": capabilities}),
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

const NAV: &str = r#"import flyte
from kubernetes.client import V1Container, V1EmptyDirVolumeSource, V1PodSpec, V1Volume, V1VolumeMount

MAIN = "main"

env = flyte.TaskEnvironment(
    name="train",
    pod_template=flyte.PodTemplate(
        primary_container_name=MAIN,
        pod_spec=V1PodSpec(
            containers=[
                V1Container(name=MAIN, volume_mounts=[V1VolumeMount(name="data", mount_path="/data")]),
                V1Container(name='side', image="busybox", volume_mounts=[V1VolumeMount(name="data", mount_path="/d")]),
            ],
            volumes=[V1Volume(name="data", empty_dir=V1EmptyDirVolumeSource())],
        ),
    ),
)
sidecars = flyte.PodTemplate(
    primary_container_name="app",
    pod_spec=V1PodSpec(containers=[V1Container(name="app"), V1Container(name="log")]),
)
remote = flyte.TaskEnvironment(name="remote", pod_template="gpu-nodes")


@remote.task(pod_template='gpu-nodes')
def fit(x: int) -> int:
    return x
"#;

/// flytekit names a cluster PodTemplate with `pod_template_name=` (on disk only).
const LEGACY: &str = r#"from flytekit import task


@task(pod_template_name="gpu-nodes")
def old(x: int) -> int:
    return x
"#;

/// A shared module whose container another module's pod spec uses.
const PODS: &str = r#"from kubernetes.client import V1Container

WORKER = V1Container(name="worker", image="busybox")
"#;

const USES: &str = r#"import flyte
from kubernetes.client import V1PodSpec
from pods import WORKER

env = flyte.TaskEnvironment(
    name="shared",
    pod_template=flyte.PodTemplate(primary_container_name="worker", pod_spec=V1PodSpec(containers=[WORKER])),
)
"#;

fn at(uri: &str, position: Value) -> Value {
    json!({"textDocument": {"uri": uri}, "position": position})
}

/// The (uri, range) of each location.
fn locations(answer: &Value) -> Vec<(String, Value)> {
    answer
        .as_array()
        .into_iter()
        .flatten()
        .map(|l| {
            (
                l["uri"].as_str().unwrap_or("").to_string(),
                l["range"].clone(),
            )
        })
        .collect()
}

/// The (range, newText) of each edit a rename makes in `uri`, sorted by position.
fn edits(edit: &Value, uri: &str) -> Vec<(Value, String)> {
    let mut out: Vec<(Value, String)> = edit["changes"][uri]
        .as_array()
        .into_iter()
        .flatten()
        .map(|e| {
            (
                e["range"].clone(),
                e["newText"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect();
    out.sort_by_key(|(r, _)| {
        (
            r["start"]["line"].as_u64().unwrap_or(0),
            r["start"]["character"].as_u64().unwrap_or(0),
        )
    });
    out
}

#[test]
fn containers_volumes_and_constants_navigate_and_rename_within_a_python_file() {
    let (mut client, _) = Client::start(push_client(), None);
    let u = "file:///work/flyte/nav.py";
    client.did_open_as(u, "python", 1, NAV);
    client.wait_version(u, 1);
    let data =
        |nth| json!({"start": pos(NAV, "\"data\"", nth, 1), "end": pos(NAV, "\"data\"", nth, 5)});

    // A volume mount's name → its volume, between the quotes.
    let def = client.request("textDocument/definition", at(u, pos(NAV, "\"data\"", 0, 2)));
    assert_eq!(locations(&def), [(u.to_string(), data(2))], "{def}");
    let refs = client.request(
        "textDocument/references",
        json!({"textDocument": {"uri": u}, "position": pos(NAV, "\"data\"", 2, 1), "context": {"includeDeclaration": true}}),
    );
    assert_eq!(
        locations(&refs),
        [
            (u.to_string(), data(2)),
            (u.to_string(), data(0)),
            (u.to_string(), data(1))
        ],
        "{refs}"
    );
    let edit = client.request(
        "textDocument/rename",
        json!({"textDocument": {"uri": u}, "position": pos(NAV, "\"data\"", 1, 3), "newName": "scratch"}),
    );
    let scratch: Vec<(Value, String)> = (0..3).map(|i| (data(i), "scratch".to_string())).collect();
    assert_eq!(edits(&edit, u), scratch, "{edit}");

    // primary_container_name ↔ its container, both written as strings.
    let app =
        |nth| json!({"start": pos(NAV, "\"app\"", nth, 1), "end": pos(NAV, "\"app\"", nth, 4)});
    let def = client.request("textDocument/definition", at(u, pos(NAV, "\"app\"", 0, 2)));
    assert_eq!(locations(&def), [(u.to_string(), app(1))], "{def}");
    let refs = client.request(
        "textDocument/references",
        json!({"textDocument": {"uri": u}, "position": pos(NAV, "\"app\"", 1, 2), "context": {"includeDeclaration": false}}),
    );
    assert_eq!(locations(&refs), [(u.to_string(), app(0))], "{refs}");
    let edit = client.request(
        "textDocument/rename",
        json!({"textDocument": {"uri": u}, "position": pos(NAV, "\"app\"", 1, 2), "newName": "web"}),
    );
    assert_eq!(
        edits(&edit, u),
        [(app(0), "web".to_string()), (app(1), "web".to_string())],
        "{edit}"
    );

    // A single-quoted name is rewritten between its quotes, so they stay.
    let edit = client.request(
        "textDocument/rename",
        json!({"textDocument": {"uri": u}, "position": pos(NAV, "'side'", 0, 1), "newName": "sidecar"}),
    );
    assert_eq!(
        edits(&edit, u),
        [(span(NAV, "side", 0), "sidecar".to_string())]
    );

    // The constant's string: its definition and references are shown where it is used (next
    // to `name=` and `primary_container_name=`), and a rename rewrites the string once.
    let on_constant = pos(NAV, "\"main\"", 0, 3);
    let uses = |nth: usize| {
        let needle = ["name=MAIN, volume", "primary_container_name=MAIN"][nth];
        let from = needle.find("MAIN").expect("MAIN");
        json!({"start": pos(NAV, needle, 0, from), "end": pos(NAV, needle, 0, from + 4)})
    };
    let def = client.request("textDocument/definition", at(u, on_constant.clone()));
    assert_eq!(locations(&def), [(u.to_string(), uses(0))], "{def}");
    let refs = client.request(
        "textDocument/references",
        json!({"textDocument": {"uri": u}, "position": on_constant, "context": {"includeDeclaration": false}}),
    );
    assert_eq!(locations(&refs), [(u.to_string(), uses(1))], "{refs}");
    let prep = client.request("textDocument/prepareRename", at(u, on_constant.clone()));
    assert_eq!(
        prep,
        json!({"range": span(NAV, "main", 0), "placeholder": "main"})
    );
    let edit = client.request(
        "textDocument/rename",
        json!({"textDocument": {"uri": u}, "position": on_constant, "newName": "trainer"}),
    );
    assert_eq!(
        edits(&edit, u),
        [(span(NAV, "main", 0), "trainer".to_string())],
        "one edit, in the constant: {edit}"
    );
    // An invalid Kubernetes name is refused with the reason.
    let err = client
        .try_request(
            "textDocument/rename",
            json!({"textDocument": {"uri": u}, "position": pos(NAV, "\"main\"", 0, 3), "newName": "Main_1"}),
        )
        .expect_err("not a DNS label");
    assert_eq!(err["code"], -32602, "{err}");

    // The identifier is the type checker's to navigate and rename.
    let none = client.request(
        "textDocument/definition",
        at(u, pos(NAV, "primary_container_name=MAIN", 0, 24)),
    );
    assert!(none.is_null(), "{none}");
    let none = client.request(
        "textDocument/prepareRename",
        at(u, pos(NAV, "primary_container_name=MAIN", 0, 24)),
    );
    assert!(none.is_null(), "{none}");

    // Half-typed code below: the finished pod above still navigates.
    let end = pos(NAV, "    return x\n", 0, "    return x\n".len());
    client.did_change(
        u,
        2,
        json!({"start": end, "end": end}),
        "\nlate = flyte.TaskEnvironment(name=\"late\", pod_template=flyte.PodTemplate(primary_container_name=\"x\", pod_spec=V1PodSpec(containers=[V1Container(name=\"x\"",
    );
    client.wait_version(u, 2);
    let def = client.request("textDocument/definition", at(u, pos(NAV, "\"data\"", 1, 2)));
    assert_eq!(locations(&def), [(u.to_string(), data(2))], "{def}");
    client.shutdown_and_exit();
}

#[test]
fn pod_template_names_navigate_and_rename_across_python_and_yaml_files() {
    let root = TempDir::new("py-nav");
    let yaml = root.write("cluster/gpu.yaml", CLUSTER);
    let nav = root.write("flows/nav.py", NAV);
    let legacy = root.write("flows/legacy.py", LEGACY);
    root.write("flows/pods.py", PODS);
    let uses_path = root.write("flows/uses.py", USES);
    // Files the index must not read: a virtual environment's.
    root.write(
        "venv/lib/python3.12/site-packages/x.py",
        LEGACY.replace("old", "vendored"),
    );
    root.write("venv/pyvenv.cfg", "home = /usr\n");
    let (yaml_uri, nav_uri, legacy_uri) = (uri(&yaml), uri(&nav), uri(&legacy));
    let mut client = start_in(root.path());
    client.did_open_as(&nav_uri, "python", 1, NAV);
    client.wait_version(&nav_uri, 1);

    // The environment's string names the YAML file's template.
    let name_in_yaml =
        json!({"start": {"line": 3, "character": 8}, "end": {"line": 3, "character": 17}});
    let def = definition_when_indexed(&mut client, &nav_uri, pos(NAV, "\"gpu-nodes\"", 0, 4));
    assert_eq!(
        locations(&def),
        [(yaml_uri.clone(), name_in_yaml.clone())],
        "{def}"
    );

    // From the template: every file that names it, the Python ones between their quotes.
    client.did_open(&yaml_uri, 1, CLUSTER);
    client.wait_version(&yaml_uri, 1);
    let refs = client.request(
        "textDocument/references",
        json!({"textDocument": {"uri": yaml_uri}, "position": {"line": 3, "character": 10}, "context": {"includeDeclaration": false}}),
    );
    let mut found = locations(&refs);
    found.sort_by_key(|(u, r)| (u.clone(), r.to_string()));
    let legacy_name = span(LEGACY, "gpu-nodes", 0);
    let mut expected = vec![
        (legacy_uri.clone(), legacy_name.clone()),
        (nav_uri.clone(), span(NAV, "gpu-nodes", 0)),
        (nav_uri.clone(), span(NAV, "gpu-nodes", 1)),
    ];
    expected.sort_by_key(|(u, r)| (u.clone(), r.to_string()));
    assert_eq!(found, expected, "{refs}");

    // A rename from the Python side reaches the template, the task that names it in the same
    // file, and flytekit's `pod_template_name=` in a file that is not open.
    let edit = client.request(
        "textDocument/rename",
        json!({"textDocument": {"uri": nav_uri}, "position": pos(NAV, "\"gpu-nodes\"", 0, 2), "newName": "gpu-large"}),
    );
    let large = |r: Value| (r, "gpu-large".to_string());
    assert_eq!(
        edits(&edit, &nav_uri),
        [
            large(span(NAV, "gpu-nodes", 0)),
            large(span(NAV, "gpu-nodes", 1))
        ],
        "{edit}"
    );
    assert_eq!(edits(&edit, &yaml_uri), [large(name_in_yaml)], "{edit}");
    assert_eq!(edits(&edit, &legacy_uri), [large(legacy_name)], "{edit}");
    let files = edit["changes"].as_object().map_or(0, |c| c.len());
    assert_eq!(files, 3, "nothing from the virtual environment: {edit}");

    // An edit of the open Python file reaches the index: the environment no longer names it.
    let env_name = span(NAV, "gpu-nodes", 0);
    client.did_change(&nav_uri, 2, env_name.clone(), "gpu-small");
    client.wait_version(&nav_uri, 2);
    let deadline = Instant::now() + Duration::from_secs(10);
    let left = loop {
        let refs = client.request(
            "textDocument/references",
            json!({"textDocument": {"uri": yaml_uri}, "position": {"line": 3, "character": 10}, "context": {"includeDeclaration": false}}),
        );
        let left = locations(&refs);
        if left.len() == 2 || Instant::now() >= deadline {
            break left;
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    assert!(
        left.iter().all(|(u, r)| u != &nav_uri || r != &env_name) && left.len() == 2,
        "{left:?}"
    );

    // flytekit's name navigates to the template too.
    client.did_open_as(&legacy_uri, "python", 1, LEGACY);
    client.wait_version(&legacy_uri, 1);
    let def = client.request(
        "textDocument/definition",
        at(&legacy_uri, pos(LEGACY, "gpu-nodes", 0, 1)),
    );
    assert_eq!(locations(&def).len(), 1, "{def}");
    assert_eq!(locations(&def)[0].0, yaml_uri, "{def}");

    // A pod spec whose container comes from another module: its name is found there, and a
    // rename is refused (that module's own references are not known here).
    let uses_uri = uri(&uses_path);
    client.did_open_as(&uses_uri, "python", 1, USES);
    client.wait_version(&uses_uri, 1);
    let def = client.request(
        "textDocument/definition",
        at(&uses_uri, pos(USES, "\"worker\"", 0, 2)),
    );
    assert_eq!(
        locations(&def),
        [(uri(&root.join("flows/pods.py")), span(PODS, "worker", 0))],
        "{def}"
    );
    let err = client
        .try_request(
            "textDocument/rename",
            json!({"textDocument": {"uri": uses_uri}, "position": pos(USES, "\"worker\"", 0, 2), "newName": "trainer"}),
        )
        .expect_err("defined in another file");
    assert!(
        err["message"].as_str().unwrap_or("").contains("pods.py"),
        "{err}"
    );
    client.shutdown_and_exit();
}

const FIXABLE: &str = r#"import flyte
from kubernetes.client import V1Container, V1PodSpec

env = flyte.TaskEnvironment(
    name="train",
    pod_template=flyte.PodTemplate(
        labels={"team name": "ml"},
        pod_spec=V1PodSpec(
            restart_policy="never",
            containers=[V1Container(name="primary", image_pull_policy='always')],
        ),
    ),
)
"#;

const FIXABLE_YAML: &str = "name: train
pod_template:
  labels:
    enabled: yes
  pod_spec:
    imagePullSecret: []
    containers:
      - name: primary
        imagePullPolicy: always
";

/// The byte offset of an LSP position in an ASCII `text`.
fn offset(text: &str, position: &Value) -> usize {
    let line = position["line"].as_u64().expect("line") as usize;
    let character = position["character"].as_u64().expect("character") as usize;
    let start: usize = text.split_inclusive('\n').take(line).map(str::len).sum();
    start + character
}

/// `text` with one action's edits applied, as an editor applies them.
fn apply(text: &str, action: &Value, uri: &str) -> String {
    let mut edits: Vec<(usize, usize, String)> = action["edit"]["changes"][uri]
        .as_array()
        .into_iter()
        .flatten()
        .map(|e| {
            (
                offset(text, &e["range"]["start"]),
                offset(text, &e["range"]["end"]),
                e["newText"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect();
    edits.sort_by_key(|(start, ..)| std::cmp::Reverse(*start));
    let mut out = text.to_string();
    for (start, end, new) in edits {
        out.replace_range(start..end, &new);
    }
    out
}

/// What `flyte-lsp check --fix` makes of `text` as the file `name`.
fn check_fix(name: &str, text: &str) -> String {
    let dir = TempDir::new("py-fix");
    let path = dir.write(name, text);
    Command::new(env!("CARGO_BIN_EXE_flyte-lsp"))
        .args(["check", "--fix"])
        .arg(&path)
        .output()
        .expect("run flyte-lsp");
    std::fs::read_to_string(&path).expect("read back")
}

fn code_actions(client: &mut Client, uri: &str, range: Value, only: Option<&[&str]>) -> Vec<Value> {
    let mut context = json!({"diagnostics": []});
    if let Some(only) = only {
        context["only"] = json!(only);
    }
    client
        .request(
            "textDocument/codeAction",
            json!({"textDocument": {"uri": uri}, "range": range, "context": context}),
        )
        .as_array()
        .cloned()
        .unwrap_or_default()
}

#[test]
fn python_quick_fixes_are_quickfixes_and_fix_all_applies_what_check_fix_applies() {
    let (mut client, init) = Client::start(push_client(), None);
    let kinds = &init["capabilities"]["codeActionProvider"]["codeActionKinds"];
    assert_eq!(
        kinds,
        &json!(["quickfix", "refactor", "source.fixAll.flyte-lsp"]),
        "{init}"
    );
    let u = "file:///work/flyte/fix.py";
    client.did_open_as(u, "python", 1, FIXABLE);
    client.wait_version(u, 1);

    // The quick fix of one diagnostic, in Python, keeping the user's quotes.
    let at = span(FIXABLE, "'always'", 0);
    let actions = code_actions(&mut client, u, at.clone(), Some(&["quickfix"]));
    assert_eq!(actions.len(), 1, "{actions:?}");
    let fix = &actions[0];
    assert_eq!(fix["kind"], "quickfix");
    assert_eq!(fix["title"], "Change to `Always`");
    assert_eq!(fix["isPreferred"], true);
    assert_eq!(fix["diagnostics"][0]["code"], "FLY105");
    assert_eq!(
        fix["edit"]["changes"][u],
        json!([{"range": at, "newText": "'Always'"}])
    );
    // Without `only` (a light bulb): quick fixes, no source action.
    let all = code_actions(&mut client, u, at.clone(), None);
    assert!(
        all.iter().all(|a| a["kind"] != "source.fixAll.flyte-lsp"),
        "{all:?}"
    );

    // `source.fixAll` (what an editor runs on save) and its own kind: one action with every
    // safe fix of the file, whatever the range; the result is `check --fix`'s.
    let fixed = check_fix("fix.py", FIXABLE);
    assert_ne!(fixed, FIXABLE);
    let start = json!({"start": {"line": 0, "character": 0}, "end": {"line": 0, "character": 0}});
    for only in [["source.fixAll"], ["source.fixAll.flyte-lsp"], ["source"]] {
        let actions = code_actions(&mut client, u, start.clone(), Some(&only));
        assert_eq!(actions.len(), 1, "{only:?}: {actions:?}");
        assert_eq!(actions[0]["kind"], "source.fixAll.flyte-lsp");
        assert!(actions[0]["diagnostics"].is_null());
        assert_eq!(apply(FIXABLE, &actions[0], u), fixed, "{only:?}");
    }
    // The unsafe finding (an invalid label key has no one right repair) is left.
    assert!(fixed.contains("\"team name\""), "{fixed}");

    // Once applied, there is nothing left to fix: no action.
    client.did_change(
        u,
        2,
        json!({"start": {"line": 0, "character": 0}, "end": {"line": 13, "character": 0}}),
        &fixed,
    );
    client.wait_version(u, 2);
    let none = code_actions(&mut client, u, start.clone(), Some(&["source.fixAll"]));
    assert!(none.is_empty(), "{none:?}");

    // YAML has the same action, with YAML's fixes.
    let y = "file:///work/flyte/fix.yaml";
    client.did_open(y, 1, FIXABLE_YAML);
    client.wait_version(y, 1);
    let actions = code_actions(&mut client, y, start, Some(&["source.fixAll"]));
    assert_eq!(actions.len(), 1, "{actions:?}");
    let yaml_fixed = check_fix("fix.yaml", FIXABLE_YAML);
    assert_ne!(yaml_fixed, FIXABLE_YAML);
    assert_eq!(apply(FIXABLE_YAML, &actions[0], y), yaml_fixed);
    client.shutdown_and_exit();
}

#[test]
fn no_formatting_and_no_semantic_tokens_for_python() {
    let (mut client, init) = Client::start(push_client(), None);
    let caps = &init["capabilities"];
    for provider in [
        "documentFormattingProvider",
        "documentRangeFormattingProvider",
        "documentOnTypeFormattingProvider",
        "semanticTokensProvider",
    ] {
        assert!(caps.get(provider).is_none(), "{provider}: {caps}");
    }
    let u = "file:///work/flyte/fix.py";
    client.did_open_as(u, "python", 1, FIXABLE);
    client.wait_version(u, 1);
    let doc = json!({"uri": u});
    let whole = json!({"start": {"line": 0, "character": 0}, "end": {"line": 13, "character": 0}});
    let options = json!({"tabSize": 4, "insertSpaces": true});
    for (method, params) in [
        (
            "textDocument/formatting",
            json!({"textDocument": doc, "options": options}),
        ),
        (
            "textDocument/rangeFormatting",
            json!({"textDocument": doc, "range": whole, "options": options}),
        ),
        (
            "textDocument/semanticTokens/full",
            json!({"textDocument": doc}),
        ),
        (
            "textDocument/semanticTokens/range",
            json!({"textDocument": doc, "range": whole}),
        ),
    ] {
        let answer = client.request(method, params);
        assert!(answer.is_null(), "{method}: {answer}");
    }
    client.shutdown_and_exit();
}

/// An edit of an open Python file reaches the workspace index (after its own diagnostics are
/// published, off the keystroke's path): the template it now defines, which its copy on disk
/// does not, is where another file's name for it leads.
#[test]
fn an_edited_python_file_redefines_its_templates_in_the_index() {
    const DEFS: &str =
        "from kubernetes.client import V1ObjectMeta, V1PodSpec, V1PodTemplate, V1PodTemplateSpec\n\
                        GPU = V1PodTemplate(metadata=V1ObjectMeta(name=\"gpu-a\"), \
                        template=V1PodTemplateSpec(spec=V1PodSpec(containers=[])))\n";
    const USES: &str =
        "import flyte\nenv = flyte.TaskEnvironment(name=\"u\", pod_template=\"gpu-b\")\n";
    let root = TempDir::new("py-reindex");
    let defs = uri(&root.write("flows/defs.py", DEFS));
    let uses = uri(&root.write("flows/uses.py", USES));
    let mut client = start_in(root.path());
    client.did_open_as(&defs, "python", 1, DEFS);
    client.did_open_as(&uses, "python", 1, USES);
    client.wait_version(&uses, 1);
    let name = span(DEFS, "gpu-a", 0);
    client.did_change(&defs, 2, name.clone(), "gpu-b");
    client.wait_version(&defs, 2);
    let def = definition_when_indexed(&mut client, &uses, pos(USES, "gpu-b", 0, 1));
    assert_eq!(locations(&def), [(defs.clone(), name)], "{def}");
    client.allow_unread("textDocument/publishDiagnostics");
    client.shutdown_and_exit();
}

/// Capabilities of a client that pulls diagnostics (`textDocument/diagnostic`).
fn pull_client() -> Value {
    json!({"textDocument": {"diagnostic": {}, "publishDiagnostics": {}}})
}

/// The codes of the diagnostics pulled for `uri`.
fn pulled_codes(client: &mut Client, uri: &str) -> Vec<String> {
    let report = client.request(
        "textDocument/diagnostic",
        json!({"textDocument": {"uri": uri}}),
    );
    codes(&report["items"])
}

/// Pulls `uri`'s diagnostics until FLY318 is among them (`present`) or is not, for 10 s at
/// most; fails with `why` then.
fn pull_until_fly318(client: &mut Client, uri: &str, present: bool, why: &str) {
    let deadline = Instant::now() + Duration::from_secs(10);
    while pulled_codes(client, uri).contains(&"FLY318".to_string()) != present {
        assert!(Instant::now() < deadline, "{why}");
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// A client that pulls diagnostics gets no publish task, yet its edits reach the index too: a
/// template renamed in an open YAML file, and not on disk, is one a Python file may name
/// (FLY318 goes away).
#[test]
fn a_pull_clients_edits_reach_the_index() {
    const USES: &str =
        "import flyte\nenv = flyte.TaskEnvironment(name=\"u\", pod_template=\"gpu-b\")\n";
    let cluster = CLUSTER.replace("gpu-nodes", "gpu-a");
    let root = TempDir::new("pull-reindex");
    let yaml = uri(&root.write("cluster/gpu.yaml", &cluster));
    let uses = uri(&root.write("flows/uses.py", USES));
    let mut client = start_in_with(root.path(), pull_client());
    client.did_open_as(&uses, "python", 1, USES);
    // Once the scan has indexed `gpu-a`, the name `gpu-b` is unknown.
    pull_until_fly318(
        &mut client,
        &uses,
        true,
        "no FLY318 for an unknown template",
    );
    client.did_open(&yaml, 1, &cluster);
    client.did_change(&yaml, 2, span(&cluster, "gpu-a", 0), "gpu-b");
    pull_until_fly318(
        &mut client,
        &uses,
        false,
        "the edited template never reached the index",
    );
    client.assert_no_diagnostics(&yaml, Duration::from_millis(200));
    client.shutdown_and_exit();
}

/// A pull analysis indexes a YAML file before it reads the index, as a publish does: an
/// unsaved file that defines a template and names it in another document gets no FLY318.
#[test]
fn a_pull_analysis_sees_the_templates_its_own_file_defines() {
    const UNKNOWN: &str = "name: train\npod_template: not-defined-anywhere\n";
    const BOTH: &str = "apiVersion: v1\nkind: PodTemplate\nmetadata:\n  name: gpu-template\ntemplate:\n  spec:\n    containers: []\n---\nname: train\npod_template: gpu-template\n";
    let root = TempDir::new("pull-own");
    root.write("cluster/empty.yaml", "");
    let unknown = uri(&root.path().join("flows/unknown.yaml"));
    let both = uri(&root.path().join("flows/both.yaml"));
    let mut client = start_in_with(root.path(), pull_client());
    // FLY318 only fires once the workspace scan is complete.
    client.did_open(&unknown, 1, UNKNOWN);
    pull_until_fly318(
        &mut client,
        &unknown,
        true,
        "no FLY318 for an unknown template",
    );
    client.did_open(&both, 1, BOTH);
    let codes = pulled_codes(&mut client, &both);
    assert!(!codes.contains(&"FLY318".to_string()), "{codes:?}");
    client.shutdown_and_exit();
}
