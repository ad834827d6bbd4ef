//! Bulk import by an admin: `POST /v1/admin/imports`.

use std::collections::BTreeMap;

use actix_web::http::header;
use actix_web::{post, web, HttpRequest, HttpResponse};
use atlas_domain::import::{
    FieldMapping, ImportFormat, ImportReport, RecordPosition, RowOutcome, SourceFile,
};
use atlas_domain::{FieldError, ReviewAction, ReviewStatus, Source, SourceKind, ValidationErrors};
use futures_util::StreamExt;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::auth::Admin;
use crate::error::{ApiError, Problem};
use crate::import::{run_import, ImportOptions, IMPORT_BATCH_SIZE};
use crate::params::parse_query;
use crate::AppState;

/// The largest file an import accepts. About 100,000 records of CSV; larger sets are better
/// split, or imported with `atlas import` on the server.
pub const MAX_IMPORT_BODY_BYTES: usize = 50 * 1024 * 1024;

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ImportParams {
    /// `true`: report what the import would do and write nothing. Default `false`.
    #[param(value_type = Option<bool>)]
    dry_run: Option<String>,
    /// `csv` or `geojson`. Default: from `Content-Type` (`text/csv`; `application/geo+json`
    /// or `application/json`).
    format: Option<String>,
    /// The field mapping as JSON (URL-encoded): `{"source": "partner-x", "source_name":
    /// "Partner X (CC-BY-4.0)", "list_separator": ";", "fields": {"name": "Organisation",
    /// "external_id": "ID", "lat": "Y", "lon": "X", "description.de": "Beschreibung",
    /// "contact_email": "Mail"}}`. Targets: id, external_id, name, alt_names, summary,
    /// summary.<lang>, description, description.<lang>, kind, categories, tags, languages,
    /// country, region, city, postcode, street, lat, lon, precision, website, links,
    /// founded_year, identifiers, identifiers.<key>, contact_email, contact_phone, licence,
    /// source_kind, source_name. Without a mapping the columns are read under our own export's
    /// names, so an Atlas CSV or GeoJSON export re-imports as it is (keyed by `id`).
    mapping: Option<String>,
}

/// Where a record is in the file: `line` (CSV, the header is line 1) or `feature` (GeoJSON
/// index, from 0).
#[derive(Debug, Serialize, ToSchema)]
pub struct RecordPositionView {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub feature: Option<usize>,
}

/// One reason a record was rejected.
#[derive(Debug, Serialize, ToSchema)]
pub struct ImportRowError {
    /// The Atlas field (`name`, `location.lat`, `website`, …).
    pub field: String,
    /// The file's column or property holding it, when known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub column: Option<String>,
    pub code: String,
    pub message: String,
}

/// What happened (or would happen) to one record.
#[derive(Debug, Serialize, ToSchema)]
pub struct ImportRowView {
    #[serde(flatten)]
    pub position: RecordPositionView,
    /// `new`, `updated`, `unchanged` or `rejected` (in a dry run: what would happen).
    pub outcome: String,
    /// The record's id in its source (or its Atlas id).
    pub external_id: Option<String>,
    pub actor_id: Option<Uuid>,
    pub name: Option<String>,
    /// Repairs made to a new or updated record: `{"fix": "country_normalised", "from":
    /// "Österreich", "to": "AT"}`, `{"fix": "website_scheme_added"}`, …
    #[schema(value_type = Vec<Object>)]
    pub fixes: Vec<serde_json::Value>,
    /// Imported, but worth a moderator's look (a point outside its country).
    pub warnings: Vec<String>,
    /// Every reason a rejected record was rejected.
    pub errors: Vec<ImportRowError>,
}

/// Records by outcome.
#[derive(Debug, Serialize, ToSchema)]
pub struct ImportCountsView {
    pub records: usize,
    pub new: usize,
    pub updated: usize,
    pub unchanged: usize,
    pub rejected: usize,
    /// New or updated records that needed a fix.
    pub fixed: usize,
    /// Imported records with a warning.
    pub warned: usize,
}

