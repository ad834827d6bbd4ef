//! Meilisearch behind the `SearchIndex` port: index settings, documents, filters translated
//! from the domain query, and rebuilding the index into a new one that is swapped in.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;
use std::time::Duration;

use atlas_domain::{
    Actor, ActorId, ActorPage, ActorQuery, FacetCounts, ListedActor, PageCursor, SearchError,
    SearchIndex, SearchMatches, SortOrder, Taxonomy,
};
use atlas_store::Store;
use meilisearch_sdk::client::{Client, SwapIndexes};
use meilisearch_sdk::search::{MatchingStrategies, SearchResults, Selectors};
use meilisearch_sdk::settings::{FacetingSettings, PaginationSetting, Settings};
use meilisearch_sdk::task_info::TaskInfo;
use serde::Deserialize;

use crate::document::SearchDocument;

/// How long to wait for Meilisearch to apply a write before calling it failed.
const TASK_TIMEOUT: Duration = Duration::from_secs(60);
const FACETS: [&str; 4] = ["categories", "kind", "country", "languages"];
/// Meilisearch answers at most this many hits for one query (its pagination setting).
const MAX_TOTAL_HITS: usize = 100_000;

#[derive(Clone)]
pub struct MeiliSearch {
    client: Client,
    index_uid: String,
    store: Store,
    taxonomy: Arc<Taxonomy>,
}

/// Where a rebuild is: documents written so far (the total is not known in advance).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReindexProgress {
    pub indexed: u64,
}

#[derive(Debug, Deserialize)]
struct Hit {
    id: String,
}

fn unavailable(error: impl std::fmt::Display) -> SearchError {
    SearchError::Unavailable(error.to_string())
}

/// A string value in a Meilisearch filter: double-quoted, with `"` and `\` escaped.
fn quoted(value: &str) -> String {
    format!("\"{}\"", value.replace('\\', "\\\\").replace('"', "\\\""))
}

fn any_of<'a>(field: &str, values: impl Iterator<Item = &'a str>) -> Option<String> {
    let list: Vec<String> = values.map(quoted).collect();
    (!list.is_empty()).then(|| format!("{field} IN [{}]", list.join(", ")))
}

/// The query's filters in Meilisearch's filter language (the same filters the store applies).
pub fn filter_expression(query: &ActorQuery) -> String {
    let mut clauses: Vec<String> = Vec::new();
    clauses.extend(any_of(
        "categories",
        query.categories.iter().map(|c| c.as_str()),
    ));
    clauses.extend(any_of("kind", query.kinds.iter().map(|k| k.as_str())));
    clauses.extend(any_of(
        "country",
        query.countries.iter().map(|c| c.as_str()),
    ));
    clauses.extend(any_of(
        "languages",
        query.languages.iter().map(|l| l.as_str()),
    ));
    clauses.extend(any_of("tag_ids", query.tags.iter().map(String::as_str)));
    if let Some(since) = query.updated_since {
        clauses.push(format!("updated_at >= {}", since.timestamp()));
    }
    if let Some(bbox) = &query.bbox {
        // _geoBoundingBox([top-right lat, lng], [bottom-left lat, lng]); one box per side of
        // the antimeridian.
        let boxes: Vec<String> = bbox
            .split_at_antimeridian()
            .iter()
            .map(|b| {
                format!(
                    "_geoBoundingBox([{}, {}], [{}, {}])",
                    b.max_lat, b.max_lon, b.min_lat, b.min_lon
                )
            })
            .collect();
        clauses.push(format!("({})", boxes.join(" OR ")));
    }
    if let Some(near) = &query.near {
        clauses.push(format!(
            "_geoRadius({}, {}, {})",
            near.lat,
            near.lon,
            (near.radius_km * 1000.0).round()
        ));
    }
    clauses.join(" AND ")
}

/// The index settings: what is searched (name first), filtered, sorted and counted, and the
/// synonyms PostgreSQL search also applies (town names in other languages, see
/// `Store::place_synonyms`).
pub fn index_settings(synonyms: BTreeMap<String, Vec<String>>) -> Settings {
    Settings::new()
        .with_synonyms(synonyms.into_iter().collect::<HashMap<_, _>>())
        .with_searchable_attributes([
            "name",
            "alt_names",
            "category_labels",
            "category_stems",
            "tags",
            "city",
            "region",
            "place_spellings",
            "country_names",
            "texts",
        ])
        .with_filterable_attributes([
            "categories",
            "kind",
            "country",
            "languages",
            "tag_ids",
            "updated_at",
            "_geo",
        ])
        .with_sortable_attributes(["sort_name", "updated_at", "_geo"])
        .with_pagination(PaginationSetting {
            max_total_hits: MAX_TOTAL_HITS,
        })
        .with_faceting(FacetingSettings {
            max_values_per_facet: 500,
            sort_facet_values_by: None,
        })
}

