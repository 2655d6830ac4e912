//! coala-report: compiles an annual report (book.toml + markdown articles)
//! into a typeset PDF and an EPUB 3.
//!
//! The pipeline, one module per stage:
//! `manifest` (book.toml) → `project` (articles loaded in order, with
//! `frontmatter`) → `markdown` (comrak → `doc`, the document model, resolved
//! once for the whole report) → `emit::typst` → `pdf` (typst World,
//! typesetting, export) → `build` (orchestration, atomic outputs) → `cli`.

pub mod build;
pub mod cite;
pub mod cli;
pub mod contributors;
pub mod diag;
pub mod doc;
pub mod emit;
pub mod epub;
pub mod fonts;
pub mod frontmatter;
pub mod fsutil;
pub mod glossary;
pub mod i18n;
pub mod init;
pub mod lint;
pub mod manifest;
pub mod markdown;
pub mod math;
pub mod parallel;
pub mod pdf;
pub mod progress;
pub mod project;
pub mod serve;
pub mod site;
pub mod summary;
pub mod watch;
