//! Bulk import: reading a CSV or GeoJSON file into source records, mapping their columns (or
//! properties) onto actor fields, and the report of what an import did or would do.
//!
//! Pure: deciding whether a record is new, changed or unchanged is the store's job, and
//! checking points against country borders the caller's; both feed the [`ImportReport`].

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::str::FromStr;

use serde::Serialize;
use serde_json::{Map, Value};
use uuid::Uuid;

use crate::actor::{ActorDraft, ActorId, Fix, Source, SourceKind};
use crate::validation::{FieldError, ValidationErrors};

/// The file formats an import reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ImportFormat {
    Csv,
    GeoJson,
}

impl FromStr for ImportFormat {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.to_ascii_lowercase().as_str() {
            "csv" => Ok(ImportFormat::Csv),
            "geojson" | "json" => Ok(ImportFormat::GeoJson),
            other => Err(format!("`{other}` is not one of csv, geojson")),
        }
    }
}

impl fmt::Display for ImportFormat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            ImportFormat::Csv => "csv",
            ImportFormat::GeoJson => "geojson",
        })
    }
}

/// Where a record is in its file, so a person can find it: the CSV line where the record
/// starts (the header is line 1), or the index of the GeoJSON feature (from 0).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum RecordPosition {
    Line(u64),
    Feature(usize),
}

impl fmt::Display for RecordPosition {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RecordPosition::Line(line) => write!(f, "line {line}"),
            RecordPosition::Feature(index) => write!(f, "feature {index}"),
        }
    }
}

/// One record of a file: its values by column (CSV: every value a string) or by property
/// (GeoJSON), and the point of a GeoJSON feature.
#[derive(Debug, Clone, PartialEq)]
pub struct SourceRecord {
    pub position: RecordPosition,
    pub values: Map<String, Value>,
    /// `[lon, lat]` of a GeoJSON Point geometry.
    pub point: Option<[f64; 2]>,
    /// What is wrong with the record's shape (a CSV row of the wrong width, a feature
    /// without a Point): the record is rejected with these reasons.
    pub problems: Vec<FieldError>,
}

impl SourceRecord {
    /// The value a mapping names: a column or property, or a dotted path into a property
    /// (`location.precision`) when no property has the whole name.
    pub fn get(&self, reference: &str) -> Option<&Value> {
        if let Some(value) = self.values.get(reference) {
            return Some(value);
        }
        let mut parts = reference.split('.');
        let mut value = self.values.get(parts.next()?)?;
        for part in parts {
            value = value.as_object()?.get(part)?;
        }
        Some(value)
    }

    /// The value as trimmed text, when it is a non-empty string or a number.
    pub fn text(&self, reference: &str) -> Option<String> {
        value_text(self.get(reference)?)
    }
}

