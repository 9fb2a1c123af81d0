//! The cluster PodTemplate merge: the template is the base and the task's pod goes on top.
//!
//! Mirrors flyteplugins `flytek8s/pod_helper.go` (`MergeWithBasePodTemplate`,
//! `MergeBasePodSpecOntoTemplate`), which uses `mergo` with override and append-slice:
//! a value in the pod wins unless it is a Go zero value of a non-pointer field; lists are
//! appended (template entries first); maps are merged key by key. The result has exactly the
//! pod's containers, each built from the template's `default` container, then `primary` (for the
//! primary), then the template container of the same name, then the pod's own container.
//! See facts/flyte-semantics.md §5.3.

use serde_json::{Map, Value};

/// Fields whose Go type is a plain (non-pointer) bool, int or string: their zero value in the
/// pod cannot override the template (a plain `false` does not turn off `hostNetwork: true`).
/// Pointer fields (`*bool`, `*int64`, e.g. `automountServiceAccountToken`,
/// `terminationGracePeriodSeconds`) do override with `false`/`0`.
const VALUE_TYPED_SCALARS: &[&str] = &[
    "hostNetwork",
    "hostPID",
    "hostIPC",
    "stdin",
    "stdinOnce",
    "tty",
];

fn is_go_zero(key: &str, v: &Value) -> bool {
    match v {
        Value::Null => true,
        Value::String(s) => s.is_empty(),
        Value::Bool(false) => VALUE_TYPED_SCALARS.contains(&key),
        Value::Number(n) => n.as_f64() == Some(0.0) && VALUE_TYPED_SCALARS.contains(&key),
        _ => false,
    }
}

/// `mergo.Merge(dst=base, src=over, WithOverride, WithAppendSlice)` on JSON objects.
pub fn merge_objects(base: &Map<String, Value>, over: &Map<String, Value>) -> Map<String, Value> {
    let mut out = base.clone();
    for (k, v) in over {
        if is_go_zero(k, v) {
            out.entry(k.clone()).or_insert_with(|| v.clone());
            continue;
        }
        let merged = match (out.get(k), v) {
            (Some(Value::Object(b)), Value::Object(o)) => Value::Object(merge_objects(b, o)),
            (Some(Value::Array(b)), Value::Array(o)) => {
                Value::Array(b.iter().chain(o).cloned().collect())
            }
            _ => v.clone(),
        };
        out.insert(k.clone(), merged);
    }
    out
}

fn named<'a>(list: Option<&'a Value>, name: &str) -> Option<&'a Map<String, Value>> {
    list?
        .as_array()?
        .iter()
        .filter_map(Value::as_object)
        .find(|c| c.get("name").and_then(Value::as_str) == Some(name))
}

/// Builds each of the pod's containers of `field` on its template bases.
fn merge_containers(
    template_spec: &Map<String, Value>,
    pod_spec: &Map<String, Value>,
    field: &str,
    primary: Option<&str>,
) -> Option<Value> {
    let (default_name, primary_name) = if field == "initContainers" {
        ("default-init", "primary-init")
    } else {
        ("default", "primary")
    };
    let pod_list = pod_spec.get(field)?.as_array()?;
    let template_list = template_spec.get(field);
    let merged = pod_list
        .iter()
        .map(|c| {
            let Some(c) = c.as_object() else {
                return c.clone();
            };
            let name = c.get("name").and_then(Value::as_str).unwrap_or_default();
            let mut acc = named(template_list, default_name)
                .cloned()
                .unwrap_or_default();
            if field == "containers" && Some(name) == primary {
                if let Some(p) = named(template_list, primary_name) {
                    acc = merge_objects(&acc, p);
                }
            }
            if name != default_name && name != primary_name {
                if let Some(same) = named(template_list, name) {
                    acc = merge_objects(&acc, same);
                }
            }
            let mut merged = merge_objects(&acc, c);
            // The base's name never survives: the container keeps its own.
            merged.insert("name".into(), Value::String(name.to_string()));
            Value::Object(merged)
        })
        .collect();
    Some(Value::Array(merged))
}