/// Great-circle distance in km (Meilisearch gives `_geoDistance` only when sorting by it).
fn distance_km(lat1: f64, lon1: f64, lat2: f64, lon2: f64) -> f64 {
    let (p1, p2) = (lat1.to_radians(), lat2.to_radians());
    let dp = p2 - p1;
    let dl = (lon2 - lon1).to_radians();
    let a = (dp / 2.0).sin().powi(2) + p1.cos() * p2.cos() * (dl / 2.0).sin().powi(2);
    2.0 * 6_371.008_8 * a.sqrt().asin()
}

fn field_of(attribute: &str) -> &'static str {
    match attribute {
        "name" | "alt_names" => "name",
        "category_labels" | "category_stems" => "categories",
        "tags" => "tags",
        "city" | "region" | "place_spellings" | "country_names" => "place",
        _ => "description",
    }
}

/// The results of a query asking for every word (as PostgreSQL search does), or, when no
/// document has them all, of one dropping words from the end (Meilisearch's default
/// strategy) and true: the page and the facets then say `relaxed`, as PostgreSQL's do.
/// Whether to relax depends on the total only, so every page of a query chooses alike.
async fn strict_or_relaxed<F, Fut>(run: F) -> Result<(SearchResults<Hit>, bool), SearchError>
where
    F: Fn(MatchingStrategies) -> Fut,
    Fut: std::future::Future<Output = Result<SearchResults<Hit>, SearchError>>,
{
    let strict = run(MatchingStrategies::ALL).await?;
    let total = strict.estimated_total_hits.or(strict.total_hits);
    if total.unwrap_or_default() > 0 {
        return Ok((strict, false));
    }
    let relaxed = run(MatchingStrategies::LAST).await?;
    let found = relaxed.estimated_total_hits.or(relaxed.total_hits);
    let relaxed_any = found.unwrap_or_default() > 0;
    Ok((relaxed, relaxed_any))
}

impl MeiliSearch {
    pub fn new(
        url: &str,
        master_key: Option<&str>,
        index_uid: &str,
        store: Store,
        taxonomy: Arc<Taxonomy>,
    ) -> Result<MeiliSearch, SearchError> {
        let client = Client::new(url, master_key).map_err(unavailable)?;
        Ok(MeiliSearch {
            client,
            index_uid: index_uid.to_owned(),
            store,
            taxonomy,
        })
    }

    /// Whether this backend answers the query: text queries ranked by relevance (its strength).
    /// Other orders use keyset cursors only PostgreSQL serves.
    pub fn answers(&self, query: &ActorQuery) -> bool {
        query.text.is_some() && query.sort == SortOrder::Relevance
    }

    pub async fn is_healthy(&self) -> bool {
        self.client.is_healthy().await
    }

    /// The documents of these actors (with their categories' stems, read once per call).
    pub async fn documents(&self, actors: &[Actor]) -> Result<Vec<SearchDocument>, SearchError> {
        let stems = self.store.category_stems().await.map_err(unavailable)?;
        Ok(actors
            .iter()
            .map(|a| SearchDocument::new(a, &self.taxonomy, &stems))
            .collect())
    }

    async fn finish(
        &self,
        task: Result<TaskInfo, meilisearch_sdk::errors::Error>,
    ) -> Result<(), SearchError> {
        let task = task
            .map_err(unavailable)?
            .wait_for_completion(&self.client, None, Some(TASK_TIMEOUT))
            .await
            .map_err(unavailable)?;
        if task.is_failure() {
            return Err(SearchError::Unavailable(format!(
                "Meilisearch task failed: {:?}",
                task.unwrap_failure()
            )));
        }
        Ok(())
    }

    /// Creates the index when missing and applies the settings (idempotent).
    pub async fn ensure_index(&self) -> Result<(), SearchError> {
        self.prepare(&self.index_uid).await
    }

    async fn prepare(&self, uid: &str) -> Result<(), SearchError> {
        if self.client.get_index(uid).await.is_err() {
            self.finish(self.client.create_index(uid, Some("id")).await)
                .await?;
        }
        let synonyms = self.store.place_synonyms().await.map_err(unavailable)?;
        self.finish(
            self.client
                .index(uid)
                .set_settings(&index_settings(synonyms))
                .await,
        )
        .await
    }

