//! Completion fixtures: a YAML document with `$0` at the cursor, and the labels that must (and
//! must not) be offered there. Most fixtures are broken the way documents are while typing.

use flyte_lsp::analysis::completion::{CompletionItem, Completions};
use std::path::Path;

use flyte_lsp::settings::Settings;
use flyte_lsp::workspace::WorkspaceIndex;

/// Runs completion at the `$0` marker; returns the text without the marker and the answer.
fn check_completion(fixture: &str) -> (String, Completions) {
    check_completion_with(fixture, &Settings::default())
}

fn check_completion_with(fixture: &str, settings: &Settings) -> (String, Completions) {
    let at = fixture.find("$0").expect("fixture has a $0 cursor");
    let text = fixture.replacen("$0", "", 1);
    let stream = flyte_lsp::engine::parse(&text);
    let result = flyte_lsp::engine::completions_lazy(&text, &|| &stream, settings, None, at);
    (text, result)
}

fn labels(c: &Completions) -> Vec<&str> {
    c.items.iter().map(|i| i.label.as_str()).collect()
}

#[track_caller]
fn assert_offers(c: &Completions, want: &[&str]) {
    let got = labels(c);
    for w in want {
        assert!(got.contains(w), "`{w}` missing from {got:?}");
    }
}

#[track_caller]
fn assert_lacks(c: &Completions, unwanted: &[&str]) {
    let got = labels(c);
    for u in unwanted {
        assert!(!got.contains(u), "`{u}` must not be offered: {got:?}");
    }
}

#[track_caller]
fn item<'a>(c: &'a Completions, label: &str) -> &'a CompletionItem {
    c.items
        .iter()
        .find(|i| i.label == label)
        .unwrap_or_else(|| panic!("no `{label}` in {:?}", labels(c)))
}

// ---- broken documents -------------------------------------------------------------------

#[test]
fn unclosed_quote_before_the_cursor() {
    let (_, c) = check_completion(
        r#"name: train
image: "ghcr.io/org/train:1
pod_template:
  pod_spec:
    containers:
      - name: primary
        $0
"#,
    );
    assert_offers(&c, &["imagePullPolicy", "image", "resources", "env"]);
    assert_lacks(&c, &["name"]);
}

#[test]
fn unclosed_quote_after_the_cursor() {
    let (_, c) = check_completion(
        r#"pod_spec:
  containers:
    - name: a
      imagePullPolicy: $0
    - name: b
      image: "oops
"#,
    );
    assert_eq!(labels(&c), ["Always", "IfNotPresent", "Never"]);
}

#[test]
fn half_typed_key() {
    let (text, c) = check_completion(
        "primary_container_name: main\npod_spec:\n  containers:\n    - name: main\n      image: x\n      imagePu$0\n",
    );
    let i = item(&c, "imagePullPolicy");
    assert_eq!(i.insert_text, "imagePullPolicy: ");
    let range = i.replace_range.clone().expect("replace range");
    assert_eq!(&text[range], "imagePu");
    assert_lacks(&c, &["name", "image"]);
    let doc = i.documentation.as_deref().expect("documentation");
    assert!(doc.contains("Image pull policy"), "{doc}");
    assert!(doc.contains("`IfNotPresent`"), "{doc}");
    assert_eq!(i.detail.as_deref(), Some("string"));
}

#[test]
fn empty_line_at_a_nested_indentation() {
    let (_, c) = check_completion(
        r#"pod_spec:
  containers:
    - name: main
      resources:
        limits:
          cpu: "1"
          $0
      image: x
"#,
    );
    assert_offers(
        &c,
        &[
            "memory",
            "nvidia.com/gpu",
            "ephemeral-storage",
            "hugepages-2Mi",
        ],
    );
    assert_lacks(&c, &["cpu"]);

    // Back out to the container's indentation: container keys, minus those above and below.
    let (_, c) = check_completion(
        "pod_spec:\n  containers:\n    - name: main\n      resources: {}\n\n      $0\n\n      image: x\n",
    );
    assert_offers(&c, &["imagePullPolicy", "env", "ports"]);
    assert_lacks(&c, &["name", "resources", "image"]);

    // And to the pod spec's.
    let (_, c) =
        check_completion("pod_spec:\n  containers:\n    - name: main\n      image: x\n  $0\n");
    assert_offers(
        &c,
        &["volumes", "tolerations", "affinity", "securityContext"],
    );
    assert_lacks(&c, &["containers", "imagePullPolicy"]);
}

