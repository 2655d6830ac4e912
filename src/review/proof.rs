//! A Word proof read back: each paragraph's text as the proof was written
//! (tracked deletions in, tracked insertions out), its source mark, its
//! tracked changes and the comments on it.

use std::collections::HashMap;

use roxmltree::Node;

use crate::input::docx::{Package, parse_xml};
use crate::output::docx::document::SOURCE_MARK;

/// Where a character of a paragraph stands.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Place {
    pub link: bool,
    pub math: bool,
}

/// A tracked insertion or deletion.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    /// Where, in characters of the paragraph's original text.
    pub at: usize,
    pub deleted: String,
    pub inserted: String,
    pub author: String,
    pub date: String,
    pub place: Place,
}

/// A comment on a paragraph.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Comment {
    /// The commented range, in characters of the original text.
    pub start: usize,
    pub end: usize,
    pub author: String,
    pub date: String,
    pub text: String,
}

#[derive(Debug, Clone, Default)]
pub struct Para {
    /// The source mark's name and its line.
    pub mark: Option<(String, usize)>,
    /// The text as the proof was written.
    pub original: Vec<char>,
    pub places: Vec<Place>,
    pub changes: Vec<Change>,
    pub comments: Vec<Comment>,
    pub in_table: bool,
}

impl Para {
    pub fn text(&self) -> String {
        self.original.iter().collect()
    }
}

/// A proof's paragraphs (body, then footnotes) and custom properties.
pub struct Proof {
    pub paras: Vec<Para>,
    pub properties: HashMap<String, String>,
}

fn local(node: Node) -> &'static str {
    // roxmltree names live as long as the document; copy what we compare.
    match node.tag_name().name() {
        "p" => "p",
        "t" => "t",
        "delText" => "delText",
        "tab" => "tab",
        "br" => "br",
        "cr" => "cr",
        "ins" => "ins",
        "del" => "del",
        "hyperlink" => "hyperlink",
        "oMath" => "oMath",
        "tc" => "tc",
        "bookmarkStart" => "bookmarkStart",
        "commentRangeStart" => "commentRangeStart",
        "commentRangeEnd" => "commentRangeEnd",
        "instrText" => "instrText",
        "footnoteReference" => "footnoteReference",
        _ => "",
    }
}

fn w_attr<'a>(node: Node<'a, '_>, name: &str) -> Option<&'a str> {
    node.attributes().find(|a| a.name() == name).map(|a| a.value())
}

/// Reads the proof's text; `Err` says why it cannot be read.
pub fn read(bytes: &[u8]) -> Result<Proof, String> {
    let pkg = Package::open(bytes).map_err(|e| e.0)?;
    let main = pkg.main_part().ok_or("it is a zip but not a Word document (no word/document.xml)")?;
    let mut properties = HashMap::new();
    if let Some(text) = pkg.text("docProps/custom.xml")
        && let Ok(doc) = parse_xml(&text)
    {
        for prop in doc.descendants().filter(|n| n.tag_name().name() == "property") {
            if let Some(name) = w_attr(prop, "name") {
                let value: String = prop.descendants().filter(|n| n.is_text()).filter_map(|n| n.text()).collect();
                properties.insert(name.to_string(), value);
            }
        }
    }
    let mut comments: HashMap<String, (String, String, String)> = HashMap::new();
    if let Some(text) = pkg.text("word/comments.xml") {
        let doc = parse_xml(&text).map_err(|e| format!("its comments are not well-formed XML: {e}"))?;
        for c in doc.descendants().filter(|n| n.tag_name().name() == "comment") {
            let paras: Vec<String> = c
                .descendants()
                .filter(|n| n.tag_name().name() == "p")
                .map(|p| p.descendants().filter(|n| n.tag_name().name() == "t").filter_map(|n| n.text()).collect())
                .collect();
            comments.insert(
                w_attr(c, "id").unwrap_or_default().to_string(),
                (
                    w_attr(c, "author").unwrap_or_default().to_string(),
                    w_attr(c, "date").unwrap_or_default().to_string(),
                    paras.join("\n"),
                ),
            );
        }
    }
    let mut paras = Vec::new();
    let mut open_comments: HashMap<String, (usize, usize)> = HashMap::new();
    for part in [Some(main.as_str()), Some("word/footnotes.xml")].into_iter().flatten() {
        let Some(text) = pkg.text(part) else { continue };
        let doc = parse_xml(&text).map_err(|e| format!("`{part}` is not well-formed XML: {e}"))?;
        for p in doc.descendants().filter(|n| n.tag_name().name() == "p" && n.tag_name().namespace().is_some()) {
            if p.ancestors().skip(1).any(|a| a.tag_name().name() == "p") {
                continue;
            }
            let index = paras.len();
            paras.push(paragraph(p, index, &mut open_comments, &comments));
        }
    }
    // Comments whose range ends in a later paragraph: to the end of theirs.
    for (id, (index, start)) in open_comments {
        if let Some((author, date, text)) = comments.get(&id)
            && let Some(para) = paras.get_mut(index)
        {
            let end = para.original.len();
            para.comments.push(Comment { start, end, author: author.clone(), date: date.clone(), text: text.clone() });
        }
    }
    Ok(Proof { paras, properties })
}

