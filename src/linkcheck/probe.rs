//! Asking one URL: HEAD first, GET when the server refuses HEAD; retries
//! with a growing pause (or the `Retry-After` a 429 or 503 asks for);
//! redirects followed by hand, to tell a permanent move from a temporary
//! one; and, for an `http://` link that works, whether its `https://`
//! twin answers too.

use std::time::Duration;

use serde::{Deserialize, Serialize};

/// A request method.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    Head,
    Get,
}

/// An answer: its status, and the headers the check reads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Answer {
    pub status: u16,
    pub location: Option<String>,
    /// `Retry-After` in seconds (the HTTP-date form is not read).
    pub retry_after: Option<u64>,
}

/// Why there was no answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum FailureKind {
    Timeout,
    /// The host name does not resolve.
    Dns,
    /// The TLS handshake or the certificate failed.
    Tls,
    /// Refused, reset, or not HTTP.
    Connection,
    /// More than ten redirects, or one without a usable `Location`.
    Redirects,
    /// Not a URL that can be asked.
    InvalidUrl,
}

/// No answer, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure {
    pub kind: FailureKind,
    pub detail: String,
}

/// What sends one request (the network, or a test's script).
pub trait Fetch: Sync {
    fn ask(&self, method: Method, url: &str) -> Result<Answer, Failure>;
}

/// How a URL is asked.
#[derive(Debug, Clone)]
pub struct Policy {
    pub retries: u32,
    /// The first pause before a retry; each next one doubles it.
    pub backoff: Duration,
    /// The longest `Retry-After` waited for.
    pub max_wait: Duration,
}

/// What the network said about one URL, as the cache keeps it: what was
/// observed, not what the check makes of it (`[links] accept` may change).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Observation {
    /// The last answer's status, after the redirects; `None` without one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<u16>,
    /// The first answer was a permanent redirect (301, 308): where the
    /// redirects ended.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub moved_to: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub failure: Option<FailureKind>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
    /// For an `http://` URL that works: whether the `https://` one does.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub https: Option<bool>,
    /// How many requests it took (retries, GET after HEAD, redirects).
    #[serde(default)]
    pub requests: u32,
}

/// Status codes after which HEAD is tried again as GET: servers that do
/// not implement HEAD, or refuse it.
const HEAD_REFUSED: &[u16] = &[400, 403, 405, 501];

/// Whether `status` counts as working.
pub fn works(status: u16, accept: &[u16]) -> bool {
    (200..300).contains(&status) || accept.contains(&status)
}

/// Asks `url`, following redirects; for an `http://` URL that works, asks
/// its `https://` twin once (not for a bare IP address or `localhost`).
pub fn observe(fetch: &dyn Fetch, url: &str, policy: &Policy, accept: &[u16]) -> Observation {
    let mut obs = Observation { status: None, moved_to: None, failure: None, detail: None, https: None, requests: 0 };
    let mut current = url.to_string();
    let mut permanent = false;
    let mut method = Method::Head;
    for hop in 0..=10 {
        let (result, requests) = ask_with_retries(fetch, &current, &mut method, policy);
        obs.requests += requests;
        let answer = match result {
            Ok(answer) => answer,
            Err(failure) => {
                obs.failure = Some(failure.kind);
                obs.detail = Some(failure.detail);
                return obs;
            }
        };
        if !matches!(answer.status, 301 | 302 | 303 | 307 | 308) {
            obs.status = Some(answer.status);
            if permanent {
                obs.moved_to = Some(current);
            }
            break;
        }
        let next = answer.location.as_deref().and_then(|l| url::Url::parse(&current).ok()?.join(l).ok());
        let Some(next) = next else {
            obs.failure = Some(FailureKind::Redirects);
            obs.detail = Some(format!("a {} redirect without a usable Location", answer.status));
            return obs;
        };
        if hop == 0 && matches!(answer.status, 301 | 308) {
            permanent = true;
        }
        current = next.to_string();
        if hop == 10 {
            obs.failure = Some(FailureKind::Redirects);
            obs.detail = Some("more than ten redirects".to_string());
            return obs;
        }
    }
    let worked = obs.status.is_some_and(|s| works(s, accept));
    if worked
        && obs.moved_to.is_none()
        && let Some(secure) = https_twin(url)
    {
        let mut method = Method::Head;
        let once = Policy { retries: 0, ..policy.clone() };
        let (result, requests) = ask_with_retries(fetch, &secure, &mut method, &once);
        obs.requests += requests;
        obs.https = Some(result.is_ok_and(|a| works(a.status, accept)));
    }
    obs
}

