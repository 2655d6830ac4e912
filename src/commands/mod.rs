//! What the command line runs: arguments checked into options (`cli`),
//! which run the pipeline (`crate::pipeline`) for `build` and `check`;
//! `watch` with its preview server, `init`, `import` of Word documents, `translations`, and how
//! outcomes are shown (`progress`, `summary`).

pub mod cli;
pub mod import;
pub mod init;
pub mod progress;
pub mod review;
pub mod serve;
pub mod summary;
pub mod translations;
pub mod watch;