fn value_text(value: &Value) -> Option<String> {
    match value {
        Value::String(s) => Some(s.trim().to_owned()).filter(|s| !s.is_empty()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

/// A file read into records. Only the file's shape is checked here; the records' content is
/// checked record by record, so one bad record never hides the others.
#[derive(Debug, Clone)]
pub struct SourceFile {
    pub format: ImportFormat,
    /// CSV: the header. GeoJSON: every property name used by some feature.
    pub columns: Vec<String>,
    pub records: Vec<SourceRecord>,
}

/// Our CSV export neutralises cells that spreadsheets would run as formulas with a leading
/// apostrophe; reading undoes that so an export re-imports unchanged.
fn unneutralise(cell: &str) -> &str {
    match cell.strip_prefix('\'') {
        Some(rest) if rest.starts_with(['=', '+', '-', '@', '\t', '\r']) => rest,
        _ => cell,
    }
}

impl SourceFile {
    /// Reads a whole file. A file that is not of its format (not UTF-8 text, no header, broken
    /// JSON, not a FeatureCollection) is one error naming `file`.
    pub fn parse(format: ImportFormat, bytes: &[u8]) -> Result<SourceFile, FieldError> {
        let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
        match format {
            ImportFormat::Csv => parse_csv(bytes),
            ImportFormat::GeoJson => parse_geojson(bytes),
        }
    }
}

fn parse_csv(bytes: &[u8]) -> Result<SourceFile, FieldError> {
    let invalid = |message: String| FieldError::new("file", "invalid_csv", message);
    if std::str::from_utf8(bytes).is_err() {
        return Err(invalid(
            "the file is not UTF-8 text; save the CSV as UTF-8".into(),
        ));
    }
    let mut reader = csv::ReaderBuilder::new().flexible(true).from_reader(bytes);
    let header: Vec<String> = reader
        .headers()
        .map_err(|e| invalid(format!("the header cannot be read: {e}")))?
        .iter()
        .map(|h| h.trim().to_owned())
        .collect();
    if header.iter().all(String::is_empty) {
        return Err(invalid(
            "the file is empty or has no header row naming its columns".into(),
        ));
    }
    let mut seen = BTreeSet::new();
    if let Some(duplicate) = header
        .iter()
        .find(|h| !h.is_empty() && !seen.insert(h.as_str()))
    {
        return Err(invalid(format!("the header names `{duplicate}` twice")));
    }
    let mut records = Vec::new();
    let mut lines = LineCounter {
        bytes,
        offset: 0,
        line: 1,
    };
    for row in reader.records() {
        let row = row.map_err(|e| {
            let line = e.position().map(|p| p.line()).unwrap_or_default();
            invalid(format!("line {line} cannot be read: {e}"))
        })?;
        // From the byte offset: the reader's own line counter skips blank lines.
        let line = row
            .position()
            .map(|p| lines.line_at(p.byte()))
            .unwrap_or_default();
        if row.iter().all(|cell| cell.trim().is_empty()) {
            continue;
        }
        let mut problems = Vec::new();
        if row.len() != header.len() {
            problems.push(FieldError::new(
                "row",
                "wrong_field_count",
                format!(
                    "the row has {} fields, the header {}",
                    row.len(),
                    header.len()
                ),
            ));
        }
        let values = header
            .iter()
            .zip(row.iter())
            .filter(|(name, _)| !name.is_empty())
            .map(|(name, cell)| (name.clone(), Value::String(unneutralise(cell).to_owned())))
            .collect();
        records.push(SourceRecord {
            position: RecordPosition::Line(line),
            values,
            point: None,
            problems,
        });
    }
    Ok(SourceFile {
        format: ImportFormat::Csv,
        columns: header.into_iter().filter(|h| !h.is_empty()).collect(),
        records,
    })
}

/// Counts lines as the reader moves through the file, so a record's line costs only the
/// bytes since the previous record.
struct LineCounter<'a> {
    bytes: &'a [u8],
    offset: usize,
    line: u64,
}

impl LineCounter<'_> {
    /// The 1-based line where the record at `offset` starts; the reader's offset can point at
    /// blank lines before the record.
    fn line_at(&mut self, offset: u64) -> u64 {
        let mut end = usize::try_from(offset)
            .unwrap_or(usize::MAX)
            .min(self.bytes.len());
        while end < self.bytes.len() && matches!(self.bytes[end], b'\n' | b'\r') {
            end += 1;
        }
        if end >= self.offset {
            self.line += self.bytes[self.offset..end]
                .iter()
                .filter(|b| **b == b'\n')
                .count() as u64;
            self.offset = end;
        }
        self.line
    }
}

fn parse_geojson(bytes: &[u8]) -> Result<SourceFile, FieldError> {
    let invalid = |message: String| FieldError::new("file", "invalid_geojson", message);
    let collection: Value = serde_json::from_slice(bytes)
        .map_err(|e| invalid(format!("the file is not valid JSON: {e}")))?;
    if collection["type"] != "FeatureCollection" {
        return Err(invalid(
            "the file is not a GeoJSON FeatureCollection (its `type` must be `FeatureCollection`)"
                .into(),
        ));
    }
    let Some(features) = collection["features"].as_array() else {
        return Err(invalid(
            "the FeatureCollection has no `features` array".into(),
        ));
    };
    let mut columns = BTreeSet::new();
    let mut records = Vec::with_capacity(features.len());
    for (index, feature) in features.iter().enumerate() {
        let mut problems = Vec::new();
        if feature["type"] != "Feature" {
            problems.push(FieldError::new(
                "feature",
                "not_a_feature",
                "the member of `features` is not a GeoJSON Feature",
            ));
        }
        let values = match &feature["properties"] {
            Value::Object(properties) => properties.clone(),
            Value::Null => Map::new(),
            _ => {
                problems.push(FieldError::new(
                    "properties",
                    "invalid_properties",
                    "`properties` must be an object",
                ));
                Map::new()
            }
        };
        columns.extend(values.keys().cloned());
        let geometry = &feature["geometry"];
        let point = match (&geometry["type"], geometry["coordinates"].as_array()) {
            (Value::Null, _) => None,
            (kind, Some(coordinates)) if kind == "Point" => {
                match (
                    coordinates.first().and_then(Value::as_f64),
                    coordinates.get(1).and_then(Value::as_f64),
                ) {
                    (Some(lon), Some(lat)) => Some([lon, lat]),
                    _ => {
                        problems.push(FieldError::new(
                            "geometry",
                            "invalid_geometry",
                            "a Point needs numeric [lon, lat] coordinates",
                        ));
                        None
                    }
                }
            }
            (kind, _) => {
                problems.push(FieldError::new(
                    "geometry",
                    "invalid_geometry",
                    format!("the geometry must be a Point, not {kind}"),
                ));
                None
            }
        };
        records.push(SourceRecord {
            position: RecordPosition::Feature(index),
            values,
            point,
            problems,
        });
    }
    Ok(SourceFile {
        format: ImportFormat::GeoJson,
        columns: columns.into_iter().collect(),
        records,
    })
}

/// How an import finds the actor a record describes again next time.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RecordKey {
    /// An Atlas actor id (our own exports): the record updates that actor.
    Id(ActorId),
    /// The record's id in its source; with the source's name it is unique.
    External(String),
}

