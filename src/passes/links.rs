//! The links pass: numbers the report's figures and tables, and resolves
//! every link, cross-reference and image once for the whole report (links
//! between articles become internal links; what cannot be found is a named
//! diagnostic with a fallback that keeps the author's text).

use std::collections::{HashMap, HashSet};
use std::path::PathBuf;

use crate::config::Manifest;
use crate::diag::Diagnostic;
use crate::fsutil::Root;
use crate::lint;
use crate::model::{Article, Block, BlockKind, Image, ImageSrc, Inline, LinkDest, Report, join_rel};
use crate::passes::numbering::{Labels, Numbered};

/// What the image check says of an image file.
#[derive(Debug, Clone, Default)]
pub struct ImageFile {
    /// `Some(ext)` for an image of another format than its name says.
    pub format: Option<&'static str>,
    /// An SVG's active content, which the EPUB and the site leave out.
    pub active: Vec<crate::svg::Active>,
}

/// What the image check says of a file: `Err(why)` when it is no image.
pub type ImageCheck<'a> = dyn Fn(&str) -> Result<ImageFile, String> + Sync + 'a;

/// Checks the image files the report uses, each once however many times
/// it is used (the result is shared by the articles, resolved in parallel).
pub fn image_check(root: &Root) -> impl Fn(&str) -> Result<ImageFile, String> + Sync + '_ {
    let checked: std::sync::Mutex<HashMap<String, Result<ImageFile, String>>> = Default::default();
    move |rel: &str| {
        let lock = || checked.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Some(known) = lock().get(rel) {
            return known.clone();
        }
        let result = check_image(root, rel).map(|format| {
            let svg = format.map_or_else(|| rel.to_ascii_lowercase().ends_with(".svg"), |f| f == "svg");
            let active = match root.resolve(rel) {
                Ok(path) if svg => root.read(&path).map(|b| crate::svg::active_content(&b)).unwrap_or_default(),
                _ => Vec::new(),
            };
            ImageFile { format, active }
        });
        lock().insert(rel.to_string(), result.clone());
        result
    }
}

/// An image file inside the root: `Ok(None)` when its bytes are the format
/// its name says, `Ok(Some(ext))` when they are another image format.
fn check_image(root: &Root, rel: &str) -> Result<Option<&'static str>, String> {
    match root.resolve(rel) {
        Ok(path) if root.is_file(&path) => {
            let ext = path.extension().and_then(|e| e.to_str()).unwrap_or("").to_ascii_lowercase();
            if ["png", "jpg", "jpeg", "gif", "svg", "webp"].contains(&ext.as_str()) {
                check_image_format(root, &path, &ext)
            } else {
                // Another name (or none): an image if its bytes say so.
                check_image_format(root, &path, "").map_err(|_| {
                    if ext.is_empty() {
                        "the file is not a PNG, JPEG, GIF, SVG or WebP image".to_string()
                    } else {
                        format!("`{ext}` images are not supported (use PNG, JPEG, GIF, SVG or WebP)")
                    }
                })
            }
        }
        Ok(_) => Err("no such file".into()),
        Err(e) => Err(e.describe("image", rel)),
    }
}

/// Checks that an image file's content matches its extension, so a broken
/// or mislabelled file is reported at the markdown line that uses it rather
/// than by typst inside the template. A file of another image format than
/// its name says is accepted: `Ok(Some(its format's extension))`.
fn check_image_format(root: &Root, path: &std::path::Path, ext: &str) -> Result<Option<&'static str>, String> {
    use std::io::Read;
    let mut head = [0u8; 512];
    let embedded;
    let head = if root.is_file(path) && !path.is_file() {
        embedded = root.read(path).map_err(|e| e.to_string())?;
        &embedded[..embedded.len().min(512)]
    } else {
        let n = std::fs::File::open(path).and_then(|mut f| f.read(&mut head)).map_err(|e| e.to_string())?;
        &head[..n]
    };
    let sniffed = crate::media::sniff_media_type(head).map(|(_, ext)| ext);
    let ok = match ext {
        "svg" => {
            let text = String::from_utf8_lossy(head).to_ascii_lowercase();
            text.contains("<svg") || text.trim_start().starts_with("<?xml") || text.trim_start().starts_with("<!--")
        }
        "jpeg" => sniffed == Some("jpg"),
        "" => return sniffed.map(|_| None).ok_or_else(|| "the file is not an image".to_string()),
        ext => sniffed == Some(ext),
    };
    match (ok, sniffed) {
        (true, _) => Ok(None),
        (false, Some(other)) => Ok(Some(other)),
        (false, None) => Err(format!("the file is not a valid {} image", ext.to_ascii_uppercase())),
    }
}