/// The `https://` URL of an `http://` one whose host is a name other than
/// `localhost`.
pub fn https_twin(url: &str) -> Option<String> {
    let parsed = url::Url::parse(url).ok()?;
    if parsed.scheme() != "http" {
        return None;
    }
    match parsed.host()? {
        url::Host::Domain(d) if d != "localhost" && !d.ends_with(".localhost") => {}
        _ => return None,
    }
    // The same URL with the scheme changed (and the default port, which
    // belongs to http, dropped).
    let rest = &url[url.find(':')? + 1..];
    Some(format!("https:{rest}"))
}

/// One URL asked until it answers something other than a 5xx or a 429,
/// or fails otherwise than by a timeout or a refused connection, or the
/// retries are spent. `method` becomes GET, for good, when HEAD is refused.
fn ask_with_retries(
    fetch: &dyn Fetch,
    url: &str,
    method: &mut Method,
    policy: &Policy,
) -> (Result<Answer, Failure>, u32) {
    let mut requests = 0;
    let mut attempt = 0;
    loop {
        requests += 1;
        let mut result = fetch.ask(*method, url);
        if *method == Method::Head
            && let Ok(answer) = &result
            && HEAD_REFUSED.contains(&answer.status)
        {
            *method = Method::Get;
            requests += 1;
            result = fetch.ask(Method::Get, url);
        }
        let wait = match &result {
            Ok(answer) if answer.status == 429 || answer.status >= 500 => Some(
                answer
                    .retry_after
                    .filter(|_| matches!(answer.status, 429 | 503))
                    .map_or_else(|| backoff(policy, attempt), |s| Duration::from_secs(s).min(policy.max_wait)),
            ),
            Err(f) if matches!(f.kind, FailureKind::Timeout | FailureKind::Connection) => {
                Some(backoff(policy, attempt))
            }
            _ => None,
        };
        match wait {
            Some(wait) if attempt < policy.retries => {
                std::thread::sleep(wait);
                attempt += 1;
            }
            _ => return (result, requests),
        }
    }
}

fn backoff(policy: &Policy, attempt: u32) -> Duration {
    policy.backoff.saturating_mul(1 << attempt.min(16))
}

/// The network, through ureq: one agent for every thread, no redirects
/// followed (the check follows them), every status an answer.
pub struct Network {
    agent: ureq::Agent,
}

impl Network {
    pub fn new(timeout: Duration, user_agent: &str) -> Network {
        let config = ureq::Agent::config_builder()
            .timeout_global(Some(timeout))
            .max_redirects(0)
            .http_status_as_error(false)
            .user_agent(user_agent)
            .build();
        Network { agent: config.into() }
    }
}

impl Fetch for Network {
    fn ask(&self, method: Method, url: &str) -> Result<Answer, Failure> {
        let result = match method {
            Method::Head => self.agent.head(url).call(),
            Method::Get => self.agent.get(url).call(),
        };
        match result {
            // A GET's body is not read: dropping it closes the connection.
            Ok(response) => {
                let header = |name: &str| response.headers().get(name).and_then(|v| v.to_str().ok());
                Ok(Answer {
                    status: response.status().as_u16(),
                    location: header("location").map(str::to_string),
                    retry_after: header("retry-after").and_then(|v| v.trim().parse().ok()),
                })
            }
            Err(err) => Err(failure(err)),
        }
    }
}