impl RecordKey {
    /// The actor id the record is stored under: an external id always gives the same one.
    pub fn actor_id(&self, source: &str) -> ActorId {
        match self {
            RecordKey::Id(id) => *id,
            RecordKey::External(external_id) => ActorId::for_external(source, external_id),
        }
    }

    /// What identifies the record in a report.
    pub fn label(&self) -> String {
        match self {
            RecordKey::Id(id) => id.to_string(),
            RecordKey::External(external_id) => external_id.clone(),
        }
    }
}

/// A record turned into a draft actor, with what the mapping could not read.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct MappedRecord {
    pub key: Option<RecordKey>,
    pub draft: ActorDraft,
    /// The record's own licence (our exports carry it); else the import's.
    pub licence: Option<String>,
    /// The record's own source (our exports carry it); else the import's.
    pub source: Option<Source>,
    /// Whether the record speaks about contact details at all. When the mapping has no contact
    /// field (our public exports have none), the stored contact details are kept.
    pub has_contact: bool,
    pub problems: Vec<FieldError>,
}

/// Turns a source record into a draft actor. A field mapping does this for any file; the seed
/// has its own for the SUSY records' codes.
pub trait RecordMapper {
    fn map(&self, record: &SourceRecord) -> MappedRecord;

    /// The source column that holds an actor field, to point a person at it in a report.
    fn column_of(&self, _field: &str) -> Option<String> {
        None
    }
}

/// An Atlas field a column can fill.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum Target {
    Id,
    ExternalId,
    Name,
    AltNames,
    /// The whole multilingual text from an object `{lang: text}` (GeoJSON).
    Summary,
    SummaryIn(String),
    Description,
    DescriptionIn(String),
    Kind,
    Categories,
    Tags,
    Languages,
    Country,
    Region,
    City,
    Postcode,
    Street,
    Lat,
    Lon,
    Precision,
    Website,
    Links,
    FoundedYear,
    Identifiers,
    Identifier(String),
    ContactEmail,
    ContactPhone,
    Licence,
    SourceKind,
    SourceName,
}

/// The target names a mapping may use, for the error that names an unknown one.
pub const TARGET_NAMES: &str = "id, external_id, name, alt_names, summary, summary.<lang>, \
description, description.<lang>, kind, categories, tags, languages, country, region, city, \
postcode, street, lat, lon, precision, website, links, founded_year, identifiers, \
identifiers.<key>, contact_email, contact_phone, licence, source_kind, source_name";

impl Target {
    pub fn parse(name: &str) -> Option<Target> {
        let lang_ok = |l: &str| l.len() == 2 && l.chars().all(|c| c.is_ascii_lowercase());
        let key_ok = |k: &str| {
            !k.is_empty() && k.len() <= 32 && k.chars().all(|c| c.is_ascii_lowercase() || c == '_')
        };
        Some(match name {
            "id" => Target::Id,
            "external_id" => Target::ExternalId,
            "name" => Target::Name,
            "alt_names" => Target::AltNames,
            "summary" => Target::Summary,
            "description" => Target::Description,
            "kind" => Target::Kind,
            "categories" => Target::Categories,
            "tags" => Target::Tags,
            "languages" => Target::Languages,
            "country" => Target::Country,
            "region" => Target::Region,
            "city" => Target::City,
            "postcode" => Target::Postcode,
            "street" => Target::Street,
            "lat" => Target::Lat,
            "lon" => Target::Lon,
            "precision" | "location_precision" => Target::Precision,
            "website" => Target::Website,
            "links" => Target::Links,
            "founded_year" => Target::FoundedYear,
            "identifiers" => Target::Identifiers,
            "contact_email" => Target::ContactEmail,
            "contact_phone" => Target::ContactPhone,
            "licence" => Target::Licence,
            "source_kind" => Target::SourceKind,
            "source_name" => Target::SourceName,
            other => {
                let (head, tail) = other.split_once('.')?;
                match head {
                    "summary" if lang_ok(tail) => Target::SummaryIn(tail.to_owned()),
                    "description" if lang_ok(tail) => Target::DescriptionIn(tail.to_owned()),
                    "identifiers" if key_ok(tail) => Target::Identifier(tail.to_owned()),
                    _ => return None,
                }
            }
        })
    }