#[test]
fn list_item_just_typed() {
    let (_, c) =
        check_completion("pod_spec:\n  containers:\n    - name: main\n      image: x\n    - $0\n");
    assert_offers(&c, &["name", "image", "imagePullPolicy"]);
    // Required first.
    let first = c.items.iter().min_by_key(|i| &i.sort_text).expect("items");
    assert_eq!(first.label, "name");

    let (_, c) = check_completion(
        "pod_spec:\n  containers:\n    - name: main\n      volumeMounts:\n        - $0\n",
    );
    assert_offers(&c, &["name", "mountPath", "readOnly", "subPath"]);
}

#[test]
fn key_with_no_value_yet() {
    let (_, c) = check_completion(
        "pod_spec:\n  containers:\n    - name: a\n      imagePullPolicy: $0\n      image: b\n",
    );
    assert_eq!(labels(&c), ["Always", "IfNotPresent", "Never"]);
    assert_eq!(item(&c, "IfNotPresent").insert_text, "IfNotPresent");

    // Triggered by `:` before the space is typed: the value brings its own space.
    let (_, c) =
        check_completion("pod_spec:\n  containers:\n    - name: a\n      imagePullPolicy:$0\n");
    assert_eq!(item(&c, "Never").insert_text, " Never");

    // A partial value is replaced.
    let (text, c) =
        check_completion("pod_spec:\n  containers:\n    - name: a\n      imagePullPolicy: IfN$0\n");
    let r = item(&c, "IfNotPresent")
        .replace_range
        .clone()
        .expect("range");
    assert_eq!(&text[r], "IfN");
}

#[test]
fn cursor_at_the_end_of_the_file() {
    let (_, c) =
        check_completion("pod_spec:\n  containers:\n    - name: a\n      image: x\n      $0");
    assert_offers(&c, &["imagePullPolicy", "command", "args"]);
    assert_lacks(&c, &["name", "image"]);

    let (_, c) = check_completion("pod_spec:\n  containers:\n    - name: a\n      ima$0");
    assert_offers(&c, &["image", "imagePullPolicy"]);

    let (_, c) = check_completion("name: train\nenv_vars: {}\nreso$0");
    assert_offers(&c, &["resources", "pod_template", "cache"]);
    assert_lacks(&c, &["name", "env_vars"]);
}

// ---- keys at every depth, for every kind -------------------------------------------------

#[test]
fn task_environment_root_keys() {
    let (_, c) = check_completion("env_vars: {A: b}\ncache: auto\n$0\n");
    assert_offers(
        &c,
        &["name", "image", "resources", "pod_template", "secrets"],
    );
    assert_lacks(&c, &["env_vars", "cache"]);
    assert_eq!(item(&c, "name").sort_text, "0_name");
    let res = item(&c, "resources");
    assert_eq!(res.insert_text, "resources:\n  $0");
    assert!(res.is_snippet);
}

#[test]
fn flyte_resources_and_values() {
    let (_, c) = check_completion("name: x\nenv_vars: {}\nresources:\n  cpu: 1\n  $0\n");
    assert_eq!(labels(&c), ["memory", "gpu", "disk", "shm"]);

    let (_, c) = check_completion("name: x\nenv_vars: {}\nresources:\n  gpu: $0\n");
    assert_offers(&c, &["A100:1", "H100:8", "T4:1"]);

    let (_, c) = check_completion("name: x\nenv_vars: {}\ncache: $0\n");
    assert_offers(&c, &["auto", "override", "disable"]);

    let (_, c) = check_completion("name: x\nenv_vars: {}\ninterruptible: $0\n");
    assert_eq!(labels(&c), ["true", "false"]);
}

#[test]
fn inline_pod_template_in_a_task_environment() {
    let (_, c) = check_completion("name: x\npod_template:\n  $0\n");
    assert_eq!(
        labels(&c),
        [
            "primary_container_name",
            "labels",
            "annotations",
            "pod_spec"
        ]
    );
    let (_, c) = check_completion("name: x\npod_template:\n  labels:\n    $0\n");
    assert_offers(&c, &["app.kubernetes.io/name", "app.kubernetes.io/part-of"]);
}