fn failure(err: ureq::Error) -> Failure {
    use ureq::Error as E;
    let detail = err.to_string();
    let kind = match &err {
        E::Timeout(_) => FailureKind::Timeout,
        E::HostNotFound => FailureKind::Dns,
        E::Tls(_) | E::Rustls(_) | E::Pem(_) | E::TlsRequired => FailureKind::Tls,
        E::BadUri(_) | E::Http(_) => FailureKind::InvalidUrl,
        E::TooManyRedirects | E::RedirectFailed => FailureKind::Redirects,
        E::Io(io) if io.kind() == std::io::ErrorKind::TimedOut || io.kind() == std::io::ErrorKind::WouldBlock => {
            FailureKind::Timeout
        }
        // The system resolver's failure comes as an I/O error.
        E::Io(_)
            if ["lookup address", "Name or service not known", "nodename nor servname", "No such host"]
                .iter()
                .any(|m| detail.contains(m)) =>
        {
            FailureKind::Dns
        }
        _ if detail.to_ascii_lowercase().contains("certificate") || detail.contains("tls") => FailureKind::Tls,
        _ => FailureKind::Connection,
    };
    Failure { kind, detail }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;
    use std::sync::Mutex;

    /// Answers from a script: each URL's answers in turn (the last again).
    struct Script {
        answers: HashMap<String, Vec<Result<Answer, Failure>>>,
        asked: Mutex<Vec<(Method, String)>>,
    }

    fn status(status: u16) -> Result<Answer, Failure> {
        Ok(Answer { status, location: None, retry_after: None })
    }

    fn moved(status: u16, to: &str) -> Result<Answer, Failure> {
        Ok(Answer { status, location: Some(to.to_string()), retry_after: None })
    }

    impl Script {
        fn new(answers: &[(&str, Vec<Result<Answer, Failure>>)]) -> Script {
            Script {
                answers: answers.iter().map(|(u, a)| (u.to_string(), a.clone())).collect(),
                asked: Mutex::new(Vec::new()),
            }
        }
    }

    impl Fetch for Script {
        fn ask(&self, method: Method, url: &str) -> Result<Answer, Failure> {
            let mut asked = self.asked.lock().unwrap();
            let n = asked.iter().filter(|(_, u)| u == url).count();
            asked.push((method, url.to_string()));
            let Some(answers) = self.answers.get(url) else {
                return Err(Failure { kind: FailureKind::Dns, detail: "unknown".into() });
            };
            answers[n.min(answers.len() - 1)].clone()
        }
    }

    const QUICK: Policy = Policy { retries: 2, backoff: Duration::ZERO, max_wait: Duration::ZERO };

    #[test]
    fn an_http_link_whose_https_twin_works_is_insecure() {
        let script =
            Script::new(&[("http://example.org/a", vec![status(200)]), ("https://example.org/a", vec![status(200)])]);
        let obs = observe(&script, "http://example.org/a", &QUICK, &[]);
        assert_eq!((obs.status, obs.https, obs.requests), (Some(200), Some(true), 2));
        let script = Script::new(&[("http://example.org/a", vec![status(200)])]);
        assert_eq!(observe(&script, "http://example.org/a", &QUICK, &[]).https, Some(false));
        assert_eq!(https_twin("http://127.0.0.1:8080/x"), None);
        assert_eq!(https_twin("http://localhost/x"), None);
        assert_eq!(https_twin("http://example.org:80/x?q").as_deref(), Some("https://example.org:80/x?q"));
    }

    #[test]
    fn permanent_and_temporary_redirects() {
        let script = Script::new(&[
            ("https://a.org/old", vec![moved(301, "/mid")]),
            ("https://a.org/mid", vec![moved(302, "https://b.org/new")]),
            ("https://b.org/new", vec![status(200)]),
        ]);
        let obs = observe(&script, "https://a.org/old", &QUICK, &[]);
        assert_eq!((obs.status, obs.moved_to.as_deref()), (Some(200), Some("https://b.org/new")));
        let obs = observe(&script, "https://a.org/mid", &QUICK, &[]);
        assert_eq!((obs.status, obs.moved_to), (Some(200), None));
        let looping = Script::new(&[("https://a.org/x", vec![moved(307, "/x")])]);
        assert_eq!(observe(&looping, "https://a.org/x", &QUICK, &[]).failure, Some(FailureKind::Redirects));
    }

    #[test]
    fn refused_head_is_asked_again_as_get_and_failures_are_retried() {
        let script = Script::new(&[("https://a.org/", vec![status(405), status(200)])]);
        let obs = observe(&script, "https://a.org/", &QUICK, &[]);
        assert_eq!((obs.status, obs.requests), (Some(200), 2));
        assert_eq!(script.asked.lock().unwrap()[1].0, Method::Get);
        let script = Script::new(&[("https://a.org/", vec![status(503), status(502), status(200)])]);
        assert_eq!(observe(&script, "https://a.org/", &QUICK, &[]).status, Some(200));
        let script = Script::new(&[("https://a.org/", vec![status(500)])]);
        let obs = observe(&script, "https://a.org/", &QUICK, &[]);
        assert_eq!((obs.status, obs.requests), (Some(500), 3));
        // Not retried: a 404, a DNS failure.
        let script = Script::new(&[("https://a.org/", vec![status(404)])]);
        assert_eq!(observe(&script, "https://a.org/", &QUICK, &[]).requests, 1);
        let obs = observe(&script, "https://nowhere.invalid/", &QUICK, &[]);
        assert_eq!((obs.failure, obs.requests), (Some(FailureKind::Dns), 1));
    }
}