fn paragraph(
    p: Node,
    index: usize,
    open: &mut HashMap<String, (usize, usize)>,
    comments: &HashMap<String, (String, String, String)>,
) -> Para {
    let mut para = Para { in_table: p.ancestors().any(|a| a.tag_name().name() == "tc"), ..Para::default() };
    for node in p.descendants() {
        let name = local(node);
        if name.is_empty() {
            if node.tag_name().name() == "t" && node.tag_name().namespace().is_some_and(|n| n.ends_with("/math")) {
                // m:t
                push_text(&mut para, node, node.text().unwrap_or_default());
            }
            continue;
        }
        match name {
            "bookmarkStart" => {
                if let Some(mark) = w_attr(node, "name").filter(|n| n.starts_with(SOURCE_MARK))
                    && para.mark.is_none()
                {
                    let line = mark[SOURCE_MARK.len()..].split('_').next().and_then(|l| l.parse().ok());
                    if let Some(line) = line {
                        para.mark = Some((mark.to_string(), line));
                    }
                }
            }
            "t" if node.tag_name().namespace().is_some_and(|n| n.ends_with("/main")) => {
                push_text(&mut para, node, node.text().unwrap_or_default());
            }
            "delText" => push_text(&mut para, node, node.text().unwrap_or_default()),
            "tab" if node.parent().is_some_and(|n| n.tag_name().name() == "r") => push_text(&mut para, node, "\t"),
            "br" | "cr" => push_text(&mut para, node, "\n"),
            "commentRangeStart" => {
                if let Some(id) = w_attr(node, "id") {
                    open.insert(id.to_string(), (index, para.original.len()));
                }
            }
            "commentRangeEnd" => {
                if let Some(id) = w_attr(node, "id")
                    && let Some((at, start)) = open.get(id).copied()
                    && at == index
                {
                    open.remove(id);
                    if let Some((author, date, text)) = comments.get(id) {
                        para.comments.push(Comment {
                            start,
                            end: para.original.len(),
                            author: author.clone(),
                            date: date.clone(),
                            text: text.clone(),
                        });
                    }
                }
            }
            _ => {}
        }
    }
    para
}

/// The tracked change around `node`, if any: (`ins`, author, date) or
/// (`del`, ...).
fn tracked<'a>(node: Node<'a, '_>) -> Option<(&'static str, &'a str, &'a str)> {
    node.ancestors()
        .find_map(|a| match a.tag_name().name() {
            "ins" => Some(("ins", w_attr(a, "author").unwrap_or_default(), w_attr(a, "date").unwrap_or_default())),
            "del" => Some(("del", w_attr(a, "author").unwrap_or_default(), w_attr(a, "date").unwrap_or_default())),
            "p" => Some(("", "", "")),
            _ => None,
        })
        .filter(|(k, ..)| !k.is_empty())
}

fn push_text(para: &mut Para, node: Node, text: &str) {
    if text.is_empty() {
        return;
    }
    let place = Place {
        link: node.ancestors().any(|a| a.tag_name().name() == "hyperlink"),
        math: node.ancestors().any(|a| a.tag_name().name() == "oMath"),
    };
    let at = para.original.len();
    match tracked(node) {
        Some(("ins", author, date)) => {
            // An insertion: not in the original text.
            match para.changes.last_mut() {
                Some(last) if last.at + last.deleted.chars().count() == at && last.author == author => {
                    last.inserted.push_str(text);
                }
                _ => para.changes.push(Change {
                    at,
                    deleted: String::new(),
                    inserted: text.to_string(),
                    author: author.to_string(),
                    date: date.to_string(),
                    place,
                }),
            }
            return;
        }
        Some((_, author, date)) => match para.changes.last_mut() {
            Some(last)
                if last.at + last.deleted.chars().count() == at
                    && last.inserted.is_empty()
                    && last.author == author =>
            {
                last.deleted.push_str(text);
            }
            _ => para.changes.push(Change {
                at,
                deleted: text.to_string(),
                inserted: String::new(),
                author: author.to_string(),
                date: date.to_string(),
                place,
            }),
        },
        None => {}
    }
    para.original.extend(text.chars());
    para.places.extend(std::iter::repeat_n(place, text.chars().count()));
}
