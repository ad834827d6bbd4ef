//! Map reads computed by PostGIS: clusters per zoom, Mapbox Vector Tiles, the data's extent
//! and simplified country borders for an offline base map.

use atlas_domain::map::{
    CategoryCount, CellBlock, Cluster, ClusterCell, DataExtent, MapActor, MapItem, TileId, Zoom,
    CLUSTER_CELLS_PER_TILE_SIDE, STORED_FACET_CELLS_MAX_ZOOM,
};
use atlas_domain::{ActorId, ActorQuery, BoundingBox, CategoryId};
use chrono::{DateTime, Utc};
use diesel::sql_types::{Array, Bytea, Double, Int8, Nullable, Text, Timestamptz};
use diesel::QueryableByName;
use diesel_async::RunQueryDsl;

use crate::actors::push_filters;
use crate::error::{StoreError, StoreResult};
use crate::sql_args::{Arg, SqlBuilder};
use crate::Store;

const MAP_CELLS_SQL: &str = include_str!("sql/map_cells.sql");
const MAP_SINGLES_SQL: &str = include_str!("sql/map_singles.sql");
const TILE_SQL: &str = include_str!("sql/tile.sql");

#[derive(QueryableByName)]
struct MapItemRow {
    #[diesel(sql_type = Nullable<Int8>)]
    cx: Option<i64>,
    #[diesel(sql_type = Nullable<Int8>)]
    cy: Option<i64>,
    #[diesel(sql_type = Int8)]
    n: i64,
    #[diesel(sql_type = Double)]
    lon: f64,
    #[diesel(sql_type = Double)]
    lat: f64,
    #[diesel(sql_type = Double)]
    west: f64,
    #[diesel(sql_type = Double)]
    south: f64,
    #[diesel(sql_type = Double)]
    east: f64,
    #[diesel(sql_type = Double)]
    north: f64,
    #[diesel(sql_type = Nullable<Text>)]
    actor_id: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    slug: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    name: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    kind: Option<String>,
    #[diesel(sql_type = Nullable<Array<Text>>)]
    categories: Option<Vec<String>>,
    #[diesel(sql_type = Text)]
    top_categories: String,
}

#[derive(QueryableByName)]
struct TileRow {
    #[diesel(sql_type = Bytea)]
    mvt: Vec<u8>,
}

#[derive(QueryableByName)]
struct ExtentRow {
    #[diesel(sql_type = Int8)]
    count: i64,
    #[diesel(sql_type = Nullable<Double>)]
    west: Option<f64>,
    #[diesel(sql_type = Nullable<Double>)]
    south: Option<f64>,
    #[diesel(sql_type = Nullable<Double>)]
    east: Option<f64>,
    #[diesel(sql_type = Nullable<Double>)]
    north: Option<f64>,
    #[diesel(sql_type = Nullable<Timestamptz>)]
    first_update: Option<DateTime<Utc>>,
    #[diesel(sql_type = Nullable<Timestamptz>)]
    last_update: Option<DateTime<Utc>>,
}

#[derive(QueryableByName)]
struct GeoJsonRow {
    #[diesel(sql_type = Text)]
    geojson: String,
}

