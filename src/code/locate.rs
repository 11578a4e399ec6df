//! Finding a function's handler source as SAM does: `CodeUri` (a folder relative to the
//! template) + `Handler` + `Runtime` (Globals already merged), `InlineCode` / `Code.ZipFile`;
//! `app.handler` -> app.py, or app.js / app.mjs / app.cjs / app.ts; esbuild `EntryPoints`.

use std::path::{Path, PathBuf};

use crate::model::{Node, ResHandle, System};
use crate::source::Span;

/// A language eventlint reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Lang {
    Python,
    JavaScript,
    TypeScript,
}

impl Lang {
    /// The language of a file by its extension.
    #[must_use]
    pub fn of_path(p: &Path) -> Option<Lang> {
        match p.extension().and_then(|e| e.to_str())? {
            "py" => Some(Lang::Python),
            "js" | "mjs" | "cjs" => Some(Lang::JavaScript),
            "ts" | "mts" | "cts" => Some(Lang::TypeScript),
            _ => None,
        }
    }
}

/// Where a function's code is.
#[derive(Clone, Debug, PartialEq)]
pub enum Located {
    /// The entry file (the handler's module) and the code folder local imports stay in.
    File {
        entry: PathBuf,
        root: PathBuf,
        handler: String,
    },
    /// Code written in the template (`InlineCode`, `Code.ZipFile`).
    Inline {
        lang: Lang,
        text: String,
        span: Span,
        handler: String,
    },
    /// Not something eventlint reads (another runtime, a container image): no finding.
    Unsupported,
    /// A runtime eventlint reads, but the source cannot be found (EL902), with the reason and
    /// the place to point at.
    Missing { reason: String, span: Span },
}

fn lang_of_runtime(runtime: &str) -> Option<Lang> {
    if runtime.starts_with("python") {
        Some(Lang::Python)
    } else if runtime.starts_with("nodejs") {
        Some(Lang::JavaScript)
    } else {
        None
    }
}

/// Locate the handler source of a function.
#[must_use]
pub fn locate(sys: &System, h: ResHandle<'_>) -> Located {
    let r = h.res;
    let lit = |key: &str| r.prop(key).and_then(|n| sys.sym(h.tpl, n).literal());
    if lit("PackageType").as_deref() == Some("Image") || r.prop("ImageUri").is_some() {
        return Located::Unsupported;
    }
    let Some(runtime) = lit("Runtime") else {
        return Located::Unsupported;
    };
    let Some(lang) = lang_of_runtime(&runtime) else {
        return Located::Unsupported;
    };
    let handler = lit("Handler").unwrap_or_default();
    let (module, func) = handler
        .rsplit_once('.')
        .map_or((handler.as_str(), ""), |(m, f)| (m, f));
    let func = func.to_string();
    let inline = r
        .prop("InlineCode")
        .or_else(|| r.prop_path(&["Code", "ZipFile"]));
    if let Some(code) = inline {
        return match sys.sym(h.tpl, code).literal() {
            Some(text) => Located::Inline {
                lang,
                text,
                span: code.span,
                handler: func,
            },
            None => Located::Missing {
                reason: "the inline code is computed".into(),
                span: code.span,
            },
        };
    }
    let Some(t) = sys.templates.get(h.tpl) else {
        return Located::Unsupported;
    };
    let code_uri = r.prop("CodeUri");
    let folder = match code_uri {
        None if r.ty == "AWS::Serverless::Function" => t.dir.clone(),
        None => {
            return Located::Missing {
                reason: "the code is in S3 (`Code`)".into(),
                span: r.props().entry("Code").map_or(r.id_span, |e| e.key_span),
            };
        }
        Some(n) => match sys.sym(h.tpl, n).literal() {
            Some(p) if p.starts_with("s3://") => {
                return Located::Missing {
                    reason: format!("the code is in S3 (`{p}`)"),
                    span: n.span,
                };
            }
            Some(p) if p.ends_with(".zip") || p.ends_with(".jar") => {
                return Located::Missing {
                    reason: format!("the code is an archive (`{p}`)"),
                    span: n.span,
                };
            }
            Some(p) => t.dir.join(p),
            None => {
                return Located::Missing {
                    reason: "`CodeUri` is not a local folder".into(),
                    span: n.span,
                };
            }
        },
    };
    let at = code_uri.map_or(r.id_span, |n| n.span);
    if handler.is_empty() {
        return Located::Missing {
            reason: "the function has no `Handler`".into(),
            span: at,
        };
    }
    if !folder.is_dir() {
        return Located::Missing {
            reason: format!(
                "the code folder `{}` does not exist",
                crate::load::display_path(&folder)
            ),
            span: at,
        };
    }
    let stem = match lang {
        Lang::Python => module.replace('.', "/"),
        _ => module.to_string(),
    };
    let exts: &[&str] = match lang {
        Lang::Python => &["py"],
        _ => &["js", "mjs", "cjs", "ts", "mts", "cts"],
    };
    let mut candidates: Vec<PathBuf> = exts
        .iter()
        .map(|e| folder.join(format!("{stem}.{e}")))
        .collect();
    // esbuild builds: `Metadata.BuildProperties.EntryPoints`
    for ep in r
        .node
        .path(&["Metadata", "BuildProperties", "EntryPoints"])
        .map(Node::items)
        .unwrap_or_default()
    {
        if let Some(p) = ep.as_str() {
            candidates.push(folder.join(p));
        }
    }
    // TypeScript sources next to a build output: `src/app.ts` for handler `app.handler`
    if lang == Lang::JavaScript {
        candidates.extend(
            ["ts", "js", "mjs"]
                .iter()
                .map(|e| folder.join("src").join(format!("{stem}.{e}"))),
        );
    }
    match candidates.into_iter().find(|p| p.is_file()) {
        Some(entry) => Located::File {
            entry,
            root: folder,
            handler: func,
        },
        None => Located::Missing {
            reason: format!(
                "no source for handler `{handler}` in `{}`",
                crate::load::display_path(&folder)
            ),
            span: at,
        },
    }
}
