//! The large-report benchmark. Run it with `scripts/bench.sh`
//! (= `cargo bench --profile dev --bench report`); see docs/performance.md.
//!
//! Two corpora: a deterministic generated report of 200 articles (about
//! 1,000 pages, written to a temporary folder) and the 100 EIPs of
//! `../shared/corpus/eips` (skipped when absent). For each it measures:
//! markdown → Typst conversion (MB/s), typst layout, PDF export, the EPUB, the
//! full cold `coala-report build` (child process: wall and peak RSS), a
//! rebuild after a one-article edit in the same process (typst's incremental
//! caches kept in one `ReportWorld`), typst's own compile of the emitted
//! `.typ` (child process, same fonts), the edit loop of `watch --serve`
//! (from a file's save to the page preview showing the change,
//! over 100 rebuilds, with the memory they take), and Pandoc (`pandoc -f gfm
//! -t typst` compiled with the same typst, and `-t epub3`) when a pandoc is
//! installed.
//!
//! Then, with `docx` (or by default when `$COALA_DOCX_CORPUS` names folders
//! of Word documents), Word import beside `pandoc -f docx -t gfm`.
//!
//! Arguments: `generated`, `eips` and/or `docx` select a corpus (default all);
//! `--articles N` sizes the generated report; `--no-pandoc` skips Pandoc;
//! `--edit-loop` measures only a cold build and the edit loop;
//! `--rebuilds N` sets the edit loop's rebuilds (default 100);
//! `--site` measures only the web edition and its search index;
//! `--generate DIR [N]` only writes the generated report into DIR.

mod compile;
mod corpora;
mod corpus;
mod docx;
mod edit_loop;
mod measure;
mod pandoc;

use compile::*;
use corpora::*;
use corpus::*;
use docx::*;
use edit_loop::*;
use measure::*;
use pandoc::*;

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use coala_report::fsutil::Root;
use coala_report::output::pdf::{self, ExportOptions, ReportWorld};
use coala_report::output::xhtml::Rendered;
use coala_report::output::{self, epub, mathml};
use coala_report::passes;
use typst::diag::{FileError, FileResult};
use typst::foundations::{Bytes, Datetime};
use typst::syntax::{FileId, RootedPath, Source, VirtualPath, VirtualRoot};
use typst::text::{Font, FontBook};
use typst::utils::LazyHash;
use typst::{Library, LibraryExt, World};
use typst_kit::files::{FileLoader, FileStore};
use typst_kit::fonts::FontStore;
use typst_layout::PagedDocument;

const TIMESTAMP: i64 = 1_481_155_200; // 2016-12-08, as the sample report

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.first().map(String::as_str) {
        Some("--rusage") => return rusage_child(&args[1..]),
        // `--generate DIR [N]`: only write the generated report (for profiling).
        // (`cargo bench` appends `--bench`: only a number is taken as N.)
        Some("--generate") => {
            return generate(Path::new(&args[1]), args.get(2).and_then(|n| n.parse().ok()).unwrap_or(200));
        }
        Some("--compile") => return compile_child(Path::new(&args[1]), &args[2], args.get(3).map(String::as_str)),
        _ => {}
    }
    let mut corpora: Vec<&str> = Vec::new();
    let mut articles = 200usize;
    let mut pandoc_wanted = true;
    let mut only_edit_loop = false;
    let mut only_site = false;
    let mut rebuilds = 100usize;
    let mut it = args.iter();
    while let Some(arg) = it.next() {
        match arg.as_str() {
            "generated" | "eips" | "docx" => corpora.push(arg),
            "--articles" => articles = it.next().and_then(|n| n.parse().ok()).expect("--articles N"),
            "--no-pandoc" => pandoc_wanted = false,
            "--edit-loop" => only_edit_loop = true,
            "--site" => only_site = true,
            "--rebuilds" => rebuilds = it.next().and_then(|n| n.parse().ok()).expect("--rebuilds N"),
            _ => {} // `--bench` and other cargo arguments
        }
    }
    if corpora.is_empty() {
        corpora = vec!["generated", "eips", "docx"];
    }
    let pandoc = if pandoc_wanted { find_pandoc() } else { None };
    println!("coala-report benchmark: {} cores, {}", cores(), cpu_model());
    let work = tempfile::tempdir().expect("temporary folder");
    for corpus in corpora {
        if corpus == "docx" {
            run_docx(pandoc.as_deref());
            continue;
        }
        let root = work.path().join(corpus);
        let prepared = match corpus {
            "generated" => {
                generate(&root, articles);
                Some(format!("generated report, {articles} articles"))
            }
            _ => prepare_eips(&root).then(|| "EIP corpus, 100 EIPs".to_string()),
        };
        let Some(name) = prepared else { continue };
        if only_site {
            println!("\n== {name} ({})", root.display());
            let loaded = passes::load(&root, None).unwrap_or_else(|d| panic!("the report does not load: {d:?}"));
            site(&loaded);
        } else if only_edit_loop {
            println!("\n== {name} ({})", root.display());
            let out = root.join("bench-out");
            let bin = Path::new(env!("CARGO_BIN_EXE_coala-report"));
            let mut cold: Option<Usage> = None;
            for _ in 0..REPEAT {
                let args = ["build", ".", "--out", out.to_str().unwrap(), "--quiet", "--format", "pdf", "--format"];
                let args = [&args[..], &["epub", "--format", "html"]].concat();
                cold = Some(faster(cold, measure(bin, &args, &root)));
            }
            edit_loop(&root, cold.unwrap().wall, rebuilds);
        } else {
            run_corpus(&name, &root, pandoc.as_deref(), rebuilds);
        }
        typst::comemo::evict(0);
    }
}
