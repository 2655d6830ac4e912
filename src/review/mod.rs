//! Word proofs that came back from their authors: every comment, tracked
//! change and untracked edit at the source line and column it concerns,
//! and, asked to, the tracked changes that fall inside a paragraph's plain
//! text written into the markdown source (every other byte unchanged).
//!
//! A proof ([`crate::output::docx::proof`]) marks each paragraph with its
//! source line and records its source's SHA-256. The text "as the proof
//! was written" is the proof made again from the current model, which is
//! the same proof while the source has not changed; when it has, nothing
//! is applied.

pub mod proof;

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

use crate::diag::{Diagnostic, Severity};
use crate::input::Loaded;
use crate::lint;
use crate::output::docx::{self, PROOF_PROPERTIES, ProofOf};
use proof::{Para, Proof};

/// What `review` is asked.
#[derive(Debug, Clone)]
pub struct Options {
    /// The folder holding book.toml.
    pub root: PathBuf,
    pub files: Vec<PathBuf>,
    /// Write the tracked changes into the sources.
    pub apply: bool,
}

/// A source `--apply` changed.
#[derive(Debug, Clone)]
pub struct Applied {
    /// Relative to the report root.
    pub source: PathBuf,
    pub changes: usize,
}

/// What `review` found and did.
#[derive(Debug, Default)]
pub struct Reviewed {
    pub diagnostics: Vec<Diagnostic>,
    pub applied: Vec<Applied>,
    /// The proofs read.
    pub proofs: usize,
    /// Whether the failure is in the configuration (exit code 2).
    pub config_error: bool,
}

impl Reviewed {
    pub fn failed(&self) -> bool {
        self.diagnostics.iter().any(Diagnostic::is_error)
    }
}

fn invalid(file: &Path, message: String, hint: &str) -> Diagnostic {
    Diagnostic::new(&lint::INVALID_PROOF, message).with_file(file).with_hint(hint.to_string())
}

const PROOF_HINT: &str = "`review` reads the proofs `coala-report build --format docx` writes in build/docx/, as \
                          their authors send them back";

/// Reads every proof of `options.files`.
pub fn review(options: &Options) -> Reviewed {
    let mut out = Reviewed::default();
    let mut editions: HashMap<String, Loaded> = HashMap::new();
    for file in &options.files {
        let bytes = match std::fs::read(file) {
            Ok(b) => b,
            Err(e) => {
                out.diagnostics.push(invalid(file, format!("`{}` cannot be read: {e}", file.display()), PROOF_HINT));
                continue;
            }
        };
        let proof = match proof::read(&bytes) {
            Ok(p) => p,
            Err(e) => {
                out.diagnostics.push(invalid(
                    file,
                    format!("`{}` cannot be read as a Word document: {e}", file.display()),
                    "open it in Word or LibreOffice and save it again as a Word document (.docx)",
                ));
                continue;
            }
        };
        let prop = |i: usize| proof.properties.get(PROOF_PROPERTIES[i]).cloned().unwrap_or_default();
        if prop(0) != "1" {
            out.diagnostics.push(invalid(
                file,
                format!("`{}` is not a proof made by coala-report (it names no article and no source)", file.display()),
                PROOF_HINT,
            ));
            continue;
        }
        let edition = prop(2);
        if !editions.contains_key(&edition) {
            let tag = (!edition.is_empty()).then_some(edition.as_str());
            match crate::passes::load(&options.root, tag) {
                Ok(loaded) => {
                    editions.insert(edition.clone(), loaded);
                }
                Err(diagnostics) => {
                    out.config_error = crate::pipeline::outcome::is_config_failure(&diagnostics);
                    out.diagnostics.extend(diagnostics);
                    return out;
                }
            }
        }
        let loaded = &editions[&edition];
        out.proofs += 1;
        review_one(file, &proof, loaded, options.apply, &mut out);
    }
    out
}

fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::Digest;
    sha2::Sha256::digest(bytes).iter().map(|b| format!("{b:02x}")).collect()
}

/// One paragraph's change, once placed.
struct Edit {
    start: usize,
    end: usize,
    text: String,
    line: usize,
    column: usize,
}

