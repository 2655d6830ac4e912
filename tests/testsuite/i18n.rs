//! International editions: every script typesets with the fonts a report
//! names, missing glyphs are warnings at their markdown line, furniture is
//! in the report's language, right-to-left text runs right to left in the
//! PDF's layout and is marked `dir="rtl"` in the EPUB.

use std::path::Path;

use coala_report::input;
use coala_report::output;
use coala_report::output::fonts::{self, FontConfig};
use coala_report::output::pdf::{ReportWorld, document_text, typeset};
use coala_report::passes;
use typst::layout::{Frame, FrameItem, Point};
use typst_layout::PagedDocument;

use crate::harness::{TestReport, say};

/// Debian's fonts-noto-core and fonts-wqy-microhei (installed by .ci/run).
const NOTO: &str = "/usr/share/fonts/truetype/noto";
const WQY: &str = "/usr/share/fonts/truetype/wqy";

/// Whether the Debian fonts are installed: a loud skip locally, a failure in CI.
fn require_fonts(test: &str) -> bool {
    let found = Path::new(NOTO).is_dir() && Path::new(WQY).is_dir();
    if !found {
        if std::env::var_os("CI").is_some() {
            panic!("{test}: fonts-noto-core and fonts-wqy-microhei are required in CI (.ci/run installs them)");
        }
        say(&format!("SKIPPED {test}: apt-get install fonts-noto-core fonts-wqy-microhei"));
    }
    found
}

/// One paragraph in each of the six UN languages (line 5 is Arabic, line 7
/// Chinese).
const SIX: &str = "+++\ntitle = \"Six languages\"\n+++\n\n\
العملات المشفرة وتقنية سلسلة الكتل في حوكمة الإنترنت.\n\n\
区块链技术与互联网治理。\n\n\
Blockchain technologies and Internet governance.\n\n\
Les technologies de la chaîne de blocs et la gouvernance de l’Internet.\n\n\
Технологии блокчейна и управление интернетом.\n\n\
Las tecnologías de cadena de bloques y la gobernanza de Internet.\n";

fn six_languages(font_paths: &str) -> TestReport {
    let report = TestReport::new();
    report.with_styles();
    report
        .write(
            "book.toml",
            &format!("front = [\"six.md\"]\n[book]\ntitle = \"International\"\n[build]\nfont-paths = {font_paths}\n"),
        )
        .write("report/six.md", SIX);
    report
}

/// `build --json`: the run and its warnings.
fn build_json(report: &TestReport, args: &[&str]) -> (i32, Vec<serde_json::Value>, String) {
    let mut all = vec!["--json", "build"];
    all.extend(args);
    let run = report.run(&all);
    let json: serde_json::Value = serde_json::from_str(&run.stdout).unwrap_or_else(|e| panic!("{e}: {}", run.stdout));
    (run.code, json["warnings"].as_array().cloned().unwrap_or_default(), run.stderr)
}

#[test]
fn six_un_languages_typeset_every_glyph_with_noto_fonts() {
    if !require_fonts("six_un_languages_typeset_every_glyph_with_noto_fonts") {
        return;
    }
    let report = six_languages(&format!("[\"{NOTO}\", \"{WQY}\"]"));
    let (code, warnings, stderr) = build_json(&report, &["--format", "pdf"]);
    assert_eq!(code, 0, "{stderr}");
    assert!(warnings.is_empty(), "no warning expected, got {warnings:#?}");

    // typst's layout used a font for every character: each glyph is a real
    // one (id 0 is .notdef, the empty box).
    let (document, _) = typeset_report(report.path(), &[NOTO, WQY]);
    let mut notdef = Vec::new();
    for page in document.pages() {
        glyphs(&page.frame, Point::zero(), &mut |item, _, glyph| {
            if glyph.id == 0 {
                notdef.push(item.text[glyph.range()].to_string());
            }
        });
    }
    assert!(notdef.is_empty(), "characters typeset as .notdef: {notdef:?}");
    let text = document_text(&document);
    for needle in ["区块链", "العملات", "Технологии", "chaîne", "gobernanza"] {
        assert!(text.contains(needle), "`{needle}` not typeset:\n{text}");
    }
}

/// A line of Amharic (Ethiopic script, which no embedded font has), the
/// article's line 17.
const ETHIOPIC: &str = "\nሰላም ለዓለም።\n";

