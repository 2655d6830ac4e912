//! What is checked besides the passes: the template, the translations'
//! status, and, in a check, what typesetting and the citations would find
//! (characters no font has, DOIs that are not).

use crate::config::{Config, Edition};
use crate::diag::Diagnostic;
use crate::input::Loaded;
use crate::output::fonts;
use crate::passes;
use crate::pipeline::plan::Plan;
use crate::pipeline::stages::Record;

/// Stale and unrecorded translations of a translated edition
/// (`translations.lock`); none for the original.
pub fn translation_status(config: &Config, edition: &Edition) -> Vec<Diagnostic> {
    use crate::input::translations;
    if edition.tag.is_none() {
        return Vec::new();
    }
    match translations::read_records(config) {
        Ok(records) => {
            translations::diagnostics(&translations::statuses(config, &records, std::slice::from_ref(edition)))
        }
        Err(d) => vec![d],
    }
}

/// What a check adds for an edition where a build would typeset and cite:
/// the DOIs that are not (`invalid-doi`), and, when the report is
/// typeset, the characters no font has.
pub fn unbuilt(loaded: &Loaded, plan: &Plan, record: &mut Record) {
    let Loaded { root, manifest, report, .. } = loaded;
    let mut diagnostics: Vec<Diagnostic> =
        report.articles().filter_map(|a| passes::cite::article_doi(a, root).err()).collect();
    if plan.typesets {
        let (store, warnings) = fonts::store(root, &plan.fonts);
        record.diagnose(warnings);
        diagnostics.extend(fonts::missing_glyphs(report, manifest, store.book()));
    }
    record.diagnose(diagnostics);
}
