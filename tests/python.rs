//! The Python front end through the CLI and over LSP: recognised constructs are checked at
//! exact ranges in the Python source, files without Flyte or the kubernetes client stay
//! silent, and a half-typed call does not stop the checks on the finished code above it.

mod common;

use std::path::PathBuf;
use std::process::Command;

use common::{codes_and_ranges, push_client, range, Client, TIMEOUT};
use serde_json::Value;

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/python")
        .join(name)
}

/// `check --format json PATH`: (exit code, [(path, line, column, code)]).
fn check(path: &std::path::Path) -> (i32, Vec<(String, u64, u64, String)>) {
    let out = Command::new(env!("CARGO_BIN_EXE_flyte-lsp"))
        .args(["check", "--format", "json"])
        .arg(path)
        .output()
        .expect("run flyte-lsp");
    let json: Value = serde_json::from_slice(&out.stdout).expect("json");
    let mut found = Vec::new();
    for f in json["files"].as_array().cloned().unwrap_or_default() {
        let name = f["path"]
            .as_str()
            .unwrap_or("")
            .rsplit('/')
            .next()
            .unwrap_or("")
            .to_string();
        for d in f["diagnostics"].as_array().cloned().unwrap_or_default() {
            found.push((
                name.clone(),
                d["range"]["start"]["line"].as_u64().unwrap_or(0),
                d["range"]["start"]["character"].as_u64().unwrap_or(0),
                d["code"].as_str().unwrap_or("").to_string(),
            ));
        }
    }
    (out.status.code().unwrap_or(-1), found)
}

fn at(found: &[(String, u64, u64, String)], file: &str) -> Vec<(u64, u64, String)> {
    found
        .iter()
        .filter(|(f, ..)| f == file)
        .map(|(_, l, c, code)| (*l, *c, code.clone()))
        .collect()
}

#[test]
fn the_docs_example_with_a_wrong_primary_name_is_reported_on_it() {
    let (status, found) = check(&fixture("docs_example.py"));
    assert_eq!(status, 1, "{found:?}");
    let found = at(&found, "docs_example.py");
    // `primary_container_name="main"` names no container; `primary` is then an ordinary
    // container, which needs its own image.
    assert!(found.contains(&(10, 27, "FLY301".into())), "{found:?}");
    assert!(found.contains(&(14, 37, "FLY206".into())), "{found:?}");
    assert_eq!(found.len(), 2, "{found:?}");
}

#[test]
fn labels_enums_mounts_and_resources_are_checked_at_the_python_ranges() {
    let (_, found) = check(&fixture("labels_and_values.py"));
    let found = at(&found, "labels_and_values.py");
    assert_eq!(
        found,
        [
            (6, 12, "FLY201".to_string()),  // "team name"
            (12, 34, "FLY105".to_string()), // "Allways"
            (13, 54, "FLY227".to_string()), // the mount names no volume
            (22, 49, "FLY103".to_string()), // memory=1024
        ],
    );
}

#[test]
fn import_styles_constants_and_run_time_values_give_no_false_finding() {
    // `import kubernetes` + `kubernetes.client.V1PodSpec`, `from kubernetes.client.models
    // import`, an f-string image, a (request, limit) tuple: clean. A string `pod_template`
    // that the workspace lacks is only information.
    let (status, found) = check(&fixture("clean.py"));
    assert_eq!(status, 0, "{found:?}");
    assert_eq!(
        at(&found, "clean.py"),
        [(23, 68, "FLY318".to_string())],
        "{found:?}"
    );
}

#[test]
fn a_half_typed_call_does_not_stop_the_checks_above_it() {
    let (_, found) = check(&fixture("half_typed.py"));
    assert_eq!(
        at(&found, "half_typed.py"),
        [(4, 81, "FLY105".to_string())],
        "{found:?}"
    );
}

#[test]
fn a_flytekit_template_is_checked() {
    let (status, found) = check(&fixture("flytekit_example.py"));
    assert_eq!(status, 1);
    let found = at(&found, "flytekit_example.py");
    // `_exec` is the client's spelling of `exec`: no unknown field. The negative period and the
    // restart policy are the API server's refusals.
    assert_eq!(
        found,
        [
            (10, 92, "FLY237".to_string()),
            (13, 23, "FLY105".to_string())
        ],
        "{found:?}"
    );
}

