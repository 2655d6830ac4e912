//! What a document's styles and numbering definitions mean: Word styles are
//! mapped to the model's structure by their meaning (the built-in names
//! Word stores in English whatever the interface language, the outline
//! level, the `basedOn` chain, localized names as a last resort), never by
//! their look, as mammoth's style map does; list paragraphs get their kind
//! and start from `numbering.xml`.

use std::collections::HashMap;

use roxmltree::Node;

use super::package::{attr, child, name, parse_xml, toggle};

/// What a paragraph style means.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ParaRole {
    Normal,
    /// Heading level, 1-based.
    Heading(u8),
    Title,
    Subtitle,
    Author,
    Date,
    Abstract,
    Quote,
    Code,
    Caption,
    /// A table-of-contents entry or heading (dropped: the report makes its own).
    Contents,
    /// Footnote, header or footer text styles: nothing special.
    ListParagraph,
}

#[derive(Debug, Default, Clone)]
struct Style {
    name: String,
    based_on: Option<String>,
    outline: Option<u8>,
    /// `(numId, ilvl)` from the style's own `numPr`.
    num: Option<(String, u8)>,
    bold: Option<bool>,
    italic: Option<bool>,
    mono: bool,
    /// `w:type`: paragraph, character, table, numbering.
    kind: String,
}

/// The document's styles.
#[derive(Debug, Default)]
pub struct Styles {
    styles: HashMap<String, Style>,
    default_para: Option<String>,
}

/// Run formatting a character style gives.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct CharStyle {
    pub bold: Option<bool>,
    pub italic: Option<bool>,
    pub code: bool,
}

const MAX_CHAIN: usize = 32;

impl Styles {
    pub fn parse(text: Option<&str>) -> Styles {
        let mut out = Styles::default();
        let Some(text) = text else { return out };
        let Ok(doc) = parse_xml(text) else { return out };
        for node in doc.root().descendants().filter(|n| n.is_element() && name(*n) == "style") {
            let Some(id) = attr(node, "styleId") else { continue };
            let kind = attr(node, "type").unwrap_or("paragraph").to_string();
            if kind == "paragraph" && attr(node, "default").is_some_and(|d| d == "1" || d == "true") {
                out.default_para = Some(id.to_string());
            }
            let ppr = child(node, "pPr");
            let rpr = child(node, "rPr");
            let style = Style {
                name: child(node, "name").and_then(|n| attr(n, "val")).unwrap_or(id).to_lowercase(),
                based_on: child(node, "basedOn").and_then(|n| attr(n, "val")).map(str::to_string),
                outline: ppr
                    .and_then(|p| child(p, "outlineLvl"))
                    .and_then(|n| attr(n, "val"))
                    .and_then(|v| v.parse().ok()),
                num: ppr.and_then(|p| child(p, "numPr")).and_then(|n| {
                    let id = child(n, "numId").and_then(|i| attr(i, "val"))?;
                    let level = child(n, "ilvl").and_then(|i| attr(i, "val")).and_then(|v| v.parse().ok()).unwrap_or(0);
                    Some((id.to_string(), level))
                }),
                bold: toggle(rpr, "b"),
                italic: toggle(rpr, "i"),
                mono: rpr.is_some_and(|r| is_mono_fonts(r)),
                kind,
            };
            out.styles.insert(id.to_string(), style);
        }
        out
    }