impl MapItemRow {
    fn into_item(self, zoom: Zoom) -> StoreResult<MapItem> {
        let corrupt = |what: &str| StoreError::Corrupt(format!("map item: {what}"));
        if self.n == 1 {
            let id = self
                .actor_id
                .as_deref()
                .and_then(|id| uuid::Uuid::parse_str(id).ok())
                .ok_or_else(|| corrupt("actor id"))?;
            let kind = self
                .kind
                .as_deref()
                .ok_or_else(|| corrupt("kind"))?
                .parse()
                .map_err(|e: String| corrupt(&e))?;
            let categories = self
                .categories
                .unwrap_or_default()
                .iter()
                .map(|c| CategoryId::parse("categories", c).map_err(|e| corrupt(&e.message)))
                .collect::<StoreResult<Vec<_>>>()?;
            return Ok(MapItem::Actor(MapActor {
                id: ActorId(id),
                slug: self.slug.unwrap_or_default(),
                name: self.name.unwrap_or_default(),
                kind,
                categories,
                lon: self.lon,
                lat: self.lat,
            }));
        }
        let (Some(x), Some(y)) = (self.cx, self.cy) else {
            return Err(corrupt("cluster without a cell"));
        };
        let top: Vec<(String, i64)> =
            serde_json::from_str(&self.top_categories).map_err(|e| corrupt(&e.to_string()))?;
        let top_categories = top
            .into_iter()
            .map(|(category, count)| {
                Ok(CategoryCount {
                    category: CategoryId::parse("categories", &category)
                        .map_err(|e| corrupt(&e.message))?,
                    count: u64::try_from(count).unwrap_or_default(),
                })
            })
            .collect::<StoreResult<Vec<_>>>()?;
        Ok(MapItem::Cluster(Cluster {
            cell: ClusterCell { zoom, x, y },
            count: u64::try_from(self.n).unwrap_or_default(),
            lon: self.lon,
            lat: self.lat,
            extent: BoundingBox {
                min_lon: self.west,
                min_lat: self.south,
                max_lon: self.east,
                max_lat: self.north,
            },
            top_categories,
        }))
    }
}

/// A set of published actors whose cells `map_cells` keeps: all of them (facet `""`), or
/// those of one kind, one country, one category with its descendants or one language (zooms
/// up to `STORED_FACET_CELLS_MAX_ZOOM`).
#[derive(Debug, Clone, PartialEq, Eq)]
struct StoredSet {
    facet: &'static str,
    value: String,
}

impl StoredSet {
    fn all() -> StoredSet {
        StoredSet {
            facet: "",
            value: String::new(),
        }
    }
}

/// Which cells of a clustered map read come from `map_cells` (kept by triggers) and which
/// are grouped live from the actors.
enum CellSource {
    /// Every cell grouped from the actors matching the filters.
    Live,
    /// Every cell of the zoom read stored (no bbox).
    AllStored(StoredSet),
    /// The whole cells inside a view (the block) read stored; the view's actors outside them
    /// grouped live.
    StoredInside(BoundingBox, CellBlock, StoredSet),
    /// Exactly the cells of a block read stored (a tile), nothing live.
    StoredBlock(CellBlock, StoredSet),
}

/// The filters a stored set can stand for: none, or exactly one of one kind, one country, one
/// category (with its descendants, which `candidate_stored_set` cannot check: see
/// `Store::stored_set`) or one language. Anything else — text, near, several values, tag,
/// time, combinations — is grouped live.
fn candidate_stored_set(query: &ActorQuery, zoom: Zoom) -> Option<StoredSet> {
    let other_filters = query.text.is_some()
        || query.near.is_some()
        || !query.tags.is_empty()
        || query.updated_since.is_some()
        || query.updated_until.is_some();
    if other_filters || !zoom.is_clustered() || !zoom.has_stored_cells() {
        return None;
    }
    let facet = match (
        query.kinds.as_slice(),
        query.countries.as_slice(),
        query.categories.as_slice(),
        query.languages.as_slice(),
    ) {
        ([], [], [], []) => return Some(StoredSet::all()),
        ([kind], [], [], []) => StoredSet {
            facet: "kind",
            value: kind.as_str().to_owned(),
        },
        ([], [country], [], []) => StoredSet {
            facet: "country",
            value: country.as_str().to_owned(),
        },
        ([], [], [root, ..], []) => StoredSet {
            facet: "category",
            value: root.as_str().to_owned(),
        },
        ([], [], [], [language]) => StoredSet {
            facet: "language",
            value: language.as_str().to_owned(),
        },
        _ => return None,
    };
    zoom.has_stored_facet_cells().then_some(facet)
}