/// Resolves every link and image of the report: links between articles
/// become internal links, unknown targets become warnings.
/// `labels` are the numbered figures and tables ([`crate::passes::numbering::run`]).
pub fn resolve(
    report: &mut Report,
    manifest: &Manifest,
    labels: &Labels,
    image_exists: &ImageCheck<'_>,
) -> Vec<Diagnostic> {
    let words = crate::words::Labels::for_language(&manifest.book.language);
    let src = manifest.book.src.trim_end_matches('/').to_string();
    let mut articles: Vec<&mut Article> = report.articles_mut().collect();
    // Every article's id and anchors, by path; the anchor sets are lent to
    // the index (not cloned) and given back once every link is resolved.
    let targets: Vec<(String, HashSet<String>)> =
        articles.iter_mut().map(|a| (a.id.clone(), std::mem::take(&mut a.anchors))).collect();
    let index: HashMap<String, &(String, HashSet<String>)> =
        articles.iter().zip(&targets).map(|(a, t)| (a.src_rel.clone(), t)).collect();
    // Articles are resolved on all cores (each on its own), their
    // diagnostics kept in the report's order.
    let cells: Vec<(usize, std::sync::Mutex<&mut Article>)> =
        articles.into_iter().map(std::sync::Mutex::new).enumerate().collect();
    let sinks = crate::parallel::map(&cells, |(i, cell)| {
        let own_anchors = &targets[*i].1;
        let mut guard = cell.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        let article: &mut Article = &mut guard;
        // The folder the article was read from: `src`, or the original's for
        // an untranslated article of a translated edition.
        let path = article.path.to_string_lossy();
        let own_src = path.strip_suffix(article.src_rel.as_str()).map(|s| s.trim_end_matches('/').to_string());
        let ctx = Ctx {
            index: &index,
            article_dir: parent_of(&article.src_rel),
            src: own_src.as_deref().unwrap_or(&src),
            own_anchors,
            own_id: article.id.clone(),
            path: article.path.clone(),
            image_exists,
            labels,
            words: (words.figure, words.table),
        };
        let mut sink = Vec::new();
        article.for_each_block_mut(&mut |b| resolve_block(b, &ctx, &mut sink));
        for inline in &mut article.title {
            resolve_inline(inline, &ctx, &mut sink);
        }
        sink
    });
    drop(index);
    for ((_, cell), (_, anchors)) in cells.into_iter().zip(targets) {
        cell.into_inner().unwrap_or_else(std::sync::PoisonError::into_inner).anchors = anchors;
    }
    sinks.into_iter().flatten().collect()
}

struct Ctx<'a> {
    index: &'a HashMap<String, &'a (String, HashSet<String>)>,
    article_dir: String,
    src: &'a str,
    own_anchors: &'a HashSet<String>,
    own_id: String,
    path: PathBuf,
    image_exists: &'a ImageCheck<'a>,
    labels: &'a Labels,
    /// "Figure" and "Table" in the report's language.
    words: (&'static str, &'static str),
}