    /// The field name `ActorDraft::parse` reports errors under (its prefix).
    fn field(&self) -> String {
        match self {
            Target::Id => "id".into(),
            Target::ExternalId => "external_id".into(),
            Target::Name => "name".into(),
            Target::AltNames => "alt_names".into(),
            Target::Summary => "summary".into(),
            Target::SummaryIn(lang) => format!("summary.{lang}"),
            Target::Description => "description".into(),
            Target::DescriptionIn(lang) => format!("description.{lang}"),
            Target::Kind => "kind".into(),
            Target::Categories => "categories".into(),
            Target::Tags => "tags".into(),
            Target::Languages => "languages".into(),
            Target::Country => "country".into(),
            Target::Region => "region".into(),
            Target::City => "city".into(),
            Target::Postcode => "postcode".into(),
            Target::Street => "street".into(),
            Target::Lat => "location.lat".into(),
            Target::Lon => "location.lon".into(),
            Target::Precision => "location.precision".into(),
            Target::Website => "website".into(),
            Target::Links => "links".into(),
            Target::FoundedYear => "founded_year".into(),
            Target::Identifiers => "identifiers".into(),
            Target::Identifier(key) => format!("identifiers.{key}"),
            Target::ContactEmail => "contact_email".into(),
            Target::ContactPhone => "contact_phone".into(),
            Target::Licence => "licence".into(),
            Target::SourceKind => "source.kind".into(),
            Target::SourceName => "source.name".into(),
        }
    }
}

/// Which column (CSV) or property (GeoJSON) fills which Atlas field.
///
/// As JSON: `{"source": "partner-x", "source_name": "Partner X (CC-BY-4.0)",
/// "list_separator": ";", "fields": {"name": "Organisation", "description.de": "Text",
/// "lat": "Y", "lon": "X", "external_id": "ID", "contact_email": "Mail"}}`.
/// Without a mapping, the file's columns are read under our own export's names, so an
/// export of the Atlas re-imports as it is.
#[derive(Debug, Clone, PartialEq)]
pub struct FieldMapping {
    /// Namespace of the external ids (with the id, the stable key of a record).
    pub source: String,
    /// Attribution stored as the actors' `source.name`, when the records name none.
    pub source_name: Option<String>,
    pub list_separator: String,
    pub fields: BTreeMap<Target, String>,
}

/// The namespace of external ids when the mapping names none.
pub const DEFAULT_IMPORT_SOURCE: &str = "import";

impl FieldMapping {
    /// Our export's column names, for the columns the file has: CSV (`description_en`,
    /// `location_precision`, …) or GeoJSON properties (`description` objects, `location.lat`).
    pub fn default_for(file: &SourceFile) -> FieldMapping {
        let has = |column: &str| file.columns.iter().any(|c| c == column);
        let mut fields = BTreeMap::new();
        let plain = [
            (Target::Id, "id"),
            (Target::ExternalId, "external_id"),
            (Target::Name, "name"),
            (Target::AltNames, "alt_names"),
            (Target::Kind, "kind"),
            (Target::Categories, "categories"),
            (Target::Tags, "tags"),
            (Target::Languages, "languages"),
            (Target::Country, "country"),
            (Target::Region, "region"),
            (Target::City, "city"),
            (Target::Postcode, "postcode"),
            (Target::Street, "street"),
            (Target::Website, "website"),
            (Target::Links, "links"),
            (Target::FoundedYear, "founded_year"),
            (Target::Identifiers, "identifiers"),
            (Target::ContactEmail, "contact_email"),
            (Target::ContactPhone, "contact_phone"),
            (Target::Licence, "licence"),
        ];
        for (target, column) in plain {
            if has(column) {
                fields.insert(target, column.to_owned());
            }
        }
        match file.format {
            ImportFormat::Csv => {
                for (target, column) in [
                    (Target::Lat, "lat"),
                    (Target::Lon, "lon"),
                    (Target::Precision, "location_precision"),
                    (Target::SourceKind, "source_kind"),
                    (Target::SourceName, "source_name"),
                ] {
                    if has(column) {
                        fields.insert(target, column.to_owned());
                    }
                }
                for column in &file.columns {
                    let lang = |prefix: &str| {
                        column
                            .strip_prefix(prefix)
                            .filter(|l| l.len() == 2)
                            .map(str::to_owned)
                    };
                    if let Some(lang) = lang("summary_") {
                        fields.insert(Target::SummaryIn(lang), column.clone());
                    } else if let Some(lang) = lang("description_") {
                        fields.insert(Target::DescriptionIn(lang), column.clone());
                    }
                }
            }
            ImportFormat::GeoJson => {
                for (target, column) in [
                    (Target::Summary, "summary"),
                    (Target::Description, "description"),
                ] {
                    if has(column) {
                        fields.insert(target, column.to_owned());
                    }
                }
                if has("location") {
                    fields.insert(Target::Precision, "location.precision".to_owned());
                }
                if has("source") {
                    fields.insert(Target::SourceKind, "source.kind".to_owned());
                    fields.insert(Target::SourceName, "source.name".to_owned());
                }
            }
        }
        FieldMapping {
            source: DEFAULT_IMPORT_SOURCE.to_owned(),
            source_name: None,
            list_separator: ";".to_owned(),
            fields,
        }
    }

