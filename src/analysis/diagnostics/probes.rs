//! FLY235–FLY237: probes and lifecycle hooks. Exactly one handler each, handler ports and
//! headers the API server accepts, and timing fields in range.
//!
//! Mirrors `pkg/apis/core/validation/validation.go` (`validateProbe`, `validateLivenessProbe`,
//! `validateReadinessProbe`, `validateStartupProbe`, `validateHandler`, `validateExecAction`,
//! `validateHTTPGetAction`, `ValidatePortNumOrName`, `validateSleepAction`, `validateLifecycle`).
//! Zero timings are not errors: they are defaulted first (`SetDefaults_Probe`).

use crate::model::pod::PodParts;
use crate::tree::{Node, Reading};

use super::pod_values::{int_value, is_merged, join, map_items, string_value};
use super::ports::port_name;
use super::{Applies, Check, Ctx, Depends, Family, Reads, Rule, Severity};

pub static HANDLER_RULE: Rule = Rule {
    code: "FLY235",
    name: "probe-handler",
    severity: Severity::Error,
    applies: Applies::Everywhere,
    safe_fix: false,
    reads: Reads::of(Depends::Subject).and_when_opaque(Depends::Document(&["terminationGracePeriodSeconds"])),
    summary: "A probe or lifecycle hook needs exactly one handler (`exec`, `httpGet`, \
              `tcpSocket`, `grpc` for probes, `sleep` for hooks): none is `Required value: must \
              specify a handler type`, two are `Forbidden: may not specify more than 1 handler \
              type`. An `exec` needs a non-empty `command`, and a `sleep` must not outlast \
              `terminationGracePeriodSeconds`.",
    bad: "pod_spec:\n  containers:\n    - name: primary\n      readinessProbe:\n        periodSeconds: 5\n",
    good: "pod_spec:\n  containers:\n    - name: primary\n      readinessProbe:\n        httpGet:\n          port: 8080\n        periodSeconds: 5\n",
    source: "`pkg/apis/core/validation/validation.go` (`validateHandler`, `validateExecAction`, \
             `validateSleepAction`)",
};

pub static PORT_RULE: Rule = Rule {
    code: "FLY236",
    name: "probe-port",
    severity: Severity::Error,
    applies: Applies::Everywhere,
    safe_fix: false,
    reads: Reads::NOTHING,
    summary: "A probe's or hook's `port` is a number from 1 to 65535 or the name of a container \
              port (an IANA service name). A quoted number such as `\"8080\"` is a *name* and is \
              rejected (`must contain at least one letter (a-z)`). HTTP header names are \
              letters, digits and `-`.",
    bad: "pod_spec:\n  containers:\n    - name: primary\n      livenessProbe:\n        httpGet:\n          port: \"8080\"\n",
    good: "pod_spec:\n  containers:\n    - name: primary\n      livenessProbe:\n        httpGet:\n          port: 8080\n",
    source: "`pkg/apis/core/validation/validation.go` (`ValidatePortNumOrName`, \
             `validateHTTPGetAction`); `IsHTTPHeaderName`",
};

pub static TIMING_RULE: Rule = Rule {
    code: "FLY237",
    name: "probe-timing",
    severity: Severity::Error,
    applies: Applies::Everywhere,
    safe_fix: false,
    reads: Reads::NOTHING,
    summary: "Probe timings the API server rejects: a negative `initialDelaySeconds`, \
              `timeoutSeconds`, `periodSeconds`, `successThreshold` or `failureThreshold`; a \
              `successThreshold` other than 1 on a liveness or startup probe; a probe-level \
              `terminationGracePeriodSeconds` that is not positive, or one on a readiness probe.",
    bad: "pod_spec:\n  containers:\n    - name: primary\n      livenessProbe:\n        tcpSocket:\n          port: 8080\n        successThreshold: 3\n",
    good: "pod_spec:\n  containers:\n    - name: primary\n      livenessProbe:\n        tcpSocket:\n          port: 8080\n        successThreshold: 1\n",
    source: "`pkg/apis/core/validation/validation.go` (`validateProbe`, `validateLivenessProbe`, \
             `validateReadinessProbe`, `validateStartupProbe`)",
};

pub static FAMILY: Family = Family {
    rules: &[&HANDLER_RULE, &PORT_RULE, &TIMING_RULE],
    check: Check::Pod(check),
};

