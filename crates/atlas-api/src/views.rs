//! What the public sees of an actor, as JSON and as GeoJSON. Built from the domain `Actor`,
//! which has no contact details, so no public view can leak them.

use std::collections::BTreeMap;

use atlas_domain::{Actor, Category, SearchMatches};
use chrono::{DateTime, Utc};
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::lang::Wanted;

#[derive(Debug, Serialize, ToSchema)]
pub struct LocationView {
    pub lat: f64,
    pub lon: f64,
    /// `exact` (the address) or `city` (geocoded to the town only).
    #[schema(example = "exact")]
    pub precision: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct LinkView {
    pub kind: String,
    pub url: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SourceView {
    /// `submitted`, `imported` or `curated`.
    pub kind: String,
    pub name: Option<String>,
}

/// An organisation on the map (public fields only).
#[derive(Debug, Serialize, ToSchema)]
pub struct ActorResponse {
    pub id: Uuid,
    pub slug: String,
    pub name: String,
    pub alt_names: Vec<String>,
    /// Short text by language. With a requested language (`lang` or `Accept-Language`) only the
    /// chosen translation is sent (requested → English → any), keyed by the language used.
    #[schema(value_type = BTreeMap<String, String>, example = json!({"en": "A repair café"}))]
    pub summary: BTreeMap<String, String>,
    /// Long text by language, chosen like `summary`.
    #[schema(value_type = BTreeMap<String, String>)]
    pub description: BTreeMap<String, String>,
    /// association, cooperative, foundation, social_enterprise, company, public_body, network,
    /// informal_group or other.
    pub kind: String,
    /// Taxonomy ids (see `GET /v1/categories`).
    pub categories: Vec<String>,
    pub tags: Vec<String>,
    /// ISO 639-1 languages the actor works in.
    pub languages: Vec<String>,
    /// ISO 3166-1 alpha-2.
    pub country: Option<String>,
    pub region: Option<String>,
    pub city: Option<String>,
    pub postcode: Option<String>,
    pub street: Option<String>,
    pub location: LocationView,
    pub website: Option<String>,
    pub links: Vec<LinkView>,
    pub founded_year: Option<i16>,
    pub identifiers: BTreeMap<String, String>,
    /// SPDX licence id of this record.
    pub licence: String,
    pub source: SourceView,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// When the owner last confirmed the listing is still correct (answering a reminder), or
    /// when it was last changed, whichever is later.
    pub last_verified_at: DateTime<Utc>,
    /// Increases with every change; quote it in `If-Match` when editing.
    pub version: i32,
    /// Distance from `near`, in kilometres, when the query had one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub distance_km: Option<f64>,
    /// With `q`: what matched.
    #[serde(rename = "_matches", skip_serializing_if = "Option::is_none")]
    pub matches: Option<MatchesView>,
}

/// Where a text query matched an actor, for highlighting.
#[derive(Debug, Serialize, ToSchema)]
pub struct MatchesView {
    /// Where the words were found: `name`, `categories`, `tags`, `place` (city, region,
    /// postcode), `description` (summary or description).
    #[schema(example = json!(["name", "categories"]))]
    pub fields: Vec<String>,
    /// The actor's category ids whose labels, or their parent category's, matched (in any
    /// language): "circular economy" matches an actor in `zero-waste`.
    pub categories: Vec<String>,
    /// An extract of the summary or description around the match: HTML-escaped text with the
    /// matched words wrapped in `<mark>`…`</mark>` (safe to insert as HTML); absent when no
    /// word of the texts can be marked (matched only through another language's stemming).
    /// PostgreSQL only.
    #[schema(example = "…a <mark>repair</mark> café every first Saturday…")]
    pub snippet: Option<String>,
}

impl ActorResponse {
    pub fn new(actor: &Actor, wanted: &Wanted, distance_km: Option<f64>) -> ActorResponse {
        let p = &actor.profile;
        ActorResponse {
            id: actor.id.0,
            slug: actor.slug.as_str().to_owned(),
            name: p.name.clone(),
            alt_names: p.alt_names.clone(),
            summary: wanted.text(&p.summary),
            description: wanted.text(&p.description),
            kind: p.kind.as_str().to_owned(),
            categories: p.categories.iter().map(|c| c.as_str().to_owned()).collect(),
            tags: p.tags.clone(),
            languages: p.languages.iter().map(|l| l.as_str().to_owned()).collect(),
            country: p.address.country.map(|c| c.as_str().to_owned()),
            region: p.address.region.clone(),
            city: p.address.city.clone(),
            postcode: p.address.postcode.clone(),
            street: p.address.street.clone(),
            location: LocationView {
                lat: p.location.lat,
                lon: p.location.lon,
                precision: p.location.precision.as_str().to_owned(),
            },
            website: p.website.as_ref().map(|w| w.as_str().to_owned()),
            links: p
                .links
                .iter()
                .map(|l| LinkView {
                    kind: l.kind.clone(),
                    url: l.url.as_str().to_owned(),
                })
                .collect(),
            founded_year: p.founded_year,
            identifiers: p.identifiers.clone(),
            licence: p.licence.clone(),
            source: SourceView {
                kind: p.source.kind.as_str().to_owned(),
                name: p.source.name.clone(),
            },
            created_at: actor.created_at,
            updated_at: actor.updated_at,
            last_verified_at: actor.last_verified_at.max(actor.updated_at),
            version: actor.version,
            distance_km: distance_km.map(|d| (d * 1000.0).round() / 1000.0),
            matches: None,
        }
    }

    pub fn with_matches(mut self, matches: Option<SearchMatches>) -> ActorResponse {
        self.matches = matches.map(|m| MatchesView {
            fields: m.fields,
            categories: m.categories,
            snippet: m.snippet,
        });
        self
    }
}

/// A page of actors.
#[derive(Debug, Serialize, ToSchema)]
pub struct ActorPageResponse {
    pub items: Vec<ActorResponse>,
    /// Pass as `cursor` to get the next page; absent on the last page.
    pub next_cursor: Option<String>,
    /// How many actors match the query in all pages; an estimate when `total_estimated`.
    pub total: u64,
    /// Whether `total` is an estimate: for a text query matching thousands of actors (counting
    /// them all would cost more than the page), or when Meilisearch answered. The last page
    /// of a query always has the exact count.
    pub total_estimated: bool,
    /// With `q`: true when no actor matched every word (with the other filters), so the
    /// page holds the actors matching all the words but one or two (places are dropped
    /// last), or else any word, best first (as "results for some of your words"). Absent
    /// otherwise. Through Meilisearch: words dropped from the end, when no actor has them all.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub relaxed: bool,
    /// With `q`: the backend that answered, `postgres` or `meilisearch`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub search_backend: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PointGeometry {
    /// Always `Point`.
    #[serde(rename = "type")]
    pub geometry_type: &'static str,
    /// `[lon, lat]` in WGS 84.
    pub coordinates: [f64; 2],
}

/// An actor as a GeoJSON Feature (RFC 7946); `properties` holds the actor's fields.
#[derive(Debug, Serialize, ToSchema)]
pub struct ActorFeature {
    /// Always `Feature`.
    #[serde(rename = "type")]
    pub feature_type: &'static str,
    pub id: Uuid,
    pub geometry: PointGeometry,
    pub properties: ActorResponse,
}

impl ActorFeature {
    pub fn new(actor: ActorResponse) -> ActorFeature {
        ActorFeature {
            feature_type: "Feature",
            id: actor.id,
            geometry: PointGeometry {
                geometry_type: "Point",
                coordinates: [actor.location.lon, actor.location.lat],
            },
            properties: actor,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct LinkObject {
    pub href: String,
    pub rel: String,
    #[serde(rename = "type")]
    pub media_type: String,
}

/// A page of actors as a GeoJSON FeatureCollection, with OGC API style counts and links.
#[derive(Debug, Serialize, ToSchema)]
pub struct ActorFeatureCollection {
    /// Always `FeatureCollection`.
    #[serde(rename = "type")]
    pub collection_type: &'static str,
    pub features: Vec<ActorFeature>,
    /// How many features match, in all pages; absent when only an estimate is known (see
    /// `total`).
    #[serde(rename = "numberMatched", skip_serializing_if = "Option::is_none")]
    pub number_matched: Option<u64>,
    /// As in the JSON page: how many actors match, and whether that is an estimate.
    pub total: u64,
    pub total_estimated: bool,
    #[serde(rename = "numberReturned")]
    pub number_returned: usize,
    /// `next` when there is another page.
    pub links: Vec<LinkObject>,
    pub next_cursor: Option<String>,
    /// With `q`: true when no actor matched every word (with the other filters), so the
    /// page holds the actors matching all the words but one or two (places are dropped
    /// last), or else any word, best first (as "results for some of your words"). Absent
    /// otherwise. Through Meilisearch: words dropped from the end, when no actor has them all.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub relaxed: bool,
    /// With `q`: the backend that answered, `postgres` or `meilisearch`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub search_backend: Option<String>,
}

/// A category with its label in the reader's language.
#[derive(Debug, Serialize, ToSchema)]
pub struct CategoryResponse {
    pub id: String,
    /// The parent category id, for nested categories.
    pub parent: Option<String>,
    pub label: String,
    /// The language of `label` (requested → English → any).
    pub label_lang: String,
    /// Every translation of the label.
    #[schema(value_type = BTreeMap<String, String>)]
    pub labels: BTreeMap<String, String>,
}

impl CategoryResponse {
    pub fn new(category: &Category, wanted: &Wanted) -> CategoryResponse {
        let (label, label_lang) = wanted.label(&category.labels);
        CategoryResponse {
            id: category.id.as_str().to_owned(),
            parent: category.parent.as_ref().map(|p| p.as_str().to_owned()),
            label,
            label_lang,
            labels: category
                .labels
                .0
                .iter()
                .map(|(l, t)| (l.to_string(), t.clone()))
                .collect(),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CategoryListResponse {
    pub items: Vec<CategoryResponse>,
}
