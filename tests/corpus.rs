//! The Kubernetes corpus: `tests/corpus/k8s/{invalid,valid}/NNN-name.yaml`, each file checked
//! against the API server's verdict that its header declares.
//!
//! Every file starts with a block of `#` comment lines:
//!
//! - `# expect: FLY201 error`: an invalid case; one line per expected diagnostic (code and
//!   severity). The file must produce each of them, and no other diagnostic of severity error
//!   or warning (information and hints are allowed).
//! - `# expect: clean`: a valid case; the file must produce no diagnostic of severity error or
//!   warning.
//! - `# apiserver: ...`: for invalid cases, the API-server message (or warning) the case
//!   mirrors, from `../shared/facts/k8s-validation.md`. Required in invalid cases.
//! - `# group: NAME`: the catalogue group (`formats`, `metadata`, `containers`, `ports`, `env`,
//!   `resources`, `volumes`, `pod`, `probes`, `security`, `scheduling`, `decode`). Required.
//! - `# note: ...` (optional, continued on `#   ` lines): why the case is what it is.
//!
//! `FLY2??` as an expected code means that no rule covers that catalogue rule yet (such a case is
//! necessarily listed in `KNOWN_GAPS.md`).
//!
//! Every file must be detected as a Kubernetes or Flyte document (an undetected file would be
//! "clean" for the wrong reason). Analysis runs with `Settings::default()` (the newest embedded
//! Kubernetes version).
//!
//! `tests/corpus/k8s/KNOWN_GAPS.md` lists cases where flyte-lsp, not the case, is wrong (a miss
//! or a false positive per the API-server source). Its table rows name the file in the first
//! column (`invalid/NNN-name.yaml`); those cases still run and are reported, but their mismatches
//! do not fail the test. A listed case that now passes is reported as stale.
//!
//! Output: `corpus: N invalid detected of M, K valid clean of L, F false positives`, where
//! "detected" means every expected diagnostic was produced and F counts error/warning
//! diagnostics the API server would not give (on valid cases, and extras on invalid ones).
//! A second line gives the case counts per group.
//!
//! A second test runs `flyte-lsp check --format json` over the whole corpus and requires the
//! CLI to report exactly what the library reports for every case, so every rule the corpus
//! covers is also driven the way CI and pre-commit users run it. `CORPUS_VERBOSE=1` prints every file's
//! diagnostics (run with `cargo test --test corpus -- --nocapture`).

use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use flyte_lsp::analysis::{Diagnostic, Severity};
use flyte_lsp::engine::analyze;
use flyte_lsp::model::DocKind;
use flyte_lsp::settings::Settings;

/// The twelve groups of the catalogue, in its order.
const GROUPS: &[&str] = &[
    "formats",
    "metadata",
    "containers",
    "ports",
    "env",
    "resources",
    "volumes",
    "pod",
    "probes",
    "security",
    "scheduling",
    "decode",
];

fn corpus_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/corpus/k8s")
}

/// What a case's header declares.
#[derive(Debug)]
struct Header {
    /// `None` for `# expect: clean`, else the expected (code, severity) pairs.
    expect: Option<Vec<(String, String)>>,
    apiserver: Vec<String>,
    /// `# group: NAME`: the catalogue group of facts/k8s-validation.md the case belongs to.
    group: Option<String>,
}

fn parse_header(text: &str) -> Result<Header, String> {
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

/// The file names (`invalid/NNN-name.yaml`) listed in the first column of KNOWN_GAPS.md's tables.
fn known_gaps(dir: &Path) -> BTreeSet<String> {
    let text = std::fs::read_to_string(dir.join("KNOWN_GAPS.md")).unwrap_or_default();
    text.lines()
        .filter_map(|l| l.trim().strip_prefix('|'))
        .filter_map(|l| l.split('|').next())
        .map(|cell| cell.trim().trim_matches('`').to_string())
        .filter(|cell| cell.ends_with(".yaml"))
        .collect()
}

fn cases(dir: &Path, sub: &str) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir.join(sub))
        .unwrap_or_else(|e| panic!("read {}: {e}", dir.join(sub).display()))
        .map(|e| e.expect("dir entry").path())
        .filter(|p| p.extension().is_some_and(|x| x == "yaml"))
        .collect();
    files.sort();
    files
}

