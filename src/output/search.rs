//! The web edition's search index (`search/` in the site), written by the
//! build and read by the site's own script (`search.js`), with no server.
//!
//! The articles are cut into sections at their headings (a result links
//! the heading's anchor). Every word is folded (lower case, accents off),
//! and the postings of its stem (Snowball, for the edition's language) are
//! filed under each form of it found in the text, so that the reader's
//! browser needs no stemmer: "contracts" finds "contract" and
//! "contracting". The words are sharded by prefix, each shard kept under
//! [`SHARD_BYTES`] (a shard of one word may be larger), so that a search
//! loads the small manifest, the shards of its words and the sections it
//! shows, never the whole index:
//!
//! - `search/index.json`: `{"v":1,"lang":…,"sections":N,"shards":{prefix: n}}`;
//!   a word is in the shard of the longest prefix of it listed.
//! - `search/t/<n>.json`: `{word: [section, count, section, count, …]}`,
//!   sections as gaps from the previous one; a count is the stem's (heading
//!   words counted more) times two, plus one where the word itself is there.
//! - `search/s/<section>.json`: `{"u": page#anchor, "a": article, "h":
//!   heading, "t": text}` (the text cut at [`TEXT_CHARS`]), for the excerpt.

use std::collections::{BTreeMap, HashMap};

use rust_stemmers::{Algorithm, Stemmer};
use serde_json::json;
use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::is_combining_mark;

/// The most a shard of several words holds, in bytes.
pub const SHARD_BYTES: usize = 24 * 1024;
/// The most of a section's text kept for its excerpt, in characters.
pub const TEXT_CHARS: usize = 2400;
/// What a word in a heading counts for.
const HEADING_WEIGHT: u32 = 5;

/// A passage of an article: from one heading to the next.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Section {
    /// `page.html#anchor`.
    pub url: String,
    pub article: String,
    pub heading: String,
    pub text: String,
    /// The article's language, whose stemmer reads it.
    pub lang: String,
}

/// The sections of an article's body (its XHTML): one per heading with an
/// `id`, the first from the article's title. Page-break markers, the
/// MathML's annotations and navigation lists are left out.
pub fn sections(file: &str, article: &str, lang: &str, body: &str) -> Vec<Section> {
    let mut out: Vec<Section> = Vec::new();
    let empty = |url: String| Section {
        url,
        article: article.to_string(),
        heading: String::new(),
        text: String::new(),
        lang: lang.to_string(),
    };
    let mut current = empty(file.to_string());
    let mut heading: Option<String> = None;
    // The element skipped (its name) and how deep in it.
    let mut skipping: Option<(String, usize)> = None;
    let mut rest = body;
    while !rest.is_empty() {
        let Some(lt) = rest.find('<') else {
            push_text(&mut current, heading.is_some(), skipping.is_some(), rest);
            break;
        };
        push_text(&mut current, heading.is_some(), skipping.is_some(), &rest[..lt]);
        let Some(gt) = rest[lt..].find('>') else { break };
        let tag = &rest[lt + 1..lt + gt];
        rest = &rest[lt + gt + 1..];
        if tag.starts_with('!') || tag.starts_with('?') {
            continue;
        }
        let closing = tag.starts_with('/');
        let self_closing = tag.ends_with('/');
        let name: String = tag
            .trim_start_matches('/')
            .chars()
            .take_while(|c| !c.is_whitespace() && *c != '/' && *c != '>')
            .collect::<String>()
            .to_ascii_lowercase();
        if let Some((skipped, depth)) = &mut skipping {
            if *skipped == name && !self_closing {
                if closing {
                    *depth -= 1;
                    if *depth == 0 {
                        skipping = None;
                    }
                } else {
                    *depth += 1;
                }
            }
            continue;
        }
        if !closing && !self_closing {
            let skip = matches!(name.as_str(), "annotation" | "annotation-xml" | "nav" | "script" | "style")
                || attribute(tag, "role") == Some("doc-pagebreak")
                || attribute(tag, "aria-hidden") == Some("true");
            if skip {
                skipping = Some((name, 1));
                continue;
            }
        }
        let is_heading = matches!(name.as_str(), "h1" | "h2" | "h3" | "h4" | "h5" | "h6");
        if is_heading
            && !closing
            && let Some(id) = attribute(tag, "id")
        {
            if !current.text.trim().is_empty() || !current.heading.is_empty() {
                out.push(std::mem::replace(&mut current, empty(String::new())));
            }
            current.url = format!("{file}#{}", crate::entities::decode(id));
            heading = Some(name);
            continue;
        }
        if closing && heading.as_deref() == Some(name.as_str()) {
            heading = None;
            current.heading = collapse(&current.heading);
            current.text.push(' ');
            continue;
        }
        if matches!(
            name.as_str(),
            "p" | "li"
                | "br"
                | "td"
                | "th"
                | "tr"
                | "div"
                | "dt"
                | "dd"
                | "figcaption"
                | "blockquote"
                | "section"
                | "aside"
        ) || is_heading
        {
            current.text.push(' ');
        }
    }
    if !current.text.trim().is_empty() || !current.heading.is_empty() {
        out.push(current);
    }
    for s in &mut out {
        s.text = collapse(&s.text);
    }
    out
}

