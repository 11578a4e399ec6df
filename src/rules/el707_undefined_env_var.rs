use super::rule::prelude::*;

declare_rule! {
    /// ## What it does
    /// Reports handler code that reads an environment variable without a default
    /// (`os.environ['X']`, `process.env.X` used directly) that neither the function's
    /// `Environment`, its SAM `Globals`, nor the Lambda runtime defines.
    ///
    /// ## Why it matters
    /// The read fails on every invocation (`KeyError` in Python; `undefined` passed on as a queue
    /// URL or table name in Node.js), so every event the function receives fails and is retried
    /// until it reaches a dead-letter queue or is dropped. Renaming a variable in the template
    /// but not in the code is the usual cause.
    ///
    /// ## Example
    /// ```python
    /// QUEUE_URL = os.environ["ORDERS_QUEUE_URL"]   # the template sets QUEUE_URL
    /// ```
    ///
    /// ## How to fix
    /// Define the variable under the function's `Environment.Variables` (or `Globals`), fix the
    /// name in the code, or read it with a default (`os.environ.get`, `process.env.X ?? ...`).
    ///
    /// ## References
    /// - <https://docs.aws.amazon.com/lambda/latest/dg/configuration-envvars.html>
    /// - <https://docs.aws.amazon.com/lambda/latest/dg/configuration-envvars.html#configuration-envvars-runtime>
    pub UndefinedEnvVar { code: "EL707", name: "undefined-env-var", severity: Error }
}

/// Variables the Lambda runtime sets (reserved and runtime-defined), and prefixes it owns.
const RUNTIME: &[&str] = &[
    "TZ",
    "LANG",
    "PATH",
    "LD_LIBRARY_PATH",
    "NODE_PATH",
    "PYTHONPATH",
    "HOME",
    "NODE_OPTIONS",
    "NODE_EXTRA_CA_CERTS",
];
const RUNTIME_PREFIXES: &[&str] = &["AWS_", "LAMBDA_", "_"];

impl Rule for UndefinedEnvVar {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &Context<'_>) -> Vec<Finding> {
        let mut out = Vec::new();
        for ((tpl, id), code) in &cx.sys.code {
            let Some(f) = cx.sys.resource(*tpl, id) else {
                continue;
            };
            // the variables must be a literal map to know what is missing
            let vars = f.res.prop_path(&["Environment", "Variables"]);
            let known = match vars {
                None => f
                    .res
                    .prop("Environment")
                    .is_none_or(|e| e.is_map() && e.intrinsic().is_none()),
                Some(v) => v.is_map() && v.intrinsic().is_none(),
            };
            if !known {
                continue;
            }
            let defined = |name: &str| vars.and_then(|v| v.get(name)).is_some();
            let mut seen = std::collections::BTreeSet::new();
            for read in code.facts.env.iter().filter(|r| !r.has_default) {
                let name = read.name.as_str();
                if defined(name)
                    || RUNTIME.contains(&name)
                    || RUNTIME_PREFIXES.iter().any(|p| name.starts_with(p))
                    || !seen.insert((read.span, name))
                {
                    continue;
                }
                let mut finding = Finding::new(read.span, format!("`{id}` reads environment variable `{name}`, which the function does not define"))
                    .resource(id)
                    .help(format!("add `{name}` under `Environment.Variables` of `{id}` (or `Globals`), or read it with a default"))
                    .key(format!("env:{name}"));
                if let Some(v) = vars {
                    finding = finding.label(v.span, format!("the variables `{id}` defines"));
                }
                out.push(finding);
            }
        }
        out
    }
}
