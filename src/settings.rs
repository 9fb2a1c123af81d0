//! User settings, shared by the server and the CLI.
//!
//! Settings arrive as JSON (LSP `initializationOptions`, `workspace/configuration`) or TOML
//! (`flyte-lsp.toml` for the CLI). Reading is lenient: an unknown key or a bad value is
//! reported as a warning and the rest still applies, so one typo never disables the server.

pub mod files;

use std::collections::BTreeMap;

use serde_json::Value;

pub use files::{FileRules, Selection};

use crate::schema::{schemas, KubeVersion};

/// How serious a finding is; the names match LSP's and the JSON output's. It lives here, below
/// `analysis`, because rule levels map onto it; `analysis` re-exports it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    Error,
    Warning,
    Information,
    Hint,
}

impl Severity {
    pub fn name(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Information => "information",
            Severity::Hint => "hint",
        }
    }
}

/// When the server publishes diagnostics.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Trigger {
    /// On open and on every change (default).
    #[default]
    Change,
    /// On open and on save only.
    Save,
}

/// A rule's configured level.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RuleLevel {
    Off,
    Error,
    Warning,
    Information,
    Hint,
}

impl RuleLevel {
    pub fn parse(s: &str) -> Option<RuleLevel> {
        Some(match s {
            "off" => RuleLevel::Off,
            "error" => RuleLevel::Error,
            "warning" => RuleLevel::Warning,
            "information" | "info" => RuleLevel::Information,
            "hint" => RuleLevel::Hint,
            _ => return None,
        })
    }

    pub fn severity(self) -> Option<Severity> {
        match self {
            RuleLevel::Off => None,
            RuleLevel::Error => Some(Severity::Error),
            RuleLevel::Warning => Some(Severity::Warning),
            RuleLevel::Information => Some(Severity::Information),
            RuleLevel::Hint => Some(Severity::Hint),
        }
    }
}

/// Platform defaults for the preview's cluster layer (`preview.cluster`), as a stock Flyte
/// deployment configures them (flytepropeller `default-cpus`, `default-memory`; the NVIDIA
/// device plugin's resource name).
#[derive(Debug, Clone, PartialEq)]
pub struct Platform {
    /// Path to the cluster's default PodTemplate (the `default-pod-template-name` one), if any.
    pub pod_template: Option<std::path::PathBuf>,
    pub default_cpu: String,
    pub default_memory: String,
    pub gpu_resource: String,
}

impl Default for Platform {
    fn default() -> Self {
        Platform {
            pod_template: None,
            default_cpu: "1".to_string(),
            default_memory: "1024Mi".to_string(),
            gpu_resource: "nvidia.com/gpu".to_string(),
        }
    }
}

/// Every setting. The JSON names are camelCase (`kubernetesVersion`, `diagnostics.trigger`,
/// `rules`), nested under the `flyte-lsp` section in editors.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Settings {
    /// Selected Kubernetes version; `None` means the newest embedded.
    pub kubernetes_version: Option<KubeVersion>,
    pub trigger: Trigger,
    /// Per-rule level overrides, by code.
    pub rules: BTreeMap<String, RuleLevel>,
    /// `preview.cluster`: what the preview's cluster layer assumes.
    pub platform: Platform,
    /// `python.*`: how Python files are read.
    pub python: PythonSettings,
    /// `files.*`: which files are read, and as what (globs; see [`files`]).
    pub files: FileRules,
    /// Whether these settings serve an editor (the server sets it on every copy it hands
    /// out). Defaults that differ between an editor and a batch `check` follow it.
    pub editor: bool,
}

/// The newest kubernetes client major version the Python front end knows.
pub const NEWEST_KUBERNETES_CLIENT: u32 = 37;

