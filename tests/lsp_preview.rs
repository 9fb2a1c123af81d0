//! The pod preview over LSP: "Preview pod" code lenses and the `flyte-lsp.renderPreview`
//! command, driven through the real binary, including a refresh after an edit.

mod common;

use common::{push_client, range, Client};
use serde_json::json;

const ENV: &str = "name: train
image: ghcr.io/acme/train:1
resources:
  cpu: 2
env_vars:
  MODE: prod
pod_template:
  labels:
    team: ml
  pod_spec:
    containers:
      - name: primary
        env:
          - name: X
            value: \"1\"
      - name: sidecar
        image: busybox
";

fn preview(client: &mut Client, uri: &str, document: u64, layer: &str) -> String {
    let result = client.request(
        "workspace/executeCommand",
        json!({"command": "flyte-lsp.renderPreview", "arguments": [{"uri": uri, "document": document, "layer": layer}]}),
    );
    result
        .as_str()
        .map(str::to_string)
        .unwrap_or_else(|| panic!("preview is text: {result}"))
}

#[test]
fn code_lens_and_preview_follow_edits() {
    let (mut client, init) = Client::start(push_client(), None);
    assert_eq!(
        init["capabilities"]["executeCommandProvider"]["commands"],
        json!(["flyte-lsp.renderPreview"])
    );
    let uri = "file:///work/flyte/env.yaml";
    client.did_open(uri, 1, ENV);
    client.wait_version(uri, 1);

    let lenses = client.request(
        "textDocument/codeLens",
        json!({"textDocument": {"uri": uri}}),
    );
    let lenses = lenses.as_array().expect("lenses");
    assert_eq!(lenses.len(), 1, "{lenses:?}");
    assert_eq!(lenses[0]["range"], range(0, 0, 0, 4));
    assert_eq!(lenses[0]["command"]["title"], "Preview pod");
    assert_eq!(lenses[0]["command"]["command"], "flyte-lsp.renderPreview");
    assert_eq!(lenses[0]["command"]["arguments"][0]["document"], 0);

    let text = preview(&mut client, uri, 0, "sdk");
    assert!(text.starts_with("# Layer: registered by the SDK"), "{text}");
    assert!(text.contains("  - name: primary\n    image: ghcr.io/acme/train:1\n    command: []\n    args:\n    - a0\n"), "{text}");
    // Task env_vars first, then the container's own.
    assert!(
        text.contains(
            "    env:\n    - name: MODE\n      value: prod\n    - name: X\n      value: \"1\"\n"
        ),
        "{text}"
    );
    assert!(
        text.contains("      requests:\n        cpu: \"2\"\n"),
        "{text}"
    );
    assert!(
        text.contains("# Warning: more than one container"),
        "{text}"
    );

    // Rename the primary container: the SDK would refuse, and the preview says why.
    client.did_change(uri, 2, range(11, 14, 11, 21), "main");
    client.wait_version(uri, 2);
    let refused = preview(&mut client, uri, 0, "sdk");
    assert!(
        refused.starts_with("# The Flyte SDK would refuse this document"),
        "{refused}"
    );
    assert!(refused.contains("FLY301"), "{refused}");

    // Point primary_container_name at it: the preview updates.
    client.did_change(
        uri,
        3,
        range(7, 0, 7, 0),
        "  primary_container_name: main\n",
    );
    client.wait_version(uri, 3);
    let cluster = preview(&mut client, uri, 0, "cluster");
    assert!(
        cluster.contains("  - name: main\n    image: ghcr.io/acme/train:1\n"),
        "{cluster}"
    );
    assert!(cluster.contains("  restartPolicy: Never\n"), "{cluster}");
    assert!(
        cluster.contains("  enableServiceLinks: false\n"),
        "{cluster}"
    );
    client.shutdown_and_exit();
}

#[test]
fn preview_of_something_else_says_so() {
    let (mut client, _) = Client::start(push_client(), None);
    let uri = "file:///work/flyte/cluster.yaml";
    client.did_open(uri, 1, "apiVersion: v1\nkind: PodTemplate\nmetadata:\n  name: gpu\ntemplate:\n  spec:\n    containers: []\n");
    client.wait_version(uri, 1);
    let text = preview(&mut client, uri, 0, "sdk");
    assert!(text.starts_with("# Nothing to preview"), "{text}");
    let lenses = client.request(
        "textDocument/codeLens",
        json!({"textDocument": {"uri": uri}}),
    );
    assert_eq!(lenses, json!([]));
    client.shutdown_and_exit();
}
