//! `watch --serve`: a tiny HTTP/1.1 server for the build folder and the
//! live preview, bound to 127.0.0.1, std threads only.
//!
//! It serves only regular files inside the build folder (no `..`, no
//! symlink leaving it), GET and HEAD only, one request per connection, with
//! `Cache-Control: no-store`. Into the HTML it serves (never into the files
//! on disk) it adds one script tag, `/_coala/live.js`, which listens to the
//! build's events (server-sent events on `/_coala/events`): a page reloads
//! when a rebuild is written, and a failed rebuild's diagnostics are drawn
//! over the last good version. `/_coala/preview` shows the PDF's typeset
//! pages (`/_coala/page/N.svg`, typst's SVG renderer, see
//! [`crate::output::preview`]), updates the pages that changed in place and
//! scrolls to the first of them.

use std::collections::VecDeque;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::time::Duration;

use serde_json::{Value, json};
use typst_layout::PagedDocument;

use crate::output::preview::{Diff, Lookup, Pages};
use crate::pipeline::Outcome;

/// The script added to the HTML the server serves.
pub const LIVE_JS: &str = include_str!("live.js");

/// Where the server's own resources are (before the build folder's files).
pub const PREFIX: &str = "/_coala/";

/// Events kept for subscribers that fall behind (a reader that misses more
/// is sent the latest state instead).
const KEPT_EVENTS: usize = 32;

/// An event stream sends a comment this often, so that a closed browser tab
/// is noticed and its thread ends.
const KEEP_ALIVE: Duration = Duration::from_secs(10);

/// Event streams open at most at once (each holds a thread).
const MAX_STREAMS: usize = 64;

/// Diagnostics an event carries at most (errors first).
const MAX_EVENT_DIAGNOSTICS: usize = 50;

/// What the build tells the server and the server tells the browsers: the
/// latest pages and the events of each rebuild. Shared between the watch
/// loop and the server's threads.
pub struct Live {
    state: Mutex<State>,
    wake: Condvar,
    streams: AtomicUsize,
}