#[test]
fn python_files_without_flyte_or_kubernetes_are_silent() {
    let dir = fixture("unrelated");
    let files = std::fs::read_dir(&dir).expect("folder").count();
    assert!(files >= 10, "{files}");
    let (status, found) = check(&dir);
    assert_eq!((status, found.len()), (0, 0), "{found:?}");
}

#[test]
fn check_skips_virtual_environments_and_caches() {
    let dir = common::TempDir::new("python-venv");
    let bad = std::fs::read_to_string(fixture("labels_and_values.py")).expect("read");
    dir.write(".venv/lib/python3.11/site-packages/kubernetes/x.py", &bad);
    dir.write("env/pyvenv.cfg", "home = /usr\n");
    dir.write("env/lib/y.py", &bad);
    dir.write("__pycache__/z.py", &bad);
    dir.write(
        "src/ok.py",
        "import flyte\nenv = flyte.TaskEnvironment(name=\"ok\")\n",
    );
    let (status, found) = check(dir.path());
    assert_eq!((status, found.len()), (0, 0), "{found:?}");
}

#[test]
fn a_python_document_gets_diagnostics_over_lsp() {
    let (mut client, _) = Client::start(push_client(), None);
    let text = std::fs::read_to_string(fixture("docs_example.py")).expect("read");
    let uri = "file:///work/flyte/docs_example.py";
    client.did_open_as(uri, "python", 1, &text);
    let params = client.wait_diagnostics(uri, |_| true, TIMEOUT);
    let found = codes_and_ranges(&params["diagnostics"]);
    assert!(
        found.contains(&("FLY301".to_string(), range(10, 27, 10, 33))),
        "{params}"
    );
    // Completion and hover are not offered in Python yet: no answer, not a YAML one.
    let hover = client.request(
        "textDocument/hover",
        serde_json::json!({"textDocument": {"uri": uri}, "position": {"line": 10, "character": 30}}),
    );
    assert!(hover["result"].is_null(), "{hover}");
    client.shutdown_and_exit();
}

#[test]
fn every_prefix_of_every_fixture_is_analysed_without_a_panic() {
    // The user is always mid-typing: each prefix of a file is a state the server sees.
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/python");
    let mut texts = Vec::new();
    for entry in std::fs::read_dir(&dir).expect("fixtures") {
        let path = entry.expect("entry").path();
        if path.extension().is_some_and(|e| e == "py") {
            texts.push(std::fs::read_to_string(&path).expect("read"));
        }
    }
    assert!(texts.len() >= 5);
    let settings = flyte_lsp::settings::Settings::default();
    let mut analysed = 0;
    for text in &texts {
        for end in (0..=text.len()).filter(|&i| text.is_char_boundary(i)) {
            let prefix = &text[..end];
            let stream = flyte_lsp::engine::parse_as(prefix, flyte_lsp::engine::Language::Python);
            let a = flyte_lsp::engine::analyze_in_workspace(prefix, &stream, &settings, None);
            for d in &a.diagnostics {
                assert!(
                    d.range.end <= prefix.len(),
                    "{d:?} past the end of {prefix:?}"
                );
            }
            analysed += 1;
        }
    }
    assert!(analysed > 2000, "{analysed}");
}

#[test]
fn render_of_a_python_environment_equals_render_of_the_same_yaml() {
    // The YAML render is checked against the real SDK by tests/conformance; the Python front
    // end must give the same pod for the same environment.
    let yaml = "name: train\nimage: ghcr.io/acme/train:1.2\nenv_vars: {MODE: train}\nresources: {cpu: [1, 2], memory: 4Gi}\npod_template:\n  labels: {team: ml}\n  pod_spec:\n    containers:\n      - name: primary\n        env: [{name: LOG, value: debug}]\n        volumeMounts: [{name: scratch, mountPath: /scratch}]\n      - {name: sidecar, image: \"busybox:1.36\"}\n    volumes: [{name: scratch, emptyDir: {}}]\n    hostIPC: false\n";
    let dir = common::TempDir::new("python-render");
    let yaml_path = dir.write("env.yaml", yaml);
    let render = |args: &[&str]| {
        let out = Command::new(env!("CARGO_BIN_EXE_flyte-lsp"))
            .args(args)
            .output()
            .expect("run flyte-lsp");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        serde_json::from_slice::<Value>(&out.stdout).expect("json")
    };
    let py = fixture("render_pair.py");
    let py = py.to_str().expect("path");
    let from_yaml = render(&[
        "render",
        "--format",
        "json",
        yaml_path.to_str().expect("path"),
    ]);
    let from_python = render(&["render", "--format", "json", "--environment", "train", py]);
    assert_eq!(from_python, from_yaml);
    let cluster_yaml = render(&[
        "render",
        "--format",
        "json",
        "--layer",
        "cluster",
        yaml_path.to_str().expect("path"),
    ]);
    let cluster_py = render(&[
        "render",
        "--format",
        "json",
        "--layer",
        "cluster",
        "--environment",
        "train",
        py,
    ]);
    assert_eq!(cluster_py, cluster_yaml);
    // Two environments and no flag: the first document; a wrong name is an error.
    let out = Command::new(env!("CARGO_BIN_EXE_flyte-lsp"))
        .args(["render", "--environment", "nope", py])
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("other, train"));
}

