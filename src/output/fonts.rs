//! The fonts a build typesets with: the fonts embedded in the binary
//! (typst's Libertinus Serif, New Computer Modern, DejaVu Sans Mono: Latin,
//! Greek, Cyrillic; Noto Naskh Arabic; with the `cjk-fonts` feature, on by
//! default, Noto Serif and Sans CJK SC subset to GB 2312, from `fonts/`),
//! then the report's own `styles/fonts/` (read only inside the
//! root), the folders of `[build] font-paths`, and the system's fonts with
//! `--system-fonts`. Typst falls back to any of them for a character the
//! template's fonts lack; [`missing_glyphs`] warns, before typesetting, about
//! the characters no font has (typst would draw an empty box).
//!
//! Font folders are scanned once per process for each list of folders and
//! their files (name, size, modification time): `watch` rebuilds reuse the
//! store until a font file changes.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock};

use typst::layout::{Frame, FrameItem};
use typst::text::{FontBook, FontInfo};
use typst_kit::fonts::{FontPath, FontStore};
use typst_layout::PagedDocument;
use unicode_script::{Script, UnicodeScript};

use crate::config::Manifest;
use crate::diag::Diagnostic;
use crate::fsutil::Root;
use crate::lint;
use crate::model::{Article, Block, BlockKind, Inline, Report};

/// The report's own fonts, relative to the root.
pub const REPORT_FONTS: &str = "styles/fonts";

/// The folders where Debian and most Unix systems keep fonts.
const SYSTEM_DIRS: &[&str] = &["/usr/share/fonts", "/usr/local/share/fonts"];

/// Which fonts a build uses, besides the embedded ones.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct FontConfig {
    /// `[build] font-paths`: absolute, or relative to the report root.
    pub paths: Vec<String>,
    /// `--system-fonts`.
    pub system: bool,
}

/// A font folder, and whether its files must stay inside the root.
struct Folder {
    path: PathBuf,
    confined: bool,
}

/// The font store for a report: embedded fonts, then `styles/fonts/`,
/// `font-paths` and (when asked) the system's. Warnings name folders that
/// do not exist.
pub fn store(root: &Root, config: &FontConfig) -> (Arc<FontStore>, Vec<Diagnostic>) {
    let mut warnings = Vec::new();
    let mut folders = Vec::new();
    if let Ok(path) = root.resolve(REPORT_FONTS)
        && path.is_dir()
    {
        folders.push(Folder { path, confined: true });
    }
    for entry in &config.paths {
        let path = Path::new(entry);
        let resolved = if path.is_absolute() {
            Ok(path.to_path_buf())
        } else {
            root.resolve(entry).map_err(|e| (e.describe("font folder", entry), e.hint()))
        };
        match resolved {
            Ok(p) if p.is_dir() => folders.push(Folder { path: p, confined: !path.is_absolute() }),
            Ok(_) => warnings.push(
                Diagnostic::new(&lint::MISSING_FONT_FOLDER, format!("the font folder `{entry}` does not exist"))
                    .with_file(crate::config::MANIFEST)
                    .with_hint(
                        "install the fonts (e.g. `apt-get install fonts-noto-core fonts-noto-cjk`) or fix `[build] font-paths`",
                    ),
            ),
            Err((message, hint)) => {
                warnings.push(Diagnostic::new(&lint::MISSING_FONT_FOLDER, message).with_file(crate::config::MANIFEST).with_hint(hint))
            }
        }
    }
    if config.system {
        let mut dirs: Vec<PathBuf> = SYSTEM_DIRS.iter().map(PathBuf::from).collect();
        if let Some(home) = std::env::var_os("HOME") {
            dirs.push(Path::new(&home).join(".local/share/fonts"));
            dirs.push(Path::new(&home).join(".fonts"));
        }
        folders.extend(dirs.into_iter().filter(|d| d.is_dir()).map(|path| Folder { path, confined: false }));
    }
    (cached(root, &folders), warnings)
}

