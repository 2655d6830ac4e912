//! The edit loop of `watch --serve`: from a file's save to the page
//! preview showing the change, and the memory the rebuilds take.

use super::*;

/// Appends `sentence` to the first paragraph line of `markdown` (after its
/// front matter): a one-paragraph edit.
pub(crate) fn edit_paragraph(markdown: &str, sentence: &str) -> String {
    let mut lines: Vec<String> = markdown.lines().map(str::to_string).collect();
    let mut start = 0;
    if let Some(fence) = lines.first().map(|l| l.trim().to_string()).filter(|l| l == "---" || l == "+++") {
        start = lines.iter().skip(1).position(|l| l.trim() == fence).map_or(0, |i| i + 2);
    }
    let at = (start..lines.len())
        .find(|&i| lines[i].len() > 40 && lines[i].starts_with(|c: char| c.is_ascii_alphabetic()))
        .expect("a paragraph to edit");
    lines[at].push(' ');
    lines[at].push_str(sentence);
    lines.join("\n") + "\n"
}

/// A server-sent event: its name and data.
pub(crate) fn next_event(reader: &mut impl std::io::BufRead) -> Option<(String, serde_json::Value)> {
    let (mut name, mut data) = (String::new(), String::new());
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).ok()? == 0 {
            return None;
        }
        let line = line.trim_end_matches(['\r', '\n']);
        if line.is_empty() {
            if !data.is_empty() {
                return Some((name, serde_json::from_str(&data).ok()?));
            }
        } else if let Some(n) = line.strip_prefix("event: ") {
            name = n.to_string();
        } else if let Some(d) = line.strip_prefix("data: ") {
            data = d.to_string();
        }
    }
}

/// A GET on 127.0.0.1:`port`: the body's length.
pub(crate) fn http_get(port: u16, path: &str) -> usize {
    use std::io::{Read, Write};
    let mut s = std::net::TcpStream::connect(("127.0.0.1", port)).expect("connect");
    write!(s, "GET {path} HTTP/1.1\r\nHost: localhost\r\n\r\n").unwrap();
    let mut response = Vec::new();
    s.read_to_end(&mut response).unwrap();
    let head = String::from_utf8_lossy(&response[..response.len().min(20)]).into_owned();
    assert!(head.starts_with("HTTP/1.1 200"), "GET {path}: {head}");
    response.len()
}

/// A process's resident and peak memory (MiB), from /proc (Linux).
pub(crate) fn memory_mib(pid: u32) -> (f64, f64) {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    let field = |key: &str| {
        status
            .lines()
            .find_map(|l| l.strip_prefix(key))
            .and_then(|v| v.split_whitespace().next()?.parse::<f64>().ok())
            .map_or(f64::NAN, |kib| kib / 1024.0)
    };
    (field("VmRSS:"), field("VmHWM:"))
}

pub(crate) fn median(values: &[f64]) -> f64 {
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    sorted.get(sorted.len() / 2).copied().unwrap_or(f64::NAN)
}

pub(crate) fn percentile(values: &[f64], p: f64) -> f64 {
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    sorted.get(((sorted.len() as f64 - 1.0) * p).round() as usize).copied().unwrap_or(f64::NAN)
}

/// typst's timing scopes recorded since `typst_timing::enable`: each name
/// with the time spent inside it (an inner scope of the same name is not
/// counted twice), summed over threads, largest first.
pub(crate) fn timing_scopes() -> Vec<(String, f64)> {
    let mut json = Vec::new();
    typst_timing::export_json(&mut json, |_| (String::new(), 0)).expect("timing events");
    let events: Vec<serde_json::Value> = serde_json::from_slice(&json).expect("timing JSON");
    let mut stacks: std::collections::HashMap<u64, Vec<(String, f64)>> = std::collections::HashMap::new();
    let mut total: std::collections::HashMap<String, f64> = std::collections::HashMap::new();
    for event in &events {
        let (Some(name), Some(ts), Some(tid)) = (event["name"].as_str(), event["ts"].as_f64(), event["tid"].as_u64())
        else {
            continue;
        };
        let stack = stacks.entry(tid).or_default();
        if event["ph"] == "B" {
            stack.push((name.to_string(), ts));
        } else if let Some((name, start)) = stack.pop()
            && !stack.iter().any(|(outer, _)| *outer == name)
        {
            *total.entry(name).or_default() += (ts - start) / 1e6;
        }
    }
    let mut scopes: Vec<(String, f64)> = total.into_iter().collect();
    scopes.sort_by(|a, b| b.1.total_cmp(&a.1));
    scopes
}

