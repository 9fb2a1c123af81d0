//! Completion and hover over LSP through the real binary: capabilities, items with
//! documentation and text edits, snippets only for clients that take them, values after
//! `key: `, Markdown hover, and silence on unrelated YAML.

mod common;

use common::Client;
use serde_json::{json, Value};

const URI: &str = "file:///work/pod.yaml";

const POD: &str = "primary_container_name: main
pod_spec:
  containers:
    - name: main
      image: ghcr.io/org/app:1
      imagePullPolicy: Always
      
";

/// A client like VS Code: snippets, both insert text modes, Markdown.
fn editor_capabilities() -> Value {
    json!({
        "textDocument": {
            "completion": {"completionItem": {
                "snippetSupport": true,
                "insertTextModeSupport": {"valueSet": [1, 2]},
                "documentationFormat": ["markdown", "plaintext"],
                "tagSupport": {"valueSet": [1]}
            }},
            "hover": {"contentFormat": ["markdown", "plaintext"]},
            "publishDiagnostics": {"versionSupport": true}
        }
    })
}

fn completion(client: &mut Client, line: u32, character: u32) -> Vec<Value> {
    let result = client.request(
        "textDocument/completion",
        json!({
            "textDocument": {"uri": URI},
            "position": {"line": line, "character": character}
        }),
    );
    let items = if result.is_array() {
        result
    } else {
        result["items"].clone()
    };
    items.as_array().cloned().unwrap_or_default()
}

fn find<'a>(items: &'a [Value], label: &str) -> &'a Value {
    items
        .iter()
        .find(|i| i["label"] == label)
        .unwrap_or_else(|| {
            let labels: Vec<&Value> = items.iter().map(|i| &i["label"]).collect();
            panic!("no `{label}` in {labels:?}")
        })
}

#[test]
fn capabilities_announce_completion_and_hover() {
    let (client, init) = Client::start(editor_capabilities(), None);
    let caps = &init["capabilities"];
    assert_eq!(
        caps["completionProvider"]["triggerCharacters"],
        json!([":", " ", "-", "\n", "\"", "'", "="])
    );
    assert_eq!(caps["hoverProvider"], json!(true));
    client.shutdown_and_exit();
}

#[test]
fn completion_inside_a_container_offers_keys_with_documentation() {
    let (mut client, _) = Client::start(editor_capabilities(), None);
    client.did_open(URI, 1, POD);
    client.wait_version(URI, 1);
    // The empty line at the container's indentation (line 6, column 6).
    let items = completion(&mut client, 6, 6);
    // Keys already in the container are left out.
    for present in ["name", "image", "imagePullPolicy"] {
        assert!(items.iter().all(|i| i["label"] != present), "{present}");
    }
    let env = find(&items, "env");
    assert_eq!(env["insertTextFormat"], 2, "snippet: {env}");
    assert_eq!(env["insertTextMode"], 2, "adjustIndentation: {env}");
    assert_eq!(
        env["textEdit"]["newText"],
        "env:\n  - name: $1\n    value: $2"
    );
    assert_eq!(
        env["textEdit"]["range"],
        json!({"start": {"line": 6, "character": 6}, "end": {"line": 6, "character": 6}})
    );
    let doc = &env["documentation"];
    assert_eq!(doc["kind"], "markdown");
    assert!(doc["value"]
        .as_str()
        .is_some_and(|d| d.contains("environment variables")));

    // Typing `imagePu` on a fresh line of the first container.
    let text = POD.replace("      imagePullPolicy: Always\n", "      imagePu\n");
    client.did_change(URI, 2, Value::Null, &text);
    client.wait_version(URI, 2);
    let items = completion(&mut client, 5, 13);
    let policy = find(&items, "imagePullPolicy");
    assert_eq!(policy["kind"], 5, "field");
    assert_eq!(policy["detail"], "string");
    assert!(policy["documentation"]["value"]
        .as_str()
        .is_some_and(|d| d.contains("Image pull policy") && d.contains("`IfNotPresent`")));
    assert_eq!(
        policy["textEdit"],
        json!({
            "range": {"start": {"line": 5, "character": 6}, "end": {"line": 5, "character": 13}},
            "newText": "imagePullPolicy: "
        })
    );
    client.shutdown_and_exit();
}

