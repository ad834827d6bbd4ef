//! Open data exports, read back by the tools data consumers use: a CSV parser, GDAL,
//! frictionless and a JSON-LD processor.

use std::collections::BTreeSet;
use std::process::Command;

use atlas_e2e::{scratch_dir, seed_features, tool, TestApp};

fn private_contacts() -> BTreeSet<String> {
    seed_features()
        .iter()
        .filter_map(|f| f["properties"]["contact:email"].as_str())
        .map(|e| e.trim().to_lowercase())
        .filter(|e| e.contains('@'))
        .collect()
}

async fn export(app: &TestApp, format: &str) -> atlas_e2e::Response {
    let response = app.get(&format!("/v1/exports/actors.{format}")).await;
    assert_eq!(response.status, 200, "{format}: {}", response.text());
    response
}

#[tokio::test]
async fn every_format_holds_every_published_actor_and_no_contact() {
    let app = TestApp::seeded().await.expect("app");
    let total = app.get("/v1/actors?limit=1").await.json()["total"]
        .as_u64()
        .expect("total") as usize;
    let contacts = private_contacts();

    let csv = export(&app, "csv").await;
    assert!(csv
        .header("content-type")
        .expect("type")
        .starts_with("text/csv"));
    let disposition = csv
        .header("content-disposition")
        .expect("Content-Disposition");
    assert!(
        disposition.contains("attachment") && disposition.contains("social-tech-atlas-actors-20"),
        "{disposition}"
    );
    assert!(csv.header("etag").is_some() && csv.header("last-modified").is_some());
    assert!(csv
        .header("link")
        .expect("licence link")
        .contains("ODbL-1.0"));
    let mut reader = csv::Reader::from_reader(csv.body.as_slice());
    let header: Vec<String> = reader
        .headers()
        .expect("header")
        .iter()
        .map(str::to_owned)
        .collect();
    assert_eq!(&header[..3], ["id", "slug", "name"]);
    assert!(
        header.contains(&"description_de".to_owned()),
        "one column per language: {header:?}"
    );
    let rows: Vec<csv::StringRecord> = reader
        .records()
        .collect::<Result<_, _>>()
        .expect("RFC 4180 CSV");
    assert_eq!(rows.len(), total);
    assert!(rows.iter().all(|r| r.len() == header.len()));

    let geojson = export(&app, "geojson").await.json();
    assert_eq!(geojson["features"].as_array().map(Vec::len), Some(total));
    assert_eq!(geojson["license"], "ODbL-1.0");
    assert!(geojson["attribution"].to_string().contains("SUSY"));

    let ndjson = export(&app, "ndjson").await.text();
    assert_eq!(ndjson.lines().count(), total);
    for line in ndjson.lines().take(5) {
        let actor: serde_json::Value = serde_json::from_str(line).expect("a JSON object per line");
        assert_eq!(actor["licence"], "ODbL-1.0");
    }

    let jsonld = export(&app, "jsonld").await.json();
    assert_eq!(jsonld["hasPart"].as_array().map(Vec::len), Some(total));

    for format in ["csv", "geojson", "ndjson", "jsonld"] {
        let body = export(&app, format).await.text().to_lowercase();
        assert!(
            !body.contains("contact_email") && !body.contains("contact:email"),
            "{format}"
        );
        for contact in &contacts {
            assert!(!body.contains(contact.as_str()), "{format} leaks {contact}");
        }
    }
}

#[tokio::test]
async fn exports_take_the_list_filters_and_refuse_unknown_ones() {
    let app = TestApp::seeded().await.expect("app");
    let austria = app.get("/v1/actors?country=AT&limit=1").await.json()["total"]
        .as_u64()
        .expect("total");
    let export = app.get("/v1/exports/actors.ndjson?country=AT").await;
    assert_eq!(export.text().lines().count() as u64, austria);
    assert!(export
        .text()
        .lines()
        .all(|l| l.contains("\"country\":\"AT\"")));
    assert_eq!(
        app.get("/v1/exports/actors.ndjson?limit=5").await.status,
        400
    );
    assert_eq!(
        app.get("/v1/exports/actors.ndjson?bbox=1,2,3").await.json()["code"],
        "invalid_bbox"
    );
    assert_eq!(app.get("/v1/exports/actors.xlsx").await.status, 404);
}

