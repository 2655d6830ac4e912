//! `coala-report translations`: where every translation stands (a table of
//! editions × articles, or `--json`), what changed in an original since its
//! translation was marked current (`diff`, from git history), and marking
//! translations current after review (`mark`).

use std::fmt::Write as _;
use std::path::Path;

use crate::config::{Config, Edition};
use crate::diag::Diagnostic;
use crate::input::translations::{self, Records, State, Status};
use crate::lint;

/// The status table, as text or JSON.
pub fn status(root: &Path, json: bool) -> Result<String, Diagnostic> {
    let config = Config::load(root)?;
    let records = translations::read_records(&config)?;
    let statuses = translations::statuses(&config, &records, &[]);
    if json {
        return Ok(status_json(&config, &statuses));
    }
    let editions: Vec<String> = config.editions().iter().filter_map(|e| e.tag.clone()).collect();
    if editions.is_empty() {
        return Ok("the report has no translated edition ([translations.<tag>] in book.toml)\n".into());
    }
    let articles = translations::articles(&config.manifest);
    let width = articles.iter().map(|a| a.chars().count()).max().unwrap_or(7).max(7);
    let mut out = format!("{:width$}", "article");
    for tag in &editions {
        let _ = write!(out, "  {tag:<9}");
    }
    let kept = out.trim_end().len();
    out.truncate(kept);
    out.push('\n');
    for article in &articles {
        let _ = write!(out, "{article:width$}");
        for tag in &editions {
            let state = statuses.iter().find(|s| &s.edition == tag && &s.article == article).map(|s| s.state);
            let _ = write!(out, "  {:<9}", state.map_or("", label));
        }
        let kept = out.trim_end().len();
        out.truncate(kept);
        out.push('\n');
    }
    out.push('\n');
    for tag in &editions {
        let of = |state: State| statuses.iter().filter(|s| &s.edition == tag && s.state == state).count();
        let left: usize =
            statuses.iter().filter(|s| &s.edition == tag && s.state != State::Current).map(|s| s.words).sum();
        let _ = writeln!(
            out,
            "{tag}: {} current, {} out of date, {} unknown, {} missing; {left} words of the originals to translate or review",
            of(State::Current),
            of(State::Stale),
            of(State::Unknown),
            of(State::Missing),
        );
    }
    Ok(out)
}

fn label(state: State) -> &'static str {
    match state {
        State::Current => "current",
        State::Stale => "stale",
        State::Unknown => "unknown",
        State::Missing => "missing",
    }
}

fn status_json(config: &Config, statuses: &[Status]) -> String {
    let editions: Vec<serde_json::Value> = config
        .editions()
        .iter()
        .filter_map(|e| e.tag.clone())
        .map(|tag| {
            let mine: Vec<&Status> = statuses.iter().filter(|s| s.edition == tag).collect();
            let of = |state: State| mine.iter().filter(|s| s.state == state).count();
            serde_json::json!({
                "edition": tag,
                "current": of(State::Current),
                "stale": of(State::Stale),
                "unknown": of(State::Unknown),
                "missing": of(State::Missing),
                "words_left": mine.iter().filter(|s| s.state != State::Current).map(|s| s.words).sum::<usize>(),
                "articles": mine,
            })
        })
        .collect();
    serde_json::to_string_pretty(&serde_json::json!({ "schema": 1, "editions": editions })).unwrap_or_default()
}

/// Records the originals of `articles` (all translated ones when empty) as
/// what edition `language` translates now; returns what was marked.
pub fn mark(root: &Path, language: &str, articles: &[String]) -> Result<Vec<String>, Diagnostic> {
    let config = Config::load(root)?;
    let edition = translated_edition(&config, language)?;
    let mut records: Records = translations::read_records(&config)?;
    let statuses = translations::statuses(&config, &records, std::slice::from_ref(&edition));
    for article in articles {
        if !statuses.iter().any(|s| &s.article == article) {
            return Err(not_an_article(article));
        }
    }
    let mut marked = Vec::new();
    for s in statuses.iter().filter(|s| articles.is_empty() || articles.contains(&s.article)) {
        if s.state == State::Missing {
            if !articles.is_empty() {
                return Err(Diagnostic::new(&lint::INVALID_MANIFEST, format!("`{}` does not exist", s.translation))
                    .with_hint("translate the article first: copy the original there and translate it"));
            }
            continue;
        }
        config.root.resolve(&s.original).map_err(|e| {
            Diagnostic::new(&lint::MISSING_ARTICLE, e.describe("article", &s.original)).with_hint(e.hint())
        })?;
        let text = crate::input::article_text(&config.root, &s.original).unwrap_or_default();
        records.entry(s.edition.clone()).or_default().insert(s.article.clone(), translations::fingerprint(&text));
        marked.push(s.translation.clone());
    }
    translations::write_records(&config, &records)?;
    Ok(marked)
}

