//! FLY261: container ports that the API server accepts with a warning because they collide: the
//! same `containerPort`/`protocol` declared twice (exactly, or overlapping through an unset
//! `hostPort`, or ambiguously through an unset `hostIP`), a `hostIP` without a `hostPort`, and
//! the same port `name` in two containers.
//!
//! Mirrors `pkg/api/pod/warnings.go` (`warningsForPodSpecAndMeta`, the "Accumulate ports across
//! all containers" and "Accumulate port names of containers and sidecar containers" blocks).
//! Warnings run after defaulting, so an unset `protocol` is TCP.

use std::collections::HashMap;

use crate::model::pod::{ContainerList, PodParts};
use crate::text::fast_hash::FastBuild;
use crate::tree::Node;

use super::pod_values::{first_key_span, int_value, map_items, string_value};
use super::{Applies, Check, Ctx, Depends, Family, Reads, Rule, Severity, PORT_FIELDS};

pub static RULE: Rule = Rule {
    code: "FLY261",
    name: "duplicate-container-port",
    severity: Severity::Warning,
    applies: Applies::Everywhere,
    safe_fix: false,
    reads: Reads::of(Depends::Document(PORT_FIELDS)),
    summary: "Two port definitions in the pod's containers use the same `containerPort` and \
              `protocol`: exactly the same (`duplicate port definition`), one without a \
              `hostPort` (`overlapping port definition`), or the same `hostPort` with and \
              without a `hostIP` (`dangerously ambiguous port definition`). Also a `hostIP` \
              without a `hostPort`, and a port `name` used by two containers (`duplicate port \
              name`: Services and probes that select the port by name get the first). The API \
              server accepts the pod with a warning; `kubectl apply` may drop one of the \
              definitions when it merges the list.",
    bad: "pod_spec:\n  containers:\n    - name: primary\n      ports:\n        - containerPort: 8080\n    - name: proxy\n      image: envoyproxy/envoy:v1.30.1\n      ports:\n        - containerPort: 8080\n",
    good: "pod_spec:\n  containers:\n    - name: primary\n      ports:\n        - containerPort: 8080\n    - name: proxy\n      image: envoyproxy/envoy:v1.30.1\n      ports:\n        - containerPort: 9901\n",
    source: "`pkg/api/pod/warnings.go` (`warningsForPodSpecAndMeta`)",
};

pub static FAMILY: Family = Family {
    rules: &[&RULE],
    check: Check::Pod(check),
};

/// Where a port definition is: `containers[3].ports[0]`. Kept as indices and written out only
/// for a message, so that a pod's thousands of ports cost no string each.
#[derive(Debug, Clone, Copy)]
struct Place {
    list: ContainerList,
    container: usize,
    port: usize,
}

impl std::fmt::Display for Place {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{}[{}].ports[{}]",
            self.list.field(),
            self.container,
            self.port
        )
    }
}

/// A map keyed by what the document says: keys are borrowed from the tree, and the hash is the
/// cheap one (a document can only slow down its own check).
type Map<K, V> = HashMap<K, V, FastBuild>;

/// What is known about the earlier definitions of one `containerPort/protocol`, kept so that
/// each new definition is compared in constant time (a pod with thousands of containers on the
/// same port stays linear). The API server warns once per colliding pair; one warning per
/// definition, naming the first it collides with, says the same at a bounded size.
#[derive(Default)]
struct Earlier<'a> {
    /// The first definition of each exact `(hostIP, hostPort)`, and whether it is in a regular
    /// container.
    exact: Map<(&'a str, i128), (Place, bool)>,
    /// The first definition without a host port, and the first with one.
    first_without_host_port: Option<Place>,
    /// The first definition without a host port per host IP, in the order they were met, so
    /// that the one a message names does not depend on a hash map's order.
    without_host_port_by_ip: Vec<(&'a str, Place)>,
    first_with_host_port: Option<Place>,
    /// Per host port: the first definition without a host IP, and the first with one.
    by_host_port: Map<i128, (Option<Place>, Option<Place>)>,
}

pub(super) fn check(ctx: &mut Ctx<'_>, parts: &PodParts<'_>) {
    // Keyed by "containerPort/protocol", as the API server does.
    let mut seen: Map<(i128, &str), Earlier<'_>> = Map::default();
    // Port name → the first port of that name and the container it is in.
    let mut names: Map<&str, (Place, usize)> = Map::default();
    let mut container_id = 0;
    // `pods.VisitContainersWithPath` order: init containers first, then regular containers;
    // the later definition of a pair is the one flagged.
    for list in [ContainerList::InitContainers, ContainerList::Containers] {
        for (index, container) in parts.containers_in(list.field()).into_iter().enumerate() {
            container_id += 1;
            let regular = list == ContainerList::Containers;
            for (j, port) in map_items(container.get("ports")).enumerate() {
                let place = Place {
                    list,
                    container: index,
                    port: j,
                };
                check_name(ctx, port, place, container_id, &mut names);
                check_port(ctx, port, place, regular, &mut seen);
            }
        }
    }
}

/// The duplicate port name warning. A name repeated within one container is already FLY212's
/// error (`Duplicate value`); the warning would only repeat it.
fn check_name<'a>(
    ctx: &mut Ctx<'_>,
    port: &'a Node,
    place: Place,
    container_id: usize,
    names: &mut Map<&'a str, (Place, usize)>,
) {
    let Some(node) = port.get("name") else { return };
    let Some(name) = string_value(node).filter(|n| !n.is_empty()) else {
        return;
    };
    match names.get(name) {
        Some((other, id)) => {
            if *id != container_id {
                let message = format!(
                    "duplicate port name \"{name}\" with {other}, services and probes that \
                     select ports by name will use {other}"
                );
                ctx.report(&RULE, node.span.clone(), message);
            }
        }
        None => {
            names.insert(name, (place, container_id));
        }
    }
}

