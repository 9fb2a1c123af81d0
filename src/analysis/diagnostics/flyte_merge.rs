//! How the task merges into the primary container, and what the backend does to the pod
//! (FLY311–FLY317): hidden overrides and run-time surprises, mostly warnings.
//!
//! Mirrors flyte 2.12.1 `task_serde.py` `_get_k8s_pod` (env order, resource merge) and
//! flyteplugins `pod_helper.go` (`ApplySharedMemory`, `UpdatePod`, GPU renaming) and
//! `plugins/k8s/pod/plugin.go` (completion); facts/flyte-semantics.md §3, §5, rules 10, 15, 16,
//! 20, 22, 23, 24.

use serde_json::Value;

use crate::model::pod::PodParts;
use crate::model::DocKind;
use crate::tree::edit::Writer;
use crate::tree::{Node, Reading};

use super::{Applies, Check, Ctx, Depends, Family, Fix, Reads, Rule, Severity};

pub static ENV_SHADOWED: Rule = Rule {
    code: "FLY311",
    name: "env-var-defined-twice",
    severity: Severity::Warning,
    applies: Applies::Everywhere,
    safe_fix: false,
    reads: Reads::NOTHING,
    summary: "An `env_vars` name is also set in the primary container's `env`. The SDK writes both, \
              the environment's first, so the container's value wins in the pod and the environment's \
              is silently ignored (the API server warns `hides previous definition`).",
    bad: "name: train\nenv_vars:\n  MODE: prod\npod_template:\n  pod_spec:\n    containers:\n      - name: primary\n        env:\n          - name: MODE\n            value: dev\n",
    good: "name: train\nenv_vars:\n  MODE: prod\npod_template:\n  pod_spec:\n    containers:\n      - name: primary\n",
    source: "flyte 2.12.1 `task_serde.py` `_get_k8s_pod` (`container.env = task env + container.env`)",
};

pub static RESOURCE_OVERRIDDEN: Rule = Rule {
    code: "FLY312",
    name: "resource-set-twice",
    severity: Severity::Warning,
    applies: Applies::Everywhere,
    safe_fix: false,
    reads: Reads::NOTHING,
    summary: "The environment's `resources` and the primary container both set the same resource. \
              The SDK merges key by key and the environment's value wins, so the container's is \
              replaced (flytekit v1 replaced the whole block).",
    bad: "name: train\nresources:\n  cpu: 2\npod_template:\n  pod_spec:\n    containers:\n      - name: primary\n        resources:\n          requests:\n            cpu: \"4\"\n",
    good: "name: train\nresources:\n  cpu: 2\npod_template:\n  pod_spec:\n    containers:\n      - name: primary\n",
    source: "flyte 2.12.1 `task_serde.py` `_get_k8s_pod` (`merged_requests = {**existing, **task}`)",
};

pub static GPU_CLAMPED: Rule = Rule {
    code: "FLY313",
    name: "gpu-set-twice",
    severity: Severity::Warning,
    applies: Applies::Everywhere,
    safe_fix: false,
    reads: Reads::NOTHING,
    summary: "`resources.gpu` is set and the primary container also sets an accelerator resource such \
              as `nvidia.com/gpu`. The backend renames the generic `gpu` request to `nvidia.com/gpu`, \
              overwriting the request, but the template's limit stays, and the request is clamped \
              down to it: `A100:2` with a limit of 1 runs with one GPU.",
    bad: "name: train\nresources:\n  gpu: \"A100:2\"\npod_template:\n  pod_spec:\n    containers:\n      - name: primary\n        resources:\n          limits:\n            nvidia.com/gpu: \"1\"\n",
    good: "name: train\nresources:\n  gpu: \"A100:2\"\npod_template:\n  pod_spec:\n    containers:\n      - name: primary\n",
    source: "flyteplugins `flytek8s/container_helper.go` (`SanitizeGPUResourceRequirements`, request clamped to limit)",
};