#[test]
fn check_fix_writes_python() {
    // The safe fix for `image_pull_policy="Allways"` is written as a Python string, in place;
    // the findings it cannot fix stay, and a second run changes nothing more.
    let dir = common::TempDir::new("python-fix");
    let original = std::fs::read_to_string(fixture("labels_and_values.py")).expect("read");
    let path = dir.write("env.py", &original);
    let run = || {
        Command::new(env!("CARGO_BIN_EXE_flyte-lsp"))
            .args(["check", "--fix"])
            .arg(&path)
            .output()
            .expect("run flyte-lsp")
    };
    let out = run();
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    let fixed = std::fs::read_to_string(&path).expect("read");
    assert_eq!(
        fixed,
        original.replace(
            "image_pull_policy=\"Allways\"",
            "image_pull_policy=\"Always\""
        )
    );
    run();
    assert_eq!(std::fs::read_to_string(&path).expect("read"), fixed);
    let (_, found) = check(&path);
    let codes: Vec<&str> = found.iter().map(|f| f.3.as_str()).collect();
    assert_eq!(codes, ["FLY201", "FLY227", "FLY103"], "{found:?}");
}

#[test]
fn names_that_double_at_each_step_cost_bounded_work() {
    // `a0 = [a1, a1]`, `a1 = [a2, a2]`, ...: following names would copy 2^60 values.
    let mut text =
        String::from("import flyte\nfrom kubernetes.client import V1Container, V1PodSpec\n");
    for i in (0..60).rev() {
        text.push_str(&format!("a{i} = [a{}, a{}]\n", i + 1, i + 1));
    }
    text.push_str("a60 = \"x\"\n");
    text.push_str("t = flyte.PodTemplate(pod_spec=V1PodSpec(containers=[V1Container(name=\"primary\", args=a0)]))\n");
    let stream = flyte_lsp::engine::parse_as(&text, flyte_lsp::engine::Language::Python);
    assert_eq!(stream.documents.len(), 1);
    let analysis = flyte_lsp::engine::analyze_in_workspace(
        &text,
        &stream,
        &flyte_lsp::settings::Settings::default(),
        None,
    );
    // It finishes (the budget makes the rest opaque), and what it read stays checkable.
    assert!(analysis
        .diagnostics
        .iter()
        .all(|d| d.range.end <= text.len()));
}

#[test]
fn a_name_whose_value_holds_the_name_itself_is_opaque_not_endless() {
    // Found by the python fuzz target: half-typed code where `template = flyte.PodTemplate(...)`
    // ends up containing `template` again took 26 s; now the self-reference is opaque.
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("fuzz/seeds/python/regression-self-reference");
    let text = std::fs::read_to_string(path).expect("read");
    let stream = flyte_lsp::engine::parse_as(&text, flyte_lsp::engine::Language::Python);
    let nodes: usize = stream
        .documents
        .iter()
        .map(|d| count(d.root.as_ref()))
        .sum();
    assert!(nodes < 10_000, "{nodes} nodes from {} bytes", text.len());
    let text = "import flyte\nt = flyte.PodTemplate(labels=t, pod_spec=t)\n";
    let stream = flyte_lsp::engine::parse_as(text, flyte_lsp::engine::Language::Python);
    assert!(
        stream
            .documents
            .iter()
            .map(|d| count(d.root.as_ref()))
            .sum::<usize>()
            < 20
    );
}

