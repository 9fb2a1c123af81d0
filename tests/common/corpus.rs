//! What the corpus tests share (`tests/corpus.rs`, the YAML corpus, and `tests/corpus_python.rs`,
//! its Python translation): the case header (`# expect:`, `# apiserver:`, `# group:`), the
//! KNOWN_GAPS.md list, the verdict on one case's diagnostics, and the check that the CLI reports
//! what the library reports. See `tests/corpus.rs` for the
//! header format.

#![allow(dead_code)]

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use flyte_lsp::analysis::{Diagnostic, Severity};
use flyte_lsp::settings::Settings;

/// What a case's header declares.
#[derive(Debug)]
pub struct Header {
    /// `None` for `# expect: clean`, else the expected (code, severity) pairs.
    pub expect: Option<Vec<(String, String)>>,
    pub apiserver: Vec<String>,
    /// `# group: NAME`: the catalogue group of facts/k8s-validation.md the case belongs to.
    pub group: Option<String>,
}

pub fn parse_header(text: &str) -> Result<Header, String> {
    let mut expect: Vec<(String, String)> = Vec::new();
    let mut clean = false;
    let mut apiserver = Vec::new();
    let mut group = None;
    for line in text.lines() {
        let Some(comment) = line.strip_prefix('#') else {
            break;
        };
        let comment = comment.trim();
        if let Some(rest) = comment.strip_prefix("expect:") {
            let words: Vec<&str> = rest.split_whitespace().collect();
            match words.as_slice() {
                ["clean"] => clean = true,
                [code, severity]
                    if code.starts_with("FLY")
                        && ["error", "warning", "information", "hint"].contains(severity) =>
                {
                    expect.push((code.to_string(), severity.to_string()));
                }
                _ => return Err(format!("bad expect line: `{line}`")),
            }
        } else if let Some(rest) = comment.strip_prefix("apiserver:") {
            apiserver.push(rest.trim().to_string());
        } else if let Some(rest) = comment.strip_prefix("group:") {
            group = Some(rest.trim().to_string());
        }
    }
    match (clean, expect.is_empty()) {
        (true, true) => Ok(Header {
            expect: None,
            apiserver,
            group,
        }),
        (false, false) => Ok(Header {
            expect: Some(expect),
            apiserver,
            group,
        }),
        (true, false) => Err("both `clean` and diagnostics expected".to_string()),
        (false, true) => Err("no `# expect:` line in the header".to_string()),
    }
}

/// The file names (`invalid/NNN-name.EXT`) listed in the first column of KNOWN_GAPS.md's tables.
pub fn known_gaps(dir: &Path, ext: &str) -> BTreeSet<String> {
    let text = std::fs::read_to_string(dir.join("KNOWN_GAPS.md")).unwrap_or_default();
    text.lines()
        .filter_map(|l| l.trim().strip_prefix('|'))
        .filter_map(|l| l.split('|').next())
        .map(|cell| cell.trim().trim_matches('`').to_string())
        .filter(|cell| cell.ends_with(&format!(".{ext}")))
        .collect()
}

/// The case files `dir/sub/*.EXT`, sorted.
pub fn cases(dir: &Path, sub: &str, ext: &str) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir.join(sub))
        .unwrap_or_else(|e| panic!("read {}: {e}", dir.join(sub).display()))
        .map(|e| e.expect("dir entry").path())
        .filter(|p| p.extension().is_some_and(|x| x == ext))
        .collect();
    files.sort();
    files
}

pub fn counts_as_finding(d: &Diagnostic) -> bool {
    matches!(d.severity, Severity::Error | Severity::Warning)
}

pub fn show(d: &Diagnostic) -> String {
    format!("{} {}: {}", d.code, d.severity.name(), d.message)
}

pub fn show_all<'a>(diags: impl IntoIterator<Item = &'a Diagnostic>) -> String {
    let shown: Vec<String> = diags.into_iter().map(show).collect();
    if shown.is_empty() {
        "nothing".to_string()
    } else {
        shown.join(" | ")
    }
}