#[tokio::test]
async fn a_formula_in_a_name_is_neutralised_in_csv() {
    let app = TestApp::seeded().await.expect("app");
    let first = app.get("/v1/actors?limit=1").await.json()["items"][0].clone();
    let id = first["id"].as_str().expect("id");
    app.sql(&format!(
        "UPDATE actors SET name = '=HYPERLINK(\"http://x\")', city = '+49 Berlin', street = '@home' WHERE id = '{id}'"
    ))
    .await
    .expect("update");
    let csv = export(&app, "csv").await;
    let mut reader = csv::Reader::from_reader(csv.body.as_slice());
    let headers = reader.headers().expect("header").clone();
    let column = |name: &str| headers.iter().position(|h| h == name).expect("column");
    let row = reader
        .records()
        .map(|r| r.expect("row"))
        .find(|r| &r[0] == id)
        .expect("the actor's row");
    assert_eq!(&row[column("name")], "'=HYPERLINK(\"http://x\")");
    assert_eq!(&row[column("city")], "'+49 Berlin");
    assert_eq!(&row[column("street")], "'@home");
    assert!(
        row[column("lon")].parse::<f64>().is_ok(),
        "numbers are not touched"
    );
}

#[tokio::test]
async fn an_unchanged_export_is_a_304() {
    let app = TestApp::seeded().await.expect("app");
    let first = export(&app, "geojson").await;
    let etag = first.header("etag").expect("etag");
    let again = app
        .send(
            actix_web::test::TestRequest::get()
                .uri("/v1/exports/actors.geojson")
                .insert_header(("If-None-Match", etag.as_str())),
        )
        .await;
    assert_eq!(again.status, 304);
}

#[tokio::test]
async fn a_head_request_gets_the_headers_without_reading_the_export() {
    let app = TestApp::seeded().await.expect("app");
    for format in ["csv", "geojson", "jsonld"] {
        let uri = format!("/v1/exports/actors.{format}");
        let get = export(&app, format).await;
        // In-process the test service hands over whatever body the handler made (a real
        // connection drops HEAD's body anyway; http_conventions checks that): it must be none.
        let head = app
            .send(
                actix_web::test::TestRequest::default()
                    .method(actix_web::http::Method::HEAD)
                    .uri(&uri),
            )
            .await;
        assert_eq!(head.status, 200, "HEAD {uri}");
        assert!(head.body.is_empty(), "HEAD {uri} made the export");
        assert!(!get.body.is_empty());
        for name in [
            "content-type",
            "etag",
            "x-total-count",
            "link",
            "last-modified",
        ] {
            assert_eq!(head.header(name), get.header(name), "HEAD {uri}: {name}");
        }
    }
}

#[tokio::test]
async fn gdal_opens_the_geojson_export_with_every_feature_and_field() {
    let app = TestApp::seeded().await.expect("app");
    let total = app.get("/v1/actors?limit=1").await.json()["total"]
        .as_u64()
        .expect("total");
    let dir = scratch_dir("gdal");
    let path = dir.join("actors.geojson");
    std::fs::write(&path, export(&app, "geojson").await.body).expect("write");
    let output = Command::new(tool("ogrinfo"))
        .args(["-ro", "-so", "-al"])
        .arg(&path)
        .output()
        .expect("ogrinfo runs");
    let info = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "ogrinfo failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(info.contains(&format!("Feature Count: {total}")), "{info}");
    for field in [
        "name: String",
        "slug: String",
        "kind: String",
        "country: String",
        "licence: String",
    ] {
        assert!(info.contains(field), "GDAL sees the field {field}: {info}");
    }
    assert!(info.contains("Geometry: Point"), "{info}");
}

