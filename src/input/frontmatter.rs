//! Article front matter: TOML between `+++` lines (Hugo, Zola) or YAML
//! between `---` lines (Pandoc, Jekyll). Known keys are typed; unknown keys
//! are kept and ignored.

use std::path::Path;

use serde_json::Value;

use crate::diag::Diagnostic;
use crate::lint;

pub use crate::model::meta::{Author, FrontMatter, Kind};

/// The result of splitting a markdown file.
#[derive(Debug)]
pub struct Split<'a> {
    pub meta: FrontMatter,
    /// The markdown after the front matter.
    pub body: &'a str,
    /// How many lines precede `body` in the file.
    pub body_line_offset: usize,
    /// Problems that do not stop the build.
    pub warnings: Vec<Diagnostic>,
}

/// Splits and parses the front matter of `text` (already newline-normalised).
///
/// Pandoc's rule decides what is front matter: a block between a first line
/// `---` and a line `---` or `...` (YAML), or between `+++` lines (TOML),
/// whose first line is not blank and which reads as a table of keys. Any
/// other such block is markdown (a thematic break, a setext heading...).
/// A block that is meant as front matter (its first line is `key:` or
/// `key =`) but does not parse is an error at the faulty line.
pub fn split<'a>(text: &'a str, shown: &Path) -> Result<Split<'a>, Diagnostic> {
    let not_front_matter =
        || Ok(Split { meta: FrontMatter::default(), body: text, body_line_offset: 0, warnings: vec![] });
    let delim = if text.starts_with("+++\n") {
        "+++"
    } else if text.starts_with("---\n") {
        "---"
    } else {
        return not_front_matter();
    };
    // Find the closing delimiter on a line of its own.
    let mut offset = delim.len() + 1;
    let mut line_no = 1;
    let mut close = None;
    for line in text.get(offset..).unwrap_or("").split_inclusive('\n') {
        line_no += 1;
        let trimmed = line.trim_end();
        if trimmed == delim || (delim == "---" && trimmed == "...") {
            close = Some((offset, offset + line.len()));
            break;
        }
        offset += line.len();
    }
    let Some((inner_end, body_start)) = close else { return not_front_matter() };
    let inner = &text[delim.len() + 1..inner_end];
    let first = inner.lines().next().unwrap_or("");
    if first.trim().is_empty() {
        return not_front_matter();
    }
    let meant = if delim == "+++" { looks_like_toml(first) } else { looks_like_yaml(first) };
    let parsed = if delim == "+++" { parse_toml(inner, shown) } else { parse_yaml(inner, shown) };
    let value = match parsed {
        Ok(Some(value)) => value,
        Ok(None) => return not_front_matter(),
        Err(d) if meant => return Err(d),
        Err(_) => return not_front_matter(),
    };
    let (meta, warnings) = typed(value, inner, shown)?;
    Ok(Split { meta, body: &text[body_start..], body_line_offset: line_no, warnings })
}

/// `key: value` (or `key:`): the first line of YAML metadata.
fn looks_like_yaml(line: &str) -> bool {
    let key = line.split_once(':').map_or("", |(k, _)| k).trim_end();
    !key.is_empty()
        && !line.starts_with(char::is_whitespace)
        && key.trim_matches(['"', '\'']).chars().all(|c| c.is_alphanumeric() || matches!(c, '-' | '_' | '.' | ' '))
}

/// `key = value` or `[table]`: the first line of TOML metadata.
fn looks_like_toml(line: &str) -> bool {
    let line = line.trim();
    if line.starts_with('[') && line.ends_with(']') {
        return true;
    }
    let key = line.split_once('=').map_or("", |(k, _)| k).trim();
    !key.is_empty()
        && key.trim_matches(['"', '\'']).chars().all(|c| c.is_alphanumeric() || matches!(c, '-' | '_' | '.'))
}

/// The TOML table, as JSON values; `None` is not returned (TOML is always
/// a table).
fn parse_toml(inner: &str, shown: &Path) -> Result<Option<Value>, Diagnostic> {
    let table: toml::Table = toml::from_str(inner).map_err(|err| {
        let mut d = Diagnostic::new(
            &lint::INVALID_FRONT_MATTER,
            format!("malformed TOML front matter: {}", one_line(err.message())),
        )
        .with_file(shown)
        .with_hint("front matter between `+++` lines is TOML: key = \"value\"");
        if let Some(span) = err.span() {
            d = d.with_span(inner, span);
            d.line = d.line.map(|l| l + 1);
        }
        d
    })?;
    Ok(Some(toml_to_json(toml::Value::Table(table))))
}

