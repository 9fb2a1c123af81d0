//! The editor integrations under `editors/` stay in step with the server: the VS Code settings
//! block matches `flyte_lsp::settings::SETTING_KEYS` and the values the server accepts. The
//! integrations themselves are tested in the real editors by `tests/editors/run.sh`.

use std::path::PathBuf;

use serde_json::{json, Map, Value};

use flyte_lsp::settings::{Settings, SETTING_KEYS};

/// Keys only the VS Code client reads; they are never sent to the server.
const CLIENT_ONLY: &[&str] = &["server.path", "importStrategy", "trace.server"];

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn package_json() -> Value {
    let path = root().join("editors/vscode/package.json");
    let text = std::fs::read_to_string(&path).expect("read editors/vscode/package.json");
    serde_json::from_str(&text).expect("package.json is JSON")
}

/// `contributes.configuration.properties`, keyed without the `flyte-lsp.` prefix.
fn settings_block() -> Map<String, Value> {
    let pkg = package_json();
    let props = pkg["contributes"]["configuration"]["properties"]
        .as_object()
        .expect("contributes.configuration.properties")
        .clone();
    props
        .into_iter()
        .map(|(k, v)| {
            let key = k
                .strip_prefix("flyte-lsp.")
                .unwrap_or_else(|| panic!("setting `{k}` is outside the `flyte-lsp` section"));
            (key.to_string(), v)
        })
        .collect()
}

fn strings(v: &Value) -> Vec<&str> {
    v.as_array()
        .expect("array")
        .iter()
        .map(|s| s.as_str().expect("string"))
        .collect()
}

#[test]
fn vscode_settings_match_the_server_settings() {
    let block = settings_block();
    for key in SETTING_KEYS {
        assert!(
            block.contains_key(*key),
            "editors/vscode/package.json lacks `flyte-lsp.{key}` (a server setting)"
        );
    }
    for key in block.keys() {
        assert!(
            SETTING_KEYS.contains(&key.as_str()) || CLIENT_ONLY.contains(&key.as_str()),
            "`flyte-lsp.{key}` in editors/vscode/package.json is not a server setting \
             (SETTING_KEYS) nor a client-only one"
        );
    }
    for (key, v) in &block {
        assert!(
            v["markdownDescription"].is_string() || v["description"].is_string(),
            "`flyte-lsp.{key}` needs a description"
        );
    }
}

#[test]
fn vscode_setting_values_are_the_ones_the_server_accepts() {
    let block = settings_block();

    let trigger = &block["diagnostics.trigger"];
    assert_eq!(strings(&trigger["enum"]), ["change", "save"]);
    assert_eq!(trigger["default"], "change");

    // "" (the default) means the newest embedded version; the client does not send it.
    let version = &block["kubernetesVersion"];
    assert_eq!(version["default"], "");
    let embedded: Vec<String> = flyte_lsp::schema::schemas()
        .versions()
        .map(|v| v.to_string())
        .collect();
    let offered: Vec<&str> = strings(&version["enum"]);
    assert_eq!(offered[0], "");
    assert_eq!(
        offered[1..].to_vec(),
        embedded.iter().map(String::as_str).collect::<Vec<_>>(),
        "kubernetesVersion's enum lists the embedded schema versions"
    );

    let rules = &block["rules"];
    assert_eq!(
        strings(&rules["additionalProperties"]["enum"]),
        ["off", "error", "warning", "information", "hint"]
    );
    let pattern = rules["propertyNames"]["pattern"].as_str().expect("pattern");
    assert_eq!(pattern, "^FLY[0-9]{3}$");
    for rule in flyte_lsp::analysis::diagnostics::RULES.iter() {
        let code = rule.code.as_bytes();
        assert!(
            code.len() == 6
                && rule.code.starts_with("FLY")
                && code[3..].iter().all(u8::is_ascii_digit),
            "{} would not match the settings pattern {pattern}",
            rule.code
        );
    }

    // Every documented field of `preview.cluster` is a string the server reads.
    let cluster = &block["preview.cluster"];
    assert_eq!(cluster["additionalProperties"], false);
    let mut platform = Map::new();
    for (key, field) in cluster["properties"]
        .as_object()
        .expect("preview.cluster.properties")
    {
        assert_eq!(field["type"], "string", "preview.cluster.{key}");
        let value = field["default"]
            .as_str()
            .unwrap_or("cluster/default-template.yaml");
        platform.insert(key.clone(), json!(value));
    }

    // What the client sends (the server keys, nested at the dots) reads without warnings.
    let sent = json!({
        "kubernetesVersion": offered.last().expect("a version"),
        "diagnostics": {"trigger": "save"},
        "rules": {"FLY101": "warning", "FLY102": "off"},
        "preview": {"cluster": platform},
    });
    let (settings, warnings) = Settings::from_json(&json!({ "flyte-lsp": sent }));
    assert!(warnings.is_empty(), "{warnings:?}");
    assert_eq!(settings.trigger, flyte_lsp::settings::Trigger::Save);
    assert_eq!(settings.platform.gpu_resource, "nvidia.com/gpu");
}