/// `@fig-name`: the figure or table of this article with that label, else
/// the one of the report; an error when there is none, or several.
fn resolve_ref(
    label: &str,
    content: &mut Vec<Inline>,
    at: (usize, usize),
    ctx: &Ctx,
    out: &mut Vec<Diagnostic>,
) -> LinkDest {
    let found = ctx.labels.get(label).map(Vec::as_slice).unwrap_or_default();
    let own: Vec<&Numbered> = found.iter().filter(|n| n.article == ctx.own_id).collect();
    let target: &Numbered = match (own.as_slice(), found) {
        ([one], _) => one,
        ([], [one]) => one,
        ([], []) => {
            let what = if label.starts_with("tbl-") { "table" } else { "figure" };
            out.push(
                Diagnostic::new(&lint::BROKEN_CROSSREF, format!("no {what} is labelled `{label}`"))
                    .with_file(&ctx.path)
                    .with_position(at.0, at.1)
                    .with_len(label.chars().count() + 1)
                    .with_hint(if what == "table" {
                        format!("label a table at the end of its caption line: `Table: Caption {{#{label}}}`")
                    } else {
                        format!("label a figure right after its image: `![alt](file.png \"Caption\"){{#{label}}}`")
                    }),
            );
            return LinkDest::Dropped;
        }
        _ => {
            let places: Vec<&str> = found.iter().map(|n| n.src_rel.as_str()).collect();
            out.push(
                Diagnostic::new(
                    &lint::BROKEN_CROSSREF,
                    format!("`@{label}` is ambiguous: it labels figures or tables in {}", places.join(", ")),
                )
                .with_file(&ctx.path)
                .with_position(at.0, at.1)
                .with_len(label.chars().count() + 1)
                .with_hint(format!(
                    "link to the one you mean, e.g. [{} N]({}#{label}), or rename one of the labels",
                    ctx.words.0, places[0]
                )),
            );
            return LinkDest::Dropped;
        }
    };
    let word = if target.table { ctx.words.1 } else { ctx.words.0 };
    *content = vec![Inline::Text(format!("{word}\u{a0}{}", target.number))];
    LinkDest::Internal { article: target.article.clone(), anchor: Some(label.to_string()) }
}

fn parent_of(rel: &str) -> String {
    match rel.rfind('/') {
        Some(i) => rel[..i].to_string(),
        None => String::new(),
    }
}

/// Resolves the links and images a block holds itself (the blocks nested
/// in it are visited on their own).
fn resolve_block(block: &mut Block, ctx: &Ctx, out: &mut Vec<Diagnostic>) {
    match &mut block.kind {
        BlockKind::Paragraph(inlines) | BlockKind::Heading { content: inlines, .. } => {
            inlines.iter_mut().for_each(|i| resolve_inline(i, ctx, out))
        }
        BlockKind::Table { header, rows, caption, .. } => {
            caption.iter_mut().for_each(|i| resolve_inline(i, ctx, out));
            for cell in header.iter_mut().chain(rows.iter_mut().flatten()) {
                cell.iter_mut().for_each(|i| resolve_inline(i, ctx, out));
            }
        }
        BlockKind::Figure { image, caption, .. } => {
            resolve_image(image, ctx, out);
            caption.iter_mut().for_each(|i| resolve_inline(i, ctx, out));
        }
        BlockKind::DefinitionList { items, .. } => {
            items.iter_mut().flat_map(|i| &mut i.term).for_each(|i| resolve_inline(i, ctx, out))
        }
        BlockKind::Quote(_)
        | BlockKind::Callout { .. }
        | BlockKind::List { .. }
        | BlockKind::Code { .. }
        | BlockKind::Math { .. }
        | BlockKind::Rule
        | BlockKind::Anchor(_) => {}
    }
}

fn resolve_inline(inline: &mut Inline, ctx: &Ctx, out: &mut Vec<Diagnostic>) {
    match inline {
        Inline::Link { dest, content, line, column } => {
            match dest {
                LinkDest::Unresolved(url) => {
                    // A Jekyll site's variables, read as the places they name.
                    let url = crate::input::liquid::resolve_path(url).map_or_else(|| url.clone(), |(path, _)| path);
                    *dest = resolve_link(&url, (*line, *column), ctx, out);
                }
                LinkDest::Ref(label) => {
                    let label = label.clone();
                    *dest = resolve_ref(&label, content, (*line, *column), ctx, out);
                    return;
                }
                _ => {}
            }
            content.iter_mut().for_each(|i| resolve_inline(i, ctx, out));
        }
        Inline::Image(image) => resolve_image(image, ctx, out),
        other => {
            if let Some(children) = other.children_mut() {
                children.iter_mut().for_each(|i| resolve_inline(i, ctx, out));
            }
        }
    }
}

