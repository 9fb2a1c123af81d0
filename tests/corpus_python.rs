//! The Kubernetes corpus in Python: `tests/corpus/python/{invalid,valid}/NNN-name.py`, each the
//! translation of `tests/corpus/k8s/{invalid,valid}/NNN-name.yaml` that
//! `tests/corpus/python/gen.py` writes (see its docstring for how; never edit them by hand):
//! `V1Pod(...)`/`V1PodTemplate(...)` for Kubernetes objects, `flyte.TaskEnvironment(...)` or
//! `flyte.PodTemplate(pod_spec=V1PodSpec(...))` for Flyte documents, one call per YAML document.
//! Each Python file must read as the same documents, of the same kinds, as its YAML case.
//!
//! The header format is `tests/corpus.rs`'s; gen.py rewrites `# expect:` where Python's verdict
//! differs from YAML's (its `MAPPED` table; the file then says `# python: FLY106 -> FLY103: why`)
//! and names its YAML case in `# yaml: tests/corpus/k8s/...`.
//!
//! - An invalid case must produce every expected diagnostic and no other error or warning, and
//!   each expected diagnostic must sit at the corresponding argument: the tree path of the node it
//!   flags in the Python case (keywords are API names in the neutral tree) must be the path of
//!   the node the same rule flags in the YAML case (for a mapped code, the YAML case's code).
//!   Paths compare key segments without case and `_`, so an unknown `image_pull_secret=` is at
//!   the YAML case's `imagePullSecret`.
//! - A valid case must produce no error or warning.
//! - Every YAML case is translated or listed, with its reason, in `SKIPPED.txt` (written by
//!   gen.py), and every listed case exists.
//! - `CONSTRUCT.txt` (written by `construct.py`, which builds every case with the real
//!   kubernetes 37 client) lists the cases the client refuses: each must be an invalid case on
//!   which flyte-lsp reports an error too, at the field the client names (unless it is missing),
//!   and no valid case may be listed; the other way, every case expecting an unknown keyword
//!   (FLY101) or a wrong type (FLY103) must be one the client refuses.
//!
//! - Where the conformance venv exists (`CONFORMANCE_VENV`, default
//!   `~/.cache/flyte-lsp/conformance-venv`, made by `tests/conformance/run.sh`), a second test runs
//!   `gen.py --check` and `construct.py --check` with it: the checked-in cases are what the
//!   generator writes, and the client builds them as `CONSTRUCT.txt` says. Without the venv it
//!   says so and passes (`tests/run-all.sh` runs both scripts unconditionally).
//!
//! `tests/corpus/python/KNOWN_GAPS.md` lists cases where flyte-lsp's Python front end, not the
//! case, is wrong; they run and are reported but do not fail the test (a listed case that passes
//! is reported as stale). `CORPUS_VERBOSE=1` prints every case's diagnostics with their paths.

#[path = "common/corpus.rs"]
mod corpus_common;

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::ops::Range;
use std::path::{Path, PathBuf};

use corpus_common::{cases, cli_matches_library, judge, known_gaps, parse_header, show, Header};
use flyte_lsp::analysis::{Diagnostic, Severity};
use flyte_lsp::engine::{analyze_parsed, parse_as, Language};
use flyte_lsp::model::DocKind;
use flyte_lsp::settings::Settings;
use flyte_lsp::tree::site::{path_string, Segment};
use flyte_lsp::tree::{Node, NodeKind, Stream};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn python_dir() -> PathBuf {
    root().join("tests/corpus/python")
}

fn yaml_dir() -> PathBuf {
    root().join("tests/corpus/k8s")
}

fn contains(span: &Range<usize>, r: &Range<usize>) -> bool {
    if span.is_empty() {
        // A synthesized node (a `V1Pod`'s `kind`) holds only a range equal to it.
        return span == r;
    }
    span.start <= r.start && r.end <= span.end
}

