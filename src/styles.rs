//! The built-in template and stylesheets, as shipped in `styles/`: used
//! when a report has none of its own, and copied by `init` for editing.

/// The Typst template (`styles/report.typ`).
pub const TEMPLATE: &str = include_str!("../styles/report.typ");
/// The EPUB's stylesheet (`styles/epub.css`).
pub const EPUB_CSS: &str = include_str!("../styles/epub.css");
/// The web edition's stylesheet (`styles/site.css`).
pub const SITE_CSS: &str = include_str!("../styles/site.css");