#[derive(Default)]
struct State {
    /// The last event's number (0: none yet).
    seq: u64,
    /// The latest events: number, name, JSON data.
    events: VecDeque<(u64, &'static str, String)>,
    /// How many builds finished.
    generation: u64,
    /// The last build's event data.
    last_build: Option<Value>,
    /// The edition previewed: the first one typeset.
    edition: Option<Option<String>>,
    /// The previewed edition's pages.
    pages: Pages,
    /// The pages that changed in the last rebuild (1-based).
    changed: Vec<usize>,
    /// The generation the pages are of.
    pages_generation: u64,
}

impl Default for Live {
    fn default() -> Self {
        Self { state: Mutex::new(State::default()), wake: Condvar::new(), streams: AtomicUsize::new(0) }
    }
}

impl Live {
    pub fn new() -> Arc<Live> {
        Arc::new(Live::default())
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        // A panic in a server thread leaves the state as consistent as it
        // was: keep serving.
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// An edition was typeset (before its PDF is written): the preview's
    /// pages are updated and a `pages` event says which changed. Only the
    /// first edition typeset in the session is previewed.
    pub fn typeset(&self, edition: Option<&str>, document: &PagedDocument) -> Option<Diff> {
        let mut state = self.lock();
        let edition = edition.map(str::to_string);
        if state.edition.get_or_insert_with(|| edition.clone()) != &edition {
            return None;
        }
        let diff = state.pages.update(document);
        let generation = state.generation + 1;
        state.changed = diff.changed.iter().map(|i| i + 1).collect();
        state.pages_generation = generation;
        let data = json!({
            "generation": generation,
            "pages": diff.pages,
            "changed": state.changed,
            "first": diff.first().map(|i| i + 1),
        });
        push(&mut state, "pages", data.to_string());
        drop(state);
        self.wake.notify_all();
        Some(diff)
    }

    /// A build finished (written or failed): a `build` event, with the
    /// errors of a failed one.
    pub fn built(&self, outcome: &Outcome) {
        let mut state = self.lock();
        state.generation += 1;
        let errors = outcome.diagnostics.iter().filter(|d| d.is_error()).count();
        let shown: Vec<Value> = outcome
            .diagnostics
            .iter()
            .filter(|d| d.is_error())
            .take(MAX_EVENT_DIAGNOSTICS)
            .map(|d| {
                let mut value = crate::commands::summary::diagnostic(d);
                value["location"] = json!(d.location());
                value
            })
            .collect();
        let typeset = state.pages_generation == state.generation;
        let data = json!({
            "generation": state.generation,
            "ok": !outcome.failed(),
            "errors": errors,
            "warnings": outcome.diagnostics.len() - errors,
            "diagnostics": shown,
            "first": if typeset { state.changed.first().copied() } else { None },
        });
        state.last_build = Some(data.clone());
        push(&mut state, "build", data.to_string());
        drop(state);
        self.wake.notify_all();
    }

    /// How many builds finished.
    pub fn generation(&self) -> u64 {
        self.lock().generation
    }

    /// Whether pages can be previewed (a PDF was typeset).
    pub fn has_pages(&self) -> bool {
        !self.lock().pages.pages().is_empty()
    }

    /// `/_coala/pages.json`: the current pages, what the last rebuild
    /// changed, and how many pages were rendered in all.
    fn pages_json(&self) -> String {
        let state = self.lock();
        let pages: Vec<Value> = state
            .pages
            .pages()
            .iter()
            .map(|p| json!({ "width": p.width, "height": p.height, "hash": format!("{:032x}", p.hash) }))
            .collect();
        json!({
            "generation": state.pages_generation,
            "built": state.generation,
            "pages": pages,
            "changed": state.changed,
            "first": state.changed.first(),
            "renders": state.pages.renders(),
        })
        .to_string()
    }

    /// Page `number`'s SVG (1-based), rendered outside the lock unless
    /// cached; `Err` if typst's renderer panicked on it.
    fn page_svg(&self, number: usize) -> Option<Result<Arc<str>, ()>> {
        let lookup = self.lock().pages.lookup(number.checked_sub(1)?)?;
        Some(match lookup {
            Lookup::Cached(svg) => Ok(svg),
            Lookup::Render(job) => {
                let Ok(svg) = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| job.render())) else {
                    return Some(Err(()));
                };
                self.lock().pages.store(&job, svg.clone());
                Ok(svg)
            }
        })
    }
}

fn push(state: &mut State, name: &'static str, data: String) {
    state.seq += 1;
    let seq = state.seq;
    state.events.push_back((seq, name, data));
    while state.events.len() > KEPT_EVENTS {
        state.events.pop_front();
    }
}

/// Binds 127.0.0.1:`port` and serves `dir` and the live preview from a
/// background thread. Returns the address actually bound (port 0 picks a
/// free port).
pub fn spawn(dir: PathBuf, port: u16, live: Arc<Live>) -> std::io::Result<std::net::SocketAddr> {
    let listener = TcpListener::bind(("127.0.0.1", port))?;
    let addr = listener.local_addr()?;
    std::thread::Builder::new().name("serve".into()).spawn(move || {
        for stream in listener.incoming().flatten() {
            let dir = dir.clone();
            let live = live.clone();
            let _ = std::thread::Builder::new().name("serve-conn".into()).spawn(move || {
                let _ = handle(stream, &dir, &live);
            });
        }
    })?;
    Ok(addr)
}

