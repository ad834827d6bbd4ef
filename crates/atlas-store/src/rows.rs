//! Row types and their conversion to and from domain types.

use std::collections::BTreeMap;

use atlas_domain::{
    country, Actor, ActorId, ActorProfile, Address, CategoryId, Lang, LangText, Link, Location,
    ReviewStatus, SearchMatches, Slug, Source, Website,
};
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel::sql_types::{
    Array, Bool, Double, Int2, Int4, Int8, Jsonb, Nullable, Text, Timestamptz, Uuid as SqlUuid,
};
use postgis_diesel::types::Point;

use crate::error::StoreError;
use crate::schema::actors;

/// The public columns of an actor, as selected by `ACTOR_COLUMNS`.
pub(crate) const ACTOR_COLUMNS: &str = "a.id, a.slug, a.status, a.version, a.name, a.alt_names, a.summary, \
    a.description, a.kind, a.categories, a.tags, a.languages, a.country, a.region, a.city, a.postcode, \
    a.street, ST_Y(a.geom) AS lat, ST_X(a.geom) AS lon, a.location_precision, a.website, a.links, \
    a.founded_year, a.identifiers, a.licence, a.source_kind, a.source_name, a.created_at, a.updated_at, a.last_verified_at";

#[derive(Debug, QueryableByName)]
pub(crate) struct ActorRow {
    #[diesel(sql_type = SqlUuid)]
    id: uuid::Uuid,
    #[diesel(sql_type = Text)]
    slug: String,
    #[diesel(sql_type = Text)]
    status: String,
    #[diesel(sql_type = Int4)]
    version: i32,
    #[diesel(sql_type = Text)]
    name: String,
    #[diesel(sql_type = Array<Text>)]
    alt_names: Vec<String>,
    #[diesel(sql_type = Jsonb)]
    summary: serde_json::Value,
    #[diesel(sql_type = Jsonb)]
    description: serde_json::Value,
    #[diesel(sql_type = Text)]
    kind: String,
    #[diesel(sql_type = Array<Text>)]
    categories: Vec<String>,
    #[diesel(sql_type = Array<Text>)]
    tags: Vec<String>,
    #[diesel(sql_type = Array<Text>)]
    languages: Vec<String>,
    #[diesel(sql_type = Nullable<Text>)]
    country: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    region: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    city: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    postcode: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    street: Option<String>,
    #[diesel(sql_type = Double)]
    lat: f64,
    #[diesel(sql_type = Double)]
    lon: f64,
    #[diesel(sql_type = Text)]
    location_precision: String,
    #[diesel(sql_type = Nullable<Text>)]
    website: Option<String>,
    #[diesel(sql_type = Jsonb)]
    links: serde_json::Value,
    #[diesel(sql_type = Nullable<Int2>)]
    founded_year: Option<i16>,
    #[diesel(sql_type = Jsonb)]
    identifiers: serde_json::Value,
    #[diesel(sql_type = Text)]
    licence: String,
    #[diesel(sql_type = Text)]
    source_kind: String,
    #[diesel(sql_type = Nullable<Text>)]
    source_name: Option<String>,
    #[diesel(sql_type = Timestamptz)]
    created_at: DateTime<Utc>,
    #[diesel(sql_type = Timestamptz)]
    updated_at: DateTime<Utc>,
    #[diesel(sql_type = Timestamptz)]
    last_verified_at: DateTime<Utc>,
}

/// An actor row plus the distance to the query point, when there was one.
#[derive(Debug, QueryableByName)]
pub(crate) struct ListedActorRow {
    #[diesel(embed)]
    pub actor: ActorRow,
    #[diesel(sql_type = Nullable<Double>)]
    pub distance_km: Option<f64>,
    #[diesel(sql_type = Text)]
    pub sort_name: String,
    #[diesel(sql_type = Nullable<Double>)]
    pub score: Option<f64>,
    /// All matches of the query, on a first page (see list_actors.sql).
    #[diesel(sql_type = Nullable<Int8>)]
    pub total: Option<i64>,
    #[diesel(sql_type = Nullable<Bool>)]
    name_hit: Option<bool>,
    #[diesel(sql_type = Nullable<Array<Text>>)]
    matched_categories: Option<Vec<String>>,
    #[diesel(sql_type = Nullable<Bool>)]
    tags_hit: Option<bool>,
    #[diesel(sql_type = Nullable<Bool>)]
    place_hit: Option<bool>,
    #[diesel(sql_type = Nullable<Bool>)]
    text_hit: Option<bool>,
    #[diesel(sql_type = Nullable<Text>)]
    snippet: Option<String>,
}

impl ListedActorRow {
    /// What the text query matched, when there was one (the score says there was).
    pub fn matches(&self) -> Option<SearchMatches> {
        self.score?;
        let categories = self.matched_categories.clone().unwrap_or_default();
        let mut fields = Vec::new();
        for (hit, field) in [
            (self.name_hit == Some(true), "name"),
            (!categories.is_empty(), "categories"),
            (self.tags_hit == Some(true), "tags"),
            (self.place_hit == Some(true), "place"),
            (self.text_hit == Some(true), "description"),
        ] {
            if hit {
                fields.push(field.to_owned());
            }
        }
        Some(SearchMatches {
            fields,
            categories,
            snippet: self.snippet.clone(),
        })
    }
}

