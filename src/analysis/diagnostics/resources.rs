//! FLY219–FLY223: container resources (and pod `overhead`). Resource names, non-negative and
//! whole values where required, request ≤ limit, the rules for resources that cannot be
//! overcommitted (extended resources and hugepages), and the warning about fractional bytes.
//!
//! Mirrors `pkg/apis/core/validation/validation.go` (`ValidateContainerResourceRequirements`,
//! `validateContainerResourceName`, `validateResourceName`, `ValidateResourceQuantityValue`,
//! `validateResourceQuantityHugePageValue`, `validateOverhead`), `pkg/apis/core/helper/helpers.go`
//! (`IsStandardContainerResourceName`, `IsExtendedResourceName`, `IsOvercommitAllowed`,
//! `IsHugePageResourceValueDivisible`) and `pkg/api/pod/warnings.go` (fractional bytes, also of
//! the `storage` of ephemeral volume claim templates through
//! `pkg/api/persistentvolumeclaim/util.go`, `GetWarningsForPersistentVolumeClaimSpec`).

use std::cmp::Ordering;

use crate::analysis::names;
use crate::model::pod::{ContainerList, PodParts};
use crate::model::DocKind;
use crate::tree::Entry;

use super::pod_values::{is_merged, join, map_entries, string_value};
use super::quantity_syntax::quantity_of;
use super::{Applies, Check, Ctx, Depends, Family, Reads, Rule, Severity};
use crate::analysis::quantity::{parse, Quantity};

pub static NAME_RULE: Rule = Rule {
    code: "FLY219",
    name: "invalid-resource-name",
    severity: Severity::Error,
    applies: Applies::Everywhere,
    safe_fix: false,
    reads: Reads::NOTHING,
    summary: "A container resource name is not one the API server accepts: unprefixed names must \
              be `cpu`, `memory`, `ephemeral-storage` or `hugepages-<size>`; anything else needs \
              a domain (`nvidia.com/gpu`, `example.com/fpga`). In a Flyte template the generic \
              `gpu` is fine: the backend renames it to the accelerator's resource.",
    bad: "apiVersion: v1\nkind: PodTemplate\nmetadata:\n  name: gpu\ntemplate:\n  spec:\n    containers:\n      - name: main\n        image: busybox\n        resources:\n          limits:\n            gpu: 1\n",
    good: "apiVersion: v1\nkind: PodTemplate\nmetadata:\n  name: gpu\ntemplate:\n  spec:\n    containers:\n      - name: main\n        image: busybox\n        resources:\n          limits:\n            nvidia.com/gpu: 1\n",
    source: "`pkg/apis/core/validation/validation.go` (`validateContainerResourceName`, \
             `validateResourceName`); `pkg/apis/core/helper/helpers.go`",
};

pub static VALUE_RULE: Rule = Rule {
    code: "FLY220",
    name: "invalid-resource-quantity",
    severity: Severity::Error,
    applies: Applies::Everywhere,
    safe_fix: false,
    reads: Reads::NOTHING,
    summary: "A resource quantity is negative (`must be greater than or equal to 0`), an \
              extended resource is not a whole number (`must be an integer`), or a hugepages \
              amount is not a multiple of its page size.",
    bad: "pod_spec:\n  containers:\n    - name: primary\n      resources:\n        requests:\n          cpu: -1\n",
    good: "pod_spec:\n  containers:\n    - name: primary\n      resources:\n        requests:\n          cpu: 1\n",
    source: "`pkg/apis/core/validation/validation.go` (`ValidateResourceQuantityValue`, \
             `validateResourceQuantityHugePageValue`)",
};

