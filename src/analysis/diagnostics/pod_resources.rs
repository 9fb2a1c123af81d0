//! FLY260: pod-level `spec.resources` (PodLevelResources, beta and on by default from 1.34).
//! Only cpu, memory and hugepages may be set, no `claims`; requests may not exceed limits; the
//! pod's requests must cover what its containers request together, and no container may be
//! allowed more than the pod.
//!
//! Mirrors `pkg/apis/core/validation/validation.go` (`ValidatePodSpec` → `validatePodResources`,
//! `validatePodResourceRequirements`/`validateResourceRequirements` with
//! `validatePodResourceName`, `validatePodResourceConsistency`) and
//! `k8s.io/component-helpers/resource` (`AggregateContainerRequests`,
//! `IsSupportedPodLevelResource`). Pods (and the pods Flyte creates) get container requests
//! defaulted from limits before validation (`SetDefaults_Pod`); a `PodTemplate` does not.

use std::cmp::Ordering;
use std::collections::BTreeMap;

use crate::analysis::names;
use crate::analysis::quantity::{parse_exact, Exact};
use crate::model::pod::PodParts;
use crate::model::DocKind;
use crate::schema::KubeVersion;
use crate::tree::{Entry, Node, Reading};

use super::pod_values::{is_merged, is_set, join, map_entries, string_value};
use super::quantity_syntax::quantity_of;
use super::resources::{hugepages_divisible, resource_name_errors};
use super::{Applies, Check, Ctx, Family, Reads, Rule, Severity};

pub static RULE: Rule = Rule {
    code: "FLY260",
    name: "invalid-pod-level-resources",
    severity: Severity::Error,
    applies: Applies::Everywhere,
    safe_fix: false,
    reads: Reads::NOTHING,
    summary: "Pod-level `resources` (the pod's total budget) accept only `cpu`, `memory` and \
              `hugepages-<size>` (`Unsupported value`), no `claims`, and requests no larger than \
              limits. The pod's requests must be at least what its containers request together \
              (`must be greater than or equal to aggregate container requests of ...`), and no \
              container limit may exceed the pod's (`must be less than or equal to pod limits \
              of ...`). Extended resources such as GPUs stay on the containers.",
    bad: "pod_spec:\n  resources:\n    limits:\n      cpu: \"8\"\n      nvidia.com/gpu: 1\n  containers:\n    - name: primary\n",
    good: "pod_spec:\n  resources:\n    limits:\n      cpu: \"8\"\n  containers:\n    - name: primary\n      resources:\n        limits:\n          nvidia.com/gpu: 1\n",
    source: "`pkg/apis/core/validation/validation.go` (`validatePodResources`, \
             `validatePodResourceName`, `validateResourceRequirements`, \
             `validatePodResourceConsistency`); `k8s.io/component-helpers/resource` \
             (`AggregateContainerRequests`)",
};

pub static FAMILY: Family = Family {
    rules: &[&RULE],
    check: Check::Pod(check),
};

/// The first version with the `PodLevelResources` gate on by default (beta).
const POD_LEVEL_RESOURCES: KubeVersion = KubeVersion(34);
const STANDARD_MESSAGE: &str = "must be a standard resource type or fully qualified";
/// `sets.List(SupportedPodLevelResources())`, as `field.NotSupported` renders it.
const SUPPORTED: &str = "supported values: \"cpu\", \"hugepages-\", \"memory\"";
const HUGEPAGES: &str = "hugepages-";

pub(super) fn check(ctx: &mut Ctx<'_>, parts: &PodParts<'_>) {
    if ctx.set.version < POD_LEVEL_RESOURCES {
        return;
    }
    let Some(entry) = parts.spec.and_then(|s| s.entry("resources")) else {
        return;
    };
    let resources = &entry.value;
    if resources.as_map().is_none() {
        return;
    }
    if let Some(claims) = resources.entry("claims") {
        // An empty list decodes to a non-nil slice: the API server refuses it too.
        if is_set(Some(&claims.value)) {
            ctx.report(
                &RULE,
                claims.key.span.clone(),
                "Forbidden: claims cannot be set for Resources at pod-level".to_string(),
            );
        }
    }
    let limits = map_entries(resources.get("limits"));
    let requests = map_entries(resources.get("requests"));
    for e in limits.iter().chain(requests) {
        check_entry(ctx, e);
    }
    // The relations need every request and limit in sight.
    let merged = [resources]
        .into_iter()
        .chain(resources.get("limits"))
        .chain(resources.get("requests"))
        .any(is_merged);
    if merged {
        return;
    }
    check_requirements(ctx, entry, limits, requests);
    check_consistency(ctx, parts, limits, requests);
}

