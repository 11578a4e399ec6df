//! Guard policies (EL903): the shipped pack (`rules/policies/*.guard`, embedded in the binary)
//! and the user's own (`--policy PATH`), evaluated in-process by the cfn-guard library.
//!
//! For each template, Guard gets `{"rules": [policy texts], "data": [the template's original
//! text]}` through its payload reader, writes its structured JSON report into an in-memory
//! writer (never stdout), and each failing clause's path (`/Resources/Q/Properties/X`) is
//! mapped onto eventlint's own node tree to get a real span: walked by keys and indices,
//! falling back to the deepest node that exists (a missing property is reported on the
//! mapping that lacks it).
//!
//! Guard's evaluation is `Rc`-based (`!Send`): each template is evaluated inside one rayon task,
//! and nothing of Guard's crosses threads. Policy files are syntax-checked once before; a broken
//! one becomes a parse problem (EL901) at the position Guard names and is left out, and the
//! run goes on. An error or panic while evaluating a template becomes a problem on the policy.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

mod view;

use crate::diagnostic::{Finding, Severity};
use crate::model::{Entry, Kind, Node, Problem, System, Template, TplId};
use crate::source::{FileId, SourceDb, SourceFile, Span};

/// The shipped policy pack: display name and text.
pub static SHIPPED: &[(&str, &str)] = &[
    (
        "rules/policies/dynamodb.guard",
        include_str!("../rules/policies/dynamodb.guard"),
    ),
    (
        "rules/policies/eventbridge.guard",
        include_str!("../rules/policies/eventbridge.guard"),
    ),
    (
        "rules/policies/lambda.guard",
        include_str!("../rules/policies/lambda.guard"),
    ),
    (
        "rules/policies/sns.guard",
        include_str!("../rules/policies/sns.guard"),
    ),
    (
        "rules/policies/sqs.guard",
        include_str!("../rules/policies/sqs.guard"),
    ),
    (
        "rules/policies/stepfunctions.guard",
        include_str!("../rules/policies/stepfunctions.guard"),
    ),
];

/// Which policies run.
#[derive(Clone, Debug)]
pub struct PolicyOptions {
    /// Run the shipped pack.
    pub defaults: bool,
    /// The user's policy files, or folders searched for `.guard` and `.ruleset` files.
    pub paths: Vec<PathBuf>,
}

impl Default for PolicyOptions {
    fn default() -> Self {
        PolicyOptions {
            defaults: true,
            paths: Vec::new(),
        }
    }
}

/// One policy file that parsed.
#[derive(Debug)]
pub struct Policy {
    /// Display path (`rules/policies/sqs.guard` for the shipped ones).
    pub name: String,
    pub text: String,
    /// The file in the source database (the user's files only: shipped ones have no location).
    pub file: Option<FileId>,
    /// Names of the rules it defines, with the byte range of `rule <name>`.
    pub rules: Vec<(String, std::ops::Range<usize>)>,
    /// The resource types it is about (`# eventlint: types A B` comment lines): Guard runs it
    /// only on templates with such a resource. `None`: every template.
    pub types: Option<Vec<String>>,
}

impl Policy {
    fn new(name: String, text: String, file: Option<FileId>) -> Self {
        Policy {
            rules: rule_names(&text),
            types: declared_types(&text),
            name,
            text,
            file,
        }
    }

    /// Whether Guard should run this policy on `t`.
    fn applies_to(&self, t: &Template) -> bool {
        self.types.as_ref().is_none_or(|types| {
            t.resources
                .iter()
                .any(|r| types.iter().any(|ty| type_matches(ty, r)))
        })
    }
}

/// Whether a declared type names a resource: `AWS::SQS::Queue`, or `AWS::Serverless::Function:SQS`
/// for a SAM resource with an event of that type (its `Events` section).
fn type_matches(declared: &str, r: &crate::model::Resource) -> bool {
    match declared.rsplit_once(':') {
        Some((ty, event)) if !ty.ends_with(':') && !event.is_empty() => {
            r.ty == ty
                && r.node
                    .path(&["Properties", "Events"])
                    .is_some_and(|events| {
                        events
                            .entries()
                            .iter()
                            .any(|e| e.value.get("Type").and_then(Node::as_str) == Some(event))
                    })
        }
        _ => r.ty == declared,
    }
}

/// The resource types a policy declares with `# eventlint: types AWS::SQS::Queue ...` lines
/// (`AWS::Serverless::Function:SQS`: a SAM function with an `SQS` event).
fn declared_types(text: &str) -> Option<Vec<String>> {
    let types: Vec<String> = text
        .lines()
        .filter_map(|l| l.trim().strip_prefix('#'))
        .filter_map(|l| l.trim().strip_prefix("eventlint:"))
        .filter_map(|l| l.trim().strip_prefix("types"))
        .flat_map(|l| l.split([' ', ',', '\t']))
        .filter(|t| !t.is_empty())
        .map(str::to_string)
        .collect();
    (!types.is_empty()).then_some(types)
}

