//! `watch --serve`'s live preview: the reload channel (one event
//! per rebuild), the script added only to what is served, the page preview
//! re-rendering only the pages that changed, a failed rebuild's diagnostics
//! for the overlay, `--open`, and the whole loop in a real browser.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::Command;
use std::time::Duration;

use serde_json::Value;

use crate::harness::{TestReport, repo, require_tool, say};
use crate::workflow::Watch;

/// A GET: the status line, the content type and the body.
fn get(port: u16, path: &str) -> (String, String, Vec<u8>) {
    let mut s = TcpStream::connect(("127.0.0.1", port)).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
    write!(s, "GET {path} HTTP/1.1\r\nHost: localhost\r\n\r\n").unwrap();
    let mut response = Vec::new();
    s.read_to_end(&mut response).unwrap();
    let end = response.windows(4).position(|w| w == b"\r\n\r\n").expect("a response head") + 4;
    let head = String::from_utf8_lossy(&response[..end]).into_owned();
    let status = head.lines().next().unwrap_or_default().to_string();
    let kind = head.lines().find_map(|l| l.strip_prefix("Content-Type: ")).unwrap_or_default().to_string();
    (status, kind, response[end..].to_vec())
}

fn get_json(port: u16, path: &str) -> Value {
    let (status, _, body) = get(port, path);
    assert_eq!(status, "HTTP/1.1 200 OK", "GET {path}");
    serde_json::from_slice(&body).unwrap()
}

/// The event stream of a watch server.
struct Events(BufReader<TcpStream>);

impl Events {
    fn connect(port: u16) -> Events {
        let mut s = TcpStream::connect(("127.0.0.1", port)).unwrap();
        write!(s, "GET /_coala/events HTTP/1.1\r\nHost: localhost\r\n\r\n").unwrap();
        Events(BufReader::new(s))
    }

    /// The next event (name, data) within `wait`, or `None`.
    fn next(&mut self, wait: Duration) -> Option<(String, Value)> {
        self.0.get_ref().set_read_timeout(Some(wait)).unwrap();
        let (mut name, mut data) = (String::new(), String::new());
        loop {
            let mut line = String::new();
            match self.0.read_line(&mut line) {
                Ok(0) | Err(_) => return None,
                Ok(_) => {}
            }
            let line = line.trim_end_matches(['\r', '\n']);
            if line.is_empty() && !data.is_empty() {
                return Some((name, serde_json::from_str(&data).unwrap()));
            } else if let Some(n) = line.strip_prefix("event: ") {
                name = n.to_string();
            } else if let Some(d) = line.strip_prefix("data: ") {
                data = d.to_string();
            }
        }
    }

    fn expect(&mut self, name: &str) -> Value {
        let (got, data) = self.next(Duration::from_secs(60)).unwrap_or_else(|| panic!("no `{name}` event"));
        assert_eq!(got, name, "{data}");
        data
    }
}

/// `watch --serve --port 0 ARGS`: the server picks a free port, read from
/// its "serving" line.
fn serve(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> (Watch, u16) {
    let mut watch = Watch::start_with_env(dir, &[&["--serve", "--port", "0"], args].concat(), env);
    let serving = watch.wait_for("serving ");
    let port = serving
        .split("http://127.0.0.1:")
        .nth(1)
        .and_then(|rest| rest.split('/').next()?.parse().ok())
        .unwrap_or_else(|| panic!("no port in `{serving}`"));
    (watch, port)
}

/// Every file under `dir`, recursively.
fn files(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            out.extend(files(&path));
        } else {
            out.push(path);
        }
    }
    out
}

fn fetch_every_page(port: u16, pages: usize) {
    for n in 1..=pages {
        let (status, kind, body) = get(port, &format!("/_coala/page/{n}.svg"));
        assert_eq!((status.as_str(), kind.as_str()), ("HTTP/1.1 200 OK", "image/svg+xml"), "page {n}");
        assert!(body.starts_with(b"<svg"), "page {n}");
    }
}

