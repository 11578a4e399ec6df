//! Whether an import that leads to no local file can hide code eventlint does not read
//! (a module of a Lambda layer, a shared package of the repository outside `CodeUri`, a
//! workspace package, a path alias). Such a function's facts are incomplete: rules that
//! conclude from the absence of a call (EL303) stay silent.
//!
//! Known packages are not code of the project: the Python standard library, common third-party
//! packages, the names a `requirements.txt` in `CodeUri` installs; for JavaScript any bare
//! specifier is a package, except the workspace's own packages (`workspaces` of a
//! `package.json` above `CodeUri`, `file:`/`link:`/`workspace:` dependencies), `tsconfig.json`
//! path aliases and `#` imports. With `Layers`, a JavaScript package the function's
//! `package.json` does not declare may come from a layer.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use jsonc_parser::{JsonValue, ParseOptions, parse_to_value};

use super::locate::Lang;

/// Ancestor folders searched for a workspace root.
const MAX_UP: usize = 6;
/// Most workspace packages read.
const MAX_WORKSPACE_DIRS: usize = 500;
/// Largest manifest read.
const MAX_MANIFEST_BYTES: u64 = 1024 * 1024;

/// Python standard library modules (`sys.stdlib_module_names`, public ones).
const PY_STDLIB: &[&str] = &[
    "abc",
    "aifc",
    "argparse",
    "array",
    "ast",
    "asynchat",
    "asyncio",
    "asyncore",
    "atexit",
    "audioop",
    "base64",
    "bdb",
    "binascii",
    "bisect",
    "builtins",
    "bz2",
    "cProfile",
    "calendar",
    "cgi",
    "cgitb",
    "chunk",
    "cmath",
    "cmd",
    "code",
    "codecs",
    "codeop",
    "collections",
    "colorsys",
    "compileall",
    "concurrent",
    "configparser",
    "contextlib",
    "contextvars",
    "copy",
    "copyreg",
    "crypt",
    "csv",
    "ctypes",
    "curses",
    "dataclasses",
    "datetime",
    "dbm",
    "decimal",
    "difflib",
    "dis",
    "distutils",
    "doctest",
    "email",
    "encodings",
    "ensurepip",
    "enum",
    "errno",
    "faulthandler",
    "fcntl",
    "filecmp",
    "fileinput",
    "fnmatch",
    "fractions",
    "ftplib",
    "functools",
    "gc",
    "genericpath",
    "getopt",
    "getpass",
    "gettext",
    "glob",
    "graphlib",
    "grp",
    "gzip",
    "hashlib",
    "heapq",
    "hmac",
    "html",
    "http",
    "imaplib",
    "imghdr",
    "imp",
    "importlib",
    "inspect",
    "io",
    "ipaddress",
    "itertools",
    "json",
    "keyword",
    "lib2to3",
    "linecache",
    "locale",
    "logging",
    "lzma",
    "mailbox",
    "mailcap",
    "marshal",
    "math",
    "mimetypes",
    "mmap",
    "modulefinder",
    "msilib",
    "msvcrt",
    "multiprocessing",
    "netrc",
    "nis",
    "nntplib",
    "nt",
    "ntpath",
    "nturl2path",
    "numbers",
    "opcode",
    "operator",
    "optparse",
    "os",
    "ossaudiodev",
    "pathlib",
    "pdb",
    "pickle",
    "pickletools",
    "pipes",
    "pkgutil",
    "platform",
    "plistlib",
    "poplib",
    "posix",
    "posixpath",
    "pprint",
    "profile",
    "pstats",
    "pty",
    "pwd",
    "py_compile",
    "pyclbr",
    "pydoc",
    "pydoc_data",
    "pyexpat",
    "queue",
    "quopri",
    "random",
    "re",
    "readline",
    "reprlib",
    "resource",
    "rlcompleter",
    "runpy",
    "sched",
    "secrets",
    "select",
    "selectors",
    "shelve",
    "shlex",
    "shutil",
    "signal",
    "site",
    "smtpd",
    "smtplib",
    "sndhdr",
    "socket",
    "socketserver",
    "spwd",
    "sqlite3",
    "sre_compile",
    "sre_constants",
    "sre_parse",
    "ssl",
    "stat",
    "statistics",
    "string",
    "stringprep",
    "struct",
    "subprocess",
    "sunau",
    "symtable",
    "sys",
    "sysconfig",
    "syslog",
    "tabnanny",
    "tarfile",
    "telnetlib",
    "tempfile",
    "termios",
    "textwrap",
    "threading",
    "time",
    "timeit",
    "tkinter",
    "token",
    "tokenize",
    "tomllib",
    "trace",
    "traceback",
    "tracemalloc",
    "tty",
    "turtle",
    "types",
    "typing",
    "unicodedata",
    "unittest",
    "urllib",
    "uu",
    "uuid",
    "venv",
    "warnings",
    "wave",
    "weakref",
    "webbrowser",
    "winreg",
    "winsound",
    "wsgiref",
    "xdrlib",
    "xml",
    "xmlrpc",
    "zipapp",
    "zipfile",
    "zipimport",
    "zlib",
    "zoneinfo",
];