/// `python.*` settings.
#[derive(Debug, Clone, PartialEq)]
pub struct PythonSettings {
    /// `python.kubernetesClient`: the major version of the kubernetes Python client the code
    /// runs with. From 37 the models are pydantic: typed (a quantity must be a `str`) and they
    /// accept the API's camelCase names as keywords too; up to 36 they take only their
    /// snake_case attribute names, and any value. Default: the newest.
    pub kubernetes_client: u32,
    /// `python.typeCheckerFindings`: `"report"` or `"leave"`. What a type checker (Pyright,
    /// Pylance) already reports in a typed client (≥ 37): unknown keywords, wrong literal
    /// types, missing required keywords. `None` means: leave them in an editor, report them in
    /// `check` (CI has no type checker).
    pub type_checker_findings: Option<TypeCheckerFindings>,
    /// `python.keywordCompletion`: offer keyword names inside recognised calls. Off by default:
    /// a type checker (Pyright, Pylance) lists them from the models' signatures, and two lists
    /// of the same names help nobody. For editors without one.
    pub keyword_completion: bool,
}

impl Default for PythonSettings {
    fn default() -> Self {
        PythonSettings {
            kubernetes_client: NEWEST_KUBERNETES_CLIENT,
            type_checker_findings: None,
            keyword_completion: false,
        }
    }
}

/// What to do with the findings a type checker also gives.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TypeCheckerFindings {
    Report,
    Leave,
}

/// The codes a type checker reports as well on typed (kubernetes ≥ 37, flyte) Python calls:
/// an unknown keyword, a value of the wrong Python type, a missing required keyword.
pub const TYPE_CHECKER_CODES: &[&str] = &["FLY101", "FLY103", "FLY104", "FLY324"];

/// The documented setting keys, for editors' settings blocks (checked by a test).
pub const SETTING_KEYS: &[&str] = &[
    "kubernetesVersion",
    "diagnostics.trigger",
    "rules",
    "preview.cluster",
    "python.kubernetesClient",
    "python.typeCheckerFindings",
    "python.keywordCompletion",
    "files.include",
    "files.exclude",
    "files.kinds",
];

impl Settings {
    pub fn with_kubernetes_version(v: &str) -> Settings {
        Settings {
            kubernetes_version: KubeVersion::parse(v),
            ..Settings::default()
        }
    }

    pub fn kubernetes_version(&self) -> Option<KubeVersion> {
        self.kubernetes_version
    }

    pub fn rule_level(&self, code: &str) -> Option<RuleLevel> {
        self.rules.get(code).copied()
    }

    /// Whether Python findings a type checker also reports are left to it: by the setting, else
    /// in an editor (beside Pyright) but not in `check`; never for an untyped client (≤ 36),
    /// where no type checker can see them.
    pub fn leaves_to_type_checker(&self) -> bool {
        let leave = match self.python.type_checker_findings {
            Some(TypeCheckerFindings::Leave) => true,
            Some(TypeCheckerFindings::Report) => false,
            None => self.editor,
        };
        leave && self.python.kubernetes_client >= 37
    }

    /// Reads settings from JSON, leniently. Accepts the object itself or one wrapped in a
    /// `flyte-lsp` key. Returns the settings and warnings about what was ignored.
    pub fn from_json(value: &Value) -> (Settings, Vec<String>) {
        let value = value.get("flyte-lsp").unwrap_or(value);
        let mut settings = Settings::default();
        let mut warnings = Vec::new();
        let Some(obj) = value.as_object() else {
            if !value.is_null() {
                warnings.push("settings must be an object".to_string());
            }
            return (settings, warnings);
        };
        for (key, v) in obj {
            match key.as_str() {
                "kubernetesVersion" => match v {
                    Value::Null => {}
                    Value::String(s) => settings.set_version(s, &mut warnings),
                    Value::Number(n) => settings.set_version(&n.to_string(), &mut warnings),
                    _ => {
                        warnings.push("kubernetesVersion must be a string such as \"1.37\"".into())
                    }
                },
                "diagnostics" => {
                    if let Some(t) = v.get("trigger") {
                        match t.as_str() {
                            Some("change") => settings.trigger = Trigger::Change,
                            Some("save") => settings.trigger = Trigger::Save,
                            _ => warnings
                                .push("diagnostics.trigger must be \"change\" or \"save\"".into()),
                        }
                    }
                }
                "rules" => {
                    for (code, level) in v.as_object().into_iter().flatten() {
                        match level.as_str().and_then(RuleLevel::parse) {
                            Some(l) => {
                                settings.rules.insert(code.clone(), l);
                            }
                            None => warnings.push(format!(
                                "rules.{code} must be one of off, error, warning, information, hint"
                            )),
                        }
                    }
                }
                "preview" => {
                    if let Some(cluster) = v.get("cluster") {
                        settings.read_platform(cluster, &mut warnings);
                    }
                }
                "python" => settings.read_python(v, &mut warnings),
                "files" => settings.files = FileRules::from_json(v, &mut warnings),
                other => warnings.push(format!("unknown setting `{other}` ignored")),
            }
        }
        (settings, warnings)
    }

