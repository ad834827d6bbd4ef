//! `atlas seed`: loads the taxonomy, the country borders and the SUSY initiatives through the
//! same validation a submission uses, idempotently, and reports what it fixed and rejected.

use std::collections::BTreeMap;
use std::path::Path;

use anyhow::{Context, Result};
use atlas_domain::import::{
    ImportFormat, ImportReport, MappedRecord, RecordKey, RecordMapper, RowOutcome, SourceFile,
    SourceRecord,
};
use atlas_domain::{
    country, ActorDraft, Category, CategoryId, FieldError, Lang, LangText, ReviewAction,
    ReviewStatus, Source, SourceKind, Taxonomy,
};
use atlas_store::{BorderArea, GazetteerPlace, Store};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use serde::{Deserialize, Serialize};

use crate::import::{run_import, ImportOptions, IMPORT_BATCH_SIZE};

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
    /// The import's own report, record by record (not written to `--report` files).
    #[serde(skip)]
    pub import: Option<ImportReport>,
}

impl SeedReport {
    /// Takes the figures of the import of the records, in the seed's terms.
    fn add(&mut self, import: &ImportReport) {
        for row in &import.rows {
            let note = |reasons: Vec<String>| RecordNote {
                external_id: row.external_id.clone().unwrap_or_default(),
                name: row.name.clone().unwrap_or_default(),
                reasons,
            };
            match row.outcome {
                RowOutcome::New if row.fixes.is_empty() => self.imported += 1,
                RowOutcome::New => self.imported_with_fixes += 1,
                RowOutcome::Updated => self.updated += 1,
                RowOutcome::Unchanged => self.unchanged += 1,
                RowOutcome::Rejected => self.rejected.push(note(
                    row.errors
                        .iter()
                        .map(|e| {
                            format!("{} {}: {} ({})", row.position, e.field, e.message, e.code)
                        })
                        .collect(),
                )),
            }
            if row.outcome != RowOutcome::Rejected && !row.warnings.is_empty() {
                self.warnings.push(note(row.warnings.clone()));
            }
        }
        self.fixes = import.fixes.clone();
    }
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
    let (file_taxonomy, taxonomy) = read_taxonomy(seed_dir)?;
    report.categories = store.upsert_taxonomy(&taxonomy).await?;

    if store.border_count().await? == 0 {
        let borders_path = shared_data.join("country-borders/borders.json");
        let areas = read_borders(&borders_path)?;
        report.border_areas = store.replace_borders(&areas).await?;
    }
    report.gazetteer_places = ensure_gazetteer(store, shared_data).await?;

    let susy_path = seed_dir.join("susy_ssedas.geojson");
    let bytes =
        std::fs::read(&susy_path).with_context(|| format!("reading {}", susy_path.display()))?;
    let file = SourceFile::parse(ImportFormat::GeoJson, &bytes)
        .map_err(|e| anyhow::anyhow!("{}: {}", susy_path.display(), e.message))?;
    report.records = file.records.len();

    let bar = ProgressBar::new(file.records.len() as u64);
    if progress == Progress::Hidden {
        bar.set_draw_target(ProgressDrawTarget::hidden());
    }
    bar.set_style(
        ProgressStyle::with_template("{msg} {bar:40} {pos}/{len} ({eta})")
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    bar.set_message("importing SUSY initiatives");
    // The seed is an admin's import of vetted open data: it publishes directly.
    let options = ImportOptions {
        source: SUSY_SOURCE,
        default_source: Source {
            kind: SourceKind::Imported,
            name: Some(SUSY_SOURCE_NAME.to_owned()),
        },
        licence,
        status: ReviewStatus::Draft.apply(ReviewAction::Import)?,
        dry_run: false,
        batch_size: IMPORT_BATCH_SIZE,
    };
    let mapping = SusyMapping {
        codes: &file_taxonomy.susy_mapping,
    };
    let imported = run_import(store, &taxonomy, &file, &mapping, &options, &|| bar.inc(1)).await?;
    bar.finish_and_clear();
    report.add(&imported);
    report.import = Some(imported);
    Ok(report)
}

/// Writes the seed directory's taxonomy (labels, order, parents) to the database. The
/// taxonomy is the repository's, so a database seeded before it changed (labels in more
/// languages) gets the change on the next `atlas seed`, which imports nothing then.
pub async fn update_taxonomy(store: &Store, seed_dir: &Path) -> Result<usize> {
    let (_, taxonomy) = read_taxonomy(seed_dir)?;
    Ok(store.upsert_taxonomy(&taxonomy).await?)
}

fn read_taxonomy(seed_dir: &Path) -> Result<(TaxonomyFile, Taxonomy)> {
    let path = seed_dir.join("taxonomy.json");
    let file: TaxonomyFile = serde_json::from_slice(
        &std::fs::read(&path).with_context(|| format!("reading {}", path.display()))?,
    )
    .with_context(|| format!("parsing {}", path.display()))?;
    let taxonomy = parse_taxonomy(&file)?;
    Ok((file, taxonomy))
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

/// The ISO 639-1 code of the language a text is written in, when the detection is sure of
/// it and it is one of the languages the seed's records write in (whatlang knows 69, by their
/// ISO 639-3 codes).
fn detected_language(text: &str) -> Option<&'static str> {
    let info = whatlang::detect(text).filter(whatlang::Info::is_reliable)?;
    use whatlang::Lang::*;
    Some(match info.lang() {
        Eng => "en",
        Deu => "de",
        Fra => "fr",
        Spa => "es",
        Ita => "it",
        Por => "pt",
        Nld => "nl",
        Pol => "pl",
        Ces => "cs",
        Slk => "sk",
        Slv => "sl",
        Hrv => "hr",
        Hun => "hu",
        Ron => "ro",
        Bul => "bg",
        Ell => "el",
        Fin => "fi",
        Est => "et",
        Lav => "lv",
        Lit => "lt",
        Dan => "da",
        Swe => "sv",
        _ => return None,
    })
}

/// The seed's mapping of SUSY records: field names mapped, codes mapped onto the taxonomy
/// (`susy_mapping` in taxonomy.json) and kept as tags, descriptions keyed by language.
struct SusyMapping<'a> {
    codes: &'a BTreeMap<String, Vec<String>>,
}