/// The store of the embedded fonts alone.
pub fn embedded() -> Arc<FontStore> {
    static EMBEDDED: OnceLock<Arc<FontStore>> = OnceLock::new();
    EMBEDDED.get_or_init(|| Arc::new(with_files(&[]))).clone()
}

/// The font files of the folders (sorted, so the store's order is stable),
/// with what identifies their version.
type FileKey = (PathBuf, u64, Option<std::time::SystemTime>);

fn cached(root: &Root, folders: &[Folder]) -> Arc<FontStore> {
    if folders.is_empty() {
        return embedded();
    }
    let mut files: Vec<FileKey> = Vec::new();
    for folder in folders {
        walk(root, folder, &folder.path, &mut files, 0);
    }
    static CACHE: OnceLock<Mutex<HashMap<Vec<FileKey>, Arc<FontStore>>>> = OnceLock::new();
    let cache = CACHE.get_or_init(Default::default);
    if let Some(store) = cache.lock().unwrap_or_else(|e| e.into_inner()).get(&files) {
        return store.clone();
    }
    let store = Arc::new(with_files(&files));
    cache.lock().unwrap_or_else(|e| e.into_inner()).insert(files, store.clone());
    store
}

/// Collects the font files under `dir` (recursively, in name order).
/// Confined folders skip anything that resolves outside the root.
fn walk(root: &Root, folder: &Folder, dir: &Path, out: &mut Vec<FileKey>, depth: usize) {
    if depth > 16 {
        return;
    }
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    let mut paths: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
    paths.sort();
    for path in paths {
        if folder.confined && !path.canonicalize().is_ok_and(|real| real.starts_with(root.path())) {
            continue;
        }
        let Ok(meta) = std::fs::metadata(&path) else { continue };
        if meta.is_dir() {
            walk(root, folder, &path, out, depth + 1);
        } else if meta.is_file() && is_font_file(&path) {
            out.push((path, meta.len(), meta.modified().ok()));
        }
    }
}

fn is_font_file(path: &Path) -> bool {
    let ext = path.extension().and_then(|e| e.to_str()).unwrap_or("").to_ascii_lowercase();
    matches!(ext.as_str(), "ttf" | "otf" | "ttc" | "otc")
}

/// The font files coala-report embeds besides typst's own (`fonts/`, made
/// by `fonts/make.sh`).
pub const EMBEDDED_FILES: &[&[u8]] = &[
    include_bytes!("../../fonts/NotoNaskhArabic-Regular.ttf"),
    include_bytes!("../../fonts/NotoNaskhArabic-Bold.ttf"),
    #[cfg(feature = "cjk-fonts")]
    include_bytes!("../../fonts/NotoSerifCJKsc-Regular-gb2312.otf"),
    #[cfg(feature = "cjk-fonts")]
    include_bytes!("../../fonts/NotoSerifCJKsc-Bold-gb2312.otf"),
    #[cfg(feature = "cjk-fonts")]
    include_bytes!("../../fonts/NotoSansCJKsc-Regular-gb2312-1.otf"),
    #[cfg(feature = "cjk-fonts")]
    include_bytes!("../../fonts/NotoSansCJKsc-Bold-gb2312-1.otf"),
];

/// Embedded fonts first (the template's defaults win ties), then the files.
/// A file's faces are read for their metadata now, loaded when typst asks.
fn with_files(files: &[FileKey]) -> FontStore {
    let mut store = FontStore::new();
    store.extend(typst_kit::fonts::embedded());
    store.extend(EMBEDDED_FILES.iter().flat_map(|data| {
        typst::text::Font::iter(typst::foundations::Bytes::new(*data)).map(|font| {
            let info = font.info().clone();
            (font, info)
        })
    }));
    for (path, ..) in files {
        let Ok(data) = std::fs::read(path) else { continue };
        let count = ttf_faces(&data);
        for index in 0..count {
            if let Some(info) = FontInfo::new(&data, index) {
                store.push((FontPath { path: path.clone(), index }, info));
            }
        }
    }
    store
}

