//! A small YAML emitter for JSON values: block style, two-space indentation, and quotes
//! wherever a YAML 1.1 reader (Kubernetes, PyYAML) would read a string as something else.
//! Used for the rendered pod preview; it never fails.

use serde_json::Value;

use super::scalar::read_plain;
use crate::tree::Reading;

/// Renders `value` as a YAML document (no leading `---`), ending with a newline.
pub fn to_yaml(value: &Value) -> String {
    let mut out = String::new();
    match value {
        Value::Object(map) if !map.is_empty() => emit_map(map, 0, &mut out),
        Value::Array(items) if !items.is_empty() => emit_seq(items, 0, &mut out),
        other => {
            out.push_str(&scalar(other));
            out.push('\n');
        }
    }
    out
}

fn indent(n: usize, out: &mut String) {
    out.extend(std::iter::repeat_n(' ', n));
}

fn emit_map(map: &serde_json::Map<String, Value>, level: usize, out: &mut String) {
    for (key, value) in map {
        indent(level, out);
        out.push_str(&string(key));
        out.push(':');
        emit_child(value, level, out);
    }
}

fn emit_seq(items: &[Value], level: usize, out: &mut String) {
    for item in items {
        indent(level, out);
        out.push('-');
        match item {
            Value::Object(map) if !map.is_empty() => {
                // The first key goes on the dash's line; the rest align under it.
                let mut first = true;
                for (key, value) in map {
                    if first {
                        out.push(' ');
                        first = false;
                    } else {
                        indent(level + 2, out);
                    }
                    out.push_str(&string(key));
                    out.push(':');
                    emit_child(value, level + 2, out);
                }
            }
            Value::Array(inner) if !inner.is_empty() => {
                out.push('\n');
                emit_seq(inner, level + 2, out);
            }
            other => {
                out.push(' ');
                out.push_str(&scalar(other));
                out.push('\n');
            }
        }
    }
}

/// Emits the value after `key:` at `level`.
fn emit_child(value: &Value, level: usize, out: &mut String) {
    match value {
        Value::Object(map) if !map.is_empty() => {
            out.push('\n');
            emit_map(map, level + 2, out);
        }
        Value::Array(items) if !items.is_empty() => {
            out.push('\n');
            emit_seq(items, level, out);
        }
        other => {
            out.push(' ');
            out.push_str(&scalar(other));
            out.push('\n');
        }
    }
}

fn scalar(value: &Value) -> String {
    match value {
        Value::Null => "null".to_string(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => n.to_string(),
        Value::String(s) => string(s),
        Value::Array(_) => "[]".to_string(),
        Value::Object(_) => "{}".to_string(),
    }
}

/// A string, plain when a YAML 1.1 reader would read it back as the same string, otherwise
/// double-quoted with JSON escapes (which are valid YAML double-quoted escapes).
fn string(s: &str) -> String {
    if needs_quotes(s) {
        serde_json::to_string(s).unwrap_or_else(|_| format!("\"{s}\""))
    } else {
        s.to_string()
    }
}

fn needs_quotes(s: &str) -> bool {
    if s.is_empty() || read_plain(s) != Reading::Str {
        return true;
    }
    let mut chars = s.chars();
    let first = chars.next().unwrap_or(' ');
    if ",[]{}#&*!|>'\"%@`~ \t".contains(first) {
        return true;
    }
    // `-`, `?` and `:` start a plain scalar only when a non-space follows (`--inputs` is fine).
    if "-?:".contains(first) && chars.next().is_none_or(|c| c == ' ' || c == '\t') {
        return true;
    }
    if s == "---" || s == "..." {
        return true;
    }
    s.ends_with([' ', ':'])
        || s.contains(": ")
        || s.contains(" #")
        || s.chars().any(|c| c.is_control() || c == '\u{feff}')
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn emits_block_yaml_that_reads_back_the_same() {
        let v = json!({
            "spec": {
                "containers": [{"name": "primary", "command": [], "args": ["a0", "{{.input}}"], "env": [{"name": "A", "value": "yes"}]}],
                "nodeSelector": {"gpu": "true"},
                "priority": 10
            }
        });
        let text = to_yaml(&v);
        assert_eq!(
            text,
            "spec:\n  containers:\n  - name: primary\n    command: []\n    args:\n    - a0\n    - \"{{.input}}\"\n    env:\n    - name: A\n      value: \"yes\"\n  nodeSelector:\n    gpu: \"true\"\n  priority: 10\n"
        );
        let stream = crate::yaml::parse(&text);
        assert!(stream.documents.iter().all(|d| d.errors.is_empty()));
    }

    #[test]
    fn quotes_what_would_change_meaning() {
        for s in [
            "", "yes", "8080", "0644", "~", "a: b", "- x", "#x", "*x", "x #y",
        ] {
            assert!(needs_quotes(s), "{s:?}");
        }
        for s in [
            "primary",
            "ghcr.io/acme/train:1",
            "500m",
            "2Gi",
            "a0",
            "--inputs",
        ] {
            assert!(!needs_quotes(s), "{s:?}");
        }
    }
}