const PROBE_HANDLERS: &[&str] = &["exec", "httpGet", "tcpSocket", "grpc"];
const HOOK_HANDLERS: &[&str] = &["exec", "httpGet", "tcpSocket", "sleep"];
const NON_NEGATIVE: &[&str] = &[
    "initialDelaySeconds",
    "timeoutSeconds",
    "periodSeconds",
    "successThreshold",
    "failureThreshold",
];
/// `terminationGracePeriodSeconds` when the pod does not set it (`SetDefaults_PodSpec`).
const DEFAULT_GRACE: i128 = 30;

pub(super) fn check(ctx: &mut Ctx<'_>, parts: &PodParts<'_>) {
    let grace = parts
        .spec_field("terminationGracePeriodSeconds")
        .and_then(int_value)
        .unwrap_or(DEFAULT_GRACE);
    for (_, container) in parts.all_containers() {
        for kind in ["livenessProbe", "readinessProbe", "startupProbe"] {
            if let Some(probe) = container.get(kind).filter(|p| p.as_map().is_some()) {
                check_handler(ctx, probe, PROBE_HANDLERS, grace);
                check_timing(ctx, probe, kind);
            }
        }
        if let Some(lifecycle) = container.get("lifecycle") {
            for hook in ["postStart", "preStop"] {
                if let Some(h) = lifecycle.get(hook).filter(|h| h.as_map().is_some()) {
                    check_handler(ctx, h, HOOK_HANDLERS, grace);
                }
            }
        }
    }
}

fn check_handler(ctx: &mut Ctx<'_>, holder: &Node, handlers: &[&str], grace: i128) {
    if is_merged(holder) {
        return;
    }
    let mut found = 0;
    for name in handlers {
        let Some(entry) = holder.entry(name).filter(|e| !e.value.is_null()) else {
            continue;
        };
        found += 1;
        if found > 1 {
            ctx.report(
                &HANDLER_RULE,
                entry.key.span.clone(),
                "Forbidden: may not specify more than 1 handler type".to_string(),
            );
            continue;
        }
        let action = &entry.value;
        match *name {
            "exec" => {
                let empty = action
                    .get("command")
                    .is_none_or(|c| c.is_null() || c.as_seq().is_some_and(<[Node]>::is_empty));
                if empty {
                    let at = action.entry("command").map_or(&entry.key, |c| &c.key);
                    ctx.report(
                        &HANDLER_RULE,
                        at.span.clone(),
                        "Required value: `command`".into(),
                    );
                }
            }
            "httpGet" => {
                check_port(ctx, action.get("port"));
                for header in map_items(action.get("httpHeaders")) {
                    check_header(ctx, header);
                }
            }
            "tcpSocket" | "grpc" => check_port(ctx, action.get("port")),
            "sleep" => {
                if let Some(node) = action.get("seconds") {
                    if let Some(s) = int_value(node).filter(|s| *s < 0 || *s > grace) {
                        let message = format!(
                            "Invalid value: {s}: must be non-negative and less than \
                             terminationGracePeriodSeconds ({grace})"
                        );
                        ctx.report(&HANDLER_RULE, node.span.clone(), message);
                    }
                }
            }
            _ => {}
        }
    }
    if found == 0 {
        let at = holder
            .as_map()
            .and_then(|e| e.first())
            .map_or_else(|| holder.span.clone(), |e| e.key.span.clone());
        ctx.report(
            &HANDLER_RULE,
            at,
            "Required value: must specify a handler type".to_string(),
        );
    }
}

/// `ValidatePortNumOrName`: an integer port number, or a string port name.
fn check_port(ctx: &mut Ctx<'_>, port: Option<&Node>) {
    let Some(node) = port else { return };
    let errs = match node.reading() {
        Some(Reading::Int(n)) if !(1..=65535).contains(&n) => {
            vec![format!(
                "Invalid value: {n}: must be between 1 and 65535, inclusive"
            )]
        }
        Some(Reading::Str) => match string_value(node) {
            Some(name) => {
                let errs = port_name(name);
                if errs.is_empty() {
                    Vec::new()
                } else {
                    vec![format!("Invalid value: \"{name}\": {}", join(&errs))]
                }
            }
            None => Vec::new(),
        },
        _ => Vec::new(),
    };
    for message in errs {
        ctx.report(&PORT_RULE, node.span.clone(), message);
    }
}

