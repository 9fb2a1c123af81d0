//! Allowed values of Kubernetes string fields that the OpenAPI schemas leave untyped.
//!
//! Source: kubernetes/kubernetes `pkg/apis/core/validation/validation.go` (the `NotSupported`
//! checks) and `staging/src/k8s.io/api/core/v1/types.go`; see `shared/facts/k8s-validation.md`
//! §3–§11. Values are case-sensitive, as the API server compares them exactly. Empty strings
//! that the server treats as "unset" are listed where the server accepts them.

use super::defs;

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

/// Allowed values for `property` of the definition `def`, when Kubernetes restricts them.
pub fn allowed_values(def: &str, property: &str) -> Option<&'static [&'static str]> {
    let short = def.strip_prefix(CORE)?;
    TABLE
        .iter()
        .find(|(d, p, _)| *d == short && *p == property)
        .map(|(_, _, values)| *values)
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
}
