//! Hover fixtures: a YAML document with `$0` on a key or value, and what the Markdown must say.
//! At a few representative positions the whole hover (the hovered text and the Markdown) is a
//! snapshot (`expect-test`); `UPDATE_EXPECT=1 cargo test --test hover` rewrites them after a
//! deliberate change.

use expect_test::{expect, Expect};
use flyte_lsp::settings::Settings;

/// Hover at the `$0` marker: (the hovered text, the Markdown).
fn check_hover(fixture: &str) -> Option<(String, String)> {
    let at = fixture.find("$0").expect("fixture has a $0 cursor");
    let text = fixture.replacen("$0", "", 1);
    let stream = flyte_lsp::engine::parse(&text);
    let h = flyte_lsp::engine::hover_parsed(&text, &stream, &Settings::default(), None, at)?;
    Some((text[h.range].to_string(), h.markdown))
}

#[track_caller]
fn markdown(fixture: &str) -> String {
    check_hover(fixture).expect("a hover").1
}

/// The hover as a snapshot: `hovered: <text>`, a blank line, the Markdown.
#[track_caller]
fn check_snapshot(fixture: &str, expect: Expect) {
    let (word, md) = check_hover(fixture).expect("a hover");
    expect.assert_eq(&format!("hovered: {word}\n\n{md}\n"));
}