fn check_header(ctx: &mut Ctx<'_>, header: &Node) {
    let Some(node) = header.get("name") else {
        return;
    };
    let Some(name) = string_value(node) else {
        return;
    };
    let ok = !name.is_empty() && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-');
    if !ok {
        let message = format!(
            "Invalid value: \"{name}\": a valid HTTP header must consist of alphanumeric \
             characters or '-' (e.g. 'X-Header-Name', regex used for validation is \
             '[-A-Za-z0-9]+')"
        );
        ctx.report(&PORT_RULE, node.span.clone(), message);
    }
}

fn check_timing(ctx: &mut Ctx<'_>, probe: &Node, kind: &str) {
    for field in NON_NEGATIVE {
        if let Some(node) = probe.get(field) {
            if let Some(v) = int_value(node).filter(|v| *v < 0) {
                let message = format!("Invalid value: {v}: must be greater than or equal to 0");
                ctx.report(&TIMING_RULE, node.span.clone(), message);
            }
        }
    }
    if kind != "readinessProbe" {
        if let Some(node) = probe.get("successThreshold") {
            // 0 is defaulted to 1 before validation.
            if let Some(v) = int_value(node).filter(|v| *v > 1) {
                let message = format!("Invalid value: {v}: must be 1");
                ctx.report(&TIMING_RULE, node.span.clone(), message);
            }
        }
    }
    if let Some(entry) = probe.entry("terminationGracePeriodSeconds") {
        if kind == "readinessProbe" && !entry.value.is_null() {
            let shown = ctx.text(&entry.value.span).to_string();
            let message = format!("Invalid value: {shown}: must not be set for readinessProbes");
            ctx.report(&TIMING_RULE, entry.key.span.clone(), message);
        } else if let Some(v) = int_value(&entry.value).filter(|v| *v <= 0) {
            let message = format!("Invalid value: {v}: must be greater than 0");
            ctx.report(&TIMING_RULE, entry.value.span.clone(), message);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::pod_values::test_support::check_k8s;

    #[test]
    fn handlers() {
        check_k8s(
            r#"pod_spec:
  terminationGracePeriodSeconds: 20
  containers:
    - name: primary
      livenessProbe:
        periodSeconds: 5
#       ^^^^^^^^^^^^^ error FLY235: Required value: must specify a handler type
      readinessProbe:
        exec:
          command: []
#         ^^^^^^^ error FLY235: Required value: `command`
        httpGet:
#       ^^^^^^^ error FLY235: Forbidden: may not specify more than 1 handler type
          port: 8080
      startupProbe:
        exec: {}
#       ^^^^ error FLY235: Required value: `command`
      lifecycle:
        preStop:
          sleep:
            seconds: 25
#                    ^^ error FLY235: Invalid value: 25: must be non-negative and less than terminationGracePeriodSeconds (20)
        postStart:
          exec:
            command: ["true"]
"#,
        );
    }

    #[test]
    fn ports_and_headers() {
        check_k8s(
            r#"pod_spec:
  containers:
    - name: primary
      livenessProbe:
        httpGet:
          port: "8080"
#               ^^^^^^ error FLY236: Invalid value: "8080": must contain at least one letter (a-z)
          httpHeaders:
            - name: X_Trace
#                   ^^^^^^^ error FLY236: Invalid value: "X_Trace": a valid HTTP header must consist of alphanumeric characters or '-' (e.g. 'X-Header-Name', regex used for validation is '[-A-Za-z0-9]+')
              value: "1"
      readinessProbe:
        tcpSocket:
          port: 0
#               ^ error FLY236: Invalid value: 0: must be between 1 and 65535, inclusive
      startupProbe:
        grpc:
          port: 70000
#               ^^^^^ error FLY236: Invalid value: 70000: must be between 1 and 65535, inclusive
"#,
        );
    }

    #[test]
    fn timings() {
        check_k8s(
            r#"pod_spec:
  containers:
    - name: primary
      livenessProbe:
        tcpSocket:
          port: http
        successThreshold: 2
#                         ^ error FLY237: Invalid value: 2: must be 1
        timeoutSeconds: -1
#                       ^^ error FLY237: Invalid value: -1: must be greater than or equal to 0
        terminationGracePeriodSeconds: 0
#                                      ^ error FLY237: Invalid value: 0: must be greater than 0
      readinessProbe:
        tcpSocket:
          port: http
        successThreshold: 3
        terminationGracePeriodSeconds: 10
#       ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^ error FLY237: Invalid value: 10: must not be set for readinessProbes
      startupProbe:
        tcpSocket:
          port: http
        successThreshold: 0
        periodSeconds: 0
"#,
        );
    }
}