/// The report of an import; a dry run has the same shape and says what would happen.
#[derive(Debug, Serialize, ToSchema)]
pub struct ImportReportResponse {
    pub dry_run: bool,
    /// `csv` or `geojson`.
    pub format: String,
    /// The namespace of the records' external ids.
    pub source: String,
    /// The status new actors get: `published` (an admin's import publishes directly).
    pub status: String,
    pub counts: ImportCountsView,
    /// How often each kind of fix was applied to new and updated records.
    #[schema(value_type = BTreeMap<String, usize>)]
    pub fixes: BTreeMap<String, usize>,
    /// Every record, in file order.
    pub rows: Vec<ImportRowView>,
}

impl From<ImportReport> for ImportReportResponse {
    fn from(report: ImportReport) -> Self {
        ImportReportResponse {
            dry_run: report.dry_run,
            format: report.format.to_string(),
            source: report.source,
            status: report.status,
            counts: ImportCountsView {
                records: report.counts.records,
                new: report.counts.new,
                updated: report.counts.updated,
                unchanged: report.counts.unchanged,
                rejected: report.counts.rejected,
                fixed: report.counts.fixed,
                warned: report.counts.warned,
            },
            fixes: report.fixes,
            rows: report
                .rows
                .into_iter()
                .map(|row| ImportRowView {
                    position: match row.position {
                        RecordPosition::Line(line) => RecordPositionView {
                            line: Some(line),
                            feature: None,
                        },
                        RecordPosition::Feature(index) => RecordPositionView {
                            line: None,
                            feature: Some(index),
                        },
                    },
                    outcome: match row.outcome {
                        RowOutcome::New => "new",
                        RowOutcome::Updated => "updated",
                        RowOutcome::Unchanged => "unchanged",
                        RowOutcome::Rejected => "rejected",
                    }
                    .to_owned(),
                    external_id: row.external_id,
                    actor_id: row.actor_id.map(|id| id.0),
                    name: row.name,
                    fixes: row
                        .fixes
                        .iter()
                        .filter_map(|fix| serde_json::to_value(fix).ok())
                        .collect(),
                    warnings: row.warnings,
                    errors: row
                        .errors
                        .into_iter()
                        .map(|e| ImportRowError {
                            field: e.field,
                            column: e.column,
                            code: e.code.to_owned(),
                            message: e.message,
                        })
                        .collect(),
                })
                .collect(),
        }
    }
}