/// `cpu`, `memory` and `hugepages-<size>` (`IsSupportedPodLevelResource`).
fn supported(name: &str) -> bool {
    matches!(name, "cpu" | "memory") || name.starts_with(HUGEPAGES)
}

/// `validatePodResourceName` and `ValidateResourceQuantityValue` for one entry.
fn check_entry(ctx: &mut Ctx<'_>, entry: &Entry) {
    let Some(name) = entry.key_str() else { return };
    if name == "<<" {
        return;
    }
    let format_errors = names::qualified_name(name);
    let message = if !format_errors.is_empty() {
        Some(format!(
            "Invalid value: \"{name}\": {}",
            join(&format_errors)
        ))
    } else if resource_name_errors(name)
        .iter()
        .any(|e| e == STANDARD_MESSAGE)
    {
        Some(format!("Invalid value: \"{name}\": {STANDARD_MESSAGE}"))
    } else if !supported(name) {
        Some(format!("Unsupported value: \"{name}\": {SUPPORTED}"))
    } else {
        None
    };
    if let Some(message) = message {
        ctx.report(&RULE, entry.key.span.clone(), message);
    }
    let Some(q) = quantity_of(&entry.value) else {
        return;
    };
    let text = ctx
        .text(&entry.value.span)
        .trim_matches(['"', '\''])
        .to_string();
    if q.negative {
        let message = format!("Invalid value: \"{text}\": must be greater than or equal to 0");
        ctx.report(&RULE, entry.value.span.clone(), message);
    } else if name.starts_with(HUGEPAGES) && !hugepages_divisible(name, &q) {
        let message =
            format!("Invalid value: \"{text}\": {text} is not positive integer multiple of {name}");
        ctx.report(&RULE, entry.value.span.clone(), message);
    }
}

/// `validateResourceRequirements` relations between the pod's own requests and limits.
/// Unsupported names already have an error and are left out.
fn check_requirements(ctx: &mut Ctx<'_>, resources: &Entry, limits: &[Entry], requests: &[Entry]) {
    let names = || {
        limits
            .iter()
            .chain(requests)
            .filter_map(Entry::key_str)
            .filter(|n| supported(n))
    };
    if names().any(|n| n.starts_with(HUGEPAGES)) && !names().any(|n| matches!(n, "cpu" | "memory"))
    {
        ctx.report(
            &RULE,
            resources.key.span.clone(),
            "Forbidden: HugePages require cpu or memory".to_string(),
        );
    }
    for request in requests {
        let Some(name) = request.key_str().filter(|n| supported(n)) else {
            continue;
        };
        let hugepages = name.starts_with(HUGEPAGES);
        let Some(limit) = limits.iter().find(|l| l.key_str() == Some(name)) else {
            if hugepages {
                let message = format!(
                    "Required value: Limit must be set for non overcommitable resources (add \
                     `{name}` to `limits`)"
                );
                ctx.report(&RULE, request.key.span.clone(), message);
            }
            continue;
        };
        let (Some(req), Some(lim)) = (quantity_of(&request.value), quantity_of(&limit.value))
        else {
            continue;
        };
        if req.negative || lim.negative {
            continue;
        }
        let req_text = ctx
            .text(&request.value.span)
            .trim_matches(['"', '\''])
            .to_string();
        let lim_text = ctx
            .text(&limit.value.span)
            .trim_matches(['"', '\''])
            .to_string();
        let order = req.cmp_value(&lim);
        let problem = if hugepages && order != Ordering::Equal {
            Some("must be equal to")
        } else if order == Ordering::Greater {
            Some("must be less than or equal to")
        } else {
            None
        };
        if let Some(problem) = problem {
            let message =
                format!("Invalid value: \"{req_text}\": {problem} {name} limit of {lim_text}");
            ctx.report(&RULE, request.value.span.clone(), message);
        }
    }
}

/// How a quantity prints (`resource.Format`), kept through sums as Go keeps the receiver's.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Format {
    DecimalSI,
    BinarySI,
    DecimalExponent,
}