pub static MULTI_CONTAINER: Rule = Rule {
    code: "FLY314",
    name: "sidecar-blocks-completion",
    severity: Severity::Warning,
    applies: Applies::Everywhere,
    safe_fix: false,
    // A pod spec whose consumer is not known (`primary_container_name` opaque) may go to a
    // sidecar task.
    reads: Reads::NOTHING.and_when_opaque(Depends::Document(&["primary_container_name"])),
    summary: "With more than one container, Flyte marks the task done only when every container has \
              exited; a long-running sidecar keeps the task running forever. Make helpers native \
              sidecars instead: `initContainers` with `restartPolicy: Always` are stopped by the \
              kubelet when the main container finishes. Not reported where the pod may not be an \
              ordinary task's: a flytekitplugins-pod `Pod` task is a `sidecar` task, which ends \
              with its primary container; a Spark plugin's `driver_pod`/`executor_pod` is the \
              Spark operator's to run; and a Python pod template that no environment holds goes \
              to a consumer this does not read, which may be an app (`AppEnvironment`, run until \
              stopped) or a union actor (`ActorEnvironment`, pods that outlive their tasks).",
    bad: "pod_spec:\n  containers:\n    - name: primary\n    - name: proxy\n      image: envoyproxy/envoy:v1.30\n",
    good: "pod_spec:\n  containers:\n    - name: primary\n  initContainers:\n    - name: proxy\n      image: envoyproxy/envoy:v1.30\n      restartPolicy: Always\n",
    source: "flyteplugins `plugins/k8s/pod/plugin.go` (primary annotation only for one container \
             or a `sidecar` task); flyteorg/flytekit#2382; flytekitplugins-pod \
             `flytekitplugins/pod/task.py` (`task_type=\"sidecar\"`); flyte \
             `flyte/app/_runtime/app_serde.py`",
};

pub static RESTART_POLICY: Rule = Rule {
    code: "FLY315",
    name: "restart-policy-not-never",
    severity: Severity::Warning,
    applies: Applies::Everywhere,
    safe_fix: false,
    reads: Reads::NOTHING,
    summary: "Flyte retries tasks itself and sets `restartPolicy: Never` only when it is unset. \
              `Always` or `OnFailure` make the kubelet restart the container in place, bypassing \
              Flyte's retries and its view of the attempt.",
    bad: "pod_spec:\n  restartPolicy: OnFailure\n  containers: []\n",
    good: "pod_spec:\n  containers: []\n",
    source: "flyteplugins `flytek8s/pod_helper.go` (`UpdatePod`)",
};

pub static SHM_CONFLICT: Rule = Rule {
    code: "FLY316",
    name: "shared-memory-conflict",
    severity: Severity::Error,
    applies: Applies::Everywhere,
    safe_fix: false,
    reads: Reads::NOTHING,
    summary: "With `resources.shm` the backend adds a volume `flyte-shm` mounted at `/dev/shm` on the \
              primary container; it fails with `BadTaskSpecification` when the pod already has a \
              volume of that name or the primary already mounts `/dev/shm` or `flyte-shm`.",
    bad: "name: train\nresources:\n  shm: 16Gi\npod_template:\n  pod_spec:\n    containers:\n      - name: primary\n        volumeMounts:\n          - name: dshm\n            mountPath: /dev/shm\n    volumes:\n      - name: dshm\n        emptyDir:\n          medium: Memory\n",
    good: "name: train\nresources:\n  shm: 16Gi\npod_template:\n  pod_spec:\n    containers:\n      - name: primary\n",
    source: "flyteplugins `flytek8s/pod_helper.go` (`ApplySharedMemory`)",
};

pub static FLYTE_LABEL: Rule = Rule {
    code: "FLY317",
    name: "label-set-by-flyte",
    severity: Severity::Warning,
    applies: Applies::Everywhere,
    safe_fix: false,
    reads: Reads::NOTHING,
    summary: "Flyte sets this label or annotation itself on every task pod (execution labels, the \
              primary-container annotation), so the value written here is overwritten at run time.",
    bad: "labels:\n  project: forecasting\npod_spec:\n  containers: []\n",
    good: "labels:\n  team-project: forecasting\npod_spec:\n  containers: []\n",
    source: "flytepropeller `plugin_manager.go` (`addObjectMetadata`), flyteplugins `plugins/k8s/pod/plugin.go`",
};

