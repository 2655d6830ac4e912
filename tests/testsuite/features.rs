//! What an annual report needs beyond markdown: the glossary (sorted, with
//! first-use links and page references), numbered table captions, math.

use crate::harness::{TestReport, pdf_text, squash};

fn glossary_report(link: &str) -> TestReport {
    let r = TestReport::new();
    r.with_styles();
    r.write(
        "book.toml",
        &format!("front = [\"a.md\"]\nback = [\"glossary.md\"]\n\n[book]\ntitle = \"T\"\n\n[glossary]\nlink = \"{link}\"\n"),
    )
    .write(
        "report/a.md",
        "+++\ntitle = \"Article\"\n+++\n\nSmart contracts run on a ledger. A [ledger](glossary.md#ledger) again, \
         and smart contracts again; an éclair.\n\n## Heading about smart contracts\n\n`smart contract` in code.\n",
    )
    .write(
        "report/glossary.md",
        "+++\ntitle = \"Glossary\"\nkind = \"glossary\"\n+++\n\nIntro text.\n\n## Smart contract\n\nAlso: chaincode\n\n\
         Code that runs.\n\n## Éclair\n\nA pastry.\n\n## Ledger\n\nA record.\n\nSee also: [Smart contract](#smart-contract)\n",
    );
    r
}