#[test]
fn a_character_no_font_has_is_a_warning_naming_file_line_and_character() {
    let report = six_languages("[]");
    report.write("report/six.md", &format!("{SIX}{ETHIOPIC}"));
    let (code, warnings, stderr) = build_json(&report, &["--format", "pdf"]);
    assert_eq!(code, 0, "{stderr}");
    let find = |c: &str| {
        warnings
            .iter()
            .find(|w| w["message"].as_str().unwrap().contains(c))
            .unwrap_or_else(|| panic!("no warning for {c}: {warnings:#?}"))
    };
    let amharic = find("U+1230 `ሰ`");
    assert_eq!(amharic["file"], "report/six.md");
    assert_eq!(amharic["line"], 17);
    assert_eq!(find("U+1362 `።`")["line"], 17);
    // The hint names the Debian package and the `font-paths` line.
    let hint = amharic["hint"].as_str().unwrap();
    assert!(hint.contains("a font for the Ethiopic script"), "{hint}");
    assert!(hint.contains("apt-get install fonts-noto-core"), "{hint}");
    assert!(hint.contains("font-paths = [\"/usr/share/fonts/truetype/noto\"]"), "{hint}");
    // Once per character and article; Latin, Cyrillic, Greek, Arabic and
    // Chinese are embedded.
    assert_eq!(warnings.iter().filter(|w| w["message"].as_str().unwrap().contains("U+1230")).count(), 1);
    let cjk: &[&str] = if cfg!(feature = "cjk-fonts") { &["U+533A", "U+3002"] } else { &[] };
    for embedded in ["U+0627", "U+0422"].iter().chain(cjk) {
        assert!(
            !warnings.iter().any(|w| w["message"].as_str().unwrap().contains(embedded)),
            "{embedded}: {warnings:#?}"
        );
    }
    assert!(stderr.contains("report/six.md:17"), "{stderr}");
    assert!(stderr.contains("--system-fonts"), "the hint says how to add fonts: {stderr}");

    // A Chinese report: its headings ("目录") are in the embedded CJK face.
    let report = TestReport::new();
    report.with_styles();
    report
        .write("book.toml", "front = [\"a.md\"]\n[book]\ntitle = \"Report\"\nlanguage = \"zh\"\n")
        .write("report/a.md", "+++\ntitle = \"A\"\n+++\n\nText.\n");
    let (code, warnings, _) = build_json(&report, &["--format", "pdf"]);
    assert_eq!(code, 0);
    let furniture = warnings.iter().find(|w| w["message"].as_str().unwrap().contains("U+76EE `目`"));
    assert_eq!(furniture.is_some(), !cfg!(feature = "cjk-fonts"), "{warnings:#?}");

    // A missing font folder is a warning too.
    let report = six_languages("[\"/nonexistent/fonts\"]");
    let (code, warnings, _) = build_json(&report, &["--format", "pdf"]);
    assert_eq!(code, 0);
    assert!(warnings.iter().any(|w| w["message"].as_str().unwrap().contains("`/nonexistent/fonts` does not exist")));
}

/// The fonts a PDF embeds (`pdffonts`), or `None` without it.
fn pdf_fonts(pdf: &Path, test: &str) -> Option<String> {
    if !crate::harness::require_tool("pdffonts", test) {
        return None;
    }
    let out = std::process::Command::new("pdffonts").arg(pdf).output().unwrap();
    assert!(out.status.success(), "pdffonts failed: {}", String::from_utf8_lossy(&out.stderr));
    Some(String::from_utf8(out.stdout).unwrap())
}

#[cfg(feature = "cjk-fonts")]
#[test]
fn six_un_languages_typeset_with_the_embedded_fonts_alone() {
    // No `font-paths`, no `--system-fonts`: what a fresh machine has.
    let report = six_languages("[]");
    let (code, warnings, stderr) = build_json(&report, &["--format", "pdf"]);
    assert_eq!(code, 0, "{stderr}");
    assert!(warnings.is_empty(), "no missing-glyph or font-fallback expected, got {warnings:#?}");

    let (document, loaded) = typeset_report(report.path(), &[]);
    let mut notdef = Vec::new();
    for page in document.pages() {
        glyphs(&page.frame, Point::zero(), &mut |item, _, glyph| {
            if glyph.id == 0 {
                notdef.push(item.text[glyph.range()].to_string());
            }
        });
    }
    assert!(notdef.is_empty(), "characters typeset as .notdef: {notdef:?}");
    // Each script in a face made for it.
    let scripts = fonts::scripts(&document);
    let family = |script: &str| {
        scripts.iter().filter(|u| u.script.full_name() == script).map(|u| u.family.as_str()).collect::<Vec<_>>()
    };
    assert_eq!(family("Arabic"), ["Noto Naskh Arabic"], "{scripts:#?}");
    assert_eq!(family("Han"), ["Noto Serif CJK SC"], "{scripts:#?}");
    assert_eq!(family("Cyrillic"), ["Libertinus Serif"], "{scripts:#?}");
    assert!(fonts::fallbacks(&scripts, &loaded.report).is_empty());

    let pdf = report.path().join("build/report.pdf");
    if let Some(fonts) = pdf_fonts(&pdf, "six_un_languages_typeset_with_the_embedded_fonts_alone") {
        for face in ["NotoNaskhArabic-Regular", "NotoSerifCJKsc-Regular", "LibertinusSerif-Regular"] {
            assert!(
                fonts.lines().any(|l| l.contains(face) && l.contains(" yes yes ")),
                "{face} not embedded:\n{fonts}"
            );
        }
    }
}

