//! Renders `check` results: the JSON contract (design.md §1), rustc-style human output, SARIF
//! 2.1.0 and GitHub Actions annotations.
//!
//! Output is streamed: each file's part is formatted on its own ([`fragment`], on the worker
//! that analysed it, so the file's text and tree can be dropped at once), and an [`OutputStream`]
//! writes the parts in file order between the format's opening and closing text. The bytes are
//! those of formatting every file at once: the JSON document is written compactly item by item,
//! and each SARIF result is pretty-printed at the depth it has inside the whole document.

use std::io::Write;

use serde_json::{json, Value};

use crate::analysis::{Diagnostic, Severity};
use crate::text::{Encoding, LineIndex};

use super::{FileResult, Format};

/// The JSON document other tools parse. Lines are 0-based, characters are UTF-16 code units.
pub fn json(results: &[FileResult]) -> Value {
    json!({ "files": results.iter().map(json_file).collect::<Vec<Value>>() })
}

/// One file's entry of the JSON document's `files`.
fn json_file(r: &FileResult) -> Value {
    let index = LineIndex::new(&r.text);
    let diagnostics: Vec<Value> = r
        .analysis
        .diagnostics
        .iter()
        .map(|d| diagnostic_json(&r.text, &index, d))
        .collect();
    // Every Flyte or Kubernetes document of the file, with its 0-based start line
    // (a Python file has one per recognised construct).
    let documents: Vec<Value> = r
        .analysis
        .documents
        .iter()
        .filter(|d| d.kind != crate::model::DocKind::Unknown)
        .map(|d| {
            let start = index.to_line_col(&r.text, d.span.start, Encoding::Utf16);
            json!({"kind": d.kind.name(), "line": start.line})
        })
        .collect();
    json!({
        "path": r.path.display().to_string(),
        "kind": r.analysis.kind().name(),
        "documents": documents,
        "diagnostics": diagnostics,
    })
}

/// One file's part of the output, formatted by the worker that analysed the file.
#[derive(Debug, Default)]
pub struct Fragment {
    text: String,
    counts: Counts,
}

/// Formats one file's part of the output in `format`.
pub fn fragment(format: Format, r: &FileResult) -> Fragment {
    let mut text = String::new();
    let mut counts = Counts::default();
    match format {
        Format::Human => counts = human_file(r, &mut text),
        Format::Json => text = json_file(r).to_string(),
        Format::Sarif => {
            let indent = &sarif_frame().indent;
            for (i, result) in sarif_results(r).iter().enumerate() {
                if i > 0 {
                    text.push_str(",\n");
                }
                let pretty = format!("{result:#}");
                for (j, line) in pretty.split('\n').enumerate() {
                    if j > 0 {
                        text.push('\n');
                    }
                    text.push_str(indent);
                    text.push_str(line);
                }
            }
        }
        Format::Github => github_file(r, &mut text),
    }
    Fragment { text, counts }
}

/// The SARIF document cut where its results go: what comes before the first result, the
/// indentation of a result, and what follows the last one.
struct SarifFrame {
    head: String,
    indent: String,
    tail: String,
}

fn sarif_frame() -> &'static SarifFrame {
    static FRAME: std::sync::OnceLock<SarifFrame> = std::sync::OnceLock::new();
    FRAME.get_or_init(|| {
        // A string no result can be: the document is printed around it and cut at its line.
        const MARK: &str = "\u{0}flyte-lsp-results";
        let whole = format!("{:#}", sarif_document(vec![json!(MARK)]));
        let written = json!(MARK).to_string();
        let at = whole.find(&written).unwrap_or(whole.len());
        let line_start = whole[..at].rfind('\n').map_or(0, |i| i + 1);
        let after = (at + written.len() + 1).min(whole.len());
        SarifFrame {
            head: whole[..line_start].to_string(),
            indent: whole[line_start..at].to_string(),
            tail: whole[after..].to_string(),
        }
    })
}

/// Writes `check`'s output as the files' fragments arrive, in the order they are given.
pub struct OutputStream<W: Write> {
    format: Format,
    out: W,
    files: usize,
    counts: Counts,
    /// Whether a SARIF result has been written (the frame's head goes before the first one).
    results: bool,
    /// `--quiet`: the human format leaves out its summary line.
    quiet: bool,
}

impl<W: Write> OutputStream<W> {
    /// Starts the output (the JSON document's opening).
    pub fn new(format: Format, mut out: W, quiet: bool) -> std::io::Result<Self> {
        if format == Format::Json {
            out.write_all(b"{\"files\":[")?;
        }
        Ok(OutputStream {
            format,
            out,
            files: 0,
            counts: Counts::default(),
            results: false,
            quiet,
        })
    }

    /// Writes the next file's fragment.
    pub fn write(&mut self, f: &Fragment) -> std::io::Result<()> {
        self.files += 1;
        self.counts.add(f.counts);
        match self.format {
            Format::Json if self.files > 1 => {
                self.out.write_all(b",")?;
            }
            Format::Sarif if !f.text.is_empty() => {
                if self.results {
                    self.out.write_all(b",\n")?;
                } else {
                    self.out.write_all(sarif_frame().head.as_bytes())?;
                    self.results = true;
                }
            }
            _ => {}
        }
        self.out.write_all(f.text.as_bytes())
    }

