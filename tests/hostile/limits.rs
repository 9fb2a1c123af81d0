//! Limits, end to end: hostile files through `flyte-lsp check`/`render` and through the server.
//! Each must end in bounded time with a clear message or diagnostic, never a crash, a hang or
//! a blow-up: alias bombs, 100,000 nested `[` or `- `, anchors nested in anchors, huge maps, a
//! document above the size ceiling, a 1 MB line, NUL bytes, non-UTF-8 files, symlink loops,
//! FIFOs and unreadable files.

use std::io::Read;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::common::{push_client, Client, TempDir};
#[cfg(all(target_os = "linux", target_env = "gnu"))]
use crate::raw::Raw;
use crate::work::{assert_scales_linearly, measure};
use serde_json::{json, Value};

use flyte_lsp::analysis::FileAnalysis;
use flyte_lsp::engine::analyze;
use flyte_lsp::settings::Settings;

use flyte_lsp::yaml::{MAX_ANCHOR_NODES, MAX_DEPTH};

/// What a bounded run of the binary produced.
pub(crate) struct Run {
    pub code: Option<i32>,
    pub stdout: String,
    pub stderr: String,
}

/// Runs `flyte-lsp ARGS`, killing it (and failing) after `limit`.
pub(crate) fn run_bounded(args: &[&str], limit: Duration) -> Run {
    let started = Instant::now();
    let mut child = Command::new(env!("CARGO_BIN_EXE_flyte-lsp"))
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn flyte-lsp");
    let mut out = child.stdout.take().expect("stdout");
    let mut err = child.stderr.take().expect("stderr");
    let out_reader = std::thread::spawn(move || {
        let mut s = Vec::new();
        let _ = out.read_to_end(&mut s);
        s
    });
    let err_reader = std::thread::spawn(move || {
        let mut s = Vec::new();
        let _ = err.read_to_end(&mut s);
        s
    });
    let status = loop {
        if let Some(status) = child.try_wait().expect("try_wait") {
            break status;
        }
        if started.elapsed() > limit {
            let _ = child.kill();
            let _ = child.wait();
            panic!(
                "`flyte-lsp {}` did not finish within {limit:?}",
                args.join(" ")
            );
        }
        std::thread::sleep(Duration::from_millis(10));
    };
    let stdout = String::from_utf8_lossy(&out_reader.join().expect("stdout reader")).into_owned();
    let stderr = String::from_utf8_lossy(&err_reader.join().expect("stderr reader")).into_owned();
    Run {
        code: status.code(),
        stdout,
        stderr,
    }
}

/// A fresh, empty folder for one test, removed when the test ends.
fn temp_dir(name: &str) -> TempDir {
    TempDir::new(&format!("limits-{name}"))
}

fn write(dir: &Path, name: &str, text: impl AsRef<[u8]>) -> String {
    let path = dir.join(name);
    std::fs::write(&path, text).expect("write fixture");
    path.display().to_string()
}

