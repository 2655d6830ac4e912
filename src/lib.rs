//! coala-report: compiles an annual report (book.toml + markdown articles)
//! into a typeset PDF, an EPUB 3 and a web edition.
//!
//! The folders follow the pipeline; a module imports only from its own
//! layer or the layers below it:
//!
//! - `commands` (the command line, `build`, `check`, `watch`, `init`, the
//!   preview server), over
//! - `output` (the Typst source, PDF, EPUB, web edition, fonts), over
//! - `passes` (what runs on the loaded report: glossary, citations,
//!   contributors), over
//! - `input` (reading the articles: front matter, markdown, math), over
//! - `words` (the words the tool adds, in every language), over
//! - `model` (the document: report, articles, blocks, inlines), over
//! - `config` (book.toml), over
//! - `dates`, `diag`, `lint`, `fsutil`, `media`, `parallel`, `styles`, `svg` (diagnostics,
//!   files, threads, the built-in template and stylesheets, SVG images made safe).

pub mod commands;
pub mod config;
pub mod dates;
pub mod diag;
pub mod fsutil;
pub mod input;
pub mod lint;
pub mod media;
pub mod model;
pub mod output;
pub mod parallel;
pub mod passes;
pub mod pipeline;
pub mod styles;
pub mod svg;
pub mod words;