fn count(node: Option<&flyte_lsp::tree::Node>) -> usize {
    use flyte_lsp::tree::NodeKind;
    let Some(node) = node else { return 0 };
    1 + match &node.kind {
        NodeKind::Map(entries) => entries.iter().map(|e| 1 + count(Some(&e.value))).sum(),
        NodeKind::Seq(items) => items.iter().map(|i| count(Some(i))).sum(),
        _ => 0,
    }
}

#[test]
fn derived_environments_are_checked_where_the_sdk_refuses() {
    let (status, found) = check(&fixture("tasks.py"));
    assert_eq!(status, 1);
    let found = at(&found, "tasks.py");
    assert_eq!(
        found,
        [
            // `memory=2048` inside `clone_with`.
            (9, 66, "FLY103".to_string()),
            // `clone_with` keeps the original's `pod_template`: TypeError.
            (10, 37, "FLY322".to_string()),
            // A decorator's own template, checked as the task's pod.
            (26, 64, "FLY301".to_string()),
            (26, 120, "FLY206".to_string()),
            // `image` is the environment's, not the decorator's.
            (36, 21, "FLY322".to_string()),
            // A reusable environment's task cannot set `pod_template`.
            (41, 13, "FLY322".to_string()),
            // `memory=4096` inside a call-time override, and an image override.
            (48, 62, "FLY103".to_string()),
            (49, 29, "FLY322".to_string()),
        ],
        "{found:?}"
    );
}

/// `render --task FUNCTION --format json`: (exit code, the pod).
fn render(path: &std::path::Path, args: &[&str]) -> (i32, Value) {
    let out = Command::new(env!("CARGO_BIN_EXE_flyte-lsp"))
        .arg("render")
        .arg(path)
        .args(["--format", "json"])
        .args(args)
        .output()
        .expect("run flyte-lsp");
    let pod = serde_json::from_slice(&out.stdout).unwrap_or(Value::Null);
    (out.status.code().unwrap_or(-1), pod)
}

#[test]
fn render_task_shows_the_pod_of_the_task_with_its_decorator_applied() {
    let path = fixture("tasks_clean.py");
    // The decorator's template replaces the environment's (no template there): its label and
    // its container settings, with the environment's image and resources merged in.
    let (status, hello) = render(&path, &["--task", "hello"]);
    assert_eq!(status, 0, "{hello}");
    assert_eq!(hello["metadata"]["labels"]["team"], "ml", "{hello}");
    let primary = &hello["spec"]["containers"][0];
    assert_eq!(primary["imagePullPolicy"], "Always", "{hello}");
    assert_eq!(primary["image"], "python:3.12", "{hello}");
    assert_eq!(primary["resources"]["requests"]["memory"], "1Gi", "{hello}");
    // A task without arguments is its environment's pod.
    let (_, plain) = render(&path, &["--task", "plain"]);
    let (_, base) = render(&path, &["--environment", "base"]);
    assert_eq!(plain, base);
    assert!(plain["metadata"]["labels"].is_null(), "{plain}");
    // A task of a clone has the clone's resources; the clone is an environment of its own.
    let (status, train) = render(&path, &["--task", "train"]);
    assert_eq!(status, 0, "{train}");
    let (_, clone) = render(&path, &["--environment", "base-gpu"]);
    assert_eq!(train, clone);
    assert_eq!(
        train["spec"]["containers"][0]["resources"]["requests"]["memory"],
        "4Gi"
    );
    // An unknown task names the tasks there are; several environments need a choice.
    let out = Command::new(env!("CARGO_BIN_EXE_flyte-lsp"))
        .args(["render"])
        .arg(&path)
        .args(["--task", "nope"])
        .output()
        .expect("run");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("no task `nope`") && err.contains("hello"),
        "{err}"
    );
    let out = Command::new(env!("CARGO_BIN_EXE_flyte-lsp"))
        .args(["render"])
        .arg(&path)
        .output()
        .expect("run");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("--environment"), "{err}");
    // A module that raises while it is imported registers nothing: every render refuses.
    for task in ["hello", "plain", "broken"] {
        let (status, pod) = render(&fixture("tasks.py"), &["--task", task]);
        assert_eq!((status, pod), (1, Value::Null), "{task}");
    }
}

