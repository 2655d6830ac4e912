//! Work spread over the machine's cores (articles are loaded and emitted
//! in parallel), with results always in the input's order.

/// `f` applied to every item, on up to as many threads as there are cores,
/// each taking the next item when it is done with one (articles differ in
/// size); the results in the items' order.
pub fn map<T: Sync, R: Send>(items: &[T], f: impl Fn(&T) -> R + Sync) -> Vec<R> {
    use std::sync::atomic::{AtomicUsize, Ordering};
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get()).min(items.len());
    if threads <= 1 {
        return items.iter().map(f).collect();
    }
    let next = AtomicUsize::new(0);
    let work = || {
        let mut done = Vec::new();
        loop {
            let i = next.fetch_add(1, Ordering::Relaxed);
            let Some(item) = items.get(i) else { break };
            done.push((i, f(item)));
        }
        done
    };
    let mut results: Vec<Option<R>> = std::iter::repeat_with(|| None).take(items.len()).collect();
    std::thread::scope(|scope| {
        let helpers: Vec<_> = (1..threads).map(|_| scope.spawn(work)).collect();
        let mine = work();
        for (i, r) in
            helpers.into_iter().flat_map(|h| h.join().unwrap_or_else(|e| std::panic::resume_unwind(e))).chain(mine)
        {
            results[i] = Some(r);
        }
    });
    results.into_iter().map(|r| r.expect("every item is done")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_the_order() {
        let items: Vec<usize> = (0..1000).collect();
        assert_eq!(map(&items, |&i| i * 2), items.iter().map(|i| i * 2).collect::<Vec<_>>());
        assert!(map(&[] as &[usize], |&i| i).is_empty());
    }
}