#[test]
fn watch_serve_reloads_previews_changed_pages_and_reports_failures() {
    let r = TestReport::fixture("every-construct");
    r.with_styles();
    let (mut watch, port) = serve(r.path(), &["--format", "pdf", "--format", "html"], &[]);
    watch.wait_for("built in");
    let mut events = Events::connect(port);
    let hello = events.expect("hello");
    assert_eq!((hello["generation"].as_u64(), &hello["build"]["ok"]), (Some(1), &Value::Bool(true)), "{hello}");

    // The script is in the HTML served, never in the files built.
    let build = r.path().join("build");
    for file in files(&build) {
        let bytes = std::fs::read(&file).unwrap();
        assert!(!bytes.windows(7).any(|w| w == b"_coala/"), "{} has the live script", file.display());
    }
    let (_, kind, served) = get(port, "/html/second.html");
    assert_eq!(kind, "text/html; charset=utf-8");
    let on_disk = std::fs::read_to_string(build.join("html/second.html")).unwrap();
    let tag = "<script src=\"/_coala/live.js\" data-generation=\"1\"></script>\n";
    assert_eq!(String::from_utf8(served).unwrap(), on_disk.replace("</body>", &format!("{tag}</body>")));
    let (_, kind, pdf) = get(port, "/report.pdf");
    assert_eq!((kind.as_str(), pdf), ("application/pdf", std::fs::read(build.join("report.pdf")).unwrap()));

    // Every page rendered once, then from the cache.
    let info = get_json(port, "/_coala/pages.json");
    let pages = info["pages"].as_array().unwrap().len();
    assert!(pages > 3, "{info}");
    let preview = String::from_utf8(get(port, "/_coala/preview").2).unwrap();
    assert_eq!(preview.matches("<img id=\"page-").count(), pages);
    assert!(preview.contains("<script src=\"/_coala/live.js\""));
    fetch_every_page(port, pages);
    assert_eq!(get_json(port, "/_coala/pages.json")["renders"], pages);
    fetch_every_page(port, pages);
    assert_eq!(get_json(port, "/_coala/pages.json")["renders"], pages, "pages are rendered once");
    assert!(get(port, &format!("/_coala/page/{}.svg", pages + 1)).0.starts_with("HTTP/1.1 404"));

    // An edit to the last article: one `pages` event and one `build` event,
    // and only the changed pages are rendered again.
    let article = r.path().join("report/second.md");
    let original = std::fs::read_to_string(&article).unwrap();
    std::fs::write(&article, format!("{original}\nA sentence added while the preview looks on.\n")).unwrap();
    let typeset = events.expect("pages");
    assert_eq!(typeset["generation"], 2);
    let built = events.expect("build");
    assert_eq!((&built["generation"], &built["ok"]), (&Value::from(2), &Value::Bool(true)), "{built}");
    assert_eq!(events.next(Duration::from_millis(1500)), None, "one event of each kind per rebuild");
    let info = get_json(port, "/_coala/pages.json");
    let changed: Vec<u64> = info["changed"].as_array().unwrap().iter().map(|n| n.as_u64().unwrap()).collect();
    assert_eq!(info["changed"], typeset["changed"]);
    assert!(!changed.is_empty() && changed.len() < pages, "changed: {changed:?} of {pages}");
    assert_eq!(typeset["first"], changed[0]);
    assert_eq!(built["first"], changed[0]);
    fetch_every_page(port, pages);
    assert_eq!(get_json(port, "/_coala/pages.json")["renders"], pages + changed.len(), "changed: {changed:?}");

    // A broken edit: a `build` event with the error at file:line:col, no
    // `pages` event; the last good pages stay.
    let broken = format!("{original}\n![A figure that is not there](img/no-such-figure.png)\n");
    let line = broken.lines().position(|l| l.contains("no-such-figure")).unwrap() + 1;
    std::fs::write(&article, &broken).unwrap();
    let failed = events.expect("build");
    assert_eq!((&failed["generation"], &failed["ok"]), (&Value::from(3), &Value::Bool(false)), "{failed}");
    let first = &failed["diagnostics"][0];
    assert_eq!(first["name"], "missing-image", "{failed}");
    assert!(first["location"].as_str().unwrap().starts_with(&format!("report/second.md:{line}:")), "{failed}");
    assert_eq!(get_json(port, "/_coala/pages.json")["generation"], 2, "the last good pages stay");
    let preview = String::from_utf8(get(port, "/_coala/preview").2).unwrap();
    assert_eq!(preview.matches("<img id=\"page-").count(), pages);
    // A page loaded now learns of the failure from the stream's `hello`.
    let hello = Events::connect(port).expect("hello");
    assert_eq!(hello["build"]["ok"], false);
    assert_eq!(hello["build"]["diagnostics"][0]["name"], "missing-image");
}

