//! Derived environments (FLY322): what the SDK refuses when a task decorator, a call-time
//! override or `clone_with` is given an argument it does not take, or one the environment's
//! reuse policy forbids. The front end records the deriving call in
//! [`Derivation`](crate::tree::Derivation); this reads it.
//!
//! Mirrors flyte 2.12.1 `flyte/_task_environment.py` (`TaskEnvironment.task`: keyword-only
//! parameters, and `Cannot set pod_template when environment is reusable.`;
//! `TaskEnvironment.clone_with`: `TypeError(Unexpected keyword arguments: [...])`) and
//! `flyte/_task.py` (`TaskTemplate.override`: `Name cannot be overridden`, `Image ...`,
//! `Docs ...`, `Interface ...`, and `Cannot override resources when reusable is set.` for
//! resources, env_vars, secrets and service_account); facts/flyte-semantics.md §1.

use crate::model::calls::{CLONE_WITH, TASK};
use crate::tree::{Node, Sdk, Via};

use super::{Applies, Check, Ctx, Family, Reads, Rule, Severity};

pub static NOT_ACCEPTED: Rule = Rule {
    code: "FLY322",
    name: "argument-not-accepted",
    severity: Severity::Error,
    applies: Applies::Everywhere,
    safe_fix: false,
    reads: Reads::NOTHING,
    summary: "An argument the SDK refuses where it is given: `clone_with` takes only the \
              environment's own settings (`pod_template`, `queue` and `plugin_config` stay those \
              of the original: `TypeError: Unexpected keyword arguments`); `task.override` cannot \
              change `name`, `image`, `docs` or `interface` (`ValueError`); a task decorator takes \
              only task settings (`TypeError`); and with a `reusable` environment a task cannot set \
              its own `pod_template`, nor an override its `resources`, `env_vars`, `secrets` or \
              `service_account` unless it passes `reusable=\"off\"` (`ValueError`).",
    bad: "import flyte\n\nenv = flyte.TaskEnvironment(name=\"train\")\ngpu = env.clone_with(\"train-gpu\", pod_template=\"gpu-nodes\")\n",
    good: "import flyte\n\nenv = flyte.TaskEnvironment(name=\"train\")\ngpu = flyte.TaskEnvironment(name=\"train-gpu\", pod_template=\"gpu-nodes\")\n",
    source: "flyte 2.12.1 `flyte/_task_environment.py` (`task`, `clone_with`), `flyte/_task.py` (`override`)",
};

pub static FAMILY: Family = Family {
    rules: &[&NOT_ACCEPTED],
    check: Check::Document(check),
};

/// What `override` refuses by name, whatever the environment.
const OVERRIDE_NEVER: &[(&str, &str)] = &[
    ("name", "Name"),
    ("image", "Image"),
    ("docs", "Docs"),
    ("interface", "Interface"),
];

/// What `override` refuses while the task is reusable.
const OVERRIDE_NOT_WHILE_REUSABLE: &[&str] =
    &["resources", "env_vars", "secrets", "service_account"];

fn check(ctx: &mut Ctx<'_>) {
    // flytekit's decorators take other arguments; only Flyte 2's are known here.
    let Some(derived) = ctx
        .doc
        .derived
        .as_ref()
        .filter(|_| ctx.doc.sdk == Sdk::Flyte)
    else {
        return;
    };
    // Whether the environment (as derived) is reusable: a `reusable` that is not `None`.
    let reusable = ctx
        .doc
        .root
        .as_ref()
        .and_then(|r| r.get("reusable"))
        .is_some_and(|n: &Node| !n.is_null());
    let mut found: Vec<(std::ops::Range<usize>, String)> = Vec::new();
    match &derived.via {
        Via::Clone => {
            for (name, range) in &derived.arguments {
                if name == "*" {
                    found.push((
                        range.clone(),
                        "`clone_with` takes one positional argument, the new name; the SDK raises `TypeError`".into(),
                    ));
                } else if name != "**" && !CLONE_WITH.contains(&name.as_str()) {
                    found.push((
                        range.clone(),
                        format!(
                            "`clone_with` does not take `{name}`: the SDK raises `TypeError: Unexpected keyword arguments: ['{name}']`; \
                             a clone keeps the original's `{name}` (create a new `TaskEnvironment` to change it)"
                        ),
                    ));
                }
            }
        }
        Via::Task { function } => {
            for (name, range) in &derived.arguments {
                if name == "**" {
                    continue;
                }
                if name == "*" {
                    found.push((
                        range.clone(),
                        format!("the task decorator of `{function}` takes keyword arguments only; Python raises `TypeError`"),
                    ));
                } else if !TASK.contains(&name.as_str()) {
                    let hint = if matches!(
                        name.as_str(),
                        "image" | "resources" | "env_vars" | "secrets"
                    ) {
                        " (it is an environment setting: set it on the environment, or with `task.override(...)` at call time)"
                    } else {
                        ""
                    };
                    found.push((
                        range.clone(),
                        format!("a task decorator takes no `{name}`: Python raises `TypeError: task() got an unexpected keyword argument '{name}'`{hint}"),
                    ));
                } else if name == "pod_template" && reusable {
                    found.push((
                        range.clone(),
                        format!("`{function}` sets its own `pod_template`, but its environment is reusable: the SDK raises `ValueError: Cannot set pod_template when environment is reusable.`"),
                    ));
                }
            }
        }
        Via::Override { function } => {
            for (name, range) in &derived.arguments {
                if let Some((_, label)) = OVERRIDE_NEVER.iter().find(|(n, _)| n == name) {
                    found.push((
                        range.clone(),
                        format!("`{function}.override` cannot change `{name}`: the SDK raises `ValueError: {label} cannot be overridden`"),
                    ));
                } else if reusable && OVERRIDE_NOT_WHILE_REUSABLE.contains(&name.as_str()) {
                    found.push((
                        range.clone(),
                        format!("`{function}` is reusable, so `override` cannot set `{name}` unless it also passes `reusable=\"off\"`: the SDK raises `ValueError`"),
                    ));
                }
            }
        }
    }
    for (range, message) in found {
        ctx.report(&NOT_ACCEPTED, range, message);
    }
}