pub static LIMIT_RULE: Rule = Rule {
    code: "FLY221",
    name: "request-exceeds-limit",
    severity: Severity::Error,
    applies: Applies::Everywhere,
    safe_fix: false,
    reads: Reads::NOTHING,
    summary: "A container requests more of a resource than its limit allows. Quantities are \
              compared as numbers across suffixes (`1Gi` > `1000Mi`, `1500m` > `1`). The API \
              server rejects the pod (`must be less than or equal to cpu limit of 1`).",
    bad: "pod_spec:\n  containers:\n    - name: primary\n      resources:\n        requests:\n          memory: 2Gi\n        limits:\n          memory: 1Gi\n",
    good: "pod_spec:\n  containers:\n    - name: primary\n      resources:\n        requests:\n          memory: 1Gi\n        limits:\n          memory: 2Gi\n",
    source: "`pkg/apis/core/validation/validation.go` (`ValidateContainerResourceRequirements`)",
};

pub static OVERCOMMIT_RULE: Rule = Rule {
    code: "FLY222",
    name: "non-overcommitable-resource",
    severity: Severity::Error,
    applies: Applies::Everywhere,
    safe_fix: false,
    reads: Reads::of(Depends::Document(&[])),
    summary: "Extended resources (`nvidia.com/gpu`, any `domain/name` outside `kubernetes.io`) \
              and hugepages cannot be overcommitted: a request needs a limit, and the two must \
              be equal (a limit alone is enough, the request is copied from it). A container \
              with hugepages must also ask for cpu or memory.",
    bad: "pod_spec:\n  containers:\n    - name: primary\n      resources:\n        requests:\n          nvidia.com/gpu: 1\n",
    good: "pod_spec:\n  containers:\n    - name: primary\n      resources:\n        limits:\n          nvidia.com/gpu: 1\n",
    source: "`pkg/apis/core/validation/validation.go` (`ValidateContainerResourceRequirements`); \
             `IsOvercommitAllowed` in `pkg/apis/core/helper/helpers.go`",
};

pub static FRACTIONAL_RULE: Rule = Rule {
    code: "FLY223",
    name: "fractional-bytes",
    severity: Severity::Warning,
    applies: Applies::Everywhere,
    safe_fix: false,
    reads: Reads::NOTHING,
    summary: "A memory or ephemeral-storage amount (in container resources or `overhead`), or \
              the `storage` of an ephemeral volume's claim template, is not a whole number of \
              bytes (`100.5`, `1500m`). The API server accepts it with a warning (`fractional \
              byte value \"1500m\" is invalid, must be an integer`) and the value is rounded.",
    bad: "pod_spec:\n  containers:\n    - name: primary\n      resources:\n        limits:\n          memory: 1.5\n",
    good: "pod_spec:\n  containers:\n    - name: primary\n      resources:\n        limits:\n          memory: 1536Mi\n",
    source: "`pkg/api/pod/warnings.go` (fractional memory/ephemeral-storage requests/limits); \
             `pkg/api/persistentvolumeclaim/util.go` (`GetWarningsForPersistentVolumeClaimSpec`)",
};

pub static FAMILY: Family = Family {
    rules: &[
        &NAME_RULE,
        &VALUE_RULE,
        &LIMIT_RULE,
        &OVERCOMMIT_RULE,
        &FRACTIONAL_RULE,
    ],
    check: Check::Pod(check),
};

const STANDARD_CONTAINER: &[&str] = &["cpu", "memory", "ephemeral-storage"];
/// `standardResources` in `pkg/apis/core/helper/helpers.go` (quota names included).
const STANDARD: &[&str] = &[
    "cpu",
    "memory",
    "ephemeral-storage",
    "requests.cpu",
    "requests.memory",
    "requests.ephemeral-storage",
    "limits.cpu",
    "limits.memory",
    "limits.ephemeral-storage",
    "pods",
    "services",
    "replicationcontrollers",
    "resourcequotas",
    "secrets",
    "configmaps",
    "persistentvolumeclaims",
    "storage",
    "requests.storage",
    "services.nodeports",
    "services.loadbalancers",
];
const HUGEPAGES: &str = "hugepages-";
/// Task environment `resources` keys and the container resources the SDK merges them into.
const FLYTE_MERGED: &[(&str, &str)] = &[
    ("cpu", "cpu"),
    ("memory", "memory"),
    ("disk", "ephemeral-storage"),
    ("gpu", "gpu"),
];