#[test]
fn completion_after_a_key_offers_its_values() {
    let (mut client, _) = Client::start(editor_capabilities(), None);
    let text = POD.replace("imagePullPolicy: Always", "imagePullPolicy: ");
    client.did_open(URI, 1, &text);
    client.wait_version(URI, 1);
    let items = completion(&mut client, 5, 23);
    let labels: Vec<&str> = items.iter().filter_map(|i| i["label"].as_str()).collect();
    assert_eq!(labels, ["Always", "IfNotPresent", "Never"]);
    let item = find(&items, "IfNotPresent");
    assert_eq!(item["textEdit"]["newText"], "IfNotPresent");
    assert_eq!(item["kind"], 12, "value");

    // `primary_container_name: ` offers the containers.
    let items = completion(&mut client, 0, 24);
    let labels: Vec<&str> = items.iter().filter_map(|i| i["label"].as_str()).collect();
    assert_eq!(labels, ["main"]);
    client.shutdown_and_exit();
}

#[test]
fn a_space_typed_while_indenting_does_not_pop_up_keys() {
    let (mut client, _) = Client::start(editor_capabilities(), None);
    client.did_open(URI, 1, POD);
    client.wait_version(URI, 1);
    let params = |character: u32, trigger: Value| {
        json!({
            "textDocument": {"uri": URI},
            "position": {"line": 6, "character": character},
            "context": trigger,
        })
    };
    let typed_space = json!({"triggerKind": 2, "triggerCharacter": " "});
    let result = client.request("textDocument/completion", params(6, typed_space));
    assert_eq!(result, Value::Null);
    let invoked = json!({"triggerKind": 1});
    let result = client.request("textDocument/completion", params(6, invoked));
    assert!(
        !result["items"].as_array().is_none_or(Vec::is_empty),
        "{result}"
    );
    client.shutdown_and_exit();
}

#[test]
fn clients_without_snippets_get_plain_text_at_absolute_indentation() {
    let capabilities = json!({"textDocument": {"completion": {"completionItem": {
        "insertTextModeSupport": {"valueSet": [1]}
    }}}});
    let (mut client, _) = Client::start(capabilities, None);
    client.did_open(URI, 1, POD);
    client.wait_version(URI, 1);
    let items = completion(&mut client, 6, 6);
    let env = find(&items, "env");
    assert_eq!(env["insertTextFormat"], 1, "plain text: {env}");
    assert_eq!(env["insertTextMode"], 1, "as is: {env}");
    assert_eq!(
        env["textEdit"]["newText"],
        "env:\n        - name: \n          value: "
    );
    client.shutdown_and_exit();
}

#[test]
fn hover_on_a_key_returns_markdown_with_its_description() {
    let (mut client, _) = Client::start(editor_capabilities(), None);
    client.did_open(URI, 1, POD);
    client.wait_version(URI, 1);
    let hover = client.request(
        "textDocument/hover",
        json!({"textDocument": {"uri": URI}, "position": {"line": 5, "character": 10}}),
    );
    assert_eq!(hover["contents"]["kind"], "markdown");
    let value = hover["contents"]["value"].as_str().unwrap_or_default();
    assert!(
        value.starts_with("**`imagePullPolicy`** · string"),
        "{value}"
    );
    assert!(value.contains("Image pull policy"), "{value}");
    assert_eq!(
        hover["range"],
        json!({"start": {"line": 5, "character": 6}, "end": {"line": 5, "character": 21}})
    );

    // The primary container's name explains what Flyte does to it.
    let hover = client.request(
        "textDocument/hover",
        json!({"textDocument": {"uri": URI}, "position": {"line": 3, "character": 9}}),
    );
    let value = hover["contents"]["value"].as_str().unwrap_or_default();
    assert!(
        value.contains("**Flyte primary container** `main`"),
        "{value}"
    );
    client.shutdown_and_exit();
}

#[test]
fn unrelated_yaml_gets_no_completion_and_no_hover() {
    let (mut client, _) = Client::start(editor_capabilities(), None);
    client.did_open(URI, 1, "name: ci\non: push\njobs:\n  build:\n    \n");
    client.wait_version(URI, 1);
    assert!(completion(&mut client, 4, 4).is_empty());
    let hover = client.request(
        "textDocument/hover",
        json!({"textDocument": {"uri": URI}, "position": {"line": 3, "character": 3}}),
    );
    assert_eq!(hover, Value::Null);
    client.shutdown_and_exit();
}
