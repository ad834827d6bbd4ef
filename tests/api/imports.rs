//! Bulk import (`POST /v1/admin/imports`, `atlas import`): dry runs that write nothing,
//! reports by CSV line and GeoJSON feature, idempotent re-imports, updates as new versions,
//! and our own exports re-importing unchanged.

use std::process::Command;

use actix_web::test::TestRequest;
use atlas_e2e::{atlas_binary, scratch_dir, Response, TestApp};
use serde_json::{json, Value};

const PARTNER_CSV: &str = "\
ID,Organisation,Art,Land,Stadt,Y,X,Web,Mail,Text
p1,Reparaturcafé Quellenstraße,association,Österreich,Wien,48.1766,16.3781,www.repair-quellen.example,kontakt@repair-quellen.example,Wir reparieren gemeinsam
p2,Foodcoop Zwetschke,cooperative,AT,Graz,47.0707,15.4395,https://zwetschke.example/,,Lebensmittelkooperative
p3,,association,AT,Linz,48.3069,14.2858,,,Kein Name
p4,Verein Ohne Ort,club,AT,Salzburg,,13.04,,,Ohne Breite
p5,Kulturverein Ottakring,association,AT,Wien,48.2124,16.3183,,,Kultur
";

fn partner_mapping() -> Value {
    json!({
        "source": "partner-at",
        "source_name": "Partner AT (CC-BY-4.0)",
        "fields": {
            "external_id": "ID", "name": "Organisation", "kind": "Art", "country": "Land",
            "city": "Stadt", "lat": "Y", "lon": "X", "website": "Web",
            "contact_email": "Mail", "description.de": "Text"
        }
    })
}

fn query(dry_run: bool, mapping: Option<&Value>) -> String {
    let mut query = form_urlencoded::Serializer::new(String::new());
    query.append_pair("dry_run", if dry_run { "true" } else { "false" });
    if let Some(mapping) = mapping {
        query.append_pair("mapping", &mapping.to_string());
    }
    query.finish()
}

async fn post_import(
    app: &TestApp,
    token: &str,
    query: &str,
    content_type: &str,
    body: impl Into<Vec<u8>>,
) -> Response {
    app.send_as(
        token,
        TestRequest::post()
            .uri(&format!("/v1/admin/imports?{query}"))
            .insert_header(("Content-Type", content_type))
            .set_payload(body.into()),
    )
    .await
}

async fn import_partner_csv(app: &TestApp, token: &str, dry_run: bool, csv: &str) -> Value {
    let response = post_import(
        app,
        token,
        &query(dry_run, Some(&partner_mapping())),
        "text/csv",
        csv,
    )
    .await;
    assert_eq!(response.status, 200, "{}", response.text());
    response.json()
}

/// Everything an import could write, the change feed and the audit log included.
async fn footprint(app: &TestApp) -> Vec<(&'static str, i64)> {
    let mut counts = app.write_counts().await;
    for table in ["change_events", "audit_log", "search_outbox"] {
        counts.push((table, app.count(table).await));
    }
    counts
}

fn row_at(report: &Value, line: u64) -> &Value {
    report["rows"]
        .as_array()
        .expect("rows")
        .iter()
        .find(|r| r["line"] == line)
        .unwrap_or_else(|| panic!("no row for line {line}: {report}"))
}

