//! FLY266: dynamic resource allocation (DRA, GA in Kubernetes 1.34) claims the API server
//! rejects: a pod `resourceClaims` entry without a valid, unique name or without exactly one of
//! `resourceClaimName` and `resourceClaimTemplateName`, and a container `resources.claims`
//! entry that names no claim of the pod.
//!
//! Mirrors `pkg/apis/core/validation/validation.go` (`validatePodResourceClaims`,
//! `validatePodResourceClaim`, `validateResourceClaimNames`). Pod-level `resources.claims` is
//! FLY260's.

use std::collections::HashSet;

use crate::analysis::names;
use crate::model::pod::PodParts;
use crate::tree::Node;

use super::pod_values::{first_key_span, is_merged, is_set, join, map_items, string_value};
use super::{Applies, Check, Ctx, Depends, Family, Reads, Rule, Severity};

pub static RULE: Rule = Rule {
    code: "FLY266",
    name: "invalid-resource-claim",
    severity: Severity::Error,
    applies: Applies::Everywhere,
    safe_fix: false,
    reads: Reads::of(Depends::Document(&["name"])),
    summary: "A dynamic resource allocation claim the API server rejects: each entry of the \
              pod's `resourceClaims` needs a unique DNS-label `name` and exactly one of \
              `resourceClaimName` or `resourceClaimTemplateName`, and each container's \
              `resources.claims[].name` must be one of those names (`must be one of the names \
              in pod.spec.resourceClaims`).",
    bad: "pod_spec:\n  containers:\n    - name: primary\n      resources:\n        claims:\n          - name: gpu\n  resourceClaims:\n    - name: gpus\n      resourceClaimTemplateName: single-gpu\n",
    good: "pod_spec:\n  containers:\n    - name: primary\n      resources:\n        claims:\n          - name: gpu\n  resourceClaims:\n    - name: gpu\n      resourceClaimTemplateName: single-gpu\n",
    source: "`pkg/apis/core/validation/validation.go` (`validatePodResourceClaims`, \
             `validatePodResourceClaim`, `validateResourceClaimNames`)",
};

pub static FAMILY: Family = Family {
    rules: &[&RULE],
    check: Check::Pod(check),
};

pub(super) fn check(ctx: &mut Ctx<'_>, parts: &PodParts<'_>) {
    let list = parts.spec_field("resourceClaims");
    // With a merge key somewhere, the set of claim names is not known: check the entries but
    // draw no conclusion about the containers' references.
    let mut complete = !list.is_some_and(is_merged);
    let mut claims: Vec<String> = Vec::new();
    let mut seen: HashSet<&str> = HashSet::new();
    for claim in map_items(list) {
        if is_merged(claim) {
            complete = false;
            continue;
        }
        if let Some(name) = check_pod_claim(ctx, claim, &mut seen) {
            claims.push(name.to_string());
        }
    }
    claims.sort();
    claims.dedup();
    for (_, container) in parts.all_containers() {
        let Some(refs) = container
            .get("resources")
            .and_then(|r| r.get("claims"))
            .filter(|c| !is_merged(c))
        else {
            continue;
        };
        check_container_claims(ctx, refs, complete.then_some(claims.as_slice()));
    }
}

/// One entry of `spec.resourceClaims`; returns its name when it has a usable one.
fn check_pod_claim<'a>(
    ctx: &mut Ctx<'_>,
    claim: &'a Node,
    seen: &mut HashSet<&'a str>,
) -> Option<&'a str> {
    let name = match claim.get("name") {
        // A missing name is FLY104's (the schema requires it).
        None => None,
        Some(node) => match string_value(node) {
            Some("") => {
                ctx.report(&RULE, node.span.clone(), "Required value".to_string());
                None
            }
            Some(name) if !seen.insert(name) => {
                let message = format!("Duplicate value: \"{name}\"");
                ctx.report(&RULE, node.span.clone(), message);
                None
            }
            Some(name) => {
                let errs = names::dns1123_label(name);
                if errs.is_empty() {
                    Some(name)
                } else {
                    let message = format!("Invalid value: \"{name}\": {}", join(&errs));
                    ctx.report(&RULE, node.span.clone(), message);
                    // Still a name the containers may refer to.
                    Some(name)
                }
            }
            None => None,
        },
    };
    let direct = claim.get("resourceClaimName");
    let template = claim.get("resourceClaimTemplateName");
    match (is_set(direct), is_set(template)) {
        (true, true) => {
            let at = claim
                .entry("resourceClaimTemplateName")
                .map_or_else(|| first_key_span(claim), |e| e.key.span.clone());
            ctx.report(
                &RULE,
                at,
                "Invalid value: at most one of `resourceClaimName` or \
                 `resourceClaimTemplateName` may be specified"
                    .to_string(),
            );
        }
        (false, false) => {
            ctx.report(
                &RULE,
                first_key_span(claim),
                "Invalid value: must specify one of: `resourceClaimName`, \
                 `resourceClaimTemplateName`"
                    .to_string(),
            );
        }
        _ => {}
    }
    for node in [direct, template].into_iter().flatten() {
        if let Some(object) = string_value(node) {
            let errs = names::dns1123_subdomain(object);
            if !errs.is_empty() {
                let message = format!("Invalid value: \"{object}\": {}", join(&errs));
                ctx.report(&RULE, node.span.clone(), message);
            }
        }
    }
    name
}

