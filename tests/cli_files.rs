//! Which files `check` reads, and as what, by the `files.*` globs of `flyte-lsp.toml`:
//! `include`/`exclude` (exclude wins; folders are pruned), `kinds` (a modeline still wins), the
//! root the globs are relative to (the folder holding the file, else the current folder), and
//! files named on the command line (checked unless `--force-exclude`). Also the detection of a
//! task environment by `name` plus Flyte's own `resources`, through the fixtures.

mod common;

use std::path::Path;
use std::process::Command;

use common::TempDir;
use serde_json::Value;

/// A task environment with an unknown key: read as a task environment it reports FLY101.
const ENV_WITH_TYPO: &str = "name: train\nimage: ghcr.io/x/y:1\nenv_vars: {A: b}\nimagee: x\n";
/// Reads as nothing by content; forced to `task-environment` it is one with a bad `memory`.
const FORCED: &str = "image: ghcr.io/x/y:1\nresources:\n  memory: 1024\n";

struct Run {
    code: Option<i32>,
    /// `(path relative to the temp folder, kind, codes)` per file, in output order.
    files: Vec<(String, String, Vec<String>)>,
    stderr: String,
}

/// `check --format json ARGS` run in `cwd`, with HOME inside `dir` (no global git excludes).
fn check_in(dir: &TempDir, cwd: &Path, args: &[&str]) -> Run {
    let home = dir.join(".home-for-test");
    let out = Command::new(env!("CARGO_BIN_EXE_flyte-lsp"))
        .args(["check", "--format", "json"])
        .args(args)
        .current_dir(cwd)
        .env("HOME", &home)
        .env("XDG_CONFIG_HOME", home.join(".config"))
        .output()
        .expect("run flyte-lsp");
    let json: Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stdout)));
    let prefix = format!("{}/", dir.display());
    let files = json["files"]
        .as_array()
        .cloned()
        .unwrap_or_default()
        .iter()
        .map(|f| {
            let path = f["path"].as_str().unwrap_or("");
            let path = path.strip_prefix(&prefix).unwrap_or(path);
            let codes = f["diagnostics"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|d| d["code"].as_str().map(str::to_string))
                .collect();
            (
                path.strip_prefix("./").unwrap_or(path).to_string(),
                f["kind"].as_str().unwrap_or("").to_string(),
                codes,
            )
        })
        .collect();
    Run {
        code: out.status.code(),
        files,
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

fn check(dir: &TempDir, args: &[&str]) -> Run {
    check_in(dir, dir.path(), args)
}

fn paths(run: &Run) -> Vec<&str> {
    run.files.iter().map(|(p, _, _)| p.as_str()).collect()
}

fn arg(p: &Path) -> &str {
    p.to_str().expect("UTF-8 temp path")
}

#[test]
fn include_and_exclude_pick_the_files_and_exclude_wins() {
    let dir = TempDir::new("files-include");
    dir.write(
        "flyte-lsp.toml",
        "[files]\ninclude = [\"flyte/**\", \"*.flyte.yaml\"]\nexclude = [\"legacy\", \"flyte/scratch/*.yaml\"]\n",
    );
    for f in [
        "flyte/envs/train.yaml",
        "flyte/legacy/old.yaml",
        "flyte/scratch/try.yaml",
        "flyte/scratch/deeper/kept.yaml",
        "ops/deploy.flyte.yaml",
        "ops/other.yaml",
        "legacy/x.flyte.yaml",
    ] {
        dir.write(f, ENV_WITH_TYPO);
    }
    let run = check(&dir, &["."]);
    assert_eq!(run.code, Some(1), "{}", run.stderr);
    assert_eq!(
        paths(&run),
        [
            "flyte/envs/train.yaml",
            // `*` does not cross a `/`: only files directly in scratch/ are excluded.
            "flyte/scratch/deeper/kept.yaml",
            "ops/deploy.flyte.yaml",
        ],
        "{}",
        run.stderr
    );
    assert!(run.stderr.is_empty(), "{}", run.stderr);
}

#[test]
fn globs_are_relative_to_the_folder_of_flyte_lsp_toml_wherever_check_runs() {
    let dir = TempDir::new("files-root");
    dir.write("flyte-lsp.toml", "[files]\nexclude = [\"deploy/old\"]\n");
    dir.write("deploy/old/a.yaml", ENV_WITH_TYPO);
    dir.write("deploy/new/b.yaml", ENV_WITH_TYPO);
    // From a subfolder, by a relative path: the config above still anchors the glob.
    let run = check_in(&dir, &dir.join("deploy"), &["."]);
    assert_eq!(paths(&run), ["new/b.yaml"], "{}", run.stderr);
    // By absolute path, from anywhere.
    let run = check_in(&dir, Path::new("/"), &[arg(&dir.join("deploy"))]);
    assert_eq!(paths(&run), ["deploy/new/b.yaml"], "{}", run.stderr);
}

#[test]
fn without_a_config_there_is_nothing_to_exclude() {
    let dir = TempDir::new("files-noconfig");
    dir.write("a/env.yaml", ENV_WITH_TYPO);
    let run = check(&dir, &["."]);
    assert_eq!(paths(&run), ["a/env.yaml"], "{}", run.stderr);
}

#[test]
fn a_named_file_is_checked_unless_force_exclude() {
    let dir = TempDir::new("files-named");
    dir.write(
        "flyte-lsp.toml",
        "[files]\ninclude = [\"flyte\"]\nexclude = [\"**/generated/**\"]\n",
    );
    let generated = dir.write("flyte/generated/env.yaml", ENV_WITH_TYPO);
    let outside = dir.write("other/env.yaml", ENV_WITH_TYPO);
    let kept = dir.write("flyte/env.yaml", ENV_WITH_TYPO);
    let named = [arg(&generated), arg(&outside), arg(&kept)];
    let run = check(&dir, &named);
    assert_eq!(
        paths(&run),
        [
            "flyte/generated/env.yaml",
            "other/env.yaml",
            "flyte/env.yaml"
        ],
        "{}",
        run.stderr
    );
    // pre-commit names every changed file: with --force-exclude the globs apply to them too
    // (outside `include` is excluded as well), and to named folders.
    let forced: Vec<&str> = std::iter::once("--force-exclude").chain(named).collect();
    let run = check(&dir, &forced);
    assert_eq!(run.code, Some(1), "{}", run.stderr);
    assert_eq!(paths(&run), ["flyte/env.yaml"], "{}", run.stderr);
    let run = check(&dir, &["--force-exclude", "flyte/generated"]);
    assert_eq!(
        (run.code, paths(&run).len()),
        (Some(0), 0),
        "{}",
        run.stderr
    );
    // Without the flag a named folder is walked, its excluded children are not.
    let run = check(&dir, &["flyte"]);
    assert_eq!(paths(&run), ["flyte/env.yaml"], "{}", run.stderr);
}

#[test]
fn kinds_force_a_kind_and_a_modeline_still_wins() {
    let dir = TempDir::new("files-kinds");
    dir.write(
        "flyte-lsp.toml",
        "[files.kinds]\n\"deploy/envs/*.yaml\" = \"task-environment\"\n\"deploy/**\" = \"ignore\"\n",
    );
    dir.write("deploy/envs/train.yaml", FORCED);
    dir.write(
        "deploy/envs/own-mind.yaml",
        format!("# flyte-lsp: ignore\n{FORCED}"),
    );
    // Would be a task environment by content; the broader glob says `ignore`.
    dir.write("deploy/other/env.yaml", ENV_WITH_TYPO);
    // A modeline brings one document back.
    dir.write(
        "deploy/other/back.yaml",
        format!("# flyte-lsp: task-environment\n{ENV_WITH_TYPO}"),
    );
    let run = check(&dir, &["."]);
    assert_eq!(run.code, Some(1), "{}", run.stderr);
    let by_path = |p: &str| {
        run.files
            .iter()
            .find(|(path, _, _)| path == p)
            .map(|(_, kind, codes)| (kind.as_str(), codes.clone()))
            .unwrap_or_else(|| panic!("{p} not checked: {:?}", run.files))
    };
    assert_eq!(
        by_path("deploy/envs/train.yaml"),
        ("task-environment", vec!["FLY104".into(), "FLY106".into()]),
        "forced: `name` is missing and memory must be a string"
    );
    assert_eq!(by_path("deploy/envs/own-mind.yaml"), ("unknown", vec![]));
    assert_eq!(by_path("deploy/other/env.yaml"), ("unknown", vec![]));
    assert_eq!(
        by_path("deploy/other/back.yaml"),
        ("task-environment", vec!["FLY101".into()])
    );
}

#[test]
fn render_reads_the_kind_the_globs_give() {
    let dir = TempDir::new("files-render");
    dir.write(
        "flyte-lsp.toml",
        "[files.kinds]\n\"envs/*.yaml\" = \"task-environment\"\n",
    );
    // `name` and `image` alone are too common to be a task environment by content.
    let env = dir.write("envs/a.yaml", "name: a\nimage: ghcr.io/x/y:1\n");
    let plain = dir.write("a.yaml", "name: a\nimage: ghcr.io/x/y:1\n");
    let render = |path: &Path| {
        Command::new(env!("CARGO_BIN_EXE_flyte-lsp"))
            .arg("render")
            .arg(path)
            .current_dir(dir.path())
            .output()
            .expect("run flyte-lsp")
    };
    assert_eq!(render(&plain).status.code(), Some(2), "unknown by content");
    let out = render(&env);
    let pod = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0));
    assert!(
        pod.contains("image: ghcr.io/x/y:1"),
        "{pod}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn bad_globs_and_kinds_are_warnings_and_the_rest_applies() {
    let dir = TempDir::new("files-bad");
    dir.write(
        "flyte-lsp.toml",
        "[files]\nexclude = [\"a{b\", \"old\"]\n[files.kinds]\n\"*.py\" = \"task-environment\"\n\"x/*.yaml\" = \"yaml\"\n",
    );
    dir.write("old/env.yaml", ENV_WITH_TYPO);
    dir.write("env.yaml", ENV_WITH_TYPO);
    let run = check(&dir, &["."]);
    assert_eq!(run.code, Some(1), "{}", run.stderr);
    assert_eq!(paths(&run), ["env.yaml"], "{}", run.stderr);
    for needle in [
        "`a{b` is not a valid glob",
        "files.kinds.*.py",
        "files.kinds.x/*.yaml",
    ] {
        assert!(run.stderr.contains(needle), "{needle}: {}", run.stderr);
    }
}