#[test]
fn a_flytekit_template_without_its_primary_is_not_refused_in_check_nor_over_lsp() {
    // flytekit appends an empty `main` container that runs the task (`_serialize_pod_spec`);
    // real code relies on it to give only sidecars, so it is no finding at all.
    let text = "from flytekit import PodTemplate, task\nfrom kubernetes.client import V1Container, V1PodSpec\n\n\
                template = PodTemplate(\n    primary_container_name=\"main\",\n    \
                pod_spec=V1PodSpec(containers=[V1Container(name=\"side\", image=\"python:3.12\")]),\n)\n\n\n\
                @task(pod_template=template)\ndef hello() -> str:\n    return \"hello\"\n";
    let dir = common::TempDir::new("flytekit-appended");
    dir.write("flytekit_appended.py", text);
    let (status, found) = check(&dir.path().join("flytekit_appended.py"));
    assert_eq!((status, found.len()), (0, 0), "{found:?}");
    let (mut client, _) = Client::start(push_client(), None);
    let uri = "file:///work/flyte/flytekit_appended.py";
    client.did_open_as(uri, "python", 1, text);
    let params = client.wait_version(uri, 1);
    assert!(codes(&params).is_empty(), "{params}");
    // The same template for flyte 2 is the SDK's refusal, at the name.
    let flyte2 = text
        .replace(
            "from flytekit import PodTemplate, task",
            "import flyte\nfrom flyte import PodTemplate",
        )
        .replace(
            "@task(pod_template=template)",
            "@flyte.TaskEnvironment(name=\"x\", pod_template=template).task",
        );
    client.did_change(uri, 2, range(0, 0, 20, 0), &flyte2);
    let params = client.wait_version(uri, 2);
    assert_eq!(codes(&params), ["FLY301"], "{params}");
    client.shutdown_and_exit();
}

const TYPED: &str = "from kubernetes.client import V1Container, V1PodSpec, V1ResourceRequirements\n\n\
spec = V1PodSpec(\n    containers=[\n        V1Container(\n            name=\"main\",\n            image=\"python:3.12\",\n            \
bogus=1,\n            image_pull_policy=\"Allways\",\n            imagePullPolicy=\"Always\",\n            \
resources=V1ResourceRequirements(limits={\"cpu\": 2}),\n        ),\n        {\"name\": \"side\", \"image\": \"busybox\", \"image_pull_policy\": \"Always\"},\n    ]\n)\n";

fn codes(params: &Value) -> Vec<String> {
    codes_and_ranges(&params["diagnostics"])
        .into_iter()
        .map(|(code, _)| code)
        .collect()
}

#[test]
fn the_client_version_decides_spellings_and_quantity_types() {
    let dir = common::TempDir::new("python-client-version");
    dir.write("spec.py", TYPED);
    // kubernetes 37 (the default): a number quantity is a ValidationError; camelCase keywords
    // and a dict in the model's place with snake_case keys are fine.
    let (status, found) = check(&dir.path().join("spec.py"));
    assert_eq!(status, 1);
    let found: Vec<_> = at(&found, "spec.py");
    assert_eq!(
        found,
        [
            (7, 12, "FLY101".to_string()),
            (8, 30, "FLY105".to_string()),
            (10, 60, "FLY324".to_string()),
        ],
        "{found:?}"
    );
    // kubernetes 36: no pydantic, so the number is sent as is (and the API server takes it),
    // but only snake_case keywords exist, and a dict is sent as written.
    dir.write("flyte-lsp.toml", "[python]\nkubernetesClient = 36\n");
    let (_, found) = check(&dir.path().join("spec.py"));
    let found: Vec<_> = at(&found, "spec.py");
    assert_eq!(
        found,
        [
            (7, 12, "FLY101".to_string()),
            (8, 30, "FLY105".to_string()),
            (9, 12, "FLY325".to_string()),
            (12, 45, "FLY325".to_string()),
        ],
        "{found:?}"
    );
    // The spelling fixes are safe: `check --fix` writes what every client takes.
    let out = Command::new(env!("CARGO_BIN_EXE_flyte-lsp"))
        .args(["check", "--fix"])
        .arg(dir.path().join("spec.py"))
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(1));
    let fixed = std::fs::read_to_string(dir.path().join("spec.py")).expect("read");
    assert!(
        fixed.contains("            image_pull_policy=\"Always\",\n            resources"),
        "{fixed}"
    );
    assert!(
        fixed.contains("\"imagePullPolicy\": \"Always\"}"),
        "{fixed}"
    );
}

