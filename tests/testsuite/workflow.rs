//! The editors' and CI's workflow: `check`, `--json`, `--deny-warnings`,
//! exit codes.

use crate::harness::TestReport;

fn broken_report() -> TestReport {
    let r = TestReport::new();
    r.with_styles();
    r.write("book.toml", "front = [\"a.md\", \"b.md\"]\n[book]\ntitle = \"T\"\n")
        .write("report/a.md", "+++\ntitle = \"A\"\n+++\n\n![missing](nope.png)\n\n[gone](#nowhere)\n")
        .write("report/b.md", "+++\ntitle = [\n+++\n");
    r
}

#[test]
fn check_reports_every_problem_in_one_run_without_typesetting() {
    let r = broken_report();
    let run = r.run(&["check"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(run.stderr.contains("error: image `nope.png`: no such file"), "{}", run.stderr);
    assert!(run.stderr.contains("warning: link to `#nowhere`"), "{}", run.stderr);
    assert!(run.stderr.contains("error: malformed TOML front matter"), "{}", run.stderr);
    assert!(run.stderr.contains("check failed with 2 error(s) and 1 warning(s)"), "{}", run.stderr);
    assert!(!r.path().join("build").exists(), "check wrote something");
}

#[test]
fn check_passes_on_the_sample_report() {
    let r = TestReport::sample();
    let run = r.run(&["check"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(run.stdout.trim(), "checked: 0 error(s), 0 warning(s)");
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
    assert!(run.stderr.contains("1 warning(s) and --deny-warnings"), "{}", run.stderr);
}

#[test]
fn usage_errors_exit_2() {
    let r = TestReport::new();
    assert_eq!(r.run(&["build", "--format", "docx"]).code, 2);
    assert_eq!(r.run(&["frobnicate"]).code, 2);
    assert_eq!(r.run(&["--version"]).code, 0);
}
