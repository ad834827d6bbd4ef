//! Open data: the whole published dataset in CSV, GeoJSON, NDJSON and JSON-LD, streamed;
//! the Frictionless data package and the DCAT-AP catalogue entry that describe it.

use actix_web::http::header;
use actix_web::{get, web, HttpRequest, HttpResponse};
use chrono::Utc;
use serde::Deserialize;
use serde_json::json;
use sha2::{Digest, Sha256};
use utoipa::IntoParams;

use crate::error::{ApiError, Problem};
use crate::export::{
    export_stream, licence_url, ExportFormat, ExportMeta, ExportWriter, ATTRIBUTIONS, CSV_COLUMNS,
};
use crate::filters::ActorFilterParams;
use crate::http_cache::Cacheable;
use crate::params::parse_query;
use crate::AppState;

/// The published dataset as a file
///
/// `csv` (RFC 4180, UTF-8, header row, one column per language for summary and description;
/// cells that a spreadsheet would run as a formula are prefixed with `'`), `geojson` (a
/// FeatureCollection), `ndjson` (one actor per line) or `jsonld` (schema.org `Organization`s).
/// Streamed in constant memory. Every format names the licence and the attributions; the
/// headers carry them too (`Link: <…>; rel="license"`).
#[utoipa::path(
    tag = "open data",
    params(("format" = String, Path, description = "csv, geojson, ndjson or jsonld"), ActorFilterParams),
    responses(
        (status = 200, description = "The dataset", content(
            (String = "text/csv"), (String = "application/geo+json"),
            (String = "application/x-ndjson"), (String = "application/ld+json"),
        ), headers(
            ("ETag" = String), ("Last-Modified" = String),
            ("Content-Disposition" = String, description = "attachment with a dated file name"),
        )),
        (status = 304, description = "Not modified"),
        (status = 400, description = "Invalid or unknown parameter", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Unknown format", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/exports/actors.{format}")]
pub async fn export_actors(
    state: web::Data<AppState>,
    req: HttpRequest,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let format: ExportFormat = path
        .into_inner()
        .parse()
        .map_err(|_| ApiError::NotFound("export format".into()))?;
    let filters: ActorFilterParams = parse_query(&req)?;
    let query = filters.to_query(&state.taxonomy)?;
    let summary = state.store.export_summary(&query).await?;
    let latest_change = state.store.latest_change_seq().await?;

    // The file changes when the data or the request does: hash both.
    let mut hasher = Sha256::new();
    hasher.update(req.query_string().as_bytes());
    hasher.update(format.extension().as_bytes());
    hasher.update(latest_change.to_le_bytes());
    hasher.update(summary.count.to_le_bytes());
    hasher.update(state.config.data_licence.as_bytes());
    let etag = format!(
        "\"{}\"",
        hasher
            .finalize()
            .iter()
            .take(12)
            .map(|b| format!("{b:02x}"))
            .collect::<String>()
    );
    let not_modified = req
        .headers()
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| {
            v.split(',')
                .any(|t| t.trim().trim_start_matches("W/") == etag)
        });

    let today = Utc::now().format("%Y-%m-%d");
    let mut response = if not_modified {
        HttpResponse::NotModified()
    } else {
        HttpResponse::Ok()
    };
    response
        .insert_header((header::ETAG, etag))
        .insert_header((header::CACHE_CONTROL, "public, max-age=300"))
        .insert_header((
            header::LINK,
            format!(
                "<{}>; rel=\"license\"",
                licence_url(&state.config.data_licence)
            ),
        ));
    if let Some(last_modified) = summary.last_modified {
        response.insert_header((
            header::LAST_MODIFIED,
            last_modified.to_rfc2822().replace("+0000", "GMT"),
        ));
    }
    if not_modified {
        return Ok(response.finish());
    }
    response
        .insert_header((
            header::CONTENT_DISPOSITION,
            format!(
                "attachment; filename=\"social-tech-atlas-actors-{today}.{}\"",
                format.extension()
            ),
        ))
        .insert_header(("X-Total-Count", summary.count.to_string()))
        .content_type(format.media_type());
    if crate::methods::asked_head(&req) {
        // Link checkers of data portals ask HEAD: they get the headers (type, ETag, count),
        // and the export is not read for a body nobody receives.
        return Ok(response.streaming(futures_util::stream::empty::<
            Result<bytes::Bytes, std::io::Error>,
        >()));
    }
    let meta = ExportMeta {
        licence: state.config.data_licence.clone(),
        base_url: state
            .config
            .public_base_url
            .trim_end_matches('/')
            .to_owned(),
        generated_at: Utc::now(),
    };
    let writer = ExportWriter::new(format, meta, &summary);
    let body = export_stream(state.store.clone(), query, writer).await?;
    Ok(response.streaming(body))
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct NoParams {}