impl CellSource {
    fn for_set(query: &ActorQuery, zoom: Zoom, set: Option<StoredSet>) -> CellSource {
        let Some(set) = set else {
            return CellSource::Live;
        };
        match &query.bbox {
            None => CellSource::AllStored(set),
            Some(bbox) => match zoom.cells_inside(bbox) {
                Some(block) => CellSource::StoredInside(*bbox, block, set),
                None => CellSource::Live,
            },
        }
    }
}

/// `live_condition` and the query's filters as SQL conditions (each starting with ` AND `),
/// their values bound in `sql`, whose text is left as it was.
fn filters_sql(query: &ActorQuery, live_condition: &str, sql: &mut SqlBuilder) -> String {
    let before = std::mem::take(&mut sql.sql);
    sql.push(live_condition);
    push_filters(query, sql);
    std::mem::replace(&mut sql.sql, before)
}

/// A little wider than any error of placing a point in a cell: the edge strips below only
/// pick candidates; `map_cell_x/y` decide.
const STRIP_MARGIN_DEG: f64 = 1e-7;

/// The `map_cells.sql` query for `zoom` over the actors matching `query`, reading cells from
/// `source`; `live_condition` is SQL already in `sql` that restricts the live actors further
/// (a tile envelope). Pushes the filters' arguments into `sql` and returns the query text.
fn cells_sql(
    query: &ActorQuery,
    zoom: Zoom,
    source: &CellSource,
    live_condition: &str,
    sql: &mut SqlBuilder,
) -> String {
    let zoom_arg = sql.arg(Arg::Int(i64::from(zoom.level())));
    let set = match source {
        CellSource::Live => StoredSet::all(),
        CellSource::AllStored(set)
        | CellSource::StoredInside(_, _, set)
        | CellSource::StoredBlock(_, set) => set.clone(),
    };
    let facet_arg = sql.arg(Arg::Text(set.facet.to_owned()));
    let value_arg = sql.arg(Arg::Text(set.value));
    let (live_where, stored_where) = match source {
        CellSource::Live => {
            let live_where = filters_sql(query, live_condition, sql);
            (live_where, " AND false".to_owned())
        }
        CellSource::AllStored(_) => (" AND false".to_owned(), String::new()),
        // A tile: exactly its cells, nothing live.
        CellSource::StoredBlock(block, _) => (" AND false".to_owned(), block_cells_sql(block, sql)),
        CellSource::StoredInside(view, block, _) => {
            let live_where = filters_sql(query, live_condition, sql);
            let outside = outside_block_sql(view, block, sql);
            (
                format!("{live_where}{outside}"),
                block_cells_sql(block, sql),
            )
        }
    };
    MAP_CELLS_SQL
        .replace("{live_where}", &live_where)
        .replace("{stored_where}", &stored_where)
        .replace("{zoom}", &zoom_arg)
        .replace("{facet}", &facet_arg)
        .replace("{value}", &value_arg)
}

/// ` AND ` the condition on `map_cells` rows for the cells of `block` (of its zoom).
fn block_cells_sql(block: &CellBlock, sql: &mut SqlBuilder) -> String {
    let [min_x, max_x, min_y, max_y] = block_args(block, sql);
    format!(" AND cx BETWEEN {min_x} AND {max_x} AND cy BETWEEN {min_y} AND {max_y}")
}

/// The condition on `map_cells c` rows for the cells of `blocks` (of any zooms), in
/// parentheses.
pub(crate) fn blocks_sql(blocks: &[CellBlock], sql: &mut SqlBuilder) -> String {
    let each: Vec<String> = blocks
        .iter()
        .map(|block| {
            let zoom = sql.arg(Arg::Int(i64::from(block.zoom.level())));
            format!("(c.zoom = {zoom}{})", block_cells_sql(block, sql))
        })
        .collect();
    format!("({})", each.join(" OR "))
}

/// The block's first and last column and row, bound in `sql`.
fn block_args(block: &CellBlock, sql: &mut SqlBuilder) -> [String; 4] {
    [block.min_x, block.max_x, block.min_y, block.max_y].map(|n| sql.arg(Arg::Int(n)))
}