/// The policies of a run.
#[derive(Debug, Default)]
pub struct Policies {
    pub list: Vec<Policy>,
}

impl Policies {
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.list.is_empty()
    }

    /// The policy defining a Guard rule, and where (user files only).
    fn rule_site(&self, rule: &str) -> Option<Span> {
        self.list.iter().find_map(|p| {
            let file = p.file?;
            p.rules
                .iter()
                .find(|(n, _)| n == rule)
                .map(|(_, r)| Span::new(file, r.start, r.end))
        })
    }
}

/// Policy files under `path`: the file itself, or the `.guard`/`.ruleset` files of a folder
/// (sorted, `.gitignore` honoured, symlinks not followed).
pub(crate) fn policy_files(path: &Path) -> Vec<PathBuf> {
    if path.is_file() {
        return vec![path.to_path_buf()];
    }
    let mut out: Vec<PathBuf> = ignore::WalkBuilder::new(path)
        .follow_links(false)
        .build()
        .flatten()
        .filter(|e| e.file_type().is_some_and(|t| t.is_file()))
        .map(ignore::DirEntry::into_path)
        .filter(|p| {
            p.extension()
                .and_then(|e| e.to_str())
                .is_some_and(|e| e.eq_ignore_ascii_case("guard") || e == "ruleset")
        })
        .collect();
    out.sort();
    out
}

/// Names of the rules a policy text defines (`rule <name>` at the start of a line).
fn rule_names(text: &str) -> Vec<(String, std::ops::Range<usize>)> {
    let mut out = Vec::new();
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        let trimmed = line.trim_start();
        let indent = line.len() - trimmed.len();
        if let Some(rest) = trimmed.strip_prefix("rule") {
            let name: String = rest
                .trim_start()
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                .collect();
            if rest.starts_with([' ', '\t']) && !name.is_empty() {
                let start = offset + indent;
                let end = start
                    + (line.len() - indent - rest.len())
                    + (rest.len() - rest.trim_start().len())
                    + name.len();
                out.push((name, start..end));
            }
        }
        offset += line.len();
    }
    out
}

/// The byte offset of Guard's `line L column C` (1-based) in `text`, if it names one.
fn error_offset(text: &str, message: &str) -> Option<usize> {
    let num_after = |key: &str| -> Option<usize> {
        let at = message.find(key)? + key.len();
        let digits: String = message[at..]
            .trim_start()
            .chars()
            .take_while(char::is_ascii_digit)
            .collect();
        digits.parse().ok()
    };
    let line = num_after("line")?.max(1);
    let col = num_after("column").unwrap_or(1).max(1);
    let start = text
        .split_inclusive('\n')
        .take(line - 1)
        .map(str::len)
        .sum::<usize>();
    let rest = text.get(start..)?;
    let line_text = rest.split('\n').next().unwrap_or("");
    let in_line = line_text
        .char_indices()
        .nth(col - 1)
        .map_or(line_text.len(), |(i, _)| i);
    Some(start + in_line)
}

