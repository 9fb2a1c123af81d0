//! Renders `check` results: the JSON contract (design.md §1) and rustc-style human output.

use serde_json::{json, Value};

use crate::analysis::{Diagnostic, Severity};
use crate::text::{Encoding, LineIndex};

use super::FileResult;

/// The JSON document other tools parse. Lines are 0-based, characters are UTF-16 code units.
pub fn json(results: &[FileResult]) -> Value {
    let files: Vec<Value> = results
        .iter()
        .map(|r| {
            let index = LineIndex::new(&r.text);
            let diagnostics: Vec<Value> = r
                .analysis
                .diagnostics
                .iter()
                .map(|d| diagnostic_json(&r.text, &index, d))
                .collect();
            json!({
                "path": r.path.display().to_string(),
                "kind": r.analysis.kind().name(),
                "diagnostics": diagnostics,
            })
        })
        .collect();
    json!({ "files": files })
}

fn diagnostic_json(text: &str, index: &LineIndex, d: &Diagnostic) -> Value {
    let start = index.to_line_col(text, d.range.start, Encoding::Utf16);
    let end = index.to_line_col(text, d.range.end, Encoding::Utf16);
    json!({
        "range": {
            "start": {"line": start.line, "character": start.col},
            "end": {"line": end.line, "character": end.col},
        },
        "severity": d.severity.name(),
        "code": d.code,
        "source": "flyte-lsp",
        "message": d.message,
    })
}

/// `path:line:col: severity[CODE]: message`, the source line and carets, and a help line for
/// a fix, as rustc and ruff print them. Lines and columns are 1-based here, for humans.
pub fn human(results: &[FileResult]) -> String {
    let mut out = String::new();
    let (mut errors, mut warnings, mut others) = (0, 0, 0);
    for r in results {
        let index = LineIndex::new(&r.text);
        for d in &r.analysis.diagnostics {
            match d.severity {
                Severity::Error => errors += 1,
                Severity::Warning => warnings += 1,
                _ => others += 1,
            }
            let start = index.to_line_col(&r.text, d.range.start, Encoding::Utf8);
            let line = start.line as usize;
            let line_range = index.line_range(&r.text, line);
            let line_text = &r.text[line_range.clone()];
            let col_chars = r.text
                [line_range.start..d.range.start.max(line_range.start).min(line_range.end)]
                .chars()
                .count();
            let end = d
                .range
                .end
                .min(line_range.end)
                .max(d.range.start.min(line_range.end));
            let width = r.text[d.range.start.min(line_range.end)..end]
                .chars()
                .count()
                .max(1);
            let number = (line + 1).to_string();
            let pad = " ".repeat(number.len());
            out.push_str(&format!(
                "{}:{}:{}: {}[{}]: {}\n",
                r.path.display(),
                line + 1,
                col_chars + 1,
                d.severity.name(),
                d.code,
                d.message
            ));
            out.push_str(&format!(
                "{pad} |\n{number} | {line_text}\n{pad} | {}{}\n",
                " ".repeat(col_chars),
                "^".repeat(width)
            ));
            for fix in &d.fixes {
                out.push_str(&format!("{pad} = help: {}\n", fix.title));
            }
            out.push('\n');
        }
    }
    let files = results.len();
    out.push_str(&format!(
        "{errors} error{}, {warnings} warning{}, {others} other{} in {files} file{}\n",
        plural(errors),
        plural(warnings),
        plural(others),
        plural(files)
    ));
    out
}

fn plural(n: usize) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}
