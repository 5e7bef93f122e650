//! Queues per claimant, served in turn: one item from each claimant that
//! has any, round and round. Whoever queues a lot waits behind their own
//! items only; a claimant that queues one item waits for at most one item
//! of each other claimant. Nested (a round robin of round robins), it
//! shares fairly at two levels, e.g. regions, then clients within each.

use std::collections::{HashMap, VecDeque};
use std::hash::Hash;

/// What a claimant's items wait in.
pub(crate) trait Queue: Default {
    type Item;
    fn push(&mut self, item: Self::Item);
    fn pop(&mut self) -> Option<Self::Item>;
    fn is_empty(&self) -> bool;
}

impl<T> Queue for VecDeque<T> {
    type Item = T;
    fn push(&mut self, item: T) {
        self.push_back(item);
    }
    fn pop(&mut self) -> Option<T> {
        self.pop_front()
    }
    fn is_empty(&self) -> bool {
        VecDeque::is_empty(self)
    }
}

/// One queue per claimant `K`, each of kind `Q`; only claimants with
/// items waiting are held, so its size follows what is queued.
pub(crate) struct RoundRobin<K, Q> {
    /// Claimants with items waiting, the next to be served first.
    order: VecDeque<K>,
    queues: HashMap<K, Q>,
}

impl<K, Q> Default for RoundRobin<K, Q> {
    fn default() -> Self {
        Self { order: VecDeque::new(), queues: HashMap::new() }
    }
}

impl<K: Clone + Eq + Hash, Q: Queue> RoundRobin<K, Q> {
    /// Queues `item` behind `claimant`'s own.
    pub(crate) fn push_for(&mut self, claimant: K, item: Q::Item) {
        let queue = self.queues.entry(claimant.clone()).or_default();
        if queue.is_empty() {
            self.order.push_back(claimant.clone());
        }
        queue.push(item);
    }

    /// The next claimant's first item; that claimant goes to the back.
    pub(crate) fn pop_next(&mut self) -> Option<(K, Q::Item)> {
        let claimant = self.order.pop_front()?;
        let queue = self.queues.get_mut(&claimant).expect("every claimant in order has a queue");
        let item = queue.pop().expect("a claimant in order has items");
        if queue.is_empty() {
            self.queues.remove(&claimant);
        } else {
            self.order.push_back(claimant.clone());
        }
        Some((claimant, item))
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.order.is_empty()
    }
}

/// Nested: a claimant's queue is itself a round robin.
impl<K: Clone + Eq + Hash, Q: Queue> Queue for RoundRobin<K, Q> {
    type Item = (K, Q::Item);
    fn push(&mut self, (claimant, item): Self::Item) {
        self.push_for(claimant, item);
    }
    fn pop(&mut self) -> Option<Self::Item> {
        self.pop_next()
    }
    fn is_empty(&self) -> bool {
        RoundRobin::is_empty(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn claimants_are_served_in_turn_each_in_its_own_order() {
        let mut queue: RoundRobin<&str, VecDeque<u32>> = RoundRobin::default();
        for n in 0..4 {
            queue.push_for("flood", n);
        }
        queue.push_for("one", 10);
        queue.push_for("two", 20);
        queue.push_for("two", 21);
        let served: Vec<(&str, u32)> = std::iter::from_fn(|| queue.pop_next()).collect();
        assert_eq!(
            served,
            [("flood", 0), ("one", 10), ("two", 20), ("flood", 1), ("two", 21), ("flood", 2), ("flood", 3)]
        );
        assert!(queue.is_empty() && queue.queues.is_empty(), "nothing kept for claimants with nothing queued");
    }

    #[test]
    fn nested_it_shares_between_groups_then_between_members() {
        let mut queue: RoundRobin<&str, RoundRobin<&str, VecDeque<u32>>> = RoundRobin::default();
        for n in 0..3 {
            queue.push_for("a", ("x", n));
        }
        queue.push_for("a", ("y", 10));
        queue.push_for("b", ("z", 20));
        let served: Vec<(&str, (&str, u32))> = std::iter::from_fn(|| queue.pop_next()).collect();
        assert_eq!(served, [("a", ("x", 0)), ("b", ("z", 20)), ("a", ("y", 10)), ("a", ("x", 1)), ("a", ("x", 2))]);
    }
}