/// `validateResourceClaimNames` for one container. `pod_claims` is `None` when the pod's claim
/// names cannot all be seen.
fn check_container_claims(ctx: &mut Ctx<'_>, refs: &Node, pod_claims: Option<&[String]>) {
    let mut seen: HashSet<String> = HashSet::new();
    for claim in map_items(Some(refs)) {
        let Some(node) = claim.get("name") else {
            continue;
        };
        let Some(name) = string_value(node) else {
            continue;
        };
        if name.is_empty() {
            ctx.report(&RULE, node.span.clone(), "Required value".to_string());
            continue;
        }
        // A claim may be listed once per request (`request` names one request of the claim).
        let request = claim.get("request").and_then(string_value).unwrap_or("");
        if !seen.insert(format!("{name}/{request}")) {
            let message = format!("Duplicate value: \"{name}\"");
            ctx.report(&RULE, node.span.clone(), message);
        }
        let Some(pod_claims) = pod_claims else {
            continue;
        };
        if !pod_claims.iter().any(|c| c == name) {
            let listed = if pod_claims.is_empty() {
                " which is empty".to_string()
            } else {
                format!(": {}", pod_claims.join(", "))
            };
            let message = format!(
                "Not found: \"{name}\": must be one of the names in pod.spec.resourceClaims{listed}"
            );
            ctx.report(&RULE, node.span.clone(), message);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::pod_values::test_support::check_k8s;

    #[test]
    fn pod_claims_and_container_references() {
        check_k8s(
            r#"apiVersion: v1
kind: PodTemplate
metadata:
  name: dra
template:
  spec:
    containers:
      - name: trainer
        image: ghcr.io/acme/train:1.4.2
        resources:
          claims:
            - name: gpu
            - name: gpu
#                   ^^^ error FLY266: Duplicate value: "gpu"
            - name: nic
#                   ^^^ error FLY266: Not found: "nic": must be one of the names in pod.spec.resourceClaims: Big_GPU, gpu
    resourceClaims:
      - name: gpu
        resourceClaimTemplateName: single-gpu
      - name: Big_GPU
#             ^^^^^^^ error FLY266: Invalid value: "Big_GPU": a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc')
        resourceClaimName: big-gpu
        resourceClaimTemplateName: big-gpu
#       ^^^^^^^^^^^^^^^^^^^^^^^^^ error FLY266: Invalid value: at most one of `resourceClaimName` or `resourceClaimTemplateName` may be specified
      - name: gpu
#       ^^^^ error FLY266: Invalid value: must specify one of: `resourceClaimName`, `resourceClaimTemplateName`
#             ^^^ error FLY266: Duplicate value: "gpu"
"#,
        );
    }

    #[test]
    fn a_container_claim_without_pod_claims() {
        check_k8s(
            r#"pod_spec:
  containers:
    - name: primary
      resources:
        claims:
          - name: gpu
#                 ^^^ error FLY266: Not found: "gpu": must be one of the names in pod.spec.resourceClaims which is empty
"#,
        );
    }

    #[test]
    fn valid_claims_with_requests() {
        check_k8s(
            r#"pod_spec:
  containers:
    - name: primary
      resources:
        claims:
          - name: gpus
            request: first
          - name: gpus
            request: second
    - name: sidecar
      image: busybox:1.36
      resources:
        claims:
          - name: nic
  resourceClaims:
    - name: gpus
      resourceClaimTemplateName: two-gpus
    - name: nic
      resourceClaimName: rdma-nic-0
"#,
        );
    }
}