    /// Reads a mapping given as JSON and checks it against the file: every target must be an
    /// Atlas field and every column must exist in the file. Errors name `mapping.…`.
    pub fn parse(json: &Value, file: &SourceFile) -> Result<FieldMapping, ValidationErrors> {
        let mut errors = ValidationErrors::default();
        let Some(object) = json.as_object() else {
            errors.push(
                "mapping",
                "invalid_mapping",
                "the mapping must be a JSON object with a `fields` object",
            );
            return Err(errors);
        };
        for key in object.keys() {
            if !["source", "source_name", "list_separator", "fields"].contains(&key.as_str()) {
                errors.push(
                    format!("mapping.{key}"),
                    "unknown_field",
                    "a mapping has `fields`, and optionally `source`, `source_name` and `list_separator`",
                );
            }
        }
        let text = |key: &str, errors: &mut ValidationErrors| -> Option<String> {
            match object.get(key) {
                None | Some(Value::Null) => None,
                Some(Value::String(s)) => Some(s.trim().to_owned()),
                Some(_) => {
                    errors.push(format!("mapping.{key}"), "invalid_type", "must be a string");
                    None
                }
            }
        };
        let source = text("source", &mut errors);
        if let Some(source) = &source {
            let ok = !source.is_empty()
                && source.len() <= 40
                && source
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_');
            if !ok {
                errors.push(
                    "mapping.source",
                    "invalid_source",
                    "a short lowercase name of the source such as `partner-x` (letters, digits, - and _)",
                );
            }
        }
        let source_name = text("source_name", &mut errors).filter(|s| !s.is_empty());
        if source_name
            .as_ref()
            .is_some_and(|s| s.chars().count() > 200)
        {
            errors.push("mapping.source_name", "too_long", "at most 200 characters");
        }
        let list_separator = text("list_separator", &mut errors).unwrap_or_else(|| ";".into());
        if list_separator.is_empty() || list_separator.chars().count() > 3 {
            errors.push(
                "mapping.list_separator",
                "invalid_separator",
                "one to three characters, such as `;` or `|`",
            );
        }
        let mut fields = BTreeMap::new();
        match object.get("fields") {
            Some(Value::Object(entries)) => {
                for (name, column) in entries {
                    let field = format!("mapping.fields.{name}");
                    let Some(target) = Target::parse(name) else {
                        errors.push(
                            field,
                            "unknown_target",
                            format!("`{name}` is not an Atlas field; use one of {TARGET_NAMES}"),
                        );
                        continue;
                    };
                    let Some(column) = column.as_str().map(str::trim).filter(|c| !c.is_empty())
                    else {
                        errors.push(field, "invalid_type", "the name of a column or property");
                        continue;
                    };
                    let exists = match file.format {
                        ImportFormat::Csv => file.columns.iter().any(|c| c == column),
                        ImportFormat::GeoJson => {
                            file.records.iter().any(|r| r.get(column).is_some())
                        }
                    };
                    if !exists {
                        errors.push(
                            field,
                            "missing_column",
                            format!(
                                "the file has no {} `{column}`",
                                match file.format {
                                    ImportFormat::Csv => "column",
                                    ImportFormat::GeoJson => "property",
                                }
                            ),
                        );
                        continue;
                    }
                    fields.insert(target, column.to_owned());
                }
                if errors.is_empty() {
                    if !fields.contains_key(&Target::Name) {
                        errors.push("mapping.fields.name", "required", "map a column to `name`");
                    }
                    if !fields.contains_key(&Target::Id)
                        && !fields.contains_key(&Target::ExternalId)
                    {
                        errors.push(
                            "mapping.fields.external_id",
                            "required",
                            "map the column holding each record's id in its source to `external_id` (or an Atlas id to `id`), so a second import updates instead of duplicating",
                        );
                    }
                    if file.format == ImportFormat::Csv
                        && !(fields.contains_key(&Target::Lat) && fields.contains_key(&Target::Lon))
                    {
                        errors.push(
                            "mapping.fields.lat",
                            "required",
                            "map the columns holding latitude and longitude to `lat` and `lon`",
                        );
                    }
                    if fields.contains_key(&Target::ExternalId) && source.is_none() {
                        errors.push(
                            "mapping.source",
                            "required",
                            "name the source of the external ids, such as `partner-x`",
                        );
                    }
                }
            }
            _ => errors.push(
                "mapping.fields",
                "required",
                "an object from Atlas field to column, such as {\"name\": \"Organisation\"}",
            ),
        }
        errors.into_result(|| FieldMapping {
            source: source.unwrap_or_else(|| DEFAULT_IMPORT_SOURCE.to_owned()),
            source_name,
            list_separator,
            fields,
        })
    }

