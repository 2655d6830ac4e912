//! The citation exports (BibTeX and CSL JSON of the report and every
//! article), which come with the offprints: they carry the pages.

use crate::pipeline::outcome::ArtifactKind;
use crate::pipeline::producers::{Context, Output, Produced};

pub fn produce(ctx: &Context) -> Produced {
    let mut produced = Produced::default();
    if ctx.exports() {
        let paths = &ctx.plan.paths;
        let cited = ctx.cited;
        produced.outputs = vec![
            Output::file(ArtifactKind::Bibtex, paths.bibtex.clone(), cited.bibtex.clone().into_bytes(), None),
            Output::file(ArtifactKind::CslJson, paths.csl_json.clone(), cited.csl_json.clone().into_bytes(), None),
        ];
    }
    produced
}