/// Import actors from CSV or GeoJSON
///
/// Admins only. The body is the file itself (`Content-Type: text/csv` or
/// `application/geo+json`, at most 50 MB); the `mapping` parameter says which column fills
/// which Atlas field. Every record is validated like a submission, leniently: what can be
/// repaired is (and listed as a fix), what cannot rejects the record with every reason and
/// its CSV line or GeoJSON feature index. New actors are **published directly** (an admin's
/// import of vetted data does not go through the review queue); existing actors keep the
/// status moderators gave them. Records are keyed by `source` + `external_id` (or an Atlas
/// `id`), so importing the same file again writes nothing, and a changed record becomes a new
/// version with a change-feed event. Contact details (`contact_email`, `contact_phone`) are
/// stored privately; without contact columns stored contacts are kept. Written in
/// transactions of 500 records; recorded in the audit log. `dry_run=true` writes nothing
/// and answers the same report.
#[utoipa::path(tag = "moderation", security(("bearer" = ["admin"])), params(ImportParams),
    request_body(description = "The file: CSV with a header row, or a GeoJSON FeatureCollection of Points", content(
        (String = "text/csv"),
        (Object = "application/geo+json"),
    )),
    responses(
    (status = 200, description = "The import's report (or, in a dry run, what it would do)", body = ImportReportResponse),
    (status = 400, description = "Not a CSV or GeoJSON FeatureCollection, an invalid mapping (unknown target, missing column), or an unknown parameter; nothing is written", body = Problem, content_type = "application/problem+json"),
    (status = 401, description = "No valid token", body = Problem, content_type = "application/problem+json"),
    (status = 403, description = "Not an admin", body = Problem, content_type = "application/problem+json"),
    (status = 413, description = "The file is larger than 50 MB", body = Problem, content_type = "application/problem+json"),
    (status = 415, description = "Neither `format` nor `Content-Type` says CSV or GeoJSON", body = Problem, content_type = "application/problem+json"),
))]
#[post("/admin/imports")]
pub async fn create_import(
    state: web::Data<AppState>,
    admin: Admin,
    req: HttpRequest,
    payload: web::Payload,
) -> Result<HttpResponse, ApiError> {
    let params: ImportParams = parse_query(&req)?;
    let mut errors = ValidationErrors::default();
    let dry_run = match params.dry_run.as_deref().map(str::trim) {
        None | Some("false") => false,
        Some("true") => true,
        Some(_) => {
            errors.push("dry_run", "invalid_boolean", "`true` or `false`");
            false
        }
    };
    let format = match params.format.as_deref() {
        Some(raw) => errors.take(
            raw.parse::<ImportFormat>()
                .map_err(|m| FieldError::new("format", "invalid_format", m)),
        ),
        None => None,
    };
    let mapping_json = match params.mapping.as_deref() {
        Some(raw) => errors.take(serde_json::from_str::<serde_json::Value>(raw).map_err(|e| {
            FieldError::new(
                "mapping",
                "invalid_mapping",
                format!("the mapping is not valid JSON: {e}"),
            )
        })),
        None => None,
    };
    if !errors.is_empty() {
        return Err(errors.into());
    }
    let format = match format {
        Some(format) => format,
        None => format_of(&req)?,
    };
    let body = read_limited(&req, payload, MAX_IMPORT_BODY_BYTES).await?;
    let file = SourceFile::parse(format, &body)?;
    let mapping = match &mapping_json {
        Some(json) => FieldMapping::parse(json, &file)?,
        None => {
            let mapping = FieldMapping::default_for(&file);
            mapping.check_default(&file)?;
            mapping
        }
    };
    let options = ImportOptions {
        source: &mapping.source,
        default_source: Source {
            kind: SourceKind::Imported,
            name: mapping.source_name.clone(),
        },
        licence: &state.config.data_licence,
        status: ReviewStatus::Draft
            .apply(ReviewAction::Import)
            .map_err(|e| ApiError::Internal(e.to_string()))?,
        dry_run,
        batch_size: IMPORT_BATCH_SIZE,
    };
    let report = run_import(
        &state.store,
        &state.taxonomy,
        &file,
        &mapping,
        &options,
        &|| {},
    )
    .await?;
    if !dry_run {
        state
            .store
            .record_audit(
                Some(&admin.0.user),
                "import",
                "import",
                &mapping.source,
                audit_details(&report, &body, mapping_json.as_ref(), "api"),
            )
            .await?;
    }
    Ok(HttpResponse::Ok()
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .json(ImportReportResponse::from(report)))
}

/// What the audit log keeps about an import: who (the entry's user), what file (its size and
/// SHA-256), with which mapping, and the counts.
pub fn audit_details(
    report: &ImportReport,
    body: &[u8],
    mapping: Option<&serde_json::Value>,
    via: &str,
) -> serde_json::Value {
    let sha256: String = Sha256::digest(body)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    serde_json::json!({
        "via": via,
        "format": report.format.to_string(),
        "source": report.source,
        "file_bytes": body.len(),
        "file_sha256": sha256,
        "mapping": mapping,
        "status": report.status,
        "counts": report.counts,
        "fixes": report.fixes,
    })
}

fn format_of(req: &HttpRequest) -> Result<ImportFormat, ApiError> {
    let content_type = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .split(';')
        .next()
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase();
    match content_type.as_str() {
        "text/csv" => Ok(ImportFormat::Csv),
        "application/geo+json" | "application/json" => Ok(ImportFormat::GeoJson),
        _ => Err(ApiError::UnsupportedMediaType(
            "send the file as text/csv or application/geo+json, or say `format=csv|geojson`"
                .to_owned(),
        )),
    }
}

/// Reads the body up to `limit` bytes: a declared or actual larger body is a 413 before it
/// is all read.
async fn read_limited(
    req: &HttpRequest,
    mut payload: web::Payload,
    limit: usize,
) -> Result<web::BytesMut, ApiError> {
    let declared = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok());
    if declared.is_some_and(|length| length > limit) {
        return Err(ApiError::PayloadTooLarge(limit));
    }
    let mut body = web::BytesMut::with_capacity(declared.unwrap_or(0).min(limit));
    while let Some(chunk) = payload.next().await {
        let chunk = chunk.map_err(|e| ApiError::BadBody {
            code: "invalid_body",
            detail: format!("the body could not be read: {e}"),
        })?;
        if body.len() + chunk.len() > limit {
            return Err(ApiError::PayloadTooLarge(limit));
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}
