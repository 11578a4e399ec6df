//! Command-line interface (clap derive) and the commands behind it.

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};

use clap::{Parser, Subcommand, ValueEnum};

use crate::baseline::{self, BaselineError};
use crate::config::{self, Config, ConfigError};
use crate::diagnostic::Severity;
use crate::engine::{Selection, policy_selector, selector_known};
use crate::policy::PolicyOptions;
use crate::report::{self, Format, Report};
use crate::rules::rule::lookup;

#[derive(Parser, Debug)]
#[command(
    name = "eventlint",
    version,
    about = "Static analyzer for event-driven AWS architectures (SAM/CloudFormation)"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Analyse every template below the given paths (default ".").
    Check(Box<CheckArgs>),
    /// Print the event graph.
    Graph {
        paths: Vec<PathBuf>,
        #[arg(long, value_enum, default_value_t = GraphFormat::Mermaid)]
        format: GraphFormat,
    },
    /// Print the event catalogue: every event type handler code publishes, its producers and
    /// the rules that consume it.
    Catalog {
        paths: Vec<PathBuf>,
        #[arg(long, value_enum, default_value_t = RulesFormat::Md)]
        format: RulesFormat,
    },
    /// Print the rule catalogue.
    Rules {
        #[arg(long, value_enum, default_value_t = RulesFormat::Md)]
        format: RulesFormat,
    },
    /// Print one rule's documentation, by code or name.
    Rule { rule: String },
}

#[derive(clap::Args, Debug)]
pub struct CheckArgs {
    pub paths: Vec<PathBuf>,
    /// Output format: pretty (default), json, sarif (SARIF 2.1.0 for code scanning), github
    /// (workflow-command annotations) or matcher (`path:line:col: severity CODE message`).
    #[arg(long, value_name = "FORMAT")]
    pub format: Option<String>,
    /// Write the report to a file instead of standard output.
    #[arg(long)]
    pub output: Option<PathBuf>,
    /// Also write the same findings in another format to a file, e.g. `--report
    /// sarif=eventlint.sarif`; repeatable. The analysis runs once for all of them.
    #[arg(long, value_name = "FORMAT=FILE", value_parser = parse_report)]
    pub report: Vec<(Format, PathBuf)>,
    /// Only these rules (code, name or code prefix); repeatable or comma-separated. Replaces
    /// the configuration's `select` and `ignore`.
    #[arg(long, value_delimiter = ',')]
    pub select: Vec<String>,
    /// Not these rules (code, name or code prefix), or not the findings of one Guard policy
    /// rule (`EL903:<rule>`); repeatable or comma-separated. Adds to the configuration's
    /// `ignore`.
    #[arg(long, value_delimiter = ',')]
    pub ignore: Vec<String>,
    /// Lowest severity that makes the exit code 1 [default: the configuration's `fail-on`, else
    /// warning].
    #[arg(long, value_enum)]
    pub fail_on: Option<FailOn>,
    /// Configuration file [default: `eventlint.toml` in the current directory or its parents].
    #[arg(long)]
    pub config: Option<PathBuf>,
    /// Report only findings whose fingerprint is not in this baseline file.
    #[arg(long)]
    pub baseline: Option<PathBuf>,
    /// Write the fingerprints of the current findings to this file and exit 0.
    #[arg(long)]
    pub write_baseline: Option<PathBuf>,
    /// Worker threads (default: all cores).
    #[arg(long)]
    pub jobs: Option<usize>,
    /// A Guard policy file, or a folder of `.guard` files, to enforce (EL903); repeatable.
    #[arg(long, value_name = "PATH")]
    pub policy: Vec<PathBuf>,
    /// Do not run the policy pack shipped with eventlint (rules/policies).
    #[arg(long)]
    pub no_default_policies: bool,
}

/// `FORMAT=FILE` of `--report`.
fn parse_report(s: &str) -> Result<(Format, PathBuf), String> {
    let (name, path) = s
        .split_once('=')
        .ok_or_else(|| format!("expected FORMAT=FILE, e.g. sarif=eventlint.sarif, not `{s}`"))?;
    let format = Format::parse(name).ok_or_else(|| {
        format!(
            "unknown format `{name}` (expected one of: {})",
            Format::names()
        )
    })?;
    if path.is_empty() {
        return Err(format!("no file after `{name}=`"));
    }
    Ok((format, PathBuf::from(path)))
}

#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum GraphFormat {
    Mermaid,
    Dot,
    Json,
}

#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum RulesFormat {
    Md,
    Json,
}

#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum FailOn {
    Error,
    Warning,
    Info,
}

