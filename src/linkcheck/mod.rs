//! `check --links`: every external link and remote image of every edition
//! asked over the network (builds never are), each URL once however many
//! places link it, in parallel with a bound on the requests under way
//! overall and per host ([`probe`] asks one URL); the results kept in
//! `.coala-report/links.json` ([`cache`]) and judged into diagnostics:
//! `broken-link`, `redirected-link`, `insecure-link`, `link-timeout`.

pub mod cache;
pub mod probe;

use std::collections::{HashMap, VecDeque};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Condvar, Mutex};
use std::time::Duration;

use crate::config::LinksConfig;
use crate::diag::Diagnostic;
use crate::lint;
use crate::model::{ImageSrc, Inline, LinkDest, Report};
use probe::{FailureKind, Fetch, Observation, Policy};

/// Whether `check` asks the network about the links.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum LinkCheck {
    /// Only when `[links] check = true`.
    #[default]
    Off,
    /// `--links`: results younger than `[links] max-age` from the cache.
    On,
    /// `--links=refresh`: every URL asked again.
    Refresh,
}

/// Where a URL is linked.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Place {
    /// The article, relative to the report root.
    pub file: PathBuf,
    pub line: usize,
    pub column: usize,
    /// A remote image rather than a link.
    pub image: bool,
}

/// What became of one URL.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    Ok,
    /// Matched by `[links] skip`: not asked.
    Skipped,
    Broken,
    Redirected,
    Insecure,
    Timeout,
}

impl Verdict {
    /// Its name in `--json`.
    pub fn name(self) -> &'static str {
        match self {
            Verdict::Ok => "ok",
            Verdict::Skipped => "skipped",
            Verdict::Broken => "broken",
            Verdict::Redirected => "redirected",
            Verdict::Insecure => "insecure",
            Verdict::Timeout => "timeout",
        }
    }
}

/// One URL's result, with every place that links it.
#[derive(Debug, Clone)]
pub struct LinkResult {
    /// The URL without its fragment (the page asked).
    pub url: String,
    pub places: Vec<Place>,
    pub verdict: Verdict,
    /// What the network said; `None` when skipped.
    pub observation: Option<Observation>,
    /// When it was asked, Unix seconds.
    pub checked: Option<i64>,
    /// Whether the result came from the cache.
    pub cached: bool,
}

/// The web links and remote images of an edition, in reading order, as
/// (URL without fragment, place).
pub fn collect(report: &Report, into: &mut Vec<(String, Place)>) {
    for article in report.articles() {
        for (inline, _) in article.all_inlines() {
            if let Inline::Link { dest: LinkDest::External(url), line, column, .. } = inline
                && let Some(url) = web_url(url)
            {
                into.push((url, Place { file: article.path.clone(), line: *line, column: *column, image: false }));
            }
        }
        for image in article.images() {
            if let ImageSrc::Unavailable(url) = &image.src
                && let Some(url) = web_url(url)
            {
                into.push((
                    url,
                    Place { file: article.path.clone(), line: image.line, column: image.column, image: true },
                ));
            }
        }
    }
}

/// An `http(s)://` URL without its fragment; `//host/...` as https.
fn web_url(url: &str) -> Option<String> {
    let url = url.trim();
    let url = if url.starts_with("//") { format!("https:{url}") } else { url.to_string() };
    let lower = url.get(..8).unwrap_or(&url).to_ascii_lowercase();
    if !(lower.starts_with("http://") || lower.starts_with("https://")) {
        return None;
    }
    Some(match url.split_once('#') {
        Some((page, _)) => page.to_string(),
        None => url,
    })
}

/// What a check of the links did.
#[derive(Debug, Default)]
pub struct Checked {
    pub results: Vec<LinkResult>,
    pub diagnostics: Vec<Diagnostic>,
    /// Why the cache could not be written, if it could not.
    pub cache_error: Option<String>,
}