/// Is `url` an absolute URL with a scheme (`https:`, `mailto:`...)?
pub fn scheme(url: &str) -> Option<&str> {
    let colon = url.find(':')?;
    let scheme = &url[..colon];
    let mut chars = scheme.chars();
    let ok = chars.next().is_some_and(|c| c.is_ascii_alphabetic())
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
        && scheme.len() > 1; // `C:` is a Windows drive, not a scheme
    ok.then_some(scheme)
}

const SAFE_SCHEMES: &[&str] = &["http", "https", "mailto", "ftp", "tel", "doi", "urn"];

fn resolve_link(url: &str, (line, column): (usize, usize), ctx: &Ctx, out: &mut Vec<Diagnostic>) -> LinkDest {
    let warn = |out: &mut Vec<Diagnostic>, lint: &'static lint::Lint, message: String, hint: &str| {
        out.push(
            Diagnostic::new(lint, message).with_file(&ctx.path).with_position(line, column).with_hint(hint.to_string()),
        );
        LinkDest::Dropped
    };
    let url = url.trim();
    if url.is_empty() {
        return warn(
            out,
            &lint::EMPTY_LINK,
            "link with an empty target".into(),
            "give the link a target, or remove the brackets; it is shown as plain text",
        );
    }
    if let Some(scheme) = scheme(url) {
        let lower = scheme.to_ascii_lowercase();
        if SAFE_SCHEMES.contains(&lower.as_str()) {
            return LinkDest::External(url.to_string());
        }
        return warn(
            out,
            &lint::UNSAFE_LINK,
            format!("link with the unsupported scheme `{scheme}:`"),
            "only http, https, mailto, ftp, tel, doi and urn links are kept; it is shown as plain text",
        );
    }
    if url.starts_with("//") {
        return LinkDest::External(format!("https:{url}"));
    }
    let (path, fragment) = match url.split_once('#') {
        Some((p, f)) => (p, Some(percent_decode(f))),
        None => (url, None),
    };
    if path.is_empty() {
        let anchor = fragment.unwrap_or_default();
        if let Some(anchor) = find_anchor(ctx.own_anchors, &anchor) {
            return LinkDest::Internal { article: ctx.own_id.clone(), anchor: Some(anchor) };
        }
        out.push(missing_anchor(
            format!("link to `#{anchor}`, which is not an anchor of this article; its text is shown"),
            ctx,
            (line, column),
        ));
        return LinkDest::Dropped;
    }
    let path = percent_decode(path.split('?').next().unwrap_or(path));
    // A root-absolute path (`/other/x.md`, as static sites write them) is
    // read from the report's root.
    let target = match path.strip_prefix('/') {
        Some(from_root) => join_rel("", from_root).and_then(|rel| {
            if ctx.src.is_empty() {
                Some(rel)
            } else {
                rel.strip_prefix(ctx.src).and_then(|r| r.strip_prefix('/')).map(str::to_string)
            }
        }),
        None => join_rel(&ctx.article_dir, &path),
    };
    let Some(target) = target else {
        return warn(
            out,
            &lint::LINK_OUTSIDE_REPORT,
            format!("link to `{url}`, which leaves the report's articles"),
            "link to a published URL instead; it is shown as plain text",
        );
    };
    // A folder, as GitHub shows it: its README (or index) when that is an
    // article of the report.
    let target = if ctx.index.contains_key(&target) { target } else { folder_article(&target, ctx).unwrap_or(target) };
    if let Some((id, anchors)) = ctx.index.get(&target) {
        return match fragment {
            None => LinkDest::Internal { article: id.clone(), anchor: None },
            Some(a) if a.is_empty() => LinkDest::Internal { article: id.clone(), anchor: None },
            Some(a) if let Some(found) = find_anchor(anchors, &a) => {
                LinkDest::Internal { article: id.clone(), anchor: Some(found) }
            }
            Some(a) => {
                out.push(missing_anchor(
                    format!("link to `{url}`: `{target}` has no anchor `#{a}`; it links to the article"),
                    ctx,
                    (line, column),
                ));
                LinkDest::Internal { article: id.clone(), anchor: None }
            }
        };
    }
    if target.ends_with(".md") || target.ends_with(".markdown") {
        return warn(
            out,
            &lint::BROKEN_LINK,
            format!("link to `{url}`, an article that is not in the report"),
            "add it to book.toml, or link to its published URL; it is shown as plain text",
        );
    }
    let hint = match url.strip_prefix('(').and_then(|u| u.strip_suffix(')')) {
        // `[x]: (https://...)`: the parentheses are taken as part of a
        // relative path, by GitHub too.
        Some(inner) if scheme(inner).is_some() => {
            "the target is wrapped in parentheses, which make it a file name: remove them; it is shown as plain text"
        }
        _ => "link to a published URL instead; it is shown as plain text",
    };
    warn(
        out,
        &lint::LINK_OUTSIDE_REPORT,
        format!("link to the local file `{url}`, which the report cannot link to"),
        hint,
    )
}

