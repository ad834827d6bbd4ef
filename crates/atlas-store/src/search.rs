//! What search needs from the store beyond the listing: facet counts, suggestions, the actors
//! behind an external index's hits, and the search outbox.

use std::collections::{BTreeMap, HashMap};

use atlas_domain::map::{CellBlock, Zoom, STORED_FACET_CELLS_MAX_ZOOM};
use atlas_domain::{
    Actor, ActorId, ActorQuery, BoundingBox, FacetCounts, Lang, LatLon, Suggestion, SuggestionKind,
};
use diesel::sql_types::{Array, Double, Int4, Int8, Nullable, Text, Uuid as SqlUuid};
use diesel::{QueryResult, QueryableByName};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use futures_util::FutureExt;

use crate::actors::{in_bbox_condition, matching_sql, relax_text, ExpandedText};
use crate::error::StoreResult;
use crate::expansions::expanded_text;
use crate::map::{blocks_sql, outside_block_sql};
use crate::rows::{ActorRow, ACTOR_COLUMNS};
use crate::sql_args::{Arg, SqlBuilder};
use crate::{on_connection, Store};

const FACETS_SQL: &str = include_str!("sql/facets.sql");
const STORED_FACETS_SQL: &str = include_str!("sql/stored_facets.sql");
const SUGGEST_SQL: &str = include_str!("sql/suggest.sql");
const CLAIM_OUTBOX_SQL: &str = include_str!("sql/claim_outbox.sql");

#[derive(QueryableByName)]
struct FacetRow {
    #[diesel(sql_type = Text)]
    facet: String,
    #[diesel(sql_type = Text)]
    value: String,
    #[diesel(sql_type = Int8)]
    count: i64,
}

#[derive(QueryableByName)]
struct SuggestionRow {
    #[diesel(sql_type = Text)]
    kind: String,
    #[diesel(sql_type = Text)]
    id: String,
    #[diesel(sql_type = Text)]
    label: String,
    #[diesel(sql_type = Nullable<Text>)]
    country: Option<String>,
    #[diesel(sql_type = Nullable<Int8>)]
    count: Option<i64>,
    #[diesel(sql_type = Double)]
    #[allow(dead_code)]
    score: f64,
    #[diesel(sql_type = Nullable<Double>)]
    lon: Option<f64>,
    #[diesel(sql_type = Nullable<Double>)]
    lat: Option<f64>,
    #[diesel(sql_type = Nullable<Double>)]
    min_lon: Option<f64>,
    #[diesel(sql_type = Nullable<Double>)]
    min_lat: Option<f64>,
    #[diesel(sql_type = Nullable<Double>)]
    max_lon: Option<f64>,
    #[diesel(sql_type = Nullable<Double>)]
    max_lat: Option<f64>,
}

#[derive(QueryableByName)]
struct OutboxRow {
    #[diesel(sql_type = Int8)]
    id: i64,
    #[diesel(sql_type = SqlUuid)]
    actor_id: uuid::Uuid,
    #[diesel(sql_type = Int4)]
    attempts: i32,
}

#[derive(QueryableByName)]
struct IdRow {
    #[diesel(sql_type = SqlUuid)]
    id: uuid::Uuid,
}

/// A claimed outbox row: index this actor (or remove it), then complete or fail the row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutboxItem {
    pub id: i64,
    pub actor_id: ActorId,
    /// Failed attempts before this one.
    pub attempts: i32,
}

fn count(n: i64) -> u64 {
    u64::try_from(n).unwrap_or_default()
}

/// The facet rows of what `list_actors` would return for the same query (same FROM, text
/// match and filters).
async fn load_facets(
    conn: &AsyncPgConnection,
    query: &ActorQuery,
    expanded: Option<&ExpandedText>,
) -> QueryResult<Vec<FacetRow>> {
    let matching = matching_sql("", query, expanded);
    // The matching part goes inside the CTE; its placeholders keep their numbers.
    let (matching_text, mut sql) = matching.take_sql();
    sql.push(&FACETS_SQL.replace("{matching}", &matching_text));
    sql.into_query().load::<FacetRow>(&mut &*conn).await
}