/// An exact, non-negative amount and the format it prints in.
#[derive(Debug, Clone, Copy)]
struct Amount {
    value: Exact,
    format: Format,
}

type List<'a> = BTreeMap<&'a str, Amount>;

/// The amount a quantity node decodes to; `None` for anything invalid or negative (reported by
/// FLY218/FLY220/this rule) or too large to add up exactly.
fn amount(node: &Node) -> Option<Amount> {
    let q = quantity_of(node)?;
    if q.negative {
        return None;
    }
    let text = match node.reading()? {
        Reading::Int(i) => i.to_string(),
        Reading::Float(f) => f.to_string(),
        Reading::Str => node.as_scalar()?.value.trim().to_string(),
        _ => return None,
    };
    let value = parse_exact(&text)?;
    let suffix = text.trim_start_matches(|c: char| c.is_ascii_digit() || "+-.".contains(c));
    let format = if suffix.ends_with('i') {
        Format::BinarySI
    } else if suffix.starts_with(['e', 'E']) {
        Format::DecimalExponent
    } else {
        Format::DecimalSI
    };
    Some(Amount { value, format })
}

/// Both values as integers of the same decimal scale.
fn aligned(a: &Exact, b: &Exact) -> Option<(i128, i128, u32)> {
    let scale = a.scale.max(b.scale);
    let widen = |q: &Exact| -> Option<i128> {
        let m = i128::try_from(q.mantissa)
            .ok()?
            .checked_mul(10i128.checked_pow(scale - q.scale)?)?;
        Some(if q.negative { -m } else { m })
    };
    Some((widen(a)?, widen(b)?, scale))
}

fn add(a: &Exact, b: &Exact) -> Option<Exact> {
    let (x, y, scale) = aligned(a, b)?;
    let sum = x.checked_add(y)?;
    Some(Exact {
        negative: sum < 0,
        mantissa: sum.unsigned_abs(),
        scale,
    })
}

fn compare(a: &Exact, b: &Exact) -> Option<Ordering> {
    let (x, y, _) = aligned(a, b)?;
    Some(x.cmp(&y))
}

/// `addResourceList`: sums, keeping the first amount's format.
fn add_list<'a>(into: &mut List<'a>, from: &List<'a>) -> Option<()> {
    for (name, a) in from {
        match into.get_mut(name) {
            Some(existing) => existing.value = add(&existing.value, &a.value)?,
            None => {
                into.insert(name, *a);
            }
        }
    }
    Some(())
}

/// `maxResourceList`: the larger amount wins; a tie keeps the one already there.
fn max_list<'a>(into: &mut List<'a>, from: &List<'a>) -> Option<()> {
    for (name, a) in from {
        match into.get_mut(name) {
            Some(existing) => {
                if compare(&a.value, &existing.value)? == Ordering::Greater {
                    *existing = *a;
                }
            }
            None => {
                into.insert(name, *a);
            }
        }
    }
    Some(())
}

/// What the API server reads as a container's requests: its `requests`, plus (for pods) every
/// limit without a request, which `SetDefaults_Pod` copies over. `skip` names resources the
/// Flyte task environment replaces.
fn container_requests<'a>(container: &'a Node, defaulting: bool, skip: &[&str]) -> List<'a> {
    let resources = container.get("resources");
    let requests = map_entries(resources.and_then(|r| r.get("requests")));
    let limits = map_entries(resources.and_then(|r| r.get("limits")));
    let mut list = List::new();
    for e in requests {
        if let Some(name) = e.key_str().filter(|n| !skip.contains(n)) {
            if let Some(a) = amount(&e.value) {
                list.insert(name, a);
            }
        }
    }
    if defaulting {
        for e in limits {
            let Some(name) = e.key_str().filter(|n| !skip.contains(n)) else {
                continue;
            };
            if requests.iter().all(|r| r.key_str() != Some(name)) {
                if let Some(a) = amount(&e.value) {
                    list.insert(name, a);
                }
            }
        }
    }
    list
}