/// Third-party Python packages common in Lambda code (import names), and modules the Lambda
/// runtime provides (`cfnresponse` for inline CloudFormation code).
const PY_PACKAGES: &[&str] = &[
    "aiohttp",
    "attr",
    "attrs",
    "aws_lambda_powertools",
    "aws_xray_sdk",
    "awswrangler",
    "boto3",
    "botocore",
    "bs4",
    "cachetools",
    "certifi",
    "cfnresponse",
    "charset_normalizer",
    "click",
    "crhelper",
    "cryptography",
    "dateutil",
    "elasticsearch",
    "fastapi",
    "flask",
    "google",
    "h11",
    "httpcore",
    "httpx",
    "idna",
    "jinja2",
    "jmespath",
    "jose",
    "jsonschema",
    "jwt",
    "mangum",
    "marshmallow",
    "mypy_boto3_dynamodb",
    "numpy",
    "opensearchpy",
    "orjson",
    "pandas",
    "PIL",
    "psycopg",
    "psycopg2",
    "pydantic",
    "pydantic_core",
    "pymongo",
    "pymysql",
    "pynamodb",
    "pytz",
    "redis",
    "requests",
    "requests_aws4auth",
    "s3transfer",
    "simplejson",
    "six",
    "sqlalchemy",
    "stripe",
    "tenacity",
    "typing_extensions",
    "ujson",
    "urllib3",
    "yaml",
];

/// Node.js built-in modules.
const NODE_BUILTINS: &[&str] = &[
    "assert",
    "async_hooks",
    "buffer",
    "child_process",
    "cluster",
    "console",
    "constants",
    "crypto",
    "dgram",
    "diagnostics_channel",
    "dns",
    "domain",
    "events",
    "fs",
    "http",
    "http2",
    "https",
    "inspector",
    "module",
    "net",
    "os",
    "path",
    "perf_hooks",
    "process",
    "punycode",
    "querystring",
    "readline",
    "repl",
    "stream",
    "string_decoder",
    "timers",
    "tls",
    "trace_events",
    "tty",
    "url",
    "util",
    "v8",
    "vm",
    "wasi",
    "worker_threads",
    "zlib",
];

/// What the project around a code folder says about imports, read once per folder.
#[derive(Debug, Default)]
pub struct Project {
    /// Python: top-level names installed by `requirements.txt` (lowercase, `_` for `-`).
    requirements: BTreeSet<String>,
    /// JavaScript: packages of the project itself (workspaces, `file:` dependencies).
    local_packages: BTreeSet<String>,
    /// JavaScript: dependencies declared by the `package.json` in the code folder.
    declared: Option<BTreeSet<String>>,
    /// `tsconfig.json` path alias prefixes (`@lib/`).
    aliases: Vec<String>,
}

fn read_small(p: &Path) -> Option<String> {
    let meta = std::fs::metadata(p).ok()?;
    if !meta.is_file() || meta.len() > MAX_MANIFEST_BYTES {
        return None;
    }
    std::fs::read_to_string(p).ok()
}

fn json(p: &Path) -> Option<serde_json::Value> {
    serde_json::from_str(&read_small(p)?).ok()
}

/// The import name a distribution installs, when it differs from its (normalised) name.
fn import_name(dist: &str) -> &str {
    match dist {
        "pyyaml" => "yaml",
        "python_dateutil" => "dateutil",
        "pyjwt" => "jwt",
        "beautifulsoup4" => "bs4",
        "pillow" => "pil",
        "opensearch_py" => "opensearchpy",
        "psycopg2_binary" => "psycopg2",
        "python_jose" => "jose",
        "aws_xray_sdk" => "aws_xray_sdk",
        other => other,
    }
}