/// Merges the PodTemplate `template` (a whole `kind: PodTemplate` object as JSON) under `pod`
/// (a `{metadata, spec}` object), in place.
pub fn merge_template(template: &Value, pod: &mut Value, primary: Option<&str>) {
    let empty = Map::new();
    let t_spec = template
        .pointer("/template/spec")
        .and_then(Value::as_object)
        .unwrap_or(&empty);
    let t_meta = template
        .pointer("/template/metadata")
        .and_then(Value::as_object)
        .unwrap_or(&empty);
    let Some(pod) = pod.as_object_mut() else {
        return;
    };
    let pod_spec = pod
        .get("spec")
        .and_then(Value::as_object)
        .cloned()
        .unwrap_or_default();
    // Pod-level fields: template base, pod on top; containers handled below.
    let mut base = t_spec.clone();
    base.remove("containers");
    base.remove("initContainers");
    let mut over = pod_spec.clone();
    over.remove("containers");
    over.remove("initContainers");
    let mut spec = Map::new();
    for field in ["containers", "initContainers"] {
        if let Some(list) = merge_containers(t_spec, &pod_spec, field, primary) {
            spec.insert(field.into(), list);
        }
    }
    spec.extend(merge_objects(&base, &over));
    pod.insert("spec".into(), Value::Object(spec));
    let pod_meta = pod
        .get("metadata")
        .and_then(Value::as_object)
        .cloned()
        .unwrap_or_default();
    let mut meta = Map::new();
    for key in ["labels", "annotations"] {
        let b = t_meta
            .get(key)
            .and_then(Value::as_object)
            .cloned()
            .unwrap_or_default();
        let o = pod_meta
            .get(key)
            .and_then(Value::as_object)
            .cloned()
            .unwrap_or_default();
        let m = merge_objects(&b, &o);
        if !m.is_empty() {
            meta.insert(key.into(), Value::Object(m));
        }
    }
    pod.insert("metadata".into(), Value::Object(meta));
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn template_is_the_base_and_lists_append() {
        let template = json!({"template": {
            "metadata": {"labels": {"team": "infra", "tier": "gpu"}},
            "spec": {
                "hostNetwork": true,
                "tolerations": [{"key": "gpu", "operator": "Exists"}],
                "nodeSelector": {"pool": "gpu", "zone": "a"},
                "containers": [
                    {"name": "default", "env": [{"name": "FROM", "value": "default"}], "image": "base"},
                    {"name": "primary", "volumeMounts": [{"name": "cache", "mountPath": "/c"}]},
                    {"name": "noop", "image": "busybox"}
                ]
            }
        }});
        let mut pod = json!({
            "metadata": {"labels": {"team": "ml"}},
            "spec": {
                "hostNetwork": false,
                "tolerations": [{"key": "spot", "operator": "Exists"}],
                "nodeSelector": {"zone": "b"},
                "containers": [
                    {"name": "main", "image": "train", "env": [{"name": "MODE", "value": "prod"}]},
                    {"name": "side"}
                ]
            }
        });
        merge_template(&template, &mut pod, Some("main"));
        assert_eq!(
            pod["metadata"]["labels"],
            json!({"team": "ml", "tier": "gpu"})
        );
        let spec = &pod["spec"];
        assert_eq!(
            spec["hostNetwork"],
            json!(true),
            "a plain false cannot override"
        );
        assert_eq!(spec["tolerations"].as_array().map(Vec::len), Some(2));
        assert_eq!(
            spec["tolerations"][0]["key"], "gpu",
            "template entries first"
        );
        assert_eq!(spec["nodeSelector"], json!({"pool": "gpu", "zone": "b"}));
        let main = &spec["containers"][0];
        assert_eq!(main["image"], "train");
        assert_eq!(
            main["env"],
            json!([{"name": "FROM", "value": "default"}, {"name": "MODE", "value": "prod"}])
        );
        assert_eq!(
            main["volumeMounts"][0]["name"], "cache",
            "the template's primary applies to the primary"
        );
        let side = &spec["containers"][1];
        assert_eq!(side["image"], "base", "default is every container's base");
        assert!(
            side.get("volumeMounts").is_none(),
            "primary applies only to the primary"
        );
        assert_eq!(
            spec["containers"].as_array().map(Vec::len),
            Some(2),
            "template-only containers are dropped"
        );
    }
}
