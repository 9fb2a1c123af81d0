//! `check` streams (issue 16): two passes, files analysed on all cores through a bounded,
//! ordered queue, each file's output written as soon as the files before it are done.
//!
//! - The output is byte for byte what `check` printed before it streamed: the snapshots under
//!   `snapshots/check-stream/` were written by the binary of commit dc9bc30, which formatted
//!   every file at once (regenerate with `UPDATE_EXPECT=1` when a rule's output changes).
//! - The number of workers never changes the output, over the whole YAML corpus.
//! - FLY318 still sees every template among the checked files, in YAML and Python, however
//!   the template is spelt (the first pass reads only files that could define one).
//! - `--quiet` leaves out the summary; the progress line shows only on a terminal.

use std::process::{Command, Output};

use expect_test::expect_file;

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

/// SARIF without its rule registry: the registry is the rules' own documentation (it changes
/// with every rule text), printed by the same code as before; the results are what streams.
fn without_rules(sarif: &str) -> String {
    let mut out = Vec::new();
    let mut skipping: Option<String> = None;
    for line in sarif.split('\n') {
        if let Some(indent) = &skipping {
            if let Some(rest) = line.strip_prefix(&format!("{indent}]")) {
                out.push(format!("{indent}\"rules\": [ ... ]{rest}"));
                skipping = None;
            }
            continue;
        }
        if line.trim_start() == "\"rules\": [" {
            skipping = Some(line[..line.len() - line.trim_start().len()].to_string());
            continue;
        }
        out.push(line.to_string());
    }
    out.join("\n")
}

#[test]
fn streamed_output_is_what_check_printed_before() {
    for format in ["human", "json", "sarif", "github"] {
        let o = run(&["check", "--format", format, "examples", "tests/fixtures"]);
        assert_eq!(
            o.status.code(),
            Some(1),
            "{format}: the examples hold errors"
        );
        assert!(
            o.stderr.is_empty(),
            "{}",
            String::from_utf8_lossy(&o.stderr)
        );
        let mut text = stdout(&o);
        if format == "sarif" {
            text = without_rules(&text);
        }
        match format {
            "human" => expect_file!["snapshots/check-stream/examples-and-fixtures.human"],
            "json" => expect_file!["snapshots/check-stream/examples-and-fixtures.json"],
            "sarif" => expect_file!["snapshots/check-stream/examples-and-fixtures.sarif"],
            _ => expect_file!["snapshots/check-stream/examples-and-fixtures.github"],
        }
        .assert_eq(&text);
    }
}

#[test]
fn the_number_of_workers_never_changes_the_output() {
    for format in ["human", "json", "sarif", "github"] {
        let one = run(&[
            "check",
            "-j",
            "1",
            "--format",
            format,
            "tests/corpus",
            "examples",
        ]);
        let many = run(&[
            "check",
            "-j",
            "5",
            "--format",
            format,
            "tests/corpus",
            "examples",
        ]);
        assert_eq!(one.status.code(), many.status.code(), "{format}");
        assert!(
            one.stdout.len() > 100_000,
            "{format}: the corpus has findings"
        );
        assert!(one.stdout == many.stdout, "{format}: -j 1 and -j 5 differ");
        assert_eq!(one.stderr, many.stderr, "{format}");
    }
}

const TEMPLATE: &str = "apiVersion: v1\nkind: PodTemplate\nmetadata:\n  name: gpu-template\ntemplate:\n  spec:\n    containers: []\n";

fn codes(o: &Output) -> Vec<(String, String)> {
    let json: serde_json::Value = serde_json::from_slice(&o.stdout).expect("JSON output");
    let mut found = Vec::new();
    for f in json["files"].as_array().into_iter().flatten() {
        for d in f["diagnostics"].as_array().into_iter().flatten() {
            let path = f["path"]
                .as_str()
                .unwrap_or("")
                .rsplit('/')
                .next()
                .unwrap_or("");
            found.push((
                path.to_string(),
                d["code"].as_str().unwrap_or("").to_string(),
            ));
        }
    }
    found
}