fn requirements(root: &Path) -> BTreeSet<String> {
    let Some(text) = read_small(&root.join("requirements.txt")) else {
        return BTreeSet::new();
    };
    text.lines()
        .map(|l| l.split('#').next().unwrap_or("").trim())
        .filter(|l| !l.is_empty() && !l.starts_with('-'))
        // a project folder installed from a path is project code, not a package
        .filter(|l| !l.contains("file:") && !l.starts_with('.') && !l.starts_with('/'))
        .filter_map(|l| {
            let end = l
                .find(|c: char| !(c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.')))
                .unwrap_or(l.len());
            let name = l.get(..end)?.to_ascii_lowercase().replace(['-', '.'], "_");
            (!name.is_empty()).then(|| import_name(&name).to_string())
        })
        .collect()
}

/// Dependency names of a `package.json`, and those that point into the project.
fn dependencies(pkg: &serde_json::Value) -> (BTreeSet<String>, BTreeSet<String>) {
    let mut all = BTreeSet::new();
    let mut local = BTreeSet::new();
    for field in [
        "dependencies",
        "devDependencies",
        "peerDependencies",
        "optionalDependencies",
    ] {
        let Some(deps) = pkg.get(field).and_then(|d| d.as_object()) else {
            continue;
        };
        for (name, version) in deps {
            all.insert(name.clone());
            let v = version.as_str().unwrap_or("");
            if ["file:", "link:", "workspace:", "portal:"]
                .iter()
                .any(|p| v.starts_with(p))
            {
                local.insert(name.clone());
            }
        }
    }
    (all, local)
}

/// Folders a workspace pattern names (`packages/*`, `libs/shared`).
fn expand(base: &Path, pattern: &str) -> Vec<PathBuf> {
    let pattern = pattern.trim_start_matches("./");
    if pattern.starts_with('!') {
        return Vec::new();
    }
    match pattern
        .strip_suffix("/**")
        .or_else(|| pattern.strip_suffix("/*"))
    {
        Some(dir) if !dir.contains('*') => std::fs::read_dir(base.join(dir))
            .map(|rd| {
                rd.filter_map(Result::ok)
                    .map(|e| e.path())
                    .filter(|p| p.is_dir())
                    .take(MAX_WORKSPACE_DIRS)
                    .collect()
            })
            .unwrap_or_default(),
        Some(_) => Vec::new(),
        None if !pattern.contains('*') => vec![base.join(pattern)],
        None => Vec::new(),
    }
}

/// Workspace patterns of a folder: `package.json` `workspaces`, `pnpm-workspace.yaml`.
fn workspace_patterns(dir: &Path) -> Vec<String> {
    let mut out = Vec::new();
    if let Some(pkg) = json(&dir.join("package.json")) {
        let ws = pkg.get("workspaces");
        let list = ws.and_then(|w| w.as_array()).or_else(|| {
            ws.and_then(|w| w.get("packages"))
                .and_then(|p| p.as_array())
        });
        out.extend(
            list.into_iter()
                .flatten()
                .filter_map(|v| v.as_str().map(str::to_string)),
        );
    }
    if let Some(text) = read_small(&dir.join("pnpm-workspace.yaml")) {
        out.extend(text.lines().filter_map(|l| {
            let item = l.trim().strip_prefix("- ")?;
            Some(item.trim().trim_matches(['\'', '"']).to_string())
        }));
    }
    out
}

/// `compilerOptions.paths` alias prefixes of a `tsconfig.json` (`@lib/*` -> `@lib/`).
fn ts_aliases(dir: &Path) -> Vec<String> {
    let Some(text) = read_small(&dir.join("tsconfig.json")) else {
        return Vec::new();
    };
    let Ok(Some(JsonValue::Object(cfg))) = parse_to_value(&text, &ParseOptions::default()) else {
        return Vec::new();
    };
    let Some(paths) = cfg
        .get_object("compilerOptions")
        .and_then(|c| c.get_object("paths"))
    else {
        return Vec::new();
    };
    paths
        .clone()
        .into_iter()
        .map(|(k, _)| k.trim_end_matches('*').to_string())
        .filter(|k| !k.is_empty())
        .collect()
}

impl Project {
    /// Read what matters for `lang` around the code folder `root`.
    #[must_use]
    pub fn load(root: &Path, lang: Lang) -> Project {
        let mut p = Project::default();
        if lang == Lang::Python {
            p.requirements = requirements(root);
            return p;
        }
        if let Some(pkg) = json(&root.join("package.json")) {
            let (all, local) = dependencies(&pkg);
            p.declared = Some(all);
            p.local_packages = local;
        }
        let mut dir = Some(root);
        for _ in 0..MAX_UP {
            let Some(d) = dir else { break };
            p.aliases.extend(ts_aliases(d));
            for pattern in workspace_patterns(d) {
                for ws in expand(d, &pattern).into_iter().take(MAX_WORKSPACE_DIRS) {
                    if let Some(name) = json(&ws.join("package.json"))
                        .and_then(|v| v.get("name").and_then(|n| n.as_str()).map(str::to_string))
                    {
                        p.local_packages.insert(name);
                    }
                }
            }
            if d.join(".git").exists() {
                break;
            }
            dir = d.parent();
        }
        p
    }

    /// Whether an import of a file that led to no local file may hide project code.
    /// `imports` are all the specifiers of the importing file; `resolves` says whether another
    /// specifier leads to a local file or folder.
    pub fn opaque(
        &self,
        spec: &str,
        imports: &[String],
        lang: Lang,
        layers: bool,
        resolves: impl Fn(&str) -> bool,
    ) -> bool {
        match lang {
            Lang::Python => self.py_opaque(spec, imports, resolves),
            Lang::JavaScript | Lang::TypeScript => self.js_opaque(spec, layers),
        }
    }

    fn py_opaque(&self, spec: &str, imports: &[String], resolves: impl Fn(&str) -> bool) -> bool {
        let dots = spec.chars().take_while(|&c| c == '.').count();
        let rest = spec.get(dots..).unwrap_or("");
        if rest.is_empty() {
            return false; // `from . import x`: the package itself
        }
        // `from mod import name` also offers `mod.name`: a name of a module that was read
        // (`from . import name` needs the package's `__init__.py`, which is read)
        let parent = match rest.rsplit_once('.') {
            Some((p, _)) => spec.get(..dots + p.len()),
            None => spec.get(..dots).filter(|d| !d.is_empty()),
        };
        if let Some(parent) = parent {
            if imports.iter().any(|i| i == parent) && resolves(parent) {
                return false;
            }
        }
        // a folder of the code (a namespace package): its modules are imported by their own names
        if resolves(spec) {
            return false;
        }
        if dots > 0 {
            return true;
        }
        let top = rest.split('.').next().unwrap_or("");
        let lower = top.to_ascii_lowercase();
        !(PY_STDLIB.contains(&top)
            || PY_PACKAGES.iter().any(|p| p.eq_ignore_ascii_case(top))
            || self.requirements.contains(&lower))
    }

    fn js_opaque(&self, spec: &str, layers: bool) -> bool {
        if spec.starts_with('.') || spec.starts_with('/') {
            return true; // a relative import that leads to no file
        }
        if spec.starts_with('#')
            || spec.starts_with("@/")
            || spec.starts_with("~/")
            || self.aliases.iter().any(|a| spec.starts_with(a.as_str()))
        {
            return true;
        }
        if spec.starts_with("node:") {
            return false;
        }
        let mut parts = spec.split('/');
        let first = parts.next().unwrap_or("");
        let name = if first.starts_with('@') {
            format!("{first}/{}", parts.next().unwrap_or(""))
        } else {
            first.to_string()
        };
        if NODE_BUILTINS.contains(&name.as_str()) {
            return false;
        }
        if self.local_packages.contains(&name) {
            return true;
        }
        // a package from a layer: the runtime provides the AWS SDK, anything else the
        // function does not declare may be the layer's code
        let sdk =
            name.starts_with("@aws-sdk/") || name == "aws-sdk" || name.starts_with("@smithy/");
        layers && !sdk && !self.declared.as_ref().is_some_and(|d| d.contains(&name))
    }
}

/// Whether a file loads modules by computed name (`importlib.import_module(name)`,
/// `__import__(x)`, `require(name)`, `import(path)`): what they load is not known.
#[must_use]
pub fn dynamic_import(text: &str, lang: Lang) -> bool {
    match lang {
        Lang::Python => text.contains("import_module(") || text.contains("__import__("),
        Lang::JavaScript | Lang::TypeScript => ["require(", "import("].iter().any(|call| {
            text.match_indices(call).any(|(at, _)| {
                let before = text.get(..at).and_then(|b| b.chars().next_back());
                let word =
                    before.is_some_and(|c| c.is_alphanumeric() || c == '_' || c == '$' || c == '.');
                let arg = text
                    .get(at + call.len()..)
                    .and_then(|r| r.trim_start().chars().next());
                // a template literal may interpolate (`./handlers/${kind}`): computed
                !word && !matches!(arg, Some('\'' | '"' | ')'))
            })
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn python_known_and_unknown_modules() {
        let p = Project::default();
        let imports = |v: &[&str]| v.iter().map(|s| (*s).to_string()).collect::<Vec<_>>();
        let none = |_: &str| false;
        let im = imports(&[
            "boto3",
            "os.path",
            "json",
            "shared.events",
            "shared.events.emit",
        ]);
        assert!(!p.opaque("boto3", &im, Lang::Python, false, none));
        assert!(!p.opaque("os.path", &im, Lang::Python, false, none));
        assert!(p.opaque("shared.events", &im, Lang::Python, false, none));
        // `from helpers import send` when helpers.py was read
        let im = imports(&["helpers", "helpers.send", ".util", ".util.x", "."]);
        let local = |s: &str| s == "helpers" || s == ".util";
        assert!(!p.opaque("helpers.send", &im, Lang::Python, false, local));
        assert!(!p.opaque(".util.x", &im, Lang::Python, false, local));
        assert!(!p.opaque(".", &im, Lang::Python, false, local));
        assert!(p.opaque(".missing", &im, Lang::Python, false, local));
        let ns = |s: &str| s == "shared";
        assert!(!p.opaque("shared", &["shared".into()], Lang::Python, false, ns));
        let im = imports(&["..", "..models", "..models.Order"]);
        let pkg = |s: &str| s == "..";
        assert!(!p.opaque("..models", &im, Lang::Python, false, pkg));
        assert!(p.opaque("..models.Order", &im, Lang::Python, false, |_| false));
    }

    #[test]
    fn javascript_packages_aliases_and_layers() {
        let mut p = Project::default();
        assert!(
            !p.opaque("@aws-sdk/client-sqs", &[], Lang::JavaScript, false, |_| {
                false
            })
        );
        assert!(!p.opaque("lodash/get", &[], Lang::JavaScript, false, |_| false));
        assert!(!p.opaque("node:fs/promises", &[], Lang::JavaScript, true, |_| false));
        assert!(p.opaque("./missing.js", &[], Lang::JavaScript, false, |_| false));
        assert!(p.opaque("#lib/events", &[], Lang::JavaScript, false, |_| false));
        assert!(p.opaque("shared-events", &[], Lang::JavaScript, true, |_| false));
        assert!(
            !p.opaque("@aws-sdk/client-sns", &[], Lang::JavaScript, true, |_| {
                false
            })
        );
        p.local_packages.insert("@acme/events".into());
        assert!(
            p.opaque("@acme/events/publish", &[], Lang::TypeScript, false, |_| {
                false
            })
        );
    }

    #[test]
    fn dynamic_imports() {
        assert!(dynamic_import(
            "mod = importlib.import_module(name)",
            Lang::Python
        ));
        assert!(!dynamic_import("import importlib.metadata", Lang::Python));
        assert!(dynamic_import(
            "const h = require(`./handlers/${kind}`);",
            Lang::JavaScript
        ));
        assert!(dynamic_import(
            "const h = require(path.join(dir, kind));",
            Lang::JavaScript
        ));
        assert!(dynamic_import(
            "const m = await import(spec);",
            Lang::TypeScript
        ));
        assert!(!dynamic_import(
            "const a = require('a'); await import('./b.js'); x.require(y)",
            Lang::JavaScript
        ));
    }

    #[test]
    fn requirement_names_normalised() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("requirements.txt"),
            "# deps\nPyYAML==6.0\nrequests-aws4auth>=1.2 ; python_version>'3'\n-r base.txt\nacme_shared @ git+https://x\nlocal_lib @ file:///src/lib\n../shared\n",
        )
        .unwrap();
        let r = requirements(dir.path());
        assert_eq!(
            r.into_iter().collect::<Vec<_>>(),
            ["acme_shared", "requests_aws4auth", "yaml"]
        );
    }
}