/// The path of the deepest node of `node` whose range holds `r`; `key` when that is a key.
fn locate(node: &Node, r: &Range<usize>, path: &mut Vec<Segment>) -> bool {
    match &node.kind {
        NodeKind::Map(entries) => {
            for e in entries {
                let name = e.key_str().unwrap_or("?").to_string();
                if contains(&e.key.span, r) {
                    path.push(Segment::Key(name));
                    return true;
                }
                if contains(&e.value.span, r) {
                    path.push(Segment::Key(name));
                    return locate(&e.value, r, path);
                }
            }
            false
        }
        NodeKind::Seq(items) => {
            for (i, item) in items.iter().enumerate() {
                if contains(&item.span, r) {
                    path.push(Segment::Item(i));
                    return locate(item, r, path);
                }
            }
            false
        }
        _ => false,
    }
}

/// Where a diagnostic is, as a path: `spec.containers[0].image` (`:key` when on a key), after
/// `#N ` for the N-th document of a file of several.
fn path_of(stream: &Stream, r: &Range<usize>) -> String {
    let several = stream.documents.len() > 1;
    for (i, doc) in stream.documents.iter().enumerate() {
        let Some(root) = &doc.root else { continue };
        if !contains(&root.span, r) && !contains(&doc.span, r) {
            continue;
        }
        let mut path = Vec::new();
        let on_key = locate(root, r, &mut path);
        let mut s = if several {
            format!("#{i} {}", path_string(&path))
        } else {
            path_string(&path)
        };
        if on_key {
            s.push_str(":key");
        }
        return s;
    }
    "?".to_string()
}

/// A path with key segments folded: no case, no `_`.
fn folded(path: &str) -> String {
    path.chars()
        .filter(|c| *c != '_')
        .flat_map(char::to_lowercase)
        .collect()
}

/// `# yaml:` and the `# python: A -> B, ...:` mapping (Python code to YAML code).
fn provenance(text: &str) -> (Option<String>, BTreeMap<String, String>) {
    let mut yaml = None;
    let mut mapped = BTreeMap::new();
    for line in text.lines().take_while(|l| l.starts_with('#')) {
        if let Some(rest) = line.strip_prefix("# yaml:") {
            yaml = Some(rest.trim().to_string());
        } else if let Some(rest) = line.strip_prefix("# python:") {
            for pair in rest.split(':').next().unwrap_or("").split(',') {
                if let Some((from, to)) = pair.split_once("->") {
                    let to = to.split_whitespace().next().unwrap_or("").to_string();
                    mapped.insert(to, from.trim().to_string());
                }
            }
        }
    }
    (yaml, mapped)
}

/// `case: reason` lines of a generated list (`SKIPPED.txt`, `CONSTRUCT.txt`), by case.
fn listed(path: &Path) -> BTreeMap<String, String> {
    let text = std::fs::read_to_string(path)
        .unwrap_or_else(|e| panic!("read {}: {e} (run gen.py / construct.py)", path.display()));
    text.lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .filter_map(|l| l.split_once(": "))
        .map(|(case, why)| (case.trim().to_string(), why.trim().to_string()))
        .collect()
}

fn is_error(d: &Diagnostic) -> bool {
    matches!(d.severity, Severity::Error)
}

/// Each expected code's paths in the Python case against the same rule's in the YAML case.
fn compare_sites(
    header: &Header,
    py: (&str, &Stream, &[Diagnostic]),
    yaml: (&str, &Stream, &[Diagnostic]),
    mapped: &BTreeMap<String, String>,
) -> Vec<String> {
    let mut problems = Vec::new();
    let Some(expected) = &header.expect else {
        return problems;
    };
    let codes: BTreeSet<&String> = expected.iter().map(|(c, _)| c).collect();
    for code in codes {
        let yaml_code = mapped.get(code).unwrap_or(code);
        let sites = |stream: &Stream, diags: &[Diagnostic], code: &str| -> BTreeSet<String> {
            diags
                .iter()
                .filter(|d| d.code == code)
                .map(|d| folded(&path_of(stream, &d.range)))
                .collect()
        };
        let in_py = sites(py.1, py.2, code);
        let in_yaml = sites(yaml.1, yaml.2, yaml_code);
        if in_py.is_empty() {
            continue; // a miss, reported by the verdict
        }
        if in_py != in_yaml {
            problems.push(format!(
                "ELSEWHERE: {code} at {} in Python, {yaml_code} at {} in YAML",
                in_py.iter().cloned().collect::<Vec<_>>().join(", "),
                in_yaml.iter().cloned().collect::<Vec<_>>().join(", ")
            ));
        }
    }
    let _ = (py.0, yaml.0);
    problems
}

