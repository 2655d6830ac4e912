//! The outputs: the Typst source (`typst`) typeset into the PDF (`pdf`,
//! with `fonts`), and the XHTML body (`xhtml`) shared by the EPUB (`epub`)
//! and the web edition (`site`); the typeset pages as SVG for `watch
//! --serve`'s preview (`pages`).

pub mod assets;
pub mod docx;
pub mod epub;
pub mod facts;
pub mod fonts;
pub mod markdown;
pub mod mathml;
pub mod offprint;
pub mod pages;
pub mod pdf;
pub mod preview;
pub mod search;
pub mod site;
pub mod sitemeta;
pub mod typst;
pub mod xhtml;
