//! One PDF per article, typeset from the report's world with the report's
//! page numbers.

use std::time::Instant;

use crate::diag::Diagnostic;
use crate::lint;
use crate::output::offprint;
use crate::pipeline::outcome::ArtifactKind;
use crate::pipeline::plan::BUILTIN;
use crate::pipeline::producers::{Context, Output, Produced, pdf::export_options};
use crate::pipeline::stages::Stage;

pub fn produce(ctx: &Context) -> Produced {
    let mut produced = Produced::default();
    let Some((world, document, emitted)) = ctx.laid_out() else { return produced };
    let plan = ctx.plan;
    let style = plan.template.as_str();
    let options = export_options(ctx.manifest, plan.timestamp);
    let template_offprint = style == BUILTIN
        || ctx
            .root
            .resolve(style)
            .ok()
            .and_then(|p| std::fs::read_to_string(p).ok())
            .is_some_and(|text| offprint::template_has_offprint(&text));
    let octx = offprint::Context {
        report: ctx.report,
        manifest: ctx.manifest,
        style,
        template_offprint,
        cited: ctx.cited,
        report_pdf: format!("../{}.pdf", plan.name),
        url: plan.url.clone(),
        options: &options,
    };
    ctx.progress.start(Stage::Offprints);
    let t = Instant::now();
    let (built, diagnostics) = offprint::build(world, emitted, document, ctx.placed, &octx);
    ctx.progress.done(Stage::Offprints, t.elapsed(), &format!("{} offprints", built.len()));
    produced.time(Stage::Offprints, t.elapsed());
    produced.diagnostics = diagnostics;
    if !template_offprint {
        produced.diagnostics.push(no_offprint_function(style));
    }
    // An offprint that failed has said why; an article typst did not
    // place is a bug.
    for article in ctx.report.articles().filter(|a| !ctx.placed.iter().any(|p| p.id == a.id)) {
        produced.diagnostics.push(
            Diagnostic::new(
                &lint::INTERNAL_ERROR,
                format!("no offprint of `{}`: its pages are not in the typeset report", article.id),
            )
            .with_file(&article.path)
            .with_hint("please report this bug with the report; build without offprints meanwhile"),
        );
    }
    for offprint in built {
        let path = plan.paths.offprints.join(format!("{}.pdf", offprint.id));
        produced.outputs.push(Output::file(ArtifactKind::Offprint, path, offprint.bytes, Some(offprint.pages)));
    }
    produced
}

/// A template without `offprint`: the offprints use the built-in one's.
fn no_offprint_function(style: &str) -> Diagnostic {
    Diagnostic::new(&lint::OFFPRINT_TEMPLATE, format!("the template `{style}` has no `offprint` function"))
        .with_file(style)
        .with_line(1)
        .with_hint(
            "copy `offprint`, `_folio`, `_rules` and `_elsewhere` (with `link-to`, `page-ref` and \
             `glossary-pages`) from the built-in template (`coala-report init` writes it)",
        )
}