    /// Deletes the index and its documents (a test's throw-away index).
    pub async fn delete_index(&self) -> Result<(), SearchError> {
        self.finish(self.client.index(&self.index_uid).delete().await)
            .await
    }

    /// Rebuilds the whole index into a new one, then swaps it in, so searches never see a
    /// half-built index. Changes made meanwhile are queued again afterwards.
    pub async fn reindex(
        &self,
        mut progress: impl FnMut(ReindexProgress),
    ) -> Result<u64, SearchError> {
        let started = chrono::Utc::now();
        self.ensure_index().await?;
        let building = format!("{}_{}", self.index_uid, started.timestamp_millis());
        self.prepare(&building).await?;
        let index = self.client.index(&building);
        let mut after = None;
        let mut indexed = 0u64;
        loop {
            let ids = self
                .store
                .published_ids_after(after, 1000)
                .await
                .map_err(unavailable)?;
            let Some(last) = ids.last() else { break };
            after = Some(*last);
            let actors = self
                .store
                .published_actors(&ids)
                .await
                .map_err(unavailable)?;
            self.finish(
                index
                    .add_or_replace(&self.documents(&actors).await?, Some("id"))
                    .await,
            )
            .await?;
            indexed += actors.len() as u64;
            progress(ReindexProgress { indexed });
        }
        self.finish(
            self.client
                .swap_indexes([&SwapIndexes {
                    indexes: (self.index_uid.clone(), building.clone()),
                    rename: None,
                }])
                .await,
        )
        .await?;
        // After the swap the building uid holds the old documents.
        self.finish(self.client.index(&building).delete().await)
            .await?;
        self.store
            .enqueue_changed_since(started)
            .await
            .map_err(unavailable)?;
        Ok(indexed)
    }
}