fn is_native(name: &str) -> bool {
    !name.contains('/') || name.contains("kubernetes.io/")
}

fn is_hugepages(name: &str) -> bool {
    name.starts_with(HUGEPAGES)
}

fn is_extended(name: &str) -> bool {
    !is_native(name)
        && !name.starts_with("requests.")
        && names::qualified_name(&format!("requests.{name}")).is_empty()
}

fn overcommit_allowed(name: &str) -> bool {
    is_native(name) && !is_hugepages(name)
}

/// How the document's kind treats the container's resources.
struct Scope {
    flyte: bool,
    /// Container resources the task environment overwrites (primary container only).
    merged: Vec<&'static str>,
}

impl Scope {
    /// Whether `name` is Flyte's generic `gpu`, which the backend renames before the API server
    /// sees it.
    fn flyte_gpu(&self, name: &str) -> bool {
        self.flyte && name == "gpu"
    }
}

pub(super) fn check(ctx: &mut Ctx<'_>, parts: &PodParts<'_>) {
    let flyte = parts.is_flyte();
    let primary = parts.primary_name();
    let task_keys: Vec<&'static str> = parts
        .environment
        .filter(|_| parts.kind == Some(DocKind::TaskEnvironment))
        .and_then(|env| env.get("resources"))
        .map(|r| {
            FLYTE_MERGED
                .iter()
                .filter(|(task, _)| r.get(task).is_some())
                .map(|(_, container)| *container)
                .collect()
        })
        .unwrap_or_default();
    for (list, container) in parts.all_containers() {
        let is_primary = list == ContainerList::Containers
            && primary.is_some()
            && container.get("name").and_then(string_value) == primary;
        let scope = Scope {
            flyte,
            merged: if is_primary {
                task_keys.clone()
            } else {
                Vec::new()
            },
        };
        if let Some(resources) = container.entry("resources") {
            check_requirements(ctx, resources, &scope);
        }
    }
    if let Some(overhead) = parts.spec_field("overhead") {
        let scope = Scope {
            flyte,
            merged: Vec::new(),
        };
        for entry in map_entries(Some(overhead)) {
            check_entry(ctx, entry, &scope);
        }
    }
    check_claim_templates(ctx, parts);
}

/// `pvcutil.GetWarningsForPersistentVolumeClaimSpec` (`pkg/api/persistentvolumeclaim/util.go`),
/// which warnings.go runs for each ephemeral volume's claim template: the `storage` request and
/// limit must be whole bytes. Nothing else of the claim spec is checked here.
fn check_claim_templates(ctx: &mut Ctx<'_>, parts: &PodParts<'_>) {
    for volume in super::pod_values::map_items(parts.spec_field("volumes")) {
        let resources = volume
            .get("ephemeral")
            .and_then(|e| e.get("volumeClaimTemplate"))
            .and_then(|t| t.get("spec"))
            .and_then(|s| s.get("resources"));
        let Some(resources) = resources else { continue };
        for field in ["requests", "limits"] {
            let Some(entry) = resources.get(field).and_then(|m| m.entry("storage")) else {
                continue;
            };
            if quantity_of(&entry.value).is_some_and(|q| q.is_fractional()) {
                let text = ctx.text(&entry.value.span).trim_matches(['"', '\'']);
                let message =
                    format!("fractional byte value \"{text}\" is invalid, must be an integer");
                ctx.report(&FRACTIONAL_RULE, entry.value.span.clone(), message);
            }
        }
    }
}

