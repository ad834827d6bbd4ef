//! The open-data formats of the published dataset, streamed so an export of any size needs the
//! memory of a few chunks: CSV (RFC 4180) is written by PostgreSQL (COPY, through the store)
//! and passed through; GeoJSON, NDJSON and JSON-LD (schema.org `Organization`) are written
//! here batch by batch. Used by the HTTP exports and by `atlas export`.

use std::pin::Pin;
use std::str::FromStr;

use atlas_domain::{Actor, ActorId, ActorQuery, Lang};

use atlas_store::{ExportSummary, Store, StoreError};
use bytes::Bytes;
use chrono::{DateTime, Utc};
use futures_util::{Stream, StreamExt};
use serde_json::{json, Value};

use crate::lang::Wanted;
use crate::views::{ActorFeature, ActorResponse};

/// Actors read from the database per round trip.
pub const BATCH_SIZE: u32 = 2_000;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExportFormat {
    Csv,
    GeoJson,
    NdJson,
    JsonLd,
}

impl ExportFormat {
    pub fn extension(self) -> &'static str {
        match self {
            ExportFormat::Csv => "csv",
            ExportFormat::GeoJson => "geojson",
            ExportFormat::NdJson => "ndjson",
            ExportFormat::JsonLd => "jsonld",
        }
    }

    pub fn media_type(self) -> &'static str {
        match self {
            ExportFormat::Csv => "text/csv; charset=utf-8; header=present",
            ExportFormat::GeoJson => "application/geo+json",
            ExportFormat::NdJson => "application/x-ndjson",
            ExportFormat::JsonLd => "application/ld+json",
        }
    }
}

impl FromStr for ExportFormat {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "csv" => Ok(ExportFormat::Csv),
            "geojson" => Ok(ExportFormat::GeoJson),
            "ndjson" => Ok(ExportFormat::NdJson),
            "jsonld" => Ok(ExportFormat::JsonLd),
            other => Err(format!(
                "`{other}` is not one of csv, geojson, ndjson, jsonld"
            )),
        }
    }
}

/// What every export says about itself: licence and the attribution of imported sources.
#[derive(Debug, Clone)]
pub struct ExportMeta {
    pub licence: String,
    pub base_url: String,
    pub generated_at: DateTime<Utc>,
}

pub const ATTRIBUTIONS: [&str; 3] = [
    "SUSY / SSEDAS map of social and solidarity economy initiatives (Public Domain), courtesy: SUSY project / TransforMap",
    "GeoNames (geonames.org), CC-BY 4.0",
    "Country borders: @rapideditor/country-coder (ISC)",
];

/// The CSV columns before the per-language text columns, in their stable order (the store
/// writes the lines; a test checks the header against it).
pub use atlas_store::CSV_COLUMNS;

/// Writes one format, piece by piece.
pub struct ExportWriter {
    format: ExportFormat,
    meta: ExportMeta,
    text_languages: Vec<Lang>,
    written: u64,
}

impl ExportWriter {
    pub fn new(format: ExportFormat, meta: ExportMeta, summary: &ExportSummary) -> ExportWriter {
        ExportWriter {
            format,
            meta,
            text_languages: summary.text_languages.clone(),
            written: 0,
        }
    }

    pub fn begin(&mut self) -> Vec<u8> {
        match self.format {
            ExportFormat::GeoJson => {
                let head = json!({
                    "type": "FeatureCollection",
                    "name": "social-tech-atlas-actors",
                    "license": self.meta.licence,
                    "attribution": ATTRIBUTIONS,
                    "generated_at": self.meta.generated_at,
                })
                .to_string();
                // Open the object again to append the features array.
                format!("{},\"features\":[\n", head.trim_end_matches('}')).into_bytes()
            }
            ExportFormat::NdJson | ExportFormat::Csv => Vec::new(),
            ExportFormat::JsonLd => {
                let head = json!({
                    "@context": {"@vocab": "https://schema.org/"},
                    "@id": format!("{}/v1/exports/actors.jsonld", self.meta.base_url),
                    "@type": "Dataset",
                    "name": "Social Tech Atlas: actors",
                    "license": licence_url(&self.meta.licence),
                    "creditText": ATTRIBUTIONS.join("; "),
                    "dateModified": self.meta.generated_at,
                })
                .to_string();
                format!("{},\"hasPart\":[\n", head.trim_end_matches('}')).into_bytes()
            }
        }
    }

    /// The JSON formats' text for a batch of actors (CSV comes from the store whole).
    pub fn batch(&mut self, actors: &[Actor]) -> Result<Vec<u8>, serde_json::Error> {
        let all_languages = Wanted::default();
        let mut out = Vec::new();
        for actor in actors {
            let view = ActorResponse::new(actor, &all_languages, None);
            let value = match self.format {
                ExportFormat::GeoJson => serde_json::to_value(ActorFeature::new(view))?,
                ExportFormat::JsonLd => self.organization(&view),
                _ => serde_json::to_value(view)?,
            };
            let separator = match self.format {
                ExportFormat::NdJson => "",
                _ if self.written == 0 => "",
                _ => ",\n",
            };
            out.extend_from_slice(separator.as_bytes());
            out.extend_from_slice(value.to_string().as_bytes());
            if self.format == ExportFormat::NdJson {
                out.push(b'\n');
            }
            self.written += 1;
        }
        Ok(out)
    }