#[tokio::test]
async fn the_data_package_validates_with_frictionless() {
    let app = TestApp::seeded().await.expect("app");
    let mut package = app.get("/v1/exports/datapackage.json").await.json();
    assert_eq!(package["licenses"][0]["name"], "ODbL-1.0");
    assert!(package["sources"].to_string().contains("GeoNames"));
    assert!(package["sources"].to_string().contains("TransforMap"));
    let dir = scratch_dir("frictionless");
    // Validate against local copies of the resources: the same bytes the URLs serve.
    std::fs::write(dir.join("actors.csv"), export(&app, "csv").await.body).expect("csv");
    std::fs::write(
        dir.join("actors.geojson"),
        export(&app, "geojson").await.body,
    )
    .expect("geojson");
    package["resources"][0]["path"] = "actors.csv".into();
    package["resources"][1]["path"] = "actors.geojson".into();
    std::fs::write(
        dir.join("datapackage.json"),
        serde_json::to_vec_pretty(&package).expect("json"),
    )
    .expect("package");
    let output = Command::new(tool("frictionless"))
        .args(["validate", "--json", "datapackage.json"])
        .current_dir(&dir)
        .output()
        .expect("frictionless runs");
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap_or_else(|_| {
        panic!(
            "frictionless output: {} {}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        )
    });
    assert_eq!(
        report["valid"],
        true,
        "frictionless: {}",
        serde_json::to_string_pretty(&report).unwrap_or_default()
    );
}

#[tokio::test]
async fn the_jsonld_export_expands_without_losing_names_coordinates_or_urls() {
    let app = TestApp::seeded().await.expect("app");
    let dir = scratch_dir("jsonld");
    let path = dir.join("actors.jsonld");
    std::fs::write(&path, export(&app, "jsonld").await.body).expect("write");
    let script = r#"
import json, sys
from pyld import jsonld
doc = json.load(open(sys.argv[1]))
expanded = jsonld.expand(doc)
S = "https://schema.org/"
orgs = expanded[0][S + "hasPart"]
out = []
for o in orgs:
    geo = o[S + "geo"][0]
    out.append({
        "id": o["@id"],
        "type": o["@type"],
        "name": o[S + "name"][0]["@value"],
        "lat": geo[S + "latitude"][0]["@value"],
        "lon": geo[S + "longitude"][0]["@value"],
        "url": o.get(S + "url", [{}])[0].get("@value"),
    })
print(json.dumps(out))
"#;
    let output = Command::new(tool("python3"))
        .arg("-c")
        .arg(script)
        .arg(&path)
        .output()
        .expect("python runs");
    assert!(
        output.status.success(),
        "PyLD failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let expanded: Vec<serde_json::Value> = serde_json::from_slice(&output.stdout).expect("json");
    let actors = app.walk("/v1/actors?limit=1000").await;
    assert_eq!(expanded.len(), actors.len());
    let by_id: std::collections::BTreeMap<String, &serde_json::Value> = expanded
        .iter()
        .map(|o| {
            (
                o["id"]
                    .as_str()
                    .unwrap_or_default()
                    .rsplit('/')
                    .next()
                    .unwrap_or_default()
                    .to_owned(),
                o,
            )
        })
        .collect();
    for actor in &actors {
        let o = by_id[actor["id"].as_str().expect("id")];
        assert_eq!(o["type"][0], "https://schema.org/Organization");
        assert_eq!(o["name"], actor["name"]);
        assert_eq!(o["lat"], actor["location"]["lat"]);
        assert_eq!(o["lon"], actor["location"]["lon"]);
        assert_eq!(o["url"], actor["website"]);
    }
}

#[tokio::test]
async fn the_catalogue_entry_lists_one_distribution_per_format() {
    let app = TestApp::seeded().await.expect("app");
    let response = app.get("/v1/exports/catalog.jsonld").await;
    assert_eq!(
        response.header("content-type").as_deref(),
        Some("application/ld+json")
    );
    let catalog = response.json();
    let dataset = &catalog["dcat:dataset"];
    assert_eq!(dataset["@type"], "dcat:Dataset");
    let urls: Vec<&str> = dataset["dcat:distribution"]
        .as_array()
        .expect("distributions")
        .iter()
        .filter_map(|d| d["@id"].as_str())
        .collect();
    for ext in ["csv", "geojson", "ndjson", "jsonld"] {
        assert!(
            urls.iter().any(|u| u.ends_with(&format!("actors.{ext}"))),
            "{ext}"
        );
    }
    assert!(dataset["dct:license"]["@id"]
        .as_str()
        .is_some_and(|l| l.contains("ODbL")));
}
