//! The actor: an organisation on the map. Its public profile and its private contact details
//! are separate types, so a public view cannot carry a contact by accident.

use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, Datelike, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::category::{CategoryId, Taxonomy};
use crate::country::{self, CountryCode};
use crate::review::ReviewStatus;
use crate::text::{Lang, LangText};
use crate::validation::{FieldError, ValidationErrors};
use crate::website::{Website, WebsiteFix};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct ActorId(pub Uuid);

impl ActorId {
    pub fn new() -> ActorId {
        ActorId(Uuid::new_v4())
    }

    /// The same id every time for the same record of the same source, so imports are idempotent.
    pub fn for_external(source: &str, external_id: &str) -> ActorId {
        ActorId(Uuid::new_v5(
            &Uuid::NAMESPACE_URL,
            format!("atlas:{source}:{external_id}").as_bytes(),
        ))
    }
}

impl Default for ActorId {
    fn default() -> Self {
        ActorId::new()
    }
}

impl fmt::Display for ActorId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

/// A human-readable, unique handle: `bulgarian-food-bank`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Slug(String);

impl Slug {
    /// Derives a slug from a name: lowercase letters and digits (any script) joined by hyphens.
    pub fn from_name(name: &str) -> Slug {
        let folded = crate::country::fold(name);
        let mut slug = String::with_capacity(folded.len());
        for word in folded
            .split(|c: char| !c.is_alphanumeric())
            .filter(|w| !w.is_empty())
        {
            if !slug.is_empty() {
                slug.push('-');
            }
            slug.push_str(word);
            if slug.chars().count() > 80 {
                break;
            }
        }
        if slug.is_empty() {
            slug.push_str("actor");
        }
        Slug(slug)
    }

    /// Makes the slug unique by appending a short, stable suffix taken from the id.
    pub fn with_suffix(&self, id: ActorId) -> Slug {
        let suffix: String = id.0.simple().to_string().chars().take(6).collect();
        Slug(format!("{}-{suffix}", self.0))
    }

    pub fn from_trusted(value: String) -> Slug {
        Slug(value)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// How a reader names an actor in a URL: by id or by slug.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ActorRef {
    Id(ActorId),
    Slug(String),
}

impl ActorRef {
    pub fn parse(input: &str) -> ActorRef {
        match Uuid::parse_str(input) {
            Ok(id) => ActorRef::Id(ActorId(id)),
            Err(_) => ActorRef::Slug(input.to_lowercase()),
        }
    }
}

macro_rules! string_enum {
    ($(#[$meta:meta])* $name:ident { $($variant:ident => $text:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(rename_all = "snake_case")]
        pub enum $name { $($variant),+ }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];
            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text),+ }
            }
        }

        impl FromStr for $name {
            type Err = String;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                $name::ALL.iter().copied().find(|v| v.as_str() == s).ok_or_else(|| {
                    let names: Vec<&str> = $name::ALL.iter().map(|v| v.as_str()).collect();
                    format!("`{s}` is not one of {}", names.join(", "))
                })
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

string_enum! {
    /// What kind of organisation an actor is.
    ActorKind {
        Association => "association",
        Cooperative => "cooperative",
        Foundation => "foundation",
        SocialEnterprise => "social_enterprise",
        Company => "company",
        PublicBody => "public_body",
        Network => "network",
        InformalGroup => "informal_group",
        Other => "other",
    }
}

string_enum! {
    /// How precisely the point locates the actor: its address, or only its town.
    LocationPrecision {
        Exact => "exact",
        City => "city",
    }
}

string_enum! {
    /// Where a listing came from.
    SourceKind {
        Submitted => "submitted",
        Imported => "imported",
        Curated => "curated",
    }
}

/// A WGS 84 point.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Location {
    pub lat: f64,
    pub lon: f64,
    pub precision: LocationPrecision,
}

impl Location {
    pub fn parse(
        lat: f64,
        lon: f64,
        precision: LocationPrecision,
    ) -> Result<Location, ValidationErrors> {
        let mut errors = ValidationErrors::default();
        if !lat.is_finite() || !(-90.0..=90.0).contains(&lat) {
            errors.push(
                "location.lat",
                "out_of_range",
                "latitude must be between -90 and 90",
            );
        }
        if !lon.is_finite() || !(-180.0..=180.0).contains(&lon) {
            errors.push(
                "location.lon",
                "out_of_range",
                "longitude must be between -180 and 180",
            );
        }
        errors.into_result(|| Location {
            lat,
            lon,
            precision,
        })
    }

