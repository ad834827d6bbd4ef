//! How a reader asks for actors: a viewport, a point and radius, filters, an order and a page.

use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::actor::{Actor, ActorId, ActorKind};
use crate::category::CategoryId;
use crate::country::CountryCode;
use crate::text::Lang;
use crate::validation::FieldError;

pub const DEFAULT_LIMIT: u32 = 50;
pub const MAX_LIMIT: u32 = 1000;
pub const DEFAULT_RADIUS_KM: f64 = 25.0;
/// Half the Earth's circumference: every point is within this distance.
pub const MAX_RADIUS_KM: f64 = 20_038.0;

/// `minLon,minLat,maxLon,maxLat` in WGS 84. `min_lon > max_lon` crosses the antimeridian.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct BoundingBox {
    pub min_lon: f64,
    pub min_lat: f64,
    pub max_lon: f64,
    pub max_lat: f64,
}

impl BoundingBox {
    pub fn parse(field: &str, input: &str) -> Result<BoundingBox, FieldError> {
        let invalid = |message: &str| FieldError::new(field, "invalid_bbox", message.to_owned());
        let numbers: Vec<f64> = input
            .split(',')
            .map(|part| part.trim().parse::<f64>())
            .collect::<Result<_, _>>()
            .map_err(|_| invalid("expected four numbers: minLon,minLat,maxLon,maxLat"))?;
        let [min_lon, min_lat, max_lon, max_lat] = numbers[..] else {
            return Err(invalid(
                "expected four numbers: minLon,minLat,maxLon,maxLat",
            ));
        };
        if numbers.iter().any(|n| !n.is_finite()) {
            return Err(invalid("coordinates must be finite numbers"));
        }
        if !(-180.0..=180.0).contains(&min_lon) || !(-180.0..=180.0).contains(&max_lon) {
            return Err(invalid(
                "longitudes must be between -180 and 180 (longitude comes first)",
            ));
        }
        if !(-90.0..=90.0).contains(&min_lat) || !(-90.0..=90.0).contains(&max_lat) {
            return Err(invalid(
                "latitudes must be between -90 and 90 (longitude comes first)",
            ));
        }
        if min_lat > max_lat {
            return Err(invalid("minLat is greater than maxLat"));
        }
        Ok(BoundingBox {
            min_lon,
            min_lat,
            max_lon,
            max_lat,
        })
    }

    pub fn crosses_antimeridian(&self) -> bool {
        self.min_lon > self.max_lon
    }

    /// The box as one or two boxes that do not cross the antimeridian.
    pub fn split_at_antimeridian(&self) -> Vec<BoundingBox> {
        if self.crosses_antimeridian() {
            vec![
                BoundingBox {
                    max_lon: 180.0,
                    ..*self
                },
                BoundingBox {
                    min_lon: -180.0,
                    ..*self
                },
            ]
        } else {
            vec![*self]
        }
    }

    pub fn contains(&self, lon: f64, lat: f64) -> bool {
        (self.min_lat..=self.max_lat).contains(&lat)
            && self
                .split_at_antimeridian()
                .iter()
                .any(|b| (b.min_lon..=b.max_lon).contains(&lon))
    }
}

/// "Around me": a point (given latitude first, like a map pin) and a radius.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Near {
    pub lat: f64,
    pub lon: f64,
    pub radius_km: f64,
}