#[test]
fn python_corpus() {
    let dir = python_dir();
    let gaps = known_gaps(&dir, "py");
    let skipped_list = listed(&dir.join("SKIPPED.txt"));
    let refused = listed(&dir.join("CONSTRUCT.txt"));
    let verbose = std::env::var_os("CORPUS_VERBOSE").is_some();
    let settings = Settings::default();

    let mut failures: Vec<String> = Vec::new();
    let mut gap_reports: Vec<String> = Vec::new();
    let mut stale: Vec<String> = Vec::new();
    let (mut invalid_total, mut invalid_detected) = (0usize, 0usize);
    let (mut valid_total, mut valid_clean) = (0usize, 0usize);
    let mut at_the_argument = 0usize;
    let mut seen: BTreeSet<String> = BTreeSet::new();
    // Per case: the folded paths of its error diagnostics.
    let mut errors_by_case: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut expected_codes: BTreeMap<String, Vec<String>> = BTreeMap::new();
    // Per catalogue group (in the order first seen): (invalid cases, valid cases).
    let mut per_group: Vec<(String, (usize, usize))> = Vec::new();

    for sub in ["invalid", "valid"] {
        for path in cases(&dir, sub, "py") {
            let name = path.file_name().unwrap().to_string_lossy().to_string();
            let rel = format!("{sub}/{name}");
            seen.insert(rel.clone());
            let text = std::fs::read_to_string(&path).expect("read case");
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
                _ => {}
            }
            let group = header.group.clone().unwrap_or_else(|| "?".to_string());
            let at = match per_group.iter().position(|(g, _)| *g == group) {
                Some(i) => i,
                None => {
                    per_group.push((group, (0, 0)));
                    per_group.len() - 1
                }
            };
            if sub == "invalid" {
                per_group[at].1 .0 += 1;
            } else {
                per_group[at].1 .1 += 1;
            }
            if let Some(e) = &header.expect {
                expected_codes.insert(rel.clone(), e.iter().map(|(c, _)| c.clone()).collect());
            }
            let (yaml_rel, mapped) = provenance(&text);
            let expected_yaml = format!("tests/corpus/k8s/{}.yaml", rel.trim_end_matches(".py"));
            if yaml_rel.as_deref() != Some(expected_yaml.as_str()) {
                failures.push(format!("{rel}: `# yaml:` must name {expected_yaml}"));
                continue;
            }
            let yaml_text = match std::fs::read_to_string(root().join(&expected_yaml)) {
                Ok(t) => t,
                Err(e) => {
                    failures.push(format!("{rel}: {expected_yaml}: {e} (run gen.py)"));
                    continue;
                }
            };

            let stream = parse_as(&text, Language::Python);
            let analysis = analyze_parsed(&text, &stream, &settings);
            let yaml_stream = parse_as(&yaml_text, Language::Yaml);
            let yaml_analysis = analyze_parsed(&yaml_text, &yaml_stream, &settings);
            let kinds = |s: &Stream| s.documents.iter().map(|d| d.kind).collect::<Vec<_>>();
            if kinds(&stream) != kinds(&yaml_stream) || analysis.kind() == DocKind::Unknown {
                failures.push(format!(
                    "{rel}: documents {:?}, its YAML case's {:?}: one call per document expected",
                    kinds(&stream),
                    kinds(&yaml_stream)
                ));
                continue;
            }
            errors_by_case.insert(
                rel.clone(),
                analysis
                    .diagnostics
                    .iter()
                    .filter(|d| is_error(d))
                    .map(|d| folded(path_of(&stream, &d.range).trim_end_matches(":key")))
                    .collect(),
            );
            if verbose {
                println!("{rel}:");
                for d in &analysis.diagnostics {
                    let at = text.get(d.range.clone()).unwrap_or("");
                    println!("    {} at {} `{at}`", show(d), path_of(&stream, &d.range));
                }
            }

            let verdict = judge(&header, &analysis.diagnostics);
            let mut problems = verdict.problems;
            let elsewhere = compare_sites(
                &header,
                (&text, &stream, &analysis.diagnostics),
                (&yaml_text, &yaml_stream, &yaml_analysis.diagnostics),
                &mapped,
            );
            match &header.expect {
                Some(_) => {
                    invalid_total += 1;
                    invalid_detected += usize::from(verdict.detected);
                    at_the_argument += usize::from(verdict.detected && elsewhere.is_empty());
                }
                None => {
                    valid_total += 1;
                    valid_clean += usize::from(problems.is_empty());
                }
            }
            problems.extend(elsewhere);
            let expected = match &header.expect {
                None => "clean".to_string(),
                Some(e) => e
                    .iter()
                    .map(|(c, s)| format!("{c} {s}"))
                    .collect::<Vec<_>>()
                    .join(", "),
            };
            if gaps.contains(&rel) {
                if problems.is_empty() {
                    stale.push(rel);
                } else {
                    gap_reports.push(format!("{rel}: {}", problems.join("; ")));
                }
                continue;
            }
            for problem in problems {
                failures.push(format!("{rel} (expected {expected}): {problem}"));
            }
        }
    }

    // Every YAML case is translated or skipped with a reason.
    let mut yaml_cases = 0usize;
    for sub in ["invalid", "valid"] {
        for path in cases(&yaml_dir(), sub, "yaml") {
            yaml_cases += 1;
            let name = path.file_name().unwrap().to_string_lossy().to_string();
            let yaml_rel = format!("{sub}/{name}");
            let py_rel = format!("{sub}/{}.py", name.trim_end_matches(".yaml"));
            match (seen.contains(&py_rel), skipped_list.contains_key(&yaml_rel)) {
                (true, true) => failures.push(format!(
                    "{yaml_rel}: both translated and listed in SKIPPED.txt"
                )),
                (false, false) => failures.push(format!(
                    "{yaml_rel}: neither translated nor listed in SKIPPED.txt (run gen.py)"
                )),
                _ => {}
            }
        }
    }
    for case in skipped_list.keys() {
        if !yaml_dir().join(case).exists() {
            failures.push(format!("SKIPPED.txt lists {case}, which does not exist"));
        }
    }
    // What the real client refuses, flyte-lsp reports as an error, at the field the client
    // names (`where | what`; a missing field has no node of its own to be at).
    for (case, why) in &refused {
        let (at, what) = why.split_once(" | ").unwrap_or(("-", why));
        let Some(errors) = errors_by_case.get(case) else {
            failures.push(format!("CONSTRUCT.txt lists {case}, which is not a case"));
            continue;
        };
        let at_field = at == "-"
            || what.contains(": missing:")
            || errors.iter().any(|p| p.ends_with(&folded(at)));
        if case.starts_with("valid/") {
            failures.push(format!(
                "{case}: a valid case the kubernetes client refuses: {why}"
            ));
        } else if gaps.contains(case) {
            gap_reports.push(format!("{case}: the client refuses it: {why}"));
        } else if errors.is_empty() {
            failures.push(format!(
                "{case}: the kubernetes client refuses it ({why}), flyte-lsp reports no error"
            ));
        } else if !at_field {
            failures.push(format!(
                "{case}: the kubernetes client refuses `{at}` ({what}), flyte-lsp's errors are at {}",
                errors.join(", ")
            ));
        }
    }
    // And the other way: an unknown keyword (FLY101) or a wrong type (FLY103) is one the typed
    // client refuses too.
    for (case, codes) in &expected_codes {
        let refusable = codes.iter().any(|c| c == "FLY101" || c == "FLY103");
        if refusable && !refused.contains_key(case) && !gaps.contains(case) {
            failures.push(format!(
                "{case}: expects {}, but the kubernetes client builds it (CONSTRUCT.txt)",
                codes.join(", ")
            ));
        }
    }
    for gap in &gaps {
        if !seen.contains(gap) {
            failures.push(format!("KNOWN_GAPS.md lists {gap}, which does not exist"));
        }
    }

    println!(
        "python corpus: {invalid_detected} of {invalid_total} invalid detected \
         ({at_the_argument} at the argument the YAML case flags), {valid_clean} of {valid_total} \
         valid clean, {} skipped of {yaml_cases} YAML cases (SKIPPED.txt), {} refused by the \
         kubernetes client (CONSTRUCT.txt)",
        skipped_list.len(),
        refused.len()
    );
    let groups: Vec<String> = per_group
        .iter()
        .map(|(g, (i, v))| format!("{g} {i}/{v}"))
        .collect();
    println!(
        "python corpus: cases per group (invalid/valid): {}",
        groups.join(", ")
    );
    let mut reasons: BTreeMap<&str, usize> = BTreeMap::new();
    for why in skipped_list.values() {
        *reasons.entry(why.as_str()).or_default() += 1;
    }
    for (why, n) in &reasons {
        println!("    skipped {n}: {why}");
    }
    println!(
        "python corpus: {} known gaps (KNOWN_GAPS.md)",
        gap_reports.len()
    );
    for s in &gap_reports {
        println!("    gap {s}");
    }
    for s in &stale {
        println!(
            "    note: {s} is listed in KNOWN_GAPS.md but now passes; remove it from the list"
        );
    }

    assert!(
        invalid_total >= 250 && valid_total >= 60,
        "too few cases ({invalid_total} invalid, {valid_total} valid): run gen.py"
    );
    if !failures.is_empty() {
        let mut report = format!("{} python corpus mismatches:\n", failures.len());
        for f in &failures {
            let _ = writeln!(report, "  {f}");
        }
        panic!("{report}");
    }
}