fn counts_as_finding(d: &Diagnostic) -> bool {
    matches!(d.severity, Severity::Error | Severity::Warning)
}

fn show(d: &Diagnostic) -> String {
    format!("{} {}: {}", d.code, d.severity.name(), d.message)
}

fn show_all<'a>(diags: impl IntoIterator<Item = &'a Diagnostic>) -> String {
    let shown: Vec<String> = diags.into_iter().map(show).collect();
    if shown.is_empty() {
        "nothing".to_string()
    } else {
        shown.join(" | ")
    }
}

/// One case's verdict: whether every expected diagnostic was found, how many error/warning
/// diagnostics the API server would not give, and the mismatches.
struct Verdict {
    detected: bool,
    false_positives: usize,
    problems: Vec<String>,
}

fn judge(header: &Header, diags: &[Diagnostic]) -> Verdict {
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

#[test]
fn kubernetes_corpus() {
    let dir = corpus_dir();
    let gaps = known_gaps(&dir);
    let verbose = std::env::var_os("CORPUS_VERBOSE").is_some();
    let settings = Settings::default();

    let mut failures: Vec<String> = Vec::new();
    let mut skipped: Vec<String> = Vec::new();
    let mut stale: Vec<String> = Vec::new();
    let mut numbers: BTreeSet<String> = BTreeSet::new();
    let (mut invalid_total, mut invalid_detected) = (0usize, 0usize);
    let (mut valid_total, mut valid_clean) = (0usize, 0usize);
    let mut false_positives = 0usize;
    let mut seen_files: BTreeSet<String> = BTreeSet::new();
    // Per group: (invalid cases, valid cases).
    let mut per_group: Vec<(usize, usize)> = vec![(0, 0); GROUPS.len()];

    for sub in ["invalid", "valid"] {
        for path in cases(&dir, sub) {
            let file_name = path.file_name().unwrap().to_string_lossy().to_string();
            let rel = format!("{sub}/{file_name}");
            seen_files.insert(rel.clone());
            let text = std::fs::read_to_string(&path).expect("read case");

            let number = file_name.split('-').next().unwrap_or("");
            if number.len() != 3 || !number.bytes().all(|b| b.is_ascii_digit()) {
                failures.push(format!("{rel}: file name must be NNN-name.yaml"));
            } else if !numbers.insert(format!("{sub}/{number}")) {
                failures.push(format!("{rel}: number {number} used twice in {sub}/"));
            }

            let header = match parse_header(&text) {
                Ok(h) => h,
                Err(e) => {
                    failures.push(format!("{rel}: {e}"));
                    continue;
                }
            };
            match (sub, &header.expect) {
                ("invalid", None) => {
                    failures.push(format!("{rel}: an invalid case must expect diagnostics"));
                    continue;
                }
                ("valid", Some(_)) => {
                    failures.push(format!("{rel}: a valid case must expect `clean`"));
                    continue;
                }
                ("invalid", Some(_)) if header.apiserver.is_empty() => {
                    failures.push(format!("{rel}: no `# apiserver:` line"));
                }
                _ => {}
            }
            match header
                .group
                .as_deref()
                .and_then(|g| GROUPS.iter().position(|x| *x == g))
            {
                Some(i) if sub == "invalid" => per_group[i].0 += 1,
                Some(i) => per_group[i].1 += 1,
                None => failures.push(format!(
                    "{rel}: `# group:` must name one of {}",
                    GROUPS.join(", ")
                )),
            }

            let analysis = analyze(&text, &settings);
            if analysis.kind() == DocKind::Unknown {
                failures.push(format!(
                    "{rel}: not detected as a Kubernetes or Flyte document"
                ));
                continue;
            }
            if verbose {
                println!("{rel}:");
                for d in &analysis.diagnostics {
                    let at = text.get(d.range.clone()).unwrap_or("");
                    println!("    {} `{at}`", show(d));
                }
            }

            let verdict = judge(&header, &analysis.diagnostics);
            match &header.expect {
                Some(_) => {
                    invalid_total += 1;
                    invalid_detected += usize::from(verdict.detected);
                }
                None => {
                    valid_total += 1;
                    valid_clean += usize::from(verdict.problems.is_empty());
                }
            }
            false_positives += verdict.false_positives;

            let expected = match &header.expect {
                None => "clean".to_string(),
                Some(e) => e
                    .iter()
                    .map(|(c, s)| format!("{c} {s}"))
                    .collect::<Vec<_>>()
                    .join(", "),
            };
            if gaps.contains(&rel) {
                if verdict.problems.is_empty() {
                    stale.push(rel);
                } else {
                    skipped.push(format!("{rel}: {}", verdict.problems.join("; ")));
                }
                continue;
            }
            for problem in verdict.problems {
                failures.push(format!("{rel} (expected {expected}): {problem}"));
            }
        }
    }

    for gap in &gaps {
        if !seen_files.contains(gap) {
            failures.push(format!("KNOWN_GAPS.md lists {gap}, which does not exist"));
        }
    }

    println!(
        "corpus: {invalid_detected} invalid detected of {invalid_total}, {valid_clean} valid \
         clean of {valid_total}, {false_positives} false positives"
    );
    let groups: Vec<String> = GROUPS
        .iter()
        .zip(&per_group)
        .map(|(g, (i, v))| format!("{g} {i}/{v}"))
        .collect();
    println!(
        "corpus: cases per group (invalid/valid): {}",
        groups.join(", ")
    );
    println!(
        "corpus: {} known gaps skipped (KNOWN_GAPS.md)",
        skipped.len()
    );
    for s in &skipped {
        println!("    skipped {s}");
    }
    for s in &stale {
        println!(
            "    note: {s} is listed in KNOWN_GAPS.md but now passes; remove it from the list"
        );
    }

    assert!(
        invalid_total >= 150 && valid_total >= 40,
        "the corpus needs at least 150 invalid and 40 valid cases ({invalid_total}, {valid_total})"
    );
    if !failures.is_empty() {
        let mut report = format!("{} corpus mismatches:\n", failures.len());
        for f in &failures {
            let _ = writeln!(report, "  {f}");
        }
        panic!("{report}");
    }
}

/// Every case again, the way CI and pre-commit users run it: `flyte-lsp check --format json`
/// over the whole corpus must report, file by file, exactly what the library reports (code,
/// severity, line and message), so each rule the corpus covers is also proven through the CLI.
#[test]
fn the_cli_reports_what_the_library_reports_for_every_case() {
    let dir = corpus_dir();
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_flyte-lsp"))
        .args(["check", "--format", "json"])
        .arg(&dir)
        .output()
        .expect("run flyte-lsp check");
    // Exit 1: the invalid cases have errors.
    assert_eq!(output.status.code(), Some(1), "{output:?}");
    let json: serde_json::Value = serde_json::from_slice(&output.stdout).expect("JSON output");
    let files = json["files"].as_array().expect("files");
    let mut checked = 0;
    for sub in ["invalid", "valid"] {
        for path in cases(&dir, sub) {
            let text = std::fs::read_to_string(&path).expect("read case");
            let index = flyte_lsp::text::LineIndex::new(&text);
            let mut expected: Vec<String> = analyze(&text, &Settings::default())
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
    assert!(checked > 300, "only {checked} cases");
}