/// SQL conditions (starting with ` AND `) for the actors of `view` that the cells of `block`
/// (inside it) do not hold: those in four strips of the view along the block's edges (what
/// the GiST index reads), then outside its cells as `map_cell_x/y` place them (what decides,
/// as for the stored cells). The strips reach a little into the block, so rounding cannot
/// drop an actor between them.
pub(crate) fn outside_block_sql(
    view: &BoundingBox,
    block: &CellBlock,
    sql: &mut SqlBuilder,
) -> String {
    let inner = block.bounds();
    let m = STRIP_MARGIN_DEG;
    let (w, s, e, n) = (view.min_lon, view.min_lat, view.max_lon, view.max_lat);
    let strips = [
        (w, s, inner.min_lon + m, n),
        (inner.max_lon - m, s, e, n),
        (w, s, e, inner.min_lat + m),
        (w, inner.max_lat - m, e, n),
    ]
    .map(|(w, s, e, n)| {
        format!(
            "a.geom && ST_MakeEnvelope({}, {}, {}, {}, 4326)",
            sql.arg(Arg::Float(w)),
            sql.arg(Arg::Float(s)),
            sql.arg(Arg::Float(e)),
            sql.arg(Arg::Float(n)),
        )
    });
    let z = sql.arg(Arg::Int(i64::from(block.zoom.level())));
    let [min_x, max_x, min_y, max_y] = block_args(block, sql);
    format!(
        " AND ({}) AND NOT (map_cell_x(ST_X(a.geom), {z}::int) BETWEEN {min_x} AND {max_x} \
         AND map_cell_y(ST_Y(a.geom), {z}::int) BETWEEN {min_y} AND {max_y})",
        strips.join(" OR ")
    )
}

/// The single actors query (deep zooms) over the actors matching `query` and `live_condition`.
fn singles_sql(query: &ActorQuery, live_condition: &str, sql: &mut SqlBuilder) -> String {
    let where_sql = filters_sql(query, live_condition, sql);
    MAP_SINGLES_SQL.replace("{where}", &where_sql)
}

impl Store {
    /// Clusters and single actors matching the query's filters, at a zoom. Every matching actor
    /// is counted exactly once, in the cell its position falls in. Unfiltered views at the
    /// stored zooms read the cells kept in `map_cells`.
    pub async fn map_items(&self, query: &ActorQuery, zoom: Zoom) -> StoreResult<Vec<MapItem>> {
        let set = self.stored_set(query, zoom).await?;
        self.load_map_items(query, zoom, CellSource::for_set(query, zoom, set))
            .await
    }

    /// The stored set of cells that serves `query` at `zoom`, if any. A category filter is
    /// one stored set only when its list is exactly one category and all its descendants
    /// (what `?category=` with one value gives): asked of the taxonomy in the database, the
    /// same the triggers expand with.
    async fn stored_set(&self, query: &ActorQuery, zoom: Zoom) -> StoreResult<Option<StoredSet>> {
        let Some(set) = candidate_stored_set(query, zoom) else {
            return Ok(None);
        };
        if set.facet != "category" {
            return Ok(Some(set));
        }
        let mut sql = SqlBuilder::new("");
        let root = sql.arg(Arg::Text(set.value.clone()));
        let list = sql.arg(Arg::Texts(
            query
                .categories
                .iter()
                .map(|c| c.as_str().to_owned())
                .collect(),
        ));
        sql.push(&format!(
            "SELECT CASE WHEN category_subtree({root}) = \
                    (SELECT array_agg(DISTINCT c ORDER BY c) FROM unnest({list}) c) \
                    THEN 1 ELSE 0 END::int8 AS value"
        ));
        let mut conn = self.conn().await?;
        let row: CounterRow = sql.into_query().get_result(&mut conn).await?;
        Ok((row.value == 1).then_some(set))
    }

