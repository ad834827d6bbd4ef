//! `atlas seed`: loads the taxonomy, the country borders and the SUSY initiatives through the
//! same validation a submission uses, idempotently, and reports what it fixed and rejected.

use std::collections::BTreeMap;
use std::path::Path;

use anyhow::{Context, Result};
use atlas_domain::actor::Strictness;
use atlas_domain::{
    country, ActorDraft, Category, CategoryId, CountryCode, Fix, Lang, LangText, ReviewAction,
    ReviewStatus, Source, SourceKind, Taxonomy,
};
use atlas_store::{BorderArea, GazetteerPlace, ImportOutcome, ImportedActor, Store};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use serde::{Deserialize, Serialize};

pub const SUSY_SOURCE: &str = "susy";
const SUSY_SOURCE_NAME: &str =
    "SUSY / SSEDAS map (Public Domain), courtesy: SUSY project / TransforMap";

#[derive(Debug, Deserialize)]
struct TaxonomyFile {
    categories: Vec<CategoryEntry>,
    susy_mapping: BTreeMap<String, Vec<String>>,
}

#[derive(Debug, Deserialize)]
struct CategoryEntry {
    id: String,
    parent: Option<String>,
    labels: BTreeMap<String, String>,
}

/// What one seed run did.
#[derive(Debug, Default, Serialize)]
pub struct SeedReport {
    pub categories: usize,
    pub border_areas: usize,
    /// GeoNames places loaded for geocoding (0 when already loaded).
    pub gazetteer_places: usize,
    pub records: usize,
    /// Created without any change to the record.
    pub imported: usize,
    /// Created after repairing the record (see `fixes`).
    pub imported_with_fixes: usize,
    /// Existing actors whose source record changed.
    pub updated: usize,
    /// Already present and identical: nothing written.
    pub unchanged: usize,
    /// How often each kind of fix was applied.
    pub fixes: BTreeMap<String, usize>,
    /// Imported, but worth a moderator's look.
    pub warnings: Vec<RecordNote>,
    pub rejected: Vec<RecordNote>,
}

#[derive(Debug, Serialize)]
pub struct RecordNote {
    pub external_id: String,
    pub name: String,
    pub reasons: Vec<String>,
}

/// Whether to show a progress bar (not in tests or when output is not a terminal).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Progress {
    Bar,
    Hidden,
}