/// Frictionless data package
///
/// Describes the CSV and GeoJSON exports: schema with types and constraints, licence and the
/// sources with their attribution.
#[utoipa::path(tag = "open data", params(NoParams), responses(
    (status = 200, description = "datapackage.json", body = Object),
    (status = 400, description = "Unknown parameter", body = Problem, content_type = "application/problem+json"),
))]
#[get("/exports/datapackage.json")]
pub async fn datapackage(
    state: web::Data<AppState>,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let _: NoParams = parse_query(&req)?;
    let summary = state.store.export_summary(&Default::default()).await?;
    let base = state.config.public_base_url.trim_end_matches('/');
    let licence = &state.config.data_licence;
    let string = |name: &str, description: &str| json!({"name": name, "type": "string", "description": description});
    let mut fields = vec![
        json!({"name": "id", "type": "string", "format": "uuid", "description": "Stable UUID of the actor", "constraints": {"required": true, "unique": true}}),
        json!({"name": "slug", "type": "string", "description": "Unique human-readable handle", "constraints": {"required": true, "unique": true}}),
        json!({"name": "name", "type": "string", "constraints": {"required": true, "maxLength": 200}}),
        string("alt_names", "Other names, separated by ;"),
        json!({"name": "kind", "type": "string", "constraints": {"required": true, "enum": ["association", "cooperative", "foundation", "social_enterprise", "company", "public_body", "network", "informal_group", "other"]}}),
        string(
            "categories",
            "Taxonomy ids (GET /v1/categories), separated by ;",
        ),
        string("tags", "Keywords, separated by ;"),
        string("languages", "ISO 639-1 codes, separated by ;"),
        json!({"name": "country", "type": "string", "description": "ISO 3166-1 alpha-2", "constraints": {"pattern": "[A-Z]{2}"}}),
        string("region", "Region or province"),
        string("city", "Town or city"),
        string("postcode", "Postal code"),
        string("street", "Street address"),
        json!({"name": "lat", "type": "number", "description": "WGS 84 latitude", "constraints": {"required": true, "minimum": -90, "maximum": 90}}),
        json!({"name": "lon", "type": "number", "description": "WGS 84 longitude", "constraints": {"required": true, "minimum": -180, "maximum": 180}}),
        json!({"name": "location_precision", "type": "string", "constraints": {"required": true, "enum": ["exact", "city"]}}),
        json!({"name": "website", "type": "string", "format": "uri"}),
        string("links", "Other links as `kind url`, separated by ;"),
        json!({"name": "founded_year", "type": "integer"}),
        string(
            "identifiers",
            "External identifiers as `scheme:value`, separated by ;",
        ),
        json!({"name": "licence", "type": "string", "description": "SPDX licence id of the record", "constraints": {"required": true}}),
        json!({"name": "source_kind", "type": "string", "constraints": {"required": true, "enum": ["submitted", "imported", "curated"]}}),
        string("source_name", "The source, with attribution"),
        json!({"name": "created_at", "type": "datetime", "constraints": {"required": true}}),
        json!({"name": "updated_at", "type": "datetime", "constraints": {"required": true}}),
        json!({"name": "version", "type": "integer", "constraints": {"required": true, "minimum": 1}}),
    ];
    debug_assert_eq!(fields.len(), CSV_COLUMNS.len());
    for field in ["summary", "description"] {
        for lang in &summary.text_languages {
            fields.push(string(
                &format!("{field}_{lang}"),
                &format!("The {field} in language `{lang}`"),
            ));
        }
    }
    let sources: Vec<_> = ATTRIBUTIONS.iter().map(|a| json!({"title": a})).collect();
    let package = json!({
        "profile": "data-package",
        "name": "social-tech-atlas",
        "title": "Social Tech Atlas: Europe's social economy and social tech",
        "description": "Organisations of the social economy and social tech in Europe, with their location. Published actors only; no contact data.",
        "homepage": base,
        "version": "1.0.0",
        "created": Utc::now(),
        "licenses": [{"name": licence, "path": licence_url(licence), "title": licence}],
        "sources": sources,
        "resources": [
            {
                "name": "actors",
                "path": format!("{base}/v1/exports/actors.csv"),
                "profile": "tabular-data-resource",
                "format": "csv",
                "mediatype": "text/csv",
                "encoding": "utf-8",
                "dialect": {"delimiter": ",", "doubleQuote": true, "header": true},
                "schema": {"fields": fields, "primaryKey": ["id"]},
                "licenses": [{"name": licence, "path": licence_url(licence)}],
            },
            {
                "name": "actors-geojson",
                "path": format!("{base}/v1/exports/actors.geojson"),
                "profile": "data-resource",
                "format": "geojson",
                "mediatype": "application/geo+json",
                "encoding": "utf-8",
                "licenses": [{"name": licence, "path": licence_url(licence)}],
            }
        ],
    });
    Ok(Cacheable::json(&package, "application/json", 300)?.respond(&req, |_| {}))
}

