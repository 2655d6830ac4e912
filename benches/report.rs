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
//! Arguments: `generated` and/or `eips` select a corpus (default both);
//! `--articles N` sizes the generated report; `--no-pandoc` skips Pandoc;
//! `--edit-loop` measures only a cold build and the edit loop;
//! `--rebuilds N` sets the edit loop's rebuilds (default 100);
//! `--generate DIR [N]` only writes the generated report into DIR.

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
    let mut rebuilds = 100usize;
    let mut it = args.iter();
    while let Some(arg) = it.next() {
        match arg.as_str() {
            "generated" | "eips" => corpora.push(arg),
            "--articles" => articles = it.next().and_then(|n| n.parse().ok()).expect("--articles N"),
            "--no-pandoc" => pandoc_wanted = false,
            "--edit-loop" => only_edit_loop = true,
            "--rebuilds" => rebuilds = it.next().and_then(|n| n.parse().ok()).expect("--rebuilds N"),
            _ => {} // `--bench` and other cargo arguments
        }
    }
    if corpora.is_empty() {
        corpora = vec!["generated", "eips"];
    }
    let pandoc = if pandoc_wanted { find_pandoc() } else { None };
    println!("coala-report benchmark: {} cores, {}", cores(), cpu_model());
    let work = tempfile::tempdir().expect("temporary folder");
    for corpus in corpora {
        let root = work.path().join(corpus);
        let prepared = match corpus {
            "generated" => {
                generate(&root, articles);
                Some(format!("generated report, {articles} articles"))
            }
            _ => prepare_eips(&root).then(|| "EIP corpus, 100 EIPs".to_string()),
        };
        let Some(name) = prepared else { continue };
        if only_edit_loop {
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

// ------------------------------------------------------------ measuring ---

/// Child-process measurements are repeated this often, interleaved; the
/// fastest run counts (peak RSS: the largest).
const REPEAT: usize = 3;

/// The faster of two runs, with the larger peak RSS.
fn faster(a: Option<Usage>, b: Usage) -> Usage {
    match a {
        None => b,
        Some(a) => {
            let rss = a.maxrss_mib.max(b.maxrss_mib);
            let mut keep = if a.wall <= b.wall { a } else { b };
            keep.maxrss_mib = rss;
            keep
        }
    }
}

/// What a child process cost.
struct Usage {
    wall: f64,
    user: f64,
    maxrss_mib: f64,
    stdout: String,
}

/// Runs `program args` in `cwd` through this executable's `--rusage` mode,
/// which reports the child's wall time, CPU time and peak RSS.
fn measure(program: &Path, args: &[&str], cwd: &Path) -> Usage {
    let me = std::env::current_exe().expect("current exe");
    let out = Command::new(me)
        .arg("--rusage")
        .arg(program)
        .args(args)
        .current_dir(cwd)
        .output()
        .expect("run the measured command");
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    let last = stdout.lines().last().unwrap_or_default();
    let field = |key: &str| -> f64 {
        last.split_whitespace().find_map(|kv| kv.strip_prefix(key)?.strip_prefix('=')?.parse().ok()).unwrap_or(f64::NAN)
    };
    if !last.starts_with("RUSAGE") || field("status") != 0.0 {
        eprintln!("command failed: {} {}\n{}", program.display(), args.join(" "), String::from_utf8_lossy(&out.stderr));
    }
    Usage { wall: field("wall"), user: field("user"), maxrss_mib: field("maxrss_kib") / 1024.0, stdout }
}

/// `--rusage PROGRAM ARGS...`: runs it, then prints its stdout and a line
/// `RUSAGE status= wall= user= sys= maxrss_kib=`.
fn rusage_child(args: &[String]) {
    let start = Instant::now();
    let out = Command::new(&args[0]).args(&args[1..]).output().expect("spawn");
    let wall = start.elapsed().as_secs_f64();
    print!("{}", String::from_utf8_lossy(&out.stdout));
    if !out.status.success() {
        eprint!("{}", String::from_utf8_lossy(&out.stderr));
    }
    let (user, sys, maxrss) = children_rusage();
    println!(
        "RUSAGE status={} wall={wall:.3} user={user:.3} sys={sys:.3} maxrss_kib={maxrss}",
        out.status.code().unwrap_or(-1)
    );
}

#[cfg(target_os = "linux")]
fn children_rusage() -> (f64, f64, i64) {
    #[repr(C)]
    struct Timeval {
        sec: i64,
        usec: i64,
    }
    #[repr(C)]
    struct Rusage {
        utime: Timeval,
        stime: Timeval,
        maxrss: i64,
        rest: [i64; 13],
    }
    unsafe extern "C" {
        fn getrusage(who: i32, usage: *mut Rusage) -> i32;
    }
    const RUSAGE_CHILDREN: i32 = -1;
    let mut usage =
        Rusage { utime: Timeval { sec: 0, usec: 0 }, stime: Timeval { sec: 0, usec: 0 }, maxrss: 0, rest: [0; 13] };
    // SAFETY: `usage` matches the layout of `struct rusage` on 64-bit Linux.
    if unsafe { getrusage(RUSAGE_CHILDREN, &mut usage) } != 0 {
        return (f64::NAN, f64::NAN, -1);
    }
    let secs = |t: &Timeval| t.sec as f64 + t.usec as f64 / 1e6;
    (secs(&usage.utime), secs(&usage.stime), usage.maxrss)
}

#[cfg(not(target_os = "linux"))]
fn children_rusage() -> (f64, f64, i64) {
    (f64::NAN, f64::NAN, -1)
}

fn secs(d: Duration) -> f64 {
    d.as_secs_f64()
}

fn cores() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

fn cpu_model() -> String {
    std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|t| {
            t.lines()
                .find(|l| l.starts_with("model name"))
                .map(|l| l.split(':').nth(1).unwrap_or("").trim().to_string())
        })
        .unwrap_or_else(|| "unknown CPU".into())
}

// ------------------------------------------------------------- one corpus ---

fn run_corpus(name: &str, root: &Path, pandoc: Option<&Path>, rebuilds: usize) {
    println!("\n== {name} ({})", root.display());
    let row = |what: &str, value: String| println!("  {what:<50} {value}");
    let bin = Path::new(env!("CARGO_BIN_EXE_coala-report"));
    let out = root.join("bench-out");

    // 1. Conversion: input::load + output::typst::emit, best of 10.
    let loaded = passes::load(root, None).unwrap_or_else(|d| panic!("the report does not load: {d:?}"));
    let style =
        coala_report::pipeline::template(&loaded.root, loaded.manifest.build.style.as_deref()).expect("the template");
    let md_bytes: u64 =
        loaded.report.articles().map(|a| std::fs::metadata(root.join(&a.path)).map_or(0, |m| m.len())).sum();
    let mut best = Duration::MAX;
    let mut best_emit = Duration::MAX;
    let mut emitted_len = 0;
    for _ in 0..10 {
        let t = Instant::now();
        let loaded = passes::load(root, None).expect("loads");
        let t_emit = Instant::now();
        let emitted = output::typst::emit(&loaded.report, &loaded.manifest, &style);
        best_emit = best_emit.min(t_emit.elapsed());
        best = best.min(t.elapsed());
        emitted_len = emitted.source.len();
    }
    let mb = md_bytes as f64 / 1e6;
    row("markdown in (MB), Typst out (MB)", format!("{mb:.2} MB, {:.2} MB", emitted_len as f64 / 1e6));
    row(
        "conversion: load + emit (best of 10)",
        format!("{:.3} s = {:.0} MB/s (emit alone {:.0} MB/s)", secs(best), mb / secs(best), mb / secs(best_emit)),
    );
    // The floor under conversion: comrak's parse alone (the project's one
    // configuration), on one core, best of 10.
    let texts: Vec<String> =
        loaded.report.articles().filter_map(|a| std::fs::read_to_string(root.join(&a.path)).ok()).collect();
    let options = coala_report::input::markdown::options();
    let mut parse = Duration::MAX;
    for _ in 0..10 {
        let t = Instant::now();
        for text in &texts {
            let arena = comrak::Arena::new();
            std::hint::black_box(comrak::parse_document(&arena, text, &options));
        }
        parse = parse.min(t.elapsed());
    }
    row("comrak parse alone, one core (best of 10)", format!("{:.3} s = {:.0} MB/s", secs(parse), mb / secs(parse)));
    // And on every core, articles spread as `input::load` spreads them:
    // the most any conversion built on comrak can reach on this machine.
    let mut parse_all = Duration::MAX;
    for _ in 0..10 {
        let t = Instant::now();
        coala_report::parallel::map(&texts, |text| {
            let arena = comrak::Arena::new();
            std::hint::black_box(comrak::parse_document(&arena, text, &options));
        });
        parse_all = parse_all.min(t.elapsed());
    }
    row(
        &format!("comrak parse alone, {} cores (best of 10)", cores()),
        format!("{:.3} s = {:.0} MB/s", secs(parse_all), mb / secs(parse_all)),
    );

    // 2. Cold `build` in a child process (wall, CPU, peak RSS), typst's own
    //    compile of the emitted .typ (child process, ReportWorld, the same
    //    fonts, PDF export included) and `build --format pdf`, interleaved,
    //    best of `REPEAT` (a shared machine is noisy).
    let out_s = out.to_str().unwrap();
    let typ = out.join("report.typ");
    let me = std::env::current_exe().unwrap();
    let (mut cold, mut own, mut pdf_only): (Option<Usage>, Option<Usage>, Option<Usage>) = (None, None, None);
    for _ in 0..REPEAT {
        let c = measure(bin, &["build", ".", "--out", out_s, "--emit-typst", "--json", "--color", "never"], root);
        cold = Some(faster(cold, c));
        let o = measure(&me, &["--compile", root.to_str().unwrap(), typ.to_str().unwrap()], root);
        own = Some(faster(own, o));
        let p = measure(bin, &["build", ".", "--out", out_s, "--format", "pdf", "--quiet"], root);
        pdf_only = Some(faster(pdf_only, p));
    }
    let (cold, own, pdf_only) = (cold.unwrap(), own.unwrap(), pdf_only.unwrap());
    let report_json: serde_json::Value = serde_json::from_str(
        cold.stdout.lines().take_while(|l| !l.starts_with("RUSAGE")).collect::<Vec<_>>().join("\n").trim(),
    )
    .unwrap_or(serde_json::Value::Null);
    let timing = |k: &str| report_json["timings"][k].as_f64().unwrap_or(f64::NAN);
    let pages =
        report_json["artifacts"].as_array().and_then(|a| a.iter().find_map(|x| x["pages"].as_u64())).unwrap_or(0);
    let gib = cold.maxrss_mib / 1024.0;
    row(
        "cold build (PDF + EPUB, child process)",
        format!(
            "{:.2} s wall, {:.2} s CPU, {:.0} MiB peak RSS, {pages} pages{}",
            cold.wall,
            cold.user,
            cold.maxrss_mib,
            target(gib <= 1.5 * pages.max(1000) as f64 / 1000.0, "<= 1.5 GiB per 1,000 pages")
        ),
    );
    row(
        "  its stages",
        format!(
            "convert {:.2} s, typeset {:.2} s, pdf export {:.2} s, epub {:.2} s (concurrent)",
            timing("convert"),
            timing("typeset"),
            timing("pdf export"),
            timing("epub")
        ),
    );
    row(
        "typst alone on the emitted .typ (compile + PDF)",
        format!(
            "{:.2} s wall, {:.2} s CPU, {:.0} MiB peak RSS; {}",
            own.wall,
            own.user,
            own.maxrss_mib,
            own.stdout.lines().next().unwrap_or("")
        ),
    );
    let ratio = pdf_only.wall / own.wall;
    row(
        "build --format pdf (child process)",
        format!(
            "{:.2} s wall, {:.2} s CPU; / typst alone = {ratio:.2}x{}",
            pdf_only.wall,
            pdf_only.user,
            target(ratio <= 1.1, "<= 1.1x")
        ),
    );
    let ratio = cold.wall / own.wall;
    row(
        "full build (PDF + EPUB) / typst alone",
        format!(
            "{ratio:.2}x wall, {:.2}x CPU{}",
            cold.user / own.user,
            target(ratio <= 1.1 || cold.user / own.user <= 1.1, "<= 1.1x")
        ),
    );

    // 4. In process: typeset, export and EPUB, then a one-article edit.
    let loaded = passes::load(root, None).expect("loads");
    let emitted = output::typst::emit(&loaded.report, &loaded.manifest, &style);
    let mut world = ReportWorld::new(&loaded.root, Some((2016, 12, 8)));
    world.set_emitted(&emitted);
    let t = Instant::now();
    let typeset = pdf::typeset(&world, &emitted).unwrap_or_else(|d| panic!("typesetting failed: {d:?}"));
    let layout = t.elapsed();
    let t = Instant::now();
    let options = ExportOptions {
        ident: "bench".into(),
        timestamp: Some(TIMESTAMP),
        standards: loaded.manifest.build.pdf.standards.clone(),
    };
    let bytes = pdf::export(&world, &emitted, &typeset.document, &options).expect("export");
    let export = t.elapsed();
    row(
        "in process: typst layout, PDF export",
        format!(
            "{:.2} s, {:.2} s ({} pages, {:.1} MB)",
            secs(layout),
            secs(export),
            typeset.document.pages().len(),
            bytes.len() as f64 / 1e6
        ),
    );
    // Offprints: every article as its own PDF, from the same
    // world and memoised layout, in parallel; against the report's own
    // typesetting (layout alone, and layout + export).
    let t = Instant::now();
    let placed = output::offprint::placed(&typeset.document, &loaded.report);
    let page_files = output::site::page_files(&loaded.report);
    let addresses = passes::cite::Addresses { url: None, pages: &page_files };
    let (cited, _) = passes::cite::cite(
        &loaded.report,
        &loaded.manifest,
        &loaded.root,
        &output::offprint::pages_by_id(&placed),
        &addresses,
    );
    let ctx = output::offprint::Context {
        report: &loaded.report,
        manifest: &loaded.manifest,
        style: &style,
        template_offprint: true,
        cited: &cited,
        report_pdf: "../report.pdf".into(),
        url: None,
        options: &options,
    };
    let (offprints, problems) = output::offprint::build(&world, &emitted, &typeset.document, &placed, &ctx);
    let offprint_time = t.elapsed();
    assert!(problems.iter().all(|d| !d.is_error()), "offprints failed: {problems:?}");
    assert_eq!(offprints.len(), loaded.report.articles().count(), "an offprint per article");
    let ratio = secs(offprint_time) / secs(layout);
    row(
        "in process: all offprints (typeset + export, parallel)",
        format!(
            "{:.2} s for {} offprints ({} pages); / report layout = {ratio:.2}x{}; / layout + export = {:.2}x",
            secs(offprint_time),
            offprints.len(),
            offprints.iter().map(|o| o.pages).sum::<usize>(),
            target(ratio <= 1.5, "<= 1.5x"),
            secs(offprint_time) / secs(layout + export),
        ),
    );
    let sum = |f: fn(&output::offprint::Offprint) -> Duration| secs(offprints.iter().map(f).sum::<Duration>());
    row(
        "  their stages (summed over the threads)",
        format!("typeset {:.2} s, PDF export {:.2} s", sum(|o| o.typeset), sum(|o| o.export)),
    );
    drop(offprints);
    drop(typeset);
    let t = Instant::now();
    let epub_bytes = epub::build(
        &loaded.report,
        &loaded.manifest,
        &loaded.root,
        Some(TIMESTAMP),
        Rendered { pages: None, math: Some(&mathml::render(&loaded.report, &loaded.root)) },
    )
    .expect("epub");
    let epub_time = t.elapsed();
    row(
        "in process: EPUB",
        format!(
            "{:.3} s ({:.1} MB){}",
            secs(epub_time),
            epub_bytes.len() as f64 / 1e6,
            target(secs(epub_time) < 1.0, "< 1 s")
        ),
    );

    // The edit: a sentence added to the middle article, as `watch` would see it.
    let articles: Vec<String> = loaded.report.articles().map(|a| a.src_rel.clone()).collect();
    let edited = root.join(&loaded.manifest.book.src).join(&articles[articles.len() / 2]);
    let original = std::fs::read_to_string(&edited).unwrap();
    std::fs::write(&edited, format!("{original}\n\nAn added paragraph, as an editor would write it.\n")).unwrap();
    let t = Instant::now();
    let reloaded = passes::load(root, None).expect("loads");
    let emitted = output::typst::emit(&reloaded.report, &reloaded.manifest, &style);
    world.set_emitted(&emitted);
    let reparse = t.elapsed();
    let (typeset, epub_again, relayout, reexport) = std::thread::scope(|s| {
        let epub = s.spawn(|| {
            epub::build(
                &reloaded.report,
                &reloaded.manifest,
                &reloaded.root,
                Some(TIMESTAMP),
                Rendered { pages: None, math: Some(&mathml::render(&reloaded.report, &reloaded.root)) },
            )
            .map(|e| e.len())
        });
        let t = Instant::now();
        let typeset = pdf::typeset(&world, &emitted).expect("typesets");
        let relayout = t.elapsed();
        let t = Instant::now();
        let bytes = pdf::export(&world, &emitted, &typeset.document, &options).expect("export");
        (bytes.len(), epub.join().unwrap(), relayout, t.elapsed())
    });
    let rebuild = t.elapsed();
    std::fs::write(&edited, original).unwrap();
    assert!(typeset > 0 && epub_again.is_ok());
    let share = secs(rebuild) / cold.wall;
    row(
        "one-article edit rebuild (PDF + EPUB, same world)",
        format!("{:.2} s = {:.0}% of cold{}", secs(rebuild), share * 100.0, target(share <= 0.2, "<= 20%")),
    );
    row(
        "  its stages",
        format!(
            "load + emit {:.2} s, typst layout {:.2} s, PDF export {:.2} s (EPUB concurrent)",
            secs(reparse),
            secs(relayout),
            secs(reexport)
        ),
    );
    drop(world);

    // 5. The edit loop: `watch --serve`'s page preview after an edit.
    typst::comemo::evict(0);
    edit_loop(root, cold.wall, rebuilds);

    // 6. Pandoc on the same markdown.
    let Some(pandoc) = pandoc else {
        println!(
            "  SKIPPED pandoc comparison: no pandoc (set PANDOC, or install pypandoc-binary; see docs/performance.md)"
        );
        return;
    };
    // Each step best of `REPEAT`, as ours, interleaved with another cold
    // build of ours so that both sides see the same machine (a shared
    // machine's speed drifts over minutes).
    let src = root.join(&loaded.manifest.book.src);
    let files: Vec<&str> = articles.iter().map(String::as_str).collect();
    let mut typst_args = vec!["-f", "gfm", "-t", "typst", "-s", "-o", "__pandoc.typ"];
    typst_args.extend(&files);
    let mut epub_args = vec!["-f", "gfm", "-t", "epub3", "-o", "__pandoc.epub"];
    epub_args.extend(&files);
    let pandoc_typ = src.join("__pandoc.typ");
    let main_rel = format!("/{}/__pandoc.typ", loaded.manifest.book.src);
    let (mut to_typst, mut compiled, mut pandoc_epub): (Option<Usage>, Option<Usage>, Option<Usage>) =
        (None, None, None);
    let mut ours = cold;
    for _ in 0..REPEAT {
        to_typst = Some(faster(to_typst, measure(pandoc, &typst_args, &src)));
        if let Ok(text) = std::fs::read_to_string(&pandoc_typ) {
            std::fs::write(src.join("__missing.png"), PIXEL_PNG).unwrap();
            std::fs::write(&pandoc_typ, replace_missing_images(&text, &src)).unwrap();
        }
        let c = measure(&me, &["--compile", root.to_str().unwrap(), &main_rel, "plain"], root);
        compiled = Some(faster(compiled, c));
        pandoc_epub = Some(faster(pandoc_epub, measure(pandoc, &epub_args, &src)));
        ours = faster(Some(ours), measure(bin, &["build", ".", "--out", out_s, "--quiet"], root));
    }
    let (to_typst, compiled, pandoc_epub) = (to_typst.unwrap(), compiled.unwrap(), pandoc_epub.unwrap());
    if !compiled.stdout.contains("pages") {
        println!("  SKIPPED pandoc ratios: typst did not compile Pandoc's output (see above)");
        return;
    }
    let pandoc_pdf = to_typst.wall + compiled.wall;
    row(
        "pandoc -t typst + typst compile",
        format!(
            "{:.2} s + {:.2} s = {pandoc_pdf:.2} s, peak RSS {:.0} MiB; {}",
            to_typst.wall,
            compiled.wall,
            to_typst.maxrss_mib.max(compiled.maxrss_mib),
            compiled.stdout.lines().next().unwrap_or("")
        ),
    );
    row("pandoc -t epub3", format!("{:.2} s", pandoc_epub.wall));
    row("ratio PDF: coala build --format pdf / pandoc", format!("{:.2}", pdf_only.wall / pandoc_pdf));
    row("ratio EPUB: coala EPUB / pandoc", format!("{:.3}", secs(epub_time) / pandoc_epub.wall));
    row("coala build (PDF + EPUB), best of all its runs", format!("{:.2} s", ours.wall));
    let both = ours.wall / (pandoc_pdf + pandoc_epub.wall);
    row("ratio PDF+EPUB: coala build / pandoc (PDF + EPUB)", format!("{both:.2}{}", target(both <= 0.5, "<= 0.5")));
}

// ------------------------------------------------------------ edit loop ---

/// Appends `sentence` to the first paragraph line of `markdown` (after its
/// front matter): a one-paragraph edit.
fn edit_paragraph(markdown: &str, sentence: &str) -> String {
    let mut lines: Vec<String> = markdown.lines().map(str::to_string).collect();
    let mut start = 0;
    if let Some(fence) = lines.first().map(|l| l.trim().to_string()).filter(|l| l == "---" || l == "+++") {
        start = lines.iter().skip(1).position(|l| l.trim() == fence).map_or(0, |i| i + 2);
    }
    let at = (start..lines.len())
        .find(|&i| lines[i].len() > 40 && lines[i].starts_with(|c: char| c.is_ascii_alphabetic()))
        .expect("a paragraph to edit");
    lines[at].push(' ');
    lines[at].push_str(sentence);
    lines.join("\n") + "\n"
}

/// A server-sent event: its name and data.
fn next_event(reader: &mut impl std::io::BufRead) -> Option<(String, serde_json::Value)> {
    let (mut name, mut data) = (String::new(), String::new());
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).ok()? == 0 {
            return None;
        }
        let line = line.trim_end_matches(['\r', '\n']);
        if line.is_empty() {
            if !data.is_empty() {
                return Some((name, serde_json::from_str(&data).ok()?));
            }
        } else if let Some(n) = line.strip_prefix("event: ") {
            name = n.to_string();
        } else if let Some(d) = line.strip_prefix("data: ") {
            data = d.to_string();
        }
    }
}

