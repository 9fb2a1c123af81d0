//! Broken and oversized Python, through `check` and through the server: never a panic or a
//! hang, and bounded work. A 5 MB generated module (about 3,000 environments and templates),
//! invalid UTF-8 in a `.py` file, a file that is all syntax errors (no findings: syntax errors
//! are Pyright's and ruff's to report, and nothing is said about code that does not parse) and
//! 10,000 nested brackets. Outcomes are asserted, never wall-clock times; the times measured
//! are in docs/reliability.md. The time bounds below only turn a hang into a failure.

use std::time::Duration;

use crate::common::{push_client, Client};
use crate::limits::run_bounded;
use crate::raw::{frame, Raw};
use crate::work::{assert_scales_linearly, measure};
use serde_json::{json, Value};

use flyte_lsp::engine::{analyze_in_workspace, parse_as, Language};
use flyte_lsp::settings::Settings;

/// A debug build on a loaded 2-core machine reads 5 MB in seconds; a hang still fails.
const BOUND: Duration = Duration::from_secs(300);

const HEADER: &str = "\"\"\"Generated Flyte tasks.\"\"\"\n\nimport flyte\nfrom kubernetes.client import (\n    V1Container,\n    V1EmptyDirVolumeSource,\n    V1EnvVar,\n    V1PodSpec,\n    V1ResourceRequirements,\n    V1Volume,\n    V1VolumeMount,\n)\n\nREGISTRY = \"ghcr.io/acme\"\n\n";

/// One pod template and one environment, with exactly one mistake: `Allways` (FLY105).
fn block(out: &mut String, i: usize) {
    out.push_str(&format!(
        r#"pod_template_{i} = flyte.PodTemplate(
    primary_container_name="primary",
    labels={{"team": "ml", "index": "{i}"}},
    pod_spec=V1PodSpec(
        containers=[
            V1Container(
                name="primary",
                image_pull_policy="Allways",
                env=[V1EnvVar(name="INDEX", value="{i}")],
                volume_mounts=[V1VolumeMount(name="data", mount_path="/data")],
                resources=V1ResourceRequirements(limits={{"ephemeral-storage": "10Gi"}}),
            ),
        ],
        volumes=[V1Volume(name="data", empty_dir=V1EmptyDirVolumeSource(medium="Memory"))],
    ),
)

env_{i} = flyte.TaskEnvironment(
    name="env_{i}",
    image=REGISTRY + "/train:{i}",
    resources=flyte.Resources(cpu=1, memory="4Gi"),
    pod_template=pod_template_{i},
)


"#
    ));
}

/// `HEADER` and `blocks` blocks.
fn module(blocks: usize) -> String {
    let mut s = String::from(HEADER);
    for i in 0..blocks {
        block(&mut s, i);
    }
    s
}

/// The smallest module of at least `bytes`, and its number of blocks.
fn module_of_size(bytes: usize) -> (String, usize) {
    let mut s = String::from(HEADER);
    let mut blocks = 0;
    while s.len() < bytes {
        block(&mut s, blocks);
        blocks += 1;
    }
    (s, blocks)
}

fn codes(diagnostics: &[Value]) -> Vec<String> {
    diagnostics
        .iter()
        .map(|d| d["code"].as_str().unwrap_or("").to_string())
        .collect()
}

