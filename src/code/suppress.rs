//! Suppression comments in code: `# eventlint: ignore[EL401] reason` or
//! `// eventlint: ignore[EL401, EL301] reason`, on the line of the finding or the line above.

/// A suppression comment: the 1-based line it is on and the rules it names.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CodeSuppression {
    pub line: u32,
    /// Byte offset of `eventlint:` in the file.
    pub offset: usize,
    pub rules: Vec<String>,
}

const MARKER: &str = "eventlint: ignore[";

/// Every suppression comment of a source file.
#[must_use]
pub fn scan(text: &str) -> Vec<CodeSuppression> {
    let mut out = Vec::new();
    let mut line_start = 0usize;
    for (i, line) in text.split_inclusive('\n').enumerate() {
        let start = line_start;
        line_start += line.len();
        let Some(pos) = line.find(MARKER) else {
            continue;
        };
        let before = line.get(..pos).unwrap_or("").trim_end();
        if !(before.ends_with('#') || before.ends_with("//")) {
            continue;
        }
        let rest = line.get(pos + MARKER.len()..).unwrap_or("");
        let Some(end) = rest.find(']') else { continue };
        let rules = rest
            .get(..end)
            .unwrap_or("")
            .split(',')
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty())
            .collect();
        out.push(CodeSuppression {
            line: u32::try_from(i + 1).unwrap_or(u32::MAX),
            offset: start + pos,
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
        let text = "x = 1\n# eventlint: ignore[EL401] sync by design\ny()\nz() // eventlint: ignore[EL301, EL303] ok\n";
        let s = scan(text);
        assert_eq!(s.len(), 2);
        assert_eq!(
            (s[0].line, s[0].rules.clone()),
            (2, vec!["EL401".to_string()])
        );
        assert_eq!(&text[s[0].offset..s[0].offset + 10], "eventlint:");
        assert_eq!(
            (s[1].line, s[1].rules.clone()),
            (4, vec!["EL301".to_string(), "EL303".to_string()])
        );
        assert_eq!(&text[s[1].offset..s[1].offset + 10], "eventlint:");
        assert!(scan("s = 'eventlint: ignore[EL1]'\n").is_empty());
    }
}