#[tokio::test]
async fn a_dry_run_reports_every_line_and_writes_nothing() {
    let app = TestApp::seeded().await.expect("app");
    let admin = app.login_as("admin").await;
    let before = footprint(&app).await;

    let report = import_partner_csv(&app, &admin, true, PARTNER_CSV).await;

    assert_eq!(report["dry_run"], true);
    assert_eq!(report["status"], "published");
    assert_eq!(
        report["counts"],
        json!({"records": 5, "new": 3, "updated": 0, "unchanged": 0, "rejected": 2, "fixed": 1, "warned": 0})
    );
    let p1 = row_at(&report, 2);
    assert_eq!(
        (p1["outcome"].as_str(), p1["external_id"].as_str()),
        (Some("new"), Some("p1"))
    );
    let fixes: Vec<&str> = p1["fixes"]
        .as_array()
        .expect("fixes")
        .iter()
        .filter_map(|f| f["fix"].as_str())
        .collect();
    assert_eq!(fixes, ["country_normalised", "website_scheme_added"]);
    assert_eq!(p1["fixes"][0]["to"], "AT");

    let nameless = row_at(&report, 4);
    assert_eq!(nameless["outcome"], "rejected");
    assert_eq!(nameless["errors"][0]["field"], "name");
    assert_eq!(nameless["errors"][0]["column"], "Organisation");
    // Every reason of a row, not the first only.
    let placeless = row_at(&report, 5);
    let reasons: Vec<(&str, &str)> = placeless["errors"]
        .as_array()
        .expect("errors")
        .iter()
        .map(|e| {
            (
                e["field"].as_str().unwrap_or_default(),
                e["code"].as_str().unwrap_or_default(),
            )
        })
        .collect();
    assert_eq!(
        reasons,
        [("kind", "invalid_kind"), ("location.lat", "required")]
    );
    assert_eq!(placeless["errors"][1]["column"], "Y");

    assert_eq!(footprint(&app).await, before, "a dry run writes nothing");
}

#[tokio::test]
async fn the_real_run_imports_the_good_rows_publishes_them_and_keeps_contacts_private() {
    let app = TestApp::seeded().await.expect("app");
    let admin = app.login_as("admin").await;
    let feed_before = app.count("change_events").await;

    let report = import_partner_csv(&app, &admin, false, PARTNER_CSV).await;

    assert_eq!(report["dry_run"], false);
    assert_eq!(report["counts"]["new"], 3);
    assert_eq!(report["counts"]["rejected"], 2);
    assert_eq!(
        row_at(&report, 5)["errors"].as_array().map(Vec::len),
        Some(2)
    );
    assert_eq!(
        app.count("change_events").await,
        feed_before + 3,
        "one created event each"
    );

    let id = row_at(&report, 2)["actor_id"]
        .as_str()
        .expect("id")
        .to_owned();
    let actor = app.get(&format!("/v1/actors/{id}")).await;
    assert_eq!(actor.status, 200);
    let actor = actor.json();
    assert_eq!(actor["country"], "AT");
    assert_eq!(actor["website"], "https://www.repair-quellen.example/");
    assert_eq!(actor["description"]["de"], "Wir reparieren gemeinsam");
    assert_eq!(
        actor["source"],
        json!({"kind": "imported", "name": "Partner AT (CC-BY-4.0)"})
    );
    assert!(
        !actor.to_string().contains("kontakt@"),
        "no contact in public reads"
    );
    let contact = app
        .store
        .contact_details(atlas_domain::ActorId(id.parse().expect("uuid")))
        .await
        .expect("contact");
    assert_eq!(
        contact.email.as_deref(),
        Some("kontakt@repair-quellen.example")
    );

    // Searchable at once (the search columns and the outbox are written with the actor).
    let found = app.get("/v1/actors?q=Quellenstra%C3%9Fe").await.json();
    assert_eq!(found["items"][0]["id"], id.as_str());
    assert!(!found.to_string().contains("kontakt@"));
    let outbox = app
        .sql(&format!(
            "SELECT 1 FROM search_outbox WHERE actor_id = '{id}'"
        ))
        .await
        .expect("outbox");
    assert_eq!(outbox, 1, "one search sync queued for the new actor");
    let export = app.get("/v1/exports/actors.csv").await.text();
    assert!(export.contains("Reparaturcafé Quellenstraße") && !export.contains("kontakt@"));

    // The audit log says who imported what.
    let audit = app
        .send_as(&admin, TestRequest::get().uri("/v1/audit?limit=5"))
        .await
        .json();
    let entry = &audit["items"][0];
    assert_eq!(entry["action"], "import");
    assert_eq!(entry["target_id"], "partner-at");
    assert_eq!(entry["details"]["counts"]["new"], 3);
    assert_eq!(entry["details"]["counts"]["rejected"], 2);
    assert_eq!(entry["details"]["format"], "csv");
    assert!(
        entry["by"].as_str().is_some_and(|u| u.contains("admin")),
        "{entry}"
    );
}

