//! Filesystem helpers: every error names its path; every read is confined to
//! the report root; every output is written atomically.

use std::io::Write;
use std::path::{Component, Path, PathBuf};

use crate::diag::Diagnostic;
use crate::lint;

/// A report root: a canonical folder that no read may escape.
///
/// It also holds the files that exist only in memory: the pictures of a
/// Word document built directly, which its article refers to as files of
/// the document (`report/brief.docx/image1.png`). Every read of an image or
/// a file typst asks for goes through [`Root::read`], which finds them.
#[derive(Debug, Clone)]
pub struct Root {
    canonical: PathBuf,
    embedded: std::sync::Arc<std::sync::RwLock<std::collections::HashMap<PathBuf, std::sync::Arc<[u8]>>>>,
}

impl Root {
    pub fn new(path: &Path) -> Result<Root, Diagnostic> {
        let canonical = path.canonicalize().map_err(|err| {
            Diagnostic::new(
                &lint::INVALID_MANIFEST,
                format!("cannot open the report folder `{}`: {err}", path.display()),
            )
            .with_hint("run coala-report in a folder holding book.toml, or pass it: coala-report build PATH")
        })?;
        if !canonical.is_dir() {
            return Err(Diagnostic::new(&lint::INVALID_MANIFEST, format!("`{}` is not a folder", path.display())));
        }
        Ok(Root { canonical, embedded: Default::default() })
    }

    /// Makes `bytes` readable at `rel` (relative to the root, as
    /// [`Root::resolve`] takes it), in memory; replaces what was there.
    pub fn embed(&self, rel: &str, bytes: Vec<u8>) -> Result<(), ConfineError> {
        let path = self.resolve(rel)?;
        let mut files = self.embedded.write().unwrap_or_else(std::sync::PoisonError::into_inner);
        files.insert(path, bytes.into());
        Ok(())
    }

    /// The bytes of a resolved path: an embedded file, else the file on disk.
    pub fn read(&self, path: &Path) -> std::io::Result<Vec<u8>> {
        let files = self.embedded.read().unwrap_or_else(std::sync::PoisonError::into_inner);
        match files.get(path) {
            Some(bytes) => Ok(bytes.to_vec()),
            None => std::fs::read(path),
        }
    }

    /// Whether a resolved path is a file, embedded or on disk.
    pub fn is_file(&self, path: &Path) -> bool {
        let files = self.embedded.read().unwrap_or_else(std::sync::PoisonError::into_inner);
        files.contains_key(path) || path.is_file()
    }

    pub fn path(&self) -> &Path {
        &self.canonical
    }

    /// Resolves `rel` (written relative to the root, with `/` separators)
    /// to a path that is certainly inside the root, following symlinks.
    /// Refuses absolute paths, `..` that leaves the root and symlinks that
    /// point outside. Does not require the file to exist unless it is a
    /// symlink; returns the lexical path when it does not exist.
    pub fn resolve(&self, rel: &str) -> Result<PathBuf, ConfineError> {
        let rel_path = Path::new(rel);
        if rel.is_empty() {
            return Err(ConfineError::Empty);
        }
        if rel_path.is_absolute() || rel.starts_with('/') || rel.starts_with('\\') {
            return Err(ConfineError::Absolute);
        }
        let mut lexical = PathBuf::new();
        for comp in rel_path.components() {
            match comp {
                Component::Normal(c) => lexical.push(c),
                Component::CurDir => {}
                Component::ParentDir => {
                    if !lexical.pop() {
                        return Err(ConfineError::Escapes);
                    }
                }
                Component::RootDir | Component::Prefix(_) => return Err(ConfineError::Absolute),
            }
        }
        let joined = self.canonical.join(&lexical);
        match joined.canonicalize() {
            Ok(real) if real.starts_with(&self.canonical) => Ok(real),
            Ok(_) => Err(ConfineError::Symlink),
            Err(_) => {
                // Missing: still refuse a dangling symlink anywhere on the way.
                let mut probe = self.canonical.clone();
                for comp in lexical.components() {
                    probe.push(comp);
                    if probe.symlink_metadata().is_ok_and(|m| m.file_type().is_symlink()) {
                        match probe.canonicalize() {
                            Ok(real) if real.starts_with(&self.canonical) => {}
                            _ => return Err(ConfineError::Symlink),
                        }
                    }
                }
                Ok(joined)
            }
        }
    }

