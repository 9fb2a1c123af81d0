//! Structure features through the real binary: folding ranges, selection ranges, and the
//! "make it a native sidecar" code action.

mod common;

use common::{push_client, range, Client};
use serde_json::json;

const POD: &str = "name: train
env_vars:
  MODE: prod
pod_template:
  pod_spec:
    containers:
      - name: primary
      - name: proxy
        image: envoyproxy/envoy:v1.30
    volumes: []
";

#[test]
fn folding_selection_and_native_sidecar() {
    let (mut client, init) = Client::start(push_client(), None);
    assert_eq!(init["capabilities"]["foldingRangeProvider"], true);
    assert_eq!(init["capabilities"]["selectionRangeProvider"], true);
    let uri = "file:///work/flyte/sidecar.yaml";
    client.did_open(uri, 1, POD);
    let published = client.wait_version(uri, 1);
    let fly314 = published["diagnostics"]
        .as_array()
        .and_then(|d| d.iter().find(|x| x["code"] == "FLY314"))
        .cloned()
        .unwrap_or_else(|| panic!("FLY314 in {published}"));
    assert_eq!(fly314["range"], range(7, 14, 7, 19));

    let folds = client.request(
        "textDocument/foldingRange",
        json!({"textDocument": {"uri": uri}}),
    );
    let folds = folds.as_array().expect("folds");
    assert!(
        folds
            .iter()
            .any(|f| f["startLine"] == 3 && f["endLine"] == 9),
        "{folds:?}"
    );
    assert!(
        folds
            .iter()
            .any(|f| f["startLine"] == 5 && f["endLine"] == 8),
        "{folds:?}"
    );

    let sel = client.request(
        "textDocument/selectionRange",
        json!({"textDocument": {"uri": uri}, "positions": [{"line": 7, "character": 16}]}),
    );
    let first = &sel[0];
    assert_eq!(first["range"], range(7, 14, 7, 19), "the name first: {sel}");
    assert_eq!(
        first["parent"]["range"],
        range(7, 8, 7, 19),
        "then `name: proxy`"
    );

    let actions = client.request(
        "textDocument/codeAction",
        json!({"textDocument": {"uri": uri}, "range": range(7, 14, 7, 19), "context": {"diagnostics": [fly314]}}),
    );
    let action = actions
        .as_array()
        .and_then(|a| {
            a.iter().find(|x| {
                x["title"]
                    .as_str()
                    .is_some_and(|t| t.starts_with("Make `proxy` a native sidecar"))
            })
        })
        .cloned()
        .unwrap_or_else(|| panic!("no sidecar action in {actions}"));
    let edits = action["edit"]["changes"][uri]
        .as_array()
        .cloned()
        .unwrap_or_default();
    assert_eq!(edits.len(), 2, "{action}");
    assert_eq!(
        edits[0]["range"],
        range(7, 0, 9, 0),
        "the item's lines are removed"
    );
    assert_eq!(
        edits[1]["newText"],
        "    initContainers:\n      - name: proxy\n        image: envoyproxy/envoy:v1.30\n        restartPolicy: Always\n"
    );
    client.shutdown_and_exit();
}

#[test]
fn a_quick_fix_applied_through_the_protocol_clears_its_diagnostic() {
    let (mut client, _) = Client::start(push_client(), None);
    let uri = "file:///work/flyte/fix-me.yaml";
    let text = "primary_container_name: primary\nlabels:\n  spot: yes\npod_spec:\n  imagePullSecret: []\n  containers:\n    - name: primary\n";
    client.did_open(uri, 1, text);
    let published = client.wait_version(uri, 1);
    let codes = |p: &serde_json::Value| -> Vec<String> {
        p["diagnostics"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|d| d["code"].as_str().map(str::to_string))
            .collect()
    };
    assert_eq!(codes(&published), vec!["FLY106", "FLY101"]);
    let mut version = 1;
    let mut last = published.clone();
    for diag in published["diagnostics"]
        .as_array()
        .cloned()
        .unwrap_or_default()
    {
        let actions = client.request(
            "textDocument/codeAction",
            json!({"textDocument": {"uri": uri}, "range": diag["range"], "context": {"diagnostics": [diag]}}),
        );
        let edit = &actions[0]["edit"]["changes"][uri][0];
        assert!(edit.is_object(), "{actions}");
        // Apply the edit as an editor would: one incremental change.
        version += 1;
        client.did_change(
            uri,
            version,
            edit["range"].clone(),
            edit["newText"].as_str().unwrap_or_default(),
        );
        last = client.wait_version(uri, version);
    }
    assert!(codes(&last).is_empty(), "{last}");
    client.shutdown_and_exit();
}

#[test]
fn refactors_add_a_container_and_a_volume_unless_only_quick_fixes_are_asked() {
    let (mut client, _) = Client::start(push_client(), None);
    let uri = "file:///work/flyte/refactor.yaml";
    let text = "name: train\nenv_vars:\n  MODE: prod\npod_template:\n  pod_spec:\n    containers:\n      - name: primary\n        image: x\n";
    client.did_open(uri, 1, text);
    client.wait_version(uri, 1);
    let at = range(7, 9, 7, 9);
    let all = client.request(
        "textDocument/codeAction",
        json!({"textDocument": {"uri": uri}, "range": at, "context": {"diagnostics": []}}),
    );
    let titles: Vec<&str> = all
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|a| a["title"].as_str())
        .collect();
    assert!(titles.contains(&"Add a container `sidecar`"), "{titles:?}");
    assert!(
        titles.contains(&"Add a volume `data` and mount it in `primary`"),
        "{titles:?}"
    );
    let volume = all
        .as_array()
        .and_then(|a| {
            a.iter()
                .find(|x| x["title"] == "Add a volume `data` and mount it in `primary`")
        })
        .cloned()
        .unwrap_or_default();
    assert_eq!(volume["kind"], "refactor");
    assert_eq!(
        volume["edit"]["changes"][uri].as_array().map(Vec::len),
        Some(1),
        "one insertion at the end: {volume}"
    );
    let quick = client.request(
        "textDocument/codeAction",
        json!({"textDocument": {"uri": uri}, "range": at, "context": {"diagnostics": [], "only": ["quickfix"]}}),
    );
    assert_eq!(quick, json!([]));
    client.shutdown_and_exit();
}