#[tokio::test]
async fn importing_the_same_file_again_writes_nothing() {
    let app = TestApp::seeded().await.expect("app");
    let admin = app.login_as("admin").await;
    import_partner_csv(&app, &admin, false, PARTNER_CSV).await;
    let before = app.write_counts().await;
    let feed = app.count("change_events").await;

    let again = import_partner_csv(&app, &admin, false, PARTNER_CSV).await;

    assert_eq!(again["counts"]["unchanged"], 3);
    assert_eq!(again["counts"]["new"], 0);
    assert_eq!(again["counts"]["updated"], 0);
    assert_eq!(app.write_counts().await, before);
    assert_eq!(
        app.count("change_events").await,
        feed,
        "no change-feed events"
    );
}

#[tokio::test]
async fn a_changed_row_becomes_a_new_version_with_exactly_one_update_event() {
    let app = TestApp::seeded().await.expect("app");
    let admin = app.login_as("admin").await;
    let first = import_partner_csv(&app, &admin, false, PARTNER_CSV).await;
    let id = row_at(&first, 3)["actor_id"]
        .as_str()
        .expect("id")
        .to_owned();
    let feed = app.count("change_events").await;
    let revisions = app.count("actor_revisions").await;

    let changed = PARTNER_CSV.replace("Foodcoop Zwetschke", "Foodcoop Zwetschke Graz");
    let preview = import_partner_csv(&app, &admin, true, &changed).await;
    assert_eq!(
        row_at(&preview, 3)["outcome"],
        "updated",
        "the dry run says what would change"
    );
    assert_eq!(app.count("change_events").await, feed);

    let report = import_partner_csv(&app, &admin, false, &changed).await;
    assert_eq!(report["counts"]["updated"], 1);
    assert_eq!(report["counts"]["unchanged"], 2);
    assert_eq!(app.count("change_events").await, feed + 1);
    assert_eq!(app.count("actor_revisions").await, revisions + 1);
    let actor = app.get(&format!("/v1/actors/{id}")).await.json();
    assert_eq!(actor["name"], "Foodcoop Zwetschke Graz");
    assert_eq!(actor["version"], 2);
    let events = app
        .get(&format!(
            "/v1/changes?since={}",
            feed_seq_before_last(&app).await
        ))
        .await
        .json();
    let last = events["items"]
        .as_array()
        .and_then(|i| i.last())
        .cloned()
        .expect("event");
    assert_eq!(
        (last["kind"].as_str(), last["version"].as_i64()),
        (Some("updated"), Some(2))
    );
    assert_eq!(last["actor_id"], id.as_str());
}

/// The seq just before the newest change-feed event.
async fn feed_seq_before_last(app: &TestApp) -> i64 {
    app.sql_text("SELECT (max(seq) - 1)::text FROM change_events")
        .await
        .and_then(|s| s.parse().ok())
        .expect("seq")
}

#[tokio::test]
async fn an_archived_actor_stays_archived_when_its_source_is_imported_again() {
    let app = TestApp::seeded().await.expect("app");
    let admin = app.login_as("admin").await;
    let first = import_partner_csv(&app, &admin, false, PARTNER_CSV).await;
    let id = row_at(&first, 6)["actor_id"]
        .as_str()
        .expect("id")
        .to_owned();
    let archived = app
        .send_as(
            &admin,
            TestRequest::post()
                .uri(&format!("/v1/actors/{id}/archive"))
                .set_json(json!({"note": "closed"})),
        )
        .await;
    assert_eq!(archived.status, 200, "{}", archived.text());

    let changed = PARTNER_CSV.replace("Kulturverein Ottakring", "Kulturverein Ottakring Neu");
    let report = import_partner_csv(&app, &admin, false, &changed).await;
    assert_eq!(row_at(&report, 6)["outcome"], "updated");
    assert_eq!(
        app.get(&format!("/v1/actors/{id}")).await.status,
        404,
        "still archived"
    );
    assert_eq!(
        app.sql_text(&format!(
            "SELECT name || ' ' || status FROM actors WHERE id = '{id}'"
        ))
        .await
        .as_deref(),
        Some("Kulturverein Ottakring Neu archived")
    );
}