/// A GET on 127.0.0.1:`port`: the body's length.
fn http_get(port: u16, path: &str) -> usize {
    use std::io::{Read, Write};
    let mut s = std::net::TcpStream::connect(("127.0.0.1", port)).expect("connect");
    write!(s, "GET {path} HTTP/1.1\r\nHost: localhost\r\n\r\n").unwrap();
    let mut response = Vec::new();
    s.read_to_end(&mut response).unwrap();
    let head = String::from_utf8_lossy(&response[..response.len().min(20)]).into_owned();
    assert!(head.starts_with("HTTP/1.1 200"), "GET {path}: {head}");
    response.len()
}

/// A process's resident and peak memory (MiB), from /proc (Linux).
fn memory_mib(pid: u32) -> (f64, f64) {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    let field = |key: &str| {
        status
            .lines()
            .find_map(|l| l.strip_prefix(key))
            .and_then(|v| v.split_whitespace().next()?.parse::<f64>().ok())
            .map_or(f64::NAN, |kib| kib / 1024.0)
    };
    (field("VmRSS:"), field("VmHWM:"))
}

fn median(values: &[f64]) -> f64 {
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    sorted.get(sorted.len() / 2).copied().unwrap_or(f64::NAN)
}

fn percentile(values: &[f64], p: f64) -> f64 {
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    sorted.get(((sorted.len() as f64 - 1.0) * p).round() as usize).copied().unwrap_or(f64::NAN)
}

