//! The set of every existing key's lookup, which lets a trusted cache
//! refuse an unknown token without a database read.
//!
//! Each lookup is kept as an 8-byte digest under a key of this process's
//! own (SipHash-1-3 with random keys), in a sorted array with a small map
//! of changes beside it: about 8.5 bytes per key instead of a `String`'s
//! 40 and more. A digest is a filter with exact confirmation: a match means
//! "may exist", and the database decides; only "no match" is answered from
//! memory. Two lookups that share a digest are both counted, so removing
//! one never hides the other. Attackers cannot aim at a collision: they do
//! not know the keys, and a collision would cost them only a read.

use std::collections::HashMap;
use std::hash::{BuildHasher, RandomState};

/// The map of changes is folded into the sorted array once it holds this
/// share of it (or [`MIN_CHANGES`]): each change costs amortised O(1)
/// array work and a lookup stays two binary searches and one map probe.
const FOLD_SHARE: usize = 64;
const MIN_CHANGES: usize = 1024;

pub(crate) struct Lookups {
    digests: Digests,
    /// Sorted, one entry per existing lookup (a digest may repeat).
    sorted: Vec<u64>,
    /// How many more (or fewer) lookups have each digest than `sorted` says.
    changes: HashMap<u64, i32>,
}

/// This process's keyed digest of a lookup.
#[derive(Clone, Default)]
pub(crate) struct Digests(RandomState);

impl Digests {
    pub(crate) fn of(&self, lookup: &str) -> u64 {
        self.0.hash_one(lookup)
    }
}

impl Lookups {
    /// The set of `digests` (made with `hasher`), in any order.
    pub(crate) fn new(hasher: Digests, mut digests: Vec<u64>) -> Self {
        digests.sort_unstable();
        digests.shrink_to_fit();
        Self { digests: hasher, sorted: digests, changes: HashMap::new() }
    }

    /// Whether a key may have `lookup`: `false` is certain.
    pub(crate) fn may_exist(&self, lookup: &str) -> bool {
        let digest = self.digests.of(lookup);
        self.count(digest) > 0
    }

    fn count(&self, digest: u64) -> i64 {
        let start = self.sorted.partition_point(|&d| d < digest);
        let end = start + self.sorted[start..].partition_point(|&d| d == digest);
        (end - start) as i64 + i64::from(self.changes.get(&digest).copied().unwrap_or(0))
    }

    pub(crate) fn add(&mut self, lookup: &str) {
        self.adjust(lookup, 1);
    }

    pub(crate) fn remove(&mut self, lookup: &str) {
        self.adjust(lookup, -1);
    }

    fn adjust(&mut self, lookup: &str, by: i32) {
        let digest = self.digests.of(lookup);
        let count = self.changes.entry(digest).or_insert(0);
        *count += by;
        if *count == 0 {
            self.changes.remove(&digest);
        }
    }

    /// Whether the changes should be folded into the array ([`Self::folded`]).
    pub(crate) fn wants_folding(&self) -> bool {
        self.changes.len() > MIN_CHANGES.max(self.sorted.len() / FOLD_SHARE)
    }

    /// The same set with every change folded into the sorted array: built
    /// from a shared borrow, so readers go on while it is made.
    pub(crate) fn folded(&self) -> Self {
        let mut sorted = Vec::with_capacity(self.sorted.len() + self.changes.len());
        let mut additions: Vec<(u64, i32)> = self.changes.iter().map(|(&digest, &count)| (digest, count)).collect();
        additions.sort_unstable();
        let mut rest = self.sorted.as_slice();
        for (digest, count) in additions {
            let before = rest.partition_point(|&d| d < digest);
            sorted.extend_from_slice(&rest[..before]);
            rest = &rest[before..];
            let same = rest.partition_point(|&d| d == digest);
            let total = (same as i64 + i64::from(count)).max(0) as usize;
            sorted.extend(std::iter::repeat_n(digest, total));
            rest = &rest[same..];
        }
        sorted.extend_from_slice(rest);
        Self { digests: self.digests.clone(), sorted, changes: HashMap::new() }
    }

    /// How many lookups the set holds.
    pub(crate) fn len(&self) -> usize {
        (self.sorted.len() as i64 + self.changes.values().map(|&count| i64::from(count)).sum::<i64>()).max(0) as usize
    }

    /// The bytes it takes (the array and the map's table), for the docs' figures.
    pub(crate) fn heap_bytes(&self) -> usize {
        self.sorted.capacity() * size_of::<u64>() + self.changes.capacity() * (size_of::<(u64, i32)>() + 1)
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    fn set(lookups: &[String]) -> Lookups {
        let digests = Digests::default();
        let all = lookups.iter().map(|lookup| digests.of(lookup)).collect();
        Lookups::new(digests, all)
    }

    proptest! {
        /// Whatever is added and removed, in whatever order, and however
        /// often it is folded, the set answers as a plain set would.
        #[test]
        fn answers_as_a_plain_set(
            start in proptest::collection::hash_set("[a-z]{1,6}", 0..50),
            steps in proptest::collection::vec(("[a-z]{1,6}", any::<bool>(), any::<bool>()), 0..200),
        ) {
            let start: Vec<String> = start.into_iter().collect();
            let mut lookups = set(&start);
            let mut plain: std::collections::HashSet<String> = start.into_iter().collect();
            for (lookup, add, fold) in steps {
                // Keys come and go once each, as in the database.
                if add && plain.insert(lookup.clone()) {
                    lookups.add(&lookup);
                } else if !add && plain.remove(&lookup) {
                    lookups.remove(&lookup);
                }
                if fold {
                    lookups = lookups.folded();
                }
                prop_assert_eq!(lookups.len(), plain.len());
            }
            for lookup in &plain {
                prop_assert!(lookups.may_exist(lookup), "{lookup} exists");
            }
        }
    }

    #[test]
    fn a_shared_digest_keeps_the_other_lookup() {
        let digests = Digests::default();
        let digest = digests.of("a");
        // Two lookups with one digest, as a collision would give.
        let mut lookups = Lookups::new(digests, vec![digest, digest]);
        lookups.remove("a");
        assert!(lookups.may_exist("a"), "the other lookup with that digest still exists");
        lookups = lookups.folded();
        assert!(lookups.may_exist("a"));
        lookups.remove("a");
        assert!(!lookups.may_exist("a"));
    }

    #[test]
    fn unknown_lookups_are_absent_and_folding_happens_in_proportion() {
        let start: Vec<String> = (0..10_000).map(|n| format!("k{n}")).collect();
        let mut lookups = set(&start);
        assert!(!lookups.may_exist("nobody"));
        for n in 0..MIN_CHANGES {
            lookups.add(&format!("new{n}"));
        }
        assert!(!lookups.wants_folding());
        lookups.add("one more");
        assert!(lookups.wants_folding());
        let folded = lookups.folded();
        assert_eq!(folded.len(), 10_000 + MIN_CHANGES + 1);
        assert!(folded.may_exist("new7") && folded.may_exist("k9999") && !folded.may_exist("nobody"));
    }
}