#[test]
fn a_script_set_in_the_code_font_is_a_font_fallback_until_a_font_is_added() {
    // Lao: only DejaVu Sans Mono, the code font, has its letters.
    let report = TestReport::new();
    report.with_styles();
    report
        .write("book.toml", "front = [\"a.md\"]\n[book]\ntitle = \"Report\"\n")
        .write("report/a.md", "+++\ntitle = \"A\"\n+++\n\nIn Lao:\nພາສາລາວ and `كود عربي`.\n");
    let (code, warnings, stderr) = build_json(&report, &["--format", "pdf"]);
    assert_eq!(code, 0, "{stderr}");
    let fallbacks: Vec<_> = warnings.iter().filter(|w| w["name"] == "font-fallback").collect();
    assert_eq!(fallbacks.len(), 1, "one script falls back (Arabic in code is Naskh): {warnings:#?}");
    let message = fallbacks[0]["message"].as_str().unwrap();
    assert!(message.contains("Lao text (`ພາສາລາວ"), "{message}");
    assert!(message.contains("DejaVu Sans Mono (the code font)"), "{message}");
    assert_eq!((fallbacks[0]["file"].as_str(), fallbacks[0]["line"].as_u64()), (Some("report/a.md"), Some(6)));
    let hint = fallbacks[0]["hint"].as_str().unwrap();
    assert!(hint.contains("apt-get install fonts-noto-core") && hint.contains("styles/fonts/"), "{hint}");

    // `--verbose` says which font sets which script.
    let run = report.run(&["build", "--verbose", "--format", "pdf"]);
    assert!(run.stderr.contains("Lao in DejaVu Sans Mono"), "{}", run.stderr);
    assert!(run.stderr.contains("Arabic in Noto Naskh Arabic"), "{}", run.stderr);

    // A Lao font in styles/fonts/: no warning.
    if !require_fonts("a_script_set_in_the_code_font_is_a_font_fallback_until_a_font_is_added") {
        return;
    }
    std::fs::create_dir_all(report.path().join("styles/fonts")).unwrap();
    std::fs::copy(
        Path::new(NOTO).join("NotoSansLao-Regular.ttf"),
        report.path().join("styles/fonts/NotoSansLao-Regular.ttf"),
    )
    .unwrap();
    let (code, warnings, stderr) = build_json(&report, &["--format", "pdf"]);
    assert_eq!(code, 0, "{stderr}");
    assert!(warnings.is_empty(), "{warnings:#?}");
}

#[test]
fn fonts_in_styles_fonts_are_used() {
    if !require_fonts("fonts_in_styles_fonts_are_used") {
        return;
    }
    let report = six_languages("[]");
    std::fs::create_dir_all(report.path().join("styles/fonts")).unwrap();
    std::fs::copy(Path::new(WQY).join("wqy-microhei.ttc"), report.path().join("styles/fonts/wqy-microhei.ttc"))
        .unwrap();
    let (code, warnings, stderr) = build_json(&report, &["--format", "pdf"]);
    assert_eq!(code, 0, "{stderr}");
    assert!(warnings.is_empty(), "{warnings:#?}");
}

/// Loads, emits and typesets a report in a world with the given font folders.
fn typeset_report(root: &Path, font_paths: &[&str]) -> (PagedDocument, input::Loaded) {
    let loaded = passes::load(root, None).unwrap_or_else(|d| panic!("{d:#?}"));
    let config = FontConfig { paths: font_paths.iter().map(|s| s.to_string()).collect(), system: false };
    let (store, _) = fonts::store(&loaded.root, &config);
    let emitted = output::typst::emit(
        &loaded.report,
        &loaded.manifest,
        loaded.manifest.build.style.as_deref().unwrap_or(coala_report::config::DEFAULT_STYLE),
    );
    let mut world = ReportWorld::new(&loaded.root, None).with_fonts(store);
    world.set_emitted(&emitted);
    let typeset = typeset(&world, &emitted).unwrap_or_else(|d| panic!("{d:#?}"));
    (typeset.document, loaded)
}

/// Calls `f` with every glyph and its absolute x position.
fn glyphs(frame: &Frame, origin: Point, f: &mut dyn FnMut(&typst::text::TextItem, f64, &typst::text::Glyph)) {
    for (pos, item) in frame.items() {
        let at = origin + *pos;
        match item {
            FrameItem::Group(group) => glyphs(&group.frame, at + Point::zero(), f),
            FrameItem::Text(text) => {
                let mut x = at.x.to_pt();
                for glyph in &text.glyphs {
                    f(text, x, glyph);
                    x += glyph.x_advance.at(text.size).to_pt();
                }
            }
            _ => {}
        }
    }
}

