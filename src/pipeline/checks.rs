//! What is checked besides the passes: the template, the translations'
//! status, and, in a check, what typesetting and the citations would find
//! (characters no font has, DOIs that are not).

use crate::config::{Config, Edition};
use crate::diag::Diagnostic;
use crate::fsutil::Root;
use crate::input::Loaded;
use crate::lint;
use crate::output::fonts;
use crate::output::pdf;
use crate::passes;
use crate::pipeline::plan::Plan;
use crate::pipeline::stages::Record;

/// The built-in template's import path (served by the typst world).
pub const BUILTIN: &str = pdf::BUILTIN_STYLE_IMPORT;

/// The template's import path from the root: `[build] style`, which must
/// exist inside the root; else `styles/report.typ` when the report has it;
/// else the built-in template (which the typst world serves).
pub fn template(root: &Root, style: Option<&str>) -> Result<String, Diagnostic> {
    let Some(style) = style else {
        let own = root.resolve(crate::config::DEFAULT_STYLE).is_ok_and(|p| p.is_file());
        return Ok(if own { crate::config::DEFAULT_STYLE.to_string() } else { BUILTIN.to_string() });
    };
    match root.resolve(style) {
        Ok(path) if path.is_file() => Ok(style.to_string()),
        Ok(_) => Err(Diagnostic::new(&lint::MISSING_TEMPLATE, format!("the template `{style}` does not exist"))
            .with_file("book.toml")
            .with_hint(
                "set `[build] style` to a .typ file inside the report, or remove it to use the built-in template \
                 (`coala-report init` writes a copy to edit)",
            )),
        Err(e) => Err(Diagnostic::new(&lint::MISSING_TEMPLATE, e.describe("template", style))
            .with_file("book.toml")
            .with_hint(e.hint())),
    }
}

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
