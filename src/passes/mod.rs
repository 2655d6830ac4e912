//! Passes over the loaded report, run in order after the articles are read:
//! the glossary, citations and the contributors list.

pub mod citations;
pub mod contributors;
pub mod glossary;
