//! Formulas as MathML, for the EPUB and the web edition: the Typst math
//! that the PDF typesets (converted from the author's LaTeX), exported by
//! typst's own HTML export, which writes MathML. All the report's formulas
//! are compiled at once, in a world of their own with the built-in
//! template's helpers; each `<math>` gets its namespace and the LaTeX as
//! `alttext`, and is used only if it is well-formed XML. A formula without
//! MathML (or a report whose formulas fail to compile) keeps its LaTeX
//! source, as before.

use std::collections::HashMap;
use std::fmt::Write;

use crate::fsutil::Root;
use crate::model::{BlockKind, Inline, Report};
use crate::output::pdf::{BUILTIN_STYLE, ReportWorld};

const NAMESPACE: &str = "http://www.w3.org/1998/Math/MathML";

/// The MathML of the report's formulas, by their Typst math and whether
/// they are display formulas.
#[derive(Debug, Default)]
pub struct MathMl {
    formulas: HashMap<(String, bool), String>,
}

impl MathMl {
    /// The `<math>` element of a formula, with its namespace and `alttext`.
    pub fn get(&self, typst: &str, display: bool) -> Option<&str> {
        self.formulas.get(&(typst.to_string(), display)).map(String::as_str)
    }

    pub fn len(&self) -> usize {
        self.formulas.len()
    }

    pub fn is_empty(&self) -> bool {
        self.formulas.is_empty()
    }
}

/// The report's formulas: (Typst math when it could be converted, display
/// or not, LaTeX), in reading order.
fn formulas(report: &Report) -> Vec<(Option<&String>, bool, &String)> {
    let mut out = Vec::new();
    for article in report.articles() {
        for (inline, _) in article.all_inlines() {
            if let Inline::Math { tex, display, typst } = inline {
                out.push((typst.as_ref(), *display, tex));
            }
        }
        // ```` ```math ```` blocks: display formulas.
        for block in article.all_blocks() {
            if let BlockKind::Math { tex, typst } = &block.kind {
                out.push((typst.as_ref(), true, tex));
            }
        }
    }
    out
}

/// How many formulas the report has, and how many of them are MathML.
pub fn count(report: &Report, math: Option<&MathMl>) -> (usize, usize) {
    let all = formulas(report);
    let mathml = all
        .iter()
        .filter(|(typst, display, _)| typst.is_some_and(|t| math.is_some_and(|m| m.get(t, *display).is_some())))
        .count();
    (all.len(), mathml)
}

/// Every formula of the report as MathML, where typst can write it.
pub fn render(report: &Report, root: &Root) -> MathMl {
    let mut seen = std::collections::HashSet::new();
    let formulas: Vec<(String, bool, String)> = formulas(report)
        .into_iter()
        .filter_map(|(typst, display, tex)| Some((typst?.clone(), display, tex.clone())))
        .filter(|(typst, display, _)| seen.insert((typst.clone(), *display)))
        .collect();
    if formulas.is_empty() {
        return MathMl::default();
    }
    let mut main = format!("#import {}: *\n", crate::output::typst::string(BUILTIN_STYLE));
    for (n, (typst, display, _)) in formulas.iter().enumerate() {
        let element = if *display { "div" } else { "span" };
        let _ = writeln!(
            main,
            "#html.elem(\"{element}\", attrs: (id: \"coala-math-{n}\"))[#math.equation(block: {display}, ${typst}$.body)]"
        );
    }
    let mut world = ReportWorld::new(root, None).with_html();
    world.set_main(&main);
    let html = crate::output::pdf::guard(|| {
        let document = typst::compile::<typst_html::HtmlDocument>(&world).output.ok()?;
        typst_html::html(&document, &Default::default()).ok()
    });
    let Ok(Some(html)) = html else { return MathMl::default() };
    let mut out = MathMl::default();
    for (n, (typst, display, tex)) in formulas.into_iter().enumerate() {
        if let Some(math) = extract(&html, &format!("coala-math-{n}")).and_then(|m| xhtml_math(m, &tex)) {
            out.formulas.insert((typst, display), math);
        }
    }
    out
}

/// The `<math>` element inside the element with id `id`.
fn extract<'a>(html: &'a str, id: &str) -> Option<&'a str> {
    let at = html.find(&format!("id=\"{id}\""))?;
    let start = at + html[at..].find("<math")?;
    let end = start + html[start..].find("</math>")? + "</math>".len();
    Some(&html[start..end])
}

