//! The filters every actor read shares — the list, clusters, tiles and the OGC items — parsed
//! once, here, so `?category=` means the same thing on every map endpoint.

use atlas_domain::query::{ActorQuery, Near};
use atlas_domain::{
    country, ActorKind, BoundingBox, CategoryId, FieldError, Lang, Taxonomy, ValidationErrors,
};
use chrono::{DateTime, NaiveDate, Utc};
use serde::Deserialize;
use utoipa::IntoParams;

use crate::params::list;

/// Which actors: a viewport or a point and radius, and filters on their fields.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ActorFilterParams {
    /// Viewport `minLon,minLat,maxLon,maxLat` (longitude first). `minLon > maxLon` crosses the
    /// antimeridian.
    #[param(example = "16.18,48.10,16.58,48.33")]
    pub bbox: Option<String>,
    /// "Around me": `lat,lon` (latitude first, like a map pin).
    #[param(example = "48.2,16.37")]
    pub near: Option<String>,
    /// Radius around `near` in kilometres (default 25).
    #[param(value_type = Option<f64>)]
    pub radius_km: Option<String>,
    /// Category id; repeat or comma-separate for any-of. A parent category includes its children.
    #[serde(default)]
    pub category: Vec<String>,
    /// Kind of organisation; repeatable.
    #[serde(default)]
    pub kind: Vec<String>,
    /// ISO 3166-1 alpha-2 country code (names are accepted too); repeatable.
    #[serde(default)]
    pub country: Vec<String>,
    /// ISO 639-1 language the actor works in; repeatable.
    #[serde(default)]
    pub language: Vec<String>,
    /// Tag; repeatable.
    #[serde(default)]
    pub tag: Vec<String>,
    /// Only actors changed at or after this time (RFC 3339, or a date).
    pub updated_since: Option<String>,
}

impl ActorFilterParams {
    /// Writes the filters into `query`, adding every problem to `errors` (so a client learns
    /// about all its mistakes at once).
    pub fn apply(
        &self,
        taxonomy: &Taxonomy,
        query: &mut ActorQuery,
        errors: &mut ValidationErrors,
    ) {
        query.bbox = self
            .bbox
            .as_deref()
            .and_then(|b| errors.take(BoundingBox::parse("bbox", b)));
        match (&self.near, &self.radius_km) {
            (Some(near), radius) => match Near::parse(near, radius.as_deref()) {
                Ok(near) => query.near = Some(near),
                Err(near_errors) => errors.0.extend(near_errors),
            },
            (None, Some(_)) => errors.push(
                "radius_km",
                "invalid_parameter",
                "radius_km needs near=lat,lon",
            ),
            (None, None) => {}
        }
        let mut categories = Vec::new();
        for raw in list(&self.category) {
            if let Some(id) = errors.take(CategoryId::parse("category", raw)) {
                if errors.take(taxonomy.check("category", &id)).is_some() {
                    categories.push(id);
                }
            }
        }
        query.categories = taxonomy.with_descendants(&categories);
        for raw in list(&self.kind) {
            if let Some(kind) = errors.take(
                raw.parse::<ActorKind>()
                    .map_err(|m| FieldError::new("kind", "invalid_kind", m)),
            ) {
                query.kinds.push(kind);
            }
        }
        for raw in list(&self.country) {
            match country::normalise(raw) {
                Some(found) => query.countries.push(found.code),
                None => errors.push(
                    "country",
                    "invalid_country",
                    format!("`{raw}` is not a country code such as `AT`"),
                ),
            }
        }
        for raw in list(&self.language) {
            if let Some(lang) = errors.take(Lang::parse_field("language", raw)) {
                query.languages.push(lang);
            }
        }
        query.tags = list(&self.tag).map(str::to_lowercase).collect();
        query.updated_since = self
            .updated_since
            .as_deref()
            .and_then(|raw| errors.take(parse_time("updated_since", raw)));
    }

    /// The filters alone as a query (for reads that neither sort nor page: clusters, tiles).
    pub fn to_query(&self, taxonomy: &Taxonomy) -> Result<ActorQuery, ValidationErrors> {
        let mut errors = ValidationErrors::default();
        let mut query = ActorQuery::default();
        self.apply(taxonomy, &mut query, &mut errors);
        errors.into_result(|| query)
    }
}

/// An RFC 3339 time, or a date meaning its midnight UTC.
pub fn parse_time(field: &str, raw: &str) -> Result<DateTime<Utc>, FieldError> {
    DateTime::parse_from_rfc3339(raw)
        .map(|t| t.with_timezone(&Utc))
        .or_else(|_| {
            NaiveDate::parse_from_str(raw, "%Y-%m-%d")
                .map(|d| d.and_hms_opt(0, 0, 0).unwrap_or_default().and_utc())
        })
        .map_err(|_| {
            FieldError::new(
                field,
                "invalid_datetime",
                "expected an RFC 3339 time (2026-01-31T12:00:00Z) or a date (2026-01-31)",
            )
        })
}
