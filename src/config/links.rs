//! `[links]`: how `check --links` checks the external links and remote
//! images over the network (a build never does).

use std::time::Duration;

use serde::Deserialize;

/// `[links]`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct LinksConfig {
    /// Check the links on every `check`, as `check --links` does.
    #[serde(default)]
    pub check: bool,
    /// Regular expressions: a URL any of them matches (anywhere in it) is
    /// not checked.
    #[serde(default)]
    pub skip: Vec<String>,
    /// Status codes that count as working besides 2xx (e.g. 403 for a site
    /// that refuses robots).
    #[serde(default)]
    pub accept: Vec<u16>,
    /// Seconds to wait for one answer.
    #[serde(default = "default_timeout")]
    pub timeout: f64,
    /// How many times a timeout, a refused connection, a 5xx or a 429 is
    /// asked again (with a growing pause, or the `Retry-After` asked for).
    #[serde(default = "default_retries")]
    pub retries: u32,
    /// Requests under way at once, over all hosts.
    #[serde(default = "default_concurrency")]
    pub concurrency: usize,
    /// Requests under way at once to one host.
    #[serde(default = "default_per_host")]
    pub per_host: usize,
    /// How long a result in `.coala-report/links.json` is trusted:
    /// `"30m"`, `"12h"`, `"7d"`; `"0"` asks again every time.
    #[serde(default = "default_max_age")]
    pub max_age: String,
    /// The `User-Agent` header sent.
    #[serde(default = "default_user_agent")]
    pub user_agent: String,
}

impl Default for LinksConfig {
    fn default() -> Self {
        Self {
            check: false,
            skip: Vec::new(),
            accept: Vec::new(),
            timeout: default_timeout(),
            retries: default_retries(),
            concurrency: default_concurrency(),
            per_host: default_per_host(),
            max_age: default_max_age(),
            user_agent: default_user_agent(),
        }
    }
}

impl LinksConfig {
    /// What makes no sense though it parses: the key and the problem, with
    /// a hint.
    pub fn problem(&self) -> Option<(&'static str, String, &'static str)> {
        if !(self.timeout.is_finite() && self.timeout > 0.0 && self.timeout <= 3600.0) {
            return Some((
                "timeout",
                format!("`links.timeout` is not a number of seconds: {}", self.timeout),
                "e.g. timeout = 10",
            ));
        }
        if self.concurrency == 0 || self.per_host == 0 {
            return Some((
                if self.concurrency == 0 { "concurrency" } else { "per-host" },
                "`links.concurrency` and `links.per-host` must be at least 1".to_string(),
                "e.g. concurrency = 8, per-host = 2",
            ));
        }
        if self.retries > 10 {
            return Some(("retries", format!("`links.retries` is {}, more than 10", self.retries), "e.g. retries = 2"));
        }
        if parse_age(&self.max_age).is_none() {
            return Some((
                "max-age",
                format!("`links.max-age` is not a duration: `{}`", self.max_age),
                "a number with s, m, h or d: max-age = \"12h\", \"7d\", or \"0\"",
            ));
        }
        if let Some(code) = self.accept.iter().find(|c| !(100..=599).contains(*c)) {
            return Some((
                "accept",
                format!("`links.accept` has {code}, which is not an HTTP status"),
                "e.g. accept = [403, 429]",
            ));
        }
        for pattern in &self.skip {
            if let Err(err) = regex::Regex::new(pattern) {
                let first = err.to_string().lines().last().unwrap_or_default().trim().to_string();
                return Some((
                    "skip",
                    format!("`links.skip` has `{pattern}`, which is not a regular expression: {first}"),
                    "e.g. skip = [\"^https://example\\\\.org/\", \"linkedin\\\\.com\"]",
                ));
            }
        }
        None
    }

    /// `timeout` as a duration.
    pub fn timeout(&self) -> Duration {
        Duration::from_secs_f64(self.timeout)
    }

    /// `max-age` as a duration (a day when it does not parse, which the
    /// manifest's check has already refused).
    pub fn max_age(&self) -> Duration {
        parse_age(&self.max_age).unwrap_or(Duration::from_secs(86_400))
    }
}

/// `"30m"`, `"12h"`, `"7d"`, `"90s"`, `"0"`.
pub fn parse_age(text: &str) -> Option<Duration> {
    let text = text.trim();
    if text == "0" {
        return Some(Duration::ZERO);
    }
    let unit = text.chars().last()?;
    let secs = match unit {
        's' => 1,
        'm' => 60,
        'h' => 3600,
        'd' => 86_400,
        _ => return None,
    };
    let number: u64 = text[..text.len() - 1].trim().parse().ok()?;
    Some(Duration::from_secs(number.checked_mul(secs)?))
}

fn default_timeout() -> f64 {
    10.0
}

fn default_retries() -> u32 {
    2
}

fn default_concurrency() -> usize {
    8
}

fn default_per_host() -> usize {
    2
}

fn default_max_age() -> String {
    "1d".to_string()
}

fn default_user_agent() -> String {
    format!("coala-report/{} (link check)", env!("CARGO_PKG_VERSION"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ages() {
        assert_eq!(parse_age("0"), Some(Duration::ZERO));
        assert_eq!(parse_age("12h"), Some(Duration::from_secs(12 * 3600)));
        assert_eq!(parse_age("7d"), Some(Duration::from_secs(7 * 86_400)));
        assert_eq!(parse_age("30 m"), Some(Duration::from_secs(1800)));
        for bad in ["", "d", "7w", "-1d", "1.5h"] {
            assert_eq!(parse_age(bad), None, "{bad}");
        }
    }

    #[test]
    fn problems_name_their_key() {
        let bad = |f: fn(&mut LinksConfig)| {
            let mut c = LinksConfig::default();
            f(&mut c);
            c.problem().map(|p| p.0)
        };
        assert_eq!(bad(|_| {}), None);
        assert_eq!(bad(|c| c.timeout = 0.0), Some("timeout"));
        assert_eq!(bad(|c| c.per_host = 0), Some("per-host"));
        assert_eq!(bad(|c| c.max_age = "soon".into()), Some("max-age"));
        assert_eq!(bad(|c| c.accept = vec![42]), Some("accept"));
        assert_eq!(bad(|c| c.skip = vec!["(".into()]), Some("skip"));
    }
}