fn review_one(file: &Path, proof: &Proof, loaded: &Loaded, apply: bool, out: &mut Reviewed) {
    let prop = |i: usize| proof.properties.get(PROOF_PROPERTIES[i]).cloned().unwrap_or_default();
    let title = &loaded.manifest.book.title;
    if prop(1) != *title {
        out.diagnostics.push(invalid(
            file,
            format!("`{}` is a proof of another report («{}»), not of «{title}»", file.display(), prop(1)),
            "run `review` in the folder of the report the proof was made from",
        ));
        return;
    }
    let id = prop(3);
    let Some(article) = loaded.report.articles().find(|a| a.id == id) else {
        out.diagnostics.push(invalid(
            file,
            format!("`{}` is a proof of the article `{id}`, which the report no longer has", file.display()),
            "check book.toml: the article was renamed or removed since the proof was made",
        ));
        return;
    };
    let source = article.path.clone();
    let current = std::fs::read(loaded.root.path().join(&source)).unwrap_or_default();
    let sha = sha256_hex(&current);
    let changed = sha != prop(5);
    if changed {
        let mut d = Diagnostic::new(
            &lint::REVIEW_SOURCE_CHANGED,
            format!("`{}` changed since the proof `{}` was made", source.display(), file.display()),
        )
        .with_file(&source)
        .with_hint("the comments and changes are placed at the lines the proof names; make a new proof, or make the changes by hand");
        if apply {
            d.severity = Severity::Error;
            d.message.push_str("; nothing is applied");
        }
        out.diagnostics.push(d);
    }
    let markdown = source.extension().is_some_and(|e| e.eq_ignore_ascii_case("md"));
    let text = if markdown { String::from_utf8(current).ok() } else { None };
    // The proof as it was written: made again, from the unchanged source.
    let written: Option<HashMap<String, String>> = (!changed).then(|| {
        let of = ProofOf { pages: None, edition: None, sha256: sha.clone() };
        let bytes = docx::proof(article, &loaded.manifest, &loaded.root, &of, None);
        proof::read(&bytes)
            .map(|p| p.paras.into_iter().filter_map(|para| Some((para.mark.clone()?.0, para.text()))).collect())
            .unwrap_or_default()
    });
    let mut edits: Vec<Edit> = Vec::new();
    let mut last_line = 1;
    let mut seen_marks = HashSet::new();
    let mut marked_lines: HashMap<String, usize> = HashMap::new();
    for para in &proof.paras {
        let line = para.mark.as_ref().map_or(last_line, |m| m.1);
        last_line = line;
        if let Some((name, l)) = &para.mark {
            seen_marks.insert(name.clone());
            marked_lines.insert(name.clone(), *l);
        }
        let chars = &para.original;
        let at = |start: usize, end: usize| -> (usize, usize, usize) {
            text.as_deref()
                .and_then(|t| locate(t, line, chars, start, end).map(|(s, e)| position(t, s, e)))
                .unwrap_or((line, 1, 1))
        };
        // Untracked edits: the text differs from the proof as written.
        let mut dirty = false;
        if let (Some(written), Some((name, _))) = (&written, &para.mark)
            && let Some(was) = written.get(name)
        {
            let now = para.text();
            if *was != now {
                dirty = true;
                let was_chars: Vec<char> = was.chars().collect();
                let (old, new, offset) = word_diff(&was_chars, chars);
                let (l, c, len) = text
                    .as_deref()
                    .and_then(|t| {
                        locate(t, line, &was_chars, offset, offset + old.chars().count())
                            .map(|(s, e)| position(t, s, e))
                    })
                    .unwrap_or((line, 1, 1));
                out.diagnostics.push(
                    Diagnostic::new(
                        &lint::REVIEW_UNTRACKED_EDIT,
                        format!("changed without tracking in `{}`: «{old}» became «{new}»", file.display()),
                    )
                    .with_file(&source)
                    .with_position(l, c)
                    .with_len(len)
                    .with_hint("ask authors to turn on Track Changes (Review › Track Changes); make this edit by hand"),
                );
            }
        }
        for comment in &para.comments {
            let words: String = chars[comment.start.min(chars.len())..comment.end.min(chars.len())].iter().collect();
            let (l, c, len) = at(comment.start, comment.end);
            out.diagnostics.push(
                Diagnostic::new(
                    &lint::REVIEW_COMMENT,
                    format!(
                        "{} commented{} on «{}»: {}",
                        or_unknown(&comment.author),
                        date(&comment.date),
                        words.trim(),
                        comment.text.trim()
                    ),
                )
                .with_file(&source)
                .with_position(l, c)
                .with_len(len),
            );
        }
        for change in &para.changes {
            let len = change.deleted.chars().count();
            let (l, c, span) = at(change.at, change.at + len);
            let what = match (change.deleted.is_empty(), change.inserted.is_empty()) {
                (false, false) => format!("replaced «{}» with «{}»", change.deleted, change.inserted),
                (false, true) => format!("deleted «{}»", change.deleted),
                _ => format!("inserted «{}»", change.inserted),
            };
            out.diagnostics.push(
                Diagnostic::new(
                    &lint::REVIEW_CHANGE,
                    format!("{} {what}{}", or_unknown(&change.author), date(&change.date)),
                )
                .with_file(&source)
                .with_position(l, c)
                .with_len(span),
            );
            if !apply || changed {
                continue;
            }
            let reason = not_applicable(para, change, markdown, dirty);
            let located = reason
                .is_none()
                .then(|| text.as_deref().and_then(|t| locate(t, line, chars, change.at, change.at + len)));
            match (reason, located.flatten()) {
                (None, Some((start, end))) => {
                    edits.push(Edit { start, end, text: change.inserted.clone(), line: l, column: c })
                }
                (reason, _) => {
                    let reason = reason
                        .unwrap_or("its words are not in the source as written (markup, or text the report generates)");
                    out.diagnostics.push(
                        Diagnostic::new(&lint::REVIEW_NOT_APPLIED, format!("not applied: {what}: {reason}"))
                            .with_file(&source)
                            .with_position(l, c)
                            .with_len(span),
                    );
                }
            }
        }
    }
    // Paragraphs deleted without tracking.
    if let Some(written) = &written {
        let mut gone: Vec<(&String, &String)> =
            written.iter().filter(|(name, _)| !seen_marks.contains(*name)).collect();
        gone.sort();
        for (name, was) in gone {
            let line =
                name[docx::document::SOURCE_MARK.len()..].split('_').next().and_then(|l| l.parse().ok()).unwrap_or(1);
            out.diagnostics.push(
                Diagnostic::new(
                    &lint::REVIEW_UNTRACKED_EDIT,
                    format!("a paragraph was deleted without tracking in `{}`: «{}»", file.display(), short(was)),
                )
                .with_file(&source)
                .with_line(line),
            );
        }
    }
    if edits.is_empty() {
        return;
    }
    let Some(mut text) = text else { return };
    edits.sort_by_key(|e| (e.start, e.end));
    let mut kept: Vec<Edit> = Vec::new();
    for edit in edits {
        if kept.last().is_some_and(|k| edit.start < k.end) {
            out.diagnostics.push(
                Diagnostic::new(&lint::REVIEW_NOT_APPLIED, "not applied: it overlaps another change")
                    .with_file(&source)
                    .with_position(edit.line, edit.column),
            );
            continue;
        }
        kept.push(edit);
    }
    for edit in kept.iter().rev() {
        text.replace_range(edit.start..edit.end, &edit.text);
    }
    match std::fs::write(loaded.root.path().join(&source), text) {
        Ok(()) => out.applied.push(Applied { source, changes: kept.len() }),
        Err(e) => out.diagnostics.push(
            Diagnostic::new(&lint::INVALID_PROOF, format!("cannot write `{}`: {e}", source.display()))
                .with_file(&source),
        ),
    }
}