    /// Checks a default mapping has what an import needs; the error names the file's columns.
    pub fn check_default(&self, file: &SourceFile) -> Result<(), ValidationErrors> {
        let mut errors = ValidationErrors::default();
        let kind = match file.format {
            ImportFormat::Csv => "column",
            ImportFormat::GeoJson => "property",
        };
        if !self.fields.contains_key(&Target::Name) {
            errors.push(
                "mapping",
                "mapping_required",
                format!("the file has no `name` {kind}; send a mapping that says which {kind} holds each field"),
            );
        } else if !self.fields.contains_key(&Target::Id)
            && !self.fields.contains_key(&Target::ExternalId)
        {
            errors.push(
                "mapping",
                "mapping_required",
                format!("the file has no `id` or `external_id` {kind}; send a mapping with `external_id` and `source`"),
            );
        } else if file.format == ImportFormat::Csv
            && !(self.fields.contains_key(&Target::Lat) && self.fields.contains_key(&Target::Lon))
        {
            errors.push(
                "mapping",
                "mapping_required",
                "the file has no `lat` and `lon` columns; send a mapping that names them",
            );
        }
        errors.into_result(|| ())
    }

    fn list(&self, value: &Value) -> Vec<String> {
        match value {
            Value::Array(items) => items.iter().filter_map(value_text).collect(),
            other => value_text(other)
                .map(|text| {
                    text.split(self.list_separator.as_str())
                        .map(str::trim)
                        .filter(|s| !s.is_empty())
                        .map(str::to_owned)
                        .collect()
                })
                .unwrap_or_default(),
        }
    }
}

fn number(
    record: &SourceRecord,
    column: &str,
    field: &str,
    problems: &mut Vec<FieldError>,
) -> Option<f64> {
    match record.get(column)? {
        Value::Number(n) => n.as_f64(),
        Value::String(s) if s.trim().is_empty() => None,
        Value::String(s) => match s.trim().replace(',', ".").parse::<f64>() {
            Ok(n) => Some(n),
            Err(_) => {
                problems.push(FieldError::new(
                    field,
                    "not_a_number",
                    format!(
                        "`{}` is not a number",
                        s.chars().take(40).collect::<String>()
                    ),
                ));
                None
            }
        },
        Value::Null => None,
        _ => {
            problems.push(FieldError::new(field, "not_a_number", "not a number"));
            None
        }
    }
}

fn text_map(value: &Value) -> BTreeMap<String, String> {
    value
        .as_object()
        .map(|object| {
            object
                .iter()
                .filter_map(|(k, v)| Some((k.clone(), value_text(v)?)))
                .collect()
        })
        .unwrap_or_default()
}