async fn round_trip(app: &TestApp, admin: &str, export_path: &str, content_type: &str) {
    let export = app.get(export_path).await;
    assert_eq!(export.status, 200);
    let before = footprint(app).await;
    let contacts = app
        .sql_text("SELECT count(*)::text FROM actor_contacts WHERE email IS NOT NULL")
        .await;
    let response = post_import(app, admin, "", content_type, export.body.clone()).await;
    assert_eq!(response.status, 200, "{}", response.text());
    let report = response.json();
    assert_eq!(report["counts"]["records"], 1_794);
    let changed: Vec<&Value> = report["rows"]
        .as_array()
        .expect("rows")
        .iter()
        .filter(|r| r["outcome"] != "unchanged")
        .take(3)
        .collect();
    assert_eq!(
        report["counts"]["unchanged"], 1_794,
        "every exported record is unchanged; not: {changed:?}"
    );
    let mut after = footprint(app).await;
    // The real run is in the audit log, and that is all it wrote.
    after.retain(|(table, _)| *table != "audit_log");
    let mut expected = before;
    expected.retain(|(table, _)| *table != "audit_log");
    assert_eq!(after, expected);
    assert_eq!(
        app.sql_text("SELECT count(*)::text FROM actor_contacts WHERE email IS NOT NULL")
            .await,
        contacts,
        "an export has no contacts, and re-importing it keeps the stored ones"
    );
}

#[tokio::test]
async fn our_csv_export_re_imports_unchanged() {
    let app = TestApp::seeded().await.expect("app");
    let admin = app.login_as("admin").await;
    round_trip(&app, &admin, "/v1/exports/actors.csv", "text/csv").await;
}

#[tokio::test]
async fn our_geojson_export_re_imports_unchanged() {
    let app = TestApp::seeded().await.expect("app");
    let admin = app.login_as("admin").await;
    round_trip(
        &app,
        &admin,
        "/v1/exports/actors.geojson",
        "application/geo+json",
    )
    .await;
}

#[tokio::test]
async fn geojson_reports_rejected_features_by_index() {
    let app = TestApp::seeded().await.expect("app");
    let admin = app.login_as("admin").await;
    let file = json!({"type": "FeatureCollection", "features": [
        {"type": "Feature", "geometry": {"type": "Point", "coordinates": [16.37, 48.21]},
         "properties": {"ref": "a", "title": "Gemeinschaftsgarten Donaufeld"}},
        {"type": "Feature", "geometry": {"type": "Polygon", "coordinates": [[[0, 0], [1, 0], [1, 1], [0, 0]]]},
         "properties": {"ref": "b", "title": "Flächiger Verein"}},
        {"type": "Feature", "geometry": {"type": "Point", "coordinates": [16.37, 48.21]},
         "properties": {"ref": "a", "title": "Same id again"}},
    ]});
    let mapping = json!({"source": "gardens", "fields": {"external_id": "ref", "name": "title"}});
    let response = post_import(
        &app,
        &admin,
        &query(false, Some(&mapping)),
        "application/geo+json",
        file.to_string(),
    )
    .await;
    assert_eq!(response.status, 200, "{}", response.text());
    let report = response.json();
    assert_eq!(report["format"], "geojson");
    assert_eq!(report["counts"]["new"], 1);
    assert_eq!(report["rows"][0]["feature"], 0);
    assert!(report["rows"][0]["actor_id"].as_str().is_some());
    assert_eq!(report["rows"][1]["feature"], 1);
    assert_eq!(report["rows"][1]["errors"][0]["code"], "invalid_geometry");
    assert_eq!(report["rows"][2]["errors"][0]["code"], "duplicate_record");
    let country = app
        .get(&format!(
            "/v1/actors/{}",
            report["rows"][0]["actor_id"].as_str().expect("id")
        ))
        .await
        .json()["country"]
        .clone();
    assert_eq!(country, "AT", "the country comes from the point");
}