/// The facets of a view that nothing narrows but its box (or of everything), summed from the
/// stored map cells (`map_cells`, one set per kind, country, category and language, kept by
/// triggers) instead of counted from every actor in it: the whole cells inside the box, each
/// read at the coarsest zoom that fits (`CellBlock::in_coarsest_cells`), and the view's actors
/// outside them counted live. None when the query narrows more, or no whole cell fits in the
/// box (a small view, cheap to count live).
fn stored_facets_sql(query: &ActorQuery) -> Option<SqlBuilder> {
    if query.text.is_some()
        || (ActorQuery {
            bbox: None,
            ..query.clone()
        })
        .has_filters()
    {
        return None;
    }
    let only_the_view = ActorQuery {
        bbox: query.bbox,
        ..ActorQuery::default()
    };
    let mut live = matching_sql("", &only_the_view, None);
    let blocks = match &query.bbox {
        Some(view) => {
            let deepest = Zoom::new(STORED_FACET_CELLS_MAX_ZOOM)?;
            let block = deepest.cells_inside(view)?;
            let outside = outside_block_sql(view, &block, &mut live);
            live.push(&outside);
            block.in_coarsest_cells()
        }
        None => {
            // Everything: the cells of zoom 0 hold every published actor.
            live.push(" AND false");
            let zoom = Zoom::new(0)?;
            let last = zoom.cells_per_side() - 1;
            vec![CellBlock {
                zoom,
                min_x: 0,
                max_x: last,
                min_y: 0,
                max_y: last,
            }]
        }
    };
    // The live part goes first; its placeholders keep their numbers.
    let (live_text, mut sql) = live.take_sql();
    let cells = blocks_sql(&blocks, &mut sql);
    sql.push(
        &STORED_FACETS_SQL
            .replace(
                "{live_facets}",
                &FACETS_SQL.replace("{matching}", &live_text),
            )
            .replace("{stored_cells}", &cells)
            .replace("{max_zoom}", &STORED_FACET_CELLS_MAX_ZOOM.to_string()),
    );
    Some(sql)
}

/// Facet rows as counts (`total` is the total; `relaxed` says the text was relaxed).
fn facet_counts(rows: Vec<FacetRow>, relaxed: bool) -> FacetCounts {
    let mut facets = FacetCounts {
        relaxed,
        ..FacetCounts::default()
    };
    for row in rows {
        let n = count(row.count);
        let map: &mut BTreeMap<String, u64> = match row.facet.as_str() {
            "total" => {
                facets.total = n;
                continue;
            }
            "category" => &mut facets.categories,
            "kind" => &mut facets.kinds,
            "country" => &mut facets.countries,
            _ => &mut facets.languages,
        };
        map.insert(row.value, n);
    }
    facets
}

impl Store {
    /// Counts per category, kind, country and language for exactly what `list_actors` would
    /// return for the same query (same FROM, text match and filters).
    pub async fn facets(&self, query: &ActorQuery) -> StoreResult<FacetCounts> {
        // Counting a text query's matches is a search statement, bounded by its timeout.
        let (rows, relaxed) = match &query.text {
            Some(text) => {
                let (query, text) = (query.clone(), text.as_str().to_owned());
                let expansions = self.expansions.clone();
                self.run_search(on_connection(move |conn, counter| {
                    async move {
                        let Some(expanded) =
                            expanded_text(expansions.as_deref(), conn, counter, &text).await?
                        else {
                            return Ok((Vec::new(), false));
                        };
                        let rows = load_facets(conn, &query, Some(&expanded)).await?;
                        // As list_actors: no actor matches every word, so fewer are asked for.
                        if rows.iter().any(|r| r.facet == "total" && r.count == 0) {
                            if let Some(relaxed) = relax_text(conn, &query, &expanded).await? {
                                return Ok((
                                    load_facets(conn, &query, Some(&relaxed)).await?,
                                    true,
                                ));
                            }
                        }
                        Ok((rows, false))
                    }
                    .boxed()
                }))
                .await?
            }
            None => {
                let conn = self.conn().await?;
                let rows = match stored_facets_sql(query) {
                    Some(sql) => sql.into_query().load::<FacetRow>(&mut &*conn).await?,
                    None => load_facets(&conn, query, None).await?,
                };
                (rows, false)
            }
        };
        Ok(facet_counts(rows, relaxed))
    }

    /// As `facets` for a query without text, always counting the actors themselves (never
    /// the stored cells): the reference the stored cells' facets are checked against.
    pub async fn facets_counted_live(&self, query: &ActorQuery) -> StoreResult<FacetCounts> {
        let conn = self.conn().await?;
        Ok(facet_counts(load_facets(&conn, query, None).await?, false))
    }

