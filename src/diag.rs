//! Diagnostics: errors and warnings that name a file, line and column, with a
//! hint, printed rustc-style with codespan-reporting.

use std::fmt;
use std::path::{Path, PathBuf};

use codespan_reporting::diagnostic::{Diagnostic as CsDiagnostic, Label};
use codespan_reporting::files::SimpleFiles;
use codespan_reporting::term::{self, termcolor::WriteColor};

use crate::lint::{Level, Levels, Lint};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    Warning,
    Error,
}

/// One problem found in the report's sources.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    /// The kind of problem, with its stable name (`broken-anchor`), see
    /// [`crate::lint`].
    pub lint: &'static Lint,
    pub severity: Severity,
    pub message: String,
    /// The file the problem is in, as the user should read it.
    pub file: Option<PathBuf>,
    /// 1-based line.
    pub line: Option<usize>,
    /// 1-based column, in characters.
    pub column: Option<usize>,
    /// Length of the offending text on that line, in characters (for the caret).
    pub len: u32,
    pub hint: Option<String>,
}

impl Diagnostic {
    /// A diagnostic of the kind `lint`, at its default severity (the
    /// build's [`crate::lint::Levels`] may change it).
    pub fn new(lint: &'static Lint, message: impl Into<String>) -> Self {
        let severity = if lint.default == Level::Deny { Severity::Error } else { Severity::Warning };
        Self { lint, severity, message: message.into(), file: None, line: None, column: None, len: 1, hint: None }
    }

    pub fn with_message(mut self, message: impl Into<String>) -> Self {
        self.message = message.into();
        self
    }

    pub fn with_file(mut self, file: impl AsRef<Path>) -> Self {
        self.file = Some(file.as_ref().to_path_buf());
        self
    }

    pub fn with_line(mut self, line: usize) -> Self {
        self.line = Some(line);
        self.column.get_or_insert(1);
        self
    }

    pub fn with_position(mut self, line: usize, column: usize) -> Self {
        self.line = Some(line);
        self.column = Some(column.max(1));
        self
    }

    /// Underlines `len` characters from the column.
    pub fn with_len(mut self, len: usize) -> Self {
        self.len = u32::try_from(len.max(1)).unwrap_or(u32::MAX);
        self
    }

    /// Sets line, column and length from a byte range into `text`.
    pub fn with_span(mut self, text: &str, span: std::ops::Range<usize>) -> Self {
        let start = floor_char_boundary(text, span.start.min(text.len()));
        let end = floor_char_boundary(text, span.end.min(text.len())).max(start);
        let line_start = text[..start].rfind('\n').map_or(0, |i| i + 1);
        let line = text[..start].matches('\n').count() + 1;
        let column = text[line_start..start].chars().count() + 1;
        let line_end = text[start..].find('\n').map_or(text.len(), |i| start + i);
        self.line = Some(line);
        self.column = Some(column);
        self.len = u32::try_from(text[start..end.min(line_end)].chars().count().max(1)).unwrap_or(u32::MAX);
        self
    }

    pub fn with_hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }

    /// The stable name of the kind of problem.
    pub fn name(&self) -> &'static str {
        self.lint.name
    }

    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }

    /// `file:line:col`, or as much of it as is known; in a Word document,
    /// whose lines are its paragraphs, `file, paragraph N`.
    pub fn location(&self) -> Option<String> {
        let file = self.file.as_ref()?;
        let mut out = file.display().to_string();
        if file.extension().is_some_and(|e| e.eq_ignore_ascii_case("docx")) {
            if let Some(line) = self.line {
                out.push_str(&format!(", paragraph {line}"));
            }
            return Some(out);
        }
        if let Some(line) = self.line {
            out.push_str(&format!(":{line}"));
            if let Some(col) = self.column {
                out.push_str(&format!(":{col}"));
            }
        }
        Some(out)
    }
}