/// `check --format json` on one file: its diagnostics, `(code, message)`.
fn check_json(path: &str, limit: Duration) -> (Option<i32>, Vec<Value>) {
    let run = run_bounded(&["check", "--format", "json", path], limit);
    let report: Value = serde_json::from_str(&run.stdout)
        .unwrap_or_else(|e| panic!("invalid JSON ({e}); stderr: {}", run.stderr));
    let diags = report["files"][0]["diagnostics"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    (run.code, diags)
}

fn has(diags: &[Value], code: &str, needle: &str) -> bool {
    diags
        .iter()
        .any(|d| d["code"] == code && d["message"].as_str().is_some_and(|m| m.contains(needle)))
}

const HEADER: &str = "# flyte-lsp: pod-template\nprimary_container_name: primary\npod_spec:\n  containers:\n    - name: primary\n      image: ghcr.io/acme/x:1\n";

/// Ten levels of nine aliases each: 9^10 nodes when expanded. The anchors sit under a merge key
/// (`<<`) of the pod spec, where the rules do not look and render must expand them.
fn billion_laughs() -> String {
    laughs(10)
}

/// `levels` levels of nine aliases each: 9^levels nodes when expanded.
fn laughs(levels: usize) -> String {
    let mut text = String::from(
        "name: laughs\nimage: ghcr.io/acme/x:1\npod_template:\n  pod_spec:\n    containers: []\n    <<: {",
    );
    text.push_str("a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]");
    for i in 1..levels {
        let prev = format!("*a{}", i - 1);
        text.push_str(&format!(
            ", a{i}: &a{i} [{}]",
            [prev.as_str(); 9].join(", ")
        ));
    }
    text.push_str("}\n");
    text
}

/// Anchors nested 150 deep around a 20,000-item list: each anchor copies everything inside it.
fn nested_anchors() -> String {
    let depth = 150;
    let mut text = String::from(HEADER);
    text.push_str("  nodeSelector: {k: ");
    for i in 0..depth {
        text.push_str(&format!("&a{i} ["));
    }
    text.push_str(&vec!["x"; 20_000].join(", "));
    text.push_str(&"]".repeat(depth));
    text.push_str("}\n");
    text
}

// Alias budget ---------------------------------------------------------------------------------

#[test]
fn billion_laughs_is_checked_quickly_and_render_stops_at_the_node_budget() {
    let dir = temp_dir("laughs");
    let path = write(&dir, "laughs.yaml", billion_laughs());
    let run = run_bounded(&["check", &path], Duration::from_secs(20));
    assert!(run.stdout.contains("in 1 file"), "{}", run.stdout);
    // The rules never expand aliases, so checking is as cheap as reading the file: 5 more
    // levels (59,049 times the expanded nodes) cost what the longer text costs, not more.
    warm_up();
    let (five, ten) = (laughs(5), laughs(10));
    let (_, small) = measure(|| analyze(&five, &Settings::default()));
    let (_, large) = measure(|| analyze(&ten, &Settings::default()));
    let factor = ten.len() as f64 / five.len() as f64;
    eprintln!("laughs: 5 levels {small:?}, 10 levels {large:?}, text {factor:.2}x longer");
    assert!(
        (large.allocations as f64) < small.allocations as f64 * factor * 1.25,
        "10 levels: {large:?}, 5 levels: {small:?}, text {factor:.2}x longer"
    );
    let render = run_bounded(&["render", &path], Duration::from_secs(20));
    assert_eq!(render.code, Some(2), "{}{}", render.stdout, render.stderr);
    assert!(
        render
            .stderr
            .contains("alias expansion exceeded the node budget"),
        "{}",
        render.stderr
    );
}

#[test]
fn aliases_through_190_deep_anchors_do_not_overflow_the_stack() {
    // 70 anchors, each 190 levels deep around an alias to the previous one, defined in complex
    // keys (which neither the rules nor render look into) and merged into the template: before
    // the depth bound, expanding them recursed 64 x 190 times and overflowed the stack.
    let d = 190;
    let mut text = String::from(HEADER);
    text.push_str(&format!("? &a0 {}x{}\n: 1\n", "[".repeat(d), "]".repeat(d)));
    for i in 1..70 {
        text.push_str(&format!(
            "? &a{i} {}*a{}{}\n: 1\n",
            "[".repeat(d),
            i - 1,
            "]".repeat(d)
        ));
    }
    text.push_str("<<: *a69\n");
    let dir = temp_dir("deep-alias");
    let path = write(&dir, "deep.yaml", &text);
    let render = run_bounded(&["render", &path], Duration::from_secs(20));
    assert_eq!(render.code, Some(2), "{}{}", render.stdout, render.stderr);
    assert!(render.stderr.contains("node budget"), "{}", render.stderr);

    // The same through the server, whose blocking threads have smaller stacks.
    let (mut client, _) = Client::start(push_client(), None);
    let uri = "file:///limits/deep-alias.yaml";
    client.did_open(uri, 1, &text);
    client.wait_version(uri, 1);
    let preview = client.request(
        "workspace/executeCommand",
        json!({"command": "flyte-lsp.renderPreview", "arguments": [{"uri": uri}]}),
    );
    assert!(
        preview.as_str().is_some_and(|p| p.contains("node budget")),
        "{preview}"
    );
    client.shutdown_and_exit();
}

#[test]
fn billion_laughs_through_the_server_publishes_and_previews_within_bounds() {
    let (mut client, _) = Client::start(push_client(), None);
    let uri = "file:///limits/laughs.yaml";
    client.did_open(uri, 1, &billion_laughs());
    client.wait_version(uri, 1);
    let preview = client.request(
        "workspace/executeCommand",
        json!({"command": "flyte-lsp.renderPreview", "arguments": [{"uri": uri}]}),
    );
    assert!(
        preview
            .as_str()
            .is_some_and(|p| p.contains("alias expansion exceeded the node budget")),
        "{preview}"
    );
    let lenses = client.request(
        "textDocument/codeLens",
        json!({"textDocument": {"uri": uri}}),
    );
    assert!(lenses.is_array(), "{lenses}");
    client.shutdown_and_exit();
}

#[test]
fn anchors_nested_in_anchors_stop_at_the_anchor_budget() {
    let dir = temp_dir("anchors");
    let path = write(&dir, "anchors.yaml", nested_anchors());
    let (_, diags) = check_json(&path, Duration::from_secs(30));
    assert!(
        has(&diags, "FLY001", "too much anchored content"),
        "{diags:?}"
    );
    assert_eq!(MAX_ANCHOR_NODES, 1_000_000);
}

// Nesting depth --------------------------------------------------------------------------------

fn deep(open: &str) -> String {
    format!(
        "{HEADER}  nodeSelector:\n    k:\n      {}\n",
        open.repeat(100_000)
    )
}

#[test]
fn a_hundred_thousand_nested_brackets_or_dashes_are_a_syntax_error_in_check() {
    let dir = temp_dir("nesting");
    for (name, open) in [
        ("brackets.yaml", "["),
        ("dashes.yaml", "- "),
        ("braces.yaml", "{a: "),
    ] {
        let path = write(&dir, name, deep(open));
        let (code, diags) = check_json(&path, Duration::from_secs(20));
        assert_eq!(code, Some(1), "{name}");
        assert!(
            has(
                &diags,
                "FLY001",
                &format!("nesting deeper than {MAX_DEPTH} levels")
            ),
            "{name}: {diags:?}"
        );
    }
    // Indentation-nested mappings, 300 levels.
    let mut text = String::from(HEADER);
    for i in 0..300 {
        text.push_str(&format!("{}a:\n", "  ".repeat(i + 1)));
    }
    let path = write(&dir, "indented.yaml", text);
    let (_, diags) = check_json(&path, Duration::from_secs(20));
    assert!(has(&diags, "FLY001", "nesting deeper than"), "{diags:?}");
}

#[test]
fn deep_nesting_through_the_server_is_a_diagnostic_and_every_feature_still_answers() {
    let (mut client, _) = Client::start(push_client(), None);
    for (i, open) in ["[", "- "].into_iter().enumerate() {
        let uri = format!("file:///limits/deep-{i}.yaml");
        let text = deep(open);
        client.did_open(&uri, 1, &text);
        let params = client.wait_version(&uri, 1);
        let diags = params["diagnostics"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        assert!(has(&diags, "FLY001", "nesting deeper than"), "{diags:?}");
        let last_line = text.lines().count() as u32 - 1;
        for (line, character) in [(last_line, 150), (last_line, 100_000), (7, 5)] {
            let at = json!({"textDocument": {"uri": uri}, "position": {"line": line, "character": character}});
            client.request("textDocument/hover", at.clone());
            client.request("textDocument/completion", at);
        }
        client.request(
            "textDocument/codeLens",
            json!({"textDocument": {"uri": uri}}),
        );
    }
    client.shutdown_and_exit();
}

#[test]
fn the_deepest_accepted_document_works_in_every_feature() {
    // 190 block levels, then 190 flow levels: just inside both parser limits, so the rules,
    // hover, completion and render walk the deepest tree the parser can build.
    let mut text = String::from("name: deep\nimage: ghcr.io/acme/x:1\npod_template:\n  pod_spec:\n    containers: []\n    nodeSelector:\n");
    for i in 0..190 {
        text.push_str(&format!("{}k{i}:\n", "  ".repeat(i + 3)));
    }
    text.push_str(&format!(
        "{}last: {}x{}\n",
        "  ".repeat(193),
        "[".repeat(190),
        "]".repeat(190)
    ));
    let dir = temp_dir("deepest");
    let path = write(&dir, "deepest.yaml", &text);
    let run = run_bounded(&["check", &path], Duration::from_secs(20));
    assert!(
        matches!(run.code, Some(0 | 1)),
        "{}{}",
        run.stdout,
        run.stderr
    );
    assert!(!run.stdout.contains("nesting deeper"), "{}", run.stdout);
    let render = run_bounded(&["render", &path], Duration::from_secs(20));
    assert!(matches!(render.code, Some(0..=2)), "{}", render.stderr);

    let (mut client, _) = Client::start(push_client(), None);
    let uri = "file:///limits/deepest.yaml";
    client.did_open(uri, 1, &text);
    client.wait_version(uri, 1);
    let last = text.lines().count() as u32 - 1;
    for character in [390, 500, 580] {
        let at = json!({"textDocument": {"uri": uri}, "position": {"line": last, "character": character}});
        client.request("textDocument/hover", at.clone());
        client.request("textDocument/completion", at);
    }
    client.request(
        "workspace/executeCommand",
        json!({"command": "flyte-lsp.renderPreview", "arguments": [{"uri": uri}]}),
    );
    client.shutdown_and_exit();
}

// Size -------------------------------------------------------------------------------------------

/// Analyses a small document once, so that what is built once per process (the embedded
/// schemas) is not counted as the work of the first measured input.
fn warm_up() {
    let _ = analyze(HEADER, &Settings::default());
}

/// The diagnostics of each code, and the bytes of their messages: the output's size.
fn output_size(a: &FileAnalysis) -> (usize, usize) {
    (
        a.diagnostics.len(),
        a.diagnostics.iter().map(|d| d.message.len()).sum(),
    )
}

/// A node selector with `n` keys and, at the end, a duplicate of `k7`.
fn many_keys(n: usize) -> String {
    let mut text = String::from(HEADER);
    text.push_str("  nodeSelector:\n");
    for i in 0..n {
        text.push_str(&format!("    k{i}: \"v\"\n"));
    }
    text.push_str("    k7: \"dup\"\n");
    text
}

#[test]
fn a_map_with_a_hundred_thousand_keys_is_checked_in_linear_time() {
    // Duplicate detection used to compare each key with all earlier ones: minutes here. The
    // CLI must find the one duplicate (within the kill limit of `run_bounded`)...
    let dir = temp_dir("keys");
    let path = write(&dir, "keys.yaml", many_keys(100_000));
    let (_, diags) = check_json(&path, Duration::from_secs(60));
    assert!(has(&diags, "FLY002", "`k7`"), "{diags:?}");
    // ...and 4 times the keys must cost 4 times the work, with the same one diagnostic.
    warm_up();
    let (small_text, large_text) = (many_keys(10_000), many_keys(40_000));
    let (small, small_work) = measure(|| analyze(&small_text, &Settings::default()));
    let (large, large_work) = measure(|| analyze(&large_text, &Settings::default()));
    assert_scales_linearly("40,000 keys vs 10,000", small_work, large_work, 4.0);
    assert_eq!(output_size(&small).0, 1, "{:?}", small.diagnostics);
    assert_eq!(output_size(&large).0, 1, "{:?}", large.diagnostics);
}

/// `n` containers, each repeating the names of the one before: duplicate container names, a
/// duplicate env var in each, duplicate port names, the same `containerPort` in all of them.
fn many_containers(n: usize) -> String {
    let mut text = String::from("primary_container_name: primary\npod_spec:\n  containers:\n");
    for i in 0..n {
        let n = i / 2;
        text.push_str(&format!(
            "    - {{name: c{n}, image: x, env: [{{name: A, value: a}}, {{name: A, value: b}}], \
             ports: [{{containerPort: 80, name: p, hostPort: {}}}, {{containerPort: 81, name: p}}]}}\n",
            1000 + n
        ));
    }
    text
}

#[test]
fn a_pod_with_twenty_thousand_containers_is_checked_in_linear_time() {
    // Duplicate names, env vars, ports and host ports were found with `Vec::contains`:
    // quadratic, 11 s in a release build for a 10 MB file. Each container here repeats the
    // names of the one before, so every check has work to do.
    let dir = temp_dir("containers");
    let path = write(&dir, "many.yaml", many_containers(20_000));
    let (_, diags) = check_json(&path, Duration::from_secs(120));
    let count = |code: &str| diags.iter().filter(|d| d["code"] == code).count();
    assert!(count("FLY002") == 0, "no duplicate YAML keys here");
    assert!(diags.len() > 40_000, "{} diagnostics", diags.len());
    // 4 times the containers: 4 times the work and 4 times the output. FLY261 (one warning per
    // colliding definition, not per colliding pair as the API server gives) included.
    warm_up();
    let (small_text, large_text) = (many_containers(2_500), many_containers(10_000));
    let (small, small_work) = measure(|| analyze(&small_text, &Settings::default()));
    let (large, large_work) = measure(|| analyze(&large_text, &Settings::default()));
    assert_scales_linearly("10,000 containers vs 2,500", small_work, large_work, 4.0);
    let ((small_n, small_bytes), (large_n, large_bytes)) =
        (output_size(&small), output_size(&large));
    for (what, s, l) in [
        ("diagnostics", small_n, large_n),
        ("message bytes", small_bytes, large_bytes),
    ] {
        let ratio = l as f64 / s.max(1) as f64;
        assert!(
            (3.0..=5.0).contains(&ratio),
            "{what}: {s} -> {l} ({ratio:.2}x)"
        );
    }
    let fly261 = |a: &FileAnalysis| a.diagnostics.iter().filter(|d| d.code == "FLY261").count();
    assert!(
        fly261(&large) <= 4 * 20_000,
        "{} FLY261 warnings",
        fly261(&large)
    );
    assert!(
        fly261(&large) >= 3 * fly261(&small),
        "{} vs {}",
        fly261(&large),
        fly261(&small)
    );
}

#[test]
fn the_server_only_notes_a_document_above_the_size_ceiling() {
    use flyte_lsp::server::store::MAX_DOCUMENT_BYTES;
    assert_eq!(
        MAX_DOCUMENT_BYTES as u64,
        flyte_lsp::cli::MAX_FILE_BYTES,
        "server and CLI agree"
    );
    let (mut client, _) = Client::start(push_client(), None);
    let uri = "file:///limits/huge.yaml";
    // A pod template with an unknown field, padded with comments past the ceiling.
    let mut text = String::from(
        "primary_container_name: primary\npod_spec:\n  containers: []\n  imagePullSecret: []\n",
    );
    let line = "# padding padding padding padding padding padding padding padding padding\n";
    while text.len() <= MAX_DOCUMENT_BYTES {
        text.push_str(line);
    }
    client.did_open(uri, 1, &text);
    let params = client.wait_version(uri, 1);
    let diags = params["diagnostics"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    assert_eq!(diags.len(), 1, "only the notice: {params}");
    assert_eq!(diags[0]["severity"], 3, "information: {params}");
    assert!(
        diags[0]["message"]
            .as_str()
            .is_some_and(|m| m.contains("not checked") && m.contains("10 MiB")),
        "{params}"
    );
    let at = json!({"textDocument": {"uri": uri}, "position": {"line": 3, "character": 4}});
    assert_eq!(
        client.request("textDocument/hover", at.clone()),
        Value::Null
    );
    client.request("textDocument/completion", at);
    assert_eq!(
        client.request(
            "textDocument/codeLens",
            json!({"textDocument": {"uri": uri}})
        ),
        json!([])
    );
    // Deleting the padding brings it under the ceiling: fully analysed again.
    let lines = text.lines().count() as u32;
    client.did_change(uri, 2, crate::common::range(4, 0, lines, 0), "");
    let params = client.wait_version(uri, 2);
    let codes: Vec<&str> = params["diagnostics"]
        .as_array()
        .map(|a| a.iter().filter_map(|d| d["code"].as_str()).collect())
        .unwrap_or_default();
    assert_eq!(codes, vec!["FLY101"], "{params}");
    client.shutdown_and_exit();
}

#[test]
fn check_skips_a_file_above_the_size_ceiling() {
    let dir = temp_dir("huge");
    let path = dir.join("huge.yaml");
    let file = std::fs::File::create(&path).expect("create");
    file.set_len(flyte_lsp::cli::MAX_FILE_BYTES + 1)
        .expect("sparse file");
    write(&dir, "ok.yaml", HEADER);
    let run = run_bounded(
        &["check", &dir.display().to_string()],
        Duration::from_secs(20),
    );
    assert_eq!(run.code, Some(2), "{}", run.stderr);
    assert!(
        run.stderr
            .contains("huge.yaml: skipped, larger than 10 MiB"),
        "{}",
        run.stderr
    );
    assert!(run.stdout.contains("in 1 file"), "{}", run.stdout);
}

/// One line of a bit over 1 MB: a long image name (with an emoji, so UTF-16 columns differ from
/// bytes) and then unknown fields, all in one flow mapping.
fn long_line(unknown_keys: usize) -> (String, usize) {
    let image = format!("😀{}", "a".repeat(1 << 20));
    let keys: Vec<String> = (0..unknown_keys).map(|i| format!("bad{i}: 1")).collect();
    let line = format!(
        "  - {{name: primary, image: \"{image}\", {}}}",
        keys.join(", ")
    );
    let text = format!("# flyte-lsp: pod-template\nprimary_container_name: primary\npod_spec:\n containers:\n{line}\n");
    // UTF-16 column of `bad0`: the emoji is 2 units, everything else ASCII.
    let col = line.find("bad0").expect("bad0") - "😀".len() + 2;
    (text, col)
}

#[test]
fn a_one_megabyte_line_with_many_diagnostics_is_reported_at_exact_columns() {
    let (text, col) = long_line(5_000);
    let dir = temp_dir("long-line");
    let path = write(&dir, "long.yaml", &text);
    let (code, diags) = check_json(&path, Duration::from_secs(60));
    assert_eq!(code, Some(1));
    let first = diags
        .iter()
        .find(|d| d["message"].as_str().is_some_and(|m| m.contains("`bad0`")))
        .unwrap_or_else(|| panic!("no diagnostic for bad0"));
    assert_eq!(
        first["range"]["start"],
        json!({"line": 4, "character": col})
    );
    assert_eq!(
        diags.iter().filter(|d| d["code"] == "FLY101").count(),
        5_000
    );

    // Human output prints a window of the line per diagnostic, not the whole megabyte.
    let run = run_bounded(&["check", &path], Duration::from_secs(60));
    assert!(
        run.stdout.len() < 5_000 * 1_000,
        "{} bytes of output",
        run.stdout.len()
    );
    assert!(
        run.stdout.contains("unknown field `bad4999`"),
        "{}",
        &run.stdout[..2000]
    );

    let (mut client, _) = Client::start(push_client(), None);
    // 5,000 diagnostics on a 1 MB line take a debug build more than the usual 10 s when the
    // other hostile tests run beside it on two cores.
    client.set_timeout(Duration::from_secs(60));
    let uri = "file:///limits/long.yaml";
    client.did_open(uri, 1, &text);
    let params = client.wait_version(uri, 1);
    let published = params["diagnostics"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    assert_eq!(published.len(), diags.len());
    assert_eq!(published[0]["range"], diags[0]["range"]);
    let at = json!({"textDocument": {"uri": uri}, "position": {"line": 4, "character": col + 1}});
    client.request("textDocument/hover", at.clone());
    client.request("textDocument/completion", at);
    // An edit at the very end of the long line.
    client.did_change(uri, 2, crate::common::range(4, u32::MAX, 4, u32::MAX), " ");
    client.wait_version(uri, 2);
    client.shutdown_and_exit();
}

#[test]
fn the_server_publishes_at_most_ten_thousand_diagnostics_per_document() {
    // 10,200 duplicate keys (cheap to find): `check` lists them all, the server the first
    // 10,000 and a note.
    let text = format!("{HEADER}  nodeSelector:\n{}", "    k: v\n".repeat(10_201));
    let (mut client, _) = Client::start(push_client(), None);
    let uri = "file:///limits/many-diagnostics.yaml";
    client.did_open(uri, 1, &text);
    let params = client.wait_version(uri, 1);
    let diags = params["diagnostics"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    assert_eq!(diags.len(), 10_001, "10,000 and the note");
    let note = &diags[10_000];
    assert_eq!(note["severity"], 3);
    assert!(
        note["message"]
            .as_str()
            .is_some_and(|m| m.contains("200 more problems")),
        "{note}"
    );
    client.shutdown_and_exit();
}

// Bytes that are not text ---------------------------------------------------------------------

#[test]
fn nul_bytes_are_a_syntax_error_in_check_and_in_the_server() {
    let text = format!("{HEADER}  nodeSelector: {{k: \"v\0w\", z: a\0b}}\n");
    let dir = temp_dir("nul");
    let path = write(&dir, "nul.yaml", &text);
    let (code, diags) = check_json(&path, Duration::from_secs(20));
    assert_eq!(code, Some(1));
    assert!(has(&diags, "FLY001", "\\u{0}"), "{diags:?}");

    let (mut client, _) = Client::start(push_client(), None);
    let uri = "file:///limits/nul.yaml";
    client.did_open(uri, 1, &text);
    let params = client.wait_version(uri, 1);
    let published = params["diagnostics"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    assert!(has(&published, "FLY001", "\\u{0}"), "{params}");
    let at = json!({"textDocument": {"uri": uri}, "position": {"line": 6, "character": 22}});
    client.request("textDocument/hover", at.clone());
    client.request("textDocument/completion", at);
    client.shutdown_and_exit();
}

#[test]
fn a_file_that_is_not_utf8_is_reported_and_the_others_are_checked() {
    let dir = temp_dir("latin1");
    write(&dir, "latin1.yaml", b"name: caf\xe9\nimage: x\n");
    write(&dir, "utf16.yaml", b"\xff\xfen\x00a\x00m\x00e\x00");
    write(&dir, "good.yaml", HEADER);
    let run = run_bounded(
        &["check", &dir.display().to_string()],
        Duration::from_secs(20),
    );
    assert_eq!(run.code, Some(2), "{}", run.stderr);
    assert!(
        run.stderr
            .contains("latin1.yaml: not UTF-8 text (byte 0xE9 at line 1, column 10), skipped"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr
            .contains("utf16.yaml: not UTF-8 text (byte 0xFF at line 1, column 1), skipped"),
        "{}",
        run.stderr
    );
    assert!(run.stdout.contains("in 1 file"), "{}", run.stdout);
}

// The file system --------------------------------------------------------------------------------

#[test]
fn a_symlink_loop_is_reported_once_and_the_other_files_are_checked() {
    let dir = temp_dir("loop");
    std::fs::create_dir_all(dir.join("sub")).expect("sub");
    write(&dir.join("sub"), "good.yaml", HEADER);
    std::os::unix::fs::symlink(&dir, dir.join("sub/loop")).expect("symlink");
    std::os::unix::fs::symlink("self.yaml", dir.join("self.yaml")).expect("self link");
    let run = run_bounded(
        &["check", &dir.display().to_string()],
        Duration::from_secs(20),
    );
    assert_eq!(run.code, Some(2), "{}", run.stderr);
    assert!(run.stderr.contains("loop"), "{}", run.stderr);
    assert!(run.stderr.contains("self.yaml"), "{}", run.stderr);
    assert!(run.stdout.contains("in 1 file"), "{}", run.stdout);
}

#[test]
fn fifos_dangling_links_and_unreadable_files_are_reported_without_blocking() {
    let dir = temp_dir("unreadable");
    write(&dir, "good.yaml", HEADER);
    let fifo = dir.join("pipe.yaml");
    let made = Command::new("mkfifo").arg(&fifo).status().expect("mkfifo");
    assert!(made.success());
    std::os::unix::fs::symlink(dir.join("missing.yaml"), dir.join("dangling.yaml")).expect("link");
    // Reading /proc/self/mem at offset 0 fails with EIO for every user, root included.
    std::os::unix::fs::symlink("/proc/self/mem", dir.join("mem.yaml")).expect("link");
    let dir_arg = dir.display().to_string();
    let fifo_arg = fifo.display().to_string();
    let run = run_bounded(&["check", &dir_arg, &fifo_arg], Duration::from_secs(20));
    assert_eq!(run.code, Some(2), "{}", run.stderr);
    assert!(
        run.stderr
            .contains("pipe.yaml: not a regular file, skipped"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("dangling.yaml"), "{}", run.stderr);
    assert!(run.stderr.contains("mem.yaml"), "{}", run.stderr);
    assert!(run.stdout.contains("in 1 file"), "{}", run.stdout);
}

#[test]
fn a_file_without_read_permission_is_reported() {
    let dir = temp_dir("perm");
    write(&dir, "good.yaml", HEADER);
    let secret = write(&dir, "secret.yaml", HEADER);
    let mut perms = std::fs::metadata(&secret).expect("meta").permissions();
    std::os::unix::fs::PermissionsExt::set_mode(&mut perms, 0o000);
    std::fs::set_permissions(&secret, perms).expect("chmod");
    // Root reads anything: run the check as `nobody` then (tests run as root in CI).
    let is_root = Command::new("id")
        .arg("-u")
        .output()
        .map(|o| o.stdout == b"0\n")
        .unwrap_or(false);
    let bin = env!("CARGO_BIN_EXE_flyte-lsp");
    let dir_arg = dir.display().to_string();
    let output = if is_root {
        Command::new("setpriv")
            .args([
                "--reuid=65534",
                "--regid=65534",
                "--clear-groups",
                bin,
                "check",
                &dir_arg,
            ])
            .output()
            .expect("setpriv (util-linux) runs the check as nobody")
    } else {
        Command::new(bin)
            .args(["check", &dir_arg])
            .output()
            .expect("run")
    };
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("secret.yaml: Permission denied"),
        "{stderr}"
    );
    assert!(String::from_utf8_lossy(&output.stdout).contains("in 1 file"));
}

#[test]
fn workspace_indexing_skips_fifos_loops_links_and_big_files_without_blocking() {
    let dir = temp_dir("workspace");
    std::fs::create_dir_all(dir.join("templates")).expect("templates");
    write(
        &dir.join("templates"),
        "gpu.yaml",
        "apiVersion: v1\nkind: PodTemplate\nmetadata:\n  name: gpu-default\ntemplate:\n  spec:\n    containers: []\n",
    );
    std::os::unix::fs::symlink(&dir, dir.join("templates/loop")).expect("loop");
    std::os::unix::fs::symlink("/proc/self/mem", dir.join("mem.yaml")).expect("link");
    std::os::unix::fs::symlink(dir.join("missing.yaml"), dir.join("dangling.yaml")).expect("link");
    let fifo = dir.join("pipe.yaml");
    assert!(Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .expect("mkfifo")
        .success());
    let big = std::fs::File::create(dir.join("big.yaml")).expect("big");
    big.set_len(flyte_lsp::workspace::MAX_INDEXED_FILE_BYTES + 1)
        .expect("sparse");

    let root = format!("file://{}", dir.display());
    let mut server = crate::raw::Raw::start_with(json!({
        "processId": null,
        "rootUri": root,
        "workspaceFolders": [{"uri": root, "name": "ws"}],
        "capabilities": push_client(),
    }));
    let uri = format!("{root}/env.yaml");
    let env = "name: train\nimage: ghcr.io/acme/x:1\npod_template: gpu-default\n---\nname: other\nimage: ghcr.io/acme/x:1\npod_template: nowhere\n";
    // The document may be analysed before the scan ends too (on a busy machine it often is):
    // those earlier publishes are not what this test is about.
    server.allow_unread("textDocument/publishDiagnostics");
    server.did_open(&uri, 1, env);
    // Once the scan is done, only the name no file defines is reported.
    let published = server
        .wait_for(
            |m| {
                m["method"] == "textDocument/publishDiagnostics"
                    && m["params"]["diagnostics"]
                        .as_array()
                        .is_some_and(|d| d.iter().any(|d| d["code"] == "FLY318"))
            },
            Duration::from_secs(10),
        )
        .expect("the workspace scan finished");
    let fly318: Vec<&Value> = published["params"]["diagnostics"]
        .as_array()
        .map(|d| d.iter().filter(|d| d["code"] == "FLY318").collect())
        .unwrap_or_default();
    assert_eq!(fly318.len(), 1, "{published}");
    assert!(fly318[0]["message"]
        .as_str()
        .is_some_and(|m| m.contains("nowhere")));

    // Watched-file events for the FIFO, the /proc link and the big file are read without
    // blocking: more of them than the server handles at once, and requests still get answers.
    // Before `read_indexable`, each blocked a thread on the FIFO forever, and `exit` then never
    // ended the process (tower-lsp-server waits for every pending handler).
    let changes: Vec<Value> = ["pipe.yaml", "mem.yaml", "big.yaml", "dangling.yaml"]
        .iter()
        .map(|f| json!({"uri": format!("{root}/{f}"), "type": 2}))
        .collect();
    for _ in 0..6 {
        server.notify(
            "workspace/didChangeWatchedFiles",
            json!({"changes": changes}),
        );
    }
    let hover = server.call(
        "textDocument/hover",
        json!({"textDocument": {"uri": uri}, "position": {"line": 2, "character": 16}}),
    );
    assert!(hover.get("error").is_none(), "{hover}");
    server.shutdown_and_exit();
}

/// `n` block-style containers of 35 lines each, as a generated pod template writes them (the
/// fast path's block YAML; `many_containers` is flow style, which granit-parser reads).
fn block_containers(n: usize) -> String {
    let mut text = String::from("primary_container_name: c0\npod_spec:\n  containers:\n");
    for i in 0..n {
        text.push_str(&format!(
            "    - name: c{i}\n      image: ghcr.io/acme/worker:{i}\n      imagePullPolicy: IfNotPresent\n      env:\n"
        ));
        for v in 0..6 {
            text.push_str(&format!(
                "        - name: VAR_{v}\n          value: \"{i}-{v}\"\n"
            ));
        }
        let port = 8000 + i % 1000;
        text.push_str(&format!(
            "      ports:\n        - name: http-{i}\n          containerPort: {port}\n          protocol: TCP\n      resources:\n        requests:\n          cpu: 500m\n          memory: 1Gi\n        limits:\n          cpu: \"1\"\n          memory: 2Gi\n      readinessProbe:\n        httpGet:\n          path: /healthz\n          port: {port}\n        periodSeconds: 10\n      securityContext:\n        allowPrivilegeEscalation: false\n        readOnlyRootFilesystem: true\n"
        ));
    }
    text
}

/// Minor page faults of process `pid` so far (`/proc/PID/stat`, field 10).
#[cfg(all(target_os = "linux", target_env = "gnu"))]
fn minor_faults(pid: u32) -> u64 {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).expect("read /proc stat");
    // The command name (field 2) is in parentheses and may hold spaces: count after it.
    let after = stat.rsplit_once(") ").map_or("", |(_, rest)| rest);
    after
        .split_whitespace()
        .nth(7)
        .and_then(|f| f.parse().ok())
        .expect("minflt field")
}

/// The server's warm heap (`server::heap`): counted in page faults, not timed. The first open
/// of a 20,000-line document is parsed and analysed in memory touched after the handshake,
/// where a fresh heap took about 1,500 faults; a document three times as big, opened next,
/// outgrows it and faults again, which shows the count sees them.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
#[test]
fn the_servers_first_big_open_runs_in_memory_touched_after_the_handshake() {
    let mut raw = Raw::start(push_client());
    let log = raw.wait_log("heap warmed");
    assert!(log.contains("heap warmed"), "no warm-up in the log:\n{log}");
    let pid = raw.pid();
    let open = |raw: &mut Raw, uri: &str, text: &str| {
        let before = minor_faults(pid);
        raw.did_open(uri, 1, text);
        raw.diagnostics(uri, 1);
        minor_faults(pid) - before
    };
    let text = block_containers(570);
    assert!(
        text.lines().count() > 19_000 && text.len() > 450_000,
        "{} lines, {} bytes",
        text.lines().count(),
        text.len()
    );
    let first = open(&mut raw, "file:///warm/first.pod-template.yaml", &text);
    let bigger = open(
        &mut raw,
        "file:///warm/bigger.pod-template.yaml",
        &block_containers(3 * 570),
    );
    eprintln!("minor faults: first open {first}, the next, 3x bigger, {bigger}");
    assert!(first < 300, "{first} page faults for the first open");
    // With transparent huge pages on for every mapping, a fault maps 2 MiB and the control
    // would see few; the claim under test stands without it.
    let thp = std::fs::read_to_string("/sys/kernel/mm/transparent_hugepage/enabled");
    if thp.is_ok_and(|mode| mode.contains("[always]")) {
        eprintln!("transparent huge pages are always on: the control is not asserted");
    } else {
        assert!(bigger > 1_000, "{bigger} page faults for a 1.4 MB open");
    }
    raw.shutdown_and_exit();
}
