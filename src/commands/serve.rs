//! `watch --serve`: a tiny HTTP/1.1 static file server for the build folder,
//! bound to 127.0.0.1. It serves only regular files inside that folder
//! (no `..`, no symlink leaving it), GET and HEAD only, one request per
//! connection, with `Cache-Control: no-store` so a reload shows the latest
//! build.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::time::Duration;

/// Binds 127.0.0.1:`port` and serves `dir` from a background thread.
/// Returns the address actually bound (port 0 picks a free port).
pub fn spawn(dir: PathBuf, port: u16) -> std::io::Result<std::net::SocketAddr> {
    let listener = TcpListener::bind(("127.0.0.1", port))?;
    let addr = listener.local_addr()?;
    std::thread::Builder::new().name("serve".into()).spawn(move || {
        for stream in listener.incoming().flatten() {
            let dir = dir.clone();
            let _ = std::thread::Builder::new().name("serve-conn".into()).spawn(move || {
                let _ = handle(stream, &dir);
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

fn handle(stream: TcpStream, dir: &Path) -> std::io::Result<()> {
    stream.set_read_timeout(Some(Duration::from_secs(10)))?;
    stream.set_write_timeout(Some(Duration::from_secs(30)))?;
    let mut reader = BufReader::new(stream.try_clone()?);
    let mut request_line = String::new();
    reader.by_ref().take(8192).read_line(&mut request_line)?;
    // Skip the headers (bounded).
    let mut header = String::new();
    for _ in 0..100 {
        header.clear();
        if reader.by_ref().take(8192).read_line(&mut header)? == 0 || header.trim().is_empty() {
            break;
        }
    }
    let mut out = stream;
    let mut parts = request_line.split_whitespace();
    let (Some(method), Some(target)) = (parts.next(), parts.next()) else {
        return respond(&mut out, "400 Bad Request", "text/plain; charset=utf-8", b"bad request\n", true);
    };
    let head = method == "HEAD";
    if method != "GET" && !head {
        return respond(&mut out, "405 Method Not Allowed", "text/plain; charset=utf-8", b"GET or HEAD only\n", true);
    }
    let path = target.split(['?', '#']).next().unwrap_or("/");
    if path == "/" {
        let page = index(dir);
        return respond(&mut out, "200 OK", "text/html; charset=utf-8", page.as_bytes(), !head);
    }
    match resolve(dir, path) {
        Some(file) => match std::fs::read(&file) {
            Ok(bytes) => respond(&mut out, "200 OK", content_type(&file), &bytes, !head),
            Err(_) => respond(&mut out, "404 Not Found", "text/plain; charset=utf-8", b"not found\n", !head),
        },
        None => respond(&mut out, "404 Not Found", "text/plain; charset=utf-8", b"not found\n", !head),
    }
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
fn index(dir: &Path) -> String {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .flatten()
                .filter(|e| e.file_type().is_ok_and(|t| t.is_file()))
                .filter_map(|e| e.file_name().into_string().ok())
                .filter(|n| !n.starts_with('.'))
                .collect()
        })
        .unwrap_or_default();
    names.sort();
    let mut page = String::from(
        "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>coala-report</title></head><body>\n\
         <h1>Build folder</h1>\n<ul>\n",
    );
    for name in names {
        let escaped = name.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;");
        let href: String = name
            .bytes()
            .map(|b| {
                if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
                    (b as char).to_string()
                } else {
                    format!("%{b:02X}")
                }
            })
            .collect();
        page.push_str(&format!("<li><a href=\"/{href}\">{escaped}</a></li>\n"));
    }
    page.push_str("</ul>\n<p>Reload after a rebuild to see the latest version.</p>\n</body></html>\n");
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
        let addr = spawn(dir.path().to_path_buf(), 0).unwrap();
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
        assert!(get("/../../etc/passwd").starts_with("HTTP/1.1 404"));
    }
}