/// One case's verdict: whether every expected diagnostic was found, how many error/warning
/// diagnostics the API server would not give, and the mismatches.
pub struct Verdict {
    pub detected: bool,
    pub false_positives: usize,
    pub problems: Vec<String>,
}

pub fn judge(header: &Header, diags: &[Diagnostic]) -> Verdict {
    let mut problems = Vec::new();
    let findings: Vec<&Diagnostic> = diags.iter().filter(|d| counts_as_finding(d)).collect();
    match &header.expect {
        None => {
            if !findings.is_empty() {
                problems.push(format!(
                    "FALSE POSITIVE: expected clean, got {}",
                    show_all(findings.iter().copied())
                ));
            }
            Verdict {
                detected: false,
                false_positives: findings.len(),
                problems,
            }
        }
        Some(expected) => {
            // Match each expected (code, severity) to one diagnostic; the rest are extras.
            let mut unused: Vec<&Diagnostic> = diags.iter().collect();
            let mut missing = Vec::new();
            for (code, severity) in expected {
                let found = unused
                    .iter()
                    .position(|d| d.code == code && d.severity.name() == severity);
                match found {
                    Some(i) => {
                        unused.remove(i);
                    }
                    None => missing.push(format!("{code} {severity}")),
                }
            }
            let extras: Vec<&Diagnostic> = unused
                .into_iter()
                .filter(|d| counts_as_finding(d))
                .collect();
            if !missing.is_empty() {
                problems.push(format!(
                    "MISS: expected {}, got {}",
                    missing.join(", "),
                    show_all(diags)
                ));
            }
            if !extras.is_empty() {
                problems.push(format!("EXTRA: {}", show_all(extras.iter().copied())));
            }
            Verdict {
                detected: missing.is_empty(),
                false_positives: extras.len(),
                problems,
            }
        }
    }
}

/// Runs `flyte-lsp check --format json` over `dir` (its `invalid/` and `valid/` cases of
/// extension `ext`) and requires, file by file, exactly the diagnostics the library gives
/// (code, severity, line, message) for the text as `language` reads it. Returns how many cases
/// it compared.
pub fn cli_matches_library(dir: &Path, ext: &str, language: flyte_lsp::tree::Language) -> usize {
    use flyte_lsp::engine::{analyze_parsed, parse_as};
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_flyte-lsp"))
        .args(["check", "--format", "json"])
        .arg(dir)
        .output()
        .expect("run flyte-lsp check");
    // Exit 1: the invalid cases have errors.
    assert_eq!(output.status.code(), Some(1), "{output:?}");
    let json: serde_json::Value = serde_json::from_slice(&output.stdout).expect("JSON output");
    let files = json["files"].as_array().expect("files");
    let mut checked = 0;
    for sub in ["invalid", "valid"] {
        for path in cases(dir, sub, ext) {
            let text = std::fs::read_to_string(&path).expect("read case");
            let index = flyte_lsp::text::LineIndex::new(&text);
            let stream = parse_as(&text, language);
            let mut expected: Vec<String> = analyze_parsed(&text, &stream, &Settings::default())
                .diagnostics
                .iter()
                .map(|d| {
                    let line = index.line_of(d.range.start);
                    format!("{} {} {line} {}", d.code, d.severity.name(), d.message)
                })
                .collect();
            let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
            let entry = files
                .iter()
                .find(|f| {
                    f["path"]
                        .as_str()
                        .is_some_and(|p| p.ends_with(&format!("/{sub}/{name}")))
                })
                .unwrap_or_else(|| panic!("{sub}/{name} missing from the CLI's output"));
            let mut actual: Vec<String> = entry["diagnostics"]
                .as_array()
                .expect("diagnostics")
                .iter()
                .map(|d| {
                    format!(
                        "{} {} {} {}",
                        d["code"].as_str().unwrap_or(""),
                        d["severity"].as_str().unwrap_or(""),
                        d["range"]["start"]["line"],
                        d["message"].as_str().unwrap_or("")
                    )
                })
                .collect();
            expected.sort();
            actual.sort();
            assert_eq!(actual, expected, "{sub}/{name}");
            checked += 1;
        }
    }
    checked
}
