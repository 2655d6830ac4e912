//! Emitters: pure functions from the document model to output text.

pub mod typst;
pub mod xhtml;