/// The part of Guard's parse error that says what was wrong (it repeats the file name and
/// position, which the finding already has).
fn parse_error_text(msg: &str) -> String {
    let what = msg
        .split_once("when handling ")
        .map_or(msg, |(_, rest)| rest)
        .trim();
    let what = what.split_once(", fragment").map_or(what, |(w, _)| w);
    what.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Load and syntax-check the policies: user files are added to `db` (so findings can point
/// into them); a file that does not parse becomes a problem and is left out.
#[must_use]
pub fn load(db: &mut SourceDb, opts: &PolicyOptions) -> (Policies, Vec<Problem>) {
    let mut policies = Policies::default();
    let mut problems = Vec::new();
    if opts.defaults {
        for (name, text) in SHIPPED {
            match check_syntax(text, name) {
                Ok(()) => {
                    policies
                        .list
                        .push(Policy::new((*name).to_string(), (*text).to_string(), None))
                }
                Err(msg) => {
                    // a shipped policy that does not parse is a bug in eventlint: say so
                    let id = db.add(SourceFile::new(
                        (*name).to_string(),
                        PathBuf::from(name),
                        (*text).to_string(),
                    ));
                    let at = error_offset(text, &msg).unwrap_or(0);
                    problems.push(Problem::fatal(
                        format!("shipped policy does not parse (a bug in eventlint): {msg}"),
                        Span::new(id, at, at),
                    ));
                }
            }
        }
    }
    let mut seen = std::collections::BTreeSet::new();
    for path in opts.paths.iter().flat_map(|p| policy_files(p)) {
        if !seen.insert(path.clone()) {
            continue;
        }
        let display = crate::load::display_path(&path);
        let (text, read_error) = match std::fs::read(&path) {
            Ok(bytes) => match String::from_utf8(bytes) {
                Ok(t) => (t, None),
                Err(e) => (
                    String::from_utf8_lossy(e.as_bytes()).into_owned(),
                    Some((
                        "policy file is not valid UTF-8".to_string(),
                        e.utf8_error().valid_up_to(),
                    )),
                ),
            },
            Err(e) => (
                String::new(),
                Some((format!("cannot read policy file: {e}"), 0)),
            ),
        };
        let id = db.add(SourceFile::new(display.clone(), path.clone(), text.clone()));
        if let Some((msg, at)) = read_error {
            problems.push(Problem::fatal(msg, Span::new(id, at, at)));
            continue;
        }
        match check_syntax(&text, &display) {
            Ok(()) => policies.list.push(Policy::new(display, text, Some(id))),
            Err(msg) => {
                let at = error_offset(&text, &msg).unwrap_or(0);
                let end = text[at..].find('\n').map_or(text.len(), |n| at + n).max(at);
                problems.push(Problem::fatal(
                    format!("Guard policy does not parse: {}", parse_error_text(&msg)),
                    Span::new(id, at, end),
                ));
            }
        }
    }
    (policies, problems)
}

/// What evaluating the policies produced: EL903 findings, problems (EL901), and which Guard
/// rules exist and ran where.
#[derive(Debug, Default)]
pub struct Outcome {
    pub findings: Vec<Finding>,
    pub problems: Vec<Problem>,
    pub runs: Runs,
}

/// Which Guard rules the loaded policies define and on which templates Guard evaluated them:
/// what EL904 needs to judge an `EL903:<rule>` suppression. Empty when Guard did not run (the
/// `guard` feature off, EL903 not selected, no policy loaded).
#[derive(Debug, Default)]
pub struct Runs {
    /// Guard evaluated the loaded policies.
    pub active: bool,
    /// The rules the loaded policies define.
    pub defined: BTreeSet<String>,
    /// The rules Guard evaluated on each template: those of the policies that apply to it,
    /// without those of a policy that failed there.
    pub ran: BTreeMap<TplId, BTreeSet<String>>,
}

impl Runs {
    /// Whether Guard evaluated `rule` on the template `tpl`.
    #[must_use]
    pub fn ran(&self, tpl: TplId, rule: &str) -> bool {
        self.ran.get(&tpl).is_some_and(|rules| rules.contains(rule))
    }

    /// Whether Guard evaluated any rule on the template `tpl`.
    #[must_use]
    pub fn ran_any(&self, tpl: TplId) -> bool {
        self.ran.get(&tpl).is_some_and(|rules| !rules.is_empty())
    }

    /// Whether `rule` is known to be defined by no policy: Guard ran and neither the loaded
    /// policies nor the shipped pack (which `--no-default-policies` only turns off) define it.
    #[must_use]
    pub fn unknown(&self, rule: &str) -> bool {
        self.active && !self.defined.contains(rule) && !shipped_rules().contains(rule)
    }
}

/// The names of the rules of the shipped pack.
#[must_use]
pub fn shipped_rules() -> BTreeSet<String> {
    SHIPPED
        .iter()
        .flat_map(|(_, text)| rule_names(text))
        .map(|(name, _)| name)
        .collect()
}

/// The names of the rules the shipped pack and the policy files under `paths` define, read
/// without checking their syntax (a file that cannot be read defines none).
#[must_use]
pub fn defined_rules(paths: &[PathBuf]) -> BTreeSet<String> {
    let mut out = shipped_rules();
    for file in paths.iter().flat_map(|p| policy_files(p)) {
        if let Ok(text) = std::fs::read_to_string(&file) {
            out.extend(rule_names(&text).into_iter().map(|(name, _)| name));
        }
    }
    out
}

/// Evaluate every policy against every template, one template per rayon task.
#[must_use]
pub fn evaluate(sys: &System, policies: &Policies) -> Outcome {
    use rayon::prelude::*;
    if policies.is_empty() {
        return Outcome::default();
    }
    // Guard parses its rules on every call: run each set of applicable policies over batches
    // of templates, and fall back to one template at a time when a batch fails.
    let mut groups: std::collections::BTreeMap<Vec<usize>, Vec<Input>> =
        std::collections::BTreeMap::new();
    // the policies run on each template, for `Runs`
    let mut applied: Vec<(TplId, Vec<usize>)> = Vec::new();
    for (tpl, t) in sys.templates.iter().enumerate() {
        let Some(file) = sys.db.get(t.file) else {
            continue;
        };
        let applicable: Vec<usize> = policies
            .list
            .iter()
            .enumerate()
            .filter(|(_, p)| p.applies_to(t))
            .map(|(i, _)| i)
            .collect();
        if !applicable.is_empty() {
            applied.push((tpl, applicable.clone()));
            groups
                .entry(applicable)
                .or_default()
                .push((t, file.text.as_str()));
        }
    }
    let batches: Vec<(&[usize], &[Input])> = groups
        .iter()
        .flat_map(|(set, ts)| ts.chunks(BATCH).map(move |c| (set.as_slice(), c)))
        .collect();
    let parts: Vec<(Vec<Finding>, Vec<EvalError>)> = batches
        .par_iter()
        .flat_map_iter(|(set, batch)| evaluate_batch(set, batch, policies))
        .collect();
    let mut out = Outcome::default();
    // one problem per policy and error, naming the first template and how many more
    let mut errors: Vec<(EvalError, usize)> = Vec::new();
    let mut failed: BTreeSet<(usize, FileId)> = BTreeSet::new();
    for (findings, errs) in parts {
        out.findings.extend(findings);
        for e in errs {
            failed.insert((e.policy, e.template));
            match errors
                .iter_mut()
                .find(|(x, _)| x.policy == e.policy && x.error == e.error)
            {
                Some((_, n)) => *n += 1,
                None => errors.push((e, 0)),
            }
        }
    }
    for (e, more) in errors {
        let Some(p) = policies.list.get(e.policy) else {
            continue;
        };
        let template = sys.db.get(e.template).map_or("", |f| f.path.as_str());
        let others = match more {
            0 => String::new(),
            1 => " and 1 other template".to_string(),
            n => format!(" and {n} other templates"),
        };
        // on the policy when it is the user's, else on the template
        let span = p
            .file
            .map_or(Span::new(e.template, 0, 0), |f| Span::new(f, 0, 0));
        out.problems.push(Problem::fatal(
            format!(
                "Guard policy `{}` could not be evaluated against `{template}`{others}: {}",
                p.name, e.error
            ),
            span,
        ));
    }
    out.runs = runs(sys, policies, &applied, &failed);
    out
}

/// The rules Guard ran on each template: those of the `applied` policies, without the
/// policies that `failed` there. Nothing ran without the `guard` feature.
fn runs(
    sys: &System,
    policies: &Policies,
    applied: &[(TplId, Vec<usize>)],
    failed: &BTreeSet<(usize, FileId)>,
) -> Runs {
    if !cfg!(feature = "guard") {
        return Runs::default();
    }
    let mut runs = Runs {
        active: true,
        defined: policies
            .list
            .iter()
            .flat_map(|p| p.rules.iter().map(|(name, _)| name.clone()))
            .collect(),
        ran: BTreeMap::new(),
    };
    for (tpl, set) in applied {
        let Some(file) = sys.templates.get(*tpl).map(|t| t.file) else {
            continue;
        };
        let rules = set
            .iter()
            .filter(|&&i| !failed.contains(&(i, file)))
            .filter_map(|&i| policies.list.get(i))
            .flat_map(|p| p.rules.iter().map(|(name, _)| name.clone()));
        runs.ran.entry(*tpl).or_default().extend(rules);
    }
    runs
}

/// A template and its text.
type Input<'a> = (&'a Template, &'a str);

/// Templates per Guard call: enough to spread the cost of parsing the policies, few enough to
/// keep both cores busy.
const BATCH: usize = 24;

/// Run the policies `set` over a batch of templates in one Guard call; the templates one by one
/// when that fails (a template Guard cannot read, a policy that fails on one of them).
fn evaluate_batch(
    set: &[usize],
    batch: &[Input],
    policies: &Policies,
) -> Vec<(Vec<Finding>, Vec<EvalError>)> {
    use std::borrow::Cow;
    let all: Vec<&Policy> = set.iter().filter_map(|&i| policies.list.get(i)).collect();
    // the shipped pack alone reads only part of each template: give Guard only that part
    let shipped_only = all.iter().all(|p| p.file.is_none());
    let texts: Vec<Cow<str>> = batch
        .iter()
        .map(|(t, text)| match shipped_only {
            true => Cow::Owned(view::pack_view(t, text)),
            false => Cow::Borrowed(*text),
        })
        .collect();
    let refs: Vec<&str> = texts.iter().map(AsRef::as_ref).collect();
    let reports = run_guard(&rule_texts(&all), &refs)
        .ok()
        .and_then(|r| match r {
            serde_json::Value::Array(files) if files.len() == batch.len() => Some(files),
            _ => None,
        });
    match reports {
        Some(files) => batch
            .iter()
            .zip(files)
            .map(|((t, _), file)| {
                let report = serde_json::Value::Array(vec![file]);
                (dedup(findings_of(&report, t, policies)), Vec::new())
            })
            .collect(),
        None => batch
            .iter()
            .zip(&refs)
            .map(|((t, _), text)| evaluate_template(t, text, policies))
            .collect(),
    }
}

/// The rules texts of one Guard call. Guard evaluates every rules file against its own copy of
/// each template: the shipped policies (whose names cannot collide) go in as one file.
fn rule_texts<'p>(policies: &[&'p Policy]) -> Vec<std::borrow::Cow<'p, str>> {
    use std::borrow::Cow;
    let shipped: Vec<&str> = policies
        .iter()
        .filter(|p| p.file.is_none())
        .map(|p| p.text.as_str())
        .collect();
    let merge = shipped.len() > 1;
    let merged = merge.then(|| Cow::Owned(shipped.join("\n")));
    let own = policies
        .iter()
        .filter(|p| p.file.is_some() || !merge)
        .map(|p| Cow::Borrowed(p.text.as_str()));
    merged.into_iter().chain(own).collect()
}

