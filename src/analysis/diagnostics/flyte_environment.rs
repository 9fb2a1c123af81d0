//! Task environment parameters (FLY305–FLY310): what `flyte.TaskEnvironment` and its helpers
//! raise on, and what they silently change.
//!
//! Mirrors flyte 2.12.1 `flyte/_environment.py` (name), `flyte/_internal/runtime/task_serde.py`
//! (`_MAX_ENV_NAME_LENGTH`), `flyte/_reusable_environment.py`, `flyte/_secret.py` and
//! `flyte/_resources.py`; facts/flyte-semantics.md §1–2 and rules 1, 11, 12, 21, 26, 27.

use crate::analysis::names::dns1123_subdomain;
use crate::model::pod::PodParts;
use crate::tree::{Node, NodeKind, Reading, Sdk};

use super::{Applies, Check, Ctx, Family, Reads, Rule, Severity};

pub static NAME_FORMAT: Rule = Rule {
    code: "FLY305",
    name: "environment-name-format",
    severity: Severity::Error,
    applies: Applies::Everywhere,
    safe_fix: false,
    reads: Reads::NOTHING,
    summary: "The environment `name` must be lowercase snake_case or kebab-case: letters and digits \
              joined by single `_` or `-`. Anything else raises `ValueError: Environment name ... must \
              be in snake_case or kebab-case format` when the module is imported.",
    bad: "name: Train Model\nenv_vars:\n  A: \"1\"\n",
    good: "name: train-model\nenv_vars:\n  A: \"1\"\n",
    source: "flyte 2.12.1 `flyte/_environment.py` (`Environment.__post_init__`)",
};

pub static NAME_LENGTH: Rule = Rule {
    code: "FLY306",
    name: "environment-name-truncated",
    severity: Severity::Warning,
    applies: Applies::Everywhere,
    safe_fix: false,
    reads: Reads::NOTHING,
    summary: "Environment names longer than 63 characters are cut to 63 on the wire without a \
              warning, so two long names with the same start collide.",
    bad: "name: feature-engineering-for-the-quarterly-revenue-forecasting-pipeline-v2\nenv_vars:\n  A: \"1\"\n",
    good: "name: revenue-forecast-features-v2\nenv_vars:\n  A: \"1\"\n",
    source: "flyte 2.12.1 `flyte/_internal/runtime/task_serde.py` (`_MAX_ENV_NAME_LENGTH = 63`)",
};

pub static TEMPLATE_NAME: Rule = Rule {
    code: "FLY307",
    name: "pod-template-name-format",
    severity: Severity::Error,
    applies: Applies::Everywhere,
    safe_fix: false,
    reads: Reads::NOTHING,
    summary: "A string `pod_template` names a Kubernetes PodTemplate, so it must be a DNS-1123 \
              subdomain. The SDK does not check it; the backend fails at run time with \
              `PodTemplate '<name>' does not exist`.",
    bad: "name: train\npod_template: GPU_Template\n",
    good: "name: train\npod_template: gpu-template\n",
    source: "kube-apiserver `ValidateObjectMeta` (names are DNS subdomains); flyteplugins `pod_template_store.go`",
};

pub static REUSABLE: Rule = Rule {
    code: "FLY308",
    name: "reusable-environment",
    severity: Severity::Error,
    applies: Applies::Everywhere,
    safe_fix: false,
    reads: Reads::NOTHING,
    summary: "`reusable` (actor environments) has bounds the SDK enforces: `replicas` is a count or \
              `[min, max]` with 0 ≤ min ≤ max, `concurrency` ≥ 1, `idle_ttl` and `scaledown_ttl` \
              ≥ 30 seconds; and a `plugin_config` cannot be combined with it.",
    bad: "name: serve\nreusable:\n  replicas: [4, 2]\n  concurrency: 0\n",
    good: "name: serve\nreusable:\n  replicas: [2, 4]\n  concurrency: 1\n",
    source: "flyte 2.12.1 `flyte/_reusable_environment.py` (`ReusePolicy.__post_init__`); `flyte/_task_environment.py`",
};