    /// The path of `abs` relative to the root, for messages.
    pub fn relative<'a>(&self, abs: &'a Path) -> &'a Path {
        abs.strip_prefix(&self.canonical).unwrap_or(abs)
    }
}

/// Why a path was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConfineError {
    Empty,
    Absolute,
    Escapes,
    Symlink,
}

impl ConfineError {
    pub fn describe(self, what: &str, path: &str) -> String {
        match self {
            ConfineError::Empty => format!("the {what} path is empty"),
            ConfineError::Absolute => {
                format!("the {what} path `{path}` is absolute; paths must be relative to the report root")
            }
            ConfineError::Escapes => {
                format!("the {what} path `{path}` leaves the report root")
            }
            ConfineError::Symlink => {
                format!("the {what} path `{path}` is a symlink that points outside the report root")
            }
        }
    }

    pub fn hint(self) -> &'static str {
        "coala-report reads files only inside the folder that holds book.toml: \
         move or copy the file into it"
    }
}

/// Reads a UTF-8 text file; the error names the path, and for invalid UTF-8
/// the byte offset. A BOM is dropped and CRLF line endings become LF.
pub fn read_text(path: &Path, shown: &Path) -> Result<String, Diagnostic> {
    let bytes = std::fs::read(path).map_err(|err| {
        let mut d =
            Diagnostic::new(&lint::UNREADABLE_FILE, format!("cannot read `{}`: {}", shown.display(), io_reason(&err)));
        if err.kind() == std::io::ErrorKind::NotFound {
            d = d.with_hint("check the file name and that it is listed relative to the right folder");
        }
        d
    })?;
    let text = String::from_utf8(bytes).map_err(|err| {
        let offset = err.utf8_error().valid_up_to();
        let bytes = err.as_bytes();
        let line = bytes[..offset].iter().filter(|&&b| b == b'\n').count() + 1;
        let col = offset - bytes[..offset].iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1) + 1;
        Diagnostic::new(
            &lint::UNREADABLE_FILE,
            format!("`{}` is not valid UTF-8 (invalid byte at offset {offset})", shown.display()),
        )
        .with_file(shown)
        .with_position(line, col)
        .with_hint("save the file as UTF-8")
    })?;
    Ok(normalize_newlines(text))
}

/// Drops a UTF-8 BOM and turns CRLF (and lone CR) into LF.
pub fn normalize_newlines(text: String) -> String {
    let text = match text.strip_prefix('\u{feff}') {
        Some(rest) => rest.to_string(),
        None => text,
    };
    if text.contains('\r') { text.replace("\r\n", "\n").replace('\r', "\n") } else { text }
}

fn io_reason(err: &std::io::Error) -> String {
    match err.kind() {
        std::io::ErrorKind::NotFound => "no such file".into(),
        std::io::ErrorKind::PermissionDenied => "permission denied".into(),
        _ => err.to_string(),
    }
}

/// Writes `bytes` to `path` atomically: a temporary file in the same folder,
/// flushed, then renamed over the target. On failure the target is untouched
/// and the temporary file is removed.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), Diagnostic> {
    write_all_atomic(&[(path, bytes)])
}

/// Writes several files as one: every temporary file is written and flushed
/// first, and only then are they renamed over their targets, so a failure
/// while writing (a full disk, a missing folder) replaces none of them.
pub fn write_all_atomic(files: &[(&Path, &[u8])]) -> Result<(), Diagnostic> {
    let mut staged = Vec::with_capacity(files.len());
    for (path, bytes) in files {
        staged.push((stage(path, bytes)?, *path));
    }
    for (tmp, path) in staged {
        tmp.persist(path).map_err(|e| write_error(path, &e.error))?;
    }
    Ok(())
}