/// The number of faces in a font file (a collection has several).
fn ttf_faces(data: &[u8]) -> u32 {
    if data.starts_with(b"ttcf") && data.len() >= 12 {
        u32::from_be_bytes([data[8], data[9], data[10], data[11]]).min(256)
    } else {
        1
    }
}

// ---------------------------------------------------------- missing glyphs ---

/// Warns about every character of the report that no font has, once per
/// article, at the first line that uses it.
pub fn missing_glyphs(report: &Report, manifest: &Manifest, book: &FontBook) -> Vec<Diagnostic> {
    let mut infos = Vec::new();
    while let Some(info) = book.info(infos.len()) {
        infos.push(info);
    }
    let mut known: HashMap<char, bool> = HashMap::new();
    let mut covered = |c: char| *known.entry(c).or_insert_with(|| infos.iter().any(|i| i.coverage.contains(c as u32)));
    let mut out = Vec::new();
    // The words the template adds ("Contents", "Part"...) in the report's
    // language: reported at book.toml.
    let language = &manifest.book.language;
    let mut furniture: Vec<char> = crate::words::Labels::for_language(language)
        .typst_dict()
        .chars()
        .filter(|&c| !ignorable(c) && !covered(c))
        .collect();
    furniture.sort_unstable();
    furniture.dedup();
    for c in furniture {
        out.push(
            Diagnostic::new(
                &lint::MISSING_GLYPH,
                format!(
                    "no available font has the character U+{:04X} `{c}` of the report's headings and labels \
                 in `{language}`: it would print as an empty box",
                    c as u32
                ),
            )
            .with_file(crate::config::MANIFEST)
            .with_hint(font_hint(c)),
        );
    }
    for article in report.articles() {
        let mut missing: BTreeMap<char, usize> = BTreeMap::new();
        for (line, text) in article_text(article) {
            for c in text.chars() {
                if !ignorable(c) && !covered(c) {
                    let first = missing.entry(c).or_insert(line);
                    *first = (*first).min(line);
                }
            }
        }
        let mut missing: Vec<(char, usize)> = missing.into_iter().collect();
        missing.sort_by_key(|&(c, line)| (line, c));
        for (c, line) in missing {
            out.push(
                Diagnostic::new(
                    &lint::MISSING_GLYPH,
                    format!(
                        "no available font has the character U+{:04X} `{c}`: it would print as an empty box",
                        c as u32
                    ),
                )
                .with_file(&article.path)
                .with_line(line)
                .with_hint(font_hint(c)),
            );
        }
    }
    out
}

/// How to add a font for the character's script: the Debian package and the
/// `font-paths` line that cover it.
fn font_hint(c: char) -> String {
    let script = c.script();
    let what = if matches!(script, Script::Common | Script::Inherited | Script::Unknown) {
        "a font that has it".to_string()
    } else {
        format!("a font for the {} script", script.full_name().replace('_', " "))
    };
    match debian_fonts(c) {
        Some((package, folder)) => format!(
            "add {what}: `apt-get install {package}` and `font-paths = [\"{folder}\"]` in book.toml's [build], \
             put one in styles/fonts/, or build with --system-fonts"
        ),
        None => format!(
            "add {what}: put it in styles/fonts/, name its folder in `[build] font-paths` \
             (e.g. Debian's fonts-noto-core or fonts-noto-cjk), or build with --system-fonts"
        ),
    }
}

