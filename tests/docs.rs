//! Docs stay in step with the code: `docs/rules.md` is generated from the rule registry, and
//! every registered code appears in it. `UPDATE_DOCS=1 cargo test --test docs` rewrites it.

use std::path::PathBuf;

use flyte_lsp::analysis::diagnostics::{rules_markdown, RULES};

#[test]
fn rules_md_matches_the_registry() {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("docs/rules.md");
    let expected = rules_markdown();
    if std::env::var_os("UPDATE_DOCS").is_some() {
        std::fs::write(&path, &expected).expect("write docs/rules.md");
    }
    let actual = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        actual == expected,
        "docs/rules.md is out of date; run `UPDATE_DOCS=1 cargo test --test docs`"
    );
    for rule in RULES.iter() {
        assert!(
            actual.contains(&format!("## {}", rule.code)),
            "{} undocumented",
            rule.code
        );
    }
}

#[test]
fn codes_are_unique_and_well_formed() {
    let mut codes: Vec<&str> = RULES.iter().map(|r| r.code).collect();
    codes.sort_unstable();
    let before = codes.len();
    codes.dedup();
    assert_eq!(before, codes.len(), "duplicate rule codes");
    for r in RULES.iter() {
        assert!(r.code.len() == 6 && r.code.starts_with("FLY"), "{}", r.code);
        assert!(
            !r.summary.is_empty()
                && !r.bad.is_empty()
                && !r.good.is_empty()
                && !r.source.is_empty()
        );
    }
}

#[test]
fn every_rule_example_fires_its_rule_and_the_fix_does_not() {
    use flyte_lsp::engine::analyze_in_workspace;
    use flyte_lsp::engine::parse_as;
    use flyte_lsp::settings::Settings;
    use flyte_lsp::tree::Language;
    use flyte_lsp::workspace::WorkspaceIndex;
    use std::path::Path;
    for r in RULES.iter() {
        // Examples may carry a `# with kubernetesVersion = "1.NN"` line for version rules.
        // Python examples may carry `# with kubernetesClient = 36`.
        let settings = |text: &str| {
            let mut settings = text
                .lines()
                .find_map(|l| l.strip_prefix("# with kubernetesVersion = \""))
                .and_then(|rest| rest.split('"').next())
                .map_or_else(Settings::default, Settings::with_kubernetes_version);
            if let Some(client) = text
                .lines()
                .find_map(|l| l.strip_prefix("# with kubernetesClient = "))
                .and_then(|v| v.trim().parse().ok())
            {
                settings.python.kubernetes_client = client;
            }
            settings
        };
        // Cross-file rules see a workspace made of the example itself.
        let language = match r.example_language() {
            "python" => Language::Python,
            _ => Language::Yaml,
        };
        let run = |text: &str| {
            let mut index = WorkspaceIndex::default();
            index.update(Path::new("/example.yaml"), text);
            index.complete = true;
            analyze_in_workspace(
                text,
                &parse_as(text, language),
                &settings(text),
                Some(&index),
            )
        };
        let bad = run(r.bad);
        assert!(
            bad.diagnostics.iter().any(|d| d.code == r.code),
            "{}: bad example does not fire",
            r.code
        );
        let good = run(r.good);
        assert!(
            !good.diagnostics.iter().any(|d| d.code == r.code),
            "{}: fixed example still fires: {:?}",
            r.code,
            good.diagnostics
        );
    }
}

/// The Python examples of the main rules fire their rule, and their fixed forms do not.
#[test]
fn every_python_example_fires_its_rule_and_the_fix_does_not() {
    use flyte_lsp::analysis::diagnostics::examples::PYTHON_EXAMPLES;
    use flyte_lsp::engine::{analyze_parsed, parse_as};
    use flyte_lsp::settings::Settings;
    use flyte_lsp::tree::Language;
    assert!(PYTHON_EXAMPLES.len() >= 8);
    for (code, bad, good) in PYTHON_EXAMPLES {
        assert!(RULES.iter().any(|r| r.code == *code), "{code} is no rule");
        let run = |text: &str| {
            analyze_parsed(
                text,
                &parse_as(text, Language::Python),
                &Settings::default(),
            )
        };
        let fired = run(bad);
        assert!(
            fired.diagnostics.iter().any(|d| d.code == *code),
            "{code}: Python example does not fire: {:?}",
            fired.diagnostics
        );
        let fixed = run(good);
        assert!(
            !fixed.diagnostics.iter().any(|d| d.code == *code),
            "{code}: fixed Python example still fires: {:?}",
            fixed.diagnostics
        );
    }
}

/// Every rule a rule file declares is in the registry, once: a `Rule` left out of its file's
/// family (or a family left out of `FAMILIES`) would never run, and no test would notice.
#[test]
fn every_declared_rule_is_registered_once() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("src/analysis/diagnostics");
    let mut declared = Vec::new();
    for entry in std::fs::read_dir(&dir).expect("read rule files").flatten() {
        let text = std::fs::read_to_string(entry.path()).expect("read rule file");
        let mut in_rule = false;
        for line in text.lines() {
            if line.starts_with("pub static ") && line.ends_with(": Rule = Rule {") {
                in_rule = true;
            } else if in_rule {
                if let Some(code) = line.trim().strip_prefix("code: \"") {
                    declared.push(code.trim_end_matches("\",").to_string());
                    in_rule = false;
                }
            }
        }
    }
    declared.sort();
    let mut registered: Vec<String> = RULES.iter().map(|r| r.code.to_string()).collect();
    registered.sort();
    assert!(!declared.is_empty());
    assert_eq!(
        declared, registered,
        "every `pub static ...: Rule` is in its file's FAMILY and every family is in FAMILIES"
    );
}
