//! Which files are read, and as what: the `files.include`, `files.exclude` and `files.kinds`
//! settings.
//!
//! Globs are relative to a root: the workspace folder holding the file in an editor, the folder
//! holding `flyte-lsp.toml` for the CLI (the current directory when there is none). A file
//! outside every root is matched by its absolute path. The reading is gitignore's and ruff's: a
//! pattern with no `/` but a trailing one (`legacy`, `*.gen.yaml`) matches a file or folder name
//! at any depth; one with a `/` (`deploy/envs/*.yaml`) is anchored at the root; `*`, `?` and
//! `[...]` never cross a `/`, `**` does; a pattern that matches a folder matches everything
//! under it. `files.exclude` wins over `files.include`. Patterns are compiled once per settings
//! version (`globset`) and shared by every copy of the settings.

use std::path::{Component, Path, PathBuf};
use std::sync::{Arc, OnceLock};

use globset::{Candidate, GlobBuilder, GlobSet, GlobSetBuilder};
use serde_json::Value;

use crate::tree::{DocKind, Language};

/// What `files.include` is when unset: every file the walk reads. An editor document is then
/// read whatever its name (the client sent it as YAML or Python).
pub const DEFAULT_INCLUDE: &[&str] = &["**/*.yaml", "**/*.yml", "**/*.py", "**/*.pyi"];

/// The kind a modeline or a `files.kinds` value names: `task-environment`, `pod-template`,
/// `kubernetes` (Pod or PodTemplate, by its `kind`), `ignore` (also `off`, `none`).
pub fn kind_named(name: &str) -> Option<DocKind> {
    Some(match name {
        "task-environment" => DocKind::TaskEnvironment,
        "pod-template" => DocKind::FlytePodTemplate,
        "kubernetes" => DocKind::KubePodTemplate,
        "ignore" | "off" | "none" => DocKind::Unknown,
        _ => return None,
    })
}

/// What the settings say about one file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Selection {
    /// `files.exclude` matches it, or `files.include` is set and does not.
    pub excluded: bool,
    /// The kind `files.kinds` gives its documents (a modeline in a document still wins);
    /// `Some(DocKind::Unknown)` is `ignore`. For Python only `ignore` is kept: a Python file's
    /// constructs are recognised by what they call, not by a kind.
    pub kind: Option<DocKind>,
}

/// The `files.*` settings and the roots their globs are relative to.
#[derive(Clone)]
pub struct FileRules {
    /// `None`: unset (every file the walk reads, every document an editor sends).
    include: Option<Vec<String>>,
    exclude: Vec<String>,
    /// Pattern and kind, most specific first (see [`FileRules::select`]).
    kinds: Vec<(String, DocKind)>,
    /// The folders globs are relative to; the edge (server, CLI) sets them.
    pub roots: Vec<PathBuf>,
    compiled: Arc<Compiled>,
}

/// Each pattern compiles to two globs, the pattern and the pattern followed by `/**` (what is
/// under a matching folder), so glob `i` belongs to pattern `i / 2`.
struct Compiled {
    include: Option<GlobSet>,
    exclude: GlobSet,
    kinds: GlobSet,
}

impl Default for FileRules {
    fn default() -> Self {
        static EMPTY: OnceLock<Arc<Compiled>> = OnceLock::new();
        let compiled = EMPTY
            .get_or_init(|| {
                Arc::new(Compiled {
                    include: None,
                    exclude: GlobSet::empty(),
                    kinds: GlobSet::empty(),
                })
            })
            .clone();
        FileRules {
            include: None,
            exclude: Vec::new(),
            kinds: Vec::new(),
            roots: Vec::new(),
            compiled,
        }
    }
}

impl PartialEq for FileRules {
    fn eq(&self, other: &Self) -> bool {
        // The compiled sets follow from the patterns.
        self.include == other.include
            && self.exclude == other.exclude
            && self.kinds == other.kinds
            && self.roots == other.roots
    }
}

impl std::fmt::Debug for FileRules {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FileRules")
            .field("include", &self.include)
            .field("exclude", &self.exclude)
            .field("kinds", &self.kinds)
            .field("roots", &self.roots)
            .finish()
    }
}