/// The media type of a file, by extension.
pub fn content_type(path: &Path) -> &'static str {
    let ext = path.extension().and_then(|e| e.to_str()).unwrap_or("").to_ascii_lowercase();
    match ext.as_str() {
        "pdf" => "application/pdf",
        "epub" => "application/epub+zip",
        "html" | "htm" => "text/html; charset=utf-8",
        "xhtml" => "application/xhtml+xml",
        "css" => "text/css; charset=utf-8",
        "js" => "text/javascript; charset=utf-8",
        "json" => "application/json",
        "typ" | "txt" | "md" => "text/plain; charset=utf-8",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "gif" => "image/gif",
        "svg" => "image/svg+xml",
        "webp" => "image/webp",
        _ => "application/octet-stream",
    }
}

/// Whether a `Host` header names this machine's loopback (`localhost`,
/// `127.0.0.1`, `[::1]`, with or without a port).
fn is_loopback_host(host: &str) -> bool {
    let name = match host.strip_prefix('[') {
        Some(rest) => rest.split(']').next().unwrap_or(""),
        None => host
            .rsplit_once(':')
            .map_or(host, |(name, port)| if port.chars().all(|c| c.is_ascii_digit()) { name } else { host }),
    };
    name.eq_ignore_ascii_case("localhost") || name.parse::<std::net::IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

fn handle(stream: TcpStream, dir: &Path, live: &Live) -> std::io::Result<()> {
    stream.set_read_timeout(Some(Duration::from_secs(10)))?;
    stream.set_write_timeout(Some(Duration::from_secs(30)))?;
    let mut reader = BufReader::new(stream.try_clone()?);
    let mut request_line = String::new();
    reader.by_ref().take(8192).read_line(&mut request_line)?;
    // Read the headers (bounded): only `Host` matters.
    let mut header = String::new();
    let mut host = None;
    for _ in 0..100 {
        header.clear();
        if reader.by_ref().take(8192).read_line(&mut header)? == 0 || header.trim().is_empty() {
            break;
        }
        if let Some((name, value)) = header.split_once(':')
            && name.trim().eq_ignore_ascii_case("host")
        {
            host = Some(value.trim().to_string());
        }
    }
    let mut out = stream;
    // The server listens on the loopback only; a page of another site that
    // renames itself to 127.0.0.1 (DNS rebinding) still sends its own host
    // name, and is refused.
    if host.as_deref().is_some_and(|h| !is_loopback_host(h)) {
        return respond(
            &mut out,
            "403 Forbidden",
            "text/plain; charset=utf-8",
            b"this server answers localhost only\n",
            true,
        );
    }
    let mut parts = request_line.split_whitespace();
    let (Some(method), Some(target)) = (parts.next(), parts.next()) else {
        return respond(&mut out, "400 Bad Request", "text/plain; charset=utf-8", b"bad request\n", true);
    };
    let head = method == "HEAD";
    if method != "GET" && !head {
        return respond(&mut out, "405 Method Not Allowed", "text/plain; charset=utf-8", b"GET or HEAD only\n", true);
    }
    let path = target.split(['?', '#']).next().unwrap_or("/");
    const HTML: &str = "text/html; charset=utf-8";
    if let Some(own) = path.strip_prefix(PREFIX) {
        return match own {
            "events" if !head => events(out, live),
            "live.js" => respond(&mut out, "200 OK", "text/javascript; charset=utf-8", LIVE_JS.as_bytes(), !head),
            "preview" => {
                let page = inject(&preview_page(live), live.generation());
                respond(&mut out, "200 OK", HTML, page.as_bytes(), !head)
            }
            "pages.json" => respond(&mut out, "200 OK", "application/json", live.pages_json().as_bytes(), !head),
            _ => match own.strip_prefix("page/").and_then(|n| n.strip_suffix(".svg")).and_then(|n| n.parse().ok()) {
                Some(number) => match live.page_svg(number) {
                    Some(Ok(svg)) => respond(&mut out, "200 OK", "image/svg+xml", svg.as_bytes(), !head),
                    Some(Err(())) => {
                        let body = b"typst's SVG renderer failed on this page (the PDF is not affected)\n";
                        respond(&mut out, "500 Internal Server Error", "text/plain; charset=utf-8", body, !head)
                    }
                    None => respond(&mut out, "404 Not Found", "text/plain; charset=utf-8", b"no such page\n", !head),
                },
                None => respond(&mut out, "404 Not Found", "text/plain; charset=utf-8", b"not found\n", !head),
            },
        };
    }
    if path == "/" {
        let page = inject(&index(dir, live.has_pages()), live.generation());
        return respond(&mut out, "200 OK", HTML, page.as_bytes(), !head);
    }
    match resolve(dir, path) {
        Some(file) => match std::fs::read(&file) {
            Ok(bytes) => {
                let kind = content_type(&file);
                if kind == HTML {
                    let page = inject(&String::from_utf8_lossy(&bytes), live.generation());
                    respond(&mut out, "200 OK", kind, page.as_bytes(), !head)
                } else {
                    respond(&mut out, "200 OK", kind, &bytes, !head)
                }
            }
            Err(_) => respond(&mut out, "404 Not Found", "text/plain; charset=utf-8", b"not found\n", !head),
        },
        None => respond(&mut out, "404 Not Found", "text/plain; charset=utf-8", b"not found\n", !head),
    }
}

/// The HTML with the live script added before its last `</body>` (at the
/// end without one). `generation` is the build the page shows: the script
/// reloads at once if a later one finished before it connected.
pub fn inject(html: &str, generation: u64) -> String {
    let tag = format!("<script src=\"{PREFIX}live.js\" data-generation=\"{generation}\"></script>\n");
    let at = html.to_ascii_lowercase().rfind("</body>").unwrap_or(html.len());
    let mut out = String::with_capacity(html.len() + tag.len());
    out.push_str(&html[..at]);
    out.push_str(&tag);
    out.push_str(&html[at..]);
    out
}

/// `/_coala/events`: a server-sent event stream. First `hello` (the number
/// of builds finished and the last build's event), then one `pages` event
/// when an edition's pages are typeset and one `build` event when a
/// rebuild is written or fails; a comment every [`KEEP_ALIVE`].
fn events(mut out: TcpStream, live: &Live) -> std::io::Result<()> {
    if live.streams.fetch_add(1, Ordering::SeqCst) >= MAX_STREAMS {
        live.streams.fetch_sub(1, Ordering::SeqCst);
        return respond(&mut out, "503 Service Unavailable", "text/plain; charset=utf-8", b"too many streams\n", true);
    }
    let result = stream_events(&mut out, live);
    live.streams.fetch_sub(1, Ordering::SeqCst);
    result
}

fn stream_events(out: &mut TcpStream, live: &Live) -> std::io::Result<()> {
    let (mut seen, hello) = {
        let state = live.lock();
        (state.seq, json!({ "generation": state.generation, "build": state.last_build }))
    };
    write!(
        out,
        "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nCache-Control: no-store\r\n\
         X-Content-Type-Options: nosniff\r\nConnection: close\r\n\r\nretry: 1000\n\n"
    )?;
    write!(out, "event: hello\ndata: {hello}\n\n")?;
    out.flush()?;
    loop {
        let state = live.lock();
        let (state, _) =
            live.wake.wait_timeout_while(state, KEEP_ALIVE, |s| s.seq == seen).unwrap_or_else(|e| e.into_inner());
        let mut text = String::new();
        if state.seq == seen {
            text.push_str(": keep-alive\n\n");
        } else if state.events.front().is_some_and(|(first, ..)| *first > seen + 1) {
            // Fell behind: the latest state instead of the events missed.
            let hello = json!({ "generation": state.generation, "build": state.last_build });
            text.push_str(&format!("event: hello\ndata: {hello}\n\n"));
        } else {
            for (seq, name, data) in state.events.iter().filter(|(seq, ..)| *seq > seen) {
                text.push_str(&format!("id: {seq}\nevent: {name}\ndata: {data}\n\n"));
            }
        }
        seen = state.seq;
        drop(state);
        out.write_all(text.as_bytes())?;
        out.flush()?;
    }
}

/// The page preview's style.
const PREVIEW_CSS: &str = "body{margin:0;background:#5a5f66;font:14px/1.4 system-ui,sans-serif}header{position:sticky;top:0;z-index:1;background:#2b2f33;color:#fff;padding:.4em 1em}header a{color:#cde}#coala-pages{display:flex;flex-direction:column;align-items:center;gap:16px;padding:16px}#coala-pages img{display:block;scroll-margin-top:40px;background:#fff;max-width:100%;height:auto;box-shadow:0 1px 6px #0008}#coala-pages img.coala-changed{outline:3px solid #f5b800}";

/// `/_coala/preview`: every page of the PDF as an image, loaded when it
/// comes into view; the script swaps in the pages that change.
fn preview_page(live: &Live) -> String {
    let state = live.lock();
    let count = state.pages.pages().len();
    let mut page = format!(
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>Page preview — coala-report</title>\n<style>{PREVIEW_CSS}</style></head>\n<body class=\"coala-preview\" data-pages-generation=\"{generation}\">\n\
         <header>Page preview of the PDF (<span id=\"coala-count\">{count} pages</span>): it updates itself \
         after each rebuild. <a href=\"/\">Build folder</a></header>\n<main id=\"coala-pages\">\n",
        generation = state.pages_generation,
    );
    if state.pages.pages().is_empty() {
        page.push_str(
            "<p id=\"coala-empty\" style=\"color:#fff\">No pages yet: the PDF is typeset by the first build \
             that includes it (<code>--format pdf</code>).</p>\n",
        );
    }
    for (i, p) in state.pages.pages().iter().enumerate() {
        page.push_str(&format!(
            "<img id=\"page-{n}\" src=\"{PREFIX}page/{n}.svg?h={hash:032x}\" data-hash=\"{hash:032x}\" \
             width=\"{w}\" height=\"{h}\" alt=\"Page {n}\" loading=\"lazy\">\n",
            n = i + 1,
            hash = p.hash,
            w = (p.width * 4.0 / 3.0).round(),
            h = (p.height * 4.0 / 3.0).round(),
        ));
    }
    page.push_str("</main>\n</body></html>\n");
    page
}

/// The file a request path names, if it is a regular file inside `dir`.
pub fn resolve(dir: &Path, request_path: &str) -> Option<PathBuf> {
    let decoded = percent_decode(request_path)?;
    let mut rel = PathBuf::new();
    for segment in decoded.split('/') {
        match segment {
            "" | "." => {}
            ".." => return None,
            s if s.contains('\\') || s.contains('\0') => return None,
            s => rel.push(s),
        }
    }
    let base = dir.canonicalize().ok()?;
    let file = base.join(rel).canonicalize().ok()?;
    (file.starts_with(&base) && file.is_file()).then_some(file)
}

fn percent_decode(text: &str) -> Option<String> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = std::str::from_utf8(bytes.get(i + 1..i + 3)?).ok()?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

/// A page linking the build folder's files.
fn index(dir: &Path, pages: bool) -> String {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .flatten()
                .filter_map(|e| {
                    let name = e.file_name().into_string().ok()?;
                    let kind = e.file_type().ok()?;
                    // A web edition: its front page.
                    if kind.is_dir() && e.path().join("index.html").is_file() {
                        return Some(format!("{name}/index.html"));
                    }
                    kind.is_file().then_some(name)
                })
                .filter(|n| !n.starts_with('.'))
                .collect()
        })
        .unwrap_or_default();
    names.sort();
    let mut page = String::from(
        "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>coala-report</title></head><body>\n\
         <h1>Build folder</h1>\n",
    );
    if pages {
        page.push_str(&format!("<p><a href=\"{PREFIX}preview\">Page preview of the PDF</a></p>\n"));
    }
    page.push_str("<ul>\n");
    for name in names {
        let escaped = name.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;");
        let href: String = name
            .bytes()
            .map(|b| {
                if b.is_ascii_alphanumeric() || b"-._~/".contains(&b) {
                    (b as char).to_string()
                } else {
                    format!("%{b:02X}")
                }
            })
            .collect();
        page.push_str(&format!("<li><a href=\"/{href}\">{escaped}</a></li>\n"));
    }
    page.push_str("</ul>\n<p>The pages served here reload themselves after each rebuild.</p>\n</body></html>\n");
    page
}

