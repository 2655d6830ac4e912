//! The Word package: a zip of XML parts, read as untrusted input. Sizes are
//! capped (a zip bomb inflates to at most [`MAX_TOTAL`]), part names that are
//! absolute or climb out with `..` are refused, XML is parsed without DTDs
//! (no entity expansion) and with a cap on its nodes.

use std::collections::{BTreeMap, HashMap};
use std::io::Read;

/// The most one part may inflate to.
pub const MAX_PART: u64 = 64 << 20;
/// The most all parts together may inflate to.
pub const MAX_TOTAL: u64 = 256 << 20;
/// The most parts a package may hold.
pub const MAX_PARTS: usize = 10_000;
/// The most XML nodes one part may hold.
pub const MAX_NODES: u32 = 4_000_000;

/// Why a package cannot be read at all.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PackageError(pub String);

/// The parts of a package by name (without a leading `/`), inflated.
pub struct Package {
    parts: BTreeMap<String, Vec<u8>>,
    /// Part names refused as unsafe (absolute, `..`), for a warning.
    pub refused: Vec<String>,
}

impl Package {
    pub fn open(bytes: &[u8]) -> Result<Package, PackageError> {
        if !bytes.starts_with(b"PK") {
            return Err(PackageError(
                "this is not a Word document (.docx is a zip package; this file is not a zip)".into(),
            ));
        }
        let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes))
            .map_err(|e| PackageError(format!("the Word package is damaged: {e}")))?;
        if zip.len() > MAX_PARTS {
            return Err(PackageError(format!("the Word package has {} parts (at most {MAX_PARTS})", zip.len())));
        }
        let mut parts = BTreeMap::new();
        let mut refused = Vec::new();
        let mut total = 0u64;
        for i in 0..zip.len() {
            let mut entry = zip.by_index(i).map_err(|e| PackageError(format!("the Word package is damaged: {e}")))?;
            if entry.is_dir() {
                continue;
            }
            let raw = entry.name().to_string();
            let Some(name) = safe_name(&raw) else {
                refused.push(raw);
                continue;
            };
            let mut data = Vec::new();
            let read = (&mut entry)
                .take(MAX_PART + 1)
                .read_to_end(&mut data)
                .map_err(|e| PackageError(format!("the part `{name}` of the Word package is damaged: {e}")))?;
            if read as u64 > MAX_PART {
                return Err(PackageError(format!(
                    "the part `{name}` inflates to more than {} MiB (a zip bomb, or an image too large for a report)",
                    MAX_PART >> 20
                )));
            }
            total += read as u64;
            if total > MAX_TOTAL {
                return Err(PackageError(format!(
                    "the Word package inflates to more than {} MiB (a zip bomb?)",
                    MAX_TOTAL >> 20
                )));
            }
            parts.insert(name, data);
        }
        Ok(Package { parts, refused })
    }

    pub fn part(&self, name: &str) -> Option<&[u8]> {
        self.parts.get(name).map(Vec::as_slice).or_else(|| {
            // Part names are case-insensitive (ECMA-376 part 2, 6.2.2.3).
            let lower = name.to_ascii_lowercase();
            self.parts.iter().find(|(k, _)| k.to_ascii_lowercase() == lower).map(|(_, v)| v.as_slice())
        })
    }

    /// A part's text: UTF-8 (or UTF-16 with a BOM), without a BOM.
    pub fn text(&self, name: &str) -> Option<String> {
        let bytes = self.part(name)?;
        decode(bytes)
    }

    /// The relationships of `part` (from `folder/_rels/name.rels`), by id,
    /// with internal targets resolved to part names.
    pub fn relationships(&self, part: &str) -> HashMap<String, Rel> {
        let (folder, file) = part.rsplit_once('/').unwrap_or(("", part));
        let rels_name =
            if folder.is_empty() { format!("_rels/{file}.rels") } else { format!("{folder}/_rels/{file}.rels") };
        let mut out = HashMap::new();
        let Some(text) = self.text(&rels_name) else { return out };
        let Ok(doc) = parse_xml(&text) else { return out };
        for rel in
            doc.root().descendants().filter(|n| n.has_tag_name("Relationship") || n.tag_name().name() == "Relationship")
        {
            let (Some(id), Some(target)) = (rel.attribute("Id"), rel.attribute("Target")) else { continue };
            let kind = rel.attribute("Type").unwrap_or("").rsplit('/').next().unwrap_or("").to_string();
            let external = rel.attribute("TargetMode").is_some_and(|m| m.eq_ignore_ascii_case("external"));
            let target = if external {
                Target::External(target.to_string())
            } else {
                match resolve(folder, target) {
                    Some(name) => Target::Part(name),
                    None => Target::Refused(target.to_string()),
                }
            };
            out.insert(id.to_string(), Rel { kind, target });
        }
        out
    }

    /// The main document part (from the package's relationships; usually
    /// `word/document.xml`).
    pub fn main_part(&self) -> Option<String> {
        let rels = self.relationships("");
        let mut found: Vec<&Rel> = rels.values().filter(|r| r.kind == "officeDocument").collect();
        found.sort_by_key(|r| match &r.target {
            Target::Part(p) => p.clone(),
            _ => String::new(),
        });
        for rel in found {
            if let Target::Part(name) = &rel.target
                && self.part(name).is_some()
            {
                return Some(name.clone());
            }
        }
        self.part("word/document.xml").map(|_| "word/document.xml".to_string())
    }
}

#[derive(Debug, Clone)]
pub struct Rel {
    /// The last segment of the relationship type (`image`, `hyperlink`,
    /// `footnotes`...).
    pub kind: String,
    pub target: Target,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// A part of the package, by name.
    Part(String),
    /// A URL or a file outside the package.
    External(String),
    /// An internal target that leaves the package.
    Refused(String),
}