fn push_text(section: &mut Section, in_heading: bool, skipping: bool, text: &str) {
    if skipping || text.is_empty() {
        return;
    }
    let text = crate::entities::decode(text);
    if in_heading {
        section.heading.push_str(&text);
    } else {
        section.text.push_str(&text);
    }
}

/// The value of attribute `name` in a start tag's text.
fn attribute<'a>(tag: &'a str, name: &str) -> Option<&'a str> {
    let mut from = 0;
    while let Some(i) = tag[from..].find(name) {
        let at = from + i;
        let before = tag[..at].chars().last();
        let after = &tag[at + name.len()..];
        if before.is_some_and(char::is_whitespace) && after.starts_with("=\"") {
            let value = &after[2..];
            return value.find('"').map(|end| &value[..end]);
        }
        from = at + name.len();
    }
    None
}

fn collapse(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Characters searched one by one (the scripts written without spaces).
fn ideographic(c: char) -> bool {
    matches!(c as u32, 0x3040..=0x30ff | 0x3400..=0x4dbf | 0x4e00..=0x9fff | 0xf900..=0xfaff | 0x20000..=0x2ffff)
}

/// The words of `text` as they are looked up: runs of letters and digits,
/// lower-cased, each ideograph a word of its own. `search.js` cuts a query
/// the same way. Each word comes with its unfolded lower-case form (what
/// the stemmer reads) and then its folded form (accents off).
pub fn words(text: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut word = String::new();
    let flush = |word: &mut String, out: &mut Vec<(String, String)>| {
        if !word.is_empty() {
            let lower = word.to_lowercase();
            out.push((lower.clone(), fold(&lower)));
            word.clear();
        }
    };
    for c in text.chars() {
        if ideographic(c) {
            flush(&mut word, &mut out);
            out.push((c.to_string(), c.to_string()));
        } else if c.is_alphanumeric() || (is_combining_mark(c) && !word.is_empty()) {
            word.push(c);
        } else {
            flush(&mut word, &mut out);
        }
    }
    flush(&mut word, &mut out);
    out
}

/// A lower-case word without its accents (compatibility decomposition, marks
/// dropped).
pub fn fold(word: &str) -> String {
    word.nfkd().filter(|c| !is_combining_mark(*c)).collect()
}

/// The Snowball stemmer of a language tag, if there is one.
fn stemmer(lang: &str) -> Option<Stemmer> {
    let primary = lang.split(['-', '_']).next().unwrap_or_default().to_ascii_lowercase();
    let algorithm = match primary.as_str() {
        "ar" => Algorithm::Arabic,
        "da" => Algorithm::Danish,
        "nl" => Algorithm::Dutch,
        "en" => Algorithm::English,
        "fi" => Algorithm::Finnish,
        "fr" => Algorithm::French,
        "de" => Algorithm::German,
        "el" => Algorithm::Greek,
        "hu" => Algorithm::Hungarian,
        "it" => Algorithm::Italian,
        "no" | "nb" | "nn" => Algorithm::Norwegian,
        "pt" => Algorithm::Portuguese,
        "ro" => Algorithm::Romanian,
        "ru" => Algorithm::Russian,
        "es" => Algorithm::Spanish,
        "sv" => Algorithm::Swedish,
        "ta" => Algorithm::Tamil,
        "tr" => Algorithm::Turkish,
        _ => return None,
    };
    Some(Stemmer::create(algorithm))
}

/// One section's words: folded form → (stem, weighted count).
type Counted = HashMap<String, (String, u32)>;

fn count(section: &Section, stemmer: Option<&Stemmer>) -> Counted {
    let mut counted: Counted = HashMap::new();
    for (text, weight) in [(&section.heading, HEADING_WEIGHT), (&section.text, 1)] {
        for (lower, folded) in words(text) {
            let entry = counted.entry(folded).or_insert_with_key(|folded| {
                let stem = match stemmer {
                    Some(s) => fold(&s.stem(&lower)),
                    None => folded.clone(),
                };
                (stem, 0)
            });
            entry.1 += weight;
        }
    }
    counted
}

/// The index of `sections` of the edition in `lang` (each section stemmed
/// in its article's language), as the site's files (`search/…`).
pub fn index(sections: &[Section], lang: &str) -> Vec<(String, Vec<u8>)> {
    let counted = crate::parallel::map(sections, |s| count(s, stemmer(&s.lang).as_ref()));
    // Each stem's postings, and each form's sections.
    let mut stems: HashMap<&str, Vec<(usize, u32)>> = HashMap::new();
    let mut forms: BTreeMap<&str, (&str, Vec<usize>)> = BTreeMap::new();
    for (i, words) in counted.iter().enumerate() {
        let mut by_stem: HashMap<&str, u32> = HashMap::new();
        for (form, (stem, n)) in words {
            forms.entry(form).or_insert_with(|| (stem, Vec::new())).1.push(i);
            *by_stem.entry(stem).or_default() += n;
        }
        for (stem, n) in by_stem {
            stems.entry(stem).or_default().push((i, n));
        }
    }
    for postings in stems.values_mut() {
        postings.sort_unstable();
    }
    // A form's postings are its stem's, each count doubled and odd where
    // the section has the form itself: those rank first.
    let encoded: Vec<(&str, String)> = forms
        .iter_mut()
        .map(|(form, (stem, own))| {
            own.sort_unstable();
            let mut out = String::from("[");
            let mut last = 0;
            for (k, &(section, n)) in stems[stem].iter().enumerate() {
                if k > 0 {
                    out.push(',');
                }
                let exact = u32::from(own.binary_search(&section).is_ok());
                out.push_str(&format!("{},{}", section - last, n * 2 + exact));
                last = section;
            }
            out.push(']');
            (*form, out)
        })
        .collect();
    let entries: Vec<(&str, &str)> = encoded.iter().map(|(f, p)| (*f, p.as_str())).collect();
    let mut shards = Vec::new();
    shard(&entries, String::new(), &mut shards);

    let mut files = Vec::with_capacity(shards.len() + sections.len() + 1);
    let mut keys = serde_json::Map::new();
    for (n, (prefix, words)) in shards.iter().enumerate() {
        keys.insert(prefix.clone(), n.into());
        let mut body = String::from("{");
        for (k, (form, postings)) in words.iter().enumerate() {
            if k > 0 {
                body.push(',');
            }
            body.push_str(&serde_json::to_string(form).unwrap_or_default());
            body.push(':');
            body.push_str(postings);
        }
        body.push_str("}\n");
        files.push((format!("search/t/{n}.json"), body.into_bytes()));
    }
    let manifest = json!({ "v": 1, "lang": lang, "sections": sections.len(), "shards": keys });
    files.push(("search/index.json".into(), format!("{manifest}\n").into_bytes()));
    let fragments = crate::parallel::map(sections, |s| {
        let text: String = if s.text.chars().count() > TEXT_CHARS {
            let cut: String = s.text.chars().take(TEXT_CHARS).collect();
            format!("{}…", cut.rsplit_once(' ').map_or(cut.as_str(), |(head, _)| head))
        } else {
            s.text.clone()
        };
        json!({ "u": s.url, "a": s.article, "h": s.heading, "t": text }).to_string().into_bytes()
    });
    files.extend(fragments.into_iter().enumerate().map(|(i, b)| (format!("search/s/{i}.json"), b)));
    files
}

/// The shards of the sorted `entries` that start with `prefix`: one when
/// they fit in [`SHARD_BYTES`] (or are one word), else the word `prefix`
/// itself and one shard (or more) per next character.
fn shard<'a>(entries: &[(&'a str, &'a str)], prefix: String, out: &mut Vec<(String, Vec<(&'a str, &'a str)>)>) {
    let size: usize = entries.iter().map(|(w, p)| w.len() + p.len() + 4).sum();
    if size <= SHARD_BYTES || entries.len() <= 1 {
        out.push((prefix, entries.to_vec()));
        return;
    }
    let depth = prefix.chars().count();
    let mut groups: BTreeMap<char, Vec<(&str, &str)>> = BTreeMap::new();
    let mut exact = Vec::new();
    for &(word, postings) in entries {
        match word.chars().nth(depth) {
            Some(c) => groups.entry(c).or_default().push((word, postings)),
            None => exact.push((word, postings)),
        }
    }
    if !exact.is_empty() || prefix.is_empty() {
        out.push((prefix.clone(), exact));
    }
    for (c, group) in groups {
        let mut next = prefix.clone();
        next.push(c);
        shard(&group, next, out);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cuts_an_article_at_its_headings() {
        let body = "<section><span class=\"pagebreak\" role=\"doc-pagebreak\" id=\"page-3\">p. 3</span>\
            <h1 id=\"a\">Title &amp; more</h1><p>Intro <em>text</em>.</p>\
            <h2 id=\"a.b\">Second</h2><p>Body <math><mi>x</mi><annotation>x^2</annotation></math></p>\
            <nav><a href=\"#x\">skip me</a></nav><p>end</p></section>";
        let s = sections("a.html", "Title", "en", body);
        assert_eq!(s.len(), 2, "{s:?}");
        assert_eq!(s[0].url, "a.html#a");
        assert_eq!(s[0].heading, "Title & more");
        assert_eq!(s[0].text, "Intro text.");
        assert_eq!(s[1].url, "a.html#a.b");
        assert_eq!(s[1].text, "Body x end");
    }

    #[test]
    fn words_are_folded_and_ideographs_split() {
        let w: Vec<String> = words("Acción, DAOs 2016 区块链").into_iter().map(|(_, f)| f).collect();
        assert_eq!(w, ["accion", "daos", "2016", "区", "块", "链"]);
    }

    #[test]
    fn every_form_of_a_stem_finds_its_sections() {
        let sections: Vec<Section> = ["contracts are here", "a contract there", "nothing"]
            .iter()
            .enumerate()
            .map(|(i, t)| Section {
                url: format!("{i}.html"),
                article: "A".into(),
                heading: "".into(),
                text: t.to_string(),
                lang: "en".into(),
            })
            .collect();
        let files = index(&sections, "en");
        let shard = std::str::from_utf8(&files.iter().find(|(p, _)| p == "search/t/0.json").unwrap().1).unwrap();
        let value: serde_json::Value = serde_json::from_str(shard).unwrap();
        assert_eq!(value["contracts"], json!([0, 3, 1, 2]));
        assert_eq!(value["contract"], json!([0, 2, 1, 3]));
        assert_eq!(value["nothing"], json!([2, 3]));
        assert!(files.iter().any(|(p, _)| p == "search/s/2.json"));
    }

    #[test]
    fn big_indexes_are_sharded_by_prefix() {
        let text: Vec<String> = (0..4000).map(|i| format!("w{i:05}x")).collect();
        let sections: Vec<Section> = text
            .chunks(10)
            .map(|c| Section {
                url: "a.html".into(),
                article: "A".into(),
                heading: "".into(),
                text: c.join(" "),
                lang: "xx".into(),
            })
            .collect();
        let files = index(&sections, "xx");
        let manifest: serde_json::Value =
            serde_json::from_slice(&files.iter().find(|(p, _)| p == "search/index.json").unwrap().1).unwrap();
        let keys = manifest["shards"].as_object().unwrap();
        assert!(keys.len() > 2, "{keys:?}");
        for (path, bytes) in files.iter().filter(|(p, _)| p.starts_with("search/t/")) {
            assert!(bytes.len() <= SHARD_BYTES + 64, "{path}: {}", bytes.len());
        }
        // A word is in the shard of the longest prefix listed.
        let word = "w01234x";
        let key = (0..=word.len()).rev().map(|n| &word[..n]).find(|p| keys.contains_key(*p)).unwrap();
        let n = keys[key].as_u64().unwrap();
        let shard = &files.iter().find(|(p, _)| *p == format!("search/t/{n}.json")).unwrap().1;
        let shard: serde_json::Value = serde_json::from_slice(shard).unwrap();
        assert!(shard.get(word).is_some(), "{word} not in shard {key}");
    }
}
