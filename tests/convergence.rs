//! Typst lays a document out again until what it asked of the layout stops
//! changing. The template and the generator are written so that the first
//! pass already sets what the last will (see docs/template.md): a
//! report converges in two passes. A third costs about a fifth of a cold
//! build of 1,000 pages.
//!
//! The passes are counted with typst's own timing scopes ("iter (N)"), which
//! are recorded process-wide: hence this file is its own test binary, with
//! one test, so no other compile runs beside it.

use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::path::Path;

use coala_report::output::pdf::{ReportWorld, typeset};
use coala_report::output::typst::emit;
use coala_report::passes::load as load_edition;

/// The number of layout passes typst made for one edition of the report;
/// with `offprints`, the most any of its offprints took.
fn passes(root: &Path, edition: Option<&str>) -> usize {
    passes_of(root, edition, false)
}

fn passes_of(root: &Path, edition: Option<&str>, offprints: bool) -> usize {
    let loaded = load_edition(root, edition).unwrap_or_else(|d| panic!("the report loads: {d:?}"));
    let errors: Vec<_> = loaded.diagnostics.iter().filter(|d| d.is_error()).collect();
    assert!(errors.is_empty(), "{errors:?}");
    let emitted = emit(
        &loaded.report,
        &loaded.manifest,
        loaded.manifest.build.style.as_deref().unwrap_or(coala_report::config::DEFAULT_STYLE),
    );
    // The loaded root: it holds the pictures of the Word documents it read.
    let mut world = ReportWorld::new(&loaded.root, Some((2016, 12, 8)));
    world.set_emitted(&emitted);
    typst_timing::clear();
    typst_timing::enable();
    let typeset = typeset(&world, &emitted);
    typst_timing::disable();
    let typeset = typeset.unwrap_or_else(|e| panic!("typesetting failed: {e:?}"));
    if offprints {
        use coala_report::output::offprint;
        let placed = offprint::placed(&typeset.document, &loaded.report);
        let files = coala_report::output::site::page_files(&loaded.report);
        let addresses = coala_report::passes::cite::Addresses { url: None, pages: &files };
        let (cited, _) = coala_report::passes::cite::cite(
            &loaded.report,
            &loaded.manifest,
            &loaded.root,
            &offprint::pages_by_id(&placed),
            &addresses,
        );
        let options =
            coala_report::output::pdf::ExportOptions { ident: "t".into(), timestamp: Some(0), standards: Vec::new() };
        let style = loaded.manifest.build.style.clone().unwrap_or_else(|| coala_report::config::DEFAULT_STYLE.into());
        let ctx = offprint::Context {
            report: &loaded.report,
            manifest: &loaded.manifest,
            style: &style,
            template_offprint: true,
            cited: &cited,
            report_pdf: "../report.pdf".into(),
            url: None,
            options: &options,
        };
        // One at a time: the timing scopes of parallel compiles would mix.
        let mut most = 0;
        for one in &placed {
            typst_timing::clear();
            typst_timing::enable();
            let (built, problems) =
                offprint::build(&world, &emitted, &typeset.document, std::slice::from_ref(one), &ctx);
            typst_timing::disable();
            assert!(built.len() == 1 && problems.iter().all(|d| !d.is_error()), "{problems:?}");
            most = most.max(iterations());
        }
        return most;
    }
    iterations()
}

/// The passes recorded since the timing scopes were cleared.
fn iterations() -> usize {
    let mut json = Vec::new();
    typst_timing::export_json(&mut json, |_| (String::new(), 0)).expect("timing events");
    let events: serde_json::Value = serde_json::from_slice(&json).expect("timing JSON");
    let iterations: BTreeSet<&str> = events
        .as_array()
        .expect("an array of events")
        .iter()
        .filter_map(|e| e["name"].as_str())
        .filter(|name| name.starts_with("iter ("))
        .collect();
    assert!(!iterations.is_empty(), "no pass was recorded: typst's timing scopes changed?");
    iterations.len()
}

/// A report whose contents fills pages, in three parts, with what asks the
/// layout for something: notes (and a second reference to one), links to
/// other articles and to their sections with "(p. N)", figure references
/// and glossary terms linked on first use, which list their pages.
fn write_report(root: &Path) {
    let mut manifest = String::from(
        "[book]\ntitle = \"Passes\"\nlanguage = \"en\"\n\n[build.pdf]\npage-refs = true\n\n\
         [glossary]\nlink = \"first-use\"\n\n",
    );
    let write = |rel: &str, text: &str| {
        let path = root.join(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    };
    let per_part = 16;
    for part in 0..3 {
        let _ = write!(manifest, "[[part]]\ntitle = \"Part {part}\"\narticles = [");
        for i in 0..per_part {
            let n = part * per_part + i;
            let next = (n + 7) % (3 * per_part);
            let _ = write!(manifest, "\"a{n}.md\", ");
            let mut text = format!("# Article number {n} on the ledger\n\n");
            for p in 0..6 {
                let _ = write!(
                    text,
                    "Paragraph {p} of article {n}: a distributed ledger keeps records that many parties \
                     hold at once, and a consensus protocol decides which records are added{}. See \
                     [article {next}](a{next}.md) and [its section](a{next}.md#section-two) for more.\n\n",
                    if p == 1 { "[^a]" } else { "" }
                );
            }
            let _ = write!(
                text,
                "![A chart](chart.svg \"A chart of article {n}\"){{#fig-c{n}}}\n\n\
                 As @fig-c{n} shows, and as the note says again[^a].\n\n\
                 ## Section two\n\nMore text about the ledger, with a second note[^b].\n\n\
                 [^a]: A note, referred to twice.\n[^b]: Another note.\n"
            );
            write(&format!("report/a{n}.md"), &text);
        }
        manifest.push_str("]\n\n");
    }
    manifest.insert_str(0, "back = [\"glossary.md\"]\n");
    write(
        "report/glossary.md",
        "+++\ntitle = \"Glossary\"\nkind = \"glossary\"\n+++\n\n## Distributed ledger\n\nA ledger held by many.\n\n\
         ## Consensus protocol\n\nHow they agree.\n",
    );
    write(
        "report/chart.svg",
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"200\" height=\"80\"><rect width=\"200\" height=\"80\" fill=\"#1b4a72\"/></svg>",
    );
    write("book.toml", &manifest);
    let template = Path::new(env!("CARGO_MANIFEST_DIR")).join("styles/report.typ");
    write("styles/report.typ", &std::fs::read_to_string(template).unwrap());
}

#[test]
fn reports_converge_in_two_passes() {
    let sample = Path::new(env!("CARGO_MANIFEST_DIR"));
    assert_eq!(passes(sample, None), 2, "the sample report");
    assert_eq!(passes(sample, Some("es")), 2, "the sample's Spanish edition (the template's words in Spanish)");

    let dir = tempfile::tempdir().unwrap();
    write_report(dir.path());
    assert_eq!(passes(dir.path(), None), 2, "a report of 49 articles in three parts");
    assert_eq!(passes_of(sample, None, true), 2, "each of the sample's offprints");
    assert_eq!(passes_of(dir.path(), None, true), 2, "each offprint of the 49 articles and the glossary");
}
