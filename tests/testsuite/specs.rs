//! Every example of the CommonMark spec (and, given its file, of the GFM
//! spec) is an article of one report: the report builds (PDF and EPUB,
//! with warnings where the tool falls back) and every word of each
//! example's expected text is in the EPUB. The spec comes from the npm
//! package `commonmark-spec` (installed by `.ci/run` in tests/browser), or
//! `COMMONMARK_SPEC=path/spec.txt`; the GFM spec from `GFM_SPEC`.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use crate::harness::{TestReport, repo, say};

struct Example {
    number: usize,
    markdown: String,
    html: String,
}

/// The examples of a spec file (`→` stands for a tab).
fn examples(spec: &str) -> Vec<Example> {
    let fence = "`".repeat(32);
    let mut out = Vec::new();
    let mut lines = spec.lines();
    while let Some(line) = lines.next() {
        if !(line.starts_with(&fence) && line[32..].trim_start().starts_with("example")) {
            continue;
        }
        let (mut markdown, mut html, mut in_html) = (String::new(), String::new(), false);
        for line in lines.by_ref() {
            if line.starts_with(&fence) {
                break;
            }
            if line == "." && !in_html {
                in_html = true;
                continue;
            }
            let target = if in_html { &mut html } else { &mut markdown };
            target.push_str(&line.replace('→', "\t"));
            target.push('\n');
        }
        out.push(Example { number: out.len() + 1, markdown, html });
    }
    out
}

/// The text of an HTML fragment: tags (with their quoted attributes) out,
/// the common entities decoded.
fn text_of(html: &str) -> String {
    let mut text = String::new();
    let (mut in_tag, mut quote) = (false, None);
    for c in html.chars() {
        match (in_tag, quote, c) {
            (true, Some(q), c) if c == q => quote = None,
            (true, Some(_), _) => {}
            (true, None, '"' | '\'') => quote = Some(c),
            (true, None, '>') => {
                in_tag = false;
                text.push(' ');
            }
            (true, None, _) => {}
            (false, _, '<') => in_tag = true,
            (false, _, c) => text.push(c),
        }
    }
    text.replace("&amp;", "&").replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", "\"")
}

/// The raw HTML markup of markdown source: what stands inside `<...>`
/// (a tag) or `<!-- ... -->` (a comment).
fn markup_of(markdown: &str) -> String {
    let mut out = String::new();
    let mut rest = markdown;
    while let Some(open) = rest.find('<') {
        let after = &rest[open..];
        let end = match after.strip_prefix("<!--") {
            Some(comment) => comment.find("-->").map(|e| e + 7),
            None => after.find('>').map(|e| e + 1),
        };
        let Some(end) = end else { break };
        out.push_str(&after[..end]);
        out.push(' ');
        rest = &after[end..];
    }
    out
}

/// The words (runs of letters and digits) of a text.
fn words(text: &str) -> BTreeSet<String> {
    text.split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty()).map(str::to_string).collect()
}

/// The image files an example's expected HTML shows, to be put in the
/// report (as an editor would have them): `(path from the root, jpeg?)`.
fn image_files(html: &str) -> Vec<(String, bool)> {
    let mut out = Vec::new();
    for part in html.split("<img src=\"").skip(1) {
        let src = part.split('"').next().unwrap_or("");
        if src.is_empty() || src.contains("://") || src.contains('%') || src.contains('&') {
            continue;
        }
        let rel = match src.strip_prefix('/') {
            Some(root) => root.to_string(),
            None => format!("report/{src}"),
        };
        let jpeg = rel.ends_with(".jpg") || rel.ends_with(".jpeg");
        out.push((rel, jpeg));
    }
    out
}

fn image_bytes(jpeg: bool) -> Vec<u8> {
    let img = image::RgbImage::from_pixel(4, 4, image::Rgb([40, 80, 120]));
    let mut bytes = std::io::Cursor::new(Vec::new());
    let format = if jpeg { image::ImageFormat::Jpeg } else { image::ImageFormat::Png };
    img.write_to(&mut bytes, format).unwrap();
    bytes.into_inner()
}

