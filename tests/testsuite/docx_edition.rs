//! The Word edition and its proofs: read back by the project's own Word
//! importer, by Pandoc, by python-docx and by LibreOffice; byte for byte
//! the same from the same sources; and proofs edited the way authors
//! edit them, read back by `review` at the right source line and column
//! and applied to the markdown.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::Command;

use coala_report::input::docx::{Imported, Options, read};
use coala_report::model::{Block, BlockKind, Inline, LinkDest};
use serde_json::Value;

use crate::harness::{TestReport, require_tool, say};

fn in_ci() -> bool {
    std::env::var_os("CI").is_some()
}

/// The sample, built as Word documents (both editions).
fn sample_docx() -> TestReport {
    let report = TestReport::sample();
    let run = report.run(&["build", "--format", "docx"]);
    assert_eq!(run.code, 0, "build failed:\n{}", run.stderr);
    report
}

/// Every .docx under `dir`, sorted.
fn docx_files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            out.extend(docx_files(&path));
        } else if path.extension().is_some_and(|e| e == "docx") {
            out.push(path);
        }
    }
    out.sort();
    out
}

fn all_blocks<'a>(blocks: &'a [Block], out: &mut Vec<&'a Block>) {
    for b in blocks {
        out.push(b);
        match &b.kind {
            BlockKind::Quote(inner) | BlockKind::Callout { blocks: inner, .. } => all_blocks(inner, out),
            BlockKind::List { items, .. } => {
                for item in items {
                    all_blocks(&item.blocks, out);
                }
            }
            _ => {}
        }
    }
}

fn inlines_of(block: &Block) -> Vec<&Inline> {
    fn walk<'a>(inlines: &'a [Inline], out: &mut Vec<&'a Inline>) {
        for i in inlines {
            out.push(i);
            if let Some(c) = i.children() {
                walk(c, out);
            }
        }
    }
    let mut out = Vec::new();
    for run in coala_report::model::block_inlines(block) {
        walk(run, &mut out);
    }
    out
}

/// What a document holds: headings, lists, tables, figures, notes, links.
#[derive(Debug, Default, PartialEq)]
struct Counts {
    headings: usize,
    lists: usize,
    tables: usize,
    figures: usize,
    notes: usize,
    external_links: usize,
    math: usize,
}

fn counts_of(blocks: &[Block], notes: usize) -> Counts {
    let mut all = Vec::new();
    all_blocks(blocks, &mut all);
    let mut c = Counts { notes, ..Counts::default() };
    for b in &all {
        match &b.kind {
            BlockKind::Heading { .. } => c.headings += 1,
            BlockKind::List { .. } => c.lists += 1,
            BlockKind::Table { .. } => c.tables += 1,
            BlockKind::Figure { .. } => c.figures += 1,
            BlockKind::Math { .. } => c.math += 1,
            _ => {}
        }
        for i in inlines_of(b) {
            match i {
                Inline::Link { dest: LinkDest::External(_), .. } => c.external_links += 1,
                // As the Word importer gives them, before resolution.
                Inline::Link { dest: LinkDest::Unresolved(url), .. } if url.starts_with("http") => {
                    c.external_links += 1
                }
                Inline::Math { .. } => c.math += 1,
                _ => {}
            }
        }
    }
    c
}

fn import(path: &Path) -> Imported {
    let bytes = std::fs::read(path).unwrap();
    read(&bytes, path, "media", Options::default()).unwrap_or_else(|d| panic!("{}: {}", path.display(), d.message))
}

