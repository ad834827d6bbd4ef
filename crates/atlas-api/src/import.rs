//! The bulk import use case, shared by `POST /v1/admin/imports`, `atlas import` and
//! `atlas seed`: map each record of a file to a draft, validate it as a submission is validated
//! (leniently: what can be repaired is, and reported as a fix), check its point against the
//! country it claims, then write batch by batch (one transaction per batch), or in a dry run
//! only compare with what is stored.

use std::collections::HashMap;
use std::path::Path;

use anyhow::Context;
use indicatif::{ProgressBar, ProgressDrawTarget};

use atlas_domain::actor::Strictness;
use atlas_domain::import::{
    row_errors, FieldMapping, ImportFormat, ImportReport, RecordMapper, RecordPosition, RowOutcome,
    RowReport, SourceFile,
};
use atlas_domain::{
    CountryCode, FieldError, Fix, ReviewAction, ReviewStatus, Source, SourceKind, Taxonomy,
    ValidActor,
};
use atlas_store::{ImportOutcome, ImportRow, Store, StoreError};

use crate::routes::imports::audit_details;
use crate::seed::Progress;

/// Records written per transaction: large enough to amortise the commit, small enough that a
/// long import holds no lock for long.
pub const IMPORT_BATCH_SIZE: usize = 500;

/// How to run an import.
pub struct ImportOptions<'a> {
    /// The namespace of the records' external ids (`susy`, `partner-x`).
    pub source: &'a str,
    /// The records' source when they name none.
    pub default_source: Source,
    /// The records' licence when they name none.
    pub licence: &'a str,
    /// The status of new actors: `published` for an admin's import.
    pub status: ReviewStatus,
    pub dry_run: bool,
    pub batch_size: usize,
}

/// A valid record waiting for its batch.
struct Prepared {
    index: usize,
    position: RecordPosition,
    id: atlas_domain::ActorId,
    external_id: Option<String>,
    label: String,
    actor: ValidActor,
    warnings: Vec<String>,
    replace_contact: bool,
}

/// Runs an import over every record of `file`; `on_record` is called once per record read
/// (for a progress bar).
pub async fn run_import(
    store: &Store,
    taxonomy: &Taxonomy,
    file: &SourceFile,
    mapper: &dyn RecordMapper,
    options: &ImportOptions<'_>,
    on_record: &dyn Fn(),
) -> Result<ImportReport, StoreError> {
    let author = format!("import:{}", options.source);
    let mut rows: Vec<(usize, RowReport)> = Vec::with_capacity(file.records.len());
    let mut pending: Vec<Prepared> = Vec::new();
    let mut first_seen: HashMap<atlas_domain::ActorId, RecordPosition> = HashMap::new();
    for (index, record) in file.records.iter().enumerate() {
        on_record();
        let mapped = mapper.map(record);
        let name = mapped.draft.name.clone();
        let label = mapped.key.as_ref().map(|k| k.label());
        let mut errors = mapped.problems;
        let id = mapped.key.as_ref().map(|k| k.actor_id(options.source));
        if let Some(id) = id {
            if let Some(first) = first_seen.get(&id) {
                errors.push(FieldError::new(
                    "external_id",
                    "duplicate_record",
                    format!("the same record as {first} (the same id)"),
                ));
            } else {
                first_seen.insert(id, record.position);
            }
        }
        let source = mapped
            .source
            .unwrap_or_else(|| options.default_source.clone());
        let licence = mapped.licence.as_deref().unwrap_or(options.licence);
        let parsed = mapped
            .draft
            .parse(taxonomy, licence, source, Strictness::Import);
        let reject = |errors: &[FieldError]| RowReport {
            position: record.position,
            outcome: RowOutcome::Rejected,
            external_id: label.clone(),
            actor_id: None,
            name: name.clone(),
            fixes: Vec::new(),
            warnings: Vec::new(),
            errors: row_errors(mapper, errors),
        };
        let mut actor = match parsed {
            Err(parse_errors) => {
                errors.extend(parse_errors.0);
                rows.push((index, reject(&errors)));
                continue;
            }
            Ok(_) if !errors.is_empty() => {
                rows.push((index, reject(&errors)));
                continue;
            }
            Ok(actor) => actor,
        };
        let (Some(id), Some(label)) = (id, label) else {
            continue; // a record without a key has a problem, so it was rejected above
        };
        let warnings = check_location(store, &mut actor).await?;
        pending.push(Prepared {
            index,
            position: record.position,
            id,
            external_id: match &mapped.key {
                Some(atlas_domain::import::RecordKey::External(external)) => {
                    Some(format!("{}:{external}", options.source))
                }
                _ => None,
            },
            label,
            actor,
            warnings,
            replace_contact: mapped.has_contact,
        });
        if pending.len() >= options.batch_size.max(1) {
            flush(store, &mut pending, options, &author, &mut rows).await?;
        }
    }
    flush(store, &mut pending, options, &author, &mut rows).await?;
    rows.sort_by_key(|(index, _)| *index);
    let mut report = ImportReport::new(
        options.dry_run,
        file.format,
        options.source,
        options.status.as_str(),
    );
    for (_, row) in rows {
        report.push(row);
    }
    Ok(report)
}

