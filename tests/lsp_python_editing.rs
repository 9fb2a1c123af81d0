//! Completion and hover in Python documents over LSP, through the real binary: values inside
//! recognised calls (half-typed ones too), names defined elsewhere in the pod spec and the
//! workspace, dict keys, accelerator strings, keyword names only when asked, and hover on
//! keywords, quantities, the primary container, accelerators and a name passed as
//! `pod_template`; `null` outside Flyte and Kubernetes constructs.

mod common;

use common::{push_client, Client, TempDir};
use serde_json::{json, Value};

const URI: &str = "file:///work/envs.py";

const HEAD: &str = "import flyte
from kubernetes.client import (
    V1Container, V1PodSpec, V1ResourceRequirements, V1Toleration, V1Volume, V1VolumeMount,
)
";

/// Opens `fixture` (with `$0` at the cursor) as a Python document and asks for completion.
fn complete_with(fixture: &str, options: Option<Value>) -> (String, Vec<Value>) {
    let (text, line, character) = cursor(fixture);
    let (mut client, _) = Client::start(push_client(), options);
    client.did_open_as(URI, "python", 1, &text);
    let result = client.request(
        "textDocument/completion",
        json!({"textDocument": {"uri": URI}, "position": {"line": line, "character": character}}),
    );
    client.allow_unread("textDocument/publishDiagnostics");
    client.shutdown_and_exit();
    (text, items_of(result))
}

fn complete(fixture: &str) -> (String, Vec<Value>) {
    complete_with(fixture, None)
}

fn items_of(result: Value) -> Vec<Value> {
    let items = if result.is_array() {
        result
    } else {
        result["items"].clone()
    };
    items.as_array().cloned().unwrap_or_default()
}

/// The text without its `$0` marker, and the marker's line and (ASCII) column.
fn cursor(fixture: &str) -> (String, u32, u32) {
    let full = format!("{HEAD}{fixture}");
    let at = full.find("$0").expect("fixture has a $0 cursor");
    let before = &full[..at];
    let line = before.matches('\n').count() as u32;
    let character = (at - before.rfind('\n').map_or(0, |i| i + 1)) as u32;
    (full.replacen("$0", "", 1), line, character)
}

fn labels(items: &[Value]) -> Vec<String> {
    items
        .iter()
        .map(|i| i["label"].as_str().unwrap_or("").to_string())
        .collect()
}

fn item<'a>(items: &'a [Value], label: &str) -> &'a Value {
    items
        .iter()
        .find(|i| i["label"] == label)
        .unwrap_or_else(|| panic!("no `{label}` in {:?}", labels(items)))
}

/// The text an item's edit writes, applied to `text` (edits are on one line here).
fn apply(text: &str, item: &Value) -> String {
    let edit = &item["textEdit"];
    let range = if edit["range"].is_object() {
        &edit["range"]
    } else {
        &edit["replace"]
    };
    let offset = |p: &Value| {
        let line = p["line"].as_u64().expect("line") as usize;
        let ch = p["character"].as_u64().expect("character") as usize;
        text.split_inclusive('\n')
            .take(line)
            .map(str::len)
            .sum::<usize>()
            + ch
    };
    let (start, end) = (offset(&range["start"]), offset(&range["end"]));
    format!(
        "{}{}{}",
        &text[..start],
        edit["newText"].as_str().expect("newText"),
        &text[end..]
    )
}

#[test]
fn enum_values_inside_a_half_typed_call() {
    // The string is open and no bracket is closed: the user is typing.
    let (text, items) = complete(
        "env = flyte.TaskEnvironment(name='x', pod_template=flyte.PodTemplate(\
         pod_spec=V1PodSpec(containers=[V1Container(name='primary', image_pull_policy=\"If$0\n",
    );
    assert_eq!(labels(&items), ["Always", "IfNotPresent", "Never"]);
    let done = apply(&text, item(&items, "IfNotPresent"));
    assert!(
        done.contains("image_pull_policy=\"IfNotPresent\n"),
        "{done}"
    );
    // Before any quote, the value is written as a string literal.
    let (text, items) =
        complete("spec = V1PodSpec(restart_policy=$0, containers=[V1Container(name='a')])\n");
    let done = apply(&text, item(&items, "OnFailure"));
    assert!(done.contains("restart_policy=\"OnFailure\","), "{done}");
}

