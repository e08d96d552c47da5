//! A bounded count per key, kept in memory between two flushes. The sign-in throttle (SEC-2)
//! counts refused attempts here instead of writing one audit row each; a timer writes the
//! counts once a minute. It lives on `AppState`, not in a global, so each server (and each test
//! server in one process) keeps its own.
use std::collections::BTreeMap;
use std::sync::Mutex;

/// More distinct keys than this between two flushes are counted together under `*`.
pub const MAX_KEYS: usize = 10_000;

#[derive(Default)]
pub struct Tally {
    counts: Mutex<BTreeMap<String, u64>>,
}

impl Tally {
    pub fn add(&self, key: &str) {
        let mut counts = self.counts.lock().unwrap_or_else(|e| e.into_inner());
        let key = if counts.len() >= MAX_KEYS && !counts.contains_key(key) {
            "*"
        } else {
            key
        };
        *counts.entry(key.to_string()).or_default() += 1;
    }

    /// Everything counted since the last call, and a fresh start.
    pub fn take(&self) -> BTreeMap<String, u64> {
        std::mem::take(&mut *self.counts.lock().unwrap_or_else(|e| e.into_inner()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_are_bounded_and_taken_once() {
        let tally = Tally::default();
        for i in 0..MAX_KEYS + 5 {
            tally.add(&format!("k{i}"));
        }
        tally.add("k1");
        let counts = tally.take();
        assert_eq!(counts.len(), MAX_KEYS + 1);
        assert_eq!(counts["*"], 5);
        assert_eq!(counts["k1"], 2);
        assert!(tally.take().is_empty());
    }
}