    /// The chain of styles from `id` up through `basedOn`.
    fn chain<'a>(&'a self, id: &str) -> Vec<(&'a str, &'a Style)> {
        let mut out = Vec::new();
        let mut next = Some(id.to_string());
        while let Some(id) = next {
            if out.len() >= MAX_CHAIN || out.iter().any(|(i, _)| *i == id) {
                break;
            }
            let Some((key, style)) = self.styles.get_key_value(&id) else { break };
            out.push((key.as_str(), style));
            next = style.based_on.clone();
        }
        out
    }

    /// What a paragraph of style `id` (or the default style) is.
    pub fn para_role(&self, id: Option<&str>) -> ParaRole {
        let Some(id) = id.or(self.default_para.as_deref()) else { return ParaRole::Normal };
        let chain = self.chain(id);
        if chain.is_empty() {
            // A style the document does not define: read its id.
            return role_from_name(&id.to_lowercase()).unwrap_or(ParaRole::Normal);
        }
        for (id, style) in &chain {
            if let Some(role) = role_from_name(&style.name).or_else(|| role_from_name(&id.to_lowercase())) {
                return role;
            }
            if let Some(level) = style.outline
                && level < 9
            {
                return ParaRole::Heading(level + 1);
            }
        }
        if chain.iter().any(|(_, s)| s.mono) {
            return ParaRole::Code;
        }
        ParaRole::Normal
    }

    /// The numbering a paragraph style gives its paragraphs.
    pub fn numbering(&self, id: Option<&str>) -> Option<(String, u8)> {
        let id = id.or(self.default_para.as_deref())?;
        self.chain(id).into_iter().find_map(|(_, s)| s.num.clone())
    }

    /// The formatting a character style gives.
    pub fn char_style(&self, id: &str) -> CharStyle {
        let mut out = CharStyle::default();
        for (id, style) in self.chain(id).into_iter().rev() {
            if style.kind != "character" && style.kind != "paragraph" {
                continue;
            }
            out.bold = style.bold.or(out.bold);
            out.italic = style.italic.or(out.italic);
            out.code |= style.mono;
            let name = style.name.as_str();
            let lower = id.to_lowercase();
            if ["strong", "strong emphasis"].contains(&name) {
                out.bold = Some(true);
            }
            if name == "emphasis" || name == "subtle emphasis" || name == "intense emphasis" {
                out.italic = Some(true);
            }
            if CODE_CHAR_NAMES.contains(&name) || CODE_CHAR_NAMES.contains(&lower.as_str()) {
                out.code = true;
            }
        }
        out
    }

    /// The paragraph style's own run formatting (a heading's bold is not emphasis).
    pub fn para_run(&self, id: Option<&str>) -> CharStyle {
        let Some(id) = id.or(self.default_para.as_deref()) else { return CharStyle::default() };
        let mut out = CharStyle::default();
        for (_, style) in self.chain(id).into_iter().rev() {
            out.bold = style.bold.or(out.bold);
            out.italic = style.italic.or(out.italic);
            out.code |= style.mono;
        }
        out
    }
}

const CODE_CHAR_NAMES: &[&str] = &[
    "verbatim char",
    "source code",
    "html code",
    "html typewriter",
    "code",
    "inline code",
    "codechar",
    "verbatimchar",
];

/// A role from a style's name (English built-in names, as Word stores
/// them, and the names other interfaces and converters write).
fn role_from_name(name: &str) -> Option<ParaRole> {
    let name = name.trim();
    if let Some(level) = heading_level(name) {
        return Some(ParaRole::Heading(level));
    }
    Some(match name {
        "title" | "titel" | "titre" | "título" | "titolo" | "заголовок" | "标题" => ParaRole::Title,
        "subtitle" | "untertitel" | "sous-titre" | "subtítulo" | "sottotitolo" | "подзаголовок" | "副标题" => {
            ParaRole::Subtitle
        }
        "author" | "autor" | "auteur" => ParaRole::Author,
        "date" | "datum" => ParaRole::Date,
        "abstract" | "zusammenfassung" | "résumé" | "resumen" => ParaRole::Abstract,
        "quote" | "intense quote" | "block text" | "block quote" | "block quotation" | "quotations" | "quotation"
        | "zitat" | "citation" | "cita" | "citação" | "цитата" => ParaRole::Quote,
        "source code" | "html preformatted" | "plain text" | "code" | "verbatim" | "preformatted text"
        | "source text" | "code block" | "sourcecode" | "htmlpreformatted" | "plaintext" | "quellcode" => {
            ParaRole::Code
        }
        "caption"
        | "beschriftung"
        | "légende"
        | "descripción"
        | "didascalia"
        | "название объекта"
        | "table caption"
        | "image caption"
        | "figure caption"
        | "tablecaption"
        | "imagecaption" => ParaRole::Caption,
        "toc heading" | "contents heading" | "index heading" => ParaRole::Contents,
        "list paragraph"
        | "listenabsatz"
        | "paragraphe de liste"
        | "párrafo de lista"
        | "list bullet"
        | "list number"
        | "list"
        | "compact" => ParaRole::ListParagraph,
        _ if name.starts_with("toc ") || name.starts_with("contents ") || name.starts_with("verzeichnis ") => {
            ParaRole::Contents
        }
        _ => return None,
    })
}

/// `heading 2` (and `Überschrift 2`, `Titre 2`, `Heading2`, `Título 2`...): 2.
fn heading_level(name: &str) -> Option<u8> {
    const HEADINGS: &[&str] = &[
        "heading",
        "überschrift",
        "berschrift",
        "titre",
        "título",
        "titulo",
        "titolo",
        "kop",
        "rubrik",
        "overskrift",
        "otsikko",
        "nagłówek",
        "заголовок",
        "標題",
        "标题",
        "見出し",
        "제목",
        "عنوان",
        "başlık",
        "nadpis",
        "címsor",
        "encabezado",
        "cabeçalho",
        "kopje",
    ];
    for prefix in HEADINGS {
        if let Some(rest) = name.strip_prefix(prefix) {
            let rest = rest.trim();
            if let Ok(level) = rest.parse::<u8>()
                && (1..=9).contains(&level)
            {
                return Some(level);
            }
        }
    }
    None
}

