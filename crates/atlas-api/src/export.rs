//! The open-data formats of the published dataset, written batch by batch so an export of any
//! size needs the memory of one batch: CSV (RFC 4180), GeoJSON, NDJSON and JSON-LD
//! (schema.org `Organization`). Used by the HTTP exports and by `atlas export`.

use std::str::FromStr;

use atlas_domain::{Actor, ActorId, ActorQuery, Lang};
use atlas_store::{ExportSummary, Store};
use bytes::Bytes;
use chrono::{DateTime, Utc};
use futures_util::Stream;
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

/// The CSV columns before the per-language text columns, in their stable order.
pub const CSV_COLUMNS: [&str; 26] = [
    "id",
    "slug",
    "name",
    "alt_names",
    "kind",
    "categories",
    "tags",
    "languages",
    "country",
    "region",
    "city",
    "postcode",
    "street",
    "lat",
    "lon",
    "location_precision",
    "website",
    "links",
    "founded_year",
    "identifiers",
    "licence",
    "source_kind",
    "source_name",
    "created_at",
    "updated_at",
    "version",
];

/// Spreadsheets run cells starting with these as formulas (CWE-1236): such cells get a
/// leading apostrophe, as OWASP recommends.
fn neutralise(cell: &str) -> String {
    match cell.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => format!("'{cell}"),
        _ => cell.to_owned(),
    }
}

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

    fn csv_header(&self) -> Vec<String> {
        let mut header: Vec<String> = CSV_COLUMNS.iter().map(|c| (*c).to_owned()).collect();
        for field in ["summary", "description"] {
            header.extend(self.text_languages.iter().map(|l| format!("{field}_{l}")));
        }
        header
    }

    pub fn begin(&mut self) -> Result<Vec<u8>, csv::Error> {
        Ok(match self.format {
            ExportFormat::Csv => {
                let mut writer = csv::Writer::from_writer(Vec::new());
                writer.write_record(self.csv_header())?;
                writer.into_inner().map_err(|e| e.into_error())?
            }
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
            ExportFormat::NdJson => Vec::new(),
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
        })
    }

    pub fn batch(&mut self, actors: &[Actor]) -> Result<Vec<u8>, csv::Error> {
        let all_languages = Wanted::default();
        let mut out = Vec::new();
        match self.format {
            ExportFormat::Csv => {
                let mut writer = csv::Writer::from_writer(&mut out);
                for actor in actors {
                    writer.write_record(self.csv_row(actor))?;
                }
                writer.flush()?;
            }
            ExportFormat::GeoJson | ExportFormat::JsonLd | ExportFormat::NdJson => {
                for actor in actors {
                    let view = ActorResponse::new(actor, &all_languages, None);
                    let value = match self.format {
                        ExportFormat::GeoJson => serde_json::to_value(ActorFeature::new(view)),
                        ExportFormat::JsonLd => Ok(self.organization(&view)),
                        _ => serde_json::to_value(view),
                    }
                    .map_err(|e| csv::Error::from(std::io::Error::other(e)))?;
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
            }
        }
        Ok(out)
    }

    pub fn end(&mut self) -> Vec<u8> {
        match self.format {
            ExportFormat::GeoJson | ExportFormat::JsonLd => b"\n]}\n".to_vec(),
            ExportFormat::Csv | ExportFormat::NdJson => Vec::new(),
        }
    }

    fn csv_row(&self, actor: &Actor) -> Vec<String> {
        let p = &actor.profile;
        let text = |t: &str| neutralise(t);
        let list = |items: &[String]| neutralise(&items.join(";"));
        let mut row = vec![
            actor.id.to_string(),
            text(actor.slug.as_str()),
            text(&p.name),
            list(&p.alt_names),
            p.kind.as_str().to_owned(),
            p.categories
                .iter()
                .map(|c| c.as_str())
                .collect::<Vec<_>>()
                .join(";"),
            list(&p.tags),
            p.languages
                .iter()
                .map(Lang::as_str)
                .collect::<Vec<_>>()
                .join(";"),
            p.address
                .country
                .map(|c| c.as_str().to_owned())
                .unwrap_or_default(),
            text(p.address.region.as_deref().unwrap_or_default()),
            text(p.address.city.as_deref().unwrap_or_default()),
            text(p.address.postcode.as_deref().unwrap_or_default()),
            text(p.address.street.as_deref().unwrap_or_default()),
            p.location.lat.to_string(),
            p.location.lon.to_string(),
            p.location.precision.as_str().to_owned(),
            text(p.website.as_ref().map(|w| w.as_str()).unwrap_or_default()),
            text(
                &p.links
                    .iter()
                    .map(|l| format!("{} {}", l.kind, l.url))
                    .collect::<Vec<_>>()
                    .join(";"),
            ),
            p.founded_year.map(|y| y.to_string()).unwrap_or_default(),
            text(
                &p.identifiers
                    .iter()
                    .map(|(k, v)| format!("{k}:{v}"))
                    .collect::<Vec<_>>()
                    .join(";"),
            ),
            text(&p.licence),
            p.source.kind.as_str().to_owned(),
            text(p.source.name.as_deref().unwrap_or_default()),
            actor.created_at.to_rfc3339(),
            actor.updated_at.to_rfc3339(),
            actor.version.to_string(),
        ];
        for texts in [&p.summary, &p.description] {
            row.extend(
                self.text_languages
                    .iter()
                    .map(|l| text(texts.0.get(l).map(String::as_str).unwrap_or_default())),
            );
        }
        row
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

/// The whole export as a stream of chunks. A producer task reads batch after batch and hands
/// each chunk over a small bounded channel, so a slow client slows the reading (back-pressure)
/// and memory stays at a few batches whatever the size of the dataset.
pub fn export_stream(
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
            send(writer.begin().map_err(|e| io(&e))?).await?;
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

#[cfg(test)]
mod tests {
    use super::neutralise;

    #[test]
    fn formula_cells_are_neutralised() {
        assert_eq!(
            neutralise("=HYPERLINK(\"http://x\")"),
            "'=HYPERLINK(\"http://x\")"
        );
        for prefix in ["+", "-", "@", "\t", "\r"] {
            assert!(neutralise(&format!("{prefix}1")).starts_with('\''));
        }
        assert_eq!(neutralise("Repair Café"), "Repair Café");
        assert_eq!(neutralise(""), "");
    }
}
