//! The web edition: its folder of pages, each article closed by how to cite
//! it and links to its offprint and the citation exports.

use crate::model::{Article, Inline, LinkDest};
use crate::output::site;
use crate::output::sitemeta::Web;
use crate::passes::cite;
use crate::pipeline::outcome::ArtifactKind;
use crate::pipeline::producers::{Content, Context, Output, Produced};
use crate::pipeline::stages::{Stage, timed};

pub fn produce(ctx: &Context) -> Produced {
    let mut produced = Produced::default();
    let plan = ctx.plan;
    let (result, took) = timed(ctx.progress, Stage::Html, || {
        let extra = |article: &Article| links(ctx, article);
        let report = cite::with_how_to_cite(ctx.report, ctx.cited, ctx.words.how_to_cite, extra);
        let articles: Vec<&Article> = ctx.report.articles().collect();
        let web = Web {
            url: plan.url.clone(),
            citations: Web::citations_of(&ctx.cited.csl_json, ctx.manifest, &articles),
            offprints: plan.site_offprints.clone(),
        };
        site::build(&report, ctx.manifest, ctx.root, &plan.downloads, &plan.alternates, ctx.rendered, &web)
    });
    produced.time(Stage::Html, took);
    produced.result(result.map(|site| Output {
        kind: ArtifactKind::Html,
        path: plan.paths.site.clone(),
        content: Content::Folder(site.files),
        pages: None,
    }));
    produced
}

/// The links under an article's citation: its offprint, and the exports.
fn links(ctx: &Context, article: &Article) -> Vec<Inline> {
    let link = |text: &str, href: String| Inline::Link {
        dest: LinkDest::External(href),
        content: vec![Inline::Text(text.to_string())],
        line: 0,
        column: 0,
    };
    let mut links = Vec::new();
    if let Some(dir) = &ctx.plan.site_offprints {
        links.push(link(ctx.words.this_article_pdf, format!("{dir}/{}.pdf", article.id)));
    }
    if ctx.exports() {
        let paths = &ctx.plan.paths;
        for (text, path) in [("BibTeX", &paths.bibtex), ("CSL JSON", &paths.csl_json)] {
            if !links.is_empty() {
                links.push(Inline::Text(" · ".into()));
            }
            let file = path.file_name().unwrap_or_default().to_string_lossy();
            links.push(link(text, format!("../{file}")));
        }
    }
    links
}
