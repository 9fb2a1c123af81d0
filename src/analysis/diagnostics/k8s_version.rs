//! FLY107: a field that exists only in a newer Kubernetes version than the one selected.

use crate::schema::{schemas, short_def_name, SchemaNode};
use crate::tree::Entry;

use super::{Applies, Check, Ctx, Family, KeyVerdict, Reads, Rule, Severity};

pub static RULE: Rule = Rule {
    code: "FLY107",
    name: "field-needs-newer-kubernetes",
    severity: Severity::Error,
    applies: Applies::Everywhere,
    safe_fix: false,
    reads: Reads::NOTHING,
    summary: "The field exists in Kubernetes, but only from a newer version than the one selected \
              with `kubernetesVersion` (default: the newest embedded). An older API server rejects \
              it as an unknown field.",
    bad: "# with kubernetesVersion = \"1.35\"\npod_spec:\n  containers: []\n  schedulingGroup:\n    podGroupName: trainers\n",
    good: "# with kubernetesVersion = \"1.36\" or newer\npod_spec:\n  containers: []\n  schedulingGroup:\n    podGroupName: trainers\n",
    source: "Kubernetes OpenAPI schemas of each embedded version (k8s-openapi 0.29, schemas/k8s/)",
};

pub static FAMILY: Family = Family {
    rules: &[&RULE],
    check: Check::UnknownKey(unknown_key),
};

fn unknown_key(ctx: &mut Ctx<'_>, entry: &Entry, schema: SchemaNode<'_>) -> KeyVerdict {
    if check(ctx, entry, schema) {
        KeyVerdict::Reported
    } else {
        KeyVerdict::Pass
    }
}

/// Reports and returns `true` when `entry`'s key is a field of the same definition in a newer
/// embedded Kubernetes version.
pub(super) fn check(ctx: &mut Ctx<'_>, entry: &Entry, schema: SchemaNode<'_>) -> bool {
    let (Some(def), Some(key)) = (schema.def, entry.key_str()) else {
        return false;
    };
    let selected = ctx.set.version;
    let Some(added) = schemas()
        .newer_than(selected)
        .find(|set| set.def(def).and_then(|d| d.property(set, key)).is_some())
    else {
        return false;
    };
    let message = format!(
        "`{key}` in {} needs Kubernetes {} or newer; the selected version is {selected}",
        short_def_name(def),
        added.version
    );
    ctx.report(&RULE, entry.key.span.clone(), message);
    true
}

#[cfg(test)]
mod tests {
    use crate::analysis::diagnostics::fixture::check_with;
    use crate::settings::Settings;

    #[test]
    fn fields_from_newer_versions_name_the_version() {
        let old = Settings::with_kubernetes_version("1.35");
        check_with(
            &old,
            r#"primary_container_name: primary
pod_spec:
  containers: []
  schedulingGroup: {}
# ^^^^^^^^^^^^^^^ error FLY107: `schedulingGroup` in PodSpec needs Kubernetes 1.36 or newer; the selected version is 1.35
"#,
        );
        check_with(
            &Settings::default(),
            "primary_container_name: primary\npod_spec:\n  containers: []\n  schedulingGroup: {}\n",
        );
    }
}
