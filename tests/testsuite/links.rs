//! `check --links` against a local HTTP server that answers each path its
//! own way (and counts what it is asked): the right diagnostic at the
//! right place, retries and timeouts honoured, the cache, the levels, and
//! no socket opened by `build` or a plain `check`.

use std::collections::HashMap;
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::harness::TestReport;

/// One request the server was sent.
#[derive(Debug, Clone)]
struct Request {
    method: String,
    path: String,
    at: Instant,
}

/// An HTTP/1.1 server on 127.0.0.1, one thread per connection.
struct Server {
    port: u16,
    connections: Arc<AtomicUsize>,
    requests: Arc<Mutex<Vec<Request>>>,
}

impl Server {
    fn start() -> Server {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let connections = Arc::new(AtomicUsize::new(0));
        let requests: Arc<Mutex<Vec<Request>>> = Arc::default();
        let (c, r) = (connections.clone(), requests.clone());
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                c.fetch_add(1, Ordering::SeqCst);
                let r = r.clone();
                std::thread::spawn(move || serve(stream, &r));
            }
        });
        Server { port, connections, requests }
    }

    fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.port)
    }

    /// How many requests each path was sent.
    fn counts(&self) -> HashMap<String, usize> {
        let mut counts = HashMap::new();
        for r in self.requests.lock().unwrap().iter() {
            *counts.entry(r.path.clone()).or_insert(0) += 1;
        }
        counts
    }

    fn requests(&self, path: &str) -> Vec<Request> {
        self.requests.lock().unwrap().iter().filter(|r| r.path == path).cloned().collect()
    }
}

fn serve(mut stream: TcpStream, requests: &Mutex<Vec<Request>>) {
    stream.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") {
        match stream.read(&mut byte) {
            Ok(1) => head.push(byte[0]),
            _ => return,
        }
    }
    let head = String::from_utf8_lossy(&head).into_owned();
    let mut words = head.split_whitespace();
    let (Some(method), Some(path)) = (words.next(), words.next()) else { return };
    let (method, path) = (method.to_string(), path.to_string());
    let earlier = {
        let mut all = requests.lock().unwrap();
        let earlier = all.iter().filter(|r| r.path == path).count();
        all.push(Request { method: method.clone(), path: path.clone(), at: Instant::now() });
        earlier
    };
    let (status, extra) = match path.as_str() {
        "/ok" | "/found-target" => ("200 OK", String::new()),
        "/moved" => ("301 Moved Permanently", "Location: /ok\r\n".to_string()),
        "/found" => ("302 Found", "Location: /found-target\r\n".to_string()),
        "/missing" | "/image.png" => ("404 Not Found", String::new()),
        "/gone" => ("410 Gone", String::new()),
        "/busy" if earlier == 0 => ("429 Too Many Requests", "Retry-After: 1\r\n".to_string()),
        "/flaky" if earlier == 0 => ("500 Internal Server Error", String::new()),
        "/busy" | "/flaky" => ("200 OK", String::new()),
        "/down" => ("503 Service Unavailable", String::new()),
        "/no-head" if method == "HEAD" => ("405 Method Not Allowed", String::new()),
        "/no-head" => ("200 OK", String::new()),
        "/slow" => {
            std::thread::sleep(Duration::from_secs(3));
            ("200 OK", String::new())
        }
        "/silent" => {
            std::thread::sleep(Duration::from_secs(8));
            return;
        }
        _ => ("404 Not Found", String::new()),
    };
    let _ = write!(stream, "HTTP/1.1 {status}\r\n{extra}Content-Length: 0\r\nConnection: close\r\n\r\n");
}

