//! `styles.xml`, `numbering.xml`, `settings.xml` and `fontTable.xml`:
//! Word's built-in style names (`heading 1`, `Title`, `Caption`...), so
//! its navigation pane, styles pane and table of contents work, and
//! Pandoc's names for what Word has no style of its own for (`Source
//! Code`, `Verbatim Char`, `Image Caption`, `Table Caption`, `Author`).

use super::xml::{DECLARATION, W, escape};

/// The fonts the report is typeset with, as Word names them.
pub struct Fonts {
    pub body: String,
    pub mono: String,
}

impl Default for Fonts {
    fn default() -> Self {
        Fonts { body: "Libertinus Serif".into(), mono: "DejaVu Sans Mono".into() }
    }
}

fn para_style(id: &str, name: &str, based: &str, ppr: &str, rpr: &str, extra: &str) -> String {
    format!(
        "<w:style w:type=\"paragraph\" w:styleId=\"{id}\"><w:name w:val=\"{name}\"/><w:basedOn w:val=\"{based}\"/><w:next w:val=\"BodyText\"/>{extra}<w:qFormat/><w:pPr>{ppr}</w:pPr><w:rPr>{rpr}</w:rPr></w:style>"
    )
}

fn char_style(id: &str, name: &str, rpr: &str) -> String {
    format!(
        "<w:style w:type=\"character\" w:styleId=\"{id}\"><w:name w:val=\"{name}\"/><w:basedOn w:val=\"DefaultParagraphFont\"/><w:rPr>{rpr}</w:rPr></w:style>"
    )
}