const MONO_FONTS: &[&str] = &[
    "courier",
    "courier new",
    "consolas",
    "menlo",
    "monaco",
    "lucida console",
    "source code pro",
    "dejavu sans mono",
    "liberation mono",
    "andale mono",
    "cascadia code",
    "cascadia mono",
    "fira code",
    "fira mono",
    "roboto mono",
    "ubuntu mono",
    "noto sans mono",
    "inconsolata",
    "sf mono",
    "jetbrains mono",
    "ibm plex mono",
    "monospace",
];

/// Whether `rPr`'s fonts (`w:rFonts w:ascii`/`hAnsi`) are monospace.
pub fn is_mono_fonts(rpr: Node<'_, '_>) -> bool {
    let Some(fonts) = child(rpr, "rFonts") else { return false };
    ["ascii", "hAnsi"].iter().filter_map(|a| attr(fonts, a)).any(|f| MONO_FONTS.contains(&f.to_lowercase().as_str()))
}

/// One level of a list definition.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Level {
    pub ordered: bool,
    pub start: usize,
    /// `w:lvlRestart`: restart after this level (1-based); 0 never.
    pub restart: Option<usize>,
    /// A check box as the bullet (`☐`, `☒`): a task, done or not.
    pub task: Option<bool>,
    /// A blank bullet: the paragraph continues the item before it.
    pub continuation: bool,
}

/// One `w:num`: (abstractNumId, start overrides by level, level overrides by level).
type Num = (String, HashMap<u8, usize>, HashMap<u8, Level>);

/// `numbering.xml`: each `w:num` with its abstract definition's levels.
#[derive(Debug, Default)]
pub struct Numbering {
    abstracts: HashMap<String, Vec<Level>>,
    /// numId → its abstract definition and overrides.
    nums: HashMap<String, Num>,
}

impl Numbering {
    pub fn parse(text: Option<&str>) -> Numbering {
        let mut out = Numbering::default();
        let Some(text) = text else { return out };
        let Ok(doc) = parse_xml(text) else { return out };
        let levels_of = |node: Node| -> HashMap<u8, Level> {
            node.children()
                .filter(|n| n.is_element() && name(*n) == "lvl")
                .filter_map(|lvl| {
                    let ilvl: u8 = attr(lvl, "ilvl")?.parse().ok()?;
                    Some((ilvl, level(lvl)))
                })
                .collect()
        };
        let mut links: HashMap<String, String> = HashMap::new();
        let mut style_links: HashMap<String, String> = HashMap::new();
        for node in doc.root().descendants().filter(|n| n.is_element()) {
            match name(node) {
                "abstractNum" => {
                    let Some(id) = attr(node, "abstractNumId") else { continue };
                    let by_level = levels_of(node);
                    let mut levels = Vec::new();
                    for i in 0..9u8 {
                        levels.push(by_level.get(&i).cloned().unwrap_or(Level {
                            ordered: false,
                            start: 1,
                            restart: None,
                            task: None,
                            continuation: false,
                        }));
                    }
                    out.abstracts.insert(id.to_string(), levels);
                    if let Some(style) = child(node, "numStyleLink").and_then(|n| attr(n, "val")) {
                        links.insert(id.to_string(), style.to_string());
                    }
                    if let Some(style) = child(node, "styleLink").and_then(|n| attr(n, "val")) {
                        style_links.insert(style.to_string(), id.to_string());
                    }
                }
                "num" => {
                    let Some(id) = attr(node, "numId") else { continue };
                    let Some(abs) = child(node, "abstractNumId").and_then(|n| attr(n, "val")) else { continue };
                    let mut starts = HashMap::new();
                    let mut levels = HashMap::new();
                    for over in node.children().filter(|n| n.is_element() && name(*n) == "lvlOverride") {
                        let Some(ilvl) = attr(over, "ilvl").and_then(|v| v.parse().ok()) else { continue };
                        if let Some(start) =
                            child(over, "startOverride").and_then(|n| attr(n, "val")).and_then(|v| v.parse().ok())
                        {
                            starts.insert(ilvl, start);
                        }
                        if let Some(lvl) = child(over, "lvl") {
                            levels.insert(ilvl, level(lvl));
                        }
                    }
                    out.nums.insert(id.to_string(), (abs.to_string(), starts, levels));
                }
                _ => {}
            }
        }
        // An abstract definition that only links to a numbering style
        // takes the levels of the definition that style names.
        for (abs, style) in links {
            if let Some(target) = style_links.get(&style).and_then(|t| out.abstracts.get(t)).cloned() {
                out.abstracts.insert(abs, target);
            }
        }
        out
    }

