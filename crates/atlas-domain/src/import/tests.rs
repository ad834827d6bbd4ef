use serde_json::json;

use super::*;

fn csv(text: &str) -> SourceFile {
    SourceFile::parse(ImportFormat::Csv, text.as_bytes()).expect("csv")
}

#[test]
fn csv_records_know_their_line_even_with_multiline_cells() {
    let file = csv("id,name\n1,\"Two\nlines\"\n\n2,Next\n");
    let lines: Vec<RecordPosition> = file.records.iter().map(|r| r.position).collect();
    assert_eq!(lines, [RecordPosition::Line(2), RecordPosition::Line(5)]);
    assert_eq!(file.records[0].text("name").as_deref(), Some("Two\nlines"));
}

#[test]
fn a_row_of_the_wrong_width_is_a_problem_of_that_row_only() {
    let file = csv("id,name\n1,A,extra\n2,B\n");
    assert_eq!(file.records[0].problems[0].code, "wrong_field_count");
    assert!(file.records[1].problems.is_empty());
}

#[test]
fn the_exports_formula_neutralisation_is_undone() {
    let file = csv("id,name\n1,'=SUM(A1)\n2,'plain\n");
    assert_eq!(file.records[0].text("name").as_deref(), Some("=SUM(A1)"));
    assert_eq!(file.records[1].text("name").as_deref(), Some("'plain"));
}

#[test]
fn files_that_are_not_their_format_are_refused_whole() {
    for (format, bytes, code) in [
        (ImportFormat::Csv, &b"\xff\xfe\x00binary"[..], "invalid_csv"),
        (ImportFormat::Csv, &b""[..], "invalid_csv"),
        (ImportFormat::Csv, &b"a,a\n1,2\n"[..], "invalid_csv"),
        (
            ImportFormat::GeoJson,
            &b"{\"type\": \"Feature"[..],
            "invalid_geojson",
        ),
        (
            ImportFormat::GeoJson,
            &b"{\"type\": \"Feature\"}"[..],
            "invalid_geojson",
        ),
        (ImportFormat::GeoJson, &b"[1, 2]"[..], "invalid_geojson"),
    ] {
        let error = SourceFile::parse(format, bytes).expect_err("refused");
        assert_eq!((error.field.as_str(), error.code), ("file", code));
    }
}

#[test]
fn geojson_features_other_than_points_are_rejected_one_by_one() {
    let file = SourceFile::parse(
        ImportFormat::GeoJson,
        json!({"type": "FeatureCollection", "features": [
            {"type": "Feature", "geometry": {"type": "Point", "coordinates": [16.3, 48.2]}, "properties": {"name": "A"}},
            {"type": "Feature", "geometry": {"type": "LineString", "coordinates": [[0, 0], [1, 1]]}, "properties": {"name": "B"}},
        ]})
        .to_string()
        .as_bytes(),
    )
    .expect("geojson");
    assert_eq!(file.records[0].point, Some([16.3, 48.2]));
    assert!(file.records[0].problems.is_empty());
    assert_eq!(file.records[1].problems[0].code, "invalid_geometry");
    assert_eq!(file.records[1].position, RecordPosition::Feature(1));
}

#[test]
fn a_mapping_names_unknown_targets_and_missing_columns() {
    let file = csv("ID,Organisation,Y,X\n1,A,48.2,16.3\n");
    let errors = FieldMapping::parse(
        &json!({"source": "partner", "fields": {"colour": "ID", "name": "Organisation", "lat": "Latitude", "lon": "X"}}),
        &file,
    )
    .expect_err("invalid");
    let found: Vec<(&str, &str)> = errors
        .0
        .iter()
        .map(|e| (e.field.as_str(), e.code))
        .collect();
    assert_eq!(
        found,
        [
            ("mapping.fields.colour", "unknown_target"),
            ("mapping.fields.lat", "missing_column")
        ]
    );
}

#[test]
fn a_mapping_fills_a_draft_from_named_columns() {
    let file = csv("ID,Organisation,Text,Y,X,Mail,Tags\n7,Repair Café,Wir reparieren,\"48,2\",16.3,a@example.org,repair|reuse\n");
    let mapping = FieldMapping::parse(
        &json!({"source": "partner", "list_separator": "|", "fields": {
            "external_id": "ID", "name": "Organisation", "description.de": "Text",
            "lat": "Y", "lon": "X", "contact_email": "Mail", "tags": "Tags"}}),
        &file,
    )
    .expect("mapping");
    let mapped = mapping.map(&file.records[0]);
    assert!(mapped.problems.is_empty(), "{:?}", mapped.problems);
    assert_eq!(mapped.key, Some(RecordKey::External("7".into())));
    assert_eq!(mapped.draft.name.as_deref(), Some("Repair Café"));
    assert_eq!(mapped.draft.description["de"], "Wir reparieren");
    assert_eq!(mapped.draft.lat, Some(48.2), "a decimal comma is read");
    assert_eq!(mapped.draft.tags, ["repair", "reuse"]);
    assert!(mapped.has_contact);
    assert_eq!(mapping.column_of("location.lat").as_deref(), Some("Y"));
}

#[test]
fn external_ids_need_a_source_name() {
    let file = csv("ID,Name,lat,lon\n1,A,1,2\n");
    let errors = FieldMapping::parse(
        &json!({"fields": {"external_id": "ID", "name": "Name", "lat": "lat", "lon": "lon"}}),
        &file,
    )
    .expect_err("invalid");
    assert_eq!(errors.0[0].field, "mapping.source");
}

#[test]
fn the_default_mapping_reads_our_own_csv_export() {
    let file = csv(
        "id,name,lat,lon,location_precision,description_en,source_kind\n\
                    4f2c5a7e-8d0b-4c53-9a51-3f1e2d4c5b6a,A,1.5,2.5,city,Hello,imported\n",
    );
    let mapping = FieldMapping::default_for(&file);
    mapping.check_default(&file).expect("usable");
    let mapped = mapping.map(&file.records[0]);
    assert!(matches!(mapped.key, Some(RecordKey::Id(_))));
    assert_eq!(mapped.draft.precision.as_deref(), Some("city"));
    assert_eq!(mapped.draft.description["en"], "Hello");
    assert!(
        !mapped.has_contact,
        "no contact column: stored contacts are kept"
    );
}
