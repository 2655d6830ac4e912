//! SVG images as the EPUB and the web edition serve them: without active
//! content (scripts, event handlers, `javascript:` links), which a reader
//! opening the image by itself would otherwise run on the site's origin,
//! and valid for XHTML readers (ids that are XML names; `<font>` in HTML
//! labels as `<span>`). The PDF draws SVG with typst, which runs nothing.
//!
//! The file is parsed with roxmltree and edited in place by byte ranges, so
//! everything else stays as the author's tool wrote it.

use std::collections::{HashMap, HashSet};
use std::ops::Range;

/// What [`clean`] left out of an SVG, named for a warning.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Active {
    Script,
    EventHandler,
    ScriptLink,
    Embedded,
}

impl Active {
    pub fn describe(self) -> &'static str {
        match self {
            Active::Script => "scripts",
            Active::EventHandler => "event handlers (`on…` attributes)",
            Active::ScriptLink => "`javascript:` links",
            Active::Embedded => "embedded documents (`iframe`, `object`, `embed`)",
        }
    }
}

/// An SVG made safe and valid, and what active content it had.
#[derive(Debug)]
pub struct Cleaned {
    pub bytes: Vec<u8>,
    pub removed: Vec<Active>,
}

/// The active content of an SVG, without changing it (for the warning at
/// the image's line).
pub fn active_content(bytes: &[u8]) -> Vec<Active> {
    match std::str::from_utf8(bytes) {
        Ok(text) => edits(text).map(|e| e.removed).unwrap_or_default(),
        Err(_) => Vec::new(),
    }
}

/// The SVG without active content, its ids XML names and its HTML labels
/// XHTML. A file that is not well-formed XML is returned as it is: no
/// browser or reading system runs anything in it.
pub fn clean(bytes: Vec<u8>) -> Cleaned {
    let Ok(text) = std::str::from_utf8(&bytes) else { return Cleaned { bytes, removed: Vec::new() } };
    let Some(found) = edits(text) else { return Cleaned { bytes, removed: Vec::new() } };
    if found.cuts.is_empty() && found.renamed.is_empty() {
        let bytes = html_labels(text).map_or(bytes, String::into_bytes);
        return Cleaned { bytes, removed: found.removed };
    }
    let mut out = String::with_capacity(text.len());
    let mut at = 0;
    for (range, replacement) in &found.cuts {
        if range.start < at {
            continue; // inside a removed element
        }
        out.push_str(&text[at..range.start]);
        out.push_str(replacement);
        at = range.end;
    }
    out.push_str(&text[at..]);
    // References to renamed ids: `url(#id)` and `href="#id"`.
    for (old, new) in &found.renamed {
        for (open, close) in [("(#", ")"), ("\"#", "\""), ("'#", "'")] {
            out = out.replace(&format!("{open}{old}{close}"), &format!("{open}{new}{close}"));
        }
    }
    let out = html_labels(&out).unwrap_or(out);
    Cleaned { bytes: out.into_bytes(), removed: found.removed }
}

struct Edits {
    /// Byte ranges of the text and what replaces them, in order.
    cuts: Vec<(Range<usize>, String)>,
    /// Ids that are not XML names, and their new names.
    renamed: HashMap<String, String>,
    removed: Vec<Active>,
}

fn edits(text: &str) -> Option<Edits> {
    let options = roxmltree::ParsingOptions { allow_dtd: true, ..Default::default() };
    let doc = roxmltree::Document::parse_with_options(text, options).ok()?;
    let mut cuts = Vec::new();
    let mut removed = Vec::new();
    let ids: HashSet<&str> = doc.descendants().filter_map(|n| n.attribute("id")).collect();
    let mut renamed = HashMap::new();
    let mut taken: HashSet<String> = ids.iter().map(|s| s.to_string()).collect();
    for node in doc.descendants().filter(|n| n.is_element()) {
        let name = node.tag_name().name().to_ascii_lowercase();
        let what = match name.as_str() {
            "script" => Some(Active::Script),
            "iframe" | "object" | "embed" => Some(Active::Embedded),
            _ => None,
        };
        if let Some(what) = what {
            removed.push(what);
            cuts.push((node.range(), String::new()));
            continue;
        }
        for attr in node.attributes() {
            let local = attr.name().to_ascii_lowercase();
            if local.starts_with("on") {
                removed.push(Active::EventHandler);
                cuts.push((attribute_range(text, attr.range()), String::new()));
            } else if local == "href" && is_script_url(attr.value()) {
                removed.push(Active::ScriptLink);
                cuts.push((attribute_range(text, attr.range()), String::new()));
            } else if local == "id" && attr.namespace().is_none() && !is_xml_name(attr.value()) {
                let new = renamed.entry(attr.value().to_string()).or_insert_with(|| xml_name(attr.value(), &mut taken));
                cuts.push((attr.range_value(), new.clone()));
            }
        }
    }
    cuts.sort_by_key(|(range, _)| (range.start, std::cmp::Reverse(range.end)));
    removed.sort();
    removed.dedup();
    Some(Edits { cuts, renamed, removed })
}

/// An attribute's range with the white space before it, so that removing
/// it leaves `<a b="c">`, not `<a  b="c">`.
fn attribute_range(text: &str, range: Range<usize>) -> Range<usize> {
    let before = text[..range.start].trim_end_matches([' ', '\t', '\n', '\r']).len();
    before..range.end
}

/// `javascript:` (and `vbscript:`, and `data:` other than an image), as a
/// browser reads the scheme: control characters and white space ignored.
fn is_script_url(value: &str) -> bool {
    let squeezed: String = value.chars().filter(|c| !c.is_whitespace() && !c.is_control()).collect();
    let lower = squeezed.to_ascii_lowercase();
    lower.starts_with("javascript:")
        || lower.starts_with("vbscript:")
        || (lower.starts_with("data:") && !lower.starts_with("data:image/"))
}

