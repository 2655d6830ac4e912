//! `coala-report review`: Word proofs that came back, reported at their
//! source lines, and with `--apply` their tracked changes written into the
//! markdown (see [`crate::review`]).

pub use crate::review::{Options, Reviewed, review};

/// The `--json` summary: the proofs read, the sources changed and every
/// diagnostic.
pub fn json(reviewed: &Reviewed, diagnostics: &[crate::diag::Diagnostic], exit_code: i32) -> String {
    let applied: Vec<serde_json::Value> = reviewed
        .applied
        .iter()
        .map(|a| serde_json::json!({ "source": a.source.display().to_string(), "changes": a.changes }))
        .collect();
    let value = serde_json::json!({
        "command": "review",
        "success": !reviewed.failed(),
        "exit_code": exit_code,
        "proofs": reviewed.proofs,
        "applied": applied,
        "diagnostics": diagnostics.iter().map(crate::commands::summary::diagnostic).collect::<Vec<_>>(),
    });
    serde_json::to_string_pretty(&value).unwrap_or_default()
}