#[test]
fn kubernetes_pod_template_deep_keys() {
    let (_, c) = check_completion(
        r#"apiVersion: v1
kind: PodTemplate
metadata:
  name: gpu
template:
  spec:
    containers:
      - name: primary
        securityContext:
          $0
"#,
    );
    assert_offers(
        &c,
        &["runAsUser", "runAsNonRoot", "capabilities", "privileged"],
    );

    let (_, c) = check_completion(
        "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  tolerations:\n    - operator: $0\n",
    );
    assert_eq!(labels(&c), ["Equal", "Exists"]);
    let (_, c) = check_completion("apiVersion: v1\nkind: Pod\n$0\n");
    assert_offers(&c, &["metadata", "spec"]);
    assert_lacks(&c, &["status", "kind", "apiVersion"]);
}

#[test]
fn probes_affinity_and_volumes() {
    let (_, c) = check_completion(
        "pod_spec:\n  containers:\n    - name: a\n      livenessProbe:\n        httpGet:\n          $0\n",
    );
    assert_offers(&c, &["path", "port", "scheme", "httpHeaders"]);
    let (_, c) =
        check_completion("pod_spec:\n  containers: []\n  affinity:\n    nodeAffinity:\n      $0\n");
    assert_offers(
        &c,
        &[
            "requiredDuringSchedulingIgnoredDuringExecution",
            "preferredDuringSchedulingIgnoredDuringExecution",
        ],
    );
    let (_, c) = check_completion(
        "pod_spec:\n  containers: []\n  volumes:\n    - name: shm\n      emptyDir:\n        medium: $0\n",
    );
    assert_eq!(labels(&c), ["Memory", "HugePages"]);
}

#[test]
fn list_snippets_carry_the_required_fields() {
    let (_, c) = check_completion("pod_spec:\n  $0\n");
    assert_eq!(
        item(&c, "containers").insert_text,
        "containers:\n  - name: $1\n    image: $2"
    );
    assert_eq!(item(&c, "volumes").insert_text, "volumes:\n  - name: $1");
    let (_, c) = check_completion("pod_spec:\n  containers:\n    - name: a\n      $0\n");
    assert_eq!(
        item(&c, "volumeMounts").insert_text,
        "volumeMounts:\n  - name: $1\n    mountPath: $2"
    );
    assert_eq!(item(&c, "args").insert_text, "args:\n  - $0");
}

#[test]
fn snake_case_keys_count_as_present_in_flyte_documents() {
    let (_, c) = check_completion(
        "pod_spec:\n  containers:\n    - name: a\n      image_pull_policy: Always\n      $0\n",
    );
    assert_lacks(&c, &["imagePullPolicy"]);
    assert_offers(&c, &["image"]);
}

// ---- values defined in the document ------------------------------------------------------

#[test]
fn primary_container_name_offers_the_containers() {
    let (_, c) = check_completion(
        "primary_container_name: $0\npod_spec:\n  containers:\n    - name: main\n    - name: sidecar\n",
    );
    assert_eq!(labels(&c), ["main", "sidecar"]);
    assert_eq!(item(&c, "main").detail.as_deref(), Some("container"));

    // Inline in a task environment, with the document broken below.
    let (_, c) = check_completion(
        "name: x\npod_template:\n  primary_container_name: m$0\n  pod_spec:\n    containers:\n      - name: main\n        image: \"oops\n",
    );
    assert_eq!(labels(&c), ["main"]);
}

#[test]
fn container_names_in_any_list_style() {
    // Compact (dash at the key's column), quoted, and names below the dash line.
    let (_, c) = check_completion(
        "primary_container_name: $0\npod_spec:\n  containers:\n  - image: x\n    name: \"main\"\n  - name: 'side'\n  volumes: []\n",
    );
    assert_eq!(labels(&c), ["main", "side"]);
    // Flow style is read from the tree.
    let (_, c) = check_completion(
        "primary_container_name: $0\npod_spec:\n  containers: [{name: a, image: x}, {name: b}]\n",
    );
    assert_eq!(labels(&c), ["a", "b"]);
    // Containers of another template in the file do not count.
    let (_, c) = check_completion(
        "primary_container_name: $0\npod_spec:\n  containers:\n    - name: mine\n---\nprimary_container_name: x\npod_spec:\n  containers:\n    - name: theirs\n",
    );
    assert_eq!(labels(&c), ["mine"]);
}

