//! Liquid, the template language of Jekyll (and so of GitHub Pages): pages
//! copied from such a site carry `{{ expression }}` and `{% tag %}` that the
//! site would have filled in. In a link or image path the site's variables
//! are read as the places they stand for; anywhere else a tag or expression
//! is left out (and reported), so no template syntax reaches the reader.

/// A tag or expression taken out of a text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Removed {
    /// As written, `{{ site.title }}` or `{% include note.html %}`.
    pub source: String,
    /// Its byte offset in the text it was taken from.
    pub offset: usize,
}

impl Removed {
    /// The warning's message: what was left out, and what an include
    /// would have brought in.
    pub fn message(&self) -> String {
        let inner = inner(&self.source);
        if self.source.starts_with("{%") {
            let mut words = inner.split_whitespace();
            let tag = words.next().unwrap_or("");
            if matches!(tag, "include" | "include_relative")
                && let Some(file) = words.next()
            {
                return format!("the Liquid tag `{}` is left out: it would have included `{file}`", self.source);
            }
            return format!("the Liquid tag `{}` is left out", self.source);
        }
        format!("the Liquid expression `{}` is left out", self.source)
    }
}

/// The hint of the `liquid-template` warning.
pub const HINT: &str = "Liquid is filled in by a Jekyll site, not here: write the text it stands for, \
                        or put template code in a code span";

/// What is between the delimiters, trimmed (and without `-` whitespace control).
fn inner(source: &str) -> &str {
    source.get(2..source.len().saturating_sub(2)).unwrap_or("").trim_start_matches('-').trim_end_matches('-').trim()
}

/// Whether `text` may hold Liquid (one memchr for most texts).
pub fn has_liquid(text: &str) -> bool {
    text.contains('{') && (text.contains("{{") || text.contains("{%"))
}

/// The end (exclusive) of the tag or expression opening at `start`: the
/// first closing delimiter; `None` when it is not closed.
fn close(text: &str, start: usize) -> Option<usize> {
    let closing = if text[start..].starts_with("{{") { "}}" } else { "%}" };
    text[start + 2..].find(closing).map(|i| start + 2 + i + 2)
}

/// The name of a `{% tag %}`.
fn tag_name(source: &str) -> &str {
    inner(source).split_whitespace().next().unwrap_or("")
}

/// `text` without its Liquid, and what was taken out (in order); `{% raw %}`
/// keeps what it encloses as text, `{% comment %}` leaves it out quietly.
/// `None` when the text has none.
pub fn strip(text: &str) -> Option<(String, Vec<Removed>)> {
    if !has_liquid(text) {
        return None;
    }
    let mut out = String::with_capacity(text.len());
    let mut removed = Vec::new();
    let mut at = 0;
    let mut found = false;
    while let Some(i) = text[at..].find('{').map(|i| at + i) {
        let rest = &text[i..];
        if !(rest.starts_with("{{") || rest.starts_with("{%")) {
            out.push_str(&text[at..=i]);
            at = i + 1;
            continue;
        }
        let Some(end) = close(text, i) else { break };
        found = true;
        out.push_str(&text[at..i]);
        let source = &text[i..end];
        at = end;
        match tag_name(source) {
            "raw" if source.starts_with("{%") => {
                // Everything up to `{% endraw %}` is text, as written.
                let stop = find_tag(text, end, "endraw");
                let (inner_end, after) = stop.unwrap_or((text.len(), text.len()));
                out.push_str(&text[end..inner_end]);
                at = after;
            }
            "comment" if source.starts_with("{%") => {
                at = find_tag(text, end, "endcomment").map_or(text.len(), |(_, after)| after);
            }
            _ => removed.push(Removed { source: source.to_string(), offset: i }),
        }
    }
    out.push_str(&text[at..]);
    found.then_some((out, removed))
}

/// The first `{% name %}` in `text` from `from`: (its start, its end).
fn find_tag(text: &str, from: usize, name: &str) -> Option<(usize, usize)> {
    let mut at = from;
    while let Some(i) = text[at..].find("{%").map(|i| at + i) {
        let end = close(text, i)?;
        if tag_name(&text[i..end]) == name {
            return Some((i, end));
        }
        at = end;
    }
    None
}