fn or_unknown(author: &str) -> &str {
    if author.trim().is_empty() { "someone" } else { author }
}

fn date(date: &str) -> String {
    if date.is_empty() { String::new() } else { format!(" ({date})") }
}

fn short(text: &str) -> String {
    let t: String = text.chars().take(60).collect();
    if text.chars().count() > 60 { format!("{t}…") } else { t }
}

/// Why a tracked change cannot be written into the source, if it cannot.
fn not_applicable(para: &Para, change: &proof::Change, markdown: bool, dirty: bool) -> Option<&'static str> {
    if !markdown {
        return Some("the article's source is not markdown");
    }
    if para.mark.is_none() {
        return Some("it is in a paragraph added, moved or split in Word");
    }
    if para.in_table {
        return Some("it is in a table (change the table's markdown by hand)");
    }
    let len = change.deleted.chars().count();
    let places = if len == 0 {
        let before = change.at.checked_sub(1).and_then(|i| para.places.get(i));
        let after = para.places.get(change.at);
        match (before, after) {
            (Some(b), Some(a)) => vec![proof::Place { link: b.link && a.link, math: b.math && a.math }],
            _ => Vec::new(),
        }
    } else {
        para.places[change.at.min(para.places.len())..(change.at + len).min(para.places.len())].to_vec()
    };
    if change.place.math || places.iter().any(|p| p.math) {
        return Some("it is inside a formula");
    }
    if change.place.link || places.iter().any(|p| p.link) {
        return Some("it is inside a link");
    }
    if dirty {
        return Some("the paragraph was also edited without tracking changes");
    }
    None
}