/// Label and annotation keys the backend writes on task pods.
const FLYTE_OWNED_KEYS: &[&str] = &[
    "execution-id",
    "node-id",
    "project",
    "domain",
    "task-name",
    "workflow-name",
    "interruptible",
    "shard-key",
    "primary_container_name",
    "attempt",
];

/// Accelerator resource names the backend writes the generic `gpu` request to.
const ACCELERATOR_RESOURCES: &[&str] = &[
    "nvidia.com/gpu",
    "google.com/tpu",
    "aws.amazon.com/neuron",
    "amd.com/gpu",
    "habana.ai/gaudi",
];

fn primary_container<'a>(parts: &PodParts<'a>) -> Option<&'a Node> {
    let name = parts.primary_name()?;
    parts
        .containers_in("containers")
        .into_iter()
        .find(|c| c.get("name").and_then(Node::as_str) == Some(name))
}

pub static PRIMARY_IMAGE_WINS: Rule = Rule {
    code: "FLY319",
    name: "primary-image-overrides-environment",
    severity: Severity::Information,
    applies: Applies::Everywhere,
    safe_fix: false,
    reads: Reads::NOTHING,
    summary: "The primary container sets its own `image`, which wins over the environment's \
              `image`; the environment's image is still what Flyte computes the cache version and \
              the code bundle's image from, so cached results may belong to another image.",
    bad: "name: train\nimage: ghcr.io/acme/train:1\npod_template:\n  pod_spec:\n    containers:\n      - name: primary\n        image: ghcr.io/acme/train:2\n",
    good: "name: train\nimage: ghcr.io/acme/train:2\npod_template:\n  pod_spec:\n    containers:\n      - name: primary\n",
    source: "flyte 2.12.1 `task_serde.py` `_get_k8s_pod` (`if container.image is None`)",
};

pub static REQUEST_OVER_LIMIT: Rule = Rule {
    code: "FLY320",
    name: "merged-request-over-limit",
    severity: Severity::Warning,
    applies: Applies::Everywhere,
    safe_fix: false,
    reads: Reads::NOTHING,
    summary: "After the environment's `resources` are merged into the primary container, a \
              request is larger than the limit that remains from the pod template. The backend \
              silently clamps the request down to the limit, so the task gets less than asked.",
    bad: "name: train\nresources:\n  cpu: 4\npod_template:\n  pod_spec:\n    containers:\n      - name: primary\n        resources:\n          limits:\n            cpu: \"2\"\n",
    good: "name: train\nresources:\n  cpu: [4, 4]\npod_template:\n  pod_spec:\n    containers:\n      - name: primary\n",
    source: "flyteplugins `flytek8s/container_helper.go` (`MergeExistingResources`: request clamped to limit)",
};

pub static SERVICE_ACCOUNT: Rule = Rule {
    code: "FLY321",
    name: "service-account-overridden",
    severity: Severity::Information,
    applies: Applies::Everywhere,
    safe_fix: false,
    reads: Reads::NOTHING,
    summary: "Both `service_account` and the pod spec's `serviceAccountName` are set: the backend \
              fills the service account from the task only when the pod spec has none, so \
              `serviceAccountName` wins and `service_account` has no effect on the pod.",
    bad: "name: train\nservice_account: trainer\npod_template:\n  pod_spec:\n    serviceAccountName: default\n    containers: []\n",
    good: "name: train\nservice_account: trainer\npod_template:\n  pod_spec:\n    containers: []\n",
    source: "flyteplugins `flytek8s/pod_helper.go` (`UpdatePod`: serviceAccountName only if unset)",
};

pub static FAMILY: Family = Family {
    rules: &[
        &ENV_SHADOWED,
        &RESOURCE_OVERRIDDEN,
        &GPU_CLAMPED,
        &MULTI_CONTAINER,
        &RESTART_POLICY,
        &SHM_CONFLICT,
        &FLYTE_LABEL,
        &PRIMARY_IMAGE_WINS,
        &REQUEST_OVER_LIMIT,
        &SERVICE_ACCOUNT,
    ],
    check: Check::Pod(check),
};