#[test]
fn a_template_among_the_checked_files_is_found_however_it_is_written() {
    let dir = TempDir::new("stream-fly318");
    let env = "name: train\nimage: python:3.12\npod_template: gpu-template\n";
    let typo = "name: serve\nimage: python:3.12\npod_template: gpu-tempalte\n";
    let py_env =
        "import flyte\n\nenv = flyte.TaskEnvironment(name=\"py\", pod_template=\"gpu-template\")\n";
    dir.write("a-env.yaml", env);
    dir.write("b-typo.yaml", typo);
    dir.write("c-env.py", py_env);
    let root = dir.path().to_string_lossy().into_owned();
    let check = |root: &str| run(&["check", "--format", "json", root]);

    // No template: every reference is information (FLY318), the run is clean.
    let o = check(&root);
    assert_eq!(o.status.code(), Some(0));
    let mut want = vec![
        ("a-env.yaml".to_string(), "FLY318".to_string()),
        ("b-typo.yaml".to_string(), "FLY318".to_string()),
        ("c-env.py".to_string(), "FLY318".to_string()),
    ];
    assert_eq!(codes(&o), want);

    // Each way of defining it: plain YAML, an escape in a quoted kind, a modeline, a glob in
    // flyte-lsp.toml's `files.kinds`, and the Python client. Only the typo is left.
    let spellings: [(&str, &str); 5] = [
        ("z-template.yaml", TEMPLATE),
        (
            "z-template.yaml",
            &TEMPLATE.replace("kind: PodTemplate", "kind: \"Pod\\x54emplate\""),
        ),
        (
            "z-template.yaml",
            &format!("# flyte-lsp: kubernetes\n{}", TEMPLATE.replace("kind: PodTemplate\n", "")),
        ),
        (
            "cluster/gpu.yaml",
            &TEMPLATE.replace("apiVersion: v1\nkind: PodTemplate\n", ""),
        ),
        (
            "z-template.py",
            "from kubernetes.client import V1ObjectMeta, V1PodSpec, V1PodTemplate, V1PodTemplateSpec\n\n\
             T = V1PodTemplate(metadata=V1ObjectMeta(name=\"gpu-template\"), template=V1PodTemplateSpec(spec=V1PodSpec(containers=[])))\n",
        ),
    ];
    for (name, text) in spellings {
        let case = TempDir::new("stream-fly318-case");
        case.write("a-env.yaml", env);
        case.write("b-typo.yaml", typo);
        case.write("c-env.py", py_env);
        case.write(name, text);
        if name.starts_with("cluster/") {
            case.write(
                "flyte-lsp.toml",
                "[files.kinds]\n\"cluster/**\" = \"kubernetes\"\n",
            );
        }
        let root = case.path().to_string_lossy().into_owned();
        let o = Command::new(env!("CARGO_BIN_EXE_flyte-lsp"))
            .current_dir(case.path())
            .args(["check", "--format", "json", &root])
            .output()
            .expect("run flyte-lsp");
        let found: Vec<_> = codes(&o)
            .into_iter()
            .filter(|(_, c)| c == "FLY318")
            .collect();
        want = vec![("b-typo.yaml".to_string(), "FLY318".to_string())];
        assert_eq!(found, want, "defined in {name}:\n{text}\n{}", stdout(&o));
    }
}

#[test]
fn quiet_prints_the_diagnostics_and_nothing_else() {
    let o = run(&["check", "--quiet", "examples/clean"]);
    assert_eq!(o.status.code(), Some(0));
    assert_eq!(stdout(&o), "", "no summary line");
    let loud = run(&["check", "examples"]);
    let quiet = run(&["check", "-q", "examples"]);
    assert_eq!(quiet.status.code(), Some(1));
    let loud = stdout(&loud);
    let summary = loud.lines().last().unwrap_or("");
    assert!(summary.contains(" errors, "), "{summary}");
    assert_eq!(
        stdout(&quiet),
        loud.strip_suffix(&format!("{summary}\n")).unwrap_or("")
    );
}

/// Runs `check` on a pseudo-terminal (util-linux `script`), so that stderr is a TTY.
fn on_a_terminal(args: &str) -> String {
    let command = format!("{} {args}", env!("CARGO_BIN_EXE_flyte-lsp"));
    let o = Command::new("script")
        .args(["-qec", &command, "/dev/null"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("FLYTE_LSP_PROGRESS_AFTER_MS", "0")
        .output()
        .expect("run script(1)");
    String::from_utf8_lossy(&o.stdout).into_owned()
}

#[test]
fn progress_shows_on_a_terminal_only() {
    let shown = on_a_terminal("check -j 1 tests/corpus");
    assert!(
        shown.contains("\r\x1b[2Kchecking 1/"),
        "{:?}",
        &shown[..shown.len().min(300)]
    );
    // The line is erased before the summary, which stands alone on its line.
    let summary = shown.lines().last().unwrap_or("");
    assert!(
        summary.ends_with(" files\r") || summary.ends_with(" files"),
        "{summary:?}"
    );
    assert!(shown.contains("\r\x1b[2K") && !summary.contains("checking"));
    let quiet = on_a_terminal("check -q -j 1 tests/corpus");
    assert!(!quiet.contains("checking"), "--quiet shows no progress");
    // Not a terminal: nothing but the problems on stderr.
    let piped = Command::new(env!("CARGO_BIN_EXE_flyte-lsp"))
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args(["check", "-j", "1", "tests/corpus"])
        .env("FLYTE_LSP_PROGRESS_AFTER_MS", "0")
        .output()
        .expect("run flyte-lsp");
    assert!(
        piped.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&piped.stderr)
    );
}
