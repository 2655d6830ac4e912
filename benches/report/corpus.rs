//! One corpus measured: conversion, cold builds against typst alone, the
//! in-process stages, a one-article edit, the edit loop and Pandoc.

use super::*;

/// One row of the report: what was measured, and the result.
fn row(what: &str, value: String) {
    println!("  {what:<50} {value}");
}

pub(crate) fn run_corpus(name: &str, root: &Path, pandoc: Option<&Path>, rebuilds: usize) {
    println!("\n== {name} ({})", root.display());
    // 1. Conversion: input::load + output::typst::emit, best of 10.
    let loaded = passes::load(root, None).unwrap_or_else(|d| panic!("the report does not load: {d:?}"));
    let style =
        coala_report::pipeline::template(&loaded.root, loaded.manifest.build.style.as_deref()).expect("the template");
    conversion(root, &loaded, &style);
    let builds = cold_builds(root);
    let epub_time = in_process(root, &style, builds.cold.wall);

    // 5. The edit loop: `watch --serve`'s page preview after an edit.
    typst::comemo::evict(0);
    edit_loop(root, builds.cold.wall, rebuilds);

    // 6. Pandoc on the same markdown.
    let Some(pandoc) = pandoc else {
        println!(
            "  SKIPPED pandoc comparison: no pandoc (set PANDOC, or install pypandoc-binary; see docs/performance.md)"
        );
        return;
    };
    pandoc_comparison(root, &loaded, pandoc, builds, epub_time);
}