impl FileRules {
    /// Reads the `files` object (`include`, `exclude`, `kinds`), leniently: a pattern that is
    /// not a valid glob, a kind that does not exist, or an unknown key is a warning and is left
    /// out; the rest applies.
    pub fn from_json(v: &Value, warnings: &mut Vec<String>) -> FileRules {
        let mut rules = FileRules::default();
        let Some(obj) = v.as_object() else {
            if !v.is_null() {
                warnings.push("files must be an object (include, exclude, kinds)".into());
            }
            return rules;
        };
        let mut include = None;
        let mut exclude = Vec::new();
        let mut kinds = Vec::new();
        for (key, value) in obj {
            match key.as_str() {
                // An empty list is the default (what an editor's settings UI sends when the
                // user set nothing), not "read nothing".
                "include" => {
                    include = Some(patterns("files.include", value, warnings))
                        .filter(|list| !list.is_empty());
                }
                "exclude" => exclude = patterns("files.exclude", value, warnings),
                "kinds" => kinds = read_kinds(value, warnings),
                other => warnings.push(format!(
                    "files.{other} ignored: expected include, exclude or kinds"
                )),
            }
        }
        // Most specific first: the longest pattern, then the alphabetical first, so the choice
        // does not depend on the order a settings file happens to list them in (VS Code's
        // `files.associations` also prefers the longest matching pattern).
        kinds.sort_by(|(a, _), (b, _): &(String, DocKind)| b.len().cmp(&a.len()).then(a.cmp(b)));
        let compiled = Compiled {
            include: include
                .as_deref()
                .map(|p| compile(p, warnings, "files.include")),
            exclude: compile(&exclude, warnings, "files.exclude"),
            kinds: compile(
                &kinds.iter().map(|(p, _)| p.clone()).collect::<Vec<_>>(),
                warnings,
                "files.kinds",
            ),
        };
        rules.include = include;
        rules.exclude = exclude;
        rules.kinds = kinds;
        rules.compiled = Arc::new(compiled);
        rules
    }

    /// True when no `files.*` setting is given.
    pub fn is_default(&self) -> bool {
        self.include.is_none() && self.exclude.is_empty() && self.kinds.is_empty()
    }

    /// What the settings say about the file at `path` (absolute, or relative to the current
    /// directory), read as `language`.
    pub fn select(&self, path: &Path, language: Language) -> Selection {
        if self.is_default() {
            return Selection::default();
        }
        let rel = self.relative(path);
        // One candidate (the path split into name and extension once) for the three sets.
        let rel = Candidate::new(&rel);
        let compiled = &self.compiled;
        let included = compiled
            .include
            .as_ref()
            .is_none_or(|set| set.is_match_candidate(&rel));
        let excluded = !included || compiled.exclude.is_match_candidate(&rel);
        // The first matching pattern in `kinds`' order is the most specific.
        let kind = (!self.kinds.is_empty())
            .then(|| compiled.kinds.matches_candidate(&rel))
            .into_iter()
            .flatten()
            .min()
            .and_then(|glob| self.kinds.get(glob / 2))
            .map(|(_, kind)| *kind)
            .filter(|kind| language == Language::Yaml || *kind == DocKind::Unknown);
        Selection { excluded, kind }
    }

    /// Whether the folder at `path` is excluded as a whole, so a walk need not enter it.
    pub fn excludes_dir(&self, path: &Path) -> bool {
        !self.exclude.is_empty() && self.compiled.exclude.is_match(self.relative(path))
    }

    /// `path` relative to the longest root that holds it; else the absolute path without its
    /// leading `/`, so patterns without a `/` still match names.
    fn relative(&self, path: &Path) -> PathBuf {
        let abs = absolute(path);
        if let Some(rel) = self.strip_root(&abs) {
            return rel;
        }
        // A root reached through a symlink, or a path spelled with one: compare real paths.
        let real = abs
            .parent()
            .and_then(|p| std::fs::canonicalize(p).ok())
            .zip(abs.file_name())
            .map(|(dir, name)| dir.join(name));
        if let Some(rel) = real.as_deref().and_then(|r| self.strip_root(r)) {
            return rel;
        }
        abs.components()
            .filter(|c| matches!(c, Component::Normal(_)))
            .collect()
    }

