//! The document an external index holds for an actor: public fields only, plus what search
//! needs to match and filter (category labels in every language, parents of categories).

use std::collections::{BTreeMap, BTreeSet};

use atlas_domain::country::names_for_search;
use atlas_domain::text::latin_spelling;
use atlas_domain::{Actor, Taxonomy};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GeoPoint {
    pub lat: f64,
    pub lng: f64,
}

/// An actor as Meilisearch stores it. Built from the domain `Actor`, which holds no contact
/// details, and from the taxonomy; nothing private has a field here.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SearchDocument {
    pub id: String,
    pub name: String,
    /// Other names, and every name written in Greek or Cyrillic letters also in Latin ones.
    pub alt_names: Vec<String>,
    /// Labels of the actor's categories and their parents, in every language.
    pub category_labels: Vec<String>,
    /// The words of those labels as PostgreSQL stems them (`Store::category_stems`):
    /// Meilisearch does not stem, so "food bank" finds "Food banks & social supermarkets"
    /// through "bank".
    pub category_stems: Vec<String>,
    /// Tags with `_` as spaces, and the kind unless it is `other`.
    pub tags: Vec<String>,
    pub city: Option<String>,
    pub region: Option<String>,
    /// The city and region in Latin letters, when written in Greek or Cyrillic ones.
    pub place_spellings: Vec<String>,
    /// The names of the actor's country in every language known (as PostgreSQL matches them,
    /// migration 000260): "Austria", "Österreich", "Autriche" find the actors in Austria.
    pub country_names: Vec<String>,
    /// Summaries and descriptions in every language.
    pub texts: Vec<String>,
    /// The actor's categories and their parents (the `category` filter includes children).
    pub categories: Vec<String>,
    pub kind: String,
    pub country: Option<String>,
    pub languages: Vec<String>,
    /// Raw tags, for the `tag` filter.
    pub tag_ids: Vec<String>,
    pub sort_name: String,
    /// Unix seconds, for `updated_since`.
    pub updated_at: i64,
    #[serde(rename = "_geo")]
    pub geo: GeoPoint,
}

impl SearchDocument {
    pub fn new(
        actor: &Actor,
        taxonomy: &Taxonomy,
        category_stems: &BTreeMap<String, Vec<String>>,
    ) -> SearchDocument {
        let p = &actor.profile;
        let mut categories: Vec<String> = Vec::new();
        for id in &p.categories {
            let mut next = taxonomy.categories.iter().find(|c| &c.id == id);
            while let Some(category) = next {
                if !categories.iter().any(|c| c == category.id.as_str()) {
                    categories.push(category.id.as_str().to_owned());
                }
                next = category
                    .parent
                    .as_ref()
                    .and_then(|parent| taxonomy.categories.iter().find(|c| &c.id == parent));
            }
        }
        let category_labels = taxonomy
            .categories
            .iter()
            .filter(|c| categories.iter().any(|id| id == c.id.as_str()))
            .flat_map(|c| c.labels.0.values().cloned())
            .collect();
        let stems: BTreeSet<&String> = categories
            .iter()
            .filter_map(|id| category_stems.get(id))
            .flatten()
            .collect();
        let mut tags: Vec<String> = p.tags.iter().map(|t| t.replace('_', " ")).collect();
        if p.kind.as_str() != "other" {
            tags.push(p.kind.as_str().replace('_', " "));
        }
        // Typed on a Latin keyboard, "Μεσοποταμία" is "mesopotamia" (as in PostgreSQL's
        // search documents, migration 000220).
        let names: Vec<&String> = std::iter::once(&p.name).chain(&p.alt_names).collect();
        SearchDocument {
            id: actor.id.0.to_string(),
            name: p.name.clone(),
            alt_names: p
                .alt_names
                .iter()
                .cloned()
                .chain(names.iter().filter_map(|n| latin_spelling(n)))
                .collect(),
            category_labels,
            category_stems: stems.into_iter().cloned().collect(),
            tags,
            city: p.address.city.clone(),
            region: p.address.region.clone(),
            place_spellings: [&p.address.city, &p.address.region]
                .into_iter()
                .flatten()
                .filter_map(|place| latin_spelling(place))
                .collect(),
            texts: p
                .summary
                .0
                .values()
                .chain(p.description.0.values())
                .cloned()
                .collect(),
            country_names: p
                .address
                .country
                .map(|country| {
                    names_for_search()
                        .filter(|(code, _)| *code == country)
                        .map(|(_, name)| name.to_owned())
                        .collect()
                })
                .unwrap_or_default(),
            categories,
            kind: p.kind.as_str().to_owned(),
            country: p.address.country.map(|c| c.as_str().to_owned()),
            languages: p.languages.iter().map(|l| l.as_str().to_owned()).collect(),
            tag_ids: p.tags.clone(),
            sort_name: atlas_domain::text::sort_key(&p.name),
            updated_at: actor.updated_at.timestamp(),
            geo: GeoPoint {
                lat: p.location.lat,
                lng: p.location.lon,
            },
        }
    }
}
