//! Allowed values of Kubernetes string fields that the OpenAPI schemas leave untyped.
//!
//! Source: kubernetes/kubernetes `pkg/apis/core/validation/validation.go` (the `NotSupported`
//! checks) and `staging/src/k8s.io/api/core/v1/types.go`; see `shared/facts/k8s-validation.md`
//! §3–§11. Values are case-sensitive, as the API server compares them exactly. Empty strings
//! that the server treats as "unset" are listed where the server accepts them.

use std::collections::HashMap;
use std::sync::LazyLock;

use super::defs;
use crate::text::fast_hash::FastBuild;

const CORE: &str = "io.k8s.api.core.v1.";

/// `(definition, property, allowed values)`.
static TABLE: &[(&str, &str, &[&str])] = &[
    (
        "Container",
        "imagePullPolicy",
        &["Always", "IfNotPresent", "Never"],
    ),
    (
        "Container",
        "terminationMessagePolicy",
        &["File", "FallbackToLogsOnError"],
    ),
    // Container-level restartPolicy: `Always` for native sidecars; 1.35 adds OnFailure/Never.
    (
        "Container",
        "restartPolicy",
        &["Always", "OnFailure", "Never"],
    ),
    (
        "EphemeralContainer",
        "imagePullPolicy",
        &["Always", "IfNotPresent", "Never"],
    ),
    ("ContainerPort", "protocol", &["TCP", "UDP", "SCTP"]),
    (
        "PodSpec",
        "restartPolicy",
        &["Always", "OnFailure", "Never"],
    ),
    (
        "PodSpec",
        "dnsPolicy",
        &["ClusterFirstWithHostNet", "ClusterFirst", "Default", "None"],
    ),
    (
        "PodSpec",
        "preemptionPolicy",
        &["PreemptLowerPriority", "Never"],
    ),
    ("PodOS", "name", &["linux", "windows"]),
    ("Toleration", "operator", &["Equal", "Exists", ""]),
    (
        "Toleration",
        "effect",
        &["NoSchedule", "PreferNoSchedule", "NoExecute", ""],
    ),
    (
        "NodeSelectorRequirement",
        "operator",
        &["In", "NotIn", "Exists", "DoesNotExist", "Gt", "Lt"],
    ),
    (
        "TopologySpreadConstraint",
        "whenUnsatisfiable",
        &["DoNotSchedule", "ScheduleAnyway"],
    ),
    (
        "TopologySpreadConstraint",
        "nodeAffinityPolicy",
        &["Ignore", "Honor"],
    ),
    (
        "TopologySpreadConstraint",
        "nodeTaintsPolicy",
        &["Ignore", "Honor"],
    ),
    ("HTTPGetAction", "scheme", &["HTTP", "HTTPS"]),
    (
        "SeccompProfile",
        "type",
        &["Localhost", "RuntimeDefault", "Unconfined"],
    ),
    (
        "AppArmorProfile",
        "type",
        &["Localhost", "RuntimeDefault", "Unconfined"],
    ),
    ("SecurityContext", "procMount", &["Default", "Unmasked"]),
    (
        "PodSecurityContext",
        "fsGroupChangePolicy",
        &["OnRootMismatch", "Always"],
    ),
    (
        "PodSecurityContext",
        "supplementalGroupsPolicy",
        &["Merge", "Strict"],
    ),
    (
        "PodSecurityContext",
        "seLinuxChangePolicy",
        &["Recursive", "MountOption"],
    ),
    ("ContainerResizePolicy", "resourceName", &["cpu", "memory"]),
    (
        "ContainerResizePolicy",
        "restartPolicy",
        &["NotRequired", "RestartContainer"],
    ),
    (
        "VolumeMount",
        "mountPropagation",
        &["None", "HostToContainer", "Bidirectional"],
    ),
    (
        "VolumeMount",
        "recursiveReadOnly",
        &["Disabled", "IfPossible", "Enabled"],
    ),
    (
        "EmptyDirVolumeSource",
        "medium",
        &["", "Memory", "HugePages"],
    ),
    (
        "HostPathVolumeSource",
        "type",
        &[
            "",
            "DirectoryOrCreate",
            "Directory",
            "FileOrCreate",
            "File",
            "Socket",
            "CharDevice",
            "BlockDevice",
        ],
    ),
    (
        "PersistentVolumeClaimSpec",
        "volumeMode",
        &["Filesystem", "Block"],
    ),
];

/// [`TABLE`] by property name, then definition: the schema walk asks for every scalar it
/// meets, and nearly every property has no list, so the usual answer is one hash lookup that
/// misses instead of a scan of the whole table.
static BY_PROPERTY: LazyLock<ByProperty> = LazyLock::new(|| {
    let mut index = ByProperty::default();
    for &(def, property, values) in TABLE {
        index.entry(property).or_default().push((def, values));
    }
    index
});

type ByProperty = HashMap<&'static str, Vec<(&'static str, &'static [&'static str])>, FastBuild>;

/// Allowed values for `property` of the definition `def`, when Kubernetes restricts them.
pub fn allowed_values(def: &str, property: &str) -> Option<&'static [&'static str]> {
    let defs = BY_PROPERTY.get(property)?;
    let short = def.strip_prefix(CORE)?;
    defs.iter()
        .find(|(d, _)| *d == short)
        .map(|(_, values)| *values)
}

/// True when `def` is one of the core pod types this table covers (used by tests).
pub fn covers(def: &str) -> bool {
    def == defs::POD_SPEC || def.starts_with(CORE)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schema::schemas;

    #[test]
    fn every_table_entry_names_a_real_property() {
        let set = schemas().newest();
        for (def, prop, _) in TABLE {
            let name = format!("{CORE}{def}");
            let node = set.def(&name).unwrap_or_else(|| panic!("{name} exists"));
            assert!(node.property(set, prop).is_some(), "{name}.{prop}");
            assert!(covers(&name));
        }
    }

    #[test]
    fn the_index_answers_as_the_table_does() {
        for &(def, prop, values) in TABLE {
            let first = TABLE.iter().find(|(d, p, _)| *d == def && *p == prop);
            assert_eq!(
                first.map(|e| e.2),
                Some(values),
                "{def}.{prop} is listed once"
            );
            assert_eq!(allowed_values(&format!("{CORE}{def}"), prop), Some(values));
        }
        // One property name, two definitions, two lists.
        let toleration = allowed_values("io.k8s.api.core.v1.Toleration", "operator");
        let selector = allowed_values("io.k8s.api.core.v1.NodeSelectorRequirement", "operator");
        assert_eq!(toleration, Some(&["Equal", "Exists", ""][..]));
        assert_eq!(selector.map(<[_]>::len), Some(6));
        // Not restricted, not a core definition, not a listed property of this definition.
        assert_eq!(allowed_values("io.k8s.api.core.v1.Container", "name"), None);
        assert_eq!(allowed_values("flyte.PodTemplate", "imagePullPolicy"), None);
        assert_eq!(
            allowed_values("io.k8s.api.core.v1.Volume", "operator"),
            None
        );
    }
}
