//! Navigation over LSP through the real binary: definition, references, rename and the outline
//! inside a document, and PodTemplate names across the workspace (indexed on `initialized`,
//! kept current through `didChangeWatchedFiles`).

mod common;

use std::path::Path;
use std::time::Duration;

use common::{push_client, Client, TempDir};
use serde_json::{json, Value};

fn workspace(name: &str) -> TempDir {
    TempDir::new(&format!("nav-{name}"))
}

fn uri(path: &Path) -> String {
    format!("file://{}", path.display())
}

fn start_in(root: &Path) -> Client {
    let mut client = Client::spawn();
    client.request(
        "initialize",
        json!({"processId": null, "rootUri": uri(root), "capabilities": push_client()}),
    );
    client.notify("initialized", json!({}));
    client
}

const TEMPLATE: &str = "apiVersion: v1
kind: PodTemplate
metadata:
  name: gpu-default
template:
  spec:
    containers:
      - name: default
        image: busybox
";

const ENV: &str = "name: train
env_vars:
  MODE: prod
pod_template: gpu-default
";

fn pos(line: u32, character: u32) -> Value {
    json!({"line": line, "character": character})
}

fn codes(published: &Value) -> Vec<String> {
    published["diagnostics"]
        .as_array()
        .map(|d| {
            d.iter()
                .filter_map(|x| x["code"].as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}

#[test]
fn pod_template_names_resolve_across_the_workspace() {
    let root = workspace("templates");
    let template_path = root.join("cluster/gpu.yaml");
    std::fs::create_dir_all(template_path.parent().expect("parent")).expect("mkdir");
    std::fs::write(&template_path, TEMPLATE).expect("write template");
    let env_path = root.join("envs/train.yaml");
    let env_uri = uri(&env_path);
    let mut client = start_in(&root);
    client.did_open(&env_uri, 1, ENV);
    let published = client.wait_version(&env_uri, 1);
    assert!(codes(&published).is_empty(), "{published}");

    // Go to definition on the string jumps into the other file.
    let def = client.request(
        "textDocument/definition",
        json!({"textDocument": {"uri": env_uri}, "position": pos(3, 18)}),
    );
    let def = def.as_array().expect("locations");
    assert_eq!(def.len(), 1, "{def:?}");
    assert_eq!(def[0]["uri"], uri(&template_path));
    assert_eq!(
        def[0]["range"],
        json!({"start": pos(3, 8), "end": pos(3, 19)})
    );

    // A name the workspace does not define is an information diagnostic with a suggestion.
    client.did_change(
        &env_uri,
        2,
        json!({"start": pos(3, 14), "end": pos(3, 25)}),
        "gpu-defualt",
    );
    let published =
        client.wait_diagnostics(&env_uri, |p| p["version"] == 2, Duration::from_secs(10));
    let d = &published["diagnostics"][0];
    assert_eq!(d["code"], "FLY318", "{published}");
    assert_eq!(d["severity"], 3);
    assert!(
        d["message"]
            .as_str()
            .unwrap_or("")
            .contains("did you mean `gpu-default`?"),
        "{d}"
    );

    // A template created on disk is picked up through didChangeWatchedFiles.
    let new_path = root.join("cluster/typo.yaml");
    std::fs::write(&new_path, TEMPLATE.replace("gpu-default", "gpu-defualt")).expect("write");
    client.notify(
        "workspace/didChangeWatchedFiles",
        json!({"changes": [{"uri": uri(&new_path), "type": 1}]}),
    );
    let published =
        client.wait_diagnostics(&env_uri, |p| codes(p).is_empty(), Duration::from_secs(10));
    assert_eq!(published["version"], 2);

    // Rename from the reference renames the definition in the other file too.
    let edit = client.request(
        "textDocument/rename",
        json!({"textDocument": {"uri": env_uri}, "position": pos(3, 16), "newName": "gpu-small"}),
    );
    let changes = &edit["changes"];
    assert_eq!(changes[&env_uri][0]["newText"], "gpu-small", "{edit}");
    assert_eq!(
        changes[uri(&new_path)][0]["range"],
        json!({"start": pos(3, 8), "end": pos(3, 19)}),
        "{edit}"
    );
    client.shutdown_and_exit();
}

const POD: &str = "name: train
env_vars:
  MODE: prod
pod_template:
  primary_container_name: main
  pod_spec:
    containers:
      - name: main
        volumeMounts:
          - name: data
            mountPath: /data
      - name: side
        image: busybox
        volumeMounts:
          - name: data
            mountPath: /d
    volumes:
      - name: data
        emptyDir: {}
";

#[test]
fn containers_and_volumes_navigate_and_rename_within_the_document() {
    let mut client = Client::start(push_client(), None).0;
    let u = "file:///work/flyte/pod.yaml";
    client.did_open(u, 1, POD);
    client.wait_version(u, 1);

    // primary_container_name → the container.
    let def = client.request(
        "textDocument/definition",
        json!({"textDocument": {"uri": u}, "position": pos(4, 27)}),
    );
    assert_eq!(
        def[0]["range"],
        json!({"start": pos(7, 14), "end": pos(7, 18)}),
        "{def}"
    );

    // References of the volume: its definition and both mounts.
    let refs = client.request(
        "textDocument/references",
        json!({"textDocument": {"uri": u}, "position": pos(17, 16), "context": {"includeDeclaration": true}}),
    );
    assert_eq!(refs.as_array().map(Vec::len), Some(3), "{refs}");

    // prepareRename gives the name's range; rename edits every occurrence.
    let prep = client.request(
        "textDocument/prepareRename",
        json!({"textDocument": {"uri": u}, "position": pos(7, 15)}),
    );
    assert_eq!(
        prep["range"],
        json!({"start": pos(7, 14), "end": pos(7, 18)})
    );
    assert_eq!(prep["placeholder"], "main");
    let edit = client.request(
        "textDocument/rename",
        json!({"textDocument": {"uri": u}, "position": pos(7, 15), "newName": "trainer"}),
    );
    let edits = edit["changes"][u].as_array().expect("edits");
    assert_eq!(edits.len(), 2, "{edit}");
    assert!(edits.iter().all(|e| e["newText"] == "trainer"));

    // The outline: the environment with its containers and volume.
    let symbols = client.request(
        "textDocument/documentSymbol",
        json!({"textDocument": {"uri": u}}),
    );
    assert_eq!(symbols[0]["name"], "train");
    let children: Vec<&str> = symbols[0]["children"]
        .as_array()
        .map(|c| c.iter().filter_map(|s| s["name"].as_str()).collect())
        .unwrap_or_default();
    assert_eq!(children, vec!["main", "side", "data"]);

    // Nothing to navigate from a plain key.
    let none = client.request(
        "textDocument/definition",
        json!({"textDocument": {"uri": u}, "position": pos(10, 14)}),
    );
    assert!(none.is_null(), "{none}");
    client.shutdown_and_exit();
}

/// An edit re-indexes the edited file only: the other files' entries stay, and the edited
/// file's new ranges are what definition and references answer.
#[test]
fn an_edit_updates_the_edited_files_entries_only() {
    let root = workspace("edit-one");
    let template_path = root.join("cluster/gpu.yaml");
    let (env_a, env_b) = (root.join("envs/a.yaml"), root.join("envs/b.yaml"));
    for path in [&template_path, &env_a] {
        std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
    }
    std::fs::write(&template_path, TEMPLATE).expect("write template");
    std::fs::write(&env_a, ENV).expect("write env");
    std::fs::write(&env_b, ENV.replace("train", "eval")).expect("write env");
    let (template_uri, env_uri) = (uri(&template_path), uri(&env_a));
    let mut client = start_in(&root);
    client.did_open(&env_uri, 1, ENV);
    client.wait_version(&env_uri, 1);
    client.did_open(&template_uri, 1, TEMPLATE);
    client.wait_version(&template_uri, 1);
    let references = |client: &mut Client, line: u32| {
        let found = client.request(
            "textDocument/references",
            json!({"textDocument": {"uri": template_uri}, "position": pos(line, 12),
                   "context": {"includeDeclaration": false}}),
        );
        let mut uris: Vec<String> = found
            .as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|l| l["uri"].as_str().map(str::to_string))
                    .collect()
            })
            .unwrap_or_default();
        uris.sort();
        uris
    };
    // The scan may still be running: wait until both environments are known.
    let mut found = Vec::new();
    for _ in 0..100 {
        found = references(&mut client, 3);
        if found.len() == 2 {
            break;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    assert_eq!(found, [uri(&env_a), uri(&env_b)]);

    // Two lines above the name move its definition down; the environments stay indexed.
    client.did_change(
        &template_uri,
        2,
        json!({"start": pos(0, 0), "end": pos(0, 0)}),
        "# GPU\n#\n",
    );
    client.wait_version(&template_uri, 2);
    let def = client.request(
        "textDocument/definition",
        json!({"textDocument": {"uri": env_uri}, "position": pos(3, 18)}),
    );
    assert_eq!(def[0]["uri"], template_uri, "{def}");
    assert_eq!(
        def[0]["range"],
        json!({"start": pos(5, 8), "end": pos(5, 19)})
    );
    assert_eq!(references(&mut client, 5), [uri(&env_a), uri(&env_b)]);

    // Renaming the template in the text: the old name has no definition, the new one has.
    client.did_change(
        &template_uri,
        3,
        json!({"start": pos(5, 8), "end": pos(5, 19)}),
        "gpu-large",
    );
    client.wait_version(&template_uri, 3);
    let def = client.request(
        "textDocument/definition",
        json!({"textDocument": {"uri": env_uri}, "position": pos(3, 18)}),
    );
    assert!(def.as_array().is_none_or(Vec::is_empty), "{def}");
    client.did_change(
        &env_uri,
        2,
        json!({"start": pos(3, 14), "end": pos(3, 25)}),
        "gpu-large",
    );
    client.wait_version(&env_uri, 2);
    let def = client.request(
        "textDocument/definition",
        json!({"textDocument": {"uri": env_uri}, "position": pos(3, 18)}),
    );
    assert_eq!(
        def[0]["range"],
        json!({"start": pos(5, 8), "end": pos(5, 17)}),
        "{def}"
    );
    // The unopened environment still names the old template.
    assert_eq!(references(&mut client, 5), [uri(&env_a)]);
    client.shutdown_and_exit();
}