    /// The same place with latitude and longitude exchanged, for sources that mixed them up.
    pub fn swapped(&self) -> Option<Location> {
        Location::parse(self.lon, self.lat, self.precision).ok()
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Address {
    pub country: Option<CountryCode>,
    pub region: Option<String>,
    pub city: Option<String>,
    pub postcode: Option<String>,
    pub street: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Link {
    pub kind: String,
    pub url: Website,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Source {
    pub kind: SourceKind,
    pub name: Option<String>,
}

/// Everything about an actor that may be published.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ActorProfile {
    pub name: String,
    pub alt_names: Vec<String>,
    pub summary: LangText,
    pub description: LangText,
    pub kind: ActorKind,
    pub categories: Vec<CategoryId>,
    pub tags: Vec<String>,
    pub languages: Vec<Lang>,
    pub address: Address,
    pub location: Location,
    pub website: Option<Website>,
    pub links: Vec<Link>,
    pub founded_year: Option<i16>,
    pub identifiers: BTreeMap<String, String>,
    pub licence: String,
    pub source: Source,
}

/// How to reach the organisation. Private: shown to moderators and the owner only, never in a
/// public response, search index, export or change feed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ContactDetails {
    pub email: Option<String>,
    pub phone: Option<String>,
}

/// A stored actor as the public may see it (when published).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Actor {
    pub id: ActorId,
    pub slug: Slug,
    pub status: ReviewStatus,
    pub version: i32,
    pub profile: ActorProfile,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// When the owner last confirmed the listing is still correct (not a content change).
    pub last_verified_at: DateTime<Utc>,
}

/// An actor as someone typed it: every field optional and unchecked.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ActorDraft {
    pub name: Option<String>,
    pub alt_names: Vec<String>,
    pub summary: BTreeMap<String, String>,
    pub description: BTreeMap<String, String>,
    pub kind: Option<String>,
    pub categories: Vec<String>,
    pub tags: Vec<String>,
    pub languages: Vec<String>,
    pub country: Option<String>,
    pub region: Option<String>,
    pub city: Option<String>,
    pub postcode: Option<String>,
    pub street: Option<String>,
    pub lat: Option<f64>,
    pub lon: Option<f64>,
    pub precision: Option<String>,
    pub website: Option<String>,
    pub links: Vec<(String, String)>,
    pub founded_year: Option<i64>,
    pub identifiers: BTreeMap<String, String>,
    pub contact_email: Option<String>,
    pub contact_phone: Option<String>,
}

/// How strictly to treat a draft. A partner gets every problem back to fix; an import of open
/// data keeps a record and repairs or drops what it can, reporting each change as a [`Fix`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Strictness {
    Submission,
    Import,
}

/// A change made to an input to make it valid, reported back to whoever sent it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "fix", rename_all = "snake_case")]
pub enum Fix {
    CountryNormalised { from: String, to: CountryCode },
    CountryDropped { from: String },
    CountryFromLocation { to: CountryCode },
    CoordinatesSwapped,
    WebsiteSchemeAdded,
    WebsiteDropped { from: String, reason: String },
    FieldDropped { field: String, reason: String },
}

/// A draft that passed validation, with its private part kept apart.
#[derive(Debug, Clone, PartialEq)]
pub struct ValidActor {
    pub profile: ActorProfile,
    pub contact: ContactDetails,
    pub fixes: Vec<Fix>,
}

pub const MAX_NAME_CHARS: usize = 200;
const MAX_SUMMARY_CHARS: usize = 500;
const MAX_DESCRIPTION_CHARS: usize = 10_000;
const MAX_SHORT_CHARS: usize = 200;
const MAX_TAG_CHARS: usize = 60;
const MAX_LIST: usize = 30;
const MAX_CATEGORIES: usize = 10;

impl ActorDraft {
    /// The draft an owner starts from when editing a stored actor: its current values, so a
    /// partial change can be applied and the whole re-checked.
    pub fn from_profile(profile: &ActorProfile, contact: &ContactDetails) -> ActorDraft {
        let texts = |text: &LangText| -> BTreeMap<String, String> {
            text.0
                .iter()
                .map(|(lang, value)| (lang.as_str().to_owned(), value.clone()))
                .collect()
        };
        ActorDraft {
            name: Some(profile.name.clone()),
            alt_names: profile.alt_names.clone(),
            summary: texts(&profile.summary),
            description: texts(&profile.description),
            kind: Some(profile.kind.as_str().to_owned()),
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
            lat: Some(profile.location.lat),
            lon: Some(profile.location.lon),
            precision: Some(profile.location.precision.as_str().to_owned()),
            website: profile.website.as_ref().map(|w| w.as_str().to_owned()),
            links: profile
                .links
                .iter()
                .map(|l| (l.kind.clone(), l.url.as_str().to_owned()))
                .collect(),
            founded_year: profile.founded_year.map(i64::from),
            identifiers: profile.identifiers.clone(),
            contact_email: contact.email.clone(),
            contact_phone: contact.phone.clone(),
        }
    }