/// A case of a bad import: name, query, content type, body, then the expected status, problem
/// code and offending field.
type BadImport = (
    &'static str,
    String,
    &'static str,
    Vec<u8>,
    u16,
    &'static str,
    &'static str,
);

#[tokio::test]
async fn unusable_files_and_mappings_are_refused_whole_and_write_nothing() {
    let app = TestApp::seeded().await.expect("app");
    let admin = app.login_as("admin").await;
    let before = footprint(&app).await;
    let unknown_target = json!({"source": "x", "fields": {"external_id": "ID", "name": "Organisation", "lat": "Y", "lon": "X", "colour": "Art"}});
    let missing_column = json!({"source": "x", "fields": {"external_id": "ID", "name": "Organisation", "lat": "Latitude", "lon": "X"}});
    let cases: Vec<BadImport> = vec![
        (
            "not CSV",
            query(true, Some(&partner_mapping())),
            "text/csv",
            b"\x89PNG\r\n\x1a\n\x00\x00\xff\xfe".to_vec(),
            400,
            "invalid_csv",
            "file",
        ),
        (
            "broken JSON",
            query(true, None),
            "application/geo+json",
            b"{\"type\": \"FeatureCollection\", \"features\": [".to_vec(),
            400,
            "invalid_geojson",
            "file",
        ),
        (
            "not a FeatureCollection",
            query(true, None),
            "application/geo+json",
            json!({"type": "Feature", "properties": {}})
                .to_string()
                .into_bytes(),
            400,
            "invalid_geojson",
            "file",
        ),
        (
            "unknown target",
            query(true, Some(&unknown_target)),
            "text/csv",
            PARTNER_CSV.as_bytes().to_vec(),
            400,
            "unknown_target",
            "mapping.fields.colour",
        ),
        (
            "missing column",
            query(true, Some(&missing_column)),
            "text/csv",
            PARTNER_CSV.as_bytes().to_vec(),
            400,
            "missing_column",
            "mapping.fields.lat",
        ),
        (
            "mapping not JSON",
            "mapping=%7Bfields".to_owned(),
            "text/csv",
            PARTNER_CSV.as_bytes().to_vec(),
            400,
            "invalid_mapping",
            "mapping",
        ),
        (
            "no mapping for a foreign file",
            query(false, None),
            "text/csv",
            PARTNER_CSV.as_bytes().to_vec(),
            400,
            "mapping_required",
            "mapping",
        ),
        (
            "bad dry_run",
            "dry_run=yes".to_owned(),
            "text/csv",
            PARTNER_CSV.as_bytes().to_vec(),
            400,
            "invalid_boolean",
            "dry_run",
        ),
        (
            "unknown parameter",
            "dryrun=true".to_owned(),
            "text/csv",
            PARTNER_CSV.as_bytes().to_vec(),
            400,
            "unknown_parameter",
            "dryrun",
        ),
        (
            "unknown format",
            "format=xlsx".to_owned(),
            "text/csv",
            PARTNER_CSV.as_bytes().to_vec(),
            400,
            "invalid_format",
            "format",
        ),
        (
            "no format at all",
            query(false, Some(&partner_mapping())),
            "application/octet-stream",
            PARTNER_CSV.as_bytes().to_vec(),
            415,
            "unsupported_media_type",
            "",
        ),
    ];
    for (case, query, content_type, body, status, code, field) in cases {
        let response = post_import(&app, &admin, &query, content_type, body).await;
        assert_eq!(response.status, status, "{case}: {}", response.text());
        assert_eq!(
            response.header("content-type").as_deref(),
            Some("application/problem+json"),
            "{case}"
        );
        let problem = response.json();
        assert_eq!(problem["code"], code, "{case}: {problem}");
        if !field.is_empty() {
            assert_eq!(problem["errors"][0]["field"], field, "{case}: {problem}");
        }
    }
    assert_eq!(footprint(&app).await, before, "nothing was written");
}