#[test]
fn in_an_editor_what_pyright_reports_is_left_to_it_unless_asked() {
    let uri = "file:///work/flyte/spec.py";
    // By default an editor runs Pyright beside us: no unknown keyword, no wrong quantity type.
    let (mut client, _) = Client::start(push_client(), None);
    client.did_open_as(uri, "python", 1, TYPED);
    let params = client.wait_diagnostics(uri, |_| true, TIMEOUT);
    assert_eq!(codes(&params), ["FLY105"], "{params}");
    client.shutdown_and_exit();
    // `python.typeCheckerFindings = "report"` reports them, as `check` does.
    let options = serde_json::json!({"python": {"typeCheckerFindings": "report"}});
    let (mut client, _) = Client::start(push_client(), Some(options));
    client.did_open_as(uri, "python", 1, TYPED);
    let params = client.wait_diagnostics(uri, |_| true, TIMEOUT);
    assert_eq!(codes(&params), ["FLY101", "FLY105", "FLY324"], "{params}");
    client.shutdown_and_exit();
    // An untyped client (36): no type checker can see them, so they are reported.
    let options = serde_json::json!({"python": {"kubernetesClient": 36}});
    let (mut client, _) = Client::start(push_client(), Some(options));
    client.did_open_as(uri, "python", 1, TYPED);
    let params = client.wait_diagnostics(uri, |_| true, TIMEOUT);
    assert_eq!(
        codes(&params),
        ["FLY101", "FLY105", "FLY325", "FLY325"],
        "{params}"
    );
    client.shutdown_and_exit();
}

/// A Flyte file in three states: a wrong primary, then fixed by an incremental edit.
const EDITED: &str =
    "import flyte\n\ntemplate = flyte.PodTemplate(labels={\"team name\": \"ml\"})\n\
env = flyte.TaskEnvironment(name=\"train\", pod_template=template)\n";

#[test]
fn python_documents_follow_incremental_edits_on_save_mode_and_pull_requests() {
    let uri = "file:///work/flyte/edited.py";
    // Incremental edits while typing: the label key is fixed in place (` ` -> `-`).
    let (mut client, _) = Client::start(push_client(), None);
    client.did_open_as(uri, "python", 1, EDITED);
    let opened = client.wait_version(uri, 1);
    assert_eq!(
        codes_and_ranges(&opened["diagnostics"]),
        [("FLY201".to_string(), range(2, 37, 2, 48))],
        "{opened}"
    );
    client.did_change(uri, 2, range(2, 42, 2, 43), "-");
    let edited = client.wait_version(uri, 2);
    assert!(codes(&edited).is_empty(), "{edited}");
    // Typing a broken call below keeps the finished code above checked.
    client.did_change(uri, 3, range(2, 42, 2, 43), " ");
    client.did_change(
        uri,
        4,
        range(4, 0, 4, 0),
        "other = flyte.TaskEnvironment(name=\"x\", ",
    );
    let typing = client.wait_version(uri, 4);
    assert_eq!(codes(&typing), ["FLY201"], "{typing}");
    client.shutdown_and_exit();

    // On-save mode: nothing while typing, the new state on save.
    let options = serde_json::json!({"diagnostics": {"trigger": "save"}});
    let (mut client, _) = Client::start(push_client(), Some(options));
    client.did_open_as(uri, "python", 1, EDITED);
    let opened = client.wait_version(uri, 1);
    assert_eq!(codes(&opened), ["FLY201"], "{opened}");
    client.did_change(uri, 2, range(2, 42, 2, 43), "-");
    client.assert_no_diagnostics(uri, std::time::Duration::from_millis(500));
    client.did_save(uri);
    let saved = client.wait_diagnostics(uri, |_| true, TIMEOUT);
    assert_eq!(
        (saved["version"].as_i64(), codes(&saved).len()),
        (Some(2), 0),
        "{saved}"
    );
    client.shutdown_and_exit();

    // A pull client asks; nothing is pushed.
    let caps = serde_json::json!({"textDocument": {"diagnostic": {}, "publishDiagnostics": {}}});
    let (mut client, _) = Client::start(caps, None);
    client.did_open_as(uri, "python", 1, EDITED);
    let report = client.request(
        "textDocument/diagnostic",
        serde_json::json!({"textDocument": {"uri": uri}}),
    );
    assert_eq!(report["kind"], "full", "{report}");
    assert_eq!(
        codes_and_ranges(&report["items"]),
        [("FLY201".to_string(), range(2, 37, 2, 48))],
        "{report}"
    );
    client.assert_no_diagnostics(uri, std::time::Duration::from_millis(300));
    client.shutdown_and_exit();
}