/// `check --format json PATH`: the exit code and the first file's diagnostics.
fn check_json(path: &std::path::Path) -> (Option<i32>, Vec<Value>, String) {
    let path = path.display().to_string();
    let run = run_bounded(&["check", "--format", "json", &path], BOUND);
    let report: Value = serde_json::from_str(&run.stdout)
        .unwrap_or_else(|e| panic!("invalid JSON ({e}); stderr: {}", run.stderr));
    let diags = report["files"][0]["diagnostics"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    (run.code, diags, run.stderr)
}

fn analyze_python(text: &str) -> flyte_lsp::analysis::FileAnalysis {
    let stream = parse_as(text, Language::Python);
    analyze_in_workspace(text, &stream, &Settings::default(), None)
}

/// A server session whose waits allow for big documents in a debug build, reporting what a
/// type checker would also report (so that the findings match `check`'s).
fn server() -> Client {
    let options = serde_json::json!({"python": {"typeCheckerFindings": "report"}});
    let (mut client, _) = Client::start(push_client(), Some(options));
    client.set_timeout(BOUND);
    client
}

fn open_and_wait(client: &mut Client, uri: &str, text: &str) -> Vec<Value> {
    client.did_open_as(uri, "python", 1, text);
    let params = client.wait_version(uri, 1);
    params["diagnostics"]
        .as_array()
        .cloned()
        .unwrap_or_default()
}

#[test]
fn a_5_mb_generated_module_is_checked_whole_by_check_and_by_the_server() {
    let (text, blocks) = module_of_size(5_000_000);
    assert!(text.len() >= 5_000_000 && blocks > 2_000, "{blocks}");
    let dir = crate::common::TempDir::new("python-5mb");
    let path = dir.write("generated.py", &text);
    let (code, diags, stderr) = check_json(&path);
    assert_eq!(code, Some(1), "{stderr}");
    // Every template is read: one finding each, and nothing else.
    assert_eq!(diags.len(), blocks, "{:?}", &diags[..diags.len().min(3)]);
    assert!(codes(&diags).iter().all(|c| c == "FLY105"), "{diags:?}");
    let mut client = server();
    let uri = "file:///hostile/generated.py";
    let published = open_and_wait(&mut client, uri, &text);
    assert_eq!(published.len(), blocks);
    // The server still answers on the big document.
    let hover = client.request(
        "textDocument/hover",
        json!({"textDocument": {"uri": uri}, "position": {"line": 20, "character": 10}}),
    );
    assert!(hover.is_null(), "{hover}");
    client.shutdown_and_exit();
}

#[test]
fn the_work_on_a_python_module_grows_linearly_with_its_environments() {
    let _ = analyze_python(&module(1));
    let (small_text, large_text) = (module(100), module(400));
    let (small, small_work) = measure(|| analyze_python(&small_text));
    let (large, large_work) = measure(|| analyze_python(&large_text));
    assert_eq!(
        (small.diagnostics.len(), large.diagnostics.len()),
        (100, 400)
    );
    let factor = large_text.len() as f64 / small_text.len() as f64;
    assert_scales_linearly("python environments", small_work, large_work, factor);
}

#[test]
fn invalid_utf8_in_a_python_file_is_named_with_its_place_and_the_rest_is_checked() {
    let dir = crate::common::TempDir::new("python-utf8");
    // Latin-1 `é` in a string, as an editor set to Latin-1 writes it.
    dir.write(
        "latin1.py",
        b"import flyte\nenv = flyte.TaskEnvironment(name=\"caf\xe9\")\n",
    );
    // Cut in the middle of a UTF-8 sequence, at the very end.
    dir.write("cut.py", b"import flyte\nx = \"\xe2\x82");
    let bad = module(1);
    dir.write("good.py", &bad);
    let run = run_bounded(
        &[
            "check",
            "--format",
            "json",
            &dir.path().display().to_string(),
        ],
        BOUND,
    );
    assert_eq!(run.code, Some(2), "{}", run.stderr);
    assert!(
        run.stderr
            .contains("latin1.py: not UTF-8 text (byte 0xE9 at line 2, column 38), skipped"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr
            .contains("cut.py: not UTF-8 text (byte 0xE2 at line 2, column 6), skipped"),
        "{}",
        run.stderr
    );
    let report: Value = serde_json::from_str(&run.stdout).expect("json");
    let files = report["files"].as_array().cloned().unwrap_or_default();
    assert_eq!(files.len(), 1, "{files:?}");
    assert_eq!(
        codes(files[0]["diagnostics"].as_array().unwrap_or(&vec![])),
        ["FLY105"]
    );
}

#[test]
fn invalid_utf8_in_a_python_document_over_lsp_is_a_parse_error_and_the_server_serves_on() {
    // JSON cannot carry invalid UTF-8: raw bytes in the body are a parse error, and so is the
    // lone surrogate a `surrogateescape` decoder would make of them.
    let mut raw = Raw::start(push_client());
    let mut body = br#"{"jsonrpc": "2.0", "method": "textDocument/didOpen", "params": {"textDocument": {"uri": "file:///h/bad.py", "languageId": "python", "version": 1, "text": "import flyte\nenv = flyte.TaskEnvironment(name=\"caf"#.to_vec();
    body.extend_from_slice(b"\xe9\\\")\\n\"}}}");
    raw.write(&frame(&body));
    let answer = raw.response(Value::Null);
    assert_eq!(answer["error"]["code"], -32700, "{answer}");
    raw.write(&frame(br#"{"jsonrpc": "2.0", "method": "textDocument/didOpen", "params": {"textDocument": {"uri": "file:///h/bad2.py", "languageId": "python", "version": 1, "text": "import flyte\nx = \"\udce9\"\n"}}}"#));
    let answer = raw.response(Value::Null);
    assert!(
        [-32700, -32600, -32602].contains(&answer["error"]["code"].as_i64().unwrap_or(0)),
        "{answer}"
    );
    // The next, valid document is checked as usual.
    let text = module(1);
    raw.notify(
        "textDocument/didOpen",
        json!({"textDocument": {"uri": "file:///h/good.py", "languageId": "python", "version": 1, "text": text}}),
    );
    let params = raw.diagnostics("file:///h/good.py", 1);
    assert_eq!(
        codes(params["diagnostics"].as_array().unwrap_or(&vec![])),
        ["FLY105"]
    );
    raw.shutdown_and_exit();
}

/// A file that imports flyte and the kubernetes client and is nothing but broken statements
/// built from the tokens of real templates: unclosed calls, stray brackets, keywords.
fn all_syntax_errors(bytes: usize) -> String {
    let tokens = [
        "(",
        ")",
        "[",
        "]",
        "{",
        "}",
        ":",
        "=",
        ",",
        "def",
        "class",
        "flyte.TaskEnvironment(",
        "name=",
        "\"x\"",
        "V1PodSpec(",
        "containers=[",
        "V1Container(",
        "image_pull_policy=",
        "\"Allways\"",
        "@",
        "lambda",
        "**",
        "if",
        "else",
        "\n",
        "    ",
        "\"\"\"",
        "'",
        "f\"{",
        "}\"",
        "\\",
        "import",
        "from",
        ".",
        ";",
        "->",
        "pod_template=",
        "flyte.PodTemplate(",
        "restart_policy=",
        "labels={",
        "\"a b\":",
        "memory=1024",
        "resources=flyte.Resources(",
    ];
    let mut text =
        String::from("import flyte\nfrom kubernetes.client import V1Container, V1PodSpec\n");
    // A fixed linear congruential sequence: the same file on every run.
    let mut state: u64 = 0x5eed;
    while text.len() < bytes {
        state = state
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        text.push_str(tokens[(state >> 33) as usize % tokens.len()]);
        text.push(' ');
    }
    text
}

#[test]
fn a_file_that_is_all_syntax_errors_gives_no_findings_and_costs_linear_work() {
    let text = all_syntax_errors(200_000);
    let dir = crate::common::TempDir::new("python-syntax");
    let path = dir.write("broken.py", &text);
    let (code, diags, stderr) = check_json(&path);
    assert_eq!((code, diags.len()), (Some(0), 0), "{stderr}{diags:?}");
    let mut client = server();
    let published = open_and_wait(&mut client, "file:///hostile/broken.py", &text);
    assert_eq!(published, Vec::<Value>::new());
    client.shutdown_and_exit();
    // Every recovered call is read and every error marks what it runs into: 4 times the
    // text costs 4 times the work, not 16.
    let _ = analyze_python(&all_syntax_errors(1_000));
    let (small, large) = (all_syntax_errors(25_000), all_syntax_errors(100_000));
    let (_, small_work) = measure(|| analyze_python(&small));
    let (_, large_work) = measure(|| analyze_python(&large));
    let factor = large.len() as f64 / small.len() as f64;
    assert_scales_linearly("all syntax errors", small_work, large_work, factor);
}

#[test]
fn an_unclosed_call_before_a_syntax_error_reports_nothing_it_has_not_read() {
    // ruff ends the inner, unclosed call before the `import` that it reports: the call has no
    // `name` yet, which is what the user has not typed, not a mistake.
    let text = "import flyte\nenv = flyte.TaskEnvironment( flyte.TaskEnvironment( import os\n";
    let found = analyze_python(text);
    assert!(found.diagnostics.is_empty(), "{:?}", found.diagnostics);
    // A finished call beside the broken line is still checked.
    let text = "import flyte\nok = flyte.TaskEnvironment(name=\"a\", resources=flyte.Resources(memory=1024))\nenv = flyte.TaskEnvironment( import os\n";
    let found = analyze_python(text);
    let codes: Vec<&str> = found.diagnostics.iter().map(|d| d.code).collect();
    assert_eq!(codes, ["FLY103"], "{:?}", found.diagnostics);
    // In one call: the keywords before a missing comma are read, those after it are the
    // parser's guess (`imagex` would be an unknown field) and give no finding.
    let text = "import flyte
env = flyte.TaskEnvironment(name=\"a\", resources=flyte.Resources(memory=1024) imagex=1, secretz=2)\n";
    let found = analyze_python(text);
    let codes: Vec<&str> = found.diagnostics.iter().map(|d| d.code).collect();
    assert_eq!(codes, ["FLY103"], "{:?}", found.diagnostics);
}

/// `import flyte`, then `prefix`, `depth` opening brackets, `1` and the closing brackets, then
/// a finished environment with one mistake after the deep line.
fn deep(prefix: &str, open: &str, close: &str, depth: usize) -> String {
    format!(
        "import flyte\n{prefix}{}1{}\nafter = flyte.TaskEnvironment(name=\"after\", resources=flyte.Resources(memory=1024))\n",
        open.repeat(depth),
        close.repeat(depth)
    )
}

#[test]
fn ten_thousand_nested_brackets_neither_crash_nor_hang_and_the_code_above_is_checked() {
    let before = "ok = flyte.TaskEnvironment(name=\"a\", resources=flyte.Resources(memory=2048))\n";
    let cases = [
        deep(&format!("{before}x = "), "[", "]", 10_000),
        deep(&format!("{before}x = "), "(", ")", 10_000),
        deep(&format!("{before}x = "), "{\"k\": ", "}", 10_000),
        deep(
            &format!("{before}env = flyte.TaskEnvironment(name=\"d\", env_vars="),
            "{\"k\": ",
            "}",
            10_000,
        ) + ")\n",
        deep(
            &format!("{before}env = flyte.TaskEnvironment(name=\"d\", resources="),
            "flyte.Resources(cpu=",
            ")",
            10_000,
        ) + ")\n",
        // Unclosed: 10,000 `[` and the end of the file.
        format!("import flyte\n{before}x = {}", "[".repeat(10_000)),
    ];
    let dir = crate::common::TempDir::new("python-deep");
    let mut client = server();
    for (i, text) in cases.iter().enumerate() {
        let path = dir.write(&format!("deep{i}.py"), text);
        let (code, diags, stderr) = check_json(&path);
        // The environment above the deep line is read; what follows it is not (the nesting
        // guard stops reading there), and the deep line itself gives no finding.
        assert_eq!(code, Some(1), "case {i}: {stderr}");
        assert_eq!(codes(&diags), ["FLY103"], "case {i}: {diags:?}");
        assert_eq!(diags[0]["range"]["start"]["line"], 1, "case {i}: {diags:?}");
        let uri = format!("file:///hostile/deep{i}.py");
        let published = open_and_wait(&mut client, &uri, text);
        assert_eq!(codes(&published), ["FLY103"], "case {i}: {published:?}");
    }
    client.shutdown_and_exit();
}

/// Completion and hover at every offset of every Python fixture and conformance file (and of
/// each file cut at that offset, as while typing): never a panic, and every answer's ranges lie
/// in the text on character boundaries.
#[test]
fn completion_and_hover_answer_at_every_offset_of_real_and_cut_files() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests");
    let mut files: Vec<std::path::PathBuf> = Vec::new();
    for dir in ["fixtures/python", "conformance/python"] {
        let Ok(entries) = std::fs::read_dir(root.join(dir)) else {
            continue;
        };
        files.extend(
            entries
                .flatten()
                .map(|e| e.path())
                .filter(|p| p.extension().is_some_and(|x| x == "py")),
        );
    }
    files.sort();
    assert!(files.len() > 20, "fixtures missing: {files:?}");
    let mut settings = Settings::default();
    settings.python.keyword_completion = true;
    let mut answered = 0usize;
    for path in &files {
        let Ok(text) = std::fs::read_to_string(path) else {
            continue;
        };
        let check = |text: &str, at: usize, answered: &mut usize| {
            let stream = parse_as(text, Language::Python);
            let get = || &stream;
            let c = flyte_lsp::engine::completions_in(
                Language::Python,
                None,
                text,
                &get,
                &settings,
                None,
                at,
                None,
            );
            for item in c.iter().flat_map(|c| &c.items) {
                if let Some(r) = &item.replace_range {
                    assert!(text.get(r.clone()).is_some(), "{path:?} at {at}: {r:?}");
                }
                *answered += 1;
            }
            if let Some(h) = flyte_lsp::engine::hover_in(
                Language::Python,
                None,
                text,
                &stream,
                &settings,
                None,
                at,
            ) {
                assert!(text.get(h.range.clone()).is_some(), "{path:?} at {at}");
            }
        };
        // Every offset of the whole file shares one parse.
        let stream = parse_as(&text, Language::Python);
        for at in (0..=text.len()).filter(|&i| text.is_char_boundary(i)) {
            let get = || &stream;
            let _ = flyte_lsp::engine::completions_in(
                Language::Python,
                None,
                &text,
                &get,
                &settings,
                None,
                at,
                None,
            );
            let _ = flyte_lsp::engine::hover_in(
                Language::Python,
                None,
                &text,
                &stream,
                &settings,
                None,
                at,
            );
        }
        // The file cut where the user is typing, at a sample of offsets.
        for at in (0..text.len())
            .step_by(97)
            .filter(|&i| text.is_char_boundary(i))
        {
            check(&text[..at], at, &mut answered);
        }
    }
    assert!(
        answered > 0,
        "no completion anywhere in {} files",
        files.len()
    );
}