#[test]
fn the_report_reads_back_with_its_structure() {
    let report = sample_docx();
    let loaded = coala_report::passes::load(report.path(), None).unwrap();
    let mut model = Counts::default();
    let mut titles = 0;
    for article in loaded.report.articles() {
        titles += 1;
        let c = counts_of(&article.blocks, article.footnotes.len());
        model.headings += c.headings;
        model.lists += c.lists;
        model.tables += c.tables;
        model.figures += c.figures;
        model.notes += c.notes;
        model.external_links += c.external_links;
    }
    let imported = import(&report.path().join("build/report.docx"));
    let mut notes_blocks = Vec::new();
    for n in &imported.footnotes {
        notes_blocks.extend(n.blocks.iter().cloned());
    }
    let back = counts_of(&imported.blocks, imported.footnotes.len());
    say(&format!("report.docx: model {model:?}, {titles} titles; read back {back:?}"));
    // Every article title and part title is a heading too.
    assert!(back.headings >= model.headings + titles, "{back:?} vs {model:?}");
    assert_eq!(back.notes, model.notes, "every footnote is a Word footnote");
    assert!(back.tables >= model.tables, "{back:?} vs {model:?}");
    assert_eq!(back.figures, model.figures, "{back:?} vs {model:?}");
    assert!(back.lists >= 1 && back.lists <= model.lists, "{back:?} vs {model:?}");
    assert!(back.external_links >= model.external_links, "{back:?} vs {model:?}");
    assert!(!imported.media.is_empty(), "the figures' images are in the package");
    // A figure keeps its alt text and its caption.
    let mut all = Vec::new();
    all_blocks(&imported.blocks, &mut all);
    let figure = all.iter().find_map(|b| match &b.kind {
        BlockKind::Figure { image, caption, .. } => Some((image.alt.clone(), caption.clone())),
        _ => None,
    });
    let (alt, caption) = figure.expect("a figure");
    assert!(!alt.trim().is_empty(), "the figure's alt text");
    assert!(!caption.is_empty(), "the figure's caption");
    // A table keeps its header row.
    assert!(all.iter().any(|b| matches!(&b.kind, BlockKind::Table { header, .. } if !header.is_empty())));

    // One proof per article, in both editions.
    for (dir, loaded) in
        [("build/docx", &loaded), ("build/docx.es", &coala_report::passes::load(report.path(), Some("es")).unwrap())]
    {
        for article in loaded.report.articles() {
            let proof = report.path().join(dir).join(format!("{}.docx", article.id));
            assert!(proof.is_file(), "{} is missing", proof.display());
            let back = import(&proof);
            let c = counts_of(&back.blocks, back.footnotes.len());
            let m = counts_of(&article.blocks, article.footnotes.len());
            assert_eq!(c.notes, m.notes, "{}", proof.display());
            assert!(c.headings >= m.headings, "{}: {c:?} vs {m:?}", proof.display());
            assert!(c.tables >= m.tables, "{}: {c:?} vs {m:?}", proof.display());
        }
    }
}

#[test]
fn every_docx_is_the_same_bytes_when_built_again() {
    let report = TestReport::sample();
    for out in ["b1", "b2"] {
        let run = report.run(&["build", "--format", "docx", "--out", out]);
        assert_eq!(run.code, 0, "{}", run.stderr);
    }
    let first = docx_files(&report.path().join("b1"));
    assert!(first.len() > 10, "{first:?}");
    for file in first {
        let rel = file.strip_prefix(report.path().join("b1")).unwrap();
        let again = report.path().join("b2").join(rel);
        assert!(std::fs::read(&file).unwrap() == std::fs::read(&again).unwrap(), "{} differs", rel.display());
    }
}

/// Pandoc, on the PATH or from PyPI's `pypandoc-binary`.
fn pandoc(test: &str) -> Option<PathBuf> {
    let on_path = Command::new("sh").args(["-c", "command -v pandoc"]).output().ok().filter(|o| o.status.success());
    if let Some(o) = on_path {
        return Some(PathBuf::from(String::from_utf8_lossy(&o.stdout).trim()));
    }
    let pypandoc = Command::new("python3")
        .args(["-c", "import pypandoc; print(pypandoc.get_pandoc_path())"])
        .output()
        .ok()
        .filter(|o| o.status.success());
    if let Some(o) = pypandoc {
        return Some(PathBuf::from(String::from_utf8_lossy(&o.stdout).trim()));
    }
    if in_ci() {
        panic!("{test}: pandoc is required in CI (.ci/run installs pypandoc-binary)");
    }
    say(&format!("SKIPPED {test}: pandoc is not installed (pip install pypandoc-binary)"));
    None
}

fn pandoc_json(pandoc: &Path, file: &Path) -> Value {
    let out = Command::new(pandoc).args(["-f", "docx", "-t", "json"]).arg(file).output().unwrap();
    assert!(out.status.success(), "pandoc cannot read {}: {}", file.display(), String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).unwrap()
}

/// How many elements of each Pandoc type (`Header`, `Note`...) the AST has.
fn pandoc_counts(value: &Value, out: &mut std::collections::BTreeMap<String, usize>) {
    match value {
        Value::Object(map) => {
            if let Some(Value::String(t)) = map.get("t") {
                *out.entry(t.clone()).or_default() += 1;
            }
            map.values().for_each(|v| pandoc_counts(v, out));
        }
        Value::Array(items) => items.iter().for_each(|v| pandoc_counts(v, out)),
        _ => {}
    }
}

