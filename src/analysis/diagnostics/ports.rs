//! FLY210–FLY213: container ports. Numbers in range, IANA service names unique within a
//! container, and host ports that do not collide or contradict `hostNetwork`.
//!
//! Mirrors `pkg/apis/core/validation/validation.go` (`validateContainerPorts`,
//! `AccumulateUniqueHostPorts`, `checkHostPortConflicts`, `validatePodHostNetworkDeps`) and
//! `staging/src/k8s.io/apimachinery/pkg/util/validation/validation.go` (`IsValidPortNum`,
//! `IsValidPortName`).

use crate::model::pod::{ContainerList, PodParts};
use crate::model::DocKind;
use crate::tree::{Node, Reading};

use super::pod_values::{int_value, join, map_items, string_value};
use super::{Applies, Check, Ctx, Depends, Family, Reads, Rule, Severity, PORT_FIELDS};

pub static NUMBER_RULE: Rule = Rule {
    code: "FLY210",
    name: "invalid-port-number",
    severity: Severity::Error,
    applies: Applies::Everywhere,
    safe_fix: false,
    reads: Reads::NOTHING,
    summary: "`containerPort` must be set and between 1 and 65535; `hostPort` is 0 (unset) or \
              between 1 and 65535. The API server rejects the pod (`Invalid value: 70000: must \
              be between 1 and 65535, inclusive`, or `containerPort: Required value` for 0).",
    bad: "pod_spec:\n  containers:\n    - name: primary\n      ports:\n        - containerPort: 80800\n",
    good: "pod_spec:\n  containers:\n    - name: primary\n      ports:\n        - containerPort: 8080\n",
    source: "`pkg/apis/core/validation/validation.go` (`validateContainerPorts`); \
             `IsValidPortNum` in `pkg/util/validation/validation.go`",
};

pub static NAME_RULE: Rule = Rule {
    code: "FLY211",
    name: "invalid-port-name",
    severity: Severity::Error,
    applies: Applies::Everywhere,
    safe_fix: false,
    reads: Reads::NOTHING,
    summary: "A port name must be an IANA service name: at most 15 characters of `a-z`, `0-9` \
              and `-`, with at least one letter, no leading, trailing or double `-`. Probes and \
              Services refer to ports by this name.",
    bad: "pod_spec:\n  containers:\n    - name: primary\n      ports:\n        - name: metrics_http\n          containerPort: 9090\n",
    good: "pod_spec:\n  containers:\n    - name: primary\n      ports:\n        - name: metrics\n          containerPort: 9090\n",
    source: "`IsValidPortName` in `staging/src/k8s.io/apimachinery/pkg/util/validation/validation.go`; \
             `validateContainerPorts`",
};

pub static DUPLICATE_RULE: Rule = Rule {
    code: "FLY212",
    name: "duplicate-port-name",
    severity: Severity::Error,
    applies: Applies::Everywhere,
    safe_fix: false,
    reads: Reads::NOTHING,
    summary: "Two ports of the same container have the same name (`Duplicate value`). The same \
              name in two different containers is fine.",
    bad: "pod_spec:\n  containers:\n    - name: primary\n      ports:\n        - name: http\n          containerPort: 8080\n        - name: http\n          containerPort: 8081\n",
    good: "pod_spec:\n  containers:\n    - name: primary\n      ports:\n        - name: http\n          containerPort: 8080\n        - name: http-alt\n          containerPort: 8081\n",
    source: "`pkg/apis/core/validation/validation.go` (`validateContainerPorts`)",
};

pub static HOST_PORT_RULE: Rule = Rule {
    code: "FLY213",
    name: "host-port-conflict",
    severity: Severity::Error,
    applies: Applies::Everywhere,
    safe_fix: false,
    reads: Reads::of(Depends::Document(PORT_FIELDS)),
    summary: "Two ports of the regular containers claim the same `protocol/hostIP/hostPort` (init \
              containers are checked one by one, since they run one after another), or \
              `hostNetwork: true` is set and a `hostPort` differs from its `containerPort`.",
    bad: "pod_spec:\n  containers:\n    - name: primary\n      ports:\n        - containerPort: 8080\n          hostPort: 8080\n    - name: sidecar\n      image: envoyproxy/envoy:v1.30.1\n      ports:\n        - containerPort: 9090\n          hostPort: 8080\n",
    good: "pod_spec:\n  containers:\n    - name: primary\n      ports:\n        - containerPort: 8080\n          hostPort: 8080\n    - name: sidecar\n      image: envoyproxy/envoy:v1.30.1\n      ports:\n        - containerPort: 9090\n          hostPort: 9090\n",
    source: "`pkg/apis/core/validation/validation.go` (`AccumulateUniqueHostPorts`, \
             `checkHostPortConflicts`, `validatePodHostNetworkDeps`)",
};

