//! `eventlint.toml`: rule selection, per-rule severity and options, per-path ignores and policy
//! paths. Found upward from the current directory, or named with `--config`. Parsed with serde
//! (`deny_unknown_fields`); every error names the file, the line and the key.
//!
//! ```toml
//! select = ["EL1", "EL7"]
//! ignore = ["dangling-channel", "EL903:sqs_queue_encrypted"]   # one Guard rule: `EL903:<rule>`
//! fail-on = "error"
//! policies = ["policies/*.guard"]
//! max-file-size = 8388608   # bytes; larger templates are reported (EL901), not read
//!
//! [rules.EL106]
//! severity = "error"
//! visibility-factor = 4
//!
//! [per-path-ignores]
//! "legacy/**" = ["EL101"]
//! ```

use std::collections::BTreeMap;
use std::ops::Range;
use std::path::{Path, PathBuf};

use serde::Deserialize;
use toml::Spanned;
use toml::de::{DeTable, DeValue};

use crate::diagnostic::Severity;
use crate::engine::{PathIgnore, policy_selector, selector_known};
use crate::rules::rule::{RuleOptions, lookup};

/// The file looked for in the current directory and its parents.
pub const FILE_NAME: &str = "eventlint.toml";

/// A configuration that cannot be read or is invalid.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read `{}`: {source}", .path.display())]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{file}:{line}: {}{message}", key_prefix(.key.as_deref()))]
    Invalid {
        /// The file as given or found.
        file: String,
        /// 1-based.
        line: usize,
        /// Dotted path of the offending key (`rules.EL106.severity`), when the file parses.
        key: Option<String>,
        message: String,
    },
}

fn key_prefix(key: Option<&str>) -> String {
    key.map(|k| format!("key `{k}`: ")).unwrap_or_default()
}

/// The settings of one configuration file, validated against the rule registry.
#[derive(Debug, Default)]
pub struct Config {
    /// Codes, names or code prefixes.
    pub select: Vec<String>,
    pub ignore: Vec<String>,
    pub fail_on: Option<Severity>,
    /// Rule code -> severity.
    pub severities: Vec<(String, Severity)>,
    pub options: RuleOptions,
    pub per_path: Vec<PathIgnore>,
    /// Guard policy files or folders, relative to the configuration's folder.
    pub policies: Vec<PathBuf>,
    /// Largest template file read, in bytes (`max-file-size`).
    pub max_file_size: Option<u64>,
    /// The `EL903:<rule>` entries of `ignore` and `per-path-ignores`, checked against the
    /// policies' rules once those are known ([`Config::check_policy_rules`]).
    pub policy_rules: Vec<PolicyRuleEntry>,
}