async fn flush(
    store: &Store,
    pending: &mut Vec<Prepared>,
    options: &ImportOptions<'_>,
    author: &str,
    rows: &mut Vec<(usize, RowReport)>,
) -> Result<(), StoreError> {
    if pending.is_empty() {
        return Ok(());
    }
    let batch: Vec<ImportRow<'_>> = pending
        .iter()
        .map(|p| ImportRow {
            id: p.id,
            external_id: p.external_id.clone(),
            actor: &p.actor,
            status_if_new: options.status,
            replace_contact: p.replace_contact,
            author,
        })
        .collect();
    let outcomes = store.import_actors(&batch, options.dry_run).await?;
    drop(batch);
    for (prepared, outcome) in pending.drain(..).zip(outcomes) {
        rows.push((
            prepared.index,
            RowReport {
                position: prepared.position,
                outcome: match outcome {
                    ImportOutcome::Created => RowOutcome::New,
                    ImportOutcome::Updated => RowOutcome::Updated,
                    ImportOutcome::Unchanged => RowOutcome::Unchanged,
                },
                external_id: Some(prepared.label),
                actor_id: Some(prepared.id),
                name: Some(prepared.actor.profile.name.clone()),
                fixes: prepared.actor.fixes,
                warnings: prepared.warnings,
                errors: Vec::new(),
            },
        ));
    }
    Ok(())
}

/// The borders tell whether the point lies in the country the record claims; a point that
/// lands there only with latitude and longitude exchanged was entered the wrong way round, and
/// a record without a country gets the one its point lies in. Returns warnings for moderators.
async fn check_location(store: &Store, actor: &mut ValidActor) -> Result<Vec<String>, StoreError> {
    let mut warnings = Vec::new();
    let location = actor.profile.location;
    let found = store.countries_at(location.lon, location.lat).await?;
    match actor.profile.address.country {
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
                    actor.profile.location = swapped;
                    actor.fixes.push(Fix::CoordinatesSwapped);
                }
                None => warnings.push(format!(
                    "point_outside_country: claims {claimed}, the point lies in {}",
                    describe(&found)
                )),
            }
        }
        Some(_) => {}
        None => {
            if let [only] = found.as_slice() {
                actor.profile.address.country = Some(*only);
                actor.fixes.push(Fix::CountryFromLocation { to: *only });
            }
        }
    }
    Ok(warnings)
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

/// `atlas import FILE`: reads the file and the mapping, runs the import and records a real run
/// in the audit log. A file or mapping the import cannot use is an error naming what is wrong.
pub async fn import_file(
    store: &Store,
    path: &Path,
    format: Option<ImportFormat>,
    mapping_path: Option<&Path>,
    dry_run: bool,
    licence: &str,
    progress: Progress,
) -> anyhow::Result<ImportReport> {
    let format = match format {
        Some(format) => format,
        None => path
            .extension()
            .and_then(|e| e.to_str())
            .and_then(|e| e.parse().ok())
            .with_context(|| format!("{}: say --format csv or --format geojson", path.display()))?,
    };
    let bytes = std::fs::read(path).with_context(|| format!("reading {}", path.display()))?;
    let explain = |errors: &[FieldError]| {
        errors
            .iter()
            .map(|e| format!("{}: {}", e.field, e.message))
            .collect::<Vec<_>>()
            .join("; ")
    };
    let file = SourceFile::parse(format, &bytes)
        .map_err(|e| anyhow::anyhow!("{}: {}", path.display(), e.message))?;
    let mapping_json: Option<serde_json::Value> = match mapping_path {
        Some(mapping_path) => Some(
            serde_json::from_slice(
                &std::fs::read(mapping_path)
                    .with_context(|| format!("reading {}", mapping_path.display()))?,
            )
            .with_context(|| format!("{} is not valid JSON", mapping_path.display()))?,
        ),
        None => None,
    };
    let mapping = match &mapping_json {
        Some(json) => FieldMapping::parse(json, &file)
            .map_err(|e| anyhow::anyhow!("the mapping cannot be used: {}", explain(&e.0)))?,
        None => {
            let mapping = FieldMapping::default_for(&file);
            mapping
                .check_default(&file)
                .map_err(|e| anyhow::anyhow!("{}: {}", path.display(), explain(&e.0)))?;
            mapping
        }
    };
    let taxonomy = store.taxonomy().await?;
    let options = ImportOptions {
        source: &mapping.source,
        default_source: Source {
            kind: SourceKind::Imported,
            name: mapping.source_name.clone(),
        },
        licence,
        status: ReviewStatus::Draft.apply(ReviewAction::Import)?,
        dry_run,
        batch_size: IMPORT_BATCH_SIZE,
    };
    let bar = ProgressBar::new(file.records.len() as u64);
    if progress == Progress::Hidden {
        bar.set_draw_target(ProgressDrawTarget::hidden());
    }
    let report = run_import(store, &taxonomy, &file, &mapping, &options, &|| bar.inc(1)).await?;
    bar.finish_and_clear();
    if !dry_run {
        store
            .record_audit(
                None,
                "import",
                "import",
                &mapping.source,
                audit_details(&report, &bytes, mapping_json.as_ref(), "cli"),
            )
            .await?;
    }
    Ok(report)
}