/// The anchor a fragment names: itself, or else the one anchor that differs
/// from it only in case (`#Motivation` for `## Motivation`, whose slug is
/// `motivation`), as GitHub finds it.
fn find_anchor(anchors: &HashSet<String>, fragment: &str) -> Option<String> {
    if anchors.contains(fragment) {
        return Some(fragment.to_string());
    }
    let lower = fragment.to_lowercase();
    let mut matching = anchors.iter().filter(|a| a.to_lowercase() == lower);
    match (matching.next(), matching.next()) {
        (Some(one), None) => Some(one.clone()),
        _ => None,
    }
}

/// The article a link to a folder means: the folder's `README.md` or
/// `index.md` (`_index.md`), if the report has it.
fn folder_article(target: &str, ctx: &Ctx) -> Option<String> {
    let folder = target.trim_end_matches('/');
    ["README.md", "readme.md", "index.md", "_index.md"]
        .iter()
        .map(|name| if folder.is_empty() { name.to_string() } else { format!("{folder}/{name}") })
        .find(|candidate| ctx.index.contains_key(candidate))
}

/// A link to an anchor its article does not have.
fn missing_anchor(message: String, ctx: &Ctx, (line, column): (usize, usize)) -> Diagnostic {
    Diagnostic::new(&lint::BROKEN_ANCHOR, message).with_file(&ctx.path).with_position(line, column).with_hint(
        "anchors are the headings' GitHub-style slugs (lowercase, spaces as hyphens) or their `{#id}`, the \
         figure and table labels, `<a name>` and `id=\"...\"` in HTML, and `[text]{#id}` spans; in the glossary \
         each entry's heading is its anchor: add the anchor, or fix the link",
    )
}