    /// Ends the output (the closing text, the human summary) and flushes it.
    pub fn finish(mut self) -> std::io::Result<()> {
        match self.format {
            Format::Json => self.out.write_all(b"]}\n")?,
            Format::Human if !self.quiet => {
                let summary = human_summary(self.counts, self.files);
                self.out.write_all(summary.as_bytes())?;
            }
            Format::Sarif if self.results => {
                self.out.write_all(b"\n")?;
                self.out.write_all(sarif_frame().tail.as_bytes())?;
                self.out.write_all(b"\n")?;
            }
            Format::Sarif => {
                let empty = format!("{:#}\n", sarif_document(Vec::new()));
                self.out.write_all(empty.as_bytes())?;
            }
            Format::Human | Format::Github => {}
        }
        self.out.flush()
    }
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
    let mut counts = Counts::default();
    for r in results {
        counts.add(human_file(r, &mut out));
    }
    out.push_str(&human_summary(counts, results.len()));
    out
}

/// How many diagnostics of each severity a file had, for the human summary line.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    pub errors: usize,
    pub warnings: usize,
    pub others: usize,
}

impl Counts {
    fn add(&mut self, other: Counts) {
        self.errors += other.errors;
        self.warnings += other.warnings;
        self.others += other.others;
    }
}

/// One file's diagnostics in the human format, appended to `out`.
fn human_file(r: &FileResult, out: &mut String) -> Counts {
    let mut counts = Counts::default();
    if r.analysis.diagnostics.is_empty() {
        return counts;
    }
    let index = LineIndex::new(&r.text);
    for d in &r.analysis.diagnostics {
        match d.severity {
            Severity::Error => counts.errors += 1,
            Severity::Warning => counts.warnings += 1,
            _ => counts.others += 1,
        }
        let start = index.to_line_col(&r.text, d.range.start, Encoding::Utf8);
        let line = start.line as usize;
        let line_range = index.line_range(&r.text, line);
        let col_chars = index.char_col(&r.text, d.range.start);
        // A long line is shown as a window around the diagnostic, so the output grows with
        // the number of diagnostics, not with that times the line's length.
        let (line_text, caret_col) = snippet(&r.text, line_range.clone(), d.range.start);
        let end = d
            .range
            .end
            .min(line_range.end)
            .max(d.range.start.min(line_range.end));
        let width = r.text[d.range.start.min(line_range.end)..end]
            .chars()
            .take(SNIPPET_BYTES)
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
            " ".repeat(caret_col),
            "^".repeat(width)
        ));
        for fix in &d.fixes {
            out.push_str(&format!("{pad} = help: {}\n", fix.title));
        }
        out.push('\n');
    }
    counts
}

/// The human format's last line: `2 errors, 1 warning, 0 others in 3 files`.
fn human_summary(c: Counts, files: usize) -> String {
    format!(
        "{} error{}, {} warning{}, {} other{} in {files} file{}\n",
        c.errors,
        plural(c.errors),
        c.warnings,
        plural(c.warnings),
        c.others,
        plural(c.others),
        plural(files)
    )
}

/// Lines longer than this many bytes are cut to a window of about this size.
const SNIPPET_BYTES: usize = 240;

/// The part of the line `range` to print, and the column (in characters) of `at` within it.
/// Short lines are whole; a long one is cut around `at`, with `…` where it was cut.
fn snippet(text: &str, range: std::ops::Range<usize>, at: usize) -> (String, usize) {
    let line = &text[range.clone()];
    let at = crate::text::floor_char_boundary(line, at.saturating_sub(range.start));
    if line.len() <= SNIPPET_BYTES {
        return (line.to_string(), line[..at].chars().count());
    }
    let from = crate::text::floor_char_boundary(line, at.saturating_sub(SNIPPET_BYTES / 4));
    let to = crate::text::floor_char_boundary(line, from + SNIPPET_BYTES);
    let mut shown = String::new();
    let mut col = line[from..at].chars().count();
    if from > 0 {
        shown.push('…');
        col += 1;
    }
    shown.push_str(&line[from..to]);
    if to < line.len() {
        shown.push('…');
    }
    (shown, col)
}

fn plural(n: usize) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}

/// SARIF 2.1.0 for code-scanning tools (GitHub code scanning, IDE SARIF viewers): one run, the
/// rule registry as `tool.driver.rules`, one result per diagnostic. Regions are 1-based and
/// columns count UTF-16 code units (`columnKind`), the end column is exclusive.
pub fn sarif(results: &[FileResult]) -> Value {
    sarif_document(results.iter().flat_map(sarif_results).collect())
}