    /// A statement counting the actors matching `query` (column `count`) from the stored
    /// cells, when its filters are one stored set and its box holds whole cells of the
    /// deepest stored facet zoom: the set's cells inside the box, at the coarsest zoom that
    /// fits, plus the matching actors outside them counted. Counting every actor of a large
    /// box took longer than the page (300 ms for most of Europe at 100,000 actors). None
    /// otherwise: no box (an index counts it), a small box, or other filters.
    pub(crate) async fn stored_count_sql(
        &self,
        query: &ActorQuery,
    ) -> StoreResult<Option<SqlBuilder>> {
        let zoom = Zoom::new(STORED_FACET_CELLS_MAX_ZOOM).expect("a stored zoom");
        let Some((view, block)) = query
            .bbox
            .as_ref()
            .and_then(|view| Some((view, zoom.cells_inside(view)?)))
        else {
            return Ok(None);
        };
        let Some(set) = self.stored_set(query, zoom).await? else {
            return Ok(None);
        };
        let mut live = crate::actors::matching_sql("SELECT count(*)", query, None);
        let outside = outside_block_sql(view, &block, &mut live);
        live.push(&outside);
        // The live part goes first; its placeholders keep their numbers.
        let (live_text, mut sql) = live.take_sql();
        let (facet, value) = (
            sql.arg(Arg::Text(set.facet.to_owned())),
            sql.arg(Arg::Text(set.value)),
        );
        let cells = blocks_sql(&block.in_coarsest_cells(), &mut sql);
        // Index: map_cells_pkey (facet, value, zoom, cx, cy), a range per block.
        sql.push(&format!(
            "SELECT ((SELECT coalesce(sum(c.actors), 0) FROM map_cells c \
                      WHERE c.facet = {facet} AND c.value = {value} AND {cells}) \
                     + ({live_text}))::int8 AS count"
        ));
        Ok(Some(sql))
    }

    /// As `map_items`, always grouping the actors themselves (never the stored cells): the
    /// reference the stored cells are checked against.
    pub async fn map_items_grouped_live(
        &self,
        query: &ActorQuery,
        zoom: Zoom,
    ) -> StoreResult<Vec<MapItem>> {
        self.load_map_items(query, zoom, CellSource::Live).await
    }

    async fn load_map_items(
        &self,
        query: &ActorQuery,
        zoom: Zoom,
        source: CellSource,
    ) -> StoreResult<Vec<MapItem>> {
        let mut sql = SqlBuilder::new("");
        let items = if zoom.is_clustered() {
            cells_sql(query, zoom, &source, "", &mut sql)
        } else {
            singles_sql(query, "", &mut sql)
        };
        sql.push(&items);
        sql.push(" ORDER BY n DESC, lon, lat, cx, cy");
        let mut conn = self.conn().await?;
        let rows: Vec<MapItemRow> = sql.into_query().load(&mut conn).await?;
        rows.into_iter().map(|row| row.into_item(zoom)).collect()
    }