#[test]
fn pandoc_reads_every_docx_with_its_structure() {
    let Some(pandoc) = pandoc("pandoc_reads_every_docx_with_its_structure") else { return };
    let report = sample_docx();
    let loaded = coala_report::passes::load(report.path(), None).unwrap();
    for file in docx_files(&report.path().join("build")) {
        let mut counts = std::collections::BTreeMap::new();
        pandoc_counts(&pandoc_json(&pandoc, &file), &mut counts);
        let name = file.file_stem().unwrap().to_string_lossy().to_string();
        if let Some(article) = loaded.report.articles().find(|a| a.id == name) {
            let m = counts_of(&article.blocks, article.footnotes.len());
            let get = |t: &str| counts.get(t).copied().unwrap_or(0);
            assert_eq!(get("Note"), m.notes, "{}: {counts:?}", file.display());
            assert!(get("Header") >= m.headings, "{}: {counts:?} vs {m:?}", file.display());
            assert!(get("Table") >= m.tables, "{}: {counts:?} vs {m:?}", file.display());
            assert_eq!(get("Image"), m.figures, "{}: {counts:?} vs {m:?}", file.display());
            assert!(get("Link") >= m.external_links, "{}: {counts:?} vs {m:?}", file.display());
        }
    }
}

#[test]
fn equations_come_back_from_pandoc_as_math() {
    let report = TestReport::new();
    report
        .write("book.toml", "front = [\"m.md\"]\n\n[book]\ntitle = \"Maths\"\n")
        .write(
            "report/m.md",
            "+++\ntitle = \"Formulas\"\n+++\n\nInline $\\frac{a+b}{2}$ and $x_i^2$ and $\\sqrt{\\alpha}$.\n\n$$\n\\sum_{i=1}^{n} x_i = \\int_0^1 f(x)\\,dx\n$$\n\n$$\n\\begin{pmatrix} a & b \\\\ c & d \\end{pmatrix}\n$$\n",
        );
    let run = report.run(&["build", "--format", "docx"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let xml = part(&report.path().join("build/report.docx"), "word/document.xml");
    assert!(xml.contains("<m:f>") && xml.contains("<m:nary>") && xml.contains("<m:m>"), "OMML");
    let Some(pandoc) = pandoc("equations_come_back_from_pandoc_as_math") else { return };
    let json = pandoc_json(&pandoc, &report.path().join("build/report.docx"));
    let mut counts = std::collections::BTreeMap::new();
    pandoc_counts(&json, &mut counts);
    assert_eq!(counts.get("Math"), Some(&5), "{counts:?}");
    let text = json.to_string();
    for tex in ["\\frac{a + b}{2}", "\\sum_{i = 1}^{n}", "\\sqrt{\\alpha}", "\\begin{pmatrix}"] {
        assert!(text.contains(&tex.replace('\\', "\\\\")), "{tex} in {text}");
    }
}

fn python_docx(test: &str) -> bool {
    let found = Command::new("python3").args(["-c", "import docx"]).output().is_ok_and(|o| o.status.success());
    if !found {
        if in_ci() {
            panic!("{test}: python-docx is required in CI (.ci/run installs it)");
        }
        say(&format!("SKIPPED {test}: python-docx is not installed (pip install python-docx)"));
    }
    found
}

#[test]
fn python_docx_opens_every_docx() {
    if !python_docx("python_docx_opens_every_docx") {
        return;
    }
    let report = sample_docx();
    let files = docx_files(&report.path().join("build"));
    let script = "import sys, docx\nfor f in sys.argv[1:]:\n    d = docx.Document(f)\n    assert d.paragraphs, f\n    assert d.core_properties.title, f\n";
    let out = Command::new("python3").args(["-c", script]).args(&files).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
}

fn words(text: &str) -> Vec<String> {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| w.chars().count() >= 4 && w.chars().all(char::is_alphabetic))
        .map(str::to_lowercase)
        .collect()
}

#[test]
fn libreoffice_converts_every_docx_with_every_word() {
    let test = "libreoffice_converts_every_docx_with_every_word";
    let found = Command::new("sh").args(["-c", "command -v soffice"]).output().is_ok_and(|o| o.status.success());
    if !found {
        // Too big for CI: skipped there too.
        say(&format!("SKIPPED {test}: LibreOffice is not installed (apt-get install libreoffice-writer-nogui)"));
        return;
    }
    if !require_tool("pdftotext", test) {
        return;
    }
    let report = sample_docx();
    let profile = report.path().join("lo-profile");
    let convert = |files: &[PathBuf], to: &Path| {
        let out = Command::new("soffice")
            .arg(format!("-env:UserInstallation=file://{}", profile.display()))
            .args(["--headless", "--convert-to", "pdf", "--outdir"])
            .arg(to)
            .args(files)
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    };
    let build = report.path().join("build");
    convert(&[build.join("report.docx"), build.join("report.es.docx")], &report.path().join("lo"));
    for name in ["report", "report.es"] {
        let text = crate::harness::pdf_text(&report.path().join(format!("lo/{name}.pdf")), test).unwrap();
        assert!(text.contains("Blockchain"), "{name}: {text}");
    }
    for (dir, tag) in [("docx", None), ("docx.es", Some("es"))] {
        let pdfs = report.path().join(format!("lo-{dir}"));
        convert(&docx_files(&build.join(dir)), &pdfs);
        let loaded = coala_report::passes::load(report.path(), tag).unwrap();
        for article in loaded.report.articles() {
            let pdf = pdfs.join(format!("{}.pdf", article.id));
            let text = crate::harness::pdf_text(&pdf, test).unwrap();
            let found: std::collections::HashSet<String> = words(&text).into_iter().collect();
            let mut expected = Vec::new();
            for block in article.all_blocks() {
                if let BlockKind::Paragraph(i) | BlockKind::Heading { content: i, .. } = &block.kind {
                    expected.extend(words(&coala_report::model::plain_text(i)));
                }
            }
            // A word hyphenated at a line's end comes back joined.
            let joined: String = text.to_lowercase().chars().filter(|c| c.is_alphanumeric()).collect();
            let missing: Vec<&String> =
                expected.iter().filter(|w| !found.contains(*w) && !joined.contains(w.as_str())).collect();
            assert!(missing.is_empty(), "{}: {} words missing: {missing:?}", pdf.display(), missing.len());
        }
    }
}

// ------------------------------------------------------------ review ---

fn part(docx: &Path, name: &str) -> String {
    let mut zip = zip::ZipArchive::new(std::fs::File::open(docx).unwrap()).unwrap();
    let mut text = String::new();
    zip.by_name(name).unwrap().read_to_string(&mut text).unwrap();
    text
}

/// The package with `name` replaced (or added).
fn with_parts(docx: &Path, replaced: &[(&str, String)], to: &Path) {
    let mut zip = zip::ZipArchive::new(std::fs::File::open(docx).unwrap()).unwrap();
    let mut out = zip::ZipWriter::new(std::fs::File::create(to).unwrap());
    let options = zip::write::SimpleFileOptions::default();
    let mut names: Vec<String> = zip.file_names().map(str::to_string).collect();
    for (name, _) in replaced {
        if !names.iter().any(|n| n == name) {
            names.push(name.to_string());
        }
    }
    for name in names {
        out.start_file(name.as_str(), options).unwrap();
        match replaced.iter().find(|(n, _)| *n == name) {
            Some((_, text)) => out.write_all(text.as_bytes()).unwrap(),
            None => {
                let mut bytes = Vec::new();
                zip.by_name(&name).unwrap().read_to_end(&mut bytes).unwrap();
                out.write_all(&bytes).unwrap();
            }
        }
    }
    out.finish().unwrap();
}

const AUTHOR: &str = "w:author=\"A. Author\" w:date=\"2026-12-01T10:00:00Z\"";

/// `old` in a `w:t`, split so that `word` (in it) becomes its own
/// markup, made by `wrap` from the word.
fn split_word(xml: &str, old: &str, word: &str, wrap: impl Fn(&str) -> String) -> String {
    let at = xml.find(old).unwrap_or_else(|| panic!("`{old}` is not in the proof"));
    let w = old.find(word).unwrap();
    let (before, after) = (&old[..w], &old[w + word.len()..]);
    format!(
        "{}{before}</w:t></w:r>{}<w:r><w:t xml:space=\"preserve\">{after}{}",
        &xml[..at],
        wrap(word),
        &xml[at + old.len()..]
    )
}

/// A tracked replacement of `word` by `with`, and a comment on `commented`:
/// plain XML edits, as Word writes them.
fn edit_proof(proof: &Path, to: &Path, word_in: &str, word: &str, with: &str, commented_in: &str, commented: &str) {
    let xml = part(proof, "word/document.xml");
    let xml = split_word(&xml, word_in, word, |w| {
        format!(
            "<w:del w:id=\"9001\" {AUTHOR}><w:r><w:delText>{w}</w:delText></w:r></w:del><w:ins w:id=\"9002\" {AUTHOR}><w:r><w:t>{with}</w:t></w:r></w:ins>"
        )
    });
    let xml = split_word(&xml, commented_in, commented, |w| {
        format!(
            "<w:commentRangeStart w:id=\"7\"/><w:r><w:t xml:space=\"preserve\">{w}</w:t></w:r><w:commentRangeEnd w:id=\"7\"/><w:r><w:commentReference w:id=\"7\"/></w:r>"
        )
    });
    let comments = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n<w:comments xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\"><w:comment w:id=\"7\" {AUTHOR} w:initials=\"AA\"><w:p><w:r><w:t>Which machine? Cite Szabo.</w:t></w:r></w:p></w:comment></w:comments>"
    );
    let rels = part(proof, "word/_rels/document.xml.rels").replace(
        "</Relationships>",
        "<Relationship Id=\"rComments\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/comments\" Target=\"comments.xml\"/></Relationships>",
    );
    let types = part(proof, "[Content_Types].xml").replace(
        "</Types>",
        "<Override PartName=\"/word/comments.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.wordprocessingml.comments+xml\"/></Types>",
    );
    with_parts(
        proof,
        &[
            ("word/document.xml", xml),
            ("word/comments.xml", comments),
            ("word/_rels/document.xml.rels", rels),
            ("[Content_Types].xml", types),
        ],
        to,
    );
}