    pub fn end(&mut self) -> Vec<u8> {
        match self.format {
            ExportFormat::GeoJson | ExportFormat::JsonLd => b"\n]}\n".to_vec(),
            ExportFormat::Csv | ExportFormat::NdJson => Vec::new(),
        }
    }

    /// schema.org `Organization` with `address`, `geo`, `url`, `sameAs`, `knowsLanguage`.
    fn organization(&self, view: &ActorResponse) -> Value {
        let mut same_as: Vec<String> = view.links.iter().map(|l| l.url.clone()).collect();
        if let Some(qid) = view.identifiers.get("wikidata") {
            same_as.push(format!("https://www.wikidata.org/wiki/{qid}"));
        }
        let description: Vec<Value> = view
            .description
            .iter()
            .map(|(lang, text)| json!({"@value": text, "@language": lang}))
            .collect();
        let mut organization = json!({
            "@id": format!("{}/v1/actors/{}", self.meta.base_url, view.id),
            "@type": "Organization",
            "identifier": view.id,
            "name": view.name,
            "alternateName": view.alt_names,
            "description": description,
            "url": view.website,
            "sameAs": same_as,
            "knowsLanguage": view.languages,
            "foundingDate": view.founded_year.map(|y| y.to_string()),
            "keywords": view.tags,
            "address": {
                "@type": "PostalAddress",
                "streetAddress": view.street,
                "postalCode": view.postcode,
                "addressLocality": view.city,
                "addressRegion": view.region,
                "addressCountry": view.country,
            },
            "geo": {
                "@type": "GeoCoordinates",
                "latitude": view.location.lat,
                "longitude": view.location.lon,
            },
            "license": licence_url(&view.licence),
            "dateModified": view.updated_at,
        });
        strip_nulls(&mut organization);
        organization
    }
}

/// JSON-LD processors drop nulls anyway; leaving them out keeps the file small.
fn strip_nulls(value: &mut Value) {
    if let Value::Object(map) = value {
        map.retain(|_, v| !v.is_null());
        map.values_mut().for_each(strip_nulls);
    }
}

/// A URL for a licence id: SPDX ids resolve on spdx.org.
pub fn licence_url(licence: &str) -> String {
    format!("https://spdx.org/licenses/{licence}.html")
}

/// The whole export as a stream of chunks. CSV is PostgreSQL's COPY output passed through as
/// it arrives (the client's pace is the database's pace); the JSON formats are written by a
/// producer task that reads batch after batch and hands each chunk over a small bounded
/// channel. Either way a slow client slows the reading (back-pressure) and memory stays at a
/// few chunks whatever the size of the dataset.
pub async fn export_stream(
    store: Store,
    query: ActorQuery,
    writer: ExportWriter,
) -> Result<Pin<Box<dyn Stream<Item = Result<Bytes, std::io::Error>> + Send>>, StoreError> {
    if writer.format == ExportFormat::Csv {
        let csv = store.export_csv(&query, &writer.text_languages).await?;
        return Ok(Box::pin(csv.map(|chunk| {
            chunk.map_err(|error| {
                tracing::error!(%error, "CSV export failed mid-stream");
                std::io::Error::other(error.to_string())
            })
        })));
    }
    Ok(Box::pin(json_export_stream(store, query, writer)))
}

fn json_export_stream(
    store: Store,
    query: ActorQuery,
    mut writer: ExportWriter,
) -> impl Stream<Item = Result<Bytes, std::io::Error>> {
    let (sender, receiver) = tokio::sync::mpsc::channel::<Result<Bytes, std::io::Error>>(2);
    tokio::spawn(async move {
        let result: Result<(), std::io::Error> = async {
            let io = |e: &dyn std::fmt::Display| std::io::Error::other(e.to_string());
            let send = |chunk: Vec<u8>| {
                let sender = sender.clone();
                async move {
                    sender
                        .send(Ok(Bytes::from(chunk)))
                        .await
                        .map_err(|_| std::io::Error::other("client gone"))
                }
            };
            send(writer.begin()).await?;
            let mut after: Option<ActorId> = None;
            loop {
                let batch = store
                    .export_batch(&query, after, BATCH_SIZE)
                    .await
                    .map_err(|e| io(&e))?;
                let Some(last) = batch.last() else { break };
                after = Some(last.id);
                let full = batch.len() == BATCH_SIZE as usize;
                send(writer.batch(&batch).map_err(|e| io(&e))?).await?;
                if !full {
                    break;
                }
            }
            send(writer.end()).await
        }
        .await;
        if let Err(error) = result {
            if error.to_string() != "client gone" {
                tracing::error!(%error, "export failed mid-stream");
                let _ = sender.send(Err(error)).await;
            }
        }
    });
    futures_util::stream::unfold(receiver, |mut receiver| async move {
        receiver.recv().await.map(|item| (item, receiver))
    })
}