    fn strip_root(&self, abs: &Path) -> Option<PathBuf> {
        self.roots
            .iter()
            .filter_map(|root| match root.is_absolute() {
                true => abs.strip_prefix(root).ok(),
                false => abs.strip_prefix(absolute(root)).ok(),
            })
            .min_by_key(|rel| rel.as_os_str().len())
            .map(Path::to_path_buf)
    }
}

/// `path` made absolute against the current directory, with `.` and `..` resolved lexically.
fn absolute(path: &Path) -> PathBuf {
    let joined = if path.is_absolute() {
        path.to_path_buf()
    } else {
        std::env::current_dir().unwrap_or_default().join(path)
    };
    let mut out = PathBuf::new();
    for c in joined.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                out.pop();
            }
            other => out.push(other),
        }
    }
    out
}

/// A list of strings (a single string is a list of one).
fn patterns(name: &str, v: &Value, warnings: &mut Vec<String>) -> Vec<String> {
    match v {
        Value::Null => Vec::new(),
        Value::String(s) => vec![s.clone()],
        Value::Array(items) => items
            .iter()
            .filter_map(|item| match item.as_str() {
                Some(s) if !s.trim().is_empty() => Some(s.to_string()),
                _ => {
                    warnings.push(format!("{name}: {item} ignored, expected a glob string"));
                    None
                }
            })
            .collect(),
        _ => {
            warnings.push(format!("{name} must be a list of globs"));
            Vec::new()
        }
    }
}

fn read_kinds(v: &Value, warnings: &mut Vec<String>) -> Vec<(String, DocKind)> {
    let Some(obj) = v.as_object() else {
        if !v.is_null() {
            warnings.push("files.kinds must be an object: {\"glob\": \"task-environment\"}".into());
        }
        return Vec::new();
    };
    let mut out = Vec::new();
    for (pattern, kind) in obj {
        let Some(kind) = kind.as_str().and_then(kind_named) else {
            warnings.push(format!(
                "files.kinds.{pattern} ignored: the kind must be task-environment, pod-template, kubernetes or ignore"
            ));
            continue;
        };
        let python = pattern.ends_with(".py") || pattern.ends_with(".pyi");
        if python && kind != DocKind::Unknown {
            warnings.push(format!(
                "files.kinds.{pattern} ignored: Python files take only `ignore` (their constructs are recognised by what they call)"
            ));
            continue;
        }
        out.push((pattern.clone(), kind));
    }
    out
}

/// Compiles each pattern as itself and as what is under it; a pattern that does not compile is
/// a warning and matches nothing (its slots hold a glob that cannot match, so indices stay
/// `2 * pattern`).
fn compile(patterns: &[String], warnings: &mut Vec<String>, name: &str) -> GlobSet {
    let mut builder = GlobSetBuilder::new();
    for pattern in patterns {
        let anchored = anchored(pattern);
        for glob in [anchored.clone(), format!("{anchored}/**")] {
            match GlobBuilder::new(&glob).literal_separator(true).build() {
                Ok(g) => {
                    builder.add(g);
                }
                Err(e) => {
                    if !glob.ends_with("/**") {
                        warnings.push(format!("{name}: `{pattern}` is not a valid glob: {e}"));
                    }
                    // A NUL never occurs in a path: a placeholder that matches nothing.
                    if let Ok(never) = GlobBuilder::new("\u{0}").build() {
                        builder.add(never);
                    }
                }
            }
        }
    }
    builder.build().unwrap_or_else(|e| {
        warnings.push(format!("{name}: {e}"));
        GlobSet::empty()
    })
}

