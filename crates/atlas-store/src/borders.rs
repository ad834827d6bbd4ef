//! Country borders, for "does this point lie in the country it claims?".

use atlas_domain::{country, CountryCode};
use diesel::sql_types::{Double, Int8, Text};
use diesel::QueryableByName;
use diesel_async::{AsyncConnection, RunQueryDsl};

use crate::error::{StoreError, StoreResult};
use crate::Store;

/// One area of a country's territory, as GeoJSON geometry text.
#[derive(Debug, Clone)]
pub struct BorderArea {
    pub country: CountryCode,
    pub name: String,
    pub geometry_geojson: String,
}

#[derive(QueryableByName)]
struct CountryRow {
    #[diesel(sql_type = Text)]
    country: String,
}

#[derive(QueryableByName)]
struct CountRow {
    #[diesel(sql_type = Int8)]
    count: i64,
}

/// Borders are simplified, so a coastal address can fall just outside its country's outline;
/// about 5 km of slack (in degrees) keeps such points in.
const BORDER_SLACK_DEGREES: f64 = 0.05;

impl Store {
    /// Replaces all borders in one transaction.
    pub async fn replace_borders(&self, areas: &[BorderArea]) -> StoreResult<usize> {
        let mut conn = self.conn().await?;
        let areas = areas.to_vec();
        conn.transaction(async |conn| {
            diesel::sql_query("DELETE FROM country_borders")
                .execute(conn)
                .await?;
            for area in &areas {
                diesel::sql_query(
                    "INSERT INTO country_borders (country, name, geom) \
                         VALUES ($1, $2, ST_Multi(ST_SetSRID(ST_GeomFromGeoJSON($3), 4326)))",
                )
                .bind::<Text, _>(area.country.as_str())
                .bind::<Text, _>(&area.name)
                .bind::<Text, _>(&area.geometry_geojson)
                .execute(conn)
                .await?;
            }
            Ok::<_, StoreError>(areas.len())
        })
        .await
    }

    pub async fn border_count(&self) -> StoreResult<i64> {
        let mut conn = self.conn().await?;
        let row: CountRow = diesel::sql_query("SELECT count(*) AS count FROM country_borders")
            .get_result(&mut conn)
            .await?;
        Ok(row.count)
    }

    /// The countries whose territory contains the point (uses the GiST index on borders).
    pub async fn countries_at(&self, lon: f64, lat: f64) -> StoreResult<Vec<CountryCode>> {
        let mut conn = self.conn().await?;
        let rows: Vec<CountryRow> = diesel::sql_query(
            "SELECT DISTINCT country FROM country_borders \
             WHERE ST_DWithin(geom, ST_SetSRID(ST_MakePoint($1, $2), 4326), $3)",
        )
        .bind::<Double, _>(lon)
        .bind::<Double, _>(lat)
        .bind::<Double, _>(BORDER_SLACK_DEGREES)
        .load(&mut conn)
        .await?;
        Ok(rows
            .iter()
            .filter_map(|r| country::parse_code(&r.country))
            .collect())
    }
}
