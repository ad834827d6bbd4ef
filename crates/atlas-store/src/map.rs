//! Map reads computed by PostGIS: clusters per zoom, Mapbox Vector Tiles, the data's extent
//! and simplified country borders for an offline base map.

use atlas_domain::map::{
    CategoryCount, Cluster, ClusterCell, DataExtent, MapActor, MapItem, TileId, Zoom,
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

/// The clusters (or, at deep zooms, single actors) query over actors matching `where_sql`.
fn map_items_sql(zoom: Zoom, cell_placeholder: &str, where_sql: &str) -> String {
    if zoom.is_clustered() {
        MAP_CELLS_SQL
            .replace("{where}", where_sql)
            .replace("{cell}", cell_placeholder)
    } else {
        MAP_SINGLES_SQL.replace("{where}", where_sql)
    }
}

impl Store {
    /// Clusters and single actors matching the query's filters, at a zoom. Every matching actor
    /// is counted exactly once, in the cell its position falls in.
    pub async fn map_items(&self, query: &ActorQuery, zoom: Zoom) -> StoreResult<Vec<MapItem>> {
        let mut sql = SqlBuilder::new("");
        let cell = sql.arg(Arg::Float(zoom.cluster_cell_size_m()));
        push_filters(query, &mut sql);
        let where_sql = std::mem::take(&mut sql.sql);
        sql.push(&map_items_sql(zoom, &cell, &where_sql));
        sql.push(" ORDER BY n DESC, lon, lat");
        let mut conn = self.conn().await?;
        let rows: Vec<MapItemRow> = sql.into_query().load(&mut conn).await?;
        rows.into_iter().map(|row| row.into_item(zoom)).collect()
    }

    /// A Mapbox Vector Tile of the actors matching the query's filters: layer `actors`, one
    /// point per cluster or actor, in tile space (extent 4096). Empty when nothing matches.
    pub async fn actor_tile(&self, query: &ActorQuery, tile: TileId) -> StoreResult<Vec<u8>> {
        let mut sql = SqlBuilder::new("");
        let z = sql.arg(Arg::Int(i64::from(tile.zoom.level())));
        let x = sql.arg(Arg::Int(i64::from(tile.x)));
        let y = sql.arg(Arg::Int(i64::from(tile.y)));
        debug_assert_eq!((z.as_str(), x.as_str(), y.as_str()), ("$1", "$2", "$3"));
        let zoom = sql.arg(Arg::Int(i64::from(tile.zoom.level())));
        let cell = sql.arg(Arg::Float(tile.zoom.cluster_cell_size_m()));
        sql.push(" AND a.geom && ST_Transform(ST_TileEnvelope($1::int, $2::int, $3::int), 4326)");
        push_filters(query, &mut sql);
        let where_sql = std::mem::take(&mut sql.sql);
        let items = map_items_sql(tile.zoom, &cell, &where_sql);
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
