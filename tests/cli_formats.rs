//! `check --format sarif` and `check --format github`: the shapes code scanning and GitHub
//! Actions read, checked against the JSON output of the same run.

use std::process::{Command, Output};

use serde_json::Value;

mod common;
use common::TempDir;

fn run(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_flyte-lsp"))
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args(args)
        .output()
        .expect("run flyte-lsp")
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn parse(o: &Output) -> Value {
    serde_json::from_slice(&o.stdout)
        .unwrap_or_else(|e| panic!("invalid JSON ({e}): {}", stdout(o)))
}

fn temp_dir(name: &str) -> TempDir {
    TempDir::new(&format!("formats-{name}"))
}

#[test]
fn sarif_has_the_2_1_0_shape_with_every_rule() {
    let o = run(&["check", "--format", "sarif", "examples/"]);
    assert_eq!(o.status.code(), Some(1), "errors still exit 1");
    let sarif = parse(&o);
    assert_eq!(sarif["version"], "2.1.0");
    assert!(
        sarif["$schema"]
            .as_str()
            .is_some_and(|s| s.contains("sarif-2.1.0")),
        "{}",
        sarif["$schema"]
    );
    let run = &sarif["runs"][0];
    assert_eq!(run["tool"]["driver"]["name"], "flyte-lsp");
    assert_eq!(run["columnKind"], "utf16CodeUnits");
    let rules = run["tool"]["driver"]["rules"].as_array().expect("rules");
    let ids: Vec<&str> = rules
        .iter()
        .map(|r| r["id"].as_str().expect("rule id"))
        .collect();
    let codes: Vec<&str> = flyte_lsp::analysis::diagnostics::RULES
        .iter()
        .map(|r| r.code)
        .collect();
    assert_eq!(ids, codes, "tool.driver.rules lists the registry in order");
    for rule in rules {
        assert!(
            rule["shortDescription"]["text"]
                .as_str()
                .is_some_and(|t| !t.is_empty()),
            "{rule}"
        );
        assert!(rule["fullDescription"]["text"].is_string(), "{rule}");
        assert!(
            rule["help"]["markdown"]
                .as_str()
                .is_some_and(|t| t.contains("```yaml")),
            "{rule}"
        );
        assert!(
            ["error", "warning", "note"]
                .contains(&rule["defaultConfiguration"]["level"].as_str().unwrap_or("")),
            "{rule}"
        );
    }
    let results = run["results"].as_array().expect("results");
    assert!(!results.is_empty());
    for r in results {
        let id = r["ruleId"].as_str().expect("ruleId");
        assert!(
            ["error", "warning", "note"].contains(&r["level"].as_str().unwrap_or("")),
            "{r}"
        );
        assert!(
            r["message"]["text"].as_str().is_some_and(|t| !t.is_empty()),
            "{r}"
        );
        let index = r["ruleIndex"].as_u64().expect("ruleIndex") as usize;
        assert_eq!(ids[index], id, "ruleIndex points at the rule");
        let loc = &r["locations"][0]["physicalLocation"];
        let uri = loc["artifactLocation"]["uri"].as_str().expect("uri");
        assert!(
            uri.starts_with("examples/") && uri.ends_with(".yaml"),
            "{uri}"
        );
        assert_eq!(loc["artifactLocation"]["uriBaseId"], "%SRCROOT%");
        let region = &loc["region"];
        for key in ["startLine", "startColumn", "endLine", "endColumn"] {
            assert!(
                region[key].as_u64().is_some_and(|n| n >= 1),
                "1-based {key}: {r}"
            );
        }
    }
    // The unknown field of examples/mistakes/typos.yaml, where the human output says 14:3.
    let typo = results
        .iter()
        .find(|r| {
            r["ruleId"] == "FLY101"
                && r["message"]["text"]
                    .as_str()
                    .unwrap_or("")
                    .contains("`imagePullSecret`")
        })
        .expect("FLY101 on imagePullSecret");
    assert_eq!(
        typo["locations"][0]["physicalLocation"]["region"],
        serde_json::json!({"startLine": 14, "startColumn": 3, "endLine": 14, "endColumn": 18})
    );
    assert_eq!(
        typo["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
        "examples/mistakes/typos.yaml"
    );
}

#[test]
fn sarif_regions_are_the_json_ranges_plus_one() {
    let sarif = parse(&run(&["check", "--format", "sarif", "examples/"]));
    let json = parse(&run(&["check", "--format", "json", "examples/"]));
    let mut expected = Vec::new();
    for file in json["files"].as_array().expect("files") {
        for d in file["diagnostics"].as_array().expect("diagnostics") {
            let r = &d["range"];
            let p = |k: &str, f: &str| r[k][f].as_u64().expect("position") + 1;
            expected.push((
                d["code"].as_str().expect("code").to_string(),
                [
                    p("start", "line"),
                    p("start", "character"),
                    p("end", "line"),
                    p("end", "character"),
                ],
            ));
        }
    }
    let got: Vec<_> = sarif["runs"][0]["results"]
        .as_array()
        .expect("results")
        .iter()
        .map(|r| {
            let g = &r["locations"][0]["physicalLocation"]["region"];
            let n = |k: &str| g[k].as_u64().expect("region");
            (
                r["ruleId"].as_str().expect("ruleId").to_string(),
                [
                    n("startLine"),
                    n("startColumn"),
                    n("endLine"),
                    n("endColumn"),
                ],
            )
        })
        .collect();
    assert_eq!(got, expected);
}

#[test]
fn sarif_columns_count_utf16_and_paths_are_uri_encoded() {
    let dir = temp_dir("sarif");
    // `😀` is two UTF-16 code units: the value's end column counts it twice.
    std::fs::write(
        dir.join("my pod.yaml"),
        "labels:\n  owner: \"é😀 x\"\npod_spec:\n  containers: []\n",
    )
    .expect("write");
    let o = Command::new(env!("CARGO_BIN_EXE_flyte-lsp"))
        .current_dir(&dir)
        .args(["check", "--format", "sarif", "my pod.yaml"])
        .output()
        .expect("run");
    let sarif = parse(&o);
    let result = &sarif["runs"][0]["results"][0];
    assert_eq!(result["ruleId"], "FLY202", "{result}");
    let loc = &result["locations"][0]["physicalLocation"];
    assert_eq!(loc["artifactLocation"]["uri"], "my%20pod.yaml");
    // The quoted value starts at column 10 and is 7 UTF-16 units wide (6 characters).
    assert_eq!(
        loc["region"],
        serde_json::json!({"startLine": 2, "startColumn": 10, "endLine": 2, "endColumn": 17})
    );
}

#[test]
fn sarif_for_clean_files_has_no_results_and_exits_zero() {
    let o = run(&["check", "--format", "sarif", "examples/clean"]);
    assert_eq!(o.status.code(), Some(0));
    assert_eq!(parse(&o)["runs"][0]["results"], serde_json::json!([]));
}

#[test]
fn github_annotations_are_workflow_commands() {
    let o = run(&["check", "--format", "github", "examples/"]);
    assert_eq!(o.status.code(), Some(1));
    let out = stdout(&o);
    assert!(
        out.lines().any(|l| l
            == "::error file=examples/mistakes/typos.yaml,line=14,col=3,endLine=14,endColumn=18,title=FLY101::unknown field `imagePullSecret` in PodSpec; did you mean `imagePullSecrets`?"),
        "{out}"
    );
    assert!(
        out.lines()
            .any(|l| l.starts_with("::warning file=examples/mistakes/snake-case.yaml,")),
        "{out}"
    );
    for line in out.lines() {
        assert!(
            line.starts_with("::error file=")
                || line.starts_with("::warning file=")
                || line.starts_with("::notice file="),
            "only workflow commands on stdout: {line}"
        );
        assert!(line.contains(",title=FLY"), "{line}");
    }
}

#[test]
fn github_escapes_properties_and_is_silent_when_clean() {
    let o = run(&["check", "--format", "github", "examples/clean"]);
    assert_eq!(o.status.code(), Some(0));
    assert_eq!(stdout(&o), "");

    let dir = temp_dir("github");
    std::fs::write(
        dir.join("a,b:c.yaml"),
        "labels:\n  team name: ml\npod_spec:\n  containers: []\n",
    )
    .expect("write");
    let o = Command::new(env!("CARGO_BIN_EXE_flyte-lsp"))
        .current_dir(&dir)
        .args(["check", "--format", "github", "a,b:c.yaml"])
        .output()
        .expect("run");
    assert_eq!(o.status.code(), Some(1));
    let out = stdout(&o);
    assert!(out.starts_with("::error file=a%2Cb%3Ac.yaml,line=2,col=3,endLine=2,endColumn=12,title=FLY201::Invalid value: \"team name\""), "{out}");
}
