//! The machine-readable summary printed by `--json` (schema in the README).

use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use crate::diag::{Diagnostic, Severity};
use crate::pipeline::Outcome;

/// Version of the JSON schema; bumped on incompatible changes.
pub const SCHEMA_VERSION: u32 = 1;

/// The summary of one run, as a JSON string.
pub fn json(command: &str, outcome: &Outcome, diagnostics: &[Diagnostic], exit_code: i32) -> String {
    let artifacts: Vec<Value> = outcome
        .artifacts
        .iter()
        .map(|a| {
            let sha256 = std::fs::read(&a.path).map(|bytes| hex(&Sha256::digest(&bytes))).ok();
            json!({
                "path": a.path.display().to_string(),
                "format": a.kind.name(),
                "bytes": a.bytes,
                "sha256": sha256,
                "pages": a.pages,
            })
        })
        .collect();
    let timings: serde_json::Map<String, Value> = outcome
        .timings
        .iter()
        .map(|t| (t.stage.name().to_string(), json!((t.duration.as_secs_f64() * 1e6).round() / 1e6)))
        .collect();
    let value = json!({
        "schema": SCHEMA_VERSION,
        "command": command,
        "success": exit_code == 0,
        "exit_code": exit_code,
        "artifacts": artifacts,
        "errors": diagnostics.iter().filter(|d| d.is_error()).map(diagnostic).collect::<Vec<_>>(),
        "warnings": diagnostics.iter().filter(|d| !d.is_error()).map(diagnostic).collect::<Vec<_>>(),
        "timings": timings,
    });
    let mut value = value;
    if let (Some(links), Some(map)) = (&outcome.links, value.as_object_mut()) {
        map.insert("links".to_string(), links.iter().map(link).collect());
    }
    serde_json::to_string_pretty(&value).unwrap_or_default()
}

/// One web link's result (`check --links`).
fn link(r: &crate::linkcheck::LinkResult) -> Value {
    let obs = r.observation.as_ref();
    json!({
        "url": r.url,
        "result": r.verdict.name(),
        "status": obs.and_then(|o| o.status),
        "moved_to": obs.and_then(|o| o.moved_to.clone()),
        "https": obs.and_then(|o| o.https),
        "failure": obs.and_then(|o| o.failure).map(|f| serde_json::to_value(f).unwrap_or_default()),
        "detail": obs.and_then(|o| o.detail.clone()),
        "requests": obs.map(|o| o.requests),
        "checked": r.checked.map(crate::linkcheck::rfc3339),
        "cached": r.cached,
        "places": r.places.iter().map(|p| json!({
            "file": p.file.display().to_string(),
            "line": p.line,
            "column": p.column,
            "image": p.image,
        })).collect::<Vec<_>>(),
    })
}

/// The summary of `import`.
pub fn import_json(
    outcome: &crate::commands::import::ImportOutcome,
    diagnostics: &[Diagnostic],
    exit_code: i32,
) -> String {
    let imported: Vec<Value> = outcome
        .imported
        .iter()
        .map(|i| {
            json!({
                "source": i.source.display().to_string(),
                "markdown": i.markdown.display().to_string(),
                "images": i.images.iter().map(|p| p.display().to_string()).collect::<Vec<_>>(),
                "bibliography": i.bibliography.as_ref().map(|p| p.display().to_string()),
                "references": i.references,
                "comments": i.comments,
                "entry": i.entry,
            })
        })
        .collect();
    let value = json!({
        "schema": SCHEMA_VERSION,
        "command": "import",
        "success": exit_code == 0,
        "exit_code": exit_code,
        "imported": imported,
        "part": outcome.part,
        "errors": diagnostics.iter().filter(|d| d.is_error()).map(diagnostic).collect::<Vec<_>>(),
        "warnings": diagnostics.iter().filter(|d| !d.is_error()).map(diagnostic).collect::<Vec<_>>(),
    });
    serde_json::to_string_pretty(&value).unwrap_or_default()
}

/// One diagnostic as the summary (and the preview server's events) give it.
pub fn diagnostic(d: &Diagnostic) -> Value {
    json!({
        "name": d.name(),
        "severity": match d.severity { Severity::Error => "error", Severity::Warning => "warning" },
        "message": d.message,
        "file": d.file.as_ref().map(|f| f.display().to_string()),
        "line": d.line,
        "column": d.column,
        "hint": d.hint,
    })
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