pub static FAMILY: Family = Family {
    rules: &[&NUMBER_RULE, &NAME_RULE, &DUPLICATE_RULE, &HOST_PORT_RULE],
    check: Check::Pod(check),
};

const MAX_PORT: i128 = 65535;
const PORT_NAME_MAX: usize = 15;

pub(super) fn check(ctx: &mut Ctx<'_>, parts: &PodParts<'_>) {
    let host_network = parts
        .spec_field("hostNetwork")
        .is_some_and(|n| n.reading() == Some(Reading::Bool(true)));
    let is_pod = parts.kind == Some(DocKind::KubePod);
    // Sets, not lists, so that many ports stay linear.
    let mut regular_host_ports: std::collections::HashSet<String> =
        std::collections::HashSet::new();
    for (list, container) in parts.all_containers() {
        let mut init_host_ports: std::collections::HashSet<String> =
            std::collections::HashSet::new();
        let mut names: std::collections::HashSet<&str> = std::collections::HashSet::new();
        for port in map_items(container.get("ports")) {
            check_numbers(ctx, port);
            check_name(ctx, port, &mut names);
            let seen = match list {
                ContainerList::Containers => &mut regular_host_ports,
                ContainerList::InitContainers => &mut init_host_ports,
            };
            check_host_port(ctx, port, seen);
            if host_network && list == ContainerList::Containers {
                check_host_network(ctx, port, is_pod);
            }
        }
    }
}

fn check_numbers(ctx: &mut Ctx<'_>, port: &Node) {
    // A missing `containerPort` is FLY104's (the schema requires it).
    if let Some(e) = port.entry("containerPort") {
        match int_value(&e.value) {
            Some(0) => {
                ctx.report(
                    &NUMBER_RULE,
                    e.value.span.clone(),
                    "Required value".to_string(),
                );
            }
            Some(n) => range_check(ctx, &e.value, n),
            None => {}
        }
    }
    if let Some(e) = port.entry("hostPort") {
        match int_value(&e.value) {
            Some(0) | None => {}
            Some(n) => range_check(ctx, &e.value, n),
        }
    }
}

fn range_check(ctx: &mut Ctx<'_>, node: &Node, n: i128) {
    if !(1..=MAX_PORT).contains(&n) {
        let message = format!("Invalid value: {n}: must be between 1 and {MAX_PORT}, inclusive");
        ctx.report(&NUMBER_RULE, node.span.clone(), message);
    }
}

fn check_name<'a>(
    ctx: &mut Ctx<'_>,
    port: &'a Node,
    names: &mut std::collections::HashSet<&'a str>,
) {
    let Some(node) = port.get("name") else { return };
    let Some(name) = string_value(node) else {
        return;
    };
    if name.is_empty() {
        return;
    }
    let errs = port_name(name);
    if !errs.is_empty() {
        let message = format!("Invalid value: \"{name}\": {}", join(&errs));
        ctx.report(&NAME_RULE, node.span.clone(), message);
    } else if names.contains(&name) {
        let message = format!("Duplicate value: \"{name}\"");
        ctx.report(&DUPLICATE_RULE, node.span.clone(), message);
    } else {
        names.insert(name);
    }
}

/// `IsValidPortName`: an IANA_SVC_NAME (RFC 6335).
pub(super) fn port_name(port: &str) -> Vec<String> {
    let mut errs = Vec::new();
    if port.len() > PORT_NAME_MAX {
        errs.push(format!("must be no more than {PORT_NAME_MAX} characters"));
    }
    let charset_ok = !port.is_empty()
        && port
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
    if !charset_ok {
        errs.push("must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)".into());
    }
    if !port.bytes().any(|b| b.is_ascii_lowercase()) {
        errs.push("must contain at least one letter (a-z)".to_string());
    }
    if port.contains("--") {
        errs.push("must not contain consecutive hyphens".to_string());
    }
    if port.starts_with('-') || port.ends_with('-') {
        errs.push("must not begin or end with a hyphen".to_string());
    }
    errs
}