/// typst's timing scopes recorded since `typst_timing::enable`: each name
/// with the time spent inside it (an inner scope of the same name is not
/// counted twice), summed over threads, largest first.
fn timing_scopes() -> Vec<(String, f64)> {
    let mut json = Vec::new();
    typst_timing::export_json(&mut json, |_| (String::new(), 0)).expect("timing events");
    let events: Vec<serde_json::Value> = serde_json::from_slice(&json).expect("timing JSON");
    let mut stacks: std::collections::HashMap<u64, Vec<(String, f64)>> = std::collections::HashMap::new();
    let mut total: std::collections::HashMap<String, f64> = std::collections::HashMap::new();
    for event in &events {
        let (Some(name), Some(ts), Some(tid)) = (event["name"].as_str(), event["ts"].as_f64(), event["tid"].as_u64())
        else {
            continue;
        };
        let stack = stacks.entry(tid).or_default();
        if event["ph"] == "B" {
            stack.push((name.to_string(), ts));
        } else if let Some((name, start)) = stack.pop()
            && !stack.iter().any(|(outer, _)| *outer == name)
        {
            *total.entry(name).or_default() += (ts - start) / 1e6;
        }
    }
    let mut scopes: Vec<(String, f64)> = total.into_iter().collect();
    scopes.sort_by(|a, b| b.1.total_cmp(&a.1));
    scopes
}