#[tokio::test]
async fn a_file_over_50_mb_is_413_and_writes_nothing() {
    let app = TestApp::seeded().await.expect("app");
    let admin = app.login_as("admin").await;
    let before = footprint(&app).await;
    let mut body = PARTNER_CSV.as_bytes().to_vec();
    body.resize(50 * 1024 * 1024 + 1, b'\n');
    let response = post_import(
        &app,
        &admin,
        &query(false, Some(&partner_mapping())),
        "text/csv",
        body,
    )
    .await;
    assert_eq!(response.status, 413);
    assert_eq!(response.json()["code"], "payload_too_large");
    assert_eq!(footprint(&app).await, before);
}

#[tokio::test]
async fn a_moderator_cannot_import() {
    let app = TestApp::seeded().await.expect("app");
    let moderator = app.login_as("moderator").await;
    let response = post_import(
        &app,
        &moderator,
        &query(false, Some(&partner_mapping())),
        "text/csv",
        PARTNER_CSV,
    )
    .await;
    assert_eq!(response.status, 403);
    let anonymous = app
        .send_from_anywhere(
            TestRequest::post()
                .uri("/v1/admin/imports")
                .insert_header(("Content-Type", "text/csv"))
                .set_payload(PARTNER_CSV),
        )
        .await;
    assert_eq!(anonymous.status, 401);
}

#[tokio::test]
async fn atlas_import_on_the_command_line_dry_runs_then_imports_then_is_idempotent() {
    let app = TestApp::seeded().await.expect("app");
    let dir = scratch_dir("cli-import");
    let csv = dir.join("partner.csv");
    let mapping = dir.join("mapping.json");
    let report_file = dir.join("report.json");
    std::fs::write(&csv, PARTNER_CSV).expect("csv");
    std::fs::write(&mapping, partner_mapping().to_string()).expect("mapping");
    let atlas = |extra: &[&str]| {
        let output = Command::new(atlas_binary())
            .arg("import")
            .arg(&csv)
            .arg("--mapping")
            .arg(&mapping)
            .args(extra)
            .env("DATABASE_URL", &app.db.url)
            .env("RUST_LOG", "warn")
            .output()
            .expect("running atlas import");
        let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
        assert!(
            output.status.success(),
            "{stdout}{}",
            String::from_utf8_lossy(&output.stderr)
        );
        stdout
    };
    let before = footprint(&app).await;

    let dry = atlas(&["--dry-run"]);
    assert!(
        dry.contains(
            "dry run, nothing written: 5 records: 3 new, 0 updated, 0 unchanged, 2 rejected"
        ),
        "{dry}"
    );
    assert!(
        dry.contains("rejected line 4: name (column Organisation)"),
        "{dry}"
    );
    assert!(dry.contains("rejected line 5: kind (column Art)"), "{dry}");
    assert_eq!(footprint(&app).await, before, "the dry run wrote nothing");

    let real = atlas(&["--report", report_file.to_str().expect("path")]);
    assert!(
        real.contains("5 records: 3 new, 0 updated, 0 unchanged, 2 rejected"),
        "{real}"
    );
    let report: Value =
        serde_json::from_slice(&std::fs::read(&report_file).expect("report")).expect("json");
    assert_eq!(report["counts"]["new"], 3);
    assert_eq!(report["rows"][0]["position"]["line"], 2);
    assert_eq!(app.get("/v1/actors?q=Zwetschke").await.json()["total"], 1);
    assert_eq!(
        app.sql_text("SELECT details->>'via' FROM audit_log ORDER BY id DESC LIMIT 1")
            .await
            .as_deref(),
        Some("cli")
    );

    let written = app.write_counts().await;
    let again = atlas(&[]);
    assert!(again.contains("3 unchanged"), "{again}");
    assert_eq!(app.write_counts().await, written);
}