#[test]
fn pod_template_strings_offer_the_workspace_templates() {
    let mut index = WorkspaceIndex::default();
    index.update(
        Path::new("/w/templates.yaml"),
        "apiVersion: v1\nkind: PodTemplate\nmetadata:\n  name: gpu-a100\ntemplate:\n  spec:\n    containers: []\n",
    );
    let fixture = "name: train\npod_template: $0\n---\napiVersion: v1\nkind: PodTemplate\nmetadata:\n  name: local-one\ntemplate:\n  spec:\n    containers: []\n";
    let at = fixture.find("$0").expect("cursor");
    let text = fixture.replacen("$0", "", 1);
    let stream = flyte_lsp::engine::parse(&text);
    let c = flyte_lsp::engine::completions_lazy(
        &text,
        &|| &stream,
        &Settings::default(),
        Some(&index),
        at,
    );
    assert_eq!(labels(&c), ["gpu-a100", "local-one"]);
    assert_eq!(item(&c, "gpu-a100").detail.as_deref(), Some("PodTemplate"));
    // Without an index, the file's own templates still count.
    let (_, c) = check_completion(fixture);
    assert_eq!(labels(&c), ["local-one"]);
}

#[test]
fn volume_mount_names_offer_the_volumes() {
    let (_, c) = check_completion(
        r#"pod_spec:
  containers:
    - name: a
      volumeMounts:
        - name: $0
          mountPath: /data
  volumes:
    - name: data
      emptyDir: {}
    - name: cache
      emptyDir: {}
"#,
    );
    assert_eq!(labels(&c), ["data", "cache"]);
}

#[test]
fn enums_kubernetes_schemas_lack() {
    for (fixture, want) in [
        (
            "pod_spec:\n  restartPolicy: $0\n  containers: []\n",
            &["Always", "OnFailure", "Never"][..],
        ),
        (
            "pod_spec:\n  dnsPolicy: $0\n  containers: []\n",
            &["ClusterFirstWithHostNet", "ClusterFirst", "Default", "None"][..],
        ),
        (
            "pod_spec:\n  containers:\n    - name: a\n      ports:\n        - containerPort: 80\n          protocol: $0\n",
            &["TCP", "UDP", "SCTP"][..],
        ),
        (
            "pod_spec:\n  containers: []\n  tolerations:\n    - key: gpu\n      effect: $0\n",
            &["NoSchedule", "PreferNoSchedule", "NoExecute"][..],
        ),
        (
            "pod_spec:\n  containers: []\n  preemptionPolicy: $0\n",
            &["PreemptLowerPriority", "Never"][..],
        ),
        (
            "pod_spec:\n  containers: []\n  hostNetwork: $0\n",
            &["true", "false"][..],
        ),
    ] {
        let (_, c) = check_completion(fixture);
        assert_eq!(labels(&c), want, "{fixture}");
    }
}

#[test]
fn crlf_line_endings() {
    let (text, c) = check_completion(
        "pod_spec:\r\n  containers:\r\n    - name: a\r\n      imagePu$0\r\n      image: x\r\n",
    );
    let i = item(&c, "imagePullPolicy");
    assert_eq!(&text[i.replace_range.clone().expect("range")], "imagePu");
    assert_lacks(&c, &["name", "image"]);
    let (_, c) = check_completion("pod_spec:\r\n  restartPolicy: $0\r\n  containers: []\r\n");
    assert_eq!(labels(&c), ["Always", "OnFailure", "Never"]);
}

#[test]
fn value_on_the_line_below_its_key() {
    let (_, c) = check_completion(
        "pod_spec:\n  containers:\n    - name: a\n      imagePullPolicy:\n        $0\n",
    );
    assert_eq!(labels(&c), ["Always", "IfNotPresent", "Never"]);
}

#[test]
fn kubernetes_pod_template_volume_names() {
    let (_, c) = check_completion(
        r#"apiVersion: v1
kind: PodTemplate
metadata:
  name: t
template:
  spec:
    containers:
      - name: primary
        volumeMounts:
          - mountPath: /dev/shm
            name: $0
    volumes:
      - name: dshm
        emptyDir:
          medium: Memory
"#,
    );
    assert_eq!(labels(&c), ["dshm"]);
}