/// The edit loop of `watch --serve`: first in process, stage
/// by stage, then end to end with the real binary: a one-paragraph edit
/// saved, the `pages` event, the first changed page's SVG fetched (what
/// the browser does), and the full rebuild (PDF, EPUB, site written);
/// `rebuilds` times, with the process's memory after each.
fn edit_loop(root: &Path, cold: f64, rebuilds: usize) {
    use coala_report::output::preview::Pages;
    let row = |what: &str, value: String| println!("  {what:<50} {value}");
    let loaded = passes::load(root, None).expect("loads");
    let articles: Vec<String> = loaded.report.articles().map(|a| a.src_rel.clone()).collect();
    let edited = root.join(&loaded.manifest.book.src).join(&articles[articles.len() / 2]);
    let original = std::fs::read_to_string(&edited).unwrap();

    // In process: the preview's path after the edit, stage by stage.
    let style =
        coala_report::pipeline::template(&loaded.root, loaded.manifest.build.style.as_deref()).expect("the template");
    let emitted = output::typst::emit(&loaded.report, &loaded.manifest, &style);
    let mut world = ReportWorld::new(&loaded.root, Some((2016, 12, 8)));
    world.set_emitted(&emitted);
    let document = pdf::typeset(&world, &emitted).expect("typesets").document;
    let mut pages = Pages::new();
    pages.update(&document);
    drop(document);
    std::fs::write(&edited, edit_paragraph(&original, "An added sentence, as an editor would write it.")).unwrap();
    let t = Instant::now();
    let reloaded = passes::load(root, None).expect("loads");
    let emitted = output::typst::emit(&reloaded.report, &reloaded.manifest, &style);
    world.set_emitted(&emitted);
    let reparse = t.elapsed();
    typst_timing::clear();
    typst_timing::enable();
    let t = Instant::now();
    let document = pdf::typeset(&world, &emitted).expect("typesets").document;
    let layout = t.elapsed();
    typst_timing::disable();
    let scopes = timing_scopes();
    let t = Instant::now();
    let diff = pages.update(&document);
    let compare = t.elapsed();
    let t = Instant::now();
    let first = diff.first().expect("the edit changed a page");
    let svg = pages.svg(first).expect("the page");
    let render = t.elapsed();
    let t = Instant::now();
    for &i in &diff.changed {
        pages.svg(i);
    }
    let render_all = t.elapsed() + render;
    std::fs::write(&edited, &original).unwrap();
    row(
        "edit loop in process (one-paragraph edit)",
        format!(
            "load + emit {:.3} s, typst layout {:.3} s, page diff {:.3} s, first changed page's SVG {:.3} s \
             = {:.2} s",
            secs(reparse),
            secs(layout),
            secs(compare),
            secs(render),
            secs(reparse + layout + compare + render)
        ),
    );
    row(
        "  pages changed, their SVGs",
        format!(
            "{} of {} (first: page {}); {:.0} KiB for the first; all changed ones {:.3} s",
            diff.changed.len(),
            diff.pages,
            first + 1,
            svg.len() as f64 / 1024.0,
            secs(render_all)
        ),
    );
    let passes = scopes.iter().filter(|(name, _)| name.starts_with("iter (")).count();
    let top: Vec<String> = scopes
        .iter()
        .filter(|(name, _)| !name.starts_with("iter ("))
        .take(6)
        .map(|(name, took)| format!("{name} {took:.3} s"))
        .collect();
    row("  typst layout by scope (CPU time, all threads)", format!("{passes} passes; {}", top.join(", ")));
    drop((world, document, pages, reloaded));
    typst::comemo::evict(0);

    // End to end: `watch --serve` in a child process.
    let bin = Path::new(env!("CARGO_BIN_EXE_coala-report"));
    let out = root.join("bench-watch");
    let mut child = Command::new(bin)
        .args(["watch", ".", "--out", out.to_str().unwrap(), "--format", "pdf", "--format", "epub"])
        .args(["--format", "html", "--serve", "--port", "0", "--quiet", "--color", "never"])
        .current_dir(root)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("start watch");
    let pid = child.id();
    let mut stdout = std::io::BufReader::new(child.stdout.take().unwrap());
    let mut line = String::new();
    std::io::BufRead::read_line(&mut stdout, &mut line).unwrap();
    let port: u16 = line
        .split("http://127.0.0.1:")
        .nth(1)
        .and_then(|rest| rest.split('/').next()?.parse().ok())
        .unwrap_or_else(|| panic!("no port in `{line}`"));
    let events = {
        use std::io::Write;
        let mut s = std::net::TcpStream::connect(("127.0.0.1", port)).expect("connect");
        write!(s, "GET /_coala/events HTTP/1.1\r\nHost: localhost\r\n\r\n").unwrap();
        s
    };
    let mut events = std::io::BufReader::new(events);
    // The first build.
    loop {
        let (name, data) = next_event(&mut events).expect("the event stream");
        if (name == "build" || name == "hello") && data["generation"].as_u64().unwrap_or(0) >= 1 {
            break;
        }
    }
    let (mut to_preview, mut to_event, mut to_build, mut changed, mut rss) =
        (Vec::new(), Vec::new(), Vec::new(), Vec::new(), Vec::new());
    let mut peak = 0.0f64;
    for k in 0..rebuilds {
        let text = edit_paragraph(&original, &format!("An added sentence, edit number {k}."));
        let t = Instant::now();
        std::fs::write(&edited, text).unwrap();
        let mut first = None;
        loop {
            let (name, data) = next_event(&mut events).expect("the event stream");
            match name.as_str() {
                "pages" => {
                    to_event.push(secs(t.elapsed()));
                    changed.push(data["changed"].as_array().map_or(0, Vec::len) as f64);
                    first = data["first"].as_u64();
                    if let Some(page) = first {
                        http_get(port, &format!("/_coala/page/{page}.svg"));
                    }
                    to_preview.push(secs(t.elapsed()));
                }
                "build" => {
                    to_build.push(secs(t.elapsed()));
                    assert!(data["ok"] == true, "rebuild {k} failed: {data}");
                    break;
                }
                _ => {}
            }
        }
        assert!(first.is_some(), "rebuild {k} changed no page");
        let (now, hwm) = memory_mib(pid);
        rss.push(now);
        peak = peak.max(hwm);
    }
    let _ = child.kill();
    let _ = child.wait();
    std::fs::write(&edited, &original).unwrap();
    let med = median(&to_preview);
    row(
        &format!("save -> preview shows the edit (watch --serve, {rebuilds}x)"),
        format!(
            "median {med:.2} s, 90th percentile {:.2} s, max {:.2} s = {:.0}% of cold ({cold:.2} s){}{}",
            percentile(&to_preview, 0.9),
            percentile(&to_preview, 1.0),
            med / cold * 100.0,
            target(med <= 0.1 * cold, "<= 10% of cold"),
            target(med < 1.0, "< 1 s")
        ),
    );
    row(
        &format!("  of which: {} ms debounce; pages event, SVG", coala_report::commands::watch::DEBOUNCE.as_millis()),
        format!(
            "pages event at median {:.2} s, SVG fetched {:.3} s after; {:.0} pages changed (median)",
            median(&to_event),
            median(&to_preview.iter().zip(&to_event).map(|(p, e)| p - e).collect::<Vec<_>>()),
            median(&changed)
        ),
    );
    row(
        "  full rebuild written (PDF + EPUB + site)",
        format!("median {:.2} s after the save = {:.0}% of cold", median(&to_build), median(&to_build) / cold * 100.0),
    );
    let at = |n: usize| rss.get(n.min(rss.len()) - 1).copied().unwrap_or(f64::NAN);
    let flat = at(rebuilds) <= at(10.min(rebuilds)) * 1.1 + 16.0;
    row(
        "  resident memory after rebuild 1, 10, 50, last",
        format!(
            "{:.0}, {:.0}, {:.0}, {:.0} MiB (peak {peak:.0} MiB){}",
            at(1),
            at(10),
            at(50),
            at(rebuilds),
            target(flat, "flat: last <= 10th + 10% + 16 MiB")
        ),
    );
}