#[test]
fn vscode_extension_declares_its_commands_and_is_reproducible() {
    let pkg = package_json();
    let commands: Vec<(&str, &str)> = pkg["contributes"]["commands"]
        .as_array()
        .expect("commands")
        .iter()
        .map(|c| {
            (
                c["command"].as_str().expect("command"),
                c["title"].as_str().expect("title"),
            )
        })
        .collect();
    for (id, title) in [
        ("flyte-lsp.previewPod", "Preview pod"),
        ("flyte-lsp.restartServer", "Restart server"),
        ("flyte-lsp.showOutput", "Show output"),
    ] {
        assert!(
            commands.contains(&(id, title)),
            "{id} ({title}) in {commands:?}"
        );
    }
    assert!(strings(&pkg["activationEvents"]).contains(&"onLanguage:yaml"));
    // Exact versions, and the lock file committed next to them.
    let lock: Value = serde_json::from_str(
        &std::fs::read_to_string(root().join("editors/vscode/package-lock.json"))
            .expect("package-lock.json is committed"),
    )
    .expect("lock JSON");
    for section in ["dependencies", "devDependencies"] {
        for (name, version) in pkg[section].as_object().expect(section) {
            let version = version.as_str().expect("version");
            assert!(
                version.chars().next().is_some_and(|c| c.is_ascii_digit()),
                "{name} is pinned exactly ({version})"
            );
            assert_eq!(
                lock["packages"][format!("node_modules/{name}")]["version"],
                version,
                "package-lock.json is in step for {name}"
            );
        }
    }
    let ignore =
        std::fs::read_to_string(root().join("editors/vscode/.gitignore")).expect(".gitignore");
    for entry in ["node_modules/", "out/", "*.vsix"] {
        assert!(
            ignore.lines().any(|l| l == entry),
            "editors/vscode/.gitignore lists {entry}"
        );
    }
}