impl FailOn {
    fn threshold(self) -> Severity {
        match self {
            FailOn::Error => Severity::Error,
            FailOn::Warning => Severity::Warning,
            FailOn::Info => Severity::Info,
        }
    }
}

/// A failure of the run itself (exit code 2).
#[derive(Debug, thiserror::Error)]
pub enum RunError {
    #[error("unknown format `{0}` (expected one of: {names})", names = Format::names())]
    Format(String),
    #[error("unknown rule `{0}`")]
    UnknownRule(String),
    #[error("unknown policy rule `{0}`: no Guard policy defines it")]
    UnknownPolicyRule(String),
    #[error("path `{0}` does not exist")]
    MissingPath(PathBuf),
    #[error("cannot write `{path}`: {source}")]
    Output {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error(transparent)]
    Config(#[from] ConfigError),
    #[error("cannot read the baseline `{}`: {source}", .path.display())]
    BaselineRead {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("`{}`: {source}", .path.display())]
    Baseline {
        path: PathBuf,
        source: BaselineError,
    },
    #[error("cannot write the report: {0}")]
    Io(#[from] std::io::Error),
    #[error("cannot start worker threads: {0}")]
    Threads(String),
    #[error("`--policy` needs the `guard` feature, which this build of eventlint lacks")]
    NoGuard,
}

/// Run a command, writing to `out`; returns the process exit code.
///
/// # Errors
/// A [`RunError`] when the run itself fails (exit code 2).
pub fn run(cli: Cli, out: &mut dyn Write) -> Result<u8, RunError> {
    match cli.command {
        Command::Check(args) => check(*args, out),
        Command::Graph { paths, format } => {
            let paths = default_paths(paths)?;
            let loaded = crate::load::load(&paths);
            let graph = crate::graph::build(&loaded.system);
            let text = match format {
                GraphFormat::Mermaid => crate::graph::render_mermaid(&loaded.system, &graph),
                GraphFormat::Dot => crate::graph::render_dot(&loaded.system, &graph),
                GraphFormat::Json => crate::graph::render_json(&loaded.system, &graph),
            };
            out.write_all(text.as_bytes())?;
            Ok(0)
        }
        Command::Catalog { paths, format } => {
            let paths = default_paths(paths)?;
            let loaded = crate::load::load(&paths);
            let graph = crate::graph::build(&loaded.system);
            let types = crate::catalog::build(&loaded.system, &graph);
            let text = match format {
                RulesFormat::Md => crate::catalog::render_md(&types),
                RulesFormat::Json => crate::catalog::render_json(&types),
            };
            out.write_all(text.as_bytes())?;
            Ok(0)
        }
        Command::Rules { format } => {
            let text = match format {
                RulesFormat::Md => crate::rules::docs::catalogue_md(),
                RulesFormat::Json => crate::rules::docs::catalogue_json(),
            };
            out.write_all(text.as_bytes())?;
            Ok(0)
        }
        Command::Rule { rule } => {
            let meta = lookup(&rule).ok_or(RunError::UnknownRule(rule))?;
            out.write_all(crate::rules::docs::rule_md(meta).as_bytes())?;
            Ok(0)
        }
    }
}

/// Render `report` in `format` (never coloured) into the file at `path`.
fn write_report(report: &Report<'_>, format: Format, path: &Path) -> Result<(), RunError> {
    let mut buf = Vec::new();
    report::render(report, format, false, &mut buf)?;
    write_file(path, &buf)
}

fn default_paths(paths: Vec<PathBuf>) -> Result<Vec<PathBuf>, RunError> {
    let paths = if paths.is_empty() {
        vec![PathBuf::from(".")]
    } else {
        paths
    };
    if let Some(p) = paths.iter().find(|p| !p.exists()) {
        return Err(RunError::MissingPath(p.clone()));
    }
    Ok(paths)
}

/// The configuration named by `--config`, else the nearest `eventlint.toml` upward from the
/// current directory, else the defaults.
fn load_config(explicit: Option<&Path>) -> Result<Config, RunError> {
    let path = match explicit {
        Some(p) => Some(p.to_path_buf()),
        None => std::env::current_dir()
            .ok()
            .and_then(|cwd| config::find(&cwd)),
    };
    Ok(match path {
        Some(p) => Config::load(&p)?,
        None => Config::default(),
    })
}

fn read_baseline(path: &Path) -> Result<std::collections::BTreeSet<String>, RunError> {
    let text = std::fs::read_to_string(path).map_err(|source| RunError::BaselineRead {
        path: path.to_path_buf(),
        source,
    })?;
    baseline::parse(&text).map_err(|source| RunError::Baseline {
        path: path.to_path_buf(),
        source,
    })
}

fn write_file(path: &Path, contents: &[u8]) -> Result<(), RunError> {
    std::fs::write(path, contents).map_err(|source| RunError::Output {
        path: path.to_path_buf(),
        source,
    })
}

/// The Guard rules named by `EL903:<rule>` entries of the configuration and of `--ignore` must
/// be defined by the shipped pack (on or off) or a policy file of the run.
fn check_policy_rules(
    config: &Config,
    ignore: &[String],
    policies: &PolicyOptions,
) -> Result<(), RunError> {
    let named: Vec<&str> = ignore.iter().filter_map(|s| policy_selector(s)).collect();
    if config.policy_rules.is_empty() && named.is_empty() {
        return Ok(());
    }
    let defined = crate::policy::defined_rules(&policies.paths);
    config.check_policy_rules(&defined)?;
    match named.iter().find(|r| !defined.contains(**r)) {
        Some(rule) => Err(RunError::UnknownPolicyRule((*rule).to_string())),
        None => Ok(()),
    }
}

fn check(args: CheckArgs, out: &mut dyn Write) -> Result<u8, RunError> {
    let to_terminal = args.output.is_none() && std::io::stdout().is_terminal();
    let format = match args.format.as_deref() {
        None => Format::Pretty,
        Some(f) => Format::parse(f).ok_or_else(|| RunError::Format(f.to_string()))?,
    };
    // `--ignore` may also name one Guard rule (`EL903:<rule>`), checked below against the
    // rules the policies define
    if let Some(sel) = args.select.iter().find(|s| !selector_known(s)).or_else(|| {
        args.ignore
            .iter()
            .find(|s| !selector_known(s) && policy_selector(s).is_none())
    }) {
        return Err(RunError::UnknownRule(sel.clone()));
    }
    let config = load_config(args.config.as_deref())?;
    let paths = default_paths(args.paths)?;
    if let Some(p) = args.policy.iter().find(|p| !p.exists()) {
        return Err(RunError::MissingPath(p.clone()));
    }
    if !cfg!(feature = "guard") && !args.policy.is_empty() {
        return Err(RunError::NoGuard);
    }
    if !cfg!(feature = "guard") && !config.policies.is_empty() {
        return Err(RunError::NoGuard);
    }
    // the configured policies first, then those of the command line
    let policies = PolicyOptions {
        defaults: !args.no_default_policies,
        paths: [config.policies.as_slice(), args.policy.as_slice()].concat(),
    };
    check_policy_rules(&config, &args.ignore, &policies)?;
    let known = args.baseline.as_deref().map(read_baseline).transpose()?;
    // as ruff layers them: a command-line `--select` starts afresh, `--ignore` adds
    let (select, ignore) = if args.select.is_empty() {
        (config.select, [config.ignore, args.ignore].concat())
    } else {
        (args.select, args.ignore)
    };
    let selection = Selection {
        select,
        ignore,
        severities: config.severities,
        per_path: config.per_path,
        options: config.options,
    };
    let load_options = crate::load::LoadOptions {
        max_file_bytes: config
            .max_file_size
            .unwrap_or(crate::load::MAX_TEMPLATE_BYTES),
    };
    let mut analysis = match args.jobs {
        Some(n) => rayon::ThreadPoolBuilder::new()
            .num_threads(n.max(1))
            .build()
            .map_err(|e| RunError::Threads(e.to_string()))?
            .install(|| crate::analyze_full(&paths, &selection, &policies, &load_options)),
        None => crate::analyze_full(&paths, &selection, &policies, &load_options),
    };
    let db = &analysis.loaded.system.db;
    if let Some(path) = &args.write_baseline {
        write_file(path, baseline::write(&analysis.diagnostics, db).as_bytes())?;
        writeln!(
            out,
            "wrote the fingerprints of {} findings to {}",
            analysis.diagnostics.len(),
            path.display()
        )?;
        return Ok(0);
    }
    let baselined = known.map_or(0, |known| {
        baseline::apply(&mut analysis.diagnostics, db, &known)
    });
    let color = to_terminal && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty());
    let report = Report {
        diagnostics: &analysis.diagnostics,
        db,
        files_analyzed: analysis.loaded.templates,
        baselined,
    };
    match &args.output {
        Some(path) => write_report(&report, format, path)?,
        None => report::render(&report, format, color, out)?,
    }
    for (format, path) in &args.report {
        write_report(&report, *format, path)?;
    }
    let threshold = args
        .fail_on
        .map(FailOn::threshold)
        .or(config.fail_on)
        .unwrap_or(Severity::Warning);
    Ok(u8::from(
        analysis.diagnostics.iter().any(|d| d.severity >= threshold),
    ))
}