fn check_port<'a>(
    ctx: &mut Ctx<'_>,
    port: &'a Node,
    place: Place,
    regular: bool,
    seen: &mut Map<(i128, &'a str), Earlier<'a>>,
) {
    let host_ip = port.get("hostIP").and_then(string_value).unwrap_or("");
    let host_port = port.get("hostPort").and_then(int_value).unwrap_or(0);
    let at = port
        .get("containerPort")
        .map_or_else(|| first_key_span(port), |n| n.span.clone());
    if !host_ip.is_empty() && host_port == 0 {
        let span = port
            .entry("hostIP")
            .map_or_else(|| at.clone(), |e| e.key.span.clone());
        ctx.report(&RULE, span, "hostIP set without hostPort".to_string());
    }
    // A port that is not an integer is FLY106's; it takes no part in the comparison.
    let Some(container_port) = port.get("containerPort").and_then(int_value) else {
        return;
    };
    let protocol = port.get("protocol").and_then(string_value).unwrap_or("TCP");
    // The API server's key is the string "containerPort/protocol"; the pair is the same key
    // (a port has no `/`) without formatting one per port.
    let earlier = seen.entry((container_port, protocol)).or_default();
    if let Some(problem) = collision(earlier, host_ip, host_port, regular) {
        ctx.report(&RULE, at, problem);
    }
    record(earlier, place, host_ip, host_port, regular);
}

/// The first collision of a new definition with the earlier ones, in the API server's order of
/// tests: exactly equal, then overlapping through an unset host port, then ambiguous through an
/// unset host IP.
fn collision(
    earlier: &Earlier<'_>,
    host_ip: &str,
    host_port: i128,
    regular: bool,
) -> Option<String> {
    if let Some((other, other_regular)) = earlier.exact.get(&(host_ip, host_port)) {
        // With a host port, two regular containers already collide as an error (FLY213,
        // `AccumulateUniqueHostPorts`); the warning would only repeat it.
        if !(host_port != 0 && regular && *other_regular) {
            return Some(format!("duplicate port definition with {other}"));
        }
    }
    // Overlapping: one of the two has no host port (and they are not exactly equal).
    let overlapping = if host_port == 0 {
        earlier.first_with_host_port.as_ref().or_else(|| {
            // Another definition without a host port but a different host IP.
            earlier
                .without_host_port_by_ip
                .iter()
                .find(|(ip, _)| *ip != host_ip)
                .map(|(_, place)| place)
        })
    } else {
        earlier.first_without_host_port.as_ref()
    };
    if let Some(other) = overlapping {
        return Some(format!("overlapping port definition with {other}"));
    }
    let (without_ip, with_ip) = earlier.by_host_port.get(&host_port)?;
    let other = if host_ip.is_empty() {
        with_ip.as_ref()
    } else {
        without_ip.as_ref()
    }?;
    Some(format!(
        "dangerously ambiguous port definition with {other}"
    ))
}