/// `styles.xml` for a document in `lang`.
pub fn styles(lang: &str, fonts: &Fonts) -> String {
    let body = escape(&fonts.body);
    let mono = escape(&fonts.mono);
    let rtl = crate::words::is_rtl(lang);
    let lang = escape(lang);
    let bidi = if rtl { lang.clone() } else { "ar-SA".to_string() };
    let mut s = String::from(DECLARATION);
    s.push_str(&format!("<w:styles xmlns:w=\"{W}\">"));
    s.push_str(&format!(
        "<w:docDefaults><w:rPrDefault><w:rPr><w:rFonts w:ascii=\"{body}\" w:hAnsi=\"{body}\" w:eastAsia=\"{body}\" w:cs=\"{body}\"/><w:sz w:val=\"22\"/><w:szCs w:val=\"22\"/><w:lang w:val=\"{lang}\" w:eastAsia=\"zh-CN\" w:bidi=\"{bidi}\"/></w:rPr></w:rPrDefault><w:pPrDefault><w:pPr><w:spacing w:after=\"120\" w:line=\"264\" w:lineRule=\"auto\"/></w:pPr></w:pPrDefault></w:docDefaults>"
    ));
    s.push_str("<w:style w:type=\"paragraph\" w:default=\"1\" w:styleId=\"Normal\"><w:name w:val=\"Normal\"/><w:qFormat/></w:style>");
    s.push_str("<w:style w:type=\"character\" w:default=\"1\" w:styleId=\"DefaultParagraphFont\"><w:name w:val=\"Default Paragraph Font\"/><w:uiPriority w:val=\"1\"/><w:semiHidden/><w:unhideWhenUsed/></w:style>");
    s.push_str("<w:style w:type=\"table\" w:default=\"1\" w:styleId=\"TableNormal\"><w:name w:val=\"Normal Table\"/><w:semiHidden/><w:tblPr><w:tblInd w:w=\"0\" w:type=\"dxa\"/><w:tblCellMar><w:top w:w=\"0\" w:type=\"dxa\"/><w:left w:w=\"108\" w:type=\"dxa\"/><w:bottom w:w=\"0\" w:type=\"dxa\"/><w:right w:w=\"108\" w:type=\"dxa\"/></w:tblCellMar></w:tblPr></w:style>");
    s.push_str("<w:style w:type=\"numbering\" w:default=\"1\" w:styleId=\"NoList\"><w:name w:val=\"No List\"/><w:semiHidden/></w:style>");
    s.push_str(&para_style("BodyText", "Body Text", "Normal", "", "", ""));
    s.push_str(&para_style("Compact", "Compact", "BodyText", "<w:spacing w:before=\"36\" w:after=\"36\"/>", "", ""));
    s.push_str(&para_style(
        "Title",
        "Title",
        "Normal",
        "<w:keepNext/><w:spacing w:before=\"480\" w:after=\"240\"/><w:jc w:val=\"center\"/>",
        "<w:b/><w:sz w:val=\"48\"/><w:szCs w:val=\"48\"/>",
        "",
    ));
    s.push_str(&para_style(
        "Subtitle",
        "Subtitle",
        "Normal",
        "<w:keepNext/><w:spacing w:before=\"120\" w:after=\"240\"/><w:jc w:val=\"center\"/>",
        "<w:sz w:val=\"30\"/><w:szCs w:val=\"30\"/>",
        "",
    ));
    s.push_str(&para_style("Author", "Author", "Normal", "<w:keepNext/><w:jc w:val=\"center\"/>", "", ""));
    s.push_str(&para_style("Date", "Date", "Normal", "<w:keepNext/><w:jc w:val=\"center\"/>", "", ""));
    s.push_str(&para_style(
        "Abstract",
        "Abstract",
        "Normal",
        "<w:spacing w:before=\"100\" w:after=\"300\"/><w:ind w:left=\"567\" w:right=\"567\"/>",
        "<w:sz w:val=\"20\"/><w:szCs w:val=\"20\"/>",
        "",
    ));
    let sizes = [36, 30, 26, 24, 22, 22, 22, 22, 22];
    for (i, size) in sizes.iter().enumerate() {
        let n = i + 1;
        s.push_str(&para_style(
            &format!("Heading{n}"),
            &format!("heading {n}"),
            "Normal",
            &format!(
                "<w:keepNext/><w:keepLines/><w:spacing w:before=\"{}\" w:after=\"120\"/><w:outlineLvl w:val=\"{i}\"/>",
                if n == 1 { 480 } else { 240 }
            ),
            &format!(
                "<w:b/><w:bCs/><w:sz w:val=\"{size}\"/><w:szCs w:val=\"{size}\"/>{}",
                if n > 3 { "<w:i/>" } else { "" }
            ),
            "<w:uiPriority w:val=\"9\"/>",
        ));
    }
    s.push_str(&para_style("TOCHeading", "TOC Heading", "Heading1", "<w:outlineLvl w:val=\"9\"/>", "", ""));
    s.push_str(&para_style(
        "PartTitle",
        "Part Title",
        "Heading1",
        "<w:spacing w:before=\"2400\" w:after=\"480\"/><w:jc w:val=\"center\"/>",
        "<w:sz w:val=\"44\"/><w:szCs w:val=\"44\"/>",
        "",
    ));
    s.push_str(&para_style(
        "Quote",
        "Quote",
        "Normal",
        "<w:ind w:left=\"720\" w:right=\"720\"/>",
        "<w:i/><w:iCs/>",
        "",
    ));
    s.push_str(&para_style(
        "Callout",
        "Callout",
        "Normal",
        "<w:pBdr><w:left w:val=\"single\" w:sz=\"24\" w:space=\"8\" w:color=\"4472C4\"/></w:pBdr><w:shd w:val=\"clear\" w:color=\"auto\" w:fill=\"EEF2FA\"/><w:ind w:left=\"284\"/>",
        "",
        "",
    ));
    s.push_str(&para_style("CalloutTitle", "Callout Title", "Callout", "<w:keepNext/>", "<w:b/><w:bCs/>", ""));
    // Pandoc's names for a definition list's terms and definitions.
    s.push_str(&para_style("DefinitionTerm", "Definition Term", "Normal", "<w:keepNext/>", "<w:b/><w:bCs/>", ""));
    s.push_str(&para_style("Definition", "Definition", "Normal", "<w:ind w:left=\"567\"/>", "", ""));
    s.push_str(&para_style(
        "SourceCode",
        "Source Code",
        "Normal",
        "<w:wordWrap w:val=\"off\"/><w:shd w:val=\"clear\" w:color=\"auto\" w:fill=\"F5F5F5\"/><w:spacing w:after=\"0\" w:line=\"240\" w:lineRule=\"auto\"/>",
        &format!("<w:rFonts w:ascii=\"{mono}\" w:hAnsi=\"{mono}\" w:cs=\"{mono}\"/><w:sz w:val=\"18\"/><w:szCs w:val=\"18\"/>"),
        "",
    ));
    s.push_str(&para_style(
        "ListParagraph",
        "List Paragraph",
        "Normal",
        "<w:ind w:left=\"720\"/><w:contextualSpacing/>",
        "",
        "",
    ));
    s.push_str(&para_style(
        "Caption",
        "caption",
        "Normal",
        "<w:spacing w:before=\"120\" w:after=\"240\"/>",
        "<w:i/><w:iCs/><w:sz w:val=\"20\"/><w:szCs w:val=\"20\"/>",
        "",
    ));
    s.push_str(&para_style("TableCaption", "Table Caption", "Caption", "<w:keepNext/>", "", ""));
    s.push_str(&para_style("ImageCaption", "Image Caption", "Caption", "", "", ""));
    s.push_str(&para_style(
        "CaptionedFigure",
        "Captioned Figure",
        "Normal",
        "<w:keepNext/><w:jc w:val=\"center\"/>",
        "",
        "",
    ));
    s.push_str(&para_style("Figure", "Figure", "Normal", "<w:jc w:val=\"center\"/>", "", ""));
    s.push_str(&para_style(
        "Bibliography",
        "Bibliography",
        "Normal",
        "<w:ind w:left=\"480\" w:hanging=\"480\"/>",
        "",
        "",
    ));
    s.push_str(&para_style("ProofNote", "Proof Note", "Normal", "<w:pBdr><w:top w:val=\"single\" w:sz=\"4\" w:space=\"4\" w:color=\"999999\"/><w:bottom w:val=\"single\" w:sz=\"4\" w:space=\"4\" w:color=\"999999\"/></w:pBdr><w:jc w:val=\"center\"/>", "<w:color w:val=\"555555\"/><w:sz w:val=\"18\"/><w:szCs w:val=\"18\"/>", ""));
    s.push_str(&para_style(
        "FootnoteText",
        "footnote text",
        "Normal",
        "<w:spacing w:after=\"60\" w:line=\"240\" w:lineRule=\"auto\"/>",
        "<w:sz w:val=\"18\"/><w:szCs w:val=\"18\"/>",
        "<w:semiHidden/><w:unhideWhenUsed/>",
    ));
    s.push_str(&para_style(
        "TOC1",
        "toc 1",
        "Normal",
        "<w:spacing w:after=\"60\"/>",
        "",
        "<w:semiHidden/><w:unhideWhenUsed/>",
    ));
    s.push_str(&para_style(
        "TOC2",
        "toc 2",
        "Normal",
        "<w:spacing w:after=\"60\"/><w:ind w:left=\"220\"/>",
        "",
        "<w:semiHidden/><w:unhideWhenUsed/>",
    ));
    s.push_str(&para_style(
        "TOC3",
        "toc 3",
        "Normal",
        "<w:spacing w:after=\"60\"/><w:ind w:left=\"440\"/>",
        "",
        "<w:semiHidden/><w:unhideWhenUsed/>",
    ));
    s.push_str(&para_style("Footer", "footer", "Normal", "<w:jc w:val=\"center\"/>", "<w:sz w:val=\"18\"/>", ""));
    s.push_str(&char_style("FootnoteReference", "footnote reference", "<w:vertAlign w:val=\"superscript\"/>"));
    s.push_str(&char_style("Hyperlink", "Hyperlink", "<w:color w:val=\"0563C1\"/><w:u w:val=\"single\"/>"));
    s.push_str(&char_style(
        "VerbatimChar",
        "Verbatim Char",
        &format!("<w:rFonts w:ascii=\"{mono}\" w:hAnsi=\"{mono}\" w:cs=\"{mono}\"/><w:sz w:val=\"20\"/>"),
    ));
    s.push_str("<w:style w:type=\"table\" w:styleId=\"Table\"><w:name w:val=\"Table\"/><w:basedOn w:val=\"TableNormal\"/><w:tblPr><w:tblBorders><w:top w:val=\"single\" w:sz=\"8\" w:space=\"0\" w:color=\"auto\"/><w:bottom w:val=\"single\" w:sz=\"8\" w:space=\"0\" w:color=\"auto\"/><w:insideH w:val=\"single\" w:sz=\"2\" w:space=\"0\" w:color=\"BFBFBF\"/></w:tblBorders></w:tblPr><w:tblStylePr w:type=\"firstRow\"><w:rPr><w:b/></w:rPr><w:tcPr><w:tcBorders><w:bottom w:val=\"single\" w:sz=\"6\" w:space=\"0\" w:color=\"auto\"/></w:tcBorders></w:tcPr></w:tblStylePr></w:style>");
    s.push_str("</w:styles>");
    s
}