    /// Reads settings from a `flyte-lsp.toml` (same keys as the JSON settings, e.g.
    /// `kubernetesVersion = "1.35"`, `[rules]` `FLY102 = "off"`). A TOML syntax error is a
    /// warning and yields the defaults.
    pub fn from_toml(text: &str) -> (Settings, Vec<String>) {
        match toml::from_str::<Value>(text) {
            Ok(v) => Settings::from_json(&v),
            Err(e) => (
                Settings::default(),
                vec![format!("flyte-lsp.toml: {}", e.message())],
            ),
        }
    }

    /// The nearest `flyte-lsp.toml` in `start` or one of its parent folders.
    pub fn find_config(start: &std::path::Path) -> Option<std::path::PathBuf> {
        let start = if start.is_file() {
            start.parent()?
        } else {
            start
        };
        start
            .ancestors()
            .map(|dir| dir.join("flyte-lsp.toml"))
            .find(|p| p.is_file())
    }

    fn read_platform(&mut self, v: &Value, warnings: &mut Vec<String>) {
        let Some(obj) = v.as_object() else {
            warnings.push("preview.cluster must be an object".into());
            return;
        };
        for (key, value) in obj {
            let text = value.as_str().map(str::to_string);
            match (key.as_str(), text) {
                ("podTemplate", Some(p)) => self.platform.pod_template = Some(p.into()),
                ("defaultCpu", Some(c)) => self.platform.default_cpu = c,
                ("defaultMemory", Some(m)) => self.platform.default_memory = m,
                ("gpuResource", Some(g)) => self.platform.gpu_resource = g,
                (k, _) => warnings.push(format!("preview.cluster.{k} ignored: expected podTemplate, defaultCpu, defaultMemory or gpuResource with a string value")),
            }
        }
    }

    fn read_python(&mut self, v: &Value, warnings: &mut Vec<String>) {
        let Some(obj) = v.as_object() else {
            warnings.push("python must be an object".into());
            return;
        };
        for (key, value) in obj {
            match (key.as_str(), value) {
                ("kubernetesClient", Value::Number(n))
                    if n.as_u64().is_some_and(|m| (1..=99).contains(&m)) =>
                {
                    self.python.kubernetes_client =
                        n.as_u64().map_or(NEWEST_KUBERNETES_CLIENT, |m| m as u32);
                }
                ("kubernetesClient", Value::String(s))
                    if s.split('.')
                        .next()
                        .and_then(|m| m.parse::<u32>().ok())
                        .is_some() =>
                {
                    self.python.kubernetes_client = s
                        .split('.')
                        .next()
                        .and_then(|m| m.parse().ok())
                        .unwrap_or(NEWEST_KUBERNETES_CLIENT);
                }
                ("typeCheckerFindings", Value::String(s)) if s == "report" => {
                    self.python.type_checker_findings = Some(TypeCheckerFindings::Report);
                }
                ("typeCheckerFindings", Value::String(s)) if s == "leave" => {
                    self.python.type_checker_findings = Some(TypeCheckerFindings::Leave);
                }
                ("keywordCompletion", Value::Bool(b)) => self.python.keyword_completion = *b,
                ("keywordCompletion", _) => {
                    warnings.push("python.keywordCompletion must be true or false".into())
                }
                ("kubernetesClient", _) => warnings.push(
                    "python.kubernetesClient must be a major version such as 37 (or \"36.1\")"
                        .into(),
                ),
                ("typeCheckerFindings", _) => warnings
                    .push("python.typeCheckerFindings must be \"report\" or \"leave\"".into()),
                (k, _) => warnings.push(format!(
                    "python.{k} ignored: expected kubernetesClient, typeCheckerFindings or \
                     keywordCompletion"
                )),
            }
        }
    }