pub(super) fn check(ctx: &mut Ctx<'_>, parts: &PodParts<'_>) {
    if parts.is_flyte() {
        check_runtime(ctx, parts);
    }
    let Some(env) = parts.environment else { return };
    if let (Some(sa), Some(name)) = (
        env.get("service_account"),
        parts.spec_field("serviceAccountName"),
    ) {
        if let (Some(a), Some(b)) = (sa.as_str(), name.as_str()) {
            if !a.is_empty() && a != b {
                let msg = format!("`serviceAccountName: {b}` in the pod spec wins; `service_account: {a}` has no effect on the pod");
                ctx.report(&SERVICE_ACCOUNT, sa.span.clone(), msg);
            }
        }
    }
    let Some(primary) = primary_container(parts) else {
        return;
    };
    check_env(ctx, env, primary);
    check_resources(ctx, env, primary);
    check_merged_limits(ctx, env, primary);
    let env_image = env.get("image").filter(|i| !i.is_null());
    if let (Some(_), Some(own)) = (env_image, primary.get("image").filter(|i| !i.is_null())) {
        let msg = "this image wins over the environment's `image`, but Flyte still computes the cache version from the environment's image".to_string();
        ctx.report(&PRIMARY_IMAGE_WINS, own.span.clone(), msg);
    }
}

/// The environment's request for `key` (a scalar, or the first of a pair) and whether it also
/// sets the limit (a pair).
fn env_request<'a>(res: &'a Node, key: &str) -> Option<(&'a Node, bool)> {
    let v = res.get(key).filter(|v| !v.is_null())?;
    match v.as_seq() {
        Some([request, _]) => Some((request, true)),
        Some(_) => None,
        None => Some((v, false)),
    }
}

fn quantity_value(node: &Node) -> Option<f64> {
    let text = match node.reading()? {
        Reading::Str => node.as_str()?.to_string(),
        Reading::Int(i) => i.to_string(),
        Reading::Float(f) => f.to_string(),
        _ => return None,
    };
    crate::analysis::quantity::parse(&text)
        .ok()
        .map(|q| q.to_f64())
}

fn check_merged_limits(ctx: &mut Ctx<'_>, env: &Node, primary: &Node) {
    let Some(res) = env.get("resources").filter(|r| r.as_map().is_some()) else {
        return;
    };
    let Some(limits) = primary.get("resources").and_then(|r| r.get("limits")) else {
        return;
    };
    for key in ["cpu", "memory"] {
        let Some((request, sets_limit)) = env_request(res, key) else {
            continue;
        };
        if sets_limit {
            continue;
        }
        let Some(limit) = limits.get(key) else {
            continue;
        };
        if let (Some(r), Some(l)) = (quantity_value(request), quantity_value(limit)) {
            if r > l {
                let msg = format!(
                    "the environment requests {key} `{}` but the pod template limits it to `{}`: the backend clamps the request down to the limit",
                    ctx.text(&request.span),
                    ctx.text(&limit.span)
                );
                ctx.report(&REQUEST_OVER_LIMIT, request.span.clone(), msg);
            }
        }
    }
}

fn check_env(ctx: &mut Ctx<'_>, env: &Node, primary: &Node) {
    let Some(vars) = env.get("env_vars").and_then(Node::as_map) else {
        return;
    };
    let Some(list) = primary.get("env").and_then(Node::as_seq) else {
        return;
    };
    for item in list {
        let Some(name) = item.get("name") else {
            continue;
        };
        let Some(n) = name.as_str() else { continue };
        if vars.iter().any(|e| e.key_str() == Some(n)) {
            let msg = format!("`{n}` is also set in `env_vars`; the SDK emits both and this later entry wins, hiding the environment's value");
            ctx.report(&ENV_SHADOWED, name.span.clone(), msg);
        }
    }
}

