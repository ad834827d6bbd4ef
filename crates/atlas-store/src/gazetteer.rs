//! The GeoNames gazetteer: loading it, and finding the town an address names.

use diesel::sql_types::{Array, Double, Int4, Int8, Nullable, Text};
use diesel::QueryableByName;
use diesel_async::{AsyncConnection, RunQueryDsl};

use crate::error::{StoreError, StoreResult};
use crate::Store;

const GEOCODE_EXACT_SQL: &str = include_str!("sql/geocode_exact.sql");
const GEOCODE_FUZZY_SQL: &str = include_str!("sql/geocode_fuzzy.sql");

/// A populated place from GeoNames, with every name it is known by.
#[derive(Debug, Clone)]
pub struct GazetteerPlace {
    pub geonameid: i32,
    pub name: String,
    pub country: String,
    pub admin1: Option<String>,
    pub population: i32,
    pub lat: f64,
    pub lon: f64,
    pub alternate_names: Vec<String>,
}

/// The town an address was matched to, and how.
#[derive(Debug, Clone, PartialEq, QueryableByName)]
pub struct GeocodedPlace {
    #[diesel(sql_type = Int4)]
    pub geonameid: i32,
    #[diesel(sql_type = Text)]
    pub name: String,
    #[diesel(sql_type = Text)]
    pub country: String,
    #[diesel(sql_type = Double)]
    pub lat: f64,
    #[diesel(sql_type = Double)]
    pub lon: f64,
    /// `exact`, `accent_insensitive` or `fuzzy`.
    #[diesel(sql_type = Text)]
    pub matched: String,
}

#[derive(QueryableByName)]
struct CountRow {
    #[diesel(sql_type = Int8)]
    count: i64,
}

impl Store {
    pub async fn gazetteer_count(&self) -> StoreResult<i64> {
        let mut conn = self.conn().await?;
        let row: CountRow = diesel::sql_query("SELECT count(*) AS count FROM gazetteer_places")
            .get_result(&mut conn)
            .await?;
        Ok(row.count)
    }

    /// Replaces the whole gazetteer in one transaction, in batches bound as arrays (one
    /// statement per few thousand places rather than one per place).
    pub async fn replace_gazetteer(&self, places: &[GazetteerPlace]) -> StoreResult<usize> {
        let mut conn = self.conn().await?;
        let replaced = conn.transaction(async |conn| {
            diesel::sql_query("DELETE FROM gazetteer_names")
                .execute(conn)
                .await?;
            diesel::sql_query("DELETE FROM gazetteer_places")
                .execute(conn)
                .await?;
            for batch in places.chunks(5_000) {
                diesel::sql_query(
                    "INSERT INTO gazetteer_places (geonameid, name, country, admin1, population, geom) \
                     SELECT id, name, country, admin1, population, ST_SetSRID(ST_MakePoint(lon, lat), 4326) \
                     FROM unnest($1::int4[], $2::text[], $3::text[], $4::text[], $5::int4[], $6::float8[], $7::float8[]) \
                          AS t(id, name, country, admin1, population, lon, lat)",
                )
                .bind::<Array<Int4>, _>(batch.iter().map(|p| p.geonameid).collect::<Vec<_>>())
                .bind::<Array<Text>, _>(batch.iter().map(|p| p.name.clone()).collect::<Vec<_>>())
                .bind::<Array<Text>, _>(batch.iter().map(|p| p.country.clone()).collect::<Vec<_>>())
                .bind::<Array<Nullable<Text>>, _>(
                    batch.iter().map(|p| p.admin1.clone()).collect::<Vec<_>>(),
                )
                .bind::<Array<Int4>, _>(batch.iter().map(|p| p.population).collect::<Vec<_>>())
                .bind::<Array<Double>, _>(batch.iter().map(|p| p.lon).collect::<Vec<_>>())
                .bind::<Array<Double>, _>(batch.iter().map(|p| p.lat).collect::<Vec<_>>())
                .execute(conn)
                .await?;
                let mut ids = Vec::new();
                let mut names = Vec::new();
                for place in batch {
                    let mut seen = std::collections::HashSet::new();
                    for name in std::iter::once(&place.name).chain(&place.alternate_names) {
                        let name = name.trim();
                        if !name.is_empty() && seen.insert(name) {
                            ids.push(place.geonameid);
                            names.push(name.to_owned());
                        }
                    }
                }
                diesel::sql_query(
                    "INSERT INTO gazetteer_names (geonameid, name, folded) \
                     SELECT id, name, lower(unaccent(name)) FROM unnest($1::int4[], $2::text[]) AS t(id, name)",
                )
                .bind::<Array<Int4>, _>(ids)
                .bind::<Array<Text>, _>(names)
                .execute(conn)
                .await?;
            }
            Ok::<_, StoreError>(places.len())
        })
        .await;
        // Expanded texts find towns by their names.
        self.forget_expansions();
        replaced
    }

    /// The town `city` names (in `country` when given): exact, then ignoring case and accents,
    /// then the closest spelling; several places of one name go to the most populous.
    pub async fn geocode_city(
        &self,
        city: &str,
        country: Option<&str>,
    ) -> StoreResult<Option<GeocodedPlace>> {
        let mut conn = self.conn().await?;
        for sql in [GEOCODE_EXACT_SQL, GEOCODE_FUZZY_SQL] {
            let found: Option<GeocodedPlace> = diesel::sql_query(sql)
                .bind::<Text, _>(city)
                .bind::<Nullable<Text>, _>(country)
                .get_result(&mut conn)
                .await
                .map(Some)
                .or_else(|e| match e {
                    diesel::result::Error::NotFound => Ok(None),
                    other => Err(other),
                })?;
            if found.is_some() {
                return Ok(found);
            }
        }
        Ok(None)
    }
}