/// `AggregateContainerRequests`: regular containers and sidecars add up; each other init
/// container runs next to the sidecars started before it; the pod needs the larger of the two.
fn aggregate_requests<'a>(
    parts: &PodParts<'a>,
    defaulting: bool,
    skip_primary: &[&str],
) -> Option<List<'a>> {
    let primary = parts.primary_name();
    let mut total = List::new();
    for container in parts.containers_in("containers") {
        let is_primary =
            primary.is_some() && container.get("name").and_then(string_value) == primary;
        let skip = if is_primary { skip_primary } else { &[] };
        add_list(&mut total, &container_requests(container, defaulting, skip))?;
    }
    let mut sidecars = List::new();
    let mut init_max = List::new();
    for container in parts.containers_in("initContainers") {
        let own = container_requests(container, defaulting, &[]);
        let running = if container.get("restartPolicy").and_then(string_value) == Some("Always") {
            add_list(&mut total, &own)?;
            add_list(&mut sidecars, &own)?;
            sidecars.clone()
        } else {
            let mut running = own;
            add_list(&mut running, &sidecars)?;
            running
        };
        max_list(&mut init_max, &running)?;
    }
    max_list(&mut total, &init_max)?;
    Some(total)
}

/// `validatePodResourceConsistency`, for the resources the pod sets itself.
fn check_consistency(
    ctx: &mut Ctx<'_>,
    parts: &PodParts<'_>,
    limits: &[Entry],
    requests: &[Entry],
) {
    let containers: Vec<&Node> = parts.all_containers().into_iter().map(|(_, c)| c).collect();
    // A container whose resources come partly from an anchor may request more or less than
    // what is visible (and defaulting from limits depends on which requests exist).
    let hidden = containers.iter().any(|c| {
        let resources = c.get("resources");
        [Some(*c), resources]
            .into_iter()
            .chain([
                resources.and_then(|r| r.get("requests")),
                resources.and_then(|r| r.get("limits")),
            ])
            .flatten()
            .any(is_merged)
    });
    if hidden {
        return;
    }
    // The task environment's cpu/memory replace the primary container's (FLY316).
    let skip_primary: Vec<&str> = parts
        .environment
        .filter(|_| parts.kind == Some(DocKind::TaskEnvironment))
        .and_then(|env| env.get("resources"))
        .map(|r| {
            ["cpu", "memory"]
                .into_iter()
                .filter(|k| r.get(k).is_some())
                .collect()
        })
        .unwrap_or_default();
    let defaulting = parts.kind != Some(DocKind::KubePodTemplate);
    if let Some(aggregate) = aggregate_requests(parts, defaulting, &skip_primary) {
        for request in requests {
            let Some(name) = request.key_str().filter(|n| supported(n)) else {
                continue;
            };
            let (Some(pod), Some(total)) = (amount(&request.value), aggregate.get(name)) else {
                continue;
            };
            if compare(&total.value, &pod.value) == Some(Ordering::Greater) {
                let message = format!(
                    "Invalid value: \"{}\": must be greater than or equal to aggregate container \
                     requests of {}",
                    canonical(&pod),
                    canonical(total)
                );
                ctx.report(&RULE, request.value.span.clone(), message);
            }
        }
    }
    // Only regular containers are compared with the pod's limits (upstream loops over
    // `spec.Containers`).
    let primary = parts.primary_name();
    for container in parts.containers_in("containers") {
        let is_primary =
            primary.is_some() && container.get("name").and_then(string_value) == primary;
        let container_limits =
            map_entries(container.get("resources").and_then(|r| r.get("limits")));
        for limit in container_limits {
            let Some(name) = limit.key_str().filter(|n| supported(n)) else {
                continue;
            };
            if is_primary && skip_primary.contains(&name) {
                continue;
            }
            let Some(pod_limit) = limits.iter().find(|l| l.key_str() == Some(name)) else {
                continue;
            };
            let (Some(own), Some(pod)) = (amount(&limit.value), amount(&pod_limit.value)) else {
                continue;
            };
            if compare(&own.value, &pod.value) == Some(Ordering::Greater) {
                let message = format!(
                    "Invalid value: \"{}\": must be less than or equal to pod limits of {}",
                    canonical(&own),
                    canonical(&pod)
                );
                ctx.report(&RULE, limit.value.span.clone(), message);
            }
        }
    }
}

const DECIMAL_SUFFIXES: &[(i64, &str)] = &[
    (-9, "n"),
    (-6, "u"),
    (-3, "m"),
    (0, ""),
    (3, "k"),
    (6, "M"),
    (9, "G"),
    (12, "T"),
    (15, "P"),
    (18, "E"),
];
const BINARY_SUFFIXES: &[&str] = &["", "Ki", "Mi", "Gi", "Ti", "Pi", "Ei"];