/// `numbering.xml`: abstract numbering 1 for bullet lists, 2 for ordered
/// ones; `nums` gives each list's (abstract, level, start).
pub fn numbering(nums: &[(u32, usize, usize)]) -> String {
    let mut s = String::from(DECLARATION);
    s.push_str(&format!("<w:numbering xmlns:w=\"{W}\">"));
    for (abstract_id, ordered) in [(1, false), (2, true)] {
        s.push_str(&format!(
            "<w:abstractNum w:abstractNumId=\"{abstract_id}\"><w:multiLevelType w:val=\"multilevel\"/>"
        ));
        for level in 0..9 {
            let left = 720 * (level + 1);
            let (fmt, text) = if ordered {
                let fmt = ["decimal", "lowerLetter", "lowerRoman"][level % 3];
                (fmt, format!("%{}.", level + 1))
            } else {
                ("bullet", ["•", "◦", "▪"][level % 3].to_string())
            };
            s.push_str(&format!(
                "<w:lvl w:ilvl=\"{level}\"><w:start w:val=\"1\"/><w:numFmt w:val=\"{fmt}\"/><w:lvlText w:val=\"{text}\"/><w:lvlJc w:val=\"left\"/><w:pPr><w:ind w:left=\"{left}\" w:hanging=\"360\"/></w:pPr></w:lvl>"
            ));
        }
        s.push_str("</w:abstractNum>");
    }
    for (i, (abstract_id, level, start)) in nums.iter().enumerate() {
        s.push_str(&format!(
            "<w:num w:numId=\"{}\"><w:abstractNumId w:val=\"{abstract_id}\"/><w:lvlOverride w:ilvl=\"{level}\"><w:startOverride w:val=\"{start}\"/></w:lvlOverride></w:num>",
            i + 1
        ));
    }
    s.push_str("</w:numbering>");
    s
}