/// `<math>` as XHTML and EPUB readers want it: in the MathML namespace,
/// with the LaTeX as its text alternative, and in MathML 3 (which EPUB
/// validates against), where typst writes MathML Core: `displaystyle` and
/// `scriptlevel` are set by an `mstyle` around the element that has them.
/// `None` unless it is well-formed XML.
fn xhtml_math(math: &str, tex: &str) -> Option<String> {
    let doc = roxmltree::Document::parse(math).ok()?;
    let root = doc.root_element();
    if root.tag_name().name() != "math" {
        return None;
    }
    let mut out = String::with_capacity(math.len() + tex.len() + 64);
    let _ = write!(out, "<math xmlns=\"{NAMESPACE}\" alttext=\"{}\"", escape(tex.trim()));
    for attr in root.attributes() {
        let _ = write!(out, " {}=\"{}\"", attr.name(), escape(attr.value()));
    }
    out.push('>');
    for child in root.children() {
        write_node(child, &mut out)?;
    }
    out.push_str("</math>");
    Some(out)
}

/// MathML 3's presentation elements: an HTML element inside (a helper's
/// `box` or `strike`) is not valid there, and the formula keeps its LaTeX.
const ELEMENTS: &[&str] = &[
    "mi",
    "mn",
    "mo",
    "ms",
    "mtext",
    "mspace",
    "mrow",
    "mfrac",
    "msqrt",
    "mroot",
    "mstyle",
    "merror",
    "mpadded",
    "mphantom",
    "mfenced",
    "menclose",
    "msub",
    "msup",
    "msubsup",
    "munder",
    "mover",
    "munderover",
    "mmultiscripts",
    "mprescripts",
    "none",
    "mtable",
    "mlabeledtr",
    "mtr",
    "mtd",
    "semantics",
    "annotation",
];

/// Attributes that MathML 3 allows only on `math`, `mstyle` and `mtable`.
const STYLE_ATTRIBUTES: &[&str] = &["displaystyle", "scriptlevel"];

fn write_node(node: roxmltree::Node, out: &mut String) -> Option<()> {
    if node.is_text() {
        out.push_str(&escape(node.text().unwrap_or_default()));
        return Some(());
    }
    if !node.is_element() {
        return Some(());
    }
    let name = node.tag_name().name();
    if !ELEMENTS.contains(&name) {
        return None;
    }
    let styled = !matches!(name, "mstyle" | "mtable");
    let style: Vec<_> = node.attributes().filter(|a| styled && STYLE_ATTRIBUTES.contains(&a.name())).collect();
    if !style.is_empty() {
        out.push_str("<mstyle");
        for attr in &style {
            let _ = write!(out, " {}=\"{}\"", attr.name(), escape(attr.value()));
        }
        out.push('>');
    }
    let _ = write!(out, "<{name}");
    // A CSS length (`calc(100% + 1.5em)`, a stretched arrow's) has no
    // MathML 3 form: the default is kept.
    let kept = |a: &roxmltree::Attribute| {
        let moved = styled && STYLE_ATTRIBUTES.contains(&a.name());
        !moved && !a.value().starts_with("calc(")
    };
    for attr in node.attributes().filter(kept) {
        let _ = write!(out, " {}=\"{}\"", attr.name(), escape(attr.value()));
    }
    out.push('>');
    for child in node.children() {
        write_node(child, out)?;
    }
    let _ = write!(out, "</{name}>");
    if !style.is_empty() {
        out.push_str("</mstyle>");
    }
    Some(())
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn alttext_namespace_mathml_3_and_well_formed_only() {
        let math = "<math display=\"block\"><mfrac displaystyle=\"true\"><mi>𝑎</mi><mi>𝑏</mi></mfrac><mo lspace=\"0em\">&lt;</mo></math>";
        assert_eq!(
            xhtml_math(math, r"\dfrac{a}{b} < 1").unwrap(),
            "<math xmlns=\"http://www.w3.org/1998/Math/MathML\" alttext=\"\\dfrac{a}{b} &lt; 1\" display=\"block\">\
             <mstyle displaystyle=\"true\"><mfrac><mi>𝑎</mi><mi>𝑏</mi></mfrac></mstyle><mo lspace=\"0em\">&lt;</mo></math>"
        );
        assert_eq!(xhtml_math("<math><mspace width=\"1em\"></math>", "x"), None, "not XML: no MathML");
        assert_eq!(xhtml_math("<p>x</p>", "x"), None);
        assert_eq!(xhtml_math("<math><mi>x</mi><span>y</span></math>", "x"), None, "HTML inside: the LaTeX");
        assert_eq!(
            xhtml_math("<math><mo stretchy=\"true\" minsize=\"calc(100% + 1.5em)\">→</mo></math>", "x"),
            Some(format!("<math xmlns=\"{NAMESPACE}\" alttext=\"x\"><mo stretchy=\"true\">→</mo></math>"))
        );
        assert_eq!(
            extract("<p><span id=\"coala-math-1\"><math><mi>x</mi></math></span>", "coala-math-1"),
            Some("<math><mi>x</mi></math>")
        );
        assert_eq!(extract("<p>", "coala-math-1"), None);
    }
}