/// The files of a folder written whole: paths relative to it, and bytes.
pub type FolderFiles = Vec<(String, Vec<u8>)>;

/// What one build writes into its folder: files, and folders written whole
/// (the web edition), each with its path.
#[derive(Debug, Default)]
pub struct Artifacts {
    pub files: Vec<(PathBuf, Vec<u8>)>,
    pub folders: Vec<(PathBuf, FolderFiles)>,
}

/// The one atomic writer of a build: every folder is staged complete in a
/// temporary folder and every file in a temporary file (all flushed), and
/// only then are the files renamed over their targets and the folders
/// swapped in, so a failure while writing replaces nothing.
pub fn commit(artifacts: &Artifacts) -> Result<(), Diagnostic> {
    let folders: Vec<StagedDir> =
        artifacts.folders.iter().map(|(target, files)| stage_dir(target, files)).collect::<Result<_, _>>()?;
    let files: Vec<(&Path, &[u8])> = artifacts.files.iter().map(|(p, b)| (p.as_path(), b.as_slice())).collect();
    write_all_atomic(&files)?;
    for folder in folders {
        folder.commit()?;
    }
    Ok(())
}

/// A complete folder in a temporary folder beside its target, waiting to
/// replace it; dropped, it is removed.
struct StagedDir {
    tmp: tempfile::TempDir,
    target: PathBuf,
}

/// Writes `files` (paths relative to the folder) into a temporary folder
/// beside `target`, flushed.
fn stage_dir(target: &Path, files: &[(String, Vec<u8>)]) -> Result<StagedDir, Diagnostic> {
    let parent = target.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    let fail = |path: &Path, err: std::io::Error| write_error(path, &err);
    std::fs::create_dir_all(parent).map_err(|e| fail(parent, e))?;
    let tmp = tempfile::Builder::new().prefix(".coala-report-dir-").tempdir_in(parent).map_err(|e| fail(parent, e))?;
    for (rel, bytes) in files {
        let path = tmp.path().join(rel);
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).map_err(|e| fail(dir, e))?;
        }
        let mut file = std::fs::File::create(&path).map_err(|e| fail(&path, e))?;
        file.write_all(bytes).map_err(|e| fail(&path, e))?;
        file.sync_all().map_err(|e| fail(&path, e))?;
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        // tempfile creates 0700; the folder is meant to be served.
        let _ = std::fs::set_permissions(tmp.path(), std::fs::Permissions::from_mode(0o755));
    }
    Ok(StagedDir { tmp, target: target.to_path_buf() })
}

impl StagedDir {
    /// Replaces the target folder: the old one is moved aside, the new one
    /// renamed into place, the old one removed (or put back on failure).
    fn commit(self) -> Result<(), Diagnostic> {
        let fail = |err: std::io::Error| {
            Diagnostic::new(&lint::WRITE_FAILED, format!("cannot replace `{}`: {err}", self.target.display()))
                .with_hint("check that the build folder is writable, or choose another with --out")
        };
        let parent = self.target.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
        let old = match std::fs::symlink_metadata(&self.target) {
            Ok(_) => {
                let old = tempfile::Builder::new().prefix(".coala-report-old-").tempdir_in(parent).map_err(fail)?;
                let aside = old.path().join("old");
                std::fs::rename(&self.target, &aside).map_err(fail)?;
                Some(old)
            }
            Err(_) => None,
        };
        let tmp = self.tmp.keep();
        if let Err(e) = std::fs::rename(&tmp, &self.target) {
            if let Some(old) = &old {
                let _ = std::fs::rename(old.path().join("old"), &self.target);
            }
            let _ = std::fs::remove_dir_all(&tmp);
            return Err(fail(e));
        }
        drop(old);
        Ok(())
    }
}

fn write_error(path: &Path, err: &std::io::Error) -> Diagnostic {
    Diagnostic::new(&lint::WRITE_FAILED, format!("cannot write `{}`: {}", path.display(), io_reason(err)))
        .with_hint("check that the build folder is writable, or choose another with --out")
}