/// The SARIF document around `results`: the tool, its rule registry and the results.
fn sarif_document(out: Vec<Value>) -> Value {
    use crate::analysis::diagnostics::RULES;
    let rules: Vec<Value> = RULES
        .iter()
        .map(|rule| {
            json!({
                "id": rule.code,
                "name": rule.name,
                "shortDescription": {"text": first_sentence(rule.summary)},
                "fullDescription": {"text": rule.summary},
                "help": {
                    "text": format!("{}\n\nBad:\n{}\nGood:\n{}", rule.summary, rule.bad, rule.good),
                    "markdown": format!(
                        "{}\n\nBad:\n```yaml\n{}```\n\nGood:\n```yaml\n{}```\n\nMirrors {}.",
                        rule.summary, rule.bad, rule.good, rule.source
                    ),
                },
                "defaultConfiguration": {"level": sarif_level(rule.severity)},
            })
        })
        .collect();
    json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "flyte-lsp",
                "version": env!("CARGO_PKG_VERSION"),
                "semanticVersion": env!("CARGO_PKG_VERSION"),
                "rules": rules,
            }},
            "columnKind": "utf16CodeUnits",
            "results": out,
        }],
    })
}

/// One file's SARIF results, one per diagnostic.
fn sarif_results(r: &FileResult) -> Vec<Value> {
    use crate::analysis::diagnostics::RULES;
    let mut out = Vec::new();
    if r.analysis.diagnostics.is_empty() {
        return out;
    }
    let index = LineIndex::new(&r.text);
    let uri = artifact_uri(&r.path);
    for d in &r.analysis.diagnostics {
        let start = index.to_line_col(&r.text, d.range.start, Encoding::Utf16);
        let end = index.to_line_col(&r.text, d.range.end, Encoding::Utf16);
        let mut location = json!({"uri": uri.0});
        if let Some(base) = uri.1 {
            location["uriBaseId"] = json!(base);
        }
        let mut result = json!({
            "ruleId": d.code,
            "level": sarif_level(d.severity),
            "message": {"text": d.message},
            "locations": [{"physicalLocation": {
                "artifactLocation": location,
                "region": {
                    "startLine": start.line + 1,
                    "startColumn": start.col + 1,
                    "endLine": end.line + 1,
                    "endColumn": end.col + 1,
                },
            }}],
        });
        if let Some(i) = RULES.iter().position(|rule| rule.code == d.code) {
            result["ruleIndex"] = json!(i);
        }
        out.push(result);
    }
    out
}

fn sarif_level(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Information | Severity::Hint => "note",
    }
}

fn first_sentence(text: &str) -> &str {
    text.find(". ").map_or(text, |i| &text[..=i])
}

/// A relative path becomes a relative URI reference against `%SRCROOT%` (what code scanning
/// resolves against the repository root); an absolute one a `file://` URI.
fn artifact_uri(path: &std::path::Path) -> (String, Option<&'static str>) {
    let text = path.to_string_lossy().replace('\\', "/");
    let text = text.strip_prefix("./").unwrap_or(&text);
    let mut encoded = String::new();
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~/".contains(&b) {
            encoded.push(char::from(b));
        } else {
            encoded.push_str(&format!("%{b:02X}"));
        }
    }
    if path.is_absolute() {
        (format!("file://{encoded}"), None)
    } else {
        (encoded, Some("%SRCROOT%"))
    }
}

/// GitHub Actions workflow commands, one per diagnostic:
/// `::error file=PATH,line=L,col=C,endLine=L,endColumn=C,title=CODE::message`. Lines and
/// columns are 1-based (UTF-16 columns); columns are given only for single-line ranges, as
/// GitHub requires. Information and hints become `::notice`.
pub fn github(results: &[FileResult]) -> String {
    let mut out = String::new();
    for r in results {
        github_file(r, &mut out);
    }
    out
}

/// One file's workflow commands, appended to `out`.
fn github_file(r: &FileResult, out: &mut String) {
    if r.analysis.diagnostics.is_empty() {
        return;
    }
    let index = LineIndex::new(&r.text);
    let path = r.path.display().to_string();
    let file = escape_property(path.strip_prefix("./").unwrap_or(&path));
    for d in &r.analysis.diagnostics {
        let start = index.to_line_col(&r.text, d.range.start, Encoding::Utf16);
        let end = index.to_line_col(&r.text, d.range.end, Encoding::Utf16);
        let command = match d.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Information | Severity::Hint => "notice",
        };
        let position = if start.line == end.line {
            format!(
                "line={},col={},endLine={},endColumn={}",
                start.line + 1,
                start.col + 1,
                end.line + 1,
                end.col + 1
            )
        } else {
            format!("line={},endLine={}", start.line + 1, end.line + 1)
        };
        out.push_str(&format!(
            "::{command} file={file},{position},title={}::{}\n",
            escape_property(d.code),
            escape_data(&d.message)
        ));
    }
}

/// Workflow-command message escaping.
fn escape_data(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Workflow-command property escaping: the message escapes plus `:` and `,`.
fn escape_property(s: &str) -> String {
    escape_data(s).replace(':', "%3A").replace(',', "%2C")
}