    /// Checks every field and returns all errors at once, or the valid actor.
    pub fn parse(
        self,
        taxonomy: &Taxonomy,
        licence: &str,
        source: Source,
        strictness: Strictness,
    ) -> Result<ValidActor, ValidationErrors> {
        let mut errors = ValidationErrors::default();
        let mut fixes = Vec::new();
        let lenient = strictness == Strictness::Import;

        let name = match self.name.as_deref().map(str::trim) {
            None | Some("") => {
                errors.push("name", "required", "a name is required");
                None
            }
            Some(name) => errors.take(plain_text("name", name, MAX_NAME_CHARS, false)),
        };
        let alt_names = self
            .alt_names
            .iter()
            .enumerate()
            .filter_map(|(i, n)| {
                errors.take(plain_text(
                    &format!("alt_names[{i}]"),
                    n.trim(),
                    MAX_NAME_CHARS,
                    false,
                ))
            })
            .filter(|n| !n.is_empty())
            .collect();
        let summary = lang_text(
            &mut errors,
            &mut fixes,
            lenient,
            "summary",
            &self.summary,
            MAX_SUMMARY_CHARS,
        );
        let description = lang_text(
            &mut errors,
            &mut fixes,
            lenient,
            "description",
            &self.description,
            MAX_DESCRIPTION_CHARS,
        );

        let kind = match self.kind.as_deref() {
            None => ActorKind::Other,
            Some(kind) => errors
                .take(
                    kind.parse::<ActorKind>()
                        .map_err(|m| FieldError::new("kind", "invalid_kind", m)),
                )
                .unwrap_or(ActorKind::Other),
        };

        let mut categories: Vec<CategoryId> = Vec::new();
        for (i, raw) in self.categories.iter().enumerate() {
            let field = format!("categories[{i}]");
            if let Some(id) = errors.take(CategoryId::parse(&field, raw)) {
                if errors.take(taxonomy.check(&field, &id)).is_some() && !categories.contains(&id) {
                    categories.push(id);
                }
            }
        }
        if categories.len() > MAX_CATEGORIES {
            if lenient {
                fixes.push(Fix::FieldDropped {
                    field: format!("categories[{MAX_CATEGORIES}..]"),
                    reason: "too_many".into(),
                });
                categories.truncate(MAX_CATEGORIES);
            } else {
                errors.push(
                    "categories",
                    "too_many",
                    format!("at most {MAX_CATEGORIES} categories"),
                );
            }
        }

        let mut tags: Vec<String> = Vec::new();
        for (i, raw) in self.tags.iter().enumerate() {
            let tag = raw.trim().to_lowercase();
            if tag.is_empty() {
                continue;
            }
            if let Some(tag) = errors.take(plain_text(
                &format!("tags[{i}]"),
                &tag,
                MAX_TAG_CHARS,
                false,
            )) {
                if !tags.contains(&tag) {
                    tags.push(tag);
                }
            }
        }
        if tags.len() > MAX_LIST {
            errors.push("tags", "too_many", format!("at most {MAX_LIST} tags"));
        }

        let mut languages: Vec<Lang> = Vec::new();
        for (i, raw) in self.languages.iter().enumerate() {
            if let Some(lang) = errors.take(Lang::parse_field(&format!("languages[{i}]"), raw)) {
                if !languages.contains(&lang) {
                    languages.push(lang);
                }
            }
        }

        let country = match self
            .country
            .as_deref()
            .map(str::trim)
            .filter(|c| !c.is_empty())
        {
            None => None,
            Some(raw) => {
                match country::normalise(raw) {
                    Some(found) => {
                        if !found.exact {
                            fixes.push(Fix::CountryNormalised {
                                from: raw.to_owned(),
                                to: found.code,
                            });
                        }
                        Some(found.code)
                    }
                    None if lenient => {
                        fixes.push(Fix::CountryDropped {
                            from: raw.to_owned(),
                        });
                        None
                    }
                    None => {
                        errors.push("country", "invalid_country", format!("`{}` is not a country we know; use an ISO 3166-1 code such as `AT`", raw.chars().take(80).collect::<String>()));
                        None
                    }
                }
            }
        };
        let mut short = |field: &str, value: &Option<String>| -> Option<String> {
            let value = value.as_deref().map(str::trim).filter(|v| !v.is_empty())?;
            errors.take(plain_text(field, value, MAX_SHORT_CHARS, false))
        };
        let address = Address {
            country,
            region: short("region", &self.region),
            city: short("city", &self.city),
            postcode: short("postcode", &self.postcode),
            street: short("street", &self.street),
        };

        let precision = match self.precision.as_deref() {
            None => LocationPrecision::Exact,
            Some(p) => errors
                .take(
                    p.parse()
                        .map_err(|m| FieldError::new("location.precision", "invalid_precision", m)),
                )
                .unwrap_or(LocationPrecision::Exact),
        };
        let location = match (self.lat, self.lon) {
            (Some(lat), Some(lon)) => match Location::parse(lat, lon, precision) {
                Ok(location) => Some(location),
                Err(location_errors) => {
                    errors.0.extend(location_errors.0);
                    None
                }
            },
            (None, _) => {
                errors.push(
                    "location.lat",
                    "required",
                    "a location (lat and lon) is required",
                );
                None
            }
            (_, None) => {
                errors.push(
                    "location.lon",
                    "required",
                    "a location (lat and lon) is required",
                );
                None
            }
        };

        let website = match self
            .website
            .as_deref()
            .map(str::trim)
            .filter(|w| !w.is_empty())
        {
            None => None,
            Some(raw) => match Website::parse("website", raw) {
                Ok((site, fix)) => {
                    if fix == WebsiteFix::SchemeAdded {
                        fixes.push(Fix::WebsiteSchemeAdded);
                    }
                    Some(site)
                }
                Err(error) if lenient => {
                    fixes.push(Fix::WebsiteDropped {
                        from: raw.chars().take(80).collect(),
                        reason: error.code.to_owned(),
                    });
                    None
                }
                Err(error) => {
                    errors.0.push(error);
                    None
                }
            },
        };

        let mut links = Vec::new();
        for (i, (kind, url)) in self.links.iter().enumerate() {
            let kind = kind.trim().to_lowercase();
            if kind.is_empty()
                || kind.len() > 32
                || !kind.chars().all(|c| c.is_ascii_lowercase() || c == '_')
            {
                errors.push(
                    format!("links[{i}].kind"),
                    "invalid_link_kind",
                    "a link kind is a short lowercase word such as `mastodon`",
                );
            }
            match Website::parse(&format!("links[{i}].url"), url) {
                Ok((url, _)) => links.push(Link { kind, url }),
                Err(error) if lenient => fixes.push(Fix::FieldDropped {
                    field: format!("links[{i}]"),
                    reason: error.code.to_owned(),
                }),
                Err(error) => errors.0.push(error),
            }
        }

        let this_year = i64::from(Utc::now().year());
        let founded_year = match self.founded_year {
            None => None,
            Some(year) if (1000..=this_year).contains(&year) => i16::try_from(year).ok(),
            Some(_) => {
                errors.push(
                    "founded_year",
                    "out_of_range",
                    format!("a founding year between 1000 and {this_year}"),
                );
                None
            }
        };

        let mut identifiers = BTreeMap::new();
        for (key, value) in &self.identifiers {
            let field = format!("identifiers.{key}");
            let key_ok = !key.is_empty()
                && key.len() <= 32
                && key.chars().all(|c| c.is_ascii_lowercase() || c == '_');
            if !key_ok {
                errors.push(
                    &field,
                    "invalid_identifier",
                    "identifier names are short lowercase words such as `wikidata`",
                );
            } else if let Some(value) =
                errors.take(plain_text(&field, value.trim(), MAX_SHORT_CHARS, false))
            {
                identifiers.insert(key.clone(), value);
            }
        }

        let contact = ContactDetails {
            email: match self
                .contact_email
                .as_deref()
                .map(str::trim)
                .filter(|e| !e.is_empty())
            {
                None => None,
                Some(raw) => match parse_email("contact_email", raw) {
                    Ok(email) => Some(email),
                    Err(error) if lenient => {
                        fixes.push(Fix::FieldDropped {
                            field: "contact_email".into(),
                            reason: error.code.into(),
                        });
                        None
                    }
                    Err(error) => {
                        errors.0.push(error);
                        None
                    }
                },
            },
            phone: match self
                .contact_phone
                .as_deref()
                .map(str::trim)
                .filter(|p| !p.is_empty())
            {
                None => None,
                Some(raw) => match parse_phone("contact_phone", raw) {
                    Ok(phone) => Some(phone),
                    Err(error) if lenient => {
                        fixes.push(Fix::FieldDropped {
                            field: "contact_phone".into(),
                            reason: error.code.into(),
                        });
                        None
                    }
                    Err(error) => {
                        errors.0.push(error);
                        None
                    }
                },
            },
        };

        let (Some(name), Some(location)) = (name, location) else {
            return Err(errors);
        };
        errors.into_result(|| ValidActor {
            profile: ActorProfile {
                name,
                alt_names,
                summary,
                description,
                kind,
                categories,
                tags,
                languages,
                address,
                location,
                website,
                links,
                founded_year,
                identifiers,
                licence: licence.to_owned(),
                source,
            },
            contact,
            fixes,
        })
    }
}