/// The Debian package (and its folder) with a Noto font for the
/// character's script; none for symbols other than emoji.
fn debian_fonts(c: char) -> Option<(&'static str, &'static str)> {
    const CORE: (&str, &str) = ("fonts-noto-core", "/usr/share/fonts/truetype/noto");
    match c.script() {
        Script::Han | Script::Hiragana | Script::Katakana | Script::Hangul | Script::Bopomofo => {
            Some(("fonts-noto-cjk", "/usr/share/fonts/opentype/noto"))
        }
        Script::Common | Script::Inherited | Script::Unknown => match c as u32 {
            0x1F000..=0x1FAFF | 0x2600..=0x27BF => Some(("fonts-noto-color-emoji", "/usr/share/fonts/truetype/noto")),
            0x3000..=0x303F | 0xFF00..=0xFFEF => Some(("fonts-noto-cjk", "/usr/share/fonts/opentype/noto")),
            _ => None,
        },
        _ => Some(CORE),
    }
}

/// Characters that need no glyph: spaces, controls, format characters
/// (bidi marks, joiners, variation selectors, the break opportunities
/// coala-report inserts) and the soft hyphen.
fn ignorable(c: char) -> bool {
    c.is_whitespace()
        || c.is_control()
        || matches!(c as u32,
            0x00AD | 0x034F | 0x061C | 0x115F..=0x1160 | 0x17B4..=0x17B5 | 0x180B..=0x180F
            | 0x200B..=0x200F | 0x202A..=0x202E | 0x2060..=0x206F | 0x3164 | 0xFE00..=0xFE0F
            | 0xFEFF | 0xFFA0 | 0xFFF0..=0xFFF8 | 0x1BCA0..=0x1BCA3 | 0x1D173..=0x1D17A
            | 0xE0000..=0xE0FFF)
}

/// The text an article prints, as (markdown line, text) pairs: the title,
/// the subtitle, the abstract, every block and footnote. Math is left out
/// (its LaTeX source is not what prints).
pub fn article_text(article: &Article) -> Vec<(usize, String)> {
    let mut out = Vec::new();
    let mut title = String::new();
    inline_text(&article.title, &mut title);
    let mut title = title.replace('\n', " ");
    if let Some(sub) = &article.subtitle {
        title.push(' ');
        title.push_str(sub);
    }
    out.push((1, title));
    for block in article.all_blocks() {
        block_text(block, &mut out);
    }
    out
}

/// The text one block prints itself (nested blocks are visited on their own).
fn block_text(block: &Block, out: &mut Vec<(usize, String)>) {
    let mut text = String::new();
    match &block.kind {
        BlockKind::Paragraph(inlines) | BlockKind::Heading { content: inlines, .. } => inline_text(inlines, &mut text),
        BlockKind::Callout { title: Some(t), .. } => text.push_str(t),
        BlockKind::Quote(_) | BlockKind::Callout { .. } | BlockKind::List { .. } => {}
        BlockKind::DefinitionList { items, .. } => items.iter().for_each(|i| inline_text(&i.term, &mut text)),
        BlockKind::Code { code, .. } => text.push_str(code),
        BlockKind::Table { header, rows, caption, .. } => {
            for cell in header.iter().chain(rows.iter().flatten()).chain(std::iter::once(caption)) {
                let mut cell_text = String::new();
                inline_text(cell, &mut cell_text);
                text.push_str(&cell_text.replace('\n', " "));
                text.push(' ');
            }
        }
        BlockKind::Figure { image, caption, .. } => {
            text.push_str(&image.alt);
            inline_text(caption, &mut text);
        }
        BlockKind::Math { .. } | BlockKind::Rule | BlockKind::Anchor(_) => {}
    }
    // Soft and hard line breaks are kept as `\n`: each line of a paragraph
    // gets its own markdown line (a code block's first line follows its fence).
    let first = if matches!(block.kind, BlockKind::Code { .. }) { block.line + 1 } else { block.line };
    for (i, line) in text.split('\n').enumerate() {
        if !line.is_empty() {
            out.push((first + i, line.to_string()));
        }
    }
}