/// The byte range in `source` of the paragraph text `chars[start..end]`,
/// looked for from line `line` to the end of its block (the next blank
/// line); an empty range (an insertion) is placed after the word before
/// it (before the word after it at the start). `None` when it is not
/// there as written.
pub fn locate(source: &str, line: usize, chars: &[char], start: usize, end: usize) -> Option<(usize, usize)> {
    let start = start.min(chars.len());
    let end = end.clamp(start, chars.len());
    let region_start = line_start(source, line)?;
    let rest = &source[region_start..];
    let region_end = rest.find("\n\n").map_or(source.len(), |i| region_start + i + 1);
    let region = &source[region_start..region_end];
    // What to look for, and where the range is within it.
    let (from, to, trim_front) = if end > start {
        (start, end, 0)
    } else if start > 0 {
        // The word before: back over spaces, then the word.
        let mut b = start;
        while b > 0 && chars[b - 1].is_whitespace() {
            b -= 1;
        }
        while b > 0 && !chars[b - 1].is_whitespace() {
            b -= 1;
        }
        (b, start, start - b)
    } else {
        let mut e = 0;
        while e < chars.len() && chars[e].is_whitespace() {
            e += 1;
        }
        while e < chars.len() && !chars[e].is_whitespace() {
            e += 1;
        }
        (0, e, 0)
    };
    let target: String = chars[from..to].iter().collect();
    if target.trim().is_empty() {
        return None;
    }
    // Its k-th occurrence in the paragraph is its k-th in the source.
    let before: String = chars[..from].iter().collect();
    let full: String = chars.iter().collect();
    let k = full.match_indices(&target).filter(|(i, _)| *i < before.len()).count();
    let (at, _) = region.match_indices(&target).nth(k)?;
    let s = region_start + at;
    let e = s + target.len();
    if end > start {
        return Some((s, e));
    }
    // An insertion: an empty range.
    let point = if trim_front > 0 { e } else { s };
    Some((point, point))
}

fn line_start(source: &str, line: usize) -> Option<usize> {
    if line <= 1 {
        return Some(0);
    }
    source.match_indices('\n').nth(line - 2).map(|(i, _)| i + 1)
}

/// Line, column (characters, from 1) and length in characters on that line.
fn position(source: &str, start: usize, end: usize) -> (usize, usize, usize) {
    let line = source[..start].matches('\n').count() + 1;
    let line_start = source[..start].rfind('\n').map_or(0, |i| i + 1);
    let column = source[line_start..start].chars().count() + 1;
    let line_end = source[start..].find('\n').map_or(source.len(), |i| start + i);
    (line, column, source[start..end.min(line_end)].chars().count().max(1))
}

/// What changed between two texts: the old and new words between their
/// common beginning and end, and where the old ones start.
fn word_diff(old: &[char], new: &[char]) -> (String, String, usize) {
    let mut p = old.iter().zip(new).take_while(|(a, b)| a == b).count();
    let mut s = old
        .iter()
        .rev()
        .zip(new.iter().rev())
        .take_while(|(a, b)| a == b)
        .count()
        .min(old.len() - p)
        .min(new.len() - p);
    // Whole words.
    while p > 0 && !old[p - 1].is_whitespace() {
        p -= 1;
    }
    while s > 0 && !old[old.len() - s].is_whitespace() {
        s -= 1;
    }
    let old_mid: String = old[p..old.len() - s].iter().collect();
    let new_mid: String = new[p.min(new.len())..new.len().saturating_sub(s).max(p.min(new.len()))].iter().collect();
    (old_mid.trim().to_string(), new_mid.trim().to_string(), p + (old_mid.len() - old_mid.trim_start().len()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chars(s: &str) -> Vec<char> {
        s.chars().collect()
    }

    #[test]
    fn words_are_found_at_their_occurrence() {
        let source = "# Title\n\nThe *quick* fox and the quick dog\nrun [far](http://x.org/quick).\n\nNext.\n";
        let para = chars("The quick fox and the quick dog run far.");
        // The second "quick".
        let at = para.iter().collect::<String>().rfind("quick").unwrap();
        let (s, e) = locate(source, 3, &para, at, at + 5).unwrap();
        assert_eq!(&source[s..e], "quick");
        assert_eq!(position(source, s, e), (3, 25, 5));
        // An insertion after "fox".
        let (s, e) = locate(source, 3, &para, 13, 13).unwrap();
        assert_eq!((s, e), (source.find(" fox").unwrap() + 4, source.find(" fox").unwrap() + 4));
    }

    #[test]
    fn diff_in_words() {
        let (old, new, at) = word_diff(&chars("the quick brown fox"), &chars("the quick red fox"));
        assert_eq!((old.as_str(), new.as_str(), at), ("brown", "red", 10));
    }
}