/// A report whose articles link every path of `server`.
fn report(server: &Server, links: &str) -> TestReport {
    let r = TestReport::new();
    let manifest = format!(
        "front = [\"a.md\", \"b.md\"]\n\n[book]\ntitle = \"T\"\n\n[build]\nformats = [\"epub\"]\n\n[links]\n{links}\n"
    );
    let u = |p: &str| server.url(p);
    let a = format!(
        "+++\ntitle = \"A\"\n+++\n\n\
         See [ok]({}) and [moved]({}).\n\n\
         A [temporary]({}#part) move, a [missing]({}) page.\n\n\
         - [gone]({})\n- [busy]({})\n- [flaky]({})\n- [down]({})\n- [no head]({})\n\n\
         [slow]({}) [silent]({}) [skipped]({})\n\n\
         ![a chart]({})\n",
        u("/ok"),
        u("/moved"),
        u("/found"),
        u("/missing"),
        u("/gone"),
        u("/busy"),
        u("/flaky"),
        u("/down"),
        u("/no-head"),
        u("/slow"),
        u("/silent"),
        u("/skipped"),
        u("/image.png"),
    );
    let b =
        format!("+++\ntitle = \"B\"\n+++\n\nAgain: [missing]({}), and [there]({}#x).\n", u("/missing"), u("/missing"));
    r.write("book.toml", &manifest).write("report/a.md", &a).write("report/b.md", &b);
    r
}

const SETTINGS: &str = "timeout = 1\nretries = 1\nconcurrency = 8\nper-host = 8\nskip = [\"/skipped$\"]\n";

fn json(stdout: &str) -> Value {
    serde_json::from_str(stdout).unwrap_or_else(|e| panic!("{e}: {stdout}"))
}

/// The link diagnostics as (name, file:line:col, the path in the message).
fn found(summary: &Value, key: &str) -> Vec<(String, String, String)> {
    let mut out: Vec<(String, String, String)> = summary[key]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| {
            ["broken-link", "redirected-link", "insecure-link", "link-timeout"].contains(&d["name"].as_str().unwrap())
        })
        .map(|d| {
            let message = d["message"].as_str().unwrap();
            let path = message.split("127.0.0.1:").nth(1).and_then(|rest| rest.split_once('/')).map(|(_, p)| p);
            let path = path.and_then(|p| p.split('`').next()).unwrap_or("?");
            let at = format!("{}:{}:{}", d["file"].as_str().unwrap(), d["line"], d["column"]);
            (d["name"].as_str().unwrap().to_string(), at, format!("/{path}"))
        })
        .collect();
    out.sort();
    out
}

/// `report/a.md:LINE:COL` of the first `marker` in the article.
fn place(r: &TestReport, article: &str, marker: &str) -> String {
    let text = std::fs::read_to_string(r.path().join("report").join(article)).unwrap();
    let (n, line) = text.lines().enumerate().find(|(_, l)| l.contains(marker)).unwrap();
    let column = line[..line.find(marker).unwrap()].chars().count() + 1;
    format!("report/{article}:{}:{column}", n + 1)
}

fn expected(r: &TestReport) -> Vec<(String, String, String)> {
    let mut expected: Vec<(String, String, String)> = [
        ("broken-link", "[missing]", "/missing"),
        ("broken-link", "[gone]", "/gone"),
        ("broken-link", "[down]", "/down"),
        ("broken-link", "![a chart]", "/image.png"),
        ("link-timeout", "[slow]", "/slow"),
        ("link-timeout", "[silent]", "/silent"),
        ("redirected-link", "[moved]", "/moved"),
    ]
    .iter()
    .map(|(n, marker, p)| (n.to_string(), place(r, "a.md", marker), p.to_string()))
    .collect();
    expected.sort();
    expected
}