pub static SECRET: Rule = Rule {
    code: "FLY309",
    name: "secret-format",
    severity: Severity::Error,
    applies: Applies::Everywhere,
    safe_fix: false,
    reads: Reads::NOTHING,
    summary:
        "A secret's `as_env_var` must match `^[A-Z_][A-Z0-9_]*$`; the SDK raises `ValueError` \
              otherwise. (`mount` accepts only `/etc/flyte/secrets`, which FLY105 checks.)",
    bad: "name: train\nsecrets:\n  - key: hf-token\n    as_env_var: hf-token\n",
    good: "name: train\nsecrets:\n  - key: hf-token\n    as_env_var: HF_TOKEN\n",
    source: "flyte 2.12.1 `flyte/_secret.py` (`Secret.__post_init__`)",
};

pub static RESOURCES: Rule = Rule {
    code: "FLY310",
    name: "resources-value",
    severity: Severity::Error,
    applies: Applies::Everywhere,
    safe_fix: false,
    reads: Reads::NOTHING,
    summary:
        "`resources` values the SDK rejects: a negative cpu or gpu count, a `[request, limit]` \
              pair that is not exactly two values, or a `null` inside the pair.",
    bad: "name: train\nenv_vars:\n  MODE: prod\nresources:\n  cpu: -1\n  memory: [\"1Gi\"]\n",
    good:
        "name: train\nenv_vars:\n  MODE: prod\nresources:\n  cpu: 1\n  memory: [\"1Gi\", \"2Gi\"]\n",
    source: "flyte 2.12.1 `flyte/_resources.py` (`Resources.__post_init__`)",
};

pub static FAMILY: Family = Family {
    rules: &[
        &NAME_FORMAT,
        &NAME_LENGTH,
        &TEMPLATE_NAME,
        &REUSABLE,
        &SECRET,
        &RESOURCES,
    ],
    check: Check::Pod(check),
};

pub(super) fn check(ctx: &mut Ctx<'_>, parts: &PodParts<'_>) {
    let Some(env) = parts.environment else { return };
    // A flytekit task's name is its function's, not an environment name.
    if let Some(name) = env.get("name").filter(|_| ctx.doc.sdk == Sdk::Flyte) {
        check_name(ctx, name);
    }
    if let Some(t) = env.get("pod_template") {
        if let Some(s) = t.as_str().filter(|_| t.reading() == Some(Reading::Str)) {
            let errs = dns1123_subdomain(s);
            if !errs.is_empty() {
                ctx.report(
                    &TEMPLATE_NAME,
                    t.span.clone(),
                    format!("Invalid value: \"{s}\": {}", errs.join("; ")),
                );
            }
        }
    }
    if let Some(reusable) = env.get("reusable").filter(|r| r.as_map().is_some()) {
        check_reusable(ctx, env, reusable);
    }
    if let Some(secrets) = env.get("secrets") {
        let items: Vec<&Node> = match &secrets.kind {
            NodeKind::Seq(items) => items.iter().collect(),
            _ => vec![secrets],
        };
        for s in items {
            check_secret(ctx, s);
        }
    }
    if let Some(res) = env.get("resources").filter(|r| r.as_map().is_some()) {
        check_resources(ctx, res);
    }
}

fn valid_env_name(s: &str) -> bool {
    !s.is_empty()
        && s.split(['_', '-']).all(|part| {
            !part.is_empty()
                && part
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
        })
}

/// `Train Model` → `train-model`: the nearest valid name, for the fix.
fn suggest_env_name(s: &str) -> String {
    let mut out = String::new();
    for c in s.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.ends_with(['-', '_']) && !out.is_empty() {
            out.push(if c == '_' { '_' } else { '-' });
        }
    }
    out.trim_end_matches(['-', '_']).to_string()
}

fn check_name(ctx: &mut Ctx<'_>, name: &Node) {
    let Some(s) = name
        .as_str()
        .filter(|_| name.reading() == Some(Reading::Str))
    else {
        return;
    };
    if !valid_env_name(s) {
        let suggestion = suggest_env_name(s);
        let msg = format!("Environment name '{s}' must be in snake_case or kebab-case format");
        let writer = ctx.writer;
        let diag = ctx.report(&NAME_FORMAT, name.span.clone(), msg);
        if valid_env_name(&suggestion) {
            diag.with_edit(
                format!("Rename to `{suggestion}`"),
                writer.set_string(name, &suggestion),
            );
        }
    } else if s.len() > 63 {
        let msg = format!(
            "the environment name is {} characters; Flyte cuts it to 63 on the wire (`{}`)",
            s.len(),
            &s[..63]
        );
        ctx.report(&NAME_LENGTH, name.span.clone(), msg);
    }
}