/// Checks every URL of `found`: from the cache when it is fresh (unless
/// `refresh`), else through `fetch`; `progress` is told (checked, total)
/// as URLs are done. Writes the cache in `root`.
pub fn run(
    found: Vec<(String, Place)>,
    config: &LinksConfig,
    root: &Path,
    refresh: bool,
    fetch: &dyn Fetch,
    progress: &(dyn Fn(usize, usize) + Sync),
) -> Checked {
    // One entry per URL, in the order of its first place.
    let mut urls: Vec<(String, Vec<Place>)> = Vec::new();
    let mut index: HashMap<String, usize> = HashMap::new();
    for (url, place) in found {
        let i = *index.entry(url.clone()).or_insert_with(|| {
            urls.push((url, Vec::new()));
            urls.len() - 1
        });
        if !urls[i].1.contains(&place) {
            urls[i].1.push(place);
        }
    }
    let skip: Vec<regex::Regex> = config.skip.iter().filter_map(|p| regex::Regex::new(p).ok()).collect();
    let path = cache::Cache::path(root);
    let mut cache = cache::Cache::read(&path);
    let now = now();
    let max_age = config.max_age().as_secs();
    let mut results: Vec<LinkResult> = Vec::with_capacity(urls.len());
    let mut to_ask: Vec<usize> = Vec::new();
    for (url, places) in urls {
        let mut result =
            LinkResult { url, places, verdict: Verdict::Skipped, observation: None, checked: None, cached: false };
        if !skip.iter().any(|r| r.is_match(&result.url)) {
            match cache.fresh(&result.url, now, max_age).filter(|_| !refresh) {
                Some(entry) => {
                    result.observation = Some(entry.observation.clone());
                    result.checked = Some(entry.checked);
                    result.cached = true;
                }
                None => to_ask.push(results.len()),
            }
        }
        results.push(result);
    }
    let asked: Vec<String> = to_ask.iter().map(|&i| results[i].url.clone()).collect();
    let policy =
        Policy { retries: config.retries, backoff: Duration::from_millis(500), max_wait: Duration::from_secs(60) };
    let observations = ask_all(&asked, config, &policy, fetch, progress);
    let asked_at = self::now();
    for (i, observation) in to_ask.into_iter().zip(observations) {
        cache
            .links
            .insert(results[i].url.clone(), cache::Entry { checked: asked_at, observation: observation.clone() });
        results[i].observation = Some(observation);
        results[i].checked = Some(asked_at);
    }
    let mut diagnostics = Vec::new();
    for result in &mut results {
        if let Some(observation) = &result.observation {
            let (verdict, diagnostic) = judge(result, observation, config);
            result.verdict = verdict;
            diagnostics.extend(diagnostic);
        }
    }
    // What is older than max-age would be asked again anyway: the cache
    // does not grow with links removed long ago.
    let max_age = i64::try_from(max_age).unwrap_or(i64::MAX);
    cache.links.retain(|_, e| e.checked >= asked_at || now.saturating_sub(e.checked) < max_age);
    let cache_error = cache.write(&path).err();
    Checked { results, diagnostics, cache_error }
}

fn now() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_secs() as i64)
}

/// Asks every URL, on `[links] concurrency` threads, with at most
/// `per-host` requests to one host at a time; the observations in the
/// URLs' order.
fn ask_all(
    urls: &[String],
    config: &LinksConfig,
    policy: &Policy,
    fetch: &dyn Fetch,
    progress: &(dyn Fn(usize, usize) + Sync),
) -> Vec<Observation> {
    struct Queue {
        pending: VecDeque<usize>,
        active: HashMap<String, usize>,
    }
    let hosts: Vec<String> = urls
        .iter()
        .map(|u| url::Url::parse(u).ok().and_then(|p| p.host_str().map(str::to_ascii_lowercase)).unwrap_or_default())
        .collect();
    let queue = Mutex::new(Queue { pending: (0..urls.len()).collect(), active: HashMap::new() });
    let freed = Condvar::new();
    let results: Mutex<Vec<Option<Observation>>> = Mutex::new(vec![None; urls.len()]);
    let done = AtomicUsize::new(0);
    let total = urls.len();
    if total > 0 {
        progress(0, total);
    }
    let per_host = config.per_host.max(1);
    let work = || {
        loop {
            let next = {
                let mut q = queue.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
                loop {
                    if q.pending.is_empty() {
                        break None;
                    }
                    let free = q.pending.iter().position(|&i| q.active.get(&hosts[i]).copied().unwrap_or(0) < per_host);
                    if let Some(pos) = free {
                        let i = q.pending.remove(pos).expect("a position in the queue");
                        *q.active.entry(hosts[i].clone()).or_insert(0) += 1;
                        break Some(i);
                    }
                    q = freed.wait(q).unwrap_or_else(std::sync::PoisonError::into_inner);
                }
            };
            let Some(i) = next else { return };
            let observation = probe::observe(fetch, &urls[i], policy, &config.accept);
            results.lock().unwrap_or_else(std::sync::PoisonError::into_inner)[i] = Some(observation);
            {
                let mut q = queue.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
                if let Some(n) = q.active.get_mut(&hosts[i]) {
                    *n -= 1;
                }
            }
            freed.notify_all();
            progress(done.fetch_add(1, Ordering::Relaxed) + 1, total);
        }
    };
    let threads = config.concurrency.max(1).min(total);
    std::thread::scope(|scope| {
        for _ in 0..threads {
            scope.spawn(work);
        }
    });
    results
        .into_inner()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
        .into_iter()
        .map(|o| o.expect("every URL is asked"))
        .collect()
}