    fn set_version(&mut self, s: &str, warnings: &mut Vec<String>) {
        match KubeVersion::parse(s) {
            Some(v) if schemas().get(v).is_some() => self.kubernetes_version = Some(v),
            _ => {
                let known: Vec<String> = schemas().versions().map(|v| v.to_string()).collect();
                warnings.push(format!(
                    "kubernetesVersion {s} is not embedded (known: {}); using the newest",
                    known.join(", ")
                ));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn python_settings_and_who_reports_what_a_type_checker_reports() {
        let (s, w) = Settings::from_json(
            &json!({"python": {"kubernetesClient": 36, "typeCheckerFindings": "leave"}}),
        );
        assert!(w.is_empty(), "{w:?}");
        assert_eq!(s.python.kubernetes_client, 36);
        // An untyped client: no type checker sees anything, so nothing is left to it.
        assert!(!s.leaves_to_type_checker());
        let (mut s, _) = Settings::from_json(&json!({"python": {"kubernetesClient": "37.0.2"}}));
        assert_eq!(s.python.kubernetes_client, 37);
        assert!(
            !s.leaves_to_type_checker(),
            "check reports everything by default"
        );
        s.editor = true;
        assert!(
            s.leaves_to_type_checker(),
            "an editor leaves it to Pyright by default"
        );
        s.python.type_checker_findings = Some(TypeCheckerFindings::Report);
        assert!(!s.leaves_to_type_checker());
        let (s, w) = Settings::from_json(
            &json!({"python": {"kubernetesClient": "new", "typeCheckerFindings": 1, "other": 2}}),
        );
        assert_eq!(w.len(), 3, "{w:?}");
        assert_eq!(s.python, PythonSettings::default());
    }
    use serde_json::json;

    #[test]
    fn reads_every_setting() {
        let (s, w) = Settings::from_json(&json!({
            "kubernetesVersion": "1.35",
            "diagnostics": {"trigger": "save"},
            "rules": {"FLY102": "off", "FLY101": "warning"}
        }));
        assert!(w.is_empty(), "{w:?}");
        assert_eq!(s.kubernetes_version, Some(KubeVersion(35)));
        assert_eq!(s.trigger, Trigger::Save);
        assert_eq!(s.rule_level("FLY102"), Some(RuleLevel::Off));
    }

    #[test]
    fn toml_has_the_same_keys() {
        let (s, w) = Settings::from_toml(
            "kubernetesVersion = \"1.36\"\n[diagnostics]\ntrigger = \"save\"\n[rules]\nFLY102 = \"off\"\n[preview.cluster]\ndefaultCpu = \"500m\"\n",
        );
        assert!(w.is_empty(), "{w:?}");
        assert_eq!(s.kubernetes_version, Some(KubeVersion(36)));
        assert_eq!(s.trigger, Trigger::Save);
        assert_eq!(s.rule_level("FLY102"), Some(RuleLevel::Off));
        assert_eq!(s.platform.default_cpu, "500m");
        let (_, w) = Settings::from_toml("kubernetesVersion = ");
        assert_eq!(w.len(), 1);
    }

    #[test]
    fn bad_values_warn_and_keep_the_rest() {
        let (s, w) = Settings::from_json(&json!({"flyte-lsp": {
            "kubernetesVersion": "1.2", "diagnostics": {"trigger": "sometimes"},
            "rules": {"FLY101": "loud", "FLY102": "hint"}, "colour": 1
        }}));
        assert_eq!(w.len(), 4, "{w:?}");
        assert_eq!(s.kubernetes_version, None);
        assert_eq!(s.rule_level("FLY102"), Some(RuleLevel::Hint));
    }
}