    /// Up to `limit` suggestions for what a reader is typing: actors, cities, categories,
    /// places, countries. With the map's `view`, actors and cities come from inside it and a
    /// category counts its actors in it (sql/suggest.sql).
    pub async fn suggest(
        &self,
        text: &str,
        lang: Lang,
        limit: u32,
        view: Option<BoundingBox>,
    ) -> StoreResult<Vec<Suggestion>> {
        let mut sql = SqlBuilder::new("");
        // $1, $2 and $3, as the statement names them.
        sql.arg(Arg::Text(text.to_owned()));
        sql.arg(Arg::Text(lang.as_str().to_owned()));
        sql.arg(Arg::Int(i64::from(limit)));
        let in_view = match &view {
            Some(view) => in_bbox_condition(view, &mut sql),
            None => "true".to_owned(),
        };
        sql.push(&SUGGEST_SQL.replace("{in_view}", &in_view));
        let query = sql.into_query();
        let rows: Vec<SuggestionRow> = self
            .run_search(on_connection(move |conn, _| {
                query.load(&mut &*conn).boxed()
            }))
            .await?;
        let mut suggestions: Vec<Suggestion> = rows
            .into_iter()
            .map(|row| Suggestion {
                kind: match row.kind.as_str() {
                    "actor" => SuggestionKind::Actor,
                    "city" => SuggestionKind::City,
                    "place" => SuggestionKind::Place,
                    "country" => SuggestionKind::Country,
                    _ => SuggestionKind::Category,
                },
                id: row.id,
                label: row.label,
                country: row.country,
                count: row.count.map(count),
                point: row.lat.zip(row.lon).map(|(lat, lon)| LatLon { lat, lon }),
                extent: match (row.min_lon, row.min_lat, row.max_lon, row.max_lat) {
                    (Some(min_lon), Some(min_lat), Some(max_lon), Some(max_lat)) => {
                        Some(BoundingBox {
                            min_lon,
                            min_lat,
                            max_lon,
                            max_lat,
                        })
                    }
                    _ => None,
                },
            })
            .collect();
        let has_category = suggestions
            .iter()
            .any(|s| s.kind == SuggestionKind::Category);
        if let (Some(view), true) = (view, has_category) {
            // The facets of the view: from its stored map cells when it is large.
            let in_view = self
                .facets(&ActorQuery {
                    bbox: Some(view),
                    ..ActorQuery::default()
                })
                .await?;
            for suggestion in &mut suggestions {
                if suggestion.kind == SuggestionKind::Category {
                    let n = in_view.categories.get(&suggestion.id).copied();
                    suggestion.count = Some(n.unwrap_or(0));
                }
            }
            // A category with no actor in the view would empty the map: after the others,
            // as the statement ranks a category with no actor anywhere.
            suggestions.sort_by_key(|s| s.kind == SuggestionKind::Category && s.count == Some(0));
        }
        Ok(suggestions)
    }

    /// The published actors among `ids`, in the order given (absent ones are left out).
    pub async fn published_actors(&self, ids: &[ActorId]) -> StoreResult<Vec<Actor>> {
        let mut sql = SqlBuilder::new(&format!("SELECT {ACTOR_COLUMNS} FROM actors a WHERE "));
        let p = sql.arg(Arg::Uuids(ids.iter().map(|id| id.0).collect()));
        sql.push(&format!("a.status = 'published' AND a.id = ANY({p})"));
        let mut conn = self.conn().await?;
        let rows: Vec<ActorRow> = sql.into_query().load(&mut conn).await?;
        let mut by_id: HashMap<ActorId, Actor> = HashMap::with_capacity(rows.len());
        for row in rows {
            let actor = Actor::try_from(row)?;
            by_id.insert(actor.id, actor);
        }
        Ok(ids.iter().filter_map(|id| by_id.remove(id)).collect())
    }

    /// Published actor ids after `after`, in id order: for rebuilding an index in batches.
    pub async fn published_ids_after(
        &self,
        after: Option<ActorId>,
        limit: u32,
    ) -> StoreResult<Vec<ActorId>> {
        let mut sql = SqlBuilder::new("SELECT a.id FROM actors a WHERE a.status = 'published'");
        if let Some(after) = after {
            let p = sql.arg(Arg::Uuid(after.0));
            sql.push(&format!(" AND a.id > {p}"));
        }
        let p = sql.arg(Arg::Int(i64::from(limit)));
        sql.push(&format!(" ORDER BY a.id LIMIT {p}"));
        let mut conn = self.conn().await?;
        let rows: Vec<IdRow> = sql.into_query().load(&mut conn).await?;
        Ok(rows.into_iter().map(|r| ActorId(r.id)).collect())
    }