/// The verdict on one URL and its diagnostic, at its first place, with the
/// others counted.
fn judge(result: &LinkResult, obs: &Observation, config: &LinksConfig) -> (Verdict, Option<Diagnostic>) {
    let url = &result.url;
    let what = if result.places.first().is_some_and(|p| p.image) { "remote image" } else { "link to" };
    let (verdict, lint, message, hint): (Verdict, &'static lint::Lint, String, String) = match (obs.failure, obs.status)
    {
        (Some(FailureKind::Timeout), _) => (
            Verdict::Timeout,
            &lint::LINK_TIMEOUT,
            format!("{what} `{url}`: no answer within {}s ({} tries)", config.timeout, obs.requests),
            "the site may be down or slow: check again later, raise `[links] timeout`, or add the address to \
             `[links] skip`"
                .to_string(),
        ),
        (Some(kind), _) => {
            let why = match kind {
                FailureKind::Dns => "its host name does not resolve".to_string(),
                FailureKind::Tls => format!("the secure connection failed ({})", detail(obs)),
                FailureKind::Redirects => detail(obs),
                FailureKind::InvalidUrl => "it is not a valid address".to_string(),
                FailureKind::Timeout | FailureKind::Connection => format!("the connection failed ({})", detail(obs)),
            };
            (
                Verdict::Broken,
                &lint::BROKEN_LINK,
                format!("{what} `{url}` cannot be reached: {why}"),
                "fix the address, link an archived copy (web.archive.org), or remove the link".to_string(),
            )
        }
        (None, Some(status)) if !probe::works(status, &config.accept) => {
            let message = match &obs.moved_to {
                Some(to) => format!("{what} `{url}` redirects to `{to}`, which answers {}", reason(status)),
                None => format!("{what} `{url}` answers {}", reason(status)),
            };
            let hint = if status == 429 || status == 403 {
                "the site refuses the checker: check the link by hand, then add its status to `[links] accept` \
                 or the address to `[links] skip`"
            } else {
                "fix the address, link an archived copy (web.archive.org), or remove the link"
            };
            (Verdict::Broken, &lint::BROKEN_LINK, message, hint.to_string())
        }
        (None, Some(_)) => {
            if let Some(to) = &obs.moved_to {
                (
                    Verdict::Redirected,
                    &lint::REDIRECTED_LINK,
                    format!("{what} `{url}` has moved permanently"),
                    format!("link the new address: {to}"),
                )
            } else if obs.https == Some(true) {
                let secure = probe::https_twin(url).unwrap_or_default();
                (
                    Verdict::Insecure,
                    &lint::INSECURE_LINK,
                    format!("{what} `{url}` uses http, and the same address answers over https"),
                    format!("link the secure address: {secure}"),
                )
            } else {
                return (Verdict::Ok, None);
            }
        }
        (None, None) => return (Verdict::Ok, None),
    };
    let Some(first) = result.places.first() else { return (verdict, None) };
    let mut message = message;
    let mut hint = hint;
    let others = &result.places[1..];
    if !others.is_empty() {
        message.push_str(&format!(" (linked in {} places)", result.places.len()));
        let shown: Vec<String> =
            others.iter().take(5).map(|p| format!("{}:{}:{}", p.file.display(), p.line, p.column)).collect();
        let more = if others.len() > 5 { format!(" and {} more", others.len() - 5) } else { String::new() };
        hint.push_str(&format!("; also linked at {}{more}", shown.join(", ")));
    }
    if result.cached
        && let Some(checked) = result.checked
    {
        hint.push_str(&format!("; as checked on {} (`check --links=refresh` asks again)", date_time(checked)));
    }
    let diagnostic =
        Diagnostic::new(lint, message).with_file(&first.file).with_position(first.line, first.column).with_hint(hint);
    (verdict, Some(diagnostic))
}

fn detail(obs: &Observation) -> String {
    obs.detail.clone().unwrap_or_else(|| "no detail".to_string())
}

/// `404 Not Found`, or the code alone.
fn reason(status: u16) -> String {
    let phrase = match status {
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        408 => "Request Timeout",
        410 => "Gone",
        429 => "Too Many Requests",
        451 => "Unavailable For Legal Reasons",
        500 => "Internal Server Error",
        501 => "Not Implemented",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        504 => "Gateway Timeout",
        _ => "",
    };
    if phrase.is_empty() { status.to_string() } else { format!("{status} {phrase}") }
}

/// Unix seconds as `2026-12-07 16:52 UTC`.
pub fn date_time(secs: i64) -> String {
    let (y, m, d, h, mi, _) = crate::dates::civil_from_unix(secs);
    format!("{y:04}-{m:02}-{d:02} {h:02}:{mi:02} UTC")
}

/// Unix seconds as RFC 3339 (`2026-12-07T16:52:38Z`), for `--json`.
pub fn rfc3339(secs: i64) -> String {
    let (y, m, d, h, mi, s) = crate::dates::civil_from_unix(secs);
    format!("{y:04}-{m:02}-{d:02}T{h:02}:{mi:02}:{s:02}Z")
}

#[cfg(test)]
mod tests {
    use super::*;

    use std::sync::atomic::AtomicUsize;

    /// Answers 200 after a pause, and records how many requests were under
    /// way at once, overall and to one host.
    struct Counting {
        active: Mutex<(usize, HashMap<String, usize>)>,
        most: Mutex<(usize, usize)>,
        asked: AtomicUsize,
    }

    impl Fetch for Counting {
        fn ask(&self, _: probe::Method, url: &str) -> Result<probe::Answer, probe::Failure> {
            let host = url::Url::parse(url).unwrap().host_str().unwrap().to_string();
            {
                let mut active = self.active.lock().unwrap();
                active.0 += 1;
                *active.1.entry(host.clone()).or_insert(0) += 1;
                let mut most = self.most.lock().unwrap();
                most.0 = most.0.max(active.0);
                most.1 = most.1.max(active.1[&host]);
            }
            std::thread::sleep(Duration::from_millis(20));
            let mut active = self.active.lock().unwrap();
            active.0 -= 1;
            *active.1.get_mut(&host).unwrap() -= 1;
            self.asked.fetch_add(1, Ordering::SeqCst);
            Ok(probe::Answer { status: 200, location: None, retry_after: None })
        }
    }

    #[test]
    fn requests_are_bounded_overall_and_per_host() {
        let fetch = Counting { active: Mutex::default(), most: Mutex::default(), asked: AtomicUsize::new(0) };
        let urls: Vec<String> = (0..24).map(|i| format!("https://h{}.org/{i}", i % 3)).collect();
        let config = LinksConfig { concurrency: 5, per_host: 2, ..LinksConfig::default() };
        let policy = Policy { retries: 0, backoff: Duration::ZERO, max_wait: Duration::ZERO };
        let seen = Mutex::new(Vec::new());
        let observations =
            ask_all(&urls, &config, &policy, &fetch, &|done, total| seen.lock().unwrap().push((done, total)));
        assert_eq!(observations.len(), 24);
        assert_eq!(fetch.asked.load(Ordering::SeqCst), 24);
        let most = *fetch.most.lock().unwrap();
        assert!(most.0 <= 5 && most.1 <= 2, "{most:?}");
        assert!(most.0 > 2, "the hosts were asked in parallel: {most:?}");
        let mut seen = seen.into_inner().unwrap();
        seen.sort();
        assert_eq!(seen.first(), Some(&(0, 24)));
        assert_eq!(seen.last(), Some(&(24, 24)));
    }

    #[test]
    fn web_urls_lose_their_fragment() {
        assert_eq!(web_url("https://a.org/p#x").as_deref(), Some("https://a.org/p"));
        assert_eq!(web_url("//a.org/p").as_deref(), Some("https://a.org/p"));
        assert_eq!(web_url("HTTP://A.org").as_deref(), Some("HTTP://A.org"));
        assert_eq!(web_url("mailto:a@b.org"), None);
        assert_eq!(rfc3339(0), "1970-01-01T00:00:00Z");
    }
}