#[test]
fn glossary_is_sorted_linked_on_first_use_and_lists_pages() {
    let r = glossary_report("first-use");
    let run = r.run(&["build", "--format", "pdf", "--emit-typst"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(!run.stderr.contains("never used"), "every entry is used:\n{}", run.stderr);
    let typ = std::fs::read_to_string(r.path().join("build/report.typ")).unwrap();
    // First use linked (with a page-reference label), the second not.
    assert_eq!(typ.matches("#link-to(<glossary:smart-contract>)[Smart contracts]<glref-").count(), 1, "{typ}");
    assert!(typ.contains("and smart contracts again"), "{typ}");
    // Explicit link counted; no auto-link added for the same entry.
    assert_eq!(typ.matches("#link-to(<glossary:ledger>)").count(), 1, "{typ}");
    // Headings and code are never linked.
    assert!(typ.contains("Heading about smart contracts]"), "{typ}");
    // Sorted by collation: Éclair between (intro) and Ledger.
    let (e, l, s) =
        (typ.find("[Éclair]").unwrap(), typ.find("[Ledger]").unwrap(), typ.find("[Smart contract]").unwrap());
    assert!(e < l && l < s, "entries not sorted");
    assert!(typ.contains("#glossary-pages((<glref-"), "{typ}");
    let Some(text) = pdf_text(&r.pdf(), "glossary_is_sorted_linked_on_first_use_and_lists_pages") else { return };
    let text = squash(&text);
    // The article is front matter: its page number is roman.
    assert!(text.contains(&squash("Code that runs. Page iv")), "{text}");
    assert!(text.contains(&squash("A pastry. Page iv")), "{text}");
}

#[test]
fn glossary_without_auto_links_warns_about_unused_entries() {
    let r = glossary_report("none");
    let run = r.run(&["check"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stderr.contains("warning[unused-glossary-entry]: the glossary entry `Smart contract` is never used"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("warning[unused-glossary-entry]: the glossary entry `Éclair` is never used"),
        "{}",
        run.stderr
    );
    assert!(!run.stderr.contains("`Ledger` is never used"), "{}", run.stderr);
}

#[test]
fn two_glossaries_are_an_error() {
    let r = glossary_report("none");
    r.write("book.toml", "front = [\"a.md\"]\nback = [\"glossary.md\", \"g2.md\"]\n\n[book]\ntitle = \"T\"\n")
        .write("report/g2.md", "+++\ntitle = \"More\"\nkind = \"glossary\"\n+++\n\n## X\n\nY.\n");
    let run = r.run(&["check"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(run.stderr.contains("a report has one glossary"), "{}", run.stderr);
}

#[test]
fn sample_report_uses_the_glossary_math_and_captions() {
    let r = TestReport::sample();
    let run = r.run(&["build", "--format", "pdf", "--emit-typst"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let typ = std::fs::read_to_string(r.path().join("build/report.typ")).unwrap();
    assert!(typ.contains("#glossary-pages(("));
    assert!(typ.contains("#table-figure(number: 1, caption: ["));
    assert!(typ.contains("#link-to(<use-cases:tbl-summary>)[Table\u{a0}7]"), "a reference to a labelled table");
    assert!(typ.contains("session: ("), "the session report's fact box");
    let Some(text) = pdf_text(&r.pdf(), "sample_report_uses_the_glossary_math_and_captions") else { return };
    let text = squash(&text);
    assert!(text.contains(&squash("Table 1.")), "numbered table caption");
    assert!(text.contains(&squash("Figure 1.")), "numbered figure caption");
    assert!(text.contains("Pages"), "glossary page references");
}

#[test]
fn contributors_list_is_generated_where_the_manifest_places_it() {
    let r = TestReport::new();
    r.with_styles();
    r.write("book.toml", "front = [\"people.md\", \"a.md\", \"b.md\"]\n\n[book]\ntitle = \"T\"\n")
        .write("report/people.md", "+++\ntitle = \"Contributors\"\nkind = \"contributors\"\n+++\n\nThank you.\n")
        .write(
            "report/a.md",
            "+++\ntitle = \"Alpha\"\nauthors = [{ name = \"Zoë Zed\", affiliation = \"Uni Z\" }, \"Ann Able\"]\n+++\n\nA.\n",
        )
        .write("report/b.md", "---\ntitle: Beta\nauthor: Ann Able, Zoe Other\n---\n\nB.\n");
    let run = r.run(&["build", "--emit-typst"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let typ = std::fs::read_to_string(r.path().join("build/report.typ")).unwrap();
    let list = &typ[typ.find("Authors and their articles").expect("generated heading")..];
    // Sorted by name; each with affiliation and articles, linked.
    let (ann, other, zed) =
        (list.find("Ann Able").unwrap(), list.find("Zoe Other").unwrap(), list.find("Zoë Zed").unwrap());
    assert!(ann < other && other < zed, "{list}");
    assert!(list.contains("#link-to(<a>)[#emph[Alpha];];\\; #link-to(<b>)[#emph[Beta];]"), "{list}");
    assert!(list.contains("Uni Z"), "{list}");
    // The EPUB has the same list.
    let epub = std::fs::read(r.path().join("build/report.epub")).unwrap();
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(epub)).unwrap();
    let mut found = false;
    for i in 0..zip.len() {
        let mut file = zip.by_index(i).unwrap();
        let mut text = String::new();
        if file.name().ends_with(".xhtml") && std::io::Read::read_to_string(&mut file, &mut text).is_ok() {
            found |= text.contains("Authors and their articles") && text.contains("Zoë Zed");
        }
    }
    assert!(found, "the EPUB has no contributors list");
}

#[test]
fn page_refs_follow_links_to_other_articles() {
    let r = TestReport::new();
    r.with_styles();
    r.write("book.toml", "front = [\"a.md\", \"b.md\"]\n\n[book]\ntitle = \"T\"\n\n[build.pdf]\npage-refs = true\n")
        .write(
            "report/a.md",
            "+++\ntitle = \"A\"\n+++\n\nSee [the other one](b.md#part-two) and [here](#local).\n\n## Local\n",
        )
        .write("report/b.md", "+++\ntitle = \"B\"\n+++\n\nB.\n\n## Part two\n\nText.\n");
    let run = r.run(&["build", "--format", "pdf", "--emit-typst"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let typ = std::fs::read_to_string(r.path().join("build/report.typ")).unwrap();
    assert!(typ.contains("#link-to(<b:part-two>)[the other one];#page-ref(<b:part-two>);"), "{typ}");
    assert!(!typ.contains("#page-ref(<a:local>)"), "no page reference within the same article");
    let Some(text) = pdf_text(&r.pdf(), "page_refs_follow_links_to_other_articles") else { return };
    assert!(squash(&text).contains(&squash("See the other one (p. v)")), "{text}");
}

const BIB: &str = "@book{doe2020,\n  author = {Doe, Jane},\n  title = {Ledgers and Law},\n  publisher = {Example Press},\n  year = {2020},\n}\n\n@article{roe2019,\n  author = {Roe, Richard},\n  title = {Tokens},\n  journal = {Journal of Examples},\n  year = {2019},\n}\n";

fn cite_report(extra: &str) -> TestReport {
    let r = TestReport::new();
    r.with_styles();
    r.write(
        "book.toml",
        &format!("front = [\"a.md\", \"b.md\"]\n\n[book]\ntitle = \"T\"\nbibliography = \"refs.bib\"\n{extra}"),
    )
    .write("refs.bib", BIB)
    .write(
        "report/a.md",
        "+++\ntitle = \"A\"\n+++\n\nAs argued [@doe2020, p. 12], and @roe2019 agrees; mail me@doe2020.org.\n",
    )
    .write("report/b.md", "+++\ntitle = \"B\"\n+++\n\nAgain [@roe2019; @doe2020].\n");
    r
}

pub(crate) fn epub_text(r: &TestReport) -> String {
    let epub = std::fs::read(r.path().join("build/report.epub")).unwrap();
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(epub)).unwrap();
    let mut all = String::new();
    for i in 0..zip.len() {
        let mut file = zip.by_index(i).unwrap();
        if file.name().ends_with(".xhtml") {
            std::io::Read::read_to_string(&mut file, &mut all).unwrap();
        }
    }
    all
}

#[test]
fn citations_are_formatted_with_a_reference_list_per_article() {
    let r = cite_report("");
    // Citations in the abstract and in nested blocks are formatted too.
    r.write(
        "report/b.md",
        "+++\ntitle = \"B\"\nabstract = \"Summarising [@roe2019].\"\n+++\n\nAgain [@roe2019; @doe2020].\n\n> - Quoted @doe2020.\n",
    );
    let run = r.run(&["build", "--emit-typst"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let typ = std::fs::read_to_string(r.path().join("build/report.typ")).unwrap();
    assert!(typ.contains("Summarising \\(Roe, 2019\\)"), "{typ}");
    assert!(typ.contains("Quoted Doe \\(2020\\)") || typ.contains("Quoted \\(Doe, 2020\\)"), "{typ}");
    assert!(typ.contains("As argued \\(Doe, 2020, p\\. 12\\)"), "{typ}");
    assert!(typ.contains("Roe, 2019"), "{typ}");
    assert!(typ.contains("me\\@doe2020\\.org"), "an e-mail address is not a citation: {typ}");
    assert_eq!(typ.matches("#heading(level: 3)[References]").count(), 2, "{typ}");
    assert!(typ.contains("Doe, J\\. \\(2020\\)\\. #emph[Ledgers and Law];"), "{typ}");
    let xhtml = epub_text(&r);
    assert!(xhtml.contains("As argued (Doe, 2020, p. 12)"), "the EPUB has the same citation");
    assert!(xhtml.contains("<em>Ledgers and Law</em>"), "the EPUB has the reference list");
    let Some(text) = pdf_text(&r.pdf(), "citations_are_formatted_with_a_reference_list_per_article") else { return };
    assert!(squash(&text).contains(&squash("As argued (Doe, 2020, p. 12)")), "{text}");
}

#[test]
fn citations_with_one_list_at_the_end_and_a_numeric_style() {
    let r = cite_report("\n[bibliography]\nstyle = \"ieee\"\nplacement = \"end\"\ntitle = \"Bibliography\"\n");
    let run = r.run(&["build", "--format", "pdf", "--emit-typst"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let typ = std::fs::read_to_string(r.path().join("build/report.typ")).unwrap();
    assert_eq!(typ.matches("[Bibliography]").count(), 1, "{typ}");
    assert!(typ.find("[Bibliography]").unwrap() > typ.find("Again").unwrap(), "the list closes the report");
    assert!(typ.contains("\\[1\\]") && typ.contains("\\[2\\]"), "numeric citations: {typ}");
}

#[test]
fn unknown_citation_key_is_reported_at_its_line() {
    let r = cite_report("");
    r.write("report/b.md", "+++\ntitle = \"B\"\n+++\n\nText.\n\nAgain [@nobody2000].\n");
    let run = r.run(&["check"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stderr.contains("warning[unknown-citation]: citation of unknown key `nobody2000`"), "{}", run.stderr);
    let run = r.run(&["check", "--deny", "unknown-citation"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(run.stderr.contains("error[unknown-citation]: citation of unknown key `nobody2000`"), "{}", run.stderr);
    assert!(run.stderr.contains("report/b.md:7"), "{}", run.stderr);
    let r = cite_report("\n[bibliography]\nstyle = \"no-such-style\"\n");
    let run = r.run(&["check"]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(run.stderr.contains("unknown citation style `no-such-style`"), "{}", run.stderr);
}

#[test]
fn math_typesets_under_pdf_ua_with_its_latex_as_alt_text() {
    let r = TestReport::new();
    r.with_styles();
    r.write(
        "book.toml",
        "front = [\"m.md\"]\n\n[book]\ntitle = \"T\"\n\n[build.pdf]\nstandards = [\"a-2b\", \"ua-1\"]\n",
    )
    .write("report/m.md", "+++\ntitle = \"M\"\n+++\n\nInline $\\frac{a}{b}$.\n\n$$\n\\sum_{i=0}^n i\n$$\n");
    let run = r.run(&["build", "--format", "pdf", "--emit-typst"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let typ = std::fs::read_to_string(r.path().join("build/report.typ")).unwrap();
    assert!(typ.contains("#math.equation(block: false, alt: \"\\\\frac{a}{b}\", $frac(a ,b )$.body);"), "{typ}");
    let Some(text) = pdf_text(&r.pdf(), "math_typesets_under_pdf_ua_with_its_latex_as_alt_text") else { return };
    assert!(text.contains('∑'), "{text}");
}

/// The LaTeX authors write in proposals typesets, with no warning: the
/// commands whose Typst names changed and the template's helpers for the
/// ones Typst lacks (each one called, so a helper that fails is found);
/// a call with a missing argument falls back to its source and the report
/// still builds.
#[test]
fn latex_as_proposals_write_it_typesets() {
    let formulas = [
        r"\partial_t u = \hbar \nabla^2 u",
        r"A \cap B \bigcap C \sqcap D",
        r"\langle x, y \rangle",
        r"\dfrac{a}{b} + \tfrac{1}{2} + \cfrac{1}{1+x} + \dbinom{n}{k} + \tbinom{n}{k}",
        r"a \equiv b \pmod{n} \pod{m}",
        r"\bra{\psi} \ket{\phi} \braket{\psi|\phi} \Bra{a} \Ket{b} \Braket{c}",
        r"f: A \xmapsto{g} B \xleftrightarrow{h} C \xRightarrow{i} D \xhookrightarrow{j} E \xlongequal{k} F",
        r"\argmin_x f(x) + \argmax_y g(y) + \plim x_n",
        r"\varGamma \varDelta \varTheta \varLambda \varXi \varPi \varSigma \varUpsilon \varPhi \varPsi \varOmega",
        r"\mathop{T} \mathbin{\star} \mathrel{R} \mathord{o} \mathopen{(} \mathclose{)} \mathpunct{,} \mathinner{x}",
        r"x \hspace{1cm} y \enspace z \negthinspace w \hphantom{ab} \vphantom{b}",
        r"\xcancel{abc} \bcancel{d} \fbox{e} \overleftrightarrow{AB} \mathring{A} \underbar{x} \overgroup{xy}",
        r"{a \brace b} {a \brack b} {a \atop b} \smallint \thicksim \thickapprox",
        r"a \vDash b \trianglelefteq c \LaTeX \KaTeX \hspace*{2em} d",
        r"{\bf x} \sf{y}{z} \color{red}{a}{b}",
    ];
    let mut md = String::from("+++\ntitle = \"M\"\n+++\n\n");
    for f in formulas {
        md.push_str(&format!("Inline ${f}$.\n\n$$\n{f}\n$$\n\n"));
    }
    let r = TestReport::new();
    r.write("book.toml", "front = [\"m.md\"]\n\n[book]\ntitle = \"T\"\n").write("report/m.md", &md);
    let run = r.run(&["build", "--format", "pdf"]);
    assert_eq!((run.code, run.stderr.as_str()), (0, ""), "every formula typesets without a warning");
    if let Some(text) = pdf_text(&r.pdf(), "latex_as_proposals_write_it_typesets") {
        // Typst sets ∂ and ħ as math italic.
        for symbol in ['𝜕', 'ℏ', '∩', '⟨', '⟩', '↦', '⊨', '⊴'] {
            assert!(text.contains(symbol), "no {symbol} in {text}");
        }
    }
    // A missing argument: the source in code type, a warning, and the report.
    r.write("report/m.md", "# M\n\nA fraction $\\frac{a}$ and $\\dfrac{1}{2}$.\n");
    let run = r.run(&["build", "--format", "pdf"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stderr.contains(
            "warning[unknown-math]: cannot typeset the math `\\frac{a}`: it converts to Typst math that gives `frac` 1 \
             argument where it takes 2"
        ),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("report/m.md:3:12"), "{}", run.stderr);
}

/// Formulas are MathML in the EPUB and on the web (typst's own HTML export
/// of the math the PDF typesets), with the LaTeX as `alttext`, declared in
/// the package and in the accessibility metadata; a formula typst cannot
/// write keeps its LaTeX in code type. The EPUB stays valid.
#[test]
fn formulas_are_mathml_in_the_epub_and_on_the_web() {
    const TEST: &str = "formulas_are_mathml_in_the_epub_and_on_the_web";
    let r = TestReport::new();
    r.write("book.toml", "front = [\"m.md\"]\n\n[book]\ntitle = \"T\"\n\n[build]\nformats = [\"epub\", \"html\"]\n")
        .write(
            "report/m.md",
            "# M\n\nInline $\\dfrac{a}{b} < \\langle x \\rangle$ and a display formula:\n\n\
             $$\\sum_{i=0}^n i = \\frac{n(n+1)}{2}$$\n\n```math\nE = mc^2\n```\n\nAnd $\\frac{a}$, which falls back.\n\n\
             ## $x^2$\n\n| $x_0$ | Value |\n|---|---|\n| $1$ | one |\n",
        );
    let run = r.run(&["build"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let xhtml = epub_text(&r);
    let alt = "<math xmlns=\"http://www.w3.org/1998/Math/MathML\" alttext=\"\\dfrac{a}{b} &lt; \\langle x \\rangle\">";
    assert!(xhtml.contains(alt), "{xhtml}");
    assert!(xhtml.contains("<mstyle displaystyle=\"true\"><mfrac>") && xhtml.contains(">⟨</mo>"), "{xhtml}");
    assert!(xhtml.contains("alttext=\"\\sum_{i=0}^n i = \\frac{n(n+1)}{2}\" display=\"block\">"), "{xhtml}");
    assert!(
        xhtml.contains("<p class=\"math\"><math xmlns=\"http://www.w3.org/1998/Math/MathML\" alttext=\"E = mc^2\""),
        "{xhtml}"
    );
    assert!(xhtml.contains("<code class=\"tex\">\\frac{a}</code>"), "the fallback: {xhtml}");
    // Checkers find no text in MathML: a heading of math alone is named by
    // its LaTeX, and a header cell of math alone keeps its LaTeX.
    assert!(xhtml.contains("aria-label=\"x^2\"><math xmlns="), "{xhtml}");
    assert!(xhtml.contains("<th scope=\"col\"><code class=\"tex\">x_0</code></th>"), "{xhtml}");
    assert!(xhtml.contains("<td><math xmlns=\"http://www.w3.org/1998/Math/MathML\" alttext=\"1\">"), "{xhtml}");
    let epub = std::fs::read(r.path().join("build/report.epub")).unwrap();
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(epub)).unwrap();
    let mut opf = String::new();
    std::io::Read::read_to_string(&mut zip.by_name("OEBPS/content.opf").unwrap(), &mut opf).unwrap();
    assert!(opf.contains("href=\"m.xhtml\" properties=\"mathml\"/>"), "{opf}");
    assert!(opf.contains("<meta property=\"schema:accessibilityFeature\">MathML</meta>"), "{opf}");
    assert!(
        opf.contains("Mathematical formulas are in MathML, with their LaTeX source as alternative text, but for 1"),
        "{opf}"
    );
    let site = std::fs::read_to_string(r.path().join("build/html/m.html")).unwrap();
    assert!(site.contains(alt) && site.contains("<code class=\"tex\">\\frac{a}</code>"), "{site}");
    if let Some(out) = crate::epub::epubcheck(&r.path().join("build/report.epub"), TEST) {
        crate::epub::assert_clean(TEST, &out);
    }
}

#[test]
fn session_report_fact_box_in_pdf_and_epub() {
    let r = TestReport::sample();
    let run = r.run(&["build", "--format", "pdf", "--format", "epub"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let xhtml = epub_text(&r);
    assert!(xhtml.contains("<table class=\"fact-box\">"), "the EPUB has the fact box");
    assert!(xhtml.contains("<th scope=\"row\">Rapporteur</th><td>Carla L. Reyes"), "the EPUB has the fact box");
    assert!(xhtml.contains("Walid Al-Saqaf, <em>Internet Society</em>"), "speakers with affiliations");
    let Some(text) = pdf_text(&r.pdf(), "session_report_fact_box_in_pdf_and_epub") else { return };
    let text = squash(&text);
    assert!(text.contains(&squash("Walid Al-Saqaf, Internet Society")), "the PDF has the fact box");
}

#[test]
fn a_glossary_placed_before_the_articles_still_lists_their_pages() {
    let r = glossary_report("first-use");
    r.write(
        "book.toml",
        "front = [\"glossary.md\", \"a.md\"]\n\n[book]\ntitle = \"T\"\n\n[glossary]\nlink = \"first-use\"\n",
    );
    let run = r.run(&["build", "--format", "pdf", "--emit-typst"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let typ = std::fs::read_to_string(r.path().join("build/report.typ")).unwrap();
    // The glossary comes first in the source, and lists the later links.
    let pages = typ.find("#glossary-pages((<glref-a-").expect("the glossary lists the article's links");
    let link = typ.find("]<glref-a-1>").expect("the article's first link to the glossary");
    assert!(pages < link, "{typ}");
    let Some(text) = pdf_text(&r.pdf(), "a_glossary_placed_before_the_articles_still_lists_their_pages") else {
        return;
    };
    assert!(squash(&text).contains(&squash("Code that runs. Page")), "{text}");
}