impl RecordMapper for FieldMapping {
    fn map(&self, record: &SourceRecord) -> MappedRecord {
        let mut mapped = MappedRecord {
            problems: record.problems.clone(),
            ..MappedRecord::default()
        };
        let draft = &mut mapped.draft;
        let mut source_kind = None;
        let mut source_name = None;
        for (target, column) in &self.fields {
            let Some(value) = record.get(column) else {
                continue;
            };
            let text = || value_text(value);
            match target {
                Target::Id => match text() {
                    None => {}
                    Some(raw) => match Uuid::parse_str(&raw) {
                        Ok(id) => mapped.key = Some(RecordKey::Id(ActorId(id))),
                        Err(_) => mapped.problems.push(FieldError::new(
                            "id",
                            "invalid_id",
                            format!(
                                "`{}` is not an Atlas id (a UUID)",
                                raw.chars().take(60).collect::<String>()
                            ),
                        )),
                    },
                },
                Target::ExternalId => {
                    if let Some(raw) = text() {
                        if raw.chars().count() > 200 {
                            mapped.problems.push(FieldError::new(
                                "external_id",
                                "too_long",
                                "at most 200 characters",
                            ));
                        } else if !matches!(mapped.key, Some(RecordKey::Id(_))) {
                            mapped.key = Some(RecordKey::External(raw));
                        }
                    }
                }
                Target::Name => draft.name = text(),
                Target::AltNames => draft.alt_names = self.list(value),
                Target::Summary => draft.summary.extend(text_map(value)),
                Target::SummaryIn(lang) => {
                    if let Some(t) = text() {
                        draft.summary.insert(lang.clone(), t);
                    }
                }
                Target::Description => draft.description.extend(text_map(value)),
                Target::DescriptionIn(lang) => {
                    if let Some(t) = text() {
                        draft.description.insert(lang.clone(), t);
                    }
                }
                Target::Kind => draft.kind = text(),
                Target::Categories => draft.categories = self.list(value),
                Target::Tags => draft.tags = self.list(value),
                Target::Languages => draft.languages = self.list(value),
                Target::Country => draft.country = text(),
                Target::Region => draft.region = text(),
                Target::City => draft.city = text(),
                Target::Postcode => draft.postcode = text(),
                Target::Street => draft.street = text(),
                Target::Lat => {
                    draft.lat = number(record, column, "location.lat", &mut mapped.problems)
                }
                Target::Lon => {
                    draft.lon = number(record, column, "location.lon", &mut mapped.problems)
                }
                Target::Precision => draft.precision = text(),
                Target::Website => draft.website = text(),
                Target::Links => {
                    draft.links = match value {
                        Value::Array(items) => items
                            .iter()
                            .filter_map(|item| {
                                Some((value_text(&item["kind"])?, value_text(&item["url"])?))
                            })
                            .collect(),
                        // Our CSV: `kind url` pairs.
                        _ => self
                            .list(value)
                            .iter()
                            .map(|pair| match pair.split_once(' ') {
                                Some((kind, url)) => (kind.to_owned(), url.trim().to_owned()),
                                None => ("website".to_owned(), pair.clone()),
                            })
                            .collect(),
                    }
                }
                Target::FoundedYear => {
                    if let Some(year) = number(record, column, "founded_year", &mut mapped.problems)
                    {
                        if year.fract() == 0.0 {
                            draft.founded_year = Some(year as i64);
                        } else {
                            mapped.problems.push(FieldError::new(
                                "founded_year",
                                "not_a_year",
                                "a year such as 1999",
                            ));
                        }
                    }
                }
                Target::Identifiers => match value {
                    Value::Object(_) => draft.identifiers.extend(text_map(value)),
                    // Our CSV: `key:value` pairs.
                    _ => {
                        for pair in self.list(value) {
                            match pair.split_once(':') {
                                Some((key, id)) => {
                                    draft
                                        .identifiers
                                        .insert(key.trim().to_owned(), id.trim().to_owned());
                                }
                                None => mapped.problems.push(FieldError::new(
                                    "identifiers",
                                    "invalid_identifier",
                                    format!("`{pair}` is not a `name:value` pair"),
                                )),
                            }
                        }
                    }
                },
                Target::Identifier(key) => {
                    if let Some(id) = text() {
                        draft.identifiers.insert(key.clone(), id);
                    }
                }
                Target::ContactEmail => {
                    mapped.has_contact = true;
                    draft.contact_email = text();
                }
                Target::ContactPhone => {
                    mapped.has_contact = true;
                    draft.contact_phone = text();
                }
                Target::Licence => mapped.licence = text(),
                Target::SourceKind => source_kind = text(),
                Target::SourceName => source_name = text(),
            }
        }
        if record.point.is_some() && draft.lat.is_none() && draft.lon.is_none() {
            if let Some([lon, lat]) = record.point {
                draft.lon = Some(lon);
                draft.lat = Some(lat);
            }
        }
        if let Some(licence) = &mapped.licence {
            let ok = licence.len() <= 64
                && licence
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || ".-+".contains(c));
            if !ok {
                mapped.problems.push(FieldError::new(
                    "licence",
                    "invalid_licence",
                    "an SPDX licence id such as `ODbL-1.0` or `CC-BY-4.0`",
                ));
            }
        }
        let kind = match source_kind.as_deref() {
            None => SourceKind::Imported,
            Some(raw) => match raw.parse() {
                Ok(kind) => kind,
                Err(message) => {
                    mapped.problems.push(FieldError::new(
                        "source.kind",
                        "invalid_source_kind",
                        message,
                    ));
                    SourceKind::Imported
                }
            },
        };
        mapped.source = Some(Source {
            kind,
            name: source_name.or_else(|| self.source_name.clone()),
        });
        if mapped.key.is_none() && !mapped.problems.iter().any(|p| p.field == "id") {
            mapped.problems.push(FieldError::new(
                if self.fields.contains_key(&Target::Id) {
                    "id"
                } else {
                    "external_id"
                },
                "required",
                "the record has no id, so it cannot be imported again without a duplicate",
            ));
        }
        mapped
    }

    fn column_of(&self, field: &str) -> Option<String> {
        self.fields
            .iter()
            .filter(|(target, _)| {
                let name = target.field();
                field == name
                    || field.starts_with(&format!("{name}."))
                    || field.starts_with(&format!("{name}["))
            })
            .map(|(_, column)| column.clone())
            .next()
    }
}

