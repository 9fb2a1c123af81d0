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

#[path = "common/corpus.rs"]
mod corpus_common;

use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::path::PathBuf;

use corpus_common::{cases, cli_matches_library, judge, known_gaps, parse_header, show};
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

#[test]
fn kubernetes_corpus() {
    let dir = corpus_dir();
    let gaps = known_gaps(&dir, "yaml");
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
        for path in cases(&dir, sub, "yaml") {
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
    let checked = cli_matches_library(&corpus_dir(), "yaml", flyte_lsp::tree::Language::Yaml);
    assert!(checked > 300, "only {checked} cases");
}