/// `Quantity.String()` (`CanonicalizeBytes`): binary amounts below 1024 or with a fraction print
/// as decimal; decimal amounts use the largest exponent that is a multiple of 3 and keeps the
/// number whole.
fn canonical(a: &Amount) -> String {
    let v = a.value;
    if v.mantissa == 0 {
        return "0".to_string();
    }
    let sign = if v.negative { "-" } else { "" };
    let whole = v.scale == 0;
    if a.format == Format::BinarySI && whole && v.mantissa >= 1024 {
        let mut m = v.mantissa;
        let mut k = 0;
        while k + 1 < BINARY_SUFFIXES.len() && m.is_multiple_of(1024) {
            m /= 1024;
            k += 1;
        }
        return format!("{sign}{m}{}", BINARY_SUFFIXES[k]);
    }
    let mut m = v.mantissa;
    let mut e = -i64::from(v.scale);
    while m.is_multiple_of(10) {
        m /= 10;
        e += 1;
    }
    while e.rem_euclid(3) != 0 || e > 18 {
        match m.checked_mul(10) {
            Some(next) => m = next,
            None => return format!("{sign}{}", v.mantissa),
        }
        e -= 1;
    }
    if a.format == Format::DecimalExponent {
        return if e == 0 {
            format!("{sign}{m}")
        } else {
            format!("{sign}{m}e{e}")
        };
    }
    match DECIMAL_SUFFIXES.iter().find(|(x, _)| *x == e) {
        Some((_, suffix)) => format!("{sign}{m}{suffix}"),
        None => format!("{sign}{m}e{e}"),
    }
}

#[cfg(test)]
mod tests {
    use super::super::pod_values::test_support::check_k8s;
    use super::*;

    fn amount_of(text: &str, format: Format) -> Amount {
        Amount {
            value: parse_exact(text).unwrap_or(Exact {
                negative: false,
                mantissa: 0,
                scale: 0,
            }),
            format,
        }
    }

    #[test]
    fn canonical_forms() {
        let d = Format::DecimalSI;
        let b = Format::BinarySI;
        assert_eq!(canonical(&amount_of("1500m", d)), "1500m");
        assert_eq!(canonical(&amount_of("2000m", d)), "2");
        assert_eq!(canonical(&amount_of("1500", d)), "1500");
        assert_eq!(canonical(&amount_of("2000", d)), "2k");
        assert_eq!(canonical(&amount_of("0.5", d)), "500m");
        assert_eq!(canonical(&amount_of("1536Mi", b)), "1536Mi");
        assert_eq!(canonical(&amount_of("2Gi", b)), "2Gi");
        assert_eq!(canonical(&amount_of("512", b)), "512");
        assert_eq!(canonical(&amount_of("1e3", Format::DecimalExponent)), "1e3");
        assert_eq!(canonical(&amount_of("0", d)), "0");
        let sum = add(&amount_of("1Gi", b).value, &amount_of("512Mi", b).value);
        assert_eq!(
            sum.map(|value| canonical(&Amount { value, format: b })),
            Some("1536Mi".to_string())
        );
    }

    #[test]
    fn names_and_claims() {
        check_k8s(
            r#"apiVersion: v1
kind: PodTemplate
metadata:
  name: t
template:
  spec:
    resources:
#   ^^^^^^^^^ error FLY260: Forbidden: HugePages require cpu or memory
      claims:
#     ^^^^^^ error FLY260: Forbidden: claims cannot be set for Resources at pod-level
        - name: gpu
      limits:
        nvidia.com/gpu: 1
#       ^^^^^^^^^^^^^^ error FLY260: Unsupported value: "nvidia.com/gpu": supported values: "cpu", "hugepages-", "memory"
        gpu: 1
#       ^^^ error FLY260: Invalid value: "gpu": must be a standard resource type or fully qualified
        ephemeral-storage: 10Gi
#       ^^^^^^^^^^^^^^^^^ error FLY260: Unsupported value: "ephemeral-storage": supported values: "cpu", "hugepages-", "memory"
        hugepages-2Mi: 3Mi
#                      ^^^ error FLY260: Invalid value: "3Mi": 3Mi is not positive integer multiple of hugepages-2Mi
    containers:
      - name: main
        image: busybox
"#,
        );
    }

