//! The Python front end's [`Writer`]: writes the changes rules ask for as Python source, a
//! string as a string literal in the quotes the user chose, a key as the client's keyword
//! (`imagePullPolicy` is `image_pull_policy=`), an entry as `key=value` in the call.
//!
//! Structured values (a nested mapping that would need a `V1...(...)` call) are not written:
//! those changes return `None`, so the fix is not offered rather than offered wrong.

use serde_json::Value;

use super::k8s_names;
use crate::tree::edit::{Edit, Writer};
use crate::tree::{Node, ScalarStyle};

/// Writes Python into one file's text.
pub struct PythonWriter<'a> {
    source: &'a str,
}

impl<'a> PythonWriter<'a> {
    pub fn new(source: &'a str) -> Self {
        PythonWriter { source }
    }

    fn text(&self, node: &Node) -> &str {
        self.source.get(node.span.clone()).unwrap_or("")
    }
}

/// `s` as a Python string literal in `quote`.
pub(super) fn string_literal(s: &str, quote: char) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push(quote);
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c if c == quote => {
                out.push('\\');
                out.push(c);
            }
            c => out.push(c),
        }
    }
    out.push(quote);
    out
}

/// A JSON scalar or list of scalars as a Python literal; `None` for what needs a model call.
fn literal(value: &Value) -> Option<String> {
    Some(match value {
        Value::Null => "None".to_string(),
        Value::Bool(true) => "True".to_string(),
        Value::Bool(false) => "False".to_string(),
        Value::Number(n) => n.to_string(),
        Value::String(s) => string_literal(s, '"'),
        Value::Array(items) => {
            let parts: Option<Vec<String>> = items.iter().map(literal).collect();
            format!("[{}]", parts?.join(", "))
        }
        Value::Object(m) if m.is_empty() => return None,
        Value::Object(_) => return None,
    })
}

/// The keyword a key of a model call is written with.
fn keyword(api: &str) -> String {
    k8s_names::keyword_for_api(api)
        .map(str::to_string)
        .unwrap_or_else(|| api.to_string())
}

impl Writer for PythonWriter<'_> {
    fn set_string(&self, node: &Node, value: &str) -> Edit {
        let quote = match node.as_scalar().map(|s| s.style) {
            Some(ScalarStyle::SingleQuoted) => '\'',
            _ => '"',
        };
        Edit {
            range: node.span.clone(),
            new_text: string_literal(value, quote),
        }
    }

    fn set_value(&self, node: &Node, value: &Value) -> Edit {
        Edit {
            range: node.span.clone(),
            new_text: literal(value).unwrap_or_else(|| self.text(node).to_string()),
        }
    }

    fn rename_key(&self, key: &Node, name: &str) -> Edit {
        Edit {
            range: key.span.clone(),
            new_text: keyword(name),
        }
    }

    fn insert_entry(&self, map: &Node, key: &str, value: &Value) -> Option<Edit> {
        let text = self.text(map);
        let value = literal(value)?;
        if !text.ends_with(')') {
            return None;
        }
        let at = map.span.end - 1;
        let inside = text[..text.len() - 1].trim_end();
        let sep = if inside.ends_with('(') || inside.ends_with(',') {
            ""
        } else {
            ", "
        };
        Some(Edit {
            range: at..at,
            new_text: format!("{sep}{}={value}", keyword(key)),
        })
    }

    fn prepend_entry(&self, map: &Node, key: &str, value: &Value) -> Option<Edit> {
        let text = self.text(map);
        let open = text.find('(')?;
        let value = literal(value)?;
        let at = map.span.start + open + 1;
        let empty = text[open + 1..].trim_start().starts_with(')');
        let sep = if empty { "" } else { ", " };
        Some(Edit {
            range: at..at,
            new_text: format!("{}={value}{sep}", keyword(key)),
        })
    }

    fn copy_scalar(&self, node: &Node, from: &Node) -> Option<Edit> {
        from.as_scalar()?;
        Some(Edit {
            range: node.span.clone(),
            new_text: self.text(from).to_string(),
        })
    }

    fn set_octal(&self, node: &Node, value: u32) -> Edit {
        Edit {
            range: node.span.clone(),
            new_text: format!("0o{value:o}"),
        }
    }

    fn append_item(&self, seq: &Node, item: &Value) -> Option<Edit> {
        let text = self.text(seq);
        let item = literal(item)?;
        if !text.ends_with(']') {
            return None;
        }
        let at = seq.span.end - 1;
        let inside = text[..text.len() - 1].trim_end();
        let sep = if inside.ends_with('[') || inside.ends_with(',') {
            ""
        } else {
            ", "
        };
        Some(Edit {
            range: at..at,
            new_text: format!("{sep}{item}"),
        })
    }

    fn remove_item(&self, _seq: &Node, _item: &Node) -> Option<Edit> {
        None
    }

    fn move_item(
        &self,
        _seq: &Node,
        _item: &Node,
        _map: &Node,
        _key: &str,
        _add: Option<(&str, &Value)>,
    ) -> Option<Vec<Edit>> {
        None
    }
}