fn lang_text(
    errors: &mut ValidationErrors,
    fixes: &mut Vec<Fix>,
    lenient: bool,
    field: &str,
    input: &BTreeMap<String, String>,
    max_chars: usize,
) -> LangText {
    let mut text = LangText::default();
    for (lang, value) in input {
        let field = format!("{field}.{lang}");
        let value = value.trim();
        if value.is_empty() {
            continue;
        }
        let Some(parsed_lang) = Lang::parse(lang).filter(|_| lang.len() == 2) else {
            if lenient {
                fixes.push(Fix::FieldDropped {
                    field,
                    reason: "invalid_language".into(),
                });
            } else {
                errors.push(
                    field,
                    "invalid_language",
                    format!("`{lang}` is not an ISO 639-1 language code"),
                );
            }
            continue;
        };
        if let Some(value) = errors.take(plain_text(&field, value, max_chars, true)) {
            text.insert(parsed_lang, value);
        }
    }
    text
}

/// Plain text: no markup, no control characters (newlines only where `multiline`).
pub fn plain_text(
    field: &str,
    value: &str,
    max_chars: usize,
    multiline: bool,
) -> Result<String, FieldError> {
    if value.chars().count() > max_chars {
        return Err(FieldError::new(
            field,
            "too_long",
            format!("at most {max_chars} characters"),
        ));
    }
    let bad_control = value
        .chars()
        .any(|c| c.is_control() && !(multiline && (c == '\n' || c == '\r' || c == '\t')));
    if bad_control {
        return Err(FieldError::new(
            field,
            "invalid_characters",
            "control characters are not allowed",
        ));
    }
    if looks_like_markup(value) {
        return Err(FieldError::new(
            field,
            "markup_not_allowed",
            "plain text only: HTML or script markup is not allowed",
        ));
    }
    Ok(value.to_owned())
}