fn respond(out: &mut TcpStream, status: &str, content_type: &str, body: &[u8], send_body: bool) -> std::io::Result<()> {
    let head = format!(
        "HTTP/1.1 {status}\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\nCache-Control: no-store\r\n\
         X-Content-Type-Options: nosniff\r\nConnection: close\r\n\r\n",
        body.len()
    );
    out.write_all(head.as_bytes())?;
    if send_body {
        out.write_all(body)?;
    }
    out.flush()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resolves_only_files_inside() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("report.pdf"), b"%PDF").unwrap();
        std::fs::write(dir.path().join("a b.txt"), b"x").unwrap();
        assert!(resolve(dir.path(), "/report.pdf").is_some());
        assert!(resolve(dir.path(), "/a%20b.txt").is_some());
        assert!(resolve(dir.path(), "/../etc/passwd").is_none());
        assert!(resolve(dir.path(), "/%2e%2e/etc/passwd").is_none());
        assert!(resolve(dir.path(), "/missing.pdf").is_none());
        assert!(resolve(dir.path(), "/").is_none());
        #[cfg(unix)]
        {
            std::os::unix::fs::symlink("/etc/passwd", dir.path().join("leak")).unwrap();
            assert!(resolve(dir.path(), "/leak").is_none());
        }
        assert_eq!(content_type(Path::new("x.epub")), "application/epub+zip");
        assert_eq!(content_type(Path::new("x.PDF")), "application/pdf");
    }

    #[test]
    fn serves_over_http() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("report.pdf"), b"%PDF-1.7 test").unwrap();
        std::fs::create_dir_all(dir.path().join("html")).unwrap();
        std::fs::write(dir.path().join("html/index.html"), "<html><body><p>Site</p></body></html>").unwrap();
        let addr = spawn(dir.path().to_path_buf(), 0, Live::new()).unwrap();
        let get = |path: &str| {
            let mut s = TcpStream::connect(addr).unwrap();
            s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
            write!(s, "GET {path} HTTP/1.1\r\nHost: localhost\r\n\r\n").unwrap();
            let mut response = String::new();
            s.read_to_string(&mut response).unwrap();
            response
        };
        let pdf = get("/report.pdf");
        assert!(pdf.starts_with("HTTP/1.1 200 OK\r\n"), "{pdf}");
        assert!(pdf.contains("Content-Type: application/pdf\r\n"));
        assert!(pdf.ends_with("%PDF-1.7 test"));
        assert!(get("/").contains("href=\"/report.pdf\""));
        assert!(get("/").contains("href=\"/html/index.html\""));
        assert!(get("/../../etc/passwd").starts_with("HTTP/1.1 404"));
        // Another site's page that resolved its name to 127.0.0.1 is refused.
        let mut s = TcpStream::connect(addr).unwrap();
        s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
        write!(s, "GET /report.pdf HTTP/1.1\r\nHost: evil.example:{}\r\n\r\n", addr.port()).unwrap();
        let mut refused = String::new();
        s.read_to_string(&mut refused).unwrap();
        assert!(refused.starts_with("HTTP/1.1 403"), "{refused}");
        assert!(!refused.contains("%PDF"), "{refused}");
        // The live script is added to the HTML served, not to the file.
        let site = get("/html/index.html");
        assert!(
            site.ends_with(
                "<p>Site</p><script src=\"/_coala/live.js\" data-generation=\"0\"></script>\n</body></html>"
            ),
            "{site}"
        );
        assert_eq!(
            std::fs::read_to_string(dir.path().join("html/index.html")).unwrap(),
            "<html><body><p>Site</p></body></html>"
        );
        assert!(get("/_coala/live.js").contains("EventSource('/_coala/events')"));
        assert!(get("/_coala/page/1.svg").starts_with("HTTP/1.1 404"), "no pages yet");
        assert!(get("/_coala/preview").contains("No pages yet"));
    }

    #[test]
    fn injects_before_the_last_body_end() {
        let tag = "<script src=\"/_coala/live.js\" data-generation=\"3\"></script>\n";
        assert_eq!(inject("<p>a</p></BODY></html>", 3), format!("<p>a</p>{tag}</BODY></html>"));
        assert_eq!(inject("<pre></body></pre></body>", 3), format!("<pre></body></pre>{tag}</body>"));
        assert_eq!(inject("<p>no end", 3), format!("<p>no end{tag}"));
    }

    /// One `build` event per build, after the `hello`; a failed build's
    /// event names each error at file:line:col.
    #[test]
    fn a_build_sends_one_event() {
        use crate::diag::Diagnostic;
        let dir = tempfile::tempdir().unwrap();
        let live = Live::new();
        let addr = spawn(dir.path().to_path_buf(), 0, live.clone()).unwrap();
        let mut s = TcpStream::connect(addr).unwrap();
        s.set_read_timeout(Some(Duration::from_millis(1500))).unwrap();
        write!(s, "GET /_coala/events HTTP/1.1\r\nHost: localhost\r\n\r\n").unwrap();
        let mut reader = BufReader::new(s);
        let mut read_event = || {
            let mut event = String::new();
            loop {
                let mut line = String::new();
                match reader.read_line(&mut line) {
                    Ok(0) | Err(_) => return None,
                    Ok(_) if line == "\n" && event.contains("data: ") => return Some(event),
                    Ok(_) => event.push_str(&line),
                }
            }
        };
        let hello = read_event().unwrap();
        assert!(hello.starts_with("HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\n"), "{hello}");
        assert!(hello.contains("event: hello\ndata: {\"build\":null,\"generation\":0}"), "{hello}");
        let broken = Diagnostic::new(&crate::lint::TYPESET_ERROR, "typesetting failed: <b>oops</b>")
            .with_file("report/a.md")
            .with_position(3, 7)
            .with_hint("fix it");
        live.built(&Outcome { diagnostics: vec![broken], ..Outcome::default() });
        let event = read_event().unwrap();
        assert!(event.starts_with("id: 1\nevent: build\ndata: {"), "{event}");
        let data: Value = serde_json::from_str(event.lines().nth(2).unwrap().strip_prefix("data: ").unwrap()).unwrap();
        assert_eq!(data["generation"], 1);
        assert_eq!(data["ok"], false);
        assert_eq!(data["diagnostics"][0]["location"], "report/a.md:3:7");
        assert_eq!(data["diagnostics"][0]["message"], "typesetting failed: <b>oops</b>");
        assert_eq!(read_event(), None, "one event per build");
        live.built(&Outcome::default());
        assert!(read_event().unwrap().contains("\"generation\":2,\"ok\":true"));
        assert_eq!(read_event(), None);
    }

    #[test]
    fn answers_the_loopback_only() {
        for host in ["localhost", "localhost:3000", "127.0.0.1:3000", "127.0.0.1", "[::1]:3000", "LOCALHOST:1"] {
            assert!(is_loopback_host(host), "{host}");
        }
        for host in ["evil.example:3000", "evil.example", "localhost.evil.example", "10.0.0.1:3000", "[::2]:80"] {
            assert!(!is_loopback_host(host), "{host}");
        }
    }
}
