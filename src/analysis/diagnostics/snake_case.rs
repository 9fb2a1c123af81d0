//! FLY102: a snake_case spelling of a camelCase Kubernetes field (the Python client's names).

use crate::schema::SchemaNode;
use crate::tree::Entry;

use super::{Applies, Check, Ctx, Family, KeyVerdict, Reads, Rule, Severity, Surface};

pub static RULE: Rule = Rule {
    code: "FLY102",
    name: "snake-case-field",
    severity: Severity::Warning,
    applies: Applies::Surface(Surface::YamlSpelling),
    safe_fix: true,
    reads: Reads::NOTHING,
    summary: "A Kubernetes field written with the Python client's snake_case attribute name. The \
              kubernetes ≥ 37 Python models accept both spellings, but older clients silently drop \
              the key and Kubernetes manifests reject it; write the camelCase field. Inside Flyte \
              documents the rest of the analysis reads it as the camelCase field. In a Kubernetes \
              object it is an unknown field (FLY101).",
    bad: "pod_spec:\n  containers:\n    - name: primary\n      volume_mounts:\n        - name: data\n          mountPath: /data\n",
    good: "pod_spec:\n  containers:\n    - name: primary\n      volumeMounts:\n        - name: data\n          mountPath: /data\n",
    source: "kubernetes Python client 37.x models (`populate_by_name`); flyteorg/flytesnacks#202",
};

pub static FAMILY: Family = Family {
    rules: &[&RULE],
    check: Check::UnknownKey(unknown_key),
};

/// In a Flyte document, a snake_case key whose camelCase field exists is that field, spelled
/// the Python client's way: warn, and read it as the field. In a Kubernetes object it is an
/// unknown field, left to the catch-all.
fn unknown_key(ctx: &mut Ctx<'_>, entry: &Entry, schema: SchemaNode<'_>) -> KeyVerdict {
    if !ctx.kind.is_flyte() {
        return KeyVerdict::Pass;
    }
    let Some(camel) = entry.key_str().and_then(|key| camel_property(schema, key)) else {
        return KeyVerdict::Pass;
    };
    report(ctx, entry, &camel);
    KeyVerdict::ReadAs(camel)
}

/// The camelCase property `key` stands for, when `key` is snake_case and the schema has it.
pub(super) fn camel_property(schema: SchemaNode<'_>, key: &str) -> Option<String> {
    crate::analysis::lookup::camel_property(&schema, key).map(String::from)
}

pub(super) fn report(ctx: &mut Ctx<'_>, entry: &Entry, camel: &str) {
    let key = entry.key_str().unwrap_or_default();
    let message = format!(
        "`{key}` is the Python client's spelling; write `{camel}` (older clients drop `{key}`, Kubernetes rejects it)"
    );
    let edit = ctx.writer.rename_key(&entry.key, camel);
    ctx.report(&RULE, entry.key.span.clone(), message)
        .with_edit(format!("Rename to `{camel}`"), edit);
}

#[cfg(test)]
mod tests {
    use crate::analysis::diagnostics::fixture::{check, check_fix};

    #[test]
    fn acronym_fields_take_the_clients_spelling() {
        // `host_ipc` is the client's name for `hostIPC` (not `hostIpc`): a snake_case key, not
        // an unknown field.
        check(
            r#"name: train
pod_template:
  pod_spec:
    host_ipc: true
#   ^^^^^^^^ warning FLY102: `host_ipc` is the Python client's spelling; write `hostIPC` (older clients drop `host_ipc`, Kubernetes rejects it)
    set_hostname_as_fqdn: yes
#   ^^^^^^^^^^^^^^^^^^^^ warning FLY102: `set_hostname_as_fqdn` is the Python client's spelling; write `setHostnameAsFQDN` (older clients drop `set_hostname_as_fqdn`, Kubernetes rejects it)
    host_Ipc: true
#   ^^^^^^^^ error FLY101: unknown field `host_Ipc` in PodSpec; did you mean `hostIPC`?
    containers:
      - name: primary
"#,
        );
    }

    #[test]
    fn warns_in_flyte_documents_and_reads_the_field() {
        check(
            r#"name: train
env_vars: {A: "1"}
pod_template:
  pod_spec:
    image_pull_secrets:
#   ^^^^^^^^^^^^^^^^^^ warning FLY102: `image_pull_secrets` is the Python client's spelling; write `imagePullSecrets` (older clients drop `image_pull_secrets`, Kubernetes rejects it)
      - nmae: registry
#       ^^^^ error FLY101: unknown field `nmae` in LocalObjectReference; did you mean `name`?
    containers:
      - name: primary
"#,
        );
    }

    #[test]
    fn is_an_unknown_field_in_kubernetes_objects() {
        check(
            r#"apiVersion: v1
kind: PodTemplate
metadata:
  name: gpu
template:
  spec:
    image_pull_secrets: []
#   ^^^^^^^^^^^^^^^^^^ error FLY101: unknown field `image_pull_secrets` in PodSpec; did you mean `imagePullSecrets`?
    containers:
      - name: main
        image: busybox
"#,
        );
    }

    #[test]
    fn camel_case_is_fine() {
        check("pod_spec:\n  imagePullSecrets: []\n  containers: []\n");
    }

    #[test]
    fn rename_fix() {
        check_fix(
            "pod_spec:\n  containers:\n    - name: primary\n      volume_mounts: []\n",
            "Rename to `volumeMounts`",
            "pod_spec:\n  containers:\n    - name: primary\n      volumeMounts: []\n",
        );
    }
}