fn corrupt(what: &str, id: uuid::Uuid, detail: impl std::fmt::Display) -> StoreError {
    StoreError::Corrupt(format!("actor {id}: {what}: {detail}"))
}

impl TryFrom<ActorRow> for Actor {
    type Error = StoreError;

    fn try_from(row: ActorRow) -> Result<Actor, StoreError> {
        let id = row.id;
        let json = |what: &str, value: serde_json::Value| -> Result<LangText, StoreError> {
            serde_json::from_value(value).map_err(|e| corrupt(what, id, e))
        };
        let country = row
            .country
            .as_deref()
            .map(|c| country::parse_code(c).ok_or_else(|| corrupt("country", id, c)))
            .transpose()?;
        let languages = row
            .languages
            .iter()
            .map(|l| Lang::parse(l).ok_or_else(|| corrupt("language", id, l)))
            .collect::<Result<Vec<_>, _>>()?;
        let categories = row
            .categories
            .iter()
            .map(|c| {
                CategoryId::parse("categories", c).map_err(|e| corrupt("category", id, e.message))
            })
            .collect::<Result<Vec<_>, _>>()?;
        let links: Vec<Link> =
            serde_json::from_value(row.links).map_err(|e| corrupt("links", id, e))?;
        let identifiers: BTreeMap<String, String> =
            serde_json::from_value(row.identifiers).map_err(|e| corrupt("identifiers", id, e))?;
        Ok(Actor {
            id: ActorId(id),
            slug: Slug::from_trusted(row.slug),
            status: row
                .status
                .parse::<ReviewStatus>()
                .map_err(|e| corrupt("status", id, e))?,
            version: row.version,
            profile: ActorProfile {
                name: row.name,
                alt_names: row.alt_names,
                summary: json("summary", row.summary)?,
                description: json("description", row.description)?,
                kind: row.kind.parse().map_err(|e| corrupt("kind", id, e))?,
                categories,
                tags: row.tags,
                languages,
                address: Address {
                    country,
                    region: row.region,
                    city: row.city,
                    postcode: row.postcode,
                    street: row.street,
                },
                location: Location {
                    lat: row.lat,
                    lon: row.lon,
                    precision: row
                        .location_precision
                        .parse()
                        .map_err(|e| corrupt("precision", id, e))?,
                },
                website: row.website.map(Website::from_trusted),
                links,
                founded_year: row.founded_year,
                identifiers,
                licence: row.licence,
                source: Source {
                    kind: row
                        .source_kind
                        .parse()
                        .map_err(|e| corrupt("source", id, e))?,
                    name: row.source_name,
                },
            },
            created_at: row.created_at,
            updated_at: row.updated_at,
            last_verified_at: row.last_verified_at,
        })
    }
}

/// The columns written when an actor's public profile changes.
#[derive(Debug, Insertable, AsChangeset)]
#[diesel(table_name = actors)]
pub(crate) struct ActorProfileRow {
    pub name: String,
    pub sort_name: String,
    pub alt_names: Vec<String>,
    pub summary: serde_json::Value,
    pub description: serde_json::Value,
    pub kind: String,
    pub categories: Vec<String>,
    pub tags: Vec<String>,
    pub languages: Vec<String>,
    pub country: Option<String>,
    pub region: Option<String>,
    pub city: Option<String>,
    pub postcode: Option<String>,
    pub street: Option<String>,
    pub geom: Point,
    pub location_precision: String,
    pub website: Option<String>,
    pub links: serde_json::Value,
    pub founded_year: Option<i16>,
    pub identifiers: serde_json::Value,
    pub licence: String,
    pub source_kind: String,
    pub source_name: Option<String>,
}

pub(crate) const WGS84: u32 = 4326;

impl ActorProfileRow {
    pub fn from_profile(profile: &ActorProfile) -> Result<ActorProfileRow, StoreError> {
        Ok(ActorProfileRow {
            name: profile.name.clone(),
            sort_name: atlas_domain::text::sort_key(&profile.name),
            alt_names: profile.alt_names.clone(),
            summary: to_json(&profile.summary)?,
            description: to_json(&profile.description)?,
            kind: profile.kind.as_str().to_owned(),
            categories: profile
                .categories
                .iter()
                .map(|c| c.as_str().to_owned())
                .collect(),
            tags: profile.tags.clone(),
            languages: profile
                .languages
                .iter()
                .map(|l| l.as_str().to_owned())
                .collect(),
            country: profile.address.country.map(|c| c.as_str().to_owned()),
            region: profile.address.region.clone(),
            city: profile.address.city.clone(),
            postcode: profile.address.postcode.clone(),
            street: profile.address.street.clone(),
            geom: Point::new(profile.location.lon, profile.location.lat, Some(WGS84)),
            location_precision: profile.location.precision.as_str().to_owned(),
            website: profile.website.as_ref().map(|w| w.as_str().to_owned()),
            links: to_json(&profile.links)?,
            founded_year: profile.founded_year,
            identifiers: to_json(&profile.identifiers)?,
            licence: profile.licence.clone(),
            source_kind: profile.source.kind.as_str().to_owned(),
            source_name: profile.source.name.clone(),
        })
    }
}

fn to_json<T: serde::Serialize>(value: &T) -> Result<serde_json::Value, StoreError> {
    serde_json::to_value(value).map_err(|e| StoreError::Corrupt(e.to_string()))
}