fn check_host_port(ctx: &mut Ctx<'_>, port: &Node, seen: &mut std::collections::HashSet<String>) {
    let Some(node) = port.get("hostPort") else {
        return;
    };
    let Some(host_port) = int_value(node).filter(|p| *p != 0) else {
        return;
    };
    // `protocol` defaults to TCP before validation runs.
    let protocol = port.get("protocol").and_then(string_value).unwrap_or("TCP");
    let host_ip = port.get("hostIP").and_then(string_value).unwrap_or("");
    let key = format!("{protocol}/{host_ip}/{host_port}");
    if seen.contains(&key) {
        let message = format!("Duplicate value: \"{key}\"");
        ctx.report(&HOST_PORT_RULE, node.span.clone(), message);
    } else {
        seen.insert(key);
    }
}

fn check_host_network(ctx: &mut Ctx<'_>, port: &Node, is_pod: bool) {
    let Some(container_port) = port.get("containerPort").and_then(int_value) else {
        return;
    };
    let host = port.get("hostPort");
    let host_port = host.and_then(int_value).unwrap_or(0);
    // A template may leave hostPort 0: it is defaulted to containerPort when the Pod is made.
    if (is_pod || host_port != 0) && host_port != container_port {
        if let Some(node) = host {
            let message = format!(
                "Invalid value: {host_port}: must match `containerPort` when `hostNetwork` is true"
            );
            ctx.report(&HOST_PORT_RULE, node.span.clone(), message);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::pod_values::test_support::check_k8s;
    use super::port_name;

    #[test]
    fn port_numbers_in_range() {
        check_k8s(
            r#"pod_spec:
  containers:
    - name: primary
      ports:
        - containerPort: 0
#                        ^ error FLY210: Required value
          hostPort: 0
        - containerPort: 65536
#                        ^^^^^ error FLY210: Invalid value: 65536: must be between 1 and 65535, inclusive
          hostPort: -1
#                   ^^ error FLY210: Invalid value: -1: must be between 1 and 65535, inclusive
        - containerPort: 8080
          hostPort: 65535
"#,
        );
    }

    #[test]
    fn port_names() {
        assert!(port_name("http").is_empty());
        assert!(port_name("grpc-web-2").is_empty());
        assert_eq!(
            port_name("8080"),
            ["must contain at least one letter (a-z)"]
        );
        assert_eq!(port_name("a--b"), ["must not contain consecutive hyphens"]);
        assert_eq!(port_name("-ab"), ["must not begin or end with a hyphen"]);
        assert_eq!(
            port_name("Metrics_HTTP"),
            ["must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)"]
        );
        assert_eq!(
            port_name("abcdefghijklmnop"),
            ["must be no more than 15 characters"]
        );
        check_k8s(
            r#"pod_spec:
  containers:
    - name: primary
      ports:
        - name: http
          containerPort: 8080
        - name: "8081"
#               ^^^^^^ error FLY211: Invalid value: "8081": must contain at least one letter (a-z)
          containerPort: 8081
        - name: http
#               ^^^^ error FLY212: Duplicate value: "http"
          containerPort: 8082
    - name: sidecar
      image: busybox
      ports:
        - name: http
#               ^^^^ warning FLY261: duplicate port name "http" with containers[0].ports[0], services and probes that select ports by name will use containers[0].ports[0]
          containerPort: 9090
"#,
        );
    }

    #[test]
    fn host_ports() {
        check_k8s(
            r#"apiVersion: v1
kind: PodTemplate
metadata:
  name: t
template:
  spec:
    containers:
      - name: a
        image: busybox
        ports:
          - containerPort: 80
#                          ^^ warning FLY261: duplicate port definition with initContainers[0].ports[0]
            hostPort: 8080
          - containerPort: 81
            hostPort: 8080
            protocol: UDP
      - name: b
        image: busybox
        ports:
          - containerPort: 82
            hostPort: 8080
#                     ^^^^ error FLY213: Duplicate value: "TCP//8080"
    initContainers:
      - name: c
        image: busybox
        ports:
          - containerPort: 80
            hostPort: 8080
"#,
        );
        check_k8s(
            r#"apiVersion: v1
kind: PodTemplate
metadata:
  name: t
template:
  spec:
    hostNetwork: true
    containers:
      - name: a
        image: busybox
        ports:
          - containerPort: 80
          - containerPort: 81
            hostPort: 0
          - containerPort: 82
            hostPort: 9090
#                     ^^^^ error FLY213: Invalid value: 9090: must match `containerPort` when `hostNetwork` is true
"#,
        );
    }
}