#[test]
fn right_to_left_text_is_laid_out_right_to_left() {
    if !require_fonts("right_to_left_text_is_laid_out_right_to_left") {
        return;
    }
    let report = TestReport::new();
    report.with_styles();
    report
        .write("book.toml", "front = [\"ar.md\"]\n[book]\ntitle = \"RTL\"\n")
        .write("report/ar.md", "+++\ntitle = \"تقرير\"\nlanguage = \"ar\"\n+++\n\nأول كلمة ثم COALA ثم آخر\n");
    let (document, _) = typeset_report(report.path(), &[NOTO]);
    // The x of the first glyph of each word of the paragraph.
    let mut first_x = std::collections::HashMap::new();
    for page in document.pages() {
        glyphs(&page.frame, Point::zero(), &mut |item, x, glyph| {
            let range = glyph.range();
            let start = item.text[..range.start].rfind(' ').map_or(0, |i| i + 1);
            let word = item.text[start..].split(' ').next().unwrap().to_string();
            first_x.entry(word).and_modify(|v: &mut (f64, f64)| *v = (v.0.min(x), v.1.max(x))).or_insert((x, x));
        });
    }
    let at = |w: &str| *first_x.get(w).unwrap_or_else(|| panic!("`{w}` not typeset: {first_x:?}"));
    let (first, coala, last) = (at("أول"), at("COALA"), at("آخر"));
    // Logical order first → COALA → last runs right to left on the line...
    assert!(first.0 > coala.1 && coala.0 > last.1, "not right to left: {first:?} {coala:?} {last:?}");
    // ...while the Latin word inside keeps its left-to-right letters.
    let mut latin = Vec::new();
    for page in document.pages() {
        glyphs(&page.frame, Point::zero(), &mut |item, x, glyph| {
            if item.text.contains("COALA") || item.text.as_str() == "COALA" {
                latin.push((item.text[glyph.range()].to_string(), x));
            }
        });
    }
    let c = latin.iter().find(|(s, _)| s == "C").map(|p| p.1);
    let l = latin.iter().find(|(s, _)| s == "L").map(|p| p.1);
    assert!(c.is_some() && l.is_some() && c < l, "COALA reversed: {latin:?}");

    // An Arabic paragraph in an English article runs right to left too: its
    // final full stop is at the left end of the line.
    let report = TestReport::new();
    report.with_styles();
    report
        .write("book.toml", "front = [\"en.md\"]\n[book]\ntitle = \"Mixed\"\n")
        .write("report/en.md", "+++\ntitle = \"English\"\n+++\n\nEnglish first.\n\nمرحبا بالعالم.\n");
    let (document, loaded) = typeset_report(report.path(), &[NOTO]);
    let mut stop = None;
    let mut word = None;
    for page in document.pages() {
        glyphs(&page.frame, Point::zero(), &mut |item, x, glyph| {
            // The full stop may be a run of its own (a Latin font has it).
            let s = &item.text[glyph.range()];
            if s == "." && !item.text.chars().any(|c| c.is_ascii_alphabetic()) {
                stop = Some(x);
            } else if item.text.starts_with("مرحبا") && glyph.range().start == 0 {
                word = Some(x);
            }
        });
    }
    assert!(stop.is_some() && word.is_some() && stop < word, "full stop {stop:?}, first letter {word:?}");
    let emitted = output::typst::emit(&loaded.report, &loaded.manifest, "styles/report.typ");
    assert!(emitted.source.contains("#[#set text(dir: rtl)\nمرحبا"), "{}", emitted.source);
}

#[test]
fn furniture_is_in_the_report_language() {
    let report = TestReport::new();
    report.with_styles();
    report
        .write(
            "book.toml",
            "front = [\"a.md\"]\nback = [\"contributors.md\"]\n[[part]]\ntitle = \"Uno\"\narticles = [\"b.md\"]\n\
             [book]\ntitle = \"Informe\"\nlanguage = \"es\"\neditors = [\"Ana\", \"Luis\"]\n",
        )
        .write(
            "report/a.md",
            "+++\ntitle = \"Prólogo\"\nkind = \"foreword\"\nabstract = \"Breve.\"\nkeywords = [\"uno\"]\n\
             authors = [\"Ana\"]\n+++\n\nTexto.\n\nTable: Datos.\n\n| a | b |\n|---|---|\n| 1 | 2 |\n",
        )
        .write("report/b.md", "+++\ntitle = \"Artículo\"\nauthors = [\"Luis\"]\n+++\n\nTexto.\n")
        .write("report/contributors.md", "+++\ntitle = \"Colaboradores\"\nkind = \"contributors\"\n+++\n\nGracias.\n");
    let (document, _) = typeset_report(report.path(), &[]);
    let text = document_text(&document).to_lowercase();
    for word in [
        "índice",
        "parte 1",
        "resumen",
        "palabras clave",
        "tabla",
        "autores y sus artículos",
        "edición a cargo de",
        "ana y luis",
    ] {
        assert!(text.contains(word), "`{word}` is not in the PDF:\n{text}");
    }
    for word in ["contents", "abstract", "keywords", "edited by", "authors and their articles"] {
        assert!(!text.contains(word), "English `{word}` in a Spanish report:\n{text}");
    }

    // The EPUB's furniture too.
    let loaded = passes::load(report.path(), None).unwrap();
    let labels = coala_report::words::Labels::for_language("es");
    let entries = coala_report::output::xhtml::toc(&loaded.report, &labels);
    assert!(entries.iter().any(|e| e.title == "Parte 1. Uno"), "{entries:?}");
}