/// Points Pandoc's `image("...")` calls whose file is missing at a 1×1 PNG.
fn replace_missing_images(typ: &str, dir: &Path) -> String {
    let mut out = String::with_capacity(typ.len());
    let mut rest = typ;
    while let Some(i) = rest.find("image(\"") {
        let (head, tail) = rest.split_at(i + "image(\"".len());
        out.push_str(head);
        let end = tail.find('"').unwrap_or(tail.len());
        let path = &tail[..end];
        out.push_str(if dir.join(path).is_file() { path } else { "__missing.png" });
        rest = &tail[end..];
    }
    out.push_str(rest);
    out
}

fn target(met: bool, what: &str) -> String {
    format!(" [target {what}: {}]", if met { "met" } else { "NOT MET" })
}

fn find_pandoc() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("PANDOC") {
        return Some(PathBuf::from(p));
    }
    let ok = Command::new("pandoc").arg("--version").output().is_ok_and(|o| o.status.success());
    ok.then(|| PathBuf::from("pandoc"))
}

// ---------------------------------------------------- compiling a .typ ---

/// typst's compile of `world`'s main file and how long it took; the child
/// exits with the first errors when it fails.
fn compile_or_exit(world: &dyn typst::World) -> (PagedDocument, Duration) {
    let t = Instant::now();
    let warned = typst::compile::<PagedDocument>(world);
    let document = warned.output.unwrap_or_else(|e| {
        eprintln!("typst failed: {:?}", e.iter().take(3).map(|d| d.message.as_str()).collect::<Vec<_>>());
        std::process::exit(1)
    });
    (document, t.elapsed())
}