/// Is `s` an XML name without colons (an NCName), as an id must be?
fn is_xml_name(s: &str) -> bool {
    let mut chars = s.chars();
    chars.next().is_some_and(|c| c.is_alphabetic() || c == '_')
        && chars.all(|c| c.is_alphanumeric() || matches!(c, '_' | '-' | '.' | '\u{B7}'))
}

/// An XML name for `s`, not among `taken`.
fn xml_name(s: &str, taken: &mut HashSet<String>) -> String {
    let mut base: String =
        s.chars().map(|c| if c.is_alphanumeric() || matches!(c, '-' | '.') { c } else { '_' }).collect();
    if !base.starts_with(|c: char| c.is_alphabetic() || c == '_') {
        base.insert(0, '_');
    }
    let mut name = base.clone();
    let mut n = 2;
    while !taken.insert(name.clone()) {
        name = format!("{base}_{n}");
        n += 1;
    }
    name
}

/// HTML labels (`<foreignObject>`, as diagrams.net writes them) that use
/// `<font>`, which XHTML does not have (EPUBCheck's RSC-005): the element
/// becomes a `<span>` with the same attributes, so the labels stay.
fn html_labels(text: &str) -> Option<String> {
    if !text.contains("<foreignObject") || !text.contains("<font") {
        return None;
    }
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find("<foreignObject") {
        let end = rest[start..].find("</foreignObject>").map_or(rest.len(), |e| start + e);
        out.push_str(&rest[..start]);
        let inner = &rest[start..end];
        out.push_str(&inner.replace("<font ", "<span ").replace("<font>", "<span>").replace("</font>", "</span>"));
        rest = &rest[end..];
    }
    out.push_str(rest);
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cleaned(svg: &str) -> (String, Vec<Active>) {
        let c = clean(svg.as_bytes().to_vec());
        (String::from_utf8(c.bytes).unwrap(), c.removed)
    }

    #[test]
    fn font_in_svg_labels_becomes_span() {
        let svg = r#"<svg><switch><foreignObject><div><font style="a">Delete</font></div></foreignObject><text>Del...</text></switch><font id="f"/></svg>"#;
        assert_eq!(
            cleaned(svg).0,
            r#"<svg><switch><foreignObject><div><span style="a">Delete</span></div></foreignObject><text>Del...</text></switch><font id="f"/></svg>"#
        );
        let plain = "<svg><rect/></svg>";
        assert_eq!(cleaned(plain), (plain.to_string(), vec![]));
    }

    #[test]
    fn active_content_is_left_out_and_named() {
        let svg = "<svg xmlns=\"http://www.w3.org/2000/svg\" xmlns:xlink=\"http://www.w3.org/1999/xlink\" onload=\"alert(1)\">\
                   <script>alert(2)</script><SCRIPT type=\"x\"><![CDATA[alert(3)]]></SCRIPT>\
                   <a xlink:href=\" java\tscript:alert(4)\"><rect ONCLICK='alert(5)' width=\"1\"/></a>\
                   <a href=\"https://example.org/\"><text>kept</text></a>\
                   <image href=\"data:image/png;base64,AAAA\"/><image href=\"data:text/html,x\"/>\
                   <foreignObject><iframe xmlns=\"http://www.w3.org/1999/xhtml\" src=\"x\"/></foreignObject></svg>";
        let (out, removed) = cleaned(svg);
        assert_eq!(removed, [Active::Script, Active::EventHandler, Active::ScriptLink, Active::Embedded]);
        assert_eq!(active_content(svg.as_bytes()), removed);
        for gone in ["alert", "script", "SCRIPT", "onload", "ONCLICK", "data:text", "iframe"] {
            assert!(!out.contains(gone), "{gone} in {out}");
        }
        for kept in ["<rect width=\"1\"/>", "https://example.org/", "data:image/png;base64,AAAA", "<text>kept</text>"] {
            assert!(out.contains(kept), "{kept} not in {out}");
        }
        roxmltree::Document::parse(&out).unwrap();
    }

    /// svglite (R) writes base64 ids (`cpMC4w...==`), which are not XML
    /// names: EPUBCheck's RSC-005 on every such plot in Cardano's CIPs.
    #[test]
    fn ids_become_xml_names_with_their_references() {
        let svg = "<svg xmlns='http://www.w3.org/2000/svg' xmlns:xlink='http://www.w3.org/1999/xlink'>\
                   <defs><clipPath id='cpMC4w=='><rect/></clipPath><clipPath id='cpMC4w__'><rect/></clipPath>\
                   <g id='1st'/></defs>\
                   <g clip-path='url(#cpMC4w==)'/><use xlink:href=\"#1st\"/><g id='ok-1'/></svg>";
        let (out, removed) = cleaned(svg);
        assert!(removed.is_empty());
        assert!(out.contains("id='cpMC4w___2'") && out.contains("url(#cpMC4w___2)"), "{out}");
        assert!(out.contains("id='cpMC4w__'"), "an id already taken is not reused: {out}");
        assert!(out.contains("id='_1st'") && out.contains("href=\"#_1st\""), "{out}");
        assert!(out.contains("id='ok-1'"));
        let doc = roxmltree::Document::parse(&out).unwrap();
        assert!(doc.descendants().filter_map(|n| n.attribute("id")).all(is_xml_name));
    }

    #[test]
    fn not_xml_is_left_as_it_is() {
        let broken = "<svg><script>alert(1)</svg>";
        assert_eq!(cleaned(broken), (broken.to_string(), vec![]));
        assert_eq!(clean(vec![0xff, 0xfe]).bytes, [0xff, 0xfe]);
    }
}