/// The edit loop of `watch --serve`: first in process, stage
/// by stage, then end to end with the real binary: a one-paragraph edit
/// saved, the `pages` event, the first changed page's SVG fetched (what
/// the browser does), and the full rebuild (PDF, EPUB, site written);
/// `rebuilds` times, with the process's memory after each.
pub(crate) fn edit_loop(root: &Path, cold: f64, rebuilds: usize) {
    use coala_report::output::preview::Pages;
    let row = |what: &str, value: String| println!("  {what:<50} {value}");
    let loaded = passes::load(root, None).expect("loads");
    let articles: Vec<String> = loaded.report.articles().map(|a| a.src_rel.clone()).collect();
    let edited = root.join(&loaded.manifest.book.src).join(&articles[articles.len() / 2]);
    let original = std::fs::read_to_string(&edited).unwrap();

    // In process: the preview's path after the edit, stage by stage.
    let style =
        coala_report::pipeline::template(&loaded.root, loaded.manifest.build.style.as_deref()).expect("the template");
    let emitted = output::typst::emit(&loaded.report, &loaded.manifest, &style);
    let mut world = ReportWorld::new(&loaded.root, Some((2016, 12, 8)));
    world.set_emitted(&emitted);
    let document = pdf::typeset(&world, &emitted).expect("typesets").document;
    let mut pages = Pages::new();
    pages.update(&document);
    drop(document);
    std::fs::write(&edited, edit_paragraph(&original, "An added sentence, as an editor would write it.")).unwrap();
    let t = Instant::now();
    let reloaded = passes::load(root, None).expect("loads");
    let emitted = output::typst::emit(&reloaded.report, &reloaded.manifest, &style);
    world.set_emitted(&emitted);
    let reparse = t.elapsed();
    typst_timing::clear();
    typst_timing::enable();
    let t = Instant::now();
    let document = pdf::typeset(&world, &emitted).expect("typesets").document;
    let layout = t.elapsed();
    typst_timing::disable();
    let scopes = timing_scopes();
    let t = Instant::now();
    let diff = pages.update(&document);
    let compare = t.elapsed();
    let t = Instant::now();
    let first = diff.first().expect("the edit changed a page");
    let svg = pages.svg(first).expect("the page");
    let render = t.elapsed();
    let t = Instant::now();
    for &i in &diff.changed {
        pages.svg(i);
    }
    let render_all = t.elapsed() + render;
    std::fs::write(&edited, &original).unwrap();
    row(
        "edit loop in process (one-paragraph edit)",
        format!(
            "load + emit {:.3} s, typst layout {:.3} s, page diff {:.3} s, first changed page's SVG {:.3} s \
             = {:.2} s",
            secs(reparse),
            secs(layout),
            secs(compare),
            secs(render),
            secs(reparse + layout + compare + render)
        ),
    );
    row(
        "  pages changed, their SVGs",
        format!(
            "{} of {} (first: page {}); {:.0} KiB for the first; all changed ones {:.3} s",
            diff.changed.len(),
            diff.pages,
            first + 1,
            svg.len() as f64 / 1024.0,
            secs(render_all)
        ),
    );
    let passes = scopes.iter().filter(|(name, _)| name.starts_with("iter (")).count();
    let top: Vec<String> = scopes
        .iter()
        .filter(|(name, _)| !name.starts_with("iter ("))
        .take(6)
        .map(|(name, took)| format!("{name} {took:.3} s"))
        .collect();
    row("  typst layout by scope (CPU time, all threads)", format!("{passes} passes; {}", top.join(", ")));
    drop((world, document, pages, reloaded));
    typst::comemo::evict(0);

    // End to end: `watch --serve` in a child process.
    let bin = Path::new(env!("CARGO_BIN_EXE_coala-report"));
    let out = root.join("bench-watch");
    let mut child = Command::new(bin)
        .args(["watch", ".", "--out", out.to_str().unwrap(), "--format", "pdf", "--format", "epub"])
        .args(["--format", "html", "--serve", "--port", "0", "--quiet", "--color", "never"])
        .current_dir(root)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("start watch");
    let pid = child.id();
    let mut stdout = std::io::BufReader::new(child.stdout.take().unwrap());
    let mut line = String::new();
    std::io::BufRead::read_line(&mut stdout, &mut line).unwrap();
    let port: u16 = line
        .split("http://127.0.0.1:")
        .nth(1)
        .and_then(|rest| rest.split('/').next()?.parse().ok())
        .unwrap_or_else(|| panic!("no port in `{line}`"));
    let events = {
        use std::io::Write;
        let mut s = std::net::TcpStream::connect(("127.0.0.1", port)).expect("connect");
        write!(s, "GET /_coala/events HTTP/1.1\r\nHost: localhost\r\n\r\n").unwrap();
        s
    };
    let mut events = std::io::BufReader::new(events);
    // The first build.
    loop {
        let (name, data) = next_event(&mut events).expect("the event stream");
        if (name == "build" || name == "hello") && data["generation"].as_u64().unwrap_or(0) >= 1 {
            break;
        }
    }
    let (mut to_preview, mut to_event, mut to_build, mut changed, mut rss) =
        (Vec::new(), Vec::new(), Vec::new(), Vec::new(), Vec::new());
    let mut peak = 0.0f64;
    for k in 0..rebuilds {
        let text = edit_paragraph(&original, &format!("An added sentence, edit number {k}."));
        let t = Instant::now();
        std::fs::write(&edited, text).unwrap();
        let mut first = None;
        loop {
            let (name, data) = next_event(&mut events).expect("the event stream");
            match name.as_str() {
                "pages" => {
                    to_event.push(secs(t.elapsed()));
                    changed.push(data["changed"].as_array().map_or(0, Vec::len) as f64);
                    first = data["first"].as_u64();
                    if let Some(page) = first {
                        http_get(port, &format!("/_coala/page/{page}.svg"));
                    }
                    to_preview.push(secs(t.elapsed()));
                }
                "build" => {
                    to_build.push(secs(t.elapsed()));
                    assert!(data["ok"] == true, "rebuild {k} failed: {data}");
                    break;
                }
                _ => {}
            }
        }
        assert!(first.is_some(), "rebuild {k} changed no page");
        let (now, hwm) = memory_mib(pid);
        rss.push(now);
        peak = peak.max(hwm);
    }
    let _ = child.kill();
    let _ = child.wait();
    std::fs::write(&edited, &original).unwrap();
    let med = median(&to_preview);
    row(
        &format!("save -> preview shows the edit (watch --serve, {rebuilds}x)"),
        format!(
            "median {med:.2} s, 90th percentile {:.2} s, max {:.2} s = {:.0}% of cold ({cold:.2} s){}{}",
            percentile(&to_preview, 0.9),
            percentile(&to_preview, 1.0),
            med / cold * 100.0,
            target(med <= 0.1 * cold, "<= 10% of cold"),
            target(med < 1.0, "< 1 s")
        ),
    );
    row(
        &format!("  of which: {} ms debounce; pages event, SVG", coala_report::commands::watch::DEBOUNCE.as_millis()),
        format!(
            "pages event at median {:.2} s, SVG fetched {:.3} s after; {:.0} pages changed (median)",
            median(&to_event),
            median(&to_preview.iter().zip(&to_event).map(|(p, e)| p - e).collect::<Vec<_>>()),
            median(&changed)
        ),
    );
    row(
        "  full rebuild written (PDF + EPUB + site)",
        format!("median {:.2} s after the save = {:.0}% of cold", median(&to_build), median(&to_build) / cold * 100.0),
    );
    let at = |n: usize| rss.get(n.min(rss.len()) - 1).copied().unwrap_or(f64::NAN);
    let flat = at(rebuilds) <= at(10.min(rebuilds)) * 1.1 + 16.0;
    row(
        "  resident memory after rebuild 1, 10, 50, last",
        format!(
            "{:.0}, {:.0}, {:.0}, {:.0} MiB (peak {peak:.0} MiB){}",
            at(1),
            at(10),
            at(50),
            at(rebuilds),
            target(flat, "flat: last <= 10th + 10% + 16 MiB")
        ),
    );
}
