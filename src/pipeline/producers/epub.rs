//! The EPUB 3, with "How to cite this article" closing each article.

use crate::output::epub;
use crate::passes::cite;
use crate::pipeline::outcome::ArtifactKind;
use crate::pipeline::producers::{Context, Output, Produced};
use crate::pipeline::stages::{Stage, timed};

pub fn produce(ctx: &Context) -> Produced {
    let mut produced = Produced::default();
    let (result, took) = timed(ctx.progress, Stage::Epub, || {
        let report = cite::with_how_to_cite(ctx.report, ctx.cited, ctx.words.how_to_cite, |_| Vec::new());
        epub::build(&report, ctx.manifest, ctx.root, ctx.plan.timestamp, ctx.rendered)
    });
    produced.time(Stage::Epub, took);
    produced.result(result.map(|bytes| Output::file(ArtifactKind::Epub, ctx.plan.paths.epub.clone(), bytes, None)));
    produced
}