/// `key: value` lines of a `.pre-commit-hooks.yaml` with one hook (`- id:` counts as `id`).
fn hook_fields(path: &str) -> Vec<(String, String)> {
    let text = std::fs::read_to_string(root().join(path)).unwrap_or_else(|e| panic!("{path}: {e}"));
    text.lines()
        .filter(|l| !l.trim_start().starts_with('#'))
        .filter_map(|l| l.trim_start_matches("- ").trim().split_once(": "))
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

/// The hook at the root (built from source) and the hook repository's template (the wheel) are
/// the same hook: one id, one entry, the same files, both `language: python`, so switching
/// between them is changing `repo:` and `rev:`. tests/packaging/run.sh runs the template's.
#[test]
fn pre_commit_hooks_check_yaml_and_python_alike() {
    let root_hook = hook_fields(".pre-commit-hooks.yaml");
    let template = hook_fields("editors/pre-commit/template/.pre-commit-hooks.yaml");
    for (key, value) in [
        ("id", "flyte-lsp"),
        ("entry", "flyte-lsp check --force-exclude"),
        ("language", "python"),
        ("types_or", "[yaml, python]"),
    ] {
        for (path, fields) in [("the root", &root_hook), ("the template", &template)] {
            assert!(
                fields.iter().any(|(k, v)| k == key && v == value),
                "{path}'s .pre-commit-hooks.yaml lacks `{key}: {value}`: {fields:?}"
            );
        }
    }
    assert_eq!(
        root_hook.iter().filter(|(k, _)| k == "id").count(),
        1,
        "one hook at the root"
    );
}

#[test]
fn vscode_binary_choice_is_declared_and_documented() {
    let block = settings_block();
    let strategy = &block["importStrategy"];
    assert_eq!(
        strings(&strategy["enum"]),
        ["useBundled", "fromEnvironment"]
    );
    assert_eq!(strategy["default"], "useBundled");
    assert!(strategy["markdownDescription"]
        .as_str()
        .is_some_and(|d| d.contains("server.path")));
    let pkg = package_json();
    assert_eq!(pkg["scripts"]["package"], "node scripts/package.js");
    assert!(root().join("editors/vscode/scripts/package.js").is_file());
    // bundled/ is made by the package script and never committed, but it is packaged.
    let ignore =
        std::fs::read_to_string(root().join("editors/vscode/.gitignore")).expect(".gitignore");
    assert!(ignore.lines().any(|l| l == "bundled/"));
    let vscodeignore = std::fs::read_to_string(root().join("editors/vscode/.vscodeignore"))
        .expect(".vscodeignore");
    assert!(
        !vscodeignore.lines().any(|l| l.starts_with("bundled")),
        ".vscodeignore must not leave the bundled binary out"
    );
    let readme =
        std::fs::read_to_string(root().join("editors/vscode/README.md")).expect("README.md");
    for needle in [
        "flyte-lsp.importStrategy",
        "useBundled",
        "fromEnvironment",
        "npm run package",
        "--target darwin-arm64",
    ] {
        assert!(
            readme.contains(needle),
            "editors/vscode/README.md lacks `{needle}`"
        );
    }
}

#[test]
fn nvim_health_check_exists_and_is_documented() {
    assert!(root()
        .join("editors/nvim/lua/flyte_lsp/health.lua")
        .is_file());
    let readme = std::fs::read_to_string(root().join("editors/nvim/README.md")).expect("README");
    assert!(readme.contains(":checkhealth flyte_lsp"));
}

#[test]
fn vscode_files_settings_are_the_ones_the_server_reads() {
    let block = settings_block();
    // What the client sends when the user set nothing reads as the defaults, silently.
    let sent = json!({"files": {
        "include": block["files.include"]["default"],
        "exclude": block["files.exclude"]["default"],
        "kinds": block["files.kinds"]["default"],
    }});
    let (settings, warnings) = Settings::from_json(&json!({ "flyte-lsp": sent }));
    assert!(warnings.is_empty(), "{warnings:?}");
    assert!(settings.files.is_default());
    // Every kind offered is one the server (and the modeline) knows.
    for kind in strings(&block["files.kinds"]["additionalProperties"]["enum"]) {
        assert!(
            flyte_lsp::settings::files::kind_named(kind).is_some(),
            "files.kinds value {kind}"
        );
        let (_, warnings) =
            Settings::from_json(&json!({"files": {"kinds": {"deploy/*.yaml": kind}}}));
        assert!(warnings.is_empty(), "{kind}: {warnings:?}");
    }
}

fn read(path: &str) -> String {
    std::fs::read_to_string(root().join(path)).unwrap_or_else(|e| panic!("read {path}: {e}"))
}

/// The Python side of every integration: VS Code starts for `python` too and previews from it,
/// keyword completion is a setting that defaults to off (Pyright lists keywords), Neovim lists
/// `python` in its filetypes, Helix runs Pyright and flyte-lsp for Python.
#[test]
fn editors_start_for_python_too() {
    let pkg = package_json();
    let events = strings(&pkg["activationEvents"]);
    for event in ["onLanguage:yaml", "onLanguage:python"] {
        assert!(events.contains(&event), "activationEvents lacks {event}");
    }
    let palette = pkg["contributes"]["menus"]["commandPalette"]
        .as_array()
        .expect("commandPalette");
    let preview = palette
        .iter()
        .find(|m| m["command"] == "flyte-lsp.previewPod")
        .expect("Preview pod is in the command palette");
    let when = preview["when"].as_str().expect("when");
    assert!(
        when.contains("editorLangId == yaml") && when.contains("editorLangId == python"),
        "Preview pod's `when` covers YAML and Python: {when}"
    );
    let keyword = &settings_block()["python.keywordCompletion"];
    assert_eq!(keyword["type"], "boolean");
    assert_eq!(keyword["default"], false);
    // The default the server takes is the one VS Code shows.
    let (settings, warnings) =
        Settings::from_json(&json!({"flyte-lsp": {"python": {"keywordCompletion": false}}}));
    assert!(warnings.is_empty(), "{warnings:?}");
    assert_eq!(
        settings.python.keyword_completion,
        Settings::default().python.keyword_completion
    );

    let extension = read("editors/vscode/src/extension.ts");
    for language in ["yaml", "python"] {
        assert!(
            extension.contains(&format!("{{ scheme: 'file', language: '{language}' }}")),
            "the client's documentSelector lacks {language}"
        );
    }
    let readme = read("editors/vscode/README.md");
    for needle in [
        "flyte-lsp.python.keywordCompletion",
        "flyte-lsp.python.typeCheckerFindings",
    ] {
        assert!(
            readme.contains(needle),
            "editors/vscode/README.md lacks {needle}"
        );
    }

    let nvim = read("editors/nvim/lua/flyte_lsp/init.lua");
    assert!(
        nvim.contains("filetypes = { 'yaml', 'python' }"),
        "editors/nvim's config lists yaml and python in filetypes"
    );
    // lsp/flyte_lsp.lua (vim.lsp.enable) is the same configuration.
    assert!(read("editors/nvim/lsp/flyte_lsp.lua").contains("require('flyte_lsp').config()"));

    let helix: toml::Table = toml::from_str(&read("editors/helix/languages.toml"))
        .expect("editors/helix/languages.toml is TOML");
    let languages = helix["language"].as_array().expect("[[language]]");
    let servers = |name: &str| -> Vec<String> {
        let lang = languages
            .iter()
            .find(|l| l["name"].as_str() == Some(name))
            .unwrap_or_else(|| panic!("no [[language]] {name} in the Helix snippet"));
        lang["language-servers"]
            .as_array()
            .expect("language-servers")
            .iter()
            .map(|s| s.as_str().expect("a server name").to_string())
            .collect()
    };
    assert_eq!(servers("python"), ["pyright", "flyte-lsp"]);
    assert_eq!(servers("yaml"), ["flyte-lsp", "yaml-language-server"]);
    let flyte = &helix["language-server"]["flyte-lsp"];
    assert_eq!(flyte["command"].as_str(), Some("flyte-lsp"));
    assert_eq!(flyte["args"].as_array().map(Vec::len), Some(1));
}

/// Each editor's README shows a Python example, and the Emacs one says how to run flyte-lsp
/// beside another Python server (the multiplexer the editor test drives).
#[test]
fn editor_readmes_show_python() {
    for (readme, needles) in [
        ("editors/vscode/README.md", &["```python", ".py"][..]),
        (
            "editors/nvim/README.md",
            &["```python", "pyright", "FlytePreview"][..],
        ),
        (
            "editors/helix/README.md",
            &["```python", "hx --health python"][..],
        ),
        (
            "editors/emacs/README.md",
            &["```python", "rass", ":add-on? t", "lspx"][..],
        ),
    ] {
        let text = read(readme);
        for needle in needles {
            assert!(text.contains(needle), "{readme} lacks `{needle}`");
        }
    }
    let requirements = read("tests/editors/emacs/requirements.txt");
    let run = read("tests/editors/run.sh");
    let pinned = requirements
        .lines()
        .find_map(|l| l.strip_prefix("rassumfrassum=="))
        .and_then(|l| l.split_whitespace().next())
        .expect("rassumfrassum is pinned in tests/editors/emacs/requirements.txt");
    assert!(
        run.contains(&format!("RASS_VERSION={pinned} ")),
        "tests/editors/run.sh's RASS_VERSION is the pinned {pinned}"
    );
    assert!(
        read("editors/emacs/README.md").contains(&format!("rassumfrassum {pinned}")),
        "editors/emacs/README.md names the tested rassumfrassum {pinned}"
    );
}
