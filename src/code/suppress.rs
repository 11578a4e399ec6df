//! Suppression comments in code: `# eventlint: ignore[EL401] reason` or
//! `// eventlint: ignore[EL401, EL301] reason`, on the line of the finding or the line above.

/// A suppression comment: the 1-based line it is on and the rules it names.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CodeSuppression {
    pub line: u32,
    pub rules: Vec<String>,
}

/// Every suppression comment of a source file.
#[must_use]
pub fn scan(text: &str) -> Vec<CodeSuppression> {
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let Some(pos) = line.find("eventlint: ignore[") else {
            continue;
        };
        let before = &line[..pos];
        if !(before.trim_end().ends_with('#') || before.trim_end().ends_with("//")) {
            continue;
        }
        let rest = &line[pos + "eventlint: ignore[".len()..];
        let Some(end) = rest.find(']') else { continue };
        let rules = rest[..end]
            .split(',')
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty())
            .collect();
        out.push(CodeSuppression {
            line: u32::try_from(i + 1).unwrap_or(u32::MAX),
            rules,
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_python_and_js_comments() {
        let s = scan(
            "x = 1\n# eventlint: ignore[EL401] sync by design\ny()\nz() // eventlint: ignore[EL301, EL303] ok\n",
        );
        assert_eq!(
            s,
            vec![
                CodeSuppression {
                    line: 2,
                    rules: vec!["EL401".into()]
                },
                CodeSuppression {
                    line: 4,
                    rules: vec!["EL301".into(), "EL303".into()]
                },
            ]
        );
        assert!(scan("s = 'eventlint: ignore[EL1]'\n").is_empty());
    }
}