impl Near {
    pub fn parse(near: &str, radius_km: Option<&str>) -> Result<Near, Vec<FieldError>> {
        let mut errors = Vec::new();
        let point = match near
            .split(',')
            .map(|p| p.trim().parse::<f64>())
            .collect::<Result<Vec<_>, _>>()
        {
            Ok(numbers) if numbers.len() == 2 && numbers.iter().all(|n| n.is_finite()) => {
                let (lat, lon) = (numbers[0], numbers[1]);
                if !(-90.0..=90.0).contains(&lat) {
                    errors.push(FieldError::new(
                        "near",
                        "invalid_near",
                        "latitude must be between -90 and 90 (near is lat,lon)",
                    ));
                }
                if !(-180.0..=180.0).contains(&lon) {
                    errors.push(FieldError::new(
                        "near",
                        "invalid_near",
                        "longitude must be between -180 and 180 (near is lat,lon)",
                    ));
                }
                Some((lat, lon))
            }
            _ => {
                errors.push(FieldError::new(
                    "near",
                    "invalid_near",
                    "expected two numbers: lat,lon",
                ));
                None
            }
        };
        let radius_km = match radius_km {
            None => Some(DEFAULT_RADIUS_KM),
            Some(raw) => {
                match raw.trim().parse::<f64>() {
                    Ok(r) if r.is_finite() && r > 0.0 && r <= MAX_RADIUS_KM => Some(r),
                    _ => {
                        errors.push(FieldError::new(
                        "radius_km",
                        "invalid_radius",
                        format!("radius_km must be a number greater than 0 and at most {MAX_RADIUS_KM}"),
                    ));
                        None
                    }
                }
            }
        };
        match (point, radius_km) {
            (Some((lat, lon)), Some(radius_km)) if errors.is_empty() => Ok(Near {
                lat,
                lon,
                radius_km,
            }),
            _ => Err(errors),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SortOrder {
    /// Best match first; needs a text query.
    Relevance,
    Name,
    /// Nearest first; needs `near`.
    Distance,
    /// Most recently updated first.
    Updated,
}

impl SortOrder {
    pub fn as_str(self) -> &'static str {
        match self {
            SortOrder::Relevance => "relevance",
            SortOrder::Name => "name",
            SortOrder::Distance => "distance",
            SortOrder::Updated => "updated",
        }
    }
}

impl FromStr for SortOrder {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        [
            SortOrder::Relevance,
            SortOrder::Name,
            SortOrder::Distance,
            SortOrder::Updated,
        ]
        .into_iter()
        .find(|o| o.as_str() == s)
        .ok_or_else(|| format!("`{s}` is not one of relevance, name, distance, updated"))
    }
}

impl fmt::Display for SortOrder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Where the previous page stopped, in the terms of its sort order (keyset pagination: pages
/// stay stable while actors are added, and deep pages cost no more than the first).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "s")]
pub enum PageCursor {
    #[serde(rename = "n")]
    Name { k: String, id: ActorId },
    #[serde(rename = "u")]
    Updated { at: DateTime<Utc>, id: ActorId },
    #[serde(rename = "d")]
    Distance { km: f64, id: ActorId },
    /// Relevance has no stable key (scores change as the index learns words), so its pages
    /// are counted: how many results came before.
    #[serde(rename = "r")]
    Rank { offset: u32 },
}

impl PageCursor {
    pub fn sort(&self) -> SortOrder {
        match self {
            PageCursor::Name { .. } => SortOrder::Name,
            PageCursor::Updated { .. } => SortOrder::Updated,
            PageCursor::Distance { .. } => SortOrder::Distance,
            PageCursor::Rank { .. } => SortOrder::Relevance,
        }
    }
}

/// A request for a page of published actors. All filters combine with AND; the values of one
/// repeated filter (several categories, say) combine with OR.
#[derive(Debug, Clone, PartialEq)]
pub struct ActorQuery {
    /// What the reader typed, when searching.
    pub text: Option<SearchText>,
    pub bbox: Option<BoundingBox>,
    pub near: Option<Near>,
    pub categories: Vec<CategoryId>,
    pub kinds: Vec<ActorKind>,
    pub countries: Vec<CountryCode>,
    pub languages: Vec<Lang>,
    pub tags: Vec<String>,
    pub updated_since: Option<DateTime<Utc>>,
    /// Only actors changed at or before this time (the end of an OGC `datetime` interval).
    pub updated_until: Option<DateTime<Utc>>,
    pub sort: SortOrder,
    pub limit: u32,
    pub after: Option<PageCursor>,
}

impl Default for ActorQuery {
    fn default() -> Self {
        ActorQuery {
            text: None,
            bbox: None,
            near: None,
            categories: Vec::new(),
            kinds: Vec::new(),
            countries: Vec::new(),
            languages: Vec::new(),
            tags: Vec::new(),
            updated_since: None,
            updated_until: None,
            sort: SortOrder::Name,
            limit: DEFAULT_LIMIT,
            after: None,
        }
    }
}

impl ActorQuery {
    /// Whether anything narrows the set beyond "published", text aside: a place (bbox, near)
    /// or a filter (categories, kinds, countries, languages, tags, time).
    pub fn has_filters(&self) -> bool {
        self.bbox.is_some()
            || self.near.is_some()
            || !self.categories.is_empty()
            || !self.kinds.is_empty()
            || !self.countries.is_empty()
            || !self.languages.is_empty()
            || !self.tags.is_empty()
            || self.updated_since.is_some()
            || self.updated_until.is_some()
    }

    /// Checks the combination of parameters makes sense.
    pub fn check(&self) -> Result<(), Vec<FieldError>> {
        let mut errors = Vec::new();
        if self.sort == SortOrder::Distance && self.near.is_none() {
            errors.push(FieldError::new(
                "sort",
                "invalid_sort",
                "sort=distance needs near=lat,lon",
            ));
        }
        if self.sort == SortOrder::Relevance && self.text.is_none() {
            errors.push(FieldError::new(
                "sort",
                "invalid_sort",
                "sort=relevance needs a text query",
            ));
        }
        if let Some(cursor) = &self.after {
            if cursor.sort() != self.sort {
                errors.push(FieldError::new(
                    "cursor",
                    "invalid_cursor",
                    "the cursor belongs to another sort order",
                ));
            }
        }
        if errors.is_empty() {
            Ok(())
        } else {
            Err(errors)
        }
    }

    pub fn parse_limit(raw: &str) -> Result<u32, FieldError> {
        match raw.trim().parse::<u32>() {
            Ok(limit) if (1..=MAX_LIMIT).contains(&limit) => Ok(limit),
            _ => Err(FieldError::new(
                "limit",
                "invalid_limit",
                format!("limit must be a whole number from 1 to {MAX_LIMIT}"),
            )),
        }
    }
}

/// The most a search text may hold: longer input is a mistake (or an attack), not a query.
pub const MAX_SEARCH_TEXT_CHARS: usize = 200;

/// What a reader typed into a search box, cleaned: control characters become spaces, the
/// ends are trimmed. Never empty. Any other character is allowed; backends treat it as text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SearchText(String);

impl SearchText {
    /// `Ok(None)` when nothing is left to search for (an empty box means "no text filter").
    pub fn parse(field: &str, raw: &str) -> Result<Option<SearchText>, FieldError> {
        let cleaned: String = raw
            .chars()
            .map(|c| if c.is_control() { ' ' } else { c })
            .collect();
        let trimmed = cleaned.trim();
        if trimmed.chars().count() > MAX_SEARCH_TEXT_CHARS {
            return Err(FieldError::new(
                field,
                "invalid_query",
                format!("the search text may hold at most {MAX_SEARCH_TEXT_CHARS} characters"),
            ));
        }
        Ok((!trimmed.is_empty()).then(|| SearchText(trimmed.to_owned())))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Which parts of an actor a text query matched, for highlighting.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct SearchMatches {
    /// `name`, `categories`, `tags`, `place`, `description`: where the words were found.
    pub fields: Vec<String>,
    /// The actor's categories whose labels, or their parent's, matched.
    pub categories: Vec<String>,
    /// An extract of the summary or description around the match, HTML-escaped, with the
    /// matched words in `<mark>`…`</mark>`.
    pub snippet: Option<String>,
}

/// One actor in a result list, with its distance when the query had a point, and what matched
/// when it had a text.
#[derive(Debug, Clone, PartialEq)]
pub struct ListedActor {
    pub actor: Actor,
    pub distance_km: Option<f64>,
    pub matches: Option<SearchMatches>,
}

/// A page of results and where the next one starts.
#[derive(Debug, Clone, PartialEq)]
pub struct ActorPage {
    pub items: Vec<ListedActor>,
    pub next: Option<PageCursor>,
    pub total: u64,
    /// Whether `total` is an estimate (a broad text query, or Meilisearch's count).
    pub total_estimated: bool,
    /// No actor matched every word of the text (with the filters), so the page holds those
    /// matching all the words but one or two (places last), or else any word, best first.
    /// Through Meilisearch: words dropped from the end, when no document has them all.
    pub relaxed: bool,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn filters_are_what_narrows_the_published_set_besides_text() {
        let plain = ActorQuery {
            sort: SortOrder::Updated,
            limit: 10,
            ..ActorQuery::default()
        };
        assert!(!plain.has_filters(), "order and page size filter nothing");
        let tagged = ActorQuery {
            tags: vec!["repair".to_owned()],
            ..ActorQuery::default()
        };
        assert!(tagged.has_filters());
        let boxed = ActorQuery {
            bbox: Some(BoundingBox::parse("bbox", "16.2,48.1,16.5,48.3").expect("valid")),
            ..ActorQuery::default()
        };
        assert!(boxed.has_filters());
    }

    #[test]
    fn a_bbox_is_longitude_first() {
        let bbox = BoundingBox::parse("bbox", "16.2,48.1,16.5,48.3").expect("valid");
        assert_eq!(
            bbox,
            BoundingBox {
                min_lon: 16.2,
                min_lat: 48.1,
                max_lon: 16.5,
                max_lat: 48.3
            }
        );
        assert!(bbox.contains(16.37, 48.2));
        assert!(!bbox.contains(48.2, 16.37));
    }

    #[test]
    fn bad_bboxes_are_refused() {
        for bad in [
            "",
            "1,2,3",
            "1,2,3,4,5",
            "a,b,c,d",
            "0,91,1,92",
            "0,10,1,5",
            "181,0,182,1",
            "NaN,0,1,1",
            "inf,0,1,1",
        ] {
            let error = BoundingBox::parse("bbox", bad).expect_err(bad);
            assert_eq!(
                (error.field.as_str(), error.code),
                ("bbox", "invalid_bbox"),
                "{bad}"
            );
        }
    }

    #[test]
    fn a_bbox_across_the_antimeridian_is_split_in_two() {
        let bbox = BoundingBox::parse("bbox", "170,-20,-170,-10").expect("valid");
        assert!(bbox.crosses_antimeridian());
        assert_eq!(bbox.split_at_antimeridian().len(), 2);
        assert!(bbox.contains(179.0, -15.0));
        assert!(bbox.contains(-179.0, -15.0));
        assert!(!bbox.contains(0.0, -15.0));
    }

    #[test]
    fn near_is_latitude_first_with_a_positive_radius() {
        let near = Near::parse("48.2,16.37", Some("5")).expect("valid");
        assert_eq!((near.lat, near.lon, near.radius_km), (48.2, 16.37, 5.0));
        assert_eq!(
            Near::parse("48.2,16.37", None).expect("default").radius_km,
            DEFAULT_RADIUS_KM
        );
        assert!(Near::parse("91,0", None).is_err());
        assert!(Near::parse("1", None).is_err());
        let errors = Near::parse("48,16", Some("-1")).expect_err("negative radius");
        assert_eq!(errors[0].field, "radius_km");
    }

    #[test]
    fn limits_are_bounded() {
        assert_eq!(ActorQuery::parse_limit("50"), Ok(50));
        assert!(ActorQuery::parse_limit("0").is_err());
        assert!(ActorQuery::parse_limit("100000").is_err());
        assert!(ActorQuery::parse_limit("ten").is_err());
    }

    #[test]
    fn search_text_is_cleaned_and_bounded() {
        assert_eq!(
            SearchText::parse("q", "  \t ").expect("blank is fine"),
            None
        );
        let text = SearchText::parse("q", " repair\u{0}café\n").expect("valid");
        assert_eq!(text.map(|t| t.0), Some("repair café".to_owned()));
        assert!(SearchText::parse("q", &"x".repeat(10_000)).is_err());
        let query = ActorQuery {
            sort: SortOrder::Relevance,
            ..ActorQuery::default()
        };
        assert!(query.check().is_err(), "relevance needs a text");
    }

    #[test]
    fn distance_sort_needs_a_point() {
        let query = ActorQuery {
            sort: SortOrder::Distance,
            ..ActorQuery::default()
        };
        assert!(query.check().is_err());
    }
}