/// `--compile ROOT MAIN [plain]`: typst's own compile of one file with the
/// embedded fonts, then PDF export; prints pages and timings. MAIN is a file
/// (read into ReportWorld, as coala-report does) or, with `plain`, a path
/// inside ROOT compiled where it lies (Pandoc's output, with relative paths).
fn compile_child(root: &Path, main: &str, mode: Option<&str>) {
    let t = Instant::now();
    let (document, layout) = if mode == Some("plain") {
        compile_or_exit(&PlainWorld::new(root, main))
    } else {
        let root = Root::new(root).expect("root");
        let mut world = ReportWorld::new(&root, Some((2016, 12, 8)));
        world.set_main(&std::fs::read_to_string(main).expect("read the .typ"));
        compile_or_exit(&world)
    };
    let te = Instant::now();
    let bytes = typst_pdf::pdf(&document, &typst_pdf::PdfOptions::default()).expect("pdf export");
    let export = te.elapsed();
    std::fs::write(std::env::temp_dir().join(format!("coala-bench-{}.pdf", std::process::id())), &bytes).ok();
    let _ = std::fs::remove_file(std::env::temp_dir().join(format!("coala-bench-{}.pdf", std::process::id())));
    let mut line = String::new();
    let _ = write!(
        line,
        "{} pages, layout {:.2} s, PDF export {:.2} s, total {:.2} s",
        document.pages().len(),
        secs(layout),
        secs(export),
        secs(t.elapsed())
    );
    println!("{line}");
}

fn fonts() -> &'static FontStore {
    static FONTS: OnceLock<FontStore> = OnceLock::new();
    FONTS.get_or_init(|| {
        let mut store = FontStore::new();
        store.extend(typst_kit::fonts::embedded());
        store
    })
}

struct DirLoader(PathBuf);

impl FileLoader for DirLoader {
    fn load(&self, id: FileId) -> FileResult<Bytes> {
        let path = self.0.join(id.vpath().get_without_slash());
        std::fs::read(&path).map(Bytes::new).map_err(|e| FileError::from_io(e, &path))
    }
}