/// A multi-line parser message on one line.
fn one_line(message: &str) -> String {
    message.trim().lines().map(str::trim).filter(|l| !l.is_empty()).collect::<Vec<_>>().join("; ")
}

/// The YAML mapping, as JSON values; `None` when the block is YAML but not
/// a mapping (then it is not front matter).
fn parse_yaml(inner: &str, shown: &Path) -> Result<Option<Value>, Diagnostic> {
    use saphyr::{LoadableYamlNode, YamlOwned};
    let docs = YamlOwned::load_from_str(inner).map_err(|err| {
        let at = err.marker();
        Diagnostic::new(&lint::INVALID_FRONT_MATTER, format!("malformed YAML front matter: {}", err.info()))
            .with_file(shown)
            .with_position(at.line() + 1, at.col() + 1)
            .with_hint("front matter between `---` lines is YAML: key: value")
    })?;
    match docs.into_iter().next() {
        Some(doc @ YamlOwned::Mapping(_)) => Ok(Some(yaml_to_json(doc))),
        None | Some(YamlOwned::Value(saphyr::ScalarOwned::Null)) => Ok(Some(Value::Object(Default::default()))),
        Some(_) => Ok(None),
    }
}

fn toml_to_json(value: toml::Value) -> Value {
    match value {
        toml::Value::String(s) => Value::String(s),
        toml::Value::Integer(i) => Value::from(i),
        toml::Value::Float(f) => Value::from(f),
        toml::Value::Boolean(b) => Value::Bool(b),
        toml::Value::Datetime(d) => Value::String(d.to_string()),
        toml::Value::Array(a) => Value::Array(a.into_iter().map(toml_to_json).collect()),
        toml::Value::Table(t) => Value::Object(t.into_iter().map(|(k, v)| (k, toml_to_json(v))).collect()),
    }
}

fn yaml_to_json(value: saphyr::YamlOwned) -> Value {
    use saphyr::{ScalarOwned as S, YamlOwned as Y};
    match value {
        Y::Value(S::Null) | Y::Alias(_) | Y::BadValue => Value::Null,
        Y::Value(S::Boolean(b)) => Value::Bool(b),
        Y::Value(S::Integer(i)) => Value::from(i),
        Y::Value(S::FloatingPoint(f)) => Value::from(f.into_inner()),
        Y::Value(S::String(s)) | Y::Representation(s, ..) => Value::String(s),
        Y::Sequence(items) => Value::Array(items.into_iter().map(yaml_to_json).collect()),
        Y::Mapping(map) => Value::Object(
            map.into_iter()
                .map(|(k, v)| {
                    let key = match yaml_to_json(k) {
                        Value::String(s) => s,
                        other => other.to_string(),
                    };
                    (key, yaml_to_json(v))
                })
                .collect(),
        ),
        Y::Tagged(_, inner) => yaml_to_json(*inner),
    }
}

/// Turns the generic value into typed front matter.
fn typed(value: Value, inner: &str, shown: &Path) -> Result<(FrontMatter, Vec<Diagnostic>), Diagnostic> {
    let Value::Object(map) = value else { unreachable!("front matter is a table") };
    let mut meta = FrontMatter::default();
    let mut warnings = Vec::new();
    let bad = |key: &str, expected: &str| {
        let line = find_key_line(inner, key).map_or(2, |l| l + 1);
        Diagnostic::new(&lint::INVALID_FRONT_MATTER, format!("front matter key `{key}` must be {expected}"))
            .with_file(shown)
            .with_line(line)
    };
    for (key, value) in map {
        // Keys in any case: `Title:` and `Authors:` are common (Cardano's
        // CIPs, many Jekyll sites) and mean nothing else.
        match key.to_ascii_lowercase().as_str() {
            "title" => meta.title = Some(scalar(&value).ok_or_else(|| bad(&key, "a string"))?),
            "subtitle" => meta.subtitle = Some(scalar(&value).ok_or_else(|| bad(&key, "a string"))?),
            "date" => meta.date = Some(scalar(&value).ok_or_else(|| bad(&key, "a date or string"))?),
            "abstract" => meta.abstract_ = Some(scalar(&value).ok_or_else(|| bad(&key, "a string"))?),
            "language" | "lang" => meta.language = Some(scalar(&value).ok_or_else(|| bad(&key, "a language tag"))?),
            "kind" => {
                let text = scalar(&value).ok_or_else(|| bad(&key, "a string"))?;
                let kind = Kind::parse(&text);
                if let Kind::Other(other) = &kind {
                    let line = find_key_line(inner, &key).map_or(2, |l| l + 1);
                    warnings.push(
                        Diagnostic::new(
                            &lint::UNKNOWN_KIND,
                            format!("unknown article kind `{other}`; it is typeset as an article"),
                        )
                        .with_file(shown)
                        .with_line(line)
                        .with_hint(format!("the kinds are {}", Kind::KNOWN)),
                    );
                }
                meta.kind = kind;
            }
            "keywords" | "tags" => meta.keywords = string_list(&value).ok_or_else(|| bad(&key, "a list of strings"))?,
            "authors" | "author" => {
                meta.authors = authors(&value).map_err(|msg| {
                    let line = find_key_line(inner, &key).map_or(2, |l| l + 1);
                    Diagnostic::new(&lint::INVALID_FRONT_MATTER, format!("front matter key `{key}`: {msg}"))
                        .with_file(shown)
                        .with_line(line)
                        .with_hint("write authors = [\"Name\"] or [{ name = \"Name\", affiliation = \"Org\" }]")
                })?
            }
            _ => {
                meta.extra.insert(key, value);
            }
        }
    }
    Ok((meta, warnings))
}