fn number(node: &Node) -> Option<f64> {
    match node.reading()? {
        Reading::Int(i) => Some(i as f64),
        Reading::Float(f) => Some(f),
        _ => None,
    }
}

fn check_reusable(ctx: &mut Ctx<'_>, env: &Node, reusable: &Node) {
    if let Some(replicas) = reusable.get("replicas") {
        if let Some(pair) = replicas.as_seq() {
            match pair {
                [min, max] => {
                    if let (Some(a), Some(b)) = (number(min), number(max)) {
                        if a < 0.0 || a > b {
                            ctx.report(
                                &REUSABLE,
                                replicas.span.clone(),
                                format!("`replicas` [{a}, {b}] must satisfy 0 <= min <= max"),
                            );
                        }
                    }
                }
                _ => {
                    ctx.report(
                        &REUSABLE,
                        replicas.span.clone(),
                        "`replicas` must be a count or a [min, max] pair".to_string(),
                    );
                }
            }
        } else if number(replicas).is_some_and(|n| n < 0.0) {
            ctx.report(
                &REUSABLE,
                replicas.span.clone(),
                "`replicas` must not be negative".to_string(),
            );
        }
    }
    if let Some(c) = reusable.get("concurrency") {
        if number(c).is_some_and(|n| n < 1.0) {
            ctx.report(
                &REUSABLE,
                c.span.clone(),
                "`concurrency` must be at least 1".to_string(),
            );
        }
    }
    for ttl in ["idle_ttl", "scaledown_ttl"] {
        if let Some(t) = reusable.get(ttl) {
            if number(t).is_some_and(|n| n < 30.0) {
                ctx.report(
                    &REUSABLE,
                    t.span.clone(),
                    format!("`{ttl}` must be at least 30 seconds"),
                );
            }
        }
    }
    // Whether the plugin supports reuse is its class's (`supports_reuse_policy`, looked up in
    // the plugin registry at run time): only a value that is no plugin's config (a plain
    // mapping, string or number has no registered plugin) is known to raise.
    if let Some(pc) = env
        .entry("plugin_config")
        .filter(|e| !e.value.is_null() && !matches!(e.value.kind, NodeKind::Opaque))
    {
        ctx.report(
            &REUSABLE,
            pc.key.span.clone(),
            "`plugin_config` cannot be combined with `reusable` unless the plugin supports reuse (ValueError)".to_string(),
        );
    }
}

fn check_secret(ctx: &mut Ctx<'_>, secret: &Node) {
    if let Some(v) = secret.get("as_env_var") {
        if let Some(s) = v.as_str().filter(|_| v.reading() == Some(Reading::Str)) {
            let b = s.as_bytes();
            let ok = !b.is_empty()
                && (b[0].is_ascii_uppercase() || b[0] == b'_')
                && b.iter()
                    .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || *c == b'_');
            if !ok {
                let fixed: String = s
                    .chars()
                    .map(|c| {
                        if c.is_ascii_alphanumeric() {
                            c.to_ascii_uppercase()
                        } else {
                            '_'
                        }
                    })
                    .collect();
                let writer = ctx.writer;
                let diag = ctx.report(
                    &SECRET,
                    v.span.clone(),
                    format!("`as_env_var` '{s}' must match ^[A-Z_][A-Z0-9_]*$"),
                );
                if !fixed.starts_with(|c: char| c.is_ascii_digit()) {
                    diag.with_edit(format!("Change to `{fixed}`"), writer.set_string(v, &fixed));
                }
            }
        }
    }
}

