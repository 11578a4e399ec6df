//! Source files and byte spans.
//!
//! Every file read by a run gets a [`FileId`]; every node, edge and finding carries a [`Span`]
//! (file + byte range) so diagnostics point at the exact key or value.

use std::path::PathBuf;

/// Index of a file in the [`SourceDb`].
pub type FileId = u32;

/// A byte range in one source file.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Span {
    pub file: FileId,
    pub start: u32,
    pub end: u32,
}

impl Span {
    #[must_use]
    pub fn new(file: FileId, start: usize, end: usize) -> Self {
        let clamp = |v: usize| u32::try_from(v).unwrap_or(u32::MAX);
        Span {
            file,
            start: clamp(start),
            end: clamp(end.max(start)),
        }
    }
}

/// One file of the run: its display path (relative, `/`-separated), text and line index.
#[derive(Debug)]
pub struct SourceFile {
    /// Path as shown to users: relative to the current directory when possible, `/` separators.
    pub path: String,
    /// Path on disk (used to find handler code and `DefinitionUri` files next to it).
    pub disk_path: PathBuf,
    pub text: String,
    line_starts: Vec<u32>,
}

impl SourceFile {
    #[must_use]
    pub fn new(path: String, disk_path: PathBuf, text: String) -> Self {
        let line_starts = std::iter::once(0)
            .chain(
                memchr::memchr_iter(b'\n', text.as_bytes())
                    .map(|i| u32::try_from(i + 1).unwrap_or(u32::MAX)),
            )
            .collect();
        SourceFile {
            path,
            disk_path,
            text,
            line_starts,
        }
    }

    /// 1-based line and 1-based column (in Unicode code points) of a byte offset.
    #[must_use]
    pub fn line_col(&self, byte: u32) -> (u32, u32) {
        let byte = byte.min(u32::try_from(self.text.len()).unwrap_or(u32::MAX));
        let line_idx = match self.line_starts.binary_search(&byte) {
            Ok(i) => i,
            Err(i) => i.saturating_sub(1),
        };
        let start = self.line_starts.get(line_idx).copied().unwrap_or(0) as usize;
        let end = (byte as usize).min(self.text.len());
        let col = self
            .text
            .get(start..end)
            .map_or(end - start, |s| s.chars().count());
        (
            u32::try_from(line_idx + 1).unwrap_or(u32::MAX),
            u32::try_from(col + 1).unwrap_or(u32::MAX),
        )
    }

    /// Byte offset of the start of a 1-based line, if it exists.
    #[must_use]
    pub fn line_start(&self, line: u32) -> Option<u32> {
        self.line_starts
            .get((line as usize).checked_sub(1)?)
            .copied()
    }

    #[must_use]
    pub fn line_count(&self) -> usize {
        self.line_starts.len()
    }
}

/// All files of a run, addressed by [`FileId`].
#[derive(Debug, Default)]
pub struct SourceDb {
    files: Vec<SourceFile>,
}

impl SourceDb {
    pub fn add(&mut self, file: SourceFile) -> FileId {
        self.files.push(file);
        u32::try_from(self.files.len() - 1).unwrap_or(u32::MAX)
    }

    #[must_use]
    pub fn get(&self, id: FileId) -> Option<&SourceFile> {
        self.files.get(id as usize)
    }

    pub fn iter(&self) -> impl Iterator<Item = (FileId, &SourceFile)> {
        self.files
            .iter()
            .enumerate()
            .map(|(i, f)| (u32::try_from(i).unwrap_or(u32::MAX), f))
    }

    #[must_use]
    pub fn len(&self) -> usize {
        self.files.len()
    }

    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.files.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_col_counts_code_points() {
        let f = SourceFile::new("a".into(), PathBuf::new(), "ab\nä x\n".into());
        assert_eq!(f.line_col(0), (1, 1));
        assert_eq!(f.line_col(3), (2, 1));
        // 'x' is at byte 6 (ä is two bytes) but column 3
        assert_eq!(f.line_col(6), (2, 3));
        assert_eq!(f.line_col(999), (3, 1));
    }
}