/// A part name as stored, made relative; `None` when absolute after its
/// slash, or when `..` climbs out.
fn safe_name(raw: &str) -> Option<String> {
    let trimmed = raw.strip_prefix('/').unwrap_or(raw);
    if trimmed.contains('\\') || trimmed.contains(':') || trimmed.starts_with('/') {
        return None;
    }
    resolve("", trimmed)
}

/// `target` relative to the folder `base` (or absolute from the package's
/// root when it starts with `/`), with `.` and `..` resolved; `None` when
/// it leaves the package.
pub fn resolve(base: &str, target: &str) -> Option<String> {
    let target = target.split(['#', '?']).next().unwrap_or(target);
    let (mut parts, rest): (Vec<&str>, &str) = match target.strip_prefix('/') {
        Some(abs) => (Vec::new(), abs),
        None => (base.split('/').filter(|s| !s.is_empty()).collect(), target),
    };
    for seg in rest.split('/') {
        match seg {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            s => parts.push(s),
        }
    }
    (!parts.is_empty()).then(|| parts.join("/"))
}

fn decode(bytes: &[u8]) -> Option<String> {
    if let Some(rest) = bytes.strip_prefix(&[0xff, 0xfe]) {
        let units: Vec<u16> = rest.chunks_exact(2).map(|c| u16::from_le_bytes([c[0], c[1]])).collect();
        return String::from_utf16(&units).ok();
    }
    if let Some(rest) = bytes.strip_prefix(&[0xfe, 0xff]) {
        let units: Vec<u16> = rest.chunks_exact(2).map(|c| u16::from_be_bytes([c[0], c[1]])).collect();
        return String::from_utf16(&units).ok();
    }
    let bytes = bytes.strip_prefix(b"\xef\xbb\xbf").unwrap_or(bytes);
    String::from_utf8(bytes.to_vec()).ok()
}

/// XML without a DTD (so no entities to expand) and with a cap on nodes.
pub fn parse_xml(text: &str) -> Result<roxmltree::Document<'_>, roxmltree::Error> {
    let options = roxmltree::ParsingOptions { allow_dtd: false, nodes_limit: MAX_NODES, ..Default::default() };
    roxmltree::Document::parse_with_options(text, options)
}

/// The attribute whose local name is `name`, in whatever namespace (Word
/// writes `w:val`; strict OOXML another URI; some writers none).
pub fn attr<'a>(node: roxmltree::Node<'a, '_>, name: &str) -> Option<&'a str> {
    node.attributes().find(|a| a.name() == name).map(|a| a.value())
}

/// The first child element with the local name `name`.
pub fn child<'a, 'i>(node: roxmltree::Node<'a, 'i>, name: &str) -> Option<roxmltree::Node<'a, 'i>> {
    node.children().find(|c| c.is_element() && c.tag_name().name() == name)
}

/// The local name of an element.
pub fn name<'a>(node: roxmltree::Node<'a, '_>) -> &'a str {
    node.tag_name().name()
}

/// A toggle property (`<w:b/>`, `<w:b w:val="0"/>`): `None` when absent.
pub fn toggle(props: Option<roxmltree::Node<'_, '_>>, name: &str) -> Option<bool> {
    let node = child(props?, name)?;
    Some(!matches!(attr(node, "val"), Some("0" | "false" | "off" | "none")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn part_names_stay_inside_the_package() {
        assert_eq!(resolve("word", "media/image1.png").as_deref(), Some("word/media/image1.png"));
        assert_eq!(resolve("word", "../customXml/item1.xml").as_deref(), Some("customXml/item1.xml"));
        assert_eq!(resolve("word", "/word/document.xml").as_deref(), Some("word/document.xml"));
        assert_eq!(resolve("word", "../../etc/passwd"), None);
        assert_eq!(safe_name("../evil.xml"), None);
        assert_eq!(safe_name("C:\\evil.xml"), None);
        assert_eq!(safe_name("/word/document.xml").as_deref(), Some("word/document.xml"));
    }

    #[test]
    fn not_a_zip_is_a_clear_error() {
        let err = Package::open(b"{\\rtf1 hello}").err().unwrap();
        assert!(err.0.contains("not a zip"), "{}", err.0);
        let err = Package::open(b"PK\x03\x04garbage").err().unwrap();
        assert!(err.0.contains("damaged"), "{}", err.0);
    }

    #[test]
    fn dtds_are_refused() {
        let bomb = "<?xml version=\"1.0\"?><!DOCTYPE l [<!ENTITY a \"aaaa\"><!ENTITY b \"&a;&a;\">]><l>&b;</l>";
        assert!(parse_xml(bomb).is_err());
    }

    #[test]
    fn a_zip_bomb_is_refused() {
        let mut buf = std::io::Cursor::new(Vec::new());
        {
            let mut zip = zip::ZipWriter::new(&mut buf);
            let options = zip::write::SimpleFileOptions::default()
                .compression_method(zip::CompressionMethod::Deflated)
                .large_file(true);
            zip.start_file("word/document.xml", options).unwrap();
            let zeros = vec![0u8; 1 << 20];
            for _ in 0..(MAX_PART >> 20) + 1 {
                std::io::Write::write_all(&mut zip, &zeros).unwrap();
            }
            zip.finish().unwrap();
        }
        let bytes = buf.into_inner();
        assert!(bytes.len() < 1 << 20, "the bomb is small: {}", bytes.len());
        let err = Package::open(&bytes).err().unwrap();
        assert!(err.0.contains("inflates to more than"), "{}", err.0);
    }
}
