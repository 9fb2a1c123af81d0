//! The `files.*` globs over LSP through the real binary: an excluded document gets no
//! diagnostics, completion or hover and leaves the workspace index; `files.kinds` gives open
//! documents and indexed files their kind; `workspace/didChangeConfiguration` re-selects the
//! open documents and re-indexes the workspace. Globs are relative to the workspace folder.

mod common;

use std::path::Path;
use std::time::Duration;

use common::{codes, push_client, Client, TempDir, QUIET};
use serde_json::{json, Value};

const WAIT: Duration = Duration::from_secs(10);

fn uri(path: &Path) -> String {
    format!("file://{}", path.display())
}

/// `initialize` with `root` as the workspace folder and `options` as initializationOptions.
fn start_in(root: &Path, options: Value) -> Client {
    let mut client = Client::spawn();
    client.request(
        "initialize",
        json!({
            "processId": null,
            "rootUri": uri(root),
            "workspaceFolders": [{"uri": uri(root), "name": "ws"}],
            "capabilities": push_client(),
            "initializationOptions": options,
        }),
    );
    client.notify("initialized", json!({}));
    client
}

fn configure(client: &mut Client, settings: Value) {
    client.notify(
        "workspace/didChangeConfiguration",
        json!({"settings": {"flyte-lsp": settings}}),
    );
}

fn pos(line: u32, character: u32) -> Value {
    json!({"line": line, "character": character})
}

/// A task environment with an unknown field (FLY101).
const ENV_WITH_TYPO: &str = "name: train\nenv_vars: {A: b}\nimagee: x\n";

/// By content nothing; forced to `task-environment`, a task environment missing its `name`.
const FORCED: &str = "image: ghcr.io/x/y:1\nresources:\n  cpu: \"2\"\n";

/// A Kubernetes PodTemplate, except that it does not say so (no `apiVersion`/`kind`).
const UNLABELLED_TEMPLATE: &str =
    "metadata:\n  name: gpu-x\ntemplate:\n  spec:\n    containers:\n      - name: primary\n        image: busybox\n";

const NAMES_GPU_X: &str = "name: train\nenv_vars: {A: b}\npod_template: gpu-x\n";

#[test]
fn an_excluded_document_is_silent_and_a_settings_change_brings_it_back() {
    let root = TempDir::new("lsp-files-exclude");
    let legacy = uri(&root.write("legacy/env.yaml", ENV_WITH_TYPO));
    let kept = uri(&root.write("envs/env.yaml", ENV_WITH_TYPO));
    let mut client = start_in(&root, json!({"files": {"exclude": ["legacy"]}}));
    client.did_open(&legacy, 1, ENV_WITH_TYPO);
    client.did_open(&kept, 1, ENV_WITH_TYPO);
    assert_eq!(
        codes(&client.wait_version(&kept, 1)["diagnostics"]),
        ["FLY101"]
    );
    let first = client.wait_version(&legacy, 1);
    assert_eq!(first["diagnostics"], json!([]), "{first}");

    // Completion and hover read the text; an excluded document gets neither.
    let at = json!({"textDocument": {"uri": legacy}, "position": pos(1, 3)});
    assert_eq!(
        client.request("textDocument/hover", at.clone()),
        Value::Null
    );
    assert_eq!(client.request("textDocument/completion", at), Value::Null);
    let at = json!({"textDocument": {"uri": kept}, "position": pos(1, 3)});
    assert!(client.request("textDocument/hover", at)["contents"].is_object());

    // Drop the exclude: the open document is analysed again, at the same version.
    configure(&mut client, json!({"files": {"exclude": []}}));
    let back = client.wait_diagnostics(&legacy, |p| !codes(&p["diagnostics"]).is_empty(), WAIT);
    assert_eq!(codes(&back["diagnostics"]), ["FLY101"]);
    assert_eq!(back["version"], 1);

    // `include` that leaves it out excludes it too; `exclude` wins over `include`.
    configure(
        &mut client,
        json!({"files": {"include": ["envs/**", "legacy/**"], "exclude": ["legacy/*.yaml"]}}),
    );
    let gone = client.wait_diagnostics(&legacy, |p| p["diagnostics"] == json!([]), WAIT);
    assert_eq!(gone["version"], 1);
    client.assert_no_diagnostics(&kept, QUIET);
    client.shutdown_and_exit();
}