fn looks_like_markup(value: &str) -> bool {
    let bytes = value.as_bytes();
    bytes.windows(2).any(|w| {
        w[0] == b'<' && (w[1].is_ascii_alphabetic() || w[1] == b'/' || w[1] == b'!' || w[1] == b'?')
    }) || value.to_ascii_lowercase().contains("javascript:")
}

/// A deliverable-looking address: `local@domain.tld`, no spaces, at most 254 characters.
pub fn parse_email(field: &str, raw: &str) -> Result<String, FieldError> {
    let invalid = || {
        FieldError::new(
            field,
            "invalid_email",
            "an email address looks like name@example.org",
        )
    };
    if raw.len() > 254
        || raw
            .chars()
            .any(|c| c.is_whitespace() || c.is_control() || c == '<' || c == '>' || c == ',')
    {
        return Err(invalid());
    }
    let (local, domain) = raw.rsplit_once('@').ok_or_else(invalid)?;
    let domain_ok = domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !domain.contains("..")
        && domain
            .split('.')
            .all(|l| !l.is_empty() && l.chars().all(|c| c.is_alphanumeric() || c == '-'));
    if local.is_empty() || local.contains('@') || !domain_ok {
        return Err(invalid());
    }
    Ok(format!("{local}@{}", domain.to_lowercase()))
}

fn parse_phone(field: &str, raw: &str) -> Result<String, FieldError> {
    let ok = raw.chars().count() <= 40
        && raw.chars().filter(char::is_ascii_digit).count() >= 5
        && raw
            .chars()
            .all(|c| c.is_ascii_digit() || " +()-./".contains(c));
    if ok {
        Ok(raw.to_owned())
    } else {
        Err(FieldError::new(
            field,
            "invalid_phone",
            "a phone number has digits and may use + ( ) - . / and spaces",
        ))
    }
}

#[cfg(test)]
mod tests;
