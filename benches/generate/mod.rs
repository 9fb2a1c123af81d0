//! The container both benches generate (`benches/analysis.rs` and `benches/lsp_latency.rs`):
//! env vars (one from the downward API), a port, two volume mounts, requests and limits, a
//! readiness probe and a security context; 37 lines. One copy, so that both benches measure
//! the same documents.

/// `primary` for the first container, `worker-N` after it.
pub fn container_name(i: usize) -> String {
    if i == 0 {
        "primary".to_string()
    } else {
        format!("worker-{i}")
    }
}

/// Appends container `i` as a list item indented by `indent` spaces. `blank_line` adds a
/// whitespace-only line at the container's key indentation after `imagePullPolicy` (where the
/// LSP bench asks for key completion); `index_as_number` writes the `WORKER_INDEX` value as a
/// bare number, a planted type error, instead of a quoted string.
pub fn push_container(
    s: &mut String,
    i: usize,
    indent: usize,
    blank_line: bool,
    index_as_number: bool,
) {
    let name = container_name(i);
    let port = 8000 + i;
    let index = if index_as_number {
        i.to_string()
    } else {
        format!("\"{i}\"")
    };
    let pad = " ".repeat(indent);
    let blank = if blank_line {
        format!("{}\n", " ".repeat(indent + 2))
    } else {
        String::new()
    };
    let item = format!(
        "- name: {name}
  image: ghcr.io/acme/worker:{i}
  imagePullPolicy: IfNotPresent
{blank}  env:
    - name: WORKER_INDEX
      value: {index}
    - name: LOG_LEVEL
      value: info
    - name: POD_NAME
      valueFrom:
        fieldRef:
          fieldPath: metadata.name
  ports:
    - name: http-{i}
      containerPort: {port}
      protocol: TCP
  volumeMounts:
    - name: data
      mountPath: /data
    - name: cache
      mountPath: /cache
      readOnly: true
  resources:
    requests:
      cpu: 500m
      memory: 1Gi
    limits:
      cpu: \"1\"
      memory: 2Gi
  readinessProbe:
    httpGet:
      path: /healthz
      port: {port}
    periodSeconds: 10
  securityContext:
    runAsNonRoot: true
    allowPrivilegeEscalation: false
"
    );
    for line in item.lines() {
        // The blank line is already at its indentation.
        if !line.trim().is_empty() {
            s.push_str(&pad);
        }
        s.push_str(line);
        s.push('\n');
    }
}

/// A Flyte pod template (the shape of `flyte.PodTemplate`) with `containers` containers like
/// those of `benches/analysis.rs` (env, ports, mounts, resources, probe, security context).
/// The middle container has a whitespace-only line after `imagePullPolicy` for key completion;
/// `annotations` is left out so a top-level completion has something to offer. Two mistakes
/// are planted: the last container's `WORKER_INDEX` value is a number where Kubernetes wants a
/// string (a type error the schema expresses, so a diagnostic from a schema validator proves
/// it validates against the schema), and `terminationGracePeriodSecond` is misspelled (the
/// loose schema is not strict, so only flyte-lsp's own rule reports it). 53 containers are the
/// latency bench's 2k-line document (1,984 lines), 540 its 20k one.
#[allow(dead_code)] // `benches/analysis.rs` includes this module too and builds its own documents.
pub fn flyte_pod_template(containers: usize) -> String {
    let mid = containers / 2;
    let mut s = String::from(
        "primary_container_name: primary\nlabels:\n  team: ml\n  app.kubernetes.io/part-of: training\npod_spec:\n  nodeSelector:\n    kubernetes.io/arch: amd64\n  securityContext:\n    runAsNonRoot: true\n    fsGroup: 1000\n  tolerations:\n    - key: nvidia.com/gpu\n      operator: Exists\n      effect: NoSchedule\n  containers:\n",
    );
    for i in 0..containers {
        push_container(&mut s, i, 4, i == mid, i + 1 == containers);
    }
    s.push_str("  terminationGracePeriodSecond: 30\n  volumes:\n    - name: data\n      emptyDir: {}\n    - name: cache\n      emptyDir:\n        medium: Memory\n");
    s
}