/// A 1×1 white PNG: stands in for images missing from the corpus (the EIPs'
/// `upload://` one), which would stop typst on Pandoc's output where
/// coala-report draws a placeholder.
const PIXEL_PNG: &[u8] = &[
    0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x48, 0x44, 0x52, 0x00, 0x00, 0x00,
    0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x00, 0x00, 0x00, 0x00, 0x3a, 0x7e, 0x9b, 0x55, 0x00, 0x00, 0x00, 0x0a, 0x49,
    0x44, 0x41, 0x54, 0x78, 0x9c, 0x63, 0xf8, 0x0f, 0x00, 0x01, 0x01, 0x01, 0x00, 0xb1, 0x38, 0xf6, 0x14, 0x00, 0x00,
    0x00, 0x00, 0x49, 0x45, 0x4e, 0x44, 0xae, 0x42, 0x60, 0x82,
];

/// A World like `typst compile`'s: files from a folder, the embedded fonts.
struct PlainWorld {
    main: FileId,
    library: LazyHash<Library>,
    files: FileStore<DirLoader>,
    today: Option<Datetime>,
}

impl PlainWorld {
    fn new(root: &Path, main: &str) -> Self {
        let vpath = VirtualPath::new(main).expect("valid virtual path");
        Self {
            main: FileId::new(RootedPath::new(VirtualRoot::Project, vpath)),
            library: LazyHash::new(Library::builder().build()),
            files: FileStore::new(DirLoader(root.to_path_buf())),
            today: Datetime::from_ymd(2016, 12, 8),
        }
    }
}

impl World for PlainWorld {
    fn library(&self) -> &LazyHash<Library> {
        &self.library
    }
    fn book(&self) -> &LazyHash<FontBook> {
        fonts().book()
    }
    fn main(&self) -> FileId {
        self.main
    }
    fn source(&self, id: FileId) -> FileResult<Source> {
        self.files.source(id)
    }
    fn file(&self, id: FileId) -> FileResult<Bytes> {
        self.files.file(id)
    }
    fn font(&self, index: usize) -> Option<Font> {
        fonts().font(index)
    }
    fn today(&self, _offset: Option<typst::foundations::Duration>) -> Option<Datetime> {
        self.today
    }
}

// ------------------------------------------------------------- corpora ---

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

/// Copies the EIP corpus and writes a manifest for it (as tests/testsuite/eips.rs).
fn prepare_eips(root: &Path) -> bool {
    let corpus = repo().join("../shared/corpus/eips");
    if !corpus.is_dir() {
        println!(
            "\nSKIPPED EIP corpus: ../shared/corpus/eips is absent (it exists only beside the project's checkout)"
        );
        return false;
    }
    copy_dir(&corpus.join("EIPS"), &root.join("EIPS"));
    copy_dir(&corpus.join("assets"), &root.join("assets"));
    copy_dir(&repo().join("styles"), &root.join("styles"));
    let order = std::fs::read_to_string(corpus.join("ORDER.txt")).unwrap();
    let list: Vec<String> = order
        .lines()
        .map(|l| l.trim().trim_start_matches("EIPS/"))
        .filter(|l| !l.is_empty())
        .map(|l| format!("\"{l}\""))
        .collect();
    std::fs::write(
        root.join("book.toml"),
        format!(
            "[book]\ntitle = \"Ethereum Improvement Proposals\"\nsrc = \"EIPS\"\ndate = \"2026-08-22\"\n\n[[part]]\ntitle = \"EIPs\"\narticles = [{}]\n",
            list.join(", ")
        ),
    )
    .unwrap();
    true
}

/// A deterministic pseudo-random sequence (xorshift64*).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len())]
    }
}

const WORDS: &[&str] = &[
    "blockchain",
    "governance",
    "ledger",
    "regulators",
    "consensus",
    "protocol",
    "network",
    "participants",
    "distributed",
    "transactions",
    "jurisdiction",
    "contracts",
    "identity",
    "privacy",
    "policy",
    "framework",
    "the",
    "of",
    "and",
    "to",
    "in",
    "a",
    "is",
    "that",
    "for",
    "with",
    "as",
    "on",
    "by",
    "their",
    "which",
    "be",
    "may",
    "this",
    "are",
    "an",
    "or",
    "such",
    "can",
    "these",
    "between",
    "under",
    "through",
    "public",
    "private",
    "financial",
    "institutions",
    "markets",
    "settlement",
    "assets",
    "tokens",
    "custody",
    "oversight",
    "standards",
    "interoperability",
    "decentralised",
    "autonomous",
    "organisations",
    "accountability",
    "transparency",
    "stakeholders",
    "multistakeholder",
    "Internet",
    "forum",
    "coalition",
    "members",
    "analysis",
    "evidence",
    "cryptographic",
    "signatures",
    "hash",
    "validators",
    "miners",
    "fees",
    "incentives",
    "liability",
    "courts",
    "enforcement",
    "cross-border",
    "payments",
    "remittances",
    "inclusion",
    "developing",
    "economies",
    "risks",
    "opportunities",
    "security",
    "resilience",
    "infrastructure",
    "open-source",
    "software",
    "communities",
];

const LANGS: &[&str] = &["rust", "python", "json", "solidity", "sh", "text"];

fn sentence(rng: &mut Rng, words: usize) -> String {
    let mut s = String::new();
    for i in 0..words {
        if i > 0 {
            s.push(' ');
        }
        let w = rng.pick(WORDS);
        if i == 0 {
            let mut c = w.chars();
            s.extend(c.next().map(|c| c.to_ascii_uppercase()));
            s.push_str(c.as_str());
        } else {
            s.push_str(w);
        }
    }
    s.push('.');
    s
}

/// A paragraph of about 90 words with inline markup, links and, sometimes,
/// a footnote.
fn paragraph(rng: &mut Rng, article: usize, articles: usize, notes: &mut Vec<String>) -> String {
    let mut p = String::new();
    for k in 0..6 {
        let mut s = {
            let n = 10 + rng.below(10);
            sentence(rng, n)
        };
        match rng.below(9) {
            0 => s = format!("{} *{}* {}", sentence(rng, 4), rng.pick(WORDS), s),
            1 => s = format!("**{}** {s}", rng.pick(WORDS)),
            2 => s = format!("{s} See `{}_{}()`.", rng.pick(WORDS).replace('-', "_"), rng.below(99)),
            3 => s = format!("{s} ([source](https://example.org/{}/{}))", rng.pick(WORDS), rng.below(1000)),
            4 => {
                let other = (article + 1 + rng.below(articles - 1)) % articles;
                s = format!("{s} Compare [article {}](article-{other:03}.md#section-2).", other + 1)
            }
            _ => {}
        }
        if k == 5 && rng.below(3) == 0 {
            notes.push({
                let n = 12 + rng.below(20);
                sentence(rng, n)
            });
            let _ = write!(s, "[^{}]", notes.len());
        }
        p.push_str(&s);
        p.push(if k % 2 == 1 { '\n' } else { ' ' });
    }
    p
}