impl SearchIndex for MeiliSearch {
    fn backend(&self) -> &'static str {
        "meilisearch"
    }

    async fn search(&self, query: &ActorQuery) -> Result<ActorPage, SearchError> {
        let Some(text) = &query.text else {
            return Err(SearchError::Unsupported("a query without text".into()));
        };
        let offset = match query.after {
            Some(PageCursor::Rank { offset }) => offset as usize,
            None => 0,
            Some(_) => return Err(SearchError::Unsupported("keyset cursors".into())),
        };
        let limit = query.limit as usize;
        let filter = filter_expression(query);
        let index = self.client.index(&self.index_uid);
        let page = |strategy: MatchingStrategies| {
            let mut search = index.search();
            search
                .with_query(text.as_str())
                .with_matching_strategy(strategy)
                .with_offset(offset)
                .with_limit(limit + 1)
                .with_show_matches_position(true)
                .with_attributes_to_retrieve(Selectors::Some(&["id"]));
            if !filter.is_empty() {
                search.with_filter(&filter);
            }
            async move { search.execute::<Hit>().await.map_err(unavailable) }
        };
        let (results, relaxed) = strict_or_relaxed(page).await?;
        let has_more = results.hits.len() > limit;
        let mut matched: HashMap<ActorId, SearchMatches> = HashMap::new();
        let mut ids = Vec::new();
        for hit in results.hits.into_iter().take(limit) {
            let Ok(uuid) = hit.result.id.parse() else {
                continue;
            };
            let id = ActorId(uuid);
            let mut fields: Vec<String> = Vec::new();
            for attribute in hit.matches_position.unwrap_or_default().keys() {
                let field = field_of(attribute.split('.').next().unwrap_or_default());
                if !fields.iter().any(|f| f == field) {
                    fields.push(field.to_owned());
                }
            }
            matched.insert(
                id,
                SearchMatches {
                    fields,
                    ..SearchMatches::default()
                },
            );
            ids.push(id);
        }
        // The store has the current state; a hit unpublished since it was indexed is dropped.
        let actors = self
            .store
            .published_actors(&ids)
            .await
            .map_err(unavailable)?;
        let items = actors
            .into_iter()
            .map(|actor| ListedActor {
                distance_km: query.near.map(|n| {
                    distance_km(
                        n.lat,
                        n.lon,
                        actor.profile.location.lat,
                        actor.profile.location.lon,
                    )
                }),
                matches: matched.remove(&actor.id),
                actor,
            })
            .collect();
        Ok(ActorPage {
            items,
            next: has_more.then(|| PageCursor::Rank {
                offset: u32::try_from(offset + limit).unwrap_or(u32::MAX),
            }),
            total: results.estimated_total_hits.unwrap_or_default() as u64,
            total_estimated: true,
            relaxed,
        })
    }

    async fn facets(&self, query: &ActorQuery) -> Result<FacetCounts, SearchError> {
        let filter = filter_expression(query);
        let index = self.client.index(&self.index_uid);
        let counts = |strategy: MatchingStrategies| {
            let mut search = index.search();
            if let Some(text) = &query.text {
                search.with_query(text.as_str());
            }
            // Page mode counts every hit exactly (offset mode only estimates).
            search
                .with_matching_strategy(strategy)
                .with_page(1)
                .with_hits_per_page(0)
                .with_facets(Selectors::Some(&FACETS));
            if !filter.is_empty() {
                search.with_filter(&filter);
            }
            async move { search.execute::<Hit>().await.map_err(unavailable) }
        };
        let (results, relaxed) = strict_or_relaxed(counts).await?;
        let mut distribution = results.facet_distribution.unwrap_or_default();
        let mut take = |facet: &str| -> BTreeMap<String, u64> {
            distribution
                .remove(facet)
                .unwrap_or_default()
                .into_iter()
                .map(|(value, n)| (value, n as u64))
                .collect()
        };
        Ok(FacetCounts {
            total: results.total_hits.unwrap_or_default() as u64,
            categories: take("categories"),
            kinds: take("kind"),
            countries: take("country"),
            languages: take("languages"),
            relaxed,
        })
    }

    async fn upsert(&self, actors: &[Actor]) -> Result<(), SearchError> {
        let index = self.client.index(&self.index_uid);
        self.finish(
            index
                .add_or_replace(&self.documents(actors).await?, Some("id"))
                .await,
        )
        .await
    }

    async fn remove(&self, ids: &[ActorId]) -> Result<(), SearchError> {
        let index = self.client.index(&self.index_uid);
        let ids: Vec<String> = ids.iter().map(|id| id.0.to_string()).collect();
        self.finish(index.delete_documents(&ids).await).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use atlas_domain::{ActorKind, BoundingBox, CategoryId, Near};

    #[test]
    fn filters_translate_the_domain_query() {
        let query = ActorQuery {
            categories: vec![CategoryId::parse("category", "repair").expect("id")],
            kinds: vec![ActorKind::Cooperative],
            tags: vec!["say \"hi\"".into()],
            bbox: Some(BoundingBox::parse("bbox", "170,-20,-170,-10").expect("bbox")),
            near: Some(Near::parse("48.2,16.37", Some("5")).expect("near")),
            ..ActorQuery::default()
        };
        assert_eq!(
            filter_expression(&query),
            "categories IN [\"repair\"] AND kind IN [\"cooperative\"] AND tag_ids IN [\"say \\\"hi\\\"\"] \
             AND (_geoBoundingBox([-10, 180], [-20, 170]) OR _geoBoundingBox([-10, -170], [-20, -180])) \
             AND _geoRadius(48.2, 16.37, 5000)"
        );
    }

    #[test]
    fn distances_are_great_circle_km() {
        let vienna_to_bratislava = distance_km(48.2082, 16.3738, 48.1486, 17.1077);
        assert!(
            (vienna_to_bratislava - 54.6).abs() < 1.0,
            "{vienna_to_bratislava}"
        );
    }

    /// `MEILI_URL=https://…` must reach the server over TLS: the client opens the connection
    /// with a TLS ClientHello (record type 0x16), not plain HTTP and not a "scheme is not
    /// http" refusal of a client built without TLS.
    #[tokio::test]
    async fn https_urls_are_spoken_to_over_tls() {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let port = listener.local_addr().expect("addr").port();
        let first_byte = tokio::spawn(async move {
            use tokio::io::AsyncReadExt;
            let (mut socket, _) = listener.accept().await.expect("accept");
            let mut byte = [0u8; 1];
            socket.read_exact(&mut byte).await.expect("read");
            byte[0]
        });
        let client = Client::new(format!("https://127.0.0.1:{port}"), Some("key")).expect("client");
        // No TLS server answers, so the check fails; what matters is how it was attempted.
        let healthy = tokio::time::timeout(Duration::from_secs(10), client.is_healthy()).await;
        let first_byte = tokio::time::timeout(Duration::from_secs(10), first_byte)
            .await
            .expect("the client connected")
            .expect("listener");
        assert_eq!(first_byte, 0x16, "a TLS handshake record");
        assert_ne!(healthy.ok(), Some(true));
    }
}
