//! Which files `check DIR` reads: `.gitignore` (nested, in the folders above, outside a git
//! repository too), `.ignore`, `.git/info/exclude` and git's global excludes are honoured;
//! virtual environments, `site-packages`, `node_modules` and caches are skipped even when no
//! ignore file says so; a file named on the command line is always checked; the order is sorted.

mod common;

use std::path::Path;
use std::process::Command;

use common::TempDir;
use serde_json::Value;

/// A Flyte pod template with one unknown field: every file that is read reports FLY101.
const BAD_YAML: &str = "primary_container_name: primary\npod_spec:\n  imagePullSecret: []\n  containers:\n    - name: primary\n";
/// The same mistake in Python.
const BAD_PY: &str = "import flyte\nfrom kubernetes.client import V1Container, V1PodSpec\n\nenv = flyte.TaskEnvironment(\n    name=\"x\",\n    pod_template=flyte.PodTemplate(\n        primary_container_name=\"main\",\n        pod_spec=V1PodSpec(containers=[V1Container(name=\"primary\")]),\n    ),\n)\n";

struct Run {
    code: Option<i32>,
    /// The checked files, relative to the temp folder, in output order.
    files: Vec<String>,
    stderr: String,
}

/// `check --format json ARGS` with HOME and XDG_CONFIG_HOME inside `dir`, so the machine's own
/// global git excludes play no part.
fn check(dir: &TempDir, args: &[&Path]) -> Run {
    let home = dir.join(".home-for-test");
    let out = Command::new(env!("CARGO_BIN_EXE_flyte-lsp"))
        .args(["check", "--format", "json"])
        .args(args)
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
            path.strip_prefix(&prefix).unwrap_or(path).to_string()
        })
        .collect();
    Run {
        code: out.status.code(),
        files,
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

#[test]
fn gitignore_nested_gitignore_and_dot_ignore_are_honoured_outside_a_git_repository() {
    let dir = TempDir::new("walk-gitignore");
    dir.write(".gitignore", "build/\n*.gen.py\n# a comment\n");
    dir.write("build/out.yaml", BAD_YAML);
    dir.write("models.gen.py", BAD_PY);
    dir.write("envs/a.yaml", BAD_YAML);
    dir.write("envs/.gitignore", "local.yaml\n!keep.gen.py\n");
    dir.write("envs/local.yaml", BAD_YAML);
    dir.write("envs/keep.gen.py", BAD_PY);
    dir.write(".ignore", "scratch/\n");
    dir.write("scratch/try.yaml", BAD_YAML);
    dir.write("z.py", BAD_PY);
    let run = check(&dir, &[dir.path()]);
    assert_eq!(run.code, Some(1), "{}", run.stderr);
    assert_eq!(
        run.files,
        ["envs/a.yaml", "envs/keep.gen.py", "z.py"],
        "{}",
        run.stderr
    );
}

#[test]
fn a_gitignore_in_a_folder_above_the_checked_one_applies() {
    let dir = TempDir::new("walk-parents");
    dir.write(".gitignore", "generated/\n");
    dir.write("project/generated/out.yaml", BAD_YAML);
    dir.write("project/env.yaml", BAD_YAML);
    let run = check(&dir, &[&dir.join("project")]);
    assert_eq!(run.files, ["project/env.yaml"], "{}", run.stderr);
}

#[test]
fn git_info_exclude_and_the_global_excludes_file_are_honoured() {
    let dir = TempDir::new("walk-git");
    dir.write(".git/info/exclude", "private.yaml\n");
    dir.write(".git/HEAD", "ref: refs/heads/main\n");
    dir.write(".home-for-test/.config/git/ignore", "*.secret.yaml\n");
    dir.write("private.yaml", BAD_YAML);
    dir.write("db.secret.yaml", BAD_YAML);
    dir.write("env.yaml", BAD_YAML);
    let run = check(&dir, &[dir.path()]);
    assert_eq!(run.files, ["env.yaml"], "{}", run.stderr);
}

#[test]
fn virtual_environments_and_caches_are_skipped_without_any_ignore_file() {
    let dir = TempDir::new("walk-venv");
    dir.write(
        ".venv/lib/python3.12/site-packages/kubernetes/client.py",
        BAD_PY,
    );
    dir.write(".venv/pyvenv.cfg", "home = /usr/bin\n");
    dir.write("tools-env/pyvenv.cfg", "home = /usr/bin\n");
    dir.write("tools-env/lib/python3.12/site-packages/x.py", BAD_PY);
    dir.write("conda/conda-meta/history", "");
    dir.write("conda/lib/x.py", BAD_PY);
    dir.write("vendor/site-packages/y.py", BAD_PY);
    dir.write("web/node_modules/pkg/pod.yaml", BAD_YAML);
    dir.write("src/__pycache__/z.py", BAD_PY);
    dir.write(".mypy_cache/a.py", BAD_PY);
    dir.write("src/env.py", BAD_PY);
    let run = check(&dir, &[dir.path()]);
    assert_eq!(run.code, Some(1), "{}", run.stderr);
    assert_eq!(run.files, ["src/env.py"], "{}", run.stderr);
}

#[test]
fn a_negated_gitignore_pattern_does_not_bring_back_a_virtual_environment() {
    let dir = TempDir::new("walk-negated");
    dir.write(".gitignore", "!.venv/\n");
    dir.write(".venv/lib/site-packages/k.py", BAD_PY);
    dir.write("env.py", BAD_PY);
    let run = check(&dir, &[dir.path()]);
    assert_eq!(run.files, ["env.py"], "{}", run.stderr);
}

#[test]
fn a_file_named_on_the_command_line_is_checked_even_when_ignored() {
    let dir = TempDir::new("walk-explicit");
    dir.write(".gitignore", "build/\n*.py\n");
    let yaml = dir.write("build/out.yaml", BAD_YAML);
    let py = dir.write("gen.py", BAD_PY);
    let venv = dir.write(".venv/lib/site-packages/pod.yaml", BAD_YAML);
    let run = check(&dir, &[&yaml, &py, &venv]);
    assert_eq!(run.code, Some(1), "{}", run.stderr);
    assert_eq!(
        run.files,
        [
            "build/out.yaml",
            "gen.py",
            ".venv/lib/site-packages/pod.yaml"
        ],
        "{}",
        run.stderr
    );
    // Named folders are walked: an ignored folder named explicitly is read, its ignored
    // children are not.
    let run = check(&dir, &[&dir.join("build")]);
    assert_eq!(run.files, ["build/out.yaml"], "{}", run.stderr);
}

#[test]
fn output_is_sorted_per_argument_and_a_clean_tree_exits_zero() {
    let dir = TempDir::new("walk-order");
    let ok = "primary_container_name: primary\npod_spec:\n  containers:\n    - name: primary\n";
    for name in ["b/z.yaml", "a.yml", "b/a.py", "c.yaml", "B.yaml"] {
        dir.write(name, ok);
    }
    dir.write(".gitignore", "c.yaml\n");
    let run = check(&dir, &[dir.path()]);
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    assert_eq!(run.files, ["B.yaml", "a.yml", "b/a.py", "b/z.yaml"]);
    // Arguments keep their order; each folder is sorted within.
    let run = check(&dir, &[&dir.join("b"), &dir.join("a.yml")]);
    assert_eq!(run.files, ["b/a.py", "b/z.yaml", "a.yml"]);
}

#[test]
fn a_malformed_ignore_pattern_is_skipped_and_the_rest_still_applies() {
    let dir = TempDir::new("walk-badglob");
    dir.write(".gitignore", "a{b\nbuild/\n");
    dir.write("build/x.yaml", BAD_YAML);
    dir.write("env.yaml", BAD_YAML);
    let run = check(&dir, &[dir.path()]);
    assert_eq!(run.code, Some(1), "{}", run.stderr);
    assert_eq!(run.files, ["env.yaml"], "{}", run.stderr);
}