/// Conversion: input::load + output::typst::emit, and comrak's parse
/// alone, on one core and on all.
fn conversion(root: &Path, loaded: &coala_report::input::Loaded, style: &str) {
    let md_bytes: u64 =
        loaded.report.articles().map(|a| std::fs::metadata(root.join(&a.path)).map_or(0, |m| m.len())).sum();
    let mut best = Duration::MAX;
    let mut best_emit = Duration::MAX;
    let mut emitted_len = 0;
    for _ in 0..10 {
        let t = Instant::now();
        let loaded = passes::load(root, None).expect("loads");
        let t_emit = Instant::now();
        let emitted = output::typst::emit(&loaded.report, &loaded.manifest, style);
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
}

/// The cold builds of `cold_builds`.
pub(crate) struct Builds {
    /// `build --emit-typst` (PDF and EPUB, with `--json`).
    cold: Usage,
    /// `build --format pdf`.
    pdf_only: Usage,
}

// 2. Cold `build` in a child process (wall, CPU, peak RSS), typst's own
//    compile of the emitted .typ (child process, ReportWorld, the same
//    fonts, PDF export included) and `build --format pdf`, interleaved,
//    best of `REPEAT` (a shared machine is noisy).
fn cold_builds(root: &Path) -> Builds {
    let bin = Path::new(env!("CARGO_BIN_EXE_coala-report"));
    let out = root.join("bench-out");
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
    Builds { cold, pdf_only }
}

/// In process: typeset, export, the offprints and the EPUB, then a
/// one-article edit; how long the EPUB took.
fn in_process(root: &Path, style: &str, cold_wall: f64) -> Duration {
    let loaded = passes::load(root, None).expect("loads");
    let emitted = output::typst::emit(&loaded.report, &loaded.manifest, style);
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
    offprints(&world, &emitted, &typeset.document, &loaded, style, &options, (layout, export));
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
    // The Word edition and every proof, against the PDF's layout + export.
    let t = Instant::now();
    let docx_bytes =
        coala_report::output::docx::report(&loaded.report, &loaded.manifest, &loaded.root, Some(TIMESTAMP));
    let report_docx = t.elapsed();
    let mut proofs = 0;
    for article in loaded.report.articles() {
        let of = coala_report::output::docx::ProofOf { pages: None, edition: None, sha256: String::new() };
        proofs +=
            coala_report::output::docx::proof(article, &loaded.manifest, &loaded.root, &of, Some(TIMESTAMP)).len();
    }
    let docx_time = t.elapsed();
    let pdf_time = layout + export;
    row(
        "in process: DOCX (report, then every proof)",
        format!(
            "{:.3} s report ({:.1} MB), {:.3} s with the proofs ({:.1} MB); / PDF layout + export = {:.3}x{}",
            secs(report_docx),
            docx_bytes.len() as f64 / 1e6,
            secs(docx_time),
            proofs as f64 / 1e6,
            secs(docx_time) / secs(pdf_time),
            target(secs(docx_time) < secs(pdf_time) / 10.0, "< 1/10 of the PDF")
        ),
    );

    site(&loaded);
    edit_rebuild(root, &loaded, &mut world, style, &options, cold_wall);
    epub_time
}

/// The web edition in process (best of [`REPEAT`]): its pages and search
/// index, their sizes, and what a reader's first search loads.
pub(crate) fn site(loaded: &coala_report::input::Loaded) {
    let math = mathml::render(&loaded.report, &loaded.root);
    let mut best: Option<(Duration, output::site::Site)> = None;
    for _ in 0..REPEAT {
        let t = Instant::now();
        let site = output::site::build(
            &loaded.report,
            &loaded.manifest,
            &loaded.root,
            &[],
            &[],
            Rendered { pages: None, math: Some(&math) },
            &output::sitemeta::Web::default(),
        )
        .expect("site");
        let took = t.elapsed();
        if best.as_ref().is_none_or(|(b, _)| took < *b) {
            best = Some((took, site));
        }
    }
    let (took, site) = best.unwrap();
    let search: Vec<&(String, Vec<u8>)> = site.files.iter().filter(|(p, _)| p.starts_with("search/")).collect();
    let size = |prefix: &str| search.iter().filter(|(p, _)| p.starts_with(prefix)).map(|(_, b)| b.len()).sum::<usize>();
    let shards: Vec<usize> = search.iter().filter(|(p, _)| p.starts_with("search/t/")).map(|(_, b)| b.len()).collect();
    row(
        "in process: web edition (pages + search index, parallel)",
        format!(
            "{:.3} s, {} pages, {:.1} MB in {} files{}",
            secs(took),
            site.pages(),
            site.bytes() as f64 / 1e6,
            site.files.len(),
            target(secs(took) < 2.0, "< 2 s")
        ),
    );
    row(
        "  search index",
        format!(
            "{:.2} MB: {} word shards ({:.2} MB, largest {:.0} KB), {} sections ({:.2} MB), manifest {:.1} KB",
            (size("search/")) as f64 / 1e6,
            shards.len(),
            size("search/t/") as f64 / 1e6,
            shards.iter().max().copied().unwrap_or(0) as f64 / 1024.0,
            search.iter().filter(|(p, _)| p.starts_with("search/s/")).count(),
            size("search/s/") as f64 / 1e6,
            size("search/index.json") as f64 / 1024.0,
        ),
    );
    // The middle article's longest word, and the word of the largest shard.
    let middle = loaded.report.articles().nth(loaded.report.articles().count() / 2).expect("an article");
    let page = output::site::page_files(&loaded.report)[&middle.id].clone();
    let mut text = String::new();
    for (path, bytes) in site.files.iter().filter(|(p, _)| p.starts_with("search/s/")) {
        let section: serde_json::Value = serde_json::from_slice(bytes).expect(path);
        if section["u"].as_str().is_some_and(|u| u.split('#').next() == Some(page.as_str())) {
            text.push_str(section["t"].as_str().unwrap_or_default());
            text.push(' ');
        }
    }
    let word = output::search::words(&text)
        .into_iter()
        .map(|(_, folded)| folded)
        .filter(|w| w.chars().all(char::is_alphabetic))
        .max_by_key(|w| (w.chars().count(), w.clone()))
        .unwrap_or_else(|| "blockchain".into());
    // The bound: the largest shard and the ten largest sections.
    let mut sections: Vec<usize> =
        search.iter().filter(|(p, _)| p.starts_with("search/s/")).map(|(_, b)| b.len()).collect();
    sections.sort_unstable_by(|a, b| b.cmp(a));
    let bound = ["search.html", "search.js", "search/index.json"]
        .iter()
        .map(|f| file(&site, f).map_or(0, <[u8]>::len))
        .sum::<usize>()
        + shards.iter().max().copied().unwrap_or(0)
        + sections.iter().take(10).sum::<usize>();
    row(
        "  first search, at most (largest shard, 10 largest sections)",
        format!("{:.1} KB{}", bound as f64 / 1024.0, target(bound <= 150 * 1024, "<= 150 KB")),
    );
    for (what, word) in [("a word of the middle article", word), ("the most frequent word", most_frequent(&site))] {
        let (bytes, parts) = first_search(&site, &word);
        row(
            &format!("  first search, {what} (\"{word}\")"),
            format!("{:.1} KB ({parts}){}", bytes as f64 / 1024.0, target(bytes <= 150 * 1024, "<= 150 KB")),
        );
    }
}

fn file<'a>(site: &'a output::site::Site, path: &str) -> Option<&'a [u8]> {
    site.files.iter().find(|(p, _)| p == path).map(|(_, b)| b.as_slice())
}

/// The word with the most sections.
fn most_frequent(site: &output::site::Site) -> String {
    let mut best = (0, String::new());
    for (path, bytes) in site.files.iter().filter(|(p, _)| p.starts_with("search/t/")) {
        let shard: serde_json::Map<String, serde_json::Value> = serde_json::from_slice(bytes).expect(path);
        for (w, postings) in shard {
            let n = postings.as_array().map_or(0, Vec::len);
            if n > best.0 {
                best = (n, w);
            }
        }
    }
    best.1
}