#[test]
fn snapshot_a_task_environment_key() {
    check_snapshot(
        "name: x\nenv_vars: {}\nin$0terruptible: true\n",
        expect![[r#"
            hovered: interruptible

            **`interruptible`** · boolean

            Whether tasks may run on spot/preemptible nodes. Default false; when true the backend adds the platform's interruptible tolerations, node selector and affinity to the pod.

            Default: `false`
        "#]],
    );
}

#[test]
fn snapshot_a_kubernetes_enum_field() {
    check_snapshot(
        "pod_spec:\n  containers:\n    - name: a\n      imagePull$0Policy: Always\n",
        expect![[r#"
            hovered: imagePullPolicy

            **`imagePullPolicy`** · string

            Image pull policy. One of Always, Never, IfNotPresent. Defaults to Always if :latest tag is specified, or IfNotPresent otherwise. Cannot be updated. More info: https://kubernetes.io/docs/concepts/containers/images#updating-images

            Allowed values: `Always`, `IfNotPresent`, `Never`
        "#]],
    );
}

#[test]
fn snapshot_a_quantity_value() {
    check_snapshot(
        "pod_spec:\n  containers:\n    - name: a\n      resources:\n        limits:\n          memory: 1.5G$0i\n",
        expect![[r#"
            hovered: 1.5Gi

            `1.5Gi` = 1,610,612,736 bytes

            **`memory`** · quantity

            Memory, in bytes: `512Mi`, `4Gi` (powers of 1024) or `500M`, `4G` (powers of 1000).
        "#]],
    );
}

#[test]
fn snapshot_the_primary_containers_resources() {
    check_snapshot(
        "name: x\npod_template:\n  pod_spec:\n    containers:\n      - name: primary\n        image: y\n        resour$0ces: {}\n",
        expect![[r#"
            hovered: resources

            **`resources`** · ResourceRequirements

            Compute Resources required by this container. Cannot be updated. More info: https://kubernetes.io/docs/concepts/configuration/manage-resources-containers/

            **Flyte primary container** `primary`: the task runs here, and the SDK rewrites it when it registers the task:

            - `resources`: the environment's `resources` are merged into `requests` and `limits` key by key; the environment's values win, other keys here (such as `nvidia.com/gpu`) are kept.
        "#]],
    );
}

#[test]
fn snapshot_a_string_pod_template() {
    check_snapshot(
        "name: train\nenv_vars: {}\npod_template: gpu-$0default\n---\napiVersion: v1\nkind: PodTemplate\nmetadata:\n  name: gpu-default\ntemplate:\n  spec:\n    containers: []\n",
        expect![[r#"
            hovered: gpu-default

            Names the Kubernetes PodTemplate `gpu-default` in the cluster (looked up in the run's namespace, then in Flyte's own). The backend uses it instead of the default template and merges the task's pod over it at run time; the SDK does not check that it exists.

            Defined in this file, line 8:

            The pod it runs with this template merged in (preview, cluster layer):

            ```yaml
            apiVersion: v1
            kind: Pod
            metadata: {}
            spec:
              containers:
              - name: primary
                image: ghcr.io/flyteorg/flyte:py<python version>-v2.12.1
                command: []
                args:
                - a0
                - --inputs
                - "{{.input}}"
                - --outputs-path
                - "{{.outputPrefix}}"
                - --version
                - <version>
                - --raw-data-path
                - "{{.rawOutputDataPrefix}}"
                - --checkpoint-path
                - "{{.checkpointOutputPrefix}}"
                - --prev-checkpoint
                - "{{.prevCheckpointPrefix}}"
                - --run-name
                - "{{.runName}}"
            # …
            ```

            **`pod_template`** · string or Flyte PodTemplate

            Pod customisation. A string names a Kubernetes PodTemplate in the cluster that the backend applies at run time instead of the default template; an inline template's pod_spec becomes the task pod. Default: none. A pod_template on `@env.task` replaces this one entirely.
        "#]],
    );
}

#[test]
fn flow_style_is_read_from_the_tree() {
    let md =
        markdown("pod_spec: {containers: [{name: a, resources: {limits: {memory: 1.5G$0i}}}]}\n");
    assert!(md.starts_with("`1.5Gi` = 1,610,612,736 bytes"), "{md}");
}

#[test]
fn after_a_syntax_error_the_text_is_read() {
    let md = markdown(
        "pod_spec:\n  hostname: \"open\n  containers:\n    - name: a\n      termination$0MessagePolicy: File\n",
    );
    assert!(
        md.starts_with("**`terminationMessagePolicy`** · string"),
        "{md}"
    );
    assert!(md.contains("`FallbackToLogsOnError`"), "{md}");
}

#[test]
fn values_explain_quantities_and_show_the_field() {
    let md = markdown("name: x\nenv_vars: {}\nresources:\n  memory: [\"2Gi\", \"4G$0i\"]\n");
    assert!(md.starts_with("`4Gi` = 4,294,967,296 bytes"), "{md}");
    assert!(md.contains("**`memory`**"), "{md}");
    let md = markdown(
        "pod_spec:\n  containers:\n    - name: a\n      resources:\n        requests:\n          memory: 50$00m\n",
    );
    assert!(md.contains("a fraction of a byte"), "{md}");
    let md = markdown(
        "pod_spec:\n  containers: []\n  volumes:\n    - name: shm\n      emptyDir:\n        sizeLimit: 1$0G\n",
    );
    assert!(md.starts_with("`1G` = 1,000,000,000 bytes"), "{md}");
}

#[test]
fn fields_newer_than_the_oldest_embedded_kubernetes_say_so() {
    let md = markdown("pod_spec:\n  containers: []\n  scheduling$0Group: {}\n");
    assert!(md.contains("Since Kubernetes 1.36."), "{md}");
    let md = markdown("pod_spec:\n  containers: []\n  host$0Network: true\n");
    assert!(!md.contains("Since"), "{md}");
}

#[test]
fn primary_container_fields() {
    let base = "name: x\npod_template:\n  pod_spec:\n    containers:\n      - name: primary\n        image: y\n        command: [sh]\n        args: [-c, x]\n        resources: {}\n        ports: []\n";
    for (field, says) in [
        ("image", "otherwise the task environment's `image`"),
        ("command", "replaced by `[]`"),
        ("args", "runtime command line"),
        ("resources", "the environment's values win"),
    ] {
        let fixture = base.replacen(
            &format!("        {field}:"),
            &format!("        {field}$0:"),
            1,
        );
        let md = markdown(&fixture);
        assert!(md.contains(says), "{field}: {md}");
    }
    let md = markdown(&base.replacen("        ports:", "        ports$0:", 1));
    assert!(!md.contains("Flyte primary container"), "{md}");
}

#[test]
fn cluster_template_magic_container_names() {
    let md = markdown(
        "apiVersion: v1\nkind: PodTemplate\nmetadata:\n  name: t\ntemplate:\n  spec:\n    containers:\n      - name: def$0ault\n        image: x\n",
    );
    assert!(md.contains("base of every task container"), "{md}");
}

#[test]
fn nothing_on_unrelated_yaml_comments_or_blank_lines() {
    assert!(check_hover("services:\n  web:\n    im$0age: nginx\n").is_none());
    assert!(check_hover("name: x\nenv_vars: {}\n# a com$0ment\n").is_none());
    assert!(check_hover("name: x\nenv_vars: {}\n\n  $0\n").is_none());
}