fn scalar(value: &Value) -> Option<String> {
    match value {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

fn string_list(value: &Value) -> Option<Vec<String>> {
    match value {
        Value::String(s) => Some(s.split(',').map(|s| s.trim().to_string()).filter(|s| !s.is_empty()).collect()),
        Value::Array(items) => items.iter().map(scalar).collect(),
        Value::Null => Some(vec![]),
        _ => None,
    }
}

fn authors(value: &Value) -> Result<Vec<Author>, String> {
    match value {
        Value::String(s) => Ok(split_author_string(s)),
        Value::Array(items) => items
            .iter()
            .map(|item| match item {
                Value::String(s) => Ok(parse_author(s)),
                Value::Object(_) => serde_json::from_value::<Author>(item.clone())
                    .map_err(|e| format!("{e}; an author table has `name`, `affiliation`, `email`, `orcid`")),
                _ => Err("each author is a name or a table".to_string()),
            })
            .collect(),
        Value::Object(_) => Ok(vec![serde_json::from_value::<Author>(value.clone()).map_err(|e| e.to_string())?]),
        Value::Null => Ok(vec![]),
        _ => Err("must be a name, a list of names or a list of tables".into()),
    }
}

/// `"Alice Doe (@alice), Bob <bob@example.org>"`: one string, comma separated.
fn split_author_string(s: &str) -> Vec<Author> {
    let mut out = Vec::new();
    let mut depth = 0i32;
    let mut start = 0;
    for (i, c) in s.char_indices() {
        match c {
            '(' | '<' => depth += 1,
            ')' | '>' => depth -= 1,
            ',' if depth <= 0 => {
                out.push(&s[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    out.push(&s[start..]);
    out.into_iter().map(str::trim).filter(|s| !s.is_empty()).map(parse_author).collect()
}

/// `Name <email>` and `Name (@handle)` forms.
fn parse_author(s: &str) -> Author {
    let mut name = s.trim().to_string();
    let mut email = None;
    if let (Some(open), Some(close)) = (name.find('<'), name.rfind('>'))
        && open < close
    {
        let inner = name[open + 1..close].trim().to_string();
        if inner.contains('@') {
            email = Some(inner);
        }
        name.replace_range(open..=close, "");
    }
    if let (Some(open), Some(close)) = (name.find('('), name.rfind(')'))
        && open < close
        && name[open + 1..close].trim_start().starts_with('@')
    {
        name.replace_range(open..=close, "");
    }
    let name = name.split_whitespace().collect::<Vec<_>>().join(" ");
    Author { name: if name.is_empty() { s.trim().to_string() } else { name }, email, ..Default::default() }
}

/// The 1-based line (within `inner`) of a top-level `key` in TOML or YAML.
fn find_key_line(inner: &str, key: &str) -> Option<usize> {
    inner
        .lines()
        .position(|line| {
            line.strip_prefix(key).is_some_and(|rest| rest.trim_start().starts_with('=') || rest.starts_with(':'))
        })
        .map(|i| i + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn split_ok(text: &str) -> Split<'_> {
        split(text, Path::new("a.md")).unwrap()
    }

    #[test]
    fn toml_front_matter() {
        let s = split_ok("+++\ntitle = \"T\"\nauthors = [{ name = \"A\", affiliation = \"O\" }]\nfoo = 1\n+++\nBody\n");
        assert_eq!(s.meta.title.as_deref(), Some("T"));
        assert_eq!(s.meta.authors[0].affiliation.as_deref(), Some("O"));
        assert!(s.meta.extra.contains_key("foo"));
        assert_eq!(s.body, "Body\n");
        assert_eq!(s.body_line_offset, 5);
    }

    #[test]
    fn keys_in_any_case_as_in_cardano_cips() {
        let s = split_ok(
            "---\nCIP: 1\nTitle: CIP Process\nAuthors:\n    - Frederic Johnson <frederic@example.com>\n    - Duncan Coutts\nCreated: 2020-03-21\n---\nBody",
        );
        assert_eq!(s.meta.title.as_deref(), Some("CIP Process"));
        let names: Vec<_> = s.meta.authors.iter().map(|a| a.name.as_str()).collect();
        assert_eq!(names, ["Frederic Johnson", "Duncan Coutts"]);
        assert_eq!(s.meta.extra["Created"], Value::String("2020-03-21".into()), "other keys keep their case");
        // A wrong value is still named by the key as written, at its line.
        let err = split("---\nCIP: 1\nTitle: [a, b]\n---\n", Path::new("a.md")).err().unwrap();
        assert!(err.message.contains("`Title` must be a string"), "{}", err.message);
        assert_eq!(err.line, Some(3));
    }

    #[test]
    fn yaml_front_matter_with_eip_authors() {
        let s = split_ok(
            "---\neip: 1\ntitle: X\nauthor: Vitalik Buterin (@vbuterin), Martin Swende <martin@x.org>, Jane (@j, @k)\ncreated: 2015-10-27\n---\nBody",
        );
        let names: Vec<_> = s.meta.authors.iter().map(|a| a.name.as_str()).collect();
        assert_eq!(names, ["Vitalik Buterin", "Martin Swende", "Jane"]);
        assert_eq!(s.meta.authors[1].email.as_deref(), Some("martin@x.org"));
        assert_eq!(s.meta.extra["created"], Value::String("2015-10-27".into()));
        assert_eq!(s.body_line_offset, 6);
    }

    #[test]
    fn no_front_matter_and_thematic_break() {
        assert_eq!(split_ok("# Hi\n").body, "# Hi\n");
        assert_eq!(split_ok("---\nnot closed\n").body, "---\nnot closed\n");
        // CommonMark: a thematic break, then a setext heading.
        for text in ["---\nFoo\n---\nBar\n", "---\n\ntitle: x\n---\n", "+++\nnot toml\n+++\n", "---\n- a\n- b\n---\n"] {
            let s = split_ok(text);
            assert_eq!((s.body, s.meta.title), (text, None), "{text:?}");
        }
        // Closed by `...`, as Pandoc allows.
        let s = split_ok("---\ntitle: T\n...\nBody\n");
        assert_eq!((s.meta.title.as_deref(), s.body), (Some("T"), "Body\n"));
    }

    #[test]
    fn malformed_toml_names_the_line() {
        let err = split("+++\ntitle = \"T\"\nauthors = [\n+++\n", Path::new("a.md")).unwrap_err();
        assert!(err.message.starts_with("malformed TOML front matter"), "{}", err.message);
        assert!(err.line.unwrap() >= 3);
        // Never closed: not front matter, the text stays.
        assert_eq!(split_ok("+++\ntitle = \"T\"\n").body, "+++\ntitle = \"T\"\n");
    }

    #[test]
    fn malformed_yaml_names_the_line() {
        let err = split("---\ntitle: [unclosed\nx: 1\n---\n", Path::new("a.md")).unwrap_err();
        assert!(err.message.starts_with("malformed YAML front matter"), "{}", err.message);
        assert!(err.line.unwrap() >= 2);
        let err = split("---\ntitle: T\nauthor: \"unclosed\nx: 1\n---\n", Path::new("a.md")).unwrap_err();
        assert_eq!(err.name(), "invalid-front-matter");
        assert!(err.line.unwrap() >= 3, "{err}");
        // A tab-indented key: the scanner stops at the scalar before it.
        let err = split("---\ntitle: T\n\tbad: x\n---\n", Path::new("a.md")).unwrap_err();
        assert!(matches!(err.line, Some(2 | 3)) && err.column.is_some(), "{err}");
    }

    #[test]
    fn wrong_type_is_an_error_on_its_line() {
        let err = split("+++\nkind = \"article\"\ntitle = [1]\n+++\n", Path::new("a.md")).unwrap_err();
        assert_eq!(err.message, "front matter key `title` must be a string");
        assert_eq!(err.line, Some(3));
    }
}