/// Every case again through `flyte-lsp check --format json` over the folder, as CI runs it: the
/// CLI must report, file by file, exactly what the library reports (code, severity, line,
/// message), so the Python front end is proven the way users run it too.
#[test]
fn the_cli_reports_what_the_library_reports_for_every_python_case() {
    let checked = cli_matches_library(&python_dir(), "py", flyte_lsp::tree::Language::Python);
    assert!(checked > 300, "only {checked} cases");
}

/// The conformance venv's interpreter (PyYAML, kubernetes 37.0.2), if it exists.
fn venv_python() -> Option<PathBuf> {
    let venv = match std::env::var_os("CONFORMANCE_VENV") {
        Some(v) => PathBuf::from(v),
        None => PathBuf::from(std::env::var_os("HOME")?).join(".cache/flyte-lsp/conformance-venv"),
    };
    let python = venv.join("bin/python");
    python.exists().then_some(python)
}

/// The generator and the real client agree with the checked-in files: `gen.py --check` (every
/// case is what the generator writes from its YAML case) and `construct.py --check` (every valid
/// case builds with kubernetes 37.0.2, and CONSTRUCT.txt lists exactly the cases it refuses).
#[test]
fn generated_cases_are_current_and_build_with_the_real_client() {
    let Some(python) = venv_python() else {
        println!("python corpus: no conformance venv, gen.py/construct.py not run");
        return;
    };
    for script in ["gen.py", "construct.py"] {
        let output = std::process::Command::new(&python)
            .arg(python_dir().join(script))
            .arg("--check")
            .output()
            .unwrap_or_else(|e| panic!("run {script}: {e}"));
        println!("{}", String::from_utf8_lossy(&output.stdout).trim_end());
        assert!(
            output.status.success(),
            "{script} --check failed ({:?}):\n{}{}",
            output.status.code(),
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
    }
}