#[test]
fn kinds_apply_to_open_documents_and_a_modeline_still_wins() {
    let root = TempDir::new("lsp-files-kinds");
    let forced = uri(&root.write("deploy/envs/a.yaml", FORCED));
    let own_mind = uri(&root.write("deploy/envs/b.yaml", FORCED));
    let mut client = start_in(
        &root,
        json!({"files": {"kinds": {"deploy/envs/*.yaml": "task-environment"}}}),
    );
    client.did_open(&forced, 1, FORCED);
    let published = client.wait_version(&forced, 1);
    assert_eq!(codes(&published["diagnostics"]), ["FLY104"], "{published}");
    let with_modeline = format!("# flyte-lsp: ignore\n{FORCED}");
    client.did_open(&own_mind, 1, &with_modeline);
    assert_eq!(client.wait_version(&own_mind, 1)["diagnostics"], json!([]));

    // Completion knows the forced kind: the task environment's keys, where by content the
    // document is nothing and gets nothing.
    client.did_change(
        &forced,
        2,
        json!({"start": pos(3, 0), "end": pos(3, 0)}),
        "en",
    );
    client.wait_version(&forced, 2);
    let items = client.request(
        "textDocument/completion",
        json!({"textDocument": {"uri": forced}, "position": pos(3, 2)}),
    );
    let labels: Vec<&str> = items["items"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|i| i["label"].as_str())
        .collect();
    assert!(labels.contains(&"env_vars"), "{labels:?}");

    // Without the glob the document is nothing: its diagnostics go.
    configure(&mut client, json!({}));
    let cleared = client.wait_diagnostics(&forced, |p| p["diagnostics"] == json!([]), WAIT);
    assert_eq!(cleared["version"], 2);
    let items = client.request(
        "textDocument/completion",
        json!({"textDocument": {"uri": forced}, "position": pos(3, 2)}),
    );
    assert!(items.is_null() || items["items"] == json!([]), "{items}");
    client.assert_no_diagnostics(&own_mind, QUIET);
    client.shutdown_and_exit();
}

#[test]
fn the_workspace_index_follows_the_globs() {
    let root = TempDir::new("lsp-files-index");
    root.write("cluster/gpu.yaml", UNLABELLED_TEMPLATE);
    let env = uri(&root.join("envs/train.yaml"));
    // Forced to `kubernetes`, the unlabelled file defines `gpu-x`.
    let kinds = json!({"cluster/*.yaml": "kubernetes"});
    let mut client = start_in(&root, json!({"files": {"kinds": kinds}}));
    client.did_open(&env, 1, NAMES_GPU_X);
    let published = client.wait_diagnostics(&env, |p| p["version"] == 1, WAIT);
    // The first publish may come before the scan; the one after it is clean.
    if !codes(&published["diagnostics"]).is_empty() {
        client.wait_diagnostics(&env, |p| p["diagnostics"] == json!([]), WAIT);
    }
    let def = client.request(
        "textDocument/definition",
        json!({"textDocument": {"uri": env}, "position": pos(2, 16)}),
    );
    assert_eq!(def[0]["uri"], uri(&root.join("cluster/gpu.yaml")), "{def}");

    // Excluding the folder drops the template from the index: the name is unknown (FLY318).
    configure(
        &mut client,
        json!({"files": {"kinds": kinds, "exclude": ["cluster"]}}),
    );
    let unknown = client.wait_diagnostics(
        &env,
        |p| codes(&p["diagnostics"]).contains(&"FLY318".to_string()),
        WAIT,
    );
    assert_eq!(unknown["version"], 1);

    // Back without the exclude, and without the kind: by content the file is nothing.
    configure(&mut client, json!({}));
    client.assert_no_diagnostics(&env, QUIET);
    configure(&mut client, json!({"files": {"kinds": kinds}}));
    client.wait_diagnostics(&env, |p| p["diagnostics"] == json!([]), WAIT);
    client.shutdown_and_exit();
}