    /// Town names in other languages or scripts and the names actors give those towns
    /// (`search_place_aliases`, migration 000190): "vienna" → ["wien"]. What PostgreSQL search
    /// adds to a query word, as synonyms for an external index.
    pub async fn place_synonyms(&self) -> StoreResult<BTreeMap<String, Vec<String>>> {
        #[derive(QueryableByName)]
        struct SynonymRow {
            #[diesel(sql_type = Text)]
            word: String,
            #[diesel(sql_type = Array<Text>)]
            aliases: Vec<String>,
        }
        let mut conn = self.conn().await?;
        let rows: Vec<SynonymRow> = diesel::sql_query(
            "SELECT word, array_agg(DISTINCT alias ORDER BY alias) AS aliases \
             FROM search_place_aliases GROUP BY word",
        )
        .load(&mut conn)
        .await?;
        Ok(rows.into_iter().map(|r| (r.word, r.aliases)).collect())
    }

    /// The words of each category's labels as PostgreSQL search holds them (its `search_doc`:
    /// stemmed in each label's language and as written, normalised), by category id: what
    /// an external index that does not stem needs to find "Food banks" by "bank".
    pub async fn category_stems(&self) -> StoreResult<BTreeMap<String, Vec<String>>> {
        #[derive(QueryableByName)]
        struct StemsRow {
            #[diesel(sql_type = Text)]
            id: String,
            #[diesel(sql_type = Array<Text>)]
            stems: Vec<String>,
        }
        let mut conn = self.conn().await?;
        let rows: Vec<StemsRow> = diesel::sql_query(
            "SELECT c.id, ARRAY(SELECT w FROM unnest(tsvector_to_array(c.search_doc)) AS w \
                               WHERE w ~ '^[[:alpha:]]+$' ORDER BY w) AS stems \
             FROM categories c",
        )
        .load(&mut conn)
        .await?;
        Ok(rows.into_iter().map(|r| (r.id, r.stems)).collect())
    }

    /// Claims up to `limit` due outbox rows for `lease_secs` seconds (see claim_outbox.sql).
    pub async fn claim_outbox(&self, limit: u32, lease_secs: f64) -> StoreResult<Vec<OutboxItem>> {
        let mut conn = self.conn().await?;
        let rows: Vec<OutboxRow> = diesel::sql_query(CLAIM_OUTBOX_SQL)
            .bind::<Int8, _>(i64::from(limit))
            .bind::<Double, _>(lease_secs)
            .load(&mut conn)
            .await?;
        Ok(rows
            .into_iter()
            .map(|r| OutboxItem {
                id: r.id,
                actor_id: ActorId(r.actor_id),
                attempts: r.attempts,
            })
            .collect())
    }

    /// The index has the change: the rows are done.
    pub async fn complete_outbox(&self, ids: &[i64]) -> StoreResult<()> {
        let mut conn = self.conn().await?;
        diesel::sql_query("DELETE FROM search_outbox WHERE id = ANY($1)")
            .bind::<Array<Int8>, _>(ids)
            .execute(&mut conn)
            .await?;
        Ok(())
    }

    /// The index refused or was unreachable: keep the rows and try again after `retry_secs`.
    pub async fn fail_outbox(&self, ids: &[i64], error: &str, retry_secs: f64) -> StoreResult<()> {
        let mut conn = self.conn().await?;
        diesel::sql_query(
            "UPDATE search_outbox SET attempts = attempts + 1, last_error = left($2, 2000), \
             claimed_until = NULL, next_attempt_at = now() + make_interval(secs => $3) \
             WHERE id = ANY($1)",
        )
        .bind::<Array<Int8>, _>(ids)
        .bind::<Text, _>(error)
        .bind::<Double, _>(retry_secs)
        .execute(&mut conn)
        .await?;
        Ok(())
    }

    /// How many outbox rows wait (for readiness and metrics).
    pub async fn outbox_backlog(&self) -> StoreResult<u64> {
        #[derive(QueryableByName)]
        struct Backlog {
            #[diesel(sql_type = Int8)]
            count: i64,
        }
        let mut conn = self.conn().await?;
        let row: Backlog = diesel::sql_query("SELECT count(*) AS count FROM search_outbox")
            .get_result(&mut conn)
            .await?;
        Ok(count(row.count))
    }
}

impl Store {
    /// Queues every actor changed since `since` again (after an index rebuild, for changes the
    /// rebuild may have read before they happened).
    pub async fn enqueue_changed_since(
        &self,
        since: chrono::DateTime<chrono::Utc>,
    ) -> StoreResult<u64> {
        let mut conn = self.conn().await?;
        let queued = diesel::sql_query(
            "INSERT INTO search_outbox (actor_id) SELECT id FROM actors WHERE updated_at >= $1",
        )
        .bind::<diesel::sql_types::Timestamptz, _>(since)
        .execute(&mut conn)
        .await?;
        Ok(queued as u64)
    }
}
