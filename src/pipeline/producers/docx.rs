//! The Word edition, with "How to cite this article" closing each
//! article, and one proof per article (which names its pages in the PDF
//! edition when the report was typeset).

use std::time::Instant;

use crate::output::docx::{self, ProofOf};
use crate::passes::cite;
use crate::pipeline::outcome::ArtifactKind;
use crate::pipeline::producers::{Context, Output, Produced};
use crate::pipeline::stages::Stage;

pub fn produce(ctx: &Context) -> Produced {
    let mut produced = Produced::default();
    let plan = ctx.plan;
    ctx.progress.start(Stage::Docx);
    let t = Instant::now();
    let with_citations = cite::with_how_to_cite(ctx.report, ctx.cited, ctx.words.how_to_cite, |_| Vec::new());
    let bytes = docx::report(&with_citations, ctx.manifest, ctx.root, plan.timestamp);
    produced.outputs.push(Output::file(ArtifactKind::Docx, plan.paths.docx.clone(), bytes, None));
    let pdf = format!("{}.pdf", plan.name);
    let mut proofs = 0;
    for article in ctx.report.articles() {
        let pages = ctx.placed.iter().find(|p| p.id == article.id).map(|p| (&p.pages, pdf.clone()));
        let of = ProofOf { pages, edition: plan.tag.as_deref(), sha256: source_sha256(ctx, article) };
        let bytes = docx::proof(article, ctx.manifest, ctx.root, &of, plan.timestamp);
        let path = plan.paths.proofs.join(format!("{}.docx", article.id));
        produced.outputs.push(Output::file(ArtifactKind::DocxProof, path, bytes, None));
        proofs += 1;
    }
    ctx.progress.done(Stage::Docx, t.elapsed(), &format!("{proofs} proofs"));
    produced.time(Stage::Docx, t.elapsed());
    produced
}

/// The SHA-256 of an article's source file, in hex (empty when it cannot
/// be read).
pub fn source_sha256(ctx: &Context, article: &crate::model::Article) -> String {
    std::fs::read(ctx.root.path().join(&article.path)).map(|b| sha256_hex(&b)).unwrap_or_default()
}

pub fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::Digest;
    sha2::Sha256::digest(bytes).iter().map(|b| format!("{b:02x}")).collect()
}