#[test]
fn every_answer_gets_its_name_and_place_and_the_cache_asks_only_what_expired() {
    let server = Server::start();
    let r = report(&server, SETTINGS);
    let start = Instant::now();
    let run = r.run(&["check", "--links", "--json"]);
    let took = start.elapsed();
    assert_eq!(run.code, 0, "{}", run.stderr);
    let summary = json(&run.stdout);
    assert_eq!(found(&summary, "warnings"), expected(&r), "{}", run.stdout);
    // Timeouts: 1 s, once retried; the whole check well under the slow
    // answers' 3 and 8 seconds.
    assert!(took < Duration::from_secs(7), "took {took:?}");

    let counts = server.counts();
    let count = |p: &str| counts.get(p).copied().unwrap_or(0);
    // Once per URL however many places (fragments are not asked).
    assert_eq!(count("/missing"), 1);
    assert_eq!(count("/ok"), 2, "asked, and the target of /moved");
    assert_eq!((count("/found"), count("/found-target")), (1, 1));
    assert_eq!((count("/gone"), count("/image.png")), (1, 1));
    // Retried once: a 500 then 200, a 503 twice, a 429 after its Retry-After.
    assert_eq!((count("/flaky"), count("/down"), count("/busy")), (2, 2, 2));
    let busy = server.requests("/busy");
    assert!(busy[1].at - busy[0].at >= Duration::from_millis(950), "Retry-After: 1 not waited for");
    // A timeout retried once, then given up.
    assert_eq!((count("/slow"), count("/silent")), (2, 2));
    // HEAD refused, asked again as GET.
    let methods: Vec<String> = server.requests("/no-head").into_iter().map(|r| r.method).collect();
    assert_eq!(methods, ["HEAD", "GET"]);
    assert_eq!(count("/skipped"), 0);

    // One diagnostic for the three places of /missing, at the first.
    let missing =
        summary["warnings"].as_array().unwrap().iter().find(|d| d["message"].as_str().unwrap().contains("/missing`"));
    let missing = missing.unwrap();
    assert!(missing["message"].as_str().unwrap().contains("404 Not Found (linked in 3 places)"), "{missing}");
    let also = format!("also linked at {}, {}", place(&r, "b.md", "[missing]"), place(&r, "b.md", "[there]"));
    assert!(missing["hint"].as_str().unwrap().contains(&also), "{missing}");
    let moved = summary["warnings"].as_array().unwrap().iter().find(|d| d["name"] == "redirected-link").unwrap();
    assert!(moved["hint"].as_str().unwrap().ends_with(&server.url("/ok")), "{moved}");

    // Every result is in --json.
    let links = summary["links"].as_array().unwrap();
    assert_eq!(links.len(), 13, "{links:#?}");
    let result = |p: &str| links.iter().find(|l| l["url"] == server.url(p)).unwrap_or_else(|| panic!("{p}"));
    assert_eq!(result("/ok")["result"], "ok");
    assert_eq!(result("/skipped")["result"], "skipped");
    assert_eq!(result("/silent")["result"], "timeout");
    assert_eq!(result("/moved")["moved_to"], server.url("/ok"));
    assert_eq!((result("/flaky")["status"].as_u64(), result("/flaky")["requests"].as_u64()), (Some(200), Some(2)));
    assert_eq!(result("/missing")["places"].as_array().unwrap().len(), 3);
    assert_eq!(result("/missing")["cached"], false);

    // A second run asks nothing: every result is fresh in the cache.
    let cache_path = r.path().join(".coala-report/links.json");
    assert!(cache_path.is_file());
    let before = server.requests.lock().unwrap().len();
    let again = r.run(&["check", "--links", "--json"]);
    assert_eq!(found(&json(&again.stdout), "warnings"), expected(&r));
    assert_eq!(server.requests.lock().unwrap().len(), before, "the second run asked the network");
    assert!(again.stdout.contains("as checked on"), "{}", again.stdout);

    // Two results made old: only those are asked.
    let mut cache: Value = serde_json::from_str(&std::fs::read_to_string(&cache_path).unwrap()).unwrap();
    for p in ["/missing", "/gone"] {
        cache["links"][server.url(p)]["checked"] = Value::from(0);
    }
    std::fs::write(&cache_path, serde_json::to_string(&cache).unwrap()).unwrap();
    let before = server.counts();
    let third = r.run(&["check", "--links", "--json"]);
    assert_eq!(found(&json(&third.stdout), "warnings"), expected(&r));
    let after = server.counts();
    let asked: Vec<&String> = after.keys().filter(|p| after[*p] != before.get(*p).copied().unwrap_or(0)).collect();
    let mut asked: Vec<&str> = asked.into_iter().map(String::as_str).collect();
    asked.sort();
    assert_eq!(asked, ["/gone", "/missing"]);
    let third = json(&third.stdout);
    let links = third["links"].as_array().unwrap();
    let cached = |p: &str| links.iter().find(|l| l["url"] == server.url(p)).unwrap()["cached"].clone();
    assert_eq!((cached("/gone"), cached("/ok")), (Value::from(false), Value::from(true)));

    // Levels, from the cache (no network): deny one name in book.toml,
    // allow another on the command line; --deny-warnings fails the check.
    let strict = format!("{SETTINGS}\n[diagnostics]\nlink-timeout = \"deny\"\n");
    r.write("book.toml", &std::fs::read_to_string(r.path().join("book.toml")).unwrap().replace(SETTINGS, &strict));
    let leveled = r.run(&["check", "--links", "--json", "-A", "redirected-link"]);
    assert_eq!(leveled.code, 1, "{}", leveled.stderr);
    let leveled = json(&leveled.stdout);
    let errors: Vec<String> = found(&leveled, "errors").into_iter().map(|e| e.2).collect();
    assert_eq!(errors, ["/slow", "/silent"]);
    assert!(!found(&leveled, "warnings").iter().any(|w| w.0 == "redirected-link"));
    let denied = r.run(&["check", "--links", "--deny-warnings"]);
    assert_eq!(denied.code, 1);
    assert!(denied.stderr.contains("error[broken-link]"), "{}", denied.stderr);
    assert!(denied.stderr.contains(&place(&r, "a.md", "[missing]")), "{}", denied.stderr);

    // --links=refresh asks everything again.
    let before = server.counts();
    let refreshed = r.run(&["check", "--links=refresh", "--quiet"]);
    assert_eq!(refreshed.code, 1, "{}", refreshed.stderr);
    let after = server.counts();
    assert!(["/ok", "/missing", "/down"].iter().all(|p| after[*p] > before[*p]), "{after:?}");
}

