//! The integration test suite: one binary (like mdBook's), with a harness
//! that copies fixture reports into temporary folders and runs the real
//! `coala-report` binary on them.

mod harness;

mod accessibility;
mod constructs;
mod contributions;
mod crossref;
mod docs;
mod docx;
mod docx_edition;
mod eips;
mod epub;
mod errors;
mod escaping;
mod features;
mod hostile;
mod i18n;
mod kramdown;
mod links;
mod offprints;
mod preview;
mod sample;
mod site;
mod specs;
mod workflow;