    #[test]
    fn requests_and_limits() {
        check_k8s(
            r#"pod_spec:
  resources:
    requests:
      cpu: "4"
#          ^^^ error FLY260: Invalid value: "4": must be less than or equal to cpu limit of 2
      memory: -1Gi
#             ^^^^ error FLY260: Invalid value: "-1Gi": must be greater than or equal to 0
      hugepages-2Mi: 4Mi
#                    ^^^ error FLY260: Invalid value: "4Mi": must be equal to hugepages-2Mi limit of 2Mi
      hugepages-1Gi: 1Gi
#     ^^^^^^^^^^^^^ error FLY260: Required value: Limit must be set for non overcommitable resources (add `hugepages-1Gi` to `limits`)
    limits:
      cpu: "2"
      memory: 8Gi
      hugepages-2Mi: 2Mi
  containers: []
"#,
        );
    }

    #[test]
    fn aggregate_requests_in_a_pod_template() {
        // No defaulting in a PodTemplate: limit-only containers request nothing.
        check_k8s(
            r#"apiVersion: v1
kind: PodTemplate
metadata:
  name: t
template:
  spec:
    resources:
      requests:
        cpu: "1"
#            ^^^ error FLY260: Invalid value: "1": must be greater than or equal to aggregate container requests of 1500m
        memory: 2Gi
      limits:
        cpu: "4"
        memory: 4Gi
    initContainers:
      - name: proxy
        image: envoy
        restartPolicy: Always
        resources:
          requests:
            cpu: 500m
            memory: 512Mi
      - name: setup
        image: busybox
        resources:
          requests:
            memory: 1Gi
    containers:
      - name: main
        image: busybox
        resources:
          requests:
            cpu: "1"
            memory: 1Gi
          limits:
            cpu: "5"
#                ^^^ error FLY260: Invalid value: "5": must be less than or equal to pod limits of 4
            memory: 3Gi
      - name: sidecar
        image: busybox
        resources:
          limits:
            memory: 8Gi
#                   ^^^ error FLY260: Invalid value: "8Gi": must be less than or equal to pod limits of 4Gi
"#,
        );
    }

    #[test]
    fn flyte_pods_default_requests_from_limits() {
        check_k8s(
            r#"pod_spec:
  resources:
    requests:
      memory: 1Gi
#             ^^^ error FLY260: Invalid value: "1Gi": must be greater than or equal to aggregate container requests of 1536Mi
    limits:
      memory: 4Gi
  containers:
    - name: primary
      resources:
        limits:
          memory: 1Gi
    - name: agent
      image: busybox
      resources:
        requests:
          memory: 512Mi
"#,
        );
    }

    #[test]
    fn task_environment_resources_replace_the_primary() {
        check_k8s(
            r#"name: train
image: ghcr.io/acme/train:1
env_vars: {A: "1"}
resources:
  cpu: "2"
pod_template:
  pod_spec:
    resources:
      requests:
        cpu: "4"
#            ^^^ error FLY260: Invalid value: "4": must be greater than or equal to aggregate container requests of 5
      limits:
        cpu: "4"
    containers:
      - name: primary
        resources:
          requests:
            cpu: "8"
          limits:
            cpu: "8"
      - name: helper
        image: busybox
        resources:
          limits:
            cpu: "5"
#                ^^^ error FLY260: Invalid value: "5": must be less than or equal to pod limits of 4
"#,
        );
    }

    #[test]
    fn valid_pod_level_resources() {
        check_k8s(
            r#"apiVersion: v1
kind: PodTemplate
metadata:
  name: t
template:
  spec:
    resources:
      requests:
        cpu: 1500m
        memory: 1536Mi
      limits:
        cpu: "2"
        memory: 2Gi
        hugepages-2Mi: 4Mi
    initContainers:
      - name: setup
        image: busybox
        resources:
          requests:
            cpu: 1500m
    containers:
      - name: main
        image: busybox
        resources:
          requests:
            cpu: "1"
            memory: 1Gi
            nvidia.com/gpu: 1
          limits:
            nvidia.com/gpu: 1
            memory: 2Gi
      - name: side
        image: busybox
        resources:
          requests:
            cpu: 500m
            memory: 512Mi
"#,
        );
    }
}
