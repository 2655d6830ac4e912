//! What the EPUB and the web edition share besides their documents: the
//! report's images (read once each, named for the package) and its
//! stylesheet.

use std::collections::HashSet;

use crate::config::Manifest;
use crate::diag::Diagnostic;
use crate::fsutil::{self, Root};
use crate::lint;
use crate::media::{media_type, sniff_media_type};
use crate::model::{ImageSrc, Report};
use crate::output::xhtml::ImageMap;

/// A file of the package (or the web edition) other than its documents.
pub struct Resource {
    pub href: String,
    pub bytes: Vec<u8>,
    pub mime: &'static str,
}

/// The report's images, read once each: the cover, and every local image
/// in reading order, with the package file each is written to.
pub struct Images {
    pub cover: Option<Resource>,
    pub files: Vec<Resource>,
    /// Each image's path (from the root) → its file in the package.
    pub map: ImageMap,
}

/// Reads the cover (`cover.<ext>`) and every local image of the report
/// (its own file name, made unique); an unreadable one is an error at the
/// manifest or at the markdown line that uses it.
pub fn gather_images(report: &Report, manifest: &Manifest, root: &Root, errors: &mut Vec<Diagnostic>) -> Images {
    let mut names = HashSet::new();
    let cover = manifest.book.cover.as_deref().filter(|c| !c.trim().is_empty()).and_then(|rel| {
        match read_image(root, rel.trim_start_matches("./")) {
            Ok((bytes, mime, ext)) => {
                Some(Resource { href: unique_name(&mut names, &format!("cover.{ext}")), bytes, mime })
            }
            Err(why) => {
                errors.push(
                    Diagnostic::new(&lint::MISSING_IMAGE, format!("the cover `{rel}`: {why}"))
                        .with_file("book.toml")
                        .with_hint("set `[book] cover` to a PNG, JPEG, GIF, SVG or WebP file inside the report"),
                );
                None
            }
        }
    });
    let mut map = ImageMap::new();
    let mut files = Vec::new();
    for article in report.articles() {
        for image in article.images() {
            let ImageSrc::Local(rel) = &image.src else { continue };
            if map.contains_key(rel) {
                continue;
            }
            match read_image(root, rel) {
                Ok((bytes, mime, ext)) => {
                    // Named for what it is: a JPEG saved as `x.png` is `x.jpg`.
                    let file = rel.rsplit('/').next().unwrap_or(rel);
                    let named = media_type(file).is_some_and(|(m, _)| m == mime);
                    let file = if named {
                        file.to_string()
                    } else {
                        format!("{}.{ext}", file.rsplit_once('.').map_or(file, |(stem, _)| stem))
                    };
                    let href = unique_name(&mut names, &file);
                    map.insert(rel.clone(), href.clone());
                    let bytes = if mime == "image/svg+xml" { crate::svg::clean(bytes).bytes } else { bytes };
                    files.push(Resource { href, bytes, mime });
                }
                Err(why) => errors.push(
                    Diagnostic::new(&lint::MISSING_IMAGE, format!("image `{rel}`: {why}"))
                        .with_file(&article.path)
                        .with_line(image.line)
                        .with_hint("check that the image exists inside the report folder"),
                ),
            }
        }
    }
    Images { cover, files, map }
}

/// The report's own stylesheet at `rel` when it has one, else `default`.
pub fn read_stylesheet(root: &Root, rel: &str, default: &str) -> Result<String, Diagnostic> {
    match root.resolve(rel) {
        Ok(path) if path.is_file() => fsutil::read_text(&path, std::path::Path::new(rel)),
        _ => Ok(default.to_string()),
    }
}

/// An image's bytes, media type and extension, read inside the root.
pub fn read_image(root: &Root, rel: &str) -> Result<(Vec<u8>, &'static str, &'static str), String> {
    let path = root.resolve(rel).map_err(|e| e.describe("image", rel))?;
    let bytes = root.read(&path).map_err(|e| match e.kind() {
        std::io::ErrorKind::NotFound => "no such file".to_string(),
        _ => e.to_string(),
    })?;
    // The bytes decide over the name (a JPEG named `.png` is a JPEG).
    let (mime, ext) = match (media_type(rel), sniff_media_type(&bytes)) {
        (Some(named), Some(found)) if named.0 != found.0 && found.1 != "svg" => found,
        (Some(named), _) => named,
        (None, Some(found)) => found,
        (None, None) => return Err("not a PNG, JPEG, GIF, SVG or WebP image".to_string()),
    };
    Ok((bytes, mime, ext))
}

/// `images/<name>`, made of safe characters and unique (ignoring case).
pub fn unique_name(used: &mut HashSet<String>, file: &str) -> String {
    let safe: String =
        file.chars().map(|c| if c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_') { c } else { '-' }).collect();
    let safe = safe.trim_start_matches('.').to_string();
    let (stem, ext) = match safe.rsplit_once('.') {
        Some((s, e)) if !s.is_empty() => (s.to_string(), format!(".{e}")),
        _ => (if safe.is_empty() { "image".to_string() } else { safe.clone() }, String::new()),
    };
    let mut name = format!("{stem}{ext}");
    let mut n = 2;
    while !used.insert(name.to_ascii_lowercase()) {
        name = format!("{stem}-{n}{ext}");
        n += 1;
    }
    format!("images/{name}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn image_names() {
        let mut used = HashSet::new();
        assert_eq!(unique_name(&mut used, "a b.PNG"), "images/a-b.PNG");
        assert_eq!(unique_name(&mut used, "a-b.png"), "images/a-b-2.png");
        assert_eq!(unique_name(&mut used, ".hidden"), "images/hidden");
    }
}
