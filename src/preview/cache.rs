//! A small least-recently-used cache bounded by an estimate of the bytes its values hold.
//!
//! A preview is keyed by the image ([`Blob::id`](crate::blob::Blob::id)) and the pane
//! size in cells: the same picture at
//! another size is another entry, so flipping between two layouts costs nothing the second
//! time. A handful of entries at most, so a vector in recency order beats a linked map.

/// Key of one prepared preview.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct CacheKey {
    pub blob: u64,
    /// Width and height of the pane, in cells.
    pub cells: (u16, u16),
    /// The part of the full-resolution image shown (the full view); `None`: all of it, at
    /// no more than its own resolution (the pane).
    pub crop: Option<super::crop::Crop>,
    /// The full view's difference: the older version [`CacheKey::blob`] is compared with.
    pub against: Option<u64>,
    /// A region being marked, outlined on the crop (in the image's pixels).
    pub mark: Option<super::crop::Crop>,
}

impl CacheKey {
    /// Whether this is `shown` at a new size, as when a pane is resized: the same picture with
    /// a quarter to four times the cells. Such a request waits for the size to settle, and
    /// `shown` stands in meanwhile. A thumbnail and the pane's picture are not resizes of each
    /// other: each is prepared at once, and neither stands in for the other.
    pub fn resizes(&self, shown: &CacheKey) -> bool {
        shown.blob == self.blob && super::debounce::is_resize(shown.cells, self.cells)
    }

    pub fn new(blob: u64, cells: (u16, u16)) -> Self {
        Self {
            blob,
            cells,
            crop: None,
            against: None,
            mark: None,
        }
    }

    pub fn cropped(blob: u64, cells: (u16, u16), crop: super::crop::Crop) -> Self {
        Self {
            blob,
            cells,
            crop: Some(crop),
            against: None,
            mark: None,
        }
    }
}

struct Entry<K, V> {
    key: K,
    value: V,
    cost: usize,
}

pub struct Lru<K, V> {
    /// Least recently used first.
    entries: Vec<Entry<K, V>>,
    budget: usize,
    used: usize,
}

impl<K: PartialEq, V> Lru<K, V> {
    /// `budget` is in bytes, as estimated by the caller of [`Lru::insert`].
    pub fn new(budget: usize) -> Self {
        Self {
            entries: Vec::new(),
            budget,
            used: 0,
        }
    }

    fn position(&self, key: &K) -> Option<usize> {
        self.entries.iter().position(|e| &e.key == key)
    }

    /// The value for `key`, which becomes the most recently used.
    pub fn get(&mut self, key: &K) -> Option<&V> {
        let index = self.position(key)?;
        let entry = self.entries.remove(index);
        self.entries.push(entry);
        self.entries.last().map(|e| &e.value)
    }

    pub fn contains(&self, key: &K) -> bool {
        self.position(key).is_some()
    }

    /// The most recently used value whose key matches, without changing the order.
    pub fn find_recent(&self, mut matches: impl FnMut(&K) -> bool) -> Option<&V> {
        self.entries
            .iter()
            .rev()
            .find(|e| matches(&e.key))
            .map(|e| &e.value)
    }

    /// Stores `value`, replacing any value for the same key, then evicts the least recently
    /// used entries until the total fits the budget. The new entry itself is kept even when it
    /// alone is over the budget: an oversized pane should still show its picture.
    pub fn insert(&mut self, key: K, value: V, cost: usize) {
        if let Some(index) = self.position(&key) {
            let old = self.entries.remove(index);
            self.used -= old.cost;
        }
        while !self.entries.is_empty() && self.used + cost > self.budget {
            let evicted = self.entries.remove(0);
            self.used -= evicted.cost;
        }
        self.used += cost;
        self.entries.push(Entry { key, value, cost });
    }

    #[cfg(test)]
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Estimated bytes held.
    #[cfg(test)]
    pub fn used(&self) -> usize {
        self.used
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_thumbnail_is_not_the_pane_picture_at_another_size() {
        let pane = CacheKey::new(1, (80, 24));
        assert!(pane.resizes(&CacheKey::new(1, (60, 20))), "a resize");
        assert!(
            pane.resizes(&CacheKey::new(1, (40, 12))),
            "a quarter still is"
        );
        assert!(
            !pane.resizes(&CacheKey::new(1, (8, 4))),
            "a thumbnail is not"
        );
        assert!(
            !CacheKey::new(1, (8, 4)).resizes(&pane),
            "nor is the pane's picture a thumbnail's"
        );
        assert!(
            !pane.resizes(&CacheKey::new(2, (80, 24))),
            "another picture is not"
        );
    }

    #[test]
    fn the_same_key_hits_and_another_size_misses() {
        let mut cache = Lru::new(1000);
        cache.insert(CacheKey::new(1, (80, 24)), "small", 100);
        assert_eq!(cache.get(&CacheKey::new(1, (80, 24))), Some(&"small"));
        assert_eq!(cache.get(&CacheKey::new(1, (81, 24))), None);
        assert_eq!(cache.get(&CacheKey::new(2, (80, 24))), None);
        // Any size of the same picture can stand in while the new size is prepared.
        assert_eq!(cache.find_recent(|k| k.blob == 1), Some(&"small"));
    }

    #[test]
    fn the_least_recently_used_goes_first_when_over_budget() {
        let mut cache = Lru::new(300);
        cache.insert("a", 1, 100);
        cache.insert("b", 2, 100);
        cache.insert("c", 3, 100);
        assert_eq!(cache.used(), 300);
        // Touch "a": "b" is now the oldest.
        assert_eq!(cache.get(&"a"), Some(&1));
        cache.insert("d", 4, 150);
        assert!(!cache.contains(&"b"));
        assert!(!cache.contains(&"c"));
        assert!(cache.contains(&"a"));
        assert!(cache.contains(&"d"));
        assert_eq!(cache.used(), 250);
        assert_eq!(cache.len(), 2);
    }

    #[test]
    fn replacing_a_key_does_not_count_it_twice() {
        let mut cache = Lru::new(300);
        cache.insert("a", 1, 200);
        cache.insert("a", 2, 250);
        assert_eq!(cache.used(), 250);
        assert_eq!(cache.get(&"a"), Some(&2));
    }

    #[test]
    fn an_entry_over_the_whole_budget_is_kept_alone() {
        let mut cache = Lru::new(100);
        cache.insert("a", 1, 50);
        cache.insert("huge", 2, 500);
        assert_eq!(cache.len(), 1);
        assert!(cache.contains(&"huge"));
    }
}