/// An `EL903:<rule>` entry of the configuration and where it is.
#[derive(Debug)]
pub struct PolicyRuleEntry {
    /// The Guard rule it names.
    pub rule: String,
    file: String,
    line: usize,
    key: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct Raw {
    #[serde(default)]
    select: Vec<Spanned<String>>,
    #[serde(default)]
    ignore: Vec<Spanned<String>>,
    fail_on: Option<Severity>,
    /// Rule code or name -> `severity` and the rule's options.
    #[serde(default)]
    rules: BTreeMap<Spanned<String>, BTreeMap<Spanned<String>, Spanned<toml::Value>>>,
    /// Glob -> rules.
    #[serde(default)]
    per_path_ignores: BTreeMap<Spanned<String>, Vec<Spanned<String>>>,
    #[serde(default)]
    policies: Vec<Spanned<String>>,
    max_file_size: Option<Spanned<i64>>,
}

/// `eventlint.toml` in `start` or the nearest of its parents that has one.
#[must_use]
pub fn find(start: &Path) -> Option<PathBuf> {
    start
        .ancestors()
        .map(|dir| dir.join(FILE_NAME))
        .find(|p| p.is_file())
}

impl Config {
    /// Read and validate the configuration at `path`.
    ///
    /// # Errors
    /// When the file cannot be read or is invalid.
    pub fn load(path: &Path) -> Result<Config, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
            path: path.to_path_buf(),
            source,
        })?;
        Config::parse(&text, path)
    }

    /// Validate configuration text read from `path` (globs and policies are relative to its
    /// folder).
    ///
    /// # Errors
    /// A [`ConfigError::Invalid`] naming the line and key of the first problem.
    pub fn parse(text: &str, path: &Path) -> Result<Config, ConfigError> {
        let at = Located {
            text,
            file: crate::load::display_path(path),
        };
        let raw: Raw = toml::from_str(text).map_err(|e| {
            let message = match e.message().strip_prefix("unknown field `") {
                Some(rest) => format!(
                    "unknown key{}",
                    rest.split_once('`').map_or("", |(_, tail)| tail)
                ),
                None => e.message().trim_end().to_string(),
            };
            at.error(e.span().unwrap_or(0..0), message)
        })?;
        let base = path
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        let mut policy_rules = Vec::new();
        let mut config = Config {
            select: at.selectors(&raw.select, None)?,
            ignore: at.selectors(&raw.ignore, Some(&mut policy_rules))?,
            fail_on: raw.fail_on,
            policies: at.policies(&raw.policies, base)?,
            ..Config::default()
        };
        if let Some(size) = &raw.max_file_size {
            let bytes = u64::try_from(*size.get_ref())
                .ok()
                .filter(|&b| b > 0)
                .ok_or_else(|| at.error(size.span(), "expected a positive number of bytes"))?;
            config.max_file_size = Some(bytes);
        }
        for (rule, table) in &raw.rules {
            let Some(meta) = lookup(rule.get_ref()) else {
                return Err(at.error(
                    rule.span(),
                    format!(
                        "unknown rule `{}`: not a code or name of any rule",
                        rule.get_ref()
                    ),
                ));
            };
            for (key, value) in table {
                let span = value.span();
                if key.get_ref() == "severity" {
                    let sev = value.get_ref().as_str().and_then(Severity::parse);
                    let Some(sev) = sev else {
                        let msg = format!(
                            "expected \"error\", \"warning\" or \"info\", found {}",
                            value.get_ref()
                        );
                        return Err(at.error(span, msg));
                    };
                    config.severities.push((meta.code.to_string(), sev));
                } else if let Some(opt) = meta.options.iter().find(|o| o.name == key.get_ref()) {
                    match value.get_ref().as_integer() {
                        Some(v) if v >= opt.min => config.options.set(meta.code, opt.name, v),
                        _ => {
                            let msg = format!("expected an integer of at least {}", opt.min);
                            return Err(at.error(span, msg));
                        }
                    }
                } else if let Some(opt) = meta.lists.iter().find(|o| o.name == key.get_ref()) {
                    let items: Option<Vec<String>> = value
                        .get_ref()
                        .as_array()
                        .and_then(|a| a.iter().map(|v| v.as_str().map(str::to_string)).collect());
                    match items {
                        Some(v) if !v.is_empty() => config.options.set_list(meta.code, opt.name, v),
                        _ => {
                            let msg = "expected a non-empty array of strings".to_string();
                            return Err(at.error(span, msg));
                        }
                    }
                } else {
                    let known: Vec<String> = std::iter::once("severity")
                        .chain(meta.options.iter().map(|o| o.name))
                        .chain(meta.lists.iter().map(|o| o.name))
                        .map(|k| format!("`{k}`"))
                        .collect();
                    let msg = format!("unknown key, {} accepts {}", meta.code, known.join(", "));
                    return Err(at.error(key.span(), msg));
                }
            }
        }
        for (pattern, rules) in &raw.per_path_ignores {
            let mut glob = pattern.get_ref().trim_start_matches("./").to_string();
            if !glob.contains('/') {
                glob = format!("**/{glob}");
            }
            let glob = globset::GlobBuilder::new(&glob)
                .literal_separator(true)
                .build()
                .map_err(|e| at.error(pattern.span(), format!("invalid glob: {}", e.kind())))?;
            config.per_path.push(PathIgnore {
                glob: glob.compile_matcher(),
                base: base.to_path_buf(),
                rules: at.selectors(rules, Some(&mut policy_rules))?,
            });
        }
        config.policy_rules = policy_rules;
        Ok(config)
    }

    /// Check the `EL903:<rule>` entries against the Guard rules the policies define, as rule
    /// codes are checked when the file is read.
    ///
    /// # Errors
    /// A [`ConfigError::Invalid`] naming the first entry whose rule no policy defines.
    pub fn check_policy_rules(
        &self,
        defined: &std::collections::BTreeSet<String>,
    ) -> Result<(), ConfigError> {
        let Some(entry) = self
            .policy_rules
            .iter()
            .find(|e| !defined.contains(&e.rule))
        else {
            return Ok(());
        };
        const LISTED: usize = 12;
        let known = if defined.len() <= LISTED {
            let names: Vec<String> = defined.iter().map(|n| format!("`{n}`")).collect();
            format!("the policies define {}", names.join(", "))
        } else {
            format!("the policies define {} rules", defined.len())
        };
        Err(ConfigError::Invalid {
            file: entry.file.clone(),
            line: entry.line,
            key: entry.key.clone(),
            message: format!(
                "unknown policy rule `{}`: no Guard policy defines it ({known})",
                entry.rule
            ),
        })
    }
}