/// Findings with distinct keys, first kept.
fn dedup(findings: Vec<Finding>) -> Vec<Finding> {
    let mut seen = std::collections::BTreeSet::new();
    findings
        .into_iter()
        .filter(|f| seen.insert(f.key.clone()))
        .collect()
}

/// A policy that Guard could not evaluate against a template.
struct EvalError {
    policy: usize,
    template: FileId,
    error: String,
}

fn evaluate_template(
    t: &Template,
    text: &str,
    policies: &Policies,
) -> (Vec<Finding>, Vec<EvalError>) {
    let mut errors = Vec::new();
    // only the policies about a resource type the template has
    let applicable: Vec<(usize, &Policy)> = policies
        .list
        .iter()
        .enumerate()
        .filter(|(_, p)| p.applies_to(t))
        .collect();
    if applicable.is_empty() {
        return (Vec::new(), errors);
    }
    let all: Vec<&Policy> = applicable.iter().map(|(_, p)| *p).collect();
    let reports = match run_guard(&rule_texts(&all), &[text]) {
        Ok(r) => vec![r],
        // find the policies that fail, keep the results of the others
        Err(_) => applicable
            .iter()
            .filter_map(
                |&(i, p)| match run_guard(&[p.text.as_str().into()], &[text]) {
                    Ok(r) => Some(r),
                    Err(error) => {
                        errors.push(EvalError {
                            policy: i,
                            template: t.file,
                            error,
                        });
                        None
                    }
                },
            )
            .collect(),
    };
    let findings = reports
        .iter()
        .flat_map(|report| findings_of(report, t, policies))
        .collect();
    (dedup(findings), errors)
}

