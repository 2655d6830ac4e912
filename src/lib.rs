//! coala-report: compiles an annual report (book.toml + markdown articles)
//! into a typeset PDF, an EPUB 3 and a web edition.
//!
//! The modules are layers; each imports only from the layers below it
//! (no import cycle, no arrow running back up):
//!
//! - `commands`: the command line (`cli`), `watch` and its preview server
//!   (`serve`), `init`, `import` (Word documents into markdown), `review`,
//!   `translations`, and how outcomes are shown (`progress`, `summary`); over
//! - `review`: Word proofs that came back, read against their sources; over
//! - `pipeline`: one checked plan per edition, the session that runs it
//!   (load, passes, typeset, one producer per format, the atomic write) for
//!   `build`, `check` and `watch`; over
//! - `output`: the Typst source, typesetting and the PDF, offprints, the
//!   XHTML emitter, the EPUB, the web edition (with its metadata and search
//!   index), the Word edition, the markdown writer, fonts, MathML; over
//! - `linkcheck`: `check --links`, the web links asked over the network
//!   (the only module that opens a socket, besides `watch --serve`); over
//! - `passes`: what runs on the loaded report (numbering, links, glossary,
//!   citations, contributors, what the PDF standards require); over
//! - `input`: reading an edition's articles (front matter, markdown, Word
//!   documents, math) and the translations' records; over
//! - `words` (the words the tool adds, in every language), over `model`
//!   (the document: report, articles, blocks, inlines; it imports nothing);
//!   and, beside them, `config` (`book.toml`, one file per table); over
//! - the foundation: `fsutil` (confined paths, the atomic writer, the
//!   build folder's lock) over `diag` (diagnostics) over `lint` (their
//!   names and levels); `dates`, `entities` (character references
//!   decoded), `media`, `parallel`, `styles` (the
//!   built-in template and stylesheets) and `svg` (SVG images made safe).

pub mod commands;
pub mod config;
pub mod dates;
pub mod diag;
pub mod entities;
pub mod fsutil;
pub mod input;
pub mod linkcheck;
pub mod lint;
pub mod media;
pub mod model;
pub mod output;
pub mod parallel;
pub mod passes;
pub mod pipeline;
pub mod review;
pub mod styles;
pub mod svg;
pub mod words;