/// What search.js loads for a first search of `word` (uncompressed): the
/// search page, the script, the manifest, the word's shard and the first
/// ten results' sections.
fn first_search(site: &output::site::Site, word: &str) -> (usize, String) {
    let page = file(site, "search.html").map_or(0, <[u8]>::len);
    let script = file(site, "search.js").map_or(0, <[u8]>::len);
    let manifest_bytes = file(site, "search/index.json").expect("search/index.json");
    let manifest: serde_json::Value = serde_json::from_slice(manifest_bytes).unwrap();
    let keys = manifest["shards"].as_object().unwrap();
    let key = (0..=word.chars().count())
        .rev()
        .map(|n| word.chars().take(n).collect::<String>())
        .find(|p| keys.contains_key(p))
        .expect("a shard");
    let shard_path = format!("search/t/{}.json", keys[&key]);
    let shard_bytes = file(site, &shard_path).unwrap();
    let shard: serde_json::Value = serde_json::from_slice(shard_bytes).unwrap();
    let postings: Vec<u64> =
        shard[word].as_array().map(|a| a.iter().filter_map(serde_json::Value::as_u64).collect()).unwrap_or_default();
    // The ten sections with the highest counts (as search.js ranks them).
    let mut hits = Vec::new();
    let mut section = 0;
    for pair in postings.chunks(2) {
        section += pair[0];
        hits.push((pair[1], section));
    }
    hits.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    let sections: usize =
        hits.iter().take(10).map(|(_, s)| file(site, &format!("search/s/{s}.json")).map_or(0, <[u8]>::len)).sum();
    let total = page + script + manifest_bytes.len() + shard_bytes.len() + sections;
    (
        total,
        format!(
            "page {:.1} + script {:.1} + manifest {:.1} + shard {:.1} + {} sections {:.1} KB",
            page as f64 / 1024.0,
            script as f64 / 1024.0,
            manifest_bytes.len() as f64 / 1024.0,
            shard_bytes.len() as f64 / 1024.0,
            hits.len().min(10),
            sections as f64 / 1024.0
        ),
    )
}

/// Offprints: every article as its own PDF, from the same
/// world and memoised layout, in parallel; against the report's own
/// typesetting (layout alone, and layout + export).
fn offprints(
    world: &ReportWorld,
    emitted: &output::typst::Emitted,
    document: &PagedDocument,
    loaded: &coala_report::input::Loaded,
    style: &str,
    options: &ExportOptions,
    (layout, export): (Duration, Duration),
) {
    let t = Instant::now();
    let placed = output::offprint::placed(document, &loaded.report);
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
        style,
        template_offprint: true,
        cited: &cited,
        report_pdf: "../report.pdf".into(),
        url: None,
        options,
    };
    let (offprints, problems) = output::offprint::build(world, emitted, document, &placed, &ctx);
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
}

/// A sentence added to the middle article, as `watch` would see it, and
/// the PDF and EPUB rebuilt in the same world.
fn edit_rebuild(
    root: &Path,
    loaded: &coala_report::input::Loaded,
    world: &mut ReportWorld,
    style: &str,
    options: &ExportOptions,
    cold_wall: f64,
) {
    let articles: Vec<String> = loaded.report.articles().map(|a| a.src_rel.clone()).collect();
    let edited = root.join(&loaded.manifest.book.src).join(&articles[articles.len() / 2]);
    let original = std::fs::read_to_string(&edited).unwrap();
    std::fs::write(&edited, format!("{original}\n\nAn added paragraph, as an editor would write it.\n")).unwrap();
    let t = Instant::now();
    let reloaded = passes::load(root, None).expect("loads");
    let emitted = output::typst::emit(&reloaded.report, &reloaded.manifest, style);
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
        let typeset = pdf::typeset(world, &emitted).expect("typesets");
        let relayout = t.elapsed();
        let t = Instant::now();
        let bytes = pdf::export(world, &emitted, &typeset.document, options).expect("export");
        (bytes.len(), epub.join().unwrap(), relayout, t.elapsed())
    });
    let rebuild = t.elapsed();
    std::fs::write(&edited, original).unwrap();
    assert!(typeset > 0 && epub_again.is_ok());
    let share = secs(rebuild) / cold_wall;
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
}

/// Pandoc on the same markdown, against our builds.
fn pandoc_comparison(
    root: &Path,
    loaded: &coala_report::input::Loaded,
    pandoc: &Path,
    builds: Builds,
    epub_time: Duration,
) {
    let bin = Path::new(env!("CARGO_BIN_EXE_coala-report"));
    let out = root.join("bench-out");
    let out_s = out.to_str().unwrap();
    let me = std::env::current_exe().unwrap();
    let articles: Vec<String> = loaded.report.articles().map(|a| a.src_rel.clone()).collect();
    let Builds { cold, pdf_only, .. } = builds;
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