/// The text being parsed, for turning byte spans into lines and keys.
struct Located<'a> {
    text: &'a str,
    file: String,
}

impl Located<'_> {
    fn error(&self, span: Range<usize>, message: impl Into<String>) -> ConfigError {
        let (line, key) = self.place(span.start);
        ConfigError::Invalid {
            file: self.file.clone(),
            line,
            key,
            message: message.into(),
        }
    }

    /// The 1-based line and the dotted key path of byte `at`.
    fn place(&self, at: usize) -> (usize, Option<String>) {
        let before = self.text.as_bytes().get(..at).unwrap_or_default();
        let line = before.iter().filter(|&&b| b == b'\n').count() + 1;
        (line, key_path(self.text, at))
    }

    /// Guard policy paths, relative to the configuration's folder: files, folders holding at
    /// least one policy file, or globs (`policies/*.guard`) matching at least one file.
    fn policies(&self, list: &[Spanned<String>], base: &Path) -> Result<Vec<PathBuf>, ConfigError> {
        let mut out = Vec::new();
        for p in list {
            let entry = p.get_ref();
            let path = base.join(entry);
            if is_glob(entry) {
                let found = self.policy_glob(p, base)?;
                if found.is_empty() {
                    let msg = format!("policy glob `{entry}` matches no file");
                    return Err(self.error(p.span(), msg));
                }
                out.extend(found);
            } else if !path.exists() {
                let msg = format!(
                    "policy path `{entry}` does not exist (looked for {})",
                    crate::load::display_path(&path)
                );
                return Err(self.error(p.span(), msg));
            } else if path.is_dir() && crate::policy::policy_files(&path).is_empty() {
                let msg = format!("policy folder `{entry}` holds no `.guard` or `.ruleset` file");
                return Err(self.error(p.span(), msg));
            } else {
                out.push(path);
            }
        }
        Ok(out)
    }

    /// The files a policy glob matches, relative to `base` (sorted; `.gitignore` honoured,
    /// symlinks not followed).
    fn policy_glob(&self, p: &Spanned<String>, base: &Path) -> Result<Vec<PathBuf>, ConfigError> {
        let pattern = p.get_ref().trim_start_matches("./");
        let glob = globset::GlobBuilder::new(pattern)
            .literal_separator(true)
            .build()
            .map_err(|e| self.error(p.span(), format!("invalid glob: {}", e.kind())))?
            .compile_matcher();
        // walk from the folders before the first component with a wildcard
        let fixed: Vec<&str> = pattern.split('/').take_while(|c| !is_glob(c)).collect();
        let root = base.join(fixed.join("/"));
        if !root.is_dir() {
            return Ok(Vec::new());
        }
        let mut found: Vec<PathBuf> = ignore::WalkBuilder::new(&root)
            .follow_links(false)
            .build()
            .flatten()
            .filter(|e| e.file_type().is_some_and(|t| t.is_file()))
            .map(ignore::DirEntry::into_path)
            .filter(|f| f.strip_prefix(base).is_ok_and(|rel| glob.is_match(rel)))
            .collect();
        found.sort();
        Ok(found)
    }

    /// Rule selectors, each naming at least one rule; where `policy_rules` is given (ignore
    /// lists), an `EL903:<rule>` entry is accepted and recorded there.
    fn selectors(
        &self,
        list: &[Spanned<String>],
        mut policy_rules: Option<&mut Vec<PolicyRuleEntry>>,
    ) -> Result<Vec<String>, ConfigError> {
        list.iter()
            .map(|s| {
                if selector_known(s.get_ref()) {
                    Ok(s.get_ref().clone())
                } else if let (Some(rule), Some(found)) =
                    (policy_selector(s.get_ref()), policy_rules.as_deref_mut())
                {
                    let (line, key) = self.place(s.span().start);
                    found.push(PolicyRuleEntry {
                        rule: rule.to_string(),
                        file: self.file.clone(),
                        line,
                        key,
                    });
                    Ok(s.get_ref().clone())
                } else {
                    let msg = format!(
                        "unknown rule `{}`: not a code, name or code prefix of any rule",
                        s.get_ref()
                    );
                    Err(self.error(s.span(), msg))
                }
            })
            .collect()
    }
}

