//! Knowing, cheaply, whether actors changed: what the in-memory caches rely on.
//!
//! A trigger advances the store's actors change counter on every write to actors, whatever
//! process wrote. Reading it costs a round trip, so it is read at most once per `check_every`
//! (one request does the reading while the others go on), and each change it reveals becomes
//! a new *generation*. A cache remembers the generation its entries belong to and drops them
//! all when it moves.

use std::sync::atomic::{AtomicBool, AtomicI64, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use atlas_store::{Store, StoreResult};

pub struct ChangeWatch {
    started: Instant,
    check_every: Duration,
    next_check_ms: AtomicU64,
    counter: AtomicI64,
    /// The counter moves when a write's statement runs, before its commit: an answer computed
    /// in between still shows the old data. So each change makes two generations: one when it
    /// is seen, one at the next look.
    changed_last_look: AtomicBool,
    generation: AtomicU64,
}

impl ChangeWatch {
    pub fn new(check_every: Duration) -> ChangeWatch {
        ChangeWatch {
            started: Instant::now(),
            check_every,
            next_check_ms: AtomicU64::new(0),
            counter: AtomicI64::new(i64::MIN),
            changed_last_look: AtomicBool::new(false),
            generation: AtomicU64::new(0),
        }
    }

    /// The generation of the data now, looking at the counter if a look is due.
    pub async fn generation(&self, store: &Store) -> StoreResult<u64> {
        if self.look_is_due() {
            let counter = store.actors_change_counter().await?;
            let previous = self.counter.swap(counter, Ordering::AcqRel);
            let changed = previous != i64::MIN && previous != counter;
            if changed {
                self.changed_last_look.store(true, Ordering::Release);
                self.generation.fetch_add(1, Ordering::AcqRel);
            } else if self.changed_last_look.swap(false, Ordering::AcqRel) {
                self.generation.fetch_add(1, Ordering::AcqRel);
            }
        }
        Ok(self.generation.load(Ordering::Acquire))
    }

    /// The generation as last seen, without looking.
    pub fn last_generation(&self) -> u64 {
        self.generation.load(Ordering::Acquire)
    }

    /// Whether this request should read the counter: the first to come once `check_every` has
    /// passed since the last look.
    fn look_is_due(&self) -> bool {
        let now_ms = u64::try_from(self.started.elapsed().as_millis()).unwrap_or(u64::MAX);
        let due_ms = self.next_check_ms.load(Ordering::Acquire);
        let check_every_ms = u64::try_from(self.check_every.as_millis()).unwrap_or(u64::MAX);
        now_ms >= due_ms
            && self
                .next_check_ms
                .compare_exchange(
                    due_ms,
                    now_ms.saturating_add(check_every_ms),
                    Ordering::AcqRel,
                    Ordering::Acquire,
                )
                .is_ok()
    }
}