/// What changed in the original of `article` since edition `language`'s
/// translation was marked current: its paragraphs removed (`-`) and added
/// (`+`), from git history.
pub fn diff(root: &Path, language: &str, article: &str) -> Result<String, Diagnostic> {
    let config = Config::load(root)?;
    let edition = translated_edition(&config, language)?;
    let records = translations::read_records(&config)?;
    let statuses = translations::statuses(&config, &records, std::slice::from_ref(&edition));
    let Some(status) = statuses.iter().find(|s| s.article == article) else {
        return Err(not_an_article(article));
    };
    let now = crate::input::article_text(&config.root, &status.original).unwrap_or_default();
    let Some(recorded) = records.get(language).and_then(|r| r.get(article)) else {
        return Ok(format!(
            "no version of `{}` is recorded for `{}`: review the whole translation, then \
             `coala-report translations mark {language} {article}`\n",
            status.original, status.translation
        ));
    };
    if *recorded == translations::fingerprint(&now) {
        return Ok(format!(
            "`{}` has not changed since `{}` was marked current\n",
            status.original, status.translation
        ));
    }
    let old = version_in_git(config.root.path(), &status.original, recorded)?;
    Ok(paragraph_diff(&old, &now))
}

/// The error for an article name that book.toml does not list.
fn not_an_article(article: &str) -> Diagnostic {
    Diagnostic::new(&lint::INVALID_MANIFEST, format!("`{article}` is not an article of the report"))
        .with_hint("name articles as book.toml lists them")
}

/// The edition whose language is `language`, which must be a translation.
fn translated_edition(config: &Config, language: &str) -> Result<Edition, Diagnostic> {
    config.select(&[language.to_string()])?.into_iter().find(|e| e.tag.is_some()).ok_or_else(|| {
        Diagnostic::new(&lint::INVALID_MANIFEST, format!("`{language}` is the original's language, not a translation"))
            .with_hint("name a [translations.<tag>] of book.toml")
    })
}

/// The text `rel` had in the git history of `root` when its fingerprint
/// was `recorded`.
fn version_in_git(root: &Path, rel: &str, recorded: &str) -> Result<String, Diagnostic> {
    let git = |args: &[&str]| {
        std::process::Command::new("git").arg("-C").arg(root).args(args).output().ok().filter(|o| o.status.success())
    };
    let no_history = |why: &str| {
        Diagnostic::new(&lint::UNREADABLE_FILE, format!("cannot show what changed in `{rel}`: {why}"))
            .with_hint("the earlier versions of an original come from git history; compare the files by hand")
    };
    let prefix =
        git(&["rev-parse", "--show-prefix"]).ok_or_else(|| no_history("the report is not a git repository"))?;
    let prefix = String::from_utf8_lossy(&prefix.stdout).trim().to_string();
    let log = git(&["log", "--format=%H", "--", rel]).ok_or_else(|| no_history("git log failed"))?;
    for commit in String::from_utf8_lossy(&log.stdout).lines() {
        let Some(shown) = git(&["show", &format!("{commit}:{prefix}{rel}")]) else { continue };
        let text = String::from_utf8_lossy(&shown.stdout).into_owned();
        if translations::fingerprint(&text) == recorded {
            return Ok(text);
        }
    }
    Err(no_history("no commit holds the version the translation was marked against"))
}

/// Paragraphs (blank-line separated) removed and added between two texts.
pub fn paragraph_diff(old: &str, new: &str) -> String {
    let paragraphs = |t: &str| -> Vec<String> {
        t.replace("\r\n", "\n").split("\n\n").map(|p| p.trim().to_string()).filter(|p| !p.is_empty()).collect()
    };
    let (old, new) = (paragraphs(old), paragraphs(new));
    let mut out = String::new();
    for op in similar::capture_diff_slices(similar::Algorithm::Myers, &old, &new) {
        match op {
            similar::DiffOp::Delete { old_index, old_len, .. } => {
                for p in &old[old_index..old_index + old_len] {
                    let _ = writeln!(out, "- {}\n", p.replace('\n', "\n  "));
                }
            }
            similar::DiffOp::Insert { new_index, new_len, .. } => {
                for p in &new[new_index..new_index + new_len] {
                    let _ = writeln!(out, "+ {}\n", p.replace('\n', "\n  "));
                }
            }
            similar::DiffOp::Replace { old_index, old_len, new_index, new_len } => {
                for p in &old[old_index..old_index + old_len] {
                    let _ = writeln!(out, "- {}\n", p.replace('\n', "\n  "));
                }
                for p in &new[new_index..new_index + new_len] {
                    let _ = writeln!(out, "+ {}\n", p.replace('\n', "\n  "));
                }
            }
            similar::DiffOp::Equal { .. } => {}
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paragraphs_removed_and_added() {
        let old = "# T\n\nKept.\n\nChanged once.\n\nGone.\n";
        let new = "# T\n\nKept.\n\nChanged twice.\n\nNew one.\n";
        assert_eq!(paragraph_diff(old, new), "- Changed once.\n\n- Gone.\n\n+ Changed twice.\n\n+ New one.\n\n");
        assert_eq!(paragraph_diff(old, old), "");
    }
}