/// Builds every example of `spec` as an article; checks exit code and text.
fn build_all(spec: &Path, test: &str) {
    let text = std::fs::read_to_string(spec).unwrap();
    let examples = examples(&text);
    assert!(examples.len() > 20, "{} has {} examples", spec.display(), examples.len());
    let r = TestReport::new();
    let mut list = Vec::new();
    for ex in &examples {
        let name = format!("ex-{:04}.md", ex.number);
        r.write(&format!("report/{name}"), &ex.markdown);
        for (rel, jpeg) in image_files(&ex.html) {
            let path = r.path().join(&rel);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, image_bytes(jpeg)).unwrap();
        }
        list.push(format!("\"{name}\""));
    }
    r.write(
        "book.toml",
        &format!(
            "[book]\ntitle = \"Spec\"\n\n[build]\nformats = [\"pdf\", \"epub\"]\n\n[[part]]\narticles = [{}]\n",
            list.join(", ")
        ),
    );
    let run = r.run(&["build", "--json", "--allow", "missing-title"]);
    assert_eq!(run.code, 0, "{test}: the spec examples do not build:\n{}", run.stderr);
    let summary: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    let warnings = summary["warnings"].as_array().unwrap();
    say(&format!("{test}: {} examples built, {} warnings", examples.len(), warnings.len()));
    // Strict, the same input fails, with every problem listed as an error.
    let strict = r.run(&["check", "--json", "--allow", "missing-title", "--deny-warnings"]);
    assert_eq!(strict.code, 1, "{test}: --deny-warnings passed:\n{}", strict.stderr);
    let strict: serde_json::Value = serde_json::from_str(&strict.stdout).unwrap();
    let names = |list: &serde_json::Value| -> Vec<String> {
        let mut names: Vec<String> = list.as_array().unwrap().iter().map(|d| d["name"].to_string()).collect();
        names.sort();
        names
    };
    // Known only from the laid-out pages, which `check` does not make.
    let typeset_only = |n: &String| n.contains("typeset-warning") || n.contains("font-fallback");
    let expected: Vec<String> = names(&summary["warnings"]).into_iter().filter(|n| !typeset_only(n)).collect();
    assert_eq!(names(&strict["errors"]), expected, "{test}: check --deny-warnings");

    // Every word of the expected text is in the example's XHTML.
    let file = std::fs::File::open(r.path().join("build/report.epub")).unwrap();
    let mut zip = zip::ZipArchive::new(file).unwrap();
    let mut missing = Vec::new();
    for ex in &examples {
        let name = format!("ex-{:04}", ex.number);
        let entry = (0..zip.len())
            .map(|i| zip.by_index(i).unwrap().name().to_string())
            .find(|n| n.ends_with(&format!("/{name}.xhtml")) || n.ends_with(&format!("{name}.xhtml")));
        let Some(entry) = entry else {
            missing.push(format!("example {}: no document {name}.xhtml", ex.number));
            continue;
        };
        let mut xhtml = String::new();
        std::io::Read::read_to_string(&mut zip.by_name(&entry).unwrap(), &mut xhtml).unwrap();
        let body = xhtml.split("<body").nth(1).unwrap_or(&xhtml);
        // Adjacent links may join two words ("foobaz"): a word is kept when
        // our text holds it.
        let ours = text_of(body);
        // Raw HTML markup (tags and comments) is dropped by design, the
        // tags with a raw-html warning: words inside it in the source may
        // go; every other word must stay.
        let markup = words(&markup_of(&ex.markdown));
        let lost: Vec<String> = words(&text_of(&ex.html))
            .into_iter()
            .filter(|w| !ours.contains(w.as_str()) && !markup.contains(w))
            .collect();
        if !lost.is_empty() {
            missing.push(format!("example {}: {:?} lost from {:?}", ex.number, lost, ex.markdown));
        }
    }
    assert!(missing.is_empty(), "{test}: text lost in {} examples:\n{}", missing.len(), missing.join("\n"));
}

fn spec_file(var: &str, default: Option<PathBuf>) -> Option<PathBuf> {
    std::env::var_os(var).map(PathBuf::from).or(default).filter(|p| p.is_file())
}

#[test]
fn every_commonmark_spec_example_builds_with_its_text() {
    let default = repo().join("tests/browser/node_modules/commonmark-spec/spec.txt");
    let Some(spec) = spec_file("COMMONMARK_SPEC", Some(default)) else {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI must install the commonmark-spec package (npm ci --prefix tests/browser)"
        );
        say(
            "SKIPPED every_commonmark_spec_example_builds_with_its_text: no spec (run `npm ci --prefix tests/browser`, or set COMMONMARK_SPEC)",
        );
        return;
    };
    build_all(&spec, "commonmark spec");
}

#[test]
fn every_gfm_spec_example_builds_with_its_text() {
    let Some(spec) = spec_file("GFM_SPEC", None) else {
        say(
            "SKIPPED every_gfm_spec_example_builds_with_its_text: set GFM_SPEC to cmark-gfm's test/spec.txt (no registry package ships it)",
        );
        return;
    };
    build_all(&spec, "gfm spec");
}
