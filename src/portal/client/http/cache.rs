//! A short-lived copy of the catalogue (fields, a field's procedures, a procedure), so that a
//! citizen paging through it does not ask the portal on every button. The catalogue changes
//! rarely; a change shows within the cache's lifetime. Errors and searches are never kept.

use std::collections::HashMap;
use std::hash::Hash;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::portal::model::{FieldCount, Procedure, ProcedureSummary};

/// How long a copy of the catalogue is used by default before the portal is asked again.
pub const CATALOGUE_TTL: Duration = Duration::from_secs(60);

/// At most this many entries per kept list (the catalogue has far fewer procedures); past it
/// the whole list is dropped and filled again.
const MAX_ENTRIES: usize = 4096;

/// Values of one kind by key, each with when it was fetched.
#[derive(Debug)]
struct Kept<K, V> {
    entries: Mutex<HashMap<K, (Instant, V)>>,
}

impl<K: Eq + Hash, V: Clone> Kept<K, V> {
    fn new() -> Self {
        Self {
            entries: Mutex::new(HashMap::new()),
        }
    }

    fn get(&self, key: &K, ttl: Duration) -> Option<V> {
        let entries = self.entries.lock().ok()?;
        let (at, value) = entries.get(key)?;
        (at.elapsed() < ttl).then(|| value.clone())
    }

    fn put(&self, key: K, value: V) {
        if let Ok(mut entries) = self.entries.lock() {
            if entries.len() >= MAX_ENTRIES {
                entries.clear();
            }
            entries.insert(key, (Instant::now(), value));
        }
    }
}

/// The catalogue as last fetched, per part.
#[derive(Debug)]
pub(super) struct CatalogueCache {
    ttl: Duration,
    fields: Kept<(), Arc<[FieldCount]>>,
    by_field: Kept<String, Arc<[ProcedureSummary]>>,
    procedures: Kept<String, Procedure>,
}

impl CatalogueCache {
    pub(super) fn new(ttl: Duration) -> Self {
        Self {
            ttl,
            fields: Kept::new(),
            by_field: Kept::new(),
            procedures: Kept::new(),
        }
    }

    pub(super) fn fields(&self) -> Option<Arc<[FieldCount]>> {
        self.fields.get(&(), self.ttl)
    }

    pub(super) fn put_fields(&self, fields: &Arc<[FieldCount]>) {
        self.fields.put((), Arc::clone(fields));
    }

    pub(super) fn field(&self, field: &str) -> Option<Arc<[ProcedureSummary]>> {
        self.by_field.get(&field.to_owned(), self.ttl)
    }

    pub(super) fn put_field(&self, field: &str, list: &Arc<[ProcedureSummary]>) {
        self.by_field.put(field.to_owned(), Arc::clone(list));
    }

    pub(super) fn procedure(&self, code: &str) -> Option<Procedure> {
        self.procedures.get(&code.to_owned(), self.ttl)
    }

    pub(super) fn put_procedure(&self, code: &str, procedure: &Procedure) {
        self.procedures.put(code.to_owned(), procedure.clone());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kept_values_expire() {
        let kept: Kept<u8, &str> = Kept::new();
        kept.put(1, "one");
        assert_eq!(kept.get(&1, Duration::from_secs(60)), Some("one"));
        assert_eq!(
            kept.get(&1, Duration::ZERO),
            None,
            "older than the lifetime"
        );
        assert_eq!(kept.get(&2, Duration::from_secs(60)), None);
    }

    #[test]
    fn a_full_list_starts_again() {
        let kept: Kept<usize, usize> = Kept::new();
        for i in 0..=MAX_ENTRIES {
            kept.put(i, i);
        }
        let ttl = Duration::from_secs(60);
        assert_eq!(kept.get(&MAX_ENTRIES, ttl), Some(MAX_ENTRIES));
        assert_eq!(kept.get(&0, ttl), None, "dropped when the list filled up");
    }
}
