//! Markdown text is data, never Typst code: every character Typst reads as
//! markup comes out of the typeset document exactly as written.

use coala_report::fsutil::Root;
use coala_report::output::pdf::{ReportWorld, document_text};
use coala_report::output::typst::escape;
use proptest::prelude::*;

use crate::harness::{TestReport, is_ignorable, is_rtl, pdf_text, squash, visible};

/// (markdown source, the text it means). Each is its own paragraph.
pub const NASTY: &[(&str, &str)] = &[
    ("#set text(red)", "#set text(red)"),
    ("#read(\"/etc/passwd\")", "#read(\"/etc/passwd\")"),
    ("#import \"x.typ\": *", "#import \"x.typ\": *"),
    ("#{1 + 1} and #let x = 1", "#{1 + 1} and #let x = 1"),
    ("\\$x + y\\$ is not math", "$x + y$ is not math"),
    ("\\*not bold\\* and \\_not emph\\_", "*not bold* and _not emph_"),
    ("\\`not raw\\`", "`not raw`"),
    ("@label and \\<label\\>", "@label and <label>"),
    ("\\[brackets\\] and back\\\\slash", "[brackets] and back\\slash"),
    ("\\~tilde\\~ a -- b --- c", "~tilde~ a -- b --- c"),
    ("wait... a // b /* c */", "wait... a // b /* c */"),
    ("\"double\" and 'single' quotes", "\"double\" and 'single' quotes"),
    ("= not a heading", "= not a heading"),
    ("\\- not a list", "- not a list"),
    ("\\+ not an enum", "+ not an enum"),
    ("/ not a term: x", "/ not a term: x"),
    ("1\\. not numbered", "1. not numbered"),
    ("{braces} (parens); semi", "{braces} (parens); semi"),
    ("-1 and -? and 10 > 5 < 7", "-1 and -? and 10 > 5 < 7"),
    ("C# and F# cost US$ 10", "C# and F# cost US$ 10"),
    ("http\\://example.org/a_b", "http://example.org/a_b"),
];

#[test]
fn nasty_cases_escape_to_themselves_in_the_pdf() {
    let report = TestReport::new();
    report.with_styles();
    let mut md = String::from("+++\ntitle = \"Nasty\"\n+++\n\n");
    for (i, (source, _)) in NASTY.iter().enumerate() {
        md.push_str(&format!("Case {i}: {source}\n\n"));
    }
    md.push_str("```#set text(red) {x}\ncode with info string\n```\n");
    report.write("book.toml", "front = [\"nasty.md\"]\n[book]\ntitle = \"Escaping\"\n").write("report/nasty.md", &md);
    report.build_pdf();
    let Some(text) = pdf_text(&report.pdf(), "nasty_cases_escape_to_themselves_in_the_pdf") else { return };
    let squashed = squash(&text);
    for (i, (_, expected)) in NASTY.iter().enumerate() {
        let needle = squash(&format!("Case {i}: {expected}"));
        assert!(squashed.contains(&needle), "case {i} `{expected}` is not in the PDF text:\n{text}");
    }
    assert!(squashed.contains("codewithinfostring"));
    assert!(!squashed.contains("#settext(red){x}"), "the info string is not printed");
}

/// A minimal document around escaped text, typeset in a real World.
fn typeset_text(text: &str) -> String {
    let dir = tempfile::tempdir().unwrap();
    let root = Root::new(dir.path()).unwrap();
    let mut world = ReportWorld::new(&root, None);
    let source = format!("#set text(hyphenate: false)\n#set page(width: 30cm, height: auto)\n{}\n", escape(text));
    world.set_main(&source);
    let document = typst::compile::<typst_layout::PagedDocument>(&world)
        .output
        .unwrap_or_else(|e| panic!("escaped text did not compile: {e:?}\nsource: {source}"));
    document_text(&document)
}

fn tricky_char() -> impl Strategy<Value = char> {
    prop_oneof![
        4 => prop::sample::select(vec![
            '\\', '#', '$', '*', '_', '`', '@', '<', '>', '[', ']', '~', '=', '-', '+', '/', '\'', '"', '.', ':',
            ';', '(', ')', '{', '}', '1', 'h', 't', 'p', 's', ' ', ' ', 'a', 'u', '%', '&', '!', '?', '^', '|',
        ]),
        1 => prop::sample::select(vec!['é', 'ß', 'Ω', 'ж', 'م', 'ש', '中', '語', '한', '🙂', '\u{a0}', '…', '“', '’']),
        1 => any::<char>().prop_filter("printable", |c| !c.is_control() && !c.is_whitespace() && !is_ignorable(*c)),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: std::env::var("PROPTEST_CASES").ok().and_then(|s| s.parse().ok()).unwrap_or(256),
        failure_persistence: None,
        .. ProptestConfig::default()
    })]

    /// Any text, escaped, compiles and typesets to exactly itself.
    #[test]
    fn escaped_text_typesets_to_itself(chars in prop::collection::vec(tricky_char(), 1..60)) {
        let text: String = chars.into_iter().collect();
        let typeset = typeset_text(&text);
        let mut want = visible(&text);
        let mut got = visible(&typeset);
        // Right-to-left runs are laid out in visual order: compare what was
        // typeset, not the order, when the text has any.
        if want.iter().any(|&c| is_rtl(c)) {
            want.sort_unstable();
            got.sort_unstable();
        }
        prop_assert_eq!(got.into_iter().collect::<String>(), want.into_iter().collect::<String>());
    }
}

/// Failures the property test found, kept as fixed cases.
#[test]
fn regressions() {
    for text in ["http://x", "-1", "--", "...", "1. a", "a\\", "\\u{41}", "//", "/*", "'a'", "#(", "~", "h\u{300}"] {
        let got: String = typeset_text(text).chars().filter(|c| !c.is_whitespace()).collect();
        let want: String = text.chars().filter(|c| !c.is_whitespace()).collect();
        assert_eq!(got, want, "{text:?}");
    }
}