#[test]
fn the_other_enums_the_yaml_side_knows() {
    for (fixture, want) in [
        ("spec = V1PodSpec(dns_policy='$0', containers=[])\n", "ClusterFirstWithHostNet"),
        ("spec = V1PodSpec(preemption_policy='$0', containers=[])\n", "PreemptLowerPriority"),
        (
            "spec = V1PodSpec(containers=[], tolerations=[V1Toleration(key='k', operator='$0')])\n",
            "Exists",
        ),
        (
            "spec = V1PodSpec(containers=[], tolerations=[V1Toleration(key='k', effect='$0')])\n",
            "NoSchedule",
        ),
        (
            "spec = V1PodSpec(containers=[V1Container(name='a', termination_message_policy='$0')])\n",
            "FallbackToLogsOnError",
        ),
    ] {
        let (_, items) = complete(fixture);
        assert!(
            labels(&items).iter().any(|l| l == want),
            "`{want}` missing at {fixture}: {:?}",
            labels(&items)
        );
    }
}

#[test]
fn names_come_from_the_pod_spec_and_the_workspace() {
    let (_, items) = complete(
        "tpl = flyte.PodTemplate(primary_container_name=\"$0\", pod_spec=V1PodSpec(containers=[\n\
         \x20   V1Container(name='trainer'), V1Container(name='sidecar')]))\n",
    );
    assert_eq!(labels(&items), ["trainer", "sidecar"]);
    assert_eq!(item(&items, "trainer")["detail"], "container");

    let (_, items) = complete(
        "spec = V1PodSpec(\n\
         \x20   volumes=[V1Volume(name='data'), V1Volume(name='cache')],\n\
         \x20   containers=[V1Container(name='a', volume_mounts=[V1VolumeMount(name='$0', mount_path='/d')])],\n\
         )\n",
    );
    assert_eq!(labels(&items), ["data", "cache"]);

    // `pod_template="…"` offers the workspace's PodTemplates.
    let dir = TempDir::new("py-complete-templates");
    dir.write(
        "cluster/gpu.yaml",
        "apiVersion: v1\nkind: PodTemplate\nmetadata:\n  name: gpu-default\ntemplate:\n  spec:\n    containers: []\n",
    );
    let (text, line, character) =
        cursor("env = flyte.TaskEnvironment(name='x', pod_template=\"$0\")\n");
    let mut client = Client::spawn();
    client.request(
        "initialize",
        json!({"processId": null, "rootUri": format!("file://{}", dir.path().display()),
               "capabilities": push_client()}),
    );
    client.notify("initialized", json!({}));
    let uri = format!("file://{}/envs.py", dir.path().display());
    client.did_open_as(&uri, "python", 1, &text);
    // The index is built in the background: ask until it has the template.
    let mut got = Vec::new();
    for _ in 0..50 {
        let result = client.request(
            "textDocument/completion",
            json!({"textDocument": {"uri": uri}, "position": {"line": line, "character": character}}),
        );
        got = labels(&items_of(result));
        if !got.is_empty() {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    assert_eq!(got, ["gpu-default"]);
    client.allow_unread("textDocument/publishDiagnostics");
    client.shutdown_and_exit();
}

#[test]
fn resource_names_labels_and_accelerators() {
    let (text, items) = complete(
        "spec = V1PodSpec(containers=[V1Container(name='a', resources=V1ResourceRequirements(\
         limits={\"cpu\": \"1\", $0}))])\n",
    );
    let got = labels(&items);
    assert!(got.contains(&"memory".to_string()) && got.contains(&"nvidia.com/gpu".to_string()));
    assert!(got.contains(&"hugepages-2Mi".to_string()));
    assert!(
        !got.contains(&"cpu".to_string()),
        "cpu is already there: {got:?}"
    );
    let done = apply(&text, item(&items, "memory"));
    assert!(
        done.contains("limits={\"cpu\": \"1\", \"memory\": }"),
        "{done}"
    );

    // Inside an opened quote only the name is written.
    let (text, items) = complete(
        "spec = V1PodSpec(containers=[V1Container(name='a', resources=V1ResourceRequirements(\
         requests={\"$0\"}))])\n",
    );
    let done = apply(&text, item(&items, "ephemeral-storage"));
    assert!(done.contains("requests={\"ephemeral-storage\"}"), "{done}");

    let (_, items) =
        complete("tpl = flyte.PodTemplate(labels={\"$0\"}, pod_spec=V1PodSpec(containers=[]))\n");
    assert!(labels(&items).contains(&"app.kubernetes.io/name".to_string()));

    let (_, items) =
        complete("env = flyte.TaskEnvironment(name='x', resources=flyte.Resources(gpu=\"$0\"))\n");
    let a100 = item(&items, "A100:2");
    let doc = a100["documentation"]["value"]
        .as_str()
        .or(a100["documentation"].as_str())
        .unwrap_or_default();
    assert!(
        doc.contains("nvidia.com/gpu: 2") && doc.contains("nvidia-tesla-a100"),
        "{a100}"
    );
    // Deprecated spellings sort last (and carry the deprecated tag for clients that show it).
    let old = item(&items, "A100 80G:1");
    assert!(
        old["sortText"]
            .as_str()
            .is_some_and(|s| s.starts_with("1_")),
        "{old}"
    );
    assert!(
        a100["sortText"]
            .as_str()
            .is_some_and(|s| s.starts_with("0_")),
        "{a100}"
    );
}

#[test]
fn keyword_names_only_with_the_setting() {
    let fixture = "spec = V1PodSpec(containers=[V1Container(name='a', ima$0)])\n";
    // Pyright lists the keywords: by default we do not.
    let (_, items) = complete(fixture);
    assert!(items.is_empty(), "{:?}", labels(&items));
    let (text, items) = complete_with(
        fixture,
        Some(json!({"python": {"keywordCompletion": true}})),
    );
    let got = labels(&items);
    assert!(got.contains(&"image_pull_policy".to_string()), "{got:?}");
    assert!(
        !got.contains(&"name".to_string()),
        "name is already there: {got:?}"
    );
    let done = apply(&text, item(&items, "image_pull_policy"));
    assert!(done.contains("name='a', image_pull_policy=)"), "{done}");
}

#[test]
fn triggers_and_silence_outside_constructs() {
    let (text, line, character) = cursor(
        "spec = V1PodSpec(containers=[V1Container(name='a', image_pull_policy=$0)])\n\
         other = dict(image_pull_policy=)\n",
    );
    let (mut client, _) = Client::start(push_client(), None);
    client.did_open_as(URI, "python", 1, &text);
    let at = |trigger: Option<&str>, line: u32, character: u32| {
        let mut params = json!({"textDocument": {"uri": URI},
                                "position": {"line": line, "character": character}});
        if let Some(t) = trigger {
            params["context"] = json!({"triggerKind": 2, "triggerCharacter": t});
        }
        params
    };
    let typed_eq = client.request("textDocument/completion", at(Some("="), line, character));
    assert!(labels(&items_of(typed_eq)).contains(&"IfNotPresent".to_string()));
    let typed_space = client.request("textDocument/completion", at(Some(" "), line, character));
    assert!(items_of(typed_space).is_empty());
    // A call we do not recognise gets nothing, and hover there is null.
    let other = line + 1;
    let none = client.request("textDocument/completion", at(None, other, 31));
    assert!(items_of(none).is_empty());
    let hover = client.request("textDocument/hover", at(None, other, 10));
    assert_eq!(hover, Value::Null);
    client.allow_unread("textDocument/publishDiagnostics");
    client.shutdown_and_exit();
}

/// Hover at the `$0` marker of a Python document.
fn hover(fixture: &str) -> Value {
    let (text, line, character) = cursor(fixture);
    let (mut client, _) = Client::start(push_client(), None);
    client.did_open_as(URI, "python", 1, &text);
    let result = client.request(
        "textDocument/hover",
        json!({"textDocument": {"uri": URI}, "position": {"line": line, "character": character}}),
    );
    client.allow_unread("textDocument/publishDiagnostics");
    client.shutdown_and_exit();
    result
}

fn markdown(hover: &Value) -> String {
    hover["contents"]["value"]
        .as_str()
        .unwrap_or_else(|| panic!("no markdown in {hover}"))
        .to_string()
}

#[test]
fn hover_on_keywords_quantities_and_the_primary_container() {
    let md = markdown(&hover(
        "spec = V1PodSpec(containers=[V1Container(name='a', image_pu$0ll_policy='Always')])\n",
    ));
    assert!(
        md.contains("imagePullPolicy") && md.contains("IfNotPresent"),
        "{md}"
    );

    let md = markdown(&hover(
        "spec = V1PodSpec(containers=[V1Container(name='a', resources=V1ResourceRequirements(\
         limits={'memory': '2G$0i'}))])\n",
    ));
    assert!(md.contains("2,147,483,648"), "{md}");

    let md = markdown(&hover(
        "tpl = flyte.PodTemplate(pod_spec=V1PodSpec(containers=[V1Container(na$0me='primary')]))\n",
    ));
    assert!(md.contains("Flyte primary container"), "{md}");

    let md = markdown(&hover(
        "env = flyte.TaskEnvironment(name='x', resources=flyte.Resources(gpu='H1$000:8'))\n",
    ));
    assert!(
        md.contains("nvidia-tesla-h100") && md.contains("nvidia.com/gpu: 8"),
        "{md}"
    );

    // Nothing about what is neither Flyte nor Kubernetes.
    assert_eq!(hover("x = dict(na$0me='primary')\n"), Value::Null);
}

#[test]
fn hover_on_a_name_passed_as_pod_template_shows_its_pod() {
    let md = markdown(&hover(
        "tpl = flyte.PodTemplate(\n\
         \x20   primary_container_name='main',\n\
         \x20   pod_spec=V1PodSpec(\n\
         \x20       containers=[V1Container(name='main'), V1Container(name='proxy', image='envoy:1')],\n\
         \x20       volumes=[V1Volume(name='data')],\n\
         \x20       node_selector={'pool': 'gpu'},\n\
         \x20   ),\n\
         )\n\
         env = flyte.TaskEnvironment(name='x', pod_template=t$0pl)\n",
    ));
    assert!(md.contains("**`tpl`**"), "{md}");
    assert!(
        md.contains("`main` (primary)") && md.contains("the environment's image"),
        "{md}"
    );
    assert!(md.contains("`proxy`: image `envoy:1`"), "{md}");
    assert!(
        md.contains("volumes: `data`") && md.contains("`pool=gpu`"),
        "{md}"
    );
}

#[test]
fn flytekit_pod_template_name_offers_the_templates_the_file_defines() {
    let text = "from flytekit import task\n\
                from kubernetes.client import V1ObjectMeta, V1PodSpec, V1PodTemplate, V1PodTemplateSpec\n\
                TEMPLATE = V1PodTemplate(metadata=V1ObjectMeta(name='gpu-pool'), \
                template=V1PodTemplateSpec(spec=V1PodSpec(containers=[])))\n\
                @task(pod_template_name=\"\")\n\
                def train() -> None: ...\n";
    let (mut client, _) = Client::start(push_client(), None);
    client.did_open_as(URI, "python", 1, text);
    let result = client.request(
        "textDocument/completion",
        json!({"textDocument": {"uri": URI}, "position": {"line": 3, "character": 25}}),
    );
    assert_eq!(labels(&items_of(result)), ["gpu-pool"]);
    client.allow_unread("textDocument/publishDiagnostics");
    client.shutdown_and_exit();
}
