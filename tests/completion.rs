//! Completion fixtures: a YAML document with `$0` at the cursor, and the labels that must (and
//! must not) be offered there. Most fixtures are broken the way documents are while typing.
//!
//! At a few representative positions the whole list is a snapshot (`expect-test`): one line per
//! item, in the order returned, with its sort text, kind, detail and insert text. After a
//! deliberate change, `UPDATE_EXPECT=1 cargo test --test completion` rewrites them; review the
//! diff.

use flyte_lsp::analysis::completion::{CompletionItem, Completions};
use std::path::Path;

use expect_test::{expect, expect_file, Expect};
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

/// The whole list, one item a line: `sort text | label | kind | detail | insert text`, then
/// `snippet` and `deprecated` when they apply.
fn render_list(c: &Completions) -> String {
    let mut out = String::new();
    for i in &c.items {
        out.push_str(&format!(
            "{} | {} | {:?} | {} | {:?}{}{}\n",
            i.sort_text,
            i.label,
            i.kind,
            i.detail.as_deref().unwrap_or("-"),
            i.insert_text,
            if i.is_snippet { " | snippet" } else { "" },
            if i.deprecated { " | deprecated" } else { "" },
        ));
    }
    out
}

#[track_caller]
fn check_list(fixture: &str, expect: Expect) {
    let (_, c) = check_completion(fixture);
    expect.assert_eq(&render_list(&c));
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
    check_list(
        "env_vars: {A: b}\ncache: auto\n$0\n",
        expect![[r#"
        0_name | name | Field | string | "name: "
        1_image | image | Field | string | "image: "
        1_resources | resources | Field | Flyte Resources | "resources:\n  $0" | snippet
        1_secrets | secrets | Field | string or Flyte Secret or list of string or Flyte Secret | "secrets: "
        1_service_account | service_account | Field | string | "service_account: "
        1_pod_template | pod_template | Field | string or Flyte PodTemplate | "pod_template: "
        1_description | description | Field | string | "description: "
        1_interruptible | interruptible | Field | boolean | "interruptible: "
        1_depends_on | depends_on | Field | list of string | "depends_on:\n  - $0" | snippet
        1_include | include | Field | list of string | "include:\n  - $0" | snippet
        1_reusable | reusable | Field | Flyte ReusePolicy | "reusable:\n  $0" | snippet
        1_plugin_config | plugin_config | Field | any | "plugin_config: "
        1_queue | queue | Field | string | "queue: "
    "#]],
    );
}

// ---- whole lists at representative positions --------------------------------------------

#[test]
fn snapshot_container_keys_in_a_flyte_pod_template() {
    check_list(
        "primary_container_name: main\npod_spec:\n  containers:\n    - name: main\n      image: x\n      $0\n",
        expect![[r#"
            1_args | args | Field | list of string | "args:\n  - $0" | snippet
            1_command | command | Field | list of string | "command:\n  - $0" | snippet
            1_env | env | Field | list of EnvVar | "env:\n  - name: $1\n    value: $2" | snippet
            1_envFrom | envFrom | Field | list of EnvFromSource | "envFrom:\n  - $0" | snippet
            1_imagePullPolicy | imagePullPolicy | Field | string | "imagePullPolicy: "
            1_lifecycle | lifecycle | Field | Lifecycle | "lifecycle:\n  $0" | snippet
            1_livenessProbe | livenessProbe | Field | Probe | "livenessProbe:\n  $0" | snippet
            1_ports | ports | Field | list of ContainerPort | "ports:\n  - containerPort: $1" | snippet
            1_readinessProbe | readinessProbe | Field | Probe | "readinessProbe:\n  $0" | snippet
            1_resizePolicy | resizePolicy | Field | list of ContainerResizePolicy | "resizePolicy:\n  - resourceName: $1\n    restartPolicy: $2" | snippet
            1_resources | resources | Field | ResourceRequirements | "resources:\n  $0" | snippet
            1_restartPolicy | restartPolicy | Field | string | "restartPolicy: "
            1_restartPolicyRules | restartPolicyRules | Field | list of ContainerRestartRule | "restartPolicyRules:\n  - action: $1" | snippet
            1_securityContext | securityContext | Field | SecurityContext | "securityContext:\n  $0" | snippet
            1_startupProbe | startupProbe | Field | Probe | "startupProbe:\n  $0" | snippet
            1_stdin | stdin | Field | boolean | "stdin: "
            1_stdinOnce | stdinOnce | Field | boolean | "stdinOnce: "
            1_terminationMessagePath | terminationMessagePath | Field | string | "terminationMessagePath: "
            1_terminationMessagePolicy | terminationMessagePolicy | Field | string | "terminationMessagePolicy: "
            1_tty | tty | Field | boolean | "tty: "
            1_volumeDevices | volumeDevices | Field | list of VolumeDevice | "volumeDevices:\n  - name: $1\n    devicePath: $2" | snippet
            1_volumeMounts | volumeMounts | Field | list of VolumeMount | "volumeMounts:\n  - name: $1\n    mountPath: $2" | snippet
            1_workingDir | workingDir | Field | string | "workingDir: "
        "#]],
    );
}

#[test]
fn snapshot_pod_spec_keys_in_a_kubernetes_pod_template() {
    check_list(
        "apiVersion: v1\nkind: PodTemplate\nmetadata:\n  name: gpu\ntemplate:\n  spec:\n    containers: []\n    $0\n",
        expect![[r#"
            1_activeDeadlineSeconds | activeDeadlineSeconds | Field | integer | "activeDeadlineSeconds: "
            1_affinity | affinity | Field | Affinity | "affinity:\n  $0" | snippet
            1_automountServiceAccountToken | automountServiceAccountToken | Field | boolean | "automountServiceAccountToken: "
            1_dnsConfig | dnsConfig | Field | PodDNSConfig | "dnsConfig:\n  $0" | snippet
            1_dnsPolicy | dnsPolicy | Field | string | "dnsPolicy: "
            1_enableServiceLinks | enableServiceLinks | Field | boolean | "enableServiceLinks: "
            1_ephemeralContainers | ephemeralContainers | Field | list of EphemeralContainer | "ephemeralContainers:\n  - name: $1\n    image: $2" | snippet
            1_evictionResponders | evictionResponders | Field | list of EvictionResponder | "evictionResponders:\n  - name: $1\n    priority: $2" | snippet
            1_hostAliases | hostAliases | Field | list of HostAlias | "hostAliases:\n  - ip: $1" | snippet
            1_hostIPC | hostIPC | Field | boolean | "hostIPC: "
            1_hostNetwork | hostNetwork | Field | boolean | "hostNetwork: "
            1_hostPID | hostPID | Field | boolean | "hostPID: "
            1_hostUsers | hostUsers | Field | boolean | "hostUsers: "
            1_hostname | hostname | Field | string | "hostname: "
            1_hostnameOverride | hostnameOverride | Field | string | "hostnameOverride: "
            1_imagePullSecrets | imagePullSecrets | Field | list of LocalObjectReference | "imagePullSecrets:\n  - name: $1" | snippet
            1_initContainers | initContainers | Field | list of Container | "initContainers:\n  - name: $1\n    image: $2" | snippet
            1_nodeName | nodeName | Field | string | "nodeName: "
            1_nodeSelector | nodeSelector | Field | map of string | "nodeSelector:\n  $0" | snippet
            1_os | os | Field | PodOS | "os:\n  $0" | snippet
            1_overhead | overhead | Field | map of quantity | "overhead:\n  $0" | snippet
            1_preemptionPolicy | preemptionPolicy | Field | string | "preemptionPolicy: "
            1_priority | priority | Field | integer | "priority: "
            1_priorityClassName | priorityClassName | Field | string | "priorityClassName: "
            1_readinessGates | readinessGates | Field | list of PodReadinessGate | "readinessGates:\n  - conditionType: $1" | snippet
            1_resourceClaims | resourceClaims | Field | list of PodResourceClaim | "resourceClaims:\n  - name: $1" | snippet
            1_resources | resources | Field | ResourceRequirements | "resources:\n  $0" | snippet
            1_restartPolicy | restartPolicy | Field | string | "restartPolicy: "
            1_runtimeClassName | runtimeClassName | Field | string | "runtimeClassName: "
            1_schedulerName | schedulerName | Field | string | "schedulerName: "
            1_schedulingGates | schedulingGates | Field | list of PodSchedulingGate | "schedulingGates:\n  - name: $1" | snippet
            1_schedulingGroup | schedulingGroup | Field | PodSchedulingGroup | "schedulingGroup:\n  $0" | snippet
            1_securityContext | securityContext | Field | PodSecurityContext | "securityContext:\n  $0" | snippet
            2_serviceAccount | serviceAccount | Field | string | "serviceAccount: " | deprecated
            1_serviceAccountName | serviceAccountName | Field | string | "serviceAccountName: "
            1_setHostnameAsFQDN | setHostnameAsFQDN | Field | boolean | "setHostnameAsFQDN: "
            1_shareProcessNamespace | shareProcessNamespace | Field | boolean | "shareProcessNamespace: "
            1_subdomain | subdomain | Field | string | "subdomain: "
            1_terminationGracePeriodSeconds | terminationGracePeriodSeconds | Field | integer | "terminationGracePeriodSeconds: "
            1_tolerations | tolerations | Field | list of Toleration | "tolerations:\n  - key: $1\n    operator: $2\n    effect: $3" | snippet
            1_topologySpreadConstraints | topologySpreadConstraints | Field | list of TopologySpreadConstraint | "topologySpreadConstraints:\n  - maxSkew: $1\n    topologyKey: $2\n    whenUnsatisfiable: $3" | snippet
            1_volumes | volumes | Field | list of Volume | "volumes:\n  - name: $1" | snippet
        "#]],
    );
}

#[test]
fn snapshot_resource_names_under_limits() {
    check_list(
        "pod_spec:\n  containers:\n    - name: main\n      resources:\n        limits:\n          cpu: \"1\"\n          $0\n",
        expect![[r#"
            0_001 | memory | Field | resource | "memory: "
            0_002 | ephemeral-storage | Field | resource | "ephemeral-storage: "
            0_003 | nvidia.com/gpu | Field | resource | "nvidia.com/gpu: "
            0_004 | hugepages-2Mi | Field | resource | "hugepages-2Mi: "
            0_005 | hugepages-1Gi | Field | resource | "hugepages-1Gi: "
        "#]],
    );
}

#[test]
fn snapshot_gpu_accelerators() {
    // The closed list of `flyte.Resources(gpu=...)` strings (facts §2), long enough for a file.
    let (_, c) = check_completion("name: x\nenv_vars: {}\nresources:\n  gpu: $0\n");
    expect_file!["snapshots/completion-gpu-accelerators.txt"].assert_eq(&render_list(&c));
}

#[test]
fn snapshot_security_context_keys() {
    check_list(
        "apiVersion: v1\nkind: PodTemplate\nmetadata:\n  name: gpu\ntemplate:\n  spec:\n    containers:\n      - name: primary\n        securityContext:\n          $0\n",
        expect![[r#"
            1_allowPrivilegeEscalation | allowPrivilegeEscalation | Field | boolean | "allowPrivilegeEscalation: "
            1_appArmorProfile | appArmorProfile | Field | AppArmorProfile | "appArmorProfile:\n  $0" | snippet
            1_capabilities | capabilities | Field | Capabilities | "capabilities:\n  $0" | snippet
            1_privileged | privileged | Field | boolean | "privileged: "
            1_procMount | procMount | Field | string | "procMount: "
            1_readOnlyRootFilesystem | readOnlyRootFilesystem | Field | boolean | "readOnlyRootFilesystem: "
            1_runAsGroup | runAsGroup | Field | integer | "runAsGroup: "
            1_runAsNonRoot | runAsNonRoot | Field | boolean | "runAsNonRoot: "
            1_runAsUser | runAsUser | Field | integer | "runAsUser: "
            1_seLinuxOptions | seLinuxOptions | Field | SELinuxOptions | "seLinuxOptions:\n  $0" | snippet
            1_seccompProfile | seccompProfile | Field | SeccompProfile | "seccompProfile:\n  $0" | snippet
            1_windowsOptions | windowsOptions | Field | WindowsSecurityContextOptions | "windowsOptions:\n  $0" | snippet
        "#]],
    );
}

#[test]
fn flyte_resources_and_values() {
    check_list(
        "name: x\nenv_vars: {}\nresources:\n  cpu: 1\n  $0\n",
        expect![[r#"
            1_memory | memory | Field | string or list of string | "memory: "
            1_gpu | gpu | Field | integer or string | "gpu: "
            1_disk | disk | Field | string | "disk: "
            1_shm | shm | Field | string | "shm: "
        "#]],
    );

    // `gpu:` values: `snapshot_gpu_accelerators`.

    let (_, c) = check_completion("name: x\nenv_vars: {}\ncache: $0\n");
    assert_offers(&c, &["auto", "override", "disable"]);

    let (_, c) = check_completion("name: x\nenv_vars: {}\ninterruptible: $0\n");
    assert_eq!(labels(&c), ["true", "false"]);
}

#[test]
fn inline_pod_template_in_a_task_environment() {
    check_list(
        "name: x\npod_template:\n  $0\n",
        expect![[r#"
        1_primary_container_name | primary_container_name | Field | string | "primary_container_name: "
        1_labels | labels | Field | map of string | "labels:\n  $0" | snippet
        1_annotations | annotations | Field | map of string | "annotations:\n  $0" | snippet
        1_pod_spec | pod_spec | Field | PodSpec | "pod_spec:\n  $0" | snippet
    "#]],
    );
    check_list(
        "name: x\npod_template:\n  labels:\n    $0\n",
        expect![[r#"
        0_000 | app.kubernetes.io/name | Field | label | "app.kubernetes.io/name: "
        0_001 | app.kubernetes.io/instance | Field | label | "app.kubernetes.io/instance: "
        0_002 | app.kubernetes.io/version | Field | label | "app.kubernetes.io/version: "
        0_003 | app.kubernetes.io/component | Field | label | "app.kubernetes.io/component: "
        0_004 | app.kubernetes.io/part-of | Field | label | "app.kubernetes.io/part-of: "
        0_005 | app.kubernetes.io/managed-by | Field | label | "app.kubernetes.io/managed-by: "
    "#]],
    );
}

#[test]
fn kubernetes_pod_template_deep_keys() {
    // Container `securityContext` keys: `snapshot_security_context_keys`.
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
    check_list(
        "primary_container_name: $0\npod_spec:\n  containers:\n    - name: main\n    - name: sidecar\n",
        expect![[r#"
            0_0000 | main | Value | container | "main"
            0_0001 | sidecar | Value | container | "sidecar"
        "#]],
    );

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