#[cfg(unix)]
#[test]
fn watch_open_starts_the_browser_and_goes_on_without_one() {
    use std::os::unix::fs::PermissionsExt;
    let r = TestReport::fixture("every-construct");
    r.with_styles();
    let browser = r.path().join("fake-browser.sh");
    let opened = r.path().join("opened.txt");
    // Written whole, then renamed: the test never reads half a file.
    let script = format!("#!/bin/sh\necho \"$1\" > '{0}.part' && mv '{0}.part' '{0}'\n", opened.display());
    std::fs::write(&browser, script).unwrap();
    std::fs::set_permissions(&browser, std::fs::Permissions::from_mode(0o755)).unwrap();
    let (mut watch, port) = serve(r.path(), &["--open", "--format", "pdf"], &[("BROWSER", browser.to_str().unwrap())]);
    let line = watch.wait_for("opened ");
    let url = format!("http://127.0.0.1:{port}/_coala/preview");
    assert!(line.starts_with(&format!("opened {url} (")), "{line}");
    for _ in 0..100 {
        if opened.is_file() {
            break;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    assert_eq!(std::fs::read_to_string(&opened).unwrap(), format!("{url}\n"));
    drop(watch);

    // No browser: said, and watch goes on.
    let (mut watch, _) = serve(r.path(), &["--open", "--format", "pdf"], &[("BROWSER", "/nonexistent/browser")]);
    let warning = watch.wait_for("cannot open a browser");
    assert!(warning.contains("open http://127.0.0.1:"), "{warning}");
    std::fs::write(r.path().join("report/second.md"), "# Second\n\nStill watching.\n").unwrap();
    watch.wait_for("changed: report/second.md");
    watch.wait_for("built in");
}

/// The edit loop in a real browser: headless Chromium (Debian's) driven by
/// playwright-core through `tests/browser/preview.mjs`. Needs `node`,
/// `chromium` and `npm ci --prefix tests/browser`; skips loudly without
/// them (fails in CI).
#[test]
fn watch_preview_in_a_real_browser() {
    const TEST: &str = "watch_preview_in_a_real_browser";
    if !require_tool("node", TEST) || !require_tool("chromium", TEST) {
        return;
    }
    let browser = repo().join("tests/browser");
    if !browser.join("node_modules/playwright-core").is_dir() {
        if std::env::var_os("CI").is_some() {
            panic!(
                "{TEST}: tests/browser/node_modules is required in CI (.ci/run runs `npm ci --prefix tests/browser`)"
            );
        }
        say(&format!("SKIPPED {TEST}: tests/browser/node_modules is missing (run `npm ci --prefix tests/browser`)"));
        return;
    }
    let r = TestReport::fixture("every-construct");
    r.with_styles();
    let (mut watch, port) = serve(r.path(), &["--format", "pdf", "--format", "html"], &[]);
    watch.wait_for("built in");
    let shots = repo().join("target/browser");
    std::fs::create_dir_all(&shots).unwrap();
    let shot = shots.join("preview-overlay.png");
    let chromium = Command::new("sh").arg("-c").arg("command -v chromium").output().unwrap();
    let out = Command::new("node")
        .arg(browser.join("preview.mjs"))
        .arg(format!("http://127.0.0.1:{port}/"))
        .arg(r.path().join("report/second.md"))
        .arg(&shot)
        .arg(String::from_utf8_lossy(&chromium.stdout).trim())
        .output()
        .unwrap();
    let log = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    assert!(out.status.success(), "the browser test failed:\n{log}\nwatch said:\n{}", watch.seen.join("\n"));
    assert!(log.contains("all preview checks passed"), "{log}");
    assert!(log.contains("ok: the preview updated without a reload"), "{log}");
    say(&format!("{TEST}: screenshots in {}", shots.display()));
}