/// DCAT-AP catalogue entry
///
/// A `dcat:Dataset` with one distribution per export format, for data portals.
#[utoipa::path(tag = "open data", params(NoParams), responses(
    (status = 200, description = "catalog.jsonld", body = Object, content_type = "application/ld+json"),
    (status = 400, description = "Unknown parameter", body = Problem, content_type = "application/problem+json"),
))]
#[get("/exports/catalog.jsonld")]
pub async fn catalog(
    state: web::Data<AppState>,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let _: NoParams = parse_query(&req)?;
    let summary = state.store.export_summary(&Default::default()).await?;
    let base = state.config.public_base_url.trim_end_matches('/');
    let licence = licence_url(&state.config.data_licence);
    let distributions: Vec<_> = [
        ExportFormat::Csv,
        ExportFormat::GeoJson,
        ExportFormat::NdJson,
        ExportFormat::JsonLd,
    ]
    .iter()
    .map(|format| {
        let url = format!("{base}/v1/exports/actors.{}", format.extension());
        json!({
            "@id": url,
            "@type": "dcat:Distribution",
            "dct:title": format!("Actors ({})", format.extension()),
            "dcat:accessURL": {"@id": url},
            "dcat:downloadURL": {"@id": url},
            "dcat:mediaType": format.media_type().split(';').next().unwrap_or_default(),
            "dct:license": {"@id": licence},
        })
    })
    .collect();
    let catalog = json!({
        "@context": {
            "dcat": "http://www.w3.org/ns/dcat#",
            "dct": "http://purl.org/dc/terms/",
            "foaf": "http://xmlns.com/foaf/0.1/",
            "xsd": "http://www.w3.org/2001/XMLSchema#",
        },
        "@id": format!("{base}/v1/exports/catalog.jsonld"),
        "@type": "dcat:Catalog",
        "dct:title": "Social Tech Atlas",
        "dct:description": "Open data of the Social Tech Atlas.",
        "dcat:dataset": {
            "@id": format!("{base}/v1/exports/catalog.jsonld#actors"),
            "@type": "dcat:Dataset",
            "dct:title": "Social Tech Atlas: actors",
            "dct:description": "Organisations of Europe's social economy and social tech, with their location (published actors; no contact data).",
            "dct:license": {"@id": licence},
            "dct:rightsHolder": "Social Tech Atlas contributors",
            "dct:source": ATTRIBUTIONS,
            "dct:spatial": "Europe",
            "dct:modified": {"@value": summary.last_modified.unwrap_or_else(Utc::now).to_rfc3339(), "@type": "xsd:dateTime"},
            "dcat:keyword": ["social economy", "social tech", "cooperatives", "digital commons", "civil society"],
            "dcat:landingPage": {"@id": format!("{base}/docs/")},
            "dcat:distribution": distributions,
        },
    });
    Ok(Cacheable::json(&catalog, "application/ld+json", 300)?.respond(&req, |_| {}))
}
