//! `.coala-report/links.json` in the report folder: what each URL
//! answered, and when, so that a check asks again only for what is new or
//! older than `[links] max-age`. Written atomically; a cache that cannot
//! be read is ignored (and replaced).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::linkcheck::probe::Observation;

/// The cache's folder and file, relative to the report root.
pub const DIR: &str = ".coala-report";
pub const FILE: &str = "links.json";

const VERSION: u32 = 1;

/// One URL's result with its date.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Entry {
    /// When it was asked, Unix seconds.
    pub checked: i64,
    #[serde(flatten)]
    pub observation: Observation,
}

#[derive(Debug, Default, Serialize, Deserialize)]
pub struct Cache {
    version: u32,
    /// By URL (without its fragment).
    pub links: BTreeMap<String, Entry>,
}

impl Cache {
    /// The cache file of the report at `root`.
    pub fn path(root: &Path) -> PathBuf {
        root.join(DIR).join(FILE)
    }

    /// The cache at `path`; empty when it is missing, unreadable, or of
    /// another version.
    pub fn read(path: &Path) -> Cache {
        std::fs::read(path)
            .ok()
            .and_then(|bytes| serde_json::from_slice::<Cache>(&bytes).ok())
            .filter(|c| c.version == VERSION)
            .unwrap_or_default()
    }

    /// The entry for `url` if it was asked less than `max_age` seconds
    /// before `now`.
    pub fn fresh(&self, url: &str, now: i64, max_age: u64) -> Option<&Entry> {
        self.links.get(url).filter(|e| now.saturating_sub(e.checked) < i64::try_from(max_age).unwrap_or(i64::MAX))
    }

    /// Writes the cache atomically (the folder is made if needed).
    pub fn write(&mut self, path: &Path) -> Result<(), String> {
        self.version = VERSION;
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).map_err(|e| format!("cannot create `{}`: {e}", dir.display()))?;
        }
        let mut text = serde_json::to_string_pretty(self).map_err(|e| e.to_string())?;
        text.push('\n');
        crate::fsutil::write_atomic(path, text.as_bytes()).map_err(|d| d.message)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_freshness() {
        let dir = tempfile::tempdir().unwrap();
        let path = Cache::path(dir.path());
        assert!(Cache::read(&path).links.is_empty());
        let mut cache = Cache::default();
        let observation =
            Observation { status: Some(200), moved_to: None, failure: None, detail: None, https: None, requests: 1 };
        cache.links.insert("https://a.org/".into(), Entry { checked: 1000, observation });
        cache.write(&path).unwrap();
        let read = Cache::read(&path);
        assert_eq!(read.links, cache.links);
        assert!(read.fresh("https://a.org/", 1500, 600).is_some());
        assert!(read.fresh("https://a.org/", 1600, 600).is_none());
        assert!(read.fresh("https://b.org/", 1000, 600).is_none());
        std::fs::write(&path, "not json").unwrap();
        assert!(Cache::read(&path).links.is_empty());
    }
}