fn check_resources(ctx: &mut Ctx<'_>, res: &Node) {
    for key in ["cpu", "memory", "disk", "shm"] {
        let Some(v) = res.get(key) else { continue };
        // The SDK passes strings through unparsed; a bad one fails in the backend or the API
        // server, so check it as the API server would (FLY218). `shm: auto` is Flyte's own.
        let values: Vec<&Node> = v.as_seq().map_or_else(|| vec![v], |s| s.iter().collect());
        for n in values {
            if n.as_str() != Some("auto") || key != "shm" {
                super::quantity_syntax::check(ctx, n);
            }
        }
        if let Some(pair) = v.as_seq() {
            if pair.len() != 2 {
                ctx.report(
                    &RESOURCES,
                    v.span.clone(),
                    format!("`{key}` as a list must be exactly [request, limit]"),
                );
            } else if let Some(n) = pair.iter().find(|n| n.is_null()) {
                ctx.report(
                    &RESOURCES,
                    n.span.clone(),
                    format!("`{key}` request and limit must both be set"),
                );
            }
        }
        if key == "cpu" {
            let values: Vec<&Node> = v.as_seq().map_or_else(|| vec![v], |s| s.iter().collect());
            for n in values {
                if number(n).is_some_and(|x| x < 0.0) {
                    ctx.report(
                        &RESOURCES,
                        n.span.clone(),
                        "`cpu` must not be negative".to_string(),
                    );
                }
            }
        }
    }
    if let Some(g) = res.get("gpu") {
        if number(g).is_some_and(|x| x < 0.0) {
            ctx.report(
                &RESOURCES,
                g.span.clone(),
                "`gpu` must not be negative".to_string(),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::analysis::diagnostics::fixture::{check, check_fix};

    #[test]
    fn names_and_template_names() {
        check(
            r#"name: Train_Model
#     ^^^^^^^^^^^ error FLY305: Environment name 'Train_Model' must be in snake_case or kebab-case format
pod_template: GPU_Template
#             ^^^^^^^^^^^^ error FLY307: Invalid value: "GPU_Template": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com')
"#,
        );
        check(
            r#"name: feature-engineering-for-the-quarterly-revenue-forecasting-pipeline-v2
#     ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^ warning FLY306: the environment name is 69 characters; Flyte cuts it to 63 on the wire (`feature-engineering-for-the-quarterly-revenue-forecasting-pipel`)
pod_template: gpu.templates
"#,
        );
        check_fix(
            "name: Train Model\nenv_vars: {}\npod_template: x\n",
            "Rename to `train-model`",
            "name: train-model\nenv_vars: {}\npod_template: x\n",
        );
        check("name: train_model-2\ncache: auto\npod_template: gpu-template\n");
    }

    #[test]
    fn reusable_secrets_and_resources() {
        check(
            r#"name: serve
reusable:
  replicas: [4, 2]
#           ^^^^^^ error FLY308: `replicas` [4, 2] must satisfy 0 <= min <= max
  concurrency: 0
#              ^ error FLY308: `concurrency` must be at least 1
  idle_ttl: 10
#           ^^ error FLY308: `idle_ttl` must be at least 30 seconds
plugin_config: {}
#^^^^^^^^^^^^ error FLY308: `plugin_config` cannot be combined with `reusable` unless the plugin supports reuse (ValueError)
secrets:
  - key: hf-token
    as_env_var: hf-token
#               ^^^^^^^^ error FLY309: `as_env_var` 'hf-token' must match ^[A-Z_][A-Z0-9_]*$
    mount: /secrets
#          ^^^^^^^^ error FLY105: Unsupported value: "/secrets": supported values: "/etc/flyte/secrets"
resources:
  cpu: -1
#      ^^ error FLY310: `cpu` must not be negative
  memory: ["1Gi"]
#         ^^^^^^^ error FLY310: `memory` as a list must be exactly [request, limit]
"#,
        );
        check_fix(
            "name: a\nsecrets:\n  - key: k\n    as_env_var: hf-token\n",
            "Change to `HF_TOKEN`",
            "name: a\nsecrets:\n  - key: k\n    as_env_var: HF_TOKEN\n",
        );
        check(
            r#"name: serve
reusable:
  replicas: [1, 3]
  concurrency: 2
  idle_ttl: 60
secrets:
  - key: hf-token
    as_env_var: HF_TOKEN
resources:
  cpu: [1, 2]
  memory: ["1Gi", "2Gi"]
  gpu: "A100:1"
"#,
        );
    }
}