fn code_block(rng: &mut Rng) -> String {
    let lang = rng.pick(LANGS);
    let mut code = format!("```{lang}\n");
    for i in 0..(8 + rng.below(12)) {
        let indent = "    ".repeat(i % 3);
        match rng.below(6) {
            0 => {
                let _ = writeln!(code, "{indent}// {}", sentence(rng, 6));
            }
            1 => {
                let _ = writeln!(
                    code,
                    "{indent}let hash = \"0x{:016x}{:016x}{:016x}{:016x}\";",
                    rng.next(),
                    rng.next(),
                    rng.next(),
                    rng.next()
                );
            }
            _ => {
                let _ = writeln!(
                    code,
                    "{indent}{}({}, {});",
                    rng.pick(WORDS).replace('-', "_"),
                    rng.below(100),
                    rng.pick(WORDS).replace('-', "_")
                );
            }
        }
    }
    code.push_str("```\n");
    code
}

fn table(rng: &mut Rng) -> String {
    let mut t = String::from("| Measure | Jurisdiction | Value | Change |\n|:--|:--|--:|--:|\n");
    for _ in 0..(5 + rng.below(6)) {
        let _ = writeln!(
            t,
            "| {} {} | {} | {}.{} | {}% |",
            rng.pick(WORDS),
            rng.pick(WORDS),
            rng.pick(WORDS),
            rng.below(10_000),
            rng.below(100),
            rng.below(60)
        );
    }
    t
}

fn article(rng: &mut Rng, i: usize, articles: usize) -> String {
    let mut notes = Vec::new();
    let mut md = String::new();
    let kind = ["article", "policy-analysis", "article", "article"][i % 4];
    let _ = write!(
        md,
        "+++\ntitle = \"{}\"\nauthors = [{{ name = \"Author {i}\", affiliation = \"Institute {}\" }}]\ndate = \"2024-{:02}-{:02}\"\nabstract = \"{}\"\nkeywords = [\"{}\", \"{}\"]\nkind = \"{kind}\"\n+++\n\n",
        sentence(rng, 6).trim_end_matches('.'),
        i % 17,
        1 + i % 12,
        1 + i % 28,
        sentence(rng, 40),
        rng.pick(WORDS),
        rng.pick(WORDS)
    );
    md.push_str(&paragraph(rng, i, articles, &mut notes));
    md.push('\n');
    for section in 1..=5 {
        let _ = writeln!(md, "## Section {section}\n");
        md.push_str(&paragraph(rng, i, articles, &mut notes));
        md.push('\n');
        match section {
            1 => {
                for _ in 0..5 {
                    let _ = writeln!(md, "- {}", {
                        let n = 8 + rng.below(12);
                        sentence(rng, n)
                    });
                }
                md.push('\n');
            }
            2 => md.push_str(&table(rng)),
            3 => md.push_str(&code_block(rng)),
            4 => {
                let _ = writeln!(
                    md,
                    "![A diagram of the {} layer](images/figure-{}.svg \"{}\")",
                    rng.pick(WORDS),
                    i % 3,
                    sentence(rng, 8)
                );
            }
            5 => {
                for n in 1..=4 {
                    let _ = writeln!(md, "{n}. {}", {
                        let n = 10 + rng.below(10);
                        sentence(rng, n)
                    });
                }
                md.push('\n');
                let _ = writeln!(md, "> {}", sentence(rng, 30));
            }
            _ => {}
        }
        md.push('\n');
        if section % 2 == 1 {
            let _ = writeln!(md, "### Subsection {section}.1\n");
            md.push_str(&paragraph(rng, i, articles, &mut notes));
            md.push('\n');
        }
    }
    for (n, note) in notes.iter().enumerate() {
        let _ = writeln!(md, "[^{}]: {note}", n + 1);
    }
    md
}

/// Writes the generated report: `articles` articles in four parts, three SVG
/// figures, the repository's template.
fn generate(root: &Path, articles: usize) {
    let src = root.join("report");
    std::fs::create_dir_all(src.join("images")).unwrap();
    copy_dir(&repo().join("styles"), &root.join("styles"));
    for k in 0..3 {
        let svg = format!(
            "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"400\" height=\"160\" viewBox=\"0 0 400 160\">\
             <rect x=\"10\" y=\"10\" width=\"380\" height=\"140\" fill=\"#eef3f8\" stroke=\"#1b4a72\"/>\
             {}</svg>\n",
            (0..6)
                .map(|b| format!(
                    "<rect x=\"{}\" y=\"40\" width=\"40\" height=\"{}\" fill=\"#1b4a72\"/>",
                    30 + b * 60,
                    20 + (b * 17 + k * 23) % 90
                ))
                .collect::<String>()
        );
        std::fs::write(src.join(format!("images/figure-{k}.svg")), svg).unwrap();
    }
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let mut parts = String::new();
    let per_part = articles.div_ceil(4).max(1);
    for i in 0..articles {
        std::fs::write(src.join(format!("article-{i:03}.md")), article(&mut rng, i, articles)).unwrap();
        if i % per_part == 0 {
            let _ = write!(parts, "\n[[part]]\ntitle = \"Part {}\"\narticles = [", i / per_part + 1);
        }
        let _ = write!(parts, "\"article-{i:03}.md\", ");
        if i % per_part == per_part - 1 || i == articles - 1 {
            parts.push_str("]\n");
        }
    }
    std::fs::write(
        root.join("book.toml"),
        format!(
            "[book]\ntitle = \"A Generated Report\"\nsubtitle = \"{articles} articles for the benchmark\"\nedition = \"2016\"\neditors = [\"Bench Editor\"]\ndate = \"2016-12-08\"\nlicense = \"CC BY 4.0\"\n{parts}"
        ),
    )
    .unwrap();
}