fn check_resources(ctx: &mut Ctx<'_>, env: &Node, primary: &Node) {
    let Some(res) = env.get("resources").filter(|r| r.as_map().is_some()) else {
        return;
    };
    let Some(own) = primary.get("resources") else {
        return;
    };
    // What the environment sets, by resource name and by side (requests always; limits only
    // for [request, limit] pairs).
    let mut sets: Vec<(&str, bool)> = Vec::new();
    for (key, name) in [
        ("cpu", "cpu"),
        ("memory", "memory"),
        ("disk", "ephemeral-storage"),
    ] {
        if let Some(v) = res.get(key).filter(|v| !v.is_null()) {
            sets.push((name, v.as_seq().is_some()));
        }
    }
    let gpu = res
        .get("gpu")
        .filter(|g| !g.is_null() && g.reading() != Some(Reading::Int(0)));
    for side in ["requests", "limits"] {
        let Some(map) = own.get(side).and_then(Node::as_map) else {
            continue;
        };
        for e in map {
            let Some(k) = e.key_str() else { continue };
            if let Some((_, pair)) = sets.iter().find(|(n, _)| *n == k) {
                if side == "requests" || *pair {
                    let msg = format!("`{k}` is also set by the environment's `resources`; the SDK replaces this {side} value with the environment's");
                    ctx.report(&RESOURCE_OVERRIDDEN, e.key.span.clone(), msg);
                }
            }
            if gpu.is_some() && ACCELERATOR_RESOURCES.contains(&k) {
                let msg = format!(
                    "`resources.gpu` is set too: the backend renames it to `{k}` and overwrites this request, but a `{k}` limit here still caps it (the request is clamped to the limit)"
                );
                ctx.report(&GPU_CLAMPED, e.key.span.clone(), msg);
            }
        }
    }
}

/// Moves `container` (an item of `containers`) to `initContainers` with
/// `restartPolicy: Always`, as one change the user can apply: Kubernetes' native sidecars are
/// stopped by the kubelet when the main container exits, so the task can finish.
fn native_sidecar_fix(writer: &dyn Writer, parts: &PodParts<'_>, container: &Node) -> Option<Fix> {
    if container.get("restartPolicy").is_some() {
        return None;
    }
    let spec = parts.spec?;
    let containers = spec.get("containers")?;
    let always = Value::String("Always".to_string());
    let edits = writer.move_item(
        containers,
        container,
        spec,
        "initContainers",
        Some(("restartPolicy", &always)),
    )?;
    let name = container
        .get("name")
        .and_then(Node::as_str)
        .unwrap_or("the sidecar");
    Some(Fix {
        title: format!("Make `{name}` a native sidecar (initContainers, restartPolicy: Always)"),
        edits,
    })
}