/// The 1-based line and column (characters) of `needle` in `text`.
fn line_col(text: &str, needle: &str) -> (usize, usize) {
    let at = text.find(needle).unwrap_or_else(|| panic!("`{needle}` not found"));
    let line = text[..at].matches('\n').count() + 1;
    let start = text[..at].rfind('\n').map_or(0, |i| i + 1);
    (line, text[start..at].chars().count() + 1)
}

const SOURCE: &str = "report/smart-contracts.md";

#[test]
fn review_places_comments_and_changes_at_the_source_and_applies_them() {
    let report = sample_docx();
    let proof = report.path().join("build/docx/smart-contracts.docx");
    let back = report.path().join("back.docx");
    edit_proof(
        &proof,
        &back,
        "His canonical example",
        "canonical",
        "classic",
        "the vending machine: a",
        "vending machine",
    );
    let before = std::fs::read_to_string(report.path().join(SOURCE)).unwrap();

    let run = report.run(&["review", "back.docx"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let (line, col) = line_col(&before, "canonical example");
    assert!(run.stderr.contains(&format!("{SOURCE}:{line}:{col}")), "{}", run.stderr);
    assert!(
        run.stderr.contains("warning[review-change]: A. Author replaced «canonical» with «classic»"),
        "{}",
        run.stderr
    );
    let (cline, ccol) = line_col(&before, "vending machine:");
    assert!(run.stderr.contains(&format!("{SOURCE}:{cline}:{ccol}")), "{}", run.stderr);
    assert!(
        run.stderr
            .contains("A. Author commented (2026-12-01T10:00:00Z) on «vending machine»: Which machine? Cite Szabo."),
        "{}",
        run.stderr
    );
    assert!(!run.stderr.contains("review-untracked-edit"), "{}", run.stderr);
    assert_eq!(std::fs::read_to_string(report.path().join(SOURCE)).unwrap(), before, "review alone changes nothing");

    let json = report.run(&["review", "--json", "back.docx"]);
    let value: Value = serde_json::from_str(&json.stdout).unwrap();
    let names: Vec<&str> = value["diagnostics"].as_array().unwrap().iter().filter_map(|d| d["name"].as_str()).collect();
    assert!(names.contains(&"review-comment") && names.contains(&"review-change"), "{}", json.stdout);

    let run = report.run(&["review", "--apply", "back.docx"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stdout.contains(&format!("applied 1 change to {SOURCE}")), "{}", run.stdout);
    let after = std::fs::read_to_string(report.path().join(SOURCE)).unwrap();
    assert_eq!(after, before.replacen("His canonical example", "His classic example", 1), "exactly one word changed");

    // The source changed since the proof: nothing more is applied.
    let run = report.run(&["review", "--apply", "back.docx"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(run.stderr.contains("error[review-source-changed]"), "{}", run.stderr);
    assert_eq!(std::fs::read_to_string(report.path().join(SOURCE)).unwrap(), after);
}

#[test]
fn a_proof_saved_by_python_docx_keeps_its_marks() {
    if !python_docx("a_proof_saved_by_python_docx_keeps_its_marks") {
        return;
    }
    let report = sample_docx();
    let proof = report.path().join("build/docx/smart-contracts.docx");
    // The tracked change in XML, the comment by python-docx (which saves
    // the whole package again).
    let xml = part(&proof, "word/document.xml");
    let xml = split_word(&xml, "His canonical example", "canonical", |w| {
        format!(
            "<w:del w:id=\"9001\" {AUTHOR}><w:r><w:delText>{w}</w:delText></w:r></w:del><w:ins w:id=\"9002\" {AUTHOR}><w:r><w:t>classic</w:t></w:r></w:ins>"
        )
    });
    let xml = split_word(&xml, "the vending machine: a", "vending machine", |w| {
        format!("<w:r><w:t xml:space=\"preserve\">{w}</w:t></w:r>")
    });
    let back = report.path().join("back.docx");
    with_parts(&proof, &[("word/document.xml", xml)], &back);
    let script = "import sys, docx\nd = docx.Document(sys.argv[1])\nrun = next(r for p in d.paragraphs for r in p.runs if r.text == 'vending machine')\nd.add_comment(run, text='Which machine?', author='B. Reviewer', initials='BR')\nd.save(sys.argv[1])\n";
    let out = Command::new("python3").args(["-c", script]).arg(&back).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let before = std::fs::read_to_string(report.path().join(SOURCE)).unwrap();
    let run = report.run(&["review", "--apply", "back.docx"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let (line, col) = line_col(&before, "vending machine:");
    assert!(run.stderr.contains(&format!("{SOURCE}:{line}:{col}")), "{}", run.stderr);
    assert!(run.stderr.contains("B. Reviewer commented"), "{}", run.stderr);
    let after = std::fs::read_to_string(report.path().join(SOURCE)).unwrap();
    assert_eq!(after, before.replacen("His canonical example", "His classic example", 1));
}

#[test]
fn untracked_edits_and_changes_not_applied_are_listed() {
    let report = sample_docx();
    let proof = report.path().join("build/docx/smart-contracts.docx");
    let mut xml = part(&proof, "word/document.xml");
    // An edit without tracking.
    xml = xml.replacen("The idea is older than blockchains.", "The idea is much older than blockchains.", 1);
    let back = report.path().join("back.docx");
    with_parts(&proof, &[("word/document.xml", xml)], &back);
    let before = std::fs::read_to_string(report.path().join(SOURCE)).unwrap();
    let run = report.run(&["review", "--apply", "back.docx"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let (line, col) = line_col(&before, "older than blockchains");
    assert!(run.stderr.contains("warning[review-untracked-edit]: changed without tracking"), "{}", run.stderr);
    assert!(run.stderr.contains("«older» became «much older»"), "{}", run.stderr);
    assert!(run.stderr.contains(&format!("{SOURCE}:{line}:{col}")), "{}", run.stderr);
    assert_eq!(std::fs::read_to_string(report.path().join(SOURCE)).unwrap(), before);

    // A tracked deletion inside a link's text is listed, not applied.
    let proof = report.path().join("build/docx/foreword.docx");
    let mut xml = part(&proof, "word/document.xml");
    let link = xml.find("<w:hyperlink").unwrap();
    let t = link + xml[link..].find("<w:t xml:space=\"preserve\">").unwrap();
    let run_start = xml[..t].rfind("<w:r>").unwrap();
    let run_end = t + xml[t..].find("</w:r>").unwrap() + "</w:r>".len();
    let deleted = xml[run_start..run_end]
        .replace("<w:t xml:space=\"preserve\">", "<w:delText xml:space=\"preserve\">")
        .replace("</w:t>", "</w:delText>");
    xml = format!("{}<w:del w:id=\"9100\" {AUTHOR}>{deleted}</w:del>{}", &xml[..run_start], &xml[run_end..]);
    with_parts(&proof, &[("word/document.xml", xml)], &back);
    let foreword = std::fs::read_to_string(report.path().join("report/foreword.md")).unwrap();
    let run = report.run(&["review", "--apply", "back.docx"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stderr.contains("warning[review-not-applied]"), "{}", run.stderr);
    assert!(run.stderr.contains("it is inside a link"), "{}", run.stderr);
    assert!(!run.stderr.contains("review-untracked-edit"), "{}", run.stderr);
    assert_eq!(std::fs::read_to_string(report.path().join("report/foreword.md")).unwrap(), foreword);
}

#[test]
fn what_is_not_a_proof_of_this_report_is_a_clear_error() {
    let report = sample_docx();
    report.write("garbage.docx", "not a zip at all");
    std::fs::write(
        report.path().join("truncated.docx"),
        &std::fs::read(report.path().join("build/docx/foreword.docx")).unwrap()[..2000],
    )
    .unwrap();
    for (file, expected) in [
        ("build/report.docx", "is not a proof made by coala-report"),
        ("garbage.docx", "cannot be read as a Word document"),
        ("truncated.docx", "cannot be read as a Word document"),
        ("missing.docx", "cannot be read"),
        ("report/policy-brief.docx", "is not a proof made by coala-report"),
    ] {
        let run = report.run(&["review", file]);
        assert_eq!(run.code, 1, "{file}: {}", run.stderr);
        assert!(run.stderr.contains("error[invalid-proof]") && run.stderr.contains(expected), "{file}: {}", run.stderr);
        assert!(!run.stderr.contains("panicked"), "{}", run.stderr);
    }
    // A proof of another report.
    let other = TestReport::new();
    other
        .write("book.toml", "front = [\"a.md\"]\n\n[book]\ntitle = \"Another report\"\n")
        .write("report/a.md", "# A\n\nText.\n");
    let proof = report.path().join("build/docx/foreword.docx");
    let run = other.run(&["review", proof.to_str().unwrap()]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(run.stderr.contains("is a proof of another report"), "{}", run.stderr);
}

#[test]
fn a_proof_names_its_pages_in_the_pdf() {
    let report = TestReport::sample();
    let run = report.run(&["build", "--format", "pdf", "--format", "docx", "--edition", "en"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let header = part(&report.path().join("build/docx/smart-contracts.docx"), "word/header1.xml");
    let note_at = header.find("ProofNote").expect("the proof's note");
    let note = &header[note_at..];
    assert!(note.contains("report.pdf") && note.contains("pp."), "{note}");
    let custom = part(&report.path().join("build/docx/smart-contracts.docx"), "docProps/custom.xml");
    assert!(custom.contains("coala-report-source-sha256") && custom.contains("report/smart-contracts.md"), "{custom}");
    let core = part(&report.path().join("build/report.docx"), "docProps/core.xml");
    assert!(core.contains("<dc:title>Blockchain Technologies and Internet Governance</dc:title>"), "{core}");
    assert!(core.contains("<dc:language>en</dc:language>") && core.contains("<cp:keywords>blockchain"), "{core}");
}

#[test]
fn languages_directions_tables_and_images_are_word_structure() {
    let report = TestReport::new();
    report
        .write("book.toml", "front = [\"a.md\", \"b.md\"]\n\n[book]\ntitle = \"Languages\"\nlanguage = \"en\"\n")
        .write(
            "report/a.md",
            "+++\ntitle = \"English\"\n+++\n\nA passage in French: [le texte]{lang=fr}, and in Arabic: [مرحبا بالعالم]{lang=ar}.\n\n| Head | Other |\n|------|-------|\n| a | b |\n\n: The caption {#tbl-one}\n\n![A red square](img/red.svg \"A figure\"){#fig-red}\n\nSee @tbl-one and @fig-red and [the other article](b.md).\n",
        )
        .write(
            "report/b.md",
            "+++\ntitle = \"العربية\"\nlanguage = \"ar\"\n+++\n\nهذا نص باللغة العربية.\n",
        )
        .write(
            "report/img/red.svg",
            "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"40\" height=\"20\"><rect width=\"40\" height=\"20\" fill=\"red\"/></svg>",
        );
    let run = report.run(&["build", "--format", "docx"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let xml = part(&report.path().join("build/report.docx"), "word/document.xml");
    assert!(xml.contains("<w:lang w:val=\"fr\"/>"), "a French passage is tagged");
    assert!(xml.contains("<w:rtl/><w:lang w:val=\"ar\" w:bidi=\"ar\"/>"), "an Arabic passage runs right to left");
    assert!(xml.contains("<w:pStyle w:val=\"BodyText\"/><w:bidi/>"), "an Arabic paragraph is right to left");
    assert!(xml.contains("<w:tblHeader/>"), "the header row repeats");
    assert!(xml.contains("descr=\"A red square\""), "the image's alt text");
    assert!(xml.contains("<w:t xml:space=\"preserve\">Table\u{a0}1. </w:t>"), "the table's number");
    assert!(xml.contains("w:anchor=\"a_tbl_one\""), "a cross-reference is a link to the table's bookmark");
    assert!(xml.contains("w:name=\"a_tbl_one\""), "the table's bookmark");
    assert!(xml.contains("w:anchor=\"b\""), "a link to another article");
    let styles = part(&report.path().join("build/report.docx"), "word/styles.xml");
    assert!(styles.contains("<w:name w:val=\"heading 1\"/>") && styles.contains("Libertinus Serif"), "{styles}");
    let fonts = part(&report.path().join("build/report.docx"), "word/fontTable.xml");
    assert!(fonts.contains("DejaVu Sans Mono"), "{fonts}");
    let numbering = part(&report.path().join("build/report.docx"), "word/numbering.xml");
    assert!(numbering.contains("w:abstractNumId=\"2\""), "{numbering}");
    // The Arabic proof: its language, and its paragraphs right to left.
    let proof = part(&report.path().join("build/docx/b.docx"), "docProps/core.xml");
    assert!(proof.contains("<dc:language>ar</dc:language>"), "{proof}");
    let body = part(&report.path().join("build/docx/b.docx"), "word/document.xml");
    assert!(body.contains("<w:bidi/>") && body.contains("w:name=\"_src"), "{body}");
}

#[test]
fn import_reads_a_proof_back_as_its_article() {
    let report = sample_docx();
    let proof = report.path().join("build/docx/smart-contracts.docx");
    let imported = import(&proof);
    let title = imported.title.as_ref().map(|t| coala_report::model::plain_text(t)).unwrap_or_default();
    assert_eq!(title, "When code performs the promise");
    assert_eq!(imported.meta.subtitle.as_deref(), Some("Smart contracts, self-executing transactions and the law"));
    let mut all = Vec::new();
    all_blocks(&imported.blocks, &mut all);
    let marks = all
        .iter()
        .flat_map(|b| inlines_of(b))
        .filter(|i| matches!(i, Inline::Anchor(a) if a.starts_with("_src")))
        .count();
    assert_eq!(marks, 0, "the source marks are not anchors of the article");
    let run = report.run(&["import", "--to", "imported", proof.to_str().unwrap()]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let markdown = std::fs::read_to_string(report.path().join("imported/smart-contracts.md")).unwrap();
    assert!(!markdown.contains("_src"), "{markdown}");
    assert!(markdown.contains("\n# What a smart contract is, and what it is not\n"), "{markdown}");
}

#[test]
fn the_eip_corpus_writes_docx_that_pandoc_python_docx_and_libreoffice_read() {
    let test = "the_eip_corpus_writes_docx_that_pandoc_python_docx_and_libreoffice_read";
    let Some((report, _)) = crate::eips::eip_report() else { return };
    let run = report.run(&["build", "--format", "docx"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let files = docx_files(&report.path().join("build"));
    assert!(files.len() > 100, "{}", files.len());
    let loaded = coala_report::passes::load(report.path(), None).unwrap();
    if let Some(pandoc) = pandoc(test) {
        for file in &files {
            let mut counts = std::collections::BTreeMap::new();
            pandoc_counts(&pandoc_json(&pandoc, file), &mut counts);
            let name = file.file_stem().unwrap().to_string_lossy().to_string();
            if let Some(article) = loaded.report.articles().find(|a| a.id == name) {
                let m = counts_of(&article.blocks, article.footnotes.len());
                let get = |t: &str| counts.get(t).copied().unwrap_or(0);
                assert!(get("Header") >= m.headings, "{}: {counts:?} vs {m:?}", file.display());
                assert!(get("Table") >= m.tables, "{}: {counts:?} vs {m:?}", file.display());
                assert!(get("Math") >= m.math, "{}: {counts:?} vs {m:?}", file.display());
            }
        }
    }
    if python_docx(test) {
        let script = "import sys, docx\nfor f in sys.argv[1:]:\n    docx.Document(f)\n";
        let out = Command::new("python3").args(["-c", script]).args(&files).output().unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    }
    let found = Command::new("sh").args(["-c", "command -v soffice"]).output().is_ok_and(|o| o.status.success());
    if !found {
        say(&format!("SKIPPED {test} (LibreOffice part): LibreOffice is not installed"));
        return;
    }
    let out = Command::new("soffice")
        .arg(format!("-env:UserInstallation=file://{}", report.path().join("lo-profile").display()))
        .args(["--headless", "--convert-to", "pdf", "--outdir"])
        .arg(report.path().join("lo"))
        .arg(report.path().join("build/report.docx"))
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let Some(text) = crate::harness::pdf_text(&report.path().join("lo/report.pdf"), test) else { return };
    let found: std::collections::HashSet<String> = words(&text).into_iter().collect();
    let joined: String = text.to_lowercase().chars().filter(|c| c.is_alphanumeric()).collect();
    for article in loaded.report.articles() {
        for w in words(&article.title_text()) {
            assert!(found.contains(&w) || joined.contains(&w), "{}: `{w}` of its title", article.id);
        }
    }
}