/// `settings.xml`.
pub fn settings(lang: &str) -> String {
    format!(
        "{DECLARATION}<w:settings xmlns:w=\"{W}\" xmlns:m=\"http://schemas.openxmlformats.org/officeDocument/2006/math\"><w:defaultTabStop w:val=\"720\"/><w:characterSpacingControl w:val=\"doNotCompress\"/><w:footnotePr><w:footnote w:id=\"-1\"/><w:footnote w:id=\"0\"/></w:footnotePr><w:compat><w:compatSetting w:name=\"compatibilityMode\" w:uri=\"http://schemas.microsoft.com/office/word\" w:val=\"15\"/></w:compat><m:mathPr><m:mathFont m:val=\"Cambria Math\"/></m:mathPr><w:themeFontLang w:val=\"{}\"/><w:decimalSymbol w:val=\".\"/><w:listSeparator w:val=\",\"/></w:settings>",
        escape(lang)
    )
}

/// `fontTable.xml`: the report's fonts, and Word's for equations.
pub fn font_table(fonts: &Fonts) -> String {
    let mut s = format!("{DECLARATION}<w:fonts xmlns:w=\"{W}\">");
    for (name, family, pitch) in [
        (fonts.body.as_str(), "roman", "variable"),
        (fonts.mono.as_str(), "modern", "fixed"),
        ("Cambria Math", "roman", "variable"),
    ] {
        s.push_str(&format!(
            "<w:font w:name=\"{}\"><w:family w:val=\"{family}\"/><w:pitch w:val=\"{pitch}\"/></w:font>",
            escape(name)
        ));
    }
    s.push_str("</w:fonts>");
    s
}