/// The printed text of inlines; line breaks kept as `\n` (each line of a
/// paragraph is checked at its own markdown line), math left out.
fn inline_text(inlines: &[Inline], out: &mut String) {
    crate::model::push_text(inlines, crate::model::TextOptions { math: false, line_breaks: '\n' }, out);
}

// ----------------------------------------------------------- font fallback ---

/// Text of one script that one font set in the typeset document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScriptUse {
    pub script: Script,
    /// The font's family name.
    pub family: String,
    /// The characters it set.
    pub chars: usize,
    /// The first run of the script it set (up to 24 characters).
    pub sample: String,
    /// The first page it is on (from 1).
    pub page: usize,
}

/// Which font set which script in the document, in the order first met.
/// Characters of no particular script (digits, punctuation, marks) are left
/// out.
pub fn scripts(document: &PagedDocument) -> Vec<ScriptUse> {
    let mut out: Vec<ScriptUse> = Vec::new();
    for (i, page) in document.pages().iter().enumerate() {
        frame_scripts(&page.frame, i + 1, &mut out);
    }
    out
}

fn frame_scripts(frame: &Frame, page: usize, out: &mut Vec<ScriptUse>) {
    for (_, item) in frame.items() {
        match item {
            FrameItem::Group(group) => frame_scripts(&group.frame, page, out),
            FrameItem::Text(text) => {
                let family = &text.font.info().family;
                let mut run: Option<(Script, String)> = None;
                let flush = |run: &mut Option<(Script, String)>, out: &mut Vec<ScriptUse>| {
                    let Some((script, sample)) = run.take() else { return };
                    let sample = sample.trim_end();
                    let chars = sample.chars().filter(|c| c.script() == script).count();
                    match out.iter_mut().find(|u| u.script == script && &u.family == family) {
                        Some(u) => u.chars += chars,
                        None => out.push(ScriptUse {
                            script,
                            family: family.clone(),
                            chars,
                            sample: sample.chars().take(24).collect(),
                            page,
                        }),
                    }
                };
                for c in text.text.chars() {
                    let script = c.script();
                    if matches!(script, Script::Common | Script::Inherited | Script::Unknown) {
                        // Spaces and marks inside a run stay in its sample.
                        if let Some((_, sample)) = &mut run {
                            sample.push(c);
                        }
                        continue;
                    }
                    if run.as_ref().is_some_and(|(s, _)| *s != script) {
                        flush(&mut run, out);
                    }
                    run.get_or_insert_with(|| (script, String::new())).1.push(c);
                }
                flush(&mut run, out);
            }
            _ => {}
        }
    }
}

/// What a font is, when it is one coala-report knows is not made for every
/// script it has glyphs of: the scripts it is made for and how to name it.
fn known_font(family: &str) -> Option<(&'static [Script], &'static str)> {
    use Script::*;
    Some(match family.to_ascii_lowercase().as_str() {
        "dejavu sans mono" => (&[Latin, Greek, Cyrillic, Armenian, Georgian], "the code font"),
        "new computer modern math" | "libertinus math" => (&[Latin, Greek], "a math font"),
        "libertinus serif" | "libertinus sans" => (&[Latin, Greek, Cyrillic, Hebrew], "a Latin face"),
        "new computer modern" => {
            (&[Latin, Greek, Cyrillic, Hebrew, Armenian, Georgian, Cherokee, Coptic], "a Latin face")
        }
        "dejavu sans" | "dejavu serif" => (&[Latin, Greek, Cyrillic, Armenian, Georgian], "a Latin face"),
        _ => return None,
    })
}