fn check_requirements(ctx: &mut Ctx<'_>, resources: &Entry, scope: &Scope) {
    let limits = map_entries(resources.value.get("limits"));
    let requests = map_entries(resources.value.get("requests"));
    for entry in limits.iter().chain(requests) {
        check_entry(ctx, entry, scope);
    }
    // Relations need every request and limit in sight.
    let merged = [&resources.value]
        .into_iter()
        .chain(resources.value.get("limits"))
        .chain(resources.value.get("requests"))
        .any(is_merged);
    if merged {
        return;
    }
    let mut hugepages = false;
    let mut cpu_or_memory = false;
    for entry in limits.iter().chain(requests) {
        let Some(name) = entry.key_str() else {
            continue;
        };
        hugepages |= is_hugepages(name);
        cpu_or_memory |= name == "cpu" || name == "memory";
    }
    // The environment's cpu/memory are merged into the primary container by the SDK, so the
    // pod the API server sees has them even when the template does not.
    cpu_or_memory |= scope.merged.iter().any(|m| *m == "cpu" || *m == "memory");
    if hugepages && !cpu_or_memory {
        ctx.report(
            &OVERCOMMIT_RULE,
            resources.key.span.clone(),
            "Forbidden: HugePages require cpu or memory".to_string(),
        );
    }
    for request in requests {
        let Some(name) = request.key_str() else {
            continue;
        };
        if scope.flyte_gpu(name) || scope.merged.contains(&name) {
            continue;
        }
        let Some(req) = quantity_of(&request.value) else {
            continue;
        };
        let limit = limits.iter().find(|l| l.key_str() == Some(name));
        let overcommit = overcommit_allowed(name);
        match limit {
            Some(limit) => {
                let Some(lim) = quantity_of(&limit.value) else {
                    continue;
                };
                let order = req.cmp_value(&lim);
                if (overcommit || order == Ordering::Equal) && order != Ordering::Greater {
                    // Nothing to report: spare the copies of the two texts below.
                    continue;
                }
                let limit_text = ctx
                    .text(&limit.value.span)
                    .trim_matches(['"', '\''])
                    .to_string();
                let req_text = ctx
                    .text(&request.value.span)
                    .trim_matches(['"', '\''])
                    .to_string();
                if !overcommit && order != Ordering::Equal {
                    let message = format!(
                        "Invalid value: \"{req_text}\": must be equal to {name} limit of {limit_text}"
                    );
                    // The limit as the user wrote it (`"2"` or `2`).
                    let edit = ctx.writer.copy_scalar(&request.value, &limit.value);
                    let diag = ctx.report(&OVERCOMMIT_RULE, request.value.span.clone(), message);
                    if let Some(edit) = edit {
                        diag.with_edit(format!("Change to `{limit_text}`"), edit);
                    }
                } else if order == Ordering::Greater {
                    let message = format!(
                        "Invalid value: \"{req_text}\": must be less than or equal to {name} limit \
                         of {limit_text}"
                    );
                    ctx.report(&LIMIT_RULE, request.value.span.clone(), message);
                }
            }
            None if !overcommit => {
                ctx.report(
                    &OVERCOMMIT_RULE,
                    request.key.span.clone(),
                    format!(
                        "Required value: Limit must be set for non overcommitable resources (add \
                         `{name}` to `limits`)"
                    ),
                );
            }
            None => {}
        }
    }
}

/// Name and value checks for one `name: quantity` entry of requests, limits or overhead.
fn check_entry(ctx: &mut Ctx<'_>, entry: &Entry, scope: &Scope) {
    let Some(name) = entry.key_str() else { return };
    if name == "<<" {
        return;
    }
    if !scope.flyte_gpu(name) {
        let errs = resource_name_errors(name);
        if !errs.is_empty() {
            let message = format!("Invalid value: \"{name}\": {}", join(&errs));
            ctx.report(&NAME_RULE, entry.key.span.clone(), message);
        }
    }
    let Some(q) = quantity_of(&entry.value) else {
        return;
    };
    // Decided before the value's text is copied out: most entries report nothing.
    let negative = q.negative;
    let fractional_extended = !negative && is_extended(name) && q.is_fractional();
    let not_page_multiple = !negative && is_hugepages(name) && !hugepages_divisible(name, &q);
    let fractional_bytes =
        !negative && matches!(name, "memory" | "ephemeral-storage") && q.is_fractional();
    if !(negative || fractional_extended || not_page_multiple || fractional_bytes) {
        return;
    }
    let text = ctx
        .text(&entry.value.span)
        .trim_matches(['"', '\''])
        .to_string();
    if negative {
        let message = format!("Invalid value: \"{text}\": must be greater than or equal to 0");
        ctx.report(&VALUE_RULE, entry.value.span.clone(), message);
        return;
    }
    if fractional_extended {
        let message = format!("Invalid value: \"{text}\": must be an integer");
        ctx.report(&VALUE_RULE, entry.value.span.clone(), message);
    }
    if not_page_multiple {
        let message =
            format!("Invalid value: \"{text}\": {text} is not positive integer multiple of {name}");
        ctx.report(&VALUE_RULE, entry.value.span.clone(), message);
    }
    if fractional_bytes {
        let message = format!("fractional byte value \"{text}\" is invalid, must be an integer");
        ctx.report(&FRACTIONAL_RULE, entry.value.span.clone(), message);
    }
}