#[test]
fn epub_marks_the_language_and_direction_of_articles() {
    let report = TestReport::new();
    report.with_styles();
    report
        .write("book.toml", "front = [\"en.md\", \"ar.md\"]\n[book]\ntitle = \"Mixed\"\n")
        .write("report/en.md", "+++\ntitle = \"English\"\n+++\n\nText.\n\nنص عربي.\n")
        .write("report/ar.md", "+++\ntitle = \"عربي\"\nlanguage = \"ar\"\n+++\n\nنص عربي.\n");
    let loaded = passes::load(report.path(), None).unwrap();
    let labels = coala_report::words::Labels::for_language("en");
    let images = Default::default();
    let ctx = coala_report::output::xhtml::Context {
        lang: "en",
        labels: &labels,
        images: &images,
        stylesheet: "stylesheet.css",
        pages: None,
        math: None,
    };
    let mut docs = loaded.report.articles().map(|a| coala_report::output::xhtml::article_document(a, &ctx));
    let en = docs.next().unwrap();
    let ar = docs.next().unwrap();
    assert!(en.contains("lang=\"en\" xml:lang=\"en\">"), "{en}");
    assert!(en.contains("<p dir=\"rtl\">نص عربي.</p>"), "{en}");
    assert!(ar.contains("lang=\"ar\" xml:lang=\"ar\" dir=\"rtl\">"), "{ar}");
    assert!(ar.contains("<p>نص عربي.</p>"), "no dir on a paragraph that runs like its document: {ar}");
    roxmltree::Document::parse_with_options(&ar, roxmltree::ParsingOptions { allow_dtd: true, ..Default::default() })
        .unwrap();

    // The whole EPUB builds, and in the PDF the Arabic article is typeset
    // with `lang: "ar"`.
    let run = report.run(&["build", "--format", "epub"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let emitted = output::typst::emit(&loaded.report, &loaded.manifest, "styles/report.typ");
    assert!(emitted.source.contains("  language: \"ar\",\n"), "{}", emitted.source);
}

#[test]
fn the_sample_report_has_a_spanish_edition() {
    let report = TestReport::sample();
    let run = report.run(&["build"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    for file in ["report.pdf", "report.epub", "report.es.pdf", "report.es.epub"] {
        assert!(run.stdout.contains(&format!("wrote build/{file}")), "{file} not written:\n{}", run.stdout);
    }

    // The translated articles replace the originals; the others are the
    // originals, opened by a note in Spanish; the furniture is Spanish.
    let loaded = passes::load(report.path(), Some("es")).unwrap();
    let manifest = &loaded.manifest;
    assert_eq!(manifest.book.language, "es");
    assert_eq!(manifest.build.name.as_deref(), Some("report.es"));
    assert_eq!(loaded.report.parts[0].title.as_deref(), Some("El marco modelo"));
    let foreword = loaded.report.articles().next().unwrap();
    assert_eq!(foreword.path, Path::new("report/es/foreword.md"));
    assert_eq!(foreword.title_text(), "Prólogo");
    let smart = loaded.report.articles().find(|a| a.src_rel == "smart-contracts.md").unwrap();
    assert_eq!(smart.path, Path::new("report/smart-contracts.md"));
    assert_eq!(smart.meta.language.as_deref(), Some("en"));
    let note = coala_report::words::Labels::for_language("es").original_note;
    assert!(coala_report::model::plain_text(&first_paragraph(&smart.blocks[0])).contains(note));

    if let Some(text) = crate::harness::pdf_text(&report.path().join("build/report.es.pdf"), "spanish edition") {
        for needle in ["Índice", "Prólogo", "Parte 1", "Temas clave", note] {
            assert!(text.contains(needle), "`{needle}` is not in the Spanish PDF");
        }
    }
    let epub = report.path().join("build/report.es.epub");
    if let Some(out) = crate::epub::epubcheck(&epub, "the_sample_report_has_a_spanish_edition") {
        crate::epub::assert_clean("Spanish sample", &out);
    }
}

fn first_paragraph(block: &coala_report::model::Block) -> Vec<coala_report::model::Inline> {
    use coala_report::model::BlockKind;
    match &block.kind {
        BlockKind::Callout { blocks, .. } => first_paragraph(&blocks[0]),
        BlockKind::Paragraph(inlines) => inlines.clone(),
        other => panic!("not a note: {other:?}"),
    }
}

#[test]
fn check_finds_missing_glyphs_and_problems_in_translated_editions() {
    // The glyph check runs in `check` too, without typesetting.
    let report = six_languages("[]");
    report.write("report/six.md", &format!("{SIX}{ETHIOPIC}"));
    let run = report.run(&["--json", "check"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let json: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    let warnings = json["warnings"].as_array().unwrap();
    let amharic = warnings
        .iter()
        .find(|w| w["message"].as_str().unwrap().contains("U+1230 `ሰ`"))
        .unwrap_or_else(|| panic!("no glyph warning from check: {warnings:#?}"));
    assert_eq!((amharic["file"].as_str(), amharic["line"].as_u64()), (Some("report/six.md"), Some(17)));
    // ...unless the system's fonts count, as with `build --system-fonts`
    // (the warning stays only if this machine has no Chinese font at all).
    let run = report.run(&["--json", "check", "--system-fonts"]);
    assert_eq!(run.code, 0, "{}", run.stderr);

    // A broken link in a translated article is found by `check`, which
    // before only looked at the original edition.
    let report = TestReport::sample();
    report.write(
        "report/es/foreword.md",
        &std::fs::read_to_string(report.path().join("report/es/foreword.md")).unwrap().replacen(
            "\n\n",
            "\n\nVéase [la sección](policy-analysis.md#no-existe) y @fig-ninguna.\n\n",
            1,
        ),
    );
    let run = report.run(&["check", "--deny-warnings"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(run.stderr.contains("report/es/foreword.md:"), "{}", run.stderr);
    assert!(run.stderr.contains("`policy-analysis.md` has no anchor `#no-existe`"), "{}", run.stderr);
    assert!(run.stderr.contains("no figure is labelled `fig-ninguna`"), "{}", run.stderr);
}

/// The session fact box speaks the edition's language in every output: the
/// Spanish EPUB and the Spanish site print no English heading (they did).
#[test]
fn the_spanish_fact_box_is_in_spanish_in_the_epub_and_on_the_site() {
    let report = TestReport::sample();
    let run = report.run(&["build", "--format", "epub", "--format", "html"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let epub = std::fs::read(report.path().join("build/report.es.epub")).unwrap();
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(epub)).unwrap();
    let name = (0..zip.len())
        .map(|i| zip.by_index(i).unwrap().name().to_string())
        .find(|n| n.ends_with("session-report.xhtml"));
    let mut xhtml = String::new();
    std::io::Read::read_to_string(&mut zip.by_name(&name.expect("the session report")).unwrap(), &mut xhtml).unwrap();
    let site = std::fs::read_to_string(report.path().join("build/html.es/session-report.html")).unwrap();
    for (what, page) in [("EPUB", &xhtml), ("site", &site)] {
        let fact_box = &page[page.find("class=\"fact-box\"").unwrap_or_else(|| panic!("no fact box in the {what}"))..];
        let fact_box = &fact_box[..fact_box.find("</table>").unwrap()];
        for spanish in ["Datos de la sesión", "Sesión", "Organizadores", "Temas clave"] {
            assert!(fact_box.contains(spanish), "{what}: no `{spanish}` in\n{fact_box}");
        }
        for english in ["Session facts", "Organizers", "Key issues", "Rapporteur"] {
            assert!(!fact_box.contains(english), "{what}: `{english}` in\n{fact_box}");
        }
    }
    // The English edition keeps its words.
    let site = std::fs::read_to_string(report.path().join("build/html/session-report.html")).unwrap();
    assert!(site.contains("<caption>Session facts</caption>") && site.contains(">Key issues</th>"), "{site}");
}

/// `--edition` builds exactly the editions asked for, by language, and
/// each edition's artifacts are the same bytes whether it is built alone
/// (one CI job per edition) or with the others.
#[test]
fn one_edition_at_a_time() {
    let report = TestReport::sample();
    let formats = ["--format", "pdf", "--format", "epub", "--format", "html"];
    let run = report.run(&[&["build", "--edition", "es", "--out", "only-es"][..], &formats[..]].concat());
    assert_eq!(run.code, 0, "{}", run.stderr);
    let written = crate::harness::build_listing(&report.path().join("only-es"));
    assert_eq!(written, ["html.es", "report.es.epub", "report.es.pdf"], "{}", run.stdout);
    let run = report.run(&[&["build", "--edition", "en", "--out", "only-en"][..], &formats[..]].concat());
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(crate::harness::build_listing(&report.path().join("only-en")), ["html", "report.epub", "report.pdf"]);
    let run = report.run(&[&["build", "--out", "both"][..], &formats[..]].concat());
    assert_eq!(run.code, 0, "{}", run.stderr);
    for (alone, file) in [
        ("only-es", "report.es.pdf"),
        ("only-es", "report.es.epub"),
        ("only-en", "report.pdf"),
        ("only-en", "report.epub"),
    ] {
        let a = std::fs::read(report.path().join(alone).join(file)).unwrap();
        let b = std::fs::read(report.path().join("both").join(file)).unwrap();
        assert!(a == b, "{file} differs when built alone");
    }
    let a = std::fs::read(report.path().join("only-es/html.es/session-report.html")).unwrap();
    let b = std::fs::read(report.path().join("both/html.es/session-report.html")).unwrap();
    assert!(a == b, "the Spanish site differs when built alone");
    // An edition the report does not have is a usage error naming those it has.
    let run = report.run(&["check", "--edition", "fr"]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(run.stderr.contains("--edition fr: the report has no such edition"), "{}", run.stderr);
    assert!(run.stderr.contains("its editions are en, es"), "{}", run.stderr);
    let run = report.run(&["check", "--edition", "es"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
}

/// Runs git in `dir` (commits as a test author).
fn git(dir: &std::path::Path, args: &[&str]) {
    let status = std::process::Command::new("git")
        .args(["-c", "user.name=Test", "-c", "user.email=test@example.org", "-c", "init.defaultBranch=main"])
        .args(args)
        .current_dir(dir)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .status()
        .unwrap();
    assert!(status.success(), "git {args:?}");
}

/// Editing an original makes its translation stale: `check` and `build`
/// name it, `translations` counts it, `translations diff` shows the
/// paragraphs that changed (from git), and `translations mark` records the
/// review.
#[test]
fn an_edited_original_makes_its_translation_stale() {
    if !crate::harness::require_tool("git", "an_edited_original_makes_its_translation_stale") {
        return;
    }
    let report = TestReport::sample();
    let root = report.path();
    git(root, &["init", "-q"]);
    git(root, &["add", "."]);
    git(root, &["commit", "-q", "-m", "the report"]);
    assert_eq!(report.run(&["check"]).stdout.trim(), "checked: 0 errors, 0 warnings");

    let original = root.join("report/foreword.md");
    let text = std::fs::read_to_string(&original).unwrap();
    let first = text.split("\n\n").nth(2).unwrap().to_string();
    std::fs::write(&original, text.replacen(&first, "A paragraph rewritten after the translation.", 1)).unwrap();
    git(root, &["commit", "-q", "-am", "edit the foreword"]);

    let run = report.run(&["check", "--json"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stderr.contains(
            "warning[stale-translation]: `report/es/foreword.md` translates an older version of `report/foreword.md`"
        ),
        "{}",
        run.stderr
    );
    let summary: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(summary["warnings"][0]["name"], "stale-translation");
    let build = report.run(&["build", "--edition", "es", "--format", "epub"]);
    assert!(build.stderr.contains("warning[stale-translation]"), "{}", build.stderr);

    let status = report.run(&["translations"]);
    assert!(status.stdout.contains("foreword.md                       stale"), "{}", status.stdout);
    assert!(status.stdout.contains("es: 1 current, 1 out of date, 0 unknown, 9 missing;"), "{}", status.stdout);
    let json = report.run(&["translations", "--json"]);
    let value: serde_json::Value = serde_json::from_str(&json.stdout).unwrap();
    assert_eq!(
        (value["editions"][0]["edition"].as_str(), value["editions"][0]["stale"].as_u64()),
        (Some("es"), Some(1))
    );

    let diff = report.run(&["translations", "diff", "es", "foreword.md"]);
    assert_eq!(diff.code, 0, "{}", diff.stderr);
    assert!(diff.stdout.contains(&format!("- {}", first.lines().next().unwrap())), "{}", diff.stdout);
    assert!(diff.stdout.contains("+ A paragraph rewritten after the translation."), "{}", diff.stdout);
    assert_eq!(diff.stdout.matches("\n+ ").count() + usize::from(diff.stdout.starts_with("+ ")), 1, "{}", diff.stdout);

    let mark = report.run(&["translations", "mark", "es", "foreword.md"]);
    assert_eq!((mark.code, mark.stdout.trim()), (0, "marked report/es/foreword.md as current"), "{}", mark.stderr);
    assert_eq!(report.run(&["check"]).stdout.trim(), "checked: 0 errors, 0 warnings");

    // Without git history there is nothing to compare with: said so.
    std::fs::remove_dir_all(root.join(".git")).unwrap();
    std::fs::write(&original, format!("{text}\nOne more paragraph.\n")).unwrap();
    let diff = report.run(&["translations", "diff", "es", "foreword.md"]);
    assert_eq!(diff.code, 1, "{}", diff.stdout);
    assert!(diff.stderr.contains("the report is not a git repository"), "{}", diff.stderr);
    // A translation nothing records is reported once, as of unknown version.
    std::fs::remove_file(root.join("translations.lock")).unwrap();
    let run = report.run(&["check"]);
    assert_eq!(run.stderr.matches("warning[unknown-translation-version]").count(), 2, "{}", run.stderr);
}

/// Every page of the Spanish site links its English page, and every page
/// of the English site its Spanish one (pages are named alike in every
/// edition; an untranslated article is the original's with a note).
#[test]
fn every_page_links_its_counterpart_in_the_other_edition() {
    let report = TestReport::sample();
    let run = report.run(&["build", "--format", "html"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let build = report.path().join("build");
    let pages = |dir: &str| -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(build.join(dir))
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|n| n.ends_with(".html"))
            .collect();
        names.sort();
        names
    };
    let (en, es) = (pages("html"), pages("html.es"));
    assert_eq!(en, es, "the editions' pages differ");
    assert!(en.len() >= 10, "{en:?}");
    for page in &en {
        for (dir, other, lang) in [("html", "html.es", "es"), ("html.es", "html", "en")] {
            let html = std::fs::read_to_string(build.join(dir).join(page)).unwrap();
            let link = format!("<link rel=\"alternate\" hreflang=\"{lang}\" href=\"../{other}/{page}\"/>");
            assert!(html.contains(&link), "{dir}/{page} lacks {link}");
            assert!(
                html.contains(&format!("href=\"../{other}/{page}\" hreflang=\"{lang}\"")),
                "{dir}/{page}: no switcher"
            );
        }
    }
    // An article not translated is the original's, with the note.
    let untranslated = std::fs::read_to_string(build.join("html.es/smart-contracts.html")).unwrap();
    assert!(untranslated.contains("Este artículo aún no se ha traducido"), "no note");
}

/// The status table and its JSON with a third language added to the sample.
#[test]
fn translation_status_with_a_third_language() {
    let report = TestReport::sample();
    let manifest = std::fs::read_to_string(report.path().join("book.toml")).unwrap();
    report.write(
        "book.toml",
        &format!(
            "{manifest}\n[translations.fr]\ntitle = \"Technologies de la chaîne de blocs\"\nsrc = \"report/fr\"\n"
        ),
    );
    report.write("report/fr/foreword.md", "---\ntitle: Avant-propos\n---\n\nUn avant-propos.\n");
    let status = report.run(&["translations"]);
    assert_eq!(status.code, 0, "{}", status.stderr);
    let lines: Vec<&str> = status.stdout.lines().collect();
    assert_eq!(lines[0], "article                           es         fr", "{}", status.stdout);
    assert_eq!(lines[1], "foreword.md                       current    unknown", "{}", status.stdout);
    assert_eq!(lines[2], "session-report.md                 current    missing", "{}", status.stdout);
    assert!(status.stdout.contains("es: 2 current, 0 out of date, 0 unknown, 9 missing;"), "{}", status.stdout);
    assert!(status.stdout.contains("fr: 0 current, 0 out of date, 1 unknown, 10 missing;"), "{}", status.stdout);
    let json: serde_json::Value = serde_json::from_str(&report.run(&["translations", "--json"]).stdout).unwrap();
    let editions = json["editions"].as_array().unwrap();
    assert_eq!(editions.len(), 2);
    assert_eq!((editions[1]["edition"].as_str(), editions[1]["unknown"].as_u64()), (Some("fr"), Some(1)));
    assert_eq!(editions[1]["articles"][0]["state"], "unknown");
    assert_eq!(editions[1]["articles"][1]["state"], "missing");
    // Words left: the originals of every article not current.
    let words = |e: &serde_json::Value| e["words_left"].as_u64().unwrap();
    assert!(words(&editions[1]) > words(&editions[0]), "{json}");
    // `check` says so once for the unrecorded French article.
    let run = report.run(&["check", "--edition", "fr"]);
    assert_eq!(run.stderr.matches("warning[unknown-translation-version]").count(), 1, "{}", run.stderr);
    assert!(run.stderr.contains("`report/fr/foreword.md`"), "{}", run.stderr);
}

/// A Chinese or an Arabic report of two articles (a heading, a list, a
/// footnote, digits and Latin letters in the text).
fn edition(language: &str, title: &str, articles: [(&str, &str); 2]) -> TestReport {
    let report = TestReport::new();
    report.with_styles();
    report.write(
        "book.toml",
        &format!("front = [\"a.md\", \"b.md\"]\n[book]\ntitle = \"{title}\"\nlanguage = \"{language}\"\ndate = \"2026-03-01\"\n"),
    );
    for (name, (title, body)) in ["a.md", "b.md"].iter().zip(articles) {
        report.write(&format!("report/{name}"), &format!("+++\ntitle = \"{title}\"\n+++\n\n{body}\n"));
    }
    report
}

#[cfg(feature = "cjk-fonts")]
#[test]
fn chinese_and_arabic_editions_build_with_the_embedded_fonts_alone() {
    let zh = edition(
        "zh",
        "互联网治理年度报告",
        [
            (
                "区块链与互联网治理",
                "区块链技术正在改变互联网治理的方式。根据2024年的数据，“代码即法律”这一说法——虽然流行——并不准确……\n\n\
                 ## 监管的挑战\n\n第一，法律管辖权问题；第二，责任归属问题[^1]。\n\n- 分布式账本\n- 智能合约\n\n\
                 [^1]: 参见联合国互联网治理论坛的相关报告。",
            ),
            ("智能合约的法律地位", "智能合约是一种在区块链上自动执行的程序（smart contract）。"),
        ],
    );
    let ar = edition(
        "ar",
        "التقرير السنوي لحوكمة الإنترنت",
        [
            (
                "سلسلة الكتل وحوكمة الإنترنت",
                "تغير تقنية سلسلة الكتل طريقة حوكمة الإنترنت. وفقًا لبيانات عام 2024، بدأ أكثر من 100 دولة (CBDC).\n\n\
                 ## تحديات التنظيم\n\nأولاً، مسألة الاختصاص القضائي؛ ثانيًا، مسألة المسؤولية[^1].\n\n- العقود الذكية\n- الدفاتر الموزعة\n\n\
                 [^1]: انظر تقارير منتدى حوكمة الإنترنت.",
            ),
            ("الوضع القانوني للعقود الذكية", "العقد الذكي برنامج يُنفَّذ تلقائيًا على سلسلة الكتل."),
        ],
    );
    let test = "chinese_and_arabic_editions_build_with_the_embedded_fonts_alone";
    for (report, face) in [(&zh, "NotoSerifCJKsc-Regular"), (&ar, "NotoNaskhArabic-Regular")] {
        let (code, warnings, stderr) = build_json(report, &["--format", "pdf", "--format", "epub"]);
        assert_eq!(code, 0, "{stderr}");
        assert!(warnings.is_empty(), "{face}: {warnings:#?}");
        if let Some(fonts) = pdf_fonts(&report.path().join("build/report.pdf"), test) {
            assert!(fonts.contains(face), "{face} not embedded:\n{fonts}");
        }
        if let Some(out) = crate::epub::epubcheck(&report.path().join("build/report.epub"), test) {
            crate::epub::assert_clean(face, &out);
        }
    }
}