/// A flushed temporary file beside `path` holding `bytes`.
fn stage(path: &Path, bytes: &[u8]) -> Result<tempfile::NamedTempFile, Diagnostic> {
    let dir = path.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    let fail = |err: std::io::Error| write_error(path, &err);
    std::fs::create_dir_all(dir).map_err(fail)?;
    let mut tmp = tempfile::Builder::new().prefix(".coala-report-").suffix(".tmp").tempfile_in(dir).map_err(fail)?;
    tmp.write_all(bytes).map_err(fail)?;
    tmp.as_file().sync_all().map_err(fail)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        // tempfile creates 0600; artifacts are meant to be shared.
        let _ = tmp.as_file().set_permissions(std::fs::Permissions::from_mode(0o644));
    }
    Ok(tmp)
}

/// The name of the lock file in a build folder.
pub const LOCK_FILE: &str = ".coala-report.lock";

/// Takes the build folder's lock, waiting (and saying so through `waiting`)
/// while another build holds it, as cargo does: two builds into one folder
/// never interleave. `None` when the folder cannot be made or locked at
/// all: the build goes on, and writing reports the real problem.
pub fn lock_build_dir(dir: &Path, waiting: impl FnOnce()) -> Option<std::fs::File> {
    std::fs::create_dir_all(dir).ok()?;
    let file = std::fs::OpenOptions::new().create(true).truncate(false).write(true).open(dir.join(LOCK_FILE)).ok()?;
    match file.try_lock() {
        Ok(()) => Some(file),
        Err(std::fs::TryLockError::WouldBlock) => {
            waiting();
            file.lock().ok().map(|()| file)
        }
        Err(std::fs::TryLockError::Error(_)) => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn confinement() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("a")).unwrap();
        std::fs::write(dir.path().join("a/x.md"), "x").unwrap();
        let root = Root::new(dir.path()).unwrap();
        assert!(root.resolve("a/x.md").unwrap().ends_with("a/x.md"));
        assert!(root.resolve("a/../a/x.md").is_ok());
        assert_eq!(root.resolve("../x.md"), Err(ConfineError::Escapes));
        assert_eq!(root.resolve("/etc/passwd"), Err(ConfineError::Absolute));
        #[cfg(unix)]
        {
            std::os::unix::fs::symlink("/etc", dir.path().join("a/out")).unwrap();
            assert_eq!(root.resolve("a/out/passwd"), Err(ConfineError::Symlink));
            assert_eq!(root.resolve("a/out/does-not-exist"), Err(ConfineError::Symlink));
        }
    }

    #[test]
    fn invalid_utf8_names_the_offset() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("bad.md");
        std::fs::write(&p, b"ok\nab\xff").unwrap();
        let err = read_text(&p, Path::new("bad.md")).unwrap_err();
        assert!(err.message.contains("offset 5"), "{}", err.message);
        assert_eq!((err.line, err.column), (Some(2), Some(3)));
    }

    #[test]
    fn bom_and_crlf() {
        assert_eq!(normalize_newlines("\u{feff}a\r\nb\rc".into()), "a\nb\nc");
    }

    #[test]
    fn a_failed_write_replaces_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let good = dir.path().join("report.pdf");
        std::fs::write(&good, b"old").unwrap();
        // The second target's folder cannot be created (a file is in the way).
        std::fs::write(dir.path().join("blocker"), b"").unwrap();
        let bad = dir.path().join("blocker/report.epub");
        assert!(write_all_atomic(&[(&good, b"new"), (&bad, b"new")]).is_err());
        assert_eq!(std::fs::read(&good).unwrap(), b"old");
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 2, "a temporary file was left");
    }

    #[test]
    fn atomic_write_replaces() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("out.pdf");
        write_atomic(&p, b"one").unwrap();
        write_atomic(&p, b"two").unwrap();
        assert_eq!(std::fs::read(&p).unwrap(), b"two");
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    }
}