// ---- silence and document boundaries -----------------------------------------------------

#[test]
fn unrelated_yaml_gets_nothing() {
    for fixture in [
        "name: ci\non: push\njobs:\n  build:\n    $0\n",
        "services:\n  web:\n    image: nginx\n    $0\n",
        "replicaCount: 1\nimage:\n  repository: x\n  $0\n",
        "$0",
        "- hosts: all\n  $0\n",
        "apiVersion: apps/v1\nkind: Deployment\nspec:\n  $0\n",
    ] {
        let (_, c) = check_completion(fixture);
        assert!(c.items.is_empty(), "{fixture:?} offered {:?}", labels(&c));
    }
}

#[test]
fn empty_document_in_a_flyte_file_or_with_a_modeline() {
    let (_, c) = check_completion("name: a\nenv_vars: {}\n---\n$0\n");
    assert_offers(&c, &["name", "image", "pod_template"]);

    let (_, c) = check_completion("# flyte-lsp: pod-template\n$0\n");
    assert_offers(&c, &["primary_container_name", "pod_spec"]);

    let (_, c) = check_completion("# flyte-lsp: pod-template\npod_spec:\n  $0\n");
    assert_offers(&c, &["containers", "volumes"]);

    // A document of another kind in the same file stays silent.
    let (_, c) = check_completion("name: a\nenv_vars: {}\n---\nname: ci\non: push\n$0\n");
    assert!(c.items.is_empty(), "{:?}", labels(&c));
}

#[test]
fn nothing_in_comments_or_block_scalars() {
    let (_, c) = check_completion("name: a\nenv_vars: {}\n# $0\n");
    assert!(c.items.is_empty());
    let (_, c) = check_completion(
        "pod_spec:\n  containers:\n    - name: a\n      args:\n        - |\n          echo $0\n",
    );
    assert!(c.items.is_empty(), "{:?}", labels(&c));
}

#[test]
fn fields_of_newer_kubernetes_follow_the_setting() {
    let (_, c) = check_completion("pod_spec:\n  containers: []\n  $0\n");
    let sg = item(&c, "schedulingGroup");
    assert!(sg
        .documentation
        .as_deref()
        .is_some_and(|d| d.contains("Since Kubernetes 1.36.")));
    let old = Settings::with_kubernetes_version("1.35");
    let (_, c) = check_completion_with("pod_spec:\n  containers: []\n  $0\n", &old);
    assert_lacks(&c, &["schedulingGroup"]);
}

#[test]
fn never_panics_at_any_offset() {
    let nasty = [
        "pod_spec:\r\n  containers:\r\n    - name: a\r\n      imagePu\r\n      \r\n",
        "name: é☕🚀\nenv_vars: {\"ü\": \"ö\"}\npod_template:\n  pod_spec:\n    containers:\n\t- name: x\n",
        "primary_container_name: 'a''b'\npod_spec: {containers: [{name: a, resources: {limits: {cpu: 1}}}]}\n",
        "pod_spec:\n  containers:\n    - name: a\n      args:\n        - |\n          key: value\n        - >-\n          x\n      env: &e\n        - name: A\n      envFrom: *e\n",
        "---\n---\n...\n--- # c\n- - - a\n  - b\n-\n- \"unclosed\n",
        "name: x\rpod_template: y\r  pod_spec:\r",
        "# flyte-lsp: pod-template\n\"pod_spec\":\n  \"containers\":\n    - \"name\": \"a\"\n      ? complex\n      : value\n",
        "apiVersion: v1\nkind: Pod\nspec:\n  containers:\n  - name: a\n    resources:\n      limits:\n        memory: 500m\n        cpu: 1e99\n",
        ":\n: :\n- :\n  -\n    - :x\n\"\n'",
    ];
    let settings = Settings::default();
    for text in nasty {
        let stream = flyte_lsp::engine::parse(text);
        for offset in 0..=text.len() + 2 {
            let _ = flyte_lsp::engine::completions_lazy(text, &|| &stream, &settings, None, offset);
            let _ = flyte_lsp::engine::hover_parsed(text, &stream, &settings, None, offset);
        }
    }
}
