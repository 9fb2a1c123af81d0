//! Hover fixtures: a YAML document with `$0` on a key or value, and what the Markdown must say.

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

#[test]
fn task_environment_keys() {
    let (word, md) = check_hover("name: x\nenv_vars: {}\nin$0terruptible: true\n").expect("hover");
    assert_eq!(word, "interruptible");
    assert!(md.starts_with("**`interruptible`** · boolean"), "{md}");
    assert!(md.contains("spot/preemptible nodes"), "{md}");
    assert!(md.contains("Default: `false`"), "{md}");
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