fn record<'a>(
    earlier: &mut Earlier<'a>,
    place: Place,
    host_ip: &'a str,
    host_port: i128,
    regular: bool,
) {
    if host_port == 0 {
        earlier.first_without_host_port.get_or_insert(place);
        if !earlier
            .without_host_port_by_ip
            .iter()
            .any(|(ip, _)| *ip == host_ip)
        {
            earlier.without_host_port_by_ip.push((host_ip, place));
        }
    } else {
        earlier.first_with_host_port.get_or_insert(place);
        let slot = earlier.by_host_port.entry(host_port).or_default();
        let first = if host_ip.is_empty() {
            &mut slot.0
        } else {
            &mut slot.1
        };
        first.get_or_insert(place);
    }
    earlier
        .exact
        .entry((host_ip, host_port))
        .or_insert((place, regular));
}

#[cfg(test)]
mod tests {
    use super::super::pod_values::test_support::check_k8s;

    #[test]
    fn duplicate_and_overlapping_ports() {
        check_k8s(
            r#"pod_spec:
  containers:
    - name: primary
      ports:
        - containerPort: 8080
        - containerPort: 9090
          hostPort: 9090
        - containerPort: 53
          protocol: UDP
          hostPort: 53
          hostIP: 10.0.0.1
    - name: proxy
      image: envoyproxy/envoy:v1.30.1
      ports:
        - containerPort: 8080
#                        ^^^^ warning FLY261: duplicate port definition with containers[0].ports[0]
        - containerPort: 9090
#                        ^^^^ warning FLY261: overlapping port definition with containers[0].ports[1]
        - containerPort: 53
#                        ^^ warning FLY261: dangerously ambiguous port definition with containers[0].ports[2]
          protocol: UDP
          hostPort: 53
        - containerPort: 7000
          hostIP: 127.0.0.1
#         ^^^^^^ warning FLY261: hostIP set without hostPort
"#,
        );
    }

    /// With several earlier definitions that overlap, the message names the first one met,
    /// whatever order a hash map would give.
    #[test]
    fn the_first_overlapping_definition_is_named() {
        check_k8s(
            r#"pod_spec:
  containers:
    - name: primary
      ports:
        - containerPort: 8080
          hostIP: 10.0.0.1
#         ^^^^^^ warning FLY261: hostIP set without hostPort
        - containerPort: 8080
#                        ^^^^ warning FLY261: overlapping port definition with containers[0].ports[0]
          hostIP: 10.0.0.2
#         ^^^^^^ warning FLY261: hostIP set without hostPort
        - containerPort: 8080
#                        ^^^^ warning FLY261: overlapping port definition with containers[0].ports[0]
          hostIP: 10.0.0.3
#         ^^^^^^ warning FLY261: hostIP set without hostPort
        - containerPort: 8080
#                        ^^^^ warning FLY261: overlapping port definition with containers[0].ports[0]
          hostIP: 10.0.0.4
#         ^^^^^^ warning FLY261: hostIP set without hostPort
"#,
        );
    }

    #[test]
    fn port_names_are_unique_in_the_pod() {
        check_k8s(
            r#"pod_spec:
  initContainers:
    - name: warmup
      image: busybox:1.36
      restartPolicy: Always
      ports:
        - containerPort: 9100
          name: metrics
  containers:
    - name: primary
      ports:
        - containerPort: 8080
          name: http
        - containerPort: 9101
          name: metrics
#               ^^^^^^^ warning FLY261: duplicate port name "metrics" with initContainers[0].ports[0], services and probes that select ports by name will use initContainers[0].ports[0]
    - name: proxy
      image: envoyproxy/envoy:v1.30.1
      ports:
        - containerPort: 8081
          name: http
#               ^^^^ warning FLY261: duplicate port name "http" with containers[0].ports[0], services and probes that select ports by name will use containers[0].ports[0]
"#,
        );
    }

    #[test]
    fn distinct_ports_are_quiet() {
        // Same number, other protocol; same number in an init container that is a different
        // port; host-port duplicates between regular containers are FLY213's error, not this.
        check_k8s(
            r#"apiVersion: v1
kind: PodTemplate
metadata:
  name: dns
template:
  spec:
    initContainers:
      - name: setup
        image: busybox:1.36
        ports:
          - containerPort: 5353
            protocol: TCP
    containers:
      - name: dns
        image: coredns/coredns:1.11.1
        ports:
          - containerPort: 5353
            protocol: UDP
          - containerPort: 8080
            hostPort: 8080
      - name: other
        image: busybox:1.36
        ports:
          - containerPort: 8080
            hostPort: 8080
#                     ^^^^ error FLY213: Duplicate value: "TCP//8080"
"#,
        );
    }
}