fn resolve_image(image: &mut Image, ctx: &Ctx, out: &mut Vec<Diagnostic>) {
    let ImageSrc::Unresolved(url) = &image.src else { return };
    let url = url.trim().to_string();
    let (line, column) = (image.line, image.column);
    if url.is_empty() {
        out.push(
            Diagnostic::new(&lint::EMPTY_IMAGE, "image with an empty target; its alt text is shown")
                .with_file(&ctx.path)
                .with_position(line, column)
                .with_hint("give the image a file: ![description](images/file.png)"),
        );
        image.src = ImageSrc::Unavailable(url);
        return;
    }
    if scheme(&url).is_some() || url.starts_with("//") {
        out.push(
            Diagnostic::new(&lint::REMOTE_IMAGE, format!("remote image `{url}` is not fetched (builds are offline)"))
                .with_file(&ctx.path)
                .with_position(line, column)
                .with_hint("download it into the report folder and link the local copy; its alt text is shown"),
        );
        image.src = ImageSrc::Unavailable(url);
        return;
    }
    // A path from a Jekyll site: its variables read as the places they name.
    let liquid = crate::input::liquid::resolve_path(&url);
    let path = liquid.as_ref().map_or(url.as_str(), |(path, _)| path.as_str());
    let decoded = percent_decode(path.split(['?', '#']).next().unwrap_or(path));
    let joined = if ctx.src.is_empty() {
        ctx.article_dir.clone()
    } else if ctx.article_dir.is_empty() {
        ctx.src.to_string()
    } else {
        format!("{}/{}", ctx.src, ctx.article_dir)
    };
    // A root-absolute path (`/assets/fig.png`) is read from the report's root.
    let rel = match decoded.strip_prefix('/') {
        Some(from_root) => join_rel("", from_root),
        None => join_rel(&joined, &decoded),
    };
    let Some(rel) = rel else {
        out.push(
            Diagnostic::new(&lint::PATH_OUTSIDE_REPORT, format!("image `{url}` is outside the report root"))
                .with_file(&ctx.path)
                .with_position(line, column)
                .with_hint("images must be files inside the folder that holds book.toml"),
        );
        image.src = ImageSrc::Unavailable(url);
        return;
    };
    match (ctx.image_exists)(&rel) {
        Ok(ImageFile { format, active }) => {
            if !active.is_empty() {
                let what: Vec<&str> = active.iter().map(|a| a.describe()).collect();
                out.push(
                    Diagnostic::new(
                        &lint::SVG_SCRIPT,
                        format!("image `{url}` has {}: the EPUB and the web edition leave them out", what.join(", ")),
                    )
                    .with_file(&ctx.path)
                    .with_position(line, column)
                    .with_hint("save the drawing without scripts (a plain SVG export); the image shows the same"),
                );
            }
            if let Some(ext) = format {
                out.push(
                    Diagnostic::new(
                        &lint::MISLABELLED_IMAGE,
                        format!("image `{url}` is a {} file; it is read as one", ext.to_ascii_uppercase()),
                    )
                    .with_file(&ctx.path)
                    .with_position(line, column)
                    .with_hint(format!("rename the file to end in .{ext}, or convert it")),
                );
            }
            image.format = format;
            image.src = ImageSrc::Local(rel)
        }
        Err(why) => {
            let hint = if let Some((_, assumed)) = &liquid {
                format!("in this Liquid path {assumed}: it was looked for at `{rel}`")
            } else if decoded.starts_with('/') {
                format!("a path starting with `/` is read from the report's root: it was looked for at `{rel}`")
            } else {
                format!(
                    "images are relative to the article's folder (or, starting with `/`, to the report's root): \
                     it was looked for at `{rel}`"
                )
            };
            out.push(
                Diagnostic::new(&lint::MISSING_IMAGE, format!("image `{url}`: {why}"))
                    .with_file(&ctx.path)
                    .with_position(line, column)
                    .with_hint(hint),
            );
            image.src = ImageSrc::Unavailable(url);
        }
    }
}

fn percent_decode(s: &str) -> String {
    if !s.contains('%') {
        return s.to_string();
    }
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && i + 2 < bytes.len()
            && let Ok(v) = u8::from_str_radix(std::str::from_utf8(&bytes[i + 1..i + 3]).unwrap_or("zz"), 16)
        {
            out.push(v);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8(out).unwrap_or_else(|_| s.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn schemes() {
        assert_eq!(scheme("https://x"), Some("https"));
        assert_eq!(scheme("javascript:alert(1)"), Some("javascript"));
        assert_eq!(scheme("eip-1.md"), None);
        assert_eq!(scheme("C:/x"), None);
    }

    #[test]
    fn anchors_match_in_any_case_when_only_one_does() {
        let anchors: HashSet<String> = ["motivation", "cddl", "x", "X"].into_iter().map(String::from).collect();
        assert_eq!(find_anchor(&anchors, "Motivation").as_deref(), Some("motivation"));
        assert_eq!(find_anchor(&anchors, "CDDL").as_deref(), Some("cddl"));
        assert_eq!(find_anchor(&anchors, "X").as_deref(), Some("X"), "an exact match first");
        assert_eq!(find_anchor(&anchors, "x").as_deref(), Some("x"));
        let two: HashSet<String> = ["ab", "AB"].into_iter().map(String::from).collect();
        assert_eq!(find_anchor(&two, "Ab"), None, "two that differ only in case: neither");
        assert_eq!(find_anchor(&anchors, "rationale"), None);
    }

    #[test]
    fn percent() {
        assert_eq!(percent_decode("a%20b"), "a b");
        assert_eq!(percent_decode("100%"), "100%");
    }
}