#[test]
fn only_check_links_opens_a_socket() {
    let server = Server::start();
    let r = report(&server, SETTINGS);
    let build = r.run(&["build"]);
    assert_eq!(build.code, 0, "{}", build.stderr);
    assert!(r.path().join("build/report.epub").is_file());
    let check = r.run(&["check"]);
    assert_eq!(check.code, 0, "{}", check.stderr);
    assert!(!check.stderr.contains("[broken-link]"), "{}", check.stderr);
    assert_eq!(server.connections.load(Ordering::SeqCst), 0, "build or check opened a connection");
    assert!(!r.path().join(".coala-report").exists());
    // `[links] check = true` makes a plain check ask, as --links does.
    let r = report(&server, &format!("check = true\n{}", SETTINGS.replace("timeout = 1", "timeout = 0.5")));
    let check = r.run(&["check", "--quiet"]);
    assert!(check.stderr.contains("warning[broken-link]"), "{}", check.stderr);
    assert!(server.connections.load(Ordering::SeqCst) > 0);
}

#[test]
fn links_settings_are_checked() {
    let r = TestReport::new();
    r.write("report/a.md", "+++\ntitle = \"A\"\n+++\n\nText.\n");
    r.write("book.toml", "front = [\"a.md\"]\n\n[book]\ntitle = \"T\"\n\n[links]\nmax-age = \"soon\"\n");
    let run = r.run(&["check", "--links"]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("`links.max-age` is not a duration: `soon`"), "{}", run.stderr);
    assert!(run.stderr.contains("book.toml:7:1"), "{}", run.stderr);
    r.write("book.toml", "front = [\"a.md\"]\n\n[book]\ntitle = \"T\"\n\n[links]\ncheck-all = true\n");
    let run = r.run(&["check"]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("unknown field `check-all`"), "{}", run.stderr);
}