/// A link or image path with the site's variables read as the places they
/// stand for: `{{ site.baseurl }}` (and `site.url`) is the report's root,
/// `{{ page.collection }}` (and `page.dir`, `page.path`'s folder) the
/// article's folder, `{{ '/x' | relative_url }}` is `/x`; other
/// expressions are left out. Returns the path and what was assumed (for
/// a hint), or `None` when the path has no Liquid.
pub fn resolve_path(url: &str) -> Option<(String, String)> {
    if !has_liquid(url) {
        return None;
    }
    let mut out = String::new();
    let mut at = 0;
    let mut assumed: Vec<String> = Vec::new();
    let mut article_folder = false;
    while let Some(i) = url[at..].find('{').map(|i| at + i) {
        let rest = &url[i..];
        if !(rest.starts_with("{{") || rest.starts_with("{%")) {
            out.push_str(&url[at..=i]);
            at = i + 1;
            continue;
        }
        let Some(end) = close(url, i) else { break };
        out.push_str(&url[at..i]);
        let source = &url[i..end];
        at = end;
        let expr = inner(source);
        let (value, filters) = match expr.split_once('|') {
            Some((v, f)) => (v.trim(), f.trim()),
            None => (expr, ""),
        };
        let literal = value
            .strip_prefix('\'')
            .and_then(|v| v.strip_suffix('\''))
            .or_else(|| value.strip_prefix('"').and_then(|v| v.strip_suffix('"')));
        if source.starts_with("{%") {
            assumed.push(format!("`{source}` was left out"));
        } else if let Some(literal) = literal {
            // `{{ '/assets/x.png' | relative_url }}`: the path, from the root.
            out.push_str(literal);
            if !filters.is_empty() {
                assumed.push(format!("`{source}` was read as `{literal}`"));
            }
        } else {
            match value {
                "site.baseurl" | "site.url" | "site.github.url" | "site.baseurl_root" => {
                    assumed.push(format!("`{source}` was read as the report's root"))
                }
                "page.collection" | "page.dir" | "page.collection_dir" => {
                    article_folder = true;
                    out.push('\u{0}');
                    assumed.push(format!("`{source}` as the article's folder"))
                }
                _ => assumed.push(format!("`{source}` was left out")),
            }
        }
    }
    out.push_str(&url[at..]);
    // The article's folder: what follows it is relative to the article.
    let path = match out.rfind('\u{0}') {
        Some(i) if article_folder => out[i + 1..].trim_start_matches('/').to_string(),
        _ => out.replace('\u{0}', ""),
    };
    // `{{ site.baseurl }}/x`: `/x`, from the root; doubled slashes collapse.
    let mut collapsed = String::with_capacity(path.len());
    for c in path.chars() {
        if !(c == '/' && collapsed.ends_with('/')) {
            collapsed.push(c);
        }
    }
    Some((collapsed, assumed.join(", ")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strips_expressions_and_tags() {
        let (text, removed) = strip("A {{ site.title }} and {% include note.html x=1 %}.").unwrap();
        assert_eq!(text, "A  and .");
        assert_eq!(removed.len(), 2);
        assert_eq!(removed[0].offset, 2);
        assert_eq!(removed[0].message(), "the Liquid expression `{{ site.title }}` is left out");
        assert_eq!(
            removed[1].message(),
            "the Liquid tag `{% include note.html x=1 %}` is left out: it would have included `note.html`"
        );
        assert_eq!(strip("no { liquid } here"), None);
        let (text, removed) = strip("{% raw %}{{ kept }}{% endraw %} {% comment %}gone{% endcomment %}x").unwrap();
        assert_eq!((text.as_str(), removed.len()), ("{{ kept }} x", 0));
        // Unclosed: left as it is.
        assert_eq!(strip("a {{ b"), None);
    }

    #[test]
    fn paths() {
        let p = |u: &str| resolve_path(u).map(|(p, _)| p);
        assert_eq!(p("{{site.baseurl}}/{{page.collection}}/media/x.png").as_deref(), Some("media/x.png"));
        assert_eq!(p("{{ site.baseurl }}/assets/x.png").as_deref(), Some("/assets/x.png"));
        assert_eq!(p("{{ '/assets/x.png' | relative_url }}").as_deref(), Some("/assets/x.png"));
        assert_eq!(p("{{site.url}}{{site.baseurl}}/a/b.png").as_deref(), Some("/a/b.png"));
        assert_eq!(p("media/x.png"), None);
        let (_, assumed) = resolve_path("{{site.baseurl}}/{{page.collection}}/media/x.png").unwrap();
        assert!(assumed.contains("report's root") && assumed.contains("article's folder"), "{assumed}");
    }
}