#[test]
fn python_files_take_only_ignore() {
    let dir = TempDir::new("files-python");
    dir.write(
        "flyte-lsp.toml",
        "[files]\nkinds = { \"gen\" = \"ignore\", \"src/**\" = \"pod-template\" }\n",
    );
    let py = "import flyte\n\nenv = flyte.TaskEnvironment(name=\"x\", resources=flyte.Resources(memory=1024))\n";
    dir.write("gen/env.py", py);
    dir.write("src/env.py", py);
    let run = check(&dir, &["."]);
    assert_eq!(run.code, Some(1), "{}", run.stderr);
    assert_eq!(
        run.files
            .iter()
            .map(|(p, _, c)| (p.as_str(), !c.is_empty()))
            .collect::<Vec<_>>(),
        [("gen/env.py", false), ("src/env.py", true)],
        "`ignore` silences gen/; a kind means nothing to Python: {:?}",
        run.files
    );
}

#[test]
fn name_and_flyte_resources_make_a_task_environment_whose_sdk_errors_fire() {
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/task-environment");
    let dir = TempDir::new("files-fixtures");
    let run = check(&dir, &[arg(&fixtures)]);
    assert_eq!(run.code, Some(1), "{}", run.stderr);
    let found: Vec<(String, &str, Vec<String>)> = run
        .files
        .iter()
        .map(|(p, k, c)| {
            let name = Path::new(p)
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            (name, k.as_str(), c.clone())
        })
        .collect();
    assert_eq!(
        found,
        [
            (
                "gpu-count-too-high.yaml".to_string(),
                "task-environment",
                vec!["FLY105".to_string()]
            ),
            (
                "memory-number.yaml".to_string(),
                "task-environment",
                vec!["FLY106".to_string()]
            ),
        ]
    );
}