/// Whether a font is made for a script: the fonts coala-report knows by
/// their table, a font naming a script (Noto Sans Devanagari) or CJK in its
/// family for that script (and Latin), any other font for what it has.
fn made_for(family: &str, script: Script) -> bool {
    if let Some((scripts, _)) = known_font(family) {
        return scripts.contains(&script);
    }
    let compact: String = family.chars().filter(|c| c.is_alphanumeric()).collect::<String>().to_lowercase();
    let is_cjk = compact.contains("cjk");
    let named = |s: Script| compact.contains(&s.full_name().replace('_', "").to_lowercase());
    if is_cjk {
        return matches!(
            script,
            Script::Han | Script::Hiragana | Script::Katakana | Script::Hangul | Script::Bopomofo | Script::Latin
        );
    }
    // A family named after scripts is made for those (and Latin); without a
    // script in its name, it is trusted for what it has.
    let names_a_script = NAMED_SCRIPTS.iter().any(|&s| named(s));
    !names_a_script || named(script) || script == Script::Latin
}

/// The scripts whose name a font family may carry (Noto's, in the main).
const NAMED_SCRIPTS: &[Script] = &[
    Script::Arabic,
    Script::Armenian,
    Script::Bengali,
    Script::Devanagari,
    Script::Ethiopic,
    Script::Georgian,
    Script::Gujarati,
    Script::Gurmukhi,
    Script::Hebrew,
    Script::Kannada,
    Script::Khmer,
    Script::Lao,
    Script::Malayalam,
    Script::Myanmar,
    Script::Oriya,
    Script::Sinhala,
    Script::Syriac,
    Script::Tamil,
    Script::Telugu,
    Script::Thaana,
    Script::Thai,
    Script::Tibetan,
];

/// Warns about each script set in a font not made for it (typst falls back
/// to any font that has the glyphs: DejaVu Sans Mono for Arabic or Lao, the
/// math font for Devanagari), at the first article line with that text.
pub fn fallbacks(uses: &[ScriptUse], report: &Report) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    for u in uses.iter().filter(|u| !made_for(&u.family, u.script)) {
        let script = u.script.full_name().replace('_', " ");
        let what = known_font(&u.family).map_or("a font", |(_, what)| what);
        let first = u.sample.chars().next().unwrap_or(' ');
        let package = match debian_fonts(first) {
            Some((package, folder)) => format!(
                "`apt-get install {package}` and `font-paths = [\"{folder}\"]` in book.toml's [build] (Noto's {script} font), "
            ),
            None => String::new(),
        };
        let mut diagnostic = Diagnostic::new(
            &lint::FONT_FALLBACK,
            format!(
                "{script} text (`{}`, page {}) is set in {} ({what}), which is not made for {script}: no font made for it is available",
                u.sample, u.page, u.family
            ),
        )
        .with_hint(format!(
            "add a font for the {script} script: {package}put one in styles/fonts/, or build with --system-fonts"
        ));
        match locate(report, &u.sample) {
            Some((file, line)) => diagnostic = diagnostic.with_file(file).with_line(line),
            None => diagnostic = diagnostic.with_file(crate::config::MANIFEST),
        }
        out.push(diagnostic);
    }
    out
}

/// The first article line with the sample (or, failing that, its first
/// character).
fn locate(report: &Report, sample: &str) -> Option<(PathBuf, usize)> {
    let first: String = sample.chars().take(1).collect();
    let word: String = sample.split_whitespace().next().unwrap_or(sample).to_string();
    for needle in [word.as_str(), first.as_str()] {
        if needle.is_empty() {
            continue;
        }
        for article in report.articles() {
            if let Some((line, _)) = article_text(article).into_iter().find(|(_, text)| text.contains(needle)) {
                return Some((article.path.clone(), line));
            }
        }
    }
    None
}

/// The `--verbose` line: which font set which script.
pub fn describe(uses: &[ScriptUse]) -> String {
    let mut parts: Vec<String> = uses
        .iter()
        .map(|u| format!("{} in {} ({} characters)", u.script.full_name().replace('_', " "), u.family, u.chars))
        .collect();
    parts.sort();
    format!("scripts: {}", parts.join(", "))
}