/// `validateContainerResourceName`: the API server's messages for a container resource name.
pub(super) fn resource_name_errors(name: &str) -> Vec<String> {
    // The usual `cpu` and `memory`: valid qualified names of both lists, so no check below
    // can fail (and this runs for every request and limit of every container).
    if STANDARD_CONTAINER.contains(&name) && STANDARD.contains(&name) {
        return Vec::new();
    }
    let errs = names::qualified_name(name);
    if !errs.is_empty() {
        return errs;
    }
    let mut errs = Vec::new();
    if !name.contains('/') {
        if !(STANDARD.contains(&name) || is_hugepages(name)) {
            errs.push("must be a standard resource type or fully qualified".to_string());
        }
        if !(STANDARD_CONTAINER.contains(&name) || is_hugepages(name)) {
            errs.push("must be a standard resource for containers".to_string());
        }
    } else if !is_native(name) && !is_extended(name) {
        errs.push("doesn't follow extended resource name standard".to_string());
    }
    errs
}

/// `IsHugePageResourceValueDivisible`: the (rounded-up) value is a multiple of the page size
/// named in the resource (`hugepages-2Mi`).
pub(super) fn hugepages_divisible(name: &str, q: &Quantity) -> bool {
    let Ok(page) = parse(&name[HUGEPAGES.len()..]) else {
        return false;
    };
    if page.negative || page.is_zero() || page.is_fractional() {
        return false;
    }
    match (q.whole_value(), page.whole_value()) {
        (Some(v), Some(p)) if p > 0 => v % p == 0,
        // Too large to decide exactly: do not guess.
        _ => true,
    }
}

#[cfg(test)]
mod tests {
    use super::super::pod_values::test_support::check_k8s;
    use super::*;
    use crate::analysis::diagnostics::fixture::check_fix;

    #[test]
    fn equal_to_limit_fix() {
        check_fix(
            "pod_spec:\n  containers:\n    - name: primary\n      resources:\n        requests:\n          nvidia.com/gpu: 1\n        limits:\n          nvidia.com/gpu: 2\n",
            "Change to `2`",
            "pod_spec:\n  containers:\n    - name: primary\n      resources:\n        requests:\n          nvidia.com/gpu: 2\n        limits:\n          nvidia.com/gpu: 2\n",
        );
    }

    #[test]
    fn resource_names() {
        assert!(resource_name_errors("cpu").is_empty());
        assert!(resource_name_errors("hugepages-2Mi").is_empty());
        assert!(resource_name_errors("nvidia.com/gpu").is_empty());
        assert!(resource_name_errors("kubernetes.io/whatever").is_empty());
        assert_eq!(
            resource_name_errors("gpu"),
            [
                "must be a standard resource type or fully qualified",
                "must be a standard resource for containers"
            ]
        );
        assert_eq!(
            resource_name_errors("storage"),
            ["must be a standard resource for containers"]
        );
        assert_eq!(
            resource_name_errors("requests.example.com/x"),
            ["doesn't follow extended resource name standard"]
        );
        assert!(!resource_name_errors("GPU count").is_empty());
        check_k8s(
            r#"apiVersion: v1
kind: PodTemplate
metadata:
  name: t
template:
  spec:
    overhead:
      pods: 1
#     ^^^^ error FLY219: Invalid value: "pods": must be a standard resource for containers
    containers:
      - name: main
        image: busybox
        resources:
          limits:
            gpu: 1
#           ^^^ error FLY219: Invalid value: "gpu": must be a standard resource type or fully qualified; must be a standard resource for containers
            nvidia.com/gpu: 1
          requests:
            storage: 1Gi
#           ^^^^^^^ error FLY219: Invalid value: "storage": must be a standard resource for containers
"#,
        );
    }

