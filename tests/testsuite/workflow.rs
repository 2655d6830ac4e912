//! The editors' and CI's workflow: `init`, `check`, `watch`, `--json`,
//! `--deny-warnings`, `--verbose`/`--quiet`, completions, the man page,
//! exit codes and the exact text of diagnostics.

use std::io::BufRead;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use crate::harness::{self, TestReport};

fn broken_report() -> TestReport {
    let r = TestReport::new();
    r.with_styles();
    r.write("book.toml", "front = [\"a.md\", \"b.md\"]\n[book]\ntitle = \"T\"\n")
        .write("report/a.md", "+++\ntitle = \"A\"\n+++\n\n![missing](nope.png)\n\n[elsewhere](elsewhere.md)\n")
        .write("report/b.md", "+++\ntitle = [\n+++\n");
    r
}

#[test]
fn check_reports_every_problem_in_one_run_without_typesetting() {
    let r = broken_report();
    let run = r.run(&["check"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(run.stderr.contains("error[missing-image]: image `nope.png`: no such file"), "{}", run.stderr);
    assert!(run.stderr.contains("warning[broken-link]: link to `elsewhere.md`"), "{}", run.stderr);
    assert!(run.stderr.contains("error[invalid-front-matter]: malformed TOML front matter"), "{}", run.stderr);
    assert!(
        run.stderr.contains(
            "check failed with 2 errors (1 invalid-front-matter, 1 missing-image), 1 warning (1 broken-link)"
        ),
        "{}",
        run.stderr
    );
    assert!(!r.path().join("build").exists(), "check wrote something");
}

#[test]
fn check_passes_on_the_sample_report() {
    let r = TestReport::sample();
    let run = r.run(&["check"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(run.stdout.trim(), "checked: 0 errors, 0 warnings");
}

#[test]
fn json_summary_of_a_failed_build() {
    let r = broken_report();
    let run = r.run(&["build", "--json"]);
    assert_eq!(run.code, 1);
    let v: serde_json::Value = serde_json::from_str(&run.stdout).unwrap_or_else(|e| panic!("{e}: {}", run.stdout));
    assert_eq!(v["schema"], 1);
    assert_eq!(v["success"], false);
    assert_eq!(v["exit_code"], 1);
    assert_eq!(v["artifacts"].as_array().unwrap().len(), 0);
    let errors = v["errors"].as_array().unwrap();
    assert_eq!(errors.len(), 2);
    let image = errors.iter().find(|e| e["message"].as_str().unwrap().contains("nope.png")).unwrap();
    assert_eq!(image["file"], "report/a.md");
    assert_eq!(image["line"], 5);
    assert_eq!(image["column"], 1);
    assert_eq!(v["warnings"][0]["severity"], "warning");
}

#[test]
fn json_summary_of_a_good_build() {
    let r = TestReport::sample();
    let run = r.run(&["build", "--format", "pdf", "--json"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let v: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    let pdf = &v["artifacts"][0];
    assert_eq!(pdf["format"], "pdf");
    assert!(pdf["pages"].as_u64().unwrap() >= 20);
    let bytes = std::fs::read(r.pdf()).unwrap();
    assert_eq!(pdf["bytes"].as_u64().unwrap() as usize, bytes.len());
    assert_eq!(pdf["sha256"].as_str().unwrap().len(), 64);
    assert!(v["timings"]["typeset"].as_f64().unwrap() > 0.0);
}

#[test]
fn deny_warnings_fails_a_build_with_warnings() {
    let r = TestReport::new();
    r.with_styles();
    r.write("book.toml", "front = [\"a.md\"]\n[book]\ntitle = \"T\"\n")
        .write("report/a.md", "+++\ntitle = \"A\"\n+++\n\n[empty]()\n");
    assert_eq!(r.run(&["check"]).code, 0);
    let run = r.run(&["check", "--deny-warnings"]);
    assert_eq!(run.code, 1);
    assert!(run.stderr.contains("error[empty-link]: link with an empty target"), "{}", run.stderr);
    assert!(run.stderr.contains("check failed with 1 error (1 empty-link), 0 warnings"), "{}", run.stderr);
    // A build under --deny-warnings writes nothing.
    let run = r.run(&["build", "--format", "pdf", "--deny-warnings"]);
    assert_eq!(run.code, 1);
    assert!(!r.path().join("build/report.pdf").exists());
}

#[test]
fn usage_errors_exit_2() {
    let r = TestReport::new();
    assert_eq!(r.run(&["build", "--format", "docx"]).code, 2);
    assert_eq!(r.run(&["frobnicate"]).code, 2);
    assert_eq!(r.run(&["--version"]).code, 0);
}

#[test]
fn check_diagnostic_exact_text() {
    let r = broken_report();
    let run = r.run(&["check"]);
    let image = "warning[broken-link]: link to `elsewhere.md`, an article that is not in the report
  ┌─ report/a.md:7:1
  │
7 │ [elsewhere](elsewhere.md)
  │ ^
  │
  = hint: add it to book.toml, or link to its published URL; it is shown as plain text
";
    assert!(run.stderr.starts_with(image), "{}", run.stderr);
    let error = "error[missing-image]: image `nope.png`: no such file
  ┌─ report/a.md:5:1
  │
5 │ ![missing](nope.png)
  │ ^
  │
  = hint: images are relative to the article's folder (or, starting with `/`, to the report's root): it was looked for at `report/nope.png`
";
    assert!(run.stderr.contains(error), "{}", run.stderr);
    assert!(
        run.stderr.ends_with(
            "\nerror: check failed with 2 errors (1 invalid-front-matter, 1 missing-image), 1 warning (1 broken-link)\n"
        ),
        "{}",
        run.stderr
    );
}

/// Runs the binary in `dir` (not in a report folder).
fn run_in(dir: &Path, args: &[&str]) -> harness::Run {
    let output = Command::new(env!("CARGO_BIN_EXE_coala-report"))
        .args(args)
        .arg("--color=never")
        .current_dir(dir)
        .env_remove("SOURCE_DATE_EPOCH")
        .output()
        .unwrap();
    harness::Run {
        code: output.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

#[test]
fn init_scaffolds_a_report_that_builds_and_never_overwrites() {
    let tmp = TestReport::new();
    let run = run_in(tmp.path(), &["init", "annual"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    for file in ["book.toml", "report/foreword.md", "report/first-article.md", "styles/report.typ", "styles/epub.css"] {
        assert!(tmp.path().join("annual").join(file).is_file(), "{file} missing");
        assert!(run.stdout.contains(&format!("created annual/{file}")), "{}", run.stdout);
    }
    let manifest = std::fs::read_to_string(tmp.path().join("annual/book.toml")).unwrap();
    assert!(manifest.starts_with("# "), "the manifest is commented");

    // It builds at once, with neither error nor warning.
    let check = run_in(tmp.path(), &["check", "annual"]);
    assert_eq!((check.code, check.stdout.trim()), (0, "checked: 0 errors, 0 warnings"), "{}", check.stderr);
    let build = run_in(tmp.path(), &["build", "annual"]);
    assert_eq!(build.code, 0, "{}", build.stderr);
    assert!(build.stderr.is_empty(), "{}", build.stderr);
    let pdf = std::fs::read(tmp.path().join("annual/build/report.pdf")).unwrap();
    assert!(pdf.starts_with(b"%PDF-"));
    let epub = std::fs::read(tmp.path().join("annual/build/report.epub")).unwrap();
    assert!(epub.starts_with(b"PK"));
    if let Some(text) = harness::pdf_text(&tmp.path().join("annual/build/report.pdf"), "init") {
        assert!(text.contains("A first article"), "{text}");
    }

    // A second init refuses, names the file, and changes nothing.
    std::fs::write(tmp.path().join("annual/report/foreword.md"), "edited").unwrap();
    let again = run_in(tmp.path(), &["init", "annual"]);
    assert_eq!(again.code, 2);
    assert_eq!(
        again.stderr,
        "error[write-failed]: `annual/book.toml` already exists\n \
         = hint: init never overwrites files: choose an empty folder, e.g. `coala-report init my-report`\n\n"
    );
    assert_eq!(std::fs::read_to_string(tmp.path().join("annual/report/foreword.md")).unwrap(), "edited");

    // One existing file is enough to refuse, before anything is written.
    let partial = TestReport::new();
    partial.write("styles/epub.css", "/* mine */");
    let run = partial.run(&["init"]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.starts_with("error[write-failed]: `./styles/epub.css` already exists"), "{}", run.stderr);
    assert!(!partial.path().join("book.toml").exists());
}

/// A `watch` child process, killed when dropped (also when a test fails).
pub struct Watch {
    child: Child,
    lines: mpsc::Receiver<String>,
    pub seen: Vec<String>,
}

impl Watch {
    pub fn start(dir: &Path, args: &[&str]) -> Watch {
        Watch::start_with_env(dir, args, &[])
    }

    /// The same, with these environment variables set.
    pub fn start_with_env(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> Watch {
        let mut child = Command::new(env!("CARGO_BIN_EXE_coala-report"))
            .arg("watch")
            .args(args)
            .arg("--color=never")
            .envs(env.iter().copied())
            .current_dir(dir)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let (tx, lines) = mpsc::channel();
        let stdout = child.stdout.take().unwrap();
        let stderr = child.stderr.take().unwrap();
        let tx2 = tx.clone();
        std::thread::spawn(move || {
            for line in std::io::BufReader::new(stdout).lines().map_while(Result::ok) {
                let _ = tx.send(line);
            }
        });
        std::thread::spawn(move || {
            for line in std::io::BufReader::new(stderr).lines().map_while(Result::ok) {
                let _ = tx2.send(format!("stderr: {line}"));
            }
        });
        Watch { child, lines, seen: Vec::new() }
    }

    /// Waits (60 s at most) for a line containing `needle`; returns it.
    pub fn wait_for(&mut self, needle: &str) -> String {
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.lines.recv_timeout(left) {
                Ok(line) => {
                    self.seen.push(line.clone());
                    if line.contains(needle) {
                        return line;
                    }
                    if line.contains("build failed") {
                        panic!("the build failed while waiting for `{needle}`:\n{}", self.seen.join("\n"));
                    }
                }
                Err(_) => panic!("no line with `{needle}` within 60 s; output so far:\n{}", self.seen.join("\n")),
            }
        }
    }
}

impl Drop for Watch {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[test]
fn watch_rebuilds_after_an_edit() {
    let r = TestReport::fixture("every-construct");
    r.with_styles();
    let mut watch = Watch::start(r.path(), &[]);
    watch.wait_for("built in");
    watch.wait_for("watching book.toml, report/, styles/ for changes");
    let first = std::fs::read(r.pdf()).unwrap();

    let article = r.path().join("report/second.md");
    let mut text = std::fs::read_to_string(&article).unwrap();
    text.push_str("\nWatchfulness is rewarded with a rebuild.\n");
    std::fs::write(&article, text).unwrap();

    let changed = watch.wait_for("changed:");
    assert_eq!(changed, "changed: report/second.md; rebuilding");
    let built = watch.wait_for("built in");
    assert!(built.starts_with("built in "), "{built}");
    let second = std::fs::read(r.pdf()).unwrap();
    assert_ne!(first, second, "the PDF did not change");
    if let Some(text) = harness::pdf_text(&r.pdf(), "watch") {
        assert!(harness::squash(&text).contains("Watchfulnessisrewarded"), "{text}");
    }

    // A broken edit fails the rebuild and keeps the last good PDF.
    std::fs::write(r.path().join("book.toml"), "[book]\ntitel = 1\n").unwrap();
    // (stdout and stderr are read apart: the two lines may come in any order)
    watch.wait_for("build failed");
    if !watch.seen.iter().any(|l| l == "changed: book.toml; rebuilding") {
        watch.wait_for("changed: book.toml");
    }
    assert_eq!(std::fs::read(r.pdf()).unwrap(), second);
    assert!(
        !std::fs::read_dir(r.path().join("build")).unwrap().any(|e| {
            let name = e.unwrap().file_name().to_string_lossy().into_owned();
            name.starts_with('.') && name != coala_report::fsutil::LOCK_FILE
        }),
        "a temporary file was left in build/"
    );
}

#[test]
fn watch_serves_the_build_folder() {
    use std::io::{Read, Write};
    let r = TestReport::fixture("every-construct");
    r.with_styles();
    // A free port: bind one, release it, hand it to watch.
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let mut watch = Watch::start(r.path(), &["--serve", "--port", &port.to_string(), "--format", "pdf"]);
    let serving = watch.wait_for("serving");
    assert!(
        serving
            .ends_with(&format!("on http://127.0.0.1:{port}/ (page preview: http://127.0.0.1:{port}/_coala/preview)")),
        "{serving}"
    );
    watch.wait_for("built in");
    let get = |path: &str| {
        let mut s = std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
        s.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
        write!(s, "GET {path} HTTP/1.1\r\nHost: localhost\r\n\r\n").unwrap();
        let mut response = Vec::new();
        s.read_to_end(&mut response).unwrap();
        response
    };
    let pdf = get("/report.pdf");
    let head = String::from_utf8_lossy(&pdf[..pdf.len().min(300)]).into_owned();
    assert!(head.starts_with("HTTP/1.1 200 OK\r\n") && head.contains("Content-Type: application/pdf\r\n"), "{head}");
    assert!(pdf.ends_with(&std::fs::read(r.pdf()).unwrap()));
    let outside = String::from_utf8_lossy(&get("/../book.toml")).into_owned();
    assert!(outside.starts_with("HTTP/1.1 404"), "{outside}");
}

#[test]
fn watch_without_a_manifest_exits_2() {
    let r = TestReport::new();
    let run = r.run(&["watch"]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.starts_with("error[invalid-manifest]: no `book.toml` in `"), "{}", run.stderr);
    assert!(
        run.stderr.ends_with(
            " = hint: run coala-report watch in the report's folder, or pass it: coala-report watch PATH\n\n"
        ),
        "{}",
        run.stderr
    );
}

#[test]
fn completions_and_man_page() {
    let r = TestReport::new();
    for shell in ["bash", "zsh", "fish"] {
        let run = r.run(&["completions", shell]);
        assert_eq!(run.code, 0, "{}", run.stderr);
        assert!(run.stdout.contains("build") && run.stdout.contains("watch"), "{shell}: {}", run.stdout);
    }
    let man = r.run(&["man"]);
    assert_eq!(man.code, 0, "{}", man.stderr);
    assert!(man.stdout.starts_with(".ie") || man.stdout.contains(".TH"), "{}", man.stdout);
    assert!(man.stdout.contains("coala\\-report") && man.stdout.contains("build"), "{}", man.stdout);
    // Hidden from the help, not from the shell.
    let help = r.run(&["--help"]);
    assert!(help.stdout.contains("watch") && !help.stdout.contains("completions"), "{}", help.stdout);
    assert_eq!(r.run(&["completions", "tcsh"]).code, 2);
}

#[test]
fn verbose_and_quiet() {
    let r = TestReport::fixture("every-construct");
    r.with_styles();
    let run = r.run(&["build", "--verbose"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    for line in ["  loaded report/constructs.md", "  loaded report/second.md"] {
        assert!(run.stderr.lines().any(|l| l == line), "{}", run.stderr);
    }
    for stage in ["parse", "convert to Typst", "typeset", "write PDF", "write EPUB", "save artifacts"] {
        assert!(run.stderr.lines().any(|l| l.starts_with(&format!("  {stage} "))), "{stage}: {}", run.stderr);
    }
    assert!(run.stderr.contains("(2 articles)"), "{}", run.stderr);
    assert!(run.stdout.lines().any(|l| l.starts_with("wrote build/report.pdf (pdf, ")), "{}", run.stdout);

    // Without a terminal and without --verbose: one line per artifact, then the total.
    let plain = r.run(&["build"]);
    let lines: Vec<&str> = plain.stdout.lines().collect();
    assert_eq!(lines.len(), 3, "{}", plain.stdout);
    assert!(lines[0].starts_with("wrote build/report.pdf") && lines[1].starts_with("wrote build/report.epub"));
    assert!(lines[2].starts_with("built in "));

    let quiet = r.run(&["build", "--quiet"]);
    assert_eq!(quiet.code, 0);
    assert_eq!(quiet.stdout, "");
    // Only the diagnostics (the fixture's one warning) remain.
    assert!(quiet.stderr.starts_with("warning[raw-html]: raw HTML block"), "{}", quiet.stderr);
    assert_eq!(quiet.stderr.matches("warning[").count(), 1, "{}", quiet.stderr);
    assert_eq!(r.run(&["build", "-q", "-v"]).code, 2);
}

/// Two builds into one folder never interleave: the second waits for the
/// first's lock (and says so), as cargo does.
#[test]
fn a_build_waits_for_the_lock_on_its_build_folder() {
    let r = TestReport::sample();
    let dir = r.path().join("build");
    std::fs::create_dir_all(&dir).unwrap();
    let held = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(dir.join(".coala-report.lock"))
        .unwrap();
    held.lock().unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_coala-report"))
        .args(["build", "--format", "epub", "--color=never"])
        .current_dir(r.path())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    std::thread::sleep(std::time::Duration::from_millis(1500));
    assert!(child.try_wait().unwrap().is_none(), "the build did not wait for the lock");
    assert!(!dir.join("report.epub").exists(), "the build wrote while the lock was held");
    held.unlock().unwrap();
    let output = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stderr}");
    assert!(stderr.contains("Blocking: waiting for another coala-report build in"), "{stderr}");
    assert!(dir.join("report.epub").exists());
}

/// Two builds started at once into one folder both succeed, one after the
/// other, and leave whole artifacts.
#[test]
fn two_builds_at_once_into_one_folder() {
    let r = TestReport::sample();
    let start = || {
        Command::new(env!("CARGO_BIN_EXE_coala-report"))
            .args(["build", "--format", "pdf", "--format", "epub", "--color=never", "--quiet"])
            .current_dir(r.path())
            .output()
    };
    let (a, b) = std::thread::scope(|s| {
        let a = s.spawn(start);
        let b = s.spawn(start);
        (a.join().unwrap().unwrap(), b.join().unwrap().unwrap())
    });
    assert!(
        a.status.success() && b.status.success(),
        "{}\n{}",
        String::from_utf8_lossy(&a.stderr),
        String::from_utf8_lossy(&b.stderr)
    );
    let pdf = std::fs::read(r.path().join("build/report.pdf")).unwrap();
    assert!(pdf.starts_with(b"%PDF-") && pdf.ends_with(b"%%EOF\n") || pdf.ends_with(b"%%EOF"), "a torn PDF");
    let epub = std::fs::File::open(r.path().join("build/report.epub")).unwrap();
    assert!(zip::ZipArchive::new(epub).is_ok(), "a torn EPUB");
}