/// The glob a pattern means relative to the root: `./x` and `/x` are `x` anchored; a pattern
/// without an inner `/` matches at any depth (`**/x`); a trailing `/` is dropped.
fn anchored(pattern: &str) -> String {
    let p = pattern.trim();
    let p = p.strip_prefix("./").unwrap_or(p);
    let (p, rooted) = match p.strip_prefix('/') {
        Some(rest) => (rest, true),
        None => (p, false),
    };
    let p = p.trim_end_matches('/');
    if rooted || p.contains('/') {
        p.to_string()
    } else {
        format!("**/{p}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn rules(v: Value) -> FileRules {
        let mut w = Vec::new();
        let mut r = FileRules::from_json(&v, &mut w);
        assert!(w.is_empty(), "{w:?}");
        r.roots = vec![PathBuf::from("/ws")];
        r
    }

    fn excluded(r: &FileRules, p: &str) -> bool {
        r.select(Path::new(p), Language::Yaml).excluded
    }

    #[test]
    fn exclude_wins_and_names_match_at_any_depth() {
        let r = rules(
            json!({"include": ["deploy/**", "*.flyte.yaml"], "exclude": ["legacy", "deploy/tmp/*.yaml"]}),
        );
        assert!(!excluded(&r, "/ws/deploy/a.yaml"));
        assert!(
            !excluded(&r, "/ws/other/x.flyte.yaml"),
            "a name at any depth"
        );
        assert!(excluded(&r, "/ws/other/x.yaml"), "not included");
        assert!(
            excluded(&r, "/ws/deploy/legacy/a.yaml"),
            "under an excluded folder"
        );
        assert!(excluded(&r, "/ws/deploy/tmp/a.yaml"));
        assert!(
            !excluded(&r, "/ws/deploy/tmp/sub/a.yaml"),
            "`*` does not cross `/`"
        );
        assert!(r.excludes_dir(Path::new("/ws/a/legacy")));
        assert!(!r.excludes_dir(Path::new("/ws/deploy")));
        // Outside the root, only unanchored patterns can match.
        assert!(excluded(&r, "/elsewhere/deploy/a.yaml"));
        assert!(!excluded(&r, "/elsewhere/x.flyte.yaml"));
        assert!(!excluded(&r, "/ws/./deploy/../deploy/a.yaml"));
    }

    #[test]
    fn the_most_specific_kind_wins_and_python_takes_only_ignore() {
        let r = rules(json!({"kinds": {
            "deploy/**": "kubernetes",
            "deploy/envs/*.yaml": "task-environment",
            "scratch": "ignore",
        }}));
        let kind = |p: &str, l| r.select(Path::new(p), l).kind;
        assert_eq!(
            kind("/ws/deploy/envs/a.yaml", Language::Yaml),
            Some(DocKind::TaskEnvironment)
        );
        assert_eq!(
            kind("/ws/deploy/b.yaml", Language::Yaml),
            Some(DocKind::KubePodTemplate)
        );
        assert_eq!(kind("/ws/deploy/b.py", Language::Python), None);
        assert_eq!(
            kind("/ws/x/scratch/c.py", Language::Python),
            Some(DocKind::Unknown)
        );
        assert_eq!(kind("/ws/c.yaml", Language::Yaml), None);
        assert!(!r.select(Path::new("/ws/c.yaml"), Language::Yaml).excluded);
    }

    #[test]
    fn toml_and_json_read_the_same() {
        use crate::settings::Settings;
        let (toml, w) = Settings::from_toml(
            "[files]\ninclude = [\"flyte/**\"]\nexclude = [\"legacy\"]\n[files.kinds]\n\"deploy/*.yaml\" = \"pod-template\"\n",
        );
        assert!(w.is_empty(), "{w:?}");
        let (json, w) = Settings::from_json(&json!({"files": {
            "include": ["flyte/**"], "exclude": ["legacy"], "kinds": {"deploy/*.yaml": "pod-template"}
        }}));
        assert!(w.is_empty(), "{w:?}");
        assert_eq!(toml.files, json.files);
        assert!(!toml.files.is_default());
        assert_eq!(
            toml.files.kinds,
            vec![("deploy/*.yaml".to_string(), DocKind::FlytePodTemplate)]
        );
    }

    #[test]
    fn bad_entries_warn_and_the_rest_applies() {
        let mut w = Vec::new();
        let r = FileRules::from_json(
            &json!({"include": [], "exclude": ["a[", 3, "ok"], "kinds": {"x.py": "pod-template", "y": "yaml", "z": "ignore"}, "other": 1}),
            &mut w,
        );
        assert_eq!(w.len(), 5, "{w:?}");
        assert!(r.include.is_none(), "an empty include is the default");
        assert_eq!(r.kinds, vec![("z".to_string(), DocKind::Unknown)]);
        assert!(r.select(Path::new("/ok/f.yaml"), Language::Yaml).excluded);
        assert!(!r.select(Path::new("/a[/f.yaml"), Language::Yaml).excluded);
        assert!(FileRules::default().is_default());
        assert_eq!(
            FileRules::default(),
            FileRules::from_json(&json!({}), &mut w)
        );
    }
}
