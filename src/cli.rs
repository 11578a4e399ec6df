//! Command-line interface (clap derive) and the commands behind it.

use std::io::{IsTerminal, Write};
use std::path::PathBuf;

use clap::{Parser, Subcommand, ValueEnum};

use crate::diagnostic::Severity;
use crate::engine::Selection;
use crate::policy::PolicyOptions;
use crate::report::{self, Format, Report};
use crate::rules::ALL;

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
    Check(CheckArgs),
    /// Print the event graph.
    Graph {
        paths: Vec<PathBuf>,
        #[arg(long, value_enum, default_value_t = GraphFormat::Mermaid)]
        format: GraphFormat,
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
    /// Only these rules (code, name or code prefix); repeatable or comma-separated.
    #[arg(long, value_delimiter = ',')]
    pub select: Vec<String>,
    /// Not these rules (code, name or code prefix); repeatable or comma-separated.
    #[arg(long, value_delimiter = ',')]
    pub ignore: Vec<String>,
    /// Lowest severity that makes the exit code 1.
    #[arg(long, value_enum, default_value_t = FailOn::Warning)]
    pub fail_on: FailOn,
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
    #[error("path `{0}` does not exist")]
    MissingPath(PathBuf),
    #[error("cannot write `{path}`: {source}")]
    Output {
        path: PathBuf,
        source: std::io::Error,
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
        Command::Check(args) => check(args, out),
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
        Command::Rules { format } => {
            let text = match format {
                RulesFormat::Md => crate::rules::docs::catalogue_md(),
                RulesFormat::Json => crate::rules::docs::catalogue_json(),
            };
            out.write_all(text.as_bytes())?;
            Ok(0)
        }
        Command::Rule { rule } => {
            let meta = ALL
                .iter()
                .map(|r| r.meta())
                .find(|m| m.code.eq_ignore_ascii_case(&rule) || m.name.eq_ignore_ascii_case(&rule))
                .ok_or(RunError::UnknownRule(rule))?;
            out.write_all(crate::rules::docs::rule_md(meta).as_bytes())?;
            Ok(0)
        }
    }
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

fn check(args: CheckArgs, out: &mut dyn Write) -> Result<u8, RunError> {
    let to_terminal = args.output.is_none() && std::io::stdout().is_terminal();
    let format = match args.format.as_deref() {
        None => Format::Pretty,
        Some(f) => Format::parse(f).ok_or_else(|| RunError::Format(f.to_string()))?,
    };
    for sel in args.select.iter().chain(&args.ignore) {
        if !ALL
            .iter()
            .any(|r| crate::engine::selector_matches(sel, r.meta()))
        {
            return Err(RunError::UnknownRule(sel.clone()));
        }
    }
    let paths = default_paths(args.paths)?;
    if let Some(p) = args.policy.iter().find(|p| !p.exists()) {
        return Err(RunError::MissingPath(p.clone()));
    }
    if !cfg!(feature = "guard") && !args.policy.is_empty() {
        return Err(RunError::NoGuard);
    }
    let policies = PolicyOptions {
        defaults: !args.no_default_policies,
        paths: args.policy,
    };
    let selection = Selection {
        select: args.select,
        ignore: args.ignore,
        severities: Vec::new(),
    };
    let analysis = match args.jobs {
        Some(n) => rayon::ThreadPoolBuilder::new()
            .num_threads(n.max(1))
            .build()
            .map_err(|e| RunError::Threads(e.to_string()))?
            .install(|| crate::analyze_with(&paths, &selection, &policies)),
        None => crate::analyze_with(&paths, &selection, &policies),
    };
    let color = to_terminal && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty());
    let report = Report {
        diagnostics: &analysis.diagnostics,
        db: &analysis.loaded.system.db,
        files_analyzed: analysis.loaded.templates,
    };
    match &args.output {
        Some(path) => {
            let mut buf = Vec::new();
            report::render(&report, format, false, &mut buf)?;
            std::fs::write(path, buf).map_err(|source| RunError::Output {
                path: path.clone(),
                source,
            })?;
        }
        None => report::render(&report, format, color, out)?,
    }
    let threshold = args.fail_on.threshold();
    Ok(u8::from(
        analysis.diagnostics.iter().any(|d| d.severity >= threshold),
    ))
}