    #[test]
    fn flyte_generic_gpu_is_renamed_by_the_backend() {
        check_k8s(
            r#"pod_spec:
  containers:
    - name: primary
      resources:
        requests:
          gpu: "1"
        limits:
          gpu: "2"
"#,
        );
    }

    #[test]
    fn values_and_relations() {
        check_k8s(
            r#"apiVersion: v1
kind: PodTemplate
metadata:
  name: t
template:
  spec:
    containers:
      - name: main
        image: busybox
        resources:
          requests:
            cpu: 1500m
#                ^^^^^ error FLY221: Invalid value: "1500m": must be less than or equal to cpu limit of 1
            memory: 1Gi
            ephemeral-storage: -1Gi
#                              ^^^^ error FLY220: Invalid value: "-1Gi": must be greater than or equal to 0
            nvidia.com/gpu: 1
#                           ^ error FLY222: Invalid value: "1": must be equal to nvidia.com/gpu limit of 2
            example.com/fpga: 1
#           ^^^^^^^^^^^^^^^^ error FLY222: Required value: Limit must be set for non overcommitable resources (add `example.com/fpga` to `limits`)
          limits:
            cpu: "1"
            memory: 1024Mi
            nvidia.com/gpu: 2
            example.com/dongle: 0.5
#                               ^^^ error FLY220: Invalid value: "0.5": must be an integer
      - name: huge
        image: busybox
        resources:
#       ^^^^^^^^^ error FLY222: Forbidden: HugePages require cpu or memory
          limits:
            hugepages-2Mi: 3Mi
#                          ^^^ error FLY220: Invalid value: "3Mi": 3Mi is not positive integer multiple of hugepages-2Mi
      - name: fine
        image: busybox
        resources:
          requests:
            cpu: 500m
            memory: 129M
            hugepages-1Gi: 2Gi
          limits:
            cpu: 1
            memory: 1e9
            hugepages-1Gi: 2Gi
            nvidia.com/gpu: 4
"#,
        );
    }

    #[test]
    fn fractional_bytes_warn() {
        check_k8s(
            r#"pod_spec:
  overhead:
    memory: "1.5"
#           ^^^^^ warning FLY223: fractional byte value "1.5" is invalid, must be an integer
  containers:
    - name: primary
      resources:
        requests:
          memory: "100.5"
#                 ^^^^^^^ warning FLY223: fractional byte value "100.5" is invalid, must be an integer
          ephemeral-storage: 1500m
#                            ^^^^^ warning FLY223: fractional byte value "1500m" is invalid, must be an integer
        limits:
          memory: 128Mi
          cpu: "0.5"
  volumes:
    - name: scratch
      ephemeral:
        volumeClaimTemplate:
          spec:
            accessModes: [ReadWriteOnce]
            resources:
              requests:
                storage: 1.5Gi
              limits:
                storage: "0.5"
#                        ^^^^^ warning FLY223: fractional byte value "0.5" is invalid, must be an integer
"#,
        );
    }

    #[test]
    fn task_resources_replace_the_primary_ones() {
        check_k8s(
            r#"name: train
image: ghcr.io/acme/train:1
env_vars: {A: "1"}
resources:
  cpu: "4"
pod_template:
  pod_spec:
    containers:
      - name: primary
        resources:
          requests:
            cpu: "8"
            memory: 2Gi
#                   ^^^ error FLY221: Invalid value: "2Gi": must be less than or equal to memory limit of 1Gi
          limits:
            cpu: "2"
            memory: 1Gi
"#,
        );
    }
}
