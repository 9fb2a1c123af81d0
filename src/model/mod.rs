//! Document kinds and the shapes that define them: the Flyte keyword lists every front end
//! detects with, and [`pod::PodParts`], the typed view of where a document keeps its pod.
//! Detection itself belongs to each front end (`yaml::detect`).

pub mod calls;
pub mod gpu;
pub mod pod;

use crate::schema::defs;

pub use crate::tree::DocKind;

impl DocKind {
    /// The kind's name in the JSON output and in modelines.
    pub fn name(self) -> &'static str {
        match self {
            DocKind::TaskEnvironment => "task-environment",
            DocKind::FlytePodTemplate => "pod-template",
            DocKind::KubePodTemplate | DocKind::KubePod => "kubernetes",
            DocKind::Unknown => "unknown",
        }
    }

    /// True for the Flyte shapes, which are read by the Python client (snake_case tolerated).
    pub fn is_flyte(self) -> bool {
        matches!(self, DocKind::TaskEnvironment | DocKind::FlytePodTemplate)
    }

    /// The `$defs` name of the schema for the whole document.
    pub fn root_def(self) -> Option<&'static str> {
        match self {
            DocKind::TaskEnvironment => Some(defs::FLYTE_TASK_ENVIRONMENT),
            DocKind::FlytePodTemplate => Some(defs::FLYTE_POD_TEMPLATE),
            DocKind::KubePodTemplate => Some(defs::POD_TEMPLATE),
            DocKind::KubePod => Some(defs::POD),
            DocKind::Unknown => None,
        }
    }
}

/// The `TaskEnvironment` keyword arguments (flyte 2.12 `flyte/_task_environment.py`).
pub const TASK_ENVIRONMENT_KEYS: &[&str] = &[
    "name",
    "image",
    "resources",
    "env_vars",
    "secrets",
    "service_account",
    "pod_template",
    "description",
    "interruptible",
    "depends_on",
    "include",
    "cache",
    "reusable",
    "plugin_config",
    "queue",
];

/// Keys that only a Flyte task environment uses; `name`, `image` and `resources` are too
/// common in Helm values and compose files to count as evidence on their own.
pub const FLYTE_ONLY_KEYS: &[&str] = &[
    "env_vars",
    "secrets",
    "service_account",
    "pod_template",
    "interruptible",
    "depends_on",
    "cache",
    "reusable",
    "plugin_config",
    "queue",
];

/// The `flyte.Resources` fields (`flyte/_resources.py`), as a task environment's `resources`.
pub const RESOURCES_KEYS: &[&str] = &["cpu", "memory", "gpu", "disk", "shm"];

/// The `flyte.PodTemplate` fields (`flyte/_pod.py`).
pub const POD_TEMPLATE_KEYS: &[&str] = &[
    "primary_container_name",
    "labels",
    "annotations",
    "pod_spec",
];