    /// A Mapbox Vector Tile of the actors matching the query's filters: layer `actors`, one
    /// point per cluster or actor, in tile space (extent 4096). Empty when nothing matches.
    /// Unfiltered tiles at the stored zooms are the tile's 8×8 stored cells.
    pub async fn actor_tile(&self, query: &ActorQuery, tile: TileId) -> StoreResult<Vec<u8>> {
        let mut sql = SqlBuilder::new("");
        let z = sql.arg(Arg::Int(i64::from(tile.zoom.level())));
        let x = sql.arg(Arg::Int(i64::from(tile.x)));
        let y = sql.arg(Arg::Int(i64::from(tile.y)));
        debug_assert_eq!((z.as_str(), x.as_str(), y.as_str()), ("$1", "$2", "$3"));
        let in_tile =
            " AND a.geom && ST_Transform(ST_TileEnvelope($1::int, $2::int, $3::int), 4326)";
        let items = if !tile.zoom.is_clustered() {
            singles_sql(query, in_tile, &mut sql)
        } else {
            let set = self.stored_set(query, tile.zoom).await?;
            match CellSource::for_set(query, tile.zoom, set) {
                CellSource::AllStored(set) => {
                    // A tile is exactly 8×8 cells; the last column and row also take the
                    // actors that fall one cell beyond the world's edge (longitude 180,
                    // latitudes below Web Mercator's limit).
                    let cells = i64::from(CLUSTER_CELLS_PER_TILE_SIDE);
                    let last_tile = (1i64 << tile.zoom.level()) - 1;
                    let (tx, ty) = (i64::from(tile.x), i64::from(tile.y));
                    let block = CellBlock {
                        zoom: tile.zoom,
                        min_x: tx * cells,
                        max_x: tx * cells + cells - 1 + i64::from(tx == last_tile),
                        min_y: ty * cells,
                        max_y: ty * cells + cells - 1 + i64::from(ty == last_tile),
                    };
                    cells_sql(
                        query,
                        tile.zoom,
                        &CellSource::StoredBlock(block, set),
                        "",
                        &mut sql,
                    )
                }
                // Filters, or a bbox on top of the tile: grouped live.
                _ => cells_sql(query, tile.zoom, &CellSource::Live, in_tile, &mut sql),
            }
        };
        let zoom = sql.arg(Arg::Int(i64::from(tile.zoom.level())));
        sql.push(&TILE_SQL.replace("{items}", &items).replace("{zoom}", &zoom));
        let mut conn = self.conn().await?;
        let row: TileRow = sql.into_query().get_result(&mut conn).await?;
        Ok(row.mvt)
    }

    /// Where and when the published actors are: their bounding box and update times.
    pub async fn published_extent(&self) -> StoreResult<DataExtent> {
        let mut conn = self.conn().await?;
        let row: ExtentRow = diesel::sql_query(
            "SELECT count(*) AS count, min(ST_X(geom)) AS west, min(ST_Y(geom)) AS south, \
                    max(ST_X(geom)) AS east, max(ST_Y(geom)) AS north, \
                    min(updated_at) AS first_update, max(updated_at) AS last_update \
             FROM actors WHERE status = 'published'",
        )
        .get_result(&mut conn)
        .await?;
        let bbox = match (row.west, row.south, row.east, row.north) {
            (Some(min_lon), Some(min_lat), Some(max_lon), Some(max_lat)) => Some(BoundingBox {
                min_lon,
                min_lat,
                max_lon,
                max_lat,
            }),
            _ => None,
        };
        Ok(DataExtent {
            bbox,
            first_update: row.first_update,
            last_update: row.last_update,
            count: u64::try_from(row.count).unwrap_or_default(),
        })
    }

    /// The country borders as one GeoJSON FeatureCollection, simplified to `tolerance_degrees`
    /// (topology kept, so neighbours still meet), for a base map that needs no tile server.
    pub async fn simplified_borders_geojson(&self, tolerance_degrees: f64) -> StoreResult<String> {
        let mut conn = self.conn().await?;
        let row: GeoJsonRow = diesel::sql_query(
            "SELECT json_build_object('type', 'FeatureCollection', 'features', \
                 coalesce(json_agg(json_build_object('type', 'Feature', \
                     'properties', json_build_object('country', country, 'name', name), \
                     'geometry', ST_AsGeoJSON(ST_SimplifyPreserveTopology(geom, $1), 4)::json) \
                 ORDER BY country, name), '[]'::json))::text AS geojson \
             FROM country_borders",
        )
        .bind::<Double, _>(tolerance_degrees)
        .get_result(&mut conn)
        .await?;
        Ok(row.geojson)
    }
}

#[derive(QueryableByName)]
struct CounterRow {
    #[diesel(sql_type = Int8)]
    value: i64,
}

impl Store {
    /// A number that changes whenever actors are written (advanced by a trigger), for caches
    /// of map data to know when to drop what they hold.
    pub async fn actors_change_counter(&self) -> StoreResult<i64> {
        let mut conn = self.conn().await?;
        let row: CounterRow = diesel::sql_query(
            "SELECT last_value + CASE WHEN is_called THEN 1 ELSE 0 END AS value \
             FROM actors_change_counter",
        )
        .get_result(&mut conn)
        .await?;
        Ok(row.value)
    }
}
