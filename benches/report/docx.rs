//! Word import speed: every `.docx` of the folders in `$COALA_DOCX_CORPUS`
//! (separated by `:`; for example jgm/pandoc's `test/docx` and Apache
//! POI's `test-data/document`), converted in process (package to model,
//! and on to markdown as `import` writes it), then as editors run them:
//! one `coala-report import` and one `pandoc -f docx -t gfm` per document.

use super::*;

/// The documents of the corpus, with their bytes; `None` when unset.
fn corpus() -> Option<Vec<(PathBuf, Vec<u8>)>> {
    let dirs = std::env::var_os("COALA_DOCX_CORPUS")?;
    let mut files = Vec::new();
    for dir in std::env::split_paths(&dirs) {
        let Ok(entries) = std::fs::read_dir(&dir) else { continue };
        for path in entries.flatten().map(|e| e.path()) {
            if path.extension().is_some_and(|e| e.eq_ignore_ascii_case("docx")) {
                let bytes = std::fs::read(&path).expect("readable");
                files.push((path, bytes));
            }
        }
    }
    files.sort();
    Some(files)
}

pub(crate) fn run_docx(pandoc: Option<&Path>) {
    let Some(files) = corpus() else {
        println!("\n== Word import: skipped (set COALA_DOCX_CORPUS to folders of .docx files)");
        return;
    };
    let bytes: usize = files.iter().map(|(_, b)| b.len()).sum();
    let mb = bytes as f64 / 1e6;
    println!("\n== Word import: {} documents, {mb:.2} MB", files.len());
    let options = coala_report::input::docx::Options::default();
    let mut best = Duration::MAX;
    let mut converted = 0;
    for _ in 0..REPEAT {
        let started = Instant::now();
        converted = 0;
        for (path, data) in &files {
            if let Ok(article) = coala_report::input::docx_article(data, path, "images/x", options) {
                std::hint::black_box(coala_report::output::markdown::write_article(&article.article));
                converted += 1;
            }
        }
        best = best.min(started.elapsed());
    }
    println!(
        "  in process (package → model → markdown): {:.3}s, {:.1} MB/s ({converted} of {} converted; the rest are damaged or encrypted)",
        best.as_secs_f64(),
        mb / best.as_secs_f64(),
        files.len()
    );
    let bin = Path::new(env!("CARGO_BIN_EXE_coala-report"));
    let out = tempfile::tempdir().expect("temporary folder");
    let started = Instant::now();
    for (path, _) in &files {
        let _ = Command::new(bin)
            .args(["import", "--quiet", "--force", "--to"])
            .arg(out.path())
            .arg(path)
            .current_dir(out.path())
            .output();
    }
    let ours = started.elapsed();
    println!(
        "  coala-report import, one process per document: {:.2}s, {:.1} MB/s",
        ours.as_secs_f64(),
        mb / ours.as_secs_f64()
    );
    let Some(pandoc) = pandoc else {
        println!("  pandoc: not found (set $PANDOC)");
        return;
    };
    let started = Instant::now();
    for (path, _) in &files {
        let _ = Command::new(pandoc).args(["-f", "docx", "-t", "gfm", "-o", "/dev/null"]).arg(path).output();
    }
    let theirs = started.elapsed();
    println!(
        "  pandoc -f docx -t gfm, one process per document: {:.2}s, {:.1} MB/s ({:.1}x the time of import)",
        theirs.as_secs_f64(),
        mb / theirs.as_secs_f64(),
        theirs.as_secs_f64() / ours.as_secs_f64()
    );
}