impl fmt::Display for Diagnostic {
    /// The plain one-line form: `error: file:line:col: message (hint: ...)`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let severity = match self.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        write!(f, "{severity}[{}]: ", self.name())?;
        if let Some(location) = self.location() {
            write!(f, "{location}: ")?;
        }
        write!(f, "{}", self.message)?;
        if let Some(hint) = &self.hint {
            write!(f, "\n  = hint: {hint}")?;
        }
        Ok(())
    }
}

impl std::error::Error for Diagnostic {}

/// Sets each diagnostic's severity from its level in `levels`; drops the
/// allowed ones.
pub fn apply_levels(levels: &Levels, diagnostics: Vec<Diagnostic>) -> Vec<Diagnostic> {
    diagnostics
        .into_iter()
        .filter_map(|mut d| {
            d.severity = match levels.level(d.lint) {
                Level::Allow => return None,
                Level::Warn => Severity::Warning,
                Level::Deny => Severity::Error,
            };
            Some(d)
        })
        .collect()
}

fn floor_char_boundary(text: &str, mut index: usize) -> usize {
    while index > 0 && !text.is_char_boundary(index) {
        index -= 1;
    }
    index
}

/// Prints diagnostics rustc-style: severity, `file:line:col`, the source line
/// with a caret, and the hint. `root` is where relative file names are read
/// from to show the snippet.
pub fn emit(out: &mut dyn WriteColor, root: &Path, diagnostics: &[Diagnostic]) -> std::io::Result<()> {
    let config = term::Config::default();
    let mut files = SimpleFiles::new();
    for diag in diagnostics {
        let mut cs = match diag.severity {
            Severity::Error => CsDiagnostic::error(),
            Severity::Warning => CsDiagnostic::warning(),
        }
        .with_code(diag.name())
        .with_message(&diag.message);
        if let (Some(file), Some(line)) = (&diag.file, diag.line) {
            let path = if file.is_absolute() { file.clone() } else { root.join(file) };
            if let Ok(text) = std::fs::read_to_string(&path) {
                let text = normalize(&text);
                if let Some(start) = byte_offset(&text, line, diag.column.unwrap_or(1)) {
                    let end = advance_chars(&text, start, diag.len as usize);
                    let id = files.add(file.display().to_string(), text);
                    cs = cs.with_labels(vec![Label::primary(id, start..end)]);
                }
            }
        }
        let mut notes = Vec::new();
        if cs.labels.is_empty()
            && let Some(location) = diag.location()
        {
            notes.push(format!("in {location}"));
        }
        if let Some(hint) = &diag.hint {
            notes.push(format!("hint: {hint}"));
        }
        cs = cs.with_notes(notes);
        term::emit(out, &config, &files, &cs).map_err(std::io::Error::other)?;
    }
    Ok(())
}

/// The same normalisation the loader applies (BOM, CRLF), so lines match.
fn normalize(text: &str) -> String {
    text.strip_prefix('\u{feff}').unwrap_or(text).replace("\r\n", "\n")
}

fn byte_offset(text: &str, line: usize, column: usize) -> Option<usize> {
    let mut start = 0;
    for _ in 1..line {
        start += text[start..].find('\n')? + 1;
    }
    Some(advance_chars(text, start, column.saturating_sub(1)))
}

fn advance_chars(text: &str, start: usize, n: usize) -> usize {
    let line_end = text[start..].find('\n').map_or(text.len(), |i| start + i);
    text[start..line_end].char_indices().nth(n).map_or(line_end, |(i, _)| start + i)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn span_to_line_and_column() {
        let text = "a\nbcé = 1\n";
        let d = Diagnostic::new(&crate::lint::INTERNAL_ERROR, "x").with_span(text, 6..7);
        assert_eq!((d.line, d.column), (Some(2), Some(4)));
    }

    #[test]
    fn display_has_location_and_hint() {
        let d = Diagnostic::new(&crate::lint::MISSING_IMAGE, "boom")
            .with_file("a.md")
            .with_position(3, 2)
            .with_hint("fix it");
        assert_eq!(d.to_string(), "error[missing-image]: a.md:3:2: boom\n  = hint: fix it");
    }
}
