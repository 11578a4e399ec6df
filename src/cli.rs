//! Command-line interface (clap derive) and the commands behind it.

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};

use clap::{Parser, Subcommand, ValueEnum};

use crate::diagnostic::Severity;
use crate::engine::Selection;
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
    /// Also write the same findings in another format to a file, e.g. `--report
    /// sarif=eventlint.sarif`; repeatable. The analysis runs once for all of them.
    #[arg(long, value_name = "FORMAT=FILE", value_parser = parse_report)]
    pub report: Vec<(Format, PathBuf)>,
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

/// Render `report` in `format` (never coloured) into the file at `path`.
fn write_report(report: &Report<'_>, format: Format, path: &Path) -> Result<(), RunError> {
    let mut buf = Vec::new();
    report::render(report, format, false, &mut buf)?;
    std::fs::write(path, buf).map_err(|source| RunError::Output {
        path: path.to_path_buf(),
        source,
    })
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
            .install(|| crate::analyze(&paths, &selection)),
        None => crate::analyze(&paths, &selection),
    };
    let color = to_terminal && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty());
    let report = Report {
        diagnostics: &analysis.diagnostics,
        db: &analysis.loaded.system.db,
        files_analyzed: analysis.loaded.templates,
    };
    match &args.output {
        Some(path) => write_report(&report, format, path)?,
        None => report::render(&report, format, color, out)?,
    }
    for (format, path) in &args.report {
        write_report(&report, *format, path)?;
    }
    let threshold = args.fail_on.threshold();
    Ok(u8::from(
        analysis.diagnostics.iter().any(|d| d.severity >= threshold),
    ))
}