/// Whether a configured path is a glob.
fn is_glob(path: &str) -> bool {
    path.contains(['*', '?', '[', '{'])
}

/// The dotted key path at byte `at` (`rules.EL106.severity`): the deepest key whose name or
/// value contains it.
fn key_path(text: &str, at: usize) -> Option<String> {
    fn in_table(table: &DeTable<'_>, at: usize, path: &mut Vec<String>) -> bool {
        table.iter().any(|(k, v)| {
            path.push(k.get_ref().to_string());
            let found =
                k.span().contains(&at) || in_value(v.get_ref(), at, path) || v.span().contains(&at);
            if !found {
                path.pop();
            }
            found
        })
    }
    fn in_value(value: &DeValue<'_>, at: usize, path: &mut Vec<String>) -> bool {
        match value {
            DeValue::Table(t) => in_table(t, at, path),
            DeValue::Array(items) => items.iter().any(|v| in_value(v.get_ref(), at, path)),
            _ => false,
        }
    }
    let doc = DeTable::parse(text).ok()?;
    let mut path = Vec::new();
    in_table(doc.get_ref(), at, &mut path).then(|| path.join("."))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn error(text: &str) -> String {
        match Config::parse(text, Path::new("eventlint.toml")) {
            Ok(_) => panic!("no error for {text:?}"),
            Err(e) => e.to_string(),
        }
    }

    #[test]
    fn errors_name_line_and_key() {
        assert_eq!(
            error("select = [\"EL1\"]\nselec = []\n"),
            "eventlint.toml:2: key `selec`: unknown key, expected one of `select`, `ignore`, `fail-on`, `rules`, `per-path-ignores`, `policies`, `max-file-size`"
        );
        assert_eq!(
            error("\n[rules.EL106]\nseverity = \"fatal\"\n"),
            "eventlint.toml:3: key `rules.EL106.severity`: expected \"error\", \"warning\" or \"info\", found \"fatal\""
        );
        assert_eq!(
            error("[rules.EL106]\nvisibility-factor = 0\n"),
            "eventlint.toml:2: key `rules.EL106.visibility-factor`: expected an integer of at least 1"
        );
        assert_eq!(
            error("[rules.EL109]\nvisibility-factor = 3\n"),
            "eventlint.toml:2: key `rules.EL109.visibility-factor`: unknown key, EL109 accepts `severity`, `min-max-receive-count`"
        );
        assert_eq!(
            error("[rules.EL999]\nseverity = \"error\"\n"),
            "eventlint.toml:1: key `rules.EL999`: unknown rule `EL999`: not a code or name of any rule"
        );
        assert_eq!(
            error("ignore = [\n  \"EL101\",\n  \"no-such-rule\",\n]\n"),
            "eventlint.toml:3: key `ignore`: unknown rule `no-such-rule`: not a code, name or code prefix of any rule"
        );
        assert_eq!(
            error("fail-on = \"loud\"\n"),
            "eventlint.toml:1: key `fail-on`: unknown variant `loud`, expected one of `info`, `warning`, `error`"
        );
        assert_eq!(
            error("[per-path-ignores]\n\"legacy/[\" = [\"EL101\"]\n"),
            "eventlint.toml:2: key `per-path-ignores.legacy/[`: invalid glob: unclosed character class; missing ']'"
        );
        assert!(error("select = [").starts_with("eventlint.toml:1: "));
    }

    #[test]
    fn ignore_lists_may_name_one_guard_rule() {
        let text = "ignore = [\"EL903:sqs_queue_encrypted\"]\n[per-path-ignores]\n\"legacy/**\" = [\"EL101\", \"policy-violation:my_rule\"]\n";
        let c = Config::parse(text, Path::new("eventlint.toml")).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(c.ignore, ["EL903:sqs_queue_encrypted"]);
        let named: Vec<&str> = c.policy_rules.iter().map(|e| e.rule.as_str()).collect();
        assert_eq!(named, ["sqs_queue_encrypted", "my_rule"]);
        let defined = |names: &[&str]| -> std::collections::BTreeSet<String> {
            names.iter().map(|n| (*n).to_string()).collect()
        };
        assert!(
            c.check_policy_rules(&defined(&["sqs_queue_encrypted", "my_rule"]))
                .is_ok()
        );
        assert_eq!(
            c.check_policy_rules(&defined(&["sqs_queue_encrypted", "other"]))
                .map_err(|e| e.to_string()),
            Err("eventlint.toml:3: key `per-path-ignores.legacy/**`: unknown policy rule `my_rule`: no Guard policy defines it (the policies define `other`, `sqs_queue_encrypted`)".to_string())
        );
        // `select` takes no Guard rule
        assert_eq!(
            error("select = [\"EL903:sqs_queue_encrypted\"]\n"),
            "eventlint.toml:1: key `select`: unknown rule `EL903:sqs_queue_encrypted`: not a code, name or code prefix of any rule"
        );
    }

    #[test]
    fn names_codes_and_options() {
        let text = "select = [\"EL1\"]\n[rules.visibility-timeout-too-short]\nseverity = \"error\"\nvisibility-factor = 4\n[rules.EL109]\nmin-max-receive-count = 3\n";
        let c =
            Config::parse(text, Path::new("dir/eventlint.toml")).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(c.select, ["EL1"]);
        assert_eq!(c.severities, [("EL106".to_string(), Severity::Error)]);
        let opt = |code, name| {
            let meta = lookup(code).unwrap_or_else(|| panic!("{code}"));
            let o = meta.options.iter().find(|o| o.name == name);
            c.options
                .int(meta.code, o.unwrap_or_else(|| panic!("{name}")))
        };
        assert_eq!(opt("EL106", "visibility-factor"), 4);
        assert_eq!(opt("EL109", "min-max-receive-count"), 3);
    }

    #[test]
    fn list_options() {
        let text = "[rules.EL501]\nversion-fields = [\"meta.v\"]\n";
        let c =
            Config::parse(text, Path::new("dir/eventlint.toml")).unwrap_or_else(|e| panic!("{e}"));
        let meta = lookup("EL501").unwrap_or_else(|| panic!("EL501"));
        let opt = meta
            .lists
            .first()
            .unwrap_or_else(|| panic!("no list option"));
        assert_eq!(c.options.list(meta.code, opt), ["meta.v"]);
        let default = Config::default();
        assert!(
            default
                .options
                .list(meta.code, opt)
                .contains(&"version".to_string())
        );
        let bad = Config::parse(
            "[rules.EL508]\ncorrelation-fields = \"id\"\n",
            Path::new("eventlint.toml"),
        );
        assert!(bad.is_err_and(|e| {
            e.to_string()
                .contains("expected a non-empty array of strings")
        }));
    }

    #[test]
    fn per_path_globs_are_relative_to_the_config() {
        let text = "[per-path-ignores]\n\"legacy/**\" = [\"EL101\"]\n\"*.json\" = [\"EL1\"]\n";
        let c =
            Config::parse(text, Path::new("proj/eventlint.toml")).unwrap_or_else(|e| panic!("{e}"));
        let hits = |p: &str| {
            c.per_path
                .iter()
                .filter(|i| i.matches(Path::new(p)))
                .count()
        };
        assert_eq!(hits("proj/legacy/a/template.yaml"), 1);
        assert_eq!(hits("proj/sub/../legacy/template.yaml"), 1);
        assert_eq!(hits("proj/template.yaml"), 0);
        assert_eq!(hits("proj/sub/x.json"), 1);
        assert_eq!(hits("legacy/template.yaml"), 0);
    }

    #[test]
    fn policy_paths_may_be_globs_relative_to_the_config() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let team = dir.path().join("policies/team");
        std::fs::create_dir_all(&team).unwrap_or_else(|e| panic!("{e}"));
        std::fs::create_dir_all(dir.path().join("empty")).unwrap_or_else(|e| panic!("{e}"));
        for f in [
            "policies/b.guard",
            "policies/a.guard",
            "policies/notes.md",
            "policies/team/c.guard",
        ] {
            std::fs::write(dir.path().join(f), "rule r { }\n").unwrap_or_else(|e| panic!("{e}"));
        }
        let config = dir.path().join("eventlint.toml");
        let parse = |text: &str| Config::parse(text, &config);
        let c = parse("policies = [\"policies/*.guard\", \"./policies/**/c.guard\"]\n")
            .unwrap_or_else(|e| panic!("{e}"));
        let names: Vec<_> = c
            .policies
            .iter()
            .map(|p| {
                p.strip_prefix(dir.path())
                    .map(|r| r.to_string_lossy().replace('\\', "/"))
            })
            .collect();
        assert_eq!(
            names,
            [
                Ok("policies/a.guard".to_string()),
                Ok("policies/b.guard".to_string()),
                Ok("policies/team/c.guard".to_string())
            ]
        );
        let error = |text: &str| match parse(text) {
            Ok(_) => panic!("no error for {text:?}"),
            Err(e) => e.to_string(),
        };
        let file = crate::load::display_path(&config);
        assert_eq!(
            error("select = []\npolicies = [\"rules/*.guard\"]\n"),
            format!("{file}:2: key `policies`: policy glob `rules/*.guard` matches no file")
        );
        assert_eq!(
            error("policies = [\"empty\"]\n"),
            format!(
                "{file}:1: key `policies`: policy folder `empty` holds no `.guard` or `.ruleset` file"
            )
        );
        assert_eq!(
            error("policies = [\"policies/[.guard\"]\n"),
            format!(
                "{file}:1: key `policies`: invalid glob: unclosed character class; missing ']'"
            )
        );
    }
}
