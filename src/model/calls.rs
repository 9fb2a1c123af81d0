//! The parameters of the Flyte SDK calls that derive one environment from another, as flyte
//! 2.12.1 declares them: the front end applies what they pass (`python::lower`), the rules
//! refuse what they do not take (`analysis::diagnostics::flyte_derived`). One list each, so
//! the two cannot disagree.

/// `TaskEnvironment.clone_with`: its parameters and the `**kwargs` it pops (`cache`,
/// `reusable`); any other keyword is `TypeError: Unexpected keyword arguments`
/// (`flyte/_task_environment.py`).
pub const CLONE_WITH: &[&str] = &[
    "name",
    "image",
    "resources",
    "env_vars",
    "secrets",
    "depends_on",
    "description",
    "interruptible",
    "include",
    "service_account",
    "cache",
    "reusable",
];

/// `TaskEnvironment.task`'s keyword-only parameters (`flyte/_task_environment.py`).
pub const TASK: &[&str] = &[
    "short_name",
    "cache",
    "retries",
    "timeout",
    "docs",
    "pod_template",
    "report",
    "interruptible",
    "max_inline_io_bytes",
    "queue",
    "service_account",
    "triggers",
    "links",
    "task_resolver",
    "entrypoint",
    "produces_artifacts",
];