/// Loads the taxonomy and the borders (when missing), then every SUSY record.
pub async fn seed(
    store: &Store,
    seed_dir: &Path,
    shared_data: &Path,
    licence: &str,
    progress: Progress,
) -> Result<SeedReport> {
    let mut report = SeedReport::default();
    let taxonomy_path = seed_dir.join("taxonomy.json");
    let file: TaxonomyFile = serde_json::from_slice(
        &std::fs::read(&taxonomy_path)
            .with_context(|| format!("reading {}", taxonomy_path.display()))?,
    )
    .with_context(|| format!("parsing {}", taxonomy_path.display()))?;
    let taxonomy = parse_taxonomy(&file)?;
    report.categories = store.upsert_taxonomy(&taxonomy).await?;

    if store.border_count().await? == 0 {
        let borders_path = shared_data.join("country-borders/borders.json");
        let areas = read_borders(&borders_path)?;
        report.border_areas = store.replace_borders(&areas).await?;
    }
    report.gazetteer_places = ensure_gazetteer(store, shared_data).await?;

    let susy_path = seed_dir.join("susy_ssedas.geojson");
    let collection: serde_json::Value = serde_json::from_slice(
        &std::fs::read(&susy_path).with_context(|| format!("reading {}", susy_path.display()))?,
    )
    .with_context(|| format!("parsing {}", susy_path.display()))?;
    let features = collection["features"]
        .as_array()
        .context("the SUSY file has no features")?;
    report.records = features.len();

    let bar = ProgressBar::new(features.len() as u64);
    if progress == Progress::Hidden {
        bar.set_draw_target(ProgressDrawTarget::hidden());
    }
    bar.set_style(
        ProgressStyle::with_template("{msg} {bar:40} {pos}/{len} ({eta})")
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    bar.set_message("importing SUSY initiatives");
    let published = ReviewStatus::Draft.apply(ReviewAction::Import)?;
    for feature in features {
        bar.inc(1);
        import_susy_feature(
            store,
            &taxonomy,
            &file.susy_mapping,
            feature,
            licence,
            published,
            &mut report,
        )
        .await?;
    }
    bar.finish_and_clear();
    Ok(report)
}

fn parse_taxonomy(file: &TaxonomyFile) -> Result<Taxonomy> {
    let mut categories = Vec::new();
    for entry in &file.categories {
        let mut labels = LangText::default();
        for (lang, label) in &entry.labels {
            labels.insert(
                Lang::parse(lang)
                    .with_context(|| format!("category {}: unknown language {lang}", entry.id))?,
                label,
            );
        }
        categories.push(Category {
            id: CategoryId::parse("id", &entry.id).map_err(|e| anyhow::anyhow!(e.message))?,
            parent: entry
                .parent
                .as_deref()
                .map(|p| CategoryId::parse("parent", p))
                .transpose()
                .map_err(|e| anyhow::anyhow!(e.message))?,
            labels,
        });
    }
    let taxonomy = Taxonomy { categories };
    taxonomy.validate().map_err(anyhow::Error::msg)?;
    Ok(taxonomy)
}

/// Loads the GeoNames gazetteer when the database has none; returns how many places it loaded.
pub async fn ensure_gazetteer(store: &Store, shared_data: &Path) -> Result<usize> {
    if store.gazetteer_count().await? > 0 {
        return Ok(0);
    }
    let places = read_gazetteer(&shared_data.join("geonames"))?;
    Ok(store.replace_gazetteer(&places).await?)
}

/// GeoNames' European towns (`europe_cities1000.csv`) with their alternate names
/// (`europe_cities1000_altnames.tsv`: id, then names joined by `|`).
pub fn read_gazetteer(dir: &Path) -> Result<Vec<GazetteerPlace>> {
    #[derive(Deserialize)]
    struct PlaceRecord {
        geonameid: i32,
        name: String,
        latitude: f64,
        longitude: f64,
        countrycode: String,
        admin1code: Option<String>,
        population: Option<i64>,
    }
    let altnames_path = dir.join("europe_cities1000_altnames.tsv");
    let mut altnames: std::collections::HashMap<i32, Vec<String>> = Default::default();
    let mut tsv = csv::ReaderBuilder::new()
        .delimiter(b'\t')
        .quoting(false)
        .from_path(&altnames_path)
        .with_context(|| format!("reading {}", altnames_path.display()))?;
    for record in tsv.records() {
        let record = record.with_context(|| format!("reading {}", altnames_path.display()))?;
        let (Some(id), Some(names)) = (record.get(0), record.get(1)) else {
            continue;
        };
        if let Ok(id) = id.parse() {
            altnames.insert(id, names.split('|').map(str::to_owned).collect());
        }
    }
    let places_path = dir.join("europe_cities1000.csv");
    let mut reader = csv::Reader::from_path(&places_path)
        .with_context(|| format!("reading {}", places_path.display()))?;
    let mut places = Vec::new();
    for record in reader.deserialize::<PlaceRecord>() {
        let record = record.with_context(|| format!("reading {}", places_path.display()))?;
        places.push(GazetteerPlace {
            alternate_names: altnames.remove(&record.geonameid).unwrap_or_default(),
            geonameid: record.geonameid,
            name: record.name,
            country: record.countrycode,
            admin1: record.admin1code.filter(|a| !a.is_empty()),
            population: i32::try_from(record.population.unwrap_or(0)).unwrap_or(i32::MAX),
            lat: record.latitude,
            lon: record.longitude,
        });
    }
    Ok(places)
}

/// Country and territory outlines from @rapideditor/country-coder's borders.json.
pub fn read_borders(path: &Path) -> Result<Vec<BorderArea>> {
    let collection: serde_json::Value = serde_json::from_slice(
        &std::fs::read(path).with_context(|| format!("reading {}", path.display()))?,
    )
    .with_context(|| format!("parsing {}", path.display()))?;
    let features = collection["features"]
        .as_array()
        .context("borders file has no features")?;
    Ok(features
        .iter()
        .filter(|f| f["geometry"].is_object())
        .filter_map(|f| {
            let props = &f["properties"];
            // Parts of a country (Metropolitan France, Scotland) name it in `country`.
            let code = props["country"]
                .as_str()
                .or_else(|| props["iso1A2"].as_str())?;
            Some(BorderArea {
                country: country::parse_code(code)?,
                name: props["nameEn"].as_str().unwrap_or(code).to_owned(),
                geometry_geojson: f["geometry"].to_string(),
            })
        })
        .collect())
}

fn text(props: &serde_json::Value, key: &str) -> Option<String> {
    props[key]
        .as_str()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
}

/// The SUSY record as a draft: field names mapped, codes mapped onto the taxonomy and kept
/// as tags, descriptions keyed by language.
fn susy_draft(
    props: &serde_json::Value,
    geometry: &serde_json::Value,
    mapping: &BTreeMap<String, Vec<String>>,
) -> ActorDraft {
    let codes: Vec<String> = text(props, "type_of_initiative")
        .unwrap_or_default()
        .split(';')
        .map(str::trim)
        .filter(|c| !c.is_empty())
        .map(str::to_owned)
        .collect();
    let mut categories: Vec<String> = Vec::new();
    for code in &codes {
        for category in mapping.get(code).into_iter().flatten() {
            if !categories.contains(category) {
                categories.push(category.clone());
            }
        }
    }
    let mut tags: Vec<String> = codes
        .iter()
        .flat_map(|c| c.split(','))
        .map(|c| c.trim().to_lowercase())
        .filter(|c| !c.is_empty() && c != "other" && c != "othe")
        .collect();
    tags.extend(
        text(props, "free_keywords")
            .unwrap_or_default()
            .split(';')
            .map(|k| k.trim().to_lowercase())
            .filter(|k| !k.is_empty() && k.chars().count() <= 60),
    );
    let kind = if codes.iter().any(|c| c == "food_cooperative") {
        "cooperative"
    } else if codes.iter().any(|c| c == "ngo") {
        "association"
    } else if codes.iter().any(|c| c == "networking_initiative") {
        "network"
    } else if codes.iter().any(|c| c == "community_group") {
        "informal_group"
    } else {
        "other"
    };
    let mut description = BTreeMap::new();
    if let Some(props) = props.as_object() {
        for (key, value) in props {
            let Some(value) = value.as_str() else {
                continue;
            };
            // `description` is the record's main text, which in this source is English.
            let lang = match key.as_str() {
                "description" => "en",
                other => match other
                    .strip_prefix("description:")
                    .or_else(|| other.strip_prefix("description_"))
                {
                    Some("gr") => "el", // the source uses the country code for Greek
                    Some(lang) => lang,
                    None => continue,
                },
            };
            description.insert(lang.to_owned(), value.to_owned());
        }
    }
    let street = match (text(props, "addr:street"), text(props, "addr:housenumber")) {
        (Some(street), Some(number)) => Some(format!("{street} {number}")),
        (street, _) => street,
    };
    let coordinates = &geometry["coordinates"];
    ActorDraft {
        name: text(props, "name"),
        kind: Some(kind.to_owned()),
        categories,
        tags,
        description,
        country: text(props, "addr:country"),
        city: text(props, "addr:city"),
        postcode: text(props, "addr:postcode"),
        street,
        lon: coordinates[0].as_f64(),
        lat: coordinates[1].as_f64(),
        website: text(props, "contact:website").or_else(|| text(props, "website")),
        identifiers: text(props, "_id")
            .map(|id| BTreeMap::from([("transformap".to_owned(), id)]))
            .unwrap_or_default(),
        contact_email: text(props, "contact:email"),
        contact_phone: text(props, "contact:phone"),
        ..ActorDraft::default()
    }
}

fn fix_name(fix: &Fix) -> String {
    serde_json::to_value(fix)
        .ok()
        .and_then(|v| v["fix"].as_str().map(str::to_owned))
        .unwrap_or_else(|| "other".to_owned())
}

async fn import_susy_feature(
    store: &Store,
    taxonomy: &Taxonomy,
    mapping: &BTreeMap<String, Vec<String>>,
    feature: &serde_json::Value,
    licence: &str,
    status: ReviewStatus,
    report: &mut SeedReport,
) -> Result<()> {
    let props = &feature["properties"];
    let external_id = text(props, "_id").unwrap_or_default();
    let name = text(props, "name").unwrap_or_default();
    let note = |reasons: Vec<String>| RecordNote {
        external_id: external_id.clone(),
        name: name.clone(),
        reasons,
    };
    if external_id.is_empty() {
        report.rejected.push(note(vec![
            "the record has no _id, so it cannot be imported idempotently".into(),
        ]));
        return Ok(());
    }
    let source = Source {
        kind: SourceKind::Imported,
        name: Some(SUSY_SOURCE_NAME.to_owned()),
    };
    let draft = susy_draft(props, &feature["geometry"], mapping);
    let mut valid = match draft.parse(taxonomy, licence, source, Strictness::Import) {
        Ok(valid) => valid,
        Err(errors) => {
            report.rejected.push(note(
                errors
                    .0
                    .iter()
                    .map(|e| format!("{}: {} ({})", e.field, e.message, e.code))
                    .collect(),
            ));
            return Ok(());
        }
    };

    // The borders tell whether the point lies in the country the record claims; a point that
    // lands there only with latitude and longitude exchanged was entered the wrong way round.
    let location = valid.profile.location;
    let found = store.countries_at(location.lon, location.lat).await?;
    match valid.profile.address.country {
        Some(claimed) if !found.contains(&claimed) => {
            let swapped = match location.swapped() {
                Some(swapped)
                    if store
                        .countries_at(swapped.lon, swapped.lat)
                        .await?
                        .contains(&claimed) =>
                {
                    Some(swapped)
                }
                _ => None,
            };
            match swapped {
                Some(swapped) => {
                    valid.profile.location = swapped;
                    valid.fixes.push(Fix::CoordinatesSwapped);
                }
                None => report.warnings.push(note(vec![format!(
                    "point_outside_country: claims {claimed}, the point lies in {}",
                    describe(&found)
                )])),
            }
        }
        Some(_) => {}
        None => {
            if let [only] = found.as_slice() {
                valid.profile.address.country = Some(*only);
                valid.fixes.push(Fix::CountryFromLocation { to: *only });
            }
        }
    }

    let outcome = store
        .import_actor(ImportedActor {
            source: SUSY_SOURCE,
            external_id: &external_id,
            actor: &valid,
            status,
        })
        .await?;
    match outcome {
        ImportOutcome::Created if valid.fixes.is_empty() => report.imported += 1,
        ImportOutcome::Created => report.imported_with_fixes += 1,
        ImportOutcome::Updated => report.updated += 1,
        ImportOutcome::Unchanged => report.unchanged += 1,
    }
    if outcome == ImportOutcome::Created {
        for fix in &valid.fixes {
            *report.fixes.entry(fix_name(fix)).or_default() += 1;
        }
    }
    Ok(())
}

fn describe(countries: &[CountryCode]) -> String {
    if countries.is_empty() {
        "no country (sea, or outside the borders data)".to_owned()
    } else {
        countries
            .iter()
            .map(CountryCode::as_str)
            .collect::<Vec<_>>()
            .join(", ")
    }
}