/// What an import did, or in a dry run would do, with one record.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RowOutcome {
    /// A new actor (created, or would be).
    New,
    /// An existing actor whose record changed: a new version (or would be).
    Updated,
    /// Already there and identical: nothing written.
    Unchanged,
    /// Not imported; `errors` say why.
    Rejected,
}

/// One reason a record was rejected, with the column that holds the field when known.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RowError {
    pub field: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub column: Option<String>,
    pub code: &'static str,
    pub message: String,
}

/// The report about one record.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RowReport {
    /// CSV line (`{"line": 3}`) or GeoJSON feature index (`{"feature": 0}`).
    pub position: RecordPosition,
    pub outcome: RowOutcome,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub external_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub actor_id: Option<ActorId>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Repairs made to the record (new and updated records only).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub fixes: Vec<Fix>,
    /// Imported, but worth a moderator's look.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<String>,
    /// Every reason the record was rejected.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<RowError>,
}

/// How many records ended how.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ImportCounts {
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

/// What an import did, or in a dry run would do: counts, fixes by kind, and every record.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ImportReport {
    pub dry_run: bool,
    pub format: ImportFormat,
    /// The namespace of the records' external ids.
    pub source: String,
    /// The status new records get (`published`: an admin import publishes directly).
    pub status: String,
    pub counts: ImportCounts,
    /// How often each kind of fix was applied (new and updated records).
    pub fixes: BTreeMap<String, usize>,
    /// Every record, in file order.
    pub rows: Vec<RowReport>,
}

impl ImportReport {
    pub fn new(dry_run: bool, format: ImportFormat, source: &str, status: &str) -> ImportReport {
        ImportReport {
            dry_run,
            format,
            source: source.to_owned(),
            status: status.to_owned(),
            counts: ImportCounts::default(),
            fixes: BTreeMap::new(),
            rows: Vec::new(),
        }
    }

    /// Adds a record's report and counts it.
    pub fn push(&mut self, mut row: RowReport) {
        self.counts.records += 1;
        match row.outcome {
            RowOutcome::New => self.counts.new += 1,
            RowOutcome::Updated => self.counts.updated += 1,
            RowOutcome::Unchanged => self.counts.unchanged += 1,
            RowOutcome::Rejected => self.counts.rejected += 1,
        }
        if matches!(row.outcome, RowOutcome::New | RowOutcome::Updated) {
            if !row.fixes.is_empty() {
                self.counts.fixed += 1;
            }
            for fix in &row.fixes {
                *self.fixes.entry(fix_name(fix)).or_default() += 1;
            }
        } else {
            row.fixes.clear();
        }
        if row.outcome != RowOutcome::Rejected && !row.warnings.is_empty() {
            self.counts.warned += 1;
        }
        self.rows.push(row);
    }
}

/// The stable name of a kind of fix (`country_normalised`).
pub fn fix_name(fix: &Fix) -> String {
    serde_json::to_value(fix)
        .ok()
        .and_then(|v| v["fix"].as_str().map(str::to_owned))
        .unwrap_or_else(|| "other".to_owned())
}

/// Errors of a record, each pointed at its source column when the mapper knows it.
pub fn row_errors(mapper: &dyn RecordMapper, errors: &[FieldError]) -> Vec<RowError> {
    errors
        .iter()
        .map(|e| RowError {
            field: e.field.clone(),
            column: mapper.column_of(&e.field),
            code: e.code,
            message: e.message.clone(),
        })
        .collect()
}

#[cfg(test)]
mod tests;