#[test]
fn a_flytekit_task_naming_a_cluster_pod_template_is_checked_not_rendered() {
    let text = "from flytekit import task\n\n\n@task(pod_template_name=\"GPU_Nodes\", retries=2)\ndef Train() -> int:\n    return 1\n\n\n\
                @task(pod_template_name=\"gpu-nodes\")\ndef fine() -> int:\n    return 1\n";
    let dir = common::TempDir::new("flytekit-task");
    let path = dir.write("tasks.py", text);
    let (status, found) = check(&path);
    assert_eq!(status, 1);
    // The template name is a DNS subdomain; the function's name is no environment name.
    let errors: Vec<_> = at(&found, "tasks.py")
        .into_iter()
        .filter(|(_, _, c)| c != "FLY318")
        .collect();
    assert_eq!(errors, [(3, 24, "FLY307".to_string())]);
    // flytekit's pod is not rendered: a usage failure (2), not the SDK's refusal (1).
    let (status, pod) = render(&path, &["--task", "fine"]);
    assert_eq!((status, pod), (2, Value::Null));
}

#[test]
fn module_dicts_splatted_into_calls_and_dicts_are_read() {
    let text = "import flyte\n\nBASE = {\"LOG_LEVEL\": \"info\", \"STAGE\": \"dev\"}\nSIZES = {\"memory\": 1024}\n\n\
                env = flyte.TaskEnvironment(\n    name=\"splat\",\n    image=\"python:3.12\",\n    \
                env_vars={**BASE, \"STAGE\": \"prod\"},\n    resources=flyte.Resources(**SIZES),\n)\n";
    let dir = common::TempDir::new("python-splat");
    let path = dir.write("splat.py", text);
    // `memory=1024` arrives through `**SIZES`: reported where the value is written.
    let (status, found) = check(&path);
    assert_eq!(status, 1);
    assert_eq!(at(&found, "splat.py"), [(3, 19, "FLY103".to_string())]);
    // The later `STAGE` wins in the first one's place, as in Python.
    let fixed = text.replace("1024", "\"1Gi\"");
    dir.write("splat.py", &fixed);
    let (status, pod) = render(&path, &[]);
    assert_eq!(status, 0, "{pod}");
    let env = &pod["spec"]["containers"][0]["env"];
    assert_eq!(
        env,
        &serde_json::json!([{"name": "LOG_LEVEL", "value": "info"}, {"name": "STAGE", "value": "prod"}]),
        "{pod}"
    );
    assert_eq!(
        pod["spec"]["containers"][0]["resources"]["requests"]["memory"],
        "1Gi"
    );
}

#[test]
fn thousands_of_tasks_of_a_large_environment_cost_bounded_work() {
    // Each task is its environment's tree again: 5,000 tasks of an environment with 300
    // containers would be 5,000 copies. Copies are charged to the file's node budget, so
    // past it the remaining tasks get no document of their own (their environment has one).
    let mut text = String::from(
        "import flyte\nfrom kubernetes.client import V1Container, V1PodSpec\n\n\
         env = flyte.TaskEnvironment(name=\"big\", pod_template=flyte.PodTemplate(pod_spec=V1PodSpec(containers=[\n",
    );
    for i in 0..300 {
        text.push_str(&format!(
            "    V1Container(name=\"c{i}\", image=\"python:3.12\", args=[\"a\", \"b\"]),\n"
        ));
    }
    text.push_str("    V1Container(name=\"primary\"),\n])))\n\n");
    for i in 0..5_000 {
        // `cache=` changes the task's tree (a bare `@env.task` is a copy and costs nothing).
        text.push_str(&format!(
            "@env.task(cache=\"auto\")\ndef t{i}() -> None:\n    pass\n\n"
        ));
    }
    let stream = flyte_lsp::engine::parse_as(&text, flyte_lsp::engine::Language::Python);
    let tasks = stream
        .documents
        .iter()
        .filter(|d| d.derived.is_some())
        .count();
    assert!(tasks > 10 && tasks < 5_000, "{tasks} task documents");
    let analysis = flyte_lsp::engine::analyze_in_workspace(
        &text,
        &stream,
        &flyte_lsp::settings::Settings::default(),
        None,
    );
    // The environment itself is read whole: 300 sidecars make the completion warning.
    assert!(analysis.diagnostics.iter().any(|d| d.code == "FLY314"));
}
