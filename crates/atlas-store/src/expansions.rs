//! Expanded texts kept between searches.
//!
//! Expanding a text (`atlas_search_query`: stems, typo corrections, words written as two,
//! towns, the categories each word names) costs 1–8 ms at 100k actors, as much as a third of
//! a search. A map front-end asks for the same text again with every viewport it pans to,
//! every page it turns and for its facets, so each expansion is kept and used again while
//! what it was made from has not changed.
//!
//! What it was made from — the words of typo corrections, the labels of categories — changes
//! with writes to actors (a category's new label rewrites its actors' documents), and every
//! statement writing actors advances `actors_change_counter`. So an expansion is kept with
//! the counter read in the statement that made it, and used again only while the counter
//! has not moved (read by the search's first statement, `Store::run_search`: no round trip
//! of its own). The counter is not transactional: a write whose statement ran but had not
//! committed when a text was expanded is not in that expansion, and only the next write
//! would show it; the gazetteer (town names) is replaced without writing actors. So an
//! expansion is also never used after `MAX_AGE`, and this process drops them all when it
//! replaces the taxonomy or the gazetteer.

use std::sync::Arc;
use std::time::{Duration, Instant};

use diesel_async::AsyncPgConnection;
use quick_cache::sync::Cache;
use quick_cache::Weighter;

use crate::actors::{expand_text, ExpandedText};
use crate::ChangeCounter;

/// How long an expansion may be used at most, whatever the counter says.
const MAX_AGE: Duration = Duration::from_secs(60);

/// Expansions by text, in at most a given amount of memory (the least used go first).
pub(crate) struct ExpansionCache {
    entries: Cache<String, Arc<Expansion>, BytesWeighter>,
}

struct Expansion {
    /// `actors_change_counter` when it was made.
    counter: i64,
    made: Instant,
    /// None: the text has no word to search for.
    expanded: Option<ExpandedText>,
}

/// The counter's value now (a scalar subquery; `expand_text` reads it too).
pub(crate) const CHANGE_COUNTER_SQL: &str =
    "SELECT last_value + CASE WHEN is_called THEN 1 ELSE 0 END FROM actors_change_counter";

#[derive(Clone)]
struct BytesWeighter;

impl Weighter<String, Arc<Expansion>> for BytesWeighter {
    fn weight(&self, text: &String, kept: &Arc<Expansion>) -> u64 {
        let expanded = kept
            .expanded
            .as_ref()
            .map_or(0, ExpandedText::approximate_bytes);
        // The bookkeeping around an entry is about a hundred bytes.
        (text.len() + expanded + 100) as u64
    }
}

impl ExpansionCache {
    /// A cache of expansions in at most `max_bytes`; None for 0 (every text expanded each
    /// time).
    pub(crate) fn new(max_bytes: u64) -> Option<ExpansionCache> {
        (max_bytes > 0).then(|| ExpansionCache {
            // An expansion of a few words takes 1–3 KB.
            entries: Cache::with_weighter(
                usize::try_from(max_bytes / 2_048).unwrap_or(1024).max(16),
                max_bytes,
                BytesWeighter,
            ),
        })
    }

    /// Drops every expansion (what they were made from changed).
    pub(crate) fn clear(&self) {
        self.entries.clear();
    }

    /// The text expanded: the kept expansion when the actors have not changed since it was
    /// made, else a new one (kept for the next time).
    pub(crate) async fn expanded(
        &self,
        conn: &AsyncPgConnection,
        now: ChangeCounter,
        text: &str,
    ) -> diesel::QueryResult<Option<ExpandedText>> {
        if let Some(kept) = self.entries.get(text) {
            if kept.made.elapsed() < MAX_AGE && now.0 == kept.counter {
                return Ok(kept.expanded.clone());
            }
        }
        let made = Instant::now();
        let (counter, expanded) = expand_text(conn, text).await?;
        self.entries.insert(
            text.to_owned(),
            Arc::new(Expansion {
                counter,
                made,
                expanded: expanded.clone(),
            }),
        );
        Ok(expanded)
    }
}

/// The text expanded, through `cache` when there is one.
pub(crate) async fn expanded_text(
    cache: Option<&ExpansionCache>,
    conn: &AsyncPgConnection,
    now: ChangeCounter,
    text: &str,
) -> diesel::QueryResult<Option<ExpandedText>> {
    match cache {
        Some(cache) => cache.expanded(conn, now, text).await,
        None => Ok(expand_text(conn, text).await?.1),
    }
}