    /// The abstract definition and the level of `(numId, ilvl)`; `None` for
    /// numId 0 (no numbering) or an unknown one.
    pub fn level(&self, num: &str, ilvl: u8) -> Option<(String, Level)> {
        let (abs, _, overrides) = self.nums.get(num)?;
        let ilvl = ilvl.min(8);
        let level = overrides.get(&ilvl).cloned().or_else(|| self.abstracts.get(abs)?.get(ilvl as usize).cloned())?;
        Some((abs.clone(), level))
    }

    /// The start a `w:num` sets for a level (its `startOverride`).
    pub fn start_override(&self, num: &str, ilvl: u8) -> Option<usize> {
        self.nums.get(num)?.1.get(&ilvl).copied()
    }
}

fn level(lvl: Node<'_, '_>) -> Level {
    let format = child(lvl, "numFmt").and_then(|n| attr(n, "val")).unwrap_or("decimal");
    let text = child(lvl, "lvlText").and_then(|n| attr(n, "val")).unwrap_or("");
    let ordered = {
        // A "decimal" level whose text has no number placeholder is a bullet drawn with a digit-less glyph.
        let numberless = format == "decimal" && !text.is_empty() && !text.contains('%');
        !matches!(format, "bullet" | "none") && !numberless
    };
    Level {
        ordered,
        start: child(lvl, "start").and_then(|n| attr(n, "val")).and_then(|v| v.parse().ok()).unwrap_or(1),
        restart: child(lvl, "lvlRestart").and_then(|n| attr(n, "val")).and_then(|v| v.parse().ok()),
        task: match text.trim() {
            "☐" | "□" | "❏" => Some(false),
            "☒" | "☑" | "✓" | "✔" | "■" => Some(true),
            _ => None,
        }
        .filter(|_| !ordered),
        continuation: !ordered && format == "bullet" && text.trim().is_empty(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn styles(xml: &str) -> Styles {
        Styles::parse(Some(&format!(
            r#"<w:styles xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">{xml}</w:styles>"#
        )))
    }

    #[test]
    fn headings_in_any_interface_language_and_by_their_chain() {
        let s = styles(
            r#"<w:style w:type="paragraph" w:styleId="berschrift1"><w:name w:val="heading 1"/></w:style>
               <w:style w:type="paragraph" w:styleId="Titre2"><w:name w:val="Titre 2"/></w:style>
               <w:style w:type="paragraph" w:styleId="Mine"><w:name w:val="My Section"/><w:basedOn w:val="berschrift1"/></w:style>
               <w:style w:type="paragraph" w:styleId="Deep"><w:name w:val="Deep"/><w:pPr><w:outlineLvl w:val="3"/></w:pPr></w:style>
               <w:style w:type="paragraph" w:styleId="Loop"><w:name w:val="Loop"/><w:basedOn w:val="Loop"/></w:style>"#,
        );
        assert_eq!(s.para_role(Some("berschrift1")), ParaRole::Heading(1));
        assert_eq!(s.para_role(Some("Titre2")), ParaRole::Heading(2));
        assert_eq!(s.para_role(Some("Mine")), ParaRole::Heading(1));
        assert_eq!(s.para_role(Some("Deep")), ParaRole::Heading(4));
        assert_eq!(s.para_role(Some("Loop")), ParaRole::Normal);
        assert_eq!(s.para_role(Some("Heading3")), ParaRole::Heading(3), "an undefined style is read by its id");
        assert_eq!(s.para_role(Some("Überschrift 2")), ParaRole::Heading(2));
    }

    #[test]
    fn numbering_levels_and_overrides() {
        let n = Numbering::parse(Some(
            r#"<w:numbering xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">
              <w:abstractNum w:abstractNumId="0"><w:lvl w:ilvl="0"><w:start w:val="3"/><w:numFmt w:val="decimal"/><w:lvlText w:val="%1."/></w:lvl>
              <w:lvl w:ilvl="1"><w:numFmt w:val="bullet"/><w:lvlText w:val="•"/></w:lvl></w:abstractNum>
              <w:num w:numId="1"><w:abstractNumId w:val="0"/></w:num>
              <w:num w:numId="2"><w:abstractNumId w:val="0"/><w:lvlOverride w:ilvl="0"><w:startOverride w:val="7"/></w:lvlOverride></w:num>
            </w:numbering>"#,
        ));
        let (abs, level) = n.level("1", 0).unwrap();
        assert_eq!((abs.as_str(), level.ordered, level.start), ("0", true, 3));
        assert!(!n.level("1", 1).unwrap().1.ordered);
        assert_eq!(n.start_override("2", 0), Some(7));
        assert!(n.level("0", 0).is_none());
    }
}