#[cfg(feature = "guard")]
fn check_syntax(text: &str, name: &str) -> Result<(), String> {
    let parsed = std::panic::catch_unwind(|| {
        cfn_guard::commands::validate::parse_rules(text, name)
            .map(|_| ())
            .map_err(|e| e.to_string())
    });
    parsed.unwrap_or_else(|_| Err("cfn-guard failed while parsing this file".into()))
}

#[cfg(not(feature = "guard"))]
fn check_syntax(_text: &str, _name: &str) -> Result<(), String> {
    Ok(())
}

/// Run Guard on templates; the structured JSON report (a list with one file report per
/// template, in order).
#[cfg(feature = "guard")]
fn run_guard(
    rules: &[std::borrow::Cow<'_, str>],
    templates: &[&str],
) -> Result<serde_json::Value, String> {
    use cfn_guard::commands::Executable;
    use cfn_guard::commands::validate::{OutputFormatType, ShowSummaryType};
    use cfn_guard::utils::reader::{ReadBuffer, Reader};
    use cfn_guard::utils::writer::{WriteBuffer, Writer};
    use cfn_guard::{CommandBuilder, ValidateBuilder};

    let payload = serde_json::json!({
        "rules": rules,
        "data": templates,
    })
    .to_string();
    let run = std::panic::catch_unwind(move || -> Result<String, String> {
        let mut reader = Reader::new(ReadBuffer::Cursor(std::io::Cursor::new(
            payload.into_bytes(),
        )));
        let mut writer =
            Writer::new_with_err(WriteBuffer::Vec(Vec::new()), WriteBuffer::Vec(Vec::new()))
                .map_err(|e| e.to_string())?;
        let cmd = ValidateBuilder::default()
            .payload(true)
            .structured(true)
            .output_format(OutputFormatType::JSON)
            .show_summary(vec![ShowSummaryType::None])
            .try_build()
            .map_err(|e| e.to_string())?;
        // 0: every rule passed, 19: some rule failed; 5: a rule file did not parse (they
        // were checked before, so not expected)
        let code = cmd
            .execute(&mut writer, &mut reader)
            .map_err(|e| e.to_string())?;
        if code != 0 && code != 19 {
            return Err(format!("cfn-guard exited with status {code}"));
        }
        // the JSON report has no colours to strip
        writer.into_string().map_err(|e| e.to_string())
    });
    let out = run.unwrap_or_else(|_| Err("cfn-guard failed (panic)".into()))?;
    serde_json::from_str(&out).map_err(|e| format!("cannot read cfn-guard's report: {e}"))
}

#[cfg(not(feature = "guard"))]
fn run_guard(
    _rules: &[std::borrow::Cow<'_, str>],
    _templates: &[&str],
) -> Result<serde_json::Value, String> {
    Ok(serde_json::Value::Array(Vec::new()))
}

/// A failing clause: where Guard says it is, and its messages.
#[derive(Debug, Default)]
struct Leaf {
    /// Guard's path (`/Resources/Q/Properties`), if it gave one.
    path: Option<String>,
    /// The value at the path when it is a string: Guard gives a map key its parent's path.
    value: Option<String>,
    custom: Option<String>,
    error: Option<String>,
}

fn str_of(v: &serde_json::Value) -> Option<String> {
    v.as_str()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
}

/// The `{path, value}` a clause check names: `from` (binary), `value` (unary), or the place an
/// unresolved query stopped (`value.traversed_to`, block `unresolved.traversed_to`).
fn located(v: &serde_json::Value) -> Option<(String, Option<String>)> {
    let pv = |o: &serde_json::Value| -> Option<(String, Option<String>)> {
        let path = o.get("path")?.as_str()?.to_string();
        Some((
            path,
            o.get("value").and_then(|v| v.as_str()).map(str::to_string),
        ))
    };
    let check = v.as_object()?.values().next()?;
    check
        .get("from")
        .and_then(pv)
        .or_else(|| {
            check
                .get("value")
                .and_then(|x| x.get("traversed_to"))
                .and_then(pv)
        })
        .or_else(|| check.get("value").and_then(pv))
}

/// Collect the failing leaves under a clause report.
fn leaves(v: &serde_json::Value, out: &mut Vec<Leaf>) {
    match v {
        serde_json::Value::Object(map) => {
            let messages = map.get("messages");
            let custom = messages
                .and_then(|m| m.get("custom_message"))
                .and_then(str_of);
            let error = messages
                .and_then(|m| m.get("error_message"))
                .and_then(str_of);
            if let Some(check) = map.get("check") {
                let (path, value) = located(check).map_or((None, None), |(p, v)| (Some(p), v));
                out.push(Leaf {
                    path,
                    value,
                    custom,
                    error,
                });
                return;
            }
            if map.contains_key("unresolved") && messages.is_some() {
                let at = map
                    .get("unresolved")
                    .and_then(|u| u.get("traversed_to"))
                    .and_then(|t| t.get("path"))
                    .and_then(|p| p.as_str())
                    .map(str::to_string);
                out.push(Leaf {
                    path: at,
                    value: None,
                    custom,
                    error,
                });
                return;
            }
            for (k, child) in map {
                if k != "messages" {
                    leaves(child, out);
                }
            }
        }
        serde_json::Value::Array(items) => {
            for item in items {
                leaves(item, out);
            }
        }
        _ => {}
    }
}

/// A Guard path mapped onto the template: the node's span (key to value for scalars), the
/// normalised path, the number of segments matched, and the logical ID it is under.
struct Mapped {
    span: Span,
    path: String,
    depth: usize,
    resource: Option<String>,
}

fn entry_span(e: &Entry) -> Span {
    match e.value.kind {
        Kind::Map(_) | Kind::Seq(_) => e.key_span,
        _ if e.value.span.file == e.key_span.file && e.value.span.end > e.key_span.start => Span {
            file: e.key_span.file,
            start: e.key_span.start,
            end: e.value.span.end,
        },
        _ => e.key_span,
    }
}

/// Walk `path` (`/`-separated keys and indices; a key may itself contain `/`) from the root.
fn map_path(t: &Template, path: &str, key_hint: Option<&str>) -> Mapped {
    let root = &t.root;
    let segments: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
    let mut node = root;
    let mut span = root.span;
    let mut matched: Vec<String> = Vec::new();
    let mut i = 0;
    while i < segments.len() {
        let mut next = None;
        match &node.kind {
            Kind::Map(entries) => {
                // the longest run of segments that is a key (keys may contain `/`)
                for j in (i + 1..=segments.len()).rev() {
                    let key = segments[i..j].join("/");
                    if let Some(e) = entries.iter().rev().find(|e| e.key == key) {
                        next = Some((e, j, key));
                        break;
                    }
                }
                if let Some((e, j, key)) = next {
                    span = entry_span(e);
                    node = &e.value;
                    matched.push(key);
                    // a resource's mapping lives in the template's resource list
                    if let [section, id] = matched.as_slice()
                        && section == "Resources"
                        && let Some(r) = t.resource(id)
                    {
                        node = &r.node;
                    }
                    i = j;
                    continue;
                }
            }
            Kind::Seq(items) => {
                if let Some(item) = segments[i].parse::<usize>().ok().and_then(|n| items.get(n)) {
                    span = item.span;
                    node = item;
                    matched.push(segments[i].to_string());
                    i += 1;
                    continue;
                }
            }
            _ => {}
        }
        break;
    }
    // Guard gives a map key (a `Resources[ id | ... ]` binding) the path of its map
    if i == segments.len() {
        if let Some(e) = key_hint.and_then(|k| node.entry(k)) {
            span = e.key_span;
            matched.push(e.key.clone());
        }
    }
    let resource = (matched.first().map(String::as_str) == Some("Resources"))
        .then(|| matched.get(1).cloned())
        .flatten();
    // a resource itself is shown at its logical ID
    if matched.len() == 2 && resource.is_some() {
        if let Some(e) = root
            .get("Resources")
            .and_then(|r| r.entry(matched[1].as_str()))
        {
            span = e.key_span;
        }
    }
    let depth = matched.len();
    Mapped {
        span,
        path: format!("/{}", matched.join("/")),
        depth,
        resource,
    }
}

/// The severity a custom message asks for (`severity: error` on a line of its own) and the
/// message without that line.
fn split_custom(custom: &str) -> (Option<Severity>, String) {
    let mut severity = None;
    let mut lines = Vec::new();
    for line in custom.lines().map(str::trim).filter(|l| !l.is_empty()) {
        let lower = line.to_ascii_lowercase();
        if let Some(v) = lower.strip_prefix("severity:") {
            let v = v.trim();
            severity = Severity::parse(v).or(match v {
                "high" | "critical" => Some(Severity::Error),
                "medium" => Some(Severity::Warning),
                "low" | "note" => Some(Severity::Info),
                _ => None,
            });
            continue;
        }
        let line = line.strip_prefix("message:").map_or(line, str::trim);
        lines.push(line);
    }
    (severity, lines.join(" "))
}

/// Guard's own message without its 0-based `[L:x,C:y]` positions.
fn clean_error(error: &str) -> String {
    let mut out = String::with_capacity(error.len());
    let mut rest = error;
    while let Some(at) = rest.find("[L:") {
        out.push_str(&rest[..at]);
        let tail = &rest[at..];
        match tail.find(']') {
            Some(end)
                if tail[3..end]
                    .split(",C:")
                    .all(|n| n.bytes().all(|b| b.is_ascii_digit())) =>
            {
                rest = &tail[end + 1..];
            }
            _ => {
                out.push_str("[L:");
                rest = &tail[3..];
            }
        }
    }
    out.push_str(rest);
    out.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// EL903 findings from one structured report.
fn findings_of(report: &serde_json::Value, t: &Template, policies: &Policies) -> Vec<Finding> {
    let mut out = Vec::new();
    let files = report.as_array().map_or(&[][..], Vec::as_slice);
    for file in files {
        let Some(failed) = file.get("not_compliant").and_then(|v| v.as_array()) else {
            continue;
        };
        for entry in failed {
            let Some(rule) = entry.get("Rule") else {
                continue;
            };
            let name = rule
                .get("name")
                .and_then(|n| n.as_str())
                .unwrap_or("policy");
            let rule_custom = rule
                .get("messages")
                .and_then(|m| m.get("custom_message"))
                .and_then(str_of);
            let checks = rule.get("checks").and_then(|c| c.as_array());
            for check in checks.map_or(&[][..], Vec::as_slice) {
                let mut found = Vec::new();
                leaves(check, &mut found);
                out.extend(group_findings(
                    name,
                    rule_custom.as_deref(),
                    &found,
                    t,
                    policies,
                ));
            }
        }
    }
    out
}

/// One finding per resource a failing check names (a disjunction's clauses together).
fn group_findings(
    rule: &str,
    rule_custom: Option<&str>,
    found: &[Leaf],
    t: &Template,
    policies: &Policies,
) -> Vec<Finding> {
    let mapped: Vec<(Option<Mapped>, &Leaf)> = found
        .iter()
        .map(|l| {
            let m = l
                .path
                .as_deref()
                .map(|p| map_path(t, p, l.value.as_deref()));
            (m, l)
        })
        .collect();
    // resources in order of first mention; `None` when no clause has a place
    let mut groups: Vec<Option<String>> = Vec::new();
    for (m, _) in &mapped {
        let r = m.as_ref().and_then(|m| m.resource.clone());
        if !groups.contains(&r) {
            groups.push(r);
        }
    }
    if groups.len() > 1 {
        groups.retain(Option::is_some);
    }
    let mut out = Vec::new();
    for group in groups {
        let members: Vec<&(Option<Mapped>, &Leaf)> = mapped
            .iter()
            .filter(|(m, _)| m.as_ref().and_then(|m| m.resource.clone()) == group)
            .collect();
        let Some(primary) = members
            .iter()
            .max_by_key(|(m, _)| m.as_ref().map_or(0, |m| m.depth))
            .or_else(|| members.first())
        else {
            continue;
        };
        let custom = primary
            .1
            .custom
            .as_deref()
            .or_else(|| members.iter().find_map(|(_, l)| l.custom.as_deref()))
            .or(rule_custom);
        let (severity, text) = custom.map_or((None, String::new()), split_custom);
        let error = primary
            .1
            .error
            .as_deref()
            .or_else(|| members.iter().find_map(|(_, l)| l.error.as_deref()))
            .map(clean_error);
        let message = match (text.is_empty(), &error) {
            (false, _) => format!("{rule}: {text}"),
            (true, Some(e)) => format!("{rule}: {e}"),
            (true, None) => format!("{rule}: policy rule failed"),
        };
        let (span, path) = match &primary.0 {
            Some(m) => (m.span, m.path.clone()),
            None => {
                let span = t
                    .root
                    .entry("Resources")
                    .map_or(t.root.span, |e| e.key_span);
                (span, String::new())
            }
        };
        let mut f = Finding::new(span, message).key(format!("{rule} {path}"));
        f.policy = Some(rule.to_string());
        if let Some(r) = &group {
            f = f.resource(r.clone());
        }
        if let Some(s) = severity {
            f = f.severity(s);
        }
        if let Some(e) = error.filter(|_| !text.is_empty()) {
            f = f.help(format!("cfn-guard: {e}"));
        }
        if let Some(site) = policies.rule_site(rule) {
            f = f.label(site, format!("policy rule `{rule}`"));
        }
        out.push(f);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn custom_messages_carry_a_severity() {
        let (s, m) = split_custom("\n  severity: error\n  queues must be encrypted\n ");
        assert_eq!(s, Some(Severity::Error));
        assert_eq!(m, "queues must be encrypted");
        let (s, m) = split_custom("Violation: x\nFix: y");
        assert_eq!(s, None);
        assert_eq!(m, "Violation: x Fix: y");
    }

    #[test]
    fn guard_positions_are_removed() {
        assert_eq!(
            clean_error("missing at [Path=/Resources/Q[L:11,C:4] Value=1] [L:x"),
            "missing at [Path=/Resources/Q Value=1] [L:x"
        );
    }

    #[test]
    fn rule_names_are_found() {
        let text = "let x = 1\nrule a_b when %x !empty {\n}\n  rule c {\n}\nrules d\n";
        let names = rule_names(text);
        let got: Vec<(&str, &str)> = names
            .iter()
            .map(|(n, r)| (n.as_str(), &text[r.clone()]))
            .collect();
        assert_eq!(got, vec![("a_b", "rule a_b"), ("c", "rule c")]);
    }

    #[test]
    fn policies_may_declare_their_resource_types() {
        assert_eq!(
            declared_types("# x\n# eventlint: types AWS::SQS::Queue, AWS::SNS::Topic\nrule a {}\n"),
            Some(vec![
                "AWS::SQS::Queue".to_string(),
                "AWS::SNS::Topic".to_string()
            ])
        );
        assert_eq!(declared_types("# eventlint: types\nrule a {}\n"), None);
        assert_eq!(declared_types("rule a {}\n"), None);
    }

    #[test]
    fn error_positions_are_byte_offsets() {
        let text = "ab\ncdé fg\n";
        assert_eq!(error_offset(text, "at line 2 column 5"), Some(8));
        assert_eq!(error_offset(text, "no position"), None);
    }

    #[cfg(feature = "guard")]
    #[test]
    fn shipped_policies_parse() {
        for (name, text) in SHIPPED {
            assert_eq!(check_syntax(text, name), Ok(()), "{name}");
            assert!(!rule_names(text).is_empty(), "{name}");
            // each names the resource types it is about, so templates without them skip Guard
            assert!(declared_types(text).is_some(), "{name}");
        }
        // they run as one rules file: no name may be defined twice
        let merged: Vec<&str> = SHIPPED.iter().map(|(_, t)| *t).collect();
        assert_eq!(check_syntax(&merged.join("\n"), "pack"), Ok(()));
        let mut names: Vec<&str> = merged
            .iter()
            .flat_map(|t| t.lines())
            .filter_map(|l| l.strip_prefix("let ").or_else(|| l.strip_prefix("rule ")))
            .filter_map(|l| l.split_whitespace().next())
            .collect();
        let count = names.len();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), count, "a let or rule name is defined twice");
    }

    /// Guard sees only `Globals` and the resources of the types the pack names
    /// (policy/view.rs): every query of `Resources` must select by one of those types.
    #[test]
    fn shipped_policies_read_resources_by_type_only() {
        for (name, text) in SHIPPED {
            let code: Vec<&str> = text
                .lines()
                .map(str::trim)
                .filter(|l| !l.starts_with('#'))
                .collect();
            for (i, line) in code.iter().enumerate() {
                if !line.contains("Resources") {
                    continue;
                }
                let query = code[i..]
                    .iter()
                    .take(3)
                    .copied()
                    .collect::<Vec<_>>()
                    .join(" ");
                let ty = query
                    .split_once("Type == '")
                    .and_then(|(_, rest)| rest.split_once('\''))
                    .map(|(ty, _)| ty);
                assert!(
                    ty.is_some_and(|ty| ty.contains("::")),
                    "{name}: `{line}` reads resources without selecting them by type"
                );
            }
            for root in code.iter().flat_map(|l| l.split_whitespace()) {
                let first = root
                    .trim_start_matches(['%', '(', '!'])
                    .split(['.', '['])
                    .next();
                assert!(
                    !matches!(
                        first,
                        Some("Outputs" | "Parameters" | "Mappings" | "Conditions" | "Metadata")
                    ),
                    "{name}: reads `{root}`, which the pack's view of a template leaves out"
                );
            }
        }
        assert!(view::pack_types(SHIPPED[0].1).next().is_some());
    }
}
