//! Pandoc on the same markdown, for comparison.

use super::*;

/// Points Pandoc's `image("...")` calls whose file is missing at a 1×1 PNG.
pub(crate) fn replace_missing_images(typ: &str, dir: &Path) -> String {
    let mut out = String::with_capacity(typ.len());
    let mut rest = typ;
    while let Some(i) = rest.find("image(\"") {
        let (head, tail) = rest.split_at(i + "image(\"".len());
        out.push_str(head);
        let end = tail.find('"').unwrap_or(tail.len());
        let path = &tail[..end];
        out.push_str(if dir.join(path).is_file() { path } else { "__missing.png" });
        rest = &tail[end..];
    }
    out.push_str(rest);
    out
}

pub(crate) fn find_pandoc() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("PANDOC") {
        return Some(PathBuf::from(p));
    }
    let ok = Command::new("pandoc").arg("--version").output().is_ok_and(|o| o.status.success());
    ok.then(|| PathBuf::from("pandoc"))
}