fn check_runtime(ctx: &mut Ctx<'_>, parts: &PodParts<'_>) {
    let containers = parts.containers_in("containers");
    let primary = parts.primary_name();
    let sidecar = containers
        .iter()
        .find(|c| c.get("name").and_then(Node::as_str) != primary)
        .or(containers.get(1));
    // A flytekitplugins-pod `Pod` task is a `sidecar` task: the backend ends it with its
    // primary container (plugin.go sets the primary-container annotation for sidecar tasks).
    // A Spark plugin's template: the Spark operator makes the pods (flyteplugins `spark.go`).
    let sidecar_task = ctx.doc.reader == crate::tree::FLYTEKIT_SIDECAR_READER
        || ctx.doc.reader == crate::tree::PLUGIN_POD_READER;
    // A Python template no environment holds: whoever takes it is not read (`@task(pod_template=)`,
    // an app's `flyte.app.AppEnvironment`, whose containers run until stopped,
    // `flyte/app/_runtime/app_serde.py`; a union `ActorEnvironment`, whose pods outlive tasks).
    let consumer_unknown = parts.environment.is_none()
        && parts.kind == Some(DocKind::FlytePodTemplate)
        && (ctx.doc.reader == crate::tree::PYTHON_READER
            || ctx.doc.reader == crate::tree::FLYTEKIT_READER);
    if let (true, false, Some(second)) = (
        containers.len() > 1,
        sidecar_task || consumer_unknown,
        sidecar,
    ) {
        let at = second
            .entry("name")
            .map_or(second.span.clone(), |e| e.value.span.clone());
        let name = second.get("name").and_then(Node::as_str).unwrap_or("?");
        let msg = format!(
            "the pod has {} containers: the task finishes only when all of them exit, so a long-running `{name}` keeps it running; make it a native sidecar (an initContainer with `restartPolicy: Always`)",
            containers.len()
        );
        let fix = native_sidecar_fix(ctx.writer, parts, second);
        let diag = ctx.report(&MULTI_CONTAINER, at, msg);
        if let Some(fix) = fix {
            diag.fixes.push(fix);
        }
    }
    if let Some(rp) = parts.spec_field("restartPolicy") {
        if let Some(v) = rp.as_str().filter(|v| matches!(*v, "Always" | "OnFailure")) {
            let msg = format!("`restartPolicy: {v}` makes the kubelet restart the task in place, bypassing Flyte's retries; Flyte uses `Never`");
            let edit = ctx.writer.set_string(rp, "Never");
            ctx.report(&RESTART_POLICY, rp.span.clone(), msg)
                .with_edit("Change to `Never`", edit);
        }
    }
    for (meta, what) in [(parts.labels, "label"), (parts.annotations, "annotation")] {
        let Some(entries) = meta.and_then(Node::as_map) else {
            continue;
        };
        for e in entries {
            if let Some(k) = e.key_str().filter(|k| FLYTE_OWNED_KEYS.contains(k)) {
                let msg = format!("Flyte sets the {what} `{k}` on every task pod; this value is overwritten at run time");
                ctx.report(&FLYTE_LABEL, e.key.span.clone(), msg);
            }
        }
    }
    let shm = parts
        .environment
        .and_then(|env| env.get("resources"))
        .and_then(|r| r.get("shm"))
        .filter(|s| !s.is_null());
    if shm.is_none() {
        return;
    }
    for v in parts
        .spec_field("volumes")
        .and_then(Node::as_seq)
        .unwrap_or(&[])
    {
        if let Some(n) = v.get("name").filter(|n| n.as_str() == Some("flyte-shm")) {
            let msg = "`resources.shm` makes Flyte add a volume named `flyte-shm`; a volume with that name already exists (BadTaskSpecification)";
            ctx.report(&SHM_CONFLICT, n.span.clone(), msg.to_string());
        }
    }
    if let Some(primary) = primary_container(parts) {
        for m in primary
            .get("volumeMounts")
            .and_then(Node::as_seq)
            .unwrap_or(&[])
        {
            let path = m
                .get("mountPath")
                .filter(|p| p.as_str() == Some("/dev/shm"));
            let name = m.get("name").filter(|n| n.as_str() == Some("flyte-shm"));
            if let Some(n) = path.or(name) {
                let msg = "`resources.shm` makes Flyte mount `flyte-shm` at /dev/shm on the primary container; this mount conflicts with it (BadTaskSpecification)";
                ctx.report(&SHM_CONFLICT, n.span.clone(), msg.to_string());
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::analysis::diagnostics::fixture::{check, check_fix};

    #[test]
    fn merges_that_hide_values() {
        check(
            r#"name: train
env_vars:
  MODE: prod
resources:
  cpu: 2
  memory: ["4Gi", "8Gi"]
  gpu: "A100:2"
pod_template:
  pod_spec:
    containers:
      - name: primary
        env:
          - name: MODE
#                 ^^^^ warning FLY311: `MODE` is also set in `env_vars`; the SDK emits both and this later entry wins, hiding the environment's value
            value: dev
          - name: OTHER
            value: x
        resources:
          requests:
            cpu: "4"
#           ^^^ warning FLY312: `cpu` is also set by the environment's `resources`; the SDK replaces this requests value with the environment's
          limits:
            memory: 10Gi
#           ^^^^^^ warning FLY312: `memory` is also set by the environment's `resources`; the SDK replaces this limits value with the environment's
            nvidia.com/gpu: "1"
#           ^^^^^^^^^^^^^^ warning FLY313: `resources.gpu` is set too: the backend renames it to `nvidia.com/gpu` and overwrites this request, but a `nvidia.com/gpu` limit here still caps it (the request is clamped to the limit)
"#,
        );
    }

    #[test]
    fn runtime_surprises() {
        check(
            r#"name: train
resources:
  shm: 16Gi
pod_template:
  labels:
    project: forecasting
#   ^^^^^^^ warning FLY317: Flyte sets the label `project` on every task pod; this value is overwritten at run time
  pod_spec:
    restartPolicy: OnFailure
#                  ^^^^^^^^^ warning FLY315: `restartPolicy: OnFailure` makes the kubelet restart the task in place, bypassing Flyte's retries; Flyte uses `Never`
    containers:
      - name: primary
        volumeMounts:
          - name: dshm
            mountPath: /dev/shm
#                      ^^^^^^^^ error FLY316: `resources.shm` makes Flyte mount `flyte-shm` at /dev/shm on the primary container; this mount conflicts with it (BadTaskSpecification)
      - name: proxy
#             ^^^^^ warning FLY314: the pod has 2 containers: the task finishes only when all of them exit, so a long-running `proxy` keeps it running; make it a native sidecar (an initContainer with `restartPolicy: Always`)
        image: envoyproxy/envoy:v1.30
    volumes:
      - name: dshm
        emptyDir:
          medium: Memory
"#,
        );
        check_fix(
            "pod_spec:\n  restartPolicy: Always\n  containers: []\n",
            "Change to `Never`",
            "pod_spec:\n  restartPolicy: Never\n  containers: []\n",
        );
    }

    #[test]
    fn images_limits_and_service_accounts() {
        check(
            r#"name: train
image: ghcr.io/acme/train:1
service_account: trainer
resources:
  cpu: 4
  memory: 8Gi
pod_template:
  pod_spec:
    serviceAccountName: default
    containers:
      - name: primary
        image: ghcr.io/acme/train:2
        resources:
          limits:
            cpu: "2"
            memory: 16Gi
"#
            .replace(
                "service_account: trainer\n",
                "service_account: trainer\n#                ^^^^^^^ information FLY321: `serviceAccountName: default` in the pod spec wins; `service_account: trainer` has no effect on the pod\n",
            )
            .replace(
                "  cpu: 4\n",
                "  cpu: 4\n#      ^ warning FLY320: the environment requests cpu `4` but the pod template limits it to `\"2\"`: the backend clamps the request down to the limit\n",
            )
            .replace(
                "        image: ghcr.io/acme/train:2\n",
                "        image: ghcr.io/acme/train:2\n#              ^^^^^^^^^^^^^^^^^^^^ information FLY319: this image wins over the environment's `image`, but Flyte still computes the cache version from the environment's image\n",
            )
            .as_str(),
        );
        check(
            r#"name: train
image: ghcr.io/acme/train:1
service_account: trainer
resources:
  cpu: [4, 4]
  memory: 1Gi
pod_template:
  pod_spec:
    serviceAccountName: trainer
    containers:
      - name: primary
        resources:
          limits:
            memory: 2Gi
"#,
        );
    }

    #[test]
    fn sidecars_convert_to_native_sidecars() {
        check_fix(
            "pod_spec:\n  containers:\n    - name: primary\n    - name: proxy\n      image: envoy\n      args: [--x]\n  volumes: []\n",
            "Make `proxy` a native sidecar (initContainers, restartPolicy: Always)",
            "pod_spec:\n  containers:\n    - name: primary\n  initContainers:\n    - name: proxy\n      image: envoy\n      args: [--x]\n      restartPolicy: Always\n  volumes: []\n",
        );
        check_fix(
            "pod_spec:\n  containers:\n  - name: proxy\n    image: envoy\n  - name: primary\n  initContainers:\n  - name: setup\n    image: busybox\n",
            "Make `proxy` a native sidecar (initContainers, restartPolicy: Always)",
            "pod_spec:\n  containers:\n  - name: primary\n  initContainers:\n  - name: setup\n    image: busybox\n  - name: proxy\n    image: envoy\n    restartPolicy: Always\n",
        );
    }

    #[test]
    fn quiet_when_nothing_overlaps() {
        check(
            r#"name: train
env_vars:
  MODE: prod
resources:
  cpu: 2
  shm: auto
pod_template:
  labels:
    team: ml
  pod_spec:
    restartPolicy: Never
    containers:
      - name: primary
        env:
          - name: OTHER
            value: x
        resources:
          limits:
            cpu: "4"
    initContainers:
      - name: proxy
        image: envoyproxy/envoy:v1.30
        restartPolicy: Always
"#,
        );
    }
}