impl RecordMapper for SusyMapping<'_> {
    fn map(&self, record: &SourceRecord) -> MappedRecord {
        let props = serde_json::Value::Object(record.values.clone());
        let mut problems = record.problems.clone();
        let key = text(&props, "_id").map(RecordKey::External);
        if key.is_none() {
            problems.push(FieldError::new(
                "_id",
                "required",
                "the record has no _id, so it cannot be imported idempotently",
            ));
        }
        MappedRecord {
            key,
            draft: susy_draft(&props, record.point, self.codes),
            licence: None,
            source: None,
            has_contact: true,
            problems,
        }
    }

    fn column_of(&self, field: &str) -> Option<String> {
        let column = match field.split(['.', '[']).next().unwrap_or_default() {
            "name" => "name",
            "country" => "addr:country",
            "city" => "addr:city",
            "postcode" => "addr:postcode",
            "street" => "addr:street",
            "website" => "contact:website",
            "contact_email" => "contact:email",
            "contact_phone" => "contact:phone",
            "categories" | "kind" => "type_of_initiative",
            "tags" => "free_keywords",
            "location" => "geometry",
            _ => return None,
        };
        Some(column.to_owned())
    }
}

fn susy_draft(
    props: &serde_json::Value,
    point: Option<[f64; 2]>,
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
    let mut main_text = None;
    if let Some(props) = props.as_object() {
        for (key, value) in props {
            let Some(value) = value.as_str() else {
                continue;
            };
            let lang = match key.as_str() {
                "description" => {
                    main_text = Some(value);
                    continue;
                }
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
    // `description`, the record's main text, is in whatever language the record was written
    // in (English for most, German for Germany's, Portuguese for Portugal's, …): keyed by the
    // language it is detected to be in, English when that is unsure. Search stems each text
    // with its language's rules, and the API says which language a text is in.
    if let Some(text) = main_text {
        let lang = detected_language(text)
            .filter(|lang| description.get(*lang).is_none_or(|other| other == text))
            .unwrap_or("en");
        // (A text the record also gives under that language is not kept twice.)
        description
            .entry(lang.to_owned())
            .or_insert_with(|| text.to_owned());
    }
    // The source does not say which languages an actor works in: those it wrote its texts in.
    let languages = description.keys().cloned().collect();
    let street = match (text(props, "addr:street"), text(props, "addr:housenumber")) {
        (Some(street), Some(number)) => Some(format!("{street} {number}")),
        (street, _) => street,
    };
    ActorDraft {
        name: text(props, "name"),
        kind: Some(kind.to_owned()),
        categories,
        tags,
        description,
        languages,
        country: text(props, "addr:country"),
        city: text(props, "addr:city"),
        postcode: text(props, "addr:postcode"),
        street,
        lon: point.map(|p| p[0]),
        lat: point.map(|p| p[1]),
        website: text(props, "contact:website").or_else(|| text(props, "website")),
        identifiers: text(props, "_id")
            .map(|id| BTreeMap::from([("transformap".to_owned(), id)]))
            .unwrap_or_default(),
        contact_email: text(props, "contact:email"),
        contact_phone: text(props, "contact:phone"),
        ..ActorDraft::default()
    }
}
